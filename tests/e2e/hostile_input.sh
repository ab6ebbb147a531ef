#!/bin/sh
# Hostile bytes in logs: NUL bytes (a copytruncate hole, a NUL inside a
# line), UTF-16 logs, and lines longer than events.max_line_bytes.  Each is
# read, reported or refused with a message, and counted where stats shows it.
. "$(dirname "$0")/lib.sh"
DATA="$TESTS_DIR/data/lines"
mkdir -p "$T/logs"
py() { python3 -c "import json,sys; d=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]; sys.exit(0 if ($1) else 1)" "$2"; }
stat() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$T/stats.json" "$1"; }

# A log written without O_APPEND and rotated by copytruncate starts with
# 170 NUL bytes, then the ERROR line (tests/data/lines/README).
cp "$DATA/copytruncate-nul.log" "$T/logs/hole.log"
"$QERRORS" tail --json --once --from-beginning "$T/logs/hole.log" >"$T/hole.out" 2>"$T/hole.err"
check "NUL hole: exit 0" test $? -eq 0
check "NUL hole: both ERROR lines are events" py 'len(d) == 2' "$T/hole.out"
check "NUL hole: the first event has the message its clean twin has" \
	py 'd[0]["message"] == d[1]["message"].replace("1005", "1002") and d[0]["message"].endswith("payment for order 1002 declined by gateway")' "$T/hole.out"
check "NUL hole: no NUL and no empty message in any event" \
	py 'all(e["message"] and "\x00" not in json.dumps(e) and "\\u0000" not in json.dumps(e) for e in d)' "$T/hole.out"
"$QERRORS" stats --json >"$T/stats.json"
check "NUL hole: stats counts the 170 NUL bytes" test "$(stat nul_bytes)" = 170

# A NUL inside a line no longer cuts it.
printf '2026-01-01 10:00:00 ERROR connection\000 refused to db orders\n' >"$T/logs/inner.log"
"$QERRORS" tail --json --once --from-beginning "$T/logs/inner.log" >"$T/inner.out" 2>/dev/null
check "inner NUL: the message goes on past it" \
	py 'len(d) == 1 and d[0]["message"] == "connection\ufffd refused to db orders"' "$T/inner.out"

# UTF-16 (Python logging with encoding utf-16 / utf-16-be): a clear
# message naming the file, counted, and no garbage events.
for f in utf16le-bom utf16be; do
	cp "$DATA/$f.log" "$T/logs/$f.log"
	"$QERRORS" tail --json --once --from-beginning "$T/logs/$f.log" >"$T/$f.out" 2>"$T/$f.err"
	check "$f: no events" test ! -s "$T/$f.out"
	check "$f: the message names the file and says UTF-16" \
		grep -q "'$T/logs/$f.log' is UTF-16 text" "$T/$f.err"
done
"$QERRORS" stats --json >"$T/stats.json"
# Every byte but the last of the LE file: that one (the high byte of the
# last newline) is a partial line, left for the next run as any file's.
want=$(($(wc -c <"$DATA/utf16le-bom.log") - 1 + $(wc -c <"$DATA/utf16be.log")))
check "utf16: stats counts the bytes skipped" test "$(stat utf16_bytes)" = "$want"
"$QERRORS" stats >"$T/stats.txt"
check "utf16: stats text shows it" grep -q "UTF-16 bytes skipped  *$want$" "$T/stats.txt"
"$QERRORS" analyze "$T/logs/utf16be.log" >"$T/an.out" 2>"$T/an.err"
check "utf16: analyze fails" test $? -ne 0
check "utf16: analyze names the file" grep -q "'$T/logs/utf16be.log' is UTF-16 text" "$T/an.err"

"$QERRORS" fingerprint "$T/logs/utf16le-bom.log" >"$T/fp.out" 2>"$T/fp.err"
check "utf16: fingerprint fails" test $? -ne 0
check "utf16: fingerprint names the file" grep -q "'$T/logs/utf16le-bom.log' is UTF-16 text" "$T/fp.err"

# A line cut at events.max_line_bytes is reported truncated.
cat >"$T/cut.yaml" <<'Y'
events:
  max_line_bytes: 256
Y
python3 -c "print('2026-01-01 10:00:00 ERROR upload failed for ' + 'x' * 400)
print('2026-01-01 10:00:01 ERROR short one')" >"$T/logs/long.log"
"$QERRORS" -c "$T/cut.yaml" tail --json --once --from-beginning "$T/logs/long.log" >"$T/long.out" 2>"$T/long.err"
check "cut line: the long line is an event marked truncated" \
	py 'len(d) == 2 and d[0]["truncated"] is True and len(d[0]["lines"][0]) == 256' "$T/long.out"
check "cut line: the short line is not truncated" py 'd[1]["truncated"] is False' "$T/long.out"
"$QERRORS" -c "$T/cut.yaml" analyze --format=json "$T/logs/long.log" >"$T/long-an.out" 2>/dev/null
check "cut line: analyze says truncated too" \
	python3 -c "import json,sys; s=open(sys.argv[1]).read(); sys.exit(0 if '\"truncated\": true' in s or '\"truncated\":true' in s else 1)" "$T/long-an.out"
