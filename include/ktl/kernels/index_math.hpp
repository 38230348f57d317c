// Integer helpers shared by the kernels (not API).
#pragma once

#include <ktl/core/tensor.hpp>

namespace ktl::kernels::detail {

/// floor(a / b) for b > 0 and any sign of a. Example: floor_div(-1, 2) == -1.
constexpr Index floor_div(Index a, Index b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

}  // namespace ktl::kernels::detail
