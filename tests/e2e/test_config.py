#!/usr/bin/env python3
"""Configuration errors: each is one line on stderr and exit status 2."""
from harness import GleanerTestCase, main


class ConfigErrorTest(GleanerTestCase):
    def check(self, text, *words, code=2):
        self.write(".config/gleaner/config", text)
        r = self.run_gleaner("config")
        self.assertOneLineError(r, code, *words)
        self.assertIn(str(self.config_path), r.err)

    def test_bad_syntax(self):
        self.check("[user]\n\temail = ada@example.com\n[harvest\n", "syntax error", "line 3")

    def test_unknown_key(self):
        self.check("[harvest]\n\taccount = 123\n", "unknown key harvest.account",
                   "did you mean harvest.account-id")

    def test_secret_in_the_config(self):
        self.check("[harvest]\n\ttoken = 1234567.pt.abcdefabcdef\n", "secrets never go in")

    def test_bad_time_zone(self):
        self.check("[user]\n\ttimezone = Europe/Berln\n", "not a known time zone")

    def test_readable_token_file(self):
        token = self.write(".config/gleaner/harvest.token", "1234567.pt.abcdef\n", 0o644)
        self.write(".config/gleaner/config",
                   "[harvest]\n\taccount-id = 1\n\ttoken-file = ~/.config/gleaner/harvest.token\n")
        r = self.run_gleaner("config")
        self.assertOneLineError(r, 2, str(token), "mode 0644", f"chmod 600 {token}")
        self.assertNotIn("abcdef", r.err)
        token.chmod(0o600)
        self.assertExit(self.run_gleaner("config"), 0)

    def test_named_config_that_does_not_exist(self):
        r = self.run_gleaner("--config", str(self.home / "nope"), "config")
        self.assertOneLineError(r, 2, "does not exist", "gleaner init")
        r = self.run_gleaner("config", env={"GLEANER_CONFIG": str(self.home / "nope")})
        self.assertOneLineError(r, 2, "does not exist")

    def test_plain_http_to_a_remote_host(self):
        self.check("[harvest]\n\tbase-url = http://api.harvestapp.com/v2\n", "plain http://")


class ConfigValuesTest(GleanerTestCase):
    def test_values_defaults_and_tilde(self):
        self.write(".config/gleaner/config",
                   "[user]\n\temail = ada@example.com\n\temail = ada@work.example\n"
                   "[repo \"acme-web\"]\n\tpath = ~/src/acme-web\n")
        r = self.run_gleaner("config")
        self.assertExit(r, 0)
        self.assertIn("user.email = ada@work.example", r.out)
        self.assertIn(f"repo.acme-web.path = {self.home}/src/acme-web", r.out)
        self.assertNotIn("harvest.base-url", r.out)
        self.assertIn("harvest.base-url = https://api.harvestapp.com/v2    ; default",
                      self.run_gleaner("config", "--defaults").out)
        self.assertEqual(self.run_gleaner("config", "user.email").out,
                         "ada@example.com\nada@work.example\n")
        self.assertEqual(self.run_gleaner("config", "git.max-gap").out, "120m\n")
        doc = self.run_gleaner("--json", "config").json()
        self.assertEqual(doc["values"]["user.email"], ["ada@example.com", "ada@work.example"])
        self.assertOneLineError(self.run_gleaner("config", "harvest.account-id"), 1, "not set")
        self.assertOneLineError(self.run_gleaner("config", "harvest.nope"), 2,
                                "not a configuration key")

    def test_missing_default_config_means_defaults(self):
        r = self.run_gleaner("config", "user.workhours")
        self.assertExit(r, 0)
        self.assertEqual(r.out, "09:00-17:30\n")

    def test_xdg_config_home_is_honoured(self):
        self.write("xdg/gleaner/config", "[user]\n\ttimezone = Asia/Tokyo\n")
        r = self.run_gleaner("config", "user.timezone", env={"XDG_CONFIG_HOME": str(self.home / "xdg")})
        self.assertEqual(r.out, "Asia/Tokyo\n")


if __name__ == "__main__":
    main()
