// Whole-shape helpers of shape/conv_shape.hpp and shape/resize_shape.hpp, both data formats, 1 to
// 3 spatial axes (docs/semantics.md §1, §3.1, §3.6, §4.9-§4.12): static_asserts on the §12 worked
// shapes, then generated cases checked against shapes assembled element by element from the
// brute-force per-axis definitions of brute_force.hpp.
#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <ktl/shape/conv_shape.hpp>
#include <ktl/shape/resize_shape.hpp>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "brute_force.hpp"

namespace {

using ktl::DataFormat;
using ktl::Dims;
using ktl::Extent;
using ktl::Index;
using ktl::Padding;
using ktl::PadPairs;
using ktl::Pair;
namespace shape = ktl::shape;
using namespace ktl_test_shape;  // NOLINT(google-build-using-namespace): test-only helpers

/// Spatial extents of a rank-N layer (std::array wants a std::size_t extent).
template <int N>
using Spatial = std::array<Index, static_cast<std::size_t>(N)>;

constexpr DataFormat last = DataFormat::channels_last;
constexpr DataFormat first = DataFormat::channels_first;

// ---------------------------------------------------------------------------------------------
// Compile time.

// §1: axes of both formats.
static_assert(shape::spatial_axis(last, 4, 0) == 1 && shape::spatial_axis(last, 4, 1) == 2);
static_assert(shape::spatial_axis(first, 4, 0) == 2 && shape::spatial_axis(first, 4, 1) == 3);
static_assert(shape::channel_axis(last, 5) == 4 && shape::channel_axis(first, 5) == 1);
static_assert(shape::make_shape<2>(last, 2, {5, 7}, 3) == Dims<4>{2, 5, 7, 3});
static_assert(shape::make_shape<2>(first, 2, {5, 7}, 3) == Dims<4>{2, 3, 5, 7});
static_assert(shape::spatial_dims<2>(Dims<4>{2, 3, 5, 7}, first) == std::array<Index, 2>{5, 7});
static_assert(shape::channels_of(Dims<4>{2, 5, 7, 3}, last) == 3);
static_assert(shape::channels_of(Dims<3>{2, 3, 9}, first) == 3);
static_assert(shape::to_channels_first(Dims<4>{2, 5, 7, 3}) == Dims<4>{2, 3, 5, 7});
static_assert(shape::to_channels_last(Dims<5>{2, 3, 4, 5, 6}) == Dims<5>{2, 4, 5, 6, 3});

// §12.5: Conv2DTranspose, 2x2 input, 3x3 kernel, strides 2, one filter.
constexpr Dims<4> x2x2{1, 2, 2, 1};
static_assert(shape::conv_transpose_output_shape<2>(x2x2, last, 3, 2, 1, Padding::valid,
                                                    std::nullopt, 1) == Dims<4>{1, 5, 5, 1});
static_assert(shape::conv_transpose_output_shape<2>(x2x2, last, 3, 2, 1, Padding::same,
                                                    std::nullopt, 1) == Dims<4>{1, 4, 4, 1});
static_assert(shape::conv_transpose_output_shape<2>(x2x2, last, 3, 2, 1, Padding::same,
                                                    Extent<2>{1, 1}, 1) == Dims<4>{1, 4, 4, 1});
static_assert(shape::conv_transpose_output_shape<2>(x2x2, last, 3, 2, 1, Padding::same,
                                                    Extent<2>{0, 0}, 1) == Dims<4>{1, 3, 3, 1});
static_assert(shape::conv_transpose_output_shape<2>(Dims<4>{1, 4, 2, 2}, first, 3, 2, 1,
                                                    Padding::same, Extent<2>{0, 1},
                                                    6) == Dims<4>{1, 6, 3, 4});
// A forward Conv2D shape and a network stem checked at compile time (ResNet-50 conv1: 7x7/2 same).
static_assert(shape::conv_output_shape<2>(Dims<4>{1, 5, 5, 3}, last, 3, 2, 1, Padding::same, 8) ==
              Dims<4>{1, 3, 3, 8});
static_assert(shape::conv_output_shape<2>(Dims<4>{8, 3, 224, 224}, first, 7, 2, 1, Padding::same,
                                          64) == Dims<4>{8, 64, 112, 112});
static_assert(shape::conv_output_shape<3>(Dims<5>{1, 9, 9, 9, 2}, last, Extent<3>{3, 1, 3}, 1,
                                          Extent<3>{2, 1, 1}, Padding::valid,
                                          4) == Dims<5>{1, 5, 9, 7, 4});
static_assert(shape::conv_output_shape<1>(Dims<3>{1, 5, 1}, last, 2, 2, 1, Padding::causal, 1) ==
              Dims<3>{1, 3, 1});
static_assert(shape::conv_macs<2>(Dims<4>{1, 3, 3, 8}, 3, 4) == 1.0 * 9 * 8 * 9 * 4);
static_assert(shape::conv_macs<2>(Dims<4>{1, 3, 3, 8}, 3, 4, 2) == 1.0 * 9 * 8 * 9 * 2);

// §12.8 and §12.9 (plus §4.9-§4.12 length rules).
static_assert(shape::upsample_length(3, 2) == 6);
static_assert(shape::upsampling_output_shape<2>(Dims<4>{1, 2, 2, 1}, last, Extent<2>{2, 3}) ==
              Dims<4>{1, 4, 6, 1});
static_assert(shape::upsampling_output_shape<2>(Dims<4>{1, 1, 2, 2}, first, Extent<2>{2, 3}) ==
              Dims<4>{1, 1, 4, 6});
static_assert(shape::crop_length(5, Pair{1, 2}) == 2);
static_assert(shape::pad_length(5, Pair{2, 1}) == 8);
static_assert(shape::cropping_output_shape<1>(Dims<3>{1, 5, 1}, last, PadPairs<1>{1, 2}) ==
              Dims<3>{1, 2, 1});
static_assert(shape::zero_padding_output_shape<1>(Dims<3>{1, 5, 1}, last, PadPairs<1>{2, 1}) ==
              Dims<3>{1, 8, 1});
static_assert(shape::cropping_output_shape<2>(Dims<4>{1, 2, 2, 1}, last,
                                              PadPairs<2>{Pair{0, 1}, Pair{1, 0}}) ==
              Dims<4>{1, 1, 1, 1});
static_assert(shape::cropping_output_shape<2>(Dims<4>{1, 4, 4, 3}, last,
                                              PadPairs<2>{Pair{1, 1}, Pair{0, 2}}) ==
              Dims<4>{1, 2, 2, 3});
static_assert(shape::zero_padding_output_shape<2>(Dims<4>{1, 4, 4, 3}, last, 1) ==
              Dims<4>{1, 6, 6, 3});
static_assert(shape::zero_padding_output_shape<3>(Dims<5>{2, 3, 4, 5, 6}, first,
                                                  PadPairs<3>{1, Pair{0, 2}, Pair{3, 0}}) ==
              Dims<5>{2, 3, 6, 7, 9});

// ---------------------------------------------------------------------------------------------
// Generated cases.

/// Deterministic generator (64-bit LCG, high bits): the same cases on every platform.
class Lcg {
 public:
  explicit Lcg(std::uint64_t seed) : state_(seed) {}
  /// Uniform-ish integer in [lo, hi].
  Index in(Index lo, Index hi) {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return lo + static_cast<Index>((state_ >> 33) % static_cast<std::uint64_t>(hi - lo + 1));
  }

 private:
  std::uint64_t state_;
};

/// A shape written out element by element in the format's logical order.
template <int N>
Dims<N + 2> assemble(DataFormat f, Index batch, const Spatial<N>& spatial, Index channels) {
  std::vector<Index> order{batch};
  if (f == first) order.push_back(channels);
  for (Index v : spatial) order.push_back(v);
  if (f == last) order.push_back(channels);
  Dims<N + 2> d{};
  for (std::size_t i = 0; i < d.size(); ++i) d[i] = order[i];
  return d;
}

template <std::size_t R>
std::string str(const std::array<Index, R>& d) {
  std::ostringstream os;
  os << '(';
  for (std::size_t i = 0; i < R; ++i) os << (i ? ", " : "") << d[i];
  os << ')';
  return os.str();
}

const char* format_name(DataFormat f) { return f == last ? "channels_last" : "channels_first"; }

struct ShapeFamily {
  int spatial_rank;
  DataFormat format;
};

std::ostream& operator<<(std::ostream& os, const ShapeFamily& f) {
  return os << f.spatial_rank << "-D " << format_name(f.format);
}

std::string shape_family_name(const testing::TestParamInfo<ShapeFamily>& family) {
  return std::to_string(family.param.spatial_rank) + "d_" + format_name(family.param.format);
}

constexpr int cases_per_family = 150;

/// make_shape / spatial_dims / channels_of / format mapping / conv and transposed conv shapes.
template <int N>
void check_conv_shapes(DataFormat f, std::uint64_t seed) {
  Lcg rng(seed);
  for (int c = 0; c < cases_per_family; ++c) {
    const Index batch = rng.in(1, 3);
    const Index channels = rng.in(1, 5);
    const Index filters = rng.in(1, 6);
    Spatial<N> spatial{};
    Extent<N> kernel, strides, dilation, op;
    for (int a = 0; a < N; ++a) {
      spatial[static_cast<std::size_t>(a)] = rng.in(1, 12);
      kernel[a] = rng.in(1, 4);
      strides[a] = rng.in(1, 3);
      dilation[a] = rng.in(1, 2);
      op[a] = rng.in(0, strides[a] - 1);
    }
    const Padding p =
        N == 1 ? static_cast<Padding>(rng.in(0, 2)) : static_cast<Padding>(rng.in(0, 1));
    const Padding tp = static_cast<Padding>(rng.in(0, 1));  // transposed: valid or same
    const bool with_op = rng.in(0, 1) == 1;

    const Dims<N + 2> x = shape::make_shape<N>(f, batch, spatial, channels);
    std::ostringstream row;
    row << "case " << c << ": input " << str(x) << " " << format_name(f) << " kernel " << kernel
        << " strides " << strides << " dilation " << dilation << " " << mode_name(p)
        << " / transposed " << mode_name(tp) << (with_op ? " output_padding " : "");
    if (with_op) row << op;
    SCOPED_TRACE(row.str());

    // Layout helpers.
    ASSERT_EQ(x, assemble<N>(f, batch, spatial, channels));
    ASSERT_EQ((shape::spatial_dims<N>(x, f)), spatial);
    ASSERT_EQ(shape::channels_of(x, f), channels);
    ASSERT_EQ(x[static_cast<std::size_t>(shape::channel_axis(f, N + 2))], channels);
    for (int a = 0; a < N; ++a)
      ASSERT_EQ(x[static_cast<std::size_t>(shape::spatial_axis(f, N + 2, a))],
                spatial[static_cast<std::size_t>(a)]);
    const Dims<N + 2> as_last = shape::make_shape<N>(last, batch, spatial, channels);
    const Dims<N + 2> as_first = shape::make_shape<N>(first, batch, spatial, channels);
    ASSERT_EQ(shape::to_channels_first(as_last), as_first);
    ASSERT_EQ(shape::to_channels_last(as_first), as_last);
    ASSERT_EQ(shape::to_channels_last(shape::to_channels_first(x)), x);
    ASSERT_EQ(shape::to_channels_first(shape::to_channels_last(x)), x);

    // Forward convolution.
    Spatial<N> fwd{};
    for (std::size_t a = 0; a < static_cast<std::size_t>(N); ++a)
      fwd[a] = bf_conv_len(spatial[a], kernel.values[a], strides.values[a], dilation.values[a], p);
    ASSERT_EQ((shape::conv_output_shape<N>(x, f, kernel, strides, dilation, p, filters)),
              assemble<N>(f, batch, fwd, filters));

    // Transposed convolution.
    Spatial<N> back{};
    for (std::size_t a = 0; a < static_cast<std::size_t>(N); ++a)
      back[a] = bf_tconv_len(spatial[a], kernel.values[a], strides.values[a], dilation.values[a],
                             tp, with_op ? std::optional<Index>(op.values[a]) : std::nullopt);
    const std::optional<Extent<N>> output_padding =
        with_op ? std::optional<Extent<N>>(op) : std::nullopt;
    ASSERT_EQ((shape::conv_transpose_output_shape<N>(x, f, kernel, strides, dilation, tp,
                                                     output_padding, filters)),
              assemble<N>(f, batch, back, filters));
  }
}

/// Cropping / zero padding / up-sampling shapes.
template <int N>
void check_resize_shapes(DataFormat f, std::uint64_t seed) {
  Lcg rng(seed);
  for (int c = 0; c < cases_per_family; ++c) {
    const Index batch = rng.in(1, 3);
    const Index channels = rng.in(1, 5);
    Spatial<N> spatial{};
    PadPairs<N> crop, pad;
    Extent<N> size;
    for (int a = 0; a < N; ++a) {
      const Index len = rng.in(1, 12);
      spatial[static_cast<std::size_t>(a)] = len;
      const Index crop_before = rng.in(0, len - 1);  // leave at least one element
      crop[a] = Pair{crop_before, rng.in(0, len - 1 - crop_before)};
      pad[a] = Pair{rng.in(0, 4), rng.in(0, 4)};
      size[a] = rng.in(1, 4);
    }
    const Dims<N + 2> x = shape::make_shape<N>(f, batch, spatial, channels);
    std::ostringstream row;
    row << "case " << c << ": input " << str(x) << " " << format_name(f) << " cropping " << crop
        << " padding " << pad << " size " << size;
    SCOPED_TRACE(row.str());

    Spatial<N> cropped{}, padded{}, upsampled{};
    for (std::size_t a = 0; a < static_cast<std::size_t>(N); ++a) {
      cropped[a] = bf_crop_len(spatial[a], crop.values[a].before, crop.values[a].after);
      padded[a] = bf_pad_len(spatial[a], pad.values[a].before, pad.values[a].after);
      upsampled[a] = bf_upsample_len(spatial[a], size.values[a]);
      ASSERT_GE(cropped[a], 1);
    }
    ASSERT_EQ((shape::cropping_output_shape<N>(x, f, crop)),
              assemble<N>(f, batch, cropped, channels));
    ASSERT_EQ((shape::zero_padding_output_shape<N>(x, f, pad)),
              assemble<N>(f, batch, padded, channels));
    ASSERT_EQ((shape::upsampling_output_shape<N>(x, f, size)),
              assemble<N>(f, batch, upsampled, channels));
    // ZeroPadding then Cropping by the same amounts gives the input shape back (§3.9 property).
    ASSERT_EQ(
        (shape::cropping_output_shape<N>(shape::zero_padding_output_shape<N>(x, f, pad), f, pad)),
        x);
  }
}

class FullShape : public testing::TestWithParam<ShapeFamily> {};

TEST_P(FullShape, LayoutAndConvShapesMatchAssembledShapes) {
  const ShapeFamily family = GetParam();
  const auto seed = static_cast<std::uint64_t>(17 * family.spatial_rank + (family.format == first));
  switch (family.spatial_rank) {
    case 1:
      check_conv_shapes<1>(family.format, seed);
      break;
    case 2:
      check_conv_shapes<2>(family.format, seed);
      break;
    case 3:
      check_conv_shapes<3>(family.format, seed);
      break;
    default:
      FAIL() << "spatial rank " << family.spatial_rank;
  }
  RecordProperty("cases", cases_per_family);
}

TEST_P(FullShape, ResizeShapesMatchAssembledShapes) {
  const ShapeFamily family = GetParam();
  const auto seed = static_cast<std::uint64_t>(31 * family.spatial_rank + (family.format == first));
  switch (family.spatial_rank) {
    case 1:
      check_resize_shapes<1>(family.format, seed);
      break;
    case 2:
      check_resize_shapes<2>(family.format, seed);
      break;
    case 3:
      check_resize_shapes<3>(family.format, seed);
      break;
    default:
      FAIL() << "spatial rank " << family.spatial_rank;
  }
  RecordProperty("cases", cases_per_family);
}

INSTANTIATE_TEST_SUITE_P(, FullShape,
                         testing::Values(ShapeFamily{1, last}, ShapeFamily{1, first},
                                         ShapeFamily{2, last}, ShapeFamily{2, first},
                                         ShapeFamily{3, last}, ShapeFamily{3, first}),
                         shape_family_name);

// Per-axis resize lengths (Appendix A crop_len / pad_len / upsample_len) over a full table.
TEST(ResizeLength, CropPadUpsampleMatchConstruction) {
  int cases = 0;
  for (Index L = 1; L <= 30; ++L) {
    for (Index a = 0; a <= 6; ++a)
      for (Index b = 0; b <= 6; ++b) {
        const std::string row =
            "L=" + std::to_string(L) + " a=" + std::to_string(a) + " b=" + std::to_string(b);
        if (a + b < L) {  // the cropping Keras 3 accepts
          ++cases;
          ASSERT_EQ(shape::crop_length(L, Pair{a, b}), bf_crop_len(L, a, b)) << row;
        }
        ++cases;
        ASSERT_EQ(shape::pad_length(L, Pair{a, b}), bf_pad_len(L, a, b)) << row;
        ASSERT_EQ(shape::pad_length(L, Pair{a}), bf_pad_len(L, a, a)) << row << " (int form)";
      }
    for (Index f = 1; f <= 6; ++f, ++cases)
      ASSERT_EQ(shape::upsample_length(L, f), bf_upsample_len(L, f)) << "L=" << L << " size=" << f;
  }
  RecordProperty("cases", cases);
}

}  // namespace
