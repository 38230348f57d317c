// Activations (docs/semantics.md §8): golden values from tfjs (tests/golden/activations.txt), the
// worked numbers of §12.10, name parsing, softmax over the last axis, and the element-wise
// kernel's independence of tile length and alignment.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ktl/activations.hpp>

#include "ktl_test/compare.hpp"
#include "ktl_test/golden.hpp"

namespace {

using ktl::Activation;
using ktl::ActivationFunction;
using ktl::Index;
using testing::HasSubstr;
using testing::ThrowsMessage;

constexpr const char* kFixture = "activations.txt";

/// The activation a fixture case describes (Keras name + relu / elu parameters).
ActivationFunction activation_of(const ktl::test::GoldenCase& c) {
  ActivationFunction f = ktl::parse_activation(c.text("activation"));
  if (f.kind == Activation::relu) {
    f = ActivationFunction::relu(c.has("alpha") ? c.real("alpha") : 0.0,
                                 c.has("max_value") && !c.is_null("max_value")
                                     ? std::optional<double>(c.real("max_value"))
                                     : std::nullopt,
                                 c.has("threshold") ? c.real("threshold") : 0.0);
  } else if (f.kind == Activation::elu && c.has("alpha")) {
    f = ActivationFunction::elu(c.real("alpha"));
  }
  return f;
}

/// Pure relative error check for every expected value in float's normal range (the project-wide
/// metric max|d|/max(1,|e|) is checked separately): |a - e| <= tol * |e|.
template <typename TensorLike>
testing::AssertionResult relative_near(const TensorLike& actual, const ktl::test::GoldenTensor& expected,
                                       double tol) {
  for (Index i = 0; i < actual.size(); ++i) {
    const double e = expected.values[static_cast<std::size_t>(i)];
    const double a = static_cast<double>(actual.data()[i]);
    if (!std::isfinite(e) || std::abs(e) < static_cast<double>(std::numeric_limits<float>::min())) continue;
    if (std::abs(a - e) > tol * std::abs(e))
      return testing::AssertionFailure() << "flat index " << i << ": actual " << a << ", expected " << e
                                         << ", relative error " << std::abs(a - e) / std::abs(e);
  }
  return testing::AssertionSuccess();
}

template <typename S, int R>
void check_case(const ktl::test::GoldenCase& c, double tol) {
  ktl::Tensor<S, R> y = c.tensor("x").as<S, R>();
  const ActivationFunction f = activation_of(c);
  ktl::apply_activation(f, y);
  EXPECT_TRUE(ktl::test::tensors_near(y, c.tensor("y"), tol)) << c.where();
  // elu and selu compute exp(x) - 1 as TensorFlow does: accurate to ~1e-7 absolute, not relative,
  // for x near 0 (tfjs rounds the float64 value instead).
  if (f.kind != Activation::elu && f.kind != Activation::selu) {
    EXPECT_TRUE(relative_near(y, c.tensor("y"), tol)) << c.where();
  }
}

template <typename S>
void check_case_any_rank(const ktl::test::GoldenCase& c, double tol) {
  switch (c.tensor("x").shape.size()) {
    case 2: return check_case<S, 2>(c, tol);
    case 3: return check_case<S, 3>(c, tol);
    case 4: return check_case<S, 4>(c, tol);
    default: FAIL() << c.where() << ": unexpected rank " << c.tensor("x").shape.size();
  }
}

std::string case_name(const testing::TestParamInfo<std::string>& info) { return info.param; }

// --- golden: every case in float, a subset in double --------------------------------------------

class ActivationGolden : public testing::TestWithParam<std::string> {};

TEST_P(ActivationGolden, FloatMatchesTfjs) {
  check_case_any_rank<float>(ktl::test::golden_case(kFixture, GetParam()), 1e-6);
}

INSTANTIATE_TEST_SUITE_P(Golden, ActivationGolden, testing::ValuesIn(ktl::test::golden_case_names(kFixture)),
                         case_name);

class ActivationGoldenDouble : public testing::TestWithParam<std::string> {};

TEST_P(ActivationGoldenDouble, DoubleMatchesTfjs) {
  // The fixture holds float32 results; double differs from them by float32 rounding only.
  check_case_any_rank<double>(ktl::test::golden_case(kFixture, GetParam()), 1e-6);
}

// exponential is left out: exp(100) overflows float32 (the fixture says inf) but not double.
INSTANTIATE_TEST_SUITE_P(Golden, ActivationGoldenDouble,
                         testing::Values("sigmoid", "hard_sigmoid", "tanh", "elu_alpha_0p5", "selu",
                                         "softplus", "softsign",
                                         "relu_alpha_0p3_max_6_threshold_1", "softmax_rank4"),
                         case_name);

TEST(ActivationGoldenFile, CoversEveryActivation) {
  std::vector<Activation> seen;
  for (const auto& c : ktl::test::golden_cases(kFixture)) seen.push_back(ktl::parse_activation(c.text("activation")));
  for (Activation a : {Activation::linear, Activation::relu, Activation::sigmoid, Activation::hard_sigmoid,
                       Activation::hard_sigmoid_keras3, Activation::tanh, Activation::softmax, Activation::elu,
                       Activation::selu, Activation::softplus, Activation::softsign, Activation::exponential})
    EXPECT_NE(std::find(seen.begin(), seen.end(), a), seen.end()) << a;
}

// --- docs/semantics.md §12.10, verbatim ----------------------------------------------------------

template <typename S, std::size_t N>
std::array<S, N> applied(ActivationFunction f, std::array<S, N> x) {
  ktl::apply_elementwise(f, x.data(), static_cast<Index>(N));
  return x;
}

TEST(ActivationWorkedExamples, HardSigmoidKeras2AndKeras3) {
  const std::array<float, 6> x = {-2.5f, -1.f, 0.f, 1.f, 2.5f, 2.8f};
  const std::array<float, 6> keras2 = {0, 0.3f, 0.5f, 0.7f, 1, 1};
  const std::array<float, 6> keras3 = {0.083333f, 0.333333f, 0.5f, 0.666667f, 0.916667f, 0.966667f};
  const auto y2 = applied(Activation::hard_sigmoid, x);
  const auto y3 = applied(Activation::hard_sigmoid_keras3, x);
  for (std::size_t i = 0; i < x.size(); ++i) {
    EXPECT_NEAR(y2[i], keras2[i], 1e-7) << "x = " << x[i];
    EXPECT_NEAR(y3[i], keras3[i], 1e-6) << "x = " << x[i];
  }
  // The knees: Keras 2 saturates at +-2.5, Keras 3 at +-3.
  EXPECT_EQ(applied(Activation::hard_sigmoid, std::array<float, 2>{-2.5f, 2.5f}), (std::array<float, 2>{0, 1}));
  EXPECT_EQ(applied(Activation::hard_sigmoid_keras3, std::array<float, 4>{-3, 3, -2.5f, 2.5f})[0], 0.f);
  EXPECT_EQ(applied(Activation::hard_sigmoid_keras3, std::array<float, 4>{-3, 3, -2.5f, 2.5f})[1], 1.f);
}

TEST(ActivationWorkedExamples, AtMinusOneAndOneHalf) {
  const std::array<float, 2> x = {-1.f, 0.5f};
  EXPECT_NEAR(applied(Activation::elu, x)[0], -0.6321206, 1e-7);
  const auto selu = applied(Activation::selu, x);
  EXPECT_NEAR(selu[0], -1.1113307, 1e-7);
  EXPECT_NEAR(selu[1], 0.5253505, 1e-7);
  const auto softplus = applied(Activation::softplus, x);
  EXPECT_NEAR(softplus[0], 0.3132617, 1e-7);
  EXPECT_NEAR(softplus[1], 0.9740770, 1e-7);
  const auto softsign = applied(Activation::softsign, x);
  EXPECT_NEAR(softsign[0], -0.5, 1e-7);
  EXPECT_NEAR(softsign[1], 0.3333333, 1e-7);
  const auto sigmoid = applied(Activation::sigmoid, x);
  EXPECT_NEAR(sigmoid[0], 0.2689414, 1e-7);
  EXPECT_NEAR(sigmoid[1], 0.6224593, 1e-7);
}

TEST(ActivationWorkedExamples, SoftmaxOfOneTwoThree) {
  ktl::Tensor<float, 2> t(1, 3);
  t.setValues({{1, 2, 3}});
  ktl::apply_activation(Activation::softmax, t);
  EXPECT_NEAR(t(0, 0), 0.0900306, 1e-7);
  EXPECT_NEAR(t(0, 1), 0.2447285, 1e-7);
  EXPECT_NEAR(t(0, 2), 0.6652410, 1e-7);
}

// --- relu's Keras 2.2.4 rules ------------------------------------------------------------------

TEST(ActivationRelu, ThresholdIsStrictAndAlphaMaxValueCombine) {
  // x == threshold gives 0 (TensorFlow compares strictly).
  EXPECT_EQ(applied(ActivationFunction::relu(0, std::nullopt, 0.5), std::array<float, 3>{0.5f, 0.6f, -1})[0], 0.f);
  EXPECT_EQ(applied(ActivationFunction::relu(0, std::nullopt, 0.5), std::array<float, 3>{0.5f, 0.6f, -1})[1], 0.6f);
  // Leaky only: alpha * x below 0.
  EXPECT_EQ(applied(ActivationFunction::relu(0.1), std::array<float, 2>{-2, 3}), (std::array<float, 2>{-0.2f, 3}));
  // max_value clips; alpha subtracts alpha * (threshold - x) below the threshold.
  EXPECT_EQ(applied(ActivationFunction::relu(0, 6.0), std::array<float, 3>{-1, 5, 7}), (std::array<float, 3>{0, 5, 6}));
  // Plain relu keeps NaN (no silent 0) and leaves -inf / +inf at 0 / +inf.
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const auto plain = applied(ActivationFunction(Activation::relu), std::array<float, 3>{nan, -inf, inf});
  EXPECT_TRUE(std::isnan(plain[0]));
  EXPECT_EQ(plain[1], 0.f);
  EXPECT_EQ(plain[2], inf);
  const auto all = applied(ActivationFunction::relu(0.5, 2.0, 1.0), std::array<float, 4>{-1, 1, 1.5f, 9});
  EXPECT_EQ(all, (std::array<float, 4>{-1.f, 0.f, 1.5f, 2.f}));  // -0.5*(1-(-1)); 0; 1.5; clip 2
}

// --- softmax over the last axis ----------------------------------------------------------------

TEST(ActivationSoftmax, NormalisesTheLastAxisOfARank4Tensor) {
  // A channels_first conv output (N, C, H, W): Keras normalises over W, not over C.
  ktl::Tensor<float, 4> y(2, 3, 4, 5);
  for (Index i = 0; i < y.size(); ++i) y.data()[i] = static_cast<float>((i * 37) % 11) * 0.7f - 3.f;
  const ktl::Tensor<float, 4> x = y;
  ktl::apply_activation(Activation::softmax, ktl::mutable_view(y));
  for (Index n = 0; n < 2; ++n)
    for (Index c = 0; c < 3; ++c)
      for (Index h = 0; h < 4; ++h) {
        double m = -HUGE_VAL, sum = 0;
        for (Index w = 0; w < 5; ++w) m = std::max(m, static_cast<double>(x(n, c, h, w)));
        for (Index w = 0; w < 5; ++w) sum += std::exp(x(n, c, h, w) - m);
        double total = 0;
        for (Index w = 0; w < 5; ++w) {
          EXPECT_NEAR(y(n, c, h, w), std::exp(x(n, c, h, w) - m) / sum, 1e-7);
          total += y(n, c, h, w);
        }
        EXPECT_NEAR(total, 1.0, 1e-6);
      }
}

TEST(ActivationSoftmax, IsShiftInvariantAndSurvivesHugeLogits) {
  ktl::Tensor<float, 2> big(1, 3), small(1, 3);
  big.setValues({{1001, 1002, 1003}});
  small.setValues({{1, 2, 3}});
  ktl::apply_activation(Activation::softmax, big);
  ktl::apply_activation(Activation::softmax, small);
  EXPECT_TRUE(ktl::test::tensors_near(big, small, 1e-7));
}

TEST(ActivationSoftmax, RejectsRank1AndElementwiseUse) {
  ktl::Tensor<float, 1> v(3);
  v.setValues({1, 2, 3});
  EXPECT_THAT([&] { ktl::apply_activation(Activation::softmax, v); },
              ThrowsMessage<ktl::shape_mismatch>(HasSubstr("rank")));
  EXPECT_THAT([&] { ktl::apply_elementwise(Activation::softmax, v.data(), 3); },
              ThrowsMessage<ktl::invalid_options>(HasSubstr("softmax")));
  ktl::apply_activation(Activation::relu, v);  // rank 1 is fine for element-wise activations
  EXPECT_EQ(v(2), 3.f);
}

// --- names ------------------------------------------------------------------------------------

TEST(ActivationNames, ParseAnyCaseAndRoundTrip) {
  for (Activation a : {Activation::linear, Activation::relu, Activation::sigmoid, Activation::hard_sigmoid,
                       Activation::hard_sigmoid_keras3, Activation::tanh, Activation::softmax, Activation::elu,
                       Activation::selu, Activation::softplus, Activation::softsign, Activation::exponential})
    EXPECT_EQ(ktl::parse_activation(ktl::to_string(a)), a) << a;
  EXPECT_EQ(ktl::parse_activation("ReLU"), Activation::relu);
  EXPECT_EQ(ktl::parse_activation("SOFTMAX"), Activation::softmax);
  EXPECT_EQ(ktl::parse_activation("Hard_Sigmoid"), Activation::hard_sigmoid);
  EXPECT_EQ(ktl::parse_activation("Exponential"), Activation::exponential);
  EXPECT_EQ(ktl::parse_activation("None"), Activation::linear);
}

TEST(ActivationNames, UnknownNameNamesArgumentValueAndAllowedValues) {
  EXPECT_THAT([] { ktl::parse_activation("swish", "Conv2D"); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("Conv2D"), HasSubstr("activation"),
                                                        HasSubstr("\"swish\""), HasSubstr("\"relu\""),
                                                        HasSubstr("\"hard_sigmoid\""), HasSubstr("case-insensitive"))));
  EXPECT_THAT([] { ktl::parse_activation(""); }, ThrowsMessage<ktl::invalid_options>(HasSubstr("activation")));
  EXPECT_THAT([] { ktl::parse_activation("relu "); }, ThrowsMessage<ktl::invalid_options>(HasSubstr("\"relu \"")));
}

TEST(ActivationFunctionValue, DefaultsFollowKeras) {
  const ActivationFunction none;
  EXPECT_TRUE(none.is_linear());
  const ActivationFunction elu = Activation::elu;
  EXPECT_EQ(elu.alpha, 1.0);
  EXPECT_EQ(elu, ActivationFunction::elu());
  const ActivationFunction relu = Activation::relu;
  EXPECT_EQ(relu, ActivationFunction::relu());
  EXPECT_EQ(relu.alpha, 0.0);
  EXPECT_FALSE(relu.max_value.has_value());
  EXPECT_NE(relu, ActivationFunction::relu(0.1));
  EXPECT_FALSE(ActivationFunction(Activation::softmax).elementwise());
  std::ostringstream os;
  os << ActivationFunction(Activation::relu) << ' ' << ActivationFunction::relu(0.5, 6.0, 1.0) << ' '
     << ActivationFunction::relu(0.25) << ' ' << ActivationFunction::elu(0.5) << ' ' << ActivationFunction::elu();
  EXPECT_EQ(os.str(), "relu relu(alpha=0.5, max_value=6, threshold=1) relu(alpha=0.25, max_value=None, threshold=0) "
                      "elu(alpha=0.5) elu");
  EXPECT_TRUE(ActivationFunction(Activation::tanh).elementwise());
}

// --- the element-wise kernel -------------------------------------------------------------------

TEST(ActivationKernel, ResultsDependOnlyOnTheValueNotOnTileOrAlignment) {
  std::vector<float> values(300);
  for (std::size_t i = 0; i < values.size(); ++i)
    values[i] = static_cast<float>(std::sin(static_cast<double>(i) * 0.37) * 9.0);
  for (Activation a : {Activation::sigmoid, Activation::tanh, Activation::elu, Activation::selu,
                       Activation::softplus, Activation::exponential, Activation::hard_sigmoid}) {
    std::vector<float> whole = values;
    ktl::apply_elementwise(a, whole.data(), static_cast<Index>(whole.size()));
    for (Index offset : {1, 3, 7}) {
      for (Index length : {1, 5, 64, 67, 200}) {
        std::vector<float> buffer(static_cast<std::size_t>(offset + length + 1), -7.f);
        std::copy(values.begin() + 10, values.begin() + 10 + length, buffer.begin() + offset);
        ktl::apply_elementwise(a, buffer.data() + offset, length);
        EXPECT_EQ(std::memcmp(buffer.data() + offset, whole.data() + 10, sizeof(float) * static_cast<std::size_t>(length)), 0)
            << a << " offset " << offset << " length " << length;
        EXPECT_EQ(buffer[static_cast<std::size_t>(offset - 1)], -7.f);  // neighbours untouched
        EXPECT_EQ(buffer[static_cast<std::size_t>(offset + length)], -7.f);
      }
    }
  }
}

TEST(ActivationKernel, OverflowAndUnderflowAreSafe) {
  const std::array<float, 6> x = {-1000.f, -100.f, -20.f, 20.f, 100.f, 1000.f};
  const auto softplus = applied(Activation::softplus, x);
  // Eigen's (and so TensorFlow's CPU) float exp bottoms out at a denormal <= 2.94e-39, not 0.
  EXPECT_GE(softplus[0], 0.f);
  EXPECT_LT(softplus[0], std::numeric_limits<float>::min());
  EXPECT_NEAR(softplus[2], 2.0611537e-9, 1e-15);
  EXPECT_EQ(softplus[4], 100.f);
  EXPECT_EQ(softplus[5], 1000.f);
  const auto sigmoid = applied(Activation::sigmoid, x);
  EXPECT_EQ(sigmoid[0], 0.f);
  EXPECT_EQ(sigmoid[5], 1.f);
  const auto exponential = applied(Activation::exponential, x);
  EXPECT_GE(exponential[0], 0.f);
  EXPECT_LT(exponential[0], std::numeric_limits<float>::min());
  EXPECT_TRUE(std::isinf(exponential[4]));
  const auto tanh = applied(Activation::tanh, x);
  EXPECT_EQ(tanh[0], -1.f);
  EXPECT_EQ(tanh[5], 1.f);
  const auto elu = applied(Activation::elu, x);
  EXPECT_EQ(elu[0], -1.f);
  EXPECT_EQ(elu[5], 1000.f);
  const auto softmax_input = std::array<double, 3>{-1e308, 0, 1e308};
  ktl::Tensor<double, 2> t(1, 3);
  std::copy(softmax_input.begin(), softmax_input.end(), t.data());
  ktl::apply_activation(Activation::softmax, t);
  EXPECT_EQ(t(0, 2), 1.0);
}

}  // namespace
