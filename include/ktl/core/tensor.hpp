// Tensor aliases: the only header of ktl that includes Eigen. Every ktl tensor is row-major
// (C order, batch first), the memory order of Keras and NumPy, so weights and activations copy
// over byte for byte.
#pragma once

#include <array>
#include <cstddef>

#include <Eigen/Core>
#include <unsupported/Eigen/CXX11/Tensor>
#include <unsupported/Eigen/CXX11/ThreadPool>

namespace ktl {

/// Signed index type of every extent and offset (Eigen::Index, i.e. std::ptrdiff_t).
using Index = Eigen::Index;

/// Owning tensor of rank R in row-major order: index 0 is the batch.
template <typename Scalar, int R>
using Tensor = Eigen::Tensor<Scalar, R, Eigen::RowMajor>;

/// Mutable non-owning view of caller memory (row-major, contiguous).
template <typename Scalar, int R>
using TensorView = Eigen::TensorMap<Eigen::Tensor<Scalar, R, Eigen::RowMajor>>;

/// Read-only non-owning view of caller memory (row-major, contiguous).
template <typename Scalar, int R>
using ConstView = Eigen::TensorMap<const Eigen::Tensor<Scalar, R, Eigen::RowMajor>>;

/// Extents of a rank-R tensor, in logical (row-major) order.
template <int R>
using Dims = std::array<Index, static_cast<std::size_t>(R)>;

/// Read-only view of a whole tensor (no copy).
template <typename Scalar, int R>
ConstView<Scalar, R> view(const Tensor<Scalar, R>& t) {
  return ConstView<Scalar, R>(t.data(), t.dimensions());
}

/// Mutable view of a whole tensor (no copy).
template <typename Scalar, int R>
TensorView<Scalar, R> mutable_view(Tensor<Scalar, R>& t) {
  return TensorView<Scalar, R>(t.data(), t.dimensions());
}

/// Extents of any Eigen tensor or map as a Dims array.
template <typename TensorLike>
Dims<TensorLike::NumDimensions> dims_of(const TensorLike& t) {
  Dims<TensorLike::NumDimensions> d{};
  // dimensions()[] takes std::size_t for both Tensor and TensorMap (dimension() does not).
  for (std::size_t i = 0; i < d.size(); ++i) d[i] = t.dimensions()[i];
  return d;
}

/// Number of elements of a shape.
template <std::size_t R>
constexpr Index element_count(const std::array<Index, R>& d) {
  Index n = 1;
  for (Index v : d) n *= v;
  return n;
}

}  // namespace ktl
