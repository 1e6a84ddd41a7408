#!/usr/bin/env python3
"""The man page and the shell completions against the command table.

    check_completions.py [--gleaner BIN] [SOURCE_DIR]

Reads `gleaner --help` and every `gleaner CMD --help` (the table in
agent/cli.c, as the binary prints it) and fails when a command, a global
option, a command's option or a sub-command word (auth harvest|google, sync
harvest|jira|..., report weekly) is missing from, or stale in:

  contrib/completions/gleaner.bash   the case table in _gleaner_options
  contrib/completions/_gleaner       the (CMD) branches of _gleaner
  contrib/gleaner.1                  the ".SS gleaner CMD" subsections

The man page must also say "not in this version" exactly for what --help
marks so, and have every section and environment variable it should.

Then it runs the completions: bash (when installed) sources gleaner.bash and
calls _gleaner with COMP_WORDS/COMP_CWORD set, once plainly and once after
bash-completion's helpers when those are installed; zsh (when installed)
checks the syntax and, with its zpty module, completes real command lines
through compinit. groff and mandoc (when installed) lint the man page.

BIN defaults to $GLEANER_BIN, else SOURCE_DIR/build/gleaner; SOURCE_DIR to
the checkout this file is in. Prints every problem and exits 1 if any.
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

problems = []
notes = []


def problem(msg):
    problems.append(msg)
    print(f"FAIL: {msg}")


def note(msg):
    notes.append(msg)
    print(f"note: {msg}")


# ------------------------------------------------------------------ --help

class Command:
    def __init__(self, name, summary, later):
        self.name = name
        self.summary = summary
        self.later = later          # "(not in this version)" in gleaner --help
        self.usage = ""
        self.description = ""
        self.options = {}           # "--name" -> argument name or None
        self.shorts = {}            # "-x" -> "--name"
        self.subcommands = []       # harvest google ... (first words of the usage)
        self.later_subcommands = []  # jira xero quickbooks (not in this version)

    @property
    def long_options(self):
        return set(self.options)

    @property
    def all_options(self):
        return set(self.options) | set(self.shorts)


OPTION_LINE = re.compile(r"^\s+(?:(-[A-Za-z0-9]), )?(--[a-z0-9][a-z0-9-]*)(?: (\S+))?\s{2,}\S")


def parse_options(lines):
    options, shorts = {}, {}
    for line in lines:
        m = OPTION_LINE.match(line)
        if m:
            options[m.group(2)] = m.group(3)
            if m.group(1):
                shorts[m.group(1)] = m.group(2)
    return options, shorts


def sections(text):
    """{heading: [lines]} for 'heading:' lines of a help text."""
    out, current = {}, None
    for line in text.splitlines():
        m = re.match(r"^([a-z][a-z ]*):$", line)
        if m:
            current = m.group(1)
            out[current] = []
        elif current is not None:
            if not line.strip():
                current = None
            else:
                out[current].append(line)
    return out


def run_help(env, *args):
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        problem(f"{' '.join(args[1:])}: exit status {proc.returncode}: {proc.stderr.strip()}")
    return proc.stdout


def read_table(gleaner, env):
    text = run_help(env, gleaner, "--help")
    secs = sections(text)
    commands = {}
    for heading, lines in secs.items():
        if "options" in heading:
            continue
        for line in lines:
            m = re.match(r"^  ([a-z][a-z-]*)\s{2,}(.*)$", line)
            if m:
                later = "(not in this version)" in m.group(2)
                commands[m.group(1)] = Command(m.group(1), m.group(2), later)
    global_options, global_shorts = parse_options(secs.get("global options", []))
    env_vars = set()
    m = re.search(r"Environment:(.*?)(?:\. Run|\Z)", text, re.S)
    if m:
        env_vars = set(re.findall(r"\b[A-Z][A-Z0-9_]{2,}\b", m.group(1)))
    if not commands:
        problem("gleaner --help lists no commands (has its format changed?)")
    if "--config" not in global_options:
        problem("gleaner --help lists no global options (has its format changed?)")

    for cmd in commands.values():
        text = run_help(env, gleaner, cmd.name, "--help")
        m = re.match(rf"usage: gleaner {re.escape(cmd.name)} ?(.*)", text)
        cmd.usage = m.group(1).strip() if m else ""
        body = text.split("\n\n", 1)[1] if "\n\n" in text else ""
        cmd.description = body.split("\noptions:\n")[0].split("\nglobal options:\n")[0]
        cmd.options, cmd.shorts = parse_options(sections(text).get("options", []))
        # A command that is not in this version has no option table: its
        # usage line is what it will take.
        for opt in re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)(?: ([A-Z][A-Za-z0-9-]*))?",
                              cmd.usage):
            if opt[0] not in cmd.options and opt[0] not in global_options:
                cmd.options[opt[0]] = opt[1] or None
        for alt in cmd.usage.split("|"):
            words = alt.split()
            if words and re.fullmatch(r"[a-z][a-z-]*", words[0]) and words[0] not in cmd.subcommands:
                cmd.subcommands.append(words[0])
        m = re.search(r"^([a-z]+(?:, [a-z]+)*(?:,? and [a-z]+)?) (?:is|are) not available "
                      r"in this version", cmd.description, re.M)
        if m and cmd.subcommands:
            cmd.later_subcommands = re.findall(r"[a-z]+", m.group(1).replace(" and ", " "))
    return commands, global_options, global_shorts, env_vars


# --------------------------------------------------------- the bash file

def check_bash_text(path, commands, global_options, global_shorts):
    text = path.read_text()
    m = re.search(r"^_gleaner_commands='([^']*)'", text, re.M)
    listed = set(m.group(1).split()) if m else set()
    if not m:
        problem(f"{path.name}: no _gleaner_commands='...' list")
    for name in sorted(set(commands) - listed):
        problem(f"{path.name}: command '{name}' missing from _gleaner_commands")
    for name in sorted(listed - set(commands) - {"help"}):
        problem(f"{path.name}: _gleaner_commands has '{name}', which gleaner --help does not list")

    m = re.search(r"^_gleaner_global_options='([^']*)'", text, re.M)
    listed = {w.rstrip("=") for w in m.group(1).split()} if m else set()
    want = set(global_options) | set(global_shorts)
    for opt in sorted(want - listed):
        problem(f"{path.name}: global option {opt} missing from _gleaner_global_options")
    for opt in sorted(listed - want):
        problem(f"{path.name}: _gleaner_global_options has {opt}, which gleaner --help does not")
    if m:
        for word in m.group(1).split():
            opt = word.rstrip("=")
            if opt in global_options and (global_options[opt] is not None) != word.endswith("="):
                problem(f"{path.name}: global option {opt}: '=' (takes a value) is wrong")

    table = {}
    for m in re.finditer(r"^\s+([a-z][a-z-]*)\)\s*opts='([^']*)'\s*;;", text, re.M):
        table[m.group(1)] = m.group(2).split()
    for cmd in commands.values():
        if cmd.name not in table:
            problem(f"{path.name}: command '{cmd.name}' has no line in _gleaner_options")
            continue
        words = table[cmd.name]
        listed = {w.rstrip("=") for w in words}
        for opt in sorted(cmd.all_options - listed):
            problem(f"{path.name}: {cmd.name}: option {opt} missing")
        for opt in sorted(listed - cmd.all_options):
            problem(f"{path.name}: {cmd.name}: option {opt} is not in gleaner {cmd.name} --help")
        for word in words:
            opt = word.rstrip("=")
            if opt in cmd.options and (cmd.options[opt] is not None) != word.endswith("="):
                problem(f"{path.name}: {cmd.name}: option {opt}: '=' (takes a value) is wrong")
        for sub in cmd.subcommands + cmd.later_subcommands:
            if not re.search(rf"^\s+{re.escape(cmd.name)}\).*'[^']*\b{re.escape(sub)}\b", text,
                             re.M):
                problem(f"{path.name}: {cmd.name}: sub-command '{sub}' is not completed")
    for name in sorted(set(table) - set(commands) - {"help"}):
        problem(f"{path.name}: _gleaner_options has '{name}', which gleaner --help does not list")


# ---------------------------------------------------------- the zsh file

SPEC_OPTION = re.compile(r"^\s*'(?:\([^)]*\))?\*?(-{1,2}[A-Za-z0-9][A-Za-z0-9-]*)")
SPEC_BRACES = re.compile(r"\{(-[^{},]+(?:,-[^{},]+)+)\}")


def spec_options(block):
    found = set()
    for line in block.splitlines():
        m = SPEC_OPTION.match(line)
        if m:
            found.add(m.group(1))
        for m in SPEC_BRACES.finditer(line):
            found.update(m.group(1).split(","))
    return found


def check_zsh_text(path, commands, global_options, global_shorts):
    text = path.read_text()
    if not text.startswith("#compdef gleaner"):
        problem(f"{path.name}: the first line is not '#compdef gleaner'")
    m = re.search(r"^\s*commands=\((.*?)^\s*\)", text, re.M | re.S)
    listed = set(re.findall(r"^\s*['\"]([a-z][a-z-]*):", m.group(1), re.M)) if m else set()
    if not m:
        problem(f"{path.name}: no commands=( ... ) list")
    for name in sorted(set(commands) - listed):
        problem(f"{path.name}: command '{name}' missing from the commands list")
    for name in sorted(listed - set(commands) - {"help"}):
        problem(f"{path.name}: commands list has '{name}', which gleaner --help does not list")

    m = re.search(r"^\s*global_opts=\((.*?)^\s*\)", text, re.M | re.S)
    listed = spec_options(m.group(1)) if m else set()
    want = set(global_options) | set(global_shorts)
    for opt in sorted(want - listed):
        problem(f"{path.name}: global option {opt} missing from global_opts")
    for opt in sorted(listed - want):
        problem(f"{path.name}: global_opts has {opt}, which gleaner --help does not")

    branches = {}
    for m in re.finditer(r"^\s*\(([a-z][a-z-]*)\)\s*\n(.*?)^\s*;;", text, re.M | re.S):
        branches[m.group(1)] = m.group(2)
    for cmd in commands.values():
        block = branches.get(cmd.name)
        if block is None:
            problem(f"{path.name}: command '{cmd.name}' has no ({cmd.name}) branch")
            continue
        if "$global_opts" not in block:
            problem(f"{path.name}: {cmd.name}: the branch does not offer $global_opts")
        listed = spec_options(block)
        for opt in sorted(cmd.all_options - listed):
            problem(f"{path.name}: {cmd.name}: option {opt} missing")
        for opt in sorted(listed - cmd.all_options):
            problem(f"{path.name}: {cmd.name}: option {opt} is not in gleaner {cmd.name} --help")
        for sub in cmd.subcommands + cmd.later_subcommands:
            if not re.search(rf"[(\s]{re.escape(sub)}\\:", block):
                problem(f"{path.name}: {cmd.name}: sub-command '{sub}' is not completed")
    for name in sorted(set(branches) - set(commands) - {"help"}):
        problem(f"{path.name}: branch ({name}) is not a command gleaner --help lists")


# ---------------------------------------------------------- the man page

REQUIRED_SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "GLOBAL OPTIONS",
                     "CONFIGURATION", "ENVIRONMENT", "FILES", "EXIT STATUS", "EXAMPLES",
                     "SEE ALSO"]
REQUIRED_ENV = ["GLEANER_CONFIG", "GLEANER_DB", "GLEANER_TRACE", "NO_COLOR", "XDG_CONFIG_HOME",
                "XDG_DATA_HOME", "GLEANER_TEST_NOW"]


def unroff(text):
    text = re.sub(r"\\f(\[[^]]*\]|\(..|.)", "", text)
    for a, b in (("\\-", "-"), ("\\(dq", '"'), ("\\(aq", "'"), ("\\(lq", '"'), ("\\(rq", '"'),
                 ("\\(ti", "~"), ("\\e", "\\"), ("\\&", ""), ("\\ ", " "), ("\\c", "")):
        text = text.replace(a, b)
    return text


def has_option(text, opt):
    return re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", text) is not None


def check_man(path, commands, global_options, global_shorts, env_vars):
    lines = path.read_text().splitlines()
    secs, subsecs, cur_sec, cur_sub = {}, {}, None, None
    for line in lines:
        if line.startswith(".\\\""):
            continue
        m = re.match(r"^\.SH\s+\"?(.*?)\"?\s*$", line)
        if m:
            cur_sec, cur_sub = unroff(m.group(1)), None
            secs[cur_sec] = []
            continue
        m = re.match(r"^\.SS\s+\"?(.*?)\"?\s*$", line)
        if m and cur_sec == "COMMANDS":
            title = unroff(m.group(1))
            w = title.split()
            if len(w) < 2 or w[0] != "gleaner":
                problem(f"{path.name}: COMMANDS: subsection '{title}' is not 'gleaner CMD ...'")
                cur_sub = None
                continue
            cur_sub = w[1]
            if cur_sub in subsecs:
                problem(f"{path.name}: command '{cur_sub}' has two subsections")
            subsecs[cur_sub] = [title]
            continue
        if cur_sec is not None:
            secs[cur_sec].append(line)
        if cur_sub is not None and cur_sec == "COMMANDS":
            subsecs[cur_sub].append(line)

    if not re.match(r"^\.TH GLEANER 1 ", next((l for l in lines if l.startswith(".TH")), "")):
        problem(f"{path.name}: no '.TH GLEANER 1 ...' line")
    for sec in REQUIRED_SECTIONS:
        if sec not in secs:
            problem(f"{path.name}: no {sec} section")

    for cmd in commands.values():
        if cmd.name not in subsecs:
            problem(f"{path.name}: command '{cmd.name}' has no '.SS gleaner {cmd.name}' "
                    "subsection under COMMANDS")
            continue
        block = unroff("\n".join(subsecs[cmd.name]))
        # Each option of the table has a .TP entry of its own (the line after
        # .TP is its tag); an option only a usage line knows of (a command not
        # in this version) need only be named.
        body = subsecs[cmd.name][1:]
        tags = unroff("\n".join(body[i + 1] for i, l in enumerate(body[:-1])
                                if l.strip() == ".TP"))
        for opt in sorted(cmd.all_options):
            if not has_option(tags if not cmd.later else block, opt):
                problem(f"{path.name}: {cmd.name}: option {opt} has no .TP entry")
        for sub in cmd.subcommands + cmd.later_subcommands:
            if not re.search(rf"\b{re.escape(sub)}\b", block):
                problem(f"{path.name}: {cmd.name}: sub-command '{sub}' is not described")
        says_later = "not in this version" in block.lower()
        if cmd.later and not says_later:
            problem(f"{path.name}: {cmd.name}: gleaner --help says it is not in this version; "
                    "the man page does not")
        if not cmd.later and says_later and not cmd.later_subcommands:
            problem(f"{path.name}: {cmd.name}: the man page says 'not in this version', "
                    "but gleaner --help lists it as available")
        for sub in cmd.later_subcommands:
            if not says_later:
                problem(f"{path.name}: {cmd.name}: does not say '{sub}' is not in this version")
    for name in sorted(set(subsecs) - set(commands)):
        problem(f"{path.name}: subsection for '{name}', which gleaner --help does not list")

    glob = unroff("\n".join(secs.get("GLOBAL OPTIONS", [])))
    for opt in sorted(set(global_options) | set(global_shorts)):
        if not has_option(glob, opt):
            problem(f"{path.name}: GLOBAL OPTIONS: {opt} is not described")
    envsec = unroff("\n".join(secs.get("ENVIRONMENT", [])))
    for var in sorted(set(REQUIRED_ENV) | env_vars):
        if not re.search(rf"^\.[BI]R? {var}\b", envsec, re.M):
            problem(f"{path.name}: ENVIRONMENT: {var} has no entry")
    status = unroff("\n".join(secs.get("EXIT STATUS", [])))
    for code in ("0", "1", "2"):
        if not re.search(rf"^\.B {code}\s*$", status, re.M):
            problem(f"{path.name}: EXIT STATUS: no entry for {code}")


def lint_man(path):
    if shutil.which("groff"):
        proc = subprocess.run(["groff", "-man", "-ww", "-z", str(path)], capture_output=True,
                              text=True, timeout=60)
        if proc.returncode != 0 or proc.stderr.strip():
            problem(f"groff -man -ww -z {path.name}: {proc.stderr.strip() or proc.returncode}")
        proc = subprocess.run(["groff", "-man", "-Tutf8", "-ww", str(path)], capture_output=True,
                              text=True, timeout=60)
        rendered = re.sub(r".\x08|\x1b\[[0-9;]*m", "", proc.stdout)
        if proc.returncode != 0 or proc.stderr.strip() or "COMMANDS" not in rendered:
            problem(f"groff -man -Tutf8 {path.name}: {proc.stderr.strip() or 'no output'}")
    else:
        note("groff is not installed: the man page is not linted with it")
    if shutil.which("mandoc"):
        proc = subprocess.run(["mandoc", "-Tlint", "-Wwarning", str(path)], capture_output=True,
                              text=True, timeout=60)
        if proc.returncode != 0:
            problem(f"mandoc -Tlint {path.name}:\n{(proc.stdout + proc.stderr).strip()}")
    else:
        note("mandoc is not installed: the man page is not linted with it")


# ---------------------------------------------------- running the completions

BASH_DRIVER = r'''
if [[ -n $GL_BASH_COMPLETION ]]; then
    . "$GL_BASH_COMPLETION" || exit 97
fi
. "$GL_COMPLETION" || exit 98
complete -p gleaner >/dev/null 2>&1 || { echo 'NOT-REGISTERED'; exit 99; }
run_case()
{
    local id=$1
    shift
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    # The line as typed: words joined by spaces, '=' glued to its neighbours.
    COMP_LINE="$*"
    COMP_LINE=${COMP_LINE// = /=}
    [[ ${COMP_WORDS[COMP_CWORD]} == = ]] && COMP_LINE=${COMP_LINE% =}=
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _gleaner "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" \
        2>/dev/null
    printf 'CASE %s' "$id"
    printf '\t%s' "${COMPREPLY[@]}"
    printf '\n'
}
'''


def tools_of(gleaner, env):
    proc = subprocess.run([gleaner, "harvest", "--list"], env=env, capture_output=True,
                          text=True, timeout=60)
    tools = {m.group(1) for m in re.finditer(r"^([a-z][a-z0-9_]*)[ \t]", proc.stdout, re.M)}
    if not tools:
        problem("gleaner harvest --list lists no tools")
    return tools


def make_fixture(tmp):
    """A scratch directory with a config naming one calendar and one repository."""
    files = tmp / "files"
    (files / "sub").mkdir(parents=True)
    for name in ("a.conf", "b.db", "token"):
        (files / name).write_text("x\n")
    config = tmp / "config"
    config.write_text('[user]\n\temail = ada@example.com\n\ttimezone = Europe/Berlin\n'
                      '[calendar "work"]\n\tics = %s/work.ics\n'
                      '[repo "web"]\n\tpath = %s\n' % (tmp, files))
    return files, config


def completion_cases(gleaner, commands, global_options, global_shorts, tools, files, config):
    """(words, check, what) where check(candidates) returns a problem or None."""
    g = gleaner
    cases = []

    def exact(want):
        want = set(want)
        return lambda got: (None if set(got) == want else
                            "missing %s; unexpected %s" % (sorted(want - set(got)) or "nothing",
                                                           sorted(set(got) - want) or "nothing"))

    def includes(want, without=()):
        want, without = set(want), set(without)
        return lambda got: (None if want <= set(got) and not without & set(got) else
                            "missing %s; should not offer %s; offered %s" %
                            (sorted(want - set(got)), sorted(without & set(got)), sorted(got)))

    glong = {o for o in global_options}
    cases.append(([g, ""], exact(set(commands) | {"help"}), "the commands"))
    cases.append(([g, "--"], exact(glong), "the global options"))
    cases.append(([g, "-"], exact(glong | set(global_shorts)), "the global options, short too"))
    cases.append(([g, "help", ""], exact(set(commands)), "help COMMAND"))
    for cmd in commands.values():
        cases.append(([g, cmd.name, "--"], exact(cmd.long_options | glong),
                      f"the options of {cmd.name}"))
        if cmd.subcommands:
            cases.append(([g, cmd.name, ""], exact(cmd.subcommands + cmd.later_subcommands),
                          f"the sub-commands of {cmd.name}"))
            cases.append(([g, cmd.name, cmd.subcommands[0], "--"],
                          exact(cmd.long_options | glong),
                          f"the options of {cmd.name} {cmd.subcommands[0]}"))
    cases += [
        ([g, "auth", ""], exact({"harvest", "google"}), "auth harvest|google"),
        ([g, "sync", ""], exact({"harvest", "jira", "xero", "quickbooks"}),
         "sync harvest|jira|xero|quickbooks"),
        ([g, "report", ""], exact({"weekly"}), "report weekly"),
        ([g, "report", "weekly", "--format", ""], exact({"text", "html", "csv", "json"}),
         "--format values"),
        ([g, "report", "weekly", "--format", "=", "c"], exact({"csv"}), "--format=c"),
        ([g, "harvest", ""], exact(tools), "harvest TOOL from gleaner harvest --list"),
        ([g, "harvest", "--schema", ""], exact(tools), "harvest --schema TOOL"),
        ([g, "harvest", "--schema", "="], exact(tools), "harvest --schema=TOOL"),
        ([g, "propose", "--from", ""], exact({"today", "yesterday"}), "--from D"),
        ([g, "propose", "--from", "=", "y"], exact({"yesterday"}), "--from=y"),
        ([g, "day", ""], exact({"today", "yesterday"}), "day D"),
        ([g, "collect", "--source", ""], exact({"calendar:", "git:"}),
         "collect --source without a config"),
        ([g, "--config", str(config), "collect", "--source", ""],
         exact({"calendar:work", "git:web"}), "collect --source from the config"),
        ([g, "--config", "=", str(config), "activities", "--source", "g"], exact({"git:web"}),
         "activities --source after --config=FILE"),
        ([g, "--config", str(config), "config", "user.e"], exact({"user.email"}),
         "config NAME from the config"),
        ([g, "--config", f"{files}/"], includes({f"{files}/a.conf", f"{files}/sub"}),
         "--config FILE"),
        ([g, "--db", f"{files}/b"], includes({f"{files}/b.db"}), "--db FILE"),
        ([g, "auth", "harvest", "--token-file", f"{files}/t"], includes({f"{files}/token"}),
         "auth --token-file FILE"),
        ([g, "demo", "--keep", f"{files}/"], includes({f"{files}/sub"}, {f"{files}/a.conf"}),
         "demo --keep DIR"),
        ([g, "--config", f"{files}/a.conf", "propose", "--dr"], exact({"--dry-run"}),
         "a command's options after --config FILE"),
        ([g, "-v", "push", "--", "x"], exact(set()), "nothing after --"),
    ]
    return cases


def check_bash(gleaner, env, path, cases):
    bash = shutil.which("bash")
    if not bash:
        note("bash is not installed: gleaner.bash is not run")
        return
    proc = subprocess.run([bash, "-n", str(path)], capture_output=True, text=True)
    if proc.returncode != 0:
        problem(f"bash -n {path.name}: {proc.stderr.strip()}")
        return
    modes = [("plain bash", "")]
    for helper in ("/usr/share/bash-completion/bash_completion",
                   "/usr/local/share/bash-completion/bash_completion",
                   "/etc/bash_completion"):
        if os.path.exists(helper):
            modes.append(("bash-completion", helper))
            break
    else:
        note("bash-completion is not installed: gleaner.bash is run without its helpers")
    script = BASH_DRIVER + "".join(
        "run_case %d %s\n" % (i, " ".join(shlex.quote(w) for w in words))
        for i, (words, _, _) in enumerate(cases))
    for mode, helper in modes:
        benv = dict(env, GL_COMPLETION=str(path), GL_BASH_COMPLETION=helper)
        proc = subprocess.run([bash, "--norc", "--noprofile", "-c", script], env=benv,
                              capture_output=True, text=True, timeout=300)
        if proc.returncode != 0 or "NOT-REGISTERED" in proc.stdout:
            problem(f"{path.name} ({mode}): did not load (exit {proc.returncode}; "
                    f"{proc.stdout.strip()} {proc.stderr.strip()})")
            continue
        got = {}
        for line in proc.stdout.splitlines():
            if line.startswith("CASE "):
                fields = line[5:].split("\t")
                got[int(fields[0])] = [f for f in fields[1:] if f]
        for i, (words, check, what) in enumerate(cases):
            if i not in got:
                problem(f"{path.name} ({mode}): {what}: no answer")
                continue
            err = check(got[i])
            if err:
                problem(f"{path.name} ({mode}): {what} ({shlex.join(words[1:])}): {err}")
    print(f"bash: {len(cases)} completion cases, {len(modes)} mode(s)")


ZSH_CAPTURE = r'''
# zsh capture.zsh FPATH_DIR LINE: the candidates zsh's completion offers for LINE.
zmodload zsh/zpty || exit 3
fdir=$1 init=$2; shift 2
zpty z zsh -f -i
zpty -w z "fpath=(${(q)fdir} \$fpath); source ${(q)init}"
local line
repeat 200; do zpty -r z line || exit 4; [[ $line == *INIT-OK* ]] && break; done
zpty -w -n z "$*"$'\t'
while zpty -r z line; do
  [[ $line == *CAND:* ]] && print -r -- "${${line##*CAND:}//[$'\r\n']/}"
done
zpty -d z 2>/dev/null
exit 0
'''

ZSH_INIT = r'''
PS1='' PROMPT='' RPROMPT=''
unsetopt zle_bracketed_paste 2>/dev/null
autoload -Uz compinit && compinit -u -D
zstyle ':completion:*' insert-tab false
_gl_newline() { print }
compprefuncs=(_gl_newline)
comppostfuncs=(exit)
compadd() {
  local -a __hits
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then
    builtin compadd "$@"; return $?
  fi
  builtin compadd -A __hits "$@"
  local h
  for h in $__hits; do print -r -- "CAND:$h"; done
  builtin compadd "$@"
}
bindkey '^I' complete-word
print INIT-OK
'''


def check_zsh(gleaner, env, path, cases, tmp):
    zsh = shutil.which("zsh")
    if not zsh:
        note("zsh is not installed: _gleaner is not checked with it (skipped)")
        return
    proc = subprocess.run([zsh, "-n", str(path)], capture_output=True, text=True)
    if proc.returncode != 0:
        problem(f"zsh -n {path.name}: {proc.stderr.strip()}")
        return
    proc = subprocess.run([zsh, "-f", "-c", "zmodload zsh/zpty && zpty t true && zpty -d t"],
                          capture_output=True, timeout=60)
    if proc.returncode != 0:
        note("zsh cannot open a pseudo-terminal (zsh/zpty): _gleaner is only syntax-checked")
        return
    fdir = tmp / "zsh-functions"
    fdir.mkdir()
    shutil.copy(path, fdir / "_gleaner")
    capture, init = tmp / "capture.zsh", tmp / "init.zsh"
    capture.write_text(ZSH_CAPTURE)
    init.write_text(ZSH_INIT)
    ran = 0
    for words, check, what in cases:
        if "=" in words or words[-1] not in ("", "--") and "/" in words[-1]:
            continue  # bash's word splitting and file cases: bash only
        line = " ".join(shlex.quote(w) if w else "" for w in words)
        try:
            proc = subprocess.run([zsh, "-f", str(capture), str(fdir), str(init), line],
                                  env=env, capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            problem(f"_gleaner (zsh): {what}: timed out; the other cases are not run")
            break
        ran += 1
        got = [c for c in proc.stdout.splitlines() if c]
        if words[-1].startswith("-"):
            got = [c for c in got if c.startswith(words[-1])]
        err = check(got)
        if err:
            problem(f"_gleaner (zsh): {what} ({shlex.join(words[1:])}): {err}")
    print(f"zsh: {ran} completion cases")


# ------------------------------------------------------------------- main

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gleaner", help="the gleaner binary (default: $GLEANER_BIN, "
                    "else SOURCE_DIR/build/gleaner)")
    ap.add_argument("source_dir", nargs="?", default=os.environ.get(
        "GLEANER_SOURCE_DIR", Path(__file__).resolve().parents[2]))
    args = ap.parse_args()
    root = Path(args.source_dir).resolve()
    gleaner = str(Path(args.gleaner or os.environ.get("GLEANER_BIN") or
                       root / "build" / "gleaner").resolve())
    if not os.access(gleaner, os.X_OK):
        print(f"check_completions: no gleaner binary at {gleaner} (build it, or --gleaner BIN)")
        return 2
    bash_file = root / "contrib" / "completions" / "gleaner.bash"
    zsh_file = root / "contrib" / "completions" / "_gleaner"
    man_file = root / "contrib" / "gleaner.1"

    with tempfile.TemporaryDirectory(prefix="gleaner-completions-") as tmpname:
        tmp = Path(tmpname)
        (tmp / "home").mkdir()
        # Nothing of the caller's own configuration, store or shell setup.
        env = {"HOME": str(tmp / "home"), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
               "LANG": "C.UTF-8", "TZ": "UTC", "NO_COLOR": "1", "TERM": "dumb"}
        for key in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if key in os.environ:
                env[key] = os.environ[key]

        commands, global_options, global_shorts, env_vars = read_table(gleaner, env)
        print(f"gleaner --help: {len(commands)} commands, {len(global_options)} global options, "
              f"{sum(len(c.options) for c in commands.values())} command options")
        for path, check in ((bash_file, check_bash_text), (zsh_file, check_zsh_text)):
            if not path.exists():
                problem(f"{path.relative_to(root)} does not exist")
            else:
                check(path, commands, global_options, global_shorts)
        if not man_file.exists():
            problem(f"{man_file.relative_to(root)} does not exist")
        else:
            check_man(man_file, commands, global_options, global_shorts, env_vars)
            lint_man(man_file)

        tools = tools_of(gleaner, env)
        files, config = make_fixture(tmp)
        cases = completion_cases(gleaner, commands, global_options, global_shorts, tools,
                                 files, config)
        if bash_file.exists():
            check_bash(gleaner, env, bash_file, cases)
        if zsh_file.exists():
            check_zsh(gleaner, env, zsh_file, cases, tmp)

    print(f"check_completions: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
