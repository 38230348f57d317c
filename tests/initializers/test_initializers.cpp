// Initializers: fans (§9.1), the §12.10 worked numbers, factories and their validation, name
// parsing, deterministic seeding (same seed same bits, pinned first values), identity, shapes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <ktl/initializers.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using ktl::Distribution;
using ktl::FanMode;
using ktl::Index;
using ktl::Initializer;
using testing::AllOf;
using testing::HasSubstr;
using testing::ThrowsMessage;

template <std::size_t R>
ktl::Fans fans(const std::array<Index, R>& s) {
  return ktl::compute_fans(s);
}

// ---------------------------------------------------------------------------------------------
// Fans

TEST(InitializerFans, ConvKernelLayoutsOfTheSemanticsTable) {
  // §9.1: positions, not semantic directions, decide the fans.
  struct Row {
    std::vector<Index> shape;
    double fan_in, fan_out;
  };
  const Row rows[] = {
      {{3, 3, 16, 32}, 144, 288},   // Conv2D (kh, kw, C, F)
      {{3, 3, 64, 32}, 576, 288},   // Conv2DTranspose (kh, kw, F, C), F = 64
      {{3, 3, 32, 1}, 288, 9},      // DepthwiseConv2D (kh, kw, C, M)
      {{1, 1, 96, 32}, 96, 32},     // SeparableConv2D pointwise (1, 1, C*M, F)
      {{5, 8, 16}, 40, 80},         // Conv1D (k, C, F)
      {{3, 3, 3, 4, 8}, 108, 216},  // Conv3D (kd, kh, kw, C, F)
      {{200, 50}, 200, 50},         // Dense (a, b)
  };
  for (const Row& r : rows) {
    const ktl::Fans f = ktl::compute_fans(r.shape.data(), static_cast<int>(r.shape.size()));
    EXPECT_EQ(f.fan_in, r.fan_in) << ktl::detail::format_dims(r.shape);
    EXPECT_EQ(f.fan_out, r.fan_out) << ktl::detail::format_dims(r.shape);
  }
}

TEST(InitializerFans, OtherRanksUseTheSquareRootOfTheSize) {
  // Keras 2.2: ranks other than 2..5 (a bias, a scalar, rank 6) give sqrt(prod(shape)) twice.
  const ktl::Fans bias = fans(std::array<Index, 1>{64});
  EXPECT_EQ(bias.fan_in, 8.0);
  EXPECT_EQ(bias.fan_out, 8.0);
  const ktl::Fans scalar = ktl::compute_fans(static_cast<const Index*>(nullptr), 0);
  EXPECT_EQ(scalar.fan_in, 1.0);
  const ktl::Fans six = fans(std::array<Index, 6>{1, 2, 2, 1, 4, 4});
  EXPECT_EQ(six.fan_in, 8.0);
  EXPECT_EQ(six.fan_out, 8.0);
}

TEST(InitializerFans, WorkedNumbersOfSection12) {
  constexpr double tol = 5e-7;  // §12.10 prints 6 decimals
  const std::array<Index, 4> conv{3, 3, 16, 32};
  EXPECT_NEAR(Initializer::glorot_uniform().scaling_parameter(conv), 0.117851, tol);
  EXPECT_NEAR(Initializer::glorot_normal().scaling_parameter(conv), 0.077353, tol);
  EXPECT_NEAR(
      Initializer::glorot_normal().scaling_parameter(conv) * ktl::truncated_normal_stddev_factor,
      0.068041, tol);  // resulting std
  EXPECT_NEAR(Initializer::he_uniform().scaling_parameter(conv), 0.204124, tol);
  EXPECT_NEAR(Initializer::he_normal().scaling_parameter(conv), 0.133979, tol);
  EXPECT_NEAR(Initializer::lecun_uniform().scaling_parameter(conv), 0.144338, tol);
  EXPECT_NEAR(Initializer::lecun_normal().scaling_parameter(conv), 0.094737, tol);
  EXPECT_NEAR(Initializer::glorot_uniform().scaling_parameter(std::array<Index, 4>{3, 3, 32, 1}),
              0.142134, tol);
  EXPECT_NEAR(Initializer::glorot_uniform().scaling_parameter(std::array<Index, 4>{3, 3, 64, 32}),
              0.083333, tol);
  // untruncated: sqrt(scale / n) with no correction; fan_out mode.
  EXPECT_DOUBLE_EQ(
      Initializer::variance_scaling(2.0, FanMode::fan_in, Distribution::untruncated_normal)
          .scaling_parameter(conv),
      std::sqrt(2.0 / 144.0));
  EXPECT_DOUBLE_EQ(Initializer::variance_scaling(0.5, FanMode::fan_out, Distribution::uniform)
                       .scaling_parameter(conv),
                   std::sqrt(1.5 / 288.0));
  // n = max(1, fan): a (1, 1) weight with scale 1 gives limit sqrt(3).
  EXPECT_DOUBLE_EQ(Initializer::lecun_uniform().scaling_parameter(std::array<Index, 2>{0, 0}),
                   std::sqrt(3.0));
  EXPECT_EQ(Initializer::zeros().scaling_parameter(conv), 0.0);
}

// ---------------------------------------------------------------------------------------------
// Factories, names, validation

TEST(InitializerFactories, PresetsAreVarianceScalingWithKerasParameters) {
  EXPECT_EQ(Initializer::glorot_uniform(),
            Initializer::variance_scaling(1.0, FanMode::fan_avg, Distribution::uniform));
  EXPECT_EQ(Initializer::he_normal(),
            Initializer::variance_scaling(2.0, FanMode::fan_in, Distribution::truncated_normal));
  EXPECT_EQ(Initializer::lecun_normal(), Initializer::variance_scaling());
  EXPECT_NE(Initializer::glorot_uniform(), Initializer::glorot_normal());
  const Initializer rn = Initializer::random_normal();
  EXPECT_EQ(rn.mean, 0.0);
  EXPECT_EQ(rn.stddev, 0.05);
  const Initializer ru = Initializer::random_uniform();
  EXPECT_EQ(ru.minval, -0.05);
  EXPECT_EQ(ru.maxval, 0.05);
  EXPECT_EQ(Initializer::truncated_normal().stddev, 0.05);
  EXPECT_EQ(Initializer::orthogonal().gain, 1.0);
  EXPECT_EQ(Initializer::identity(2.0).gain, 2.0);
}

TEST(InitializerFactories, NamesAndToString) {
  EXPECT_EQ(Initializer::glorot_uniform().name(), "glorot_uniform");
  EXPECT_EQ(Initializer::glorot_normal().name(), "glorot_normal");
  EXPECT_EQ(Initializer::he_uniform().name(), "he_uniform");
  EXPECT_EQ(Initializer::he_normal().name(), "he_normal");
  EXPECT_EQ(Initializer::lecun_uniform().name(), "lecun_uniform");
  EXPECT_EQ(Initializer::lecun_normal().name(), "lecun_normal");
  EXPECT_EQ(Initializer::variance_scaling(3.0).name(), "variance_scaling");
  EXPECT_EQ(Initializer::orthogonal().name(), "orthogonal");
  EXPECT_EQ(Initializer::constant(2).name(), "constant");
  std::ostringstream os;
  os << Initializer::he_normal() << ' ' << FanMode::fan_avg << ' '
     << Distribution::untruncated_normal << ' ' << ktl::InitializerKind::truncated_normal;
  EXPECT_EQ(os.str(), "he_normal fan_avg untruncated_normal truncated_normal");
}

TEST(InitializerFactories, ValidationNamesTheArgument) {
  EXPECT_THAT([] { Initializer::variance_scaling(0.0); },
              ThrowsMessage<ktl::invalid_options>(
                  AllOf(HasSubstr("VarianceScaling"), HasSubstr("scale"), HasSubstr("> 0"))));
  EXPECT_THAT([] { Initializer::variance_scaling(-1.0); },
              ThrowsMessage<ktl::invalid_options>(HasSubstr("scale=-1")));
  EXPECT_THAT([] { Initializer::variance_scaling(std::nan("")); },
              ThrowsMessage<ktl::invalid_options>(HasSubstr("scale")));
  EXPECT_THAT(
      [] { Initializer::random_normal(0.0, -0.1); },
      ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("RandomNormal"), HasSubstr("stddev"))));
  EXPECT_THAT(
      [] { Initializer::truncated_normal(HUGE_VAL, 1.0); },
      ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("TruncatedNormal"), HasSubstr("mean"))));
  EXPECT_THAT([] { Initializer::random_uniform(1.0, 0.0); },
              ThrowsMessage<ktl::invalid_options>(
                  AllOf(HasSubstr("RandomUniform"), HasSubstr("minval"), HasSubstr("maxval"))));
  EXPECT_THAT(
      [] { Initializer::constant(std::nan("")); },
      ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("Constant"), HasSubstr("value"))));
  EXPECT_THAT(
      [] { Initializer::orthogonal(HUGE_VAL); },
      ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("Orthogonal"), HasSubstr("gain"))));
  EXPECT_THAT([] { Initializer::identity(-HUGE_VAL); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("Identity"), HasSubstr("gain"))));
  // Fields edited after construction are checked again when drawing.
  Initializer edited = Initializer::he_uniform();
  edited.scale = -2.0;
  EXPECT_THAT(([&edited] { edited.operator()<float, 2>({3, 3}, 0); }),
              ThrowsMessage<ktl::invalid_options>(HasSubstr("scale=-2")));
  edited = Initializer::random_uniform();
  edited.maxval = -1.0;
  EXPECT_THROW(edited.validate(), ktl::invalid_options);
  EXPECT_NO_THROW(Initializer::random_normal(0.0, 0.0));  // a constant, as Keras allows
  EXPECT_NO_THROW(Initializer::random_uniform(1.0, 1.0));
}

TEST(InitializerParsing, EveryKerasNameAliasAndClassName) {
  struct Row {
    const char* name;
    Initializer expected;
  };
  const Row rows[] = {
      {"zeros", Initializer::zeros()},
      {"Zero", Initializer::zeros()},
      {"ZEROS", Initializer::zeros()},
      {"ones", Initializer::ones()},
      {"one", Initializer::ones()},
      {"Constant", Initializer::constant(0.0)},
      {"random_normal", Initializer::random_normal()},
      {"normal", Initializer::random_normal()},
      {"RandomNormal", Initializer::random_normal()},
      {"random_uniform", Initializer::random_uniform()},
      {"uniform", Initializer::random_uniform()},
      {"RandomUniform", Initializer::random_uniform()},
      {"truncated_normal", Initializer::truncated_normal()},
      {"TruncatedNormal", Initializer::truncated_normal()},
      {"variance_scaling", Initializer::variance_scaling()},
      {"VarianceScaling", Initializer::variance_scaling()},
      {"glorot_uniform", Initializer::glorot_uniform()},
      {"GlorotUniform", Initializer::glorot_uniform()},
      {"Glorot_Normal", Initializer::glorot_normal()},
      {"he_uniform", Initializer::he_uniform()},
      {"HeNormal", Initializer::he_normal()},
      {"lecun_uniform", Initializer::lecun_uniform()},
      {"LecunNormal", Initializer::lecun_normal()},
      {"orthogonal", Initializer::orthogonal()},
      {"Identity", Initializer::identity()},
  };
  for (const Row& r : rows) EXPECT_EQ(ktl::parse_initializer(r.name), r.expected) << r.name;
}

TEST(InitializerParsing, UnknownNamesThrowNamingTheArgument) {
  EXPECT_THAT([] { ktl::parse_initializer("xavier", "Conv2D"); },
              ThrowsMessage<ktl::invalid_options>(
                  AllOf(HasSubstr("Conv2D"), HasSubstr("initializer"), HasSubstr("\"xavier\""),
                        HasSubstr("\"glorot_uniform\""))));
  EXPECT_THROW(ktl::parse_initializer(""), ktl::invalid_options);
  EXPECT_THROW(ktl::parse_initializer("glorot uniform"), ktl::invalid_options);
}

TEST(InitializerParsing, FanModeAndDistribution) {
  EXPECT_EQ(ktl::parse_fan_mode("FAN_AVG"), FanMode::fan_avg);
  EXPECT_EQ(ktl::parse_fan_mode("fan_out"), FanMode::fan_out);
  EXPECT_EQ(ktl::parse_distribution("Normal"), Distribution::truncated_normal);  // Keras 2.2
  EXPECT_EQ(ktl::parse_distribution("truncated_normal"), Distribution::truncated_normal);
  EXPECT_EQ(ktl::parse_distribution("Untruncated_Normal"), Distribution::untruncated_normal);
  EXPECT_EQ(ktl::parse_distribution("UNIFORM"), Distribution::uniform);
  EXPECT_THAT([] { ktl::parse_fan_mode("fanin"); },
              ThrowsMessage<ktl::invalid_options>(
                  AllOf(HasSubstr("VarianceScaling"), HasSubstr("mode"), HasSubstr("\"fanin\""))));
  EXPECT_THAT([] { ktl::parse_distribution("gaussian"); },
              ThrowsMessage<ktl::invalid_options>(
                  AllOf(HasSubstr("distribution"), HasSubstr("\"uniform\""))));
}

// ---------------------------------------------------------------------------------------------
// Determinism and seeds

TEST(InitializerDeterminism, GeneratorSequenceIsPinned) {
  // xoshiro256** seeded by splitmix64 (the reference algorithms; the same two values come out of
  // an independent Python transcription): a change here changes every weight ktl draws.
  ktl::RandomGenerator g(0);
  EXPECT_EQ(g.next_u64(), 0x99ec5f36cb75f2b4ULL);
  EXPECT_EQ(g.next_u64(), 0xbf6e1f784956452aULL);
  ktl::RandomGenerator h(42);
  const double u = h.uniform();
  EXPECT_GE(u, 0.0);
  EXPECT_LT(u, 1.0);
  EXPECT_EQ(u * 0x1.0p53, std::floor(u * 0x1.0p53));  // a multiple of 2^-53
}

TEST(InitializerDeterminism, NormalDrawsArePinnedToTheBit) {
  // Marsaglia polar with ktl's own logarithm: exact doubles, no libm call except sqrt and fma.
  // (Python's math.log version of the same algorithm gives 0.9643618527255184,
  // -1.0637531974798475, -0.3039301238656567: within 2 ulp, as ktl's log is not libm's.)
  ktl::RandomGenerator g(7);
  const double a = g.normal(), b = g.normal(), c = g.normal();
  std::uint64_t bits[3];
  std::memcpy(&bits[0], &a, 8);
  std::memcpy(&bits[1], &b, 8);
  std::memcpy(&bits[2], &c, 8);
  EXPECT_EQ(bits[0], 0x3feedc0d635eea0eULL) << a;
  EXPECT_EQ(bits[1], 0xbff1052212a30fe0ULL) << b;
  EXPECT_EQ(bits[2], 0xbfd3739755916c21ULL) << c;
}

TEST(InitializerDeterminism, SameSeedSameBitsDifferentSeedDifferentValues) {
  const Initializer inits[] = {
      Initializer::glorot_uniform(),
      Initializer::he_normal(),
      Initializer::variance_scaling(1.0, FanMode::fan_out, Distribution::untruncated_normal),
      Initializer::random_normal(),
      Initializer::random_uniform(),
      Initializer::truncated_normal(),
      Initializer::orthogonal()};
  for (const Initializer& init : inits) {
    const auto a = init.operator()<float, 4>({3, 3, 4, 8}, 123);
    const auto b = init.operator()<float, 4>({3, 3, 4, 8}, 123);
    const auto c = init.operator()<float, 4>({3, 3, 4, 8}, 124);
    EXPECT_EQ(std::memcmp(a.data(), b.data(), sizeof(float) * static_cast<std::size_t>(a.size())),
              0)
        << init;
    Index same = 0;
    for (Index i = 0; i < a.size(); ++i) same += a.data()[i] == c.data()[i];
    EXPECT_LT(same, 3) << init;  // unrelated draws: equal floats are (almost) impossible
  }
}

TEST(InitializerDeterminism, FloatDrawsAreRoundedDoubleDraws) {
  // Values are computed in double and rounded once, so both scalar types see the same draw.
  for (const Initializer& init : {Initializer::glorot_normal(), Initializer::random_normal(1, 2),
                                  Initializer::orthogonal(1.5)}) {
    const auto f = init.operator()<float, 2>({40, 30}, 9);
    const auto d = init.operator()<double, 2>({40, 30}, 9);
    for (Index i = 0; i < f.size(); ++i)
      ASSERT_EQ(f.data()[i], static_cast<float>(d.data()[i])) << init << " at " << i;
  }
}

TEST(InitializerDeterminism, PinnedWeights) {
  // The first weights of a Conv2D kernel drawn with seed 2024: pinned bits, so another platform,
  // compiler or -march that changes a single weight fails here.
  const auto w = Initializer::glorot_uniform().operator()<float, 4>({3, 3, 16, 32}, 2024);
  std::uint32_t bits[2];
  std::memcpy(&bits[0], &w.data()[0], 4);
  std::memcpy(&bits[1], &w.data()[1], 4);
  EXPECT_EQ(bits[0], 0xbdd66d47u) << w.data()[0];
  EXPECT_EQ(bits[1], 0x3d882d38u) << w.data()[1];
  const auto h = Initializer::he_normal().operator()<float, 4>({3, 3, 16, 32}, 2024);
  std::uint32_t hb;
  std::memcpy(&hb, &h.data()[0], 4);
  EXPECT_EQ(hb, 0x3dd827b6u) << h.data()[0];
  // Orthogonal goes through ktl's own Householder QR (fixed-order fma loops), also pinned.
  const auto q = Initializer::orthogonal().operator()<double, 2>({20, 6}, 31);
  std::uint64_t qb[2];
  std::memcpy(&qb[0], &q(0, 0), 8);
  std::memcpy(&qb[1], &q(7, 4), 8);
  EXPECT_EQ(qb[0], 0x3fd56fd31577bb3dULL) << q(0, 0);
  EXPECT_EQ(qb[1], 0xbfb79c13baec410dULL) << q(7, 4);
}

TEST(InitializerDeterminism, DerivedSeedsAreDistinctAndIndependent) {
  static_assert(ktl::derive_seed(1, 0) == ktl::derive_seed(1, 0), "pure function");
  std::set<std::uint64_t> seen;
  for (std::uint64_t seed = 0; seed < 64; ++seed)
    for (std::uint64_t stream = 0; stream < 64; ++stream)
      seen.insert(ktl::derive_seed(seed, stream));
  EXPECT_EQ(seen.size(), 64u * 64u);
  EXPECT_NE(ktl::derive_seed(5, 0), 5u);
  EXPECT_NE(ktl::derive_seed(0, 1), ktl::derive_seed(1, 0));
  // Streams 0 and 1 of one seed (a layer's kernel and bias) are uncorrelated: the sample
  // correlation of n pairs of independent uniforms has standard deviation 1/sqrt(n).
  ktl::RandomGenerator g0(ktl::derive_seed(99, 0)), g1(ktl::derive_seed(99, 1));
  const int n = 100000;
  double sxy = 0, sx = 0, sy = 0, sxx = 0, syy = 0;
  for (int i = 0; i < n; ++i) {
    const double x = g0.uniform(), y = g1.uniform();
    sx += x, sy += y, sxy += x * y, sxx += x * x, syy += y * y;
  }
  const double cov = sxy / n - (sx / n) * (sy / n);
  const double corr = cov / std::sqrt((sxx / n - sx * sx / n / n) * (syy / n - sy * sy / n / n));
  EXPECT_LT(std::abs(corr), 5.0 / std::sqrt(n));
}

// ---------------------------------------------------------------------------------------------
// Deterministic kinds and shapes

TEST(InitializerKinds, ConstantsFillEveryValue) {
  const auto z = Initializer::zeros().operator()<float, 1>({7}, 1);
  const auto o = Initializer::ones().operator()<double, 3>({2, 3, 4}, 1);
  const auto c = Initializer::constant(-2.5).operator()<float, 2>({3, 5}, 1);
  EXPECT_EQ(z.dimension(0), 7);
  for (Index i = 0; i < z.size(); ++i) EXPECT_EQ(z.data()[i], 0.0f);
  for (Index i = 0; i < o.size(); ++i) EXPECT_EQ(o.data()[i], 1.0);
  for (Index i = 0; i < c.size(); ++i) EXPECT_EQ(c.data()[i], -2.5f);
}

TEST(InitializerKinds, IdentityIsRectangularAndTwoDimensional) {
  for (const auto& dims : {ktl::Dims<2>{3, 5}, ktl::Dims<2>{5, 3}, ktl::Dims<2>{4, 4}}) {
    const auto w = Initializer::identity(2.0).operator()<float, 2>(dims, 0);
    for (Index r = 0; r < dims[0]; ++r)
      for (Index c = 0; c < dims[1]; ++c) EXPECT_EQ(w(r, c), r == c ? 2.0f : 0.0f) << r << "," << c;
  }
  EXPECT_THAT(
      ([] {
        Initializer::identity().operator()<float, 4>({3, 3, 4, 4}, 0);
      }),
      ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("Identity"), HasSubstr("(3, 3, 4, 4)"))));
  EXPECT_THROW((Initializer::identity().operator()<float, 1>({4}, 0)), ktl::invalid_options);
}

TEST(InitializerKinds, OrthogonalNeedsRankTwo) {
  EXPECT_THAT(
      ([] { Initializer::orthogonal().operator()<float, 1>({8}, 0); }),
      ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("Orthogonal"), HasSubstr("rank >= 2"))));
}

TEST(InitializerShapes, NegativeExtentsThrowAndEmptyShapesWork) {
  EXPECT_THAT(([] {
                Initializer::glorot_uniform().operator()<float, 2>({3, -1}, 0);
              }),
              ThrowsMessage<ktl::shape_mismatch>(HasSubstr("(3, -1)")));
  for (const Initializer& init : {Initializer::glorot_uniform(), Initializer::orthogonal(),
                                  Initializer::he_normal(), Initializer::identity()}) {
    const auto t = init.operator()<float, 2>({0, 5}, 0);
    EXPECT_EQ(t.size(), 0);
    EXPECT_EQ(t.dimension(1), 5);
  }
  const auto m = Initializer::he_uniform().make<double>(ktl::Dims<3>{2, 3, 4}, 5);
  EXPECT_EQ(m.dimension(0), 2);
  EXPECT_EQ(m.dimension(1), 3);
  EXPECT_EQ(m.dimension(2), 4);
}

}  // namespace
