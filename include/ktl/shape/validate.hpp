// Option and input validation shared by every layer. Each check throws ktl::invalid_options
// (options) or ktl::shape_mismatch (inputs, weights) with a message naming the layer, the Keras
// argument, the received value and the rule; layers call these instead of writing messages.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <ktl/core/error.hpp>
#include <ktl/core/tensor.hpp>
#include <ktl/core/types.hpp>
#include <ktl/shape/checked.hpp>
#include <ktl/shape/conv_shape.hpp>
#include <ktl/shape/resize_shape.hpp>

namespace ktl::shape {

/// Requires value >= minimum. Example: check_min("Conv2D", "filters", 0, 1) throws
/// "Conv2D: invalid filters; must be >= 1; received filters=0".
inline void check_min(std::string_view layer, std::string_view argument, Index value,
                      Index minimum) {
  if (value < minimum)
    detail::raise_argument(layer, argument, value, "must be >= " + std::to_string(minimum));
}

/// Requires every entry >= minimum. Example: strides (0, 1) with minimum 1 throws.
template <int N>
void check_min(std::string_view layer, std::string_view argument, const Extent<N>& value,
               Index minimum) {
  for (Index v : value.values)
    if (v < minimum)
      detail::raise_argument(layer, argument, value,
                             "every entry must be >= " + std::to_string(minimum));
}

/// Requires every before/after amount >= 0 (cropping, padding).
template <int N>
void check_non_negative(std::string_view layer, std::string_view argument,
                        const PadPairs<N>& value) {
  for (const Pair& p : value.values)
    if (p.before < 0 || p.after < 0)
      detail::raise_argument(layer, argument, value, "every amount must be >= 0");
}

/// Every axis' before + after must fit Index (cropping, padding; amounts already >= 0).
/// Example: padding ((9223372036854775807, 1)) throws invalid_options naming padding.
template <int N>
void check_amount_sums(std::string_view layer, std::string_view argument,
                       const PadPairs<N>& value) {
  for (const Pair& p : value.values)
    if (!(Checked(p.before) + p.after).ok())
      detail::raise_argument(layer, argument, value,
                             "the amounts of an axis must sum to at most " +
                                 std::to_string(index_max));
}

/// Every axis' effective kernel (kernel_size - 1) * dilation_rate + 1 must fit Index (entries
/// already >= 1); throws invalid_options naming dilation_rate otherwise.
template <int N>
void check_effective_kernel(std::string_view layer, const Extent<N>& kernel_size,
                            const Extent<N>& dilation_rate) {
  for (int a = 0; a < N; ++a) effective_kernel(kernel_size[a], dilation_rate[a], layer);
}

/// Rejects strides > 1 together with dilation_rate > 1 (Keras documents them as incompatible).
template <int N>
void check_strides_dilation(std::string_view layer, const Extent<N>& strides,
                            const Extent<N>& dilation_rate) {
  if (!strides.all_equal(1) && !dilation_rate.all_equal(1))
    detail::raise<invalid_options>(
        layer, "strides ", strides, " together with dilation_rate ", dilation_rate,
        " is not supported; one of them must be 1 on every axis; received strides=", strides,
        ", dilation_rate=", dilation_rate);
}

/// Rejects causal padding for layers other than Conv1D / the 1-D ones that support it.
inline void check_padding_not_causal(std::string_view layer, Padding padding) {
  if (padding == Padding::causal)
    detail::raise_argument(layer, "padding", padding,
                           "allowed values are \"valid\" and \"same\" (causal is Conv1D only)");
}

/// Transposed convolutions: every output_padding entry must satisfy 0 <= op < stride.
template <int N>
void check_output_padding(std::string_view layer, const std::optional<Extent<N>>& output_padding,
                          const Extent<N>& strides) {
  if (!output_padding) return;
  for (int a = 0; a < N; ++a) {
    const Index op = (*output_padding)[a];
    if (op < 0 || op >= strides[a])
      detail::raise<invalid_options>(
          layer, "invalid output_padding; each entry must be >= 0 and smaller than the stride of "
                 "its axis; received output_padding=",
          *output_padding, ", strides=", strides);
  }
}

/// Requires `divisor` to divide `value`. Example: input channels 30 with groups 4 throws.
inline void check_divisible(std::string_view layer, std::string_view what, Index value,
                            std::string_view divisor_name, Index divisor) {
  if (divisor <= 0 || value % divisor != 0)
    detail::raise<invalid_options>(layer, what, " (", value, ") must be divisible by ",
                                   divisor_name, " (", divisor, "); received ", divisor_name, "=",
                                   divisor);
}

/// Input channel count must match the weights (R is deduced). Reports both sides and the whole
/// input shape.
template <std::size_t R>
void check_channels(std::string_view layer, const std::array<Index, R>& input, DataFormat f,
                    Index expected) {
  const Index got = channels_of(input, f);
  if (got != expected)
    detail::raise<shape_mismatch>(layer, "input channels (", got, ") do not match the weights (",
                                  expected, " expected on axis ",
                                  channel_axis(f, static_cast<int>(R)),
                                  "); input shape ", input, ", data_format=", f);
}

/// Every extent of an input must be >= 1 (ktl never computes on empty tensors; R is deduced).
template <std::size_t R>
void check_non_empty(std::string_view layer, const std::array<Index, R>& input, DataFormat f) {
  for (Index v : input)
    if (v < 1)
      detail::raise<shape_mismatch>(layer, "input has an empty axis; every extent must be >= 1; "
                                           "input shape ",
                                    input, ", data_format=", f);
}

/// Every spatial extent of a computed output must be >= 1; names the input and the rule.
template <int N>
void check_output_non_empty(std::string_view layer, const Dims<N + 2>& input,
                            const Dims<N + 2>& output, DataFormat f, std::string_view rule) {
  for (int a = 0; a < N; ++a) {
    const auto ax = static_cast<std::size_t>(spatial_axis(f, N + 2, a));
    if (output[ax] < 1)
      detail::raise<shape_mismatch>(layer, "output would be empty on spatial axis ", a, " (",
                                    output[ax], "); ", rule, "; input shape ", input,
                                    ", output shape ", output, ", data_format=", f);
  }
}

/// A weight tensor must have exactly the expected shape (Keras' set_weights check).
template <std::size_t R>
void check_weight_shape(std::string_view layer, std::string_view weight,
                        const std::array<Index, R>& got, const std::array<Index, R>& expected) {
  if (got != expected)
    detail::raise<shape_mismatch>(layer, weight, " has shape ", got, " but the layer expects ",
                                  expected);
}

/// The workspace a call requests (values or bytes, computed with Checked) when it fits Index;
/// throws shape_mismatch naming the input shape otherwise. Workspace sizes depend on the work
/// (the sizes of the input, the output and the weights), so this fails only for shapes far
/// beyond any memory.
template <std::size_t R>
Index checked_workspace(Checked size, std::string_view layer, const std::array<Index, R>& input) {
  return checked_or_raise<shape_mismatch>(size, layer, "the workspace size",
                                          "use a smaller input", "input shape ", input);
}

/// A caller-provided output view must have exactly the layer's output shape.
/// Example: Conv2D given y (1, 4, 4, 8) when it produces (1, 3, 3, 8) throws shape_mismatch.
template <std::size_t R>
void check_output_view(std::string_view layer, const std::array<Index, R>& got,
                       const std::array<Index, R>& expected, const std::array<Index, R>& input,
                       DataFormat f) {
  if (got != expected)
    detail::raise<shape_mismatch>(layer, "output view has shape ", got,
                                  " but the layer produces ", expected, " for input shape ", input,
                                  "; pass y with exactly the output shape; data_format=", f);
}

}  // namespace ktl::shape
