// Conv2D called with a rank-3 tensor (an image without its batch axis). Before, Eigen's implicit
// rank-converting constructor built a temporary rank-4 tensor and the call read out of bounds.
// expect: Conv2D takes rank-4 tensors (batch, rows, cols, channels) or (batch, channels, rows, cols)
#include <ktl/layers/conv.hpp>

#ifndef KTL_CONTROL
using Input = ktl::Tensor<float, 3>;
#else
using Input = ktl::Tensor<float, 4>;
#endif

ktl::Tensor<float, 4> run(const ktl::Conv2D& conv, const Input& x) { return conv(x); }
