#!/usr/bin/env python3
"""gleaner sync harvest: the mirror fills, follows changes through
updated_since, notices deletions in its window, and writes nothing on failure."""
from datetime import datetime, timezone

from harness import main
from harvest_case import HarvestCase

ME = 1782959
WEB, DEV = 14307913, 8083365


class SyncTest(HarvestCase):
    def sync(self, *args):
        r = self.run_gleaner("--json", "sync", "harvest", *args)
        self.assertExit(r, 0)
        return r.json()

    def my_entries(self):
        return {i for (i,) in self.db().execute(
            "SELECT id FROM harvest_time_entries WHERE user_id = ?", (ME,))}

    def test_first_sync_fills_the_mirror(self):
        doc = self.sync()
        self.assertTrue(doc["first"])
        t = doc["tables"]
        self.assertEqual(t["projects"]["added"], 5)
        self.assertEqual(t["clients"]["added"], 3)
        self.assertEqual(t["tasks"]["added"], 6)
        self.assertEqual(t["task_assignments"]["added"], 17)
        mine = {e["id"] for e in self.fh.state["time_entries"].values() if e["user"]["id"] == ME}
        self.assertEqual(self.my_entries(), mine)
        db = self.db()
        self.assertEqual(db.execute("SELECT id FROM harvest_users WHERE is_me").fetchall(), [(ME,)])
        code, budget_by = db.execute("SELECT code, budget_by FROM harvest_projects WHERE id = ?",
                                     (WEB,)).fetchone()
        self.assertEqual((code, budget_by), ("ACME-WEB", "project"))
        # The first sync reads a year back from today (2026-11-21 in Berlin).
        self.assertEqual(doc["window"]["from"], "2025-11-21")

    def test_changes_arrive_and_deletions_disappear(self):
        self.sync()
        added = self.fh.add_time_entry(project_id=WEB, task_id=DEV, spent_date="2026-11-19",
                                       hours=2.0, notes="pairing")
        self.fh.update_time_entry(2401234520, notes="edited in the web UI")
        self.fh.delete_time_entry(2401234521)
        doc = self.sync()
        self.assertFalse(doc["first"])
        t = doc["tables"]["time_entries"]
        self.assertEqual((t["added"], t["changed"], t["deleted"]), (1, 1, 1))
        entries = self.my_entries()
        self.assertIn(added["id"], entries)
        self.assertNotIn(2401234521, entries)
        notes = self.db().execute("SELECT notes FROM harvest_time_entries WHERE id = 2401234520"
                                  ).fetchone()[0]
        self.assertEqual(notes, "edited in the web UI")
        # Later syncs ask only for what changed, plus the re-listed window.
        since = [r for r in self.api_requests("GET", r"/v2/time_entries")
                 if "updated_since" in r["query"]]
        self.assertTrue(since)
        self.assertRegex(since[-1]["query"]["updated_since"][0], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

    def test_an_entry_edited_outside_the_window_still_arrives(self):
        self.sync()
        self.fh.update_time_entry(2401234526, notes="late edit")
        doc = self.sync("--from", "2026-11-20", "--to", "2026-11-20")
        self.assertGreaterEqual(doc["tables"]["time_entries"]["changed"], 1)

    def test_a_back_dated_entry_arrives_even_on_a_new_account(self):
        for eid in [e["id"] for e in self.fh.state["time_entries"].values()
                    if e["user"]["id"] == ME]:
            self.fh.delete_time_entry(eid)
        self.fh.set_now(datetime(2026, 11, 21, 8, 0, tzinfo=timezone.utc))
        self.assertEqual(self.sync()["tables"]["time_entries"]["seen"], 0)
        # Typed in later for a day long before the re-listed window.
        self.fh.set_now(datetime(2026, 11, 21, 9, 30, tzinfo=timezone.utc))
        old = self.fh.add_time_entry(project_id=WEB, task_id=DEV, spent_date="2026-09-01",
                                     hours=3.0)
        doc = self.sync()
        self.assertEqual(doc["tables"]["time_entries"]["added"], 1)
        self.assertIn(old["id"], self.my_entries())

    def test_a_first_sync_limited_by_from_leaves_the_history_for_the_next(self):
        doc = self.sync("--from", "2026-11-16", "--to", "2026-11-20")
        self.assertTrue(doc["first"])
        doc = self.sync()
        self.assertTrue(doc["first"])
        self.assertEqual(doc["window"]["from"], "2025-11-21")
        self.assertFalse(self.sync()["first"])

    def test_days_may_be_today_and_yesterday_in_the_users_zone(self):
        self.env["GLEANER_TEST_NOW"] = "2026-11-21T23:30:00Z"  # already the 22nd in Berlin
        doc = self.sync("--from", "yesterday", "--to", "today")
        self.assertEqual(doc["window"], {"from": "2026-11-21", "to": "2026-11-22"})

    def test_dry_run_writes_nothing(self):
        doc = self.sync("--dry-run")
        self.assertTrue(doc["dry_run"])
        self.assertEqual(doc["tables"]["projects"]["added"], 5)
        self.assertEqual(self.db().execute("SELECT count(*) FROM harvest_projects").fetchone()[0], 0)

    def test_a_failure_half_way_changes_nothing(self):
        self.sync()
        before = self.my_entries()
        self.fh.delete_time_entry(2401234520)
        self.fh.server.fault("status", count=10, status=500, path=r"/v2/time_entries")
        r = self.run_gleaner("sync", "harvest")
        self.assertOneLineError(r, 1, "Harvest failed", "500")
        self.assertEqual(self.my_entries(), before)

    def test_a_member_is_mirrored_from_their_assignments(self):
        self.fh.server.static("GET", r"/v2/projects", status=403,
                              json={"message": "You do not have permission"})
        doc = self.sync()
        self.assertTrue(doc["member_view"])
        db = self.db()
        self.assertGreaterEqual(db.execute("SELECT count(*) FROM harvest_projects").fetchone()[0], 4)
        self.assertGreater(db.execute(
            "SELECT count(*) FROM harvest_task_assignments WHERE project_id = ?", (WEB,)
        ).fetchone()[0], 0)

    def test_other_systems_are_not_available_yet(self):
        r = self.run_gleaner("sync", "jira")
        self.assertOneLineError(r, 1, "not available in this version")
        r = self.run_gleaner("sync", "harvest", "--from", "last week")
        self.assertExit(r, 2)

    def test_text_output(self):
        r = self.run_gleaner("sync", "harvest")
        self.assertExit(r, 0)
        self.assertIn("Updated the Harvest mirror", r.out)
        self.assertRegex(r.out, r"projects +5 \(5 new")


if __name__ == "__main__":
    main()
