// Error messages: one format, "<Layer>: <what>; <rule>; received <arg>=<value>".
#include <array>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ktl/core/error.hpp>
#include <ktl/core/types.hpp>

namespace {

using testing::HasSubstr;
using testing::ThrowsMessage;

TEST(Errors, ExceptionTypesDeriveFromInvalidArgument) {
  static_assert(std::is_base_of_v<std::invalid_argument, ktl::invalid_options>);
  static_assert(std::is_base_of_v<std::invalid_argument, ktl::shape_mismatch>);
}

TEST(Errors, RaiseArgumentNamesLayerArgumentValueAndRule) {
  try {
    ktl::detail::raise_argument("Conv2D", "strides", std::array<ktl::Index, 2>{0, 1},
                                "every entry must be >= 1");
    FAIL() << "no exception";
  } catch (const ktl::invalid_options& e) {
    EXPECT_STREQ(e.what(),
                 "Conv2D: invalid strides; every entry must be >= 1; received strides=(0, 1)");
  }
}

TEST(Errors, ShapesPrintAsTuples) {
  EXPECT_EQ(ktl::detail::format_dims(std::array<ktl::Index, 4>{1, 28, 28, 30}), "(1, 28, 28, 30)");
}

TEST(Parsing, PaddingIsCaseInsensitive) {
  EXPECT_EQ(ktl::parse_padding("SAME"), ktl::Padding::same);
  EXPECT_EQ(ktl::parse_padding("Valid"), ktl::Padding::valid);
  EXPECT_EQ(ktl::parse_padding("causal"), ktl::Padding::causal);
  EXPECT_THAT([] { ktl::parse_padding("full", "Conv2D"); },
              ThrowsMessage<ktl::invalid_options>(
                  testing::AllOf(HasSubstr("Conv2D"), HasSubstr("padding"), HasSubstr("\"full\""),
                                 HasSubstr("\"valid\""))));
}

TEST(Parsing, DataFormatAndInterpolation) {
  EXPECT_EQ(ktl::parse_data_format("Channels_First"), ktl::DataFormat::channels_first);
  EXPECT_EQ(ktl::parse_interpolation("BILINEAR"), ktl::Interpolation::bilinear);
  EXPECT_THAT([] { ktl::parse_data_format("nchw", "Conv2D"); },
              ThrowsMessage<ktl::invalid_options>(HasSubstr("data_format")));
  EXPECT_THAT([] { ktl::parse_interpolation("bicubic", "UpSampling2D"); },
              ThrowsMessage<ktl::invalid_options>(HasSubstr("interpolation")));
}

TEST(Types, ExtentAndPadPairsTakeKerasForms) {
  constexpr ktl::Extent<2> all = 3;
  static_assert(all[0] == 3 && all[1] == 3);
  constexpr ktl::Extent<3> each = {1, 2, 3};
  static_assert(each[2] == 3);
  constexpr ktl::PadPairs<2> sym = {2, 3};
  static_assert(sym[0] == ktl::Pair(2, 2) && sym[1] == ktl::Pair(3, 3));
  constexpr ktl::PadPairs<2> mixed = {1, ktl::Pair{2, 3}};
  static_assert(mixed[1].before == 2 && mixed[1].after == 3);
  constexpr ktl::PadPairs<1> one = {1, 2};
  static_assert(one[0].before == 1 && one[0].after == 2);
  constexpr ktl::PadPairs<2> pairs = {{1, 2}, {3, 4}};  // the README's and Keras' nested form
  static_assert(pairs[0] == ktl::Pair(1, 2) && pairs[1] == ktl::Pair(3, 4));
  constexpr ktl::PadPairs<3> braced = {1, {2, 3}, 4};
  static_assert(braced[0] == ktl::Pair(1, 1) && braced[1] == ktl::Pair(2, 3) &&
                braced[2] == ktl::Pair(4, 4));
}

}  // namespace
