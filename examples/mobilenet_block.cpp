// A MobileNet-style block (Howard et al.: depthwise 3x3 + ReLU, then a pointwise 1x1 convolution
// + ReLU; batch normalisation folded away) on a 56x56x128 feature map, once with stride 1 and once
// with the stride-2 downsampling variant. Checks that SeparableConv2D equals the depthwise + 1x1
// pair when the inner ReLU is absent, prints every shape and the time per block; exits non-zero if
// something is off.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

#include <ktl/layers/conv.hpp>
#include <ktl/layers/depthwise_conv.hpp>
#include <ktl/layers/separable_conv.hpp>

namespace {

/// Milliseconds per call of f, best of `reps` (after one warm-up call).
template <typename F>
double best_ms(F&& f, int reps = 10) {
  f();
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    const auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  return best;
}

std::string shape(const ktl::Dims<4>& d) { return ktl::detail::format_dims(d); }

}  // namespace

int main() {
  const ktl::Index batch = 1, rows = 56, cols = 56, channels = 128, filters = 256;
  ktl::Tensor<float, 4> x(batch, rows, cols, channels);
  std::mt19937 gen(3);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (ktl::Index i = 0; i < x.size(); ++i) x.data()[i] = uniform(gen);

  const auto pool = ktl::default_thread_pool();
  std::printf("MobileNet block on %s, %d threads\n", shape(ktl::dims_of(x)).c_str(),
              pool->num_threads());
  bool ok = true;
  for (ktl::Index stride : {1, 2}) {
    ktl::DepthwiseConv2DOptions d;
    d.kernel_size = 3;
    d.strides = stride;
    d.padding = ktl::Padding::same;
    d.activation = ktl::Activation::relu;
    d.bias_initializer = ktl::Initializer::random_uniform(-0.1, 0.1);  // a folded batch norm
    const auto depthwise = ktl::DepthwiseConv2D::make(d, channels, 1);

    ktl::Conv2DOptions p;
    p.filters = filters;
    p.kernel_size = 1;
    p.activation = ktl::Activation::relu;
    p.bias_initializer = ktl::Initializer::random_uniform(-0.1, 0.1);
    const auto pointwise = ktl::Conv2D::make(p, channels, 2);

    // Outputs and one workspace reused across calls, as a serving loop would.
    ktl::Tensor<float, 4> h(depthwise.output_shape(ktl::dims_of(x)));
    ktl::Tensor<float, 4> y(pointwise.output_shape(ktl::dims_of(h)));
    ktl::Workspace ws;
    const double dw_ms = best_ms([&] { depthwise.forward(ktl::view(x), ktl::mutable_view(h), ws, *pool); });
    const double pw_ms = best_ms([&] { pointwise.forward(ktl::view(h), ktl::mutable_view(y), ws, *pool); });
    const double dw_gflop = 2.0 * double(h.size()) * 9.0 * 1e-9;
    const double pw_gflop = 2.0 * double(y.size()) * double(channels) * 1e-9;
    std::printf("  stride %ld\n", static_cast<long>(stride));
    std::printf("    depthwise 3x3 + relu  %s -> %s  %.3f ms  %.1f GFLOP/s\n",
                shape(ktl::dims_of(x)).c_str(), shape(ktl::dims_of(h)).c_str(), dw_ms,
                dw_gflop / dw_ms * 1e3);
    std::printf("    pointwise 1x1 + relu  %s -> %s  %.3f ms  %.1f GFLOP/s\n",
                shape(ktl::dims_of(h)).c_str(), shape(ktl::dims_of(y)).c_str(), pw_ms,
                pw_gflop / pw_ms * 1e3);

    // The same block without the inner ReLU is exactly a SeparableConv2D.
    auto d_linear = d;
    d_linear.activation = ktl::Activation::linear;
    d_linear.use_bias = false;
    const ktl::DepthwiseConv2D dw_linear(d_linear, depthwise.depthwise_kernel());
    ktl::SeparableConv2DOptions s;
    s.filters = filters;
    s.kernel_size = 3;
    s.strides = stride;
    s.padding = ktl::Padding::same;
    s.activation = ktl::Activation::relu;
    const ktl::SeparableConv2D separable(s, depthwise.depthwise_kernel(), pointwise.kernel(),
                                         pointwise.bias());
    ktl::Tensor<float, 4> ys(separable.output_shape(ktl::dims_of(x)));
    const double sep_ms = best_ms([&] { separable.forward(ktl::view(x), ktl::mutable_view(ys), ws, *pool); });
    const ktl::Tensor<float, 4> pair = pointwise(dw_linear(x));
    double worst = 0.0;
    for (ktl::Index i = 0; i < ys.size(); ++i)
      worst = std::max(worst, std::abs(double(ys.data()[i]) - double(pair.data()[i])) /
                                  std::max(1.0, std::abs(double(pair.data()[i]))));
    std::printf("    separable 3x3 (fused) %s -> %s  %.3f ms  %.1f GFLOP/s  max rel. diff vs pair %.2g\n",
                shape(ktl::dims_of(x)).c_str(), shape(ktl::dims_of(ys)).c_str(), sep_ms,
                (dw_gflop + pw_gflop) / sep_ms * 1e3, worst);
    for (ktl::Index i = 0; i < y.size(); ++i)
      if (!std::isfinite(y.data()[i]) || y.data()[i] < 0.0f) ok = false;
    if (!(worst <= 1e-4) || ys.dimension(3) != filters || y.dimension(1) != (rows + stride - 1) / stride)
      ok = false;
  }
  std::printf(ok ? "ok\n" : "FAILED\n");
  return ok ? 0 : 1;
}
