// Single-threaded dense matrix product on raw row-major buffers, the building block of the
// convolution kernels (callers split work into tiles and run tiles on the thread pool).
#pragma once

#include <ktl/core/tensor.hpp>

namespace ktl::kernels {

/// C (m x n) = A (m x k) * B (k x n), or C += A * B when accumulate is true.
/// All row-major with leading dimensions lda, ldb, ldc >= the row lengths. Deterministic: the
/// same operands always give the same bits.
template <typename T>
void gemm(Index m, Index n, Index k, const T* a, Index lda, const T* b, Index ldb, T* c, Index ldc,
          bool accumulate) {
  using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using Stride = Eigen::OuterStride<>;
  Eigen::Map<const Matrix, Eigen::Unaligned, Stride> A(a, m, k, Stride(lda));
  Eigen::Map<const Matrix, Eigen::Unaligned, Stride> B(b, k, n, Stride(ldb));
  Eigen::Map<Matrix, Eigen::Unaligned, Stride> C(c, m, n, Stride(ldc));
  if (accumulate)
    C.noalias() += A * B;
  else
    C.noalias() = A * B;
}

}  // namespace ktl::kernels
