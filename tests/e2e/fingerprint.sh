# qerrors fingerprint end to end: one record per line with --lines, masking
# of variable parts, trace events, text form, determinism, and the grouping
# benchmark on the Loghub samples when they are present.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$TESTS_DIR/.." && pwd)

# json_check FILE EXPR: EXPR (python) on `rows`, the parsed JSON lines
json_check() {
	python3 -c 'import json,sys
rows=[json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
sys.exit(0 if eval(sys.argv[2]) else 1)' "$@"
}
lines_of() { wc -l <"$1" | tr -d ' '; }

# 1. --lines --json: exactly one object per input line, in order, for blank
# lines, invalid UTF-8, NUL bytes, CRLF and a last line without a newline.
python3 -c 'import sys
sys.stdout.buffer.write(b"alpha 1\n\n\xff\xfe bad bytes 2\nnul\x00byte 5\n   \nwindows 3\r\n\x00\nlast line 9")' >"$T/odd.log"
"$QERRORS" fingerprint --lines --json "$T/odd.log" >"$T/odd.json" 2>"$T/odd.err"
check "--lines --json exits 0 on odd bytes" test $? -eq 0
check "one record per input line (8)" test "$(lines_of "$T/odd.json")" -eq 8
check "every record is a JSON object with a 16-hex fingerprint" json_check "$T/odd.json" \
	'all(isinstance(r, dict) and len(r["fingerprint"]) == 16 and int(r["fingerprint"], 16) >= 0 for r in rows)'
check "records are in input order" json_check "$T/odd.json" \
	'[r["template"] for r in rows] == ["alpha <NUM>", "", "\ufffd\ufffd bad bytes <NUM>", "nul\ufffdbyte <NUM>", "", "windows <NUM>", "", "last line <NUM>"]'
check "records have kind line, type null and parts" json_check "$T/odd.json" \
	'all(r["kind"] == "line" and r["type"] is None and r["parts"]["basis"] == "message" and r["parts"]["frames"] == [] for r in rows)'
check "blank lines share one fingerprint" json_check "$T/odd.json" \
	'rows[1]["fingerprint"] == rows[4]["fingerprint"]'
check "nothing on stderr" test ! -s "$T/odd.err"
# the same from standard input, fed in one go
"$QERRORS" fingerprint --lines --json <"$T/odd.log" >"$T/odd-stdin.json"
check "standard input gives the same records" cmp -s "$T/odd.json" "$T/odd-stdin.json"
"$QERRORS" fingerprint --lines --json "$TESTS_DIR/data/fingerprint/lines.txt" >"$T/corpus.json"
check "one record per line of the fingerprint corpus" \
	test "$(lines_of "$T/corpus.json")" -eq "$(lines_of "$TESTS_DIR/data/fingerprint/lines.txt")"

# 2. Lines that differ only in variable parts share a fingerprint; lines
# that say different things do not.
cat >"$T/pairs.log" <<'EOF'
2024-03-01 10:00:01 ERROR worker 12 failed after 350 ms
2024-03-01 11:22:09 ERROR worker 7 failed after 12 ms
connection from 192.168.1.20 port 51234 refused
connection from 10.0.0.7 port 22 refused
session 3f2a9c1e-1b2d-4c5e-8f90-0a1b2c3d4e5f expired
session 00000000-aaaa-4bbb-8ccc-123456789abc expired
job started at 2024-05-06T07:08:09Z timed out
job started at 2023-12-31T23:59:59.123+01:00 timed out
cannot load module 'payments'
cannot load module 'inventory_v2'
mail to alice@example.com bounced
mail to bob.smith@mail.example.org bounced
EOF
"$QERRORS" fingerprint --lines "$T/pairs.log" >"$T/pairs.out"
i=1
for what in numbers IPs UUIDs timestamps "quoted values" e-mails; do
	a=$(sed -n "${i}p" "$T/pairs.out" | cut -c1-16)
	b=$(sed -n "$((i + 1))p" "$T/pairs.out" | cut -c1-16)
	check "lines differing in $what share a fingerprint" test -n "$a" -a "$a" = "$b"
	i=$((i + 2))
done
check "six distinct fingerprints for six different messages" \
	test "$(cut -c1-16 "$T/pairs.out" | sort -u | wc -l | tr -d ' ')" -eq 6
cat >"$T/diff.log" <<'EOF'
connection to 10.0.0.1 refused
connection to 10.0.0.1 reset
database is locked
database is corrupt
EOF
"$QERRORS" fingerprint --lines "$T/diff.log" >"$T/diff.out"
check "different messages have different fingerprints" \
	test "$(cut -c1-16 "$T/diff.out" | sort -u | wc -l | tr -d ' ')" -eq 4

# 3. Event mode: a Java trace and a Python trace among ordinary lines.
cat >"$T/traces.log" <<'EOF'
2024-03-04 10:15:01.123  INFO 4242 --- [main] com.shop.Application : started
2024-03-04 10:15:09.004 ERROR 4242 --- [exec-3] c.shop.orders.OrderController : Failed to place order 81723
java.lang.IllegalStateException: Order 81723 has no items
	at com.shop.orders.OrderService.validate(OrderService.java:88)
	at com.shop.orders.OrderService.place(OrderService.java:51)
	at java.base/java.lang.Thread.run(Thread.java:833)
2024-03-04 10:15:10.000  INFO 4242 --- [main] com.shop.Application : still running
Traceback (most recent call last):
  File "/srv/app/jobs/runner.py", line 88, in run
    cfg = config.load("smtp_host")
  File "/srv/app/jobs/config.py", line 41, in load
    return settings[name]
KeyError: 'smtp_host'
2024-03-04 12:00:07,000 INFO worker: idle
EOF
"$QERRORS" fingerprint --json "$T/traces.log" >"$T/traces.json"
check "event mode exits 0" test $? -eq 0
check "two records for two traces" test "$(lines_of "$T/traces.json")" -eq 2
check "Java record: kind, type, message, lines" json_check "$T/traces.json" \
	'rows[0]["kind"] == "java" and rows[0]["type"] == "java.lang.IllegalStateException" and rows[0]["message"] == "Order 81723 has no items" and rows[0]["lines"] >= 4'
check "Java record: frames in parts" json_check "$T/traces.json" \
	'rows[0]["parts"]["basis"] == "frames" and rows[0]["parts"]["type"] == rows[0]["type"] and {"module": "com.shop.orders.OrderService", "function": "validate", "in_app": True} in rows[0]["parts"]["frames"]'
check "Python record: kind, type and frames in parts" json_check "$T/traces.json" \
	'rows[1]["kind"] == "python" and rows[1]["type"] == "KeyError" and rows[1]["parts"]["basis"] == "frames" and [f["function"] for f in rows[1]["parts"]["frames"]] == ["run", "load"]'
check "parts carry the fingerprint version" json_check "$T/traces.json" \
	'all(r["parts"]["version"] >= 1 and r["parts"]["template"] == r["template"] for r in rows)'
check "the two traces have different fingerprints" json_check "$T/traces.json" \
	'rows[0]["fingerprint"] != rows[1]["fingerprint"]'
# The same trace from another run: other numbers and line numbers.
sed -e 's/81723/90211/g' -e 's/java:88/java:91/' -e 's/line 88/line 90/' "$T/traces.log" >"$T/traces2.log"
"$QERRORS" fingerprint --json "$T/traces2.log" >"$T/traces2.json"
check "a repeat with other numbers and line numbers keeps its fingerprints" \
	python3 -c 'import json,sys
a=[json.loads(l)["fingerprint"] for l in open(sys.argv[1])]
b=[json.loads(l)["fingerprint"] for l in open(sys.argv[2])]
sys.exit(0 if a == b and len(a) == 2 else 1)' "$T/traces.json" "$T/traces2.json"

# 4. Text form: "FINGERPRINT  TEMPLATE", agreeing with the JSON form.
"$QERRORS" fingerprint "$T/traces.log" >"$T/traces.txt"
check "text form is 'FP  TEMPLATE'" sh -c "test \"\$(grep -cE '^[0-9a-f]{16}  [^ ]' '$T/traces.txt')\" -eq 2"
check "text form agrees with JSON" python3 -c 'import json,sys
j=["%s  %s" % (r["fingerprint"], r["template"]) for r in map(json.loads, open(sys.argv[1]))]
t=open(sys.argv[2]).read().splitlines()
sys.exit(0 if j == t else 1)' "$T/traces.json" "$T/traces.txt"
"$QERRORS" fingerprint --lines "$T/odd.log" >"$T/odd.txt"
check "text form with --lines: one line per input line" test "$(lines_of "$T/odd.txt")" -eq 8

# 5. Determinism: a second run gives the same output.
"$QERRORS" fingerprint --lines --json "$TESTS_DIR/data/fingerprint/lines.txt" >"$T/corpus2.json"
check "same input, same fingerprints (--lines)" cmp -s "$T/corpus.json" "$T/corpus2.json"
"$QERRORS" fingerprint --json "$T/traces.log" >"$T/traces3.json"
check "same input, same fingerprints (events)" cmp -s "$T/traces.json" "$T/traces3.json"
expected="$TESTS_DIR/data/fingerprint/lines.expected"
if [ -f "$expected" ]; then
	"$QERRORS" fingerprint --lines --no-learn "$TESTS_DIR/data/fingerprint/lines.txt" >"$T/corpus.txt"
	check "fingerprints match the frozen snapshot" cmp -s "$T/corpus.txt" "$expected"
fi

# 6. Usage and input errors.
"$QERRORS" fingerprint a b >/dev/null 2>&1
check "two FILEs is a usage error (2)" test $? -eq 2
"$QERRORS" fingerprint "$T/no-such-file" >/dev/null 2>"$T/nofile.err"
check "a missing FILE exits 3" test $? -eq 3
check "the error names the file" grep -q "no-such-file" "$T/nofile.err"

# 7. Grouping accuracy on the Loghub samples, when they are here.
LOGHUB=${LOGHUB_DIR:-$ROOT/../shared/data/loghub}
if [ -d "$LOGHUB" ]; then
	QERRORS="$QERRORS" LOGHUB_DIR="$LOGHUB" sh "$ROOT/bench/grouping.sh" >"$T/bench.out" 2>"$T/bench.err"
	rc=$?
	check "bench/grouping.sh runs" test $rc -eq 0
	avg=$(awk '$1 == "average" { print $2 }' "$T/bench.out")
	sed 's/^/# /' "$T/bench.out"
	check "average grouping accuracy ${avg:-?} >= 0.90" \
		awk -v a="${avg:-0}" 'BEGIN { exit !(a + 0 >= 0.90) }'
	unseen=$(awk '$1 == "average" { print $4 }' "$T/bench.out")
	check "average grouping accuracy, learning tuned on the other sets, ${unseen:-?} >= 0.90" \
		awk -v a="${unseen:-0}" 'BEGIN { exit !(a + 0 >= 0.90) }'
else
	ok "grouping benchmark # skip no Loghub data in $LOGHUB"
fi
exit 0
