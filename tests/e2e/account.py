#!/usr/bin/env python3
"""Exact accounting of tail's NDJSON output against what a test wrote.

Every error line a test writes carries `seq=N`; every event must be
reported, and none twice (up to --max-dups, for the events of a batch in
flight at kill -9).

usage: account.py --expect FIRST:LAST [--expect ...] [--max-dups N] OUTPUT...
"""
import argparse
import json
import re
import sys

SEQ = re.compile(r"seq=(\d+)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--expect", action="append", default=[])
    ap.add_argument("--max-dups", type=int, default=0)
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("outputs", nargs="+")
    a = ap.parse_args()
    want = set()
    for r in a.expect:
        lo, hi = r.split(":")
        want.update(range(int(lo), int(hi) + 1))
    seen = {}
    bad_json = 0
    for path in a.outputs:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    o = json.loads(line)
                except ValueError:
                    bad_json += 1
                    continue
                if o.get("type") != "event":
                    continue
                for l in o.get("lines", [])[:1]:
                    m = SEQ.search(l)
                    if m:
                        n = int(m.group(1))
                        seen[n] = seen.get(n, 0) + 1
    missing = sorted(want - set(seen))
    extra = sorted(set(seen) - want)
    dups = sorted(n for n, c in seen.items() if c > 1)
    ndups = sum(c - 1 for c in seen.values())
    ok = not missing and not extra and ndups <= a.max_dups and not bad_json
    if not ok or not a.quiet:
        print("# expected %d, reported %d distinct, missing %d %s, unexpected %s, "
              "duplicates %d %s, bad json lines %d" % (
                  len(want), len(seen), len(missing), missing[:20], extra[:20],
                  ndups, dups[:20], bad_json))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
