// Up-sampling kernels (keras.layers.UpSampling1D/2D/3D) on channels_last boxes: nearest
// repetition (each output row is produced once and memcpy'd to its repeats) and 2-D bilinear
// resizing in TensorFlow's two mappings (legacy and half-pixel) with its exact float32 order.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <cstdint>
#include <type_traits>

#include <ktl/core/tensor.hpp>
#include <ktl/core/parallel.hpp>
#include <ktl/core/workspace.hpp>
#include <ktl/kernels/pad_crop.hpp>

namespace ktl::kernels {

namespace detail {

/// y[0 .. s*len) = each of x[0 .. len) repeated s times (channel vectors of length C).
template <typename T>
void repeat_vectors(const T* x, T* y, Index len, Index C, Index s) {
  if (C == 1 && s == 2) {  // channels_first planes, factor 2: an interleave the compiler vectorises
    for (Index w = 0; w < len; ++w) {
      const T v = x[w];
      y[2 * w] = v;
      y[2 * w + 1] = v;
    }
    return;
  }
  if (C == 1) {
    for (Index w = 0; w < len; ++w)
      for (Index r = 0; r < s; ++r) y[w * s + r] = x[w];
    return;
  }
  for (Index w = 0; w < len; ++w) {
    const T* src = x + w * C;
    for (Index r = 0; r < s; ++r) copy_elements(y + (w * s + r) * C, src, C);
  }
}

}  // namespace detail

/// Nearest up-sampling (exact repetition, TensorFlow's repeat_elements):
/// y[b, o..., c] = x[b, floor(o / size)..., c]. x: (batch, in..., channels),
/// y: (batch, in*size..., channels). Axes with size 1 are folded away; then each output row
/// (last spatial axis, channels included) is produced once from its input row by replicating
/// channel vectors, and copied with memcpy to the prod(size of the other axes) - 1 rows that
/// repeat it. Fixed tasks of input rows (or row segments): identical for any thread count.
template <typename T, int N>
void upsample_nearest(const T* x, T* y, Index batch, const std::array<Index, static_cast<std::size_t>(N)>& in,
                      Index channels, const std::array<Index, static_cast<std::size_t>(N)>& size,
                      const ThreadPool& pool) {
  static_assert(std::is_trivially_copyable_v<T>, "ktl::kernels::upsample_nearest: T must be trivially copyable");
  static_assert(N >= 1 && N <= 3, "ktl::kernels::upsample_nearest: N is the spatial rank; use 1, 2 or 3");
  using detail::u;
  using detail::copy_elements;
  // Fold size-1 axes: trailing ones into the channels, leading ones into the batch.
  int n = N;
  std::array<Index, 3> ext{}, fac{};
  for (int a = 0; a < N; ++a) {
    ext[u(a)] = in[u(a)];
    fac[u(a)] = size[u(a)];
  }
  Index B = batch, C = channels;
  while (n > 0 && fac[u(n - 1)] == 1) C *= ext[u(--n)];
  while (n > 0 && fac[0] == 1) {
    B *= ext[0];
    for (int a = 1; a < n; ++a) {
      ext[u(a - 1)] = ext[u(a)];
      fac[u(a - 1)] = fac[u(a)];
    }
    --n;
  }
  if (n == 0) {  // every size is 1: a copy
    copy_window<T, 0>(x, y, B * C, {}, 1, {}, {}, pool);
    return;
  }
  const int last = n - 1;
  const Index W = ext[u(last)], S = fac[u(last)];
  const Index in_row = W * C, out_row = W * S * C;
  Index rows = B, reps = 1;  // input rows, and output rows repeating each
  for (int a = 0; a < last; ++a) {
    rows *= ext[u(a)];
    reps *= fac[u(a)];
  }
  // Output row index (in units of output rows) of the first repeat of input row r, and the
  // distance between consecutive repeats of each outer axis.
  auto first_out_row = [&](Index r) {
    Index o = 0, stride = 1;
    for (int a = last - 1; a >= 0; --a) {
      const Index i = r % ext[u(a)];
      r /= ext[u(a)];
      o += i * fac[u(a)] * stride;
      stride *= ext[u(a)] * fac[u(a)];
    }
    return o + r * stride;
  };
  // Copies output row segment [s0, s1) of the first repeat to the other repeats.
  auto replicate = [&](T* first, Index s0, Index s1) {
    if (reps == 1) return;
    std::array<Index, 3> k{};  // repeat counter per outer axis (odometer, last axis fastest)
    for (Index rep = 1; rep < reps; ++rep) {
      for (int a = last - 1; a >= 0; --a) {
        if (++k[u(a)] < fac[u(a)]) break;
        k[u(a)] = 0;
      }
      // Row distance of this repeat from the first: sum of k[a] * (output rows per step of a).
      Index d = 0, step = 1;
      for (int a = last - 1; a >= 0; --a) {
        d += k[u(a)] * step;
        step *= ext[u(a)] * fac[u(a)];
      }
      copy_elements(first + d * out_row + s0, first + s0, s1 - s0);
    }
  };
  if (last == 2) {
    // Three spatial axes: one task per (batch, input slice). The output slice of the first
    // repeat is written row by row (each row followed by its row repeats, adjacent in memory),
    // then copied whole to the slices that repeat it, so every write stream is sequential.
    const Index slice_rows = ext[1] * fac[1];
    const Index slice = slice_rows * out_row;
    pool.parallel_for(B * ext[0], [&](Index t) {
      T* first = y + t * fac[0] * slice;
      for (Index i1 = 0; i1 < ext[1]; ++i1) {
        T* row = first + i1 * fac[1] * out_row;
        detail::repeat_vectors(x + (t * ext[1] + i1) * in_row, row, W, C, S);
        for (Index k = 1; k < fac[1]; ++k) copy_elements(row + k * out_row, row, out_row);
      }
      for (Index k = 1; k < fac[0]; ++k) copy_elements(first + k * slice, first, slice);
    });
    return;
  }
  const Index unit = S * C * reps;  // output elements written per input position of a row
  const Index per_task = std::max<Index>(1, copy_chunk_elements / unit);
  if (W > per_task) {  // long rows: tasks are fixed segments of one row
    const Index segments = (W + per_task - 1) / per_task;
    pool.parallel_for(rows * segments, [&](Index t) {
      const Index r = t / segments, w0 = (t % segments) * per_task, w1 = std::min(W, w0 + per_task);
      T* first = y + first_out_row(r) * out_row;
      detail::repeat_vectors(x + r * in_row + w0 * C, first + w0 * S * C, w1 - w0, C, S);
      replicate(first, w0 * S * C, w1 * S * C);
    });
    return;
  }
  const Index rows_per_task = std::max<Index>(1, per_task / W);
  const Index inner = last > 0 ? ext[u(last - 1)] : 1;       // input rows per innermost step
  const Index inner_step = last > 0 ? fac[u(last - 1)] : 1;  // output rows between them
  pool.parallel_for((rows + rows_per_task - 1) / rows_per_task, [&](Index t) {
    const Index r0 = t * rows_per_task, r1 = std::min(rows, r0 + rows_per_task);
    // Consecutive input rows of one innermost run are inner_step output rows apart: the
    // division-heavy first_out_row is evaluated once per run, not once per row.
    Index r = r0;
    while (r < r1) {
      const Index in_run = r % inner, count = std::min(r1 - r, inner - in_run);
      Index first_row = first_out_row(r);
      for (Index k = 0; k < count; ++k, ++r, first_row += inner_step) {
        T* first = y + first_row * out_row;
        detail::repeat_vectors(x + r * in_row, first, W, C, S);
        replicate(first, Index{0}, out_row);
      }
    }
  });
}


// ---------------------------------------------------------------------------------------------
// Bilinear (UpSampling2D(interpolation='bilinear')): TensorFlow's resize_bilinear with
// align_corners=False, in the legacy (half_pixel_centers=False, Keras 2.2) or the half-pixel
// mapping (tf.keras 2.x, Keras 3). Per axis, in float32:
//   scale = float(L_in) / float(L_out)
//   u = float(o) * scale  (legacy)  or  (float(o) + 0.5f) * scale - 0.5f  (half-pixel)
//   i0 = floor(u), lo = max(i0, 0), hi = min(ceil(u), L_in - 1), a = u - i0
// and per output pixel, in this order:
//   top = X[lo_y, lo_x] + (X[lo_y, hi_x] - X[lo_y, lo_x]) * a_x
//   bottom = X[hi_y, lo_x] + (X[hi_y, hi_x] - X[hi_y, lo_x]) * a_x
//   out = top + (bottom - top) * a_y
//
// Output rows are produced in pairs that read at most two input rows (rows 2j and 2j+1 of the
// legacy factor-2 mapping, rows 2j-1 and 2j of the half-pixel one), with a single row where the
// next one needs a third input row. Two ways to get the horizontal values of those input rows:
// - Fused rows (FusedRows): for each output column, the horizontal values of both input rows
//   are computed in registers and both output rows written at once. Nothing is staged and the
//   input is read while the output is written; each input row's horizontal pass is computed
//   twice (for the pair above and the pair below). channels_last data is vectorised over the
//   channels, one-channel rows (channels_first data) over their periodic columns.
// - Plane mode (InterpolatedRows), for one-channel images with out_w = 2 * in_w and an output
//   that stays in cache: the rows of a 16-row block are interpolated horizontally once, in one
//   flat loop, and the block's vertical pass reads them back from L1. A quarter less
//   arithmetic, and no loop overhead per short row, which is what limits cached outputs.
// Either way every output value is written exactly once, with no staging copy.
//
// Bit-exactness: every rounding step must happen as written. GCC contracts a * b + c into an
// FMA when compiling for FMA hardware in its default GNU mode (-ffp-contract=fast), which
// changes the last bit; the arithmetic functions below therefore carry
// optimize("fp-contract=off") on GCC. Clang and MSVC contract at most inside one expression by
// default, and every product here is a separate statement. For double tensors the positions
// and weights are still computed in float32 (as TensorFlow does) and the blend in double.
// ---------------------------------------------------------------------------------------------

#if defined(__GNUC__) && !defined(__clang__)
#define KTL_DETAIL_NO_FP_CONTRACT [[gnu::optimize("fp-contract=off")]]
#else
#define KTL_DETAIL_NO_FP_CONTRACT
#endif

/// Output bytes up to which upsample_bilinear counts on the output staying in the last-level
/// cache (see detail::bilinear_plane_mode).
inline constexpr std::size_t bilinear_cache_bytes = std::size_t{16} << 20;

namespace detail {

/// (lo, hi, a) of every output position of one axis.
template <typename T>
KTL_DETAIL_NO_FP_CONTRACT void bilinear_axis(Index in, Index out, bool half_pixel, Index* lo, Index* hi, T* a) {
  const float scale = static_cast<float>(in) / static_cast<float>(out);
  for (Index o = 0; o < out; ++o) {
    float pos;
    if (half_pixel) {
      const float centre = static_cast<float>(o) + 0.5f;
      const float scaled = centre * scale;
      pos = scaled - 0.5f;
    } else {
      pos = static_cast<float>(o) * scale;
    }
    const float i0 = std::floor(pos);
    lo[o] = std::max<Index>(static_cast<Index>(i0), 0);
    hi[o] = std::min<Index>(static_cast<Index>(std::ceil(pos)), in - 1);
    const float frac = pos - i0;
    a[o] = static_cast<T>(frac);
  }
}

/// TensorFlow's interpolation step, rounded as written: l + (r - l) * w.
template <typename T>
KTL_DETAIL_NO_FP_CONTRACT inline T interp(T l, T r, T w) {
  const T d = r - l, p = d * w;
  return l + p;
}

/// The periodic interior of the column table of one-channel rows (channels_first planes) when
/// out = 2 * in: outputs 2j and 2j+1 read x[j + dlo[r]] and x[j + dhi[r]] with weight w[r]
/// (r = 0, 1) for every j in [j0, j1), so that stretch needs no index tables (and vectorises).
template <typename T>
struct ColumnPhases {
  bool periodic = false;  // false: use the tables everywhere
  Index j0 = 0, j1 = 0;
  std::array<Index, 2> dlo{}, dhi{};
  std::array<T, 2> w{};
};

template <typename T>
ColumnPhases<T> find_column_phases(Index in, Index out, const Index* lo, const Index* hi, const T* a) {
  ColumnPhases<T> p;
  if (in < 3 || out != 2 * in) return p;
  const Index jr = in / 2;
  for (Index r = 0; r < 2; ++r) {
    p.dlo[u(r)] = lo[2 * jr + r] - jr;
    p.dhi[u(r)] = hi[2 * jr + r] - jr;
    p.w[u(r)] = a[2 * jr + r];
  }
  auto regular = [&](Index j) {
    for (Index r = 0; r < 2; ++r) {
      const Index o = 2 * j + r;
      if (lo[o] - j != p.dlo[u(r)] || hi[o] - j != p.dhi[u(r)] || !(a[o] == p.w[u(r)])) return false;
    }
    return true;
  };
  Index j0 = jr, j1 = jr + 1;
  while (j0 > 0 && regular(j0 - 1)) --j0;
  while (j1 < in && regular(j1)) ++j1;
  p.periodic = true;
  p.j0 = j0;
  p.j1 = j1;
  return p;
}

/// Geometry and tables of one bilinear call, shared by its tasks.
template <typename T>
struct BilinearPlan {
  Index in_w, out_w, C;
  const Index *lo_y, *hi_y, *lo_x, *hi_x;
  const T *a_y, *a_x;
  ColumnPhases<T> phases;  // for C == 1
};

/// Output columns [ob, oe) of an output row pair from input rows `ra` and `ro`, from the column
/// tables: y0 = interp(h(ra), h(B0 ? ra : ro), w0) and y1 = interp(h(T1 ? ra : ro), h(B1 ? ra : ro), w1),
/// h being the horizontal pass at each output column. The row choices are template parameters
/// so that each combination is a plain loop.
template <typename T, bool B0, bool T1, bool B1>
KTL_DETAIL_NO_FP_CONTRACT void bilinear_pair_columns(const BilinearPlan<T>& p, const T* __restrict ra,
                                                     const T* __restrict ro, T* __restrict y0,
                                                     T* __restrict y1, T w0, T w1, Index ob, Index oe) {
  const Index C = p.C;
  for (Index o = ob; o < oe; ++o) {
    const Index l = p.lo_x[o] * C, h = p.hi_x[o] * C;
    const T w = p.a_x[o];
    T* d0 = y0 + o * C;
    T* d1 = y1 + o * C;
    for (Index c = 0; c < C; ++c) {
      const T ha = interp(ra[l + c], ra[h + c], w), ho = interp(ro[l + c], ro[h + c], w);
      d0[c] = interp(ha, B0 ? ha : ho, w0);
      d1[c] = interp(T1 ? ha : ho, B1 ? ha : ho, w1);
    }
  }
}

/// One output row from input rows `rt` (top) and `rb` (bottom): y = interp(h(rt), h(rb), w).
template <typename T>
KTL_DETAIL_NO_FP_CONTRACT void bilinear_row_columns(const BilinearPlan<T>& p, const T* rt, const T* rb, T* y,
                                                    T w) {
  const Index C = p.C;
  for (Index o = 0; o < p.out_w; ++o) {
    const Index l = p.lo_x[o] * C, h = p.hi_x[o] * C;
    const T wx = p.a_x[o];
    T* d = y + o * C;
    for (Index c = 0; c < C; ++c) d[c] = interp(interp(rt[l + c], rt[h + c], wx), interp(rb[l + c], rb[h + c], wx), w);
  }
}

/// Output columns [2 * ph.j0, 2 * ph.j1) of an output row pair from one-channel input rows with
/// periodic columns: bilinear_pair_columns without the tables.
template <typename T, bool B0, bool T1, bool B1>
KTL_DETAIL_NO_FP_CONTRACT void bilinear_pair_periodic(const ColumnPhases<T>& ph, const T* __restrict ra,
                                                      const T* __restrict ro, T* __restrict y0,
                                                      T* __restrict y1, T w0, T w1) {
  const T* a0 = ra + ph.dlo[0];
  const T* a1 = ra + ph.dhi[0];
  const T* a2 = ra + ph.dlo[1];
  const T* a3 = ra + ph.dhi[1];
  const T* o0 = ro + ph.dlo[0];
  const T* o1 = ro + ph.dhi[0];
  const T* o2 = ro + ph.dlo[1];
  const T* o3 = ro + ph.dhi[1];
  const T v0 = ph.w[0], v1 = ph.w[1];
  for (Index j = ph.j0; j < ph.j1; ++j) {
    const T ha0 = interp(a0[j], a1[j], v0), ha1 = interp(a2[j], a3[j], v1);
    const T ho0 = interp(o0[j], o1[j], v0), ho1 = interp(o2[j], o3[j], v1);
    y0[2 * j] = interp(ha0, B0 ? ha0 : ho0, w0);
    y0[2 * j + 1] = interp(ha1, B0 ? ha1 : ho1, w0);
    y1[2 * j] = interp(T1 ? ha0 : ho0, B1 ? ha0 : ho0, w1);
    y1[2 * j + 1] = interp(T1 ? ha1 : ho1, B1 ? ha1 : ho1, w1);
  }
}

/// Output rows straight from the input image: each output row (pair) runs its own horizontal
/// passes, in registers. For channels_last data (vectorised over the channels), and for
/// one-channel rows outside plane mode (vectorised over the periodic columns, if any).
template <typename T>
struct FusedRows {
  const BilinearPlan<T>& p;
  const T* x;  // the image

  template <bool B0, bool T1, bool B1>
  void pair(Index a, Index o, T* y0, T* y1, T w0, T w1) const {
    const Index in_row = p.in_w * p.C;
    const T* ra = x + a * in_row;
    const T* ro = x + o * in_row;
    const ColumnPhases<T>& ph = p.phases;
    if (p.C != 1 || !ph.periodic) {
      bilinear_pair_columns<T, B0, T1, B1>(p, ra, ro, y0, y1, w0, w1, 0, p.out_w);
      return;
    }
    bilinear_pair_columns<T, B0, T1, B1>(p, ra, ro, y0, y1, w0, w1, 0, 2 * ph.j0);
    bilinear_pair_periodic<T, B0, T1, B1>(ph, ra, ro, y0, y1, w0, w1);
    bilinear_pair_columns<T, B0, T1, B1>(p, ra, ro, y0, y1, w0, w1, 2 * ph.j1, p.out_w);
  }
  void row(Index a, Index b, T* y, T w) const {
    const Index in_row = p.in_w * p.C;
    bilinear_row_columns(p, x + a * in_row, x + b * in_row, y, w);
  }
};

/// h[2j] = interp(x[j + L0], x[j + H0], v0), h[2j + 1] = interp(x[j + L1], x[j + H1], v1) for j
/// in [jb, je): the periodic columns with the offsets known to the compiler (two loads fewer
/// than with run-time offsets in the mappings' patterns).
template <typename T, int L0, int H0, int L1, int H1>
KTL_DETAIL_NO_FP_CONTRACT void bilinear_periodic_columns(const T* __restrict x, T* __restrict h, Index jb, Index je,
                                                         T v0, T v1) {
  for (Index j = jb; j < je; ++j) {
    h[2 * j] = interp(x[j + L0], x[j + H0], v0);
    h[2 * j + 1] = interp(x[j + L1], x[j + H1], v1);
  }
}

/// The same with run-time offsets.
template <typename T>
KTL_DETAIL_NO_FP_CONTRACT void bilinear_periodic_columns(const ColumnPhases<T>& ph, const T* __restrict x,
                                                         T* __restrict h, Index jb, Index je) {
  const T* x0 = x + ph.dlo[0];
  const T* x1 = x + ph.dhi[0];
  const T* x2 = x + ph.dlo[1];
  const T* x3 = x + ph.dhi[1];
  for (Index j = jb; j < je; ++j) {
    h[2 * j] = interp(x0[j], x1[j], ph.w[0]);
    h[2 * j + 1] = interp(x2[j], x3[j], ph.w[1]);
  }
}

/// Horizontal pass of input rows [i0, i1) of a one-channel image with periodic columns into the
/// same rows of h (rows of out_w values). The periodic stretch runs as one flat loop over all
/// those rows, because short rows would spend their time in loop prologues and remainders; that
/// loop also fills the columns outside each row's stretch, with values from the neighbouring
/// row, which the table loops then overwrite.
template <typename T>
KTL_DETAIL_NO_FP_CONTRACT void bilinear_plane_horizontal(const BilinearPlan<T>& p, const T* xp, T* h, Index i0,
                                                         Index i1) {
  if (i0 >= i1) return;
  const ColumnPhases<T>& ph = p.phases;
  const Index W = p.in_w, OW = p.out_w, jb = i0 * W + ph.j0, je = (i1 - 1) * W + ph.j1;
  const auto pattern = std::array<Index, 4>{ph.dlo[0], ph.dhi[0], ph.dlo[1], ph.dhi[1]};
  if (pattern == std::array<Index, 4>{0, 0, 0, 1})  // legacy mapping
    bilinear_periodic_columns<T, 0, 0, 0, 1>(xp, h, jb, je, ph.w[0], ph.w[1]);
  else if (pattern == std::array<Index, 4>{-1, 0, 0, 1})  // half-pixel mapping
    bilinear_periodic_columns<T, -1, 0, 0, 1>(xp, h, jb, je, ph.w[0], ph.w[1]);
  else
    bilinear_periodic_columns(ph, xp, h, jb, je);
  for (Index row = i0; row < i1; ++row) {
    const T* xr = xp + row * W;
    T* hr = h + row * OW;
    for (Index o = 0; o < 2 * ph.j0; ++o) hr[o] = interp(xr[p.lo_x[o]], xr[p.hi_x[o]], p.a_x[o]);
    for (Index o = 2 * ph.j1; o < OW; ++o) hr[o] = interp(xr[p.lo_x[o]], xr[p.hi_x[o]], p.a_x[o]);
  }
}

/// Vertical pass of an output row pair from two interpolated rows ha, ho of n values:
/// y0 = interp(ha, B0 ? ha : ho, w0), y1 = interp(T1 ? ha : ho, B1 ? ha : ho, w1).
template <typename T, bool B0, bool T1, bool B1>
KTL_DETAIL_NO_FP_CONTRACT void bilinear_pair_vertical(const T* __restrict ha, const T* __restrict ho,
                                                      T* __restrict y0, T* __restrict y1, Index n, T w0,
                                                      T w1) {
  for (Index i = 0; i < n; ++i) {
    const T a = ha[i], o = ho[i];
    y0[i] = interp(a, B0 ? a : o, w0);
    y1[i] = interp(T1 ? a : o, B1 ? a : o, w1);
  }
}

/// Vertical pass of one output row: y = interp(top, bottom, w) over n values.
template <typename T>
KTL_DETAIL_NO_FP_CONTRACT void bilinear_row_vertical(const T* __restrict top, const T* __restrict bottom,
                                                     T* __restrict y, Index n, T w) {
  for (Index i = 0; i < n; ++i) y[i] = interp(top[i], bottom[i], w);
}

/// Output rows from the interpolated rows `h` of one-channel periodic images
/// (bilinear_plane_horizontal): only the vertical pass is left.
template <typename T>
struct InterpolatedRows {
  const BilinearPlan<T>& p;
  const T* h;

  template <bool B0, bool T1, bool B1>
  void pair(Index a, Index o, T* y0, T* y1, T w0, T w1) const {
    bilinear_pair_vertical<T, B0, T1, B1>(h + a * p.out_w, h + o * p.out_w, y0, y1, p.out_w, w0, w1);
  }
  void row(Index a, Index b, T* y, T w) const {
    bilinear_row_vertical(h + a * p.out_w, h + b * p.out_w, y, p.out_w, w);
  }
};

/// The input rows read by output rows r and r + 1 when they are at most two: returns the
/// second one (lo[r] itself when both read only lo[r]), or -1 when they read three or more.
inline Index paired_input_row(const Index* lo, const Index* hi, Index r) {
  const Index a = lo[r], b = hi[r], c = lo[r + 1], d = hi[r + 1];
  const Index o = a != b ? b : c != a ? c : d;
  return (c == a || c == o) && (d == a || d == o) ? o : -1;
}

/// Output rows [r0, r1) of one image from `src` (FusedRows or InterpolatedRows): pairs of rows
/// that read at most two input rows, single rows where the next row needs a third.
template <typename T, typename Source>
void bilinear_rows(const BilinearPlan<T>& p, const Source& src, T* yp, Index r0, Index r1) {
  const Index out_row = p.out_w * p.C;
  Index r = r0;
  while (r < r1) {
    const Index a = p.lo_y[r], b = p.hi_y[r];
    const Index o = r + 1 < r1 ? paired_input_row(p.lo_y, p.hi_y, r) : -1;
    if (o < 0) {
      src.row(a, b, yp + r * out_row, p.a_y[r]);
      ++r;
      continue;
    }
    // Rows are nondecreasing (a <= b, c <= d, a <= c, b <= d), so with both rows in {a, o} the
    // choices are the five below.
    const Index c = p.lo_y[r + 1], d = p.hi_y[r + 1];
    T* y0 = yp + r * out_row;
    T* y1 = y0 + out_row;
    const T w0 = p.a_y[r], w1 = p.a_y[r + 1];
    switch ((b == a ? 4 : 0) | (c == a ? 2 : 0) | (d == a ? 1 : 0)) {
      case 0: src.template pair<false, false, false>(a, o, y0, y1, w0, w1); break;
      case 2: src.template pair<false, true, false>(a, o, y0, y1, w0, w1); break;
      case 4: src.template pair<true, false, false>(a, o, y0, y1, w0, w1); break;
      case 6: src.template pair<true, true, false>(a, o, y0, y1, w0, w1); break;
      default: src.template pair<true, true, true>(a, o, y0, y1, w0, w1); break;  // 7
    }
    r += 2;
  }
}

/// Fixed blocks of an image's output rows: an even number of rows each, and where rows pair up
/// from odd rows on (the half-pixel mapping) the boundaries one row later, so that no block
/// splits a pair. Decided by the tables alone.
struct RowBlocks {
  Index rows, per_block, shift;
  RowBlocks(const Index* lo_y, const Index* hi_y, Index out_h, Index per_block_hint)
      : rows(out_h), per_block(std::max<Index>(2, per_block_hint / 2 * 2)),
        shift(out_h >= 5 && paired_input_row(lo_y, hi_y, 2) < 0 && paired_input_row(lo_y, hi_y, 3) >= 0 ? 1 : 0) {}
  Index count() const { return (rows - shift + per_block - 1) / per_block; }
  Index begin(Index k) const { return k == 0 ? 0 : shift + k * per_block; }
  Index end(Index k) const { return std::min(rows, shift + (k + 1) * per_block); }
};

/// Whether upsample_bilinear interpolates whole images horizontally first, decided from the
/// shape (it also needs periodic columns, which the tables tell): one channel, out_w = 2 * in_w,
/// an image's interpolated rows within 256 KiB, and an output that stays in the last-level
/// cache. Interpolating each input row once saves a quarter of the arithmetic, which is what
/// limits an output written to cache; an output bound for DRAM is limited by its writes, and
/// there the fused rows, which read the input while they write, are faster (measured: 0.9x
/// against 1.4x the memcpy time on 8x64x112x112 channels_first).
inline bool bilinear_plane_mode(Index planes, Index in_h, Index in_w, Index out_h, Index out_w, Index channels,
                                std::size_t scalar_bytes) {
  return channels == 1 && in_w >= 3 && out_w == 2 * in_w && in_h * out_w <= 65536 &&
         u(planes * out_h * out_w) * scalar_bytes <= bilinear_cache_bytes;
}

/// Asks for the cache line at `p` in a writable state (a hint; nothing on compilers without one).
inline void prefetch_for_write([[maybe_unused]] const void* p) {
#if defined(__GNUC__)
  __builtin_prefetch(p, 1);
#endif
}

inline std::size_t round_up_64(std::size_t bytes) { return (bytes + 63) / 64 * 64; }

}  // namespace detail

/// Bytes of workspace upsample_bilinear needs: the two axis tables, and in plane mode one
/// image's interpolated rows per thread.
template <typename T>
std::size_t upsample_bilinear_workspace_bytes(Index planes, Index in_h, Index in_w, Index out_h, Index out_w,
                                              Index channels, int threads) {
  using detail::round_up_64;
  using detail::u;
  const std::size_t tables = round_up_64(u(out_h) * (2 * sizeof(Index) + sizeof(T))) +
                             round_up_64(u(out_w) * (2 * sizeof(Index) + sizeof(T)));
  if (!detail::bilinear_plane_mode(planes, in_h, in_w, out_h, out_w, channels, sizeof(T))) return tables;
  return tables + u(threads) * round_up_64(u(in_h * out_w) * sizeof(T));
}

/// Bilinear 2-D resize of `planes` channels_last images: x (planes, in_h, in_w, channels) ->
/// y (planes, out_h, out_w, channels), legacy or half-pixel mapping (see above); for
/// channels_first data pass planes = batch * channels and channels = 1. Tables are built once
/// per call in `workspace`; tasks are fixed blocks of output rows of one image, so the result
/// is bit-identical for any thread count.
template <typename T>
void upsample_bilinear(const T* x, T* y, Index planes, Index in_h, Index in_w, Index channels,
                       Index out_h, Index out_w, bool half_pixel, Workspace& workspace,
                       const ThreadPool& pool) {
  static_assert(std::is_floating_point_v<T>, "ktl::kernels::upsample_bilinear: T must be float or double");
  using detail::round_up_64;
  using detail::u;
  if (planes * out_h * out_w * channels == 0) return;
  auto* base = workspace.request<unsigned char>(static_cast<Index>(
      upsample_bilinear_workspace_bytes<T>(planes, in_h, in_w, out_h, out_w, channels, pool.num_threads())));
  auto* lo_y = reinterpret_cast<Index*>(base);
  Index* hi_y = lo_y + out_h;
  auto* a_y = reinterpret_cast<T*>(hi_y + out_h);
  base += round_up_64(u(out_h) * (2 * sizeof(Index) + sizeof(T)));
  auto* lo_x = reinterpret_cast<Index*>(base);
  Index* hi_x = lo_x + out_w;
  auto* a_x = reinterpret_cast<T*>(hi_x + out_w);
  base += round_up_64(u(out_w) * (2 * sizeof(Index) + sizeof(T)));
  detail::bilinear_axis(in_h, out_h, half_pixel, lo_y, hi_y, a_y);
  detail::bilinear_axis(in_w, out_w, half_pixel, lo_x, hi_x, a_x);
  const detail::BilinearPlan<T> plan{
      in_w, out_w, channels, lo_y, hi_y, lo_x, hi_x, a_y, a_x,
      channels == 1 ? detail::find_column_phases(in_w, out_w, lo_x, hi_x, a_x) : detail::ColumnPhases<T>{}};
  const Index in_image = in_h * in_w * channels, out_image = out_h * out_w * channels;

  if (plan.phases.periodic && detail::bilinear_plane_mode(planes, in_h, in_w, out_h, out_w, channels, sizeof(T))) {
    // One task per image. Its rows go in blocks of 16 output rows: the input rows a block needs
    // are interpolated horizontally into this thread's slot (each once), then the block's
    // vertical pass runs, so that writing the output never pauses for long.
    const std::size_t slot_bytes = round_up_64(u(in_h * out_w) * sizeof(T));
    const detail::RowBlocks blocks(lo_y, hi_y, out_h, 16);
    pool.parallel_for(planes, [&](Index plane, int slot) {
      T* h = reinterpret_cast<T*>(base + u(slot) * slot_bytes);
      const T* xp = x + plane * in_image;
      T* yp = y + plane * out_image;
      Index ready = 0;  // rows of h done
      for (Index k = 0; k < blocks.count(); ++k) {
        const Index r0 = blocks.begin(k), r1 = blocks.end(k), needed = hi_y[r1 - 1] + 1;
        detail::bilinear_plane_horizontal(plan, xp, h, ready, needed);
        ready = std::max(ready, needed);
        if (k + 1 < blocks.count()) {
          // Own the next block's output lines before writing them: an output that is not in
          // cache (as after other work) would otherwise fetch each line as its stores reach it,
          // and this block's horizontal pass issues no stores to keep those fetches going.
          const char* line = reinterpret_cast<const char*>(yp + r1 * out_w);
          const char* stop = reinterpret_cast<const char*>(yp + blocks.end(k + 1) * out_w);
          for (; line < stop; line += 64) detail::prefetch_for_write(line);
        }
        detail::bilinear_rows(plan, detail::InterpolatedRows<T>{plan, h}, yp, r0, r1);
      }
    });
    return;
  }
  // Tasks: blocks of output rows (about copy_chunk_elements values) of one image.
  const Index out_row = out_w * channels;
  const detail::RowBlocks blocks(lo_y, hi_y, out_h, copy_chunk_elements / out_row);
  pool.parallel_for(planes * blocks.count(), [&](Index task) {
    const Index plane = task / blocks.count(), k = task % blocks.count();
    detail::bilinear_rows(plan, detail::FusedRows<T>{plan, x + plane * in_image}, y + plane * out_image,
                          blocks.begin(k), blocks.end(k));
  });
}

#undef KTL_DETAIL_NO_FP_CONTRACT

}  // namespace ktl::kernels
