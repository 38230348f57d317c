// Copy kernels of Cropping and ZeroPadding (keras.layers.Cropping1D/2D/3D, ZeroPadding1D/2D/3D):
// a shifted window of a channels_last box, moved as memcpy of contiguous runs with memset
// borders, so every output byte is written exactly once. Memory-bound by design.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <type_traits>

#include <ktl/core/tensor.hpp>
#include <ktl/core/parallel.hpp>

namespace ktl::kernels {

/// Elements a task of the copy kernels moves at most (64 KiB of floats): large enough to hide
/// the per-task cost, small enough to balance two or more threads on one image.
inline constexpr Index copy_chunk_elements = 16384;

namespace detail {

/// A channels_last box reduced to its essentials: `n` spatial axes (0..3) between a batch axis
/// and a channel axis. Axes that a copy leaves untouched are folded into their neighbours, so
/// "crop rows only" becomes a copy of long contiguous runs.
struct Box {
  Index batch = 1;
  int n = 0;
  std::array<Index, 3> in{};
  std::array<Index, 3> out{};
  std::array<Index, 3> shift{};  // input index = output index + shift
  Index channels = 1;
};

constexpr std::size_t u(Index i) { return static_cast<std::size_t>(i); }

/// Folds untouched trailing axes into the channels and untouched leading axes into the batch.
inline Box fold_untouched(Box b) {
  while (b.n > 0 && b.in[u(b.n - 1)] == b.out[u(b.n - 1)] && b.shift[u(b.n - 1)] == 0) {
    b.channels *= b.in[u(b.n - 1)];
    --b.n;
  }
  while (b.n > 0 && b.in[0] == b.out[0] && b.shift[0] == 0) {
    b.batch *= b.in[0];
    for (int a = 1; a < b.n; ++a) {
      b.in[u(a - 1)] = b.in[u(a)];
      b.out[u(a - 1)] = b.out[u(a)];
      b.shift[u(a - 1)] = b.shift[u(a)];
    }
    --b.n;
  }
  return b;
}

/// Runs shorter than this many bytes are moved by inline code: a libc call per run of a
/// channels_first row (a few hundred bytes) would cost as much as the copy itself.
inline constexpr std::size_t inline_copy_bytes = 512;

/// y[0, n) = x[0, n): memcpy for long runs, fixed-size (inlined) 32-byte moves for short ones.
template <typename T>
inline void copy_elements(T* y, const T* x, Index n) {
  const std::size_t bytes = u(n) * sizeof(T);
  if (bytes >= inline_copy_bytes) {
    std::memcpy(y, x, bytes);
    return;
  }
  unsigned char* d = reinterpret_cast<unsigned char*>(y);
  const unsigned char* s = reinterpret_cast<const unsigned char*>(x);
  std::size_t i = 0;
  for (; i + 32 <= bytes; i += 32) std::memcpy(d + i, s + i, 32);
  if (i + 16 <= bytes) {
    std::memcpy(d + i, s + i, 16);
    i += 16;
  }
  if (i + 8 <= bytes) {
    std::memcpy(d + i, s + i, 8);
    i += 8;
  }
  if (i + 4 <= bytes) {
    std::memcpy(d + i, s + i, 4);
    i += 4;
  }
  for (; i < bytes; ++i) d[i] = s[i];
}

/// y[0, n) = 0 (all-zero bytes are 0.0 for IEEE float and double).
template <typename T>
inline void zero_elements(T* y, Index n) {
  const std::size_t bytes = u(n) * sizeof(T);
  if (bytes >= inline_copy_bytes) {
    std::memset(y, 0, bytes);
    return;
  }
  unsigned char* d = reinterpret_cast<unsigned char*>(y);
  std::size_t i = 0;
  for (; i + 32 <= bytes; i += 32) std::memset(d + i, 0, 32);
  if (i + 16 <= bytes) {
    std::memset(d + i, 0, 16);
    i += 16;
  }
  if (i + 8 <= bytes) {
    std::memset(d + i, 0, 8);
    i += 8;
  }
  if (i + 4 <= bytes) {
    std::memset(d + i, 0, 4);
    i += 4;
  }
  for (; i < bytes; ++i) d[i] = 0;
}

/// Writes positions [s0, s1) of one output run of `len` values laid out as
/// [zeros up to `copy_begin` | x_run[p - copy_begin] up to `copy_end` | zeros]. A null x_run
/// means the whole run is zero.
template <typename T>
void write_run(T* y_run, const T* x_run, Index copy_begin, Index copy_end, Index s0, Index s1) {
  if (!x_run) {
    zero_elements(y_run + s0, s1 - s0);
    return;
  }
  const Index z0 = std::min(copy_begin, s1);
  if (s0 < z0) zero_elements(y_run + s0, z0 - s0);
  const Index c0 = std::max(s0, copy_begin), c1 = std::min(s1, copy_end);
  if (c0 < c1) copy_elements(y_run + c0, x_run + (c0 - copy_begin), c1 - c0);
  const Index z1 = std::max(copy_end, s0);
  if (z1 < s1) zero_elements(y_run + z1, s1 - z1);
}

}  // namespace detail

/// Shifted-window copy of a channels_last box: for every batch item and output position o
/// (n spatial axes), y[b, o, c] = x[b, o + shift, c] when that input position exists, else 0.
/// Cropping is shift = +before (never out of range); zero padding is shift = -before.
/// x: (batch, in..., channels), y: (batch, out..., channels), both contiguous row-major.
/// Work is split into fixed tasks of whole output runs (or run segments), whatever the thread
/// count; every output element is written once, by memcpy or memset.
template <typename T, int N>
void copy_window(const T* x, T* y, Index batch, const std::array<Index, static_cast<std::size_t>(N)>& in,
                 Index channels, const std::array<Index, static_cast<std::size_t>(N)>& out,
                 const std::array<Index, static_cast<std::size_t>(N)>& shift, const ThreadPool& pool) {
  static_assert(std::is_trivially_copyable_v<T>, "ktl::kernels::copy_window: T must be trivially copyable");
  static_assert(N >= 0 && N <= 3, "ktl::kernels::copy_window: N is the spatial rank; use 0 to 3");
  using detail::u;
  detail::Box box;
  box.batch = batch;
  box.n = N;
  box.channels = channels;
  for (int a = 0; a < N; ++a) {
    box.in[u(a)] = in[u(a)];
    box.out[u(a)] = out[u(a)];
    box.shift[u(a)] = shift[u(a)];
  }
  box = detail::fold_untouched(box);
  const Index total_out = [&] {
    Index t = box.batch * box.channels;
    for (int a = 0; a < box.n; ++a) t *= box.out[u(a)];
    return t;
  }();
  if (total_out == 0) return;
  if (box.n == 0) {  // nothing moves: one contiguous copy, split into fixed chunks
    const Index tasks = (total_out + copy_chunk_elements - 1) / copy_chunk_elements;
    pool.parallel_for(tasks, [&](Index t) {
      const Index s0 = t * copy_chunk_elements, s1 = std::min(total_out, s0 + copy_chunk_elements);
      std::memcpy(y + s0, x + s0, u(s1 - s0) * sizeof(T));
    });
    return;
  }
  // A "run" is one output row along the last spatial axis, channels included: contiguous in
  // both tensors. Its layout is [zeros | copied input row | zeros].
  const int last = box.n - 1;
  const Index C = box.channels;
  const Index run_len = box.out[u(last)] * C;
  const Index in_run_len = box.in[u(last)] * C;
  const Index first_valid = std::clamp<Index>(-box.shift[u(last)], 0, box.out[u(last)]);
  const Index end_valid = std::clamp<Index>(box.in[u(last)] - box.shift[u(last)], first_valid, box.out[u(last)]);
  const Index copy_begin = first_valid * C, copy_end = end_valid * C;
  // Input value of output position copy_begin within a run.
  const T* x_offset = x + (first_valid + box.shift[u(last)]) * C;
  Index runs = box.batch;
  for (int a = 0; a < last; ++a) runs *= box.out[u(a)];

  // Input value of output run `r`'s position copy_begin, or null when the run lies in the
  // padding of an outer axis. `o` holds the run's outer output indices (batch, axes 0..last-1).
  auto source_at = [&](const std::array<Index, 4>& o) -> const T* {  // (long-run segments)
    Index in_offset = o[0];
    for (int a = 0; a < last; ++a) {
      const Index i = o[u(a + 1)] + box.shift[u(a)];
      if (i < 0 || i >= box.in[u(a)]) return nullptr;
      in_offset = in_offset * box.in[u(a)] + i;
    }
    return x_offset + in_offset * in_run_len;
  };
  // Outer output indices of run r (divisions: once per task, never per run).
  auto decode = [&](Index r) {
    std::array<Index, 4> o{};
    for (int a = last - 1; a >= 0; --a) {
      o[u(a + 1)] = r % box.out[u(a)];
      r /= box.out[u(a)];
    }
    o[0] = r;
    return o;
  };
  auto advance = [&](std::array<Index, 4>& o) {
    for (int a = last - 1; a >= 0; --a) {
      if (++o[u(a + 1)] < box.out[u(a)]) return;
      o[u(a + 1)] = 0;
    }
    ++o[0];
  };

  const Index segments = (run_len + copy_chunk_elements - 1) / copy_chunk_elements;
  if (segments > 1) {  // long runs: one task per fixed segment of a run
    pool.parallel_for(runs * segments, [&](Index t) {
      const Index r = t / segments, s = t % segments;
      const Index s0 = s * copy_chunk_elements, s1 = std::min(run_len, s0 + copy_chunk_elements);
      detail::write_run(y + r * run_len, source_at(decode(r)), copy_begin, copy_end, s0, s1);
    });
    return;
  }
  const Index runs_per_task = std::max<Index>(1, copy_chunk_elements / std::max<Index>(run_len, 1));
  const Index tasks = (runs + runs_per_task - 1) / runs_per_task;
  // Whole runs. Consecutive runs differ only in the innermost outer axis (or, without outer
  // axes, in the batch), so the source pointer of the block of runs sharing the other indices
  // is computed once and the inner loop only steps pointers.
  const Index inner_out = last > 0 ? box.out[u(last - 1)] : runs;
  const Index inner_in = last > 0 ? box.in[u(last - 1)] : runs;
  const Index inner_shift = last > 0 ? box.shift[u(last - 1)] : 0;
  pool.parallel_for(tasks, [&](Index t) {
    const Index r0 = t * runs_per_task, r1 = std::min(runs, r0 + runs_per_task);
    std::array<Index, 4> o = decode(r0);
    Index r = r0;
    // Zeros of adjacent runs (one run's tail, the next run's head, whole padding runs) are
    // contiguous in y: they are written as one region when the next copy (or the task) starts.
    T* zero_from = y + r0 * run_len;
    while (r < r1) {
      // Source of inner index 0 of this block (may lie outside the input; checked per run).
      const Index j0 = last > 0 ? o[u(last)] : r;
      const Index count = std::min(r1 - r, inner_out - j0);
      const T* block = nullptr;
      if (last > 0) {
        std::array<Index, 4> first = o;
        first[u(last)] = 0;
        Index in_offset = first[0];
        bool inside = true;
        for (int a = 0; a + 1 < last; ++a) {
          const Index i = first[u(a + 1)] + box.shift[u(a)];
          inside = inside && i >= 0 && i < box.in[u(a)];
          in_offset = in_offset * box.in[u(a)] + i;
        }
        if (inside) block = x_offset + in_offset * box.in[u(last - 1)] * in_run_len;
      } else {
        block = x_offset;
      }
      T* dst = y + r * run_len;
      for (Index j = j0; j < j0 + count; ++j, dst += run_len) {
        const Index i = j + inner_shift;
        if (!block || i < 0 || i >= inner_in) continue;  // the whole run joins the pending zeros
        detail::zero_elements(zero_from, (dst + copy_begin) - zero_from);
        detail::copy_elements(dst + copy_begin, block + i * in_run_len, copy_end - copy_begin);
        zero_from = dst + copy_end;
      }
      r += count;
      if (last > 0) {
        o[u(last)] = j0 + count - 1;
        advance(o);
      }
    }
    detail::zero_elements(zero_from, (y + r1 * run_len) - zero_from);
  });
}

/// Cropping: y[b, o, c] = x[b, o + before, c] for o in [0, out). x: (batch, in..., channels),
/// y: (batch, out..., channels) with out = in - before - after >= 1 on every axis (the caller
/// checks). Pure row memcpy.
template <typename T, int N>
void crop(const T* x, T* y, Index batch, const std::array<Index, static_cast<std::size_t>(N)>& in,
          Index channels, const std::array<Index, static_cast<std::size_t>(N)>& before,
          const std::array<Index, static_cast<std::size_t>(N)>& out, const ThreadPool& pool) {
  copy_window<T, N>(x, y, batch, in, channels, out, before, pool);
}

/// Zero padding: y[b, o, c] = x[b, o - before, c] inside the input, exactly 0 elsewhere.
/// x: (batch, in..., channels), y: (batch, out..., channels) with out = in + before + after.
/// Borders are memset and interior runs memcpy'd: each output byte is written once.
template <typename T, int N>
void zero_pad(const T* x, T* y, Index batch, const std::array<Index, static_cast<std::size_t>(N)>& in,
              Index channels, const std::array<Index, static_cast<std::size_t>(N)>& before,
              const std::array<Index, static_cast<std::size_t>(N)>& out, const ThreadPool& pool) {
  std::array<Index, static_cast<std::size_t>(N)> shift{};
  for (std::size_t a = 0; a < shift.size(); ++a) shift[a] = -before[a];
  copy_window<T, N>(x, y, batch, in, channels, out, shift, pool);
}

}  // namespace ktl::kernels
