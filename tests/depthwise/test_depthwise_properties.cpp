// Properties of DepthwiseConv1D/2D and SeparableConv1D/2D: separable == depthwise then a 1x1 Conv,
// channels_first == channels_last after a transpose, bit-identical results for 1, 2 and 3 threads,
// the 1-D layers == the 2-D ones over a unit axis, keras-semantics 12.7 exactly, make(), and
// regularization_loss / apply_constraints on small kernels.
#include <cstdint>
#include <random>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ktl/layers/conv.hpp>
#include <ktl/layers/depthwise_conv.hpp>
#include <ktl/layers/separable_conv.hpp>

#include "ktl_test/compare.hpp"
#include "ktl_test/special_values.hpp"

namespace {

using ktl::Index;
using ktl::Tensor;

template <typename S, int R>
Tensor<S, R> random_tensor(const ktl::Dims<R>& d, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  Tensor<S, R> t(d);
  for (Index i = 0; i < t.size(); ++i) t.data()[i] = static_cast<S>(dist(gen));
  return t;
}

/// (B, spatial..., C) -> (B, C, spatial...).
template <int R>
Tensor<float, R> to_first(const Tensor<float, R>& t) {
  std::array<int, static_cast<std::size_t>(R)> perm{};
  perm[0] = 0;
  perm[1] = R - 1;
  for (int a = 2; a < R; ++a) perm[static_cast<std::size_t>(a)] = a - 1;
  return t.shuffle(perm);
}

ktl::DepthwiseConv2DOptions dw2d(Index k, Index s, Index d, ktl::Padding p, Index m,
                                 ktl::Activation a = ktl::Activation::linear) {
  ktl::DepthwiseConv2DOptions o;
  o.kernel_size = k;
  o.strides = s;
  o.dilation_rate = d;
  o.padding = p;
  o.depth_multiplier = m;
  o.activation = a;
  return o;
}

ktl::SeparableConv2DOptions sep2d(Index f, Index k, Index s, Index d, ktl::Padding p, Index m,
                                  ktl::Activation a = ktl::Activation::linear) {
  ktl::SeparableConv2DOptions o;
  o.filters = f;
  o.kernel_size = k;
  o.strides = s;
  o.dilation_rate = d;
  o.padding = p;
  o.depth_multiplier = m;
  o.activation = a;
  return o;
}

// 1-D options come from factories and go straight into the layers: GCC 12 at -O1 (the ASan leg)
// reports a std::optional member of a local 1-D options struct copied into a layer as
// maybe-uninitialized, a false positive.
ktl::DepthwiseConv1DOptions dw1d(Index k, Index s, Index d, ktl::Padding p, Index m,
                                 ktl::Activation a = ktl::Activation::linear,
                                 ktl::DataFormat f = ktl::DataFormat::channels_last,
                                 bool use_bias = true) {
  ktl::DepthwiseConv1DOptions o;
  o.kernel_size = k;
  o.strides = s;
  o.dilation_rate = d;
  o.padding = p;
  o.depth_multiplier = m;
  o.activation = a;
  o.data_format = f;
  o.use_bias = use_bias;
  o.bias_initializer = ktl::Initializer::random_uniform(-1, 1);
  return o;
}
ktl::SeparableConv1DOptions sep1d(Index filters, Index k, Index s, Index d, ktl::Padding p, Index m,
                                  ktl::DataFormat f = ktl::DataFormat::channels_last) {
  ktl::SeparableConv1DOptions o;
  o.filters = filters;
  o.kernel_size = k;
  o.strides = s;
  o.dilation_rate = d;
  o.padding = p;
  o.depth_multiplier = m;
  o.data_format = f;
  o.bias_initializer = ktl::Initializer::random_uniform(-1, 1);
  return o;
}
ktl::Conv1DOptions pointwise1d(Index filters) {
  ktl::Conv1DOptions c;
  c.filters = filters;
  c.kernel_size = 1;
  return c;
}

// NaN and infinities in the input and the bias: the depthwise kernels' bias + relu fused in
// registers (vector lanes, leftover channels, multiplier lanes, planar blocks and the planar
// one-value path) and the separable epilogue give what apply_activation gives on the linear
// output, relu(NaN) = NaN included, in both formats.
TEST(DepthwiseProperties, NonFiniteValuesFollowTheGenericActivationRule) {
  for (const ktl::DataFormat f : {ktl::DataFormat::channels_last, ktl::DataFormat::channels_first}) {
    for (const Index m : {1, 2}) {
      for (const ktl::Dims<4> shape : {ktl::Dims<4>{2, 9, 21, 5}, ktl::Dims<4>{1, 6, 3, 5}}) {
        auto o = dw2d(3, 1, 1, ktl::Padding::same, m);
        o.data_format = f;
        const auto kernel = random_tensor<float, 4>({3, 3, 5, m}, 31);
        auto bias = random_tensor<float, 1>({5 * m}, 32);
        ktl::test::add_special_values(bias.data(), bias.size(), 3, 3);
        auto x = random_tensor<float, 4>(shape, 33);
        ktl::test::add_special_values(x.data(), x.size(), 7, 53);
        if (f == ktl::DataFormat::channels_first) x = to_first<4>(x);
        ktl::test::expect_generic_activation_rule(
            [&](const ktl::ActivationFunction& a) {
              o.activation = a;
              return ktl::DepthwiseConv2D(o, kernel, bias);
            },
            x, "DepthwiseConv2D " + std::string(ktl::to_string(f)) + " M " + std::to_string(m) +
                   " width " + std::to_string(shape[2]));
      }
    }
    auto o = sep2d(7, 3, 1, 1, ktl::Padding::same, 2);
    o.data_format = f;
    const auto depthwise = random_tensor<float, 4>({3, 3, 5, 2}, 34);
    const auto pointwise = random_tensor<float, 4>({1, 1, 10, 7}, 35);
    auto bias = random_tensor<float, 1>({7}, 36);
    ktl::test::add_special_values(bias.data(), bias.size(), 2, 3);
    auto x = random_tensor<float, 4>({2, 9, 21, 5}, 37);
    ktl::test::add_special_values(x.data(), x.size(), 7, 53);
    if (f == ktl::DataFormat::channels_first) x = to_first<4>(x);
    ktl::test::expect_generic_activation_rule(
        [&](const ktl::ActivationFunction& a) {
          o.activation = a;
          return ktl::SeparableConv2D(o, depthwise, pointwise, bias);
        },
        x, "SeparableConv2D " + std::string(ktl::to_string(f)));
  }
}

TEST(SeparableProperties, EqualsDepthwiseThenPointwiseConv2D) {
  for (Index m : {1, 2}) {
    const auto o = sep2d(5, 3, 1, 2, ktl::Padding::same, m, ktl::Activation::tanh);
    const auto sep = ktl::SeparableConv2D::make(o, 6, 11);
    auto d = dw2d(3, 1, 2, ktl::Padding::same, m);
    d.use_bias = false;
    const ktl::DepthwiseConv2D dw(d, sep.depthwise_kernel());
    ktl::Conv2DOptions c;
    c.filters = 5;
    c.kernel_size = 1;
    c.activation = ktl::Activation::tanh;
    const ktl::Conv2D pw(c, sep.pointwise_kernel(),
                         random_tensor<float, 1>(ktl::Dims<1>{5}, 3));
    const ktl::SeparableConv2D sep_b(o, sep.depthwise_kernel(), sep.pointwise_kernel(), pw.bias());
    const auto x = random_tensor<float, 4>({2, 9, 13, 6}, 21);
    EXPECT_TRUE(ktl::test::tensors_near(sep_b(x), pw(dw(x)), 1e-5)) << "M=" << m;
  }
}

TEST(SeparableProperties, EqualsDepthwiseThenPointwiseConv1DStrided) {
  const auto sep = ktl::SeparableConv1D::make(sep1d(4, 4, 2, 1, ktl::Padding::same, 3), 5, 3);
  const ktl::DepthwiseConv1D dw(dw1d(4, 2, 1, ktl::Padding::same, 3, ktl::Activation::linear,
                                     ktl::DataFormat::channels_last, false),
                                sep.depthwise_kernel());
  const ktl::Conv1D pw(pointwise1d(4), sep.pointwise_kernel(), sep.bias());
  const auto x = random_tensor<float, 3>({3, 23, 5}, 8);
  EXPECT_TRUE(ktl::test::tensors_near(sep(x), pw(dw(x)), 1e-5));
}

TEST(DepthwiseProperties, ChannelsFirstEqualsChannelsLastAfterTranspose) {
  for (Index m : {1, 3}) {
    auto o = dw2d(3, 2, 1, ktl::Padding::same, m, ktl::Activation::relu);
    const auto last = ktl::DepthwiseConv2D::make(o, 5, 1);
    o.data_format = ktl::DataFormat::channels_first;
    const ktl::DepthwiseConv2D first(o, last.depthwise_kernel(), last.bias());
    const auto x = random_tensor<float, 4>({2, 11, 9, 5}, 2);
    EXPECT_TRUE(ktl::test::tensors_near(first(to_first(x)), to_first(last(x)), 0.0)) << m;
  }
  const auto last = ktl::DepthwiseConv1D::make(
      dw1d(2, 1, 3, ktl::Padding::valid, 2, ktl::Activation::sigmoid), 3, 1);
  const ktl::DepthwiseConv1D first(
      dw1d(2, 1, 3, ktl::Padding::valid, 2, ktl::Activation::sigmoid, ktl::DataFormat::channels_first),
      last.depthwise_kernel(), last.bias());
  const auto x = random_tensor<float, 3>({2, 17, 3}, 2);
  EXPECT_TRUE(ktl::test::tensors_near(first(to_first(x)), to_first(last(x)), 0.0));
}

TEST(SeparableProperties, ChannelsFirstEqualsChannelsLastAfterTranspose) {
  auto o = sep2d(6, 3, 1, 1, ktl::Padding::valid, 2, ktl::Activation::elu);
  const auto last = ktl::SeparableConv2D::make(o, 4, 5);
  o.data_format = ktl::DataFormat::channels_first;
  const ktl::SeparableConv2D first(o, last.depthwise_kernel(), last.pointwise_kernel(), last.bias());
  const auto x = random_tensor<float, 4>({2, 8, 10, 4}, 6);
  // The formats run different kernels (the pointwise GEMM is transposed): equal up to rounding.
  EXPECT_TRUE(ktl::test::tensors_near(first(to_first(x)), to_first(last(x)), 1e-6));

  const auto last1 = ktl::SeparableConv1D::make(sep1d(3, 3, 1, 1, ktl::Padding::same, 1), 2, 5);
  const ktl::SeparableConv1D first1(
      sep1d(3, 3, 1, 1, ktl::Padding::same, 1, ktl::DataFormat::channels_first),
      last1.depthwise_kernel(), last1.pointwise_kernel(), last1.bias());
  const auto x1 = random_tensor<float, 3>({2, 12, 2}, 6);
  EXPECT_TRUE(ktl::test::tensors_near(first1(to_first(x1)), to_first(last1(x1)), 1e-6));
}

/// Large enough for many tiles; 1, 2 and 3 threads give the same bits in both formats.
TEST(DepthwiseProperties, BitIdenticalForOneTwoAndThreeThreads) {
  for (auto f : {ktl::DataFormat::channels_last, ktl::DataFormat::channels_first}) {
    auto o = dw2d(3, 1, 1, ktl::Padding::same, 1, ktl::Activation::relu);
    o.data_format = f;
    o.bias_initializer = ktl::Initializer::random_uniform(-1, 1);
    const auto layer = ktl::DepthwiseConv2D::make(o, 37, 4);
    const auto x = random_tensor<float, 4>(f == ktl::DataFormat::channels_last
                                               ? ktl::Dims<4>{2, 30, 41, 37}
                                               : ktl::Dims<4>{2, 37, 30, 41}, 9);
    const ktl::ThreadPool p1(1), p2(2), p3(3);
    const auto y1 = layer(ktl::view(x), p1);
    EXPECT_TRUE(ktl::test::tensors_near(layer(ktl::view(x), p2), y1, 0.0));
    EXPECT_TRUE(ktl::test::tensors_near(layer(ktl::view(x), p3), y1, 0.0));
  }
}

TEST(SeparableProperties, BitIdenticalForOneTwoAndThreeThreads) {
  for (auto f : {ktl::DataFormat::channels_last, ktl::DataFormat::channels_first}) {
    auto o = sep2d(24, 3, 1, 1, ktl::Padding::same, 2, ktl::Activation::relu);
    o.data_format = f;
    const auto layer = ktl::SeparableConv2D::make(o, 20, 4);
    const auto x = random_tensor<float, 4>(f == ktl::DataFormat::channels_last
                                               ? ktl::Dims<4>{2, 25, 31, 20}
                                               : ktl::Dims<4>{2, 20, 25, 31}, 9);
    const ktl::ThreadPool p1(1), p2(2), p3(3);
    const auto y1 = layer(ktl::view(x), p1);
    EXPECT_TRUE(ktl::test::tensors_near(layer(ktl::view(x), p2), y1, 0.0));
    EXPECT_TRUE(ktl::test::tensors_near(layer(ktl::view(x), p3), y1, 0.0));
  }
}

TEST(DepthwiseProperties, OneDEqualsTwoDWithUnitAxis) {
  const auto l1 = ktl::DepthwiseConv1D::make(
      dw1d(3, 2, 1, ktl::Padding::same, 2, ktl::Activation::softsign), 7, 2);
  auto o2 = dw2d(3, 2, 1, ktl::Padding::same, 2, ktl::Activation::softsign);
  o2.kernel_size = {1, 3};
  o2.strides = {1, 2};
  Tensor<float, 4> k2 = l1.depthwise_kernel().reshape(ktl::Dims<4>{1, 3, 7, 2});
  const ktl::DepthwiseConv2D l2(o2, k2, l1.bias());
  const auto x = random_tensor<float, 3>({2, 29, 7}, 3);
  Tensor<float, 4> x2 = x.reshape(ktl::Dims<4>{2, 1, 29, 7});
  Tensor<float, 3> y2 = l2(x2).reshape(ktl::Dims<3>{2, 15, 14});
  EXPECT_TRUE(ktl::test::tensors_near(l1(x), y2, 0.0));
}

TEST(SeparableProperties, OneDEqualsTwoDWithUnitAxis) {
  const auto l1 = ktl::SeparableConv1D::make(sep1d(3, 2, 1, 2, ktl::Padding::valid, 3), 4, 2);
  auto o2 = sep2d(3, 1, 1, 1, ktl::Padding::valid, 3);
  o2.kernel_size = {1, 2};
  o2.dilation_rate = {1, 2};
  const ktl::SeparableConv2D l2(o2, l1.depthwise_kernel().reshape(ktl::Dims<4>{1, 2, 4, 3}),
                                l1.pointwise_kernel().reshape(ktl::Dims<4>{1, 1, 12, 3}), l1.bias());
  const auto x = random_tensor<float, 3>({1, 19, 4}, 3);
  Tensor<float, 4> x2 = x.reshape(ktl::Dims<4>{1, 1, 19, 4});
  Tensor<float, 3> y2 = l2(x2).reshape(ktl::Dims<3>{1, 17, 3});
  EXPECT_TRUE(ktl::test::tensors_near(l1(x), y2, 0.0));
}

/// keras-semantics 12.7: the 3x3x2 input of 12.6, depth_multiplier 2, valid, exact numbers.
TEST(DepthwiseProperties, WorkedExample12_7) {
  Tensor<double, 4> x(1, 3, 3, 2);
  for (Index i = 0; i < 9; ++i) {
    x(0, i / 3, i % 3, 0) = double(i + 1);
    x(0, i / 3, i % 3, 1) = 10.0 * double(i + 1);
  }
  Tensor<double, 4> w(2, 2, 2, 2);
  w.setZero();
  w(0, 0, 0, 0) = 1;
  w(0, 0, 0, 1) = 2;
  w(0, 0, 1, 0) = 1;
  w(0, 1, 1, 1) = 1;
  w(1, 1, 0, 0) = 1;
  w(1, 1, 0, 1) = -1;
  ktl::DepthwiseConvOptions<2> o;
  o.kernel_size = 2;
  o.depth_multiplier = 2;
  o.use_bias = false;
  const ktl::DepthwiseConv<double, 2> dw(o, w);
  const Tensor<double, 4> y = dw(x);
  const double want[4][4] = {{6, -3, 10, 20}, {8, -2, 20, 30}, {12, 0, 40, 50}, {14, 1, 50, 60}};
  for (Index p = 0; p < 4; ++p)
    for (Index j = 0; j < 4; ++j) EXPECT_EQ(y(0, p / 2, p % 2, j), want[p][j]) << p << " " << j;

  ktl::SeparableConvOptions<2> so;
  so.filters = 1;
  so.kernel_size = 2;
  so.depth_multiplier = 2;
  so.use_bias = false;
  Tensor<double, 4> pw(1, 1, 4, 1);
  pw.setValues({{{{1}, {1}, {0.5}, {-1}}}});
  const ktl::SeparableConv<double, 2> sep(so, w, pw);
  const Tensor<double, 4> ys = sep(x);
  EXPECT_EQ(ys(0, 0, 0, 0), -12);
  EXPECT_EQ(ys(0, 0, 1, 0), -14);
  EXPECT_EQ(ys(0, 1, 0, 0), -18);
  EXPECT_EQ(ys(0, 1, 1, 0), -20);
}

TEST(DepthwiseProperties, MakeDrawsKerasShapesFromDerivedSeeds) {
  auto o = dw2d(3, 1, 1, ktl::Padding::valid, 2);
  o.bias_initializer = ktl::Initializer::random_normal();
  const auto a = ktl::DepthwiseConv2D::make(o, 4, 77);
  EXPECT_EQ(ktl::dims_of(a.depthwise_kernel()), (ktl::Dims<4>{3, 3, 4, 2}));
  EXPECT_EQ(ktl::dims_of(a.bias()), (ktl::Dims<1>{8}));
  const auto k = ktl::Initializer::glorot_uniform().operator()<float, 4>({3, 3, 4, 2}, ktl::derive_seed(77, 0));
  const auto b = ktl::Initializer::random_normal().operator()<float, 1>({8}, ktl::derive_seed(77, 1));
  EXPECT_TRUE(ktl::test::tensors_near(a.depthwise_kernel(), k, 0.0));
  EXPECT_TRUE(ktl::test::tensors_near(a.bias(), b, 0.0));
  o.use_bias = false;
  EXPECT_EQ(ktl::DepthwiseConv2D::make(o, 4, 77).bias().size(), 0);
}

TEST(SeparableProperties, MakeDrawsKerasShapesFromDerivedSeeds) {
  auto o = sep2d(5, 3, 1, 1, ktl::Padding::valid, 2);
  o.pointwise_initializer = ktl::Initializer::he_normal();
  o.bias_initializer = ktl::Initializer::ones();
  const auto a = ktl::SeparableConv2D::make(o, 4, 9);
  EXPECT_EQ(ktl::dims_of(a.depthwise_kernel()), (ktl::Dims<4>{3, 3, 4, 2}));
  EXPECT_EQ(ktl::dims_of(a.pointwise_kernel()), (ktl::Dims<4>{1, 1, 8, 5}));
  const auto k = ktl::Initializer::he_normal().operator()<float, 4>({1, 1, 8, 5}, ktl::derive_seed(9, 1));
  EXPECT_TRUE(ktl::test::tensors_near(a.pointwise_kernel(), k, 0.0));
  EXPECT_EQ(a.bias()(4), 1.0f);
}

/// Kernel elements {3, 0, 4, 1}: l1(0.01) 0.08, l2(0.01) 0.26 (keras-semantics 12.10).
TEST(DepthwiseProperties, RegularizationLoss) {
  Tensor<float, 4> k(1, 2, 1, 2);
  k.setValues({{{{3, 0}}, {{4, 1}}}});
  Tensor<float, 1> b(2);
  b.setValues({1, -2});
  auto o = dw2d(0, 1, 1, ktl::Padding::valid, 2);
  o.kernel_size = {1, 2};
  o.depthwise_regularizer = ktl::Regularizer::L1(0.01);
  o.bias_regularizer = ktl::Regularizer::L2(0.5);
  o.activity_regularizer = ktl::Regularizer::L1(1.0);
  const ktl::DepthwiseConv2D layer(o, k, b);
  EXPECT_NEAR(layer.regularization_loss(), 0.08f + 0.5f * 5.0f, 1e-6);
  Tensor<float, 4> y(1, 1, 1, 2);
  y.setValues({{{{-1.5f, 2.0f}}}});
  EXPECT_NEAR(layer.regularization_loss(ktl::view(y)), 0.08f + 2.5f + 3.5f, 1e-6);
  o.depthwise_regularizer = ktl::Regularizer::L2(0.01);
  o.bias_regularizer.reset();
  EXPECT_NEAR(ktl::DepthwiseConv2D(o, k, b).regularization_loss(), 0.26f, 1e-6);
}

TEST(SeparableProperties, RegularizationLoss) {
  auto o = sep2d(1, 0, 1, 1, ktl::Padding::valid, 1);
  o.kernel_size = {1, 2};
  o.depthwise_regularizer = ktl::Regularizer::L1(0.01);
  o.pointwise_regularizer = ktl::Regularizer::L2(0.01);
  o.bias_regularizer = ktl::Regularizer::L1(1.0);
  Tensor<float, 4> d(1, 2, 2, 1);
  d.setValues({{{{3}, {0}}, {{4}, {1}}}});
  Tensor<float, 4> p(1, 1, 2, 1);
  p.setValues({{{{3}, {4}}}});
  Tensor<float, 1> b(1);
  b.setValues({-0.5f});
  const ktl::SeparableConv2D layer(o, d, p, b);
  EXPECT_NEAR(layer.regularization_loss(), 0.08f + 0.25f + 0.5f, 1e-6);
}

/// max_norm(2) over the spatial axes {0, 1}: one norm per (c, m) filter; (3, 4) -> (1.2, 1.6),
/// (0, 1) -> (0, 0.99999988) in float32 (keras-semantics 12.10), and the layer computes with the
/// projected weights afterwards.
TEST(DepthwiseProperties, ApplyConstraintsProjectsAndIsUsedByCalls) {
  Tensor<float, 4> k(1, 2, 1, 2);
  k.setValues({{{{3, 0}}, {{4, 1}}}});
  Tensor<float, 1> b(2);
  b.setValues({-1, 3});
  auto o = dw2d(0, 1, 1, ktl::Padding::valid, 2);
  o.kernel_size = {1, 2};
  o.depthwise_constraint = ktl::Constraint::MaxNorm(2.0, {0, 1});
  o.bias_constraint = ktl::Constraint::NonNeg();
  ktl::DepthwiseConv2D layer(o, k, b);
  layer.apply_constraints();
  EXPECT_FLOAT_EQ(layer.depthwise_kernel()(0, 0, 0, 0), 1.2f);
  EXPECT_FLOAT_EQ(layer.depthwise_kernel()(0, 1, 0, 0), 1.6f);
  EXPECT_FLOAT_EQ(layer.depthwise_kernel()(0, 0, 0, 1), 0.0f);
  EXPECT_FLOAT_EQ(layer.depthwise_kernel()(0, 1, 0, 1), 0.99999988f);
  EXPECT_EQ(layer.bias()(0), 0.0f);
  EXPECT_EQ(layer.bias()(1), 3.0f);
  const ktl::DepthwiseConv2D fresh(o, layer.depthwise_kernel(), layer.bias());
  const auto x = random_tensor<float, 4>({1, 3, 5, 1}, 1);
  EXPECT_TRUE(ktl::test::tensors_near(layer(x), fresh(x), 0.0));
}

TEST(SeparableProperties, ApplyConstraintsProjectsAllThreeWeights) {
  auto o = sep2d(2, 0, 1, 1, ktl::Padding::same, 1);
  o.kernel_size = {1, 2};
  o.depthwise_constraint = ktl::Constraint::UnitNorm({0, 1});
  o.pointwise_constraint = ktl::Constraint::NonNeg();
  o.bias_constraint = ktl::Constraint::MaxNorm(1.0, {0});
  Tensor<float, 4> d(1, 2, 1, 1);
  d.setValues({{{{3}}, {{4}}}});
  Tensor<float, 4> p(1, 1, 1, 2);
  p.setValues({{{{-1, 2}}}});
  Tensor<float, 1> b(2);
  b.setValues({3, 4});
  ktl::SeparableConv2D layer(o, d, p, b);
  layer.apply_constraints();
  EXPECT_FLOAT_EQ(layer.depthwise_kernel()(0, 0, 0, 0), 0.6f);
  EXPECT_FLOAT_EQ(layer.depthwise_kernel()(0, 1, 0, 0), 0.8f);
  EXPECT_EQ(layer.pointwise_kernel()(0, 0, 0, 0), 0.0f);
  EXPECT_EQ(layer.pointwise_kernel()(0, 0, 0, 1), 2.0f);
  EXPECT_FLOAT_EQ(layer.bias()(0), 0.6f);
  EXPECT_FLOAT_EQ(layer.bias()(1), 0.8f);
  const ktl::SeparableConv2D fresh(o, layer.depthwise_kernel(), layer.pointwise_kernel(), layer.bias());
  const auto x = random_tensor<float, 4>({1, 2, 4, 1}, 1);
  EXPECT_TRUE(ktl::test::tensors_near(layer(x), fresh(x), 0.0));
}

/// A hot loop with one workspace: the second call does not grow it.
TEST(SeparableProperties, ForwardReusesTheWorkspace) {
  auto o = sep2d(8, 3, 1, 1, ktl::Padding::same, 1);
  o.data_format = ktl::DataFormat::channels_first;
  const auto layer = ktl::SeparableConv2D::make(o, 6, 1);
  const auto x = random_tensor<float, 4>({1, 6, 12, 12}, 1);
  Tensor<float, 4> y(layer.output_shape(ktl::dims_of(x)));
  const ktl::ThreadPool pool(2);
  ktl::Workspace ws;
  layer.forward(ktl::view(x), ktl::mutable_view(y), ws, pool);
  const auto capacity = ws.capacity();
  layer.forward(ktl::view(x), ktl::mutable_view(y), ws, pool);
  EXPECT_EQ(ws.capacity(), capacity);
  EXPECT_TRUE(ktl::test::tensors_near(y, layer(x), 0.0));
}

}  // namespace

namespace {

// keras-semantics §7: Conv2D with groups = C and filters = C*M is a depthwise convolution whose
// kernel is stored as (k.., 1, C*M) instead of (k.., C, M): the same values in the same order.
TEST(DepthwiseProperties, GroupedConvWithGroupsEqualChannelsIsDepthwise) {
  const Index C = 5;
  for (const Index M : {1, 2}) {
    for (const ktl::Padding p : {ktl::Padding::valid, ktl::Padding::same}) {
      for (const ktl::DataFormat f : {ktl::DataFormat::channels_last, ktl::DataFormat::channels_first}) {
        ktl::DepthwiseConv2DOptions dwo = dw2d(3, 2, 1, p, M, ktl::Activation::tanh);
        dwo.data_format = f;
        const auto dw_kernel = random_tensor<float, 4>({3, 3, C, M}, 11u + static_cast<unsigned>(M));
        const auto bias = random_tensor<float, 1>({C * M}, 12);
        const ktl::DepthwiseConv2D dw(dwo, dw_kernel, bias);

        ktl::Conv2DOptions co;
        co.filters = C * M;
        co.kernel_size = 3;
        co.strides = 2;
        co.padding = p;
        co.data_format = f;
        co.groups = C;
        co.activation = ktl::Activation::tanh;
        const Tensor<float, 4> grouped_kernel = dw_kernel.reshape(ktl::Dims<4>{3, 3, 1, C * M});
        const ktl::Conv2D conv(co, grouped_kernel, bias);

        const ktl::Dims<4> in = f == ktl::DataFormat::channels_last ? ktl::Dims<4>{2, 9, 8, C}
                                                                    : ktl::Dims<4>{2, C, 9, 8};
        const auto x = random_tensor<float, 4>(in, 13);
        EXPECT_TRUE(ktl::test::tensors_near(conv(x), dw(x), 1e-6))
            << "M=" << M << " padding=" << p << " data_format=" << f;
      }
    }
  }
}

}  // namespace
