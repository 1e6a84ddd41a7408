#!/bin/sh
# check_install.sh BUILD_DIR [SOURCE_DIR]
#
# Installs the build in BUILD_DIR into a scratch directory
# (DESTDIR=... cmake --install BUILD_DIR --prefix /usr/local) and checks that
# everything a user needs is there: the binary (and that it runs), the man
# page, the bash and zsh completions, the example config and README, and the
# agent's service files when the source tree has them (contrib/gleaner.service,
# contrib/org.gleaner.agent.plist, or their .in templates: installed when
# present, never required).
# Installed files must be the files in SOURCE_DIR. Prints what was installed.
# $CMAKE names the cmake to use (default: cmake on PATH).
set -u

build=${1:?usage: check_install.sh BUILD_DIR [SOURCE_DIR]}
src=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
build=$(cd "$build" && pwd) || exit 2
src=$(cd "$src" && pwd) || exit 2
prefix=/usr/local
problems=0

fail() {
    echo "FAIL: $*"
    problems=$((problems + 1))
}

dest=$(mktemp -d "${TMPDIR:-/tmp}/gleaner-install.XXXXXX") || exit 2
trap 'rm -rf "$dest"' EXIT INT TERM

# A GNUInstallDirs directory as configured in BUILD_DIR (empty: the default).
dir() {
    v=$(sed -n "s/^CMAKE_INSTALL_$1:PATH=//p" "$build/CMakeCache.txt" 2>/dev/null)
    [ -n "$v" ] || v=$2
    case $v in
        /*) echo "$dest$v" ;;
        *) echo "$dest$prefix/$v" ;;
    esac
}

if ! DESTDIR=$dest "${CMAKE:-cmake}" --install "$build" --prefix "$prefix" >"$dest.log" 2>&1; then
    cat "$dest.log"
    rm -f "$dest.log"
    echo "check_install: cmake --install failed"
    exit 1
fi
rm -f "$dest.log"

datarootdir=$(sed -n 's/^CMAKE_INSTALL_DATAROOTDIR:PATH=//p' "$build/CMakeCache.txt" 2>/dev/null)
datarootdir=${datarootdir:-share}
bindir=$(dir BINDIR bin)
mandir=$(dir MANDIR "$datarootdir/man")
datadir=$(dir DATADIR "$datarootdir")
docdir=$(dir DOCDIR "$datarootdir/doc/gleaner")

echo "installed (DESTDIR=$dest, prefix $prefix):"
(cd "$dest" && find . ! -type d | sed 's|^\.||' | sort | sed 's/^/  /')

# FILE SOURCE: FILE is installed and is SOURCE.
same() {
    if [ ! -f "$1" ]; then
        fail "${1#"$dest"} was not installed"
    elif ! cmp -s "$1" "$2"; then
        fail "${1#"$dest"} is not ${2#"$src"/}"
    fi
}

if [ ! -x "$bindir/gleaner" ]; then
    fail "${bindir#"$dest"}/gleaner was not installed (or is not executable)"
else
    out=$(HOME=$dest "$bindir/gleaner" --version 2>&1)
    case $out in
        "gleaner "*) ;;
        *) fail "the installed gleaner --version printed: $out" ;;
    esac
fi
same "$mandir/man1/gleaner.1" "$src/contrib/gleaner.1"
same "$datadir/bash-completion/completions/gleaner" "$src/contrib/completions/gleaner.bash"
same "$datadir/zsh/site-functions/_gleaner" "$src/contrib/completions/_gleaner"
same "$docdir/gleaner.conf.example" "$src/contrib/gleaner.conf.example"
same "$docdir/README.md" "$src/README.md"

# The service files are someone else's to write: installed when present, as
# contrib/NAME, or as a template contrib/NAME.in whose @GL_BINDIR@ the install
# fills in with the bin directory under the prefix (never under DESTDIR).
runtime_bindir=${bindir#"$dest"}
for pair in "contrib/gleaner.service:$dest$prefix/lib/systemd/user/gleaner.service" \
    "contrib/org.gleaner.agent.plist:$datadir/gleaner/launchd/org.gleaner.agent.plist"; do
    file=${pair%%:*}
    installed=${pair#*:}
    if [ -f "$src/$file" ]; then
        same "$installed" "$src/$file"
    elif [ -f "$src/$file.in" ]; then
        if [ ! -f "$installed" ]; then
            fail "${installed#"$dest"} was not installed from $file.in"
        elif grep -q '@[A-Za-z_]*@' "$installed"; then
            fail "${installed#"$dest"} still has $(grep -o '@[A-Za-z_]*@' "$installed" | head -1)"
        elif grep -q "$dest" "$installed"; then
            fail "${installed#"$dest"} names the DESTDIR"
        elif ! grep -q "$runtime_bindir/gleaner" "$installed"; then
            fail "${installed#"$dest"} does not run $runtime_bindir/gleaner"
        elif [ "$(sed "s|@GL_BINDIR@|$runtime_bindir|g" "$src/$file.in")" != "$(cat "$installed")" ]; then
            fail "${installed#"$dest"} is not $file.in with @GL_BINDIR@ filled in"
        fi
    elif [ -e "$installed" ]; then
        fail "${installed#"$dest"} was installed, but there is no $file"
    else
        echo "note: no $file yet; ${installed#"$dest"} is not installed (OPTIONAL)"
    fi
done
plist=$datadir/gleaner/launchd/org.gleaner.agent.plist
if [ -f "$plist" ] && command -v python3 >/dev/null 2>&1; then
    python3 -c 'import plistlib, sys; plistlib.load(open(sys.argv[1], "rb"))' "$plist" ||
        fail "${plist#"$dest"} is not a property list"
fi

# The installed man page renders.
if command -v groff >/dev/null 2>&1 && [ -f "$mandir/man1/gleaner.1" ]; then
    if ! groff -man -Tutf8 -ww "$mandir/man1/gleaner.1" 2>&1 >/dev/null | (! grep .); then
        fail "the installed man page does not render cleanly"
    fi
fi

echo "check_install: $problems problem(s)"
[ "$problems" -eq 0 ]
