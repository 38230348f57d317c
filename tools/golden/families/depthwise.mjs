// DepthwiseConv1D / DepthwiseConv2D forward pass (docs/semantics.md §3.1-§3.5, §3.7, §4.6, §7):
// every layer x both data formats x valid / same x strides x dilation x depth_multiplier 1-3 x
// every activation x use_bias, plus the edge cases of issue 3. Each case: options kernel_size,
// strides, padding, depth_multiplier, data_format, dilation_rate, activation, use_bias; tensors
// x (in the case's data_format), depthwise_kernel (Keras layout (k.., C, M)), bias (if use_bias), y.
// The shared helpers below are also used by separable.mjs.
export const file = 'depthwise.txt';
export const note = [
  'DepthwiseConv1D/2D: y from tfjs-core tf.depthwiseConv2d on channels_last data with explicit',
  'dilations (the tfjs DepthwiseConv2D layer ignores dilation_rate, docs/semantics.md §13.1); a',
  'channels_first case transposes x in and y out with tf.transpose. DepthwiseConv1D is not in',
  'tfjs: it runs as tf.depthwiseConv2d over a unit height axis (x expanded to (B, 1, W, C), kernel',
  'to (1, k, C, M)). For channels_last 2-D cases without dilation the tfjs DepthwiseConv2D layer',
  '(weights set, linear) is also run and must agree with the ops. Bias: tf.add; activations: tfjs',
  'ops (hard_sigmoid as clip(0.2x + 0.5), softsign as x / (|x| + 1), exponential as tf.exp);',
  'softmax over the last axis of the final output (the last spatial axis for channels_first).',
  'Every case is checked against a plain-JS float64 loop reference written from §3.7 first.',
].join('\n');

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;
export const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'hard_sigmoid', 'tanh', 'softmax', 'elu',
  'selu', 'softplus', 'softsign', 'exponential', 'hard_sigmoid_keras3'];

// ---- independent reference (float64 loops) ----
const effective = (k, d) => (k - 1) * d + 1;
export function outLength(L, k, s, d, padding) {
  if (padding === 'valid') return Math.floor((L - effective(k, d)) / s) + 1;
  return Math.floor((L + s - 1) / s);
}
function padBefore(L, k, s, d, padding) {
  if (padding === 'valid') return 0;
  const P = Math.max((outLength(L, k, s, d, padding) - 1) * s + effective(k, d) - L, 0);
  return Math.floor(P / 2);
}
export const prod = (a) => a.reduce((x, y) => x * y, 1);

/// Depthwise step of §3.7 on channels_last x (B, sp..., C): returns (B, out..., C*M), output
/// channel c*M + m, plus bias[c*M + m] when a bias is given.
export function referenceDepthwise(c, x, kernel, bias) {
  const N = c.kernel.length, B = c.batch, C = c.channels, M = c.multiplier;
  const out = c.input.map((L, a) => outLength(L, c.kernel[a], c.strides[a], c.dilation[a], c.padding));
  const pb = c.input.map((L, a) => padBefore(L, c.kernel[a], c.strides[a], c.dilation[a], c.padding));
  const P = prod(out), T = prod(c.kernel), inP = prod(c.input);
  const y = new Float64Array(B * P * C * M);
  const oc = new Array(N), tc = new Array(N);
  for (let n = 0; n < B; ++n)
    for (let p = 0; p < P; ++p) {
      let r = p;
      for (let a = N - 1; a >= 0; --a) { oc[a] = r % out[a]; r = Math.floor(r / out[a]); }
      for (let ch = 0; ch < C; ++ch)
        for (let m = 0; m < M; ++m) {
          let sum = bias ? bias[ch * M + m] : 0;
          for (let t = 0; t < T; ++t) {
            let rt = t;
            for (let a = N - 1; a >= 0; --a) { tc[a] = rt % c.kernel[a]; rt = Math.floor(rt / c.kernel[a]); }
            let off = 0, inside = true;
            for (let a = 0; a < N; ++a) {
              const i = oc[a] * c.strides[a] + tc[a] * c.dilation[a] - pb[a];
              if (i < 0 || i >= c.input[a]) inside = false;
              off = off * c.input[a] + i;
            }
            if (inside) sum += x[(n * inP + off) * C + ch] * kernel[(t * C + ch) * M + m];
          }
          y[(n * P + p) * C * M + ch * M + m] = sum;
        }
    }
  return { shape: [B, ...out, C * M], data: y };
}

export const referenceActivation = {
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
export function referenceSoftmaxLastAxis(t) {
  const len = t.shape[t.shape.length - 1], out = new Float64Array(t.data.length);
  for (let r = 0; r < t.data.length / len; ++r) {
    let m = -Infinity, s = 0;
    for (let i = 0; i < len; ++i) m = Math.max(m, t.data[r * len + i]);
    for (let i = 0; i < len; ++i) s += Math.exp(t.data[r * len + i] - m);
    for (let i = 0; i < len; ++i) out[r * len + i] = Math.exp(t.data[r * len + i] - m) / s;
  }
  return { shape: t.shape, data: out };
}
/// (B, sp..., C) -> (B, C, sp...) by loops.
export function referenceToFirst(t) {
  const [B, ...rest] = t.shape, C = rest.pop(), S = prod(rest), out = new Float64Array(t.data.length);
  for (let b = 0; b < B; ++b) for (let s = 0; s < S; ++s) for (let ch = 0; ch < C; ++ch)
    out[(b * C + ch) * S + s] = t.data[(b * S + s) * C + ch];
  return { shape: [B, C, ...rest], data: out };
}
/// Activation (element-wise, or softmax over the last axis after the format change), then the
/// format: the order Keras applies them in.
export function referenceFinish(ref, activation, format) {
  let r = ref;
  if (activation !== 'softmax') r = { shape: r.shape, data: r.data.map(referenceActivation[activation]) };
  if (format === 'channels_first') r = referenceToFirst(r);
  if (activation === 'softmax') r = referenceSoftmaxLastAxis(r);
  return r;
}

// ---- tfjs computation ----
export const perm = (N, toFirst) => (toFirst ? [0, N + 1, ...Array.from({ length: N }, (_, i) => i + 1)]
  : [0, ...Array.from({ length: N }, (_, i) => i + 2), 1]);

export function tfjsActivation(tf, name, y) {
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

/// tf.depthwiseConv2d on channels_last x; 1-D runs over a unit height axis.
export function tfjsDepthwise(tf, c, xLast, kernel) {
  if (c.kernel.length === 2)
    return tf.depthwiseConv2d(xLast, kernel, c.strides, c.padding, 'NHWC', c.dilation);
  const x4 = tf.expandDims(xLast, 1);                  // (B, 1, W, C)
  const k4 = tf.expandDims(kernel, 0);                 // (1, k, C, M)
  const y4 = tf.depthwiseConv2d(x4, k4, [1, c.strides[0]], c.padding, 'NHWC', [1, c.dilation[0]]);
  return tf.squeeze(y4, [1]);
}

/// y = finish(op(x) + bias): activation, then format, softmax last (as referenceFinish).
export function tfjsFinish(tf, y0, bias, activation, format, N) {
  let y = y0;
  if (bias) y = tf.add(y, bias);
  if (activation !== 'softmax') y = tfjsActivation(tf, activation, y);
  if (format === 'channels_first') y = tf.transpose(y, perm(N, true));
  if (activation === 'softmax') y = tf.softmax(y, -1);
  return y;
}

/// Activation and use_bias cycling shared by the families: both formats of a geometry meet
/// different activations, and over the list every activation meets both formats.
export function caseFlavour(serial) {
  return {
    activation: ACTIVATIONS[(Math.floor(serial / 2) + (serial % 2) * 6) % ACTIVATIONS.length],
    useBias: serial % 3 !== 2,
  };
}

// ---- cases ----
// [name, batch, input, channels, depth_multiplier, kernel, strides, dilation, padding]
const geometries = [
  // DepthwiseConv1D
  ['valid_k3', 2, [7], 3, 1, [3], [1], [1], 'valid'],
  ['same_k3_m2', 1, [6], 2, 2, [3], [1], [1], 'same'],
  ['same_k4_even_m3', 1, [5], 2, 3, [4], [1], [1], 'same'],
  ['same_k2_even', 2, [5], 1, 1, [2], [1], [1], 'same'],
  ['same_s2', 1, [8], 3, 1, [3], [2], [1], 'same'],
  ['valid_s2_m3', 2, [9], 2, 3, [3], [2], [1], 'valid'],
  ['valid_d3', 1, [10], 2, 1, [3], [1], [3], 'valid'],
  ['same_d2_m2', 1, [7], 2, 2, [2], [1], [2], 'same'],
  ['kernel_gt_input_same', 1, [3], 2, 1, [5], [1], [1], 'same'],
  ['output_len1', 1, [4], 2, 2, [4], [1], [1], 'valid'],
  ['stride_gt_kernel_same', 1, [10], 2, 1, [2], [3], [1], 'same'],
  ['stride_gt_kernel_valid_m2', 1, [10], 1, 2, [2], [3], [1], 'valid'],
  ['single_channel', 3, [5], 1, 1, [3], [1], [1], 'same'],
  ['wide_c19', 1, [20], 19, 1, [3], [1], [1], 'same'],
  ['wide_c18_m2_k5', 1, [14], 18, 2, [5], [1], [1], 'same'],
  // DepthwiseConv2D
  ['valid_k3', 1, [5, 6], 3, 1, [3, 3], [1, 1], [1, 1], 'valid'],
  ['same_k3_m2', 2, [4, 5], 2, 2, [3, 3], [1, 1], [1, 1], 'same'],
  ['same_k3x2_m3', 1, [5, 4], 2, 3, [3, 2], [1, 1], [1, 1], 'same'],
  ['same_s2', 1, [6, 5], 3, 1, [3, 3], [2, 2], [1, 1], 'same'],
  ['valid_s21_m2', 1, [6, 5], 2, 2, [2, 3], [2, 1], [1, 1], 'valid'],
  ['same_d21', 1, [5, 6], 2, 1, [3, 2], [1, 1], [2, 1], 'same'],
  ['valid_d12_m3', 2, [4, 7], 1, 3, [2, 3], [1, 1], [1, 2], 'valid'],
  ['valid_d2_9x9', 1, [9, 9], 1, 1, [3, 3], [1, 1], [2, 2], 'valid'],
  ['same_k4_even', 1, [5, 5], 2, 1, [4, 4], [1, 1], [1, 1], 'same'],
  ['same_k2_even_m2', 1, [4, 4], 2, 2, [2, 2], [1, 1], [1, 1], 'same'],
  ['kernel_gt_input_same', 1, [2, 3], 2, 1, [4, 5], [1, 1], [1, 1], 'same'],
  ['output_1x1_m2', 2, [3, 3], 2, 2, [3, 3], [1, 1], [1, 1], 'valid'],
  ['stride_gt_kernel_same', 1, [7, 7], 1, 1, [2, 2], [3, 3], [1, 1], 'same'],
  ['stride_gt_kernel_valid_m2', 1, [8, 7], 2, 2, [2, 1], [3, 3], [1, 1], 'valid'],
  ['single_channel', 3, [4, 4], 1, 1, [3, 3], [1, 1], [1, 1], 'same'],
  ['pointwise_m3', 1, [3, 4], 2, 3, [1, 1], [1, 1], [1, 1], 'valid'],
  ['wide_c20', 1, [2, 11], 20, 1, [3, 3], [1, 1], [1, 1], 'same'],
  ['wide_c17_s2', 1, [3, 19], 17, 1, [3, 3], [2, 2], [1, 1], 'same'],
  ['wide_c18_m2_d2', 1, [2, 12], 18, 2, [1, 3], [1, 1], [1, 2], 'same'],
  ['wide_c16_k5', 1, [2, 13], 16, 1, [1, 5], [1, 1], [1, 1], 'same'],
];

export async function build(tf, lib) {
  const cases = [];
  let serial = 0;
  for (const [gname, batch, input, channels, multiplier, kernelSize, strides, dilation, padding] of geometries) {
    const N = input.length;
    for (const format of ['channels_last', 'channels_first']) {
      const { activation, useBias } = caseFlavour(serial);
      serial += 1;
      const c = { batch, input, channels, multiplier, kernel: kernelSize, strides, dilation, padding };
      const seed = 5000 + serial * 7;
      const xLast = lib.randomTensor([batch, ...input, channels], seed);
      const kernel = lib.randomTensor([...kernelSize, channels, multiplier], seed + 1);
      const bias = useBias ? lib.randomTensor([channels * multiplier], seed + 2) : null;
      const layer = `DepthwiseConv${N}D`;
      const name = `${layer}_${gname}_${format === 'channels_last' ? 'last' : 'first'}_${activation}${useBias ? '' : '_nobias'}`;

      const yTf = tf.tidy(() => tfjsFinish(tf, tfjsDepthwise(tf, c, lib.toTf(tf, xLast), lib.toTf(tf, kernel)),
        bias ? lib.toTf(tf, bias) : null, activation, format, N));
      const y = lib.tensorOf(yTf);
      yTf.dispose();

      // The tfjs layer agrees with the ops where it is not defective (2-D, no dilation).
      if (N === 2 && format === 'channels_last' && dilation.every((d) => d === 1)) {
        const l = tf.layers.depthwiseConv2d({ kernelSize, strides, padding, depthMultiplier: multiplier,
          dataFormat: 'channelsLast', useBias, activation: 'linear', inputShape: [...input, channels] });
        const fromLayer = tf.tidy(() => {
          const xt = lib.toTf(tf, xLast);
          l.apply(xt);  // builds the weights
          l.setWeights(useBias ? [lib.toTf(tf, kernel), lib.toTf(tf, bias)] : [lib.toTf(tf, kernel)]);
          return l.apply(xt);
        });
        const fromOps = tf.tidy(() => {
          let t = tfjsDepthwise(tf, c, lib.toTf(tf, xLast), lib.toTf(tf, kernel));
          return bias ? tf.add(t, lib.toTf(tf, bias)) : t;
        });
        lib.assertClose(`${name} (tfjs layer vs ops)`, fromLayer, fromOps, 1e-6);
        tf.dispose([fromLayer, fromOps]);
        l.dispose();
      }

      const ref = referenceFinish(referenceDepthwise(c, xLast.data, kernel.data, bias ? bias.data : null),
        activation, format);
      lib.assertClose(name, y, ref, 2e-6);
      const xTensor = format === 'channels_last' ? xLast : referenceToFirst(xLast);
      const xOut = { shape: xTensor.shape, data: Float32Array.from(xTensor.data) };
      if (format === 'channels_first') {
        const xt = tf.tidy(() => tf.transpose(lib.toTf(tf, xLast), perm(N, true)));
        lib.assertClose(`${name} x`, xt, xOut, 0);
        xt.dispose();
      }

      const tensors = { x: xOut, depthwise_kernel: kernel };
      if (bias) tensors.bias = bias;
      tensors.y = y;
      cases.push({
        name, layer,
        options: {
          kernel_size: kernelSize, strides, padding, depth_multiplier: multiplier,
          data_format: format, dilation_rate: dilation, activation, use_bias: useBias,
        },
        tensors,
      });
    }
  }
  return cases;
}
