// Properties of the reshaping layers: crop(pad(x)) == x, nearest up-sampling of a constant is
// constant, channels_first equals channels_last after a transpose, bit-identical results for 1
// and 2 threads, agreement with plain-loop references on shapes that reach every kernel path,
// caller-provided outputs, and the shape functions.
#include <array>
#include <cstdint>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ktl/core/parallel.hpp>
#include <ktl/layers/cropping.hpp>
#include <ktl/layers/up_sampling.hpp>
#include <ktl/layers/zero_padding.hpp>

#include "ktl_test/compare.hpp"
#include "resize_test_util.hpp"

namespace {

using ktl::DataFormat;
using ktl::Dims;
using ktl::Index;
using ktl::test::check_both_formats;
using ktl::test::random_tensor;
using ktl::test::tensors_near;
using ktl::test::to_first;

constexpr DataFormat kFormats[] = {DataFormat::channels_last, DataFormat::channels_first};

// ---- crop(pad(x)) == x --------------------------------------------------------------------

template <int N>
void crop_of_pad_is_identity(const Dims<N + 2>& last_shape, const ktl::PadPairs<N>& amounts) {
  for (DataFormat f : kFormats) {
    if (N == 1 && f == DataFormat::channels_first) continue;
    const auto x0 = random_tensor<float, N + 2>(last_shape, 11);
    const ktl::Tensor<float, N + 2> x = f == DataFormat::channels_last ? x0 : to_first(x0);
    ktl::ZeroPaddingOptions<N> po;
    ktl::CroppingOptions<N> co;
    po.padding = amounts;
    co.cropping = amounts;
    if constexpr (N > 1) {
      po.data_format = f;
      co.data_format = f;
    }
    const ktl::ZeroPadding<float, N> pad(po);
    const ktl::Cropping<float, N> crop(co);
    EXPECT_TRUE(tensors_near(crop(pad(x)), x, 0.0)) << N << "D " << f;
  }
}

TEST(ResizeProperties, CroppingOfZeroPaddingIsIdentity) {
  crop_of_pad_is_identity<1>({2, 7, 3}, {2, 1});
  crop_of_pad_is_identity<2>({2, 5, 6, 3}, {ktl::Pair{1, 2}, ktl::Pair{0, 3}});
  crop_of_pad_is_identity<3>({1, 3, 4, 5, 2}, {ktl::Pair{1, 0}, ktl::Pair{2, 2}, ktl::Pair{0, 1}});
  crop_of_pad_is_identity<2>({1, 4, 4, 1}, 0);
}

// ---- up-sampling of a constant is constant ---------------------------------------------------

template <int N>
void upsampled_constant_is_constant(const Dims<N + 2>& shape, const ktl::Extent<N>& size,
                                    ktl::Interpolation interpolation) {
  for (DataFormat f : kFormats) {
    if (N == 1 && f == DataFormat::channels_first) continue;
    ktl::UpSamplingOptions<N> o;
    o.size = size;
    if constexpr (N > 1) o.data_format = f;
    if constexpr (N == 2) o.interpolation = interpolation;
    const ktl::UpSampling<float, N> up(o);
    ktl::Tensor<float, N + 2> x(shape);
    x.setConstant(0.3f);
    const auto y = up(x);
    ktl::Tensor<float, N + 2> expected(ktl::dims_of(y));
    expected.setConstant(0.3f);
    EXPECT_TRUE(tensors_near(y, expected, 0.0)) << N << "D " << f;
  }
}

TEST(ResizeProperties, NearestUpSamplingOfConstantIsConstant) {
  upsampled_constant_is_constant<1>({2, 5, 3}, 3, ktl::Interpolation::nearest);
  upsampled_constant_is_constant<2>({2, 3, 4, 5}, {2, 3}, ktl::Interpolation::nearest);
  upsampled_constant_is_constant<3>({1, 2, 3, 4, 3}, {2, 1, 3}, ktl::Interpolation::nearest);
  // and bilinear, where every blend is c + (c - c) * a = c
  upsampled_constant_is_constant<2>({2, 3, 4, 5}, {3, 2}, ktl::Interpolation::bilinear);
}

// ---- channels_first == channels_last after a transpose, and agreement with references -------
// (bilinear: test_bilinear.cpp)

template <typename S, int N>
void window_formats(const Dims<N + 2>& shape, const ktl::PadPairs<N>& amounts, std::uint32_t seed) {
  ktl::CroppingOptions<N> c;
  ktl::ZeroPaddingOptions<N> p;
  c.cropping = amounts;
  p.padding = amounts;
  const ktl::Cropping<S, N> crop_last(c);
  const ktl::ZeroPadding<S, N> pad_last(p);
  c.data_format = p.data_format = DataFormat::channels_first;
  const ktl::Cropping<S, N> crop_first(c);
  const ktl::ZeroPadding<S, N> pad_first(p);
  check_both_formats<S, N>(crop_last, crop_first, shape,
                           [&](const auto& x) { return ktl::test::reference_window<S, N>(x, amounts, 1); }, seed);
  check_both_formats<S, N>(pad_last, pad_first, shape,
                           [&](const auto& x) { return ktl::test::reference_window<S, N>(x, amounts, -1); }, seed);
}

TEST(ResizeProperties, CropAndPadChannelsFirstEqualChannelsLastAndReference) {
  window_formats<float, 2>({2, 9, 7, 5}, {ktl::Pair{1, 3}, ktl::Pair{2, 0}}, 1);
  window_formats<float, 2>({1, 6, 6, 3}, {ktl::Pair{2, 1}, ktl::Pair{0, 0}}, 2);  // rows only
  window_formats<float, 3>({2, 4, 5, 6, 3}, {ktl::Pair{1, 1}, ktl::Pair{0, 2}, ktl::Pair{1, 0}}, 3);
  window_formats<float, 3>({1, 5, 4, 4, 2}, {ktl::Pair{0, 0}, ktl::Pair{1, 2}, ktl::Pair{0, 0}}, 4);
  // long runs split into segments (run > 16384 elements)
  window_formats<float, 2>({1, 5, 9, 2100}, {ktl::Pair{1, 1}, ktl::Pair{2, 3}}, 5);
  window_formats<double, 2>({2, 7, 6, 3}, {ktl::Pair{3, 1}, ktl::Pair{1, 2}}, 6);
}

template <typename S, int N>
void nearest_formats(const Dims<N + 2>& shape, const ktl::Extent<N>& size, std::uint32_t seed) {
  ktl::UpSamplingOptions<N> o;
  o.size = size;
  const ktl::UpSampling<S, N> last(o);
  o.data_format = DataFormat::channels_first;
  const ktl::UpSampling<S, N> first(o);
  check_both_formats<S, N>(last, first, shape,
                           [&](const auto& x) { return ktl::test::reference_nearest<S, N>(x, size); }, seed);
}

TEST(ResizeProperties, NearestChannelsFirstEqualChannelsLastAndReference) {
  nearest_formats<float, 2>({2, 5, 7, 3}, {2, 2}, 1);
  nearest_formats<float, 2>({1, 4, 5, 1}, {3, 1}, 2);
  nearest_formats<float, 2>({1, 4, 5, 2}, {1, 3}, 3);
  nearest_formats<float, 2>({1, 3, 3, 2}, {1, 1}, 4);
  nearest_formats<float, 3>({2, 3, 4, 5, 3}, {2, 3, 2}, 5);
  nearest_formats<float, 3>({1, 3, 2, 4, 2}, {2, 1, 1}, 6);
  nearest_formats<float, 2>({1, 3, 150, 64}, {2, 2}, 7);  // long rows split into segments
  nearest_formats<double, 3>({1, 2, 3, 3, 2}, {2, 2, 3}, 8);
  // 1-D has no data_format: reference only
  const ktl::UpSampling1D up({3});
  const auto x = random_tensor<float, 3>({2, 5, 4}, 9);
  EXPECT_TRUE(tensors_near(up(x), ktl::test::reference_nearest<float, 1>(x, 3), 0.0));
}

// ---- 1 vs 2 threads bit-identical, caller-provided output --------------------------------------

template <typename Layer>
void threads_identical(const Layer& layer, const Dims<Layer::rank>& shape) {
  constexpr int R = Layer::rank;
  const auto x = random_tensor<float, R>(shape, 99);
  ktl::Tensor<float, R> a(layer.output_shape(shape)), b(layer.output_shape(shape));
  a.setConstant(1.0f);
  b.setConstant(-1.0f);
  ktl::Workspace ws1, ws2;
  layer.forward(ktl::view(x), ktl::mutable_view(a), ws1, ktl::ThreadPool(1));
  layer.forward(ktl::view(x), ktl::mutable_view(b), ws2, ktl::ThreadPool(2));
  EXPECT_TRUE(tensors_near(a, b, 0.0));
  EXPECT_TRUE(tensors_near(layer(x), a, 0.0));  // default pool, fresh output
  ktl::Tensor<float, R> c(layer.output_shape(shape));
  layer.forward(ktl::view(x), ktl::mutable_view(c));  // default pool, temporary workspace
  EXPECT_TRUE(tensors_near(c, a, 0.0));
}

TEST(ResizeProperties, OneAndTwoThreadsBitIdentical) {
  for (DataFormat f : kFormats) {
    ktl::UpSampling2DOptions up;
    up.data_format = f;
    up.interpolation = ktl::Interpolation::bilinear;
    threads_identical(ktl::UpSampling2D(up), Dims<4>{2, 37, 29, 24});
    up.bilinear_mapping = ktl::BilinearMapping::half_pixel;
    threads_identical(ktl::UpSampling2D(up), Dims<4>{1, 64, 70, 3});
    up.interpolation = ktl::Interpolation::nearest;
    threads_identical(ktl::UpSampling2D(up), Dims<4>{2, 30, 90, 64});
    ktl::UpSampling3DOptions up3;
    up3.data_format = f;
    threads_identical(ktl::UpSampling3D(up3), Dims<5>{1, 6, 20, 20, 16});
    ktl::ZeroPadding2DOptions zp;
    zp.data_format = f;
    zp.padding = {ktl::Pair{1, 2}, ktl::Pair{3, 0}};
    threads_identical(ktl::ZeroPadding2D(zp), Dims<4>{2, 40, 50, 32});
    ktl::Cropping3DOptions cr;
    cr.data_format = f;
    threads_identical(ktl::Cropping3D(cr), Dims<5>{2, 8, 30, 30, 8});
  }
}

// ---- shapes ----------------------------------------------------------------------------------

TEST(ResizeProperties, OutputShapes) {
  static_assert(ktl::shape::cropping_output_shape<2>({1, 4, 4, 3}, DataFormat::channels_last,
                                                     {ktl::Pair{1, 1}, ktl::Pair{0, 2}}) ==
                Dims<4>{1, 2, 2, 3});
  EXPECT_EQ(ktl::Cropping1D().output_shape({2, 7, 3}), (Dims<3>{2, 5, 3}));
  EXPECT_EQ(ktl::Cropping2D().output_shape({2, 7, 6, 3}), (Dims<4>{2, 7, 6, 3}));
  ktl::Cropping3DOptions c3;
  c3.data_format = DataFormat::channels_first;
  EXPECT_EQ(ktl::Cropping3D(c3).compute_output_shape({1, 2, 4, 5, 6}), (Dims<5>{1, 2, 2, 3, 4}));
  EXPECT_EQ(ktl::ZeroPadding1D().output_shape({2, 7, 3}), (Dims<3>{2, 9, 3}));
  ktl::ZeroPadding2DOptions z2;
  z2.padding = {ktl::Pair{1, 2}, ktl::Pair{0, 3}};
  z2.data_format = DataFormat::channels_first;
  EXPECT_EQ(ktl::ZeroPadding2D(z2).output_shape({1, 3, 4, 5}), (Dims<4>{1, 3, 7, 8}));
  EXPECT_EQ(ktl::ZeroPadding3D().output_shape({1, 2, 3, 4, 5}), (Dims<5>{1, 4, 5, 6, 5}));
  EXPECT_EQ(ktl::UpSampling1D().output_shape({2, 7, 3}), (Dims<3>{2, 14, 3}));
  EXPECT_EQ(ktl::UpSampling2D({{2, 3}}).output_shape({1, 2, 2, 4}), (Dims<4>{1, 4, 6, 4}));
  ktl::UpSampling3DOptions u3;
  u3.data_format = DataFormat::channels_first;
  u3.size = {1, 2, 3};
  EXPECT_EQ(ktl::UpSampling3D(u3).output_shape({1, 4, 2, 2, 2}), (Dims<5>{1, 4, 2, 4, 6}));
}

TEST(ResizeProperties, KerasDefaults) {
  EXPECT_EQ(ktl::Cropping1DOptions{}.cropping, ktl::PadPairs<1>(1, 1));
  EXPECT_EQ(ktl::Cropping2DOptions{}.cropping, ktl::PadPairs<2>(0));
  EXPECT_EQ(ktl::Cropping3DOptions{}.cropping, ktl::PadPairs<3>(1));
  EXPECT_EQ(ktl::ZeroPadding1DOptions{}.padding, ktl::PadPairs<1>(1));
  EXPECT_EQ(ktl::ZeroPadding2DOptions{}.padding, ktl::PadPairs<2>(1));
  EXPECT_EQ(ktl::ZeroPadding3DOptions{}.padding, ktl::PadPairs<3>(1));
  EXPECT_EQ(ktl::UpSampling1DOptions{}.size, ktl::Extent<1>(2));
  EXPECT_EQ(ktl::UpSampling2DOptions{}.size, ktl::Extent<2>(2));
  EXPECT_EQ(ktl::UpSampling2DOptions{}.interpolation, ktl::Interpolation::nearest);
  EXPECT_EQ(ktl::UpSampling2DOptions{}.bilinear_mapping, ktl::BilinearMapping::legacy);
  EXPECT_EQ(ktl::UpSampling3DOptions{}.size, ktl::Extent<3>(2));
  EXPECT_EQ(ktl::UpSampling3DOptions{}.data_format, DataFormat::channels_last);
  EXPECT_EQ(ktl::parse_bilinear_mapping("Half_Pixel"), ktl::BilinearMapping::half_pixel);
}

}  // namespace
