// Conv2D::output_shape of a shape with three extents (before, the missing one became 0).
// expect: Conv2D takes rank-4 tensors (batch, rows, cols, channels) or (batch, channels, rows, cols)
#include <ktl/layers/conv.hpp>

ktl::Dims<4> run(const ktl::Conv2D& conv) {
#ifndef KTL_CONTROL
  return conv.output_shape({1, 64, 64});
#else
  return conv.output_shape({1, 64, 64, 16});
#endif
}
