// Depthwise and separable convolution kernels (the compute behind DepthwiseConv1D/2D and
// SeparableConv1D/2D): raw pointers, resolved paddings, no Keras options and no exceptions. A
// channels_last kernel vectorised over channels, and a channels_first ("planar") one vectorised
// along the rows, since a layout shuffle around the channels_last kernel would cost more than the
// convolution itself. A 1-D convolution is the 2-D one with a unit height (in_h = out_h =
// kernel_h = 1).
#pragma once

#include <algorithm>
#include <cassert>
#include <cstddef>

#include <ktl/core/tensor.hpp>
#include <ktl/kernels/index_math.hpp>
#include <ktl/activations.hpp>
#include <ktl/core/parallel.hpp>
#include <ktl/kernels/epilogue.hpp>
#include <ktl/kernels/gemm.hpp>

namespace ktl::kernels {

/// Geometry of a depthwise convolution (2-D; use unit heights for 1-D). channels_last: input
/// (batch, in_h, in_w, channels), output (batch, out_h, out_w, channels * multiplier); planar
/// (channels_first): (batch, channels, in_h, in_w) -> (batch, channels * multiplier, out_h,
/// out_w). Output channel c * multiplier + m (TensorFlow's order). pad_* are the zeros before and
/// after each axis (shape::conv_padding); the output extents must be the matching
/// shape::conv_output_length. Every extent must be >= 1.
struct DepthwiseGeometry {
  Index batch = 1;
  Index in_h = 1, in_w = 1;
  Index channels = 1;    ///< C
  Index multiplier = 1;  ///< M (depth_multiplier)
  Index out_h = 1, out_w = 1;
  Index kernel_h = 1, kernel_w = 1;
  Index stride_h = 1, stride_w = 1;
  Index dilation_h = 1, dilation_w = 1;
  Index pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;

  /// Output channels C * M.
  constexpr Index out_channels() const noexcept { return channels * multiplier; }
  /// Output pixels of one batch item.
  constexpr Index out_pixels() const noexcept { return out_h * out_w; }
};

/// Packs a Keras depthwise kernel (kh, kw, C, M) into the kernels' layout (kh, kw, M, C), so that
/// the channel vector is contiguous for every multiplier index. For M = 1 this is a plain copy.
template <typename T>
void pack_depthwise_weights(const T* keras, T* packed, Index taps, Index channels, Index multiplier) {
  for (Index t = 0; t < taps; ++t)
    for (Index c = 0; c < channels; ++c)
      for (Index m = 0; m < multiplier; ++m)
        packed[(t * multiplier + m) * channels + c] = keras[(t * channels + c) * multiplier + m];
}

/// How a finished sum is turned into an output value before it is stored: nothing, + bias, or
/// + bias then the plain relu (ktl::detail::plain_relu: NaN stays NaN, as in apply_elementwise),
/// all in registers. Other activations run on the tile afterwards (bias_activation_rows /
/// apply_elementwise).
enum class Epilogue { none, bias, bias_relu };

namespace detail {

/// ktl::detail::plain_relu on every lane: x < 0 ? 0 : x, so NaN lanes stay NaN (the mask of
/// x < 0 is false for them).
template <typename Packet>
Packet relu_packet(const Packet& x) {
  namespace ei = Eigen::internal;
  using T = typename ei::unpacket_traits<Packet>::type;
  return ei::pandnot(x, ei::pcmp_lt(x, ei::pset1<Packet>(T(0))));
}

/// The taps t in [0, k) whose input position base + t * dilation lies in [0, extent):
/// [first, last). Computed once per row or pixel so the tap loops carry no bounds checks.
struct TapRange {
  Index first = 0, last = 0;
};
constexpr TapRange valid_taps(Index base, Index k, Index dilation, Index extent) {
  const Index first = base >= 0 ? 0 : ceil_div(-base, dilation);
  const Index last = std::min(k, floor_div(extent - 1 - base, dilation) + 1);
  return {first, std::max(first, last)};
}

/// Per-call constants of dw_pixels.
struct DwSteps {
  Index C, M, CM, row_stride, px_step, tap_step, w_tap;
};

/// Accumulates P pixels x one channel packet (channels [c, c + V), multiplier index m) over
/// the taps ky in [ky0, ky1), kx in [kx0, kx1) (KW > 0: kx in [0, KW) unrolled), applies the
/// epilogue and stores. x0 is the offset from x_n of channel c at pixel 0's first tap
/// (ky0, kx0), which lies inside the input; wm points at channel c of multiplier m of tap (0, 0)
/// of the packed weights.
template <typename T, int P, int KW, Epilogue E>
void dw_vectors(const T* x_n, Index x0, const T* wm, const T* bias, T* dst, const DepthwiseGeometry& g,
                const DwSteps& st, Index c, Index m, Index ky0, Index ky1, Index kx0, Index kx1) {
  namespace ei = Eigen::internal;
  using Packet = typename ei::packet_traits<T>::type;
  constexpr Index V = ei::packet_traits<T>::size;
  Packet acc[static_cast<std::size_t>(P)];
  for (int p = 0; p < P; ++p) acc[p] = ei::pset1<Packet>(T(0));
  for (Index ky = ky0; ky < ky1; ++ky) {
    const Index xr = x0 + (ky - ky0) * g.dilation_h * st.row_stride;
    const T* wr = wm + ky * g.kernel_w * st.w_tap;
    if constexpr (KW > 0) {
      Packet wv[static_cast<std::size_t>(KW)];
      for (int kx = 0; kx < KW; ++kx) wv[kx] = ei::ploadu<Packet>(wr + kx * st.w_tap);
      const T* xp = x_n + xr;
      for (int p = 0; p < P; ++p, xp += st.px_step)
        for (int kx = 0; kx < KW; ++kx)
          acc[p] = ei::pmadd(ei::ploadu<Packet>(xp + kx * st.tap_step), wv[kx], acc[p]);
    } else {
      for (Index kx = kx0; kx < kx1; ++kx) {
        const T* xp = x_n + (xr + (kx - kx0) * st.tap_step);
        const Packet wv = ei::ploadu<Packet>(wr + kx * st.w_tap);
        for (int p = 0; p < P; ++p)
          acc[p] = ei::pmadd(ei::ploadu<Packet>(xp + p * st.px_step), wv, acc[p]);
      }
    }
  }
  if (st.M == 1) {
    Packet bv = ei::pset1<Packet>(T(0));
    if constexpr (E != Epilogue::none) bv = ei::ploadu<Packet>(bias + c);
    for (int p = 0; p < P; ++p) {
      Packet r = acc[p];
      if constexpr (E != Epilogue::none) r = ei::padd(r, bv);
      if constexpr (E == Epilogue::bias_relu) r = relu_packet(r);
      ei::pstoreu(dst + p * st.CM + c, r);
    }
  } else {
    alignas(64) T lanes[static_cast<std::size_t>(V)];
    for (int p = 0; p < P; ++p) {
      ei::pstoreu(lanes, acc[p]);
      T* out = dst + p * st.CM + c * st.M + m;
      for (Index v = 0; v < V; ++v) {
        T r = lanes[v];
        if constexpr (E != Epilogue::none) r += bias[(c + v) * st.M + m];
        if constexpr (E == Epilogue::bias_relu) r = ktl::detail::plain_relu(r);
        out[v * st.M] = r;
      }
    }
  }
}

/// Computes P output pixels of one output row that share the tap range [kx0, kx1) (all of them
/// when the pixels are interior), for every channel and multiplier index, applies the epilogue
/// and stores the results at dst (pixel stride C*M).
///
/// Loop order and why: the channel vector (Eigen packet: 16 floats with AVX-512, 8 with AVX, 4
/// with SSE/NEON, 1 without SIMD) is innermost so each tap is one packed multiply-add per pixel;
/// P pixels are register-blocked so one weight load feeds P independent FMA
/// chains (hiding the FMA latency); taps are looped inside the channel block so the
/// accumulators stay in registers and each output vector is stored once. With a compile-time
/// kernel width KW the weight vectors of a kernel row are loaded once and the pixel loop walks
/// one pointer, which keeps the address arithmetic out of the FMA loop. Every pixel sums its
/// taps in the same (ky, kx) order whichever path computes it, so results depend neither on the
/// tiling nor on the thread count. Pixel p reads input columns ix0 + p * stride_w +
/// kx * dilation_w of rows iy_base + ky * dilation_h, ky in [ky0, ky1).
template <typename T, int P, int KW, Epilogue E>
void dw_pixels(const T* x_n, const T* w, const T* bias, T* dst, const DepthwiseGeometry& g,
               Index iy_base, Index ky0, Index ky1, Index ix0, Index kx0, Index kx1) {
  constexpr Index V = Eigen::internal::packet_traits<T>::size;
  const Index C = g.channels, M = g.multiplier;
  // Offsets are taken from the first tap inside the input, (ky0, kx0): with several taps inside,
  // (taps - 1) * dilation < the input extent, and P > 1 pixels come only from interior blocks,
  // whose stride is below the input width; so no step or offset leaves Index, however large
  // the padding, stride or dilation (one tap inside: the step is never used).
  const Index tap_step = kx1 - kx0 > 1 ? g.dilation_w * C : 0;
  const Index px_step = P > 1 ? g.stride_w * C : 0;
  const DwSteps st{C, M, C * M, g.in_w * C, px_step, tap_step, M * C};
  const Index row_stride = st.row_stride;
  const Index w_tap = st.w_tap, CM = st.CM;
  const Index c_vec = V > 1 ? C / V * V : 0;
  const Index x0 = ky0 < ky1 && kx0 < kx1 ? (iy_base + ky0 * g.dilation_h) * row_stride +
                                                (ix0 + kx0 * g.dilation_w) * C
                                          : 0;
  for (Index m = 0; m < M; ++m) {
    const T* wm = w + m * C;
    Index c = 0;
    for (; c < c_vec; c += V)
      dw_vectors<T, P, KW, E>(x_n, x0 + c, wm + c, bias, dst, g, st, c, m, ky0, ky1, kx0, kx1);
    for (; c < C; ++c) {  // channels left over by the packets: the same sums, one lane at a time
      T acc[static_cast<std::size_t>(P)];
      for (int p = 0; p < P; ++p) acc[p] = T(0);
      for (Index ky = ky0; ky < ky1; ++ky) {
        const Index xr = x0 + (ky - ky0) * g.dilation_h * row_stride + c;
        const T* wr = wm + ky * g.kernel_w * w_tap + c;
        for (Index kx = kx0; kx < kx1; ++kx) {
          const T wv = wr[kx * w_tap];
          const T* xp = x_n + (xr + (kx - kx0) * tap_step);
          for (int p = 0; p < P; ++p) acc[p] += xp[p * px_step] * wv;
        }
      }
      for (int p = 0; p < P; ++p) {
        T r = acc[p];
        if constexpr (E != Epilogue::none) r += bias[c * M + m];
        if constexpr (E == Epilogue::bias_relu) r = ktl::detail::plain_relu(r);
        dst[p * CM + c * M + m] = r;
      }
    }
  }
}

/// Output pixels [ox_begin, ox_end) of output row oy of one batch item, written to dst (pixel
/// stride C*M) through epilogue E. Border pixels (some tap in the padding) are done one at a time
/// with their clipped tap range, so no tap loop tests bounds; interior pixels in register blocks
/// of 8 (kernel widths 3 and 5 with compile-time tap loops), then one at a time.
template <typename T, Epilogue E>
void dw_row(const T* x_n, const T* w, const T* bias, T* dst, const DepthwiseGeometry& g, Index oy,
            Index ox_begin, Index ox_end) {
  constexpr int block = 8;  // measured: 4, 12 and 16 are slower
  const Index CM = g.out_channels();
  const Index iy_base = oy * g.stride_h - g.pad_top;
  const TapRange ky = valid_taps(iy_base, g.kernel_h, g.dilation_h, g.in_h);
  // Interior columns: ox * s - pad >= 0 and ox * s - pad + (kw - 1) * d <= in_w - 1.
  const Index reach = (g.kernel_w - 1) * g.dilation_w;
  Index lo = ceil_div(g.pad_left, g.stride_w);
  Index hi = floor_div(g.in_w - 1 - reach + g.pad_left, g.stride_w) + 1;
  lo = std::clamp(lo, ox_begin, ox_end);
  hi = std::clamp(hi, lo, ox_end);
  auto single = [&](Index ox) {
    const Index ix = ox * g.stride_w - g.pad_left;
    const TapRange kx = valid_taps(ix, g.kernel_w, g.dilation_w, g.in_w);
    dw_pixels<T, 1, 0, E>(x_n, w, bias, dst + (ox - ox_begin) * CM, g, iy_base, ky.first,
                          ky.last, ix, kx.first, kx.last);
  };
  auto blocks = [&](auto kw) {
    constexpr int KW = decltype(kw)::value;
    auto run = [&](Index ox) {
      dw_pixels<T, block, KW, E>(x_n, w, bias, dst + (ox - ox_begin) * CM, g, iy_base, ky.first,
                                 ky.last, ox * g.stride_w - g.pad_left, 0, g.kernel_w);
    };
    Index ox = lo;
    for (; ox + block <= hi; ox += block) run(ox);
    // A last block overlapping the previous one recomputes a few pixels (with bit-identical
    // results) instead of leaving up to 7 pixels to the slower one-pixel path.
    if (ox < hi && hi - lo >= block) {
      run(hi - block);
      ox = hi;
    }
    return ox;
  };
  for (Index ox = ox_begin; ox < lo; ++ox) single(ox);
  Index ox = g.kernel_w == 3   ? blocks(std::integral_constant<int, 3>{})
             : g.kernel_w == 5 ? blocks(std::integral_constant<int, 5>{})
                               : blocks(std::integral_constant<int, 0>{});
  for (; ox < ox_end; ++ox) single(ox);
}

}  // namespace detail

/// Depthwise results of the output pixels [pixel_begin, pixel_end) of batch item `n` (pixels
/// flattened as oy * out_w + ox), written contiguously to dst (pixel stride C*M), through
/// epilogue E (bias: C*M values, unused for Epilogue::none). w is the packed kernel (kh, kw, M, C)
/// of pack_depthwise_weights.
template <typename T, Epilogue E = Epilogue::none>
void depthwise_pixels(const T* x, const T* w, const T* bias, T* dst, const DepthwiseGeometry& g,
                      Index n, Index pixel_begin, Index pixel_end) {
  const T* x_n = x + n * g.in_h * g.in_w * g.channels;
  Index p = pixel_begin;
  while (p < pixel_end) {
    const Index oy = p / g.out_w;
    const Index ox0 = p % g.out_w;
    const Index ox1 = std::min(g.out_w, ox0 + (pixel_end - p));
    detail::dw_row<T, E>(x_n, w, bias, dst + (p - pixel_begin) * g.out_channels(), g, oy, ox0, ox1);
    p += ox1 - ox0;
  }
}

/// Output pixels per depthwise task: about 16K output values, whatever the thread count (the
/// task boundaries never depend on it, so every thread count gives the same bits).
constexpr Index depthwise_tile_pixels(const DepthwiseGeometry& g) {
  return std::clamp<Index>(16384 / std::max<Index>(1, g.out_channels()), 8, 4096);
}

/// y = activation(depthwise(x, w) + bias), channels_last. x: (batch, in_h, in_w, C); w: packed
/// (kh, kw, M, C); bias: C*M values or null; y: (batch, out_h, out_w, C*M). The activation must be
/// element-wise (softmax is left to the caller). Parallel over fixed tiles of output pixels; the
/// bias and activation run on each tile while it is in cache.
template <typename T>
void depthwise_conv(const T* x, const T* w, const T* bias, T* y, const DepthwiseGeometry& g,
                    const ActivationFunction& activation, const ThreadPool& pool) {
  assert(g.out_h == (g.in_h + g.pad_top + g.pad_bottom - (g.kernel_h - 1) * g.dilation_h - 1) / g.stride_h + 1);
  assert(g.out_w == (g.in_w + g.pad_left + g.pad_right - (g.kernel_w - 1) * g.dilation_w - 1) / g.stride_w + 1);
  const Index pixels = g.out_pixels(), CM = g.out_channels();
  const Index tile = depthwise_tile_pixels(g);
  const Index tiles = (pixels + tile - 1) / tile;
  // Plain relu (the MobileNet case) runs in registers with the bias; it needs a bias vector.
  const bool relu = activation.kind == Activation::relu && activation.alpha == 0.0 &&
                    !activation.max_value && activation.threshold == 0.0 && bias != nullptr;
  pool.parallel_for(g.batch * tiles, [&](Index task) {
    const Index n = task / tiles;
    const Index p0 = (task % tiles) * tile;
    const Index p1 = std::min(pixels, p0 + tile);
    T* out = y + (n * pixels + p0) * CM;
    if (relu) {
      depthwise_pixels<T, Epilogue::bias_relu>(x, w, bias, out, g, n, p0, p1);
    } else if (bias) {
      depthwise_pixels<T, Epilogue::bias>(x, w, bias, out, g, n, p0, p1);
      if (!activation.is_linear()) bias_activation_rows<T>(out, p1 - p0, CM, CM, nullptr, activation);
    } else {
      depthwise_pixels<T, Epilogue::none>(x, w, nullptr, out, g, n, p0, p1);
      if (!activation.is_linear()) bias_activation_rows<T>(out, p1 - p0, CM, CM, nullptr, activation);
    }
  });
}

/// Output pixels per separable task: enough rows for an efficient GEMM, with the depthwise
/// intermediate (tile x C*M) small enough to stay in L2. Independent of the thread count.
constexpr Index separable_tile_pixels(const DepthwiseGeometry& g) {
  return std::clamp<Index>(32768 / std::max<Index>(1, g.out_channels()), 16, 256);
}

/// Scratch values separable_conv needs: one intermediate tile per thread.
constexpr Index separable_scratch_size(const DepthwiseGeometry& g, int num_threads) {
  return static_cast<Index>(num_threads) * separable_tile_pixels(g) * g.out_channels();
}

/// y = activation(pointwise(depthwise(x, w)) + bias), channels_last, fused per tile of output
/// pixels: the depthwise step writes a (tile x C*M) float intermediate into the thread's scratch
/// (as TensorFlow keeps it in the tensor's type), the 1x1 step is a GEMM of it with the pointwise
/// kernel (C*M x filters, Keras' layout), then bias and activation run on the output tile.
/// scratch: separable_scratch_size(g, pool.num_threads()) values.
template <typename T>
void separable_conv(const T* x, const T* w, const T* pointwise, const T* bias, T* y,
                    const DepthwiseGeometry& g, Index filters, const ActivationFunction& activation,
                    T* scratch, const ThreadPool& pool) {
  const Index pixels = g.out_pixels(), CM = g.out_channels();
  const Index tile = separable_tile_pixels(g);
  const Index tiles = (pixels + tile - 1) / tile;
  pool.parallel_for(g.batch * tiles, [&](Index task, int slot) {
    const Index n = task / tiles;
    const Index p0 = (task % tiles) * tile;
    const Index p1 = std::min(pixels, p0 + tile);
    T* z = scratch + static_cast<Index>(slot) * tile * CM;
    T* out = y + (n * pixels + p0) * filters;
    depthwise_pixels<T, Epilogue::none>(x, w, nullptr, z, g, n, p0, p1);
    gemm(p1 - p0, filters, CM, z, CM, pointwise, filters, out, filters, false);
    bias_activation_rows(out, p1 - p0, filters, filters, bias, activation);
  });
}

// ---- channels_first (planar) path -------------------------------------------------------------
// In channels_first every (batch, channel) plane is contiguous and a depthwise convolution is an
// independent 2-D convolution per plane, so it runs on the planes directly instead of shuffling
// the whole tensor to channels_last and back. A band of output rows first copies the input rows
// it reads into a zero-padded buffer (one cheap pass), so every output column is interior and the
// vector runs along the output row without border cases.

namespace detail {

/// The padded input band of output rows [oy0, oy1): rows and width.
struct PlanarBand {
  Index rows, width;
};
constexpr PlanarBand planar_band(const DepthwiseGeometry& g, Index oy0, Index oy1) {
  return {(oy1 - oy0 - 1) * g.stride_h + (g.kernel_h - 1) * g.dilation_h + 1,
          g.pad_left + g.in_w + g.pad_right};
}

/// Copies the input rows that output rows [oy0, oy1) read from plane xp into `pad`, with the
/// zero padding written out (pad_left zeros, the row, zeros to the band's width; zero rows above
/// and below the input).
template <typename T>
void fill_planar_band(const T* xp, T* pad, const DepthwiseGeometry& g, Index oy0, Index oy1) {
  const PlanarBand b = planar_band(g, oy0, oy1);
  const Index iy0 = oy0 * g.stride_h - g.pad_top;
  for (Index r = 0; r < b.rows; ++r) {
    T* dst = pad + r * b.width;
    const Index iy = iy0 + r;
    if (iy < 0 || iy >= g.in_h) {
      std::fill(dst, dst + b.width, T(0));
      continue;
    }
    const Index right = std::max<Index>(0, b.width - g.pad_left - g.in_w);
    std::fill(dst, dst + g.pad_left, T(0));
    std::copy(xp + iy * g.in_w, xp + iy * g.in_w + std::min(g.in_w, b.width - g.pad_left),
              dst + g.pad_left);
    std::fill(dst + g.pad_left + g.in_w, dst + g.pad_left + g.in_w + right, T(0));
  }
}

/// NR output rows (band rows r0 .. r0 + NR - 1) x NQ packets of output columns from column `at`
/// (stride_w 1): NR * NQ independent FMA chains over every tap, then the epilogue; output row r
/// goes to out + r * ld. wp points at the plane's weight of tap (0, 0); taps are w_tap apart.
template <typename T, int NR, int NQ, Epilogue E>
void dw_plane_block(const T* pad, Index pad_width, const T* wp, Index w_tap, T bias_value, T* out,
                    Index ld, const DepthwiseGeometry& g, Index r0, Index at) {
  namespace ei = Eigen::internal;
  using Packet = typename ei::packet_traits<T>::type;
  constexpr Index V = ei::packet_traits<T>::size;
  Packet acc[static_cast<std::size_t>(NR)][static_cast<std::size_t>(NQ)];
  for (int r = 0; r < NR; ++r)
    for (int q = 0; q < NQ; ++q) acc[r][q] = ei::pset1<Packet>(T(0));
  const Index row_step = g.stride_h * pad_width;
  for (Index t = 0; t < g.kernel_h; ++t) {
    const T* wr = wp + t * g.kernel_w * w_tap;
    const T* base = pad + (r0 * g.stride_h + t * g.dilation_h) * pad_width + at;
    for (Index kx = 0; kx < g.kernel_w; ++kx) {
      const Packet wv = ei::pset1<Packet>(wr[kx * w_tap]);
      const T* src = base + kx * g.dilation_w;
      for (int r = 0; r < NR; ++r)
        for (int q = 0; q < NQ; ++q)
          acc[r][q] = ei::pmadd(ei::ploadu<Packet>(src + r * row_step + q * V), wv, acc[r][q]);
    }
  }
  for (int r = 0; r < NR; ++r)
    for (int q = 0; q < NQ; ++q) {
      Packet v = acc[r][q];
      if constexpr (E != Epilogue::none) v = ei::padd(v, ei::pset1<Packet>(bias_value));
      if constexpr (E == Epilogue::bias_relu) v = relu_packet(v);
      ei::pstoreu(out + (r0 + r) * ld + at + q * V, v);
    }
}

/// Output rows [oy0, oy1) of output plane j = c * M + m from the padded band `pad` (filled by
/// fill_planar_band), written to dst (row stride ld) through epilogue E with `bias_value`. With
/// stride_w 1 and rows at least one packet wide: blocks of NR rows x NQ packets (8 FMA chains),
/// a last column block overlapping the previous one (recomputing a few columns with
/// bit-identical results), single rows for the band's last rows. Otherwise one value at a time.
template <typename T, Epilogue E>
void dw_plane_rows(const T* pad, const T* w, T bias_value, T* dst, Index ld,
                   const DepthwiseGeometry& g, Index c, Index m, Index oy0, Index oy1) {
  constexpr Index V = Eigen::internal::packet_traits<T>::size;
  const Index w_tap = g.multiplier * g.channels;  // packed (k.., M, C): next tap
  const T* wp = w + m * g.channels + c;
  const Index pw = planar_band(g, oy0, oy1).width;
  const Index rows = oy1 - oy0;
  auto run = [&](auto nr, auto nq) {
    constexpr int NR = decltype(nr)::value, NQ = decltype(nq)::value;
    constexpr Index width = NQ * V;
    auto row_blocks = [&](auto nrows, Index r0) {
      constexpr int R = decltype(nrows)::value;
      Index ox = 0;
      for (; ox + width <= g.out_w; ox += width)
        dw_plane_block<T, R, NQ, E>(pad, pw, wp, w_tap, bias_value, dst, ld, g, r0, ox);
      if (ox < g.out_w)
        dw_plane_block<T, R, NQ, E>(pad, pw, wp, w_tap, bias_value, dst, ld, g, r0, g.out_w - width);
    };
    Index r = 0;
    for (; r + NR <= rows; r += NR) row_blocks(nr, r);
    for (; r < rows; ++r) row_blocks(std::integral_constant<int, 1>{}, r);
  };
  if (g.stride_w == 1 && V > 1 && g.out_w >= 2 * V) {
    run(std::integral_constant<int, 4>{}, std::integral_constant<int, 2>{});
  } else if (g.stride_w == 1 && V > 1 && g.out_w >= V) {
    run(std::integral_constant<int, 8>{}, std::integral_constant<int, 1>{});
  } else {
    for (Index r = 0; r < rows; ++r)
      for (Index ox = 0; ox < g.out_w; ++ox) {
        T acc = T(0);
        for (Index t = 0; t < g.kernel_h; ++t) {
          const T* row = pad + (r * g.stride_h + t * g.dilation_h) * pw + ox * g.stride_w;
          const T* wr = wp + t * g.kernel_w * w_tap;
          for (Index kx = 0; kx < g.kernel_w; ++kx) acc += row[kx * g.dilation_w] * wr[kx * w_tap];
        }
        if constexpr (E != Epilogue::none) acc += bias_value;
        if constexpr (E == Epilogue::bias_relu) acc = ktl::detail::plain_relu(acc);
        dst[r * ld + ox] = acc;
      }
  }
}

/// Output rows per planar depthwise task: about 4K output values of one plane.
constexpr Index planar_band_rows(const DepthwiseGeometry& g) {
  return std::clamp<Index>(4096 / std::max<Index>(1, g.out_w), 1, std::max<Index>(1, g.out_h));
}

/// Values of one padded band of `band` output rows.
constexpr Index planar_band_size(const DepthwiseGeometry& g, Index band) {
  const PlanarBand b = planar_band(g, 0, band);
  return b.rows * b.width;
}

}  // namespace detail

/// True when the planar kernels' padded input band stays proportional to the work: on each axis
/// the zeros a dilation puts between the taps, (k - 1) * (d - 1), are at most the input length,
/// so a band has at most 2 * in + k rows and columns. Otherwise (a dilated kernel far longer
/// than the input, whose taps mostly read padding) the band would be sized by the dilation
/// rate; such geometries go through the channels_last kernel on shuffled data instead.
/// (k - 1) * (d - 1) cannot overflow once the effective kernel (k - 1) * d + 1 fits.
constexpr bool planar_band_fits(const DepthwiseGeometry& g) {
  return (g.kernel_h - 1) * (g.dilation_h - 1) <= g.in_h &&
         (g.kernel_w - 1) * (g.dilation_w - 1) <= g.in_w;
}

/// Scratch values depthwise_conv_planar needs: one padded band per thread.
constexpr Index depthwise_planar_scratch_size(const DepthwiseGeometry& g, int num_threads) {
  return static_cast<Index>(num_threads) * detail::planar_band_size(g, detail::planar_band_rows(g));
}

/// The channels_first twin of depthwise_conv: x (batch, C, in_h, in_w), y (batch, C*M, out_h,
/// out_w), same packed weights, bias (C*M) or null, element-wise activation; only for
/// geometries with planar_band_fits. Parallel over fixed
/// (batch, channel, band of rows) tasks, each running every multiplier of its channel.
/// scratch: depthwise_planar_scratch_size(g, pool.num_threads()) values.
template <typename T>
void depthwise_conv_planar(const T* x, const T* w, const T* bias, T* y, const DepthwiseGeometry& g,
                           const ActivationFunction& activation, T* scratch, const ThreadPool& pool) {
  const Index band = detail::planar_band_rows(g);
  const Index bands = (g.out_h + band - 1) / band;
  const Index band_size = detail::planar_band_size(g, band);
  const Index CM = g.out_channels(), plane_in = g.in_h * g.in_w, plane_out = g.out_pixels();
  const bool relu = activation.kind == Activation::relu && activation.alpha == 0.0 &&
                    !activation.max_value && activation.threshold == 0.0 && bias != nullptr;
  pool.parallel_for(g.batch * g.channels * bands, [&](Index task, int slot) {
    const Index b = task % bands, nc = task / bands;
    const Index n = nc / g.channels, c = nc % g.channels;
    const Index oy0 = b * band, oy1 = std::min(g.out_h, oy0 + band);
    T* pad = scratch + static_cast<Index>(slot) * band_size;
    detail::fill_planar_band(x + (n * g.channels + c) * plane_in, pad, g, oy0, oy1);
    for (Index m = 0; m < g.multiplier; ++m) {
      const Index j = c * g.multiplier + m;
      T* dst = y + (n * CM + j) * plane_out + oy0 * g.out_w;
      if (relu) {
        detail::dw_plane_rows<T, Epilogue::bias_relu>(pad, w, bias[j], dst, g.out_w, g, c, m, oy0, oy1);
        continue;
      }
      if (bias)
        detail::dw_plane_rows<T, Epilogue::bias>(pad, w, bias[j], dst, g.out_w, g, c, m, oy0, oy1);
      else
        detail::dw_plane_rows<T, Epilogue::none>(pad, w, T(0), dst, g.out_w, g, c, m, oy0, oy1);
      if (activation.elementwise() && !activation.is_linear())
        apply_elementwise(activation, dst, (oy1 - oy0) * g.out_w);
    }
  });
}

/// Output rows per planar separable task: enough pixels for an efficient GEMM, the (C*M x band)
/// intermediate small enough for L2. Independent of the thread count.
constexpr Index separable_planar_band_rows(const DepthwiseGeometry& g) {
  const Index pixels = std::clamp<Index>(65536 / std::max<Index>(1, g.out_channels()), 64, 1024);
  return std::clamp<Index>(pixels / std::max<Index>(1, g.out_w), 1, std::max<Index>(1, g.out_h));
}

/// Scratch values separable_conv_planar needs: one intermediate band and one padded input band
/// per thread.
constexpr Index separable_planar_scratch_size(const DepthwiseGeometry& g, int num_threads) {
  const Index band = separable_planar_band_rows(g);
  return static_cast<Index>(num_threads) *
         (band * g.out_w * g.out_channels() + detail::planar_band_size(g, band));
}

/// The channels_first twin of separable_conv (only for geometries with planar_band_fits):
/// x (batch, C, in_h, in_w), y (batch, filters, out_h, out_w). pointwise_t is the TRANSPOSED
/// pointwise kernel (filters x C*M). Per band of output rows: the depthwise planes of the band
/// go to the thread's scratch (C*M x band pixels), one GEMM writes the band of every output
/// plane in place (y = pointwise_t * z), then bias and activation.
/// scratch: separable_planar_scratch_size(g, pool.num_threads()) values.
template <typename T>
void separable_conv_planar(const T* x, const T* w, const T* pointwise_t, const T* bias, T* y,
                           const DepthwiseGeometry& g, Index filters,
                           const ActivationFunction& activation, T* scratch, const ThreadPool& pool) {
  const Index band = separable_planar_band_rows(g);
  const Index bands = (g.out_h + band - 1) / band;
  const Index CM = g.out_channels(), plane_in = g.in_h * g.in_w, plane_out = g.out_pixels();
  const Index slot_size = band * g.out_w * CM + detail::planar_band_size(g, band);
  pool.parallel_for(g.batch * bands, [&](Index task, int slot) {
    const Index n = task / bands, b = task % bands;
    const Index oy0 = b * band, oy1 = std::min(g.out_h, oy0 + band);
    const Index px = (oy1 - oy0) * g.out_w;
    T* z = scratch + static_cast<Index>(slot) * slot_size;
    T* pad = z + band * g.out_w * CM;
    for (Index c = 0; c < g.channels; ++c) {
      detail::fill_planar_band(x + (n * g.channels + c) * plane_in, pad, g, oy0, oy1);
      for (Index m = 0; m < g.multiplier; ++m)
        detail::dw_plane_rows<T, Epilogue::none>(pad, w, T(0), z + (c * g.multiplier + m) * px,
                                                 g.out_w, g, c, m, oy0, oy1);
    }
    T* out = y + n * filters * plane_out + oy0 * g.out_w;
    gemm(filters, px, CM, pointwise_t, CM, z, px, out, plane_out, false);
    for (Index f = 0; f < filters; ++f) {
      T* row = out + f * plane_out;
      if (bias)
        for (Index i = 0; i < px; ++i) row[i] += bias[f];
      if (activation.elementwise() && !activation.is_linear()) apply_elementwise(activation, row, px);
    }
  });
}

}  // namespace ktl::kernels
