#!/usr/bin/env python3
"""gen_calendars.py - calendars full of the hard cases, for the ical.js oracle.

    python3 gen_calendars.py OUT_DIR [--count N] [--seed S]

Writes gen-NN.ics (random mixes, deterministic for a seed), ny-weekly.ics (a
weekly meeting organised in America/New_York, seen from Europe/Berlin across
both DST changes of both zones), dst-edges.ics (local times that a DST
change skips or repeats) and old-series.ics (series begun years before the
window, with exceptions inside it).  Every calendar is read in Europe/Berlin over
WINDOW.  Standard library only.

The cases: RRULE with COUNT, UNTIL, INTERVAL, BYDAY, BYMONTHDAY, BYSETPOS,
BYMONTH; RDATE as DATE-TIME, DATE and PERIOD; EXDATE on several lines, with
and without TZID, in UTC, as dates; overrides moved (also across the window's
edges), retitled and cancelled, with the recurrence id in the series' zone
or in UTC; an override for an EXDATEd slot; overrides without their series;
zones from a VTIMEZONE in the file (Outlook and Google shapes, and a custom
name), IANA names without one, Windows names without one; floating times;
all-day events, single, multi-day and weekly; DURATION instead of DTEND; no
DTEND; events across midnight and across the DST nights.
"""
from __future__ import annotations

import argparse
import random
from datetime import date, datetime, timedelta
from pathlib import Path

WINDOW = ("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")
USER_TZ = "Europe/Berlin"

VTIMEZONES = {
    # Outlook writes the Windows name with a two-rule VTIMEZONE from 1601.
    "W. Europe Standard Time": """BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE""",
    # Google writes the IANA name with X-LIC-LOCATION and rules from 1970.
    "America/New_York": """BEGIN:VTIMEZONE
TZID:America/New_York
X-LIC-LOCATION:America/New_York
BEGIN:DAYLIGHT
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
TZNAME:EDT
DTSTART:19700308T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
TZNAME:EST
DTSTART:19701101T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
END:STANDARD
END:VTIMEZONE""",
    # A name no zone database knows: only the VTIMEZONE says what it is.
    "Custom/Sydney Office": """BEGIN:VTIMEZONE
TZID:Custom/Sydney Office
BEGIN:STANDARD
DTSTART:20080406T030000
TZOFFSETFROM:+1100
TZOFFSETTO:+1000
RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:20081005T020000
TZOFFSETFROM:+1000
TZOFFSETTO:+1100
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=1SU
END:DAYLIGHT
END:VTIMEZONE""",
}

# (TZID as written, whether the calendar carries its VTIMEZONE)
ZONES = [
    ("Europe/Berlin", False),
    ("America/New_York", False),
    ("America/New_York", True),
    ("Asia/Tokyo", False),
    ("Europe/London", False),
    ("W. Europe Standard Time", True),
    ("W. Europe Standard Time", False),
    ("Eastern Standard Time", False),
    ("Pacific Standard Time", False),
    ("Custom/Sydney Office", True),
    ("UTC", False),  # written as ...Z
    (None, False),  # floating
]

DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def stamp(dt: datetime) -> str:
    return dt.strftime("%Y%m%dT%H%M%S")


def dstamp(d: date) -> str:
    return d.strftime("%Y%m%d")


def prop(name: str, dt: datetime | date, tzid: str | None, params: str = "") -> str:
    """NAME[;TZID=..]:value - a DATE, a UTC time (tzid "UTC"), zoned or floating."""
    if not isinstance(dt, datetime):
        return f"{name}{params};VALUE=DATE:{dstamp(dt)}"
    if tzid == "UTC":
        return f"{name}{params}:{stamp(dt)}Z"
    if tzid:
        quoted = f'"{tzid}"' if any(c in tzid for c in ",;: ") else tzid
        return f"{name}{params};TZID={quoted}:{stamp(dt)}"
    return f"{name}{params}:{stamp(dt)}"


RDATE_ONLY = ("ical.js 2.2.1 leaves DTSTART out of a series that has RDATEs but no RRULE; "
              "RFC 5545 3.8.2.4 and 3.8.5.2 make DTSTART the first occurrence of the set")


class Cal:
    def __init__(self) -> None:
        self.events: list[str] = []
        self.zones: set[str] = set()
        self.n = 0
        self.expect: list[tuple[str, str, str]] = []  # (kind, key, why), see expectations.py

    def expect_rdate_only(self, uid: str, start, end) -> None:
        """The DTSTART occurrence of an RDATE-only series, if it is in the window."""
        lo, hi = (datetime.strptime(w, "%Y-%m-%dT%H:%M:%SZ") for w in WINDOW)
        if isinstance(start, datetime):
            s, e, key = start, end, stamp(start) + "Z"
        else:
            def day(d):
                return to_utc(datetime(d.year, d.month, d.day), None)
            s, e, key = day(start), day(end), dstamp(start)
        if s < hi and (e > lo or (e == s and s >= lo)):
            self.expect.append(("only-gleaner", f"{uid}/{key}", RDATE_ONLY))

    def uid(self, what: str) -> str:
        self.n += 1
        return f"{what}-{self.n}@gen.gleaner.test"

    def add(self, uid: str, start, tzid, *, end=None, duration=None, rrule=None, rdates=(),
            exdates=(), rid=None, summary="Meeting", status=None, lines=()) -> None:
        out = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20251201T120000Z", f"SUMMARY:{summary}"]
        if rid is not None:
            out.append(rid)
        out.append(prop("DTSTART", start, tzid))
        if end is not None:
            out.append(prop("DTEND", end, tzid))
        if duration:
            out.append(f"DURATION:{duration}")
        if rrule:
            out.append(f"RRULE:{rrule}")
        out.extend(rdates)
        out.extend(exdates)
        if status:
            out.append(f"STATUS:{status}")
        out.extend(lines)
        out.append("END:VEVENT")
        self.events.append("\n".join(out))
        if rdates and not rrule and rid is None:
            if isinstance(start, datetime):
                u = start if tzid == "UTC" else to_utc(start, tzid)
                length = (end - start) if end is not None else timedelta(0)
                self.expect_rdate_only(uid, u, u + length)
            else:
                self.expect_rdate_only(uid, start, end or start + timedelta(days=1))

    def text(self) -> str:
        parts = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//gleaner//gen_calendars//EN"]
        parts += [VTIMEZONES[z] for z in sorted(self.zones)]
        parts += self.events
        parts.append("END:VCALENDAR")
        return "\r\n".join("\r\n".join(p.split("\n")) for p in parts) + "\r\n"


def pick_zone(rng: random.Random, cal: Cal) -> str | None:
    tzid, defined = rng.choice(ZONES)
    if defined:
        cal.zones.add(tzid)
    return tzid


def some_day(rng: random.Random, lo: date, hi: date, weekday: int | None = None) -> date:
    d = lo + timedelta(days=rng.randrange((hi - lo).days))
    if weekday is not None:
        d += timedelta(days=(weekday - d.weekday()) % 7)
    return d


def at(d: date, rng: random.Random, lo_hour=7, hi_hour=19) -> datetime:
    return datetime(d.year, d.month, d.day, rng.randrange(lo_hour, hi_hour), rng.choice([0, 15, 30, 45]))


def overrides_for(rng, cal, uid, tzid, instances, summary, exdated=()):
    """Moved, retitled and cancelled overrides of some of `instances`."""
    for slot in rng.sample(instances, min(len(instances), rng.randrange(0, 4))):
        kind = rng.choice(["moved", "retitled", "cancelled", "moved-day", "utc-rid"])
        rid_zone = "UTC" if kind == "utc-rid" and tzid not in (None,) else tzid
        rid_time = slot
        if rid_zone == "UTC" and tzid != "UTC":
            rid_time = to_utc(slot, tzid)
        rid = prop("RECURRENCE-ID", rid_time, rid_zone)
        start, length = slot, timedelta(minutes=rng.choice([30, 45, 60, 90]))
        title, status = summary, None
        if kind == "moved":
            start = slot + timedelta(hours=rng.choice([-2, 1, 3]))
        elif kind == "moved-day":
            start = slot + timedelta(days=rng.choice([-1, 1, 2]))
        elif kind == "retitled":
            title = summary + " (moved room)"
        elif kind == "cancelled":
            status = "CANCELLED"
        cal.add(uid, start, tzid, end=start + length, rid=rid, summary=title, status=status,
                lines=["SEQUENCE:1"])
    for slot in exdated[:1]:
        # An override for a slot the series EXDATEs: the EXDATE wins.
        cal.add(uid, slot + timedelta(hours=1), tzid, end=slot + timedelta(hours=2),
                rid=prop("RECURRENCE-ID", slot, tzid), summary=summary + " (ghost)")


def to_utc(local: datetime, tzid: str | None) -> datetime:
    from zoneinfo import ZoneInfo
    iana = {"W. Europe Standard Time": "Europe/Berlin", "Eastern Standard Time": "America/New_York",
            "Pacific Standard Time": "America/Los_Angeles", "Custom/Sydney Office": "Australia/Sydney",
            None: USER_TZ}.get(tzid, tzid)
    aware = local.replace(tzinfo=ZoneInfo(iana))
    return aware.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def weekly(rng, cal):
    tzid = pick_zone(rng, cal)
    uid = cal.uid("weekly")
    days = sorted(rng.sample(range(5), rng.choice([1, 1, 2, 3])))
    first = some_day(rng, date(2025, 9, 1), date(2026, 12, 1), days[0])
    start = at(first, rng)
    length = timedelta(minutes=rng.choice([15, 30, 45, 60, 90]))
    interval = rng.choice([1, 1, 1, 2, 3])
    rule = f"FREQ=WEEKLY;BYDAY={','.join(DAYS[d] for d in days)}"
    if interval > 1:
        rule += f";INTERVAL={interval}"
    end_kind = rng.choice(["count", "until", "none"])
    if end_kind == "count":
        rule += f";COUNT={rng.randrange(3, 40)}"
    elif end_kind == "until":
        until = start + timedelta(days=rng.randrange(20, 300))
        rule += f";UNTIL={stamp(to_utc(until, tzid))}Z" if tzid else f";UNTIL={stamp(until)}"
    # Slots for exceptions: the first few weeks of the series.
    slots = [start + timedelta(weeks=interval * k) for k in range(1, 8)]
    ex = rng.sample(slots, rng.randrange(0, 3))
    exlines = []
    for i, x in enumerate(ex):
        if tzid and tzid != "UTC" and i % 2:
            exlines.append(f"EXDATE:{stamp(to_utc(x, tzid))}Z")  # the same instant in UTC
        else:
            exlines.append(prop("EXDATE", x, tzid))
    if len(exlines) == 2 and rng.random() < 0.5 and ";TZID" in exlines[0] and ";TZID" in exlines[1]:
        exlines = [exlines[0] + "," + exlines[1].split(":")[-1]]  # one line, two values
    summary = rng.choice(["Standup", "Planning", "1:1 with Bob", "Design review", "Retro"])
    cal.add(uid, start, tzid, end=start + length, rrule=rule, exdates=exlines, summary=summary)
    overrides_for(rng, cal, uid, tzid, [s for s in slots if s not in ex], summary, ex)


def monthly(rng, cal):
    tzid = pick_zone(rng, cal)
    uid = cal.uid("monthly")
    kind = rng.choice(["bymonthday", "lastday", "setpos", "nth", "yearly", "daily"])
    first = some_day(rng, date(2025, 6, 1), date(2026, 10, 1))
    if kind == "bymonthday":
        day = rng.choice([1, 10, 15, 28, 31])
        rule = f"FREQ=MONTHLY;BYMONTHDAY={day}"
        while True:
            try:
                first = first.replace(day=day)
                break
            except ValueError:
                first = (first.replace(day=1) + timedelta(days=32)).replace(day=1)
    elif kind == "lastday":
        rule = "FREQ=MONTHLY;BYMONTHDAY=-1"
        first = (first.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    elif kind == "setpos":
        rule = "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"  # the last workday
        nxt = (first.replace(day=1) + timedelta(days=32)).replace(day=1)
        first = nxt - timedelta(days=1)
        while first.weekday() > 4:
            first -= timedelta(days=1)
    elif kind == "nth":
        n = rng.choice([1, 2, -1])
        wd = rng.randrange(5)
        rule = f"FREQ=MONTHLY;BYDAY={n}{DAYS[wd]}"
        month = first.replace(day=1)
        cands = [month + timedelta(days=i) for i in range(31)
                 if (month + timedelta(days=i)).month == month.month
                 and (month + timedelta(days=i)).weekday() == wd]
        first = cands[n - 1] if n > 0 else cands[-1]
    elif kind == "yearly":
        rule = f"FREQ=YEARLY;BYMONTH={first.month};BYMONTHDAY={min(first.day, 28)}"
        first = first.replace(day=min(first.day, 28), year=2024)
    else:
        rule = f"FREQ=DAILY;INTERVAL={rng.choice([1, 2, 5])};COUNT={rng.randrange(5, 60)}"
    if kind != "daily" and rng.random() < 0.5:
        rule += f";COUNT={rng.randrange(3, 20)}"
    start = at(first, rng)
    cal.add(uid, start, tzid, end=start + timedelta(minutes=rng.choice([30, 60, 120])), rrule=rule,
            summary=f"Monthly {kind}")


def rdates(rng, cal):
    tzid = rng.choice(["Europe/Berlin", "America/New_York", "W. Europe Standard Time", None, "UTC"])
    if tzid == "W. Europe Standard Time":
        cal.zones.add(tzid)
    uid = cal.uid("rdate")
    first = some_day(rng, date(2025, 12, 1), date(2026, 11, 1))
    start = at(first, rng)
    extra = [start + timedelta(days=rng.randrange(1, 60), hours=rng.randrange(-3, 4)) for _ in range(3)]
    lines = [prop("RDATE", extra[0], tzid), prop("RDATE", extra[1], tzid)]
    # A period with its own end (longer than the series' events).
    p0 = extra[2]
    if tzid == "UTC":
        lines.append(f"RDATE;VALUE=PERIOD:{stamp(p0)}Z/{stamp(p0 + timedelta(hours=3))}Z")
    elif tzid:
        lines.append(f"RDATE;TZID={tzid if ' ' not in tzid else chr(34) + tzid + chr(34)};"
                     f"VALUE=PERIOD:{stamp(p0)}/PT2H30M")
    else:
        lines.append(f"RDATE;VALUE=PERIOD:{stamp(p0)}/{stamp(p0 + timedelta(minutes=100))}")
    rule = "FREQ=WEEKLY;COUNT=4" if rng.random() < 0.5 else None
    if rule:
        lines.append(prop("RDATE", start + timedelta(weeks=2), tzid))  # also made by the rule
    cal.add(uid, start, tzid, end=start + timedelta(hours=1), rrule=rule, rdates=lines,
            summary="Workshop days")


def all_day(rng, cal):
    uid = cal.uid("allday")
    first = some_day(rng, date(2025, 12, 1), date(2026, 12, 31))
    kind = rng.choice(["single", "multi", "weekly", "nodtend", "yearly", "rdate"])
    if kind == "single":
        cal.add(uid, first, None, end=first + timedelta(days=1), summary="Holiday",
                lines=["TRANSP:TRANSPARENT"])
    elif kind == "multi":
        cal.add(uid, first, None, end=first + timedelta(days=rng.randrange(2, 10)), summary="Trip")
    elif kind == "nodtend":
        cal.add(uid, first, None, summary="Deadline")
    elif kind == "yearly":
        cal.add(uid, first.replace(year=2020), None, duration="P1D", rrule="FREQ=YEARLY",
                summary="Birthday")
    elif kind == "rdate":
        cal.add(uid, first, None, end=first + timedelta(days=1),
                rdates=[f"RDATE;VALUE=DATE:{dstamp(first + timedelta(days=9))},"
                        f"{dstamp(first + timedelta(days=20))}"], summary="Office days")
    else:
        slots = [first + timedelta(weeks=k) for k in range(1, 6)]
        ex = rng.sample(slots, 2)
        cal.add(uid, first, None, end=first + timedelta(days=1), rrule="FREQ=WEEKLY;COUNT=30",
                exdates=[f"EXDATE;VALUE=DATE:{dstamp(x)}" for x in ex], summary="Home office")
        moved = [s for s in slots if s not in ex][0]
        cal.add(uid, moved + timedelta(days=1), None, end=moved + timedelta(days=2),
                rid=f"RECURRENCE-ID;VALUE=DATE:{dstamp(moved)}", summary="Home office (moved)")


def odd_lengths(rng, cal):
    tzid = pick_zone(rng, cal)
    uid = cal.uid("length")
    first = some_day(rng, date(2025, 12, 15), date(2026, 12, 20))
    kind = rng.choice(["duration", "duration-days", "zero", "midnight", "dst-night", "long"])
    if kind == "duration":
        start = at(first, rng)
        cal.add(uid, start, tzid, duration=rng.choice(["PT1H30M", "PT45M", "PT2H"]),
                rrule=f"FREQ=DAILY;COUNT={rng.randrange(2, 15)}", summary="Focus block")
    elif kind == "duration-days":
        # Nominal days: across a DST change the occurrence is 23 or 25 hours.
        start = datetime(2026, 3, 27, 18, 0) if rng.random() < 0.5 else datetime(2026, 10, 23, 18, 0)
        cal.add(uid, start, tzid, duration=rng.choice(["P1D", "P2DT2H", "P1W"]),
                rrule="FREQ=DAILY;COUNT=4", summary="Conference")
    elif kind == "zero":
        cal.add(uid, at(first, rng), tzid, summary="Reminder")
    elif kind == "midnight":
        start = datetime(first.year, first.month, first.day, 22, 30)
        cal.add(uid, start, tzid, end=start + timedelta(hours=3), rrule="FREQ=DAILY;COUNT=5",
                summary="Night shift")
    elif kind == "dst-night":
        # 23:00-04:00 every night around a DST change: the end is exact (RFC 5545 3.8.5.3).
        base = rng.choice([date(2026, 3, 26), date(2026, 10, 23), date(2026, 3, 6), date(2026, 10, 30)])
        start = datetime(base.year, base.month, base.day, 23, 0)
        cal.add(uid, start, tzid, end=start + timedelta(hours=5), rrule="FREQ=DAILY;COUNT=6",
                summary="Maintenance window")
    else:
        start = at(first, rng)
        cal.add(uid, start, tzid, end=start + timedelta(days=3, hours=2), summary="Offsite")


def edges(rng, cal):
    """Series and overrides that cross the window's edges."""
    tzid = rng.choice(["Europe/Berlin", None, "America/New_York"])
    uid = cal.uid("edge")
    start = datetime(2025, 12, 1, 10, 0)
    cal.add(uid, start, tzid, end=start + timedelta(hours=1), rrule="FREQ=WEEKLY;BYDAY=MO",
            summary="Weekly sync")
    # Moved from 2025-12-29 into the window, and from inside it out of it.
    slot_in = datetime(2025, 12, 29, 10, 0)
    cal.add(uid, datetime(2026, 1, 2, 9, 0), tzid, end=datetime(2026, 1, 2, 10, 0),
            rid=prop("RECURRENCE-ID", slot_in, tzid), summary="Weekly sync (moved in)")
    slot_out = datetime(2026, 12, 28, 10, 0)
    cal.add(uid, datetime(2027, 1, 4, 9, 0), tzid, end=datetime(2027, 1, 4, 10, 0),
            rid=prop("RECURRENCE-ID", slot_out, tzid), summary="Weekly sync (moved out)")
    # An occurrence that starts before the window and ends inside it.
    cal.add(cal.uid("straddle"), datetime(2025, 12, 31, 22, 0), tzid,
            end=datetime(2026, 1, 1, 3, 0), summary="New year's watch")
    # An override whose series is missing.
    orphan = cal.uid("orphan")
    cal.add(orphan, datetime(2026, 5, 6, 14, 0), tzid, end=datetime(2026, 5, 6, 15, 0),
            rid=prop("RECURRENCE-ID", datetime(2026, 5, 5, 14, 0), tzid), summary="Orphan")


def generated(seed: int, index: int) -> str:
    rng = random.Random(seed * 1000 + index)
    cal = Cal()
    makers = [weekly, weekly, weekly, monthly, rdates, all_day, odd_lengths]
    for _ in range(rng.randrange(25, 45)):
        rng.choice(makers)(rng, cal)
    if index % 3 == 0:
        edges(rng, cal)
    return cal.text(), cal.expect


def ny_weekly() -> str:
    """Tuesdays 10:00 New York all year: 16:00 in Berlin, 15:00 in the weeks
    between the two zones' DST changes (March 8-29, October 25-November 1)."""
    cal = Cal()
    for tzid, defined in [("America/New_York", False), ("Eastern Standard Time", False),
                          ("America/New_York", True)]:
        if defined:
            cal.zones.add(tzid)
        uid = cal.uid(f"ny-{'vtz' if defined else tzid.split('/')[0].split()[0].lower()}")
        start = datetime(2026, 1, 6, 10, 0)
        cal.add(uid, start, tzid, end=start + timedelta(minutes=45),
                rrule="FREQ=WEEKLY;BYDAY=TU;UNTIL=20261229T150000Z",
                exdates=[prop("EXDATE", datetime(2026, 3, 10, 10, 0), tzid)],
                summary="Sync with the New York office",
                lines=["ORGANIZER:mailto:boss@ny.example.com"])
        cal.add(uid, datetime(2026, 10, 28, 11, 0), tzid, end=datetime(2026, 10, 28, 12, 0),
                rid=prop("RECURRENCE-ID", datetime(2026, 10, 27, 10, 0), tzid),
                summary="Sync (moved to Wednesday)")
        cal.add(uid, datetime(2026, 11, 3, 10, 0), tzid, end=datetime(2026, 11, 3, 10, 45),
                rid=prop("RECURRENCE-ID", datetime(2026, 11, 3, 10, 0), tzid),
                summary="Sync with the New York office", status="CANCELLED")
    return cal.text(), cal.expect


def dst_edges() -> str:
    """Local times inside the DST gap and overlap (see expectations.py)."""
    cal = Cal()
    # Berlin: 2026-03-29 02:00-03:00 does not exist; 2026-10-25 02:00-03:00 happens twice.
    cal.add("gap@dst.gleaner.test", datetime(2026, 3, 29, 2, 30), "Europe/Berlin",
            end=datetime(2026, 3, 29, 4, 0), summary="In the spring gap")
    cal.add("overlap@dst.gleaner.test", datetime(2026, 10, 25, 2, 30), "Europe/Berlin",
            end=datetime(2026, 10, 25, 3, 30), summary="In the autumn overlap")
    cal.add("daily-0230@dst.gleaner.test", datetime(2026, 3, 27, 2, 30), "Europe/Berlin",
            end=datetime(2026, 3, 27, 3, 0), rrule="FREQ=DAILY;COUNT=4", summary="Daily 02:30")
    cal.add("floating-gap@dst.gleaner.test", datetime(2026, 3, 29, 2, 15), None,
            end=datetime(2026, 3, 29, 2, 45), summary="Floating in the gap")
    # Around the changes but never inside them: both must agree.
    cal.add("daily-0130@dst.gleaner.test", datetime(2026, 10, 23, 1, 30), "Europe/Berlin",
            end=datetime(2026, 10, 23, 3, 30), rrule="FREQ=DAILY;COUNT=5", summary="Daily 01:30")
    return cal.text(), cal.expect  # the gap and overlap ones: expectations.py


def occurs(rule: str, first: date, d: date) -> bool:
    """Whether one of old_series' simple rules has an occurrence on day `d`
    (to put EXDATEs on occurrences, as calendar programs do)."""
    parts = dict(p.split("=") for p in rule.split(";"))
    if "UNTIL" in parts and d > datetime.strptime(parts["UNTIL"][:8], "%Y%m%d").date():
        return False
    if "BYDAY" in parts:
        return DAYS[d.weekday()] in parts["BYDAY"].split(",")
    if parts["FREQ"] == "WEEKLY":
        return d.weekday() == first.weekday()
    return (d - first).days % int(parts.get("INTERVAL", 1)) == 0


def old_series(seed: int) -> tuple[str, list]:
    """Series that began years before the window, so that gleaner skips ahead
    to it (libical's set_start) while ical.js walks from DTSTART."""
    rng = random.Random(seed * 7919)
    cal = Cal()
    rules = ["FREQ=DAILY", "FREQ=DAILY;INTERVAL=2", "FREQ=DAILY;INTERVAL=3", "FREQ=DAILY;INTERVAL=7",
             "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", "FREQ=WEEKLY", "FREQ=WEEKLY;BYDAY=MO,WE,FR",
             "FREQ=WEEKLY;BYDAY=TU,TH", "FREQ=WEEKLY;BYDAY=SU", "FREQ=WEEKLY;WKST=SU;BYDAY=MO,SA",
             "FREQ=WEEKLY;UNTIL=20260615T000000Z", "FREQ=DAILY;UNTIL=20260301T000000Z"]
    for i, rule in enumerate(rules * 3):
        tzid = pick_zone(rng, cal)
        uid = cal.uid("old")
        first = some_day(rng, date(2015, 1, 1), date(2025, 6, 1))
        if "BYDAY=" in rule and "FREQ=WEEKLY" in rule:
            first += timedelta(days=(DAYS.index(rule.split("BYDAY=")[1][:2]) - first.weekday()) % 7)
        if i % 9 == 4:  # all-day
            cal.add(uid, first, None, end=first + timedelta(days=1), rrule=rule, summary="Old all-day")
            continue
        start = at(first, rng, 0, 24) if i % 5 == 0 else at(first, rng)
        length = timedelta(minutes=rng.choice([30, 60, 300]))
        ex = [x for x in (datetime(2026, 3, 2, start.hour, start.minute) + timedelta(days=k)
                          for k in range(21)) if occurs(rule, first, x.date())][:3]
        cal.add(uid, start, tzid, end=start + length, rrule=rule,
                exdates=[prop("EXDATE", x, tzid) for x in ex], summary=f"Old {rule}")
        moved = datetime(2026, 6, 1, start.hour, start.minute) + timedelta(days=rng.randrange(7))
        cal.add(uid, moved + timedelta(hours=2), tzid, end=moved + timedelta(hours=2) + length,
                rid=prop("RECURRENCE-ID", moved, tzid), summary=f"Old {rule} (moved)")
    # An EXDATE that is not an occurrence (a Monday of a Thursday series), then
    # one that is: ical.js then keeps the Thursday (expectations.py).
    cal.add("exdate-miss@gen.gleaner.test", datetime(2019, 1, 3, 9, 0), "Europe/Berlin",
            end=datetime(2019, 1, 3, 10, 0), rrule="FREQ=WEEKLY",
            exdates=["EXDATE;TZID=Europe/Berlin:20260302T090000",
                     "EXDATE;TZID=Europe/Berlin:20260305T090000"], summary="Thursday sync")
    return cal.text(), cal.expect


def calendars(seed: int = 1, count: int = 12) -> list[tuple[str, str, list]]:
    """(file name, text, the differences from ical.js it is known to cause)."""
    out = [(f"gen-{i:02d}.ics", *generated(seed, i)) for i in range(count)]
    out.append(("ny-weekly.ics", *ny_weekly()))
    out.append(("dst-edges.ics", *dst_edges()))
    out.append(("old-series.ics", *old_series(seed)))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--count", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, text, _ in calendars(args.seed, args.count):
        (out / name).write_text(text, encoding="utf-8", newline="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
