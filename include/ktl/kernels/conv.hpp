// Forward convolution (Keras Conv1D/2D/3D compute) on channels_last data with resolved paddings,
// strides, dilation, groups and a fused bias + activation epilogue. No Keras options, no
// exceptions: the layer (layers/conv.hpp) validates and resolves everything first.
//
// Algorithm. Convolution is a matrix product per image and group: Y (pixels x F/G) =
// A (pixels x k^N*C/G) * W (k^N*C/G x F/G), where row p of A holds the input values the window of
// output pixel p covers, in (taps..., channel) order, and W is Keras' kernel (k..., C/G, F)
// reshaped, unchanged (group g uses its columns g*F/G.. with leading dimension F).
//  * 1x1 kernels with stride 1 (any padding mode: there is none): the input pixels already ARE
//    A (leading dimension C), so each tile goes straight to gemm.
//  * Otherwise a tile of output pixels at a time is gathered into A (im2col) in a per-thread
//    scratch region sized to stay in L2, then multiplied. Along the innermost spatial axis a
//    window with dilation 1 and no groups is one contiguous run of the input row, copied at once.
// The bias starts each tile's gemm sums; after the gemm an element-wise activation runs on the
// tile while it is in cache;
// for a channels_first output the finished tile is then transposed (16 x 16 register blocks)
// straight into y, so channels_first costs one input shuffle and no extra pass over the output.
// Tiles are fixed by the shapes alone and each writes its own output rows, so the result is
// bit-identical for any number of threads.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <type_traits>

#include <ktl/core/tensor.hpp>
#include <ktl/activations.hpp>
#include <ktl/core/parallel.hpp>
#include <ktl/kernels/epilogue.hpp>
#include <ktl/kernels/gemm.hpp>
#include <ktl/kernels/layout.hpp>

namespace ktl::kernels {

/// Sizes of a forward convolution, channels_last, every padding already resolved.
/// Spatial arrays are outer to inner axis; `pad_before` is the zero padding before each axis
/// (the padding after follows from input, output, kernel, strides and dilation).
template <int N>
struct ConvGeometry {
  static_assert(N >= 1 && N <= 3, "ktl::kernels::ConvGeometry<N>: N is the spatial rank; use 1, 2 or 3");
  using Axes = std::array<Index, static_cast<std::size_t>(N)>;
  Index batch = 1;
  Axes input{};
  Axes output{};
  Axes kernel{};
  Axes strides{};
  Axes dilation{};
  Axes pad_before{};
  Index channels = 1;  ///< input channels C
  Index filters = 1;   ///< output channels F
  Index groups = 1;    ///< C and F are divisible by groups
};

namespace detail {

template <std::size_t M>
constexpr Index product(const std::array<Index, M>& a) {
  Index p = 1;
  for (Index v : a) p *= v;
  return p;
}

/// True when the input pixels are the im2col matrix: every kernel extent 1, stride 1, no padding.
template <int N>
bool conv_is_pointwise(const ConvGeometry<N>& g) {
  for (int a = 0; a < N; ++a) {
    const auto i = static_cast<std::size_t>(a);
    if (g.kernel[i] != 1 || g.strides[i] != 1 || g.pad_before[i] != 0) return false;
  }
  return true;
}

/// Length of one im2col row: k^N * C / groups.
template <int N>
Index conv_row_length(const ConvGeometry<N>& g) {
  return product(g.kernel) * (g.channels / g.groups);
}

/// Output pixels per tile: the im2col tile (rows x row length) fills at most about 128 KB, and a
/// call has at least ~16 tiles when the output is large enough (so 2-4 threads stay balanced);
/// a multiple of the micro-kernel's row count. Depends on the shapes only, never on the threads.
template <typename T, int N>
Index conv_tile_rows(const ConvGeometry<N>& g) {
  const Index pixels = product(g.output);
  const Index mr = BestOps<T>::mr;
  const Index target = Index(128 * 1024) / Index(sizeof(T));
  const Index cache_rows = std::max<Index>(mr, target / std::max<Index>(1, conv_row_length(g)) / mr * mr);
  const Index images = g.batch * g.groups;
  const Index tiles_per_image = (16 + images - 1) / images;
  const Index balance_rows = ((pixels + tiles_per_image - 1) / tiles_per_image + mr - 1) / mr * mr;
  const Index rows = std::min(cache_rows, std::max(mr, balance_rows));
  return std::min(rows, pixels);
}

/// d[0, n) = s[0, n): the short copies of im2col (a few taps x channels) inline, without a call.
template <typename T>
inline void copy_short(const T* s, Index n, T* d) {
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<T, float>) {
    Index i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(d + i, _mm512_loadu_ps(s + i));
    if (i < n) {
      const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1u);
      _mm512_mask_storeu_ps(d + i, m, _mm512_maskz_loadu_ps(m, s + i));
    }
    return;
  }
#endif
  std::copy(s, s + n, d);
}

/// Gathers output pixels [p0, p0 + rows) of one image and group into `a` (rows x conv_row_length).
template <typename T, int N>
void im2col_tile(const ConvGeometry<N>& g, const T* image, Index group, Index p0, Index rows, T* a) {
  constexpr std::size_t W = static_cast<std::size_t>(N - 1);  // innermost axis
  const Index C = g.channels, Cg = g.channels / g.groups, kw = g.kernel[W], dw = g.dilation[W];
  const Index in_w = g.input[W], row_len = conv_row_length(g), run = kw * Cg;
  const bool contiguous = dw == 1 && Cg == C;
  Index outer_taps = 1;
  for (std::size_t ax = 0; ax < W; ++ax) outer_taps *= g.kernel[ax];
  std::array<Index, static_cast<std::size_t>(N)> o{};
  Index rem = p0;
  for (std::size_t ax = static_cast<std::size_t>(N); ax-- > 0;) {
    o[ax] = rem % g.output[ax];
    rem /= g.output[ax];
  }
  for (Index r = 0; r < rows; ++r) {
    T* row = a + r * row_len;
    const Index iw0 = o[W] * g.strides[W] - g.pad_before[W];
    std::array<Index, static_cast<std::size_t>(N)> t{};
    for (Index ot = 0; ot < outer_taps; ++ot) {
      T* dst = row + ot * run;
      bool inside = true;
      Index off = 0;
      for (std::size_t ax = 0; ax < W; ++ax) {
        const Index i = o[ax] * g.strides[ax] + t[ax] * g.dilation[ax] - g.pad_before[ax];
        if (i < 0 || i >= g.input[ax]) {  // (a far-off i must not enter the offset)
          inside = false;
          break;
        }
        off = off * g.input[ax] + i;
      }
      if (!inside) {
        std::fill(dst, dst + run, T(0));
      } else {
        const T* xrow = image + off * in_w * C + group * Cg;
        if (contiguous) {
          const Index lo = std::min(kw, std::max<Index>(0, -iw0));
          const Index hi = std::max(lo, std::min(kw, in_w - iw0));
          std::fill(dst, dst + lo * C, T(0));
          copy_short(xrow + (iw0 + lo) * C, (hi - lo) * C, dst + lo * C);
          std::fill(dst + hi * C, dst + run, T(0));
        } else {
          for (Index tw = 0; tw < kw; ++tw) {
            const Index iw = iw0 + tw * dw;
            if (iw >= 0 && iw < in_w)
              copy_short(xrow + iw * C, Cg, dst + tw * Cg);
            else
              std::fill(dst + tw * Cg, dst + (tw + 1) * Cg, T(0));
          }
        }
      }
      for (std::size_t ax = W; ax-- > 0;) {  // next outer tap (odometer)
        if (++t[ax] < g.kernel[ax]) break;
        t[ax] = 0;
      }
    }
    for (std::size_t ax = static_cast<std::size_t>(N); ax-- > 0;) {  // next output pixel
      if (++o[ax] < g.output[ax]) break;
      o[ax] = 0;
    }
  }
}

}  // namespace detail

/// Scratch elements conv_forward needs per thread slot (0 for the pointwise path). Pass
/// `pool.num_threads()` times this many elements.
/// With `channels_first_output` each slot also holds one output tile (written to y transposed).
template <typename T, int N>
Index conv_scratch_per_slot(const ConvGeometry<N>& g, bool channels_first_output = false) {
  const Index rows = detail::conv_tile_rows<T>(g);
  const Index tile_out = channels_first_output ? (rows * (g.filters / g.groups) + 15) / 16 * 16 : 0;
  if (detail::conv_is_pointwise(g)) return tile_out;
  return (rows * detail::conv_row_length(g) + 15) / 16 * 16 + tile_out;
}

/// y (batch, output..., F) = activation(conv(x, kernel) + bias), channels_last.
/// x: (batch, input..., C); kernel: Keras layout (k..., C/groups, F); bias: F values or null.
/// The activation is applied when element-wise; softmax is left to the caller (it reduces over
/// the final output's last axis). scratch: pool.num_threads() * conv_scratch_per_slot values.
/// With `channels_first_output`, y is written (batch, F, output...) instead: each finished tile
/// is transposed from the slot's scratch straight into y (no separate pass over the output).
template <typename T, int N>
void conv_forward(const ConvGeometry<N>& g, const T* x, const T* kernel, const T* bias, T* y,
                  const ActivationFunction& activation, T* scratch, const ThreadPool& pool,
                  bool channels_first_output = false) {
  const Index pixels = detail::product(g.output);
  const Index in_pixels = detail::product(g.input);
  const Index C = g.channels, F = g.filters, G = g.groups, Cg = C / G, Fg = F / G;
  const Index kg = detail::conv_row_length(g);
  const Index tile = detail::conv_tile_rows<T>(g);
  const Index tiles = (pixels + tile - 1) / tile;
  const bool pointwise = detail::conv_is_pointwise(g);
  const Index slot_size = conv_scratch_per_slot<T>(g, channels_first_output);
  const Index im2col_size = pointwise ? 0 : (tile * kg + 15) / 16 * 16;
  // The bias starts gemm's sums; only a non-linear element-wise activation needs a pass.
  const bool epilogue = activation.elementwise() && !activation.is_linear();
  pool.parallel_for(g.batch * G * tiles, [&](Index task, int slot) {
    const Index n = task / (G * tiles);
    const Index grp = (task / tiles) % G;
    const Index p0 = (task % tiles) * tile;
    const Index rows = std::min(tile, pixels - p0);
    const T* image = x + n * in_pixels * C;
    T* const slot_scratch = scratch + static_cast<Index>(slot) * slot_size;
    // The tile's output: straight into y (channels_last) or into scratch, then transposed.
    T* out = channels_first_output ? slot_scratch + im2col_size : y + (n * pixels + p0) * F + grp * Fg;
    const Index ldo = channels_first_output ? Fg : F;
    const T* tile_bias = bias ? bias + grp * Fg : nullptr;
    if (pointwise) {
      gemm_bias(rows, Fg, Cg, image + p0 * C + grp * Cg, C, kernel + grp * Fg, F, out, ldo, tile_bias);
    } else {
      detail::im2col_tile(g, image, grp, p0, rows, slot_scratch);
      gemm_bias(rows, Fg, kg, slot_scratch, kg, kernel + grp * Fg, F, out, ldo, tile_bias);
    }
    if (epilogue) bias_activation_rows(out, rows, Fg, ldo, static_cast<const T*>(nullptr), activation);
    if (channels_first_output)
      detail::transpose_block(out, Fg, y + (n * F + grp * Fg) * pixels + p0, pixels, rows, Fg);
  });
}

}  // namespace ktl::kernels
