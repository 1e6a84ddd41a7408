#!/usr/bin/env python3
"""compare.py - gleaner's calendar reading against ical.js, occurrence by occurrence.

    compare.py --gleaner ical_occurrences --icaljs occurrences.mjs --work DIR [--only NAME] [-v]

For every real-world fixture in fixtures/ and every calendar gen_calendars.py
generates, both sides list the occurrences in the same window and zone
(Europe/Berlin); the lists are matched by key (UID / original start) and
must agree on the keys, the UTC starts and ends, and the cancellations.
Any difference fails the test and is printed, unless expectations.py lists
exactly that difference for that calendar, with the reason; an expectation
that no longer happens fails too, so the list cannot go stale.

Zones a calendar names without defining them are given to ical.js as
VTIMEZONEs built here from Python's zoneinfo (the system's tz database, as
libical reads it), resolved the way connectors/ical.c resolves them: IANA
name, Windows name (the table in ical.c), last path components.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
import expectations  # noqa: E402
import gen_calendars  # noqa: E402

USER_TZ = "Europe/Berlin"
# -DGLEANER_VALGRIND=ON runs gleaner's side under valgrind (see tests/CMakeLists.txt).
WRAPPER = os.environ.get("GLEANER_WRAPPER", "").split()
FIXTURE_WINDOW = ("1990-01-01T00:00:00Z", "2030-01-01T00:00:00Z")
UTC_NAMES = {"UTC", "GMT", "Z", "Etc/UTC", "Etc/GMT"}


# ------------------------------------------------------------------ zones

def windows_table() -> dict[str, str]:
    src = (ROOT / "connectors" / "ical.c").read_text()
    body = src[src.index("windows_zones[][2] = {"):]
    body = body[:body.index("};")]
    table = {k.lower(): v for k, v in re.findall(r'\{"([^"]+)", "([^"]+)"\}', body)}
    for name, iana in table.items():
        try:
            ZoneInfo(iana)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SystemExit(f"compare.py: ical.c maps Windows zone {name!r} to {iana!r}, "
                             f"which the tz database does not have ({exc})")
    return table


WINDOWS = windows_table()


def plausible(name: str) -> bool:
    return (0 < len(name) <= 64 and not name.startswith(("/", "-", "+")) and ".." not in name
            and "//" not in name and not name.endswith("/")
            and re.fullmatch(r"[A-Za-z0-9/_+-]+", name) is not None)


def iana(name: str) -> str | None:
    if name in UTC_NAMES:
        return "UTC"
    if plausible(name):
        try:
            ZoneInfo(name)
            return name
        except (ZoneInfoNotFoundError, ValueError, IsADirectoryError):
            pass
    return None


def resolve(tzid: str) -> str | None:
    if (z := iana(tzid)):
        return z
    if tzid.lower() in WINDOWS:
        return WINDOWS[tzid.lower()]
    parts = tzid.split("/")
    for i in range(1, len(parts)):
        if parts[i] and (z := iana("/".join(parts[i:]))):
            return z
    return None


def unfold(text: str) -> list[str]:
    return re.sub(r"\r?\n[ \t]", "", text).splitlines()


def zones_needed(text: str) -> dict[str, str]:
    """TZIDs the calendar uses without a usable VTIMEZONE -> IANA zone."""
    lines = unfold(text)
    defined, cur, obs, usable = set(), None, None, False
    for line in lines:
        up = line.upper()
        if up.startswith("BEGIN:VTIMEZONE"):
            cur, usable = "", False
        elif up.startswith("END:VTIMEZONE"):
            if usable:
                defined.add(cur)
            cur = None
        elif cur is not None and up.startswith("TZID:"):
            cur = line[5:].replace("\\,", ",").replace("\\;", ";")
        elif cur is not None and up.startswith(("BEGIN:STANDARD", "BEGIN:DAYLIGHT")):
            obs = set()
        elif cur is not None and obs is not None and up.startswith(("END:STANDARD", "END:DAYLIGHT")):
            usable = usable or {"DTSTART", "TZOFFSETTO", "TZOFFSETFROM"} <= obs
            obs = None
        elif obs is not None:
            obs.add(re.split(r"[;:]", up, maxsplit=1)[0])
    used = set()
    for line in lines:
        for m in re.finditer(r';TZID=("([^"]*)"|[^;:]*)', line, re.I):
            used.add(m.group(2) if m.group(2) is not None else m.group(1))
    need = {}
    for tzid in sorted(used - defined):
        if tzid and (z := resolve(tzid)):
            need[tzid] = z
    return need


def fmt_offset(secs: int) -> str:
    sign = "-" if secs < 0 else "+"
    secs = abs(secs)
    return f"{sign}{secs // 3600:02d}{secs // 60 % 60:02d}" + (f"{secs % 60:02d}" if secs % 60 else "")


def vtimezone(tzid: str, name: str, first=1970, last=2045) -> str:
    """A VTIMEZONE with one observance per transition of zoneinfo's `name`."""
    z = ZoneInfo(name)
    escaped = tzid.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    lines = ["BEGIN:VTIMEZONE", f"TZID:{escaped}"]

    def off(ts: int) -> int:
        return int(datetime.fromtimestamp(ts, z).utcoffset().total_seconds())

    t = int(datetime(first, 1, 1, tzinfo=timezone.utc).timestamp())
    end = int(datetime(last, 1, 1, tzinfo=timezone.utc).timestamp())
    cur = off(t)
    lines += ["BEGIN:STANDARD", f"DTSTART:{first}0101T000000", f"TZOFFSETFROM:{fmt_offset(cur)}",
              f"TZOFFSETTO:{fmt_offset(cur)}", "END:STANDARD"]
    while t < end:
        nxt = t + 86400
        if off(nxt) != cur:
            lo, hi = t, nxt  # off(lo) == cur != off(hi)
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if off(mid) == cur:
                    lo = mid
                else:
                    hi = mid
            new = off(hi)
            dst = bool(datetime.fromtimestamp(hi, z).dst())
            local = datetime.fromtimestamp(hi, timezone.utc) + timedelta(seconds=cur)
            kind = "DAYLIGHT" if dst else "STANDARD"
            lines += [f"BEGIN:{kind}", f"DTSTART:{local.strftime('%Y%m%dT%H%M%S')}",
                      f"TZOFFSETFROM:{fmt_offset(cur)}", f"TZOFFSETTO:{fmt_offset(new)}",
                      f"END:{kind}"]
            cur, t = new, hi
        else:
            t = nxt
    lines.append("END:VTIMEZONE")
    return "\r\n".join(lines)


def zones_file(text: str, path: Path) -> Path:
    need = zones_needed(text)
    need.setdefault(USER_TZ, USER_TZ)
    body = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//gleaner//compare.py//EN"]
    body += [vtimezone(tzid, name) for tzid, name in need.items() if name != "UTC"]
    body.append("END:VCALENDAR")
    path.write_text("\r\n".join(body) + "\r\n", encoding="utf-8")
    return path


# --------------------------------------------------------------- running

def run_json(cmd: list[str]) -> dict:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if proc.returncode not in (0, 1) or not proc.stdout.strip():
        raise SystemExit(f"compare.py: {' '.join(cmd)} failed ({proc.returncode}): "
                         f"{proc.stderr.strip()[:2000]}")
    return json.loads(proc.stdout)


def iso(secs: int) -> str:
    return datetime.fromtimestamp(secs, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def differences(g: dict, j: dict) -> list[tuple]:
    """Each difference as (kind, key, gleaner's, ical.js's)."""
    out: list[tuple] = []
    if "error" in g:
        out.append(("gleaner-error", None, g["error"], None))
    if "error" in j:
        out.append(("icaljs-error", None, None, j["error"]))
    gm = {o["key"]: o for o in g.get("occurrences", [])}
    jm = {o["key"]: o for o in j.get("occurrences", [])}
    for side, occ in (("gleaner", g.get("occurrences", [])), ("icaljs", j.get("occurrences", []))):
        if len({o["key"] for o in occ}) != len(occ):
            out.append((f"{side}-duplicate-key", None, None, None))
    for key in sorted(gm.keys() - jm.keys()):
        out.append(("only-gleaner", key, f"{iso(gm[key]['start'])}..{iso(gm[key]['end'])}", None))
    for key in sorted(jm.keys() - gm.keys()):
        out.append(("only-icaljs", key, None, f"{iso(jm[key]['start'])}..{iso(jm[key]['end'])}"))
    for key in sorted(gm.keys() & jm.keys()):
        a, b = gm[key], jm[key]
        for field in ("start", "end"):
            if a[field] != b[field]:
                out.append((field, key, iso(a[field]), iso(b[field])))
        if a["cancelled"] != b["cancelled"]:
            out.append(("cancelled", key, a["cancelled"], b["cancelled"]))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gleaner", required=True, help="the built ical_occurrences")
    ap.add_argument("--icaljs", required=True, help="occurrences.mjs inside the ical.js install")
    ap.add_argument("--work", required=True, help="a scratch directory")
    ap.add_argument("--only", help="just this calendar (file name)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    work = Path(args.work)
    (work / "zones").mkdir(parents=True, exist_ok=True)
    gen_dir = work / "generated"
    gen_dir.mkdir(exist_ok=True)
    cases: list[tuple[str, Path, tuple[str, str]]] = []
    for f in sorted((HERE / "fixtures").glob("*.ics")):
        cases.append((f.name, f, FIXTURE_WINDOW))
    generated_expect: dict[str, list[expectations.Expect]] = {}
    for name, text, expect in gen_calendars.calendars():
        p = gen_dir / name
        p.write_text(text, encoding="utf-8", newline="")
        cases.append((name, p, gen_calendars.WINDOW))
        generated_expect[name] = [expectations.Expect(*e) for e in expect]
    if args.only:
        cases = [c for c in cases if c[0] == args.only]

    def both(case):
        name, path, (t0, t1) = case
        text = path.read_text(encoding="utf-8", errors="replace")
        zones = zones_file(text, work / "zones" / f"{name}.zones.ics")
        g = run_json(WRAPPER + [args.gleaner, "--tz", USER_TZ, "--from", t0, "--to", t1,
                                str(path)])
        j = run_json(["node", args.icaljs, "--tz", USER_TZ, "--from", t0, "--to", t1,
                      "--zones", str(zones), str(path)])
        return g, j

    failures, compared, expected_seen, end_differs = 0, 0, 0, 0
    fixtures = sum(1 for c in cases if c[1].parent.name == "fixtures")
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        outputs = list(pool.map(both, cases))
    for (name, path, _), (g, j) in zip(cases, outputs):
        end_differs += j.get("icaljs_end_differs", 0)
        diffs = differences(g, j)
        want = expectations.EXPECTED.get(name, []) + generated_expect.get(name, [])
        unexpected = [d for d in diffs if not any(e.matches(d) for e in want)]
        unmet = [e for e in want if not any(e.matches(d) for d in diffs)]
        both = len({o["key"] for o in g.get("occurrences", [])} &
                   {o["key"] for o in j.get("occurrences", [])})
        compared += both
        expected_seen += len(diffs) - len(unexpected)
        status = "ok" if not unexpected and not unmet else "FAIL"
        note = f", {len(diffs) - len(unexpected)} expected difference(s)" if diffs else ""
        skipped = ""
        if g.get("skipped") or j.get("skipped"):
            skipped = f", skipped gleaner {g.get('skipped', 0)} / ical.js {j.get('skipped', 0)}"
        print(f"{status:4} {name}: {both} occurrence(s) agree{note}{skipped}")
        if args.verbose:
            for d in diffs:
                print(f"       {d}")
            if g.get("problem"):
                print(f"       gleaner: {g['problem']}")
            for p in j.get("problems", [])[:3]:
                print(f"       ical.js: {p}")
        for kind, key, a, b in unexpected:
            print(f"     unexpected {kind} {key or ''}: gleaner {a!r}, ical.js {b!r}")
        for e in unmet:
            print(f"     expected but not seen: {e}")
        if unexpected or unmet:
            failures += 1
    print(f"\ncompare.py: {len(cases)} calendar(s) ({fixtures} real-world fixture(s), "
          f"{len(cases) - fixtures} generated), {compared} occurrence(s) agree, "
          f"{expected_seen} expected difference(s), {failures} calendar(s) failing; "
          f"ical.js's own end differs from RFC 5545's exact duration for {end_differs} "
          f"occurrence(s) (not compared, see occurrences.mjs)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
