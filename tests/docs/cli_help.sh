#!/bin/sh
# cli_help.sh DOC.md BIN_DIR — docs/cli.md must show the tools' real --help output.
# Each `<!-- help: TOOL ARGS... -->` marker is followed by a fenced block that must equal, byte
# for byte, what BIN_DIR/TOOL ARGS... prints on stdout. Every command listed by `arca --help`
# must have its own help block, so a new command cannot go undocumented.
set -eu
doc=$1
bin=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/arca-cli-help.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
status=0

awk -v dir="$tmp" '
    /^<!-- help: .* -->$/ { cmd = $0; sub(/^<!-- help: /, "", cmd); sub(/ -->$/, "", cmd); n++; next }
    /^```/ {
        if (in_block) { in_block = 0; if (out != "") close(out); out = ""; next }
        in_block = 1; out = ""
        if (cmd != "") {
            out = sprintf("%s/%03d.doc", dir, n); printf "" > out
            print cmd > sprintf("%s/%03d.cmd", dir, n)
            cmd = ""
        }
        next
    }
    in_block && out != "" { print >> out }
' "$doc"

count=0
for cmdfile in "$tmp"/*.cmd; do
    [ -e "$cmdfile" ] || break
    base=${cmdfile%.cmd}
    cmd=$(cat "$cmdfile")
    tool=${cmd%% *}
    args=${cmd#"$tool"}
    # shellcheck disable=SC2086
    "$bin/$tool" $args >"$base.real" || { echo "FAIL: '$cmd' exited non-zero"; status=1; continue; }
    if ! diff -u "$base.doc" "$base.real" >"$base.diff"; then
        echo "FAIL: the help block for '$cmd' in $doc differs from the real output:"
        cat "$base.diff"
        status=1
    fi
    count=$((count + 1))
done
[ "$count" -ge 9 ] || { echo "FAIL: only $count help blocks found in $doc"; status=1; }

for c in $("$bin/arca" --help | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p'); do
    grep -qx "<!-- help: arca $c --help -->" "$doc" || { echo "FAIL: $doc has no help block for 'arca $c'"; status=1; }
done
[ "$status" = 0 ] && echo "docs_cli_help: $count help blocks of $doc match the tools"
exit "$status"
