// Every bad argument of DepthwiseConv1D/2D and SeparableConv1D/2D (docs/semantics.md §4.4-§4.6, §5):
// exception type and the key words of the message (layer, argument, value).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ktl/layers/depthwise_conv.hpp>
#include <ktl/layers/separable_conv.hpp>

namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using ktl::Index;

template <int R>
ktl::Tensor<float, R> filled(const ktl::Dims<R>& d) {
  ktl::Tensor<float, R> t(d);
  t.setConstant(0.5f);
  return t;
}

ktl::DepthwiseConv2DOptions good_dw() {
  ktl::DepthwiseConv2DOptions o;
  o.kernel_size = 3;
  o.depth_multiplier = 2;
  return o;
}
ktl::SeparableConv2DOptions good_sep() {
  ktl::SeparableConv2DOptions o;
  o.filters = 4;
  o.kernel_size = 3;
  o.depth_multiplier = 2;
  return o;
}
ktl::DepthwiseConv2D make_dw(const ktl::DepthwiseConv2DOptions& o) {
  return ktl::DepthwiseConv2D(o, filled<4>({3, 3, 5, 2}), filled<1>({10}));
}
ktl::SeparableConv2D make_sep(const ktl::SeparableConv2DOptions& o) {
  return ktl::SeparableConv2D(o, filled<4>({3, 3, 5, 2}), filled<4>({1, 1, 10, 4}), filled<1>({4}));
}

// 1-D options come from factories and go straight into make(): GCC 12 at -O1 (the ASan leg)
// reports a std::optional member of a local 1-D options struct copied into a layer as
// maybe-uninitialized, a false positive.
ktl::DepthwiseConv1DOptions dw1d(Index k, Index s, Index d, ktl::Padding p) {
  ktl::DepthwiseConv1DOptions o;
  o.kernel_size = k;
  o.strides = s;
  o.dilation_rate = d;
  o.padding = p;
  return o;
}
ktl::SeparableConv1DOptions sep1d_causal() {
  ktl::SeparableConv1DOptions o;
  o.filters = 2;
  o.kernel_size = 3;
  o.padding = ktl::Padding::causal;
  return o;
}

TEST(DepthwiseErrors, OptionsBelowTheirMinimum) {
  auto o = good_dw();
  o.kernel_size = {3, 0};
  EXPECT_THAT([&] { make_dw(o); }, ThrowsMessage<ktl::invalid_options>(AllOf(
      HasSubstr("DepthwiseConv2D"), HasSubstr("kernel_size"), HasSubstr("(3, 0)"))));
  o = good_dw();
  o.strides = {1, -2};
  EXPECT_THAT([&] { make_dw(o); }, ThrowsMessage<ktl::invalid_options>(AllOf(
      HasSubstr("strides"), HasSubstr("(1, -2)"))));
  o = good_dw();
  o.dilation_rate = 0;
  EXPECT_THAT([&] { make_dw(o); }, ThrowsMessage<ktl::invalid_options>(AllOf(
      HasSubstr("dilation_rate"), HasSubstr("(0, 0)"))));
  o = good_dw();
  o.depth_multiplier = 0;
  EXPECT_THAT([&] { make_dw(o); }, ThrowsMessage<ktl::invalid_options>(AllOf(
      HasSubstr("DepthwiseConv2D"), HasSubstr("depth_multiplier=0"))));
  EXPECT_THAT([&] { ktl::DepthwiseConv2D::make(good_dw(), 0); }, ThrowsMessage<ktl::invalid_options>(
      AllOf(HasSubstr("DepthwiseConv2D"), HasSubstr("input_channels=0"))));
  EXPECT_THAT([&] { ktl::DepthwiseConv2D::make(o, 3); }, ThrowsMessage<ktl::invalid_options>(
      HasSubstr("depth_multiplier=0")));
}

TEST(DepthwiseErrors, CausalPaddingIsRejected) {
  auto o = good_dw();
  o.padding = ktl::Padding::causal;
  EXPECT_THAT([&] { make_dw(o); }, ThrowsMessage<ktl::invalid_options>(AllOf(
      HasSubstr("DepthwiseConv2D"), HasSubstr("padding=causal"))));
  EXPECT_THAT([&] { ktl::DepthwiseConv1D::make(dw1d(2, 1, 1, ktl::Padding::causal), 2); },
              ThrowsMessage<ktl::invalid_options>(AllOf(
      HasSubstr("DepthwiseConv1D"), HasSubstr("padding=causal"))));
}

TEST(DepthwiseErrors, StridesWithDilation) {
  auto o = good_dw();
  o.strides = {2, 1};
  o.dilation_rate = {1, 2};
  EXPECT_THAT([&] { make_dw(o); }, ThrowsMessage<ktl::invalid_options>(AllOf(
      HasSubstr("DepthwiseConv2D"), HasSubstr("strides (2, 1)"), HasSubstr("dilation_rate (1, 2)"))));
  EXPECT_THAT([&] { ktl::DepthwiseConv1D::make(dw1d(2, 2, 3, ktl::Padding::valid), 2); },
              ThrowsMessage<ktl::invalid_options>(AllOf(
      HasSubstr("DepthwiseConv1D"), HasSubstr("strides (2)"), HasSubstr("dilation_rate (3)"))));
}

TEST(DepthwiseErrors, WeightShapes) {
  const auto o = good_dw();
  EXPECT_THAT([&] { ktl::DepthwiseConv2D(o, filled<4>({3, 2, 5, 2}), filled<1>({10})); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("depthwise_kernel"),
                                                       HasSubstr("(3, 2, 5, 2)"), HasSubstr("(3, 3, C, 2)"))));
  EXPECT_THAT([&] { ktl::DepthwiseConv2D(o, filled<4>({3, 3, 5, 1}), filled<1>({10})); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("depthwise_kernel"), HasSubstr("(3, 3, C, 2)"))));
  EXPECT_THAT([&] { ktl::DepthwiseConv2D(o, filled<4>({3, 3, 0, 2}), filled<1>({0})); },
              ThrowsMessage<ktl::shape_mismatch>(HasSubstr("depthwise_kernel")));
  EXPECT_THAT([&] { ktl::DepthwiseConv2D(o, filled<4>({3, 3, 5, 2}), filled<1>({5})); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("bias"), HasSubstr("(5)"), HasSubstr("(10)"))));
  EXPECT_THAT([&] { ktl::DepthwiseConv2D(o, filled<4>({3, 3, 5, 2})); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("bias"), HasSubstr("(0)"))));
  auto nobias = o;
  nobias.use_bias = false;
  EXPECT_THAT([&] { ktl::DepthwiseConv2D(nobias, filled<4>({3, 3, 5, 2}), filled<1>({10})); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("bias"), HasSubstr("use_bias=false"))));
  auto layer = make_dw(o);
  EXPECT_THAT([&] { layer.set_weights(filled<4>({3, 3, 5, 3}), filled<1>({15})); },
              ThrowsMessage<ktl::shape_mismatch>(HasSubstr("depthwise_kernel")));
  EXPECT_EQ(layer.depthwise_kernel().dimension(3), 2);  // kept the old weights
}

// Integers cast to Padding / DataFormat are rejected by both layer families (both ranks).
TEST(DepthwiseErrors, EnumValuesOutsideTheEnumerators) {
  auto o = good_dw();
  o.padding = static_cast<ktl::Padding>(5);
  EXPECT_THAT([&] { make_dw(o); }, ThrowsMessage<ktl::invalid_options>(AllOf(
      HasSubstr("DepthwiseConv2D: invalid padding"), HasSubstr("\"valid\" and \"same\";"), HasSubstr("padding=5"))));
  o = good_dw();
  o.data_format = static_cast<ktl::DataFormat>(2);
  EXPECT_THAT([&] { make_dw(o); }, ThrowsMessage<ktl::invalid_options>(AllOf(
      HasSubstr("DepthwiseConv2D: invalid data_format"), HasSubstr("data_format=2"))));
  auto s = good_sep();
  s.padding = static_cast<ktl::Padding>(3);
  EXPECT_THAT([&] { make_sep(s); }, ThrowsMessage<ktl::invalid_options>(AllOf(
      HasSubstr("SeparableConv2D: invalid padding"), HasSubstr("padding=3"))));
  s = good_sep();
  s.data_format = static_cast<ktl::DataFormat>(-3);
  EXPECT_THAT([&] { make_sep(s); }, ThrowsMessage<ktl::invalid_options>(AllOf(
      HasSubstr("SeparableConv2D: invalid data_format"), HasSubstr("data_format=-3"))));
  EXPECT_THAT([] { ktl::DepthwiseConv1D::make(dw1d(2, 1, 1, static_cast<ktl::Padding>(4)), 2); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("DepthwiseConv1D"), HasSubstr("padding=4"))));
  auto s1 = sep1d_causal();
  s1.data_format = static_cast<ktl::DataFormat>(7);
  s1.padding = ktl::Padding::valid;
  EXPECT_THAT([&] { ktl::SeparableConv1D::make(s1, 2); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("SeparableConv1D"), HasSubstr("data_format=7"))));
}

// PyTorch's depthwise weight (C*M, 1, kh, kw) and 1x1 pointwise weight (F, C*M, 1, 1).
TEST(DepthwiseErrors, PyTorchKernelLayouts) {
  EXPECT_THAT([&] { ktl::DepthwiseConv2D(good_dw(), filled<4>({10, 1, 3, 3}), filled<1>({10})); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(
                  HasSubstr("depthwise_kernel has shape (10, 1, 3, 3) but the layer expects (3, 3, C, 2)"),
                  HasSubstr("PyTorch"), HasSubstr("{2, 3, 1, 0}"), HasSubstr("then reshape it to (3, 3, 5, 2)"))));
  EXPECT_THAT([&] { ktl::SeparableConv2D(good_sep(), filled<4>({3, 3, 5, 2}), filled<4>({4, 10, 1, 1}), filled<1>({4})); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(
                  HasSubstr("pointwise_kernel has shape (4, 10, 1, 1) but the layer expects (1, 1, 10, 4)"),
                  HasSubstr("PyTorch"))));
  // The suggested reorder + reshape gives Keras' kernel: torch[c*M + m, 0, y, x] = keras[y, x, c, m].
  ktl::Tensor<float, 4> torch(10, 1, 3, 3);
  torch.setRandom();
  const ktl::Tensor<float, 4> shuffled = torch.shuffle(Eigen::array<int, 4>{2, 3, 1, 0});
  const ktl::Tensor<float, 4> keras = shuffled.reshape(Eigen::array<Index, 4>{3, 3, 5, 2});
  EXPECT_NO_THROW(ktl::DepthwiseConv2D(good_dw(), keras, filled<1>({10})));
  EXPECT_EQ(keras(2, 1, 3, 1), torch(3 * 2 + 1, 0, 2, 1));
}

TEST(DepthwiseErrors, Inputs) {
  const auto layer = make_dw(good_dw());
  EXPECT_THAT([&] { layer(filled<4>({1, 6, 6, 4})); }, ThrowsMessage<ktl::shape_mismatch>(AllOf(
      HasSubstr("DepthwiseConv2D"), HasSubstr("input channels (4)"), HasSubstr("(5 expected"))));
  EXPECT_THAT([&] { layer(filled<4>({0, 6, 6, 5})); }, ThrowsMessage<ktl::shape_mismatch>(
      AllOf(HasSubstr("empty axis"), HasSubstr("(0, 6, 6, 5)"))));
  EXPECT_THAT([&] { layer(filled<4>({1, 2, 6, 5})); }, ThrowsMessage<ktl::shape_mismatch>(
      AllOf(HasSubstr("output would be empty"), HasSubstr("(1, 2, 6, 5)"))));
  auto o = good_dw();
  o.dilation_rate = 2;
  o.data_format = ktl::DataFormat::channels_first;
  const auto dilated = make_dw(o);
  EXPECT_THAT([&] { dilated(filled<4>({1, 5, 4, 9})); }, ThrowsMessage<ktl::shape_mismatch>(
      AllOf(HasSubstr("output would be empty"), HasSubstr("channels_first"))));
  EXPECT_THAT([&] { dilated(filled<4>({1, 6, 9, 5})); }, ThrowsMessage<ktl::shape_mismatch>(
      HasSubstr("input channels (6)")));
  const auto x = filled<4>({1, 6, 6, 5});
  ktl::Tensor<float, 4> y(1, 4, 4, 9);
  EXPECT_THAT([&] { layer.forward(ktl::view(x), ktl::mutable_view(y)); }, ThrowsMessage<ktl::shape_mismatch>(
      AllOf(HasSubstr("output view has shape (1, 4, 4, 9)"), HasSubstr("(1, 4, 4, 10)"))));
}

TEST(SeparableErrors, OptionsBelowTheirMinimum) {
  auto o = good_sep();
  o.filters = 0;
  EXPECT_THAT([&] { make_sep(o); }, ThrowsMessage<ktl::invalid_options>(AllOf(
      HasSubstr("SeparableConv2D"), HasSubstr("filters=0"))));
  o = good_sep();
  o.kernel_size = 0;
  EXPECT_THAT([&] { make_sep(o); }, ThrowsMessage<ktl::invalid_options>(AllOf(
      HasSubstr("kernel_size"), HasSubstr("(0, 0)"))));
  o = good_sep();
  o.strides = {0, 1};
  EXPECT_THAT([&] { make_sep(o); }, ThrowsMessage<ktl::invalid_options>(HasSubstr("strides=(0, 1)")));
  o = good_sep();
  o.dilation_rate = {1, -1};
  EXPECT_THAT([&] { make_sep(o); }, ThrowsMessage<ktl::invalid_options>(HasSubstr("dilation_rate=(1, -1)")));
  o = good_sep();
  o.depth_multiplier = -1;
  EXPECT_THAT([&] { make_sep(o); }, ThrowsMessage<ktl::invalid_options>(HasSubstr("depth_multiplier=-1")));
  EXPECT_THAT([&] { ktl::SeparableConv2D::make(good_sep(), -3); }, ThrowsMessage<ktl::invalid_options>(
      HasSubstr("input_channels=-3")));
}

/// Keras 2.2 (at call) and Keras 3 reject causal for SeparableConv1D; tf.keras 2.x accepted it.
TEST(SeparableErrors, CausalAndStridesWithDilation) {
  EXPECT_THAT([&] { ktl::SeparableConv1D::make(sep1d_causal(), 2); },
              ThrowsMessage<ktl::invalid_options>(AllOf(
      HasSubstr("SeparableConv1D"), HasSubstr("padding=causal"))));
  auto o = good_sep();
  o.padding = ktl::Padding::causal;
  EXPECT_THAT([&] { make_sep(o); }, ThrowsMessage<ktl::invalid_options>(HasSubstr("padding=causal")));
  o = good_sep();
  o.strides = 2;
  o.dilation_rate = 2;
  EXPECT_THAT([&] { make_sep(o); }, ThrowsMessage<ktl::invalid_options>(AllOf(
      HasSubstr("SeparableConv2D"), HasSubstr("strides (2, 2)"), HasSubstr("dilation_rate (2, 2)"))));
}

TEST(SeparableErrors, WeightShapes) {
  const auto o = good_sep();
  EXPECT_THAT([&] { ktl::SeparableConv2D(o, filled<4>({3, 3, 5, 1}), filled<4>({1, 1, 10, 4}), filled<1>({4})); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("SeparableConv2D"), HasSubstr("depthwise_kernel"))));
  EXPECT_THAT([&] { ktl::SeparableConv2D(o, filled<4>({3, 3, 5, 2}), filled<4>({1, 1, 5, 4}), filled<1>({4})); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("pointwise_kernel"), HasSubstr("(1, 1, 5, 4)"),
                                                       HasSubstr("(1, 1, 10, 4)"))));
  EXPECT_THAT([&] { ktl::SeparableConv2D(o, filled<4>({3, 3, 5, 2}), filled<4>({1, 1, 10, 3}), filled<1>({4})); },
              ThrowsMessage<ktl::shape_mismatch>(HasSubstr("pointwise_kernel")));
  EXPECT_THAT([&] { ktl::SeparableConv2D(o, filled<4>({3, 3, 5, 2}), filled<4>({3, 1, 10, 4}), filled<1>({4})); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("pointwise_kernel"), HasSubstr("(3, 1, 10, 4)"))));
  EXPECT_THAT([&] { ktl::SeparableConv2D(o, filled<4>({3, 3, 5, 2}), filled<4>({1, 1, 10, 4}), filled<1>({10})); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("bias"), HasSubstr("(4)"))));
  auto nobias = o;
  nobias.use_bias = false;
  EXPECT_THAT([&] { ktl::SeparableConv2D(nobias, filled<4>({3, 3, 5, 2}), filled<4>({1, 1, 10, 4}), filled<1>({4})); },
              ThrowsMessage<ktl::shape_mismatch>(HasSubstr("use_bias=false")));
}

TEST(SeparableErrors, Inputs) {
  const auto layer = make_sep(good_sep());
  EXPECT_THAT([&] { layer(filled<4>({1, 6, 6, 10})); }, ThrowsMessage<ktl::shape_mismatch>(AllOf(
      HasSubstr("SeparableConv2D"), HasSubstr("input channels (10)"))));
  EXPECT_THAT([&] { layer(filled<4>({1, 6, 0, 5})); }, ThrowsMessage<ktl::shape_mismatch>(HasSubstr("empty axis")));
  EXPECT_THAT([&] { layer(filled<4>({1, 6, 2, 5})); }, ThrowsMessage<ktl::shape_mismatch>(
      HasSubstr("output would be empty on spatial axis 1")));
  const auto x = filled<4>({1, 6, 6, 5});
  ktl::Tensor<float, 4> y(1, 4, 4, 10);
  EXPECT_THAT([&] { layer.forward(ktl::view(x), ktl::mutable_view(y)); }, ThrowsMessage<ktl::shape_mismatch>(
      AllOf(HasSubstr("output view has shape (1, 4, 4, 10)"), HasSubstr("(1, 4, 4, 4)"))));
}

// Issue 10 §2: sizes a config file can carry that overflow Index.
TEST(DepthwiseErrors, SizesBeyondIndex) {
  constexpr Index p62 = Index{1} << 62;
  EXPECT_THAT([&] { ktl::DepthwiseConv2D::make(good_dw(), p62); }, ThrowsMessage<ktl::invalid_options>(
      AllOf(HasSubstr("DepthwiseConv2D"), HasSubstr("depthwise_kernel shape"),
            HasSubstr("input_channels=4611686018427387904"))));
  EXPECT_THAT([&] { ktl::SeparableConv2D::make(good_sep(), p62); }, ThrowsMessage<ktl::invalid_options>(
      AllOf(HasSubstr("SeparableConv2D"), HasSubstr("input_channels=4611686018427387904"))));
  // C * M fits the depthwise kernel (1, 1, 2^31, 2^31) but not the pointwise one (1, 1, 2^62, 4).
  auto sep = good_sep();
  sep.kernel_size = 1;
  sep.depth_multiplier = Index{1} << 31;
  EXPECT_THAT([&] { ktl::SeparableConv2D::make(sep, Index{1} << 31); }, ThrowsMessage<ktl::invalid_options>(
      AllOf(HasSubstr("pointwise_kernel shape (1, 1, 4611686018427387904, 4)"), HasSubstr("depth_multiplier=2147483648"))));
  auto o = good_dw();
  o.dilation_rate = {1, p62};
  EXPECT_THAT([&] { make_dw(o); }, ThrowsMessage<ktl::invalid_options>(AllOf(
      HasSubstr("DepthwiseConv2D"), HasSubstr("dilation_rate=4611686018427387904"))));
  auto os = good_sep();
  os.dilation_rate = {p62, 1};
  EXPECT_THAT([&] { make_sep(os); }, ThrowsMessage<ktl::invalid_options>(AllOf(
      HasSubstr("SeparableConv2D"), HasSubstr("dilation_rate=4611686018427387904"))));
}

// channels_first 1-D options (factories, see dw1d).
ktl::DepthwiseConv1DOptions dw1d_first(Index k, Index d) {
  ktl::DepthwiseConv1DOptions o;
  o.kernel_size = k;
  o.dilation_rate = d;
  o.padding = ktl::Padding::same;
  o.depth_multiplier = 2;
  o.data_format = ktl::DataFormat::channels_first;
  return o;
}
ktl::SeparableConv1DOptions sep1d_first(Index k, Index d) {
  ktl::SeparableConv1DOptions o;
  o.filters = 3;
  o.kernel_size = k;
  o.dilation_rate = d;
  o.padding = ktl::Padding::same;
  o.depth_multiplier = 2;
  o.data_format = ktl::DataFormat::channels_first;
  return o;
}

// channels_first sized its zero-padded band by the dilated extent: an 8-step input asked for
// terabytes (d 2^40) or overflowed to a 1-element workspace and wrote 2^61 zeros (d 2^62).
// Every dilation now gives the plain-loop result with a workspace sized by the work.
TEST(DepthwiseSizes, ChannelsFirstDilationFarBeyondTheInput) {
  const ktl::ThreadPool pool(2);
  const Index C = 2, L = 8, M = 2, F = 3;
  ktl::Tensor<float, 3> x(1, C, L);  // channels_first
  for (Index i = 0; i < x.size(); ++i) x.data()[i] = 0.25f * static_cast<float>(i % 7) - 0.5f;
  for (Index d : {Index{1}, Index{5}, Index{20}, Index{1} << 40, Index{1} << 62}) {
    SCOPED_TRACE(d);
    const Index k = d == Index{1} << 62 ? 2 : 3;  // (k - 1) * d + 1 must fit
    ktl::Tensor<float, 3> wd(k, C, M), wp(1, C * M, F);
    for (Index i = 0; i < wd.size(); ++i) wd.data()[i] = 0.1f * static_cast<float>(i + 1);
    for (Index i = 0; i < wp.size(); ++i) wp.data()[i] = 0.05f * static_cast<float>(i) - 0.2f;
    const ktl::DepthwiseConv1D dw(dw1d_first(k, d), wd, filled<1>({C * M}));
    const ktl::SeparableConv1D sep(sep1d_first(k, d), wd, wp, filled<1>({F}));
    // Plain loop: tap t of output o reads input o + t*d - before (zero outside); bias 0.5.
    const Index before = ktl::shape::same_padding(L, k, 1, d).before;
    ktl::Tensor<float, 3> want_dw(1, C * M, L), want_sep(1, F, L);
    for (Index c = 0; c < C; ++c)
      for (Index m = 0; m < M; ++m)
        for (Index o = 0; o < L; ++o) {
          float acc = 0.0f;
          for (Index t = 0; t < k; ++t) {
            const Index i = o + t * d - before;
            if (i >= 0 && i < L) acc += x(0, c, i) * wd(t, c, m);
          }
          want_dw(0, c * M + m, o) = acc;
        }
    for (Index f = 0; f < F; ++f)
      for (Index o = 0; o < L; ++o) {
        float acc = 0.5f;
        for (Index j = 0; j < C * M; ++j) acc += want_dw(0, j, o) * wp(0, j, f);
        want_sep(0, f, o) = acc;
      }
    for (Index i = 0; i < want_dw.size(); ++i) want_dw.data()[i] += 0.5f;
    ktl::Workspace ws;
    ktl::Tensor<float, 3> y_dw(1, C * M, L), y_sep(1, F, L);
    dw.forward(ktl::view(x), ktl::mutable_view(y_dw), ws, pool);
    EXPECT_LE(ws.capacity(), std::size_t{1} << 16);
    sep.forward(ktl::view(x), ktl::mutable_view(y_sep), ws, pool);
    EXPECT_LE(ws.capacity(), std::size_t{1} << 16);
    for (Index i = 0; i < y_dw.size(); ++i) EXPECT_NEAR(y_dw.data()[i], want_dw.data()[i], 1e-5) << i;
    for (Index i = 0; i < y_sep.size(); ++i) EXPECT_NEAR(y_sep.data()[i], want_sep.data()[i], 1e-5) << i;
  }
}

}  // namespace
