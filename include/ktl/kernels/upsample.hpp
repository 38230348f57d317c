// Nearest up-sampling kernel (keras.layers.UpSampling1D/2D/3D, and UpSampling2D's default
// interpolation) on channels_last boxes: each output row is produced once and copied to the rows
// that repeat it. Bilinear is in upsample_bilinear.hpp.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <type_traits>

#include <ktl/core/tensor.hpp>
#include <ktl/core/parallel.hpp>
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

}  // namespace ktl::kernels
