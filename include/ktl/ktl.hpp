// Umbrella header: every public header of ktl (core vocabulary, shape module, activations,
// initializers, regularizers, constraints and all layer families). Include this, or only the
// headers you use; kernels/ and detail/ are implementation and come in through the layers.
#pragma once

#include <ktl/version.hpp>

#include <ktl/core/tensor.hpp>
#include <ktl/core/error.hpp>
#include <ktl/core/parallel.hpp>
#include <ktl/core/types.hpp>
#include <ktl/core/workspace.hpp>

#include <ktl/shape/checked.hpp>
#include <ktl/shape/conv_shape.hpp>
#include <ktl/shape/resize_shape.hpp>
#include <ktl/shape/validate.hpp>

#include <ktl/activations.hpp>
#include <ktl/constraints.hpp>
#include <ktl/initializers.hpp>
#include <ktl/regularizers.hpp>

#include <ktl/layers/conv.hpp>
#include <ktl/layers/conv_transpose.hpp>
#include <ktl/layers/cropping.hpp>
#include <ktl/layers/depthwise_conv.hpp>
#include <ktl/layers/separable_conv.hpp>
#include <ktl/layers/up_sampling.hpp>
#include <ktl/layers/zero_padding.hpp>
