#!/usr/bin/env python3
"""fake_harvest - a stateful fake of Harvest's API v2 and of Harvest ID, for gleaner's tests.

It is built on fakekit (same directory), so faults, rate limits and request recording all work:

    from fake_harvest import FakeHarvest

    with FakeHarvest(per_page=2) as fh:
        run_gleaner(base_url=fh.api_url, id_url=fh.url, token=fh.PAT, account=fh.ACCOUNT_ID)
        assert fh.server.requests_for("POST", "/v2/time_entries")

One Harvest account (ACCOUNT_ID) holds realistic seed data (see README.md). The behaviour
follows shared/notes/harvest-api.md and shared/specs/harvest/harvest-openapi.yaml: auth and
header checks, Harvest's error shapes, page and cursor pagination with absolute links, the
duration-tracking rules, locked entries, invoices built from tracked time, and the OAuth
authorization-code flow (with PKCE and refresh-token rotation) on the Harvest ID host.

Run as a script it prints "PORT <n>" and serves until stdin reaches EOF (fakekit's pattern).
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
import secrets
import sys
import urllib.parse
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable, Iterable

from fakekit import FakeServer, FakeService, Request, Response, serve

__all__ = ["FakeHarvest", "main"]

UTC = timezone.utc

INVALID_TOKEN = {
    "error": "invalid_token",
    "error_description": "The access token provided is expired, revoked, malformed or invalid "
                         "for other reasons.",
}
# Harvest ID speaks RFC 6749 through Doorkeeper; these are Doorkeeper's descriptions.
OAUTH_ERRORS = {
    "invalid_request": "The request is missing a required parameter, includes an unsupported "
                       "parameter value, or is otherwise malformed.",
    "invalid_client": "Client authentication failed due to unknown client, no client "
                      "authentication included, or unsupported authentication method.",
    "invalid_grant": "The provided authorization grant is invalid, expired, revoked, does not "
                     "match the redirection URI used in the authorization request, or was issued "
                     "to another client.",
    "unsupported_grant_type": "The authorization grant type is not supported by the "
                              "authorization server.",
    "unsupported_response_type": "The authorization server does not support this response type.",
    "access_denied": "The resource owner or authorization server denied the request.",
}
LOCKED_MESSAGE = "This entry is locked and can't be modified."
ARCHIVED_MESSAGE = "This entry belongs to an archived project or task and can't be deleted."
APPROVED_REASON = "Item Approved and Locked for this Time Period"
INVOICED_REASON = "Item Invoiced and Approved and Locked for this Time Period"
EXPENSE_INVOICED_REASON = "Expense is invoiced."
NOT_FOUND_JSON = {"status": 404, "error": "Not Found"}
NOT_FOUND_HTML = (
    "<!DOCTYPE html>\n<html>\n<head><title>The page you were looking for doesn't exist (404)"
    "</title></head>\n<body><h1>The page you were looking for doesn't exist.</h1>\n"
    "<p>You may have mistyped the address or the page may have moved.</p></body>\n</html>\n")
HTML_TYPE = "text/html; charset=utf-8"

MAX_PER_PAGE = 2000
PAGING_PARAMS = {"page", "per_page", "cursor", "ref"}
ROUNDING_MINUTES = 15          # the account's Time Rounding: round up to a quarter hour
CODE_LIFETIME = timedelta(minutes=10)
PAYMENT_TERMS = {"upon receipt": 0, "net 15": 15, "net 30": 30, "net 45": 45, "net 60": 60,
                 "custom": None}
TIME_SUMMARIES = {"project", "task", "people", "detailed"}
EXPENSE_SUMMARIES = {"project", "category", "people", "detailed"}
# A contact in parentheses: an e-mail address or a URL.
CONTACT_RE = re.compile(r"\(\s*[^()]*(?:[^\s@()]+@[^\s@()]+\.[^\s@()]+|https?://[^\s()]+)[^()]*\)")
SINCE_RE = re.compile(r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                      r"(?:Z|[+-]\d{2}:?\d{2})?)?")

# -- seed ids (see README.md) ---------------------------------------------------------------
ADA, CHARLES, GRACE = 1782959, 1782974, 1795925
GLOBEX, INITECH, UMBRELLA = 5735774, 5735776, 5735778
DEV, MEET, DESIGN, PM, RESEARCH, ADMIN = 8083365, 8083366, 8083367, 8083368, 8083369, 8083370
WEB, DATA, SUP, INTERNAL, LEGACY = 14307913, 14308069, 14308070, 14308071, 14308072
ENTRY_BASE = 2401234500        # time-entry ids exceed int32, as Harvest's do today
PAID_INVOICE, OPEN_INVOICE, DRAFT_INVOICE = 13150378, 13150403, 13150453


class _Reject(Exception):
    """Aborts a handler with a ready reply: keeps validation code linear."""

    def __init__(self, status: int, payload: Any, headers: dict[str, str] | None = None):
        super().__init__(status)
        self.response = Response(status, json=payload, headers=headers)


def _unprocessable(message: str) -> _Reject:
    """Harvest's validation failure: 422 {"message": ...}."""
    return _Reject(422, {"message": message})


def _not_found() -> _Reject:
    return _Reject(404, dict(NOT_FOUND_JSON))


@dataclass
class _Token:
    """An access token the fake accepts."""

    user_id: int
    accounts: tuple[int, ...] | None   # None: every account of the user (a PAT's scope "all")
    expires_at: datetime | None        # None: no expiry (PATs have none documented)
    revoked: bool = False


@dataclass
class _Grant:
    """An authorization code waiting to be exchanged at the token endpoint."""

    redirect_uri: str
    challenge: str | None
    accounts: tuple[int, ...]
    expires_at: datetime
    used: bool = False


# -- small pure helpers ----------------------------------------------------------------------

def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_stamp(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _parse_date(value: Any, compact: bool = False) -> date | None:
    """A YYYY-MM-DD date, or also YYYYMMDD when `compact` (query strings take both), else None."""
    pattern = r"\d{4}-\d{2}-\d{2}|\d{8}" if compact else r"\d{4}-\d{2}-\d{2}"
    if not isinstance(value, str) or not re.fullmatch(pattern, value.strip()):
        return None
    try:
        return datetime.strptime(value.strip().replace("-", ""), "%Y%m%d").date()
    except ValueError:
        return None


def _parse_since(raw: str) -> datetime | None:
    """An ISO 8601 date-time; a raw '+' in a query arrives as a space and fails (pitfall 4)."""
    if not SINCE_RE.fullmatch(raw):
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        return int(value)
    return None


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _as_bool(value: Any) -> bool | None:
    """JSON booleans and the strings Rails casts ("true", "1", ...); None if neither."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "t", "yes"):
        return True
    if text in ("false", "0", "f", "no"):
        return False
    return None


def _money(value: float) -> float:
    """Round half up to cents (binary floats would round 2.675 down)."""
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _round_hours(hours: float) -> float:
    """rounded_hours under the account's Time Rounding (up to ROUNDING_MINUTES)."""
    minutes = round(hours * 60, 6)
    return round(math.ceil(minutes / ROUNDING_MINUTES) * ROUNDING_MINUTES / 60, 2)


def _cursor(direction: str, item_id: int) -> str:
    """Opaque like Harvest's: base64 of {"after":{"id":N}}."""
    raw = json.dumps({direction: {"id": item_id}}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(text: str) -> tuple[str, int]:
    try:
        data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        (direction, ref), = data.items()
        if direction in ("after", "before") and _as_int(ref["id"]) is not None:
            return direction, int(ref["id"])
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error):
        pass
    raise _unprocessable("Invalid cursor")


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii", errors="replace")).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _is_loopback_http(uri: str) -> bool:
    parts = urllib.parse.urlsplit(uri)
    return (parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")
            and not parts.fragment)


def _form_params(text: str) -> dict[str, Any]:
    """Form data as Rails reads it: a=1, ref[id]=x (one level), ids[]=1&ids[]=2."""
    out: dict[str, Any] = {}
    for key, values in urllib.parse.parse_qs(text, keep_blank_values=True).items():
        m = re.fullmatch(r"([^\[\]]+)\[([^\[\]]*)\]", key)
        if m and not m[2]:
            out[m[1]] = values
        elif m and isinstance(out.setdefault(m[1], {}), dict):
            out[m[1]][m[2]] = values[-1]
        else:
            out[key] = values[-1]
    return out


def _html(status: int, title: str, text: str) -> Response:
    page = f"<!DOCTYPE html>\n<html><head><title>{title}</title></head>" \
           f"<body><h1>{title}</h1><p>{text}</p></body></html>\n"
    return Response(status, body=page, content_type=HTML_TYPE)


def _oauth_error(status: int, error: str) -> Response:
    return Response(status, json={"error": error, "error_description": OAUTH_ERRORS[error]},
                    headers={"Cache-Control": "no-store"})


def _ref(obj: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: obj[k] for k in keys}


def _user_ref(user: dict[str, Any]) -> dict[str, Any]:
    return {"id": user["id"], "name": f"{user['first_name']} {user['last_name']}"}


def _filter(req: Request, items: Iterable[dict[str, Any]],
            spec: dict[str, tuple[str, Callable[[dict[str, Any]], Any]]]) -> list[dict[str, Any]]:
    """Apply the query filters named in `spec` ({param: (kind, getter)}), Harvest style.

    Kinds: id (string equality), ids (membership), str, bool (values Rails can't cast are
    ignored), since (ISO 8601; malformed -> 422), from/to (inclusive dates; malformed -> 422).
    """
    out = list(items)
    for name, (kind, get) in spec.items():
        raw = req.arg(name)
        if raw is None:
            continue
        if kind == "id":
            out = [o for o in out if str(get(o)) == raw.strip()]
        elif kind == "ids":
            out = [o for o in out if raw.strip() in {str(v) for v in get(o)}]
        elif kind == "str":
            out = [o for o in out if get(o) == raw]
        elif kind == "bool":
            want = _as_bool(raw)
            if want is not None:
                out = [o for o in out if bool(get(o)) == want]
        elif kind == "since":
            since = _parse_since(raw)
            if since is None:
                raise _unprocessable(f"{name} must be an ISO 8601 date-time, "
                                     f"e.g. 2026-11-02T12:00:00Z")
            out = [o for o in out if _parse_stamp(get(o)) >= since]
        else:
            day = _parse_date(raw, compact=True)
            if day is None:
                raise _unprocessable(f"{name} is not a valid date, expected YYYY-MM-DD")
            bound = day.isoformat()
            out = [o for o in out if get(o) is not None
                   and (get(o) >= bound if kind == "from" else get(o) <= bound)]
    return out


# -- the fake --------------------------------------------------------------------------------

class FakeHarvest(FakeService):
    """Harvest API v2 (under /v2) and Harvest ID (/oauth2, /api/v2) on one fakekit server."""

    ACCOUNT_ID = 123456
    SECOND_ACCOUNT_ID = 654321
    FORECAST_ACCOUNT_ID = 777
    PAT = "pat-secret-0123456789abcdef"
    MEMBER_PAT = "pat-member-charles-0123456789"   # Charles Babbage, a Member
    CLIENT_ID = "gleaner-test-client"
    CLIENT_SECRET = "client-secret-xyz"
    TOKEN_LIFETIME = 1209600   # seconds (14 days), the value community notes report

    def __init__(self, per_page: int | None = None) -> None:
        """`per_page`: the page size when a request sends none (Harvest: 2000; invoices 100)."""
        if per_page is not None and not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be within 1..{MAX_PER_PAGE}")
        self.per_page = per_page
        self.multi_account = False   # also list 654321 (harvest) and 777 (forecast, first)
        self.oauth_approve = True    # False: /oauth2/authorize redirects with access_denied
        self.me_id = ADA
        self.refresh_count = 0
        self.token_requests: list[dict[str, Any]] = []
        self.authorize_requests: list[dict[str, Any]] = []
        self.issued_tokens: list[dict[str, Any]] = []
        self._fixed_now: datetime | None = None
        self._tokens: dict[str, _Token] = {self.PAT: _Token(ADA, None, None),
                                           self.MEMBER_PAT: _Token(CHARLES, None, None)}
        self._refresh_tokens: dict[str, tuple[int, ...]] = {}
        self._codes: dict[str, _Grant] = {}
        self.server = FakeServer()
        self.state: dict[str, Any] = {}
        self._seed()
        # updated_at stamps only move forward, from the newest seed stamp on.
        self._last_stamp = max(_parse_stamp(o["updated_at"]) for table in self._tables()
                               for o in table)
        self._install_routes()

    # -- lifecycle --------------------------------------------------------------------------

    # start, stop and url (the Harvest ID origin, id-url): FakeService

    @property
    def api_url(self) -> str:
        """The API v2 base (base-url)."""
        return f"{self.server.url}/v2"

    # -- clock ------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The fake's notion of now (UTC): real time unless set_now() fixed it."""
        return self._fixed_now or datetime.now(UTC)

    def set_now(self, moment: datetime | None) -> None:
        """Fix now() (naive means UTC); None returns to real time."""
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        self._fixed_now = moment

    def _stamp(self) -> str:
        """A fresh updated_at, strictly after every earlier one, so updated_since is exact."""
        moment = self.now().astimezone(UTC).replace(microsecond=0)
        self._last_stamp = max(moment, self._last_stamp + timedelta(seconds=1))
        return _iso(self._last_stamp)

    # -- helpers for tests --------------------------------------------------------------------

    def add_time_entry(self, **fields: Any) -> dict[str, Any]:
        """Create an entry server-side (someone typing in the web UI); POST's rules apply."""
        with self.server.lock:
            try:
                entry = self._create_entry(fields, self.me_id)
            except _Reject as exc:
                raise ValueError(exc.response.json["message"]) from None
            return self._render_entry(entry)

    def update_time_entry(self, entry_id: int, **fields: Any) -> dict[str, Any]:
        """Edit an entry server-side, ignoring locks. PATCH fields are validated as PATCH does;
        other existing fields (is_billed, is_closed, ...) are set as given. Bumps updated_at."""
        with self.server.lock:
            entry = self.state["time_entries"][entry_id]
            patch = {k: v for k, v in fields.items() if k in self._PATCH_FIELDS}
            raw = {k: v for k, v in fields.items() if k not in patch}
            unknown = [k for k in raw if k not in entry or k in ("id", "updated_at")]
            if unknown:
                raise ValueError(f"unknown or read-only field(s): {', '.join(unknown)}")
            try:
                self._apply_entry_patch(entry, patch)
            except _Reject as exc:
                raise ValueError(exc.response.json["message"]) from None
            entry.update(raw)
            entry["updated_at"] = self._stamp()
            return self._render_entry(entry)

    def delete_time_entry(self, entry_id: int) -> None:
        """Delete server-side; like Harvest, this leaves no trace for updated_since."""
        with self.server.lock:
            del self.state["time_entries"][entry_id]

    def lock_time_entry(self, entry_id: int, reason: str = APPROVED_REASON,
                        closed: bool = True) -> dict[str, Any]:
        """Lock an entry as Timesheet Approval does (closed=True) or as a locked period does."""
        with self.server.lock:
            entry = self.state["time_entries"][entry_id]
            entry.update(is_locked=True, locked_reason=reason, is_closed=closed,
                         updated_at=self._stamp())
            return self._render_entry(entry)

    def expire_token(self, token: str) -> None:
        """From now on `token` (an access token or the PAT) gets 401 invalid_token."""
        with self.server.lock:
            self._tokens[token].revoked = True

    def limit_requests(self, limit: int, window_seconds: float = 15) -> None:
        """Harvest's general bucket: beyond `limit` /v2 requests per window, 429 + Retry-After."""
        self.server.rate_limit(limit, window_seconds, path=r"/v2/.*")

    # -- routing ----------------------------------------------------------------------------

    def _install_routes(self) -> None:
        """Register every endpoint; a catch-all comes first so it has the lowest priority."""
        self.server.route(None, r".*", lambda req: Response(404, body=NOT_FOUND_HTML,
                                                            content_type=HTML_TYPE))
        v2, ident, public = "v2", "id", "public"
        n = r"(\d+)"
        table: list[tuple[str, str, Callable[..., Any], str]] = [
            ("GET", "/v2/users/me", self._get_me, v2),
            ("GET", "/v2/users", self._members_forbidden(self._lister("users")), v2),
            ("GET", "/v2/users/me/project_assignments", self._list_my_assignments, v2),
            ("GET", "/v2/company", lambda req, uid: dict(self.state["company"]), v2),
            ("GET", "/v2/time_entries", self._list_entries, v2),
            ("POST", "/v2/time_entries", self._post_entry, v2),
            ("GET", f"/v2/time_entries/{n}", self._get_entry, v2),
            ("PATCH", f"/v2/time_entries/{n}", self._patch_entry, v2),
            ("DELETE", f"/v2/time_entries/{n}", self._delete_entry, v2),
            ("PATCH", f"/v2/time_entries/{n}/stop", self._stop_entry, v2),
            ("PATCH", f"/v2/time_entries/{n}/restart", self._restart_entry, v2),
            ("DELETE", f"/v2/time_entries/{n}/external_reference", self._delete_reference, v2),
            ("GET", "/v2/projects", self._list_projects, v2),
            ("GET", f"/v2/projects/{n}", self._getter("projects"), v2),
            ("GET", f"/v2/projects/{n}/task_assignments", self._list_project_tasks, v2),
            ("GET", f"/v2/projects/{n}/user_assignments", self._list_project_users, v2),
            ("GET", "/v2/tasks", self._lister("tasks"), v2),
            ("GET", f"/v2/tasks/{n}", self._getter("tasks"), v2),
            ("GET", "/v2/task_assignments", self._list_task_assignments, v2),
            ("GET", "/v2/user_assignments", self._list_user_assignments, v2),
            ("GET", "/v2/clients", self._lister("clients"), v2),
            ("GET", f"/v2/clients/{n}", self._getter("clients"), v2),
            ("GET", "/v2/expense_categories", self._lister("expense_categories"), v2),
            ("GET", "/v2/invoice_item_categories", self._lister("invoice_item_categories"), v2),
            ("GET", "/v2/expenses", self._list_expenses, v2),
            ("GET", "/v2/invoices", self._list_invoices, v2),
            ("POST", "/v2/invoices", self._post_invoice, v2),
            ("GET", f"/v2/invoices/{n}", self._getter("invoices"), v2),
            ("PATCH", f"/v2/invoices/{n}", self._patch_invoice, v2),
            ("DELETE", f"/v2/invoices/{n}", self._delete_invoice, v2),
            ("GET", f"/v2/invoices/{n}/messages", self._list_messages, v2),
            ("POST", f"/v2/invoices/{n}/messages", self._post_message, v2),
            ("GET", f"/v2/invoices/{n}/payments", self._list_payments, v2),
            ("POST", f"/v2/invoices/{n}/payments", self._post_payment, v2),
            ("GET", "/v2/reports/time/(clients|projects|tasks|team)", self._time_report, v2),
            ("GET", "/v2/reports/uninvoiced", self._uninvoiced_report, v2),
            ("GET", "/v2/reports/project_budget", self._budget_report, v2),
            ("GET", "/api/v2/accounts", self._get_accounts, ident),
            ("GET", "/oauth2/authorize", self._authorize, public),
            ("POST", "/api/v2/oauth2/token", self._token, public),
        ]
        for method, path, fn, guard in table:
            self.server.route(method, path, self._guarded(fn, guard))

    def _guarded(self, fn: Callable[..., Any], guard: str) -> Callable[[Request], Any]:
        """Wrap a handler: take the state lock, check the caller, turn _Reject into a reply."""
        def handler(req: Request) -> Any:
            with self.server.lock:
                try:
                    uid = None if guard == "public" else self._authenticate(req, guard == "v2")
                    args = [int(g) if g.isdigit() else g for g in req.match.groups()]
                    return fn(req, uid, *args)
                except _Reject as exc:
                    return exc.response
        return handler

    def _authenticate(self, req: Request, needs_account: bool) -> int:
        """Harvest's checks: a User-Agent with a contact, a live token, a reachable account."""
        agent = req.headers.get("User-Agent", "").strip()
        if not agent or not CONTACT_RE.search(agent):
            raise _Reject(400, {"message": "A User-Agent header with your application's name and "
                                           "a contact e-mail or URL is required, e.g. "
                                           "'MyApp (you@example.com)'."})
        scheme, _, token = req.headers.get("Authorization", "").strip().partition(" ")
        info = self._tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        live = (info is not None and not info.revoked
                and (info.expires_at is None or self.now() < info.expires_at))
        if live and needs_account:
            account = req.headers.get("Harvest-Account-Id", "").strip()
            # Only ACCOUNT_ID holds data; other ids (even listed ones) are out of reach.
            live = account == str(self.ACCOUNT_ID) and self.ACCOUNT_ID in self._reach(info)
        if not live:
            raise _Reject(401, dict(INVALID_TOKEN), headers={
                "WWW-Authenticate": 'Bearer realm="Harvest", error="invalid_token"'})
        return info.user_id

    def _accounts(self) -> list[dict[str, Any]]:
        main = {"id": self.ACCOUNT_ID, "name": "Acme Consulting", "product": "harvest"}
        if not self.multi_account:
            return [main]
        # The Forecast account comes first: clients that take accounts[0] pick the wrong one.
        return [{"id": self.FORECAST_ACCOUNT_ID, "name": "Acme Consulting", "product": "forecast"},
                main,
                {"id": self.SECOND_ACCOUNT_ID, "name": "Lovelace Labs", "product": "harvest"}]

    def _reach(self, token: _Token) -> tuple[int, ...]:
        every = tuple(a["id"] for a in self._accounts())
        return every if token.accounts is None else token.accounts

    # -- request plumbing -------------------------------------------------------------------

    def _body(self, req: Request) -> dict[str, Any]:
        """The parameters of a POST/PATCH: JSON with a JSON Content-Type, else form data."""
        if not req.body.strip():
            return {}
        if "json" in req.headers.get("Content-Type", "").lower():
            if isinstance(req.json, dict):
                return req.json
            raise _Reject(400, {"message": "There was a problem in the JSON you submitted"})
        return _form_params(req.text)

    def _per_page(self, req: Request, harvest_default: int) -> int:
        raw = req.arg("per_page")
        if raw is None:
            return self.per_page or harvest_default
        value = _as_int(raw)
        if value is None or not 1 <= value <= MAX_PER_PAGE:
            raise _unprocessable(f"per_page must be between 1 and {MAX_PER_PAGE}")
        return value

    def _link(self, req: Request, per_page: int, **extra: Any) -> str:
        """An absolute URL on our origin that carries every filter of `req`."""
        params = {k: v[0] for k, v in req.query.items() if k not in PAGING_PARAMS}
        params.update(per_page=per_page, **extra)
        return f"{self.url}{req.path}?{urllib.parse.urlencode(sorted(params.items()))}"

    def _paged(self, req: Request, key: str, items: list[dict[str, Any]], *, cursor: bool,
               render: Callable[[dict[str, Any]], dict[str, Any]] = dict,
               harvest_default: int = MAX_PER_PAGE) -> dict[str, Any]:
        """One page of `items` in Harvest's envelope.

        Page endpoints link next/previous with page=N. Cursor endpoints link them with an opaque
        cursor, and (as Harvest documents) report page, next_page and previous_page only on the
        first and last pages: a client that loops on next_page stops early there.
        """
        per_page = self._per_page(req, harvest_default)
        total = len(items)
        total_pages = max(1, math.ceil(total / per_page))
        page = _as_int(req.arg("page")) or 1
        start = (page - 1) * per_page
        if cursor:
            items = sorted(items, key=lambda o: o["id"], reverse=True)  # keyset order
            if req.arg("cursor") is not None:
                direction, ref = _decode_cursor(req.arg("cursor"))
                if direction == "after":
                    start = sum(1 for o in items if o["id"] >= ref)
                else:
                    start = max(0, sum(1 for o in items if o["id"] > ref) - per_page)
        chunk = items[start:start + per_page]
        first, last = start == 0, start + per_page >= total
        out: dict[str, Any] = {key: [render(o) for o in chunk], "per_page": per_page,
                               "total_pages": total_pages, "total_entries": total}
        if cursor:
            out.update(next_page=2 if first and not last else None,
                       previous_page=total_pages - 1 if last and not first else None,
                       page=1 if first else (total_pages if last else None))
            links = {
                "first": self._link(req, per_page, page=1, ref="first"),
                "next": None if last or not chunk else
                self._link(req, per_page, cursor=_cursor("after", chunk[-1]["id"]),
                           ref="next_cursor"),
                "previous": None if first or not chunk else
                self._link(req, per_page, cursor=_cursor("before", chunk[0]["id"]),
                           ref="previous_cursor"),
                "last": self._link(req, per_page, page=total_pages, ref="last"),
            }
        else:
            out.update(next_page=page + 1 if page < total_pages else None,
                       previous_page=page - 1 if page > 1 else None, page=page)
            links = {
                "first": self._link(req, per_page, page=1),
                "next": self._link(req, per_page, page=page + 1) if out["next_page"] else None,
                "previous": (self._link(req, per_page, page=page - 1)
                             if out["previous_page"] else None),
                "last": self._link(req, per_page, page=total_pages),
            }
        out["links"] = links
        return out

    def _getter(self, table: str) -> Callable[..., dict[str, Any]]:
        def get(req: Request, uid: int, obj_id: int) -> dict[str, Any]:
            return copy.deepcopy(self._find(table, obj_id))
        return get

    def _lister(self, table: str) -> Callable[..., dict[str, Any]]:
        """A cursor-paginated list with the is_active and updated_since filters."""
        def list_all(req: Request, uid: int) -> dict[str, Any]:
            items = _filter(req, self.state[table].values(), {
                "is_active": ("bool", lambda o: o.get("is_active", True)),
                "updated_since": ("since", lambda o: o["updated_at"])})
            return self._paged(req, table, items, cursor=True, render=copy.deepcopy)
        return list_all

    def _find(self, table: str, obj_id: int) -> dict[str, Any]:
        obj = self.state[table].get(obj_id)
        if obj is None:
            raise _not_found()
        return obj

    def _new_id(self, kind: str) -> int:
        self._next_ids[kind] += 1
        return self._next_ids[kind]

    def _tables(self) -> list[Iterable[dict[str, Any]]]:
        s = self.state
        return [s[k].values() for k in ("users", "clients", "tasks", "projects",
                                         "task_assignments", "user_assignments", "time_entries",
                                         "expenses", "invoices")]

    # -- users, company, assignments --------------------------------------------------------

    def _get_me(self, req: Request, uid: int) -> dict[str, Any]:
        return copy.deepcopy(self.state["users"][uid])

    def _list_my_assignments(self, req: Request, uid: int) -> dict[str, Any]:
        """Active assignments on active projects, each with its project's task assignments."""
        mine = [ua for ua in self.state["user_assignments"].values()
                if ua["user"]["id"] == uid and ua["is_active"]
                and self.state["projects"][ua["project"]["id"]]["is_active"]]
        mine.sort(key=lambda ua: ua["id"], reverse=True)

        def render(ua: dict[str, Any]) -> dict[str, Any]:
            project = self.state["projects"][ua["project"]["id"]]
            tasks = [{k: v for k, v in ta.items() if k != "project"}
                     for ta in sorted(self.state["task_assignments"].values(),
                                      key=lambda ta: ta["id"], reverse=True)
                     if ta["project"]["id"] == project["id"]]
            return {**_ref(ua, "id", "is_project_manager", "is_active", "use_default_rates",
                           "budget", "created_at", "updated_at", "hourly_rate"),
                    "project": _ref(project, "id", "name", "code"),
                    "client": _ref(project["client"], "id", "name"),
                    "task_assignments": copy.deepcopy(tasks)}
        return self._paged(req, "project_assignments", mine, cursor=False, render=render)

    def _list_projects(self, req: Request, uid: int) -> dict[str, Any]:
        items = _filter(req, self.state["projects"].values(), {
            "is_active": ("bool", lambda o: o["is_active"]),
            "client_id": ("id", lambda o: o["client"]["id"]),
            "updated_since": ("since", lambda o: o["updated_at"])})
        return self._paged(req, "projects", items, cursor=True, render=copy.deepcopy)

    def _assignment_filters(self, with_user: bool) -> dict[str, Any]:
        spec: dict[str, Any] = {"is_active": ("bool", lambda o: o["is_active"]),
                                "updated_since": ("since", lambda o: o["updated_at"])}
        if with_user:
            spec["user_id"] = ("id", lambda o: o["user"]["id"])
        return spec

    def _list_task_assignments(self, req: Request, uid: int) -> dict[str, Any]:
        items = _filter(req, self.state["task_assignments"].values(),
                        self._assignment_filters(False))
        return self._paged(req, "task_assignments", items, cursor=True, render=copy.deepcopy)

    def _list_user_assignments(self, req: Request, uid: int) -> dict[str, Any]:
        items = _filter(req, self.state["user_assignments"].values(),
                        self._assignment_filters(True))
        return self._paged(req, "user_assignments", items, cursor=True, render=copy.deepcopy)

    def _list_project_tasks(self, req: Request, uid: int, project_id: int) -> dict[str, Any]:
        self._find("projects", project_id)
        items = [ta for ta in self.state["task_assignments"].values()
                 if ta["project"]["id"] == project_id]
        items = sorted(_filter(req, items, self._assignment_filters(False)),
                       key=lambda o: o["id"], reverse=True)
        return self._paged(req, "task_assignments", items, cursor=False, render=copy.deepcopy)

    def _list_project_users(self, req: Request, uid: int, project_id: int) -> dict[str, Any]:
        self._find("projects", project_id)
        items = [ua for ua in self.state["user_assignments"].values()
                 if ua["project"]["id"] == project_id]
        items = sorted(_filter(req, items, self._assignment_filters(True)),
                       key=lambda o: o["id"], reverse=True)
        return self._paged(req, "user_assignments", items, cursor=False, render=copy.deepcopy)

    # -- time entries -----------------------------------------------------------------------

    _PATCH_FIELDS = ("project_id", "task_id", "spent_date", "hours", "notes",
                     "external_reference", "started_time", "ended_time")

    def _render_entry(self, entry: dict[str, Any]) -> dict[str, Any]:
        """A copy with a running timer's hours brought up to now()."""
        out = copy.deepcopy(entry)
        if entry["is_running"]:
            started = _parse_stamp(entry["timer_started_at"])
            elapsed = max(0.0, (self.now() - started).total_seconds() / 3600)
            out["hours"] = round(entry["hours_without_timer"] + elapsed, 2)
            out["rounded_hours"] = _round_hours(out["hours"])
        return out

    def _is_member(self, uid: int) -> bool:
        """Neither an administrator nor a manager: sees only their own data."""
        roles = self.state["users"][uid]["access_roles"]
        return "administrator" not in roles and "manager" not in roles

    def _members_forbidden(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """Members get 403 here (Harvest: "Insufficient permissions")."""
        def guarded(req: Request, uid: int, *args: Any) -> Any:
            if self._is_member(uid):
                raise _Reject(403, {"message": "You do not have permission to perform this "
                                               "action."})
            return fn(req, uid, *args)
        return guarded

    def _list_entries(self, req: Request, uid: int) -> dict[str, Any]:
        items = sorted(self.state["time_entries"].values(),
                       key=lambda e: (e["spent_date"], e["id"]), reverse=True)
        if self._is_member(uid):   # Members see only their own entries
            items = [e for e in items if e["user"]["id"] == uid]
        items = _filter(req, items, {
            "user_id": ("id", lambda e: e["user"]["id"]),
            "client_id": ("id", lambda e: e["client"]["id"]),
            "project_id": ("id", lambda e: e["project"]["id"]),
            "task_id": ("id", lambda e: e["task"]["id"]),
            "external_reference_id": ("str", lambda e: (e["external_reference"] or {}).get("id")),
            "is_billed": ("bool", lambda e: e["is_billed"]),
            "is_running": ("bool", lambda e: e["is_running"]),
            "updated_since": ("since", lambda e: e["updated_at"]),
            "from": ("from", lambda e: e["spent_date"]),
            "to": ("to", lambda e: e["spent_date"])})
        return self._paged(req, "time_entries", items, cursor=False, render=self._render_entry)

    def _get_entry(self, req: Request, uid: int, entry_id: int) -> dict[str, Any]:
        return self._render_entry(self._find("time_entries", entry_id))

    def _post_entry(self, req: Request, uid: int) -> Response:
        entry = self._create_entry(self._body(req), uid)
        return Response(201, json=self._render_entry(entry))

    def _create_entry(self, body: dict[str, Any], caller: int) -> dict[str, Any]:
        """Validate and store a new entry. Duration account: no hours means a running timer."""
        errors = [f"{label} can't be blank" for field, label in
                  (("project_id", "Project"), ("task_id", "Task"), ("spent_date", "Spent date"))
                  if body.get(field) in (None, "")]
        if errors:
            raise _unprocessable(", ".join(errors))
        spent = _parse_date(body["spent_date"])
        if spent is None:
            raise _unprocessable("Spent date is invalid")
        self._reject_clock_times(body)
        user_id = _as_int(body.get("user_id", caller))
        project, task = self._assignable(_as_int(body["project_id"]), _as_int(body["task_id"]),
                                         user_id)
        hours = self._hours(body.get("hours")) if body.get("hours") is not None else None
        stamp = self._stamp()
        if hours is None:
            self._stop_running(user_id)
        entry = self._new_entry(
            self._new_id("time_entries"), spent.isoformat(), user_id, project["id"], task["id"],
            hours or 0.0, self._notes(body.get("notes")),
            self._external_reference(body.get("external_reference")), stamp)
        if hours is None:
            entry.update(is_running=True, timer_started_at=_iso(self.now()))
        self.state["time_entries"][entry["id"]] = entry
        return entry

    def _reject_clock_times(self, body: dict[str, Any]) -> None:
        if body.get("started_time") is not None or body.get("ended_time") is not None:
            raise _unprocessable("Started time and ended time can't be set: this account tracks "
                                 "time via duration (wants_timestamp_timers is false)")

    def _assignable(self, project_id: int | None, task_id: int | None,
                    user_id: int | None) -> tuple[dict[str, Any], dict[str, Any]]:
        """The project and task, if the user may log time to them (both assigned, all active)."""
        project = self.state["projects"].get(project_id)
        if project is None:
            raise _unprocessable("Project is invalid")
        if not project["is_active"]:
            raise _unprocessable("Project is archived")
        task = self.state["tasks"].get(task_id)
        if task is None:
            raise _unprocessable("Task is invalid")
        ta = self._task_assignment(project_id, task_id)
        if ta is None or not ta["is_active"] or not task["is_active"]:
            raise _unprocessable("Task is not assigned to the project")
        user = self.state["users"].get(user_id)
        if user is None:
            raise _unprocessable("User is invalid")
        if not user["is_active"]:
            raise _unprocessable("User is archived")
        ua = self._user_assignment(user_id, project_id)
        if ua is None or not ua["is_active"]:
            raise _unprocessable("User is not assigned to the project")
        return project, task

    @staticmethod
    def _hours(value: Any) -> float:
        hours = _as_number(value)
        if hours is None:
            raise _unprocessable("Hours is not a number")
        if hours < 0:
            raise _unprocessable("Hours must be greater than or equal to 0")
        return round(hours, 2)

    @staticmethod
    def _notes(value: Any) -> str | None:
        return None if value is None else str(value)

    @staticmethod
    def _external_reference(value: Any) -> dict[str, Any] | None:
        """Writable members are kept as strings; service and its icon derive from permalink."""
        if value is None:
            return None
        if not isinstance(value, dict):
            raise _unprocessable("External reference is invalid")
        ref = {k: None if value.get(k) is None else str(value[k])
               for k in ("id", "group_id", "account_id", "permalink")}
        if not ref["id"]:
            raise _unprocessable("External reference id can't be blank")
        host = urllib.parse.urlsplit(ref["permalink"]).hostname if ref["permalink"] else None
        ref["service"] = host
        ref["service_icon_url"] = (
            f"https://proxy.harvestfiles.com/production_harvestapp_public/uploads/platform_icons/"
            f"{host}.png" if host else None)
        return ref

    def _stop_running(self, user_id: int) -> None:
        """A user has one running timer: starting another stops it, as Harvest's UI does."""
        for entry in self.state["time_entries"].values():
            if entry["user"]["id"] == user_id and entry["is_running"]:
                self._stop(entry)

    def _stop(self, entry: dict[str, Any]) -> None:
        live = self._render_entry(entry)
        entry.update(hours=live["hours"], hours_without_timer=live["hours"],
                     rounded_hours=live["rounded_hours"], is_running=False,
                     timer_started_at=None, updated_at=self._stamp())

    def _patch_entry(self, req: Request, uid: int, entry_id: int) -> dict[str, Any]:
        entry = self._find("time_entries", entry_id)
        if entry["is_locked"] or entry["is_closed"]:
            raise _Reject(403, {"message": LOCKED_MESSAGE})
        body = self._body(req)
        self._apply_entry_patch(entry, {k: v for k, v in body.items() if k in self._PATCH_FIELDS})
        entry["updated_at"] = self._stamp()
        return self._render_entry(entry)

    def _apply_entry_patch(self, entry: dict[str, Any], body: dict[str, Any]) -> None:
        """Validate everything first, then change the entry (a failed PATCH changes nothing)."""
        self._reject_clock_times(body)
        changes: dict[str, Any] = {}
        for field, label in (("project_id", "Project"), ("task_id", "Task"),
                             ("spent_date", "Spent date")):
            if field in body and body[field] in (None, ""):
                raise _unprocessable(f"{label} can't be blank")
        project_id = _as_int(body.get("project_id", entry["project"]["id"]))
        task_id = _as_int(body.get("task_id", entry["task"]["id"]))
        relink = (project_id, task_id) != (entry["project"]["id"], entry["task"]["id"])
        if relink:
            self._assignable(project_id, task_id, entry["user"]["id"])
        if "spent_date" in body:
            spent = _parse_date(body["spent_date"])
            if spent is None:
                raise _unprocessable("Spent date is invalid")
            changes["spent_date"] = spent.isoformat()
        if "hours" in body:
            hours = self._hours(body["hours"])
            changes.update(hours=hours, hours_without_timer=hours,
                           rounded_hours=_round_hours(hours))
            if entry["is_running"]:
                changes["timer_started_at"] = _iso(self.now())
        if "notes" in body:
            changes["notes"] = self._notes(body["notes"])
        if "external_reference" in body:
            changes["external_reference"] = self._external_reference(body["external_reference"])
        entry.update(changes)
        if relink:
            self._link_entry(entry, project_id, task_id)

    def _delete_entry(self, req: Request, uid: int, entry_id: int) -> Response:
        entry = self._find("time_entries", entry_id)
        if entry["is_locked"] or entry["is_closed"]:
            raise _Reject(403, {"message": LOCKED_MESSAGE})
        if (not self.state["projects"][entry["project"]["id"]]["is_active"]
                or not self.state["tasks"][entry["task"]["id"]]["is_active"]):
            raise _Reject(403, {"message": ARCHIVED_MESSAGE})
        del self.state["time_entries"][entry_id]
        return Response(200, body=b"")

    def _stop_entry(self, req: Request, uid: int, entry_id: int) -> dict[str, Any]:
        entry = self._find("time_entries", entry_id)
        if not entry["is_running"]:
            raise _unprocessable("Only running time entries can be stopped")
        self._stop(entry)
        return self._render_entry(entry)

    def _restart_entry(self, req: Request, uid: int, entry_id: int) -> dict[str, Any]:
        """Duration account: the same entry runs again, its time kept in hours_without_timer."""
        entry = self._find("time_entries", entry_id)
        if entry["is_running"]:
            raise _unprocessable("Only stopped time entries can be restarted")
        if entry["is_locked"] or entry["is_closed"]:
            raise _Reject(403, {"message": LOCKED_MESSAGE})
        self._stop_running(entry["user"]["id"])
        entry.update(is_running=True, timer_started_at=_iso(self.now()),
                     hours_without_timer=entry["hours"], updated_at=self._stamp())
        return self._render_entry(entry)

    def _delete_reference(self, req: Request, uid: int, entry_id: int) -> Response:
        entry = self._find("time_entries", entry_id)
        if entry["is_locked"] or entry["is_closed"]:
            raise _Reject(403, {"message": LOCKED_MESSAGE})
        entry.update(external_reference=None, updated_at=self._stamp())
        return Response(200, body=b"")

    def _task_assignment(self, project_id: int, task_id: int) -> dict[str, Any] | None:
        return next((ta for ta in self.state["task_assignments"].values()
                     if ta["project"]["id"] == project_id and ta["task"]["id"] == task_id), None)

    def _user_assignment(self, user_id: int | None, project_id: int) -> dict[str, Any] | None:
        return next((ua for ua in self.state["user_assignments"].values()
                     if ua["project"]["id"] == project_id and ua["user"]["id"] == user_id), None)

    def _new_entry(self, entry_id: int, spent_date: str, user_id: int, project_id: int,
                   task_id: int, hours: float, notes: str | None,
                   reference: dict[str, Any] | None, stamp: str) -> dict[str, Any]:
        """A stopped entry in the field order of Harvest's docs example."""
        entry = {
            "id": entry_id, "spent_date": spent_date,
            "user": _user_ref(self.state["users"][user_id]),
            "client": None, "project": None, "task": None,
            "user_assignment": None, "task_assignment": None,
            "hours": hours, "hours_without_timer": hours, "rounded_hours": _round_hours(hours),
            "notes": notes, "created_at": stamp, "updated_at": stamp,
            "is_locked": False, "locked_reason": None, "is_closed": False, "is_billed": False,
            "timer_started_at": None, "started_time": None, "ended_time": None,
            "is_running": False, "invoice": None, "external_reference": reference,
            "billable": False, "budgeted": False, "billable_rate": None, "cost_rate": None,
        }
        self._link_entry(entry, project_id, task_id)
        return entry

    def _link_entry(self, entry: dict[str, Any], project_id: int, task_id: int) -> None:
        """(Re)derive the nested objects, billability and rates from project, task and user."""
        project = self.state["projects"][project_id]
        task = self.state["tasks"][task_id]
        user = self.state["users"][entry["user"]["id"]]
        ta = self._task_assignment(project_id, task_id)
        ua = self._user_assignment(user["id"], project_id)
        rate = {"Project": project["hourly_rate"],
                "Tasks": ta["hourly_rate"] if ta else None,
                "People": (user["default_hourly_rate"] if ua is None or ua["use_default_rates"]
                           else ua["hourly_rate"])}.get(project["bill_by"])
        billable = bool(project["is_billable"] and ta and ta["billable"])
        entry.update(
            client=_ref(project["client"], "id", "name"),
            project=_ref(project, "id", "name"),
            task=_ref(task, "id", "name"),
            user_assignment=None if ua is None else _ref(
                ua, "id", "is_project_manager", "is_active", "budget", "created_at",
                "updated_at", "hourly_rate"),
            task_assignment=None if ta is None else _ref(
                ta, "id", "billable", "is_active", "created_at", "updated_at", "hourly_rate",
                "budget"),
            billable=billable, budgeted=project["budget_by"] != "none",
            billable_rate=rate if billable else None, cost_rate=user["cost_rate"])

    # -- expenses ---------------------------------------------------------------------------

    def _list_expenses(self, req: Request, uid: int) -> dict[str, Any]:
        items = sorted(self.state["expenses"].values(),
                       key=lambda e: (e["spent_date"], e["id"]), reverse=True)
        items = _filter(req, items, {
            "user_id": ("id", lambda e: e["user"]["id"]),
            "client_id": ("id", lambda e: e["client"]["id"]),
            "project_id": ("id", lambda e: e["project"]["id"]),
            "is_billed": ("bool", lambda e: e["is_billed"]),
            "updated_since": ("since", lambda e: e["updated_at"]),
            "from": ("from", lambda e: e["spent_date"]),
            "to": ("to", lambda e: e["spent_date"])})
        return self._paged(req, "expenses", items, cursor=False, render=copy.deepcopy)

    # -- invoices ---------------------------------------------------------------------------

    def _list_invoices(self, req: Request, uid: int) -> dict[str, Any]:
        items = sorted(self.state["invoices"].values(),
                       key=lambda i: (i["issue_date"], i["id"]), reverse=True)
        items = _filter(req, items, {
            "client_id": ("id", lambda i: i["client"]["id"]),
            "project_id": ("ids", lambda i: [li["project"]["id"] for li in i["line_items"]
                                             if li["project"]]),
            "updated_since": ("since", lambda i: i["updated_at"]),
            "from": ("from", lambda i: i["issue_date"]),
            "to": ("to", lambda i: i["issue_date"]),
            "state": ("str", lambda i: i["state"])})
        return self._paged(req, "invoices", items, cursor=False, render=copy.deepcopy,
                           harvest_default=100)

    def _client(self, value: Any) -> dict[str, Any]:
        if value in (None, ""):
            raise _unprocessable("Client can't be blank")
        client = self.state["clients"].get(_as_int(value))
        if client is None:
            raise _unprocessable("Client is invalid")
        return client

    def _post_invoice(self, req: Request, uid: int) -> Response:
        """A draft invoice: free-form line_items, and/or line_items_import from tracked time."""
        body = self._body(req)
        client = self._client(body.get("client_id"))
        plan = self._plan_import(client, body["line_items_import"]) \
            if body.get("line_items_import") is not None else None
        today = self.now().date().isoformat()
        invoice = {
            "id": None, "client_key": None,
            "number": self._invoice_number(body.get("number"), None), "purchase_order": None,
            "amount": 0.0, "due_amount": 0.0, "tax": None, "tax_amount": 0.0,
            "tax2": None, "tax2_amount": 0.0, "discount": None, "discount_amount": 0.0,
            "subject": None, "notes": None, "state": "draft",
            "period_start": None, "period_end": None, "issue_date": today,
            "due_date": today, "payment_term": "custom",
            "sent_at": None, "paid_at": None, "paid_date": None, "closed_at": None,
            "recurring_invoice_id": None, "created_at": None, "updated_at": None,
            "currency": client["currency"], "payment_options": [],
            "client": _ref(client, "id", "name"), "estimate": None, "retainer": None,
            "creator": _user_ref(self.state["users"][uid]),
            "line_items": [self._line_item(spec, {}) for spec in self._line_item_specs(body)],
        }
        self._apply_invoice_fields(invoice, body)
        # Everything is valid: from here on the invoice and its time are written.
        stamp = self._stamp()
        inv_id = self._new_id("invoices")
        invoice.update(id=inv_id, created_at=stamp, updated_at=stamp,
                       client_key=hashlib.sha1(f"invoice-{inv_id}".encode()).hexdigest())
        if plan is not None:
            self._apply_import(invoice, plan)
        self._recompute(invoice)
        self.state["invoices"][inv_id] = invoice
        self.state["invoice_messages"][inv_id] = []
        self.state["invoice_payments"][inv_id] = []
        return Response(201, json=copy.deepcopy(invoice))

    @staticmethod
    def _line_item_specs(body: dict[str, Any]) -> list[dict[str, Any]]:
        specs = body.get("line_items") or []
        if not isinstance(specs, list) or not all(isinstance(s, dict) for s in specs):
            raise _unprocessable("Line items is invalid")
        return specs

    def _line_item(self, spec: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
        """A line item from create/update parameters merged over `current`."""
        kind = spec.get("kind", current.get("kind"))
        if kind in (None, ""):
            raise _unprocessable("Line items kind can't be blank")
        if kind not in {c["name"] for c in self.state["invoice_item_categories"].values()}:
            raise _unprocessable(f"Line items kind '{kind}' is not an invoice item category")
        unit_price = _as_number(spec.get("unit_price", current.get("unit_price")))
        if unit_price is None:
            raise _unprocessable("Line items unit price can't be blank")
        quantity = _as_number(spec.get("quantity", current.get("quantity", 1.0)))
        if quantity is None:
            raise _unprocessable("Line items quantity is not a number")
        project = current.get("project")
        if spec.get("project_id") is not None:
            found = self.state["projects"].get(_as_int(spec["project_id"]))
            if found is None:
                raise _unprocessable("Line items project is invalid")
            project = _ref(found, "id", "name", "code")
        elif "project_id" in spec:
            project = None
        return {
            "id": current.get("id") or self._new_id("line_items"),
            "kind": kind,
            "description": spec.get("description", current.get("description")),
            "quantity": quantity, "unit_price": unit_price,
            "amount": _money(quantity * unit_price),
            "taxed": bool(_as_bool(spec.get("taxed", current.get("taxed", False)))),
            "taxed2": bool(_as_bool(spec.get("taxed2", current.get("taxed2", False)))),
            "project": project,
        }

    def _invoice_number(self, value: Any, own_id: int | None) -> str:
        """The given number (unique per account), or the next one after the highest."""
        if value not in (None, ""):
            if any(i["number"] == str(value) and i["id"] != own_id
                   for i in self.state["invoices"].values()):
                raise _unprocessable("Number has already been taken")
            return str(value)
        numeric = [int(i["number"]) for i in self.state["invoices"].values()
                   if str(i["number"]).isdigit()]
        return str(max(numeric, default=1000) + 1)

    @staticmethod
    def _invoice_date(value: Any, label: str) -> str | None:
        if value in (None, ""):
            return None
        day = _parse_date(value)
        if day is None:
            raise _unprocessable(f"{label} is invalid")
        return day.isoformat()

    def _apply_invoice_fields(self, invoice: dict[str, Any], body: dict[str, Any]) -> None:
        """The scalar create/update fields; due_date follows payment_term unless 'custom'."""
        for key in ("purchase_order", "subject", "notes", "currency"):
            if key in body:
                invoice[key] = body[key]
        for key in ("tax", "tax2", "discount"):
            if key in body:
                value = None if body[key] is None else _as_number(body[key])
                if body[key] is not None and value is None:
                    raise _unprocessable(f"{key.capitalize()} is not a number")
                invoice[key] = value
        if "payment_options" in body:
            invoice["payment_options"] = list(body["payment_options"] or [])
        if "issue_date" in body:
            invoice["issue_date"] = self._invoice_date(body["issue_date"], "Issue date") \
                or invoice["issue_date"]
        if "payment_term" in body:
            if body["payment_term"] not in PAYMENT_TERMS:
                raise _unprocessable("Payment term is not included in the list")
            invoice["payment_term"] = body["payment_term"]
        offset = PAYMENT_TERMS[invoice["payment_term"]]
        if offset is None:
            due = self._invoice_date(body.get("due_date"), "Due date")
            invoice["due_date"] = due or invoice["due_date"] or invoice["issue_date"]
        else:
            invoice["due_date"] = (date.fromisoformat(invoice["issue_date"])
                                   + timedelta(days=offset)).isoformat()

    def _plan_import(self, client: dict[str, Any], spec: Any) -> dict[str, Any]:
        """Work out, without changing anything, what line_items_import would pull in."""
        if not isinstance(spec, dict):
            raise _unprocessable("Line items import is invalid")
        raw_ids = spec.get("project_ids")
        if not isinstance(raw_ids, list) or not raw_ids:
            raise _unprocessable("Line items import project ids can't be blank")
        project_ids = set()
        for raw in raw_ids:
            project = self.state["projects"].get(_as_int(raw))
            if project is None or project["client"]["id"] != client["id"]:
                raise _unprocessable(f"Project {raw} is not a project of this client")
            project_ids.add(project["id"])
        plan: dict[str, Any] = {"entries": [], "expenses": [], "lines": [], "period": []}
        if spec.get("time") is not None:
            summary, lo, hi = self._import_part(spec["time"], "Time", TIME_SUMMARIES)
            entries = sorted(
                (e for e in self.state["time_entries"].values()
                 if e["project"]["id"] in project_ids and e["billable"] and not e["is_billed"]
                 and not e["is_running"] and e["billable_rate"] is not None
                 and (lo is None or lo <= e["spent_date"] <= hi)),
                key=lambda e: (e["spent_date"], e["id"]))
            plan["entries"] = entries
            plan["lines"] += self._time_lines(entries, summary)
            plan["period"] += [lo, hi] if lo else [e["spent_date"] for e in entries]
        if spec.get("expenses") is not None:
            summary, lo, hi = self._import_part(spec["expenses"], "Expenses", EXPENSE_SUMMARIES)
            expenses = sorted(
                (x for x in self.state["expenses"].values()
                 if x["project"]["id"] in project_ids and x["billable"] and not x["is_billed"]
                 and (lo is None or lo <= x["spent_date"] <= hi)),
                key=lambda x: (x["spent_date"], x["id"]))
            plan["expenses"] = expenses
            plan["lines"] += self._expense_lines(expenses, summary)
            plan["period"] += [lo, hi] if lo else [x["spent_date"] for x in expenses]
        return plan

    @staticmethod
    def _import_part(part: Any, label: str, summaries: set[str]) -> tuple[str, str | None,
                                                                          str | None]:
        if not isinstance(part, dict):
            raise _unprocessable(f"{label} import is invalid")
        summary = part.get("summary_type")
        if summary not in summaries:
            raise _unprocessable(f"{label} summary type is not included in the list")
        lo, hi = part.get("from"), part.get("to")
        if (lo is None) != (hi is None):
            raise _unprocessable(f"{label} from and to must be provided together")
        if lo is None:
            return summary, None, None
        lo_day, hi_day = _parse_date(lo), _parse_date(hi)
        if lo_day is None or hi_day is None:
            raise _unprocessable(f"{label} from and to must be dates")
        return summary, lo_day.isoformat(), hi_day.isoformat()

    def _time_lines(self, entries: list[dict[str, Any]], summary: str) -> list[dict[str, Any]]:
        """One line per group (and per rate, so quantity x unit_price is exact)."""
        groups: dict[tuple[Any, ...], dict[str, Any]] = {}
        for e in entries:
            project = self.state["projects"][e["project"]["id"]]
            label = {"project": project["name"],
                     "task": f"{project['name']}: {e['task']['name']}",
                     "people": f"{project['name']}: {e['user']['name']}",
                     "detailed": f"{project['name']}: {e['task']['name']} - {e['user']['name']} - "
                                 f"{e['spent_date']}" + (f" - {e['notes']}" if e["notes"] else "")
                     }[summary]
            one = e["id"] if summary == "detailed" else 0
            key = (project["id"], label, e["billable_rate"], one)
            line = groups.setdefault(key, {"kind": "Service", "description": label, "hours": 0.0,
                                           "unit_price": e["billable_rate"],
                                           "project": _ref(project, "id", "name", "code")})
            line["hours"] += e["rounded_hours"]
        return [{"kind": g["kind"], "description": g["description"],
                 "quantity": round(g["hours"], 2), "unit_price": g["unit_price"],
                 "project": g["project"]} for g in groups.values()]

    def _expense_lines(self, expenses: list[dict[str, Any]], summary: str) -> list[dict[str, Any]]:
        groups: dict[tuple[Any, ...], dict[str, Any]] = {}
        for x in expenses:
            project = x["project"]
            label = {"project": f"{project['name']}: Expenses",
                     "category": f"{project['name']}: {x['expense_category']['name']}",
                     "people": f"{project['name']}: {x['user']['name']}",
                     "detailed": f"{project['name']}: {x['expense_category']['name']} - "
                                 f"{x['spent_date']}" + (f" - {x['notes']}" if x["notes"] else "")
                     }[summary]
            key = (project["id"], label, x["id"] if summary == "detailed" else 0)
            line = groups.setdefault(key, {"kind": "Product", "description": label,
                                           "quantity": 1.0, "unit_price": 0.0,
                                           "project": dict(project)})
            line["unit_price"] = _money(line["unit_price"] + x["total_cost"])
        return list(groups.values())

    def _apply_import(self, invoice: dict[str, Any], plan: dict[str, Any]) -> None:
        """Add the planned lines and mark their time and expenses invoiced and locked."""
        ref = {"id": invoice["id"], "number": invoice["number"]}
        for spec in plan["lines"]:
            invoice["line_items"].append(self._line_item(
                {**spec, "taxed": invoice["tax"] is not None,
                 "taxed2": invoice["tax2"] is not None}, {"project": spec["project"]}))
        for item in plan["entries"]:
            item.update(is_billed=True, is_locked=True, locked_reason=INVOICED_REASON,
                        invoice=dict(ref), updated_at=invoice["updated_at"])
        for item in plan["expenses"]:
            item.update(is_billed=True, is_locked=True, locked_reason=EXPENSE_INVOICED_REASON,
                        invoice=dict(ref), updated_at=invoice["updated_at"])
        if plan["period"]:
            invoice["period_start"] = min(plan["period"])
            invoice["period_end"] = max(plan["period"])

    def _recompute(self, invoice: dict[str, Any]) -> None:
        """Totals from the lines; due_amount after payments; 'paid' once nothing is due."""
        subtotal = sum(li["amount"] for li in invoice["line_items"])
        keep = 1 - (invoice["discount"] or 0) / 100
        taxed = sum(li["amount"] for li in invoice["line_items"] if li["taxed"]) * keep
        taxed2 = sum(li["amount"] for li in invoice["line_items"] if li["taxed2"]) * keep
        invoice["discount_amount"] = _money(subtotal * (invoice["discount"] or 0) / 100)
        invoice["tax_amount"] = _money(taxed * (invoice["tax"] or 0) / 100)
        invoice["tax2_amount"] = _money(taxed2 * (invoice["tax2"] or 0) / 100)
        invoice["amount"] = _money(subtotal - invoice["discount_amount"] + invoice["tax_amount"]
                                   + invoice["tax2_amount"])
        payments = self.state["invoice_payments"].get(invoice["id"], [])
        invoice["due_amount"] = _money(invoice["amount"] - sum(p["amount"] for p in payments))
        if invoice["state"] == "open" and payments and invoice["due_amount"] <= 0:
            last = max(payments, key=lambda p: p["paid_at"])
            invoice.update(state="paid", paid_at=last["paid_at"], paid_date=last["paid_date"])

    def _patch_invoice(self, req: Request, uid: int, inv_id: int) -> dict[str, Any]:
        invoice = self._find("invoices", inv_id)
        body = self._body(req)
        draft = copy.deepcopy(invoice)   # validate on a copy: a failed PATCH changes nothing
        if "client_id" in body:
            draft["client"] = _ref(self._client(body["client_id"]), "id", "name")
        if "number" in body:
            draft["number"] = self._invoice_number(body["number"], inv_id)
        self._apply_invoice_fields(draft, body)
        for spec in self._line_item_specs(body):
            if spec.get("id") is None:
                draft["line_items"].append(self._line_item(spec, {}))
                continue
            index = next((i for i, li in enumerate(draft["line_items"])
                          if li["id"] == _as_int(spec["id"])), None)
            if index is None:
                raise _unprocessable(f"Line item {spec['id']} is not on this invoice")
            if _as_bool(spec.get("_destroy", False)):
                del draft["line_items"][index]
            else:
                draft["line_items"][index] = self._line_item(spec, draft["line_items"][index])
        self._recompute(draft)
        draft["updated_at"] = self._stamp()
        invoice.clear()
        invoice.update(draft)
        return copy.deepcopy(invoice)

    def _delete_invoice(self, req: Request, uid: int, inv_id: int) -> Response:
        """Deleting releases the invoice's time and expenses (they become uninvoiced again)."""
        self._find("invoices", inv_id)
        stamp = self._stamp()
        for item in [*self.state["time_entries"].values(), *self.state["expenses"].values()]:
            if (item["invoice"] or {}).get("id") == inv_id:
                item.update(is_billed=False, invoice=None, updated_at=stamp)
                if item["locked_reason"] in (INVOICED_REASON, EXPENSE_INVOICED_REASON):
                    item.update(is_locked=item["is_closed"],
                                locked_reason=APPROVED_REASON if item["is_closed"] else None)
        del self.state["invoices"][inv_id]
        del self.state["invoice_messages"][inv_id]
        del self.state["invoice_payments"][inv_id]
        return Response(200, body=b"")

    def _list_messages(self, req: Request, uid: int, inv_id: int) -> dict[str, Any]:
        self._find("invoices", inv_id)
        items = _filter(req, self.state["invoice_messages"][inv_id],
                        {"updated_since": ("since", lambda m: m["updated_at"])})
        return self._paged(req, "invoice_messages", items, cursor=True, render=copy.deepcopy)

    # event_type -> (state it needs, how the 422 names that state, state it leads to)
    _EVENTS = {"send": ("draft", "a draft", "open"), "close": ("open", "open", "closed"),
               "re-open": ("closed", "closed", "open"), "draft": ("open", "open", "draft")}

    def _post_message(self, req: Request, uid: int, inv_id: int) -> Response:
        """Send by e-mail (no event_type), or change state only (send/close/re-open/draft)."""
        invoice = self._find("invoices", inv_id)
        body = self._body(req)
        me = self.state["users"][uid]
        me_name = f"{me['first_name']} {me['last_name']}"
        event = body.get("event_type")
        recipients: list[dict[str, Any]] = []
        stamp = self._stamp()
        if event is None:
            raw = body.get("recipients") or []
            if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
                raise _unprocessable("Recipients is invalid")
            if any(not r.get("email") for r in raw):
                raise _unprocessable("Recipients email can't be blank")
            copy_me = bool(_as_bool(body.get("send_me_a_copy", False)))
            if not raw and not copy_me:
                raise _unprocessable("Recipients can't be blank")
            recipients = [{"name": r.get("name"), "email": r["email"]} for r in raw]
            if copy_me:
                recipients.append({"name": me_name, "email": me["email"]})
            if invoice["state"] == "draft":
                invoice.update(state="open", sent_at=stamp)
        elif event in self._EVENTS:
            needs, phrase, leads_to = self._EVENTS[event]
            if invoice["state"] != needs:
                raise _unprocessable(f"Event type can't be {event} unless invoice is {phrase}")
            invoice["state"] = leads_to
            invoice.update({"send": {"sent_at": stamp}, "close": {"closed_at": stamp},
                            "re-open": {"closed_at": None}, "draft": {"sent_at": None}}[event])
        else:
            raise _unprocessable("Event type is not included in the list")
        invoice["updated_at"] = stamp
        message = {
            "id": self._new_id("invoice_messages"),
            "sent_by": me_name, "sent_by_email": me["email"],
            "sent_from": me_name, "sent_from_email": me["email"],
            "include_link_to_client_invoice": False,
            "send_me_a_copy": bool(_as_bool(body.get("send_me_a_copy", False))),
            "thank_you": bool(_as_bool(body.get("thank_you", False))),
            "reminder": False, "send_reminder_on": None,
            "created_at": stamp, "updated_at": stamp,
            "attach_pdf": bool(_as_bool(body.get("attach_pdf", False))),
            "event_type": event, "recipients": recipients,
            "subject": body.get("subject"), "body": body.get("body"),
        }
        self.state["invoice_messages"][inv_id].append(message)
        return Response(201, json=copy.deepcopy(message))

    def _list_payments(self, req: Request, uid: int, inv_id: int) -> dict[str, Any]:
        self._find("invoices", inv_id)
        items = _filter(req, self.state["invoice_payments"][inv_id],
                        {"updated_since": ("since", lambda p: p["updated_at"])})
        return self._paged(req, "invoice_payments", items, cursor=True, render=copy.deepcopy)

    def _post_payment(self, req: Request, uid: int, inv_id: int) -> Response:
        """Record a payment on an open invoice; it becomes 'paid' when nothing is due."""
        invoice = self._find("invoices", inv_id)
        body = self._body(req)
        if body.get("amount") in (None, ""):
            raise _unprocessable("Amount can't be blank")
        amount = _as_number(body["amount"])
        if amount is None or amount <= 0:
            raise _unprocessable("Amount must be greater than 0")
        if body.get("paid_at") not in (None, "") and body.get("paid_date") not in (None, ""):
            raise _unprocessable("Pass either paid_at or paid_date, but not both")
        if invoice["state"] != "open":
            raise _unprocessable(f"Payments can't be recorded on a {invoice['state']} invoice")
        if _money(amount) > invoice["due_amount"]:
            raise _unprocessable("Amount can't be greater than the amount due")
        if body.get("paid_at") not in (None, ""):
            moment = _parse_since(str(body["paid_at"]))
            if moment is None:
                raise _unprocessable("Paid at is invalid")
            paid_at = _iso(moment)
        else:
            day = self._invoice_date(body.get("paid_date"), "Paid date") \
                or self.now().date().isoformat()
            paid_at = f"{day}T00:00:00Z"
        me = self.state["users"][uid]
        stamp = self._stamp()
        payment = {
            "id": self._new_id("invoice_payments"), "amount": _money(amount),
            "paid_at": paid_at, "paid_date": paid_at[:10],
            "recorded_by": f"{me['first_name']} {me['last_name']}",
            "recorded_by_email": me["email"], "notes": body.get("notes"),
            "transaction_id": None, "created_at": stamp, "updated_at": stamp,
            "payment_gateway": None,
        }
        self.state["invoice_payments"][inv_id].append(payment)
        self._recompute(invoice)
        invoice["updated_at"] = stamp
        return Response(201, json=copy.deepcopy(payment))

    # -- reports ----------------------------------------------------------------------------

    @staticmethod
    def _report_range(req: Request) -> tuple[str, str]:
        """Required from/to, inclusive, at most 365 days (Harvest answers 400 otherwise)."""
        bounds = []
        for name in ("from", "to"):
            raw = req.arg(name)
            if raw in (None, ""):
                raise _Reject(400, {"message": f"Parameter {name} is required"})
            day = _parse_date(raw, compact=True)
            if day is None:
                raise _Reject(400, {"message": f"Parameter {name} must be a date "
                                               f"(YYYY-MM-DD or YYYYMMDD)"})
            bounds.append(day)
        lo, hi = bounds
        if hi < lo:
            raise _Reject(400, {"message": "Invalid timeframe: from must not be after to"})
        if (hi - lo).days + 1 > 365:
            raise _Reject(400, {"message": "Invalid timeframe: must not exceed 1 year"})
        return lo.isoformat(), hi.isoformat()

    def _entries_between(self, lo: str, hi: str) -> list[dict[str, Any]]:
        return [self._render_entry(e) for e in self.state["time_entries"].values()
                if lo <= e["spent_date"] <= hi]

    def _time_report(self, req: Request, uid: int, subject: str) -> dict[str, Any]:
        """One row per subject and currency, from rounded hours (as Harvest's reports are)."""
        lo, hi = self._report_range(req)
        rows: dict[tuple[Any, ...], dict[str, Any]] = {}
        for e in self._entries_between(lo, hi):
            project = self.state["projects"][e["project"]["id"]]
            client = self.state["clients"][project["client"]["id"]]
            currency = client["currency"]
            if subject == "clients":
                head = {"client_id": client["id"], "client_name": client["name"]}
            elif subject == "projects":
                head = {"project_id": project["id"], "project_name": project["name"],
                        "client_id": client["id"], "client_name": client["name"]}
            elif subject == "tasks":
                head = {"task_id": e["task"]["id"], "task_name": e["task"]["name"]}
            else:
                user = self.state["users"][e["user"]["id"]]
                head = {"user_id": user["id"], "user_name": e["user"]["name"],
                        "is_contractor": user["is_contractor"]}
            row = rows.setdefault((*head.values(), currency), {
                **head, "total_hours": 0.0, "billable_hours": 0.0, "currency": currency,
                "billable_amount": 0.0})
            row["total_hours"] += e["rounded_hours"]
            if e["billable"]:
                row["billable_hours"] += e["rounded_hours"]
                row["billable_amount"] += e["rounded_hours"] * (e["billable_rate"] or 0)
        results = []
        for row in rows.values():
            row.update(total_hours=round(row["total_hours"], 2),
                       billable_hours=round(row["billable_hours"], 2),
                       billable_amount=_money(row["billable_amount"]))
            if subject == "team":
                user = self.state["users"][row["user_id"]]
                row.update(weekly_capacity=user["weekly_capacity"], avatar_url=user["avatar_url"])
            results.append(row)
        name_key = {"clients": "client_name", "projects": "project_name", "tasks": "task_name",
                    "team": "user_name"}[subject]
        results.sort(key=lambda r: (r[name_key], r["currency"]))
        return self._paged(req, "results", results, cursor=False)

    def _uninvoiced_report(self, req: Request, uid: int) -> dict[str, Any]:
        """Billable projects with time or expenses in the range, and what is not yet invoiced."""
        lo, hi = self._report_range(req)
        rows: dict[int, dict[str, Any]] = {}

        def row_for(project_id: int) -> dict[str, Any] | None:
            project = self.state["projects"][project_id]
            if not project["is_billable"]:
                return None
            client = self.state["clients"][project["client"]["id"]]
            return rows.setdefault(project_id, {
                "client_id": client["id"], "client_name": client["name"],
                "project_id": project_id, "project_name": project["name"],
                "currency": client["currency"], "total_hours": 0.0, "uninvoiced_hours": 0.0,
                "uninvoiced_expenses": 0.0, "uninvoiced_amount": 0.0})

        for e in self._entries_between(lo, hi):
            row = row_for(e["project"]["id"])
            if row is None:
                continue
            row["total_hours"] += e["rounded_hours"]
            if e["billable"] and not e["is_billed"]:
                row["uninvoiced_hours"] += e["rounded_hours"]
                row["uninvoiced_amount"] += e["rounded_hours"] * (e["billable_rate"] or 0)
        for x in self.state["expenses"].values():
            row = row_for(x["project"]["id"]) if lo <= x["spent_date"] <= hi else None
            if row is not None and x["billable"] and not x["is_billed"]:
                row["uninvoiced_expenses"] += x["total_cost"]
                row["uninvoiced_amount"] += x["total_cost"]
        results = sorted(rows.values(), key=lambda r: (r["client_name"], r["project_name"]))
        for row in results:
            row.update(total_hours=round(row["total_hours"], 2),
                       uninvoiced_hours=round(row["uninvoiced_hours"], 2),
                       uninvoiced_expenses=_money(row["uninvoiced_expenses"]),
                       uninvoiced_amount=_money(row["uninvoiced_amount"]))
        return self._paged(req, "results", results, cursor=False)

    def _budget_report(self, req: Request, uid: int) -> dict[str, Any]:
        """Budget use per project (no dates). Monthly budgets count the current month only."""
        projects = _filter(req, self.state["projects"].values(),
                           {"is_active": ("bool", lambda p: p["is_active"])})
        month = self.now().date().isoformat()[:7]
        results = []
        for project in sorted(projects, key=lambda p: (p["client"]["name"], p["name"])):
            entries = [self._render_entry(e) for e in self.state["time_entries"].values()
                       if e["project"]["id"] == project["id"] and e["budgeted"]
                       and (not project["budget_is_monthly"] or e["spent_date"][:7] == month)]
            by_money = project["budget_by"] in ("project_cost", "task_fees")
            if by_money:
                spent = sum(e["rounded_hours"] * (e["billable_rate"] or 0) for e in entries
                            if e["billable"])
                if project["cost_budget_include_expenses"]:
                    spent += sum(x["total_cost"] for x in self.state["expenses"].values()
                                 if x["project"]["id"] == project["id"])
                budget, spent = project["cost_budget"], _money(spent)
            else:
                spent = round(sum(e["rounded_hours"] for e in entries), 2)
                budget = project["budget"] if project["budget_by"] != "none" else None
            results.append({
                "client_id": project["client"]["id"], "client_name": project["client"]["name"],
                "project_id": project["id"], "project_name": project["name"],
                "budget_is_monthly": project["budget_is_monthly"],
                "budget_by": project["budget_by"], "is_active": project["is_active"],
                "budget": budget, "budget_spent": spent,
                "budget_remaining": None if budget is None else round(budget - spent, 2)})
        return self._paged(req, "results", results, cursor=False)

    # -- Harvest ID: accounts and OAuth -----------------------------------------------------

    def _get_accounts(self, req: Request, uid: int) -> dict[str, Any]:
        scheme, _, token = req.headers.get("Authorization", "").partition(" ")
        reach = self._reach(self._tokens[token.strip()])
        user = self.state["users"][uid]
        return {"user": _ref(user, "id", "first_name", "last_name", "email"),
                "accounts": [a for a in self._accounts() if a["id"] in reach]}

    def _authorize(self, req: Request, uid: None) -> Response:
        """Harvest ID's consent step, approved at once: 302 back with code, state and scope."""
        q = {k: v[0] for k, v in req.query.items()}
        self.authorize_requests.append(dict(q))
        if q.get("client_id") != self.CLIENT_ID:
            return _html(400, "Invalid client", "The OAuth2 client_id is unknown.")
        redirect = q.get("redirect_uri", "")
        if not _is_loopback_http(redirect):
            return _html(400, "Invalid redirect URI",
                         "The redirect_uri must be a loopback http:// URL for this client.")

        def back(**params: str) -> Response:
            if q.get("state") is not None:
                params["state"] = q["state"]
            joiner = "&" if urllib.parse.urlsplit(redirect).query else "?"
            return Response(302, body=b"", headers={
                "Location": redirect + joiner + urllib.parse.urlencode(params)})

        if q.get("response_type") != "code":
            return back(error="unsupported_response_type",
                        error_description=OAUTH_ERRORS["unsupported_response_type"])
        challenge = q.get("code_challenge")
        if challenge is not None and q.get("code_challenge_method") != "S256":
            return back(error="invalid_request",
                        error_description="code_challenge_method must be S256")
        if not self.oauth_approve:
            return back(error="access_denied", error_description=OAUTH_ERRORS["access_denied"])
        accounts = tuple(a["id"] for a in self._accounts())
        code = secrets.token_urlsafe(24)
        self._codes[code] = _Grant(redirect, challenge, accounts, self.now() + CODE_LIFETIME)
        scope = "+".join(f"{a['product']}:{a['id']}" for a in self._accounts())
        return back(code=code, scope=scope)

    def _token(self, req: Request, uid: None) -> Response:
        """RFC 6749 token endpoint: authorization_code (PKCE checked) and refresh_token."""
        if "json" in req.headers.get("Content-Type", "").lower() and isinstance(req.json, dict):
            params = {k: str(v) for k, v in req.json.items()}
        else:
            params = {k: v[-1] for k, v in req.form.items()}
        self.token_requests.append(dict(params))
        if (params.get("client_id") != self.CLIENT_ID
                or params.get("client_secret") != self.CLIENT_SECRET):
            return _oauth_error(401, "invalid_client")
        grant_type = params.get("grant_type")
        if grant_type == "authorization_code":
            grant = self._codes.get(params.get("code", ""))
            if (grant is None or grant.used or self.now() >= grant.expires_at
                    or params.get("redirect_uri", grant.redirect_uri) != grant.redirect_uri
                    or (grant.challenge is not None
                        and _s256(params.get("code_verifier", "")) != grant.challenge)):
                return _oauth_error(400, "invalid_grant")
            grant.used = True
            return self._issue(grant.accounts, grant_type)
        if grant_type == "refresh_token":
            accounts = self._refresh_tokens.pop(params.get("refresh_token", ""), None)
            if accounts is None:
                return _oauth_error(400, "invalid_grant")
            self.refresh_count += 1
            return self._issue(accounts, grant_type)
        if grant_type in (None, ""):
            return _oauth_error(400, "invalid_request")
        return _oauth_error(400, "unsupported_grant_type")

    def _issue(self, accounts: tuple[int, ...], grant_type: str) -> Response:
        """A new access token and a new refresh token (the old refresh token is gone)."""
        access = f"{self.me_id}.at.{secrets.token_urlsafe(32)}"
        refresh = f"{self.me_id}.rt.{secrets.token_urlsafe(32)}"
        self._tokens[access] = _Token(self.me_id, accounts,
                                      self.now() + timedelta(seconds=self.TOKEN_LIFETIME))
        self._refresh_tokens[refresh] = accounts
        self.issued_tokens.append({"access_token": access, "refresh_token": refresh,
                                   "grant_type": grant_type})
        return Response(200, json={"access_token": access, "refresh_token": refresh,
                                   "token_type": "bearer", "expires_in": self.TOKEN_LIFETIME},
                        headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    # -- seed data --------------------------------------------------------------------------

    def _seed(self) -> None:
        """Acme Consulting, deterministic: every id and stamp is fixed (see README.md)."""
        s = self.state
        s["company"] = {
            "base_uri": "https://acmeconsulting.harvestapp.com",
            "full_domain": "acmeconsulting.harvestapp.com", "name": "Acme Consulting",
            "is_active": True, "week_start_day": "Monday", "wants_timestamp_timers": False,
            "time_format": "decimal", "date_format": "%Y-%m-%d", "plan_type": "simple-v4",
            "expense_feature": True, "invoice_feature": True, "estimate_feature": True,
            "approval_feature": True, "team_feature": True, "clock": "24h",
            "currency_code_display": "iso_code_none", "currency_symbol_display": "symbol_before",
            "decimal_symbol": ".", "thousands_separator": ",", "color_scheme": "orange",
            "weekly_capacity": 144000,
        }

        def user(uid: int, first: str, last: str, email: str, tz: str, capacity: int,
                 rate: float, cost: float, roles: list[str], access: list[str],
                 active: bool = True, contractor: bool = False,
                 updated: str = "2026-01-05T09:00:00Z") -> dict[str, Any]:
            return {"id": uid, "first_name": first, "last_name": last, "email": email,
                    "telephone": "", "timezone": tz, "has_access_to_all_future_projects": False,
                    "is_contractor": contractor, "is_active": active,
                    "created_at": "2026-01-05T09:00:00Z", "updated_at": updated,
                    "weekly_capacity": capacity, "default_hourly_rate": rate, "cost_rate": cost,
                    "roles": roles, "access_roles": access,
                    "avatar_url": f"https://cache.harvestapp.com/assets/profile_images/"
                                  f"{first.lower()}.png?1767603600"}
        s["users"] = {u["id"]: u for u in (
            user(ADA, "Ada", "Lovelace", "ada@example.com", "Berlin", 144000, 120.0, 60.0,
                 ["Founder"], ["administrator"]),
            user(CHARLES, "Charles", "Babbage", "charles@example.com", "London", 126000, 100.0,
                 55.0, ["Engineer"], ["member"]),
            user(GRACE, "Grace", "Hopper", "grace@example.com", "Eastern Time (US & Canada)",
                 72000, 95.0, 70.0, ["Contractor"], ["member"], active=False, contractor=True,
                 updated="2026-11-07T12:00:00Z"))}

        def client(cid: int, name: str, currency: str, address: str,
                   created: str) -> dict[str, Any]:
            return {"id": cid, "name": name, "is_active": True, "address": address,
                    "statement_key": hashlib.md5(name.encode()).hexdigest(),
                    "currency": currency, "created_at": created, "updated_at": created}
        s["clients"] = {c["id"]: c for c in (
            client(GLOBEX, "Globex Corporation", "EUR", "Hauptstrasse 1\n10115 Berlin",
                   "2026-02-02T10:00:00Z"),
            client(INITECH, "Initech GmbH", "EUR", "Industriestrasse 7\n80331 Muenchen",
                   "2026-03-02T10:00:00Z"),
            client(UMBRELLA, "Umbrella Labs", "USD", "500 Market St\nSan Francisco, CA",
                   "2026-04-01T10:00:00Z"))}

        def task(tid: int, name: str, billable: bool, rate: float,
                 default: bool) -> dict[str, Any]:
            return {"id": tid, "name": name, "billable_by_default": billable,
                    "default_hourly_rate": rate, "is_default": default, "is_active": True,
                    "created_at": "2026-01-05T09:10:00Z", "updated_at": "2026-01-05T09:10:00Z"}
        s["tasks"] = {t["id"]: t for t in (
            task(DEV, "Development", True, 120.0, True),
            task(MEET, "Meetings", True, 100.0, True),
            task(DESIGN, "Design", True, 110.0, False),
            task(PM, "Project Management", True, 100.0, True),
            task(RESEARCH, "Research", False, 0.0, False),
            task(ADMIN, "Admin", False, 0.0, False))}

        def project(pid: int, client_id: int, name: str, code: str, created: str,
                    **fields: Any) -> dict[str, Any]:
            c = s["clients"][client_id]
            base = {"id": pid, "name": name, "code": code, "is_active": True,
                    "is_billable": True, "is_fixed_fee": False, "bill_by": "Project",
                    "budget": None, "budget_by": "none", "budget_is_monthly": False,
                    "notify_when_over_budget": False, "over_budget_notification_percentage": 80.0,
                    "show_budget_to_all": False, "created_at": created, "updated_at": created,
                    "starts_on": created[:10], "ends_on": None,
                    "over_budget_notification_date": None, "notes": "", "cost_budget": None,
                    "cost_budget_include_expenses": False, "hourly_rate": None, "fee": None,
                    "client": _ref(c, "id", "name", "currency")}
            base.update(fields)
            return base
        s["projects"] = {p["id"]: p for p in (
            project(WEB, GLOBEX, "Globex Website Relaunch", "ACME-WEB", "2026-09-01T08:00:00Z",
                    bill_by="Tasks", budget_by="project", budget=200.0,
                    notify_when_over_budget=True),
            project(DATA, INITECH, "Initech Data Platform", "ACME-DATA", "2026-09-15T08:00:00Z",
                    hourly_rate=130.0, budget_by="project_cost", cost_budget=25000.0,
                    cost_budget_include_expenses=True, notify_when_over_budget=True,
                    over_budget_notification_percentage=90.0),
            project(SUP, INITECH, "Initech Support Retainer", "ACME-SUP", "2026-10-01T08:00:00Z",
                    bill_by="People", budget_by="project", budget=20.0, budget_is_monthly=True,
                    show_budget_to_all=True),
            project(INTERNAL, UMBRELLA, "Umbrella Internal Tools", "ACME-INT",
                    "2026-10-05T08:00:00Z", is_billable=False, bill_by="none"),
            project(LEGACY, GLOBEX, "Globex Legacy Migration", "ACME-OLD", "2026-03-01T08:00:00Z",
                    is_active=False, hourly_rate=110.0, budget_by="project", budget=80.0,
                    ends_on="2026-11-06", updated_at="2026-11-07T12:00:00Z"))}

        # (id, project, task, billable, hourly_rate): rates matter where bill_by is Tasks.
        task_assignments = [
            (155502709, WEB, DEV, True, 120.0), (155502710, WEB, DESIGN, True, 110.0),
            (155502711, WEB, MEET, True, 100.0), (155502712, WEB, PM, True, 100.0),
            (155502713, WEB, RESEARCH, False, 0.0),
            (155505013, DATA, DEV, True, 130.0), (155505014, DATA, MEET, True, 130.0),
            (155505015, DATA, RESEARCH, False, 130.0), (155505016, DATA, PM, True, 130.0),
            (155505153, SUP, DEV, True, None), (155505154, SUP, MEET, True, None),
            (155505155, SUP, ADMIN, False, None),
            (155505201, INTERNAL, DEV, False, 0.0), (155505202, INTERNAL, ADMIN, False, 0.0),
            (155505203, INTERNAL, RESEARCH, False, 0.0),
            (155505301, LEGACY, DEV, True, 110.0), (155505302, LEGACY, PM, True, 110.0),
        ]
        s["task_assignments"] = {}
        for ta_id, pid, tid, billable, rate in task_assignments:
            p = s["projects"][pid]
            s["task_assignments"][ta_id] = {
                "id": ta_id, "billable": billable, "is_active": True,
                "created_at": p["created_at"], "updated_at": p["created_at"],
                "hourly_rate": rate, "budget": None,
                "project": _ref(p, "id", "name", "code"),
                "task": _ref(s["tasks"][tid], "id", "name")}

        # (id, user, project, is_project_manager, use_default_rates, hourly_rate)
        user_assignments = [
            (125068553, ADA, WEB, True, True, 120.0), (125068554, ADA, DATA, True, True, 120.0),
            (125068555, ADA, SUP, True, False, 150.0),
            (125068556, ADA, INTERNAL, True, True, 120.0),
            (125068557, ADA, LEGACY, True, True, 120.0),
            (125068560, CHARLES, WEB, False, True, 100.0),
            (125068561, CHARLES, DATA, False, True, 100.0),
            (125068562, CHARLES, INTERNAL, False, True, 100.0),
            (125068565, GRACE, SUP, False, True, 95.0),
            (125068566, GRACE, LEGACY, False, True, 95.0),
        ]
        s["user_assignments"] = {}
        for ua_id, uid, pid, manager, defaults, rate in user_assignments:
            p = s["projects"][pid]
            s["user_assignments"][ua_id] = {
                "id": ua_id, "is_project_manager": manager, "is_active": True,
                "use_default_rates": defaults, "budget": None,
                "created_at": p["created_at"], "updated_at": p["created_at"],
                "hourly_rate": rate, "project": _ref(p, "id", "name", "code"),
                "user": _user_ref(s["users"][uid])}

        # (id - ENTRY_BASE, spent_date, user, project, task, hours, notes)
        entries = [
            (1, "2026-11-02", ADA, WEB, DEV, 3.5, "Homepage hero component"),
            (2, "2026-11-02", ADA, DATA, MEET, 1.0, "Kickoff with the Initech data team"),
            (3, "2026-11-02", CHARLES, WEB, DEV, 6.0, "CMS content model"),
            (4, "2026-11-03", ADA, WEB, DESIGN, 2.11, "Wireframe review"),
            (5, "2026-11-03", GRACE, SUP, DEV, 4.0, "Patch ticket backlog"),
            (6, "2026-11-04", ADA, DATA, DEV, 5.0, "Ingestion pipeline skeleton"),
            (7, "2026-11-04", ADA, INTERNAL, ADMIN, 0.5, "Expense reports"),
            (8, "2026-11-05", CHARLES, DATA, DEV, 7.0, "Warehouse schema"),
            (9, "2026-11-05", ADA, SUP, MEET, 1.25, "Monthly support review"),
            (10, "2026-11-06", ADA, WEB, PM, 1.0, "Sprint planning"),
            (11, "2026-11-06", GRACE, LEGACY, DEV, 3.0, "Final data export"),
            (12, "2026-11-09", ADA, WEB, DEV, 4.0, "Navigation and footer"),
            (13, "2026-11-09", CHARLES, WEB, DESIGN, 3.0, "Style guide"),
            (14, "2026-11-10", ADA, DATA, DEV, 2.5, "DATA-42 Fix CSV import encoding"),
            (15, "2026-11-10", ADA, DATA, RESEARCH, 1.5, "Evaluate stream processors"),
            (16, "2026-11-11", CHARLES, INTERNAL, DEV, 2.0, "Build script cleanup"),
            (17, "2026-11-11", ADA, SUP, DEV, 1.1, "Hotfix login timeout"),
            (18, "2026-11-12", ADA, WEB, MEET, 0.75, "Design review with Globex"),
            (19, "2026-11-13", CHARLES, DATA, MEET, 1.0, "Standup sync"),
            (20, "2026-11-13", ADA, DATA, PM, 1.0, "Status report"),
            (21, "2026-11-16", ADA, WEB, DEV, 5.5, "Contact form and validation"),
            (22, "2026-11-17", ADA, DATA, DEV, 6.0, "Dashboard API endpoints"),
            (23, "2026-11-17", CHARLES, WEB, DEV, 4.5, "Image pipeline"),
            (24, "2026-11-18", ADA, SUP, ADMIN, 0.5, "Ticket triage"),
            (25, "2026-11-19", ADA, INTERNAL, RESEARCH, 2.0, "Agent prototype"),
            (26, "2026-11-20", ADA, WEB, DESIGN, 1.5, "Mobile layouts"),
        ]
        s["time_entries"] = {}
        for n, spent, uid, pid, tid, hours, notes in entries:
            stamp = f"{spent}T{16 + n % 3}:{(n * 7) % 60:02d}:00Z"
            entry = self._new_entry(ENTRY_BASE + n, spent, uid, pid, tid, hours, notes, None,
                                    stamp)
            s["time_entries"][entry["id"]] = entry
        te = s["time_entries"]
        te[ENTRY_BASE + 14]["external_reference"] = self._external_reference({
            "id": "DATA-42", "group_id": "10001", "account_id": "acme",
            "permalink": "https://acme.atlassian.net/browse/DATA-42"})
        for n in (1, 3, 4):   # on the paid invoice 1001
            te[ENTRY_BASE + n].update(is_billed=True, is_locked=True, locked_reason=INVOICED_REASON,
                                      invoice={"id": PAID_INVOICE, "number": "1001"},
                                      updated_at="2026-11-09T10:00:00Z")
        te[ENTRY_BASE + 10].update(is_locked=True, is_closed=True, locked_reason=APPROVED_REASON,
                                   updated_at="2026-11-09T08:00:00Z")

        categories = [(4195926, "Travel", None, None), (4195927, "Meals", None, None),
                      (4195928, "Mileage", "mile", 0.655), (4197501, "Lodging", None, None)]
        s["expense_categories"] = {cid: {
            "id": cid, "name": name, "unit_name": unit, "unit_price": price, "is_active": True,
            "created_at": "2026-01-05T09:20:00Z", "updated_at": "2026-01-05T09:20:00Z"}
            for cid, name, unit, price in categories}
        s["invoice_item_categories"] = {
            1466292: {"id": 1466292, "name": "Service", "use_as_service": True,
                      "use_as_expense": False, "created_at": "2026-01-05T09:30:00Z",
                      "updated_at": "2026-01-05T09:30:00Z"},
            1466293: {"id": 1466293, "name": "Product", "use_as_service": False,
                      "use_as_expense": True, "created_at": "2026-01-05T09:30:00Z",
                      "updated_at": "2026-01-05T09:30:00Z"}}

        # (id, user, project, category, spent_date, units, total_cost, billable, notes)
        expenses = [
            (15296442, ADA, WEB, 4195926, "2026-11-04", 1.0, 89.9, True, "Train to Globex HQ"),
            (15296443, CHARLES, DATA, 4195927, "2026-11-12", 1.0, 45.5, True, "Workshop lunch"),
            (15296444, ADA, INTERNAL, 4195928, "2026-11-18", 42.0, 27.51, False,
             "Drive to the data centre"),
        ]
        s["expenses"] = {}
        for xid, uid, pid, cat, spent, units, cost, billable, notes in expenses:
            p, ua = s["projects"][pid], self._user_assignment(uid, pid)
            stamp = f"{spent}T18:00:00Z"
            s["expenses"][xid] = {
                "id": xid, "notes": notes, "total_cost": cost, "units": units,
                "is_closed": False, "is_locked": False, "is_billed": False,
                "locked_reason": None, "spent_date": spent, "created_at": stamp,
                "updated_at": stamp, "billable": billable, "receipt": None,
                "user": _user_ref(s["users"][uid]),
                "user_assignment": _ref(ua, "id", "is_project_manager", "is_active", "budget",
                                        "created_at", "updated_at", "hourly_rate"),
                "project": _ref(p, "id", "name", "code"),
                "expense_category": _ref(s["expense_categories"][cat], "id", "name",
                                         "unit_price", "unit_name"),
                "client": dict(p["client"]), "invoice": None}

        self._next_ids = {"time_entries": ENTRY_BASE + 100, "invoices": 13150500,
                          "line_items": 53341500, "invoice_messages": 27835300,
                          "invoice_payments": 10112900}
        self._seed_invoices()

    def _seed_invoices(self) -> None:
        s = self.state
        ada = _user_ref(s["users"][ADA])
        web = _ref(s["projects"][WEB], "id", "name", "code")

        def invoice(inv_id: int, number: str, client_id: int, issue: str, due: str, term: str,
                    created: str, lines: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
            c = s["clients"][client_id]
            inv = {"id": inv_id,
                   "client_key": hashlib.sha1(f"invoice-{inv_id}".encode()).hexdigest(),
                   "number": number, "purchase_order": None, "amount": 0.0, "due_amount": 0.0,
                   "tax": None, "tax_amount": 0.0, "tax2": None, "tax2_amount": 0.0,
                   "discount": None, "discount_amount": 0.0, "subject": None, "notes": None,
                   "state": "draft", "period_start": None, "period_end": None,
                   "issue_date": issue, "due_date": due, "payment_term": term, "sent_at": None,
                   "paid_at": None, "paid_date": None, "closed_at": None,
                   "recurring_invoice_id": None, "created_at": created, "updated_at": created,
                   "currency": c["currency"], "payment_options": ["credit_card"],
                   "client": _ref(c, "id", "name"), "estimate": None, "retainer": None,
                   "creator": dict(ada), "line_items": lines}
            inv.update(fields)
            return inv

        def line(line_id: int, kind: str, text: str, qty: float, price: float, taxed: bool,
                 project: dict[str, Any] | None) -> dict[str, Any]:
            return {"id": line_id, "kind": kind, "description": text, "quantity": qty,
                    "unit_price": price, "amount": _money(qty * price), "taxed": taxed,
                    "taxed2": False, "project": project}

        s["invoices"] = {i["id"]: i for i in (
            invoice(PAID_INVOICE, "1001", GLOBEX, "2026-11-09", "2026-11-24", "net 15",
                    "2026-11-09T10:00:00Z",
                    [line(53341450, "Service", "Globex Website Relaunch: Development", 9.5, 120.0,
                          False, web),
                     line(53341451, "Service", "Globex Website Relaunch: Design", 2.25, 110.0,
                          False, web)],
                    subject="Website relaunch, week 45", state="open",
                    period_start="2026-11-02", period_end="2026-11-06",
                    sent_at="2026-11-09T10:05:00Z"),
            invoice(OPEN_INVOICE, "1002", INITECH, "2026-11-16", "2026-12-16", "net 30",
                    "2026-11-16T09:00:00Z",
                    [line(53341460, "Service", "Data platform setup (fixed fee)", 1.0, 2000.0,
                          True, _ref(s["projects"][DATA], "id", "name", "code"))],
                    subject="Data platform setup", tax=19.0, state="open",
                    sent_at="2026-11-16T09:30:00Z", updated_at="2026-11-16T09:30:00Z"),
            invoice(DRAFT_INVOICE, "1003", UMBRELLA, "2026-11-20", "2026-11-20", "upon receipt",
                    "2026-11-20T15:00:00Z",
                    [line(53341470, "Service", "Security audit preparation", 10.0, 95.0, False,
                          None)],
                    subject="Security audit preparation"))}

        def message(mid: int, sent: str, name: str, email: str, number: str) -> dict[str, Any]:
            return {"id": mid, "sent_by": "Ada Lovelace", "sent_by_email": "ada@example.com",
                    "sent_from": "Ada Lovelace", "sent_from_email": "ada@example.com",
                    "include_link_to_client_invoice": False, "send_me_a_copy": False,
                    "thank_you": False, "reminder": False, "send_reminder_on": None,
                    "created_at": sent, "updated_at": sent, "attach_pdf": True,
                    "event_type": None, "recipients": [{"name": name, "email": email}],
                    "subject": f"Invoice #{number} from Acme Consulting",
                    "body": "Please find the invoice attached. Thank you for your business."}
        s["invoice_messages"] = {
            PAID_INVOICE: [message(27835207, "2026-11-09T10:05:00Z", "Hank Scorpio",
                                   "hank@globex.example", "1001")],
            OPEN_INVOICE: [message(27835209, "2026-11-16T09:30:00Z", "Peter Gibbons",
                                   "peter@initech.example", "1002")],
            DRAFT_INVOICE: []}

        def payment(pid: int, amount: float, day: str, notes: str) -> dict[str, Any]:
            return {"id": pid, "amount": amount, "paid_at": f"{day}T00:00:00Z", "paid_date": day,
                    "recorded_by": "Ada Lovelace", "recorded_by_email": "ada@example.com",
                    "notes": notes, "transaction_id": None, "created_at": f"{day}T09:00:00Z",
                    "updated_at": f"{day}T09:00:00Z", "payment_gateway": None}
        s["invoice_payments"] = {
            PAID_INVOICE: [payment(10112854, 1000.0, "2026-11-16", "Bank transfer, part 1"),
                           payment(10112855, 387.5, "2026-11-19", "Bank transfer, part 2")],
            OPEN_INVOICE: [], DRAFT_INVOICE: []}
        for inv in s["invoices"].values():
            self._recompute(inv)   # the paid invoice turns 'paid' here, from its payments
        s["invoices"][PAID_INVOICE]["updated_at"] = "2026-11-19T09:00:00Z"


# -- script mode ------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Fake Harvest API v2 + Harvest ID on 127.0.0.1. Prints 'PORT <n>', serves "
                    "until stdin reaches EOF or SIGTERM/SIGINT. Base URL http://127.0.0.1:<n>/v2, "
                    f"token {FakeHarvest.PAT}, account {FakeHarvest.ACCOUNT_ID}.")
    ap.add_argument("--per-page", type=int, default=None,
                    help="page size when a request sends no per_page (default: Harvest's)")
    ap.add_argument("--multi-account", action="store_true",
                    help="also list a second Harvest account and a Forecast account")
    ap.add_argument("--ignore-stdin", action="store_true",
                    help="don't exit on stdin EOF (e.g. when backgrounded from a shell)")
    args = ap.parse_args(argv)
    try:
        fake = FakeHarvest(per_page=args.per_page)
    except ValueError as exc:
        ap.error(str(exc))
    fake.multi_account = args.multi_account
    return serve(fake.start, fake.stop, lambda: fake.server.port, args.ignore_stdin,
                 "fake-harvest")


if __name__ == "__main__":
    sys.exit(main())
