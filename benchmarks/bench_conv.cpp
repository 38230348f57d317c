// Conv1D / Conv2D / Conv3D throughput on the shapes (shapes.hpp conv_shapes, the Conv*
// rows), both data formats, 1 and 2 threads, ktl and oneDNN side by side. ktl runs
// Conv::forward into a preallocated output with a reused workspace (no allocation per call);
// oneDNN runs convolution_forward over the same user layout (nwc / nhwc / ndhwc or the
// channels_first twins), weights reordered once at setup, src/dst reorders (if oneDNN's chosen
// format needs them) inside the timed loop. Counters: GFLOP/s (2 flops per multiply-add) and
// peak% of the machine's FMA peak for the threads used.
// On a shared, loaded machine wall time says little, so every 1-thread case is also registered
// with the suffix "/cputime": the same loop timed by the calling thread's CPU time (both ktl with
// ThreadPool(1) and oneDNN with 1 OpenMP thread run entirely on the calling thread).
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

template <int N>
void register_shape(const ConvShape& s) {
  for (auto f : {ktl::DataFormat::channels_last, ktl::DataFormat::channels_first}) {
    const std::string fmt = f == ktl::DataFormat::channels_last ? "last" : "first";
    for (int threads : {1, 2}) {
      for (bool cpu_time : {false, true}) {
        if (cpu_time && threads != 1) continue;
        const std::string suffix = std::string(s.name) + "/" + fmt + "/threads:" + std::to_string(threads) +
                                   (cpu_time ? "/cputime" : "");
        auto* k = benchmark::RegisterBenchmark(("conv/ktl/" + suffix).c_str(), bench_ktl<N>, s, f, threads, cpu_time);
        k->Unit(benchmark::kMillisecond);
        cpu_time ? k->UseManualTime() : k->UseRealTime();
#if defined(KTL_HAVE_DNNL)
        auto* d = benchmark::RegisterBenchmark(("conv/onednn/" + suffix).c_str(), bench_onednn<N>, s, f, threads, cpu_time);
        d->Unit(benchmark::kMillisecond);
        cpu_time ? d->UseManualTime() : d->UseRealTime();
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
  // A tiny case for the ctest smoke run (--benchmark_filter=smoke).
  static constexpr ConvShape smoke{"smoke", "Conv2D", 2, 1, {8, 8, 1}, 4, 8, {3, 3, 1}, 1, 1, "same"};
  benchmark::RegisterBenchmark("conv/ktl/smoke", bench_ktl<2>, smoke, ktl::DataFormat::channels_last, 1, false)
      ->UseRealTime();
#if defined(KTL_HAVE_DNNL)
  benchmark::RegisterBenchmark("conv/onednn/smoke", bench_onednn<2>, smoke, ktl::DataFormat::channels_last, 1, false)
      ->UseRealTime();
#endif
  return true;
}();

}  // namespace
