"""expectations.py - the differences between gleaner and ical.js that are known and right.

compare.py fails on any difference not listed here, and on any listed one
that no longer happens.  Each entry names the calendar, the kind of
difference (only-gleaner, only-icaljs, start, end, cancelled, gleaner-error,
icaljs-error), the occurrence key (None for a whole-file error) and why.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Expect:
    kind: str
    key: str | None
    why: str

    def matches(self, diff: tuple) -> bool:
        return diff[0] == self.kind and (self.key is None or diff[1] == self.key)

    def __str__(self) -> str:
        return f"{self.kind} {self.key or ''} ({self.why})"


GAP = ("RFC 5545 3.3.5: a local time the spring DST change skips is read with the offset "
       "before the gap (02:30 CET = 03:30 CEST); ical.js, like libical's own conversion, "
       "uses the offset after it (02:30 CEST, an hour earlier)")
OVERLAP = ("RFC 5545 3.3.5: a local time the autumn change repeats is its first occurrence "
           "(CEST); ical.js, like libical's own conversion, takes the second (CET)")

EXPECTED: dict[str, list[Expect]] = {
    # Real-world fixtures.
    "big_bad_calendar.ics": [
        # 20 empty VEVENTs and no END:VCALENDAR.  gleaner closes the calendar,
        # skips the 20 events (no UID, no DTSTART) and counts them; ical.js
        # refuses the whole file.  Neither finds an occurrence.
        Expect("icaljs-error", None, "ical.js refuses a VCALENDAR without END"),
    ],
    "ical4j-mathBirthdays.ics": [
        # Herman Hollerith, born 29 February: DTSTART 20040229, FREQ=YEARLY.
        # RFC 5545 3.3.10: "Recurrence rules may generate recurrence instances
        # with an invalid date (e.g., February 30) ... Such recurrence
        # instances MUST be ignored", so the series has leap years only
        # (libical, and gleaner).  ical.js moves it to 1 March in the others.
        Expect("only-icaljs", f"AAE0B70C-B76A-11D9-BD53-000A95723178/{y}0301",
               "ical.js turns 29 February into 1 March in non-leap years")
        for y in range(2005, 2030) if y % 4
    ],
    "libical-issue339.ics": [
        # A vCard (BEGIN:VCARD), not a calendar: both refuse it.
        Expect("gleaner-error", None, "not an iCalendar file: GL_EBADDATA by design"),
        Expect("icaljs-error", None, "ical.js cannot parse the vCard's parameters"),
    ],
    "libical-stresstest.ics": [
        # libical's parser stress test: one VCALENDAR of every property with
        # junk values and unfolded text lines, no VEVENT.  gleaner skips the
        # junk and finds no event; ical.js refuses the file.
        Expect("icaljs-error", None, "ical.js refuses a line without ':'"),
    ],
    "nodeical-non-utc-until-ny.ics": [
        # DTSTART;TZID=America/New_York:20240301T140000, RRULE
        # FREQ=DAILY;UNTIL=20240315T140000 (no Z).  RFC 5545 wants UNTIL in
        # UTC here; gleaner, like libical and node-ical, reads the floating
        # UNTIL on the series' clock, so 15 March 14:00 is the last
        # occurrence.  ical.js reads it as 14:00 UTC and stops a day early.
        Expect("only-gleaner", "test-different-tz-until@example.com/20240315T180000Z",
               "ical.js reads a floating UNTIL as UTC"),
    ],
    "timezone_rdate.ics": [
        # One event with a "SUMMARY=testevent" line (no ':').  gleaner drops
        # the line and reads the event; ical.js refuses the whole file.
        Expect("icaljs-error", None, "ical.js refuses a line without ':'"),
        Expect("only-gleaner", "123/20120213T090000Z", "ical.js read nothing of the file"),
    ],
    # Generated: dst-edges.ics holds local times inside Berlin's DST changes.
    "dst-edges.ics": [
        Expect("only-gleaner", "gap@dst.gleaner.test/20260329T013000Z", GAP),
        Expect("only-icaljs", "gap@dst.gleaner.test/20260329T003000Z", GAP),
        Expect("only-gleaner", "daily-0230@dst.gleaner.test/20260329T013000Z", GAP),
        Expect("only-icaljs", "daily-0230@dst.gleaner.test/20260329T003000Z", GAP),
        Expect("only-gleaner", "floating-gap@dst.gleaner.test/20260329T011500Z", GAP),
        Expect("only-icaljs", "floating-gap@dst.gleaner.test/20260329T001500Z", GAP),
        Expect("only-gleaner", "overlap@dst.gleaner.test/20261025T003000Z", OVERLAP),
        Expect("only-icaljs", "overlap@dst.gleaner.test/20261025T013000Z", OVERLAP),
    ],
    "old-series.ics": [
        # A weekly Thursday series with EXDATEs on Monday 2 March (not an
        # occurrence) and Thursday 5 March.  ical.js's RecurExpansion steps
        # past the first EXDATE without comparing the next one with the same
        # occurrence, so the EXDATE of 5 March is never applied.
        Expect("only-icaljs", "exdate-miss@gen.gleaner.test/20260305T080000Z",
               "ical.js ignores an EXDATE that follows one that is not an occurrence"),
    ],
    # The gen-NN.ics calendars carry their own expectations (gen_calendars.py
    # lists the DTSTART of each RDATE-only series it writes: RDATE_ONLY).
}
