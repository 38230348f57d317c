// Transposed convolution benchmarks (issue 4): conv_transpose_shapes x {channels_last,
// channels_first} x {1, 2} threads, ktl and its peers side by side: oneDNN's deconvolution (both
// formats, 2-D and 3-D) and XNNPACK's deconvolution (NHWC, 2-D), weights re-laid out once. Every
// peer case first checks it computes ktl's numbers. GFLOP/s counts only the useful multiply-adds,
// 2 * I * prod(k) * C * F (I = input pixels incl. batch).
#include <array>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

#include <benchmark/benchmark.h>

#include <ktl/layers/conv_transpose.hpp>

#include "harness.hpp"
#include "onednn.hpp"
#include "shapes.hpp"
#include "xnnpack.hpp"

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

/// ktl's output of the layer on x, the numbers a peer must reproduce.
template <int N>
ktl::Tensor<float, N + 2> ktl_output(const ktl::ConvTranspose<float, N>& layer, const ktl::Tensor<float, N + 2>& x) {
  const ktl::ThreadPool one(1);
  return layer(ktl::view(x), one);
}

/// Relative tolerance of a peer against ktl (each output sums at most C * prod(k) products).
constexpr double kPeerTolerance = 1e-4;

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
  r.run();
  const auto want = ktl_output<N>(layer, x);
  if (!ktl::bench::same_numbers(state, "oneDNN", y.data(), want.data(), y.size(), kPeerTolerance)) return;
  for (auto _ : state) {
    r.run();
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  ktl::bench::set_flops(state, useful_flops(s), threads);
  state.counters["reorders"] = static_cast<double>(r.reorders_per_run());
}
#endif

#if defined(KTL_HAVE_XNNPACK)
/// XNNPACK's NHWC deconvolution on a channels_last Conv2DTranspose case.
void run_xnnpack(benchmark::State& state, ConvShape s, ktl::DataFormat f, int threads) {
  namespace xn = ktl::bench::xnnpack;
  const auto layer = ktl::ConvTranspose<float, 2>::make(options_of<2>(s, f), s.channels, 1);
  ktl::Tensor<float, 4> x(input_shape<2>(s, f));
  ktl::bench::fill_random(x, 7);
  ktl::Tensor<float, 4> y(layer.output_shape(ktl::dims_of(x)));
  const xn::Buffer input(x.data(), static_cast<std::size_t>(x.size()));
  xn::DeconvSpec c;
  c.batch = static_cast<std::size_t>(s.batch);
  c.height = static_cast<std::size_t>(s.input[0]);
  c.width = static_cast<std::size_t>(s.input[1]);
  c.channels = static_cast<std::size_t>(s.channels);
  c.filters = static_cast<std::size_t>(s.filters);
  std::array<std::uint32_t, 2> crop_before{}, crop_after{}, adjust{};
  for (std::size_t a = 0; a < 2; ++a) {
    const Index in = s.input[a], out = ktl::dims_of(y)[a + 1], k = s.kernel[a];
    const Index q = ktl::shape::conv_transpose_before(in, out, k, s.stride, s.dilation, ktl::parse_padding(s.padding));
    // The full transposed output has (in - 1) * s + K positions; ktl's output starts q into it.
    const Index rest = (in - 1) * s.stride + ktl::shape::effective_kernel(k, s.dilation) - q - out;
    crop_before[a] = static_cast<std::uint32_t>(q);
    crop_after[a] = static_cast<std::uint32_t>(std::max<Index>(rest, 0));
    adjust[a] = static_cast<std::uint32_t>(std::max<Index>(-rest, 0));
  }
  c.crop_top = crop_before[0];
  c.crop_bottom = crop_after[0];
  c.crop_left = crop_before[1];
  c.crop_right = crop_after[1];
  c.adjust_h = adjust[0];
  c.adjust_w = adjust[1];
  c.kernel_h = static_cast<std::uint32_t>(s.kernel[0]);
  c.kernel_w = static_cast<std::uint32_t>(s.kernel[1]);
  c.stride_h = c.stride_w = static_cast<std::uint32_t>(s.stride);
  c.dilation_h = c.dilation_w = static_cast<std::uint32_t>(s.dilation);
  const xn::ThreadPool pool(threads);
  xn::Operator op;
  try {
    op = xn::deconvolution(c, layer.kernel().data(), layer.bias().data(), input, y.data(), pool.get());
    op.run(pool.get());
  } catch (const std::exception& e) {
    ktl::bench::fail(state, e.what());
    return;
  }
  const auto want = ktl_output<2>(layer, x);
  if (!ktl::bench::same_numbers(state, "XNNPACK", y.data(), want.data(), y.size(), kPeerTolerance)) return;
  for (auto _ : state) {
    op.run(pool.get());
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  ktl::bench::set_flops(state, useful_flops(s), threads);
}
#endif

void add_case(const std::string& impl, const ConvShape& s, ktl::DataFormat f, int threads,
              void (*fn)(benchmark::State&, ConvShape, ktl::DataFormat, int)) {
  const std::string name = ktl::bench::case_name("conv_transpose", impl, s.name, ktl::to_string(f), threads);
  benchmark::RegisterBenchmark(name.c_str(), fn, s, f, threads)->UseRealTime()->Unit(benchmark::kMillisecond);
}

template <int N>
void register_shape(const ConvShape& s) {
  for (auto f : {ktl::DataFormat::channels_last, ktl::DataFormat::channels_first}) {
    for (int threads : {1, 2}) {
      add_case("ktl", s, f, threads, run_ktl<N>);
#if defined(KTL_HAVE_DNNL)
      add_case("onednn", s, f, threads, run_onednn<N>);
#endif
#if defined(KTL_HAVE_XNNPACK)
      if (N == 2 && f == ktl::DataFormat::channels_last) add_case("xnnpack", s, f, threads, run_xnnpack);
#endif
    }
  }
}

const bool registered = [] {
  for (const ConvShape& s : ktl::bench::conv_transpose_shapes) {
    if (s.rank == 2) register_shape<2>(s);
    if (s.rank == 3) register_shape<3>(s);
  }
  // Tiny cases for the ctest smoke run: ktl, and every peer once (which checks on a small case
  // that it computes ktl's numbers); the second has an odd kernel with same padding, where the
  // full transposed output is cropped unevenly.
  static constexpr ConvShape smoke{"smoke", "Conv2DTranspose", 2, 1, {6, 5, 1}, 8, 12,
                                   {3, 3, 1}, 2, 1, "same"};
  static constexpr ConvShape smoke_valid{"smoke_valid", "Conv2DTranspose", 2, 2, {4, 3, 1}, 3, 5,
                                         {2, 2, 1}, 3, 1, "valid"};
  const auto last = ktl::DataFormat::channels_last;
  add_case("ktl", smoke, last, 1, run_ktl<2>);
#if defined(KTL_HAVE_DNNL)
  add_case("onednn", smoke, last, 1, run_onednn<2>);
  add_case("onednn", smoke, ktl::DataFormat::channels_first, 2, run_onednn<2>);
#endif
#if defined(KTL_HAVE_XNNPACK)
  add_case("xnnpack", smoke, last, 2, run_xnnpack);
  add_case("xnnpack", smoke_valid, last, 1, run_xnnpack);
#endif
  (void)smoke_valid;
  return true;
}();

}  // namespace
