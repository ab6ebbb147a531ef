#!/usr/bin/env python3
"""Usage: check-includes.py [TREE]

Fail on an include cycle among lib/ headers, and on lib/ including cmd/.

A header may include another lib/ header only if that one does not (even
through others) include it back: cycles make the layering of DESIGN.md's
data flow unreadable.  Prints each cycle found and exits 1.
"""
import os
import re
import sys

top = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
lib = os.path.join(top, "lib")
cmd_headers = set(os.listdir(os.path.join(top, "cmd")))
inc = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)

graph, bad = {}, []
for name in sorted(os.listdir(lib)):
    if not name.endswith((".h", ".c")):
        continue
    with open(os.path.join(lib, name), encoding="utf-8", errors="replace") as f:
        deps = inc.findall(f.read())
    for d in deps:
        if d in cmd_headers and not os.path.exists(os.path.join(lib, d)):
            bad.append("lib/%s includes cmd/%s" % (name, d))
    if name.endswith(".h"):
        graph[name] = [d for d in deps if os.path.exists(os.path.join(lib, d))]

# depth-first search for back edges
WHITE, GREY, BLACK = 0, 1, 2
color = {h: WHITE for h in graph}
stack = []


def visit(h):
    color[h] = GREY
    stack.append(h)
    for d in graph.get(h, []):
        if color.get(d, BLACK) == GREY:
            cyc = stack[stack.index(d):] + [d]
            bad.append("include cycle: " + " -> ".join("lib/" + x for x in cyc))
        elif color.get(d) == WHITE:
            visit(d)
    stack.pop()
    color[h] = BLACK


for h in sorted(graph):
    if color[h] == WHITE:
        visit(h)

for b in bad:
    print("qerrors: " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
