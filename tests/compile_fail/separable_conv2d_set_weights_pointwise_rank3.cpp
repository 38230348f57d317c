// A rank-3 pointwise kernel (the 1x1 axes left out) given to SeparableConv2D::set_weights.
// expect: SeparableConv2D's weights are depthwise_kernel (kernel_rows, kernel_cols, channels, depth_multiplier) and pointwise_kernel (1, 1, channels * depth_multiplier, filters), rank-4 tensors
#include <ktl/layers/separable_conv.hpp>

#ifndef KTL_CONTROL
using Pointwise = ktl::Tensor<float, 3>;
#else
using Pointwise = ktl::Tensor<float, 4>;
#endif

void replace(ktl::SeparableConv2D& layer, const ktl::Tensor<float, 4>& depthwise,
             const Pointwise& pointwise, const ktl::Tensor<float, 1>& bias) {
  layer.set_weights(depthwise, pointwise, bias);
}
