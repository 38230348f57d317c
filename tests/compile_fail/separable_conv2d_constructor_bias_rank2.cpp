// A rank-2 bias given to the SeparableConv2D constructor.
// expect: SeparableConv2D's weights are depthwise_kernel (kernel_rows, kernel_cols, channels, depth_multiplier) and pointwise_kernel (1, 1, channels * depth_multiplier, filters), rank-4 tensors, and bias (filters), a rank-1 tensor
#include <ktl/layers/separable_conv.hpp>

#ifndef KTL_CONTROL
using Bias = ktl::Tensor<float, 2>;
#else
using Bias = ktl::Tensor<float, 1>;
#endif

ktl::SeparableConv2D make(const ktl::Tensor<float, 4>& depthwise, const ktl::Tensor<float, 4>& pointwise,
                          const Bias& bias) {
  return ktl::SeparableConv2D({.filters = 8, .kernel_size = 3}, depthwise, pointwise, bias);
}
