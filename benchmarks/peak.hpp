// The machine's float FMA peak, measured when a benchmark program starts: a small kernel keeps
// many independent multiply-add chains of the widest vectors this build compiles for (AVX-512,
// AVX2+FMA, SSE2 or scalar, chosen by the compiler's feature macros, as ktl's kernels are) busy
// on 1 or 2 threads at once. "peak%" in the benchmark tables is measured GFLOP/s divided by this.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__)) || defined(__SSE2__)
#include <immintrin.h>
#endif

namespace ktl::bench {

/// The instruction set the peak kernel (and this build of ktl's kernels) uses.
inline const char* peak_isa() {
#if defined(__AVX512F__)
  return "AVX-512 (16 float lanes, FMA)";
#elif defined(__AVX2__) && defined(__FMA__)
  return "AVX2 (8 float lanes, FMA)";
#elif defined(__SSE2__)
  return "SSE2 (4 float lanes, multiply + add)";
#else
  return "scalar";
#endif
}

namespace detail {

/// Runs `rounds` rounds of 12 independent chains acc = acc * m + c and returns the flops done
/// (2 per lane per multiply-add). 12 chains cover the FMA latency (4 cycles) times the number of
/// FMA pipes (2) of current x86 cores with room to spare; the values converge to 1 and never
/// become denormal or infinite.
inline double fma_chains(std::int64_t rounds, float* sink) {
  constexpr int chains = 12;
#if defined(__AVX512F__)
  using V = __m512;
  constexpr int lanes = 16;
  const V m = _mm512_set1_ps(0.999f), c = _mm512_set1_ps(0.001f);
  auto step = [&](V a) { return _mm512_fmadd_ps(a, m, c); };
  auto first = [](const V& a) { return _mm512_cvtss_f32(a); };
  V acc[chains];
  for (int i = 0; i < chains; ++i) acc[i] = _mm512_set1_ps(static_cast<float>(i));
#elif defined(__AVX2__) && defined(__FMA__)
  using V = __m256;
  constexpr int lanes = 8;
  const V m = _mm256_set1_ps(0.999f), c = _mm256_set1_ps(0.001f);
  auto step = [&](V a) { return _mm256_fmadd_ps(a, m, c); };
  auto first = [](const V& a) { return _mm256_cvtss_f32(a); };
  V acc[chains];
  for (int i = 0; i < chains; ++i) acc[i] = _mm256_set1_ps(static_cast<float>(i));
#elif defined(__SSE2__)
  using V = __m128;
  constexpr int lanes = 4;
  const V m = _mm_set1_ps(0.999f), c = _mm_set1_ps(0.001f);
  auto step = [&](V a) { return _mm_add_ps(_mm_mul_ps(a, m), c); };
  auto first = [](const V& a) { return _mm_cvtss_f32(a); };
  V acc[chains];
  for (int i = 0; i < chains; ++i) acc[i] = _mm_set1_ps(static_cast<float>(i));
#else
  using V = float;
  constexpr int lanes = 1;
  const V m = 0.999f, c = 0.001f;
  auto step = [&](V a) { return a * m + c; };
  auto first = [](const V& a) { return a; };
  V acc[chains];
  for (int i = 0; i < chains; ++i) acc[i] = static_cast<float>(i);
#endif
  for (std::int64_t r = 0; r < rounds; ++r) {
    acc[0] = step(acc[0]);
    acc[1] = step(acc[1]);
    acc[2] = step(acc[2]);
    acc[3] = step(acc[3]);
    acc[4] = step(acc[4]);
    acc[5] = step(acc[5]);
    acc[6] = step(acc[6]);
    acc[7] = step(acc[7]);
    acc[8] = step(acc[8]);
    acc[9] = step(acc[9]);
    acc[10] = step(acc[10]);
    acc[11] = step(acc[11]);
  }
  float s = 0.0f;
  for (int i = 0; i < chains; ++i) s += first(acc[i]);
  *sink = s;  // keeps the chains alive
  return 2.0 * lanes * chains * static_cast<double>(rounds);
}

}  // namespace detail

/// Measured float FMA peak of `threads` threads running at once, in GFLOP/s: the best of
/// `repeats` runs of about 20 ms each (the best, because other processes only ever slow it down).
inline double measure_fma_peak(int threads, int repeats = 7) {
  constexpr std::int64_t rounds = 1 << 20;  // about 12 ms of AVX-512 work per thread at 4 GHz
  double best = 0.0;
  for (int rep = 0; rep < repeats; ++rep) {
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    std::vector<float> sinks(static_cast<std::size_t>(threads));
    std::vector<std::thread> workers;
    const auto body = [&](int t) {
      ready.fetch_add(1);
      while (!go.load()) std::this_thread::yield();
      detail::fma_chains(rounds, &sinks[static_cast<std::size_t>(t)]);
    };
    for (int t = 1; t < threads; ++t) workers.emplace_back(body, t);
    while (ready.load() != threads - 1) std::this_thread::yield();
    const auto start = std::chrono::steady_clock::now();
    go.store(true);
    const double flops = detail::fma_chains(rounds, &sinks[0]);
    for (auto& w : workers) w.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::max(best, flops * threads / seconds * 1e-9);
  }
  return best;
}

}  // namespace ktl::bench
