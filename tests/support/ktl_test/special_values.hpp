// NaN and infinities in test data, and the one rule every activation path of a layer must follow
// for them (keras-semantics §8): the layer's output with an activation equals apply_activation
// on its linear output, NaN included (TensorFlow keeps NaN through every relu variant).
#pragma once

#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <ktl/activations.hpp>
#include <ktl/core/tensor.hpp>

#include "ktl_test/compare.hpp"

namespace ktl::test {

/// Overwrites the values first, first + stride, ... of data[0, n) with NaN, +inf, -inf in turn.
template <typename S>
void add_special_values(S* data, Index n, Index first, Index stride) {
  const S special[3] = {std::numeric_limits<S>::quiet_NaN(), std::numeric_limits<S>::infinity(),
                        -std::numeric_limits<S>::infinity()};
  int k = 0;
  for (Index i = first; i < n; i += stride, k = (k + 1) % 3) data[i] = special[k];
}

/// The relu variants: plain relu (fused with the bias in registers by the depthwise kernels),
/// relu6, leaky relu, thresholded, and all three parameters at once.
inline std::vector<ActivationFunction> relu_variants() {
  return {ActivationFunction(Activation::relu), ActivationFunction::relu(0.0, 6.0),
          ActivationFunction::relu(0.1), ActivationFunction::relu(0.0, std::nullopt, 0.5),
          ActivationFunction::relu(0.2, 6.0, 1.0)};
}

/// make(activation) builds the layer under test with that activation (same weights every time).
/// Expects make(f)(x) to equal apply_activation(f, make(linear)(x)) value for value (NaN matches
/// NaN, an infinity only itself) for every relu variant, and the linear output to hold NaN,
/// +inf and -inf somewhere (so that the check means something).
template <typename Make, typename X>
void expect_generic_activation_rule(const Make& make, const X& x, const std::string& what) {
  const auto linear = make(ActivationFunction(Activation::linear))(x);
  bool nan = false, pos = false, neg = false;
  for (Index i = 0; i < linear.size(); ++i) {
    const auto v = linear.data()[i];
    nan = nan || v != v;
    pos = pos || v == std::numeric_limits<decltype(v)>::infinity();
    neg = neg || v == -std::numeric_limits<decltype(v)>::infinity();
  }
  EXPECT_TRUE(nan && pos && neg) << what << ": the linear output should hold NaN, +inf and -inf";
  for (const ActivationFunction& f : relu_variants()) {
    auto expected = linear;
    apply_activation(f, expected);
    std::ostringstream label;
    label << what << ", activation " << f;
    EXPECT_TRUE(tensors_near(make(f)(x), expected, 0.0)) << label.str();
  }
}

}  // namespace ktl::test
