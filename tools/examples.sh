#!/usr/bin/env bash
# README command 1: builds every example (Release) and runs each one.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
build=build/examples
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DKTL_BUILD_TESTS=OFF -DKTL_BUILD_EXAMPLES=ON
cmake --build "$build" -j2
for exe in "$build"/examples/example_*; do
  echo "=== ${exe##*/}"
  "$exe"
done
