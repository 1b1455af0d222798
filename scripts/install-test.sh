#!/bin/sh
# Installs the build into a temporary prefix and builds a small C program against it out of
# tree with `pkg-config --cflags --libs arca`, then runs it. Proves the installed headers,
# library and arca.pc are usable by someone who never saw this source tree.
set -eu
build=${1:-build}
prefix=$(mktemp -d /tmp/arca-install.XXXXXX)
work=$(mktemp -d /tmp/arca-oot.XXXXXX)
trap 'rm -rf "$prefix" "$work"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
cat >"$work/main.c" <<'C'
#include <arca/arca.h>
#include <stdio.h>
int main(void)
{
    printf("arca out-of-tree: %s / %s\n", arca_result_name(ARCA_ERR_BAD_SIGNATURE),
           arca_result_str(ARCA_ERR_BAD_SIGNATURE));
    return arca_result_valid(ARCA_OK) ? 0 : 1;
}
C
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror -o "$work/main" "$work/main.c" $(pkg-config --cflags --libs arca)
"$work/main"
echo "install-test: passed (prefix $prefix)"
