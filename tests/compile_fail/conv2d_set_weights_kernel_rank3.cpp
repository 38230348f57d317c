// A rank-3 kernel given to Conv2D::set_weights (moved in, as the by-value signature invites).
// expect: Conv2D's weights are kernel (kernel_rows, kernel_cols, channels / groups, filters), a rank-4 tensor
#include <utility>

#include <ktl/layers/conv.hpp>

#ifndef KTL_CONTROL
using Kernel = ktl::Tensor<float, 3>;
#else
using Kernel = ktl::Tensor<float, 4>;
#endif

void replace(ktl::Conv2D& conv, Kernel kernel, ktl::Tensor<float, 1> bias) {
  conv.set_weights(std::move(kernel), std::move(bias));
}
