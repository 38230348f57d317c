// Golden tests: every case of tests/golden/conv_transpose.txt (TensorFlow.js 4.22, see the
// generator tools/golden/families/conv_transpose.mjs), in float (1e-5) and in double.
#include <gtest/gtest.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <ktl/layers/conv_transpose.hpp>

#include "ktl_test/compare.hpp"
#include "ktl_test/golden.hpp"

namespace {

constexpr const char* fixture = "conv_transpose.txt";

template <int N>
ktl::Extent<N> extent(const ktl::test::GoldenCase& c, const std::string& key) {
  const auto v = c.integers(key);
  if (static_cast<int>(v.size()) != N) throw std::runtime_error(c.where() + ": bad " + key);
  ktl::Extent<N> e;
  for (int a = 0; a < N; ++a) e[a] = v[static_cast<std::size_t>(a)];
  return e;
}

template <int N>
ktl::ConvTransposeOptions<N> options_of(const ktl::test::GoldenCase& c) {
  ktl::ConvTransposeOptions<N> o;
  o.filters = c.integer("filters");
  o.kernel_size = extent<N>(c, "kernel_size");
  o.strides = extent<N>(c, "strides");
  o.padding = ktl::parse_padding(c.text("padding"));
  if (!c.is_null("output_padding")) o.output_padding = extent<N>(c, "output_padding");
  o.data_format = ktl::parse_data_format(c.text("data_format"));
  o.dilation_rate = extent<N>(c, "dilation_rate");
  o.activation = ktl::parse_activation(c.text("activation"));
  o.use_bias = c.boolean("use_bias");
  return o;
}

template <typename S, int N>
void run_case(const ktl::test::GoldenCase& c, double tol) {
  const auto o = options_of<N>(c);
  ktl::Tensor<S, 1> bias;
  if (o.use_bias) bias = c.tensor("bias").as<S, 1>();
  const ktl::ConvTranspose<S, N> layer(o, c.tensor("kernel").as<S, N + 2>(), bias);
  const auto x = c.tensor("x").as<S, N + 2>();
  EXPECT_TRUE(ktl::test::tensors_near(layer(x), c.tensor("y"), tol)) << c.where();
}

template <typename S>
void run_any(const ktl::test::GoldenCase& c, double tol) {
  if (c.layer == "Conv1DTranspose")
    run_case<S, 1>(c, tol);
  else if (c.layer == "Conv2DTranspose")
    run_case<S, 2>(c, tol);
  else if (c.layer == "Conv3DTranspose")
    run_case<S, 3>(c, tol);
  else
    FAIL() << c.where() << ": unknown layer " << c.layer;
}

class ConvTransposeGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(ConvTransposeGolden, Float) {
  run_any<float>(ktl::test::golden_case(fixture, GetParam()), ktl::test::float_tolerance);
}

// The fixtures are float32 numbers; double computes them to float rounding of the inputs.
TEST_P(ConvTransposeGolden, Double) {
  run_any<double>(ktl::test::golden_case(fixture, GetParam()), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Fixture, ConvTransposeGolden,
                         ::testing::ValuesIn(ktl::test::golden_case_names(fixture)),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
