// ZeroPadding1D called with a rank-4 tensor (its own rank is 3: (batch, steps, features)).
// expect: ZeroPadding1D takes rank-3 tensors (batch, steps, features)
#include <ktl/layers/zero_padding.hpp>

#ifndef KTL_CONTROL
using Input = ktl::Tensor<float, 4>;
#else
using Input = ktl::Tensor<float, 3>;
#endif

ktl::Tensor<float, 3> run(const ktl::ZeroPadding1D& pad, const Input& x) { return pad(x); }
