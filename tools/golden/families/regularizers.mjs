// Regularizers (docs/semantics.md §10, worked numbers §12.10): the penalty
// l1 * sum(|w|) + l2 * sum(w^2) of tf.regularizers.l1 / l2 / l1l2 on small kernels. Each case:
// options l1, l2 (the L1L2 factors) and factory (the Keras name), tensors w and penalty (shape 1).
export const file = 'regularizers.txt';
export const note = [
  'Regularizers: tf.regularizers.l1 / l2 / l1l2 (tfjs-layers) compute the penalty; a plain-JS',
  'float64 sum from docs/semantics.md §10 checks it. The first cases are §12.10\'s worked numbers.',
].join('\n');

function referencePenalty(w, l1, l2) {
  let sumAbs = 0, sumSq = 0;
  for (const v of w.data) { sumAbs += Math.abs(v); sumSq += v * v; }
  return [Math.fround(l1 * sumAbs + l2 * sumSq)];
}

export async function build(tf, lib) {
  const cases = [];
  const add = (name, factory, l1, l2, w, printed) => {
    const regularizer = factory === 'l1' ? tf.regularizers.l1({ l1 })
                      : factory === 'l2' ? tf.regularizers.l2({ l2 })
                      : tf.regularizers.l1l2({ l1, l2 });
    const p = regularizer.apply(lib.toTf(tf, w));
    const penalty = { shape: [1], data: Float32Array.from(p.dataSync()) };
    lib.assertClose(name, penalty, referencePenalty(w, l1, l2), 1e-6);
    if (printed !== undefined) lib.assertClose(`${name} vs docs/semantics.md §12.10`, penalty, [printed], 1e-7);
    cases.push({ name, layer: 'Regularizer', options: { factory, l1, l2 }, tensors: { w, penalty } });
  };
  // §12.10: a kernel with elements {3, 0, 4, 1}.
  const worked = { shape: [1, 1, 2, 2], data: Float32Array.from([3, 0, 4, 1]) };
  add('worked_l1', 'l1', 0.01, 0, worked, 0.08);
  add('worked_l2', 'l2', 0, 0.01, worked, 0.26);
  add('worked_l1_l2', 'l1_l2', 0.01, 0.01, worked, 0.34);
  // Conv kernels of every rank with non-default factors, and a bias.
  add('conv1d_l1', 'l1', 0.003, 0, lib.randomTensor([3, 4, 5], 201));
  add('conv2d_l2', 'l2', 0, 0.02, lib.randomTensor([3, 3, 4, 6], 202));
  add('conv2d_l1_l2', 'l1_l2', 0.001, 0.005, lib.randomTensor([3, 3, 4, 6], 203, { lo: -3, hi: 3 }));
  add('conv3d_l1_l2', 'l1_l2', 0.02, 0.0, lib.randomTensor([2, 2, 2, 3, 4], 204));
  add('bias_l2', 'l2', 0, 0.5, lib.randomTensor([7], 205));
  // A larger kernel (2304 values): float32 accumulation order starts to matter here.
  add('conv2d_large_l1_l2', 'l1_l2', 0.01, 0.01, lib.randomTensor([3, 3, 16, 16], 206, { lo: -0.5, hi: 0.5 }));
  return cases;
}
