"""Shared helpers for end-to-end tests: run the real gleaner binary in an
isolated home directory and check what it prints and how it exits.

Every run gets HOME pointed at a fresh temporary directory and none of the
caller's GLEANER_* or XDG_* variables, so a test never sees (or touches) the
developer's own configuration or store.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

SOURCE_DIR = Path(os.environ.get("GLEANER_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BIN = str(Path(os.environ.get("GLEANER_BIN", SOURCE_DIR / "build" / "gleaner")).resolve())
# A command to run gleaner under, e.g. valgrind (set by -DGLEANER_VALGRIND=ON).
WRAPPER = os.environ.get("GLEANER_WRAPPER", "").split()
sys.path.insert(0, str(SOURCE_DIR / "tests" / "fakes"))


class Result:
    def __init__(self, proc: subprocess.CompletedProcess):
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def json(self):
        return json.loads(self.out)

    def __repr__(self):
        return f"exit {self.code}\n--- stdout\n{self.out}--- stderr\n{self.err}"


class GleanerTestCase(unittest.TestCase):
    """A test with its own HOME; self.run_gleaner(...) runs the binary there."""

    def setUp(self):
        self.home = Path(tempfile.mkdtemp(prefix="gleaner-e2e-"))
        self.addCleanup(shutil.rmtree, self.home, ignore_errors=True)
        self.env = {
            "HOME": str(self.home),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "TZ": "UTC",
        }
        for key in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if key in os.environ:
                self.env[key] = os.environ[key]

    @property
    def config_path(self) -> Path:
        return self.home / ".config" / "gleaner" / "config"

    @property
    def db_path(self) -> Path:
        return self.home / ".local" / "share" / "gleaner" / "gleaner.db"

    def run_gleaner(self, *args, env=None, stdin=None, timeout=60) -> Result:
        full_env = dict(self.env)
        full_env.update(env or {})
        proc = subprocess.run([*WRAPPER, BIN, *args], env=full_env, input=stdin,
                              capture_output=True, text=True, timeout=timeout * (10 if WRAPPER else 1),
                              cwd=self.home)
        # A sanitizer report is a failure whatever the exit status says.
        for marker in ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer",
                       "Invalid read", "Invalid write", "definitely lost", "uninitialised"):
            if marker in proc.stderr:
                self.fail(f"sanitizer report from gleaner {' '.join(args)}:\n{proc.stderr}")
        return Result(proc)

    def write(self, relpath: str, text: str, mode: int = 0o600) -> Path:
        path = self.home / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(mode)
        return path

    def assertExit(self, result: Result, code: int):
        self.assertEqual(result.code, code, repr(result))

    def assertOneLineError(self, result: Result, code: int, *words):
        """Exit `code`, nothing on stdout, one line on stderr containing `words`."""
        self.assertExit(result, code)
        lines = result.err.strip("\n").split("\n")
        self.assertEqual(len(lines), 1, f"expected one line on stderr:\n{result.err}")
        self.assertTrue(lines[0].startswith("gleaner"), result.err)
        for w in words:
            self.assertIn(w, lines[0])


def main():
    unittest.main(verbosity=2)
