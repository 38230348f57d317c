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
#if defined(__AVX__)
#include <immintrin.h>
#endif

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
// top and bottom depend only on (input row, output column), so each needed input row is
// interpolated horizontally once per task into a two-row cache (vectorised over the channels),
// and every output row is then one vectorised pass out = top + (bottom - top) * a_y over the
// whole row. One-channel planes (channels_first data) with an integer factor interpolate the
// whole plane horizontally in one flat periodic loop instead (bilinear_plane).
//
// Bit-exactness: every rounding step must happen as written. GCC contracts a * b + c into an
// FMA when compiling for FMA hardware in its default GNU mode (-ffp-contract=fast), which
// changes the last bit; the arithmetic functions below therefore carry
// optimize("fp-contract=off") on GCC. Clang and MSVC contract at most inside one expression by
// default, and every product here is a separate statement. For double tensors the positions
// and weights are still computed in float32 (as TensorFlow does) and the blend in double.
// ---------------------------------------------------------------------------------------------

/// Values per column strip of the bilinear kernel: rows longer than this are processed in strips
/// so that the two cached rows stay in L2. (Strips small enough for L1 were measured slower on
/// outputs bound for DRAM: many short write streams per task.)
inline constexpr Index bilinear_strip_elements = 65536;

/// Output bytes above which the bilinear blend writes with streaming stores (the output cannot
/// stay in the last-level cache anyway).
inline constexpr std::size_t bilinear_stream_bytes = std::size_t{16} << 20;

namespace detail {

/// (lo, hi, a) of every output position of one axis.
template <typename T>
#if defined(__GNUC__) && !defined(__clang__)
[[gnu::optimize("fp-contract=off")]]
#endif
void bilinear_axis(Index in, Index out, bool half_pixel, Index* lo, Index* hi, T* a) {
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

/// The periodic interior of a column table for one-channel rows (channels_first planes): when
/// out = f * in (f <= max_phases), output f*j + r reads x[j + dlo[r]], x[j + dhi[r]] with weight
/// w[r] for every j in [j0, j1), so that stretch needs no index tables (and vectorises).
template <typename T>
struct ColumnPhases {
  static constexpr Index max_phases = 8;
  Index f = 0;  // 0: no periodic interior, use the tables
  Index j0 = 0, j1 = 0;
  std::array<Index, max_phases> dlo{}, dhi{};
  std::array<T, max_phases> w{};
};

template <typename T>
ColumnPhases<T> find_column_phases(Index in, Index out, const Index* lo, const Index* hi, const T* a) {
  ColumnPhases<T> p;
  if (in < 3 || out % in != 0 || out / in > ColumnPhases<T>::max_phases) return p;
  const Index f = out / in, jr = in / 2;
  for (Index r = 0; r < f; ++r) {
    p.dlo[u(r)] = lo[f * jr + r] - jr;
    p.dhi[u(r)] = hi[f * jr + r] - jr;
    p.w[u(r)] = a[f * jr + r];
  }
  auto regular = [&](Index j) {
    for (Index r = 0; r < f; ++r) {
      const Index o = f * j + r;
      if (lo[o] - j != p.dlo[u(r)] || hi[o] - j != p.dhi[u(r)] || !(a[o] == p.w[u(r)])) return false;
    }
    return true;
  };
  Index j0 = jr, j1 = jr + 1;
  while (j0 > 0 && regular(j0 - 1)) --j0;
  while (j1 < in && regular(j1)) ++j1;
  p.f = f;
  p.j0 = j0;
  p.j1 = j1;
  return p;
}

/// Horizontal pass of one input row over output columns [ob, oe):
/// h[(o - ob) * C + c] = x[lo[o], c] + (x[hi[o], c] - x[lo[o], c]) * a[o].
template <typename T>
#if defined(__GNUC__) && !defined(__clang__)
[[gnu::optimize("fp-contract=off")]]
#endif
inline void bilinear_columns(const T* x, T* h, Index ob, Index oe, Index C, const Index* lo, const Index* hi,
                      const T* a, const ColumnPhases<T>& ph) {
  if (C == 1) {
    // The periodic stretch, restricted to whole periods inside [ob, oe): outputs [f*ja, f*jb).
    Index ja = 0, jb = 0;
    if (ph.f > 0) {
      ja = std::max(ph.j0, (ob + ph.f - 1) / ph.f);
      jb = std::min(ph.j1, oe / ph.f);
    }
    if (ja >= jb) ja = jb = 0;
    const Index p_begin = ja < jb ? ph.f * ja : oe, p_end = ja < jb ? ph.f * jb : oe;
    T* hb = h - ob;  // indexed by output column
    for (Index o = ob; o < p_begin; ++o) {
      const T l = x[lo[o]], d = x[hi[o]] - l, p = d * a[o];
      hb[o] = l + p;
    }
    if (ja < jb && ph.f == 2) {
      const T* x0 = x + ph.dlo[0];
      const T* x1 = x + ph.dhi[0];
      const T* x2 = x + ph.dlo[1];
      const T* x3 = x + ph.dhi[1];
      const T w0 = ph.w[0], w1 = ph.w[1];
      for (Index j = ja; j < jb; ++j) {
        const T l0 = x0[j], d0 = x1[j] - l0, p0 = d0 * w0;
        const T l1 = x2[j], d1 = x3[j] - l1, p1 = d1 * w1;
        hb[2 * j] = l0 + p0;
        hb[2 * j + 1] = l1 + p1;
      }
    } else if (ja < jb) {
      for (Index j = ja; j < jb; ++j)
        for (Index r = 0; r < ph.f; ++r) {
          const T l = x[j + ph.dlo[u(r)]], d = x[j + ph.dhi[u(r)]] - l, p = d * ph.w[u(r)];
          hb[ph.f * j + r] = l + p;
        }
    }
    for (Index o = p_end; o < oe; ++o) {
      const T l = x[lo[o]], d = x[hi[o]] - l, p = d * a[o];
      hb[o] = l + p;
    }
    return;
  }
  for (Index o = ob; o < oe; ++o) {
    const T* left = x + lo[o] * C;
    const T* right = x + hi[o] * C;
    const T w = a[o];
    T* dst = h + (o - ob) * C;
    for (Index c = 0; c < C; ++c) {
      const T d = right[c] - left[c], p = d * w;
      dst[c] = left[c] + p;
    }
  }
}

/// Vertical pass of one output row: y = top + (bottom - top) * w, over the whole row.
template <typename T>
#if defined(__GNUC__) && !defined(__clang__)
[[gnu::optimize("fp-contract=off")]]
#endif
inline void bilinear_blend(const T* top, const T* bottom, T* y, Index len, T w) {
  for (Index i = 0; i < len; ++i) {
    const T d = bottom[i] - top[i], p = d * w;
    y[i] = top[i] + p;
  }
}

/// Vertical pass of two output rows at once: y0 = t0 + (b0 - t0) * w0, y1 likewise.
template <typename T>
#if defined(__GNUC__) && !defined(__clang__)
[[gnu::optimize("fp-contract=off")]]
#endif
inline void bilinear_blend2(const T* t0, const T* b0, const T* t1, const T* b1, T* y0, T* y1, Index len,
                            T w0, T w1, bool stream) {
  Index i = 0;
#if defined(__AVX__)
  // Explicit AVX (no alias-check versioning of six pointers), and for outputs bound for DRAM
  // streaming (non-temporal) stores: no read-for-ownership of the output lines. Same
  // operations in the same order as the scalar loop (no FMA), so the values are identical.
  if constexpr (std::is_same_v<T, float>) {
    const auto a0 = reinterpret_cast<std::uintptr_t>(y0), a1 = reinterpret_cast<std::uintptr_t>(y1);
    if (!stream) {
      const __m256 v0 = _mm256_set1_ps(w0), v1 = _mm256_set1_ps(w1);
      for (; i + 8 <= len; i += 8) {
        const __m256 top0 = _mm256_loadu_ps(t0 + i), top1 = _mm256_loadu_ps(t1 + i);
        const __m256 p0 = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(b0 + i), top0), v0);
        const __m256 p1 = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(b1 + i), top1), v1);
        _mm256_storeu_ps(y0 + i, _mm256_add_ps(top0, p0));
        _mm256_storeu_ps(y1 + i, _mm256_add_ps(top1, p1));
      }
    } else if (a0 % 32 == a1 % 32) {
      for (; i < len && (a0 + sizeof(T) * static_cast<std::size_t>(i)) % 32 != 0; ++i) {
        const T d0 = b0[i] - t0[i], p0 = d0 * w0;
        const T d1 = b1[i] - t1[i], p1 = d1 * w1;
        y0[i] = t0[i] + p0;
        y1[i] = t1[i] + p1;
      }
      const __m256 v0 = _mm256_set1_ps(w0), v1 = _mm256_set1_ps(w1);
      for (; i + 8 <= len; i += 8) {
        const __m256 top0 = _mm256_loadu_ps(t0 + i), top1 = _mm256_loadu_ps(t1 + i);
        const __m256 p0 = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(b0 + i), top0), v0);
        const __m256 p1 = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(b1 + i), top1), v1);
        _mm256_stream_ps(y0 + i, _mm256_add_ps(top0, p0));
        _mm256_stream_ps(y1 + i, _mm256_add_ps(top1, p1));
      }
    }
  }
#else
  (void)stream;
#endif
  for (; i < len; ++i) {
    const T d0 = b0[i] - t0[i], p0 = d0 * w0;
    const T d1 = b1[i] - t1[i], p1 = d1 * w1;
    y0[i] = t0[i] + p0;
    y1[i] = t1[i] + p1;
  }
}

/// Geometry and tables of one bilinear call, shared by its tasks.
template <typename T>
struct BilinearPlan {
  Index in_h, in_w, out_h, out_w, C;
  const Index *lo_y, *hi_y, *lo_x, *hi_x;
  const T *a_y, *a_x;
  ColumnPhases<T> phases;
  Index strip;  // output columns per strip
  bool stream;  // streaming stores (output larger than bilinear_stream_bytes)
};

/// Output rows [r0, r1) of one plane, strip by strip, with a two-row cache of interpolated
/// input rows (`cache0`, `cache1`: strip * C values each). One function, so that the per-row
/// work inlines into its loop (short channels_first rows would otherwise pay a call per row).
template <typename T>
#if defined(__GNUC__) && !defined(__clang__)
[[gnu::optimize("fp-contract=off")]]
#endif
void bilinear_task(const BilinearPlan<T>& p, const T* xp, T* yp, Index r0, Index r1, T* cache0, T* cache1) {
  const Index in_row = p.in_w * p.C, out_row = p.out_w * p.C;
  T* cache[2] = {cache0, cache1};
  for (Index ob = 0; ob < p.out_w; ob += p.strip) {
    const Index oe = std::min(p.out_w, ob + p.strip);
    Index cached[2] = {-1, -1};
    // Interpolated strip of input row `row`, computed into the slot not holding `keep`.
    auto fetch = [&](Index row, Index keep) -> const T* {
      if (cached[0] == row) return cache[0];
      if (cached[1] == row) return cache[1];
      const int slot = cached[0] == keep ? 1 : 0;
      bilinear_columns(xp + row * in_row, cache[slot], ob, oe, p.C, p.lo_x, p.hi_x, p.a_x, p.phases);
      cached[slot] = row;
      return cache[slot];
    };
    const Index len = (oe - ob) * p.C;
    for (Index r = r0; r < r1;) {
      const Index a = p.lo_y[r], b = p.hi_y[r];
      if (r + 1 < r1) {
        // Two output rows reading at most two input rows (e.g. rows 2j and 2j+1 of the legacy
        // mapping): one pass, so each cached row streams through the cache once for both.
        const Index c = p.lo_y[r + 1], d = p.hi_y[r + 1];
        const Index other = a != b ? b : c != a ? c : d;
        if ((c == a || c == other) && (d == a || d == other)) {
          const T* ra = fetch(a, other);
          const T* ro = fetch(other, a);
          auto row_of = [&](Index i) { return i == a ? ra : ro; };
          bilinear_blend2(row_of(a), row_of(b), row_of(c), row_of(d), yp + r * out_row + ob * p.C,
                          yp + (r + 1) * out_row + ob * p.C, len, p.a_y[r], p.a_y[r + 1], p.stream);
          r += 2;
          continue;
        }
      }
      const T* top = fetch(a, b);
      const T* bottom = fetch(b, a);
      bilinear_blend(top, bottom, yp + r * out_row + ob * p.C, len, p.a_y[r]);
      ++r;
    }
  }
#if defined(__AVX__)
  if (p.stream) _mm_sfence();  // order the streaming stores before the task counts as done
#endif
}

/// One-channel planes (channels_first data) whose columns are periodic: the horizontal pass of
/// the whole plane runs as one flat loop over all input rows (short rows would otherwise spend
/// their time in loop prologues and remainders), the columns near each row's ends are then
/// redone from the tables, and every output row is one blend of two rows of `h` (in_h * out_w
/// values).
template <typename T>
#if defined(__GNUC__) && !defined(__clang__)
[[gnu::optimize("fp-contract=off")]]
#endif
void bilinear_plane(const BilinearPlan<T>& p, const T* xp, T* yp, T* h) {
  const ColumnPhases<T>& ph = p.phases;
  const Index f = ph.f, W = p.in_w, OW = p.out_w;
  const Index jb = ph.j0, je = (p.in_h - 1) * W + ph.j1;  // flat interior, see the comment above
  if (f == 2) {
    const T* x0 = xp + ph.dlo[0];
    const T* x1 = xp + ph.dhi[0];
    const T* x2 = xp + ph.dlo[1];
    const T* x3 = xp + ph.dhi[1];
    const T w0 = ph.w[0], w1 = ph.w[1];
    for (Index j = jb; j < je; ++j) {
      const T l0 = x0[j], d0 = x1[j] - l0, p0 = d0 * w0;
      const T l1 = x2[j], d1 = x3[j] - l1, p1 = d1 * w1;
      h[2 * j] = l0 + p0;
      h[2 * j + 1] = l1 + p1;
    }
  } else {
    for (Index j = jb; j < je; ++j)
      for (Index r = 0; r < f; ++r) {
        const T l = xp[j + ph.dlo[u(r)]], d = xp[j + ph.dhi[u(r)]] - l, q = d * ph.w[u(r)];
        h[f * j + r] = l + q;
      }
  }
  for (Index row = 0; row < p.in_h; ++row) {  // row ends: outside the periodic stretch
    const T* xr = xp + row * W;
    T* hr = h + row * OW;
    for (Index o = 0; o < OW; ++o) {
      if (o == f * ph.j0) o = f * ph.j1;
      if (o >= OW) break;
      const T l = xr[p.lo_x[o]], d = xr[p.hi_x[o]] - l, q = d * p.a_x[o];
      hr[o] = l + q;
    }
  }
  for (Index r = 0; r < p.out_h; ++r)
    bilinear_blend(h + p.lo_y[r] * OW, h + p.hi_y[r] * OW, yp + r * OW, OW, p.a_y[r]);
}

/// Whether upsample_bilinear may use bilinear_plane (decided from the shape; it also needs
/// periodic columns, which the tables tell): one channel, out_w = f * in_w with f <= 8, and a
/// plane's interpolated rows within 256 KiB of floats.
inline bool bilinear_plane_mode(Index in_h, Index in_w, Index out_w, Index channels) {
  return channels == 1 && in_w >= 3 && out_w % in_w == 0 && out_w / in_w <= ColumnPhases<float>::max_phases &&
         in_h * out_w <= 65536;
}

inline std::size_t round_up_64(std::size_t bytes) { return (bytes + 63) / 64 * 64; }

/// Scratch bytes of one thread: the whole interpolated plane (plane mode) or two row strips.
template <typename T>
std::size_t bilinear_slot_bytes(Index in_h, Index in_w, Index out_w, Index channels) {
  const Index strip = std::min(out_w, std::max<Index>(1, bilinear_strip_elements / std::max<Index>(channels, 1)));
  const std::size_t rows = 2 * round_up_64(u(strip * channels) * sizeof(T));
  if (!bilinear_plane_mode(in_h, in_w, out_w, channels)) return rows;
  return std::max(rows, round_up_64(u(in_h * out_w) * sizeof(T)));
}

}  // namespace detail

/// Bytes of workspace upsample_bilinear needs: the two axis tables plus two interpolated rows
/// per thread.
template <typename T>
std::size_t upsample_bilinear_workspace_bytes(Index in_h, Index in_w, Index out_h, Index out_w,
                                              Index channels, int threads) {
  using detail::round_up_64;
  using detail::u;
  const std::size_t tables = round_up_64(u(out_h) * (2 * sizeof(Index) + sizeof(T))) +
                             round_up_64(u(out_w) * (2 * sizeof(Index) + sizeof(T)));
  return tables + u(threads) * detail::bilinear_slot_bytes<T>(in_h, in_w, out_w, channels);
}

/// Bilinear 2-D resize of `planes` channels_last images: x (planes, in_h, in_w, channels) ->
/// y (planes, out_h, out_w, channels), legacy or half-pixel mapping (see above); for
/// channels_first data pass planes = batch * channels and channels = 1. Tables are built once
/// per call in `workspace`; tasks are fixed blocks of output rows of one plane, so the result
/// is bit-identical for any thread count.
template <typename T>
void upsample_bilinear(const T* x, T* y, Index planes, Index in_h, Index in_w, Index channels,
                       Index out_h, Index out_w, bool half_pixel, Workspace& workspace,
                       const ThreadPool& pool) {
  static_assert(std::is_floating_point_v<T>, "ktl::kernels::upsample_bilinear: T must be float or double");
  using detail::round_up_64;
  using detail::u;
  if (planes * out_h * out_w * channels == 0) return;
  const int threads = pool.num_threads();
  auto* base = workspace.request<unsigned char>(
      static_cast<Index>(upsample_bilinear_workspace_bytes<T>(in_h, in_w, out_h, out_w, channels, threads)));
  auto* lo_y = reinterpret_cast<Index*>(base);
  Index* hi_y = lo_y + out_h;
  auto* a_y = reinterpret_cast<T*>(hi_y + out_h);
  base += round_up_64(u(out_h) * (2 * sizeof(Index) + sizeof(T)));
  auto* lo_x = reinterpret_cast<Index*>(base);
  Index* hi_x = lo_x + out_w;
  auto* a_x = reinterpret_cast<T*>(hi_x + out_w);
  base += round_up_64(u(out_w) * (2 * sizeof(Index) + sizeof(T)));
  const std::size_t slot_bytes = detail::bilinear_slot_bytes<T>(in_h, in_w, out_w, channels);
  const std::size_t row_bytes = slot_bytes / 2 / 64 * 64;
  detail::bilinear_axis(in_h, out_h, half_pixel, lo_y, hi_y, a_y);
  detail::bilinear_axis(in_w, out_w, half_pixel, lo_x, hi_x, a_x);
  const detail::ColumnPhases<T> phases = channels == 1
                                             ? detail::find_column_phases(in_w, out_w, lo_x, hi_x, a_x)
                                             : detail::ColumnPhases<T>{};

  // Blocks of output rows (big enough that re-interpolating a block's first input rows is
  // cheap), and within a block column strips of at most bilinear_strip_elements values. All
  // fixed by the shape alone.
  const Index out_row = out_w * channels;
  const detail::BilinearPlan<T> plan{in_h, in_w, out_h, out_w, channels, lo_y, hi_y, lo_x, hi_x, a_y, a_x,
                                     phases, std::min(out_w, std::max<Index>(1, bilinear_strip_elements / channels)),
                                     u(planes * out_h * out_row) * sizeof(T) > bilinear_stream_bytes};
  if (phases.f > 0 && detail::bilinear_plane_mode(in_h, in_w, out_w, channels)) {  // one task per plane
    pool.parallel_for(planes, [&](Index plane, int slot) {
      detail::bilinear_plane(plan, x + plane * in_h * in_w, y + plane * out_h * out_w,
                             reinterpret_cast<T*>(base + u(slot) * slot_bytes));
    });
    return;
  }
  const Index rows_per_task = std::min(out_h, std::max<Index>(16, copy_chunk_elements / std::max<Index>(out_row, 1)));
  const Index blocks = (out_h + rows_per_task - 1) / rows_per_task;
  pool.parallel_for(planes * blocks, [&](Index task, int slot) {
    const Index plane = task / blocks, r0 = (task % blocks) * rows_per_task;
    detail::bilinear_task(plan, x + plane * in_h * in_w * channels, y + plane * out_h * out_row, r0,
                          std::min(out_h, r0 + rows_per_task),
                          reinterpret_cast<T*>(base + u(slot) * slot_bytes),
                          reinterpret_cast<T*>(base + u(slot) * slot_bytes + row_bytes));
  });
}

}  // namespace ktl::kernels
