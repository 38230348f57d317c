// Conv2D::forward(x, y) with a rank-3 input.
// expect: Conv2D takes rank-4 tensors (batch, rows, cols, channels) or (batch, channels, rows, cols)
#include <ktl/layers/conv.hpp>

#ifndef KTL_CONTROL
using Input = ktl::Tensor<float, 3>;
#else
using Input = ktl::Tensor<float, 4>;
#endif

void run(const ktl::Conv2D& conv, const Input& x, ktl::Tensor<float, 4>& y) { conv.forward(x, y); }
