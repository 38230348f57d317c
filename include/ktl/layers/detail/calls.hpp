// The call surface every layer shares (not API by itself): the call operators, the forward()
// overloads for any tensor argument, and output_shape / compute_output_shape for shapes given as
// arrays or braced lists, all built on the layer's own output_shape(const Dims&) and
// forward(ConstView, TensorView, workspace, pool). Every argument passes detail::accepts
// (arguments.hpp) first, so another rank, layout or scalar type is a compile-time error with one
// sentence. A layer derives from LayerCalls<Itself, Scalar, rank> and re-exports forward and
// output_shape with using-declarations.
#pragma once

#include <array>
#include <cstddef>
#include <utility>

#include <ktl/core/tensor.hpp>
#include <ktl/core/parallel.hpp>
#include <ktl/core/workspace.hpp>
#include <ktl/layers/detail/arguments.hpp>

namespace ktl::detail {

template <typename Layer, typename Scalar, int R>
class LayerCalls {
 public:
  /// y = layer(x) on the default thread pool, as a new tensor. x: a ktl::Tensor, a ConstView /
  /// TensorView (or any row-major TensorMap) of the layer's rank and scalar type, read in place,
  /// or an Eigen tensor expression of that rank and scalar type, evaluated once into a temporary.
  template <typename X>
  Tensor<Scalar, R> operator()(const X& x) const {
    const auto pool = default_thread_pool();
    return (*this)(x, *pool);
  }
  /// Same, on the given pool.
  template <typename X>
  Tensor<Scalar, R> operator()(const X& x, const ThreadPool& pool) const {
    if constexpr (accepts<Layer, Scalar, R, Use::call_input, X>()) {
      if constexpr (tensor_argument<X>::in_memory) {
        return call(read_view<Scalar, R>(x), pool);
      } else {
        const Tensor<Scalar, R> evaluated(x);
        return call(view(evaluated), pool);
      }
    } else {
      return Tensor<Scalar, R>();
    }
  }

  /// forward(x, y, workspace, pool) on the default pool with a temporary workspace.
  template <typename X, typename Y>
  void forward(const X& x, Y&& y) const {
    const auto pool = default_thread_pool();
    Workspace workspace;
    forward(x, std::forward<Y>(y), workspace, *pool);
  }
  /// The layer's forward for any x and y it accepts: a ktl::Tensor or a row-major TensorMap of
  /// its rank and scalar type (y writable); both are viewed in place, nothing is copied.
  template <typename X, typename Y>
  void forward(const X& x, Y&& y, Workspace& workspace, const ThreadPool& pool) const {
    if constexpr (accepts<Layer, Scalar, R, Use::forward_input, const X&>() &&
                  accepts<Layer, Scalar, R, Use::forward_output, Y&&>())
      layer().forward(read_view<Scalar, R>(x), write_view<Scalar, R>(y), workspace, pool);
  }

  /// The layer's output_shape for a shape given as a braced list, e.g. {1, 64, 64, 16}; a list
  /// of another length does not compile.
  template <std::size_t M>
  Dims<R> output_shape(const Index (&shape)[M]) const {
    if constexpr (accepts_shape<Layer, R, M>()) {
      Dims<R> d{};
      for (std::size_t i = 0; i < M; ++i) d[i] = shape[i];
      return layer().output_shape(d);
    } else {
      return Dims<R>{};
    }
  }
  /// The layer's output_shape for a Dims (or Eigen DSizes) of another length: does not compile.
  template <std::size_t M>
  Dims<R> output_shape(const std::array<Index, M>& shape) const {
    if constexpr (accepts_shape<Layer, R, M>())
      return layer().output_shape(Dims<R>(shape));
    else
      return Dims<R>{};
  }

  /// Keras' name for output_shape: a Dims (or Eigen DSizes) of the layer's rank.
  Dims<R> compute_output_shape(const Dims<R>& shape) const { return layer().output_shape(shape); }
  /// Keras' name for output_shape: a braced list (another length does not compile).
  template <std::size_t M>
  Dims<R> compute_output_shape(const Index (&shape)[M]) const {
    return output_shape(shape);
  }
  /// Keras' name for output_shape: a Dims of another length does not compile.
  template <std::size_t M>
  Dims<R> compute_output_shape(const std::array<Index, M>& shape) const {
    return output_shape(shape);
  }

 private:
  const Layer& layer() const { return static_cast<const Layer&>(*this); }

  Tensor<Scalar, R> call(ConstView<Scalar, R> x, const ThreadPool& pool) const {
    Tensor<Scalar, R> y(layer().output_shape(dims_of(x)));
    Workspace workspace;
    layer().forward(x, mutable_view(y), workspace, pool);
    return y;
  }
};

}  // namespace ktl::detail
