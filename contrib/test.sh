#!/bin/sh
# Run the whole test suite (unit, end-to-end, checks) on the build from
# contrib/bootstrap.sh.  With --sanitize: build again in build-asan with
# AddressSanitizer and UndefinedBehaviorSanitizer and run the suite there.
# With --valgrind: the same in build-valgrind, under valgrind (slower).
set -eu
cd "$(dirname "$0")/.."
jobs="$(nproc 2>/dev/null || echo 2)"

dir=build
if [ "${1:-}" = "--sanitize" ]; then
    dir=build-asan
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DGLEANER_SANITIZE=ON -DGLEANER_WERROR=ON
    cmake --build "$dir" -j "$jobs"
elif [ "${1:-}" = "--valgrind" ]; then
    if ! command -v valgrind >/dev/null 2>&1; then
        echo "test: valgrind is not installed (apt-get install valgrind)" >&2
        exit 1
    fi
    dir=build-valgrind
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DGLEANER_VALGRIND=ON -DGLEANER_WERROR=ON
    cmake --build "$dir" -j "$jobs"
elif [ -n "${1:-}" ]; then
    echo "usage: contrib/test.sh [--sanitize | --valgrind]" >&2
    exit 2
elif [ ! -x build/gleaner ]; then
    echo "test: no build yet; run contrib/bootstrap.sh first" >&2
    exit 1
else
    cmake --build "$dir" -j "$jobs"
fi
ctest --test-dir "$dir" --output-on-failure -j "$jobs"
