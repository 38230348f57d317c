// A rank-5 kernel given to the Conv2DTranspose constructor.
// expect: Conv2DTranspose's weights are kernel (kernel_rows, kernel_cols, filters, channels), a rank-4 tensor
#include <ktl/layers/conv_transpose.hpp>

#ifndef KTL_CONTROL
using Kernel = ktl::Tensor<float, 5>;
#else
using Kernel = ktl::Tensor<float, 4>;
#endif

ktl::Conv2DTranspose make(const Kernel& kernel, const ktl::Tensor<float, 1>& bias) {
  return ktl::Conv2DTranspose({.filters = 8, .kernel_size = 3}, kernel, bias);
}
