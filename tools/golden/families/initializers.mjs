// Initializer statistics (docs/semantics.md §9, worked numbers §12.10). tfjs' random generators are
// not ktl's, so values cannot match bit for bit: each case pools `count` values drawn by tfjs from
// `draws` tensors of `shape` (seeds 1..draws) and records their [min, max, mean, std]; the C++
// test draws as many values from ktl and checks the two samples agree within statistical
// tolerances. Every tfjs sample is first checked here against the closed-form §9 numbers
// (`parameter`: the uniform limit or the normal's parameter stddev; `std`: the resulting stddev).
export const file = 'initializers.txt';
export const note = [
  'Statistics only: stats = [min, max, mean, std] of `count` pooled values (population std).',
  'option parameter = closed-form uniform limit / normal parameter stddev of §9; option std = the',
  'resulting standard deviation. tfjs 4.22 defect: its VarianceScaling "normal" (glorotNormal,',
  'heNormal, lecunNormal) lacks Keras 2.2\'s 0.87962566103423978 correction (Keras 2.1 behaviour),',
  'so those cases are drawn with tf.truncatedNormal at the corrected stddev; the uncorrected',
  'tfjs initializers are still drawn and checked to be 0.8796 times narrower. tfjs has no',
  'untruncated_normal: drawn with tf.randomNormal. tfjs 4.22 defect: RandomUniform({minval: 0})',
  'replaces the falsy 0 by its default -0.05 (`args.minval || -0.05`): that case uses',
  'tf.randomUniform directly.',
].join('\n');

const CORRECTION = 0.87962566103423978;
const SAMPLES = 65536;  // per case: mean known to ~0.4% of sigma, std to ~0.3%

const prod = (s) => s.reduce((a, b) => a * b, 1);

// Keras 2.2 _compute_fans, written from docs/semantics.md §9.1.
function fans(shape) {
  if (shape.length === 2) return [shape[0], shape[1]];
  if (shape.length >= 3 && shape.length <= 5) {
    const receptive = prod(shape.slice(0, -2));
    return [shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive];
  }
  const r = Math.sqrt(prod(shape));
  return [r, r];
}

// §9.2: the divisor n and the distribution parameter.
function scaling(shape, scale, mode, distribution) {
  const [fi, fo] = fans(shape);
  const n = Math.max(1, mode === 'fan_in' ? fi : mode === 'fan_out' ? fo : (fi + fo) / 2);
  const s = scale / n;
  if (distribution === 'uniform') return { parameter: Math.sqrt(3 * s), std: Math.sqrt(s) };
  if (distribution === 'truncated_normal')
    return { parameter: Math.sqrt(s) / CORRECTION, std: Math.sqrt(s) };
  return { parameter: Math.sqrt(s), std: Math.sqrt(s) };  // untruncated_normal
}

function statsOf(values) {
  let min = Infinity, max = -Infinity, sum = 0;
  for (const v of values) { min = Math.min(min, v); max = Math.max(max, v); sum += v; }
  const mean = sum / values.length;
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  return { min, max, mean, std: Math.sqrt(ss / values.length) };
}

// Pools draws of make(seed) (a tf.Tensor of `shape`) until SAMPLES values are collected.
function pool(tf, shape, make) {
  const draws = Math.ceil(SAMPLES / prod(shape));
  const values = new Float64Array(draws * prod(shape));
  for (let d = 0; d < draws; ++d) {
    const t = make(d + 1);
    values.set(t.dataSync(), d * prod(shape));
    t.dispose();
  }
  return { draws, values };
}

function check(cond, msg) { if (!cond) throw new Error(`initializers fixture: ${msg}`); }

// Checks a sample against its distribution: mean within 5 standard errors of `mean`, std within
// 5 standard errors (relative error of a sample std <= sqrt((kurtosis - 1) / 4N) <= 1/sqrt(2N)),
// values within [lo, hi] when bounded.
function checkSample(label, s, n, { mean, std, lo = -Infinity, hi = Infinity }) {
  check(Math.abs(s.mean - mean) <= 5 * std / Math.sqrt(n), `${label}: mean ${s.mean} vs ${mean}`);
  check(Math.abs(s.std / std - 1) <= 5 / Math.sqrt(2 * n), `${label}: std ${s.std} vs ${std}`);
  const slack = 1e-6 * Math.max(Math.abs(lo), Math.abs(hi), 1e-30);
  check(s.min >= lo - slack && s.max <= hi + slack, `${label}: [${s.min}, ${s.max}] outside [${lo}, ${hi}]`);
}

// Standard deviation of N(0, sigma^2) truncated to +-2 sigma, relative to sigma.
const TRUNC = CORRECTION;

export async function build(tf) {
  const warn = console.warn;  // silence tfjs' "Orthogonal ... Slowness may result" per draw
  console.warn = () => {};
  try {
    return buildCases(tf);
  } finally {
    console.warn = warn;
  }
}

function buildCases(tf) {
  const cases = [];
  const add = (name, options, shape, make, expect) => {
    const { draws, values } = pool(tf, shape, make);
    const s = statsOf(values);
    checkSample(name, s, values.length, expect);
    cases.push({
      name, layer: 'initializer',
      options: { ...options, shape, draws, count: values.length, std: expect.std },
      tensors: { stats: { shape: [4], data: Float64Array.from([s.min, s.max, s.mean, s.std]) } },
    });
  };

  // Variance-scaling family on the §9.1 kernels and the §12.10 worked numbers.
  const worked = { glorot_uniform: 0.117851, glorot_normal: 0.077353, he_uniform: 0.204124,
                   he_normal: 0.133979, lecun_uniform: 0.144338, lecun_normal: 0.094737 };
  const presets = {
    glorot_uniform: [1, 'fan_avg', 'uniform', 'glorotUniform'],
    glorot_normal: [1, 'fan_avg', 'truncated_normal', 'glorotNormal'],
    he_uniform: [2, 'fan_in', 'uniform', 'heUniform'],
    he_normal: [2, 'fan_in', 'truncated_normal', 'heNormal'],
    lecun_uniform: [1, 'fan_in', 'uniform', 'leCunUniform'],
    lecun_normal: [1, 'fan_in', 'truncated_normal', 'leCunNormal'],
  };
  const tfMode = { fan_in: 'fanIn', fan_out: 'fanOut', fan_avg: 'fanAvg' };
  const scalingCase = (name, initializer, shape, scale, mode, distribution, tfName) => {
    const { parameter, std } = scaling(shape, scale, mode, distribution);
    const options = { initializer, scale, mode, distribution, parameter };
    if (distribution === 'uniform') {
      const make = tfName ? (seed) => tf.initializers[tfName]({ seed }).apply(shape)
        : (seed) => tf.initializers.varianceScaling({ scale, mode: tfMode[mode], distribution: 'uniform', seed }).apply(shape);
      add(name, options, shape, make, { mean: 0, std, lo: -parameter, hi: parameter });
    } else if (distribution === 'truncated_normal') {
      // tfjs' own initializer: uncorrected parameter sqrt(scale/n), resulting std TRUNC times that.
      const tfjsInit = tfName ? (seed) => tf.initializers[tfName]({ seed }).apply(shape)
        : (seed) => tf.initializers.varianceScaling({ scale, mode: tfMode[mode], distribution: 'normal', seed }).apply(shape);
      const raw = pool(tf, shape, tfjsInit);
      const rawStd = std;  // = uncorrected parameter
      checkSample(`${name} (tfjs, uncorrected)`, statsOf(raw.values), raw.values.length,
                  { mean: 0, std: TRUNC * rawStd, lo: -2 * rawStd, hi: 2 * rawStd });
      add(name, options, shape, (seed) => tf.truncatedNormal(shape, 0, parameter, 'float32', seed),
          { mean: 0, std, lo: -2 * parameter, hi: 2 * parameter });
    } else {
      add(name, options, shape, (seed) => tf.randomNormal(shape, 0, parameter, 'float32', seed),
          { mean: 0, std });
    }
    return parameter;
  };

  const conv2d = [3, 3, 16, 32];
  check(fans(conv2d)[0] === 144 && fans(conv2d)[1] === 288, 'fans (3, 3, 16, 32)');
  for (const [init, [scale, mode, dist, tfName]] of Object.entries(presets)) {
    const p = scalingCase(`${init}_conv2d`, init, conv2d, scale, mode, dist, tfName);
    check(Math.abs(p - worked[init]) <= 5e-7, `${init}: parameter ${p} vs §12.10 ${worked[init]}`);
  }
  check(Math.abs(scaling(conv2d, 1, 'fan_avg', 'uniform').std - 0.068041) < 5e-7, 'glorot std');
  // §12.10: DepthwiseConv2D (3, 3, 32, 1) and Conv2DTranspose (3, 3, 64, 32).
  check(Math.abs(scalingCase('glorot_uniform_depthwise', 'glorot_uniform', [3, 3, 32, 1], 1, 'fan_avg',
                             'uniform', 'glorotUniform') - 0.142134) < 5e-7, 'depthwise limit');
  check(Math.abs(scalingCase('glorot_uniform_transpose', 'glorot_uniform', [3, 3, 64, 32], 1, 'fan_avg',
                             'uniform', 'glorotUniform') - 0.083333) < 5e-7, 'transpose limit');
  scalingCase('he_normal_conv1d', 'he_normal', [5, 8, 16], 2, 'fan_in', 'truncated_normal', 'heNormal');
  scalingCase('he_uniform_conv3d', 'he_uniform', [3, 3, 3, 4, 8], 2, 'fan_in', 'uniform', 'heUniform');
  scalingCase('lecun_uniform_pointwise', 'lecun_uniform', [1, 1, 96, 32], 1, 'fan_in', 'uniform', 'leCunUniform');
  scalingCase('glorot_uniform_bias', 'glorot_uniform', [64], 1, 'fan_avg', 'uniform', 'glorotUniform');
  scalingCase('glorot_uniform_dense', 'glorot_uniform', [200, 50], 1, 'fan_avg', 'uniform', 'glorotUniform');
  scalingCase('variance_scaling_fan_out_uniform', 'variance_scaling', [5, 8, 16], 0.5, 'fan_out', 'uniform');
  scalingCase('variance_scaling_fan_avg_normal', 'variance_scaling', [1, 1, 32, 64], 3, 'fan_avg', 'truncated_normal');
  scalingCase('variance_scaling_untruncated', 'variance_scaling', [3, 3, 3, 4, 8], 1.5, 'fan_in', 'untruncated_normal');

  // The others (§9.3).
  const shape = [64, 64];
  add('random_normal_default', { initializer: 'random_normal', mean: 0, stddev: 0.05 }, shape,
      (seed) => tf.initializers.randomNormal({ seed }).apply(shape), { mean: 0, std: 0.05 });
  add('random_normal_shifted', { initializer: 'random_normal', mean: 1, stddev: 2 }, shape,
      (seed) => tf.initializers.randomNormal({ mean: 1, stddev: 2, seed }).apply(shape), { mean: 1, std: 2 });
  add('random_uniform_default', { initializer: 'random_uniform', minval: -0.05, maxval: 0.05 }, shape,
      (seed) => tf.initializers.randomUniform({ seed }).apply(shape),
      { mean: 0, std: 0.1 / Math.sqrt(12), lo: -0.05, hi: 0.05 });
  add('random_uniform_shifted', { initializer: 'random_uniform', minval: 0, maxval: 3 }, shape,
      (seed) => tf.randomUniform(shape, 0, 3, 'float32', seed),
      { mean: 1.5, std: 3 / Math.sqrt(12), lo: 0, hi: 3 });
  add('truncated_normal_default', { initializer: 'truncated_normal', mean: 0, stddev: 0.05 }, shape,
      (seed) => tf.initializers.truncatedNormal({ seed }).apply(shape),
      { mean: 0, std: TRUNC * 0.05, lo: -0.1, hi: 0.1 });
  add('truncated_normal_shifted', { initializer: 'truncated_normal', mean: -1, stddev: 0.5 }, shape,
      (seed) => tf.initializers.truncatedNormal({ mean: -1, stddev: 0.5, seed }).apply(shape),
      { mean: -1, std: TRUNC * 0.5, lo: -2, hi: 0 });

  // Orthogonal: tall, wide and conv-shaped. Elements of an orthonormal (m, k) frame have mean 0 and
  // variance 1/m (each of the k unit columns of length m), times gain^2. Q^T Q = I is checked on
  // one tfjs draw per shape (tfjs' QR runs in float32: tolerance 1e-5).
  for (const [name, s, gain] of [['orthogonal_tall', [64, 32], 1], ['orthogonal_wide', [16, 48], 1],
                                 ['orthogonal_conv2d', [3, 3, 8, 16], 2]]) {
    const rows = prod(s.slice(0, -1)), cols = s[s.length - 1];
    const m = Math.max(rows, cols), k = Math.min(rows, cols);
    const q = tf.initializers.orthogonal({ gain, seed: 7 }).apply(s);
    const flat = q.reshape([rows, cols]);
    const frame = rows >= cols ? tf.matMul(flat, flat, true, false) : tf.matMul(flat, flat, false, true);
    const eye = tf.eye(k).mul(gain * gain);
    const err = tf.max(tf.abs(tf.sub(frame, eye))).dataSync()[0];
    check(err <= 1e-5 * gain * gain, `${name}: tfjs Q^T Q differs from gain^2 I by ${err}`);
    tf.dispose([q, flat, frame, eye]);
    add(name, { initializer: 'orthogonal', gain }, s,
        (seed) => tf.initializers.orthogonal({ gain, seed }).apply(s),
        { mean: 0, std: gain / Math.sqrt(m), lo: -gain, hi: gain });
  }
  return cases;
}
