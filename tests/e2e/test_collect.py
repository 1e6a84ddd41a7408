#!/usr/bin/env python3
"""gleaner collect, activities and day on real files: an .ics calendar with
the traps (declined, cancelled, free, all-day, an EXDATE, a moved
occurrence), an https feed with validators and failures, and Git
repositories built here with chosen dates, identities and branches."""
import fcntl
import os
import pty
import select
import shutil
import sqlite3
import struct
import subprocess
import termios
import threading
from pathlib import Path

from harness import BIN, WRAPPER, GleanerTestCase, main  # noqa: I001 (puts fakes/ on the path)
from fakekit import FakeServer, Response

NOW = "2026-11-19T12:00:00Z"  # a Thursday; the week is 2026-11-16 .. 2026-11-22

CALENDAR = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//gleaner tests//EN
BEGIN:VEVENT
UID:standup@example.com
DTSTAMP:20261101T000000Z
DTSTART;TZID=Europe/Berlin:20261109T093000
DTEND;TZID=Europe/Berlin:20261109T094500
RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=20
EXDATE;TZID=Europe/Berlin:20261118T093000
SUMMARY:Daily standup
ORGANIZER:mailto:lead@acme.com
ATTENDEE;PARTSTAT=ACCEPTED:mailto:ada@example.com
ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@acme.com
END:VEVENT
BEGIN:VEVENT
UID:standup@example.com
DTSTAMP:20261101T000000Z
RECURRENCE-ID;TZID=Europe/Berlin:20261119T093000
DTSTART;TZID=Europe/Berlin:20261119T100000
DTEND;TZID=Europe/Berlin:20261119T101500
SUMMARY:Daily standup (moved)
ORGANIZER:mailto:lead@acme.com
ATTENDEE;PARTSTAT=ACCEPTED:mailto:ada@example.com
ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@acme.com
END:VEVENT
BEGIN:VEVENT
UID:vendor@example.com
DTSTAMP:20261101T000000Z
DTSTART:20261117T130000Z
DTEND:20261117T140000Z
SUMMARY:Vendor pitch
ORGANIZER:mailto:sales@vendor.io
ATTENDEE;PARTSTAT=DECLINED:mailto:Ada@Example.com
END:VEVENT
BEGIN:VEVENT
UID:retro@example.com
DTSTAMP:20261101T000000Z
STATUS:CANCELLED
DTSTART:20261120T150000Z
DURATION:PT1H
SUMMARY:Retro
END:VEVENT
BEGIN:VEVENT
UID:lunch@example.com
DTSTAMP:20261101T000000Z
TRANSP:TRANSPARENT
DTSTART:20261119T110000Z
DTEND:20261119T120000Z
SUMMARY:Maybe lunch
END:VEVENT
BEGIN:VEVENT
UID:offsite@example.com
DTSTAMP:20261101T000000Z
DTSTART;VALUE=DATE:20261118
DTEND;VALUE=DATE:20261119
SUMMARY:Team offsite
END:VEVENT
END:VCALENDAR
"""
EXTRA_EVENT = """BEGIN:VEVENT
UID:review@example.com
DTSTAMP:20261101T000000Z
DTSTART;TZID=Europe/Berlin:20261120T150000
DTEND;TZID=Europe/Berlin:20261120T160000
SUMMARY:Design review
END:VEVENT
"""


def git(repo: Path, *args, date=None, email="ada@example.com", name="Ada"):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(repo.parent),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    return subprocess.run(["git", "-C", str(repo), *args], env=env, check=True,
                          capture_output=True, text=True).stdout


def commit(repo: Path, message: str, date: str, **who):
    with (repo / "log.txt").open("a") as log:
        log.write(message + "\n")
    git(repo, "add", "log.txt")
    git(repo, "commit", "-q", "-m", message, date=date, **who)


class CollectCase(GleanerTestCase):
    def setUp(self):
        super().setUp()
        self.env["GLEANER_TEST_NOW"] = NOW

    def configure(self, sections: str):
        self.write(".config/gleaner/config",
                   "[user]\n\temail = ada@example.com\n\ttimezone = Europe/Berlin\n" + sections)

    def collect(self, *args, code=0):
        r = self.run_gleaner("--json", "collect", *args)
        self.assertExit(r, code)
        return {s["source"]: s for s in r.json()["sources"]}

    def activities(self, *args):
        r = self.run_gleaner("--json", "activities", *args)
        self.assertExit(r, 0)
        return r.json()["activities"]


class CalendarTest(CollectCase):
    def setUp(self):
        super().setUp()
        self.ics = self.write("work.ics", CALENDAR, 0o644)
        self.configure(f'[calendar "work"]\n\tics = {self.ics}\n')

    def test_who_attended_is_kept_unless_a_crowd(self):
        def meeting(uid, hour, people):
            lines = [f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{p}" for p in people]
            return ("BEGIN:VEVENT\n"
                    f"UID:{uid}\nDTSTAMP:20261101T000000Z\n"
                    f"DTSTART:20261118T{hour:02d}0000Z\nDTEND:20261118T{hour:02d}3000Z\n"
                    "SUMMARY:Sync\nATTENDEE;PARTSTAT=ACCEPTED:mailto:ada@example.com\n"
                    + "\n".join(lines) + "\nEND:VEVENT\n")
        few = ["Bo@Acme.com", "cy@globex.example", "bo@acme.com"]
        crowd = [f"p{i}@acme.com" for i in range(26)]
        self.write("work.ics", "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\n"
                   + meeting("few@t", 9, few) + meeting("crowd@t", 11, crowd)
                   + "END:VCALENDAR\n", 0o644)
        self.collect()
        acts = {a["key"].split("/")[0]: a for a in self.activities()}
        # Each person once, lower-case, the user left out.
        self.assertEqual(acts["few@t"]["details"]["attendee_emails"],
                         ["bo@acme.com", "cy@globex.example"])
        self.assertEqual(acts["few@t"]["details"]["attendee_domains"],
                         ["acme.com", "globex.example"])
        # Over 25 people: the domains say who it was with, not each name.
        self.assertNotIn("attendee_emails", acts["crowd@t"]["details"])
        self.assertEqual(acts["crowd@t"]["details"]["attendee_domains"], ["acme.com"])
        self.assertEqual(acts["crowd@t"]["details"]["attendees"], 26)

    def test_occurrences_and_verdicts(self):
        src = self.collect()["calendar:work"]
        self.assertEqual(src["status"], "ok", src)
        acts = {a["key"]: a for a in self.activities()}
        standups = sorted(k for k in acts if k.startswith("standup@"))
        # Mon, Tue, (Wed was EXDATEd), Thu moved, Fri; keys keep the original slot.
        self.assertEqual(standups, [
            "standup@example.com/20261116T083000Z", "standup@example.com/20261117T083000Z",
            "standup@example.com/20261119T083000Z", "standup@example.com/20261120T083000Z"])
        moved = acts["standup@example.com/20261119T083000Z"]
        self.assertEqual((moved["start"], moved["end"], moved["title"]),
                         ("2026-11-19T09:00:00Z", "2026-11-19T09:15:00Z", "Daily standup (moved)"))
        self.assertTrue(moved["counted"])
        self.assertIsNone(moved["why"])
        self.assertEqual(moved["details"]["organizer"], "lead@acme.com")
        self.assertEqual(moved["details"]["attendee_domains"], ["acme.com"])
        self.assertEqual(moved["details"]["partstat"], "accepted")

        self.assertEqual(moved["details"]["attendee_emails"], ["bob@acme.com"])

        def verdict(uid):
            (a,) = [a for k, a in acts.items() if k.startswith(uid)]
            return a["counted"], a["why"]

        self.assertEqual(verdict("vendor@"), (False, "declined"))
        self.assertEqual(verdict("retro@"), (False, "cancelled"))
        self.assertEqual(verdict("lunch@"), (False, "free"))
        self.assertEqual(verdict("offsite@"), (False, "all-day"))
        (offsite,) = [a for k, a in acts.items() if k.startswith("offsite@")]
        # An all-day date is midnight to midnight in the user's zone.
        self.assertEqual((offsite["start"], offsite["end"]),
                         ("2026-11-17T23:00:00Z", "2026-11-18T23:00:00Z"))
        self.assertEqual(src["read"], 8)
        self.assertEqual(src["added"], 8)
        self.assertEqual(src["not_counted"], 4)

    def test_include_all_day(self):
        self.configure(f'[calendar "work"]\n\tics = {self.ics}\n\tinclude-all-day = true\n')
        self.collect()
        (offsite,) = [a for a in self.activities() if a["key"].startswith("offsite@")]
        self.assertTrue(offsite["counted"])

    def test_recollect_is_idempotent_and_notices_deletions(self):
        self.collect()
        again = self.collect()["calendar:work"]
        self.assertEqual((again["added"], again["changed"], again["removed"]), (0, 0, 0))
        # The vendor pitch is deleted and the retro is retitled.
        text = CALENDAR.replace("SUMMARY:Retro", "SUMMARY:Retrospective")
        start = text.index("BEGIN:VEVENT\nUID:vendor@")
        end = text.index("END:VEVENT\n", start) + len("END:VEVENT\n")
        self.ics.write_text(text[:start] + text[end:])
        third = self.collect()["calendar:work"]
        self.assertEqual((third["added"], third["changed"], third["removed"]), (0, 1, 1))
        keys = [a["key"] for a in self.activities()]
        self.assertFalse([k for k in keys if k.startswith("vendor@")])

    def test_an_unreadable_part_removes_nothing(self):
        """A file cut off or one broken event: what could not be read may still be there, so
        nothing is removed (else a meeting would vanish from the proposals)."""
        self.collect()
        before = sorted(a["key"] for a in self.activities())
        start = CALENDAR.index("BEGIN:VEVENT\nUID:vendor@")
        broken = CALENDAR[:start] + CALENDAR[start:].replace("DTSTART", "DTSTART:not-a-time\nX-", 1)
        self.ics.write_text(broken)
        src = self.collect()["calendar:work"]
        self.assertEqual(src["removed"], 0)
        self.assertIn("nothing was removed", src["message"])
        self.assertEqual(sorted(a["key"] for a in self.activities()), before)

    def test_titles_cannot_drive_the_terminal(self):
        # ESC ] 0; sets a terminal's title, ESC [2J clears it; \n would break the line.
        self.ics.write_text(CALENDAR.replace("SUMMARY:Retro",
                                             "SUMMARY:Retro\x1b]0;owned\x07\x1b[2J\\nagain"))
        self.collect()
        r = self.run_gleaner("activities")
        self.assertExit(r, 0)
        self.assertNotIn("\x1b", r.out)
        self.assertNotIn("\x07", r.out)
        line = [l for l in r.out.splitlines() if "Retro" in l][0]
        self.assertIn("again", line)

    def test_window_bounds_what_is_read(self):
        src = self.collect("--from", "2026-11-09", "--to", "2026-11-09")["calendar:work"]
        self.assertEqual(src["read"], 1)
        acts = self.activities("--from", "2026-11-09", "--to", "2026-11-09")
        self.assertEqual([a["key"] for a in acts], ["standup@example.com/20261109T083000Z"])
        # Other weeks were not touched.
        self.assertEqual(self.activities(), [])

    def test_text_listing_fits_80_columns(self):
        self.collect()
        r = self.run_gleaner("activities")
        self.assertExit(r, 0)
        self.assertIn("Thu 2026-11-19", r.out)
        self.assertIn("not counted: declined", r.out)
        self.assertIn("10:00-10:15", r.out)
        for line in r.out.splitlines():
            self.assertLessEqual(len(line), 80, line)

    def test_bad_calendar_is_reported_and_others_collected(self):
        self.write("junk.ics", "\x00\x01binary junk\xff" * 100, 0o644)
        self.configure(f'[calendar "work"]\n\tics = {self.ics}\n'
                       f'[calendar "junk"]\n\tics = {self.home / "junk.ics"}\n'
                       f'[calendar "gone"]\n\tics = {self.home / "nothere.ics"}\n')
        r = self.run_gleaner("--json", "collect")
        self.assertExit(r, 1)
        srcs = {s["source"]: s for s in r.json()["sources"]}
        self.assertEqual(srcs["calendar:work"]["status"], "ok")
        self.assertEqual(srcs["calendar:junk"]["status"], "error")
        self.assertIn("junk.ics", srcs["calendar:junk"]["message"])
        self.assertEqual(srcs["calendar:gone"]["status"], "error")
        self.assertIn("nothere.ics", srcs["calendar:gone"]["message"])
        self.assertIn("2 of 3 sources failed", r.err)
        self.assertIn("gleaner: calendar:junk: ", r.err)
        self.assertIn("gleaner: calendar:gone: ", r.err)
        self.assertEqual(len(self.activities()), 8)

    def test_usage_errors(self):
        r = self.run_gleaner("collect", "--from", "2026-11-20", "--to", "2026-11-10")
        self.assertOneLineError(r, 2, "--from 2026-11-20 is after --to 2026-11-10")
        r = self.run_gleaner("activities", "--from", "next tuesday")
        self.assertOneLineError(r, 2, "YYYY-MM-DD")
        r = self.run_gleaner("collect", "--source", "calendar:nope")
        self.assertOneLineError(r, 2, "no source named calendar:nope")


class FeedTest(CollectCase):
    def setUp(self):
        super().setUp()
        self.srv = FakeServer().start()
        self.addCleanup(self.srv.stop)
        self.body = CALENDAR

        def feed(req):
            if req.headers.get("If-None-Match") == '"v1"':
                return Response(304, headers={"ETag": '"v1"'})
            return Response(200, body=self.body.encode(), content_type="text/calendar",
                            headers={"ETag": '"v1"'})

        self.srv.route("GET", "/cal.ics", feed)
        self.srv.static("GET", "/login", status=200, body=b"<html><body>Sign in</body></html>",
                        headers={"Content-Type": "text/html"})
        self.configure(f'[calendar "feed"]\n\tics = {self.srv.url}/cal.ics\n')

    def test_conditional_get_and_last_good_copy(self):
        first = self.collect()["calendar:feed"]
        self.assertEqual((first["status"], first["added"]), ("ok", 8))
        second = self.collect()["calendar:feed"]
        self.assertEqual((second["status"], second["read"], second["removed"]), ("ok", 8, 0))
        reqs = self.srv.requests_for("GET", "/cal.ics")
        self.assertEqual(len(reqs), 2)
        self.assertEqual(reqs[1]["headers"].get("If-None-Match"), '"v1"')
        # The feed breaks: the last good copy is used, with a warning, and nothing is lost.
        self.srv.fault("status", status=500, count=10, path="/cal.ics",
                       json={"error": "internal"})
        third = self.collect()["calendar:feed"]
        self.assertEqual(third["status"], "warning", third)
        self.assertIn("the feed failed", third["message"])
        self.assertIn("using the copy fetched 2026-11-19 13:00", third["message"])
        self.assertEqual(third["removed"], 0)
        self.assertEqual(len(self.activities()), 8)

    def test_a_feed_without_validators_is_stored_only_when_it_changes(self):
        self.srv.route("GET", "/plain.ics", lambda req: Response(
            200, body=self.body.encode(), content_type="text/calendar"))
        self.configure(f'[calendar "feed"]\n\tics = {self.srv.url}/plain.ics\n')

        def stamps():
            db = sqlite3.connect(self.db_path)
            try:
                return dict(db.execute("SELECT key, updated_at FROM sync_state "
                                       "WHERE source = 'calendar:feed'"))
            finally:
                db.close()

        self.collect()
        first = stamps()
        self.env["GLEANER_TEST_NOW"] = "2026-11-19T14:00:00Z"
        self.assertEqual(self.collect()["calendar:feed"]["status"], "ok")
        second = stamps()
        self.assertGreater(second["fetched"], first["fetched"])
        self.assertEqual(second["body"], first["body"])   # the same calendar: not written again
        self.body = self.body.replace("END:VCALENDAR", "") + EXTRA_EVENT + "END:VCALENDAR\n"
        self.env["GLEANER_TEST_NOW"] = "2026-11-19T15:00:00Z"
        self.assertEqual(self.collect()["calendar:feed"]["added"], 1)
        self.assertGreater(stamps()["body"], second["body"])

    def test_html_instead_of_a_calendar(self):
        self.configure(f'[calendar "feed"]\n\tics = {self.srv.url}/login\n')
        r = self.run_gleaner("--json", "collect")
        self.assertExit(r, 1)
        (src,) = r.json()["sources"]
        self.assertEqual(src["status"], "error")
        self.assertIn("web page, not a calendar", src["message"])


class GitTest(CollectCase):
    def setUp(self):
        super().setUp()
        if not shutil.which("git"):
            self.skipTest("git is not installed")
        self.repo = self.home / "src" / "acme-web"
        self.repo.mkdir(parents=True)
        git(self.repo, "init", "-q", "-b", "main")
        commit(self.repo, "Start the site", "2026-11-16T10:00:00+01:00")
        commit(self.repo, "Bob's change", "2026-11-16T11:00:00+01:00", email="bob@acme.com",
               name="Bob")
        (self.repo / ".mailmap").write_text("Ada <ada@example.com> <ada@old.example>\n")
        git(self.repo, "add", ".mailmap")
        commit(self.repo, "Commit from the old laptop", "2026-11-17T09:15:00-05:00",
               email="ada@old.example")
        git(self.repo, "checkout", "-q", "-b", "feature/ACME-142-login")
        commit(self.repo, "Fix login redirect", "2026-11-18T14:30:00+01:00")
        git(self.repo, "checkout", "-q", "main")
        self.configure(f'[repo "acme-web"]\n\tpath = {self.repo}\n')

    def test_my_commits_with_branch_and_keys(self):
        src = self.collect()["git:acme-web"]
        self.assertEqual(src["status"], "ok", src)
        self.assertEqual(src["read"], 3)  # Ada's two addresses, not Bob's
        acts = {a["title"]: a for a in self.activities()}
        self.assertNotIn("Bob's change", acts)
        old = acts["Commit from the old laptop"]
        self.assertEqual(old["start"], "2026-11-17T14:15:00Z")
        self.assertEqual(old["details"]["author"], "ada@example.com")
        self.assertEqual(old["details"]["tz_offset"], -300)
        fix = acts["Fix login redirect"]
        self.assertEqual(fix["details"]["branch"], "feature/ACME-142-login")
        self.assertEqual(fix["details"]["jira_keys"], ["ACME-142"])
        self.assertEqual(fix["kind"], "commit")
        self.assertEqual(fix["start"], fix["end"])

    def test_incremental_collect_reads_only_new_commits(self):
        self.collect()
        commit(self.repo, "ACME-143 tidy up", "2026-11-19T09:00:00+01:00")
        src = self.collect()["git:acme-web"]
        self.assertEqual((src["read"], src["added"]), (1, 1))
        again = self.collect()["git:acme-web"]
        self.assertEqual(again["read"], 0)

    def test_a_new_identity_reads_the_history_again(self):
        self.collect()
        self.write(".config/gleaner/config",
                   "[user]\n\temail = ada@example.com\n\temail = bob@acme.com\n"
                   f"\ttimezone = Europe/Berlin\n[repo \"acme-web\"]\n\tpath = {self.repo}\n")
        src = self.collect()["git:acme-web"]
        self.assertEqual((src["read"], src["added"]), (4, 1))

    def test_an_identity_taken_out_takes_its_commits_with_it(self):
        def configure(*emails):
            self.write(".config/gleaner/config",
                       "[user]\n" + "".join(f"\temail = {e}\n" for e in emails) +
                       f"\ttimezone = Europe/Berlin\n[repo \"acme-web\"]\n\tpath = {self.repo}\n")
        configure("ada@example.com", "bob@acme.com")    # Bob's address, by mistake
        self.assertEqual(self.collect()["git:acme-web"]["read"], 4)
        self.assertIn("Bob's change", [a["title"] for a in self.activities()])
        # The feature branch is squash-merged and deleted: no branch holds its commit now.
        git(self.repo, "branch", "-q", "-D", "feature/ACME-142-login")
        again = self.collect()["git:acme-web"]
        self.assertEqual((again["read"], again["removed"]), (0, 0))
        # Bob's address taken out: the history is read again, Bob's commit goes, and the
        # commit of the deleted branch stays (it was work all the same).
        configure("ada@example.com")
        src = self.collect()["git:acme-web"]
        self.assertEqual((src["read"], src["removed"]), (2, 1))
        titles = sorted(a["title"] for a in self.activities())
        self.assertEqual(titles, ["Commit from the old laptop", "Fix login redirect",
                                  "Start the site"])

    def test_missing_and_corrupt_repositories(self):
        broken = self.home / "src" / "broken"
        shutil.copytree(self.repo, broken)
        objects = broken / ".git" / "objects"
        for d in objects.iterdir():
            if len(d.name) == 2:
                for f in d.iterdir():
                    f.chmod(0o644)
                    f.write_bytes(b"garbage")
        self.configure(f'[repo "acme-web"]\n\tpath = {self.repo}\n'
                       f'[repo "gone"]\n\tpath = {self.home / "src" / "gone"}\n'
                       f'[repo "broken"]\n\tpath = {broken}\n')
        r = self.run_gleaner("--json", "collect")
        self.assertExit(r, 1)
        srcs = {s["source"]: s for s in r.json()["sources"]}
        self.assertEqual(srcs["git:acme-web"]["status"], "ok")
        self.assertEqual(srcs["git:acme-web"]["read"], 3)
        self.assertEqual(srcs["git:gone"]["status"], "error")
        self.assertIn(str(self.home / "src" / "gone"), srcs["git:gone"]["message"])
        self.assertEqual(srcs["git:broken"]["status"], "error")
        self.assertIn("broken", srcs["git:broken"]["message"])

    def test_no_identity_is_a_config_error(self):
        self.write(".config/gleaner/config",
                   f"[user]\n\ttimezone = Europe/Berlin\n[repo \"acme-web\"]\n\tpath = {self.repo}\n")
        r = self.run_gleaner("collect")
        self.assertOneLineError(r, 2, "user.email")


def run_in_pty(args, env, cols=80):
    """Run gleaner with stdout on a terminal of `cols` columns; return its output."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
    proc = subprocess.Popen([*WRAPPER, BIN, *args], stdout=slave, stderr=subprocess.PIPE,
                            env=env)
    os.close(slave)
    chunks = []
    err = []
    reader = threading.Thread(target=lambda: err.append(proc.stderr.read()))
    reader.start()
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            proc.kill()
            break
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=30)
    reader.join(timeout=30)
    os.close(master)
    return proc.returncode, b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


class DayTest(CollectCase):
    def setUp(self):
        super().setUp()
        if not shutil.which("git"):
            self.skipTest("git is not installed")
        self.ics = self.write("work.ics", CALENDAR, 0o644)
        self.repo = self.home / "src" / "acme-web"
        self.repo.mkdir(parents=True)
        git(self.repo, "init", "-q", "-b", "main")
        for hhmm in ("11:05", "11:40", "14:20", "16:55", "19:30"):
            commit(self.repo, f"work at {hhmm}", f"2026-11-19T{hhmm}:00+01:00")
        self.configure(f'[calendar "work"]\n\tics = {self.ics}\n'
                       f'[repo "acme-web"]\n\tpath = {self.repo}\n')
        self.collect()

    def test_plain_output_without_a_terminal(self):
        r = self.run_gleaner("day", "2026-11-19")
        self.assertExit(r, 0)
        self.assertNotIn("\033[", r.out)
        self.assertIn("Thu 2026-11-19", r.out)
        self.assertIn("work hours 09:00-17:30", r.out)
        self.assertIn("meetings", r.out)
        self.assertIn("acme-web", r.out)
        self.assertIn("10:00-10:15", r.out)
        self.assertIn("19:30", r.out)  # evening work widens the span
        self.assertIn("1 meeting counted (0h15), 5 commits.", r.out)
        for line in r.out.splitlines():
            self.assertLessEqual(len(line), 80, line)

    def test_colour_only_on_a_terminal_and_never_with_no_color(self):
        env = dict(self.env, GLEANER_CONFIG=str(self.config_path), TERM="xterm")
        code, out = run_in_pty(["day", "2026-11-19"], env)
        self.assertEqual(code, 0, out)
        self.assertIn("\033[", out)
        code, out = run_in_pty(["day", "2026-11-19"], dict(env, NO_COLOR="1"))
        self.assertEqual(code, 0, out)
        self.assertNotIn("\033[", out)
        self.assertIn("Thu 2026-11-19", out)
        for line in out.splitlines():
            self.assertLessEqual(len(line), 80, line)

    def test_json(self):
        r = self.run_gleaner("--json", "day", "2026-11-19")
        self.assertExit(r, 0)
        doc = r.json()
        self.assertEqual(doc["date"], "2026-11-19")
        self.assertEqual(len([a for a in doc["activities"] if a["kind"] == "commit"]), 5)

    def test_bad_day(self):
        r = self.run_gleaner("day", "19.11.2026")
        self.assertOneLineError(r, 2, "YYYY-MM-DD")


if __name__ == "__main__":
    main()
