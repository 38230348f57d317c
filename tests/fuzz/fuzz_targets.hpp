// The runners of the layer fuzz target, one per group of layer families (each in its own
// translation unit, so the two compile in parallel).
#pragma once

#include "fuzz_common.hpp"

namespace ktl_fuzz {

/// Conv1D/2D/3D, DepthwiseConv1D/2D, SeparableConv1D/2D (fuzz_conv.cpp).
void fuzz_forward_conv(Input& in);
/// Conv1D/2D/3DTranspose (fuzz_main.cpp).
void fuzz_transposed(Input& in);
/// Cropping, ZeroPadding, UpSampling (nearest, bilinear), 1D to 3D (fuzz_main.cpp).
void fuzz_reshaping(Input& in);

}  // namespace ktl_fuzz
