// Golden fixtures of the reshaping layers: Cropping1D/2D/3D, ZeroPadding1D/2D/3D,
// UpSampling1D/2D/3D (nearest; bilinear in the legacy and the half-pixel mapping).
// Every case is checked against a plain-loop reference written from docs/semantics.md 4.9-4.12.
export const file = 'resize.txt';
export const note = [
  'Reshaping layers (issue 5). tfjs layers: Cropping2D, ZeroPadding2D, UpSampling2D (nearest and',
  'bilinear; the layer uses the legacy mapping). Built from tfjs ops because tfjs lacks the layer:',
  'Cropping1D/3D = tf.slice, ZeroPadding1D/3D = tf.pad, UpSampling1D/3D = expandDims + tf.tile +',
  'reshape per axis, half-pixel bilinear = tf.image.resizeBilinear(x, size, false, true) (channels_first',
  'through transposes). Options: cropping / padding are the flattened (before, after) pairs per axis;',
  'size one factor per axis; data_format is absent for the 1-D layers. Tensors: x input, y output.',
  'Bilinear outputs come from tfjs, which computes in float64 and rounds once; the float32 evaluation',
  'order of docs/semantics.md 4.11 (emulated here with Math.fround) may differ from it in the last bit.',
].join('\n');

// ---- plain-loop references (docs/semantics.md 4.9-4.12), independent of tfjs -------------------

function strides(shape) {
  const s = new Array(shape.length).fill(1);
  for (let a = shape.length - 2; a >= 0; --a) s[a] = s[a + 1] * shape[a + 1];
  return s;
}

// Spatial axes of a rank-(n+2) tensor in the given format.
function spatialAxes(rank, format) {
  const n = rank - 2;
  return Array.from({ length: n }, (_, a) => (format === 'channels_first' ? 2 + a : 1 + a));
}

// Generic element map: y[idx] = f(idx) over every output index tuple.
function mapOut(outShape, f) {
  const n = outShape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  const idx = new Array(outShape.length).fill(0);
  for (let i = 0; i < n; ++i) {
    data[i] = f(idx);
    for (let a = outShape.length - 1; a >= 0; --a) {
      if (++idx[a] < outShape[a]) break;
      idx[a] = 0;
    }
  }
  return { shape: outShape, data };
}

function at(x, idx) {
  const s = strides(x.shape);
  let o = 0;
  for (let a = 0; a < idx.length; ++a) o += idx[a] * s[a];
  return x.data[o];
}

// pairs: [[before, after], ...] per spatial axis; sign +1 crop, -1 pad.
function refWindow(x, pairs, format, sign) {
  const axes = spatialAxes(x.shape.length, format);
  const out = [...x.shape];
  axes.forEach((ax, a) => { out[ax] = x.shape[ax] - sign * (pairs[a][0] + pairs[a][1]); });
  return mapOut(out, (idx) => {
    const src = [...idx];
    for (let a = 0; a < axes.length; ++a) {
      src[axes[a]] = idx[axes[a]] + sign * pairs[a][0];
      if (src[axes[a]] < 0 || src[axes[a]] >= x.shape[axes[a]]) return 0;
    }
    return at(x, src);
  });
}

function refNearest(x, size, format) {
  const axes = spatialAxes(x.shape.length, format);
  const out = [...x.shape];
  axes.forEach((ax, a) => { out[ax] = x.shape[ax] * size[a]; });
  return mapOut(out, (idx) => {
    const src = [...idx];
    axes.forEach((ax, a) => { src[ax] = Math.floor(idx[ax] / size[a]); });
    return at(x, src);
  });
}

// docs/semantics.md 4.11, every step rounded to float32 as TensorFlow's kernel does.
const f32 = Math.fround;
function axisTable(inLen, outLen, halfPixel) {
  const scale = f32(f32(inLen) / f32(outLen));
  return Array.from({ length: outLen }, (_, o) => {
    const u = halfPixel ? f32(f32(f32(o + 0.5) * scale) - 0.5) : f32(o * scale);
    const i0 = Math.floor(u);
    return { lo: Math.max(i0, 0), hi: Math.min(Math.ceil(u), inLen - 1), a: f32(u - i0) };
  });
}
function lerp(l, r, a) { return f32(l + f32(f32(r - l) * a)); }
function refBilinear(x, size, format, halfPixel) {
  const [ay, ax] = spatialAxes(4, format);
  const out = [...x.shape];
  out[ay] = x.shape[ay] * size[0];
  out[ax] = x.shape[ax] * size[1];
  const ty = axisTable(x.shape[ay], out[ay], halfPixel);
  const tx = axisTable(x.shape[ax], out[ax], halfPixel);
  return mapOut(out, (idx) => {
    const py = ty[idx[ay]], px = tx[idx[ax]];
    const v = (r, c) => { const s = [...idx]; s[ay] = r; s[ax] = c; return at(x, s); };
    const top = lerp(v(py.lo, px.lo), v(py.lo, px.hi), px.a);
    const bottom = lerp(v(py.hi, px.lo), v(py.hi, px.hi), px.a);
    return lerp(top, bottom, py.a);
  });
}

// ---- tfjs computations ------------------------------------------------------------------------

const tfFormat = (f) => (f === 'channels_first' ? 'channelsFirst' : 'channelsLast');

function tfWindow(tf, layer, n, xt, pairs, format) {
  if (n === 2) {
    const opts = { dataFormat: tfFormat(format) };
    return layer === 'Cropping'
      ? tf.layers.cropping2D({ cropping: pairs, ...opts }).apply(xt)
      : tf.layers.zeroPadding2d({ padding: pairs, ...opts }).apply(xt);
  }
  const axes = spatialAxes(n + 2, format);
  if (layer === 'Cropping') {
    const begin = new Array(n + 2).fill(0), size = [...xt.shape];
    axes.forEach((ax, a) => { begin[ax] = pairs[a][0]; size[ax] = xt.shape[ax] - pairs[a][0] - pairs[a][1]; });
    return tf.slice(xt, begin, size);
  }
  const p = Array.from({ length: n + 2 }, () => [0, 0]);
  axes.forEach((ax, a) => { p[ax] = pairs[a]; });
  return tf.pad(xt, p);
}

// Repeats every element of `axis` s times: expandDims + tile + reshape.
function repeatAxis(tf, t, axis, s) {
  const reps = new Array(t.shape.length + 1).fill(1);
  reps[axis + 1] = s;
  const shape = [...t.shape];
  shape[axis] *= s;
  return tf.reshape(tf.tile(tf.expandDims(t, axis + 1), reps), shape);
}

function tfUpsample(tf, n, xt, size, format, interpolation, mapping) {
  if (n === 2 && !(interpolation === 'bilinear' && mapping === 'half_pixel'))
    return tf.layers.upSampling2d({ size, dataFormat: tfFormat(format), interpolation }).apply(xt);
  if (n === 2) {  // half-pixel bilinear: the resize op, channels_first through transposes
    const nhwc = format === 'channels_first' ? tf.transpose(xt, [0, 2, 3, 1]) : xt;
    const [h, w] = [nhwc.shape[1] * size[0], nhwc.shape[2] * size[1]];
    const r = tf.image.resizeBilinear(nhwc, [h, w], false, true);
    return format === 'channels_first' ? tf.transpose(r, [0, 3, 1, 2]) : r;
  }
  let t = xt;
  spatialAxes(n + 2, format).forEach((ax, a) => { t = repeatAxis(tf, t, ax, size[a]); });
  return t;
}

// ---- cases ------------------------------------------------------------------------------------

function shapeOf(n, batch, spatial, channels, format) {
  return format === 'channels_first' ? [batch, channels, ...spatial] : [batch, ...spatial, channels];
}

export async function build(tf, lib) {
  const cases = [];
  let seed = 5000;
  let bilinearValues = 0, bilinearExact = 0;

  const add = (name, layer, options, x, y) => {
    cases.push({ name, layer, options, tensors: { x, y } });
  };

  // Cropping and ZeroPadding, every rank, both formats, symmetric / asymmetric / zero amounts.
  const windowSpecs = {
    1: { sym: [[1, 1]], asym: [[1, 2]], zero: [[0, 0]], spatial: [6] },
    2: { sym: [[1, 1], [1, 1]], asym: [[0, 1], [2, 1]], zero: [[0, 0], [0, 0]], spatial: [5, 6] },
    3: { sym: [[1, 1], [1, 1], [1, 1]], asym: [[1, 0], [0, 2], [2, 1]], zero: [[0, 0], [0, 0], [0, 0]], spatial: [4, 5, 4] },
  };
  for (const layer of ['Cropping', 'ZeroPadding']) {
    for (const n of [1, 2, 3]) {
      const spec = windowSpecs[n];
      const formats = n === 1 ? ['channels_last'] : ['channels_last', 'channels_first'];
      for (const format of formats) {
        for (const kind of ['sym', 'asym', 'zero']) {
          for (const [batch, channels] of [[1, 3], [2, 1]]) {
            const shape = shapeOf(n, batch, spec.spatial, channels, format);
            const x = lib.randomTensor(shape, seed++);
            const pairs = spec[kind];
            const xt = tf.tensor(x.data, x.shape);
            const y = lib.tensorOf(tfWindow(tf, layer, n, xt, pairs, format));
            const ref = refWindow(x, pairs, format, layer === 'Cropping' ? 1 : -1);
            const name = `${layer}${n}D_${format === 'channels_first' ? 'cf' : 'cl'}_${kind}_b${batch}c${channels}`;
            lib.assertClose(name, y, ref, 0);
            const options = { [layer === 'Cropping' ? 'cropping' : 'padding']: pairs };
            if (n > 1) options.data_format = format;
            add(name, `${layer}${n}D`, options, x, y);
          }
        }
      }
    }
  }

  // UpSampling: nearest for every rank, bilinear (both mappings) for 2-D.
  const upSpecs = {
    1: { sizes: [[2], [3], [1]], spatial: [4] },
    2: { sizes: [[2, 2], [2, 3], [3, 1], [1, 1]], spatial: [3, 4] },
    3: { sizes: [[2, 2, 2], [1, 2, 3], [1, 1, 1]], spatial: [2, 3, 2] },
  };
  for (const n of [1, 2, 3]) {
    const spec = upSpecs[n];
    const formats = n === 1 ? ['channels_last'] : ['channels_last', 'channels_first'];
    const modes = n === 2 ? [['nearest', null], ['bilinear', 'legacy'], ['bilinear', 'half_pixel']] : [['nearest', null]];
    for (const format of formats) {
      for (const [interpolation, mapping] of modes) {
        for (const size of spec.sizes) {
          for (const [batch, channels] of [[1, 3], [2, 1]]) {
            const shape = shapeOf(n, batch, spec.spatial, channels, format);
            const x = lib.randomTensor(shape, seed++);
            const xt = tf.tensor(x.data, x.shape);
            const y = lib.tensorOf(tfUpsample(tf, n, xt, size, format, interpolation, mapping));
            const mode = interpolation === 'nearest' ? 'nearest' : mapping;
            const name = `UpSampling${n}D_${format === 'channels_first' ? 'cf' : 'cl'}_${mode}_s${size.join('x')}_b${batch}c${channels}`;
            if (interpolation === 'nearest') {
              lib.assertClose(name, y, refNearest(x, size, format), 0);
            } else {
              const ref = refBilinear(x, size, format, mapping === 'half_pixel');
              lib.assertClose(name, y, ref, 1e-6);
              bilinearValues += y.data.length;
              for (let i = 0; i < y.data.length; ++i) if (y.data[i] === ref.data[i]) ++bilinearExact;
            }
            const options = { size };
            if (n > 1) options.data_format = format;
            if (n === 2) options.interpolation = interpolation;
            if (mapping) options.bilinear_mapping = mapping;
            add(name, `UpSampling${n}D`, options, x, y);
          }
        }
      }
    }
  }

  // docs/semantics.md 12.8 and 12.9 worked examples (channels_last, batch 1, one channel).
  const img = (rows) => ({ shape: [1, rows.length, rows[0].length, 1], data: Float32Array.from(rows.flat()) });
  const worked = [
    ['nearest', null, img([[1, 2], [3, 4]]), [2, 3], [[1, 1, 1, 2, 2, 2], [1, 1, 1, 2, 2, 2], [3, 3, 3, 4, 4, 4], [3, 3, 3, 4, 4, 4]]],
    ['bilinear', 'legacy', img([[1, 2], [3, 4]]), [2, 2], [[1, 1.5, 2, 2], [2, 2.5, 3, 3], [3, 3.5, 4, 4], [3, 3.5, 4, 4]]],
    ['bilinear', 'half_pixel', img([[1, 2], [3, 4]]), [2, 2],
      [[1, 1.25, 1.75, 2], [1.5, 1.75, 2.25, 2.5], [2.5, 2.75, 3.25, 3.5], [3, 3.25, 3.75, 4]]],
    ['bilinear', 'legacy', img([[1, 4]]), [1, 3], [[1, 2, 3, 4, 4, 4]]],
    ['bilinear', 'half_pixel', img([[1, 4]]), [1, 3], [[1, 1, 2, 3, 4, 4]]],
    ['bilinear', 'legacy', img([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), [2, 2], [[1, 1.5, 2, 2.5, 3, 3]]],
    ['bilinear', 'half_pixel', img([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), [2, 2], [[1, 1.25, 1.75, 2.25, 2.75, 3]]],
  ];
  worked.forEach(([interpolation, mapping, x, size, expectRows], k) => {
    const y = lib.tensorOf(tfUpsample(tf, 2, tf.tensor(x.data, x.shape), size, 'channels_last', interpolation, mapping));
    const name = `worked_12_8_${k}_${interpolation === 'nearest' ? 'nearest' : mapping}_s${size.join('x')}`;
    // The document's numbers (first rows only for the 3x3 image), then the independent reference.
    // Bilinear at 1e-6: the document prints rounded values, and float32 order (TensorFlow) and
    // tfjs' float64 differ in the last bit for scale 1/3 (e.g. 3.0000002 versus 3).
    const tol = interpolation === 'nearest' ? 0 : 1e-6;
    const expectFlat = expectRows.flat();
    lib.assertClose(`${name} vs docs/semantics.md 12.8`, y.data.slice(0, expectFlat.length), expectFlat, tol);
    const ref = interpolation === 'nearest' ? refNearest(x, size, 'channels_last')
      : refBilinear(x, size, 'channels_last', mapping === 'half_pixel');
    lib.assertClose(name, y, ref, tol);
    const options = { size, data_format: 'channels_last', interpolation };
    if (mapping) options.bilinear_mapping = mapping;
    add(name, 'UpSampling2D', options, x, y);
  });
  {
    const x = { shape: [1, 5, 1], data: Float32Array.from([1, 2, 3, 4, 5]) };
    const c = lib.tensorOf(tfWindow(tf, 'Cropping', 1, tf.tensor(x.data, x.shape), [[1, 2]], 'channels_last'));
    lib.assertClose('worked_12_9 Cropping1D', c.data, [2, 3], 0);
    add('worked_12_9_Cropping1D', 'Cropping1D', { cropping: [[1, 2]] }, x, c);
    const p = lib.tensorOf(tfWindow(tf, 'ZeroPadding', 1, tf.tensor(x.data, x.shape), [[2, 1]], 'channels_last'));
    lib.assertClose('worked_12_9 ZeroPadding1D', p.data, [0, 0, 1, 2, 3, 4, 5, 0], 0);
    add('worked_12_9_ZeroPadding1D', 'ZeroPadding1D', { padding: [[2, 1]] }, x, p);
    const x2 = img([[1, 2], [3, 4]]);
    const c2 = lib.tensorOf(tfWindow(tf, 'Cropping', 2, tf.tensor(x2.data, x2.shape), [[0, 1], [1, 0]], 'channels_last'));
    lib.assertClose('worked_12_9 Cropping2D', c2.data, [2], 0);
    add('worked_12_9_Cropping2D', 'Cropping2D', { cropping: [[0, 1], [1, 0]], data_format: 'channels_last' }, x2, c2);
  }
  console.log(`resize: bilinear float32-order reference equals tfjs bit for bit on ${bilinearExact} of ${bilinearValues} values`);
  return cases;
}
