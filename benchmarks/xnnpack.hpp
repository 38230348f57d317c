// XNNPACK peer for the benchmarks (only when KTL_HAVE_XNNPACK is defined): Debian's
// libxnnpack-dev (a 2022 snapshot; operator API of /usr/include/xnnpack.h: create, setup with
// shapes and pointers, run) on a pthreadpool of 1 or 2 threads, for the operators that have a
// ktl counterpart: 2-D convolution (NHWC; also 1-D as height 1), depthwise convolution,
// deconvolution, bilinear resize (NHWC and NCHW) and constant padding (any layout).
//
// Weights are re-laid out from Keras' layout once, at setup: convolution kernels (kh, kw, C, F)
// become XNNPACK's (F, kh, kw, C); depthwise kernels (kh, kw, C, M) are already XNNPACK's
// depthwise layout (kh, kw, C*M); transposed kernels (kh, kw, F, C) become (F, kh, kw, C).
// Padding is passed explicitly from ktl::shape, so both libraries compute the same windows.
//
// XNNPACK may read up to XNN_EXTRA_BYTES past the end of an input: Buffer adds that slack.
#pragma once

#if defined(KTL_HAVE_XNNPACK)

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <pthreadpool.h>
#include <xnnpack.h>

namespace ktl::bench::xnnpack {

/// Initialises XNNPACK once per process; throws std::runtime_error when it cannot.
inline void initialize() {
  static const xnn_status status = xnn_initialize(nullptr);
  if (status != xnn_status_success)
    throw std::runtime_error("xnn_initialize failed with status " + std::to_string(static_cast<int>(status)));
}

/// Throws std::runtime_error naming `what` when an XNNPACK call did not succeed.
inline void check(xnn_status status, const char* what) {
  if (status != xnn_status_success)
    throw std::runtime_error(std::string("XNNPACK ") + what + " failed with status " +
                             std::to_string(static_cast<int>(status)));
}

/// A pthreadpool of n threads; n == 1 runs on the calling thread (no pool, as XNNPACK allows).
class ThreadPool {
 public:
  explicit ThreadPool(int threads)
      : pool_(threads > 1 ? pthreadpool_create(static_cast<std::size_t>(threads)) : nullptr) {
    if (threads > 1 && pool_ == nullptr) throw std::runtime_error("pthreadpool_create failed");
  }
  ~ThreadPool() {
    if (pool_ != nullptr) pthreadpool_destroy(pool_);
  }
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  pthreadpool_t get() const { return pool_; }

 private:
  pthreadpool_t pool_;
};

/// Float storage with XNNPACK's read slack after the last element.
class Buffer {
 public:
  explicit Buffer(std::size_t count, float value = 0.0f)
      : data_(count + XNN_EXTRA_BYTES / sizeof(float), value), count_(count) {}
  Buffer(const float* from, std::size_t count) : Buffer(count) {
    for (std::size_t i = 0; i < count; ++i) data_[i] = from[i];
  }
  float* data() { return data_.data(); }
  const float* data() const { return data_.data(); }
  std::size_t size() const { return count_; }

 private:
  std::vector<float> data_;
  std::size_t count_;
};

/// An XNNPACK operator, deleted with its owner; run() executes it on the pool given at setup.
class Operator {
 public:
  Operator() = default;
  explicit Operator(xnn_operator_t op) : op_(op) {}
  ~Operator() {
    if (op_ != nullptr) xnn_delete_operator(op_);
  }
  Operator(Operator&& other) noexcept : op_(other.op_) { other.op_ = nullptr; }
  Operator& operator=(Operator&& other) noexcept {
    std::swap(op_, other.op_);
    return *this;
  }
  Operator(const Operator&) = delete;
  Operator& operator=(const Operator&) = delete;
  xnn_operator_t get() const { return op_; }
  void run(pthreadpool_t pool) const { check(xnn_run_operator(op_, pool), "run_operator"); }

 private:
  xnn_operator_t op_ = nullptr;
};

/// Output clamp of a fused activation: none, or relu.
struct Clamp {
  float min = -std::numeric_limits<float>::infinity();
  float max = std::numeric_limits<float>::infinity();
};
inline Clamp relu_clamp() { return {0.0f, std::numeric_limits<float>::infinity()}; }

/// A 2-D convolution in Keras terms, NHWC; a 1-D convolution is height 1.
struct ConvSpec {
  std::size_t batch = 1, height = 1, width = 1, channels = 1, filters = 1;
  std::uint32_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  std::uint32_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  bool depthwise = false;  ///< filters is then the depth multiplier M; kernel (kh, kw, C, M)
  Clamp clamp;
};

/// Creates and sets up a convolution: kernel in Keras' layout ((kh, kw, C, F), or (kh, kw, C, M)
/// when depthwise), bias of F (or C*M) values or nullptr; input and output must stay valid.
inline Operator convolution(const ConvSpec& s, const float* keras_kernel, const float* bias,
                            const Buffer& input, float* output, pthreadpool_t pool) {
  initialize();
  const std::size_t kernel_area = std::size_t{s.kernel_h} * s.kernel_w;
  const std::size_t out_channels = s.depthwise ? s.channels * s.filters : s.filters;
  Buffer kernel(kernel_area * s.channels * s.filters);
  if (s.depthwise) {
    for (std::size_t i = 0; i < kernel.size(); ++i) kernel.data()[i] = keras_kernel[i];
  } else {
    for (std::size_t t = 0; t < kernel_area; ++t)
      for (std::size_t c = 0; c < s.channels; ++c)
        for (std::size_t f = 0; f < s.filters; ++f)
          kernel.data()[(f * kernel_area + t) * s.channels + c] = keras_kernel[(t * s.channels + c) * s.filters + f];
  }
  Buffer b(out_channels);
  if (bias != nullptr)
    for (std::size_t i = 0; i < out_channels; ++i) b.data()[i] = bias[i];
  xnn_operator_t op = nullptr;
  check(xnn_create_convolution2d_nhwc_f32(
            s.pad_top, s.pad_right, s.pad_bottom, s.pad_left, s.kernel_h, s.kernel_w, s.stride_h, s.stride_w,
            s.dilation_h, s.dilation_w,
            /*groups=*/s.depthwise ? static_cast<std::uint32_t>(s.channels) : 1,
            /*group_input_channels=*/s.depthwise ? 1 : s.channels,
            /*group_output_channels=*/s.filters,
            /*input_channel_stride=*/s.channels, /*output_channel_stride=*/out_channels, kernel.data(),
            b.data(), s.clamp.min, s.clamp.max, s.depthwise ? XNN_FLAG_DEPTHWISE_CONVOLUTION : 0, &op),
        "create_convolution2d_nhwc_f32");
  Operator result(op);
  check(xnn_setup_convolution2d_nhwc_f32(op, s.batch, s.height, s.width, input.data(), output, pool),
        "setup_convolution2d_nhwc_f32");
  return result;
}

/// A 2-D transposed convolution (Keras Conv2DTranspose), NHWC.
struct DeconvSpec {
  std::size_t batch = 1, height = 1, width = 1, channels = 1, filters = 1;
  std::uint32_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  /// Rows/columns cut from the full transposed output (before: q of ktl::shape; after: the rest).
  std::uint32_t crop_top = 0, crop_bottom = 0, crop_left = 0, crop_right = 0;
  /// Rows/columns added after the full output (Keras' output_padding beyond the full length).
  std::uint32_t adjust_h = 0, adjust_w = 0;
};

/// Creates and sets up a deconvolution: kernel in Keras' layout (kh, kw, F, C), bias of F values.
inline Operator deconvolution(const DeconvSpec& s, const float* keras_kernel, const float* bias,
                              const Buffer& input, float* output, pthreadpool_t pool) {
  initialize();
  const std::size_t kernel_area = std::size_t{s.kernel_h} * s.kernel_w;
  Buffer kernel(kernel_area * s.channels * s.filters);
  for (std::size_t t = 0; t < kernel_area; ++t)
    for (std::size_t f = 0; f < s.filters; ++f)
      for (std::size_t c = 0; c < s.channels; ++c)
        kernel.data()[(f * kernel_area + t) * s.channels + c] = keras_kernel[(t * s.filters + f) * s.channels + c];
  Buffer b(bias, s.filters);
  xnn_operator_t op = nullptr;
  check(xnn_create_deconvolution2d_nhwc_f32(
            s.crop_top, s.crop_right, s.crop_bottom, s.crop_left, s.kernel_h, s.kernel_w, s.stride_h, s.stride_w,
            s.dilation_h, s.dilation_w, /*groups=*/1, s.channels, s.filters, s.channels, s.filters,
            kernel.data(), b.data(), -std::numeric_limits<float>::infinity(),
            std::numeric_limits<float>::infinity(), 0, &op),
        "create_deconvolution2d_nhwc_f32");
  Operator result(op);
  check(xnn_setup_deconvolution2d_nhwc_f32(op, s.batch, s.height, s.width, s.adjust_h, s.adjust_w,
                                           input.data(), output, pool),
        "setup_deconvolution2d_nhwc_f32");
  return result;
}

/// Bilinear resize with TensorFlow's legacy mapping (align_corners = half_pixel_centers = false,
/// Keras 2.2's UpSampling2D); half_pixel selects the half-pixel mapping instead.
inline Operator resize_bilinear(bool channels_last, bool half_pixel, std::size_t batch,
                                std::size_t height, std::size_t width, std::size_t channels,
                                std::size_t out_height, std::size_t out_width, const Buffer& input,
                                float* output, pthreadpool_t pool) {
  initialize();
  const std::uint32_t flags = half_pixel ? 0 : XNN_FLAG_TENSORFLOW_LEGACY_MODE;
  xnn_operator_t op = nullptr;
  if (channels_last) {
    check(xnn_create_resize_bilinear2d_nhwc_f32(channels, channels, channels, flags, &op),
          "create_resize_bilinear2d_nhwc_f32");
    Operator result(op);
    check(xnn_setup_resize_bilinear2d_nhwc_f32(op, batch, height, width, out_height, out_width,
                                               input.data(), output, pool),
          "setup_resize_bilinear2d_nhwc_f32");
    return result;
  }
  check(xnn_create_resize_bilinear2d_nchw_f32(channels, channels, channels, flags, &op),
        "create_resize_bilinear2d_nchw_f32");
  Operator result(op);
  check(xnn_setup_resize_bilinear2d_nchw_f32(op, batch, height, width, out_height, out_width,
                                             input.data(), output, pool),
        "setup_resize_bilinear2d_nchw_f32");
  return result;
}

/// Zero padding of an N-d tensor (any layout): `before` and `after` elements per axis.
template <std::size_t R>
Operator zero_pad(const std::array<std::size_t, R>& shape, const std::array<std::size_t, R>& before,
                  const std::array<std::size_t, R>& after, const Buffer& input, float* output,
                  pthreadpool_t pool) {
  initialize();
  static const float zero = 0.0f;
  xnn_operator_t op = nullptr;
  check(xnn_create_constant_pad_nd_x32(&zero, 0, &op), "create_constant_pad_nd_x32");
  Operator result(op);
  check(xnn_setup_constant_pad_nd_x32(op, R, shape.data(), before.data(), after.data(), input.data(),
                                      output, pool),
        "setup_constant_pad_nd_x32");
  return result;
}

}  // namespace ktl::bench::xnnpack

#endif  // KTL_HAVE_XNNPACK
