// Conv1D / Conv2D / Conv3D throughput on the shapes (shapes.hpp conv_shapes, the Conv*
// rows), both data formats, 1 and 2 threads, ktl and its peers side by side. ktl runs
// Conv::forward into a preallocated output with a reused workspace (no allocation per call).
// oneDNN runs convolution_forward over the same user layout (nwc / nhwc / ndhwc or the
// channels_first twins), weights reordered once at setup, src/dst reorders (if oneDNN's chosen
// format needs them) inside the timed loop. XNNPACK runs its NHWC convolution (channels_last,
// 1-D and 2-D shapes; a 1-D convolution as height 1), weights re-laid out once at setup.
// Before timing, every peer case checks that it computes ktl's numbers on the case's data.
// Counters: GFLOP/s (2 flops per multiply-add) and peak% of the measured FMA peak.
// On a shared, loaded machine wall time says little, so every 1-thread case is also registered
// with the variant "cputime": the same loop timed by the calling thread's CPU time (ktl with
// ThreadPool(1), oneDNN with 1 OpenMP thread and XNNPACK without a pool all run entirely on the
// calling thread).
#include <algorithm>
#include <array>
#include <memory>
#include <string>

#include <time.h>

#include <benchmark/benchmark.h>

#include <ktl/layers/conv.hpp>

#include "harness.hpp"
#include "onednn.hpp"
#include "shapes.hpp"
#include "xnnpack.hpp"

namespace {

using ktl::Index;

/// CPU time of the calling thread, in seconds.
double thread_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

/// Runs `body` once per iteration; with cpu_time the iteration is timed by thread CPU time.
template <typename Body>
void timed_loop(benchmark::State& state, bool cpu_time, Body&& body) {
  for (auto _ : state) {
    const double t0 = cpu_time ? thread_seconds() : 0.0;
    body();
    if (cpu_time) state.SetIterationTime(thread_seconds() - t0);
  }
}
using ktl::bench::ConvShape;

template <int N>
ktl::ConvOptions<N> options_for(const ConvShape& s, ktl::DataFormat f) {
  ktl::ConvOptions<N> o;
  o.filters = s.filters;
  for (int a = 0; a < N; ++a) o.kernel_size[a] = s.kernel[static_cast<std::size_t>(a)];
  o.strides = s.stride;
  o.dilation_rate = s.dilation;
  o.padding = ktl::parse_padding(s.padding);
  o.data_format = f;
  return o;
}

template <int N>
ktl::Dims<N + 2> input_dims(const ConvShape& s, ktl::DataFormat f) {
  std::array<Index, static_cast<std::size_t>(N)> sp{};
  for (int a = 0; a < N; ++a) sp[static_cast<std::size_t>(a)] = s.input[static_cast<std::size_t>(a)];
  return ktl::shape::make_shape<N>(f, s.batch, sp, s.channels);
}

template <int N>
ktl::Conv<float, N> make_layer(const ConvShape& s, ktl::DataFormat f) {
  return ktl::Conv<float, N>::make(options_for<N>(s, f), s.channels, 42);
}

template <int N>
double flops_of(const ktl::Conv<float, N>& conv, const ktl::Dims<N + 2>& in) {
  const auto out = conv.output_shape(in);
  return 2.0 * ktl::shape::conv_macs<N>(out, conv.options().kernel_size, conv.input_channels(),
                                        conv.options().groups);
}

/// ktl's output for the case's input (the reference a peer must reproduce).
template <int N>
ktl::Tensor<float, N + 2> ktl_output(const ktl::Conv<float, N>& conv, const ktl::Tensor<float, N + 2>& x) {
  const ktl::ThreadPool one(1);
  return conv(ktl::view(x), one);
}

template <int N>
void bench_ktl(benchmark::State& state, ConvShape s, ktl::DataFormat f, int threads, bool cpu_time) {
  const auto conv = make_layer<N>(s, f);
  const auto in = input_dims<N>(s, f);
  ktl::Tensor<float, N + 2> x(in);
  ktl::bench::fill_random(x);
  ktl::Tensor<float, N + 2> y(conv.output_shape(in));
  const ktl::ThreadPool pool(threads);
  ktl::Workspace ws;
  conv.forward(ktl::view(x), ktl::mutable_view(y), ws, pool);  // grows the workspace once
  timed_loop(state, cpu_time, [&] {
    conv.forward(ktl::view(x), ktl::mutable_view(y), ws, pool);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  });
  ktl::bench::set_flops(state, flops_of<N>(conv, in), threads);
}

/// Relative tolerance of a peer against ktl: both sum up to a few thousand float products in
/// their own orders.
constexpr double kPeerTolerance = 1e-4;

#if defined(KTL_HAVE_DNNL)
template <int N>
void bench_onednn(benchmark::State& state, ConvShape s, ktl::DataFormat f, int threads, bool cpu_time) {
  namespace dn = ktl::bench::onednn;
  dn::set_num_threads(threads);
  const auto conv = make_layer<N>(s, f);  // same weights and shapes as the ktl case
  const auto in = input_dims<N>(s, f);
  const auto out = conv.output_shape(in);
  ktl::Tensor<float, N + 2> x(in);
  ktl::bench::fill_random(x);
  ktl::Tensor<float, N + 2> y(out);
  dn::ConvConfig c;
  c.rank = N;
  c.channels_last = f == ktl::DataFormat::channels_last;
  c.batch = s.batch;
  c.channels = s.channels;
  c.filters = s.filters;
  const auto sp_in = ktl::shape::spatial_dims<N>(in, f);
  const auto sp_out = ktl::shape::spatial_dims<N>(out, f);
  for (int a = 0; a < N; ++a) {
    const auto i = static_cast<std::size_t>(a);
    const Index k = s.kernel[i];
    c.input.push_back(sp_in[i]);
    c.output.push_back(sp_out[i]);
    c.kernel.push_back(k);
    c.strides.push_back(s.stride);
    c.dilation.push_back(s.dilation);
    const auto pads = ktl::shape::conv_padding(sp_in[i], k, s.stride, s.dilation, conv.options().padding);
    c.pad_before.push_back(pads.before);
    // oneDNN wants the padding that makes its output length come out exactly.
    c.pad_after.push_back(std::max<Index>(
        0, (sp_out[i] - 1) * s.stride + ktl::shape::effective_kernel(k, s.dilation) - sp_in[i] - pads.before));
  }
  dn::Runner r = dn::make_convolution(c, x.data(), conv.kernel().data(), conv.bias().data(), y.data());
  r.run();
  const auto want = ktl_output<N>(conv, x);
  if (!ktl::bench::same_numbers(state, "oneDNN", y.data(), want.data(), y.size(), kPeerTolerance)) return;
  timed_loop(state, cpu_time, [&] {
    r.run();
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  });
  state.counters["reorders"] = static_cast<double>(r.reorders_per_run());
  ktl::bench::set_flops(state, flops_of<N>(conv, in), threads);
  dn::set_num_threads(1);
}
#endif

#if defined(KTL_HAVE_XNNPACK)
/// XNNPACK's NHWC convolution on a channels_last Conv1D (as height 1) or Conv2D case.
template <int N>
void bench_xnnpack(benchmark::State& state, ConvShape s, ktl::DataFormat f, int threads, bool cpu_time) {
  static_assert(N == 1 || N == 2, "XNNPACK has 2-D convolutions only");
  namespace xn = ktl::bench::xnnpack;
  const auto conv = make_layer<N>(s, f);
  const auto in = input_dims<N>(s, f);
  const auto out = conv.output_shape(in);
  ktl::Tensor<float, N + 2> x(in);
  ktl::bench::fill_random(x);
  ktl::Tensor<float, N + 2> y(out);
  const xn::Buffer input(x.data(), static_cast<std::size_t>(x.size()));
  xn::ConvSpec c;
  c.batch = static_cast<std::size_t>(s.batch);
  c.channels = static_cast<std::size_t>(s.channels);
  c.filters = static_cast<std::size_t>(s.filters);
  std::array<std::uint32_t, 2> kernel{1, 1}, pad_before{0, 0}, pad_after{0, 0};
  std::array<std::size_t, 2> extent{1, 1};
  for (int a = 0; a < N; ++a) {
    const auto i = static_cast<std::size_t>(a), j = static_cast<std::size_t>(a + 2 - N);  // 1-D: width
    const auto pads = ktl::shape::conv_padding(in[i + 1], s.kernel[i], s.stride, s.dilation, conv.options().padding);
    const Index after = std::max<Index>(
        0, (out[i + 1] - 1) * s.stride + ktl::shape::effective_kernel(s.kernel[i], s.dilation) - in[i + 1] - pads.before);
    kernel[j] = static_cast<std::uint32_t>(s.kernel[i]);
    pad_before[j] = static_cast<std::uint32_t>(pads.before);
    pad_after[j] = static_cast<std::uint32_t>(after);
    extent[j] = static_cast<std::size_t>(in[i + 1]);
  }
  c.height = extent[0];
  c.width = extent[1];
  c.kernel_h = kernel[0];
  c.kernel_w = kernel[1];
  c.pad_top = pad_before[0];
  c.pad_bottom = pad_after[0];
  c.pad_left = pad_before[1];
  c.pad_right = pad_after[1];
  const auto stride = static_cast<std::uint32_t>(s.stride), dilation = static_cast<std::uint32_t>(s.dilation);
  c.stride_h = N == 2 ? stride : 1;
  c.stride_w = stride;
  c.dilation_h = N == 2 ? dilation : 1;
  c.dilation_w = dilation;
  const xn::ThreadPool pool(threads);
  xn::Operator op;
  try {
    op = xn::convolution(c, conv.kernel().data(), conv.bias().data(), input, y.data(), pool.get());
    op.run(pool.get());
  } catch (const std::exception& e) {
    ktl::bench::fail(state, e.what());
    return;
  }
  const auto want = ktl_output<N>(conv, x);
  if (!ktl::bench::same_numbers(state, "XNNPACK", y.data(), want.data(), y.size(), kPeerTolerance)) return;
  timed_loop(state, cpu_time, [&] {
    op.run(pool.get());
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  });
  ktl::bench::set_flops(state, flops_of<N>(conv, in), threads);
}
#endif

/// Registers one implementation's case; cputime cases are timed manually, the others by wall time.
template <typename Fn>
void add_case(const std::string& impl, const ConvShape& s, ktl::DataFormat f, int threads, bool cpu_time, Fn fn) {
  const std::string name = ktl::bench::case_name("conv", impl, s.name, ktl::to_string(f), threads,
                                                 cpu_time ? "cputime" : "");
  auto* b = benchmark::RegisterBenchmark(name.c_str(), fn, s, f, threads, cpu_time);
  b->Unit(benchmark::kMillisecond);
  cpu_time ? b->UseManualTime() : b->UseRealTime();
}

template <int N>
void register_shape(const ConvShape& s) {
  for (auto f : {ktl::DataFormat::channels_last, ktl::DataFormat::channels_first}) {
    for (int threads : {1, 2}) {
      for (bool cpu_time : {false, true}) {
        if (cpu_time && threads != 1) continue;
        add_case("ktl", s, f, threads, cpu_time, bench_ktl<N>);
#if defined(KTL_HAVE_DNNL)
        add_case("onednn", s, f, threads, cpu_time, bench_onednn<N>);
#endif
#if defined(KTL_HAVE_XNNPACK)
        if constexpr (N <= 2)
          if (f == ktl::DataFormat::channels_last) add_case("xnnpack", s, f, threads, cpu_time, bench_xnnpack<N>);
#endif
      }
    }
  }
}

const bool registered = [] {
  for (const ConvShape& s : ktl::bench::conv_shapes) {
    if (s.layer != "Conv1D" && s.layer != "Conv2D" && s.layer != "Conv3D") continue;
    if (s.rank == 1) register_shape<1>(s);
    if (s.rank == 2) register_shape<2>(s);
    if (s.rank == 3) register_shape<3>(s);
  }
  // Tiny cases for the ctest smoke run (--benchmark_filter=smoke): one iteration of ktl and of
  // each peer, which also checks on a small case that every peer computes ktl's numbers.
  static constexpr ConvShape smoke{"smoke", "Conv2D", 2, 1, {8, 8, 1}, 4, 8, {3, 3, 1}, 2, 1, "same"};
  static constexpr ConvShape smoke_1d{"smoke_causal", "Conv1D", 1, 2, {9, 1, 1}, 3, 5, {3, 1, 1}, 1, 2, "causal"};
  const auto last = ktl::DataFormat::channels_last, first = ktl::DataFormat::channels_first;
  add_case("ktl", smoke, last, 1, false, bench_ktl<2>);
#if defined(KTL_HAVE_DNNL)
  add_case("onednn", smoke, last, 1, false, bench_onednn<2>);
  add_case("onednn", smoke, first, 2, false, bench_onednn<2>);
#endif
#if defined(KTL_HAVE_XNNPACK)
  add_case("xnnpack", smoke, last, 2, false, bench_xnnpack<2>);
  add_case("xnnpack", smoke_1d, last, 1, false, bench_xnnpack<1>);
#endif
  (void)first;
  (void)smoke_1d;
  return true;
}();

}  // namespace
