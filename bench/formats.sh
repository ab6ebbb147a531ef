#!/bin/sh
# Cost of the decoding stage: a JSON log, a CRI log and a Docker log of --size MB each
# (default 200), decoded and assembled by bench/decode_driver.c, against
# the same records as plain text with no decoder (the text scan) and
# against `grep -cE` on the same file; then the JSON, CRI and text files
# through `qerrors tail --once --from-beginning --json` itself.  Prints
# MB/s, the ratio to grep, the ratio to the text scan and peak RSS.  See
# bench/README.md.
#
#   bench/formats.sh [--size MB]
set -eu
size=200
case ${1:-} in
--size) size=$2 ;;
--size=*) size=${1#--size=} ;;
-h | --help) sed -n '2,8s/^# \{0,1\}//p' "$0"; exit 0 ;;
'') ;;
*) echo "formats.sh: unknown option '$1'" >&2; exit 2 ;;
esac
case $size in *[!0-9]* | 0) echo "formats.sh: --size must be a positive whole number of MB" >&2; exit 2 ;; esac

here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/qe-formats.XXXXXX")
trap 'rm -rf "$work"' EXIT
make -C "$here" -s build/std/libqerrors.a
pc="yaml-0.1 libcurl libpcre2-8 sqlite3 jansson"
extra=
pkg-config --exists hiredis && extra="$extra hiredis"
pkg-config --exists libsystemd && extra="$extra libsystemd"
pkg-config --exists libhs && extra="$extra libhs"
# shellcheck disable=SC2086
cc -std=c11 -D_GNU_SOURCE -O2 -I"$here/lib" $(pkg-config --cflags $pc $extra) \
	-o "$work/driver" "$here/bench/decode_driver.c" "$here/build/std/libqerrors.a" \
	$(pkg-config --libs $pc $extra) -lm

# The text scan's input: gen_log.py's mixed log, a bit smaller so that the
# wrapped files come out near --size.
python3 "$here/bench/gen_log.py" --size "$((size * 8 / 10))" "$work/base.log" >/dev/null
python3 "$here/bench/gen_formats.py" json "$work/base.log" "$work/app.json"
python3 "$here/bench/gen_formats.py" cri "$work/base.log" "$work/app.cri"
python3 "$here/bench/gen_formats.py" docker "$work/base.log" "$work/app.docker"

pattern='ERROR|FATAL|CRITICAL|SEVERE|Exception|Traceback|panic:'
# The machine may be shared: MB/s are from CPU time (user + system), the
# best of 3 runs; wall-clock MB/s are shown beside them.
best_of_3() { # command...: prints "cpu_s wall_s peak_kb" of the fastest run
	best=
	for _ in 1 2 3; do
		/usr/bin/time -f '%U %S %e %M' -o "$work/t" "$@" > "$work/out"
		read -r u sy e kb < "$work/t"
		c=$(echo "$u + $sy" | bc)
		if [ -z "$best" ] || [ "$(echo "$c < $best" | bc)" = 1 ]; then
			best=$c bw=$e bkb=$kb
			cp "$work/out" "$work/best"
		fi
	done
	echo "$best $bw $bkb"
}
mbs() { echo "scale=1; $1 / 1000000 / ($2 + 0.0005)" | bc; }
# One table row: name, file, the variable that keeps its MB/s, then the
# command to time; the last column is the first word of its output.
measure() {
	name=$1 file=$2 var=$3
	shift 3
	bytes=$(stat -c %s "$file")
	set -- $(best_of_3 "$@")
	cpu=$1 wall=$2 kb=$3
	last=$(cat "$work/best")
	set -- $(best_of_3 grep -cE "$pattern" "$file")
	gcpu=$1
	m=$(mbs "$bytes" "$cpu")
	g=$(mbs "$bytes" "$gcpu")
	echo "| $name | $((bytes / 1000000)) | $m | $(mbs "$bytes" "$wall") | $g | $(echo "scale=2; $g / $m" | bc) | $((kb / 1024)) | ${last%% *} |"
	eval "$var=$m"
}
row() { # name file format tag
	measure "$1" "$2" "mbs_$4" "$work/driver" --format "$3" "$2"
}
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| input | MB | MB/s (CPU) | MB/s (wall) | grep -cE MB/s (CPU) | grep / qerrors | peak RSS MB | decoded as |"
echo "|---|---|---|---|---|---|---|---|"
row "JSON lines (decoded)" "$work/app.json" json json
row "the same records as text" "$work/app.json.text" raw jtext
row "CRI (decoded)" "$work/app.cri" cri cri
row "the same lines as text" "$work/base.log" raw ctext
row "Docker json-file (decoded)" "$work/app.docker" docker docker

echo "JSON: $(echo "scale=2; $mbs_json / $mbs_jtext" | bc)x the text scan's MB/s (target: at least 0.5)"
echo "CRI: $(echo "scale=2; $mbs_cri / $mbs_ctext" | bc)x the text scan's MB/s (target: at least 0.5)"
echo "Docker: $(echo "scale=2; $mbs_docker / $mbs_ctext" | bc)x the text scan's MB/s (no target)"

# The same files through `qerrors tail --once --from-beginning` itself:
# decoding, recognition, fingerprinting and the state database, each run
# with an empty state directory and no AI service.
qe=${QERRORS:-$here/qerrors}
[ -x "$qe" ] || make -C "$here" -s qerrors
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config"
unset QERRORS_CONFIG QERRORS_AI_BASE_URL OPENAI_API_KEY
tail_row() { # name file format tag
	measure "$1" "$2" "tail_$4" sh -c 'rm -rf "$1"; QERRORS_STATE_DIR="$1" "$2" tail --once \
		--from-beginning --json --format="$3" "$4" 2>/dev/null | grep -c "\"type\":\"event\""' \
		sh "$work/state" "$qe" "$3" "$2"
}
echo
echo "| qerrors tail --once --from-beginning --json | MB | MB/s (CPU) | MB/s (wall) | grep -cE MB/s (CPU) | grep / qerrors | peak RSS MB | events |"
echo "|---|---|---|---|---|---|---|---|"
tail_row "JSON lines, --format=json" "$work/app.json" json json
tail_row "CRI, --format=cri" "$work/app.cri" cri cri
tail_row "the text they were made from, --format=text" "$work/base.log" text text
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "tail: JSON $(echo "scale=2; $tail_json / $tail_text" | bc)x, CRI $(echo "scale=2; $tail_cri / $tail_text" | bc)x the text scan's MB/s (target: at least 0.5)"
