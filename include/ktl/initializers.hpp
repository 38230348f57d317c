// Keras weight initializers (keras.initializers, Keras 2.2 semantics, docs/semantics.md §9):
// fans, the variance-scaling family (glorot / he / lecun), constants, normal, uniform, truncated
// normal, orthogonal and identity, drawn from ktl's own seeded generator so that one seed gives
// the same weights on every platform.
//
// Determinism: every random value comes from xoshiro256** (seeded through splitmix64), converted
// to [0, 1) by integer shifts, and turned into normals by Marsaglia's polar method with ktl's own
// logarithm (frexp + an atanh series). Only IEEE-754 double operations that are correctly rounded
// by the standard (+ - * /, sqrt, fma, frexp) are used, and every multiply-add is an explicit
// std::fma, so compiler contraction (-ffp-contract, -march with FMA) cannot change a bit. The
// weights are therefore bit-identical on any platform with IEEE binary64 doubles evaluated
// without excess precision (FLT_EVAL_METHOD == 0: x86-64 SSE2, AArch64, ...; not x87) and without
// -ffast-math (which lets the compiler reorder sums). No std::*_distribution, std::log or std::cos
// is used. Keras' own generators (NumPy / TensorFlow) cannot be reproduced: equality with Keras is
// in distribution (§9), not in values. The generator lives in <ktl/initializers/random.hpp>, the
// orthogonal initializer's QR in <ktl/initializers/orthogonal.hpp>.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <ktl/core/tensor.hpp>
#include <ktl/core/error.hpp>
#include <ktl/core/types.hpp>
#include <ktl/initializers/orthogonal.hpp>
#include <ktl/initializers/random.hpp>

namespace ktl {

// ---------------------------------------------------------------------------------------------
// Fans (§9.1)

/// fan_in and fan_out of a weight shape, as Keras 2.2's `_compute_fans`.
struct Fans {
  double fan_in = 0.0;
  double fan_out = 0.0;
};

/// Keras 2.2's fan rule (docs/semantics.md §9.1), by axis position:
/// rank 2 `(a, b)`: (a, b); rank 3, 4, 5 `(s1..sm, in, out)`: (in * prod(s), out * prod(s));
/// any other rank (0, 1, >= 6): both sqrt(prod(shape)), as Keras 2.2 (and tfjs) do.
/// Example: Conv2D kernel (3, 3, 16, 32) -> (144, 288); bias (64) -> (8, 8).
inline Fans compute_fans(const Index* shape, int rank) {
  if (rank == 2) return {static_cast<double>(shape[0]), static_cast<double>(shape[1])};
  if (rank >= 3 && rank <= 5) {
    double receptive = 1.0;
    for (int i = 0; i < rank - 2; ++i) receptive *= static_cast<double>(shape[i]);
    return {static_cast<double>(shape[rank - 2]) * receptive,
            static_cast<double>(shape[rank - 1]) * receptive};
  }
  double prod = 1.0;
  for (int i = 0; i < rank; ++i) prod *= static_cast<double>(shape[i]);
  const double root = std::sqrt(prod);
  return {root, root};
}

/// compute_fans of a Dims / std::array shape.
template <std::size_t R>
Fans compute_fans(const std::array<Index, R>& shape) {
  return compute_fans(shape.data(), static_cast<int>(R));
}

// ---------------------------------------------------------------------------------------------
// Variance-scaling vocabulary (§9.2)

/// Which fan VarianceScaling divides by: fan_in, fan_out or their mean.
enum class FanMode { fan_in, fan_out, fan_avg };

/// VarianceScaling's distribution. Keras 2.2's "normal" is truncated_normal: a normal truncated to
/// +-2 standard deviations whose parameter stddev is divided by 0.87962566103423978 so that the
/// result has stddev sqrt(scale / n). untruncated_normal (tf.keras / Keras 3) is a plain normal
/// with stddev sqrt(scale / n).
enum class Distribution { truncated_normal, untruncated_normal, uniform };

/// Standard deviation of a unit normal truncated to [-2, 2] (Keras 2.2+'s correction constant).
inline constexpr double truncated_normal_stddev_factor = 0.87962566103423978;

/// Keras' spelling of a mode ("fan_in", ...), as parse_fan_mode accepts it.
inline constexpr std::string_view to_string(FanMode m) noexcept {
  switch (m) {
    case FanMode::fan_in: return "fan_in";
    case FanMode::fan_out: return "fan_out";
    case FanMode::fan_avg: return "fan_avg";
  }
  return "?";
}
/// Keras' spelling of a distribution ("truncated_normal", ...), as parse_distribution accepts it.
inline constexpr std::string_view to_string(Distribution d) noexcept {
  switch (d) {
    case Distribution::truncated_normal: return "truncated_normal";
    case Distribution::untruncated_normal: return "untruncated_normal";
    case Distribution::uniform: return "uniform";
  }
  return "?";
}
/// Streams to_string(value), for messages.
inline std::ostream& operator<<(std::ostream& os, FanMode m) { return os << to_string(m); }
inline std::ostream& operator<<(std::ostream& os, Distribution d) { return os << to_string(d); }

/// Parses "fan_in", "fan_out" or "fan_avg" (any case). Throws invalid_options naming `mode`.
inline FanMode parse_fan_mode(std::string_view text, std::string_view layer = "VarianceScaling") {
  return detail::parse_enum(text, "mode", {FanMode::fan_in, FanMode::fan_out, FanMode::fan_avg},
                            layer);
}

/// Parses a distribution (any case): "normal" (Keras 2.2's name, = truncated_normal),
/// "truncated_normal", "untruncated_normal" or "uniform". Throws invalid_options naming
/// `distribution`.
inline Distribution parse_distribution(std::string_view text,
                                       std::string_view layer = "VarianceScaling") {
  if (detail::to_lower(text) == "normal") return Distribution::truncated_normal;
  return detail::parse_enum(text, "distribution",
                            {Distribution::truncated_normal, Distribution::untruncated_normal,
                             Distribution::uniform},
                            layer);
}

// ---------------------------------------------------------------------------------------------
// Initializer

/// Which rule an Initializer applies.
enum class InitializerKind {
  zeros, ones, constant, random_normal, random_uniform, truncated_normal, variance_scaling,
  orthogonal, identity
};

/// Keras' snake_case name of a kind ("random_normal", ...).
inline constexpr std::string_view to_string(InitializerKind k) noexcept {
  switch (k) {
    case InitializerKind::zeros: return "zeros";
    case InitializerKind::ones: return "ones";
    case InitializerKind::constant: return "constant";
    case InitializerKind::random_normal: return "random_normal";
    case InitializerKind::random_uniform: return "random_uniform";
    case InitializerKind::truncated_normal: return "truncated_normal";
    case InitializerKind::variance_scaling: return "variance_scaling";
    case InitializerKind::orthogonal: return "orthogonal";
    case InitializerKind::identity: return "identity";
  }
  return "?";
}
/// Streams to_string(kind), for messages.
inline std::ostream& operator<<(std::ostream& os, InitializerKind k) { return os << to_string(k); }

/// A Keras initializer with its parameters: what a layer's `kernel_initializer` /
/// `bias_initializer` option holds. Keras: keras.initializers.* (2.2 semantics, §9).
/// Build one with the static factories (which validate and throw invalid_options naming the
/// argument), then draw a tensor with `init.operator()<float, 4>(shape, seed)` or
/// `init.make<float>(shape, seed)`. Draws are deterministic in (initializer, shape, seed, scalar).
struct Initializer {
  InitializerKind kind = InitializerKind::zeros;
  double value = 0.0;    ///< constant: the value
  double mean = 0.0;     ///< random_normal / truncated_normal: mean
  double stddev = 0.05;  ///< random_normal / truncated_normal: standard deviation (>= 0)
  double minval = -0.05; ///< random_uniform: lower bound (inclusive)
  double maxval = 0.05;  ///< random_uniform: upper bound (exclusive), >= minval
  double scale = 1.0;    ///< variance_scaling: scale (> 0)
  FanMode mode = FanMode::fan_in;                              ///< variance_scaling: fan used
  Distribution distribution = Distribution::truncated_normal;  ///< variance_scaling: distribution
  double gain = 1.0;     ///< orthogonal / identity: multiplier

  /// keras.initializers.Zeros(): every value 0.
  static Initializer zeros() { return Initializer{}; }
  /// keras.initializers.Ones(): every value 1.
  static Initializer ones() {
    Initializer i;
    i.kind = InitializerKind::ones;
    return i;
  }
  /// keras.initializers.Constant(value=0). Throws invalid_options unless value is finite.
  static Initializer constant(double value = 0.0) {
    check_finite("Constant", "value", value);
    Initializer i;
    i.kind = InitializerKind::constant;
    i.value = value;
    return i;
  }
  /// keras.initializers.RandomNormal(mean=0, stddev=0.05): N(mean, stddev^2).
  /// Throws invalid_options unless mean is finite and stddev finite and >= 0.
  static Initializer random_normal(double mean = 0.0, double stddev = 0.05) {
    check_finite("RandomNormal", "mean", mean);
    check_stddev("RandomNormal", stddev);
    Initializer i;
    i.kind = InitializerKind::random_normal;
    i.mean = mean;
    i.stddev = stddev;
    return i;
  }
  /// keras.initializers.RandomUniform(minval=-0.05, maxval=0.05): U[minval, maxval).
  /// Throws invalid_options unless both are finite and minval <= maxval.
  static Initializer random_uniform(double minval = -0.05, double maxval = 0.05) {
    check_finite("RandomUniform", "minval", minval);
    check_finite("RandomUniform", "maxval", maxval);
    if (!(minval <= maxval))
      detail::raise<invalid_options>("RandomUniform", "invalid minval, maxval; minval must be <= "
                                     "maxval; received minval=", minval, ", maxval=", maxval);
    Initializer i;
    i.kind = InitializerKind::random_uniform;
    i.minval = minval;
    i.maxval = maxval;
    return i;
  }
  /// keras.initializers.TruncatedNormal(mean=0, stddev=0.05): N(mean, stddev^2) with values
  /// farther than 2 stddev from the mean redrawn (no 0.8796 correction: the resulting stddev is
  /// 0.8796 * stddev). Throws invalid_options unless mean is finite and stddev finite and >= 0.
  static Initializer truncated_normal(double mean = 0.0, double stddev = 0.05) {
    check_finite("TruncatedNormal", "mean", mean);
    check_stddev("TruncatedNormal", stddev);
    Initializer i;
    i.kind = InitializerKind::truncated_normal;
    i.mean = mean;
    i.stddev = stddev;
    return i;
  }
  /// keras.initializers.VarianceScaling(scale=1, mode='fan_in', distribution='normal') (§9.2):
  /// n = max(1, fan) by `mode`; truncated_normal: parameter stddev sqrt(scale/n) / 0.8796...;
  /// untruncated_normal: stddev sqrt(scale/n); uniform: U[-sqrt(3 scale/n), +sqrt(3 scale/n)).
  /// Throws invalid_options unless scale is finite and > 0.
  static Initializer variance_scaling(double scale = 1.0, FanMode mode = FanMode::fan_in,
                                      Distribution distribution = Distribution::truncated_normal) {
    if (!(scale > 0.0) || !std::isfinite(scale))
      detail::raise_argument("VarianceScaling", "scale", scale, "must be a finite number > 0");
    Initializer i;
    i.kind = InitializerKind::variance_scaling;
    i.scale = scale;
    i.mode = mode;
    i.distribution = distribution;
    return i;
  }
  /// keras.initializers.glorot_uniform(): VarianceScaling(1, fan_avg, uniform).
  static Initializer glorot_uniform() {
    return variance_scaling(1.0, FanMode::fan_avg, Distribution::uniform);
  }
  /// keras.initializers.glorot_normal(): VarianceScaling(1, fan_avg, truncated normal).
  static Initializer glorot_normal() {
    return variance_scaling(1.0, FanMode::fan_avg, Distribution::truncated_normal);
  }
  /// keras.initializers.he_uniform(): VarianceScaling(2, fan_in, uniform).
  static Initializer he_uniform() {
    return variance_scaling(2.0, FanMode::fan_in, Distribution::uniform);
  }
  /// keras.initializers.he_normal(): VarianceScaling(2, fan_in, truncated normal).
  static Initializer he_normal() {
    return variance_scaling(2.0, FanMode::fan_in, Distribution::truncated_normal);
  }
  /// keras.initializers.lecun_uniform(): VarianceScaling(1, fan_in, uniform).
  static Initializer lecun_uniform() {
    return variance_scaling(1.0, FanMode::fan_in, Distribution::uniform);
  }
  /// keras.initializers.lecun_normal(): VarianceScaling(1, fan_in, truncated normal).
  static Initializer lecun_normal() {
    return variance_scaling(1.0, FanMode::fan_in, Distribution::truncated_normal);
  }
  /// keras.initializers.Orthogonal(gain=1): the shape is flattened to (rows, cols) =
  /// (prod(shape[:-1]), shape[-1]); a standard-normal matrix of shape (max, min) is QR-decomposed
  /// (Householder), Q is multiplied by the signs of R's diagonal (a Haar-distributed orthogonal
  /// matrix), transposed when rows < cols, and scaled by gain. That is tf.keras / Keras 3's
  /// procedure; Keras 2.2 used an SVD of the (rows, cols) matrix instead, which gives the same
  /// distribution. Works for conv kernels (shape (k..., in, out)). Rank < 2 throws
  /// invalid_options when drawn (as tf.keras). Throws invalid_options unless gain is finite.
  static Initializer orthogonal(double gain = 1.0) {
    check_finite("Orthogonal", "gain", gain);
    Initializer i;
    i.kind = InitializerKind::orthogonal;
    i.gain = gain;
    return i;
  }
  /// keras.initializers.Identity(gain=1): gain on the main diagonal of a 2-D (rows, cols) matrix,
  /// zeros elsewhere, rectangular allowed (Keras 2.2.5+, tf.keras, Keras 3). Any other rank (conv
  /// kernels included) throws invalid_options when drawn. Throws invalid_options unless gain is
  /// finite.
  static Initializer identity(double gain = 1.0) {
    check_finite("Identity", "gain", gain);
    Initializer i;
    i.kind = InitializerKind::identity;
    i.gain = gain;
    return i;
  }

  /// Re-checks the parameters the kind uses (the factories' rules), for an Initializer whose
  /// public fields were edited directly; fill() calls it first. Throws invalid_options naming
  /// the argument.
  void validate() const;

  /// Keras' snake_case name of this initializer: the preset name for the six variance-scaling
  /// presets (e.g. "glorot_uniform"), otherwise the kind ("variance_scaling", "orthogonal", ...).
  std::string_view name() const noexcept;

  /// The fan n that variance_scaling divides by for `shape`: max(1, fan_in / fan_out / mean).
  double scaling_fan(const Index* shape, int rank) const noexcept;

  /// variance_scaling's distribution parameter for `shape`: the uniform limit, or the normal's
  /// parameter stddev (already divided by 0.8796... when truncated). 0 for other kinds.
  double scaling_parameter(const Index* shape, int rank) const noexcept;
  template <std::size_t R>
  double scaling_parameter(const std::array<Index, R>& shape) const noexcept {
    return scaling_parameter(shape.data(), static_cast<int>(R));
  }

  /// Fills `data` (row-major, prod(shape) values) with this initializer's values for `shape`
  /// from `seed`. Values are computed in double and rounded to S once, so float and double draws
  /// from the same seed agree to float rounding. Throws shape_mismatch for a negative extent and
  /// invalid_options for orthogonal with rank < 2 or identity with rank != 2.
  template <typename S>
  void fill(S* data, const Index* shape, int rank, std::uint64_t seed) const;

  /// A new tensor of `shape` filled as `fill` does. Keras: initializer(shape) (like a layer's
  /// build()). Throws as `fill`.
  template <typename S, int R>
  Tensor<S, R> operator()(const Dims<R>& shape, std::uint64_t seed) const {
    static_assert(std::is_floating_point_v<S>, "ktl::Initializer::operator()<S, R>: S must be a "
                                               "floating-point type (float or double)");
    static_assert(R >= 1, "ktl::Initializer::operator()<S, R>: R is the tensor rank; use R >= 1");
    check_shape(shape.data(), R);
    Tensor<S, R> t(shape);
    fill(t.data(), shape.data(), R, seed);
    return t;
  }
  /// Same as operator()<S, R>(shape, seed) with the rank deduced: init.make<float>(dims, seed).
  template <typename S, std::size_t R>
  Tensor<S, static_cast<int>(R)> make(const std::array<Index, R>& shape, std::uint64_t seed) const {
    return operator()<S, static_cast<int>(R)>(shape, seed);
  }

  friend bool operator==(const Initializer& a, const Initializer& b) noexcept {
    return a.kind == b.kind && a.value == b.value && a.mean == b.mean && a.stddev == b.stddev &&
           a.minval == b.minval && a.maxval == b.maxval && a.scale == b.scale &&
           a.mode == b.mode && a.distribution == b.distribution && a.gain == b.gain;
  }
  friend bool operator!=(const Initializer& a, const Initializer& b) noexcept { return !(a == b); }

 private:
  static void check_finite(std::string_view cls, std::string_view arg, double v) {
    if (!std::isfinite(v)) detail::raise_argument(cls, arg, v, "must be a finite number");
  }
  static void check_stddev(std::string_view cls, double v) {
    if (!(v >= 0.0) || !std::isfinite(v))
      detail::raise_argument(cls, "stddev", v, "must be a finite number >= 0");
  }
  static void check_shape(const Index* shape, int rank) {
    for (int i = 0; i < rank; ++i)
      if (shape[i] < 0) {
        std::vector<Index> dims(shape, shape + rank);
        detail::raise<shape_mismatch>("Initializer", "invalid shape; every extent must be >= 0; "
                                      "received shape=", dims);
      }
  }
};

/// Streams Initializer::name(), for messages.
inline std::ostream& operator<<(std::ostream& os, const Initializer& i) { return os << i.name(); }

inline std::string_view Initializer::name() const noexcept {
  if (kind == InitializerKind::variance_scaling) {
    const bool uniform = distribution == Distribution::uniform;
    const bool truncated = distribution == Distribution::truncated_normal;
    if (scale == 1.0 && mode == FanMode::fan_avg && uniform) return "glorot_uniform";
    if (scale == 1.0 && mode == FanMode::fan_avg && truncated) return "glorot_normal";
    if (scale == 2.0 && mode == FanMode::fan_in && uniform) return "he_uniform";
    if (scale == 2.0 && mode == FanMode::fan_in && truncated) return "he_normal";
    if (scale == 1.0 && mode == FanMode::fan_in && uniform) return "lecun_uniform";
    if (scale == 1.0 && mode == FanMode::fan_in && truncated) return "lecun_normal";
  }
  return to_string(kind);
}

inline void Initializer::validate() const {
  switch (kind) {
    case InitializerKind::constant: (void)constant(value); return;
    case InitializerKind::random_normal: (void)random_normal(mean, stddev); return;
    case InitializerKind::truncated_normal: (void)truncated_normal(mean, stddev); return;
    case InitializerKind::random_uniform: (void)random_uniform(minval, maxval); return;
    case InitializerKind::variance_scaling:
      (void)variance_scaling(scale, mode, distribution);
      return;
    case InitializerKind::orthogonal: (void)orthogonal(gain); return;
    case InitializerKind::identity: (void)identity(gain); return;
    case InitializerKind::zeros:
    case InitializerKind::ones: return;
  }
}

inline double Initializer::scaling_fan(const Index* shape, int rank) const noexcept {
  const Fans f = compute_fans(shape, rank);
  double n = f.fan_in;
  if (mode == FanMode::fan_out) n = f.fan_out;
  if (mode == FanMode::fan_avg) n = (f.fan_in + f.fan_out) / 2.0;
  return std::max(1.0, n);
}

inline double Initializer::scaling_parameter(const Index* shape, int rank) const noexcept {
  if (kind != InitializerKind::variance_scaling) return 0.0;
  const double s = scale / scaling_fan(shape, rank);
  switch (distribution) {
    case Distribution::truncated_normal: return std::sqrt(s) / truncated_normal_stddev_factor;
    case Distribution::untruncated_normal: return std::sqrt(s);
    case Distribution::uniform: return std::sqrt(3.0 * s);
  }
  return 0.0;
}

namespace detail {

/// Uniform value in [lo, hi) rounded to S: redraws the (rare) draws that round up to hi.
template <typename S>
S uniform_value(RandomGenerator& g, double lo, double hi) {
  if (!(lo < hi)) return static_cast<S>(lo);
  const double width = hi - lo;
  const S top = static_cast<S>(hi);
  for (;;) {
    const S v = static_cast<S>(std::fma(width, g.uniform(), lo));
    if (v < top || static_cast<S>(lo) >= top) return v;
  }
}

}  // namespace detail

template <typename S>
void Initializer::fill(S* data, const Index* shape, int rank, std::uint64_t seed) const {
  static_assert(std::is_floating_point_v<S>,
                "ktl::Initializer::fill<S>: S must be a floating-point type (float or double)");
  validate();
  check_shape(shape, rank);
  Index n = 1;
  for (int i = 0; i < rank; ++i) n *= shape[i];
  RandomGenerator g(seed);
  switch (kind) {
    case InitializerKind::zeros:
      std::fill(data, data + n, S(0));
      return;
    case InitializerKind::ones:
      std::fill(data, data + n, S(1));
      return;
    case InitializerKind::constant:
      std::fill(data, data + n, static_cast<S>(value));
      return;
    case InitializerKind::random_normal:
      for (Index i = 0; i < n; ++i) data[i] = static_cast<S>(std::fma(stddev, g.normal(), mean));
      return;
    case InitializerKind::truncated_normal:
      for (Index i = 0; i < n; ++i)
        data[i] = static_cast<S>(std::fma(stddev, g.truncated_normal(), mean));
      return;
    case InitializerKind::random_uniform:
      for (Index i = 0; i < n; ++i) data[i] = detail::uniform_value<S>(g, minval, maxval);
      return;
    case InitializerKind::variance_scaling: {
      const double p = scaling_parameter(shape, rank);
      switch (distribution) {
        case Distribution::truncated_normal:
          for (Index i = 0; i < n; ++i) data[i] = static_cast<S>(p * g.truncated_normal());
          return;
        case Distribution::untruncated_normal:
          for (Index i = 0; i < n; ++i) data[i] = static_cast<S>(p * g.normal());
          return;
        case Distribution::uniform:
          for (Index i = 0; i < n; ++i) data[i] = detail::uniform_value<S>(g, -p, p);
          return;
      }
      return;
    }
    case InitializerKind::orthogonal: {
      if (rank < 2) {
        std::vector<Index> dims(shape, shape + rank);
        detail::raise<invalid_options>("Orthogonal", "invalid shape; the orthogonal initializer "
                                       "needs a weight of rank >= 2; received shape=", dims);
      }
      Index rows = 1;
      for (int i = 0; i < rank - 1; ++i) rows *= shape[i];
      const std::vector<double> q = detail::orthogonal_matrix(rows, shape[rank - 1], seed);
      for (Index i = 0; i < n; ++i) data[i] = static_cast<S>(gain * q[static_cast<std::size_t>(i)]);
      return;
    }
    case InitializerKind::identity: {
      if (rank != 2) {
        std::vector<Index> dims(shape, shape + rank);
        detail::raise<invalid_options>("Identity", "invalid shape; the identity initializer needs "
                                       "a 2-D (rows, cols) weight, conv kernels are not supported; "
                                       "received shape=", dims);
      }
      std::fill(data, data + n, S(0));
      const Index diag = std::min(shape[0], shape[1]);
      for (Index i = 0; i < diag; ++i) data[i * shape[1] + i] = static_cast<S>(gain);
      return;
    }
  }
}

/// Parses a Keras initializer name (any case) into an Initializer with Keras' default arguments:
/// zeros (zero), ones (one), constant, random_normal (normal, RandomNormal), random_uniform
/// (uniform, RandomUniform), truncated_normal, variance_scaling, glorot_uniform, glorot_normal,
/// he_uniform, he_normal, lecun_uniform, lecun_normal, orthogonal, identity, and each class name
/// (Zeros, GlorotUniform, HeNormal, ...). Throws invalid_options naming `initializer`.
inline Initializer parse_initializer(std::string_view name, std::string_view layer = "ktl") {
  const std::string key = detail::to_lower(name);
  const auto is = [&key](std::initializer_list<std::string_view> names) {
    return std::find(names.begin(), names.end(), std::string_view(key)) != names.end();
  };
  if (is({"zeros", "zero"})) return Initializer::zeros();
  if (is({"ones", "one"})) return Initializer::ones();
  if (is({"constant"})) return Initializer::constant();
  if (is({"random_normal", "randomnormal", "normal"})) return Initializer::random_normal();
  if (is({"random_uniform", "randomuniform", "uniform"})) return Initializer::random_uniform();
  if (is({"truncated_normal", "truncatednormal"})) return Initializer::truncated_normal();
  if (is({"variance_scaling", "variancescaling"})) return Initializer::variance_scaling();
  if (is({"glorot_uniform", "glorotuniform"})) return Initializer::glorot_uniform();
  if (is({"glorot_normal", "glorotnormal"})) return Initializer::glorot_normal();
  if (is({"he_uniform", "heuniform"})) return Initializer::he_uniform();
  if (is({"he_normal", "henormal"})) return Initializer::he_normal();
  if (is({"lecun_uniform", "lecununiform"})) return Initializer::lecun_uniform();
  if (is({"lecun_normal", "lecunnormal"})) return Initializer::lecun_normal();
  if (is({"orthogonal"})) return Initializer::orthogonal();
  if (is({"identity"})) return Initializer::identity();
  detail::raise_argument(layer, "initializer", std::string("\"") + std::string(name) + "\"",
                         "allowed values are \"zeros\", \"ones\", \"constant\", \"random_normal\", "
                         "\"random_uniform\", \"truncated_normal\", \"variance_scaling\", "
                         "\"glorot_uniform\", \"glorot_normal\", \"he_uniform\", \"he_normal\", "
                         "\"lecun_uniform\", \"lecun_normal\", \"orthogonal\", \"identity\", their "
                         "aliases (\"zero\", \"one\", \"normal\", \"uniform\") and class names "
                         "(case-insensitive)");
}

}  // namespace ktl
