// PadPairs (cropping) with a double amount in a designated initializer.
// expect: ktl::Extent, ktl::Pair and ktl::PadPairs (kernel_size, strides, dilation_rate, output_padding, size, cropping, padding) take integers, not floating-point values
#include <ktl/layers/cropping.hpp>

#ifndef KTL_CONTROL
#define AMOUNT 2.0
#else
#define AMOUNT 2
#endif

ktl::Cropping2DOptions options() { return {.cropping = {{1, AMOUNT}, {3, 4}}}; }
