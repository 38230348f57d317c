#!/usr/bin/env bash
# README command 2 (and CI): configures, builds and runs every test, in these legs:
#   1. GCC Release, warnings as errors: unit, golden, package, header (C++17), compile-fail and
#      example tests, plus a one-iteration smoke run of every benchmark program;
#   2. the unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer (built at -O0:
#      Eigen-heavy tests compile 2.4x faster than at -O1, which keeps the whole script under
#      10 minutes on a 2-core machine), without the compile-fail checks (label compile_fail),
#      which no sanitizer can change;
#   3. the threading tests (tests/threads: the pool, every layer family called by 8 threads
#      while the default pool is resized) under ThreadSanitizer, that executable alone.
# KTL_TEST_LEGS="release asan tsan" (default) selects legs; KTL_JOBS sets build parallelism (2).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh libgtest-dev libgmock-dev libbenchmark-dev
jobs="${KTL_JOBS:-2}"
legs="${KTL_TEST_LEGS:-release asan tsan}"
start=$SECONDS

leg_release() {
  local build=build/test-release
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DKTL_WARNINGS_AS_ERRORS=ON \
        -DKTL_BUILD_TESTS=ON -DKTL_BUILD_EXAMPLES=ON -DKTL_BUILD_BENCHMARKS=ON
  cmake --build "$build" -j"$jobs"
  ctest --test-dir "$build" --output-on-failure -j"$jobs" --timeout 600
}

leg_asan() {
  local build=build/test-asan
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g1" \
        -DKTL_WARNINGS_AS_ERRORS=ON -DKTL_SANITIZE=address,undefined \
        -DKTL_BUILD_TESTS=ON -DKTL_BUILD_EXAMPLES=OFF -DKTL_BUILD_BENCHMARKS=OFF \
        -DKTL_PACKAGE_TESTS=OFF
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
        -DKTL_PACKAGE_TESTS=OFF
  cmake --build "$build" -j"$jobs" --target ktl_threads_tests
  # Run directly: ctest would also list the executables this leg does not build.
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 "$build/tests/threads/ktl_threads_tests"
}

for leg in $legs; do
  echo "=== ktl test leg: $leg"
  leg_start=$SECONDS
  "leg_$leg"
  echo "=== ktl test leg $leg passed in $((SECONDS - leg_start)) s"
done
echo "=== ktl: all test legs ($legs) passed in $((SECONDS - start)) s"
