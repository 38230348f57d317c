// Real-network shapes measured by the benchmarks (channels_last extents; the benchmarks run each
// in both data formats). The layer issues fixed these tables; keep names stable, they appear in
// the closing notes and in comparisons over time.
#pragma once

#include <array>
#include <string_view>

#include <ktl/core/tensor.hpp>

namespace ktl::bench {

/// A forward or transposed convolution case. Spatial extents have up to 3 entries (unused: 1).
struct ConvShape {
  std::string_view name;
  std::string_view layer;  // Keras class name
  int rank;                // spatial rank
  Index batch;
  std::array<Index, 3> input;  // spatial extents
  Index channels;
  Index filters;               // output channels, or depth_multiplier for DepthwiseConv2D
  std::array<Index, 3> kernel;
  Index stride;
  Index dilation;
  std::string_view padding;    // "valid", "same", "causal"
};

/// Convolution family (issue 3): VGG/ResNet 3x3, ResNet-50 stem 7x7/2, 1x1 pointwise,
/// MobileNet depthwise, separable, WaveNet causal dilated 1-D, 3D U-Net.
inline constexpr std::array<ConvShape, 9> conv_shapes{{
    {"c2d_3x3", "Conv2D", 2, 1, {56, 56, 1}, 64, 64, {3, 3, 1}, 1, 1, "same"},
    {"c2d_3x3_s2", "Conv2D", 2, 1, {112, 112, 1}, 32, 64, {3, 3, 1}, 2, 1, "same"},
    {"c2d_1x1", "Conv2D", 2, 1, {28, 28, 1}, 256, 512, {1, 1, 1}, 1, 1, "valid"},
    {"c2d_7x7_s2", "Conv2D", 2, 1, {224, 224, 1}, 3, 64, {7, 7, 1}, 2, 1, "same"},
    {"c2d_3x3_b8", "Conv2D", 2, 8, {28, 28, 1}, 128, 128, {3, 3, 1}, 1, 1, "same"},
    {"dw_3x3", "DepthwiseConv2D", 2, 1, {112, 112, 1}, 64, 1, {3, 3, 1}, 1, 1, "same"},
    {"sep_3x3", "SeparableConv2D", 2, 1, {56, 56, 1}, 128, 128, {3, 3, 1}, 1, 1, "same"},
    {"c1d_causal", "Conv1D", 1, 8, {1024, 1, 1}, 64, 64, {3, 1, 1}, 1, 4, "causal"},
    {"c3d_3x3x3", "Conv3D", 3, 1, {16, 56, 56}, 32, 32, {3, 3, 3}, 1, 1, "same"},
}};

/// Transposed convolutions (issue 4): DCGAN / U-Net decoder 4x4/2, 3D decoder 3x3x3/2.
inline constexpr std::array<ConvShape, 2> conv_transpose_shapes{{
    {"c2dT_4x4_s2", "Conv2DTranspose", 2, 1, {28, 28, 1}, 128, 64, {4, 4, 1}, 2, 1, "same"},
    {"c3dT_3_s2", "Conv3DTranspose", 3, 1, {8, 28, 28}, 64, 32, {3, 3, 3}, 2, 1, "same"},
}};

/// Reshaping layers (issue 5): amount is the size, padding or cropping on every spatial axis.
struct ResizeShape {
  std::string_view name;
  std::string_view layer;
  int rank;
  Index batch;
  std::array<Index, 3> input;
  Index channels;
  Index amount;
};

inline constexpr std::array<ResizeShape, 9> resize_shapes{{
    {"up_nearest_x2_s", "UpSampling2D nearest", 2, 1, {56, 56, 1}, 128, 2},
    {"up_nearest_x2_l", "UpSampling2D nearest", 2, 8, {112, 112, 1}, 64, 2},
    {"up_bilinear_x2_s", "UpSampling2D bilinear", 2, 1, {56, 56, 1}, 128, 2},
    {"up_bilinear_x2_l", "UpSampling2D bilinear", 2, 8, {112, 112, 1}, 64, 2},
    {"zeropad_1_s", "ZeroPadding2D", 2, 1, {56, 56, 1}, 128, 1},
    {"zeropad_1_l", "ZeroPadding2D", 2, 8, {112, 112, 1}, 64, 1},
    {"crop_2_s", "Cropping2D", 2, 1, {56, 56, 1}, 128, 2},
    {"crop_2_l", "Cropping2D", 2, 8, {112, 112, 1}, 64, 2},
    {"up3d_x2", "UpSampling3D", 3, 1, {16, 28, 28}, 32, 2},
}};

}  // namespace ktl::bench
