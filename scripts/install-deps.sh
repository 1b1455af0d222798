#!/bin/sh
# Installs the Debian packages Arca needs to build, test, fuzz and document itself.
# Every Makefile target calls this first. As root it installs what is missing with
# apt-get; as any other user it prints the exact command to run and stops, so a
# build never fails later with a confusing "header not found".
set -eu

packages="build-essential cmake pkg-config libssl-dev openssl libseccomp-dev clang \
libclang-rt-14-dev llvm binutils file doxygen libjson-c-dev libexpat1-dev libsqlite3-dev sqlite3"

missing=""
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "arca: missing build dependencies:$missing" >&2
    echo "arca: install them with:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y --no-install-recommends$missing" >&2
    exit 1
fi

echo "arca: installing missing packages:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
