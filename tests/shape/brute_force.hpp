// Brute-force definitions of docs/semantics.md Appendix A for the shape tests, written from the
// words of the document (count the windows that fit, count stride positions, search paddings,
// scatter every input and tap) with no closed formula, so they check shape/conv_shape.hpp
// independently. Test-only; shared by the shape test files.
#pragma once

#include <algorithm>
#include <cstddef>
#include <ktl/shape/conv_shape.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

namespace ktl::shape {
/// Readable failure messages for padding pairs.
inline void PrintTo(const Pads& p, std::ostream* os) {
  *os << "(" << p.before << ", " << p.after << ")";
}
}  // namespace ktl::shape

namespace ktl_test_shape {

using ktl::Index;
using ktl::Padding;
using ktl::shape::Pads;

inline const char* mode_name(Padding p) {
  switch (p) {
    case Padding::valid:
      return "valid";
    case Padding::same:
      return "same";
    case Padding::causal:
      return "causal";
  }
  return "?";
}

/// Offsets of the taps of a kernel of size k with dilation d, relative to the window start.
inline std::vector<Index> taps(Index k, Index d) {
  std::vector<Index> offsets;
  Index position = 0;
  for (Index t = 0; t < k; ++t, position += d) offsets.push_back(position);
  return offsets;
}

/// Number of input positions from the first tap to the last one, both included.
inline Index bf_effective(Index k, Index d) {
  const std::vector<Index> offsets = taps(k, d);
  Index covered = 0;
  for (Index p = offsets.front(); p <= offsets.back(); ++p) ++covered;
  return covered;
}

/// Number of window starts 0, s, 2s, ... whose every tap lies inside [0, len).
inline Index bf_windows(Index len, Index k, Index s, Index d) {
  Index count = 0;
  for (Index start = 0; start < len; start += s) {
    bool fits = true;
    for (Index offset : taps(k, d)) fits = fits && start + offset < len;
    if (fits) ++count;
  }
  return count;
}

/// Number of stride positions in [0, len): 0, s, 2s, ...
inline Index bf_stride_positions(Index len, Index s) {
  Index count = 0;
  for (Index p = 0; p < len; ++p)
    if (p % s == 0) ++count;
  return count;
}

/// TF's 'same' split found by search: the least total padding that lets every stride position
/// start a full window, then the split whose halves differ by at most one, the larger one after.
inline Pads bf_same_split(Index len, Index k, Index s, Index d) {
  const Index wanted = bf_stride_positions(len, s);
  Index total = 0;
  while (bf_windows(len + total, k, s, d) < wanted) ++total;
  Index before = 0;
  while (!(total - before == before || total - before == before + 1)) ++before;
  return {before, total - before};
}

/// Causal: the least left padding with which window 0 reads nothing to the right of input 0
/// (so output t never sees inputs after t*s); nothing after.
inline Pads bf_causal_split(Index k, Index d) {
  Index before = 0;
  for (;;) {
    bool reads_future = false;
    for (Index offset : taps(k, d)) reads_future = reads_future || offset - before > 0;
    if (!reads_future) return {before, 0};
    ++before;
  }
}

/// Forward output length: valid counts the windows that fit; same counts stride positions; causal
/// counts the windows that fit the left-padded input.
inline Index bf_conv_len(Index len, Index k, Index s, Index d, Padding p) {
  switch (p) {
    case Padding::valid:
      return bf_windows(len, k, s, d);
    case Padding::same:
      return bf_stride_positions(len, s);
    case Padding::causal:
      return bf_windows(len + bf_causal_split(k, d).before, k, s, d);
  }
  return -1;
}

inline Pads bf_split(Index len, Index k, Index s, Index d, Padding p) {
  switch (p) {
    case Padding::valid:
      return {0, 0};
    case Padding::same:
      return bf_same_split(len, k, s, d);
    case Padding::causal:
      return bf_causal_split(k, d);
  }
  return {-1, -1};
}

/// One past the last output position reached by scattering every input i and tap t to i*s + t*d.
inline Index bf_scatter_extent(Index in, Index k, Index s, Index d) {
  Index last = 0;
  for (Index i = 0; i < in; ++i)
    for (Index offset : taps(k, d)) last = std::max(last, i * s + offset);
  return last + 1;
}

/// Keras' transposed length by construction. None: valid is the smallest length that holds the
/// whole scatter and gives each input a full stride; same is the longest length whose forward
/// 'same' convolution gives back `in` (searched). op given: the scatter, with floor(K/2) trimmed
/// from each end for same, then op more positions.
inline Index bf_tconv_len(Index in, Index k, Index s, Index d, Padding p, std::optional<Index> op) {
  const Index extent = bf_scatter_extent(in, k, s, d);
  if (!op) {
    if (p == Padding::valid) return std::max(extent, bf_stride_positions(in * s, 1));
    Index longest = 0;
    for (Index len = 1; len <= extent + s; ++len)
      if (bf_stride_positions(len, s) == in) longest = len;
    return longest;
  }
  Index trim = 0;  // same: the largest h with 2h <= K
  if (p == Padding::same)
    while (2 * (trim + 1) <= bf_effective(k, d)) ++trim;
  Index kept = 0;
  for (Index pos = trim; pos < extent - trim; ++pos) ++kept;
  return kept + *op;
}

/// (output, input, tap) triples of the scatter: input i, tap t lands on i*s + t*d - q in [0, out).
inline std::vector<std::tuple<Index, Index, Index>> scatter_pairs(Index in, Index out, Index k,
                                                                  Index s, Index d, Index q) {
  std::vector<std::tuple<Index, Index, Index>> pairs;
  for (Index i = 0; i < in; ++i)
    for (Index t = 0; t < k; ++t)
      if (const Index o = i * s + t * d - q; o >= 0 && o < out) pairs.emplace_back(o, i, t);
  std::sort(pairs.begin(), pairs.end());
  return pairs;
}

/// The same triples read off the forward convolution of length `out` (brute-force length and
/// split): forward output i, tap t reads input position i*s + t*d - before.
inline std::vector<std::tuple<Index, Index, Index>> forward_pairs(Index out, Index k, Index s,
                                                                  Index d, Padding p) {
  const Index before = bf_split(out, k, s, d, p).before;
  std::vector<std::tuple<Index, Index, Index>> pairs;
  for (Index i = 0; i < bf_conv_len(out, k, s, d, p); ++i)
    for (Index t = 0; t < k; ++t)
      if (const Index o = i * s + t * d - before; o >= 0 && o < out) pairs.emplace_back(o, i, t);
  std::sort(pairs.begin(), pairs.end());
  return pairs;
}

inline std::string op_name(std::optional<Index> op) {
  return op ? "op" + std::to_string(*op) : std::string("opNone");
}

/// Cropped length by construction: drop `before` elements from the front and `after` from the back.
inline Index bf_crop_len(Index len, Index before, Index after) {
  std::vector<Index> kept;
  for (Index i = 0; i < len; ++i) kept.push_back(i);
  kept.erase(kept.begin(), kept.begin() + before);
  kept.erase(kept.end() - after, kept.end());
  return static_cast<Index>(kept.size());
}

/// Zero-padded length by construction: `before` zeros, the input, `after` zeros.
inline Index bf_pad_len(Index len, Index before, Index after) {
  std::vector<Index> padded(static_cast<std::size_t>(before), 0);
  for (Index i = 0; i < len; ++i) padded.push_back(i + 1);
  padded.insert(padded.end(), static_cast<std::size_t>(after), 0);
  return static_cast<Index>(padded.size());
}

/// Up-sampled length by construction: every element repeated `size` times.
inline Index bf_upsample_len(Index len, Index size) {
  std::vector<Index> repeated;
  for (Index i = 0; i < len; ++i)
    for (Index r = 0; r < size; ++r) repeated.push_back(i);
  return static_cast<Index>(repeated.size());
}

}  // namespace ktl_test_shape
