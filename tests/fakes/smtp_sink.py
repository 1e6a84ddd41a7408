#!/usr/bin/env python3
"""smtp_sink - a real SMTP server on 127.0.0.1 that keeps every message, for gleaner's tests.

It runs aiosmtpd in a child process (the current interpreter when it can import aiosmtpd,
else /usr/bin/python3, where Debian's python3-aiosmtpd lives), on an ephemeral port, and
writes each message it accepts into a directory: NNNN.eml (the raw bytes, as received) and
NNNN.json (the envelope). The test reads them back from that directory:

    from smtp_sink import SmtpSink

    with SmtpSink(user="gleaner", password="s3cret") as sink:   # no user: no AUTH
        config = f"[smtp]\\n\\turl = {sink.url}\\n\\tfrom = gleaner@example.com\\n"
        run_gleaner(...)
        mail = sink.wait_for(1)[0]                # waits (bounded), never sleeps blindly
        mail.mail_from, mail.rcpt_tos, mail.data  # the envelope and the raw bytes
        mail.message()                            # email.message.EmailMessage (policy.default)
        sink.refuse(2, code=451)                  # the next two messages get "451 ..."
        sink.refuse_recipient("x@example.com", code=550)   # RCPT TO:<x@...> gets "550 ..."

With user/password the server offers AUTH PLAIN and LOGIN without TLS (loopback only) and
requires it: a message sent without logging in gets 530, a wrong password 535. Every login
attempt is recorded (sink.logins()).

As a script: `python3 smtp_sink.py --dir DIR [--user U --password P]` prints "PORT <n>" and
serves until stdin reaches EOF or SIGTERM.

Standard library plus aiosmtpd.
"""
from __future__ import annotations

import argparse
import email
import email.policy
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

__all__ = ["SmtpSink", "Mail", "interpreter", "available"]

SYSTEM_PYTHON = "/usr/bin/python3"


def _has_aiosmtpd(python: str) -> bool:
    if python == sys.executable:
        return importlib.util.find_spec("aiosmtpd") is not None
    if not os.access(python, os.X_OK):
        return False
    return subprocess.run([python, "-c", "import aiosmtpd.smtp"], capture_output=True,
                          timeout=30).returncode == 0


_interpreter: str | None | bool = False   # False: not looked for yet


def interpreter() -> str | None:
    """An interpreter that can import aiosmtpd, or None."""
    global _interpreter
    if _interpreter is False:
        _interpreter = next((p for p in (sys.executable, SYSTEM_PYTHON) if _has_aiosmtpd(p)),
                            None)
    return _interpreter  # type: ignore[return-value]


def available() -> bool:
    return interpreter() is not None


@dataclass
class Mail:
    """One message the sink accepted."""

    index: int
    mail_from: str
    rcpt_tos: list[str]
    data: bytes        # the message as received (headers and body, CRLF line ends)
    login: str | None  # the user that logged in for it, if any

    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)  # type: ignore


class SmtpSink:
    """A local SMTP server in a child process; messages land in `directory`."""

    def __init__(self, user: str | None = None, password: str | None = None,
                 directory: str | os.PathLike[str] | None = None) -> None:
        if (user is None) != (password is None):
            raise ValueError("give both user and password, or neither")
        self.user, self.password = user, password
        self._own_dir = directory is None
        self.dir = Path(directory) if directory is not None else \
            Path(tempfile.mkdtemp(prefix="smtp-sink-"))
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = 0
        self._proc: subprocess.Popen[str] | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """smtp://127.0.0.1:PORT (plain SMTP: gleaner allows that to a loopback host only)."""
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> "SmtpSink":
        python = interpreter()
        if python is None:
            raise RuntimeError("no python3 with aiosmtpd (Debian: apt-get install "
                               "python3-aiosmtpd)")
        argv = [python, str(Path(__file__).resolve()), "--dir", str(self.dir)]
        if self.user is not None:
            argv += ["--user", self.user, "--password", str(self.password)]
        self._proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      text=True)
        line = self._proc.stdout.readline() if self._proc.stdout else ""
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError(f"the SMTP sink did not start (said {line!r})")
        self.port = int(line.split()[1])
        return self

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            try:
                if proc.stdin:
                    proc.stdin.close()   # EOF: the child stops
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stdout:
                proc.stdout.close()
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "SmtpSink":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what arrived -------------------------------------------------------------------------

    def messages(self) -> list[Mail]:
        """Every message accepted so far, in order."""
        out = []
        for meta in sorted(self.dir.glob("[0-9]*.json")):
            info = json.loads(meta.read_text())
            out.append(Mail(info["index"], info["mail_from"], info["rcpt_tos"],
                            meta.with_suffix(".eml").read_bytes(), info.get("login")))
        return out

    def count(self) -> int:
        return len(list(self.dir.glob("[0-9]*.json")))

    def wait_for(self, count: int = 1, timeout: float = 10.0,
                 pred: Callable[[list[Mail]], bool] | None = None) -> list[Mail]:
        """Wait until at least `count` messages are in (and `pred` holds); return them all."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.messages()
            if len(got) >= count and (pred is None or pred(got)):
                return got
            if time.monotonic() > deadline:
                raise AssertionError(f"the SMTP sink has {len(got)} message(s), wanted {count}")
            time.sleep(0.01)   # polling a condition, with a deadline

    def logins(self) -> list[dict[str, Any]]:
        """Every AUTH attempt: {"mechanism", "login", "ok"}."""
        path = self.dir / "logins.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def clear(self) -> None:
        for p in self.dir.glob("[0-9]*.*"):
            p.unlink()

    # -- faults -------------------------------------------------------------------------------

    def refuse(self, count: int = 1, code: int = 451,
               text: str = "Requested action aborted: local error in processing") -> None:
        """Answer the next `count` messages' DATA with `code` (4xx: try later; 5xx: no)."""
        self._control(refuse=count, code=code, text=text)

    def refuse_recipient(self, address: str, code: int | None = 550) -> None:
        """Answer RCPT TO for `address` with `code` from now on (None: accept it again)."""
        rcpt = dict(self._read_control().get("rcpt", {}))
        if code is None:
            rcpt.pop(address.lower(), None)
        else:
            rcpt[address.lower()] = code
        self._control(rcpt=rcpt)

    def _read_control(self) -> dict[str, Any]:
        path = self.dir / "control.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def _control(self, **changes: Any) -> None:
        _write_json(self.dir / "control.json", dict(self._read_control(), **changes))


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)


# -- the server (child process) -------------------------------------------------------------

def _serve(directory: Path, user: str | None, password: str | None) -> int:
    import asyncio
    import logging
    import warnings

    # AUTH without TLS is the point here (loopback only): no warnings about it on stderr.
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)

    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

    lock = threading.Lock()
    counter = [len(list(directory.glob("[0-9]*.json")))]

    def log_login(entry: dict[str, Any]) -> None:
        with lock, (directory / "logins.jsonl").open("a") as f:
            f.write(json.dumps(entry) + "\n")

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            log_login({"mechanism": mechanism, "login": None, "ok": False})
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode("utf-8", "replace")
        ok = login == user and auth_data.password.decode("utf-8", "replace") == password
        log_login({"mechanism": mechanism, "login": login, "ok": ok})
        return AuthResult(success=ok, handled=False, auth_data=login if ok else None)

    class Handler:
        async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                              rcpt_options: Any) -> str:
            control = directory / "control.json"
            with lock:
                c = json.loads(control.read_text()) if control.exists() else {}
            code = c.get("rcpt", {}).get(address.lower())
            if code is not None:
                return (f"{code} 4.2.2 Mailbox full, try later" if code < 500
                        else f"{code} 5.1.1 No such user here")
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            control = directory / "control.json"
            with lock:
                if control.exists():
                    c = json.loads(control.read_text())
                    if c.get("refuse", 0) > 0:
                        c["refuse"] -= 1
                        _write_json(control, c)
                        return f"{c.get('code', 451)} {c.get('text', 'refused')}"
                counter[0] += 1
                n = counter[0]
                base = directory / f"{n:04d}"
                raw = envelope.original_content or envelope.content or b""
                if isinstance(raw, str):
                    raw = raw.encode("utf-8", "surrogateescape")
                (base.with_suffix(".eml")).write_bytes(raw)
                login = session.auth_data if getattr(session, "authenticated", False) else None
                _write_json(base.with_suffix(".json"), {
                    "index": n, "mail_from": envelope.mail_from,
                    "rcpt_tos": list(envelope.rcpt_tos),
                    "login": login if isinstance(login, str) else None})
            return "250 2.0.0 OK: queued"

    kwargs: dict[str, Any] = {"hostname": "sink.localhost"}
    if user is not None:
        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=False)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(
        loop.create_server(lambda: SMTP(Handler(), **kwargs), "127.0.0.1", 0))
    port = server.sockets[0].getsockname()[1]

    def stop(*_: object) -> None:
        loop.call_soon_threadsafe(loop.stop)

    def watch_stdin() -> None:
        try:
            while sys.stdin.read(4096):
                pass
        except (OSError, ValueError):
            pass
        stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    threading.Thread(target=watch_stdin, daemon=True).start()
    sys.stdout.write(f"PORT {port}\n")
    sys.stdout.flush()
    try:
        loop.run_forever()
    finally:
        server.close()
        loop.run_until_complete(server.wait_closed())
        loop.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="A local SMTP sink on 127.0.0.1 (aiosmtpd). Prints "
                                             "'PORT <n>'; serves until stdin reaches EOF.")
    ap.add_argument("--dir", required=True, help="where messages are written")
    ap.add_argument("--user", help="require AUTH with this user")
    ap.add_argument("--password", help="... and this password")
    args = ap.parse_args(argv)
    if (args.user is None) != (args.password is None):
        ap.error("--user and --password go together")
    directory = Path(args.dir)
    directory.mkdir(parents=True, exist_ok=True)
    return _serve(directory, args.user, args.password)


if __name__ == "__main__":
    sys.exit(main())
