#!/usr/bin/env python3
"""bench_calendar.py - gleaner's calendar reading against bare libical and ical.js.

    bench_calendar.py --gleaner BUILD/tests/ical/ical_occurrences
                      --libical BUILD/tests/bench/libical_expand
                      --icaljs-dir BUILD/icaljs [--calendar FILE.ics] [--runs 3]

Each tool parses the same calendar and expands it over 2026: gleaner
(gl_ical_read_file through ical_occurrences --count), the least a libical
program does (libical_expand.c), and ical.js (icaljs_expand.mjs).  Each runs
`--runs` times, in turns; the table shows the best wall time, the peak memory (max
RSS from os.wait4) and the occurrences, and the ratios the targets are set
on.  Exit status 0 when the tools agree on the number of occurrences and
every target is met, 1 otherwise.  Without --calendar, gen_calendar.py writes
the 10,000-event calendar first.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FROM, TO = "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"
ICALJS_TARGET = 4.0  # gleaner at least this many times faster than ical.js
BARE_TARGET = 1.3  # and at most this many times slower than bare libical


def run(cmd: list[str]) -> tuple[float, int, int]:
    """(wall seconds, peak RSS in KiB, occurrences) of one run."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.stdout.read(), proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"bench_calendar: {' '.join(cmd)} failed ({proc.returncode}): "
                         f"{err.decode(errors='replace')[:2000]}")
    return wall, usage.ru_maxrss, int(json.loads(out)["occurrences"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gleaner", required=True, help="the built ical_occurrences")
    ap.add_argument("--libical", required=True, help="the built libical_expand")
    ap.add_argument("--icaljs-dir", required=True, help="where tests/ical/setup.sh installed ical.js")
    ap.add_argument("--calendar", help="an .ics file (default: generate the benchmark's)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    tmp = None
    calendar = args.calendar
    if not calendar:
        tmp = tempfile.TemporaryDirectory(prefix="gleaner-bench-")
        calendar = str(Path(tmp.name) / "calendar.ics")
        subprocess.run([sys.executable, str(HERE / "gen_calendar.py"), calendar], check=True)
    size = Path(calendar).stat().st_size
    with open(calendar, encoding="utf-8") as f:
        events = sum(1 for line in f if line.startswith("BEGIN:VEVENT"))

    tools = [
        ("gleaner (gl_ical_read_file)", [args.gleaner, "--count", "--tz", "Europe/Berlin",
                                         "--from", FROM, "--to", TO, calendar]),
        ("libical, bare (foreach_recurrence)", [args.libical, calendar, "20260101T000000Z",
                                                "20270101T000000Z"]),
        ("ical.js 2.2.1 (node)", ["node", str(HERE / "icaljs_expand.mjs"), "--icaljs",
                                  args.icaljs_dir, calendar, FROM, TO]),
    ]
    # Round robin, so that a busy moment of the machine costs every reader alike.
    runs: list[list[tuple[float, int, int]]] = [[] for _ in tools]
    for _ in range(args.runs):
        for i, (_, cmd) in enumerate(tools):
            runs[i].append(run(cmd))
    results = []
    for (name, _), mine in zip(tools, runs):
        results.append((name, min(r[0] for r in mine), max(r[1] for r in mine),
                        {r[2] for r in mine}))

    print(f"calendar: {calendar} ({size / 1e6:.1f} MB, {events} VEVENTs), window 2026, "
          f"best of {args.runs} runs\n")
    print(f"{'reader':38} {'time (s)':>9} {'peak RSS (MiB)':>15} {'occurrences':>12} "
          f"{'time vs gleaner':>16}")
    base = results[0][1]
    for name, wall, rss, counts in results:
        print(f"{name:38} {wall:9.3f} {rss / 1024:15.1f} {'/'.join(map(str, sorted(counts))):>12} "
              f"{wall / base:15.2f}x")
    gleaner, bare, icaljs = (r[1] for r in results)
    fast, lean = icaljs / gleaner >= ICALJS_TARGET, gleaner / bare <= BARE_TARGET
    print(f"\n  ical.js / gleaner:      {icaljs / gleaner:5.2f}x  (target >= {ICALJS_TARGET}x)  "
          f"{'met' if fast else 'MISSED'}")
    print(f"  gleaner / bare libical: {gleaner / bare:5.2f}x  (target <= {BARE_TARGET}x)  "
          f"{'met' if lean else 'MISSED'}")
    counts = set().union(*(r[3] for r in results))
    if len(counts) != 1:
        print(f"\nthe readers disagree on the occurrences: {sorted(counts)}")
        return 1
    print("\nall targets met" if fast and lean else "\nsome targets MISSED")
    return 0 if fast and lean else 1


if __name__ == "__main__":
    sys.exit(main())
