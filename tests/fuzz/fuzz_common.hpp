// Shared parts of the layer fuzz target (issue 10 §4): reading a fuzz input as a stream of
// choices, option and shape generators (zero, negative, huge and mixed values next to small valid
// ones), the rule that every ktl call either succeeds or throws std::invalid_argument, and the
// plain-loop references the results are compared with. Every reference and every expected shape
// is written here from Keras' definitions (docs/semantics.md §3, §4.9-§4.12) with 128-bit integer
// arithmetic, independent of ktl/kernels and ktl/shape. Test-only, no GoogleTest.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <map>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <ktl/ktl.hpp>

namespace ktl_fuzz {

using ktl::Index;
/// Exact arithmetic for Keras' lengths (products of two Index values fit).
__extension__ typedef __int128 Wide;

/// Reports a finding (a crash for libFuzzer and the driver alike) with a reason.
[[noreturn]] inline void finding(const std::string& what) {
  std::fprintf(stderr, "\nktl fuzz finding: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

// ---------------------------------------------------------------------------------------------
// The input as a stream of choices; past its end every choice is 0 (the first, most common
// alternative), so short inputs still describe a complete case.

class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  /// A value in [0, n).
  unsigned below(unsigned n) { return n <= 1 ? 0 : byte() % n; }
  bool coin(unsigned percent) { return byte() % 100 < percent; }
  std::uint64_t u64() {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | byte();
    return v;
  }
  template <typename T, std::size_t K>
  T pick(const std::array<T, K>& values) {
    return values[below(static_cast<unsigned>(K))];
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

inline constexpr Index index_max = std::numeric_limits<Index>::max();

/// std::array of an int rank (GCC's -Wsign-conversion rejects std::array<T, N> for int N).
template <typename T, int R>
using Array = std::array<T, static_cast<std::size_t>(R)>;
inline constexpr std::array<Index, 12> huge_values = {
    Index{1} << 26, Index{1} << 31, Index{1} << 32, Index{1} << 40, Index{1} << 61,
    Index{1} << 62, (Index{1} << 62) + 1, index_max, index_max - 1, index_max / 2,
    (Index{1} << 31) - 1, Index{1} << 21};
inline constexpr std::array<Index, 4> bad_values = {0, -1, -2, std::numeric_limits<Index>::min()};

/// An option value: mostly small and valid (1 .. small), sometimes zero or negative, huge or
/// medium.
inline Index option_value(Input& in, Index small) {
  const unsigned r = in.below(100);
  if (r < 84) return 1 + static_cast<Index>(in.below(static_cast<unsigned>(small)));
  if (r < 89) return in.pick(bad_values);
  if (r < 96) return in.pick(huge_values);
  return 1 + static_cast<Index>(in.below(200));
}

/// A spatial extent: tiny, around the SIMD widths, up to 200; rarely 0 or huge.
inline Index spatial_value(Input& in) {
  static constexpr std::array<Index, 16> sizes = {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 16, 17, 31, 33, 64};
  static constexpr std::array<Index, 7> large = {63, 65, 100, 127, 128, 199, 200};
  const unsigned r = in.below(100);
  if (r < 80) return in.pick(sizes);
  if (r < 92) return in.pick(large);
  if (r < 95) return 0;
  return in.pick(huge_values);
}

/// A channel count: small, around the SIMD widths, up to 300; rarely 0 or huge.
inline Index channel_value(Input& in) {
  static constexpr std::array<Index, 16> sizes = {1, 2, 3, 4, 5, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 128};
  const unsigned r = in.below(100);
  if (r < 90) return in.below(2) ? 1 + static_cast<Index>(in.below(4)) : in.pick(sizes);
  if (r < 94) return in.pick(std::array<Index, 3>{200, 256, 300});
  if (r < 96) return 0;
  return in.pick(huge_values);
}

template <int N>
ktl::Extent<N> extent_value(Input& in, Index small) {
  ktl::Extent<N> e;
  const bool mixed = in.coin(30);
  const Index all = option_value(in, small);
  for (int a = 0; a < N; ++a) e[a] = mixed ? option_value(in, small) : all;
  return e;
}

inline ktl::DataFormat format_value(Input& in) {
  return in.coin(50) ? ktl::DataFormat::channels_first : ktl::DataFormat::channels_last;
}

/// Sometimes (3% each) a Padding or a DataFormat cast from an integer out of range, as a config
/// file can produce: every layer must reject it by name. Returns true when it made one.
inline bool bad_enum(Input& in, ktl::Padding& padding, ktl::DataFormat& format) {
  if (in.coin(3)) {
    padding = static_cast<ktl::Padding>(3 + in.below(5));
    return true;
  }
  if (in.coin(3)) {
    format = static_cast<ktl::DataFormat>(2 + in.below(5));
    return true;
  }
  return false;
}

/// Element-wise activations the references implement (plus softmax, over the last axis).
inline ktl::ActivationFunction activation_value(Input& in) {
  switch (in.below(12)) {
    case 0: case 1: case 2: return ktl::Activation::linear;
    case 3: case 4: return ktl::Activation::relu;
    case 5: return ktl::ActivationFunction::relu(0.1, 6.0, 0.0);
    case 6: return ktl::ActivationFunction::relu(0.2);
    case 7: return ktl::Activation::tanh;
    case 8: return ktl::Activation::sigmoid;
    case 9: return ktl::Activation::softmax;
    case 10: return ktl::ActivationFunction::elu(0.5);
    default: return ktl::Activation::softsign;
  }
}

/// Sometimes (8%) one axis of a weight shape off by one or more: a weight of the wrong shape.
template <std::size_t R>
void perturb(Input& in, std::array<Index, R>& d) {
  if (!in.coin(8)) return;
  Index& v = d[in.below(static_cast<unsigned>(R))];
  if (in.coin(50) && v < index_max - 3)
    v += 1 + static_cast<Index>(in.below(3));
  else if (v > 0)
    v -= 1;
}

// ---------------------------------------------------------------------------------------------
// Thread pools and the call rule.

/// Pools of 1, 2 and 3 threads, made once.
inline const ktl::ThreadPool& pool_value(Input& in) {
  static const ktl::ThreadPool one(1), two(2), three(3);
  switch (in.below(3)) {
    case 0: return one;
    case 1: return two;
    default: return three;
  }
}

/// Runs f(); true when it returned, false when it threw a std::invalid_argument (ktl's
/// documented errors). Anything else is a finding.
template <typename F>
bool succeeds(const char* what, F&& f) {
  try {
    f();
    return true;
  } catch (const std::invalid_argument&) {
    return false;
  } catch (const std::exception& e) {
    finding(std::string(what) + " threw a non-invalid_argument exception: " + e.what());
  } catch (...) {
    finding(std::string(what) + " threw something that is not a std::exception");
  }
}

// ---------------------------------------------------------------------------------------------
// How far the cases of each layer get (cases, built, shaped, computed, compared): printed at exit
// when the environment has KTL_FUZZ_STATS=1, to see that a corpus reaches every stage.

enum Stage { staged_case, staged_built, staged_shaped, staged_computed, staged_compared, stage_count };

inline void reached(const char* layer, Stage stage) {
  static const bool on = [] {
    const char* v = std::getenv("KTL_FUZZ_STATS");
    return v != nullptr && v[0] == '1';
  }();
  if (!on) return;
  static std::map<std::string, std::array<long, stage_count>> counts;
  static const bool registered = [] {
    std::atexit([] {
      std::fprintf(stderr, "%-18s %8s %8s %8s %8s %8s\n", "layer", "cases", "built", "shaped",
                   "computed", "compared");
      for (const auto& [name, c] : counts)
        std::fprintf(stderr, "%-18s %8ld %8ld %8ld %8ld %8ld\n", name.c_str(), c[0], c[1], c[2],
                     c[3], c[4]);
    });
    return true;
  }();
  (void)registered;
  ++counts[layer][stage];
}

// ---------------------------------------------------------------------------------------------
// Work bounds: the compute runs only when everything fits these; bigger (or huge) cases still
// run the shape and error paths, which allocate nothing.

inline constexpr Wide max_elements = Wide{1} << 18;  // per tensor
inline constexpr Wide max_macs = Wide{1} << 21;      // reference multiply-adds per case

/// Element count of a shape, exact up to 2^100 (larger counts come out as 2^100); -1 when an
/// extent is negative. A shape with a zero extent counts 0 only when the product of its other
/// extents fits Index (Eigen multiplies them all when it allocates), else 2^100.
template <typename T, std::size_t R>
Wide count(const std::array<T, R>& d) {
  constexpr Wide cap = Wide{1} << 100;
  Wide n = 1;
  bool zero = false;
  for (T v : d)
    if (v < 0) return -1;
  for (T v : d) {
    if (v == 0) {
      zero = true;
      continue;
    }
    n = n > cap / Wide(v) ? cap : n * Wide(v);
  }
  if (zero) return n <= index_max ? 0 : cap;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Data.

/// splitmix64: the values of one case from one seed.
class Random {
 public:
  explicit Random(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in [-1, 1).
  float uniform() { return static_cast<float>(static_cast<double>(next() >> 11) * 0x1.0p-52 - 1.0); }

 private:
  std::uint64_t s_;
};

/// Fills t with uniform values; with `special`, a few become NaN, +Inf or -Inf.
template <int R>
void fill(ktl::Tensor<float, R>& t, Random& rng, bool special) {
  for (Index i = 0; i < t.size(); ++i) t.data()[i] = rng.uniform();
  if (!special || t.size() == 0) return;
  const float values[3] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                           -std::numeric_limits<float>::infinity()};
  for (int k = 0; k < 3; ++k)
    t.data()[static_cast<Index>(rng.next() % static_cast<std::uint64_t>(t.size()))] = values[rng.next() % 3];
}

template <int R>
bool all_finite(const ktl::Tensor<float, R>& t) {
  for (Index i = 0; i < t.size(); ++i)
    if (!std::isfinite(t.data()[i])) return false;
  return true;
}

/// Logical channels_last data (batch, spatial..., C) stored in `f`'s order, and back.
template <int R>
ktl::Tensor<float, R> to_format(const ktl::Tensor<float, R>& last, ktl::DataFormat f) {
  if (f == ktl::DataFormat::channels_last) return last;
  ktl::Dims<R> d = ktl::dims_of(last), e{};
  e[0] = d[0];
  e[1] = d[R - 1];
  for (int a = 1; a + 1 < R; ++a) e[static_cast<std::size_t>(a + 1)] = d[static_cast<std::size_t>(a)];
  ktl::Tensor<float, R> out(e);
  const Index B = d[0], C = d[R - 1], S = B * C == 0 ? 0 : last.size() / (B * C);
  for (Index b = 0; b < B; ++b)
    for (Index p = 0; p < S; ++p)
      for (Index c = 0; c < C; ++c) out.data()[(b * C + c) * S + p] = last.data()[(b * S + p) * C + c];
  return out;
}
template <int R>
ktl::Tensor<float, R> from_format(const ktl::Tensor<float, R>& t, ktl::DataFormat f) {
  if (f == ktl::DataFormat::channels_last) return t;
  ktl::Dims<R> d = ktl::dims_of(t), e{};
  e[0] = d[0];
  e[R - 1] = d[1];
  for (int a = 1; a + 1 < R; ++a) e[static_cast<std::size_t>(a)] = d[static_cast<std::size_t>(a + 1)];
  ktl::Tensor<float, R> out(e);
  const Index B = d[0], C = d[1], S = B * C == 0 ? 0 : t.size() / (B * C);
  for (Index b = 0; b < B; ++b)
    for (Index p = 0; p < S; ++p)
      for (Index c = 0; c < C; ++c) out.data()[(b * S + p) * C + c] = t.data()[(b * C + c) * S + p];
  return out;
}

/// A logical (channels_last) shape in `f`'s order.
template <typename T, std::size_t R>
std::array<T, R> shape_in(const std::array<T, R>& last, ktl::DataFormat f) {
  if (f == ktl::DataFormat::channels_last) return last;
  std::array<T, R> e{};
  e[0] = last[0];
  e[1] = last[R - 1];
  for (std::size_t a = 1; a + 1 < R; ++a) e[a + 1] = last[a];
  return e;
}

// ---------------------------------------------------------------------------------------------
// Reference activations (Keras 2.2.4, TF backend), in double.

inline double relu_ref(double x, const ktl::ActivationFunction& f) {
  if (f.alpha != 0.0 && !f.max_value && f.threshold == 0.0) return x >= 0 ? x : f.alpha * x;
  double r = f.threshold != 0.0 ? (x > f.threshold ? x : 0.0) : (x < 0 ? 0.0 : x);
  if (f.max_value) r = std::min(std::max(r, 0.0), *f.max_value);
  if (f.alpha != 0.0) r -= f.alpha * std::max(f.threshold - x, 0.0);
  return r;
}

inline double activate_ref(double x, const ktl::ActivationFunction& f) {
  switch (f.kind) {
    case ktl::Activation::linear: return x;
    case ktl::Activation::relu: return std::isnan(x) ? x : relu_ref(x, f);
    case ktl::Activation::tanh: return std::tanh(x);
    case ktl::Activation::sigmoid: return 1.0 / (1.0 + std::exp(-x));
    case ktl::Activation::elu: return x > 0 ? x : f.alpha * (std::exp(x) - 1.0);
    case ktl::Activation::softsign: return x / (std::abs(x) + 1.0);
    default: finding("activate_ref: activation without a reference");
  }
}

/// Applies `f` to t (already in the layer's format; softmax over the last axis, as Keras).
template <int R>
void activate_ref(ktl::Tensor<double, R>& t, const ktl::ActivationFunction& f) {
  if (f.kind != ktl::Activation::softmax) {
    for (Index i = 0; i < t.size(); ++i) t.data()[i] = activate_ref(t.data()[i], f);
    return;
  }
  const Index len = t.dimension(R - 1);
  for (Index r = 0; len > 0 && r < t.size() / len; ++r) {
    double* row = t.data() + r * len;
    double m = row[0], sum = 0.0;
    for (Index i = 0; i < len; ++i) m = std::max(m, row[i]);
    for (Index i = 0; i < len; ++i) sum += std::exp(row[i] - m);
    for (Index i = 0; i < len; ++i) row[i] = std::exp(row[i] - m) / sum;
  }
}

/// Compares ktl's result with the reference: same shape; NaN where the reference is NaN,
/// the same infinity, else |a - e| <= tol * max(1, |e|).
template <int R>
void expect_close(const char* what, const ktl::Tensor<float, R>& got, const ktl::Tensor<double, R>& want,
                  double tol) {
  if (ktl::dims_of(got) != ktl::dims_of(want))
    finding(std::string(what) + ": result shape " + ktl::detail::format_dims(ktl::dims_of(got)) +
            " differs from the reference " + ktl::detail::format_dims(ktl::dims_of(want)));
  for (Index i = 0; i < got.size(); ++i) {
    const double a = got.data()[i], e = want.data()[i];
    const bool ok = std::isnan(e) ? std::isnan(a)
                    : std::isinf(e) ? a == e
                                    : !std::isnan(a) && std::abs(a - e) <= tol * std::max(1.0, std::abs(e));
    if (!ok)
      finding(std::string(what) + ": element " + std::to_string(i) + " is " + std::to_string(a) +
              ", the reference " + std::to_string(e) + " (shape " +
              ktl::detail::format_dims(ktl::dims_of(got)) + ")");
  }
}

// ---------------------------------------------------------------------------------------------
// Keras' lengths, exactly (128-bit), with the rules ktl must enforce. A length of -1 means "the
// case is invalid": ktl must throw.

/// Forward length and the padding before the first window (valid / same / causal).
struct Axis {
  Wide out = -1;
  Wide before = 0;
};
inline Axis conv_axis(Wide in, Wide k, Wide s, Wide d, ktl::Padding p) {
  const Wide ke = (k - 1) * d + 1;
  Axis a;
  if (p == ktl::Padding::valid) {
    a.out = in >= ke ? (in - ke) / s + 1 : -1;
  } else {
    a.out = (in + s - 1) / s;
    const Wide total = std::max<Wide>((a.out - 1) * s + ke - in, 0);
    a.before = p == ktl::Padding::causal ? ke - 1 : total / 2;
  }
  return a;
}

/// Transposed length and alignment q (input i, tap t lands on i*s + t*d - q).
inline Axis transpose_axis(Wide in, Wide k, Wide s, Wide d, ktl::Padding p, std::optional<Index> op) {
  const Wide ke = (k - 1) * d + 1;
  Axis a;
  if (!op)
    a.out = p == ktl::Padding::same ? in * s : in * s + std::max<Wide>(ke - s, 0);
  else
    a.out = (in - 1) * s + ke - 2 * (p == ktl::Padding::same ? ke / 2 : 0) + *op;
  if (p == ktl::Padding::same) a.before = std::max<Wide>((in - 1) * s + ke - a.out, 0) / 2;
  return a;
}

inline bool fits(Wide v) { return v >= 0 && v <= index_max; }

template <std::size_t R>
std::string text(const std::array<Index, R>& d) { return ktl::detail::format_dims(d); }

/// ktl returned `got` for input `in`: it must be the exact shape `want` (whose lengths and
/// element count are then known to fit Index).
template <std::size_t R>
void expect_shape(const char* what, const std::array<Index, R>& in, const std::array<Index, R>& got,
                  const std::array<Wide, R>& want) {
  bool same = true;
  for (std::size_t a = 0; a < R; ++a) same = same && static_cast<Wide>(got[a]) == want[a];
  const Wide n = count(want);
  if (!same) {
    std::string w = "(";
    for (std::size_t a = 0; a < R; ++a) {
      const Wide v = want[a];
      w += (a ? ", " : "") + (fits(v) ? std::to_string(static_cast<Index>(v)) : std::string("beyond Index"));
    }
    finding(std::string(what) + ": output_shape" + text(in) + " gave " + text(got) + ", Keras' shape is " + w + ")");
  }
  if (n > index_max) finding(std::string(what) + ": output_shape" + text(in) + " has more elements than Index");
}

/// Asks `layer` for the output shape of input `x_dims`: it must throw when the input is invalid
/// (!input_ok), may throw where only ktl's Index limits stop it (may_throw), and must otherwise
/// return Keras' shape `want` (in the layer's format). Returns the shape, or nothing after a
/// throw.
template <typename Layer, std::size_t R>
std::optional<std::array<Index, R>> output_shape_of(const char* what, const Layer& layer,
                                                     const std::array<Index, R>& x_dims,
                                                     bool input_ok, bool may_throw,
                                                     const std::array<Wide, R>& want) {
  std::array<Index, R> y_dims{};
  const bool shaped = succeeds("output_shape", [&] { y_dims = layer.output_shape(x_dims); });
  if (shaped && !input_ok)
    finding(std::string(what) + ": output_shape" + text(x_dims) + " accepted an invalid input");
  if (!shaped) {
    if (input_ok && !may_throw)
      finding(std::string(what) + ": output_shape" + text(x_dims) + " rejected a valid input");
    return std::nullopt;
  }
  expect_shape(what, x_dims, y_dims, want);
  return y_dims;
}

}  // namespace ktl_fuzz
