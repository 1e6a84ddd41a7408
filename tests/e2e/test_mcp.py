#!/usr/bin/env python3
"""gleaner mcp driven by the official MCP client (@modelcontextprotocol/sdk
from npm, installed by the ctest fixture setup/mcp-client), against the fake
Harvest; and the protocol's corners driven by hand."""
import json
import os
import subprocess
import tempfile
import unittest

from harness import BIN, WRAPPER, main
from harvest_case import HarvestCase

CLIENT = os.environ.get("GLEANER_MCP_CLIENT")
WEB, DEV = 14307913, 8083365


class McpClientCase(HarvestCase):
    def run_client(self, steps, *server_args):
        if not CLIENT:
            self.fail("GLEANER_MCP_CLIENT is not set; run this test through ctest, which installs "
                      "the MCP client first (tests/mcp/setup.sh)")
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(steps, f)
        self.addCleanup(os.unlink, f.name)
        env = dict(self.env)
        scale = 10 if WRAPPER else 1
        env["MCP_CLIENT_TIMEOUT_MS"] = str(60000 * scale)
        env["MCP_CLIENT_EXIT_GRACE_MS"] = str(10000 * scale)
        proc = subprocess.run(["node", CLIENT, "--script", f.name, "--", *WRAPPER, BIN, "mcp",
                               *server_args], env=env, cwd=self.home, capture_output=True,
                              text=True, timeout=120 * scale)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        for marker in ("ERROR: AddressSanitizer", "runtime error:", "definitely lost"):
            self.assertNotIn(marker, proc.stderr)
        doc = json.loads(proc.stdout)
        self.assertEqual(doc["serverExit"], {"code": 0, "signal": None, "duringScript": False},
                         proc.stderr)
        self.assertEqual(doc["protocolErrors"], [])
        return doc


class McpSdkTest(McpClientCase):
    def test_sdk_client_lists_and_calls_tools(self):
        doc = self.run_client([
            {"op": "serverInfo"},
            {"op": "ping"},
            {"op": "listTools"},
            {"op": "callTool", "name": "list_projects", "arguments": {"is_active": True}},
            {"op": "callTool", "name": "create_time_entry",
             "arguments": {"project_id": WEB, "task_id": DEV, "spent_date": "2026-11-20",
                           "hours": 0.75, "notes": "Sprint planning"}},
            {"op": "callTool", "name": "list_time_entries",
             "arguments": {"from": "2026-11-20", "to": "2026-11-20"}},
            {"op": "callTool", "name": "list_time_entries", "arguments": {"from": "yesterday-ish"}},
            {"op": "callTool", "name": "no_such_tool", "arguments": {}},
        ])
        self.assertIn(doc["protocolVersion"], ("2025-11-25", "2025-06-18"))
        info, ping, tools, projects, created, listed, bad, unknown = doc["steps"]
        self.assertEqual(info["result"]["serverVersion"]["name"], "gleaner")
        self.assertIn("tools", info["result"]["capabilities"])
        self.assertTrue(ping["ok"])
        names = [t["name"] for t in tools["result"]["tools"]]
        self.assertIn("create_time_entry", names)
        self.assertGreaterEqual(len(names), 30)
        for t in tools["result"]["tools"]:
            self.assertEqual(t["inputSchema"]["type"], "object")
        self.assertTrue(projects["ok"])
        self.assertFalse(projects["result"].get("isError"))
        active = projects["result"]["structuredContent"]["projects"]
        self.assertEqual(len(active), 4)
        self.assertEqual(json.loads(projects["result"]["content"][0]["text"])["total_entries"], 4)
        self.assertEqual(created["result"]["structuredContent"]["hours"], 0.75)
        notes = [e["notes"] for e in listed["result"]["structuredContent"]["time_entries"]]
        self.assertIn("Sprint planning", notes)
        # A bad argument is the tool's error, for the model to read and fix.
        self.assertTrue(bad["ok"])
        self.assertTrue(bad["result"]["isError"])
        self.assertIn("YYYY-MM-DD", bad["result"]["content"][0]["text"])
        self.assertFalse(unknown["ok"])
        self.assertEqual(unknown["error"]["code"], -32602)
        # Every call went to the audit log as made by mcp.
        rows = self.db().execute("SELECT tool, outcome FROM audit WHERE actor = 'mcp'").fetchall()
        self.assertIn(("create_time_entry", "ok"), rows)
        self.assertIn(("list_time_entries", "error"), rows)

    def test_read_only_shows_no_write_tool(self):
        doc = self.run_client([
            {"op": "listTools"},
            {"op": "callTool", "name": "create_time_entry",
             "arguments": {"project_id": WEB, "task_id": DEV, "spent_date": "2026-11-20",
                           "hours": 1}},
            {"op": "callTool", "name": "get_current_user", "arguments": {}},
        ], "--read-only")
        tools, create, me = doc["steps"]
        for t in tools["result"]["tools"]:
            self.assertTrue(t["annotations"]["readOnlyHint"], t["name"])
            self.assertNotRegex(t["name"], r"^(create|update|delete|stop|restart|send)_")
        self.assertFalse(create["ok"])
        self.assertIn("read-only", create["error"]["message"])
        self.assertEqual(me["result"]["structuredContent"]["id"], 1782959)
        self.assertEqual(self.api_requests("POST"), [])


CALENDAR = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//gleaner tests//EN
BEGIN:VEVENT
UID:review@globex.example
DTSTAMP:20261101T000000Z
DTSTART;TZID=Europe/Berlin:20261117T100000
DTEND;TZID=Europe/Berlin:20261117T113000
SUMMARY:Globex design review
ORGANIZER:mailto:lena@globex.example
END:VEVENT
BEGIN:VEVENT
UID:mystery@example.com
DTSTAMP:20261101T000000Z
DTSTART;TZID=Europe/Berlin:20261118T140000
DTEND;TZID=Europe/Berlin:20261118T150000
SUMMARY:Zorblax quux
ATTENDEE;PARTSTAT=ACCEPTED:mailto:zed@zorblax.example
END:VEVENT
END:VCALENDAR
"""


class McpProposalToolsTest(McpClientCase):
    """gleaner's own tools, through the same SDK client: propose, list, accept, push, gaps."""

    def setUp(self):
        super().setUp()
        ics = self.write("work.ics", CALENDAR, 0o644)
        self.write_config(f'[calendar "work"]\n\tics = {ics}\n'
                          '[rule "reviews"]\n\tmatch = design review\n'
                          f'\tproject = {WEB}\n\ttask = Design\n')
        self.assertExit(self.run_gleaner("sync", "harvest"), 0)

    def test_propose_accept_push_and_gaps(self):
        week = {"from": "2026-11-16", "to": "2026-11-22"}
        doc = self.run_client([
            {"op": "callTool", "name": "propose_entries", "arguments": week},
            {"op": "callTool", "name": "accept_proposals", "arguments": {"all": True}},
            {"op": "callTool", "name": "push_proposals", "arguments": {}},
            {"op": "callTool", "name": "list_proposals", "arguments": dict(week, status="pushed")},
            {"op": "callTool", "name": "list_gaps", "arguments": week},
            {"op": "callTool", "name": "propose_entries", "arguments": {"from": "tomorrow"}},
        ])
        proposed, accepted, pushed, listed, gaps, bad = (s["result"] for s in doc["steps"])
        props = proposed["structuredContent"]["proposals"]
        review = [p for p in props if p["notes"] == "Globex design review"]
        self.assertEqual(len(review), 1, props)
        self.assertEqual((review[0]["project_id"], review[0]["task_id"], review[0]["hours"]),
                         (WEB, 8083367, 1.5))
        self.assertEqual(review[0]["reason"], "rule reviews (1 meeting)")
        mystery = [p for p in props if p["notes"] == "Zorblax quux"]
        self.assertEqual(mystery[0]["project_id"], None)  # nothing to go on: unassigned
        # all: true accepts what has a project; the unassigned one waits.
        self.assertEqual(accepted["structuredContent"]["accepted"], 1)
        self.assertEqual(pushed["structuredContent"]["created"], 1)
        made = [r["json"] for r in self.api_requests("POST", "/v2/time_entries")]
        self.assertEqual(len(made), 1)
        self.assertEqual(made[0]["external_reference"]["id"], review[0]["key"])
        self.assertEqual([p["id"] for p in listed["structuredContent"]["proposals"]],
                         [review[0]["id"]])
        tue = [d for d in gaps["structuredContent"]["days"] if d["date"] == "2026-11-17"][0]
        self.assertGreaterEqual(tue["tracked_hours"], 1.5)
        self.assertTrue(bad["isError"])
        self.assertIn("YYYY-MM-DD", bad["content"][0]["text"])

    def test_read_only_can_look_but_not_decide(self):
        doc = self.run_client([{"op": "listTools"}], "--read-only")
        names = {t["name"] for t in doc["steps"][0]["result"]["tools"]}
        self.assertTrue({"propose_entries", "list_proposals", "list_gaps"} <= names)
        self.assertFalse(names & {"accept_proposals", "reject_proposals", "edit_proposal",
                                  "push_proposals"})


class McpProtocolTest(HarvestCase):
    """The corners a well-behaved client never shows: raw lines on stdin."""

    def converse(self, *lines):
        r = self.run_gleaner("mcp", stdin="".join(line + "\n" for line in lines))
        self.assertExit(r, 0)
        return [json.loads(line) for line in r.out.splitlines()]

    def test_version_negotiation(self):
        init = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                "params": {"protocolVersion": "2024-11-05", "capabilities": {},
                           "clientInfo": {"name": "old", "version": "1"}}}
        future = dict(init, id=2, params=dict(init["params"], protocolVersion="2099-01-01"))
        a, b = self.converse(json.dumps(init), json.dumps(future))
        self.assertEqual(a["result"]["protocolVersion"], "2024-11-05")
        self.assertEqual(b["result"]["protocolVersion"], "2025-11-25")

    def test_errors_notifications_and_batches(self):
        answers = self.converse(
            "this is not json",
            json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            json.dumps({"jsonrpc": "2.0", "id": 3, "method": "resources/list"}),
            json.dumps({"jsonrpc": "1.0", "id": 4, "method": "ping"}),
            json.dumps({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {}}),
            json.dumps({"jsonrpc": "2.0", "id": None, "method": "ping"}),
            json.dumps([{"jsonrpc": "2.0", "id": 6, "method": "ping"},
                        {"jsonrpc": "2.0", "method": "notifications/cancelled"}]),
            "",
        )
        parse, missing, version, noname, null_id, batch = answers
        self.assertEqual(parse["error"]["code"], -32700)
        self.assertIsNone(parse["id"])
        self.assertEqual(missing["error"]["code"], -32601)
        self.assertEqual(version["error"]["code"], -32600)
        self.assertEqual(noname["error"]["code"], -32602)
        self.assertEqual(null_id["error"]["code"], -32600)  # MCP forbids a null id
        self.assertEqual(batch, [{"jsonrpc": "2.0", "id": 6, "result": {}}])

    def test_stdout_carries_only_protocol(self):
        r = self.run_gleaner("-v", "mcp", stdin=json.dumps(
            {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
             "params": {"name": "list_clients", "arguments": {}}}) + "\n")
        self.assertExit(r, 0)
        self.assertEqual(len(r.out.splitlines()), 1)
        self.assertEqual(json.loads(r.out)["result"]["structuredContent"]["total_entries"], 3)
        self.assertIn("mcp", r.err)


if __name__ == "__main__":
    main()
