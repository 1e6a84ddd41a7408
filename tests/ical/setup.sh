#!/bin/sh
# Install ical.js (the oracle for gleaner's calendar reading) into the build tree.
#
#   tests/ical/setup.sh DEST_DIR
#
# Copies package.json, package-lock.json and occurrences.mjs into DEST_DIR and
# runs `npm ci` there, so compare.py can run `node DEST_DIR/occurrences.mjs`
# without anything installed into the source tree.  Does nothing but refresh
# occurrences.mjs when DEST_DIR already holds an install of the same lockfile.
set -eu

prog=${0##*/}
die() {
    echo "$prog: $*" >&2
    exit 1
}

if [ $# -ne 1 ] || [ -z "$1" ]; then
    die "usage: $prog DEST_DIR"
fi
dest=$1
src=$(cd "$(dirname "$0")" && pwd)

command -v node >/dev/null 2>&1 || die "node is not installed (on Debian: install Debian packages nodejs npm)"
command -v npm >/dev/null 2>&1 || die "npm is not installed (on Debian: install Debian packages nodejs npm)"
node_major=$(node -p 'process.versions.node.split(".")[0]') || die "cannot run node"
[ "$node_major" -ge 18 ] || die "node $(node --version) is too old; Node 18 or newer is needed (on Debian 12: install Debian packages nodejs npm)"

for f in package.json package-lock.json occurrences.mjs; do
    [ -f "$src/$f" ] || die "missing $src/$f"
done

mkdir -p "$dest" || die "cannot create $dest"
dest=$(cd "$dest" && pwd)

# Serialise concurrent runs on the same DEST_DIR (parallel test workers).
if command -v flock >/dev/null 2>&1; then
    exec 9>"$dest/.setup.lock"
    flock 9
fi

want=$(node -p 'require(process.argv[1]).dependencies["ical.js"]' "$src/package.json")
have=$(node -p 'try { require(process.argv[1]).version } catch (e) { "" }' \
    "$dest/node_modules/ical.js/package.json")
stamp=$(cksum <"$src/package-lock.json")

cp "$src/occurrences.mjs" "$dest/occurrences.mjs"

if [ "$have" = "$want" ] && [ -f "$dest/.installed" ] && [ "$(cat "$dest/.installed")" = "$stamp" ]; then
    echo "$prog: ical.js $want already installed in $dest"
    exit 0
fi

# Node trusts only its own CA list; add the system's, as curl and apt use it,
# so a CA installed with update-ca-certificates (a company proxy) works too.
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r /etc/ssl/certs/ca-certificates.crt ]; then
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
    export NODE_EXTRA_CA_CERTS
fi

echo "$prog: installing ical.js $want (npm ci, node $(node --version), npm $(npm --version)) into $dest"
rm -f "$dest/.installed"
cp "$src/package.json" "$src/package-lock.json" "$dest/"
(cd "$dest" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in $dest"

have=$(node -p 'try { require(process.argv[1]).version } catch (e) { "" }' \
    "$dest/node_modules/ical.js/package.json")
[ "$have" = "$want" ] || die "npm ci left ical.js '$have' in $dest, expected $want"
printf '%s\n' "$stamp" >"$dest/.installed"
echo "$prog: done; run: node $dest/occurrences.mjs --help"
