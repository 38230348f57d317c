// SeparableConv1D and SeparableConv2D: Keras' depthwise-separable convolution layers
// (keras.layers.SeparableConv1D / SeparableConv2D), Keras-exact in both data formats: a depthwise
// step (no bias) then a pointwise 1x1 convolution, bias and activation. The compute is fused per
// tile of output pixels (channels_last) or band of output rows (channels_first) in
// kernels/depthwise_conv.hpp.
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
#include <ktl/layers/depthwise_conv.hpp>
#include <ktl/regularizers.hpp>
#include <ktl/shape/conv_shape.hpp>
#include <ktl/shape/validate.hpp>

namespace ktl {

/// Options of SeparableConv1D / SeparableConv2D with Keras' argument names and defaults.
/// Keras: keras.layers.SeparableConv2D(filters, kernel_size, strides=1, padding='valid',
/// data_format, dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True, ...).
/// padding causal is rejected for SeparableConv1D too, as Keras 2.2 (at call time) and Keras 3
/// do; tf.keras 2.x accepted it there (docs/semantics.md section 5).
template <int N>
struct SeparableConvOptions {
  Index filters = 0;                                  ///< required, >= 1
  Extent<N> kernel_size = 0;                          ///< required, every entry >= 1
  Extent<N> strides = 1;                              ///< every entry >= 1
  Padding padding = Padding::valid;                   ///< valid or same
  DataFormat data_format = DataFormat::channels_last; ///< channels_last or channels_first
  Extent<N> dilation_rate = 1;                        ///< >= 1; > 1 only with strides 1
  Index depth_multiplier = 1;                         ///< M >= 1: C * M intermediate channels
  ActivationFunction activation = Activation::linear; ///< applied after the bias
  bool use_bias = true;                               ///< false: no bias weight at all
  Initializer depthwise_initializer = Initializer::glorot_uniform();  ///< used by make()
  Initializer pointwise_initializer = Initializer::glorot_uniform();  ///< used by make()
  Initializer bias_initializer = Initializer::zeros();                ///< used by make()
  std::optional<Regularizer> depthwise_regularizer{};   ///< penalty on the depthwise kernel
  std::optional<Regularizer> pointwise_regularizer{};   ///< penalty on the pointwise kernel
  std::optional<Regularizer> bias_regularizer{};        ///< penalty on the bias
  std::optional<Regularizer> activity_regularizer{};    ///< penalty on the (activated) output
  std::optional<Constraint> depthwise_constraint{};     ///< projection by apply_constraints()
  std::optional<Constraint> pointwise_constraint{};     ///< projection by apply_constraints()
  std::optional<Constraint> bias_constraint{};          ///< projection by apply_constraints()
};

/// Depthwise-separable convolution layer: depthwise step (k1..kN, C, M) without bias, then a
/// 1x1 convolution to `filters` channels, bias, activation (docs/semantics.md 3.8; the C*M
/// intermediate is kept in Scalar, as TensorFlow keeps float32).
/// Keras: keras.layers.SeparableConv1D / SeparableConv2D.
/// Shapes: channels_last (batch, d1..dN, C) -> (batch, o1..oN, filters); channels_first
/// (batch, C, d1..dN) -> (batch, filters, o1..oN); o_a from shape::conv_output_length.
/// Weights in Keras' layout: depthwise_kernel (k1..kN, C, M), pointwise_kernel
/// (1.., C*M, filters), bias (filters) or empty when use_bias is false. The constructor, make()
/// and set_weights() throw invalid_options for bad options (filters, kernel_size, strides,
/// dilation_rate or depth_multiplier < 1, causal padding, strides > 1 together with
/// dilation_rate > 1) and shape_mismatch for weights of the wrong shape; calls throw
/// shape_mismatch for an input whose channels do not match, an empty axis, an empty output, or
/// (forward) an output view of the wrong shape. Calls are const, stateless and thread-safe;
/// results are bit-identical for any number of threads.
template <typename Scalar, int N>
class SeparableConv : public detail::LayerCalls<SeparableConv<Scalar, N>, Scalar, N + 2> {
  static_assert(N == 1 || N == 2,
                "ktl::SeparableConv<Scalar, N>: N is the spatial rank; use 1 or 2 (Keras has "
                "SeparableConv1D and SeparableConv2D)");
  static_assert(std::is_floating_point_v<Scalar>,
                "ktl::SeparableConv<Scalar, N>: Scalar must be a floating-point type (float or double)");

 public:
  /// operator()(x), operator()(x, pool), forward(x, y), forward for any accepted x and y,
  /// compute_output_shape and output_shape for arrays and braced lists come from LayerCalls.
  using Calls = detail::LayerCalls<SeparableConv<Scalar, N>, Scalar, N + 2>;
  using Calls::forward;
  using Calls::output_shape;
  using Calls::compute_output_shape;
  static constexpr int rank = N + 2;
  using Options = SeparableConvOptions<N>;

  /// Validates the options and the weights (see the class comment).
  SeparableConv(Options options, Tensor<Scalar, rank> depthwise_kernel,
                Tensor<Scalar, rank> pointwise_kernel, Tensor<Scalar, 1> bias = {})
      : options_(std::move(options)) {
    validate_options(options_);
    set_weights(std::move(depthwise_kernel), std::move(pointwise_kernel), std::move(bias));
  }
  /// The same for weights given as maps, expressions or tensors of another index type (each
  /// copied or evaluated once). A weight of another rank, layout or scalar type does not compile.
  template <typename Depthwise, typename Pointwise, typename Bias = Tensor<Scalar, 1>>
  SeparableConv(Options options, Depthwise&& depthwise_kernel, Pointwise&& pointwise_kernel,
                Bias&& bias = Bias())
      : SeparableConv(
            std::move(options),
            detail::weight<SeparableConv, Scalar, rank>(std::forward<Depthwise>(depthwise_kernel)),
            detail::weight<SeparableConv, Scalar, rank>(std::forward<Pointwise>(pointwise_kernel)),
            detail::weight<SeparableConv, Scalar, 1>(std::forward<Bias>(bias))) {}

  /// Builds the weights with the options' initializers, as Keras' build() does for an input with
  /// `input_channels` channels: depthwise_kernel from derive_seed(seed, 0), pointwise_kernel from
  /// derive_seed(seed, 1), bias from derive_seed(seed, 2). Throws invalid_options for bad options
  /// or input_channels < 1.
  static SeparableConv make(Options options, Index input_channels, std::uint64_t seed = 0) {
    validate_options(options);
    shape::check_min(class_name(), "input_channels", input_channels, 1);
    Dims<rank> dshape{}, pshape{};
    for (int a = 0; a < N; ++a) {
      dshape[static_cast<std::size_t>(a)] = options.kernel_size[a];
      pshape[static_cast<std::size_t>(a)] = 1;
    }
    dshape[static_cast<std::size_t>(N)] = input_channels;
    dshape[static_cast<std::size_t>(N + 1)] = options.depth_multiplier;
    shape::element_count_or_raise<invalid_options>(
        dshape, class_name(), "depthwise_kernel shape", "kernel_size=", options.kernel_size,
        ", input_channels=", input_channels, ", depth_multiplier=", options.depth_multiplier);
    pshape[static_cast<std::size_t>(N)] = input_channels * options.depth_multiplier;  // fits: ^
    pshape[static_cast<std::size_t>(N + 1)] = options.filters;
    shape::element_count_or_raise<invalid_options>(
        pshape, class_name(), "pointwise_kernel shape", "input_channels=", input_channels,
        ", depth_multiplier=", options.depth_multiplier, ", filters=", options.filters);
    Tensor<Scalar, rank> depthwise = options.depthwise_initializer.template operator()<Scalar, rank>(
        dshape, derive_seed(seed, 0));
    Tensor<Scalar, rank> pointwise = options.pointwise_initializer.template operator()<Scalar, rank>(
        pshape, derive_seed(seed, 1));
    Tensor<Scalar, 1> bias;
    if (options.use_bias)
      bias = options.bias_initializer.template operator()<Scalar, 1>(Dims<1>{options.filters},
                                                                     derive_seed(seed, 2));
    return SeparableConv(std::move(options), std::move(depthwise), std::move(pointwise),
                         std::move(bias));
  }

  /// Output shape for an input shape (either format); throws shape_mismatch as a call would.
  Dims<rank> output_shape(const Dims<rank>& input) const {
    const DataFormat f = options_.data_format;
    shape::check_non_empty<rank>(class_name(), input, f);
    shape::check_channels<rank>(class_name(), input, f, input_channels());
    const Dims<rank> out = shape::conv_output_shape<N>(input, f, options_.kernel_size,
                                                       options_.strides, options_.dilation_rate,
                                                       options_.padding, options_.filters,
                                                       class_name());
    shape::check_output_non_empty<N>(class_name(), input, out, f,
                                     "with padding valid every spatial extent must be >= the "
                                     "effective kernel (kernel_size - 1) * dilation_rate + 1");
    return out;
  }

  /// Writes the output into caller memory `y` (shape output_shape(x), not overlapping x);
  /// allocates nothing once `workspace` has grown to this call's size (it holds one depthwise
  /// tile per thread).
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
      Scalar* s = workspace.request<Scalar>(shape::checked_workspace(
          threads * kernels::separable_scratch_size(g, 1), class_name(), in));
      kernels::separable_conv(x.data(), packed_.data(), pointwise_.data(), bias, y.data(), g,
                              options_.filters, fused, s, pool);
    } else if (kernels::planar_band_fits(g)) {
      // Planes are contiguous: per band of rows, depthwise planes then one GEMM, in place.
      Scalar* s = workspace.request<Scalar>(shape::checked_workspace(
          threads * kernels::separable_planar_scratch_size(g, 1), class_name(), in));
      kernels::separable_conv_planar(x.data(), packed_.data(), pointwise_t_.data(), bias, y.data(),
                                     g, options_.filters, fused, s, pool);
    } else {  // the band would be sized by the dilation: shuffle around the channels_last kernel
      const Index value = static_cast<Index>(sizeof(Scalar));
      const Index x_bytes = Workspace::round_up(value * x.size());
      const Index y_bytes = Workspace::round_up(value * y.size());
      const shape::Checked scratch = threads * kernels::separable_scratch_size(g, 1) * value;
      unsigned char* mem = workspace.request<unsigned char>(shape::checked_workspace(
          shape::Checked(x_bytes) + y_bytes + scratch, class_name(), in));
      Scalar* x_last = reinterpret_cast<Scalar*>(mem);
      Scalar* y_last = reinterpret_cast<Scalar*>(mem + x_bytes);
      Scalar* s = reinterpret_cast<Scalar*>(mem + x_bytes + y_bytes);
      kernels::channels_first_to_last(x.data(), x_last, g.batch, g.channels, g.in_h * g.in_w, pool);
      kernels::separable_conv(x_last, packed_.data(), pointwise_.data(), bias, y_last, g,
                              options_.filters, fused, s, pool);
      kernels::channels_last_to_first(y_last, y.data(), g.batch, g.out_pixels(), options_.filters,
                                      pool);
    }
    if (!act.elementwise()) apply_activation(act, y);  // softmax: over the output's last axis
  }

  const Options& options() const noexcept { return options_; }
  /// The depthwise kernel (k1..kN, C, M) in Keras' layout.
  const Tensor<Scalar, rank>& depthwise_kernel() const noexcept { return depthwise_; }
  /// The pointwise kernel (1.., C*M, filters) in Keras' layout.
  const Tensor<Scalar, rank>& pointwise_kernel() const noexcept { return pointwise_; }
  /// The bias (filters values), empty when use_bias is false.
  const Tensor<Scalar, 1>& bias() const noexcept { return bias_; }

  /// Replaces the weights (Keras' set_weights([depthwise_kernel, pointwise_kernel, bias])):
  /// depthwise_kernel (kernel_size..., C, depth_multiplier) with C >= 1, pointwise_kernel
  /// (1.., C*M, filters), bias (filters) or empty when use_bias is false. Throws shape_mismatch
  /// otherwise (the layer keeps its old weights).
  void set_weights(Tensor<Scalar, rank> depthwise_kernel, Tensor<Scalar, rank> pointwise_kernel,
                   Tensor<Scalar, 1> bias = {}) {
    shape::check_depthwise_kernel<N>(class_name(), dims_of(depthwise_kernel), options_.kernel_size,
                                     options_.depth_multiplier);
    shape::check_pointwise_kernel<N>(class_name(), dims_of(pointwise_kernel),
                                     depthwise_kernel.dimension(N) * options_.depth_multiplier,
                                     options_.filters);
    shape::check_bias(class_name(), dims_of(bias), options_.use_bias, options_.filters, "(filters)");
    depthwise_ = std::move(depthwise_kernel);
    pointwise_ = std::move(pointwise_kernel);
    bias_ = std::move(bias);
    repack();
  }
  /// The same for weights given as maps or expressions; another rank, layout or scalar type does
  /// not compile.
  template <typename Depthwise, typename Pointwise, typename Bias = Tensor<Scalar, 1>>
  void set_weights(Depthwise&& depthwise_kernel, Pointwise&& pointwise_kernel, Bias&& bias = Bias()) {
    set_weights(
        detail::weight<SeparableConv, Scalar, rank>(std::forward<Depthwise>(depthwise_kernel)),
        detail::weight<SeparableConv, Scalar, rank>(std::forward<Pointwise>(pointwise_kernel)),
        detail::weight<SeparableConv, Scalar, 1>(std::forward<Bias>(bias)));
  }

  /// Depthwise, pointwise and bias penalties (Keras adds them to the loss once per weight).
  Scalar regularization_loss() const {
    Scalar loss = penalty_or_zero(options_.depthwise_regularizer, depthwise_) +
                  penalty_or_zero(options_.pointwise_regularizer, pointwise_);
    if (options_.use_bias) loss += penalty_or_zero(options_.bias_regularizer, bias_);
    return loss;
  }
  /// The weight penalties plus the activity penalty of `output` (this layer's output).
  Scalar regularization_loss(ConstView<Scalar, rank> output) const {
    return regularization_loss() + penalty_or_zero(options_.activity_regularizer, output);
  }

  /// Projects the three weights with their constraints (what Keras does after an update).
  void apply_constraints() {
    if (options_.depthwise_constraint) options_.depthwise_constraint->apply(depthwise_);
    if (options_.pointwise_constraint) options_.pointwise_constraint->apply(pointwise_);
    if (options_.bias_constraint && options_.use_bias) options_.bias_constraint->apply(bias_);
    repack();
  }

  /// Input channels C the weights expect.
  Index input_channels() const noexcept { return depthwise_.dimension(N); }

  /// Keras class name (messages, configs): "SeparableConv1D" or "SeparableConv2D".
  static constexpr std::string_view class_name() noexcept {
    return N == 1 ? "SeparableConv1D" : "SeparableConv2D";
  }

 private:
  static void validate_options(const Options& o) {
    shape::check_min(class_name(), "filters", o.filters, 1);
    shape::check_min<N>(class_name(), "kernel_size", o.kernel_size, 1);
    shape::check_min<N>(class_name(), "strides", o.strides, 1);
    shape::check_min<N>(class_name(), "dilation_rate", o.dilation_rate, 1);
    shape::check_effective_kernel<N>(class_name(), o.kernel_size, o.dilation_rate);
    shape::check_min(class_name(), "depth_multiplier", o.depth_multiplier, 1);
    shape::check_padding(class_name(), o.padding);
    shape::check_data_format(class_name(), o.data_format);
    shape::check_strides_dilation<N>(class_name(), o.strides, o.dilation_rate);
  }
  /// The kernels' layouts, rebuilt whenever the weights change: depthwise (k.., M, C) and the
  /// transposed pointwise kernel (filters x C*M) of the channels_first path.
  void repack() {
    Index taps = 1;
    for (int a = 0; a < N; ++a) taps *= depthwise_.dimension(static_cast<std::size_t>(a));
    packed_ = Tensor<Scalar, 1>(depthwise_.size());
    kernels::pack_depthwise_weights(depthwise_.data(), packed_.data(), taps, input_channels(),
                                    options_.depth_multiplier);
    const Index cm = pointwise_.dimension(static_cast<std::size_t>(N));
    const Index filters = options_.filters;
    pointwise_t_ = Tensor<Scalar, 1>(pointwise_.size());
    for (Index j = 0; j < cm; ++j)
      for (Index f = 0; f < filters; ++f) pointwise_t_(f * cm + j) = pointwise_.data()[j * filters + f];
  }

  Options options_;
  Tensor<Scalar, rank> depthwise_;
  Tensor<Scalar, rank> pointwise_;
  Tensor<Scalar, 1> bias_;
  Tensor<Scalar, 1> packed_;
  Tensor<Scalar, 1> pointwise_t_;
};

/// keras.layers.SeparableConv1D (float): (batch, steps, C) -> (batch, new_steps, filters).
using SeparableConv1D = SeparableConv<float, 1>;
/// keras.layers.SeparableConv2D (float): (batch, rows, cols, C) -> (batch, new_rows, new_cols, filters).
using SeparableConv2D = SeparableConv<float, 2>;
using SeparableConv1DOptions = SeparableConvOptions<1>;
using SeparableConv2DOptions = SeparableConvOptions<2>;

}  // namespace ktl
