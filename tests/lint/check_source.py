#!/usr/bin/env python3
"""Source checks that a compiler does not make: the floors, banned functions,
the one clock, include guards, and every source file built.

Floors (arrows only downward):
    agent/                      may include anything below
    rules/, connectors/         may include util/ and their own floor
    util/                       only util/
"""
import re
import sys
from pathlib import Path

ROOT = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2])
PRODUCT = ["util", "connectors", "rules", "agent"]
ALLOWED = {
    "util": {"util"},
    "connectors": {"util", "connectors"},
    "rules": {"util", "rules"},
    "agent": {"util", "connectors", "rules", "agent"},
}
BANNED = re.compile(r"\b(strcpy|strcat|sprintf|vsprintf|atoi|atol|atoll|atof|strtok|gets|sscanf)\s*\(")
CLOCK = re.compile(r"\b(time\s*\(\s*(NULL|0|&)|gettimeofday\s*\(|clock_gettime\s*\(|"
                   r"(?<![a-z_])sleep\s*\(|usleep\s*\(|nanosleep\s*\()")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/', re.M)


def strip_comments_and_strings(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r'"(\\.|[^"\\\n])*"', '""', text)


def main() -> int:
    problems = []
    cmake = (ROOT / "CMakeLists.txt").read_text()
    for floor in PRODUCT:
        for path in sorted((ROOT / floor).glob("*.[ch]")):
            rel = path.relative_to(ROOT).as_posix()
            text = path.read_text()
            code = strip_comments_and_strings(text)
            for m in INCLUDE.finditer(text):
                if m.group(1) not in ALLOWED[floor]:
                    problems.append(f"{rel}: includes {m.group(1)}/ from the {floor}/ floor")
            for lineno, line in enumerate(code.splitlines(), 1):
                if BANNED.search(line):
                    problems.append(f"{rel}:{lineno}: banned function: {line.strip()}")
                if rel != "util/clock.c" and CLOCK.search(line):
                    problems.append(f"{rel}:{lineno}: time or sleep outside util/clock.c "
                                    f"(take a gl_clock): {line.strip()}")
            if path.suffix == ".h" and not re.search(r"#ifndef GL_\w+_H\s*\n#define GL_\w+_H", text):
                problems.append(f"{rel}: no GL_*_H include guard")
            if path.suffix == ".c" and path.name != "main.c" and rel not in cmake:
                problems.append(f"{rel}: not listed in CMakeLists.txt")
    for p in problems:
        print(p)
    print(f"check_source: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
