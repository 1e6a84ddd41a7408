#!/usr/bin/env python3
"""Benchmark the idle background agent (standard library only, Linux /proc).

    bench_daemon.py [--gleaner BIN] [--idle SECONDS]

Starts `gleaner daemon` in a scratch HOME with a real calendar and Git
repository to collect (so its first jobs do real work), waits until those
jobs have run (activities collected, the hourly jobs' times in sync_state), then watches it
idle for --idle seconds (default 30) and prints:

  - CPU time used while idle (utime + stime from /proc/PID/stat), and the
    context switches (how often it woke);
  - memory: RSS, PSS (each shared page divided among the processes that map
    it), and private memory, from /proc/PID/smaps_rollup;
  - beside it, the same figures for `sleep`, the floor of any process.

Target (the issue): no CPU between jobs; at most 10 MB RSS.  Exit status 0
when both hold, 1 when one does not, 2 on a usage error.
"""
import argparse
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2]
RSS_TARGET_KB = 10 * 1024
CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime


def switches(pid):
    total = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
            total += int(line.split()[1])
    return total


def memory(pid):
    out = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        out[name] = int(value.split()[0])
    return out["Rss"], out["Pss"], out.get("Private_Clean", 0) + out.get("Private_Dirty", 0)


def wait_until(pred, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.05)  # a benchmark polling a real process, not a test
    sys.exit(f"bench_daemon: {what} did not happen within {timeout} s")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gleaner", default=str(SOURCE / "build" / "gleaner"))
    ap.add_argument("--idle", type=float, default=30.0)
    args = ap.parse_args()
    if not os.access(args.gleaner, os.X_OK):
        print(f"bench_daemon: no gleaner at {args.gleaner} (build it first)", file=sys.stderr)
        return 2

    home = Path(tempfile.mkdtemp(prefix="gleaner-bench-daemon-"))
    try:
        repo = home / "work"
        repo.mkdir()
        env = dict(os.environ, HOME=str(home), GIT_AUTHOR_NAME="Ada", GIT_AUTHOR_EMAIL="ada@example.com",
                   GIT_COMMITTER_NAME="Ada", GIT_COMMITTER_EMAIL="ada@example.com")
        subprocess.run(["git", "init", "-q", str(repo)], check=True, env=env)
        for i in range(20):
            (repo / "f").write_text(str(i))
            subprocess.run(["git", "-C", str(repo), "add", "f"], check=True, env=env)
            subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", f"change {i}"],
                           check=True, env=env)
        shutil.copy(SOURCE / "contrib" / "demo" / "calendar.ics", home / "work.ics")
        cfg = home / ".config" / "gleaner" / "config"
        cfg.parent.mkdir(parents=True)
        cfg.write_text("[user]\n\temail = ada@example.com\n\ttimezone = Europe/Berlin\n"
                       f"[calendar \"work\"]\n\tics = {home / 'work.ics'}\n"
                       f"[repo \"work\"]\n\tpath = {repo}\n")
        db = home / ".local" / "share" / "gleaner" / "gleaner.db"
        daemon = subprocess.Popen([args.gleaner, "daemon"], env={"HOME": str(home),
                                  "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
                                  stderr=subprocess.PIPE, text=True)

        def first_jobs_done():
            if not db.exists():
                return False
            try:
                with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as con:
                    # The hourly and daily jobs leave their time; collect leaves activities.
                    n = con.execute("SELECT count(*) FROM sync_state WHERE source = 'daemon' "
                                    "AND key IN ('budget', 'invoice')").fetchone()[0]
                    a = con.execute("SELECT count(*) FROM activities").fetchone()[0]
                    return n == 2 and a > 0
            except sqlite3.Error:
                return False

        wait_until(first_jobs_done, 60, "the daemon's first jobs")
        wait_until(lambda: len(list(Path(f"/proc/{daemon.pid}/task").iterdir())) == 1 and
                   not [p for p in os.listdir("/proc") if p.isdigit() and
                        Path(f"/proc/{p}/stat").exists() and
                        f" {daemon.pid} " in Path(f"/proc/{p}/stat").read_text().rsplit(')', 1)[1][:16]],
                   30, "the daemon's children to finish")
        time.sleep(1.0)  # let it reach its first sleep after giving its pages back
        sleeper = subprocess.Popen(["sleep", str(int(args.idle) + 30)])
        t0, s0 = cpu_ticks(daemon.pid), switches(daemon.pid)
        time.sleep(args.idle)
        t1, s1 = cpu_ticks(daemon.pid), switches(daemon.pid)
        g_rss, g_pss, g_priv = memory(daemon.pid)
        s_rss, s_pss, s_priv = memory(sleeper.pid)
        sleeper.kill()
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)

        cpu = (t1 - t0) / CLK_TCK
        print(f"idle for {args.idle:.0f} s after its first jobs (collect of a calendar and a "
              f"20-commit repository, proposals, the rest skipped)\n")
        print(f"{'':24}{'CPU while idle':>16}{'wake-ups':>10}{'RSS':>10}{'PSS':>10}{'private':>10}")
        print(f"{'gleaner daemon':24}{cpu:>14.2f} s{s1 - s0:>10}{g_rss / 1024:>7.1f} MB"
              f"{g_pss / 1024:>7.1f} MB{g_priv / 1024:>7.1f} MB")
        print(f"{'sleep (the floor)':24}{'':>16}{'':>10}{s_rss / 1024:>7.1f} MB"
              f"{s_pss / 1024:>7.1f} MB{s_priv / 1024:>7.1f} MB")
        ok_cpu = cpu < 0.05
        ok_rss = g_rss <= RSS_TARGET_KB
        print(f"\n  CPU while idle: {cpu:.2f} s (target: none)  {'ok' if ok_cpu else 'MISSED'}")
        print(f"  RSS: {g_rss / 1024:.1f} MB (target <= 10 MB)  {'ok' if ok_rss else 'MISSED'}")
        return 0 if ok_cpu and ok_rss else 1
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
