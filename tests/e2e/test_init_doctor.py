#!/usr/bin/env python3
"""gleaner init && gleaner doctor on a fresh home, and what doctor finds."""
import sqlite3
import subprocess

from harness import GleanerTestCase, main


class InitDoctorTest(GleanerTestCase):
    def test_init_then_doctor_on_a_fresh_home(self):
        r = self.run_gleaner("init", "--email", "ada@example.com", "--timezone", "Europe/Berlin")
        self.assertExit(r, 0)
        self.assertIn(f"wrote {self.config_path}", r.out)
        self.assertEqual(self.config_path.stat().st_mode & 0o777, 0o600)
        self.assertTrue(self.db_path.exists())
        text = self.config_path.read_text()
        self.assertIn("\temail = ada@example.com", text)
        self.assertIn("\ttimezone = Europe/Berlin", text)
        d = self.run_gleaner("doctor")
        self.assertExit(d, 0)
        self.assertRegex(d.out, r"ok +config +" + str(self.config_path))
        self.assertRegex(d.out, r"ok +timezone +Europe/Berlin")
        self.assertRegex(d.out, r"ok +store +.*schema 2, wal")
        self.assertIn("0 failed", d.out)
        doc = self.run_gleaner("--json", "doctor").json()
        self.assertTrue(doc["ok"])
        self.assertEqual({c["check"] for c in doc["checks"]},
                         {"config", "timezone", "identity", "store", "repo", "calendar", "harvest"})

    def test_init_takes_the_git_identity_and_never_overwrites(self):
        subprocess.run(["git", "config", "--global", "user.email", "grace@example.org"],
                       env=self.env, check=True)
        self.assertExit(self.run_gleaner("init"), 0)
        self.assertIn("\temail = grace@example.org", self.config_path.read_text())
        self.config_path.write_text("[user]\n\ttimezone = UTC\n")
        r = self.run_gleaner("init")
        self.assertOneLineError(r, 1, "already exists", "never overwrites")
        self.assertEqual(self.config_path.read_text(), "[user]\n\ttimezone = UTC\n")

    def test_init_that_fails_halfway_can_be_run_again(self):
        # The store's directory cannot be created: a file is in the way.
        blocker = self.write(".local/share/gleaner", "not a directory\n")
        r = self.run_gleaner("init", "--timezone", "UTC")
        self.assertOneLineError(r, 1, "gleaner")
        self.assertFalse(self.config_path.exists())  # nothing half-written
        blocker.unlink()
        r = self.run_gleaner("init", "--timezone", "UTC")
        self.assertExit(r, 0)
        self.assertTrue(self.config_path.exists())
        self.assertTrue(self.db_path.exists())

    def test_init_rejects_bad_input(self):
        self.assertOneLineError(self.run_gleaner("init", "--timezone", "Mars/Base"), 2,
                                "not a known time zone")
        for bad in ("nobody", "a@", "ada@example.com;x", "a b@example.com"):
            self.assertOneLineError(self.run_gleaner("init", "--email", bad), 2,
                                    "not an email address")
        self.assertFalse(self.config_path.exists())

    def test_init_honours_config_and_db_options(self):
        cfg, db = self.home / "elsewhere" / "g.conf", self.home / "data" / "g.db"
        r = self.run_gleaner("--config", str(cfg), "--db", str(db), "init", "--timezone", "UTC")
        self.assertExit(r, 0)
        self.assertTrue(cfg.exists())
        self.assertTrue(db.exists())
        self.assertFalse(self.config_path.exists())

    def test_doctor_reports_each_problem_with_a_fix(self):
        repo = self.home / "src" / "acme-web"
        subprocess.run(["git", "init", "-q", str(repo)], check=True, env=self.env)
        self.write("cal/work.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
        self.write("cal/notes.txt", "just some notes\n")
        self.write(".config/gleaner/harvest.token", "1234567.pt.abcdef\n", 0o640)
        self.write(".config/gleaner/config",
                   "[user]\n\temail = ada@example.com\n\ttimezone = America/New_York\n"
                   "[harvest]\n\taccount-id = 42\n"
                   "\ttoken-file = ~/.config/gleaner/harvest.token\n"
                   "[notify]\n\tslack-webhook-file = ~/.config/gleaner/slack.url\n"
                   "[repo \"acme-web\"]\n\tpath = ~/src/acme-web\n"
                   "[repo \"gone\"]\n\tpath = ~/src/gone\n"
                   "[calendar \"work\"]\n\tics = ~/cal/work.ics\n"
                   "[calendar \"notes\"]\n\tics = ~/cal/notes.txt\n"
                   "[calendar \"team\"]\n\tics = https://calendar.example.com/team.ics\n")
        r = self.run_gleaner("doctor")
        # A secret readable by the group is a configuration error: exit 2.
        self.assertExit(r, 2)
        lines = r.out.splitlines()

        def line(*words):
            found = [l for l in lines if all(w in l for w in words)]
            self.assertEqual(len(found), 1, f"{words} in:\n{r.out}")
            return found[0]

        self.assertTrue(line("harvest.token-file", "mode 0640").startswith("FAIL"))
        self.assertIn("chmod 600", line("harvest.token-file"))
        self.assertTrue(line("slack.url", "does not exist").startswith("FAIL"))
        self.assertIn(f"cat > {self.home}/.config/gleaner/slack.url", line("slack.url"))
        self.assertTrue(line("repo", "acme-web").startswith("warn"))  # no commits yet
        self.assertIn("fix the path", line("repo", "gone", "does not exist"))
        self.assertTrue(line("calendar", "work.ics").startswith("ok"))
        self.assertTrue(line("notes.txt", "does not look like an iCalendar file").startswith("FAIL"))
        self.assertTrue(line("calendar", "team.ics", "not fetched").startswith("ok"))
        self.assertTrue(line("timezone", "America/New_York").startswith("ok"))
        self.assertTrue(line("store", "does not exist yet").startswith("warn"))
        self.assertNotIn("abcdef", r.out + r.err)
        # doctor never created the store.
        self.assertFalse(self.db_path.exists())
        (self.home / ".config/gleaner/harvest.token").chmod(0o600)
        self.write(".config/gleaner/slack.url", "https://hooks.slack.com/services/T/B/X\n")
        r = self.run_gleaner("doctor")
        self.assertExit(r, 1)  # the missing repo and the text file still fail
        self.assertIn("2 failed", r.out)

    def test_doctor_refuses_a_store_from_a_newer_gleaner(self):
        self.assertExit(self.run_gleaner("init", "--timezone", "UTC"), 0)
        db = sqlite3.connect(self.db_path)
        db.execute("PRAGMA user_version = 7")
        db.commit()
        db.close()
        before = self.db_path.read_bytes()
        r = self.run_gleaner("doctor")
        self.assertExit(r, 1)
        self.assertRegex(r.out, r"FAIL +store +.*newer gleaner \(schema 7")
        self.assertEqual(self.db_path.read_bytes(), before)

    def test_doctor_looks_but_never_migrates(self):
        self.db_path.parent.mkdir(parents=True)
        self.db_path.write_bytes(b"")
        r = self.run_gleaner("doctor")
        self.assertRegex(r.out, r"ok +store +.*schema 0; upgraded to 2 on next use")
        self.assertEqual(self.db_path.stat().st_size, 0)
        # init on an existing config leaves it, but the next command migrates the store.
        self.assertExit(self.run_gleaner("init", "--timezone", "UTC"), 0)
        self.assertRegex(self.run_gleaner("doctor").out, r"ok +store +.*schema 2, wal")

    def test_doctor_uses_the_injected_clock(self):
        self.write(".config/gleaner/config", "[user]\n\ttimezone = Europe/Berlin\n")
        # 01:30 UTC on the morning Berlin moves to summer time is 03:30 local.
        r = self.run_gleaner("doctor", env={"GLEANER_TEST_NOW": "2026-03-29T01:30:00Z"})
        self.assertIn("Europe/Berlin (local time 2026-03-29 03:30, UTC+2:00)", r.out)
        r = self.run_gleaner("doctor", env={"GLEANER_TEST_NOW": "2026-03-29T00:59:00Z"})
        self.assertIn("(local time 2026-03-29 01:59, UTC+1:00)", r.out)

    def test_doctor_reports_a_broken_config(self):
        self.write(".config/gleaner/config", "[user]\n\ttimezone = Nowhere/City\n")
        r = self.run_gleaner("doctor")
        self.assertExit(r, 2)
        self.assertRegex(r.out, r"FAIL +config +.*not a known time zone")


if __name__ == "__main__":
    main()
