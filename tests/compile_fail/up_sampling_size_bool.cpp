// UpSampling2D's size given as a bool (before, true became 1 silently).
// expect: ktl::Extent, ktl::Pair and ktl::PadPairs (kernel_size, strides, dilation_rate, output_padding, size, cropping, padding) take integers, not bool
#include <ktl/layers/up_sampling.hpp>

#ifndef KTL_CONTROL
#define SIZE true
#else
#define SIZE 1
#endif

ktl::UpSampling2DOptions options() { return {.size = SIZE}; }
