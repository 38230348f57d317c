// Regularizers (docs/semantics.md §10): golden penalties from tfjs (tests/golden/regularizers.txt),
// §12.10's worked numbers, factories, parsing, and penalty_or_zero.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ktl/regularizers.hpp>

#include "ktl_test/compare.hpp"
#include "ktl_test/golden.hpp"

namespace {

using ktl::Index;
using ktl::Regularizer;
using testing::HasSubstr;
using testing::ThrowsMessage;

constexpr const char* kFixture = "regularizers.txt";

template <typename S>
S penalty_of(const ktl::test::GoldenCase& c) {
  const Regularizer r{c.real("l1"), c.real("l2")};
  const auto& w = c.tensor("w");
  std::vector<S> values(w.values.begin(), w.values.end());
  return r.penalty(values.data(), static_cast<Index>(values.size()));
}

std::string case_name(const testing::TestParamInfo<std::string>& param) { return param.param; }

class RegularizerGolden : public testing::TestWithParam<std::string> {};

TEST_P(RegularizerGolden, MatchesTfjs) {
  const auto& c = ktl::test::golden_case(kFixture, GetParam());
  const double expected = c.tensor("penalty").values.at(0);
  EXPECT_NEAR(penalty_of<float>(c), expected, 1e-6 * std::max(1.0, std::abs(expected))) << c.where();
  EXPECT_NEAR(penalty_of<double>(c), expected, 1e-6 * std::max(1.0, std::abs(expected))) << c.where();
  // The Keras factory named in the case gives the same factors.
  const std::string factory = c.text("factory");
  const Regularizer made = factory == "l1" ? Regularizer::L1(c.real("l1"))
                         : factory == "l2" ? Regularizer::L2(c.real("l2"))
                                           : Regularizer::L1L2(c.real("l1"), c.real("l2"));
  EXPECT_EQ(made, (Regularizer{c.real("l1"), c.real("l2")}));
}

INSTANTIATE_TEST_SUITE_P(Golden, RegularizerGolden, testing::ValuesIn(ktl::test::golden_case_names(kFixture)),
                         case_name);

TEST(RegularizerWorkedExamples, KernelThreeZeroFourOne) {
  ktl::Tensor<float, 4> w(1, 1, 2, 2);
  w.setValues({{{{3, 0}, {4, 1}}}});
  EXPECT_NEAR(Regularizer::L1().penalty(w), 0.08f, 1e-8);
  EXPECT_NEAR(Regularizer::L2().penalty(w), 0.26f, 1e-8);
  EXPECT_NEAR(Regularizer::L1L2().penalty(w), 0.34f, 1e-8);
  EXPECT_NEAR(Regularizer::L1().penalty(ktl::view(w)), 0.08f, 1e-8);      // a ConstView
  EXPECT_NEAR(Regularizer::L2().penalty(ktl::mutable_view(w)), 0.26f, 1e-8);  // a TensorView
}

TEST(RegularizerFactories, KerasDefaults) {
  EXPECT_EQ(Regularizer::L1(), (Regularizer{0.01, 0.0}));
  EXPECT_EQ(Regularizer::L2(), (Regularizer{0.0, 0.01}));
  EXPECT_EQ(Regularizer::L1L2(), (Regularizer{0.01, 0.01}));
  EXPECT_EQ(Regularizer{}, (Regularizer{0.0, 0.0}));  // keras.regularizers.L1L2() adds nothing
  static_assert(Regularizer::L1(0.5).l1 == 0.5 && Regularizer::L1(0.5).l2 == 0.0);
}

TEST(RegularizerPenalty, NoneIsZeroAndEmptyIsZero) {
  ktl::Tensor<double, 1> b(3);
  b.setValues({-1, 2, -3});
  EXPECT_EQ(ktl::penalty_or_zero(std::nullopt, b), 0.0);
  EXPECT_DOUBLE_EQ(ktl::penalty_or_zero(Regularizer::L1L2(0.5, 0.25), b), 0.5 * 6 + 0.25 * 14);
  ktl::Tensor<float, 2> empty(0, 4);
  EXPECT_EQ(Regularizer::L1L2().penalty(empty), 0.f);
}

TEST(RegularizerPenalty, LargeFloatKernelsStayAccurate) {
  // 2^22 values of 0.1f: a naive float32 running sum drifts by percents; Keras' is near exact.
  std::vector<float> w(std::size_t{1} << 22, 0.1f);
  const double exact = 0.01 * static_cast<double>(w.size()) * static_cast<double>(0.1f);
  EXPECT_NEAR(Regularizer::L1().penalty(w.data(), static_cast<Index>(w.size())), exact, 1e-6 * exact);
}

TEST(RegularizerNames, ParseAnyCase) {
  EXPECT_EQ(ktl::parse_regularizer("l1"), Regularizer::L1());
  EXPECT_EQ(ktl::parse_regularizer("L2"), Regularizer::L2());
  EXPECT_EQ(ktl::parse_regularizer("L1_L2"), Regularizer::L1L2());
  EXPECT_THAT([] { ktl::parse_regularizer("l3", "Conv2D"); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("Conv2D"), HasSubstr("regularizer"),
                                                        HasSubstr("\"l3\""), HasSubstr("\"l1_l2\""))));
  EXPECT_THAT([] { ktl::parse_regularizer("l1l2"); }, ThrowsMessage<ktl::invalid_options>(HasSubstr("\"l1l2\"")));
}

}  // namespace
