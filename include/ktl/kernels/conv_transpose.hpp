// Transposed convolution kernel (channels_last, N = 1, 2, 3 spatial axes) without zero insertion:
// a sub-pixel decomposition. Output position o of an axis receives tap t of input
// i = (o + q - t*d) / s exactly when t*d = (o + q) mod s (mod s), so the outputs split into s
// residue classes ("phases") per axis, and each phase is a small dense correlation over the input
// with its own subset of taps. The kernel gathers, per output pixel, only the taps that land on it
// (border pixels get their own, smaller tap lists): no inserted zeros, no multiplication by a
// padding zero, every output written by exactly one task, so results are bit-identical for any
// thread count. The only wasted lanes are the SIMD tail when F is not a multiple of 16 (8 for
// double): the packed kernel pads F with zero columns whose results are discarded.
//
// Why not GEMM + col2im: with K = C (64-128 here) the GEMM is short and the k^N*F-wide column
// buffer must be written and gathered again; the register-tiled direct kernel below reads each
// input value from L1 and each packed weight row (C x Fp per tap, 8-128 KB) from L1/L2 and keeps
// R x V accumulators in registers for the whole C*taps reduction, so its only scratch is a few
// index lists and one tile per thread (well inside L2).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

#include <ktl/core/tensor.hpp>
#include <ktl/kernels/index_math.hpp>
#include <ktl/activations.hpp>
#include <ktl/core/parallel.hpp>
#include <ktl/core/workspace.hpp>

namespace ktl::kernels {

/// Sizes of one transposed convolution, per spatial axis from outer to inner. `before` is the
/// alignment q of shape::conv_transpose_before: input i, tap t lands on output i*s + t*d - q.
template <int N>
struct ConvTransposeGeometry {
  static_assert(N >= 1 && N <= 3, "ktl::kernels::ConvTransposeGeometry<N>: N is the spatial rank; use 1, 2 or 3");
  Index batch = 1;
  std::array<Index, static_cast<std::size_t>(N)> input{};
  std::array<Index, static_cast<std::size_t>(N)> output{};
  std::array<Index, static_cast<std::size_t>(N)> kernel{};
  std::array<Index, static_cast<std::size_t>(N)> strides{};
  std::array<Index, static_cast<std::size_t>(N)> dilation{};
  std::array<Index, static_cast<std::size_t>(N)> before{};
  Index channels = 0;  ///< input channels C
  Index filters = 0;   ///< output channels F
};

/// Row length of the packed kernel: F rounded up to a whole 64-byte line (16 floats, 8 doubles),
/// independent of the instruction set so that packed weights mean the same in every TU.
template <typename S>
constexpr Index packed_filters(Index filters) {
  constexpr Index line = static_cast<Index>(64 / sizeof(S));
  return (filters + line - 1) / line * line;
}

/// Repacks Keras' transposed kernel (k..., F, C) into (k..., C, Fp), Fp = packed_filters(F),
/// the padding columns zero. `taps` is prod(k). Done once per layer (construction/set_weights).
template <typename S>
void pack_conv_transpose_kernel(const S* keras, Index taps, Index filters, Index channels,
                                S* packed) {
  const Index fp = packed_filters<S>(filters);
  for (Index t = 0; t < taps; ++t)
    for (Index c = 0; c < channels; ++c) {
      S* row = packed + (t * channels + c) * fp;
      for (Index f = 0; f < filters; ++f) row[f] = keras[(t * filters + f) * channels + c];
      for (Index f = filters; f < fp; ++f) row[f] = S(0);
    }
}

/// Copies the bias (F) into `packed` (Fp = packed_filters(F) values, the tail zero), the form
/// conv_transpose reads it in (whole SIMD packets).
template <typename S>
void pack_conv_transpose_bias(const S* bias, Index filters, S* packed) {
  const Index fp = packed_filters<S>(filters);
  for (Index f = 0; f < fp; ++f) packed[f] = f < filters ? bias[f] : S(0);
}

namespace detail {

template <typename S>
struct Simd {
  using Packet = typename Eigen::internal::packet_traits<S>::type;
  static constexpr int lanes = Eigen::internal::unpacket_traits<Packet>::size;
#if defined(__AVX512F__) || defined(__aarch64__)
  static constexpr int max_packets = 4;  // 32 vector registers: 6 x 4 accumulators fit
#else
  static constexpr int max_packets = 2;  // 16 registers: 6 x 2 accumulators
#endif
  /// Rows (output pixels) of the register tile for V packets of filters.
  static constexpr int rows(int v) {
    return max_packets == 4 ? (v == 4 ? 6 : v == 3 ? 8 : v == 2 ? 12 : 8) : (v == 2 ? 6 : 8);
  }
};

/// Register tile: R output pixels x V packets of filters. For every tap (input offset, packed
/// weight offset) and channel c it broadcasts the R input values and multiplies them by the V
/// weight packets. Pixel r reads x + xoff[t] + shift + r*x_step (the offsets are combined before
/// the pointer moves, so it never leaves the input), writes y + r*y_step. Loop order: taps,
/// channels, then the R x V FMAs, so the accumulators stay in registers for the whole reduction.
template <typename S, int R, int V>
void tile(const S* x, Index shift, Index x_step, const Index* xoff, const Index* woff, Index ntaps,
          Index channels, const S* w, Index ldw, const S* bias, S* y, Index y_step) {
  using Packet = typename Simd<S>::Packet;
  constexpr int L = Simd<S>::lanes;
  Packet acc[static_cast<std::size_t>(R)][static_cast<std::size_t>(V)];
  // The accumulators start at the bias (zero without one): no separate pass over the output.
  for (int v = 0; v < V; ++v) {
    const Packet b0 = bias ? Eigen::internal::ploadu<Packet>(bias + v * L)
                           : Eigen::internal::pset1<Packet>(S(0));
    for (int r = 0; r < R; ++r) acc[r][v] = b0;
  }
  for (Index t = 0; t < ntaps; ++t) {
    const S* xp = x + (xoff[t] + shift);
    const S* wp = w + woff[t];
    for (Index c = 0; c < channels; ++c) {
      Packet wv[static_cast<std::size_t>(V)];
      for (int v = 0; v < V; ++v) wv[v] = Eigen::internal::ploadu<Packet>(wp + c * ldw + v * L);
      for (int r = 0; r < R; ++r) {
        const Packet xb = Eigen::internal::pset1<Packet>(xp[r * x_step + c]);
        for (int v = 0; v < V; ++v) acc[r][v] = Eigen::internal::pmadd(xb, wv[v], acc[r][v]);
      }
    }
  }
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < V; ++v) Eigen::internal::pstoreu(y + r * y_step + v * L, acc[r][v]);
}

/// Runs `rows` pixels (rows <= Simd::rows(V)) through tiles of V packets, largest tiles first.
template <typename S, int V>
void tile_rows(Index rows, const S* x, Index shift, Index x_step, const Index* xoff,
               const Index* woff, Index ntaps, Index channels, const S* w, Index ldw,
               const S* bias, S* y, Index y_step) {
  constexpr int RM = Simd<S>::rows(V);
  while (rows > 0) {
    if (rows >= RM) {
      tile<S, RM, V>(x, shift, x_step, xoff, woff, ntaps, channels, w, ldw, bias, y, y_step);
      rows -= RM, shift += RM * x_step, y += RM * y_step;
    } else if (RM > 4 && rows >= 4) {
      tile<S, (RM > 4 ? 4 : 1), V>(x, shift, x_step, xoff, woff, ntaps, channels, w, ldw, bias, y, y_step);
      rows -= 4, shift += 4 * x_step, y += 4 * y_step;
    } else if (rows >= 2) {
      tile<S, 2, V>(x, shift, x_step, xoff, woff, ntaps, channels, w, ldw, bias, y, y_step);
      rows -= 2, shift += 2 * x_step, y += 2 * y_step;
    } else {
      tile<S, 1, V>(x, shift, x_step, xoff, woff, ntaps, channels, w, ldw, bias, y, y_step);
      rows -= 1, shift += x_step, y += y_step;
    }
  }
}

/// One run of `rows` output pixels (consecutive m along the innermost axis, all F filters): full
/// blocks of max_packets packets go straight to y; a ragged last block goes through `tmp`.
template <typename S>
void run_pixels(Index rows, const S* x, Index shift, Index x_step, const Index* xoff,
                const Index* woff, Index ntaps, Index channels, const S* w, const S* bias,
                Index filters, S* y, Index y_step, S* tmp) {
  constexpr int L = Simd<S>::lanes;
  constexpr int VM = Simd<S>::max_packets;
  const Index ldw = packed_filters<S>(filters);
  for (Index f0 = 0; f0 < filters; f0 += VM * L) {
    const Index width = std::min<Index>(VM * L, filters - f0);
    const int v = static_cast<int>((width + L - 1) / L);
    const bool ragged = width != static_cast<Index>(v) * L;
    // A ragged block computes whole packets into tmp (rows x v*L), then copies `width` columns.
    const Index max_rows = Simd<S>::rows(v);
    for (Index r0 = 0; r0 < rows; r0 += max_rows) {
      const Index nr = std::min(max_rows, rows - r0);
      S* dst = ragged ? tmp : y + r0 * y_step + f0;
      const Index dst_step = ragged ? static_cast<Index>(v) * L : y_step;
      const Index sr = shift + r0 * x_step;
      switch (v) {
        case 1: tile_rows<S, 1>(nr, x, sr, x_step, xoff, woff, ntaps, channels, w + f0, ldw, bias ? bias + f0 : nullptr, dst, dst_step); break;
        case 2: tile_rows<S, 2>(nr, x, sr, x_step, xoff, woff, ntaps, channels, w + f0, ldw, bias ? bias + f0 : nullptr, dst, dst_step); break;
        case 3:
          if constexpr (VM >= 3) tile_rows<S, (VM >= 3 ? 3 : 1)>(nr, x, sr, x_step, xoff, woff, ntaps, channels, w + f0, ldw, bias ? bias + f0 : nullptr, dst, dst_step);
          break;
        default:
          if constexpr (VM >= 4) tile_rows<S, (VM >= 4 ? 4 : 1)>(nr, x, sr, x_step, xoff, woff, ntaps, channels, w + f0, ldw, bias ? bias + f0 : nullptr, dst, dst_step);
          break;
      }
      if (ragged)
        for (Index r = 0; r < nr; ++r)
          std::copy(tmp + r * dst_step, tmp + r * dst_step + width, y + (r0 + r) * y_step + f0);
    }
  }
}

/// Element-wise activation of `rows` pixels of `channels` values, `ld` apart: one call over the
/// whole block when the pixels are contiguous (the activation works in SIMD blocks, so calls on
/// short rows, e.g. F = 1, would waste most of each block).
template <typename S>
void activate_rows(S* y, Index rows, Index channels, Index ld, const ActivationFunction& f) {
  if (ld == channels)
    apply_elementwise(f, y, rows * channels);
  else
    for (Index r = 0; r < rows; ++r) apply_elementwise(f, y + r * ld, channels);
}

/// Per-axis tap table, sorted by residue class rho = t*d mod s and then by tap: the taps of class
/// rho are entries taps_of(rho) = [lo, hi), each tap[j] with shift delta[j] = (t*d - rho) / s, so
/// that the tap reads input m - delta for output o = m*s + rho - q. Only the classes that hold a
/// tap are stored (3k values), so the table's size depends on the kernel, never on the stride.
struct AxisTaps {
  const Index* tap;
  const Index* delta;
  const Index* residue;
  Index count;
  /// The entries [lo, hi) of residue class rho (empty when no tap lands on it).
  std::array<Index, 2> taps_of(Index rho) const {
    const Index* lo = std::lower_bound(residue, residue + count, rho);
    const Index* hi = std::upper_bound(lo, residue + count, rho);
    return {static_cast<Index>(lo - residue), static_cast<Index>(hi - residue)};
  }
};

}  // namespace detail

namespace detail {
constexpr Index tile_values = 12 * 4 * 16;  // >= rows(v) * v * lanes on every instruction set
constexpr Index stage_rows = 24;  // channels_first output: pixels staged per block (6, 8, 12 | 24)
/// Scratch layout: per-axis tap tables (3k values each), then per worker slot 7 index lists of
/// prod(k) values, a tile buffer and (for channels_first output) a staging block of stage_rows x
/// Fp values: sized by the kernel and the filters, never by strides or dilation rates.
/// Returns {table bytes, offset of the tile buffer, offset of the stage block, bytes per slot}.
template <typename S, int N>
constexpr std::array<Index, 4> scratch_layout(const ConvTransposeGeometry<N>& g) {
  Index tables = 0, taps = 1;
  for (std::size_t a = 0; a < static_cast<std::size_t>(N); ++a) {
    tables += 3 * g.kernel[a];
    taps *= g.kernel[a];
  }
  const Index table_bytes = Workspace::round_up(static_cast<Index>(sizeof(Index)) * tables);
  const Index list_bytes = Workspace::round_up(static_cast<Index>(sizeof(Index)) * 7 * taps);
  const Index tile_end = list_bytes + Workspace::round_up(static_cast<Index>(sizeof(S)) * tile_values);
  const Index stage_bytes =
      Workspace::round_up(static_cast<Index>(sizeof(S)) * stage_rows * packed_filters<S>(g.filters));
  return {table_bytes, list_bytes, tile_end, tile_end + stage_bytes};
}
}  // namespace detail

/// Bytes of scratch memory conv_transpose needs for `slots` worker threads.
template <typename S, int N>
Index conv_transpose_scratch_bytes(const ConvTransposeGeometry<N>& g, int slots) {
  const auto layout = detail::scratch_layout<S, N>(g);
  return layout[0] + layout[3] * slots;
}

/// y (batch, O..., F) = transposed convolution of x (batch, I..., C) with the packed kernel
/// (k..., C, Fp) from pack_conv_transpose_kernel, plus bias (null, or Fp values: F biases and
/// zeros, see pack_conv_transpose_bias; it seeds the accumulators), then `activation` if
/// it is element-wise (softmax is left to the caller). Parallel over fixed tasks (batch item,
/// outer output coordinates, chunk of 64 pixels per innermost-axis phase): bit-identical results for
/// any thread count. `scratch` holds conv_transpose_scratch_bytes(g, pool.num_threads()) bytes,
/// 64-byte aligned. With `channels_first_output` y is written as (batch, F, O...) directly: each
/// block of pixels is staged (bias and activation applied there) and stored filter by filter,
/// which is cheaper than a separate transpose of the whole output.
template <typename S, int N>
void conv_transpose(const ConvTransposeGeometry<N>& g, const S* x, const S* packed_kernel,
                    const S* bias, const ActivationFunction& activation, S* y, void* scratch,
                    const ThreadPool& pool, bool channels_first_output = false) {
  constexpr std::size_t W = static_cast<std::size_t>(N - 1);  // innermost spatial axis
  const Index C = g.channels, F = g.filters, Fp = packed_filters<S>(F);
  const ActivationFunction epilogue_act =
      activation.elementwise() ? activation : ActivationFunction(Activation::linear);
  const bool nonlinear = !epilogue_act.is_linear();

  // Per-axis tap tables, sorted by residue class (then by tap, the order every pixel sums its
  // taps in). t*d <= (k-1)*d fits Index: the layer checked the effective kernel.
  auto* tables = static_cast<Index*>(scratch);
  std::array<detail::AxisTaps, static_cast<std::size_t>(N)> axes{};
  Index max_taps = 1;
  {
    Index* p = tables;
    for (std::size_t a = 0; a < static_cast<std::size_t>(N); ++a) {
      const Index k = g.kernel[a], s = g.strides[a], d = g.dilation[a];
      Index* tap = p;
      Index* delta = p + k;
      Index* residue = p + 2 * k;
      p += 3 * k;
      for (Index t = 0; t < k; ++t) tap[t] = t;
      std::sort(tap, tap + k, [d, s](Index t0, Index t1) {
        const Index r0 = t0 * d % s, r1 = t1 * d % s;
        return r0 != r1 ? r0 < r1 : t0 < t1;
      });
      for (Index j = 0; j < k; ++j) {
        residue[j] = tap[j] * d % s;
        delta[j] = (tap[j] * d - residue[j]) / s;
      }
      axes[a] = {tap, delta, residue, k};
      max_taps *= k;
    }
  }
  const auto layout = detail::scratch_layout<S, N>(g);
  auto* slot_base = static_cast<unsigned char*>(scratch) + layout[0];
  const Index list_bytes = layout[1], stage_offset = layout[2], slot_bytes = layout[3];

  // Task grid: batch x outer output pixels x chunks of the innermost axis (all its phases).
  Index outer = 1;
  for (std::size_t a = 0; a < W; ++a) outer *= g.output[a];
  const Index sw = g.strides[W], qw = g.before[W], Ow = g.output[W], Iw = g.input[W];
  constexpr Index chunk = 64;
  const Index chunks = (detail::floor_div(Ow - 1, sw) + 1 + chunk - 1) / chunk;
  const Index tasks = g.batch * outer * chunks;

  pool.parallel_for(tasks, [&](Index task, int slot) {
    const Index ci = task % chunks;
    const Index oi = (task / chunks) % outer;
    const Index n = task / chunks / outer;

    unsigned char* mem = slot_base + slot * slot_bytes;
    Index* xoff = reinterpret_cast<Index*>(mem);
    Index* woff = xoff + max_taps;
    Index* dw = woff + max_taps;
    Index* exoff = dw + max_taps;
    Index* ewoff = exoff + max_taps;
    Index* outer_x = ewoff + max_taps;    // input row offset of each valid outer tap combination
    Index* outer_t = outer_x + max_taps;  // its flat outer tap index
    S* tmp = reinterpret_cast<S*>(mem + list_bytes);
    S* stage = reinterpret_cast<S*>(mem + stage_offset);

    // Outer axes: output coordinate -> residue and m; collect the valid outer tap combinations
    // (odometer over the outer axes, innermost fastest).
    std::array<Index, static_cast<std::size_t>(N)> o_coord{}, m_coord{}, rho{};
    {
      Index r = oi;
      for (std::size_t a = W; a-- > 0;) {
        o_coord[a] = r % g.output[a];
        r /= g.output[a];
        const Index u = o_coord[a] + g.before[a];
        rho[a] = u % g.strides[a];
        m_coord[a] = u / g.strides[a];
      }
    }
    Index nouter = 0;
    {
      std::array<Index, static_cast<std::size_t>(N)> j{}, lo{}, hi{};
      bool done = false;
      for (std::size_t a = 0; a < W; ++a) {
        const auto range = axes[a].taps_of(rho[a]);
        lo[a] = range[0];
        hi[a] = range[1];
        j[a] = lo[a];
        if (lo[a] == hi[a]) done = true;
      }
      while (!done) {
        bool valid = true;
        Index xrow = n, tap_index = 0;
        for (std::size_t a = 0; a < W && valid; ++a) {
          const Index i = m_coord[a] - axes[a].delta[j[a]];
          valid = i >= 0 && i < g.input[a];  // (a far-off i must not enter the offset)
          xrow = xrow * g.input[a] + (valid ? i : 0);
          tap_index = tap_index * g.kernel[a] + axes[a].tap[j[a]];
        }
        if (valid) {
          outer_x[nouter] = xrow * Iw * C;
          outer_t[nouter] = tap_index;
          ++nouter;
        }
        std::size_t a = W;
        done = W == 0;
        while (a > 0) {
          --a;
          if (++j[a] < hi[a]) break;
          j[a] = lo[a];
          if (a == 0) done = true;
        }
      }
    }

    Index yrow = n;
    for (std::size_t a = 0; a < W; ++a) yrow = yrow * g.output[a] + o_coord[a];
    S* yrow_ptr = y + yrow * Ow * F;
    // Consecutive pixels of one phase are sw outputs apart; with sw >= O a phase has one pixel
    // (and sw * F might not fit Index).
    const Index y_step = sw < Ow ? sw * F : 0;
    const Index spatial_out = outer * Ow;

    // Every innermost phase of this chunk, so that a task completes whole output lines. The
    // phases that hold outputs are the residues of u = o + q for o in [0, O): all s of them when
    // s <= O, else the O residues of q .. q + O - 1; so the loop runs min(s, O) times, however
    // large the stride.
    const Index phases = std::min(sw, Ow);
    for (Index phase = 0; phase < phases; ++phase) {
      const Index rho_w = (qw + phase) % sw;
      // Innermost-axis range of m for this phase and chunk: o = m*s + rho - q in [0, O).
      const Index m_first = -detail::floor_div(-(qw - rho_w), sw);  // ceil((q - rho) / s)
      const Index m_last = detail::floor_div(Ow - 1 + qw - rho_w, sw);
      const Index m0 = m_first + ci * chunk;
      const Index m1 = std::min(m_last, m0 + chunk - 1);
      if (m0 > m1) continue;

      // Taps of this phase: outer combinations x innermost taps of residue rho_w. A tap reads
      // input m - delta; one that no m in [m0, m1] reads inside [0, Iw) adds nothing to this
      // chunk and is left out (with a large dilation most taps are). Input offsets are taken
      // relative to m0 (xoff = outer row + (m0 - delta) * C, pixel m adds (m - m0) * C), so
      // every offset stays within the input even when m itself is huge (a large 'same'
      // alignment q).
      const auto wr = axes[W].taps_of(rho_w);
      Index ntaps = 0, dmin = 0, dmax = 0;
      for (Index jo = 0; jo < nouter; ++jo)
        for (Index jw = wr[0]; jw < wr[1]; ++jw) {
          const Index delta = axes[W].delta[jw];
          if (delta > m1 || delta <= m0 - Iw) continue;
          xoff[ntaps] = outer_x[jo] + (m0 - delta) * C;
          woff[ntaps] = (outer_t[jo] * g.kernel[W] + axes[W].tap[jw]) * C * Fp;
          dw[ntaps] = delta;
          dmin = ntaps == 0 ? delta : std::min(dmin, delta);
          dmax = ntaps == 0 ? delta : std::max(dmax, delta);
          ++ntaps;
        }

      // Computes `rows` pixels from m_start with the given taps and writes them with the epilogue.
      auto emit = [&](Index m_start, Index rows, const Index* xo, const Index* wo, Index nt) {
        if (!channels_first_output) {
          S* yp = yrow_ptr + (m_start * sw + rho_w - qw) * F;
          detail::run_pixels(rows, x, (m_start - m0) * C, C, xo, wo, nt, C, packed_kernel, bias, F, yp, y_step, tmp);
          if (nonlinear) detail::activate_rows(yp, rows, F, y_step, epilogue_act);
          return;
        }
        for (Index r0 = 0; r0 < rows; r0 += detail::stage_rows) {
          const Index nr = std::min(detail::stage_rows, rows - r0);
          detail::run_pixels(nr, x, (m_start + r0 - m0) * C, C, xo, wo, nt, C, packed_kernel, bias, F, stage, Fp, tmp);
          // The padding columns of the stage are activated too (and dropped): one long call.
          if (nonlinear) apply_elementwise(epilogue_act, stage, nr * Fp);
          S* yb = y + n * F * spatial_out + oi * Ow + (m_start + r0) * sw + rho_w - qw;
          for (Index f = 0; f < F; ++f)
            for (Index r = 0; r < nr; ++r) yb[f * spatial_out + r * sw] = stage[r * Fp + f];
        }
      };
      // Interior: every innermost tap reads inside [0, Iw); the rest get their own tap subsets.
      const Index in_lo = ntaps > 0 ? dmax : m0, in_hi = ntaps > 0 ? Iw - 1 + dmin : m1;
      Index m = m0;
      while (m <= m1) {
        if (m >= in_lo && m <= in_hi) {
          const Index rows = std::min(m1, in_hi) - m + 1;
          emit(m, rows, xoff, woff, ntaps);
          m += rows;
        } else {
          Index e = 0;
          for (Index t = 0; t < ntaps; ++t)
            if (m - dw[t] >= 0 && m - dw[t] < Iw) {
              exoff[e] = xoff[t];
              ewoff[e] = woff[t];
              ++e;
            }
          emit(m, 1, exoff, ewoff, e);
          ++m;
        }
      }
    }
  });
}

}  // namespace ktl::kernels
