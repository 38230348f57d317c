// Transposed convolution benchmarks (issue 4): conv_transpose_shapes x {channels_last,
// channels_first} x {1, 2} threads, ktl and oneDNN's deconvolution side by side. GFLOP/s counts
// only the useful multiply-adds, 2 * I * prod(k) * C * F (I = input pixels incl. batch).
#include <array>
#include <cstddef>
#include <string>

#include <benchmark/benchmark.h>

#include <ktl/layers/conv_transpose.hpp>

#include "harness.hpp"
#include "onednn.hpp"
#include "shapes.hpp"

namespace {

using ktl::Index;
using ktl::bench::ConvShape;

template <int N>
ktl::ConvTransposeOptions<N> options_of(const ConvShape& s, ktl::DataFormat f) {
  ktl::ConvTransposeOptions<N> o;
  o.filters = s.filters;
  for (int a = 0; a < N; ++a) o.kernel_size[a] = s.kernel[static_cast<std::size_t>(a)];
  o.strides = s.stride;
  o.dilation_rate = s.dilation;
  o.padding = ktl::parse_padding(s.padding);
  o.data_format = f;
  o.activation = ktl::Activation::linear;
  return o;
}

template <int N>
ktl::Dims<N + 2> input_shape(const ConvShape& s, ktl::DataFormat f) {
  std::array<Index, static_cast<std::size_t>(N)> sp{};
  for (int a = 0; a < N; ++a) sp[static_cast<std::size_t>(a)] = s.input[static_cast<std::size_t>(a)];
  return ktl::shape::make_shape<N>(f, s.batch, sp, s.channels);
}

double useful_flops(const ConvShape& s) {
  double f = 2.0 * static_cast<double>(s.batch * s.channels * s.filters);
  for (int a = 0; a < s.rank; ++a)
    f *= static_cast<double>(s.input[static_cast<std::size_t>(a)] * s.kernel[static_cast<std::size_t>(a)]);
  return f;
}

template <int N>
void run_ktl(benchmark::State& state, ConvShape s, ktl::DataFormat f, int threads) {
  const auto layer = ktl::ConvTranspose<float, N>::make(options_of<N>(s, f), s.channels, 1);
  ktl::Tensor<float, N + 2> x(input_shape<N>(s, f));
  ktl::bench::fill_random(x, 7);
  ktl::Tensor<float, N + 2> y(layer.output_shape(ktl::dims_of(x)));
  const ktl::ThreadPool pool(threads);
  ktl::Workspace ws;
  for (auto _ : state) {
    layer.forward(ktl::view(x), ktl::mutable_view(y), ws, pool);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  ktl::bench::set_flops(state, useful_flops(s), threads);
}

#if defined(KTL_HAVE_DNNL)
namespace dn = ktl::bench::onednn;

/// oneDNN deconvolution_forward over user memory: src/dst in the Keras activation layout,
/// weights in Keras' transposed layout (k..., F, C) described by strides (reordered once).
template <int N>
void run_onednn(benchmark::State& state, ConvShape s, ktl::DataFormat f, int threads) {
  dn::set_num_threads(threads);
  const auto layer = ktl::ConvTranspose<float, N>::make(options_of<N>(s, f), s.channels, 1);
  ktl::Tensor<float, N + 2> x(input_shape<N>(s, f));
  ktl::bench::fill_random(x, 7);
  ktl::Tensor<float, N + 2> y(layer.output_shape(ktl::dims_of(x)));
  const auto out_sp = ktl::shape::spatial_dims<N>(ktl::dims_of(y), f);
  const Index C = s.channels, F = s.filters;

  dn::dims src{s.batch, C}, dst{s.batch, F}, wd{F, C}, wstrides{C, 1}, strides, dil, pl, pr;
  Index kstride = F * C;
  std::array<Index, 3> ks{};
  for (int a = N - 1; a >= 0; --a) {
    ks[static_cast<std::size_t>(a)] = kstride;
    kstride *= s.kernel[static_cast<std::size_t>(a)];
  }
  for (int a = 0; a < N; ++a) {
    const auto ax = static_cast<std::size_t>(a);
    const Index in = s.input[ax], out = out_sp[ax], k = s.kernel[ax];
    src.push_back(in);
    dst.push_back(out);
    wd.push_back(k);
    wstrides.push_back(ks[ax]);
    strides.push_back(s.stride);
    dil.push_back(s.dilation - 1);
    const Index q = ktl::shape::conv_transpose_before(in, out, k, s.stride, s.dilation,
                                                      ktl::parse_padding(s.padding));
    pl.push_back(q);
    pr.push_back((in - 1) * s.stride + ktl::shape::effective_kernel(k, s.dilation) - out - q);
  }
  const bool last = f == ktl::DataFormat::channels_last;
  const dn::tag act = dn::activation_tag(N, last);
  auto& ctx = dn::context();
  dn::memory user_src = dn::wrap(src, act, x.data());
  dn::memory user_dst = dn::wrap(dst, act, y.data());
  dn::memory user_w(dn::memory::desc(wd, dn::dt::f32, wstrides), ctx.engine,
                    const_cast<float*>(layer.kernel().data()));
  dn::memory user_b = dn::wrap({F}, dn::tag::x, const_cast<float*>(layer.bias().data()));
  dn::memory::desc any_src(src, dn::dt::f32, dn::tag::any), any_dst(dst, dn::dt::f32, dn::tag::any);
  dn::memory::desc any_w(wd, dn::dt::f32, dn::tag::any), b_md({F}, dn::dt::f32, dn::tag::x);
  dnnl::deconvolution_forward::desc d(dnnl::prop_kind::forward_inference,
                                      dnnl::algorithm::deconvolution_direct, any_src, any_w, b_md,
                                      any_dst, strides, dil, pl, pr);
  dnnl::deconvolution_forward::primitive_desc pd(d, ctx.engine);
  dn::Runner r;
  dn::memory ms = r.input(user_src, pd.src_desc(), true);
  dn::memory mw = r.input(user_w, pd.weights_desc(), false);
  dn::memory mo = r.output(user_dst, pd.dst_desc());
  r.set_primitive(dnnl::deconvolution_forward(pd), {{DNNL_ARG_SRC, ms},
                                                    {DNNL_ARG_WEIGHTS, mw},
                                                    {DNNL_ARG_BIAS, user_b},
                                                    {DNNL_ARG_DST, mo}});
  for (auto _ : state) {
    r.run();
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  ktl::bench::set_flops(state, useful_flops(s), threads);
  state.counters["reorders"] = static_cast<double>(r.reorders_per_run());
}
#endif

template <int N>
void register_shape(const ConvShape& s) {
  for (auto f : {ktl::DataFormat::channels_last, ktl::DataFormat::channels_first}) {
    for (int threads : {1, 2}) {
      const std::string suffix = std::string(s.name) + "/" + std::string(ktl::to_string(f)) +
                                 "/threads:" + std::to_string(threads);
      benchmark::RegisterBenchmark(("ktl/" + suffix).c_str(), run_ktl<N>, s, f, threads)
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
#if defined(KTL_HAVE_DNNL)
      benchmark::RegisterBenchmark(("onednn/" + suffix).c_str(), run_onednn<N>, s, f, threads)
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
#endif
    }
  }
}

const bool registered = [] {
  for (const ConvShape& s : ktl::bench::conv_transpose_shapes) {
    if (s.rank == 2) register_shape<2>(s);
    if (s.rank == 3) register_shape<3>(s);
  }
  static constexpr ConvShape smoke{"smoke", "Conv2DTranspose", 2, 1, {6, 5, 1}, 8, 12,
                                   {3, 3, 1}, 2, 1, "same"};
  benchmark::RegisterBenchmark("ktl/smoke/channels_last/threads:1", run_ktl<2>, smoke,
                               ktl::DataFormat::channels_last, 1)
      ->UseRealTime();
  return true;
}();

}  // namespace
