// The README's ten lines in C++17 (no designated initializers: the options are assigned field by
// field), computing the same layer on the same data as quickstart.cpp. examples/CMakeLists.txt
// builds this file as strict C++17, and ctest checks that it prints what quickstart prints.
#include <cstdio>

#include <ktl/ktl.hpp>

#if defined(__GNUC__) && __cplusplus != 201703L
#error "quickstart_cpp17.cpp must be compiled as C++17"
#endif

int main() {
  ktl::Tensor<float, 4> kernel(3, 3, 16, 32);  // Keras layout (kh, kw, in_channels, filters)
  ktl::Tensor<float, 1> bias(32);              // e.g. copied from a Keras model's get_weights()
  kernel.setRandom();
  bias.setZero();
  ktl::Conv2DOptions options;
  options.filters = 32;
  options.kernel_size = 3;
  options.strides = 2;
  options.padding = ktl::Padding::same;
  options.activation = ktl::Activation::relu;
  const ktl::Conv2D conv(options, kernel, bias);
  ktl::Tensor<float, 4> x(1, 64, 64, 16);  // (batch, rows, cols, channels)
  x.setRandom();
  ktl::Tensor<float, 4> y = conv(x);       // (1, 32, 32, 32), as keras.layers.Conv2D

  static_assert(ktl::shape::conv_output_length(64, 3, 2, 1, ktl::Padding::same) == 32,
                "Conv2D(strides=2, padding='same') halves 64 rows");

  std::printf("Conv2D(filters=32, kernel_size=3, strides=2, padding='same', activation='relu')\n");
  std::printf("input  (%ld, %ld, %ld, %ld)\n", static_cast<long>(x.dimension(0)),
              static_cast<long>(x.dimension(1)), static_cast<long>(x.dimension(2)),
              static_cast<long>(x.dimension(3)));
  std::printf("output (%ld, %ld, %ld, %ld)\n", static_cast<long>(y.dimension(0)),
              static_cast<long>(y.dimension(1)), static_cast<long>(y.dimension(2)),
              static_cast<long>(y.dimension(3)));
  const bool ok = y.dimension(0) == 1 && y.dimension(1) == 32 && y.dimension(2) == 32 &&
                  y.dimension(3) == 32;
  float min_value = 0.0f;
  for (ktl::Index i = 0; i < y.size(); ++i) min_value = y.data()[i] < min_value ? y.data()[i] : min_value;
  std::printf("relu output minimum %g (must be >= 0)\n", static_cast<double>(min_value));
  double sum = 0.0;  // Eigen's setRandom() draws the same numbers in every run
  for (ktl::Index i = 0; i < y.size(); ++i) sum += static_cast<double>(y.data()[i]);
  std::printf("output sum %.9g\n", sum);
  return ok && min_value >= 0.0f ? 0 : 1;
}
