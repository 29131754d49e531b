#!/usr/bin/env python3
"""check_docs_cli — the trinctl the docs describe is the trinctl that is built.

A new user copies commands out of README.md and docs/*.md; a command or an
option that the docs name and trinctl does not know (or the other way round:
a command nobody documented) costs them their first afternoon. This reads
`trinctl --help` (every command with its options) and checks, both ways:

  docs -> help  every `trinctl <group> [<verb>]` in a code span or a code
                block of README.md and docs/*.md is a command trinctl lists,
                and every --option written after it (same span or command
                line, backslash continuations joined) is one of that
                command's options or a global one; README's trinctl
                synopsis block (its lines name commands without "trinctl")
                counts the same
  help -> docs  every command `trinctl --help` lists is named somewhere
  traps         the --help of a command whose meaning surprised users says it
                (HELP_SAYS below)

Usage (CTest passes the paths; see tests/integration/docs.cmake):
  check_docs_cli.py --root SRC --trinctl PATH
Exit 0 when both hold; otherwise each problem on its own line.
"""

import argparse
import glob
import os
import re
import subprocess
import sys

WORD = re.compile(r"^[a-z][a-z0-9-]*$")
OPTION = re.compile(r"(?<![\w-])--([a-z][a-z0-9-]*)")


# Words a command's --help must contain: what users got wrong from the name.
HELP_SAYS = [
    # defects are refused before handover
    (["defect", "report"], "Only a project that has reached handover"),
    # the extension already granted, not the one the agreement allows
    (["partnership", "create"], "years of extension already granted"),
    (["partnership", "create"], "not the extension the agreement allows"),
]


def read_help(trinctl):
    """(commands, globals): {(group, verb or None): set(options)}, set(options)."""
    out = subprocess.run([trinctl, "--help"], capture_output=True, text=True, check=False)
    text = out.stdout + out.stderr
    commands, cur = {}, None
    section = None
    global_opts = set()
    for line in text.splitlines():
        if line.startswith("usage:") or line.startswith("Global options") or \
                line.startswith("Keys ("):
            section = "globals"
        elif line.startswith("Commands:"):
            section = "commands"
            continue
        elif line and not line.startswith(" "):
            section = None if section == "commands" else section
        if section == "globals":
            global_opts.update(OPTION.findall(line))
            continue
        if section != "commands":
            continue
        m = re.match(r"^  trinctl (\S+)(?: (\S+))?", line)
        if m:
            group, verb = m.group(1), m.group(2)
            if verb is None or not WORD.match(verb):
                verb = None
            cur = (group, verb)
            commands[cur] = set(OPTION.findall(line))
        elif line.startswith("    ") and cur:
            commands[cur].update(OPTION.findall(line))
    return commands, global_opts


def doc_fragments(path):
    """Yields (line number, text) of every code span and code-block command."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    in_block, synopsis, joined, start = False, False, "", 0
    para, para_start = [], 0
    for no, line in enumerate(lines + [""], 1):
        # code spans may wrap: a paragraph's spans are read as one text
        if not in_block and line.strip() and not line.lstrip().startswith("```"):
            if not para:
                para_start = no
            para.append(line)
            continue
        if para:
            for span in re.findall(r"`([^`]+)`", " ".join(para)):
                yield para_start, span
            para = []
        if line.lstrip().startswith("```"):
            in_block = not in_block
            synopsis = False
            continue
        if in_block:
            if not joined:
                start = no
            joined += line.rstrip("\\") + " "
            if line.endswith("\\"):
                continue
            text, joined = joined, ""
            if text.lstrip().startswith("trinctl [--"):
                synopsis = True  # README's synopsis: later lines omit "trinctl"
                continue
            if synopsis and re.match(r"^  [a-z]", text):
                yield start, "trinctl " + text.strip()
            else:
                yield start, text
            continue


def doc_commands(text, groups):
    """(group, verb or None, options) for each trinctl command in text."""
    for m in re.finditer(r"(?<![\w.-])trinctl((?:\s+\S+)*)", text):
        tokens = m.group(1).split()
        i = 0
        # global options first: --json, --endpoint EP, --key FILE, ...
        while i < len(tokens) and tokens[i].startswith("--"):
            takes_value = "=" not in tokens[i] and tokens[i] not in ("--json", "--help",
                                                                      "--version")
            i += 2 if takes_value else 1
        if i >= len(tokens) or not WORD.match(tokens[i]):
            continue
        group = tokens[i]
        verbs = [None]
        # "trinctl benchmark query|history|compare" names three
        if groups.get(group) and i + 1 < len(tokens) and \
                all(WORD.match(v) for v in tokens[i + 1].split("|")):
            verbs = tokens[i + 1].split("|")
        rest = " ".join(tokens[i + 1:])
        rest = rest.split(" trinctl ")[0]
        for verb in verbs:
            yield group, verb, set(OPTION.findall(rest))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--trinctl", required=True)
    args = ap.parse_args()
    commands, global_opts = read_help(args.trinctl)
    if not commands:
        print("trinctl --help lists no commands")
        return 1
    groups = {}
    for g, v in commands:
        groups.setdefault(g, set())
        if v:
            groups[g].add(v)
    docs = [os.path.join(args.root, "README.md")]
    docs += sorted(glob.glob(os.path.join(args.root, "docs", "*.md")))
    problems, named = [], set()
    for path in docs:
        rel = os.path.relpath(path, args.root)
        for no, text in doc_fragments(path):
            for group, verb, opts in doc_commands(text, groups):
                if group not in groups:
                    problems.append(f"{rel}:{no}: `trinctl {group}`: trinctl has no "
                                    f"command group '{group}'")
                    continue
                if groups[group] and verb is None:
                    named.add((group, None))
                    continue  # the group as a whole ("trinctl budget")
                if verb is not None and verb not in groups[group]:
                    problems.append(f"{rel}:{no}: `trinctl {group} {verb}`: trinctl --help "
                                    f"lists no such command (the {group} commands: "
                                    f"{', '.join(sorted(groups[group]))})")
                    continue
                named.add((group, verb))
                known = commands[(group, verb)] | global_opts
                for o in sorted(opts - known):
                    problems.append(f"{rel}:{no}: `trinctl {group}{' ' + verb if verb else ''}"
                                    f" --{o}`: trinctl --help lists no such option for it")
    for (group, verb) in sorted(commands, key=lambda c: (c[0], c[1] or "")):
        if (group, verb) not in named:
            name = f"trinctl {group}{' ' + verb if verb else ''}"
            problems.append(f"`{name}` is in trinctl --help but named in neither README.md "
                            f"nor docs/*.md")
    for argv, words in HELP_SAYS:
        out = subprocess.run([args.trinctl] + argv + ["--help"], capture_output=True,
                             text=True, check=False)
        if words not in " ".join((out.stdout + out.stderr).split()):
            problems.append(f"`trinctl {' '.join(argv)} --help` does not say \"{words}\"")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
