// Helpers shared by the benchmark programs: fixed-seed data, throughput counters (GFLOP/s, % of
// the FMA peak measured at program start, GB/s), the check that a peer library computes the same
// numbers as ktl, and the naming scheme the summary tool (tools/bench_summary.py) reads.
//
// Every case is named  <family>/<implementation>/<shape>/<data format>/threads:<n>[/<variant>]
// e.g. conv/ktl/c2d_3x3/channels_last/threads:1 or resize/memcpy/crop_2_s/any/threads:2.
// Shapes come from shapes.hpp; the shape "smoke*" marks the tiny cases ctest runs.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>

#include <benchmark/benchmark.h>

#include <ktl/core/parallel.hpp>
#include <ktl/core/tensor.hpp>

namespace ktl::bench {

/// Measured FMA peak in GFLOP/s for 1 and 2 threads (index = thread count; main.cpp fills it).
inline std::array<double, 3> peak_gflops{0.0, 0.0, 0.0};

/// Set when a case failed (a peer disagreed with ktl, a library refused a shape): main() then
/// returns 1, so the ctest smoke runs fail.
inline bool any_case_failed = false;

/// Marks the case as failed with `message` (shown in the table and in the JSON output).
inline void fail(benchmark::State& state, const std::string& message) {
  any_case_failed = true;
  state.SkipWithError(message.c_str());
}

/// "<family>/<impl>/<shape>/<format>/threads:<n>[/<variant>]".
inline std::string case_name(const std::string& family, const std::string& impl,
                             std::string_view shape, std::string_view format, int threads,
                             const std::string& variant = "") {
  std::string name = family + "/" + impl + "/" + std::string(shape) + "/" + std::string(format) +
                     "/threads:" + std::to_string(threads);
  if (!variant.empty()) name += "/" + variant;
  return name;
}

/// Fills a tensor with uniform values in [-1, 1) from a fixed seed.
template <typename TensorLike>
void fill_random(TensorLike& t, std::uint32_t seed = 42) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (Index i = 0; i < t.size(); ++i) t.data()[i] = static_cast<typename TensorLike::Scalar>(dist(gen));
}

/// Reports GFLOP/s and peak% (of the measured peak for `threads` threads); flops counts one
/// multiply-add as two flops.
inline void set_flops(benchmark::State& state, double flops_per_iteration, int threads) {
  state.counters["GFLOP/s"] = benchmark::Counter(flops_per_iteration * 1e-9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
  const double peak = peak_gflops[static_cast<std::size_t>(std::clamp(threads, 1, 2))];
  if (peak > 0.0)
    state.counters["peak%"] = benchmark::Counter(flops_per_iteration * 1e-9 * 100.0 / peak,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

/// Reports GB/s of compulsory traffic (bytes read once plus bytes written once).
inline void set_bytes(benchmark::State& state, double bytes_per_iteration) {
  state.counters["GB/s"] = benchmark::Counter(bytes_per_iteration * 1e-9,
                                              benchmark::Counter::kIsIterationInvariantRate);
}

/// Compares a peer's output with ktl's on the same input and weights:
/// max |peer - ktl| / max(1, |ktl|) <= tolerance. On a mismatch the case fails (names the first
/// bad index and both values) and false is returned. Reports the deviation as counter "max_err".
inline bool same_numbers(benchmark::State& state, const char* peer, const float* got,
                         const float* want, Index count, double tolerance) {
  double worst = 0.0;
  Index worst_at = 0;
  for (Index i = 0; i < count; ++i) {
    const double w = want[i], g = got[i];
    const double err = std::isfinite(g) ? std::abs(g - w) / std::max(1.0, std::abs(w)) : INFINITY;
    if (err > worst) {
      worst = err;
      worst_at = i;
    }
  }
  state.counters["max_err"] = worst;
  if (worst <= tolerance) return true;
  char message[256];
  std::snprintf(message, sizeof message,
                "%s differs from ktl: element %ld is %.9g, ktl computes %.9g (relative error %.3g > %.3g)",
                peer, static_cast<long>(worst_at), static_cast<double>(got[worst_at]),
                static_cast<double>(want[worst_at]), worst, tolerance);
  fail(state, message);
  return false;
}

}  // namespace ktl::bench
