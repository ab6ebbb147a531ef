#!/bin/sh
# Grouping accuracy of `qerrors fingerprint --lines` on the Loghub samples.
#
#   bench/grouping.sh [SET...]
#
# For each set, every line of <Set>_2k.log is fingerprinted on its own and
# compared with the EventId column of <Set>_2k.log_structured.csv (see
# bench/grouping.py for the measure).  Columns:
#
#   mask      the mask alone (--no-learn)
#   learnt    mask + templates learnt from the stream, default settings
#   unseen    leave-one-out: the learner's settings (grouping.similarity and
#             grouping.distinct_words) are chosen on the other sets only (best
#             average GA there), then the set is measured with them; nothing
#             is tuned to the set measured
#   after     the templates `qerrors tail` learnt from the other sets (every
#             line an event) kept in a state, then the set measured with
#             `fingerprint --state`: what an agent that has seen the other
#             systems does on a new one
#   naive(*)  baseline replacing every digit run, on the raw line and on the
#             Content column (the message without its header)
#
# Data: $LOGHUB_DIR, else shared/data/loghub one or two levels above the
# repository.  Binary: $QERRORS, else ./qerrors (built with make when missing).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
data=${LOGHUB_DIR:-}
if [ -z "$data" ]; then
	data=$top/../shared/data/loghub
	[ -d "$data" ] || data=$top/../../shared/data/loghub
fi
bin=${QERRORS:-./qerrors}
# the similarity settings the leave-one-out choice is made from
grid=${GROUPING_GRID:-"0.5 0.6 0.7 0.8 0.9"}
distinct=${GROUPING_DISTINCT:-"3 4 5 6"}

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

# no user configuration: only the settings written here
export HOME="$tmp" XDG_CONFIG_HOME="$tmp/config"
unset QERRORS_CONFIG

: >"$tmp/results"
: >"$tmp/grid"
for s in "$@"; do
	log=$data/$s/${s}_2k.log
	csv=$data/$s/${s}_2k.log_structured.csv
	if [ ! -f "$log" ] || [ ! -f "$csv" ]; then
		echo "grouping.sh: no data for '$s'" >&2
		exit 2
	fi
	"$bin" fingerprint --lines --json --no-learn "$log" >"$tmp/$s.mask.jsonl"
	"$bin" fingerprint --lines --json "$log" >"$tmp/$s.jsonl"
	gm=$(python3 bench/grouping.py ga "$csv" "$tmp/$s.mask.jsonl")
	ga=$(python3 bench/grouping.py ga "$csv" "$tmp/$s.jsonl")
	for st in $grid; do
		for k in $distinct; do
			printf 'grouping:\n  similarity: %s\n  distinct_words: %s\n' "$st" "$k" \
				>"$tmp/st.yaml"
			"$bin" --config "$tmp/st.yaml" fingerprint --lines --json "$log" \
				>"$tmp/$s.st.jsonl"
			echo "$s $st/$k $(python3 bench/grouping.py ga "$csv" "$tmp/$s.st.jsonl")" \
				>>"$tmp/grid"
		done
	done
	# an agent's state after the other sets: every line an event
	others=
	for o in "$@"; do
		[ "$o" = "$s" ] || others="$others $data/$o/${o}_2k.log"
	done
	printf 'rules:\n  builtin: false\n  custom:\n    - name: every-line\n      pattern: "."\n' \
		>"$tmp/all.yaml"
	rm -rf "$tmp/state"
	if [ -n "$others" ]; then
		# shellcheck disable=SC2086
		QERRORS_STATE_DIR="$tmp/state" "$bin" --config "$tmp/all.yaml" tail --once \
			--from-beginning $others >/dev/null
		QERRORS_STATE_DIR="$tmp/state" "$bin" fingerprint --lines --json --state "$log" \
			>"$tmp/$s.after.jsonl"
		gw=$(python3 bench/grouping.py ga "$csv" "$tmp/$s.after.jsonl")
	else
		gw=$ga # no other set: nothing learnt before
	fi
	nl=$(python3 bench/grouping.py naive "$log" "$csv")
	nc=$(python3 bench/grouping.py naive-content "$csv")
	echo "$s $gm $ga $gw $nl $nc" >>"$tmp/results"
	if [ -n "${GROUPING_DIFF:-}" ]; then
		python3 bench/grouping.py diff "$csv" "$tmp/$s.jsonl" >&2
	fi
done
python3 bench/grouping.py table "$tmp/results" "$tmp/grid"
