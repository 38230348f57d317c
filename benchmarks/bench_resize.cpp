// Reshaping layers (issue 5): every resize_shapes row x {channels_last, channels_first} x {1, 2}
// threads x {output into a caller-provided tensor, freshly allocated output}, against a memcpy
// baseline measured in the same binary.
//
// Baseline: memcpy of max(input bytes, output bytes) from one preallocated, pre-touched buffer to
// another (it reads and writes at least as many bytes as the layer must: the layer reads its
// input once and writes its output once). At 2 threads the copy is split into two halves, one per
// thread of a ktl::ThreadPool(2). Every layer case reports
//   GB/s       compulsory traffic (input bytes + output bytes) per second,
//   x_memcpy   the layer's time divided by the baseline's time at the same thread count: blocks
//              of 4 layer calls alternate with blocks of 4 baseline copies (so both see the same
//              machine load on this shared machine, each in its own steady cache state); the
//              case's time is the layer calls' wall time (UseManualTime, a steady_clock around
//              each call), and x_memcpy = mean(layer call) / mean(copy);
//   x_memcpy_min  fastest layer call / fastest copy: the uncontended ratio, robust against the
//              other processes of a shared machine.
// oneDNN's resampling (nearest / linear) can run side by side (KTL_HAVE_DNNL): Debian's oneDNN
// 2.6.3 segfaults inside its JIT resampling kernels on this machine (AVX2 and AVX-512 ISAs; the
// SSE4.1 kernel works), so those cases are registered only when the environment variable
// KTL_BENCH_ONEDNN_RESAMPLING=1 is set (combine with ONEDNN_MAX_CPU_ISA=SSE41 here).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <ktl/core/parallel.hpp>
#include <ktl/core/workspace.hpp>
#include <ktl/layers/cropping.hpp>
#include <ktl/layers/up_sampling.hpp>
#include <ktl/layers/zero_padding.hpp>

#include "harness.hpp"
#include "shapes.hpp"

#if defined(KTL_HAVE_DNNL)
#include "onednn.hpp"
#endif

namespace {

using ktl::DataFormat;
using ktl::Index;
using ktl::bench::ResizeShape;

/// Layer calls and baseline copies alternate in blocks of this many, so that both see the same
/// machine load while each keeps its own steady cache state.
constexpr std::int64_t kBlock = 4;

/// Two page-touched buffers of `bytes` each and the split copy between them.
struct CopyBaseline {
  std::vector<unsigned char> src, dst;
  explicit CopyBaseline(std::size_t bytes) : src(bytes, 1), dst(bytes, 2) {}
  void run(const ktl::ThreadPool& pool) {
    const auto n = static_cast<Index>(src.size());
    const Index parts = pool.num_threads();
    pool.parallel_for(parts, [&](Index t) {
      const Index b = n * t / parts, e = n * (t + 1) / parts;
      std::memcpy(dst.data() + b, src.data() + b, static_cast<std::size_t>(e - b));
    });
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  /// Seconds of `n` consecutive copies; keeps the fastest single copy in `fastest`.
  double timed_block(const ktl::ThreadPool& pool, std::int64_t n) {
    double total = 0.0;
    for (std::int64_t i = 0; i < n; ++i) {
      const auto s = std::chrono::steady_clock::now();
      run(pool);
      const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - s).count();
      total += dt;
      fastest = std::min(fastest, dt);
    }
    return total;
  }
  double fastest = 1e30;
};

template <int R>
ktl::Dims<R> input_dims(const ResizeShape& s, DataFormat f) {
  std::array<Index, static_cast<std::size_t>(R - 2)> sp{};
  for (int a = 0; a < R - 2; ++a) sp[static_cast<std::size_t>(a)] = s.input[static_cast<std::size_t>(a)];
  return ktl::shape::make_shape<R - 2>(f, s.batch, sp, s.channels);
}

/// Times one layer on one shape; `fresh` returns a new tensor per call instead of writing into
/// a caller-provided one.
template <typename Layer>
void run_layer(benchmark::State& state, const Layer& layer, const ResizeShape& s, DataFormat f,
               int threads, bool fresh) {
  constexpr int R = Layer::rank;
  const ktl::ThreadPool pool(threads);
  const ktl::Dims<R> in = input_dims<R>(s, f);
  ktl::Tensor<float, R> x(in);
  ktl::bench::fill_random(x);
  ktl::Tensor<float, R> y(layer.output_shape(in));
  y.setZero();
  ktl::Workspace ws;
  const double in_bytes = static_cast<double>(x.size()) * sizeof(float);
  const double out_bytes = static_cast<double>(y.size()) * sizeof(float);
  CopyBaseline copy(static_cast<std::size_t>(std::max(in_bytes, out_bytes)));
  copy.run(pool);
  layer.forward(ktl::view(x), ktl::mutable_view(y), ws, pool);  // warm the workspace
  // Only the layer calls count as iteration time; baseline copies run in blocks in between.
  double layer_seconds = 0.0, copy_seconds = 0.0, fastest = 1e30;
  std::int64_t calls = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    if (fresh) {
      auto z = layer(ktl::view(x), pool);
      benchmark::DoNotOptimize(z.data());
      benchmark::ClobberMemory();
    } else {
      layer.forward(ktl::view(x), ktl::mutable_view(y), ws, pool);
      benchmark::DoNotOptimize(y.data());
      benchmark::ClobberMemory();
    }
    const auto t1 = std::chrono::steady_clock::now();
    const double dt = std::chrono::duration<double>(t1 - t0).count();
    state.SetIterationTime(dt);
    layer_seconds += dt;
    fastest = std::min(fastest, dt);
    if (++calls % kBlock == 0) copy_seconds += copy.timed_block(pool, kBlock);
  }
  if (calls % kBlock != 0) copy_seconds += copy.timed_block(pool, calls % kBlock);
  const double copies = static_cast<double>(std::max<std::int64_t>(calls, 1));
  if (calls == 0) copy_seconds = 1.0;
  ktl::bench::set_bytes(state, in_bytes + out_bytes);
  state.counters["x_memcpy"] = layer_seconds / copy_seconds;
  state.counters["x_memcpy_min"] = fastest / copy.fastest;
  state.counters["memcpy_us"] = copy_seconds / copies * 1e6;
}

/// Dispatches a table row to its layer.
void run_row(benchmark::State& state, const ResizeShape& s, DataFormat f, int threads, bool fresh) {
  const std::string layer(s.layer);
  if (layer == "UpSampling2D nearest" || layer == "UpSampling2D bilinear") {
    ktl::UpSampling2DOptions o;
    o.size = s.amount;
    o.data_format = f;
    o.interpolation = layer == "UpSampling2D nearest" ? ktl::Interpolation::nearest : ktl::Interpolation::bilinear;
    run_layer(state, ktl::UpSampling2D(o), s, f, threads, fresh);
  } else if (layer == "ZeroPadding2D") {
    ktl::ZeroPadding2DOptions o;
    o.padding = s.amount;
    o.data_format = f;
    run_layer(state, ktl::ZeroPadding2D(o), s, f, threads, fresh);
  } else if (layer == "Cropping2D") {
    ktl::Cropping2DOptions o;
    o.cropping = s.amount;
    o.data_format = f;
    run_layer(state, ktl::Cropping2D(o), s, f, threads, fresh);
  } else if (layer == "UpSampling3D") {
    ktl::UpSampling3DOptions o;
    o.size = s.amount;
    o.data_format = f;
    run_layer(state, ktl::UpSampling3D(o), s, f, threads, fresh);
  } else {
    state.SkipWithError(("unknown layer " + layer).c_str());
  }
}

/// The baseline on its own: memcpy of max(input, output) bytes of a row.
void run_memcpy(benchmark::State& state, const ResizeShape& s, int threads) {
  const ktl::ThreadPool pool(threads);
  double in = static_cast<double>(s.batch * s.channels), out = in;
  for (int a = 0; a < s.rank; ++a) {
    const auto e = static_cast<double>(s.input[static_cast<std::size_t>(a)]);
    in *= e;
    const bool up = s.layer.substr(0, 10) == "UpSampling";
    const bool crop = s.layer == "Cropping2D";
    out *= up ? e * static_cast<double>(s.amount) : crop ? e - 2.0 * static_cast<double>(s.amount)
                                                          : e + 2.0 * static_cast<double>(s.amount);
  }
  const double bytes = std::max(in, out) * sizeof(float);
  CopyBaseline copy(static_cast<std::size_t>(bytes));
  copy.run(pool);
  for (auto _ : state) copy.run(pool);
  ktl::bench::set_bytes(state, 2.0 * bytes);
}

#if defined(KTL_HAVE_DNNL)
/// oneDNN resampling (forward_inference) on the same shape, in the layout of the data format.
void run_onednn(benchmark::State& state, const ResizeShape& s, DataFormat f, int threads) {
  namespace dn = ktl::bench::onednn;
  dn::set_num_threads(threads);
  auto& ctx = dn::context();
  const bool bilinear = s.layer == "UpSampling2D bilinear";
  dnnl::memory::dims src{s.batch, s.channels}, dst{s.batch, s.channels};
  for (int a = 0; a < s.rank; ++a) {
    src.push_back(s.input[static_cast<std::size_t>(a)]);
    dst.push_back(s.input[static_cast<std::size_t>(a)] * s.amount);
  }
  const bool last = f == DataFormat::channels_last;
  const auto layout = s.rank == 3 ? (last ? dn::tag::ndhwc : dn::tag::ncdhw) : (last ? dn::tag::nhwc : dn::tag::nchw);
  const dnnl::memory::desc src_md(src, dn::dt::f32, layout), dst_md(dst, dn::dt::f32, layout);
  std::vector<float> x(src_md.get_size() / sizeof(float)), y(dst_md.get_size() / sizeof(float));
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 97) * 0.01f;
  dnnl::memory xm(src_md, ctx.engine, x.data()), ym(dst_md, ctx.engine, y.data());
  const dnnl::resampling_forward::desc d(dnnl::prop_kind::forward_inference,
                                         bilinear ? dnnl::algorithm::resampling_linear : dnnl::algorithm::resampling_nearest,
                                         src_md, dst_md);
  const dnnl::resampling_forward::primitive_desc pd(d, ctx.engine);
  dnnl::resampling_forward prim(pd);
  auto run = [&] {
    prim.execute(ctx.stream, {{DNNL_ARG_SRC, xm}, {DNNL_ARG_DST, ym}});
    ctx.stream.wait();
  };
  const ktl::ThreadPool pool(threads);
  const double in_bytes = static_cast<double>(x.size()) * sizeof(float);
  const double out_bytes = static_cast<double>(y.size()) * sizeof(float);
  CopyBaseline copy(static_cast<std::size_t>(std::max(in_bytes, out_bytes)));
  copy.run(pool);
  run();
  double layer_seconds = 0.0, copy_seconds = 0.0, fastest = 1e30;
  std::int64_t calls = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    run();
    benchmark::DoNotOptimize(y.data());
    const auto t1 = std::chrono::steady_clock::now();
    const double dt = std::chrono::duration<double>(t1 - t0).count();
    state.SetIterationTime(dt);
    layer_seconds += dt;
    fastest = std::min(fastest, dt);
    if (++calls % kBlock == 0) copy_seconds += copy.timed_block(pool, kBlock);
  }
  if (calls % kBlock != 0) copy_seconds += copy.timed_block(pool, calls % kBlock);
  const double copies = static_cast<double>(std::max<std::int64_t>(calls, 1));
  if (calls == 0) copy_seconds = 1.0;
  ktl::bench::set_bytes(state, in_bytes + out_bytes);
  state.counters["x_memcpy"] = layer_seconds / copy_seconds;
  state.counters["x_memcpy_min"] = fastest / copy.fastest;
  (void)copies;
}
#endif

const char* format_name(DataFormat f) { return f == DataFormat::channels_last ? "cl" : "cf"; }

int register_all() {
#if defined(KTL_HAVE_DNNL)
  const char* env = std::getenv("KTL_BENCH_ONEDNN_RESAMPLING");
  const bool with_onednn = env && std::string(env) == "1";
#endif
  for (const ResizeShape& s : ktl::bench::resize_shapes) {
    for (int threads : {1, 2}) {
      benchmark::RegisterBenchmark(("resize/" + std::string(s.name) + "/memcpy/t" + std::to_string(threads)).c_str(),
                                   [s, threads](benchmark::State& st) { run_memcpy(st, s, threads); })
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond);
      for (DataFormat f : {DataFormat::channels_last, DataFormat::channels_first}) {
        for (bool fresh : {false, true}) {
          const std::string name = "resize/" + std::string(s.name) + "/" + format_name(f) + "/t" +
                                   std::to_string(threads) + (fresh ? "/fresh" : "/caller");
          benchmark::RegisterBenchmark(name.c_str(), [s, f, threads, fresh](benchmark::State& st) {
            run_row(st, s, f, threads, fresh);
          })->UseManualTime()->Unit(benchmark::kMicrosecond);
        }
#if defined(KTL_HAVE_DNNL)
        if (with_onednn && s.layer.substr(0, 10) == "UpSampling")
          benchmark::RegisterBenchmark(("resize/" + std::string(s.name) + "/" + format_name(f) + "/t" +
                                        std::to_string(threads) + "/onednn").c_str(),
                                       [s, f, threads](benchmark::State& st) { run_onednn(st, s, f, threads); })
              ->UseManualTime()
              ->Unit(benchmark::kMicrosecond);
#endif
      }
    }
  }
  // One tiny case for the ctest smoke run.
  static constexpr ResizeShape smoke{"smoke", "UpSampling2D bilinear", 2, 1, {8, 8, 1}, 4, 2};
  benchmark::RegisterBenchmark("resize/smoke", [](benchmark::State& st) {
    run_row(st, smoke, DataFormat::channels_last, 1, false);
  })->UseManualTime();
  return 0;
}

const int registered = register_all();

}  // namespace
