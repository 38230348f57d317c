// Conv1D / Conv2D / Conv3D forward pass (docs/semantics.md §3.1-§3.5, §4.1-§4.3, §7 groups): every
// layer x both data formats x valid / same (/ causal) x strides x dilation x groups x every
// activation x use_bias, plus the edge cases of issue 3. Each case: options filters,
// kernel_size, strides, padding, data_format, dilation_rate, groups, activation, use_bias;
// tensors x (in the case's data_format), kernel (Keras layout), bias (if use_bias), y.
export const file = 'conv.txt';
export const note = [
  'Conv1D/2D/3D: y from tfjs-core ops (tf.conv1d / conv2d / conv3d on channels_last data; a',
  'channels_first case transposes x in and y out with tf.transpose, since the tfjs Conv1D layer',
  'returns channels_first output in the wrong order, docs/semantics.md §13.1).',
  'groups (not in tfjs): input channels and kernel columns split per group, one tfjs conv per',
  'group, tf.concat along channels. causal (not in tfjs): tf.pad on the left by d*(k-1), then',
  'valid. Conv3D same: explicit tf.pad with TensorFlow\'s split (tfjs 3-D same lacks the',
  'max(0, ...) clamp), then valid. Bias: tf.add; activations: tfjs ops (hard_sigmoid as',
  'clip(0.2x + 0.5), softsign as x / (|x| + 1), exponential as tf.exp); softmax over the last',
  'axis of the final output (the last spatial axis for channels_first), as Keras.',
  'Every case is checked against a plain-JS float64 loop reference written from §3.4 before it',
  'is written.',
].join('\n');

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;
const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'hard_sigmoid', 'tanh', 'softmax', 'elu', 'selu',
  'softplus', 'softsign', 'exponential', 'hard_sigmoid_keras3'];

// ---- independent reference (float64 loops, §3.1-§3.5) ----
const effective = (k, d) => (k - 1) * d + 1;
function outLength(L, k, s, d, padding) {
  const K = effective(k, d);
  if (padding === 'valid') return Math.floor((L - K) / s) + 1;
  return Math.floor((L + s - 1) / s);
}
function padBefore(L, k, s, d, padding) {
  const K = effective(k, d);
  if (padding === 'valid') return 0;
  if (padding === 'causal') return K - 1;
  const out = Math.floor((L + s - 1) / s);
  const P = Math.max((out - 1) * s + K - L, 0);
  return Math.floor(P / 2);
}
const prod = (a) => a.reduce((x, y) => x * y, 1);

// x channels_last (B, sp..., C) flat; kernel (k..., C/G, F); returns channels_last (B, out..., F).
function referenceConv(c, x, kernel, bias) {
  const N = c.kernel.length, B = c.batch, C = c.channels, F = c.filters, G = c.groups;
  const Cg = C / G, Fg = F / G;
  const out = c.input.map((L, a) => outLength(L, c.kernel[a], c.strides[a], c.dilation[a], c.padding));
  const pb = c.input.map((L, a) => padBefore(L, c.kernel[a], c.strides[a], c.dilation[a], c.padding));
  const P = prod(out), T = prod(c.kernel), inP = prod(c.input);
  const y = new Float64Array(B * P * F);
  const oc = new Array(N), tc = new Array(N);
  for (let n = 0; n < B; ++n)
    for (let p = 0; p < P; ++p) {
      let r = p;
      for (let a = N - 1; a >= 0; --a) { oc[a] = r % out[a]; r = Math.floor(r / out[a]); }
      for (let f = 0; f < F; ++f) {
        const g = Math.floor(f / Fg);
        let sum = bias ? bias[f] : 0;
        for (let t = 0; t < T; ++t) {
          let rt = t;
          for (let a = N - 1; a >= 0; --a) { tc[a] = rt % c.kernel[a]; rt = Math.floor(rt / c.kernel[a]); }
          let off = 0, inside = true;
          for (let a = 0; a < N; ++a) {
            const i = oc[a] * c.strides[a] + tc[a] * c.dilation[a] - pb[a];
            if (i < 0 || i >= c.input[a]) inside = false;
            off = off * c.input[a] + i;
          }
          if (!inside) continue;
          for (let cc = 0; cc < Cg; ++cc)
            sum += x[(n * inP + off) * C + g * Cg + cc] * kernel[(t * Cg + cc) * F + f];
        }
        y[(n * P + p) * F + f] = sum;
      }
    }
  return { shape: [B, ...out, F], data: y };
}
const referenceActivation = {
  linear: (v) => v,
  relu: (v) => Math.max(v, 0),
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  hard_sigmoid: (v) => Math.min(Math.max(0.2 * v + 0.5, 0), 1),
  hard_sigmoid_keras3: (v) => Math.min(Math.max(v / 6 + 0.5, 0), 1),
  tanh: (v) => Math.tanh(v),
  elu: (v) => (v > 0 ? v : Math.expm1(v)),
  selu: (v) => SELU_SCALE * (v > 0 ? v : SELU_ALPHA * Math.expm1(v)),
  softplus: (v) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))),
  softsign: (v) => v / (Math.abs(v) + 1),
  exponential: (v) => Math.exp(v),
};
function referenceSoftmaxLastAxis(t) {
  const len = t.shape[t.shape.length - 1], out = new Float64Array(t.data.length);
  for (let r = 0; r < t.data.length / len; ++r) {
    let m = -Infinity, s = 0;
    for (let i = 0; i < len; ++i) m = Math.max(m, t.data[r * len + i]);
    for (let i = 0; i < len; ++i) s += Math.exp(t.data[r * len + i] - m);
    for (let i = 0; i < len; ++i) out[r * len + i] = Math.exp(t.data[r * len + i] - m) / s;
  }
  return { shape: t.shape, data: out };
}
// (B, sp..., C) <-> (B, C, sp...) by loops.
function referenceToFirst(t) {
  const [B, ...rest] = t.shape, C = rest.pop(), S = prod(rest), out = new Float64Array(t.data.length);
  for (let b = 0; b < B; ++b) for (let s = 0; s < S; ++s) for (let c = 0; c < C; ++c)
    out[(b * C + c) * S + s] = t.data[(b * S + s) * C + c];
  return { shape: [B, C, ...rest], data: out };
}

// ---- tfjs computation ----
const perm = (N, toFirst) => (toFirst ? [0, N + 1, ...Array.from({ length: N }, (_, i) => i + 1)]
  : [0, ...Array.from({ length: N }, (_, i) => i + 2), 1]);

function tfjsActivation(tf, name, y) {
  switch (name) {
    case 'linear': return y;
    case 'relu': return tf.relu(y);
    case 'sigmoid': return tf.sigmoid(y);
    case 'hard_sigmoid': return tf.clipByValue(tf.add(tf.mul(y, 0.2), 0.5), 0, 1);
    case 'hard_sigmoid_keras3': return tf.div(tf.relu6(tf.add(y, 3)), 6);
    case 'tanh': return tf.tanh(y);
    case 'elu': return tf.elu(y);
    case 'selu': return tf.selu(y);
    case 'softplus': return tf.softplus(y);
    case 'softsign': return tf.div(y, tf.add(tf.abs(y), 1));
    case 'exponential': return tf.exp(y);
    default: throw new Error(`no element-wise activation ${name}`);
  }
}

function tfjsConv(tf, c, xLast, kernel) {
  const N = c.kernel.length;
  const pads = c.input.map((L, a) => {
    const before = padBefore(L, c.kernel[a], c.strides[a], c.dilation[a], c.padding);
    const out = outLength(L, c.kernel[a], c.strides[a], c.dilation[a], c.padding);
    const after = Math.max((out - 1) * c.strides[a] + effective(c.kernel[a], c.dilation[a]) - L - before, 0);
    return [before, after];
  });
  // tfjs' own 'same' for 1-D/2-D; explicit padding for causal and for 3-D same (§13.1).
  let x = xLast, pad = c.padding;
  if (c.padding === 'causal' || (c.padding === 'same' && N === 3)) {
    x = tf.pad(xLast, [[0, 0], ...pads, [0, 0]]);
    pad = 'valid';
  }
  const conv = (xs, w) => {
    if (N === 1) return tf.conv1d(xs, w, c.strides[0], pad, 'NWC', c.dilation[0]);
    if (N === 2) return tf.conv2d(xs, w, c.strides, pad, 'NHWC', c.dilation);
    return tf.conv3d(xs, w, c.strides, pad, 'NDHWC', c.dilation);
  };
  if (c.groups === 1) return conv(x, kernel);
  const Cg = c.channels / c.groups, Fg = c.filters / c.groups, parts = [];
  for (let g = 0; g < c.groups; ++g) {
    const xs = tf.slice(x, [...Array(N + 1).fill(0), g * Cg], [...Array(N + 1).fill(-1), Cg]);
    const ws = tf.slice(kernel, [...Array(N + 1).fill(0), g * Fg], [...Array(N + 1).fill(-1), Fg]);
    parts.push(conv(xs, ws));
  }
  return tf.concat(parts, N + 1);
}

// ---- cases ----
// Geometry list per rank: [name, batch, input, channels, filters, kernel, strides, dilation,
// padding, groups]. Each runs in both data formats; activations and use_bias cycle.
const geometries = [
  // Conv1D
  ['valid_k3', 2, [7], 3, 4, [3], [1], [1], 'valid', 1],
  ['same_k3', 1, [6], 2, 3, [3], [1], [1], 'same', 1],
  ['same_k4_even', 1, [5], 2, 2, [4], [1], [1], 'same', 1],
  ['same_k2_even', 2, [5], 1, 2, [2], [1], [1], 'same', 1],
  ['same_s2', 1, [8], 3, 2, [3], [2], [1], 'same', 1],
  ['valid_s2', 2, [9], 2, 3, [3], [2], [1], 'valid', 1],
  ['causal_k2_d2', 1, [6], 2, 3, [2], [1], [2], 'causal', 1],
  ['causal_k3_s2', 2, [7], 3, 2, [3], [2], [1], 'causal', 1],
  ['causal_k3_d2', 1, [9], 1, 1, [3], [1], [2], 'causal', 1],
  ['valid_d3', 1, [10], 2, 2, [3], [1], [3], 'valid', 1],
  ['same_d2', 1, [7], 2, 2, [2], [1], [2], 'same', 1],
  ['groups2', 2, [6], 4, 6, [3], [1], [1], 'same', 2],
  ['groups3_depthwise', 1, [5], 3, 3, [2], [1], [1], 'valid', 3],
  ['groups2_causal_d2', 1, [6], 4, 2, [2], [1], [2], 'causal', 2],
  ['kernel_gt_input_same', 1, [3], 2, 2, [5], [1], [1], 'same', 1],
  ['output_len1', 1, [4], 2, 3, [4], [1], [1], 'valid', 1],
  ['stride_gt_kernel_valid', 1, [10], 2, 2, [2], [3], [1], 'valid', 1],
  ['stride_gt_kernel_same', 1, [10], 2, 2, [2], [3], [1], 'same', 1],
  ['single_channel', 3, [5], 1, 1, [3], [1], [1], 'same', 1],
  ['pointwise', 2, [4], 3, 5, [1], [1], [1], 'valid', 1],
  // Conv2D
  ['valid_k3', 1, [5, 6], 3, 4, [3, 3], [1, 1], [1, 1], 'valid', 1],
  ['same_k3x2', 2, [4, 5], 2, 3, [3, 2], [1, 1], [1, 1], 'same', 1],
  ['same_s2', 1, [6, 5], 2, 2, [3, 3], [2, 2], [1, 1], 'same', 1],
  ['valid_s21', 1, [6, 5], 2, 3, [2, 3], [2, 1], [1, 1], 'valid', 1],
  ['same_d2', 1, [5, 6], 2, 2, [3, 2], [1, 1], [2, 1], 'same', 1],
  ['valid_d12', 2, [4, 7], 1, 2, [2, 3], [1, 1], [1, 2], 'valid', 1],
  ['same_k4_even', 1, [5, 5], 2, 2, [4, 4], [1, 1], [1, 1], 'same', 1],
  ['groups2', 1, [4, 5], 4, 4, [3, 3], [1, 1], [1, 1], 'same', 2],
  ['groups2_s2', 2, [5, 4], 2, 4, [2, 2], [2, 2], [1, 1], 'valid', 2],
  ['kernel_gt_input_same', 1, [2, 3], 2, 2, [4, 5], [1, 1], [1, 1], 'same', 1],
  ['output_1x1', 2, [3, 3], 2, 3, [3, 3], [1, 1], [1, 1], 'valid', 1],
  ['stride_gt_kernel_same', 1, [7, 7], 1, 2, [2, 2], [3, 3], [1, 1], 'same', 1],
  ['single_channel', 1, [4, 4], 1, 1, [3, 3], [1, 1], [1, 1], 'same', 1],
  ['pointwise', 1, [3, 4], 4, 6, [1, 1], [1, 1], [1, 1], 'same', 1],
  ['pointwise_groups2', 1, [3, 3], 4, 2, [1, 1], [1, 1], [1, 1], 'valid', 2],
  // Conv3D
  ['valid_k2', 1, [3, 4, 4], 2, 3, [2, 2, 2], [1, 1, 1], [1, 1, 1], 'valid', 1],
  ['same_k3', 2, [3, 3, 4], 2, 2, [3, 3, 3], [1, 1, 1], [1, 1, 1], 'same', 1],
  ['same_s2', 1, [4, 5, 3], 1, 2, [3, 2, 3], [2, 2, 1], [1, 1, 1], 'same', 1],
  ['same_stride_gt_kernel', 1, [5, 4, 5], 2, 2, [1, 2, 2], [3, 3, 2], [1, 1, 1], 'same', 1],
  ['valid_d2', 1, [5, 4, 4], 1, 2, [2, 2, 2], [1, 1, 1], [2, 1, 2], 'valid', 1],
  ['groups2', 1, [3, 3, 3], 4, 2, [2, 2, 2], [1, 1, 1], [1, 1, 1], 'same', 2],
  ['kernel_gt_input_same', 1, [2, 2, 3], 1, 2, [3, 3, 4], [1, 1, 1], [1, 1, 1], 'same', 1],
  ['pointwise', 1, [2, 3, 2], 3, 2, [1, 1, 1], [1, 1, 1], [1, 1, 1], 'valid', 1],
];

export async function build(tf, lib) {
  const cases = [];
  let serial = 0;
  for (const [gname, batch, input, channels, filters, kernelSize, strides, dilation, padding, groups] of geometries) {
    const N = input.length;
    for (const format of ['channels_last', 'channels_first']) {
      // both formats meet every activation: the two formats of a geometry are 6 apart in the list
      const activation = ACTIVATIONS[(Math.floor(serial / 2) + (serial % 2) * 6) % ACTIVATIONS.length];
      const useBias = serial % 3 !== 2;
      serial += 1;
      const c = { batch, input, channels, filters, kernel: kernelSize, strides, dilation, padding, groups };
      const seed = 1000 + serial * 7;
      const xLast = lib.randomTensor([batch, ...input, channels], seed);
      const kernel = lib.randomTensor([...kernelSize, channels / groups, filters], seed + 1);
      const bias = useBias ? lib.randomTensor([filters], seed + 2) : null;

      // tfjs
      const yTf = tf.tidy(() => {
        let y = tfjsConv(tf, c, lib.toTf(tf, xLast), lib.toTf(tf, kernel));
        if (bias) y = tf.add(y, lib.toTf(tf, bias));
        if (activation !== 'softmax') y = tfjsActivation(tf, activation, y);
        if (format === 'channels_first') y = tf.transpose(y, perm(N, true));
        if (activation === 'softmax') y = tf.softmax(y, -1);
        return y;
      });
      const y = lib.tensorOf(yTf);
      yTf.dispose();
      const xTensor = format === 'channels_last' ? xLast
        : lib.tensorOf(tf.tidy(() => tf.transpose(lib.toTf(tf, xLast), perm(N, true))));

      // independent reference
      let ref = referenceConv(c, xLast.data, kernel.data, bias ? bias.data : null);
      if (activation !== 'softmax') ref = { shape: ref.shape, data: ref.data.map(referenceActivation[activation]) };
      if (format === 'channels_first') ref = referenceToFirst(ref);
      if (activation === 'softmax') ref = referenceSoftmaxLastAxis(ref);
      const layer = `Conv${N}D`;
      const name = `${layer}_${gname}_${format === 'channels_last' ? 'last' : 'first'}_${activation}${useBias ? '' : '_nobias'}`;
      lib.assertClose(name, y, ref, 2e-6);
      // channels_first x must be the transpose of channels_last x (checked by loops too)
      if (format === 'channels_first') lib.assertClose(`${name} x`, xTensor, referenceToFirst(xLast), 0);

      const tensors = { x: xTensor, kernel };
      if (bias) tensors.bias = bias;
      tensors.y = y;
      cases.push({
        name, layer,
        options: {
          filters, kernel_size: kernelSize, strides, padding, data_format: format,
          dilation_rate: dilation, groups, activation, use_bias: useBias,
        },
        tensors,
      });
    }
  }
  return cases;
}
