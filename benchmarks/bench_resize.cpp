// Reshaping layers (issue 5): every resize_shapes row x {channels_last, channels_first} x {1, 2}
// threads x {output into a caller-provided tensor, freshly allocated output (variant "fresh")},
// against a memcpy baseline measured in the same binary, and the peers where they have the
// operation: XNNPACK's bilinear resize (legacy mapping, NHWC and NCHW) and constant padding
// (ZeroPadding2D, any layout), oneDNN's resampling (see below). Every peer case first checks
// that it computes ktl's numbers.
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
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <benchmark/benchmark.h>

#include <ktl/core/parallel.hpp>
#include <ktl/core/workspace.hpp>
#include <ktl/layers/cropping.hpp>
#include <ktl/layers/up_sampling.hpp>
#include <ktl/layers/zero_padding.hpp>

#include "harness.hpp"
#include "shapes.hpp"
#include "xnnpack.hpp"

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

/// Times `call` (one layer call) against the memcpy baseline of the same bytes, alternating in
/// blocks of kBlock, and reports the counters described at the top of this file.
template <typename Call>
void timed_against_memcpy(benchmark::State& state, const ktl::ThreadPool& pool, double in_bytes,
                          double out_bytes, Call&& call) {
  CopyBaseline copy(static_cast<std::size_t>(std::max(in_bytes, out_bytes)));
  copy.run(pool);
  call();  // warms caches and workspaces
  // Only the layer calls count as iteration time; baseline copies run in blocks in between.
  double layer_seconds = 0.0, copy_seconds = 0.0, fastest = 1e30;
  std::int64_t calls = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    call();
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
  timed_against_memcpy(state, pool, in_bytes, out_bytes, [&] {
    if (fresh) {
      auto z = layer(ktl::view(x), pool);
      benchmark::DoNotOptimize(z.data());
      benchmark::ClobberMemory();
    } else {
      layer.forward(ktl::view(x), ktl::mutable_view(y), ws, pool);
      benchmark::DoNotOptimize(y.data());
      benchmark::ClobberMemory();
    }
  });
}

/// Builds the layer of a table row and calls fn(layer); the bilinear rows use `mapping`.
template <typename Fn>
bool with_layer(const ResizeShape& s, DataFormat f, Fn&& fn,
                ktl::BilinearMapping mapping = ktl::BilinearMapping::legacy) {
  const std::string layer(s.layer);
  if (layer == "UpSampling2D nearest" || layer == "UpSampling2D bilinear") {
    ktl::UpSampling2DOptions o;
    o.size = s.amount;
    o.data_format = f;
    o.interpolation = layer == "UpSampling2D nearest" ? ktl::Interpolation::nearest : ktl::Interpolation::bilinear;
    o.bilinear_mapping = mapping;
    fn(ktl::UpSampling2D(o));
  } else if (layer == "ZeroPadding2D") {
    ktl::ZeroPadding2DOptions o;
    o.padding = s.amount;
    o.data_format = f;
    fn(ktl::ZeroPadding2D(o));
  } else if (layer == "Cropping2D") {
    ktl::Cropping2DOptions o;
    o.cropping = s.amount;
    o.data_format = f;
    fn(ktl::Cropping2D(o));
  } else if (layer == "UpSampling3D") {
    ktl::UpSampling3DOptions o;
    o.size = s.amount;
    o.data_format = f;
    fn(ktl::UpSampling3D(o));
  } else {
    return false;
  }
  return true;
}

/// Dispatches a table row to its layer.
void run_row(benchmark::State& state, const ResizeShape& s, DataFormat f, int threads, bool fresh) {
  if (!with_layer(s, f, [&](const auto& layer) { run_layer(state, layer, s, f, threads, fresh); }))
    ktl::bench::fail(state, "unknown layer " + std::string(s.layer));
}

#if defined(KTL_HAVE_DNNL) || defined(KTL_HAVE_XNNPACK)
/// Input of a 2-D row (fixed seed) and ktl's output for it: the numbers a peer must reproduce.
struct Reference {
  ktl::Tensor<float, 4> x, y;
};
Reference reference(const ResizeShape& s, DataFormat f, ktl::BilinearMapping mapping) {
  Reference r;
  r.x = ktl::Tensor<float, 4>(input_dims<4>(s, f));
  ktl::bench::fill_random(r.x);
  with_layer(s, f, [&](const auto& layer) {
    if constexpr (std::decay_t<decltype(layer)>::rank == 4) {
      const ktl::ThreadPool one(1);
      r.y = layer(ktl::view(r.x), one);
    }
  }, mapping);
  return r;
}
#endif

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
/// oneDNN's linear resampling uses the half-pixel mapping, so its reference is ktl's half_pixel.
void run_onednn(benchmark::State& state, const ResizeShape& s, DataFormat f, int threads) {
  namespace dn = ktl::bench::onednn;
  dn::set_num_threads(threads);
  auto& ctx = dn::context();
  const bool bilinear = s.layer == "UpSampling2D bilinear";
  Reference ref = reference(s, f, ktl::BilinearMapping::half_pixel);
  ktl::Tensor<float, 4> y(ktl::dims_of(ref.y));
  dnnl::memory::dims src{s.batch, s.channels}, dst{s.batch, s.channels};
  for (int a = 0; a < s.rank; ++a) {
    src.push_back(s.input[static_cast<std::size_t>(a)]);
    dst.push_back(s.input[static_cast<std::size_t>(a)] * s.amount);
  }
  const auto layout = f == DataFormat::channels_last ? dn::tag::nhwc : dn::tag::nchw;
  const dnnl::memory::desc src_md(src, dn::dt::f32, layout), dst_md(dst, dn::dt::f32, layout);
  dnnl::memory xm(src_md, ctx.engine, ref.x.data()), ym(dst_md, ctx.engine, y.data());
  const dnnl::resampling_forward::desc d(dnnl::prop_kind::forward_inference,
                                         bilinear ? dnnl::algorithm::resampling_linear : dnnl::algorithm::resampling_nearest,
                                         src_md, dst_md);
  const dnnl::resampling_forward::primitive_desc pd(d, ctx.engine);
  dnnl::resampling_forward prim(pd);
  auto run = [&] {
    prim.execute(ctx.stream, {{DNNL_ARG_SRC, xm}, {DNNL_ARG_DST, ym}});
    ctx.stream.wait();
    benchmark::DoNotOptimize(y.data());
  };
  run();
  if (!ktl::bench::same_numbers(state, "oneDNN", y.data(), ref.y.data(), y.size(), 1e-6)) return;
  const ktl::ThreadPool pool(threads);
  timed_against_memcpy(state, pool, static_cast<double>(ref.x.size()) * sizeof(float),
                       static_cast<double>(y.size()) * sizeof(float), run);
  dn::set_num_threads(1);
}
#endif

#if defined(KTL_HAVE_XNNPACK)
/// XNNPACK on a 2-D row: bilinear resize (legacy mapping, as ktl's default) or zero padding, in
/// the layout of the data format.
void run_xnnpack(benchmark::State& state, const ResizeShape& s, DataFormat f, int threads) {
  namespace xn = ktl::bench::xnnpack;
  const bool last = f == DataFormat::channels_last;
  Reference ref = reference(s, f, ktl::BilinearMapping::legacy);
  ktl::Tensor<float, 4> y(ktl::dims_of(ref.y));
  const xn::Buffer input(ref.x.data(), static_cast<std::size_t>(ref.x.size()));
  const xn::ThreadPool pool(threads);
  const auto n = static_cast<std::size_t>(s.batch), c = static_cast<std::size_t>(s.channels);
  const auto h = static_cast<std::size_t>(s.input[0]), w = static_cast<std::size_t>(s.input[1]);
  const auto a = static_cast<std::size_t>(s.amount);
  xn::Operator op;
  try {
    if (s.layer == "UpSampling2D bilinear") {
      op = xn::resize_bilinear(last, /*half_pixel=*/false, n, h, w, c, h * a, w * a, input, y.data(), pool.get());
    } else if (s.layer == "ZeroPadding2D") {
      const std::array<std::size_t, 4> shape = last ? std::array<std::size_t, 4>{n, h, w, c}
                                                    : std::array<std::size_t, 4>{n, c, h, w};
      const std::array<std::size_t, 4> pad = last ? std::array<std::size_t, 4>{0, a, a, 0}
                                                  : std::array<std::size_t, 4>{0, 0, a, a};
      op = xn::zero_pad<4>(shape, pad, pad, input, y.data(), pool.get());
    } else {
      ktl::bench::fail(state, "XNNPACK has no operator for " + std::string(s.layer));
      return;
    }
    op.run(pool.get());
  } catch (const std::exception& e) {
    ktl::bench::fail(state, e.what());
    return;
  }
  // Bilinear: XNNPACK's kernels may contract a * b + c into one FMA, which ktl's float32 order
  // does not; that moves the last bit or two.
  if (!ktl::bench::same_numbers(state, "XNNPACK", y.data(), ref.y.data(), y.size(), 1e-6)) return;
  const ktl::ThreadPool ktl_pool(threads);  // runs the memcpy baseline
  timed_against_memcpy(state, ktl_pool, static_cast<double>(ref.x.size()) * sizeof(float),
                       static_cast<double>(y.size()) * sizeof(float), [&] {
                         op.run(pool.get());
                         benchmark::DoNotOptimize(y.data());
                         benchmark::ClobberMemory();
                       });
}
#endif

void add_case(const std::string& impl, const ResizeShape& s, DataFormat f, int threads, const std::string& variant,
              std::function<void(benchmark::State&)> fn) {
  const std::string format = impl == "memcpy" ? std::string("any") : std::string(ktl::to_string(f));
  const std::string name = ktl::bench::case_name("resize", impl, s.name, format, threads, variant);
  auto* b = benchmark::RegisterBenchmark(name.c_str(), [fn](benchmark::State& st) { fn(st); });
  b->Unit(benchmark::kMicrosecond);
  impl == "memcpy" ? b->UseRealTime() : b->UseManualTime();
}

int register_all() {
#if defined(KTL_HAVE_DNNL)
  const char* env = std::getenv("KTL_BENCH_ONEDNN_RESAMPLING");
  const bool with_onednn = env && std::string(env) == "1";
#endif
  for (const ResizeShape& s : ktl::bench::resize_shapes) {
    for (int threads : {1, 2}) {
      add_case("memcpy", s, DataFormat::channels_last, threads, "",
               [s, threads](benchmark::State& st) { run_memcpy(st, s, threads); });
      for (DataFormat f : {DataFormat::channels_last, DataFormat::channels_first}) {
        for (bool fresh : {false, true})
          add_case("ktl", s, f, threads, fresh ? "fresh" : "", [s, f, threads, fresh](benchmark::State& st) {
            run_row(st, s, f, threads, fresh);
          });
#if defined(KTL_HAVE_DNNL)
        if (with_onednn && s.rank == 2 && s.layer.substr(0, 10) == "UpSampling")
          add_case("onednn", s, f, threads, "", [s, f, threads](benchmark::State& st) { run_onednn(st, s, f, threads); });
#endif
#if defined(KTL_HAVE_XNNPACK)
        if (s.layer == "UpSampling2D bilinear" || s.layer == "ZeroPadding2D")
          add_case("xnnpack", s, f, threads, "", [s, f, threads](benchmark::State& st) { run_xnnpack(st, s, f, threads); });
#endif
      }
    }
  }
  // Tiny cases for the ctest smoke run: ktl, and each XNNPACK operator once per layout (which
  // checks on a small case that it computes ktl's numbers).
  static constexpr ResizeShape smoke{"smoke", "UpSampling2D bilinear", 2, 1, {8, 8, 1}, 4, 2};
  static constexpr ResizeShape smoke_pad{"smoke_pad", "ZeroPadding2D", 2, 2, {5, 7, 1}, 3, 2};
  add_case("ktl", smoke, DataFormat::channels_last, 1, "",
           [](benchmark::State& st) { run_row(st, smoke, DataFormat::channels_last, 1, false); });
#if defined(KTL_HAVE_XNNPACK)
  for (DataFormat f : {DataFormat::channels_last, DataFormat::channels_first})
    for (const ResizeShape* s : {&smoke, &smoke_pad})
      add_case("xnnpack", *s, f, 2, "", [s, f](benchmark::State& st) { run_xnnpack(st, *s, f, 2); });
#endif
  (void)smoke_pad;
  return 0;
}

const int registered = register_all();

}  // namespace
