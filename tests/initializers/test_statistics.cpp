// Initializer statistics: the samplers on large samples (moments, bounds, truncation), orthogonal
// frames (Q^T Q = gain^2 I for tall, wide and conv-shaped kernels, Haar sign convention), and the
// agreement of ktl's sample statistics with TensorFlow.js' (tests/golden/initializers.txt).
//
// Tolerances: every check is a 5-standard-error bound (false-alarm probability < 1e-6 per check),
// from these facts about n independent draws of a distribution with stddev s and kurtosis k:
//   sample mean:  standard error s / sqrt(n);
//   sample std:   relative standard error sqrt((k - 1) / (4 n))  (k = 1.8 uniform, 3 normal,
//                 2.36 normal truncated at 2 sigma; we use k = 3 for every normal-like case);
//   comparing two independent samples multiplies the standard error by sqrt(2);
//   the maximum of n draws of a density f bounded at b falls short of b by Exp(n f(b)), so
//   b - max > t / (n f(b)) has probability e^-t (t = 15 below).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <ktl/initializers.hpp>
#include <limits>
#include <string>
#include <vector>

#include "ktl_test/golden.hpp"

namespace {

using ktl::Distribution;
using ktl::FanMode;
using ktl::Index;
using ktl::Initializer;

struct Stats {
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  double mean = 0.0;
  double std = 0.0;
  double count = 0.0;
};

template <typename S>
Stats stats_of(const std::vector<S>& v) {
  Stats s;
  double sum = 0.0;
  for (S x : v) {
    s.min = std::min(s.min, static_cast<double>(x));
    s.max = std::max(s.max, static_cast<double>(x));
    sum += static_cast<double>(x);
  }
  s.count = static_cast<double>(v.size());
  s.mean = sum / s.count;
  double ss = 0.0;
  for (S x : v) ss += (static_cast<double>(x) - s.mean) * (static_cast<double>(x) - s.mean);
  s.std = std::sqrt(ss / s.count);
  return s;
}

// Pools `draws` tensors of `shape` drawn with seeds derive_seed(base, d).
template <typename S>
std::vector<S> pooled(const Initializer& init, const std::vector<Index>& shape, Index draws,
                      std::uint64_t base) {
  Index n = 1;
  for (Index d : shape) n *= d;
  std::vector<S> v(static_cast<std::size_t>(n * draws));
  for (Index d = 0; d < draws; ++d)
    init.fill(v.data() + d * n, shape.data(), static_cast<int>(shape.size()),
              ktl::derive_seed(base, static_cast<std::uint64_t>(d)));
  return v;
}

// ---------------------------------------------------------------------------------------------
// The samplers

TEST(InitializerSamplers, PortableLogMatchesTheLibraryLog) {
  ktl::RandomGenerator g(3);
  double worst = 0.0;
  for (int i = 0; i < 20000; ++i) {
    const double x =
        std::ldexp(g.uniform() + 0x1.0p-60, static_cast<int>(g.next_u64() % 200) - 100);
    worst = std::max(worst, std::abs(ktl::detail::portable_log(x) - std::log(x)) /
                                std::max(1.0, std::abs(std::log(x))));
  }
  EXPECT_LT(worst, 4e-16);
  EXPECT_EQ(ktl::detail::portable_log(1.0), 0.0);
  EXPECT_NEAR(ktl::detail::portable_log(0.5), -0.69314718055994531, 2e-16);
}

TEST(InitializerSamplers, UniformMomentsAndRange) {
  ktl::RandomGenerator g(11);
  const int n = 400000;
  std::vector<double> v(n);
  for (double& x : v) x = g.uniform();
  const Stats s = stats_of(v);
  EXPECT_GE(s.min, 0.0);
  EXPECT_LT(s.max, 1.0);
  const double sd = std::sqrt(1.0 / 12.0);
  EXPECT_NEAR(s.mean, 0.5, 5 * sd / std::sqrt(n));
  EXPECT_NEAR(s.std / sd, 1.0, 5 * std::sqrt(0.8 / (4.0 * n)));
}

TEST(InitializerSamplers, NormalMomentsAndTails) {
  // Mean, stddev, kurtosis (3) and the two-sided tail masses beyond 1, 2 and 3 sigma of
  // 400000 draws (binomial standard errors).
  ktl::RandomGenerator g(12);
  const int n = 400000;
  double sum = 0, s2 = 0, s4 = 0;
  int beyond[3] = {0, 0, 0};
  for (int i = 0; i < n; ++i) {
    const double z = g.normal();
    sum += z, s2 += z * z, s4 += z * z * z * z;
    for (int k = 0; k < 3; ++k) beyond[k] += std::abs(z) > k + 1;
  }
  EXPECT_NEAR(sum / n, 0.0, 5.0 / std::sqrt(n));
  EXPECT_NEAR(s2 / n, 1.0, 5.0 * std::sqrt(2.0 / n));
  EXPECT_NEAR(s4 / n, 3.0, 5.0 * std::sqrt(96.0 / n));  // Var(z^4) = 105 - 9
  for (int k = 0; k < 3; ++k) {
    const double p = std::erfc((k + 1) / std::sqrt(2.0));
    EXPECT_NEAR(static_cast<double>(beyond[k]) / n, p, 5 * std::sqrt(p * (1 - p) / n)) << k + 1;
  }
}

TEST(InitializerSamplers, TruncatedNormalNeverLeavesTwoSigma) {
  ktl::RandomGenerator g(13);
  const int n = 400000;
  std::vector<double> v(n);
  for (double& x : v) x = g.truncated_normal();
  const Stats s = stats_of(v);
  EXPECT_GE(s.min, -2.0);
  EXPECT_LE(s.max, 2.0);
  // Density at the bound phi(2)/0.9545 = 0.0566: the extremes come within 15/(n 0.0566).
  EXPECT_GT(s.max, 2.0 - 15.0 / (n * 0.0566));
  EXPECT_LT(s.min, -2.0 + 15.0 / (n * 0.0566));
  EXPECT_NEAR(s.mean, 0.0, 5 * 0.88 / std::sqrt(n));
  // Its stddev is Keras' correction constant.
  EXPECT_NEAR(s.std / ktl::truncated_normal_stddev_factor, 1.0, 5 * std::sqrt(2.0 / (4.0 * n)));
}

// ---------------------------------------------------------------------------------------------
// Initializers on large samples, against the closed forms of §9

TEST(InitializerStatistics, VarianceScalingFamilyMatchesClosedForms) {
  const std::vector<Index> shape{3, 3, 16, 32};  // fan_in 144, fan_out 288
  const Index draws = 20;                        // 92160 values
  const double n = 9216.0 * draws;
  struct Row {
    Initializer init;
    double std;    // resulting stddev, sqrt(scale / n)
    double bound;  // |w| <= bound
  };
  const double glorot = std::sqrt(1.0 / 216.0), he = std::sqrt(2.0 / 144.0);
  const Row rows[] = {
      {Initializer::glorot_uniform(), glorot, std::sqrt(3.0) * glorot},
      {Initializer::glorot_normal(), glorot, 2.0 * glorot / ktl::truncated_normal_stddev_factor},
      {Initializer::he_uniform(), he, std::sqrt(3.0) * he},
      {Initializer::he_normal(), he, 2.0 * he / ktl::truncated_normal_stddev_factor},
      {Initializer::variance_scaling(2.0, FanMode::fan_in, Distribution::untruncated_normal), he,
       HUGE_VAL},
      {Initializer::variance_scaling(0.5, FanMode::fan_out, Distribution::uniform),
       std::sqrt(0.5 / 288.0), std::sqrt(1.5 / 288.0)},
  };
  for (const Row& r : rows) {
    const Stats s = stats_of(pooled<float>(r.init, shape, draws, 77));
    EXPECT_NEAR(s.mean, 0.0, 5 * r.std / std::sqrt(n)) << r.init;
    EXPECT_NEAR(s.std / r.std, 1.0, 5 * std::sqrt(2.0 / (4.0 * n))) << r.init;
    EXPECT_LE(s.max, static_cast<float>(r.bound)) << r.init;
    EXPECT_GE(s.min, -static_cast<float>(r.bound)) << r.init;
    if (r.bound != HUGE_VAL) {
      EXPECT_GT(s.max, 0.999 * r.bound) << r.init;
    }
  }
}

TEST(InitializerStatistics, DoubleDrawsHaveTheSameDistribution) {
  const std::vector<Index> shape{64, 128};
  const double n = 8192.0 * 8;
  const Stats u = stats_of(pooled<double>(Initializer::random_uniform(-1.0, 3.0), shape, 8, 5));
  EXPECT_GE(u.min, -1.0);
  EXPECT_LT(u.max, 3.0);
  EXPECT_NEAR(u.mean, 1.0, 5 * (4.0 / std::sqrt(12.0)) / std::sqrt(n));
  const Stats t = stats_of(pooled<double>(Initializer::truncated_normal(2.0, 0.5), shape, 8, 5));
  EXPECT_GE(t.min, 1.0);
  EXPECT_LE(t.max, 3.0);
  EXPECT_NEAR(t.std / (0.5 * ktl::truncated_normal_stddev_factor), 1.0, 5 * std::sqrt(0.5 / n));
  const Stats g = stats_of(pooled<double>(Initializer::random_normal(-3.0, 0.25), shape, 8, 5));
  EXPECT_NEAR(g.mean, -3.0, 5 * 0.25 / std::sqrt(n));
  EXPECT_NEAR(g.std / 0.25, 1.0, 5 * std::sqrt(0.5 / n));
}

TEST(InitializerStatistics, UniformValuesStayBelowMaxval) {
  // U[minval, maxval): even a tiny interval whose float rounding could reach maxval.
  const Initializer narrow = Initializer::random_uniform(1.0, 1.0 + 1e-7);
  std::vector<float> v = pooled<float>(narrow, {1000}, 20, 3);
  for (float x : v) {
    ASSERT_GE(x, 1.0f);
    ASSERT_LT(x, static_cast<float>(1.0 + 1e-7));
  }
}

// ---------------------------------------------------------------------------------------------
// Orthogonal

template <typename S>
double frame_error(const std::vector<S>& w, Index rows, Index cols, double gain) {
  // max |Q^T Q - gain^2 I| over the smaller side's Gram matrix.
  const bool tall = rows >= cols;
  const Index k = tall ? cols : rows, m = tall ? rows : cols;
  auto at = [&](Index i, Index j) {  // element i of frame vector j
    return static_cast<double>(tall ? w[static_cast<std::size_t>(i * cols + j)]
                                    : w[static_cast<std::size_t>(j * cols + i)]);
  };
  double worst = 0.0;
  for (Index a = 0; a < k; ++a)
    for (Index b = 0; b < k; ++b) {
      double dot = 0.0;
      for (Index i = 0; i < m; ++i) dot += at(i, a) * at(i, b);
      worst = std::max(worst, std::abs(dot - (a == b ? gain * gain : 0.0)));
    }
  return worst;
}

TEST(InitializerOrthogonal, TallWideAndConvKernelsAreOrthonormalFrames) {
  struct Row {
    std::vector<Index> shape;
    Index rows, cols;
    double gain;
  };
  const Row rows[] = {{{64, 32}, 64, 32, 1.0},       {{16, 48}, 16, 48, 1.0},
                      {{3, 3, 8, 16}, 72, 16, 2.0},  {{5, 2, 40}, 10, 40, 0.5},
                      {{1, 1, 24, 24}, 24, 24, 1.0}, {{7, 1}, 7, 1, 1.0}};
  for (const Row& r : rows) {
    const Initializer init = Initializer::orthogonal(r.gain);
    const auto d = pooled<double>(init, r.shape, 1, 21);
    EXPECT_LT(frame_error(d, r.rows, r.cols, r.gain), 1e-13) << ktl::detail::format_dims(r.shape);
    const auto f = pooled<float>(init, r.shape, 1, 21);
    EXPECT_LT(frame_error(f, r.rows, r.cols, r.gain), 2e-6 * r.gain * r.gain)
        << ktl::detail::format_dims(r.shape);
  }
  // A square matrix is orthogonal both ways; the 4-D kernel goes through operator().
  const auto k = Initializer::orthogonal().operator()<double, 4>({1, 1, 24, 24}, 4);
  std::vector<double> flat(k.data(), k.data() + k.size()), transposed(flat.size());
  for (Index i = 0; i < 24; ++i)
    for (Index j = 0; j < 24; ++j)
      transposed[static_cast<std::size_t>(j * 24 + i)] = flat[static_cast<std::size_t>(i * 24 + j)];
  EXPECT_LT(frame_error(transposed, 24, 24, 1.0), 1e-13);
}

TEST(InitializerOrthogonal, QIsTheSignFixedQrOfTheGaussianDraw) {
  // With the signs of R's diagonal folded in, Q's first column is the Gaussian matrix's first
  // column normalised (R_00 = +|a_0|): the draws fill the (max, min) matrix in row-major order.
  const Index rows = 20, cols = 6;
  const auto q = Initializer::orthogonal(3.0).operator()<double, 2>({rows, cols}, 31);
  ktl::RandomGenerator g(31);
  std::vector<double> a(static_cast<std::size_t>(rows * cols));
  for (double& x : a) x = g.normal();
  double norm = 0.0;
  for (Index i = 0; i < rows; ++i)
    norm += a[static_cast<std::size_t>(i * cols)] * a[static_cast<std::size_t>(i * cols)];
  norm = std::sqrt(norm);
  for (Index i = 0; i < rows; ++i)
    EXPECT_NEAR(q(i, 0), 3.0 * a[static_cast<std::size_t>(i * cols)] / norm, 1e-13) << i;
  // Wide: the result is the transpose of the tall draw.
  const auto w = Initializer::orthogonal(3.0).operator()<double, 2>({cols, rows}, 31);
  for (Index i = 0; i < rows; ++i)
    for (Index j = 0; j < cols; ++j) EXPECT_EQ(w(j, i), q(i, j));
}

TEST(InitializerOrthogonal, HaarDistributedEntries) {
  // Entries of a Haar-random (m, k) frame have mean 0 and variance 1/m; without the sign fix
  // Householder's Q(0, 0) would always be negative.
  double sum00 = 0.0;
  const int draws = 400;
  for (int d = 0; d < draws; ++d)
    sum00 += Initializer::orthogonal().operator()<double, 2>({12, 4},
                                                             static_cast<std::uint64_t>(d))(0, 0);
  EXPECT_NEAR(sum00 / draws, 0.0, 5.0 * std::sqrt(1.0 / 12.0 / draws));
}

// ---------------------------------------------------------------------------------------------
// Agreement with TensorFlow.js' samples (tests/golden/initializers.txt)

Initializer initializer_of(const ktl::test::GoldenCase& c) {
  Initializer init = ktl::parse_initializer(c.text("initializer"));
  if (init.kind == ktl::InitializerKind::variance_scaling)
    init = Initializer::variance_scaling(c.real("scale"), ktl::parse_fan_mode(c.text("mode")),
                                         ktl::parse_distribution(c.text("distribution")));
  if (c.has("stddev") && init.kind == ktl::InitializerKind::random_normal)
    init = Initializer::random_normal(c.real("mean"), c.real("stddev"));
  if (c.has("stddev") && init.kind == ktl::InitializerKind::truncated_normal)
    init = Initializer::truncated_normal(c.real("mean"), c.real("stddev"));
  if (c.has("minval")) init = Initializer::random_uniform(c.real("minval"), c.real("maxval"));
  if (c.has("gain")) init = Initializer::orthogonal(c.real("gain"));
  return init;
}

class InitializerAgreesWithTfjs : public testing::TestWithParam<std::string> {};

TEST_P(InitializerAgreesWithTfjs, SampleStatistics) {
  const auto& c = ktl::test::golden_case("initializers.txt", GetParam());
  const Initializer init = initializer_of(c);
  const std::vector<Index> shape = c.integers("shape");
  const std::vector<float> v = pooled<float>(init, shape, c.integer("draws"), 2024);
  ASSERT_EQ(static_cast<double>(v.size()), c.real("count"));
  const Stats ours = stats_of(v);
  const auto& t = c.tensor("stats").values;  // tfjs: min, max, mean, std
  const double n = ours.count, sigma = c.real("std");
  const bool uniform = init.kind == ktl::InitializerKind::random_uniform ||
                       (init.kind == ktl::InitializerKind::variance_scaling &&
                        init.distribution == Distribution::uniform);
  const double kurtosis = uniform ? 1.8 : 3.0;

  // The closed-form stddev and the parameter recorded by the generator are ours too.
  if (c.has("parameter")) {
    EXPECT_NEAR(init.scaling_parameter(shape.data(), static_cast<int>(shape.size())),
                c.real("parameter"), 1e-8 * c.real("parameter"));
  }
  // Two independent samples: means within 5 sqrt(2) standard errors, stds within 5 sqrt(2)
  // relative standard errors, of each other; ours also against the closed form.
  EXPECT_NEAR(ours.mean, t[2], 5 * std::sqrt(2.0) * sigma / std::sqrt(n));
  EXPECT_NEAR(ours.std / t[3], 1.0, 5 * std::sqrt(2.0) * std::sqrt((kurtosis - 1) / (4 * n)));
  EXPECT_NEAR(ours.std / sigma, 1.0, 5 * std::sqrt((kurtosis - 1) / (4 * n)));

  // Extremes. Bounded distributions: inside [lo, hi] and within t/(n f) of the bound, like
  // tfjs'. Unbounded (normal, orthogonal): the maximum of n draws fluctuates by ~0.2 sigma
  // (Gumbel scale 1/sqrt(2 ln n)), so the two maxima agree within 1.5 sigma.
  double lo = -HUGE_VAL, hi = HUGE_VAL, gap = 1.5 * sigma;
  if (uniform) {
    lo = init.kind == ktl::InitializerKind::random_uniform ? init.minval : -c.real("parameter");
    hi = init.kind == ktl::InitializerKind::random_uniform ? init.maxval : c.real("parameter");
    gap = 15.0 * (hi - lo) / n;
  } else if (init.kind == ktl::InitializerKind::truncated_normal ||
             (init.kind == ktl::InitializerKind::variance_scaling &&
              init.distribution == Distribution::truncated_normal)) {
    const double p =
        init.kind == ktl::InitializerKind::truncated_normal ? init.stddev : c.real("parameter");
    const double center = init.kind == ktl::InitializerKind::truncated_normal ? init.mean : 0.0;
    lo = center - 2 * p;
    hi = center + 2 * p;
    gap = 15.0 * p / (n * 0.0566);
  } else if (init.kind == ktl::InitializerKind::orthogonal) {
    lo = -init.gain;
    hi = init.gain;
  }
  EXPECT_GE(ours.min, static_cast<float>(lo));
  EXPECT_LE(ours.max, static_cast<float>(hi));
  EXPECT_NEAR(ours.min, t[0], gap);
  EXPECT_NEAR(ours.max, t[1], gap);
  if (gap < sigma) {  // bounded: both samples reach their bound
    EXPECT_NEAR(ours.min, lo, gap);
    EXPECT_NEAR(ours.max, hi, gap);
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, InitializerAgreesWithTfjs,
                         testing::ValuesIn(ktl::test::golden_case_names("initializers.txt")),
                         [](const testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
