// Helpers of the reshaping-layer tests: options from golden-case tokens, random tensors, layout
// transposes and independent plain-loop references (keras-semantics 4.9-4.12).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <ktl/core/tensor.hpp>
#include <ktl/core/types.hpp>
#include <ktl/layers/cropping.hpp>
#include <ktl/layers/up_sampling.hpp>
#include <ktl/layers/zero_padding.hpp>

#include <gtest/gtest.h>

#include "ktl_test/compare.hpp"
#include "ktl_test/golden.hpp"

namespace ktl::test {

template <int N>
PadPairs<N> pairs_from(const std::vector<Index>& v) {
  PadPairs<N> p;
  for (int a = 0; a < N; ++a)
    p[a] = Pair(v.at(static_cast<std::size_t>(2 * a)), v.at(static_cast<std::size_t>(2 * a + 1)));
  return p;
}

template <int N>
Extent<N> extent_from(const std::vector<Index>& v) {
  Extent<N> e;
  for (int a = 0; a < N; ++a) e[a] = v.at(static_cast<std::size_t>(a));
  return e;
}

template <typename S, int R>
Tensor<S, R> random_tensor(const Dims<R>& d, std::uint32_t seed) {
  Tensor<S, R> t(d);
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  for (Index i = 0; i < t.size(); ++i) t.data()[i] = static_cast<S>(dist(gen));
  return t;
}

/// channels_last -> channels_first copy of a tensor.
template <typename S, int R>
Tensor<S, R> to_first(const Tensor<S, R>& t) {
  Dims<R> perm{};
  perm[0] = 0;
  perm[1] = R - 1;
  for (int a = 2; a < R; ++a) perm[static_cast<std::size_t>(a)] = a - 1;
  Tensor<S, R> out = t.shuffle(perm);
  return out;
}

/// Index arithmetic over a row-major shape.
template <int R>
Index flat_index(const Dims<R>& d, const Dims<R>& idx) {
  Index o = 0;
  for (int a = 0; a < R; ++a) o = o * d[static_cast<std::size_t>(a)] + idx[static_cast<std::size_t>(a)];
  return o;
}
template <int R>
bool next_index(const Dims<R>& d, Dims<R>& idx) {
  for (int a = R - 1; a >= 0; --a) {
    auto& i = idx[static_cast<std::size_t>(a)];
    if (++i < d[static_cast<std::size_t>(a)]) return true;
    i = 0;
  }
  return false;
}

/// Plain-loop reference of cropping (sign +1) and zero padding (sign -1), channels_last.
template <typename S, int N>
Tensor<S, N + 2> reference_window(const Tensor<S, N + 2>& x, const PadPairs<N>& amounts, int sign) {
  const Dims<N + 2> in = dims_of(x);
  Dims<N + 2> out = in;
  for (int a = 0; a < N; ++a)
    out[static_cast<std::size_t>(a + 1)] -= sign * (amounts[a].before + amounts[a].after);
  Tensor<S, N + 2> y(out);
  Dims<N + 2> idx{};
  do {
    Dims<N + 2> src = idx;
    bool inside = true;
    for (int a = 0; a < N; ++a) {
      auto& s = src[static_cast<std::size_t>(a + 1)];
      s += sign * amounts[a].before;
      inside = inside && s >= 0 && s < in[static_cast<std::size_t>(a + 1)];
    }
    y.data()[flat_index<N + 2>(out, idx)] = inside ? x.data()[flat_index<N + 2>(in, src)] : S(0);
  } while (next_index<N + 2>(out, idx));
  return y;
}

/// Plain-loop reference of nearest up-sampling, channels_last.
template <typename S, int N>
Tensor<S, N + 2> reference_nearest(const Tensor<S, N + 2>& x, const Extent<N>& size) {
  const Dims<N + 2> in = dims_of(x);
  Dims<N + 2> out = in;
  for (int a = 0; a < N; ++a) out[static_cast<std::size_t>(a + 1)] *= size[a];
  Tensor<S, N + 2> y(out);
  Dims<N + 2> idx{};
  do {
    Dims<N + 2> src = idx;
    for (int a = 0; a < N; ++a) src[static_cast<std::size_t>(a + 1)] /= size[a];
    y.data()[flat_index<N + 2>(out, idx)] = x.data()[flat_index<N + 2>(in, src)];
  } while (next_index<N + 2>(out, idx));
  return y;
}

/// Plain-loop reference of bilinear up-sampling in keras-semantics 4.11's float32 order,
/// channels_last, for outputs of at most 2^23 positions per axis (where that order is exact; lo
/// is clamped to the axis as well). volatile keeps every rounding step (no contraction into FMAs).
template <typename S>
Tensor<S, 4> reference_bilinear(const Tensor<S, 4>& x, const Extent<2>& size, bool half_pixel) {
  const Dims<4> in = dims_of(x);
  const Dims<4> out{in[0], in[1] * size[0], in[2] * size[1], in[3]};
  struct W {
    Index lo, hi;
    float a;
  };
  auto table = [&](Index len_in, Index len_out, Index o) {
    volatile float scale = static_cast<float>(len_in) / static_cast<float>(len_out);
    volatile float u;
    if (half_pixel) {
      volatile float centre = static_cast<float>(o) + 0.5f;
      volatile float scaled = centre * scale;
      u = scaled - 0.5f;
    } else {
      u = static_cast<float>(o) * scale;
    }
    const float i0 = std::floor(u);
    volatile float a = u - i0;
    return W{std::clamp<Index>(static_cast<Index>(i0), 0, len_in - 1),
             std::min<Index>(static_cast<Index>(std::ceil(u)), len_in - 1), a};
  };
  auto lerp = [](S l, S r, S a) {
    volatile S d = r - l;
    volatile S p = d * a;
    volatile S v = l + p;
    return static_cast<S>(v);
  };
  Tensor<S, 4> y(out);
  for (Index b = 0; b < out[0]; ++b)
    for (Index oy = 0; oy < out[1]; ++oy)
      for (Index ox = 0; ox < out[2]; ++ox)
        for (Index c = 0; c < out[3]; ++c) {
          const W wy = table(in[1], out[1], oy), wx = table(in[2], out[2], ox);
          const S ax = static_cast<S>(wx.a), ay = static_cast<S>(wy.a);
          const S top = lerp(x(b, wy.lo, wx.lo, c), x(b, wy.lo, wx.hi, c), ax);
          const S bottom = lerp(x(b, wy.hi, wx.lo, c), x(b, wy.hi, wx.hi, c), ax);
          y(b, oy, ox, c) = lerp(top, bottom, ay);
        }
  return y;
}

/// Runs `last` (channels_last) and `first` (channels_first) on one random input of `shape`
/// (channels_last): the first must equal `reference(x)` exactly, the second the first's result
/// transposed.
template <typename S, int N, typename Layer, typename Reference>
void check_both_formats(const Layer& last, const Layer& first, const Dims<N + 2>& shape,
                        const Reference& reference, std::uint32_t seed) {
  const auto x = random_tensor<S, N + 2>(shape, seed);
  const auto y_last = last(x);
  EXPECT_TRUE(tensors_near(y_last, reference(x), 0.0)) << "channels_last vs reference";
  const auto y_first = first(to_first(x));
  EXPECT_TRUE(tensors_near(y_first, to_first(y_last), 0.0)) << "channels_first vs transposed channels_last";
}

}  // namespace ktl::test
