// Checked Index arithmetic for every shape and size computation of ktl: sums, differences and
// products that report leaving Index's range instead of wrapping (signed overflow is undefined
// behaviour), and the checks that turn such a result into a ktl error naming the argument.
// constexpr and free of compiler builtins, so the shape functions built on them still work in a
// static_assert (a computation that overflows there is not a constant expression: it does not
// compile).
#pragma once

#include <array>
#include <cstddef>
#include <limits>
#include <string_view>

#include <ktl/core/tensor.hpp>
#include <ktl/core/error.hpp>

namespace ktl::shape {

/// The largest Index, the bound of every extent, length, element count and workspace size.
inline constexpr Index index_max = std::numeric_limits<Index>::max();

/// An Index computed with overflow tracking: once a step leaves Index's range the result stays
/// "overflowed" through every later step, so a whole formula is written as usual and checked
/// once. Example: (Checked(in) - 1) * s + k is ok() exactly when no step overflowed.
class Checked {
 public:
  /// A value that fits (implicit, so plain Index operands mix in).
  constexpr Checked(Index value) noexcept : value_(value) {}  // NOLINT(google-explicit-constructor)

  /// True when no step of the computation left Index's range.
  constexpr bool ok() const noexcept { return ok_; }
  /// The result; meaningful only when ok().
  constexpr Index value() const noexcept { return value_; }

  friend constexpr Checked operator+(Checked a, Checked b) noexcept {
    if (!a.ok_ || !b.ok_) return overflow();
    const Index x = a.value_, y = b.value_;
    if (y > 0 ? x > index_max - y : x < index_min - y) return overflow();
    return Checked(x + y);
  }
  friend constexpr Checked operator-(Checked a, Checked b) noexcept {
    if (!a.ok_ || !b.ok_) return overflow();
    const Index x = a.value_, y = b.value_;
    if (y < 0 ? x > index_max + y : x < index_min + y) return overflow();
    return Checked(x - y);
  }
  friend constexpr Checked operator*(Checked a, Checked b) noexcept {
    if (!a.ok_ || !b.ok_) return overflow();
    const Index x = a.value_, y = b.value_;
    // The four sign cases of CERT INT32-C: each compares against a quotient that cannot overflow.
    const bool out = x > 0 ? (y > 0 ? x > index_max / y : y < index_min / x)
                           : (y > 0 ? x < index_min / y : x != 0 && y < index_max / x);
    if (out) return overflow();
    return Checked(x * y);
  }

 private:
  static constexpr Index index_min = std::numeric_limits<Index>::min();
  static constexpr Checked overflow() noexcept {
    Checked c(0);
    c.ok_ = false;
    return c;
  }
  Index value_ = 0;
  bool ok_ = true;
};

/// ceil(a / b) for a >= 0, b > 0, exact for every such pair (no a + b - 1 that could overflow).
/// Example: ceil_div(5, 2) == 3; ceil_div(1, index_max) == 1.
constexpr Index ceil_div(Index a, Index b) { return a / b + (a % b != 0 ? 1 : 0); }

/// Number of elements of a shape (every extent >= 0), checked. Example: (2, 3, 4) -> 24.
template <std::size_t R>
constexpr Checked checked_element_count(const std::array<Index, R>& dims) {
  Checked n = 1;
  for (Index v : dims) n = n * v;
  return n;
}

/// Throws Error when `value` overflowed: "<layer>: <what> overflows Index (at most
/// 9223372036854775807); <rule>; received <received...>". Returns the value otherwise.
/// Example: checked_or_raise<shape_mismatch>(c, "UpSampling2D", "the output length",
///   "input length * size must fit", "size=", size)
template <typename Error, typename... Received>
constexpr Index checked_or_raise(Checked c, std::string_view layer, std::string_view what,
                                 std::string_view rule, const Received&... received) {
  if (!c.ok())
    detail::raise<Error>(layer, what, " overflows Index (at most ", index_max, "); ", rule,
                         "; received ", received...);
  return c.value();
}

/// The element count of `dims` when it fits Index; throws Error naming `what` (e.g. "output
/// shape") and the received values otherwise.
/// Example: (1, 2^31, 2^31, 2^31) -> shape_mismatch "... output shape (1, ...) has more elements
/// than Index can count ...".
template <typename Error, std::size_t R, typename... Received>
Index element_count_or_raise(const std::array<Index, R>& dims, std::string_view layer,
                             std::string_view what, const Received&... received) {
  const Checked n = checked_element_count(dims);
  if (!n.ok())
    detail::raise<Error>(layer, what, " ", dims,
                         " has more elements than Index can count (at most ", index_max,
                         "); received ", received...);
  return n.value();
}

}  // namespace ktl::shape
