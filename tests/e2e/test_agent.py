#!/usr/bin/env python3
"""The agent's decisions and what they send, end to end: budget alerts, milestone invoices,
nudges, the weekly compliance report and the outbox that delivers them.

The real binary runs against the fake Harvest, the fake Slack and a real SMTP server on
127.0.0.1 (tests/fakes/smtp_sink.py), on the test clock (GLEANER_TEST_NOW), which each step
moves, together with the fakes' clocks. Every expected figure is worked out here from the
fake's own data (its entries, users and projects, read through its Python API) and from
DESIGN.md sections 7-9, never from what gleaner printed. Times are in Europe/Berlin, which
is UTC+1 on every date used here (November and December).
"""
import csv
import email.utils
import html
import io
import json
import math
import signal
import subprocess
import unittest
from datetime import date, datetime, timedelta, timezone

from harness import BIN, WRAPPER, main   # first: it puts tests/fakes on sys.path
from harvest_case import HarvestCase

from fakekit import wait_for
from fake_slack import FakeSlack
import smtp_sink
from smtp_sink import SmtpSink

ADA, CHARLES, GRACE = 1782959, 1782974, 1795925
GLOBEX, INITECH = 5735774, 5735776
WEB, DATA, SUP, INT = 14307913, 14308069, 14308070, 14308071
DEV, MEETINGS, DESIGN, PM, RESEARCH, ADMIN = 8083365, 8083366, 8083367, 8083368, 8083369, \
    8083370
ADA_SLACK, CHARLES_SLACK = "U01ADALOVE", "U01CBABBAG"

BERLIN = timezone(timedelta(hours=1))   # CET: every date in these tests is in winter
UTC = timezone.utc
SLOW = 10 if WRAPPER else 1             # valgrind makes everything slower


def utc(day: str, hhmm: str = "10:00") -> str:
    """GLEANER_TEST_NOW for `day` at `hhmm` Berlin time."""
    local = datetime.fromisoformat(f"{day}T{hhmm}:00").replace(tzinfo=BERLIN)
    return local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def quarter_up(hours: float) -> float:
    """The fake account's time rounding: up to the next quarter hour (Harvest's setting)."""
    return math.ceil(round(hours * 60, 6) / 15) * 15 / 60


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


class AgentCase(HarvestCase):
    """The fake Harvest, the fake Slack, an SMTP sink, and a config that uses them."""

    per_page = 100   # pagination is test_sync's business

    def setUp(self):
        super().setUp()
        if not smtp_sink.available():
            self.skipTest("no python3 with aiosmtpd (apt-get install python3-aiosmtpd)")
        self.fs = FakeSlack(rate_limit=False)
        self.fs.start()
        self.addCleanup(self.fs.stop)
        self.sink = SmtpSink()
        self.sink.start()
        self.addCleanup(self.sink.stop)
        self.hook_file = self.write(".config/gleaner/slack.url",
                                    self.fs.webhook_url("#timesheets") + "\n")
        self.slack_token_file = self.write(".config/gleaner/slack.token",
                                           self.fs.BOT_TOKEN + "\n")
        self.at(utc("2026-11-21"))

    # -- clocks and config ------------------------------------------------------------------

    def at(self, when: str):
        """Move gleaner's clock and both fakes' to `when` (UTC, ISO 8601 with Z)."""
        self.env["GLEANER_TEST_NOW"] = when
        moment = datetime.strptime(when, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        self.now = moment
        self.fh.set_now(moment)
        self.fs.set_now(moment)

    def later(self, **delta):
        self.at((self.now + timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ"))

    def configure(self, extra: str = "", slack: str | None = "webhook",
                  emails=("ada@example.com",), smtp: bool = True, channel: str = "#timesheets",
                  token_file=None):
        notify = []
        if slack == "webhook":
            notify.append(f"\tslack-webhook-file = {self.hook_file}")
        elif slack == "token":
            notify += [f"\tslack-token-file = {self.slack_token_file}",
                       f'\tslack-channel = "{channel}"', f"\tslack-api-url = {self.fs.api_url}"]
        notify += [f"\temail = {e}" for e in emails]
        text = ("[notify]\n" + "\n".join(notify) + "\n") if notify else ""
        if smtp:
            text += f"[smtp]\n\turl = {self.sink.url}\n\tfrom = gleaner@example.com\n"
        if token_file is not None:
            self.token_file = token_file
        self.write_config(text + extra)

    # -- running ----------------------------------------------------------------------------

    def ok(self, *args):
        r = self.run_gleaner(*args)
        self.assertExit(r, 0)
        return r

    def ok_json(self, *args):
        return self.ok("--json", *args).json()

    # -- the fakes' state -------------------------------------------------------------------

    def entries(self, project=None, user=None, lo=None, hi=None):
        with self.fh.server.lock:
            rows = [dict(e) for e in self.fh.state["time_entries"].values()]
        return [e for e in rows
                if (project is None or e["project"]["id"] == project)
                and (user is None or e["user"]["id"] == user)
                and (lo is None or e["spent_date"] >= lo) and (hi is None or e["spent_date"] <= hi)]

    def add_hours(self, project, task, days, total, user=ADA, per_entry=8.0):
        """`total` hours over `days` (round robin), at most `per_entry` an entry."""
        added, i = [], 0
        while total > 1e-9:
            h = min(per_entry, total)
            added.append(self.fh.add_time_entry(project_id=project, task_id=task,
                                                spent_date=days[i % len(days)], hours=h,
                                                user_id=user, notes="added by the test"))
            total -= h
            i += 1
        return added

    def slack(self, contains: str | None = None):
        return [m for m in self.fs.messages() if contains is None or contains in m["text"]]

    def mails(self, contains: str | None = None):
        return [m for m in self.sink.messages()
                if contains is None or contains in str(m.message()["subject"])]

    def slack_posts(self):
        return [r for r in self.fs.server.requests
                if r["path"].startswith("/services/") or r["path"] == "/api/chat.postMessage"]

    def outbox(self):
        return {key: {"kind": kind, "status": status, "attempts": attempts, "error": error}
                for key, kind, status, attempts, error in self.db().execute(
                    "SELECT dedupe_key, kind, status, attempts, last_error FROM outbox")}

    def alerts(self, kind):
        return sorted(self.db().execute(
            "SELECT subject, period, level FROM alerts WHERE kind = ?", (kind,)).fetchall())

    def assertMail(self, mail, subject, to, html: bool, rcpt=None):
        """A well-formed message: the headers a mail client needs, and its parts; delivered to
        `rcpt` (default: everyone in To)."""
        msg = mail.message()
        self.assertEqual(str(msg["Subject"]), subject)
        self.assertEqual([a.addr_spec for a in msg["To"].addresses], list(to))
        self.assertEqual(sorted(mail.rcpt_tos), sorted(to if rcpt is None else rcpt))
        self.assertEqual(msg["From"].addresses[0].addr_spec, "gleaner@example.com")
        self.assertEqual(mail.mail_from, "gleaner@example.com")
        self.assertTrue(msg["Message-ID"] and str(msg["Message-ID"]).startswith("<"), msg)
        sent = email.utils.parsedate_to_datetime(str(msg["Date"]))
        self.assertLess(abs((sent - self.now).total_seconds()), 600, msg["Date"])
        alt = [p for p in msg.walk() if p.get_content_type() == "multipart/alternative"]
        self.assertEqual(len(alt), 1, msg)
        kinds = [p.get_content_type() for p in alt[0].iter_parts()]
        self.assertEqual(kinds, ["text/plain", "text/html"] if html else ["text/plain"])
        text = msg.get_body(("plain",)).get_content()
        page = msg.get_body(("html",)).get_content() if html else None
        return text, page


# =============================================================================== budgets

class BudgetTest(AgentCase):
    """DESIGN.md 7: 75/90/100 % once per project, period and threshold, hours and money."""

    def setUp(self):
        super().setUp()
        self.configure()

    def spent_hours(self, project, month=None):
        return sum(quarter_up(e["hours"]) for e in self.entries(project)
                   if month is None or e["spent_date"][:7] == month)

    def spent_money(self, project):
        """Billable time at its rate, and the expenses when the cost budget includes them."""
        total = sum(quarter_up(e["hours"]) * (e["billable_rate"] or 0)
                    for e in self.entries(project) if e["billable"])
        with self.fh.server.lock:
            if self.fh.state["projects"][project]["cost_budget_include_expenses"]:
                total += sum(x["total_cost"] for x in self.fh.state["expenses"].values()
                             if x["project"]["id"] == project)
        return round(total, 2)

    def burn(self, project, today: date, money=False):
        """Spent a week, averaged over the four full weeks before today's."""
        monday = monday_of(today)
        lo, hi = (monday - timedelta(weeks=4)).isoformat(), (monday - timedelta(days=1)).isoformat()
        rows = self.entries(project, lo=lo, hi=hi)
        if money:
            return sum(quarter_up(e["hours"]) * (e["billable_rate"] or 0) for e in rows
                       if e["billable"]) / 4
        return sum(quarter_up(e["hours"]) for e in rows) / 4

    @staticmethod
    def full_on(today: date, budget, spent, burn):
        return (today + timedelta(days=math.ceil((budget - spent) / (burn / 7)))).isoformat()

    def check(self, *extra):
        r = self.ok("--json", "budget", "--check", *extra)
        return {p["project_id"]: p for p in r.json()["projects"]}

    def assertAnnounced(self, name, levels):
        """Exactly these announcements of `name`, in this order, on Slack and by email."""
        titles = [f"{name}: {level}% of its budget" for level in levels]
        self.assertEqual([m["text"] for m in self.slack(name)], titles)
        self.assertEqual([str(m.message()["subject"]) for m in self.mails(name)], titles)

    def test_an_hours_budget_alerts_at_each_threshold_once(self):
        today = date(2026, 11, 21)
        name = "Globex Website Relaunch"
        first = self.check()[WEB]
        self.assertEqual((first["crossed"], first["alerted"], first["due"]), ([], [], []))
        self.assertEqual(first["spent"], self.spent_hours(WEB))
        self.assertAnnounced(name, [])

        # Four full weeks of history set the burn rate; this week brings it to exactly 75 %.
        self.add_hours(WEB, DEV, ["2026-10-27", "2026-10-28", "2026-11-10"], 30)
        this_week = self.add_hours(WEB, DEV, ["2026-11-16", "2026-11-17", "2026-11-18",
                                              "2026-11-19"], 150 - self.spent_hours(WEB))
        self.assertEqual(self.spent_hours(WEB), 150)
        status = self.check()[WEB]
        self.assertEqual((status["crossed"], status["alerted"], status["due"]), ([75], [75], []))
        self.assertAnnounced(name, [75])

        # What it says: spent and budget, the burn rate, the day it is full at that rate.
        burn = self.burn(WEB, today)
        self.assertGreater(burn, 0)
        full = self.full_on(today, 200, 150, burn)
        self.assertEqual(status["full_on"], full)
        self.assertAlmostEqual(status["burn_per_week"], burn, delta=0.006)
        text = json.dumps(self.slack(name)[0]["blocks"])
        for words in ("150.0 h of 200.0 h", f"{burn:.1f} h a week", full, "75%"):
            self.assertIn(words, text)
        body, _ = self.assertMail(self.mails(name)[0], f"{name}: 75% of its budget",
                                  ["ada@example.com"], html=False)
        for words in ("150.0 h of 200.0 h", f"{burn:.1f} h a week", full):
            self.assertIn(words, body)

        # Checked again (an hour later, and again): nothing new.
        self.later(hours=1)
        self.check()
        self.check()
        self.assertAnnounced(name, [75])

        # Below 75 % again and back: the period's 75 % was told already.
        self.fh.delete_time_entry(this_week[0]["id"])
        self.assertEqual(self.spent_hours(WEB), 142)
        low = self.check()[WEB]
        self.assertEqual((low["crossed"], low["alerted"]), ([], []))
        self.add_hours(WEB, DEV, ["2026-11-20"], 150 - self.spent_hours(WEB))
        self.assertEqual(self.check()[WEB]["alerted"], [75])
        self.assertAnnounced(name, [75])

        # 90 %, then (days later) over 100 %: one message each.
        self.add_hours(WEB, DESIGN, ["2026-11-20"], 30)
        self.assertEqual(self.check()[WEB]["alerted"], [75, 90])
        self.assertAnnounced(name, [75, 90])
        self.at(utc("2026-11-24", "09:30"))
        self.add_hours(WEB, DEV, ["2026-11-23", "2026-11-24"], 25)
        over = self.check()[WEB]
        self.assertEqual((over["crossed"], over["alerted"], over["due"]),
                         ([75, 90, 100], [75, 90, 100], []))
        self.assertEqual(over["spent"], 205)
        self.check()
        self.assertAnnounced(name, [75, 90, 100])
        last = json.dumps(self.slack(name)[-1]["blocks"])
        self.assertIn("205.0 h of 200.0 h", last)
        self.assertIn("The budget is spent.", last)
        self.assertEqual(self.alerts("budget"), [(str(WEB), "total", 75), (str(WEB), "total", 90),
                                                 (str(WEB), "total", 100)])

    def test_an_alert_raised_before_any_channel_is_sent_once_one_is_configured(self):
        name = "Globex Website Relaunch"
        self.configure(slack=None, emails=(), smtp=False)
        self.add_hours(WEB, DEV, ["2026-11-16", "2026-11-17"], 185 - self.spent_hours(WEB))
        r = self.ok("--json", "budget", "--check")
        self.assertIn("recorded but not sent", r.err)
        web = {p["project_id"]: p for p in r.json()["projects"]}[WEB]
        # Both crossed at once: one message, for 90 %, and it went nowhere.
        self.assertEqual((web["alerted"], web["unsent"]), ([75, 90], [90]))
        r = self.ok("budget", "--check")  # still nowhere to send it: no second warning
        self.assertNotIn("recorded but not sent", r.err)
        self.assertIn("alerted: 75% 90% (not sent: 90%; no notify channel when raised)",
                      r.out)
        self.assertEqual(self.outbox(), {})
        # Slack and email configured: the one message for 90 % goes out, then never again.
        self.configure()
        r = self.ok("budget", "--dry-run")
        self.assertIn("alerted: 75% (not sent: 90%; no notify channel when raised) would alert: "
                      "90%\n", r.out)
        web = self.check()[WEB]
        self.assertEqual((web["alerted"], web["unsent"]), ([75, 90], []))
        self.check()
        self.assertAnnounced(name, [90])
        self.assertEqual(self.alerts("budget"), [(str(WEB), "total", 75), (str(WEB), "total", 90)])
        self.assertEqual(self.db().execute(
            "SELECT level, outbox_id IS NOT NULL, details FROM alerts ORDER BY level").fetchall(),
            [(75, 0, '{"utilization":92.5,"announced":false}'),
             (90, 1, '{"utilization":92.5,"announced":true}')])

    def test_a_money_budget_jumping_past_two_thresholds_makes_one_message(self):
        today = date(2026, 11, 21)
        with self.fh.server.lock:   # a name that is not ASCII: the email subject is encoded
            self.fh.state["projects"][DATA]["name"] = "Initech Données"
        name = "Initech Données"
        start = self.check()[DATA]
        self.assertEqual(start["spent"], self.spent_money(DATA))
        self.assertLess(start["utilization"], 75)

        # From 12 % to just over 90 % at once (150 h at 130 EUR).
        self.add_hours(DATA, DEV, ["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19",
                                   "2026-11-20"], 150)
        spent = self.spent_money(DATA)
        self.assertTrue(22500 <= spent < 25000, spent)

        # --dry-run lists what is due and sends nothing.
        dry = self.check("--dry-run")[DATA]
        self.assertEqual((dry["crossed"], dry["alerted"], dry["due"]), ([75, 90], [], [75, 90]))
        self.assertEqual(self.slack_posts(), [])
        self.assertEqual(self.sink.messages(), [])
        self.assertEqual(self.outbox(), {})
        self.assertEqual(self.alerts("budget"), [])

        status = self.check()[DATA]
        self.assertEqual((status["crossed"], status["alerted"], status["due"], status["raised"]),
                         ([75, 90], [75, 90], [], [75, 90]))
        self.assertEqual(self.check()[DATA]["raised"], [])
        self.assertEqual(self.alerts("budget"), [(str(DATA), "total", 75),
                                                 (str(DATA), "total", 90)])
        self.assertAnnounced(name, [90])   # one moment, one message
        burn = self.burn(DATA, today, money=True)
        full = self.full_on(today, 25000, spent, burn)
        text = json.dumps(self.slack(name)[0]["blocks"], ensure_ascii=False)
        # Amounts in the client's currency, as Harvest's time report gives it.
        for words in (f"{spent:.2f} EUR of 25000.00 EUR", f"{burn:.2f} EUR a week", full, "90%"):
            self.assertIn(words, text)
        body, _ = self.assertMail(self.mails(name)[0], f"{name}: 90% of its budget",
                                  ["ada@example.com"], html=False)
        self.assertIn(f"*{name}*", body)
        raw_subject = [line for line in self.mails(name)[0].data.split(b"\r\n")
                       if line.lower().startswith(b"subject:")][0]
        self.assertTrue(raw_subject.isascii() and b"=?UTF-8?" in raw_subject.upper(), raw_subject)

        self.later(hours=1)
        self.add_hours(DATA, PM, ["2026-11-20"], 20)
        self.assertEqual(self.check()[DATA]["alerted"], [75, 90, 100])
        self.check()
        self.assertAnnounced(name, [90, 100])

    def test_a_monthly_budget_starts_afresh_each_month(self):
        name = "Initech Support Retainer"
        nov = self.check()[SUP]
        spent = self.spent_hours(SUP, "2026-11")
        self.assertEqual((nov["period"], nov["spent"]), ("2026-11", spent))

        self.add_hours(SUP, DEV, ["2026-11-19", "2026-11-20"], 16 - spent)
        self.assertEqual(self.check()[SUP]["alerted"], [75])
        self.assertEqual(self.check()[SUP]["alerted"], [75])
        self.assertAnnounced(name, [75])
        self.assertIn("November 2026", json.dumps(self.slack(name)[0]["blocks"]))

        # December: nothing spent yet, nothing crossed; November's time does not count.
        self.at(utc("2026-12-08", "11:00"))
        dec = self.check()[SUP]
        self.assertEqual((dec["period"], dec["spent"], dec["crossed"], dec["alerted"]),
                         ("2026-12", 0, [], []))
        self.add_hours(SUP, DEV, ["2026-12-01", "2026-12-02", "2026-12-07"], 15.5)
        dec = self.check()[SUP]
        self.assertEqual((dec["spent"], dec["alerted"]), (15.5, [75]))
        self.check()
        self.assertAnnounced(name, [75, 75])   # the same threshold, once in each month
        self.assertIn("December 2026", json.dumps(self.slack(name)[1]["blocks"]))
        self.assertIn("15.5 h of 20.0 h", json.dumps(self.slack(name)[1]["blocks"]))
        self.assertEqual(self.alerts("budget"), [(str(SUP), "2026-11", 75),
                                                 (str(SUP), "2026-12", 75)])


# ============================================================================ milestones

MONTHLY = """[milestone "web-monthly"]
\tproject = ACME-WEB
\twhen = monthly
"""
HOURS = """[milestone "data-hours"]
\tproject = Initech Data Platform
\twhen = hours >= 30
\tsummary = task
\tsend = true
\trecipient = peter@initech.example
"""


class MilestoneTest(AgentCase):
    """DESIGN.md 7: one draft per milestone and period, whatever happens to the run."""

    def setUp(self):
        super().setUp()
        self.configure(MONTHLY + HOURS)
        self.ok("sync", "harvest")   # milestones resolve projects and clients in the mirror
        with self.fh.server.lock:
            self.seed_invoices = set(self.fh.state["invoices"])

    def new_invoices(self):
        with self.fh.server.lock:
            return [json.loads(json.dumps(i)) for k, i in sorted(self.fh.state["invoices"].items())
                    if k not in self.seed_invoices]

    def invoice_posts(self):
        return self.api_requests("POST", "/v2/invoices")

    def uninvoiced(self, project, lo=None, hi=None):
        """Billable, stopped, not yet invoiced time of `project` (from the fake's entries)."""
        return [e for e in self.entries(project, lo=lo, hi=hi)
                if e["billable"] and not e["is_billed"] and not e["is_running"]]

    @staticmethod
    def lines_for(entries, label):
        """What line_items_import makes of them: one line per group and rate, rounded hours."""
        lines = {}
        for e in entries:
            key = (label(e), e["billable_rate"])
            lines[key] = lines.get(key, 0) + quarter_up(e["hours"])
        return sorted((d, round(q, 2), rate) for (d, rate), q in lines.items())

    def assertDraft(self, invoice, client, subject, entries, label):
        self.assertEqual((invoice["client"]["id"], invoice["subject"]), (client, subject))
        self.assertEqual(sorted((li["description"], li["quantity"], li["unit_price"])
                                for li in invoice["line_items"]), self.lines_for(entries, label))
        with self.fh.server.lock:
            billed = {e["id"]: (e["invoice"] or {}).get("id")
                      for e in self.fh.state["time_entries"].values()}
        for e in entries:
            self.assertEqual(billed[e["id"]], invoice["id"], e)

    def test_the_budget_report_is_read_once_for_every_milestone(self):
        self.fh.server.clear_requests()
        self.ok("invoice", "--dry-run")
        self.assertEqual(len(self.api_requests("GET", "/v2/reports/project_budget")), 1)

    def test_a_monthly_milestone_drafts_once_though_the_answer_is_lost(self):
        name = "Globex Website Relaunch"
        self.at(utc("2026-12-01", "09:00"))
        november = self.uninvoiced(WEB, "2026-11-01", "2026-11-30")
        self.assertTrue(november)
        self.add_hours(WEB, DEV, ["2026-12-01"], 2)   # December's: not on November's invoice

        # Without --check: what is due, and nothing changes.
        doc = self.ok_json("invoice")
        web = {m["milestone"]: m for m in doc["milestones"]}["web-monthly"]
        self.assertEqual((web["fires"], web["queued"], web["period"], web["from"], web["to"]),
                         (True, False, "2026-11", "2026-11-01", "2026-11-30"))
        self.assertEqual(self.invoice_posts(), [])

        # Harvest makes the draft, and the answer never arrives.
        self.fh.server.fault("lose", method="POST", path="/v2/invoices")
        self.run_gleaner("invoice", "--check")
        self.assertEqual(len(self.invoice_posts()), 1)
        self.assertEqual(len(self.new_invoices()), 1)
        self.assertEqual(self.outbox()["milestone:web-monthly:2026-11"]["status"], "sending")

        # Later runs look for it before making another: still one draft.
        for step in (dict(minutes=2), dict(hours=1), dict(days=1)):
            self.later(**step)
            self.ok("invoice", "--check")
        self.assertEqual(len(self.invoice_posts()), 1)
        drafts = self.new_invoices()
        self.assertEqual(len(drafts), 1, drafts)
        draft = drafts[0]
        self.assertEqual(draft["state"], "draft")
        self.assertEqual((draft["period_start"], draft["period_end"]), ("2026-11-01", "2026-11-30"))
        self.assertDraft(draft, GLOBEX, f"{name}: November 2026", november,
                         lambda e: "Globex Website Relaunch")
        self.assertFalse(self.entries(WEB, lo="2026-12-01")[0]["is_billed"])
        self.assertEqual(self.outbox()["milestone:web-monthly:2026-11"]["status"], "done")
        self.assertEqual(self.alerts("milestone"), [("web-monthly", "2026-11", 0)])
        # One notice that the draft is there, per channel.
        self.assertEqual(len(self.slack("Invoice draft: ")), 1)
        self.assertEqual(len(self.mails("Invoice draft: ")), 1)

    def test_a_run_killed_after_the_post_leaves_one_draft(self):
        self.at(utc("2026-12-01", "09:00"))
        # Served at once, answered a minute later: the process dies in between.
        self.fh.server.fault("slow", method="POST", path="/v2/invoices", seconds=60)
        env = dict(self.env)
        proc = subprocess.Popen([*WRAPPER, BIN, "invoice", "--check"], env=env, cwd=self.home,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        try:
            wait_for(lambda: self.new_invoices() or proc.poll() is not None, timeout=20 * SLOW,
                     message="the draft was never posted")
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            proc.stderr.close()
        self.assertEqual(len(self.new_invoices()), 1)
        self.assertEqual(self.outbox()["milestone:web-monthly:2026-11"]["status"], "sending")

        self.later(minutes=1)
        self.ok("daemon", "--once")   # the daemon's outbox finishes the job
        self.later(hours=2)
        self.ok("invoice", "--check")
        self.assertEqual(len(self.invoice_posts()), 1)
        drafts = self.new_invoices()
        self.assertEqual([(d["subject"], d["state"]) for d in drafts],
                         [("Globex Website Relaunch: November 2026", "draft")])
        self.assertEqual(self.outbox()["milestone:web-monthly:2026-11"]["status"], "done")

    def test_hours_reached_drafts_and_sends_one_invoice(self):
        self.at(utc("2026-11-21", "10:00"))
        before = sum(quarter_up(e["hours"]) for e in self.uninvoiced(DATA))
        self.assertLess(before, 30)
        self.ok("invoice", "--check")
        self.assertEqual(self.new_invoices(), [])

        self.add_hours(DATA, DEV, ["2026-11-20"], 30 - before)
        data = {m["milestone"]: m for m in self.ok_json("invoice")["milestones"]}["data-hours"]
        self.assertEqual((data["fires"], data["uninvoiced_hours"]), (True, 30))
        due = self.uninvoiced(DATA)

        # The message POST is carried out and its answer lost.
        self.fh.server.fault("lose", method="POST", path=r"/v2/invoices/\d+/messages")
        self.run_gleaner("invoice", "--check")
        for step in (dict(minutes=2), dict(minutes=30), dict(hours=5)):
            self.later(**step)
            self.ok("invoice", "--check")
        drafts = self.new_invoices()
        self.assertEqual(len(drafts), 1, drafts)
        invoice = drafts[0]
        self.assertDraft(invoice, INITECH, "Initech Data Platform: time to 2026-11-21", due,
                         lambda e: f"Initech Data Platform: {e['task']['name']}")
        self.assertEqual(invoice["state"], "open")   # sent
        with self.fh.server.lock:
            messages = list(self.fh.state["invoice_messages"][invoice["id"]])
        self.assertEqual(len(messages), 1, messages)
        self.assertEqual(messages[0]["recipients"], [{"name": None,
                                                      "email": "peter@initech.example"}])
        self.assertEqual(len(self.api_requests("POST", r"/v2/invoices/\d+/messages")), 1)

        # The next day nothing is uninvoiced; then less than 30 h: no second invoice.
        self.at(utc("2026-11-23", "10:00"))
        self.add_hours(DATA, DEV, ["2026-11-23"], 10)
        self.ok("invoice", "--check")
        self.assertEqual(len(self.new_invoices()), 1)
        self.assertEqual(self.alerts("milestone"), [("data-hours", "2026-11-21", 0)])


    def test_budget_reached_drafts_once_and_checks_again_cleanly(self):
        self.configure('[milestone "sup-budget"]\n\tproject = ACME-SUP\n\twhen = budget >= 40\n')
        name = "Initech Support Retainer"
        sup = self.ok_json("invoice")["milestones"][0]
        self.assertEqual((sup["fires"], sup["budget_percent"]), (False, 35))
        self.add_hours(SUP, DEV, ["2026-11-20"], 2)   # 9 of 20 h this month: 45 %
        due = self.uninvoiced(SUP)
        self.ok("invoice", "--check")
        drafts = self.new_invoices()
        self.assertEqual(len(drafts), 1)
        self.assertDraft(drafts[0], INITECH, f"{name}: time to 2026-11-21", due, lambda e: name)
        # The same day (the span since that invoice is empty) and the next: nothing more.
        for when in (utc("2026-11-21", "15:00"), utc("2026-11-23", "09:00")):
            self.at(when)
            self.ok("invoice", "--check")
        self.assertEqual(len(self.new_invoices()), 1)
        self.assertEqual(self.alerts("milestone"), [("sup-budget", "2026-11", 0)])

# ================================================================================ nudges

def ics_event(uid: str, day: str, start: str, end: str, summary: str) -> str:
    d = day.replace("-", "")
    return (f"BEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20261101T000000Z\n"
            f"DTSTART;TZID=Europe/Berlin:{d}T{start.replace(':', '')}00\n"
            f"DTEND;TZID=Europe/Berlin:{d}T{end.replace(':', '')}00\n"
            f"SUMMARY:{summary}\nEND:VEVENT\n")


def week_calendar(days) -> str:
    """A standup and a planning meeting on each day (1.25 h, mapped by the rule below)."""
    events = "".join(ics_event(f"standup-{d}", d, "09:30", "09:45", "Daily standup")
                     + ics_event(f"planning-{d}", d, "14:00", "15:00", "Sprint planning")
                     for d in days)
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//gleaner tests//EN\n{events}END:VCALENDAR\n"


MEETING_RULE = """[rule "meetings"]
\tsource = calendar
\tmatch = standup|planning
\tproject = ACME-WEB
\ttask = Meetings
"""
WEEK = ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"]


class NudgeTest(AgentCase):
    """DESIGN.md 7: at nudge.at on workdays, a gap over nudge.min-gap: one message a day."""

    def setUp(self):
        super().setUp()
        ics = self.write("work.ics", week_calendar(WEEK + ["2026-11-28"]))
        self.configure(f'[calendar "work"]\n\tics = {ics}\n' + MEETING_RULE +
                       "[nudge]\n\tat = 16:45\n\tmin-gap = 1.5\n")
        self.ok("sync", "harvest")   # once, as after gleaner init; nudges refresh it themselves

    def gap(self, day):
        with self.fh.server.lock:
            per_day = self.fh.state["users"][ADA]["weekly_capacity"] / 3600 / 5
        return per_day - sum(e["hours"] for e in self.entries(user=ADA, lo=day, hi=day))

    def nudge(self, when):
        self.at(when)
        return self.ok_json("nudge")

    def proposals(self, day):
        doc = self.ok_json("propose", "--list", "--from", day, "--to", day)
        return [p for p in doc["proposals"] if p["status"] == "proposed"]

    def test_one_nudge_a_workday_after_nudge_at_with_a_gap(self):
        day = "2026-11-25"   # a Wednesday with nothing tracked
        early = self.nudge(utc(day, "16:44"))
        self.assertEqual((early["workday"], early["due"], early["sent"]), (True, False, False))
        self.assertIn("16:45", early["why"])
        self.assertEqual((self.slack(), self.sink.messages()), ([], []))

        sent = self.nudge(utc(day, "16:45"))
        self.assertTrue(sent["sent"], sent)
        gap = self.gap(day)
        self.assertEqual(gap, 8)
        title = f"{gap:.2f} h of today still untracked"
        self.assertEqual([m["text"] for m in self.slack()], [title])
        mails = self.sink.messages()
        self.assertEqual(len(mails), 1)
        body, _ = self.assertMail(mails[0], title, ["ada@example.com"], html=False)

        # It lists the day's proposals and the command that accepts them.
        props = self.proposals(day)
        self.assertEqual([(p["project_id"], p["task_id"], p["hours"]) for p in props],
                         [(WEB, MEETINGS, 1.25)])
        command = "gleaner accept " + " ".join(str(p["id"]) for p in props)
        slack_text = json.dumps(self.slack()[0]["blocks"])
        for text in (slack_text, body):
            self.assertIn(f"#{props[0]['id']}", text)
            self.assertIn("1.25 h", text)
            self.assertIn("Daily standup; Sprint planning", text)
            self.assertIn("Globex Website Relaunch", text)
            self.assertIn(command, text)

        # The same day again, later: nothing more.
        for hhmm in ("17:30", "21:00", "23:59"):
            again = self.nudge(utc(day, hhmm))
            self.assertEqual((again["sent"], again["already_sent"]), (False, True), again)
        self.assertEqual(len(self.slack()), 1)
        self.assertEqual(len(self.sink.messages()), 1)
        self.assertEqual(self.alerts("nudge"), [("day", day, 0)])

    def test_a_dry_run_leaves_nothing_behind(self):
        # With auto-accept, a real run would accept the meetings' proposal, and the next push
        # would send it to Harvest: a dry run shows the nudge and keeps none of that.
        ics = self.write("work.ics", week_calendar(WEEK))
        self.configure(f'[calendar "work"]\n\tics = {ics}\n' + MEETING_RULE +
                       "[nudge]\n\tat = 16:45\n\tmin-gap = 1.5\n"
                       "[propose]\n\tauto-accept = 0.5\n")
        day = "2026-11-25"
        self.at(utc(day, "17:00"))
        dry = self.ok_json("nudge", "--dry-run")
        self.assertEqual((dry["due"], dry["sent"]), (True, False), dry)
        self.assertEqual((self.slack(), self.sink.messages(), self.outbox()), ([], [], {}))
        self.assertEqual(self.alerts("nudge"), [])
        listed = self.ok_json("propose", "--list", "--from", day, "--to", day)["proposals"]
        self.assertEqual(listed, [])
        # The real run still proposes, accepts and nudges.
        sent = self.ok_json("nudge")
        self.assertTrue(sent["sent"], sent)
        listed = self.ok_json("propose", "--list", "--from", day, "--to", day)["proposals"]
        self.assertEqual([p["status"] for p in listed], ["accepted"])

    def test_no_nudge_on_a_weekend_or_for_a_small_gap(self):
        # Thursday: 7 of 8 hours tracked, a gap of 1 h, not over min-gap = 1.5.
        self.add_hours(WEB, DEV, ["2026-11-26"], 7)
        small = self.nudge(utc("2026-11-26", "18:00"))
        self.assertEqual(self.gap("2026-11-26"), 1)
        self.assertEqual((small["workday"], small["sent"], small["gap_hours"]), (True, False, 1))
        self.assertIn("min-gap", small["why"])
        # Saturday: meetings and a full gap, but no workday.
        weekend = self.nudge(utc("2026-11-28", "18:00"))
        self.assertEqual((weekend["workday"], weekend["sent"]), (False, False))
        self.assertEqual((self.slack(), self.sink.messages()), ([], []))
        # Friday, with 6 h tracked: 2 h untracked is over 1.5.
        self.add_hours(DATA, DEV, ["2026-11-27"], 6)
        friday = self.nudge(utc("2026-11-27", "16:50"))
        self.assertTrue(friday["sent"], friday)
        self.nudge(utc("2026-11-27", "19:00"))
        self.assertEqual([m["text"] for m in self.slack()], ["2.00 h of today still untracked"])
        self.assertEqual(len(self.sink.messages()), 1)
        self.assertEqual(self.alerts("nudge"), [("day", "2026-11-27", 0)])


# ========================================================================= weekly report

class ReportTest(AgentCase):
    """The weekly compliance report: figures from the entries, formats, sending once."""

    WEEK, MONDAY = "2026-W47", date(2026, 11, 16)

    def setUp(self):
        super().setUp()
        with self.fh.server.lock:   # a name that is not ASCII, in every format
            self.fh.state["users"][CHARLES]["last_name"] = "Bäbbage"
        self.at(utc("2026-11-21", "10:00"))   # Saturday of that week

    def expected(self, only=None):
        """Everyone active (or `only`), from the fake's users and entries, behind first."""
        today = date(2026, 11, 21)
        days = [self.MONDAY + timedelta(days=i) for i in range(7)]
        lo, hi = days[0].isoformat(), days[-1].isoformat()
        with self.fh.server.lock:
            users = [dict(u) for u in self.fh.state["users"].values() if u["is_active"]]
        people = []
        for u in users:
            if only is not None and u["id"] != only:
                continue
            mine = self.entries(user=u["id"], lo=lo, hi=hi)
            capacity = u["weekly_capacity"] / 3600
            tracked = sum(e["hours"] for e in mine)
            compliance = tracked / capacity if capacity else 1.0
            people.append({
                "user_id": u["id"], "name": f"{u['first_name']} {u['last_name']}",
                "email": u["email"], "capacity_hours": round(capacity, 2),
                "tracked_hours": round(tracked, 2),
                "billable_hours": round(sum(e["hours"] for e in mine if e["billable"]), 2),
                "compliance": round(compliance, 3), "behind": compliance < 0.9,
                "missing_days": [d.isoformat() for d in days if d.weekday() < 5 and d <= today
                                 and not any(e["spent_date"] == d.isoformat() and e["hours"] > 0
                                             for e in mine)]})
        people.sort(key=lambda p: (not p["behind"], p["compliance"] if p["behind"] else 0,
                                   p["name"].lower()))
        return people

    def report(self, fmt, *extra):
        return self.ok("report", "weekly", "--week", self.WEEK, "--format", fmt, *extra).out

    def test_the_figures_in_every_format(self):
        self.configure()
        want = self.expected()
        self.assertEqual([p["user_id"] for p in want], [CHARLES, ADA])   # Grace is inactive
        self.assertTrue(all(p["behind"] for p in want))

        doc = json.loads(self.report("json"))
        self.assertEqual((doc["week"], doc["from"], doc["to"], doc["everyone"]),
                         (self.WEEK, "2026-11-16", "2026-11-22", True))
        got = [{k: p[k] for k in want[0]} for p in doc["people"]]
        self.assertEqual(got, want)

        rows = list(csv.DictReader(io.StringIO(self.report("csv"), newline="")))
        self.assertEqual(len(rows), len(want))
        for row, p in zip(rows, want):
            self.assertEqual((row["week"], int(row["user_id"]), row["name"], row["email"]),
                             (self.WEEK, p["user_id"], p["name"], p["email"]))
            for k in ("capacity_hours", "tracked_hours", "billable_hours", "compliance"):
                self.assertAlmostEqual(float(row[k]), p[k], places=3, msg=k)
            self.assertEqual(row["missing_days"].split(), p["missing_days"])
            self.assertEqual(row["behind"], "true")

        text = self.report("text")
        page = self.report("html")
        self.assertIn(self.WEEK, text)
        self.assertTrue(page.lstrip().lower().startswith("<!doctype html>"))
        for p in want:
            line = [l for l in text.splitlines() if l.startswith(p["name"])]
            self.assertEqual(len(line), 1, text)
            for v in ("capacity_hours", "tracked_hours", "billable_hours"):
                self.assertIn(f"{p[v]:.2f}", line[0])
                self.assertIn(f"{p[v]:.2f}", page)
            self.assertIn(f"{round(p['compliance'] * 100)}%", line[0])
            self.assertIn(html.escape(p["name"]), page)
            for d in p["missing_days"]:
                self.assertIn(d[5:], line[0])
                # Labelled with its weekday, and never broken inside (a narrow mail column).
                weekday = date.fromisoformat(d).strftime("%a")
                self.assertIn(f'<span style="white-space:nowrap">{weekday} {d}</span>', page)
        # Behind first, the furthest behind on top.
        self.assertLess(text.index(want[0]["name"]), text.index(want[1]["name"]))

    def test_who_the_token_is_comes_from_the_mirror(self):
        self.ok("sync", "harvest")
        self.fh.server.clear_requests()
        self.report("json")
        self.assertEqual(self.api_requests("GET", "/v2/users/me"), [])

    def test_a_member_sees_only_themselves(self):
        member = self.write(".config/gleaner/member.token", self.fh.MEMBER_PAT + "\n")
        self.configure(token_file=member)
        self.fh.server.clear_requests()
        doc = json.loads(self.report("json"))
        self.assertFalse(doc["everyone"])
        want = self.expected(only=CHARLES)
        self.assertEqual([{k: p[k] for k in want[0]} for p in doc["people"]], want)
        self.assertEqual(self.api_requests("GET", "/v2/users"), [])
        for r in self.api_requests("GET", "/v2/time_entries"):
            self.assertEqual(r["query"].get("user_id"), [str(CHARLES)], r)

    def test_sent_once_a_week_by_email_and_to_slack(self):
        self.configure("[report]\n\tto = manager@example.com\n\tto = lead@example.com\n",
                       emails=())
        want = self.expected()
        r = self.ok("report", "weekly", "--week", self.WEEK, "--send")
        self.assertIn("3 messages queued", r.err)   # the channel, and a copy for each of two
        title = f"Timesheets, week {self.WEEK}: 2 behind"
        self.assertEqual([m["text"] for m in self.slack()], [title])
        mails = self.sink.messages()
        self.assertEqual(sorted(m.rcpt_tos[0] for m in mails),
                         ["lead@example.com", "manager@example.com"])
        text, page = self.assertMail(mails[0], title, ["manager@example.com", "lead@example.com"],
                                     html=True, rcpt=mails[0].rcpt_tos)
        for p in want:
            self.assertIn(p["name"], text)
            self.assertIn(html.escape(p["name"]), page)
            self.assertIn(f"{p['tracked_hours']:.2f}", text)
            self.assertIn(f"{p['tracked_hours']:.2f}", page)
        self.assertIn("Bäbbage", json.dumps(self.slack()[0]["blocks"], ensure_ascii=False))

        self.later(hours=3)
        again = self.run_gleaner("report", "weekly", "--week", self.WEEK, "--send")
        self.assertIn("sent already", again.err)
        self.assertEqual(len(self.slack()), 1)
        self.assertEqual(len(self.sink.messages()), 2)
        self.assertEqual(self.alerts("report"), [("weekly", self.WEEK, 0)])
        self.assertEqual(self.alerts("reminder"), [])   # report.remind is off

    def test_reminders_go_to_each_person_behind_by_slack_when_a_token_is_set(self):
        self.configure("[report]\n\tto = manager@example.com\n\tremind = true\n",
                       slack="token", emails=())
        self.ok("report", "weekly", "--week", self.WEEK, "--send")
        self.later(days=1)
        self.run_gleaner("report", "weekly", "--week", self.WEEK, "--send")
        self.assertEqual([m["text"] for m in self.fs.messages("#timesheets")],
                         [f"Timesheets, week {self.WEEK}: 2 behind"])
        for member, person in ((ADA_SLACK, ADA), (CHARLES_SLACK, CHARLES)):
            dms = self.fs.messages(member)
            self.assertEqual([m["text"] for m in dms], [f"Your timesheet for week {self.WEEK}"])
            p = [p for p in self.expected() if p["user_id"] == person][0]
            self.assertIn(f"{p['tracked_hours']:.2f} of your {p['capacity_hours']:.2f} hours",
                          json.dumps(dms[0]["blocks"]))
        self.assertEqual([m.rcpt_tos for m in self.sink.messages()], [["manager@example.com"]])

    def test_lost_answers_to_direct_messages_are_looked_up(self):
        self.configure("[report]\n\tremind = true\n", slack="token", channel="C01TIMESHTS",
                       emails=())
        self.fs.server.fault("lose", count=3, method="POST", path=r"/api/chat\.postMessage")
        self.run_gleaner("report", "weekly", "--week", self.WEEK, "--send")
        self.assertEqual(len(self.fs.messages()), 3)   # all went out; no answer came back
        for step in (dict(minutes=2), dict(hours=1)):
            self.later(**step)
            self.ok("daemon", "--once")
        for where in ("C01TIMESHTS", ADA_SLACK, CHARLES_SLACK):
            self.assertEqual(len(self.fs.messages(where)), 1, where)
        self.assertEqual(len(self.fs.server.requests_for("POST", r"/api/chat\.postMessage")), 3)
        self.assertEqual({r["status"] for r in self.outbox().values()}, {"done"})

    def test_reminders_go_by_email_without_a_slack_token(self):
        self.configure("[report]\n\tto = manager@example.com\n\tremind = true\n", emails=())
        self.ok("report", "weekly", "--week", self.WEEK, "--send")
        self.later(days=1)
        self.run_gleaner("report", "weekly", "--week", self.WEEK, "--send")
        by_rcpt = sorted((m.rcpt_tos[0], str(m.message()["subject"])) for m in self.sink.messages())
        self.assertEqual(by_rcpt, [
            ("ada@example.com", f"Your timesheet for week {self.WEEK}"),
            ("charles@example.com", f"Your timesheet for week {self.WEEK}"),
            ("manager@example.com", f"Timesheets, week {self.WEEK}: 2 behind")])
        self.assertEqual(len(self.slack()), 1)   # the report, through the webhook
        self.assertEqual(self.alerts("reminder"), [("ada@example.com", self.WEEK, 0),
                                                   ("charles@example.com", self.WEEK, 0)])


# ================================================================================ outbox

class OutboxTest(AgentCase):
    """Queued first, sent after: outages are waited out, refusals are not retried forever."""

    def cross_75(self):
        """Make the WEB budget reach 80 %: one alert to send."""
        self.add_hours(WEB, DEV, ["2026-11-16", "2026-11-17"], 160 - sum(
            quarter_up(e["hours"]) for e in self.entries(WEB)))

    KEY = f"budget:{WEB}:total:75"
    TITLE = "Globex Website Relaunch: 75% of its budget"

    def test_a_slack_outage_is_waited_out_and_delivered_once(self):
        self.configure()
        self.cross_75()
        self.fs.fail(count=50, status=503, transport="webhook")
        self.sink.refuse(1, code=451)   # and the mail server is busy once
        r = self.run_gleaner("budget", "--check")
        self.assertExit(r, 0)   # the alert is decided and recorded; sending comes later
        self.assertIn("could not be sent now", r.err)
        self.assertEqual(self.slack(), [])
        self.assertEqual(self.sink.messages(), [])
        box = self.outbox()
        self.assertIn(box[self.KEY + "#slack"]["status"], ("pending", "sending"))
        self.assertIn(box[self.KEY + "#email"]["status"], ("pending", "sending"))
        self.assertEqual(self.alerts("budget"), [(str(WEB), "total", 75)])
        posts = len(self.slack_posts())
        self.assertGreater(posts, 0)

        # Not due again yet (backing off): nothing is tried.
        self.ok("budget", "--check")
        self.assertEqual(len(self.slack_posts()), posts)

        # Slack is back; the next run delivers it, once.
        self.fs.server.clear_faults()
        self.later(minutes=2)
        self.ok("daemon", "--once")
        self.later(hours=2)
        self.ok("daemon", "--once")
        self.ok("budget", "--check")
        self.assertEqual([m["text"] for m in self.slack(self.TITLE)], [self.TITLE])
        self.assertEqual([str(m.message()["subject"]) for m in self.mails(self.TITLE)],
                         [self.TITLE])
        box = self.outbox()
        self.assertEqual((box[self.KEY + "#slack"]["status"], box[self.KEY + "#email"]["status"]),
                         ("done", "done"))

    def test_one_refused_address_keeps_the_message_from_nobody_else(self):
        team = ("ada@example.com", "nobody@example.com", "bob@example.com")
        self.configure(slack=None, emails=team)
        self.cross_75()
        self.sink.refuse_recipient("nobody@example.com", 550)   # no such user: for good
        self.sink.refuse_recipient("bob@example.com", 452)      # mailbox full: for now
        r = self.run_gleaner("budget", "--check")
        self.assertExit(r, 0)
        (mail,) = self.sink.messages()
        self.assertEqual(mail.rcpt_tos, ["ada@example.com"])
        self.assertMail(mail, self.TITLE, list(team), html=False, rcpt=["ada@example.com"])
        box = self.outbox()
        rows = {a: box[f"{self.KEY}#email:{a}"] for a in team}
        self.assertEqual(rows["ada@example.com"]["status"], "done")
        self.assertEqual(rows["nobody@example.com"]["status"], "failed")
        self.assertIn("550", rows["nobody@example.com"]["error"])
        self.assertIn(rows["bob@example.com"]["status"], ("pending", "sending"))

        # Bob's mailbox has room again: he gets it, once; nobody and Ada get nothing more.
        self.sink.refuse_recipient("bob@example.com", None)
        for step in (dict(minutes=2), dict(hours=2), dict(days=1)):
            self.later(**step)
            self.ok("daemon", "--once")
        mails = self.sink.messages()
        self.assertEqual([m.rcpt_tos for m in mails], [["ada@example.com"], ["bob@example.com"]])
        self.assertEqual(mails[1].message()["message-id"], mail.message()["message-id"])
        box = self.outbox()
        self.assertEqual(box[f"{self.KEY}#email:bob@example.com"]["status"], "done")
        self.assertEqual(box[f"{self.KEY}#email:nobody@example.com"]["attempts"], 1)

    def lose_the_first_post(self, channel):
        """Slack posts the alert and the answer is lost; later runs must not post it again."""
        self.configure(slack="token", channel=channel, emails=())
        self.cross_75()
        self.fs.server.fault("lose", method="POST", path=r"/api/chat\.postMessage")
        self.run_gleaner("budget", "--check")
        self.assertEqual(len(self.fs.messages("#timesheets")), 1)   # it did go out
        self.assertEqual(self.outbox()[self.KEY + "#slack"]["status"], "sending")
        for step in (dict(minutes=2), dict(hours=1)):
            self.later(**step)
            self.ok("budget", "--check")
        posted = self.fs.messages("#timesheets")
        self.assertEqual(posted[0]["metadata"]["event_payload"]["key"], self.KEY + "#slack")
        self.assertTrue(self.fs.server.requests_for(None, r"/api/conversations\.history"))
        self.assertEqual([m["text"] for m in posted], [self.TITLE])
        self.assertEqual(len(self.fs.server.requests_for("POST", r"/api/chat\.postMessage")), 1)
        self.assertEqual(self.outbox()[self.KEY + "#slack"]["status"], "done")

    def test_a_lost_slack_answer_is_looked_up_not_posted_twice(self):
        self.lose_the_first_post("C01TIMESHTS")

    def test_a_lost_slack_answer_to_a_channel_named_by_name(self):
        """notify.slack-channel = "#timesheets" (the form contrib's example shows): history
        takes ids only, so the lookup resolves the name with conversations.list first."""
        self.lose_the_first_post("#timesheets")

    def test_a_lookup_that_fails_for_a_while_is_tried_again_not_posted(self):
        """The answer to the post is lost, then the lookup meets a Slack outage: posting again
        then could make a copy, so the row waits and is looked up on a later run."""
        self.configure(slack="token", channel="C01TIMESHTS", emails=())
        self.cross_75()
        self.fs.server.fault("lose", method="POST", path=r"/api/chat\.postMessage")
        self.run_gleaner("budget", "--check")
        self.fs.server.fault("status", count=50, path=r"/api/conversations\.history", status=503)
        self.later(minutes=2)
        self.run_gleaner("daemon", "--once")
        self.assertTrue(self.fs.server.requests_for(None, r"/api/conversations\.history"))
        self.assertEqual(len(self.fs.server.requests_for("POST", r"/api/chat\.postMessage")), 1)
        self.assertNotEqual(self.outbox()[self.KEY + "#slack"]["status"], "done")
        self.fs.server.clear_faults()
        self.later(hours=1)
        self.ok("daemon", "--once")
        self.assertEqual([m["text"] for m in self.fs.messages("#timesheets")], [self.TITLE])
        self.assertEqual(len(self.fs.server.requests_for("POST", r"/api/chat\.postMessage")), 1)
        self.assertEqual(self.outbox()[self.KEY + "#slack"]["status"], "done")

    def test_a_webhook_and_a_bot_token_together(self):
        """The webhook for the channel, the token for direct messages: a channel notice goes by
        the webhook it was queued for, not to the Web API without a channel."""
        self.configure(emails=(), extra=f"[notify]\n\tslack-token-file = {self.slack_token_file}\n"
                                        f"\tslack-api-url = {self.fs.api_url}\n")
        self.cross_75()
        self.ok("budget", "--check")
        self.assertEqual([m["text"] for m in self.fs.messages(via="webhook")], [self.TITLE])
        self.assertEqual(self.outbox()[self.KEY + "#slack"]["status"], "done")

    def test_a_busy_channel_is_never_posted_to_twice(self):
        """The lookup reads back at most 2,000 messages: when the channel had more since the
        message was queued (a weekend asleep), it cannot tell, so it does not post again."""
        self.configure(slack="token", channel="C01TIMESHTS", emails=())
        self.cross_75()
        self.fs.server.fault("lose", method="POST", path=r"/api/chat\.postMessage")
        self.run_gleaner("budget", "--check")
        self.later(hours=2)
        self.fs.page_size = 5   # 60 newer messages: 12 pages of history, more than gleaner reads
        for i in range(60):
            self.fs.add_message("C01TIMESHTS", f"chatter {i}")
        for step in (dict(minutes=1), dict(hours=2)):
            self.later(**step)
            self.run_gleaner("daemon", "--once")
        self.assertEqual(len(self.fs.server.requests_for("POST", r"/api/chat\.postMessage")), 1)
        row = self.outbox()[self.KEY + "#slack"]
        self.assertNotEqual(row["status"], "done")
        self.assertIn("more messages", row["error"])

    def test_a_refusal_is_kept_as_failed_and_not_retried(self):
        self.configure(slack="token", channel="#no-such-channel")
        self.cross_75()
        self.sink.refuse(1, code=554, text="Transaction failed: recipient rejected")
        r = self.run_gleaner("budget", "--check")
        self.assertExit(r, 0)
        self.assertIn("channel_not_found", r.err)
        posts = self.fs.server.requests_for("POST", r"/api/chat\.postMessage")
        self.assertEqual(len(posts), 1)
        for step in (dict(minutes=5), dict(hours=2), dict(days=1)):
            self.later(**step)
            self.ok("daemon", "--once")
        self.assertEqual(len(self.fs.server.requests_for("POST", r"/api/chat\.postMessage")), 1)
        self.assertEqual(self.fs.messages(), [])
        self.assertEqual(self.sink.messages(), [])   # 554 is for good, too
        box = self.outbox()
        self.assertEqual(box[self.KEY + "#slack"]["status"], "failed")
        self.assertIn("channel_not_found", box[self.KEY + "#slack"]["error"])
        self.assertEqual(box[self.KEY + "#slack"]["attempts"], 1)
        self.assertEqual(box[self.KEY + "#email"]["status"], "failed")
        self.assertIn("554", box[self.KEY + "#email"]["error"])


class SmtpLoginTest(AgentCase):
    """smtp.user and smtp.password-file: a login, and a refused one that names no secret."""

    PASSWORD = "correct horse battery staple"

    def setUp(self):
        super().setUp()
        self.sink.stop()
        self.sink = SmtpSink(user="gleaner@example.com", password=self.PASSWORD)
        self.sink.start()
        self.addCleanup(self.sink.stop)

    def configure_login(self, password):
        pw = self.write(".config/gleaner/smtp.password", password + "\n")
        self.configure(f"[smtp]\n\tuser = gleaner@example.com\n\tpassword-file = {pw}\n",
                       slack=None)

    def test_a_login_that_works(self):
        self.configure_login(self.PASSWORD)
        OutboxTest.cross_75(self)
        self.ok("budget", "--check")
        mails = self.sink.wait_for(1)
        self.assertEqual(mails[0].login, "gleaner@example.com")
        self.assertEqual(str(mails[0].message()["subject"]), OutboxTest.TITLE)
        self.assertTrue(all(l["ok"] for l in self.sink.logins()), self.sink.logins())

    def test_a_refused_login_waits_for_the_mend_and_names_no_password(self):
        """A wrong password is the user's to mend: the message waits (with a warning each
        try), and goes out once the password file is right; nothing names the password."""
        self.configure_login("wrong password")
        OutboxTest.cross_75(self)
        r = self.run_gleaner("budget", "--check")
        self.assertExit(r, 0)
        self.assertIn("refused the login", r.err)
        self.assertIn("waits", r.err)
        row = self.outbox()[OutboxTest.KEY + "#email"]
        self.assertEqual(row["status"], "pending")
        self.later(hours=1)
        again = self.run_gleaner("daemon", "--once")
        self.assertEqual(self.sink.messages(), [])
        self.assertEqual(len(self.sink.logins()), 2)
        self.assertFalse(any(l["ok"] for l in self.sink.logins()))
        self.configure_login(self.PASSWORD)
        self.later(hours=2)
        self.ok("daemon", "--once")
        self.assertEqual(len(self.sink.wait_for(1)), 1)
        self.assertEqual(self.outbox()[OutboxTest.KEY + "#email"]["status"], "done")
        self.assertNotIn("wrong password", row["error"] + r.err + again.err)


if __name__ == "__main__":
    main()
