// Transposed convolution layers: Conv1DTranspose, Conv2DTranspose, Conv3DTranspose
// (keras.layers.Conv{1,2,3}DTranspose), with output_padding, dilation, bias and activation.
// Shapes and alignment come from shape/conv_shape.hpp; the compute is kernels/conv_transpose.hpp.
//
// Dilation: ktl computes the mathematically defined transposed dilated convolution (the adjoint
// of the dilated forward convolution, docs/semantics.md §3.6) for every rank and any stride. Keras
// differs: Keras 2.2.3+ and tf.keras support it only for Conv2DTranspose with equal rates on both
// axes and unit strides (TensorFlow's atrous path ignores the stride); Keras 2.2 and tf.keras
// silently ignore dilation_rate for Conv3DTranspose (and 2.2 has no Conv1DTranspose). Wherever
// Keras does compute a dilated transposed convolution, ktl gives the same numbers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
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
#include <ktl/kernels/conv_transpose.hpp>
#include <ktl/kernels/layout.hpp>
#include <ktl/regularizers.hpp>
#include <ktl/shape/conv_shape.hpp>
#include <ktl/shape/validate.hpp>

namespace ktl {

/// Options of keras.layers.Conv{N}DTranspose, Keras argument names and defaults.
template <int N>
struct ConvTransposeOptions {
  Index filters = 0;                       ///< output channels F; required, >= 1
  Extent<N> kernel_size = 0;               ///< required, every entry >= 1
  Extent<N> strides = 1;                   ///< every entry >= 1
  Padding padding = Padding::valid;        ///< valid or same (causal is rejected)
  /// Absent = Keras' None (length inferred: valid I*s + max(K - s, 0), same I*s). Given: every
  /// entry in [0, stride); length (I-1)*s + K - 2*floor(K/2 if same) + op (docs/semantics.md §3.6).
  std::optional<Extent<N>> output_padding = std::nullopt;
  DataFormat data_format = DataFormat::channels_last;
  Extent<N> dilation_rate = 1;             ///< every entry >= 1; any stride (see file comment)
  ActivationFunction activation = Activation::linear;
  bool use_bias = true;
  Initializer kernel_initializer = Initializer::glorot_uniform();  ///< used by make()
  Initializer bias_initializer = Initializer::zeros();             ///< used by make()
  std::optional<Regularizer> kernel_regularizer{};    ///< penalty on the kernel (none by default)
  std::optional<Regularizer> bias_regularizer{};      ///< penalty on the bias
  std::optional<Regularizer> activity_regularizer{};  ///< penalty on the (activated) output
  std::optional<Constraint> kernel_constraint{};      ///< projection by apply_constraints()
  std::optional<Constraint> bias_constraint{};        ///< projection by apply_constraints()
};

/// Transposed convolution over N = 1, 2 or 3 spatial axes (the adjoint of the forward
/// convolution with the same kernel, stride, dilation and padding mode).
/// Keras: keras.layers.Conv1DTranspose / Conv2DTranspose / Conv3DTranspose.
/// Shapes: (batch, I1..IN, C) -> (batch, O1..ON, F) for channels_last, (batch, C, I1..IN) ->
/// (batch, F, O1..ON) for channels_first; each O from shape::conv_transpose_output_length.
/// Weights: kernel (k1..kN, F, C) and bias (F), in both formats.
/// Throws invalid_options for bad options (constructor, make) and shape_mismatch for bad weights
/// (constructor, set_weights) or a bad input / output view (calls).
template <typename Scalar, int N>
class ConvTranspose : public detail::LayerCalls<ConvTranspose<Scalar, N>, Scalar, N + 2> {
  static_assert(N >= 1 && N <= 3, "ktl::ConvTranspose<Scalar, N>: N is the spatial rank; use 1, 2 or 3");
  static_assert(std::is_floating_point_v<Scalar>,
                "ktl::ConvTranspose<Scalar, N>: Scalar must be float or double");

 public:
  /// operator()(x), operator()(x, pool), forward(x, y), forward for any accepted x and y,
  /// compute_output_shape and output_shape for arrays and braced lists come from LayerCalls.
  using Calls = detail::LayerCalls<ConvTranspose<Scalar, N>, Scalar, N + 2>;
  using Calls::forward;
  using Calls::output_shape;
  using Calls::compute_output_shape;
  static constexpr int rank = N + 2;
  using Options = ConvTransposeOptions<N>;

  /// Keras class name (messages, configs): "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose".
  static constexpr std::string_view class_name() noexcept {
    return N == 1 ? "Conv1DTranspose" : N == 2 ? "Conv2DTranspose" : "Conv3DTranspose";
  }

  /// Validates the options and the weights (kernel (k..., F, C) with C >= 1; bias (F) when
  /// use_bias, empty otherwise) and repacks the kernel once for the compute kernel.
  ConvTranspose(Options options, Tensor<Scalar, rank> kernel, Tensor<Scalar, 1> bias = {})
      : options_(std::move(options)) {
    validate(options_);
    set_weights(std::move(kernel), std::move(bias));
  }
  /// The same for weights given as maps, expressions or tensors of another index type (each
  /// copied or evaluated once). A weight of another rank, layout or scalar type does not compile.
  template <typename Kernel, typename Bias = Tensor<Scalar, 1>>
  ConvTranspose(Options options, Kernel&& kernel, Bias&& bias = Bias())
      : ConvTranspose(std::move(options),
                      detail::weight<ConvTranspose, Scalar, rank>(std::forward<Kernel>(kernel)),
                      detail::weight<ConvTranspose, Scalar, 1>(std::forward<Bias>(bias))) {}

  /// Builds the layer for `input_channels` input channels with its initializers, as Keras'
  /// build() does: kernel from derive_seed(seed, 0), bias from derive_seed(seed, 1).
  static ConvTranspose make(Options options, Index input_channels, std::uint64_t seed = 0) {
    validate(options);
    shape::check_min(class_name(), "input_channels", input_channels, 1);
    Dims<rank> kshape{};
    for (int a = 0; a < N; ++a) kshape[static_cast<std::size_t>(a)] = options.kernel_size[a];
    kshape[static_cast<std::size_t>(N)] = options.filters;
    kshape[static_cast<std::size_t>(N + 1)] = input_channels;
    shape::element_count_or_raise<invalid_options>(kshape, class_name(), "kernel shape",
                                                   "kernel_size=", options.kernel_size,
                                                   ", filters=", options.filters,
                                                   ", input_channels=", input_channels);
    Tensor<Scalar, rank> kernel =
        options.kernel_initializer.template operator()<Scalar, rank>(kshape, derive_seed(seed, 0));
    Tensor<Scalar, 1> bias;
    if (options.use_bias)
      bias = options.bias_initializer.template operator()<Scalar, 1>(Dims<1>{options.filters},
                                                                     derive_seed(seed, 1));
    return ConvTranspose(std::move(options), std::move(kernel), std::move(bias));
  }

  /// Output shape for a full input shape (docs/semantics.md §3.6). Throws shape_mismatch for an
  /// empty axis or a channel count that does not match the kernel.
  Dims<rank> output_shape(const Dims<rank>& input) const {
    const DataFormat f = options_.data_format;
    shape::check_non_empty(class_name(), input, f);
    shape::check_channels(class_name(), input, f, input_channels());
    const Dims<rank> out = shape::conv_transpose_output_shape<N>(
        input, f, options_.kernel_size, options_.strides, options_.dilation_rate,
        options_.padding, options_.output_padding, options_.filters, class_name());
    // TensorFlow's consistency rule. With 0 <= output_padding < stride it depends only on the
    // options (see validate), so this re-check of the lengths cannot fail for a built layer.
    const auto in_sp = shape::spatial_dims<N>(input, f), out_sp = shape::spatial_dims<N>(out, f);
    for (int a = 0; a < N; ++a) {
      const auto ax = static_cast<std::size_t>(a);
      if (!shape::conv_transpose_consistent(in_sp[ax], out_sp[ax], options_.kernel_size[a],
                                            options_.strides[a], options_.dilation_rate[a],
                                            options_.padding, class_name()))
        detail::raise<shape_mismatch>(
            class_name(), "output length ", out_sp[ax], " on spatial axis ", a,
            " does not map back to the input length ", in_sp[ax],
            " under the matching forward convolution (TensorFlow's consistency rule); "
            "received output_padding=", output_padding_text(), ", input shape ", input);
    }
    return out;
  }

  /// Writes into caller memory `y` (must have output_shape(x)'s shape, else shape_mismatch);
  /// allocates nothing once `workspace` has grown to the size this shape needs.
  void forward(ConstView<Scalar, rank> x, TensorView<Scalar, rank> y, Workspace& workspace,
               const ThreadPool& pool) const {
    const Dims<rank> in = dims_of(x);
    const Dims<rank> out = output_shape(in);
    shape::check_output_view(class_name(), dims_of(y), out, in, options_.data_format);
    const DataFormat f = options_.data_format;
    kernels::ConvTransposeGeometry<N> g;
    g.batch = in[0];
    g.input = shape::spatial_dims<N>(in, f);
    g.output = shape::spatial_dims<N>(out, f);
    for (int a = 0; a < N; ++a) {
      const auto ax = static_cast<std::size_t>(a);
      g.kernel[ax] = options_.kernel_size[a];
      g.strides[ax] = options_.strides[a];
      g.dilation[ax] = options_.dilation_rate[a];
      g.before[ax] = shape::conv_transpose_before(g.input[ax], g.output[ax], g.kernel[ax],
                                                  g.strides[ax], g.dilation[ax], options_.padding,
                                                  class_name());
    }
    g.channels = input_channels();
    g.filters = options_.filters;

    const bool first = f == DataFormat::channels_first;
    // channels_first: the input is shuffled to channels_last once; the kernel writes the output
    // in channels_first order itself.
    const Index x_count = first ? x.size() : 0;
    const Index value_bytes = Workspace::round_up(static_cast<Index>(sizeof(Scalar)) * x_count);
    const Index kernel_bytes = kernels::conv_transpose_scratch_bytes<Scalar, N>(g, pool.num_threads());
    unsigned char* mem = workspace.request<unsigned char>(
        shape::checked_workspace(shape::Checked(value_bytes) + kernel_bytes, class_name(), in));
    Scalar* x_last = reinterpret_cast<Scalar*>(mem);
    void* scratch = mem + value_bytes;

    const Scalar* bias = options_.use_bias ? packed_bias_.data() : nullptr;
    if (first) {
      kernels::channels_first_to_last(x.data(), x_last, g.batch, g.channels,
                                      element_count(g.input), pool);
      kernels::conv_transpose<Scalar, N>(g, x_last, packed_.data(), bias, options_.activation,
                                         y.data(), scratch, pool, /*channels_first_output=*/true);
    } else {
      kernels::conv_transpose<Scalar, N>(g, x.data(), packed_.data(), bias, options_.activation,
                                         y.data(), scratch, pool);
    }
    if (!options_.activation.elementwise()) apply_activation(options_.activation, y);
  }

  const Options& options() const noexcept { return options_; }
  /// Kernel in Keras' layout (k1..kN, F, C).
  const Tensor<Scalar, rank>& kernel() const noexcept { return kernel_; }
  /// Bias (F), empty when use_bias is false.
  const Tensor<Scalar, 1>& bias() const noexcept { return bias_; }
  /// Input channel count C (the kernel's last extent).
  Index input_channels() const noexcept { return kernel_.dimension(rank - 1); }

  /// Replaces the weights (Keras' set_weights), with the constructor's checks: kernel
  /// (k..., F, C) with C >= 1, bias (F) when use_bias, empty otherwise. Throws shape_mismatch.
  void set_weights(Tensor<Scalar, rank> kernel, Tensor<Scalar, 1> bias = {}) {
    shape::check_conv_transpose_kernel<N>(class_name(), dims_of(kernel), options_.kernel_size,
                                          options_.filters);
    shape::check_bias(class_name(), dims_of(bias), options_.use_bias, options_.filters, "(filters)");
    kernel_ = std::move(kernel);
    bias_ = std::move(bias);
    repack();
  }
  /// The same for weights given as maps or expressions; another rank, layout or scalar type does
  /// not compile.
  template <typename Kernel, typename Bias = Tensor<Scalar, 1>>
  void set_weights(Kernel&& kernel, Bias&& bias = Bias()) {
    set_weights(detail::weight<ConvTranspose, Scalar, rank>(std::forward<Kernel>(kernel)),
                detail::weight<ConvTranspose, Scalar, 1>(std::forward<Bias>(bias)));
  }

  /// Kernel and bias penalties (Keras adds them to the loss).
  Scalar regularization_loss() const {
    return penalty_or_zero(options_.kernel_regularizer, kernel_) +
           (options_.use_bias ? penalty_or_zero(options_.bias_regularizer, bias_) : Scalar(0));
  }
  /// Kernel and bias penalties plus the activity penalty of this layer's `output`.
  Scalar regularization_loss(ConstView<Scalar, rank> output) const {
    return regularization_loss() + penalty_or_zero(options_.activity_regularizer, output);
  }
  /// Projects kernel and bias with their constraints (after an optimizer step), then repacks.
  void apply_constraints() {
    if (options_.kernel_constraint) options_.kernel_constraint->apply(kernel_);
    if (options_.bias_constraint && options_.use_bias) options_.bias_constraint->apply(bias_);
    repack();
  }

 private:
  /// Option checks of §4.7, §4.8 and §5, plus TensorFlow's consistency rule, which for
  /// 0 <= output_padding < stride is decided by the options alone: valid is always consistent;
  /// same needs ceil(((I-1)*s + K%2 + op) / s) == I, i.e. K%2 + op >= 1, for every I.
  static void validate(const Options& o) {
    const std::string_view L = class_name();
    shape::check_min(L, "filters", o.filters, 1);
    shape::check_min<N>(L, "kernel_size", o.kernel_size, 1);
    shape::check_min<N>(L, "strides", o.strides, 1);
    shape::check_min<N>(L, "dilation_rate", o.dilation_rate, 1);
    shape::check_effective_kernel<N>(L, o.kernel_size, o.dilation_rate);
    shape::check_padding(L, o.padding);
    shape::check_data_format(L, o.data_format);
    shape::check_output_padding<N>(L, o.output_padding, o.strides);
    if (o.padding == Padding::same && o.output_padding) {
      for (int a = 0; a < N; ++a) {
        const Index ke = shape::effective_kernel(o.kernel_size[a], o.dilation_rate[a], L);
        if (ke % 2 == 0 && (*o.output_padding)[a] == 0)
          detail::raise<invalid_options>(
              L, "output_padding 0 with padding=\"same\" and an even effective kernel (", ke,
              ") on spatial axis ", a, " gives an output length (I-1)*", o.strides[a],
              " that the matching forward convolution maps to I-1, not back to the input length "
              "I (TensorFlow's consistency rule; it fails for every input length); use "
              "output_padding >= 1 on that axis or leave output_padding absent; received "
              "output_padding=",
              *o.output_padding, ", kernel_size=", o.kernel_size, ", dilation_rate=",
              o.dilation_rate, ", strides=", o.strides);
      }
    }
  }

  std::string output_padding_text() const {
    return options_.output_padding ? detail::format_dims(options_.output_padding->values)
                                   : std::string("None");
  }

  void repack() {
    // The kernel holds taps * F * C values, so taps fits; the packed copy rounds F up to Fp.
    Index taps = 1;
    for (int a = 0; a < N; ++a) taps *= options_.kernel_size[a];
    const Index fp = kernels::packed_filters<Scalar>(options_.filters);
    packed_ = Tensor<Scalar, 1>(shape::checked_or_raise<shape_mismatch>(
        shape::Checked(taps) * input_channels() * fp, class_name(), "the packed kernel size",
        "use a smaller kernel", "kernel shape ", dims_of(kernel_)));
    kernels::pack_conv_transpose_kernel(kernel_.data(), taps, options_.filters, input_channels(),
                                        packed_.data());
    packed_bias_ = Tensor<Scalar, 1>(fp);
    if (options_.use_bias)
      kernels::pack_conv_transpose_bias(bias_.data(), options_.filters, packed_bias_.data());
  }

  Options options_;
  Tensor<Scalar, rank> kernel_;
  Tensor<Scalar, 1> bias_;
  Tensor<Scalar, 1> packed_;       // (k..., C, Fp), built once per set of weights
  Tensor<Scalar, 1> packed_bias_;  // (Fp): bias and zeros, whole SIMD packets
};

using Conv1DTranspose = ConvTranspose<float, 1>;
using Conv2DTranspose = ConvTranspose<float, 2>;
using Conv3DTranspose = ConvTranspose<float, 3>;
using Conv1DTransposeOptions = ConvTransposeOptions<1>;
using Conv2DTransposeOptions = ConvTransposeOptions<2>;
using Conv3DTransposeOptions = ConvTransposeOptions<3>;

}  // namespace ktl
