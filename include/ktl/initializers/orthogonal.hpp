// The orthogonal matrix behind keras.initializers.Orthogonal: Householder QR of a seeded Gaussian
// matrix with the signs of R's diagonal folded into Q (a Haar-distributed orthonormal frame).
// Plain loops with explicit fma, so the result is bit-identical on every platform.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <ktl/core/tensor.hpp>
#include <ktl/initializers/random.hpp>

namespace ktl::detail {

/// sum_{i in [begin, end)} x[i] y[i] with four fma chains combined in a fixed order: independent
/// of the platform (explicit fma) and ~4x shorter dependency chains than one running sum.
inline double fixed_order_dot(const double* x, const double* y, Index begin, Index end) {
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  Index i = begin;
  for (; i + 4 <= end; i += 4) {
    s0 = std::fma(x[i], y[i], s0);
    s1 = std::fma(x[i + 1], y[i + 1], s1);
    s2 = std::fma(x[i + 2], y[i + 2], s2);
    s3 = std::fma(x[i + 3], y[i + 3], s3);
  }
  for (; i < end; ++i) s0 = std::fma(x[i], y[i], s0);
  return (s0 + s1) + (s2 + s3);
}

/// A (rows, cols) row-major matrix with orthonormal columns (rows >= cols) or rows (rows < cols):
/// a standard-normal (m, k) = (max, min) matrix is drawn from RandomGenerator(seed) in row-major
/// order, decomposed A = QR by Householder reflections, Q's columns multiplied by sign(R_jj)
/// (so R has a positive diagonal and Q is Haar-distributed), and Q (or Q^T when rows < cols)
/// returned. tf.keras / Keras 3 / tfjs do the same with LAPACK's or their own QR.
/// Cost about 4 m k^2 fma, single-threaded: (3, 3, 256, 256) takes 0.35 s on x86-64 built with
/// -mfma (or -march=native), 1.5 s without (std::fma is then a libm call); the result is the
/// same to the bit either way.
inline std::vector<double> orthogonal_matrix(Index rows, Index cols, std::uint64_t seed) {
  std::vector<double> out(static_cast<std::size_t>(rows * cols));
  if (rows == 0 || cols == 0) return out;
  const Index m = std::max(rows, cols);
  const Index k = std::min(rows, cols);
  const auto at = [m](Index i, Index j) { return static_cast<std::size_t>(j * m + i); };
  // `a` holds the (m, k) matrix column-major (column j at a + j*m).
  std::vector<double> a(static_cast<std::size_t>(m * k));
  RandomGenerator g(seed);
  for (Index i = 0; i < m; ++i)
    for (Index j = 0; j < k; ++j) a[at(i, j)] = g.normal();
  // Householder QR. After step j, column j of `a` holds v_j in rows j..m-1 (v_j[j] = x_j - alpha_j)
  // and r_diag[j] = alpha_j = -sign(x_j) ||x||, R's diagonal; H_j = I - beta_j v_j v_j^T.
  std::vector<double> r_diag(static_cast<std::size_t>(k));
  std::vector<double> beta(static_cast<std::size_t>(k));
  for (Index j = 0; j < k; ++j) {
    double* v = a.data() + at(0, j);
    const double norm2 = fixed_order_dot(v, v, j, m);
    const double alpha = v[j] >= 0.0 ? -std::sqrt(norm2) : std::sqrt(norm2);
    r_diag[static_cast<std::size_t>(j)] = alpha;
    // v^T v = ||x||^2 - x_j^2 + (x_j - alpha)^2 = 2 (||x||^2 - alpha x_j)
    const double vtv = 2.0 * std::fma(-alpha, v[j], norm2);
    v[j] -= alpha;
    const double b = vtv > 0.0 ? 2.0 / vtv : 0.0;  // 0: x is zero, H_j = I
    beta[static_cast<std::size_t>(j)] = b;
    for (Index c = j + 1; c < k; ++c) {
      double* col = a.data() + at(0, c);
      const double f = -b * fixed_order_dot(v, col, j, m);
      for (Index i = j; i < m; ++i) col[i] = std::fma(f, v[i], col[i]);
    }
  }
  // Thin Q = H_0 ... H_{k-1} [I_k; 0], applied backwards to the identity's first k columns
  // (column-major in q). Columns c < j are still e_c when H_j is applied and e_c has no
  // component in rows >= j, so H_j leaves them alone.
  std::vector<double> q(static_cast<std::size_t>(m * k), 0.0);
  for (Index c = 0; c < k; ++c) q[at(c, c)] = 1.0;
  for (Index j = k - 1; j >= 0; --j) {
    const double* v = a.data() + at(0, j);
    const double b = beta[static_cast<std::size_t>(j)];
    for (Index c = j; c < k; ++c) {
      double* col = q.data() + at(0, c);
      const double f = -b * fixed_order_dot(v, col, j, m);
      for (Index i = j; i < m; ++i) col[i] = std::fma(f, v[i], col[i]);
    }
  }
  // Q diag(sign(R)), written as (rows, cols) row-major: Q when rows >= cols, else Q^T.
  for (Index c = 0; c < k; ++c) {
    const bool flip = r_diag[static_cast<std::size_t>(c)] < 0.0;
    for (Index i = 0; i < m; ++i) {
      const double w = flip ? -q[at(i, c)] : q[at(i, c)];
      out[static_cast<std::size_t>(rows >= cols ? i * cols + c : c * cols + i)] = w;
    }
  }
  return out;
}

}  // namespace ktl::detail
