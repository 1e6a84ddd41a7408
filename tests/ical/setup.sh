#!/bin/sh
# Install ical.js (the oracle for gleaner's calendar reading) into the build tree.
#
#   tests/ical/setup.sh DEST_DIR
#
# Copies package.json, package-lock.json and occurrences.mjs into DEST_DIR and
# runs `npm ci` there (tests/lib/npm_install.sh), so compare.py can run
# `node DEST_DIR/occurrences.mjs`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] && [ -n "$1" ] || { echo "setup.sh: usage: tests/ical/setup.sh DEST_DIR" >&2; exit 1; }
NPM_INSTALL_PROG=${0##*/} exec sh "$here/../lib/npm_install.sh" "$here" "$1" ical.js occurrences.mjs
