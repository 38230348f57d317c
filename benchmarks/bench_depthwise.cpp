// Depthwise and separable convolution benchmarks (issue 3): dw_3x3 (DepthwiseConv2D) and sep_3x3
// (SeparableConv2D) of conv_shapes x {channels_last, channels_first} x {1, 2} threads, ktl and its
// peers side by side. oneDNN runs the depthwise step as a grouped convolution (groups = C) and the
// separable layer as that plus a 1x1 convolution (two primitives through a user buffer; oneDNN 2.6
// has no depthwise-then-pointwise fusion: its dw post-op fuses the other order). XNNPACK
// (channels_last only) runs its depthwise convolution, plus its 1x1 convolution for separable,
// with relu fused as its output clamp. Every peer case first checks it computes ktl's numbers.
// GFLOP/s counts 2 * out_pixels * C * M * prod(k) (+ 2 * out_pixels * C * M * filters for
// separable); depthwise is bound by memory traffic, so GB/s counts input + output + weights.
#include <array>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

#include <benchmark/benchmark.h>

#include <ktl/layers/depthwise_conv.hpp>
#include <ktl/layers/separable_conv.hpp>

#include "harness.hpp"
#include "onednn.hpp"
#include "shapes.hpp"
#include "xnnpack.hpp"

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

/// Compulsory bytes of one call: input and output once, the weights once.
double bytes(const ConvShape& s, const ktl::Dims<4>& out_last) {
  const double in = static_cast<double>(s.batch * s.input[0] * s.input[1] * s.channels);
  const double out = static_cast<double>(out_last[0] * out_last[1] * out_last[2] * out_last[3]);
  const double cm = static_cast<double>(s.channels * multiplier_of(s));
  double weights = cm * static_cast<double>(s.kernel[0] * s.kernel[1]);
  weights += s.layer == "SeparableConv2D" ? cm * static_cast<double>(s.filters) + static_cast<double>(s.filters)
                                          : cm;
  return (in + out + weights) * sizeof(float);
}

/// Counters of a case: GFLOP/s, peak%, GB/s.
void set_counters(benchmark::State& state, const ConvShape& s, const ktl::Dims<4>& out, ktl::DataFormat f,
                  int threads) {
  const ktl::Dims<4> out_last = f == ktl::DataFormat::channels_last ? out : ktl::shape::to_channels_last(out);
  ktl::bench::set_flops(state, flops(s, out_last), threads);
  ktl::bench::set_bytes(state, bytes(s, out_last));
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
  set_counters(state, s, ktl::dims_of(y), f, threads);
}

void run_ktl(benchmark::State& state, ConvShape s, ktl::DataFormat f, int threads) {
  if (s.layer == "DepthwiseConv2D")
    run_layer(state, ktl::DepthwiseConv2D::make(dw_options(s, f, multiplier_of(s)), s.channels, 1),
              s, f, threads);
  else
    run_layer(state, ktl::SeparableConv2D::make(sep_options(s, f), s.channels, 1), s, f, threads);
}

/// ktl's output of a layer on x, the numbers a peer must reproduce.
template <typename Layer>
ktl::Tensor<float, 4> ktl_output(const Layer& layer, const ktl::Tensor<float, 4>& x) {
  const ktl::ThreadPool one(1);
  return layer(ktl::view(x), one);
}

/// Relative tolerance of a peer against ktl (sums of at most a few hundred products).
constexpr double kPeerTolerance = 1e-4;

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
  if (s.layer == "DepthwiseConv2D") {
    auto c = config(s, last, true, s.channels, CM);
    c.relu = true;  // the layer's activation, fused as oneDNN's post-op
    dn::Runner r_dw = dn::make_convolution(c, x.data(), dw.depthwise_kernel().data(), dw.bias().data(), z.data());
    r_dw.run();
    const auto want = ktl_output(dw, x);
    if (!ktl::bench::same_numbers(state, "oneDNN", z.data(), want.data(), z.size(), kPeerTolerance)) return;
    for (auto _ : state) {
      r_dw.run();
      benchmark::DoNotOptimize(z.data());
      benchmark::ClobberMemory();
    }
    state.counters["reorders"] = static_cast<double>(r_dw.reorders_per_run());
    set_counters(state, s, z_shape, f, threads);
  } else {
    const auto sep = ktl::SeparableConv2D::make(sep_options(s, f), s.channels, 1);
    ktl::Tensor<float, 4> y(sep.output_shape(ktl::dims_of(x)));
    auto dc = config(s, last, true, s.channels, CM);
    dc.bias = false;
    auto pc = config(s, last, false, CM, s.filters);
    pc.relu = true;
    dn::Runner r1 = dn::make_convolution(dc, x.data(), sep.depthwise_kernel().data(), nullptr, z.data());
    dn::Runner r2 = dn::make_convolution(pc, z.data(), sep.pointwise_kernel().data(), sep.bias().data(), y.data());
    r1.run();
    r2.run();
    const auto want = ktl_output(sep, x);
    if (!ktl::bench::same_numbers(state, "oneDNN", y.data(), want.data(), y.size(), kPeerTolerance)) return;
    for (auto _ : state) {
      r1.run();
      r2.run();
      benchmark::DoNotOptimize(y.data());
      benchmark::ClobberMemory();
    }
    state.counters["reorders"] = static_cast<double>(r1.reorders_per_run() + r2.reorders_per_run());
    set_counters(state, s, ktl::dims_of(y), f, threads);
  }
  dn::set_num_threads(1);
}
#endif

#if defined(KTL_HAVE_XNNPACK)
namespace xn = ktl::bench::xnnpack;

/// XNNPACK spec of the depthwise step (`pointwise` false) or of the 1x1 step, NHWC.
xn::ConvSpec xnn_spec(const ConvShape& s, bool pointwise) {
  const ktl::Padding p = ktl::parse_padding(s.padding);
  xn::ConvSpec c;
  c.batch = static_cast<std::size_t>(s.batch);
  if (pointwise) {
    c.height = static_cast<std::size_t>(ktl::shape::conv_output_length(s.input[0], s.kernel[0], s.stride, s.dilation, p));
    c.width = static_cast<std::size_t>(ktl::shape::conv_output_length(s.input[1], s.kernel[1], s.stride, s.dilation, p));
    c.channels = static_cast<std::size_t>(s.channels * multiplier_of(s));
    c.filters = static_cast<std::size_t>(s.filters);
    return c;
  }
  c.height = static_cast<std::size_t>(s.input[0]);
  c.width = static_cast<std::size_t>(s.input[1]);
  c.channels = static_cast<std::size_t>(s.channels);
  c.filters = static_cast<std::size_t>(multiplier_of(s));
  c.depthwise = true;
  c.kernel_h = static_cast<std::uint32_t>(s.kernel[0]);
  c.kernel_w = static_cast<std::uint32_t>(s.kernel[1]);
  c.stride_h = c.stride_w = static_cast<std::uint32_t>(s.stride);
  c.dilation_h = c.dilation_w = static_cast<std::uint32_t>(s.dilation);
  const auto ph = ktl::shape::conv_padding(s.input[0], s.kernel[0], s.stride, s.dilation, p);
  const auto pw = ktl::shape::conv_padding(s.input[1], s.kernel[1], s.stride, s.dilation, p);
  c.pad_top = static_cast<std::uint32_t>(ph.before);
  c.pad_bottom = static_cast<std::uint32_t>(ph.after);
  c.pad_left = static_cast<std::uint32_t>(pw.before);
  c.pad_right = static_cast<std::uint32_t>(pw.after);
  return c;
}

void run_xnnpack(benchmark::State& state, ConvShape s, ktl::DataFormat f, int threads) {
  const Index M = multiplier_of(s);
  ktl::Tensor<float, 4> x(input_shape(s, f));
  ktl::bench::fill_random(x, 7);
  const xn::Buffer input(x.data(), static_cast<std::size_t>(x.size()));
  const xn::ThreadPool pool(threads);
  try {
    if (s.layer == "DepthwiseConv2D") {
      const auto dw = ktl::DepthwiseConv2D::make(dw_options(s, f, M), s.channels, 1);
      ktl::Tensor<float, 4> y(dw.output_shape(ktl::dims_of(x)));
      auto spec = xnn_spec(s, false);
      spec.clamp = xn::relu_clamp();
      const xn::Operator op = xn::convolution(spec, dw.depthwise_kernel().data(), dw.bias().data(), input,
                                              y.data(), pool.get());
      op.run(pool.get());
      const auto want = ktl_output(dw, x);
      if (!ktl::bench::same_numbers(state, "XNNPACK", y.data(), want.data(), y.size(), kPeerTolerance)) return;
      for (auto _ : state) {
        op.run(pool.get());
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
      }
      set_counters(state, s, ktl::dims_of(y), f, threads);
    } else {
      const auto sep = ktl::SeparableConv2D::make(sep_options(s, f), s.channels, 1);
      ktl::Tensor<float, 4> y(sep.output_shape(ktl::dims_of(x)));
      const auto dspec = xnn_spec(s, false);
      auto pspec = xnn_spec(s, true);
      pspec.clamp = xn::relu_clamp();
      xn::Buffer z(dspec.batch * pspec.height * pspec.width * pspec.channels);
      const xn::Operator dw_op = xn::convolution(dspec, sep.depthwise_kernel().data(), nullptr, input, z.data(),
                                                 pool.get());
      const xn::Operator pw_op = xn::convolution(pspec, sep.pointwise_kernel().data(), sep.bias().data(), z,
                                                 y.data(), pool.get());
      dw_op.run(pool.get());
      pw_op.run(pool.get());
      const auto want = ktl_output(sep, x);
      if (!ktl::bench::same_numbers(state, "XNNPACK", y.data(), want.data(), y.size(), kPeerTolerance)) return;
      for (auto _ : state) {
        dw_op.run(pool.get());
        pw_op.run(pool.get());
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
      }
      set_counters(state, s, ktl::dims_of(y), f, threads);
    }
  } catch (const std::exception& e) {
    ktl::bench::fail(state, e.what());
  }
}
#endif

void add_case(const std::string& impl, const ConvShape& s, ktl::DataFormat f, int threads,
              void (*fn)(benchmark::State&, ConvShape, ktl::DataFormat, int)) {
  const std::string name = ktl::bench::case_name("depthwise", impl, s.name, ktl::to_string(f), threads);
  benchmark::RegisterBenchmark(name.c_str(), fn, s, f, threads)->UseRealTime()->Unit(benchmark::kMicrosecond);
}

void register_shape(const ConvShape& s) {
  for (auto f : {ktl::DataFormat::channels_last, ktl::DataFormat::channels_first}) {
    for (int threads : {1, 2}) {
      add_case("ktl", s, f, threads, run_ktl);
#if defined(KTL_HAVE_DNNL)
      add_case("onednn", s, f, threads, run_onednn);
#endif
#if defined(KTL_HAVE_XNNPACK)
      if (f == ktl::DataFormat::channels_last) add_case("xnnpack", s, f, threads, run_xnnpack);
#endif
    }
  }
}

const bool registered = [] {
  for (const ConvShape& s : ktl::bench::conv_shapes)
    if (s.layer == "DepthwiseConv2D" || s.layer == "SeparableConv2D") register_shape(s);
  // Tiny cases for the ctest smoke run: ktl in both formats on 2 threads, and every peer once
  // (which checks on a small case that it computes ktl's numbers).
  static constexpr ConvShape smoke_dw{"smoke_dw", "DepthwiseConv2D", 2, 1, {9, 11, 1}, 5, 2,
                                      {3, 3, 1}, 1, 1, "same"};
  static constexpr ConvShape smoke_sep{"smoke_sep", "SeparableConv2D", 2, 1, {9, 11, 1}, 5, 6,
                                       {3, 3, 1}, 2, 1, "same"};
  for (auto f : {ktl::DataFormat::channels_last, ktl::DataFormat::channels_first}) {
    add_case("ktl", smoke_dw, f, 2, run_ktl);
    add_case("ktl", smoke_sep, f, 2, run_ktl);
#if defined(KTL_HAVE_DNNL)
    add_case("onednn", smoke_dw, f, 1, run_onednn);
    add_case("onednn", smoke_sep, f, 1, run_onednn);
#endif
  }
#if defined(KTL_HAVE_XNNPACK)
  add_case("xnnpack", smoke_dw, ktl::DataFormat::channels_last, 2, run_xnnpack);
  add_case("xnnpack", smoke_sep, ktl::DataFormat::channels_last, 1, run_xnnpack);
#endif
  return true;
}();

}  // namespace
