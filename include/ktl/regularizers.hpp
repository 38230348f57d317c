// Keras weight and activity regularizers (keras.regularizers): L1L2 and its l1 / l2 / l1_l2
// factories. penalty(w) = l1 * sum|w| + l2 * sum w^2, summed over every element.
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include <ktl/core/tensor.hpp>
#include <ktl/core/error.hpp>
#include <ktl/core/types.hpp>

namespace ktl {

/// Keras: keras.regularizers.L1L2(l1=0.0, l2=0.0). A layer's *_regularizer option holds an
/// std::optional<Regularizer>; none (Keras' None) adds nothing to the loss. Kernel and bias
/// regularizers add penalty(weight) once per weight; an activity regularizer adds
/// penalty(activated output) summed over the whole batch (Keras 2.2.x, no division by the batch).
struct Regularizer {
  double l1 = 0.0;  ///< factor of sum(|w|)
  double l2 = 0.0;  ///< factor of sum(w^2)

  /// keras.regularizers.l1(l=0.01).
  static constexpr Regularizer L1(double l = 0.01) { return {l, 0.0}; }
  /// keras.regularizers.l2(l=0.01).
  static constexpr Regularizer L2(double l = 0.01) { return {0.0, l}; }
  /// keras.regularizers.l1_l2(l1=0.01, l2=0.01).
  static constexpr Regularizer L1L2(double l1_ = 0.01, double l2_ = 0.01) { return {l1_, l2_}; }

  /// The penalty l1 * sum(|w|) + l2 * sum(w^2) of n contiguous values, returned in the weights'
  /// scalar type (float32 for float weights, as Keras). The sums are accumulated in at least
  /// double precision, so the result is close to exact whatever n (TensorFlow's tree-shaped
  /// float32 reduction is also near exact; a naive float32 loop would not be for large kernels).
  template <typename S>
  S penalty(const S* w, Index n) const {
    using Acc = std::common_type_t<S, double>;
    Acc sum_abs = 0, sum_sq = 0;
    for (Index i = 0; i < n; ++i) {
      const Acc v = static_cast<Acc>(w[i]);
      sum_abs += std::abs(v);
      sum_sq += v * v;
    }
    Acc p = 0;
    if (l1 != 0.0) p += static_cast<Acc>(l1) * sum_abs;
    if (l2 != 0.0) p += static_cast<Acc>(l2) * sum_sq;
    return static_cast<S>(p);
  }
  /// Penalty of a whole tensor or view (owning Tensor, TensorView or ConstView).
  template <typename TensorLike>
  typename TensorLike::Scalar penalty(const TensorLike& w) const {
    return penalty(w.data(), w.size());
  }

  friend constexpr bool operator==(const Regularizer& a, const Regularizer& b) {
    return a.l1 == b.l1 && a.l2 == b.l2;
  }
  friend constexpr bool operator!=(const Regularizer& a, const Regularizer& b) { return !(a == b); }
};

/// Parses Keras 2.2's regularizer strings, case-insensitively: "l1", "l2" and "l1_l2", each with
/// its factory's defaults (0.01). Throws invalid_options naming the argument, the received text
/// and the allowed values; `layer` prefixes the message.
inline Regularizer parse_regularizer(std::string_view name, std::string_view layer = "ktl") {
  const std::string lower = detail::to_lower(name);
  if (lower == "l1") return Regularizer::L1();
  if (lower == "l2") return Regularizer::L2();
  if (lower == "l1_l2") return Regularizer::L1L2();
  detail::raise_argument(layer, "regularizer", std::string("\"") + std::string(name) + "\"",
                         "allowed values are \"l1\", \"l2\", \"l1_l2\" (case-insensitive)");
}

/// Penalty of an optional regularizer (0 when none), in the weights' scalar type.
template <typename TensorLike>
typename TensorLike::Scalar penalty_or_zero(const std::optional<Regularizer>& r, const TensorLike& w) {
  return r ? r->penalty(w) : typename TensorLike::Scalar(0);
}

}  // namespace ktl
