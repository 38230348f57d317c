// Cropping2D called with a rank-3 tensor.
// expect: Cropping2D takes rank-4 tensors (batch, rows, cols, channels) or (batch, channels, rows, cols)
#include <ktl/layers/cropping.hpp>

#ifndef KTL_CONTROL
using Input = ktl::Tensor<float, 3>;
#else
using Input = ktl::Tensor<float, 4>;
#endif

ktl::Tensor<float, 4> run(const ktl::Cropping2D& crop, const Input& x) { return crop(x); }
