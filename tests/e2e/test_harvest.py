#!/usr/bin/env python3
"""gleaner harvest TOOL against the fake Harvest: every tool in the table,
pagination, a 429 storm, refusals, argument checking and the audit log."""
import json
import sqlite3

from harness import main
from harvest_case import HarvestCase

ME = 1782959
WEB, DATA, OLD = 14307913, 14308069, 14308072
DEV, MEETINGS = 8083365, 8083366
LOCKED, ARCHIVED_ENTRY, REFERENCED = 2401234510, 2401234511, 2401234514
PAID, OPEN, DRAFT = 13150378, 13150403, 13150453
GLOBEX, INITECH = 5735774, 5735776

# One call per tool: arguments, and a check of the result.  A tool added to the
# table without a row here fails test_every_tool_is_exercised.
CALLS = {
    "list_accounts": ({}, lambda r: [a["id"] for a in r["accounts"]] == [123456]),
    "get_current_user": ({}, lambda r: r["id"] == ME),
    "get_company": ({}, lambda r: r["wants_timestamp_timers"] is False),
    "list_users": ({"is_active": True}, lambda r: ME in [u["id"] for u in r["users"]]),
    "list_my_project_assignments": ({}, lambda r: r["total_entries"] >= 4),
    "list_time_entries": ({"user_id": ME, "from": "2026-11-02", "to": "2026-11-20"},
                          lambda r: r["total_entries"] > 2),
    "get_time_entry": ({"id": REFERENCED}, lambda r: r["external_reference"]["id"] == "DATA-42"),
    "create_time_entry": ({"project_id": WEB, "task_id": DEV, "spent_date": "2026-11-20",
                           "hours": 1.5, "notes": "acme-web: fix login redirect",
                           "external_reference": {"id": "gleaner-test-1", "group_id": "acme-web"}},
                          lambda r: r["hours"] == 1.5 and not r["is_running"]),
    "update_time_entry": ({"id": 2401234520, "notes": "Reviewed the import"},
                          lambda r: r["notes"] == "Reviewed the import"),
    "delete_time_entry": ({"id": 2401234520}, lambda r: r == {"deleted": True, "id": 2401234520}),
    "stop_timer": (None, lambda r: r["is_running"] is False),  # arguments made by the test
    "restart_timer": (None, lambda r: r["is_running"] is True),
    "list_projects": ({}, lambda r: r["total_entries"] == 5),
    "get_project": ({"id": WEB}, lambda r: r["code"] == "ACME-WEB"),
    "list_tasks": ({"is_active": True}, lambda r: DEV in [t["id"] for t in r["tasks"]]),
    "get_task": ({"id": MEETINGS}, lambda r: r["name"] == "Meetings"),
    "list_task_assignments": ({}, lambda r: r["total_entries"] == 17),
    "list_project_task_assignments": ({"project_id": WEB}, lambda r: r["total_entries"] == 5),
    "list_user_assignments": ({"user_id": ME}, lambda r: r["total_entries"] >= 4),
    "list_project_user_assignments": ({"project_id": WEB},
                                      lambda r: ME in [a["user"]["id"] for a in r["user_assignments"]]),
    "list_clients": ({}, lambda r: r["total_entries"] == 3),
    "get_client": ({"id": GLOBEX}, lambda r: r["id"] == GLOBEX),
    "list_invoices": ({"state": "open"}, lambda r: [i["id"] for i in r["invoices"]] == [OPEN]),
    "get_invoice": ({"id": PAID}, lambda r: r["state"] == "paid"),
    "create_invoice": ({"client_id": GLOBEX, "subject": "November 2026", "payment_term": "net 30",
                        "line_items_import": {"project_ids": [WEB],
                                              "time": {"summary_type": "task", "from": "2026-11-01",
                                                       "to": "2026-11-30"}}},
                       lambda r: r["state"] == "draft" and len(r["line_items"]) >= 1),
    "update_invoice": ({"id": DRAFT, "subject": "Retainer, November"},
                       lambda r: r["subject"] == "Retainer, November"),
    "list_invoice_messages": ({"invoice_id": PAID}, lambda r: "invoice_messages" in r),
    "send_invoice": ({"invoice_id": DRAFT, "event_type": "send"}, lambda r: "id" in r),
    "list_invoice_payments": ({"invoice_id": PAID}, lambda r: r["total_entries"] == 2),
    "create_invoice_payment": ({"invoice_id": OPEN, "amount": 380.0, "paid_date": "2026-11-20",
                                "notes": "Paid by wire"}, lambda r: r["amount"] == 380.0),
    "list_expenses": ({"from": "2026-11-01", "to": "2026-11-30"}, lambda r: r["total_entries"] >= 1),
    "time_report_by_client": ({"from": "2026-11-01", "to": "2026-11-30"},
                              lambda r: r["total_entries"] >= 1 and "client_id" in r["results"][0]),
    "time_report_by_project": ({"from": "2026-11-01", "to": "2026-11-30"},
                               lambda r: "project_id" in r["results"][0]),
    "time_report_by_task": ({"from": "2026-11-01", "to": "2026-11-30"},
                            lambda r: "task_id" in r["results"][0]),
    "time_report_by_team": ({"from": "2026-11-01", "to": "2026-11-30"},
                            lambda r: ME in [x["user_id"] for x in r["results"]]),
    "invoice_report": ({"from": "2026-01-01", "to": "2026-11-30"},
                       lambda r: all("uninvoiced_hours" in x for x in r["results"])),
    "project_budget_report": ({"is_active": True},
                              lambda r: WEB in [x["project_id"] for x in r["results"]]),
}


# gleaner's own tools, which act on proposals, gaps, budgets and reports: exercised through
# the MCP client in test_mcp.py.
OWN = {"propose_entries", "list_proposals", "list_gaps", "accept_proposals", "reject_proposals",
       "edit_proposal", "push_proposals", "budget_status", "list_alerts", "weekly_report"}


class HarvestToolsTest(HarvestCase):
    def test_every_tool_is_exercised(self):
        listed = [t["name"] for t in self.run_gleaner("--json", "harvest", "--list").json()["tools"]]
        self.assertEqual(sorted(set(listed) - OWN), sorted(CALLS))
        self.assertLessEqual(set(listed) & OWN, OWN)
        for t in self.run_gleaner("--json", "harvest", "--list").json()["tools"]:
            self.assertEqual(t["inputSchema"]["type"], "object", t["name"])
            self.assertTrue(t["description"], t["name"])

    def test_every_tool_against_the_fake(self):
        # POST's rule: an entry without hours is a running timer.
        timer = self.fh.add_time_entry(project_id=WEB, task_id=MEETINGS, spent_date="2026-11-21")
        self.assertTrue(timer["is_running"])
        for name, (args, check) in CALLS.items():
            with self.subTest(tool=name):
                if args is None:
                    args = {"id": timer["id"]}
                result = self.tool_ok(name, args)
                self.assertTrue(check(result), json.dumps(result)[:400])
        # Every call reached Harvest with gleaner's headers and was audited.
        for req in self.api_requests(path=r"/v2/.*"):
            self.assertRegex(req["headers"]["User-Agent"], r"^gleaner/\S+ \(ada@example\.com\)$")
            self.assertEqual(req["headers"]["Harvest-Account-Id"], "123456")
        rows = self.db().execute("SELECT tool, outcome FROM audit WHERE actor = 'cli'").fetchall()
        self.assertEqual(sorted(t for t, _ in rows), sorted(CALLS))
        self.assertTrue(all(outcome == "ok" for _, outcome in rows))

    def test_list_projects_follows_every_page(self):
        doc = self.tool_ok("list_projects")
        self.assertEqual(len(doc["projects"]), 5)
        self.assertEqual(doc["total_entries"], 5)
        pages = self.api_requests("GET", r"/v2/projects")
        self.assertEqual(len(pages), 3)  # 2 + 2 + 1 with per_page 2
        self.assertIn("cursor", pages[1]["query"])  # links.next, not page numbers

    def test_a_bad_argument_is_a_clear_error_and_nothing_is_sent(self):
        r = self.tool("list_projects", {"from": "yesterday-ish"})
        self.assertOneLineError(r, 2, "list_projects", 'unknown argument "from"', "is_active")
        r = self.tool("list_time_entries", {"from": "yesterday-ish"})
        self.assertOneLineError(r, 2, "list_time_entries", "from", "YYYY-MM-DD", "yesterday-ish")
        r = self.tool("create_time_entry", {"project_id": "14307913", "task_id": DEV})
        self.assertOneLineError(r, 2, "create_time_entry")
        r = self.tool("list_projects", "{not json")
        self.assertOneLineError(r, 2, "list_projects", "JSON")
        r = self.tool("list_project", {})
        self.assertOneLineError(r, 2, "list_project", "did you mean list_projects")
        self.assertEqual(self.api_requests(path=r"/v2/.*"), [])

    def test_report_ranges_are_checked_before_sending(self):
        r = self.tool("time_report_by_project", {"from": "2025-01-01", "to": "2026-01-01"})
        self.assertOneLineError(r, 2, "365 days", "split the range")
        self.assertEqual(self.api_requests(path=r"/v2/reports/.*"), [])

    def test_a_429_storm_still_completes(self):
        self.fh.server.fault("ratelimit", count=12, retry_after=15, path=r"/v2/time_entries")
        doc = self.tool_ok("list_time_entries", {"from": "2026-11-01", "to": "2026-11-30"})
        self.assertGreater(doc["total_entries"], 2)
        self.assertEqual(self.fh.server.pending_faults(), 0)
        self.assertGreaterEqual(len(self.api_requests("GET", r"/v2/time_entries")), 13)

    def test_server_errors_are_retried_for_reads(self):
        self.fh.server.fault("status", count=2, status=503, path=r"/v2/clients")
        self.assertEqual(self.tool_ok("list_clients")["total_entries"], 3)

    def test_validation_errors_are_one_line(self):
        r = self.tool("create_time_entry", {"project_id": WEB, "task_id": 8083370,
                                            "spent_date": "2026-11-20", "hours": 1})
        self.assertOneLineError(r, 1, "Harvest refused the time entry", "(422)")

    def test_a_locked_entry_is_not_deleted(self):
        r = self.tool("delete_time_entry", {"id": LOCKED})
        self.assertOneLineError(r, 1, "Harvest refused to delete the time entry", "locked", "(403)")
        self.assertIn(LOCKED, self.fh.state["time_entries"])
        row = self.db().execute("SELECT outcome, message FROM audit WHERE tool = 'delete_time_entry'"
                                ).fetchone()
        self.assertEqual(row[0], "error")
        self.assertIn("locked", row[1])

    def test_missing_things_are_named(self):
        r = self.tool("get_time_entry", {"id": 99})
        self.assertOneLineError(r, 1, "Harvest has no time entry 99 (404)")

    def test_read_only_hides_write_tools(self):
        listed = self.run_gleaner("--json", "harvest", "--read-only", "--list").json()["tools"]
        self.assertFalse([t["name"] for t in listed if not t["annotations"]["readOnlyHint"]])
        self.assertNotIn("create_time_entry", [t["name"] for t in listed])
        r = self.tool("create_time_entry", {}, "--read-only")
        self.assertOneLineError(r, 2, "read-only")

    def test_a_revoked_token_says_what_to_do(self):
        self.fh.expire_token(self.fh.PAT)
        r = self.tool("get_current_user")
        self.assertOneLineError(r, 1, "did not accept the token", "gleaner auth harvest")
        self.assertNotIn(self.fh.PAT, r.err)

    def test_not_signed_in(self):
        self.write_config(sign_in=False)
        r = self.tool("get_current_user")
        self.assertOneLineError(r, 2, "not signed in", "gleaner auth harvest")

    def test_arguments_from_stdin_and_the_schema(self):
        r = self.run_gleaner("harvest", "get_project", "-", stdin=json.dumps({"id": DATA}))
        self.assertExit(r, 0)
        self.assertEqual(r.json()["code"], "ACME-DATA")
        schema = self.run_gleaner("harvest", "--schema", "create_time_entry").json()
        self.assertEqual(schema["inputSchema"]["required"], ["project_id", "task_id", "spent_date"])

    def test_the_audit_keeps_no_secrets(self):
        self.tool("list_projects", {"is_active": True})
        self.tool("list_clients", {"access_token": "pat-should-not-be-kept"})
        args = [a for (a,) in self.db().execute("SELECT arguments FROM audit")]
        self.assertIn('{"is_active":true}', args)
        self.assertFalse([a for a in args if "pat-should-not-be-kept" in a])
        with open(self.db_path, "rb") as f:
            self.assertNotIn(self.fh.PAT.encode(), f.read())


if __name__ == "__main__":
    main()
