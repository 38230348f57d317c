// Helpers shared by the benchmark programs: fixed-seed data, throughput counters (GFLOP/s, % of
// the machine's FMA peak, GB/s) and the thread-count argument.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>

#include <benchmark/benchmark.h>

#include <ktl/core/parallel.hpp>
#include <ktl/core/tensor.hpp>

namespace ktl::bench {

/// FP32 FMA peak of one core in GFLOP/s. Default: the 2-core AMD Zen 5 (AVX-512) machine this
/// project is measured on (2 FMA units x 16 lanes x 2 flops x ~3.7 GHz = 235); override with the
/// environment variable KTL_PEAK_GFLOPS_PER_CORE on other machines.
inline double peak_gflops_per_core() {
  if (const char* env = std::getenv("KTL_PEAK_GFLOPS_PER_CORE")) return std::atof(env);
  return 235.0;
}

/// Fills a tensor with uniform values in [-1, 1) from a fixed seed.
template <typename TensorLike>
void fill_random(TensorLike& t, std::uint32_t seed = 42) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (Index i = 0; i < t.size(); ++i) t.data()[i] = static_cast<typename TensorLike::Scalar>(dist(gen));
}

/// Reports GFLOP/s and % of peak for `threads` cores; flops counts one FMA as two flops.
inline void set_flops(benchmark::State& state, double flops_per_iteration, int threads) {
  state.counters["GFLOP/s"] = benchmark::Counter(flops_per_iteration * 1e-9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak%"] = benchmark::Counter(
      flops_per_iteration * 1e-9 * 100.0 / (peak_gflops_per_core() * threads),
      benchmark::Counter::kIsIterationInvariantRate);
}

/// Reports GB/s of compulsory traffic (bytes read once plus bytes written once).
inline void set_bytes(benchmark::State& state, double bytes_per_iteration) {
  state.counters["GB/s"] = benchmark::Counter(bytes_per_iteration * 1e-9,
                                              benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace ktl::bench
