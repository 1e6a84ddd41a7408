#!/usr/bin/env python3
"""Self-test for fake_slack.py (stdlib unittest; runs from any working directory; no sleeps)."""
from __future__ import annotations

import base64
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import unittest
import urllib.parse
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import fake_slack as fsmod  # noqa: E402
from fake_slack import FakeSlack  # noqa: E402
from fakekit import wait_for  # noqa: E402

SCRIPT = os.path.join(HERE, "fake_slack.py")
T0 = 1700000000            # the fixed clock of every test
TS_RE = r"\d{10}\.\d{6}"   # spec: defs_ts
ADA, CHARLES = FakeSlack.ADA, FakeSlack.CHARLES
TIMESHEETS, GENERAL, RANDOM = FakeSlack.TIMESHEETS, FakeSlack.GENERAL, FakeSlack.RANDOM
FINANCE, BUDGETS, OLD = FakeSlack.FINANCE, FakeSlack.BUDGETS, FakeSlack.OLD_PROJECT
META = {"event_type": "gleaner_notice", "event_payload": {"key": "budget:ACME-WEB:80"}}


class Reply:
    def __init__(self, resp: http.client.HTTPResponse, body: bytes):
        self.status = resp.status
        self.headers = resp.headers
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()


def header(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text}, **extra}


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


class SlackCase(unittest.TestCase):
    """A fresh fake per test (fixed clock), and a small client that speaks to it like gleaner."""

    rate_limit = False
    page_size: int | None = fsmod.DEFAULT_PAGE_SIZE

    def setUp(self) -> None:
        self.fs = FakeSlack(page_size=self.page_size, rate_limit=self.rate_limit).start()
        self.addCleanup(self.fs.stop)
        self.fs.set_now(T0)

    def call(self, method: str, target: str, body: Any = None, *, raw: bytes | None = None,
             form: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
             content_type: str | None = None, timeout: float = 5) -> Reply:
        """One request; `target` is a path or an absolute URL on the fake."""
        if target.startswith("http"):
            parts = urllib.parse.urlsplit(target)
            self.assertEqual(f"{parts.scheme}://{parts.netloc}", self.fs.url)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
        sent = dict(headers or {})
        payload = raw
        if body is not None:
            payload = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        elif form is not None:
            payload = urllib.parse.urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if content_type is not None:
            sent["Content-Type"] = content_type
        conn = http.client.HTTPConnection("127.0.0.1", self.fs.port, timeout=timeout)
        try:
            conn.request(method, target, body=payload, headers=sent)
            resp = conn.getresponse()
            return Reply(resp, resp.read())
        finally:
            conn.close()

    # webhooks

    def hook(self, payload: Any, url: str | None = None, **kw: Any) -> Reply:
        return self.call("POST", url or self.fs.webhook_url(), payload, **kw)

    def hook_fails(self, status: int, code: str, payload: Any, url: str | None = None,
                   **kw: Any) -> None:
        r = self.hook(payload, url, **kw)
        self.assertEqual((r.status, r.text), (status, code), payload)
        self.assertTrue(r.headers["Content-Type"].startswith("text/plain"))

    # Web API

    def api(self, method: str, body: Any = None, *, token: str | None = "BOT",
            query: dict[str, Any] | None = None, form: dict[str, Any] | None = None,
            http_method: str | None = None, **kw: Any) -> Reply:
        headers = dict(kw.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"Bearer {FakeSlack.BOT_TOKEN if token == 'BOT' else token}"
        target = f"/api/{method}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
        verb = http_method or ("POST" if body is not None or form is not None else "GET")
        if body is not None and "content_type" not in kw:
            kw["content_type"] = "application/json; charset=utf-8"
        return self.call(verb, target, body, form=form, headers=headers, **kw)

    def ok(self, method: str, body: Any = None, **kw: Any) -> dict[str, Any]:
        r = self.api(method, body, **kw)
        self.assertEqual(r.status, 200, r.body)
        data = r.json()
        self.assertIs(data["ok"], True, data)
        return data

    def fails(self, code: str, method: str, body: Any = None, **kw: Any) -> dict[str, Any]:
        r = self.api(method, body, **kw)
        self.assertEqual(r.status, 200, r.body)   # logical errors are HTTP 200
        data = r.json()
        self.assertEqual((data["ok"], data["error"]), (False, code), data)
        return data

    def post(self, channel: str, text: str = "hello", **fields: Any) -> dict[str, Any]:
        return self.ok("chat.postMessage", {"channel": channel, "text": text, **fields})

    def history(self, channel: str, **query: Any) -> dict[str, Any]:
        return self.ok("conversations.history", query={"channel": channel, **query})


# -- incoming webhooks --------------------------------------------------------------------------

class WebhookTest(SlackCase):
    def test_success_is_plain_ok_and_the_message_is_recorded(self) -> None:
        url = self.fs.webhook_url("#timesheets")
        self.assertRegex(url, rf"^{re.escape(self.fs.url)}/services/T0GLEANER/B\w+/\w{{24}}$")
        self.assertEqual(url, self.fs.url + FakeSlack.WEBHOOK_PATH)   # the seed webhook
        self.assertEqual(self.fs.webhook_url(TIMESHEETS), url)        # the same one again
        blocks = [header("Today's time"), section("*PROJ-12*\n2h 15m")]
        r = self.hook({"text": "Timesheet: 7h 30m", "blocks": blocks, "unfurl_links": False})
        self.assertEqual((r.status, r.body), (200, b"ok"))
        self.assertTrue(r.headers["Content-Type"].startswith("text/plain"))
        [m] = self.fs.messages("#timesheets")
        self.assertEqual((m["channel"], m["channel_name"], m["via"], m["webhook"]),
                         (TIMESHEETS, "timesheets", "webhook", url))
        self.assertEqual((m["text"], m["blocks"], m["metadata"]),
                         ("Timesheet: 7h 30m", blocks, None))
        self.assertEqual(m["args"]["unfurl_links"], False)
        self.assertRegex(m["ts"], TS_RE)
        self.assertEqual(self.fs.messages(via="api"), [])
        # fakekit records the request too.
        [rec] = self.fs.server.requests_for("POST", r"/services/.*")
        self.assertEqual(rec["json"]["text"], "Timesheet: 7h 30m")

    def test_webhooks_are_bound_to_their_channel(self) -> None:
        general = self.fs.webhook_url("#general")
        self.assertNotEqual(general, self.fs.webhook_url())
        other = self.fs.add_webhook("#general")
        self.assertNotEqual(other, general)
        self.hook({"text": "one", "channel": "#timesheets"}, general)   # channel is ignored
        self.hook({"text": "two"}, other)
        self.assertEqual([m["text"] for m in self.fs.messages(GENERAL)], ["one", "two"])
        self.assertEqual(self.fs.messages(TIMESHEETS), [])
        dm = self.fs.add_webhook(ADA)                                    # a webhook into a DM
        self.hook({"text": "psst"}, dm)
        self.assertEqual(self.fs.messages(ADA)[0]["channel"], self.fs.dm_id(ADA))

    def test_form_payload_is_accepted(self) -> None:
        r = self.hook(None, form={"payload": json.dumps({"text": "from a form"})})
        self.assertEqual((r.status, r.text), (200, "ok"))
        self.assertEqual(self.fs.last_message()["text"], "from a form")
        self.hook_fails(400, "invalid_payload", None, form={"payload": "{nope"})
        self.hook_fails(400, "invalid_payload", None, form={"text": "no payload field"})

    def test_payload_errors(self) -> None:
        self.hook_fails(400, "invalid_payload", None, raw=b"text=hi",
                        content_type="application/json")
        self.hook_fails(400, "invalid_payload", None, raw=b"")
        self.hook_fails(400, "invalid_payload", ["text", "hi"])
        self.hook_fails(400, "invalid_payload", {"text": 42})
        self.hook_fails(400, "no_text", {})
        self.hook_fails(400, "no_text", {"text": "   "})
        self.hook_fails(400, "no_text", {"text": "", "blocks": []})
        self.hook_fails(400, "invalid_blocks_format", {"text": "x", "blocks": {"type": "divider"}})
        self.hook_fails(400, "invalid_blocks", {"text": "x", "blocks": [{"type": "poll"}]})
        self.hook_fails(400, "msg_too_long", {"text": "x" * (fsmod.MAX_TEXT + 1)})
        self.hook_fails(400, "too_many_attachments",
                        {"attachments": [{"text": "a"}] * (fsmod.MAX_ATTACHMENTS + 1)})
        self.assertEqual(self.fs.messages(), [])
        # Blocks alone (no top-level text), or attachments alone, are enough.
        self.assertEqual(self.hook({"blocks": [section("only blocks")]}).status, 200)
        self.assertEqual(self.hook({"attachments": [{"fallback": "f", "text": "a"}]}).status,
                         200)

    def test_block_kit_limits(self) -> None:
        ok = [header("h" * 150), section("s" * 3000, block_id="b" * 255),
              {"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2000}] * 10},
              {"type": "divider"},
              {"type": "context", "elements": [{"type": "mrkdwn", "text": "Synced 17:05"},
                                               {"type": "image", "image_url": "https://x/i.png",
                                                "alt_text": "logo"}]},
              {"type": "actions", "elements": [{"type": "button", "action_id": "open",
                                                "text": {"type": "plain_text", "text": "Open"},
                                                "url": "https://example.com", "style": "primary"}]},
              {"type": "markdown", "text": "**bold**"},
              {"type": "image", "image_url": "https://x/chart.png", "alt_text": "chart",
               "title": {"type": "plain_text", "text": "Hours"}},
              section("with a button", accessory={"type": "button", "text": {
                  "type": "plain_text", "text": "Go"}})]
        self.assertEqual(self.hook({"text": "ok", "blocks": ok}).status, 200)
        self.assertEqual(self.hook({"text": "50", "blocks": [{"type": "divider"}] * 50}).status,
                         200)
        bad = {
            "51 blocks": [{"type": "divider"}] * 51,
            "long header": [header("h" * 151)],
            "mrkdwn header": [{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}],
            "header without text": [{"type": "header"}],
            "long section": [section("s" * 3001)],
            "empty text": [section("")],
            "bad text type": [{"type": "section", "text": {"type": "html", "text": "x"}}],
            "11 fields": [{"type": "section",
                           "fields": [{"type": "mrkdwn", "text": "f"}] * 11}],
            "long field": [{"type": "section",
                            "fields": [{"type": "plain_text", "text": "f" * 2001}]}],
            "empty section": [{"type": "section"}],
            "long block_id": [section("x", block_id="b" * 256)],
            "duplicate block_id": [section("x", block_id="a"), section("y", block_id="a")],
            "unknown type": [{"type": "table"}],
            "block not an object": ["divider"],
            "empty context": [{"type": "context", "elements": []}],
            "button without text": [{"type": "actions", "elements": [{"type": "button"}]}],
            "image without alt": [{"type": "image", "image_url": "https://x/i.png"}],
            "long markdown": [{"type": "markdown", "text": "m" * 12001}],
            "markdown total": [{"type": "markdown", "text": "m" * 7000}] * 2,
            "emoji on mrkdwn": [{"type": "section",
                                 "text": {"type": "mrkdwn", "text": "x", "emoji": True}}],
        }
        for name, blocks in bad.items():
            with self.subTest(name):
                self.hook_fails(400, "invalid_blocks", {"text": "x", "blocks": blocks})

    def test_unknown_deleted_archived_prohibited_revoked(self) -> None:
        url = self.fs.webhook_url()
        self.hook_fails(404, "channel_not_found", {"text": "x"},
                        self.fs.url + "/services/T0GLEANER/B0NOSUCH/abc")
        self.hook_fails(404, "channel_not_found", {"text": "x"}, url + "x")
        self.fs.archive("#timesheets")
        self.hook_fails(410, "channel_is_archived", {"text": "x"}, url)
        self.fs.unarchive(TIMESHEETS)
        self.assertEqual(self.hook({"text": "back"}, url).status, 200)
        self.fs.prohibit_webhooks()
        self.hook_fails(403, "action_prohibited", {"text": "x"}, url)
        self.fs.prohibit_webhooks(prohibited=False)
        self.fs.prohibit_webhooks("#timesheets")
        self.hook_fails(403, "action_prohibited", {"text": "x"}, url)
        self.assertEqual(self.hook({"text": "y"}, self.fs.webhook_url("#general")).status, 200)
        self.fs.prohibit_webhooks("#timesheets", prohibited=False)
        self.fs.revoke_webhook(url)
        self.hook_fails(403, "invalid_token", {"text": "x"}, url)
        self.assertNotEqual(self.fs.webhook_url(), url)     # a fresh one replaces it
        gone = self.fs.webhook_url("#general")
        self.fs.delete_channel("#general")
        self.hook_fails(404, "channel_not_found", {"text": "x"}, gone)
        r = self.call("GET", self.fs.webhook_url())
        self.assertEqual((r.status, r.headers["Allow"]), (405, "POST"))
        self.assertEqual([m["text"] for m in self.fs.messages()], ["back", "y"])

    def test_webhook_faults_have_slacks_shapes(self) -> None:
        self.fs.fail(1, 429, transport="webhook", retry_after=7)
        self.fs.fail(1, 500, transport="webhook")
        r = self.hook({"text": "x"})
        self.assertEqual((r.status, r.text, r.headers["Retry-After"]), (429, "rate_limited", "7"))
        self.hook_fails(500, "rollup_error", {"text": "x"})
        self.assertEqual(self.hook({"text": "x"}).status, 200)
        self.assertEqual(len(self.fs.messages()), 1)


class RateLimitTest(SlackCase):
    rate_limit = True   # the default: 1 message/s, bursts of 3

    def test_webhook_burst_then_429_with_retry_after(self) -> None:
        url = self.fs.webhook_url()
        for i in range(fsmod.DEFAULT_POST_BURST):
            self.assertEqual(self.hook({"text": f"m{i}"}, url).status, 200)
        r = self.hook({"text": "too fast"}, url)
        self.assertEqual((r.status, r.text, r.headers["Retry-After"]), (429, "rate_limited", "1"))
        self.assertEqual(self.hook({"text": "other hook"}, self.fs.add_webhook("#timesheets"))
                         .status, 200)                      # counted per webhook
        self.fs.advance(0.5)
        self.assertEqual(self.hook({"text": "still"}, url).status, 429)
        self.fs.advance(0.5)
        self.assertEqual(self.hook({"text": "one more"}, url).status, 200)
        self.assertEqual(self.hook({"text": "again"}, url).headers["Retry-After"], "1")
        self.fs.advance(10)                                 # refills up to the burst only
        for i in range(fsmod.DEFAULT_POST_BURST):
            self.assertEqual(self.hook({"text": f"n{i}"}, url).status, 200)
        self.assertEqual(self.hook({"text": "x"}, url).status, 429)
        self.assertNotIn("too fast", [m["text"] for m in self.fs.messages()])

    def test_api_limit_is_per_channel(self) -> None:
        for i in range(3):
            self.post("#timesheets", f"m{i}")
        r = self.api("chat.postMessage", {"channel": TIMESHEETS, "text": "too fast"})
        self.assertEqual((r.status, r.headers["Retry-After"]), (429, "1"))
        self.assertEqual(r.json(), {"ok": False, "error": "ratelimited"})
        self.post("#general", "another channel")
        self.fs.advance(1)
        self.post("#timesheets", "later")

    def test_configurable_and_off(self) -> None:
        self.fs.set_post_limit(rate=0.5, burst=1)
        self.post("#general")
        r = self.api("chat.postMessage", {"channel": GENERAL, "text": "x"})
        self.assertEqual((r.status, r.headers["Retry-After"]), (429, "2"))
        self.fs.set_post_limit(None)
        for _ in range(20):
            self.post("#general")
            self.assertEqual(self.hook({"text": "x"}).status, 200)
        with self.assertRaises(ValueError):
            self.fs.set_post_limit(rate=0)

    def test_method_tiers(self) -> None:
        self.fs.limit_method("conversations.history", per_minute=2)
        self.history(TIMESHEETS)
        self.history(GENERAL)
        r = self.api("conversations.history", query={"channel": TIMESHEETS})
        self.assertEqual((r.status, r.headers["Retry-After"], r.json()["error"]),
                         (429, "30", "ratelimited"))
        self.fs.advance(30)
        self.history(TIMESHEETS)
        self.fs.limit_method("conversations.history", None)
        for _ in range(5):
            self.history(TIMESHEETS)


# -- Web API: auth and request shapes ------------------------------------------------------------

class AuthTest(SlackCase):
    def test_tokens(self) -> None:
        self.fails("not_authed", "auth.test", token=None)
        self.fails("not_authed", "auth.test", token=None, headers={"Authorization": "Basic x"})
        self.fails("invalid_auth", "auth.test", token="xoxb-nope")
        # A token as a POST parameter works; in the query string the fake ignores it.
        self.ok("auth.test", token=None, form={"token": FakeSlack.BOT_TOKEN})
        self.fails("not_authed", "auth.test", token=None, query={"token": FakeSlack.BOT_TOKEN})
        self.fs.revoke_token(FakeSlack.BOT_TOKEN)
        self.fails("token_revoked", "chat.postMessage", {"channel": GENERAL, "text": "x"})

    def test_auth_test_shape(self) -> None:
        data = self.ok("auth.test", http_method="POST")
        self.assertEqual(data, {"ok": True, "url": "https://acme-consulting.slack.com/",
                                "team": "Acme Consulting", "user": "gleaner",
                                "team_id": FakeSlack.TEAM_ID, "user_id": FakeSlack.BOT_USER_ID,
                                "bot_id": FakeSlack.BOT_ID, "is_enterprise_install": False})
        r = self.api("auth.test")
        self.assertIn("chat:write", r.headers["X-OAuth-Scopes"])
        self.assertTrue(r.headers["Content-Type"].startswith("application/json"))

    def test_body_encodings(self) -> None:
        # JSON without a charset works but warns, as Slack does.
        r = self.call("POST", "/api/chat.postMessage", {"channel": GENERAL, "text": "a"},
                      headers={"Authorization": f"Bearer {FakeSlack.BOT_TOKEN}"})
        data = r.json()
        self.assertTrue(data["ok"])
        self.assertEqual(data["response_metadata"]["warnings"], ["missing_charset"])
        self.assertNotIn("warning", self.post(GENERAL, "b"))
        self.fails("invalid_json", "chat.postMessage", raw=b"{nope", http_method="POST",
                   content_type="application/json; charset=utf-8")
        self.fails("json_not_object", "chat.postMessage", raw=b"[1]", http_method="POST",
                   content_type="application/json; charset=utf-8")
        self.fails("missing_post_type", "chat.postMessage", raw=b"channel=x", http_method="POST")
        self.fails("invalid_post_type", "chat.postMessage", raw=b"x", http_method="POST",
                   content_type="application/xml")
        self.fails("invalid_charset", "chat.postMessage", raw=b"{}", http_method="POST",
                   content_type="application/json; charset=koi8-r")
        r = self.api("chat.nope")
        self.assertEqual((r.status, r.json()),
                         (404, {"ok": False, "error": "unknown_method", "req_method": "chat.nope"}))
        self.assertEqual(self.call("GET", "/elsewhere").status, 404)


# -- chat.postMessage --------------------------------------------------------------------------

class PostMessageTest(SlackCase):
    def test_success_shape_and_increasing_ts(self) -> None:
        blocks = [header("Budget alert"), section("*ACME-WEB* is at 80 %")]
        data = self.post("#timesheets", "ACME-WEB: 80 % of budget", blocks=blocks, metadata=META)
        self.assertEqual(set(data), {"ok", "channel", "ts", "message"})
        self.assertEqual(data["channel"], TIMESHEETS)
        self.assertRegex(data["ts"], TS_RE)
        self.assertEqual(data["ts"], f"{T0}.000000")
        msg = data["message"]
        self.assertEqual((msg["type"], msg["ts"], msg["text"], msg["user"], msg["bot_id"]),
                         ("message", data["ts"], "ACME-WEB: 80 % of budget",
                          FakeSlack.BOT_USER_ID, FakeSlack.BOT_ID))
        self.assertEqual(msg["metadata"], META)
        # Slack gives every stored block a block_id; what was sent is kept in messages().
        self.assertTrue(all(b["block_id"] for b in msg["blocks"]))
        self.assertEqual([b["type"] for b in msg["blocks"]], ["header", "section"])
        [rec] = self.fs.messages(TIMESHEETS)
        self.assertEqual((rec["blocks"], rec["metadata"], rec["via"], rec["ts"]),
                         (blocks, META, "api", data["ts"]))
        seen = [data["ts"]]
        for ref in ("timesheets", TIMESHEETS, "#general", BUDGETS):
            seen.append(self.post(ref)["ts"])
        self.assertEqual(seen, sorted(seen))
        self.assertEqual(len(set(seen)), len(seen))
        self.fs.advance(2.5)
        self.assertEqual(self.post(GENERAL)["ts"], f"{T0 + 2}.500000")

    def test_form_encoded_like_the_spec(self) -> None:
        blocks = [section("from a form")]
        data = self.ok("chat.postMessage", form={
            "channel": "#general", "text": "fallback", "blocks": json.dumps(blocks),
            "metadata": json.dumps(META), "unfurl_links": "false"})
        self.assertEqual(data["channel"], GENERAL)
        m = self.fs.last_message(GENERAL)
        self.assertEqual((m["blocks"], m["metadata"]), (blocks, META))
        # blocks and metadata may also arrive as JSON strings inside a JSON body.
        self.post(GENERAL, "x", blocks=json.dumps(blocks), metadata=json.dumps(META))
        self.fails("invalid_blocks_format", "chat.postMessage",
                   form={"channel": GENERAL, "text": "x", "blocks": "[{nope"})

    def test_channel_errors(self) -> None:
        self.fails("invalid_arguments", "chat.postMessage", {"text": "x"})
        self.fails("channel_not_found", "chat.postMessage", {"channel": "C0NOSUCH1", "text": "x"})
        self.fails("channel_not_found", "chat.postMessage", {"channel": "#nowhere", "text": "x"})
        self.fails("channel_not_found", "chat.postMessage", {"channel": "@ada", "text": "x"})
        self.fails("channel_not_found", "chat.postMessage", {"channel": FINANCE, "text": "x"})
        self.fails("channel_not_found", "chat.postMessage", {"channel": "U0NOSUCH", "text": "x"})
        self.fails("not_in_channel", "chat.postMessage", {"channel": "#random", "text": "x"})
        self.fails("is_archived", "chat.postMessage", {"channel": OLD, "text": "x"})
        self.fs.archive("#general")
        self.fails("is_archived", "chat.postMessage", {"channel": "#general", "text": "x"})
        # chat:write.public lets the bot post where it is not a member (public channels only).
        self.fs.set_scopes(FakeSlack.BOT_TOKEN, FakeSlack.BOT_SCOPES + ("chat:write.public",))
        self.post("#random")
        self.fails("channel_not_found", "chat.postMessage", {"channel": FINANCE, "text": "x"})
        self.fs.set_member("#finance")
        self.post("#finance")
        self.fs.set_scopes(FakeSlack.BOT_TOKEN, ["users:read"])
        data = self.fails("missing_scope", "chat.postMessage", {"channel": GENERAL, "text": "x"})
        self.assertEqual((data["needed"], data["provided"]), ("chat:write", "users:read"))
        self.assertEqual([m["channel"] for m in self.fs.messages()], [RANDOM, FINANCE])

    def test_content_errors(self) -> None:
        self.fails("no_text", "chat.postMessage", {"channel": GENERAL})
        self.fails("no_text", "chat.postMessage", {"channel": GENERAL, "text": ""})
        self.fails("no_text", "chat.postMessage", {"channel": GENERAL, "text": "", "blocks": []})
        self.fails("invalid_arguments", "chat.postMessage", {"channel": GENERAL, "text": 5})
        self.post(GENERAL, "x" * fsmod.MAX_TEXT)
        self.fails("msg_too_long", "chat.postMessage",
                   {"channel": GENERAL, "text": "x" * (fsmod.MAX_TEXT + 1)})
        data = self.fails("invalid_blocks", "chat.postMessage",
                          {"channel": GENERAL, "text": "x", "blocks": [header("h" * 151)]})
        self.assertEqual(data["response_metadata"]["messages"],
                         ["[ERROR] must be less than 151 characters "
                          "[json-pointer:/blocks/0/text/text]"])
        data = self.fails("invalid_blocks", "chat.postMessage",
                          {"channel": GENERAL, "text": "x", "blocks": [{"type": "divider"}] * 51})
        self.assertIn("[json-pointer:/blocks]", data["response_metadata"]["messages"][0])
        self.fails("invalid_blocks_format", "chat.postMessage",
                   {"channel": GENERAL, "text": "x", "blocks": {"type": "divider"}})
        self.fails("invalid_metadata_format", "chat.postMessage",
                   {"channel": GENERAL, "text": "x", "metadata": "{nope"})
        self.fails("invalid_metadata_format", "chat.postMessage",
                   {"channel": GENERAL, "text": "x", "metadata": [1]})
        for meta in ({"event_type": "gleaner notice", "event_payload": {}},
                     {"event_payload": {"key": "k"}}, {"event_type": "t", "event_payload": "k"}):
            self.fails("invalid_metadata_schema", "chat.postMessage",
                       {"channel": GENERAL, "text": "x", "metadata": meta})
        self.assertEqual(len(self.fs.messages()), 1)

    def test_threads(self) -> None:
        parent = self.post(GENERAL, "parent")["ts"]
        reply = self.post(GENERAL, "reply", thread_ts=parent)
        self.assertEqual(reply["message"]["thread_ts"], parent)
        self.post(GENERAL, "broadcast", thread_ts=parent, reply_broadcast=True)
        listed = self.history(GENERAL)["messages"]
        self.assertEqual([m["text"] for m in listed], ["broadcast", "parent"])
        self.assertEqual(listed[0]["subtype"], "thread_broadcast")
        self.assertEqual((listed[1]["reply_count"], listed[1]["thread_ts"]), (2, parent))
        self.assertEqual(self.fs.messages(GENERAL)[1]["thread_ts"], parent)


class DirectMessageTest(SlackCase):
    def test_open_and_post_to_a_user(self) -> None:
        data = self.ok("conversations.open", {"users": ADA})
        dm = data["channel"]["id"]
        self.assertRegex(dm, r"^D[A-Z0-9]{8,}$")
        self.assertNotIn("already_open", data)
        again = self.ok("conversations.open", form={"users": ADA})
        self.assertEqual((again["channel"]["id"], again["already_open"], again["no_op"]),
                         (dm, True, True))
        full = self.ok("conversations.open", {"users": ADA, "return_im": True})["channel"]
        self.assertEqual((full["id"], full["is_im"], full["user"]), (dm, True, ADA))
        # Posting to the user id lands in that DM, as in Slack.
        sent = self.post(ADA, "Your week: 38h logged")
        self.assertEqual(sent["channel"], dm)
        sent = self.post(dm, "again")
        self.assertEqual(sent["channel"], dm)
        self.assertEqual([m["text"] for m in self.fs.messages(ADA)],
                         ["Your week: 38h logged", "again"])
        self.assertEqual(self.fs.messages(dm), self.fs.messages(ADA))
        self.assertEqual([m["text"] for m in self.history(dm)["messages"]],
                         ["again", "Your week: 38h logged"])

    def test_posting_to_a_user_opens_the_dm(self) -> None:
        self.assertEqual(self.fs.messages(CHARLES), [])
        dm = self.post(CHARLES, "hi")["channel"]
        self.assertEqual(dm, self.fs.dm_id(CHARLES))
        self.assertEqual(self.ok("conversations.open", {"users": CHARLES})["channel"]["id"], dm)

    def test_open_errors(self) -> None:
        self.fails("users_list_not_supplied", "conversations.open", {})
        self.fails("user_not_found", "conversations.open", {"users": "U0NOSUCH"})
        self.fails("cannot_dm_bot", "conversations.open", {"users": FakeSlack.BOT_USER_ID})
        self.fails("invalid_user_combination", "conversations.open", {"users": f"{ADA},{CHARLES}"})
        self.fails("channel_not_found", "conversations.open", {"channel": GENERAL})
        dm = self.fs.dm_id(ADA)
        self.assertEqual(self.ok("conversations.open", {"channel": dm})["channel"]["id"], dm)
        self.fs.set_scopes(FakeSlack.BOT_TOKEN, ["chat:write"])
        self.assertEqual(self.fails("missing_scope", "conversations.open",
                                    {"users": ADA})["needed"], "im:write")


class LookupTest(SlackCase):
    def test_lookup_by_email(self) -> None:
        user = self.ok("users.lookupByEmail", query={"email": "ada@example.com"})["user"]
        self.assertEqual((user["id"], user["name"], user["real_name"], user["team_id"]),
                         (ADA, "ada", "Ada Lovelace", FakeSlack.TEAM_ID))
        self.assertEqual(user["profile"]["email"], "ada@example.com")
        self.assertIs(user["deleted"], False)
        self.assertEqual(self.ok("users.lookupByEmail", query={"email": "Charles@Example.com"})
                         ["user"]["id"], CHARLES)
        self.assertEqual(self.ok("users.lookupByEmail", form={"email": "grace@example.com"})
                         ["user"]["name"], "grace")
        self.fails("users_not_found", "users.lookupByEmail", query={"email": "x@example.com"})
        self.fails("invalid_arguments", "users.lookupByEmail")
        added = self.fs.add_user("alan@example.com", "alan", "Alan Turing")
        self.assertRegex(added["id"], r"^U[A-Z0-9]{2,}$")
        found = self.ok("users.lookupByEmail", query={"email": "alan@example.com"})["user"]
        self.assertEqual((found["id"], found["real_name"]), (added["id"], "Alan Turing"))
        self.assertEqual(self.post(found["id"], "welcome")["channel"],
                         self.fs.dm_id("alan@example.com"))
        with self.assertRaises(ValueError):
            self.fs.add_user("ADA@example.com")
        self.fs.set_scopes(FakeSlack.BOT_TOKEN, ["users:read"])
        data = self.fails("missing_scope", "users.lookupByEmail",
                          query={"email": "ada@example.com"})
        self.assertEqual(data["needed"], "users:read.email")


# -- conversations.history -----------------------------------------------------------------------

class HistoryTest(SlackCase):
    page_size = 2

    def fill(self, channel: str, n: int) -> list[str]:
        return [self.post(channel, f"m{i}", metadata={"event_type": "gleaner_notice",
                                                      "event_payload": {"key": f"k{i}"}})["ts"]
                for i in range(n)]

    def test_newest_first_with_cursor_pages(self) -> None:
        ts = self.fill(TIMESHEETS, 5)
        first = self.history(TIMESHEETS)
        self.assertEqual([m["ts"] for m in first["messages"]], [ts[4], ts[3]])
        self.assertTrue(first["has_more"])
        cursor = first["response_metadata"]["next_cursor"]
        self.assertTrue(base64.b64decode(cursor).startswith(b"next_ts:"))
        seen, page = [], first
        while True:
            seen += [m["text"] for m in page["messages"]]
            if not page["has_more"]:
                self.assertNotIn("response_metadata", page)
                break
            page = self.history(TIMESHEETS, cursor=page["response_metadata"]["next_cursor"])
        self.assertEqual(seen, ["m4", "m3", "m2", "m1", "m0"])
        self.assertEqual((first["pin_count"], first["channel_actions_count"]), (0, 0))
        # limit can ask for fewer than the page size, not for more.
        self.assertEqual(len(self.history(TIMESHEETS, limit=1)["messages"]), 1)
        self.assertEqual(len(self.history(TIMESHEETS, limit=200)["messages"]), 2)
        self.fails("invalid_cursor", "conversations.history",
                   query={"channel": TIMESHEETS, "cursor": "garbage!"})

    def test_metadata_only_when_asked(self) -> None:
        self.fill(GENERAL, 1)
        [plain] = self.history(GENERAL)["messages"]
        self.assertNotIn("metadata", plain)
        [full] = self.history(GENERAL, include_all_metadata="true")["messages"]
        self.assertEqual(full["metadata"], {"event_type": "gleaner_notice",
                                            "event_payload": {"key": "k0"}})

    def test_oldest_latest_inclusive(self) -> None:
        ts = []
        for i in range(4):
            ts.append(self.post(GENERAL, f"m{i}")["ts"])
            self.fs.advance(10)
        self.assertEqual([m["text"] for m in self.history(GENERAL, oldest=ts[1], limit=10)
                          ["messages"]], ["m3", "m2"])                       # exclusive
        self.assertEqual([m["text"] for m in self.history(GENERAL, oldest=ts[2],
                                                          inclusive="true")["messages"]],
                         ["m3", "m2"])
        self.assertEqual([m["text"] for m in self.history(GENERAL, oldest=str(T0 + 5),
                                                          latest=str(T0 + 25))["messages"]],
                         ["m2", "m1"])
        self.assertEqual(self.history(GENERAL, oldest=str(T0 + 100))["messages"], [])
        self.fails("invalid_ts_oldest", "conversations.history",
                   query={"channel": GENERAL, "oldest": "yesterday"})
        self.fails("invalid_ts_latest", "conversations.history",
                   query={"channel": GENERAL, "latest": "1.2.3"})

    def test_webhook_api_and_member_messages_all_show(self) -> None:
        self.call("POST", self.fs.webhook_url(), {"text": "via hook"})
        self.fs.advance(1)
        ts = self.fs.add_message("#timesheets", "a human wrote this", user=CHARLES)
        self.fs.advance(1)
        self.post(TIMESHEETS, "via api", blocks=[section("s")])
        page = self.ok("conversations.history", query={"channel": TIMESHEETS, "limit": 2})
        hook_page = self.history(TIMESHEETS, cursor=page["response_metadata"]["next_cursor"])
        api_msg, human = page["messages"]
        [hook_msg] = hook_page["messages"]
        self.assertEqual((human["user"], human["ts"]), (CHARLES, ts))
        self.assertEqual((hook_msg["subtype"], hook_msg["text"]), ("bot_message", "via hook"))
        self.assertEqual(api_msg["user"], FakeSlack.BOT_USER_ID)
        self.assertIn("block_id", api_msg["blocks"][0])
        self.assertEqual([m["via"] for m in self.fs.messages()], ["webhook", "user", "api"])

    def test_scopes_and_access(self) -> None:
        data = self.fails("missing_scope", "conversations.history",
                          query={"channel": TIMESHEETS}, token=FakeSlack.LIMITED_TOKEN)
        self.assertEqual(data["needed"], "channels:history")
        self.assertEqual(data["provided"], ",".join(FakeSlack.LIMITED_SCOPES))
        self.fs.set_scopes(FakeSlack.BOT_TOKEN, ["chat:write", "channels:history"])
        self.history(TIMESHEETS)
        self.assertEqual(self.fails("missing_scope", "conversations.history",
                                    query={"channel": BUDGETS})["needed"], "groups:history")
        self.assertEqual(self.fails("missing_scope", "conversations.history",
                                    query={"channel": self.fs.dm_id(ADA)})["needed"],
                         "im:history")
        self.fs.set_scopes(FakeSlack.BOT_TOKEN, FakeSlack.BOT_SCOPES)
        self.history(BUDGETS)
        self.fails("not_in_channel", "conversations.history", query={"channel": RANDOM})
        self.fails("channel_not_found", "conversations.history", query={"channel": FINANCE})
        self.fails("channel_not_found", "conversations.history", query={"channel": "#general"})
        self.fails("channel_not_found", "conversations.history")
        self.fs.add_token("xoxb-other", ["channels:history"])
        self.ok("conversations.history", query={"channel": GENERAL}, token="xoxb-other")
        self.fails("missing_scope", "chat.postMessage", {"channel": GENERAL, "text": "x"},
                   token="xoxb-other")

    def test_default_page_size_is_small_and_configurable(self) -> None:
        fs = FakeSlack(page_size=None, rate_limit=False).start()
        self.addCleanup(fs.stop)
        fs.set_now(T0)
        for i in range(7):
            fs.add_message(GENERAL, f"m{i}")
        conn = http.client.HTTPConnection("127.0.0.1", fs.port, timeout=5)
        self.addCleanup(conn.close)
        conn.request("GET", f"/api/conversations.history?channel={GENERAL}",
                     headers={"Authorization": f"Bearer {fs.BOT_TOKEN}"})
        page = json.loads(conn.getresponse().read())
        self.assertEqual((len(page["messages"]), page["has_more"]), (7, False))
        default = FakeSlack()
        self.addCleanup(default.stop)
        self.assertEqual(default.page_size, fsmod.DEFAULT_PAGE_SIZE)


# -- conversations.list ----------------------------------------------------------------------------

class ConversationsListTest(SlackCase):
    """Cursor pages, types, exclude_archived, scopes; and a #name resolved to the id history takes."""

    CHANNEL_KEYS = {"id", "name", "name_normalized", "is_channel", "is_group", "is_im", "is_mpim",
                    "is_private", "is_archived", "is_general", "is_member", "created", "creator"}

    def listing(self, **query: Any) -> list[dict[str, Any]]:
        """Every page of conversations.list with `query`; returns the pages."""
        pages = [self.ok("conversations.list", query=query)]
        while pages[-1]["response_metadata"]["next_cursor"]:
            self.assertLess(len(pages), 50)
            pages.append(self.ok("conversations.list", query={
                **query, "cursor": pages[-1]["response_metadata"]["next_cursor"]}))
        return pages

    def names(self, **query: Any) -> list[str]:
        return [c["name"] for p in self.listing(**query) for c in p["channels"]]

    def test_public_channels_by_default_in_cursor_pages(self) -> None:
        pages = self.listing()
        self.assertEqual([len(p["channels"]) for p in pages], [2, 2])    # list_page_size 2
        self.assertEqual([c["name"] for p in pages for c in p["channels"]],
                         ["timesheets", "general", "random", "old-project"])
        first = pages[0]
        self.assertEqual(set(first), {"ok", "channels", "response_metadata"})
        cursor = first["response_metadata"]["next_cursor"]
        self.assertEqual(base64.b64decode(cursor), f"team:{RANDOM}".encode())
        self.assertEqual(pages[-1]["response_metadata"], {"next_cursor": ""})   # spec: required
        timesheets, general = first["channels"]
        self.assertLessEqual(self.CHANNEL_KEYS, set(timesheets))
        self.assertRegex(timesheets["id"], r"^[CGD][A-Z0-9]{8,}$")        # spec: defs_channel
        self.assertEqual((timesheets["id"], timesheets["is_channel"], timesheets["is_private"],
                          timesheets["is_archived"], timesheets["is_member"],
                          timesheets["is_general"], timesheets["name_normalized"]),
                         (TIMESHEETS, True, False, False, True, False, "timesheets"))
        self.assertIs(general["is_general"], True)
        [random, old] = pages[1]["channels"]
        self.assertEqual((random["id"], random["is_member"]), (RANDOM, False))
        self.assertEqual((old["id"], old["is_archived"]), (OLD, True))
        # The same through POST, as a form or as JSON.
        self.assertEqual(self.ok("conversations.list", form={"limit": "1"})["channels"][0]["id"],
                         TIMESHEETS)
        self.assertEqual(len(self.ok("conversations.list", {"limit": 1})["channels"]), 1)

    def test_types_and_exclude_archived(self) -> None:
        both = "public_channel,private_channel"
        # #finance is private without the bot: not listed; #budgets is.
        self.assertEqual(self.names(types=both),
                         ["timesheets", "general", "random", "budgets", "old-project"])
        self.assertEqual(self.names(types=both, exclude_archived="true"),
                         ["timesheets", "general", "random", "budgets"])
        self.assertEqual(self.names(types="private_channel"), ["budgets"])
        self.fs.set_member("#finance")
        self.assertEqual(self.names(types="private_channel"), ["finance", "budgets"])
        [budgets] = [c for p in self.listing(types="private_channel") for c in p["channels"]
                     if c["name"] == "budgets"]
        self.assertEqual((budgets["id"], budgets["is_private"], budgets["is_group"]),
                         (BUDGETS, True, False))
        dm = self.fs.dm_id(ADA)
        [im] = self.ok("conversations.list", query={"types": "im"})["channels"]
        self.assertEqual((im["id"], im["is_im"], im["user"]), (dm, True, ADA))
        self.assertNotIn(dm, [c["id"] for p in self.listing(types=both) for c in p["channels"]])
        self.fails("invalid_types", "conversations.list", query={"types": "public_channel,dm"})
        data = self.fails("missing_scope", "conversations.list", query={"types": "mpim"})
        self.assertEqual(data["needed"], "mpim:read")

    def test_archived_are_dropped_after_the_page_is_cut(self) -> None:
        # As Slack does: a page may come back short, or empty, with a cursor to go on.
        self.fs.archive("#timesheets")
        self.fs.archive("#general")
        pages = self.listing(exclude_archived="true")
        self.assertEqual([[c["name"] for c in p["channels"]] for p in pages],
                         [[], ["random"]])
        self.assertTrue(pages[0]["response_metadata"]["next_cursor"])
        added = self.fs.add_channel("budget-alerts")    # made later: listed last
        self.assertEqual(self.names(exclude_archived="true"), ["random", "budget-alerts"])
        self.assertEqual(self.listing()[-1]["channels"][-1]["id"], added)

    def test_limit_and_cursor(self) -> None:
        self.assertEqual([len(p["channels"]) for p in self.listing(limit=1)], [1, 1, 1, 1])
        self.assertEqual(len(self.ok("conversations.list", query={"limit": 1000})["channels"]), 2)
        self.assertEqual(len(self.ok("conversations.list", query={"limit": 0})["channels"]), 2)
        self.fails("invalid_limit", "conversations.list", query={"limit": "many"})
        self.fails("invalid_cursor", "conversations.list", query={"cursor": "garbage!"})
        self.fails("invalid_cursor", "conversations.list",
                   query={"cursor": base64.b64encode(b"next_ts:1700000000000000").decode()})
        cursor = self.ok("conversations.list")["response_metadata"]["next_cursor"]
        self.fs.delete_channel(RANDOM)                  # the channel the cursor points at
        self.fails("invalid_cursor", "conversations.list", query={"cursor": cursor})
        fs = FakeSlack(list_page_size=None, rate_limit=False).start()
        self.addCleanup(fs.stop)
        for i in range(fsmod.DEFAULT_LIST_LIMIT + 5):
            fs.add_channel(f"extra-{i}")
        conn = http.client.HTTPConnection("127.0.0.1", fs.port, timeout=5)
        self.addCleanup(conn.close)
        for query, expected in (("", fsmod.DEFAULT_LIST_LIMIT), ("?limit=1000", 4 + 105)):
            conn.request("GET", f"/api/conversations.list{query}",
                         headers={"Authorization": f"Bearer {fs.BOT_TOKEN}"})
            self.assertEqual(len(json.loads(conn.getresponse().read())["channels"]), expected)
        with self.assertRaises(ValueError):
            FakeSlack(list_page_size=0)

    def test_auth_scopes_limits_and_faults(self) -> None:
        self.fails("not_authed", "conversations.list", token=None)
        self.fails("invalid_auth", "conversations.list", token="xoxb-nope")
        data = self.fails("missing_scope", "conversations.list", token=FakeSlack.LIMITED_TOKEN)
        self.assertEqual((data["needed"], data["provided"]),
                         ("channels:read", ",".join(FakeSlack.LIMITED_SCOPES)))
        self.fs.set_scopes(FakeSlack.BOT_TOKEN, ["chat:write", "channels:read"])
        self.ok("conversations.list")
        data = self.fails("missing_scope", "conversations.list",
                          query={"types": "public_channel,private_channel"})
        self.assertEqual(data["needed"], "groups:read")
        self.fs.set_scopes(FakeSlack.BOT_TOKEN, FakeSlack.BOT_SCOPES)
        self.fs.limit_method("conversations.list", per_minute=1)     # Tier 2 in Slack
        self.ok("conversations.list")
        r = self.api("conversations.list")
        self.assertEqual((r.status, r.headers["Retry-After"], r.json()),
                         (429, "60", {"ok": False, "error": "ratelimited"}))
        self.fs.limit_method("conversations.list", None)
        self.fs.fail(1, 503)
        r = self.api("conversations.list")
        self.assertEqual((r.status, r.json()["error"]), (503, "internal_error"))
        self.fs.revoke_token(FakeSlack.BOT_TOKEN)
        self.fails("token_revoked", "conversations.list")

    def test_a_name_is_resolved_before_history(self) -> None:
        # chat.postMessage takes a #name or a bare name and stores the message under the id ...
        for ref in ("#budgets", "budgets"):
            data = self.post(ref, f"to {ref}", metadata=META)
            self.assertEqual(data["channel"], BUDGETS)
        self.assertEqual([(m["channel"], m["channel_name"]) for m in self.fs.messages()],
                         [(BUDGETS, "budgets")] * 2)
        # ... conversations.history takes ids only ...
        for ref in ("#budgets", "budgets"):
            self.fails("channel_not_found", "conversations.history", query={"channel": ref})
        # ... so a client finds the id in conversations.list first.
        found = [c["id"] for p in self.listing(types="public_channel,private_channel",
                                               exclude_archived="true")
                 for c in p["channels"] if c["name"] == "budgets"]
        self.assertEqual(found, [BUDGETS])
        listed = self.history(found[0], include_all_metadata="true")["messages"]
        self.assertEqual([m["text"] for m in listed], ["to budgets", "to #budgets"])
        self.assertEqual(listed[0]["metadata"], META)


# -- faults, recording, the at-most-once lookup ---------------------------------------------------

class FaultTest(SlackCase):
    def test_api_faults_have_slacks_shapes(self) -> None:
        self.fs.fail(1, 429, retry_after=3)
        self.fs.fail(1, 503)
        r = self.api("chat.postMessage", {"channel": GENERAL, "text": "x"})
        self.assertEqual((r.status, r.headers["Retry-After"], r.json()),
                         (429, "3", {"ok": False, "error": "ratelimited"}))
        r = self.api("chat.postMessage", {"channel": GENERAL, "text": "x"})
        self.assertEqual((r.status, r.json()["error"]), (503, "internal_error"))
        self.assertEqual(self.fs.messages(), [])
        self.post(GENERAL)
        self.assertEqual(self.fs.server.pending_faults(), 0)
        self.assertEqual(len(self.fs.server.requests_for("POST", r"/api/chat\.postMessage")), 3)

    def test_a_lost_answer_leaves_a_message_history_can_find(self) -> None:
        self.fs.server.fault("lose", path=r"/api/chat\.postMessage")
        with self.assertRaises((http.client.HTTPException, ConnectionError)):
            self.post(GENERAL, "notice", metadata=META)
        wait_for(lambda: self.fs.server.inflight == 0, timeout=5)
        [m] = self.fs.messages(GENERAL)                   # it was posted all the same
        self.assertEqual(m["metadata"], META)
        found = self.history(GENERAL, oldest=str(T0 - 60), include_all_metadata="true")
        self.assertEqual(found["messages"][0]["metadata"]["event_payload"]["key"],
                         META["event_payload"]["key"])

    def test_slow_and_close(self) -> None:
        self.fs.server.fault("slow", seconds=5, path=r"/services/.*")
        with self.assertRaises((socket.timeout, TimeoutError)):
            self.call("POST", self.fs.webhook_url(), {"text": "late"}, timeout=0.3)
        wait_for(lambda: self.fs.messages(), timeout=5, message="the slow post never landed")
        self.fs.server.fault("close", path=r"/services/.*")
        with self.assertRaises((http.client.HTTPException, ConnectionError)):
            self.call("POST", self.fs.webhook_url(), {"text": "never"})
        self.assertEqual([m["text"] for m in self.fs.messages()], ["late"])


# -- the control API and script mode --------------------------------------------------------------

class ControlTest(SlackCase):
    def control(self, verb: str, body: dict[str, Any] | None = None, status: int = 200) -> Any:
        r = self.call("POST", f"/_slack/{verb}", body if body is not None else {})
        self.assertEqual(r.status, status, r.body)
        return r.json()

    def test_control_verbs(self) -> None:
        user = self.control("add_user", {"email": "alan@example.com", "name": "alan"})["user"]
        self.assertEqual(self.ok("users.lookupByEmail", query={"email": "alan@example.com"})
                         ["user"]["id"], user["id"])
        cid = self.control("add_channel", {"name": "budget-alerts"})["id"]
        self.post("#budget-alerts", "from the api")
        hook = self.control("webhook", {"channel": "#budget-alerts"})
        self.assertTrue(hook["url"].endswith(hook["path"]))
        self.assertEqual(self.call("POST", hook["url"], {"text": "from a hook"}).status, 200)
        msgs = self.control("messages", {"channel": cid})["messages"]
        self.assertEqual([m["via"] for m in msgs], ["api", "webhook"])
        self.control("archive", {"channel": cid})
        self.assertEqual(self.call("POST", hook["url"], {"text": "x"}).status, 410)
        self.control("unarchive", {"channel": cid})
        self.control("set_post_limit", {"rate": 1, "burst": 1})
        self.post(cid)
        self.assertEqual(self.api("chat.postMessage", {"channel": cid, "text": "x"}).status, 429)
        self.control("advance", {"seconds": 1})
        self.post(cid)
        self.control("set_post_limit", {"rate": None})
        self.control("revoke_token", {"token": FakeSlack.LIMITED_TOKEN})
        self.fails("token_revoked", "auth.test", token=FakeSlack.LIMITED_TOKEN)
        dm = self.control("dm", {"user": "alan@example.com"})["id"]
        self.assertEqual(self.post(user["id"])["channel"], dm)
        self.control("fail", {"status": 500, "transport": "webhook"})
        self.assertEqual(self.call("POST", hook["url"], {"text": "x"}).text, "rollup_error")
        self.control("clear_messages")
        self.assertEqual(self.fs.messages(), [])
        self.control("set_now", {"now": T0 + 3600})
        self.assertTrue(self.post(GENERAL)["ts"].startswith(str(T0 + 3600)))
        self.control("nope", status=404)
        self.control("archive", {"channel": "#nowhere"}, status=400)
        self.control("add_user", {}, status=400)


class ScriptTest(unittest.TestCase):
    def test_script_mode_prints_the_port_and_stops_on_eof(self) -> None:
        proc = subprocess.Popen([sys.executable, SCRIPT, "--page-size", "1", "--no-rate-limit",
                                 "--list-page-size", "3"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            line = proc.stdout.readline()
            self.assertRegex(line, r"^PORT \d+$")
            port = int(line.split()[1])
            for text in ("one", "two"):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("POST", FakeSlack.WEBHOOK_PATH, body=json.dumps({"text": text}),
                             headers={"Content-Type": "application/json"})
                resp = conn.getresponse()
                self.assertEqual((resp.status, resp.read()), (200, b"ok"))
                conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", f"/api/conversations.history?channel={TIMESHEETS}",
                         headers={"Authorization": f"Bearer {FakeSlack.BOT_TOKEN}"})
            page = json.loads(conn.getresponse().read())
            self.assertEqual(([m["text"] for m in page["messages"]], page["has_more"]),
                             (["two"], True))
            conn.request("GET", "/api/conversations.list",
                         headers={"Authorization": f"Bearer {FakeSlack.BOT_TOKEN}"})
            listed = json.loads(conn.getresponse().read())
            self.assertEqual([c["name"] for c in listed["channels"]],
                             ["timesheets", "general", "random"])
            conn.close()
        finally:
            proc.stdin.close()
            self.assertEqual(proc.wait(timeout=10), 0)
            proc.stdout.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
