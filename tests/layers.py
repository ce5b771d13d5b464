#!/usr/bin/env python3
"""layers.py: the arrows between libteller's and teller serve's modules
point one way.

usage: layers.py SRCDIR [--graph]

A module is one .c file of src/lib (src/lib/tally/ included) or of
src/server.  Module A depends on module B when A calls (or names) a
function that B defines with external linkage, or when A's file includes
a public header (include/teller/X.h) whose functions B defines; a public
header that includes another makes its module depend on the other's.  The
graph must have no cycle.  The layers, lowest first: util, error, json;
crypto, envelope, merkle; manifest, roll, ballot, statement, timetable;
store, log, the webhook outbox; election, cycle, petition, certify, cast,
receipt, turnout; tally/, result, record, export, verify; webhook
delivery, client; the CLI and the server.  A module that needs something
from one above it is passed it (a value, a function pointer), or the
shared piece moves down.  Every cycle is printed with the functions or
headers that make each of its arrows, and the exit status is 1; --graph
prints every arrow.
"""
import os
import re
import sys
from collections import defaultdict

DIRS = ("src/lib", "src/server")


def strip(text):
    """C text without comments, string and character literals (newlines
    kept, so that line starts stay line starts)."""
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"),
                  text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r'"(\\.|[^"\\\n])*"', '""', text)
    return re.sub(r"'(\\.|[^'\\\n])*'", "''", text)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def load_modules(src):
    modules = {}
    for d in DIRS:
        top = os.path.join(src, d)
        for root, _, files in os.walk(top):
            for f in sorted(files):
                if f.endswith(".c"):
                    path = os.path.join(root, f)
                    rel = os.path.relpath(path, os.path.join(src, "src"))
                    if rel.startswith("lib/"):
                        rel = rel[len("lib/"):]
                    modules[rel[:-2]] = read(path)
    return modules


def definitions(modules):
    """Functions with external linkage (GNU style: the name at the start
    of a line, its type on the line before) and each file's static ones."""
    defined, statics = {}, defaultdict(set)
    for name, raw in modules.items():
        lines = strip(raw).split("\n")
        for i in range(1, len(lines)):
            m = re.match(r"([A-Za-z_]\w*)\(", lines[i])
            prev = lines[i - 1]
            if not m or not re.match(r"[A-Za-z_]", prev) or \
                    prev.rstrip().endswith((";", ",", ")")):
                continue
            if prev.startswith("static"):
                statics[name].add(m.group(1))
            elif m.group(1) in defined and defined[m.group(1)] != name:
                sys.exit("layers.py: %s is defined in %s and %s" %
                         (m.group(1), defined[m.group(1)], name))
            else:
                defined[m.group(1)] = name
    return defined, statics


def header_owners(src, defined):
    """Each public header's module: the one that defines the functions it
    declares.  A header of types and macros alone, or whose functions
    several modules define (teller/cycle.h), has none: the calls to its
    functions make the arrows."""
    owners, includes = {}, {}
    top = os.path.join(src, "include", "teller")
    for f in sorted(os.listdir(top)):
        if not f.endswith(".h"):
            continue
        raw = read(os.path.join(top, f))
        text = strip(raw)
        count = defaultdict(int)
        for fn in set(re.findall(r"\b(tl_\w+)\s*\(", text)):
            if fn in defined:
                count[defined[fn]] += 1
        if len(count) == 1:
            owners["teller/" + f] = next(iter(count))
        includes["teller/" + f] = re.findall(r'#include "(teller/[\w.]+)"',
                                             raw)
    return owners, includes


def graph(src):
    modules = load_modules(src)
    defined, statics = definitions(modules)
    owners, header_includes = header_owners(src, defined)
    why = defaultdict(lambda: defaultdict(set))  # a -> b -> reasons

    def arrow(a, b, reason):
        if a is not None and b is not None and a != b:
            why[a][b].add(reason)

    for name, raw in modules.items():
        text = strip(raw)
        # Names not after "." or "->" (members) that another module
        # defines and this file does not define for itself.
        for ident in set(re.findall(r"(?<![\w.>])[A-Za-z_]\w*", text)):
            if ident in defined and ident not in statics[name]:
                arrow(name, defined[ident], ident + "()")
        for h in re.findall(r'#include "(teller/[\w.]+)"', raw):
            arrow(name, owners.get(h), "#include " + h)
    for h, included in header_includes.items():
        for h2 in included:
            arrow(owners.get(h), owners.get(h2),
                  "%s includes %s" % (h, h2))
    return modules, why


def cycles(nodes, why):
    """The strongly connected components of more than one module."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(why.get(v, {})):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return found


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    modules, why = graph(sys.argv[1])
    if "--graph" in sys.argv[2:]:
        for a in sorted(why):
            print("%s -> %s" % (a, ", ".join(sorted(why[a]))))
    found = cycles(modules, why)
    for comp in found:
        print("cycle: " + " ".join(comp))
        for a in comp:
            for b in comp:
                if b in why.get(a, {}):
                    print("  %s -> %s: %s" %
                          (a, b, ", ".join(sorted(why[a][b]))))
    if not modules:
        sys.exit("layers.py: no modules under %s" % sys.argv[1])
    print("%d modules, %d arrows, %d cycles" %
          (len(modules), sum(len(b) for b in why.values()), len(found)))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
