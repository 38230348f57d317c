// Exception types of ktl and the one helper that builds every error message.
// Message format: "<Layer>: <what is wrong>; <rule>; received <argument>=<value>[, ...]".
#pragma once

#include <array>
#include <cstddef>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace ktl {

/// Thrown by constructors and parsers when an option has a value Keras (or ktl) rejects.
class invalid_options : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Thrown by a call when the input or the weights do not fit the layer (rank, channels, sizes).
class shape_mismatch : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

namespace detail {

/// Writes a value for a message: bools as true / false, std::array / std::vector as a tuple
/// "(a, b, c)" (one element prints "(a)", not Python's "(a,)"), anything else with operator<<.
template <typename T>
void write_value(std::ostream& os, const T& value);

/// True for the containers write_value prints as tuples (std::array, std::vector).
template <typename T>
struct is_sequence : std::false_type {};
template <typename T, std::size_t N>
struct is_sequence<std::array<T, N>> : std::true_type {};
template <typename T>
struct is_sequence<std::vector<T>> : std::true_type {};

template <typename T>
void write_value(std::ostream& os, const T& value) {
  if constexpr (is_sequence<T>::value) {
    os << '(';
    bool first = true;
    for (const auto& v : value) {
      if (!first) os << ", ";
      first = false;
      write_value(os, v);
    }
    os << ')';
  } else if constexpr (std::is_same_v<T, bool>) {
    os << (value ? "true" : "false");
  } else {
    os << value;
  }
}

/// Formats a shape or tuple as "(a, b, c)".
template <typename Sequence>
std::string format_dims(const Sequence& dims) {
  std::ostringstream os;
  write_value(os, dims);
  return os.str();
}

/// Folds the parts into one message prefixed by "<layer>: " and throws Error with it.
/// Sequences (std::array, std::vector) print as tuples. The only place a ktl message is built.
template <typename Error, typename... Parts>
[[noreturn]] void raise(std::string_view layer, const Parts&... parts) {
  std::ostringstream os;
  os << layer << ": ";
  (write_value(os, parts), ...);
  throw Error(os.str());
}

/// Shorthand for the most common shape of message: an argument whose value breaks a rule.
/// Example: raise_argument(layer, "strides", strides, "every entry must be >= 1")
///   -> "Conv2D: invalid strides; every entry must be >= 1; received strides=(0, 1)".
template <typename Error = invalid_options, typename Value>
[[noreturn]] void raise_argument(std::string_view layer, std::string_view argument,
                                 const Value& value, std::string_view rule) {
  raise<Error>(layer, "invalid ", argument, "; ", rule, "; received ", argument, "=", value);
}

}  // namespace detail
}  // namespace ktl
