// Shared main of every benchmark program: measures the machine's FMA peak for 1 and 2 threads,
// prints how the program was built, runs Google Benchmark with a plain table (one header, plain
// numbers: GFLOP/s, peak%, GB/s in fixed columns, other counters after them), and returns 1 when
// a case failed (a peer computed other numbers than ktl), so that the ctest smoke runs catch it.
// --benchmark_format=json|csv prints Google Benchmark's own formats instead of the table;
// --benchmark_out=<file> writes JSON for tools/bench_summary.py as usual.
#include <cstdio>
#include <cstring>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "harness.hpp"
#include "peak.hpp"

namespace {

/// Time unit suffix of Google Benchmark's units.
const char* unit_name(benchmark::TimeUnit u) {
  switch (u) {
    case benchmark::kNanosecond: return "ns";
    case benchmark::kMicrosecond: return "us";
    case benchmark::kMillisecond: return "ms";
    case benchmark::kSecond: return "s";
  }
  return "?";
}

/// A console table: the header once, then one line per run with plain numbers (no "/s"
/// suffixes, no SI prefixes): time, CPU time, iterations, GFLOP/s, peak%, GB/s, then any other
/// counters as name=value.
class TableReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context& context) override {
    PrintBasicContext(&GetErrorStream(), context);
    name_width_ = std::max<std::size_t>(context.name_field_width, 10);
    return true;
  }

  void ReportRuns(const std::vector<Run>& runs) override {
    std::ostream& out = GetOutputStream();
    if (!printed_header_) {
      out << std::left << std::setw(static_cast<int>(name_width_)) << "case" << std::right
          << std::setw(14) << "time" << std::setw(14) << "CPU" << std::setw(11) << "iterations"
          << std::setw(10) << "GFLOP/s" << std::setw(8) << "peak%" << std::setw(9) << "GB/s"
          << "  other\n"
          << std::string(name_width_ + 66, '-') << "\n";
      printed_header_ = true;
    }
    for (const Run& run : runs) {
      out << std::left << std::setw(static_cast<int>(name_width_)) << run.benchmark_name()
          << std::right;
      if (run.error_occurred) {
        out << "  ERROR: " << run.error_message << "\n";
        continue;
      }
      const char* unit = unit_name(run.time_unit);
      out << std::setw(11) << fixed(run.GetAdjustedRealTime(), 3) << " " << std::setw(2) << unit
          << std::setw(11) << fixed(run.GetAdjustedCPUTime(), 3) << " " << std::setw(2) << unit
          << std::setw(11) << run.iterations;
      out << std::setw(10) << counter(run, "GFLOP/s", 1) << std::setw(8) << counter(run, "peak%", 1)
          << std::setw(9) << counter(run, "GB/s", 1) << " ";
      for (const auto& [name, c] : run.counters)
        if (name != "GFLOP/s" && name != "peak%" && name != "GB/s")
          out << " " << name << "=" << std::setprecision(4) << c.value;
      out << "\n";
    }
    out.flush();
  }

 private:
  static std::string fixed(double v, int digits) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(digits) << v;
    return s.str();
  }
  static std::string counter(const Run& run, const char* name, int digits) {
    const auto it = run.counters.find(name);
    return it == run.counters.end() ? std::string("-") : fixed(it->second.value, digits);
  }

  std::size_t name_width_ = 10;
  bool printed_header_ = false;
};

/// True when the command line asks for Google Benchmark's json or csv format on stdout.
bool wants_library_format(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    if (std::strncmp(a, "--benchmark_format=", 19) == 0 && std::strcmp(a + 19, "console") != 0)
      return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  const bool release = std::strcmp(KTL_BENCH_BUILD_TYPE, "Release") == 0 &&
                       std::strcmp(KTL_BENCH_OPTIMIZATION, "-O3") == 0;
  ktl::bench::peak_gflops[1] = ktl::bench::measure_fma_peak(1);
  ktl::bench::peak_gflops[2] = ktl::bench::measure_fma_peak(2);
  std::fprintf(stderr, "ktl benchmarks: build type '%s', %s%s\n", KTL_BENCH_BUILD_TYPE,
               KTL_BENCH_OPTIMIZATION, release ? "" : " -- NOT Release -O3, timings are not meaningful");
  std::fprintf(stderr,
               "ktl benchmarks: measured float FMA peak %.1f GFLOP/s (1 thread), %.1f GFLOP/s "
               "(2 threads), %s\n",
               ktl::bench::peak_gflops[1], ktl::bench::peak_gflops[2], ktl::bench::peak_isa());
#if defined(KTL_HAVE_DNNL)
  std::fprintf(stderr, "ktl benchmarks: oneDNN peer enabled\n");
#else
  std::fprintf(stderr, "ktl benchmarks: oneDNN peer not built (install libdnnl-dev and reconfigure)\n");
#endif
#if defined(KTL_HAVE_XNNPACK)
  std::fprintf(stderr, "ktl benchmarks: XNNPACK peer enabled\n");
#else
  std::fprintf(stderr,
               "ktl benchmarks: XNNPACK peer not built (install libxnnpack-dev libpthreadpool-dev "
               "and reconfigure)\n");
#endif
  benchmark::AddCustomContext("ktl_build_type", KTL_BENCH_BUILD_TYPE);
  benchmark::AddCustomContext("ktl_optimization", KTL_BENCH_OPTIMIZATION);
  benchmark::AddCustomContext("ktl_isa", ktl::bench::peak_isa());
  benchmark::AddCustomContext("ktl_peak_gflops_1", std::to_string(ktl::bench::peak_gflops[1]));
  benchmark::AddCustomContext("ktl_peak_gflops_2", std::to_string(ktl::bench::peak_gflops[2]));

  const bool library_format = wants_library_format(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  TableReporter table;
  if (library_format)
    benchmark::RunSpecifiedBenchmarks();
  else
    benchmark::RunSpecifiedBenchmarks(&table);
  benchmark::Shutdown();
  if (ktl::bench::any_case_failed) {
    std::fprintf(stderr, "ktl benchmarks: some cases FAILED (see ERROR lines)\n");
    return 1;
  }
  return 0;
}
