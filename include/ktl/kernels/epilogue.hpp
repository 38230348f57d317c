// The epilogue every convolution kernel runs on its freshly computed tile while it is still in
// cache: add the bias along the channels, then apply an element-wise activation.
#pragma once

#include <ktl/activations.hpp>
#include <ktl/core/tensor.hpp>

namespace ktl::kernels {

/// y is `rows` x `channels` row-major (channels_last pixels) with row stride `ldy`:
/// y[r][c] += bias[c] (bias may be null), then the activation if it is element-wise (softmax is
/// left to the caller, which applies it over the whole output's last axis). A dense tile
/// (ldy == channels) is activated in one call: apply_elementwise pads short calls to 16 values,
/// which per row would cost up to 16x for few channels; results are the same either way, since
/// apply_elementwise's results depend only on the values.
template <typename S>
void bias_activation_rows(S* y, Index rows, Index channels, Index ldy, const S* bias,
                          const ActivationFunction& activation) {
  const bool activate = activation.elementwise() && !activation.is_linear();
  if (activate && ldy == channels) {
    if (bias)
      for (Index r = 0; r < rows; ++r)
        for (Index c = 0; c < channels; ++c) y[r * ldy + c] += bias[c];
    apply_elementwise(activation, y, rows * channels);
    return;
  }
  for (Index r = 0; r < rows; ++r) {
    S* row = y + r * ldy;
    if (bias)
      for (Index c = 0; c < channels; ++c) row[c] += bias[c];
    if (activate) apply_elementwise(activation, row, channels);
  }
}

}  // namespace ktl::kernels
