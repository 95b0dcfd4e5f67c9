"""Compile flags for reading the project's sources with clang (the AST checks).

The build may use g++ and its precompiled header; clang gets the same flags without output,
warning or optimisation options, and in place of g++'s header a clang precompiled header of
the same source (src/proxy/pch.hpp: Beast and Asio), built once per set of flags and kept in
the build directory. Parsing Beast is most of the time a check takes; with the header
precompiled a network file parses several times faster.
"""
import hashlib
import json
import os
import shlex
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PCH_SOURCE = os.path.join(ROOT, "src/proxy/pch.hpp")


def load_commands(build_dir):
    with open(os.path.join(build_dir, "compile_commands.json")) as f:
        return json.load(f)


def command_for(commands, path, fallback_proxy=False):
    for c in commands:
        if os.path.realpath(c["file"]) == os.path.realpath(path):
            return shlex.split(c["command"])[1:]
    if fallback_proxy:  # a file not in the build (a check's own examples): the proxy's flags
        for c in commands:
            if "/src/proxy/" in c["file"]:
                return shlex.split(c["command"])[1:]
    return None


def clang_pch(build_dir, flags):
    """A clang precompiled header of PCH_SOURCE for these flags (built if missing)."""
    with open(PCH_SOURCE, "rb") as f:
        key = hashlib.sha256(f.read() + "\0".join(flags).encode()).hexdigest()[:16]
    out_dir = os.path.join(build_dir, "lint-pch")
    out = os.path.join(out_dir, key + ".pch")
    if os.path.exists(out):
        return out
    os.makedirs(out_dir, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out_dir, suffix=".tmp")
    os.close(fd)
    cmd = ["clang++", "-x", "c++-header", "-w"] + flags + [PCH_SOURCE, "-o", tmp]
    res = subprocess.run(cmd, cwd=build_dir, capture_output=True, text=True)
    if res.returncode != 0:
        os.unlink(tmp)
        sys.stderr.write(res.stderr)
        return None
    os.replace(tmp, out)  # another check building the same one at once is harmless
    return out


def run_clang(cmd, build_dir, attempts=3):
    """Runs a clang command for its output. clang 14 sometimes crashes while dumping a file
    it parsed correctly a moment before (about one run in sixty, in its JSON dumper reading a
    name from the precompiled header); a crash is clang's fault, not the file's, so it is run
    again. A real parse error is not retried: it fails the same way every time."""
    for _ in range(attempts):
        res = subprocess.run(cmd, cwd=build_dir, capture_output=True, text=True)
        if res.returncode == 0 or "PLEASE submit a bug report" not in res.stderr:
            return res
    return res


def compile_args(build_dir, commands, path, fallback_proxy=False, force_pch=False):
    """clang flags for `path`, or None when the build does not compile it."""
    args = command_for(commands, path, fallback_proxy)
    if args is None:
        return None
    out, skip, wants_pch = [], False, force_pch
    for i, a in enumerate(args):
        if skip:
            skip = False
            continue
        if a in ("-o", "-c", "-MF", "-MT", "-MQ"):
            skip = True
        elif a == "-include":
            skip = True
            if args[i + 1].endswith("cmake_pch.hxx"):
                wants_pch = True
            else:
                out += ["-include", args[i + 1]]
        elif not (a.startswith("-W") or a.startswith("-O") or a.endswith(".cpp")):
            out.append(a)
    if wants_pch:
        pch = clang_pch(build_dir, out)
        out += ["-include-pch", pch] if pch else ["-include", PCH_SOURCE]
    return out
