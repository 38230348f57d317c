// Checked size arithmetic (shape/checked.hpp) and the overflow behaviour of every shape function
// built on it (issue 10 §2): a result that does not fit Index throws invalid_options (option
// values alone) or shape_mismatch (with an input length) naming the layer and the argument, and
// lengths that do fit come out exact even next to INT64_MAX.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <ktl/shape/checked.hpp>
#include <ktl/shape/conv_shape.hpp>
#include <ktl/shape/resize_shape.hpp>
#include <ktl/shape/validate.hpp>
#include <limits>
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
using ktl::shape::Checked;
using testing::AllOf;
using testing::HasSubstr;
using testing::ThrowsMessage;
namespace shape = ktl::shape;

constexpr Index max = std::numeric_limits<Index>::max();
constexpr Index min = std::numeric_limits<Index>::min();
constexpr Index p62 = Index{1} << 62;
constexpr DataFormat last = DataFormat::channels_last;

// ---------------------------------------------------------------------------------------------
// Checked: every sign case of +, - and *, at compile time.

static_assert((Checked(max - 1) + 1).ok() && (Checked(max - 1) + 1).value() == max);
static_assert(!(Checked(max) + 1).ok() && !(Checked(1) + max).ok());
static_assert((Checked(min) + max).value() == -1 && !(Checked(min) + -1).ok());
static_assert((Checked(-1) - max).value() == min && !(Checked(-2) - max).ok());
static_assert(!(Checked(0) - min).ok() && (Checked(-1) - min).value() == max);
static_assert((Checked(p62) * 1).value() == p62 && !(Checked(p62) * 2).ok());
static_assert((Checked(-p62) * 2).value() == min && !(Checked(-p62) * -2).ok());
static_assert(!(Checked(3) * (max / 2)).ok() && (Checked(2) * (max / 2)).value() == max - 1);
static_assert(!(Checked(-1) * min).ok() && !(Checked(min) * -1).ok() && (Checked(min) * 1).ok());
static_assert((Checked(0) * min).value() == 0 && (Checked(max) * 0).value() == 0);
// Overflow sticks through later steps, even ones that would bring the value back in range.
static_assert(!((Checked(max) + 1) - 2).ok() && !((Checked(max) * 2) * 0).ok());
static_assert(shape::checked_element_count(Dims<4>{2, 3, 4, 5}).value() == 120);
static_assert(!shape::checked_element_count(Dims<3>{Index{1} << 31, Index{1} << 31, 4}).ok());
static_assert(shape::checked_element_count(Dims<3>{Index{1} << 31, Index{1} << 31, 0}).ok());

// ceil_div is exact next to INT64_MAX (it was (a + b - 1) / b).
static_assert(shape::ceil_div(5, 2) == 3 && shape::ceil_div(6, 3) == 2 && shape::ceil_div(0, 7) == 0);
static_assert(shape::ceil_div(1, max) == 1 && shape::ceil_div(max, max) == 1);
static_assert(shape::ceil_div(max, 2) == p62 && shape::ceil_div(max - 1, 1) == max - 1);

// 'same' with a stride near INT64_MAX: one output, no padding beyond the kernel's.
static_assert(shape::conv_output_length(5, 3, max, 1, Padding::same) == 1);
static_assert(shape::conv_output_length(max, 1, max - 1, 1, Padding::same) == 2);
static_assert(shape::same_padding(5, 3, max, 1) == shape::Pads{0, 0});
static_assert(shape::same_padding(2, 5, max, 1) == shape::Pads{1, 2});
static_assert(shape::conv_output_length(max, 1, max, 1, Padding::valid) == 1);
// The largest effective kernel that fits, and a transposed length that lands on INT64_MAX.
static_assert(shape::effective_kernel(2, max - 1) == max);
static_assert(shape::conv_transpose_output_length(1, 2, 1, max - 1, Padding::valid, std::nullopt) == max);
// A huge stride with output_padding and one input: a short output (no product with the stride).
static_assert(shape::conv_transpose_output_length(1, 3, Index{1} << 61, 1, Padding::same, 2) == 3);
static_assert(shape::conv_transpose_before(1, 3, 3, Index{1} << 61, 1, Padding::same) == 0);

// ---------------------------------------------------------------------------------------------
// Each overflow throws the right type naming the layer and the argument.

TEST(CheckedShape, EffectiveKernelOverflowIsAnOptionError) {
  EXPECT_THAT([] { (void)shape::effective_kernel(3, p62, "Conv2D"); },
              ThrowsMessage<invalid_options>(AllOf(
                  HasSubstr("Conv2D"), HasSubstr("dilation_rate=4611686018427387904"),
                  HasSubstr("kernel_size=3"), HasSubstr("overflows Index"))));
  // Every function that needs the effective kernel reports it the same way.
  EXPECT_THROW((void)shape::conv_output_length(10, 3, 1, p62, Padding::valid), invalid_options);
  EXPECT_THROW((void)shape::same_padding(10, 3, 1, p62), invalid_options);
  EXPECT_THROW((void)shape::causal_padding(3, p62), invalid_options);
  EXPECT_THROW((void)shape::conv_transpose_output_length(1, 3, 1, p62, Padding::same, 0),
               invalid_options);
  // The shared constructor check reports the axis' values.
  EXPECT_THAT([] { shape::check_effective_kernel<2>("SeparableConv2D", {3, 3}, {1, p62}); },
              ThrowsMessage<invalid_options>(
                  AllOf(HasSubstr("SeparableConv2D"), HasSubstr("dilation_rate"))));
  EXPECT_NO_THROW(shape::check_effective_kernel<2>("Conv2D", {2, 3}, {max - 1, 1}));
}

TEST(CheckedShape, PaddedInputLengthOverflow) {
  // same / causal pad up to K - 1 zeros: input + K - 1 must fit (valid never pads).
  EXPECT_EQ(shape::conv_output_length(1, 2, 1, max - 1, Padding::same), 1);
  EXPECT_THAT([] { (void)shape::conv_output_length(2, 2, 1, max - 1, Padding::same, "Conv1D"); },
              ThrowsMessage<shape_mismatch>(AllOf(HasSubstr("Conv1D"), HasSubstr("zero-padded"),
                                                  HasSubstr("dilation_rate="),
                                                  HasSubstr("input length=2"))));
  EXPECT_THROW((void)shape::conv_output_length(2, 2, 1, max - 1, Padding::causal), shape_mismatch);
  EXPECT_EQ(shape::conv_output_length(2, 2, 1, max - 1, Padding::valid), 0);
}

TEST(CheckedShape, TransposedLengthOverflowNamesStrides) {
  for (const auto& op : {std::optional<Index>{}, std::optional<Index>{0}})
    for (Padding p : {Padding::valid, Padding::same})
      EXPECT_THAT(
          [&] { (void)shape::conv_transpose_output_length(3, 3, p62, 1, p, op, "Conv2DTranspose"); },
          ThrowsMessage<shape_mismatch>(AllOf(HasSubstr("Conv2DTranspose"),
                                              HasSubstr("strides=4611686018427387904"),
                                              HasSubstr("input length=3"))));
  // in * s fits but the scatter extent (in-1)*s + K does not.
  EXPECT_THROW((void)shape::conv_transpose_output_length(2, 2, max / 2, p62, Padding::same, std::nullopt),
               shape_mismatch);
  EXPECT_THROW((void)shape::conv_transpose_before(3, 5, 3, p62, 1, Padding::same), shape_mismatch);
  EXPECT_EQ(shape::conv_transpose_output_length(1, 3, p62, 1, Padding::same, std::nullopt), p62);
}

TEST(CheckedShape, ReshapingLengths) {
  EXPECT_THAT([] { (void)shape::pad_length(1, Pair{max, max}, "ZeroPadding1D"); },
              ThrowsMessage<invalid_options>(AllOf(HasSubstr("ZeroPadding1D"),
                                                   HasSubstr("padding=(9223372036854775807, "
                                                             "9223372036854775807)"))));
  EXPECT_THAT([] { (void)shape::pad_length(2, Pair{max - 1, 0}, "ZeroPadding2D"); },
              ThrowsMessage<shape_mismatch>(AllOf(HasSubstr("ZeroPadding2D"), HasSubstr("padding="),
                                                  HasSubstr("input length=2"))));
  EXPECT_EQ(shape::pad_length(1, Pair{max - 1, 0}), max);
  EXPECT_THAT([] { (void)shape::crop_length(5, Pair{max, 1}, "Cropping1D"); },
              ThrowsMessage<invalid_options>(AllOf(HasSubstr("Cropping1D"), HasSubstr("cropping="))));
  EXPECT_EQ(shape::crop_length(5, Pair{max - 1, 1}), 5 - max);  // < 1: the layer reports it
  EXPECT_THAT([] { (void)shape::upsample_length(4, p62 + 1, "UpSampling2D"); },
              ThrowsMessage<shape_mismatch>(AllOf(HasSubstr("UpSampling2D"),
                                                  HasSubstr("size=4611686018427387905"),
                                                  HasSubstr("input length=4"))));
  EXPECT_EQ(shape::upsample_length(1, max), max);
  EXPECT_THAT([] { shape::check_amount_sums<2>("ZeroPadding2D", "padding", {1, Pair{max, 1}}); },
              ThrowsMessage<invalid_options>(AllOf(HasSubstr("ZeroPadding2D"), HasSubstr("padding="),
                                                   HasSubstr("sum to at most"))));
  EXPECT_NO_THROW(shape::check_amount_sums<2>("Cropping2D", "cropping", {1, Pair{max - 1, 1}}));
}

TEST(CheckedShape, WholeShapesRejectElementCountsBeyondIndex) {
  // Every length fits, their product does not.
  const Index big = Index{1} << 22;
  EXPECT_THAT(
      [&] { (void)shape::upsampling_output_shape<3>(Dims<5>{1, 2, 2, 2, 1}, last, {big, big, big}, "UpSampling3D"); },
      ThrowsMessage<shape_mismatch>(AllOf(HasSubstr("UpSampling3D"), HasSubstr("output shape (1, 8388608, 8388608, 8388608, 1)"),
                                          HasSubstr("more elements than Index"),
                                          HasSubstr("input shape (1, 2, 2, 2, 1)"))));
  EXPECT_THROW((void)shape::zero_padding_output_shape<2>(Dims<4>{4, 2, 2, 1}, last, {Index{1} << 31, Index{1} << 31}),
               shape_mismatch);
  EXPECT_THROW((void)shape::conv_transpose_output_shape<2>(Dims<4>{1, 2, 2, 1}, last, 1, Index{1} << 31, 1,
                                                           Padding::same, std::nullopt, 4),
               shape_mismatch);
  EXPECT_THROW((void)shape::conv_output_shape<1>(Dims<3>{1, 4, 3}, last, 1, 1, 1, Padding::valid, max),
               shape_mismatch);
  // An input shape that no tensor can have.
  EXPECT_THAT([] { (void)shape::conv_output_shape<1>(Dims<3>{p62, 4, 3}, last, 4, 1, 1, Padding::valid, 1, "Conv1D"); },
              ThrowsMessage<shape_mismatch>(AllOf(HasSubstr("Conv1D"), HasSubstr("input shape (4611686018427387904, 4, 3)"))));
  EXPECT_THROW((void)shape::cropping_output_shape<1>(Dims<3>{p62, 4, 3}, last, 1), shape_mismatch);
  // Shapes at the limit still come out.
  EXPECT_EQ((shape::upsampling_output_shape<1>(Dims<3>{1, 1, 1}, last, max)), (Dims<3>{1, max, 1}));
}

}  // namespace
