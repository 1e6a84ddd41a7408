#!/usr/bin/env python3
"""The command line: help that teaches, version, exit codes, commands that
are not available yet, and global options anywhere."""
from harness import GleanerTestCase, main


class CliTest(GleanerTestCase):
    def test_help_lists_commands_and_exit_codes(self):
        r = self.run_gleaner("--help")
        self.assertExit(r, 0)
        for word in ("usage: gleaner", "init", "doctor", "collect", "propose", "push",
                     "Exit status: 0 success, 1 failure at run time, 2 usage or config error",
                     "GLEANER_TRACE"):
            self.assertIn(word, r.out)
        self.assertEqual(self.run_gleaner("help").out, r.out)

    def test_no_command_is_a_usage_error(self):
        r = self.run_gleaner()
        self.assertExit(r, 2)
        self.assertIn("usage: gleaner", r.err)

    def test_command_help_comes_from_its_option_table(self):
        r = self.run_gleaner("init", "--help")
        self.assertExit(r, 0)
        self.assertIn("usage: gleaner init", r.out)
        self.assertIn("--timezone ZONE", r.out)
        self.assertIn("--config FILE", r.out)  # global options are listed too
        self.assertEqual(self.run_gleaner("help", "init").out, r.out)
        self.assertEqual(self.run_gleaner("--help", "init").out, r.out)

    def test_version(self):
        r = self.run_gleaner("--version")
        self.assertExit(r, 0)
        self.assertRegex(r.out, r"^gleaner \d+\.\d+\.\d+\n$")
        doc = self.run_gleaner("--json", "--version").json()
        self.assertIn("libcurl", doc)
        self.assertEqual(doc["store_schema"], 2)

    def test_unknown_command_suggests_the_closest(self):
        r = self.run_gleaner("docter")
        self.assertOneLineError(r, 2, "'docter' is not a command", "did you mean 'doctor'")

    def test_unknown_option_is_a_usage_error(self):
        self.assertOneLineError(self.run_gleaner("doctor", "--frobnicate"), 2,
                                "unknown option --frobnicate", "gleaner doctor --help")
        self.assertOneLineError(self.run_gleaner("init", "--timezone"), 2, "needs a value")
        self.assertOneLineError(self.run_gleaner("doctor", "extra"), 2, "unexpected argument")

    def test_commands_of_later_versions_say_so_and_fail(self):
        for cmd in (["sync", "xero"], ["sync", "jira"], ["sync", "quickbooks"]):
            r = self.run_gleaner(*cmd)
            self.assertOneLineError(r, 1, "not available in this version")
            self.assertEqual(r.out, "")
        # Help says which parts are not there yet.
        r = self.run_gleaner("sync", "--help")
        self.assertExit(r, 0)
        self.assertIn("jira, xero and quickbooks are not available in this version", r.out)

    def test_global_options_work_after_the_command(self):
        # A fixed clock: doctor names the local time, which must not tick between the two runs.
        self.env["GLEANER_TEST_NOW"] = "2026-11-21T09:00:00Z"
        self.run_gleaner("init")
        a = self.run_gleaner("--json", "doctor")
        b = self.run_gleaner("doctor", "--json")
        self.assertExit(a, 0)
        self.assertEqual(a.json()["checks"], b.json()["checks"])

    def test_bad_test_clock_is_refused(self):
        r = self.run_gleaner("doctor", env={"GLEANER_TEST_NOW": "soon"})
        self.assertOneLineError(r, 2, "GLEANER_TEST_NOW")


if __name__ == "__main__":
    main()
