// UpSampling3D called with a rank-3 tensor.
// expect: UpSampling3D takes rank-5 tensors (batch, dim1, dim2, dim3, channels) or (batch, channels, dim1, dim2, dim3)
#include <ktl/layers/up_sampling.hpp>

#ifndef KTL_CONTROL
using Input = ktl::Tensor<float, 3>;
#else
using Input = ktl::Tensor<float, 5>;
#endif

ktl::Tensor<float, 5> run(const ktl::UpSampling3D& up, const Input& x) { return up(x); }
