// forward into a const tensor (the same check for every layer; Cropping2D compiles fastest).
// expect: forward writes its result into y: pass a non-const ktl::Tensor lvalue or a ktl::TensorView
#include <ktl/layers/cropping.hpp>

#ifndef KTL_CONTROL
using Output = const ktl::Tensor<float, 4>;
#else
using Output = ktl::Tensor<float, 4>;
#endif

void run(const ktl::Cropping2D& crop, const ktl::Tensor<float, 4>& x, Output& y) { crop.forward(x, y); }
