#!/bin/sh
# Runs every benchmark binary (bin/bench_*) of a build. Each prints its own table, comparing
# every figure with a baseline measured in the same run (absolute times here are noisy).
set -eu
build=${1:-build-bench}
found=0
for b in "$build"/bin/bench_*; do
    [ -x "$b" ] || continue
    found=$((found + 1))
    echo "== $(basename "$b")"
    ARCA_RUNNER="$build/bin/arca-runner" ARCA_PLATFORM_DIR="$build/bench-platform" "$b"
    echo
done
[ "$found" -gt 0 ] || { echo "bench: no benchmarks were built in $build" >&2; exit 1; }
