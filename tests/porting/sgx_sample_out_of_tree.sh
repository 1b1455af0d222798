#!/bin/sh
# sgx_sample_out_of_tree.sh SAMPLE_DIR BUILD_DIR — builds examples/sgx-sample (the SGX SDK's
# SampleEnclave, ported) as a user would: Arca installed from BUILD_DIR into a temporary prefix,
# the sample configured as a project of its own outside the source tree with find_package(Arca),
# then run on the sim and the process backend. Fails if any step fails or the app's output lacks
# a line the port must print.
set -eu
sample=$1
build=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/arca-sgx-sample.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
prefix=$tmp/prefix

fail() {
    echo "sgx_sample_out_of_tree: FAILED: $*" >&2
    exit 1
}

cmake --install "$build" --prefix "$prefix" >/dev/null || fail "cmake --install $build"
# A copy of the sample, as a user would have it: nothing of the source tree around it.
cp -R "$sample" "$tmp/SampleEnclave"
unset ARCA_BACKEND ARCA_RUNNER CFLAGS CXXFLAGS LDFLAGS 2>/dev/null || true
cmake -S "$tmp/SampleEnclave" -B "$tmp/build" -DCMAKE_PREFIX_PATH="$prefix" >"$tmp/configure.log" 2>&1 ||
    { cat "$tmp/configure.log"; fail "configure"; }
cmake --build "$tmp/build" -j2 >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; fail "build"; }
app=$tmp/build/sample_app
[ -x "$app" ] || fail "no sample_app was built"

for backend in sim process; do
    ARCA_PLATFORM_DIR="$tmp/platform" ARCA_BACKEND=$backend "$app" >"$tmp/$backend.out" 2>"$tmp/$backend.err" ||
        { cat "$tmp/$backend.out" "$tmp/$backend.err"; fail "sample_app on $backend exited with $?"; }
    cat "$tmp/$backend.out"
    for line in "Info: the enclave runs on the $backend backend." \
        "Info: edger8r array attributes passed." \
        "Info: edger8r pointer attributes passed." \
        "Info: edger8r type attributes passed." \
        "Info: edger8r function attributes passed (the private ECALL was refused: ERR_PERMISSION)." \
        "Info: libc functions passed." \
        "Info: exception caught: testing std::runtime_error" \
        "Info: std::vector::at threw std::out_of_range" \
        "Info: std::map keys: abcd" \
        "Info: 4 enclave threads counted to 2000" \
        "Info: thread functions successfully returned." \
        "Info: SampleEnclave successfully returned."; do
        grep -qxF -- "$line" "$tmp/$backend.out" || fail "$backend: the output lacks \"$line\""
    done
done
echo "sgx_sample_out_of_tree: built with find_package(Arca) from $prefix, ran on sim and process"
