// Properties of Conv1D/2D/3D beyond the fixtures: channels_first equals channels_last after a
// transpose, Conv1D equals Conv2D with a unit axis, 1 / 2 / 3 threads bit-identical, forward()
// into a caller view equals the returning call, a reused workspace does not grow, softmax over the
// final output's last axis, make() with seeds, regularization_loss and apply_constraints against
// hand-computed values (keras-semantics §10, §11); every accepted argument form (tensor, views,
// maps, expressions, moved weights) gives the same result without a copy where none is needed
// (the forms that must not compile are tests/compile_fail/).
#include <cmath>
#include <cstddef>
#include <random>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include <ktl/layers/conv.hpp>

#include "ktl_test/compare.hpp"
#include "ktl_test/special_values.hpp"

namespace {

using ktl::Index;

template <typename S, int R>
ktl::Tensor<S, R> random_tensor(const ktl::Dims<R>& d, unsigned seed) {
  ktl::Tensor<S, R> t(d);
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  for (Index i = 0; i < t.size(); ++i) t.data()[i] = static_cast<S>(dist(gen));
  return t;
}

// (N, S..., C) -> (N, C, S...) for rank R by loops.
template <int R>
ktl::Tensor<float, R> to_first(const ktl::Tensor<float, R>& t) {
  const auto d = ktl::dims_of(t);
  const auto f = ktl::shape::to_channels_first<R>(d);
  ktl::Tensor<float, R> out(f);
  const Index C = d[R - 1], S = t.size() / (d[0] * C);
  for (Index b = 0; b < d[0]; ++b)
    for (Index s = 0; s < S; ++s)
      for (Index c = 0; c < C; ++c) out.data()[(b * C + c) * S + s] = t.data()[(b * S + s) * C + c];
  return out;
}

template <int N>
void check_formats_agree(ktl::ConvOptions<N> o, const ktl::Dims<N + 2>& in_last, Index channels) {
  constexpr int R = N + 2;
  ktl::Dims<R> kshape{};
  for (int a = 0; a < N; ++a) kshape[static_cast<std::size_t>(a)] = o.kernel_size[a];
  kshape[N] = channels / o.groups;
  kshape[N + 1] = o.filters;
  const auto kernel = random_tensor<float, R>(kshape, 11);
  const auto bias = random_tensor<float, 1>(ktl::Dims<1>{o.filters}, 12);
  const auto x = random_tensor<float, R>(in_last, 13);
  o.data_format = ktl::DataFormat::channels_last;
  const ktl::Conv<float, N> last(o, kernel, bias);
  o.data_format = ktl::DataFormat::channels_first;
  const ktl::Conv<float, N> first(o, kernel, bias);
  const auto y_last = last(x);
  const auto y_first = first(to_first<R>(x));
  EXPECT_TRUE(ktl::test::tensors_near(y_first, to_first<R>(y_last), 0.0));
}

TEST(ConvProperties, ChannelsFirstEqualsChannelsLastAfterTranspose) {
  ktl::Conv1DOptions o1;
  o1.filters = 6;
  o1.kernel_size = 3;
  o1.padding = ktl::Padding::causal;
  o1.dilation_rate = 2;
  o1.activation = ktl::Activation::tanh;
  check_formats_agree<1>(o1, {2, 19, 4}, 4);
  ktl::Conv2DOptions o2;
  o2.filters = 8;
  o2.kernel_size = {3, 2};
  o2.strides = 2;
  o2.padding = ktl::Padding::same;
  o2.groups = 2;
  o2.activation = ktl::Activation::relu;
  check_formats_agree<2>(o2, {2, 13, 10, 6}, 6);
  ktl::Conv3DOptions o3;
  o3.filters = 5;
  o3.kernel_size = 2;
  check_formats_agree<3>(o3, {1, 4, 5, 6, 3}, 3);
}

// NaN and infinities in the input and the bias go through the GEMM epilogue as through
// apply_activation: relu(NaN) = NaN in every relu variant, both formats, with groups, both the
// im2col and the direct 1x1 path.
TEST(ConvProperties, NonFiniteValuesFollowTheGenericActivationRule) {
  for (const ktl::DataFormat f : {ktl::DataFormat::channels_last, ktl::DataFormat::channels_first}) {
    for (const Index k : {3, 1}) {
      ktl::Conv2DOptions o;
      o.filters = 12;
      o.kernel_size = k;
      o.groups = 2;
      o.padding = ktl::Padding::same;
      o.data_format = f;
      const auto kernel = random_tensor<float, 4>({k, k, 3, 12}, 21);
      auto bias = random_tensor<float, 1>({12}, 22);
      ktl::test::add_special_values(bias.data(), 12, 5, 4);
      auto x = random_tensor<float, 4>({2, 7, 9, 6}, 23);
      ktl::test::add_special_values(x.data(), x.size(), 40, 97);
      if (f == ktl::DataFormat::channels_first) x = to_first<4>(x);
      ktl::test::expect_generic_activation_rule(
          [&](const ktl::ActivationFunction& a) {
            o.activation = a;
            return ktl::Conv2D(o, kernel, bias);
          },
          x, std::string("Conv2D ") + std::string(ktl::to_string(f)) + " kernel " + std::to_string(k));
    }
  }
}

TEST(ConvProperties, Conv1DEqualsConv2DWithUnitAxis) {
  const Index B = 2, L = 37, C = 5, F = 7;
  ktl::Conv1DOptions o1;
  o1.filters = F;
  o1.kernel_size = 3;
  o1.padding = ktl::Padding::same;
  o1.dilation_rate = 2;
  o1.activation = ktl::Activation::elu;
  ktl::Conv2DOptions o2;
  o2.filters = F;
  o2.kernel_size = {1, 3};
  o2.padding = ktl::Padding::same;
  o2.dilation_rate = {1, 2};
  o2.activation = ktl::Activation::elu;
  const auto k1 = random_tensor<float, 3>({3, C, F}, 21);
  const auto b = random_tensor<float, 1>({F}, 22);
  const auto x1 = random_tensor<float, 3>({B, L, C}, 23);
  const ktl::Tensor<float, 4> k2 = k1.reshape(ktl::Dims<4>{1, 3, C, F});
  const ktl::Tensor<float, 4> x2 = x1.reshape(ktl::Dims<4>{B, 1, L, C});
  const auto y1 = ktl::Conv1D(o1, k1, b)(x1);
  const ktl::Tensor<float, 3> y2 = ktl::Conv2D(o2, k2, b)(x2).reshape(ktl::Dims<3>{B, L, F});
  EXPECT_TRUE(ktl::test::tensors_near(y2, y1, 1e-6));
}

TEST(ConvProperties, OneTwoAndThreeThreadsAreBitIdentical) {
  ktl::Conv2DOptions o;
  o.filters = 24;
  o.kernel_size = 3;
  o.padding = ktl::Padding::same;
  o.activation = ktl::Activation::sigmoid;
  const auto x = random_tensor<float, 4>({2, 37, 29, 16}, 31);  // many tiles per image
  const ktl::Conv2D conv(o, random_tensor<float, 4>({3, 3, 16, 24}, 32), random_tensor<float, 1>({24}, 33));
  const ktl::ThreadPool p1(1), p2(2), p3(3);
  const auto y1 = conv(ktl::view(x), p1);
  EXPECT_TRUE(ktl::test::tensors_near(conv(ktl::view(x), p2), y1, 0.0));
  EXPECT_TRUE(ktl::test::tensors_near(conv(ktl::view(x), p3), y1, 0.0));
  o.data_format = ktl::DataFormat::channels_first;
  const ktl::Conv2D first(o, conv.kernel(), conv.bias());
  const auto xf = to_first<4>(x);
  EXPECT_TRUE(ktl::test::tensors_near(first(ktl::view(xf), p2), first(ktl::view(xf), p1), 0.0));
}

TEST(ConvProperties, ForwardIntoViewEqualsReturningCallAndReusesWorkspace) {
  for (auto format : {ktl::DataFormat::channels_last, ktl::DataFormat::channels_first}) {
    ktl::Conv1DOptions o;
    o.filters = 9;
    o.kernel_size = 4;
    o.strides = 2;
    o.padding = ktl::Padding::same;
    o.data_format = format;
    const ktl::Conv1D conv(o, random_tensor<float, 3>({4, 3, 9}, 41), random_tensor<float, 1>({9}, 42));
    const ktl::Dims<3> in = format == ktl::DataFormat::channels_last ? ktl::Dims<3>{3, 50, 3}
                                                                      : ktl::Dims<3>{3, 3, 50};
    const auto x = random_tensor<float, 3>(in, 43);
    const auto expected = conv(x);
    ktl::Tensor<float, 3> y(conv.output_shape(in));
    ktl::Workspace ws;
    const ktl::ThreadPool pool(2);
    conv.forward(ktl::view(x), ktl::mutable_view(y), ws, pool);
    EXPECT_TRUE(ktl::test::tensors_near(y, expected, 0.0));
    const auto capacity = ws.capacity();
    const void* buffer = ws.request<float>(1);
    y.setZero();
    conv.forward(ktl::view(x), ktl::mutable_view(y), ws, pool);
    EXPECT_EQ(ws.capacity(), capacity) << "second call grew the workspace";
    EXPECT_EQ(ws.request<float>(1), buffer) << "second call reallocated the workspace";
    EXPECT_TRUE(ktl::test::tensors_near(y, expected, 0.0));
    ktl::Tensor<float, 3> y3(conv.output_shape(in));
    conv.forward(ktl::view(x), ktl::mutable_view(y3));  // default pool, temporary workspace
    EXPECT_TRUE(ktl::test::tensors_near(y3, expected, 0.0));
  }
}

TEST(ConvProperties, SoftmaxRunsOverTheFinalOutputsLastAxis) {
  ktl::Conv2DOptions o;
  o.filters = 3;
  o.kernel_size = 1;
  o.activation = ktl::Activation::softmax;
  o.data_format = ktl::DataFormat::channels_first;
  const ktl::Conv2D conv(o, random_tensor<float, 4>({1, 1, 2, 3}, 51), random_tensor<float, 1>({3}, 52));
  const auto y = conv(random_tensor<float, 4>({2, 2, 3, 4}, 53));  // (2, 3 filters, 3, 4)
  ASSERT_EQ(y.dimension(3), 4);
  for (Index r = 0; r < y.size() / 4; ++r) {
    double sum = 0;
    for (Index i = 0; i < 4; ++i) sum += y.data()[r * 4 + i];
    EXPECT_NEAR(sum, 1.0, 1e-6) << "row " << r;
  }
}

TEST(ConvProperties, MakeUsesInitializersAndSeeds) {
  ktl::Conv2DOptions o;
  o.filters = 6;
  o.kernel_size = {3, 2};
  o.groups = 2;
  o.bias_initializer = ktl::Initializer::constant(0.25);
  const auto a = ktl::Conv2D::make(o, 4, 7);
  const auto b = ktl::Conv2D::make(o, 4, 7);
  const auto c = ktl::Conv2D::make(o, 4, 8);
  EXPECT_EQ(ktl::dims_of(a.kernel()), (ktl::Dims<4>{3, 2, 2, 6}));
  EXPECT_EQ(a.input_channels(), 4);
  EXPECT_TRUE(ktl::test::tensors_near(a.kernel(), b.kernel(), 0.0));
  EXPECT_FALSE(ktl::test::tensors_near(a.kernel(), c.kernel(), 0.0));
  const auto expected = ktl::Initializer::glorot_uniform().operator()<float, 4>({3, 2, 2, 6}, ktl::derive_seed(7, 0));
  EXPECT_TRUE(ktl::test::tensors_near(a.kernel(), expected, 0.0));
  ASSERT_EQ(a.bias().size(), 6);
  for (Index i = 0; i < 6; ++i) EXPECT_EQ(a.bias()(i), 0.25f);
  o.use_bias = false;
  EXPECT_EQ(ktl::Conv2D::make(o, 4, 7).bias().size(), 0);
  ktl::ConvOptions<1> od;
  od.filters = 2;
  od.kernel_size = 3;
  const auto d = ktl::Conv<double, 1>::make(od, 5, 3);
  EXPECT_EQ(ktl::dims_of(d.kernel()), (ktl::Dims<3>{3, 5, 2}));
}

TEST(ConvProperties, RegularizationLossMatchesHandComputedPenalties) {
  ktl::Conv1DOptions o;
  o.filters = 2;
  o.kernel_size = 2;
  o.kernel_regularizer = ktl::Regularizer::L1L2(0.1, 0.01);
  o.bias_regularizer = ktl::Regularizer::L2(0.5);
  o.activity_regularizer = ktl::Regularizer::L1(0.2);
  ktl::Tensor<float, 3> kernel(2, 1, 2);  // (k, C, F): values 1, -2, 3, -4
  kernel.setValues({{{1.0f, -2.0f}}, {{3.0f, -4.0f}}});
  ktl::Tensor<float, 1> bias(2);
  bias.setValues({0.5f, -1.0f});
  const ktl::Conv1D conv(o, kernel, bias);
  // kernel: 0.1 * 10 + 0.01 * 30 = 1.3; bias: 0.5 * 1.25 = 0.625.
  EXPECT_NEAR(conv.regularization_loss(), 1.3 + 0.625, 1e-6);
  ktl::Tensor<float, 3> out(1, 2, 2);
  out.setValues({{{1.0f, -1.5f}, {0.5f, 2.0f}}});  // sum |y| = 5, times 0.2 = 1
  EXPECT_NEAR(conv.regularization_loss(ktl::view(out)), 1.925 + 1.0, 1e-6);
  o.use_bias = false;
  o.bias_regularizer.reset();
  EXPECT_NEAR(ktl::Conv1D(o, kernel).regularization_loss(), 1.3, 1e-6);
}

// Options with constraints, filled in a function of its own: GCC 12 reports a false
// -Wmaybe-uninitialized when an optional<Constraint> (it holds a vector) is assigned in a test body.
ktl::Conv1DOptions constrained(std::optional<ktl::Constraint> kernel, std::optional<ktl::Constraint> bias) {
  ktl::Conv1DOptions o;
  o.filters = 2;
  o.kernel_size = 2;
  o.kernel_constraint = std::move(kernel);
  o.bias_constraint = std::move(bias);
  return o;
}

TEST(ConvProperties, ApplyConstraintsProjectsKernelAndBias) {
  // per-filter max norm on the kernel, non_neg on the bias
  const auto o = constrained(ktl::Constraint::MaxNorm(1.0, {0, 1}), ktl::Constraint::NonNeg());
  ktl::Tensor<float, 3> kernel(2, 1, 2);
  kernel.setValues({{{1.0f, -2.0f}}, {{3.0f, -4.0f}}});
  ktl::Tensor<float, 1> bias(2);
  bias.setValues({0.5f, -1.0f});
  ktl::Conv1D conv(o, kernel, bias);
  conv.apply_constraints();
  // filter 0: (1, 3), norm sqrt(10); filter 1: (-2, -4), norm sqrt(20); scale 1 / (1e-7 + norm).
  const double n0 = std::sqrt(10.0), n1 = std::sqrt(20.0);
  EXPECT_NEAR(conv.kernel()(0, 0, 0), 1.0 / (1e-7 + n0), 1e-6);
  EXPECT_NEAR(conv.kernel()(1, 0, 0), 3.0 / (1e-7 + n0), 1e-6);
  EXPECT_NEAR(conv.kernel()(0, 0, 1), -2.0 / (1e-7 + n1), 1e-6);
  EXPECT_NEAR(conv.kernel()(1, 0, 1), -4.0 / (1e-7 + n1), 1e-6);
  EXPECT_EQ(conv.bias()(0), 0.5f);
  EXPECT_EQ(conv.bias()(1), 0.0f);
  ktl::Conv1D unit(constrained(ktl::Constraint::UnitNorm({0, 1}), std::nullopt), kernel, bias);
  unit.apply_constraints();
  EXPECT_NEAR(unit.kernel()(1, 0, 0), 3.0 / (1e-7 + n0), 1e-6);
  EXPECT_EQ(unit.bias()(1), -1.0f);
}

TEST(ConvProperties, OutputShapeMatchesShapeModule) {
  ktl::Conv3DOptions o;
  o.filters = 4;
  o.kernel_size = {3, 2, 1};
  o.strides = {2, 1, 3};
  o.padding = ktl::Padding::same;
  o.data_format = ktl::DataFormat::channels_first;
  const ktl::Conv3D conv(o, random_tensor<float, 5>({3, 2, 1, 2, 4}, 61), random_tensor<float, 1>({4}, 62));
  EXPECT_EQ(conv.compute_output_shape({2, 2, 7, 5, 8}), (ktl::Dims<5>{2, 4, 4, 5, 3}));
}

// The integer option forms (wrong ones do not compile: tests/compile_fail/).
static_assert(ktl::Extent<2>{} == ktl::Extent<2>(0) && ktl::Extent<2>{}[1] == 0, "{} is 0 on every axis");
static_assert(ktl::Extent<2>(std::size_t{3}) == ktl::Extent<2>(3, 3), "any integral type but bool");
static_assert(ktl::Extent<3>{short{1}, 2L, 3u}[2] == 3, "mixed integral types per axis");
static_assert(ktl::PadPairs<2>{} == ktl::PadPairs<2>(0), "{} is (0, 0) on every axis");
static_assert(ktl::PadPairs<2>{1, {2, 3u}}[1] == ktl::Pair(2, 3), "mixed int and pair forms");
static_assert(ktl::PadPairs<1>{1, 2}[0] == ktl::Pair(1, 2), "the 1-D pair form");

TEST(ConvProperties, EveryAcceptedArgumentFormGivesTheSameResult) {
  ktl::Conv2DOptions o;
  o.filters = 5;
  o.kernel_size = 3;
  o.padding = ktl::Padding::same;
  auto kernel = random_tensor<float, 4>({3, 3, 4, 5}, 71);
  auto bias = random_tensor<float, 1>({5}, 72);
  const ktl::Conv2D conv(o, kernel, bias);
  auto x = random_tensor<float, 4>({2, 9, 7, 4}, 73);
  const auto expected = conv(x);
  const ktl::Dims<4> out = conv.output_shape(ktl::dims_of(x));

  // Inputs: tensor, const tensor, read-only and writable maps, an expression (evaluated once),
  // a given pool.
  const ktl::Tensor<float, 4>& cx = x;
  const ktl::TensorView<float, 4> xv(x.data(), ktl::dims_of(x));
  const Eigen::TensorMap<const Eigen::Tensor<float, 4, Eigen::RowMajor>, Eigen::Unaligned> xm(
      x.data(), ktl::dims_of(x));
  const ktl::ThreadPool pool(2);
  EXPECT_TRUE(ktl::test::tensors_near(conv(cx), expected, 0.0));
  EXPECT_TRUE(ktl::test::tensors_near(conv(ktl::view(x)), expected, 0.0));
  EXPECT_TRUE(ktl::test::tensors_near(conv(xv), expected, 0.0));
  EXPECT_TRUE(ktl::test::tensors_near(conv(xm, pool), expected, 0.0));
  EXPECT_TRUE(ktl::test::tensors_near(conv(x * 1.0f), expected, 0.0));

  // forward into a tensor or a writable view, from a tensor or a view; all four overloads.
  ktl::Tensor<float, 4> y(out);
  ktl::Workspace ws;
  conv.forward(x, y);
  EXPECT_TRUE(ktl::test::tensors_near(y, expected, 0.0));
  y.setZero();
  conv.forward(xv, ktl::mutable_view(y), ws, pool);
  EXPECT_TRUE(ktl::test::tensors_near(y, expected, 0.0));
  y.setZero();
  const ktl::TensorView<float, 4> yv(y.data(), out);
  conv.forward(cx, yv, ws, pool);
  EXPECT_TRUE(ktl::test::tensors_near(y, expected, 0.0));

  // Shapes as Dims, Eigen dimensions() or a braced list.
  EXPECT_EQ(conv.output_shape(x.dimensions()), out);
  EXPECT_EQ(conv.output_shape({2, 9, 7, 4}), out);
  EXPECT_EQ(conv.compute_output_shape(x.dimensions()), out);
  EXPECT_EQ(conv.compute_output_shape({2, 9, 7, 4}), out);

  // Weights from views and expressions are copied or evaluated once; moved tensors keep their
  // storage (no copy).
  const ktl::Conv2D from_views(o, ktl::view(kernel), bias * 1.0f);
  EXPECT_TRUE(ktl::test::tensors_near(from_views(x), expected, 0.0));
  const float* kernel_storage = kernel.data();
  const float* bias_storage = bias.data();
  ktl::Conv2D moved(o, std::move(kernel), std::move(bias));
  EXPECT_EQ(moved.kernel().data(), kernel_storage);
  EXPECT_EQ(moved.bias().data(), bias_storage);
  EXPECT_TRUE(ktl::test::tensors_near(moved(x), expected, 0.0));
  auto kernel2 = random_tensor<float, 4>({3, 3, 4, 5}, 74);
  const float* kernel2_storage = kernel2.data();
  moved.set_weights(std::move(kernel2), from_views.bias());
  EXPECT_EQ(moved.kernel().data(), kernel2_storage);
  moved.set_weights(ktl::view(from_views.kernel()), ktl::view(from_views.bias()));
  EXPECT_TRUE(ktl::test::tensors_near(moved(x), expected, 0.0));
}

}  // namespace
