// Single-threaded dense matrix product on raw row-major buffers, the building block of the
// convolution kernels (callers split work into tiles and run tiles on the thread pool).
//
// Algorithm (the classic Goto/BLIS scheme, reduced to what convolution tiles need): K is cut into
// balanced blocks of at most kc_max values; for each block and each MR-row strip of A, the strip
// is packed k-major into a small stack buffer (MR x kc, stays in L1), then a register-blocked
// micro-kernel multiplies it with every NR-column panel of B, read in place (row-major B rows are
// contiguous, so no packing of B is needed; a convolution's B is the Keras kernel itself).
// The micro-kernel keeps an MR x NR block of C in vector registers: AVX-512 (14 x 2 vectors),
// AVX2+FMA (6 x 2 vectors), SSE2 (x86-64 baseline, 6 x 2 vectors) or a portable scalar version,
// chosen by the compiler's feature macros (__AVX512F__, __AVX2__ && __FMA__, __SSE2__). Every path sums each C element in the same fixed order
// (k ascending inside a block, blocks ascending), so results never depend on how callers tile M.
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>
#include <utility>

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <ktl/core/tensor.hpp>

namespace ktl::kernels {
namespace detail {

/// Calls f(std::integral_constant<int, I>) for I = 0..N-1, unrolled at compile time (keeps the
/// micro-kernel's accumulators in registers at any optimisation level that inlines).
template <typename F, int... Is>
inline void unroll_impl(F&& f, std::integer_sequence<int, Is...>) {
  (f(std::integral_constant<int, Is>{}), ...);
}
template <int N, typename F>
inline void unroll(F&& f) {
  unroll_impl(std::forward<F>(f), std::make_integer_sequence<int, N>{});
}

/// Portable "vector" of one scalar: the always-correct path (compilers auto-vectorise it).
template <typename T>
struct ScalarOps {
  using V = T;
  using Mask = bool;
  static constexpr int width = 1;
  static constexpr int mr = 4;
  static constexpr int nv = 8;
  static V zero() { return T(0); }
  static V load(const T* p) { return *p; }
  static V load(const T* p, Mask m) { return m ? *p : T(0); }
  static void store(T* p, V v) { *p = v; }
  static void store(T* p, V v, Mask m) {
    if (m) *p = v;
  }
  static V fma(const T* a, V b, V c) { return *a * b + c; }
  static Mask mask(int lanes) { return lanes > 0; }
};

#if defined(__AVX512F__)
struct Avx512Float {
  using T = float;
  using V = __m512;
  using Mask = __mmask16;
  static constexpr int width = 16;
  static constexpr int mr = 14;
  static constexpr int nv = 2;
  static V zero() { return _mm512_setzero_ps(); }
  static V load(const T* p) { return _mm512_loadu_ps(p); }
  static V load(const T* p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static void store(T* p, V v) { _mm512_storeu_ps(p, v); }
  static void store(T* p, V v, Mask m) { _mm512_mask_storeu_ps(p, m, v); }
  static V fma(const T* a, V b, V c) { return _mm512_fmadd_ps(_mm512_set1_ps(*a), b, c); }
  static Mask mask(int lanes) {
    return lanes >= 16 ? Mask(0xFFFF) : lanes <= 0 ? Mask(0) : static_cast<Mask>((1u << lanes) - 1u);
  }
};
struct Avx512Double {
  using T = double;
  using V = __m512d;
  using Mask = __mmask8;
  static constexpr int width = 8;
  static constexpr int mr = 14;
  static constexpr int nv = 2;
  static V zero() { return _mm512_setzero_pd(); }
  static V load(const T* p) { return _mm512_loadu_pd(p); }
  static V load(const T* p, Mask m) { return _mm512_maskz_loadu_pd(m, p); }
  static void store(T* p, V v) { _mm512_storeu_pd(p, v); }
  static void store(T* p, V v, Mask m) { _mm512_mask_storeu_pd(p, m, v); }
  static V fma(const T* a, V b, V c) { return _mm512_fmadd_pd(_mm512_set1_pd(*a), b, c); }
  static Mask mask(int lanes) {
    return lanes >= 8 ? Mask(0xFF) : lanes <= 0 ? Mask(0) : static_cast<Mask>((1u << lanes) - 1u);
  }
};
template <typename T>
using BestOps = std::conditional_t<std::is_same_v<T, float>, Avx512Float,
                                   std::conditional_t<std::is_same_v<T, double>, Avx512Double,
                                                      ScalarOps<T>>>;
#elif defined(__AVX2__) && defined(__FMA__)
struct Avx2Float {
  using T = float;
  using V = __m256;
  using Mask = __m256i;
  static constexpr int width = 8;
  static constexpr int mr = 6;
  static constexpr int nv = 2;
  static V zero() { return _mm256_setzero_ps(); }
  static V load(const T* p) { return _mm256_loadu_ps(p); }
  static V load(const T* p, Mask m) { return _mm256_maskload_ps(p, m); }
  static void store(T* p, V v) { _mm256_storeu_ps(p, v); }
  static void store(T* p, V v, Mask m) { _mm256_maskstore_ps(p, m, v); }
  static V fma(const T* a, V b, V c) { return _mm256_fmadd_ps(_mm256_broadcast_ss(a), b, c); }
  static Mask mask(int lanes) {
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(lanes), idx);
  }
};
struct Avx2Double {
  using T = double;
  using V = __m256d;
  using Mask = __m256i;
  static constexpr int width = 4;
  static constexpr int mr = 6;
  static constexpr int nv = 2;
  static V zero() { return _mm256_setzero_pd(); }
  static V load(const T* p) { return _mm256_loadu_pd(p); }
  static V load(const T* p, Mask m) { return _mm256_maskload_pd(p, m); }
  static void store(T* p, V v) { _mm256_storeu_pd(p, v); }
  static void store(T* p, V v, Mask m) { _mm256_maskstore_pd(p, m, v); }
  static V fma(const T* a, V b, V c) { return _mm256_fmadd_pd(_mm256_broadcast_sd(a), b, c); }
  static Mask mask(int lanes) {
    const __m256i idx = _mm256_setr_epi64x(0, 1, 2, 3);
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(lanes), idx);
  }
};
template <typename T>
using BestOps = std::conditional_t<std::is_same_v<T, float>, Avx2Float,
                                   std::conditional_t<std::is_same_v<T, double>, Avx2Double,
                                                      ScalarOps<T>>>;
#elif defined(__SSE2__)
/// x86-64 baseline (no FMA): 4-lane multiply + add. Partial vectors go through a small buffer.
struct Sse2Float {
  using T = float;
  using V = __m128;
  using Mask = int;  // valid lanes
  static constexpr int width = 4;
  static constexpr int mr = 6;
  static constexpr int nv = 2;
  static V zero() { return _mm_setzero_ps(); }
  static V load(const T* p) { return _mm_loadu_ps(p); }
  static V load(const T* p, Mask m) {
    if (m >= 4) return _mm_loadu_ps(p);
    alignas(16) T t[4] = {0, 0, 0, 0};
    for (int i = 0; i < m; ++i) t[i] = p[i];
    return _mm_load_ps(t);
  }
  static void store(T* p, V v) { _mm_storeu_ps(p, v); }
  static void store(T* p, V v, Mask m) {
    if (m >= 4) return _mm_storeu_ps(p, v);
    alignas(16) T t[4];
    _mm_store_ps(t, v);
    for (int i = 0; i < m; ++i) p[i] = t[i];
  }
  static V fma(const T* a, V b, V c) { return _mm_add_ps(_mm_mul_ps(_mm_set1_ps(*a), b), c); }
  static Mask mask(int lanes) { return lanes; }
};
struct Sse2Double {
  using T = double;
  using V = __m128d;
  using Mask = int;
  static constexpr int width = 2;
  static constexpr int mr = 6;
  static constexpr int nv = 2;
  static V zero() { return _mm_setzero_pd(); }
  static V load(const T* p) { return _mm_loadu_pd(p); }
  static V load(const T* p, Mask m) { return m >= 2 ? _mm_loadu_pd(p) : m == 1 ? _mm_load_sd(p) : _mm_setzero_pd(); }
  static void store(T* p, V v) { _mm_storeu_pd(p, v); }
  static void store(T* p, V v, Mask m) {
    if (m >= 2)
      _mm_storeu_pd(p, v);
    else if (m == 1)
      _mm_store_sd(p, v);
  }
  static V fma(const T* a, V b, V c) { return _mm_add_pd(_mm_mul_pd(_mm_set1_pd(*a), b), c); }
  static Mask mask(int lanes) { return lanes; }
};
template <typename T>
using BestOps = std::conditional_t<std::is_same_v<T, float>, Sse2Float,
                                   std::conditional_t<std::is_same_v<T, double>, Sse2Double,
                                                      ScalarOps<T>>>;
#else
template <typename T>
using BestOps = ScalarOps<T>;
#endif

/// C[0:m_valid, 0:n_valid] (=|+=) Ap * B for one MR x NR block, NR = nv * width.
/// Ap: kc x MR packed (k-major), B: kc rows of ldb, C rows of ldc. Full: n_valid == NR.
template <typename Ops, bool Full, typename T>
void micro_kernel(Index kc, const T* ap, const T* b, Index ldb, T* c, Index ldc, int m_valid,
                  int n_valid, bool accumulate, const T* bias) {
  using V = typename Ops::V;
  using Mask = typename Ops::Mask;
  constexpr int MR = Ops::mr, NV = Ops::nv, W = Ops::width;
  V acc[std::size_t(MR)][std::size_t(NV)];
  Mask masks[std::size_t(NV)];
  unroll<NV>([&](auto v) { masks[v] = Ops::mask(n_valid - v * W); });
  unroll<MR>([&](auto i) {
    unroll<NV>([&](auto v) {
      if (accumulate && i < m_valid)
        acc[i][v] = Full ? Ops::load(c + i * ldc + v * W) : Ops::load(c + i * ldc + v * W, masks[v]);
      else if (!accumulate && bias)  // start from the bias: no separate pass over C
        acc[i][v] = Full ? Ops::load(bias + v * W) : Ops::load(bias + v * W, masks[v]);
      else
        acc[i][v] = Ops::zero();
    });
  });
  for (Index k = 0; k < kc; ++k) {
    V bv[std::size_t(NV)];
    const T* brow = b + k * ldb;
    unroll<NV>([&](auto v) { bv[v] = Full ? Ops::load(brow + v * W) : Ops::load(brow + v * W, masks[v]); });
    const T* arow = ap + k * MR;
    unroll<MR>([&](auto i) { unroll<NV>([&](auto v) { acc[i][v] = Ops::fma(arow + i, bv[v], acc[i][v]); }); });
  }
  unroll<MR>([&](auto i) {
    if (i < m_valid) {
      unroll<NV>([&](auto v) {
        if (Full)
          Ops::store(c + i * ldc + v * W, acc[i][v]);
        else
          Ops::store(c + i * ldc + v * W, acc[i][v], masks[v]);
      });
    }
  });
}

/// Same as micro_kernel but reads A in place: row i at a + i * lda (rows >= m_valid are
/// clamped to the last valid row; their results are not stored).
template <typename Ops, bool Full, typename T>
void micro_kernel_rows(Index kc, const T* a, Index lda, const T* b, Index ldb, T* c, Index ldc,
                       int m_valid, int n_valid, bool accumulate, const T* bias) {
  using V = typename Ops::V;
  using Mask = typename Ops::Mask;
  constexpr int MR = Ops::mr, NV = Ops::nv, W = Ops::width;
  V acc[std::size_t(MR)][std::size_t(NV)];
  Mask masks[std::size_t(NV)];
  const T* rows[std::size_t(MR)];
  unroll<MR>([&](auto i) { rows[i] = a + std::min<Index>(i, m_valid - 1) * lda; });
  unroll<NV>([&](auto v) { masks[v] = Ops::mask(n_valid - v * W); });
  unroll<MR>([&](auto i) {
    unroll<NV>([&](auto v) {
      if (accumulate && i < m_valid)
        acc[i][v] = Full ? Ops::load(c + i * ldc + v * W) : Ops::load(c + i * ldc + v * W, masks[v]);
      else if (!accumulate && bias)  // start from the bias: no separate pass over C
        acc[i][v] = Full ? Ops::load(bias + v * W) : Ops::load(bias + v * W, masks[v]);
      else
        acc[i][v] = Ops::zero();
    });
  });
  for (Index k = 0; k < kc; ++k) {
    V bv[std::size_t(NV)];
    const T* brow = b + k * ldb;
    unroll<NV>([&](auto v) { bv[v] = Full ? Ops::load(brow + v * W) : Ops::load(brow + v * W, masks[v]); });
    unroll<MR>([&](auto i) { unroll<NV>([&](auto v) { acc[i][v] = Ops::fma(rows[i] + k, bv[v], acc[i][v]); }); });
  }
  unroll<MR>([&](auto i) {
    if (i < m_valid) {
      unroll<NV>([&](auto v) {
        if (Full)
          Ops::store(c + i * ldc + v * W, acc[i][v]);
        else
          Ops::store(c + i * ldc + v * W, acc[i][v], masks[v]);
      });
    }
  });
}

/// Largest K block: the packed A strip (MR x kc) and the B rows it meets stay in L1/L2.
inline constexpr Index gemm_kc_max = 256;

/// gemm with A addressed as a[i * a_row + k * a_col] (so A may be a transposed view).
/// bias (n values, may be null; ignored when accumulating) is added to every row of C: it starts
/// the sums, so C = bias + A * B costs no extra pass.
template <typename T, typename Ops = BestOps<T>>
void gemm_strided(Index m, Index n, Index k, const T* a, Index a_row, Index a_col, const T* b,
                  Index ldb, T* c, Index ldc, bool accumulate, const T* bias = nullptr) {
  if (m <= 0 || n <= 0) return;
  if (accumulate) bias = nullptr;
  if (k <= 0) {
    if (!accumulate)
      for (Index i = 0; i < m; ++i)
        for (Index j = 0; j < n; ++j) c[i * ldc + j] = bias ? bias[j] : T(0);
    return;
  }
  constexpr int MR = Ops::mr;
  constexpr Index NR = Index(Ops::nv) * Ops::width;
  alignas(64) T ap[std::size_t(MR) * std::size_t(gemm_kc_max)];
  const Index blocks = (k + gemm_kc_max - 1) / gemm_kc_max;
  const Index kc_step = (k + blocks - 1) / blocks;  // balanced blocks
  for (Index p0 = 0; p0 < k; p0 += kc_step) {
    const Index kc = std::min(kc_step, k - p0);
    const bool acc = accumulate || p0 > 0;
    const T* bias0 = p0 == 0 ? bias : nullptr;
    if (a_col == 1) {
      for (Index i0 = 0; i0 < m; i0 += MR) {
        const int mv = static_cast<int>(std::min<Index>(MR, m - i0));
        const T* ar = a + i0 * a_row + p0;
        const T* bp = b + p0 * ldb;
        T* cp = c + i0 * ldc;
        Index j0 = 0;
        for (; j0 + NR <= n; j0 += NR)
          micro_kernel_rows<Ops, true>(kc, ar, a_row, bp + j0, ldb, cp + j0, ldc, mv,
                                       static_cast<int>(NR), acc, bias0 ? bias0 + j0 : nullptr);
        if (j0 < n)
          micro_kernel_rows<Ops, false>(kc, ar, a_row, bp + j0, ldb, cp + j0, ldc, mv,
                                        static_cast<int>(n - j0), acc, bias0 ? bias0 + j0 : nullptr);
      }
      continue;
    }
    for (Index i0 = 0; i0 < m; i0 += MR) {
      const int mv = static_cast<int>(std::min<Index>(MR, m - i0));
      // Pack the MR x kc strip k-major; missing rows are zeros (their results are not stored).
      for (int i = 0; i < MR; ++i) {
        if (i < mv) {
          const T* src = a + (i0 + i) * a_row + p0 * a_col;
          if (a_col == 1)
            for (Index kk = 0; kk < kc; ++kk) ap[kk * MR + i] = src[kk];
          else
            for (Index kk = 0; kk < kc; ++kk) ap[kk * MR + i] = src[kk * a_col];
        } else {
          for (Index kk = 0; kk < kc; ++kk) ap[kk * MR + i] = T(0);
        }
      }
      const T* bp = b + p0 * ldb;
      T* cp = c + i0 * ldc;
      Index j0 = 0;
      for (; j0 + NR <= n; j0 += NR)
        micro_kernel<Ops, true>(kc, ap, bp + j0, ldb, cp + j0, ldc, mv, static_cast<int>(NR), acc,
                                bias0 ? bias0 + j0 : nullptr);
      if (j0 < n)
        micro_kernel<Ops, false>(kc, ap, bp + j0, ldb, cp + j0, ldc, mv,
                                 static_cast<int>(n - j0), acc, bias0 ? bias0 + j0 : nullptr);
    }
  }
}

}  // namespace detail

/// C (m x n) = A (m x k) * B (k x n), or C += A * B when accumulate is true.
/// All row-major with leading dimensions lda, ldb, ldc >= the row lengths. Deterministic: the
/// same operands always give the same bits, and row i of C depends only on row i of A (so any
/// split of M into calls gives the same result).
template <typename T>
void gemm(Index m, Index n, Index k, const T* a, Index lda, const T* b, Index ldb, T* c, Index ldc,
          bool accumulate) {
  detail::gemm_strided(m, n, k, a, lda, Index(1), b, ldb, c, ldc, accumulate);
}

/// C (m x n) = bias + A * B: bias (n values, one per column, may be null) starts every row's
/// sums, so adding it costs nothing. Otherwise as gemm(..., accumulate = false).
template <typename T>
void gemm_bias(Index m, Index n, Index k, const T* a, Index lda, const T* b, Index ldb, T* c,
               Index ldc, const T* bias) {
  detail::gemm_strided(m, n, k, a, lda, Index(1), b, ldb, c, ldc, false, bias);
}

/// C (m x n) (=|+=) A^T * B where `a` holds A^T's transpose, i.e. A is stored k x m row-major
/// with leading dimension lda (A[i][kk] = a[kk * lda + i]).
template <typename T>
void gemm_at(Index m, Index n, Index k, const T* a, Index lda, const T* b, Index ldb, T* c,
             Index ldc, bool accumulate) {
  detail::gemm_strided(m, n, k, a, Index(1), lda, b, ldb, c, ldc, accumulate);
}

}  // namespace ktl::kernels
