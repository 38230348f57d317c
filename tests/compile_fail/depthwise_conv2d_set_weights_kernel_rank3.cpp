// A rank-3 depthwise kernel given to DepthwiseConv2D::set_weights.
// expect: DepthwiseConv2D's weights are depthwise_kernel (kernel_rows, kernel_cols, channels, depth_multiplier), a rank-4 tensor
#include <ktl/layers/depthwise_conv.hpp>

#ifndef KTL_CONTROL
using Kernel = ktl::Tensor<float, 3>;
#else
using Kernel = ktl::Tensor<float, 4>;
#endif

void replace(ktl::DepthwiseConv2D& layer, const Kernel& kernel, const ktl::Tensor<float, 1>& bias) {
  layer.set_weights(kernel, bias);
}
