// kernels/depthwise_conv.hpp against plain loops written from keras-semantics 3.7 / 3.8, over many
// geometries that reach every path of the kernel: border and interior pixels, register blocks
// and their overlapping last block, packet and tail channels, multipliers, the fused bias + relu
// epilogue, strides, dilations and paddings; 1 and 3 threads; channels_last and the planar
// (channels_first) kernels.
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <ktl/kernels/depthwise_conv.hpp>

namespace {

using ktl::Index;
using ktl::kernels::DepthwiseGeometry;

std::vector<float> random_values(Index n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (auto& x : v) x = dist(gen);
  return v;
}

/// Geometry for input extents, kernel, stride, dilation and TensorFlow's padding split.
DepthwiseGeometry make_geometry(Index batch, Index h, Index w, Index c, Index m, Index kh, Index kw,
                                Index s, Index d, bool same) {
  DepthwiseGeometry g;
  g.batch = batch;
  g.in_h = h;
  g.in_w = w;
  g.channels = c;
  g.multiplier = m;
  g.kernel_h = kh;
  g.kernel_w = kw;
  g.stride_h = g.stride_w = s;
  g.dilation_h = g.dilation_w = d;
  auto axis = [&](Index in, Index k, Index& out, Index& before, Index& after) {
    const Index ke = (k - 1) * d + 1;
    if (same) {
      out = (in + s - 1) / s;
      const Index total = std::max<Index>((out - 1) * s + ke - in, 0);
      before = total / 2;
      after = total - before;
    } else {
      out = (in - ke) / s + 1;
      before = after = 0;
    }
  };
  axis(h, kh, g.out_h, g.pad_top, g.pad_bottom);
  axis(w, kw, g.out_w, g.pad_left, g.pad_right);
  return g;
}

/// y[n, oy, ox, c*M + m] = bias + sum x[n, oy*s + ky*d - top, ox*s + kx*d - left, c] * W[ky, kx, c, m]
/// with the Keras kernel layout (kh, kw, C, M).
std::vector<double> reference(const DepthwiseGeometry& g, const std::vector<float>& x,
                              const std::vector<float>& w, const float* bias, bool relu) {
  const Index CM = g.channels * g.multiplier;
  std::vector<double> y(static_cast<std::size_t>(g.batch * g.out_h * g.out_w * CM));
  for (Index n = 0; n < g.batch; ++n)
    for (Index oy = 0; oy < g.out_h; ++oy)
      for (Index ox = 0; ox < g.out_w; ++ox)
        for (Index c = 0; c < g.channels; ++c)
          for (Index m = 0; m < g.multiplier; ++m) {
            double sum = bias ? bias[c * g.multiplier + m] : 0.0;
            for (Index ky = 0; ky < g.kernel_h; ++ky)
              for (Index kx = 0; kx < g.kernel_w; ++kx) {
                const Index iy = oy * g.stride_h + ky * g.dilation_h - g.pad_top;
                const Index ix = ox * g.stride_w + kx * g.dilation_w - g.pad_left;
                if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;
                sum += double(x[std::size_t(((n * g.in_h + iy) * g.in_w + ix) * g.channels + c)]) *
                       double(w[std::size_t(((ky * g.kernel_w + kx) * g.channels + c) * g.multiplier + m)]);
              }
            if (relu) sum = std::max(sum, 0.0);
            y[std::size_t(((n * g.out_h + oy) * g.out_w + ox) * CM + c * g.multiplier + m)] = sum;
          }
  return y;
}

::testing::AssertionResult near(const std::vector<float>& got, const std::vector<double>& want) {
  for (std::size_t i = 0; i < want.size(); ++i)
    if (std::abs(double(got[i]) - want[i]) > 1e-5 * std::max(1.0, std::abs(want[i])))
      return ::testing::AssertionFailure() << "at " << i << ": " << got[i] << " vs " << want[i];
  return ::testing::AssertionSuccess();
}

struct KernelCase {
  Index batch, h, w, c, m, kh, kw, s, d;
  bool same;
};

const KernelCase kernel_cases[] = {
    {1, 5, 30, 16, 1, 3, 3, 1, 1, true},   // blocks of 8, overlapping last block, borders
    {2, 4, 27, 17, 1, 3, 3, 1, 1, true},   // packet + tail channels
    {1, 3, 40, 33, 1, 5, 5, 1, 1, true},   // kernel width 5 path
    {1, 4, 25, 3, 1, 3, 3, 1, 1, false},   // channels below one packet
    {1, 6, 35, 8, 2, 3, 3, 1, 1, true},    // multiplier 2 (scattered stores)
    {1, 3, 19, 16, 3, 3, 2, 1, 1, true},   // multiplier 3, even kernel width
    {1, 7, 41, 20, 1, 3, 3, 2, 1, true},   // stride 2
    {1, 7, 33, 12, 1, 3, 3, 3, 1, false},  // stride larger than the kernel
    {1, 9, 36, 18, 1, 3, 3, 1, 2, true},   // dilation 2
    {1, 5, 30, 5, 2, 2, 4, 1, 3, false},   // dilation 3, generic kernel width
    {2, 4, 22, 1, 1, 3, 3, 1, 1, true},    // single channel
    {1, 2, 3, 16, 1, 5, 7, 1, 1, true},    // kernel larger than the input
    {1, 1, 50, 24, 1, 1, 9, 1, 1, true},   // 1-D (unit height), long kernel
};

class DepthwiseKernel : public ::testing::TestWithParam<KernelCase> {};

TEST_P(DepthwiseKernel, MatchesPlainLoopsForEveryEpilogueAndThreadCount) {
  const KernelCase k = GetParam();
  const DepthwiseGeometry g = make_geometry(k.batch, k.h, k.w, k.c, k.m, k.kh, k.kw, k.s, k.d, k.same);
  const Index CM = k.c * k.m;
  const auto x = random_values(g.batch * g.in_h * g.in_w * g.channels, 1);
  const auto w = random_values(g.kernel_h * g.kernel_w * CM, 2);
  const auto bias = random_values(CM, 3);
  std::vector<float> packed(w.size());
  ktl::kernels::pack_depthwise_weights(w.data(), packed.data(), g.kernel_h * g.kernel_w, k.c, k.m);
  std::vector<float> y(std::size_t(g.batch * g.out_pixels() * CM));
  for (int threads : {1, 3}) {
    const ktl::ThreadPool pool(threads);
    ktl::kernels::depthwise_conv(x.data(), packed.data(), bias.data(), y.data(), g,
                                 ktl::ActivationFunction(ktl::Activation::relu), pool);
    EXPECT_TRUE(near(y, reference(g, x, w, bias.data(), true))) << "bias+relu, " << threads << " threads";
    ktl::kernels::depthwise_conv(x.data(), packed.data(), bias.data(), y.data(), g,
                                 ktl::ActivationFunction(ktl::Activation::linear), pool);
    EXPECT_TRUE(near(y, reference(g, x, w, bias.data(), false))) << "bias, " << threads << " threads";
    ktl::kernels::depthwise_conv(x.data(), packed.data(), static_cast<const float*>(nullptr),
                                 y.data(), g, ktl::ActivationFunction(ktl::Activation::relu), pool);
    EXPECT_TRUE(near(y, reference(g, x, w, nullptr, true))) << "relu, no bias, " << threads << " threads";
  }
}

TEST_P(DepthwiseKernel, SeparableMatchesDepthwiseThenPlainPointwise) {
  const KernelCase k = GetParam();
  const DepthwiseGeometry g = make_geometry(k.batch, k.h, k.w, k.c, k.m, k.kh, k.kw, k.s, k.d, k.same);
  const Index CM = k.c * k.m, F = 7;
  const auto x = random_values(g.batch * g.in_h * g.in_w * g.channels, 4);
  const auto w = random_values(g.kernel_h * g.kernel_w * CM, 5);
  const auto pw = random_values(CM * F, 6);
  const auto bias = random_values(F, 7);
  std::vector<float> packed(w.size());
  ktl::kernels::pack_depthwise_weights(w.data(), packed.data(), g.kernel_h * g.kernel_w, k.c, k.m);
  const auto z = reference(g, x, w, nullptr, false);
  const Index pixels = g.batch * g.out_pixels();
  std::vector<double> want(std::size_t(pixels * F));
  for (Index p = 0; p < pixels; ++p)
    for (Index f = 0; f < F; ++f) {
      double sum = bias[std::size_t(f)];
      for (Index j = 0; j < CM; ++j) sum += z[std::size_t(p * CM + j)] * double(pw[std::size_t(j * F + f)]);
      want[std::size_t(p * F + f)] = std::tanh(sum);
    }
  for (int threads : {1, 3}) {
    const ktl::ThreadPool pool(threads);
    std::vector<float> scratch(std::size_t(ktl::kernels::separable_scratch_size(g, threads)));
    std::vector<float> y(std::size_t(pixels * F));
    ktl::kernels::separable_conv(x.data(), packed.data(), pw.data(), bias.data(), y.data(), g, F,
                                 ktl::ActivationFunction(ktl::Activation::tanh), scratch.data(), pool);
    EXPECT_TRUE(near(y, want)) << threads << " threads";
  }
}

/// (B, S, C) <-> (B, C, S) of a flat buffer.
template <typename T>
std::vector<T> planar(const std::vector<T>& last, Index batch, Index pixels, Index channels) {
  std::vector<T> out(last.size());
  for (Index b = 0; b < batch; ++b)
    for (Index p = 0; p < pixels; ++p)
      for (Index c = 0; c < channels; ++c)
        out[std::size_t((b * channels + c) * pixels + p)] = last[std::size_t((b * pixels + p) * channels + c)];
  return out;
}

TEST_P(DepthwiseKernel, PlanarMatchesPlainLoopsForEveryEpilogueAndThreadCount) {
  const KernelCase k = GetParam();
  const DepthwiseGeometry g = make_geometry(k.batch, k.h, k.w, k.c, k.m, k.kh, k.kw, k.s, k.d, k.same);
  const Index CM = k.c * k.m;
  const auto x = random_values(g.batch * g.in_h * g.in_w * g.channels, 1);
  const auto w = random_values(g.kernel_h * g.kernel_w * CM, 2);
  const auto bias = random_values(CM, 3);
  std::vector<float> packed(w.size());
  ktl::kernels::pack_depthwise_weights(w.data(), packed.data(), g.kernel_h * g.kernel_w, k.c, k.m);
  const auto xp = planar(x, g.batch, g.in_h * g.in_w, g.channels);
  std::vector<float> y(std::size_t(g.batch * g.out_pixels() * CM));
  auto want = [&](const float* b, bool relu) {
    return planar(reference(g, x, w, b, relu), g.batch, g.out_pixels(), CM);
  };
  for (int threads : {1, 3}) {
    const ktl::ThreadPool pool(threads);
    std::vector<float> scratch(std::size_t(ktl::kernels::depthwise_planar_scratch_size(g, threads)));
    ktl::kernels::depthwise_conv_planar(xp.data(), packed.data(), bias.data(), y.data(), g,
                                        ktl::ActivationFunction(ktl::Activation::relu),
                                        scratch.data(), pool);
    EXPECT_TRUE(near(y, want(bias.data(), true))) << "bias+relu, " << threads << " threads";
    ktl::kernels::depthwise_conv_planar(xp.data(), packed.data(), bias.data(), y.data(), g,
                                        ktl::ActivationFunction(ktl::Activation::linear),
                                        scratch.data(), pool);
    EXPECT_TRUE(near(y, want(bias.data(), false))) << "bias, " << threads << " threads";
    ktl::kernels::depthwise_conv_planar(xp.data(), packed.data(), static_cast<const float*>(nullptr),
                                        y.data(), g, ktl::ActivationFunction(ktl::Activation::relu),
                                        scratch.data(), pool);
    EXPECT_TRUE(near(y, want(nullptr, true))) << "relu, no bias, " << threads << " threads";
  }
}

TEST_P(DepthwiseKernel, SeparablePlanarMatchesDepthwiseThenPlainPointwise) {
  const KernelCase k = GetParam();
  const DepthwiseGeometry g = make_geometry(k.batch, k.h, k.w, k.c, k.m, k.kh, k.kw, k.s, k.d, k.same);
  const Index CM = k.c * k.m, F = 7, P = g.out_pixels();
  const auto x = random_values(g.batch * g.in_h * g.in_w * g.channels, 4);
  const auto w = random_values(g.kernel_h * g.kernel_w * CM, 5);
  const auto pw = random_values(CM * F, 6);
  const auto bias = random_values(F, 7);
  std::vector<float> packed(w.size()), pw_t(pw.size());
  ktl::kernels::pack_depthwise_weights(w.data(), packed.data(), g.kernel_h * g.kernel_w, k.c, k.m);
  for (Index j = 0; j < CM; ++j)
    for (Index f = 0; f < F; ++f) pw_t[std::size_t(f * CM + j)] = pw[std::size_t(j * F + f)];
  const auto z = reference(g, x, w, nullptr, false);
  std::vector<double> want(std::size_t(g.batch * P * F));
  for (Index p = 0; p < g.batch * P; ++p)
    for (Index f = 0; f < F; ++f) {
      double sum = bias[std::size_t(f)];
      for (Index j = 0; j < CM; ++j) sum += z[std::size_t(p * CM + j)] * double(pw[std::size_t(j * F + f)]);
      want[std::size_t(p * F + f)] = std::tanh(sum);
    }
  const auto want_planar = planar(want, g.batch, P, F);
  const auto xp = planar(x, g.batch, g.in_h * g.in_w, g.channels);
  for (int threads : {1, 3}) {
    const ktl::ThreadPool pool(threads);
    std::vector<float> scratch(std::size_t(ktl::kernels::separable_planar_scratch_size(g, threads)));
    std::vector<float> y(std::size_t(g.batch * P * F));
    ktl::kernels::separable_conv_planar(xp.data(), packed.data(), pw_t.data(), bias.data(), y.data(),
                                        g, F, ktl::ActivationFunction(ktl::Activation::tanh),
                                        scratch.data(), pool);
    EXPECT_TRUE(near(y, want_planar)) << threads << " threads";
  }
}

/// a[i] and b[i] are the same number, NaN matching NaN (the bits of a NaN may differ).
::testing::AssertionResult same_values(const std::vector<float>& a, const std::vector<float>& b) {
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i]))))
      return ::testing::AssertionFailure() << "at " << i << ": " << a[i] << " vs " << b[i];
  return ::testing::AssertionSuccess();
}

// NaN and infinities in the input and the bias: the bias + relu fused in registers (vector
// lanes, leftover channels, multiplier lanes; planar blocks and one-value path) gives what the
// generic rule gives, apply_elementwise's relu after the bias, so relu(NaN) = NaN.
TEST_P(DepthwiseKernel, FusedReluFollowsTheGenericRuleForNaNAndInfinities) {
  const KernelCase k = GetParam();
  const DepthwiseGeometry g = make_geometry(k.batch, k.h, k.w, k.c, k.m, k.kh, k.kw, k.s, k.d, k.same);
  const Index CM = k.c * k.m;
  auto x = random_values(g.batch * g.in_h * g.in_w * g.channels, 8);
  const auto w = random_values(g.kernel_h * g.kernel_w * CM, 9);
  auto bias = random_values(CM, 10);
  const float special[3] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity()};
  for (std::size_t i = 5, j = 0; i < x.size(); i += 37, ++j) x[i] = special[j % 3];
  for (std::size_t i = 1, j = 0; i < bias.size(); i += 4, ++j) bias[i] = special[(j + 1) % 3];
  std::vector<float> packed(w.size());
  ktl::kernels::pack_depthwise_weights(w.data(), packed.data(), g.kernel_h * g.kernel_w, k.c, k.m);
  const ktl::ActivationFunction relu(ktl::Activation::relu), linear(ktl::Activation::linear);
  const ktl::ThreadPool pool(1);
  std::vector<float> fused(std::size_t(g.batch * g.out_pixels() * CM)), generic(fused.size());
  ktl::kernels::depthwise_conv(x.data(), packed.data(), bias.data(), fused.data(), g, relu, pool);
  ktl::kernels::depthwise_conv(x.data(), packed.data(), bias.data(), generic.data(), g, linear, pool);
  ktl::apply_elementwise(relu, generic.data(), Index(generic.size()));
  EXPECT_TRUE(same_values(fused, generic)) << "channels_last";
  const auto xp = planar(x, g.batch, g.in_h * g.in_w, g.channels);
  std::vector<float> scratch(std::size_t(ktl::kernels::depthwise_planar_scratch_size(g, 1)));
  ktl::kernels::depthwise_conv_planar(xp.data(), packed.data(), bias.data(), fused.data(), g, relu,
                                      scratch.data(), pool);
  ktl::kernels::depthwise_conv_planar(xp.data(), packed.data(), bias.data(), generic.data(), g, linear,
                                      scratch.data(), pool);
  ktl::apply_elementwise(relu, generic.data(), Index(generic.size()));
  EXPECT_TRUE(same_values(fused, generic)) << "planar";
}

INSTANTIATE_TEST_SUITE_P(Geometries, DepthwiseKernel, ::testing::ValuesIn(kernel_cases),
                         [](const ::testing::TestParamInfo<KernelCase>& p) {
                           const KernelCase& k = p.param;
                           std::ostringstream os;  // (std::string operator+ trips GCC 12's -Wrestrict)
                           os << "b" << k.batch << "_" << k.h << "x" << k.w << "_c" << k.c << "_m"
                              << k.m << "_k" << k.kh << "x" << k.kw << "_s" << k.s << "_d" << k.d
                              << (k.same ? "_same" : "_valid");
                           return os.str();
                         });

}  // namespace
