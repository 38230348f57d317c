// Conv1D/2D/3D against the tfjs golden fixtures (tests/golden/conv.txt): float and double, the
// returning call and forward() into a caller view with a reused workspace on 2 threads.
#include <set>
#include <string>

#include <gtest/gtest.h>

#include <ktl/layers/conv.hpp>

#include "ktl_test/compare.hpp"
#include "ktl_test/golden.hpp"

namespace {

using ktl::Index;
using ktl::test::GoldenCase;

template <int N>
ktl::Extent<N> extent(const GoldenCase& c, const std::string& key) {
  const auto v = c.integers(key);
  EXPECT_EQ(v.size(), static_cast<std::size_t>(N)) << c.where() << " " << key;
  ktl::Extent<N> e;
  for (int a = 0; a < N; ++a) e[a] = v.at(static_cast<std::size_t>(a));
  return e;
}

template <int N>
ktl::ConvOptions<N> options_of(const GoldenCase& c) {
  ktl::ConvOptions<N> o;
  o.filters = c.integer("filters");
  o.kernel_size = extent<N>(c, "kernel_size");
  o.strides = extent<N>(c, "strides");
  o.padding = ktl::parse_padding(c.text("padding"));
  o.data_format = ktl::parse_data_format(c.text("data_format"));
  o.dilation_rate = extent<N>(c, "dilation_rate");
  o.groups = c.integer("groups");
  o.activation = ktl::parse_activation(c.text("activation"));
  o.use_bias = c.boolean("use_bias");
  return o;
}

template <typename S, int N>
void check_case(const GoldenCase& c, double tol) {
  constexpr int R = N + 2;
  const auto o = options_of<N>(c);
  const ktl::Conv<S, N> conv(o, c.tensor("kernel").as<S, R>(),
                             o.use_bias ? c.tensor("bias").as<S, 1>() : ktl::Tensor<S, 1>());
  const auto x = c.tensor("x").as<S, R>();
  const ktl::Tensor<S, R> y = conv(x);
  EXPECT_TRUE(ktl::test::tensors_near(y, c.tensor("y"), tol)) << c.where();

  // forward() into caller memory, 2 threads, workspace used twice.
  const ktl::ThreadPool pool(2);
  ktl::Workspace ws;
  ktl::Tensor<S, R> y2(conv.output_shape(ktl::dims_of(x)));
  conv.forward(ktl::view(x), ktl::mutable_view(y2), ws, pool);
  conv.forward(ktl::view(x), ktl::mutable_view(y2), ws, pool);
  EXPECT_TRUE(ktl::test::tensors_near(y2, y, 0.0)) << c.where() << " (2 threads vs default)";
}

template <typename S>
void check(const GoldenCase& c) {
  if (c.layer == "Conv1D")
    check_case<S, 1>(c, ktl::test::float_tolerance);
  else if (c.layer == "Conv2D")
    check_case<S, 2>(c, ktl::test::float_tolerance);
  else if (c.layer == "Conv3D")
    check_case<S, 3>(c, ktl::test::float_tolerance);
  else
    FAIL() << c.where() << ": unknown layer " << c.layer;
}

class ConvGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(ConvGolden, Float) { check<float>(ktl::test::golden_case("conv.txt", GetParam())); }
TEST_P(ConvGolden, Double) { check<double>(ktl::test::golden_case("conv.txt", GetParam())); }

INSTANTIATE_TEST_SUITE_P(Conv, ConvGolden,
                         ::testing::ValuesIn(ktl::test::golden_case_names("conv.txt")),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

TEST(ConvGoldenFile, CoversEveryLayerFormatPaddingAndActivation) {
  const auto& cases = ktl::test::golden_cases("conv.txt");
  std::set<std::string> seen;
  for (const auto& c : cases) {
    seen.insert(c.layer + "/" + c.text("data_format") + "/" + c.text("padding"));
    seen.insert(c.text("data_format") + "/" + c.text("activation"));
    seen.insert(c.layer + "/groups" + (c.integer("groups") > 1 ? ">1" : "=1"));
    seen.insert(std::string("use_bias=") + c.text("use_bias"));
  }
  for (const char* layer : {"Conv1D", "Conv2D", "Conv3D"})
    for (const char* f : {"channels_last", "channels_first"}) {
      for (const char* p : {"valid", "same"})
        EXPECT_TRUE(seen.count(std::string(layer) + "/" + f + "/" + p)) << layer << f << p;
      EXPECT_TRUE(seen.count(std::string(layer) + "/groups>1")) << layer;
    }
  for (const char* f : {"channels_last", "channels_first"}) {
    EXPECT_TRUE(seen.count(std::string("Conv1D/") + f + "/causal"));
    for (const char* a : {"linear", "relu", "sigmoid", "hard_sigmoid", "tanh", "softmax", "elu",
                          "selu", "softplus", "softsign", "exponential"})
      EXPECT_TRUE(seen.count(std::string(f) + "/" + a)) << f << " " << a;
  }
  EXPECT_TRUE(seen.count("use_bias=true"));
  EXPECT_TRUE(seen.count("use_bias=false"));
}

}  // namespace
