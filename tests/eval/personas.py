#!/usr/bin/env python3
"""personas.py - realistic consultant personas with a ground-truth timesheet.

generate(seed, outdir) builds one persona, deterministically from random.Random(seed):

  calendar.ics   recurring series (RRULE with BYDAY and COUNT or UNTIL, EXDATEs, moved and
                 declined or cancelled RECURRENCE-ID overrides), one-offs, a weekly call organised
                 from another continent's time zone across the EU/US DST gap, and the traps that
                 are not work: declined, cancelled, free (TRANSP:TRANSPARENT), all-day events, a
                 vacation day, personal appointments
  repos/NAME/    real Git repositories (git fast-import, then a checkout): the user's commits
                 inside simulated working sessions under two identities, feature branches with
                 Jira keys, merges, a rebased branch or a cherry-pick, colleagues and a bot
  harvest.json   a Harvest account in API v2 shapes: users (me with weekly_capacity), clients,
                 projects, tasks, task and user assignments, and time entries: the user's history
                 before the window (written from the simulated days, with a person's notes and
                 omissions), a few entries in the window already tracked by hand, colleagues'
  config         the gleaner config, git-config syntax, with placeholders @BASE_URL@, @ID_URL@,
                 @ACCOUNT_ID@, @TOKEN_FILE@ and @PERSONA_DIR@ for the runner to fill in
  truth.json     the truth timesheet: per (date, project_id, task_id) the true minutes, the same
                 rounded up to 0.25 h, what Harvest already holds; the blocks of each day, every
                 calendar occurrence of the window with its verdict, and every commit

The truth comes from a simulated day: the person works in contiguous blocks, meetings and
coding sessions, never two things at once.  A coding session starts some minutes before its
first commit and ends just after its last one; a meeting during a session interrupts it.  What
the calendar says and what happened differ where they do for people: meetings end early or run
over, recurring meetings stay on the calendar on a vacation day, focus-time blocks are free.

Only the Python standard library and the git command line.  Run as a script:
    python3 personas.py SEED OUTDIR
"""
from __future__ import annotations

import json
import math
import os
import random
import re
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

UTC = timezone.utc
ICAL_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

# -- time zones ------------------------------------------------------------------------------

# (standard name, daylight name, standard offset in minutes, Harvest's name) - VTIMEZONE rules
# are written from these; the truth is computed with zoneinfo, independently.
EU_ZONES = {
    "Europe/Berlin": ("CET", "CEST", 60, "Berlin"),
    "Europe/Amsterdam": ("CET", "CEST", 60, "Amsterdam"),
    "Europe/Vienna": ("CET", "CEST", 60, "Vienna"),
    "Europe/Warsaw": ("CET", "CEST", 60, "Warsaw"),
    "Europe/Madrid": ("CET", "CEST", 60, "Madrid"),
    "Europe/London": ("GMT", "BST", 0, "London"),
    "Europe/Lisbon": ("WET", "WEST", 0, "Lisbon"),
    "Europe/Helsinki": ("EET", "EEST", 120, "Helsinki"),
}
US_ZONES = {
    "America/New_York": ("EST", "EDT", -300, "Eastern Time (US & Canada)"),
    "America/Toronto": ("EST", "EDT", -300, "Eastern Time (US & Canada)"),
    "America/Chicago": ("CST", "CDT", -360, "Central Time (US & Canada)"),
    "America/Denver": ("MST", "MDT", -420, "Mountain Time (US & Canada)"),
}
ZONES = {**EU_ZONES, **US_ZONES}


def _fmt_offset(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}{minutes % 60:02d}"


def vtimezone(tzid: str) -> list[str]:
    std_name, dst_name, std, _ = ZONES[tzid]
    dst = std + 60
    if tzid in EU_ZONES:
        # The EU changes at 01:00 UTC on the last Sundays of March and October.
        start = f"19700329T{(60 + std) // 60:02d}0000"
        end = f"19701025T{(60 + dst) // 60:02d}0000"
        rs, re_ = "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"
    else:
        start, end = "20070311T020000", "20071104T020000"
        rs, re_ = "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU"
    return ["BEGIN:VTIMEZONE", f"TZID:{tzid}", f"X-LIC-LOCATION:{tzid}",
            "BEGIN:DAYLIGHT", f"TZOFFSETFROM:{_fmt_offset(std)}", f"TZOFFSETTO:{_fmt_offset(dst)}",
            f"TZNAME:{dst_name}", f"DTSTART:{start}", f"RRULE:{rs}", "END:DAYLIGHT",
            "BEGIN:STANDARD", f"TZOFFSETFROM:{_fmt_offset(dst)}", f"TZOFFSETTO:{_fmt_offset(std)}",
            f"TZNAME:{std_name}", f"DTSTART:{end}", f"RRULE:{re_}", "END:STANDARD",
            "END:VTIMEZONE"]


def at(day: date, minutes: int, tzid: str | None) -> int:
    """Epoch seconds of wall time `minutes` after midnight of `day` in `tzid` (None: UTC)."""
    tz = ZoneInfo(tzid) if tzid else UTC
    dt = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=tz)
    return int(dt.timestamp())


def local_date(ts: int, tzid: str) -> date:
    return datetime.fromtimestamp(ts, ZoneInfo(tzid)).date()


def local_minutes(ts: int, tzid: str) -> int:
    d = datetime.fromtimestamp(ts, ZoneInfo(tzid))
    return d.hour * 60 + d.minute


def iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ical_utc(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y%m%dT%H%M%SZ")


def git_offset(ts: int, tzid: str) -> str:
    off = datetime.fromtimestamp(ts, ZoneInfo(tzid)).utcoffset()
    return _fmt_offset(int(off.total_seconds() // 60))


def daterange(first: date, last: date):
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)


# -- pools -----------------------------------------------------------------------------------

PEOPLE = [("Ada", "Lovelace"), ("Maya", "Okafor"), ("Jonas", "Weber"), ("Priya", "Raman"),
          ("Lucas", "Moreau"), ("Sofia", "Lindqvist"), ("Tomasz", "Nowak"), ("Elena", "Rossi"),
          ("Daniel", "Kim"), ("Hannah", "Fischer"), ("Marta", "Silva"), ("Noah", "Bennett"),
          ("Aisha", "Haddad"), ("Felix", "Brandt"), ("Ines", "Carvalho"), ("Oskar", "Virtanen"),
          ("Rachel", "Cohen"), ("Mateo", "Garcia"), ("Lena", "Hoffmann"), ("Samuel", "Osei")]
OTHER_PEOPLE = [("Bob", "Martin"), ("Carla", "Mendes"), ("Dev", "Patel"), ("Erik", "Larsen"),
                ("Fatima", "Zahra"), ("Greta", "Sommer"), ("Hugo", "Lambert"), ("Ivy", "Chen"),
                ("Jamal", "Wright"), ("Kate", "Murphy"), ("Liam", "O'Brien"), ("Mina", "Sato"),
                ("Nils", "Berg"), ("Olga", "Petrova"), ("Pablo", "Ruiz"), ("Quinn", "Taylor"),
                ("Rosa", "Klein"), ("Stefan", "Wolf"), ("Tara", "Singh"), ("Uma", "Iyer"),
                ("Victor", "Hugo"), ("Wendy", "Park"), ("Xavier", "Dubois"), ("Yara", "Nasser"),
                ("Zoe", "Adams"), ("Hank", "Scorpio"), ("Peter", "Gibbons"), ("Milton", "Waddams")]
FIRMS = [("Northwind Digital", "northwind.dev"), ("Bright Lane", "brightlane.io"),
         ("Kestrel Labs", "kestrel-labs.com"), ("Fernhill Consulting", "fernhill.co"),
         ("Quarry & Co", "quarry.works"), ("Tidewater Software", "tidewater.software")]
MAIL_PROVIDERS = ["gmail.com", "posteo.de", "fastmail.com", "proton.me", "hey.com"]

# (name, short, domain, continent) - `short` names repos and Jira keys
CLIENTS = [
    ("Globex Corporation", "globex", "globex.com", "GLX", "eu"),
    ("Initech GmbH", "initech", "initech.de", "INI", "eu"),
    ("Umbrella Labs", "umbrella", "umbrella-labs.com", "UMB", "eu"),
    ("Hooli Inc.", "hooli", "hooli.com", "HOO", "us"),
    ("Stark Industries", "stark", "stark.com", "STK", "us"),
    ("Wayne Enterprises", "wayne", "wayne-ent.com", "WAY", "us"),
    ("Soylent Foods Ltd", "soylent", "soylent.co.uk", "SOY", "eu"),
    ("Tyrell Systems", "tyrell", "tyrell.io", "TYR", "eu"),
    ("Cyberdyne Robotics", "cyberdyne", "cyberdyne.ai", "CYB", "us"),
    ("Vandelay Industries", "vandelay", "vandelay.com", "VAN", "us"),
    ("Wonka Confectionery AG", "wonka", "wonka.ch", "WNK", "eu"),
    ("Oceanic Airlines", "oceanic", "oceanic-air.com", "OCE", "us"),
    ("Massive Dynamic", "massive", "massivedynamic.com", "MDY", "us"),
    ("Aperture Science", "aperture", "aperture.dev", "APS", "eu"),
]

# Project kinds: name, repo suffixes, ticket topics (slug, phrase), extra tasks used by meetings
KINDS = {
    "web": ("Website Relaunch", ["web", "cms", "design-system"], [
        ("login-redirect", "login redirect"), ("cookie-banner", "cookie banner"),
        ("checkout-form", "checkout form validation"), ("product-grid", "product grid"),
        ("i18n", "translations"), ("sitemap", "sitemap"), ("lazy-images", "lazy image loading"),
        ("header-nav", "header navigation"), ("search-page", "search results page"),
        ("newsletter", "newsletter signup"), ("a11y", "accessibility fixes"),
        ("cms-preview", "CMS preview"), ("store-locator", "store locator")]),
    "data": ("Data Platform", ["etl", "warehouse", "dashboards"], [
        ("csv-import", "CSV import encoding"), ("dedup", "deduplication step"),
        ("partitioning", "daily partitioning"), ("orders-model", "orders model"),
        ("dag-retries", "DAG retries"), ("schema-migration", "schema migration"),
        ("late-events", "late-arriving events"), ("revenue-dashboard", "revenue dashboard"),
        ("backfill", "backfill job"), ("data-quality", "data quality checks"),
        ("cdc", "change data capture"), ("cost-report", "warehouse cost report")]),
    "mobile": ("Mobile App", ["app", "api"], [
        ("push-notifications", "push notifications"), ("offline-sync", "offline sync"),
        ("onboarding", "onboarding screens"), ("deep-links", "deep links"),
        ("dark-mode", "dark mode"), ("crash-reporting", "crash reporting"),
        ("token-refresh", "token refresh"), ("profile-api", "profile endpoint"),
        ("image-upload", "image upload"), ("rate-limit", "API rate limiting"),
        ("app-review", "app store review fixes")]),
    "payments": ("Payments Integration", ["payments", "checkout"], [
        ("stripe-webhooks", "Stripe webhooks"), ("refunds", "refund flow"),
        ("3ds", "3-D Secure challenge"), ("invoices-pdf", "invoice PDFs"),
        ("vat", "VAT calculation"), ("idempotency", "idempotency keys"),
        ("payouts", "payout reconciliation"), ("sepa", "SEPA direct debit"),
        ("fraud-rules", "fraud rules"), ("currency", "multi-currency prices")]),
    "support": ("Support Retainer", ["legacy", "ops"], [
        ("php-upgrade", "PHP 8 upgrade"), ("cron-cleanup", "cron cleanup"),
        ("ssl-renewal", "certificate renewal"), ("slow-queries", "slow queries"),
        ("backup-restore", "backup restore test"), ("mail-bounces", "mail bounces"),
        ("session-timeout", "session timeout"), ("log-rotation", "log rotation"),
        ("monitoring", "uptime monitoring"), ("disk-alerts", "disk space alerts")]),
    "cloud": ("Cloud Migration", ["infra", "deploy"], [
        ("terraform-vpc", "VPC module"), ("k8s-ingress", "ingress controller"),
        ("ci-pipeline", "CI pipeline"), ("secrets", "secrets in Vault"),
        ("rds-migration", "database migration to RDS"), ("autoscaling", "autoscaling"),
        ("observability", "dashboards and alerts"), ("cost-tags", "cost allocation tags"),
        ("blue-green", "blue-green deploys"), ("iam-roles", "IAM roles")]),
    "ml": ("Recommendation Engine", ["recsys", "features"], [
        ("feature-store", "feature store"), ("embeddings", "item embeddings"),
        ("ab-test", "A/B test wiring"), ("ranking", "ranking model"),
        ("cold-start", "cold start fallback"), ("eval-metrics", "offline evaluation"),
        ("batch-scoring", "batch scoring job"), ("drift", "drift monitoring"),
        ("serving-cache", "serving cache")]),
}
INTERNAL_TOPICS = [("website", "company website"), ("blog", "blog post draft"),
                   ("invoicing-script", "invoicing script"), ("templates", "proposal templates"),
                   ("handbook", "handbook pages"), ("ci", "shared CI config")]

VERBS = ["Fix", "Add", "Refactor", "Update", "Handle", "Improve", "Clean up", "Implement",
         "Rework", "Simplify", "Support", "Extract"]
GENERIC = ["Address review comments", "Fix typo", "Update snapshots", "Lint", "WIP",
           "Bump version", "Fix flaky test", "Remove dead code", "Tidy imports",
           "Update README", "Fix CI", "Rename variables"]

TASK_STYLES = [  # (development, meetings) - what the account calls them
    ("Development", "Meetings"), ("Programming", "Meetings"), ("Development", "Meeting"),
    ("Engineering", "Client Meetings"), ("Software Development", "Calls & Meetings")]
EXTRA_TASKS = ["Design", "Project Management", "Research", "Testing", "Admin", "Code Review"]


# -- model -----------------------------------------------------------------------------------

@dataclass
class Person:
    name: str
    email: str
    tzid: str
    hours: tuple[int, int] = (9 * 60, 17 * 60)

    @property
    def first(self) -> str:
        return self.name.split()[0]


@dataclass
class Project:
    id: int
    code: str
    name: str
    client: dict
    kind: str
    jira: str
    repos: list[str]
    topics: list[tuple[str, str]]
    tasks: dict[str, int]            # role -> task id ("dev", "meet", "design", "pm", ...)
    weight: float
    internal: bool = False
    next_ticket: int = 100
    people: list[Person] = field(default_factory=list)      # client-side people
    devs: list[Person] = field(default_factory=list)        # who commits besides the user


@dataclass
class Override:
    orig: datetime                   # naive wall time in the series zone (RECURRENCE-ID)
    start: datetime | None = None    # moved to (naive, series zone)
    minutes: int | None = None
    title: str | None = None
    status: str | None = None        # CANCELLED
    partstat: str | None = None      # the user's, e.g. DECLINED


@dataclass
class Event:
    uid: str
    title: str
    tzid: str | None                 # None: UTC times ("Z")
    start: datetime | None           # naive wall time in tzid (all-day: None)
    minutes: int
    kind: str                        # work | declined | cancelled | free | allday | vacation | personal
    project: Project | None = None
    task: str | None = None          # task role
    note: str | None = None          # how the person refers to it in Harvest
    rrule: dict | None = None        # {freq, byday, interval, count, until (date)}
    exdates: list[datetime] = field(default_factory=list)
    overrides: list[Override] = field(default_factory=list)
    organizer: str | None = None
    organizer_name: str | None = None
    attendees: list[tuple[str, str, str]] = field(default_factory=list)  # (email, name, partstat)
    status: str = "CONFIRMED"
    transp: str = "OPAQUE"
    all_day: date | None = None      # first day of an all-day event
    all_day_days: int = 1
    my_partstat: str | None = "ACCEPTED"
    location: str = ""
    far: bool = False                # organised on the other continent


@dataclass
class Occurrence:
    event: Event
    key: str
    orig: int
    start: int
    end: int
    title: str
    status: str
    partstat: str | None
    verdict: str = ""               # attended | declined | cancelled | free | all-day | ...


@dataclass
class Commit:
    repo: str
    branch: str
    time: int
    email: str
    name: str
    tzid: str
    message: str
    committer_time: int | None = None
    merge_of: str | None = None       # a branch merged into `branch`
    user: bool = False
    session: int | None = None
    project: int | None = None
    seq: int = 0
    mark: int = 0
    sha: str = ""
    path: str = ""


class Gen:
    """One persona under construction."""

    def __init__(self, seed: int):
        self.seed = seed
        self.rng = random.Random(seed)
        self.events: list[Event] = []
        self.commits: list[Commit] = []
        self.blocks: list[dict] = []
        self.sessions: list[dict] = []
        self.uid_n = 0
        self.seq = 0

    # -- small helpers --------------------------------------------------------------------

    def pick(self, seq):
        return seq[self.rng.randrange(len(seq))]

    def uid(self) -> str:
        self.uid_n += 1
        r = self.rng
        if r.random() < 0.75:   # Google style
            s = "".join(r.choice("abcdefghijklmnopqrstuv0123456789") for _ in range(26))
            return f"{s}@google.com"
        s = "".join(r.choice("0123456789ABCDEF") for _ in range(48))
        return f"040000008200E00074C5B7101A82E008{s}"

    def meet_url(self) -> str:
        r = self.rng
        if r.random() < 0.6:
            a = "".join(r.choice("abcdefghijkmnopqrstuvwxyz") for _ in range(10))
            return f"https://meet.google.com/{a[:3]}-{a[3:7]}-{a[7:]}"
        return f"https://zoom.us/j/{r.randint(10**9, 10**10 - 1)}"

    # -- the persona ------------------------------------------------------------------------

    def build_persona(self) -> None:
        r = self.rng
        first, last = self.pick(PEOPLE)
        self.firm, self.firm_domain = self.pick(FIRMS)
        if r.random() < 0.3:   # a freelancer with their own domain
            self.firm = f"{last} Consulting"
            self.firm_domain = f"{last.lower()}.consulting"
        self.tzid = self.pick(list(EU_ZONES) if r.random() < 0.7 else list(US_ZONES))
        self.work_email = f"{first.lower()}@{self.firm_domain}"
        self.personal_email = self.pick([f"{first.lower()}.{last.lower()}",
                                         f"{first.lower()}{last.lower()[0]}",
                                         f"{first[0].lower()}{last.lower()}"]) \
            + "@" + self.pick(MAIL_PROVIDERS)
        self.me = Person(f"{first} {last}", self.work_email, self.tzid)
        self.identity_mode = "mailmap" if r.random() < 0.35 else "config"
        start = self.pick([8 * 60, 8 * 60 + 30, 9 * 60, 9 * 60, 9 * 60 + 30, 10 * 60])
        length = self.pick([8 * 60, 8 * 60 + 30, 8 * 60 + 30, 9 * 60])
        self.work_hours = (start, start + length)
        self.workdays = [0, 1, 2, 3, 4] if r.random() < 0.85 else [0, 1, 2, 3]
        self.weekly_capacity = 40 * 3600 if len(self.workdays) == 5 else 32 * 3600
        if len(self.workdays) == 5 and r.random() < 0.2:
            self.weekly_capacity = 36 * 3600
        first_day, days = self.pick([(date(2026, 10, 19), 14), (date(2026, 10, 19), 21),
                                     (date(2026, 10, 12), 21), (date(2026, 10, 26), 14)])
        self.window = (first_day, first_day + timedelta(days=days - 1))
        self.history_weeks = r.randint(6, 10)
        self.history_start = first_day - timedelta(weeks=self.history_weeks)
        self.evening_rate = r.uniform(0.08, 0.3)
        self.weekend_rate = r.uniform(0.15, 0.5)
        self.note_style = self.pick(["repo", "repo", "repo", "jira", "prose"])
        self.jira_in_commits = r.uniform(0.15, 0.6)
        self.round_habit = 0.25 if r.random() < 0.8 else 0.5
        self.forget_rate = r.uniform(0.02, 0.1)
        # Harvest ids
        self.ids = {"me": r.randint(1_700_000, 4_999_999), "user": r.randint(1_700_000, 4_999_999), "client": r.randint(5_000_000, 5_900_000),
                    "task": r.randint(8_000_000, 8_900_000), "project": r.randint(14_000_000, 14_900_000),
                    "ta": r.randint(150_000_000, 159_000_000), "ua": r.randint(120_000_000, 129_000_000),
                    "entry": r.randint(2_400_000_000, 2_499_000_000)}

    def next_id(self, kind: str) -> int:
        self.ids[kind] += self.rng.randint(1, 97)
        return self.ids[kind]

    def build_projects(self) -> None:
        r = self.rng
        dev_name, meet_name = self.pick(TASK_STYLES)
        self.task_names = {"dev": dev_name, "meet": meet_name, "design": "Design",
                           "pm": "Project Management", "research": "Research",
                           "testing": "Testing", "admin": "Admin", "review": "Code Review"}
        self.tasks = {role: self.next_id("task") for role in self.task_names}
        n = r.randint(3, 6)
        has_internal = r.random() < 0.65
        n_client = n - 1 if has_internal else n
        user_us = self.tzid in US_ZONES
        # One client sits on the other continent: its weekly call crosses the DST gap.
        far = [c for c in CLIENTS if c[4] == ("eu" if user_us else "us")]
        near = [c for c in CLIENTS if c[4] == ("us" if user_us else "eu")]
        chosen = [self.pick(far)]
        self.far_client = chosen[0][1]
        pool = [c for c in CLIENTS if c not in chosen]
        r.shuffle(pool)
        pool.sort(key=lambda c: 0 if c in near else 1)   # mostly near clients
        chosen += pool[:max(0, n_client - 1)]
        r.shuffle(chosen)
        # Sometimes a second project at one client (same domain, different repos).
        if n_client >= 3 and r.random() < 0.4:
            i = self.pick([j for j, c in enumerate(chosen) if c[1] != self.far_client])
            chosen[i] = self.pick([c for c in chosen if c is not chosen[i]])
        kinds = list(KINDS)
        r.shuffle(kinds)
        self.clients: dict[str, dict] = {}
        self.projects: list[Project] = []
        used_repo = set()
        for i, c in enumerate(chosen):
            name, short, domain, key, continent = c
            if short not in self.clients:
                ctz = self.pick(list(US_ZONES)) if continent == "us" else \
                    ("Europe/London" if domain.endswith(".uk") else self.pick(
                        ["Europe/Berlin", "Europe/Amsterdam", "Europe/Vienna", "Europe/Madrid"]))
                people = []
                for _ in range(r.randint(3, 5)):
                    f, l = self.pick(OTHER_PEOPLE)
                    people.append(Person(f"{f} {l}", f"{f.lower()}.{l.lower().replace(chr(39), '')}@{domain}", ctz,
                                         (self.pick([8, 9, 9, 10]) * 60, 17 * 60 + self.pick([0, 30, 60]))))
                if r.random() < 0.4:   # a namesake at the client
                    sur = self.pick(["Schmidt", "Jones", "Meyer", "Brown"])
                    people.append(Person(f"{self.me.first} {sur}",
                                         f"{self.me.first.lower()}.{sur.lower()}@{domain}",
                                         ctz, (9 * 60, 17 * 60)))
                self.clients[short] = {"id": self.next_id("client"), "name": name,
                                       "short": short, "domain": domain, "tz": ctz,
                                       "people": people, "continent": continent,
                                       "currency": "USD" if continent == "us" else
                                       ("GBP" if domain.endswith(".uk") else
                                        ("CHF" if domain.endswith(".ch") else "EUR"))}
            client = self.clients[short]
            kind = kinds[i % len(kinds)]
            pname, suffixes, topics = KINDS[kind]
            nrepo = r.randint(1, min(3, len(suffixes)))
            repos = []
            for s in suffixes[:nrepo]:
                rn = f"{short}-{s}"
                if rn in used_repo:
                    continue
                used_repo.add(rn)
                repos.append(rn)
            jira = key if not any(p.jira == key for p in self.projects) else key[:2] + kind[0].upper()
            roles = ["dev", "meet"] + r.sample(["design", "pm", "research", "testing"], r.randint(1, 3))
            if kind in ("web", "mobile") and "design" not in roles:
                roles.append("design")
            p = Project(id=self.next_id("project"), code=f"{key}-{kind.upper()[:4]}",
                        name=f"{name.split()[0]} {pname}", client=client, kind=kind, jira=jira,
                        repos=repos, topics=list(topics), tasks={ro: self.tasks[ro] for ro in roles},
                        weight=r.uniform(0.5, 2.0), next_ticket=r.randint(40, 700),
                        people=r.sample(client["people"], min(len(client["people"]), r.randint(2, 4))))
            p.devs = [q for q in client["people"] if q not in p.people[:1]][:r.randint(1, 3)]
            self.projects.append(p)
        if has_internal:
            fclient = {"id": self.next_id("client"), "name": self.firm, "short": "internal",
                       "domain": self.firm_domain, "tz": self.tzid, "people": [],
                       "continent": "us" if user_us else "eu",
                       "currency": "USD" if user_us else "EUR"}
            self.clients["internal"] = fclient
            repo = self.pick(["internal-tools", "website", "handbook"])
            p = Project(id=self.next_id("project"), code="INT", name=f"{self.firm} Internal",
                        client=fclient, kind="internal", jira="OPS", repos=[repo],
                        topics=list(INTERNAL_TOPICS),
                        tasks={ro: self.tasks[ro] for ro in ("dev", "meet", "admin")},
                        weight=0.25, internal=True, next_ticket=r.randint(10, 90))
            self.projects.append(p)
        self.internal = next((p for p in self.projects if p.internal), None)
        # Colleagues at the firm (on the firm's domain) share some projects.
        self.firm_people = []
        for _ in range(r.randint(1, 2) if has_internal or r.random() < 0.5 else 0):
            f, l = self.pick(OTHER_PEOPLE)
            self.firm_people.append(Person(f"{f} {l}", f"{f.lower()}@{self.firm_domain}", self.tzid,
                                           (9 * 60, 17 * 60 + 30)))
        for p in self.projects:
            if self.firm_people and (p.internal or r.random() < 0.4):
                p.devs.append(self.pick(self.firm_people))
            if not p.devs and not p.internal:
                p.devs = [Person("Sam Rivera", f"sam@{p.client['domain']}", p.client["tz"])]
        self.by_repo = {rn: p for p in self.projects for rn in p.repos}

    # -- calendar ---------------------------------------------------------------------------

    def slot_free(self, busy: list[tuple[int, int]], s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in busy)

    def weekly_busy(self, weekday: int) -> list[tuple[int, int]]:
        """Local minutes taken by series already placed on this weekday (in normal weeks)."""
        out = []
        for ev in self.events:
            if ev.kind != "work" or not ev.rrule:
                continue
            days = ev.rrule["byday"]
            wd = [ICAL_DAYS.index(d[-2:]) for d in days]
            if weekday not in wd:
                continue
            ref = self.window[0] + timedelta(days=21 + weekday - self.window[0].weekday())
            ts = at(ref, ev.start.hour * 60 + ev.start.minute, ev.tzid)
            m = local_minutes(ts, self.tzid)
            out.append((m - 5, m + ev.minutes + 5))
        return out

    def attendees(self, p: Project | None, extra: list[Person] = (), me_partstat="ACCEPTED",
                  k: int | None = None) -> list[tuple[str, str, str]]:
        r = self.rng
        out = [(self.work_email, self.me.name, me_partstat)]
        people = list(p.people) if p else []
        if k is not None:
            people = people[:k]
        for q in people + list(extra):
            out.append((q.email, q.name, self.pick(["ACCEPTED", "ACCEPTED", "ACCEPTED", "TENTATIVE",
                                                    "NEEDS-ACTION", "DECLINED"])))
        r.shuffle(out)
        return out

    def add_series(self, p: Project | None, title: str, note: str, task: str, freq: str,
                   bydays: list[int], minutes: int, tzid: str | None, local_start: int,
                   organizer: Person | None, interval: int = 1, start_day: date | None = None,
                   end_day: date | None = None, count: int | None = None, extra=(),
                   monthly_n: int | None = None) -> Event:
        """A recurring meeting. `local_start` is wall minutes in `tzid`."""
        r = self.rng
        start_day = start_day or (self.history_start - timedelta(days=r.randint(7, 60)))
        # DTSTART is the first day on or after start_day the rule selects.
        d = start_day
        if monthly_n is not None:
            d = self.nth_weekday(d.year, d.month, bydays[0], monthly_n)
            if d < start_day:
                m = d.month % 12 + 1
                d = self.nth_weekday(d.year + (d.month == 12), m, bydays[0], monthly_n)
        else:
            while d.weekday() not in bydays:
                d += timedelta(days=1)
        byday = [f"{monthly_n}{ICAL_DAYS[w]}" if monthly_n else ICAL_DAYS[w] for w in bydays]
        rule = {"freq": freq, "byday": byday, "interval": interval}
        if count:
            rule["count"] = count
        elif end_day:
            rule["until"] = end_day
        org = organizer or self.me
        mine = "TENTATIVE" if r.random() < 0.1 else "ACCEPTED"
        ev = Event(uid=self.uid(), title=title, tzid=tzid,
                   start=datetime.combine(d, time(local_start // 60, local_start % 60)),
                   minutes=minutes, kind="work", project=p, task=task, note=note, rrule=rule,
                   organizer=org.email, organizer_name=org.name, my_partstat=mine,
                   attendees=self.attendees(p, extra, me_partstat=mine), location=self.meet_url())
        self.events.append(ev)
        return ev

    @staticmethod
    def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
        if n > 0:
            d = date(year, month, 1)
            while d.weekday() != weekday:
                d += timedelta(days=1)
            return d + timedelta(weeks=n - 1)
        d = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
        while d.weekday() != weekday:
            d -= timedelta(days=1)
        return d

    def pick_slot(self, weekday: int, minutes: int, lo: int | None = None,
                  hi: int | None = None) -> int:
        ws, we = self.work_hours
        lo = ws + 15 if lo is None else lo
        hi = we - minutes - 15 if hi is None else hi
        busy = self.weekly_busy(weekday)
        for _ in range(60):
            s = self.rng.randrange(lo, max(lo + 1, hi), 15)
            if self.slot_free(busy, s, s + minutes):
                return s
        return self.rng.randrange(lo, max(lo + 1, hi), 15)

    def build_calendar(self) -> None:
        r = self.rng
        ws, we = self.work_hours
        wdays = self.workdays
        clients = [p for p in self.projects if not p.internal]
        main = max(clients, key=lambda p: p.weight)
        far = next((p for p in clients if p.client["short"] == self.far_client), None)
        w0, w1 = self.window
        # Daily standups: the main project, sometimes a second one; identical titles happen.
        standup_title = self.pick(["Daily Standup", "Daily standup", "Standup", "Daily"])
        for p in [main] + ([self.pick(clients)] if r.random() < 0.35 and len(clients) > 1 else []):
            if any(e.title == standup_title and e.project is p for e in self.events):
                continue
            s = self.pick_slot(0, 15, ws + 15, ws + 90)
            org = p.people[0]
            self.add_series(p, standup_title if r.random() < 0.7 else f"{p.client['name'].split()[0]} standup",
                            "Standup", "meet", "DAILY", [d for d in wdays], 15, self.tzid, s, org,
                            end_day=w1 + timedelta(days=r.randint(30, 90)))
        # A weekly sync per client project; the far client organises from its own zone.
        for p in clients:
            wd = self.pick(wdays)
            minutes = self.pick([30, 45, 60, 60])
            org = p.people[0]
            cname = p.client["name"].split()[0]
            title = self.pick([f"{cname} weekly sync", f"Weekly sync – {p.name}",
                               f"{cname} <> {self.firm.split()[0]} weekly",
                               f"{p.name}: weekly check-in", f"Weekly {cname} status"])
            note = self.pick([f"Weekly sync with {cname}", f"{cname} weekly", "Weekly check-in",
                              f"Status call {cname}"])
            if sum(q.client is p.client for q in clients) > 1:   # two projects at one client
                title = self.pick([f"Weekly sync – {p.name}", f"{p.name}: weekly check-in"])
                note = self.pick([f"{p.name} weekly", f"Weekly check-in {p.name.split(' ', 1)[1]}"])
            if p is far:
                tz = p.client["tz"]
                # A time inside both working days (in normal weeks), as near as there is one.
                ref = w0 + timedelta(days=35 + wd - w0.weekday())
                busy = self.weekly_busy(wd)
                slots = []
                for lm in range(ws, we - minutes + 1, 15):
                    om = local_minutes(at(ref, lm, self.tzid), tz)
                    cost = max(0, 8 * 60 + 30 - om, om + minutes - 18 * 60)
                    if self.slot_free(busy, lm, lm + minutes):
                        slots.append((cost, lm, om))
                best = min(c for c, _, _ in slots)
                _, lm, om = self.pick([s for s in slots if s[0] <= best + 30])
                # Make sure the call falls in the DST gap week (Mon 2026-10-26 .. Fri 10-30).
                ev = self.add_series(p, title, note, "meet", "WEEKLY", [wd], minutes, tz, om, org,
                                     end_day=None, count=r.randint(30, 60))
                ev.far = True
                self.far_event = ev
            else:
                s = self.pick_slot(wd, minutes)
                ev = self.add_series(p, title, note, "meet", "WEEKLY", [wd], minutes, self.tzid, s,
                                     org, count=None, end_day=w1 + timedelta(days=r.randint(20, 120)))
            # Google's "this and following": the old series ends with UNTIL, a new one goes on.
            if p is not far and r.random() < 0.35:
                cut = w0 + timedelta(days=r.randint(2, (w1 - w0).days - 3))
                ev.rrule.pop("count", None)
                ev.rrule["until"] = cut
                wd2 = self.pick(wdays)
                s2 = self.pick_slot(wd2, minutes)
                self.add_series(p, ev.title, note, "meet", "WEEKLY", [wd2], minutes, self.tzid, s2,
                                org, start_day=cut + timedelta(days=1),
                                end_day=w1 + timedelta(days=r.randint(20, 120)))
        # Sprint rituals every two weeks on one or two projects.
        for p in r.sample(clients, min(len(clients), r.randint(1, 2))):
            wd = self.pick(wdays[:3])
            task = "pm" if "pm" in p.tasks and r.random() < 0.6 else "meet"
            m = self.pick([60, 90])
            self.add_series(p, self.pick(["Sprint Planning", "Sprint planning", f"{p.jira} sprint planning"]),
                            "Sprint planning", task, "WEEKLY", [wd], m, self.tzid,
                            self.pick_slot(wd, m), p.people[0], interval=2,
                            count=r.randint(15, 30))
            wd = self.pick(wdays[2:])
            self.add_series(p, self.pick(["Sprint Retro", "Retrospective", "Sprint review & retro"]),
                            "Retro", "meet", "WEEKLY", [wd], self.pick([45, 60]), self.tzid,
                            self.pick_slot(wd, 60), p.people[0], interval=2,
                            end_day=w1 + timedelta(days=60))
        # A monthly steering committee.
        if r.random() < 0.6:
            p = self.pick(clients)
            wd = self.pick(wdays)
            self.add_series(p, f"{p.name} steering committee", "Steering committee",
                            "pm" if "pm" in p.tasks else "meet", "MONTHLY", [wd], 60, self.tzid,
                            self.pick_slot(wd, 60), p.people[0], monthly_n=self.pick([1, 2, -1]),
                            count=12)
        # Internal meetings.
        if self.internal:
            boss = self.firm_people[0] if self.firm_people else self.me
            wd = wdays[0]
            self.add_series(self.internal, self.pick(["Team weekly", "Monday team meeting", "Team sync"]),
                            "Team meeting", "meet", "WEEKLY", [wd], 30, self.tzid,
                            self.pick_slot(wd, 30, ws, ws + 120), boss, extra=self.firm_people)
            if self.firm_people:
                wd = self.pick(wdays)
                self.add_series(self.internal, f"1:1 {self.me.first} / {boss.first}", "1:1",
                                "admin" if r.random() < 0.5 else "meet", "WEEKLY", [wd], 30,
                                self.tzid, self.pick_slot(wd, 30), boss, interval=2)
            wd = self.pick(wdays)
            self.add_series(self.internal, self.pick(["All-hands", "Company all-hands", "Monthly all hands"]),
                            "All-hands", "meet", "MONTHLY", [wd], 60, self.tzid,
                            self.pick_slot(wd, 60), boss, monthly_n=1, count=24,
                            extra=self.firm_people)
        # One-off work meetings over history and window.
        oneoff = {
            "design": ["Design review: {t}", "UX walkthrough {t}", "Wireframe review"],
            "pm": ["Roadmap review", "Estimation session", "Budget check-in", "Release planning"],
            "meet": ["Workshop: {t}", "Demo: {t}", "Kickoff {c}", "Incident review", "Q&A on {t}",
                     "Architecture discussion", "Backlog refinement", "Call with {n}"],
        }
        self.build_vacation()
        away = set(self.vacation + self.history_vacation)
        for d in daterange(self.history_start, w1):
            if d.weekday() not in wdays or d in away or r.random() > 0.45:
                continue
            p = self.pick(clients)
            role = self.pick(["meet", "meet", "meet", "design", "pm"])
            if role not in p.tasks:
                role = "meet"
            topic = self.pick(p.topics)[1]
            title = self.pick(oneoff[role]).format(t=topic, c=p.client["name"].split()[0],
                                                   n=p.people[-1].first)
            minutes = self.pick([30, 45, 60, 60, 90, 120] if role != "pm" else [30, 60])
            self.add_oneoff(p, title, title, role, d, minutes,
                            organizer=self.me if r.random() < 0.4 else self.pick(p.people))
        self.build_traps()
        self.build_exceptions()

    def add_oneoff(self, p: Project | None, title: str, note: str | None, task: str | None,
                   d: date, minutes: int, organizer: Person | None = None, kind: str = "work",
                   tzid: str | None = "", local: int | None = None, **kw) -> Event | None:
        """A single meeting on `d`, at a free time (or at `local` minutes)."""
        r = self.rng
        tzid = self.tzid if tzid == "" else tzid
        if local is None:
            local = self.free_slot(d, minutes)
            if local is None:
                return None
        org = organizer or self.me
        att = kw.pop("attendees", None)
        if att is None:
            att = self.attendees(p, k=r.randint(1, 3))
        ts = at(d, local, self.tzid)
        if tzid is None:
            start = datetime.fromtimestamp(ts, UTC).replace(tzinfo=None)
        else:
            start = datetime.fromtimestamp(ts, ZoneInfo(tzid)).replace(tzinfo=None)
        ev = Event(uid=self.uid(), title=title, tzid=tzid, start=start, minutes=minutes,
                   kind=kind, project=p, task=task, note=note, organizer=org.email,
                   organizer_name=org.name, attendees=att, location=self.meet_url(), **kw)
        self.events.append(ev)
        return ev

    def build_vacation(self) -> None:
        r = self.rng
        w0, w1 = self.window
        wdays = self.workdays
        window_days = [d for d in daterange(w0, w1) if d.weekday() in wdays]
        # Vacation: an all-day "Vacation" on a workday (or two), not in the DST gap week
        # on the far call's day, so the shifted call is still seen.
        far_days = {d for d in window_days if date(2026, 10, 26) <= d <= date(2026, 10, 30)}
        choices = [d for d in window_days if d not in far_days] or window_days
        vac = self.pick(choices)
        ndays = 2 if r.random() < 0.25 and (vac + timedelta(days=1)) in choices else 1
        self.vacation = [vac + timedelta(days=i) for i in range(ndays)]
        self.auto_decline = r.random() < 0.5   # the calendar declined meetings on those days
        title = self.pick(["Vacation", "Urlaub", "OOO", "Out of office", "Holiday", "PTO"])
        self.events.append(Event(uid=self.uid(), title=title, tzid=None, start=None, minutes=0,
                                 kind="vacation", all_day=vac, all_day_days=ndays,
                                 transp="OPAQUE", organizer=self.work_email,
                                 organizer_name=self.me.name, attendees=[]))
        # A vacation in the history too, sometimes.
        self.history_vacation = []
        if r.random() < 0.5:
            hv = self.history_start + timedelta(weeks=r.randint(1, self.history_weeks - 2))
            n = r.randint(3, 5)
            self.history_vacation = [hv + timedelta(days=i) for i in range(n)]
            self.events.append(Event(uid=self.uid(), title=title, tzid=None, start=None, minutes=0,
                                     kind="vacation", all_day=hv, all_day_days=n, transp="OPAQUE",
                                     organizer=self.work_email, organizer_name=self.me.name))

    def free_slot(self, d: date, minutes: int, exclude: Event | None = None) -> int | None:
        """A start (local minutes, on the quarter hour) on `d` clear of the meetings the user
        attends, inside work hours; None when the day is full."""
        busy = [(local_minutes(o.start, self.tzid) - 5, local_minutes(o.end, self.tzid) + 5)
                for o in self.occurrences_on(d) if o.event is not exclude]
        ws, we = self.work_hours
        first = (ws + 30 + 14) // 15 * 15
        slots = [s for s in range(first, we - minutes - 14, 15) if self.slot_free(busy, s, s + minutes)]
        return self.pick(slots) if slots else None

    def build_traps(self) -> None:
        r = self.rng
        w0, w1 = self.window
        wdays = self.workdays
        window_days = [d for d in daterange(w0, w1) if d.weekday() in wdays]
        # All-day events that are not time off.
        for _ in range(r.randint(1, 3)):
            d = self.pick(window_days)
            p = self.pick(self.projects)
            t = self.pick([f"{p.client['name'].split()[0]} release freeze", "Conference: JSConf EU",
                           "Deploy window", f"{p.jira} sprint 14 ends", "Mum's birthday",
                           "Working from Lisbon", "Team offsite"])
            self.events.append(Event(uid=self.uid(), title=t, tzid=None, start=None, minutes=0,
                                     kind="allday", all_day=d, transp=self.pick(["TRANSPARENT", "OPAQUE"]),
                                     organizer=self.work_email, organizer_name=self.me.name))
        # Declined invitations (vendor demos, webinars, a client's optional meeting).
        for _ in range(r.randint(2, 4)):
            d = self.pick(window_days)
            p = self.pick(self.projects)
            vendor = self.pick(["Datadog", "Snowflake", "Contentful", "Vercel", "HubSpot"])
            title = self.pick([f"{vendor} demo", f"Webinar: what's new in {vendor}",
                               f"{p.client['name'].split()[0]} town hall",
                               f"Intro call {vendor}", "Lunch & learn: Rust"])
            org = Person(f"{vendor} Sales", f"events@{vendor.lower()}.com", "UTC")
            self.add_oneoff(None, title, None, None, d, self.pick([30, 45, 60]), organizer=org,
                            kind="declined", my_partstat="DECLINED",
                            attendees=[(self.work_email, self.me.name, "DECLINED"),
                                       (org.email, org.name, "ACCEPTED")],
                            tzid=self.pick([self.tzid, None]))
        # Cancelled meetings (the organiser cancelled; the event stays, STATUS:CANCELLED).
        for _ in range(r.randint(1, 2)):
            d = self.pick(window_days)
            p = self.pick([q for q in self.projects if not q.internal] or self.projects)
            title = self.pick([f"{p.client['name'].split()[0]} roadmap review", "Design critique",
                               "Stakeholder demo", "Budget review"])
            self.add_oneoff(p, title, None, None, d, self.pick([30, 60]),
                            organizer=self.pick(p.people) if p.people else self.me,
                            kind="cancelled", status="CANCELLED")
        # Free time on the calendar: focus blocks (the person codes), lunch, a hold.
        ws, we = self.work_hours
        fd = self.pick(self.workdays)
        ev = Event(uid=self.uid(), title=self.pick(["Focus time", "Deep work", "No meetings"]),
                   tzid=self.tzid, start=datetime.combine(self.history_start + timedelta(days=(fd - self.history_start.weekday()) % 7),
                                                          time((ws + 30) // 60, (ws + 30) % 60)),
                   minutes=120, kind="free", transp="TRANSPARENT",
                   rrule={"freq": "WEEKLY", "byday": [ICAL_DAYS[fd]], "interval": 1,
                          "until": w1 + timedelta(days=60)},
                   organizer=self.work_email, organizer_name=self.me.name, attendees=[])
        self.events.append(ev)
        if r.random() < 0.6:
            ls = self.history_start
            while ls.weekday() != 0:
                ls += timedelta(days=1)
            self.events.append(Event(uid=self.uid(), title="Lunch", tzid=self.tzid,
                                     start=datetime.combine(ls, time(12, 0)), minutes=60,
                                     kind="free", transp="TRANSPARENT",
                                     rrule={"freq": "WEEKLY", "byday": [ICAL_DAYS[d] for d in self.workdays],
                                            "interval": 1, "count": 200},
                                     organizer=self.work_email, organizer_name=self.me.name))
        d = self.pick(window_days)
        p = self.pick(self.projects)
        self.add_oneoff(p, f"HOLD: {p.client['name'].split()[0]} workshop (tbc)", None, None, d, 120,
                        kind="free", transp="TRANSPARENT", attendees=[(self.work_email, self.me.name, "ACCEPTED")])
        # Personal appointments on the work calendar: opaque, no attendees, not work.
        self.personal_titles = self.pick([["Dentist", "Physio"], ["Kita pickup", "Doctor"],
                                          ["School run", "Dentist"], ["Haircut", "Bank appointment"]])
        want, placed = r.randint(1, 2), 0
        for _ in range(20):
            if placed == want:
                break
            d = self.pick([x for x in window_days if x not in self.vacation])
            if self.add_oneoff(None, self.pick(self.personal_titles), None, None, d,
                               self.pick([45, 60, 90]), kind="personal", attendees=[]):
                placed += 1
        # Some personal appointments in the history too (for realism).
        for _ in range(r.randint(1, 3)):
            d = self.history_start + timedelta(days=r.randrange(self.history_weeks * 7))
            if d.weekday() in wdays:
                self.add_oneoff(None, self.pick(self.personal_titles), None, None, d, 60,
                                kind="personal", attendees=[])

    def build_exceptions(self) -> None:
        """EXDATEs, moved occurrences, a declined and a cancelled occurrence: each in the
        window (and a few in the history), on series the user attends."""
        r = self.rng
        w0, w1 = self.window
        series = [e for e in self.events if e.kind == "work" and e.rrule]
        r.shuffle(series)

        def zone(ev):
            return ZoneInfo(ev.tzid) if ev.tzid else UTC

        def candidates(ev, history):
            out = []
            for o in self.expand(ev):
                d = local_date(o.orig, self.tzid)
                if (d < w0 if history else w0 <= d <= w1) and d not in self.vacation \
                        and d not in self.history_vacation and o.status != "CANCELLED":
                    orig = datetime.fromtimestamp(o.orig, zone(ev)).replace(tzinfo=None)
                    if not any(x.orig == orig for x in ev.overrides):
                        out.append((o, orig))
            return out

        for k in ["exdate", "move", "move", "decline", "cancel", "exdate-hist", "move-hist"]:
            history = k.endswith("hist")
            # The far call keeps its window occurrences: they show the DST shift.
            for ev in [e for e in series if history or not e.far]:
                occs = candidates(ev, history)
                if not occs:
                    continue
                o, orig = self.pick(occs)
                if k.startswith("exdate"):
                    ev.exdates.append(orig)
                elif k.startswith("move"):
                    d0 = local_date(o.orig, self.tzid)
                    days = [d0]
                    if r.random() < 0.4:   # to another workday of the same week
                        days.insert(0, d0 + timedelta(days=self.pick([j for j in range(-d0.weekday(), 5 - d0.weekday()) if j] or [0])))
                    for d in days:
                        if d.weekday() not in self.workdays or d in self.vacation:
                            continue
                        s = self.free_slot(d, ev.minutes + 15, ev)
                        if s is not None:
                            break
                    else:
                        continue
                    new = datetime.fromtimestamp(at(d, s, self.tzid), zone(ev)).replace(tzinfo=None)
                    ev.overrides.append(Override(orig=orig, start=new,
                                                 minutes=ev.minutes if r.random() < 0.7 else ev.minutes + 15,
                                                 title=ev.title + self.pick(["", "", " (moved)", " - rescheduled"])))
                elif k == "decline":
                    ev.overrides.append(Override(orig=orig, partstat="DECLINED"))
                elif k == "cancel":
                    ev.overrides.append(Override(orig=orig, status="CANCELLED"))
                series.remove(ev)   # one exception per series, spread over several
                series.append(ev)
                break
        # On vacation days the meetings stay on the calendar; Google declines them for you
        # only when the OOO event was made as such.
        if self.auto_decline:
            for ev in series:
                for o in self.expand(ev):
                    if local_date(o.start, self.tzid) in self.vacation + self.history_vacation:
                        orig = datetime.fromtimestamp(o.orig, ZoneInfo(ev.tzid) if ev.tzid else UTC).replace(tzinfo=None)
                        if not any(x.orig == orig for x in ev.overrides):
                            ev.overrides.append(Override(orig=orig, partstat="DECLINED"))

    # -- expansion (for the truth; the .ics is written from the same Events) ------------------

    def rule_dates(self, ev: Event, last: date):
        rule = ev.rrule
        d0 = ev.start.date()
        freq = rule["freq"]
        interval = rule.get("interval", 1)
        if freq == "DAILY":
            wd = [ICAL_DAYS.index(x) for x in rule["byday"]]
            d = d0
            while d <= last:
                if d.weekday() in wd:
                    yield d
                d += timedelta(days=1)
        elif freq == "WEEKLY":
            wd = sorted(ICAL_DAYS.index(x) for x in rule["byday"])
            monday = d0 - timedelta(days=d0.weekday())
            k = 0
            while monday <= last:
                for w in wd:
                    d = monday + timedelta(days=w)
                    if d0 <= d <= last:
                        yield d
                k += interval
                monday = d0 - timedelta(days=d0.weekday()) + timedelta(weeks=k)
        elif freq == "MONTHLY":
            spec = rule["byday"][0]
            n, w = int(spec[:-2]), ICAL_DAYS.index(spec[-2:])
            y, m = d0.year, d0.month
            while True:
                d = self.nth_weekday(y, m, w, n)
                if d > last:
                    break
                if d >= d0:
                    yield d
                y, m = (y + 1, 1) if m == 12 else (y, m + 1)

    def expand(self, ev: Event, last: date | None = None) -> list[Occurrence]:
        last = last or (self.window[1] + timedelta(days=1))
        if ev.all_day:
            out = []
            s = at(ev.all_day, 0, self.tzid)
            e = at(ev.all_day + timedelta(days=ev.all_day_days), 0, self.tzid)
            out.append(Occurrence(ev, f"{ev.uid}/{ev.all_day:%Y%m%d}", s, s, e, ev.title,
                                  ev.status, ev.my_partstat))
            return out
        smin = ev.start.hour * 60 + ev.start.minute
        if not ev.rrule:
            s = at(ev.start.date(), smin, ev.tzid)
            return [Occurrence(ev, f"{ev.uid}/{ical_utc(s)}", s, s, s + ev.minutes * 60, ev.title,
                               ev.status, ev.my_partstat)]
        out = []
        count = ev.rrule.get("count")
        until = ev.rrule.get("until")
        until_ts = at(until, 23 * 60 + 59, self.tzid) if until else None
        n = 0
        for d in self.rule_dates(ev, last):
            s = at(d, smin, ev.tzid)
            if until_ts is not None and s > until_ts:
                break
            n += 1
            if count and n > count:
                break
            orig = datetime.combine(d, ev.start.time())
            if orig in ev.exdates:
                continue
            ov = next((x for x in ev.overrides if x.orig == orig), None)
            start, minutes, title = s, ev.minutes, ev.title
            status, partstat = ev.status, ev.my_partstat
            if ov:
                if ov.start:
                    start = int(ov.start.replace(tzinfo=ZoneInfo(ev.tzid) if ev.tzid else UTC).timestamp())
                minutes = ov.minutes or minutes
                title = ov.title or title
                status = ov.status or status
                partstat = ov.partstat or partstat
            out.append(Occurrence(ev, f"{ev.uid}/{ical_utc(s)}", s, start, start + minutes * 60,
                                  title, status, partstat))
        return out

    def occurrences_on(self, d: date) -> list[Occurrence]:
        """What takes the user's time on local day `d` as the calendar stands now: the work
        meetings they attend, and personal appointments."""
        out = []
        for ev in self.events:
            if ev.kind not in ("work", "personal"):
                continue
            for o in self.expand(ev, last=max(d, self.window[1]) + timedelta(days=1)):
                if local_date(o.start, self.tzid) == d and o.status != "CANCELLED" \
                        and o.partstat != "DECLINED":
                    out.append(o)
        return out

    def verdicts(self) -> list[Occurrence]:
        """Every occurrence from the history start to the window end, with what happened."""
        out = []
        vac = set(self.vacation + self.history_vacation)
        for ev in self.events:
            for o in self.expand(ev):
                d = local_date(o.start, self.tzid)
                if d < self.history_start:
                    continue
                if ev.all_day:
                    o.verdict = "vacation" if ev.kind == "vacation" else "all-day"
                elif o.status == "CANCELLED":
                    o.verdict = "cancelled"
                elif o.partstat == "DECLINED":
                    o.verdict = "declined"
                elif ev.transp == "TRANSPARENT":
                    o.verdict = "free"
                elif ev.kind == "personal":
                    o.verdict = "personal"
                elif d in vac:
                    o.verdict = "vacation"     # on the calendar, but the person was away
                else:
                    o.verdict = "attended"
                out.append(o)
        out.sort(key=lambda o: (o.start, o.key))
        return out

    # -- the simulated days -----------------------------------------------------------------

    def choose_project(self, day_focus: list[Project]) -> Project:
        r = self.rng
        x = r.random()
        if x < 0.65:
            return day_focus[0]
        if x < 0.9 and len(day_focus) > 1:
            return day_focus[1]
        return r.choices(self.projects, weights=[p.weight for p in self.projects])[0]

    def simulate(self) -> None:
        r = self.rng
        occs = self.verdicts()
        self.occurrences = occs
        by_day: dict[date, list[Occurrence]] = {}
        for o in occs:
            by_day.setdefault(local_date(o.start, self.tzid), []).append(o)
        self.open_tickets: dict[int, list[dict]] = {p.id: [] for p in self.projects}
        vac = set(self.vacation + self.history_vacation)
        # At least one evening at home (on the personal identity) and one weekend session
        # fall in the window.
        wdays = [d for d in daterange(*self.window) if d.weekday() in self.workdays and d not in vac]
        wends = [d for d in daterange(*self.window) if d.weekday() not in self.workdays]
        forced_evening, forced_weekend = self.pick(wdays), self.pick(wends)
        for d in daterange(self.history_start, self.window[1]):
            day_occs = by_day.get(d, [])
            attended = []
            for o in day_occs:
                if o.verdict != "attended":
                    continue
                s, e = o.start, o.end
                x = r.random()
                if x < 0.12 and e - s >= 30 * 60:
                    e -= r.randint(5, 15) * 60          # ended early
                elif x < 0.17:
                    e += r.randint(3, 10) * 60          # ran over
                attended.append((s, e, o))
            attended.sort(key=lambda t: t[0])
            # Never two things at once: a meeting that overlaps the previous one starts
            # when the person gets there.
            clean = []
            for s, e, o in attended:
                if clean and s < clean[-1][1]:
                    s = clean[-1][1]
                if e - s >= 5 * 60:
                    clean.append((s, e, o))
            attended = clean
            personal = [(o.start, o.end) for o in day_occs if o.verdict == "personal"]
            if d in vac:
                continue
            workday = d.weekday() in self.workdays
            if workday:
                self.work_day(d, attended, personal)
                if r.random() < self.evening_rate or d == forced_evening:
                    self.extra_session(d, r.randint(19 * 60 + 30, 21 * 60 + 30), evening=True,
                                       personal=d == forced_evening)
            else:
                if attended:   # a rare weekend meeting
                    for s, e, o in attended:
                        self.meeting_block(d, s, e, o)
                if r.random() < self.weekend_rate / 2 or d == forced_weekend:
                    self.extra_session(d, r.randint(10 * 60, 16 * 60), evening=False)

    def meeting_block(self, d: date, s: int, e: int, o: Occurrence) -> None:
        ev = o.event
        self.blocks.append({"date": d.isoformat(), "start": s, "end": e, "kind": "meeting",
                            "project": ev.project.id, "task": ev.project.tasks[ev.task],
                            "what": o.title, "key": o.key, "note": ev.note or o.title})

    def work_day(self, d: date, attended, personal) -> None:
        r = self.rng
        ws, we = self.work_hours
        start = at(d, ws + r.randint(-20, 20), self.tzid)
        end = at(d, we + r.randint(-40, 30), self.tzid)
        if attended:
            start = min(start, attended[0][0])
            end = max(end, attended[-1][1])
        for s, e, o in attended:
            self.meeting_block(d, s, e, o)
        meetings = [(s, e) for s, e, _ in attended]
        # Lunch: 30-60 minutes around noon, after a meeting that is on at the time.
        lunch = None
        ls = at(d, r.randint(11 * 60 + 45, 13 * 60 + 10), self.tzid)
        ll = r.randint(30, 60) * 60
        for _ in range(4):
            clash = [(s, e) for s, e in meetings + personal if s < ls + ll and e > ls]
            if not clash:
                lunch = (ls, ls + ll)
                break
            ls = max(e for _, e in clash) + r.randint(0, 10) * 60
        hard = sorted(([lunch] if lunch else []) + personal)   # sessions stop at these
        focus = r.choices(self.projects, weights=[p.weight for p in self.projects], k=2)
        t = start
        while t < end - 40 * 60:
            inside = [(s, e) for s, e in meetings + hard if s <= t < e]
            if inside:
                t = max(e for _, e in inside) + r.choice([0, 0, 60, 120, 300])
                continue
            length = r.randint(45, 240) * 60
            e = min(t + length, end)
            nxt = [s for s, _ in hard if s > t]
            if nxt:
                e = min(e, min(nxt))
            # A session that would end inside a meeting ends when the meeting starts.
            for ms, me in meetings:
                if ms < e < me:
                    e = ms
            if e - t < 20 * 60:
                t = e
                continue
            coding = self.subtract([(t, e)], meetings)
            total = sum(b - a for a, b in coding)
            if total < 20 * 60:
                t = e
                continue
            self.session(d, coding, self.choose_project(focus))
            # A pause: coffee, e-mail, a chat - nothing anyone bills.
            t = e + r.choice([0, 0, 5, 10, 10, 15, 20, 30, 45, 60]) * 60

    @staticmethod
    def subtract(spans, cuts):
        out = []
        for a, b in spans:
            pieces = [(a, b)]
            for c, e in cuts:
                nxt = []
                for x, y in pieces:
                    if e <= x or c >= y:
                        nxt.append((x, y))
                        continue
                    if x < c:
                        nxt.append((x, c))
                    if e < y:
                        nxt.append((e, y))
                pieces = nxt
            out += pieces
        return [(a, b) for a, b in out if b - a > 0]

    def extra_session(self, d: date, local_start: int, evening: bool,
                      personal: bool = False) -> None:
        r = self.rng
        s = at(d, local_start, self.tzid)
        busy = [b["end"] for b in self.blocks if b["date"] == d.isoformat()]
        if busy:
            s = max(s, max(busy) + r.randint(30, 90) * 60)
        length = r.randint(45, 150 if evening else 200) * 60
        e = min(s + length, at(d, 23 * 60 + 40, self.tzid))
        p = r.choices(self.projects, weights=[p.weight * (2 if p.internal else 1) for p in self.projects])[0]
        if e - s >= 30 * 60:
            self.session(d, [(s, e)], p, home=True, personal=personal)

    def place_commits(self, coding: list[tuple[int, int]]) -> list[int]:
        """Commit times: the first 5-35 min into the work, then every 10-70 min, the last
        0-5 min before the end; never in the middle of a meeting."""
        r = self.rng
        total = sum(b - a for a, b in coding)
        first = r.randint(5 * 60, 35 * 60)
        last = total - r.randint(0, 5 * 60)
        offsets = []
        if last - first < 10 * 60:
            offsets = [max(60, last)]
        else:
            span = last - first
            n_min = max(1, math.ceil(span / (70 * 60)))
            n_max = max(n_min, span // (10 * 60))
            n = min(n_max, max(n_min, round(span / (r.uniform(22, 48) * 60))))
            for _ in range(20):
                w = [r.uniform(0.4, 1.6) for _ in range(n)]
                gaps = [span * x / sum(w) for x in w]
                if all(10 * 60 <= g <= 70 * 60 for g in gaps):
                    break
            else:
                gaps = [span / n] * n
            offsets = [first]
            for g in gaps:
                offsets.append(offsets[-1] + g)
        out = []
        for off in offsets:
            off = int(off)
            for a, b in coding:
                if off <= b - a:
                    out.append(a + off)
                    break
                off -= b - a
            else:
                out.append(coding[-1][1])
        return out

    def session(self, d: date, coding: list[tuple[int, int]], p: Project, home: bool = False,
                personal: bool = False) -> None:
        r = self.rng
        sid = len(self.sessions)
        times = self.place_commits(coding)
        repos = list(p.repos)
        repo = repos[0] if len(repos) == 1 or r.random() < 0.55 else self.pick(repos)
        second = None
        if len(repos) > 1 and r.random() < 0.15:   # front and back end in one sitting
            second = self.pick([x for x in repos if x != repo])
        # The ticket this session works on (a feature branch), or main.
        tickets = self.open_tickets[p.id]
        if tickets and r.random() < 0.7:
            ticket = self.pick(tickets)
        elif r.random() < 0.85:
            slug, phrase = self.pick(p.topics)
            p.next_ticket += r.randint(1, 9)
            key = f"{p.jira}-{p.next_ticket}"
            kind = self.pick(["feature", "feature", "feature", "fix", "bugfix", "chore"])
            branch = f"{kind}/{key}-{slug}" if r.random() < 0.8 else f"{kind}/{slug}"
            ticket = {"key": key, "slug": slug, "phrase": phrase, "branch": branch,
                      "sessions": 0, "life": r.randint(1, 4), "commits": [], "rebase": r.random() < 0.2}
            tickets.append(ticket)
        else:
            slug, phrase = self.pick(p.topics)
            ticket = {"key": None, "slug": slug, "phrase": phrase, "branch": "main",
                      "sessions": 0, "life": 99, "commits": [], "rebase": False}
        ticket["sessions"] += 1
        email = self.work_email
        if home and (r.random() < 0.8 or personal):
            email = self.personal_email
        if p.internal and r.random() < 0.5:
            email = self.personal_email
        if self.identity_mode == "mailmap" and email == self.personal_email:
            self.mailmap_repos = getattr(self, "mailmap_repos", set())
            self.mailmap_repos.update([repo] + ([second] if second else []))
        done = ticket["sessions"] >= ticket["life"] and ticket["branch"] != "main"
        msgs = []
        for i, ts in enumerate(times):
            rp = repo if not second or i == 0 or r.random() < 0.5 else second
            msg = self.commit_message(p, ticket)
            c = Commit(repo=rp, branch=ticket["branch"], time=ts, email=email, name=self.me.name,
                       tzid=self.tzid, message=msg, user=True, session=sid, project=p.id)
            self.add_commit(c)
            ticket["commits"].append(c)
            msgs.append(msg)
        if done:
            # The user merges the finished branch at the end of the session (the merge is the
            # last commit), or a reviewer does it later.
            if r.random() < 0.5:
                last = self.commits[-1]
                mt = min(last.time + r.randint(20, 150), max(last.time, coding[-1][1]))
                merge = Commit(repo=last.repo, branch="main", time=mt,
                               email=email, name=self.me.name, tzid=self.tzid, user=True,
                               session=sid, project=p.id, merge_of=ticket["branch"],
                               message=self.pick([f"Merge branch '{ticket['branch']}'",
                                                  f"Merge pull request #{r.randint(20, 400)} from "
                                                  f"{p.client['short']}/{ticket['branch']}"]))
                self.add_commit(merge)
                if ticket["rebase"]:
                    for c in ticket["commits"]:
                        if c.time < coding[0][0]:
                            c.committer_time = merge.time - r.randint(30, 120)
            else:
                dev = self.pick(p.devs)
                mt = self.colleague_time(d + timedelta(days=r.randint(0, 2)), dev)
                if mt and mt > times[-1]:
                    self.add_commit(Commit(repo=repo, branch="main", time=mt, email=dev.email,
                                           name=dev.name, tzid=dev.tzid, merge_of=ticket["branch"],
                                           message=f"Merge pull request #{r.randint(20, 400)} from "
                                                   f"{p.client['short']}/{ticket['branch']}"))
            tickets.remove(ticket)
        seg = [{"start": a, "end": b} for a, b in coding]
        for a, b in coding:
            self.blocks.append({"date": d.isoformat(), "start": a, "end": b, "kind": "coding",
                                "project": p.id, "task": p.tasks["dev"], "session": sid,
                                "what": f"{repo}{'+' + second if second else ''} {ticket['branch']}",
                                "repos": [repo] + ([second] if second else []),
                                "ticket": ticket["key"], "phrase": ticket["phrase"]})
        self.sessions.append({"id": sid, "date": d.isoformat(), "project": p.id,
                              "repos": [repo] + ([second] if second else []), "coding": seg,
                              "commits": len(times), "email": email, "ticket": ticket["key"],
                              "phrase": ticket["phrase"], "home": home})

    def commit_message(self, p: Project, ticket: dict) -> str:
        r = self.rng
        x = r.random()
        phrase = ticket["phrase"] if r.random() < 0.75 else self.pick(p.topics)[1]
        if x < 0.15:
            msg = self.pick(GENERIC)
        elif x < 0.3:
            msg = f"Add tests for {phrase}"
        else:
            msg = f"{self.pick(VERBS)} {phrase}" + self.pick(["", "", "", " for mobile",
                                                               " edge case", " on empty input",
                                                               " after review", " (part 2)"])
        if ticket["key"] and r.random() < self.jira_in_commits:
            msg = self.pick([f"{ticket['key']}: {msg}", f"{msg} ({ticket['key']})",
                             f"[{ticket['key']}] {msg}", f"{ticket['key']} {msg}"])
        return msg

    def colleague_time(self, d: date, who: Person) -> int | None:
        lo, hi = who.hours
        if d.weekday() >= 5:
            return None
        return at(d, self.rng.randint(lo, hi - 1), who.tzid) + self.rng.randint(0, 59)

    def add_commit(self, c: Commit) -> None:
        self.seq += 1
        c.seq = self.seq
        if c.user and not c.merge_of:
            c.time -= self.rng.randint(0, 59)
        self.commits.append(c)

    def colleagues(self) -> None:
        """Colleagues commit to the same repositories at their own times; a bot too."""
        r = self.rng
        for p in self.projects:
            for rn in p.repos:
                branches: dict[str, int] = {}
                for d in daterange(self.history_start, self.window[1]):
                    for dev in p.devs:
                        if d.weekday() >= 5 or r.random() > 0.55:
                            continue
                        slug, phrase = self.pick(p.topics)
                        if r.random() < 0.5:
                            p.next_ticket += 1
                            br = f"feature/{p.jira}-{p.next_ticket}-{slug}"
                        else:
                            br = "main"
                        for _ in range(r.randint(1, 5)):
                            t = self.colleague_time(d, dev)
                            self.add_commit(Commit(repo=rn, branch=br, time=t, email=dev.email,
                                                   name=dev.name, tzid=dev.tzid,
                                                   message=f"{self.pick(VERBS)} {phrase}"))
                        if br != "main" and r.random() < 0.6:
                            t = self.colleague_time(d + timedelta(days=1), dev)
                            if t:
                                self.add_commit(Commit(repo=rn, branch="main", time=t + 3600 * 3,
                                                       email=dev.email, name=dev.name, tzid=dev.tzid,
                                                       merge_of=br, message=f"Merge branch '{br}'"))
                    if d.weekday() == 1 and r.random() < 0.5:   # dependabot on Tuesdays
                        dep = self.pick(["lodash", "axios", "eslint", "pytest", "requests", "react"])
                        br = f"dependabot/npm_and_yarn/{dep}-{r.randint(1, 9)}.{r.randint(0, 30)}.{r.randint(0, 9)}"
                        t = at(d, r.randint(3 * 60, 6 * 60), "UTC")
                        self.add_commit(Commit(repo=rn, branch=br, time=t,
                                               email="49699333+dependabot[bot]@users.noreply.github.com",
                                               name="dependabot[bot]", tzid="UTC",
                                               message=f"Bump {dep} from 1.{r.randint(0, 9)}.0 to 1.{r.randint(10, 19)}.0"))
        # A cherry-pick onto a release branch (same author time, later commit time).
        mine = [c for c in self.commits if c.user and not c.merge_of
                and self.history_start + timedelta(days=14) <= local_date(c.time, self.tzid)]
        if mine and r.random() < 0.5:
            c = self.pick(mine)
            later = [x for x in self.commits if x.user and x.time > c.time + 86400 and x.repo == c.repo]
            if later:
                when = self.pick(later).time - r.randint(60, 600)
                fake = "".join(r.choice("0123456789abcdef") for _ in range(40))
                self.add_commit(Commit(repo=c.repo, branch="release/2026.10", time=c.time,
                                       committer_time=when, email=c.email, name=c.name,
                                       tzid=c.tzid, message=c.message + f"\n\n(cherry picked from commit {fake})",
                                       user=True, session=c.session, project=c.project))

    # -- writing ------------------------------------------------------------------------------

    def write_repos(self, outdir: str) -> None:
        """Real repositories through git fast-import; each commit learns its sha."""
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": outdir,
               "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "LANG": "C"}
        root = os.path.join(outdir, "repos")
        os.makedirs(root, exist_ok=True)
        mailmap_repos = getattr(self, "mailmap_repos", set())
        for p in self.projects:
            for rn in p.repos:
                path = os.path.join(root, rn)
                os.makedirs(path)
                subprocess.run(["git", "init", "-q", "-b", "main", path], env=env, check=True)
                commits = sorted((c for c in self.commits if c.repo == rn),
                                 key=lambda c: (c.committer_time or c.time, c.seq))
                out = []
                mark = 0
                tips: dict[str, int] = {}
                founder = p.devs[0] if p.devs else self.me
                merged_marks = set()
                t0 = at(self.history_start - timedelta(days=40), 10 * 60, founder.tzid)

                def data(text: str) -> str:
                    return f"data {len(text.encode())}\n{text}\n"

                mark += 1
                readme = f"# {rn}\n\n{p.name} for {p.client['name']}.\n"
                out.append(f"commit refs/heads/main\nmark :{mark}\n"
                           f"author {founder.name} <{founder.email}> {t0} {git_offset(t0, founder.tzid)}\n"
                           f"committer {founder.name} <{founder.email}> {t0} {git_offset(t0, founder.tzid)}\n"
                           + data("Initial commit") +
                           "M 100644 inline README.md\n" + data(readme) +
                           "M 100644 inline .gitignore\n" + data("node_modules/\n*.log\n.env\n"))
                tips["main"] = mark
                if rn in mailmap_repos:
                    mark += 1
                    t1 = t0 + 3 * 86400
                    mm = f"{self.me.name} <{self.work_email}> <{self.personal_email}>\n"
                    out.append(f"commit refs/heads/main\nmark :{mark}\n"
                               f"author {founder.name} <{founder.email}> {t1} {git_offset(t1, founder.tzid)}\n"
                               f"committer {founder.name} <{founder.email}> {t1} {git_offset(t1, founder.tzid)}\n"
                               + data("Add .mailmap") + f"from :{tips['main']}\n"
                               "M 100644 inline .mailmap\n" + data(mm))
                    tips["main"] = mark
                for c in commits:
                    if c.merge_of and c.merge_of not in tips:
                        continue
                    mark += 1
                    c.mark = mark
                    ct = c.committer_time or c.time
                    parent = tips.get(c.branch, tips["main"])
                    lines = [f"commit refs/heads/{c.branch}", f"mark :{mark}",
                             f"author {c.name} <{c.email}> {c.time} {git_offset(c.time, c.tzid)}",
                             f"committer {c.name} <{c.email}> {ct} {git_offset(ct, c.tzid)}"]
                    body = data(c.message) + f"from :{parent}\n"
                    if c.merge_of:
                        body += f"merge :{tips[c.merge_of]}\n"
                    else:
                        slug = re.sub(r"[^a-z0-9]+", "-", c.message.lower()).strip("-")[:24] or "x"
                        fpath = f"src/{slug}.txt"
                        body += f"M 100644 inline {fpath}\n" + data(f"{c.message}\n{c.seq}\n")
                    out.append("\n".join(lines) + "\n" + body)
                    tips[c.branch] = mark
                    if c.merge_of:
                        merged_marks.add(tips[c.merge_of])
                marks = os.path.join(outdir, f".marks-{rn}")
                subprocess.run(["git", "-C", path, "fast-import", "--quiet", f"--export-marks={marks}"],
                               input="".join(out).encode(), env=env, check=True)
                # Merged branches are mostly deleted; a few linger, as they do.
                gone = [b for b, m in sorted(tips.items()) if m in merged_marks and b != "main"
                        and self.rng.random() < 0.7]
                if gone:
                    subprocess.run(["git", "-C", path, "branch", "-q", "-D", *gone], env=env,
                                   check=True, capture_output=True)
                subprocess.run(["git", "-C", path, "reset", "-q", "--hard", "main"], env=env, check=True)
                shas = {}
                with open(marks) as f:
                    for line in f:
                        m, sha = line.split()
                        shas[int(m[1:])] = sha
                os.remove(marks)
                for c in commits:
                    if c.mark:
                        c.sha = shas[c.mark]

    def write_calendar(self, outdir: str) -> None:
        # Some invitations spell the user's address with capitals, as Outlook does.
        self.caps = {}
        for ev in self.events:
            if self.rng.random() < 0.12:
                local, _, dom = self.work_email.partition("@")
                self.caps[ev.uid] = f"{local.capitalize()}@{dom.capitalize()}"
        lines = ["BEGIN:VCALENDAR", "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
                 "VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
                 f"X-WR-CALNAME:{self.work_email}", f"X-WR-TIMEZONE:{self.tzid}"]
        zones = sorted({e.tzid for e in self.events if e.tzid})
        for z in zones:
            lines += vtimezone(z)
        stamp = ical_utc(at(self.window[1] + timedelta(days=1), 7 * 60, "UTC"))

        def when(prop: str, dt: datetime, tzid: str | None) -> str:
            if tzid is None:
                return f"{prop}:{dt:%Y%m%dT%H%M%S}Z"
            return f"{prop};TZID={tzid}:{dt:%Y%m%dT%H%M%S}"

        for ev in self.events:
            common = []
            if ev.organizer:
                common.append(f"ORGANIZER;CN={esc(ev.organizer_name or '')}:mailto:{ev.organizer}")
            for email, name, ps in ev.attendees:
                if email == self.work_email and ev.uid in self.caps:
                    email = self.caps[ev.uid]
                common.append(f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={ps};"
                              f"CN={esc(name)};X-NUM-GUESTS=0:mailto:{email}")
            lines.append("BEGIN:VEVENT")
            if ev.all_day:
                lines += [f"DTSTART;VALUE=DATE:{ev.all_day:%Y%m%d}",
                          f"DTEND;VALUE=DATE:{ev.all_day + timedelta(days=ev.all_day_days):%Y%m%d}"]
            else:
                lines.append(when("DTSTART", ev.start, ev.tzid))
                lines.append(when("DTEND", ev.start + timedelta(minutes=ev.minutes), ev.tzid))
            if ev.rrule:
                rr = [f"FREQ={ev.rrule['freq']}"]
                if ev.rrule.get("interval", 1) != 1:
                    rr.append(f"INTERVAL={ev.rrule['interval']}")
                if ev.rrule.get("count"):
                    rr.append(f"COUNT={ev.rrule['count']}")
                if ev.rrule.get("until"):
                    u = at(ev.rrule["until"], 23 * 60 + 59, self.tzid) + 59
                    rr.append(f"UNTIL={ical_utc(u)}")
                rr.append(f"BYDAY={','.join(ev.rrule['byday'])}")
                lines.append("RRULE:" + ";".join(rr))
                for x in ev.exdates:
                    lines.append(when("EXDATE", x, ev.tzid))
            lines += [f"DTSTAMP:{stamp}"] + common[:1] + [f"UID:{ev.uid}"] + common[1:]
            lines += [f"CREATED:{ical_utc(at(self.history_start - timedelta(days=30), 9 * 60, 'UTC'))}",
                      f"DESCRIPTION:{esc('Join: ' + ev.location) if ev.location else ''}",
                      f"LAST-MODIFIED:{stamp}", f"LOCATION:{esc(ev.location)}", "SEQUENCE:0",
                      f"STATUS:{ev.status}", f"SUMMARY:{esc(ev.title)}", f"TRANSP:{ev.transp}",
                      "END:VEVENT"]
            for ov in ev.overrides:
                start = ov.start or ov.orig
                minutes = ov.minutes or ev.minutes
                lines.append("BEGIN:VEVENT")
                lines.append(when("DTSTART", start, ev.tzid))
                lines.append(when("DTEND", start + timedelta(minutes=minutes), ev.tzid))
                lines.append(f"DTSTAMP:{stamp}")
                if ev.organizer:
                    lines.append(common[0])
                lines.append(f"UID:{ev.uid}")
                lines.append(when("RECURRENCE-ID", ov.orig, ev.tzid))
                for email, name, ps in ev.attendees:
                    if email == self.work_email and ov.partstat:
                        ps = ov.partstat
                    lines.append(f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={ps};"
                                 f"CN={esc(name)};X-NUM-GUESTS=0:mailto:{email}")
                lines += [f"LAST-MODIFIED:{stamp}", f"LOCATION:{esc(ev.location)}", "SEQUENCE:1",
                          f"STATUS:{ov.status or ev.status}", f"SUMMARY:{esc(ov.title or ev.title)}",
                          f"TRANSP:{ev.transp}", "END:VEVENT"]
        lines.append("END:VCALENDAR")
        with open(os.path.join(outdir, "calendar.ics"), "w", newline="") as f:
            f.write("".join(fold(line) + "\r\n" for line in lines))

    # -- Harvest ------------------------------------------------------------------------------

    def harvest(self, truth_cells: dict) -> dict:
        r = self.rng
        stamp0 = iso(at(self.history_start - timedelta(days=60), 9 * 60, "UTC"))
        first, last = self.me.name.split()
        users = [self.user_obj(self.ids["me"], first, last, self.work_email, True)]
        self.colleague_users = []
        for q in self.firm_people:
            f, l = q.name.split(maxsplit=1)
            u = self.user_obj(self.next_id("user"), f, l, q.email, False)
            users.append(u)
            self.colleague_users.append((u, q))
        clients = [{"id": c["id"], "name": c["name"], "is_active": True,
                    "address": "", "statement_key": f"{c['id']:x}{self.seed:04x}",
                    "currency": c["currency"], "created_at": stamp0, "updated_at": stamp0}
                   for c in self.clients.values()]
        tasks = []
        for role, tid in self.tasks.items():
            tasks.append({"id": tid, "name": self.task_names[role],
                          "billable_by_default": role not in ("admin", "research"),
                          "default_hourly_rate": 0.0 if role in ("admin",) else 100.0,
                          "is_default": role in ("dev", "meet"), "is_active": True,
                          "created_at": stamp0, "updated_at": stamp0})
        projects, tas, uas = [], [], []
        rate = r.choice([95.0, 110.0, 120.0, 135.0, 150.0])
        for p in self.projects:
            c = p.client
            projects.append({
                "id": p.id, "name": p.name, "code": p.code, "is_active": True,
                "is_billable": not p.internal, "is_fixed_fee": False,
                "bill_by": "none" if p.internal else "Project", "budget": None if p.internal else float(r.choice([80, 120, 200, 400])),
                "budget_by": "none" if p.internal else "project", "budget_is_monthly": False,
                "notify_when_over_budget": False, "over_budget_notification_percentage": 80.0,
                "show_budget_to_all": False, "created_at": stamp0, "updated_at": stamp0,
                "starts_on": stamp0[:10], "ends_on": None, "over_budget_notification_date": None,
                "notes": "", "cost_budget": None, "cost_budget_include_expenses": False,
                "hourly_rate": None if p.internal else rate, "fee": None,
                "client": {"id": c["id"], "name": c["name"], "currency": c["currency"]}})
            for role, tid in p.tasks.items():
                ta = {"id": self.next_id("ta"), "billable": not p.internal and role not in ("admin", "research"),
                      "is_active": True, "created_at": stamp0, "updated_at": stamp0,
                      "hourly_rate": None if p.internal else rate, "budget": None,
                      "project": {"id": p.id, "name": p.name, "code": p.code},
                      "task": {"id": tid, "name": self.task_names[role]}}
                tas.append(ta)
            members = [users[0]] + [u for u, q in self.colleague_users if q in p.devs or p.internal]
            for u in members:
                uas.append({"id": self.next_id("ua"), "is_project_manager": u is users[0],
                            "is_active": True, "use_default_rates": True, "budget": None,
                            "created_at": stamp0, "updated_at": stamp0, "hourly_rate": rate,
                            "project": {"id": p.id, "name": p.name, "code": p.code},
                            "user": {"id": u["id"], "name": f"{u['first_name']} {u['last_name']}"}})
        # An archived project from earlier in the year, with old entries.
        archived = None
        if r.random() < 0.5:
            c = self.pick(list(self.clients.values()))
            archived = {"id": self.next_id("project"), "name": f"{c['name'].split()[0]} Discovery Phase",
                        "code": "DISC", "is_active": False, "is_billable": True, "is_fixed_fee": False,
                        "bill_by": "Project", "budget": 40.0, "budget_by": "project",
                        "budget_is_monthly": False, "notify_when_over_budget": False,
                        "over_budget_notification_percentage": 80.0, "show_budget_to_all": False,
                        "created_at": stamp0, "updated_at": stamp0, "starts_on": stamp0[:10],
                        "ends_on": (self.history_start - timedelta(days=20)).isoformat(),
                        "over_budget_notification_date": None, "notes": "", "cost_budget": None,
                        "cost_budget_include_expenses": False, "hourly_rate": rate, "fee": None,
                        "client": {"id": c["id"], "name": c["name"], "currency": c["currency"]}}
            projects.append(archived)
            for role in ("dev", "meet"):
                tas.append({"id": self.next_id("ta"), "billable": True, "is_active": True,
                            "created_at": stamp0, "updated_at": stamp0, "hourly_rate": rate,
                            "budget": None, "project": {"id": archived["id"], "name": archived["name"], "code": "DISC"},
                            "task": {"id": self.tasks[role], "name": self.task_names[role]}})
            uas.append({"id": self.next_id("ua"), "is_project_manager": True, "is_active": True,
                        "use_default_rates": True, "budget": None, "created_at": stamp0,
                        "updated_at": stamp0, "hourly_rate": rate,
                        "project": {"id": archived["id"], "name": archived["name"], "code": "DISC"},
                        "user": {"id": users[0]["id"], "name": self.me.name}})
        self.h_projects = {p["id"]: p for p in projects}
        self.h_tasks = {t["id"]: t for t in tasks}
        self.h_users = {u["id"]: u for u in users}
        self.h_tas = {(ta["project"]["id"], ta["task"]["id"]): ta for ta in tas}
        self.h_uas = {(ua["user"]["id"], ua["project"]["id"]): ua for ua in uas}
        entries = []
        # The user's history: what they wrote at the end of each day (or on Friday).
        hist = {k: v for k, v in truth_cells.items() if date.fromisoformat(k[0]) < self.window[0]}
        for (d, pid, tid), cell in sorted(hist.items()):
            if r.random() < self.forget_rate:
                continue
            hours = math.ceil(cell["minutes"] / 60 / self.round_habit - 1e-9) * self.round_habit
            entries.append(self.entry(d, self.ids["me"], pid, tid, hours, self.notes(cell),
                                      self.entry_stamp(d)))
        if archived:
            for k in range(r.randint(4, 10)):
                d = (self.history_start - timedelta(days=r.randint(25, 80)))
                if d.weekday() < 5:
                    entries.append(self.entry(d.isoformat(), self.ids["me"], archived["id"],
                                              self.tasks[self.pick(["dev", "meet"])],
                                              self.pick([1.0, 2.0, 3.5, 0.5]),
                                              self.pick(["Discovery interviews", "Current state analysis",
                                                         "Stakeholder interviews", "Findings deck"]),
                                              self.entry_stamp(d.isoformat())))
        # A few entries in the window already tracked by hand.
        win = [(k, v) for k, v in sorted(truth_cells.items())
               if self.window[0] <= date.fromisoformat(k[0]) <= self.window[1] and v["minutes"] >= 30]
        self.tracked: dict[tuple, float] = {}
        for k, v in r.sample(win, min(len(win), r.randint(2, 4))):
            exact = v["minutes"] / 60
            x = r.random()
            if x < 0.6:
                hours = math.ceil(exact * 4 - 1e-9) / 4
            elif x < 0.85:
                hours = max(0.25, math.floor(exact * r.uniform(0.4, 0.9) * 4) / 4)   # only part of it
            else:
                hours = math.ceil(exact * 4 - 1e-9) / 4 + self.pick([0.25, 0.5])
            e = self.entry(k[0], self.ids["me"], k[1], k[2], hours, self.notes(v), self.entry_stamp(k[0]))
            entries.append(e)
            self.tracked[k] = self.tracked.get(k, 0) + hours
        # Colleagues' entries on the same projects (an admin sees them all).
        for u, q in self.colleague_users:
            mine = [p for p in self.projects if q in p.devs or p.internal]
            for d in daterange(self.history_start, self.window[1]):
                if d.weekday() >= 5 or r.random() < 0.2:
                    continue
                for p in r.sample(mine, min(len(mine), r.randint(1, 2))):
                    role = self.pick([ro for ro in p.tasks if ro in ("dev", "meet", "design", "admin")])
                    topic = self.pick(p.topics)[1]
                    entries.append(self.entry(d.isoformat(), u["id"], p.id, p.tasks[role],
                                              self.pick([1.0, 2.5, 3.0, 4.0, 0.75]),
                                              topic[:1].upper() + topic[1:],
                                              self.entry_stamp(d.isoformat())))
        company = {"base_uri": f"https://{self.firm_domain.split('.')[0]}.harvestapp.com",
                   "full_domain": f"{self.firm_domain.split('.')[0]}.harvestapp.com",
                   "name": self.firm, "is_active": True, "week_start_day": "Monday",
                   "wants_timestamp_timers": False, "time_format": "decimal",
                   "date_format": "%Y-%m-%d", "plan_type": "simple-v4", "expense_feature": True,
                   "invoice_feature": True, "estimate_feature": True, "approval_feature": False,
                   "team_feature": bool(self.firm_people), "clock": "24h",
                   "currency_code_display": "iso_code_none", "currency_symbol_display": "symbol_before",
                   "decimal_symbol": ".", "thousands_separator": ",", "color_scheme": "orange",
                   "weekly_capacity": self.weekly_capacity}
        return {"users/me": users[0], "company": company, "users": users, "clients": clients,
                "tasks": tasks, "projects": projects, "task_assignments": tas,
                "user_assignments": uas, "time_entries": entries}

    def user_obj(self, uid: int, first: str, last: str, email: str, me: bool) -> dict:
        stamp = iso(at(self.history_start - timedelta(days=90), 9 * 60, "UTC"))
        return {"id": uid, "first_name": first, "last_name": last, "email": email, "telephone": "",
                "timezone": ZONES[self.tzid][3], "has_access_to_all_future_projects": False,
                "is_contractor": False, "is_active": True, "created_at": stamp, "updated_at": stamp,
                "weekly_capacity": self.weekly_capacity if me else 144000,
                "default_hourly_rate": 120.0, "cost_rate": 60.0,
                "roles": ["Consultant"], "access_roles": ["administrator"] if me else ["member"],
                "avatar_url": f"https://cache.harvestapp.com/assets/profile_images/{first.lower()}.png"}

    def entry_stamp(self, d: str) -> str:
        day = date.fromisoformat(d)
        r = self.rng
        if r.random() < 0.35:   # filled in on Friday afternoon
            day = day + timedelta(days=max(0, 4 - day.weekday()))
        ts = at(day, r.randint(16 * 60 + 30, 18 * 60 + 45), self.tzid)
        ts = min(ts, at(self.window[1] + timedelta(days=1), 6 * 60, self.tzid))
        return iso(ts)

    def entry(self, d: str, uid: int, pid: int, tid: int, hours: float, notes: str | None,
              stamp: str) -> dict:
        p = self.h_projects[pid]
        ta = self.h_tas[(pid, tid)]
        ua = self.h_uas.get((uid, pid))
        u = self.h_users[uid]
        billable = bool(p["is_billable"] and ta["billable"])
        return {"id": self.next_id("entry"), "spent_date": d,
                "user": {"id": uid, "name": f"{u['first_name']} {u['last_name']}"},
                "client": {"id": p["client"]["id"], "name": p["client"]["name"]},
                "project": {"id": pid, "name": p["name"]},
                "task": {"id": tid, "name": self.h_tasks[tid]["name"]},
                "user_assignment": None if ua is None else {k: ua[k] for k in (
                    "id", "is_project_manager", "is_active", "budget", "created_at", "updated_at",
                    "hourly_rate")},
                "task_assignment": {k: ta[k] for k in ("id", "billable", "is_active", "created_at",
                                                        "updated_at", "hourly_rate", "budget")},
                "hours": round(hours, 2), "hours_without_timer": round(hours, 2),
                "rounded_hours": math.ceil(round(hours * 60, 6) / 15) * 15 / 60,
                "notes": notes, "created_at": stamp, "updated_at": stamp,
                "is_locked": False, "locked_reason": None, "is_closed": False, "is_billed": False,
                "timer_started_at": None, "started_time": None, "ended_time": None,
                "is_running": False, "invoice": None, "external_reference": None,
                "billable": billable, "budgeted": p["budget_by"] != "none",
                "billable_rate": p["hourly_rate"] if billable else None, "cost_rate": 60.0}

    def notes(self, cell: dict) -> str | None:
        """What the person writes for a day's project and task."""
        r = self.rng
        if r.random() < 0.04:
            return None
        parts = []
        seen = set()
        for b in cell["blocks"]:
            if b["kind"] == "meeting":
                n = b["note"]
                if n not in seen:
                    seen.add(n)
                    parts.append(n)
        coding = [b for b in cell["blocks"] if b["kind"] == "coding"]
        if coding:
            style = self.note_style if r.random() < 0.85 else self.pick(["repo", "jira", "prose"])
            by_repo: dict[str, list[tuple[str | None, str]]] = {}
            for b in coding:
                item = (b["ticket"], b["phrase"])
                lst = by_repo.setdefault(b["repos"][0], [])
                if item not in lst:
                    lst.append(item)
            if style == "repo":
                for repo, items in by_repo.items():
                    text = ", ".join(ph for _, ph in items)
                    keys = [k for k, _ in items if k]
                    if keys and r.random() < 0.5:
                        text += f" ({', '.join(keys)})"
                    parts.append(f"{repo}: {text}")
            elif style == "jira":
                for items in by_repo.values():
                    for k, ph in items:
                        parts.append(f"{k} {ph}" if k else ph)
            else:
                phrases = [ph for items in by_repo.values() for _, ph in items]
                text = " and ".join(phrases[:2]) + (", " + ", ".join(phrases[2:]) if phrases[2:] else "")
                parts.append(text[:1].upper() + text[1:])
        return "; ".join(parts)

    # -- config and truth ---------------------------------------------------------------------

    def write_config(self, outdir: str) -> list[dict]:
        r = self.rng
        lines = ["# gleaner config for the eval persona (placeholders filled by run_eval.py)",
                 "[user]", f"\temail = {self.work_email}"]
        if self.identity_mode == "config":
            lines.append(f"\temail = {self.personal_email}")
        ws, we = self.work_hours
        lines += [f"\ttimezone = {self.tzid}",
                  f"\tworkdays = {' '.join(DAY_NAMES[d] for d in self.workdays)}",
                  f"\tworkhours = {ws // 60:02d}:{ws % 60:02d}-{we // 60:02d}:{we % 60:02d}",
                  "[harvest]", "\taccount-id = @ACCOUNT_ID@", "\ttoken-file = @TOKEN_FILE@",
                  "\tbase-url = @BASE_URL@", "\tid-url = @ID_URL@",
                  '[calendar "work"]', "\tics = @PERSONA_DIR@/calendar.ics"]
        for p in self.projects:
            for rn in p.repos:
                lines += [f'[repo "{rn}"]', f"\tpath = @PERSONA_DIR@/repos/{rn}"]
        rules = []
        titles = sorted({o.title for o in self.occurrences})
        if self.internal and r.random() < 0.6:
            ititles = sorted({o.title for o in self.occurrences if o.event.project is self.internal
                              and o.event.task == "meet"})
            pat = "|".join(t.lower() for t in ititles)
            if pat and not re.search(r"[][.^$*+?(){}\\]", pat) and all((o.event.project is self.internal and o.event.task == "meet")
                           for o in self.occurrences if re.search(pat, o.title, re.I)
                           and o.verdict == "attended"):
                rules.append({"name": "internal", "source": "calendar", "match": pat,
                              "project": self.internal.code, "task": self.task_names["meet"]})
        if r.random() < 0.45:
            pat = "|".join(t.lower() for t in self.personal_titles)
            if not any(re.search(pat, o.title, re.I) for o in self.occurrences
                       if o.verdict == "attended"):
                rules.append({"name": "personal", "source": "calendar", "match": pat,
                              "project": "none"})
        if len(rules) < 2 and r.random() < 0.3:
            p = self.pick(self.projects)
            rules.append({"name": p.repos[0], "source": "git", "repo": p.repos[0],
                          "project": p.code, "task": self.task_names["dev"]})
        for rule in rules:
            lines.append(f'[rule "{rule["name"]}"]')
            for k in ("source", "match", "repo", "project", "task"):
                if k in rule:
                    lines.append(f"\t{k} = {rule[k]}")
        with open(os.path.join(outdir, "config"), "w") as f:
            f.write("\n".join(lines) + "\n")
        return rules


def esc(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def fold(line: str) -> str:
    """RFC 5545 folding at 75 octets, never inside a UTF-8 sequence."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    out, cur, limit = [], b"", 75
    for ch in line:
        b = ch.encode()
        if len(cur) + len(b) > limit:
            out.append(cur.decode())
            cur, limit = b"", 74
        cur += b
    out.append(cur.decode())
    return "\r\n ".join(out)


# -- entry point -----------------------------------------------------------------------------

def generate(seed: int, outdir: str) -> dict:
    """Build persona `seed` into `outdir` (created; must not exist or be empty); return truth."""
    outdir = os.path.abspath(outdir)
    os.makedirs(outdir, exist_ok=True)
    if os.listdir(outdir):
        raise ValueError(f"{outdir} is not empty")
    g = Gen(seed)
    g.build_persona()
    g.build_projects()
    g.build_calendar()
    g.simulate()
    g.colleagues()
    g.write_calendar(outdir)
    g.write_repos(outdir)
    # The truth timesheet.
    cells: dict[tuple, dict] = {}
    for b in sorted(g.blocks, key=lambda b: b["start"]):
        k = (b["date"], b["project"], b["task"])
        c = cells.setdefault(k, {"minutes": 0.0, "blocks": []})
        c["minutes"] += (b["end"] - b["start"]) / 60
        c["blocks"].append(b)
    harvest = g.harvest(cells)
    rules = g.write_config(outdir)
    with open(os.path.join(outdir, "harvest.json"), "w") as f:
        json.dump(harvest, f, indent=1, sort_keys=False)
    w0, w1 = g.window
    in_window = lambda d: w0.isoformat() <= d <= w1.isoformat()   # noqa: E731
    names = {p.id: p.name for p in g.projects}
    tnames = {tid: g.task_names[ro] for ro, tid in g.tasks.items()}
    truth_cells = []
    for (d, pid, tid), c in sorted(cells.items()):
        if not in_window(d):
            continue
        truth_cells.append({
            "date": d, "project_id": pid, "task_id": tid, "project": names[pid],
            "task": tnames[tid], "minutes": round(c["minutes"], 2),
            "hours": round(c["minutes"] / 60, 4),
            "rounded_hours": math.ceil(round(c["minutes"], 6) / 15 - 1e-9) * 0.25,
            "tracked_hours": g.tracked.get((d, pid, tid), 0.0),
            "items": [f"{b['kind']} {iso(b['start'])[11:16]}-{iso(b['end'])[11:16]}Z {b['what']}"
                      for b in c["blocks"]]})
    win_blocks = [b for b in g.blocks if in_window(b["date"])]
    occurrences = [{"key": o.key, "title": o.title, "start": iso(o.start), "end": iso(o.end),
                    "verdict": o.verdict, "kind": o.event.kind,
                    "project_id": o.event.project.id if o.event.project else None,
                    "task_id": o.event.project.tasks[o.event.task] if o.event.project and o.event.task else None}
                   for o in g.occurrences
                   if in_window(local_date(o.start, g.tzid).isoformat())
                   or (o.event.all_day and in_window((o.event.all_day + timedelta(days=o.event.all_day_days - 1)).isoformat()))]
    commits = [{"sha": c.sha, "repo": c.repo, "time": iso(c.time), "email": c.email,
                "user": c.user, "session": c.session, "project_id": c.project,
                "branch": c.branch, "merge": bool(c.merge_of), "message": c.message.split("\n")[0],
                "committer_time": iso(c.committer_time) if c.committer_time else None}
               for c in sorted(g.commits, key=lambda c: (c.time, c.seq)) if c.sha
               and in_window(local_date(c.time, g.tzid).isoformat())]
    far = [o for o in g.occurrences if getattr(o.event, "far", False)
           and in_window(local_date(o.start, g.tzid).isoformat())]
    truth = {
        "seed": seed,
        "persona": {"name": g.me.name, "emails": [g.work_email, g.personal_email],
                    "identity_mode": g.identity_mode, "timezone": g.tzid,
                    "workdays": [DAY_NAMES[d] for d in g.workdays],
                    "workhours": [g.work_hours[0], g.work_hours[1]],
                    "weekly_capacity": g.weekly_capacity, "firm": g.firm,
                    "note_style": g.note_style, "history_weeks": g.history_weeks,
                    "vacation": [d.isoformat() for d in g.vacation],
                    "vacation_auto_declined": g.auto_decline, "rules": rules,
                    "far_call_local_times": sorted({datetime.fromtimestamp(o.start, ZoneInfo(g.tzid)).strftime('%a %m-%d %H:%M') for o in far})},
        "window": {"from": w0.isoformat(), "to": w1.isoformat()},
        "now": iso(at(w1 + timedelta(days=1), 8 * 60, g.tzid)),
        "projects": [{"id": p.id, "code": p.code, "name": p.name, "client": p.client["name"],
                      "repos": p.repos, "jira": p.jira, "tasks": {g.task_names[r]: t for r, t in p.tasks.items()},
                      "internal": p.internal} for p in g.projects],
        "dev_task_id": g.tasks["dev"],
        "repos": [rn for p in g.projects for rn in p.repos],
        "cells": truth_cells,
        "coding_minutes": round(sum((b["end"] - b["start"]) / 60 for b in win_blocks
                                    if b["kind"] == "coding"), 2),
        "meeting_minutes": round(sum((b["end"] - b["start"]) / 60 for b in win_blocks
                                     if b["kind"] == "meeting"), 2),
        "blocks": [{**{k: v for k, v in b.items() if k not in ("start", "end")},
                    "start": iso(b["start"]), "end": iso(b["end"])} for b in sorted(win_blocks, key=lambda b: b["start"])],
        "occurrences": occurrences,
        "commits": commits,
    }
    with open(os.path.join(outdir, "truth.json"), "w") as f:
        json.dump(truth, f, indent=1)
    return truth


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: personas.py SEED OUTDIR", file=sys.stderr)
        return 2
    seed, outdir = int(argv[1]), argv[2]
    t = generate(seed, outdir)
    p = t["persona"]
    print(f"seed {seed}: {p['name']} ({p['timezone']}, {p['identity_mode']} identities), "
          f"window {t['window']['from']}..{t['window']['to']}, {len(t['projects'])} projects, "
          f"{len(t['cells'])} truth cells, {sum(c['hours'] for c in t['cells']):.2f} h "
          f"({t['coding_minutes'] / 60:.2f} h coding), {len(t['commits'])} commits in the window")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
