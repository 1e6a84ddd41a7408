#!/usr/bin/env python3
"""fake_slack - a stateful fake of Slack (incoming webhooks and the Web API), for gleaner's tests.

It is built on fakekit (same directory), so faults, rate limits and request recording all work:

    from fake_slack import FakeSlack

    with FakeSlack() as fs:
        hook = fs.webhook_url("#timesheets")       # http://127.0.0.1:PORT/services/T../B../secret
        run_gleaner(webhook=hook)                   # or api_url=fs.api_url, token=fs.BOT_TOKEN
        assert fs.messages("#timesheets")[0]["text"] == "..."
        fs.archive("#timesheets")                   # the webhook now answers 410

One workspace (TEAM_ID, "Acme Consulting") with three people, a bot user, six channels and one
webhook (see README.md).  What it follows: shared/notes/connector-apis.md section 5, and
shared/specs/slack/slack_web_openapi_v2.json for the shapes of chat.postMessage,
users.lookupByEmail, conversations.open, conversations.history, conversations.list and auth.test.

  POST /services/<team>/<hook>/<secret>   an incoming webhook: 200 "ok" (text/plain), or a
       plain-text error: 400 invalid_payload / no_text / invalid_blocks / invalid_blocks_format /
       too_many_attachments / msg_too_long, 403 action_prohibited / invalid_token (revoked),
       404 channel_not_found (unknown hook or deleted channel), 410 channel_is_archived,
       429 rate_limited + Retry-After.
  /api/<method>                           the Web API (GET or POST; query, form or JSON
       arguments).  Logical errors are HTTP 200 {"ok": false, "error": CODE}; rate limits are
       HTTP 429 + Retry-After with {"ok": false, "error": "ratelimited"}; an unknown method is
       404 unknown_method.

Posting is limited per webhook and per channel (token bucket: 1 message/s, bursts of 3 by
default; set_post_limit(None) turns it off).  Time comes from now(): real time unless
set_now() fixed it; advance() moves it (rate-limit refills and ts values follow it).

Tests steer it from Python (add_user, add_channel, archive, webhook_url, revoke_webhook,
prohibit_webhooks, add_token, set_scopes, revoke_token, set_post_limit, limit_method, fail,
set_now, advance, messages, ...), or over HTTP from C with POST /_slack/<verb> and a JSON
body (see _control).  Control requests are recorded by fakekit like any other; filter on
/api/ or /services/ when counting calls.

Run as a script it prints "PORT <n>" and serves until stdin reaches EOF (fakekit's pattern):
    python3 fake_slack.py [--page-size N] [--list-page-size N] [--no-rate-limit] [--ignore-stdin]
Python 3.11 standard library only.
"""
from __future__ import annotations

import argparse
import base64
import binascii
import copy
import hashlib
import json
import math
import re
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from email.message import Message
from typing import Any, Callable

from fakekit import FakeServer, FakeService, Request, Response, serve

__all__ = ["FakeSlack", "main"]

# -- limits (shared/notes/connector-apis.md section 5) ------------------------------------------
MAX_TEXT = 40000             # top-level text; beyond it msg_too_long
MAX_BLOCKS = 50
MAX_BLOCK_ID = 255
MAX_HEADER_TEXT = 150
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_MARKDOWN = 12000         # one markdown block, and all markdown blocks of a message together
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_ATTACHMENTS = 100
BLOCK_TYPES = ("header", "section", "context", "divider", "actions", "markdown", "image",
               "rich_text")
# Block elements that may sit in actions blocks or as a section's accessory.
INTERACTIVE_ELEMENTS = {
    "button", "checkboxes", "datepicker", "datetimepicker", "overflow", "radio_buttons",
    "timepicker", "static_select", "external_select", "users_select", "conversations_select",
    "channels_select", "multi_static_select", "multi_external_select", "multi_users_select",
    "multi_conversations_select", "multi_channels_select", "workflow_button"}
ACCESSORY_ELEMENTS = INTERACTIVE_ELEMENTS | {"image"}

DEFAULT_PAGE_SIZE = 5        # conversations.history: at most this many per page (None: limit)
DEFAULT_LIMIT = 100          # conversations.history's documented default `limit`
MAX_LIMIT = 999
DEFAULT_LIST_PAGE_SIZE = 2   # conversations.list: at most this many per page (None: limit)
DEFAULT_LIST_LIMIT = 100     # conversations.list's documented default `limit`
MAX_LIST_LIMIT = 1000        # spec: "an integer no larger than 1000"
DEFAULT_POST_RATE = 1.0      # messages per second per webhook / per channel
DEFAULT_POST_BURST = 3       # a short burst is tolerated

JSON_TYPES = ("application/json",)
FORM_TYPES = ("application/x-www-form-urlencoded",)
POST_TYPES = JSON_TYPES + FORM_TYPES + ("multipart/form-data", "text/plain")
CHARSETS = ("utf-8", "utf8", "iso-8859-1", "latin-1", "latin1")
EVENT_TYPE_RE = re.compile(r"[A-Za-z0-9_]+")
TS_RE = re.compile(r"\d+(?:\.\d*)?|\.\d+")
UTC = timezone.utc

# -- seed ids (see README.md) --------------------------------------------------------------------
ADA, CHARLES, GRACE = "U01ADALOVE", "U01CBABBAG", "U01GHOPPER"
TIMESHEETS, GENERAL, RANDOM = "C01TIMESHTS", "C01GENERAL0", "C01RANDOM00"
FINANCE, BUDGETS, OLD_PROJECT = "C01FINANCE0", "C01BUDGETS0", "C01OLDPROJ0"

# Which scope a method needs (conversations.history: by the kind of conversation).
METHOD_SCOPES = {
    "chat.postMessage": ("chat:write", "chat:write:bot"),
    "users.lookupByEmail": ("users:read.email",),
    "conversations.open": ("im:write",),
    "auth.test": (),
    "conversations.history": (),
    "conversations.list": (),
}
HISTORY_SCOPES = {"public": "channels:history", "private": "groups:history", "im": "im:history"}
# conversations.list: the scope each of its `types` needs (spec: slackAuth of the method).
LIST_SCOPES = {"public_channel": "channels:read", "private_channel": "groups:read",
               "im": "im:read", "mpim": "mpim:read"}
LIST_KINDS = {"public": "public_channel", "private": "private_channel", "im": "im"}


class _Reject(Exception):
    """Aborts a handler with a ready reply: keeps validation code linear."""

    def __init__(self, response: Response):
        super().__init__(response.status)
        self.response = response


def _api_error(code: str, status: int = 200, headers: dict[str, str] | None = None,
               **extra: Any) -> _Reject:
    """The Web API's failure: HTTP 200 (unless told) with {"ok": false, "error": code}."""
    return _Reject(Response(status, json={"ok": False, "error": code, **extra},
                            headers=headers))


def _hook_error(status: int, code: str, headers: dict[str, str] | None = None) -> _Reject:
    """A webhook's failure: a plain-text error string."""
    return _Reject(Response(status, body=code, headers=headers, content_type="text/plain"))


class _BlockError(Exception):
    """A Block Kit violation: `code` (invalid_blocks / invalid_blocks_format) and a message."""

    def __init__(self, message: str, pointer: str, code: str = "invalid_blocks"):
        super().__init__(f"[ERROR] {message} [json-pointer:{pointer}]")
        self.code = code


@dataclass
class _Token:
    scopes: list[str]
    revoked: bool = False


@dataclass
class _Webhook:
    hook_id: str
    secret: str
    channel: str          # a conversation id
    revoked: bool = False
    prohibited: bool = False


@dataclass
class _Bucket:
    """A token bucket: `burst` messages at once, refilled at `rate` per second."""

    rate: float
    burst: int
    tokens: float
    last: float

    def take(self, now: float) -> int | None:
        """None if a message may go now (and count it), else the Retry-After in seconds."""
        self.tokens = min(float(self.burst), self.tokens + max(0.0, now - self.last) * self.rate)
        self.last = max(self.last, now)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return None
        return max(1, math.ceil((1.0 - self.tokens) / self.rate - 1e-9))


@dataclass
class _Message:
    channel: str
    ts: str
    text: str
    blocks: list[Any] | None          # as sent
    rendered: list[Any] | None        # as Slack stores them (every block has a block_id)
    attachments: list[Any] | None
    metadata: dict[str, Any] | None
    thread_ts: str | None
    broadcast: bool
    via: str                          # "webhook", "api" or "user" (add_message)
    webhook: str | None               # the webhook's URL path
    args: dict[str, Any]
    user: str | None = None           # the author of a "user" message
    replies: list[str] = field(default_factory=list)


# -- small pure helpers --------------------------------------------------------------------------

def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _ts_us(value: str) -> int:
    """A Slack timestamp ("1700000000.000100" or "1700000000") in microseconds."""
    return int(Decimal(value) * 1_000_000)


def _ts_text(us: int) -> str:
    return f"{us // 1_000_000:010d}.{us % 1_000_000:06d}"


def _parse_bound(raw: Any, code: str) -> int:
    text = str(raw).strip()
    if not TS_RE.fullmatch(text):
        raise _api_error(code)
    try:
        return _ts_us(text)
    except InvalidOperation:
        raise _api_error(code) from None


def _cursor_for(ts: str) -> str:
    """Slack's history cursors are base64 of "next_ts:<ts digits>"."""
    return base64.b64encode(f"next_ts:{ts.replace('.', '')}".encode()).decode()


def _decode_cursor(raw: str) -> int:
    try:
        text = base64.b64decode(raw.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _api_error("invalid_cursor") from None
    m = re.fullmatch(r"next_ts:(\d{7,})", text)
    if not m:
        raise _api_error("invalid_cursor")
    return int(m[1])


def _list_cursor_for(cid: str) -> str:
    """conversations.list cursors are base64 of "team:<the next conversation's id>" (the
    spec's example, dGVhbTpDMDYxRkE1UEI=, is team:C061FA5PB)."""
    return base64.b64encode(f"team:{cid}".encode()).decode()


def _decode_list_cursor(raw: str) -> str:
    try:
        text = base64.b64decode(raw.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _api_error("invalid_cursor") from None
    m = re.fullmatch(r"team:([CGD][A-Z0-9]{8,})", text)
    if not m:
        raise _api_error("invalid_cursor")
    return m[1]


def _content_type(headers: Message) -> tuple[str, str | None]:
    """(media type, charset or None) of a request."""
    raw = headers.get("Content-Type")
    if raw is None:
        return "", None
    parts = [p.strip() for p in raw.split(";")]
    charset = None
    for p in parts[1:]:
        name, _, value = p.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return parts[0].lower(), charset


def _block_id(ts: str, index: int) -> str:
    """Slack gives every stored block without one a short block_id; the fake's are stable."""
    digest = hashlib.sha256(f"{ts}/{index}".encode()).digest()
    return base64.b32encode(digest).decode()[:5].lower().replace("=", "x")


def _secret(seed: str) -> str:
    """A 24-character webhook secret, derived deterministically."""
    digest = hashlib.sha256(seed.encode()).digest()
    return re.sub(r"[^A-Za-z0-9]", "", base64.b64encode(digest * 2).decode())[:24]


# -- Block Kit validation --------------------------------------------------------------------------

def _text_object(obj: Any, ptr: str, max_len: int, plain_only: bool = False) -> int:
    """Validate a composition text object; returns its length."""
    if not isinstance(obj, dict):
        raise _BlockError("must be an object", ptr)
    kind = obj.get("type")
    allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if kind not in allowed:
        raise _BlockError(f"must be one of: {', '.join(allowed)}", f"{ptr}/type")
    text = obj.get("text")
    if not isinstance(text, str):
        raise _BlockError("must provide a string", f"{ptr}/text")
    if not text:
        raise _BlockError("must be at least 1 character", f"{ptr}/text")
    if len(text) > max_len:
        raise _BlockError(f"must be less than {max_len + 1} characters", f"{ptr}/text")
    if "emoji" in obj and (kind != "plain_text" or not isinstance(obj["emoji"], bool)):
        raise _BlockError("emoji is only allowed as a boolean on plain_text", f"{ptr}/emoji")
    if "verbatim" in obj and (kind != "mrkdwn" or not isinstance(obj["verbatim"], bool)):
        raise _BlockError("verbatim is only allowed as a boolean on mrkdwn", f"{ptr}/verbatim")
    return len(text)


def _optional_string(obj: dict[str, Any], key: str, ptr: str, max_len: int) -> None:
    if key in obj:
        value = obj[key]
        if not isinstance(value, str) or not value:
            raise _BlockError("must provide a non-empty string", f"{ptr}/{key}")
        if len(value) > max_len:
            raise _BlockError(f"must be less than {max_len + 1} characters", f"{ptr}/{key}")


def _image_parts(obj: dict[str, Any], ptr: str) -> None:
    if "image_url" in obj:
        _optional_string(obj, "image_url", ptr, 3000)
    elif not isinstance(obj.get("slack_file"), dict):
        raise _BlockError("must provide image_url or slack_file", ptr)
    if not isinstance(obj.get("alt_text"), str) or not obj["alt_text"]:
        raise _BlockError("must provide a non-empty string", f"{ptr}/alt_text")
    _optional_string(obj, "alt_text", ptr, 2000)


def _element(obj: Any, ptr: str, allowed: set[str]) -> None:
    if not isinstance(obj, dict):
        raise _BlockError("must be an object", ptr)
    kind = obj.get("type")
    if kind not in allowed:
        raise _BlockError(f"unsupported type: {kind}", f"{ptr}/type")
    _optional_string(obj, "action_id", ptr, 255)
    if kind == "button":
        _text_object(obj.get("text"), f"{ptr}/text", MAX_BUTTON_TEXT, plain_only=True)
        _optional_string(obj, "url", ptr, 3000)
        _optional_string(obj, "value", ptr, 2000)
        if "style" in obj and obj["style"] not in ("primary", "danger"):
            raise _BlockError("must be one of: primary, danger", f"{ptr}/style")
    elif kind == "image":
        _image_parts(obj, ptr)


def _validate_blocks(blocks: Any) -> None:
    """Slack's checks for a message's blocks; raises _BlockError on the first violation."""
    if not isinstance(blocks, list):
        raise _BlockError("must be an array", "/blocks", code="invalid_blocks_format")
    if len(blocks) > MAX_BLOCKS:
        raise _BlockError(f"no more than {MAX_BLOCKS} items allowed", "/blocks")
    seen_ids: set[str] = set()
    markdown_total = 0
    for i, block in enumerate(blocks):
        ptr = f"/blocks/{i}"
        if not isinstance(block, dict):
            raise _BlockError("must be an object", ptr)
        kind = block.get("type")
        if kind not in BLOCK_TYPES:
            raise _BlockError(f"unsupported type: {kind}", f"{ptr}/type")
        if "block_id" in block:
            bid = block["block_id"]
            if not isinstance(bid, str) or not bid:
                raise _BlockError("must provide a non-empty string", f"{ptr}/block_id")
            if len(bid) > MAX_BLOCK_ID:
                raise _BlockError(f"must be less than {MAX_BLOCK_ID + 1} characters",
                                  f"{ptr}/block_id")
            if bid in seen_ids:
                raise _BlockError(f"duplicate block_id: {bid}", f"{ptr}/block_id")
            seen_ids.add(bid)
        if kind == "header":
            _text_object(block.get("text"), f"{ptr}/text", MAX_HEADER_TEXT, plain_only=True)
        elif kind == "section":
            has_text, has_fields = "text" in block, "fields" in block
            if not has_text and not has_fields:
                raise _BlockError("must provide text or fields", ptr)
            if has_text:
                _text_object(block["text"], f"{ptr}/text", MAX_SECTION_TEXT)
            if has_fields:
                fields = block["fields"]
                if not isinstance(fields, list) or not fields:
                    raise _BlockError("must provide a non-empty array", f"{ptr}/fields")
                if len(fields) > MAX_FIELDS:
                    raise _BlockError(f"no more than {MAX_FIELDS} items allowed",
                                      f"{ptr}/fields")
                for j, f in enumerate(fields):
                    _text_object(f, f"{ptr}/fields/{j}", MAX_FIELD_TEXT)
            if "accessory" in block:
                _element(block["accessory"], f"{ptr}/accessory", ACCESSORY_ELEMENTS)
        elif kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not elements:
                raise _BlockError("must provide a non-empty array", f"{ptr}/elements")
            if len(elements) > MAX_CONTEXT_ELEMENTS:
                raise _BlockError(f"no more than {MAX_CONTEXT_ELEMENTS} items allowed",
                                  f"{ptr}/elements")
            for j, el in enumerate(elements):
                eptr = f"{ptr}/elements/{j}"
                if isinstance(el, dict) and el.get("type") == "image":
                    _image_parts(el, eptr)
                else:
                    _text_object(el, eptr, MAX_SECTION_TEXT)
        elif kind == "actions":
            elements = block.get("elements")
            if not isinstance(elements, list) or not elements:
                raise _BlockError("must provide a non-empty array", f"{ptr}/elements")
            if len(elements) > MAX_ACTIONS_ELEMENTS:
                raise _BlockError(f"no more than {MAX_ACTIONS_ELEMENTS} items allowed",
                                  f"{ptr}/elements")
            for j, el in enumerate(elements):
                _element(el, f"{ptr}/elements/{j}", INTERACTIVE_ELEMENTS)
        elif kind == "markdown":
            text = block.get("text")
            if not isinstance(text, str) or not text:
                raise _BlockError("must provide a non-empty string", f"{ptr}/text")
            if len(text) > MAX_MARKDOWN:
                raise _BlockError(f"must be less than {MAX_MARKDOWN + 1} characters",
                                  f"{ptr}/text")
            markdown_total += len(text)
            if markdown_total > MAX_MARKDOWN:
                raise _BlockError(f"markdown blocks together must be less than "
                                  f"{MAX_MARKDOWN + 1} characters", f"{ptr}/text")
        elif kind == "image":
            _image_parts(block, ptr)
            if "title" in block:
                _text_object(block["title"], f"{ptr}/title", 2000, plain_only=True)
        elif kind == "rich_text":
            if not isinstance(block.get("elements"), list):
                raise _BlockError("must provide an array", f"{ptr}/elements")
        # divider: nothing beyond type and block_id


# -- the fake -------------------------------------------------------------------------------------

class FakeSlack(FakeService):
    """Slack's incoming webhooks (/services/...) and Web API (/api/...) on one fakekit server."""

    TEAM_ID = "T0GLEANER"
    TEAM_NAME = "Acme Consulting"
    TEAM_DOMAIN = "acme-consulting"
    APP_ID = "A0GLEANAPP"
    BOT_ID = "B0GLEANBOT"
    BOT_USER_ID = "U0GLEANBOT"
    BOT_NAME = "gleaner"
    BOT_TOKEN = "xoxb-1000000001-2000000002-GleanerFakeBotToken00001"
    # The same bot, installed without the history scopes (gl_slack_find cannot look up).
    LIMITED_TOKEN = "xoxb-1000000001-2000000002-GleanerNoHistoryToken001"
    BOT_SCOPES = ("chat:write", "channels:read", "channels:history", "groups:read",
                  "groups:history", "im:read", "im:write", "im:history", "mpim:history",
                  "users:read", "users:read.email")
    LIMITED_SCOPES = ("chat:write", "im:write", "users:read", "users:read.email")
    WEBHOOK_HOOK_ID = "B0WEBHOOK01"
    WEBHOOK_SECRET = "GleanerFakeWebhookSecret"
    WEBHOOK_PATH = f"/services/{TEAM_ID}/{WEBHOOK_HOOK_ID}/{WEBHOOK_SECRET}"   # -> #timesheets
    ADA, CHARLES, GRACE = ADA, CHARLES, GRACE
    TIMESHEETS, GENERAL, RANDOM = TIMESHEETS, GENERAL, RANDOM
    FINANCE, BUDGETS, OLD_PROJECT = FINANCE, BUDGETS, OLD_PROJECT

    def __init__(self, page_size: int | None = DEFAULT_PAGE_SIZE, rate_limit: bool = True,
                 post_rate: float = DEFAULT_POST_RATE,
                 post_burst: int = DEFAULT_POST_BURST,
                 list_page_size: int | None = DEFAULT_LIST_PAGE_SIZE) -> None:
        """`page_size`: the most messages one conversations.history page holds whatever `limit`
        asks (Slack may return fewer than asked); None: `limit` alone decides.
        `list_page_size`: the same for conversations.list (the seed's channels then take
        several pages).
        `rate_limit`: False turns the per-webhook / per-channel posting limit off;
        `post_rate` / `post_burst` shape it (see set_post_limit)."""
        if page_size is not None and not 1 <= page_size <= MAX_LIMIT:
            raise ValueError(f"page_size must be within 1..{MAX_LIMIT}")
        if list_page_size is not None and not 1 <= list_page_size <= MAX_LIST_LIMIT:
            raise ValueError(f"list_page_size must be within 1..{MAX_LIST_LIMIT}")
        self.page_size = page_size
        self.list_page_size = list_page_size
        self._fixed_now: float | None = None
        self._offset = 0.0
        self._last_ts = 0
        self._seq = 0
        self._post_limit: tuple[float, int] | None = None
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._method_limits: dict[str, tuple[float, int]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, _Token] = {}
        self.webhooks: dict[str, _Webhook] = {}          # URL path -> webhook
        self._dms: dict[str, str] = {}                   # user id -> D id
        self._messages: list[_Message] = []
        self._all_prohibited = False
        self.server = FakeServer()
        self.set_post_limit(post_rate if rate_limit else None, post_burst)
        self._seed()
        self._install_routes()

    # -- lifecycle (start, stop, url, port: FakeService; webhooks live under /services/) ------

    @property
    def api_url(self) -> str:
        """The Web API base (Slack's https://slack.com/api)."""
        return f"{self.server.url}/api"

    # -- clock --------------------------------------------------------------------------------

    def now(self) -> float:
        """The fake's clock (epoch seconds): real time unless set_now() fixed it, plus advance()."""
        base = self._fixed_now if self._fixed_now is not None else time.time()
        return base + self._offset

    def set_now(self, moment: float | datetime | None) -> None:
        """Fix the clock (epoch seconds or an aware datetime; naive means UTC); None: real time.
        A fixed clock only moves with advance(), so rate-limit refills are deterministic."""
        with self.server.lock:
            if isinstance(moment, datetime):
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=UTC)
                moment = moment.timestamp()
            self._fixed_now = None if moment is None else float(moment)
            self._offset = 0.0

    def advance(self, seconds: float) -> None:
        """Move the clock forward (rate-limit buckets refill, new ts values follow)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self.server.lock:
            self._offset += float(seconds)

    def _new_ts(self) -> str:
        """A message ts: the clock in microseconds, strictly after every earlier one."""
        us = max(int(round(self.now() * 1_000_000)), self._last_ts + 1)
        self._last_ts = us
        return _ts_text(us)

    def _new_id(self, prefix: str) -> str:
        self._seq += 1
        return f"{prefix}07{self._seq:07X}"

    # -- helpers for tests: workspace -----------------------------------------------------------

    def add_user(self, email: str, name: str | None = None, real_name: str | None = None,
                 user_id: str | None = None, tz: str = "Europe/Berlin") -> dict[str, Any]:
        """A workspace member; returns the user object users.lookupByEmail would show."""
        with self.server.lock:
            if self._user_by_email(email) is not None:
                raise ValueError(f"a member with the email {email} exists")
            uid = user_id or self._new_id("U")
            if uid in self.users:
                raise ValueError(f"user {uid} exists")
            handle = name or email.split("@", 1)[0].lower()
            self.users[uid] = self._user_object(uid, handle, real_name or handle.title(),
                                                email, tz)
            return copy.deepcopy(self.users[uid])

    def user(self, ref: str) -> dict[str, Any]:
        """A member by id or email (KeyError if none)."""
        with self.server.lock:
            found = self.users.get(ref) or self._user_by_email(ref)
            if found is None:
                raise KeyError(f"no member {ref!r}")
            return copy.deepcopy(found)

    def add_channel(self, name: str, private: bool = False, member: bool = True,
                    archived: bool = False, channel_id: str | None = None) -> str:
        """A channel (`member`: the bot is in it); returns its id."""
        name = name.lstrip("#")
        with self.server.lock:
            if self._channel_by_name(name) is not None:
                raise ValueError(f"a channel named #{name} exists")
            cid = channel_id or self._new_id("C")
            self.channels[cid] = {"id": cid, "name": name, "is_private": private,
                                  "is_archived": archived, "is_im": False, "user": None,
                                  "bot_member": member, "created": int(self.now())}
            return cid

    def channel(self, ref: str) -> dict[str, Any]:
        """A conversation by id, #name, name, or a member id (their DM with the bot)."""
        with self.server.lock:
            return copy.deepcopy(self._channel_ref(ref))

    def archive(self, channel: str) -> None:
        """Archive: webhooks get 410 channel_is_archived, chat.postMessage is_archived."""
        with self.server.lock:
            self._channel_ref(channel)["is_archived"] = True

    def unarchive(self, channel: str) -> None:
        with self.server.lock:
            self._channel_ref(channel)["is_archived"] = False

    def delete_channel(self, channel: str) -> None:
        """Delete: its webhooks get 404 channel_not_found, the API channel_not_found."""
        with self.server.lock:
            del self.channels[self._channel_ref(channel)["id"]]

    def set_member(self, channel: str, member: bool = True) -> None:
        """Invite the bot to a channel (or remove it: posts get not_in_channel)."""
        with self.server.lock:
            self._channel_ref(channel)["bot_member"] = member

    def dm_id(self, user: str) -> str:
        """The bot's DM with a member (id or email), opened if need be."""
        with self.server.lock:
            found = self.users.get(user) or self._user_by_email(user)
            if found is None:
                raise KeyError(f"no member {user!r}")
            return self._open_dm(found["id"])[0]["id"]

    # -- helpers for tests: webhooks and tokens ---------------------------------------------------

    def webhook_url(self, channel: str = "#timesheets") -> str:
        """The full URL of a webhook bound to `channel` (the first made for it, else a new one)."""
        with self.server.lock:
            cid = self._channel_ref(channel)["id"]
            for path, hook in self.webhooks.items():
                if hook.channel == cid and not hook.revoked:
                    return self.server.url + path
            return self.add_webhook(channel)

    def add_webhook(self, channel: str) -> str:
        """A new webhook bound to `channel`; returns its full URL."""
        with self.server.lock:
            cid = self._channel_ref(channel)["id"]
            hook_id = self._new_id("B")
            secret = _secret(f"{self.TEAM_ID}/{hook_id}/{cid}")
            path = f"/services/{self.TEAM_ID}/{hook_id}/{secret}"
            self.webhooks[path] = _Webhook(hook_id, secret, cid)
            return self.server.url + path

    def revoke_webhook(self, url: str) -> None:
        """The app was removed or the webhook revoked: 403 invalid_token from now on."""
        with self.server.lock:
            self._webhook(url).revoked = True

    def prohibit_webhooks(self, channel: str | None = None, prohibited: bool = True) -> None:
        """A workspace restriction: posts through the channel's webhooks (None: every webhook)
        get 403 action_prohibited."""
        with self.server.lock:
            if channel is None:
                self._all_prohibited = prohibited
                return
            cid = self._channel_ref(channel)["id"]
            for hook in self.webhooks.values():
                if hook.channel == cid:
                    hook.prohibited = prohibited

    def add_token(self, token: str, scopes: tuple[str, ...] | list[str] = BOT_SCOPES) -> None:
        """Another bot token of the same app, with its own scopes."""
        with self.server.lock:
            self.tokens[token] = _Token(list(scopes))

    def set_scopes(self, token: str, scopes: tuple[str, ...] | list[str]) -> None:
        with self.server.lock:
            self.tokens[token].scopes = list(scopes)

    def revoke_token(self, token: str) -> None:
        """From now on the token gets token_revoked."""
        with self.server.lock:
            self.tokens[token].revoked = True

    # -- helpers for tests: limits and faults ------------------------------------------------------

    def set_post_limit(self, rate: float | None = DEFAULT_POST_RATE,
                       burst: int = DEFAULT_POST_BURST) -> None:
        """Posting limit per webhook and per channel: `burst` messages at once, then `rate` per
        second (429 + Retry-After beyond).  None turns it off.  Buckets start full again."""
        if rate is not None and (rate <= 0 or burst < 1):
            raise ValueError("rate must be > 0 and burst >= 1")
        with self.server.lock:
            self._post_limit = None if rate is None else (float(rate), int(burst))
            self._buckets = {k: v for k, v in self._buckets.items() if k[0] == "method"}

    def limit_method(self, method: str, per_minute: int | None) -> None:
        """A Web API tier for a method other than posting (e.g. conversations.history, Tier 3:
        50 per minute): up to `per_minute` at once, refilled over the minute.  None: no limit."""
        with self.server.lock:
            self._buckets.pop(("method", method), None)
            if per_minute is None:
                self._method_limits.pop(method, None)
            else:
                if per_minute < 1:
                    raise ValueError("per_minute must be >= 1")
                self._method_limits[method] = (per_minute / 60.0, int(per_minute))

    def fail(self, count: int = 1, status: int = 500, transport: str = "api",
             retry_after: int = 1) -> None:
        """The next `count` requests of a transport ("api" or "webhook") fail the way Slack fails:
        429 + Retry-After (API: {"ok":false,"error":"ratelimited"}, webhook: rate_limited), or a
        5xx (API: {"ok":false,"error":"internal_error"}, webhook: rollup_error).  The message is
        not posted.  (fakekit's own faults - lose, slow, close, truncate - work as well.)"""
        if transport not in ("api", "webhook"):
            raise ValueError("transport is 'api' or 'webhook'")
        path = r"/api/.*" if transport == "api" else r"/services/.*"
        headers = {"Retry-After": str(retry_after)} if status == 429 else None
        if transport == "api":
            code = "ratelimited" if status == 429 else "internal_error"
            self.server.fault("status", count=count, path=path, status=status,
                              json={"ok": False, "error": code}, headers=headers)
        else:
            code = "rate_limited" if status == 429 else "rollup_error"
            self.server.fault("status", count=count, path=path, status=status, body=code,
                              headers=headers)

    # -- helpers for tests: what was posted --------------------------------------------------------

    def messages(self, channel: str | None = None, via: str | None = None) -> list[dict[str, Any]]:
        """Every message posted (oldest first), optionally in one conversation (id, #name, name
        or a member id for their DM) and through one transport ("webhook" or "api").  Each is
        {"channel", "channel_name", "ts", "text", "blocks", "attachments", "metadata",
        "thread_ts", "reply_broadcast", "via", "webhook", "user", "args"}; blocks are as sent."""
        with self.server.lock:
            cid = (None if channel is None
                   else self._channel_ref(channel, missing_ok=True, open_dm=False)["id"])
            out = []
            for m in self._messages:
                if (cid is None or m.channel == cid) and (via is None or m.via == via):
                    conv = self.channels.get(m.channel)
                    out.append(copy.deepcopy({
                        "channel": m.channel, "channel_name": conv["name"] if conv else None,
                        "ts": m.ts, "text": m.text, "blocks": m.blocks,
                        "attachments": m.attachments, "metadata": m.metadata,
                        "thread_ts": m.thread_ts, "reply_broadcast": m.broadcast, "via": m.via,
                        "webhook": (self.server.url + m.webhook) if m.webhook else None,
                        "user": m.user if m.via == "user" else (
                            self.BOT_USER_ID if m.via == "api" else None),
                        "args": m.args}))
            return out

    def last_message(self, channel: str | None = None) -> dict[str, Any] | None:
        found = self.messages(channel)
        return found[-1] if found else None

    def clear_messages(self) -> None:
        with self.server.lock:
            self._messages.clear()

    def add_message(self, channel: str, text: str, user: str = ADA,
                    metadata: dict[str, Any] | None = None,
                    blocks: list[Any] | None = None) -> str:
        """A message a member (`user`, default Ada) posted in Slack itself: no checks, no rate
        limit; it shows in conversations.history (via "user").  Returns its ts."""
        with self.server.lock:
            cid = self._channel_ref(channel)["id"]
            if user not in self.users:
                raise KeyError(f"no member {user!r}")
            msg = self._store(cid, text, blocks, None, metadata, None, False, "user", None,
                              {"channel": cid, "text": text})
            msg.user = user
            return msg.ts

    # -- routing ------------------------------------------------------------------------------

    def _install_routes(self) -> None:
        srv = self.server
        srv.route(None, r".*", lambda req: Response(404, body="404 Not Found",
                                                    content_type="text/plain"))
        srv.route(None, r"/services/.*", self._guarded(self._webhook_post))
        srv.route(None, r"/api/([^/]*)", self._guarded(self._api))
        srv.route("POST", r"/_slack/([a-z_]+)", self._guarded(self._control))

    def _guarded(self, fn: Callable[..., Any]) -> Callable[[Request], Any]:
        """Wrap a handler: take the state lock, turn _Reject into its reply."""
        def handler(req: Request) -> Any:
            with self.server.lock:
                try:
                    return fn(req, *req.match.groups())
                except _Reject as exc:
                    return exc.response
        return handler

    # -- lookups (hold the lock) ------------------------------------------------------------------

    def _user_by_email(self, email: str) -> dict[str, Any] | None:
        wanted = email.strip().lower()
        for u in self.users.values():
            if (u["profile"].get("email") or "").lower() == wanted and not u["deleted"]:
                return u
        return None

    def _channel_by_name(self, name: str) -> dict[str, Any] | None:
        for c in self.channels.values():
            if not c["is_im"] and c["name"] == name:
                return c
        return None

    def _resolve(self, ref: str, open_dm: bool = True) -> dict[str, Any] | None:
        """A conversation from an id, a #name or name, or a member id (their DM)."""
        if not isinstance(ref, str) or not ref:
            return None
        if ref in self.channels:
            return self.channels[ref]
        if ref in self.users and ref != self.BOT_USER_ID and not self.users[ref]["deleted"]:
            if ref in self._dms:
                return self.channels[self._dms[ref]]
            return self._open_dm(ref)[0] if open_dm else {"id": f"(no DM with {ref})"}
        return self._channel_by_name(ref[1:] if ref.startswith("#") else ref)

    def _channel_ref(self, ref: str, missing_ok: bool = False,
                     open_dm: bool = True) -> dict[str, Any]:
        found = self._resolve(ref, open_dm)
        if found is None:
            if missing_ok:
                return {"id": ref}
            raise KeyError(f"no conversation {ref!r}")
        return found

    def _webhook(self, url: str) -> _Webhook:
        path = urllib.parse.urlsplit(url).path if "://" in url else url
        return self.webhooks[path]

    def _open_dm(self, uid: str) -> tuple[dict[str, Any], bool]:
        """(the DM with `uid`, whether it was open already)."""
        if uid in self._dms:
            return self.channels[self._dms[uid]], True
        did = self._new_id("D")
        self.channels[did] = {"id": did, "name": uid, "is_private": True, "is_archived": False,
                              "is_im": True, "user": uid, "bot_member": True,
                              "created": int(self.now())}
        self._dms[uid] = did
        return self.channels[did], False

    def _kind(self, conv: dict[str, Any]) -> str:
        return "im" if conv["is_im"] else ("private" if conv["is_private"] else "public")

    def _limited(self, key: tuple[str, str], limit: tuple[float, int] | None) -> int | None:
        """Retry-After if the bucket for `key` is empty, else None (and the slot is taken)."""
        if limit is None:
            return None
        now = self.now()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(limit[0], limit[1], float(limit[1]), now)
        return bucket.take(now)

    # -- posting (shared by both transports) -------------------------------------------------------

    def _content(self, text: Any, blocks: Any, attachments: Any, bad_text: Callable[[], _Reject],
                 error: Callable[[str, list[str]], _Reject]) -> tuple[str, Any, Any]:
        """Check text/blocks/attachments as Slack does; `error(code, messages)` builds replies."""
        if text is None:
            text = ""
        if not isinstance(text, str):
            raise bad_text()
        if blocks is not None:
            try:
                _validate_blocks(blocks)
            except _BlockError as exc:
                raise error(exc.code, [str(exc)]) from None
            if not blocks:
                blocks = None
        if attachments is not None:
            if not isinstance(attachments, list) or not all(isinstance(a, dict)
                                                            for a in attachments):
                raise error("invalid_attachments", [])
            if len(attachments) > MAX_ATTACHMENTS:
                raise error("too_many_attachments", [])
            if not attachments:
                attachments = None
        if not text.strip() and blocks is None and attachments is None:
            raise error("no_text", [])
        if len(text) > MAX_TEXT:
            raise error("msg_too_long", [])
        return text, blocks, attachments

    def _store(self, cid: str, text: str, blocks: list[Any] | None, attachments: Any,
               metadata: dict[str, Any] | None, thread_ts: str | None, broadcast: bool,
               via: str, webhook: str | None, args: dict[str, Any]) -> _Message:
        ts = self._new_ts()
        rendered = None
        if blocks is not None:
            rendered = copy.deepcopy(blocks)
            for i, block in enumerate(rendered):
                block.setdefault("block_id", _block_id(ts, i))
        msg = _Message(cid, ts, text, copy.deepcopy(blocks), rendered, copy.deepcopy(attachments),
                       copy.deepcopy(metadata), thread_ts, broadcast, via, webhook,
                       copy.deepcopy(args))
        if thread_ts is not None:
            for parent in self._messages:
                if parent.channel == cid and parent.ts == thread_ts:
                    parent.replies.append(ts)
        self._messages.append(msg)
        return msg

    def _render(self, m: _Message, with_metadata: bool) -> dict[str, Any]:
        """A message as chat.postMessage answers it and conversations.history lists it."""
        out: dict[str, Any] = {"type": "message", "text": m.text, "ts": m.ts}
        if m.via == "webhook":
            out.update(subtype="bot_message", bot_id=self.webhooks[m.webhook].hook_id,
                       app_id=self.APP_ID)
        elif m.via == "user":
            out.update(user=m.user, team=self.TEAM_ID)
        else:
            out.update(user=self.BOT_USER_ID, bot_id=self.BOT_ID, app_id=self.APP_ID,
                       team=self.TEAM_ID,
                       bot_profile={"id": self.BOT_ID, "app_id": self.APP_ID,
                                    "name": self.BOT_NAME, "deleted": False,
                                    "team_id": self.TEAM_ID})
        if m.rendered is not None:
            out["blocks"] = copy.deepcopy(m.rendered)
        if m.attachments is not None:
            out["attachments"] = [dict(a, id=i + 1) for i, a in enumerate(m.attachments)]
        if m.thread_ts is not None:
            out["thread_ts"] = m.thread_ts
            if m.broadcast:
                out["subtype"] = "thread_broadcast"
        if m.replies:
            out.update(thread_ts=m.ts, reply_count=len(m.replies), latest_reply=m.replies[-1],
                       reply_users=[self.BOT_USER_ID], reply_users_count=1)
        if with_metadata and m.metadata is not None:
            out["metadata"] = copy.deepcopy(m.metadata)
        return out

    # -- incoming webhooks ----------------------------------------------------------------------

    def _webhook_post(self, req: Request) -> Response:
        hook = self.webhooks.get(req.path)
        if hook is None:
            raise _hook_error(404, "channel_not_found")
        if req.method != "POST":
            raise _Reject(Response(405, body="invalid_method", headers={"Allow": "POST"},
                                   content_type="text/plain"))
        if hook.revoked:
            raise _hook_error(403, "invalid_token")
        conv = self.channels.get(hook.channel)
        if conv is None:
            raise _hook_error(404, "channel_not_found")
        if conv["is_archived"]:
            raise _hook_error(410, "channel_is_archived")
        if hook.prohibited or self._all_prohibited:
            raise _hook_error(403, "action_prohibited")
        payload = self._webhook_payload(req)
        text, blocks, attachments = self._content(
            payload.get("text"), payload.get("blocks"), payload.get("attachments"),
            lambda: _hook_error(400, "invalid_payload"),
            lambda code, _msgs: _hook_error(400, code))
        thread_ts = payload.get("thread_ts")
        if thread_ts is not None:
            thread_ts = str(thread_ts)
        retry = self._limited(("webhook", hook.hook_id), self._post_limit)
        if retry is not None:
            raise _hook_error(429, "rate_limited", headers={"Retry-After": str(retry)})
        self._store(hook.channel, text, blocks, attachments, None, thread_ts,
                    _truthy(payload.get("reply_broadcast", False)), "webhook", req.path, payload)
        return Response(200, body="ok", content_type="text/plain")

    @staticmethod
    def _webhook_payload(req: Request) -> dict[str, Any]:
        """JSON (any Content-Type), or a form with payload=<json> as Slack also takes."""
        media, _ = _content_type(req.headers)
        raw: Any = None
        if media in FORM_TYPES:
            values = req.form.get("payload")
            if values:
                try:
                    raw = json.loads(values[-1])
                except ValueError:
                    raw = None
        else:
            raw = req.json
        if not isinstance(raw, dict):
            raise _hook_error(400, "invalid_payload")
        return raw

    # -- the Web API ----------------------------------------------------------------------------

    def _api(self, req: Request, method: str) -> Response:
        handlers: dict[str, Callable[[dict[str, Any], _Token], dict[str, Any]]] = {
            "chat.postMessage": self._post_message,
            "users.lookupByEmail": self._lookup_by_email,
            "conversations.open": self._conversations_open,
            "conversations.history": self._history,
            "conversations.list": self._conversations_list,
            "auth.test": self._auth_test,
        }
        fn = handlers.get(method)
        if fn is None:
            raise _api_error("unknown_method", status=404, req_method=method)
        args, form_token, warnings = self._arguments(req)
        token = self._authenticate(req, form_token)
        retry = self._limited(("method", method), self._method_limits.get(method))
        if retry is not None:
            raise _api_error("ratelimited", status=429, headers={"Retry-After": str(retry)})
        needed = METHOD_SCOPES[method]
        if needed and not any(s in token.scopes for s in needed):
            raise self._missing_scope(needed[0], token)
        try:
            body = fn(args, token)
        except _Reject as exc:
            exc.response.headers = dict(exc.response.headers or {}, **self._scope_headers(
                token, needed))
            raise
        if warnings:
            body["warning"] = ",".join(warnings)
            meta = body.setdefault("response_metadata", {})
            meta["warnings"] = list(warnings)
        return Response(200, json=body, headers=self._scope_headers(token, needed))

    @staticmethod
    def _scope_headers(token: _Token, needed: tuple[str, ...]) -> dict[str, str]:
        return {"X-OAuth-Scopes": ",".join(token.scopes),
                "X-Accepted-OAuth-Scopes": ",".join(needed[:1])}

    @staticmethod
    def _missing_scope(needed: str, token: _Token) -> _Reject:
        return _api_error("missing_scope", needed=needed, provided=",".join(token.scopes))

    def _arguments(self, req: Request) -> tuple[dict[str, Any], str | None, list[str]]:
        """(arguments, a token given as a POST parameter, warnings) of a Web API call."""
        args: dict[str, Any] = {k: v[-1] for k, v in req.query.items()}
        form_token = None
        warnings: list[str] = []
        if req.method == "POST" and req.body:
            media, charset = _content_type(req.headers)
            if not media:
                raise _api_error("missing_post_type")
            if media not in POST_TYPES:
                raise _api_error("invalid_post_type")
            if charset is not None and charset not in CHARSETS:
                raise _api_error("invalid_charset")
            if media in JSON_TYPES:
                try:
                    parsed = json.loads(req.body.decode("utf-8"))
                except (UnicodeDecodeError, ValueError):
                    raise _api_error("invalid_json") from None
                if not isinstance(parsed, dict):
                    raise _api_error("json_not_object")
                if charset is None:
                    warnings.append("missing_charset")
                args.update(parsed)
            elif media in FORM_TYPES:
                form = {k: v[-1] for k, v in req.form.items()}
                form_token = form.pop("token", None)
                args.update(form)
            # multipart/form-data and text/plain: the fake reads no arguments from them
        return args, form_token, warnings

    def _authenticate(self, req: Request, form_token: str | None) -> _Token:
        header = req.headers.get("Authorization", "").strip()
        scheme, _, value = header.partition(" ")
        token = value.strip() if scheme.lower() == "bearer" else ""
        token = token or (form_token or "").strip()
        if not token:
            raise _api_error("not_authed")
        found = self.tokens.get(token)
        if found is None:
            raise _api_error("invalid_auth")
        if found.revoked:
            raise _api_error("token_revoked")
        return found

    # chat.postMessage ----------------------------------------------------------------------------

    def _post_message(self, args: dict[str, Any], token: _Token) -> dict[str, Any]:
        ref = args.get("channel")
        if ref is None or ref == "":
            raise _api_error("invalid_arguments",
                             response_metadata={"messages": ["[ERROR] missing required field: "
                                                             "channel"]})
        conv = self._resolve(str(ref)) if isinstance(ref, str) else None
        if conv is None:
            raise _api_error("channel_not_found")
        if not conv["bot_member"]:
            if conv["is_private"]:
                raise _api_error("channel_not_found")   # the bot cannot see it
            if "chat:write.public" not in token.scopes:
                raise _api_error("not_in_channel")
        if conv["is_archived"]:
            raise _api_error("is_archived")
        blocks = self._json_arg(args, "blocks", "invalid_blocks_format")
        attachments = self._json_arg(args, "attachments", "invalid_attachments")
        metadata = self._metadata(args)

        def error(code: str, msgs: list[str]) -> _Reject:
            extra = {"response_metadata": {"messages": msgs}} if msgs else {}
            return _api_error(code, **extra)

        text, blocks, attachments = self._content(
            args.get("text"), blocks, attachments,
            lambda: error("invalid_arguments", ["[ERROR] must be a string [json-pointer:/text]"]),
            error)
        thread_ts = args.get("thread_ts")
        thread_ts = None if thread_ts in (None, "") else str(thread_ts)
        retry = self._limited(("channel", conv["id"]), self._post_limit)
        if retry is not None:
            raise _api_error("ratelimited", status=429, headers={"Retry-After": str(retry)})
        msg = self._store(conv["id"], text, blocks, attachments, metadata, thread_ts,
                          thread_ts is not None and _truthy(args.get("reply_broadcast", False)),
                          "api", None, args)
        return {"ok": True, "channel": conv["id"], "ts": msg.ts,
                "message": self._render(msg, with_metadata=True)}

    @staticmethod
    def _json_arg(args: dict[str, Any], name: str, code: str) -> Any:
        """A structured argument: JSON as such, or (form data, or a JSON string) its text."""
        value = args.get(name)
        if isinstance(value, str):
            if not value.strip():
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise _api_error(code) from None
        return value

    def _metadata(self, args: dict[str, Any]) -> dict[str, Any] | None:
        meta = self._json_arg(args, "metadata", "invalid_metadata_format")
        if meta is None:
            return None
        if not isinstance(meta, dict):
            raise _api_error("invalid_metadata_format")
        event_type, payload = meta.get("event_type"), meta.get("event_payload")
        if (not isinstance(event_type, str) or not EVENT_TYPE_RE.fullmatch(event_type)
                or not isinstance(payload, dict)):
            raise _api_error("invalid_metadata_schema")
        return {"event_type": event_type, "event_payload": payload}

    # users.lookupByEmail --------------------------------------------------------------------------

    def _lookup_by_email(self, args: dict[str, Any], token: _Token) -> dict[str, Any]:
        email = args.get("email")
        if not isinstance(email, str) or not email.strip():
            raise _api_error("invalid_arguments",
                             response_metadata={"messages": ["[ERROR] missing required field: "
                                                             "email"]})
        found = self._user_by_email(email)
        if found is None:
            raise _api_error("users_not_found")
        return {"ok": True, "user": copy.deepcopy(found)}

    # conversations.open ---------------------------------------------------------------------------

    def _conversations_open(self, args: dict[str, Any], token: _Token) -> dict[str, Any]:
        users, channel = args.get("users"), args.get("channel")
        if isinstance(users, list):
            users = ",".join(str(u) for u in users)
        if users:
            ids = [u.strip() for u in str(users).split(",") if u.strip()]
            if len(ids) != 1:
                # Multi-person DMs are not modelled by the fake.
                raise _api_error("invalid_user_combination")
            uid = ids[0]
            if uid == self.BOT_USER_ID:
                raise _api_error("cannot_dm_bot")
            if uid not in self.users:
                raise _api_error("user_not_found")
            if self.users[uid]["deleted"]:
                raise _api_error("user_disabled")
            conv, already = self._open_dm(uid)
        elif channel:
            conv = self.channels.get(str(channel))
            if conv is None or not conv["is_im"]:
                raise _api_error("channel_not_found")
            already = True
        else:
            raise _api_error("users_list_not_supplied")
        body: dict[str, Any] = {"ok": True}
        if already:
            body.update(no_op=True, already_open=True)
        if _truthy(args.get("return_im", False)):
            body["channel"] = {"id": conv["id"], "created": conv["created"], "is_im": True,
                               "is_org_shared": False, "user": conv["user"],
                               "is_user_deleted": False, "priority": 0, "is_open": True,
                               "last_read": "0000000000.000000"}
        else:
            body["channel"] = {"id": conv["id"]}
        return body

    # conversations.history ------------------------------------------------------------------------

    def _history(self, args: dict[str, Any], token: _Token) -> dict[str, Any]:
        cid = args.get("channel")
        conv = self.channels.get(cid) if isinstance(cid, str) else None
        if conv is None or (conv["is_private"] and not conv["bot_member"]):
            # Only ids are taken, and the bot cannot see private channels it is not in.  A
            # token with no history scope at all learns that first.
            if not any(s in token.scopes for s in HISTORY_SCOPES.values()):
                raise self._missing_scope("channels:history", token)
            raise _api_error("channel_not_found")
        needed = HISTORY_SCOPES[self._kind(conv)]
        if needed not in token.scopes:
            raise self._missing_scope(needed, token)
        if not conv["bot_member"]:
            raise _api_error("not_in_channel")
        inclusive = _truthy(args.get("inclusive", False))
        oldest = _parse_bound(args["oldest"], "invalid_ts_oldest") if args.get("oldest") else 0
        latest = _parse_bound(args["latest"], "invalid_ts_latest") if args.get("latest") \
            else None
        try:
            limit = int(args.get("limit", DEFAULT_LIMIT) or DEFAULT_LIMIT)
        except (TypeError, ValueError):
            raise _api_error("invalid_limit") from None
        if limit <= 0:
            limit = DEFAULT_LIMIT
        limit = min(limit, MAX_LIMIT)
        if self.page_size is not None:
            limit = min(limit, self.page_size)
        with_metadata = _truthy(args.get("include_all_metadata", False))

        def within(us: int) -> bool:
            lo_ok = us >= oldest if inclusive else us > oldest
            hi_ok = latest is None or (us <= latest if inclusive else us < latest)
            return lo_ok and hi_ok

        listed = [m for m in self._messages
                  if m.channel == conv["id"] and (m.thread_ts is None or m.broadcast
                                                  or m.thread_ts == m.ts)
                  and within(_ts_us(m.ts))]
        listed.sort(key=lambda m: _ts_us(m.ts), reverse=True)
        if args.get("cursor"):
            start = _decode_cursor(str(args["cursor"]))
            listed = [m for m in listed if _ts_us(m.ts) <= start]
        page, rest = listed[:limit], listed[limit:]
        body: dict[str, Any] = {
            "ok": True, "messages": [self._render(m, with_metadata) for m in page],
            "has_more": bool(rest), "pin_count": 0, "channel_actions_ts": None,
            "channel_actions_count": 0}
        if rest:
            body["response_metadata"] = {"next_cursor": _cursor_for(rest[0].ts)}
        return body

    # conversations.list ---------------------------------------------------------------------------

    def _conversations_list(self, args: dict[str, Any], token: _Token) -> dict[str, Any]:
        raw = args.get("types")
        if isinstance(raw, list):
            raw = ",".join(str(t) for t in raw)
        types = [t.strip() for t in str(raw or "").split(",") if t.strip()] or ["public_channel"]
        if any(t not in LIST_SCOPES for t in types):
            raise _api_error("invalid_types")
        for t in types:
            if LIST_SCOPES[t] not in token.scopes:
                raise self._missing_scope(LIST_SCOPES[t], token)
        try:
            limit = int(args.get("limit", DEFAULT_LIST_LIMIT) or DEFAULT_LIST_LIMIT)
        except (TypeError, ValueError):
            raise _api_error("invalid_limit") from None
        if limit <= 0:
            limit = DEFAULT_LIST_LIMIT
        limit = min(limit, MAX_LIST_LIMIT)
        if self.list_page_size is not None:
            limit = min(limit, self.list_page_size)
        # What the bot can see: every public channel (member or not), the private channels it
        # is in, its DMs (mpims are not modelled), in the order they were made.
        listed = [c for c in self.channels.values()
                  if LIST_KINDS[self._kind(c)] in types
                  and (not c["is_private"] or c["bot_member"])]
        start = 0
        if args.get("cursor"):
            cid = _decode_list_cursor(str(args["cursor"]))
            ids = [c["id"] for c in listed]
            if cid not in ids:
                raise _api_error("invalid_cursor")
            start = ids.index(cid)
        page, rest = listed[start:start + limit], listed[start + limit:]
        # Slack cuts the page first and drops archived channels from it afterwards, so a page
        # can hold fewer than `limit`, even none, and still have a next_cursor.
        if _truthy(args.get("exclude_archived", False)):
            page = [c for c in page if not c["is_archived"]]
        return {"ok": True, "channels": [self._conversation_object(c) for c in page],
                "response_metadata": {"next_cursor": _list_cursor_for(rest[0]["id"]) if rest
                                      else ""}}

    def _conversation_object(self, c: dict[str, Any]) -> dict[str, Any]:
        """A conversation as conversations.list shows it (spec: objs_conversation)."""
        if c["is_im"]:
            return {"id": c["id"], "created": c["created"], "is_im": True, "is_org_shared": False,
                    "user": c["user"], "is_user_deleted": self.users[c["user"]]["deleted"],
                    "priority": 0}
        return {"id": c["id"], "name": c["name"], "name_normalized": c["name"],
                "is_channel": True, "is_group": False, "is_im": False, "is_mpim": False,
                "is_private": c["is_private"], "is_archived": c["is_archived"],
                "is_general": c["name"] == "general", "is_member": c["bot_member"],
                "is_shared": False, "is_ext_shared": False, "is_org_shared": False,
                "is_pending_ext_shared": False, "pending_shared": [], "previous_names": [],
                "created": c["created"], "creator": ADA, "unlinked": 0,
                "context_team_id": self.TEAM_ID, "shared_team_ids": [self.TEAM_ID],
                "topic": {"value": "", "creator": "", "last_set": 0},
                "purpose": {"value": "", "creator": "", "last_set": 0}}

    # auth.test ------------------------------------------------------------------------------------

    def _auth_test(self, args: dict[str, Any], token: _Token) -> dict[str, Any]:
        return {"ok": True, "url": f"https://{self.TEAM_DOMAIN}.slack.com/",
                "team": self.TEAM_NAME, "user": self.BOT_NAME, "team_id": self.TEAM_ID,
                "user_id": self.BOT_USER_ID, "bot_id": self.BOT_ID,
                "is_enterprise_install": False}

    # -- control API for tests in other languages --------------------------------------------------

    def _control(self, req: Request, verb: str) -> Response:
        """POST /_slack/<verb> with a JSON object:
            add_user {"email", "name"?, "real_name"?, "id"?}       -> {"user"}
            add_channel {"name", "private"?, "member"?, "archived"?} -> {"id"}
            archive / unarchive / delete_channel {"channel"}
            set_member {"channel", "member"?}
            webhook {"channel"?} -> {"url", "path"} (the channel's webhook, made if need be)
            add_webhook {"channel"} -> {"url", "path"}
            revoke_webhook {"url"} | prohibit_webhooks {"channel"?, "prohibited"?}
            add_token {"token", "scopes"?} | set_scopes {"token", "scopes"} |
            revoke_token {"token"}
            set_post_limit {"rate": number or null, "burst"?}
            limit_method {"method", "per_minute": int or null}
            fail {"count"?, "status"?, "transport"?, "retry_after"?}
            set_now {"now": epoch seconds or null} | advance {"seconds"}
            dm {"user"} -> {"id"}
            messages {"channel"?, "via"?} -> {"messages": [...]}
            clear_messages {}
        """
        body = req.json if isinstance(req.json, dict) else {}
        out: Any = None
        try:
            if verb == "add_user":
                out = {"user": self.add_user(body["email"], body.get("name"),
                                             body.get("real_name"), body.get("id"))}
            elif verb == "add_channel":
                out = {"id": self.add_channel(body["name"], bool(body.get("private", False)),
                                              bool(body.get("member", True)),
                                              bool(body.get("archived", False)))}
            elif verb in ("archive", "unarchive", "delete_channel"):
                getattr(self, verb)(body["channel"])
            elif verb == "set_member":
                self.set_member(body["channel"], bool(body.get("member", True)))
            elif verb in ("webhook", "add_webhook"):
                url = (self.webhook_url(body.get("channel", "#timesheets")) if verb == "webhook"
                       else self.add_webhook(body["channel"]))
                out = {"url": url, "path": urllib.parse.urlsplit(url).path}
            elif verb == "revoke_webhook":
                self.revoke_webhook(body["url"])
            elif verb == "prohibit_webhooks":
                self.prohibit_webhooks(body.get("channel"), bool(body.get("prohibited", True)))
            elif verb == "add_token":
                self.add_token(body["token"], body.get("scopes", self.BOT_SCOPES))
            elif verb == "set_scopes":
                self.set_scopes(body["token"], body["scopes"])
            elif verb == "revoke_token":
                self.revoke_token(body["token"])
            elif verb == "set_post_limit":
                self.set_post_limit(body.get("rate"), int(body.get("burst", DEFAULT_POST_BURST)))
            elif verb == "limit_method":
                self.limit_method(body["method"], body.get("per_minute"))
            elif verb == "fail":
                self.fail(int(body.get("count", 1)), int(body.get("status", 500)),
                          body.get("transport", "api"), int(body.get("retry_after", 1)))
            elif verb == "set_now":
                self.set_now(body.get("now"))
            elif verb == "advance":
                self.advance(float(body["seconds"]))
            elif verb == "dm":
                out = {"id": self.dm_id(body["user"])}
            elif verb == "messages":
                out = {"messages": self.messages(body.get("channel"), body.get("via"))}
            elif verb == "clear_messages":
                self.clear_messages()
            else:
                return Response(404, json={"ok": False, "error": f"unknown control {verb}"})
        except (KeyError, ValueError, TypeError) as exc:
            sys.stderr.write(f"fake_slack: bad control request {verb}: {exc!r}\n")
            return Response(400, json={"ok": False, "error": f"{type(exc).__name__}: {exc}"})
        return Response(200, json={"ok": True, **(out or {})})

    # -- seed data ------------------------------------------------------------------------------

    def _user_object(self, uid: str, name: str, real_name: str, email: str | None, tz: str,
                     is_admin: bool = False, is_bot: bool = False) -> dict[str, Any]:
        offsets = {"Europe/Berlin": (3600, "Central European Time"),
                   "Europe/London": (0, "Greenwich Mean Time"),
                   "America/New_York": (-18000, "Eastern Standard Time")}
        offset, label = offsets.get(tz, (0, tz))
        profile: dict[str, Any] = {
            "real_name": real_name, "real_name_normalized": real_name,
            "display_name": name, "display_name_normalized": name,
            "first_name": real_name.split(" ")[0], "last_name": " ".join(real_name.split(" ")[1:]),
            "status_text": "", "status_emoji": "", "team": self.TEAM_ID,
            "avatar_hash": hashlib.sha256(uid.encode()).hexdigest()[:12],
            "image_48": f"https://avatars.slack-edge.com/{uid}_48.png"}
        if email is not None:
            profile["email"] = email
        if is_bot:
            profile.update(bot_id=self.BOT_ID, api_app_id=self.APP_ID, always_active=True)
        return {"id": uid, "team_id": self.TEAM_ID, "name": name, "deleted": False,
                "color": hashlib.sha256(name.encode()).hexdigest()[:6], "real_name": real_name,
                "tz": tz, "tz_label": label, "tz_offset": offset, "profile": profile,
                "is_admin": is_admin, "is_owner": is_admin, "is_primary_owner": is_admin,
                "is_restricted": False, "is_ultra_restricted": False, "is_bot": is_bot,
                "is_app_user": False, "updated": 1767225600, "is_email_confirmed": not is_bot}

    def _seed(self) -> None:
        """Acme Consulting: the people of the Harvest fake, the bot, six channels, one webhook."""
        for uid, name, real, email, tz, admin in (
                (ADA, "ada", "Ada Lovelace", "ada@example.com", "Europe/Berlin", True),
                (CHARLES, "charles", "Charles Babbage", "charles@example.com", "Europe/London",
                 False),
                (GRACE, "grace", "Grace Hopper", "grace@example.com", "America/New_York",
                 False)):
            self.users[uid] = self._user_object(uid, name, real, email, tz, is_admin=admin)
        self.users[self.BOT_USER_ID] = self._user_object(
            self.BOT_USER_ID, self.BOT_NAME, "Gleaner", None, "Europe/Berlin", is_bot=True)
        for cid, name, private, member, archived in (
                (TIMESHEETS, "timesheets", False, True, False),
                (GENERAL, "general", False, True, False),
                (RANDOM, "random", False, False, False),        # bot not in it
                (FINANCE, "finance", True, False, False),       # private, bot not in it
                (BUDGETS, "budgets", True, True, False),        # private, bot in it
                (OLD_PROJECT, "old-project", False, True, True)):
            self.channels[cid] = {"id": cid, "name": name, "is_private": private,
                                  "is_archived": archived, "is_im": False, "user": None,
                                  "bot_member": member, "created": 1767225600}
        self.tokens[self.BOT_TOKEN] = _Token(list(self.BOT_SCOPES))
        self.tokens[self.LIMITED_TOKEN] = _Token(list(self.LIMITED_SCOPES))
        self.webhooks[self.WEBHOOK_PATH] = _Webhook(self.WEBHOOK_HOOK_ID, self.WEBHOOK_SECRET,
                                                    TIMESHEETS)


# -- script mode ---------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Fake Slack (incoming webhooks + Web API) on 127.0.0.1. Prints 'PORT <n>', "
                    "serves until stdin reaches EOF or SIGTERM/SIGINT. Web API base "
                    f"http://127.0.0.1:<n>/api, bot token {FakeSlack.BOT_TOKEN}, webhook "
                    f"http://127.0.0.1:<n>{FakeSlack.WEBHOOK_PATH} (#timesheets); steer it with "
                    "POST /_slack/<verb> (see FakeSlack._control).")
    ap.add_argument("--page-size", type=int, default=DEFAULT_PAGE_SIZE,
                    help=f"conversations.history page size cap (default {DEFAULT_PAGE_SIZE}; "
                         "0: limit alone decides)")
    ap.add_argument("--list-page-size", type=int, default=DEFAULT_LIST_PAGE_SIZE,
                    help="conversations.list page size cap (default "
                         f"{DEFAULT_LIST_PAGE_SIZE}; 0: limit alone decides)")
    ap.add_argument("--no-rate-limit", action="store_true",
                    help="turn the per-webhook / per-channel posting limit off")
    ap.add_argument("--ignore-stdin", action="store_true",
                    help="don't exit on stdin EOF (e.g. when backgrounded from a shell)")
    args = ap.parse_args(argv)
    try:
        fake = FakeSlack(page_size=args.page_size or None, rate_limit=not args.no_rate_limit,
                         list_page_size=args.list_page_size or None)
    except ValueError as exc:
        ap.error(str(exc))
    return serve(fake.start, fake.stop, lambda: fake.server.port, args.ignore_stdin,
                 "fake-slack")


if __name__ == "__main__":
    sys.exit(main())
