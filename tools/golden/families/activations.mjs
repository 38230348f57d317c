// Activations (keras-semantics §8, worked numbers §12.10): every Keras 2.2.4 activation on edge
// values and random values, the general relu(alpha, max_value, threshold), and softmax over the
// last axis of rank-2, -3 and -4 tensors. Each case: option activation (Keras name) [+ alpha,
// max_value, threshold for relu, alpha for elu], tensors x (input) and y (expected output).
export const file = 'activations.txt';
export const note = [
  'Activations: tfjs ops and tf.layers activations compute y; a plain-JS formula from',
  'keras-semantics §8 (float64, rounded to float32) checks every value before writing.',
  'Built from tfjs ops where tfjs lacks the function: exponential (tf.exp; tfjs-layers has no',
  '"exponential"), hard_sigmoid_keras3 (relu6(x + 3) / 6), elu with alpha != 1 (where/expm1),',
  'and relu with alpha / max_value / threshold (following Keras 2.2.4\'s TF backend: leakyRelu,',
  'relu, relu6, x * (x > threshold), clipByValue, minus alpha * relu(threshold - x)).',
  'relu_nonfinite*: NaN and +-inf inputs; NaN stays NaN in every variant, as in TensorFlow.',
].join('\n');

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

// The independent reference: one float64 formula per activation, straight from §8.
const reference = {
  linear: (x) => x,
  relu: (x) => Math.max(x, 0),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  hard_sigmoid: (x) => Math.min(Math.max(0.2 * x + 0.5, 0), 1),
  hard_sigmoid_keras3: (x) => Math.min(Math.max(x / 6 + 0.5, 0), 1),
  tanh: (x) => Math.tanh(x),
  elu: (x, alpha = 1) => (x > 0 ? x : alpha * Math.expm1(x)),
  selu: (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)),
  softplus: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
  softsign: (x) => x / (Math.abs(x) + 1),
  exponential: (x) => Math.exp(x),
};

// Keras 2.2.4's general relu, written from §8's rules (not from the tfjs graph below). NaN
// propagates through every branch (Math.max/min keep it; NaN * 0 is NaN), as in TensorFlow.
function referenceRelu(x, alpha, maxValue, threshold) {
  if (alpha !== 0 && maxValue === null && threshold === 0) return x >= 0 ? x : alpha * x;
  let r = threshold !== 0 ? x * (x > threshold ? 1 : 0) : Math.max(x, 0);
  if (maxValue !== null) r = Math.min(Math.max(r, 0), maxValue);
  if (alpha !== 0) r -= alpha * Math.max(threshold - x, 0);
  return r;
}

function referenceSoftmax(t) {
  const len = t.shape[t.shape.length - 1];
  const out = new Float64Array(t.data.length);
  for (let r = 0; r < t.data.length / len; ++r) {
    const row = Array.from(t.data.slice(r * len, (r + 1) * len));
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    e.forEach((v, i) => { out[r * len + i] = v / s; });
  }
  return { shape: t.shape, data: out };
}

const map = (t, f) => ({ shape: t.shape, data: Float64Array.from(t.data, (v) => Math.fround(f(v))) });

// Relu built from tfjs ops exactly as Keras 2.2.4's TF backend composes it.
function tfjsRelu(tf, x, alpha, maxValue, threshold) {
  if (alpha !== 0 && maxValue === null && threshold === 0) return tf.leakyRelu(x, alpha);
  let negativePart = null;
  if (alpha !== 0) negativePart = tf.relu(tf.add(tf.neg(x), threshold));
  let clipMax = maxValue !== null;
  let y;
  if (threshold !== 0) y = tf.mul(x, tf.cast(tf.greater(x, threshold), 'float32'));
  else if (maxValue === 6) { y = tf.relu6(x); clipMax = false; }
  else y = tf.relu(x);
  if (clipMax) y = tf.clipByValue(y, 0, maxValue);
  if (alpha !== 0) y = tf.sub(y, tf.mul(alpha, negativePart));
  return y;
}

export async function build(tf, lib) {
  const cases = [];
  const add = (name, options, x, y) => cases.push({ name, layer: 'Activation', options, tensors: { x, y } });

  // 72 values (in ktl one 64-value block plus a tail): edges (0, +-tiny, the hard_sigmoid knees
  // +-2.5 / +-3, relu thresholds, large +-x where exp overflows float32), then uniform [-8, 8).
  const edges = [0, -0, 1e-4, -1e-4, 0.5, -0.5, 1, -1, 1.5, -1.5, 2.5, -2.5, 2.8, -2.8, 3, -3,
                 6, -6, 10, -10, 20, -20, 50, -50, 88, -88, 100, -100];
  const random = lib.randomTensor([72 - edges.length], 101, { lo: -8, hi: 8 });
  const x = { shape: [8, 9], data: Float32Array.from([...edges, ...random.data]) };
  const xt = lib.toTf(tf, x);

  const layerActivation = (name) => tf.layers.activation({ activation: name }).apply(xt);
  const tfjsOf = {
    linear: () => layerActivation('linear'),
    relu: () => tf.relu(xt),
    sigmoid: () => tf.sigmoid(xt),
    hard_sigmoid: () => layerActivation('hardSigmoid'),
    hard_sigmoid_keras3: () => tf.div(tf.relu6(tf.add(xt, 3)), 6),
    tanh: () => tf.tanh(xt),
    elu: () => tf.elu(xt),
    selu: () => tf.selu(xt),
    softplus: () => tf.softplus(xt),
    softsign: () => layerActivation('softsign'),
    exponential: () => tf.exp(xt),
  };
  for (const [name, f] of Object.entries(tfjsOf)) {
    const y = lib.tensorOf(f());
    lib.assertClose(name, y, map(x, reference[name]), 1e-6);
    add(name, { activation: name }, x, y);
  }

  // elu with a non-default alpha (the tfjs ELU layer supports only alpha = 1).
  for (const alpha of [0.5, 2]) {
    const y = lib.tensorOf(tf.where(tf.greater(xt, 0), xt, tf.mul(alpha, tf.expm1(xt))));
    lib.assertClose(`elu alpha ${alpha}`, y, map(x, (v) => reference.elu(v, alpha)), 1e-6);
    add(`elu_alpha_${String(alpha).replace('.', 'p')}`, { activation: 'elu', alpha }, x, y);
  }

  // relu(x, alpha, max_value, threshold): every combination Keras' backend branches on.
  const reluCombos = [
    [0.1, null, 0], [0, 6, 0], [0, 1.5, 0], [0, null, 0.5], [0, null, -0.5],
    [0.1, 1.5, 0], [0.2, null, 0.5], [0, 6, 1], [0.3, 6, 1], [0.1, 2, -0.5], [1.5, null, 0],
  ];
  for (const [alpha, maxValue, threshold] of reluCombos) {
    const y = lib.tensorOf(tfjsRelu(tf, xt, alpha, maxValue, threshold));
    const label = `relu alpha ${alpha} max_value ${maxValue} threshold ${threshold}`;
    lib.assertClose(label, y, map(x, (v) => referenceRelu(v, alpha, maxValue, threshold)), 1e-6);
    const tag = (v) => String(v).replace('-', 'm').replace('.', 'p');
    add(`relu_alpha_${tag(alpha)}_max_${maxValue === null ? 'none' : tag(maxValue)}_threshold_${tag(threshold)}`,
        { activation: 'relu', alpha, max_value: maxValue, threshold }, x, y);
  }

  // Non-finite inputs through plain relu and every combination above: TensorFlow's CPU kernels
  // keep NaN (relu and relu6 are Eigen's NaN-propagating max/min, clip_by_value likewise,
  // leaky_relu gives alpha * NaN, and x * (x > threshold) gives NaN * 0), and so does tfjs.
  // -inf with a threshold is -inf * 0 = NaN.
  const special = { shape: [2, 4], data: Float32Array.from([NaN, Infinity, -Infinity, 0, -1, 1, 0.5, 7]) };
  const st = lib.toTf(tf, special);
  {
    const y = lib.tensorOf(tf.relu(st));
    lib.assertClose('relu nonfinite', y, map(special, reference.relu), 0);
    add('relu_nonfinite', { activation: 'relu' }, special, y);
  }
  for (const [alpha, maxValue, threshold] of reluCombos) {
    const y = lib.tensorOf(tfjsRelu(tf, st, alpha, maxValue, threshold));
    const label = `relu nonfinite alpha ${alpha} max_value ${maxValue} threshold ${threshold}`;
    lib.assertClose(label, y, map(special, (v) => referenceRelu(v, alpha, maxValue, threshold)), 1e-6);
    const tag = (v) => String(v).replace('-', 'm').replace('.', 'p');
    add(`relu_nonfinite_alpha_${tag(alpha)}_max_${maxValue === null ? 'none' : tag(maxValue)}_threshold_${tag(threshold)}`,
        { activation: 'relu', alpha, max_value: maxValue, threshold }, special, y);
  }

  // softmax over the last axis: rank 2 (with huge, equal and very spread rows), 3 and 4.
  const rank2 = { shape: [4, 6], data: Float32Array.from([
    1000, 1001, 1002, 1003, 1004, 1005, 7, 7, 7, 7, 7, 7, -50, 50, 0, 1, -1, 2,
    ...lib.randomTensor([6], 102, { lo: -5, hi: 5 }).data]) };
  const softmaxInputs = {
    softmax_rank2: rank2,
    softmax_rank3: lib.randomTensor([3, 2, 7], 103, { lo: -5, hi: 5 }),
    softmax_rank4: lib.randomTensor([2, 3, 4, 5], 104, { lo: -5, hi: 5 }),
  };
  for (const [name, input] of Object.entries(softmaxInputs)) {
    const y = lib.tensorOf(tf.softmax(lib.toTf(tf, input)));
    lib.assertClose(name, y, referenceSoftmax(input), 1e-6);
    add(name, { activation: 'softmax' }, input, y);
  }

  // §12.10's worked numbers, also asserted against the numbers printed there.
  const worked = (name, activation, values, printed, compute) => {
    const input = { shape: [1, values.length], data: Float32Array.from(values) };
    const y = lib.tensorOf(compute(lib.toTf(tf, input)));
    lib.assertClose(`${name} vs keras-semantics §12.10`, y.data, printed, 1e-6);
    add(name, { activation }, input, y);
  };
  const knees = [-2.5, -1, 0, 1, 2.5, 2.8];
  worked('worked_hard_sigmoid', 'hard_sigmoid', knees, [0, 0.3, 0.5, 0.7, 1, 1],
         (t) => tf.layers.activation({ activation: 'hardSigmoid' }).apply(t));
  worked('worked_hard_sigmoid_keras3', 'hard_sigmoid_keras3', knees,
         [0.083333, 0.333333, 0.5, 0.666667, 0.916667, 0.966667],
         (t) => tf.div(tf.relu6(tf.add(t, 3)), 6));
  worked('worked_elu', 'elu', [-1], [-0.6321206], (t) => tf.elu(t));
  worked('worked_selu', 'selu', [-1, 0.5], [-1.1113307, 0.5253505], (t) => tf.selu(t));
  worked('worked_softplus', 'softplus', [-1, 0.5], [0.3132617, 0.9740770], (t) => tf.softplus(t));
  worked('worked_softsign', 'softsign', [-1, 0.5], [-0.5, 0.3333333],
         (t) => tf.layers.activation({ activation: 'softsign' }).apply(t));
  worked('worked_sigmoid', 'sigmoid', [-1, 0.5], [0.2689414, 0.6224593], (t) => tf.sigmoid(t));
  worked('worked_softmax', 'softmax', [1, 2, 3], [0.0900306, 0.2447285, 0.6652410], (t) => tf.softmax(t));
  return cases;
}
