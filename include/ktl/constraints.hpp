// Keras weight constraints (keras.constraints): max_norm, non_neg, unit_norm, min_max_norm.
// Projections applied to a weight after an optimizer update (Layer::apply_constraints()).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string_view>
#include <vector>

#include <ktl/core/tensor.hpp>
#include <ktl/core/error.hpp>
#include <ktl/core/types.hpp>

namespace ktl {

/// Which projection a Constraint applies.
enum class ConstraintKind { max_norm, non_neg, unit_norm, min_max_norm };

/// Keras: keras.constraints.MaxNorm / NonNeg / UnitNorm / MinMaxNorm. Norms are Euclidean over the
/// listed `axis` entries (one norm per index of the remaining axes), eps = 1e-7 as Keras' epsilon().
/// For a conv kernel (k..., C, F) the per-filter axes are every axis but the last, e.g. {0, 1, 2}
/// for Conv2D; Keras' default axis 0 is meant for Dense kernels.
struct Constraint {
  ConstraintKind kind = ConstraintKind::non_neg;
  double min_value = 0.0;
  double max_value = 2.0;
  double rate = 1.0;
  std::vector<int> axis = {0};

  /// max_norm(max_value=2, axis=0): w * clip(norm, 0, max_value) / (eps + norm).
  static Constraint MaxNorm(double max_value = 2.0, std::vector<int> axis = {0}) {
    return {ConstraintKind::max_norm, 0.0, max_value, 1.0, std::move(axis)};
  }
  /// non_neg(): w * (w >= 0).
  static Constraint NonNeg() { return {ConstraintKind::non_neg, 0.0, 0.0, 1.0, {0}}; }
  /// unit_norm(axis=0): w / (eps + norm).
  static Constraint UnitNorm(std::vector<int> axis = {0}) {
    return {ConstraintKind::unit_norm, 0.0, 1.0, 1.0, std::move(axis)};
  }
  /// min_max_norm(min_value=0, max_value=1, rate=1, axis=0):
  /// w * (rate * clip(norm, min, max) + (1 - rate) * norm) / (eps + norm).
  static Constraint MinMaxNorm(double min_value = 0.0, double max_value = 1.0, double rate = 1.0,
                               std::vector<int> axis = {0}) {
    return {ConstraintKind::min_max_norm, min_value, max_value, rate, std::move(axis)};
  }

  /// Projects w in place (the tensor's scalar type is used throughout, as Keras uses float32).
  /// Throws invalid_options when an axis is outside [-R, R).
  template <typename S, int R>
  void apply(TensorView<S, R> w) const;

  template <typename S, int R>
  void apply(Tensor<S, R>& w) const {
    apply(mutable_view(w));
  }
};

template <typename S, int R>
void Constraint::apply(TensorView<S, R> w) const {
  if (kind == ConstraintKind::non_neg) {
    for (Index i = 0; i < w.size(); ++i) w.data()[i] = w.data()[i] >= S(0) ? w.data()[i] : S(0);
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
  // Index of the norm that each element belongs to: its coordinates on the kept axes.
  const Dims<R> dims = dims_of(w);
  auto norm_index = [&](Index flat) {
    Index key = 0, coord_stride = 1;
    for (int a = R - 1; a >= 0; --a) {
      const Index d = dims[static_cast<std::size_t>(a)];
      const Index c = flat % d;
      flat /= d;
      if (!reduced[static_cast<std::size_t>(a)]) {
        key += c * coord_stride;
        coord_stride *= d;
      }
    }
    return key;
  };
  Index groups = 1;
  for (int a = 0; a < R; ++a)
    if (!reduced[static_cast<std::size_t>(a)]) groups *= dims[static_cast<std::size_t>(a)];
  std::vector<S> sq(static_cast<std::size_t>(groups), S(0));
  for (Index i = 0; i < w.size(); ++i) sq[static_cast<std::size_t>(norm_index(i))] += w.data()[i] * w.data()[i];
  const S eps = static_cast<S>(1e-7);
  std::vector<S> factor(sq.size());
  for (std::size_t g = 0; g < sq.size(); ++g) {
    const S norm = std::sqrt(sq[g]);
    switch (kind) {
      case ConstraintKind::max_norm:
        factor[g] = std::min(std::max(norm, S(0)), static_cast<S>(max_value)) / (eps + norm);
        break;
      case ConstraintKind::unit_norm:
        factor[g] = S(1) / (eps + norm);
        break;
      case ConstraintKind::min_max_norm: {
        const S desired = static_cast<S>(rate) *
                              std::min(std::max(norm, static_cast<S>(min_value)), static_cast<S>(max_value)) +
                          (S(1) - static_cast<S>(rate)) * norm;
        factor[g] = desired / (eps + norm);
        break;
      }
      case ConstraintKind::non_neg: factor[g] = S(1); break;
    }
  }
  if (kind == ConstraintKind::unit_norm) {
    // Keras divides (w / (eps + norm)); keep that rounding rather than multiplying by 1/(...).
    for (Index i = 0; i < w.size(); ++i) {
      const S norm = std::sqrt(sq[static_cast<std::size_t>(norm_index(i))]);
      w.data()[i] = w.data()[i] / (eps + norm);
    }
    return;
  }
  for (Index i = 0; i < w.size(); ++i) w.data()[i] *= factor[static_cast<std::size_t>(norm_index(i))];
}

/// Parses Keras' constraint names (any case): max_norm / maxnorm, non_neg / nonneg, unit_norm /
/// unitnorm, min_max_norm, each with its defaults. Throws invalid_options otherwise.
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
