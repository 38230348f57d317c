// Up-sampling layers: keras.layers.UpSampling1D, UpSampling2D (nearest or bilinear, in the
// legacy Keras 2.2 or the half-pixel tf.keras 2.x / Keras 3 mapping), UpSampling3D. No weights;
// kernels in kernels/upsample.hpp and kernels/upsample_bilinear.hpp, both data formats without
// any layout shuffle.
#pragma once

#include <ostream>
#include <string_view>
#include <type_traits>

#include <ktl/core/tensor.hpp>
#include <ktl/core/error.hpp>
#include <ktl/core/parallel.hpp>
#include <ktl/core/types.hpp>
#include <ktl/core/workspace.hpp>
#include <ktl/layers/detail/calls.hpp>
#include <ktl/kernels/upsample.hpp>
#include <ktl/kernels/upsample_bilinear.hpp>
#include <ktl/layers/detail/resize_common.hpp>
#include <ktl/shape/resize_shape.hpp>
#include <ktl/shape/validate.hpp>

namespace ktl {

/// Which pixel-centre convention UpSampling2D(interpolation='bilinear') uses (docs/semantics.md
/// 4.11, 7). legacy: u = o * in/out (TensorFlow's resize_bilinear with half_pixel_centers=False:
/// Keras 2.2.3-2.3.x, tf.keras on TF <= 1.14, TensorFlow.js layers); half_pixel:
/// u = (o + 0.5) * in/out - 0.5 (tf.keras on TF 1.15 / 2.x, Keras 3; PyTorch align_corners=False).
enum class BilinearMapping { legacy, half_pixel };

/// "legacy" or "half_pixel" ("?" for a value outside the enumerators).
inline constexpr std::string_view to_string(BilinearMapping m) noexcept {
  switch (m) {
    case BilinearMapping::legacy: return "legacy";
    case BilinearMapping::half_pixel: return "half_pixel";
  }
  return "?";
}
inline std::ostream& operator<<(std::ostream& os, BilinearMapping m) { return os << to_string(m); }

/// Parses "legacy" or "half_pixel" (any case). Throws invalid_options otherwise.
inline BilinearMapping parse_bilinear_mapping(std::string_view text, std::string_view layer = "UpSampling2D") {
  return detail::parse_enum(text, "bilinear_mapping",
                            {BilinearMapping::legacy, BilinearMapping::half_pixel}, layer);
}

/// Options of UpSamplingND, with Keras' argument names and defaults (specialised per rank:
/// UpSampling1D has no data_format, only UpSampling2D has an interpolation).
template <int N>
struct UpSamplingOptions {
  static_assert(N >= 1 && N <= 3, "ktl::UpSamplingOptions<N>: N is the spatial rank; use 1, 2 or 3");
};

/// Options of keras.layers.UpSampling1D. Input is always (batch, steps, features).
template <>
struct UpSamplingOptions<1> {
  Extent<1> size = 2;  ///< repetitions of each step, >= 1; Keras default 2
};

/// Options of keras.layers.UpSampling2D.
template <>
struct UpSamplingOptions<2> {
  Extent<2> size = 2;  ///< (rows, cols) factors, each >= 1; Keras default (2, 2)
  DataFormat data_format = DataFormat::channels_last;
  Interpolation interpolation = Interpolation::nearest;  ///< nearest (default) or bilinear
  /// Bilinear only: legacy (default, Keras 2.2 and TensorFlow.js) or half_pixel (tf.keras 2.x,
  /// Keras 3). Not a Keras argument: Keras' version decides it.
  BilinearMapping bilinear_mapping = BilinearMapping::legacy;
};

/// Options of keras.layers.UpSampling3D.
template <>
struct UpSamplingOptions<3> {
  Extent<3> size = 2;  ///< (dim1, dim2, dim3) factors, each >= 1; Keras default (2, 2, 2)
  DataFormat data_format = DataFormat::channels_last;
};

/// Enlarges each spatial axis by an integer factor.
/// Keras: keras.layers.UpSampling1D / UpSampling2D / UpSampling3D.
/// Shapes: channels_last (batch, d1..dN, channels) -> (batch, d1*s1, .., dN*sN, channels);
/// channels_first (batch, channels, d1..dN) -> (batch, channels, d1*s1, .., dN*sN).
/// nearest: y[.., i, ..] = x[.., floor(i / s), ..] (exact repetition); bilinear (2-D only):
/// TensorFlow's resize_bilinear in the chosen mapping with its float32 evaluation order
/// (bit-identical to TensorFlow for float). No weights.
/// Throws invalid_options from the constructor (size < 1, bad data_format, interpolation or
/// bilinear_mapping) and shape_mismatch from calls (an empty input axis, an output view of the
/// wrong shape).
template <typename Scalar, int N>
class UpSampling : public detail::LayerCalls<UpSampling<Scalar, N>, Scalar, N + 2> {
  static_assert(N >= 1 && N <= 3, "ktl::UpSampling<Scalar, N>: N is the spatial rank; use 1, 2 or 3");
  static_assert(std::is_floating_point_v<Scalar>, "ktl::UpSampling<Scalar, N>: Scalar must be float or double");

 public:
  /// operator()(x), operator()(x, pool), forward(x, y), forward for any accepted x and y,
  /// compute_output_shape and output_shape for arrays and braced lists come from LayerCalls.
  using Calls = detail::LayerCalls<UpSampling<Scalar, N>, Scalar, N + 2>;
  using Calls::forward;
  using Calls::output_shape;
  using Calls::compute_output_shape;
  static constexpr int rank = N + 2;
  using Options = UpSamplingOptions<N>;
  /// Keras class name (messages, configs): "UpSampling1D", "UpSampling2D" or "UpSampling3D".
  static constexpr std::string_view class_name() noexcept {
    return detail::resize_layer_name("UpSampling", N);
  }

  /// Validates the options: every size >= 1, known enumerator values.
  explicit UpSampling(Options options = Options{}) : options_(options) {
    shape::check_min<N>(class_name(), "size", options_.size, 1);
    shape::check_data_format(class_name(), format());
    if constexpr (N == 2) {
      shape::check_enum<Interpolation, 2>(class_name(), "interpolation", options_.interpolation,
                                          {Interpolation::nearest, Interpolation::bilinear});
      shape::check_enum<BilinearMapping, 2>(class_name(), "bilinear_mapping", options_.bilinear_mapping,
                                            {BilinearMapping::legacy, BilinearMapping::half_pixel});
    }
  }

  /// Output shape for an input shape. Throws shape_mismatch when an input axis is empty or an
  /// up-sampled length or the output's element count would exceed Index.
  Dims<rank> output_shape(const Dims<rank>& input) const {
    const DataFormat f = format();
    shape::check_non_empty<rank>(class_name(), input, f);
    return shape::upsampling_output_shape<N>(input, f, options_.size, class_name());
  }

  /// Writes the result into caller memory `y` (exactly the output shape, else shape_mismatch).
  /// Nearest allocates nothing; bilinear keeps its coordinate tables in `workspace`, and for
  /// channels_first images of up to 65536 interpolated values one image per thread (allocates
  /// nothing once it is big enough).
  void forward(ConstView<Scalar, rank> x, TensorView<Scalar, rank> y, Workspace& workspace,
               const ThreadPool& pool) const {
    const Dims<rank> in = dims_of(x);
    const auto [p, q] = detail::checked_planes<N>(class_name(), in, output_shape(in), dims_of(y), format());
    if constexpr (N == 2) {
      if (options_.interpolation == Interpolation::bilinear) {
        kernels::upsample_bilinear<Scalar>(x.data(), y.data(), p.batch, p.spatial[0], p.spatial[1],
                                           p.channels, q.spatial[0], q.spatial[1],
                                           options_.bilinear_mapping == BilinearMapping::half_pixel,
                                           workspace, pool);
        return;
      }
    }
    (void)workspace;
    kernels::upsample_nearest<Scalar, N>(x.data(), y.data(), p.batch, p.spatial, p.channels,
                                         options_.size.values, pool);
  }

  const Options& options() const noexcept { return options_; }

 private:
  DataFormat format() const { return detail::data_format_of(options_); }
  Options options_;
};

using UpSampling1D = UpSampling<float, 1>;
using UpSampling2D = UpSampling<float, 2>;
using UpSampling3D = UpSampling<float, 3>;
using UpSampling1DOptions = UpSamplingOptions<1>;
using UpSampling2DOptions = UpSamplingOptions<2>;
using UpSampling3DOptions = UpSamplingOptions<3>;

}  // namespace ktl
