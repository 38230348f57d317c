// Layout shuffles between channels_first (N, C, S...) and channels_last (N, S..., C) data, used
// by layers whose kernels work in channels_last. Cache-blocked transposes of each batch item's
// (C x S) matrix, parallel over fixed tiles.
#pragma once

#include <algorithm>

#include <ktl/core/parallel.hpp>
#include <ktl/core/tensor.hpp>

namespace ktl::kernels {

/// out[b][j][i] = in[b][i][j] for `batch` row-major (rows x cols) matrices.
template <typename T>
void transpose_batched(const T* in, T* out, Index batch, Index rows, Index cols,
                       const ThreadPool& pool) {
  constexpr Index tile = 32;
  const Index row_tiles = (rows + tile - 1) / tile;
  pool.parallel_for(batch * row_tiles, [&](Index task) {
    const Index b = task / row_tiles;
    const Index r0 = (task % row_tiles) * tile;
    const Index r1 = std::min(rows, r0 + tile);
    const T* src = in + b * rows * cols;
    T* dst = out + b * rows * cols;
    for (Index c0 = 0; c0 < cols; c0 += tile) {
      const Index c1 = std::min(cols, c0 + tile);
      for (Index r = r0; r < r1; ++r)
        for (Index c = c0; c < c1; ++c) dst[c * rows + r] = src[r * cols + c];
    }
  });
}

/// (N, C, S) -> (N, S, C), S the product of the spatial extents.
template <typename T>
void channels_first_to_last(const T* in, T* out, Index batch, Index channels, Index spatial,
                            const ThreadPool& pool) {
  transpose_batched(in, out, batch, channels, spatial, pool);
}

/// (N, S, C) -> (N, C, S), S the product of the spatial extents.
template <typename T>
void channels_last_to_first(const T* in, T* out, Index batch, Index spatial, Index channels,
                            const ThreadPool& pool) {
  transpose_batched(in, out, batch, spatial, channels, pool);
}

}  // namespace ktl::kernels
