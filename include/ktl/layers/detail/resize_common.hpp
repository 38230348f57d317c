// Plumbing shared by the reshaping layers (Cropping, ZeroPadding, UpSampling): data-format
// access for options that have no data_format (the 1-D layers), the view of an input as
// channels_last "planes" for the copy kernels, and the input checks. Not API.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

#include <ktl/core/tensor.hpp>
#include <ktl/core/error.hpp>
#include <ktl/core/types.hpp>
#include <ktl/shape/conv_shape.hpp>
#include <ktl/shape/validate.hpp>

namespace ktl::detail {

/// "Cropping2D" and friends: `family` followed by the spatial rank and "D".
inline constexpr std::string_view resize_layer_name(std::string_view family, int n) {
  constexpr std::string_view names[3][3] = {
      {"Cropping1D", "Cropping2D", "Cropping3D"},
      {"ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D"},
      {"UpSampling1D", "UpSampling2D", "UpSampling3D"}};
  const int f = family == "Cropping" ? 0 : family == "ZeroPadding" ? 1 : 2;
  return names[f][n - 1];
}

template <typename Options, typename = void>
struct has_data_format : std::false_type {};
template <typename Options>
struct has_data_format<Options, std::void_t<decltype(std::declval<const Options&>().data_format)>>
    : std::true_type {};

/// The data format of an options struct; the 1-D layers have none and are channels_last.
template <typename Options>
constexpr DataFormat data_format_of(const Options& options) {
  if constexpr (has_data_format<Options>::value) {
    return options.data_format;
  } else {
    (void)options;
    return DataFormat::channels_last;
  }
}

/// A tensor seen as channels_last planes: channels_first (N, C, S...) is N*C one-channel images,
/// since every (n, c) plane is a contiguous spatial image; no transpose is ever needed.
template <int N>
struct Planes {
  Index batch = 0;
  std::array<Index, static_cast<std::size_t>(N)> spatial{};
  Index channels = 0;
};

template <int N>
Planes<N> planes_of(const Dims<N + 2>& d, DataFormat f) {
  Planes<N> p;
  p.spatial = shape::spatial_dims<N>(d, f);
  if (f == DataFormat::channels_last) {
    p.batch = d[0];
    p.channels = d[static_cast<std::size_t>(N + 1)];
  } else {
    p.batch = d[0] * d[1];
    p.channels = 1;
  }
  return p;
}

/// Input and output of a reshaping layer's call, each seen as channels_last planes.
template <int N>
struct PlanesInOut {
  Planes<N> in, out;
};

/// The common start of a reshaping layer's forward: checks that the caller's output `y` has the
/// output shape `out` of input `in` (shape_mismatch otherwise) and returns both as planes.
template <int N>
PlanesInOut<N> checked_planes(std::string_view layer, const Dims<N + 2>& in, const Dims<N + 2>& out,
                              const Dims<N + 2>& y, DataFormat f) {
  shape::check_output_view(layer, y, out, in, f);
  return {planes_of<N>(in, f), planes_of<N>(out, f)};
}

/// The `before` amount of every spatial axis (where a window starts, for the copy kernels).
template <int N>
std::array<Index, static_cast<std::size_t>(N)> before_amounts(const PadPairs<N>& amounts) {
  std::array<Index, static_cast<std::size_t>(N)> before{};
  for (int a = 0; a < N; ++a) before[static_cast<std::size_t>(a)] = amounts[a].before;
  return before;
}

}  // namespace ktl::detail
