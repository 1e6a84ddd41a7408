#!/usr/bin/env python3
"""gleaner propose, edit, accept, reject, review and gaps on a calendar and a
Git repository built here, against the fake Harvest: one proposal per day,
project and task, rules and the learned classifier, re-runs that duplicate
nothing and respect the user's decisions, hours already in Harvest
subtracted, and the day's gap.

Every expected number is worked out by hand from DESIGN.md section 6: work
hours 09:00-17:30 in Europe/Berlin (UTC+1 in November), git.lead-in 30 min,
git.max-gap 120 min, propose.round 0.25 h, and the fake's seed (Ada, 40 h a
week; her entries of 2026-11-16..20: 5.5, 6.0, 0.5, 2.0, 1.5 h).
"""
import json
import os
import shutil
import subprocess
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from harness import main
from harvest_case import HarvestCase

ME = 1782959
WEB, DATA, SUP, INT = 14307913, 14308069, 14308070, 14308071
DEV, MEETINGS, DESIGN, PM, RESEARCH, ADMIN = 8083365, 8083366, 8083367, 8083368, 8083369, 8083370

DAY = "2026-11-18"  # a Wednesday; NOW (2026-11-21) is the Saturday after


def git(repo: Path, *args, date=None):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(repo.parent),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Ada",
        "GIT_AUTHOR_EMAIL": "ada@example.com",
        "GIT_COMMITTER_NAME": "Ada",
        "GIT_COMMITTER_EMAIL": "ada@example.com",
    }
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    return subprocess.run(["git", "-C", str(repo), *args], env=env, check=True,
                          capture_output=True, text=True).stdout


def commit(repo: Path, message: str, day: str, hhmm: str) -> str:
    """A commit by Ada at hh:mm Berlin time (UTC+1 in November); returns its id."""
    with (repo / "log.txt").open("a") as f:
        f.write(message + "\n")
    git(repo, "add", "log.txt")
    git(repo, "commit", "-q", "-m", message, date=f"{day}T{hhmm}:00+01:00")
    return git(repo, "rev-parse", "HEAD").strip()


def event(uid: str, day: str, start: str, end: str, summary: str, extra: str = "") -> str:
    d = day.replace("-", "")
    return (f"BEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20261101T000000Z\n"
            f"DTSTART;TZID=Europe/Berlin:{d}T{start.replace(':', '')}00\n"
            f"DTEND;TZID=Europe/Berlin:{d}T{end.replace(':', '')}00\n"
            f"SUMMARY:{summary}\n{extra}END:VEVENT\n")


def all_day(uid: str, day: str, summary: str) -> str:
    d = day.replace("-", "")
    nxt = (date.fromisoformat(day) + timedelta(days=1)).strftime("%Y%m%d")
    return (f"BEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20261101T000000Z\nDTSTART;VALUE=DATE:{d}\n"
            f"DTEND;VALUE=DATE:{nxt}\nSUMMARY:{summary}\nEND:VEVENT\n")


def calendar(*events: str) -> str:
    return "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//gleaner tests//EN\n" + "".join(events) + \
        "END:VCALENDAR\n"


RULES = """[rule "standups"]
\tsource = calendar
\tmatch = standup|retro|planning
\tproject = ACME-WEB
\ttask = Meetings
[rule "web"]
\tsource = git
\trepo = acme-web
\tproject = Globex Website Relaunch
\ttask = Development
[rule "initech"]
\tsource = calendar
\tmatch = initech
\tproject = ACME-DATA
\ttask = Meetings
"""

STANDUP = event("standup-18", DAY, "09:30", "09:45", "Daily standup")
PLANNING = event("planning-18", DAY, "14:00", "15:00", "Sprint planning")
# Someone from outside: an event with nobody else on it that nothing places is not a
# meeting (LearningTest.test_learned_from_the_harvest_history).
WITH_SAM = "ATTENDEE;PARTSTAT=ACCEPTED:mailto:sam@umbrella.example\n"
UMBRELLA = event("umbrella-18", DAY, "16:30", "17:00", "Umbrella roadmap", WITH_SAM)


class ProposeCase(HarvestCase):
    per_page = 100  # pagination is test_sync's business; here it would only cost time

    def setUp(self):
        super().setUp()
        if not shutil.which("git"):
            self.skipTest("git is not installed")
        self.repo = self.home / "src" / "acme-web"
        self.repo.mkdir(parents=True)
        git(self.repo, "init", "-q", "-b", "main")
        commit(self.repo, "Initial commit", "2026-11-02", "10:00")
        self.ics = self.home / "work.ics"
        self.rules = RULES
        self.extra = ""

    def configure(self, *events: str, rules=None, extra=None):
        self.ics.write_text(calendar(*events))
        if rules is not None:
            self.rules = rules
        if extra is not None:
            self.extra = extra
        self.write_config(f'[calendar "work"]\n\tics = {self.ics}\n'
                          f'[repo "acme-web"]\n\tpath = {self.repo}\n' + self.rules + self.extra)

    def login_work(self):
        """Two commits on the ticket's branch: 10:30 and 11:20, a session from 10:00."""
        git(self.repo, "checkout", "-q", "-b", "feature/ACME-142-login")
        ids = [commit(self.repo, "ACME-142: fix login redirect", DAY, "10:30"),
               commit(self.repo, "test: add tests", DAY, "11:20")]
        git(self.repo, "checkout", "-q", "main")
        return ids

    def propose(self, *args, frm=DAY, to=DAY):
        r = self.run_gleaner("--json", "propose", "--from", frm, "--to", to, *args)
        self.assertExit(r, 0)
        return r.json()

    def listing(self, frm=DAY, to=DAY):
        r = self.run_gleaner("--json", "propose", "--list", "--from", frm, "--to", to)
        self.assertExit(r, 0)
        return r.json()["proposals"]

    def only(self, proposals, project, task, day=DAY):
        found = [p for p in proposals
                 if (p["project_id"], p["task_id"], p["date"]) == (project, task, day)]
        self.assertEqual(len(found), 1, json.dumps(proposals, indent=1))
        return found[0]

    def none_for(self, proposals, project, task, day=DAY):
        found = [p for p in proposals
                 if (p["project_id"], p["task_id"], p["date"]) == (project, task, day)]
        self.assertEqual(found, [], json.dumps(proposals, indent=1))

    def ok(self, *args):
        r = self.run_gleaner(*args)
        self.assertExit(r, 0)
        return r

    def outbox(self):
        return {key: (kind, status, json.loads(payload)) for key, kind, status, payload in
                self.db().execute("SELECT dedupe_key, kind, status, payload FROM outbox")}

    def harvest_refs(self):
        with self.fh.server.lock:
            return {(e.get("external_reference") or {}).get("id"): e
                    for e in self.fh.state["time_entries"].values()}


class ProposeTest(ProposeCase):
    def setUp(self):
        super().setUp()
        self.commits = self.login_work()
        self.configure(STANDUP, PLANNING)

    def test_a_day_becomes_one_proposal_per_project_and_task(self):
        doc = self.propose()
        self.assertEqual((doc["from"], doc["to"], doc["timezone"]), (DAY, DAY, "Europe/Berlin"))
        props = doc["proposals"]
        self.assertEqual(len(props), 2, json.dumps(props, indent=1))
        for p in props:
            for field in ("id", "date", "project_id", "task_id", "hours", "notes", "confidence",
                          "status", "reason", "sources"):
                self.assertIn(field, p)

        # The meetings (by title): 15 + 60 minutes is exactly 1.25 h.
        meet = self.only(props, WEB, MEETINGS)
        self.assertEqual(meet["hours"], 1.25)
        self.assertEqual(meet["notes"], "Daily standup; Sprint planning")
        self.assertEqual(meet["confidence"], 1.0)
        self.assertEqual(meet["status"], "proposed")
        self.assertEqual(meet["reason"], "rule standups (2 meetings)")
        self.assertEqual([(s["kind"], s["key"], s["start"], s["end"]) for s in meet["sources"]], [
            ("meeting", "standup-18/20261118T083000Z", "2026-11-18T08:30:00Z",
             "2026-11-18T08:45:00Z"),
            ("meeting", "planning-18/20261118T130000Z", "2026-11-18T13:00:00Z",
             "2026-11-18T14:00:00Z")])

        # The commits (by repository): 10:00 to 11:20 is 80 minutes, rounded up to 1.5 h.
        dev = self.only(props, WEB, DEV)
        self.assertEqual(dev["hours"], 1.5)
        self.assertEqual(dev["notes"], "acme-web: fix login redirect, add tests (ACME-142)")
        self.assertEqual(dev["confidence"], 1.0)
        self.assertEqual(dev["reason"], "rule web (2 commits)")
        self.assertEqual([(s["kind"], s["key"], s["start"], s["end"]) for s in dev["sources"]], [
            ("commit", self.commits[0], "2026-11-18T09:30:00Z", "2026-11-18T09:30:00Z"),
            ("commit", self.commits[1], "2026-11-18T10:20:00Z", "2026-11-18T10:20:00Z")])
        self.assertEqual(len({p["id"] for p in props}), 2)

        # The fix cherry-picked onto a release branch (same author time and summary, a new id):
        # the same work, not a third commit.
        git(self.repo, "checkout", "-q", "-b", "release/1.0", "main")
        git(self.repo, "cherry-pick", self.commits[0])
        git(self.repo, "checkout", "-q", "main")
        dev = self.only(self.propose()["proposals"], WEB, DEV)
        acts = self.run_gleaner("--json", "activities", "--from", DAY, "--to", DAY).json()
        self.assertEqual(len([a for a in acts["activities"]
                              if a["title"] == "ACME-142: fix login redirect"]), 2)   # both seen
        self.assertEqual((dev["hours"], dev["reason"]), (1.5, "rule web (2 commits)"))
        self.assertEqual([s["start"] for s in dev["sources"]],
                         ["2026-11-18T09:30:00Z", "2026-11-18T10:20:00Z"])

        # The same proposals, for a person.
        r = self.ok("propose", "--from", DAY, "--to", DAY, "--offline")
        self.assertIn("2026-11-18", r.out)
        self.assertIn("Globex Website Relaunch / Meetings", r.out)
        self.assertIn("Globex Website Relaunch / Development", r.out)
        self.assertIn("acme-web: fix login redirect, add tests (ACME-142)", r.out)
        self.assertIn("1.25 h", r.out)
        self.assertIn("1.50 h", r.out)

    def test_propose_again_changes_nothing(self):
        # A dry run says what it would do and writes nothing.
        dry = self.propose("--dry-run")
        self.assertEqual((dry["dry_run"], dry["added"], dry["updated"], dry["removed"]),
                         (True, 2, 0, 0))
        self.assertEqual(self.listing(), [])
        # Not even the classifier it trained is kept.
        self.assertEqual(self.db().execute("SELECT count(*) FROM models").fetchone()[0], 0)
        first = self.propose()["proposals"]
        second = self.propose()["proposals"]
        third = self.propose()["proposals"]
        self.assertEqual(second, first)
        self.assertEqual(third, first)
        self.assertEqual(self.listing(), first)
        (count,) = self.db().execute("SELECT count(*) FROM proposals").fetchone()
        self.assertEqual(count, 2)
        # A wider window re-proposes the day as it was, and finds nothing else.
        week = self.propose(frm="2026-11-16", to="2026-11-22")["proposals"]
        self.assertEqual(week, first)

    def test_a_rule_naming_an_unknown_project_or_task(self):
        self.configure(STANDUP, PLANNING, rules=RULES.replace("project = ACME-WEB",
                                                              "project = Wayne Enterprises"))
        r = self.run_gleaner("propose", "--from", DAY, "--to", DAY)
        self.assertOneLineError(r, 2, "rule.standups.project", "Wayne Enterprises")
        self.configure(STANDUP, PLANNING, rules=RULES.replace("task = Meetings", "task = Catering",
                                                              1))
        r = self.run_gleaner("propose", "--from", DAY, "--to", DAY)
        self.assertOneLineError(r, 2, "rule.standups.task", "Catering")
        self.assertEqual(self.listing(), [])  # nothing half-done

    def test_a_rule_naming_several_projects(self):
        # A second active project with the same name as ACME-WEB.
        with self.fh.server.lock:
            twin = json.loads(json.dumps(self.fh.state["projects"][WEB]))
            twin.update(id=14309999, code="ACME-WEB2")
            self.fh.state["projects"][14309999] = twin
        self.configure(STANDUP, PLANNING)  # rule "web" names the project by name
        r = self.run_gleaner("propose", "--from", DAY, "--to", DAY)
        self.assertOneLineError(r, 2, "rule.web.project", "Globex Website Relaunch", "14307913",
                                "14309999")
        # By its code it is one project again.
        self.configure(STANDUP, PLANNING,
                       rules=RULES.replace("project = Globex Website Relaunch",
                                           "project = ACME-WEB"))
        self.only(self.propose()["proposals"], WEB, DEV)

    def test_edited_and_rejected_proposals_stay_as_left(self):
        props = self.propose()["proposals"]
        dev, meet = self.only(props, WEB, DEV), self.only(props, WEB, MEETINGS)
        r = self.ok("--json", "edit", str(dev["id"]), "--hours", "2", "--project", "ACME-DATA",
                    "--task", "Development", "--notes", "Pairing on the login")
        edited = r.json()
        self.assertEqual((edited["id"], edited["project_id"], edited["task_id"], edited["hours"],
                          edited["notes"], edited["status"]),
                         (dev["id"], DATA, DEV, 2.0, "Pairing on the login", "proposed"))
        self.assertTrue(edited["edited"])
        r = self.ok("reject", str(meet["id"]))

        # More work that day for both: what was decided stays, and only the new activities
        # are proposed, on their own (an afternoon after a morning's edit is still billable).
        git(self.repo, "checkout", "-q", "feature/ACME-142-login")
        commit(self.repo, "ACME-142: handle expired sessions", DAY, "12:10")
        git(self.repo, "checkout", "-q", "main")
        self.configure(STANDUP, PLANNING, event("retro-18", DAY, "16:00", "16:30", "Retro"))
        for _ in range(2):
            after = self.propose()["proposals"]
            self.assertEqual(len(after), 4, json.dumps(after, indent=1))
            kept = {p["id"]: p for p in after}
            self.assertEqual(kept[dev["id"]]["project_id"], DATA)
            self.assertEqual(kept[dev["id"]]["task_id"], DEV)
            self.assertEqual(kept[dev["id"]]["hours"], 2.0)
            self.assertEqual(kept[dev["id"]]["notes"], "Pairing on the login")
            self.assertTrue(kept[dev["id"]]["edited"])
            self.assertEqual(kept[meet["id"]]["status"], "rejected")
            self.assertEqual(kept[meet["id"]]["hours"], 1.25)
            new = [p for p in after if p["id"] not in (dev["id"], meet["id"])]
            retro = [p for p in new if p["notes"] == "Retro"]
            self.assertEqual(len(retro), 1, new)
            self.assertEqual((retro[0]["project_id"], retro[0]["task_id"], retro[0]["hours"]),
                             (WEB, MEETINGS, 0.5))
            self.assertEqual(retro[0]["reason"], "rule standups (1 meeting)")
            code = [p for p in new if p is not retro[0]][0]
            # The new commit owns the time since the previous one (held by the edited proposal).
            self.assertEqual((code["project_id"], code["task_id"]), (WEB, DEV))
            self.assertEqual(code["notes"], "acme-web: handle expired sessions (ACME-142)")
            self.assertEqual([s["key"] for s in code["sources"]],
                             [s["key"] for s in code["sources"] if s["title"].startswith("ACME-142: handle")])

    def test_hours_in_harvest_are_subtracted(self):
        first = self.propose()["proposals"]
        meet = self.only(first, WEB, MEETINGS)
        # Typed into Harvest: half an hour of the meetings, and an hour of another task.
        self.fh.add_time_entry(project_id=WEB, task_id=MEETINGS, spent_date=DAY, hours=0.5,
                               notes="Standup")
        self.fh.add_time_entry(project_id=WEB, task_id=DESIGN, spent_date=DAY, hours=1.0,
                               notes="Mockups")
        self.ok("sync", "harvest")
        props = self.propose("--offline")["proposals"]
        left = self.only(props, WEB, MEETINGS)
        self.assertEqual(left["id"], meet["id"])  # the same proposal, updated
        self.assertEqual(left["hours"], 0.75)  # 1.25 - 0.5
        self.assertEqual(self.only(props, WEB, DEV)["hours"], 1.5)  # another task: untouched
        # Another hour: 1.5 h tracked covers the 1.25 h of meetings; nothing is left to propose.
        self.fh.add_time_entry(project_id=WEB, task_id=MEETINGS, spent_date=DAY, hours=1.0)
        props = self.propose()["proposals"]  # propose syncs by itself
        self.none_for(props, WEB, MEETINGS)
        self.assertEqual(self.only(props, WEB, DEV)["hours"], 1.5)

    def test_a_cancelled_meeting_takes_its_proposal_away(self):
        initech = event("initech-18", DAY, "16:00", "16:30", "Initech data sync")
        self.configure(STANDUP, PLANNING, initech)
        props = self.propose()["proposals"]
        self.assertEqual(self.only(props, DATA, MEETINGS)["hours"], 0.5)
        ids = {p["id"] for p in props}
        # Deleted from the calendar: its proposal goes, the others stay as they were.
        self.configure(STANDUP, PLANNING)
        after = self.propose()["proposals"]
        self.none_for(after, DATA, MEETINGS)
        self.assertEqual({p["id"] for p in after}, ids - {self.only(props, DATA, MEETINGS)["id"]})
        # Cancelled (STATUS:CANCELLED): its time leaves the proposal it was part of.
        self.configure(STANDUP, event("planning-18", DAY, "14:00", "15:00", "Sprint planning",
                                      "STATUS:CANCELLED\n"))
        meet = self.only(self.propose()["proposals"], WEB, MEETINGS)
        self.assertEqual(meet["hours"], 0.25)
        self.assertEqual(meet["notes"], "Daily standup")
        self.assertEqual(meet["id"], self.only(props, WEB, MEETINGS)["id"])


class DecisionTest(ProposeCase):
    def setUp(self):
        super().setUp()
        self.login_work()
        # "Support review" is learned from "Monthly support review" (ACME-SUP, Meetings), but
        # "review" is in two other entries' notes: the classifier is less than sure.
        self.configure(STANDUP, PLANNING, UMBRELLA,
                       event("support-18", DAY, "15:00", "15:30", "Support review"))
        props = self.propose()["proposals"]
        self.meet = self.only(props, WEB, MEETINGS)
        self.dev = self.only(props, WEB, DEV)
        self.support = self.only(props, SUP, MEETINGS)
        self.unassigned = self.only(props, None, None)
        self.assertTrue(self.support["reason"].startswith("learned"), self.support)
        self.assertTrue(0.5 <= self.support["confidence"] < 0.9, self.support)
        self.assertEqual(self.unassigned["confidence"], 0)
        self.assertEqual(self.unassigned["hours"], 0.5)

    def statuses(self):
        return {p["id"]: p["status"] for p in self.listing()}

    def test_accept_one_queues_its_entry(self):
        self.ok("accept", str(self.meet["id"]))
        self.assertEqual(self.statuses()[self.meet["id"]], "accepted")
        box = self.outbox()
        self.assertEqual(list(box), [self.meet["key"]])
        kind, status, body = box[self.meet["key"]]
        self.assertEqual((kind, status), ("harvest.time_entry", "pending"))
        self.assertEqual((body["project_id"], body["task_id"], body["spent_date"], body["hours"],
                          body["notes"]), (WEB, MEETINGS, DAY, 1.25, "Daily standup; Sprint planning"))
        self.assertEqual(body["external_reference"]["id"], self.meet["key"])
        # Again: nothing to do, and still one entry queued.
        r = self.ok("--json", "accept", str(self.meet["id"]))
        self.assertEqual((r.json()["accepted"], r.json()["skipped"]), (0, 1))
        self.assertEqual(len(self.outbox()), 1)
        # An accepted proposal counts as tracked: a re-run adds only what is new (the retro).
        self.configure(STANDUP, PLANNING, UMBRELLA,
                       event("support-18", DAY, "15:00", "15:30", "Support review"),
                       event("retro-18", DAY, "16:00", "16:30", "Retro"))
        props = self.propose()["proposals"]
        meetings = [p for p in props if (p["project_id"], p["task_id"]) == (WEB, MEETINGS)]
        self.assertEqual(sorted((p["status"], p["hours"]) for p in meetings),
                         [("accepted", 1.25), ("proposed", 0.5)])

    def test_a_refused_push_with_a_top_up_is_not_counted_twice(self):
        """Accepted, then a top-up for what came after; Harvest refuses the accepted one, which
        goes back to review: the next run holds the day's time in one proposal, not two."""
        self.ok("accept", str(self.meet["id"]))
        self.configure(STANDUP, PLANNING, UMBRELLA,
                       event("support-18", DAY, "15:00", "15:30", "Support review"),
                       event("retro-18", DAY, "16:00", "16:30", "Retro"))
        self.propose()
        self.fh.server.fault("status", status=422, method="POST", path=r"/v2/time_entries",
                             json={"message": "Spent date is locked"})
        self.assertExit(self.run_gleaner("push"), 1)
        self.assertEqual(self.statuses()[self.meet["id"]], "proposed")
        props = self.propose()["proposals"]
        meetings = [p for p in props if (p["project_id"], p["task_id"]) == (WEB, MEETINGS)]
        self.assertEqual([(p["id"], p["status"], p["hours"]) for p in meetings],
                         [(self.meet["id"], "proposed", 1.75)], json.dumps(meetings, indent=1))

    def test_accept_all_leaves_the_unassigned_for_review(self):
        r = self.ok("accept", "--all", "--min-confidence", "0.9")
        self.assertIn("left for review", r.out)
        st = self.statuses()
        self.assertEqual((st[self.meet["id"]], st[self.dev["id"]]), ("accepted", "accepted"))
        self.assertEqual(st[self.support["id"]], "proposed")  # below 0.9
        self.assertEqual(st[self.unassigned["id"]], "proposed")
        r = self.ok("--json", "accept", "--all")
        self.assertEqual(r.json()["accepted"], 1)
        st = self.statuses()
        self.assertEqual(st[self.support["id"]], "accepted")
        self.assertEqual(st[self.unassigned["id"]], "proposed")
        self.assertEqual(set(self.outbox()),
                         {self.meet["key"], self.dev["key"], self.support["key"]})
        # Named by id, an unassigned proposal is refused, with the reason.
        r = self.run_gleaner("accept", str(self.unassigned["id"]))
        self.assertIn(r.code, (1, 2), repr(r))
        self.assertIn("unassigned", r.err)
        self.assertEqual(self.statuses()[self.unassigned["id"]], "proposed")
        self.assertEqual(len(self.outbox()), 3)

    def test_rejecting_an_accepted_proposal_takes_its_entry_back(self):
        self.ok("accept", str(self.meet["id"]), str(self.dev["id"]))
        self.assertEqual(set(self.outbox()), {self.meet["key"], self.dev["key"]})
        self.ok("reject", str(self.meet["id"]))
        self.assertEqual(self.statuses()[self.meet["id"]], "rejected")
        self.assertEqual(set(self.outbox()), {self.dev["key"]})
        # Pushing sends the one still accepted, not the one taken back.
        r = self.ok("--json", "push")
        self.assertEqual(r.json()["created"], 1)
        refs = self.harvest_refs()
        self.assertIn(self.dev["key"], refs)
        self.assertNotIn(self.meet["key"], refs)
        self.assertEqual(refs[self.dev["key"]]["hours"], 1.5)
        # Once pushed it cannot be taken back here.
        r = self.run_gleaner("reject", str(self.dev["id"]))
        self.assertIn(r.code, (1, 2), repr(r))
        self.assertIn(self.dev["key"], self.harvest_refs())

    def test_review_from_stdin(self):
        # One more open proposal the next day, to skip, and one after it, never reached.
        self.configure(STANDUP, PLANNING, UMBRELLA,
                       event("support-18", DAY, "15:00", "15:30", "Support review"),
                       event("standup-19", "2026-11-19", "09:30", "09:45", "Daily standup"),
                       event("standup-20", "2026-11-20", "09:30", "09:45", "Daily standup"))
        week = self.propose(frm=DAY, to="2026-11-20")["proposals"]
        day19 = self.only(week, WEB, MEETINGS, "2026-11-19")
        day20 = self.only(week, WEB, MEETINGS, "2026-11-20")
        # By day, then in the order the day went: meetings (09:30), development (10:00),
        # support (15:00), the unassigned one (16:30); then the next days.
        order = [p["id"] for p in week if p["status"] == "proposed"]
        self.assertEqual(order, [self.meet["id"], self.dev["id"], self.support["id"],
                                 self.unassigned["id"], day19["id"], day20["id"]])
        answers = ("a\n"  # meetings: accept
                   "r\n"  # development: reject
                   "x\ns\n"  # support: a wrong key, then skip
                   "e\n0.75\nACME-INT\nResearch\nRoadmap with Umbrella\n"  # unassigned: edit,
                   "a\n"  # then accept the edited proposal
                   "s\n"  # 2026-11-19: skip
                   "q\n")  # 2026-11-20: quit
        r = self.run_gleaner("review", stdin=answers)
        self.assertExit(r, 0)
        self.assertRegex(r.out, r"2 accepted, 1 rejected, 2 skipped")
        after = {p["id"]: p for p in self.listing(DAY, "2026-11-20")}
        self.assertEqual(after[self.meet["id"]]["status"], "accepted")
        self.assertEqual(after[self.dev["id"]]["status"], "rejected")
        umbrella = after[self.unassigned["id"]]
        self.assertEqual((umbrella["status"], umbrella["project_id"], umbrella["task_id"],
                          umbrella["hours"], umbrella["notes"]),
                         ("accepted", INT, RESEARCH, 0.75, "Roadmap with Umbrella"))
        self.assertTrue(umbrella["edited"])
        self.assertEqual(after[self.support["id"]]["status"], "proposed")
        self.assertEqual(after[day19["id"]]["status"], "proposed")
        self.assertEqual(after[day20["id"]]["status"], "proposed")
        self.assertEqual(set(self.outbox()), {self.meet["key"], self.unassigned["key"]})
        # At the end of its input, review stops as if told to quit.
        r = self.run_gleaner("review", stdin="s\n")
        self.assertExit(r, 0)
        self.assertEqual({p["id"]: p["status"] for p in self.listing(DAY, "2026-11-20")},
                         {i: p["status"] for i, p in after.items()})

    def test_usage_errors(self):
        for args, words in [
            (["propose", "--from", "18.11.2026"], ["YYYY-MM-DD"]),
            (["propose", "--from", "2026-11-20", "--to", "2026-11-18"], ["--from 2026-11-20"]),
            (["propose", "--from", "2026-02-30"], []),
            (["gaps", "--to", "next friday"], ["YYYY-MM-DD"]),
            (["accept", str(self.meet["id"]), "--all"], ["--all"]),
            (["accept"], ["--all"]),
            (["accept", "--all", "--min-confidence", "1.5"], ["--min-confidence"]),
            (["accept", str(self.meet["id"]), "--min-confidence", "0.5"], ["--all"]),
            (["accept", "first"], ["first"]),
            (["reject", "#x"], ["#x"]),
            (["edit", str(self.meet["id"])], ["--hours"]),
            (["edit", str(self.meet["id"]), "--hours", "0"], ["--hours"]),
            (["edit", str(self.meet["id"]), "--hours", "25"], ["--hours"]),
            (["--json", "review"], ["review"]),
        ]:
            with self.subTest(args=args):
                r = self.run_gleaner(*args)
                self.assertOneLineError(r, 2, *words)
        # Nothing was decided by any of them.
        self.assertEqual({p["status"] for p in self.listing()}, {"proposed"})
        self.assertEqual(self.outbox(), {})


class AutoAcceptTest(ProposeCase):
    def test_auto_accept_takes_what_is_sure_enough(self):
        self.login_work()
        self.configure(STANDUP, PLANNING, UMBRELLA,
                       event("support-18", DAY, "15:00", "15:30", "Support review"),
                       extra="[propose]\n\tauto-accept = 0.9\n")
        props = self.propose()["proposals"]
        for p in props:
            sure = p["project_id"] is not None and p["confidence"] >= 0.9
            self.assertEqual(p["status"], "accepted" if sure else "proposed", p)
        self.assertEqual(self.only(props, WEB, MEETINGS)["status"], "accepted")
        self.assertEqual(self.only(props, WEB, DEV)["status"], "accepted")
        self.assertEqual(self.only(props, SUP, MEETINGS)["status"], "proposed")  # learned, < 0.9
        self.assertEqual(self.only(props, None, None)["status"], "proposed")
        self.assertEqual(set(self.outbox()), {self.only(props, WEB, MEETINGS)["key"],
                                              self.only(props, WEB, DEV)["key"]})
        # Again: the same, nothing queued twice.
        self.assertEqual(self.propose()["proposals"], props)
        self.assertEqual(len(self.outbox()), 2)


class LearningTest(ProposeCase):
    def test_learned_from_the_harvest_history(self):
        # No rule for these; Ada's entries say "Status report" (ACME-DATA, Project Management).
        # Nobody else is on either: what the history places counts, the rest is an errand.
        self.configure(event("status-18", DAY, "16:00", "16:30", "Status report"),
                       event("dentist-18", DAY, "12:00", "13:00", "Dentist"),
                       event("dentist-19", "2026-11-19", "12:00", "13:00", "Dentist",
                             WITH_SAM))
        props = self.propose()["proposals"]
        status = self.only(props, DATA, PM)
        self.assertEqual(status["hours"], 0.5)
        self.assertEqual(status["notes"], "Status report")
        self.assertTrue(status["reason"].startswith("learned"), status)
        self.assertIn("status", status["reason"])
        self.assertTrue(0.5 <= status["confidence"] <= 1, status)
        self.none_for(props, None, None, DAY)
        # With someone else on it, the same title is a meeting nothing places: unassigned.
        props = self.propose(frm=DAY, to="2026-11-19")["proposals"]
        dentist = self.only(props, None, None, "2026-11-19")
        self.assertEqual((dentist["notes"], dentist["confidence"]), ("Dentist", 0))
        self.assertFalse(dentist["reason"].startswith("learned"))

    def test_a_rejected_guess_is_not_proposed_again(self):
        self.configure(event("status-18", DAY, "16:00", "16:30", "Status report"))
        (status,) = self.propose()["proposals"]
        self.assertEqual((status["project_id"], status["task_id"]), (DATA, PM))
        self.ok("reject", str(status["id"]))  # the guess is unlearned
        for _ in range(2):
            props = self.propose()["proposals"]
            # The meeting stays with the rejected proposal: not back as unassigned, say.
            self.assertEqual([(p["id"], p["status"]) for p in props],
                             [(status["id"], "rejected")], json.dumps(props, indent=1))

    def test_learned_from_a_day_whose_entry_names_the_meeting_in_short(self):
        # 2026-11-04: Ada tracked "Expense reports" (ACME-INT, Admin) and a day of DATA work;
        # her calendar had "Expense reports & receipts with Kim". The note is the title
        # in short, the only one of the day's: the meeting, Kim included, is learned.
        kim = "ATTENDEE;PARTSTAT=ACCEPTED:mailto:kim@ledger.example\n"
        self.configure(event("expenses-04", "2026-11-04", "15:00", "15:30",
                             "Expense reports & receipts with Kim", kim),
                       event("close-18", DAY, "15:00", "15:30", "Quarterly close", kim),
                       event("close-19", "2026-11-19", "15:00", "15:30", "Quarterly close",
                             "ATTENDEE;PARTSTAT=ACCEPTED:mailto:lee@vendor.example\n"))
        props = self.propose(frm=DAY, to="2026-11-19")["proposals"]
        close = self.only(props, INT, ADMIN)
        self.assertTrue(close["reason"].startswith("learned"), close)
        self.assertIn("kim@ledger.example", close["reason"])
        # With someone else, nothing of it was seen before: unassigned, not guessed.
        self.only(props, None, None, "2026-11-19")

    def test_a_history_meeting_retitled_is_learned_again(self):
        kim = "ATTENDEE;PARTSTAT=ACCEPTED:mailto:kim@ledger.example\n"
        close = event("close-18", DAY, "15:00", "15:30", "Quarterly close", kim)
        # First the history day's meeting names nothing the day tracked: nothing is learned.
        self.configure(event("expenses-04", "2026-11-04", "15:00", "15:30", "Catch-up", kim),
                       close)
        self.only(self.propose()["proposals"], None, None)
        # The same meeting, retitled (as many activities as before), collected, then proposed
        # offline (the mirror unchanged): the model learns anew all the same.
        self.configure(event("expenses-04", "2026-11-04", "15:00", "15:30",
                             "Expense reports & receipts with Kim", kim), close)
        self.env["GLEANER_TEST_NOW"] = "2026-11-21T10:00:00Z"  # a little later
        self.ok("collect", "--from", "2026-11-02", "--to", DAY)
        learned = self.only(self.propose("--offline")["proposals"], INT, ADMIN)
        self.assertIn("kim@ledger.example", learned["reason"])

    def test_learned_from_an_edit(self):
        # (Not 2026-11-19: Ada's 2 h of ACME-INT Research that day would cover the proposal.)
        self.configure(event("umbrella-16", "2026-11-16", "16:30", "17:00", "Umbrella roadmap",
                             WITH_SAM),
                       event("umbrella-20", "2026-11-20", "16:30", "17:00", "Umbrella roadmap",
                             WITH_SAM))
        props = self.propose(frm="2026-11-16", to="2026-11-20")["proposals"]
        first = self.only(props, None, None, "2026-11-16")
        self.only(props, None, None, "2026-11-20")  # nothing known about Umbrella yet
        self.ok("edit", str(first["id"]), "--project", "ACME-INT", "--task", "Research")
        props = self.propose(frm="2026-11-16", to="2026-11-20")["proposals"]
        again = self.only(props, INT, RESEARCH, "2026-11-16")
        self.assertEqual(again["id"], first["id"])
        self.assertTrue(again["edited"])
        second = self.only(props, INT, RESEARCH, "2026-11-20")
        self.assertTrue(second["reason"].startswith("learned"), second)
        self.assertIn("umbrella", second["reason"].lower())
        self.assertEqual((second["status"], second["hours"]), ("proposed", 0.5))
        self.none_for(props, None, None, "2026-11-20")

    def test_a_task_known_in_one_project_is_chosen_in_another(self):
        # Budget check-ins go to Project Management on the Globex website; the Initech data
        # platform has that task too, but never tracked one. An Initech budget check-in is
        # the data platform's Project Management, not its Meetings.
        with self.fh.server.lock:
            for n, day in ((91, "2026-11-05"), (92, "2026-11-12"), (93, "2026-11-13")):
                e = self.fh._new_entry(2401234500 + n, day, ME, WEB, PM, 1.0, "Budget check-in",
                                       None, f"{day}T17:00:00Z")
                self.fh.state["time_entries"][e["id"]] = e
        self.configure(event("budget-18", DAY, "11:00", "11:30",
                             "Initech data platform: budget check-in"),
                       rules="")  # no rule: the classifier decides
        props = self.propose()["proposals"]
        p = self.only(props, DATA, PM)
        self.assertTrue(p["reason"].startswith("learned"), p)
        self.none_for(props, DATA, MEETINGS)
        self.none_for(props, WEB, PM)

    def track_days_by_hand(self, long_day: tuple, short_day: tuple,
                           hours_tracked: tuple = (2.0, 1.5)) -> None:
        """Ten October days tracked by hand (by default to the half hour), alternating a long
        day and a short one, each with the commits at the times given."""
        days = [f"2026-10-{d}" for d in (12, 13, 14, 15, 16, 19, 20, 21, 22, 23)]
        with self.fh.server.lock:
            for n, day in enumerate(days):
                hours, times = ((hours_tracked[0], long_day) if n % 2 == 0 else
                                (hours_tracked[1], short_day))
                for hhmm in times:
                    commit(self.repo, f"Work of {day} {hhmm}", day, hhmm)
                e = self.fh._new_entry(2401234600 + n, day, ME, WEB, DEV, hours, "Site work",
                                       None, f"{day}T17:00:00Z")
                self.fh.state["time_entries"][e["id"]] = e
        commit(self.repo, "Search page", DAY, "10:00")
        commit(self.repo, "Search results", DAY, "10:40")
        self.configure()

    def test_session_lengths_are_fitted_to_the_days_tracked_by_hand(self):
        # 2.0 h for 50 min between first and last commit, 1.5 h for 30: what Ada did lies in
        # (1.5, 2.0] and (1.0, 1.5] h, so before a first commit and after a last one she
        # works over 40 min together. The usual 20 + 5 min miss a quarter of an hour every
        # other day; 40 + 5 is the nearest that fits.
        self.track_days_by_hand(("10:00", "10:25", "10:50"), ("10:00", "10:15", "10:30"))
        r = self.run_gleaner("-v", "--json", "propose", "--from", DAY, "--to", DAY)
        self.assertExit(r, 0)
        self.assertIn("start 40 min before their first commit and end 5 min after their last",
                      r.err)
        self.assertIn("as 10 of your days tracked by hand show, each rounded up to 0.5 h", r.err)
        # 09:20 to 10:45: 85 min, 1.5 h.
        self.assertEqual(self.only(r.json()["proposals"], WEB, DEV)["hours"], 1.5)

    def test_a_timer_s_minutes_are_taken_as_they_are(self):
        # 1.58 h (95 min) for 50 min of commits and 1.17 h (70 min) for 25: not rounded, so
        # each entry is the time itself, 45 min more than the commits span.
        self.track_days_by_hand(("10:00", "10:25", "10:50"), ("10:00", "10:12", "10:25"),
                                hours_tracked=(1.58, 1.17))
        r = self.run_gleaner("-v", "--json", "propose", "--from", DAY, "--to", DAY)
        self.assertExit(r, 0)
        self.assertIn("start 40 min before their first commit and end 5 min after their last",
                      r.err)
        self.assertIn("as 10 of your days tracked by hand show\n", r.err)  # no rounding read

    def test_days_that_fit_the_usual_habits_keep_them(self):
        # 2.0 h for 85 min of commits, 1.5 h for 55: the usual 20 min before a first commit
        # and 5 after a last one fit both (110 and 80 min), so a shorter lead-in that fits as
        # well is noise, not a habit, and is not taken.
        self.track_days_by_hand(("10:00", "10:43", "11:25"), ("10:00", "10:30", "10:55"))
        r = self.run_gleaner("-v", "--json", "propose", "--from", DAY, "--to", DAY)
        self.assertExit(r, 0)
        self.assertIn("start 20 min before their first commit and end 5 min after their last, "
                      "the usual habits, which 10 of your days tracked by hand do not argue "
                      "against, each rounded up to 0.5 h", r.err)
        # 09:40 to 10:45: 65 min, 1.25 h.
        self.assertEqual(self.only(r.json()["proposals"], WEB, DEV)["hours"], 1.25)


class GapsTest(ProposeCase):
    def setUp(self):
        super().setUp()
        with self.fh.server.lock:
            self.fh.state["users"][ME]["weekly_capacity"] = 30 * 3600  # 6 h a workday
        self.holidays = self.write("holidays.ics", calendar(
            all_day("repentance", "2026-11-18", "Day of Repentance"),
            event("half-19", "2026-11-19", "13:15", "17:30", "Half-day holiday")), 0o644)
        self.configure(
            all_day("vacation-17", "2026-11-17", "Vacation"),
            event("standup-20", "2026-11-20", "09:30", "09:45", "Daily standup"),
            event("planning-20", "2026-11-20", "14:00", "15:00", "Sprint planning"),
            event("umbrella-20", "2026-11-20", "16:30", "17:00", "Umbrella roadmap", WITH_SAM),
            extra=f'[calendar "holidays"]\n\tics = {self.holidays}\n\tholidays = true\n')

    def test_expected_tracked_accepted_gap(self):
        props = self.propose(frm="2026-11-16", to="2026-11-22")["proposals"]
        # Time off is not work: the holiday calendar's afternoon is not proposed.
        self.assertEqual([(p["date"], p["project_id"], p["hours"]) for p in props],
                         [("2026-11-20", WEB, 1.25), ("2026-11-20", None, 0.5)])
        self.ok("accept", str(self.only(props, WEB, MEETINGS, "2026-11-20")["id"]))
        r = self.run_gleaner("--json", "gaps", "--from", "2026-11-16", "--to", "2026-11-22")
        self.assertExit(r, 0)
        days = {d["date"]: d for d in r.json()["days"]}
        self.assertEqual(sorted(days), [f"2026-11-{d}" for d in range(16, 23)])

        def row(day):
            d = days[day]
            return (d["expected_hours"], d["tracked_hours"], d["proposed_hours"], d["gap_hours"])

        # 30 h over five workdays is 6 h a day; the gap is expected - tracked - accepted.
        self.assertEqual(row("2026-11-16"), (6.0, 5.5, 0.0, 0.5))
        # Vacation all day: nothing expected, and more tracked than expected is no gap.
        self.assertEqual(row("2026-11-17"), (0.0, 6.0, 0.0, 0.0))
        # A holiday from the holidays calendar.
        self.assertEqual(row("2026-11-18"), (0.0, 0.5, 0.0, 0.0))
        # 13:15-17:30 off is 4.25 of the 8.5 work hours: half of the 6 h.
        self.assertEqual(row("2026-11-19"), (3.0, 2.0, 0.0, 1.0))
        # 1.25 h accepted, 0.5 h still proposed: 6 - 1.5 - 1.25.
        self.assertEqual(row("2026-11-20"), (6.0, 1.5, 0.5, 3.25))
        self.assertEqual(days["2026-11-20"]["accepted_hours"], 1.25)
        for weekend in ("2026-11-21", "2026-11-22"):
            self.assertEqual(row(weekend), (0.0, 0.0, 0.0, 0.0))
        doc = r.json()
        self.assertEqual(doc["weekly_hours"], 30.0)
        self.assertEqual((doc["expected_hours"], doc["tracked_hours"], doc["gap_hours"]),
                         (15.0, 15.5, 4.75))
        # The plain listing says the same.
        r = self.ok("gaps", "--from", "2026-11-16", "--to", "2026-11-22")
        self.assertRegex(r.out, r"2026-11-20\s+6\.00\s+1\.50\s+1\.25\s+0\.50\s+3\.25")

    def uncovered(self, day="2026-11-16"):
        """The stretches of `day`'s work hours gleaner gaps finds uncovered, as UTC hh:mm."""
        r = self.run_gleaner("--json", "gaps", "--from", day, "--to", day)
        self.assertExit(r, 0)
        return [(u["start"][11:16], u["end"][11:16]) for u in r.json()["days"][0]["uncovered"]]

    def test_gaps_sees_the_sessions_propose_used(self):
        commit(self.repo, "Start the search page", "2026-11-16", "10:00")
        commit(self.repo, "Search results", "2026-11-16", "10:30")
        self.ok("collect")

        # The defaults: from 30 min before the first commit to the last.
        self.assertEqual(self.uncovered(), [("08:00", "08:30"), ("09:30", "16:30")])
        # Session lengths propose fitted to the days tracked by hand (as it keeps them):
        # 10 min before the first commit, 10 after the last.
        db = self.db()
        db.execute("INSERT INTO sync_state (source, key, value, updated_at) VALUES "
                   "('propose', 'sessions', ?, 0)", (json.dumps(
                       {"max_gap": 7200, "switch_gap": 0, "lead_in": 600, "lead_out": 600}),))
        db.commit()
        self.assertEqual(self.uncovered(), [("08:00", "08:50"), ("09:40", "16:30")])
        # A lead-in set in the config is the user's: it stands.
        self.write_config(f'[calendar "work"]\n\tics = {self.ics}\n[repo "acme-web"]\n\tpath = '
                          f'{self.repo}\n' + self.rules + self.extra + "[git]\n\tlead-in = 45m\n")
        self.assertEqual(self.uncovered(), [("08:00", "08:15"), ("09:30", "16:30")])

    def test_a_pause_at_lunch_ends_a_session_when_configured(self):
        for msg, hhmm in (("Search page", "10:00"), ("Search results", "11:50"),
                          ("Search filters", "13:05")):
            commit(self.repo, msg, "2026-11-16", hhmm)
        self.ok("collect")

        # Off by default: 11:50 to 13:05 Berlin is inside git.max-gap, one sitting.
        self.assertEqual(self.uncovered(), [("08:00", "08:30"), ("12:05", "16:30")])
        # git.lunch-break = 40m: a longer pause at midday ends it; the next starts with its
        # lead-in (12:35 Berlin, 11:35 UTC).  The 110 min before noon is no lunch.
        self.write_config(f'[calendar "work"]\n\tics = {self.ics}\n[repo "acme-web"]\n\tpath = '
                          f'{self.repo}\n' + self.rules + self.extra + "[git]\n\tlunch-break = 40m\n")
        self.assertEqual(self.uncovered(), [("08:00", "08:30"), ("10:50", "11:35"), ("12:05", "16:30")])

    def test_a_day_of_many_commits_is_covered_to_its_last(self):
        # A script's morning: a commit every minute from 09:00 to 14:00, 301 in all.
        stream = []
        for i in range(301):
            at = int(datetime(2026, 11, 16, 8, 0, tzinfo=timezone.utc).timestamp()) + 60 * i
            msg = f"Step {i}"
            stream.append(f"commit refs/heads/main\nauthor Ada <ada@example.com> {at} +0100\n"
                          f"committer Ada <ada@example.com> {at} +0100\n"
                          f"data {len(msg)}\n{msg}\n"
                          + ("from refs/heads/main^0\n" if i == 0 else "")
                          + f"M 644 inline step.txt\ndata {len(msg)}\n{msg}\n")
        subprocess.run(["git", "-C", str(self.repo), "fast-import", "--quiet"],
                       input="".join(stream), text=True, check=True)
        self.ok("collect")
        r = self.run_gleaner("--json", "gaps", "--from", "2026-11-16", "--to", "2026-11-16")
        self.assertExit(r, 0)
        (day,) = r.json()["days"]
        # Covered from the start of work hours to the last commit; the rest of the day is not.
        self.assertEqual(day["uncovered"], [{"start": "2026-11-16T13:00:00Z",
                                             "end": "2026-11-16T16:30:00Z"}])


if __name__ == "__main__":
    main()
