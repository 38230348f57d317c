// Shape arithmetic of the reshaping layers: Cropping, ZeroPadding, UpSampling (one axis and whole
// shapes, both data formats). constexpr and integer-only.
#pragma once

#include <array>
#include <cstddef>

#include <ktl/core/tensor.hpp>
#include <ktl/core/types.hpp>
#include <ktl/shape/conv_shape.hpp>

namespace ktl::shape {

/// Cropped length: in - before - after (valid when >= 1). Example: 5, (1, 2) -> 2.
constexpr Index crop_length(Index in, Pair amount) { return in - amount.before - amount.after; }

/// Zero-padded length: in + before + after. Example: 5, (2, 1) -> 8.
constexpr Index pad_length(Index in, Pair amount) { return in + amount.before + amount.after; }

/// Up-sampled length: in * size. Example: 3, 2 -> 6.
constexpr Index upsample_length(Index in, Index size) { return in * size; }

/// Output shape of CroppingND. Example: (1, 4, 4, 3), ((1, 1), (0, 2)) -> (1, 2, 2, 3).
template <int N>
constexpr Dims<N + 2> cropping_output_shape(const Dims<N + 2>& input, DataFormat f,
                                            const PadPairs<N>& cropping) {
  auto sp = spatial_dims<N>(input, f);
  for (int a = 0; a < N; ++a)
    sp[static_cast<std::size_t>(a)] = crop_length(sp[static_cast<std::size_t>(a)], cropping[a]);
  return make_shape<N>(f, input[0], sp, channels_of<N + 2>(input, f));
}

/// Output shape of ZeroPaddingND. Example: (1, 4, 4, 3), 1 -> (1, 6, 6, 3).
template <int N>
constexpr Dims<N + 2> zero_padding_output_shape(const Dims<N + 2>& input, DataFormat f,
                                                const PadPairs<N>& padding) {
  auto sp = spatial_dims<N>(input, f);
  for (int a = 0; a < N; ++a)
    sp[static_cast<std::size_t>(a)] = pad_length(sp[static_cast<std::size_t>(a)], padding[a]);
  return make_shape<N>(f, input[0], sp, channels_of<N + 2>(input, f));
}

/// Output shape of UpSamplingND. Example: (1, 2, 2, 1), (2, 3) -> (1, 4, 6, 1).
template <int N>
constexpr Dims<N + 2> upsampling_output_shape(const Dims<N + 2>& input, DataFormat f,
                                              const Extent<N>& size) {
  auto sp = spatial_dims<N>(input, f);
  for (int a = 0; a < N; ++a)
    sp[static_cast<std::size_t>(a)] = upsample_length(sp[static_cast<std::size_t>(a)], size[a]);
  return make_shape<N>(f, input[0], sp, channels_of<N + 2>(input, f));
}

}  // namespace ktl::shape
