// Keras weight constraints (keras.constraints): max_norm, non_neg, unit_norm, min_max_norm.
// Projections applied to a weight after an optimizer update (a layer's apply_constraints()).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <ktl/core/tensor.hpp>
#include <ktl/core/error.hpp>
#include <ktl/core/types.hpp>

namespace ktl {

/// Which projection a Constraint applies.
enum class ConstraintKind { max_norm, non_neg, unit_norm, min_max_norm };

/// The Keras name of a constraint kind.
inline constexpr std::string_view to_string(ConstraintKind k) noexcept {
  switch (k) {
    case ConstraintKind::max_norm: return "max_norm";
    case ConstraintKind::non_neg: return "non_neg";
    case ConstraintKind::unit_norm: return "unit_norm";
    case ConstraintKind::min_max_norm: return "min_max_norm";
  }
  return "?";
}
inline std::ostream& operator<<(std::ostream& os, ConstraintKind k) { return os << to_string(k); }

/// Keras: keras.constraints.MaxNorm / NonNeg / UnitNorm / MinMaxNorm (Keras 2.2.4).
/// Norms are Euclidean over the listed `axis` entries (negative entries count from the end), one
/// norm per index of the remaining axes, with eps = 1e-7 (Keras' epsilon()); every step is
/// rounded to the weight's scalar type in Keras' order of evaluation:
///   max_norm:     w * (clip(norm, 0, max_value) / (eps + norm))
///   unit_norm:    w / (eps + norm)
///   min_max_norm: w * ((rate * clip(norm, min_value, max_value) + (1 - rate) * norm) / (eps + norm))
///   non_neg:      w * (w >= 0)
/// clip(x, lo, hi) is Keras' K.clip: hi below lo is raised to lo. To constrain each filter of a
/// conv kernel take every axis but the filter axis: {0, 1, 2} for Conv2D (kh, kw, C, F), {0, 1}
/// for Conv1D, {0, 1, 2, 3} for Conv3D, {0, 1, 3} for Conv2DTranspose (kh, kw, F, C), {0, 1} for
/// DepthwiseConv2D. Keras' default axis 0 is meant for Dense kernels.
struct Constraint {
  ConstraintKind kind = ConstraintKind::non_neg;
  double min_value = 0.0;     ///< min_max_norm's lower bound
  double max_value = 2.0;     ///< max_norm's / min_max_norm's upper bound
  double rate = 1.0;          ///< min_max_norm's interpolation rate (1: strict projection)
  std::vector<int> axis = {0};  ///< axes the norm runs over; empty: each element alone

  /// keras.constraints.max_norm(max_value=2, axis=0).
  static Constraint MaxNorm(double max_value = 2.0, std::vector<int> axis = {0}) {
    return {ConstraintKind::max_norm, 0.0, max_value, 1.0, std::move(axis)};
  }
  /// keras.constraints.non_neg().
  static Constraint NonNeg() { return {ConstraintKind::non_neg, 0.0, 0.0, 1.0, {0}}; }
  /// keras.constraints.unit_norm(axis=0).
  static Constraint UnitNorm(std::vector<int> axis = {0}) {
    return {ConstraintKind::unit_norm, 0.0, 1.0, 1.0, std::move(axis)};
  }
  /// keras.constraints.min_max_norm(min_value=0.0, max_value=1.0, rate=1.0, axis=0).
  static Constraint MinMaxNorm(double min_value = 0.0, double max_value = 1.0, double rate = 1.0,
                               std::vector<int> axis = {0}) {
    return {ConstraintKind::min_max_norm, min_value, max_value, rate, std::move(axis)};
  }

  /// Projects w in place. Throws invalid_options when an entry of `axis` is outside [-R, R).
  template <typename S, int R>
  void apply(TensorView<S, R> w) const;

  /// Projects an owning tensor in place (same rules).
  template <typename S, int R>
  void apply(Tensor<S, R>& w) const {
    apply(mutable_view(w));
  }

  friend bool operator==(const Constraint& a, const Constraint& b) {
    return a.kind == b.kind && a.min_value == b.min_value && a.max_value == b.max_value &&
           a.rate == b.rate && a.axis == b.axis;
  }
  friend bool operator!=(const Constraint& a, const Constraint& b) { return !(a == b); }
};

template <typename S, int R>
void Constraint::apply(TensorView<S, R> w) const {
  static_assert(std::is_floating_point_v<S>, "ktl::Constraint::apply: S must be float or double");
  S* data = w.data();
  const Index n = w.size();
  if (kind == ConstraintKind::non_neg) {
    for (Index i = 0; i < n; ++i) data[i] = data[i] * static_cast<S>(data[i] >= S(0));
    return;
  }
  // Mark the reduced axes (negative axes count from the end, as in Keras).
  std::array<bool, static_cast<std::size_t>(R)> reduced{};
  for (int a : axis) {
    const int ax = a < 0 ? a + R : a;
    if (ax < 0 || ax >= R)
      detail::raise_argument("Constraint", "axis", axis,
                             "every axis must be in [-" + std::to_string(R) + ", " +
                                 std::to_string(R) + ") for a weight of rank " + std::to_string(R));
    reduced[static_cast<std::size_t>(ax)] = true;
  }
  if (n == 0) return;

  // Each element belongs to the norm indexed by its coordinates on the kept axes (row-major over
  // those axes). Walk the tensor in memory order with an odometer, keeping that index current.
  const Dims<R> dims = dims_of(w);
  std::array<Index, static_cast<std::size_t>(R)> group_stride{};
  Index groups = 1;
  for (int a = R - 1; a >= 0; --a) {
    const auto ua = static_cast<std::size_t>(a);
    group_stride[ua] = reduced[ua] ? 0 : groups;
    if (!reduced[ua]) groups *= dims[ua];
  }
  auto for_each_group = [&](auto&& body) {  // body(flat index, group index)
    std::array<Index, static_cast<std::size_t>(R)> coord{};
    Index group = 0;
    for (Index i = 0; i < n; ++i) {
      body(i, group);
      for (int a = R - 1; a >= 0; --a) {  // advance the odometer
        const auto ua = static_cast<std::size_t>(a);
        group += group_stride[ua];
        if (++coord[ua] < dims[ua]) break;
        group -= group_stride[ua] * dims[ua];
        coord[ua] = 0;
      }
    }
  };

  // Squares rounded to S as Keras computes them; their sum is accumulated in double (TensorFlow's
  // float32 reduction is tree-shaped and near exact) and rounded to S before the square root.
  using Acc = std::common_type_t<S, double>;
  std::vector<Acc> sum_sq(static_cast<std::size_t>(groups), Acc(0));
  for_each_group([&](Index i, Index g) {
    const S sq = data[i] * data[i];
    sum_sq[static_cast<std::size_t>(g)] += static_cast<Acc>(sq);
  });

  // Per norm: the denominator eps + norm (unit_norm divides by it) or the factor
  // desired / (eps + norm) (max_norm and min_max_norm multiply by it), all in S.
  const S eps = static_cast<S>(1e-7);
  const auto clip = [](S x, S lo, S hi) { return std::min(std::max(x, lo), std::max(hi, lo)); };
  std::vector<S> per_group(sum_sq.size());
  for (std::size_t g = 0; g < sum_sq.size(); ++g) {
    const S norm = std::sqrt(static_cast<S>(sum_sq[g]));
    switch (kind) {
      case ConstraintKind::unit_norm:
        per_group[g] = eps + norm;
        break;
      case ConstraintKind::max_norm:
        per_group[g] = clip(norm, S(0), static_cast<S>(max_value)) / (eps + norm);
        break;
      case ConstraintKind::min_max_norm: {
        const S desired = static_cast<S>(rate) * clip(norm, static_cast<S>(min_value),
                                                       static_cast<S>(max_value)) +
                          static_cast<S>(1.0 - rate) * norm;
        per_group[g] = desired / (eps + norm);
        break;
      }
      case ConstraintKind::non_neg: break;  // handled above
    }
  }
  if (kind == ConstraintKind::unit_norm) {
    // Keras divides (w / (eps + norm)); keep that rounding rather than multiplying by a reciprocal.
    for_each_group([&](Index i, Index g) { data[i] = data[i] / per_group[static_cast<std::size_t>(g)]; });
  } else {
    for_each_group([&](Index i, Index g) { data[i] = data[i] * per_group[static_cast<std::size_t>(g)]; });
  }
}

/// Parses Keras' constraint names, case-insensitively: max_norm / maxnorm, non_neg / nonneg,
/// unit_norm / unitnorm, min_max_norm / minmaxnorm (class names such as MaxNorm included), each
/// with its defaults. Throws invalid_options naming the argument, the received text and the
/// allowed values; `layer` prefixes the message.
inline Constraint parse_constraint(std::string_view name, std::string_view layer = "ktl") {
  const std::string n = detail::to_lower(name);
  if (n == "max_norm" || n == "maxnorm") return Constraint::MaxNorm();
  if (n == "non_neg" || n == "nonneg") return Constraint::NonNeg();
  if (n == "unit_norm" || n == "unitnorm") return Constraint::UnitNorm();
  if (n == "min_max_norm" || n == "minmaxnorm") return Constraint::MinMaxNorm();
  detail::raise_argument(layer, "constraint", std::string("\"") + std::string(name) + "\"",
                         "allowed values are \"max_norm\", \"non_neg\", \"unit_norm\", "
                         "\"min_max_norm\" (case-insensitive)");
}

}  // namespace ktl
