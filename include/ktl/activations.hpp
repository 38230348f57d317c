// Keras activations (keras.activations, Keras 2.2.4 names and TF-backend formulas): element-wise
// functions applied after the bias, plus softmax over the last axis. Selected by enum or by
// case-insensitive name; evaluated in the tensor's scalar type, vectorised with Eigen arrays.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string_view>
#include <type_traits>

#include <ktl/core/tensor.hpp>
#include <ktl/core/error.hpp>
#include <ktl/core/types.hpp>

namespace ktl {

/// The activation functions of keras.activations (Keras 2.2.4), selected by name.
/// hard_sigmoid is Keras 2's clip(0.2*x + 0.5, 0, 1) (also tf.keras 2.x); hard_sigmoid_keras3 is
/// Keras 3's clip(x/6 + 0.5, 0, 1), a ktl name for loading Keras 3 models.
enum class Activation {
  linear, relu, sigmoid, hard_sigmoid, hard_sigmoid_keras3, tanh, softmax, elu, selu,
  softplus, softsign, exponential
};

/// The Keras name of an activation ("hard_sigmoid_keras3" for ktl's Keras 3 variant).
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
/// Streams to_string(a), for messages.
inline std::ostream& operator<<(std::ostream& os, Activation a) { return os << to_string(a); }

/// An activation with its parameters: what a layer's `activation` option holds. Converts
/// implicitly from Activation, so `.activation = ktl::Activation::relu` reads like Keras.
/// Keras: keras.activations.get(name), relu(x, alpha, max_value, threshold), elu(x, alpha).
struct ActivationFunction {
  Activation kind = Activation::linear;
  double alpha = 0.0;               ///< relu: slope below the threshold (0); elu: alpha (1)
  std::optional<double> max_value;  ///< relu: upper clip; none by default
  double threshold = 0.0;           ///< relu: x <= threshold gives 0 (x < 0 when threshold is 0)

  /// linear.
  constexpr ActivationFunction() = default;
  /// The activation with Keras' default parameters (elu: alpha 1; relu: 0, None, 0).
  constexpr ActivationFunction(Activation k)  // NOLINT(google-explicit-constructor): Keras string
      : kind(k), alpha(k == Activation::elu ? 1.0 : 0.0) {}

  /// keras.activations.relu(x, alpha=0., max_value=None, threshold=0.) with Keras 2.2.4's
  /// TF-backend rules (see detail::relu_value).
  static ActivationFunction relu(double alpha = 0.0, std::optional<double> max_value = std::nullopt,
                                 double threshold = 0.0) {
    ActivationFunction f(Activation::relu);
    f.alpha = alpha;
    f.max_value = max_value;
    f.threshold = threshold;
    return f;
  }
  /// keras.activations.elu(x, alpha=1.0).
  static ActivationFunction elu(double alpha = 1.0) {
    ActivationFunction f(Activation::elu);
    f.alpha = alpha;
    return f;
  }

  /// True for every activation except softmax (which reduces over the last axis).
  constexpr bool elementwise() const noexcept { return kind != Activation::softmax; }
  /// True for linear (the identity: nothing to apply).
  constexpr bool is_linear() const noexcept { return kind == Activation::linear; }

  /// Same kind and same parameters.
  friend bool operator==(const ActivationFunction& a, const ActivationFunction& b) {
    return a.kind == b.kind && a.alpha == b.alpha && a.max_value == b.max_value &&
           a.threshold == b.threshold;
  }
  friend bool operator!=(const ActivationFunction& a, const ActivationFunction& b) { return !(a == b); }

  /// Writes the Keras name, with the parameters that differ from the defaults, for messages:
  /// "relu", "relu(alpha=0.1, max_value=6, threshold=0.5)", "elu(alpha=0.5)".
  friend std::ostream& operator<<(std::ostream& os, const ActivationFunction& f) {
    os << f.kind;
    if (f.kind == Activation::relu && (f.alpha != 0.0 || f.max_value || f.threshold != 0.0)) {
      os << "(alpha=" << f.alpha << ", max_value=";
      if (f.max_value) os << *f.max_value; else os << "None";
      os << ", threshold=" << f.threshold << ')';
    } else if (f.kind == Activation::elu && f.alpha != 1.0) {
      os << "(alpha=" << f.alpha << ')';
    }
    return os;
  }
};

/// Parses a Keras activation name, case-insensitively: linear, relu, sigmoid, hard_sigmoid, tanh,
/// softmax, elu, selu, softplus, softsign, exponential, plus ktl's hard_sigmoid_keras3; "none"
/// means linear (Keras' activation=None). Throws invalid_options naming the argument, the
/// received text and the allowed names; `layer` prefixes the message.
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

/// selu's constants (identical in every Keras generation).
inline constexpr double selu_alpha = 1.6732632423543772848170429916717;
inline constexpr double selu_scale = 1.0507009873554804934193349852946;

/// The plain relu (alpha 0, no max_value, threshold 0) of one value: x < 0 ? 0 : x. NaN stays
/// NaN, as in TensorFlow, whose Relu and Relu6 kernels are Eigen's NaN-propagating max / min
/// (Keras keeps NaN in every relu variant, see relu_value); every kernel that fuses relu
/// follows this rule.
template <typename S>
constexpr S plain_relu(S x) {
  return x < S(0) ? S(0) : x;
}

/// General relu of Keras 2.2.4's TF backend, one value (NaN in, NaN out in every branch):
///   only alpha != 0: leaky relu, x for x >= 0, alpha*x otherwise;
///   else r = x * (x > threshold) if threshold != 0, max(x, 0) otherwise; with max_value,
///   r = min(max(r, 0), max_value); with alpha != 0, r -= alpha * max(threshold - x, 0).
/// (x == threshold != 0 gives 0: TensorFlow compares strictly, whatever Keras' docstring says.)
template <typename S>
S relu_value(S x, const ActivationFunction& f) {
  const S alpha = static_cast<S>(f.alpha);
  const S threshold = static_cast<S>(f.threshold);
  if (f.alpha != 0.0 && !f.max_value && f.threshold == 0.0) return x >= S(0) ? x : alpha * x;
  S r = f.threshold != 0.0 ? x * static_cast<S>(x > threshold) : plain_relu(x);
  if (f.max_value) r = std::min(std::max(r, S(0)), static_cast<S>(*f.max_value));
  if (f.alpha != 0.0) r -= alpha * std::max(threshold - x, S(0));
  return r;
}

/// softplus log(1 + exp(x)) for one value, without overflow or cancellation:
/// max(x, 0) + log1p(exp(-|x|)) (the formula apply_elementwise vectorises).
template <typename S>
S softplus_value(S x) {
  return std::max(x, S(0)) + std::log1p(std::exp(-std::abs(x)));
}

/// Values per block of apply_elementwise, and per block of its tail: both multiples of every
/// SIMD width (up to 16 floats, AVX-512), so Eigen evaluates both with the same full packets.
inline constexpr Index activation_block = 64;
inline constexpr Index activation_tail_block = 16;

/// One aligned block of B values, in place, with Eigen's packet math only (no scalar peeling or
/// tails), so a value's result never depends on where it sits.
template <Index B, typename S>
void activation_block_apply(const ActivationFunction& f, S* p) {
  Eigen::Map<Eigen::Array<S, B, 1>, Eigen::Aligned64> a(p);
  switch (f.kind) {
    case Activation::linear: return;
    case Activation::relu: return;  // handled by apply_elementwise's plain loop
    case Activation::sigmoid: a = (S(1) + (-a).exp()).inverse(); return;
    case Activation::hard_sigmoid: a = (S(0.2) * a + S(0.5)).max(S(0)).min(S(1)); return;
    case Activation::hard_sigmoid_keras3: a = (a / S(6) + S(0.5)).max(S(0)).min(S(1)); return;
    case Activation::tanh: a = a.tanh(); return;
    case Activation::elu: {
      // TensorFlow's elu kernel computes exp(x) - 1 (not expm1); so does this, vectorised
      // without a select: x > 0 gives x + alpha * (exp(0) - 1) = x exactly.
      const S alpha = static_cast<S>(f.alpha);
      a = a.max(S(0)) + alpha * (a.min(S(0)).exp() - S(1));
      return;
    }
    case Activation::selu: {  // Keras: scale * elu(x, alpha)
      const S alpha = static_cast<S>(selu_alpha);
      const S scale = static_cast<S>(selu_scale);
      a = scale * (a.max(S(0)) + alpha * (a.min(S(0)).exp() - S(1)));
      return;
    }
    case Activation::softplus: a = a.max(S(0)) + (-a.abs()).exp().log1p(); return;
    case Activation::softsign: a = a / (a.abs() + S(1)); return;
    case Activation::exponential: a = a.exp(); return;
    case Activation::softmax: return;  // not element-wise; rejected by apply_elementwise
  }
}

}  // namespace detail

/// Applies an element-wise activation in place to n contiguous values (kernels call this on
/// tiles of their output). Vectorised with Eigen's packet math (exp, log1p, tanh: float results
/// within 4e-7 relative of the correctly rounded values; elu and selu use TensorFlow's exp(x) - 1,
/// within 1.2e-7 absolute near 0), in aligned blocks, so each
/// result depends only on its input value: never on the tile length, the offset or the buffer's
/// alignment (results stay bit-identical however a layer splits its work). As in TensorFlow's
/// Eigen-based CPU kernels, float exp(x) for x < -88.7 gives a denormal (<= 2.94e-39), not 0.
/// Throws invalid_options for softmax, which is not element-wise: use apply_activation on the
/// whole tensor or apply_softmax_rows.
template <typename S>
void apply_elementwise(const ActivationFunction& f, S* x, Index n) {
  if (f.kind == Activation::softmax)
    detail::raise<invalid_options>("ktl::apply_elementwise", "softmax is not element-wise; "
                                   "apply it over the last axis with apply_activation");
  if (n <= 0 || f.kind == Activation::linear) return;
  if (f.kind == Activation::relu) {  // exact operations: a plain loop is position-independent
    if (f.alpha == 0.0 && !f.max_value && f.threshold == 0.0) {
      for (Index i = 0; i < n; ++i) x[i] = detail::plain_relu(x[i]);
    } else {
      for (Index i = 0; i < n; ++i) x[i] = detail::relu_value(x[i], f);
    }
    return;
  }
  constexpr Index block = detail::activation_block;
  constexpr Index tail_block = detail::activation_tail_block;
  alignas(64) S buffer[block];
  Index i = 0;
  for (; i + block <= n; i += block) {
    if (reinterpret_cast<std::uintptr_t>(x + i) % 64 == 0) {
      detail::activation_block_apply<block>(f, x + i);
    } else {
      std::copy(x + i, x + i + block, buffer);
      detail::activation_block_apply<block>(f, buffer);
      std::copy(buffer, buffer + block, x + i);
    }
  }
  for (; i < n; i += tail_block) {  // short rows (e.g. a pixel's channels) waste < 16 values
    const Index m = std::min(tail_block, n - i);
    std::fill(std::copy(x + i, x + i + m, buffer), buffer + tail_block, S(0));
    detail::activation_block_apply<tail_block>(f, buffer);
    std::copy(buffer, buffer + m, x + i);
  }
}

/// Softmax over each of the `rows` contiguous rows of length `len`, in place:
/// exp(x - max(row)) / sum(exp(x - max(row))), the max-shifted formula Keras uses. The sums are
/// accumulated in at least double precision, in order, so results are deterministic.
template <typename S>
void apply_softmax_rows(S* x, Index rows, Index len) {
  if (rows <= 0 || len <= 0) return;
  for (Index r = 0; r < rows; ++r) {
    S* row = x + r * len;
    const S m = *std::max_element(row, row + len);
    for (Index i = 0; i < len; ++i) row[i] -= m;
  }
  // One vectorised exp over everything pays off even when rows are short (e.g. 3 classes).
  apply_elementwise(ActivationFunction(Activation::exponential), x, rows * len);
  using Acc = std::common_type_t<S, double>;
  for (Index r = 0; r < rows; ++r) {
    S* row = x + r * len;
    Acc sum = 0;
    for (Index i = 0; i < len; ++i) sum += static_cast<Acc>(row[i]);
    const S s = static_cast<S>(sum);
    for (Index i = 0; i < len; ++i) row[i] /= s;
  }
}

/// Applies the activation in place to a whole tensor. Softmax normalises over the LAST axis, as
/// Keras does (for a channels_first conv output that is the last spatial axis, not the channels).
/// Throws shape_mismatch for softmax on a rank-1 tensor (Keras raises ValueError), and
/// invalid_options never (every Activation is valid).
template <typename S, int R>
void apply_activation(const ActivationFunction& f, TensorView<S, R> y) {
  if (f.kind == Activation::softmax) {
    if constexpr (R < 2) {
      detail::raise<shape_mismatch>("ktl::apply_activation",
                                    "softmax needs a tensor of rank >= 2, as in Keras; received rank ", R);
    } else {
      const Index len = y.dimension(R - 1);
      if (y.size() > 0) apply_softmax_rows(y.data(), y.size() / len, len);
    }
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
