// Constraints (docs/semantics.md §11): golden projections from tfjs (tests/golden/constraints.txt),
// §12.10's worked numbers, axes, K.clip's bound rule, parsing.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ktl/constraints.hpp>

#include "ktl_test/compare.hpp"
#include "ktl_test/golden.hpp"

namespace {

using ktl::Constraint;
using ktl::ConstraintKind;
using ktl::Index;
using testing::HasSubstr;
using testing::ThrowsMessage;

constexpr const char* kFixture = "constraints.txt";

Constraint constraint_of(const ktl::test::GoldenCase& c) {
  const std::string kind = c.text("constraint");
  if (kind == "non_neg") return Constraint::NonNeg();
  std::vector<int> axis;
  for (Index a : c.integers("axis")) axis.push_back(static_cast<int>(a));
  if (kind == "max_norm") return Constraint::MaxNorm(c.real("max_value"), axis);
  if (kind == "unit_norm") return Constraint::UnitNorm(axis);
  return Constraint::MinMaxNorm(c.real("min_value"), c.real("max_value"), c.real("rate"), axis);
}

template <typename S, int R>
void check_case(const ktl::test::GoldenCase& c, double tol) {
  ktl::Tensor<S, R> w = c.tensor("w").as<S, R>();
  constraint_of(c).apply(w);
  EXPECT_TRUE(ktl::test::tensors_near(w, c.tensor("expected"), tol)) << c.where();
}

template <typename S>
void check_case_any_rank(const ktl::test::GoldenCase& c, double tol) {
  switch (c.tensor("w").shape.size()) {
    case 1: return check_case<S, 1>(c, tol);
    case 2: return check_case<S, 2>(c, tol);
    case 3: return check_case<S, 3>(c, tol);
    case 4: return check_case<S, 4>(c, tol);
    case 5: return check_case<S, 5>(c, tol);
    default: FAIL() << c.where() << ": unexpected rank";
  }
}

std::string case_name(const testing::TestParamInfo<std::string>& param) { return param.param; }

class ConstraintGolden : public testing::TestWithParam<std::string> {};

TEST_P(ConstraintGolden, FloatMatchesTfjs) {
  check_case_any_rank<float>(ktl::test::golden_case(kFixture, GetParam()), 1e-6);
}

INSTANTIATE_TEST_SUITE_P(Golden, ConstraintGolden, testing::ValuesIn(ktl::test::golden_case_names(kFixture)),
                         case_name);

TEST(ConstraintGoldenDouble, Conv2DKernelsMatchTfjs) {
  for (const char* name : {"conv2d_max_norm", "conv2d_unit_norm", "conv2d_min_max_norm",
                           "conv2d_min_max_norm_rate_half", "conv2d_non_neg"})
    check_case<double, 4>(ktl::test::golden_case(kFixture, name), 1e-6);
}

// --- docs/semantics.md §12.10, verbatim ----------------------------------------------------------

ktl::Tensor<float, 4> worked_kernel() {
  ktl::Tensor<float, 4> w(1, 1, 2, 2);  // W[0][0] = [[3, 0], [4, 1]]: rows c, columns f
  w.setValues({{{{3, 0}, {4, 1}}}});
  return w;
}

void expect_filters(const ktl::Tensor<float, 4>& w, float f0c0, float f0c1) {
  // Filter 0 = (w[0,0,0,0], w[0,0,1,0]); filter 1 = (0, 1) has norm 1 and 1 + 1e-7 rounds to
  // 1.00000012 in float32, so every constraint shrinks it to (0, 0.99999988).
  EXPECT_NEAR(w(0, 0, 0, 0), f0c0, 1e-7);
  EXPECT_NEAR(w(0, 0, 1, 0), f0c1, 1e-7);
  EXPECT_EQ(w(0, 0, 0, 1), 0.f);
  EXPECT_EQ(w(0, 0, 1, 1), 0.99999988f);
  EXPECT_LT(w(0, 0, 1, 1), 1.f);
}

TEST(ConstraintWorkedExamples, PerFilterAxesOfAConv2DKernel) {
  const std::vector<int> per_filter = {0, 1, 2};
  ktl::Tensor<float, 4> w = worked_kernel();
  Constraint::MaxNorm(2, per_filter).apply(w);
  expect_filters(w, 1.2f, 1.6f);
  w = worked_kernel();
  Constraint::UnitNorm(per_filter).apply(w);
  expect_filters(w, 0.6f, 0.8f);
  // The float32 nearest to 0.6 and 0.8 exactly: w / (eps + 5) with 5 + 1e-7 == 5 in float32.
  EXPECT_EQ(w(0, 0, 0, 0), 0.6f);
  EXPECT_EQ(w(0, 0, 1, 0), 0.8f);
  w = worked_kernel();
  Constraint::MinMaxNorm(0.5, 1.5, 1.0, per_filter).apply(w);
  expect_filters(w, 0.9f, 1.2f);
}

TEST(ConstraintWorkedExamples, InDoubleTheSameFormulasGiveTheFloat64Numbers) {
  ktl::Tensor<double, 4> w(1, 1, 2, 2);
  w.setValues({{{{3, 0}, {4, 1}}}});
  Constraint::MaxNorm(2, {0, 1, 2}).apply(w);
  EXPECT_NEAR(w(0, 0, 0, 0), 1.19999998, 1e-8);
  EXPECT_NEAR(w(0, 0, 1, 0), 1.59999997, 1e-8);
  EXPECT_NEAR(w(0, 0, 1, 1), 0.9999999, 1e-9);
}

// --- axes, bounds, edge cases ------------------------------------------------------------------

TEST(ConstraintAxes, DefaultAxisZeroNormalisesEachColumnOfADenseKernel) {
  ktl::Tensor<float, 2> w(2, 3);
  w.setValues({{3, 0, 1}, {4, 2, 0}});
  Constraint::UnitNorm().apply(w);  // axis 0: one norm per column
  EXPECT_NEAR(w(0, 0), 0.6f, 1e-7);
  EXPECT_NEAR(w(1, 0), 0.8f, 1e-7);
  EXPECT_NEAR(w(1, 1), 1.f, 1e-6);
  EXPECT_NEAR(w(0, 2), 1.f, 1e-6);
}

TEST(ConstraintAxes, NegativeAxesCountFromTheEndAndEmptyMeansPerElement) {
  ktl::Tensor<float, 3> a(2, 3, 4), b(2, 3, 4);
  for (Index i = 0; i < a.size(); ++i) a.data()[i] = b.data()[i] = static_cast<float>(i % 7) - 3.f;
  Constraint::MaxNorm(1.5, {0, 1}).apply(a);
  Constraint::MaxNorm(1.5, {-3, -2}).apply(b);
  EXPECT_TRUE(ktl::test::tensors_near(a, b, 0));
  ktl::Tensor<float, 1> v(3);
  v.setValues({-4, 0.5f, 3});
  Constraint::MaxNorm(2, {}).apply(v);  // each element its own norm: clip |w| to 2
  EXPECT_NEAR(v(0), -2.f, 1e-6);
  EXPECT_NEAR(v(1), 0.5f, 1e-6);
  EXPECT_NEAR(v(2), 2.f, 1e-6);
}

TEST(ConstraintAxes, AxisOutOfRangeNamesTheAxisAndTheRank) {
  ktl::Tensor<float, 4> w = worked_kernel();
  EXPECT_THAT([&] { Constraint::MaxNorm(2, {0, 4}).apply(w); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("axis"), HasSubstr("(0, 4)"), HasSubstr("rank 4"))));
  EXPECT_THAT([&] { Constraint::UnitNorm({-5}).apply(w); }, ThrowsMessage<ktl::invalid_options>(HasSubstr("axis")));
}

TEST(ConstraintBounds, UpperBoundBelowLowerIsRaisedAsKerasClipDoes) {
  // K.clip(norm, min, max) with max < min uses max = min.
  ktl::Tensor<float, 1> a(2), b(2);
  a.setValues({3, 4});
  b.setValues({3, 4});
  Constraint::MaxNorm(-1).apply(a);  // clip(5, 0, -1) -> 0
  EXPECT_EQ(a(0), 0.f);
  EXPECT_EQ(a(1), 0.f);
  Constraint::MinMaxNorm(2, 1).apply(b);  // clip(5, 2, 1) -> 2
  EXPECT_NEAR(b(0), 1.2f, 1e-6);
  EXPECT_NEAR(b(1), 1.6f, 1e-6);
}

TEST(ConstraintBounds, NonNegZeroesNegativesOnlyAndEmptyTensorsAreFine) {
  ktl::Tensor<float, 2> w(2, 2);
  w.setValues({{-1, 0}, {2, -0.5f}});
  Constraint::NonNeg().apply(w);
  EXPECT_EQ(w(0, 0), 0.f);
  EXPECT_EQ(w(1, 0), 2.f);
  EXPECT_EQ(w(1, 1), 0.f);
  ktl::Tensor<float, 4> empty(3, 3, 0, 4);
  Constraint::MaxNorm(2, {0, 1, 2}).apply(empty);
  Constraint::UnitNorm({0, 1, 2}).apply(empty);
}

TEST(ConstraintBounds, MinMaxRateInterpolates) {
  ktl::Tensor<double, 1> w(2);
  w.setValues({3, 4});  // norm 5, clipped to 2: desired = 0.25 * 2 + 0.75 * 5 = 4.25
  Constraint::MinMaxNorm(0, 2, 0.25).apply(w);
  EXPECT_NEAR(w(0), 3 * 4.25 / (5 + 1e-7), 1e-12);
  EXPECT_NEAR(w(1), 4 * 4.25 / (5 + 1e-7), 1e-12);
}

TEST(ConstraintNames, FactoriesAndParsing) {
  EXPECT_EQ(Constraint::MaxNorm(), (Constraint{ConstraintKind::max_norm, 0.0, 2.0, 1.0, {0}}));
  EXPECT_EQ(Constraint::MinMaxNorm(), (Constraint{ConstraintKind::min_max_norm, 0.0, 1.0, 1.0, {0}}));
  EXPECT_EQ(ktl::parse_constraint("max_norm"), Constraint::MaxNorm());
  EXPECT_EQ(ktl::parse_constraint("MaxNorm"), Constraint::MaxNorm());
  EXPECT_EQ(ktl::parse_constraint("NONNEG"), Constraint::NonNeg());
  EXPECT_EQ(ktl::parse_constraint("unit_norm"), Constraint::UnitNorm());
  EXPECT_EQ(ktl::parse_constraint("UnitNorm"), Constraint::UnitNorm());
  EXPECT_EQ(ktl::parse_constraint("MinMaxNorm"), Constraint::MinMaxNorm());
  EXPECT_EQ(ktl::to_string(ConstraintKind::min_max_norm), "min_max_norm");
  EXPECT_THAT([] { ktl::parse_constraint("clip", "Conv2D"); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("Conv2D"), HasSubstr("constraint"),
                                                        HasSubstr("\"clip\""), HasSubstr("\"max_norm\""))));
}

}  // namespace
