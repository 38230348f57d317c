// Conv2D::forward(x, y, workspace, pool) with a rank-5 input.
// expect: Conv2D takes rank-4 tensors (batch, rows, cols, channels) or (batch, channels, rows, cols)
#include <ktl/layers/conv.hpp>

#ifndef KTL_CONTROL
using Input = ktl::Tensor<float, 5>;
#else
using Input = ktl::Tensor<float, 4>;
#endif

void run(const ktl::Conv2D& conv, const Input& x, ktl::Tensor<float, 4>& y, ktl::Workspace& ws,
         const ktl::ThreadPool& pool) {
  conv.forward(x, y, ws, pool);
}
