// Conv1D called with a rank-4 tensor (an image).
// expect: Conv1D takes rank-3 tensors (batch, steps, channels) or (batch, channels, steps)
#include <ktl/layers/conv.hpp>

#ifndef KTL_CONTROL
using Input = ktl::Tensor<float, 4>;
#else
using Input = ktl::Tensor<float, 3>;
#endif

ktl::Tensor<float, 3> run(const ktl::Conv1D& conv, const Input& x) { return conv(x); }
