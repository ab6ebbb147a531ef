#!/bin/sh
# Run the model-based rotation test (tests/model/follow_model.py) over many
# seeds, both backends and the three layouts, and print per operation kind
# how many ids were lost, duplicated, replayed after kill -9 and out of order.
#   bench/model.sh [SEEDS [OPS]]     default: 10 seeds per configuration, 60 ops
# Bounded: each run takes a few seconds; QERRORS selects the binary.
set -u
cd "$(dirname "$0")/.."
seeds=${1:-10}
ops=${2:-60}
QERRORS=${QERRORS:-$PWD/qerrors}
out=$(mktemp)
trap 'rm -f "$out"' EXIT INT TERM
s=1
while [ "$s" -le "$seeds" ]; do
	for backend in inotify poll; do
		for layout in plain glob symlink; do
			python3 tests/model/follow_model.py --qerrors "$QERRORS" --json \
				--seed "$s" --ops "$ops" --backend "$backend" --layout "$layout" >>"$out"
		done
	done
	s=$((s + 1))
done
python3 - "$out" <<'PY'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
kinds = {}
ops = {}
bad = []
for r in runs:
    for k, n in r["ops"].items():
        ops[k] = ops.get(k, 0) + n
    for k, f in r["figures"].items():
        t = kinds.setdefault(k, dict.fromkeys(f, 0))
        for x, n in f.items():
            t[x] += n
    if any(f["lost"] + f["duplicated"] + f["out_of_order"] for f in r["figures"].values()):
        bad.append("%s/%s/%d" % (r["backend"], r["layout"], r["seed"]))
print("runs %d, operations %d, error ids %d" % (
    len(runs), sum(ops.values()), sum(r["ids"] for r in runs)))
print("%-13s %6s %7s %5s %5s %7s %6s" % ("operation", "ops", "ids", "lost", "dup",
                                         "replay", "order"))
for k, t in kinds.items():
    if ops.get(k) or t["ids"]:
        print("%-13s %6d %7d %5d %5d %7d %6d" % (k, ops.get(k, 0), t["ids"], t["lost"],
                                                 t["duplicated"], t["replayed"],
                                                 t["out_of_order"]))
print("failing runs:", " ".join(bad) if bad else "none")
PY
