#!/usr/bin/env python3
"""Self-test for fakekit.py (stdlib unittest; runs from any working directory)."""
from __future__ import annotations

import contextlib
import http.client
import io
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import fakekit  # noqa: E402
from fakekit import FakeServer, Response, wait_for  # noqa: E402

SCRIPT = os.path.join(HERE, "fakekit.py")


class Reply:
    def __init__(self, resp: http.client.HTTPResponse, body: bytes):
        self.status = resp.status
        self.headers = resp.headers  # case-insensitive
        self.body = body

    def json(self):
        return json.loads(self.body)


def call(port: int, method: str, path: str, body=None, headers=None) -> Reply:
    """One request on a fresh http.client connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            headers = {"Content-Type": "application/json", **(headers or {})}
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return Reply(resp, resp.read())
    finally:
        conn.close()


def control(port: int, what: str, payload=None):
    """The control API through urllib: GET without payload, POST with one."""
    url = f"http://127.0.0.1:{port}/_fake/{what}"
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read())


class FakeTestCase(unittest.TestCase):
    def setUp(self):
        self.srv = FakeServer().start()
        self.addCleanup(self.srv.stop)

    def call(self, method: str, path: str, body=None, headers=None) -> Reply:
        return call(self.srv.port, method, path, body, headers)

    def control(self, what: str, payload=None):
        return control(self.srv.port, what, payload)


class RoutesTest(FakeTestCase):
    def test_static_route(self):
        self.srv.static("GET", "/users/me", json={"id": 42})
        self.srv.static("POST", "/hello", status=201, body="hi", headers={"X-Thing": "1"})
        r = self.call("GET", "/users/me")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers["Content-Type"], "application/json; charset=utf-8")
        self.assertEqual(r.json(), {"id": 42})
        r = self.call("POST", "/hello", body=b"x")
        self.assertEqual((r.status, r.body, r.headers["x-thing"]), (201, b"hi", "1"))
        self.assertEqual(r.headers["Content-Type"], "text/plain")
        # Wrong method is not the same route.
        self.assertEqual(self.call("DELETE", "/users/me").status, 404)

    def test_stateful_counter_and_match(self):
        count = {"n": 0}

        def bump(req):
            with self.srv.lock:
                count["n"] += int(req.match[1])
                return {"n": count["n"]}

        self.srv.route("POST", r"/count/(\d+)", bump)
        self.assertEqual([self.call("POST", f"/count/{k}").json()["n"] for k in (1, 2, 3)],
                         [1, 3, 6])

    def test_newest_route_wins(self):
        self.srv.static("GET", "/thing", json={"v": "default"})
        self.assertEqual(self.call("GET", "/thing").json(), {"v": "default"})
        self.srv.route("GET", "/th.*", lambda req: Response(202, json={"v": "override"}))
        r = self.call("GET", "/thing")
        self.assertEqual((r.status, r.json()), (202, {"v": "override"}))

    def test_query_parsing(self):
        self.srv.route("GET", "/q", lambda req: {"query": req.query, "a": req.arg("a"),
                                                 "none": req.arg("zz", "dflt")})
        # A URL the path regex must not see the query of; urllib as a second client.
        with urllib.request.urlopen(f"{self.srv.url}/q?a=1&a=2&b=&c=x%20y%26z", timeout=5) as f:
            got = json.loads(f.read())
        self.assertEqual(got["query"], {"a": ["1", "2"], "b": [""], "c": ["x y&z"]})
        self.assertEqual((got["a"], got["none"]), ("1", "dflt"))

    def test_handler_results(self):
        self.srv.route("GET", "/list", lambda req: [1, 2])
        self.srv.route("GET", "/none", lambda req: None)
        self.srv.route("GET", "/ct", lambda req: Response(body=b"<a/>", content_type="text/xml"))
        self.assertEqual(self.call("GET", "/list").json(), [1, 2])
        self.assertEqual(self.call("GET", "/none").status, 204)
        r = self.call("GET", "/ct")
        self.assertEqual((r.headers["Content-Type"], r.body), ("text/xml", b"<a/>"))
        r = self.call("HEAD", "/list")  # HEAD falls back to the GET route, no body
        self.assertEqual((r.status, r.body, r.headers["Content-Length"]), (200, b"", "6"))

    def test_unknown_route_is_404_json(self):
        r = self.call("GET", "/nope?x=1")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json(), {"error": "not_found", "path": "/nope"})

    def test_handler_exception_is_500_with_traceback(self):
        def broken(req):
            raise RuntimeError("boom in the fake")

        self.srv.route("GET", "/broken", broken)
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            r = self.call("GET", "/broken")
        self.assertEqual(r.status, 500)
        self.assertIn(b"Traceback", r.body)
        self.assertIn(b"boom in the fake", r.body)
        self.assertIn("boom in the fake", err.getvalue())


class RecordingTest(FakeTestCase):
    def test_records_headers_and_json(self):
        self.srv.static("POST", "/time_entries", status=201, json={"id": 1})
        self.call("POST", "/time_entries?x=1", body={"hours": 1.5},
                  headers={"Harvest-Account-Id": "123", "Authorization": "Bearer t"})
        self.call("GET", "/other", body=b"\xff not json")
        self.control("requests")  # control requests are never recorded
        reqs = self.srv.requests
        self.assertEqual(len(reqs), 2)
        r = reqs[0]
        self.assertEqual((r["method"], r["path"], r["query"]), ("POST", "/time_entries",
                                                                {"x": ["1"]}))
        self.assertEqual(r["headers"]["Harvest-Account-Id"], "123")  # original spelling
        self.assertEqual(r["headers"]["Authorization"], "Bearer t")
        self.assertEqual(r["json"], {"hours": 1.5})
        self.assertEqual(json.loads(r["body"]), {"hours": 1.5})
        self.assertIsInstance(r["time"], float)
        self.assertIsNone(reqs[1]["json"])
        self.assertEqual(reqs[1]["body"], "\ufffd not json")
        self.assertEqual(len(self.srv.requests_for("post")), 1)
        self.assertEqual(len(self.srv.requests_for(path_regex="/oth.*")), 1)
        self.assertEqual(len(self.srv.requests_for("GET", "/time_entries")), 0)
        self.srv.clear_requests()
        self.assertEqual(self.srv.requests, [])

    def test_keep_alive_and_chunked_body(self):
        self.srv.route("POST", "/echo", lambda req: {"got": req.text})
        conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=5)
        self.addCleanup(conn.close)
        conn.request("POST", "/echo", body=b"one")
        r1 = conn.getresponse()
        self.assertEqual(json.loads(r1.read()), {"got": "one"})
        sock = conn.sock
        # Second request on the same socket, with a chunked body this time.
        conn.request("POST", "/echo", body=iter([b"tw", b"o"]), encode_chunked=True,
                     headers={"Transfer-Encoding": "chunked"})
        r2 = conn.getresponse()
        self.assertEqual(json.loads(r2.read()), {"got": "two"})
        self.assertIs(conn.sock, sock, "the connection was not reused")
        self.assertFalse(r2.will_close)


class FaultTest(FakeTestCase):
    def setUp(self):
        super().setUp()
        self.srv.static("GET", "/a", json={"clients": [{"id": 1, "name": "ACME Corporation"}]})
        self.srv.static("POST", "/a", json={"posted": True})
        self.srv.static("POST", "/b", json={"b": True})

    def test_delay(self):
        self.srv.fault("delay", seconds=0.2)
        start = time.monotonic()
        r = self.call("GET", "/a")
        self.assertGreaterEqual(time.monotonic() - start, 0.2)
        self.assertEqual(r.status, 200)
        self.assertEqual(self.srv.pending_faults(), 0)

    def test_hold_waits_for_release(self):
        self.srv.fault("hold")
        got = []
        t = threading.Thread(target=lambda: got.append(self.call("GET", "/a")), daemon=True)
        t.start()
        wait_for(lambda: self.srv.holding == 1, timeout=5, message="request never held")
        self.assertEqual(got, [])
        self.srv.release()
        t.join(timeout=5)
        self.assertFalse(t.is_alive())
        self.assertEqual((got[0].status, self.srv.holding, self.srv.pending_faults()), (200, 0, 0))

    def test_status(self):
        self.srv.fault("status", status=503, headers={"Retry-After": "2"},
                       json={"message": "down"})
        r = self.call("GET", "/a")
        self.assertEqual((r.status, r.headers["Retry-After"], r.json()),
                         (503, "2", {"message": "down"}))
        self.srv.fault("status", status=500)
        self.assertEqual(self.call("GET", "/a").status, 500)
        self.assertEqual(self.call("GET", "/a").status, 200)

    def test_ratelimit(self):
        self.srv.fault("ratelimit")
        self.srv.fault("ratelimit", retry_after="Fri, 21 Nov 2025 04:40:45 GMT")
        r = self.call("GET", "/a")
        self.assertEqual((r.status, r.headers["Retry-After"]), (429, "1"))
        self.assertEqual(r.json(), {"message": "Too many requests"})
        r = self.call("GET", "/a")
        self.assertEqual(r.headers["Retry-After"], "Fri, 21 Nov 2025 04:40:45 GMT")
        self.assertEqual(self.call("GET", "/a").status, 200)

    def test_truncate(self):
        full = self.call("GET", "/a").body
        self.srv.fault("truncate")
        conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=5)
        self.addCleanup(conn.close)
        conn.request("GET", "/a")
        resp = conn.getresponse()
        self.assertEqual(int(resp.headers["Content-Length"]), len(full))
        try:
            got = resp.read()
        except http.client.IncompleteRead as exc:
            got = exc.partial
        self.assertLess(len(got), len(full))
        self.assertTrue(full.startswith(got))

    def test_close(self):
        self.srv.fault("close")
        conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=5)
        self.addCleanup(conn.close)
        conn.request("POST", "/a", body=b"payload")
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            conn.getresponse()
        self.assertEqual(self.srv.requests[0]["body"], "payload")  # it was read and recorded

    def test_lose_serves_but_never_answers(self):
        hits = []
        self.srv.route("POST", "/made", lambda req: hits.append(req.text) or {"id": len(hits)})
        self.srv.fault("lose", path="/made")
        conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=5)
        self.addCleanup(conn.close)
        conn.request("POST", "/made", body=b"one")
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            conn.getresponse()
        self.assertEqual(hits, ["one"])  # the effect happened
        self.assertEqual(self.call("POST", "/made", body=b"two").json(), {"id": 2})

    def test_slow_serves_first_then_answers_late(self):
        hits = []
        self.srv.route("POST", "/made", lambda req: hits.append(1) or {"ok": True})
        self.srv.fault("slow", seconds=0.3, path="/made")
        conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=0.1)
        self.addCleanup(conn.close)
        conn.request("POST", "/made", body=b"x")
        with self.assertRaises(OSError):  # the client gives up first ...
            conn.getresponse()
        wait_for(lambda: hits, message="the slow request was never served")
        self.assertEqual(hits, [1])  # ... on a request that took effect
        wait_for(lambda: self.srv.inflight == 0, message="a request is still in flight")

    def test_garbage(self):
        self.srv.fault("garbage")
        self.srv.fault("garbage", body='{"name": "Ac')
        r = self.call("GET", "/a")
        self.assertEqual((r.status, r.body), (200, b"<html>oops</html>"))
        self.assertTrue(r.headers["Content-Type"].startswith("application/json"))
        self.assertEqual(r.headers["Content-Length"], str(len(r.body)))
        with self.assertRaises(ValueError):
            r.json()
        self.assertEqual(self.call("GET", "/a").body, b'{"name": "Ac')

    def test_count_and_matching(self):
        self.srv.fault("status", count=2, method="POST", path="/a", status=500)
        self.assertEqual(self.srv.pending_faults(), 2)
        self.assertEqual(self.call("GET", "/a").status, 200)    # wrong method
        self.assertEqual(self.call("POST", "/b").status, 200)   # wrong path
        self.assertEqual(self.call("POST", "/a").status, 500)
        self.assertEqual(self.srv.pending_faults(), 1)
        self.assertEqual(self.call("POST", "/a").status, 500)
        self.assertEqual(self.call("POST", "/a").status, 200)
        self.assertEqual(self.srv.pending_faults(), 0)
        # FIFO among matching faults; clear_faults drops the rest.
        self.srv.fault("status", status=502, path="/[ab]")
        self.srv.fault("status", status=503)
        self.srv.fault("status", status=504)
        self.assertEqual(self.call("GET", "/a").status, 502)
        self.assertEqual(self.call("GET", "/zzz").status, 503)
        self.srv.clear_faults()
        self.assertEqual(self.srv.pending_faults(), 0)
        self.assertEqual(self.call("GET", "/a").status, 200)
        self.assertEqual(len(self.srv.requests), 8)  # faulted requests are recorded too

    def test_bad_fault_arguments(self):
        for kind, kwargs in [("bogus", {}), ("delay", {}), ("delay", {"second": 1}),
                             ("status", {}), ("status", {"status": 99}),
                             ("close", {"count": 0})]:
            with self.subTest(kind=kind, kwargs=kwargs), self.assertRaises(ValueError):
                self.srv.fault(kind, **kwargs)
        self.assertEqual(self.srv.pending_faults(), 0)


class RateLimitTest(FakeTestCase):
    def test_sliding_window(self):
        self.srv.static("GET", "/r/.*", json={})
        self.srv.static("GET", "/free", json={})
        self.srv.rate_limit(2, 0.3, path="/r/.*")
        self.assertEqual([self.call("GET", "/r/x").status for _ in range(2)], [200, 200])
        r = self.call("GET", "/r/y")
        self.assertEqual((r.status, r.headers["Retry-After"]), (429, "1"))
        self.assertEqual(r.json(), {"message": "Too many requests"})
        self.assertEqual(self.call("GET", "/free").status, 200)  # other paths unaffected
        # Refusals don't count, so polling recovers once the window slides.
        wait_for(lambda: self.call("GET", "/r/z").status == 200, timeout=3,
                 interval=0.02, message="rate limit never recovered")

    def test_fixed_retry_after(self):
        self.srv.rate_limit(0, 10, retry_after=7)
        r = self.call("GET", "/anything")
        self.assertEqual((r.status, r.headers["Retry-After"]), (429, "7"))


class ControlApiTest(FakeTestCase):
    def test_control_api(self):
        self.srv.static("GET", "/py", json={"from": "python"})
        self.assertEqual(self.control("static", {"method": "GET", "path": "/users/.*",
                                                 "json": {"id": 1}}), {"ok": True})
        self.control("static", {"method": "GET", "path": "/html", "status": 404,
                                "body": "<h1>Not Found</h1>",
                                "headers": {"Content-Type": "text/html"}})
        self.assertEqual(self.call("GET", "/users/me").json(), {"id": 1})
        r = self.call("GET", "/html")
        self.assertEqual((r.status, r.headers["Content-Type"]), (404, "text/html"))

        self.control("fault", {"kind": "status", "status": 502, "count": 1, "path": "/users/me",
                               "json": {"message": "upstream down"}})
        self.assertEqual(self.control("faults"), {"pending": 1, "holding": 0})
        r = self.call("GET", "/users/me")
        self.assertEqual((r.status, r.json()), (502, {"message": "upstream down"}))
        self.control("fault", {"kind": "garbage", "body": "{\"cur"})
        self.assertEqual(self.call("GET", "/users/me").body, b'{"cur')

        self.control("rate_limit", {"limit": 1, "window": 60, "path": "/py"})
        self.assertEqual(self.call("GET", "/py").status, 200)
        self.assertEqual(self.call("GET", "/py").status, 429)

        reqs = self.control("requests")
        self.assertEqual([r["path"] for r in reqs],
                         ["/users/me", "/html", "/users/me", "/users/me", "/py", "/py"])
        self.assertEqual(len(self.control("requests?method=GET&path=/py")), 2)

        # Reset: HTTP routes, requests, faults and limits go; Python routes stay.
        self.control("fault", {"kind": "close"})
        self.assertEqual(self.control("reset", {}), {"ok": True})
        self.assertEqual(self.control("requests"), [])
        self.assertEqual(self.srv.pending_faults(), 0)
        self.assertEqual(self.call("GET", "/py").json(), {"from": "python"})
        self.assertEqual(self.call("GET", "/users/me").status, 404)

    def test_bad_control_input_is_400(self):
        for what, payload in [("static", {"path": "/x"}), ("static", [1]),
                              ("fault", {"kind": "nope"}), ("fault", {"count": 1}),
                              ("fault", {"kind": "status", "status": "x"}),
                              ("rate_limit", {"limit": 1}), ("static", {"method": "GET",
                                                                        "path": "(["})]:
            with self.subTest(what=what, payload=payload):
                with contextlib.redirect_stderr(io.StringIO()):
                    with self.assertRaises(urllib.error.HTTPError) as cm:
                        self.control(what, payload)
                self.assertEqual(cm.exception.code, 400)
                self.assertIn("error", json.loads(cm.exception.read()))
                cm.exception.close()
        with contextlib.redirect_stderr(io.StringIO()):
            r = self.call("POST", "/_fake/static", body=b"not json")
        self.assertEqual(r.status, 400)
        self.assertEqual(self.call("GET", "/_fake/nope").status, 404)
        self.assertEqual(self.call("GET", "/_fake/reset").status, 405)
        self.assertEqual(self.srv.requests, [])


class LifecycleTest(unittest.TestCase):
    def test_context_manager_and_idempotent_stop(self):
        with FakeServer() as srv:
            self.assertEqual(srv.url, f"http://127.0.0.1:{srv.port}")
            srv.static("GET", "/", json={})
            # Leave an idle keep-alive connection open: stop() must not wait for it.
            conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
            conn.request("GET", "/")
            conn.getresponse().read()
        start = time.monotonic()
        srv.stop()
        self.assertLess(time.monotonic() - start, 0.5)
        conn.close()
        with self.assertRaises(RuntimeError):
            srv.start()
        FakeServer().stop()  # never started

    def test_stop_cuts_a_delay_short(self):
        srv = FakeServer().start()
        srv.static("GET", "/slow", json={})
        srv.fault("delay", seconds=30)
        t = threading.Thread(target=lambda: self._ignore_errors(srv.port), daemon=True)
        t.start()
        wait_for(lambda: srv.requests, timeout=3, message="request never arrived")
        start = time.monotonic()
        srv.stop()
        t.join(timeout=3)
        self.assertFalse(t.is_alive())
        self.assertLess(time.monotonic() - start, 1.0)

    @staticmethod
    def _ignore_errors(port):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn.request("GET", "/slow")
            conn.getresponse().read()
        conn.close()

    def test_wait_for(self):
        self.assertEqual(wait_for(lambda: 7, timeout=0.1), 7)
        with self.assertRaisesRegex(AssertionError, "^never true$"):
            wait_for(lambda: False, timeout=0.05, message="never true")


class ScriptModeTest(unittest.TestCase):
    def spawn(self, *args) -> tuple[subprocess.Popen, int]:
        proc = subprocess.Popen([sys.executable, SCRIPT, *args], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, cwd=tempfile.gettempdir())
        self.addCleanup(self._reap, proc)
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        self.assertTrue(sel.select(timeout=5), "no PORT line within 5 s")
        sel.close()
        line = proc.stdout.readline().decode()
        self.assertRegex(line, r"^PORT \d+\n$")
        return proc, int(line.split()[1])

    @staticmethod
    def _reap(proc):
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for f in (proc.stdin, proc.stdout):
            with contextlib.suppress(OSError):
                f.close()

    def test_stdin_eof_stops_it(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump([{"method": "GET", "path": "/pre", "json": {"preloaded": True}}], f)
        self.addCleanup(os.unlink, f.name)
        proc, port = self.spawn("--static", f.name)
        self.assertEqual(call(port, "GET", "/pre").json(), {"preloaded": True})
        self.assertEqual(control(port, "fault", {"kind": "status", "status": 503}), {"ok": True})
        self.assertEqual(call(port, "GET", "/pre").status, 503)
        self.assertEqual([r["path"] for r in control(port, "requests")], ["/pre", "/pre"])
        proc.stdin.close()
        self.assertEqual(proc.wait(timeout=3), 0)
        self.assertEqual(proc.stdout.read(), b"")  # exactly one line on stdout

    def test_sigterm_stops_it(self):
        proc, port = self.spawn()
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(timeout=3), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
