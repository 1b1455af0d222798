#!/bin/sh
# Installs the build into a temporary prefix and builds small C programs against it out of
# tree with `pkg-config --cflags --libs arca` and `... arca_verify`, then runs them. Proves the
# installed headers, libraries, arca.pc, arca_verify.pc and shipped roots are usable by someone
# who never saw this source tree.
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
# libarca_verify alone (arca_verify.pc), with the hardware verifier's API and shipped roots.
cat >"$work/verify.c" <<'C'
#include <arca/verify.h>
#include <stdio.h>
int main(void)
{
    uint64_t at = 0;
    printf("arca_verify out-of-tree: %s, %s\n", arca_evidence_format_name(ARCA_EVIDENCE_SNP_REPORT),
           arca_tee_name(ARCA_TEE_TDX));
    return arca_verify_parse_time("2025-06-20T00:00:00Z", &at) != ARCA_OK;
}
C
# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror -o "$work/verify" "$work/verify.c" $(pkg-config --cflags --libs arca_verify)
"$work/verify"
[ -f "$prefix/share/arca/roots/Intel_SGX_Root_CA.pem" ] || { echo "install-test: no shipped roots"; exit 1; }
# arcad: the daemon, its systemd unit (naming the installed paths), sysusers.d and tmpfiles.d.
for f in sbin/arcad lib/systemd/system/arcad.service lib/sysusers.d/arcad.conf lib/tmpfiles.d/arcad.conf; do
    [ -e "$prefix/$f" ] || { echo "install-test: $f was not installed"; exit 1; }
done
"$prefix/sbin/arcad" --version >/dev/null
grep -q "^ExecStart=$prefix/sbin/arcad .*--runner $prefix/bin/arca-runner" "$prefix/lib/systemd/system/arcad.service" || {
    echo "install-test: arcad.service does not name the installed arcad and arca-runner"; exit 1; }
echo "install-test: passed (prefix $prefix)"
