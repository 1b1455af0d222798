#!/bin/sh
# getting_started.sh DOC.md BUILD_DIR — runs a guide literally, as a new user would.
#
# Markers in the guide (HTML comments, invisible when rendered), each on its own line before
# a fenced block:
#   <!-- file: NAME -->     write the next block to NAME in the project directory
#   <!-- run -->            run the next block with sh -eu in the project directory
#   <!-- run: process -->   the same, only where `arca backends` says process is available
#   <!-- expect: TEXT -->   (after a run marker) the block's output must contain TEXT (runs of
#                           spaces compare equal, so column alignment does not matter)
# Arca is installed from BUILD_DIR into a temporary prefix (cmake --install), which is put on
# PATH and CMAKE_PREFIX_PATH; the project directory is new and outside the source tree; the dev
# platform lives in the project directory. The test fails if a block fails, an expected text
# is missing, or the guide has lost its markers.
set -eu
doc=$1
build=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/arca-getting-started.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
prefix=$tmp/prefix
project=$tmp/greeter
blocks=$tmp/blocks
mkdir -p "$project" "$blocks"

fail() {
    echo "docs_getting_started: FAILED: $*" >&2
    exit 1
}

# ---- extract ----
# Files go straight into the project; run blocks become blocks/NNN.sh with NNN.cond ("always"
# or "process") and NNN.expect (one text per line).
awk -v project="$project" -v blocks="$blocks" '
    function flush_marker() { pending_file = ""; pending_run = ""; }
    /^<!-- file: .* -->$/ {
        name = $0; sub(/^<!-- file: /, "", name); sub(/ -->$/, "", name)
        if (name ~ /(^|\/)\.\.(\/|$)/ || name ~ /^\//) { print "bad file name: " name > "/dev/stderr"; exit 3 }
        pending_file = name; next
    }
    /^<!-- run(: process)? -->$/ {
        n++; pending_run = sprintf("%s/%03d", blocks, n)
        print (($0 ~ /process/) ? "process" : "always") > (pending_run ".cond")
        printf "" > (pending_run ".expect")
        next
    }
    /^<!-- expect: .* -->$/ {
        if (pending_run == "") { print "expect without run: " $0 > "/dev/stderr"; exit 3 }
        t = $0; sub(/^<!-- expect: /, "", t); sub(/ -->$/, "", t)
        print t >> (pending_run ".expect"); next
    }
    /^```/ {
        if (in_block) { in_block = 0; if (out != "") close(out); out = ""; next }
        in_block = 1
        if (pending_file != "") out = project "/" pending_file
        else if (pending_run != "") out = pending_run ".sh"
        else out = ""
        if (out != "") printf "" > out
        flush_marker(); next
    }
    in_block && out != "" { print >> out; next }
    END { if (in_block) { print "unterminated code block" > "/dev/stderr"; exit 3 } }
' "$doc" || fail "cannot extract the code blocks of $doc"

for f in greeter.edl enclave.c host.c enclave.conf CMakeLists.txt; do
    [ -s "$project/$f" ] || fail "$doc no longer provides $f (marker <!-- file: $f --> missing?)"
done
nruns=$(find "$blocks" -name "*.sh" | wc -l)
[ "$nruns" -ge 5 ] || fail "$doc has only $nruns runnable blocks (markers lost?)"
grep -l process "$blocks"/*.cond >/dev/null || fail "$doc has no block for the process backend"
echo "extracted $(find "$project" -type f | wc -l) files and $nruns shell blocks from $doc"

# ---- install Arca as a user would ----
cmake --install "$build" --prefix "$prefix" >/dev/null || fail "cmake --install $build"
PATH="$prefix/bin:$PATH"
CMAKE_PREFIX_PATH="$prefix"
ARCA_PLATFORM_DIR="$project/.arca-platform"
# The guide's C code must compile without warnings.
CFLAGS="-Wall -Wextra -Werror"
export PATH CMAKE_PREFIX_PATH ARCA_PLATFORM_DIR CFLAGS
unset ARCA_BACKEND ARCA_RUNNER LDFLAGS 2>/dev/null || true
[ "$(command -v arca)" = "$prefix/bin/arca" ] || fail "the installed arca is not first on PATH"

process=0
if arca backends --json | grep -q '"name": "process", "available": true'; then
    process=1
else
    echo "NOTICE: the process backend is not available here; the guide's process blocks are skipped:"
    arca backends | sed -n 's/^process *unavailable: /    /p'
fi

# ---- run ----
cd "$project"
for script in "$blocks"/*.sh; do
    base=${script%.sh}
    if [ "$(cat "$base.cond")" = process ] && [ "$process" = 0 ]; then
        echo "--- SKIPPED (no process backend): $(head -1 "$script")"
        continue
    fi
    echo "--- running block $(basename "$base"):"
    sed 's/^/    $ /' "$script"
    if ! sh -eu "$script" >"$base.out" 2>&1; then
        cat "$base.out"
        fail "block $(basename "$base") failed"
    fi
    cat "$base.out"
    tr -s ' ' <"$base.out" >"$base.squeezed"
    while IFS= read -r text; do
        [ -n "$text" ] || continue
        grep -qF -- "$(echo "$text" | tr -s ' ')" "$base.squeezed" ||
            fail "block $(basename "$base"): output lacks \"$text\""
    done <"$base.expect"
done
echo "docs_getting_started: every block of $doc ran as written (process backend: $([ "$process" = 1 ] && echo yes || echo skipped))"
