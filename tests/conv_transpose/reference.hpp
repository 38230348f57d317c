// Plain-loop references for the transposed-convolution tests, written from docs/semantics.md §3.4
// (forward convolution) and §3.6 (scatter form of the transposed convolution), channels_last.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>

#include <ktl/core/tensor.hpp>
#include <ktl/layers/conv_transpose.hpp>

namespace ktl::test {

template <int N>
using Sp = std::array<Index, static_cast<std::size_t>(N)>;

/// Uniform [-1, 1) values from a fixed seed.
template <typename S, int R>
Tensor<S, R> random_tensor(const Dims<R>& d, std::uint32_t seed) {
  Tensor<S, R> t(d);
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (Index i = 0; i < t.size(); ++i) t.data()[i] = static_cast<S>(u(gen));
  return t;
}

/// Decodes a flat row-major index over `ext` into coordinates.
template <int N>
Sp<N> unflatten(Index flat, const Sp<N>& ext) {
  Sp<N> c{};
  for (std::size_t a = static_cast<std::size_t>(N); a-- > 0;) {
    c[a] = flat % ext[a];
    flat /= ext[a];
  }
  return c;
}

/// Scatter-form transposed convolution (§3.6): every x[n, i, c] adds x * W[t, f, c] to output
/// i*s + t*d - q, outputs outside [0, O) dropped; then bias and activation. channels_last.
template <typename S, int N>
Tensor<S, N + 2> transpose_reference(const Tensor<S, N + 2>& x, const Tensor<S, N + 2>& w,
                                     const Tensor<S, 1>& bias, const ConvTransposeOptions<N>& o) {
  const Dims<N + 2> in = dims_of(x);
  const Dims<N + 2> out = shape::conv_transpose_output_shape<N>(
      in, DataFormat::channels_last, o.kernel_size, o.strides, o.dilation_rate, o.padding,
      o.output_padding, o.filters);
  const Index C = in[static_cast<std::size_t>(N + 1)], F = o.filters;
  Sp<N> I{}, O{}, K{}, q{};
  Index ipix = 1, opix = 1, taps = 1;
  for (int a = 0; a < N; ++a) {
    const auto ax = static_cast<std::size_t>(a);
    I[ax] = in[ax + 1];
    O[ax] = out[ax + 1];
    K[ax] = o.kernel_size[a];
    q[ax] = shape::conv_transpose_before(I[ax], O[ax], K[ax], o.strides[a], o.dilation_rate[a],
                                         o.padding);
    ipix *= I[ax];
    opix *= O[ax];
    taps *= K[ax];
  }
  std::vector<double> acc(static_cast<std::size_t>(in[0] * opix * F), 0.0);
  for (Index n = 0; n < in[0]; ++n)
    for (Index ip = 0; ip < ipix; ++ip) {
      const Sp<N> i = unflatten<N>(ip, I);
      for (Index tp = 0; tp < taps; ++tp) {
        const Sp<N> t = unflatten<N>(tp, K);
        Index op = 0;
        bool inside = true;
        for (int a = 0; a < N; ++a) {
          const auto ax = static_cast<std::size_t>(a);
          const Index oa = i[ax] * o.strides[a] + t[ax] * o.dilation_rate[a] - q[ax];
          if (oa < 0 || oa >= O[ax]) inside = false;
          op = op * O[ax] + oa;
        }
        if (!inside) continue;
        for (Index f = 0; f < F; ++f) {
          double sum = 0.0;
          for (Index c = 0; c < C; ++c)
            sum += static_cast<double>(x.data()[(n * ipix + ip) * C + c]) *
                   static_cast<double>(w.data()[(tp * F + f) * C + c]);
          acc[static_cast<std::size_t>((n * opix + op) * F + f)] += sum;
        }
      }
    }
  Tensor<S, N + 2> y(out);
  for (Index e = 0; e < y.size(); ++e) {
    double v = acc[static_cast<std::size_t>(e)];
    if (o.use_bias) v += static_cast<double>(bias(e % F));
    y.data()[e] = static_cast<S>(v);
  }
  apply_activation(o.activation, y);
  return y;
}

/// Forward convolution (§3.4, no bias) of z (batch, O..., F) with the kernel (k..., F, C) read as
/// a forward kernel (k..., in=F, out=C), producing (batch, I..., C); `before` per axis.
template <typename S, int N>
Tensor<S, N + 2> forward_reference(const Tensor<S, N + 2>& z, const Tensor<S, N + 2>& w,
                                   const Sp<N>& I, const Sp<N>& before, const Extent<N>& strides,
                                   const Extent<N>& dilation) {
  const Dims<N + 2> zd = dims_of(z);
  const Index F = zd[static_cast<std::size_t>(N + 1)];
  const Index C = w.dimension(N + 1);
  Sp<N> O{}, K{};
  Index ipix = 1, taps = 1, opix = 1;
  for (int a = 0; a < N; ++a) {
    const auto ax = static_cast<std::size_t>(a);
    O[ax] = zd[ax + 1];
    K[ax] = w.dimensions()[ax];
    ipix *= I[ax];
    taps *= K[ax];
    opix *= O[ax];
  }
  Dims<N + 2> yd{};
  yd[0] = zd[0];
  for (int a = 0; a < N; ++a) yd[static_cast<std::size_t>(a + 1)] = I[static_cast<std::size_t>(a)];
  yd[static_cast<std::size_t>(N + 1)] = C;
  Tensor<S, N + 2> y(yd);
  for (Index n = 0; n < zd[0]; ++n)
    for (Index ip = 0; ip < ipix; ++ip) {
      const Sp<N> i = unflatten<N>(ip, I);
      for (Index c = 0; c < C; ++c) {
        double sum = 0.0;
        for (Index tp = 0; tp < taps; ++tp) {
          const Sp<N> t = unflatten<N>(tp, K);
          Index zp = 0;
          bool inside = true;
          for (int a = 0; a < N; ++a) {
            const auto ax = static_cast<std::size_t>(a);
            const Index pa = i[ax] * strides[a] + t[ax] * dilation[a] - before[ax];
            if (pa < 0 || pa >= O[ax]) inside = false;
            zp = zp * O[ax] + pa;
          }
          if (!inside) continue;
          for (Index f = 0; f < F; ++f)
            sum += static_cast<double>(z.data()[(n * opix + zp) * F + f]) *
                   static_cast<double>(w.data()[(tp * F + f) * C + c]);
        }
        y.data()[(n * ipix + ip) * C + c] = static_cast<S>(sum);
      }
    }
  return y;
}

/// channels_last -> channels_first copy of a rank-R tensor.
template <typename S, int R>
Tensor<S, R> to_first(const Tensor<S, R>& t) {
  const Dims<R> d = dims_of(t);
  Tensor<S, R> out(shape::to_channels_first(d));
  const Index C = d[static_cast<std::size_t>(R - 1)];
  const Index sp = t.size() / (d[0] * C);
  for (Index n = 0; n < d[0]; ++n)
    for (Index p = 0; p < sp; ++p)
      for (Index c = 0; c < C; ++c)
        out.data()[(n * C + c) * sp + p] = t.data()[(n * sp + p) * C + c];
  return out;
}

/// channels_first -> channels_last copy of a rank-R tensor.
template <typename S, int R>
Tensor<S, R> to_last(const Tensor<S, R>& t) {
  const Dims<R> d = dims_of(t);
  Tensor<S, R> out(shape::to_channels_last(d));
  const Index C = d[1];
  const Index sp = t.size() / (d[0] * C);
  for (Index n = 0; n < d[0]; ++n)
    for (Index p = 0; p < sp; ++p)
      for (Index c = 0; c < C; ++c)
        out.data()[(n * sp + p) * C + c] = t.data()[(n * C + c) * sp + p];
  return out;
}

}  // namespace ktl::test
