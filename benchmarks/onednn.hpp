// oneDNN peer for the benchmarks (only when KTL_HAVE_DNNL is defined): one CPU engine and stream,
// oneDNN's thread count, user memory wrapped in Keras layouts (nwc / nhwc / ndhwc activations or
// their channels_first twins, Keras kernel layouts for the weights), and a Runner that executes a
// primitive together with the src/dst reorders its chosen formats need, all inside the timed call.
//
// Threads: Debian's oneDNN 2.6 is built with DNNL_CPU_RUNTIME = OMP on GNU OpenMP (libgomp, pulled
// in by libdnnl.so). set_num_threads(n) calls omp_set_num_threads(n), looked up at run time so
// the benchmarks need not link OpenMP themselves. It sets the count for parallel regions started
// from the calling thread (Google Benchmark runs every case on the main thread), so call it at
// the start of each benchmark case.
//
// Typical use (a Conv2D, channels_last, 1 thread):
//   namespace dn = ktl::bench::onednn;
//   dn::set_num_threads(1);
//   dn::ConvConfig c;                       // fill sizes in Keras terms, then:
//   dn::Runner r = dn::make_convolution(c, x.data(), kernel.data(), bias.data(), y.data());
//   for (auto _ : state) r.run();           // reorders of src/dst (if any) are timed too
#pragma once

#if defined(KTL_HAVE_DNNL)

#include <dlfcn.h>

#include <array>
#include <cstring>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

namespace ktl::bench::onednn {

using memory = dnnl::memory;
using tag = dnnl::memory::format_tag;
using dims = dnnl::memory::dims;
using dt = dnnl::memory::data_type;

/// The process-wide CPU engine and stream (created on first use).
struct Context {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
};
inline Context& context() {
  static Context c;
  return c;
}

/// Sets the number of OpenMP threads oneDNN uses for primitives executed from the calling thread.
/// Returns false when no OpenMP runtime is loaded (then oneDNN's own default applies).
inline bool set_num_threads(int n) {
  using Fn = void (*)(int);
  static const Fn fn = [] {
    Fn f = nullptr;
    void* sym = dlsym(RTLD_DEFAULT, "omp_set_num_threads");
    static_assert(sizeof(sym) == sizeof(f), "function and object pointers differ in size");
    std::memcpy(&f, &sym, sizeof(f));
    return f;
  }();
  if (fn) fn(n);
  return fn != nullptr;
}

/// Plain activation layout of a rank-(N+2) tensor: nwc / nhwc / ndhwc (channels_last) or
/// ncw / nchw / ncdhw (channels_first). oneDNN's dims are always logical (N, C, spatial...).
inline tag activation_tag(int spatial_rank, bool channels_last) {
  switch (spatial_rank) {
    case 1: return channels_last ? tag::nwc : tag::ncw;
    case 2: return channels_last ? tag::nhwc : tag::nchw;
    case 3: return channels_last ? tag::ndhwc : tag::ncdhw;
    default: throw std::invalid_argument("onednn::activation_tag: spatial rank must be 1, 2 or 3");
  }
}

/// Keras' forward kernel layout (k..., C/groups, F) as a oneDNN tag: wio / hwio / dhwio for
/// groups == 1 (dims (F, C, k...)), wigo / hwigo / dhwigo when grouped (dims (G, F/G, C/G, k...)).
/// A Keras depthwise kernel (k..., C, M) is the grouped layout with G = C, F/G = M, C/G = 1.
inline tag keras_kernel_tag(int spatial_rank, bool grouped) {
  switch (spatial_rank) {
    case 1: return grouped ? tag::wigo : tag::wio;
    case 2: return grouped ? tag::hwigo : tag::hwio;
    case 3: return grouped ? tag::dhwigo : tag::dhwio;
    default: throw std::invalid_argument("onednn::keras_kernel_tag: spatial rank must be 1, 2 or 3");
  }
}

/// f32 memory over caller-owned data (no copy).
inline memory wrap(const dims& logical, tag layout, void* data) {
  return memory({logical, dt::f32, layout}, context().engine, data);
}

/// A primitive plus the reorders between user memory and the formats the primitive chose.
/// run() executes: input reorders, the primitive, output reorders, then waits.
class Runner {
 public:
  /// Returns memory in the `wanted` format for a user input. When the formats differ, a reorder
  /// user -> internal is added; it runs inside every run() when `every_run`, else once now
  /// (weights). The returned memory goes into the primitive's argument map.
  memory input(const memory& user, const memory::desc& wanted, bool every_run = true) {
    if (user.get_desc() == wanted) return user;
    memory internal(wanted, context().engine);
    dnnl::reorder r(user, internal);
    if (every_run) {
      pre_.push_back({r, user, internal});
    } else {
      memory from = user;  // a handle copy: execute() takes non-const references
      r.execute(context().stream, from, internal);
      context().stream.wait();
    }
    return internal;
  }
  /// Returns memory in the `wanted` format for a user output; when the formats differ, a reorder
  /// internal -> user runs after the primitive in every run().
  memory output(const memory& user, const memory::desc& wanted) {
    if (user.get_desc() == wanted) return user;
    memory internal(wanted, context().engine);
    post_.push_back({dnnl::reorder(internal, user), internal, user});
    return internal;
  }
  /// The primitive and its arguments (DNNL_ARG_* -> memory returned by input()/output()).
  void set_primitive(dnnl::primitive p, std::unordered_map<int, memory> args) {
    primitive_ = std::move(p);
    args_ = std::move(args);
    memory::desc scratch = scratchpad_desc_;
    if (scratch.get_size() > 0) args_[DNNL_ARG_SCRATCHPAD] = memory(scratch, context().engine);
  }
  /// For primitives created with a user-managed scratchpad; call before set_primitive.
  void set_scratchpad(const memory::desc& d) { scratchpad_desc_ = d; }

  /// Number of reorders executed per run (0 when oneDNN works on the user layouts directly).
  std::size_t reorders_per_run() const { return pre_.size() + post_.size(); }

  void run() {
    auto& s = context().stream;
    for (auto& r : pre_) r.op.execute(s, r.from, r.to);
    primitive_.execute(s, args_);
    for (auto& r : post_) r.op.execute(s, r.from, r.to);
    s.wait();
  }

 private:
  struct Step {
    dnnl::reorder op;
    memory from, to;
  };
  std::vector<Step> pre_, post_;
  dnnl::primitive primitive_;
  std::unordered_map<int, memory> args_;
  memory::desc scratchpad_desc_;
};

/// A forward convolution in Keras terms (sizes per spatial axis, outer to inner).
struct ConvConfig {
  int rank = 2;                 ///< spatial rank 1..3
  bool channels_last = true;    ///< user src/dst layout
  memory::dim batch = 1, channels = 1, filters = 1, groups = 1;
  dims input;                   ///< spatial input extents
  dims output;                  ///< spatial output extents (from ktl::shape)
  dims kernel;                  ///< spatial kernel extents
  dims strides;                 ///< per axis
  dims dilation;                ///< Keras dilation_rate (>= 1) per axis
  dims pad_before, pad_after;   ///< resolved zero padding per axis (ktl::shape::conv_padding)
  bool bias = true;
  bool relu = false;            ///< fuse a relu after the bias (oneDNN eltwise post-op)
};

/// A convolution_forward (inference, direct algorithm) over user memory: src/dst in the user's
/// layout (reordered inside run() if oneDNN picks a blocked format), weights in Keras' layout
/// (reordered once here), bias (F), relu fused when asked. Pointers must stay valid while the
/// Runner is used.
inline Runner make_convolution(const ConvConfig& c, const float* src, const float* kernel,
                               const float* bias, float* dst) {
  auto& ctx = context();
  dims src_dims{c.batch, c.channels}, dst_dims{c.batch, c.filters}, w_dims;
  src_dims.insert(src_dims.end(), c.input.begin(), c.input.end());
  dst_dims.insert(dst_dims.end(), c.output.begin(), c.output.end());
  const bool grouped = c.groups > 1;
  if (grouped)
    w_dims = {c.groups, c.filters / c.groups, c.channels / c.groups};
  else
    w_dims = {c.filters, c.channels};
  w_dims.insert(w_dims.end(), c.kernel.begin(), c.kernel.end());
  dims dilates;
  for (auto d : c.dilation) dilates.push_back(d - 1);  // oneDNN counts the inserted zeros

  const tag act = activation_tag(c.rank, c.channels_last);
  memory user_src = wrap(src_dims, act, const_cast<float*>(src));
  memory user_dst = wrap(dst_dims, act, dst);
  memory user_w = wrap(w_dims, keras_kernel_tag(c.rank, grouped), const_cast<float*>(kernel));
  memory user_b = c.bias ? wrap({c.filters}, tag::x, const_cast<float*>(bias)) : memory();

  memory::desc any_src(src_dims, dt::f32, tag::any), any_dst(dst_dims, dt::f32, tag::any);
  memory::desc any_w(w_dims, dt::f32, tag::any);
  memory::desc b_md = c.bias ? memory::desc({c.filters}, dt::f32, tag::x) : memory::desc();
  dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference,
                                    dnnl::algorithm::convolution_direct, any_src, any_w, b_md,
                                    any_dst, c.strides, dilates, c.pad_before, c.pad_after);
  dnnl::primitive_attr attr;
  if (c.relu) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
    attr.set_post_ops(ops);
  }
  dnnl::convolution_forward::primitive_desc pd(d, attr, ctx.engine);

  Runner r;
  memory s = r.input(user_src, pd.src_desc(), /*every_run=*/true);
  memory w = r.input(user_w, pd.weights_desc(), /*every_run=*/false);
  memory o = r.output(user_dst, pd.dst_desc());
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, s}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, o}};
  if (c.bias) args[DNNL_ARG_BIAS] = user_b;
  r.set_primitive(dnnl::convolution_forward(pd), std::move(args));
  return r;
}

}  // namespace ktl::bench::onednn

#endif  // KTL_HAVE_DNNL
