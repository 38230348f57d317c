// The call surface every layer shares (not API by itself): the three call operators and the
// two-argument forward(), all built on the layer's own output_shape() and
// forward(x, y, workspace, pool). A layer derives from LayerCalls<Itself, Scalar, rank> and
// re-exports forward with a using-declaration.
#pragma once

#include <ktl/core/tensor.hpp>
#include <ktl/core/parallel.hpp>
#include <ktl/core/workspace.hpp>

namespace ktl::detail {

template <typename Layer, typename Scalar, int R>
class LayerCalls {
 public:
  /// y = layer(x) on the default thread pool, as a new tensor.
  Tensor<Scalar, R> operator()(const Tensor<Scalar, R>& x) const { return (*this)(view(x)); }
  /// Same, over caller memory.
  Tensor<Scalar, R> operator()(ConstView<Scalar, R> x) const {
    const auto pool = default_thread_pool();
    return (*this)(x, *pool);
  }
  /// Same, on the given pool.
  Tensor<Scalar, R> operator()(ConstView<Scalar, R> x, const ThreadPool& pool) const {
    Tensor<Scalar, R> y(layer().output_shape(dims_of(x)));
    Workspace workspace;
    layer().forward(x, mutable_view(y), workspace, pool);
    return y;
  }
  /// forward(x, y, workspace, pool) on the default pool with a temporary workspace.
  void forward(ConstView<Scalar, R> x, TensorView<Scalar, R> y) const {
    const auto pool = default_thread_pool();
    Workspace workspace;
    layer().forward(x, y, workspace, *pool);
  }

 private:
  const Layer& layer() const { return static_cast<const Layer&>(*this); }
};

}  // namespace ktl::detail
