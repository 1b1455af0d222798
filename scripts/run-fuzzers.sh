#!/bin/sh
# Runs every libFuzzer target (bin/fuzz_*) of a build for a short time each, starting from
# the seed corpus in fuzz/corpus/<target>/ when there is one. Any crash fails the run.
set -eu
build=${1:-build-asan}
seconds=${2:-15}
found=0
for f in "$build"/bin/fuzz_*; do
    [ -x "$f" ] || continue
    found=$((found + 1))
    name=$(basename "$f")
    work=$(mktemp -d)
    if [ -d "fuzz/corpus/$name" ]; then
        cp -r "fuzz/corpus/$name/." "$work/"
    fi
    echo "fuzz: $name for ${seconds}s"
    if ! "$f" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 \
            -artifact_prefix="$build/" "$work" >"$build/$name.log" 2>&1; then
        tail -40 "$build/$name.log"
        echo "fuzz: $name FAILED (log: $build/$name.log)"
        rm -rf "$work"
        exit 1
    fi
    grep -E "^#[0-9]+.*DONE|Done [0-9]+ runs" "$build/$name.log" | tail -1 || true
    rm -rf "$work"
done
echo "fuzz: $found targets ran without a crash"
