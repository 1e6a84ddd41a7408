#!/usr/bin/env python3
"""gleaner push is exactly-once under faults: a lost or truncated answer, a
timeout, 503 bursts, failing lookups, 429s, a revoked token, SIGKILL at random
points, refusals, a dry run and a second push at the same time.  Every test
ends by counting what the fake Harvest holds: one entry per accepted proposal,
found by its external_reference, and every proposal pushed with that entry's
id; the recorded requests show that a create whose outcome was unknown was
looked up before anything was sent again."""
import fcntl
import os
import random
import signal
import sqlite3
import subprocess
from collections import Counter
from datetime import date, timedelta

from harness import BIN, WRAPPER, main  # noqa: I001 (puts fakes/ on the path)
from harvest_case import HarvestCase
from fakekit import wait_for

ME = 1782959
WEB, DATA, SUP, INT = 14307913, 14308069, 14308070, 14308071
DEV, MEETINGS, DESIGN, PM, RESEARCH, ADMIN = (8083365, 8083366, 8083367, 8083368, 8083369,
                                              8083370)
ENTRIES = r"/v2/time_entries"
SLOW = 10 if WRAPPER else 1  # gleaner under valgrind: longer bounds, never a sleep

# Every task assignment of the four active projects: 15 (project, task) pairs.
ALL_PAIRS = [(WEB, DEV), (WEB, DESIGN), (WEB, MEETINGS), (WEB, PM), (WEB, RESEARCH),
             (DATA, DEV), (DATA, MEETINGS), (DATA, RESEARCH), (DATA, PM),
             (SUP, DEV), (SUP, MEETINGS), (SUP, ADMIN),
             (INT, DEV), (INT, ADMIN), (INT, RESEARCH)]
# Days on which the seed holds none of my entries for these pairs.
SMALL_PAIRS = [(WEB, DESIGN), (DATA, MEETINGS), (INT, DEV)]
SMALL_DAYS = ["2026-11-16", "2026-11-17", "2026-11-18"]


def days(first: str, n: int) -> list[str]:
    d = date.fromisoformat(first)
    return [(d + timedelta(days=i)).isoformat() for i in range(n)]


def calendar(pairs, day_list) -> str:
    """One 30-minute meeting per pair and day, back to back from 06:00 UTC."""
    events = []
    for day in day_list:
        compact = day.replace("-", "")
        for i, _ in enumerate(pairs):
            start = 6 * 60 + 30 * i
            a, b = divmod(start, 60), divmod(start + 30, 60)
            events.append("\n".join([
                "BEGIN:VEVENT",
                f"UID:m{i:02d}-{compact}@example.com",
                "DTSTAMP:20261101T000000Z",
                f"DTSTART:{compact}T{a[0]:02d}{a[1]:02d}00Z",
                f"DTEND:{compact}T{b[0]:02d}{b[1]:02d}00Z",
                f"SUMMARY:P{i:02d} sync",
                "END:VEVENT"]))
    return ("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//gleaner tests//EN\n"
            + "\n".join(events) + "\nEND:VCALENDAR\n")


def rules(pairs) -> str:
    return "".join(f'[rule "p{i:02d}"]\n\tmatch = ^P{i:02d} \n\tproject = {p}\n\ttask = {t}\n'
                   for i, (p, t) in enumerate(pairs))


def key_of(req) -> str | None:
    """The gleaner key a POST carries or a lookup asks for."""
    if req["method"] == "POST":
        return ((req["json"] or {}).get("external_reference") or {}).get("id")
    ref = req["query"].get("external_reference_id")
    return ref[0] if ref else None


def open_connections(port: int) -> int:
    """Connections the server side on 127.0.0.1:`port` has not closed yet.

    The fake closes a connection only when its handler is done with every
    request that came on it, so none left open means nothing sent is still
    to be served, not even a request that was in a socket buffer or the
    accept queue when its client was killed (srv.inflight cannot see those).
    """
    n = 0
    with open("/proc/net/tcp") as f:
        for line in f.read().splitlines()[1:]:
            fields = line.split()
            # ESTABLISHED, SYN_RECV or CLOSE_WAIT: the server still holds it.
            if int(fields[1].split(":")[1], 16) == port and fields[3] in ("01", "03", "08"):
                n += 1
    return n


def is_lookup(req) -> bool:
    return req["method"] == "GET" and "external_reference_id" in req["query"]


class PushCase(HarvestCase):
    pairs = SMALL_PAIRS
    day_list = SMALL_DAYS
    harvest_extra = ""

    def setUp(self):
        super().setUp()
        ics = self.write("work.ics", calendar(self.pairs, self.day_list), 0o644)
        self.write_config(self.harvest_extra + f'[calendar "work"]\n\tics = {ics}\n'
                          + rules(self.pairs))
        window = ["--from", self.day_list[0], "--to", self.day_list[-1]]
        self.window = window
        for argv in (["sync", "harvest"], ["collect", *window],
                     ["propose", "--offline", *window]):
            r = self.run_gleaner("--json", *argv)
            self.assertExit(r, 0)
        r = self.run_gleaner("--json", "accept", "--all")
        self.assertExit(r, 0)
        self.accepted = {p["key"]: p for p in self.proposals() if p["status"] == "accepted"}
        self.assertEqual(r.json()["accepted"], len(self.accepted), r)
        self.assertTrue(self.accepted)
        for p in self.accepted.values():
            self.assertTrue(p["key"].startswith("gleaner-"), p)
        self.fh.server.clear_requests()

    # -- running gleaner --------------------------------------------------

    def proposals(self):
        r = self.run_gleaner("--json", "propose", "--list", *self.window)
        self.assertExit(r, 0)
        return r.json()["proposals"]

    def push(self, *args, code=0):
        r = self.run_gleaner("--json", "push", *args)
        self.assertExit(r, code)
        return r.json()

    # -- what the fake saw and holds --------------------------------------

    def gleaner_entries(self):
        """key -> [entry, ...] for the fake's entries that carry a gleaner key."""
        out = {}
        with self.fh.server.lock:
            for e in self.fh.state["time_entries"].values():
                ref = (e.get("external_reference") or {}).get("id") or ""
                if ref.startswith("gleaner-"):
                    out.setdefault(ref, []).append(dict(e))
        return out

    def requests_of(self, key):
        return [r for r in self.api_requests() if key_of(r) == key]

    def posts(self):
        return self.api_requests("POST", ENTRIES)

    def settle(self):
        """Every request gleaner sent has been served, whatever became of gleaner.

        Call it once gleaner has exited (or been killed and reaped).
        """
        srv = self.fh.server
        wait_for(lambda: srv.inflight == 0 and open_connections(srv.port) == 0, timeout=10,
                 message="the fake is still serving a request")

    def assertExactlyOnce(self):
        """One entry per accepted proposal in the fake; every proposal pushed with its id."""
        self.settle()
        entries = self.gleaner_entries()
        counts = {k: len(v) for k, v in entries.items()}
        dupes = {k: n for k, n in counts.items() if n != 1}
        self.assertEqual(dupes, {}, "keys with more than one Harvest entry")
        self.assertEqual(set(entries), set(self.accepted))
        by_id = {p["key"]: p for p in self.proposals()}
        for key, p in self.accepted.items():
            (e,) = entries[key]
            self.assertEqual((e["spent_date"], e["project"]["id"], e["task"]["id"],
                              e["user"]["id"], e["hours"]),
                             (p["date"], p["project_id"], p["task_id"], ME, p["hours"]), key)
            now = by_id[key]
            self.assertEqual(now["status"], "pushed", now)
            self.assertEqual(now.get("harvest_entry_id"), e["id"], now)
            self.assertNotIn("push_error", now)
        return entries

    def assertOnePostPerKey(self):
        """Every accepted key was sent exactly once, over every run so far."""
        self.assertEqual(Counter(key_of(r) for r in self.posts()),
                         Counter({k: 1 for k in self.accepted}), "POSTs per key")

    def assertLookedUpBeforeResending(self, key):
        """After the first POST of `key`, every later POST follows a lookup of the key."""
        seen_post = False
        looked_up = False
        for r in self.requests_of(key):
            if is_lookup(r):
                looked_up = True
            elif r["method"] == "POST":
                if seen_post:
                    self.assertTrue(looked_up, f"{key} was POSTed again without a lookup")
                seen_post, looked_up = True, False


class PushFaultTest(PushCase):
    def test_a_clean_push_creates_each_entry_once(self):
        doc = self.push()
        self.assertEqual((doc["created"], doc["already_present"], doc["failed"], doc["pending"]),
                         (len(self.accepted), 0, 0, 0))
        self.assertEqual({e["key"] for e in doc["entries"]}, set(self.accepted))
        entries = self.assertExactlyOnce()
        for e in doc["entries"]:
            self.assertEqual(e["outcome"], "created")
            self.assertEqual(e["harvest_entry_id"], entries[e["key"]][0]["id"])
        self.assertOnePostPerKey()
        # Nothing was uncertain, so nothing was looked up.
        self.assertEqual([r for r in self.api_requests() if is_lookup(r)], [])

    def test_nothing_due_asks_harvest_nothing(self):
        self.push()
        # Everything is in Harvest: a push (the daemon's, every few minutes) sends no request,
        # not even a sign-in's, and needs none: it says so and succeeds.
        self.fh.server.clear_requests()
        again = self.push()
        self.assertEqual((again["created"], again["pending"]), (0, 0))
        self.write_config(sign_in=False)
        r = self.run_gleaner("push")
        self.assertExit(r, 0)
        self.assertIn("0 created in Harvest", r.out)
        self.assertEqual(r.err, "")
        self.assertEqual(self.api_requests(), [])

    def test_a_lost_answer_is_looked_up_not_resent(self):
        # The third create, so that gleaner has connections it could reuse: on a
        # reused one libcurl would resend the POST by itself.
        self.fh.server.fault("delay", count=2, seconds=0, method="POST", path=ENTRIES)
        self.fh.server.fault("lose", method="POST", path=ENTRIES)
        doc = self.push()
        self.assertEqual(self.fh.server.pending_faults(), 0)
        self.assertOnePostPerKey()
        lost = key_of(self.posts()[2])
        mine = self.requests_of(lost)
        self.assertEqual([r["method"] for r in mine], ["POST", "GET"], mine)
        self.assertTrue(is_lookup(mine[1]))
        self.assertEqual(mine[1]["query"].get("user_id"), [str(ME)])
        self.assertEqual((doc["created"], doc["already_present"], doc["failed"]),
                         (len(self.accepted) - 1, 1, 0), doc)
        self.assertEqual([e["outcome"] for e in doc["entries"] if e["key"] == lost],
                         ["already_present"])
        self.assertExactlyOnce()

    def sequences(self):
        """key -> the requests about it, as a string: P a POST, L a lookup."""
        return {key: "".join("L" if is_lookup(r) else r["method"][0]
                             for r in self.requests_of(key)) for key in self.accepted}

    def test_every_unknown_outcome_is_looked_up(self):
        # POST by POST: answered, lost (made), truncated (made), closed unanswered
        # (not made), answered, a 200 that is not JSON (not made), answered.
        for kind in ("delay", "lose", "truncate", "close", "delay", "garbage", "delay"):
            self.fh.server.fault(kind, method="POST", path=ENTRIES,
                                 **({"seconds": 0} if kind == "delay" else {}))
        doc = self.push()
        self.assertEqual(self.fh.server.pending_faults(), 0)
        order = []
        for r in self.posts():
            if key_of(r) not in order:
                order.append(key_of(r))
        seq = self.sequences()
        self.assertEqual([seq[k] for k in order[:5]], ["P", "PL", "PL", "PLP", "PLP"])
        self.assertEqual({seq[k] for k in order[5:]}, {"P"})
        self.assertEqual((doc["created"], doc["already_present"], doc["failed"]),
                         (len(self.accepted) - 2, 2, 0), doc)
        self.assertExactlyOnce()

    def test_a_failing_lookup_is_tried_again_never_skipped(self):
        # The answer to the first create is lost, and the lookups that follow fail
        # (500s, more than the HTTP layer retries by itself): gleaner must keep
        # asking, not create the entry again.
        self.fh.server.fault("lose", method="POST", path=ENTRIES)
        self.fh.server.fault("status", count=6, status=500, method="GET", path=ENTRIES)
        doc = self.push()
        self.assertEqual(self.fh.server.pending_faults(), 0)
        lost = key_of(self.posts()[0])
        seq = self.sequences()
        self.assertEqual(seq[lost], "P" + "L" * 7, seq[lost])
        self.assertOnePostPerKey()
        self.assertEqual(doc["already_present"], 1, doc)
        self.assertExactlyOnce()

    def test_a_rate_limited_create_waits_and_is_not_looked_up(self):
        # 429 means "not processed": waiting (on the test clock) and sending again
        # is safe, and nothing needs looking up.
        self.fh.server.fault("ratelimit", count=4, retry_after=30, method="POST", path=ENTRIES)
        doc = self.push()
        self.assertEqual(self.fh.server.pending_faults(), 0)
        self.assertEqual((doc["created"], doc["failed"], doc["pending"]),
                         (len(self.accepted), 0, 0), doc)
        self.assertEqual([r for r in self.api_requests() if is_lookup(r)], [])
        self.assertEqual(len(self.posts()), len(self.accepted) + 4)
        self.assertExactlyOnce()

    def test_a_storm_of_503_answers_to_creates(self):
        # Three bursts of three 503s, with answered creates in between (a delay of
        # 0 s is a fault that changes nothing, so it spaces the bursts out).
        for burst in range(3):
            self.fh.server.fault("status", count=3, status=503, method="POST", path=ENTRIES,
                                 json={"message": "Service Unavailable"})
            if burst < 2:
                self.fh.server.fault("delay", count=2, seconds=0, method="POST", path=ENTRIES)
        doc = self.push()
        self.assertEqual(self.fh.server.pending_faults(), 0)
        self.assertEqual((doc["created"], doc["failed"], doc["pending"]),
                         (len(self.accepted), 0, 0), doc)
        posts = self.posts()
        self.assertEqual(len(posts), len(self.accepted) + 9)
        stormed = [k for k, n in Counter(key_of(r) for r in posts).items() if n > 1]
        self.assertEqual(len(stormed), 3, stormed)
        for key in stormed:
            # 503 is "outcome unknown": POST, then lookup + POST each time after.
            methods = ["L" if is_lookup(r) else r["method"][0] for r in self.requests_of(key)]
            self.assertEqual(methods, ["P", "L", "P", "L", "P", "L", "P"], key)
        for key in self.accepted:
            self.assertLookedUpBeforeResending(key)
        self.assertExactlyOnce()

    def test_a_storm_longer_than_the_attempts_waits_for_the_next_push(self):
        self.fh.server.fault("status", count=5, status=503, method="POST", path=ENTRIES)
        doc = self.push(code=1)
        self.assertEqual(doc["pending"], 1, doc)
        self.assertEqual(doc["created"], len(self.accepted) - 1, doc)
        (stuck,) = [e["key"] for e in doc["entries"] if e["outcome"] == "pending"]
        methods = "".join("L" if is_lookup(r) else r["method"][0] for r in self.requests_of(stuck))
        self.assertEqual(methods, "PLPLPLPLP")  # five attempts, each after a lookup
        self.assertNotIn(stuck, self.gleaner_entries())
        (p,) = [p for p in self.proposals() if p["key"] == stuck]
        self.assertEqual(p["status"], "accepted")
        # An hour later the next push looks the key up first, then creates it.
        self.fh.server.clear_requests()
        self.env["GLEANER_TEST_NOW"] = "2026-11-21T10:00:00Z"
        doc = self.push()
        self.assertEqual((doc["created"], doc["pending"]), (1, 0), doc)
        methods = ["L" if is_lookup(r) else r["method"] for r in self.requests_of(stuck)]
        self.assertEqual(methods, ["L", "POST"])
        self.assertExactlyOnce()

    def test_a_refusal_goes_back_to_review(self):
        self.fh.server.fault("status", status=422, method="POST", path=ENTRIES,
                             json={"message": "Spent date is invalid"})
        r = self.run_gleaner("--json", "push")
        self.assertExit(r, 1)
        doc = r.json()
        self.assertEqual((doc["created"], doc["failed"], doc["pending"]),
                         (len(self.accepted) - 1, 1, 0), doc)
        refused = key_of(self.posts()[0])
        (item,) = [e for e in doc["entries"] if e["key"] == refused]
        self.assertEqual(item["outcome"], "failed")
        self.assertIn("Spent date is invalid", item["message"])
        # A refusal is an answer: nothing is looked up or sent again.
        self.assertEqual(len(self.requests_of(refused)), 1)
        self.assertNotIn(refused, self.gleaner_entries())
        by_key = {p["key"]: p for p in self.proposals()}
        self.assertEqual(by_key[refused]["status"], "proposed")
        self.assertIn("Spent date is invalid", by_key[refused].get("push_error", ""))
        self.assertNotIn("harvest_entry_id", by_key[refused])
        for key in set(self.accepted) - {refused}:
            self.assertEqual(by_key[key]["status"], "pushed", by_key[key])
        # Accepted again, it is created once.
        self.assertExit(self.run_gleaner("accept", str(by_key[refused]["id"])), 0)
        self.fh.server.clear_requests()
        doc = self.push()
        self.assertEqual((doc["created"], doc["already_present"], doc["failed"]), (1, 0, 0), doc)
        self.assertEqual([key_of(r) for r in self.posts()], [refused])
        self.assertExactlyOnce()

    def test_a_refused_token_stops_the_run_and_says_what_is_left(self):
        # The token is revoked half-way: the run stops, and says what is still queued.
        self.fh.server.fault("delay", count=2, seconds=0, method="POST", path=ENTRIES)
        self.fh.server.fault("status", status=401, method="POST", path=ENTRIES,
                             json={"error": "invalid_token",
                                   "error_description": "The access token provided is "
                                                        "expired, revoked, malformed or invalid"})
        r = self.run_gleaner("--json", "push")
        self.assertExit(r, 1)
        self.assertEqual(len(r.err.strip("\n").split("\n")), 1, r)
        posts = self.posts()
        self.assertEqual(len(posts), 3)
        self.assertEqual(len(self.gleaner_entries()), 2)
        doc = r.json()
        n = len(self.accepted)
        self.assertEqual((doc["created"], doc["already_present"], doc["failed"], doc["pending"]),
                         (2, 0, 0, n - 2), doc)
        by_key = {p["key"]: p for p in self.proposals()}
        self.assertEqual(Counter(p["status"] for p in by_key.values()),
                         Counter({"pushed": 2, "accepted": n - 2}))
        # The 401 was a one-off: a later push (the same token) finishes.
        self.env["GLEANER_TEST_NOW"] = "2026-11-21T10:00:00Z"
        doc = self.push()
        self.assertEqual((doc["created"], doc["already_present"], doc["pending"]), (n - 2, 0, 0))
        # 401 is an answer (nothing was made): no lookup was needed for that one.
        refused = key_of(posts[2])
        self.assertEqual([r["method"] for r in self.requests_of(refused)], ["POST", "POST"])
        self.assertExactlyOnce()

    def test_a_push_that_refuses_every_entry_creates_none(self):
        # A locked week in Harvest answers every create with 422.
        n = len(self.accepted)
        self.fh.server.fault("status", count=n, status=422, method="POST", path=ENTRIES,
                             json={"message": "Spent date has been locked"})
        r = self.run_gleaner("push")
        self.assertExit(r, 1)
        # One line per refused entry on stderr, and the count on stdout.
        refused = r.err.strip("\n").split("\n")
        self.assertEqual(len(refused), n, r)
        for line in refused:
            self.assertRegex(line, r"^gleaner: 2026-11-\d\d 0\.50 h: .*Spent date has been locked")
        self.assertIn(f"0 created in Harvest, 0 already there, {n} refused", r.out)
        self.assertEqual(len(self.posts()), n)
        self.assertEqual(self.gleaner_entries(), {})
        for p in self.proposals():
            self.assertEqual(p["status"], "proposed", p)
            self.assertIn("locked", p.get("push_error", ""))
        # Nothing is queued any more: a push sends nothing.
        self.fh.server.clear_requests()
        doc = self.push()
        self.assertEqual(doc["created"] + doc["failed"] + doc["pending"], 0, doc)
        self.assertEqual(self.posts(), [])


class PushTimeoutTest(PushCase):
    harvest_extra = "\ttimeout = 1\n"  # joins the [harvest] section written last

    def test_a_create_that_times_out_is_looked_up_not_resent(self):
        self.fh.server.fault("slow", seconds=2, method="POST", path=ENTRIES)
        doc = self.push()
        self.assertEqual(self.fh.server.pending_faults(), 0)
        self.assertOnePostPerKey()
        slow = key_of(self.posts()[0])
        mine = self.requests_of(slow)
        self.assertEqual([r["method"] for r in mine], ["POST", "GET"], mine)
        self.assertTrue(is_lookup(mine[1]))
        self.assertEqual((doc["created"], doc["already_present"], doc["failed"]),
                         (len(self.accepted) - 1, 1, 0), doc)
        self.assertExactlyOnce()


class PushDryRunAndLockTest(PushCase):
    def test_dry_run_sends_nothing_and_lists_what_would_be_created(self):
        doc = self.push("--dry-run")
        self.assertEqual(self.fh.server.requests, [])
        self.assertTrue(doc["dry_run"])
        self.assertEqual(doc["would_create"], len(self.accepted))
        self.assertEqual({e["key"] for e in doc["entries"]}, set(self.accepted))
        for e in doc["entries"]:
            p = self.accepted[e["key"]]
            self.assertEqual(e["outcome"], "would_create")
            self.assertEqual((e["date"], e["project_id"], e["task_id"], e["hours"]),
                             (p["date"], p["project_id"], p["task_id"], p["hours"]))
        r = self.run_gleaner("push", "--dry-run")
        self.assertExit(r, 0)
        self.assertIn(f"{len(self.accepted)} entries would be sent", r.out)
        self.assertEqual(self.fh.server.requests, [])
        self.assertEqual(self.gleaner_entries(), {})
        for p in self.proposals():
            self.assertEqual(p["status"], "accepted")

        doc = self.push()
        self.assertEqual(doc["created"], len(self.accepted))
        self.assertExactlyOnce()
        # A second push right after a complete one sends nothing.
        self.fh.server.clear_requests()
        doc = self.push()
        self.assertEqual((doc["created"], doc["already_present"], doc["pending"]), (0, 0, 0))
        self.assertEqual(doc["entries"], [])
        self.assertEqual(self.posts(), [])
        self.assertEqual(self.push("--dry-run")["entries"], [])
        self.assertExactlyOnce()

    def lock_path(self):
        return str(self.db_path) + ".push.lock"

    def test_a_second_push_while_one_runs_fails(self):
        with open(self.lock_path(), "a") as held:
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
            r = self.run_gleaner("push")
            self.assertOneLineError(r, 1, "another gleaner push", "running")
            r = self.run_gleaner("--json", "push")
            self.assertOneLineError(r, 1, "another gleaner push")
            if r.out.strip():  # a report, if any, must not say the queue is empty
                doc = r.json()
                self.assertEqual((doc["created"], doc["pending"]), (0, len(self.accepted)), doc)
        self.assertEqual(self.fh.server.requests, [])
        for p in self.proposals():
            self.assertEqual(p["status"], "accepted")
        # Released, the push goes ahead.
        self.push()
        self.assertExactlyOnce()

    def test_two_real_pushes_at_once(self):
        # The first push is held up by a slow create; the second finds it running.
        self.fh.server.fault("slow", seconds=1.0 * SLOW, method="POST", path=ENTRIES)
        first = subprocess.Popen([*WRAPPER, BIN, "--json", "push"], env=self.env, cwd=self.home,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: first.poll() is None and first.kill())
        wait_for(lambda: self.posts(), timeout=20 * SLOW, message="the first push sent nothing")
        r = self.run_gleaner("push")
        running = first.poll() is None
        self.assertTrue(running, "the first push ended before the second was checked")
        self.assertOneLineError(r, 1, "another gleaner push")
        out, err = first.communicate(timeout=60 * SLOW)
        self.assertEqual(first.returncode, 0, err)
        self.assertEqual(len(self.posts()), len(self.accepted))
        self.assertExactlyOnce()


class PushKillTest(PushCase):
    """SIGKILL at random points of a long push; the next push finishes the job."""
    pairs = ALL_PAIRS
    day_list = days("2026-11-02", 16)  # 15 pairs x 16 days, less what the seed tracks
    rounds = 8
    seed = 20261121

    def start_push(self):
        proc = subprocess.Popen([*WRAPPER, BIN, "push"], env=self.env, cwd=self.home,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        return proc

    def kill(self, proc):
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30 * SLOW)
        self.settle()

    def outbox(self, con, status):
        return {k for (k,) in con.execute("SELECT dedupe_key FROM outbox WHERE status = ?",
                                          (status,))}

    def test_killed_pushes_never_duplicate(self):
        self.assertGreaterEqual(len(self.accepted), 200)
        rng = random.Random(self.seed)
        # Where each round's kill lands:
        #   post:   once the fake has received k more creates (while one is served,
        #           answered, or being recorded in the store);
        #   store:  once the store has recorded k more entries as made (between the
        #           commit of one and the request of the next);
        #   held:   while the fake holds the k-th create it has received, not made yet
        #           (it is made after gleaner died);
        #   lookup: right after the lookup of what the last run left uncertain.
        plan = ["post", "store", "store", "held", "held", "lookup", "lookup"]
        rng.shuffle(plan)
        plan = ["post", *plan][:self.rounds]
        con = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=5)
        self.addCleanup(con.close)
        landed = Counter()
        for rnd, mode in enumerate(plan):
            start = len(self.api_requests())
            posts_before = len(self.posts())
            uncertain = self.outbox(con, "sending")  # claimed, outcome never recorded
            done_before = len(self.outbox(con, "done"))
            if mode == "lookup" and not uncertain:
                mode = "store"  # the last kill fell between two entries
            k = rng.randint(1, 25)
            if mode == "held":
                if k > 1:
                    self.fh.server.fault("delay", count=k - 1, seconds=0, method="POST",
                                         path=ENTRIES)
                self.fh.server.fault("delay", seconds=0.3, method="POST", path=ENTRIES)
            proc = self.start_push()
            if mode == "held":
                cond = lambda: (len(self.posts()) - posts_before >= k  # noqa: E731
                                and self.fh.server.inflight > 0)
            elif mode == "post":
                cond = lambda: len(self.posts()) - posts_before >= k  # noqa: E731
            elif mode == "store":
                cond = lambda: len(self.outbox(con, "done")) - done_before >= k  # noqa: E731
            else:
                cond = lambda: any(is_lookup(r)  # noqa: E731
                                   for r in self.api_requests()[start:])
            wait_for(lambda: cond() or proc.poll() is not None, timeout=30 * SLOW, interval=0.002,
                     message=f"round {rnd}: no kill point ({mode} {k})")
            ended = proc.poll()
            self.kill(proc)
            landed[mode] += 1
            self.assertEqual(self.fh.server.pending_faults(), 0)
            if mode == "held":
                # The fake made the held entry after gleaner died, unrecorded by it.
                held = key_of(self.posts()[posts_before + k - 1])
                self.assertIn(held, self.gleaner_entries())
                self.assertIn(held, self.outbox(con, "sending"))
            run = self.api_requests()[start:]
            # Whatever the last run left uncertain is asked for before it is sent again.
            first_for = {}
            for r in run:
                first_for.setdefault(key_of(r), r)
            for key in uncertain & set(first_for):
                self.assertTrue(is_lookup(first_for[key]),
                                f"round {rnd}: {key} was sent again without a lookup")
            dupes = [key for key, v in self.gleaner_entries().items() if len(v) > 1]
            self.assertEqual(dupes, [], f"round {rnd} ({mode} {k}): duplicates")
            self.assertIsNone(ended, f"round {rnd}: push ended before the kill ({mode} {k})")
        self.assertEqual(sum(landed.values()), self.rounds)
        self.assertGreaterEqual(landed["post"], 1)
        self.assertGreaterEqual(landed["store"], 1)
        self.assertEqual(landed["held"], 2)
        # The final push finishes the job.
        r = self.run_gleaner("--json", "push", timeout=120)
        self.assertExit(r, 0)
        doc = r.json()
        self.assertEqual(doc["failed"] + doc["pending"], 0, doc)
        self.assertGreater(len(self.accepted) - doc["created"] - doc["already_present"], 0)
        # Each key was created by exactly one POST across all the runs.
        self.assertOnePostPerKey()
        self.assertExactlyOnce()
        self.assertEqual(self.outbox(con, "sending") | self.outbox(con, "pending"), set())


if __name__ == "__main__":
    main()
