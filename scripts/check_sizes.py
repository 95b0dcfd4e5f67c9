#!/usr/bin/env python3
"""Checks the size limits of the project rules: no function in src/ longer than 80 lines, no
source file in src/ (*.cpp, *.hpp) longer than 500 lines.

A function's length is the lines from the start of its signature to its closing brace. They
are read from clang's AST, like check_coroutines.py does, so macros, strings, comments and
braces inside them cannot mislead the count. Lambdas and local classes count as part of the
function they are written in, not on their own. A function written in a header of src/ is
counted once, however many files include it.

  check_sizes.py BUILD_DIR [--function-limit N] [--file-limit N] [-j N] [FILE...]

FILE defaults to every src/ file in BUILD_DIR/compile_commands.json. Prints
`file:line: name is N lines (limit L)` for each function over the limit and
`file: N lines (limit L)` for each file over it; exit status 1 if there is any.
"""
import argparse
import bisect
import concurrent.futures
import json
import os
import sys

import clang_args

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "src") + os.sep
FUNCTION_KINDS = {"FunctionDecl", "CXXMethodDecl", "CXXConstructorDecl", "CXXDestructorDecl",
                  "CXXConversionDecl"}
RECORD_KINDS = {"CXXRecordDecl", "ClassTemplateSpecializationDecl",
                "ClassTemplatePartialSpecializationDecl"}
BODY_KINDS = {"CompoundStmt", "CXXTryStmt", "CoroutineBodyStmt"}


def dump_filters(path):
    """Project code lives in namespace rangecache; a file outside it (main.cpp) also gets the
    names clang would otherwise leave out of the filtered dump."""
    with open(path, errors="replace") as f:
        text = f.read()
    if "namespace rangecache" in text:
        return ["rangecache::"]
    return ["rangecache::", "(anonymous namespace)::", "main"]


def ast_dumps(build_dir, args, path, dump_filter):
    """Every declaration whose qualified name contains dump_filter, as parsed JSON objects."""
    cmd = (["clang++", "-fsyntax-only", "-w", "-Xclang", "-ast-dump=json", "-Xclang",
            "-ast-dump-filter=" + dump_filter] + args + [path])
    res = clang_args.run_clang(cmd, build_dir)
    if res.returncode != 0:
        sys.stderr.write(res.stderr)
        return None
    decoder, text, pos, out = json.JSONDecoder(), res.stdout, 0, []
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return out
        obj, pos = decoder.raw_decode(text, pos)
        out.append(obj)


class Walker:
    """Goes through a JSON dump in the order clang wrote it. clang names a location's file
    only when it changes from the location written before, so the file is carried along."""

    def __init__(self):
        self.file = None
        self.records = {}  # id → class name, for methods defined outside their class
        self.found = []  # (file, begin offset, end offset, name, parent id or None)

    def loc(self, loc):
        if "spellingLoc" in loc:
            self.loc(loc["spellingLoc"])
            return self.loc(loc["expansionLoc"])
        if "offset" not in loc:
            return None
        if "file" in loc:
            self.file = loc["file"]
        return (self.file, loc["offset"])

    def walk(self, node, scope, in_lambda):
        if isinstance(node, list):
            for n in node:
                self.walk(n, scope, in_lambda)
            return
        if not isinstance(node, dict):
            return
        if "offset" in node or "spellingLoc" in node:
            self.loc(node)
            return
        kind = node.get("kind")
        if kind in RECORD_KINDS and node.get("name"):
            self.records[node["id"]] = node["name"]
        inner_scope = node.get("name", scope) if kind in RECORD_KINDS else scope
        inner_lambda = in_lambda or kind == "LambdaExpr"
        begin = end = None
        for key, value in node.items():
            if key == "includedFrom":
                continue
            if key == "range":
                begin, end = self.loc(value.get("begin", {})), self.loc(value.get("end", {}))
            else:
                self.walk(value, inner_scope, inner_lambda)
        if (kind in FUNCTION_KINDS and not in_lambda and not node.get("isImplicit") and begin
                and end and any(c.get("kind") in BODY_KINDS for c in node.get("inner", []))):
            name = node.get("name", "?")
            self.found.append((begin[0], begin[1], end[1], name,
                               node.get("parentDeclContextId"), scope))


def line_starts(path, cache={}):
    if path not in cache:
        with open(path, "rb") as f:
            data = f.read()
        cache[path] = [0] + [i + 1 for i, b in enumerate(data) if b == 0x0A]
    return cache[path]


def line_of(path, offset):
    return bisect.bisect_right(line_starts(path), offset)


def functions_of(build_dir, commands, path):
    """(file, begin offset, first line, line count, name) of each function defined in src/,
    or None when clang cannot parse the file."""
    args = clang_args.compile_args(build_dir, commands, path)
    if args is None:
        sys.stderr.write("%s: not in compile_commands.json\n" % path)
        return None
    walker = Walker()
    for dump_filter in dump_filters(path):
        dumps = ast_dumps(build_dir, args, path, dump_filter)
        if dumps is None:
            return None
        for d in dumps:
            walker.walk(d, None, False)
    out = []
    for file, begin, end, name, parent, scope in walker.found:
        file = os.path.realpath(file)
        if not file.startswith(SRC):
            continue
        owner = walker.records.get(parent) if parent else scope
        first, last = line_of(file, begin), line_of(file, end)
        out.append((file, begin, first, last - first + 1, owner + "::" + name if owner else name))
    return out


def source_files(build_dir, commands):
    files = set()
    for c in commands:
        path = os.path.realpath(os.path.join(c.get("directory", build_dir), c["file"]))
        if path.startswith(SRC):
            files.add(path)
    return sorted(files)


def long_files(limit):
    out = []
    for d, _, names in os.walk(SRC):
        for n in sorted(names):
            if n.endswith((".cpp", ".hpp")):
                path = os.path.join(d, n)
                with open(path, "rb") as f:
                    lines = f.read().count(b"\n")
                if lines > limit:
                    out.append((path, lines))
    return sorted(out)


def main():
    sys.setrecursionlimit(20000)  # deeply nested expressions make deep JSON
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("build_dir")
    p.add_argument("files", nargs="*")
    p.add_argument("--function-limit", type=int, default=80)
    p.add_argument("--file-limit", type=int, default=500)
    p.add_argument("-j", "--jobs", type=int, default=2)
    opts = p.parse_args()
    build_dir = os.path.abspath(opts.build_dir)
    with open(os.path.join(build_dir, "compile_commands.json")) as f:
        commands = json.load(f)
    files = [os.path.realpath(f) for f in opts.files] or source_files(build_dir, commands)
    functions, failed = {}, []
    with concurrent.futures.ThreadPoolExecutor(opts.jobs) as pool:
        results = pool.map(lambda f: (f, functions_of(build_dir, commands, f)), files)
        for path, found in results:
            if found is None:
                failed.append(path)
                continue
            for file, begin, first, length, name in found:
                functions[(file, begin)] = (first, length, name)
    rel = lambda path: os.path.relpath(path, ROOT)
    findings = 0
    for (file, _), (first, length, name) in sorted(functions.items()):
        if length > opts.function_limit:
            print("%s:%d: %s is %d lines (limit %d)" %
                  (rel(file), first, name, length, opts.function_limit))
            findings += 1
    for path, lines in long_files(opts.file_limit):
        print("%s: %d lines (limit %d)" % (rel(path), lines, opts.file_limit))
        findings += 1
    for path in failed:
        print("%s: clang could not parse this file" % rel(path))
    print("checked %d files, %d functions: %d findings" % (len(files), len(functions), findings),
          file=sys.stderr)
    return 1 if findings or failed else 0


if __name__ == "__main__":
    sys.exit(main())
