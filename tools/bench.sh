#!/usr/bin/env bash
# Builds the benchmarks for this machine (Release, -O3 -march=native, with the oneDNN and XNNPACK
# peers), runs every program with JSON output, and prints the summary tables of
# tools/bench_summary.py. Installs the Debian packages it needs.
#
# Usage: tools/bench.sh [Google Benchmark options...]
#   e.g. tools/bench.sh --benchmark_repetitions=3        (medians of 3 runs per case)
#        tools/bench.sh --benchmark_min_time=0.01        (a quick smoke run; numbers are noise)
#        KTL_BENCH_PROGRAMS="bench_conv" tools/bench.sh  (one family)
# Results: build/bench/results/<program>.json, .txt (the tables as printed) and summary.md,
# which starts with the date, the CPU and this command. Run it on a quiet machine: other
# processes make every number meaningless. The summary is what benchmarks/reference.md holds.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh libbenchmark-dev libdnnl-dev libxnnpack-dev libpthreadpool-dev python3
build=build/bench
results="$build/results"
programs="${KTL_BENCH_PROGRAMS:-bench_conv bench_depthwise bench_conv_transpose bench_resize}"

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DKTL_NATIVE=ON -DKTL_BUILD_TESTS=OFF \
      -DKTL_BUILD_EXAMPLES=OFF -DKTL_BUILD_BENCHMARKS=ON -DKTL_BENCH_OPTIMIZATION=-O3
# shellcheck disable=SC2086
cmake --build "$build" -j"${KTL_JOBS:-2}" --target $programs
mkdir -p "$results"
rm -f "$results"/*.json "$results"/*.txt "$results"/summary.md

status=0
for program in $programs; do
  echo "=== $program"
  # The tiny "smoke" cases exist for ctest; -smoke leaves them out. A program returns 1 when a
  # case failed (e.g. a peer computed other numbers than ktl); the summary lists those cases.
  "$build/benchmarks/$program" --benchmark_filter=-smoke "$@" \
    --benchmark_out="$results/$program.json" --benchmark_out_format=json | tee "$results/$program.txt" ||
    status=1
done

cpu=$(LC_ALL=C lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)
{
  echo "# ktl benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- CPU: ${cpu:-unknown}, $(nproc) logical CPUs; $(uname -sr)"
  echo "- compiler: $(c++ --version | head -n 1)"
  echo "- command: \`tools/bench.sh $*\` at commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo
  /usr/bin/python3 tools/bench_summary.py "$results"/*.json
} > "$results/summary.md" || status=1
cat "$results/summary.md"
echo "=== summary written to $results/summary.md"
exit "$status"
