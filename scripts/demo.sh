#!/bin/sh
# demo.sh — the story behind `make demo`, in numbered steps, against a built tree:
#   1 launch an enclave: identity, protections, a call in and a call out
#   2 seal a secret to disk; the enclave is destroyed
#   3 relaunch (new process, new enclave) and unseal; a tampered blob is refused
#   4 evidence bound to a verifier's nonce, written to a file
#   5 a separate verifier process checks it with `arca verify --policy policy.conf`
#   6 one flipped byte of evidence: verification fails, naming the check
# It runs on the process backend, or on sim (with a notice) where process cannot run. All
# platform keys and files live in a temporary directory, removed at the end: the demo never
# touches the user's real platform ($ARCA_PLATFORM_DIR, ~/.local/share/arca). It exits non-zero
# if any step does not behave as told, so ctest (example_demo) runs it as a test.
#
#   usage: scripts/demo.sh [BUILD_DIR]      (default: build/ next to this script's parent)
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
build=$(cd "$build" && pwd)
arca=$build/bin/arca
demo=$build/bin/arca_demo
image=$build/examples/demo/demo_enclave.signed.so
for f in "$arca" "$demo" "$build/bin/arca-runner" "$image"; do
    if [ ! -e "$f" ]; then
        echo "demo: $f is missing; build first (make, or cmake --build $build)" >&2
        exit 1
    fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/arca-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
mkdir "$work/host" "$work/verifier"
cd "$work"
export ARCA_PLATFORM_DIR="$work/platform"
export ARCA_RUNNER="$build/bin/arca-runner"
unset ARCA_BACKEND

if [ -t 1 ]; then bold=$(printf '\033[1m'); off=$(printf '\033[0m'); else bold=; off=; fi
step() { printf '\n%s%s%s\n' "$bold" "$*" "$off"; }
say() { printf '   %s\n' "$*"; }
# show CMD...: print the command as a user would type it (tool names without their build
# path), then run it. capture FILE CMD...: the same, with the output going to FILE.
display() {
    line=
    for a in "$@"; do
        case $a in *" "*) a="\"$a\"" ;; esac
        line="$line${line:+ }$a"
    done
    printf '   $ %s\n' "$(echo "$line" | sed -e "s#$build/bin/##g" -e "s#$build/##g")"
}
show() {
    display "$@"
    "$@"
}
capture() {
    out=$1
    shift
    display "$@"
    "$@" >"$out" 2>&1
}
die() {
    echo "demo: FAILED: $*" >&2
    exit 1
}
hex() { od -An -v -tx1 | tr -d ' \n'; }

# Flip the lowest bit of the byte at OFFSET of FILE, in place.
flip_byte() {
    old=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    [ -n "$old" ] || die "$1 has no byte at offset $2"
    new=$((old ^ 1))
    # shellcheck disable=SC2059
    printf "$(printf '\\%03o' "$new")" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
    printf '%02x -> %02x' "$old" "$new"
}

start=$(date +%s)
echo "${bold}Arca demo${off}: one enclave, end to end ($build)"
echo "Platform keys and files go to $work (deleted at the end)."
"$arca" platform init >/dev/null

backend=sim
if "$arca" backends --json | grep -q '"name": "process", "available": true'; then
    backend=process
else
    echo
    echo "NOTICE: the process backend cannot run on this machine, so this demo runs on 'sim'"
    echo "        (the enclave is loaded into the host process: no isolation). Why:"
    "$arca" backends | sed -n 's/^process *unavailable: /        /p'
fi
export ARCA_BACKEND=$backend

# ---- 1 ----
step "1. Launch an enclave: who it is, what protects it, a call in and a call out"
say "The host loads the signed image. Arca verifies its signature and measurement, starts it"
say "on the '$backend' backend and reports the protections that are really in force."
if ! capture launch.out "$demo" launch Ada; then
    if [ "$backend" = process ]; then
        sed 's/^/   | /' launch.out
        echo
        echo "NOTICE: the process backend failed to start here (above), so this demo continues on"
        echo "        'sim' (the enclave is loaded into the host process: no isolation)."
        backend=sim
        export ARCA_BACKEND=sim
        capture launch.out "$demo" launch Ada || { cat launch.out; die "launch"; }
    else
        cat launch.out
        die "the enclave did not launch"
    fi
fi
cat launch.out
grep -q "backend      $backend" launch.out || die "the enclave did not run on $backend"
grep -q 'serving host call host_describe' launch.out || die "no host call was made"
grep -q 'the enclave replied: Hello Ada' launch.out || die "no greeting"
say "The ecall demo_greet() ran inside; during it the enclave called host_describe() on the"
say "host. Both crossed the boundary by copy, typed by demo.edl (arca-edger)."

# ---- 2 ----
step "2. Seal a secret to the enclave and store it on the host's disk"
secret="the launch code is 0000"
show "$demo" seal host/secret.sealed "$secret"
say "The blob is AES-256-GCM under a key the platform derived for this enclave's measurement."
# The blob: a 56-byte header, the additional data "arca-demo secret v1" (19 bytes, in the
# clear), the ciphertext, a 16-byte tag (docs/formats.md, "Sealed blob").
say "The host holds only ciphertext: $(od -An -v -tx1 -j 75 -N 12 host/secret.sealed | tr -s ' ' | sed 's/^ //') ..."
grep -q "launch code" host/secret.sealed && die "the secret is readable in the sealed file"
say "The enclave is destroyed and the host process has exited."

# ---- 3 ----
step "3. Relaunch: a new host process and a new enclave unseal the secret"
show "$demo" unseal host/secret.sealed >unseal.out
cat unseal.out
grep -q "\"$secret\"" unseal.out || die "the secret did not come back"
say "Now the host flips one bit of the ciphertext and tries again:"
cp host/secret.sealed host/tampered.sealed
say "byte 80: $(flip_byte host/tampered.sealed 80)"
if capture tamper.out "$demo" unseal host/tampered.sealed; then
    cat tamper.out
    die "a tampered blob was unsealed"
fi
sed 's/^/   | /' tamper.out
grep -q ERR_UNSEAL tamper.out || die "the tampered blob failed for the wrong reason"

# ---- 4 ----
step "4. A verifier sends a fresh nonce; the enclave returns evidence bound to it"
nonce=$(head -c 32 /dev/urandom | hex)
say "verifier's nonce: $nonce"
show "$demo" evidence "$nonce" host/evidence.bin
say "The platform signed what it measured (identity, backend, protections), the nonce and"
say "the time. The host forwards the file; it cannot change it unnoticed."
cp host/evidence.bin verifier/evidence.bin

# ---- 5 ----
step "5. The verifier checks the evidence in its own process, against its own policy"
say "It pins the platform certificate from 'arca platform info' and the measurement from"
say "'arca inspect' of the image it expects:"
cert=$("$arca" platform info | sed -n 's#^certificate  *\(/.*\)#\1#p')
[ -f "$cert" ] || die "arca platform info printed no certificate"
cp "$cert" verifier/platform-cert.pem
measurement=$("$arca" inspect "$image" | sed -n 's/^measurement: *//p')
[ ${#measurement} -eq 64 ] || die "arca inspect printed no measurement"
say "  platform certificate: $cert"
say "  measurement:          $measurement"
{
    echo "# policy.conf: what this verifier accepts"
    echo "Measurement = $measurement"
    echo "TrustedPlatformCert = platform-cert.pem"
    echo "AllowDevPlatform = 1   # a dev platform: its trust rests on the host user"
    echo "AllowDebug = 0"
    echo "ReportData = $nonce"
    echo "MaxAgeSeconds = 60"
    echo "Backend = $backend"
    if [ "$backend" = sim ]; then
        echo "AllowSimulation = 1   # sim isolates nothing: only because this machine cannot run process"
    fi
    if [ "$backend" = process ]; then
        echo "RequireProtections = separate-process,nodump,no-new-privs"
    fi
} >verifier/policy.conf
sed 's/^/   | /' verifier/policy.conf
cd verifier
capture ../verify.out "$arca" verify --policy policy.conf evidence.bin ||
    { cat ../verify.out; die "genuine evidence did not verify"; }
sed 's/^/   | /' ../verify.out

# ---- 6 ----
step "6. One flipped byte of evidence: verification fails and says why"
say "Anyone on the way (the host, the network) changes the first byte of the measurement:"
say "byte 48: $(flip_byte evidence.bin 48)"
if capture ../forged.out "$arca" verify --policy policy.conf evidence.bin; then
    cat ../forged.out
    die "tampered evidence verified"
fi
sed 's/^/   | /' ../forged.out
grep -q ERR_VERIFY_SIGNATURE ../forged.out || die "tampered evidence failed for the wrong reason"

step "The demo is complete ($(($(date +%s) - start)) s, backend: $backend)."
say "Read on: docs/getting-started.md (your first enclave), docs/threat-model.md (what each"
say "backend protects against), examples/demo/ (this demo's code)."
