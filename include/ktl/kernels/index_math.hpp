// Integer helpers shared by the kernels (not API).
#pragma once

#include <ktl/core/tensor.hpp>

namespace ktl::kernels::detail {

/// floor(a / b) for b > 0 and any sign of a, exact for every such pair (no -a + b - 1 that
/// could overflow). Example: floor_div(-1, 2) == -1.
constexpr Index floor_div(Index a, Index b) { return a / b - (a % b < 0 ? 1 : 0); }

/// ceil(a / b) for a >= 0, b > 0, exact for every such pair. Example: ceil_div(5, 2) == 3.
constexpr Index ceil_div(Index a, Index b) { return a / b + (a % b != 0 ? 1 : 0); }

}  // namespace ktl::kernels::detail
