// Golden tests of the reshaping layers against TensorFlow.js (tests/golden/resize.txt): crop,
// pad and nearest bit-exact; bilinear within 1e-6 of tfjs (which computes in float64 and rounds
// once) and bit-exact against the float32-order reference of docs/semantics.md 4.11.
#include <array>
#include <cstdio>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ktl/core/parallel.hpp>
#include <ktl/layers/cropping.hpp>
#include <ktl/layers/up_sampling.hpp>
#include <ktl/layers/zero_padding.hpp>

#include "ktl_test/compare.hpp"
#include "ktl_test/golden.hpp"
#include "resize_test_util.hpp"

namespace {

using ktl::Index;
using ktl::test::GoldenCase;

constexpr const char* kFile = "resize.txt";

template <int N, typename Options>
void set_format(const GoldenCase& c, Options& o) {
  if constexpr (N > 1) o.data_format = ktl::parse_data_format(c.text("data_format"));
}

template <typename S, int N>
ktl::Cropping<S, N> make_cropping(const GoldenCase& c) {
  ktl::CroppingOptions<N> o;
  o.cropping = ktl::test::pairs_from<N>(c.integers("cropping"));
  set_format<N>(c, o);
  return ktl::Cropping<S, N>(o);
}
template <typename S, int N>
ktl::ZeroPadding<S, N> make_padding(const GoldenCase& c) {
  ktl::ZeroPaddingOptions<N> o;
  o.padding = ktl::test::pairs_from<N>(c.integers("padding"));
  set_format<N>(c, o);
  return ktl::ZeroPadding<S, N>(o);
}
template <typename S, int N>
ktl::UpSampling<S, N> make_upsampling(const GoldenCase& c) {
  ktl::UpSamplingOptions<N> o;
  o.size = ktl::test::extent_from<N>(c.integers("size"));
  set_format<N>(c, o);
  if constexpr (N == 2) {
    o.interpolation = ktl::parse_interpolation(c.text("interpolation"));
    if (c.has("bilinear_mapping")) o.bilinear_mapping = ktl::parse_bilinear_mapping(c.text("bilinear_mapping"));
  }
  return ktl::UpSampling<S, N>(o);
}

bool is_bilinear(const GoldenCase& c) { return c.has("interpolation") && c.text("interpolation") == "bilinear"; }

/// Runs the layer three ways (returned tensor on the default pool, forward into a caller view on
/// 1 and on 2 threads) and compares each with the golden output.
template <typename S, typename Layer>
void check(const Layer& layer, const GoldenCase& c) {
  constexpr int R = Layer::rank;
  // The fixture prints float32 values with 9 digits: round them back to float32 first, so that
  // tolerance 0 means bit equality (double layers get the same float32 input values).
  const ktl::Tensor<S, R> x = c.tensor("x").as<float, R>().template cast<S>();
  const ktl::Tensor<float, R> expected = c.tensor("y").as<float, R>();
  const double tol = is_bilinear(c) ? 1e-6 : 0.0;
  const auto y = layer(x);
  EXPECT_TRUE(ktl::test::tensors_near(y, expected, tol)) << c.where();
  EXPECT_EQ(layer.compute_output_shape(ktl::dims_of(x)), ktl::dims_of(y));
  for (int threads : {1, 2}) {
    const ktl::ThreadPool pool(threads);
    ktl::Workspace ws;
    ktl::Tensor<S, R> z(layer.output_shape(ktl::dims_of(x)));
    z.setConstant(S(7));  // every output element must be overwritten
    layer.forward(ktl::view(x), ktl::mutable_view(z), ws, pool);
    EXPECT_TRUE(ktl::test::tensors_near(z, y, 0.0)) << c.where() << ", " << threads << " threads";
  }
}

template <typename S>
void run_case(const GoldenCase& c) {
  const std::string& l = c.layer;
  if (l == "Cropping1D") return check<S>(make_cropping<S, 1>(c), c);
  if (l == "Cropping2D") return check<S>(make_cropping<S, 2>(c), c);
  if (l == "Cropping3D") return check<S>(make_cropping<S, 3>(c), c);
  if (l == "ZeroPadding1D") return check<S>(make_padding<S, 1>(c), c);
  if (l == "ZeroPadding2D") return check<S>(make_padding<S, 2>(c), c);
  if (l == "ZeroPadding3D") return check<S>(make_padding<S, 3>(c), c);
  if (l == "UpSampling1D") return check<S>(make_upsampling<S, 1>(c), c);
  if (l == "UpSampling2D") return check<S>(make_upsampling<S, 2>(c), c);
  if (l == "UpSampling3D") return check<S>(make_upsampling<S, 3>(c), c);
  FAIL() << "unknown layer " << l << " in " << c.where();
}

class ResizeGolden : public testing::TestWithParam<std::string> {};

TEST_P(ResizeGolden, MatchesTensorFlowJs) { run_case<float>(ktl::test::golden_case(kFile, GetParam())); }

INSTANTIATE_TEST_SUITE_P(Resize, ResizeGolden, testing::ValuesIn(ktl::test::golden_case_names(kFile)),
                         [](const testing::TestParamInfo<std::string>& i) { return i.param; });

// double: the 2-D layers over every 2-D case (copies exact; bilinear within 1e-6).
TEST(ResizeGoldenDouble, TwoDimensionalCasesMatch) {
  int checked = 0;
  for (const auto& c : ktl::test::golden_cases(kFile)) {
    if (c.layer == "Cropping2D") check<double>(make_cropping<double, 2>(c), c);
    else if (c.layer == "ZeroPadding2D") check<double>(make_padding<double, 2>(c), c);
    else if (c.layer == "UpSampling2D") check<double>(make_upsampling<double, 2>(c), c);
    else continue;
    ++checked;
  }
  EXPECT_GT(checked, 40);
}

// Bilinear: bit-exact against the float32-order reference (the arithmetic TensorFlow's kernel
// performs) on every golden input, and how close tfjs' float64 results are.
TEST(ResizeGoldenBilinear, BitExactAgainstFloat32OrderReference) {
  Index values = 0, equal_to_tfjs = 0;
  for (const auto& c : ktl::test::golden_cases(kFile)) {
    if (!is_bilinear(c)) continue;
    const auto layer = make_upsampling<float, 2>(c);
    const bool first = layer.options().data_format == ktl::DataFormat::channels_first;
    auto x = c.tensor("x").as<float, 4>();
    auto y = layer(x);
    if (first) {  // compare in channels_last
      const std::array<Index, 4> back{0, 2, 3, 1};
      ktl::Tensor<float, 4> xl = x.shuffle(back), yl = y.shuffle(back);
      x = xl;
      y = yl;
    }
    const auto ref = ktl::test::reference_bilinear<float>(
        x, layer.options().size, layer.options().bilinear_mapping == ktl::BilinearMapping::half_pixel);
    EXPECT_TRUE(ktl::test::tensors_near(y, ref, 0.0)) << c.where();
    const auto golden = c.tensor("y").as<float, 4>();  // rounded back to float32
    const auto ours = layer(c.tensor("x").as<float, 4>());
    for (Index i = 0; i < ours.size(); ++i) {
      ++values;
      equal_to_tfjs += ours.data()[i] == golden.data()[i];
    }
  }
  EXPECT_GT(values, 0);
  RecordProperty("bilinear_values", static_cast<int>(values));
  RecordProperty("bilinear_equal_to_tfjs", static_cast<int>(equal_to_tfjs));
  std::printf("bilinear: %ld of %ld values equal tfjs bit for bit (the rest within 1e-6)\n",
              static_cast<long>(equal_to_tfjs), static_cast<long>(values));
}

}  // namespace
