#!/usr/bin/env python3
"""Grouping accuracy (GA) of line fingerprints against Loghub ground truth.

A line is grouped correctly when the set of lines that received its
fingerprint is exactly the set of lines sharing its EventId; GA is the
share of such lines.

  grouping.py ga STRUCTURED_CSV FINGERPRINTS
      FINGERPRINTS: one JSON object per line of the log, in order, with a
      "fingerprint" member (the output of `qerrors fingerprint --lines --json`).
      Prints the GA.
  grouping.py naive LOG STRUCTURED_CSV
      GA of the baseline that replaces every digit run of the raw line.
  grouping.py naive-content STRUCTURED_CSV
      The same baseline on the Content column (the message without header);
      "nan" when the file has no Content column.
  grouping.py table RESULTS GRID
      RESULTS: lines "SET GA_MASK GA_LEARNT GA_AFTER NAIVE_LINE NAIVE_CONTENT";
      GRID: lines "SET SIMILARITY GA".  Prints a table with the averages
      and the leave-one-out figure: for each set, the similarity with the
      best average GA on the other sets (ties: the smaller), and the GA of
      the set at that similarity.
  grouping.py diff STRUCTURED_CSV FINGERPRINTS
      The ground-truth events that were split or merged, for study.
"""
import csv
import json
import re
import sys
from collections import defaultdict


def rows_of(path):
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        return list(csv.DictReader(f))


def truth(path):
    rows = rows_of(path)
    # the template only names an event in the diff; the EventId is enough
    return ([r["EventId"] for r in rows],
            [r.get("EventTemplate") or r["EventId"] for r in rows])


def accuracy(events, keys):
    if len(events) != len(keys):
        sys.exit("grouping.py: %d ground-truth lines but %d fingerprints"
                 % (len(events), len(keys)))
    by_key = defaultdict(set)
    by_event = defaultdict(set)
    for i, (e, k) in enumerate(zip(events, keys)):
        by_key[k].add(i)
        by_event[e].add(i)
    correct = sum(1 for e, k in zip(events, keys) if by_key[k] == by_event[e])
    return correct / len(events) if events else 0.0


def read_fingerprints(path):
    keys = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if line:
                keys.append(json.loads(line)["fingerprint"])
    return keys


def read_templates(path):
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if line:
                out.append(json.loads(line).get("template", ""))
    return out


def naive(log):
    with open(log, encoding="utf-8", errors="replace") as f:
        return [re.sub(r"[0-9]+", "<*>", line.rstrip("\r\n")) for line in f]


def loo(grid, sets):
    """For each set: (chosen similarity, GA at it), chosen on the others."""
    out = {}
    values = sorted({st for (_, st) in grid})
    for s in sets:
        others = [o for o in sets if o != s]
        best = None
        for st in values:
            if not others or any((o, st) not in grid for o in others):
                continue
            avg = sum(grid[(o, st)] for o in others) / len(others)
            if best is None or avg > best[0] + 1e-12:
                best = (avg, st)
        if best is not None and (s, best[1]) in grid:
            out[s] = (best[1], grid[(s, best[1])])
    return out


def table(path, grid_path):
    rows = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 6:
                rows.append((parts[0],) + tuple(float(x) for x in parts[1:]))
    grid = {}
    with open(grid_path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                grid[(parts[0], parts[1])] = float(parts[2])
    chosen = loo(grid, [r[0] for r in rows])
    fmt = "%-12s %7s %7s %7s %7s %7s %12s %15s"
    print(fmt % ("set", "mask", "learnt", "unseen", "(sim/k)", "after",
                 "naive(line)", "naive(content)"))
    for r in rows:
        st, ga = chosen.get(r[0], ("-", float("nan")))
        print("%-12s %7.4f %7.4f %7.4f %7s %7.4f %12.4f %15.4f"
              % (r[0], r[1], r[2], ga, st, r[3], r[4], r[5]))
    if rows:
        def mean(k):
            v = [r[k] for r in rows if r[k] == r[k]]  # nan: not measured
            return sum(v) / len(v) if v else float("nan")
        avg = [mean(k) for k in (1, 2, 3, 4, 5)]
        u = [chosen[r[0]][1] for r in rows if r[0] in chosen]
        ua = sum(u) / len(u) if u else float("nan")
        print("%-12s %7.4f %7.4f %7.4f %7s %7.4f %12.4f %15.4f"
              % ("average", avg[0], avg[1], ua, "", avg[2], avg[3], avg[4]))


def diff(csv_path, fp_path):
    events, templates = truth(csv_path)
    keys = read_fingerprints(fp_path)
    ours = read_templates(fp_path)
    by_key = defaultdict(set)
    by_event = defaultdict(set)
    for i, (e, k) in enumerate(zip(events, keys)):
        by_key[k].add(i)
        by_event[e].add(i)
    seen = set()
    for i, e in enumerate(events):
        if e in seen or by_key[keys[i]] == by_event[e]:
            continue
        seen.add(e)
        members = by_event[e]
        print("== %s (%d lines) %s" % (e, len(members), templates[i]))
        fps = defaultdict(int)
        for j in members:
            fps[keys[j]] += 1
        for k, c in sorted(fps.items(), key=lambda x: -x[1])[:6]:
            j = min(x for x in by_key[k] if x in members)
            others = {events[x] for x in by_key[k]} - {e}
            print("   %5d  %s%s" % (c, ours[j], "  [merged with %s]" % ",".join(sorted(others))
                                      if others else ""))


def main(argv):
    if len(argv) == 4 and argv[1] == "ga":
        print("%.4f" % accuracy(truth(argv[2])[0], read_fingerprints(argv[3])))
    elif len(argv) == 4 and argv[1] == "naive":
        print("%.4f" % accuracy(truth(argv[3])[0], naive(argv[2])))
    elif len(argv) == 3 and argv[1] == "naive-content":
        rows = rows_of(argv[2])
        if rows and "Content" not in rows[0]:
            print("nan")  # a ground truth of EventId alone
            return
        print("%.4f" % accuracy([r["EventId"] for r in rows],
                                [re.sub(r"[0-9]+", "<*>", r["Content"]) for r in rows]))
    elif len(argv) == 4 and argv[1] == "table":
        table(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "diff":
        diff(argv[2], argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
