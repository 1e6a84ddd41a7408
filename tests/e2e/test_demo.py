#!/usr/bin/env python3
"""gleaner demo: a believable week from the sample data built into the
binary, offline, touching nothing of the user's."""
import json
import os

from harness import GleanerTestCase, main


class DemoTest(GleanerTestCase):
    def demo_json(self, *args):
        r = self.run_gleaner("--json", "demo", *args)
        self.assertExit(r, 0)
        return r.json()

    def test_a_week_of_proposals_and_gaps(self):
        doc = self.demo_json()
        props = doc["proposals"]
        days = {p["date"] for p in props}
        self.assertEqual(days, {"2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19",
                                "2026-11-20"})
        by = {}
        for p in props:
            by.setdefault((p["date"], p["project"], p["task"]), []).append(p)
        # One proposal per day, project and task.
        self.assertTrue(all(len(v) == 1 for v in by.values()), by)
        # The rule maps the standup; the rest is learned from the Harvest history.
        standup = by[("2026-11-16", "Globex Website Relaunch", "Meetings")][0]
        self.assertEqual(standup["reason"], "rule standups (1 meeting)")
        self.assertEqual(standup["hours"], 0.25)
        sync = by[("2026-11-16", "Initech Data Platform", "Meetings")][0]
        self.assertEqual((sync["notes"], sync["hours"]), ("Initech weekly sync", 1.0))
        self.assertTrue(sync["reason"].startswith("learned"), sync["reason"])
        code = by[("2026-11-16", "Globex Website Relaunch", "Development")][0]
        self.assertIn("globex-web: sticky nav on mobile", code["notes"])
        self.assertIn("(GLX-90)", code["notes"])
        self.assertTrue(all(s["kind"] == "commit" for s in code["sources"]))
        # The meeting organised in New York lands at 14:00 in Berlin.
        workshop = by[("2026-11-20", "Initech Data Platform", "Meetings")][0]
        self.assertEqual(workshop["sources"][0]["start"], "2026-11-20T13:00:00Z")
        self.assertEqual(workshop["hours"], 1.5)
        # Nothing from the traps or from the colleague.
        notes = " ".join(p["notes"] for p in props)
        for absent in ("CloudCo", "retro", "Lunch", "launch week", "eslint", "browserslist"):
            self.assertNotIn(absent, notes)
        # Friday's hand-tracked morning is subtracted: only the rest is proposed.
        fri = by[("2026-11-20", "Globex Website Relaunch", "Development")][0]
        self.assertEqual(fri["hours"], 0.75)
        gaps = {d["date"]: d for d in doc["gaps"]["days"]}
        self.assertEqual(gaps["2026-11-20"]["tracked_hours"], 1.5)
        self.assertEqual(gaps["2026-11-16"]["expected_hours"], 8.0)
        self.assertEqual(gaps["2026-11-21"]["expected_hours"], 0.0)
        self.assertGreater(gaps["2026-11-16"]["proposed_hours"], 5)

    def test_text_is_a_readable_week_in_80_columns(self):
        r = self.run_gleaner("demo")
        self.assertExit(r, 0)
        self.assertIn("Mon 2026-11-16", r.out)
        self.assertIn("Globex Website Relaunch / Development", r.out)
        self.assertIn("What is still missing", r.out)
        for line in r.out.splitlines():
            self.assertLessEqual(len(line), 80, line)

    def test_it_is_the_same_every_time(self):
        strip = lambda doc: [(p["date"], p["project_id"], p["task_id"], p["hours"], p["notes"])
                             for p in doc["proposals"]]
        self.assertEqual(strip(self.demo_json()), strip(self.demo_json()))

    def test_it_ignores_your_config_and_leaves_nothing_behind(self):
        self.write(".config/gleaner/config", "[user]\n\tbogus = 1\n")  # broken on purpose
        tmp = self.home / "tmp"
        tmp.mkdir()
        r = self.run_gleaner("demo", env={"TMPDIR": str(tmp)})
        self.assertExit(r, 0)
        self.assertEqual(list(tmp.iterdir()), [])  # the scratch directory is gone
        self.assertFalse((self.home / ".local" / "share" / "gleaner").exists())

    def test_keep_leaves_a_store_to_explore(self):
        kept = self.home / "demo"
        doc = self.demo_json("--keep", str(kept))
        self.assertEqual(doc["dir"], str(kept))
        for name in ("config", "calendar.ics", "gleaner.db", "globex-web", "initech-etl"):
            self.assertTrue((kept / name).exists(), name)
        r = self.run_gleaner("--config", str(kept / "config"), "--db", str(kept / "gleaner.db"),
                             "--json", "propose", "--list", "--from", "2026-11-16",
                             "--to", "2026-11-22")
        self.assertExit(r, 0)
        self.assertEqual(len(r.json()["proposals"]), len(doc["proposals"]))
        again = self.run_gleaner("demo", "--keep", str(kept))
        self.assertOneLineError(again, 2, "exists already")


if __name__ == "__main__":
    main()
