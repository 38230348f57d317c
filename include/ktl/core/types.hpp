// Option vocabulary shared by every layer: Padding, DataFormat, Interpolation, per-axis Extent<N>
// and (before, after) PadPairs<N>, each enum with to_string() and a case-insensitive parser that
// accepts Keras' strings.
#pragma once

#include <array>
#include <cctype>
#include <cstddef>
#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>

#include <ktl/core/tensor.hpp>
#include <ktl/core/error.hpp>

namespace ktl {

/// Keras' padding modes. causal is accepted by Conv1D only.
enum class Padding { valid, same, causal };

/// Keras' data formats: (batch, spatial..., channels) or (batch, channels, spatial...).
enum class DataFormat { channels_last, channels_first };

/// UpSampling2D interpolation.
enum class Interpolation { nearest, bilinear };

/// Keras' spelling of each enumerator ("valid", "channels_last", "nearest", ...), for messages
/// and configs; the parsers below accept exactly these strings (any case). A value outside the
/// enumerators (an integer cast to the enum) gives "?".
inline constexpr std::string_view to_string(Padding p) noexcept {
  switch (p) {
    case Padding::valid: return "valid";
    case Padding::same: return "same";
    case Padding::causal: return "causal";
  }
  return "?";
}
inline constexpr std::string_view to_string(DataFormat f) noexcept {
  switch (f) {
    case DataFormat::channels_last: return "channels_last";
    case DataFormat::channels_first: return "channels_first";
  }
  return "?";
}
inline constexpr std::string_view to_string(Interpolation i) noexcept {
  switch (i) {
    case Interpolation::nearest: return "nearest";
    case Interpolation::bilinear: return "bilinear";
  }
  return "?";
}
/// Streams to_string(value), so enums print by name in error messages.
inline std::ostream& operator<<(std::ostream& os, Padding p) { return os << to_string(p); }
inline std::ostream& operator<<(std::ostream& os, DataFormat f) { return os << to_string(f); }
inline std::ostream& operator<<(std::ostream& os, Interpolation i) { return os << to_string(i); }

namespace detail {

/// ASCII lower-casing, as Python's str.lower() does for Keras' option strings.
inline std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// The allowed values of an enum option as Keras spells them, for messages:
/// "valid" and "same"; "valid", "same" and "causal".
template <typename Allowed>
std::string quoted_list(const Allowed& allowed) {
  std::string list;
  std::size_t i = 0;
  const std::size_t n = allowed.size();
  for (auto e : allowed) {
    if (i != 0) list += i + 1 == n ? " and " : ", ";
    list += '"';
    list += to_string(e);
    list += '"';
    ++i;
  }
  return list;
}

/// Looks `text` up (case-insensitively) among the enum's values; throws invalid_options naming
/// the argument, the received text and the allowed spellings.
template <typename Enum>
Enum parse_enum(std::string_view text, std::string_view argument,
                std::initializer_list<Enum> allowed, std::string_view layer) {
  const std::string lower = to_lower(text);
  for (Enum e : allowed) {
    if (lower == to_string(e)) return e;
  }
  raise_argument(layer, argument, std::string("\"") + std::string(text) + "\"",
                 "allowed values are " + quoted_list(allowed) + " (case-insensitive)");
}

/// True for the layers whose padding may be causal: Conv1D (Keras' only causal layer), and
/// "ktl", the parsers' default, which names no layer in particular.
constexpr bool accepts_causal(std::string_view layer) noexcept {
  return layer == "Conv1D" || layer == "ktl";
}

}  // namespace detail

/// Parses a padding mode (any case) for the layer named `layer`: "valid" or "same", and
/// "causal" for Conv1D and for the default "ktl" (any Keras padding string). Throws
/// invalid_options listing what that layer accepts otherwise, e.g. parse_padding("causal",
/// "Conv3D") lists "valid" and "same".
inline Padding parse_padding(std::string_view text, std::string_view layer = "ktl") {
  if (detail::accepts_causal(layer))
    return detail::parse_enum(text, "padding", {Padding::valid, Padding::same, Padding::causal}, layer);
  return detail::parse_enum(text, "padding", {Padding::valid, Padding::same}, layer);
}
/// Parses "channels_last" or "channels_first" (any case). Throws invalid_options otherwise.
inline DataFormat parse_data_format(std::string_view text, std::string_view layer = "ktl") {
  return detail::parse_enum(text, "data_format",
                            {DataFormat::channels_last, DataFormat::channels_first}, layer);
}
/// Parses "nearest" or "bilinear" (any case, as Keras 3 does; Keras 2.2 was case-sensitive).
inline Interpolation parse_interpolation(std::string_view text, std::string_view layer = "ktl") {
  return detail::parse_enum(text, "interpolation",
                            {Interpolation::nearest, Interpolation::bilinear}, layer);
}

namespace detail {

/// An integer option value (an entry of Extent or Pair) as Index. Keras takes integers there, so
/// a bool or a floating-point value (which a conversion would truncate: 2.5 -> 2) does not
/// compile; every integral type other than bool is accepted.
template <typename T>
constexpr Index option_integer(T value) {
  static_assert(!std::is_same_v<T, bool>,
                "ktl::Extent, ktl::Pair and ktl::PadPairs (kernel_size, strides, dilation_rate, "
                "output_padding, size, cropping, padding) take integers, not bool: write 1 or 0, "
                "not true or false");
  static_assert(!std::is_floating_point_v<T>,
                "ktl::Extent, ktl::Pair and ktl::PadPairs (kernel_size, strides, dilation_rate, "
                "output_padding, size, cropping, padding) take integers, not floating-point "
                "values, which would be truncated: write 2, not 2.0 or 2.5");
  return static_cast<Index>(value);
}

/// True for the argument types the Extent / Pair / PadPairs constructors take: every arithmetic
/// type, so that a bool or floating-point argument reaches option_integer's sentence instead of
/// converting silently (or failing with an unrelated overload error).
template <typename... Ts>
inline constexpr bool all_arithmetic = (std::is_arithmetic_v<Ts> && ...);

}  // namespace detail

/// One integer per spatial axis. Keras' "int or tuple" argument: a single integer means the same
/// value on every axis (implicit on purpose), N integers give one per axis.
/// Example: Extent<2> s = 2;  Extent<2> k = {3, 5};
template <int N>
struct Extent {
  static_assert(N >= 1 && N <= 3, "ktl::Extent<N>: N is the spatial rank; use 1, 2 or 3");
  std::array<Index, static_cast<std::size_t>(N)> values{};

  /// 0 on every axis ({} and the default; validation rejects 0 for required fields such as
  /// kernel_size).
  constexpr Extent() = default;
  /// Keras' int form: the same value on every axis. Any integral type but bool; a bool or a
  /// floating-point value does not compile (see detail::option_integer).
  template <typename T, typename = std::enable_if_t<detail::all_arithmetic<T>>>
  constexpr Extent(T all) {  // NOLINT(google-explicit-constructor): Keras int form
    for (auto& v : values) v = detail::option_integer(all);
  }
  /// Keras' tuple form: one integer per axis (N > 1; for N == 1 the int form is the tuple), with
  /// the int form's rule for each entry.
  template <typename... Is,
            typename = std::enable_if_t<(sizeof...(Is) == N && N > 1 && detail::all_arithmetic<Is...>)>>
  constexpr Extent(Is... each) : values{{detail::option_integer(each)...}} {}

  /// Entry of spatial axis `axis` in [0, N) (unchecked).
  constexpr Index operator[](int axis) const { return values[static_cast<std::size_t>(axis)]; }
  /// Mutable entry of spatial axis `axis` in [0, N) (unchecked).
  constexpr Index& operator[](int axis) { return values[static_cast<std::size_t>(axis)]; }
  /// Entry-wise equality.
  constexpr bool operator==(const Extent& o) const {
    for (int a = 0; a < N; ++a)
      if ((*this)[a] != o[a]) return false;
    return true;
  }
  constexpr bool operator!=(const Extent& o) const { return !(*this == o); }
  /// True when every entry equals v.
  constexpr bool all_equal(Index v) const {
    for (Index x : values)
      if (x != v) return false;
    return true;
  }
};

/// Prints an Extent as a tuple "(a, b)", as Keras shows it.
template <int N>
std::ostream& operator<<(std::ostream& os, const Extent<N>& e) {
  detail::write_value(os, e.values);
  return os;
}

/// (before, after) amounts of one axis, for Cropping and ZeroPadding.
struct Pair {
  Index before = 0;
  Index after = 0;
  /// (0, 0).
  constexpr Pair() = default;
  /// Keras' int form: the same amount before and after. Any integral type but bool; a bool or a
  /// floating-point amount does not compile (see detail::option_integer).
  template <typename T, typename = std::enable_if_t<detail::all_arithmetic<T>>>
  constexpr Pair(T both)  // NOLINT: Keras int form
      : before(detail::option_integer(both)), after(detail::option_integer(both)) {}
  /// Explicit (before, after) amounts, with the int form's rule for each.
  template <typename B, typename A, typename = std::enable_if_t<detail::all_arithmetic<B, A>>>
  constexpr Pair(B b, A a) : before(detail::option_integer(b)), after(detail::option_integer(a)) {}
  constexpr bool operator==(const Pair& o) const { return before == o.before && after == o.after; }
  constexpr bool operator!=(const Pair& o) const { return !(*this == o); }
};

/// Prints "(before, after)".
inline std::ostream& operator<<(std::ostream& os, const Pair& p) {
  return os << '(' << p.before << ", " << p.after << ')';
}

/// Per-axis (before, after) amounts, in the three forms Keras accepts:
/// PadPairs<2> a = 1;                 // ((1, 1), (1, 1))
/// PadPairs<2> b = {2, 3};            // ((2, 2), (3, 3))
/// PadPairs<2> c = {{1, 2}, {3, 4}};  // ((1, 2), (3, 4))  (mixed forms like {1, {2, 3}} work)
template <int N>
struct PadPairs {
  static_assert(N >= 1 && N <= 3, "ktl::PadPairs<N>: N is the spatial rank; use 1, 2 or 3");
  std::array<Pair, static_cast<std::size_t>(N)> values{};

  /// (0, 0) on every axis ({} and the default).
  constexpr PadPairs() = default;
  /// Keras' int form: the same amount before and after on every axis (Pair's rule: integers
  /// only).
  template <typename T, typename = std::enable_if_t<detail::all_arithmetic<T>>>
  constexpr PadPairs(T all) {  // NOLINT: Keras int form
    for (auto& v : values) v = Pair(all);
  }
  /// One entry per axis, each an integer (both sides) or a (before, after) pair. Plain Pair
  /// parameters (not a deduced pack) so that braced pairs such as {{1, 2}, {3, 4}} convert.
  template <int M = N, typename = std::enable_if_t<M == 2>>
  constexpr PadPairs(Pair a0, Pair a1) : values{{a0, a1}} {}
  /// The 3-D form of the constructor above.
  template <int M = N, typename = std::enable_if_t<M == 3>>
  constexpr PadPairs(Pair a0, Pair a1, Pair a2) : values{{a0, a1, a2}} {}
  /// The 1-D pair form: PadPairs<1>{1, 2} is (before 1, after 2), as Cropping1D((1, 2)).
  template <typename B, typename A, int M = N,
            typename = std::enable_if_t<M == 1 && detail::all_arithmetic<B, A>>>
  constexpr PadPairs(B before, A after) : values{{Pair(before, after)}} {}

  /// Pair of spatial axis `axis` in [0, N) (unchecked).
  constexpr const Pair& operator[](int axis) const { return values[static_cast<std::size_t>(axis)]; }
  /// Mutable pair of spatial axis `axis` in [0, N) (unchecked).
  constexpr Pair& operator[](int axis) { return values[static_cast<std::size_t>(axis)]; }
  /// Pair-wise equality.
  constexpr bool operator==(const PadPairs& o) const {
    for (int a = 0; a < N; ++a)
      if ((*this)[a] != o[a]) return false;
    return true;
  }
};

/// Prints PadPairs as nested tuples "((1, 2), (3, 4))".
template <int N>
std::ostream& operator<<(std::ostream& os, const PadPairs<N>& p) {
  detail::write_value(os, p.values);
  return os;
}

}  // namespace ktl
