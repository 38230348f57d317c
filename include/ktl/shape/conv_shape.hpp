// The one home of convolution shape arithmetic (Keras' conv_utils): output lengths for valid /
// same / causal with stride and dilation, the padding split, transposed-convolution lengths and
// alignment, and the channels_last <-> channels_first mapping of whole shapes. constexpr and
// integer-only, so a network's shapes can be checked in a static_assert.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>

#include <ktl/core/tensor.hpp>
#include <ktl/core/types.hpp>

namespace ktl::shape {

/// ceil(a / b) for a >= 0, b > 0, without floating point. Example: ceil_div(5, 2) == 3.
constexpr Index ceil_div(Index a, Index b) { return (a + b - 1) / b; }

/// Extent covered by a dilated kernel: d*(k-1)+1. Example: k 3, d 2 -> 5.
constexpr Index effective_kernel(Index k, Index dilation) { return (k - 1) * dilation + 1; }

/// Zeros added before and after one axis.
struct Pads {
  Index before = 0;
  Index after = 0;
  /// Both amounts equal.
  constexpr bool operator==(const Pads& o) const { return before == o.before && after == o.after; }
};

/// Output length of a forward convolution along one axis; 0 when valid leaves no window (the
/// caller raises). valid: floor((in - K) / s) + 1; same and causal: ceil(in / s).
/// Example: in 5, k 3, s 2, d 1 -> valid 2, same 3.
constexpr Index conv_output_length(Index in, Index k, Index s, Index d, Padding p) {
  const Index ke = effective_kernel(k, d);
  if (p == Padding::valid) return in >= ke ? (in - ke) / s + 1 : 0;
  return ceil_div(in, s);
}

/// TensorFlow's 'same' split: P = max((ceil(in/s) - 1)*s + K - in, 0), floor(P/2) before, the
/// rest (the odd extra zero) after. Example: in 224, k 7, s 2 -> {2, 3}; in 4, k 3, s 2 -> {0, 1}.
constexpr Pads same_padding(Index in, Index k, Index s, Index d) {
  const Index total = std::max<Index>((ceil_div(in, s) - 1) * s + effective_kernel(k, d) - in, 0);
  return {total / 2, total - total / 2};
}

/// Causal padding (Conv1D): K - 1 zeros before, none after. Example: k 3, d 2 -> {4, 0}.
constexpr Pads causal_padding(Index k, Index d) { return {effective_kernel(k, d) - 1, 0}; }

/// Padding of one axis for any forward mode. Example: in 5, k 2, s 1, d 1, same -> {0, 1}.
constexpr Pads conv_padding(Index in, Index k, Index s, Index d, Padding p) {
  switch (p) {
    case Padding::valid: return {0, 0};
    case Padding::same: return same_padding(in, k, s, d);
    case Padding::causal: return causal_padding(k, d);
  }
  return {0, 0};
}

/// Output length of a transposed convolution (Keras' deconv_output_length).
/// output_padding absent: valid in*s + max(K - s, 0), same in*s.
/// output_padding op given: (in-1)*s + K - 2*pad + op, pad = floor(K/2) for same, 0 for valid.
/// Example: in 2, k 3, s 2 -> valid 5; same 4; same with op 0 -> 3.
constexpr Index conv_transpose_output_length(Index in, Index k, Index s, Index d, Padding p,
                                             std::optional<Index> output_padding) {
  const Index ke = effective_kernel(k, d);
  if (!output_padding) {
    return p == Padding::same ? in * s : in * s + std::max<Index>(ke - s, 0);
  }
  const Index pad = p == Padding::same ? ke / 2 : 0;
  return (in - 1) * s + ke - 2 * pad + *output_padding;
}

/// Alignment q of a transposed convolution: input i, tap t lands on output i*s + t*d - q.
/// valid 0; same floor(max((in-1)*s + K - out, 0) / 2). Example: in 2, out 3, k 3, s 2 -> 1.
constexpr Index conv_transpose_before(Index in, Index out, Index k, Index s, Index d, Padding p) {
  if (p != Padding::same) return 0;
  return std::max<Index>((in - 1) * s + effective_kernel(k, d) - out, 0) / 2;
}

/// TensorFlow's consistency rule: the forward convolution of length `out` must give back `in`.
/// Example: same, k 4, s 2, in 5, out 8 -> false (ceil(8/2) = 4 != 5).
constexpr bool conv_transpose_consistent(Index in, Index out, Index k, Index s, Index d,
                                         Padding p) {
  if (out < 1) return false;
  return conv_output_length(out, k, s, d, p) == in;
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

/// Output shape of a forward convolution (any mode) for a full input shape. Spatial axes with no
/// valid window come out 0; layers turn that into a shape_mismatch.
/// Example: (1, 5, 5, 3), k 3, s 2, same, 8 filters -> (1, 3, 3, 8).
template <int N>
constexpr Dims<N + 2> conv_output_shape(const Dims<N + 2>& input, DataFormat f,
                                        const Extent<N>& kernel,
                                        const Extent<N>& strides, const Extent<N>& dilation,
                                        Padding p, Index out_channels) {
  auto sp = spatial_dims<N>(input, f);
  for (int a = 0; a < N; ++a)
    sp[static_cast<std::size_t>(a)] =
        conv_output_length(sp[static_cast<std::size_t>(a)], kernel[a], strides[a], dilation[a], p);
  return make_shape<N>(f, input[0], sp, out_channels);
}

/// Output shape of a transposed convolution for a full input shape.
/// Example: (1, 2, 2, 1), k 3, s 2, valid, no output_padding, 1 filter -> (1, 5, 5, 1).
template <int N>
constexpr Dims<N + 2> conv_transpose_output_shape(const Dims<N + 2>& input, DataFormat f,
                                                  const Extent<N>& kernel, const Extent<N>& strides,
                                                  const Extent<N>& dilation, Padding p,
                                                  const std::optional<Extent<N>>& output_padding,
                                                  Index out_channels) {
  auto sp = spatial_dims<N>(input, f);
  for (int a = 0; a < N; ++a) {
    const std::optional<Index> op =
        output_padding ? std::optional<Index>((*output_padding)[a]) : std::nullopt;
    sp[static_cast<std::size_t>(a)] = conv_transpose_output_length(
        sp[static_cast<std::size_t>(a)], kernel[a], strides[a], dilation[a], p, op);
  }
  return make_shape<N>(f, input[0], sp, out_channels);
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
