#!/usr/bin/env python3
"""Benchmark the Git connector against `git log` (standard library only).

    bench_git.py REPO [--scan PATH] [--gleaner PATH] [--email ADDR] [--runs N]

(a) A full first scan of every local and remote-tracking branch of REPO:
    gl_bench_git_scan (gl_git_scan alone) and, with --gleaner, the real
    `gleaner collect` on a fresh store, against
    `git -C REPO log --branches --remotes --format='%H %at %ae'`:
    wall time (best of --runs), commits/s, peak RSS.
(b) An incremental scan after one new commit, on a scratch mirror of REPO
    under a temporary directory (REPO itself is never written).

Prints a side-by-side table and the ratios against the targets: at least
0.8x git log's speed, at most 1.5x its peak memory, incremental under 50 ms.
The identity is the most frequent author email (after the mailmap) unless
--email is given.  Exit status 0 when every target is met, 1 when one is
missed, 2 on a usage error or a tool that fails.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SPEED_TARGET = 0.8
MEMORY_TARGET = 1.5
INCREMENTAL_MS = 50.0
SOURCE = Path(__file__).resolve().parents[2]


def die(msg):
    print(f"bench_git: {msg}", file=sys.stderr)
    sys.exit(2)


def measure(argv, env=None, discard=False):
    """Run argv; return (wall seconds, peak RSS KiB, exit status, stdout).

    With `discard`, stdout goes to /dev/null (git log then pays nothing for
    its output, which keeps the comparison on the safe side)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL if discard else subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    out = b"" if discard else proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.stderr.write(err.decode(errors="replace")[-2000:])
    return wall, usage.ru_maxrss, proc.returncode, out


def best_of(runs, argv, env=None, discard=False):
    results = [measure(argv, env, discard) for _ in range(runs)]
    for r in results:
        if r[2] != 0:
            return None
    return min(results, key=lambda r: r[0])


def git(*args, cwd=None, env=None):
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True,
                          stdout=subprocess.PIPE).stdout.decode(errors="replace").strip()


def top_email(repo):
    out = git("-C", repo, "shortlog", "-sne", "--branches", "--remotes")
    best = max(out.splitlines(), key=lambda l: int(l.split()[0]))
    return best[best.rindex("<") + 1:best.rindex(">")]


def find_scan():
    env = os.environ.get("GL_BENCH_GIT_SCAN")
    if env:
        return env
    for build in sorted(SOURCE.glob("build*")):
        p = build / "tests" / "bench" / "gl_bench_git_scan"
        if p.exists():
            return str(p)
    die("gl_bench_git_scan not found: build it (make gl_bench_git_scan) or pass --scan")


def scan_json(raw):
    for line in raw.decode(errors="replace").splitlines():
        if line.startswith("{"):
            return json.loads(line)
    return {}


def gleaner_config(tmp, email, repo):
    conf = Path(tmp) / "config"
    conf.write_text(f'[user]\n\temail = {email}\n\ttimezone = UTC\n[repo "r"]\n\tpath = {repo}\n')
    return conf


def gleaner_full(gleaner, runs, email, repo, tmp):
    """Best of `runs` `gleaner collect` runs, each on a new store; None when it fails."""
    conf = gleaner_config(tmp, email, repo)
    results = []
    for i in range(runs):
        db = Path(tmp) / f"full-{i}.db"
        r = measure([gleaner, "--config", str(conf), "--db", str(db), "collect"])
        if r[2] != 0:
            return None
        results.append(r)
    return min(results, key=lambda r: r[0])


def add_commit(repo, email):
    """One new commit on top of HEAD's branch, by the benchmark's user."""
    env = dict(os.environ, GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL=email,
               GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL=email)
    head = git("-C", repo, "symbolic-ref", "HEAD")
    oid = git("-C", repo, "commit-tree", "-p", head, "-m", "BENCH-1 one more commit",
              f"{head}^{{tree}}", env=env)
    git("-C", repo, "update-ref", head, oid)


def row(name, wall, rss, commits):
    rate = commits / wall if wall > 0 else 0.0
    print(f"  {name:<34} {wall:8.3f} s {rate:12,.0f}/s {rss / 1024:9.1f} MiB {commits:>9,}")
    return rate


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("repo")
    ap.add_argument("--scan", help="gl_bench_git_scan (default: $GL_BENCH_GIT_SCAN or build*/)")
    ap.add_argument("--gleaner", help="also time `gleaner collect` with this binary")
    ap.add_argument("--email", help="the user's identity (default: the most frequent author)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    repo = os.path.abspath(args.repo)
    if not os.path.isdir(repo):
        die(f"{repo}: not a directory")
    scan = args.scan or find_scan()
    email = args.email or top_email(repo)
    ok = True

    print(f"repository: {repo}")
    print(f"identity:   {email}")
    print(f"\n(a) full first scan, best of {args.runs}")
    print(f"  {'':<34} {'wall':>10} {'commits/s':>14} {'peak RSS':>13} {'commits':>9}")

    g = best_of(args.runs, ["git", "-C", repo, "log", "--branches", "--remotes",
                            "--format=%H %at %ae"], discard=True)
    if g is None:
        die("git log failed")
    n_git = int(git("-C", repo, "rev-list", "--count", "--branches", "--remotes"))
    git_rate = row("git log --branches --remotes", g[0], g[1], n_git)

    s = best_of(args.runs, [scan, repo, "--email", email])
    if s is None:
        die(f"{scan} failed")
    info = scan_json(s[3])
    scan_rate = row("gl_git_scan (gl_bench_git_scan)", s[0], s[1], info.get("commits_read", 0))
    print(f"  {'':<34} in-process scan {info.get('ms')} ms; "
          f"{info.get('commits_mine')} of the commits are the user's")

    gl = None
    with tempfile.TemporaryDirectory(prefix="gleaner-bench-git-") as tmp:
        if args.gleaner:
            gl = gleaner_full(args.gleaner, args.runs, email, repo, tmp)
            if gl is None:
                print("  gleaner collect: skipped (the command failed; see above)")
            else:
                row("gleaner collect (fresh store)", gl[0], gl[1], info.get("commits_read", 0))

        speed = scan_rate / git_rate if git_rate else 0.0
        memory = s[1] / g[1] if g[1] else 0.0
        print(f"\n  speed vs git log:  {speed:5.2f}x  (target >= {SPEED_TARGET}x)  "
              f"{'ok' if speed >= SPEED_TARGET else 'MISSED'}")
        print(f"  memory vs git log: {memory:5.2f}x  (target <= {MEMORY_TARGET}x)  "
              f"{'ok' if memory <= MEMORY_TARGET else 'MISSED'}")
        ok &= speed >= SPEED_TARGET and memory <= MEMORY_TARGET
        if gl is not None:
            print(f"  gleaner collect vs git log: {g[0] / gl[0]:5.2f}x speed, "
                  f"{gl[1] / g[1]:5.2f}x memory")

        print("\n(b) incremental scan after one new commit (scratch mirror)")
        scratch = os.path.join(tmp, "scratch.git")
        git("clone", "--quiet", "--mirror", repo, scratch)
        tips = os.path.join(tmp, "tips.json")
        first = measure([scan, scratch, "--email", email, "--tips-out", tips])
        if first[2] != 0:
            die(f"{scan} failed on the scratch mirror")
        if args.gleaner and gl is not None:
            conf = gleaner_config(tmp, email, scratch)
            db = os.path.join(tmp, "incremental.db")
            gl_first = measure([args.gleaner, "--config", str(conf), "--db", db, "collect"])
        add_commit(scratch, email)
        inc = [measure([scan, scratch, "--email", email, "--tips-in", tips])
               for _ in range(args.runs)]
        if any(r[2] != 0 for r in inc):
            die(f"{scan} failed on the incremental scan")
        best = min(inc, key=lambda r: scan_json(r[3]).get("ms", 1e9))
        bi = scan_json(best[3])
        print(f"  gl_git_scan: {bi.get('ms')} ms in-process, {best[0] * 1000:.0f} ms wall, "
              f"{bi.get('commits_read')} commits read, {bi.get('commits_mine')} new of the user's, "
              f"{best[1] / 1024:.1f} MiB")
        inc_ok = bi.get("ms", 1e9) < INCREMENTAL_MS and bi.get("commits_mine") == 1
        print(f"  incremental:       {bi.get('ms')} ms  (target < {INCREMENTAL_MS:.0f} ms)  "
              f"{'ok' if inc_ok else 'MISSED'}")
        ok &= inc_ok
        if args.gleaner and gl is not None:
            if gl_first[2] == 0:
                r = measure([args.gleaner, "--config", str(conf), "--db", db, "collect"])
                if r[2] == 0:
                    print(f"  gleaner collect (incremental): {r[0] * 1000:.0f} ms wall, "
                          f"{r[1] / 1024:.1f} MiB")
                else:
                    print("  gleaner collect (incremental): skipped (the command failed)")
            else:
                print("  gleaner collect (incremental): skipped (the first collect failed)")
        shutil.rmtree(scratch, ignore_errors=True)

    print("\nall targets met" if ok else "\nsome targets MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
