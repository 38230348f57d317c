// Shared main of every benchmark program: prints how it was built (a warning when it is not an
// optimised build), the machine's peak used for "% of peak", and then runs Google Benchmark.
#include <cstdio>
#include <cstring>

#include <benchmark/benchmark.h>

#include "harness.hpp"

int main(int argc, char** argv) {
  std::printf("ktl benchmarks: build type '%s'%s; peak %.0f GFLOP/s per core (KTL_PEAK_GFLOPS_PER_CORE)\n",
              KTL_BENCH_BUILD_TYPE,
              std::strcmp(KTL_BENCH_BUILD_TYPE, "Release") == 0 ? "" : " -- NOT Release, timings are not meaningful",
              ktl::bench::peak_gflops_per_core());
#if defined(KTL_HAVE_DNNL)
  std::printf("ktl benchmarks: oneDNN peer enabled\n");
#else
  std::printf("ktl benchmarks: oneDNN peer not built (install libdnnl-dev and reconfigure)\n");
#endif
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
