// Option and input validation shared by every layer. Each check throws ktl::invalid_options
// (options) or ktl::shape_mismatch (inputs, weights) with a message naming the layer, the Keras
// argument, the received value and the rule; layers call these instead of writing messages.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

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

/// Rejects strides > 1 together with dilation_rate > 1 (Keras: "specifying any stride value != 1
/// is incompatible with specifying any dilation_rate value != 1"): every stride must be 1 or
/// every dilation rate must be 1. Example: strides (2, 1) with dilation_rate (1, 2) throws.
template <int N>
void check_strides_dilation(std::string_view layer, const Extent<N>& strides,
                            const Extent<N>& dilation_rate) {
  if (!strides.all_equal(1) && !dilation_rate.all_equal(1))
    detail::raise<invalid_options>(
        layer, "strides ", strides, " together with dilation_rate ", dilation_rate,
        " is not supported; either every stride must be 1 or every dilation rate must be 1 (a "
        "stride > 1 on any axis excludes a dilation rate > 1 on every axis); received strides=",
        strides, ", dilation_rate=", dilation_rate);
}

/// Requires an enum option to be one of `allowed`, which catches both an enumerator the layer
/// does not take and a value outside the enumerators (an integer cast to the enum, as a config
/// file can produce). The received value prints by name, or as its integer when it has none.
/// Example: check_enum("Conv2D", "data_format", DataFormat(7), {channels_last, channels_first})
/// throws "Conv2D: invalid data_format; allowed values are "channels_last" and "channels_first";
/// received data_format=7".
template <typename Enum, std::size_t K>
void check_enum(std::string_view layer, std::string_view argument, Enum value,
                const std::array<Enum, K>& allowed, std::string_view note = {}) {
  for (Enum e : allowed)
    if (e == value) return;
  const std::string_view name = to_string(value);
  const std::string received =
      name != "?" ? std::string(name)
                  : std::to_string(static_cast<long long>(static_cast<std::underlying_type_t<Enum>>(value)));
  detail::raise_argument(layer, argument, received,
                         "allowed values are " + detail::quoted_list(allowed) + std::string(note));
}

/// Requires data_format to be channels_last or channels_first (every layer that has one).
inline void check_data_format(std::string_view layer, DataFormat f) {
  check_enum<DataFormat, 2>(layer, "data_format", f,
                            {DataFormat::channels_last, DataFormat::channels_first});
}

/// Requires a padding mode the layer accepts: valid or same, and causal for Conv1D only
/// (detail::accepts_causal, the rule parse_padding follows too).
inline void check_padding(std::string_view layer, Padding padding) {
  if (detail::accepts_causal(layer))
    check_enum<Padding, 3>(layer, "padding", padding, {Padding::valid, Padding::same, Padding::causal});
  else
    check_enum<Padding, 2>(layer, "padding", padding, {Padding::valid, Padding::same},
                           padding == Padding::causal ? " (causal is Conv1D only)" : "");
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

/// A weight tensor must have exactly the expected shape (Keras' set_weights check); `meaning`
/// names the expected extents. Example: check_weight_shape("Conv2D", "bias", {7}, {8},
/// "(filters)") throws "Conv2D: bias has shape (7) but the layer expects (8) (filters)".
template <std::size_t R>
void check_weight_shape(std::string_view layer, std::string_view weight,
                        const std::array<Index, R>& got, const std::array<Index, R>& expected,
                        std::string_view meaning = {}) {
  if (got != expected)
    detail::raise<shape_mismatch>(layer, weight, " has shape ", got, " but the layer expects ",
                                  expected, meaning.empty() ? "" : " ", meaning);
}

/// The bias: `expected` values (`meaning` says which, e.g. "(filters)") when use_bias, else an
/// empty tensor (the Keras layer then has no bias weight at all).
inline void check_bias(std::string_view layer, const Dims<1>& got, bool use_bias, Index expected,
                       std::string_view meaning) {
  if (use_bias)
    check_weight_shape(layer, "bias", got, Dims<1>{expected}, meaning);
  else if (got[0] != 0)
    detail::raise<shape_mismatch>(layer, "bias has shape ", got,
                                  " but use_bias=false means no bias weight; pass an empty tensor");
}

}  // namespace ktl::shape

namespace ktl::detail {

/// A weight shape in which one axis (`free`, unless -1) may hold any positive multiple of
/// `step` and prints as `free_name`; every other axis must equal its entry of `extents`.
template <std::size_t R>
struct WeightPattern {
  std::array<Index, R> extents{};
  int free = -1;
  std::string_view free_name{};
  Index step = 1;

  bool free_fits(Index v) const { return v >= step && v % step == 0; }
  bool fits(const std::array<Index, R>& got) const {
    for (std::size_t a = 0; a < R; ++a) {
      const bool ok = static_cast<int>(a) == free ? free_fits(got[a]) : got[a] == extents[a];
      if (!ok) return false;
    }
    return true;
  }
  /// True when `got` holds the extents of a fitting shape in another order.
  bool fits_reordered(const std::array<Index, R>& got) const {
    std::vector<Index> left(got.begin(), got.end());
    for (std::size_t a = 0; a < R; ++a) {
      if (static_cast<int>(a) == free) continue;
      const auto it = std::find(left.begin(), left.end(), extents[a]);
      if (it == left.end()) return false;
      left.erase(it);
    }
    return left.empty() || free_fits(left[0]);
  }
  /// Prints the shape with the free axis by name: "(3, 3, C, 32)".
  friend std::ostream& operator<<(std::ostream& os, const WeightPattern& p) {
    os << '(';
    for (std::size_t a = 0; a < R; ++a) {
      if (a != 0) os << ", ";
      if (static_cast<int>(a) == p.free)
        os << p.free_name;
      else
        os << p.extents[a];
    }
    return os << ')';
  }
};

/// Checks a weight against Keras' layout `keras` (`layout` names its axes). A mismatch throws
/// shape_mismatch with the expected shape, plus a hint when the received shape is PyTorch's
/// layout `torch` of the same weight (`torch_layout` names its axes): Keras' axes are
/// PyTorch's in the order (2, .., R-1, 1, 0), followed by a reshape where the two layouts also
/// group the values differently (depthwise kernels); or when it is a fitting shape with its
/// axes in another order.
template <std::size_t R>
void check_weight_layout(std::string_view layer, std::string_view weight,
                         const std::array<Index, R>& got, const WeightPattern<R>& keras,
                         std::string_view layout, const WeightPattern<R>& torch,
                         std::string_view torch_layout) {
  if (keras.fits(got)) return;
  std::ostringstream hint;
  if (torch.fits(got)) {
    std::array<int, R> order{};
    std::array<Index, R> reordered{};
    for (std::size_t a = 0; a + 2 < R; ++a) order[a] = static_cast<int>(a + 2);
    order[R - 2] = 1;
    order[R - 1] = 0;
    for (std::size_t a = 0; a < R; ++a) reordered[a] = got[static_cast<std::size_t>(order[a])];
    hint << "; it looks like PyTorch's layout " << torch_layout << ": reorder its axes with "
         << weight << ".shuffle(Eigen::array<int, " << R << ">{";
    for (std::size_t a = 0; a < R; ++a) hint << (a != 0 ? ", " : "") << order[a];
    hint << "}) (NumPy: w.transpose";
    write_value(hint, order);
    hint << ')';
    if (!keras.fits(reordered)) {
      std::array<Index, R> target = keras.extents;
      Index fixed = 1;
      for (std::size_t a = 0; a < R; ++a)
        if (static_cast<int>(a) != keras.free) fixed *= target[a];
      target[static_cast<std::size_t>(keras.free)] = element_count(got) / fixed;
      hint << ", then reshape it to ";
      write_value(hint, target);
    }
  } else if (keras.fits_reordered(got)) {
    hint << "; its extents fit with the axes in another order: reorder them to Keras' layout";
  }
  const std::string free_rule =
      keras.free >= 0 ? " with any " + std::string(keras.free_name) + " >= 1" : std::string();
  raise<shape_mismatch>(layer, weight, " has shape ", got, " but the layer expects ", keras,
                        ", Keras' layout ", layout, free_rule, hint.str());
}

/// Keras' kernel layout (kernel_size..., a, b) and PyTorch's (c, d, kernel_size...) with the
/// kernel axes filled in; the caller sets the other two axes of each.
template <int N>
std::array<WeightPattern<static_cast<std::size_t>(N + 2)>, 2> kernel_patterns(
    const Extent<N>& kernel_size) {
  std::array<WeightPattern<static_cast<std::size_t>(N + 2)>, 2> p{};
  for (int a = 0; a < N; ++a) {
    p[0].extents[static_cast<std::size_t>(a)] = kernel_size[a];
    p[1].extents[static_cast<std::size_t>(a + 2)] = kernel_size[a];
  }
  return p;
}

}  // namespace ktl::detail

namespace ktl::shape {

/// Conv kernel: Keras (kernel_size..., C/groups, filters) with C/groups free; PyTorch's Conv
/// weight is (filters, C/groups, kernel_size...).
/// Example: Conv2D (kernel_size 3, filters 32) given (32, 16, 3, 3) throws "... expects
/// (3, 3, C, 32) ...; it looks like PyTorch's layout ...: reorder its axes with
/// kernel.shuffle(Eigen::array<int, 4>{2, 3, 1, 0}) ...".
template <int N>
void check_conv_kernel(std::string_view layer, const Dims<N + 2>& got, const Extent<N>& kernel_size,
                       Index filters, Index groups) {
  auto [keras, torch] = detail::kernel_patterns<N>(kernel_size);
  keras.free = N;
  torch.free = 1;
  keras.free_name = torch.free_name = groups > 1 ? "C/groups" : "C";
  keras.extents[static_cast<std::size_t>(N + 1)] = filters;
  torch.extents[0] = filters;
  detail::check_weight_layout(layer, "kernel", got, keras,
                                   "(kernel_size..., input channels C / groups, filters)", torch,
                                   "(filters, C / groups, kernel_size...)");
}

/// Transposed-convolution kernel: Keras (kernel_size..., filters, C) with C free; PyTorch's
/// ConvTranspose weight is (C, filters, kernel_size...).
template <int N>
void check_conv_transpose_kernel(std::string_view layer, const Dims<N + 2>& got,
                                 const Extent<N>& kernel_size, Index filters) {
  auto [keras, torch] = detail::kernel_patterns<N>(kernel_size);
  keras.free = N + 1;
  torch.free = 0;
  keras.free_name = torch.free_name = "C";
  keras.extents[static_cast<std::size_t>(N)] = filters;
  torch.extents[1] = filters;
  detail::check_weight_layout(layer, "kernel", got, keras,
                                   "(kernel_size..., filters, input channels C)", torch,
                                   "(C, filters, kernel_size...)");
}

/// Depthwise kernel: Keras (kernel_size..., C, depth_multiplier) with C free; PyTorch's
/// depthwise Conv weight (groups = C) is (C * depth_multiplier, 1, kernel_size...), which after
/// reordering its axes still needs a reshape.
template <int N>
void check_depthwise_kernel(std::string_view layer, const Dims<N + 2>& got,
                            const Extent<N>& kernel_size, Index depth_multiplier) {
  auto [keras, torch] = detail::kernel_patterns<N>(kernel_size);
  keras.free = N;
  keras.free_name = "C";
  keras.extents[static_cast<std::size_t>(N + 1)] = depth_multiplier;
  torch.free = 0;
  torch.free_name = "C*depth_multiplier";
  torch.step = depth_multiplier;
  torch.extents[1] = 1;
  detail::check_weight_layout(layer, "depthwise_kernel", got, keras,
                                   "(kernel_size..., input channels C, depth_multiplier)", torch,
                                   "(C * depth_multiplier, 1, kernel_size...)");
}

/// Pointwise kernel of a separable convolution: Keras (1..., C * depth_multiplier, filters), C
/// from the depthwise kernel (`channels` = C * M); PyTorch's 1x1 Conv weight is
/// (filters, C * M, 1...).
template <int N>
void check_pointwise_kernel(std::string_view layer, const Dims<N + 2>& got, Index channels,
                            Index filters) {
  detail::WeightPattern<static_cast<std::size_t>(N + 2)> keras{}, torch{};
  keras.extents.fill(1);
  torch.extents.fill(1);
  keras.extents[static_cast<std::size_t>(N)] = channels;
  keras.extents[static_cast<std::size_t>(N + 1)] = filters;
  torch.extents[0] = filters;
  torch.extents[1] = channels;
  detail::check_weight_layout(
      layer, "pointwise_kernel", got, keras,
      "(1..., C * depth_multiplier with C from depthwise_kernel, filters)", torch,
      "(filters, C * depth_multiplier, 1...)");
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
