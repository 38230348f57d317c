#!/usr/bin/env bash
# README command 2 (and CI): configures, builds and runs every test, in these legs:
#   1. GCC Release, warnings as errors: unit, golden, package, header (C++17), compile-fail and
#      example tests, plus a one-iteration smoke run of every benchmark program (built at -O1:
#      they only smoke-run here; with oneDNN / XNNPACK installed the smoke runs also check that
#      each peer computes ktl's numbers);
#   2. the unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer (built at -O0:
#      Eigen-heavy tests compile 2.4x faster than at -O1), without the compile-fail checks
#      (label compile_fail), which no sanitizer can change;
#   3. the threading tests (tests/threads: the pool, every layer family called by 8 threads
#      while the default pool is resized) under ThreadSanitizer, that executable alone;
#   4. fuzz: the layer fuzz target (tests/fuzz) with Clang's libFuzzer under ASan + UBSan, a
#      seeded run of a fixed number of inputs (6000, about 25 s) from the committed corpus,
#      stopped at 50 s on a busy machine.
# Every leg's test executables share one precompiled header of Eigen's Tensor module and
# GoogleTest per build (KTL_TEST_PCH), and the release and asan legs run each test executable as
# 4 GoogleTest shards instead of one process per test case (KTL_TEST_SHARDS=4): that keeps the
# whole script under 10 minutes on a 2-core machine.
# At the end it prints each leg's wall time and CPU time (user + sys of everything it ran; less
# sensitive than wall time to other processes on the machine).
# KTL_TEST_LEGS="release asan tsan fuzz" (default) selects legs; KTL_JOBS sets build parallelism
# (2); KTL_FUZZ_RUNS sets the fuzz leg's number of inputs.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh libgtest-dev libgmock-dev libbenchmark-dev
jobs="${KTL_JOBS:-2}"
legs="${KTL_TEST_LEGS:-release asan tsan fuzz}"
shards="${KTL_TEST_SHARDS:-4}"

leg_release() {
  local build=build/test-release
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DKTL_WARNINGS_AS_ERRORS=ON \
        -DKTL_BUILD_TESTS=ON -DKTL_BUILD_EXAMPLES=ON -DKTL_BUILD_BENCHMARKS=ON \
        -DKTL_BENCH_OPTIMIZATION=-O1 -DKTL_TEST_PCH=ON -DKTL_TEST_SHARDS="$shards"
  cmake --build "$build" -j"$jobs"
  ctest --test-dir "$build" --output-on-failure -j"$jobs" --timeout 600
}

leg_asan() {
  local build=build/test-asan
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g1" \
        -DKTL_WARNINGS_AS_ERRORS=ON -DKTL_SANITIZE=address,undefined \
        -DKTL_BUILD_TESTS=ON -DKTL_BUILD_EXAMPLES=OFF -DKTL_BUILD_BENCHMARKS=OFF \
        -DKTL_PACKAGE_TESTS=OFF -DKTL_TEST_PCH=ON -DKTL_TEST_SHARDS="$shards"
  cmake --build "$build" -j"$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$build" --output-on-failure -j"$jobs" -L unit -LE compile_fail --timeout 600
}

leg_tsan() {
  local build=build/test-tsan
  # GCC warns that TSan does not model atomic_thread_fence, which Eigen's thread pool uses
  # (-Wtsan); the pool's own synchronisation is what this leg checks, through ktl's calls.
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1 -Wno-tsan" \
        -DKTL_WARNINGS_AS_ERRORS=ON -DKTL_SANITIZE=thread \
        -DKTL_BUILD_TESTS=ON -DKTL_BUILD_EXAMPLES=OFF -DKTL_BUILD_BENCHMARKS=OFF \
        -DKTL_PACKAGE_TESTS=OFF -DKTL_TEST_PCH=ON
  cmake --build "$build" -j"$jobs" --target ktl_threads_tests
  # Run directly: ctest would also list the executables this leg does not build.
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 "$build/tests/threads/ktl_threads_tests"
}

leg_fuzz() {
  tools/install-deps.sh clang libclang-rt-14-dev
  local build=build/test-fuzz
  cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_CXX_FLAGS_RELEASE="-O1 -g1" -DKTL_WARNINGS_AS_ERRORS=ON \
        -DKTL_BUILD_TESTS=ON -DKTL_BUILD_FUZZ=ON -DKTL_BUILD_EXAMPLES=OFF \
        -DKTL_BUILD_BENCHMARKS=OFF -DKTL_PACKAGE_TESTS=OFF
  cmake --build "$build" -j"$jobs" --target ktl_fuzz_layers
  # New inputs go to a fresh folder; the committed corpus is only read.
  rm -rf "$build/corpus" && mkdir -p "$build/corpus"
  "$build/tests/fuzz/ktl_fuzz_layers" -seed=1 -runs="${KTL_FUZZ_RUNS:-6000}" -max_total_time=50 \
    -max_len=128 -len_control=0 -artifact_prefix="$build/" "$build/corpus" tests/fuzz/corpus
}

TIMEFORMAT="%R %U %S"  # bash's `time`: wall, user and sys seconds, children included
report=""
start=$SECONDS
for leg in $legs; do
  echo "=== ktl test leg: $leg"
  times_file=$(mktemp)
  { time "leg_$leg" 2>&3; } 3>&2 2>"$times_file"
  read -r wall user sys <"$times_file"
  rm -f "$times_file"
  line=$(printf "%-8s wall %6.0f s   CPU (user + sys) %6.0f s" "$leg" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')")
  echo "=== ktl test leg $leg passed: $line"
  report+="$line"$'\n'
done
echo "=== ktl: all test legs passed in $((SECONDS - start)) s"
printf "%s" "$report"
