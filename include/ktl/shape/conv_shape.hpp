// The one home of convolution shape arithmetic (Keras' conv_utils): output lengths for valid /
// same / causal with stride and dilation, the padding split, transposed-convolution lengths and
// alignment, and the channels_last <-> channels_first mapping of whole shapes. constexpr and
// integer-only, so a network's shapes can be checked in a static_assert. Every computation is
// checked (shape/checked.hpp): a result that would not fit Index throws invalid_options (from
// option values alone) or shape_mismatch (with an input length), naming `layer` and the
// argument, instead of wrapping; in a constant expression such a call does not compile.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include <ktl/core/tensor.hpp>
#include <ktl/core/error.hpp>
#include <ktl/core/types.hpp>
#include <ktl/shape/checked.hpp>

namespace ktl::shape {

/// Extent covered by a dilated kernel: d*(k-1)+1. Example: k 3, d 2 -> 5.
/// Throws invalid_options naming dilation_rate when it does not fit Index.
constexpr Index effective_kernel(Index k, Index dilation, std::string_view layer = "ktl::shape") {
  return checked_or_raise<invalid_options>(
      (Checked(k) - 1) * dilation + 1, layer,
      "the effective kernel (kernel_size - 1) * dilation_rate + 1",
      "use a smaller dilation_rate or kernel_size", "kernel_size=", k,
      ", dilation_rate=", dilation);
}

/// Zeros added before and after one axis.
struct Pads {
  Index before = 0;
  Index after = 0;
  /// Both amounts equal.
  constexpr bool operator==(const Pads& o) const { return before == o.before && after == o.after; }
};

/// Output length of a forward convolution along one axis; 0 when valid leaves no window (the
/// caller raises). valid: floor((in - K) / s) + 1; same and causal: ceil(in / s), and the
/// zero-padded input (at most in + K - 1 long) must fit Index, else shape_mismatch.
/// Example: in 5, k 3, s 2, d 1 -> valid 2, same 3.
constexpr Index conv_output_length(Index in, Index k, Index s, Index d, Padding p,
                                   std::string_view layer = "ktl::shape") {
  const Index ke = effective_kernel(k, d, layer);
  if (p == Padding::valid) return in >= ke ? (in - ke) / s + 1 : 0;
  checked_or_raise<shape_mismatch>(
      Checked(in) + (ke - 1), layer,
      "the zero-padded input length (input length + (kernel_size - 1) * dilation_rate)",
      "use a smaller dilation_rate or kernel_size", "input length=", in, ", kernel_size=", k,
      ", dilation_rate=", d, ", padding=", p);
  return ceil_div(in, s);
}

/// TensorFlow's 'same' split: P = max((ceil(in/s) - 1)*s + K - in, 0), floor(P/2) before, the
/// rest (the odd extra zero) after. Example: in 224, k 7, s 2 -> {2, 3}; in 4, k 3, s 2 -> {0, 1}.
/// Computed as ((ceil(in/s) - 1)*s - in) + K, whose partial results all lie in [-in, K): it
/// cannot overflow once K fits. For in >= 1, s >= 1.
constexpr Pads same_padding(Index in, Index k, Index s, Index d,
                            std::string_view layer = "ktl::shape") {
  const Index total =
      std::max<Index>((ceil_div(in, s) - 1) * s - in + effective_kernel(k, d, layer), 0);
  return {total / 2, total - total / 2};
}

/// Causal padding (Conv1D): K - 1 zeros before, none after. Example: k 3, d 2 -> {4, 0}.
constexpr Pads causal_padding(Index k, Index d, std::string_view layer = "ktl::shape") {
  return {effective_kernel(k, d, layer) - 1, 0};
}

/// Padding of one axis for any forward mode. Example: in 5, k 2, s 1, d 1, same -> {0, 1}.
constexpr Pads conv_padding(Index in, Index k, Index s, Index d, Padding p,
                            std::string_view layer = "ktl::shape") {
  switch (p) {
    case Padding::valid: return {0, 0};
    case Padding::same: return same_padding(in, k, s, d, layer);
    case Padding::causal: return causal_padding(k, d, layer);
  }
  return {0, 0};
}

/// Output length of a transposed convolution (Keras' deconv_output_length).
/// output_padding absent: valid in*s + max(K - s, 0), same in*s.
/// output_padding op given: (in-1)*s + K - 2*pad + op, pad = floor(K/2) for same, 0 for valid.
/// Both the result and the scatter extent (in-1)*s + K (every output position the inputs reach
/// before the 'same' alignment) must fit Index, else shape_mismatch naming strides; then every
/// position a transposed convolution addresses does (see conv_transpose_before).
/// Example: in 2, k 3, s 2 -> valid 5; same 4; same with op 0 -> 3.
constexpr Index conv_transpose_output_length(Index in, Index k, Index s, Index d, Padding p,
                                             std::optional<Index> output_padding,
                                             std::string_view layer = "ktl::shape");

}  // namespace ktl::shape

namespace ktl::detail {
/// shape::conv_transpose_output_length with output_padding as (given, value): the whole-shape
/// function calls this form, since GCC 12 reports copies of a std::optional<Index> that it
/// inlines as maybe-uninitialized.
constexpr Index conv_transpose_length(Index in, Index k, Index s, Index d, Padding p,
                                      bool has_output_padding, Index output_padding,
                                      std::string_view layer) {
  using shape::Checked;
  const Index ke = shape::effective_kernel(k, d, layer);
  const Checked scatter = (Checked(in) - 1) * s + ke;
  Checked length = 0;
  if (!has_output_padding)
    length = p == Padding::same ? Checked(in) * s : Checked(in) * s + std::max<Index>(ke - s, 0);
  else
    length = scatter - 2 * (p == Padding::same ? ke / 2 : 0) + output_padding;
  const Checked both = scatter.ok() ? length : scatter;
  return shape::checked_or_raise<shape_mismatch>(
      both, layer, "the transposed output length",
      "(input length - 1) * strides + (kernel_size - 1) * dilation_rate + 1 and the output length "
      "must fit; use a smaller input or strides",
      "input length=", in, ", strides=", s, ", kernel_size=", k, ", dilation_rate=", d);
}
}  // namespace ktl::detail

namespace ktl::shape {

constexpr Index conv_transpose_output_length(Index in, Index k, Index s, Index d, Padding p,
                                             std::optional<Index> output_padding,
                                             std::string_view layer) {
  return detail::conv_transpose_length(in, k, s, d, p, output_padding.has_value(),
                                       output_padding.value_or(0), layer);
}

/// Alignment q of a transposed convolution: input i, tap t lands on output i*s + t*d - q.
/// valid 0; same floor(max((in-1)*s + K - out, 0) / 2). Example: in 2, out 3, k 3, s 2 -> 1.
/// When the scatter extent (in-1)*s + K and `out` fit Index (conv_transpose_output_length
/// checks both), so does out + q, the largest position the kernel computes with.
constexpr Index conv_transpose_before(Index in, Index out, Index k, Index s, Index d, Padding p,
                                      std::string_view layer = "ktl::shape") {
  if (p != Padding::same) return 0;
  const Index scatter = checked_or_raise<shape_mismatch>(
      (Checked(in) - 1) * s + effective_kernel(k, d, layer), layer,
      "the transposed scatter extent (input length - 1) * strides + (kernel_size - 1) * "
      "dilation_rate + 1",
      "use a smaller input or strides", "input length=", in, ", strides=", s);
  return std::max<Index>(scatter - out, 0) / 2;
}

/// TensorFlow's consistency rule: the forward convolution of length `out` must give back `in`.
/// Example: same, k 4, s 2, in 5, out 8 -> false (ceil(8/2) = 4 != 5).
constexpr bool conv_transpose_consistent(Index in, Index out, Index k, Index s, Index d,
                                         Padding p, std::string_view layer = "ktl::shape") {
  if (out < 1) return false;
  return conv_output_length(out, k, s, d, p, layer) == in;
}

/// Tensor axis of spatial axis `a` (0-based) in a rank-R shape.
/// Example: R 4, a 0 -> 1 for channels_last, 2 for channels_first.
constexpr int spatial_axis(DataFormat f, int rank, int a) {
  (void)rank;
  return f == DataFormat::channels_last ? 1 + a : 2 + a;
}

/// Tensor axis of the channels in a rank-R shape: R-1 for channels_last, 1 for channels_first.
constexpr int channel_axis(DataFormat f, int rank) {
  return f == DataFormat::channels_last ? rank - 1 : 1;
}

/// Builds a full shape from batch, spatial extents and channels in the given format.
/// Example: (2, {5, 7}, 3) -> (2, 5, 7, 3) channels_last, (2, 3, 5, 7) channels_first.
template <int N>
constexpr Dims<N + 2> make_shape(DataFormat f, Index batch,
                                 const std::array<Index, static_cast<std::size_t>(N)>& spatial,
                                 Index channels) {
  Dims<N + 2> d{};
  d[0] = batch;
  for (int a = 0; a < N; ++a)
    d[static_cast<std::size_t>(spatial_axis(f, N + 2, a))] = spatial[static_cast<std::size_t>(a)];
  d[static_cast<std::size_t>(channel_axis(f, N + 2))] = channels;
  return d;
}

/// The spatial extents of a full shape. Example: (2, 3, 5, 7) channels_first -> (5, 7).
template <int N>
constexpr std::array<Index, static_cast<std::size_t>(N)> spatial_dims(const Dims<N + 2>& d,
                                                                      DataFormat f) {
  std::array<Index, static_cast<std::size_t>(N)> s{};
  for (int a = 0; a < N; ++a)
    s[static_cast<std::size_t>(a)] = d[static_cast<std::size_t>(spatial_axis(f, N + 2, a))];
  return s;
}

/// The channel count of a full shape (R is deduced). Example: (2, 5, 7, 3) channels_last -> 3.
template <std::size_t R>
constexpr Index channels_of(const std::array<Index, R>& d, DataFormat f) {
  return d[static_cast<std::size_t>(channel_axis(f, static_cast<int>(R)))];
}

/// The same logical tensor's shape in the other format (R >= 2 is deduced).
/// Example: (2, 5, 7, 3) last -> (2, 3, 5, 7).
template <std::size_t R>
constexpr std::array<Index, R> to_channels_first(const std::array<Index, R>& last) {
  static_assert(R >= 2, "ktl::shape::to_channels_first: a shape needs batch and channel axes");
  std::array<Index, R> d{};
  d[0] = last[0];
  d[1] = last[R - 1];
  for (std::size_t a = 1; a + 1 < R; ++a) d[a + 1] = last[a];
  return d;
}
/// Inverse of to_channels_first (R >= 2 is deduced). Example: (2, 3, 5, 7) -> (2, 5, 7, 3).
template <std::size_t R>
constexpr std::array<Index, R> to_channels_last(const std::array<Index, R>& first) {
  static_assert(R >= 2, "ktl::shape::to_channels_last: a shape needs batch and channel axes");
  std::array<Index, R> d{};
  d[0] = first[0];
  d[R - 1] = first[1];
  for (std::size_t a = 1; a + 1 < R; ++a) d[a] = first[a + 1];
  return d;
}

/// Checks that the input shape and the output shape a whole-shape function computed each have at
/// most index_max elements; throws shape_mismatch naming both shapes otherwise.
template <std::size_t R>
constexpr void check_element_counts(const std::array<Index, R>& input,
                                    const std::array<Index, R>& output, DataFormat f,
                                    std::string_view layer) {
  if (!checked_element_count(input).ok())
    element_count_or_raise<shape_mismatch>(input, layer, "input shape", "data_format=", f);
  if (!checked_element_count(output).ok())
    element_count_or_raise<shape_mismatch>(output, layer, "output shape", "input shape ", input,
                                           ", data_format=", f);
}

/// Output shape of a forward convolution (any mode) for a full input shape. Spatial axes with no
/// valid window come out 0; layers turn that into a shape_mismatch. Throws as
/// conv_output_length, and shape_mismatch when the input or the output has more than index_max
/// elements. Example: (1, 5, 5, 3), k 3, s 2, same, 8 filters -> (1, 3, 3, 8).
template <int N>
constexpr Dims<N + 2> conv_output_shape(const Dims<N + 2>& input, DataFormat f,
                                        const Extent<N>& kernel,
                                        const Extent<N>& strides, const Extent<N>& dilation,
                                        Padding p, Index out_channels,
                                        std::string_view layer = "ktl::shape") {
  auto sp = spatial_dims<N>(input, f);
  for (int a = 0; a < N; ++a)
    sp[static_cast<std::size_t>(a)] = conv_output_length(sp[static_cast<std::size_t>(a)], kernel[a],
                                                         strides[a], dilation[a], p, layer);
  const Dims<N + 2> out = make_shape<N>(f, input[0], sp, out_channels);
  check_element_counts(input, out, f, layer);
  return out;
}

/// Output shape of a transposed convolution for a full input shape. Throws as
/// conv_transpose_output_length, and shape_mismatch when the input or the output has more than
/// index_max elements.
/// Example: (1, 2, 2, 1), k 3, s 2, valid, no output_padding, 1 filter -> (1, 5, 5, 1).
template <int N>
constexpr Dims<N + 2> conv_transpose_output_shape(const Dims<N + 2>& input, DataFormat f,
                                                  const Extent<N>& kernel, const Extent<N>& strides,
                                                  const Extent<N>& dilation, Padding p,
                                                  const std::optional<Extent<N>>& output_padding,
                                                  Index out_channels,
                                                  std::string_view layer = "ktl::shape") {
  auto sp = spatial_dims<N>(input, f);
  for (int a = 0; a < N; ++a)
    sp[static_cast<std::size_t>(a)] = detail::conv_transpose_length(
        sp[static_cast<std::size_t>(a)], kernel[a], strides[a], dilation[a], p,
        output_padding.has_value(), output_padding ? (*output_padding)[a] : 0, layer);
  const Dims<N + 2> out = make_shape<N>(f, input[0], sp, out_channels);
  check_element_counts(input, out, f, layer);
  return out;
}

/// Multiply-adds of a forward convolution with the given output shape (for benchmark counters):
/// out elements * prod(kernel) * in_channels / groups.
template <int N>
constexpr double conv_macs(const Dims<N + 2>& output, const Extent<N>& kernel, Index in_channels,
                           Index groups = 1) {
  double m = 1.0;
  for (Index v : output) m *= static_cast<double>(v);
  for (Index v : kernel.values) m *= static_cast<double>(v);
  return m * static_cast<double>(in_channels / groups);
}

}  // namespace ktl::shape
