#!/bin/sh
# Performance of `qerrors tail`: catch-up throughput against grep and rg,
# peak memory against file size, idle CPU with 1,000 files, and latency
# from append to printed event.  See bench/README.md.
#
#   bench/tail.sh [--size MB] [--quick]
#
#   --size MB   size of the generated log for the throughput run
#               (default 200); peak RSS is measured at MB/4, MB and 2*MB
#               (the last one only when the disk has room)
#   --quick     smoke run: 20 MB, 3 timing runs, 3 s idle, 2 s latency
#
# Binary: $QERRORS, else ./qerrors (built with make).  Temporary files go
# under ${TMPDIR:-/tmp} and are removed at the end.  The results table is
# printed and written to bench/out/results.md.
set -eu

size=
quick=0
while [ $# -gt 0 ]; do
	case $1 in
	--size)
		[ $# -ge 2 ] || { echo "tail.sh: --size needs a value" >&2; exit 2; }
		size=$2
		shift 2
		;;
	--size=*)
		size=${1#--size=}
		shift
		;;
	--quick)
		quick=1
		shift
		;;
	-h | --help)
		sed -n '2,16s/^# \{0,1\}//p' "$0"
		exit 0
		;;
	*)
		echo "tail.sh: unknown option '$1'" >&2
		exit 2
		;;
	esac
done
case ${size:-x} in
x) ;;
*[!0-9]* | 0)
	echo "tail.sh: --size must be a positive whole number of MB" >&2
	exit 2
	;;
esac

if [ "$quick" = 1 ]; then
	: "${size:=20}"
	runs=3
	idle_s=3
	lat_s=2
else
	: "${size:=200}"
	runs=5
	idle_s=10
	lat_s=8
fi

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ -n "${QERRORS:-}" ]; then
	bin=$QERRORS
else
	if ! make -s qerrors >&2; then
		[ -x ./qerrors ] || exit 1
		echo "tail.sh: make failed; using the existing ./qerrors" >&2
	fi
	bin=$top/qerrors
fi
case $bin in /*) ;; *) bin=$top/$bin ;; esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/qerrors-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# No AI service, no configuration file, nothing from the caller's setup.
for v in $(env | sed -n 's/^\(QERRORS_[A-Za-z0-9_]*\)=.*/\1/p; s/^\(OPENAI_[A-Za-z0-9_]*\)=.*/\1/p'); do
	unset "$v"
done
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config" XDG_STATE_HOME="$tmp/home/.state"
export NO_COLOR=1 LC_ALL=C
mkdir -p "$HOME"

pin=
if command -v taskset >/dev/null 2>&1; then
	pin="taskset -c 0"
fi
pattern='ERROR|FATAL|CRITICAL|SEVERE|Exception|Error|panic|Traceback'
out=$top/bench/out
mkdir -p "$out"
res=$tmp/results.md

say() { printf '%s\n' "tail.sh: $*" >&2; }
# kv FILE KEY: the value of "KEY value" in FILE
kv() { awk -v k="$2" '$1 == k { print $2; exit }' "$1"; }
calc() { awk "BEGIN { printf \"$1\n\", $2 }"; }

gen() { # gen MB FILE
	say "generating $1 MB log"
	python3 bench/gen_log.py --size "$1" --stats "$2.stats" "$2"
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- 1. catch-up scan ----

log=$tmp/log.txt
gen "$size" "$log"
bytes=$(kv "$log.stats" bytes)
lines=$(kv "$log.stats" lines)
records=$(kv "$log.stats" records)
err_records=$(kv "$log.stats" error_records)
err_lines=$(kv "$log.stats" error_lines)

state=$tmp/state
q_json="$pin $bin --state-dir $state tail --once --from-beginning --json $log"
q_text="$pin $bin --state-dir $state tail --once --from-beginning $log"
c_grep="$pin grep -cE $pattern $log"
c_rg=
if command -v rg >/dev/null 2>&1; then
	c_rg="$pin rg -c $pattern $log"
fi

# events and groups, outside the timing
rm -rf "$state"
$q_json >"$tmp/events.json"
events=$(grep -c '"type":"event"' "$tmp/events.json" || true)
groups=$(python3 -c '
import json, sys
print(len({json.loads(l)["fingerprint"] for l in open(sys.argv[1]) if "\"type\":\"event\"" in l}))
' "$tmp/events.json")
grep_count=$($c_grep || true)
rm -f "$tmp/events.json"

say "timing the catch-up scan ($runs runs each)"
timer=
if command -v hyperfine >/dev/null 2>&1; then
	timer="hyperfine $(hyperfine --version | awk '{print $2}')"
	# grep stops at the first match when its output is /dev/null (it then
	# only needs the exit status), so the searches write into a pipe;
	# qerrors writes to /dev/null as in normal use with a redirect.
	hyperfine -N --style basic --warmup 1 --runs "$runs" --prepare "rm -rf $state" \
		--export-json "$tmp/hf1.json" "$q_json" "$q_text" >&2
	set -- "$c_grep"
	[ -n "$c_rg" ] && set -- "$@" "$c_rg"
	hyperfine -N --style basic --warmup 1 --runs "$runs" --output=pipe \
		--export-json "$tmp/hf2.json" "$@" >&2
	python3 - "$tmp/hf1.json" "$tmp/hf2.json" >"$tmp/times" <<-'EOF'
		import json, sys
		res = json.load(open(sys.argv[1]))["results"] + json.load(open(sys.argv[2]))["results"]
		for n, r in zip(["json", "text", "grep", "rg"], res):
		    print(n, "%.6f" % r["median"], "%.6f" % r["min"], "%.6f" % r["max"],
		          "%.6f" % (r["user"] + r["system"]))
	EOF
else
	timer="own loop (median of $runs)"
	: >"$tmp/times"
	for n in json text grep rg; do
		case $n in
		json) c=$q_json ;;
		text) c=$q_text ;;
		grep) c=$c_grep ;;
		rg) c=$c_rg ;;
		esac
		[ -n "$c" ] || continue
		# shellcheck disable=SC2086
		pipe=
		case $n in grep | rg) pipe=--pipe ;; esac
		python3 bench/latency.py timeit --runs "$runs" $pipe --prepare "rm -rf $state" -- $c \
			>"$tmp/t1"
		echo "$n $(kv "$tmp/t1" median) $(kv "$tmp/t1" min) $(kv "$tmp/t1" max)" \
			>>"$tmp/times"
	done
fi
t_json=$(kv "$tmp/times" json)
t_text=$(kv "$tmp/times" text)
t_grep=$(kv "$tmp/times" grep)
t_rg=$(kv "$tmp/times" rg)

# ---- 2. peak RSS against file size ----

peak_rss() { # peak_rss FILE -> KiB
	rm -rf "$state"
	if [ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1; then
		# shellcheck disable=SC2086
		/usr/bin/time -v $pin "$bin" --state-dir "$state" tail --once --from-beginning \
			--json "$1" 2>"$tmp/time.txt" >/dev/null
		awk -F': ' '/Maximum resident set size/ { print $2 }' "$tmp/time.txt"
	else
		# shellcheck disable=SC2086
		python3 bench/latency.py rss -- $pin "$bin" --state-dir "$state" tail --once \
			--from-beginning --json "$1"
	fi
}
rss_tool=python-getrusage
if [ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1; then
	rss_tool="GNU time -v"
fi

rss_rows=
small=$(((size + 3) / 4))
say "peak RSS at $small MB"
gen "$small" "$tmp/small.txt"
rss_small=$(peak_rss "$tmp/small.txt")
rss_rows="$small $rss_small"
rm -f "$tmp/small.txt"
say "peak RSS at $size MB"
rss_mid=$(peak_rss "$log")
rss_rows="$rss_rows $size $rss_mid"
rm -f "$log"
big=$((size * 2))
avail=$(df -Pk "$tmp" | awk 'NR == 2 { print $4 }')
if [ "$avail" -gt $((big * 1100 + 512 * 1024)) ]; then
	say "peak RSS at $big MB"
	gen "$big" "$tmp/big.txt"
	rss_big=$(peak_rss "$tmp/big.txt")
	rss_rows="$rss_rows $big $rss_big"
	rm -f "$tmp/big.txt"
else
	say "not enough disk for the $big MB file; skipped"
fi
rm -rf "$state"

# ---- 3. idle CPU ----

say "idle CPU, 1000 files, ${idle_s}s, default backend"
python3 bench/latency.py idle --qerrors "$bin" --dir "$tmp/idle1" --files 1000 \
	--seconds "$idle_s" >"$tmp/idle_auto"
rm -rf "$tmp/idle1"
say "idle CPU, 1000 files, ${idle_s}s, --backend=poll"
python3 bench/latency.py idle --qerrors "$bin" --dir "$tmp/idle2" --files 1000 \
	--seconds "$idle_s" --backend poll >"$tmp/idle_poll"
rm -rf "$tmp/idle2"

# ---- 4. latency ----

for rate in 10000 100000; do
	say "latency at $rate lines/s for ${lat_s}s"
	python3 bench/latency.py latency --qerrors "$bin" --dir "$tmp/lat$rate" --rate "$rate" \
		--duration "$lat_s" >"$tmp/lat_$rate"
	rm -rf "$tmp/lat$rate"
done

# ---- the table ----

mb=$(calc '%.1f' "$bytes / 1e6")
# CPU seconds (5th column of times; absent with the fallback timer)
cpu_of() { awk -v k="$1" '$1 == k { print ($5 == "" ? "-" : sprintf("%.3f", $5)) }' "$tmp/times"; }
cpu_rate() {
	awk -v k="$1" -v b="$bytes" '$1 == k { print ($5 == "" ? "-" : sprintf("%.0f", b / 1e6 / $5)) }' \
		"$tmp/times"
}
verdict() { # verdict OK-CONDITION
	if awk "BEGIN { exit !($1) }"; then echo met; else echo MISSED; fi
}
{
	echo "# qerrors tail benchmark"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- qerrors: $("$bin" -V 2>/dev/null | head -n 1) ($(git -C "$top" describe --always --dirty 2>/dev/null || echo 'no git'))"
	echo "- machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(uname -sr)"
	echo "- load average at start: $load_start; at end: $(cut -d' ' -f1-3 /proc/loadavg)"
	if awk "BEGIN { exit !(${load_start%% *} > 0.5) }"; then
		echo "- WARNING: the machine was busy (load ${load_start%% *}); timings are pessimistic"
	fi
	echo "- pinning: ${pin:-none (no taskset)}; timer: $timer; peak RSS: $rss_tool"
	echo "- log: $mb MB, $lines lines, $records records, $err_records error records" \
		"($(calc '%.2f' "100 * $err_records / $records")% of records," \
		"$(calc '%.1f' "100 * $err_lines / $lines")% of lines are inside error records)"
	echo "- qerrors found $events events in $groups fingerprint groups; grep -cE counts $grep_count matching lines"
	echo
	echo "## Catch-up scan (\`tail --once --from-beginning\`, built-in rules, no AI, fresh state)"
	echo
	echo "| command | median s | MB/s | lines/s | x grep | CPU s (user+sys) | MB/s of CPU |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	for n in json text grep rg; do
		t=$(kv "$tmp/times" $n)
		[ -n "$t" ] || continue
		case $n in
		json) c="qerrors tail --json" ;;
		text) c="qerrors tail (text)" ;;
		grep) c="grep -cE" ;;
		rg) c="rg -c" ;;
		esac
		echo "| $c | $(calc '%.3f' "$t") | $(calc '%.0f' "$bytes / 1e6 / $t") |" \
			"$(calc '%.0f' "$lines / $t") | $(calc '%.2f' "$t / $t_grep") |" \
			"$(cpu_of $n) | $(cpu_rate $n) |"
	done
	echo
	echo "## Peak RSS of the catch-up scan (--json)"
	echo
	echo "| file MB | peak RSS MiB |"
	echo "|---:|---:|"
	set -- $rss_rows
	max_rss=0
	while [ $# -ge 2 ]; do
		echo "| $1 | $(calc '%.1f' "$2 / 1024") |"
		[ "$2" -gt "$max_rss" ] && max_rss=$2
		shift 2
	done
	echo
	echo "## Idle CPU: one process following 1,000 files, nothing written for ${idle_s} s"
	echo
	echo "| backend | CPU ms (ticks) | CPU ms (schedstat) | CPU % | wakeups | RSS MiB |"
	echo "|---|---:|---:|---:|---:|---:|"
	for f in idle_auto idle_poll; do
		echo "| $(kv "$tmp/$f" backend) | $(kv "$tmp/$f" cpu_ms_ticks) |" \
			"$(kv "$tmp/$f" cpu_ms_sched) | $(kv "$tmp/$f" cpu_percent) |" \
			"$(kv "$tmp/$f" wakeups) | $(calc '%.1f' "$(kv "$tmp/$f" rss_kib) / 1024") |"
	done
	echo
	echo "## Latency from append to printed event (\`tail --json\`, idle_timeout_ms 1000)"
	echo
	echo "| target lines/s | achieved | s | events | received | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | > 20 ms |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for rate in 10000 100000; do
		f=$tmp/lat_$rate
		echo "| $rate | $(kv "$f" achieved_rate) | $(kv "$f" duration_s) |" \
			"$(kv "$f" error_events_sent) | $(kv "$f" events_received) |" \
			"$(kv "$f" p50_ms) | $(kv "$f" p90_ms) | $(kv "$f" p99_ms) |" \
			"$(kv "$f" p999_ms) | $(kv "$f" max_ms) | $(kv "$f" over_20ms) |"
	done
	echo
	echo "## Against the targets"
	echo
	echo "| target | measured | |"
	echo "|---|---|---|"
	r=$(calc '%.0f' "$bytes / 1e6 / $t_json")
	echo "| >= 200 MB/s on one core (--json) | $r MB/s | $(verdict "$r >= 200") |"
	x=$(calc '%.2f' "$t_json / $t_grep")
	echo "| <= 5x grep -cE | ${x}x | $(verdict "$x <= 5") |"
	m=$(calc '%.1f' "$max_rss / 1024")
	echo "| peak RSS <= 32 MiB at any size | $m MiB max | $(verdict "$m <= 32") |"
	i=$(kv "$tmp/idle_auto" cpu_ms_sched)
	echo "| idle CPU ~0 (default backend) | $i ms in ${idle_s} s | $(verdict "$i <= $idle_s") |"
	for rate in 10000 100000; do
		p=$(kv "$tmp/lat_$rate" p99_ms)
		echo "| p99 latency <= 20 ms at $rate lines/s | $p ms | $(verdict "$p <= 20") |"
	done
} >"$res"

cp "$res" "$out/results.md"
cat "$res"
