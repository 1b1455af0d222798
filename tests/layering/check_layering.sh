#!/bin/sh
# check_layering.sh SRC_DIR — the trust layering of issue 12, checked on the source tree:
#   - the host API, the backends and host-call dispatch (src/host, src/backends) hold no key and
#     call no platform: no key struct, no key derivation, no evidence signing, no platform ops,
#     no dev platform internals; they only pass the loader its platform connection;
#   - nothing outside src/platform calls a platform's ops or serves a connection;
#   - the reserved evidence host call does not come back;
#   - OpenSSL is called from src/crypto only: no other file of the tree includes an OpenSSL
#     header, except the few tests, fuzz targets and benchmarks listed below, each for a reason;
#   - SQLite is called from the counter store (src/platform/counters.c) only, likewise.
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
# OpenSSL only in src/crypto. Files elsewhere that may include it, each with its reason; a new
# one needs a reason as good, or the wrappers (src/crypto/crypto.h, crypto_x509.h) instead.
openssl_allowed='
tests/crypto/test_kat.c                 reference values from OpenSSL itself; the error queue after each failure
tests/crypto/test_ecdsa.c               keys the wrappers refuse to make (P-384, RSA, encrypted, SEC1); the error queue
tests/crypto/test_ec_pkcs8.c            the error queue after each failure
tests/crypto/test_x509.c                the error queue after each failure
tests/attest/test_attest_key_memory.c   reads the private scalar of a key file, which no wrapper ever exports
tests/verify/test_verify.c              certificate chains with OpenSSL objects as issuers (could use arca__cert_create)
tests/platform/test_platform.c          reads the platform certificate as OpenSSL sees it (could use crypto_x509.h)
tests/verify_hw/test_hw_refusals.c      a synthetic Intel PKI: CRLs, SGX extensions, signed collateral
tests/image/static_crypto_enclave.c     an enclave linking libcrypto.a on purpose: what its test checks
tests/loader/good_enclave.c             an image importing from libcrypto: what the loader test checks
fuzz/crypto/fuzz_ec_public_der.c        the error queue after every call
fuzz/crypto/fuzz_ec_pkcs8.c             the error queue after every call; PEM armour around fuzzed DER (EVP_EncodeBlock)
bench/crypto/bench_crypto.c             raw OpenSSL, the baseline the figures compare with
bench/verify/bench_verify.c             raw OpenSSL signature checks, the baseline the figures compare with
'
root=$(dirname "$src")
openssl_users() {
    for dir in src tools tests fuzz bench examples include; do
        [ -d "$root/$dir" ] || continue
        grep -rlE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]openssl/' "$root/$dir" \
            --include='*.c' --include='*.h' --include='*.cc' --include='*.cpp'
    done | sed "s|^$root/||" | sort | while read -r file; do
        case $file in
        src/crypto/*) ;;
        *) printf '%s\n' "$openssl_allowed" | grep -q "^$file " || echo "$file" ;;
        esac
    done
}
rule "an OpenSSL header outside src/crypto (use src/crypto/crypto.h or crypto_x509.h)" openssl_users
# SQLite only in the counter store (src/platform/counters.c), so that one file decides how the
# counters' database is opened, locked and made durable. Files elsewhere that may include it:
sqlite_allowed='
src/platform/counters.c                 the counter store
tests/platform/test_counters.c          writes the database around the store: damage, values near 2^64
bench/counters/bench_counters.c         a raw SQLite INSERT, the baseline the figures compare with
'
sqlite_users() {
    for dir in src tools tests fuzz bench examples include; do
        [ -d "$root/$dir" ] || continue
        grep -rlE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]sqlite3' "$root/$dir" \
            --include='*.c' --include='*.h' --include='*.cc' --include='*.cpp'
    done | sed "s|^$root/||" | sort | while read -r file; do
        printf '%s\n' "$sqlite_allowed" | grep -q "^$file " || echo "$file"
    done
}
rule "an SQLite header outside the counter store (use src/platform/counters.h)" sqlite_users
rule "an OpenSSL object handed out of src/crypto (arca__ec_evp / arca__ec_from_evp)" \
    grep -rnE 'arca__ec_evp|arca__ec_from_evp' "$src/base" "$src/formats" "$src/channel" \
    "$src/platform" "$src/host" "$src/backends" "$src/loader" "$src/runner" "$src/enclave" "$src/verify"
# The rule above must see the wrappers themselves, or it is looking at the wrong tree.
if ! grep -qs '#include <openssl/' "$src/crypto/crypto.c"; then
    echo "layering: $src/crypto/crypto.c includes no OpenSSL header: wrong tree?"
    status=1
fi
if ! grep -qs '#include <sqlite3.h>' "$src/platform/counters.c"; then
    echo "layering: $src/platform/counters.c includes no SQLite header: wrong tree?"
    status=1
fi
# Positive check, so the rules above are known to look at the right tree.
if ! grep -q 'arca__platform_connect' "$src/host/enclave.c"; then
    echo "layering: $src/host/enclave.c does not connect the platform: wrong tree?"
    status=1
fi
[ $status -eq 0 ] && echo "layering: ok"
exit $status
