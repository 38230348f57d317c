// An Extent (strides) built from a double in a designated initializer. Before, a lone
// `.strides = 1.5` became 1 silently.
// expect: ktl::Extent, ktl::Pair and ktl::PadPairs (kernel_size, strides, dilation_rate, output_padding, size, cropping, padding) take integers, not floating-point values
#include <ktl/layers/conv.hpp>

#ifndef KTL_CONTROL
#define STRIDE 1.5
#else
#define STRIDE 1
#endif

ktl::Conv2DOptions options() { return {.filters = 8, .kernel_size = 3, .strides = {2, STRIDE}}; }
