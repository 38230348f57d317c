// Keras weight and activity regularizers (keras.regularizers): L1L2 and its l1 / l2 / l1_l2
// factories. penalty(w) = l1 * sum|w| + l2 * sum w^2, summed over every element.
#pragma once

#include <cmath>
#include <optional>
#include <string_view>

#include <ktl/core/tensor.hpp>
#include <ktl/core/error.hpp>
#include <ktl/core/types.hpp>

namespace ktl {

/// Keras: keras.regularizers.L1L2(l1=0.0, l2=0.0). A layer's *_regularizer option holds an
/// std::optional<Regularizer>; none (Keras' None) adds nothing to the loss.
struct Regularizer {
  double l1 = 0.0;  ///< weight of sum(|w|)
  double l2 = 0.0;  ///< weight of sum(w^2)

  /// keras.regularizers.l1(l=0.01).
  static constexpr Regularizer L1(double l = 0.01) { return {l, 0.0}; }
  /// keras.regularizers.l2(l=0.01).
  static constexpr Regularizer L2(double l = 0.01) { return {0.0, l}; }
  /// keras.regularizers.l1_l2(l1=0.01, l2=0.01).
  static constexpr Regularizer L1L2(double l1_ = 0.01, double l2_ = 0.01) { return {l1_, l2_}; }

  /// The penalty l1 * sum(|w|) + l2 * sum(w^2), accumulated in the tensor's scalar type (float32
  /// for float tensors, as Keras does).
  template <typename S>
  S penalty(const S* w, Index n) const {
    S sum_abs = 0, sum_sq = 0;
    for (Index i = 0; i < n; ++i) {
      sum_abs += std::abs(w[i]);
      sum_sq += w[i] * w[i];
    }
    S p = 0;
    if (l1 != 0.0) p += static_cast<S>(l1) * sum_abs;
    if (l2 != 0.0) p += static_cast<S>(l2) * sum_sq;
    return p;
  }
  /// Penalty of a whole tensor or view.
  template <typename TensorLike>
  typename TensorLike::Scalar penalty(const TensorLike& w) const {
    return penalty(w.data(), w.size());
  }
};

/// Parses Keras' regularizer strings (any case): "l1", "l2", "l1_l2" (each with 0.01, as Keras
/// 2.2's string forms do). Throws invalid_options otherwise.
inline Regularizer parse_regularizer(std::string_view name, std::string_view layer = "ktl") {
  const std::string lower = detail::to_lower(name);
  if (lower == "l1") return Regularizer::L1();
  if (lower == "l2") return Regularizer::L2();
  if (lower == "l1_l2") return Regularizer::L1L2();
  detail::raise_argument(layer, "regularizer", std::string("\"") + std::string(name) + "\"",
                         "allowed values are \"l1\", \"l2\", \"l1_l2\" (case-insensitive)");
}

/// Penalty of an optional regularizer (0 when none).
template <typename TensorLike>
typename TensorLike::Scalar penalty_or_zero(const std::optional<Regularizer>& r, const TensorLike& w) {
  return r ? r->penalty(w) : typename TensorLike::Scalar(0);
}

}  // namespace ktl
