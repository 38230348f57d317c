// Tensor comparison for tests: max |actual - expected| / max(1, |expected|) against a stated
// tolerance, reporting the first offending index tuple with both values.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <ktl/core/tensor.hpp>
#include "ktl_test/golden.hpp"

namespace ktl::test {

/// Float tolerance for small convolutions (issue 3: max |d| / max(1, |ref|) <= 1e-5).
inline constexpr double float_tolerance = 1e-5;

namespace detail {
inline std::string index_tuple(std::size_t flat, const std::vector<Index>& shape) {
  std::vector<Index> idx(shape.size());
  for (std::size_t a = shape.size(); a-- > 0;) {
    idx[a] = static_cast<Index>(flat) % shape[a];
    flat /= static_cast<std::size_t>(shape[a]);
  }
  std::ostringstream os;
  os << '(';
  for (std::size_t a = 0; a < idx.size(); ++a) os << (a ? ", " : "") << idx[a];
  os << ')';
  return os.str();
}

inline ::testing::AssertionResult compare_values(const std::vector<Index>& actual_shape,
                                                 const std::vector<Index>& expected_shape,
                                                 const std::vector<double>& actual,
                                                 const std::vector<double>& expected, double tol) {
  if (actual_shape != expected_shape) {
    std::ostringstream os;
    os << "shape differs: actual (";
    for (std::size_t i = 0; i < actual_shape.size(); ++i) os << (i ? ", " : "") << actual_shape[i];
    os << ") expected (";
    for (std::size_t i = 0; i < expected_shape.size(); ++i) os << (i ? ", " : "") << expected_shape[i];
    os << ")";
    return ::testing::AssertionFailure() << os.str();
  }
  double worst = 0.0;
  std::size_t worst_at = 0, first_bad = actual.size();
  for (std::size_t i = 0; i < actual.size(); ++i) {
    const double a = actual[i], e = expected[i];
    double err;
    if (std::isnan(e) || std::isnan(a))
      err = (std::isnan(e) && std::isnan(a)) ? 0.0 : HUGE_VAL;
    else if (std::isinf(e) || std::isinf(a))
      err = (a == e) ? 0.0 : HUGE_VAL;
    else
      err = std::abs(a - e) / std::max(1.0, std::abs(e));
    if (err > worst) {
      worst = err;
      worst_at = i;
    }
    if (err > tol && first_bad == actual.size()) first_bad = i;
  }
  if (first_bad == actual.size()) return ::testing::AssertionSuccess();
  std::ostringstream os;
  os.precision(9);
  os << "first mismatch at " << index_tuple(first_bad, actual_shape) << ": actual " << actual[first_bad]
     << ", expected " << expected[first_bad] << "; worst relative error " << worst << " at "
     << index_tuple(worst_at, actual_shape) << " (actual " << actual[worst_at] << ", expected "
     << expected[worst_at] << "), tolerance " << tol;
  return ::testing::AssertionFailure() << os.str();
}

template <typename TensorLike>
std::vector<Index> shape_of(const TensorLike& t) {
  std::vector<Index> s;
  for (int i = 0; i < TensorLike::NumDimensions; ++i)
    s.push_back(t.dimensions()[static_cast<std::size_t>(i)]);
  return s;
}
template <typename TensorLike>
std::vector<double> values_of(const TensorLike& t) {
  std::vector<double> v(static_cast<std::size_t>(t.size()));
  for (Index i = 0; i < t.size(); ++i) v[static_cast<std::size_t>(i)] = static_cast<double>(t.data()[i]);
  return v;
}
}  // namespace detail

/// Compares a ktl tensor with a golden tensor. Use as EXPECT_TRUE(tensors_near(y, ref, 1e-5)).
template <typename TensorLike>
::testing::AssertionResult tensors_near(const TensorLike& actual, const GoldenTensor& expected,
                                        double tol) {
  return detail::compare_values(detail::shape_of(actual), expected.shape,
                                detail::values_of(actual), expected.values, tol);
}

/// Compares two ktl tensors (same shape required). tol 0 asks for exactly equal values (==, so
/// -0 equals +0; NaN matches NaN; not a bit-pattern comparison).
template <typename A, typename B>
::testing::AssertionResult tensors_near(const A& actual, const B& expected, double tol) {
  return detail::compare_values(detail::shape_of(actual), detail::shape_of(expected),
                                detail::values_of(actual), detail::values_of(expected), tol);
}

}  // namespace ktl::test
