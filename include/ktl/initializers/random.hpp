// Seeded random numbers of ktl's initializers: derive_seed, and RandomGenerator (xoshiro256**
// seeded by splitmix64) with uniform, normal and truncated-normal samplers that give the same bits
// on every platform (see the determinism note in <ktl/initializers.hpp>).
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

namespace ktl {

namespace detail {

/// splitmix64's finaliser: a bijective 64-bit mixer with full avalanche.
constexpr std::uint64_t mix64(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace detail

/// Seed of sub-stream `stream` of `seed` (layers use derive_seed(seed, k) for their k-th weight in
/// Keras' get_weights order). Different (seed, stream) pairs give unrelated seeds; pure function,
/// identical on every platform.
constexpr std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) noexcept {
  return detail::mix64(detail::mix64(seed + 0x9e3779b97f4a7c15ULL) ^
                       (detail::mix64(stream ^ 0xd1b54a32d192ed03ULL) + 0x632be59bd9b4e019ULL));
}

namespace detail {

/// ln(x) for finite x > 0 from IEEE-exact operations only (frexp, + - * /, fma), so the result
/// is the same on every platform; accurate to ~2 ulp. ln x = e ln2 + 2 atanh((m-1)/(m+1)).
inline double portable_log(double x) noexcept {
  int e = 0;
  double m = std::frexp(x, &e);  // x = m 2^e, m in [0.5, 1)
  if (m < 0.70710678118654752440) {
    m *= 2.0;
    e -= 1;
  }  // m in [sqrt(1/2), sqrt(2)): |s| <= 0.1716, s^2 <= 0.0295
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  // atanh(s)/s = sum s^(2k) / (2k+1); 0.0295^12 / 25 < 1e-20, so 13 terms are exact to rounding.
  double p = 1.0 / 25.0;
  p = std::fma(p, s2, 1.0 / 23.0);
  p = std::fma(p, s2, 1.0 / 21.0);
  p = std::fma(p, s2, 1.0 / 19.0);
  p = std::fma(p, s2, 1.0 / 17.0);
  p = std::fma(p, s2, 1.0 / 15.0);
  p = std::fma(p, s2, 1.0 / 13.0);
  p = std::fma(p, s2, 1.0 / 11.0);
  p = std::fma(p, s2, 1.0 / 9.0);
  p = std::fma(p, s2, 1.0 / 7.0);
  p = std::fma(p, s2, 1.0 / 5.0);
  p = std::fma(p, s2, 1.0 / 3.0);
  const double tail = s2 * p;           // atanh(s)/s - 1
  const double log_m = 2.0 * std::fma(s, tail, s);
  constexpr double ln2_hi = 0.693147180369123816490;   // 2^-1 .. 2^-32 bits of ln 2 (exact * e)
  constexpr double ln2_lo = 1.90821492927058770002e-10;
  const double ed = static_cast<double>(e);
  return std::fma(ed, ln2_hi, std::fma(ed, ln2_lo, log_m));
}

}  // namespace detail

/// ktl's seeded pseudo-random generator: xoshiro256** (Blackman & Vigna) with its state filled by
/// splitmix64 from the seed, plus platform-independent uniform and normal samplers (see the top
/// of this header). Same seed, same sequence, on every platform.
class RandomGenerator {
 public:
  explicit RandomGenerator(std::uint64_t seed) noexcept {
    std::uint64_t x = seed;
    for (auto& word : s_) {
      x += 0x9e3779b97f4a7c15ULL;
      word = detail::mix64(x);
    }
  }

  /// Next raw 64-bit value.
  std::uint64_t next_u64() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// Uniform double in [0, 1): the top 53 bits times 2^-53 (exact).
  double uniform() noexcept {
    return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
  }

  /// Standard normal N(0, 1) by Marsaglia's polar method (pairs; the second value is kept for
  /// the next call).
  double normal() noexcept {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    for (;;) {
      const double u = 2.0 * uniform() - 1.0;  // exact: [-1, 1) on a 2^-52 grid
      const double v = 2.0 * uniform() - 1.0;
      const double s = std::fma(u, u, v * v);
      if (s >= 1.0 || s == 0.0) continue;
      const double f = std::sqrt(-2.0 * detail::portable_log(s) / s);
      spare_ = v * f;
      has_spare_ = true;
      return u * f;
    }
  }

  /// Standard normal truncated to [-2, 2] by redrawing, as TensorFlow's truncated_normal.
  double truncated_normal() noexcept {
    for (;;) {
      const double z = normal();
      if (z >= -2.0 && z <= 2.0) return z;
    }
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept {
    return (x << k) | (x >> (64 - k));
  }
  std::array<std::uint64_t, 4> s_{};
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace ktl
