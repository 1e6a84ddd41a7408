#!/usr/bin/env python3
"""Self-test for fake_gcal.py (stdlib unittest; runs from any working directory)."""
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

from fake_gcal import FakeGoogle  # noqa: E402

SCRIPT = os.path.join(HERE, "fake_gcal.py")
EVENTS = "/calendar/v3/calendars/primary/events"
WEEK = {"timeMin": "2026-11-15T23:00:00Z", "timeMax": "2026-11-22T23:00:00Z"}
READONLY = "https://www.googleapis.com/auth/calendar.readonly"


class Reply:
    def __init__(self, resp: http.client.HTTPResponse, body: bytes):
        self.status = resp.status
        self.headers = resp.headers
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def reason(self) -> str:
        return self.json()["error"]["errors"][0]["reason"]


class GoogleCase(unittest.TestCase):
    page_size: int | None = None

    def setUp(self) -> None:
        self.fg = FakeGoogle(page_size=self.page_size).start()
        self.addCleanup(self.fg.stop)

    def call(self, method: str, path: str, params: dict[str, Any] | None = None, *,
             token: str | None = FakeGoogle.TEST_TOKEN, form: dict[str, str] | None = None,
             body: Any = None) -> Reply:
        target = path
        if params:
            target += "?" + urllib.parse.urlencode(params, doseq=True)
        headers = {}
        payload = None
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if form is not None:
            payload = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn = http.client.HTTPConnection("127.0.0.1", self.fg.server.port, timeout=5)
        try:
            conn.request(method, target, body=payload, headers=headers)
            resp = conn.getresponse()
            return Reply(resp, resp.read())
        finally:
            conn.close()

    def list_all(self, params: dict[str, Any], path: str = EVENTS) -> tuple[list[dict], dict]:
        """Every page; returns the items and the last page."""
        items: list[dict] = []
        page_token = None
        for _ in range(100):
            p = dict(params)
            if page_token:
                p["pageToken"] = page_token
            r = self.call("GET", path, p)
            self.assertEqual(r.status, 200, r.body)
            page = r.json()
            items += page["items"]
            page_token = page.get("nextPageToken")
            if not page_token:
                return items, page
            self.assertNotIn("nextSyncToken", page)
        self.fail("endless pages")

    def week(self, **extra: Any) -> tuple[list[dict], dict]:
        return self.list_all({"singleEvents": "true", **WEEK, **extra})


class AuthTest(GoogleCase):
    def test_no_or_bad_token_is_401_with_googles_body(self):
        r = self.call("GET", EVENTS, token=None)
        self.assertEqual(r.status, 401)
        self.assertEqual(r.reason, "required")
        r = self.call("GET", EVENTS, token="ya29.nope")
        self.assertEqual(r.status, 401)
        self.assertEqual(r.reason, "authError")
        self.assertEqual(r.json()["error"]["message"], "Invalid Credentials")
        self.assertIn("invalid_token", r.headers["WWW-Authenticate"])

    def test_expired_tokens_and_scopes(self):
        self.fg.expire_access_tokens(FakeGoogle.TEST_TOKEN)
        self.assertEqual(self.call("GET", EVENTS).status, 401)
        self.assertEqual(self.call("GET", EVENTS, token=FakeGoogle.TEST_TOKEN_2).status, 200)
        issued = self.call("POST", "/_gcal/issue_tokens",
                           body={"scope": "https://www.googleapis.com/auth/calendar.events"}).json()
        self.assertEqual(self.call("GET", EVENTS, token=issued["access_token"]).status, 200)
        # calendar.events does not reach calendars.get
        r = self.call("GET", "/calendar/v3/calendars/primary", token=issued["access_token"])
        self.assertEqual(r.status, 403)
        self.assertEqual(r.reason, "insufficientPermissions")
        # issued tokens last an hour on the fake's clock
        self.fg.set_now(datetime.now(timezone.utc) + timedelta(seconds=3600))
        self.assertEqual(self.call("GET", EVENTS, token=issued["access_token"]).status, 401)

    def test_calendars_get_and_unknown_calendars(self):
        r = self.call("GET", "/calendar/v3/calendars/primary")
        self.assertEqual(r.json()["id"], "ada@example.com")
        self.assertEqual(r.json()["timeZone"], "Europe/Berlin")
        r = self.call("GET", "/calendar/v3/calendars/" +
                      urllib.parse.quote(FakeGoogle.TEAM, safe="") + "/events")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["summary"], "ACME Team")
        r = self.call("GET", "/calendar/v3/calendars/nobody%40example.com/events")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.reason, "notFound")


class ListTest(GoogleCase):
    def test_the_week_expanded(self):
        items, last = self.week()
        ids = [i["id"] for i in items]
        self.assertIn("stand0up_20261116T083000Z", ids)
        self.assertIn("retro1_20261120T150000Z", ids)
        self.assertIn("bday1_20261119", ids)       # all-day instance ids are dates
        self.assertIn("wl0home", ids)              # the fake filters no type by default
        self.assertNotIn("canc0l1", ids)           # cancelled: only with showDeleted
        self.assertIn("nextSyncToken", last)
        standup = items[ids.index("stand0up_20261116T083000Z")]
        self.assertEqual(standup["start"]["dateTime"], "2026-11-16T10:00:00+01:00")  # moved
        self.assertEqual(standup["originalStartTime"]["dateTime"], "2026-11-16T09:30:00+01:00")
        self.assertEqual(standup["recurringEventId"], "stand0up")
        self.assertEqual(standup["iCalUID"], "stand0up@google.com")
        self.assertNotIn("recurrence", standup)
        items, _ = self.week(showDeleted="true")
        self.assertIn("canc0l1", [i["id"] for i in items])

    def test_dst_keeps_the_local_time_of_a_series(self):
        items, _ = self.list_all({"singleEvents": "true", "timeMin": "2026-10-18T00:00:00Z",
                                  "timeMax": "2026-11-01T00:00:00Z"})
        ids = [i["id"] for i in items]
        self.assertIn("stand0up_20261019T073000Z", ids)   # 09:30 CEST
        self.assertIn("stand0up_20261026T083000Z", ids)   # 09:30 CET
        offsite = items[ids.index("offs1te")]
        self.assertEqual(offsite["start"], {"date": "2026-10-24"})
        self.assertEqual(offsite["end"], {"date": "2026-10-26"})

    def test_window_bounds_are_end_and_start(self):
        # timeMin filters on the end: a meeting ending exactly at timeMin is out.
        items, _ = self.list_all({"singleEvents": "true", "timeMin": "2026-11-18T10:00:00Z",
                                  "timeMax": "2026-11-18T10:30:00Z"})
        self.assertEqual([i["id"] for i in items], ["decl1ned"])
        # decl1ned ends at timeMin, tentat1ve starts at timeMax (exclusive both).
        items, _ = self.list_all({"singleEvents": "true", "timeMin": "2026-11-18T11:00:00Z",
                                  "timeMax": "2026-11-18T14:00:00Z"})
        self.assertEqual(items, [])

    def test_unexpanded_series_and_exceptions(self):
        items, _ = self.list_all({"timeMin": "2026-11-15T23:00:00Z"})
        by_id = {i["id"]: i for i in items}
        self.assertEqual(by_id["stand0up"]["recurrence"], ["RRULE:FREQ=WEEKLY;COUNT=12"])
        self.assertIn("stand0up_20261116T083000Z", by_id)      # the moved exception
        self.assertEqual(by_id["stand0up_20261123T083000Z"]["status"], "cancelled")

    def test_partial_responses(self):
        r = self.call("GET", EVENTS, {"singleEvents": "true", **WEEK, "maxResults": "2",
                                      "fields": "nextPageToken,items(id,organizer(email))"})
        page = r.json()
        self.assertEqual(set(page), {"items", "nextPageToken"})
        self.assertEqual(page["items"][0], {"id": "all0day1",
                                            "organizer": {"email": "ada@example.com"}})
        r = self.call("GET", EVENTS, {"fields": "items(id"})
        self.assertEqual(r.status, 400)

    def test_event_types_filter(self):
        items, _ = self.week(eventTypes=["focusTime", "outOfOffice"])
        self.assertEqual(sorted(i["id"] for i in items), ["focus1", "oof0fri"])
        r = self.call("GET", EVENTS, {"eventTypes": "meeting"})
        self.assertEqual(r.status, 400)

    def test_parameter_errors(self):
        r = self.call("GET", EVENTS, {"timeMin": "2026-11-17T14:00:00Z",
                                      "timeMax": "2026-11-17T14:00:00Z"})
        self.assertEqual((r.status, r.reason), (400, "timeRangeEmpty"))
        r = self.call("GET", EVENTS, {"timeMin": "2026-11-17T14:00:00"})   # no offset
        self.assertEqual(r.status, 400)
        r = self.call("GET", EVENTS, {"orderBy": "startTime"})
        self.assertEqual(r.status, 400)
        r = self.call("GET", EVENTS, {"maxResults": "0"})
        self.assertEqual(r.status, 400)
        r = self.call("GET", EVENTS, {"colour": "red"})
        self.assertEqual(r.status, 400)


class PagingTest(GoogleCase):
    page_size = 4

    def test_pages_are_small_and_stable(self):
        r = self.call("GET", EVENTS, {"singleEvents": "true", **WEEK, "maxResults": "2"})
        page = r.json()
        self.assertEqual(len(page["items"]), 2)            # maxResults honoured
        self.assertIn("nextPageToken", page)
        self.assertNotIn("nextSyncToken", page)
        items, last = self.week()
        self.assertEqual(len(items), 14)
        self.assertEqual(len(self.fg.server.requests_for("GET", EVENTS)), 1 + 4)   # pages of 4
        # A page token with other parameters is refused.
        r = self.call("GET", EVENTS, {"singleEvents": "true", **WEEK})
        token = r.json()["nextPageToken"]
        r = self.call("GET", EVENTS, {"singleEvents": "false", **WEEK, "pageToken": token})
        self.assertEqual(r.status, 400)
        # The same page may be asked for again (a retry).
        params = {"singleEvents": "true", **WEEK, "pageToken": token}
        once, again = self.call("GET", EVENTS, params).json(), \
            self.call("GET", EVENTS, params).json()
        self.assertEqual(once["items"], again["items"])
        self.assertEqual(once["nextPageToken"], again["nextPageToken"])


class SyncTest(GoogleCase):
    page_size = 3

    def first(self) -> str:
        _, last = self.week(showDeleted="true")
        return last["nextSyncToken"]

    def test_changes_since_the_token(self):
        token = self.first()
        self.fg.change_event("kick0ff1", summary="Moved kickoff")
        self.fg.cancel_event("retro1_20261120T150000Z")
        self.fg.delete_event("free1")
        self.fg.add_event(id="n0ewone1", summary="Far away",
                          start={"dateTime": "2027-03-01T10:00:00Z"},
                          end={"dateTime": "2027-03-01T11:00:00Z"})
        items, last = self.list_all({"singleEvents": "true", "showDeleted": "true",
                                     "syncToken": token})
        by_id = {i["id"]: i for i in items}
        self.assertEqual(set(by_id), {"kick0ff1", "retro1_20261120T150000Z", "free1",
                                      "n0ewone1"})   # outside the window too
        self.assertEqual(by_id["kick0ff1"]["summary"], "Moved kickoff")
        self.assertEqual(set(by_id["free1"]), {"kind", "id", "status", "etag"})
        self.assertEqual(by_id["retro1_20261120T150000Z"]["status"], "cancelled")
        self.assertEqual(set(by_id["retro1_20261120T150000Z"]),
                         {"kind", "id", "status", "recurringEventId", "originalStartTime",
                          "etag", "updated"})
        # Without showDeleted (the default) deletions come all the same.
        items, again = self.list_all({"singleEvents": "true", "syncToken": token})
        self.assertEqual(len(items), 4)
        items, _ = self.list_all({"singleEvents": "true", "syncToken": again["nextSyncToken"]})
        self.assertEqual(items, [])

    def test_a_deleted_series_leaves_tombstones(self):
        token = self.first()
        self.fg.delete_event("retro1")
        items, _ = self.list_all({"singleEvents": "true", "syncToken": token})
        self.assertEqual(len(items), 6)
        self.assertTrue(all(i["status"] == "cancelled" for i in items))

    def test_forbidden_parameters_with_a_sync_token(self):
        token = self.first()
        for name, value in [("timeMin", "2026-11-15T23:00:00Z"),
                            ("timeMax", "2026-11-22T23:00:00Z"), ("q", "x"),
                            ("orderBy", "updated"), ("iCalUID", "x@google.com"),
                            ("updatedMin", "2026-11-01T00:00:00Z"),
                            ("privateExtendedProperty", "a=b"),
                            ("sharedExtendedProperty", "a=b"), ("showDeleted", "false")]:
            r = self.call("GET", EVENTS, {"singleEvents": "true", "syncToken": token,
                                          name: value})
            self.assertEqual(r.status, 400, name)
            self.assertEqual(r.json()["error"]["errors"][0]["location"], name)
        r = self.call("GET", EVENTS, {"syncToken": token})        # singleEvents differs
        self.assertEqual(r.status, 400)
        r = self.call("GET", EVENTS, {"singleEvents": "true", "syncToken": "garbage"})
        self.assertEqual(r.status, 400)

    def test_expired_tokens_are_410_full_sync_required(self):
        token = self.first()
        self.fg.expire_sync_tokens()
        r = self.call("GET", EVENTS, {"singleEvents": "true", "syncToken": token})
        self.assertEqual(r.status, 410)
        error = r.json()["error"]
        self.assertEqual(error["code"], 410)
        self.assertEqual(error["errors"][0]["reason"], "fullSyncRequired")
        self.assertEqual(error["message"],
                         "Sync token is no longer valid, a full sync is required.")

    def test_rate_limit_storms(self):
        self.fg.rate_limit_storm(1, 429)
        self.fg.rate_limit_storm(1, 403, "userRateLimitExceeded")
        r = self.call("GET", EVENTS)
        self.assertEqual((r.status, r.reason), (429, "rateLimitExceeded"))
        r = self.call("GET", EVENTS)
        self.assertEqual((r.status, r.reason), (403, "userRateLimitExceeded"))
        self.assertEqual(r.json()["error"]["errors"][0]["domain"], "usageLimits")
        self.assertEqual(self.call("GET", EVENTS).status, 200)

    def test_control_api(self):
        token = self.first()
        r = self.call("POST", "/_gcal/add_event", body={"event": {
            "id": "c0ntrol1", "summary": "From C", "start": {"date": "2026-11-19"},
            "end": {"date": "2026-11-20"}}})
        self.assertEqual(r.json()["id"], "c0ntrol1")
        self.call("POST", "/_gcal/change_event", body={"id": "c0ntrol1",
                                                        "fields": {"summary": "Changed"}})
        self.call("POST", "/_gcal/cancel_event", body={"id": "stand0up_20261116T083000Z"})
        self.call("POST", "/_gcal/delete_event", body={"id": "rel0ease",
                                                        "calendar": FakeGoogle.TEAM})
        items, _ = self.list_all({"singleEvents": "true", "syncToken": token})
        self.assertEqual({i["id"] for i in items}, {"c0ntrol1", "stand0up_20261116T083000Z"})
        r = self.call("POST", "/_gcal/delete_event", body={"id": "n0such1"})
        self.assertEqual(r.status, 400)
        self.call("POST", "/_gcal/expire_sync_tokens", body={})
        self.assertEqual(self.call("GET", EVENTS, {"singleEvents": "true",
                                                   "syncToken": token}).status, 410)
        self.call("POST", "/_gcal/rate_limit_storm", body={"count": 1, "status": 403,
                                                          "reason": "rateLimitExceeded"})
        self.assertEqual(self.call("GET", EVENTS).status, 403)


class OAuthTest(GoogleCase):
    REDIRECT = "http://127.0.0.1:53682/callback"

    def authorize(self, **extra: str) -> dict[str, str]:
        params = {"client_id": FakeGoogle.CLIENT_ID, "redirect_uri": self.REDIRECT,
                  "response_type": "code", "scope": READONLY, "state": "st4te",
                  "access_type": "offline", "prompt": "consent", **extra}
        r = self.call("GET", "/o/oauth2/v2/auth", params, token=None)
        self.assertEqual(r.status, 302, r.body)
        location = r.headers["Location"]
        self.assertTrue(location.startswith(self.REDIRECT + "?"))
        return {k: v[0] for k, v in urllib.parse.parse_qs(
            urllib.parse.urlsplit(location).query).items()}

    def token(self, **form: str) -> Reply:
        base = {"client_id": FakeGoogle.CLIENT_ID, "client_secret": FakeGoogle.CLIENT_SECRET}
        return self.call("POST", "/token", token=None, form={**base, **form})

    def test_pkce_code_exchange_and_refresh(self):
        verifier = "v" * 43
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        back = self.authorize(code_challenge=challenge, code_challenge_method="S256")
        self.assertEqual(back["state"], "st4te")
        self.assertEqual(back["scope"], READONLY)
        r = self.token(grant_type="authorization_code", code=back["code"],
                       redirect_uri=self.REDIRECT, code_verifier="w" * 43)
        self.assertEqual((r.status, r.json()["error"]), (400, "invalid_grant"))
        r = self.token(grant_type="authorization_code", code=back["code"],
                       redirect_uri=self.REDIRECT, code_verifier=verifier)
        self.assertEqual(r.status, 200, r.body)
        tokens = r.json()
        self.assertEqual(tokens["token_type"], "Bearer")
        self.assertEqual(tokens["expires_in"], 3599)
        self.assertIn("refresh_token", tokens)
        self.assertEqual(self.call("GET", EVENTS, token=tokens["access_token"]).status, 200)
        # A code works once.
        r = self.token(grant_type="authorization_code", code=back["code"],
                       redirect_uri=self.REDIRECT, code_verifier=verifier)
        self.assertEqual(r.status, 400)
        # Refresh: a new access token, the refresh token stays (not in the answer).
        r = self.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])
        self.assertEqual(r.status, 200)
        self.assertNotIn("refresh_token", r.json())
        self.assertEqual(self.fg.refresh_count, 1)
        self.fg.revoke_refresh_tokens()
        r = self.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])
        self.assertEqual(r.json(), {"error": "invalid_grant",
                                    "error_description": "Token has been expired or revoked."})

    def test_client_and_redirect_checks(self):
        r = self.call("GET", "/o/oauth2/v2/auth", {
            "client_id": FakeGoogle.CLIENT_ID, "redirect_uri": "https://evil.example/cb",
            "response_type": "code", "scope": READONLY}, token=None)
        self.assertEqual(r.status, 400)
        self.assertIn(b"redirect_uri_mismatch", r.body)
        r = self.call("GET", "/o/oauth2/v2/auth", {
            "client_id": "other", "redirect_uri": self.REDIRECT, "response_type": "code",
            "scope": READONLY}, token=None)
        self.assertEqual(r.status, 401)
        back = self.authorize()
        r = self.call("POST", "/token", token=None, form={
            "client_id": FakeGoogle.CLIENT_ID, "client_secret": "wrong",
            "grant_type": "authorization_code", "code": back["code"],
            "redirect_uri": self.REDIRECT})
        self.assertEqual((r.status, r.json()["error"]), (401, "invalid_client"))
        r = self.token(grant_type="authorization_code", code=back["code"],
                       redirect_uri="http://127.0.0.1:1/other")
        self.assertEqual(r.json()["error"], "redirect_uri_mismatch")

    def test_refresh_tokens_need_offline_access_and_fresh_consent(self):
        back = self.authorize(access_type="online")
        r = self.token(grant_type="authorization_code", code=back["code"],
                       redirect_uri=self.REDIRECT)
        self.assertNotIn("refresh_token", r.json())
        back = self.authorize()
        r = self.token(grant_type="authorization_code", code=back["code"],
                       redirect_uri=self.REDIRECT)
        self.assertIn("refresh_token", r.json())
        # Consented before, and no prompt=consent this time: no new refresh token.
        back = self.authorize(prompt="select_account")
        r = self.token(grant_type="authorization_code", code=back["code"],
                       redirect_uri=self.REDIRECT)
        self.assertNotIn("refresh_token", r.json())

    def test_refusal_and_unticked_scopes(self):
        self.fg.oauth_approve = False
        self.assertEqual(self.authorize()["error"], "access_denied")
        self.fg.oauth_approve = True
        self.fg.grant_scopes = "openid"
        back = self.authorize()
        self.assertEqual(back["scope"], "openid")
        r = self.token(grant_type="authorization_code", code=back["code"],
                       redirect_uri=self.REDIRECT)
        self.assertEqual(self.call("GET", EVENTS, token=r.json()["access_token"]).status, 403)


class ScriptTest(unittest.TestCase):
    def test_script_mode_prints_the_port_and_stops_on_eof(self):
        proc = subprocess.Popen([sys.executable, SCRIPT, "--page-size", "2"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            line = proc.stdout.readline()
            self.assertRegex(line, r"^PORT \d+$")
            conn = http.client.HTTPConnection("127.0.0.1", int(line.split()[1]), timeout=5)
            conn.request("GET", EVENTS + "?singleEvents=true",
                         headers={"Authorization": f"Bearer {FakeGoogle.TEST_TOKEN}"})
            resp = conn.getresponse()
            self.assertEqual(len(json.loads(resp.read())["items"]), 2)
            conn.close()
        finally:
            proc.stdin.close()
            self.assertEqual(proc.wait(timeout=10), 0)
            proc.stdout.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
