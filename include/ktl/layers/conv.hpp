// Conv1D, Conv2D, Conv3D: Keras' forward convolution layers (keras.layers.Conv1D/2D/3D, with
// tf.keras' `groups`), Keras-exact in both data formats. Thin: options, weights, shape checks;
// the compute is kernels/conv.hpp (channels_last; for channels_first the input is shuffled in
// the workspace and the kernel writes its output tiles transposed).
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
#include <ktl/kernels/conv.hpp>
#include <ktl/kernels/layout.hpp>
#include <ktl/regularizers.hpp>
#include <ktl/shape/conv_shape.hpp>
#include <ktl/shape/validate.hpp>

namespace ktl {

/// Options of Conv1D / Conv2D / Conv3D with Keras' argument names and defaults.
/// Keras: keras.layers.Conv{N}D(filters, kernel_size, strides=1, padding='valid', data_format,
/// dilation_rate=1, groups=1, activation=None, use_bias=True, ...).
template <int N>
struct ConvOptions {
  Index filters = 0;                                  ///< required, >= 1, divisible by groups
  Extent<N> kernel_size = 0;                          ///< required, every entry >= 1
  Extent<N> strides = 1;                              ///< every entry >= 1
  Padding padding = Padding::valid;                   ///< valid, same; causal for Conv1D only
  DataFormat data_format = DataFormat::channels_last; ///< channels_last or channels_first
  Extent<N> dilation_rate = 1;                        ///< >= 1; > 1 only with strides 1
  Index groups = 1;                                   ///< >= 1; channels and filters divisible by it
  ActivationFunction activation = Activation::linear; ///< applied after the bias
  bool use_bias = true;                               ///< false: no bias weight at all
  Initializer kernel_initializer = Initializer::glorot_uniform();  ///< used by make()
  Initializer bias_initializer = Initializer::zeros();             ///< used by make()
  std::optional<Regularizer> kernel_regularizer{};      ///< penalty on the kernel (none by default)
  std::optional<Regularizer> bias_regularizer{};        ///< penalty on the bias
  std::optional<Regularizer> activity_regularizer{};    ///< penalty on the (activated) output
  std::optional<Constraint> kernel_constraint{};        ///< projection by apply_constraints()
  std::optional<Constraint> bias_constraint{};          ///< projection by apply_constraints()
};

/// N-D forward convolution layer. Keras: keras.layers.Conv1D / Conv2D / Conv3D.
/// Shapes: channels_last (batch, d1..dN, C) -> (batch, o1..oN, filters); channels_first
/// (batch, C, d1..dN) -> (batch, filters, o1..oN); o_a from shape::conv_output_length.
/// Weights in Keras' layout: kernel (k1..kN, C/groups, filters), bias (filters) or empty when
/// use_bias is false. The constructor, make() and set_weights() throw invalid_options for bad
/// options and shape_mismatch for weights of the wrong shape; calls throw shape_mismatch for an
/// input whose channels do not match the kernel, an empty axis, an empty output, or (forward)
/// an output view of the wrong shape. Calls are const, stateless and thread-safe.
template <typename Scalar, int N>
class Conv : public detail::LayerCalls<Conv<Scalar, N>, Scalar, N + 2> {
  static_assert(N >= 1 && N <= 3, "ktl::Conv<Scalar, N>: N is the spatial rank; use 1, 2 or 3");
  static_assert(std::is_floating_point_v<Scalar>,
                "ktl::Conv<Scalar, N>: Scalar must be a floating-point type (float or double)");

 public:
  /// operator()(x), operator()(x, pool), forward(x, y), forward for any accepted x and y,
  /// compute_output_shape and output_shape for arrays and braced lists come from LayerCalls.
  using Calls = detail::LayerCalls<Conv<Scalar, N>, Scalar, N + 2>;
  using Calls::forward;
  using Calls::output_shape;
  using Calls::compute_output_shape;
  static constexpr int rank = N + 2;
  using Options = ConvOptions<N>;

  /// Validates the options and the weights (see the class comment).
  Conv(Options options, Tensor<Scalar, rank> kernel, Tensor<Scalar, 1> bias = {})
      : options_(std::move(options)) {
    validate_options(options_);
    set_weights(std::move(kernel), std::move(bias));
  }
  /// The same for weights given as maps, expressions or tensors of another index type (each
  /// copied or evaluated once). A weight of another rank, layout or scalar type does not compile.
  template <typename Kernel, typename Bias = Tensor<Scalar, 1>>
  Conv(Options options, Kernel&& kernel, Bias&& bias = Bias())
      : Conv(std::move(options), detail::weight<Conv, Scalar, rank>(std::forward<Kernel>(kernel)),
             detail::weight<Conv, Scalar, 1>(std::forward<Bias>(bias))) {}

  /// Builds the weights with the options' initializers, as Keras' build() does for an input with
  /// `input_channels` channels: kernel from derive_seed(seed, 0), bias from derive_seed(seed, 1).
  /// Throws invalid_options for bad options or input_channels < 1 / not divisible by groups.
  static Conv make(Options options, Index input_channels, std::uint64_t seed = 0) {
    validate_options(options);
    shape::check_min(class_name(), "input_channels", input_channels, 1);
    shape::check_divisible(class_name(), "input channels", input_channels, "groups", options.groups);
    Dims<rank> kshape{};
    for (int a = 0; a < N; ++a) kshape[static_cast<std::size_t>(a)] = options.kernel_size[a];
    kshape[static_cast<std::size_t>(N)] = input_channels / options.groups;
    kshape[static_cast<std::size_t>(N + 1)] = options.filters;
    shape::element_count_or_raise<invalid_options>(
        kshape, class_name(), "kernel shape", "kernel_size=", options.kernel_size,
        ", input_channels=", input_channels, ", groups=", options.groups, ", filters=",
        options.filters);
    Tensor<Scalar, rank> kernel =
        options.kernel_initializer.template operator()<Scalar, rank>(kshape, derive_seed(seed, 0));
    Tensor<Scalar, 1> bias;
    if (options.use_bias)
      bias = options.bias_initializer.template operator()<Scalar, 1>(Dims<1>{options.filters},
                                                                     derive_seed(seed, 1));
    return Conv(std::move(options), std::move(kernel), std::move(bias));
  }

  /// Output shape for an input shape (either format); throws shape_mismatch as a call would.
  Dims<rank> output_shape(const Dims<rank>& input) const {
    const DataFormat f = options_.data_format;
    shape::check_non_empty<rank>(class_name(), input, f);
    shape::check_channels<rank>(class_name(), input, f, input_channels());
    const Dims<rank> out = shape::conv_output_shape<N>(input, f, options_.kernel_size, options_.strides,
                                                       options_.dilation_rate, options_.padding,
                                                       options_.filters, class_name());
    shape::check_output_non_empty<N>(class_name(), input, out, f,
                                     "with padding valid every spatial extent must be >= the "
                                     "effective kernel (kernel_size - 1) * dilation_rate + 1");
    return out;
  }

  /// Writes the output into caller memory `y` (shape output_shape(x)); allocates nothing once
  /// `workspace` has grown to this call's size. Throws shape_mismatch when y has another shape.
  void forward(ConstView<Scalar, rank> x, TensorView<Scalar, rank> y, Workspace& workspace,
               const ThreadPool& pool) const {
    const Dims<rank> in = dims_of(x);
    const Dims<rank> out = output_shape(in);
    shape::check_output_view(class_name(), dims_of(y), out, in, options_.data_format);
    const DataFormat f = options_.data_format;
    kernels::ConvGeometry<N> g;
    g.batch = in[0];
    g.channels = input_channels();
    g.filters = options_.filters;
    g.groups = options_.groups;
    const auto sp_in = shape::spatial_dims<N>(in, f);
    const auto sp_out = shape::spatial_dims<N>(out, f);
    for (int a = 0; a < N; ++a) {
      const auto i = static_cast<std::size_t>(a);
      g.input[i] = sp_in[i];
      g.output[i] = sp_out[i];
      g.kernel[i] = options_.kernel_size[a];
      g.strides[i] = options_.strides[a];
      g.dilation[i] = options_.dilation_rate[a];
      g.pad_before[i] = shape::conv_padding(sp_in[i], g.kernel[i], g.strides[i], g.dilation[i],
                                            options_.padding, class_name())
                            .before;
    }
    const bool first = f == DataFormat::channels_first;
    // channels_first: the input shuffled to channels_last (xs values), then the kernel's scratch.
    const Index xs = first ? aligned(x.size()) : 0;
    Scalar* mem = workspace.request<Scalar>(shape::checked_workspace(
        shape::Checked(pool.num_threads()) * kernels::conv_scratch_per_slot<Scalar>(g, first) + xs,
        class_name(), in));
    const Scalar* bias = options_.use_bias ? bias_.data() : nullptr;
    const ActivationFunction& act = options_.activation;
    if (!first) {
      kernels::conv_forward(g, x.data(), kernel_.data(), bias, y.data(), act, mem, pool);
    } else {
      // The kernel writes each output tile transposed straight into y.
      kernels::channels_first_to_last(x.data(), mem, g.batch, g.channels,
                                      kernels::detail::product(sp_in), pool);
      kernels::conv_forward(g, mem, kernel_.data(), bias, y.data(), act, mem + xs, pool, true);
    }
    if (!act.elementwise()) apply_activation(act, y);  // softmax: over the output's last axis
  }

  const Options& options() const noexcept { return options_; }
  const Tensor<Scalar, rank>& kernel() const noexcept { return kernel_; }
  /// The bias (filters values), empty when use_bias is false.
  const Tensor<Scalar, 1>& bias() const noexcept { return bias_; }

  /// Replaces the weights (Keras' set_weights([kernel, bias])): kernel (kernel_size..., C/groups,
  /// filters) with C/groups >= 1, bias (filters) or empty when use_bias is false.
  /// Throws shape_mismatch otherwise (the layer keeps its old weights).
  void set_weights(Tensor<Scalar, rank> kernel, Tensor<Scalar, 1> bias = {}) {
    shape::check_conv_kernel<N>(class_name(), dims_of(kernel), options_.kernel_size,
                                options_.filters, options_.groups);
    shape::check_bias(class_name(), dims_of(bias), options_.use_bias, options_.filters, "(filters)");
    kernel_ = std::move(kernel);
    bias_ = std::move(bias);
  }
  /// The same for weights given as maps or expressions; another rank, layout or scalar type does
  /// not compile.
  template <typename Kernel, typename Bias = Tensor<Scalar, 1>>
  void set_weights(Kernel&& kernel, Bias&& bias = Bias()) {
    set_weights(detail::weight<Conv, Scalar, rank>(std::forward<Kernel>(kernel)),
                detail::weight<Conv, Scalar, 1>(std::forward<Bias>(bias)));
  }

  /// Kernel and bias penalties (Keras adds them to the loss once per weight).
  Scalar regularization_loss() const {
    Scalar loss = penalty_or_zero(options_.kernel_regularizer, kernel_);
    if (options_.use_bias) loss += penalty_or_zero(options_.bias_regularizer, bias_);
    return loss;
  }
  /// Kernel and bias penalties plus the activity penalty of `output` (this layer's output).
  Scalar regularization_loss(ConstView<Scalar, rank> output) const {
    return regularization_loss() + penalty_or_zero(options_.activity_regularizer, output);
  }

  /// Projects the kernel and the bias with their constraints (what Keras does after an update).
  void apply_constraints() {
    if (options_.kernel_constraint) options_.kernel_constraint->apply(kernel_);
    if (options_.bias_constraint && options_.use_bias) options_.bias_constraint->apply(bias_);
  }

  /// Input channels the weights expect: kernel's C/groups axis times groups.
  Index input_channels() const noexcept {
    return kernel_.dimension(N) * options_.groups;
  }

  /// Keras class name (messages, configs): "Conv1D", "Conv2D" or "Conv3D".
  static constexpr std::string_view class_name() noexcept {
    return N == 1 ? "Conv1D" : N == 2 ? "Conv2D" : "Conv3D";
  }

 private:
  static void validate_options(const Options& o) {
    shape::check_min(class_name(), "filters", o.filters, 1);
    shape::check_min<N>(class_name(), "kernel_size", o.kernel_size, 1);
    shape::check_min<N>(class_name(), "strides", o.strides, 1);
    shape::check_min<N>(class_name(), "dilation_rate", o.dilation_rate, 1);
    shape::check_effective_kernel<N>(class_name(), o.kernel_size, o.dilation_rate);
    shape::check_min(class_name(), "groups", o.groups, 1);
    shape::check_strides_dilation<N>(class_name(), o.strides, o.dilation_rate);
    shape::check_padding(class_name(), o.padding);
    shape::check_data_format(class_name(), o.data_format);
    shape::check_divisible(class_name(), "filters", o.filters, "groups", o.groups);
  }
  static Index aligned(Index n) { return (n + 15) / 16 * 16; }  // 64-byte steps for float

  Options options_;
  Tensor<Scalar, rank> kernel_;
  Tensor<Scalar, 1> bias_;
};

/// Keras: keras.layers.Conv1D (float). Input (batch, steps, C) or (batch, C, steps).
using Conv1D = Conv<float, 1>;
/// Keras: keras.layers.Conv2D (float). Input (batch, rows, cols, C) or (batch, C, rows, cols).
using Conv2D = Conv<float, 2>;
/// Keras: keras.layers.Conv3D (float). Input (batch, d, h, w, C) or (batch, C, d, h, w).
using Conv3D = Conv<float, 3>;
/// Options of Conv1D.
using Conv1DOptions = ConvOptions<1>;
/// Options of Conv2D.
using Conv2DOptions = ConvOptions<2>;
/// Options of Conv3D.
using Conv3DOptions = ConvOptions<3>;

}  // namespace ktl
