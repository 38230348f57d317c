// Cropping layers: keras.layers.Cropping1D, Cropping2D, Cropping3D. No weights; the output is
// a row-memcpy of the kept window (kernels/pad_crop.hpp), in either data format without any
// layout shuffle.
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

/// Options of CroppingND, with Keras' argument names and defaults (specialised per rank: the
/// defaults differ, and Cropping1D has no data_format).
template <int N>
struct CroppingOptions {
  static_assert(N >= 1 && N <= 3, "ktl::CroppingOptions<N>: N is the spatial rank; use 1, 2 or 3");
};

/// Options of keras.layers.Cropping1D. Input is always (batch, steps, features).
template <>
struct CroppingOptions<1> {
  PadPairs<1> cropping = 1;  ///< (start, end) removed from the steps axis; Keras default (1, 1)
};

/// Options of keras.layers.Cropping2D.
template <>
struct CroppingOptions<2> {
  PadPairs<2> cropping = 0;  ///< ((top, bottom), (left, right)); Keras default ((0, 0), (0, 0))
  DataFormat data_format = DataFormat::channels_last;
};

/// Options of keras.layers.Cropping3D.
template <>
struct CroppingOptions<3> {
  PadPairs<3> cropping = 1;  ///< three (start, end) pairs; Keras default ((1, 1), (1, 1), (1, 1))
  DataFormat data_format = DataFormat::channels_last;
};

/// Removes `cropping` elements at the start and end of each spatial axis.
/// Keras: keras.layers.Cropping1D / Cropping2D / Cropping3D.
/// Shapes: channels_last (batch, d1..dN, channels) -> (batch, d1 - b1 - a1, .., channels);
/// channels_first (batch, channels, d1..dN) -> (batch, channels, d1 - b1 - a1, ..);
/// y[.., i, ..] = x[.., i + before, ..]. No weights.
/// Throws invalid_options from the constructor (negative amounts, bad data_format) and
/// shape_mismatch from calls (an empty input axis, a cropping that leaves an axis empty, an
/// output view of the wrong shape).
template <typename Scalar, int N>
class Cropping : public detail::LayerCalls<Cropping<Scalar, N>, Scalar, N + 2> {
  static_assert(N >= 1 && N <= 3, "ktl::Cropping<Scalar, N>: N is the spatial rank; use 1, 2 or 3");
  static_assert(std::is_floating_point_v<Scalar>, "ktl::Cropping<Scalar, N>: Scalar must be float or double");

 public:
  /// operator()(x), operator()(x, pool), forward(x, y), forward for any accepted x and y,
  /// compute_output_shape and output_shape for arrays and braced lists come from LayerCalls.
  using Calls = detail::LayerCalls<Cropping<Scalar, N>, Scalar, N + 2>;
  using Calls::forward;
  using Calls::output_shape;
  using Calls::compute_output_shape;
  static constexpr int rank = N + 2;
  using Options = CroppingOptions<N>;
  /// Keras class name (messages, configs): "Cropping1D", "Cropping2D" or "Cropping3D".
  static constexpr std::string_view class_name() noexcept {
    return detail::resize_layer_name("Cropping", N);
  }

  /// Validates the options: every amount >= 0, each axis' sum within Index, a known data_format.
  explicit Cropping(Options options = Options{}) : options_(options) {
    shape::check_non_negative<N>(class_name(), "cropping", options_.cropping);
    shape::check_amount_sums<N>(class_name(), "cropping", options_.cropping);
    shape::check_data_format(class_name(), format());
  }

  /// Output shape for an input shape. Throws shape_mismatch when an input axis is empty or the
  /// cropping of a spatial axis is not smaller than its length.
  Dims<rank> output_shape(const Dims<rank>& input) const {
    const DataFormat f = format();
    shape::check_non_empty<rank>(class_name(), input, f);
    const auto sp = shape::spatial_dims<N>(input, f);
    for (int a = 0; a < N; ++a) {
      const Pair c = options_.cropping[a];
      const Index len = sp[static_cast<std::size_t>(a)];
      if (shape::crop_length(len, c, class_name()) < 1)
        detail::raise<shape_mismatch>(
            class_name(), "cropping ", c, " leaves spatial axis ", a, " (tensor axis ",
            shape::spatial_axis(f, rank, a), ") empty: its input length is ", len,
            " and the amounts sum to ", c.before + c.after,
            "; the amounts of an axis must sum to less than its length; received cropping=",
            options_.cropping, ", input shape ", input, ", data_format=", f);
    }
    return shape::cropping_output_shape<N>(input, f, options_.cropping, class_name());
  }

  /// Writes the result into caller memory `y` (exactly the output shape, else shape_mismatch).
  /// Allocates nothing; `workspace` is unused (kept for the common layer signature).
  void forward(ConstView<Scalar, rank> x, TensorView<Scalar, rank> y, Workspace& workspace,
               const ThreadPool& pool) const {
    (void)workspace;
    const Dims<rank> in = dims_of(x);
    const auto [p, q] = detail::checked_planes<N>(class_name(), in, output_shape(in), dims_of(y), format());
    kernels::crop<Scalar, N>(x.data(), y.data(), p.batch, p.spatial, p.channels,
                              detail::before_amounts<N>(options_.cropping), q.spatial, pool);
  }

  const Options& options() const noexcept { return options_; }

 private:
  DataFormat format() const { return detail::data_format_of(options_); }
  Options options_;
};

using Cropping1D = Cropping<float, 1>;
using Cropping2D = Cropping<float, 2>;
using Cropping3D = Cropping<float, 3>;
using Cropping1DOptions = CroppingOptions<1>;
using Cropping2DOptions = CroppingOptions<2>;
using Cropping3DOptions = CroppingOptions<3>;

}  // namespace ktl
