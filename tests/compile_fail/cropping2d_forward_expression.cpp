// forward of an unevaluated Eigen expression (layer(expression) accepts one; the same check for
// every layer, Cropping2D compiles fastest).
// expect: forward reads x and writes y in place, so both must be memory
#include <ktl/layers/cropping.hpp>

void run(const ktl::Cropping2D& crop, const ktl::Tensor<float, 4>& x, ktl::Tensor<float, 4>& y) {
#ifndef KTL_CONTROL
  crop.forward(x * 2.0f, y);
#else
  crop.forward(x, y);
#endif
}
