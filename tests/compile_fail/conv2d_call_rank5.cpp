// Conv2D called on a given pool with a rank-5 tensor.
// expect: Conv2D takes rank-4 tensors (batch, rows, cols, channels) or (batch, channels, rows, cols)
#include <ktl/layers/conv.hpp>

#ifndef KTL_CONTROL
using Input = ktl::Tensor<float, 5>;
#else
using Input = ktl::Tensor<float, 4>;
#endif

ktl::Tensor<float, 4> run(const ktl::Conv2D& conv, const Input& x, const ktl::ThreadPool& pool) {
  return conv(x, pool);
}
