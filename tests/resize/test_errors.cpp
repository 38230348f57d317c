// Every bad argument of the reshaping layers, tested for its exception type and message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include <ktl/layers/cropping.hpp>
#include <ktl/layers/up_sampling.hpp>
#include <ktl/layers/zero_padding.hpp>

namespace {

using ktl::Dims;
using ktl::Index;
using ktl::Pair;
using testing::AllOf;
using testing::HasSubstr;
using testing::ThrowsMessage;

TEST(ResizeErrors, NegativeCropping) {
  ktl::Cropping2DOptions o;
  o.cropping = {Pair{1, -1}, Pair{0, 0}};
  EXPECT_THAT([&] { ktl::Cropping2D c(o); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("Cropping2D"), HasSubstr("cropping"),
                                                        HasSubstr("((1, -1), (0, 0))"), HasSubstr(">= 0"))));
  EXPECT_THAT([] { ktl::Cropping1D c({-2}); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("Cropping1D"), HasSubstr("cropping"))));
  EXPECT_THAT([] { ktl::Cropping3D c({{0, 0, -1}}); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("Cropping3D"), HasSubstr("cropping"))));
}

TEST(ResizeErrors, CroppingThatLeavesAnAxisEmpty) {
  ktl::Cropping2DOptions o;
  o.cropping = {Pair{0, 0}, Pair{2, 2}};
  const ktl::Cropping2D crop(o);
  EXPECT_THAT([&] { (void)crop.output_shape({1, 5, 4, 3}); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("Cropping2D"), HasSubstr("spatial axis 1"),
                                                       HasSubstr("input length is 4"), HasSubstr("(2, 2)"),
                                                       HasSubstr("sum to 4"))));
  o.data_format = ktl::DataFormat::channels_first;
  const ktl::Cropping2D crop_first(o);
  ktl::Tensor<float, 4> x(1, 3, 5, 4);
  x.setZero();
  EXPECT_THAT([&] { (void)crop_first(x); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("tensor axis 3"), HasSubstr("input length is 4"))));
  const ktl::Cropping1D crop1({{3, 2}});
  EXPECT_THAT([&] { (void)crop1.output_shape({1, 5, 1}); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("spatial axis 0"), HasSubstr("input length is 5"))));
  EXPECT_NO_THROW((void)crop1.output_shape({1, 6, 1}));
}

TEST(ResizeErrors, NegativePadding) {
  EXPECT_THAT([] { ktl::ZeroPadding1D z({{0, -1}}); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("ZeroPadding1D"), HasSubstr("padding"),
                                                        HasSubstr(">= 0"))));
  EXPECT_THAT([] { ktl::ZeroPadding2D z({-1}); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("ZeroPadding2D"), HasSubstr("padding=((-1, -1)"))));
  ktl::ZeroPadding3DOptions o;
  o.padding = {Pair{0, 0}, Pair{-3, 1}, Pair{0, 0}};
  EXPECT_THAT([&] { ktl::ZeroPadding3D z(o); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("ZeroPadding3D"), HasSubstr("(-3, 1)"))));
}

TEST(ResizeErrors, SizeBelowOne) {
  EXPECT_THAT([] { ktl::UpSampling1D u({0}); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("UpSampling1D"), HasSubstr("size=(0)"),
                                                        HasSubstr(">= 1"))));
  EXPECT_THAT([] { ktl::UpSampling2D u({{2, -1}}); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("UpSampling2D"), HasSubstr("size=(2, -1)"))));
  EXPECT_THAT([] { ktl::UpSampling3D u({{1, 0, 1}}); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("UpSampling3D"), HasSubstr("size"))));
}

TEST(ResizeErrors, Interpolation) {
  ktl::UpSampling2DOptions o;
  o.interpolation = static_cast<ktl::Interpolation>(7);
  EXPECT_THAT([&] { ktl::UpSampling2D u(o); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("UpSampling2D"), HasSubstr("interpolation=7"),
                                                        HasSubstr("\"nearest\" and \"bilinear\""))));
  EXPECT_THAT([] { (void)ktl::parse_interpolation("bicubic", "UpSampling2D"); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("UpSampling2D"), HasSubstr("interpolation"),
                                                        HasSubstr("\"bicubic\""))));
  EXPECT_EQ(ktl::parse_interpolation("Bilinear"), ktl::Interpolation::bilinear);
  o.interpolation = ktl::Interpolation::bilinear;
  o.bilinear_mapping = static_cast<ktl::BilinearMapping>(5);
  EXPECT_THAT([&] { ktl::UpSampling2D u(o); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("bilinear_mapping=5"), HasSubstr("half_pixel"))));
  EXPECT_THAT([] { (void)ktl::parse_bilinear_mapping("align_corners"); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("bilinear_mapping"), HasSubstr("\"align_corners\""))));
}

TEST(ResizeErrors, DataFormat) {
  ktl::Cropping2DOptions c;
  c.data_format = static_cast<ktl::DataFormat>(3);
  EXPECT_THAT([&] { ktl::Cropping2D l(c); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("Cropping2D"), HasSubstr("data_format=3"))));
  ktl::ZeroPadding3DOptions z;
  z.data_format = static_cast<ktl::DataFormat>(3);
  EXPECT_THAT([&] { ktl::ZeroPadding3D l(z); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("ZeroPadding3D"), HasSubstr("data_format"))));
  ktl::UpSampling3DOptions u;
  u.data_format = static_cast<ktl::DataFormat>(3);
  EXPECT_THAT([&] { ktl::UpSampling3D l(u); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("UpSampling3D"), HasSubstr("data_format"))));
  EXPECT_THAT([] { (void)ktl::parse_data_format("nchw", "Cropping2D"); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("data_format"), HasSubstr("\"nchw\""))));
}

TEST(ResizeErrors, EmptyInputAxis) {
  EXPECT_THAT([] { (void)ktl::ZeroPadding2D().output_shape({1, 0, 3, 2}); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("ZeroPadding2D"), HasSubstr("empty axis"),
                                                       HasSubstr("(1, 0, 3, 2)"))));
  EXPECT_THAT([] { (void)ktl::UpSampling1D().output_shape({1, 4, 0}); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("UpSampling1D"), HasSubstr("empty axis"))));
  EXPECT_THAT([] { (void)ktl::Cropping3D().output_shape({0, 4, 4, 4, 1}); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("Cropping3D"), HasSubstr("empty axis"))));
}

TEST(ResizeErrors, WrongOutputView) {
  ktl::Tensor<float, 4> x(1, 2, 2, 1), y(1, 4, 5, 1);
  x.setZero();
  ktl::Workspace ws;
  const ktl::ThreadPool pool(1);
  EXPECT_THAT([&] { ktl::UpSampling2D().forward(ktl::view(x), ktl::mutable_view(y), ws, pool); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("UpSampling2D"), HasSubstr("output view has shape (1, 4, 5, 1)"),
                                                       HasSubstr("(1, 4, 4, 1)"))));
  EXPECT_THAT([&] { ktl::ZeroPadding2D().forward(ktl::view(x), ktl::mutable_view(y)); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("ZeroPadding2D"), HasSubstr("output view"))));
  ktl::Tensor<float, 3> x1(1, 5, 1), y1(1, 2, 1);
  x1.setZero();
  EXPECT_THAT([&] { ktl::Cropping1D().forward(ktl::view(x1), ktl::mutable_view(y1)); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("Cropping1D"), HasSubstr("(1, 3, 1)"))));
}

// Issue 10 §2: amounts and factors a config file can carry that overflow Index.
TEST(ResizeErrors, SizesBeyondIndex) {
  constexpr Index max = std::numeric_limits<Index>::max();
  constexpr Index p62 = Index{1} << 62;
  // 4 * (2^62 + 1) wrapped to 4: a (1, 4, 1) output that repeat_vectors overflowed.
  const ktl::UpSampling1D up({p62 + 1});
  ktl::Tensor<float, 3> x(1, 4, 1);
  x.setZero();
  EXPECT_THAT([&] { (void)up.output_shape({1, 4, 1}); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("UpSampling1D"), HasSubstr("size=4611686018427387905"),
                                                       HasSubstr("input length=4"), HasSubstr("overflows Index"))));
  EXPECT_THROW((void)up(x), ktl::shape_mismatch);
  ktl::Tensor<float, 3> y(1, 4, 1);
  EXPECT_THROW(up.forward(ktl::view(x), ktl::mutable_view(y)), ktl::shape_mismatch);
  EXPECT_EQ(up.output_shape({1, 1, 1}), (Dims<3>{1, p62 + 1, 1}));
  // Every length fits, the element count does not.
  const ktl::UpSampling3D up3({{Index{1} << 21, Index{1} << 21, Index{1} << 21}});
  EXPECT_THAT([&] { (void)up3.output_shape({1, 2, 2, 2, 1}); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("UpSampling3D"), HasSubstr("more elements than Index"),
                                                       HasSubstr("input shape (1, 2, 2, 2, 1)"))));
  // (2^63-1, 2^63-1) gave a (1, 1, 1) output for 3 steps.
  EXPECT_THAT([&] { ktl::ZeroPadding1D l({{max, max}}); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("ZeroPadding1D"), HasSubstr("padding"),
                                                        HasSubstr("(9223372036854775807, 9223372036854775807)"))));
  const ktl::ZeroPadding2D pad({{Pair{max - 1, 0}, Pair{0, 0}}});
  EXPECT_EQ(pad.output_shape({1, 1, 1, 1}), (Dims<4>{1, max, 1, 1}));
  EXPECT_THAT([&] { (void)pad.output_shape({1, 2, 1, 1}); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("ZeroPadding2D"), HasSubstr("padding="),
                                                       HasSubstr("input length=2"))));
  // Cropping amounts whose sum wrapped to a negative crop (an output larger than the input).
  EXPECT_THAT([&] { ktl::Cropping1D l({{max, max}}); },
              ThrowsMessage<ktl::invalid_options>(AllOf(HasSubstr("Cropping1D"), HasSubstr("cropping"),
                                                        HasSubstr("sum to at most"))));
  const ktl::Cropping1D crop({{max - 1, 1}});
  EXPECT_THAT([&] { (void)crop.output_shape({1, 3, 1}); },
              ThrowsMessage<ktl::shape_mismatch>(AllOf(HasSubstr("Cropping1D"), HasSubstr("leaves spatial axis 0"))));
}

}  // namespace
