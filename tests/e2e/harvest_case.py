"""A GleanerTestCase with a fake Harvest running and gleaner configured for it.

The config points base-url and id-url at the fake on 127.0.0.1, signs in with
the fake's personal access token (a 0600 file), and runs gleaner on the test
clock (GLEANER_TEST_NOW), so Retry-After waits and rate limiting cost no time.
"""
import json
import sqlite3

from harness import GleanerTestCase
from fake_harvest import FakeHarvest

NOW = "2026-11-21T09:00:00Z"


class HarvestCase(GleanerTestCase):
    per_page = 2  # small pages: every list crosses several of them

    def setUp(self):
        super().setUp()
        self.fh = FakeHarvest(per_page=self.per_page)
        self.fh.start()
        self.addCleanup(self.fh.stop)
        self.env["GLEANER_TEST_NOW"] = NOW
        self.token_file = self.write(".config/gleaner/harvest.token", self.fh.PAT + "\n")
        self.write_config()

    def write_config(self, harvest_extra: str = "", sign_in: bool = True):
        lines = ["[user]", "\temail = ada@example.com", "\ttimezone = Europe/Berlin",
                 "[harvest]", f"\tbase-url = {self.fh.api_url}", f"\tid-url = {self.fh.url}"]
        if sign_in:
            lines += [f"\taccount-id = {self.fh.ACCOUNT_ID}", f"\ttoken-file = {self.token_file}"]
        self.write(".config/gleaner/config", "\n".join(lines) + "\n" + harvest_extra, 0o644)

    def tool(self, name, args=None, *extra):
        argv = ["harvest", *extra, name]
        if args is not None:
            argv.append(args if isinstance(args, str) else json.dumps(args))
        return self.run_gleaner(*argv)

    def tool_ok(self, name, args=None):
        r = self.tool(name, args)
        self.assertExit(r, 0)
        return r.json()

    def db(self):
        con = sqlite3.connect(self.db_path)
        self.addCleanup(con.close)
        return con

    def api_requests(self, method=None, path=None):
        return self.fh.server.requests_for(method, path)
