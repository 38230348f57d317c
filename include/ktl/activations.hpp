// Keras activations (keras.activations, Keras 2.2 names): element-wise functions applied after
// the bias, plus softmax over the last axis. Select by enum or by case-insensitive name.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <string_view>

#include <ktl/core/tensor.hpp>
#include <ktl/core/error.hpp>
#include <ktl/core/types.hpp>

namespace ktl {

/// The activation functions of keras.activations (Keras 2.2), selected by name.
/// hard_sigmoid is Keras 2's clip(0.2x + 0.5, 0, 1); hard_sigmoid_keras3 is clip(x/6 + 0.5, 0, 1).
enum class Activation {
  linear, relu, sigmoid, hard_sigmoid, hard_sigmoid_keras3, tanh, softmax, elu, selu,
  softplus, softsign, exponential
};

inline constexpr std::string_view to_string(Activation a) noexcept {
  switch (a) {
    case Activation::linear: return "linear";
    case Activation::relu: return "relu";
    case Activation::sigmoid: return "sigmoid";
    case Activation::hard_sigmoid: return "hard_sigmoid";
    case Activation::hard_sigmoid_keras3: return "hard_sigmoid_keras3";
    case Activation::tanh: return "tanh";
    case Activation::softmax: return "softmax";
    case Activation::elu: return "elu";
    case Activation::selu: return "selu";
    case Activation::softplus: return "softplus";
    case Activation::softsign: return "softsign";
    case Activation::exponential: return "exponential";
  }
  return "?";
}
inline std::ostream& operator<<(std::ostream& os, Activation a) { return os << to_string(a); }

/// An activation with its parameters: what a layer's `activation` option holds. Converts
/// implicitly from Activation, so `.activation = ktl::Activation::relu` reads like Keras.
/// Keras: keras.activations.get(name) / the relu(x, alpha, max_value, threshold) function.
struct ActivationFunction {
  Activation kind = Activation::linear;
  double alpha = 0.0;                ///< relu: slope below threshold (leaky); elu: alpha (1 by default)
  std::optional<double> max_value;   ///< relu: upper clip; none by default
  double threshold = 0.0;            ///< relu: values <= threshold give 0 (strictly below if 0)

  constexpr ActivationFunction() = default;
  constexpr ActivationFunction(Activation k)  // NOLINT(google-explicit-constructor)
      : kind(k), alpha(k == Activation::elu ? 1.0 : 0.0) {}

  /// keras.activations.relu(x, alpha, max_value, threshold) with Keras 2.2.4's TF-backend rules.
  static ActivationFunction relu(double alpha = 0.0, std::optional<double> max_value = std::nullopt,
                                 double threshold = 0.0) {
    ActivationFunction f(Activation::relu);
    f.alpha = alpha;
    f.max_value = max_value;
    f.threshold = threshold;
    return f;
  }
  /// keras.activations.elu(x, alpha).
  static ActivationFunction elu(double alpha = 1.0) {
    ActivationFunction f(Activation::elu);
    f.alpha = alpha;
    return f;
  }

  /// True for every activation except softmax (which reduces over the last axis).
  constexpr bool elementwise() const noexcept { return kind != Activation::softmax; }
  constexpr bool is_linear() const noexcept { return kind == Activation::linear; }
};

/// Parses a Keras activation name (any case): linear, relu, sigmoid, hard_sigmoid, tanh, softmax,
/// elu, selu, softplus, softsign, exponential, and ktl's hard_sigmoid_keras3. "none" = linear.
inline Activation parse_activation(std::string_view name, std::string_view layer = "ktl") {
  if (detail::to_lower(name) == "none") return Activation::linear;
  return detail::parse_enum(
      name, "activation",
      {Activation::linear, Activation::relu, Activation::sigmoid, Activation::hard_sigmoid,
       Activation::hard_sigmoid_keras3, Activation::tanh, Activation::softmax, Activation::elu,
       Activation::selu, Activation::softplus, Activation::softsign, Activation::exponential},
      layer);
}

namespace detail {

template <typename S>
S relu_value(S x, const ActivationFunction& f) {
  const S alpha = static_cast<S>(f.alpha);
  const S threshold = static_cast<S>(f.threshold);
  if (f.alpha != 0.0 && !f.max_value && f.threshold == 0.0) return x >= S(0) ? x : alpha * x;
  S r = f.threshold != 0.0 ? (x > threshold ? x : S(0)) : std::max(x, S(0));
  if (f.max_value) r = std::min(std::max(r, S(0)), static_cast<S>(*f.max_value));
  if (f.alpha != 0.0) r -= alpha * std::max(threshold - x, S(0));
  return r;
}

template <typename S>
S softplus_value(S x) {
  // log(1 + exp(x)) without overflow: x for large x, exp(x) for very negative x.
  constexpr S big = std::numeric_limits<S>::digits > 24 ? S(36) : S(15);
  if (x > big) return x + std::log1p(std::exp(-x));
  if (x < -big) return std::exp(x);
  return std::log1p(std::exp(x));
}

}  // namespace detail

/// Applies an element-wise activation in place to n contiguous values. Softmax is not
/// element-wise: use apply_activation on a whole tensor (or apply_softmax_rows).
template <typename S>
void apply_elementwise(const ActivationFunction& f, S* x, Index n) {
  switch (f.kind) {
    case Activation::linear: return;
    case Activation::relu:
      if (f.alpha == 0.0 && !f.max_value && f.threshold == 0.0) {
        for (Index i = 0; i < n; ++i) x[i] = x[i] > S(0) ? x[i] : S(0);
      } else {
        for (Index i = 0; i < n; ++i) x[i] = detail::relu_value(x[i], f);
      }
      return;
    case Activation::sigmoid:
      for (Index i = 0; i < n; ++i) x[i] = S(1) / (S(1) + std::exp(-x[i]));
      return;
    case Activation::hard_sigmoid:
      for (Index i = 0; i < n; ++i) x[i] = std::min(std::max(S(0.2) * x[i] + S(0.5), S(0)), S(1));
      return;
    case Activation::hard_sigmoid_keras3:
      for (Index i = 0; i < n; ++i) x[i] = std::min(std::max(x[i] / S(6) + S(0.5), S(0)), S(1));
      return;
    case Activation::tanh:
      for (Index i = 0; i < n; ++i) x[i] = std::tanh(x[i]);
      return;
    case Activation::elu: {
      const S alpha = static_cast<S>(f.alpha);
      for (Index i = 0; i < n; ++i) x[i] = x[i] > S(0) ? x[i] : alpha * std::expm1(x[i]);
      return;
    }
    case Activation::selu: {
      const S alpha = static_cast<S>(1.6732632423543772848170429916717);
      const S scale = static_cast<S>(1.0507009873554804934193349852946);
      for (Index i = 0; i < n; ++i) x[i] = scale * (x[i] > S(0) ? x[i] : alpha * std::expm1(x[i]));
      return;
    }
    case Activation::softplus:
      for (Index i = 0; i < n; ++i) x[i] = detail::softplus_value(x[i]);
      return;
    case Activation::softsign:
      for (Index i = 0; i < n; ++i) x[i] = x[i] / (std::abs(x[i]) + S(1));
      return;
    case Activation::exponential:
      for (Index i = 0; i < n; ++i) x[i] = std::exp(x[i]);
      return;
    case Activation::softmax:
      detail::raise<invalid_options>("ktl::apply_elementwise", "softmax is not element-wise; "
                                     "apply it over the last axis with apply_activation");
  }
}

/// Softmax over each of the `rows` contiguous rows of length `len`: exp(x - max) / sum(exp(x - max)).
template <typename S>
void apply_softmax_rows(S* x, Index rows, Index len) {
  for (Index r = 0; r < rows; ++r) {
    S* row = x + r * len;
    S m = row[0];
    for (Index i = 1; i < len; ++i) m = std::max(m, row[i]);
    S sum = 0;
    for (Index i = 0; i < len; ++i) {
      row[i] = std::exp(row[i] - m);
      sum += row[i];
    }
    for (Index i = 0; i < len; ++i) row[i] /= sum;
  }
}

/// Applies the activation in place to a whole tensor; softmax normalises over the LAST axis, as
/// Keras does (for channels_first conv outputs that is the last spatial axis, not the channels).
template <typename S, int R>
void apply_activation(const ActivationFunction& f, TensorView<S, R> y) {
  if (f.kind == Activation::softmax) {
    static_assert(R >= 2, "ktl::apply_activation: softmax needs a tensor of rank >= 2, as in Keras");
    const Index len = y.dimension(R - 1);
    if (y.size() > 0) apply_softmax_rows(y.data(), y.size() / len, len);
    return;
  }
  apply_elementwise(f, y.data(), y.size());
}

/// Convenience overload for an owning tensor.
template <typename S, int R>
void apply_activation(const ActivationFunction& f, Tensor<S, R>& y) {
  apply_activation(f, mutable_view(y));
}

}  // namespace ktl
