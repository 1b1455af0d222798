#!/bin/sh
# check_layering.sh SRC_DIR — the trust layering of issue 12, checked on the source tree:
#   - the host API, the backends and host-call dispatch (src/host, src/backends) hold no key and
#     call no platform: no key struct, no key derivation, no evidence signing, no platform ops,
#     no dev platform internals; they only pass the loader its platform connection;
#   - nothing outside src/platform calls a platform's ops or serves a connection;
#   - the reserved evidence host call does not come back.
# Each rule prints the offending lines and fails.
set -u
src=${1:?usage: check_layering.sh SRC_DIR}
status=0

rule() {
    what=$1
    shift
    hits=$("$@" 2>/dev/null)
    if [ -n "$hits" ]; then
        echo "layering: $what:"
        echo "$hits"
        status=1
    fi
}

rule "key material in the host API or a backend" \
    grep -rnE 'arca__enclave_keys|enclave_key|signer_key|signer_lower|arca__pw_keys' \
    "$src/host" "$src/backends"
rule "a platform call in the host API or a backend" \
    grep -rnE 'derive_keys|->evidence\(|\.evidence\(|->open\(|arca__dev_|arca__platform_serve|arca__platform_at\(' \
    "$src/host" "$src/backends"
rule "a platform's ops called outside src/platform" \
    grep -rnE 'derive_keys\(|arca__platform_serve\(|arca__dev_platform\.' \
    "$src/host" "$src/backends" "$src/loader" "$src/runner" "$src/enclave" "$src/base" "$src/crypto" "$src/formats" "$src/channel" "$src/verify"
rule "evidence as a host call" \
    grep -rn 'HOSTCALL_EVIDENCE' "$src"
# Positive check, so the rules above are known to look at the right tree.
if ! grep -q 'arca__platform_connect' "$src/host/enclave.c"; then
    echo "layering: $src/host/enclave.c does not connect the platform: wrong tree?"
    status=1
fi
[ $status -eq 0 ] && echo "layering: ok"
exit $status
