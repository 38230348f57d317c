// Per-axis convolution arithmetic of shape/conv_shape.hpp (docs/semantics.md §3.1-§3.3, §3.6 and
// Appendix A): static_asserts on the §12 worked numbers, named rows from the document, and sweeps
// of generated cases checked against brute-force definitions written here from scratch (counting
// the windows that fit, counting stride positions, searching paddings, scattering every input and
// tap), never against the formulas under test.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <ktl/shape/conv_shape.hpp>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "brute_force.hpp"

namespace {

using ktl::Index;
using ktl::Padding;
using ktl::shape::Pads;
namespace shape = ktl::shape;
using namespace ktl_test_shape;  // NOLINT(google-build-using-namespace): test-only helpers

// ---------------------------------------------------------------------------------------------
// Compile time: Appendix A on the §12 worked numbers (and the §3.2 / §4.6 examples).

// effective(k, d) = d*(k-1) + 1; ceil without floating point.
static_assert(shape::effective_kernel(3, 1) == 3);
static_assert(shape::effective_kernel(3, 2) == 5);
static_assert(shape::effective_kernel(2, 2) == 3);
static_assert(shape::effective_kernel(1, 9) == 1);
static_assert(shape::ceil_div(5, 2) == 3 && shape::ceil_div(4, 2) == 2 &&
              shape::ceil_div(0, 3) == 0);

// §12.1: L 5, same, stride 1: k 2 pads (0, 1), k 4 pads (1, 2); length stays 5.
static_assert(shape::conv_output_length(5, 2, 1, 1, Padding::same) == 5);
static_assert(shape::same_padding(5, 2, 1, 1) == Pads{0, 1});
static_assert(shape::same_padding(5, 4, 1, 1) == Pads{1, 2});
static_assert(shape::conv_padding(5, 4, 1, 1, Padding::same) == Pads{1, 2});
// §12.2: L 6, k 3, s 2, same: length 3, P = 1 -> (0, 1).
static_assert(shape::conv_output_length(6, 3, 2, 1, Padding::same) == 3);
static_assert(shape::same_padding(6, 3, 2, 1) == Pads{0, 1});
// §12.3: causal k 2 d 2 -> (2, 0); k 3 d 2 -> (4, 0); k 2 d 1 s 2 on L 5 -> (1, 0), length 3.
static_assert(shape::causal_padding(2, 2) == Pads{2, 0});
static_assert(shape::conv_output_length(5, 2, 1, 2, Padding::causal) == 5);
static_assert(shape::causal_padding(3, 2) == Pads{4, 0});
static_assert(shape::conv_padding(5, 3, 1, 2, Padding::causal) == Pads{4, 0});
static_assert(shape::conv_padding(5, 2, 2, 1, Padding::causal) == Pads{1, 0});
static_assert(shape::conv_output_length(5, 2, 2, 1, Padding::causal) == 3);
// §12.3: L 6, k 3, d 2 (K 5): valid length 2; same length 6 with (2, 2).
static_assert(shape::conv_output_length(6, 3, 1, 2, Padding::valid) == 2);
static_assert(shape::conv_padding(6, 3, 1, 2, Padding::valid) == Pads{0, 0});
static_assert(shape::conv_output_length(6, 3, 1, 2, Padding::same) == 6);
static_assert(shape::same_padding(6, 3, 1, 2) == Pads{2, 2});
// §3.2: k 3, s 2: L 224 -> (0, 1), L 225 -> (1, 1); k 7, s 2, L 224 -> (2, 3), length 112.
static_assert(shape::same_padding(224, 3, 2, 1) == Pads{0, 1});
static_assert(shape::same_padding(225, 3, 2, 1) == Pads{1, 1});
static_assert(shape::same_padding(224, 7, 2, 1) == Pads{2, 3});
static_assert(shape::conv_output_length(224, 7, 2, 1, Padding::same) == 112);
// §4.6: 9 wide, k 3, d 2, valid -> 5 (not Keras 2.2.4's declared 7).
static_assert(shape::conv_output_length(9, 3, 1, 2, Padding::valid) == 5);
// §3.1: valid with L < K leaves no window (0, the layer raises).
static_assert(shape::conv_output_length(4, 3, 1, 2, Padding::valid) == 0);
// same with a stride larger than the kernel: P clamps at 0.
static_assert(shape::same_padding(5, 1, 3, 1) == Pads{0, 0});

// §12.4: I 2, k 3, s 2.
static_assert(shape::conv_transpose_output_length(2, 3, 2, 1, Padding::valid, std::nullopt) == 5);
static_assert(shape::conv_transpose_output_length(2, 3, 2, 1, Padding::valid, 0) == 5);
static_assert(shape::conv_transpose_output_length(2, 3, 2, 1, Padding::valid, 1) == 6);
static_assert(shape::conv_transpose_output_length(2, 3, 2, 1, Padding::same, std::nullopt) == 4);
static_assert(shape::conv_transpose_output_length(2, 3, 2, 1, Padding::same, 1) == 4);
static_assert(shape::conv_transpose_output_length(2, 3, 2, 1, Padding::same, 0) == 3);
static_assert(shape::conv_transpose_before(2, 5, 3, 2, 1, Padding::valid) == 0);
static_assert(shape::conv_transpose_before(2, 4, 3, 2, 1, Padding::same) == 0);
static_assert(shape::conv_transpose_before(2, 3, 3, 2, 1, Padding::same) == 1);
// §12.4: I 5, k 3, s 2: valid/None 11, same/None 10, same/op 0 -> 9, same/op 1 -> 10.
static_assert(shape::conv_transpose_output_length(5, 3, 2, 1, Padding::valid, std::nullopt) == 11);
static_assert(shape::conv_transpose_output_length(5, 3, 2, 1, Padding::same, std::nullopt) == 10);
static_assert(shape::conv_transpose_output_length(5, 3, 2, 1, Padding::same, 0) == 9);
static_assert(shape::conv_transpose_output_length(5, 3, 2, 1, Padding::same, 1) == 10);
// §12.4: even kernel k 4, s 2, I 5: None 10 (q 1), op 1 -> 9 (q 1), op 0 -> 8, which TF rejects.
static_assert(shape::conv_transpose_output_length(5, 4, 2, 1, Padding::same, std::nullopt) == 10);
static_assert(shape::conv_transpose_before(5, 10, 4, 2, 1, Padding::same) == 1);
static_assert(shape::conv_transpose_output_length(5, 4, 2, 1, Padding::same, 1) == 9);
static_assert(shape::conv_transpose_before(5, 9, 4, 2, 1, Padding::same) == 1);
static_assert(shape::conv_transpose_output_length(5, 4, 2, 1, Padding::same, 0) == 8);
static_assert(shape::conv_transpose_consistent(5, 10, 4, 2, 1, Padding::same));
static_assert(shape::conv_transpose_consistent(5, 9, 4, 2, 1, Padding::same));
static_assert(!shape::conv_transpose_consistent(5, 8, 4, 2, 1, Padding::same));
// §12.4 dilated, stride 1: I 3, k 2, d 2 (K 3): valid O 5; same O 3 with q 1.
static_assert(shape::conv_transpose_output_length(3, 2, 1, 2, Padding::valid, std::nullopt) == 5);
static_assert(shape::conv_transpose_output_length(3, 2, 1, 2, Padding::same, std::nullopt) == 3);
static_assert(shape::conv_transpose_before(3, 3, 2, 1, 2, Padding::same) == 1);
static_assert(shape::conv_transpose_consistent(3, 5, 2, 1, 2, Padding::valid));
static_assert(!shape::conv_transpose_consistent(3, 0, 2, 1, 2, Padding::valid));
// §12.5 per axis: I 2, k 3, s 2: valid 5, same 4 (None or op 1, q 0), same op 0 -> 3 (q 1).
static_assert(shape::conv_transpose_output_length(2, 3, 2, 1, Padding::same, 1) ==
              shape::conv_transpose_output_length(2, 3, 2, 1, Padding::same, std::nullopt));

// ---------------------------------------------------------------------------------------------
// Named forward rows (values from docs/semantics.md §3.2, §4.6, §12.1-§12.3 and edge cases).

struct ConvRow {
  Padding padding;
  Index L, k, s, d;
  Index out;
  Pads pads;
};

std::ostream& operator<<(std::ostream& os, const ConvRow& r) {
  return os << mode_name(r.padding) << " L=" << r.L << " k=" << r.k << " s=" << r.s << " d=" << r.d
            << " -> out " << r.out << ", pads (" << r.pads.before << ", " << r.pads.after << ")";
}

class ConvLength : public testing::TestWithParam<ConvRow> {};

TEST_P(ConvLength, MatchesDocumentAndBruteForce) {
  const ConvRow& r = GetParam();
  EXPECT_EQ(shape::conv_output_length(r.L, r.k, r.s, r.d, r.padding), r.out);
  EXPECT_EQ(shape::conv_padding(r.L, r.k, r.s, r.d, r.padding), r.pads);
  EXPECT_EQ(bf_conv_len(r.L, r.k, r.s, r.d, r.padding), r.out);
  EXPECT_EQ(bf_split(r.L, r.k, r.s, r.d, r.padding), r.pads);
}

INSTANTIATE_TEST_SUITE_P(, ConvLength,
                         testing::Values(
                             // §12.1 same, even kernels: the odd zero goes after.
                             ConvRow{Padding::same, 5, 2, 1, 1, 5, {0, 1}},
                             ConvRow{Padding::same, 5, 4, 1, 1, 5, {1, 2}},
                             ConvRow{Padding::same, 5, 3, 1, 1, 5, {1, 1}},
                             // §12.2 same with stride 2.
                             ConvRow{Padding::same, 6, 3, 2, 1, 3, {0, 1}},
                             // §3.2 stride 2 examples.
                             ConvRow{Padding::same, 224, 3, 2, 1, 112, {0, 1}},
                             ConvRow{Padding::same, 225, 3, 2, 1, 113, {1, 1}},
                             ConvRow{Padding::same, 224, 7, 2, 1, 112, {2, 3}},
                             // §12.3 causal and dilated.
                             ConvRow{Padding::causal, 5, 2, 1, 2, 5, {2, 0}},
                             ConvRow{Padding::causal, 5, 3, 1, 2, 5, {4, 0}},
                             ConvRow{Padding::causal, 5, 2, 2, 1, 3, {1, 0}},
                             ConvRow{Padding::valid, 6, 3, 1, 2, 2, {0, 0}},
                             ConvRow{Padding::same, 6, 3, 1, 2, 6, {2, 2}},
                             // §4.6 dilated valid.
                             ConvRow{Padding::valid, 9, 3, 1, 2, 5, {0, 0}},
                             // Valid: exact fit, stride leftovers, no window, 1x1 kernels.
                             ConvRow{Padding::valid, 7, 3, 2, 1, 3, {0, 0}},
                             ConvRow{Padding::valid, 8, 3, 2, 1, 3, {0, 0}},
                             ConvRow{Padding::valid, 3, 3, 1, 1, 1, {0, 0}},
                             ConvRow{Padding::valid, 2, 3, 1, 1, 0, {0, 0}},
                             ConvRow{Padding::valid, 4, 3, 1, 2, 0, {0, 0}},
                             ConvRow{Padding::valid, 5, 1, 3, 1, 2, {0, 0}},
                             // Same: stride above kernel (P clamps at 0), L = 1, stride beyond L.
                             ConvRow{Padding::same, 5, 1, 3, 1, 2, {0, 0}},
                             ConvRow{Padding::same, 7, 2, 4, 1, 2, {0, 0}},
                             ConvRow{Padding::same, 1, 3, 1, 1, 1, {1, 1}},
                             ConvRow{Padding::same, 1, 4, 2, 1, 1, {1, 2}},
                             ConvRow{Padding::same, 3, 3, 5, 1, 1, {0, 0}},
                             ConvRow{Padding::same, 10, 3, 1, 3, 10, {3, 3}},
                             // Causal with stride: ceil(L/s).
                             ConvRow{Padding::causal, 7, 3, 3, 1, 3, {2, 0}},
                             ConvRow{Padding::causal, 1, 4, 1, 1, 1, {3, 0}}),
                         [](const testing::TestParamInfo<ConvRow>& row) {
                           const ConvRow& r = row.param;
                           return std::string(mode_name(r.padding)) + "_L" + std::to_string(r.L) +
                                  "_k" + std::to_string(r.k) + "_s" + std::to_string(r.s) + "_d" +
                                  std::to_string(r.d);
                         });

// ---------------------------------------------------------------------------------------------
// Forward sweep: every L in [1, 40], k in [1, 6], d in [1, 3] for one (padding, stride) per entry.

struct Family {
  Padding padding;
  Index s;
};

std::ostream& operator<<(std::ostream& os, const Family& f) {
  return os << mode_name(f.padding) << " s=" << f.s;
}

std::string family_name(const testing::TestParamInfo<Family>& info) {
  return std::string(mode_name(info.param.padding)) + "_s" + std::to_string(info.param.s);
}

class ConvSweep : public testing::TestWithParam<Family> {};

TEST_P(ConvSweep, LengthAndSplitMatchBruteForce) {
  const Padding p = GetParam().padding;
  const Index s = GetParam().s;
  int cases = 0;
  for (Index L = 1; L <= 40; ++L)
    for (Index k = 1; k <= 6; ++k)
      for (Index d = 1; d <= 3; ++d, ++cases) {
        std::ostringstream row;
        row << mode_name(p) << " L=" << L << " k=" << k << " s=" << s << " d=" << d;
        SCOPED_TRACE(row.str());
        const Index K = bf_effective(k, d);
        ASSERT_EQ(shape::effective_kernel(k, d), K);
        const Index out = bf_conv_len(L, k, s, d, p);
        ASSERT_EQ(shape::conv_output_length(L, k, s, d, p), out);
        ASSERT_EQ(shape::ceil_div(L, s), bf_stride_positions(L, s));
        const Pads pads = bf_split(L, k, s, d, p);
        ASSERT_EQ(shape::conv_padding(L, k, s, d, p), pads);
        if (p == Padding::same) {
          ASSERT_EQ(shape::same_padding(L, k, s, d), pads);
        }
        if (p == Padding::causal) {
          ASSERT_EQ(shape::causal_padding(k, d), pads);
        }
        // Every padded mode is a valid convolution of the padded input.
        ASSERT_EQ(bf_windows(L + pads.before + pads.after, k, s, d), out);
      }
  RecordProperty("cases", cases);
}

INSTANTIATE_TEST_SUITE_P(, ConvSweep,
                         testing::Values(Family{Padding::valid, 1}, Family{Padding::valid, 2},
                                         Family{Padding::valid, 3}, Family{Padding::valid, 5},
                                         Family{Padding::same, 1}, Family{Padding::same, 2},
                                         Family{Padding::same, 3}, Family{Padding::same, 5},
                                         Family{Padding::causal, 1}, Family{Padding::causal, 2},
                                         Family{Padding::causal, 3}),
                         family_name);

// ---------------------------------------------------------------------------------------------
// Named transposed rows (docs/semantics.md §12.4, §12.5).

struct TransposeRow {
  Padding padding;
  Index I, k, s, d;
  std::optional<Index> op;
  Index out;
  Index q;
  bool consistent;
};

std::ostream& operator<<(std::ostream& os, const TransposeRow& r) {
  return os << mode_name(r.padding) << " I=" << r.I << " k=" << r.k << " s=" << r.s << " d=" << r.d
            << " " << op_name(r.op) << " -> O " << r.out << ", q " << r.q
            << (r.consistent ? "" : ", inconsistent");
}

class TransposeLength : public testing::TestWithParam<TransposeRow> {};

TEST_P(TransposeLength, MatchesDocumentAndBruteForce) {
  const TransposeRow& r = GetParam();
  EXPECT_EQ(shape::conv_transpose_output_length(r.I, r.k, r.s, r.d, r.padding, r.op), r.out);
  EXPECT_EQ(bf_tconv_len(r.I, r.k, r.s, r.d, r.padding, r.op), r.out);
  EXPECT_EQ(shape::conv_transpose_consistent(r.I, r.out, r.k, r.s, r.d, r.padding), r.consistent);
  EXPECT_EQ(bf_conv_len(r.out, r.k, r.s, r.d, r.padding) == r.I, r.consistent);
  if (r.consistent) {
    EXPECT_EQ(shape::conv_transpose_before(r.I, r.out, r.k, r.s, r.d, r.padding), r.q);
    EXPECT_EQ(bf_split(r.out, r.k, r.s, r.d, r.padding).before, r.q);
  }
}

INSTANTIATE_TEST_SUITE_P(, TransposeLength,
                         testing::Values(
                             // §12.4 table: I 2, k 3, s 2.
                             TransposeRow{Padding::valid, 2, 3, 2, 1, std::nullopt, 5, 0, true},
                             TransposeRow{Padding::valid, 2, 3, 2, 1, 0, 5, 0, true},
                             TransposeRow{Padding::valid, 2, 3, 2, 1, 1, 6, 0, true},
                             TransposeRow{Padding::same, 2, 3, 2, 1, std::nullopt, 4, 0, true},
                             TransposeRow{Padding::same, 2, 3, 2, 1, 1, 4, 0, true},
                             TransposeRow{Padding::same, 2, 3, 2, 1, 0, 3, 1, true},
                             // §12.4 textbook lengths: I 5, k 3, s 2.
                             TransposeRow{Padding::valid, 5, 3, 2, 1, std::nullopt, 11, 0, true},
                             TransposeRow{Padding::same, 5, 3, 2, 1, std::nullopt, 10, 0, true},
                             TransposeRow{Padding::same, 5, 3, 2, 1, 0, 9, 1, true},
                             TransposeRow{Padding::same, 5, 3, 2, 1, 1, 10, 0, true},
                             // §12.4 even kernel: op 0 is rejected by TensorFlow.
                             TransposeRow{Padding::same, 5, 4, 2, 1, std::nullopt, 10, 1, true},
                             TransposeRow{Padding::same, 5, 4, 2, 1, 1, 9, 1, true},
                             TransposeRow{Padding::same, 5, 4, 2, 1, 0, 8, 1, false},
                             // §12.4 dilated, stride 1: I 3, k 2, d 2.
                             TransposeRow{Padding::valid, 3, 2, 1, 2, std::nullopt, 5, 0, true},
                             TransposeRow{Padding::same, 3, 2, 1, 2, std::nullopt, 3, 1, true},
                             // §3.6 None table: valid with K < s behaves like op = s - K.
                             TransposeRow{Padding::valid, 3, 2, 4, 1, std::nullopt, 12, 0, true},
                             TransposeRow{Padding::valid, 3, 2, 4, 1, 2, 12, 0, true},
                             // Stride 1 same keeps the length; 1x1 kernels.
                             TransposeRow{Padding::same, 7, 3, 1, 1, std::nullopt, 7, 1, true},
                             TransposeRow{Padding::valid, 4, 1, 3, 1, std::nullopt, 12, 0, true}),
                         [](const testing::TestParamInfo<TransposeRow>& row) {
                           const TransposeRow& r = row.param;
                           return std::string(mode_name(r.padding)) + "_I" + std::to_string(r.I) +
                                  "_k" + std::to_string(r.k) + "_s" + std::to_string(r.s) + "_d" +
                                  std::to_string(r.d) + "_" + op_name(r.op);
                         });

// ---------------------------------------------------------------------------------------------
// Transposed sweep: I in [1, 12], k in [1, 6], d in [1, 3], output_padding None and 0..s-1.

class TransposeSweep : public testing::TestWithParam<Family> {};

TEST_P(TransposeSweep, LengthAlignmentAndConsistencyMatchBruteForce) {
  const Padding p = GetParam().padding;
  const Index s = GetParam().s;
  int cases = 0;
  for (Index I = 1; I <= 12; ++I)
    for (Index k = 1; k <= 6; ++k)
      for (Index d = 1; d <= 3; ++d) {
        const Index K = bf_effective(k, d);
        std::vector<std::optional<Index>> ops{std::nullopt};
        for (Index op = 0; op < s; ++op) ops.emplace_back(op);
        for (const std::optional<Index>& op : ops) {
          ++cases;
          std::ostringstream row;
          row << mode_name(p) << " I=" << I << " k=" << k << " s=" << s << " d=" << d << " "
              << op_name(op);
          SCOPED_TRACE(row.str());
          const Index out = bf_tconv_len(I, k, s, d, p, op);
          ASSERT_EQ(shape::conv_transpose_output_length(I, k, s, d, p, op), out);

          // TF's rule, checked by running the forward length on the output.
          const bool consistent = out >= 1 && bf_conv_len(out, k, s, d, p) == I;
          ASSERT_EQ(shape::conv_transpose_consistent(I, out, k, s, d, p), consistent);
          // §3.6: None is always consistent; with op, valid always is, same iff K is odd (for
          // even K, op 0 always fails; larger op may pass).
          if (!op || p == Padding::valid || K % 2 == 1) {
            ASSERT_TRUE(consistent);
          }
          if (op && p == Padding::same && K % 2 == 0 && *op == 0) {
            ASSERT_FALSE(consistent);
          }
          if (!consistent) continue;

          // Alignment: q is the forward 'same' before-padding on the output length, and the
          // scatter of every input and tap is exactly the adjoint of that forward convolution.
          const Index q = shape::conv_transpose_before(I, out, k, s, d, p);
          ASSERT_EQ(q, bf_split(out, k, s, d, p).before);
          ASSERT_EQ(scatter_pairs(I, out, k, s, d, q), forward_pairs(out, k, s, d, p));
          if (!op && p == Padding::valid) {
            // valid/None keeps the whole scatter.
            ASSERT_EQ(scatter_pairs(I, out, k, s, d, q).size(), static_cast<std::size_t>(I * k));
          }
        }
        // The rule on every requested length, not only Keras' own: TF accepts O exactly when
        // the forward convolution of O gives back I.
        for (Index O = 0; O <= I * s + K + s; ++O) {
          ++cases;
          ASSERT_EQ(shape::conv_transpose_consistent(I, O, k, s, d, p),
                    O >= 1 && bf_conv_len(O, k, s, d, p) == I)
              << mode_name(p) << " I=" << I << " O=" << O << " k=" << k << " s=" << s << " d=" << d;
        }
        // §3.6 None-versus-op table: the equivalent op gives the same length and alignment.
        std::optional<Index> same_as_none;
        if (p == Padding::valid) same_as_none = K >= s ? 0 : s - K;
        if (p == Padding::same && K % 2 == 1) same_as_none = s - 1;
        const Index none_out = shape::conv_transpose_output_length(I, k, s, d, p, std::nullopt);
        if (same_as_none) {
          const Index op_out = shape::conv_transpose_output_length(I, k, s, d, p, same_as_none);
          ASSERT_EQ(op_out, none_out) << "I=" << I << " k=" << k << " d=" << d;
          ASSERT_EQ(shape::conv_transpose_before(I, op_out, k, s, d, p),
                    shape::conv_transpose_before(I, none_out, k, s, d, p));
        } else {
          // same with even K: no allowed op reproduces None.
          for (Index op = 0; op < s; ++op)
            ASSERT_NE(shape::conv_transpose_output_length(I, k, s, d, p, op), none_out)
                << "I=" << I << " k=" << k << " d=" << d << " op=" << op;
        }
      }
  RecordProperty("cases", cases);
}

INSTANTIATE_TEST_SUITE_P(, TransposeSweep,
                         testing::Values(Family{Padding::valid, 1}, Family{Padding::valid, 2},
                                         Family{Padding::valid, 3}, Family{Padding::valid, 4},
                                         Family{Padding::same, 1}, Family{Padding::same, 2},
                                         Family{Padding::same, 3}, Family{Padding::same, 4}),
                         family_name);

}  // namespace
