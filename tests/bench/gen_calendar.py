#!/usr/bin/env python3
"""gen_calendar.py - the calendar the calendar benchmark reads (deterministic).

    python3 gen_calendar.py OUT.ics [--events 10000] [--series 500] [--seed 7]

A Google-export-shaped VCALENDAR of `--events` VEVENTs: `--series` recurring
meetings (weekly on one to three days, every workday, monthly by day or by
weekday, fortnightly; ended by COUNT, by UNTIL or not at all) with EXDATEs
and moved, retitled and cancelled overrides, and single meetings and
all-day events for the rest, two fifths of them before 2026.  Zones:
Europe/Berlin, America/New_York, Europe/London, Asia/Tokyo with their
VTIMEZONEs, some UTC, some floating.  Every event has a description, an
organizer and attendees, as real exports do.

Benchmarked over 2026 (UTC).  Nothing happens within two days of the
window's edges, no local time falls in a DST change, and fortnightly series
start inside the window, so that the three readers compared (gleaner, bare
libical, ical.js), which differ on exactly those points, must agree on the
number of occurrences.  Standard library only.
"""
from __future__ import annotations

import argparse
import random
from datetime import date, datetime, timedelta
from pathlib import Path

VTIMEZONES = {
    "Europe/Berlin": ("+0100", "+0200", "CET", "CEST", "19700329T020000", "-1SU", 3,
                      "19701025T030000", "-1SU", 10),
    "Europe/London": ("+0000", "+0100", "GMT", "BST", "19700329T010000", "-1SU", 3,
                      "19701025T020000", "-1SU", 10),
    "America/New_York": ("-0500", "-0400", "EST", "EDT", "19700308T020000", "2SU", 3,
                         "19701101T020000", "1SU", 11),
}
ZONES = [("Europe/Berlin", 60), ("America/New_York", 15), ("Europe/London", 10),
         ("Asia/Tokyo", 5), ("UTC", 6), (None, 4)]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
WORDS = ("sync review planning design budget roadmap customer launch retro hiring security "
         "migration onboarding quarterly weekly status demo incident api mobile billing").split()
PEOPLE = [f"{n}@{d}" for n in ("bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan")
          for d in ("acme.com", "globex.example", "initech.example")]


def vtimezone(tzid: str) -> str:
    if tzid == "Asia/Tokyo":
        return ("BEGIN:VTIMEZONE\r\nTZID:Asia/Tokyo\r\nX-LIC-LOCATION:Asia/Tokyo\r\n"
                "BEGIN:STANDARD\r\nTZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900\r\nTZNAME:JST\r\n"
                "DTSTART:19700101T000000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n")
    std, dst, sn, dn, ds, dday, dmon, ss, sday, smon = VTIMEZONES[tzid]
    return (f"BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\nX-LIC-LOCATION:{tzid}\r\n"
            f"BEGIN:DAYLIGHT\r\nTZOFFSETFROM:{std}\r\nTZOFFSETTO:{dst}\r\nTZNAME:{dn}\r\n"
            f"DTSTART:{ds}\r\nRRULE:FREQ=YEARLY;BYMONTH={dmon};BYDAY={dday}\r\nEND:DAYLIGHT\r\n"
            f"BEGIN:STANDARD\r\nTZOFFSETFROM:{dst}\r\nTZOFFSETTO:{std}\r\nTZNAME:{sn}\r\n"
            f"DTSTART:{ss}\r\nRRULE:FREQ=YEARLY;BYMONTH={smon};BYDAY={sday}\r\nEND:STANDARD\r\n"
            f"END:VTIMEZONE\r\n")


def fold(line: str) -> str:
    """RFC 5545 3.1: lines longer than 75 octets are folded."""
    out, raw = [], line.encode("utf-8")
    while len(raw) > 75:
        cut = 75
        while raw[cut] & 0xC0 == 0x80:  # never inside a UTF-8 sequence
            cut -= 1
        out.append(raw[:cut].decode("utf-8"))
        raw = b" " + raw[cut:]
    out.append(raw.decode("utf-8"))
    return "\r\n".join(out)


def when(name: str, dt, tzid: str | None) -> str:
    if not isinstance(dt, datetime):
        return f"{name};VALUE=DATE:{dt:%Y%m%d}"
    if tzid == "UTC":
        return f"{name}:{dt:%Y%m%dT%H%M%S}Z"
    if tzid:
        return f"{name};TZID={tzid}:{dt:%Y%m%dT%H%M%S}"
    return f"{name}:{dt:%Y%m%dT%H%M%S}"


class Gen:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.out: list[str] = []
        self.n = 0

    def zone(self) -> str | None:
        names, weights = zip(*ZONES)
        return self.rng.choices(names, weights)[0]

    def people(self, lines: list[str]) -> None:
        rng = self.rng
        organizer = rng.choice(PEOPLE + ["ada@example.com"] * 6)
        lines.append(f"ORGANIZER;CN={organizer.split('@')[0].title()}:mailto:{organizer}")
        for p in rng.sample(PEOPLE, rng.randrange(2, 7)) + ["ada@example.com"]:
            status = rng.choice(["ACCEPTED", "ACCEPTED", "TENTATIVE", "DECLINED", "NEEDS-ACTION"])
            lines.append(f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={status};"
                         f"CN={p.split('@')[0].title()};X-NUM-GUESTS=0:mailto:{p}")

    def event(self, uid: str, start, end, tzid, *, rrule=None, exdates=(), rid=None,
              title=None, status="CONFIRMED", seq=0) -> None:
        rng = self.rng
        title = title or " ".join(rng.sample(WORDS, 3)).capitalize()
        lines = ["BEGIN:VEVENT", when("DTSTART", start, tzid), when("DTEND", end, tzid)]
        if rrule:
            lines.append(f"RRULE:{rrule}")
        lines += [when("EXDATE", x, tzid) for x in exdates]
        lines += ["DTSTAMP:20260101T080000Z", f"UID:{uid}"]
        if rid is not None:
            lines.append(when("RECURRENCE-ID", rid, tzid))
        lines += [f"CREATED:20251101T09{self.n % 60:02d}00Z",
                  f"DESCRIPTION:{' '.join(rng.choices(WORDS, k=rng.randrange(8, 40)))}\\n"
                  f"Join: https://meet.example.com/{rng.randrange(10**9):09d}",
                  "LAST-MODIFIED:20251215T101500Z", f"LOCATION:Room {rng.randrange(1, 40)}",
                  f"SEQUENCE:{seq}", f"STATUS:{status}", f"SUMMARY:{title}", "TRANSP:OPAQUE"]
        self.people(lines)
        lines.append("END:VEVENT")
        self.out.append("\r\n".join(fold(line) for line in lines) + "\r\n")
        self.n += 1

    def series(self, k: int) -> int:
        """One recurring meeting and its overrides; returns how many VEVENTs it wrote."""
        rng = self.rng
        tzid = rng.choice(["Europe/Berlin"] * 6 + ["America/New_York", "Europe/London", "UTC"])
        uid = f"series-{k:04d}-{rng.randrange(16**8):08x}@google.com"
        kind = rng.choices(["weekly", "workdays", "monthly-day", "monthly-nth", "fortnightly"],
                           [55, 15, 8, 7, 15])[0]
        lo = date(2026, 1, 5) if kind == "fortnightly" else date(2024, 9, 2)
        first = lo + timedelta(days=rng.randrange((date(2026, 10, 31) - lo).days))
        minutes = rng.choice([15, 30, 30, 45, 60, 60, 90])
        hour = rng.randrange(8, 17)
        if kind == "weekly":
            days = sorted({first.weekday() % 5} | set(rng.sample(range(5), rng.randrange(0, 3))))
            first += timedelta(days=(days[0] - first.weekday()) % 7)
            rule = "FREQ=WEEKLY;BYDAY=" + ",".join(DAYS[d] for d in days)
        elif kind == "workdays":
            first += timedelta(days=(0 - first.weekday()) % 7)
            rule = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
        elif kind == "monthly-day":
            first = first.replace(day=rng.randrange(3, 28))
            rule = f"FREQ=MONTHLY;BYMONTHDAY={first.day}"
        elif kind == "monthly-nth":
            n, wd = rng.choice([1, 2, 3]), rng.randrange(5)
            first = first.replace(day=1)
            first += timedelta(days=(wd - first.weekday()) % 7 + 7 * (n - 1))
            rule = f"FREQ=MONTHLY;BYDAY={n}{DAYS[wd]}"
        else:
            first += timedelta(days=(0 - first.weekday()) % 7)
            rule = f"FREQ=WEEKLY;INTERVAL=2;BYDAY={DAYS[first.weekday()]}"
        start = datetime(first.year, first.month, first.day, hour, rng.choice([0, 15, 30, 45]))
        ending = rng.choices(["count", "until", "none"], [15, 25, 60])[0]
        last, count = None, 0
        if ending == "count":
            count = rng.randrange(5, 60)
            rule += f";COUNT={count}"
        elif ending == "until":
            last = min(start + timedelta(days=rng.randrange(30, 300)), datetime(2026, 12, 20))
            rule += f";UNTIL={last:%Y%m%d}T235959Z"
        # Exceptions only where an occurrence surely is: whole weeks after DTSTART
        # (weekly kinds), inside the window, before any UNTIL or COUNT end.
        slots = []
        if kind in ("weekly", "workdays"):
            per_week = 5 if kind == "workdays" else len(days)
            for w in range(1, 5):
                slot = start + timedelta(weeks=w)  # the (w * per_week + 1)th occurrence
                if (date(2026, 1, 4) < slot.date() < date(2026, 12, 27) and (not last or slot < last)
                        and (not count or w * per_week + 1 <= count)):
                    slots.append(slot)
        rng.shuffle(slots)
        exdates = slots[:rng.randrange(0, 3)] if len(slots) > 2 else []
        self.event(uid, start, start + timedelta(minutes=minutes), tzid, rrule=rule,
                   exdates=exdates)
        written = 1
        for slot in slots[len(exdates):len(exdates) + rng.randrange(0, 4)]:
            what = rng.choice(["moved", "retitled", "cancelled"])
            new = slot + timedelta(hours=rng.choice([1, 2, -1])) if what == "moved" else slot
            self.event(uid, new, new + timedelta(minutes=minutes), tzid, rid=slot, seq=1,
                       title="Moved: planning" if what == "retitled" else None,
                       status="CANCELLED" if what == "cancelled" else "CONFIRMED")
            written += 1
        return written

    def single(self) -> None:
        rng = self.rng
        uid = f"single-{self.n:05d}-{rng.randrange(16**8):08x}@google.com"
        past = rng.random() < 0.4
        lo, hi = (date(2024, 1, 8), date(2025, 12, 20)) if past else (date(2026, 1, 3), date(2026, 12, 28))
        day = lo + timedelta(days=rng.randrange((hi - lo).days))
        if rng.random() < 0.05:
            self.event(uid, day, day + timedelta(days=rng.choice([1, 1, 2, 3])), None,
                       title="Out of office")
            return
        tzid = self.zone()
        start = datetime(day.year, day.month, day.day, rng.randrange(7, 19), rng.choice([0, 30]))
        self.event(uid, start, start + timedelta(minutes=rng.choice([15, 30, 45, 60, 90, 120])),
                   tzid)


def generate(events: int, series: int, seed: int) -> str:
    g = Gen(seed)
    head = ("BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
            "VERSION:2.0\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nX-WR-CALNAME:ada@example.com\r\n"
            "X-WR-TIMEZONE:Europe/Berlin\r\n")
    zones = "".join(vtimezone(z) for z in ("Europe/Berlin", "America/New_York", "Europe/London",
                                             "Asia/Tokyo"))
    written = 0
    for k in range(series):
        written += g.series(k)
    while written < events:
        g.single()
        written += 1
    return head + zones + "".join(g.out) + "END:VCALENDAR\r\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--events", type=int, default=10000)
    ap.add_argument("--series", type=int, default=500)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    Path(args.out).write_text(generate(args.events, args.series, args.seed), encoding="utf-8",
                              newline="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
