#!/bin/sh
# Install the MCP end-to-end test client and its pinned dependencies.
#
#   tests/mcp/setup.sh DEST_DIR
#
# Copies package.json, package-lock.json and client.mjs into DEST_DIR and runs
# `npm ci` there (tests/lib/npm_install.sh), so the tests can run
# `node DEST_DIR/client.mjs --script SCRIPT.json -- COMMAND [ARGS...]`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] && [ -n "$1" ] || { echo "setup.sh: usage: tests/mcp/setup.sh DEST_DIR" >&2; exit 1; }
NPM_INSTALL_PROG=${0##*/} exec sh "$here/../lib/npm_install.sh" "$here" "$1" \
    @modelcontextprotocol/sdk client.mjs
