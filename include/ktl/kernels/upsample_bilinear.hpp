// Bilinear up-sampling kernel (keras.layers.UpSampling2D(interpolation='bilinear')): TensorFlow's
// resize_bilinear with align_corners=False, in the legacy (half_pixel_centers=False, Keras 2.2)
// or the half-pixel mapping (tf.keras 2.x, Keras 3), with its exact float32 order. Per axis:
//   scale = float(L_in) / float(L_out)
//   u = float(o) * scale  (legacy)  or  (float(o) + 0.5f) * scale - 0.5f  (half-pixel)
//   i0 = floor(u), lo = min(max(i0, 0), L_in - 1), hi = min(ceil(u), L_in - 1), a = u - i0
// (TensorFlow does not clamp lo to L_in - 1; see bilinear_axis for output positions past 2^24.)
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
//   that stays in cache: the input rows of a 16-row block are interpolated horizontally once,
//   in one flat loop, and the block's vertical pass reads them back from L1. A quarter less
//   arithmetic, and no loop overhead per short row, which is what limits cached outputs.
// Either way every output value is written exactly once, with no staging copy.
//
// Bit-exactness: every rounding step must happen as written. GCC contracts a * b + c into an
// FMA where the target has one in its default GNU mode (-ffp-contract=fast), which changes the
// last bit; every function that holds or inlines the arithmetic therefore carries
// optimize("fp-contract=off") on GCC (a pragma over the whole file was measured 30% slower:
// it also reaches the row drivers and the task lambdas, and changes their inlining).
// Clang contracts at most inside one expression by default, and every product here is its own
// statement; `#pragma clang fp contract(off)` in the two functions that hold the arithmetic
// keeps that under -ffp-contract=fast-honor-pragmas. Clang's plain -ffp-contract=fast ignores
// the pragma (measured with Clang 14: off by one ulp), and -ffast-math in either compiler
// gives up the order altogether. For double tensors the positions and weights are still
// computed in float32 (as TensorFlow does) and the blend in double.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <type_traits>

#include <ktl/core/parallel.hpp>
#include <ktl/core/tensor.hpp>
#include <ktl/core/workspace.hpp>
#include <ktl/kernels/pad_crop.hpp>

namespace ktl::kernels {

/// Output bytes up to which upsample_bilinear counts on the output staying in the last-level
/// cache (see detail::bilinear_plane_mode).
inline constexpr std::size_t bilinear_cache_bytes = std::size_t{16} << 20;

namespace detail {

/// Output positions of one axis from which TensorFlow's float32 position is no longer exact:
/// float(o) rounds past 2^24, and the half-pixel centre o + 0.5 already past 2^23.
constexpr Index bilinear_exact_positions(bool half_pixel) {
  return half_pixel ? Index{1} << 23 : (Index{1} << 24) + 1;
}

/// (lo, hi, a) of every output position of one axis. Below bilinear_exact_positions they are
/// TensorFlow's, bit for bit, except that lo is also clamped to in - 1 (TensorFlow clamps only
/// hi, and rounding can put u at in). Past it TensorFlow's float(o) is rounded to a multiple of
/// 2, 4, ..., so it repeats positions and its last ones reach in: one pixel past the end of the
/// axis. There the same formula is evaluated in double with the exact o (and TensorFlow's float
/// scale, so the positions keep growing across the switch), both indices clamped to the axis.
template <typename T>
#if defined(__GNUC__) && !defined(__clang__)
[[gnu::optimize("fp-contract=off")]]
#endif
void bilinear_axis(Index in, Index out, bool half_pixel, Index* lo, Index* hi, T* a) {
#if defined(__clang__)
#pragma clang fp contract(off)
#endif
  const float scale = static_cast<float>(in) / static_cast<float>(out);
  const Index exact = std::min(out, bilinear_exact_positions(half_pixel));
  for (Index o = 0; o < exact; ++o) {
    float pos;
    if (half_pixel) {
      const float centre = static_cast<float>(o) + 0.5f;
      const float scaled = centre * scale;
      pos = scaled - 0.5f;
    } else {
      pos = static_cast<float>(o) * scale;
    }
    const float i0 = std::floor(pos);
    lo[o] = std::clamp<Index>(static_cast<Index>(i0), 0, in - 1);
    hi[o] = std::min<Index>(static_cast<Index>(std::ceil(pos)), in - 1);
    const float frac = pos - i0;
    a[o] = static_cast<T>(frac);
  }
  const double wide_scale = static_cast<double>(scale);
  for (Index o = exact; o < out; ++o) {
    const double centre = static_cast<double>(o) + (half_pixel ? 0.5 : 0.0);
    const double pos = centre * wide_scale - (half_pixel ? 0.5 : 0.0);
    const double i0 = std::floor(pos);
    lo[o] = std::clamp<Index>(static_cast<Index>(i0), 0, in - 1);
    hi[o] = std::clamp<Index>(static_cast<Index>(std::ceil(pos)), 0, in - 1);
    a[o] = static_cast<T>(static_cast<float>(pos - i0));
  }
}

/// TensorFlow's interpolation step, rounded as written: l + (r - l) * w.
template <typename T>
#if defined(__GNUC__) && !defined(__clang__)
[[gnu::optimize("fp-contract=off")]]
#endif
inline T interp(T l, T r, T w) {
#if defined(__clang__)
#pragma clang fp contract(off)
#endif
  const T d = r - l, p = d * w;
  return l + p;
}

/// Column offsets of the periodic stretch (see ColumnPhases) that plane mode has loops for:
/// those of the two mappings with out = 2 * in.
enum class PeriodicOffsets { other, legacy, half_pixel };

/// The periodic stretch of the column table of one-channel rows (channels_first data) when
/// out = 2 * in: outputs 2j and 2j+1 read x[j + dlo[r]] and x[j + dhi[r]] with weight w[r]
/// (r = 0, 1) for every j in [j0, j1), so that stretch needs no index tables (and vectorises).
template <typename T>
struct ColumnPhases {
  bool periodic = false;  // false: use the tables everywhere
  Index j0 = 0, j1 = 0;
  std::array<Index, 2> dlo{}, dhi{};
  std::array<T, 2> w{};
  PeriodicOffsets offsets = PeriodicOffsets::other;
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
  const std::array<Index, 4> offsets{p.dlo[0], p.dhi[0], p.dlo[1], p.dhi[1]};
  if (offsets == std::array<Index, 4>{0, 0, 0, 1}) p.offsets = PeriodicOffsets::legacy;
  if (offsets == std::array<Index, 4>{-1, 0, 0, 1}) p.offsets = PeriodicOffsets::half_pixel;
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

// Output row pairs from two input rows, `a` (the first row's top) and `second`: the pair's
// rows are y0 = interp(h(a), h(Bottom0IsA ? a : second), w0) and
// y1 = interp(h(Top1IsA ? a : second), h(Bottom1IsA ? a : second), w1), h being the horizontal
// pass at each output column. The row choices are template parameters so that each combination
// is a plain loop.

/// Output columns [ob, oe) of an output row pair, from the column tables.
template <typename T, bool Bottom0IsA, bool Top1IsA, bool Bottom1IsA>
#if defined(__GNUC__) && !defined(__clang__)
[[gnu::optimize("fp-contract=off")]]
#endif
void bilinear_pair_columns(const BilinearPlan<T>& p, const T* __restrict ra, const T* __restrict rs,
                           T* __restrict y0, T* __restrict y1, T w0, T w1, Index ob, Index oe) {
  const Index C = p.C;
  for (Index o = ob; o < oe; ++o) {
    const Index left = p.lo_x[o] * C, right = p.hi_x[o] * C;
    const T w = p.a_x[o];
    T* d0 = y0 + o * C;
    T* d1 = y1 + o * C;
    for (Index c = 0; c < C; ++c) {
      const T ha = interp(ra[left + c], ra[right + c], w), hs = interp(rs[left + c], rs[right + c], w);
      d0[c] = interp(ha, Bottom0IsA ? ha : hs, w0);
      d1[c] = interp(Top1IsA ? ha : hs, Bottom1IsA ? ha : hs, w1);
    }
  }
}

/// Output columns [2 * ph.j0, 2 * ph.j1) of an output row pair of one-channel rows with periodic
/// columns: bilinear_pair_columns without the tables.
template <typename T, bool Bottom0IsA, bool Top1IsA, bool Bottom1IsA>
#if defined(__GNUC__) && !defined(__clang__)
[[gnu::optimize("fp-contract=off")]]
#endif
void bilinear_pair_periodic(const ColumnPhases<T>& ph, const T* __restrict ra, const T* __restrict rs,
                            T* __restrict y0, T* __restrict y1, T w0, T w1) {
  const T* a0 = ra + ph.dlo[0];
  const T* a1 = ra + ph.dhi[0];
  const T* a2 = ra + ph.dlo[1];
  const T* a3 = ra + ph.dhi[1];
  const T* s0 = rs + ph.dlo[0];
  const T* s1 = rs + ph.dhi[0];
  const T* s2 = rs + ph.dlo[1];
  const T* s3 = rs + ph.dhi[1];
  const T v0 = ph.w[0], v1 = ph.w[1];
  for (Index j = ph.j0; j < ph.j1; ++j) {
    const T ha0 = interp(a0[j], a1[j], v0), ha1 = interp(a2[j], a3[j], v1);
    const T hs0 = interp(s0[j], s1[j], v0), hs1 = interp(s2[j], s3[j], v1);
    y0[2 * j] = interp(ha0, Bottom0IsA ? ha0 : hs0, w0);
    y0[2 * j + 1] = interp(ha1, Bottom0IsA ? ha1 : hs1, w0);
    y1[2 * j] = interp(Top1IsA ? ha0 : hs0, Bottom1IsA ? ha0 : hs0, w1);
    y1[2 * j + 1] = interp(Top1IsA ? ha1 : hs1, Bottom1IsA ? ha1 : hs1, w1);
  }
}

/// One output row from input rows `rt` (top) and `rb` (bottom): y = interp(h(rt), h(rb), w).
template <typename T>
#if defined(__GNUC__) && !defined(__clang__)
[[gnu::optimize("fp-contract=off")]]
#endif
void bilinear_row_columns(const BilinearPlan<T>& p, const T* __restrict rt, const T* __restrict rb,
                          T* __restrict y, T w) {
  const Index C = p.C;
  for (Index o = 0; o < p.out_w; ++o) {
    const Index left = p.lo_x[o] * C, right = p.hi_x[o] * C;
    const T wx = p.a_x[o];
    T* d = y + o * C;
    for (Index c = 0; c < C; ++c)
      d[c] = interp(interp(rt[left + c], rt[right + c], wx), interp(rb[left + c], rb[right + c], wx), w);
  }
}

/// Output rows straight from the input image: each output row (pair) runs its own horizontal
/// passes, in registers. For channels_last data (vectorised over the channels), and for
/// one-channel rows outside plane mode (vectorised over the periodic columns, if any).
template <typename T>
struct FusedRows {
  const BilinearPlan<T>& p;
  const T* x;  // the image

  template <bool Bottom0IsA, bool Top1IsA, bool Bottom1IsA>
  void pair(Index a, Index second, T* y0, T* y1, T w0, T w1) const {
    const Index in_row = p.in_w * p.C;
    const T* ra = x + a * in_row;
    const T* rs = x + second * in_row;
    const ColumnPhases<T>& ph = p.phases;
    if (p.C != 1 || !ph.periodic) {
      bilinear_pair_columns<T, Bottom0IsA, Top1IsA, Bottom1IsA>(p, ra, rs, y0, y1, w0, w1, 0, p.out_w);
      return;
    }
    bilinear_pair_columns<T, Bottom0IsA, Top1IsA, Bottom1IsA>(p, ra, rs, y0, y1, w0, w1, 0, 2 * ph.j0);
    bilinear_pair_periodic<T, Bottom0IsA, Top1IsA, Bottom1IsA>(ph, ra, rs, y0, y1, w0, w1);
    bilinear_pair_columns<T, Bottom0IsA, Top1IsA, Bottom1IsA>(p, ra, rs, y0, y1, w0, w1, 2 * ph.j1, p.out_w);
  }
  void row(Index top, Index bottom, T* y, T w) const {
    const Index in_row = p.in_w * p.C;
    bilinear_row_columns(p, x + top * in_row, x + bottom * in_row, y, w);
  }
};

/// h[2j] = interp(x[j + L0], x[j + H0], v0), h[2j + 1] = interp(x[j + L1], x[j + H1], v1) for j
/// in [jb, je): periodic columns with offsets known to the compiler.
template <typename T, int L0, int H0, int L1, int H1>
#if defined(__GNUC__) && !defined(__clang__)
[[gnu::optimize("fp-contract=off")]]
#endif
void bilinear_horizontal_periodic(const T* __restrict x, T* __restrict h, Index jb, Index je, T v0, T v1) {
  for (Index j = jb; j < je; ++j) {
    h[2 * j] = interp(x[j + L0], x[j + H0], v0);
    h[2 * j + 1] = interp(x[j + L1], x[j + H1], v1);
  }
}

/// Horizontal pass of input rows [i0, i1) of a one-channel image into the same rows of h (rows
/// of out_w values), for periodic columns with the offsets of one of the two mappings. The
/// periodic stretch runs as one flat loop over all those rows, because short rows would spend
/// their time in loop prologues and remainders; that loop also fills the columns outside each
/// row's stretch, with values read from inside the image but from the neighbouring row, which
/// the table loops then overwrite.
template <typename T>
#if defined(__GNUC__) && !defined(__clang__)
[[gnu::optimize("fp-contract=off")]]
#endif
void bilinear_plane_horizontal(const BilinearPlan<T>& p, const T* xp, T* h, Index i0, Index i1) {
  if (i0 >= i1) return;
  const ColumnPhases<T>& ph = p.phases;
  const Index W = p.in_w, OW = p.out_w, jb = i0 * W + ph.j0, je = (i1 - 1) * W + ph.j1;
  if (ph.offsets == PeriodicOffsets::legacy)
    bilinear_horizontal_periodic<T, 0, 0, 0, 1>(xp, h, jb, je, ph.w[0], ph.w[1]);
  else
    bilinear_horizontal_periodic<T, -1, 0, 0, 1>(xp, h, jb, je, ph.w[0], ph.w[1]);
  for (Index row = i0; row < i1; ++row) {
    const T* xr = xp + row * W;
    T* hr = h + row * OW;
    for (Index o = 0; o < 2 * ph.j0; ++o) hr[o] = interp(xr[p.lo_x[o]], xr[p.hi_x[o]], p.a_x[o]);
    for (Index o = 2 * ph.j1; o < OW; ++o) hr[o] = interp(xr[p.lo_x[o]], xr[p.hi_x[o]], p.a_x[o]);
  }
}

/// Vertical pass of an output row pair from two interpolated rows ha, hs of n values.
template <typename T, bool Bottom0IsA, bool Top1IsA, bool Bottom1IsA>
#if defined(__GNUC__) && !defined(__clang__)
[[gnu::optimize("fp-contract=off")]]
#endif
void bilinear_pair_vertical(const T* __restrict ha, const T* __restrict hs, T* __restrict y0, T* __restrict y1,
                            Index n, T w0, T w1) {
  for (Index i = 0; i < n; ++i) {
    const T a = ha[i], s = hs[i];
    y0[i] = interp(a, Bottom0IsA ? a : s, w0);
    y1[i] = interp(Top1IsA ? a : s, Bottom1IsA ? a : s, w1);
  }
}

/// Vertical pass of one output row: y = interp(top, bottom, w) over n values.
template <typename T>
#if defined(__GNUC__) && !defined(__clang__)
[[gnu::optimize("fp-contract=off")]]
#endif
void bilinear_row_vertical(const T* __restrict top, const T* __restrict bottom, T* __restrict y, Index n, T w) {
  for (Index i = 0; i < n; ++i) y[i] = interp(top[i], bottom[i], w);
}

/// Output rows from the interpolated rows `h` of one-channel periodic images
/// (bilinear_plane_horizontal): only the vertical pass is left.
template <typename T>
struct InterpolatedRows {
  const BilinearPlan<T>& p;
  const T* h;

  template <bool Bottom0IsA, bool Top1IsA, bool Bottom1IsA>
  void pair(Index a, Index second, T* y0, T* y1, T w0, T w1) const {
    bilinear_pair_vertical<T, Bottom0IsA, Top1IsA, Bottom1IsA>(h + a * p.out_w, h + second * p.out_w, y0, y1,
                                                               p.out_w, w0, w1);
  }
  void row(Index top, Index bottom, T* y, T w) const {
    bilinear_row_vertical(h + top * p.out_w, h + bottom * p.out_w, y, p.out_w, w);
  }
};

/// The input rows read by output rows r and r + 1 when they are at most two: returns the
/// second one (lo[r] itself when both read only lo[r]), or -1 when they read three or more.
inline Index paired_input_row(const Index* lo, const Index* hi, Index r) {
  const Index a = lo[r], b = hi[r], c = lo[r + 1], d = hi[r + 1];
  const Index second = a != b ? b : c != a ? c : d;
  return (c == a || c == second) && (d == a || d == second) ? second : -1;
}

/// Output rows [r0, r1) of one image from `src` (FusedRows or InterpolatedRows): pairs of rows
/// that read at most two input rows, single rows where the next row needs a third.
template <typename T, typename Source>
void bilinear_rows(const BilinearPlan<T>& p, const Source& src, T* yp, Index r0, Index r1) {
  const Index out_row = p.out_w * p.C;
  Index r = r0;
  while (r < r1) {
    const Index a = p.lo_y[r], b = p.hi_y[r];
    const Index second = r + 1 < r1 ? paired_input_row(p.lo_y, p.hi_y, r) : -1;
    if (second < 0) {
      src.row(a, b, yp + r * out_row, p.a_y[r]);
      ++r;
      continue;
    }
    // Table rows never decrease (a <= b, c <= d, a <= c, b <= d), so with both rows in
    // {a, second} only the five choices below exist; any other table is still computed right,
    // one row at a time.
    const Index c = p.lo_y[r + 1], d = p.hi_y[r + 1];
    T* y0 = yp + r * out_row;
    T* y1 = y0 + out_row;
    const T w0 = p.a_y[r], w1 = p.a_y[r + 1];
    switch ((b == a ? 4 : 0) | (c == a ? 2 : 0) | (d == a ? 1 : 0)) {
      case 0: src.template pair<false, false, false>(a, second, y0, y1, w0, w1); break;
      case 2: src.template pair<false, true, false>(a, second, y0, y1, w0, w1); break;
      case 4: src.template pair<true, false, false>(a, second, y0, y1, w0, w1); break;
      case 6: src.template pair<true, true, false>(a, second, y0, y1, w0, w1); break;
      case 7: src.template pair<true, true, true>(a, second, y0, y1, w0, w1); break;
      default:
        src.row(a, b, y0, w0);
        src.row(c, d, y1, w1);
    }
    r += 2;
  }
}

/// Fixed blocks of an image's output rows: `per_block` rows each (even), except that where rows
/// pair up from odd rows on (the half-pixel mapping) the first block has one row more and every
/// later boundary moves one row down, so that no block splits a pair. Decided by the tables.
struct RowBlocks {
  Index rows, per_block, shift;
  RowBlocks(const Index* lo_y, const Index* hi_y, Index out_h, Index per_block_hint)
      : rows(out_h), per_block(std::max<Index>(2, per_block_hint / 2 * 2)),
        shift(out_h >= 5 && paired_input_row(lo_y, hi_y, 2) < 0 && paired_input_row(lo_y, hi_y, 3) >= 0 ? 1 : 0) {}
  Index count() const { return (rows - shift + per_block - 1) / per_block; }
  Index begin(Index k) const { return k == 0 ? 0 : shift + k * per_block; }
  Index end(Index k) const { return std::min(rows, shift + (k + 1) * per_block); }
};

/// Whether upsample_bilinear can use plane mode, from the shape: one channel, out_w = 2 * in_w,
/// an image's interpolated rows within 65536 values, and an output that stays in the last-level
/// cache. (It also needs the mappings' periodic columns, which the tables confirm.)
/// Interpolating each input row once saves a quarter of the arithmetic, which is what limits an
/// output written to cache; an output bound for DRAM is limited by its writes, and there the
/// fused rows, which read the input while they write, are faster. Measured against memcpy on
/// channels_first data: 1x128x56x56, plane mode 1.3x, fused rows 1.8x; 8x64x112x112 (98 MiB of
/// output), plane mode 1.2x, fused rows 1.0x.
inline bool bilinear_plane_mode(Index planes, Index in_h, Index in_w, Index channels, Index out_h, Index out_w,
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

/// Workspace bytes of the (lo, hi, a) table of an axis of `out` positions.
template <typename T>
std::size_t bilinear_table_bytes(Index out) {
  return Workspace::round_up(u(out) * (2 * sizeof(Index) + sizeof(T)));
}

/// Workspace bytes of one thread's slot in plane mode: one image's interpolated rows.
template <typename T>
std::size_t bilinear_slot_bytes(Index in_h, Index out_w) {
  return Workspace::round_up(u(in_h * out_w) * sizeof(T));
}

}  // namespace detail

/// Bytes of workspace upsample_bilinear needs: the two axis tables, and in plane mode one
/// image's interpolated rows per thread.
template <typename T>
std::size_t upsample_bilinear_workspace_bytes(Index planes, Index in_h, Index in_w, Index channels, Index out_h,
                                              Index out_w, int threads) {
  const std::size_t tables = detail::bilinear_table_bytes<T>(out_h) + detail::bilinear_table_bytes<T>(out_w);
  if (!detail::bilinear_plane_mode(planes, in_h, in_w, channels, out_h, out_w, sizeof(T))) return tables;
  return tables + detail::u(threads) * detail::bilinear_slot_bytes<T>(in_h, out_w);
}

/// Bilinear 2-D resize of `planes` channels_last images: x (planes, in_h, in_w, channels) ->
/// y (planes, out_h, out_w, channels), legacy or half-pixel mapping (see above); for
/// channels_first data pass planes = batch * channels and channels = 1. Tables are built once
/// per call in `workspace`; tasks are fixed by the shape (blocks of output rows of one image,
/// or whole images in plane mode), so the result is bit-identical for any thread count.
template <typename T>
void upsample_bilinear(const T* x, T* y, Index planes, Index in_h, Index in_w, Index channels, Index out_h,
                       Index out_w, bool half_pixel, Workspace& workspace, const ThreadPool& pool) {
  static_assert(std::is_floating_point_v<T>, "ktl::kernels::upsample_bilinear: T must be float or double");
  using detail::u;
  if (planes * out_h * out_w * channels == 0) return;
  auto* base = workspace.request<unsigned char>(static_cast<Index>(
      upsample_bilinear_workspace_bytes<T>(planes, in_h, in_w, channels, out_h, out_w, pool.num_threads())));
  auto* lo_y = reinterpret_cast<Index*>(base);
  Index* hi_y = lo_y + out_h;
  auto* a_y = reinterpret_cast<T*>(hi_y + out_h);
  base += detail::bilinear_table_bytes<T>(out_h);
  auto* lo_x = reinterpret_cast<Index*>(base);
  Index* hi_x = lo_x + out_w;
  auto* a_x = reinterpret_cast<T*>(hi_x + out_w);
  base += detail::bilinear_table_bytes<T>(out_w);
  detail::bilinear_axis(in_h, out_h, half_pixel, lo_y, hi_y, a_y);
  detail::bilinear_axis(in_w, out_w, half_pixel, lo_x, hi_x, a_x);
  const detail::BilinearPlan<T> plan{
      in_w, out_w, channels, lo_y, hi_y, lo_x, hi_x, a_y, a_x,
      channels == 1 ? detail::find_column_phases(in_w, out_w, lo_x, hi_x, a_x) : detail::ColumnPhases<T>{}};
  const Index in_image = in_h * in_w * channels, out_image = out_h * out_w * channels;

  if (detail::bilinear_plane_mode(planes, in_h, in_w, channels, out_h, out_w, sizeof(T)) &&
      plan.phases.periodic && plan.phases.offsets != detail::PeriodicOffsets::other) {
    // One task per image, in blocks of 16 output rows. Each block first asks for its output
    // lines in a writable state (an output that is not in cache would otherwise fetch every
    // line only when its stores reach it), then interpolates the input rows it needs that are
    // not done yet into this thread's slot, then runs its vertical pass.
    const std::size_t slot_bytes = detail::bilinear_slot_bytes<T>(in_h, out_w);
    const detail::RowBlocks blocks(lo_y, hi_y, out_h, 16);
    pool.parallel_for(planes, [&](Index plane, int slot) {
      T* h = reinterpret_cast<T*>(base + u(slot) * slot_bytes);
      const T* xp = x + plane * in_image;
      T* yp = y + plane * out_image;
      Index ready = 0;  // rows of h done
      for (Index k = 0; k < blocks.count(); ++k) {
        const Index r0 = blocks.begin(k), r1 = blocks.end(k), needed = hi_y[r1 - 1] + 1;
        const auto* lines = reinterpret_cast<const unsigned char*>(yp + r0 * out_w);
        for (std::size_t b = 0; b < u((r1 - r0) * out_w) * sizeof(T); b += 64) detail::prefetch_for_write(lines + b);
        detail::bilinear_plane_horizontal(plan, xp, h, ready, needed);
        ready = std::max(ready, needed);
        detail::bilinear_rows(plan, detail::InterpolatedRows<T>{plan, h}, yp, r0, r1);
      }
    });
    return;
  }
  // Fused rows. Tasks: blocks of output rows (about copy_chunk_elements values) of one image.
  const detail::RowBlocks blocks(lo_y, hi_y, out_h, copy_chunk_elements / (out_w * channels));
  pool.parallel_for(planes * blocks.count(), [&](Index task) {
    const Index plane = task / blocks.count(), k = task % blocks.count();
    detail::bilinear_rows(plan, detail::FusedRows<T>{plan, x + plane * in_image}, y + plane * out_image,
                          blocks.begin(k), blocks.end(k));
  });
}

}  // namespace ktl::kernels
