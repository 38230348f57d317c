// Golden fixtures for Conv1DTranspose / Conv2DTranspose / Conv3DTranspose (docs/semantics.md §3.6,
// §4.7, §4.8): every layer x valid/same x strides 1-3 x output_padding absent and every allowed
// value x kernel smaller/equal/larger than the stride, cycling data format, activation, use_bias
// and input size over the grid, plus dilated and 1-pixel cases. Values come from tfjs'
// conv2dTranspose / conv3dTranspose with an explicit output shape from §3.6, and each case is
// checked against the plain-JS scatter reference below before it is written.
export const file = 'conv_transpose.txt';
export const note = [
  'Built from tfjs ops, since tfjs layers lack output_padding and Conv1DTranspose:',
  '- output length and alignment q from docs/semantics.md 3.6, passed to tf.conv2dTranspose /',
  '  tf.conv3dTranspose as the explicit output shape; inconsistent lengths (TensorFlow rule:',
  '  forward conv of O must give back I, e.g. same + even K + output_padding 0) are never emitted;',
  '- Conv1DTranspose via conv2dTranspose with a unit height axis;',
  '- dilation via a kernel dilated with zeros IN THE GENERATOR (tfjs transposed ops have no',
  '  dilations): a dilated transposed convolution equals one with the zero-dilated kernel;',
  '- 3-D same: tfjs lacks the max(0, ..) clamp of the padding, so 3-D cases run valid with the full',
  '  length (I-1)*s + K and are cropped to [q, q + O) (zeros appended past the full length);',
  '- channels_first: transposes around the channels_last ops; bias and activation added with ops.',
  'Every case agrees with an independent scatter-form loop reference (tolerance 1e-5).',
].join('\n');

const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh'];

function effective(k, d) { return d * (k - 1) + 1; }

/// §3.6 output length; op null = Keras None.
function outLength(I, k, s, d, padding, op) {
  const K = effective(k, d);
  if (op === null) return padding === 'same' ? I * s : I * s + Math.max(K - s, 0);
  const pad = padding === 'same' ? Math.floor(K / 2) : 0;
  return (I - 1) * s + K - 2 * pad + op;
}
function alignment(I, O, k, s, d, padding) {
  if (padding !== 'same') return 0;
  return Math.floor(Math.max((I - 1) * s + effective(k, d) - O, 0) / 2);
}
/// TensorFlow's consistency rule: the forward convolution of length O gives back I.
function consistent(I, O, k, s, d, padding) {
  if (O < 1) return false;
  const K = effective(k, d);
  const fwd = padding === 'same' ? Math.ceil(O / s) : (O >= K ? Math.floor((O - K) / s) + 1 : 0);
  return fwd === I;
}

function prod(a) { return a.reduce((x, y) => x * y, 1); }
function strides(shape) {
  const st = new Array(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; --i) st[i] = st[i + 1] * shape[i + 1];
  return st;
}
function unflatten(flat, ext) {
  const c = new Array(ext.length);
  for (let a = ext.length - 1; a >= 0; --a) { c[a] = flat % ext[a]; flat = Math.floor(flat / ext[a]); }
  return c;
}

function activate(name, v) {
  switch (name) {
    case 'linear': return v;
    case 'relu': return v > 0 ? v : 0;
    case 'sigmoid': return 1 / (1 + Math.exp(-v));
    case 'tanh': return Math.tanh(v);
    default: throw new Error(name);
  }
}

/// Independent reference, scatter form of §3.6, channels_last: x (B, I..., C), w (k..., F, C).
function reference(x, w, bias, c) {
  const N = c.k.length;
  const B = x.shape[0], C = x.shape[N + 1], F = c.filters;
  const I = x.shape.slice(1, N + 1);
  const O = I.map((i, a) => outLength(i, c.k[a], c.s[a], c.d[a], c.padding, c.op === null ? null : c.op[a]));
  const q = I.map((i, a) => alignment(i, O[a], c.k[a], c.s[a], c.d[a], c.padding));
  const acc = new Float64Array(B * prod(O) * F);
  const ipix = prod(I), taps = prod(c.k), opix = prod(O);
  for (let n = 0; n < B; ++n)
    for (let ip = 0; ip < ipix; ++ip) {
      const i = unflatten(ip, I);
      for (let tp = 0; tp < taps; ++tp) {
        const t = unflatten(tp, c.k);
        let op = 0, inside = true;
        for (let a = 0; a < N; ++a) {
          const o = i[a] * c.s[a] + t[a] * c.d[a] - q[a];
          if (o < 0 || o >= O[a]) inside = false;
          op = op * O[a] + o;
        }
        if (!inside) continue;
        for (let f = 0; f < F; ++f) {
          let sum = 0;
          for (let ch = 0; ch < C; ++ch) sum += x.data[(n * ipix + ip) * C + ch] * w.data[(tp * F + f) * C + ch];
          acc[(n * opix + op) * F + f] += sum;
        }
      }
    }
  const data = new Float32Array(acc.length);
  for (let e = 0; e < acc.length; ++e) data[e] = activate(c.activation, acc[e] + (c.useBias ? bias.data[e % F] : 0));
  return { shape: [B, ...O, F], data };
}

/// Zero-dilated kernel (k..., F, C) -> (K..., F, C): generator-only construction for tfjs.
function dilateKernel(w, k, d, F, C) {
  const K = k.map((kk, a) => effective(kk, d[a]));
  const out = new Float32Array(prod(K) * F * C);
  for (let tp = 0; tp < prod(k); ++tp) {
    const t = unflatten(tp, k);
    let dp = 0;
    for (let a = 0; a < k.length; ++a) dp = dp * K[a] + t[a] * d[a];
    for (let e = 0; e < F * C; ++e) out[dp * F * C + e] = w.data[tp * F * C + e];
  }
  return { shape: [...K, F, C], data: out };
}

/// The layer through tfjs ops, channels_last in and out.
function viaTfjs(tf, lib, x, w, bias, c) {
  const N = c.k.length;
  const F = c.filters, C = x.shape[N + 1], B = x.shape[0];
  const I = x.shape.slice(1, N + 1);
  const O = I.map((i, a) => outLength(i, c.k[a], c.s[a], c.d[a], c.padding, c.op === null ? null : c.op[a]));
  const wd = dilateKernel(w, c.k, c.d, F, C);
  const K = wd.shape.slice(0, N);
  return tf.tidy(() => {
    let y;
    if (N === 3) {
      // valid with the full length, then crop [q, q + O) and append zeros past the full length.
      const full = I.map((i, a) => (i - 1) * c.s[a] + K[a]);
      const yf = tf.conv3dTranspose(lib.toTf(tf, x), lib.toTf(tf, wd), [B, ...full, F], c.s, 'valid');
      const q = I.map((i, a) => alignment(i, O[a], c.k[a], c.s[a], c.d[a], c.padding));
      const keep = O.map((o, a) => Math.min(o, full[a] - q[a]));
      let cropped = tf.slice(yf, [0, ...q, 0], [B, ...keep, F]);
      const after = O.map((o, a) => o - keep[a]);
      y = tf.pad(cropped, [[0, 0], ...after.map((p) => [0, p]), [0, 0]]);
    } else {
      const x4 = N === 1 ? tf.reshape(lib.toTf(tf, x), [B, 1, I[0], C]) : lib.toTf(tf, x);
      const w4 = N === 1 ? tf.reshape(lib.toTf(tf, wd), [1, K[0], F, C]) : lib.toTf(tf, wd);
      const s2 = N === 1 ? [1, c.s[0]] : c.s;
      const O2 = N === 1 ? [1, O[0]] : O;
      const y4 = tf.conv2dTranspose(x4, w4, [B, ...O2, F], s2, c.padding);
      y = N === 1 ? tf.reshape(y4, [B, O[0], F]) : y4;
    }
    if (c.useBias) y = tf.add(y, lib.toTf(tf, bias));
    if (c.activation !== 'linear') y = tf[c.activation](y);
    return lib.tensorOf(y);
  });
}

function toFirst(t) {
  const R = t.shape.length, C = t.shape[R - 1], B = t.shape[0];
  const sp = prod(t.shape.slice(1, R - 1));
  const data = new Float32Array(t.data.length);
  for (let n = 0; n < B; ++n)
    for (let p = 0; p < sp; ++p)
      for (let ch = 0; ch < C; ++ch) data[(n * C + ch) * sp + p] = t.data[(n * sp + p) * C + ch];
  return { shape: [B, C, ...t.shape.slice(1, R - 1)], data };
}

const LAYERS = { 1: 'Conv1DTranspose', 2: 'Conv2DTranspose', 3: 'Conv3DTranspose' };

export async function build(tf, lib) {
  const cases = [];
  let serial = 0;
  const add = (N, name, spec) => {
    const c = { filters: 2, d: new Array(N).fill(1), activation: 'linear', useBias: true, format: 'channels_last', ...spec };
    const seed = 1000 + 17 * serial++;
    const C = c.channels ?? 2;
    const x = lib.randomTensor([c.batch ?? 1, ...c.input, C], seed);
    const w = lib.randomTensor([...c.k, c.filters, C], seed + 1);
    const bias = lib.randomTensor([c.filters], seed + 2);
    const O = c.input.map((i, a) => outLength(i, c.k[a], c.s[a], c.d[a], c.padding, c.op === null ? null : c.op[a]));
    if (!c.input.every((i, a) => consistent(i, O[a], c.k[a], c.s[a], c.d[a], c.padding)))
      throw new Error(`${name}: inconsistent case must not be emitted`);
    const got = viaTfjs(tf, lib, x, w, bias, c);
    const ref = reference(x, w, bias, c);
    lib.assertClose(`conv_transpose ${name}`, got, ref, 1e-5);
    const first = c.format === 'channels_first';
    const tensors = { x: first ? toFirst(x) : x, kernel: w };
    if (c.useBias) tensors.bias = bias;
    tensors.y = first ? toFirst(got) : got;
    cases.push({
      name, layer: LAYERS[N],
      options: {
        filters: c.filters, kernel_size: c.k, strides: c.s, padding: c.padding,
        output_padding: c.op, data_format: c.format, dilation_rate: c.d,
        activation: c.activation, use_bias: c.useBias,
      },
      tensors,
    });
  };

  // The grid: strides 1-3, kernel smaller / equal / larger than the stride, valid / same,
  // output_padding absent and every allowed value; format, activation, bias and input cycle.
  const inputs = { 1: [[4], [3]], 2: [[2, 3], [3, 2]], 3: [[2, 1, 2], [1, 2, 2]] };
  for (const N of [1, 2, 3]) {
    let i = 0;
    for (const s of [1, 2, 3]) {
      const ks = [s - 1, s, s + 1].filter((k) => k >= 1);
      for (const k of ks) {
        const rel = k < s ? 'ksmall' : k === s ? 'keq' : 'klarge';
        for (const padding of ['valid', 'same']) {
          const ops = [null, ...Array.from({ length: s }, (_, j) => j)];
          for (const op of ops) {
            if (padding === 'same' && op === 0 && k % 2 === 0) continue;  // TF rejects: never emit
            // 3-D: keep tensors small, output_padding absent and the largest allowed value only.
            if (N === 3 && op !== null && op !== s - 1) continue;
            const format = i % 2 ? 'channels_first' : 'channels_last';
            const activation = ACTIVATIONS[i % ACTIVATIONS.length];
            const useBias = i % 3 !== 2;
            const input = inputs[N][i % 2];
            ++i;
            add(N, `${LAYERS[N]}_s${s}_k${k}_${rel}_${padding}_op${op === null ? 'none' : op}_${format === 'channels_last' ? 'last' : 'first'}_${activation}${useBias ? '' : '_nobias'}`,
                { k: new Array(N).fill(k), s: new Array(N).fill(s), padding, op: op === null ? null : new Array(N).fill(op),
                  input, format, activation, useBias });
          }
        }
      }
    }
  }

  // Per-axis mixtures, dilation (any stride), 1-pixel inputs, batch 2 and wider channels.
  add(2, 'Conv2DTranspose_mixed_axes_same_op', { k: [3, 2], s: [2, 3], padding: 'same', op: [1, 2], input: [2, 3], format: 'channels_first', activation: 'relu' });
  add(2, 'Conv2DTranspose_dilated_s1_valid', { k: [2, 3], s: [1, 1], d: [2, 2], padding: 'valid', op: null, input: [3, 3], activation: 'tanh' });
  add(2, 'Conv2DTranspose_dilated_s1_same', { k: [3, 3], s: [1, 1], d: [2, 2], padding: 'same', op: null, input: [3, 4], format: 'channels_first' });
  add(2, 'Conv2DTranspose_dilated_s2_same_op1', { k: [2, 3], s: [2, 2], d: [2, 3], padding: 'same', op: [1, 1], input: [2, 2] });
  add(2, 'Conv2DTranspose_dilated_s3_valid_op2', { k: [2, 2], s: [3, 2], d: [2, 1], padding: 'valid', op: [2, 0], input: [2, 2], useBias: false });
  add(1, 'Conv1DTranspose_dilated_s2_same', { k: [3], s: [2], d: [2], padding: 'same', op: null, input: [4], activation: 'sigmoid' });
  add(1, 'Conv1DTranspose_dilated_s1_valid_first', { k: [2], s: [1], d: [3], padding: 'valid', op: [0], input: [3], format: 'channels_first' });
  add(3, 'Conv3DTranspose_dilated_s1_same', { k: [2, 2, 2], s: [1, 1, 1], d: [2, 1, 2], padding: 'same', op: null, input: [2, 2, 2], activation: 'relu' });
  add(3, 'Conv3DTranspose_dilated_s2_valid_first', { k: [2, 1, 2], s: [2, 2, 1], d: [2, 1, 1], padding: 'valid', op: null, input: [2, 2, 1], format: 'channels_first' });
  add(3, 'Conv3DTranspose_mixed_same_op', { k: [3, 3, 1], s: [2, 1, 3], padding: 'same', op: [0, 0, 2], input: [2, 2, 2], activation: 'tanh' });
  add(1, 'Conv1DTranspose_pixel_same', { k: [4], s: [3], padding: 'same', op: null, input: [1], channels: 3, filters: 3 });
  add(2, 'Conv2DTranspose_pixel_valid_op', { k: [2, 3], s: [3, 2], padding: 'valid', op: [2, 1], input: [1, 1], format: 'channels_first', activation: 'relu' });
  add(2, 'Conv2DTranspose_pixel_same_k1', { k: [1, 1], s: [2, 2], padding: 'same', op: null, input: [1, 1] });
  add(3, 'Conv3DTranspose_pixel_same', { k: [3, 3, 3], s: [2, 2, 2], padding: 'same', op: null, input: [1, 1, 1], format: 'channels_first' });
  add(2, 'Conv2DTranspose_batch2_wide', { k: [4, 4], s: [2, 2], padding: 'same', op: null, input: [3, 3], batch: 2, channels: 5, filters: 19, activation: 'sigmoid' });
  add(3, 'Conv3DTranspose_batch2', { k: [3, 3, 3], s: [2, 2, 2], padding: 'same', op: [1, 1, 1], input: [2, 2, 2], batch: 2, channels: 3, filters: 3, format: 'channels_first' });
  return cases;
}
