#!/usr/bin/env python3
"""check-layout.py - the source layout tells the truth (README "Layout").

Checks, over src/{core,shell} and include/{core,shell}:
  1. every function a header declares is defined in the .c of the same
     name (and that .c exists);
  2. no include cycle between modules (a module = foo.c + foo.h), nor
     between headers;
  3. the core never includes a shell header;
  4. only cli.c (and main.c, which calls it) includes cli.h.

Prints one line per problem and exits 1 if there is any. Usage:
  scripts/check-layout.py [ROOT]
"""

import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
PARTS = ("core", "shell")


def files(kind, ext):
    out = {}
    for part in PARTS:
        d = os.path.join(ROOT, kind, part)
        for f in sorted(os.listdir(d)):
            if f.endswith(ext):
                out[f[: -len(ext)]] = (part, os.path.join(d, f))
    return out


def strip_comments(text):
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def includes(path):
    return set(re.findall(r'^#include "(\w+)\.h"', open(path).read(), re.M))


def defined_functions(path):
    """Non-static functions defined in a .c (return type on its own line)."""
    text = strip_comments(open(path).read())
    return {m.group(2) for m in re.finditer(r"^([a-z][^\n;{(]*)\n(\w+)\(", text, re.M)
            if not m.group(1).startswith("static")}


def declared_functions(path):
    text = strip_comments(open(path).read())
    text = re.sub(r"static inline .*?\n}\n", "", text, flags=re.S)
    out = set()
    for m in re.finditer(r"^([a-z][^;{(#]*?)\b(\w+)\(", text, re.M):
        if m.group(1).startswith("typedef") or m.group(2) in ("_Static_assert", "__attribute__"):
            continue
        out.add(m.group(2))
    return out


def cycles(graph):
    found, state = [], {}

    def visit(u, stack):
        state[u] = 1
        stack.append(u)
        for v in sorted(graph.get(u, ())):
            if state.get(v) == 1:
                found.append(stack[stack.index(v):] + [v])
            elif v not in state:
                visit(v, stack)
        stack.pop()
        state[u] = 2

    for u in sorted(graph):
        if u not in state:
            visit(u, [])
    return found


def main():
    problems = []
    sources, headers = files("src", ".c"), files("include", ".h")
    defs = {}
    for mod, (_, path) in sources.items():
        for f in defined_functions(path):
            defs[f] = mod
    for mod, (part, path) in headers.items():
        for f in sorted(declared_functions(path)):
            where = defs.get(f)
            if where is None:
                problems.append("%s.h declares %s, defined nowhere" % (mod, f))
            elif where != mod:
                problems.append("%s.h declares %s, defined in %s.c" % (mod, f, where))
    modules = {}
    for mod, (_, path) in list(sources.items()) + list(headers.items()):
        modules.setdefault(mod, set()).update(i for i in includes(path) if i != mod)
    graph = {m: {d for d in deps if d in sources} for m, deps in modules.items()}
    for c in cycles(graph):
        problems.append("module include cycle: " + " -> ".join(c))
    hgraph = {m: {d for d in includes(p) if d != m} for m, (_, p) in headers.items()}
    for c in cycles(hgraph):
        problems.append("header include cycle: " + " -> ".join(c))
    for mod, (part, path) in list(sources.items()) + list(headers.items()):
        rel = os.path.relpath(path, ROOT)
        for inc in sorted(includes(path)):
            if part == "core" and headers.get(inc, ("core",))[0] == "shell":
                problems.append("%s (core) includes the shell header %s.h" % (rel, inc))
            if inc == "cli" and mod not in ("cli", "main"):
                problems.append("%s includes cli.h (only cli.c prints for the command line)" % rel)
    for p in problems:
        print("check-layout: " + p)
    print("check-layout: %d modules, %d headers, %s" % (len(sources), len(headers),
                                                        "%d problem(s)" % len(problems) if problems else "ok"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
