// Shared option and input checks of shape/validate.hpp (keras-semantics §2.1, §2.5, §5): each
// check passes on allowed values and throws the right type whose message names the layer, the
// argument, the received value and the rule.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <ktl/shape/validate.hpp>
#include <optional>

namespace {

using ktl::DataFormat;
using ktl::Dims;
using ktl::Extent;
using ktl::Index;
using ktl::invalid_options;
using ktl::Padding;
using ktl::PadPairs;
using ktl::Pair;
using ktl::shape_mismatch;
using testing::AllOf;
using testing::HasSubstr;
using testing::ThrowsMessage;
namespace shape = ktl::shape;

TEST(Validate, CheckMinScalar) {
  EXPECT_NO_THROW(shape::check_min("Conv2D", "filters", 1, 1));
  EXPECT_NO_THROW(shape::check_min("Conv2D", "filters", 64, 1));
  EXPECT_THAT([] { shape::check_min("Conv2D", "filters", 0, 1); },
              ThrowsMessage<invalid_options>(AllOf(HasSubstr("Conv2D"), HasSubstr("filters"),
                                                   HasSubstr("must be >= 1"),
                                                   HasSubstr("received filters=0"))));
  EXPECT_THAT([] { shape::check_min("DepthwiseConv2D", "depth_multiplier", -2, 1); },
              ThrowsMessage<invalid_options>(
                  AllOf(HasSubstr("DepthwiseConv2D"), HasSubstr("depth_multiplier=-2"))));
}

TEST(Validate, CheckMinExtent) {
  EXPECT_NO_THROW(shape::check_min<2>("Conv2D", "strides", Extent<2>{1, 3}, 1));
  EXPECT_NO_THROW(shape::check_min<3>("Conv3D", "kernel_size", 1, 1));
  EXPECT_THAT(
      [] {
        shape::check_min<2>("Conv2D", "strides", Extent<2>{0, 1}, 1);
      },
      ThrowsMessage<invalid_options>(AllOf(HasSubstr("Conv2D"), HasSubstr("strides"),
                                           HasSubstr("every entry must be >= 1"),
                                           HasSubstr("strides=(0, 1)"))));
  EXPECT_THAT(
      [] {
        shape::check_min<3>("Conv3D", "dilation_rate", Extent<3>{1, 1, -1}, 1);
      },
      ThrowsMessage<invalid_options>(
          AllOf(HasSubstr("Conv3D"), HasSubstr("dilation_rate=(1, 1, -1)"))));
}

TEST(Validate, CheckNonNegative) {
  EXPECT_NO_THROW(
      shape::check_non_negative<2>("Cropping2D", "cropping", PadPairs<2>{0, Pair{1, 2}}));
  EXPECT_THAT(
      [] {
        shape::check_non_negative<2>("Cropping2D", "cropping", PadPairs<2>{Pair{1, -1}, 0});
      },
      ThrowsMessage<invalid_options>(AllOf(HasSubstr("Cropping2D"), HasSubstr("cropping"),
                                           HasSubstr(">= 0"), HasSubstr("((1, -1), (0, 0))"))));
  EXPECT_THAT(
      [] {
        shape::check_non_negative<1>("ZeroPadding1D", "padding", PadPairs<1>{-2, 0});
      },
      ThrowsMessage<invalid_options>(
          AllOf(HasSubstr("ZeroPadding1D"), HasSubstr("padding=((-2, 0))"))));
}

TEST(Validate, CheckStridesDilation) {
  EXPECT_NO_THROW(shape::check_strides_dilation<2>("Conv2D", 2, 1));
  EXPECT_NO_THROW(shape::check_strides_dilation<2>("Conv2D", 1, Extent<2>{2, 3}));
  EXPECT_THAT(
      [] {
        shape::check_strides_dilation<2>("Conv2D", 2, Extent<2>{2, 1});
      },
      ThrowsMessage<invalid_options>(AllOf(
          HasSubstr("Conv2D"), HasSubstr("strides"), HasSubstr("dilation_rate"),
          HasSubstr("strides=(2, 2)"), HasSubstr("dilation_rate=(2, 1)"), HasSubstr("must be 1"))));
  // One axis strided and another dilated is rejected too (Keras checks "any" on each side); the
  // message states Keras' rule, which (2, 1) with (1, 2) breaks, not a per-axis one it meets.
  EXPECT_THAT(
      [] {
        shape::check_strides_dilation<2>("Conv2D", Extent<2>{2, 1}, Extent<2>{1, 2});
      },
      ThrowsMessage<invalid_options>(AllOf(
          HasSubstr("strides=(2, 1)"), HasSubstr("dilation_rate=(1, 2)"),
          HasSubstr("either every stride must be 1 or every dilation rate must be 1"),
          testing::Not(HasSubstr("on every axis;")))));
}

TEST(Validate, CheckPadding) {
  EXPECT_NO_THROW(shape::check_padding("Conv2D", Padding::valid));
  EXPECT_NO_THROW(shape::check_padding("Conv2D", Padding::same));
  EXPECT_NO_THROW(shape::check_padding("Conv1D", Padding::causal));
  EXPECT_THAT([] { shape::check_padding("Conv2DTranspose", Padding::causal); },
              ThrowsMessage<invalid_options>(AllOf(HasSubstr("Conv2DTranspose"),
                                                   HasSubstr("padding=causal"), HasSubstr("Conv1D only"),
                                                   HasSubstr("\"valid\" and \"same\" (causal"))));
  // An integer cast to Padding (as a config file can produce) is named by its value.
  EXPECT_THAT([] { shape::check_padding("Conv1D", static_cast<Padding>(7)); },
              ThrowsMessage<invalid_options>(AllOf(HasSubstr("Conv1D: invalid padding"),
                                                   HasSubstr("\"valid\", \"same\" and \"causal\""),
                                                   HasSubstr("padding=7"))));
}

TEST(Validate, CheckDataFormat) {
  EXPECT_NO_THROW(shape::check_data_format("Conv2D", DataFormat::channels_first));
  EXPECT_THAT([] { shape::check_data_format("SeparableConv1D", static_cast<DataFormat>(-1)); },
              ThrowsMessage<invalid_options>(AllOf(HasSubstr("SeparableConv1D: invalid data_format"),
                                                   HasSubstr("\"channels_last\" and \"channels_first\""),
                                                   HasSubstr("data_format=-1"))));
}

TEST(Validate, CheckOutputPadding) {
  EXPECT_NO_THROW(shape::check_output_padding<2>("Conv2DTranspose", std::nullopt, 2));
  EXPECT_NO_THROW(shape::check_output_padding<2>("Conv2DTranspose", Extent<2>{1, 0}, 2));
  EXPECT_NO_THROW(
      shape::check_output_padding<3>("Conv3DTranspose", Extent<3>{0, 2, 0}, Extent<3>{1, 3, 1}));
  // op == stride (Keras 2.2's ValueError) and op < 0 (tf.keras 2.7+).
  EXPECT_THAT(
      [] {
        shape::check_output_padding<2>("Conv2DTranspose", Extent<2>{2, 0}, 2);
      },
      ThrowsMessage<invalid_options>(
          AllOf(HasSubstr("Conv2DTranspose"), HasSubstr("output_padding"),
                HasSubstr("smaller than the stride"), HasSubstr("output_padding=(2, 0)"),
                HasSubstr("strides=(2, 2)"))));
  EXPECT_THAT(
      [] {
        shape::check_output_padding<2>("Conv2DTranspose", Extent<2>{0, -1}, 2);
      },
      ThrowsMessage<invalid_options>(
          AllOf(HasSubstr(">= 0"), HasSubstr("output_padding=(0, -1)"))));
  EXPECT_THAT(
      [] {
        shape::check_output_padding<3>("Conv3DTranspose", 1, Extent<3>{2, 2, 1});
      },
      ThrowsMessage<invalid_options>(HasSubstr("strides=(2, 2, 1)")));
}

TEST(Validate, CheckDivisible) {
  EXPECT_NO_THROW(shape::check_divisible("Conv2D", "input channels", 32, "groups", 4));
  EXPECT_THAT([] { shape::check_divisible("Conv2D", "input channels", 30, "groups", 4); },
              ThrowsMessage<invalid_options>(
                  AllOf(HasSubstr("Conv2D"), HasSubstr("input channels (30)"),
                        HasSubstr("divisible by groups (4)"), HasSubstr("received groups=4"))));
  EXPECT_THAT([] { shape::check_divisible("Conv2D", "filters", 8, "groups", 0); },
              ThrowsMessage<invalid_options>(HasSubstr("groups=0")));
}

TEST(Validate, CheckChannels) {
  EXPECT_NO_THROW(
      shape::check_channels("Conv2D", Dims<4>{1, 5, 5, 3}, DataFormat::channels_last, 3));
  EXPECT_NO_THROW(
      shape::check_channels("Conv2D", Dims<4>{1, 3, 5, 7}, DataFormat::channels_first, 3));
  EXPECT_THAT(
      [] {
        shape::check_channels("Conv2D", Dims<4>{1, 5, 5, 3}, DataFormat::channels_last, 4);
      },
      ThrowsMessage<shape_mismatch>(AllOf(
          HasSubstr("Conv2D"), HasSubstr("input channels (3)"), HasSubstr("4 expected on axis 3"),
          HasSubstr("input shape (1, 5, 5, 3)"), HasSubstr("data_format=channels_last"))));
  EXPECT_THAT(
      [] {
        shape::check_channels("Conv1D", Dims<3>{2, 6, 9}, DataFormat::channels_first, 4);
      },
      ThrowsMessage<shape_mismatch>(AllOf(HasSubstr("input channels (6)"),
                                          HasSubstr("4 expected on axis 1"),
                                          HasSubstr("data_format=channels_first"))));
}

TEST(Validate, CheckNonEmpty) {
  EXPECT_NO_THROW(shape::check_non_empty("Conv2D", Dims<4>{1, 1, 1, 1}, DataFormat::channels_last));
  EXPECT_THAT(
      [] {
        shape::check_non_empty("Conv2D", Dims<4>{1, 0, 5, 3}, DataFormat::channels_last);
      },
      ThrowsMessage<shape_mismatch>(
          AllOf(HasSubstr("Conv2D"), HasSubstr("empty axis"), HasSubstr("(1, 0, 5, 3)"))));
  EXPECT_THAT(
      [] {
        shape::check_non_empty("Cropping3D", Dims<5>{0, 1, 2, 2, 2}, DataFormat::channels_first);
      },
      ThrowsMessage<shape_mismatch>(AllOf(HasSubstr("Cropping3D"), HasSubstr("channels_first"))));
}

TEST(Validate, CheckOutputNonEmpty) {
  const Dims<4> input{1, 5, 2, 3};
  const Dims<4> output =
      shape::conv_output_shape<2>(input, DataFormat::channels_last, 3, 1, 1, Padding::valid, 8);
  EXPECT_EQ(output, (Dims<4>{1, 3, 0, 8}));
  EXPECT_NO_THROW(shape::check_output_non_empty<2>("Conv2D", input, Dims<4>{1, 3, 1, 8},
                                                   DataFormat::channels_last, "rule"));
  EXPECT_THAT(
      [&] {
        shape::check_output_non_empty<2>("Conv2D", input, output, DataFormat::channels_last,
                                         "valid padding needs input >= effective kernel");
      },
      ThrowsMessage<shape_mismatch>(
          AllOf(HasSubstr("Conv2D"), HasSubstr("empty on spatial axis 1 (0)"),
                HasSubstr("valid padding needs input >= effective kernel"),
                HasSubstr("input shape (1, 5, 2, 3)"), HasSubstr("output shape (1, 3, 0, 8)"))));
  // channels_first: the batch and channel axes never count as spatial.
  EXPECT_NO_THROW(shape::check_output_non_empty<1>("Conv1D", Dims<3>{1, 4, 5}, Dims<3>{1, 0, 3},
                                                   DataFormat::channels_first, "rule"));
  EXPECT_THAT(
      [] {
        shape::check_output_non_empty<1>("Cropping1D", Dims<3>{1, 4, 2}, Dims<3>{1, 4, 0},
                                         DataFormat::channels_first, "cropping leaves nothing");
      },
      ThrowsMessage<shape_mismatch>(
          AllOf(HasSubstr("spatial axis 0"), HasSubstr("cropping leaves nothing"))));
}

TEST(Validate, CheckWeightShape) {
  EXPECT_NO_THROW(
      shape::check_weight_shape("Conv2D", "kernel", Dims<4>{3, 3, 4, 8}, Dims<4>{3, 3, 4, 8}));
  EXPECT_THAT(
      [] {
        shape::check_weight_shape("Conv2D", "kernel", Dims<4>{3, 3, 2, 8}, Dims<4>{3, 3, 4, 8});
      },
      ThrowsMessage<shape_mismatch>(AllOf(HasSubstr("Conv2D"),
                                          HasSubstr("kernel has shape (3, 3, 2, 8)"),
                                          HasSubstr("expects (3, 3, 4, 8)"))));
  EXPECT_THAT(
      [] { shape::check_weight_shape("Conv2D", "bias", Dims<1>{7}, Dims<1>{8}, "(filters)"); },
      ThrowsMessage<shape_mismatch>(HasSubstr("bias has shape (7) but the layer expects (8) (filters)")));
  EXPECT_THAT([] { shape::check_bias("Conv2D", Dims<1>{8}, false, 8, "(filters)"); },
              ThrowsMessage<shape_mismatch>(HasSubstr("use_bias=false")));
  EXPECT_NO_THROW(shape::check_bias("Conv2D", Dims<1>{0}, false, 8, "(filters)"));
}

// The expected kernel shape comes from the options, with the input-channel axis (free at
// construction) by name, never from the received kernel; PyTorch's layouts get a hint.
TEST(Validate, ConvKernelLayout) {
  EXPECT_NO_THROW(shape::check_conv_kernel<2>("Conv2D", Dims<4>{3, 3, 16, 32}, 3, 32, 1));
  EXPECT_NO_THROW(shape::check_conv_kernel<2>("Conv2D", Dims<4>{3, 3, 1, 32}, 3, 32, 4));
  // PyTorch's Conv2d weight (out, in, kh, kw).
  EXPECT_THAT([] { shape::check_conv_kernel<2>("Conv2D", Dims<4>{32, 16, 3, 3}, 3, 32, 1); },
              ThrowsMessage<shape_mismatch>(AllOf(
                  HasSubstr("Conv2D: kernel has shape (32, 16, 3, 3) but the layer expects (3, 3, C, 32)"),
                  HasSubstr("PyTorch"), HasSubstr("kernel.shuffle(Eigen::array<int, 4>{2, 3, 1, 0})"),
                  HasSubstr("transpose(2, 3, 1, 0)"), testing::Not(HasSubstr("reshape")))));
  EXPECT_THAT([] { shape::check_conv_kernel<1>("Conv1D", Dims<3>{8, 2, 5}, 5, 8, 2); },
              ThrowsMessage<shape_mismatch>(AllOf(HasSubstr("expects (5, C/groups, 8)"),
                                                  HasSubstr("Eigen::array<int, 3>{2, 1, 0}"))));
  // Other orders of valid extents, and plain wrong shapes (no hint).
  EXPECT_THAT([] { shape::check_conv_kernel<2>("Conv2D", Dims<4>{3, 16, 3, 32}, 3, 32, 1); },
              ThrowsMessage<shape_mismatch>(AllOf(HasSubstr("another order"), testing::Not(HasSubstr("PyTorch")))));
  EXPECT_THAT([] { shape::check_conv_kernel<2>("Conv2D", Dims<4>{3, 3, 0, 32}, 3, 32, 1); },
              ThrowsMessage<shape_mismatch>(AllOf(HasSubstr("with any C >= 1"), testing::Not(HasSubstr("order")))));
}

TEST(Validate, OtherKernelLayouts) {
  // PyTorch's ConvTranspose2d weight (in, out, kh, kw).
  EXPECT_NO_THROW(shape::check_conv_transpose_kernel<2>("Conv2DTranspose", Dims<4>{2, 2, 8, 5}, 2, 8));
  EXPECT_THAT([] { shape::check_conv_transpose_kernel<2>("Conv2DTranspose", Dims<4>{5, 8, 2, 2}, 2, 8); },
              ThrowsMessage<shape_mismatch>(AllOf(HasSubstr("expects (2, 2, 8, C)"), HasSubstr("PyTorch"),
                                                  HasSubstr("{2, 3, 1, 0}"))));
  // PyTorch's depthwise Conv2d weight (C*M, 1, kh, kw): reorder, then reshape to (kh, kw, C, M).
  EXPECT_NO_THROW(shape::check_depthwise_kernel<2>("DepthwiseConv2D", Dims<4>{3, 3, 16, 2}, 3, 2));
  EXPECT_THAT([] { shape::check_depthwise_kernel<2>("DepthwiseConv2D", Dims<4>{32, 1, 3, 3}, 3, 2); },
              ThrowsMessage<shape_mismatch>(AllOf(HasSubstr("expects (3, 3, C, 2)"),
                                                  HasSubstr("depthwise_kernel.shuffle(Eigen::array<int, 4>{2, 3, 1, 0})"),
                                                  HasSubstr("then reshape it to (3, 3, 16, 2)"))));
  // Reordered, PyTorch's (C*M, 1, k) is (k, 1, C*M): the same values as Keras' (k, C, M).
  EXPECT_THAT([] { shape::check_depthwise_kernel<1>("DepthwiseConv1D", Dims<3>{6, 1, 3}, 3, 1); },
              ThrowsMessage<shape_mismatch>(AllOf(HasSubstr("{2, 1, 0}"), HasSubstr("then reshape it to (3, 6, 1)"))));
  // 1x1 pointwise kernel: (filters, C*M, 1, 1) in PyTorch.
  EXPECT_NO_THROW(shape::check_pointwise_kernel<2>("SeparableConv2D", Dims<4>{1, 1, 12, 7}, 12, 7));
  EXPECT_THAT([] { shape::check_pointwise_kernel<2>("SeparableConv2D", Dims<4>{7, 12, 1, 1}, 12, 7); },
              ThrowsMessage<shape_mismatch>(AllOf(HasSubstr("pointwise_kernel has shape (7, 12, 1, 1)"),
                                                  HasSubstr("expects (1, 1, 12, 7)"), HasSubstr("PyTorch"))));
}

}  // namespace
