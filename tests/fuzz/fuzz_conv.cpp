// Fuzz runners of the forward convolutions: Conv1D/2D/3D (groups), DepthwiseConv1D/2D and
// SeparableConv1D/2D, both data formats, float. Each case builds options and weights from the
// input (valid ones mostly, zero, negative, huge and mixed ones too, weights of the right shape
// or one axis off), asks for an output shape (any input shape, huge ones included: no
// allocation) and, within the work bounds, computes and compares with a plain loop.
#include "fuzz_common.hpp"
#include "fuzz_targets.hpp"

namespace ktl_fuzz {
namespace {

using ktl::DataFormat;
using ktl::Dims;
using ktl::Extent;
using ktl::Padding;
using ktl::Tensor;

enum class Family { conv, depthwise, separable };

template <Family F, int N>
struct LayerOf;
template <int N>
struct LayerOf<Family::conv, N> {
  using type = ktl::Conv<float, N>;
};
template <int N>
struct LayerOf<Family::depthwise, N> {
  using type = ktl::DepthwiseConv<float, N>;
};
template <int N>
struct LayerOf<Family::separable, N> {
  using type = ktl::SeparableConv<float, N>;
};

/// The options of one case, in Keras' terms (a superset of the three families').
template <int N>
struct Case {
  Index filters = 1, groups = 1, multiplier = 1;
  Extent<N> kernel = 1, strides = 1, dilation = 1;
  Padding padding = Padding::valid;
  DataFormat format = DataFormat::channels_last;
  ktl::ActivationFunction activation;
  bool use_bias = true;
};

template <Family F, int N>
typename LayerOf<F, N>::type::Options options_of(const Case<N>& c) {
  typename LayerOf<F, N>::type::Options o;
  o.kernel_size = c.kernel;
  o.strides = c.strides;
  o.dilation_rate = c.dilation;
  o.padding = c.padding;
  o.data_format = c.format;
  o.activation = c.activation;
  o.use_bias = c.use_bias;
  if constexpr (F == Family::conv) o.groups = c.groups;
  if constexpr (F != Family::conv) o.depth_multiplier = c.multiplier;
  if constexpr (F != Family::depthwise) o.filters = c.filters;
  return o;
}

/// Keras' (and ktl's documented) option rules.
template <Family F, int N>
bool options_valid(const Case<N>& c) {
  bool strided = false, dilated = false;
  for (int a = 0; a < N; ++a) {
    if (c.kernel[a] < 1 || c.strides[a] < 1 || c.dilation[a] < 1) return false;
    if (!fits(Wide(c.kernel[a] - 1) * c.dilation[a] + 1)) return false;
    strided = strided || c.strides[a] > 1;
    dilated = dilated || c.dilation[a] > 1;
  }
  if (strided && dilated) return false;
  if (c.padding == Padding::causal && (F != Family::conv || N != 1)) return false;
  if (F == Family::conv && (c.filters < 1 || c.groups < 1 || c.filters % c.groups != 0)) return false;
  if (F != Family::conv && c.multiplier < 1) return false;
  if (F != Family::depthwise && c.filters < 1) return false;
  return true;
}

/// Output channels for `channels` input channels.
template <Family F, int N>
Wide out_channels(const Case<N>& c, Index channels) {
  return F == Family::depthwise ? Wide(channels) * c.multiplier : Wide(c.filters);
}

/// The weight shapes the options ask for (kernel, pointwise (separable), bias) for a kernel
/// channel axis of `kc` (conv: C / groups; depthwise, separable: C).
template <Family F, int N>
void expected_weights(const Case<N>& c, Index kc, Dims<N + 2>& kernel, Dims<N + 2>& pointwise,
                      Dims<1>& bias) {
  for (int a = 0; a < N; ++a) {
    kernel[static_cast<std::size_t>(a)] = c.kernel[a];
    pointwise[static_cast<std::size_t>(a)] = 1;
  }
  kernel[N] = kc;
  kernel[N + 1] = F == Family::conv ? c.filters : c.multiplier;
  const Wide cm = Wide(kc) * c.multiplier;
  pointwise[N] = fits(cm) ? static_cast<Index>(cm) : -1;
  pointwise[N + 1] = c.filters;
  const Wide b = F == Family::depthwise ? cm : Wide(c.filters);
  bias[0] = c.use_bias ? (fits(b) ? static_cast<Index>(b) : -1) : 0;
}

/// Grouped forward convolution of channels_last x with a (k..., Cg, F) kernel: the plain loop
/// of docs/semantics.md §3.4, in double. Returns (batch, out..., F) before bias and activation.
template <int N>
Tensor<double, N + 2> conv_ref(const Tensor<float, N + 2>& x, const Tensor<float, N + 2>& w,
                               Index groups, const Case<N>& c, const Array<Axis, N>& axes) {
  const Dims<N + 2> xd = ktl::dims_of(x), wd = ktl::dims_of(w);
  const Index B = xd[0], C = xd[N + 1], Cg = wd[N], Fo = wd[N + 1], Fg = Fo / groups;
  Dims<N + 2> yd{};
  yd[0] = B;
  yd[N + 1] = Fo;
  Index opix = 1, ipix = 1, taps = 1;
  for (int a = 0; a < N; ++a) {
    const auto i = static_cast<std::size_t>(a);
    yd[i + 1] = static_cast<Index>(axes[i].out);
    opix *= yd[i + 1];
    ipix *= xd[i + 1];
    taps *= wd[i];
  }
  Tensor<double, N + 2> y(yd);
  y.setZero();
  for (Index b = 0; b < B; ++b)
    for (Index op = 0; op < opix; ++op)
      for (Index t = 0; t < taps; ++t) {
        // Input pixel of tap t at output pixel op, if inside.
        Index rest_o = op, rest_t = t, pixel = 0, stride = 1;
        bool inside = true;
        for (int a = N - 1; a >= 0; --a) {
          const auto i = static_cast<std::size_t>(a);
          const Wide o = rest_o % yd[i + 1], k = rest_t % wd[i];
          rest_o /= yd[i + 1];
          rest_t /= wd[i];
          const Wide pos = o * c.strides[a] + k * c.dilation[a] - axes[i].before;
          if (pos < 0 || pos >= xd[i + 1]) inside = false;
          if (inside) pixel += static_cast<Index>(pos) * stride;
          stride *= xd[i + 1];
        }
        if (!inside) continue;
        const float* xp = x.data() + (b * ipix + pixel) * C;
        const float* wp = w.data() + t * Cg * Fo;
        double* yp = y.data() + (b * opix + op) * Fo;
        for (Index f = 0; f < Fo; ++f) {
          const Index g = f / Fg;
          double acc = 0.0;
          for (Index ci = 0; ci < Cg; ++ci) acc += double(xp[g * Cg + ci]) * double(wp[ci * Fo + f]);
          yp[f] += acc;
        }
      }
  return y;
}

template <Family F, int N>
const char* name() {
  return LayerOf<F, N>::type::class_name().data();
}

template <Family F, int N>
void run(Input& in) {
  using Layer = typename LayerOf<F, N>::type;
  constexpr int R = N + 2;
  const char* layer_name = name<F, N>();
  reached(layer_name, staged_case);

  // Options.
  Case<N> c;
  c.filters = in.coin(85) ? channel_value(in) : option_value(in, 8);
  c.kernel = extent_value<N>(in, 5);
  c.strides = in.coin(60) ? Extent<N>(1) : extent_value<N>(in, 3);
  c.dilation = in.coin(70) ? Extent<N>(1) : extent_value<N>(in, 3);
  c.padding = in.pick(std::array<Padding, 5>{Padding::valid, Padding::same, Padding::valid,
                                             Padding::same, Padding::causal});
  c.groups = F == Family::conv && in.coin(25) ? option_value(in, 4) : 1;
  c.multiplier = F != Family::conv && in.coin(40) ? option_value(in, 3) : 1;
  c.format = format_value(in);
  c.activation = activation_value(in);
  c.use_bias = in.coin(80);
  const bool enum_out_of_range = bad_enum(in, c.padding, c.format);
  const typename Layer::Options options = options_of<F, N>(c);
  const bool valid = options_valid<F, N>(c) && !enum_out_of_range;

  // Input shape (logical channels_last) and the kernel's channel axis.
  Dims<R> x_last{};
  x_last[0] = in.coin(95) ? 1 + static_cast<Index>(in.below(3)) : in.pick(std::array<Index, 3>{0, 2, Index{1} << 40});
  for (int a = 0; a < N; ++a) x_last[static_cast<std::size_t>(a + 1)] = spatial_value(in);
  Index kc = channel_value(in);  // conv: C / groups; depthwise, separable: C
  const Wide c_wide = F == Family::conv ? Wide(kc) * std::max<Index>(c.groups, 1) : Wide(kc);
  x_last[N + 1] = in.coin(92) && fits(c_wide) ? static_cast<Index>(c_wide) : channel_value(in);
  const Index channels = x_last[N + 1];

  // Weights: the options' shapes, sometimes one axis off.
  Dims<R> kd{}, pd{};
  Dims<1> bd{};
  expected_weights<F, N>(c, kc, kd, pd, bd);
  if (F != Family::separable) pd.fill(0);  // no pointwise kernel
  const Dims<R> kd_want = kd, pd_want = pd;
  const Dims<1> bd_want = bd;
  perturb(in, kd);
  if (F == Family::separable) perturb(in, pd);
  perturb(in, bd);
  Random rng(in.u64());
  const bool special_weights = in.coin(4), special_data = in.coin(6);
  const Wide kcount = count(kd), pcount = F == Family::separable ? count(pd) : 0, bcount = count(bd);

  std::optional<Layer> layer;
  if (kcount < 0 || pcount < 0 || bcount < 0 || kcount > max_elements || pcount > max_elements ||
      bcount > max_elements) {
    // No weights can be allocated here: make() must reject the options or its input_channels
    // (it checks the weight shapes' element counts before building anything); when they are
    // valid it would build weights of that size, so the case ends.
    const Index make_channels = F == Family::conv && fits(c_wide) ? static_cast<Index>(c_wide)
                                : F == Family::conv                ? channels
                                                                   : kc;
    bool make_can_build = valid && make_channels >= 1 &&
                          (F != Family::conv || make_channels % c.groups == 0);
    if (make_can_build) {
      Dims<R> mk{}, mp{};
      Dims<1> mb{};
      expected_weights<F, N>(c, F == Family::conv ? make_channels / c.groups : make_channels, mk, mp, mb);
      make_can_build = fits(count(mk)) && (F != Family::separable || fits(count(mp)));
    }
    if (make_can_build) return;
    if (succeeds("make", [&] { layer.emplace(Layer::make(options, make_channels, rng.next())); }))
      finding(std::string(layer_name) + "::make accepted invalid options or input_channels=" +
              std::to_string(make_channels));
    return;
  }
  Tensor<float, R> kernel(kd), pointwise(pd);
  Tensor<float, 1> bias(bd);
  fill(kernel, rng, special_weights);
  fill(pointwise, rng, special_weights);
  fill(bias, rng, false);
  const bool built = succeeds("constructor", [&] {
    if constexpr (F == Family::separable)
      layer.emplace(options, kernel, pointwise, bias);
    else
      layer.emplace(options, kernel, bias);
  });
  if (!built) return;
  reached(layer_name, staged_built);
  // Accepted: the options must be valid and the weights of the options' shapes (the kernel's
  // channel axis is free: it sets the input channels).
  if (!valid) finding(std::string(layer_name) + ": the constructor accepted invalid options");
  Dims<R> kd_check = kd_want;
  kd_check[N] = kd[N];
  Dims<R> pd_check = pd_want;
  if (F == Family::separable) {
    const Wide cm = Wide(kd[N]) * c.multiplier;
    pd_check[N] = fits(cm) ? static_cast<Index>(cm) : -1;
  }
  Dims<1> bd_check = bd_want;
  if (F == Family::depthwise && c.use_bias) bd_check[0] = fits(Wide(kd[N]) * c.multiplier) ? kd[N] * c.multiplier : -1;
  if (kd[N] < 1 || kd != kd_check || (F == Family::separable && pd != pd_check) || bd != bd_check)
    finding(std::string(layer_name) + ": the constructor accepted weights of the wrong shape: kernel " +
            text(kd) + ", pointwise " + text(pd) + ", bias " + text(bd));
  kc = kd[N];
  const Index want_channels = F == Family::conv ? kc * c.groups : kc;

  // Output shape: exact, or an error exactly when Keras' rules (or Index) say so.
  const Dims<R> x_dims = shape_in(x_last, c.format);
  bool input_ok = channels == want_channels && count(x_last) > 0 && count(x_last) <= index_max;
  bool may_throw = false;  // ktl's own limit: the zero-padded input must fit Index
  Array<Axis, N> axes{};
  Array<Wide, R> y_want{};
  y_want[0] = x_last[0];
  for (int a = 0; a < N; ++a) {
    const auto i = static_cast<std::size_t>(a);
    axes[i] = conv_axis(x_last[i + 1], c.kernel[a], c.strides[a], c.dilation[a], c.padding);
    input_ok = input_ok && axes[i].out >= 1;
    if (c.padding != Padding::valid && !fits(Wide(x_last[i + 1]) + (Wide(c.kernel[a]) - 1) * c.dilation[a]))
      may_throw = true;
    y_want[i + 1] = axes[i].out;
  }
  y_want[R - 1] = out_channels<F, N>(c, channels);
  const Wide y_count = count(y_want);
  if (input_ok && y_count > index_max) may_throw = true;
  const std::optional<Dims<R>> shaped =
      output_shape_of(layer_name, *layer, x_dims, input_ok, may_throw, shape_in(y_want, c.format));
  if (!shaped) return;
  const Dims<R> y_dims = *shaped;
  reached(layer_name, staged_shaped);

  // Compute, within the work bounds.
  if (count(x_last) > max_elements || y_count > max_elements) return;
  Wide taps = 1;  // the kernel was allocated: at most max_elements
  for (int a = 0; a < N; ++a) taps *= c.kernel[a];
  const Wide macs = y_count * taps * (F == Family::conv ? kc : 1) +
                    (F == Family::separable ? y_count * kc * c.multiplier : 0);
  if (macs > max_macs) return;
  Tensor<float, R> x_l(x_last);
  fill(x_l, rng, special_data);
  const Tensor<float, R> x = to_format(x_l, c.format);
  reached(layer_name, staged_computed);
  const ktl::ThreadPool& pool = pool_value(in);
  Tensor<float, R> y(y_dims);
  ktl::Workspace ws;
  const bool explicit_ws = in.coin(50);
  const bool ran = succeeds("call", [&] {
    if (explicit_ws)
      layer->forward(ktl::view(x), ktl::mutable_view(y), ws, pool);
    else
      y = (*layer)(ktl::view(x), pool);
  });
  if (!ran) finding(std::string(layer_name) + ": output_shape accepted " + text(x_dims) + " but the call threw");
  // The workspace is sized by the work (tensors and weights), never by strides or dilation.
  const Wide work_bytes = 64 * (count(x_last) + y_count + kcount + pcount) + (Wide{4} << 20) * pool.num_threads();
  if (Wide(ws.capacity()) > work_bytes)
    finding(std::string(layer_name) + ": the workspace grew to " + std::to_string(ws.capacity()) +
            " bytes for input " + text(x_dims));
  // A wrong output view is a shape_mismatch.
  if (in.coin(10)) {
    Dims<R> wrong = y_dims;
    wrong[in.below(R)] += 1;
    Tensor<float, R> yw(wrong);
    if (succeeds("forward with a wrong view", [&] { layer->forward(ktl::view(x), ktl::mutable_view(yw), ws, pool); }))
      finding(std::string(layer_name) + ": forward accepted an output view of shape " + text(wrong));
  }

  // Reference (finite weights; non-finite data only through linear and plain relu, whose
  // results do not depend on how exp-based functions treat infinities).
  if (!all_finite(kernel) || !all_finite(pointwise)) return;
  const bool finite_data = all_finite(x_l);
  const bool plain = c.activation.kind == ktl::Activation::linear || c.activation == ktl::ActivationFunction(ktl::Activation::relu);
  if (!finite_data && !plain) return;
  Tensor<double, R> ref;
  if constexpr (F == Family::conv) {
    ref = conv_ref<N>(x_l, kernel, c.groups, c, axes);
  } else {
    // Depthwise = grouped convolution with groups C and kernel (k..., 1, C*M), channel c*M + m.
    Dims<R> gd = kd;
    gd[N] = 1;
    gd[N + 1] = kc * c.multiplier;
    Tensor<float, R> grouped(gd);
    const Index taps_i = static_cast<Index>(taps);
    for (Index t = 0; t < taps_i; ++t)
      for (Index ch = 0; ch < kc * c.multiplier; ++ch)
        grouped.data()[t * kc * c.multiplier + ch] = kernel.data()[t * kc * c.multiplier + ch];
    const Tensor<double, R> z = conv_ref<N>(x_l, grouped, kc, c, axes);
    if constexpr (F == Family::depthwise) {
      ref = z;
    } else {
      // Pointwise (C*M x filters), the intermediate kept in float as TensorFlow does.
      Dims<R> rd = ktl::dims_of(z);
      rd[N + 1] = c.filters;
      ref = Tensor<double, R>(rd);
      const Index pixels = z.size() / (kc * c.multiplier), cm = kc * c.multiplier;
      for (Index p = 0; p < pixels; ++p)
        for (Index f = 0; f < c.filters; ++f) {
          double acc = 0.0;
          for (Index j = 0; j < cm; ++j)
            acc += double(static_cast<float>(z.data()[p * cm + j])) * double(pointwise.data()[j * c.filters + f]);
          ref.data()[p * c.filters + f] = acc;
        }
    }
  }
  if (c.use_bias) {
    const Index fo = ref.dimension(N + 1);
    for (Index i = 0; i < ref.size(); ++i) ref.data()[i] += double(bias.data()[i % fo]);
  }
  // Into the layer's format (as float values, then activation in double over the last axis).
  Tensor<float, R> pre(ktl::dims_of(ref));
  for (Index i = 0; i < ref.size(); ++i) pre.data()[i] = static_cast<float>(ref.data()[i]);
  const Tensor<float, R> pre_f = to_format(pre, c.format);
  Tensor<double, R> want(ktl::dims_of(pre_f));
  for (Index i = 0; i < want.size(); ++i) want.data()[i] = double(pre_f.data()[i]);
  activate_ref(want, c.activation);
  // Float sums of K products: the tolerance grows with K (1e-5 for small convolutions).
  const Wide reduction = taps * kc + (F == Family::separable ? Wide(kc) * c.multiplier : 0);
  expect_close(layer_name, y, want, 1e-5 * (1.0 + static_cast<double>(reduction) / 256.0));
  reached(layer_name, staged_compared);
}

}  // namespace

void fuzz_forward_conv(Input& in) {
  switch (in.below(7)) {
    case 0: run<Family::conv, 1>(in); break;
    case 1: run<Family::conv, 2>(in); break;
    case 2: run<Family::conv, 3>(in); break;
    case 3: run<Family::depthwise, 1>(in); break;
    case 4: run<Family::depthwise, 2>(in); break;
    case 5: run<Family::separable, 1>(in); break;
    default: run<Family::separable, 2>(in); break;
  }
}

}  // namespace ktl_fuzz
