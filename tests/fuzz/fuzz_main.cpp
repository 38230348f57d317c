// The layer fuzz target (issue 10 §4): LLVMFuzzerTestOneInput over random layers of every family,
// both data formats, float: every call must either succeed with Keras' output shape and the
// plain-loop result, or throw a std::invalid_argument; anything else (another exception, a
// crash, a sanitizer report, a workspace sized by a stride) is a finding. This file also holds
// the transposed-convolution and reshaping runners, and, without libFuzzer (KTL_FUZZ_DRIVER), a
// main that feeds seeded random inputs. Usage: see README.md, "Tests".
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "fuzz_common.hpp"
#include "fuzz_targets.hpp"
#include "resize/resize_test_util.hpp"

namespace ktl_fuzz {
namespace {

namespace kt = ktl::test;

using ktl::DataFormat;
using ktl::Dims;
using ktl::Extent;
using ktl::Padding;
using ktl::PadPairs;
using ktl::Pair;
using ktl::Tensor;

/// Batch and spatial extents of a logical input, channels from `channels`.
template <int N>
Dims<N + 2> input_shape(Input& in, Index channels) {
  Dims<N + 2> d{};
  d[0] = in.coin(95) ? 1 + static_cast<Index>(in.below(3))
                     : in.pick(std::array<Index, 3>{0, 2, Index{1} << 40});
  for (int a = 0; a < N; ++a) d[static_cast<std::size_t>(a + 1)] = spatial_value(in);
  d[N + 1] = channels;
  return d;
}

// ---------------------------------------------------------------------------------------------
// Conv1D/2D/3DTranspose.

template <int N>
void run_transposed(Input& in) {
  using Layer = ktl::ConvTranspose<float, N>;
  constexpr int R = N + 2;
  const char* layer_name = Layer::class_name().data();
  reached(layer_name, staged_case);
  typename Layer::Options o;
  o.filters = in.coin(85) ? channel_value(in) : option_value(in, 8);
  o.kernel_size = extent_value<N>(in, 5);
  o.strides = in.coin(40) ? Extent<N>(1) : extent_value<N>(in, 3);
  o.dilation_rate = in.coin(75) ? Extent<N>(1) : extent_value<N>(in, 3);
  o.padding = in.pick(std::array<Padding, 5>{Padding::valid, Padding::same, Padding::valid,
                                             Padding::same, Padding::causal});
  if (in.coin(40)) {
    Extent<N> op;
    for (int a = 0; a < N; ++a)
      op[a] = in.coin(90) ? static_cast<Index>(in.below(static_cast<unsigned>(
                                std::clamp<Index>(o.strides[a], 1, 4))))
                          : option_value(in, 3);
    o.output_padding = op;
  }
  o.data_format = format_value(in);
  o.activation = activation_value(in);
  o.use_bias = in.coin(80);

  const bool enum_out_of_range = bad_enum(in, o.padding, o.data_format);
  bool valid = o.filters >= 1 && o.padding != Padding::causal && !enum_out_of_range;
  for (int a = 0; a < N; ++a) {
    const Index k = o.kernel_size[a], s = o.strides[a], d = o.dilation_rate[a];
    if (k < 1 || s < 1 || d < 1 || !fits(Wide(k - 1) * d + 1)) {
      valid = false;
      continue;
    }
    if (o.output_padding) {
      const Index op = (*o.output_padding)[a];
      if (op < 0 || op >= s) valid = false;
      // same with an even effective kernel and op 0 can never map back (TensorFlow's rule).
      if (o.padding == Padding::same && (Wide(k - 1) * d + 1) % 2 == 0 && op == 0) valid = false;
    }
  }

  Dims<R> x_last = input_shape<N>(in, channel_value(in));
  Dims<R> kd{};
  for (int a = 0; a < N; ++a) kd[static_cast<std::size_t>(a)] = o.kernel_size[a];
  kd[N] = o.filters;
  kd[N + 1] = in.coin(92) ? x_last[N + 1] : channel_value(in);
  Dims<1> bd{o.use_bias ? o.filters : 0};
  const Dims<R> kd_want = kd;
  const Dims<1> bd_want = bd;
  perturb(in, kd);
  perturb(in, bd);
  Random rng(in.u64());
  const bool special_weights = in.coin(4), special_data = in.coin(6);

  std::optional<Layer> layer;
  if (count(kd) < 0 || count(kd) > max_elements || count(bd) < 0 || count(bd) > max_elements) {
    const Index make_channels = kd_want[N + 1];
    if (valid && make_channels >= 1 && fits(count(kd_want))) return;  // make() would build it
    if (succeeds("make", [&] { layer.emplace(Layer::make(o, make_channels, rng.next())); }))
      finding(std::string(layer_name) + "::make accepted invalid options or input_channels");
    return;
  }
  Tensor<float, R> kernel(kd);
  Tensor<float, 1> bias(bd);
  fill(kernel, rng, special_weights);
  fill(bias, rng, false);
  if (!succeeds("constructor", [&] { layer.emplace(o, kernel, bias); })) return;
  reached(layer_name, staged_built);
  if (!valid) finding(std::string(layer_name) + ": the constructor accepted invalid options");
  Dims<R> kd_check = kd_want;
  kd_check[N + 1] = kd[N + 1];
  if (kd[N + 1] < 1 || kd != kd_check || bd != bd_want)
    finding(std::string(layer_name) + ": the constructor accepted weights of the wrong shape " + text(kd));
  const Index C = kd[N + 1];

  // Output shape.
  const Dims<R> x_dims = shape_in(x_last, o.data_format);
  bool input_ok = x_last[N + 1] == C && count(x_last) > 0 && count(x_last) <= index_max;
  bool may_throw = false;
  Array<Axis, N> axes{};
  Array<Wide, R> y_want{};
  y_want[0] = x_last[0];
  y_want[R - 1] = o.filters;
  for (int a = 0; a < N; ++a) {
    const auto i = static_cast<std::size_t>(a);
    const Wide L = x_last[i + 1], k = o.kernel_size[a], s = o.strides[a], d = o.dilation_rate[a];
    const std::optional<Index> op = o.output_padding ? std::optional<Index>((*o.output_padding)[a]) : std::nullopt;
    axes[i] = transpose_axis(L, k, s, d, o.padding, op);
    y_want[i + 1] = axes[i].out;
    if (!input_ok) continue;
    // TensorFlow's rule: the forward convolution of the output gives back the input.
    if (conv_axis(axes[i].out, k, s, d, o.padding).out != L) input_ok = false;
    const Wide ke = (k - 1) * d + 1;
    if (!fits((L - 1) * s + ke) || !fits(axes[i].out) || !fits(axes[i].out + ke - 1)) may_throw = true;
  }
  if (input_ok && count(y_want) > index_max) may_throw = true;
  const std::optional<Dims<R>> shaped = output_shape_of(layer_name, *layer, x_dims, input_ok,
                                                        may_throw, shape_in(y_want, o.data_format));
  if (!shaped) return;
  const Dims<R> y_dims = *shaped;
  reached(layer_name, staged_shaped);

  // Compute.
  if (count(x_last) > max_elements || count(y_want) > max_elements) return;
  Wide taps = 1;  // the kernel was allocated: at most max_elements
  for (int a = 0; a < N; ++a) taps *= o.kernel_size[a];
  if (count(x_last) * taps * o.filters > max_macs) return;
  Tensor<float, R> x_l(x_last);
  fill(x_l, rng, special_data);
  const Tensor<float, R> x = to_format(x_l, o.data_format);
  reached(layer_name, staged_computed);
  const ktl::ThreadPool& pool = pool_value(in);
  Tensor<float, R> y(y_dims);
  ktl::Workspace ws;
  if (!succeeds("call", [&] { layer->forward(ktl::view(x), ktl::mutable_view(y), ws, pool); }))
    finding(std::string(layer_name) + ": output_shape accepted " + text(x_dims) + " but the call threw");
  const Wide work_bytes = 64 * (count(x_last) + count(y_want) + count(kd)) + (Wide{4} << 20) * pool.num_threads();
  if (Wide(ws.capacity()) > work_bytes)
    finding(std::string(layer_name) + ": the workspace grew to " + std::to_string(ws.capacity()) +
            " bytes for input " + text(x_dims));

  if (!all_finite(kernel)) return;
  const bool finite_data = all_finite(x_l);
  const bool plain = o.activation.kind == ktl::Activation::linear ||
                     o.activation == ktl::ActivationFunction(ktl::Activation::relu);
  if (!finite_data && !plain) return;
  // Scatter form (docs/semantics.md §3.6): input i, tap t adds to output i*s + t*d - q.
  Dims<R> yl{};
  for (int a = 0; a < R; ++a) yl[static_cast<std::size_t>(a)] = static_cast<Index>(y_want[static_cast<std::size_t>(a)]);
  Tensor<double, R> ref(yl);
  ref.setZero();
  const Index B = x_last[0], F = o.filters;
  Index ipix = 1, opix = 1;
  for (int a = 0; a < N; ++a) {
    ipix *= x_last[static_cast<std::size_t>(a + 1)];
    opix *= yl[static_cast<std::size_t>(a + 1)];
  }
  for (Index b = 0; b < B; ++b)
    for (Index ip = 0; ip < ipix; ++ip)
      for (Index t = 0; t < static_cast<Index>(taps); ++t) {
        Index ri = ip, rt = t, opos = 0, stride = 1;
        bool inside = true;
        for (int a = N - 1; a >= 0; --a) {
          const auto i = static_cast<std::size_t>(a);
          const Wide pos = Wide(ri % x_last[i + 1]) * o.strides[a] + Wide(rt % kd[i]) * o.dilation_rate[a] - axes[i].before;
          ri /= x_last[i + 1];
          rt /= kd[i];
          if (pos < 0 || pos >= yl[i + 1]) inside = false;
          if (inside) opos += static_cast<Index>(pos) * stride;
          stride *= yl[i + 1];
        }
        if (!inside) continue;
        for (Index f = 0; f < F; ++f) {
          double acc = 0.0;
          for (Index c = 0; c < C; ++c)
            acc += double(x_l.data()[(b * ipix + ip) * C + c]) * double(kernel.data()[(t * F + f) * C + c]);
          ref.data()[(b * opix + opos) * F + f] += acc;
        }
      }
  if (o.use_bias)
    for (Index i = 0; i < ref.size(); ++i) ref.data()[i] += double(bias.data()[i % F]);
  Tensor<float, R> pre(yl);
  for (Index i = 0; i < ref.size(); ++i) pre.data()[i] = static_cast<float>(ref.data()[i]);
  const Tensor<float, R> pre_f = to_format(pre, o.data_format);
  Tensor<double, R> want(ktl::dims_of(pre_f));
  for (Index i = 0; i < want.size(); ++i) want.data()[i] = double(pre_f.data()[i]);
  activate_ref(want, o.activation);
  expect_close(layer_name, y, want, 1e-5 * (1.0 + static_cast<double>(taps * C) / 256.0));
  reached(layer_name, staged_compared);
}

// ---------------------------------------------------------------------------------------------
// Cropping, ZeroPadding, UpSampling.

enum class Reshape { crop, pad, upsample };

template <Reshape K, int N>
struct ReshapeLayer;
template <int N>
struct ReshapeLayer<Reshape::crop, N> {
  using type = ktl::Cropping<float, N>;
};
template <int N>
struct ReshapeLayer<Reshape::pad, N> {
  using type = ktl::ZeroPadding<float, N>;
};
template <int N>
struct ReshapeLayer<Reshape::upsample, N> {
  using type = ktl::UpSampling<float, N>;
};

/// An amount of cropping or padding: mostly 0 .. 3, sometimes negative or huge.
inline Index amount_value(Input& in) {
  const unsigned r = in.below(100);
  if (r < 88) return static_cast<Index>(in.below(4));
  if (r < 93) return in.pick(bad_values);
  return in.pick(huge_values);
}

template <Reshape K, int N>
void run_reshape(Input& in) {
  using Layer = typename ReshapeLayer<K, N>::type;
  constexpr int R = N + 2;
  const char* layer_name = Layer::class_name().data();
  reached(layer_name, staged_case);
  typename Layer::Options o{};
  bool valid = true;
  DataFormat format = DataFormat::channels_last;
  bool bilinear = false, half_pixel = false;
  if constexpr (N > 1) {
    // Out-of-range enumerators, as an integer from a config file: rejected by name.
    if (in.coin(4)) {
      o.data_format = static_cast<DataFormat>(2 + in.below(5));
      valid = false;
    } else {
      o.data_format = format_value(in);
      format = o.data_format;
    }
  }
  if constexpr (K == Reshape::upsample) {
    o.size = extent_value<N>(in, 3);
    for (int a = 0; a < N; ++a) valid = valid && o.size[a] >= 1;
    if constexpr (N == 2) {
      if (in.coin(40)) {
        o.interpolation = ktl::Interpolation::bilinear;
        bilinear = true;
      }
      if (in.coin(50)) {
        o.bilinear_mapping = ktl::BilinearMapping::half_pixel;
        half_pixel = true;
      }
      if (in.coin(3)) {
        o.interpolation = static_cast<ktl::Interpolation>(2 + in.below(3));
        valid = false;
      }
    }
  } else {
    PadPairs<N> p;
    const bool same = in.coin(50);
    for (int a = 0; a < N; ++a) {
      const Index b = amount_value(in), e = same ? b : amount_value(in);
      p[a] = Pair(b, e);
      valid = valid && b >= 0 && e >= 0 && fits(Wide(b) + e);
    }
    if constexpr (K == Reshape::crop) o.cropping = p;
    else o.padding = p;
  }
  std::optional<Layer> layer;
  if (!succeeds("constructor", [&] { layer.emplace(o); })) return;
  reached(layer_name, staged_built);
  if (!valid) finding(std::string(layer_name) + ": the constructor accepted invalid options");

  const Dims<R> x_last = input_shape<N>(in, channel_value(in));
  const Dims<R> x_dims = shape_in(x_last, format);
  bool input_ok = count(x_last) > 0 && count(x_last) <= index_max;
  Array<Wide, R> y_want{};
  y_want[0] = x_last[0];
  y_want[R - 1] = x_last[R - 1];
  for (int a = 0; a < N; ++a) {
    const auto i = static_cast<std::size_t>(a);
    const Wide L = x_last[i + 1];
    if constexpr (K == Reshape::upsample) {
      y_want[i + 1] = L * o.size[a];
    } else if constexpr (K == Reshape::crop) {
      y_want[i + 1] = L - o.cropping[a].before - o.cropping[a].after;
      input_ok = input_ok && y_want[i + 1] >= 1;
    } else {
      y_want[i + 1] = L + o.padding[a].before + o.padding[a].after;
    }
  }
  bool may_throw = false;
  for (Wide v : y_want) may_throw = may_throw || !fits(v);
  if (count(y_want) > index_max) may_throw = true;
  const std::optional<Dims<R>> shaped =
      output_shape_of(layer_name, *layer, x_dims, input_ok, may_throw, shape_in(y_want, format));
  if (!shaped) return;
  const Dims<R> y_dims = *shaped;
  reached(layer_name, staged_shaped);
  if (count(x_last) > max_elements || count(y_want) > max_elements) return;

  Random rng(in.u64());
  Tensor<float, R> x_l(x_last);
  fill(x_l, rng, in.coin(8));
  const Tensor<float, R> x = to_format(x_l, format);
  reached(layer_name, staged_computed);
  const ktl::ThreadPool& pool = pool_value(in);
  Tensor<float, R> y(y_dims);
  ktl::Workspace ws;
  if (!succeeds("call", [&] { layer->forward(ktl::view(x), ktl::mutable_view(y), ws, pool); }))
    finding(std::string(layer_name) + ": output_shape accepted " + text(x_dims) + " but the call threw");
  if (Wide(ws.capacity()) > 64 * (count(x_last) + count(y_want)) + (Wide{4} << 20) * pool.num_threads())
    finding(std::string(layer_name) + ": the workspace grew to " + std::to_string(ws.capacity()) + " bytes");

  // The plain-loop references of the reshaping tests (tests/resize/resize_test_util.hpp).
  Tensor<float, R> ref;
  if constexpr (K == Reshape::crop) ref = kt::reference_window<float, N>(x_l, o.cropping, 1);
  if constexpr (K == Reshape::pad) ref = kt::reference_window<float, N>(x_l, o.padding, -1);
  if constexpr (K == Reshape::upsample) {
    if constexpr (N == 2)
      ref = bilinear ? kt::reference_bilinear<float>(x_l, o.size, half_pixel)
                     : kt::reference_nearest<float, N>(x_l, o.size);
    else
      ref = kt::reference_nearest<float, N>(x_l, o.size);
  }
  const Tensor<float, R> ref_f = to_format(ref, format);
  Tensor<double, R> want(ktl::dims_of(ref_f));
  for (Index i = 0; i < want.size(); ++i) want.data()[i] = double(ref_f.data()[i]);
  expect_close(layer_name, y, want, bilinear ? 1e-6 : 0.0);
  reached(layer_name, staged_compared);
}

}  // namespace

void fuzz_transposed(Input& in) {
  switch (in.below(3)) {
    case 0: run_transposed<1>(in); break;
    case 1: run_transposed<2>(in); break;
    default: run_transposed<3>(in); break;
  }
}

void fuzz_reshaping(Input& in) {
  switch (in.below(9)) {
    case 0: run_reshape<Reshape::crop, 1>(in); break;
    case 1: run_reshape<Reshape::crop, 2>(in); break;
    case 2: run_reshape<Reshape::crop, 3>(in); break;
    case 3: run_reshape<Reshape::pad, 1>(in); break;
    case 4: run_reshape<Reshape::pad, 2>(in); break;
    case 5: run_reshape<Reshape::pad, 3>(in); break;
    case 6: run_reshape<Reshape::upsample, 1>(in); break;
    case 7: run_reshape<Reshape::upsample, 2>(in); break;
    default: run_reshape<Reshape::upsample, 3>(in); break;
  }
}

}  // namespace ktl_fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ktl_fuzz::Input in(data, size);
  switch (in.below(8)) {
    case 0: case 1: case 2: ktl_fuzz::fuzz_forward_conv(in); break;
    case 3: case 4: ktl_fuzz::fuzz_transposed(in); break;
    default: ktl_fuzz::fuzz_reshaping(in); break;
  }
  return 0;
}

#if defined(KTL_FUZZ_DRIVER)
// Without libFuzzer: runs the files given on the command line, then `-runs=N` inputs of up to
// `-max_len=L` bytes from a seeded generator (`-seed=S`), stopping after `-max_total_time=T`
// seconds; the flags mirror libFuzzer's so both builds run with the same command.
int main(int argc, char** argv) {
  std::uint64_t seed = 1, runs = 10000, max_len = 96, max_time = 0;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](const char* flag, std::uint64_t& out) {
      const std::size_t n = std::strlen(flag);
      if (arg.compare(0, n, flag) != 0) return false;
      out = std::stoull(arg.substr(n));
      return true;
    };
    if (value("-seed=", seed) || value("-runs=", runs) || value("-max_len=", max_len) ||
        value("-max_total_time=", max_time))
      continue;
    if (!arg.empty() && arg[0] == '-') continue;  // other libFuzzer flags
    files.push_back(arg);
  }
  const auto start = std::chrono::steady_clock::now();
  std::size_t done = 0;
  auto run_file = [&](const std::filesystem::path& path) {
    std::ifstream f(path, std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    ++done;
  };
  for (const std::string& arg : files) {  // files, and the files of corpus directories
    if (!std::filesystem::is_directory(arg)) {
      run_file(arg);
      continue;
    }
    std::vector<std::filesystem::path> paths;
    for (const auto& e : std::filesystem::directory_iterator(arg))
      if (e.is_regular_file()) paths.push_back(e.path());
    std::sort(paths.begin(), paths.end());
    for (const auto& p : paths) run_file(p);
  }
  ktl_fuzz::Random rng(seed);
  std::vector<std::uint8_t> input;
  for (std::uint64_t r = 0; r < runs; ++r) {
    if (max_time && std::chrono::steady_clock::now() - start > std::chrono::seconds(max_time)) break;
    input.resize(static_cast<std::size_t>(rng.next() % (max_len + 1)));
    for (auto& b : input) b = static_cast<std::uint8_t>(rng.next());
    LLVMFuzzerTestOneInput(input.data(), input.size());
    ++done;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "ktl fuzz driver: " << done << " inputs, seed " << seed << ", " << seconds << " s, no finding\n";
  return 0;
}
#endif
