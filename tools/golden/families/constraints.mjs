// Constraints (docs/semantics.md §11, worked numbers §12.10): tf.constraints.maxNorm / unitNorm /
// minMaxNorm / nonNeg applied to conv kernels with Keras' per-filter axes, the Dense default
// axis 0, and negative axes. Each case: options constraint (Keras name), max_value, min_value,
// rate, axis (the list), tensors w (before) and expected (after the projection).
export const file = 'constraints.txt';
export const note = [
  'Constraints: tf.constraints (tfjs-layers) project w; a plain-JS loop from docs/semantics.md §11',
  'that rounds every step to float32 (Math.fround, eps = 1e-7) checks every value. The first',
  'cases are §12.10\'s worked numbers.',
].join('\n');

const f32 = Math.fround;

// Per-norm projection with float32 rounding in Keras' order of evaluation.
function referenceConstraint(w, kind, { maxValue = 2, minValue = 0, rate = 1, axis = [0] } = {}) {
  const rank = w.shape.length;
  const out = Float64Array.from(w.data);
  if (kind === 'non_neg') return { shape: w.shape, data: out.map((v) => (v >= 0 ? v : 0)) };
  const reduced = new Set(axis.map((a) => (a < 0 ? a + rank : a)));
  const groupOf = (flat) => {  // coordinates on the kept axes, as one key
    const key = [];
    for (let a = rank - 1; a >= 0; --a) {
      const c = flat % w.shape[a];
      flat = Math.floor(flat / w.shape[a]);
      if (!reduced.has(a)) key.push(c);
    }
    return key.join(',');
  };
  const sumSq = new Map();
  w.data.forEach((v, i) => { const g = groupOf(i); sumSq.set(g, (sumSq.get(g) ?? 0) + f32(v * v)); });
  const eps = f32(1e-7);
  const clip = (x, lo, hi) => Math.min(Math.max(x, lo), Math.max(hi, lo));
  w.data.forEach((v, i) => {
    const norm = f32(Math.sqrt(f32(sumSq.get(groupOf(i)))));
    const denominator = f32(eps + norm);
    if (kind === 'unit_norm') { out[i] = f32(v / denominator); return; }
    const desired = kind === 'max_norm' ? f32(clip(norm, 0, f32(maxValue)))
      : f32(f32(f32(rate) * f32(clip(norm, f32(minValue), f32(maxValue)))) + f32(f32(1 - rate) * norm));
    out[i] = f32(v * f32(desired / denominator));
  });
  return { shape: w.shape, data: out };
}

export async function build(tf, lib) {
  const cases = [];
  const add = (name, kind, w, params = {}, printed = undefined) => {
    const { maxValue = kind === 'max_norm' ? 2 : 1, minValue = 0, rate = 1, axis = [0] } = params;
    const constraint = kind === 'max_norm' ? tf.constraints.maxNorm({ maxValue, axis })
                     : kind === 'unit_norm' ? tf.constraints.unitNorm({ axis })
                     : kind === 'min_max_norm' ? tf.constraints.minMaxNorm({ minValue, maxValue, rate, axis })
                     : tf.constraints.nonNeg();
    const expected = lib.tensorOf(constraint.apply(lib.toTf(tf, w)));
    lib.assertClose(name, expected, referenceConstraint(w, kind, { maxValue, minValue, rate, axis }), 1e-6);
    // 1e-7: §12.10 calls each value "the float32 nearest"; 3 * f32(0.3) rounds one ulp above f32(0.9).
    if (printed) lib.assertClose(`${name} vs docs/semantics.md §12.10`, expected, printed, 1e-7);
    const options = { constraint: kind };
    if (kind !== 'non_neg') Object.assign(options, { max_value: maxValue, min_value: minValue, rate, axis });
    cases.push({ name, layer: 'Constraint', options, tensors: { w, expected } });
  };

  // §12.10: kernel (1, 1, 2, 2), W[0][0] = [[3, 0], [4, 1]], per-filter axes [0, 1, 2].
  const worked = { shape: [1, 1, 2, 2], data: Float32Array.from([3, 0, 4, 1]) };
  const perFilter2d = [0, 1, 2];
  add('worked_max_norm', 'max_norm', worked, { maxValue: 2, axis: perFilter2d }, [1.2, 0, 1.6, 0.99999988]);
  add('worked_unit_norm', 'unit_norm', worked, { axis: perFilter2d }, [0.6, 0, 0.8, 0.99999988]);
  add('worked_min_max_norm', 'min_max_norm', worked, { minValue: 0.5, maxValue: 1.5, axis: perFilter2d },
      [0.9, 0, 1.2, 0.99999988]);

  // Per-filter axes of every conv kernel kind (§11's table); norms spread around the bounds.
  const kernels = {
    conv1d: { shape: [3, 4, 5], axis: [0, 1] },
    conv2d: { shape: [3, 3, 4, 5], axis: [0, 1, 2] },
    conv3d: { shape: [2, 2, 2, 3, 4], axis: [0, 1, 2, 3] },
    conv2d_transpose: { shape: [3, 3, 5, 4], axis: [0, 1, 3] },
    depthwise: { shape: [3, 3, 4, 2], axis: [0, 1] },
  };
  let seed = 300;
  for (const [kernel, { shape, axis }] of Object.entries(kernels)) {
    const w = lib.randomTensor(shape, ++seed, { lo: -0.6, hi: 0.6 });
    add(`${kernel}_max_norm`, 'max_norm', w, { maxValue: 1.5, axis });
    add(`${kernel}_unit_norm`, 'unit_norm', w, { axis });
    add(`${kernel}_min_max_norm`, 'min_max_norm', w, { minValue: 1, maxValue: 1.5, rate: 0.7, axis });
  }
  const conv2d = lib.randomTensor([3, 3, 4, 5], 310, { lo: -0.6, hi: 0.6 });
  add('conv2d_non_neg', 'non_neg', conv2d);
  add('conv2d_max_norm_default_axis', 'max_norm', conv2d, { maxValue: 0.5 });
  add('conv2d_min_max_norm_rate_half', 'min_max_norm', conv2d, { minValue: 0.5, maxValue: 2, rate: 0.5, axis: [0, 1, 2] });
  add('conv2d_unit_norm_negative_axes', 'unit_norm', conv2d, { axis: [-4, -3, -2] });
  add('conv2d_max_norm_last_axis', 'max_norm', conv2d, { maxValue: 0.8, axis: [-1] });
  // Dense kernel (in, out) with Keras' defaults, and a bias (rank 1, one norm).
  const dense = lib.randomTensor([6, 4], 311);
  add('dense_max_norm_defaults', 'max_norm', dense);
  add('dense_unit_norm_defaults', 'unit_norm', dense);
  add('dense_min_max_norm_defaults', 'min_max_norm', dense);
  add('bias_max_norm', 'max_norm', lib.randomTensor([5], 312, { lo: -2, hi: 2 }), { maxValue: 1 });
  return cases;
}
