// Shape arithmetic of the reshaping layers: Cropping, ZeroPadding, UpSampling (one axis and whole
// shapes, both data formats). constexpr, integer-only and checked (shape/checked.hpp): a length
// that would not fit Index throws invalid_options (amounts alone) or shape_mismatch (with an
// input length) naming `layer` and the argument.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include <ktl/core/tensor.hpp>
#include <ktl/core/error.hpp>
#include <ktl/core/types.hpp>
#include <ktl/shape/checked.hpp>
#include <ktl/shape/conv_shape.hpp>

namespace ktl::shape {

/// before + after of one axis' (before, after) amounts; throws invalid_options naming
/// `argument` (cropping, padding) when the sum does not fit Index. Example: (1, 2) -> 3.
constexpr Index amount_sum(Pair amount, std::string_view argument,
                           std::string_view layer = "ktl::shape") {
  return checked_or_raise<invalid_options>(Checked(amount.before) + amount.after, layer,
                                           "the sum before + after of an axis' amounts",
                                           "use smaller amounts", argument, "=", amount);
}

/// Cropped length: in - before - after (valid when >= 1). Example: 5, (1, 2) -> 2.
constexpr Index crop_length(Index in, Pair amount, std::string_view layer = "ktl::shape") {
  return checked_or_raise<shape_mismatch>(Checked(in) - amount_sum(amount, "cropping", layer),
                                          layer, "the cropped length", "use smaller amounts",
                                          "cropping=", amount, ", input length=", in);
}

/// Zero-padded length: in + before + after. Example: 5, (2, 1) -> 8.
constexpr Index pad_length(Index in, Pair amount, std::string_view layer = "ktl::shape") {
  return checked_or_raise<shape_mismatch>(Checked(in) + amount_sum(amount, "padding", layer),
                                          layer, "the padded length input length + before + after",
                                          "use smaller amounts or a smaller input",
                                          "padding=", amount, ", input length=", in);
}

/// Up-sampled length: in * size. Example: 3, 2 -> 6.
constexpr Index upsample_length(Index in, Index size, std::string_view layer = "ktl::shape") {
  return checked_or_raise<shape_mismatch>(Checked(in) * size, layer,
                                          "the up-sampled length input length * size",
                                          "use a smaller size or a smaller input", "size=", size,
                                          ", input length=", in);
}

/// Output shape of CroppingND (throws as crop_length, and shape_mismatch when the input or the
/// output has more than index_max elements).
/// Example: (1, 4, 4, 3), ((1, 1), (0, 2)) -> (1, 2, 2, 3).
template <int N>
constexpr Dims<N + 2> cropping_output_shape(const Dims<N + 2>& input, DataFormat f,
                                            const PadPairs<N>& cropping,
                                            std::string_view layer = "ktl::shape") {
  auto sp = spatial_dims<N>(input, f);
  for (int a = 0; a < N; ++a)
    sp[static_cast<std::size_t>(a)] =
        crop_length(sp[static_cast<std::size_t>(a)], cropping[a], layer);
  const Dims<N + 2> out = make_shape<N>(f, input[0], sp, channels_of<N + 2>(input, f));
  check_element_counts(input, out, f, layer);
  return out;
}

/// Output shape of ZeroPaddingND (throws as pad_length, and shape_mismatch when the input or the
/// output has more than index_max elements). Example: (1, 4, 4, 3), 1 -> (1, 6, 6, 3).
template <int N>
constexpr Dims<N + 2> zero_padding_output_shape(const Dims<N + 2>& input, DataFormat f,
                                                const PadPairs<N>& padding,
                                                std::string_view layer = "ktl::shape") {
  auto sp = spatial_dims<N>(input, f);
  for (int a = 0; a < N; ++a)
    sp[static_cast<std::size_t>(a)] =
        pad_length(sp[static_cast<std::size_t>(a)], padding[a], layer);
  const Dims<N + 2> out = make_shape<N>(f, input[0], sp, channels_of<N + 2>(input, f));
  check_element_counts(input, out, f, layer);
  return out;
}

/// Output shape of UpSamplingND (throws as upsample_length, and shape_mismatch when the input or
/// the output has more than index_max elements). Example: (1, 2, 2, 1), (2, 3) -> (1, 4, 6, 1).
template <int N>
constexpr Dims<N + 2> upsampling_output_shape(const Dims<N + 2>& input, DataFormat f,
                                              const Extent<N>& size,
                                              std::string_view layer = "ktl::shape") {
  auto sp = spatial_dims<N>(input, f);
  for (int a = 0; a < N; ++a)
    sp[static_cast<std::size_t>(a)] =
        upsample_length(sp[static_cast<std::size_t>(a)], size[a], layer);
  const Dims<N + 2> out = make_shape<N>(f, input[0], sp, channels_of<N + 2>(input, f));
  check_element_counts(input, out, f, layer);
  return out;
}

}  // namespace ktl::shape
