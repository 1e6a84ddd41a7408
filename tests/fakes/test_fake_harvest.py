#!/usr/bin/env python3
"""Self-test for fake_harvest.py (stdlib unittest; runs from any working directory)."""
from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import subprocess
import sys
import unittest
import urllib.parse
from datetime import datetime, timedelta, timezone
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import fake_harvest as fhmod  # noqa: E402
from fake_harvest import FakeHarvest  # noqa: E402

SCRIPT = os.path.join(HERE, "fake_harvest.py")
UA = "gleaner-selftest/1.0 (ada@example.com)"
ME = 1782959
WEB, DATA, SUP, INTERNAL, LEGACY = 14307913, 14308069, 14308070, 14308071, 14308072
DEV, MEET, DESIGN, RESEARCH = 8083365, 8083366, 8083367, 8083369
GLOBEX, UMBRELLA = 5735774, 5735778
APPROVED_ENTRY, INVOICED_ENTRY, LEGACY_ENTRY, REF_ENTRY = (2401234510, 2401234501,
                                                          2401234511, 2401234514)
PAID, OPEN, DRAFT = 13150378, 13150403, 13150453
FIXED_NOW = datetime(2026, 11, 21, 12, 0, 0, tzinfo=timezone.utc)


class Reply:
    def __init__(self, resp: http.client.HTTPResponse, body: bytes):
        self.status = resp.status
        self.headers = resp.headers
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)


class HarvestCase(unittest.TestCase):
    """A fresh fake per test, and a small client that speaks to it like gleaner would."""

    per_page: int | None = 2

    def setUp(self) -> None:
        self.fh = FakeHarvest(per_page=self.per_page).start()
        self.addCleanup(self.fh.stop)
        self.fh.set_now(FIXED_NOW)

    def call(self, method: str, target: str, body: Any = None, *, token: str | None = "PAT",
             account: Any = FakeHarvest.ACCOUNT_ID, ua: str | None = UA,
             form: dict[str, str] | None = None, raw: bytes | None = None,
             headers: dict[str, str] | None = None) -> Reply:
        """One request. `target` is a path or an absolute URL on the fake (links are)."""
        if target.startswith("http"):
            parts = urllib.parse.urlsplit(target)
            self.assertEqual(f"{parts.scheme}://{parts.netloc}", self.fh.url)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {self.fh.PAT if token == 'PAT' else token}"
        if account is not None:
            sent["Harvest-Account-Id"] = str(account)
        if ua is not None:
            sent["User-Agent"] = ua
        payload = raw
        if body is not None:
            payload = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        elif form is not None:
            payload = urllib.parse.urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.fh.server.port, timeout=5)
        try:
            conn.request(method, target, body=payload, headers=sent)
            resp = conn.getresponse()
            return Reply(resp, resp.read())
        finally:
            conn.close()

    def ok(self, method: str, target: str, body: Any = None, status: int = 200,
           **kw: Any) -> Any:
        reply = self.call(method, target, body, **kw)
        self.assertEqual(reply.status, status, reply.body)
        return reply.json() if reply.body else None

    def fail_with(self, status: int, message: str, method: str, target: str,
                  body: Any = None, **kw: Any) -> None:
        reply = self.call(method, target, body, **kw)
        self.assertEqual((reply.status, reply.json()), (status, {"message": message}))

    def follow(self, first: str) -> list[dict[str, Any]]:
        """Every page, by links.next (the right way)."""
        pages, url = [], first
        while url:
            page = self.ok("GET", url)
            pages.append(page)
            url = page["links"]["next"]
        return pages


class AuthTest(HarvestCase):
    def test_missing_or_bad_token_is_invalid_token(self) -> None:
        for token in (None, "nope"):
            reply = self.call("GET", "/v2/users/me", token=token)
            self.assertEqual(reply.status, 401)
            self.assertEqual(reply.json(), fhmod.INVALID_TOKEN)
            self.assertIn("invalid_token", reply.headers["WWW-Authenticate"])

    def test_missing_or_wrong_account_header_is_invalid_token(self) -> None:
        for account in (None, "", 999, FakeHarvest.SECOND_ACCOUNT_ID):
            reply = self.call("GET", "/v2/users/me", account=account)
            self.assertEqual((reply.status, reply.json()), (401, fhmod.INVALID_TOKEN), account)
        me = self.ok("GET", "/v2/users/me", headers={"harvest-account-id": "123456"},
                     account=None)
        self.assertEqual(me["id"], ME)

    def test_user_agent_needs_a_contact(self) -> None:
        for ua in (None, "", "curl/8.5.0", "gleaner (nobody)"):
            reply = self.call("GET", "/v2/company", ua=ua)
            self.assertEqual(reply.status, 400, ua)
            self.assertIn("User-Agent", reply.json()["message"])
        self.ok("GET", "/v2/company", ua="gleaner/0.1 (https://example.com/gleaner)")

    def test_unknown_paths_are_html_and_unknown_ids_json(self) -> None:
        reply = self.call("GET", "/v2/nope")
        self.assertEqual(reply.status, 404)
        self.assertTrue(reply.headers["Content-Type"].startswith("text/html"))
        self.assertIn(b"<html>", reply.body)
        reply = self.call("GET", "/v2/time_entries/1")
        self.assertEqual((reply.status, reply.json()), (404, {"status": 404, "error": "Not Found"}))

    def test_expired_pat_and_accounts_listing(self) -> None:
        accounts = self.ok("GET", "/api/v2/accounts", account=None)
        self.assertEqual(accounts["user"]["email"], "ada@example.com")
        self.assertEqual([a["id"] for a in accounts["accounts"]], [FakeHarvest.ACCOUNT_ID])
        self.fh.multi_account = True
        accounts = self.ok("GET", "/api/v2/accounts", account=None)
        self.assertEqual([(a["id"], a["product"]) for a in accounts["accounts"]],
                         [(777, "forecast"), (123456, "harvest"), (654321, "harvest")])
        self.fh.expire_token(self.fh.PAT)
        self.assertEqual(self.call("GET", "/v2/users/me").status, 401)
        self.assertEqual(self.call("GET", "/api/v2/accounts", account=None).status, 401)

    def test_me_and_company(self) -> None:
        me = self.ok("GET", "/v2/users/me")
        self.assertEqual((me["first_name"], me["weekly_capacity"], me["access_roles"]),
                         ("Ada", 144000, ["administrator"]))
        company = self.ok("GET", "/v2/company")
        self.assertEqual((company["name"], company["wants_timestamp_timers"], company["clock"]),
                         ("Acme Consulting", False, "24h"))


class PaginationTest(HarvestCase):
    def test_page_endpoint_follows_links_with_filters(self) -> None:
        pages = self.follow("/v2/time_entries?user_id=1782959&from=2026-11-02&to=2026-11-20")
        entries = [e for p in pages for e in p["time_entries"]]
        self.assertEqual(len(entries), pages[0]["total_entries"])
        self.assertEqual(len(pages), pages[0]["total_pages"])
        self.assertEqual([p["page"] for p in pages], list(range(1, len(pages) + 1)))
        self.assertEqual({e["user"]["id"] for e in entries}, {ME})
        keys = [(e["spent_date"], e["id"]) for e in entries]
        self.assertEqual(keys, sorted(keys, reverse=True))
        self.assertEqual(len(set(keys)), len(keys))
        middle = pages[1]
        self.assertEqual((middle["per_page"], middle["next_page"], middle["previous_page"]),
                         (2, 3, 1))
        for link in middle["links"].values():
            self.assertTrue(link.startswith(self.fh.url + "/v2/time_entries?"), link)
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)
            self.assertEqual((query["user_id"], query["from"], query["to"], query["per_page"]),
                             (["1782959"], ["2026-11-02"], ["2026-11-20"], ["2"]))
        self.assertIsNone(pages[-1]["links"]["next"])
        self.assertIsNone(pages[0]["links"]["previous"])

    def test_cursor_endpoint_and_the_next_page_trap(self) -> None:
        pages = self.follow("/v2/projects")
        self.assertEqual([(p["page"], p["next_page"], p["previous_page"]) for p in pages],
                         [(1, 2, None), (None, None, None), (3, None, 2)])
        ids = [p["id"] for page in pages for p in page["projects"]]
        self.assertEqual(ids, sorted(self.fh.state["projects"], reverse=True))
        nxt = urllib.parse.parse_qs(urllib.parse.urlsplit(pages[0]["links"]["next"]).query)
        self.assertEqual((nxt["ref"], nxt["per_page"]), (["next_cursor"], ["2"]))
        json.loads(base64.urlsafe_b64decode(nxt["cursor"][0] + "==="))  # opaque, but base64
        back = self.ok("GET", pages[2]["links"]["previous"])
        self.assertEqual(back["projects"], pages[1]["projects"])
        # A client looping on next_page stops after page 2 and misses a project.
        seen, page = [], 1
        while page:
            body = self.ok("GET", f"/v2/projects?page={page}")
            seen += body["projects"]
            page = body["next_page"]
        self.assertEqual(len(seen), 4)

    def test_cursor_links_keep_filters(self) -> None:
        pages = self.follow("/v2/projects?is_active=true")
        self.assertEqual(sum(len(p["projects"]) for p in pages), 4)
        self.assertIn("is_active=true", pages[0]["links"]["next"])

    def test_per_page_bounds(self) -> None:
        for bad in ("0", "2001", "many"):
            reply = self.call("GET", f"/v2/clients?per_page={bad}")
            self.assertEqual(reply.status, 422)
            self.assertIn("per_page", reply.json()["message"])
        body = self.ok("GET", "/v2/clients?per_page=2000")
        self.assertEqual((body["per_page"], body["total_pages"], len(body["clients"])),
                         (2000, 1, 3))


class HarvestDefaultsTest(HarvestCase):
    per_page = None

    def test_harvest_default_page_sizes(self) -> None:
        self.assertEqual(self.ok("GET", "/v2/time_entries")["per_page"], 2000)
        self.assertEqual(self.ok("GET", "/v2/invoices")["per_page"], 100)


class TimeEntryTest(HarvestCase):
    def test_create_update_stop_restart_delete(self) -> None:
        ref = {"id": 4711, "group_id": 10001, "account_id": "acme",
               "permalink": "https://acme.atlassian.net/browse/DATA-4711"}
        made = self.ok("POST", "/v2/time_entries",
                       {"project_id": WEB, "task_id": DEV, "spent_date": "2026-11-21",
                        "hours": 1.5, "notes": "review", "external_reference": ref}, status=201)
        self.assertEqual((made["is_running"], made["hours"], made["billable_rate"],
                          made["user"]["id"], made["created_at"]),
                         (False, 1.5, 120.0, ME, "2026-11-21T12:00:00Z"))
        self.assertEqual(made["external_reference"]["id"], "4711")
        self.assertEqual(made["external_reference"]["group_id"], "10001")
        self.assertEqual(made["external_reference"]["service"], "acme.atlassian.net")
        self.assertEqual(made["task_assignment"]["id"], 155502709)
        found = self.ok("GET", "/v2/time_entries?external_reference_id=4711")["time_entries"]
        self.assertEqual([e["id"] for e in found], [made["id"]])

        timer = self.ok("POST", "/v2/time_entries",
                        {"project_id": DATA, "task_id": MEET, "spent_date": "2026-11-21"},
                        status=201)
        self.assertTrue(timer["is_running"])
        self.assertEqual(timer["timer_started_at"], "2026-11-21T12:00:00Z")
        self.fh.set_now(FIXED_NOW + timedelta(minutes=30))
        self.assertEqual(self.ok("GET", f"/v2/time_entries/{timer['id']}")["hours"], 0.5)
        running = self.ok("GET", "/v2/time_entries?is_running=true")["time_entries"]
        self.assertEqual([e["id"] for e in running], [timer["id"]])
        stopped = self.ok("PATCH", f"/v2/time_entries/{timer['id']}/stop")
        self.assertEqual((stopped["is_running"], stopped["hours"], stopped["timer_started_at"]),
                         (False, 0.5, None))
        self.fail_with(422, "Only running time entries can be stopped",
                       "PATCH", f"/v2/time_entries/{timer['id']}/stop")
        again = self.ok("PATCH", f"/v2/time_entries/{timer['id']}/restart")
        self.assertEqual((again["id"], again["is_running"], again["hours_without_timer"]),
                         (timer["id"], True, 0.5))
        self.fail_with(422, "Only stopped time entries can be restarted",
                       "PATCH", f"/v2/time_entries/{timer['id']}/restart")

        patched = self.ok("PATCH", f"/v2/time_entries/{made['id']}",
                          {"notes": "done", "hours": 2.11, "task_id": DESIGN})
        self.assertEqual((patched["notes"], patched["rounded_hours"], patched["task"]["id"],
                          patched["billable_rate"]), ("done", 2.25, DESIGN, 110.0))
        self.assertGreater(patched["updated_at"], made["updated_at"])
        self.assertEqual(self.call("DELETE", f"/v2/time_entries/{made['id']}").status, 200)
        self.assertEqual(self.call("GET", f"/v2/time_entries/{made['id']}").status, 404)

    def test_starting_a_timer_stops_the_running_one(self) -> None:
        first = self.fh.add_time_entry(project_id=WEB, task_id=DEV, spent_date="2026-11-21")
        self.fh.set_now(FIXED_NOW + timedelta(minutes=15))
        self.ok("POST", "/v2/time_entries",
                {"project_id": WEB, "task_id": MEET, "spent_date": "2026-11-21"}, status=201)
        first = self.ok("GET", f"/v2/time_entries/{first['id']}")
        self.assertEqual((first["is_running"], first["hours"]), (False, 0.25))

    def test_locked_and_archived_entries_are_refused(self) -> None:
        locked = "This entry is locked and can't be modified."
        for entry in (APPROVED_ENTRY, INVOICED_ENTRY):
            self.fail_with(403, locked, "PATCH", f"/v2/time_entries/{entry}", {"notes": "x"})
            self.fail_with(403, locked, "DELETE", f"/v2/time_entries/{entry}")
        self.fail_with(403, fhmod.ARCHIVED_MESSAGE, "DELETE", f"/v2/time_entries/{LEGACY_ENTRY}")
        fresh = self.fh.add_time_entry(project_id=WEB, task_id=DEV, spent_date="2026-11-21",
                                       hours=1.0)
        self.fh.lock_time_entry(fresh["id"])
        self.fail_with(403, locked, "PATCH", f"/v2/time_entries/{fresh['id']}", {"hours": 2})

    def test_validation_errors(self) -> None:
        post = "/v2/time_entries"
        self.fail_with(422, "Spent date can't be blank", "POST", post,
                       {"project_id": WEB, "task_id": DEV})
        self.fail_with(422, "Project can't be blank", "POST", post,
                       {"task_id": DEV, "spent_date": "2026-11-21"})
        self.fail_with(422, "Spent date is invalid", "POST", post,
                       {"project_id": WEB, "task_id": DEV, "spent_date": "21.11.2026"})
        self.fail_with(422, "Task is not assigned to the project", "POST", post,
                       {"project_id": SUP, "task_id": DESIGN, "spent_date": "2026-11-21"})
        self.fail_with(422, "Project is archived", "POST", post,
                       {"project_id": LEGACY, "task_id": DEV, "spent_date": "2026-11-21"})
        reply = self.call("POST", post, {"project_id": WEB, "task_id": DEV,
                                         "spent_date": "2026-11-21", "started_time": "8:00"})
        self.assertEqual(reply.status, 422)
        self.assertIn("duration", reply.json()["message"])
        # JSON sent without a JSON Content-Type is read as form data, as Rails does.
        reply = self.call("POST", post, raw=json.dumps({"project_id": WEB}).encode())
        self.assertEqual(reply.status, 422)
        self.assertIn("Project can't be blank", reply.json()["message"])
        for query in ("updated_since=yesterday", "updated_since=2026-11-10T10:00:00+01:00",
                      "from=2026-13-01", "to=soon"):
            self.assertEqual(self.call("GET", f"/v2/time_entries?{query}").status, 422, query)
        self.assertEqual(len(self.fh.state["time_entries"]), 26)   # nothing was created

    def test_updated_since_is_exact_and_deletions_leave_no_trace(self) -> None:
        before = self.ok("GET", "/v2/time_entries?updated_since=2026-11-21T00:00:00Z")
        self.assertEqual(before["total_entries"], 0)
        changed = self.fh.update_time_entry(2401234512, notes="renamed")
        since = urllib.parse.quote(changed["updated_at"])
        after = self.ok("GET", f"/v2/time_entries?updated_since={since}")["time_entries"]
        self.assertEqual([e["id"] for e in after], [2401234512])
        later = self.fh.update_time_entry(2401234512, notes="again")
        self.assertGreater(later["updated_at"], changed["updated_at"])   # same now(), +1 s
        self.fh.delete_time_entry(2401234512)
        after = self.ok("GET", f"/v2/time_entries?updated_since={since}")
        self.assertEqual(after["total_entries"], 0)

    def test_external_reference_removal(self) -> None:
        self.assertEqual(self.fh.state["time_entries"][REF_ENTRY]["external_reference"]["id"],
                         "DATA-42")
        self.assertEqual(self.call("DELETE",
                                   f"/v2/time_entries/{REF_ENTRY}/external_reference").status, 200)
        self.assertIsNone(self.ok("GET", f"/v2/time_entries/{REF_ENTRY}")["external_reference"])


class OAuthTest(HarvestCase):
    def authorize(self, **extra: str) -> Reply:
        query = {"client_id": FakeHarvest.CLIENT_ID, "response_type": "code",
                 "redirect_uri": "http://127.0.0.1:8765/callback", "state": "xyz", **extra}
        return self.call("GET", "/oauth2/authorize?" + urllib.parse.urlencode(query),
                         token=None, account=None, ua=None)

    def token(self, **params: str) -> Reply:
        form = {"client_id": FakeHarvest.CLIENT_ID, "client_secret": FakeHarvest.CLIENT_SECRET,
                **params}
        return self.call("POST", "/api/v2/oauth2/token", form=form, token=None, account=None)

    def test_code_with_pkce_then_refresh_rotation(self) -> None:
        verifier = "v" * 50
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        reply = self.authorize(code_challenge=challenge, code_challenge_method="S256")
        self.assertEqual(reply.status, 302)
        location = urllib.parse.urlsplit(reply.headers["Location"])
        self.assertEqual(location.netloc, "127.0.0.1:8765")
        back = urllib.parse.parse_qs(location.query)
        self.assertEqual((back["state"], back["scope"]), (["xyz"], ["harvest:123456"]))
        self.assertEqual(self.fh.authorize_requests[-1]["code_challenge"], challenge)
        code = back["code"][0]

        bad = self.token(grant_type="authorization_code", code=code, code_verifier="w" * 50)
        self.assertEqual((bad.status, bad.json()["error"]), (400, "invalid_grant"))
        good = self.token(grant_type="authorization_code", code=code, code_verifier=verifier,
                          redirect_uri="http://127.0.0.1:8765/callback")
        self.assertEqual(good.status, 200, good.body)
        tokens = good.json()
        self.assertEqual((tokens["token_type"], tokens["expires_in"]), ("bearer", 1209600))
        reused = self.token(grant_type="authorization_code", code=code, code_verifier=verifier)
        self.assertEqual(reused.status, 400)
        self.assertEqual(self.ok("GET", "/v2/users/me", token=tokens["access_token"])["id"], ME)
        self.ok("GET", "/api/v2/accounts", token=tokens["access_token"], account=None)

        fresh = self.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])
        self.assertEqual(fresh.status, 200)
        rotated = fresh.json()
        self.assertNotEqual(rotated["refresh_token"], tokens["refresh_token"])
        self.assertNotEqual(rotated["access_token"], tokens["access_token"])
        old = self.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])
        self.assertEqual((old.status, old.json()["error"]), (400, "invalid_grant"))
        self.assertEqual(self.fh.refresh_count, 1)
        self.assertEqual([t["grant_type"] for t in self.fh.issued_tokens],
                         ["authorization_code", "refresh_token"])
        self.assertEqual(len(self.fh.token_requests), 5)

        self.fh.expire_token(rotated["access_token"])
        self.assertEqual(self.call("GET", "/v2/users/me", token=rotated["access_token"]).status,
                         401)
        self.fh.set_now(FIXED_NOW + timedelta(days=15))   # past expires_in
        self.assertEqual(self.call("GET", "/v2/users/me", token=tokens["access_token"]).status,
                         401)

    def test_authorize_and_token_errors(self) -> None:
        self.assertEqual(self.authorize(client_id="someone-else").status, 400)
        self.assertEqual(self.authorize(redirect_uri="https://evil.example/cb").status, 400)
        reply = self.authorize(code_challenge="abc", code_challenge_method="plain")
        self.assertIn("error=invalid_request", reply.headers["Location"])
        self.fh.oauth_approve = False
        self.assertIn("error=access_denied", self.authorize().headers["Location"])
        wrong = self.call("POST", "/api/v2/oauth2/token", token=None, account=None,
                          form={"client_id": FakeHarvest.CLIENT_ID, "client_secret": "guess",
                                "grant_type": "refresh_token", "refresh_token": "x"})
        self.assertEqual((wrong.status, wrong.json()["error"]), (401, "invalid_client"))
        self.assertEqual(self.token(grant_type="password").json()["error"],
                         "unsupported_grant_type")


class InvoiceTest(HarvestCase):
    def test_seeded_paid_invoice_matches_its_time(self) -> None:
        invoice = self.ok("GET", f"/v2/invoices/{PAID}")
        self.assertEqual((invoice["state"], invoice["due_amount"], invoice["paid_date"]),
                         ("paid", 0.0, "2026-11-19"))
        billed = self.ok("GET", "/v2/time_entries?is_billed=true&per_page=100")["time_entries"]
        self.assertEqual(sum(e["rounded_hours"] * e["billable_rate"] for e in billed),
                         invoice["amount"])
        payments = self.ok("GET", f"/v2/invoices/{PAID}/payments")
        self.assertEqual(sum(p["amount"] for p in payments["invoice_payments"]), invoice["amount"])

    def test_import_from_tracked_time_bills_the_entries(self) -> None:
        body = {"client_id": GLOBEX, "subject": "Week 46-47", "payment_term": "net 30",
                "line_items_import": {"project_ids": [WEB], "time": {
                    "summary_type": "task", "from": "2026-11-09", "to": "2026-11-20"}}}
        invoice = self.ok("POST", "/v2/invoices", body, status=201)
        lines = {li["description"]: (li["quantity"], li["unit_price"], li["amount"])
                 for li in invoice["line_items"]}
        self.assertEqual(lines, {
            "Globex Website Relaunch: Development": (14.0, 120.0, 1680.0),
            "Globex Website Relaunch: Design": (4.5, 110.0, 495.0),
            "Globex Website Relaunch: Meetings": (0.75, 100.0, 75.0)})
        self.assertEqual((invoice["state"], invoice["amount"], invoice["due_date"],
                          invoice["period_start"], invoice["number"]),
                         ("draft", 2250.0, "2026-12-21", "2026-11-09", "1004"))
        billed = [e for e in self.fh.state["time_entries"].values()
                  if (e["invoice"] or {}).get("id") == invoice["id"]]
        self.assertEqual(len(billed), 6)
        self.assertTrue(all(e["is_billed"] and e["is_locked"] for e in billed))
        self.fail_with(403, "This entry is locked and can't be modified.",
                       "PATCH", f"/v2/time_entries/{billed[0]['id']}", {"notes": "x"})
        report = self.ok("GET", "/v2/reports/uninvoiced?from=2026-11-09&to=2026-11-20"
                                "&per_page=100")["results"]
        web = next(r for r in report if r["project_id"] == WEB)
        self.assertEqual(web["uninvoiced_hours"], 0.0)
        again = self.ok("POST", "/v2/invoices", body, status=201)
        self.assertEqual(again["line_items"], [])
        # Deleting the invoice releases its time.
        self.assertEqual(self.call("DELETE", f"/v2/invoices/{invoice['id']}").status, 200)
        self.assertFalse(any(e["is_billed"] for e in billed))

    def test_invoice_validation(self) -> None:
        self.fail_with(422, "Client can't be blank", "POST", "/v2/invoices", {"subject": "x"})
        self.fail_with(422, "Time summary type is not included in the list", "POST",
                       "/v2/invoices", {"client_id": GLOBEX, "line_items_import": {
                           "project_ids": [WEB], "time": {"summary_type": "weekly"}}})
        self.fail_with(422, "Line items import project ids can't be blank", "POST",
                       "/v2/invoices", {"client_id": GLOBEX, "line_items_import": {
                           "time": {"summary_type": "task"}}})

    def test_line_item_edits(self) -> None:
        added = self.ok("PATCH", f"/v2/invoices/{DRAFT}", {"line_items": [
            {"kind": "Product", "description": "Hardware token", "unit_price": 50.0,
             "quantity": 2}]})
        self.assertEqual(added["amount"], 1050.0)
        first = added["line_items"][0]["id"]
        changed = self.ok("PATCH", f"/v2/invoices/{DRAFT}",
                          {"line_items": [{"id": first, "quantity": 5}]})
        self.assertEqual(changed["amount"], 575.0)
        dropped = self.ok("PATCH", f"/v2/invoices/{DRAFT}",
                          {"line_items": [{"id": first, "_destroy": True}]})
        self.assertEqual((len(dropped["line_items"]), dropped["amount"]), (1, 100.0))

    def test_messages_drive_state(self) -> None:
        self.fail_with(422, "Event type can't be send unless invoice is a draft",
                       "POST", f"/v2/invoices/{OPEN}/messages", {"event_type": "send"})
        self.fail_with(422, "Recipients can't be blank", "POST", f"/v2/invoices/{DRAFT}/messages",
                       {"subject": "Invoice"})
        sent = self.ok("POST", f"/v2/invoices/{DRAFT}/messages", {"event_type": "send"},
                       status=201)
        self.assertEqual(sent["event_type"], "send")
        self.assertEqual(self.ok("GET", f"/v2/invoices/{DRAFT}")["state"], "open")
        self.ok("POST", f"/v2/invoices/{DRAFT}/messages", {"event_type": "close"}, status=201)
        self.ok("POST", f"/v2/invoices/{DRAFT}/messages", {"event_type": "re-open"}, status=201)
        mail = self.ok("POST", f"/v2/invoices/{DRAFT}/messages",
                       {"recipients": [{"name": "Al", "email": "al@umbrella.example"}],
                        "send_me_a_copy": True}, status=201)
        self.assertEqual([r["email"] for r in mail["recipients"]],
                         ["al@umbrella.example", "ada@example.com"])
        pages = self.follow(f"/v2/invoices/{DRAFT}/messages")
        self.assertEqual(sum(len(p["invoice_messages"]) for p in pages), 4)

    def test_payments(self) -> None:
        self.fail_with(422, "Pass either paid_at or paid_date, but not both", "POST",
                       f"/v2/invoices/{OPEN}/payments",
                       {"amount": 10, "paid_at": "2026-11-20T10:00:00Z",
                        "paid_date": "2026-11-20"})
        self.fail_with(422, "Amount can't be blank", "POST", f"/v2/invoices/{OPEN}/payments", {})
        part = self.ok("POST", f"/v2/invoices/{OPEN}/payments",
                       {"amount": 380.0, "paid_date": "2026-11-20"}, status=201)
        self.assertEqual(part["paid_at"], "2026-11-20T00:00:00Z")
        self.assertEqual(self.ok("GET", f"/v2/invoices/{OPEN}")["due_amount"], 2000.0)
        self.ok("POST", f"/v2/invoices/{OPEN}/payments", {"amount": 2000.0}, status=201)
        self.assertEqual(self.ok("GET", f"/v2/invoices/{OPEN}")["state"], "paid")
        listed = self.ok("GET", "/v2/invoices?state=paid")
        self.assertEqual(listed["total_entries"], 2)


class ReportTest(HarvestCase):
    def test_range_rules(self) -> None:
        self.fail_with(400, "Invalid timeframe: must not exceed 1 year", "GET",
                       "/v2/reports/time/projects?from=20260101&to=20270101")
        self.ok("GET", "/v2/reports/time/projects?from=2026-01-01&to=2026-12-31")
        self.assertEqual(self.call("GET", "/v2/reports/time/team?from=2026-11-01").status, 400)

    def test_team_report_sums_rounded_hours(self) -> None:
        pages = self.follow("/v2/reports/time/team?from=2026-11-02&to=2026-11-06")
        rows = {(r["user_name"], r["currency"]): r for p in pages for r in p["results"]}
        ada = rows["Ada Lovelace", "EUR"]   # one row per currency, as in Harvest
        # 3.5 + 1.0 + 2.25 (2.11 rounded up) + 5.0 + 1.25 + 1.0, all billable
        self.assertEqual((ada["total_hours"], ada["billable_hours"], ada["weekly_capacity"]),
                         (14.0, 14.0, 144000))
        usd = rows["Ada Lovelace", "USD"]   # the non-billable internal project
        self.assertEqual((usd["total_hours"], usd["billable_hours"], usd["billable_amount"]),
                         (0.5, 0.0, 0.0))

    def test_budget_report(self) -> None:
        pages = self.follow("/v2/reports/project_budget?is_active=true")
        rows = {r["project_id"]: r for p in pages for r in p["results"]}
        self.assertEqual(set(rows), {WEB, DATA, SUP, INTERNAL})
        self.assertEqual((rows[WEB]["budget_by"], rows[WEB]["budget"]), ("project", 200.0))
        self.assertEqual(rows[WEB]["budget_spent"] + rows[WEB]["budget_remaining"], 200.0)
        self.assertEqual(rows[DATA]["budget"], 25000.0)
        self.assertTrue(rows[SUP]["budget_is_monthly"])
        self.assertIsNone(rows[INTERNAL]["budget"])


class RateLimitTest(HarvestCase):
    def test_limit_requests_and_429_storms(self) -> None:
        self.fh.limit_requests(2, window_seconds=30)
        self.ok("GET", "/v2/users/me")
        self.ok("GET", "/v2/company")
        reply = self.call("GET", "/v2/users/me")
        self.assertEqual(reply.status, 429)
        self.assertGreaterEqual(int(reply.headers["Retry-After"]), 1)
        self.fh.server.clear_rate_limits()
        self.fh.server.fault("ratelimit", count=2, retry_after=3, path="/v2/time_entries")
        for _ in range(2):
            reply = self.call("GET", "/v2/time_entries")
            self.assertEqual((reply.status, reply.headers["Retry-After"]), (429, "3"))
        self.ok("GET", "/v2/time_entries")


class ScriptModeTest(unittest.TestCase):
    def test_prints_port_serves_and_exits_on_stdin_eof(self) -> None:
        proc = subprocess.Popen([sys.executable, SCRIPT, "--per-page", "3"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            line = proc.stdout.readline()
            self.assertRegex(line, r"^PORT \d+\n$")
            conn = http.client.HTTPConnection("127.0.0.1", int(line.split()[1]), timeout=5)
            conn.request("GET", "/v2/time_entries", headers={
                "Authorization": f"Bearer {FakeHarvest.PAT}", "User-Agent": UA,
                "Harvest-Account-Id": str(FakeHarvest.ACCOUNT_ID)})
            resp = conn.getresponse()
            body = json.loads(resp.read())
            conn.close()
            self.assertEqual((resp.status, body["per_page"], len(body["time_entries"])),
                             (200, 3, 3))
            proc.stdin.close()
            self.assertEqual(proc.wait(timeout=5), 0)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()


if __name__ == "__main__":
    unittest.main()
