#!/bin/sh
# Grouping accuracy of `qerrors fingerprint --lines` on the Loghub samples.
#
#   bench/grouping.sh [SET...]
#
# For each set, every line of <Set>_2k.log is fingerprinted on its own and
# compared with the EventId column of <Set>_2k.log_structured.csv (see
# bench/grouping.py for the measure).  The naive baseline replaces every
# digit run, once on the raw line (what qerrors sees) and once on the
# Content column (the message without its header).
#
# Data: $LOGHUB_DIR, else ../shared/data/loghub next to the repository.
# Binary: $QERRORS, else ./qerrors (built with make when missing).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
data=${LOGHUB_DIR:-$top/../shared/data/loghub}
bin=${QERRORS:-./qerrors}

if [ ! -d "$data" ]; then
	echo "grouping.sh: no Loghub data in '$data' (set LOGHUB_DIR)" >&2
	exit 2
fi
if [ -z "${QERRORS:-}" ] && [ ! -x "$bin" ]; then
	make -s qerrors >&2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ $# -eq 0 ]; then
	set --
	for d in "$data"/*/; do
		s=$(basename "$d")
		[ -f "$d/${s}_2k.log_structured.csv" ] && set -- "$@" "$s"
	done
fi

: >"$tmp/results"
for s in "$@"; do
	log=$data/$s/${s}_2k.log
	csv=$data/$s/${s}_2k.log_structured.csv
	if [ ! -f "$log" ] || [ ! -f "$csv" ]; then
		echo "grouping.sh: no data for '$s'" >&2
		exit 2
	fi
	"$bin" fingerprint --lines --json "$log" >"$tmp/$s.jsonl"
	ga=$(python3 bench/grouping.py ga "$csv" "$tmp/$s.jsonl")
	nl=$(python3 bench/grouping.py naive "$log" "$csv")
	nc=$(python3 bench/grouping.py naive-content "$csv")
	echo "$s $ga $nl $nc" >>"$tmp/results"
	if [ -n "${GROUPING_DIFF:-}" ]; then
		python3 bench/grouping.py diff "$csv" "$tmp/$s.jsonl" >&2
	fi
done
python3 bench/grouping.py table "$tmp/results"
