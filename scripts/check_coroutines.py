#!/usr/bin/env python3
"""Checks the coroutine rule that g++ 12 makes necessary: no temporary with a destructor
inside a `co_await` expression.

g++ 12 destroys such temporaries twice when the coroutine resumes (a PURGE answered with
`co_await send_error(..., cond ? "a" + s : "b", ...)` aborted the daemon with a double
free). So every value with a destructor that a `co_await` operand needs is built in a
statement of its own and handed over by name. What this check allows inside the operand:

  - the awaitable itself (what the awaited call returns);
  - a by-value parameter copied or moved from a named object (`std::move(text)`);
  - anything without a destructor (integers, views, pointers, buffers).

It flags every other temporary with a destructor (strings built from literals or by `+`,
`std::to_string`, calls returning strings or executors, conditional expressions choosing
among them) and every lambda, and every `co_await` nested inside `?:`, `&&` or `||`.

It reads clang's AST, so what it sees is what the compiler sees, not a guess from the text:

  check_coroutines.py BUILD_DIR [FILE...]     files default to every src/ file with co_await
Exit status 1 with `file:line:col: message` lines when something is found.
"""
import concurrent.futures
import os
import re
import sys

import clang_args

LOC = re.compile(r"(?:([^\s<>,()']+\.(?:cpp|hpp|h|ipp|hxx)):(\d+):(\d+))|(?:line:(\d+):(\d+))|(?:col:(\d+))")
NODE = re.compile(r"^([| `-]*)([A-Za-z]+)")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Node:
    __slots__ = ("kind", "text", "loc", "children")

    def __init__(self, kind, text, loc):
        self.kind, self.text, self.loc, self.children = kind, text, loc, []

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


def parse_dump(text):
    """The text AST dump as a tree; every node carries the file and line it starts at."""
    roots, stack = [], []
    cur_file, cur_line = "?", 0
    for raw in text.splitlines():
        m = NODE.match(raw)
        if not m:
            continue
        depth = len(m.group(1)) // 2
        first = None
        for lm in LOC.finditer(raw):
            if lm.group(1):
                cur_file, cur_line, col = lm.group(1), int(lm.group(2)), int(lm.group(3))
            elif lm.group(4):
                cur_line, col = int(lm.group(4)), int(lm.group(5))
            else:
                col = int(lm.group(6))
            if first is None:
                first = (cur_file, cur_line, col)
        node = Node(m.group(2), raw[len(m.group(1)):], first or (cur_file, cur_line, 0))
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            stack[-1][1].children.append(node)
        else:
            roots.append(node)
        stack.append((depth, node))
    return roots


def named_copy(bind):
    """A by-value argument copied or moved from a named object: nothing else is built."""
    has_name = False
    for n in bind.walk():
        if n is bind:
            continue
        # `*opt` and `p->x` only name an object that already exists.
        if n.kind == "CXXOperatorCallExpr" and re.search(r"'(\*|->)'\s*$", n.text):
            continue
        if n.kind in ("StringLiteral", "CXXOperatorCallExpr", "CXXMemberCallExpr",
                      "ConditionalOperator", "BinaryOperator", "LambdaExpr",
                      "CXXBindTemporaryExpr", "CXXTemporaryObjectExpr"):
            return False
        if n.kind == "CallExpr" and not re.search(r"'(move|forward)'", "".join(
                c.text for c in n.walk())):
            return False
        if n.kind in ("DeclRefExpr", "MemberExpr"):
            has_name = True
    return has_name


def is_awaitable(text):
    return "awaitable<" in text


def check_coawait(node, findings):
    if not node.children:
        return
    operand = node.children[0]
    for n in operand.walk():
        where = "%s:%d:%d" % n.loc
        if n.kind == "LambdaExpr":
            findings.add((where, "lambda inside a co_await expression"))
        elif n.kind == "CXXBindTemporaryExpr" and not is_awaitable(n.text):
            if named_copy(n):
                continue
            typ = re.search(r"'([^']+)'", n.text)
            findings.add((where, "temporary %s with a destructor inside a co_await expression; "
                          "build it in its own statement and pass it by name"
                          % (typ.group(1) if typ else "?")))


def check_tree(roots, findings):
    def visit(node, guard):
        if node.kind == "CoawaitExpr":
            check_coawait(node, findings)
            if guard:
                findings.add(("%s:%d:%d" % node.loc, "co_await inside " + guard))
        for c in node.children:
            g = guard
            if node.kind == "ConditionalOperator":
                g = "a conditional expression"
            elif node.kind == "BinaryOperator" and ("'&&'" in node.text or "'||'" in node.text):
                g = "a short-circuit expression"
            visit(c, g)
    for r in roots:
        visit(r, None)


def check_file(build_dir, commands, path):
    # Every network file includes Beast and Asio (the proxy's precompiled header).
    args = clang_args.compile_args(build_dir, commands, path, fallback_proxy=True, force_pch=True)
    cmd = (["clang++", "-fsyntax-only", "-w", "-Xclang", "-ast-dump", "-Xclang",
            "-ast-dump-filter=rangecache::"] + args + [path])
    res = clang_args.run_clang(cmd, build_dir)
    if res.returncode != 0:
        sys.stderr.write(res.stderr)
        return {(path, "clang could not parse this file")}
    findings = set()
    check_tree(parse_dump(res.stdout), findings)
    return findings


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    build_dir = os.path.abspath(sys.argv[1])
    files = [os.path.abspath(f) for f in sys.argv[2:]]
    if not files:
        for d, _, names in os.walk(os.path.join(ROOT, "src")):
            for n in sorted(names):
                p = os.path.join(d, n)
                if n.endswith(".cpp") and "co_await" in open(p).read():
                    files.append(p)
    commands = clang_args.load_commands(build_dir)
    findings = set()
    # Two at a time: each clang is one core's work.
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for found in pool.map(lambda f: check_file(build_dir, commands, f), files):
            findings |= found
    for where, msg in sorted(findings):
        print("%s: %s" % (where, msg))
    print("checked %d files: %d findings" % (len(files), len(findings)), file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
