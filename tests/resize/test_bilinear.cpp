// Bilinear up-sampling against the plain-loop float32-order reference, bit for bit, in both data
// formats and both mappings, on shapes chosen to reach every path of kernels::upsample_bilinear.
// Built once more per SIMD instruction set where the build machine has it, with contraction
// allowed (tests/resize/CMakeLists.txt): a multiply-add contracted into an FMA inside the kernel
// would change the last bit and fail here.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include <ktl/kernels/upsample_bilinear.hpp>
#include <ktl/layers/up_sampling.hpp>

#include "resize_test_util.hpp"

namespace {

using ktl::BilinearMapping;
using ktl::DataFormat;
using ktl::Dims;
using ktl::Index;

/// A channels_last input shape (batch, height, width, channels) and a size; the channels_first
/// run sees batch * channels one-channel images of the same height and width.
struct BilinearCase {
  const char* name;
  Dims<4> shape;
  ktl::Extent<2> size;
  bool double_precision;
};

// What each case reaches (plane mode: channels_first only, see bilinear_plane_mode).
const BilinearCase kCases[] = {
    // fused row pairs over 3 channels; channels_first: plane mode, one block per image
    {"c3_x2", {2, 5, 7, 3}, {2, 2}, false},
    // rows factor 3: other pair choices than factor 2's; channels_first plane mode
    {"c16_x3x2", {1, 4, 6, 16}, {3, 2}, false},
    // columns factor 3: one-channel rows from the column tables
    {"c1_x2x3", {1, 7, 9, 1}, {2, 3}, false},
    {"c2_x1x5", {1, 3, 13, 2}, {1, 5}, false},
    {"identity", {1, 2, 2, 1}, {1, 1}, false},
    {"two_columns", {1, 2, 2, 3}, {2, 2}, false},  // too short to be periodic
    // channels_first plane mode, odd input height: three 16-row blocks per image
    {"plane_blocks", {1, 21, 12, 8}, {2, 2}, false},
    // channels_first: 300 rows x 240 values > 65536, so fused rows over the periodic columns
    {"c2_tall", {1, 300, 120, 2}, {2, 2}, false},
    // one channel, 65600 values per image: fused periodic rows in both formats, with the pair
    // choices of rows factor 3 and 1 that factor 2 does not reach
    {"c1_wide_x3x2", {1, 4, 8200, 1}, {3, 2}, false},
    {"c1_wide_x1x2", {1, 2, 16400, 1}, {1, 2}, false},
    // channels_last rows over 16384 values: two-row tasks (half-pixel: boundaries shifted by one)
    {"c64_long_rows", {1, 9, 300, 64}, {2, 2}, false},
    {"c100_x1x2", {1, 2, 700, 100}, {1, 2}, false},
    {"double_x2x3", {1, 5, 6, 2}, {2, 3}, true},
    {"double_plane_blocks", {2, 21, 9, 3}, {2, 2}, true},
};

template <typename S>
void bilinear_formats(const BilinearCase& c, BilinearMapping m) {
  ktl::UpSampling2DOptions o;
  o.size = c.size;
  o.interpolation = ktl::Interpolation::bilinear;
  o.bilinear_mapping = m;
  const ktl::UpSampling<S, 2> last(o);
  o.data_format = DataFormat::channels_first;
  const ktl::UpSampling<S, 2> first(o);
  ktl::test::check_both_formats<S, 2>(
      last, first, c.shape,
      [&](const auto& x) { return ktl::test::reference_bilinear<S>(x, c.size, m == BilinearMapping::half_pixel); },
      7);
}

class ResizeBilinear : public testing::TestWithParam<std::tuple<BilinearCase, BilinearMapping>> {};

TEST_P(ResizeBilinear, BitExactFloat32OrderBothFormats) {
  const auto& [c, m] = GetParam();
  if (c.double_precision)
    bilinear_formats<double>(c, m);
  else
    bilinear_formats<float>(c, m);
}

INSTANTIATE_TEST_SUITE_P(Paths, ResizeBilinear,
                         testing::Combine(testing::ValuesIn(kCases),
                                          testing::Values(BilinearMapping::legacy, BilinearMapping::half_pixel)),
                         [](const testing::TestParamInfo<std::tuple<BilinearCase, BilinearMapping>>& i) {
                           return std::string(std::get<0>(i.param).name) +
                                  (std::get<1>(i.param) == BilinearMapping::legacy ? "_legacy" : "_half_pixel");
                         });

// Outputs wider than 2^24 on a 1-row, 1-channel image (130 pixels, factor 2^17, so that legacy
// positions past 2^24 still fall between two pixels before the last one): TensorFlow's
// float(o) rounds past 2^24, and its last legacy positions reach the input width, one pixel past
// the row. Every index must stay inside the row (the ASan leg checks the reads), positions that
// float32 represents exactly must give TensorFlow's float32 values bit for bit, and the others
// the interpolation at the exact position o * in / out (half-pixel: (o + 0.5) * in / out - 0.5),
// computed here in double, within float rounding. Checked: around the switch from float to exact
// positions, the last columns, and every 1009th column.
TEST(ResizeBilinearWide, OutputsPastTwoToThe24StayInsideTheRow) {
  constexpr Index in_w = 130, factor = Index{1} << 17, out_w = in_w * factor;
  const auto x = ktl::test::random_tensor<float, 4>({1, 1, in_w, 1}, 5);
  for (const BilinearMapping m : {BilinearMapping::legacy, BilinearMapping::half_pixel}) {
    const bool half = m == BilinearMapping::half_pixel;
    ktl::UpSampling2DOptions o;
    o.size = {1, factor};
    o.interpolation = ktl::Interpolation::bilinear;
    o.bilinear_mapping = m;
    const ktl::Tensor<float, 4> y = ktl::UpSampling2D(o)(x);
    ASSERT_EQ(y.dimension(2), out_w);
    // TensorFlow's float32 positions are exact up to 2^24 (legacy) / below 2^23 (half-pixel).
    const Index exact = half ? Index{1} << 23 : (Index{1} << 24) + 1;
    const float shift = half ? 0.5f : 0.0f;
    auto value_at = [&](Index ox, float& want, double& tolerance) {
      if (ox < exact) {  // TensorFlow's float32 order, every rounding step kept
        volatile float scale = static_cast<float>(in_w) / static_cast<float>(out_w);
        volatile float centre = static_cast<float>(ox) + shift;
        volatile float scaled = centre * scale;
        volatile float u = scaled - shift;
        const float i0 = std::floor(u);
        const Index lo = std::clamp<Index>(static_cast<Index>(i0), 0, in_w - 1);
        const Index hi = std::min<Index>(static_cast<Index>(std::ceil(u)), in_w - 1);
        volatile float a = u - i0;
        volatile float d = x(0, 0, hi, 0) - x(0, 0, lo, 0);
        volatile float p = d * a;
        want = x(0, 0, lo, 0) + p;
        tolerance = 0.0;
      } else {  // the exact position
        const double u = (static_cast<double>(ox) + shift) * static_cast<double>(in_w) /
                             static_cast<double>(out_w) - shift;
        const double i0 = std::floor(u);
        const Index lo = std::clamp<Index>(static_cast<Index>(i0), 0, in_w - 1);
        const Index hi = std::clamp<Index>(static_cast<Index>(std::ceil(u)), 0, in_w - 1);
        want = static_cast<float>(x(0, 0, lo, 0) + (double(x(0, 0, hi, 0)) - x(0, 0, lo, 0)) * (u - i0));
        tolerance = 1e-6;
      }
    };
    Index checked = 0, bad = 0, first_bad = -1;
    auto check = [&](Index ox) {
      float want = 0.0f;
      double tolerance = 0.0;
      value_at(ox, want, tolerance);
      ++checked;
      if (!(std::abs(double(y(0, 0, ox, 0)) - double(want)) <= tolerance)) {
        if (first_bad < 0) first_bad = ox;
        ++bad;
      }
    };
    for (Index ox = 0; ox < out_w; ox += 1009) check(ox);
    for (Index ox = exact - 4096; ox < exact + 4096; ++ox) check(ox);
    for (Index ox = out_w - 4096; ox < out_w; ++ox) check(ox);
    EXPECT_EQ(bad, 0) << ktl::to_string(m) << ": " << bad << " of " << checked
                      << " checked columns differ, the first at " << first_bad << " of " << out_w;
  }
}

// Which images take plane mode: one channel, columns factor 2, and a cache-sized output (past
// bilinear_cache_bytes the same images take the fused rows).
TEST(ResizeBilinearPlaneMode, DependsOnChannelsFactorAndOutputSize) {
  using ktl::kernels::bilinear_cache_bytes;
  using ktl::kernels::detail::bilinear_plane_mode;
  EXPECT_TRUE(bilinear_plane_mode(128, 56, 56, 1, 112, 112, sizeof(float)));
  EXPECT_FALSE(bilinear_plane_mode(512, 112, 112, 1, 224, 224, sizeof(float)));  // 98 MiB of output
  EXPECT_FALSE(bilinear_plane_mode(1, 56, 56, 3, 112, 112, sizeof(float)));      // channels_last
  EXPECT_FALSE(bilinear_plane_mode(1, 56, 56, 1, 112, 168, sizeof(float)));      // columns factor 3
  EXPECT_FALSE(bilinear_plane_mode(1, 300, 120, 1, 600, 240, sizeof(float)));    // 72000 values per image
  const auto planes = static_cast<Index>(bilinear_cache_bytes / (16 * 16 * sizeof(float)));
  EXPECT_TRUE(bilinear_plane_mode(planes, 8, 8, 1, 16, 16, sizeof(float)));
  EXPECT_FALSE(bilinear_plane_mode(planes + 1, 8, 8, 1, 16, 16, sizeof(float)));
}

}  // namespace
