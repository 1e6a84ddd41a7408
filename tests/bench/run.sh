#!/bin/sh
# Run every benchmark on this machine, side by side with the tool a user
# would otherwise use, in one go:
#
#   tests/bench/run.sh REPO [BUILD_DIR]
#
# REPO is a large Git history to scan (for example a clone of git/git:
# git clone https://github.com/git/git); BUILD_DIR (default build-bench)
# is configured RelWithDebInfo and built here.  Needs git, python3, node
# and npm (ical.js is installed into the build tree).  Nothing here is a
# pass/fail test: the scripts print figures and say which targets are met.
set -eu

prog=${0##*/}
if [ $# -lt 1 ]; then
    echo "usage: $prog REPO [BUILD_DIR]" >&2
    exit 2
fi
repo=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${2:-$src/build-bench}

cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" \
    --target gleaner gl_bench_git_scan ical_occurrences libical_expand >/dev/null

echo "== Git: first scan and incremental collect =="
status=0
python3 "$src/tests/bench/bench_git.py" "$repo" --scan "$build/tests/bench/gl_bench_git_scan" \
    --gleaner "$build/gleaner" || status=1

echo
echo "== Calendar: parse and expand 10,000 events over a year =="
sh "$src/tests/ical/setup.sh" "$build/icaljs" >/dev/null
python3 "$src/tests/bench/bench_calendar.py" --gleaner "$build/tests/ical/ical_occurrences" \
    --libical "$build/tests/bench/libical_expand" --icaljs-dir "$build/icaljs" || status=1
exit $status
