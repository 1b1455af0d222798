#!/bin/sh
# oe_helloworld.sh BUILD_DIR SAMPLE_DIR WORK_DIR — builds examples/oe-helloworld out of tree the
# way its README says: installs BUILD_DIR into WORK_DIR/prefix (cmake --install), then configures
# the sample against it with find_package(Arca) (CMAKE_PREFIX_PATH) and builds it into
# WORK_DIR/build. The tests that run it (sim, process) use what this leaves in WORK_DIR.
set -eu
build=$1
sample=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >"$work/install.log" 2>&1 || {
    cat "$work/install.log"; echo "oe_helloworld: cmake --install failed"; exit 1; }
# The compiler of the build that made the runtime, so that the sample is built like it.
cc=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")
cmake -S "$sample" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" \
    -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$work/build" -j2
[ -x "$work/build/host/helloworld_host" ] || { echo "oe_helloworld: no host built"; exit 1; }
[ -f "$work/build/enclave/enclave.signed.so" ] || { echo "oe_helloworld: no signed enclave"; exit 1; }
"$work/prefix/bin/arca" inspect "$work/build/enclave/enclave.signed.so"
echo "oe_helloworld: built out of tree against $work/prefix"
