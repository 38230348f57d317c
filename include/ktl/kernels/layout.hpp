// Layout shuffles between channels_first (N, C, S...) and channels_last (N, S..., C) data, used
// by layers whose kernels work in channels_last. Cache-blocked transposes of each batch item's
// (C x S) matrix, parallel over fixed tiles.
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>

#if defined(__AVX__)
#include <immintrin.h>
#endif

#include <ktl/core/parallel.hpp>
#include <ktl/core/tensor.hpp>

namespace ktl::kernels {
namespace detail {

/// dst[c * ld_dst + r] = src[r * ld_src + c] for an 8 x 8 block of floats (AVX: 24 shuffles
/// instead of 64 scalar moves; 4 byte-exact copies of the same values).
#if defined(__AVX__)
inline void transpose8x8(const float* src, Index ld_src, float* dst, Index ld_dst) {
  __m256 r0 = _mm256_loadu_ps(src + 0 * ld_src), r1 = _mm256_loadu_ps(src + 1 * ld_src);
  __m256 r2 = _mm256_loadu_ps(src + 2 * ld_src), r3 = _mm256_loadu_ps(src + 3 * ld_src);
  __m256 r4 = _mm256_loadu_ps(src + 4 * ld_src), r5 = _mm256_loadu_ps(src + 5 * ld_src);
  __m256 r6 = _mm256_loadu_ps(src + 6 * ld_src), r7 = _mm256_loadu_ps(src + 7 * ld_src);
  const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
  const __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  _mm256_storeu_ps(dst + 0 * ld_dst, _mm256_permute2f128_ps(u0, u4, 0x20));
  _mm256_storeu_ps(dst + 1 * ld_dst, _mm256_permute2f128_ps(u1, u5, 0x20));
  _mm256_storeu_ps(dst + 2 * ld_dst, _mm256_permute2f128_ps(u2, u6, 0x20));
  _mm256_storeu_ps(dst + 3 * ld_dst, _mm256_permute2f128_ps(u3, u7, 0x20));
  _mm256_storeu_ps(dst + 4 * ld_dst, _mm256_permute2f128_ps(u0, u4, 0x31));
  _mm256_storeu_ps(dst + 5 * ld_dst, _mm256_permute2f128_ps(u1, u5, 0x31));
  _mm256_storeu_ps(dst + 6 * ld_dst, _mm256_permute2f128_ps(u2, u6, 0x31));
  _mm256_storeu_ps(dst + 7 * ld_dst, _mm256_permute2f128_ps(u3, u7, 0x31));
}
#endif

#if defined(__AVX512F__)
/// The same for a 16 x 16 block: every source and destination cache line is read or written once,
/// whole (no partial-line traffic even when both strides are multiples of 4 KB).
inline void transpose16x16(const float* src, Index ld_src, float* dst, Index ld_dst) {
  // The maskz forms with a full mask are the plain instructions; they avoid GCC 12's false
  // -Wuninitialized on _mm512_undefined_ps() inside the unmasked intrinsics.
  const __mmask16 all = 0xFFFF;
  __m512 r[16], t[16];
  for (int i = 0; i < 16; ++i) r[i] = _mm512_loadu_ps(src + i * ld_src);
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_maskz_unpacklo_ps(all, r[i], r[i + 1]);
    t[i + 1] = _mm512_maskz_unpackhi_ps(all, r[i], r[i + 1]);
  }
  for (int g = 0; g < 16; g += 4) {  // u[g + j], lane L: column 4L + j of rows g..g+3
    r[g + 0] = _mm512_maskz_shuffle_ps(all, t[g + 0], t[g + 2], 0x44);
    r[g + 1] = _mm512_maskz_shuffle_ps(all, t[g + 0], t[g + 2], 0xEE);
    r[g + 2] = _mm512_maskz_shuffle_ps(all, t[g + 1], t[g + 3], 0x44);
    r[g + 3] = _mm512_maskz_shuffle_ps(all, t[g + 1], t[g + 3], 0xEE);
  }
  for (int j = 0; j < 4; ++j) {
    const __m512 v = _mm512_maskz_shuffle_f32x4(all, r[j], r[4 + j], 0x88);
    const __m512 w = _mm512_maskz_shuffle_f32x4(all, r[j], r[4 + j], 0xDD);
    const __m512 v2 = _mm512_maskz_shuffle_f32x4(all, r[8 + j], r[12 + j], 0x88);
    const __m512 w2 = _mm512_maskz_shuffle_f32x4(all, r[8 + j], r[12 + j], 0xDD);
    _mm512_storeu_ps(dst + (0 + j) * ld_dst, _mm512_maskz_shuffle_f32x4(all, v, v2, 0x88));
    _mm512_storeu_ps(dst + (4 + j) * ld_dst, _mm512_maskz_shuffle_f32x4(all, w, w2, 0x88));
    _mm512_storeu_ps(dst + (8 + j) * ld_dst, _mm512_maskz_shuffle_f32x4(all, v, v2, 0xDD));
    _mm512_storeu_ps(dst + (12 + j) * ld_dst, _mm512_maskz_shuffle_f32x4(all, w, w2, 0xDD));
  }
}
#endif

/// dst[c * ld_dst + r] = src[r * ld_src + c] for a 16 x 16 block of any type.
template <typename T>
void transpose16x16(const T* src, Index ld_src, T* dst, Index ld_dst) {
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<T, float>) {
    transpose16x16(src, ld_src, dst, ld_dst);
    return;
  }
#elif defined(__AVX__)
  if constexpr (std::is_same_v<T, float>) {
    for (Index rb = 0; rb < 16; rb += 8)
      for (Index cb = 0; cb < 16; cb += 8)
        transpose8x8(src + rb * ld_src + cb, ld_src, dst + cb * ld_dst + rb, ld_dst);
    return;
  }
#endif
  T tile[256];
  for (Index r = 0; r < 16; ++r)
    for (Index c = 0; c < 16; ++c) tile[c * 16 + r] = src[r * ld_src + c];
  for (Index c = 0; c < 16; ++c)
    for (Index r = 0; r < 16; ++r) dst[c * ld_dst + r] = tile[c * 16 + r];
}

/// dst[c * ld_dst + r] = src[r * ld_src + c] for a rows x cols block: 16 x 16 blocks, destination
/// rows outermost (each group of 16 destination lines is filled front to back), scalar edges.
template <typename T>
void transpose_block(const T* src, Index ld_src, T* dst, Index ld_dst, Index rows, Index cols) {
  const Index rows16 = rows / 16 * 16, cols16 = cols / 16 * 16;
  for (Index c0 = 0; c0 < cols16; c0 += 16) {
    for (Index r0 = 0; r0 < rows16; r0 += 16)
      transpose16x16(src + r0 * ld_src + c0, ld_src, dst + c0 * ld_dst + r0, ld_dst);
    for (Index c = c0; c < c0 + 16; ++c)
      for (Index r = rows16; r < rows; ++r) dst[c * ld_dst + r] = src[r * ld_src + c];
  }
  for (Index c = cols16; c < cols; ++c)
    for (Index r = 0; r < rows; ++r) dst[c * ld_dst + r] = src[r * ld_src + c];
}

}  // namespace detail

/// out[b][j][i] = in[b][i][j] for `batch` row-major (rows x cols) matrices.
/// 16 x 16 blocks in registers (AVX-512 / AVX for float), so every destination cache line is
/// written once and whole (a direct element-wise transpose rewrites each destination line 16-32
/// times and, with power-of-two strides such as 1024 floats, thrashes one L1 set). Tasks are
/// fixed bands of 64 rows per matrix, independent of the thread count.
template <typename T>
void transpose_batched(const T* in, T* out, Index batch, Index rows, Index cols,
                       const ThreadPool& pool) {
  constexpr Index band = 64;
  const Index bands = (rows + band - 1) / band;
  pool.parallel_for(batch * bands, [&](Index task) {
    const Index b = task / bands;
    const Index r0 = (task % bands) * band;
    const Index rn = std::min(band, rows - r0);
    const T* src = in + b * rows * cols;
    T* dst = out + b * rows * cols;
    if (rows < 16) {  // e.g. 3 channels: read `rows` streams, write whole output rows
      for (Index c = 0; c < cols; ++c)
        for (Index r = 0; r < rows; ++r) dst[c * rows + r] = src[r * cols + c];
      return;
    }
    detail::transpose_block(src + r0 * cols, cols, dst + r0, rows, rn, cols);
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
