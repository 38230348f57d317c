// Every bad argument of Conv1D/2D/3D (docs/semantics.md §5): exception type and the key words of
// the message (layer, argument, value).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include <ktl/layers/conv.hpp>

namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using ktl::Index;

ktl::Conv2DOptions good2d() {
  ktl::Conv2DOptions o;
  o.filters = 4;
  o.kernel_size = 3;
  return o;
}
ktl::Tensor<float, 4> kernel2d(Index kh, Index kw, Index cg, Index f) {
  ktl::Tensor<float, 4> k(kh, kw, cg, f);
  k.setConstant(0.5f);
  return k;
}
ktl::Tensor<float, 1> bias(Index f) {
  ktl::Tensor<float, 1> b(f);
  b.setZero();
  return b;
}

TEST(ConvErrors, OptionsBelowTheirMinimum) {
  auto make = [](ktl::Conv2DOptions o) { return ktl::Conv2D(o, kernel2d(3, 3, 2, 4), bias(4)); };
  auto o = good2d();
  o.filters = 0;
  EXPECT_THAT([&] { make(o); }, ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("Conv2D"), HasSubstr("filters=0"))));
  o = good2d();
  o.kernel_size = {3, 0};
  EXPECT_THAT([&] { make(o); }, ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("kernel_size"), HasSubstr("(3, 0)"))));
  o = good2d();
  o.strides = {0, 1};
  EXPECT_THAT([&] { make(o); }, ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("strides"), HasSubstr("(0, 1)"))));
  o = good2d();
  o.dilation_rate = -1;
  EXPECT_THAT([&] { make(o); }, ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("dilation_rate"), HasSubstr("-1"))));
  o = good2d();
  o.groups = 0;
  EXPECT_THAT([&] { make(o); }, ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("groups"), HasSubstr("0"))));
}

TEST(ConvErrors, StridesWithDilation) {
  auto o = good2d();
  o.strides = {2, 1};
  o.dilation_rate = {1, 2};
  EXPECT_THAT([&] { ktl::Conv2D(o, kernel2d(3, 3, 2, 4), bias(4)); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("Conv2D"), HasSubstr("strides (2, 1)"),
                                                        HasSubstr("dilation_rate (1, 2)"))));
  ktl::Conv1DOptions o1;
  o1.filters = 1;
  o1.kernel_size = 2;
  o1.strides = 2;
  o1.dilation_rate = 2;
  ktl::Tensor<float, 3> k(2, 1, 1);
  k.setZero();
  EXPECT_THAT([&] { ktl::Conv1D(o1, k, bias(1)); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("Conv1D"), HasSubstr("dilation_rate"))));
}

TEST(ConvErrors, CausalOnlyForConv1D) {
  auto o = good2d();
  o.padding = ktl::Padding::causal;
  EXPECT_THAT([&] { ktl::Conv2D(o, kernel2d(3, 3, 2, 4), bias(4)); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("Conv2D"), HasSubstr("padding"), HasSubstr("causal"))));
  ktl::Conv3DOptions o3;
  o3.filters = 1;
  o3.kernel_size = 1;
  o3.padding = ktl::Padding::causal;
  ktl::Tensor<float, 5> k(1, 1, 1, 1, 1);
  k.setZero();
  EXPECT_THAT([&] { ktl::Conv3D(o3, k, bias(1)); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("Conv3D"), HasSubstr("causal"))));
  ktl::Conv1DOptions o1;  // causal with channels_first is fine (tf.keras)
  o1.filters = 1;
  o1.kernel_size = 2;
  o1.padding = ktl::Padding::causal;
  o1.data_format = ktl::DataFormat::channels_first;
  ktl::Tensor<float, 3> k1(2, 1, 1);
  k1.setZero();
  EXPECT_NO_THROW(ktl::Conv1D(o1, k1, bias(1)));
}

// An integer cast to Padding or DataFormat (as a config file can produce) is rejected by name,
// with the values the layer accepts, instead of running as some other mode.
TEST(ConvErrors, EnumValuesOutsideTheEnumerators) {
  auto o = good2d();
  o.padding = static_cast<ktl::Padding>(3);
  EXPECT_THAT([&] { ktl::Conv2D(o, kernel2d(3, 3, 2, 4), bias(4)); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("Conv2D: invalid padding"),
                                                        HasSubstr("allowed values are \"valid\" and \"same\";"),
                                                        HasSubstr("padding=3"))));
  o = good2d();
  o.data_format = static_cast<ktl::DataFormat>(2);
  EXPECT_THAT([&] { ktl::Conv2D::make(o, 2); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("Conv2D: invalid data_format"),
                                                        HasSubstr("\"channels_last\" and \"channels_first\""),
                                                        HasSubstr("data_format=2"))));
  ktl::Conv1DOptions o1;
  o1.filters = 1;
  o1.kernel_size = 2;
  o1.padding = static_cast<ktl::Padding>(-1);
  EXPECT_THAT([&] { ktl::Conv1D::make(o1, 1); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("Conv1D: invalid padding"),
                                                        HasSubstr("\"valid\", \"same\" and \"causal\""),
                                                        HasSubstr("padding=-1"))));
  ktl::Conv3DOptions o3;
  o3.filters = 1;
  o3.kernel_size = 1;
  o3.data_format = static_cast<ktl::DataFormat>(9);
  EXPECT_THAT([&] { ktl::Conv3D::make(o3, 1); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("Conv3D"), HasSubstr("data_format=9"))));
}

// Parsing a layer's padding string lists only what that layer accepts.
TEST(ConvErrors, PaddingParseListsWhatTheLayerAccepts) {
  EXPECT_THAT([] { (void)ktl::parse_padding("causal", ktl::Conv3D::class_name()); },
              ThrowsMessage<ktl::invalid_options>(AllOf(
                  HasSubstr("Conv3D: invalid padding; allowed values are \"valid\" and \"same\" (case-insensitive)"),
                  HasSubstr("received padding=\"causal\""))));
  EXPECT_THAT([] { (void)ktl::parse_padding("full", "Conv2D"); },
              ThrowsMessage<ktl::invalid_options>(testing::Not(HasSubstr("\"causal\""))));
  EXPECT_EQ(ktl::parse_padding("CAUSAL", ktl::Conv1D::class_name()), ktl::Padding::causal);
  EXPECT_THAT([] { (void)ktl::parse_padding("full", "Conv1D"); },
              ThrowsMessage<ktl::invalid_options>(HasSubstr("\"valid\", \"same\" and \"causal\"")));
}

// A kernel in PyTorch's layout: the expected shape comes from the options (not from the wrong
// kernel), and the message says how to reorder the axes.
TEST(ConvErrors, PyTorchKernelLayout) {
  auto o = good2d();
  o.filters = 32;
  EXPECT_THAT([&] { ktl::Conv2D(o, kernel2d(32, 16, 3, 3), bias(32)); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(
                  HasSubstr("kernel has shape (32, 16, 3, 3) but the layer expects (3, 3, C, 32)"),
                  testing::Not(HasSubstr("(3, 3, 3, 32)")), HasSubstr("PyTorch"),
                  HasSubstr("kernel.shuffle(Eigen::array<int, 4>{2, 3, 1, 0})"))));
  // The suggested reordering gives the Keras kernel.
  ktl::Tensor<float, 4> torch(32, 16, 3, 3);
  torch.setRandom();
  const ktl::Tensor<float, 4> keras = torch.shuffle(Eigen::array<int, 4>{2, 3, 1, 0});
  EXPECT_NO_THROW(ktl::Conv2D(o, keras, bias(32)));
  EXPECT_EQ(keras(2, 1, 5, 7), torch(7, 5, 2, 1));
}

TEST(ConvErrors, GroupsMustDivideFiltersAndChannels) {
  auto o = good2d();
  o.filters = 6;
  o.groups = 4;
  EXPECT_THAT([&] { ktl::Conv2D(o, kernel2d(3, 3, 1, 6), bias(6)); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("filters (6)"), HasSubstr("groups (4)"))));
  o.filters = 8;
  EXPECT_THAT([&] { ktl::Conv2D::make(o, 30); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("input channels (30)"), HasSubstr("groups (4)"))));
  EXPECT_THAT([&] { ktl::Conv2D::make(o, 0); },
              ThrowsMessage<ktl::invalid_options>(HasSubstr("input_channels=0")));
}

TEST(ConvErrors, WeightShapes) {
  const auto o = good2d();
  EXPECT_THAT([&] { ktl::Conv2D(o, kernel2d(3, 2, 2, 4), bias(4)); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("kernel"), HasSubstr("(3, 2, 2, 4)"), HasSubstr("(3, 3, C, 4)"))));
  EXPECT_THAT([&] { ktl::Conv2D(o, kernel2d(3, 3, 2, 5), bias(4)); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("kernel"), HasSubstr("(3, 3, 2, 5)"))));
  EXPECT_THAT([&] { ktl::Conv2D(o, kernel2d(3, 3, 0, 4), bias(4)); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("kernel"), HasSubstr("(3, 3, 0, 4)"))));
  EXPECT_THAT([&] { ktl::Conv2D(o, kernel2d(3, 3, 2, 4), bias(3)); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("bias"), HasSubstr("(3)"), HasSubstr("(4)"))));
  EXPECT_THAT([&] { ktl::Conv2D(o, kernel2d(3, 3, 2, 4)); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("bias"), HasSubstr("(0)"))));
  auto nb = o;
  nb.use_bias = false;
  EXPECT_THAT([&] { ktl::Conv2D(nb, kernel2d(3, 3, 2, 4), bias(4)); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("bias"), HasSubstr("use_bias=false"))));
  ktl::Conv2D conv(o, kernel2d(3, 3, 2, 4), bias(4));
  EXPECT_THAT([&] { conv.set_weights(kernel2d(3, 3, 2, 3), bias(3)); },
              ThrowsMessage<ktl::shape_mismatch>(HasSubstr("kernel")));
  EXPECT_EQ(conv.kernel().dimension(3), 4) << "a failed set_weights keeps the old weights";
  EXPECT_NO_THROW(conv.set_weights(kernel2d(3, 3, 5, 4), bias(4)));
  EXPECT_EQ(conv.input_channels(), 5);
}

TEST(ConvErrors, InputChecksAtCall) {
  const ktl::Conv2D conv(good2d(), kernel2d(3, 3, 2, 4), bias(4));
  ktl::Tensor<float, 4> x(1, 5, 5, 3);
  x.setZero();
  EXPECT_THAT([&] { conv(x); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("Conv2D"), HasSubstr("channels (3)"), HasSubstr("2 expected"),
                                                       HasSubstr("(1, 5, 5, 3)"))));
  ktl::Tensor<float, 4> empty(0, 5, 5, 2);
  EXPECT_THAT([&] { conv(empty); }, ThrowsMessage<ktl::shape_mismatch>(HasSubstr("empty")));
  ktl::Tensor<float, 4> small(1, 2, 5, 2);  // valid, 2 < kernel 3
  small.setZero();
  EXPECT_THAT([&] { conv(small); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("output would be empty"), HasSubstr("(1, 2, 5, 2)"))));
  ktl::Tensor<float, 4> ok(1, 5, 5, 2);
  ok.setZero();
  ktl::Tensor<float, 4> wrong(1, 3, 4, 4);
  EXPECT_THAT([&] { conv.forward(ktl::view(ok), ktl::mutable_view(wrong)); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("output view"), HasSubstr("(1, 3, 4, 4)"), HasSubstr("(1, 3, 3, 4)"))));
  auto of = good2d();
  of.data_format = ktl::DataFormat::channels_first;
  const ktl::Conv2D first(of, kernel2d(3, 3, 2, 4), bias(4));
  EXPECT_THAT([&] { first(ok); },  // (1, 5, 5, 2) read as channels_first: 5 channels
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("channels (5)"), HasSubstr("channels_first"))));
  ktl::Conv1DOptions o1;
  o1.filters = 1;
  o1.kernel_size = 3;
  o1.dilation_rate = 3;  // effective kernel 7
  ktl::Tensor<float, 3> k1(3, 1, 1);
  k1.setZero();
  const ktl::Conv1D conv1(o1, k1, bias(1));
  ktl::Tensor<float, 3> x1(1, 6, 1);
  x1.setZero();
  EXPECT_THAT([&] { conv1(x1); }, ThrowsMessage<ktl::shape_mismatch>(HasSubstr("Conv1D")));
  EXPECT_THAT([&] { (void)conv1.output_shape({1, 6, 1}); }, ThrowsMessage<ktl::shape_mismatch>(HasSubstr("empty")));
}

// Issue 10 §2: sizes a config file can carry that overflow Index.
TEST(ConvErrors, SizesBeyondIndex) {
  constexpr Index max = std::numeric_limits<Index>::max();
  constexpr Index p62 = Index{1} << 62;
  // make(): the kernel shape's element count (SEGV, or a layer built, before).
  EXPECT_THAT([] { (void)ktl::Conv2D::make(good2d(), p62); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("Conv2D"), HasSubstr("kernel shape"),
                                                        HasSubstr("input_channels=4611686018427387904"))));
  auto o = good2d();
  o.kernel_size = {Index{1} << 32, Index{1} << 32};
  EXPECT_THAT([&] { (void)ktl::Conv2D::make(o, 1); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("kernel_size=(4294967296, 4294967296)"),
                                                        HasSubstr("more elements than Index"))));
  // (kernel - 1) * dilation + 1 beyond Index.
  ktl::Conv1DOptions o1;
  o1.filters = 1;
  o1.kernel_size = 3;
  o1.dilation_rate = p62;
  ktl::Tensor<float, 3> k1(3, 1, 1);
  k1.setConstant(1.0f);
  EXPECT_THAT([&] { ktl::Conv1D(o1, k1, bias(1)); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("Conv1D"), HasSubstr("dilation_rate=4611686018427387904"),
                                                        HasSubstr("overflows Index"))));
  // The largest effective kernel that fits: 'same' pads up to K - 1 zeros, so the input plus
  // them must fit too.
  o1.kernel_size = 2;
  o1.dilation_rate = max - 1;
  o1.padding = ktl::Padding::same;
  ktl::Tensor<float, 3> k2(2, 1, 1);
  k2.setConstant(1.0f);
  const ktl::Conv1D dilated(o1, k2, bias(1));
  EXPECT_EQ(dilated.output_shape({1, 1, 1}), (ktl::Dims<3>{1, 1, 1}));
  EXPECT_THAT([&] { (void)dilated.output_shape({1, 3, 1}); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("Conv1D"), HasSubstr("zero-padded input length"),
                                                       HasSubstr("dilation_rate=9223372036854775806"))));
  // Input shapes whose element count is beyond Index (the output shape came back before).
  const ktl::Conv2D conv(good2d(), kernel2d(3, 3, 2, 4), bias(4));
  EXPECT_THAT([&] { (void)conv.output_shape({p62, 5, 5, 2}); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("Conv2D"), HasSubstr("input shape (4611686018427387904, 5, 5, 2)"),
                                                       HasSubstr("more elements than Index"))));
}

TEST(ConvErrors, SameWithAStrideNearTheIndexLimit) {
  // ceil(L / s) was (L + s - 1) / s, which overflows; one window at 0, no padding.
  ktl::Conv1DOptions o;
  o.filters = 1;
  o.kernel_size = 3;
  o.strides = std::numeric_limits<Index>::max();
  o.padding = ktl::Padding::same;
  ktl::Tensor<float, 3> k(3, 2, 1);
  k.setValues({{{1.0f}, {2.0f}}, {{3.0f}, {4.0f}}, {{5.0f}, {6.0f}}});
  for (auto f : {ktl::DataFormat::channels_last, ktl::DataFormat::channels_first}) {
    o.data_format = f;
    const ktl::Conv1D conv(o, k, bias(1));
    ktl::Tensor<float, 3> x = f == ktl::DataFormat::channels_last ? ktl::Tensor<float, 3>(1, 5, 2)
                                                                   : ktl::Tensor<float, 3>(1, 2, 5);
    for (Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(i + 1);
    const ktl::Tensor<float, 3> y = conv(x);
    ASSERT_EQ(ktl::dims_of(y), (ktl::Dims<3>{1, 1, 1}));
    // channels_last x[t][c] = 2t + c + 1; channels_first x[c][t] = 5c + t + 1.
    float expected = 0.0f;
    for (Index t = 0; t < 3; ++t)
      for (Index c = 0; c < 2; ++c)
        expected += k(t, c, 0) * static_cast<float>(f == ktl::DataFormat::channels_last ? 2 * t + c + 1 : 5 * c + t + 1);
    EXPECT_EQ(y(0, 0, 0), expected);
  }
}

}  // namespace
