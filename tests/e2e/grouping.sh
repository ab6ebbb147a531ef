# Grouping beyond the mask: templates learnt from the stream, kept in the
# state across restarts and shared by a fleet through a real Redis on
# 127.0.0.1; grouping rules; which stage decided, in fingerprint --json.
. "$(dirname "$0")/lib.sh"

json_check() {
	python3 -c 'import json,sys
rows=[json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
sys.exit(0 if eval(sys.argv[2]) else 1)' "$@"
}

# 0. By default a slot needs five different words: three names are three
# groups; grouping.distinct_words lowers it.  The rest of this file asks
# for three (QERRORS_CONFIG, and in the files given with -c).
cat >"$T/five.log" <<'LOG'
2026-11-22 10:00:01 ERROR cron job backup-db failed with status 2
2026-11-22 10:00:02 ERROR cron job rotate-logs failed with status 1
2026-11-22 10:00:03 ERROR cron job sync-mail failed with status 3
LOG
"$QERRORS" fingerprint --lines --json "$T/five.log" >"$T/five.json"
check "by default three names in a slot are three groups" json_check "$T/five.json" \
	'len({r["fingerprint"] for r in rows}) == 3'
for n in 4 5; do
	echo "2026-11-22 10:00:0$n ERROR cron job name-$n failed with status $n" >>"$T/five.log"
done
"$QERRORS" fingerprint --lines --json "$T/five.log" >"$T/five.json"
check "the fifth makes the slot a variable: one group" json_check "$T/five.json" \
	'len({r["fingerprint"] for r in rows}) == 1 and rows[0]["stage"] == "learnt"'
printf 'grouping:\n  distinct_words: 3\n' >"$T/three.yaml"
export QERRORS_CONFIG="$T/three.yaml"

# 1. A name in a slot: learnt as a variable; the first line's fingerprint
# is the group's; --no-learn shows the mask alone.
cat >"$T/names.log" <<'LOG'
2026-11-22 10:00:01 ERROR cron job backup-db failed with status 2
2026-11-22 10:00:02 ERROR cron job rotate-logs failed with status 1
2026-11-22 10:00:03 ERROR cron job sync-mail failed with status 3
2026-11-22 10:00:04 ERROR disk /dev/sda1 is full
LOG
"$QERRORS" fingerprint --lines --json "$T/names.log" >"$T/names.json"
check "fingerprint --lines --json exits 0" test $? -eq 0
check "the three cron lines share the first one's fingerprint" json_check "$T/names.json" \
	'len({r["fingerprint"] for r in rows[:3]}) == 1 and rows[3]["fingerprint"] != rows[0]["fingerprint"]'
check "stages: learnt for the cron lines (the whole file first), mask for the other" \
	json_check "$T/names.json" '[r["stage"] for r in rows] == ["learnt", "learnt", "learnt", "mask"]'
check "the group is the first line's mask fingerprint" json_check "$T/names.json" \
	'rows[0]["fingerprint"] == rows[0]["parts"]["mask_fingerprint"]'
"$QERRORS" fingerprint --lines --json <"$T/names.log" >"$T/names-pipe.json"
check "from a pipe, the same two passes" cmp -s "$T/names.json" "$T/names-pipe.json"
# Two words that alternate in one slot are two messages; a third makes
# the slot a variable.
cat >"$T/words.log" <<'LOG'
2026-11-22 10:00:01 ERROR cache entry 7 stored as bytes in memory
2026-11-22 10:00:02 ERROR cache entry 8 stored as values in memory
2026-11-22 10:00:03 ERROR cache entry 9 stored as bytes in memory
2026-11-22 10:00:04 ERROR cache entry 10 stored as values in memory
LOG
"$QERRORS" fingerprint --lines --json "$T/words.log" >"$T/words.json"
check "two words in a slot: two groups" json_check "$T/words.json" \
	'rows[0]["fingerprint"] == rows[2]["fingerprint"] and rows[1]["fingerprint"] == rows[3]["fingerprint"] and rows[0]["fingerprint"] != rows[1]["fingerprint"]'
echo "2026-11-22 10:00:05 ERROR cache entry 11 stored as pages in memory" >>"$T/words.log"
"$QERRORS" fingerprint --lines --json "$T/words.log" >"$T/words3.json"
check "a third word: one group, with a variable" json_check "$T/words3.json" \
	'len({r["fingerprint"] for r in rows}) == 1 and rows[4]["parts"]["learnt_template"].count("<*>") == 1'
check "the learnt template has a variable" json_check "$T/names.json" \
	'rows[2]["parts"]["learnt_template"] == "cron job <*> failed with status <NUM>" and rows[2]["parts"]["mask_fingerprint"] != rows[2]["fingerprint"]'
"$QERRORS" fingerprint --lines --json --no-learn "$T/names.log" >"$T/mask.json"
check "--no-learn: the mask alone splits them" json_check "$T/mask.json" \
	'len({r["fingerprint"] for r in rows[:3]}) == 3 and all(r["stage"] == "mask" for r in rows)'

# 2. Traces keep type + frames.
cat >"$T/trace.log" <<'LOG'
Traceback (most recent call last):
  File "/srv/app/jobs.py", line 12, in run
    do()
ValueError: bad job backup-db
LOG
"$QERRORS" fingerprint --json "$T/trace.log" >"$T/trace.json"
check "a trace is decided by its frames" json_check "$T/trace.json" \
	'rows[0]["stage"] == "trace" and "learnt_template" not in rows[0]["parts"]'

# 3. Grouping rules: a named group, a split, shown in text and JSON.
cat >"$T/rules.yaml" <<'YAML'
grouping:
  rules:
    - match:
        message: 'timed out'
      group: timeouts
    - match:
        message: 'quota exceeded'
      split_by: 'tenant=(\w+)'
  distinct_words: 3
YAML
cat >"$T/rules.log" <<'LOG'
2026-11-22 10:00:01 ERROR read from db timed out
2026-11-22 10:00:02 ERROR upstream call timed out after 3 retries
2026-11-22 10:00:03 ERROR quota exceeded tenant=acme size=12
2026-11-22 10:00:04 ERROR quota exceeded tenant=globex size=12
LOG
"$QERRORS" -c "$T/rules.yaml" fingerprint --json "$T/rules.log" >"$T/rules.json"
check "rule: both timeouts in one group" json_check "$T/rules.json" \
	'rows[0]["fingerprint"] == rows[1]["fingerprint"] and rows[0]["stage"] == "rule" and rows[0]["parts"]["group"] == "timeouts"'
check "rule: the file and line are shown" json_check "$T/rules.json" \
	'rows[0]["rule"].endswith("rules.yaml:3") and rows[2]["rule"].endswith("rules.yaml:6")'
check "split_by: one group per tenant" json_check "$T/rules.json" \
	'rows[2]["fingerprint"] != rows[3]["fingerprint"] and rows[2]["parts"]["split"] == "acme"'
"$QERRORS" -c "$T/rules.yaml" fingerprint "$T/rules.log" >"$T/rules.txt"
check "text output names the rule" grep -q "\[rule .*rules.yaml:3\]" "$T/rules.txt"
printf 'grouping:\n  rules:\n    - match:\n        message: "a(b"\n      group: x\n' >"$T/bad.yaml"
"$QERRORS" -c "$T/bad.yaml" fingerprint "$T/rules.log" >/dev/null 2>"$T/bad.err"
check "a bad pattern is a configuration error (2)" test $? -eq 2
check "and says file:line:column" grep -q "bad.yaml:4:22: invalid 'message' pattern" "$T/bad.err"

# 4. tail keeps what it learnt: after a restart a new name joins at once.
head -2 "$T/names.log" >"$T/run1.log"
sed -n 3p "$T/names.log" >"$T/run2.log"
"$QERRORS" tail --once --from-beginning --json "$T/run1.log" >"$T/run1.json" 2>"$T/run1.err"
check "tail run 1 exits 0" test $? -eq 0
"$QERRORS" tail --once --from-beginning --json "$T/run2.log" >"$T/run2.json" 2>"$T/run2.err"
check "tail run 2 exits 0" test $? -eq 0
check "after a restart the third name joins the learnt group" python3 -c '
import json, sys
a = [json.loads(l) for l in open(sys.argv[1]) if "\"event\"" in l]
b = [json.loads(l) for l in open(sys.argv[2]) if "\"event\"" in l]
sys.exit(0 if a and b and b[0]["fingerprint"] == a[0]["fingerprint"] and not b[0]["new"] else 1)' \
	"$T/run1.json" "$T/run2.json"
"$QERRORS" fingerprint --state --json "$T/run2.log" >"$T/fpstate.json"
check "fingerprint --state gives the agent's fingerprint" python3 -c '
import json, sys
a = [json.loads(l) for l in open(sys.argv[1]) if "\"event\"" in l]
b = [json.loads(l) for l in open(sys.argv[2])]
sys.exit(0 if b and b[0]["fingerprint"] == a[0]["fingerprint"] and b[0]["stage"] == "learnt" else 1)' \
	"$T/run1.json" "$T/fpstate.json"
"$QERRORS" stats --json >"$T/stats.json"
check "stats counts the templates created" python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["counters"]
sys.exit(0 if c.get("templates_created", 0) >= 1 else 1)' "$T/stats.json"

# 5. A fleet: host B groups the way host A learnt.
if ! command -v redis-server >/dev/null 2>&1; then
	ok "fleet templates # skip redis-server not installed"
	exit 0
fi
RPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$T/redis"
redis-server --port "$RPORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$T/redis" \
	--daemonize no >"$T/redis.log" 2>&1 &
echo $! >>"$T/pids"
wait_for 10 python3 -c "import socket; socket.create_connection(('127.0.0.1', $RPORT))" 2>/dev/null
cat >"$T/fleet.yaml" <<YAML
grouping:
  distinct_words: 3
cache:
  backend: redis
  redis:
    url: redis://127.0.0.1:$RPORT/0
    prefix: "qe-grp:"
YAML
QERRORS_STATE_DIR="$T/hostA" "$QERRORS" -c "$T/fleet.yaml" tail --once --from-beginning --json "$T/run1.log" >"$T/fa.json" 2>"$T/fa.err"
check "host A exits 0" test $? -eq 0
QERRORS_STATE_DIR="$T/hostB" "$QERRORS" -c "$T/fleet.yaml" tail --once --from-beginning --json "$T/run2.log" >"$T/fb.json" 2>"$T/fb.err"
check "host B exits 0" test $? -eq 0
check "host B gives host A's fingerprint to a name it never saw" python3 -c '
import json, sys
a = [json.loads(l) for l in open(sys.argv[1]) if "\"event\"" in l]
b = [json.loads(l) for l in open(sys.argv[2]) if "\"event\"" in l]
sys.exit(0 if a and b and b[0]["fingerprint"] == a[0]["fingerprint"] else 1)' \
	"$T/fa.json" "$T/fb.json"

# What a host learnt while Redis was down reaches the fleet later.
DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed "s/$RPORT/$DEAD/" "$T/fleet.yaml" >"$T/dead.yaml"
printf '2026-11-22 10:00:01 ERROR queue orders-eu is full, dropping message\n2026-11-22 10:00:02 ERROR queue billing-us is full, dropping message\n' >"$T/q1.log"
printf '2026-11-22 10:00:03 ERROR disk quota reached\n' >"$T/q2.log"
printf '2026-11-22 10:00:04 ERROR queue mail-ap is full, dropping message\n' >"$T/q3.log"
QERRORS_STATE_DIR="$T/hostC" "$QERRORS" -c "$T/dead.yaml" tail --once --from-beginning --json "$T/q1.log" >"$T/c1.json" 2>"$T/c1.err"
check "host C runs with its Redis down" test $? -eq 0
QERRORS_STATE_DIR="$T/hostC" "$QERRORS" -c "$T/fleet.yaml" tail --once --from-beginning --json "$T/q2.log" >/dev/null 2>"$T/c2.err"
QERRORS_STATE_DIR="$T/hostD" "$QERRORS" -c "$T/fleet.yaml" tail --once --from-beginning --json "$T/q3.log" >"$T/d.json" 2>"$T/d.err"
check "host D groups as host C learnt during the outage" python3 -c '
import json, sys
a = [json.loads(l) for l in open(sys.argv[1]) if "\"event\"" in l]
b = [json.loads(l) for l in open(sys.argv[2]) if "\"event\"" in l]
sys.exit(0 if a and b and b[0]["fingerprint"] == a[0]["fingerprint"] else 1)' \
	"$T/c1.json" "$T/d.json"
exit 0
