// A layer called with a ColMajor Eigen::Tensor (Eigen's default layout; the same check for every
// layer, Cropping2D compiles fastest). Before, Eigen stopped with YOU_MADE_A_PROGRAMMING_MISTAKE.
// expect: ktl tensors are row-major (C order, as Keras and NumPy store them) and this one is ColMajor
#include <ktl/layers/cropping.hpp>

#ifndef KTL_CONTROL
using Input = Eigen::Tensor<float, 4>;
#else
using Input = Eigen::Tensor<float, 4, Eigen::RowMajor>;
#endif

ktl::Tensor<float, 4> run(const ktl::Cropping2D& crop, const Input& x) { return crop(x); }
