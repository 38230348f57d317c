// Bilinear up-sampling against the plain-loop float32-order reference, bit for bit, in both data
// formats, on shapes chosen to reach every path of kernels::upsample_bilinear. Built once more
// per SIMD instruction set where the build machine has it (tests/resize/CMakeLists.txt): with
// FMA available, a compiler that contracted a * b + c would change the last bit and fail here.
#include <cstdint>

#include <gtest/gtest.h>

#include <ktl/kernels/upsample.hpp>
#include <ktl/layers/up_sampling.hpp>

#include "resize_test_util.hpp"

namespace {

using ktl::BilinearMapping;
using ktl::DataFormat;
using ktl::Dims;

template <typename S>
void bilinear_formats(const Dims<4>& shape, const ktl::Extent<2>& size, BilinearMapping m, std::uint32_t seed) {
  ktl::UpSampling2DOptions o;
  o.size = size;
  o.interpolation = ktl::Interpolation::bilinear;
  o.bilinear_mapping = m;
  const ktl::UpSampling<S, 2> last(o);
  o.data_format = DataFormat::channels_first;
  const ktl::UpSampling<S, 2> first(o);
  ktl::test::check_both_formats<S, 2>(
      last, first, shape,
      [&](const auto& x) { return ktl::test::reference_bilinear<S>(x, size, m == BilinearMapping::half_pixel); },
      seed);
}

class ResizeBilinear : public testing::TestWithParam<BilinearMapping> {};

// Shapes are channels_last (batch, height, width, channels); the channels_first run sees
// batch * channels one-channel images of the same size.
TEST_P(ResizeBilinear, BitExactFloat32OrderBothFormats) {
  const BilinearMapping m = GetParam();
  // channels_last: fused row pairs over 3 channels; channels_first: plane mode, one block
  bilinear_formats<float>({2, 5, 7, 3}, {2, 2}, m, 1);
  // factor 3 rows: pairs and single rows; channels_first plane mode (columns factor 2)
  bilinear_formats<float>({1, 4, 6, 16}, {3, 2}, m, 2);
  // column factor 3: no periodic columns, one-channel rows from the tables
  bilinear_formats<float>({1, 7, 9, 1}, {2, 3}, m, 3);
  bilinear_formats<float>({1, 3, 13, 2}, {1, 5}, m, 4);
  bilinear_formats<float>({1, 2, 2, 1}, {1, 1}, m, 5);  // identity
  bilinear_formats<float>({1, 2, 2, 3}, {2, 2}, m, 6);  // two input columns: too short to be periodic
  // channels_first plane mode with several 16-row blocks per image, odd input height
  bilinear_formats<float>({1, 41, 12, 8}, {2, 2}, m, 7);
  // channels_first images too big for plane mode: fused pairs over the periodic columns
  bilinear_formats<float>({1, 300, 120, 2}, {2, 2}, m, 8);
  // channels_last rows over 16384 values: two-row tasks (half-pixel: boundaries shifted by one)
  bilinear_formats<float>({1, 9, 300, 64}, {2, 2}, m, 9);
  bilinear_formats<float>({1, 2, 700, 100}, {1, 2}, m, 10);
  bilinear_formats<double>({1, 5, 6, 2}, {2, 3}, m, 11);
  bilinear_formats<double>({2, 21, 9, 3}, {2, 2}, m, 12);  // double plane mode, two blocks
}

INSTANTIATE_TEST_SUITE_P(Mappings, ResizeBilinear, testing::Values(BilinearMapping::legacy, BilinearMapping::half_pixel),
                         [](const testing::TestParamInfo<BilinearMapping>& i) {
                           return i.param == BilinearMapping::legacy ? "legacy" : "half_pixel";
                         });

// Which images take the one-channel plane mode: cache-sized outputs only (past
// bilinear_cache_bytes the same images take the fused rows, as in the 300x120 case above).
TEST(ResizeBilinear, PlaneModeDependsOnOutputSize) {
  using ktl::kernels::bilinear_cache_bytes;
  using ktl::kernels::detail::bilinear_plane_mode;
  EXPECT_TRUE(bilinear_plane_mode(128, 56, 56, 112, 112, 1, sizeof(float)));
  EXPECT_FALSE(bilinear_plane_mode(512, 112, 112, 224, 224, 1, sizeof(float)));  // 100 MiB of output
  EXPECT_FALSE(bilinear_plane_mode(1, 56, 56, 112, 112, 3, sizeof(float)));      // channels_last
  EXPECT_FALSE(bilinear_plane_mode(1, 56, 56, 112, 168, 1, sizeof(float)));      // columns factor 3
  const ktl::Index planes = static_cast<ktl::Index>(bilinear_cache_bytes / (16 * 16 * sizeof(float)));
  EXPECT_TRUE(bilinear_plane_mode(planes, 8, 8, 16, 16, 1, sizeof(float)));
  EXPECT_FALSE(bilinear_plane_mode(planes + 1, 8, 8, 16, 16, 1, sizeof(float)));
}

}  // namespace
