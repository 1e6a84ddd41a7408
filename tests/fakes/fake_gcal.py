#!/usr/bin/env python3
"""fake_gcal - a stateful fake of the Google Calendar API v3 and of Google's OAuth 2.0
endpoints for installed (desktop) apps, for gleaner's tests.

It is built on fakekit (same directory), so faults, rate limits and request recording all work:

    from fake_gcal import FakeGoogle

    with FakeGoogle(page_size=3) as fg:
        run_gleaner(base_url=fg.api_url, auth_url=fg.auth_url, token_url=fg.token_url)
        fg.change_event("kick0ff1", summary="ACME kick-off (moved)")
        fg.expire_sync_tokens()                     # the next syncToken request gets 410
        assert fg.server.requests_for("GET", "/calendar/v3/calendars/.*/events")

The shapes follow the discovery document (shared/specs/google-calendar/calendar.v3.json,
revision 20251028) and Google's guides on sync, errors and OAuth for desktop apps:

  GET  /calendar/v3/calendars/{calendarId}/events   events.list: singleEvents expansion of
       DAILY/WEEKLY/YEARLY series (INTERVAL, COUNT, UNTIL; instance ids "<id>_<YYYYMMDDTHHMMSSZ>",
       all-day "<id>_<YYYYMMDD>"), timeMin (on an event's end) / timeMax (on its start),
       showDeleted, eventTypes, orderBy, fields (partial responses: "items(id,start)"),
       maxResults (default 250, at most 2500, and at most
       `page_size` when the fake was given one), pageToken, nextSyncToken on the last page only,
       syncToken (only what changed since, deletions included; 410 fullSyncRequired once expired;
       400 when combined with a parameter Google forbids with it, or with showDeleted=false)
  GET  /calendar/v3/calendars/{calendarId}          calendars.get
  GET  /o/oauth2/v2/auth                            the consent step, approved at once: 302 to
       the loopback redirect_uri with code, state and scope (or error=access_denied)
  POST /token                                       authorization_code (client secret, PKCE
       S256/plain, redirect_uri checked) and refresh_token (no rotation: Google keeps the
       refresh token; a revoked one gets 400 invalid_grant "Token has been expired or revoked.")

Every API request needs "Authorization: Bearer <token>" with a token the token endpoint issued
(or TEST_TOKEN / TEST_TOKEN_2, which never expire) and a calendar scope; otherwise 401 with
Google's authError body, or 403 insufficientPermissions.  Unknown calendars get 404 notFound.
Error bodies have Google's shape {"error": {"code", "message", "errors": [{"domain", "reason",
"message", ...}]}}.  Where no source gives Google's exact words (the 400s for forbidden
parameter combinations and bad page tokens) the wording is the fake's own.

Seed: ada@example.com's primary calendar (Europe/Berlin) and a team calendar
"acme-team@group.calendar.google.com"; see SEED_NOTES below and _seed().

Tests steer it from Python (add_event, change_event, cancel_event, delete_event,
expire_sync_tokens, revoke_refresh_tokens, expire_access_tokens, rate_limit_storm, set_now), or
over HTTP from C with POST /_gcal/<verb> and a JSON body (see _control).  Control requests are
recorded by fakekit like any other; filter on /calendar/v3/ when counting API calls.

Run as a script it prints "PORT <n>" and serves until stdin reaches EOF (fakekit's pattern):
    python3 fake_gcal.py [--page-size N] [--ignore-stdin]
Python 3.11 standard library only.
"""
from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import json
import re
import secrets
import sys
import urllib.parse
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable
from zoneinfo import ZoneInfo

from fakekit import FakeServer, FakeService, Request, Response, serve

__all__ = ["FakeGoogle", "main"]

UTC = timezone.utc
API = "/calendar/v3"
SCOPE_READONLY = "https://www.googleapis.com/auth/calendar.readonly"
# Scopes that may call each method (the discovery document's "scopes" lists).
EVENTS_LIST_SCOPES = {
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/calendar.app.created",
    "https://www.googleapis.com/auth/calendar.events",
    "https://www.googleapis.com/auth/calendar.events.freebusy",
    "https://www.googleapis.com/auth/calendar.events.owned",
    "https://www.googleapis.com/auth/calendar.events.owned.readonly",
    "https://www.googleapis.com/auth/calendar.events.public.readonly",
    "https://www.googleapis.com/auth/calendar.events.readonly",
    SCOPE_READONLY,
}
CALENDARS_GET_SCOPES = {
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/calendar.app.created",
    "https://www.googleapis.com/auth/calendar.calendars",
    "https://www.googleapis.com/auth/calendar.calendars.readonly",
    SCOPE_READONLY,
}
KNOWN_SCOPES = EVENTS_LIST_SCOPES | CALENDARS_GET_SCOPES | {"openid", "email", "profile"}
# events.list parameters Google refuses next to syncToken (the syncToken description).
FORBIDDEN_WITH_SYNC = ("iCalUID", "orderBy", "privateExtendedProperty", "q",
                       "sharedExtendedProperty", "timeMin", "timeMax", "updatedMin")
EVENT_TYPES = ("birthday", "default", "focusTime", "fromGmail", "outOfOffice", "workingLocation")
LIST_PARAMS = {"alwaysIncludeEmail", "eventTypes", "iCalUID", "maxAttendees", "maxResults",
               "orderBy", "pageToken", "privateExtendedProperty", "q", "sharedExtendedProperty",
               "showDeleted", "showHiddenInvitations", "singleEvents", "syncToken", "timeMax",
               "timeMin", "timeZone", "updatedMin",
               # standard query parameters every Google API takes
               "fields", "prettyPrint", "quotaUser", "key", "alt", "userIp"}
DEFAULT_MAX_RESULTS = 250
MAX_MAX_RESULTS = 2500
ACCESS_LIFETIME = 3599            # seconds, what Google's token endpoint says
CODE_LIFETIME = timedelta(minutes=10)
SERIES_HORIZON = timedelta(days=730)   # open-ended series are expanded this far
SYNC_PREFIX = "CPfake"            # sync tokens the fake issued start with this
PAGE_PREFIX = "EjRfake"

AUTH_HEADER_ERROR = ('Bearer realm="https://accounts.google.com/", error="invalid_token"')
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|z|[+-]\d{2}:\d{2})")
BASE32HEX = "abcdefghijklmnopqrstuv0123456789"

SEED_NOTES = """
primary (ada@example.com, Europe/Berlin):
  stand0up   weekly Mon 09:30-09:45 from 2026-10-05, COUNT=12 (crosses the DST end on 2026-10-25);
             organizer bob@acme.example; ada accepted; carol@globex.example needsAction; a room.
             The 2026-11-16 instance moved to 10:00-10:15; the 2026-11-23 instance cancelled.
  retro1     weekly Fri 16:00-17:00 from 2026-11-06, COUNT=6; ada organizes; bob, carol
  kick0ff1   Tue 2026-11-17 14:00-15:00 ACME kickoff; ada organizes; hank@globex.example accepted,
             peter@initech.example tentative, bob@acme.example declined
  free1      Tue 2026-11-17 12:00-13:00 Lunch, transparent
  decl1ned   Wed 2026-11-18 11:00-12:00 Vendor pitch; ada declined
  tentat1ve  Wed 2026-11-18 15:00-16:00 status tentative; ada tentative
  needs0act  Thu 2026-11-19 10:00-10:30 Budget review; ada needsAction
  focus1     Thu 2026-11-19 13:00-15:00 focusTime
  nyc0call   Thu 2026-11-19 09:00-10:00 America/New_York (15:00 Berlin); ada accepted
  canc0l1    Thu 2026-11-19 16:00-17:00 status cancelled, details kept (showDeleted only)
  oof0fri    Fri 2026-11-20 12:00-18:00 outOfOffice
  gma1l1     Fri 2026-11-20 19:00 Berlin - 20:30 London, fromGmail
  wl0home    Mon 2026-11-16 all-day workingLocation (home office)
  bday1      yearly all-day from 2026-11-19, birthday
  all0day1   2026-11-16..2026-11-18 (two days) all-day Conference
  offs1te    2026-10-24..2026-10-26 all-day Team offsite (across the DST end)
acme-team@group.calendar.google.com (ACME Team, Europe/Berlin):
  rel0ease   Wed 2026-11-18 17:00-18:00 Release 4.2, no attendees, organizer the calendar itself
"""


# -- small helpers ---------------------------------------------------------------------------

class _Reject(Exception):
    """Aborts a handler with a ready reply."""

    def __init__(self, response: Response):
        super().__init__(response.status)
        self.response = response


def _google_error(status: int, message: str, reason: str, domain: str = "global",
                  location: str | None = None, location_type: str | None = None,
                  headers: dict[str, str] | None = None, api_status: str | None = None) -> Response:
    """Google's error body: {"error": {"errors": [...], "code", "message"}}."""
    item: dict[str, Any] = {"domain": domain, "reason": reason, "message": message}
    if location is not None:
        item["locationType"] = location_type or "parameter"
        item["location"] = location
    body: dict[str, Any] = {"errors": [item], "code": status, "message": message}
    if api_status:
        body["status"] = api_status
    return Response(status, json={"error": body}, headers=headers)


def _bad_request(message: str, reason: str = "invalid", location: str | None = None) -> _Reject:
    return _Reject(_google_error(400, message, reason, location=location))


def _oauth_error(status: int, error: str, description: str) -> Response:
    return Response(status, json={"error": error, "error_description": description},
                    headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def _html(status: int, title: str, text: str) -> Response:
    page = (f"<!DOCTYPE html>\n<html><head><title>{title}</title></head>"
            f"<body><h1>{title}</h1><p>{text}</p></body></html>\n")
    return Response(status, body=page, content_type="text/html; charset=utf-8")


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii", errors="replace")).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _is_loopback_http(uri: str) -> bool:
    """A desktop client may redirect to http://127.0.0.1, [::1] or localhost, any port and path."""
    try:
        parts = urllib.parse.urlsplit(uri)
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        return False
    return (parts.scheme == "http" and parts.hostname in ("127.0.0.1", "::1", "localhost")
            and not parts.fragment)


def _new_id(n: int = 26) -> str:
    return "".join(secrets.choice(BASE32HEX) for _ in range(n))


def _iso_z(moment: datetime) -> str:
    """Google's `updated`/`created` format: UTC with milliseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{moment.microsecond // 1000:03d}Z"


def _parse_rfc3339(text: str, name: str) -> datetime:
    if not RFC3339.fullmatch(text or ""):
        raise _Reject(_google_error(400, "Bad Request", "badRequest"))
    try:
        return datetime.fromisoformat(text.replace("z", "Z")).astimezone(UTC)
    except ValueError:
        raise _Reject(_google_error(400, "Bad Request", "badRequest")) from None


def _as_bool(raw: str | None, name: str) -> bool | None:
    if raw is None:
        return None
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise _bad_request(f"Invalid value '{raw}'. Values must match the following regular "
                       f"expression: '(true|false)'", location=name)


def _parse_fields(text: str) -> dict[str, Any]:
    """Google's partial-response selector ("a,b(c,d/e)") as a tree: name -> subtree or None
    (the whole value).  ValueError when it does not parse."""
    pos = 0

    def selection(depth: int) -> dict[str, Any]:
        nonlocal pos
        out: dict[str, Any] = {}
        while True:
            m = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:/[A-Za-z_][A-Za-z0-9_]*)*").match(text, pos)
            if not m:
                raise ValueError(f"bad fields selector at {pos}")
            pos = m.end()
            names = m.group(0).split("/")
            node: dict[str, Any] | None = out
            for name in names[:-1]:   # "a/b" is "a(b)"
                if node is not None:
                    if name not in node:
                        node[name] = {}
                    node = node[name]
            sub: Any = None
            if pos < len(text) and text[pos] == "(":
                pos += 1
                sub = selection(depth + 1)
                if pos >= len(text) or text[pos] != ")":
                    raise ValueError("unbalanced parentheses in fields")
                pos += 1
            if node is not None:   # None: a parent is selected whole already
                node[names[-1]] = sub
            if pos < len(text) and text[pos] == ",":
                pos += 1
                continue
            if depth == 0 and pos != len(text):
                raise ValueError(f"bad fields selector at {pos}")
            return out

    return selection(0)


def _select(value: Any, tree: dict[str, Any] | None) -> Any:
    """Keep only what the selector names (lists are filtered item by item)."""
    if tree is None:
        return value
    if isinstance(value, list):
        return [_select(v, tree) for v in value]
    if not isinstance(value, dict):
        return value
    return {k: _select(value[k], sub) for k, sub in tree.items() if k in value}


@dataclass
class _When:
    """One end of an event: an instant (UTC) or an all-day date."""

    instant: datetime | None = None
    day: date | None = None
    tz: str | None = None   # the EventDateTime's timeZone

    @property
    def all_day(self) -> bool:
        return self.day is not None

    def utc(self, cal_tz: str) -> datetime:
        """An all-day date starts at midnight in the calendar's zone (how Google filters)."""
        if self.instant is not None:
            return self.instant
        return datetime(self.day.year, self.day.month, self.day.day,
                         tzinfo=ZoneInfo(cal_tz)).astimezone(UTC)

    def render(self, cal_tz: str) -> dict[str, Any]:
        if self.day is not None:
            out: dict[str, Any] = {"date": self.day.isoformat()}
        else:
            out = {"dateTime": self.instant.astimezone(ZoneInfo(self.tz or cal_tz)).isoformat()}
        if self.tz:
            out["timeZone"] = self.tz
        return out


def _when(obj: Any, what: str) -> _When:
    """Read an EventDateTime the way Google accepts one on insert."""
    if not isinstance(obj, dict):
        raise ValueError(f"{what} must be an object with date or dateTime")
    tz = obj.get("timeZone")
    if tz is not None:
        ZoneInfo(tz)  # raises for an unknown zone
    if obj.get("date"):
        return _When(day=date.fromisoformat(obj["date"]), tz=tz)
    text = obj.get("dateTime")
    if not isinstance(text, str):
        raise ValueError(f"{what} needs date or dateTime")
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        if not tz:
            raise ValueError(f"{what}.dateTime has no offset and no timeZone")
        moment = moment.replace(tzinfo=ZoneInfo(tz))
    return _When(instant=moment.astimezone(UTC), tz=tz)


@dataclass
class _Rule:
    freq: str
    interval: int = 1
    count: int | None = None
    until: datetime | date | None = None


def _parse_rrule(lines: list[str]) -> _Rule:
    for line in lines:
        if not line.upper().startswith("RRULE:"):
            continue  # EXDATE/RDATE: the fake cancels instances with overrides instead
        parts = dict(p.split("=", 1) for p in line[6:].split(";") if "=" in p)
        freq = parts.get("FREQ", "").upper()
        if freq not in ("DAILY", "WEEKLY", "YEARLY"):
            raise ValueError(f"the fake expands FREQ=DAILY, WEEKLY or YEARLY, not {freq!r}")
        rule = _Rule(freq, int(parts.get("INTERVAL", "1")))
        if "COUNT" in parts:
            rule.count = int(parts["COUNT"])
        if "UNTIL" in parts:
            u = parts["UNTIL"]
            rule.until = (datetime.strptime(u, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
                          if "T" in u else datetime.strptime(u, "%Y%m%d").date())
        return rule
    raise ValueError("recurrence has no RRULE line")


@dataclass
class _Record:
    """One item of a calendar's listing as clients see it, with its change history."""

    item: dict[str, Any]          # the Event JSON without etag/updated
    start: datetime               # for window filtering (UTC)
    end: datetime
    seq: int                      # change sequence of the last change
    updated: str
    etype: str
    deleted: bool = False         # a tombstone: the event is gone


@dataclass
class _Calendar:
    id: str
    summary: str
    time_zone: str
    events: dict[str, dict[str, Any]] = field(default_factory=dict)      # raw, by id
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)   # instance id -> fields
    views: dict[bool, dict[str, _Record]] = field(default_factory=lambda: {True: {}, False: {}})


@dataclass
class _Access:
    scopes: frozenset[str]
    expires_at: datetime | None
    revoked: bool = False


@dataclass
class _Grant:
    redirect_uri: str
    challenge: str | None
    method: str
    scopes: frozenset[str]
    offline: bool
    expires_at: datetime
    used: bool = False


@dataclass
class _Snapshot:
    """A listing, kept server-side behind its page tokens (Google's pages are stable)."""

    calendar: str
    signature: tuple
    records: list[_Record]
    sync_seq: int
    single: bool
    event_types: tuple[str, ...]


# -- the fake --------------------------------------------------------------------------------

class FakeGoogle(FakeService):
    """Google Calendar API v3 (under /calendar/v3) and Google OAuth on one fakekit server."""

    USER = "ada@example.com"
    TEAM = "acme-team@group.calendar.google.com"
    CLIENT_ID = "1234567890-gleanertest.apps.googleusercontent.com"
    CLIENT_SECRET = "GOCSPX-fake-desktop-client-secret"
    TEST_TOKEN = "ya29.test-access-token-one-0123456789"
    TEST_TOKEN_2 = "ya29.test-access-token-two-0123456789"

    def __init__(self, page_size: int | None = None) -> None:
        """`page_size`: the most items on one page whatever maxResults says (Google may send
        fewer than asked); None: maxResults alone decides."""
        if page_size is not None and not 1 <= page_size <= MAX_MAX_RESULTS:
            raise ValueError(f"page_size must be within 1..{MAX_MAX_RESULTS}")
        self.page_size = page_size
        self.oauth_approve = True        # False: the consent step redirects with access_denied
        self.grant_scopes: str | None = None   # the scopes the user ticks (None: all requested)
        self.refresh_count = 0
        self.token_requests: list[dict[str, str]] = []
        self.authorize_requests: list[dict[str, str]] = []
        self.issued_tokens: list[dict[str, Any]] = []
        self._fixed_now: datetime | None = None
        self._seq = 0
        self._access: dict[str, _Access] = {
            self.TEST_TOKEN: _Access(frozenset({SCOPE_READONLY}), None),
            self.TEST_TOKEN_2: _Access(frozenset({SCOPE_READONLY}), None),
        }
        self._refresh: dict[str, frozenset[str]] = {}   # live refresh tokens -> scopes
        self._consented = False                          # a refresh token was issued before
        self._codes: dict[str, _Grant] = {}
        self._sync_tokens: dict[str, tuple[str, int, bool, tuple[str, ...]]] = {}
        self._pages: dict[str, _Snapshot] = {}
        self.calendars: dict[str, _Calendar] = {}
        self.server = FakeServer()
        self._seed()
        self._install_routes()

    # -- lifecycle (start, stop, url: FakeService) ---------------------------------------------

    @property
    def api_url(self) -> str:
        """google.base-url."""
        return f"{self.server.url}{API}"

    @property
    def auth_url(self) -> str:
        """google.auth-url."""
        return f"{self.server.url}/o/oauth2/v2/auth"

    @property
    def token_url(self) -> str:
        """google.token-url."""
        return f"{self.server.url}/token"

    # -- clock --------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self._fixed_now or datetime.now(UTC)

    def set_now(self, moment: datetime | None) -> None:
        """Fix the fake's clock (token expiry, `updated` stamps); None: real time again."""
        with self.server.lock:
            self._fixed_now = moment.astimezone(UTC) if moment else None

    # -- helpers for tests --------------------------------------------------------------------

    def _calendar(self, calendar_id: str) -> _Calendar:
        cal = self.calendars.get(self.USER if calendar_id == "primary" else calendar_id)
        if cal is None:
            raise KeyError(f"no calendar {calendar_id!r}")
        return cal

    def add_event(self, calendar: str = "primary", **event: Any) -> dict[str, Any]:
        """Insert an event (Google's Event fields; start/end required).  Returns what a list
        would show for it (a series: its master)."""
        with self.server.lock:
            cal = self._calendar(calendar)
            ev = self._normalise(cal, copy.deepcopy(event))
            if ev["id"] in cal.events:
                raise ValueError(f"event {ev['id']} exists")
            cal.events[ev["id"]] = ev
            self._commit(cal)
            return copy.deepcopy(cal.views[False][ev["id"]].item)

    def change_event(self, event_id: str, calendar: str = "primary", **fields: Any) -> None:
        """Patch an event, or one instance of a series (`<id>_<stamp>`: an exception)."""
        with self.server.lock:
            cal = self._calendar(calendar)
            if event_id in cal.events:
                ev = cal.events[event_id]
                for key, value in copy.deepcopy(fields).items():
                    if value is None:
                        ev.pop(key, None)
                    else:
                        ev[key] = value
                ev["sequence"] = ev.get("sequence", 0) + 1
                cal.events[event_id] = self._normalise(cal, ev)
            else:
                self._instance_master(cal, event_id)
                override = cal.overrides.setdefault(event_id, {})
                for key in ("start", "end"):
                    if key in fields:
                        _when(fields[key], key)
                override.update(copy.deepcopy(fields))
            self._commit(cal)

    def cancel_event(self, event_id: str, calendar: str = "primary") -> None:
        """Cancel: an event keeps its details with status cancelled (as on the organizer's
        calendar); an instance becomes a cancelled exception of its series."""
        self.change_event(event_id, calendar, status="cancelled")

    def delete_event(self, event_id: str, calendar: str = "primary") -> None:
        """Delete: the event (a series: every instance) is gone; syncs see a bare tombstone
        {"id", "status": "cancelled"}.  An instance id is cancelled as an exception."""
        with self.server.lock:
            cal = self._calendar(calendar)
            if event_id in cal.events:
                del cal.events[event_id]
                for inst in [k for k in cal.overrides if k.startswith(event_id + "_")]:
                    del cal.overrides[inst]
            else:
                self._instance_master(cal, event_id)
                cal.overrides[event_id] = {"status": "cancelled"}
            self._commit(cal)

    def expire_sync_tokens(self) -> None:
        """Every sync token issued so far gets 410 fullSyncRequired from now on."""
        with self.server.lock:
            self._sync_tokens.clear()

    def revoke_refresh_tokens(self, token: str | None = None) -> None:
        """The refresh token (default: every one) gets 400 invalid_grant from now on."""
        with self.server.lock:
            if token is None:
                self._refresh.clear()
            else:
                self._refresh.pop(token, None)

    def expire_access_tokens(self, token: str | None = None) -> None:
        """The access token (default: every one, the test tokens too) gets 401 from now on."""
        with self.server.lock:
            for key, info in self._access.items():
                if token is None or key == token:
                    info.revoked = True

    def rate_limit_storm(self, count: int, status: int = 429,
                         reason: str = "rateLimitExceeded") -> None:
        """The next `count` API requests are refused with Google's rate-limit answer: 429, or
        403 with reason rateLimitExceeded / userRateLimitExceeded (or quotaExceeded, ...)."""
        messages = {"rateLimitExceeded": "Rate Limit Exceeded",
                    "userRateLimitExceeded": "User Rate Limit Exceeded",
                    "quotaExceeded": "Calendar usage limits exceeded.",
                    "dailyLimitExceeded": "Daily Limit Exceeded"}
        message = messages.get(reason, reason)
        body = _google_error(status, message, reason, domain="usageLimits").json
        self.server.fault("status", count=count, path=rf"{API}/.*", status=status, json=body)

    # -- routing ------------------------------------------------------------------------------

    def _install_routes(self) -> None:
        srv = self.server
        srv.route(None, r".*", lambda req: _google_error(404, "Not Found", "notFound"))
        table: list[tuple[str, str, Callable[..., Any]]] = [
            ("GET", rf"{API}/calendars/([^/]+)/events", self._list_events),
            ("GET", rf"{API}/calendars/([^/]+)", self._get_calendar),
            ("GET", r"/o/oauth2/v2/auth", self._authorize),
            ("POST", r"/token", self._token),
            ("POST", r"/_gcal/([a-z_]+)", self._control),
        ]
        for method, path, fn in table:
            srv.route(method, path, self._guarded(fn))

    def _guarded(self, fn: Callable[..., Any]) -> Callable[[Request], Any]:
        def handler(req: Request) -> Any:
            with self.server.lock:
                try:
                    return fn(req, *[urllib.parse.unquote(g) for g in req.match.groups()])
                except _Reject as exc:
                    return exc.response
        return handler

    def _authenticate(self, req: Request, allowed: set[str]) -> None:
        scheme, _, token = req.headers.get("Authorization", "").strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _Reject(_google_error(
                401, "Request is missing required authentication credential. Expected OAuth 2 "
                "access token, login cookie or other valid authentication credential.",
                "required", location="Authorization", location_type="header",
                headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
                api_status="UNAUTHENTICATED"))
        info = self._access.get(token.strip())
        if (info is None or info.revoked
                or (info.expires_at is not None and self.now() >= info.expires_at)):
            raise _Reject(_google_error(
                401, "Invalid Credentials", "authError", location="Authorization",
                location_type="header", headers={"WWW-Authenticate": AUTH_HEADER_ERROR},
                api_status="UNAUTHENTICATED"))
        if not info.scopes & allowed:
            raise _Reject(_google_error(
                403, "Request had insufficient authentication scopes.", "insufficientPermissions",
                api_status="PERMISSION_DENIED"))

    # -- calendars.get ------------------------------------------------------------------------

    def _get_calendar(self, req: Request, calendar_id: str) -> dict[str, Any]:
        self._authenticate(req, CALENDARS_GET_SCOPES)
        cal = self._find_calendar(calendar_id)
        return {"kind": "calendar#calendar", "etag": f'"{cal.id}-etag"', "id": cal.id,
                "summary": cal.summary, "timeZone": cal.time_zone,
                "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]}}

    def _find_calendar(self, calendar_id: str) -> _Calendar:
        cal = self.calendars.get(self.USER if calendar_id == "primary" else calendar_id)
        if cal is None:
            raise _Reject(_google_error(404, "Not Found", "notFound"))
        return cal

    # -- events.list --------------------------------------------------------------------------

    def _list_events(self, req: Request, calendar_id: str) -> dict[str, Any]:
        self._authenticate(req, EVENTS_LIST_SCOPES)
        cal = self._find_calendar(calendar_id)
        q = req.query
        for name, values in q.items():
            if name not in LIST_PARAMS:
                raise _bad_request(f"Unknown parameter: '{name}'", location=name)
            if len(values) > 1 and name not in ("eventTypes", "privateExtendedProperty",
                                                "sharedExtendedProperty"):
                raise _bad_request(f"Parameter '{name}' given more than once", location=name)
        fields = None
        if req.arg("fields") is not None:
            try:
                fields = _parse_fields(req.arg("fields"))
            except ValueError as exc:
                raise _bad_request(f"Invalid field selection: {exc}", location="fields") \
                    from None
        single = _as_bool(req.arg("singleEvents"), "singleEvents") or False
        show_deleted = _as_bool(req.arg("showDeleted"), "showDeleted")
        event_types = tuple(sorted(set(q.get("eventTypes", []))))
        for et in event_types:
            if et not in EVENT_TYPES:
                raise _bad_request(f"Invalid event type: {et}", location="eventTypes")
        max_results = DEFAULT_MAX_RESULTS
        if req.arg("maxResults") is not None:
            try:
                max_results = int(req.arg("maxResults"))
            except ValueError:
                raise _bad_request("Invalid value for: maxResults", location="maxResults") \
                    from None
            if max_results < 1:
                raise _bad_request(f"Invalid value '{max_results}'. Values must be within the "
                                   f"range: [1, {MAX_MAX_RESULTS}]", location="maxResults")
            max_results = min(max_results, MAX_MAX_RESULTS)
        if self.page_size is not None:
            max_results = min(max_results, self.page_size)   # "may be less than this value"
        order_by = req.arg("orderBy")
        if order_by not in (None, "startTime", "updated"):
            raise _bad_request(f"Invalid value for orderBy: {order_by}", location="orderBy")
        if order_by == "startTime" and not single:
            raise _bad_request("The requested ordering is not available for the particular "
                               "query.", reason="badRequest")
        sync_token = req.arg("syncToken")
        if sync_token is not None:
            for name in FORBIDDEN_WITH_SYNC:
                if name in q:
                    raise _bad_request(f"The syncToken parameter cannot be combined with "
                                       f"{name}.", location=name)
            if show_deleted is False:
                raise _bad_request("showDeleted cannot be false with a syncToken: deletions "
                                   "are always included.", location="showDeleted")
        # Everything but pageToken must be the same on every page of one listing.
        signature = tuple(sorted((k, tuple(v)) for k, v in q.items() if k != "pageToken"))
        page_token = req.arg("pageToken")
        offset = 0
        if page_token is not None:
            # "<prefix><listing>.<offset>": asking for a page again (a retry) gives it again.
            listing, _, at = page_token[len(PAGE_PREFIX):].rpartition(".")
            snap = self._pages.get(listing) if page_token.startswith(PAGE_PREFIX) else None
            if (snap is None or snap.calendar != cal.id or snap.signature != signature
                    or not at.isdigit() or int(at) > len(snap.records)):
                raise _bad_request("Invalid page token value, or the parameters changed "
                                   "between pages.", location="pageToken")
            offset = int(at)
        else:
            snap = self._start_listing(req, cal, single, show_deleted, event_types, order_by,
                                       sync_token, signature)
            listing = secrets.token_urlsafe(12)
            self._pages[listing] = snap
        page = snap.records[offset:offset + max_results]
        rest = snap.records[offset + max_results:]
        out: dict[str, Any] = {
            "kind": "calendar#events", "etag": f'"p{self._seq}"', "summary": cal.summary,
            "description": "", "updated": _iso_z(self.now()), "timeZone": cal.time_zone,
            "accessRole": "owner", "defaultReminders": [{"method": "popup", "minutes": 10}],
            "items": [self._render(rec) for rec in page],
        }
        if rest:
            out["nextPageToken"] = f"{PAGE_PREFIX}{listing}.{offset + len(page)}"
        else:
            token = SYNC_PREFIX + secrets.token_urlsafe(18) + "="
            self._sync_tokens[token] = (cal.id, snap.sync_seq, snap.single, snap.event_types)
            out["nextSyncToken"] = token
        return _select(out, fields)

    def _start_listing(self, req: Request, cal: _Calendar, single: bool,
                       show_deleted: bool | None, event_types: tuple[str, ...],
                       order_by: str | None, sync_token: str | None,
                       signature: tuple) -> _Snapshot:
        view = cal.views[single]
        if sync_token is not None:
            if not sync_token.startswith(SYNC_PREFIX):
                raise _bad_request("Invalid sync token value.", location="syncToken")
            known = self._sync_tokens.get(sync_token)
            if known is None or known[0] != cal.id:
                raise _Reject(_google_error(410, "Sync token is no longer valid, a full sync is "
                                            "required.", "fullSyncRequired", domain="calendar",
                                            location="syncToken"))
            if known[2] != single:
                raise _bad_request("The syncToken was issued for a listing with a different "
                                   "singleEvents value.", location="syncToken")
            since = known[1]
            records = [r for r in view.values() if r.seq > since]
        else:
            lo = _parse_rfc3339(req.arg("timeMin"), "timeMin") if req.arg("timeMin") else None
            hi = _parse_rfc3339(req.arg("timeMax"), "timeMax") if req.arg("timeMax") else None
            if lo is not None and hi is not None and hi <= lo:
                raise _Reject(_google_error(400, "The specified time range is empty.",
                                            "timeRangeEmpty", domain="calendar",
                                            location="timeMax"))
            upd = (_parse_rfc3339(req.arg("updatedMin"), "updatedMin")
                   if req.arg("updatedMin") else None)
            records = []
            for r in view.values():
                if r.item.get("status") == "cancelled" and not (
                        show_deleted
                        # "entries deleted since this time will always be included"
                        or upd is not None
                        # unexpanded, cancelled exceptions show without showDeleted
                        or (not single and "recurringEventId" in r.item and not r.deleted)):
                    continue
                if lo is not None and r.end <= lo:
                    continue
                if hi is not None and r.start >= hi:
                    continue
                if upd is not None and datetime.fromisoformat(
                        r.updated.replace("Z", "+00:00")) < upd:
                    continue
                if req.arg("iCalUID") and r.item.get("iCalUID") != req.arg("iCalUID"):
                    continue
                if req.arg("q") and req.arg("q").lower() not in \
                        json.dumps(r.item).lower():
                    continue
                records.append(r)
        if event_types:
            records = [r for r in records if r.etype in event_types]
        if order_by == "updated":
            records.sort(key=lambda r: (r.updated, r.item["id"]))
        else:  # startTime, or Google's "unspecified, stable order"
            records.sort(key=lambda r: (r.start, r.item["id"]))
        return _Snapshot(cal.id, signature, records, self._seq, single, event_types)

    def _render(self, rec: _Record) -> dict[str, Any]:
        item = copy.deepcopy(rec.item)
        item["etag"] = f'"{3000000000000000 + rec.seq}"'
        if not rec.deleted:
            item["updated"] = rec.updated
        return item

    # -- the event store ----------------------------------------------------------------------

    def _normalise(self, cal: _Calendar, ev: dict[str, Any]) -> dict[str, Any]:
        """Check an inserted event and fill what Google fills."""
        ev.setdefault("id", _new_id())
        if not isinstance(ev["id"], str) or not 5 <= len(ev["id"]) <= 1024:
            raise ValueError("an event id is 5 to 1024 characters")
        start, end = _when(ev.get("start"), "start"), _when(ev.get("end"), "end")
        if start.all_day != end.all_day:
            raise ValueError("start and end must both be dates or both date-times")
        if (start.day or start.instant) > (end.day or end.instant):
            raise ValueError("the end is before the start")
        if ev.get("recurrence"):
            _parse_rrule(ev["recurrence"])
            if not start.all_day and not start.tz:
                ev["start"]["timeZone"] = cal.time_zone   # required for series
        if ev.get("eventType", "default") not in EVENT_TYPES:
            raise ValueError(f"unknown eventType {ev['eventType']!r}")
        stamp = _iso_z(self.now())
        ev.setdefault("kind", "calendar#event")
        ev.setdefault("status", "confirmed")
        ev.setdefault("created", stamp)
        ev.setdefault("iCalUID", f"{ev['id']}@google.com")
        ev.setdefault("sequence", 0)
        ev.setdefault("eventType", "default")
        ev.setdefault("htmlLink", f"https://www.google.com/calendar/event?eid={ev['id']}")
        owner = {"email": cal.id, "self": True}
        if cal.id != self.USER:
            owner["displayName"] = cal.summary
        ev.setdefault("creator", dict(owner))
        ev.setdefault("organizer", dict(owner))
        ev.setdefault("reminders", {"useDefault": True})
        return ev

    def _instance_master(self, cal: _Calendar, instance_id: str) -> dict[str, Any]:
        master_id, _, stamp = instance_id.rpartition("_")
        ev = cal.events.get(master_id)
        if ev is None or not ev.get("recurrence"):
            raise KeyError(f"no event or instance {instance_id!r} in {cal.id}")
        if instance_id not in {oid for oid, _s, _e in self._occurrences(cal, ev)}:
            raise KeyError(f"{master_id} has no instance {stamp}")
        return ev

    def _occurrences(self, cal: _Calendar, ev: dict[str, Any]
                     ) -> list[tuple[str, _When, _When]]:
        """(instance id, original start, original end) of every instance of a series."""
        rule = _parse_rrule(ev["recurrence"])
        start, end = _when(ev["start"], "start"), _when(ev["end"], "end")
        out: list[tuple[str, _When, _When]] = []
        k = 0
        horizon_day = (start.day or start.instant.date()) + SERIES_HORIZON
        while rule.count is None or k < rule.count:
            step = k * rule.interval
            k += 1
            if start.all_day:
                day = self._step_date(start.day, rule.freq, step)
                if day is None:
                    continue
                if (isinstance(rule.until, date) and not isinstance(rule.until, datetime)
                        and day > rule.until) or day > horizon_day:
                    break
                if isinstance(rule.until, datetime) and datetime(
                        day.year, day.month, day.day, tzinfo=UTC) > rule.until:
                    break
                s = _When(day=day, tz=start.tz)
                e = _When(day=day + (end.day - start.day), tz=end.tz)
                out.append((f"{ev['id']}_{day.strftime('%Y%m%d')}", s, e))
                continue
            zone = ZoneInfo(start.tz or cal.time_zone)
            local0 = start.instant.astimezone(zone).replace(tzinfo=None)
            local_day = self._step_date(local0.date(), rule.freq, step)
            if local_day is None:
                continue
            local = datetime.combine(local_day, local0.time())
            instant = local.replace(tzinfo=zone).astimezone(UTC)   # fold=0: first of repeats
            if isinstance(rule.until, datetime) and instant > rule.until:
                break
            if isinstance(rule.until, date) and not isinstance(rule.until, datetime) and \
                    local_day > rule.until:
                break
            if local_day > horizon_day:
                break
            s = _When(instant=instant, tz=start.tz)
            e = _When(instant=instant + (end.instant - start.instant), tz=end.tz)
            out.append((f"{ev['id']}_{instant.strftime('%Y%m%dT%H%M%SZ')}", s, e))
        return out

    @staticmethod
    def _step_date(day: date, freq: str, step: int) -> date | None:
        if freq == "DAILY":
            return day + timedelta(days=step)
        if freq == "WEEKLY":
            return day + timedelta(weeks=step)
        try:
            return day.replace(year=day.year + step)
        except ValueError:
            return None   # 29 February in a common year: no instance (RFC 5545)

    def _items(self, cal: _Calendar, single: bool
               ) -> dict[str, tuple[dict[str, Any], datetime, datetime, str]]:
        """Every item of a listing, (json, start, end, eventType) by id."""
        tz = cal.time_zone
        out: dict[str, tuple[dict[str, Any], datetime, datetime, str]] = {}
        for ev in cal.events.values():
            etype = ev.get("eventType", "default")
            if not ev.get("recurrence"):
                s, e = _when(ev["start"], "start"), _when(ev["end"], "end")
                item = copy.deepcopy(ev)
                item["start"], item["end"] = s.render(tz), e.render(tz)
                out[ev["id"]] = (item, s.utc(tz), e.utc(tz), etype)
                continue
            occurrences = self._occurrences(cal, ev)
            if not single:
                item = copy.deepcopy(ev)
                s, e = _when(ev["start"], "start"), _when(ev["end"], "end")
                item["start"], item["end"] = s.render(tz), e.render(tz)
                last = occurrences[-1][2].utc(tz) if occurrences else e.utc(tz)
                out[ev["id"]] = (item, s.utc(tz), last, etype)
            for inst_id, s, e in occurrences:
                override = cal.overrides.get(inst_id)
                if not single and override is None:
                    continue   # unexpanded: only exceptions are items of their own
                original = s.render(tz)
                if override is not None and override.get("status") == "cancelled":
                    # A cancelled exception: only these fields are guaranteed.
                    item = {"kind": "calendar#event", "id": inst_id, "status": "cancelled",
                            "recurringEventId": ev["id"], "originalStartTime": original}
                    out[inst_id] = (item, s.utc(tz), e.utc(tz), etype)
                    continue
                item = {k: copy.deepcopy(v) for k, v in ev.items() if k != "recurrence"}
                item.update(id=inst_id, recurringEventId=ev["id"], originalStartTime=original,
                            start=original, end=e.render(tz))
                if override:
                    for key, value in copy.deepcopy(override).items():
                        item[key] = value
                    s = _when(item["start"], "start")
                    e = _when(item["end"], "end")
                    item["start"], item["end"] = s.render(tz), e.render(tz)
                out[inst_id] = (item, s.utc(tz), e.utc(tz), etype)
        return out

    def _commit(self, cal: _Calendar) -> None:
        """Bring both listings up to date; what changed gets a new sequence number, what
        vanished a tombstone (deleted events are only guaranteed to carry their id)."""
        stamp = _iso_z(self.now())
        for single in (True, False):
            view = cal.views[single]
            items = self._items(cal, single)
            for item_id, (item, start, end, etype) in items.items():
                old = view.get(item_id)
                if old is None or old.deleted or old.item != item:
                    self._seq += 1
                    view[item_id] = _Record(item, start, end, self._seq, stamp, etype)
            for item_id, old in list(view.items()):
                if item_id not in items and not old.deleted:
                    self._seq += 1
                    tomb = {"kind": "calendar#event", "id": item_id, "status": "cancelled"}
                    view[item_id] = _Record(tomb, old.start, old.end, self._seq, stamp,
                                            old.etype, deleted=True)

    # -- OAuth --------------------------------------------------------------------------------

    def _authorize(self, req: Request) -> Response:
        """Google's consent page, approved at once (or refused with access_denied)."""
        q = {k: v[0] for k, v in req.query.items()}
        self.authorize_requests.append(dict(q))
        if q.get("client_id") != self.CLIENT_ID:
            return _html(401, "Error 401: invalid_client", "The OAuth client was not found.")
        redirect = q.get("redirect_uri", "")
        if not _is_loopback_http(redirect):
            return _html(400, "Error 400: redirect_uri_mismatch",
                         "You can't sign in to this app because it doesn't comply with "
                         "Google's OAuth 2.0 policy: a desktop client redirects to a loopback "
                         "address.")
        if q.get("response_type") != "code":
            return _html(400, "Error 400: invalid_request",
                         "Invalid response_type: the installed-app flow uses code.")
        requested = set((q.get("scope") or "").split())
        if not requested:
            return _html(400, "Error 400: invalid_request", "Missing required parameter: scope")
        unknown = requested - KNOWN_SCOPES
        if unknown:
            return _html(400, "Error 400: invalid_scope",
                         f"Some requested scopes were invalid: {sorted(unknown)}")
        challenge = q.get("code_challenge")
        method = q.get("code_challenge_method", "plain")
        if challenge is not None and method not in ("S256", "plain"):
            return _html(400, "Error 400: invalid_request", "Invalid code_challenge_method.")

        def back(**params: str) -> Response:
            if q.get("state") is not None:
                params["state"] = q["state"]
            joiner = "&" if urllib.parse.urlsplit(redirect).query else "?"
            return Response(302, body=b"", headers={
                "Location": redirect + joiner + urllib.parse.urlencode(params)})

        if not self.oauth_approve:
            return back(error="access_denied")
        granted = (set(self.grant_scopes.split()) if self.grant_scopes is not None
                   else requested)
        code = "4/0A" + secrets.token_urlsafe(32)
        self._codes[code] = _Grant(redirect, challenge, method, frozenset(granted),
                                   q.get("access_type") == "offline"
                                   and (not self._consented or q.get("prompt") == "consent"),
                                   self.now() + CODE_LIFETIME)
        return back(code=code, scope=" ".join(sorted(granted)))

    def _token(self, req: Request) -> Response:
        """RFC 6749 token endpoint as Google runs it for desktop clients."""
        params = {k: v[-1] for k, v in req.form.items()}
        self.token_requests.append(dict(params))
        if params.get("client_id") != self.CLIENT_ID:
            return _oauth_error(401, "invalid_client", "The OAuth client was not found.")
        if params.get("client_secret") != self.CLIENT_SECRET:
            return _oauth_error(401, "invalid_client", "Unauthorized")
        grant_type = params.get("grant_type")
        if grant_type == "authorization_code":
            grant = self._codes.get(params.get("code", ""))
            if grant is None:
                return _oauth_error(400, "invalid_grant", "Malformed auth code.")
            if grant.used or self.now() >= grant.expires_at:
                return _oauth_error(400, "invalid_grant", "Bad Request")
            if params.get("redirect_uri") != grant.redirect_uri:
                return _oauth_error(400, "redirect_uri_mismatch", "Bad Request")
            if grant.challenge is not None:
                verifier = params.get("code_verifier")
                if not verifier:
                    return _oauth_error(400, "invalid_request", "code_verifier is missing.")
                expect = _s256(verifier) if grant.method == "S256" else verifier
                if expect != grant.challenge:
                    return _oauth_error(400, "invalid_grant", "Invalid code verifier.")
            grant.used = True
            return self._issue(grant.scopes, grant.offline, grant_type)
        if grant_type == "refresh_token":
            scopes = self._refresh.get(params.get("refresh_token", ""))
            if scopes is None:
                return _oauth_error(400, "invalid_grant", "Token has been expired or revoked.")
            self.refresh_count += 1
            return self._issue(scopes, False, grant_type)
        if not grant_type:
            return _oauth_error(400, "invalid_request", "Required parameter is missing: "
                                                        "grant_type")
        return _oauth_error(400, "unsupported_grant_type", "Invalid grant_type: " + grant_type)

    def _issue(self, scopes: frozenset[str], with_refresh: bool, grant_type: str) -> Response:
        access = "ya29.a0" + secrets.token_urlsafe(40)
        self._access[access] = _Access(scopes, self.now() + timedelta(seconds=ACCESS_LIFETIME))
        body: dict[str, Any] = {"access_token": access, "expires_in": ACCESS_LIFETIME,
                                "scope": " ".join(sorted(scopes)), "token_type": "Bearer"}
        if with_refresh:
            refresh = "1//0g" + secrets.token_urlsafe(40)
            self._refresh[refresh] = scopes
            self._consented = True
            body["refresh_token"] = refresh
        self.issued_tokens.append(dict(body, grant_type=grant_type))
        return Response(200, json=body, headers={"Cache-Control": "no-store",
                                                 "Pragma": "no-cache"})

    # -- control API for tests in other languages ---------------------------------------------

    def _control(self, req: Request, verb: str) -> Response:
        """POST /_gcal/<verb> with a JSON object:
            add_event {"calendar"?, "event": {...}}        -> the event
            change_event {"id", "calendar"?, "fields": {...}}
            cancel_event / delete_event {"id", "calendar"?}
            expire_sync_tokens {} | revoke_refresh_tokens {"token"?} |
            expire_access_tokens {"token"?}
            rate_limit_storm {"count", "status"?, "reason"?}
            set_now {"now": RFC 3339 or null}
            issue_tokens {"scope"?} -> a token response with a refresh token (a sign-in
                without the browser)
            state {} -> {"refresh_count", "sync_tokens", "token_requests"}
        """
        body = req.json if isinstance(req.json, dict) else {}
        cal = body.get("calendar", "primary")
        try:
            if verb == "add_event":
                return Response(200, json=self.add_event(cal, **body["event"]))
            if verb == "change_event":
                self.change_event(body["id"], cal, **body.get("fields", {}))
            elif verb == "cancel_event":
                self.cancel_event(body["id"], cal)
            elif verb == "delete_event":
                self.delete_event(body["id"], cal)
            elif verb == "expire_sync_tokens":
                self.expire_sync_tokens()
            elif verb == "revoke_refresh_tokens":
                self.revoke_refresh_tokens(body.get("token"))
            elif verb == "expire_access_tokens":
                self.expire_access_tokens(body.get("token"))
            elif verb == "rate_limit_storm":
                self.rate_limit_storm(int(body["count"]), int(body.get("status", 429)),
                                      body.get("reason", "rateLimitExceeded"))
            elif verb == "set_now":
                self.set_now(datetime.fromisoformat(body["now"].replace("Z", "+00:00"))
                             if body.get("now") else None)
            elif verb == "issue_tokens":
                # A finished sign-in without the browser: what the token endpoint would give.
                scopes = frozenset((body.get("scope") or SCOPE_READONLY).split())
                return self._issue(scopes, True, "authorization_code")
            elif verb == "state":
                return Response(200, json={"refresh_count": self.refresh_count,
                                           "sync_tokens": len(self._sync_tokens),
                                           "token_requests": len(self.token_requests)})
            else:
                return Response(404, json={"ok": False, "error": f"unknown control {verb}"})
        except (KeyError, ValueError, TypeError) as exc:
            sys.stderr.write(f"fake_gcal: bad control request {verb}: {exc!r}\n")
            return Response(400, json={"ok": False, "error": f"{type(exc).__name__}: {exc}"})
        return Response(200, json={"ok": True})

    # -- seed data ----------------------------------------------------------------------------

    def _seed(self) -> None:
        """ada@example.com's week of 16 November 2026, and a team calendar (SEED_NOTES)."""
        self.set_now(datetime(2026, 11, 1, 8, 0, tzinfo=UTC))   # created/updated stamps
        berlin = "Europe/Berlin"
        primary = _Calendar(self.USER, self.USER, berlin)
        team = _Calendar(self.TEAM, "ACME Team", berlin)
        self.calendars = {primary.id: primary, team.id: team}
        me = {"email": self.USER, "self": True}
        room = {"email": "c_1883acme0room@resource.calendar.google.com",
                "displayName": "ACME-Berlin-3-Lovelace (8)", "resource": True,
                "responseStatus": "accepted"}

        def at(day: str, hm: str, tz: str = berlin, with_tz: bool = False) -> dict[str, Any]:
            local = datetime.fromisoformat(f"{day}T{hm}:00").replace(tzinfo=ZoneInfo(tz))
            out: dict[str, Any] = {"dateTime": local.isoformat()}
            if with_tz:
                out["timeZone"] = tz
            return out

        def person(email: str, status: str, **extra: Any) -> dict[str, Any]:
            return {"email": email, "responseStatus": status, **extra}

        def add(cal: _Calendar, **ev: Any) -> None:
            cal.events[ev["id"]] = self._normalise(cal, ev)

        add(primary, id="stand0up", summary="Daily standup (weekly sync)",
            start=at("2026-10-05", "09:30", with_tz=True), end=at("2026-10-05", "09:45",
                                                                  with_tz=True),
            recurrence=["RRULE:FREQ=WEEKLY;COUNT=12"],
            organizer={"email": "bob@acme.example", "displayName": "Bob"},
            attendees=[person("bob@acme.example", "accepted", organizer=True),
                       person(self.USER, "accepted", self=True),
                       person("Carol@Globex.example", "needsAction"), room])
        primary.overrides["stand0up_20261116T083000Z"] = {
            "start": at("2026-11-16", "10:00", with_tz=True),
            "end": at("2026-11-16", "10:15", with_tz=True)}
        primary.overrides["stand0up_20261123T083000Z"] = {"status": "cancelled"}
        add(primary, id="retro1", summary="Sprint retro",
            start=at("2026-11-06", "16:00", with_tz=True), end=at("2026-11-06", "17:00",
                                                                  with_tz=True),
            recurrence=["RRULE:FREQ=WEEKLY;COUNT=6"],
            attendees=[person(self.USER, "accepted", self=True, organizer=True),
                       person("bob@acme.example", "accepted"),
                       person("carol@globex.example", "tentative")])
        add(primary, id="kick0ff1", summary="ACME kickoff",
            start=at("2026-11-17", "14:00"), end=at("2026-11-17", "15:00"),
            attendees=[person(self.USER, "accepted", self=True, organizer=True),
                       person("hank@globex.example", "accepted"),
                       person("peter@initech.example", "tentative", optional=True),
                       person("bob@acme.example", "declined")])
        add(primary, id="free1", summary="Lunch", transparency="transparent",
            start=at("2026-11-17", "12:00"), end=at("2026-11-17", "13:00"))
        add(primary, id="decl1ned", summary="Vendor pitch",
            start=at("2026-11-18", "11:00"), end=at("2026-11-18", "12:00"),
            organizer={"email": "sales@vendor.example"},
            attendees=[person("sales@vendor.example", "accepted", organizer=True),
                       person(self.USER, "declined", self=True)])
        add(primary, id="tentat1ve", summary="Architecture review", status="tentative",
            start=at("2026-11-18", "15:00"), end=at("2026-11-18", "16:00"),
            organizer={"email": "carol@globex.example"},
            attendees=[person("carol@globex.example", "accepted", organizer=True),
                       person(self.USER, "tentative", self=True),
                       person("dave@globex.example", "accepted")])
        add(primary, id="needs0act", summary="Budget review",
            start=at("2026-11-19", "10:00"), end=at("2026-11-19", "10:30"),
            organizer={"email": "cfo@acme.example"},
            attendees=[person("cfo@acme.example", "accepted", organizer=True),
                       person(self.USER, "needsAction", self=True)])
        add(primary, id="focus1", summary="Focus time", eventType="focusTime",
            start=at("2026-11-19", "13:00"), end=at("2026-11-19", "15:00"),
            focusTimeProperties={"autoDeclineMode": "declineOnlyNewConflictingInvitations",
                                 "chatStatus": "doNotDisturb"})
        add(primary, id="nyc0call", summary="Call with NY",
            start=at("2026-11-19", "09:00", "America/New_York", with_tz=True),
            end=at("2026-11-19", "10:00", "America/New_York", with_tz=True),
            organizer={"email": "partner@initech.example"},
            attendees=[person("partner@initech.example", "accepted", organizer=True),
                       person(self.USER, "accepted", self=True)])
        add(primary, id="canc0l1", summary="Cancelled sync", status="cancelled",
            start=at("2026-11-19", "16:00"), end=at("2026-11-19", "17:00"),
            attendees=[person(self.USER, "accepted", self=True, organizer=True),
                       person("bob@acme.example", "needsAction")])
        add(primary, id="oof0fri", summary="Out of office", eventType="outOfOffice",
            start=at("2026-11-20", "12:00"), end=at("2026-11-20", "18:00"),
            outOfOfficeProperties={"autoDeclineMode": "declineAllConflictingInvitations",
                                   "declineMessage": "Away"})
        add(primary, id="gma1l1", summary="Flight to London (BA 987)", eventType="fromGmail",
            start=at("2026-11-20", "19:00", with_tz=True),
            end=at("2026-11-20", "20:30", "Europe/London", with_tz=True),
            organizer={"email": "unknownorganizer@calendar.google.com"},
            visibility="private")
        add(primary, id="wl0home", summary="Home", eventType="workingLocation",
            transparency="transparent", visibility="public",
            start={"date": "2026-11-16"}, end={"date": "2026-11-17"},
            workingLocationProperties={"type": "homeOffice", "homeOffice": {}})
        add(primary, id="bday1", summary="Grace's birthday", eventType="birthday",
            transparency="transparent", visibility="private",
            start={"date": "2026-11-19"}, end={"date": "2026-11-20"},
            recurrence=["RRULE:FREQ=YEARLY"],
            birthdayProperties={"type": "birthday"})
        add(primary, id="all0day1", summary="Conference",
            start={"date": "2026-11-16"}, end={"date": "2026-11-18"})
        add(primary, id="offs1te", summary="Team offsite",
            start={"date": "2026-10-24"}, end={"date": "2026-10-26"})
        add(team, id="rel0ease", summary="Release 4.2",
            start=at("2026-11-18", "17:00"), end=at("2026-11-18", "18:00"))
        for cal in self.calendars.values():
            self._commit(cal)
        self._fixed_now = None


# -- script mode ------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Fake Google Calendar API v3 + Google OAuth on 127.0.0.1. Prints "
                    "'PORT <n>', serves until stdin reaches EOF or SIGTERM/SIGINT. API base "
                    f"http://127.0.0.1:<n>{API}, test token {FakeGoogle.TEST_TOKEN}; steer it "
                    "with POST /_gcal/<verb> (see FakeGoogle._control).")
    ap.add_argument("--page-size", type=int, default=None,
                    help="at most this many items per page, whatever maxResults asks")
    ap.add_argument("--ignore-stdin", action="store_true",
                    help="don't exit on stdin EOF (e.g. when backgrounded from a shell)")
    args = ap.parse_args(argv)
    try:
        fake = FakeGoogle(page_size=args.page_size)
    except ValueError as exc:
        ap.error(str(exc))
    return serve(fake.start, fake.stop, lambda: fake.server.port, args.ignore_stdin,
                 "fake-gcal")


if __name__ == "__main__":
    sys.exit(main())
