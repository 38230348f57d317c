// Compile-time checks of the tensors handed to a layer (not API by itself): one trait that
// describes an argument type, one check per use (call input, forward input, forward output,
// weight, shape), and the static_assert sentences a wrong argument gets. Every layer reaches
// them through LayerCalls (calls.hpp) and detail::weight, so a tensor of another rank, a
// ColMajor tensor or one of another scalar type never converts silently (Eigen's implicit
// Tensor(const TensorBase&) constructor would otherwise build a tensor of the layer's rank from
// it and read out of bounds).
#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

#include <ktl/core/tensor.hpp>

namespace ktl::detail {

/// False for every T, for a static_assert that must fire only when its branch is instantiated.
template <typename...>
inline constexpr bool always_false = false;

/// Eigen tensors whose elements the layer can use in place: an owning Eigen::Tensor (kind 1), a
/// TensorMap over read-only memory (kind 2) or over writable memory (kind 3); 0 for everything
/// else (expressions, TensorFixedSize, TensorRef, maps with a custom pointer type).
template <typename T>
struct memory_kind : std::integral_constant<int, 0> {};
template <typename S, int R, int O, typename I>
struct memory_kind<Eigen::Tensor<S, R, O, I>> : std::integral_constant<int, 1> {};
template <typename Plain, int O>
struct memory_kind<Eigen::TensorMap<Plain, O, Eigen::MakePointer>>
    : std::integral_constant<int, std::is_const_v<Plain> ? 2 : 3> {};

/// What a layer needs to know about an argument type T (cv-qualifiers and references removed):
/// whether it is an Eigen tensor at all (an owning tensor, a map or an unevaluated expression),
/// its rank, scalar type and layout, and whether it is memory the layer can read in place.
template <typename T, typename = void>
struct tensor_argument {
  static constexpr bool is_tensor = false;
};
template <typename T>
struct tensor_argument<
    T, std::enable_if_t<std::is_base_of_v<Eigen::TensorBase<T, Eigen::ReadOnlyAccessors>, T>>> {
  static constexpr bool is_tensor = true;
  static constexpr int rank = Eigen::internal::traits<T>::NumDimensions;
  using scalar = std::remove_const_t<typename Eigen::internal::traits<T>::Scalar>;
  static constexpr bool row_major = Eigen::internal::traits<T>::Layout == Eigen::RowMajor;
  static constexpr bool in_memory = memory_kind<T>::value != 0;
};

/// How a layer uses a tensor argument. call_input: layer(x), which evaluates an expression once;
/// forward_input: read in place (memory only); forward_output: written in place (a non-const
/// Tensor lvalue or a map over writable memory); weight: copied, moved or evaluated into the
/// layer's own tensor.
enum class Use { call_input, forward_input, forward_output, weight };

/// The sentence for an argument of rank Got where `Layer` expects rank Expected: for inputs,
/// outputs and shapes the layer's tensor axes, for weights its weight layouts. C++17 takes only
/// literal static_assert messages, so each layer has its own line here; the compiler prints the
/// two ranks with it ("the comparison reduces to (3 == 4)", or "requirement '3 == 4'").
template <typename Layer, bool Weights, int Got, int Expected>
constexpr void wrong_rank() {
  constexpr std::string_view n = Layer::class_name();
  if constexpr (!Weights) {
    if constexpr (n == "Conv1D")
      static_assert(Got == Expected,
                    "Conv1D takes rank-3 tensors (batch, steps, channels) or (batch, channels, steps); "
                    "the argument has another rank");
    else if constexpr (n == "Conv2D")
      static_assert(Got == Expected,
                    "Conv2D takes rank-4 tensors (batch, rows, cols, channels) or (batch, channels, rows, "
                    "cols); the argument has another rank");
    else if constexpr (n == "Conv3D")
      static_assert(Got == Expected,
                    "Conv3D takes rank-5 tensors (batch, dim1, dim2, dim3, channels) or (batch, channels, "
                    "dim1, dim2, dim3); the argument has another rank");
    else if constexpr (n == "Conv1DTranspose")
      static_assert(Got == Expected,
                    "Conv1DTranspose takes rank-3 tensors (batch, steps, channels) or (batch, channels, "
                    "steps); the argument has another rank");
    else if constexpr (n == "Conv2DTranspose")
      static_assert(Got == Expected,
                    "Conv2DTranspose takes rank-4 tensors (batch, rows, cols, channels) or (batch, "
                    "channels, rows, cols); the argument has another rank");
    else if constexpr (n == "Conv3DTranspose")
      static_assert(Got == Expected,
                    "Conv3DTranspose takes rank-5 tensors (batch, dim1, dim2, dim3, channels) or (batch, "
                    "channels, dim1, dim2, dim3); the argument has another rank");
    else if constexpr (n == "DepthwiseConv1D")
      static_assert(Got == Expected,
                    "DepthwiseConv1D takes rank-3 tensors (batch, steps, channels) or (batch, channels, "
                    "steps); the argument has another rank");
    else if constexpr (n == "DepthwiseConv2D")
      static_assert(Got == Expected,
                    "DepthwiseConv2D takes rank-4 tensors (batch, rows, cols, channels) or (batch, "
                    "channels, rows, cols); the argument has another rank");
    else if constexpr (n == "SeparableConv1D")
      static_assert(Got == Expected,
                    "SeparableConv1D takes rank-3 tensors (batch, steps, channels) or (batch, channels, "
                    "steps); the argument has another rank");
    else if constexpr (n == "SeparableConv2D")
      static_assert(Got == Expected,
                    "SeparableConv2D takes rank-4 tensors (batch, rows, cols, channels) or (batch, "
                    "channels, rows, cols); the argument has another rank");
    else if constexpr (n == "Cropping1D")
      static_assert(Got == Expected,
                    "Cropping1D takes rank-3 tensors (batch, steps, features); the argument has another "
                    "rank");
    else if constexpr (n == "Cropping2D")
      static_assert(Got == Expected,
                    "Cropping2D takes rank-4 tensors (batch, rows, cols, channels) or (batch, channels, "
                    "rows, cols); the argument has another rank");
    else if constexpr (n == "Cropping3D")
      static_assert(Got == Expected,
                    "Cropping3D takes rank-5 tensors (batch, dim1, dim2, dim3, channels) or (batch, "
                    "channels, dim1, dim2, dim3); the argument has another rank");
    else if constexpr (n == "ZeroPadding1D")
      static_assert(Got == Expected,
                    "ZeroPadding1D takes rank-3 tensors (batch, steps, features); the argument has "
                    "another rank");
    else if constexpr (n == "ZeroPadding2D")
      static_assert(Got == Expected,
                    "ZeroPadding2D takes rank-4 tensors (batch, rows, cols, channels) or (batch, "
                    "channels, rows, cols); the argument has another rank");
    else if constexpr (n == "ZeroPadding3D")
      static_assert(Got == Expected,
                    "ZeroPadding3D takes rank-5 tensors (batch, dim1, dim2, dim3, channels) or (batch, "
                    "channels, dim1, dim2, dim3); the argument has another rank");
    else if constexpr (n == "UpSampling1D")
      static_assert(Got == Expected,
                    "UpSampling1D takes rank-3 tensors (batch, steps, features); the argument has another "
                    "rank");
    else if constexpr (n == "UpSampling2D")
      static_assert(Got == Expected,
                    "UpSampling2D takes rank-4 tensors (batch, rows, cols, channels) or (batch, channels, "
                    "rows, cols); the argument has another rank");
    else if constexpr (n == "UpSampling3D")
      static_assert(Got == Expected,
                    "UpSampling3D takes rank-5 tensors (batch, dim1, dim2, dim3, channels) or (batch, "
                    "channels, dim1, dim2, dim3); the argument has another rank");
    else
      static_assert(Got == Expected,
                    "this ktl layer takes tensors of its rank (batch, spatial axes, channels); the "
                    "argument has another rank");
  } else {
    if constexpr (n == "Conv1D")
      static_assert(Got == Expected,
                    "Conv1D's weights are kernel (kernel_size, channels / groups, filters), a rank-3 "
                    "tensor, and bias (filters), a rank-1 tensor; this weight has another rank");
    else if constexpr (n == "Conv2D")
      static_assert(Got == Expected,
                    "Conv2D's weights are kernel (kernel_rows, kernel_cols, channels / groups, filters), "
                    "a rank-4 tensor, and bias (filters), a rank-1 tensor; this weight has another rank");
    else if constexpr (n == "Conv3D")
      static_assert(Got == Expected,
                    "Conv3D's weights are kernel (kernel_dim1, kernel_dim2, kernel_dim3, channels / "
                    "groups, filters), a rank-5 tensor, and bias (filters), a rank-1 tensor; this weight "
                    "has another rank");
    else if constexpr (n == "Conv1DTranspose")
      static_assert(Got == Expected,
                    "Conv1DTranspose's weights are kernel (kernel_size, filters, channels), a rank-3 "
                    "tensor, and bias (filters), a rank-1 tensor; this weight has another rank");
    else if constexpr (n == "Conv2DTranspose")
      static_assert(Got == Expected,
                    "Conv2DTranspose's weights are kernel (kernel_rows, kernel_cols, filters, channels), "
                    "a rank-4 tensor, and bias (filters), a rank-1 tensor; this weight has another rank");
    else if constexpr (n == "Conv3DTranspose")
      static_assert(Got == Expected,
                    "Conv3DTranspose's weights are kernel (kernel_dim1, kernel_dim2, kernel_dim3, "
                    "filters, channels), a rank-5 tensor, and bias (filters), a rank-1 tensor; this "
                    "weight has another rank");
    else if constexpr (n == "DepthwiseConv1D")
      static_assert(Got == Expected,
                    "DepthwiseConv1D's weights are depthwise_kernel (kernel_size, channels, "
                    "depth_multiplier), a rank-3 tensor, and bias (channels * depth_multiplier), a rank-1 "
                    "tensor; this weight has another rank");
    else if constexpr (n == "DepthwiseConv2D")
      static_assert(Got == Expected,
                    "DepthwiseConv2D's weights are depthwise_kernel (kernel_rows, kernel_cols, channels, "
                    "depth_multiplier), a rank-4 tensor, and bias (channels * depth_multiplier), a rank-1 "
                    "tensor; this weight has another rank");
    else if constexpr (n == "SeparableConv1D")
      static_assert(Got == Expected,
                    "SeparableConv1D's weights are depthwise_kernel (kernel_size, channels, "
                    "depth_multiplier) and pointwise_kernel (1, channels * depth_multiplier, filters), "
                    "rank-3 tensors, and bias (filters), a rank-1 tensor; this weight has another rank");
    else if constexpr (n == "SeparableConv2D")
      static_assert(Got == Expected,
                    "SeparableConv2D's weights are depthwise_kernel (kernel_rows, kernel_cols, channels, "
                    "depth_multiplier) and pointwise_kernel (1, 1, channels * depth_multiplier, filters), "
                    "rank-4 tensors, and bias (filters), a rank-1 tensor; this weight has another rank");
    else
      static_assert(Got == Expected,
                    "this ktl layer's kernels have its tensor rank and its bias rank 1; this weight has "
                    "another rank");
  }
}

/// Whether `Layer` (holding Scalar, tensors of rank R) accepts an argument of type T for `use`
/// with an expected rank of `Expected` (R, or 1 for a bias). When it does not, exactly one
/// static_assert sentence fires, in this order: not an Eigen tensor, ColMajor, another rank,
/// another scalar type, not memory (forward's input), not writable (forward's output). Callers
/// test the result with `if constexpr` and skip the call, so no second error follows.
/// T may be a reference (forward_output tells a non-const Tensor lvalue from the rest).
template <typename Layer, typename Scalar, int Expected, Use use, typename T>
constexpr bool accepts() {
  using Arg = std::remove_cv_t<std::remove_reference_t<T>>;
  using A = tensor_argument<Arg>;
  if constexpr (!A::is_tensor) {
    static_assert(always_false<T>,
                  "ktl layers take Eigen tensors: ktl::Tensor<Scalar, R> (Eigen::Tensor<Scalar, R, "
                  "Eigen::RowMajor>), ktl::ConstView<Scalar, R> or ktl::TensorView<Scalar, R> "
                  "(Eigen::TensorMap over row-major memory) and, for layer(x) and for weights, Eigen "
                  "tensor expressions; this argument is none of them");
    return false;
  } else if constexpr (!A::row_major) {
    static_assert(always_false<T>,
                  "ktl tensors are row-major (C order, as Keras and NumPy store them) and this one is "
                  "ColMajor: use ktl::Tensor<Scalar, R> (Eigen::Tensor<Scalar, R, Eigen::RowMajor>) or "
                  "ktl::ConstView<Scalar, R>, or convert with ktl::Tensor<float, 4> x_row_major = "
                  "x.swap_layout().shuffle(Eigen::array<int, 4>{3, 2, 1, 0}); (the axes reversed, for "
                  "any rank)");
    return false;
  } else if constexpr (A::rank != Expected) {
    wrong_rank<Layer, use == Use::weight, A::rank, Expected>();
    return false;
  } else if constexpr (!std::is_same_v<typename A::scalar, Scalar>) {
    if constexpr (std::is_same_v<Scalar, float>)
      static_assert(std::is_same_v<typename A::scalar, Scalar>, "this layer holds float (ktl::Conv2D and the other aliases are float layers), so its tensors and weights must be float: for double tensors use the layer template with double, e.g. ktl::Conv<double, 2> instead of ktl::Conv2D, or convert with x.cast<float>()");
    else if constexpr (std::is_same_v<Scalar, double>)
      static_assert(std::is_same_v<typename A::scalar, Scalar>, "this layer holds double (e.g. ktl::Conv<double, 2>), so its tensors and weights must be double: for float tensors use the float alias, e.g. ktl::Conv2D, or convert with x.cast<double>()");
    else
      static_assert(std::is_same_v<typename A::scalar, Scalar>, "this layer's tensors and weights must have its Scalar type: use the layer template with the tensor's scalar type, or convert with x.cast<Scalar>()");
    return false;
  } else if constexpr ((use == Use::forward_input || use == Use::forward_output) && !A::in_memory) {
    static_assert(always_false<T>,
                  "forward reads x and writes y in place, so both must be memory (ktl::Tensor, "
                  "ktl::ConstView, ktl::TensorView), not an Eigen expression: evaluate it first "
                  "(ktl::Tensor<float, 4> x = expression;), or call layer(expression), which evaluates "
                  "it once");
    return false;
  } else if constexpr (use == Use::forward_output &&
                       !(memory_kind<Arg>::value == 3 ||
                         (memory_kind<Arg>::value == 1 && std::is_lvalue_reference_v<T> &&
                          !std::is_const_v<std::remove_reference_t<T>>))) {
    static_assert(always_false<T>,
                  "forward writes its result into y: pass a non-const ktl::Tensor lvalue or a "
                  "ktl::TensorView (Eigen::TensorMap over writable row-major memory), not a const "
                  "tensor, a ktl::ConstView or a temporary");
    return false;
  } else {
    return true;
  }
}

/// A read-only view of an accepted in-memory tensor argument (no copy).
template <typename Scalar, int R, typename X>
ConstView<Scalar, R> read_view(const X& x) {
  return ConstView<Scalar, R>(x.data(), dims_of(x));
}

/// A writable view of an accepted forward output (no copy).
template <typename Scalar, int R, typename Y>
TensorView<Scalar, R> write_view(Y& y) {
  return TensorView<Scalar, R>(y.data(), dims_of(y));
}

/// A weight argument as the tensor the layer keeps: moved when it is a Tensor<Scalar, R> rvalue
/// (passed by value with std::move), copied from an lvalue, a map or a tensor of another index
/// type, evaluated from an expression. Anything `accepts` rejects stops compilation with its
/// sentence (and yields an empty tensor, so no second error follows).
template <typename Layer, typename Scalar, int R, typename W>
Tensor<Scalar, R> weight(W&& w) {
  if constexpr (accepts<Layer, Scalar, R, Use::weight, W>())
    return Tensor<Scalar, R>(std::forward<W>(w));
  else
    return Tensor<Scalar, R>();
}

/// Whether `Layer` accepts a shape of M extents for its rank-R tensors (output_shape and
/// compute_output_shape); another length fires the layer's rank sentence.
template <typename Layer, int R, std::size_t M>
constexpr bool accepts_shape() {
  if constexpr (static_cast<int>(M) != R) {
    wrong_rank<Layer, false, static_cast<int>(M), R>();
    return false;
  } else {
    return true;
  }
}

}  // namespace ktl::detail
