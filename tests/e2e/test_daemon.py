#!/usr/bin/env python3
"""`gleaner daemon`, the background agent (DESIGN.md section 9), driven for real.

On the real clock: its first jobs run at once (their requests reach the fake Harvest, their
runs are remembered in the store), SIGHUP reloads the config (a broken one is refused and the
previous one kept), SIGTERM stops it promptly with exit 0, and a second daemon on the same
store is refused. On the test clock: a whole simulated week, Monday 06:00 to the next Monday
(about 20 s of real time: some 2,400 jobs, each in its own process), with the nudges, the
weekly report and the budget alerts each arriving once, when they are due; slots missed while
asleep run once on waking; `--once` runs what is due and exits.

Waits are on conditions with deadlines (the daemon's stderr, the fakes' requests, the store,
the process), never on sleeps.
"""
import email.utils
import os
import signal
import sqlite3
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

from harness import BIN, WRAPPER, main   # first: it puts tests/fakes on sys.path
from fakekit import wait_for

from test_agent import BERLIN, DEV, INT, MEETING_RULE, SLOW, SUP, AgentCase, utc, week_calendar

UTC = timezone.utc
EVERY_JOBS = {"sync", "collect", "push", "budget", "invoice", "outbox"}
# Jobs whose last run is kept in the store (hourly or rarer; sync, collect and push too when
# configured so): the ones every few minutes just run at start, so that an idle agent writes
# nothing to disk.
REMEMBERED_JOBS = {"budget", "invoice"}


class DaemonCase(AgentCase):
    def setUp(self):
        super().setUp()
        self.procs = []
        self.addCleanup(self.reap)

    def reap(self):
        for proc, err in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            err.close()

    def start_daemon(self, *args, name="daemon"):
        """gleaner daemon in the background, its stderr in a file we can read as it grows."""
        path = self.home / f"{name}.stderr"
        err = path.open("w+b")
        proc = subprocess.Popen([*WRAPPER, BIN, "daemon", *args], env=dict(self.env),
                                cwd=self.home, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err)
        self.procs.append((proc, err))
        proc.stderr_path = path
        return proc

    @staticmethod
    def log(proc) -> str:
        return Path(proc.stderr_path).read_text(errors="replace")

    def assertCleanLog(self, proc):
        """No job failed, and no sanitizer spoke (the harness checks that for run_gleaner)."""
        text = self.log(proc)
        for marker in ("trying again in", "died (signal", "ERROR: AddressSanitizer",
                       "runtime error:", "ERROR: LeakSanitizer", "Invalid read", "Invalid write",
                       "definitely lost", "uninitialised"):
            self.assertNotIn(marker, text, text)

    def wait_log(self, proc, text, timeout=20.0, count=1):
        wait_for(lambda: self.log(proc).count(text) >= count or proc.poll() is not None,
                 timeout=timeout * SLOW, message=f"the daemon never said {text!r}:\n"
                                                 f"{self.log(proc)}")
        self.assertGreaterEqual(self.log(proc).count(text), count,
                                f"the daemon exited ({proc.returncode}):\n{self.log(proc)}")

    def daemon_runs(self):
        """The store's record of each job's last run (sync_state, source 'daemon')."""
        if not self.db_path.exists():
            return {}
        con = sqlite3.connect(self.db_path, timeout=5)
        try:
            return dict(con.execute("SELECT key, value FROM sync_state WHERE source = 'daemon'"))
        except sqlite3.OperationalError:   # not created yet
            return {}
        finally:
            con.close()

    def assertStopsCleanly(self, proc, timeout=10.0):
        try:
            code = proc.wait(timeout=timeout * SLOW)
        except subprocess.TimeoutExpired:
            self.fail(f"the daemon did not stop within {timeout} s:\n{self.log(proc)}")
        self.assertEqual(code, 0, self.log(proc))
        self.assertCleanLog(proc)


class RealClockTest(DaemonCase):
    """The daemon on the wall clock, steered by signals."""

    def setUp(self):
        super().setUp()
        self.env.pop("GLEANER_TEST_NOW")
        self.fh.set_now(None)
        self.fs.set_now(None)
        self.configure()

    def test_startup_jobs_reload_and_a_clean_stop(self):
        proc = self.start_daemon()
        self.wait_log(proc, "started")
        # Every periodic job runs at once; the hourly and daily ones are remembered.
        wait_for(lambda: REMEMBERED_JOBS <= set(self.daemon_runs()) or proc.poll() is not None,
                 timeout=30 * SLOW, message=f"not every job ran:\n{self.log(proc)}")
        self.assertIsNone(proc.poll(), self.log(proc))
        runs = self.daemon_runs()
        now = time.time()
        for job in REMEMBERED_JOBS:
            self.assertLess(abs(int(runs[job]) - now), 120, (job, runs[job]))
        self.assertFalse((EVERY_JOBS - REMEMBERED_JOBS) & set(runs), runs)
        # ... and their effects reach Harvest: the mirror, the budget check.
        self.assertTrue(self.api_requests("GET", "/v2/time_entries"))
        self.assertTrue(self.api_requests("GET", "/v2/reports/project_budget"))
        con = self.db()
        self.assertGreater(con.execute("SELECT count(*) FROM harvest_projects").fetchone()[0], 0)

        # SIGHUP: the config is read again.
        os.kill(proc.pid, signal.SIGHUP)
        self.wait_log(proc, "reloaded")

        # A config that does not load is refused; the daemon keeps the one it has.
        self.write(".config/gleaner/config", "[user\n\temail = \n", 0o644)
        os.kill(proc.pid, signal.SIGHUP)
        self.wait_log(proc, "keeping the previous one")
        self.assertIsNone(proc.poll(), self.log(proc))
        self.assertEqual(self.log(proc).count("reloaded"), 1, self.log(proc))

        # A good config again is taken.
        self.configure()
        os.kill(proc.pid, signal.SIGHUP)
        self.wait_log(proc, "reloaded", count=2)

        # SIGTERM: a prompt, clean exit.
        os.kill(proc.pid, signal.SIGTERM)
        self.assertStopsCleanly(proc)
        self.assertIn("stopping", self.log(proc).strip().splitlines()[-1])

    def test_a_reload_tries_failing_jobs_again_at_once(self):
        # Signed in with a revoked token: the sync fails and would wait 5 minutes ...
        revoked = self.write(".config/gleaner/revoked.token", "revoked\n")
        self.configure(token_file=revoked)
        proc = self.start_daemon()
        self.wait_log(proc, "sync failed")
        # ... the user mends it and says so: the sync runs now, and works.
        revoked.write_text(self.fh.PAT + "\n")
        self.fh.server.clear_requests()
        os.kill(proc.pid, signal.SIGHUP)
        self.wait_log(proc, "reloaded")
        wait_for(lambda: self.api_requests("GET", "/v2/time_entries") or proc.poll() is not None,
                 timeout=30 * SLOW, message=f"the sync did not run again:\n{self.log(proc)}")
        self.assertIsNone(proc.poll(), self.log(proc))
        os.kill(proc.pid, signal.SIGTERM)
        try:
            self.assertEqual(proc.wait(timeout=10 * SLOW), 0, self.log(proc))
        except subprocess.TimeoutExpired:
            self.fail(f"the daemon did not stop:\n{self.log(proc)}")

    def test_a_second_daemon_on_the_same_store_is_refused(self):
        first = self.start_daemon(name="first")
        self.wait_log(first, "started")
        second = self.run_gleaner("daemon", timeout=30)
        self.assertExit(second, 1)
        lines = second.err.strip().splitlines()
        self.assertEqual(len(lines), 1, second.err)
        self.assertIn("another gleaner daemon", lines[0])
        self.assertIn("gleaner.db.daemon.lock", lines[0])
        self.assertIsNone(first.poll(), self.log(first))
        os.kill(first.pid, signal.SIGTERM)
        self.assertStopsCleanly(first)
        # Once the first is gone, a daemon may start again.
        again = self.start_daemon(name="again")
        self.wait_log(again, "started")
        os.kill(again.pid, signal.SIGINT)
        self.assertStopsCleanly(again)


class SimulatedWeekTest(DaemonCase):
    """Monday 06:00 to the next Monday on the test clock: every timed job, once, on time."""

    START, UNTIL = "2026-11-23T06:00:00Z", "2026-11-30T00:00:00Z"
    WEEKDAYS = ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"]

    def setUp(self):
        super().setUp()
        ics = self.write("work.ics", week_calendar(self.WEEKDAYS))
        self.configure(f'[calendar "work"]\n\tics = {ics}\n' + MEETING_RULE +
                       "[report]\n\tto = manager@example.com\n"
                       "[daemon]\n\tcollect-every = 6h\n\tsync-every = 12h\n")
        self.at(self.START)
        # Ada's week in Harvest, tracked ahead: the support retainer (20 h a month, 7 h spent
        # so far in November) reaches 80 % on Wednesday and 92.5 % on Friday; on Thursday
        # she tracks her whole day, so there is no gap to nudge about.
        self.add_hours(SUP, DEV, ["2026-11-24"], 6)
        self.add_hours(SUP, DEV, ["2026-11-25"], 3)
        self.add_hours(INT, DEV, ["2026-11-26"], 8)
        self.add_hours(SUP, DEV, ["2026-11-27"], 2.5)

    def test_a_simulated_week(self):
        if WRAPPER:   # some 2,400 job processes, each under valgrind: far too slow
            self.skipTest("the simulated week is not run under a wrapper (valgrind)")
        proc = self.start_daemon("--until", self.UNTIL)
        try:
            code = proc.wait(timeout=120 * SLOW)
        except subprocess.TimeoutExpired:
            self.fail(f"the simulated week did not end:\n{self.log(proc)}")
        self.assertEqual(code, 0, self.log(proc))
        self.assertIn("done", self.log(proc).strip().splitlines()[-1])
        self.assertCleanLog(proc)

        # Nudges: Monday, Tuesday, Wednesday and Friday at 17:30, each once; none on
        # Thursday (no gap) or at the weekend.
        nudges = [m for m in self.slack() if "still untracked" in m["text"]]
        self.assertEqual([m["text"] for m in nudges],
                         ["8.00 h of today still untracked", "2.00 h of today still untracked",
                          "5.00 h of today still untracked", "5.50 h of today still untracked"],
                         self.log(proc))
        mails = [m.message() for m in self.sink.messages()]
        nudge_mails = [m for m in mails if "still untracked" in str(m["Subject"])]
        sent = [email.utils.parsedate_to_datetime(str(m["Date"])) for m in nudge_mails]
        days = ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-27"]
        self.assertEqual([d.astimezone(BERLIN).date().isoformat() for d in sent], days)
        for moment in sent:
            local = moment.astimezone(BERLIN)
            self.assertEqual((local.hour, local.minute), (17, 30), moment)
        self.assertEqual(sorted(p for _, p, _ in self.alerts("nudge")), days)

        # The weekly report: once, on Friday at 16:00, for this week.
        title = "Timesheets, week 2026-W48"
        self.assertEqual(len([m for m in self.slack() if m["text"].startswith(title)]), 1)
        reports = [m for m in self.sink.messages() if str(m.message()["Subject"]).startswith(title)]
        self.assertEqual(len(reports), 1)
        self.assertEqual(reports[0].rcpt_tos, ["manager@example.com"])
        local = email.utils.parsedate_to_datetime(
            str(reports[0].message()["Date"])).astimezone(BERLIN)
        self.assertEqual((local.date().isoformat(), local.hour), ("2026-11-27", 16))

        # Budget alerts: 75 % on Wednesday, 90 % on Friday, once each.
        name = "Initech Support Retainer"
        self.assertEqual([m["text"] for m in self.slack(name)],
                         [f"{name}: 75% of its budget", f"{name}: 90% of its budget"])
        fired = {level: datetime.fromtimestamp(at, UTC).astimezone(BERLIN).date().isoformat()
                 for level, at in self.db().execute(
                     "SELECT level, fired_at FROM alerts WHERE kind = 'budget' AND subject = ?",
                     (str(SUP),))}
        self.assertEqual(fired, {75: "2026-11-25", 90: "2026-11-27"})
        self.assertEqual(len(self.alerts("budget")), 2)

        # One line for journald per job that did something, and only then.
        lines = self.log(proc).splitlines()
        self.assertEqual(len([l for l in lines if l.startswith("gleaner daemon: nudge: sent")]),
                         4, self.log(proc))
        self.assertEqual([l for l in lines if l.startswith("gleaner daemon: budget:")],
                         ["gleaner daemon: budget: 3 projects with a budget checked, "
                          "1 alert raised"] * 2)
        self.assertEqual(len([l for l in lines if l.startswith("gleaner daemon: report: week "
                                                               "2026-W48")]), 1, self.log(proc))

        # Nothing was left unsent, and nothing went out twice.
        box = self.outbox()
        self.assertTrue(box)
        self.assertEqual({row["status"] for row in box.values()}, {"done"}, box)
        self.assertEqual(len(self.slack()), len(box) - len(self.sink.messages()))

    def test_a_job_that_keeps_failing_backs_off_to_hourly(self):
        # A revoked Harvest token from 06:00 to noon: sync fails at 06:00, then 5, 10, 20
        # and 40 minutes after each try, then hourly; not every 5 minutes for six hours.
        if WRAPPER:
            self.skipTest("hundreds of job processes: not run under a wrapper (valgrind)")
        self.configure(token_file=self.write(".config/gleaner/revoked.token", "revoked\n"))
        proc = self.start_daemon("--until", "2026-11-23T12:00:00Z")
        try:
            code = proc.wait(timeout=120 * SLOW)
        except subprocess.TimeoutExpired:
            self.fail(f"the simulated morning did not end:\n{self.log(proc)}")
        self.assertEqual(code, 0, self.log(proc))
        waits = [line.rsplit("trying again in ", 1)[1] for line in self.log(proc).splitlines()
                 if line.startswith("gleaner daemon: sync failed:")]
        self.assertEqual(waits, ["5 minutes)", "10 minutes)", "20 minutes)", "40 minutes)"]
                         + ["60 minutes)"] * 5, self.log(proc))
        self.assertNotIn(self.fh.PAT, self.log(proc))

    def test_missed_slots_run_once_on_waking(self):
        """A laptop asleep from Monday morning to Wednesday night, then to next Monday."""
        self.at(utc("2026-11-23", "07:00"))
        self.assertExit(self.run_gleaner("daemon", "--once"), 0)
        self.assertEqual(self.slack("still untracked"), [])   # nothing is caught up from before
        self.at(utc("2026-11-25", "21:00"))
        self.assertExit(self.run_gleaner("daemon", "--once"), 0)
        # Three nudge slots passed (Mon, Tue, Wed 17:30): one nudge, today's.
        self.assertEqual([m["text"] for m in self.slack("still untracked")],
                         ["5.00 h of today still untracked"])
        self.assertEqual(self.alerts("nudge"), [("day", "2026-11-25", 0)])
        self.assertEqual(self.slack("Timesheets"), [])
        # Asleep over Friday 16:00: on Monday the report of the week that ended goes out.
        self.at(utc("2026-11-30", "09:00"))
        self.assertExit(self.run_gleaner("daemon", "--once"), 0)
        self.assertEqual([m["text"] for m in self.slack("Timesheets")],
                         ["Timesheets, week 2026-W48: 2 behind"])
        self.assertEqual(len(self.slack("still untracked")), 1)   # Monday's is not due yet
        self.assertEqual([m.rcpt_tos for m in self.sink.messages()
                          if str(m.message()["Subject"]).startswith("Timesheets")],
                         [["manager@example.com"]])

    def test_once_runs_what_is_due_and_exits(self):
        self.at(utc("2026-11-25", "12:00"))
        self.fh.server.clear_requests()
        r = self.run_gleaner("daemon", "--once")
        self.assertExit(r, 0)
        runs = set(self.daemon_runs())
        self.assertLessEqual(REMEMBERED_JOBS, runs)
        self.assertNotIn("outbox", runs)  # every 5 minutes: not written down
        self.assertTrue(self.api_requests("GET", "/v2/reports/project_budget"))
        # Wednesday: SUP is at 80 % (7 + 6 + 3 h of 20): alerted and sent before it exits.
        name = "Initech Support Retainer"
        self.assertEqual([m["text"] for m in self.slack(name)], [f"{name}: 75% of its budget"])
        self.assertEqual(len(self.mails(name)), 1)
        # Again, an hour later: the alert is not repeated.
        self.later(hours=1)
        self.assertExit(self.run_gleaner("daemon", "--once"), 0)
        self.assertEqual(len(self.slack(name)), 1)


if __name__ == "__main__":
    main()
