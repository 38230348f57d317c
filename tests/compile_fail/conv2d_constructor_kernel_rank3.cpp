// A rank-3 kernel given to the Conv2D constructor.
// expect: Conv2D's weights are kernel (kernel_rows, kernel_cols, channels / groups, filters), a rank-4 tensor
#include <ktl/layers/conv.hpp>

#ifndef KTL_CONTROL
using Kernel = ktl::Tensor<float, 3>;
#else
using Kernel = ktl::Tensor<float, 4>;
#endif

ktl::Conv2D make(const Kernel& kernel, const ktl::Tensor<float, 1>& bias) {
  return ktl::Conv2D({.filters = 8, .kernel_size = 3}, kernel, bias);
}
