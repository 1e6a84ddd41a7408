#!/bin/sh
# Set up gleaner on a fresh Debian 12 machine: install the build and test
# dependencies (with apt-get as root or through sudo; otherwise print exactly
# what to install), build into build/, and run gleaner's demo: a week of
# proposals from sample data, offline.
set -eu
cd "$(dirname "$0")/.."

# Debian package names; pkg-config names are what CMake looks for.  nodejs
# and npm are for the tests only: the MCP test drives gleaner with the
# official MCP client from npm.
PACKAGES="build-essential cmake pkg-config git ca-certificates tzdata python3
libcurl4-openssl-dev libical-dev libgit2-dev libjson-c-dev libsqlite3-dev libssl-dev
libcmocka-dev python3-aiosmtpd groff-base nodejs npm"

missing=""
if command -v dpkg-query >/dev/null 2>&1; then
    for p in $PACKAGES; do
        # A node and npm from elsewhere (nodesource, nvm) serve the tests as well.
        case "$p" in
        nodejs) command -v node >/dev/null 2>&1 && continue ;;
        npm) command -v npm >/dev/null 2>&1 && continue ;;
        esac
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
            missing="$missing $p"
        fi
    done
fi

if [ -n "$missing" ]; then
    echo "bootstrap: installing:$missing"
    if [ "$(id -u)" -eq 0 ]; then
        SUDO=""
    elif command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "bootstrap: not root and no sudo; as root, run:" >&2
        echo "  apt-get update && apt-get install -y --no-install-recommends$missing" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -q
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -q --no-install-recommends $missing
elif ! command -v dpkg-query >/dev/null 2>&1; then
    for pc in libcurl libical libgit2 json-c sqlite3 libcrypto cmocka; do
        if ! pkg-config --exists "$pc" 2>/dev/null; then
            echo "bootstrap: this is not Debian and pkg-config cannot find '$pc'." >&2
            echo "  Install: cmake, pkg-config, a C compiler, python3, tzdata, and the" >&2
            echo "  development files of libcurl, libical, libgit2, json-c, sqlite3," >&2
            echo "  OpenSSL (libcrypto) and cmocka; then run this script again." >&2
            exit 1
        fi
    done
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGLEANER_WERROR=ON
cmake --build build -j "$(nproc 2>/dev/null || echo 2)"
echo
./build/gleaner demo
