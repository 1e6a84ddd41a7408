#!/usr/bin/env python3
"""run_eval.py - how much of a persona's true time does gleaner propose, and how much of what
it proposes is true?

For each seed: personas.generate() builds a persona, a fake Harvest (tests/fakes) serves its
harvest.json on 127.0.0.1, gleaner runs in a temporary HOME on the persona's config
(`gleaner sync harvest`, then `gleaner --json propose --from FIRST --to LAST` with
GLEANER_TEST_NOW just after the window), and the proposals are scored against truth.json:

  truth_remaining(cell) = max(0, truth(cell) - hours already in Harvest for the cell)
  captured              = sum over cells of min(assigned proposed hours, truth_remaining)
  recall                = captured / sum truth_remaining
  precision             = captured / sum assigned proposed hours

A cell is (date, project_id, task_id).  Unassigned proposals count as not captured and are
reported apart.  The headline uses the truth rounded up to 0.25 h per cell (what a careful
person bills); the exact-minute truth is printed beside it.  The same coding time is also
estimated with git-hours' algorithm, for comparison.

    python3 tests/eval/run_eval.py                    # the held-out set, seeds 101-105
    python3 tests/eval/run_eval.py --seeds 1-20       # the development set
    python3 tests/eval/run_eval.py --seeds 101 --min-recall 0.9 --min-precision 0.9

Exit status: 0, or 1 when gleaner failed or a --min-* bar was missed, 2 on bad usage.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
SOURCE_DIR = Path(os.environ.get("GLEANER_SOURCE_DIR", HERE.parents[1]))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(SOURCE_DIR / "tests" / "fakes"))

import personas  # noqa: E402
from fake_harvest import FakeHarvest, _parse_stamp, _Token  # noqa: E402

DEV_SEEDS = list(range(1, 21))
HELD_OUT_SEEDS = [101, 102, 103, 104, 105]
GIT_HOURS_MAX_GAP = 120        # minutes (git-hours' maxCommitDiffInMinutes)
GIT_HOURS_FIRST_COMMIT = 120   # minutes (git-hours' firstCommitAdditionInMinutes)


class PersonaHarvest(FakeHarvest):
    """The fake Harvest with the persona's account instead of the built-in seed."""

    def __init__(self, data: dict, **kw):
        super().__init__(**kw)
        with self.server.lock:
            s = self.state
            for table in ("users", "clients", "tasks", "projects", "task_assignments",
                          "user_assignments", "time_entries"):
                s[table] = {o["id"]: o for o in data[table]}
            s["company"] = dict(data["company"])
            s["expenses"], s["invoices"] = {}, {}
            s["invoice_messages"], s["invoice_payments"] = {}, {}
            self.me_id = data["users/me"]["id"]
            self._tokens = {self.PAT: _Token(self.me_id, None, None)}
            self._last_stamp = max(_parse_stamp(o["updated_at"]) for t in self._tables() for o in t)
            self._next_ids["time_entries"] = max(s["time_entries"], default=2_400_000_000) + 1000


# -- running gleaner -------------------------------------------------------------------------

def run_persona(seed: int, workdir: Path, gleaner: str) -> dict:
    pdir = workdir / "persona"
    t0 = time.monotonic()
    truth = personas.generate(seed, str(pdir))
    gen_seconds = time.monotonic() - t0
    harvest = json.loads((pdir / "harvest.json").read_text())
    home = workdir / "home"
    cfgdir = home / ".config" / "gleaner"
    cfgdir.mkdir(parents=True)
    now = truth["now"]
    fh = PersonaHarvest(harvest)
    fh.set_now(datetime.strptime(now, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc))
    fh.start()
    try:
        token = cfgdir / "harvest.token"
        token.write_text(fh.PAT + "\n")
        token.chmod(0o600)
        text = (pdir / "config").read_text()
        for k, v in {"@BASE_URL@": fh.api_url, "@ID_URL@": fh.url,
                     "@ACCOUNT_ID@": str(fh.ACCOUNT_ID), "@TOKEN_FILE@": str(token),
                     "@PERSONA_DIR@": str(pdir)}.items():
            text = text.replace(k, v)
        (cfgdir / "config").write_text(text)
        env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
               "LANG": "C.UTF-8", "TZ": "UTC", "GLEANER_TEST_NOW": now}
        for key in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if key in os.environ:
                env[key] = os.environ[key]
        runs = []
        for args in (["sync", "harvest"],
                     ["--json", "propose", "--from", truth["window"]["from"],
                      "--to", truth["window"]["to"]]):
            proc = subprocess.run([gleaner, *args], env=env, capture_output=True, text=True,
                                  timeout=300, cwd=str(home))
            runs.append(proc)
            if proc.returncode != 0:
                raise RuntimeError(f"gleaner {' '.join(args)} exited {proc.returncode}: "
                                   f"{proc.stderr.strip()}")
    finally:
        fh.stop()
    run_seconds = time.monotonic() - t0 - gen_seconds
    doc = json.loads(runs[1].stdout)
    return {"seed": seed, "truth": truth, "harvest": harvest, "proposals": doc["proposals"],
            "persona_dir": pdir, "gen_seconds": gen_seconds, "run_seconds": run_seconds}


# -- git-hours -------------------------------------------------------------------------------

def git_hours(repo: Path, emails: set[str], since: int, until: int) -> float:
    """git-hours' estimate (github.com/kimmobrunfeldt/git-hours) of one repository: the
    user's commits on every branch, once each, by commit date; a pause under 120 min adds
    itself, each session's first commit adds 120 min.  Hours, unrounded."""
    out = subprocess.run(["git", "-C", str(repo), "log", "--all", "--format=%H %ct %ae"],
                         capture_output=True, text=True, check=True,
                         env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                              "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo)}).stdout
    seen, stamps = set(), []
    for line in out.splitlines():
        sha, ts, email = line.split(" ", 2)
        if sha in seen or email.lower() not in emails:
            continue
        seen.add(sha)
        if since <= int(ts) < until:
            stamps.append(int(ts))
    stamps.sort()
    minutes = 0.0
    for i, ts in enumerate(stamps):
        gap = (ts - stamps[i - 1]) / 60 if i else None
        minutes += gap if gap is not None and gap < GIT_HOURS_MAX_GAP else GIT_HOURS_FIRST_COMMIT
    return minutes / 60


# -- scoring ---------------------------------------------------------------------------------

def score(res: dict) -> dict:
    truth, harvest, proposals = res["truth"], res["harvest"], res["proposals"]
    w0, w1 = truth["window"]["from"], truth["window"]["to"]
    me = harvest["users/me"]["id"]
    tracked: dict[tuple, float] = defaultdict(float)
    for e in harvest["time_entries"]:
        if e["user"]["id"] == me and w0 <= e["spent_date"] <= w1:
            tracked[(e["spent_date"], e["project"]["id"], e["task"]["id"])] += e["hours"]
    cells = {(c["date"], c["project_id"], c["task_id"]): c for c in truth["cells"]}
    proposed: dict[tuple, float] = defaultdict(float)
    by_cell: dict[tuple, list[dict]] = defaultdict(list)
    unassigned = 0.0
    for p in proposals:
        if p["project_id"] is None or p["task_id"] is None:
            unassigned += p["hours"]
            by_cell[(p["date"], None, None)].append(p)
            continue
        k = (p["date"], p["project_id"], p["task_id"])
        proposed[k] += p["hours"]
        by_cell[k].append(p)
    out = {"unassigned": unassigned, "proposed": sum(proposed.values()),
           "tracked": sum(tracked.get(k, 0) for k in cells), "cells": {}}
    for variant, field in (("rounded", "rounded_hours"), ("exact", "hours")):
        rem = {k: max(0.0, c[field] - tracked.get(k, 0.0)) for k, c in cells.items()}
        captured = sum(min(proposed.get(k, 0.0), r) for k, r in rem.items())
        total_rem = sum(rem.values())
        out[variant] = {
            "truth": sum(c[field] for c in cells.values()), "remaining": total_rem,
            "captured": captured,
            "recall": captured / total_rem if total_rem else 1.0,
            "precision": captured / out["proposed"] if out["proposed"] else 1.0}
        if variant == "rounded":
            out["rem"] = rem
    out["proposed_by_cell"] = dict(proposed)
    out["by_cell"] = by_cell
    out["tracked_by_cell"] = dict(tracked)
    # Coding time three ways: the truth, gleaner (proposal hours in proportion to the time its
    # commits counted for) and git-hours.
    tz = ZoneInfo(truth["persona"]["timezone"])
    since = int(datetime.combine(date.fromisoformat(w0), datetime.min.time(), tz).timestamp())
    until = int(datetime.combine(date.fromisoformat(w1) + timedelta(days=1),
                                 datetime.min.time(), tz).timestamp())
    emails = {e.lower() for e in truth["persona"]["emails"]}
    out["git_hours"] = sum(git_hours(res["persona_dir"] / "repos" / r, emails, since, until)
                           for r in truth["repos"])
    coding = 0.0
    for p in proposals:
        secs = sum(s.get("seconds", 0) for s in p["sources"])
        csecs = sum(s.get("seconds", 0) for s in p["sources"] if s["kind"] == "commit")
        if secs:
            coding += p["hours"] * csecs / secs
    out["gleaner_coding"] = coding
    out["true_coding"] = truth["coding_minutes"] / 60
    out["attribution"] = attribute(res, out)
    return out


def attribute(res: dict, sc: dict) -> dict:
    """Where gleaner's counted time came from, in hours, source by source."""
    truth, proposals = res["truth"], res["proposals"]
    occ = {o["key"]: o for o in truth["occurrences"]}
    commits = {c["sha"]: c for c in truth["commits"]}
    meeting_cell = {}
    for b in truth["blocks"]:
        if b["kind"] == "meeting":
            meeting_cell[b["key"]] = (b["date"], b["project"], b["task"])
    dev = truth["dev_task_id"]   # tasks are the account's: one id for every project
    agg: dict[str, float] = defaultdict(float)
    examples: dict[str, list[str]] = defaultdict(list)
    seen_meetings, seen_commits = set(), set()

    def note(cat: str, hours: float, text: str) -> None:
        agg[cat] += hours
        if len(examples[cat]) < 4 and text not in examples[cat]:
            examples[cat].append(text)

    for p in proposals:
        cell = (p["date"], p["project_id"], p["task_id"])
        for s in p["sources"]:
            h = s.get("seconds", 0) / 3600
            if s["kind"] == "meeting":
                seen_meetings.add(s["key"])
                o = occ.get(s["key"])
                title = s.get("title") or (o["title"] if o else s["key"])
                if o is None:
                    note("meeting not in the truth catalog", h, f"{p['date']} {title}")
                elif o["verdict"] != "attended":
                    note(f"counted a {o['verdict']} meeting", h, f"{p['date']} {title!r}")
                elif p["project_id"] is None:
                    note("meeting left unassigned", h, f"{p['date']} {title!r}")
                elif meeting_cell.get(s["key"]) and meeting_cell[s["key"]] != cell:
                    note("meeting on the wrong project/task", h,
                         f"{p['date']} {title!r} -> {names(truth, p['project_id'], p['task_id'])}"
                         f" (is {names(truth, *meeting_cell[s['key']][1:])})")
                else:
                    agg["meeting, right cell"] += h
            else:
                seen_commits.add(s["key"])
                c = commits.get(s["key"])
                if c is None:
                    note("commit not in the truth catalog", h, f"{p['date']} {s.get('title')}")
                elif not c["user"]:
                    note("counted a colleague's commit", h, f"{p['date']} {c['email']} {c['message']!r}")
                elif p["project_id"] is None:
                    note("coding left unassigned", h, f"{p['date']} {c['repo']} {c['message']!r}")
                elif (p["project_id"], p["task_id"]) != (c["project_id"], dev):
                    note("coding on the wrong project/task", h,
                         f"{p['date']} {c['repo']} -> {names(truth, p['project_id'], p['task_id'])}")
                else:
                    agg["coding, right cell"] += h
    # What never reached a proposal, unless its cell is already tracked in full (then gleaner
    # rightly proposes nothing for it).
    covered = {k for k, r in sc["rem"].items() if r <= 0}
    for b in truth["blocks"]:
        if b["kind"] == "meeting" and b["key"] not in seen_meetings \
                and (b["date"], b["project"], b["task"]) not in covered:
            note("attended meeting not proposed", (iso_s(b["end"]) - iso_s(b["start"])) / 3600,
                 f"{b['date']} {b['what']!r}")
    session_cell = {b["session"]: (b["date"], b["project"], b["task"])
                    for b in truth["blocks"] if b["kind"] == "coding"}
    for c in truth["commits"]:
        if c["user"] and c["sha"] not in seen_commits \
                and session_cell.get(c["session"]) not in covered:
            note("user's commits not among the sources (count)", 1.0,
                 f"{c['time']} {c['repo']} {c['email']} {c['message']!r}")
    # Timing: the time the user's commits counted for against the true coding, cell by cell
    # of the truth, wherever gleaner put it (cells tracked in full are left out).
    true_coding: dict[tuple, float] = defaultdict(float)
    for b in truth["blocks"]:
        if b["kind"] == "coding":
            true_coding[(b["date"], b["project"], b["task"])] += (iso_s(b["end"]) - iso_s(b["start"])) / 3600
    counted: dict[tuple, float] = defaultdict(float)
    for p in proposals:
        for s in p["sources"]:
            c = commits.get(s["key"]) if s["kind"] == "commit" else None
            if c and c["user"] and c["session"] in session_cell:
                counted[session_cell[c["session"]]] += s.get("seconds", 0) / 3600
    over = sum(max(0, v - true_coding.get(k, 0)) for k, v in counted.items() if k not in covered)
    under = sum(max(0, v - counted.get(k, 0)) for k, v in true_coding.items() if k not in covered)
    agg["coding timing: counted beyond the truth (before rounding)"] = over
    agg["coding timing: true coding not counted (before rounding)"] = under
    return {"hours": dict(agg), "examples": dict(examples)}


def iso_s(text: str) -> int:
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())


def names(truth: dict, pid, tid) -> str:
    if pid is None:
        return "unassigned"
    for p in truth["projects"]:
        if p["id"] == pid:
            task = next((n for n, t in p["tasks"].items() if t == tid), str(tid))
            return f"{p['code']}/{task}"
    return f"{pid}/{tid}"


# -- reporting -------------------------------------------------------------------------------

def error_sources(res: dict, sc: dict, top: int) -> list[str]:
    truth = res["truth"]
    cells = {(c["date"], c["project_id"], c["task_id"]): c for c in truth["cells"]}
    keys = set(cells) | set(sc["proposed_by_cell"])
    rows = []
    for k in keys:
        prop = sc["proposed_by_cell"].get(k, 0.0)
        rem = sc["rem"].get(k, 0.0)
        if abs(prop - rem) >= 0.25 - 1e-9:
            rows.append((prop - rem, k))
    rows.sort(key=lambda r: (-abs(r[0]), r[1][0], str(r[1][1]), str(r[1][2])))
    lines = []
    for diff, k in rows[:top]:
        c = cells.get(k)
        prop = sc["proposed_by_cell"].get(k, 0.0)
        tr = sc["tracked_by_cell"].get(k, 0.0)
        head = (f"  {'over ' if diff > 0 else 'under'} {diff:+6.2f} h  {k[0]} {names(truth, k[1], k[2]):28s}"
                f" truth {c['rounded_hours'] if c else 0:5.2f} (exact {c['hours'] if c else 0:.2f})"
                f" tracked {tr:4.2f} proposed {prop:5.2f}")
        lines.append(head)
        for p in sc["by_cell"].get(k, []):
            kinds = defaultdict(int)
            for s in p["sources"]:
                kinds[s["kind"]] += 1
            lines.append(f"        gleaner: {p['hours']:.2f} h ({', '.join(f'{n} {t}s' for t, n in sorted(kinds.items()))};"
                         f" {p['reason']}) {short(p['notes'], 90)!r}")
        if c:
            for it in c["items"][:6]:
                lines.append(f"        truth:   {short(it, 110)}")
            if len(c["items"]) > 6:
                lines.append(f"        truth:   ... {len(c['items']) - 6} more")
    # Unassigned proposals, largest first.
    un = sorted((p for (d, pid, tid), ps in sc["by_cell"].items() if pid is None for p in ps),
                key=lambda p: (-p["hours"], p["date"]))
    for p in un[:max(2, top // 3)]:
        lines.append(f"  unassigned {p['hours']:5.2f} h  {p['date']}  {p['reason']}: {short(p['notes'], 80)!r}")
    return lines


def short(text: str | None, n: int) -> str:
    text = text or ""
    return text if len(text) <= n else text[:n - 1] + "…"


def fmt_group(label: str, rows: list[tuple[dict, dict]]) -> dict:
    tot = defaultdict(float)
    for res, sc in rows:
        for v in ("rounded", "exact"):
            tot[v + "_captured"] += sc[v]["captured"]
            tot[v + "_remaining"] += sc[v]["remaining"]
        tot["proposed"] += sc["proposed"]
        tot["unassigned"] += sc["unassigned"]
        tot["git_hours"] += sc["git_hours"]
        tot["true_coding"] += sc["true_coding"]
        tot["gleaner_coding"] += sc["gleaner_coding"]
    r = {v: (tot[v + "_captured"] / tot[v + "_remaining"] if tot[v + "_remaining"] else 1.0,
             tot[v + "_captured"] / tot["proposed"] if tot["proposed"] else 1.0)
         for v in ("rounded", "exact")}
    print(f"{label:10s} recall {r['rounded'][0]:.3f} precision {r['rounded'][1]:.3f}"
          f"   (exact minutes: recall {r['exact'][0]:.3f} precision {r['exact'][1]:.3f});"
          f" unassigned {tot['unassigned']:.2f} h of {tot['proposed'] + tot['unassigned']:.2f} h proposed;"
          f" coding: true {tot['true_coding']:.1f} h, gleaner {tot['gleaner_coding']:.1f} h,"
          f" git-hours {tot['git_hours']:.1f} h")
    return {"recall": r["rounded"][0], "precision": r["rounded"][1],
            "recall_exact": r["exact"][0], "precision_exact": r["exact"][1], **tot}


def parse_seeds(text: str) -> list[int]:
    """ "1-3,7" -> [1, 2, 3, 7]; ValueError on anything else."""
    seeds = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        lo, sep, hi = part.partition("-")
        first, last = int(lo), int(hi) if sep else int(lo)
        if last < first:
            raise ValueError(part)
        seeds += range(first, last + 1)
    return seeds


def sitting_timing(res: dict, sc: dict) -> dict[str, float]:
    """The coding time each of the user's commits counted for against the truth's, by where
    the commit sits in its true sitting: the first (gleaner's lead-in; or a pause before it
    counted when gleaner joined this sitting to the one before), one in the middle (a slow
    stretch gleaner split), the last (the minutes after it). Hours over and under; cells
    already tracked in full left out."""
    truth = res["truth"]
    covered = {k for k, r in sc["rem"].items() if r <= 0}
    spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    cell_of: dict[int, tuple] = {}
    for b in truth["blocks"]:
        if b["kind"] == "coding":
            spans[b["session"]].append((iso_s(b["start"]), iso_s(b["end"])))
            cell_of[b["session"]] = (b["date"], b["project"], b["task"])
    counted: dict[str, float] = defaultdict(float)
    for p in res["proposals"]:
        for src in p["sources"]:
            if src["kind"] == "commit":
                counted[src["key"]] += src.get("seconds", 0)
    mine = sorted((c for c in truth["commits"] if c["user"] and c["session"] is not None),
                  key=lambda c: iso_s(c["time"]))
    position = {c["sha"]: j for j, c in enumerate(mine)}
    by_session: dict[int, list[dict]] = defaultdict(list)
    for c in mine:
        by_session[c["session"]].append(c)
    out: dict[str, float] = defaultdict(float)
    for sid, commits in by_session.items():
        if cell_of.get(sid) in covered or not spans.get(sid):
            continue
        blocks = sorted(spans[sid])

        def coding(a: int, b: int) -> int:
            return sum(max(0, min(b, y) - max(a, x)) for x, y in blocks)

        prev = blocks[0][0]
        for i, c in enumerate(commits):
            t = iso_s(c["time"])
            true = coding(prev, t) + (coding(t, blocks[-1][1]) if i == len(commits) - 1 else 0)
            diff = (counted.get(c["sha"], 0) - true) / 3600
            prev = t
            if i == 0:
                where = "before a sitting's first commit"
                j = position[c["sha"]]
                if diff > 0 and j > 0 and mine[j - 1]["session"] != sid and \
                        iso_s(mine[j - 1]["time"]) >= t - counted.get(c["sha"], 0) - 60:
                    where = "a pause before a sitting, counted (joined to the one before)"
            elif i == len(commits) - 1:
                where = "around a sitting's last commit"
            else:
                where = "between commits inside a sitting"
            out[f"{where}: {'over' if diff > 0 else 'under'}"] += abs(diff)
    return dict(out)


def print_sources(hours: dict[str, float], examples: dict[str, list[str]] | None = None) -> None:
    for cat, h in sorted(hours.items(), key=lambda kv: -kv[1]):
        ex = (examples or {}).get(cat, [])
        print(f"    {h:7.2f} h  {cat}" + (f": {'; '.join(short(e, 70) for e in ex[:3])}"
                                          if ex and "right cell" not in cat else ""))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default=",".join(map(str, HELD_OUT_SEEDS)),
                    help="persona seeds, comma-separated, ranges allowed (default: the "
                         "held-out set 101-105; the development set is 1-20)")
    ap.add_argument("--keep", metavar="DIR", help="keep each persona and gleaner's HOME in DIR/seed-N")
    ap.add_argument("--gleaner", default=os.environ.get("GLEANER_BIN", str(SOURCE_DIR / "build" / "gleaner")),
                    help="the gleaner binary (default: $GLEANER_BIN or build/gleaner)")
    ap.add_argument("--min-recall", type=float, default=None)
    ap.add_argument("--min-precision", type=float, default=None)
    ap.add_argument("--top", type=int, default=8, help="error sources listed per persona (default 8)")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    ap.add_argument("-q", "--quiet", action="store_true", help="no per-persona error sources")
    args = ap.parse_args(argv)
    try:
        seeds = parse_seeds(args.seeds)
    except ValueError:
        ap.error("--seeds takes integers and ranges separated by commas (1-20,101)")
    if not seeds:
        ap.error("no seeds")
    if not os.access(args.gleaner, os.X_OK):
        print(f"run_eval: no gleaner binary at {args.gleaner} (build it, or pass --gleaner)",
              file=sys.stderr)
        return 2
    if not shutil.which("git"):
        print("run_eval: git is not installed", file=sys.stderr)
        return 2
    keep = Path(args.keep).resolve() if args.keep else None
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
    results, failed = [], []
    header = (f"{'seed':>5} {'persona':22s} {'zone':17s} {'truth':>6} {'track':>5} {'prop':>6} {'unas':>5}"
              f" {'recall':>6} {'prec':>6} {'r.exact':>7} {'p.exact':>7} {'coding':>6} {'gleaner':>7}"
              f" {'git-h':>6} {'secs':>5}")
    table = []
    for seed in seeds:
        if keep:
            wd = keep / f"seed-{seed}"
            if wd.exists():
                shutil.rmtree(wd)
            wd.mkdir()
        else:
            wd = Path(tempfile.mkdtemp(prefix=f"gleaner-eval-{seed}-"))
        try:
            res = run_persona(seed, wd, args.gleaner)
            sc = score(res)
        except (RuntimeError, subprocess.SubprocessError, json.JSONDecodeError) as exc:
            print(f"seed {seed}: {exc}", file=sys.stderr)
            failed.append(seed)
            if not keep:
                shutil.rmtree(wd, ignore_errors=True)
            continue
        results.append((res, sc))
        t = res["truth"]
        line = (f"{seed:>5} {short(t['persona']['name'], 22):22s} {t['persona']['timezone']:17s}"
                f" {sc['rounded']['truth']:6.2f} {sc['tracked']:5.2f} {sc['proposed']:6.2f}"
                f" {sc['unassigned']:5.2f} {sc['rounded']['recall']:6.3f} {sc['rounded']['precision']:6.3f}"
                f" {sc['exact']['recall']:7.3f} {sc['exact']['precision']:7.3f}"
                f" {sc['true_coding']:6.1f} {sc['gleaner_coding']:7.1f} {sc['git_hours']:6.1f}"
                f" {res['gen_seconds'] + res['run_seconds']:5.1f}")
        table.append(line)
        if not args.quiet:
            print(f"== seed {seed}: {t['persona']['name']}, {t['persona']['timezone']}, "
                  f"{t['window']['from']}..{t['window']['to']}, {len(t['projects'])} projects, "
                  f"{t['persona']['identity_mode']} identities, vacation {', '.join(t['persona']['vacation'])}"
                  f"{' (meetings auto-declined)' if t['persona']['vacation_auto_declined'] else ''},"
                  f" far call at {', '.join(t['persona']['far_call_local_times'])}")
            print(header)
            print(line)
            att = sc["attribution"]
            print("  where the counted hours came from (before rounding):")
            print_sources(att["hours"], att["examples"])
            print("  largest cell errors (against the rounded truth):")
            for l in error_sources(res, sc, args.top):
                print(l)
            print()
        if not keep:
            shutil.rmtree(wd, ignore_errors=True)
    print(header)
    for line in table:
        print(line)
    print("(hours; truth rounded up to 0.25 h per cell; track = already in Harvest; unas = "
          "unassigned; coding = true coding hours, gleaner = its proposed coding hours, "
          "git-h = git-hours' estimate)")
    if len(results) > 1:
        total: dict[str, float] = defaultdict(float)
        timing: dict[str, float] = defaultdict(float)
        for res, sc in results:
            for cat, h in sc["attribution"]["hours"].items():
                total[cat] += h
            for cat, h in sitting_timing(res, sc).items():
                timing[cat] += h
        print(f"where the counted hours came from, over the {len(results)} personas "
              f"(before rounding):")
        print_sources(total)
        print("the user's coding, commit by commit, by where the commit sits in its sitting:")
        print_sources(timing)
    groups = {}
    dev = [(r, s) for r, s in results if r["seed"] in DEV_SEEDS]
    held = [(r, s) for r, s in results if r["seed"] in HELD_OUT_SEEDS]
    other = [(r, s) for r, s in results if r["seed"] not in DEV_SEEDS + HELD_OUT_SEEDS]
    if dev:
        groups["development"] = fmt_group("dev", dev)
    if other:
        groups["other"] = fmt_group("other", other)
    if held:
        groups["held-out"] = fmt_group("held-out", held)
    final = groups.get("held-out") or (fmt_group("all", results) if results else None)
    if args.json:
        Path(args.json).write_text(json.dumps({
            "groups": groups, "failed": failed,
            "personas": [{"seed": r["seed"], "name": r["truth"]["persona"]["name"],
                          "recall": s["rounded"]["recall"], "precision": s["rounded"]["precision"],
                          "recall_exact": s["exact"]["recall"], "precision_exact": s["exact"]["precision"],
                          "unassigned": s["unassigned"], "proposed": s["proposed"],
                          "truth": s["rounded"]["truth"], "tracked": s["tracked"],
                          "true_coding": s["true_coding"], "gleaner_coding": s["gleaner_coding"],
                          "git_hours": s["git_hours"], "attribution": s["attribution"]["hours"],
                          "seconds": r["gen_seconds"] + r["run_seconds"]} for r, s in results]},
            indent=1))
    if final is None:
        print("recall 0.000 precision 0.000")
        return 1
    print(f"recall {final['recall']:.3f} precision {final['precision']:.3f}")
    code = 0
    if failed:
        print(f"run_eval: gleaner failed on seed(s) {', '.join(map(str, failed))}", file=sys.stderr)
        code = 1
    if args.min_recall is not None and final["recall"] < args.min_recall:
        print(f"run_eval: recall {final['recall']:.3f} is below {args.min_recall}", file=sys.stderr)
        code = 1
    if args.min_precision is not None and final["precision"] < args.min_precision:
        print(f"run_eval: precision {final['precision']:.3f} is below {args.min_precision}",
              file=sys.stderr)
        code = 1
    return code


if __name__ == "__main__":
    sys.exit(main())
