// The float Conv2D called with a double tensor.
// expect: this layer holds float (ktl::Conv2D and the other aliases are float layers), so its tensors and weights must be float: for double tensors use the layer template with double, e.g. ktl::Conv<double, 2>
#include <ktl/layers/conv.hpp>

#ifndef KTL_CONTROL
using Input = ktl::Tensor<double, 4>;
#else
using Input = ktl::Tensor<float, 4>;
#endif

ktl::Tensor<float, 4> run(const ktl::Conv2D& conv, const Input& x) { return conv(x); }
