// Zero-padding layers: keras.layers.ZeroPadding1D, ZeroPadding2D, ZeroPadding3D. No weights;
// borders are memset and the input rows memcpy'd (kernels/pad_crop.hpp), in either data format
// without any layout shuffle.
#pragma once

#include <string_view>
#include <type_traits>

#include <ktl/core/tensor.hpp>
#include <ktl/core/error.hpp>
#include <ktl/core/parallel.hpp>
#include <ktl/core/types.hpp>
#include <ktl/core/workspace.hpp>
#include <ktl/layers/detail/calls.hpp>
#include <ktl/kernels/pad_crop.hpp>
#include <ktl/layers/detail/resize_common.hpp>
#include <ktl/shape/resize_shape.hpp>
#include <ktl/shape/validate.hpp>

namespace ktl {

/// Options of ZeroPaddingND, with Keras' argument names and defaults (specialised per rank:
/// ZeroPadding1D has no data_format).
template <int N>
struct ZeroPaddingOptions {
  static_assert(N >= 1 && N <= 3, "ktl::ZeroPaddingOptions<N>: N is the spatial rank; use 1, 2 or 3");
};

/// Options of keras.layers.ZeroPadding1D. Input is always (batch, steps, features).
template <>
struct ZeroPaddingOptions<1> {
  PadPairs<1> padding = 1;  ///< (before, after) zeros on the steps axis; Keras default 1
};

/// Options of keras.layers.ZeroPadding2D.
template <>
struct ZeroPaddingOptions<2> {
  PadPairs<2> padding = 1;  ///< ((top, bottom), (left, right)); Keras default (1, 1)
  DataFormat data_format = DataFormat::channels_last;
};

/// Options of keras.layers.ZeroPadding3D.
template <>
struct ZeroPaddingOptions<3> {
  PadPairs<3> padding = 1;  ///< three (before, after) pairs; Keras default (1, 1, 1)
  DataFormat data_format = DataFormat::channels_last;
};

/// Adds `padding` zeros at the start and end of each spatial axis.
/// Keras: keras.layers.ZeroPadding1D / ZeroPadding2D / ZeroPadding3D.
/// Shapes: channels_last (batch, d1..dN, channels) -> (batch, d1 + b1 + a1, .., channels);
/// channels_first (batch, channels, d1..dN) -> (batch, channels, d1 + b1 + a1, ..);
/// y[.., i, ..] = x[.., i - before, ..] inside the input, exactly 0 elsewhere. No weights.
/// Throws invalid_options from the constructor (negative amounts, bad data_format) and
/// shape_mismatch from calls (an empty input axis, an output view of the wrong shape).
template <typename Scalar, int N>
class ZeroPadding : public detail::LayerCalls<ZeroPadding<Scalar, N>, Scalar, N + 2> {
  static_assert(N >= 1 && N <= 3, "ktl::ZeroPadding<Scalar, N>: N is the spatial rank; use 1, 2 or 3");
  static_assert(std::is_floating_point_v<Scalar>, "ktl::ZeroPadding<Scalar, N>: Scalar must be float or double");

 public:
  /// operator()(x), operator()(x, pool), forward(x, y), forward for any accepted x and y,
  /// compute_output_shape and output_shape for arrays and braced lists come from LayerCalls.
  using Calls = detail::LayerCalls<ZeroPadding<Scalar, N>, Scalar, N + 2>;
  using Calls::forward;
  using Calls::output_shape;
  using Calls::compute_output_shape;
  static constexpr int rank = N + 2;
  using Options = ZeroPaddingOptions<N>;
  /// Keras class name (messages, configs): "ZeroPadding1D", "ZeroPadding2D" or "ZeroPadding3D".
  static constexpr std::string_view class_name() noexcept {
    return detail::resize_layer_name("ZeroPadding", N);
  }

  /// Validates the options: every amount >= 0, each axis' sum within Index, a known data_format.
  explicit ZeroPadding(Options options = Options{}) : options_(options) {
    shape::check_non_negative<N>(class_name(), "padding", options_.padding);
    shape::check_amount_sums<N>(class_name(), "padding", options_.padding);
    shape::check_data_format(class_name(), format());
  }

  /// Output shape for an input shape. Throws shape_mismatch when an input axis is empty or a
  /// padded length or the output's element count would exceed Index.
  Dims<rank> output_shape(const Dims<rank>& input) const {
    const DataFormat f = format();
    shape::check_non_empty<rank>(class_name(), input, f);
    return shape::zero_padding_output_shape<N>(input, f, options_.padding, class_name());
  }

  /// Writes the result into caller memory `y` (exactly the output shape, else shape_mismatch).
  /// Allocates nothing; `workspace` is unused (kept for the common layer signature).
  void forward(ConstView<Scalar, rank> x, TensorView<Scalar, rank> y, Workspace& workspace,
               const ThreadPool& pool) const {
    (void)workspace;
    const Dims<rank> in = dims_of(x);
    const auto [p, q] = detail::checked_planes<N>(class_name(), in, output_shape(in), dims_of(y), format());
    kernels::zero_pad<Scalar, N>(x.data(), y.data(), p.batch, p.spatial, p.channels,
                              detail::before_amounts<N>(options_.padding), q.spatial, pool);
  }

  const Options& options() const noexcept { return options_; }

 private:
  DataFormat format() const { return detail::data_format_of(options_); }
  Options options_;
};

using ZeroPadding1D = ZeroPadding<float, 1>;
using ZeroPadding2D = ZeroPadding<float, 2>;
using ZeroPadding3D = ZeroPadding<float, 3>;
using ZeroPadding1DOptions = ZeroPaddingOptions<1>;
using ZeroPadding2DOptions = ZeroPaddingOptions<2>;
using ZeroPadding3DOptions = ZeroPaddingOptions<3>;

}  // namespace ktl
