// Kernel helpers shared by every layer: the channels_first <-> channels_last shuffles (against a
// naive loop, for shapes on and off the 16 x 16 block grid, any thread count), the bias +
// activation epilogue, and floor_div.
#include <array>
#include <cmath>
#include <cstddef>
#include <vector>

#include <gtest/gtest.h>

#include <ktl/activations.hpp>
#include <ktl/core/parallel.hpp>
#include <ktl/kernels/epilogue.hpp>
#include <ktl/kernels/index_math.hpp>
#include <ktl/kernels/layout.hpp>

namespace {

using ktl::Index;

template <typename T>
void check_layout_round_trip(Index batch, Index channels, Index spatial, const ktl::ThreadPool& pool) {
  const auto n = static_cast<std::size_t>(batch * channels * spatial);
  std::vector<T> first(n), last(n, T(-1)), back(n, T(-1));
  for (std::size_t i = 0; i < n; ++i) first[i] = static_cast<T>(i) + T(0.5);
  ktl::kernels::channels_first_to_last(first.data(), last.data(), batch, channels, spatial, pool);
  for (Index b = 0; b < batch; ++b)
    for (Index c = 0; c < channels; ++c)
      for (Index s = 0; s < spatial; ++s) {
        const auto from = static_cast<std::size_t>((b * channels + c) * spatial + s);
        const auto to = static_cast<std::size_t>((b * spatial + s) * channels + c);
        ASSERT_EQ(last[to], first[from]) << "batch " << batch << " channels " << channels
                                         << " spatial " << spatial << " at (" << b << ", " << c
                                         << ", " << s << ")";
      }
  ktl::kernels::channels_last_to_first(last.data(), back.data(), batch, spatial, channels, pool);
  ASSERT_EQ(back, first) << "batch " << batch << " channels " << channels << " spatial " << spatial;
}

TEST(KernelLayout, ShufflesMatchTheNaiveTransposeOnAndOffTheBlockGrid) {
  const ktl::ThreadPool one(1), three(3);
  // Extents below, at and across the 16-wide blocks and the 64-row bands, and 1.
  const std::array<Index, 9> extents = {1, 3, 15, 16, 17, 33, 64, 65, 130};
  for (const ktl::ThreadPool* pool : {&one, &three})
    for (Index c : extents)
      for (Index s : extents) {
        check_layout_round_trip<float>(2, c, s, *pool);
        if (HasFatalFailure()) return;
      }
  check_layout_round_trip<double>(2, 17, 33, three);
  check_layout_round_trip<double>(1, 64, 3, one);
}

TEST(KernelEpilogue, AddsBiasPerChannelThenActivatesAndRespectsTheRowStride) {
  // 2 rows of 3 channels, row stride 4: the padding column must stay untouched.
  std::vector<float> y = {-1.0f, 0.5f, 2.0f, 99.0f, -3.0f, 1.0f, -0.25f, 99.0f};
  const std::vector<float> bias = {0.5f, -1.0f, 0.0f};
  ktl::kernels::bias_activation_rows(y.data(), 2, 3, 4, bias.data(),
                                     ktl::ActivationFunction(ktl::Activation::relu));
  EXPECT_EQ(y, (std::vector<float>{0.0f, 0.0f, 2.0f, 99.0f, 0.0f, 0.0f, 0.0f, 99.0f}));
  // A dense tile (ldy == channels) gives the same values as row by row.
  std::vector<float> dense(3 * 5), rowwise(3 * 5);
  for (std::size_t i = 0; i < dense.size(); ++i) dense[i] = rowwise[i] = 0.37f * static_cast<float>(i) - 2.0f;
  const std::vector<float> bias5 = {0.1f, -0.2f, 0.3f, -0.4f, 0.5f};
  const auto sigmoid = ktl::ActivationFunction(ktl::Activation::sigmoid);
  ktl::kernels::bias_activation_rows(dense.data(), 3, 5, 5, bias5.data(), sigmoid);
  for (Index r = 0; r < 3; ++r)
    ktl::kernels::bias_activation_rows(rowwise.data() + r * 5, 1, 5, 5, bias5.data(), sigmoid);
  EXPECT_EQ(dense, rowwise);
  EXPECT_FLOAT_EQ(dense[0], 1.0f / (1.0f + std::exp(1.9f)));
  std::vector<float> z = {-1.0f, 2.0f};
  ktl::kernels::bias_activation_rows(z.data(), 1, 2, 2, static_cast<const float*>(nullptr),
                                     ktl::ActivationFunction(ktl::Activation::linear));
  EXPECT_EQ(z, (std::vector<float>{-1.0f, 2.0f}));  // no bias, linear: unchanged
}

TEST(KernelIndexMath, FloorDivRoundsTowardMinusInfinity) {
  static_assert(ktl::kernels::detail::floor_div(-1, 2) == -1);
  static_assert(ktl::kernels::detail::floor_div(-4, 2) == -2);
  static_assert(ktl::kernels::detail::floor_div(-5, 2) == -3);
  static_assert(ktl::kernels::detail::floor_div(0, 3) == 0);
  static_assert(ktl::kernels::detail::floor_div(7, 3) == 2);
  for (Index a = -20; a <= 20; ++a)
    for (Index b = 1; b <= 5; ++b) {
      const Index q = ktl::kernels::detail::floor_div(a, b);
      EXPECT_TRUE(q * b <= a && a < (q + 1) * b) << a << " / " << b;
    }
}

}  // namespace
