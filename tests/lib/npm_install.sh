#!/bin/sh
# Install a test-only npm tool and its pinned dependencies into the build tree.
#
#   tests/lib/npm_install.sh SRC_DIR DEST_DIR PACKAGE SCRIPT
#
# Copies SRC_DIR's package.json, package-lock.json and SCRIPT into DEST_DIR
# and runs `npm ci` there, so the tests can run `node DEST_DIR/SCRIPT` without
# anything being installed into the source tree.  PACKAGE is the dependency
# whose installed version is checked against package.json.  Does nothing but
# refresh SCRIPT when DEST_DIR already holds an install of the same lockfile.
# tests/ical/setup.sh (ical.js) and tests/mcp/setup.sh (the MCP client) call it.
set -eu

prog=${NPM_INSTALL_PROG:-${0##*/}}
die() {
    echo "$prog: $*" >&2
    exit 1
}

if [ $# -ne 4 ] || [ -z "$2" ]; then
    die "usage: $prog SRC_DIR DEST_DIR PACKAGE SCRIPT"
fi
src=$(cd "$1" && pwd)
dest=$2
package=$3
script=$4
command -v node >/dev/null 2>&1 || die "node is not installed (on Debian: install Debian packages nodejs npm)"
command -v npm >/dev/null 2>&1 || die "npm is not installed (on Debian: install Debian packages nodejs npm)"
node_major=$(node -p 'process.versions.node.split(".")[0]') || die "cannot run node"
[ "$node_major" -ge 18 ] || die "node $(node --version) is too old; Node 18 or newer is needed (on Debian 12: install Debian packages nodejs npm)"

for f in package.json package-lock.json "$script"; do
    [ -f "$src/$f" ] || die "missing $src/$f"
done

mkdir -p "$dest" || die "cannot create $dest"
dest=$(cd "$dest" && pwd)

# Serialise concurrent runs on the same DEST_DIR (parallel test workers).
if command -v flock >/dev/null 2>&1; then
    exec 9>"$dest/.setup.lock"
    flock 9
fi

want=$(node -p 'require(process.argv[1]).dependencies[process.argv[2]]' "$src/package.json" "$package")
have=$(node -p 'try { require(process.argv[1]).version } catch (e) { "" }' \
    "$dest/node_modules/$package/package.json")
stamp=$(cksum <"$src/package-lock.json")

cp "$src/$script" "$dest/$script"

if [ "$have" = "$want" ] && [ -f "$dest/.installed" ] && [ "$(cat "$dest/.installed")" = "$stamp" ]; then
    echo "$prog: $package $want already installed in $dest"
    exit 0
fi

# Node trusts only its own CA list; add the system's, as curl and apt use it,
# so a CA installed with update-ca-certificates (a company proxy) works too.
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r /etc/ssl/certs/ca-certificates.crt ]; then
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
    export NODE_EXTRA_CA_CERTS
fi

echo "$prog: installing $package $want (npm ci, node $(node --version), npm $(npm --version)) into $dest"
rm -f "$dest/.installed"
cp "$src/package.json" "$src/package-lock.json" "$dest/"
(cd "$dest" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in $dest"

have=$(node -p 'try { require(process.argv[1]).version } catch (e) { "" }' \
    "$dest/node_modules/$package/package.json")
[ "$have" = "$want" ] || die "npm ci left $package '$have' in $dest, expected $want"
printf '%s\n' "$stamp" >"$dest/.installed"
echo "$prog: done; run: node $dest/$script"
