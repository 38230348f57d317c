// DepthwiseConv1D/2D and SeparableConv1D/2D against the tfjs golden fixtures
// (tests/golden/depthwise.txt, separable.txt): float for every case, double for the 2-D ones;
// the returning call and forward() into a caller view with a reused workspace on 2 threads.
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <ktl/layers/depthwise_conv.hpp>
#include <ktl/layers/separable_conv.hpp>

#include "ktl_test/compare.hpp"
#include "ktl_test/golden.hpp"

namespace {

using ktl::test::GoldenCase;

template <int N>
ktl::Extent<N> extent(const GoldenCase& c, const std::string& key) {
  const auto v = c.integers(key);
  EXPECT_EQ(v.size(), static_cast<std::size_t>(N)) << c.where() << " " << key;
  ktl::Extent<N> e;
  for (int a = 0; a < N; ++a) e[a] = v.at(static_cast<std::size_t>(a));
  return e;
}

template <int N, template <int> class Options>
void common_options(Options<N>& o, const GoldenCase& c) {
  o.kernel_size = extent<N>(c, "kernel_size");
  o.strides = extent<N>(c, "strides");
  o.padding = ktl::parse_padding(c.text("padding"));
  o.data_format = ktl::parse_data_format(c.text("data_format"));
  o.dilation_rate = extent<N>(c, "dilation_rate");
  o.depth_multiplier = c.integer("depth_multiplier");
  o.activation = ktl::parse_activation(c.text("activation"));
  o.use_bias = c.boolean("use_bias");
}

template <typename S, int R>
ktl::Tensor<S, 1> bias_of(const GoldenCase& c) {
  return c.boolean("use_bias") ? c.tensor("bias").as<S, 1>() : ktl::Tensor<S, 1>();
}

/// The returning call matches y; forward() on 2 threads into a view, twice with one workspace,
/// matches the returning call bit for bit.
template <typename Layer, typename S, int R>
void check_layer(const Layer& layer, const GoldenCase& c, double tol) {
  const auto x = c.tensor("x").as<S, R>();
  const ktl::Tensor<S, R> y = layer(x);
  EXPECT_TRUE(ktl::test::tensors_near(y, c.tensor("y"), tol)) << c.where();
  const ktl::ThreadPool pool(2);
  ktl::Workspace ws;
  ktl::Tensor<S, R> y2(layer.output_shape(ktl::dims_of(x)));
  layer.forward(ktl::view(x), ktl::mutable_view(y2), ws, pool);
  layer.forward(ktl::view(x), ktl::mutable_view(y2), ws, pool);
  EXPECT_TRUE(ktl::test::tensors_near(y2, y, 0.0)) << c.where() << " (2 threads vs default)";
}

template <typename S, int N>
void check_depthwise(const GoldenCase& c) {
  constexpr int R = N + 2;
  ktl::DepthwiseConvOptions<N> o;
  common_options(o, c);
  const ktl::DepthwiseConv<S, N> layer(o, c.tensor("depthwise_kernel").as<S, R>(), bias_of<S, R>(c));
  check_layer<ktl::DepthwiseConv<S, N>, S, R>(layer, c, ktl::test::float_tolerance);
}

template <typename S, int N>
void check_separable(const GoldenCase& c) {
  constexpr int R = N + 2;
  ktl::SeparableConvOptions<N> o;
  common_options(o, c);
  o.filters = c.integer("filters");
  const ktl::SeparableConv<S, N> layer(o, c.tensor("depthwise_kernel").as<S, R>(),
                                       c.tensor("pointwise_kernel").as<S, R>(), bias_of<S, R>(c));
  check_layer<ktl::SeparableConv<S, N>, S, R>(layer, c, ktl::test::float_tolerance);
}

class DepthwiseGolden : public ::testing::TestWithParam<std::string> {};
class SeparableGolden : public ::testing::TestWithParam<std::string> {};
// double runs on the 2-D cases only (double must be tested, sparingly).
class DepthwiseGolden2D : public ::testing::TestWithParam<std::string> {};
class SeparableGolden2D : public ::testing::TestWithParam<std::string> {};

/// Names of the cases of `file` whose layer is `layer`.
std::vector<std::string> names_of(const std::string& file, const std::string& layer) {
  std::vector<std::string> names;
  for (const auto& c : ktl::test::golden_cases(file))
    if (c.layer == layer) names.push_back(c.name);
  return names;
}

TEST_P(DepthwiseGolden, Float) {
  const auto& c = ktl::test::golden_case("depthwise.txt", GetParam());
  if (c.layer == "DepthwiseConv1D")
    check_depthwise<float, 1>(c);
  else if (c.layer == "DepthwiseConv2D")
    check_depthwise<float, 2>(c);
  else
    FAIL() << c.where() << ": unknown layer " << c.layer;
}
TEST_P(DepthwiseGolden2D, Double) {
  check_depthwise<double, 2>(ktl::test::golden_case("depthwise.txt", GetParam()));
}
TEST_P(SeparableGolden, Float) {
  const auto& c = ktl::test::golden_case("separable.txt", GetParam());
  if (c.layer == "SeparableConv1D")
    check_separable<float, 1>(c);
  else if (c.layer == "SeparableConv2D")
    check_separable<float, 2>(c);
  else
    FAIL() << c.where() << ": unknown layer " << c.layer;
}
TEST_P(SeparableGolden2D, Double) {
  check_separable<double, 2>(ktl::test::golden_case("separable.txt", GetParam()));
}

const auto case_name = [](const ::testing::TestParamInfo<std::string>& p) { return p.param; };
INSTANTIATE_TEST_SUITE_P(Depthwise, DepthwiseGolden,
                         ::testing::ValuesIn(ktl::test::golden_case_names("depthwise.txt")), case_name);
INSTANTIATE_TEST_SUITE_P(Separable, SeparableGolden,
                         ::testing::ValuesIn(ktl::test::golden_case_names("separable.txt")), case_name);
INSTANTIATE_TEST_SUITE_P(Depthwise, DepthwiseGolden2D,
                         ::testing::ValuesIn(names_of("depthwise.txt", "DepthwiseConv2D")), case_name);
INSTANTIATE_TEST_SUITE_P(Separable, SeparableGolden2D,
                         ::testing::ValuesIn(names_of("separable.txt", "SeparableConv2D")), case_name);

/// The fixtures cover every layer x format x padding, every activation in both formats, depth
/// multipliers 1-3, strides and dilation, and use_bias on and off.
void check_coverage(const std::string& file, const std::vector<std::string>& layers) {
  std::set<std::string> seen;
  for (const auto& c : ktl::test::golden_cases(file)) {
    seen.insert(c.layer + "/" + c.text("data_format") + "/" + c.text("padding"));
    seen.insert(c.text("data_format") + "/" + c.text("activation"));
    seen.insert(c.layer + "/M" + c.text("depth_multiplier"));
    for (auto s : c.integers("strides"))
      if (s > 1) seen.insert(c.layer + "/strided");
    for (auto d : c.integers("dilation_rate"))
      if (d > 1) seen.insert(c.layer + "/dilated");
    seen.insert(std::string("use_bias=") + c.text("use_bias"));
  }
  for (const auto& layer : layers) {
    for (const char* f : {"channels_last", "channels_first"})
      for (const char* p : {"valid", "same"})
        EXPECT_TRUE(seen.count(layer + "/" + f + "/" + p)) << layer << f << p;
    for (const char* m : {"1", "2", "3"}) EXPECT_TRUE(seen.count(layer + "/M" + m)) << layer << m;
    EXPECT_TRUE(seen.count(layer + "/strided")) << layer;
    EXPECT_TRUE(seen.count(layer + "/dilated")) << layer;
  }
  for (const char* f : {"channels_last", "channels_first"})
    for (const char* a : {"linear", "relu", "sigmoid", "hard_sigmoid", "tanh", "softmax", "elu",
                          "selu", "softplus", "softsign", "exponential"})
      EXPECT_TRUE(seen.count(std::string(f) + "/" + a)) << file << " " << f << " " << a;
  EXPECT_TRUE(seen.count("use_bias=true"));
  EXPECT_TRUE(seen.count("use_bias=false"));
}

TEST(DepthwiseGoldenFile, CoversLayersFormatsPaddingsMultipliersAndActivations) {
  check_coverage("depthwise.txt", {"DepthwiseConv1D", "DepthwiseConv2D"});
}
TEST(SeparableGoldenFile, CoversLayersFormatsPaddingsMultipliersAndActivations) {
  check_coverage("separable.txt", {"SeparableConv1D", "SeparableConv2D"});
}

}  // namespace
