#!/usr/bin/env python3
"""fakekit - a small fake HTTP server for gleaner's tests (Python 3.11 stdlib only).

It imitates remote APIs (Harvest, Slack, Google Calendar, ...) on 127.0.0.1:

    from fakekit import FakeServer, Response, wait_for

    with FakeServer() as srv:
        srv.static("GET", "/users/me", json={"id": 42})
        srv.route("POST", r"/time_entries/(\\d+)", lambda req: {"id": int(req.match[1])})
        srv.fault("status", status=503, count=2, path="/projects")
        ...  # point the code under test at srv.url
        assert srv.requests_for("GET", "/users/me")

Run as a script it prints "PORT <n>" and serves until stdin reaches EOF (or
SIGTERM/SIGINT); tests in C or shell steer it over the /_fake/ control API.
See README.md next to this file.
"""
from __future__ import annotations

import argparse
import http.server
import json as _json
import math
import os
import re
import signal
import socket
import socketserver
import sys
import threading
import time
import traceback
import urllib.parse
from collections import deque
from dataclasses import dataclass, field
from email.message import Message
from typing import Any, Callable, Union

__all__ = ["FakeServer", "FakeService", "Request", "Response", "wait_for", "main"]

HOST = "127.0.0.1"  # the only address the kit ever binds
CONTROL_PREFIX = "/_fake/"
JSON_TYPE = "application/json; charset=utf-8"
TEXT_TYPE = "text/plain"
DEFAULT_GARBAGE = b"<html>oops</html>"

# Fault kind -> the keyword parameters it accepts (anything else is a typo).
FAULT_PARAMS: dict[str, set[str]] = {
    "delay": {"seconds"},
    "status": {"status", "json", "body", "headers"},
    "ratelimit": {"retry_after"},
    "truncate": set(),
    "close": set(),
    "garbage": {"body"},
    # The request is served (its effects happen), but the answer is lost:
    # the connection closes with nothing sent, as when a server dies after
    # committing, or a proxy drops the reply.
    "lose": set(),
    # Served at once, answered `seconds` later: a client with a shorter
    # timeout gives up on a request that did take effect.
    "slow": {"seconds"},
    # Waits until the test calls release() (or the server stops), then serves
    # normally: the client is stuck on the network for exactly as long as the
    # test needs to look at what it holds meanwhile.
    "hold": set(),
}


def _verbose() -> bool:
    return os.environ.get("FAKEKIT_VERBOSE") == "1"


def _compile(regex: str | None, what: str) -> re.Pattern[str] | None:
    if regex is None:
        return None
    if not isinstance(regex, str):
        raise TypeError(f"{what} must be a regex string, not {type(regex).__name__}")
    return re.compile(regex)


def _norm_method(method: str | None) -> str | None:
    """Upper-case a method; None or "*" means any method."""
    if method is None or method == "*":
        return None
    if not isinstance(method, str) or not method:
        raise TypeError("method must be a non-empty string, '*' or None")
    return method.upper()


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# --------------------------------------------------------------------------
# Request / Response
# --------------------------------------------------------------------------

class Request:
    """One incoming request, as seen by a route handler."""

    def __init__(self, method: str, path: str, query: dict[str, list[str]],
                 headers: Message, body: bytes):
        self.method = method
        self.path = path                 # raw (not percent-decoded), without the query
        self.query = query               # name -> [values], blanks kept
        self.headers = headers           # case-insensitive: req.headers["content-type"]
        self.body = body
        self.json: Any = _parse_json(body)
        self.match: re.Match[str] | None = None  # set when a route matches

    def arg(self, name: str, default: Any = None) -> Any:
        """First value of query parameter `name`, or `default`."""
        values = self.query.get(name)
        return values[0] if values else default

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def form(self) -> dict[str, list[str]]:
        """The body parsed as application/x-www-form-urlencoded (Slack, OAuth)."""
        return urllib.parse.parse_qs(self.text, keep_blank_values=True)

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.path}>"


def _parse_json(body: bytes) -> Any:
    if not body:
        return None
    try:
        return _json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


@dataclass
class Response:
    """What a handler returns. `json` wins over `body` when both are given."""

    status: int = 200
    json: Any = None
    body: bytes | str | None = None
    headers: dict[str, str] | None = None
    content_type: str | None = None

    def render(self) -> tuple[int, list[tuple[str, str]], bytes]:
        """-> (status, [(header, value)], payload)."""
        headers = [(str(k), str(v)) for k, v in (self.headers or {}).items()]
        if self.json is not None:
            payload, default_type = _json.dumps(self.json).encode("utf-8"), JSON_TYPE
        else:
            body = self.body if self.body is not None else b""
            payload = body.encode("utf-8") if isinstance(body, str) else bytes(body)
            default_type = TEXT_TYPE
        if self.content_type is not None:
            headers = [h for h in headers if h[0].lower() != "content-type"]
            headers.append(("Content-Type", self.content_type))
        elif not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", default_type))
        return int(self.status), headers, payload


HandlerResult = Union[Response, dict, list, str, bytes, None]
Handler = Callable[[Request], HandlerResult]


def _to_response(result: HandlerResult) -> Response:
    if isinstance(result, Response):
        return result
    if isinstance(result, (dict, list)):
        return Response(json=result)
    if isinstance(result, (str, bytes)):
        return Response(body=result)
    if result is None:
        return Response(status=204)
    raise TypeError(f"handler returned {type(result).__name__}; expected Response, dict or list")


# --------------------------------------------------------------------------
# Internal state records
# --------------------------------------------------------------------------

@dataclass
class _Route:
    method: str | None
    pattern: re.Pattern[str]
    handler: Handler
    origin: str  # "python" (kept by reset) or "http" (added over /_fake/static)


@dataclass
class _Fault:
    kind: str
    remaining: int
    method: str | None
    pattern: re.Pattern[str] | None
    params: dict[str, Any]

    def matches(self, method: str, path: str) -> bool:
        return ((self.method is None or self.method == method)
                and (self.pattern is None or self.pattern.fullmatch(path) is not None))


@dataclass
class _RateLimiter:
    limit: int
    window: float
    pattern: re.Pattern[str] | None
    retry_after: Any
    hits: deque = field(default_factory=deque)  # monotonic times of admitted requests

    def refusal(self, now: float) -> str | None:
        """Retry-After value if one more request would exceed the limit, else None."""
        while self.hits and self.hits[0] <= now - self.window:
            self.hits.popleft()
        if len(self.hits) < self.limit:
            return None
        if self.retry_after is not None:
            return str(self.retry_after)
        if not self.hits:  # limit == 0: everything is refused
            return str(max(1, math.ceil(self.window)))
        return str(max(1, math.ceil(self.hits[0] + self.window - now)))


def _ratelimit_response(retry_after: Any) -> Response:
    return Response(429, json={"message": "Too many requests"},
                    headers={"Retry-After": str(retry_after)})


# --------------------------------------------------------------------------
# The HTTP layer
# --------------------------------------------------------------------------

class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # Don't join handler threads on close: idle keep-alive connections would hang stop().
    block_on_close = False

    def __init__(self, fake: "FakeServer"):
        self.fake = fake
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        super().__init__((HOST, 0), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), a DNS lookup; skip it.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def process_request(self, request, client_address) -> None:
        with self._conns_lock:
            self._conns.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        with self._conns_lock:
            self._conns.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        """Wake handler threads blocked on idle keep-alive connections."""
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)) or self.fake._stopping.is_set():
            return  # a client hanging up (or us stopping) is not news
        super().handle_error(request, client_address)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: every reply carries Content-Length
    server_version = "fakekit/1"
    disable_nagle_algorithm = True  # headers and body are separate writes
    server: _HTTPServer

    def do_GET(self) -> None:
        self._dispatch()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (base signature)
        if _verbose():
            sys.stderr.write(f"fakekit {self.address_string()} - {format % args}\n")

    def _dispatch(self) -> None:
        try:
            body = self._read_body()
        except ValueError as exc:
            self.close_connection = True
            self._send(*Response(400, body=f"bad request body: {exc}\n").render())
            return
        except ConnectionError:
            self.close_connection = True
            return
        split = urllib.parse.urlsplit(self.path)  # also handles absolute-form targets
        query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        req = Request(self.command, split.path or "/", query, self.headers, body)
        fake = self.server.fake
        if req.path.startswith(CONTROL_PREFIX):
            self._send(*fake._control(req).render())
            return
        with fake._lock:
            fake._inflight += 1
        try:
            status, headers, payload, mode = fake._process(req)
        finally:
            with fake._lock:
                fake._inflight -= 1
        if mode.startswith("slow:"):
            fake._stopping.wait(float(mode[5:]))
            mode = "normal"
        if mode == "close":
            self.close_connection = True  # no response at all; the socket gets closed
            return
        self._send(status, headers, payload, truncate=(mode == "truncate"))

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            n = int(length)
        except ValueError:
            raise ValueError(f"invalid Content-Length {length!r}") from None
        if n < 0:
            raise ValueError(f"invalid Content-Length {length!r}")
        data = self.rfile.read(n)
        if len(data) < n:
            raise ConnectionError("client closed the connection mid-body")
        return data

    def _read_chunked(self) -> bytes:
        chunks = []
        while True:
            line = self.rfile.readline(65537)
            if not line:
                raise ConnectionError("EOF in chunked body")
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)  # ignore chunk extensions
            except ValueError:
                raise ValueError(f"bad chunk size line {line!r}") from None
            if size == 0:
                break
            data = self.rfile.read(size)
            if len(data) < size:
                raise ConnectionError("EOF in chunked body")
            chunks.append(data)
            self.rfile.readline()  # the CRLF after each chunk
        while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
            pass  # trailers, ignored
        return b"".join(chunks)

    def _send(self, status: int, headers: list[tuple[str, str]], payload: bytes,
              truncate: bool = False) -> None:
        bodyless = status < 200 or status in (204, 304)
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in ("content-length", "transfer-encoding"):
                self.send_header(name, value)  # "Connection: close" sets close_connection
        if bodyless:
            payload = b""
        else:
            announced = len(payload)
            if truncate:
                # Announce the full length, send strictly less, then hang up.
                announced = max(len(payload), 1)
                payload = payload[: len(payload) // 2]
                self.close_connection = True
            self.send_header("Content-Length", str(announced))
        self.end_headers()
        if payload and self.command != "HEAD":
            self.wfile.write(payload)


# --------------------------------------------------------------------------
# FakeServer
# --------------------------------------------------------------------------

class FakeServer:
    """A stateful fake HTTP API on 127.0.0.1:<ephemeral port>."""

    def __init__(self) -> None:
        # For handlers' own state: handlers run concurrently, one thread per connection.
        self.lock = threading.RLock()
        self._lock = threading.Lock()  # guards everything below
        self._routes: list[_Route] = []
        self._requests: list[dict[str, Any]] = []
        self._faults: list[_Fault] = []
        self._limiters: list[_RateLimiter] = []
        self._inflight = 0  # requests being served right now
        self._holding = 0  # requests waiting on a hold fault right now
        self._released = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._stopped = False
        self._httpd = _HTTPServer(self)  # binds and listens now, so .port is known

    # -- lifecycle ----------------------------------------------------------

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> "FakeServer":
        """Serve in a background thread; returns self."""
        with self._lock:
            if self._stopped:
                raise RuntimeError("a stopped FakeServer cannot be restarted")
            if self._thread is None:
                # A short poll interval keeps stop() fast.
                self._thread = threading.Thread(
                    target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                    name=f"fakekit-{self.port}", daemon=True)
                self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; safe to call more than once."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            thread = self._thread
        self._stopping.set()  # also cuts injected delays short
        self._released.set()
        if thread is not None:
            self._httpd.shutdown()
            thread.join(timeout=5)
        self._httpd.drop_connections()
        self._httpd.server_close()

    def __enter__(self) -> "FakeServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- routes -------------------------------------------------------------

    def route(self, method: str | None, path_regex: str, handler: Handler | None = None):
        """Add a route (newest first). Without `handler`, works as a decorator."""
        if handler is None:
            return lambda fn: self.route(method, path_regex, fn)
        self._add_route(method, path_regex, handler, "python")
        return handler

    def static(self, method: str | None, path_regex: str, status: int = 200, json: Any = None,
               body: bytes | str | None = None, headers: dict[str, str] | None = None) -> None:
        """A route that always answers the same thing."""
        self._add_route(method, path_regex, _static_handler(status, json, body, headers), "python")

    def _add_route(self, method: str | None, path_regex: str, handler: Handler,
                   origin: str) -> None:
        if not callable(handler):
            raise TypeError("handler must be callable")
        pattern = _compile(path_regex, "path")
        assert pattern is not None
        with self._lock:
            self._routes.append(_Route(_norm_method(method), pattern, handler, origin))

    def _find_route(self, method: str, path: str) -> tuple[_Route | None, re.Match | None]:
        with self._lock:
            routes = self._routes[::-1]  # newest first
        # HEAD falls back to GET routes (the body is not sent).
        for wanted in [method] + (["GET"] if method == "HEAD" else []):
            for r in routes:
                if r.method is not None and r.method != wanted:
                    continue
                m = r.pattern.fullmatch(path)
                if m:
                    return r, m
        return None, None

    # -- recording ----------------------------------------------------------

    @property
    def requests(self) -> list[dict[str, Any]]:
        """A copy of every recorded (non-control) request, oldest first."""
        with self._lock:
            return [dict(r) for r in self._requests]

    def requests_for(self, method: str | None = None,
                     path_regex: str | None = None) -> list[dict[str, Any]]:
        want = _norm_method(method)
        pattern = _compile(path_regex, "path_regex")
        return [r for r in self.requests
                if (want is None or r["method"] == want)
                and (pattern is None or pattern.fullmatch(r["path"]))]

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def _record(self, req: Request) -> None:
        headers: dict[str, str] = {}
        for name, value in req.headers.items():  # original spelling of names
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        entry = {
            "method": req.method,
            "path": req.path,
            "query": {k: list(v) for k, v in req.query.items()},
            "headers": headers,
            "body": req.body.decode("utf-8", errors="replace"),
            "json": req.json,
            "time": time.monotonic(),
        }
        with self._lock:
            self._requests.append(entry)

    # -- faults -------------------------------------------------------------

    def fault(self, kind: str, count: int = 1, method: str | None = None,
              path: str | None = None, **params: Any) -> None:
        """Queue a fault for the next `count` requests matching method/path (FIFO)."""
        if kind not in FAULT_PARAMS:
            raise ValueError(f"unknown fault kind {kind!r} (one of {', '.join(FAULT_PARAMS)})")
        unknown = set(params) - FAULT_PARAMS[kind]
        if unknown:
            raise ValueError(f"fault {kind!r} takes no parameter(s) {', '.join(sorted(unknown))}")
        if not _is_int(count) or count < 1:
            raise ValueError(f"count must be an integer >= 1, not {count!r}")
        params = dict(params)
        if kind in ("delay", "slow"):
            seconds = params.get("seconds")
            if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0:
                raise ValueError(f"fault {kind!r} needs seconds=<number >= 0>")
            params["seconds"] = float(seconds)
        elif kind == "status":
            status = params.get("status")
            if not _is_int(status) or not 100 <= status <= 599:
                raise ValueError("fault 'status' needs status=<int 100..599>")
            if params.get("headers") is not None and not isinstance(params["headers"], dict):
                raise ValueError("headers must be an object")
        elif kind == "ratelimit":
            if params.get("retry_after") is None:
                params["retry_after"] = 1
        elif kind == "garbage":
            body = params.get("body", DEFAULT_GARBAGE)
            if isinstance(body, str):
                body = body.encode("utf-8")
            if not isinstance(body, (bytes, bytearray)):
                raise ValueError("fault 'garbage' body must be bytes or a string")
            params["body"] = bytes(body)
        fault = _Fault(kind, count, _norm_method(method), _compile(path, "path"), params)
        with self._lock:
            self._faults.append(fault)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def holding(self) -> int:
        """Requests waiting on a `hold` fault at this moment."""
        with self._lock:
            return self._holding

    def release(self) -> None:
        """Let every held request (and any held later) go on."""
        self._released.set()

    @property
    def inflight(self) -> int:
        """Requests being served at this moment (wait for 0 before checking state)."""
        with self._lock:
            return self._inflight

    def pending_faults(self) -> int:
        """How many fault applications remain (the sum of the remaining counts)."""
        with self._lock:
            return sum(f.remaining for f in self._faults)

    def _take_fault(self, req: Request) -> _Fault | None:
        with self._lock:
            for f in self._faults:
                if f.matches(req.method, req.path):
                    f.remaining -= 1
                    if f.remaining == 0:
                        self._faults.remove(f)
                    return f
        return None

    @staticmethod
    def _fault_response(f: _Fault) -> Response:
        p = f.params
        if f.kind == "status":
            payload = p.get("json")
            if payload is None and p.get("body") is None:
                payload = {"error": "injected_fault", "status": p["status"]}
            return Response(p["status"], json=payload, body=p.get("body"), headers=p.get("headers"))
        if f.kind == "ratelimit":
            return _ratelimit_response(p["retry_after"])
        if f.kind == "garbage":
            return Response(200, body=p["body"], content_type="application/json")
        raise AssertionError(f"fault {f.kind!r} has no canned response")

    # -- rate limiting ------------------------------------------------------

    def rate_limit(self, limit: int, window_seconds: float, path: str | None = None,
                   retry_after: Any = None) -> None:
        """Answer 429 beyond `limit` requests per sliding `window_seconds` (matching `path`)."""
        if not _is_int(limit) or limit < 0:
            raise ValueError(f"limit must be an integer >= 0, not {limit!r}")
        if (not isinstance(window_seconds, (int, float)) or isinstance(window_seconds, bool)
                or window_seconds <= 0):
            raise ValueError(f"window must be a number > 0, not {window_seconds!r}")
        limiter = _RateLimiter(limit, float(window_seconds), _compile(path, "path"), retry_after)
        with self._lock:
            self._limiters.append(limiter)

    def clear_rate_limits(self) -> None:
        with self._lock:
            self._limiters.clear()

    def _rate_limited(self, req: Request) -> str | None:
        """Retry-After if `req` is refused; otherwise counts it and returns None."""
        now = time.monotonic()
        with self._lock:
            matching = [lim for lim in self._limiters
                        if lim.pattern is None or lim.pattern.fullmatch(req.path)]
            for lim in matching:
                retry = lim.refusal(now)
                if retry is not None:
                    return retry  # refused requests don't count toward any window
            for lim in matching:
                lim.hits.append(now)
        return None

    # -- the request pipeline -------------------------------------------------

    def reset(self) -> None:
        """Forget requests, faults, rate limits and routes added over HTTP."""
        with self._lock:
            self._requests.clear()
            self._faults.clear()
            self._limiters.clear()
            self._routes = [r for r in self._routes if r.origin != "http"]

    def _process(self, req: Request) -> tuple[int, list[tuple[str, str]], bytes, str]:
        """-> (status, headers, payload, mode) where mode is normal, truncate or close."""
        self._record(req)
        fault = self._take_fault(req)
        mode = "normal"
        if fault is not None:
            if fault.kind == "delay":
                self._stopping.wait(fault.params["seconds"])
            elif fault.kind == "hold":
                with self._lock:
                    self._holding += 1
                self._released.wait()
                with self._lock:
                    self._holding -= 1
            elif fault.kind == "close":
                return 0, [], b"", "close"
            elif fault.kind == "truncate":
                mode = "truncate"
            elif fault.kind == "lose":
                self._serve_route(req)  # it happens; nobody hears about it
                return 0, [], b"", "close"
            elif fault.kind == "slow":
                mode = f"slow:{fault.params['seconds']}"
            else:
                return (*self._fault_response(fault).render(), "normal")
        retry = self._rate_limited(req)
        if retry is not None:
            return (*_ratelimit_response(retry).render(), mode)
        return (*self._serve_route(req), mode)

    def _serve_route(self, req: Request) -> tuple[int, list[tuple[str, str]], bytes]:
        route, match = self._find_route(req.method, req.path)
        if route is None:
            return Response(404, json={"error": "not_found", "path": req.path}).render()
        req.match = match
        try:
            return _to_response(route.handler(req)).render()
        except Exception:  # a broken fake must be loud, not a silent hang
            tb = traceback.format_exc()
            sys.stderr.write(f"fakekit: handler for {req.method} {req.path} raised:\n{tb}")
            sys.stderr.flush()
            return Response(500, body=tb).render()

    # -- control API (/_fake/...) ---------------------------------------------

    def _control(self, req: Request) -> Response:
        name = req.path[len(CONTROL_PREFIX):]
        table: dict[str, tuple[str, Callable[[Request], Any]]] = {
            "static": ("POST", self._ctl_static),
            "fault": ("POST", self._ctl_fault),
            "rate_limit": ("POST", self._ctl_rate_limit),
            "requests": ("GET", self._ctl_requests),
            "faults": ("GET", lambda _req: {"pending": self.pending_faults(),
                                            "holding": self.holding}),
            "release": ("POST", lambda _req: self.release()),
            "reset": ("POST", self._ctl_reset),
        }
        if name not in table:
            return Response(404, json={"error": "not_found", "path": req.path})
        method, fn = table[name]
        if req.method != method:
            return Response(405, json={"ok": False, "error": f"use {method} for {req.path}"},
                            headers={"Allow": method})
        try:
            result = fn(req)
        except (ValueError, TypeError, KeyError, re.error) as exc:
            msg = f"{req.path}: {type(exc).__name__}: {exc}"
            sys.stderr.write(f"fakekit: bad control request: {msg}\n")
            return Response(400, json={"ok": False, "error": msg})
        return Response(json={"ok": True} if result is None else result)

    @staticmethod
    def _ctl_body(req: Request) -> dict[str, Any]:
        if not isinstance(req.json, dict):
            raise ValueError("the body must be a JSON object")
        return dict(req.json)

    def add_static_spec(self, spec: dict[str, Any], origin: str = "python") -> None:
        """Add a static route from a /_fake/static style dict."""
        if not isinstance(spec, dict):
            raise ValueError("a static route must be a JSON object")
        unknown = set(spec) - {"method", "path", "status", "json", "body", "headers"}
        if unknown:
            raise ValueError(f"unknown key(s) {', '.join(sorted(unknown))}")
        if "method" not in spec or "path" not in spec:
            raise ValueError("'method' and 'path' are required")
        status = spec.get("status", 200)
        if not _is_int(status) or not 100 <= status <= 599:
            raise ValueError(f"bad status {status!r}")
        headers = spec.get("headers")
        if headers is not None and not isinstance(headers, dict):
            raise ValueError("headers must be an object")
        body = spec.get("body")
        if body is not None and not isinstance(body, str):
            raise ValueError("body must be a string")
        handler = _static_handler(status, spec.get("json"), body, headers)
        self._add_route(spec["method"], spec["path"], handler, origin)

    def _ctl_static(self, req: Request) -> None:
        self.add_static_spec(self._ctl_body(req), origin="http")

    def _ctl_fault(self, req: Request) -> None:
        spec = self._ctl_body(req)
        if "kind" not in spec:
            raise ValueError("'kind' is required")
        self.fault(spec.pop("kind"), spec.pop("count", 1), spec.pop("method", None),
                   spec.pop("path", None), **spec)

    def _ctl_rate_limit(self, req: Request) -> None:
        spec = self._ctl_body(req)
        unknown = set(spec) - {"limit", "window", "path", "retry_after"}
        if unknown:
            raise ValueError(f"unknown key(s) {', '.join(sorted(unknown))}")
        if "limit" not in spec or "window" not in spec:
            raise ValueError("'limit' and 'window' are required")
        self.rate_limit(spec["limit"], spec["window"], spec.get("path"), spec.get("retry_after"))

    def _ctl_requests(self, req: Request) -> list[dict[str, Any]]:
        # Optional filters: ?method=GET&path=/users/.*
        return self.requests_for(req.arg("method"), req.arg("path"))

    def _ctl_reset(self, req: Request) -> None:
        self.reset()


def _static_handler(status: int, json: Any, body: bytes | str | None,
                    headers: dict[str, str] | None) -> Handler:
    headers = dict(headers) if headers else None
    return lambda _req: Response(status, json=json, body=body, headers=headers)


# --------------------------------------------------------------------------
# Test helpers
# --------------------------------------------------------------------------

class FakeService:
    """What every fake of one service (Harvest, Google, Slack) shares: its FakeServer in
    `self.server`, started and stopped with it (also as a context manager), and its origin.
    Subclasses set `self.server` in __init__ and add their routes and state."""

    server: FakeServer

    @property
    def url(self) -> str:
        """The origin, http://127.0.0.1:PORT."""
        return self.server.url

    @property
    def port(self) -> int:
        return self.server.port

    def start(self):
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.01,
             message: str = "timed out waiting for a condition") -> Any:
    """Poll `predicate` until it is truthy (returns its value) or raise AssertionError."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(message)
        time.sleep(interval)


# --------------------------------------------------------------------------
# Script mode
# --------------------------------------------------------------------------

def _watch_stdin(done: threading.Event) -> None:
    """Set `done` when stdin reaches EOF: a parent that dies never leaves an orphan."""
    try:
        fd = sys.stdin.fileno()
        while os.read(fd, 65536):
            pass
    except (OSError, ValueError, AttributeError):
        pass  # closed or missing stdin counts as EOF
    done.set()


def serve(start, stop, port, ignore_stdin: bool, name: str) -> int:
    """Script mode of every fake: start, print 'PORT <n>', serve until stdin reaches EOF
    (unless ignore_stdin) or SIGTERM/SIGINT, stop.  `port` is called after start."""
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    start()
    if not ignore_stdin:
        threading.Thread(target=_watch_stdin, args=(done,), name=f"{name}-stdin",
                         daemon=True).start()
    sys.stdout.write(f"PORT {port()}\n")
    sys.stdout.flush()
    while not done.wait(0.2):  # a timed wait keeps the main thread responsive to signals
        pass
    stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Fake HTTP server on 127.0.0.1. Prints 'PORT <n>', serves until stdin "
                    "reaches EOF or SIGTERM/SIGINT. Steer it with the /_fake/ control API.")
    ap.add_argument("--static", metavar="FILE.json", action="append", default=[],
                    help="preload a JSON list of static routes (the /_fake/static format)")
    ap.add_argument("--ignore-stdin", action="store_true",
                    help="don't exit on stdin EOF (e.g. when backgrounded from a shell)")
    args = ap.parse_args(argv)

    server = FakeServer()
    for path in args.static:
        try:
            with open(path, encoding="utf-8") as f:
                specs = _json.load(f)
            if not isinstance(specs, list):
                raise ValueError("expected a JSON list of routes")
            for spec in specs:
                server.add_static_spec(spec)
        except (OSError, ValueError, TypeError, re.error) as exc:
            server.stop()
            ap.error(f"--static {path}: {exc}")

    return serve(server.start, server.stop, lambda: server.port, args.ignore_stdin, "fakekit")


if __name__ == "__main__":
    sys.exit(main())
