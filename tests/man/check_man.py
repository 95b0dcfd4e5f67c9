#!/usr/bin/env python3
"""Checks man/rangecache.8: it renders without a warning (groff -ww, and man-db's own run
when man is installed), it names every option and command of `rangecache --help` and of the
help of each subcommand, and every configuration key of the README's table.

  check_man.py RANGECACHE_BINARY MAN_PAGE README
"""
import os
import re
import shutil
import subprocess
import sys


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)


def render_warnings(page):
    """Warnings of groff (-ww: all of them) and of man -l, as text; empty when clean."""
    problems = []
    res = run(["groff", "-man", "-Tutf8", "-ww", "-z", page])
    if res.returncode != 0 or res.stderr.strip():
        problems.append("groff -man -Tutf8 -ww: exit %d\n%s" % (res.returncode, res.stderr))
    if shutil.which("man"):
        env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
        res = run(["man", "--warnings", "-E", "UTF-8", "-l", page], env=env)
        if res.returncode != 0 or res.stderr.strip():
            problems.append("man --warnings -l: exit %d\n%s" % (res.returncode, res.stderr))
    return problems


def rendered_text(page):
    res = run(["groff", "-man", "-Tascii", "-P-cbou", page])
    return res.stdout


def help_items(binary, path):
    """(options, subcommands) of `binary *path --help`, recursing into subcommands."""
    res = run([binary] + path + ["--help"])
    if res.returncode != 0:
        sys.exit("%s %s --help failed: %s" % (binary, " ".join(path), res.stderr))
    options, commands = set(), []
    section = None
    for line in res.stdout.splitlines():
        if re.match(r"^\S.*:$", line):
            section = line[:-1]
            continue
        if section == "Options":
            m = re.match(r"^\s+(-\w)?,?(--[\w-]+)?", line)
            if m:
                options.update(g for g in m.groups() if g)
        elif section == "Subcommands":
            m = re.match(r"^\s+(\w[\w-]*)\s", line)
            if m:
                commands.append(m.group(1))
    for command in commands:
        sub_options, sub_commands = help_items(binary, path + [command])
        options |= sub_options
        commands = commands + sub_commands
    return options, commands


def readme_keys(readme):
    """The first column of the README's configuration table (`| `key` | default | ...`)."""
    keys = []
    with open(readme) as f:
        in_table = False
        for line in f:
            if line.startswith("| key |"):
                in_table = True
                continue
            if in_table and not line.startswith("|"):
                break
            m = re.match(r"^\| `([^`]+)` \|", line)
            if in_table and m:
                keys.append(m.group(1))
    return keys


def mentioned(word, text):
    return re.search(r"(?<![\w.\[\]-])" + re.escape(word) + r"(?![\w-])", text) is not None


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    binary, page, readme = sys.argv[1:]
    problems = render_warnings(page)
    text = rendered_text(page)
    if "rangecache ctl" not in text:
        problems.append("the rendered page has no text (groff output empty?)")
    options, commands = help_items(binary, [])
    if len(options) < 6 or "ctl" not in commands:
        problems.append("could not read the options from --help: %s %s" % (options, commands))
    for option in sorted(options):
        if not mentioned(option, text):
            problems.append("option %s of --help is not in the man page" % option)
    for command in commands:
        if not mentioned(command, text):
            problems.append("command %s of --help is not in the man page" % command)
    keys = readme_keys(readme)
    if len(keys) < 20:
        problems.append("could not read the README's configuration table (%d keys)" % len(keys))
    for key in keys:
        if not mentioned(key, text):
            problems.append("configuration key %s of the README is not in the man page" % key)
    for p in problems:
        print(p)
    print("%d options, %d commands, %d configuration keys checked: %d problems"
          % (len(options), len(commands), len(keys), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
