// kernels/gemm.hpp and kernels/conv.hpp against plain loops: edges of the micro-kernel (m, n, k
// not multiples of its blocks), accumulate, leading dimensions, the transposed-A variant, the
// portable path explicitly, and the convolution kernel (im2col and pointwise paths, groups,
// stride, dilation, padding, several tiles) with bit-identical results for 1, 2 and 3 threads.
// Built once per instruction set the build machine has (see CMakeLists.txt).
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include <ktl/kernels/conv.hpp>
#include <ktl/kernels/gemm.hpp>
#include <ktl/kernels/layout.hpp>

namespace {

using ktl::Index;

template <typename T>
std::vector<T> random_vector(Index n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<T> v(static_cast<std::size_t>(n));
  for (auto& x : v) x = static_cast<T>(dist(gen));
  return v;
}

// C = A * B (+ C) by loops in double.
template <typename T>
std::vector<double> reference_gemm(Index m, Index n, Index k, const T* a, Index a_row, Index a_col,
                                   const T* b, Index ldb, const T* c, Index ldc, bool accumulate) {
  std::vector<double> r(static_cast<std::size_t>(m * n));
  for (Index i = 0; i < m; ++i)
    for (Index j = 0; j < n; ++j) {
      double s = accumulate ? static_cast<double>(c[i * ldc + j]) : 0.0;
      for (Index p = 0; p < k; ++p)
        s += static_cast<double>(a[i * a_row + p * a_col]) * static_cast<double>(b[p * ldb + j]);
      r[static_cast<std::size_t>(i * n + j)] = s;
    }
  return r;
}

template <typename T>
double tolerance(Index k) {
  return (std::is_same_v<T, float> ? 2e-6 : 1e-13) * static_cast<double>(std::max<Index>(k, 1));
}

enum class Variant { best, portable, transposed };

template <typename T>
void check_gemm(Index m, Index n, Index k, bool accumulate, Variant variant) {
  const Index pad = 3;  // leading dimensions larger than the rows
  const Index lda = (variant == Variant::transposed ? m : k) + pad, ldb = n + pad, ldc = n + pad;
  const Index a_rows = variant == Variant::transposed ? k : m;
  auto a = random_vector<T>(a_rows * lda, 1);
  auto b = random_vector<T>(std::max<Index>(k, 1) * ldb, 2);
  auto c = random_vector<T>(m * ldc, 3);
  const auto c0 = c;
  const Index a_row = variant == Variant::transposed ? 1 : lda;
  const Index a_col = variant == Variant::transposed ? lda : 1;
  const auto ref = reference_gemm(m, n, k, a.data(), a_row, a_col, b.data(), ldb, c.data(), ldc, accumulate);
  switch (variant) {
    case Variant::best:
      ktl::kernels::gemm(m, n, k, a.data(), lda, b.data(), ldb, c.data(), ldc, accumulate);
      break;
    case Variant::portable:
      ktl::kernels::detail::gemm_strided<T, ktl::kernels::detail::ScalarOps<T>>(
          m, n, k, a.data(), lda, 1, b.data(), ldb, c.data(), ldc, accumulate);
      break;
    case Variant::transposed:
      ktl::kernels::gemm_at(m, n, k, a.data(), lda, b.data(), ldb, c.data(), ldc, accumulate);
      break;
  }
  double worst = 0;
  for (Index i = 0; i < m; ++i) {
    for (Index j = 0; j < n; ++j)
      worst = std::max(worst, std::abs(static_cast<double>(c[static_cast<std::size_t>(i * ldc + j)]) -
                                       ref[static_cast<std::size_t>(i * n + j)]));
    for (Index j = n; j < ldc; ++j)  // padding columns untouched
      ASSERT_EQ(c[static_cast<std::size_t>(i * ldc + j)], c0[static_cast<std::size_t>(i * ldc + j)])
          << "wrote outside C at " << i << "," << j;
  }
  EXPECT_LE(worst, tolerance<T>(k)) << "m " << m << " n " << n << " k " << k << " accumulate "
                                    << accumulate << " variant " << static_cast<int>(variant);
}

TEST(Gemm, MatchesLoopsOnEdgeShapes) {
  for (Index m : {1, 4, 13, 14, 15, 29})
    for (Index n : {1, 7, 16, 17, 32, 33, 70})
      for (Index k : {0, 1, 9, 257})
        for (bool acc : {false, true}) check_gemm<float>(m, n, k, acc, Variant::best);
}

TEST(Gemm, PortablePathMatchesLoops) {
  for (Index m : {1, 5, 14})
    for (Index n : {3, 8, 17})
      for (Index k : {1, 300})
        for (bool acc : {false, true}) check_gemm<float>(m, n, k, acc, Variant::portable);
}

TEST(Gemm, TransposedAMatchesLoops) {
  for (Index m : {1, 15, 32})
    for (Index n : {5, 33})
      for (Index k : {3, 260}) check_gemm<float>(m, n, k, true, Variant::transposed);
}

TEST(Gemm, DoubleMatchesLoops) {
  for (Index m : {1, 15})
    for (Index n : {5, 16, 33})
      for (Index k : {2, 270})
        for (bool acc : {false, true}) check_gemm<double>(m, n, k, acc, Variant::best);
}

TEST(Gemm, BiasStartsEveryRow) {
  for (Index m : {3, 15})
    for (Index n : {5, 33})
      for (Index k : {0, 4, 300}) {
        auto a = random_vector<float>(m * std::max<Index>(k, 1), 10);
        auto b = random_vector<float>(std::max<Index>(k, 1) * n, 11);
        const auto bias = random_vector<float>(n, 12);
        std::vector<float> c(static_cast<std::size_t>(m * n), 5.0f);
        ktl::kernels::gemm_bias(m, n, k, a.data(), std::max<Index>(k, 1), b.data(), n, c.data(), n, bias.data());
        const auto ref = reference_gemm(m, n, k, a.data(), std::max<Index>(k, 1), Index(1), b.data(), n, c.data(), n, false);
        for (Index i = 0; i < m; ++i)
          for (Index j = 0; j < n; ++j)
            EXPECT_NEAR(c[static_cast<std::size_t>(i * n + j)], ref[static_cast<std::size_t>(i * n + j)] + bias[static_cast<std::size_t>(j)],
                        tolerance<float>(k + 1))
                << m << "x" << n << "x" << k << " at " << i << "," << j;
      }
}

TEST(Gemm, RowsDoNotDependOnHowMIsSplit) {
  const Index m = 40, n = 37, k = 300;
  auto a = random_vector<float>(m * k, 4);
  auto b = random_vector<float>(k * n, 5);
  std::vector<float> whole(static_cast<std::size_t>(m * n)), split(whole.size());
  ktl::kernels::gemm(m, n, k, a.data(), k, b.data(), n, whole.data(), n, false);
  ktl::kernels::gemm(Index(17), n, k, a.data(), k, b.data(), n, split.data(), n, false);
  ktl::kernels::gemm(m - 17, n, k, a.data() + 17 * k, k, b.data(), n, split.data() + 17 * n, n, false);
  EXPECT_EQ(whole, split);
}

// ---- the convolution kernel against loops ----

template <int N>
std::vector<float> reference_conv(const ktl::kernels::ConvGeometry<N>& g, const std::vector<float>& x,
                                  const std::vector<float>& w, const std::vector<float>& bias) {
  const Index P = ktl::kernels::detail::product(g.output), T = ktl::kernels::detail::product(g.kernel);
  const Index inP = ktl::kernels::detail::product(g.input);
  const Index Cg = g.channels / g.groups, Fg = g.filters / g.groups, F = g.filters, C = g.channels;
  std::vector<float> y(static_cast<std::size_t>(g.batch * P * F));
  for (Index n = 0; n < g.batch; ++n)
    for (Index p = 0; p < P; ++p)
      for (Index f = 0; f < F; ++f) {
        const Index grp = f / Fg;
        double s = bias.empty() ? 0.0 : bias[static_cast<std::size_t>(f)];
        for (Index t = 0; t < T; ++t) {
          Index rp = p, rt = t, off = 0, scale = 1;
          bool inside = true;
          for (int a = N - 1; a >= 0; --a) {
            const auto ax = static_cast<std::size_t>(a);
            const Index o = rp % g.output[ax], tap = rt % g.kernel[ax];
            rp /= g.output[ax];
            rt /= g.kernel[ax];
            const Index i = o * g.strides[ax] + tap * g.dilation[ax] - g.pad_before[ax];
            if (i < 0 || i >= g.input[ax]) inside = false;
            off += i * scale;
            scale *= g.input[ax];
          }
          if (!inside) continue;
          for (Index c = 0; c < Cg; ++c)
            s += static_cast<double>(x[static_cast<std::size_t>((n * inP + off) * C + grp * Cg + c)]) *
                 w[static_cast<std::size_t>((t * Cg + c) * F + f)];
        }
        y[static_cast<std::size_t>((n * P + p) * F + f)] = static_cast<float>(std::max(s, 0.0));
      }
  return y;
}

template <int N>
void check_conv(const ktl::kernels::ConvGeometry<N>& g, bool with_bias) {
  const Index inP = ktl::kernels::detail::product(g.input), P = ktl::kernels::detail::product(g.output);
  const auto x = random_vector<float>(g.batch * inP * g.channels, 6);
  const auto w = random_vector<float>(ktl::kernels::detail::product(g.kernel) * g.channels / g.groups * g.filters, 7);
  const auto bias = with_bias ? random_vector<float>(g.filters, 8) : std::vector<float>();
  const auto ref = reference_conv(g, x, w, bias);
  std::vector<float> first;
  for (int threads : {1, 2, 3}) {
    const ktl::ThreadPool pool(threads);
    std::vector<float> scratch(static_cast<std::size_t>(threads * ktl::kernels::conv_scratch_per_slot<float>(g) + 1));
    std::vector<float> y(static_cast<std::size_t>(g.batch * P * g.filters), -7.0f);
    ktl::kernels::conv_forward(g, x.data(), w.data(), with_bias ? bias.data() : nullptr, y.data(),
                               ktl::Activation::relu, scratch.data(), pool);
    double worst = 0;
    for (std::size_t i = 0; i < y.size(); ++i) worst = std::max(worst, static_cast<double>(std::abs(y[i] - ref[i])));
    EXPECT_LE(worst, 1e-4) << "threads " << threads;
    if (first.empty())
      first = y;
    else
      EXPECT_EQ(first, y) << "threads " << threads << " differ from 1 thread";
  }
  // channels_first output: the same values, each image stored (F, pixels).
  const ktl::ThreadPool pool(2);
  std::vector<float> scratch(static_cast<std::size_t>(2 * ktl::kernels::conv_scratch_per_slot<float>(g, true) + 1));
  std::vector<float> yf(first.size());
  ktl::kernels::conv_forward(g, x.data(), w.data(), with_bias ? bias.data() : nullptr, yf.data(),
                             ktl::Activation::relu, scratch.data(), pool, true);
  for (Index n = 0; n < g.batch; ++n)
    for (Index p = 0; p < P; ++p)
      for (Index f = 0; f < g.filters; ++f)
        ASSERT_EQ(yf[static_cast<std::size_t>((n * g.filters + f) * P + p)],
                  first[static_cast<std::size_t>((n * P + p) * g.filters + f)])
            << "channels_first output at " << n << "," << f << "," << p;
}

TEST(Layout, TransposeBatchedMatchesLoops) {
  const ktl::ThreadPool pool(2);
  for (Index rows : {1, 3, 16, 37, 64, 130})
    for (Index cols : {1, 8, 17, 64, 100}) {
      const Index batch = 2;
      const auto in = random_vector<float>(batch * rows * cols, 9);
      std::vector<float> out(in.size());
      ktl::kernels::transpose_batched(in.data(), out.data(), batch, rows, cols, pool);
      for (Index b = 0; b < batch; ++b)
        for (Index r = 0; r < rows; ++r)
          for (Index c = 0; c < cols; ++c)
            ASSERT_EQ(out[static_cast<std::size_t>((b * cols + c) * rows + r)],
                      in[static_cast<std::size_t>((b * rows + r) * cols + c)])
                << rows << "x" << cols;
    }
}

TEST(ConvKernel, Im2colPathMatchesLoops2D) {
  ktl::kernels::ConvGeometry<2> g;
  g.batch = 2;
  g.input = {23, 31};
  g.kernel = {3, 3};
  g.strides = {1, 1};
  g.dilation = {1, 1};
  g.pad_before = {1, 1};
  g.output = {23, 31};
  g.channels = 24;
  g.filters = 40;
  check_conv(g, true);  // row length 216 -> tiles of ~150 pixels: several tiles per image
}

TEST(ConvKernel, GroupsStridesDilationMatchLoops) {
  ktl::kernels::ConvGeometry<2> g;
  g.batch = 1;
  g.input = {17, 15};
  g.kernel = {3, 2};
  g.strides = {2, 3};
  g.dilation = {1, 1};
  g.pad_before = {1, 0};
  g.output = {9, 5};
  g.channels = 6;
  g.filters = 9;
  g.groups = 3;
  check_conv(g, false);
  ktl::kernels::ConvGeometry<1> d;
  d.batch = 3;
  d.input = {300};
  d.kernel = {3};
  d.strides = {1};
  d.dilation = {4};
  d.pad_before = {8};  // causal
  d.output = {300};
  d.channels = 20;
  d.filters = 18;
  check_conv(d, true);
}

TEST(ConvKernel, PointwisePathMatchesLoops) {
  ktl::kernels::ConvGeometry<3> g;
  g.batch = 2;
  g.input = {3, 20, 30};
  g.output = g.input;
  g.kernel = {1, 1, 1};
  g.strides = {1, 1, 1};
  g.dilation = {1, 1, 1};
  g.pad_before = {0, 0, 0};
  g.channels = 8;
  g.filters = 12;
  g.groups = 2;
  EXPECT_EQ(ktl::kernels::conv_scratch_per_slot<float>(g), 0);
  check_conv(g, true);
}

}  // namespace
