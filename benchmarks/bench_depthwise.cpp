// Depthwise and separable convolution benchmarks (issue 3): dw_3x3 (DepthwiseConv2D) and sep_3x3
// (SeparableConv2D) of conv_shapes x {channels_last, channels_first} x {1, 2} threads, ktl and
// oneDNN side by side. oneDNN runs the depthwise step as a grouped convolution (groups = C) and the
// separable layer as that plus a 1x1 convolution (two primitives through a user buffer; oneDNN 2.6
// has no depthwise-then-pointwise fusion: its dw post-op fuses the other order). GFLOP/s counts
// 2 * out_pixels * C * M * prod(k) (+ 2 * out_pixels * C * M * filters for separable).
#include <array>
#include <cstddef>
#include <string>

#include <benchmark/benchmark.h>

#include <ktl/layers/depthwise_conv.hpp>
#include <ktl/layers/separable_conv.hpp>

#include "harness.hpp"
#include "onednn.hpp"
#include "shapes.hpp"

namespace {

using ktl::Index;
using ktl::bench::ConvShape;

ktl::Dims<4> input_shape(const ConvShape& s, ktl::DataFormat f) {
  return ktl::shape::make_shape<2>(f, s.batch, {s.input[0], s.input[1]}, s.channels);
}

ktl::DepthwiseConv2DOptions dw_options(const ConvShape& s, ktl::DataFormat f, Index multiplier) {
  ktl::DepthwiseConv2DOptions o;
  o.kernel_size = {s.kernel[0], s.kernel[1]};
  o.strides = s.stride;
  o.dilation_rate = s.dilation;
  o.padding = ktl::parse_padding(s.padding);
  o.depth_multiplier = multiplier;
  o.data_format = f;
  o.activation = ktl::Activation::relu;  // the MobileNet block's depthwise layer
  o.bias_initializer = ktl::Initializer::random_uniform(-0.1, 0.1);
  return o;
}

ktl::SeparableConv2DOptions sep_options(const ConvShape& s, ktl::DataFormat f) {
  ktl::SeparableConv2DOptions o;
  o.filters = s.filters;
  o.kernel_size = {s.kernel[0], s.kernel[1]};
  o.strides = s.stride;
  o.dilation_rate = s.dilation;
  o.padding = ktl::parse_padding(s.padding);
  o.data_format = f;
  o.activation = ktl::Activation::relu;
  o.bias_initializer = ktl::Initializer::random_uniform(-0.1, 0.1);
  return o;
}

/// The depth multiplier of a shape: DepthwiseConv2D rows keep it in `filters`, separable ones 1.
Index multiplier_of(const ConvShape& s) { return s.layer == "DepthwiseConv2D" ? s.filters : 1; }

double flops(const ConvShape& s, const ktl::Dims<4>& out_last) {
  const double pixels = static_cast<double>(out_last[0] * out_last[1] * out_last[2]);
  const double cm = static_cast<double>(s.channels * multiplier_of(s));
  double f = 2.0 * pixels * cm * static_cast<double>(s.kernel[0] * s.kernel[1]);
  if (s.layer == "SeparableConv2D") f += 2.0 * pixels * cm * static_cast<double>(s.filters);
  return f;
}

template <typename Layer>
void run_layer(benchmark::State& state, const Layer& layer, const ConvShape& s, ktl::DataFormat f,
               int threads) {
  ktl::Tensor<float, 4> x(input_shape(s, f));
  ktl::bench::fill_random(x, 7);
  ktl::Tensor<float, 4> y(layer.output_shape(ktl::dims_of(x)));
  const ktl::ThreadPool pool(threads);
  ktl::Workspace ws;
  for (auto _ : state) {
    layer.forward(ktl::view(x), ktl::mutable_view(y), ws, pool);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  const auto out = ktl::dims_of(y);
  ktl::bench::set_flops(state, flops(s, f == ktl::DataFormat::channels_last ? out
                                                                            : ktl::shape::to_channels_last(out)),
                        threads);
}

void run_ktl(benchmark::State& state, ConvShape s, ktl::DataFormat f, int threads) {
  if (s.layer == "DepthwiseConv2D")
    run_layer(state, ktl::DepthwiseConv2D::make(dw_options(s, f, multiplier_of(s)), s.channels, 1),
              s, f, threads);
  else
    run_layer(state, ktl::SeparableConv2D::make(sep_options(s, f), s.channels, 1), s, f, threads);
}

#if defined(KTL_HAVE_DNNL)
namespace dn = ktl::bench::onednn;

/// Keras-terms convolution config of the depthwise step (groups = C) or of a 1x1 convolution.
dn::ConvConfig config(const ConvShape& s, bool channels_last, bool depthwise, Index channels,
                      Index filters) {
  dn::ConvConfig c;
  c.rank = 2;
  c.channels_last = channels_last;
  c.batch = s.batch;
  c.channels = channels;
  c.filters = filters;
  c.groups = depthwise ? channels : 1;
  for (int a = 0; a < 2; ++a) {
    const auto ax = static_cast<std::size_t>(a);
    const Index k = depthwise ? s.kernel[ax] : 1;
    const Index in = depthwise ? s.input[ax]
                               : ktl::shape::conv_output_length(s.input[ax], s.kernel[ax], s.stride,
                                                                s.dilation, ktl::parse_padding(s.padding));
    const auto p = depthwise ? ktl::shape::conv_padding(in, k, s.stride, s.dilation,
                                                        ktl::parse_padding(s.padding))
                             : ktl::shape::Pads{};
    c.input.push_back(in);
    c.output.push_back(depthwise ? ktl::shape::conv_output_length(in, k, s.stride, s.dilation,
                                                                  ktl::parse_padding(s.padding))
                                 : in);
    c.kernel.push_back(k);
    c.strides.push_back(depthwise ? s.stride : 1);
    c.dilation.push_back(depthwise ? s.dilation : 1);
    c.pad_before.push_back(p.before);
    c.pad_after.push_back(p.after);
  }
  return c;
}

void run_onednn(benchmark::State& state, ConvShape s, ktl::DataFormat f, int threads) {
  dn::set_num_threads(threads);
  const bool last = f == ktl::DataFormat::channels_last;
  const Index M = multiplier_of(s), CM = s.channels * M;
  ktl::Tensor<float, 4> x(input_shape(s, f));
  ktl::bench::fill_random(x, 7);
  const auto dw = ktl::DepthwiseConv2D::make(dw_options(s, f, M), s.channels, 1);
  const ktl::Dims<4> z_shape = dw.output_shape(ktl::dims_of(x));
  ktl::Tensor<float, 4> z(z_shape);
  const ktl::Dims<4> z_last = last ? z_shape : ktl::shape::to_channels_last(z_shape);
  dn::Runner r_dw = dn::make_convolution(config(s, last, true, s.channels, CM), x.data(),
                                         dw.depthwise_kernel().data(), dw.bias().data(), z.data());
  if (s.layer == "DepthwiseConv2D") {
    for (auto _ : state) {
      r_dw.run();
      benchmark::DoNotOptimize(z.data());
      benchmark::ClobberMemory();
    }
    state.counters["reorders"] = static_cast<double>(r_dw.reorders_per_run());
  } else {
    const auto sep = ktl::SeparableConv2D::make(sep_options(s, f), s.channels, 1);
    ktl::Tensor<float, 4> y(sep.output_shape(ktl::dims_of(x)));
    auto dc = config(s, last, true, s.channels, CM);
    dc.bias = false;
    dn::Runner r1 = dn::make_convolution(dc, x.data(), sep.depthwise_kernel().data(), nullptr, z.data());
    dn::Runner r2 = dn::make_convolution(config(s, last, false, CM, s.filters), z.data(),
                                         sep.pointwise_kernel().data(), sep.bias().data(), y.data());
    for (auto _ : state) {
      r1.run();
      r2.run();
      benchmark::DoNotOptimize(y.data());
      benchmark::ClobberMemory();
    }
    state.counters["reorders"] = static_cast<double>(r1.reorders_per_run() + r2.reorders_per_run());
  }
  ktl::bench::set_flops(state, flops(s, z_last), threads);
}
#endif

void register_shape(const ConvShape& s) {
  for (auto f : {ktl::DataFormat::channels_last, ktl::DataFormat::channels_first}) {
    for (int threads : {1, 2}) {
      const std::string suffix = std::string(s.name) + "/" + std::string(ktl::to_string(f)) +
                                 "/threads:" + std::to_string(threads);
      benchmark::RegisterBenchmark(("ktl/" + suffix).c_str(), run_ktl, s, f, threads)
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond);
#if defined(KTL_HAVE_DNNL)
      benchmark::RegisterBenchmark(("onednn/" + suffix).c_str(), run_onednn, s, f, threads)
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond);
#endif
    }
  }
}

const bool registered = [] {
  for (const ConvShape& s : ktl::bench::conv_shapes)
    if (s.layer == "DepthwiseConv2D" || s.layer == "SeparableConv2D") register_shape(s);
  static constexpr ConvShape smoke_dw{"smoke", "DepthwiseConv2D", 2, 1, {9, 11, 1}, 5, 2,
                                      {3, 3, 1}, 1, 1, "same"};
  static constexpr ConvShape smoke_sep{"smoke", "SeparableConv2D", 2, 1, {9, 11, 1}, 5, 6,
                                       {3, 3, 1}, 1, 1, "same"};
  for (auto f : {ktl::DataFormat::channels_last, ktl::DataFormat::channels_first}) {
    const std::string fs(ktl::to_string(f));
    benchmark::RegisterBenchmark(("ktl/dw_smoke/" + fs + "/threads:2").c_str(), run_ktl, smoke_dw, f, 2)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("ktl/sep_smoke/" + fs + "/threads:2").c_str(), run_ktl, smoke_sep, f, 2)
        ->UseRealTime();
  }
  return true;
}();

}  // namespace
