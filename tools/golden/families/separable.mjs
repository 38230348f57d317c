// SeparableConv1D / SeparableConv2D forward pass (docs/semantics.md §3.1-§3.5, §3.8, §4.4, §4.5):
// every layer x both data formats x valid / same x strides x dilation x depth_multiplier 1-3 x
// every activation x use_bias, plus the edge cases of issue 3. Each case: options filters,
// kernel_size, strides, padding, depth_multiplier, data_format, dilation_rate, activation,
// use_bias; tensors x (in the case's data_format), depthwise_kernel (k.., C, M),
// pointwise_kernel (1.., C*M, filters), bias (if use_bias), y.
import {
  caseFlavour, perm, prod, referenceDepthwise, referenceFinish, referenceToFirst, tfjsFinish,
} from './depthwise.mjs';

export const file = 'separable.txt';
export const note = [
  'SeparableConv1D/2D: y from tfjs-core tf.separableConv2d (depthwise with explicit dilation,',
  'then the 1x1 pointwise) on channels_last data; a channels_first case transposes x in and y out',
  'with tf.transpose, since the tfjs SeparableConv2D layer applies bias and activation on the',
  'wrong axis for channels_first (docs/semantics.md §13.1). SeparableConv1D is not in tfjs: it runs',
  'as tf.separableConv2d over a unit height axis (x expanded to (B, 1, W, C), kernels to',
  '(1, k, C, M) and (1, 1, C*M, F)). For channels_last 2-D cases without dilation the tfjs',
  'SeparableConv2D layer (weights set, linear) is also run and must agree with the ops. Bias:',
  'tf.add; activations: tfjs ops; softmax over the last axis of the final output.',
  'Every case is checked against a plain-JS float64 loop reference written from §3.8 first',
  '(depthwise loop, then the pointwise sum).',
].join('\n');

/// Pointwise step of §3.8 on channels_last z (B, sp..., CM): (B, sp..., F), plus bias[f].
function referencePointwise(z, pointwise, bias, filters) {
  const CM = z.shape[z.shape.length - 1], P = z.data.length / CM;
  const y = new Float64Array(P * filters);
  for (let p = 0; p < P; ++p)
    for (let f = 0; f < filters; ++f) {
      let sum = bias ? bias[f] : 0;
      for (let j = 0; j < CM; ++j) sum += z.data[p * CM + j] * pointwise[j * filters + f];
      y[p * filters + f] = sum;
    }
  return { shape: [...z.shape.slice(0, -1), filters], data: y };
}

function tfjsSeparable(tf, c, xLast, depthwise, pointwise) {
  if (c.kernel.length === 2)
    return tf.separableConv2d(xLast, depthwise, pointwise, c.strides, c.padding, c.dilation, 'NHWC');
  const y4 = tf.separableConv2d(tf.expandDims(xLast, 1), tf.expandDims(depthwise, 0),
    tf.expandDims(pointwise, 0), [1, c.strides[0]], c.padding, [1, c.dilation[0]], 'NHWC');
  return tf.squeeze(y4, [1]);
}

// [name, batch, input, channels, depth_multiplier, filters, kernel, strides, dilation, padding]
const geometries = [
  // SeparableConv1D
  ['valid_k3', 2, [7], 3, 1, 4, [3], [1], [1], 'valid'],
  ['same_k3_m2', 1, [6], 2, 2, 3, [3], [1], [1], 'same'],
  ['same_k4_even_m3', 1, [5], 2, 3, 2, [4], [1], [1], 'same'],
  ['same_s2', 1, [8], 3, 1, 2, [3], [2], [1], 'same'],
  ['valid_s2_m2', 2, [9], 2, 2, 3, [3], [2], [1], 'valid'],
  ['valid_d3', 1, [10], 2, 1, 2, [3], [1], [3], 'valid'],
  ['same_d2_m3', 1, [7], 1, 3, 2, [2], [1], [2], 'same'],
  ['kernel_gt_input_same', 1, [3], 2, 1, 3, [5], [1], [1], 'same'],
  ['output_len1', 1, [4], 2, 2, 2, [4], [1], [1], 'valid'],
  ['stride_gt_kernel_same', 1, [10], 2, 1, 2, [2], [3], [1], 'same'],
  ['single_channel', 3, [5], 1, 1, 1, [3], [1], [1], 'same'],
  ['wide_c17_f5', 1, [12], 17, 1, 5, [3], [1], [1], 'same'],
  // SeparableConv2D
  ['valid_k3', 1, [5, 6], 3, 1, 4, [3, 3], [1, 1], [1, 1], 'valid'],
  ['same_k3_m2', 2, [4, 5], 2, 2, 3, [3, 3], [1, 1], [1, 1], 'same'],
  ['same_k3x2_m3', 1, [5, 4], 2, 3, 2, [3, 2], [1, 1], [1, 1], 'same'],
  ['same_s2', 1, [6, 5], 3, 1, 2, [3, 3], [2, 2], [1, 1], 'same'],
  ['valid_s21_m2', 1, [6, 5], 2, 2, 3, [2, 3], [2, 1], [1, 1], 'valid'],
  ['same_d21', 1, [5, 6], 2, 1, 3, [3, 2], [1, 1], [2, 1], 'same'],
  ['valid_d12_m3', 2, [4, 7], 1, 3, 2, [2, 3], [1, 1], [1, 2], 'valid'],
  ['same_k4_even', 1, [5, 5], 2, 1, 2, [4, 4], [1, 1], [1, 1], 'same'],
  ['kernel_gt_input_same', 1, [2, 3], 2, 1, 2, [4, 5], [1, 1], [1, 1], 'same'],
  ['output_1x1_m2', 2, [3, 3], 2, 2, 3, [3, 3], [1, 1], [1, 1], 'valid'],
  ['stride_gt_kernel_same', 1, [7, 7], 1, 1, 2, [2, 2], [3, 3], [1, 1], 'same'],
  ['single_channel', 3, [4, 4], 1, 1, 1, [3, 3], [1, 1], [1, 1], 'same'],
  ['wide_c18_m2_f6', 1, [2, 11], 18, 2, 6, [3, 3], [1, 1], [1, 1], 'same'],
];

export async function build(tf, lib) {
  const cases = [];
  let serial = 0;
  for (const [gname, batch, input, channels, multiplier, filters, kernelSize, strides, dilation, padding] of geometries) {
    const N = input.length;
    for (const format of ['channels_last', 'channels_first']) {
      const { activation, useBias } = caseFlavour(serial);
      serial += 1;
      const c = { batch, input, channels, multiplier, kernel: kernelSize, strides, dilation, padding };
      const seed = 9000 + serial * 7;
      const CM = channels * multiplier;
      const xLast = lib.randomTensor([batch, ...input, channels], seed);
      const depthwise = lib.randomTensor([...kernelSize, channels, multiplier], seed + 1);
      const pointwise = lib.randomTensor([...Array(N).fill(1), CM, filters], seed + 2);
      const bias = useBias ? lib.randomTensor([filters], seed + 3) : null;
      const layer = `SeparableConv${N}D`;
      const name = `${layer}_${gname}_${format === 'channels_last' ? 'last' : 'first'}_${activation}${useBias ? '' : '_nobias'}`;

      const yTf = tf.tidy(() => tfjsFinish(tf,
        tfjsSeparable(tf, c, lib.toTf(tf, xLast), lib.toTf(tf, depthwise), lib.toTf(tf, pointwise)),
        bias ? lib.toTf(tf, bias) : null, activation, format, N));
      const y = lib.tensorOf(yTf);
      yTf.dispose();

      if (N === 2 && format === 'channels_last' && dilation.every((d) => d === 1)) {
        const l = tf.layers.separableConv2d({ filters, kernelSize, strides, padding,
          depthMultiplier: multiplier, dataFormat: 'channelsLast', useBias, activation: 'linear' });
        const fromLayer = tf.tidy(() => {
          const xt = lib.toTf(tf, xLast);
          l.apply(xt);
          const w = [lib.toTf(tf, depthwise), lib.toTf(tf, pointwise)];
          if (useBias) w.push(lib.toTf(tf, bias));
          l.setWeights(w);
          return l.apply(xt);
        });
        const fromOps = tf.tidy(() => {
          const t = tfjsSeparable(tf, c, lib.toTf(tf, xLast), lib.toTf(tf, depthwise), lib.toTf(tf, pointwise));
          return bias ? tf.add(t, lib.toTf(tf, bias)) : t;
        });
        lib.assertClose(`${name} (tfjs layer vs ops)`, fromLayer, fromOps, 1e-6);
        tf.dispose([fromLayer, fromOps]);
        l.dispose();
      }

      const z = referenceDepthwise(c, xLast.data, depthwise.data, null);
      const ref = referenceFinish(referencePointwise(z, pointwise.data, bias ? bias.data : null, filters),
        activation, format);
      lib.assertClose(name, y, ref, 2e-6);
      if (prod(ref.shape) !== y.data.length) throw new Error(`${name}: size`);
      const xFirst = referenceToFirst(xLast);
      const xOut = format === 'channels_last' ? xLast
        : { shape: xFirst.shape, data: Float32Array.from(xFirst.data) };
      if (format === 'channels_first') {
        const xt = tf.tidy(() => tf.transpose(lib.toTf(tf, xLast), perm(N, true)));
        lib.assertClose(`${name} x`, xt, xOut, 0);
        xt.dispose();
      }

      const tensors = { x: xOut, depthwise_kernel: depthwise, pointwise_kernel: pointwise };
      if (bias) tensors.bias = bias;
      tensors.y = y;
      cases.push({
        name, layer,
        options: {
          filters, kernel_size: kernelSize, strides, padding, depth_multiplier: multiplier,
          data_format: format, dilation_rate: dilation, activation, use_bias: useBias,
        },
        tensors,
      });
    }
  }
  return cases;
}
