#!/usr/bin/python3
"""check-includes.py [--strict] - the modules' include graph.

A module is src/NAME.c with include/NAME.h; module A depends on module B
when src/A.c or include/A.h has #include "B.h". Checked:

1. No cycle between modules: a cycle means neither module can be
   understood, tested or changed without the other. Fatal.
2. Only src/cli.c and src/main.c include cli.h: the command line is the
   top of the graph, nothing below it may depend on it. Reported; fatal
   only with --strict or CB_STRICT_INCLUDES=1 (to be switched on once the
   current offenders are fixed). Without --strict the edges that break
   this rule are left out of check 1, so they are reported once, here.

KNOWN_CYCLES are cycles that exist today and are to be removed: each run
prints them, but they do not fail it. Any other cycle does. Remove an
entry when its cycle is gone (the script says so).

Exit status: 0 clean, 1 a finding that fails, 2 usage.
"""

import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
CLI_ALLOWED = {"cli", "main"}           # the modules that may include cli.h
KNOWN_CYCLES = [
    # token.c calls identity_email(); identity.c reads struct claims
    # (token.h) in identity_teams().
    {"identity", "token"},
]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([A-Za-z0-9_]+)\.h"', re.M)


def graph():
    """{module: {dependency: [file that includes it, ...]}} from src/ and include/."""
    deps = {}
    for d, ext in (("src", ".c"), ("include", ".h")):
        for name in sorted(os.listdir(os.path.join(ROOT, d))):
            if not name.endswith(ext):
                continue
            mod = name[:-len(ext)]
            deps.setdefault(mod, {})
            with open(os.path.join(ROOT, d, name), encoding="utf-8") as f:
                for dep in INCLUDE.findall(f.read()):
                    if dep != mod:
                        deps[mod].setdefault(dep, []).append("%s/%s" % (d, name))
    return deps


def cycles(deps):
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in deps.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    sys.setrecursionlimit(10000)
    for v in sorted(deps):
        if v not in index:
            visit(v)
    return out


def shortest_cycle(deps, comp):
    """One shortest cycle inside comp, as [a, b, ..., a] (breadth-first search)."""
    best = None
    for start in sorted(comp):
        prev, queue, last = {start: None}, [start], None
        while queue and last is None:
            v = queue.pop(0)
            for w in sorted(deps[v]):
                if w == start:
                    last = v
                    break
                if w in comp and w not in prev:
                    prev[w] = v
                    queue.append(w)
        if last is not None:
            path, v = [], last
            while v is not None:
                path.append(v)
                v = prev[v]
            path = path[::-1] + [start]
            if best is None or len(path) < len(best):
                best = path
    return best


def main(argv):
    strict = os.environ.get("CB_STRICT_INCLUDES") == "1"
    for a in argv[1:]:
        if a == "--strict":
            strict = True
        else:
            print("usage: check-includes.py [--strict]", file=sys.stderr)
            return 2
    deps = graph()
    failed = False

    # 2. cli.h only from the command line itself.
    for mod in sorted(deps):
        if "cli" in deps[mod] and mod not in CLI_ALLOWED:
            failed |= strict
            print("check-includes: %s: %s includes cli.h: only src/cli.c and src/main.c may"
                  % ("ERROR" if strict else "WARNING (not fatal yet; --strict makes it so)",
                     ", ".join(deps[mod]["cli"])))
            if not strict:
                del deps[mod]["cli"]

    # 1. no cycle between modules.
    for comp in cycles(deps):
        path = shortest_cycle(deps, comp)
        steps = ["%s (%s)" % (b, deps[a][b][0]) for a, b in zip(path, path[1:])]
        text = "%s -> %s" % (path[0], " -> ".join(steps))
        if comp in KNOWN_CYCLES:
            print("check-includes: known cycle (to be removed; not fatal): " + text)
        else:
            failed = True
            print("check-includes: ERROR: include cycle between modules (%s): %s"
                  % (", ".join(sorted(comp)), text))
    for known in KNOWN_CYCLES:
        if not any(known == comp for comp in cycles(deps)):
            print("check-includes: the known cycle %s is gone: remove it from KNOWN_CYCLES"
                  % " <-> ".join(sorted(known)))

    print("check-includes: %d modules, %s" % (len(deps), "FAILED" if failed else "ok"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
