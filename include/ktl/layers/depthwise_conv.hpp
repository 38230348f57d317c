// DepthwiseConv1D and DepthwiseConv2D: Keras' depthwise convolution layers
// (keras.layers.DepthwiseConv2D; DepthwiseConv1D as in Keras 2.7+ / Keras 3), Keras-exact in both
// data formats. Thin: options, weights, shape checks; the compute is kernels/depthwise_conv.hpp
// (a channels_last kernel vectorised over channels, a channels_first one along the rows).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include <ktl/core/tensor.hpp>
#include <ktl/activations.hpp>
#include <ktl/constraints.hpp>
#include <ktl/core/error.hpp>
#include <ktl/core/parallel.hpp>
#include <ktl/core/types.hpp>
#include <ktl/core/workspace.hpp>
#include <ktl/initializers.hpp>
#include <ktl/layers/detail/calls.hpp>
#include <ktl/kernels/depthwise_conv.hpp>
#include <ktl/kernels/layout.hpp>
#include <ktl/regularizers.hpp>
#include <ktl/shape/conv_shape.hpp>
#include <ktl/shape/validate.hpp>

namespace ktl {

/// Options of DepthwiseConv1D / DepthwiseConv2D with Keras' argument names and defaults.
/// Keras: keras.layers.DepthwiseConv2D(kernel_size, strides=1, padding='valid',
/// depth_multiplier=1, data_format, dilation_rate=1, activation=None, use_bias=True, ...).
template <int N>
struct DepthwiseConvOptions {
  Extent<N> kernel_size = 0;                          ///< required, every entry >= 1
  Extent<N> strides = 1;                              ///< every entry >= 1
  Padding padding = Padding::valid;                   ///< valid or same (causal is rejected)
  Index depth_multiplier = 1;                         ///< M >= 1: output channels C * M
  DataFormat data_format = DataFormat::channels_last; ///< channels_last or channels_first
  Extent<N> dilation_rate = 1;                        ///< >= 1; > 1 only with strides 1
  ActivationFunction activation = Activation::linear; ///< applied after the bias
  bool use_bias = true;                               ///< false: no bias weight at all
  Initializer depthwise_initializer = Initializer::glorot_uniform();  ///< used by make()
  Initializer bias_initializer = Initializer::zeros();                ///< used by make()
  std::optional<Regularizer> depthwise_regularizer{};   ///< penalty on the depthwise kernel
  std::optional<Regularizer> bias_regularizer{};        ///< penalty on the bias
  std::optional<Regularizer> activity_regularizer{};    ///< penalty on the (activated) output
  std::optional<Constraint> depthwise_constraint{};     ///< projection by apply_constraints()
  std::optional<Constraint> bias_constraint{};          ///< projection by apply_constraints()
};

namespace detail {

/// The channels_last kernel geometry of a depthwise step (DepthwiseConv and SeparableConv) for
/// an input shape already validated by the layer. 1-D maps to 2-D with a unit height.
template <int N>
kernels::DepthwiseGeometry depthwise_geometry(const Dims<N + 2>& input, DataFormat f,
                                              const Extent<N>& kernel_size, const Extent<N>& strides,
                                              const Extent<N>& dilation_rate, Padding padding,
                                              Index channels, Index multiplier,
                                              std::string_view layer) {
  static_assert(N == 1 || N == 2, "ktl::detail::depthwise_geometry: N must be 1 or 2");
  const auto sp = shape::spatial_dims<N>(input, f);
  Index in[2] = {1, 1}, out[2] = {1, 1}, k[2] = {1, 1}, s[2] = {1, 1}, d[2] = {1, 1};
  shape::Pads pads[2] = {};
  for (int a = 0; a < N; ++a) {
    const auto i = static_cast<std::size_t>(a + 2 - N);  // 1-D: the width axis
    in[i] = sp[static_cast<std::size_t>(a)];
    k[i] = kernel_size[a];
    s[i] = strides[a];
    d[i] = dilation_rate[a];
    out[i] = shape::conv_output_length(in[i], k[i], s[i], d[i], padding, layer);
    pads[i] = shape::conv_padding(in[i], k[i], s[i], d[i], padding, layer);
  }
  kernels::DepthwiseGeometry g;
  g.batch = input[0];
  g.channels = channels;
  g.multiplier = multiplier;
  g.in_h = in[0];
  g.in_w = in[1];
  g.out_h = out[0];
  g.out_w = out[1];
  g.kernel_h = k[0];
  g.kernel_w = k[1];
  g.stride_h = s[0];
  g.stride_w = s[1];
  g.dilation_h = d[0];
  g.dilation_w = d[1];
  g.pad_top = pads[0].before;
  g.pad_bottom = pads[0].after;
  g.pad_left = pads[1].before;
  g.pad_right = pads[1].after;
  return g;
}

}  // namespace detail

/// Depthwise convolution layer: every input channel is convolved with its own depth_multiplier
/// filters, output channel c * M + m (TensorFlow's order).
/// Keras: keras.layers.DepthwiseConv2D; DepthwiseConv1D (Keras 2.7+, Keras 3).
/// Shapes: channels_last (batch, d1..dN, C) -> (batch, o1..oN, C*M); channels_first
/// (batch, C, d1..dN) -> (batch, C*M, o1..oN); o_a from shape::conv_output_length (dilation
/// included, unlike Keras 2.2.4's shape function, see docs/semantics.md 4.6).
/// Weights in Keras' layout: depthwise_kernel (k1..kN, C, M), bias (C*M) or empty when use_bias
/// is false. The constructor, make() and set_weights() throw invalid_options for bad options
/// (kernel_size, strides, dilation_rate or depth_multiplier < 1, causal padding, strides > 1
/// together with dilation_rate > 1) and shape_mismatch for weights of the wrong shape; calls
/// throw shape_mismatch for an input whose channels do not match the kernel, an empty axis, an
/// empty output, or (forward) an output view of the wrong shape. Calls are const, stateless and
/// thread-safe; results are bit-identical for any number of threads.
template <typename Scalar, int N>
class DepthwiseConv : public detail::LayerCalls<DepthwiseConv<Scalar, N>, Scalar, N + 2> {
  static_assert(N == 1 || N == 2,
                "ktl::DepthwiseConv<Scalar, N>: N is the spatial rank; use 1 or 2 (Keras has "
                "DepthwiseConv1D and DepthwiseConv2D)");
  static_assert(std::is_floating_point_v<Scalar>,
                "ktl::DepthwiseConv<Scalar, N>: Scalar must be a floating-point type (float or double)");

 public:
  /// operator()(x), operator()(x, pool), forward(x, y), forward for any accepted x and y,
  /// compute_output_shape and output_shape for arrays and braced lists come from LayerCalls.
  using Calls = detail::LayerCalls<DepthwiseConv<Scalar, N>, Scalar, N + 2>;
  using Calls::forward;
  using Calls::output_shape;
  using Calls::compute_output_shape;
  static constexpr int rank = N + 2;
  using Options = DepthwiseConvOptions<N>;

  /// Validates the options and the weights (see the class comment).
  DepthwiseConv(Options options, Tensor<Scalar, rank> depthwise_kernel, Tensor<Scalar, 1> bias = {})
      : options_(std::move(options)) {
    validate_options(options_);
    set_weights(std::move(depthwise_kernel), std::move(bias));
  }
  /// The same for weights given as maps, expressions or tensors of another index type (each
  /// copied or evaluated once). A weight of another rank, layout or scalar type does not compile.
  template <typename Kernel, typename Bias = Tensor<Scalar, 1>>
  DepthwiseConv(Options options, Kernel&& depthwise_kernel, Bias&& bias = Bias())
      : DepthwiseConv(std::move(options),
                      detail::weight<DepthwiseConv, Scalar, rank>(std::forward<Kernel>(depthwise_kernel)),
                      detail::weight<DepthwiseConv, Scalar, 1>(std::forward<Bias>(bias))) {}

  /// Builds the weights with the options' initializers, as Keras' build() does for an input with
  /// `input_channels` channels: depthwise_kernel from derive_seed(seed, 0), bias from
  /// derive_seed(seed, 1). Throws invalid_options for bad options or input_channels < 1.
  static DepthwiseConv make(Options options, Index input_channels, std::uint64_t seed = 0) {
    validate_options(options);
    shape::check_min(class_name(), "input_channels", input_channels, 1);
    Dims<rank> kshape{};
    for (int a = 0; a < N; ++a) kshape[static_cast<std::size_t>(a)] = options.kernel_size[a];
    kshape[static_cast<std::size_t>(N)] = input_channels;
    kshape[static_cast<std::size_t>(N + 1)] = options.depth_multiplier;
    shape::element_count_or_raise<invalid_options>(
        kshape, class_name(), "depthwise_kernel shape", "kernel_size=", options.kernel_size,
        ", input_channels=", input_channels, ", depth_multiplier=", options.depth_multiplier);
    Tensor<Scalar, rank> kernel = options.depthwise_initializer.template operator()<Scalar, rank>(
        kshape, derive_seed(seed, 0));
    Tensor<Scalar, 1> bias;
    if (options.use_bias)  // C * M fits: the kernel shape's count (a multiple of it) did
      bias = options.bias_initializer.template operator()<Scalar, 1>(
          Dims<1>{input_channels * options.depth_multiplier}, derive_seed(seed, 1));
    return DepthwiseConv(std::move(options), std::move(kernel), std::move(bias));
  }

  /// Output shape for an input shape (either format); throws shape_mismatch as a call would.
  Dims<rank> output_shape(const Dims<rank>& input) const {
    const DataFormat f = options_.data_format;
    shape::check_non_empty<rank>(class_name(), input, f);
    shape::check_channels<rank>(class_name(), input, f, input_channels());
    const Dims<rank> out = shape::conv_output_shape<N>(
        input, f, options_.kernel_size, options_.strides, options_.dilation_rate, options_.padding,
        input_channels() * options_.depth_multiplier, class_name());
    shape::check_output_non_empty<N>(class_name(), input, out, f,
                                     "with padding valid every spatial extent must be >= the "
                                     "effective kernel (kernel_size - 1) * dilation_rate + 1");
    return out;
  }

  /// Writes the output into caller memory `y` (shape output_shape(x), not overlapping x);
  /// allocates nothing once `workspace` has grown to this call's size (channels_last needs none;
  /// channels_first holds one zero-padded band of input rows per thread, or, when a dilated
  /// kernel is far longer than the input, the input and output in channels_last order).
  /// Throws shape_mismatch when y has another shape.
  void forward(ConstView<Scalar, rank> x, TensorView<Scalar, rank> y, Workspace& workspace,
               const ThreadPool& pool) const {
    const Dims<rank> in = dims_of(x);
    const Dims<rank> out = output_shape(in);
    shape::check_output_view(class_name(), dims_of(y), out, in, options_.data_format);
    const DataFormat f = options_.data_format;
    const kernels::DepthwiseGeometry g = detail::depthwise_geometry<N>(
        in, f, options_.kernel_size, options_.strides, options_.dilation_rate, options_.padding,
        input_channels(), options_.depth_multiplier, class_name());
    const Scalar* bias = options_.use_bias ? bias_.data() : nullptr;
    const ActivationFunction& act = options_.activation;
    const ActivationFunction fused = act.elementwise() ? act : ActivationFunction(Activation::linear);
    const shape::Checked threads = pool.num_threads();
    if (f == DataFormat::channels_last) {
      kernels::depthwise_conv(x.data(), packed_.data(), bias, y.data(), g, fused, pool);
    } else if (kernels::planar_band_fits(g)) {  // planes are contiguous: convolve them directly
      kernels::depthwise_conv_planar(
          x.data(), packed_.data(), bias, y.data(), g, fused,
          workspace.request<Scalar>(shape::checked_workspace(
              threads * kernels::depthwise_planar_scratch_size(g, 1), class_name(), in)),
          pool);
    } else {  // the band would be sized by the dilation: shuffle around the channels_last kernel
      const Index value = static_cast<Index>(sizeof(Scalar));
      const Index x_bytes = Workspace::round_up(value * x.size());
      unsigned char* mem = workspace.request<unsigned char>(shape::checked_workspace(
          shape::Checked(x_bytes) + value * y.size(), class_name(), in));
      Scalar* x_last = reinterpret_cast<Scalar*>(mem);
      Scalar* y_last = reinterpret_cast<Scalar*>(mem + x_bytes);
      kernels::channels_first_to_last(x.data(), x_last, g.batch, g.channels, g.in_h * g.in_w, pool);
      kernels::depthwise_conv(x_last, packed_.data(), bias, y_last, g, fused, pool);
      kernels::channels_last_to_first(y_last, y.data(), g.batch, g.out_pixels(), g.out_channels(),
                                      pool);
    }
    if (!act.elementwise()) apply_activation(act, y);  // softmax: over the output's last axis
  }

  const Options& options() const noexcept { return options_; }
  /// The depthwise kernel (k1..kN, C, M) in Keras' layout.
  const Tensor<Scalar, rank>& depthwise_kernel() const noexcept { return kernel_; }
  /// The bias (C*M values), empty when use_bias is false.
  const Tensor<Scalar, 1>& bias() const noexcept { return bias_; }

  /// Replaces the weights (Keras' set_weights([depthwise_kernel, bias])): depthwise_kernel
  /// (kernel_size..., C, depth_multiplier) with C >= 1, bias (C*M) or empty when use_bias is
  /// false. Throws shape_mismatch otherwise (the layer keeps its old weights).
  void set_weights(Tensor<Scalar, rank> depthwise_kernel, Tensor<Scalar, 1> bias = {}) {
    shape::check_depthwise_kernel<N>(class_name(), dims_of(depthwise_kernel), options_.kernel_size,
                                     options_.depth_multiplier);
    shape::check_bias(class_name(), dims_of(bias), options_.use_bias,
                      depthwise_kernel.dimension(N) * options_.depth_multiplier,
                      "(C * depth_multiplier, C from depthwise_kernel)");
    kernel_ = std::move(depthwise_kernel);
    bias_ = std::move(bias);
    repack();
  }
  /// The same for weights given as maps or expressions; another rank, layout or scalar type does
  /// not compile.
  template <typename Kernel, typename Bias = Tensor<Scalar, 1>>
  void set_weights(Kernel&& depthwise_kernel, Bias&& bias = Bias()) {
    set_weights(detail::weight<DepthwiseConv, Scalar, rank>(std::forward<Kernel>(depthwise_kernel)),
                detail::weight<DepthwiseConv, Scalar, 1>(std::forward<Bias>(bias)));
  }

  /// Depthwise-kernel and bias penalties (Keras adds them to the loss once per weight).
  Scalar regularization_loss() const {
    Scalar loss = penalty_or_zero(options_.depthwise_regularizer, kernel_);
    if (options_.use_bias) loss += penalty_or_zero(options_.bias_regularizer, bias_);
    return loss;
  }
  /// The weight penalties plus the activity penalty of `output` (this layer's output).
  Scalar regularization_loss(ConstView<Scalar, rank> output) const {
    return regularization_loss() + penalty_or_zero(options_.activity_regularizer, output);
  }

  /// Projects the depthwise kernel and the bias with their constraints (what Keras does after an
  /// update). For one norm per (c, m) filter use axis {0, .., N-1}.
  void apply_constraints() {
    if (options_.depthwise_constraint) options_.depthwise_constraint->apply(kernel_);
    if (options_.bias_constraint && options_.use_bias) options_.bias_constraint->apply(bias_);
    repack();
  }

  /// Input channels C the weights expect.
  Index input_channels() const noexcept { return kernel_.dimension(N); }

  /// Keras class name (messages, configs): "DepthwiseConv1D" or "DepthwiseConv2D".
  static constexpr std::string_view class_name() noexcept {
    return N == 1 ? "DepthwiseConv1D" : "DepthwiseConv2D";
  }

 private:
  static void validate_options(const Options& o) {
    shape::check_min<N>(class_name(), "kernel_size", o.kernel_size, 1);
    shape::check_min<N>(class_name(), "strides", o.strides, 1);
    shape::check_min<N>(class_name(), "dilation_rate", o.dilation_rate, 1);
    shape::check_effective_kernel<N>(class_name(), o.kernel_size, o.dilation_rate);
    shape::check_min(class_name(), "depth_multiplier", o.depth_multiplier, 1);
    shape::check_padding(class_name(), o.padding);
    shape::check_data_format(class_name(), o.data_format);
    shape::check_strides_dilation<N>(class_name(), o.strides, o.dilation_rate);
  }
  /// The kernels' weight layout (k.., M, C), rebuilt whenever the weights change.
  void repack() {
    Index taps = 1;
    for (int a = 0; a < N; ++a) taps *= kernel_.dimension(static_cast<std::size_t>(a));
    packed_ = Tensor<Scalar, 1>(kernel_.size());
    kernels::pack_depthwise_weights(kernel_.data(), packed_.data(), taps, input_channels(),
                                    options_.depth_multiplier);
  }

  Options options_;
  Tensor<Scalar, rank> kernel_;
  Tensor<Scalar, 1> bias_;
  Tensor<Scalar, 1> packed_;
};

/// keras.layers.DepthwiseConv1D (float): (batch, steps, C) -> (batch, new_steps, C*M).
using DepthwiseConv1D = DepthwiseConv<float, 1>;
/// keras.layers.DepthwiseConv2D (float): (batch, rows, cols, C) -> (batch, new_rows, new_cols, C*M).
using DepthwiseConv2D = DepthwiseConv<float, 2>;
using DepthwiseConv1DOptions = DepthwiseConvOptions<1>;
using DepthwiseConv2DOptions = DepthwiseConvOptions<2>;

}  // namespace ktl
