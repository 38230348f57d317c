// Conv1DTranspose / Conv2DTranspose / Conv3DTranspose: docs/semantics.md §12.4 and §12.5 verbatim,
// a sweep against the plain-loop scatter reference, the adjoint identity against the forward
// convolution, thread-count independence, channels_first, weights API and every error message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>
#include <string>
#include <vector>

#include <ktl/layers/conv.hpp>
#include <ktl/layers/conv_transpose.hpp>

#include "ktl_test/compare.hpp"
#include "ktl_test/special_values.hpp"
#include "reference.hpp"

namespace {

using ktl::DataFormat;
using ktl::Extent;
using ktl::Index;
using ktl::Padding;
using ktl::Tensor;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
namespace kt = ktl::test;

Tensor<float, 3> vec3(std::initializer_list<float> v) {
  Tensor<float, 3> t(1, static_cast<Index>(v.size()), 1);
  Index i = 0;
  for (float x : v) t(0, i++, 0) = x;
  return t;
}

// A (k, 1, 1) kernel from its taps.
Tensor<float, 3> taps(std::initializer_list<float> v) {
  Tensor<float, 3> t(static_cast<Index>(v.size()), 1, 1);
  Index i = 0;
  for (float x : v) t(i++, 0, 0) = x;
  return t;
}

std::vector<float> values(const Tensor<float, 3>& t) { return {t.data(), t.data() + t.size()}; }

// Options in one expression (GCC 12 at -O3 reports a bogus maybe-uninitialized for the
// std::optional<Constraint> members of an options object filled field by field inside a loop).
template <int N>
ktl::ConvTransposeOptions<N> opts(Index filters, Extent<N> k, Extent<N> s, Padding p,
                                  std::optional<Extent<N>> op = std::nullopt, Extent<N> d = 1,
                                  bool bias = true,
                                  ktl::ActivationFunction act = ktl::Activation::linear) {
  ktl::ConvTransposeOptions<N> o;
  o.filters = filters;
  o.kernel_size = k;
  o.strides = s;
  o.padding = p;
  o.output_padding = op;
  o.dilation_rate = d;
  o.use_bias = bias;
  o.activation = act;
  return o;
}

// §12.4: x = [1, 2], k = 3, s = 2, W = [1, 10, 100].
struct Case124 {
  Padding padding;
  std::optional<Index> op;
  std::vector<float> expected;
};

TEST(ConvTransposeWorked, Section12_4_LengthsAndAlignment) {
  const std::vector<Case124> cases = {
      {Padding::valid, std::nullopt, {1, 10, 102, 20, 200}},
      {Padding::valid, 0, {1, 10, 102, 20, 200}},
      {Padding::valid, 1, {1, 10, 102, 20, 200, 0}},
      {Padding::same, std::nullopt, {1, 10, 102, 20}},
      {Padding::same, 1, {1, 10, 102, 20}},
      {Padding::same, 0, {10, 102, 20}},
  };
  for (const auto& c : cases) {
    const auto o = opts<1>(1, 3, 2, c.padding,
                           c.op ? std::optional<Extent<1>>(Extent<1>(*c.op)) : std::nullopt, 1,
                           false);
    const ktl::Conv1DTranspose layer(o, taps({1, 10, 100}));
    EXPECT_EQ(values(layer(vec3({1, 2}))), c.expected)
        << ktl::to_string(c.padding) << " op " << (c.op ? std::to_string(*c.op) : "None");
  }
}

TEST(ConvTransposeWorked, Section12_4_TextbookLengths) {
  namespace sh = ktl::shape;
  EXPECT_EQ(sh::conv_transpose_output_length(5, 3, 2, 1, Padding::valid, std::nullopt), 11);
  EXPECT_EQ(sh::conv_transpose_output_length(5, 3, 2, 1, Padding::same, std::nullopt), 10);
  EXPECT_EQ(sh::conv_transpose_output_length(5, 3, 2, 1, Padding::same, 0), 9);
  EXPECT_EQ(sh::conv_transpose_output_length(5, 3, 2, 1, Padding::same, 1), 10);
  EXPECT_EQ(sh::conv_transpose_output_length(5, 4, 2, 1, Padding::same, std::nullopt), 10);
  EXPECT_EQ(sh::conv_transpose_before(5, 10, 4, 2, 1, Padding::same), 1);
  EXPECT_EQ(sh::conv_transpose_output_length(5, 4, 2, 1, Padding::same, 1), 9);
  EXPECT_EQ(sh::conv_transpose_before(5, 9, 4, 2, 1, Padding::same), 1);
  // same / op 0 with an even kernel gives 8, which the layer rejects (see the error tests).
  EXPECT_EQ(sh::conv_transpose_output_length(5, 4, 2, 1, Padding::same, 0), 8);
}

TEST(ConvTransposeWorked, Section12_4_DilatedStride1) {
  for (Padding p : {Padding::valid, Padding::same}) {
    const auto o = opts<1>(1, 2, 1, p, std::nullopt, 2, false);
    const ktl::Conv1DTranspose layer(o, taps({1, 10}));
    const auto y = values(layer(vec3({1, 2, 3})));
    if (p == Padding::valid)
      EXPECT_EQ(y, (std::vector<float>{1, 2, 13, 20, 30}));
    else
      EXPECT_EQ(y, (std::vector<float>{2, 13, 20}));
  }
}

TEST(ConvTransposeWorked, Section12_5_Conv2DTranspose) {
  Tensor<float, 4> x(1, 2, 2, 1);
  x.setValues({{{{1}, {2}}, {{3}, {4}}}});
  Tensor<float, 4> w(3, 3, 1, 1);
  for (Index ty = 0; ty < 3; ++ty)
    for (Index tx = 0; tx < 3; ++tx) w(ty, tx, 0, 0) = static_cast<float>(3 * ty + tx + 1);
  const float valid[5][5] = {{1, 2, 5, 4, 6},
                             {4, 5, 14, 10, 12},
                             {10, 14, 36, 24, 30},
                             {12, 15, 34, 20, 24},
                             {21, 24, 55, 32, 36}};
  auto run = [&](Padding p, std::optional<Extent<2>> op) {
    ktl::Conv2DTransposeOptions o;
    o.filters = 1;
    o.kernel_size = 3;
    o.strides = 2;
    o.padding = p;
    o.output_padding = op;
    o.use_bias = false;
    return ktl::Conv2DTranspose(o, w)(x);
  };
  auto expect_window = [&](const Tensor<float, 4>& y, Index size, Index offset) {
    ASSERT_EQ(y.dimension(1), size);
    ASSERT_EQ(y.dimension(2), size);
    for (Index r = 0; r < size; ++r)
      for (Index c = 0; c < size; ++c)
        EXPECT_EQ(y(0, r, c, 0), valid[r + offset][c + offset]) << r << "," << c;
  };
  expect_window(run(Padding::valid, std::nullopt), 5, 0);
  expect_window(run(Padding::same, std::nullopt), 4, 0);
  expect_window(run(Padding::same, Extent<2>(1, 1)), 4, 0);
  expect_window(run(Padding::same, Extent<2>(0, 0)), 3, 1);
}

// ---------------------------------------------------------------------------------------------
// Sweep against the scatter reference.

template <int N>
struct Config {
  std::string name;
  Index batch;
  std::array<Index, static_cast<std::size_t>(N)> input;
  Index channels;
  ktl::ConvTransposeOptions<N> options;
};


template <typename S, int N>
void check_against_reference(const Config<N>& cfg, double tol, std::uint32_t seed) {
  SCOPED_TRACE(cfg.name);
  ktl::ConvTransposeOptions<N> o = cfg.options;
  ktl::Dims<N + 2> kd{};
  for (int a = 0; a < N; ++a) kd[static_cast<std::size_t>(a)] = o.kernel_size[a];
  kd[static_cast<std::size_t>(N)] = o.filters;
  kd[static_cast<std::size_t>(N + 1)] = cfg.channels;
  const auto w = kt::random_tensor<S, N + 2>(kd, seed);
  Tensor<S, 1> b;
  if (o.use_bias) b = kt::random_tensor<S, 1>(ktl::Dims<1>{o.filters}, seed + 1);
  const auto x = kt::random_tensor<S, N + 2>(
      ktl::shape::make_shape<N>(DataFormat::channels_last, cfg.batch, cfg.input, cfg.channels),
      seed + 2);
  const auto ref = kt::transpose_reference<S, N>(x, w, b, o);
  const ktl::ThreadPool pool(2);
  const ktl::ConvTranspose<S, N> last(o, w, b);
  EXPECT_TRUE(kt::tensors_near(last(ktl::view(x), pool), ref, tol));
  o.data_format = DataFormat::channels_first;
  const ktl::ConvTranspose<S, N> first(o, w, b);
  Tensor<S, N + 2> ref_first = kt::to_first(ref);
  if (!o.activation.elementwise()) {  // softmax runs over the last axis of the output, as Keras
    ktl::ConvTransposeOptions<N> lin = cfg.options;
    lin.activation = ktl::Activation::linear;
    ref_first = kt::to_first(kt::transpose_reference<S, N>(x, w, b, lin));
    ktl::apply_activation(o.activation, ref_first);
  }
  EXPECT_TRUE(kt::tensors_near(first(ktl::view(kt::to_first(x)), pool), ref_first, tol));
}

TEST(ConvTransposeReference, OneD) {
  using ktl::Activation;
  const std::vector<Config<1>> cfgs = {
      {"k3s2valid", 2, {7}, 3, opts<1>(5, 3, 2, Padding::valid)},
      {"k4s2same", 1, {9}, 4, opts<1>(17, 4, 2, Padding::same)},
      {"k4s2same_op1", 1, {9}, 4, opts<1>(17, 4, 2, Padding::same, Extent<1>(1))},
      {"k1s3valid", 1, {4}, 2, opts<1>(3, 1, 3, Padding::valid)},
      {"k2s3same_op2", 1, {4}, 2, opts<1>(3, 2, 3, Padding::same, Extent<1>(2))},
      {"k5s3valid_op1", 2, {6}, 3, opts<1>(40, 5, 3, Padding::valid, Extent<1>(1))},
      {"k3d2s2same", 1, {8}, 5, opts<1>(6, 3, 2, Padding::same, std::nullopt, 2)},
      {"k3d3s2valid_op1", 1, {8}, 5, opts<1>(6, 3, 2, Padding::valid, Extent<1>(1), 3)},
      {"k2d2s1same_relu", 1, {1}, 3, opts<1>(70, 2, 1, Padding::same, std::nullopt, 2, true, Activation::relu)},
      {"long", 1, {300}, 8, opts<1>(33, 4, 2, Padding::same, std::nullopt, 1, true, Activation::tanh)},
      {"softmax", 2, {5}, 3, opts<1>(4, 3, 2, Padding::same, std::nullopt, 1, true, Activation::softmax)},
  };
  std::uint32_t seed = 10;
  for (const auto& c : cfgs) check_against_reference<float, 1>(c, kt::float_tolerance, seed += 7);
}

TEST(ConvTransposeReference, TwoD) {
  using ktl::Activation;
  const std::vector<Config<2>> cfgs = {
      {"k3s2valid", 2, {3, 4}, 3, opts<2>(5, 3, 2, Padding::valid)},
      {"k4s2same", 1, {5, 6}, 7, opts<2>(16, 4, 2, Padding::same)},
      {"k3x2s1x2same_op", 1, {4, 3}, 2, opts<2>(9, {3, 2}, {1, 2}, Padding::same, Extent<2>(0, 1))},
      {"k3s3valid_op2", 1, {2, 2}, 2, opts<2>(33, 3, 3, Padding::valid, Extent<2>(2, 1))},
      {"k3d2s2same", 1, {4, 5}, 3, opts<2>(8, 3, 2, Padding::same, std::nullopt, Extent<2>(2, 1))},
      {"pixel", 1, {1, 1}, 4, opts<2>(20, 4, 3, Padding::valid, std::nullopt, 1, true, Activation::sigmoid)},
      {"wide", 1, {3, 40}, 16, opts<2>(64, 4, 2, Padding::same, std::nullopt, 1, true, Activation::relu)},
  };
  std::uint32_t seed = 100;
  for (const auto& c : cfgs) check_against_reference<float, 2>(c, kt::float_tolerance, seed += 7);
}

TEST(ConvTransposeReference, ThreeD) {
  const std::vector<Config<3>> cfgs = {
      {"k3s2same", 1, {3, 4, 5}, 4, opts<3>(8, 3, 2, Padding::same)},
      {"k2s2valid", 2, {2, 3, 2}, 3, opts<3>(5, 2, 2, Padding::valid)},
      {"k3x2x1_s1x2x3_op", 1, {2, 3, 3}, 2, opts<3>(18, {3, 2, 1}, {1, 2, 3}, Padding::same, Extent<3>(0, 1, 2))},
      {"dilated", 1, {3, 3, 3}, 2, opts<3>(4, 2, 2, Padding::valid, std::nullopt, Extent<3>(2, 1, 3))},
  };
  std::uint32_t seed = 200;
  for (const auto& c : cfgs) check_against_reference<float, 3>(c, kt::float_tolerance, seed += 7);
}

TEST(ConvTransposeReference, Double) {
  const std::vector<Config<2>> cfgs = {
      {"k4s2same", 2, {5, 3}, 3, opts<2>(10, 4, 2, Padding::same, Extent<2>(1, 1))},
      {"k3d2s3valid", 1, {3, 4}, 2, opts<2>(9, 3, 3, Padding::valid, std::nullopt, 2)},
  };
  std::uint32_t seed = 300;
  for (const auto& c : cfgs) check_against_reference<double, 2>(c, 1e-12, seed += 7);
}

// ---------------------------------------------------------------------------------------------
// Adjoint identity: <conv(z), x> = <z, conv_transpose(x)>, the forward convolution mapping the
// transposed output length O back to I with the same kernel (read as (k..., in=F, out=C)),
// stride, dilation and padding (before = q).

template <typename S, int N>
void check_adjoint(const Config<N>& cfg, DataFormat format, double tol, std::uint32_t seed) {
  SCOPED_TRACE(cfg.name + " " + std::string(ktl::to_string(format)));
  ktl::ConvTransposeOptions<N> o = cfg.options;
  o.use_bias = false;
  o.activation = ktl::Activation::linear;
  o.data_format = format;
  ktl::Dims<N + 2> kd{};
  for (int a = 0; a < N; ++a) kd[static_cast<std::size_t>(a)] = o.kernel_size[a];
  kd[static_cast<std::size_t>(N)] = o.filters;
  kd[static_cast<std::size_t>(N + 1)] = cfg.channels;
  const auto w = kt::random_tensor<S, N + 2>(kd, seed);
  const auto x_last = kt::random_tensor<S, N + 2>(
      ktl::shape::make_shape<N>(DataFormat::channels_last, cfg.batch, cfg.input, cfg.channels),
      seed + 1);
  const ktl::ConvTranspose<S, N> layer(o, w);
  const bool first = format == DataFormat::channels_first;
  const Tensor<S, N + 2> xt = first ? kt::to_first(x_last) : x_last;
  const Tensor<S, N + 2> y = layer(xt);  // conv_transpose(x) in `format`
  const auto out_sp = ktl::shape::spatial_dims<N>(ktl::dims_of(y), format);
  const auto z_last = kt::random_tensor<S, N + 2>(
      ktl::shape::make_shape<N>(DataFormat::channels_last, cfg.batch, out_sp, o.filters), seed + 2);
  const Tensor<S, N + 2> zt = first ? kt::to_first(z_last) : z_last;
  std::array<Index, static_cast<std::size_t>(N)> before{};
  for (int a = 0; a < N; ++a) {
    const auto ax = static_cast<std::size_t>(a);
    before[ax] = ktl::shape::conv_transpose_before(cfg.input[ax], out_sp[ax], o.kernel_size[a],
                                                   o.strides[a], o.dilation_rate[a], o.padding);
    // The forward convolution's own 'same' split must be that alignment.
    if (o.padding == Padding::same) {
      EXPECT_EQ(before[ax], ktl::shape::same_padding(out_sp[ax], o.kernel_size[a], o.strides[a],
                                                     o.dilation_rate[a]).before);
    }
    EXPECT_EQ(ktl::shape::conv_output_length(out_sp[ax], o.kernel_size[a], o.strides[a],
                                             o.dilation_rate[a], o.padding),
              cfg.input[ax]);
  }
  // conv(z): the plain-loop forward convolution of reference.hpp (every case), the transposed
  // kernel read as a forward kernel (k..., in=F, out=C). ktl::Conv (layers/conv.hpp) is checked
  // against it in the same format wherever it accepts the options (it rejects strides > 1
  // together with dilation > 1, as Keras does).
  const auto conv_loop = kt::forward_reference<S, N>(z_last, w, cfg.input, before, o.strides,
                                                     o.dilation_rate);
  Tensor<S, N + 2> conv_z = conv_loop;
  if (o.strides.all_equal(1) || o.dilation_rate.all_equal(1)) {
    ktl::ConvOptions<N> co;
    co.filters = cfg.channels;
    co.kernel_size = o.kernel_size;
    co.strides = o.strides;
    co.padding = o.padding;
    co.data_format = format;
    co.dilation_rate = o.dilation_rate;
    co.use_bias = false;
    const ktl::Conv<S, N> conv(co, w);
    const Tensor<S, N + 2> cz = conv(zt);
    conv_z = first ? kt::to_last(cz) : cz;
    EXPECT_TRUE(kt::tensors_near(conv_z, conv_loop, tol));  // Conv agrees with the loop
  }
  double lhs = 0.0, rhs = 0.0, scale = 0.0;
  for (Index e = 0; e < conv_z.size(); ++e) {
    lhs += static_cast<double>(conv_z.data()[e]) * static_cast<double>(x_last.data()[e]);
    scale += std::abs(static_cast<double>(conv_z.data()[e]) * static_cast<double>(x_last.data()[e]));
  }
  for (Index e = 0; e < y.size(); ++e)
    rhs += static_cast<double>(zt.data()[e]) * static_cast<double>(y.data()[e]);
  EXPECT_NEAR(lhs, rhs, tol * std::max(1.0, scale));
}

TEST(ConvTransposeAdjoint, AllRanksBothFormats) {
  const std::vector<Config<1>> c1 = {
      {"1d_valid_s3", 2, {5}, 3, opts<1>(4, 4, 3, Padding::valid)},
      {"1d_same_op0_k3", 1, {6}, 2, opts<1>(3, 3, 2, Padding::same, Extent<1>(0))},
      {"1d_same_dil", 1, {6}, 2, opts<1>(3, 3, 2, Padding::same, std::nullopt, 2)},
  };
  const std::vector<Config<2>> c2 = {
      {"2d_same_k4s2", 1, {4, 5}, 3, opts<2>(6, 4, 2, Padding::same)},
      {"2d_valid_op", 2, {3, 2}, 2, opts<2>(5, {3, 2}, {2, 3}, Padding::valid, Extent<2>(1, 2))},
      {"2d_same_dil_op", 1, {4, 4}, 2, opts<2>(3, 2, 2, Padding::same, Extent<2>(1, 1), 3)},
      {"2d_valid_k1s2", 1, {3, 3}, 4, opts<2>(2, 1, 2, Padding::valid)},
  };
  const std::vector<Config<3>> c3 = {
      {"3d_same_k3s2", 1, {2, 3, 4}, 3, opts<3>(4, 3, 2, Padding::same, Extent<3>(1, 0, 1))},
      {"3d_valid_dil", 1, {2, 2, 3}, 2, opts<3>(3, 2, {1, 2, 2}, Padding::valid, std::nullopt, {2, 1, 1})},
  };
  std::uint32_t seed = 400;
  for (DataFormat f : {DataFormat::channels_last, DataFormat::channels_first}) {
    for (const auto& c : c1) check_adjoint<float, 1>(c, f, 1e-5, seed += 3);
    for (const auto& c : c2) check_adjoint<float, 2>(c, f, 1e-5, seed += 3);
    for (const auto& c : c3) check_adjoint<float, 3>(c, f, 1e-5, seed += 3);
  }
  check_adjoint<double, 2>(c2[2], DataFormat::channels_first, 1e-12, 999);
}

// ---------------------------------------------------------------------------------------------
// Threads, out-parameter and workspace.

TEST(ConvTransposeThreads, OneAndTwoThreadsBitIdentical) {
  for (DataFormat f : {DataFormat::channels_last, DataFormat::channels_first}) {
    ktl::Conv2DTransposeOptions o = opts<2>(37, 4, 2, Padding::same, std::nullopt, 1, true,
                                            ktl::Activation::relu);
    o.data_format = f;
    const auto layer = ktl::Conv2DTranspose::make(o, 19, 5);
    const auto x = kt::random_tensor<float, 4>(
        ktl::shape::make_shape<2>(f, 2, {9, 70}, 19), 77);
    const ktl::ThreadPool one(1), two(2);
    const auto y1 = layer(ktl::view(x), one);
    const auto y2 = layer(ktl::view(x), two);
    EXPECT_TRUE(kt::tensors_near(y1, y2, 0.0));
    // forward() into caller memory with a reused workspace gives the same bits.
    Tensor<float, 4> y3(layer.output_shape(ktl::dims_of(x)));
    ktl::Workspace ws;
    layer.forward(ktl::view(x), ktl::mutable_view(y3), ws, two);
    const std::size_t grown = ws.capacity();
    layer.forward(ktl::view(x), ktl::mutable_view(y3), ws, two);
    EXPECT_EQ(ws.capacity(), grown);  // the second call needs no new scratch
    EXPECT_TRUE(kt::tensors_near(y3, y1, 0.0));
  }
  ktl::Conv3DTransposeOptions o3 = opts<3>(20, 3, 2, Padding::same);
  const auto l3 = ktl::Conv3DTranspose::make(o3, 6, 9);
  const auto x3 = kt::random_tensor<float, 5>({1, 4, 5, 30, 6}, 78);
  const ktl::ThreadPool one(1), two(2);
  EXPECT_TRUE(kt::tensors_near(l3(ktl::view(x3), one), l3(ktl::view(x3), two), 0.0));
}

// NaN and infinities in the input and the bias go through the epilogue (staged for
// channels_first, in place for channels_last) as through apply_activation, relu(NaN) = NaN.
TEST(ConvTransposeProperties, NonFiniteValuesFollowTheGenericActivationRule) {
  for (DataFormat f : {DataFormat::channels_last, DataFormat::channels_first}) {
    ktl::Conv2DTransposeOptions o = opts<2>(19, 3, 2, Padding::same);
    o.data_format = f;
    const auto base = ktl::Conv2DTranspose::make(o, 5, 41);
    Tensor<float, 1> bias = kt::random_tensor<float, 1>({19}, 42);
    ktl::test::add_special_values(bias.data(), bias.size(), 4, 6);
    auto x = kt::random_tensor<float, 4>(ktl::shape::make_shape<2>(f, 2, {6, 11}, 5), 43);
    ktl::test::add_special_values(x.data(), x.size(), 9, 61);
    ktl::test::expect_generic_activation_rule(
        [&](const ktl::ActivationFunction& a) {
          o.activation = a;
          return ktl::Conv2DTranspose(o, base.kernel(), bias);
        },
        x, "Conv2DTranspose " + std::string(ktl::to_string(f)));
  }
}

// ---------------------------------------------------------------------------------------------
// Weights API.

TEST(ConvTransposeWeights, MakeShapesSeedsAndDefaults) {
  ktl::Conv2DTransposeOptions o = opts<2>(4, {3, 2}, 2, Padding::same);
  const auto a = ktl::Conv2DTranspose::make(o, 5, 1);
  const auto b = ktl::Conv2DTranspose::make(o, 5, 1);
  const auto c = ktl::Conv2DTranspose::make(o, 5, 2);
  EXPECT_EQ(ktl::dims_of(a.kernel()), (ktl::Dims<4>{3, 2, 4, 5}));
  EXPECT_EQ(ktl::dims_of(a.bias()), (ktl::Dims<1>{4}));
  EXPECT_EQ(a.input_channels(), 5);
  EXPECT_TRUE(kt::tensors_near(a.kernel(), b.kernel(), 0.0));
  EXPECT_FALSE(kt::tensors_near(a.kernel(), c.kernel(), 0.0));
  for (Index i = 0; i < 4; ++i) EXPECT_EQ(a.bias()(i), 0.0f);
  EXPECT_EQ(a.output_shape({2, 3, 4, 5}), (ktl::Dims<4>{2, 6, 8, 4}));
  EXPECT_EQ(a.compute_output_shape({2, 3, 4, 5}), (ktl::Dims<4>{2, 6, 8, 4}));
  o.use_bias = false;
  EXPECT_EQ(ktl::Conv2DTranspose::make(o, 5, 1).bias().size(), 0);
  o.data_format = DataFormat::channels_first;
  EXPECT_EQ(ktl::Conv2DTranspose::make(o, 5, 1).output_shape({2, 5, 3, 4}), (ktl::Dims<4>{2, 4, 6, 8}));
}

TEST(ConvTransposeWeights, RegularizationAndConstraints) {
  ktl::Conv1DTransposeOptions o = opts<1>(1, 2, 2, Padding::valid);
  o.kernel_regularizer = ktl::Regularizer::L1(0.5);
  o.bias_regularizer = ktl::Regularizer::L2(2.0);
  o.activity_regularizer = ktl::Regularizer::L1(1.0);
  o.kernel_constraint = ktl::Constraint::NonNeg();
  Tensor<float, 3> w(2, 1, 1);
  w.setValues({{{1.0f}}, {{-3.0f}}});
  Tensor<float, 1> b(1);
  b.setValues({0.5f});
  ktl::Conv1DTranspose layer(o, w, b);
  EXPECT_FLOAT_EQ(layer.regularization_loss(), 0.5f * 4.0f + 2.0f * 0.25f);
  const auto y = layer(vec3({1.0f}));  // [1 + 0.5, -3 + 0.5]
  EXPECT_FLOAT_EQ(layer.regularization_loss(ktl::view(y)), 2.5f + 1.5f + 2.5f);
  layer.apply_constraints();
  EXPECT_EQ(layer.kernel()(1, 0, 0), 0.0f);
  EXPECT_EQ(values(layer(vec3({1.0f}))), (std::vector<float>{1.5f, 0.5f}));  // repacked
  Tensor<float, 3> w2(2, 1, 1);
  w2.setValues({{{2.0f}}, {{4.0f}}});
  layer.set_weights(w2, b);
  EXPECT_EQ(values(layer(vec3({1.0f}))), (std::vector<float>{2.5f, 4.5f}));
}

// ---------------------------------------------------------------------------------------------
// Errors: every bad argument, by message.

ktl::Conv2DTransposeOptions good() { return opts<2>(2, 3, 2, Padding::same); }
Tensor<float, 4> kernel_for(const ktl::Conv2DTransposeOptions& o, Index c = 3) {
  Tensor<float, 4> w(o.kernel_size[0], o.kernel_size[1], o.filters, c);
  w.setConstant(0.5f);
  return w;
}
Tensor<float, 1> bias_for(Index f) {
  Tensor<float, 1> b(f);
  b.setZero();
  return b;
}
template <typename Options>
void expect_invalid(const Options& o, const std::string& a, const std::string& b) {
  EXPECT_THAT([&] { (void)ktl::Conv2DTranspose::make(o, 3); },
              ThrowsMessage<ktl::invalid_options>(::testing::AllOf(HasSubstr(a), HasSubstr(b))));
}

TEST(ConvTransposeErrors, Options) {
  auto o = good();
  o.filters = 0;
  expect_invalid(o, "Conv2DTranspose", "filters=0");
  o = good();
  o.kernel_size = {3, 0};
  expect_invalid(o, "kernel_size", "(3, 0)");
  o = good();
  o.strides = {0, 1};
  expect_invalid(o, "strides", ">= 1");
  o = good();
  o.dilation_rate = -1;
  expect_invalid(o, "dilation_rate", "(-1, -1)");
  o = good();
  o.padding = Padding::causal;
  expect_invalid(o, "padding", "causal");
  o = good();
  o.padding = static_cast<Padding>(3);  // an integer cast from a config file
  expect_invalid(o, "invalid padding", "padding=3");
  o = good();
  o.data_format = static_cast<DataFormat>(2);
  expect_invalid(o, "invalid data_format", "data_format=2");
  o = good();
  o.output_padding = Extent<2>(2, 0);  // >= stride 2
  expect_invalid(o, "output_padding", "smaller than the stride");
  o = good();
  o.output_padding = Extent<2>(0, -1);
  expect_invalid(o, "output_padding", "(0, -1)");
  o = good();
  o.strides = 1;
  o.output_padding = Extent<2>(1, 0);
  expect_invalid(o, "output_padding", "strides=(1, 1)");
  EXPECT_THAT([] { (void)ktl::Conv2DTranspose::make(good(), 0); },
              ThrowsMessage<ktl::invalid_options>(HasSubstr("input_channels")));
}

TEST(ConvTransposeErrors, ConsistencyRule) {
  // same + even kernel + output_padding 0: (I-1)*s maps back to I-1 for every I.
  auto o = good();
  o.kernel_size = {3, 4};
  o.output_padding = Extent<2>(1, 0);
  expect_invalid(o, "output_padding", "consistency rule");
  expect_invalid(o, "even effective kernel (4) on spatial axis 1", "received output_padding=(1, 0)");
  // Even effective kernel from dilation: k 3, d 2 -> K 5 (odd, fine); k 2, d 3 -> K 4 (even).
  o = good();
  o.kernel_size = 2;
  o.dilation_rate = {3, 1};
  o.strides = {2, 1};
  o.output_padding = Extent<2>(0, 0);
  expect_invalid(o, "even effective kernel (4) on spatial axis 0", "dilation_rate=(3, 1)");
  // The allowed neighbours construct and are consistent for every input length.
  o.output_padding = Extent<2>(1, 0);
  o.kernel_size = {2, 3};
  const auto layer = ktl::Conv2DTranspose::make(o, 3);
  for (Index len = 1; len < 9; ++len)
    EXPECT_NO_THROW((void)layer.output_shape({1, len, len, 3})) << len;
  // Odd kernel with output_padding 0 and valid with any output_padding are consistent.
  o = good();
  o.output_padding = Extent<2>(0, 0);
  EXPECT_NO_THROW((void)ktl::Conv2DTranspose::make(o, 3).output_shape({1, 1, 1, 3}));
  o.padding = Padding::valid;
  o.kernel_size = 4;
  EXPECT_NO_THROW((void)ktl::Conv2DTranspose::make(o, 3).output_shape({1, 1, 2, 3}));
}

TEST(ConvTransposeErrors, Weights) {
  const auto o = good();
  Tensor<float, 4> wrong(3, 3, 3, 2);  // (k, k, C, F) forward layout by mistake
  wrong.setZero();
  EXPECT_THAT([&] { ktl::Conv2DTranspose l(o, wrong, bias_for(2)); },
              ThrowsMessage<ktl::shape_mismatch>(
                  ::testing::AllOf(HasSubstr("kernel"), HasSubstr("(3, 3, 3, 2)"),
                                   HasSubstr("(3, 3, 2, C)"), HasSubstr("another order"))));
  // PyTorch's ConvTranspose2d weight (C, F, kh, kw).
  Tensor<float, 4> torch(3, 2, 3, 3);
  torch.setZero();
  EXPECT_THAT([&] { ktl::Conv2DTranspose l(o, torch, bias_for(2)); },
              ThrowsMessage<ktl::shape_mismatch>(::testing::AllOf(
                  HasSubstr("but the layer expects (3, 3, 2, C)"), HasSubstr("PyTorch"),
                  HasSubstr("kernel.shuffle(Eigen::array<int, 4>{2, 3, 1, 0})"))));
  Tensor<float, 4> no_channels(3, 3, 2, 0);
  EXPECT_THAT([&] { ktl::Conv2DTranspose l(o, no_channels, bias_for(2)); },
              ThrowsMessage<ktl::shape_mismatch>(HasSubstr("(3, 3, 2, 0)")));
  EXPECT_THAT([&] { ktl::Conv2DTranspose l(o, kernel_for(o), bias_for(3)); },
              ThrowsMessage<ktl::shape_mismatch>(
                  ::testing::AllOf(HasSubstr("bias"), HasSubstr("(3)"), HasSubstr("(2)"))));
  EXPECT_THAT([&] { ktl::Conv2DTranspose l(o, kernel_for(o)); },
              ThrowsMessage<ktl::shape_mismatch>(HasSubstr("bias")));
  auto nb = o;
  nb.use_bias = false;
  EXPECT_THAT([&] { ktl::Conv2DTranspose l(nb, kernel_for(nb), bias_for(2)); },
              ThrowsMessage<ktl::shape_mismatch>(HasSubstr("use_bias=false")));
  ktl::Conv2DTranspose l(o, kernel_for(o), bias_for(2));
  EXPECT_THAT([&] { l.set_weights(kernel_for(o, 3), bias_for(5)); },
              ThrowsMessage<ktl::shape_mismatch>(HasSubstr("bias")));
}

TEST(ConvTransposeErrors, Inputs) {
  auto o = good();
  const ktl::Conv2DTranspose l(o, kernel_for(o), bias_for(2));
  Tensor<float, 4> x(1, 4, 4, 5);
  x.setZero();
  EXPECT_THAT([&] { (void)l(x); },
              ThrowsMessage<ktl::shape_mismatch>(
                  ::testing::AllOf(HasSubstr("input channels (5)"), HasSubstr("(3 expected"),
                                   HasSubstr("(1, 4, 4, 5)"))));
  Tensor<float, 4> empty(1, 0, 4, 3);
  EXPECT_THAT([&] { (void)l(empty); },
              ThrowsMessage<ktl::shape_mismatch>(HasSubstr("empty axis")));
  Tensor<float, 4> ok(1, 4, 4, 3);
  ok.setZero();
  Tensor<float, 4> y(1, 8, 7, 2);
  EXPECT_THAT([&] { l.forward(ktl::view(ok), ktl::mutable_view(y)); },
              ThrowsMessage<ktl::shape_mismatch>(
                  ::testing::AllOf(HasSubstr("(1, 8, 7, 2)"), HasSubstr("(1, 8, 8, 2)"))));
  o.data_format = DataFormat::channels_first;
  const ktl::Conv2DTranspose lf(o, kernel_for(o), bias_for(2));
  EXPECT_THAT([&] { (void)lf(ok); },
              ThrowsMessage<ktl::shape_mismatch>(
                  ::testing::AllOf(HasSubstr("input channels (4)"), HasSubstr("channels_first"))));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Sizes (issue 10 §2): huge strides and dilation rates that still give short outputs compute
// them with a workspace sized by the work; lengths and counts beyond Index are errors.

namespace {

constexpr Index p61 = Index{1} << 61, p62 = Index{1} << 62;

// Runs `o` on x (channels_last) in both formats with an explicit workspace, against the scatter
// reference; returns the largest workspace a call grew to.
std::size_t check_sized(ktl::Conv1DTransposeOptions o, const Tensor<float, 3>& x, Index filters) {
  const Index channels = x.dimension(2);
  const auto w = kt::random_tensor<float, 3>(ktl::Dims<3>{o.kernel_size[0], filters, channels}, 11);
  const auto b = kt::random_tensor<float, 1>(ktl::Dims<1>{filters}, 12);
  const Tensor<float, 3> ref = kt::transpose_reference<float, 1>(x, w, b, o);
  const ktl::ThreadPool pool(2);
  std::size_t most = 0;
  for (DataFormat f : {DataFormat::channels_last, DataFormat::channels_first}) {
    o.data_format = f;
    const ktl::Conv1DTranspose layer(o, w, b);
    const Tensor<float, 3> in = f == DataFormat::channels_last ? x : kt::to_first(x);
    Tensor<float, 3> y(layer.output_shape(ktl::dims_of(in)));
    ktl::Workspace ws;
    layer.forward(ktl::view(in), ktl::mutable_view(y), ws, pool);
    EXPECT_TRUE(kt::tensors_near(y, f == DataFormat::channels_last ? ref : kt::to_first(ref),
                                 kt::float_tolerance))
        << ktl::to_string(f);
    most = std::max(most, ws.capacity());
  }
  return most;
}

}  // namespace

TEST(ConvTransposeSizes, HugeStridesGiveShortOutputsAndSmallWorkspaces) {
  // One input position with output_padding: the length is K%2 + op (same) or K + op (valid)
  // whatever the stride. The tap tables used to hold `stride` entries: 512 MiB for 2^26, an
  // overflowed size and a heap overflow for 2^61.
  const auto x = kt::random_tensor<float, 3>(ktl::Dims<3>{2, 1, 5}, 13);
  for (Index s : {Index{1} << 26, p61}) {
    SCOPED_TRACE(s);
    EXPECT_LE(check_sized(opts<1>(3, 3, s, Padding::same, Extent<1>(2)), x, 3), 1u << 16);
    EXPECT_LE(check_sized(opts<1>(3, 3, s, Padding::valid, Extent<1>(1)), x, 3), 1u << 16);
    // same, op 0: one output aligned by q = 1, so its phase is residue 1, not 0.
    EXPECT_LE(check_sized(opts<1>(3, 3, s, Padding::same, Extent<1>(0)), x, 3), 1u << 16);
  }
}

TEST(ConvTransposeSizes, HugeDilationAlignment) {
  // k 3, d 2^60, same, op 0: three outputs, aligned by q = 2^60, where only the middle tap lands.
  // The kernel's input offsets were m * C with m near 2^60 (signed overflow).
  const auto x = kt::random_tensor<float, 3>(ktl::Dims<3>{1, 3, 16}, 14);
  EXPECT_LE(check_sized(opts<1>(2, 3, 1, Padding::same, Extent<1>(0), Index{1} << 60), x, 2),
            1u << 16);
}

TEST(ConvTransposeSizes, LengthsAndCountsBeyondIndex) {
  const ktl::Conv1DTranspose wide(opts<1>(1, 3, p62, Padding::valid, std::nullopt, 1, false),
                                  taps({1, 2, 3}));
  EXPECT_THAT([&] { (void)wide.output_shape({1, 3, 1}); },
              ThrowsMessage<ktl::shape_mismatch>(::testing::AllOf(
                  HasSubstr("Conv1DTranspose"), HasSubstr("strides=4611686018427387904"),
                  HasSubstr("overflows Index"))));
  EXPECT_EQ(wide.output_shape({1, 1, 1}), (ktl::Dims<3>{1, p62, 1}));
  auto o = good();
  o.strides = Index{1} << 31;
  o.kernel_size = 1;
  const ktl::Conv2DTranspose big(o, kernel_for(o), bias_for(2));
  EXPECT_THAT([&] { (void)big.output_shape({1, 2, 2, 3}); },
              ThrowsMessage<ktl::shape_mismatch>(::testing::AllOf(
                  HasSubstr("Conv2DTranspose"), HasSubstr("output shape (1, 4294967296, 4294967296, 2)"),
                  HasSubstr("more elements than Index"))));
}

TEST(ConvTransposeSizes, OptionAndMakeOverflow) {
  auto o = good();
  o.strides = 1;
  o.dilation_rate = {1, p62};
  expect_invalid(o, "Conv2DTranspose", "dilation_rate=4611686018427387904");
  EXPECT_THAT([] { (void)ktl::Conv2DTranspose::make(good(), p62); },
              ThrowsMessage<ktl::invalid_options>(::testing::AllOf(
                  HasSubstr("Conv2DTranspose"), HasSubstr("kernel shape"),
                  HasSubstr("input_channels=4611686018427387904"))));
  o = good();
  o.kernel_size = {Index{1} << 32, Index{1} << 32};
  EXPECT_THAT([&] { (void)ktl::Conv2DTranspose::make(o, 1); },
              ThrowsMessage<ktl::invalid_options>(::testing::AllOf(
                  HasSubstr("kernel_size=(4294967296, 4294967296)"), HasSubstr("more elements"))));
}
