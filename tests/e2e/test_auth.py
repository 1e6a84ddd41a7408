#!/usr/bin/env python3
"""gleaner auth harvest: a personal access token, or OAuth through Harvest ID
with a loopback redirect; refreshing after a 401; tokens kept out of sight."""
import json
import os
import subprocess
import urllib.request

from harness import BIN, WRAPPER, main
from fake_harvest import FakeHarvest
from harvest_case import HarvestCase


class TokenSignInTest(HarvestCase):
    def setUp(self):
        super().setUp()
        self.write_config(sign_in=False)

    def test_token_file_sign_in_writes_the_config(self):
        r = self.run_gleaner("auth", "harvest", "--token-file", str(self.token_file))
        self.assertExit(r, 0)
        self.assertIn("Signed in to Harvest as Ada Lovelace", r.out)
        self.assertIn("(123456)", r.out)
        config = self.config_path.read_text()
        self.assertIn("account-id = 123456", config)
        self.assertIn(f"token-file = {self.token_file}", config)
        self.assertNotIn(self.fh.PAT, config)
        self.assertNotIn(self.fh.PAT, r.out + r.err)
        # Signed in: the tools work.
        self.assertEqual(self.tool_ok("get_current_user")["id"], 1782959)

    def test_a_token_file_others_can_read_is_refused(self):
        self.token_file.chmod(0o644)
        r = self.run_gleaner("auth", "harvest", "--token-file", str(self.token_file))
        self.assertOneLineError(r, 2, "chmod 600")
        self.assertEqual(self.api_requests(), [])

    def test_several_accounts_need_a_choice(self):
        self.fh.multi_account = True
        r = self.run_gleaner("auth", "harvest", "--token-file", str(self.token_file))
        self.assertOneLineError(r, 2, "several Harvest accounts", "123456", "654321", "--account")
        self.assertNotIn("777", r.err)  # the Forecast account is not offered
        r = self.run_gleaner("auth", "harvest", "--token-file", str(self.token_file),
                             "--account", "123456")
        self.assertExit(r, 0)
        r = self.run_gleaner("auth", "harvest", "--token-file", str(self.token_file),
                             "--account", "999")
        self.assertOneLineError(r, 2, "cannot reach Harvest account 999")

    def test_usage(self):
        self.assertOneLineError(self.run_gleaner("auth", "harvest"), 2, "--token-file", "--oauth")
        self.assertOneLineError(self.run_gleaner("auth", "google"), 2, "google.client-id",
                                "Desktop app")


class OAuthSignInTest(HarvestCase):
    def setUp(self):
        super().setUp()
        secret = self.write(".config/gleaner/harvest-client.secret", FakeHarvest.CLIENT_SECRET)
        self.write_config(sign_in=False, harvest_extra=(
            f"\tclient-id = {FakeHarvest.CLIENT_ID}\n\tclient-secret-file = {secret}\n"))
        self.oauth_file = self.home / ".config" / "gleaner" / "harvest-oauth.json"

    def sign_in(self, **extra_env):
        """Run gleaner auth harvest --oauth, playing the browser: open the printed URL."""
        env = dict(self.env, **extra_env)
        proc = subprocess.Popen([*WRAPPER, BIN, "auth", "harvest", "--oauth", "--timeout", "60"],
                                env=env, cwd=self.home, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        url = None
        lines = []
        for line in proc.stderr:
            lines.append(line)
            if line.strip().startswith("http://127.0.0.1"):
                url = line.strip()
                break
        self.assertIsNotNone(url, "".join(lines))
        # The fake's authorize page redirects to gleaner's loopback listener.
        with urllib.request.urlopen(url, timeout=30) as page:
            self.assertIn("signed in", page.read().decode().lower())
        out, err = proc.communicate(timeout=60)
        return proc.returncode, out, "".join(lines) + err

    def test_oauth_sign_in_with_pkce(self):
        # Full tracing on: the token exchange is traced, and must be redacted.
        code, out, err = self.sign_in(GLEANER_TRACE="all")
        self.assertEqual(code, 0, out + err)
        self.assertIn("Signed in to Harvest as Ada Lovelace", out)
        auth = self.fh.authorize_requests[-1]
        self.assertEqual(auth["code_challenge_method"], "S256")
        self.assertRegex(auth["redirect_uri"], r"^http://127\.0\.0\.1:\d+/callback$")
        self.assertEqual(self.oauth_file.stat().st_mode & 0o777, 0o600)
        saved = json.loads(self.oauth_file.read_text())
        self.assertEqual(saved["account_id"], 123456)
        access = saved["access_token"]
        self.assertIn("account-id = 123456", self.config_path.read_text())
        self.assertNotIn(access, self.config_path.read_text())
        self.assertNotIn(access, out + err)
        self.assertNotIn(saved["refresh_token"], out + err)
        self.assertIn("[oauth]", err)  # it was traced
        self.assertEqual(self.tool_ok("get_current_user")["id"], 1782959)
        with open(self.db_path, "rb") as f:
            self.assertNotIn(access.encode(), f.read())
        doctor = self.run_gleaner("doctor")
        self.assertRegex(doctor.out, r"ok +harvest +account 123456")

    def test_a_401_triggers_one_refresh(self):
        code, out, err = self.sign_in()
        self.assertEqual(code, 0, out + err)
        old = json.loads(self.oauth_file.read_text())
        self.fh.expire_token(old["access_token"])
        self.assertEqual(self.tool_ok("list_clients")["total_entries"], 3)
        self.assertEqual(self.fh.refresh_count, 1)
        new = json.loads(self.oauth_file.read_text())
        self.assertNotEqual(new["access_token"], old["access_token"])
        self.assertNotEqual(new["refresh_token"], old["refresh_token"])  # rotation kept
        self.assertEqual(new["account_id"], 123456)
        # The new token works without another refresh.
        self.tool_ok("get_current_user")
        self.assertEqual(self.fh.refresh_count, 1)

    def test_a_refresh_that_fails_says_why(self):
        code, out, err = self.sign_in()
        self.assertEqual(code, 0, out + err)
        saved = json.loads(self.oauth_file.read_text())
        self.fh.expire_token(saved["access_token"])
        saved["refresh_token"] = "revoked-refresh-token"
        self.oauth_file.write_text(json.dumps(saved))
        r = self.tool("get_current_user")
        self.assertOneLineError(r, 1, "cannot refresh the Harvest sign-in", "invalid_grant",
                                "--oauth")
        self.assertNotIn("revoked-refresh-token", r.err)

    def test_an_unreadable_oauth_application_is_an_error_at_once(self):
        code, out, err = self.sign_in()
        self.assertEqual(code, 0, out + err)
        # Half an application (the secret file line lost): say so now, not at the first 401.
        config = self.config_path.read_text()
        self.config_path.write_text("\n".join(
            line for line in config.splitlines() if "client-secret-file" not in line) + "\n")
        r = self.tool("get_current_user")
        self.assertOneLineError(r, 2, "harvest.client-id and harvest.client-secret-file")

    def test_a_token_near_expiry_is_refreshed_before_use(self):
        code, out, err = self.sign_in()
        self.assertEqual(code, 0, out + err)
        saved = json.loads(self.oauth_file.read_text())
        saved["expires_at"] = "2026-11-21T09:02:00Z"  # two minutes after the test clock's now
        self.oauth_file.write_text(json.dumps(saved))
        before = len(self.api_requests(path=r"/v2/.*"))
        self.tool_ok("get_current_user")
        self.assertEqual(self.fh.refresh_count, 1)
        self.assertEqual(len(self.api_requests(path=r"/v2/.*")), before + 1)  # no 401 first

    def test_a_refused_sign_in_says_so(self):
        self.fh.oauth_approve = False
        env = dict(self.env)
        proc = subprocess.Popen([*WRAPPER, BIN, "auth", "harvest", "--oauth", "--timeout", "60"],
                                env=env, cwd=self.home, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        for line in proc.stderr:
            if line.strip().startswith("http://127.0.0.1"):
                try:
                    urllib.request.urlopen(line.strip(), timeout=30).read()
                except urllib.error.HTTPError:
                    pass
                break
        out, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("access_denied", err)
        self.assertFalse(self.oauth_file.exists())

    def test_oauth_needs_an_application(self):
        self.write_config(sign_in=False)
        r = self.run_gleaner("auth", "harvest", "--oauth")
        self.assertOneLineError(r, 2, "harvest.client-id", "oauth2/clients/new")


if __name__ == "__main__":
    main()
