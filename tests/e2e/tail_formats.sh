# tail reads the logs people have through the decoding stage: JSON
# loggers (pino), CRI container logs under the Kubernetes layout, and a
# JSON log gives the same fingerprints as its plain-text twin.  The
# samples were written by the real libraries (tests/data/formats).
. "$(dirname "$0")/lib.sh"
D=$TESTS_DIR/data/formats
types() { python3 -c 'import json,sys
print(" ".join(sorted(json.loads(l)["error_type"] or "-" for l in open(sys.argv[1]) if "\"type\":\"event\"" in l)))' "$1"; }
# fingerprints of the error events: exceptions, and single lines (the
# text drops the logger name that JSON holds in a field of its own)
fps() { python3 -c 'import json,sys
rows=[json.loads(l) for l in open(sys.argv[1]) if "\"type\":\"event\"" in l]
print(" ".join(sorted(r["fingerprint"] for r in rows)))' "$1"; }
want() { grep -v '^#' "$1" | cut -f2 | sort | tr '\n' ' ' | sed 's/ $//'; }

cp "$D/pino.log" "$T/pino.log"
"$QERRORS" -v tail --once --from-beginning --json "$T/pino.log" >"$T/pino.out" 2>"$T/pino.err"
check "pino: exit 0" test $? -eq 0
check "pino: every error found, with its type" test "$(types "$T/pino.out")" = "$(want "$D/pino.expected")"
check "pino: -v says the format chosen" grep -q "format json" "$T/pino.err"
"$QERRORS" stats --json >"$T/pino.stats"
check "pino: stats says the format chosen" python3 -c 'import json,sys
s=json.load(open(sys.argv[1]))["sources"]
sys.exit(0 if [(x["path"], x["format"]) for x in s] == [(sys.argv[2], "json")] else print(s) or 1)' "$T/pino.stats" "$T/pino.log"
"$QERRORS" stats >"$T/pino.stats.txt"
check "pino: stats text has a FORMAT column" sh -c "grep -q 'FORMAT' '$T/pino.stats.txt' && grep '$T/pino.log' '$T/pino.stats.txt' | grep -qw json"
check "pino: the event's time is the log's own" python3 -c 'import json,sys
rows=[json.loads(l) for l in open(sys.argv[1]) if "\"type\":\"event\"" in l]
sys.exit(0 if all(r["time"].startswith("2026-12-01T") for r in rows) else 1)' "$T/pino.out"

mkdir -p "$T/var/log/containers"
C="$T/var/log/containers/billing-7d9f_shop_api-0123456789abcdef0123456789abcdef.log"
cp "$D/cri.log" "$C"
"$QERRORS" tail --once --from-beginning --json "$C" >"$T/cri.out" 2>"$T/cri.err"
check "cri: every error found, traces joined" test "$(types "$T/cri.out")" = "$(want "$D/cri.expected")"
check "cri: pod, namespace and container from the file name" python3 -c 'import json,sys
rows=[json.loads(l) for l in open(sys.argv[1]) if "\"type\":\"event\"" in l]
sys.exit(0 if rows and all((r["pod"], r["namespace"], r["container"]) == ("billing-7d9f", "shop", "api") for r in rows) else 1)' "$T/cri.out"

cp "$D/logstash-logback.log" "$T/json.log"
cp "$D/logback-text.log" "$T/text.log"
QERRORS_STATE_DIR="$T/s2" "$QERRORS" tail --once --from-beginning --json "$T/json.log" >"$T/j.out" 2>/dev/null
QERRORS_STATE_DIR="$T/s3" "$QERRORS" tail --once --from-beginning --json "$T/text.log" >"$T/t.out" 2>/dev/null
check "logback: JSON and text twins give the same fingerprints" test "$(fps "$T/j.out")" = "$(fps "$T/t.out")"
check "logback: and some" test -n "$(fps "$T/j.out")"

# a PostgreSQL server log: each failing statement one event, with the
# DETAIL, HINT, CONTEXT and STATEMENT lines the server wrote after it
cp "$D/postgresql.log" "$T/pg.log"
QERRORS_STATE_DIR="$T/s8" "$QERRORS" tail --once --from-beginning --json "$T/pg.log" >"$T/pg.out" 2>/dev/null
check "postgresql: one event per failing statement, lines attached" python3 -c 'import json,sys
rows=[json.loads(l) for l in open(sys.argv[1]) if "\"type\":\"event\"" in l]
got=[" ".join(x.split(":")[0] for x in r["lines"][1:]) or "-" for r in rows]
want=[l.rstrip("\n").split("\t")[3] for l in open(sys.argv[2]) if not l.startswith("#")]
sys.exit(0 if got == want else "%s != %s" % (got, want))' "$T/pg.out" "$D/postgresql.expected"

# an old log read from the beginning is not new today
printf '2025-01-15 08:00:00 ERROR disk quota exceeded on volume 7\n' >"$T/old.log"
QERRORS_STATE_DIR="$T/s4" "$QERRORS" tail --once --from-beginning "$T/old.log" >/dev/null 2>&1
QERRORS_STATE_DIR="$T/s4" "$QERRORS" summary --since 24h >"$T/sum" 2>&1
check "an old log's errors are not counted in the last day" sh -c "! grep -q 'disk quota' '$T/sum'"
QERRORS_STATE_DIR="$T/s4" "$QERRORS" summary --since 700d >"$T/sum2" 2>&1
check "but within its own time" grep -q 'disk quota' "$T/sum2"

# --format names the decoding for every source of the run
cp "$D/pino.log" "$T/forced.log"
QERRORS_STATE_DIR="$T/s5" "$QERRORS" tail --once --from-beginning --json --format=json "$T/forced.log" >"$T/f.out" 2>/dev/null
check "--format=json: the same errors as auto" test "$(types "$T/f.out")" = "$(want "$D/pino.expected")"
QERRORS_STATE_DIR="$T/s6" "$QERRORS" tail --once --from-beginning --json --format=text "$T/forced.log" >"$T/ft.out" 2>/dev/null
check "--format=text: JSON lines read as text, not as records" sh -c "! grep -q '\"error_type\":\"ReferenceError\"' '$T/ft.out'"
QERRORS_STATE_DIR="$T/s7" "$QERRORS" tail --once --format=bogus "$T/forced.log" >/dev/null 2>"$T/fb.err"
check "--format=bogus is a usage error" test $? -eq 2
check "and names the choices" grep -q "json" "$T/fb.err"

# a JSON record in a file read as text is a record: an error by its level
# alone, with no word that a text line would need, is found
printf '2026-01-01 10:00:00 INFO starting\n{"level":50,"time":1700000000000,"msg":"boom happened here"}\n' >"$T/mixed.log"
QERRORS_STATE_DIR="$T/s8" "$QERRORS" tail --once --from-beginning --json "$T/mixed.log" >"$T/mixed.out" 2>/dev/null
check "a JSON error line after a text line is reported" grep -q '"message":"boom happened here"' "$T/mixed.out"
