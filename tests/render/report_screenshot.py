#!/usr/bin/env python3
"""report_screenshot.py - the weekly report's HTML as a mail client would show it, in a picture.

Runs the real binary against the fake Harvest (on 127.0.0.1; no account, no network) for the
week 2026-W47, writes the HTML that `gleaner report weekly --format html` prints (the same page
`--send` mails), and has headless Chromium render it to a PNG at a mail client's width, once as
it comes and once with the HTML part alone in a 600-pixel column (as a phone's mail app shows
it). A person looks at the pictures; nothing here asserts how they look.

    python3 tests/render/report_screenshot.py [--gleaner build/gleaner] [--out DIR]

Needs Debian's chromium (apt-get install chromium); test-only, not part of ctest.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "fakes"))

from fake_harvest import FakeHarvest  # noqa: E402

NOW = "2026-11-21T10:00:00Z"  # the Saturday of 2026-W47


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def render(browser: str, page: Path, png: Path, width: int, height: int) -> None:
    subprocess.run([browser, "--headless=new", "--no-sandbox", "--disable-gpu",
                    "--hide-scrollbars", f"--window-size={width},{height}",
                    f"--screenshot={png}", page.as_uri()],
                   check=True, capture_output=True, timeout=120)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gleaner", default=os.environ.get("GLEANER_BIN", "build/gleaner"))
    ap.add_argument("--out", default="report-render", help="where the HTML and PNGs go")
    args = ap.parse_args()
    browser = chromium()
    if not browser:
        print("report_screenshot: no chromium here (apt-get install chromium)", file=sys.stderr)
        return 1
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="gleaner-render-") as home, FakeHarvest() as fh:
        with fh.server.lock:   # a name that is not ASCII, as a real team has
            for user in fh.state["users"].values():
                if user["first_name"] == "Charles":
                    user["last_name"] = "Bäbbage"
        fh.set_now(None)
        cfg = Path(home, ".config", "gleaner")
        cfg.mkdir(parents=True)
        token = cfg / "harvest.token"
        token.write_text(fh.PAT + "\n")
        token.chmod(0o600)
        (cfg / "config").write_text(
            "[user]\n\temail = ada@example.com\n\ttimezone = Europe/Berlin\n"
            f"[harvest]\n\tbase-url = {fh.api_url}\n\tid-url = {fh.url}\n"
            f"\taccount-id = {fh.ACCOUNT_ID}\n\ttoken-file = {token}\n")
        env = dict(os.environ, HOME=home, GLEANER_TEST_NOW=NOW, XDG_CONFIG_HOME=str(cfg.parent),
                   XDG_DATA_HOME=str(Path(home, ".local", "share")))
        r = subprocess.run([args.gleaner, "report", "weekly", "--week", "2026-W47", "--format",
                            "html"], env=env, capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            print(r.stderr, file=sys.stderr)
            return 1
    page = out / "report.html"
    page.write_text(r.stdout)
    wide, narrow = out / "report-800.png", out / "report-600.png"
    render(browser, page, wide, 800, 900)
    render(browser, page, narrow, 600, 1100)
    for p in (page, wide, narrow):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
