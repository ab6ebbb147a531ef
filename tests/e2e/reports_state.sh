# The report commands on a state written by `qerrors tail`: stats, advice
# and cache, in text and JSON, exact counters, prefixes, redaction, cache
# maintenance, a missing database, and reading while an agent runs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tail_lib.sh"
mkdir -p "$T/logs"
L="$T/logs/app.log"
CONF="$T/qerrors.yaml"
# A long commit interval keeps the agent's write transaction open for a
# while, so the readers below are tested against a held lock.
cat >"$CONF" <<'EOF'
ai:
  prices:
    - model: gpt-4o-mini
      prompt: 0.15
      completion: 0.60
tail:
  commit_interval_ms: 8000
EOF
export QERRORS_CONFIG="$CONF"
Q() { "$QERRORS" "$@"; }
# json FILE EXPR: evaluate a Python expression on the JSON document d
json() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# No state yet: every report says so and exits 3.
for c in stats advice "cache list" "cache clear"; do
	Q $c >"$T/o" 2>"$T/e"
	rc=$?
	check "$c without a state database exits 3" test $rc -eq 3
	check "$c without a state database says how to get one" \
		grep -q "no state database at '$T/state/qerrors.db' (run 'qerrors tail'" "$T/e"
done
check "a report does not create the state directory" test ! -e "$T/state"

cat >"$L" <<'EOF'
2026-11-22 10:00:01 INFO service started
2026-11-22 10:00:02 ERROR login failed for alice@example.com password=hunter2secret
2026-11-22 10:00:03 INFO request served
java.lang.NullPointerException: order is null
	at com.example.Shop.pay(Shop.java:42)
	at com.example.Main.main(Main.java:7)
2026-11-22 10:00:04 INFO request served
Traceback (most recent call last):
  File "app.py", line 3, in <module>
    main()
ValueError: bad quantity
2026-11-22 10:00:05 INFO request served
2026-11-22 10:00:06 ERROR login failed for bob@example.org password=other
2026-11-22 10:00:07 INFO request served
java.lang.NullPointerException: order is null
	at com.example.Shop.pay(Shop.java:42)
	at com.example.Main.main(Main.java:7)
2026-11-22 10:00:08 INFO request served
2026-11-22 10:00:09 CRITICAL disk /data is full
EOF
start_fake_ai ok || exit 1
export QERRORS_AI_BASE_URL="$FAKE_URL"
Q tail --once --from-beginning --json "$L" >"$T/tail.out" 2>"$T/tail.err"
check "tail --once succeeds" test $? -eq 0
python3 - "$T/tail.out" >"$T/expect" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if '"type":"event"' in l]
print(len(ev), len({e["fingerprint"] for e in ev}))
for fp in sorted({e["fingerprint"] for e in ev}):
    print(fp)
PY
EVENTS=$(sed -n 1p "$T/expect" | cut -d' ' -f1)
FPS=$(sed -n 1p "$T/expect" | cut -d' ' -f2)
check "tail reported several kinds of events (repeats grouped)" test "$EVENTS" -ge 5 -a "$FPS" -ge 4 -a "$FPS" -lt "$EVENTS"
LINES=$(wc -l <"$L")
SIZE=$(stat -c %s "$L")

# stats --json: exact counters
Q stats --json >"$T/s.json"
check "stats --json exits 0" test $? -eq 0
check "stats: lines_read is the line count" test "$(json "$T/s.json" 'd["lines_read"]')" -eq "$LINES"
check "stats: bytes_read is the file size" test "$(json "$T/s.json" 'd["bytes_read"]')" -eq "$SIZE"
check "stats: events is what tail printed" test "$(json "$T/s.json" 'd["events"]')" -eq "$EVENTS"
check "stats: fingerprints is the number of groups" test "$(json "$T/s.json" 'd["fingerprints"]')" -eq "$FPS"
check "stats: events by severity add up" test "$(json "$T/s.json" 'sum(d["events_by_severity"].values())')" -eq "$EVENTS"
check "stats: events by kind add up" test "$(json "$T/s.json" 'sum(d["events_by_kind"].values())')" -eq "$EVENTS"
check "stats: kinds java, python and line" test "$(json "$T/s.json" 'all(k in d["events_by_kind"] for k in ("java", "python", "line"))')" = True
check "stats: one AI request, no failure" test "$(json "$T/s.json" '(d["ai_requests"], d["ai_failures"], d["ai_retries"])')" = "(1, 0, 0)"
check "stats: tokens counted" test "$(json "$T/s.json" 'd["tokens_prompt"] > 0 and d["tokens_completion"] > 0')" = True
check "stats: cost from ai.prices" test "$(json "$T/s.json" 'abs(d["cost_estimate"] - (d["tokens_prompt"] * 0.15 + d["tokens_completion"] * 0.60) / 1e6) < 1e-12 and d["cost_note"] is None')" = True
check "stats: one cache entry per group" test "$(json "$T/s.json" 'd["cache_entries"]')" -eq "$FPS"
check "stats: every lookup missed" test "$(json "$T/s.json" '(d["cache_hits"], d["cache_misses"])')" = "(0, $FPS)"
check "stats: breaker closed, queue empty" test "$(json "$T/s.json" '(d["breaker_state"], d["queue_length"], d["queue_rejects"], d["dropped_events"], d["truncated_lines"])')" = "('closed', 0, 0, 0, 0)"
check "stats: the source is read to its end" test "$(json "$T/s.json" '[(s["path"], s["position"], s["size"], s["lag"]) for s in d["sources"]]')" = "[('$L', $SIZE, $SIZE, 0)]"
check "stats: updated is an ISO-8601 UTC time" sh -c "[ \$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"sources\"][0][\"updated\"])' '$T/s.json' | grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\$') -eq 1 ]"
check "stats: no agent runs now" test "$(json "$T/s.json" 'd["agent"]["running"]')" = False
# A model without a price: cost 0 and a note.
: >"$T/empty.yaml"
QERRORS_CONFIG="$T/empty.yaml" Q stats --json >"$T/s2.json"
check "stats: no price gives cost 0 and a note" test "$(json "$T/s2.json" '(d["cost_estimate"], "gpt-4o-mini" in d["cost_note"])')" = "(0.0, True)"

Q stats >"$T/s.txt"
check "stats text: lines read" grep -qE "^  lines read +$LINES\$" "$T/s.txt"
check "stats text: fingerprints" grep -qE "^  fingerprints +$FPS\$" "$T/s.txt"
check "stats text: the source with its lag" grep -qE "^  [0-9.]+ (B|KiB) +[0-9.]+ (B|KiB) +0 B +[0-9T:+-]+ +text +$L\$" "$T/s.txt"
check "stats text: no colour when not a tty" sh -c "! grep -q \$(printf '\\033') '$T/s.txt'"
check "stats --color=always colours" sh -c "'$QERRORS' --color=always stats | grep -q \$(printf '\\033')"
check "stats rejects arguments" sh -c "'$QERRORS' stats foo 2>/dev/null; [ \$? -eq 2 ]"

# advice: every group, most frequent first, with advice
Q advice --json >"$T/a.json"
check "advice --json exits 0" test $? -eq 0
check "advice: one entry per group" test "$(json "$T/a.json" 'len(d["groups"])')" -eq "$FPS"
check "advice: the same fingerprints tail printed" test "$(json "$T/a.json" '" ".join(sorted(g["fingerprint"] for g in d["groups"]))')" = "$(sed 1d "$T/expect" | tr '\n' ' ' | sed 's/ $//')"
check "advice: most frequent first" test "$(json "$T/a.json" '[g["count"] for g in d["groups"]] == sorted([g["count"] for g in d["groups"]], reverse=True)')" = True
check "advice: counts add up to the events" test "$(json "$T/a.json" 'sum(g["count"] for g in d["groups"])')" -eq "$EVENTS"
check "advice: every group has advice" test "$(json "$T/a.json" 'all(isinstance(g["advice"], dict) and g["advice"]["summary"] and g["advice_error"] is None for g in d["groups"])')" = True
check "advice: times are ISO-8601 UTC" test "$(json "$T/a.json" 'all(g["first_seen"].endswith("Z") and g["last_seen"] >= g["first_seen"] for g in d["groups"])')" = True
check "advice: no secret in the listing" sh -c "! grep -q 'hunter2secret\\|alice@example.com' '$T/a.json'"
Q advice >"$T/a.txt"
check "advice text: every fingerprint" sh -c "for f in \$(sed 1d '$T/expect'); do grep -q \"^\$f \" '$T/a.txt' || exit 1; done"
check "advice text: advice summaries" test "$(grep -c '^    advice: Null reference' "$T/a.txt")" -eq "$FPS"

# The group of the secret-bearing line, by a 6-digit prefix
FP=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e.get("type") == "event" and "login failed" in e["message"]:
        print(e["fingerprint"]); break' "$T/tail.out")
P=$(printf '%s' "$FP" | cut -c1-6)
Q advice "$P" >"$T/g.txt"
check "advice PREFIX exits 0" test $? -eq 0
check "advice PREFIX: the whole fingerprint" grep -q "^fingerprint *$FP\$" "$T/g.txt"
check "advice PREFIX: shows the sample" grep -q "login failed for" "$T/g.txt"
check "advice PREFIX: the sample is redacted" sh -c "! grep -q 'hunter2secret\\|alice@example.com\\|bob@example.org' '$T/g.txt'"
check "advice PREFIX: the advice in full" grep -q "root cause:" "$T/g.txt"
P_UP=$(printf '%s' "$P" | tr a-f A-F)
Q advice --json "$P_UP" >"$T/g.json"
check "advice --json PREFIX (upper case works)" test "$(json "$T/g.json" 'd["fingerprint"]')" = "$FP"
check "advice --json: sample without secrets" test "$(json "$T/g.json" '"login failed" in d["sample"] and "hunter2secret" not in d["sample"] and "alice@example.com" not in d["sample"]')" = True
check "advice --json: cache metadata" test "$(json "$T/g.json" '(d["cache"]["model"], d["cache"]["expired"], d["cache"]["hits"], d["advice"]["fix"] != "")')" = "('gpt-4o-mini', False, 0, True)"
Q advice 0000000000000000 >/dev/null 2>"$T/e"
check "advice: unknown fingerprint exits 3" test $? -eq 3
check "advice: unknown fingerprint is named" grep -q "no error group '0000000000000000'" "$T/e"
Q advice xyz! >/dev/null 2>"$T/e"
check "advice: not a fingerprint exits 2" test $? -eq 2
# An ambiguous prefix: the two fingerprints' common start, made of 4+
# digits by storing a second group under a fabricated twin fingerprint.
python3 - "$T/state/qerrors.db" "$FP" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
fp = sys.argv[2]
twin = fp[:4] + ("0" if fp[4] != "0" else "1") + fp[5:]
db.execute("INSERT INTO groups (fingerprint, kind, type, template, message, severity, sample, first_seen, last_seen, count) SELECT ?, kind, type, template, message, severity, sample, first_seen, last_seen, count FROM groups WHERE fingerprint = ?", (twin, fp))
db.commit()
PY
Q advice "$(printf '%s' "$FP" | cut -c1-4)" >/dev/null 2>"$T/e"
check "advice: ambiguous prefix exits 2" test $? -eq 2
check "advice: ambiguous prefix lists the candidates" sh -c "grep -q 'ambiguous' '$T/e' && grep -q '^  $FP\$' '$T/e'"
Q advice "$FP" >/dev/null
check "advice: the whole fingerprint is never ambiguous" test $? -eq 0
python3 -c 'import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); db.execute("DELETE FROM groups WHERE fingerprint NOT IN (SELECT fingerprint FROM advice)"); db.commit()' "$T/state/qerrors.db"

# cache
Q cache list --json >"$T/c.json"
check "cache list --json: one entry per group" test "$(json "$T/c.json" 'len(d["entries"])')" -eq "$FPS"
check "cache list --json: the documented keys" test "$(json "$T/c.json" 'sorted(d["entries"][0])')" = "['age_s', 'created', 'expired', 'expires', 'fingerprint', 'hits', 'last_used', 'model', 'prompt_version', 'summary', 'tokens_completion', 'tokens_prompt']"
check "cache list --json: live entries with a summary" test "$(json "$T/c.json" 'all(not e["expired"] and e["expires"] and e["summary"] and e["prompt_version"] == 1 for e in d["entries"])')" = True
Q cache >"$T/c.txt"
check "cache (no subcommand) lists" test "$(grep -c '^[0-9a-f]\{16\}  gpt-4o-mini' "$T/c.txt")" -eq "$FPS"
Q cache show "$P" >"$T/cs.txt"
check "cache show PREFIX: the entry and its advice" sh -c "grep -q '^fingerprint *$FP' '$T/cs.txt' && grep -q 'summary: ' '$T/cs.txt'"
Q cache show --json "$P" >"$T/cs.json"
check "cache show --json: the advice object" test "$(json "$T/cs.json" '(d["fingerprint"], isinstance(d["advice"], dict))')" = "('$FP', True)"
Q cache show 0000 >/dev/null 2>&1
check "cache show: unknown fingerprint exits 3" test $? -eq 3
Q cache stats --json >"$T/cst.json"
check "cache stats --json" test "$(json "$T/cst.json" '(d["entries"], d["expired"], d["hits"], d["tokens_prompt"] > 0, d["size_bytes"] > 0, d["database_bytes"] > 0)')" = "($FPS, 0, 0, True, True, True)"
Q cache stats >"$T/cst.txt"
check "cache stats text" grep -q "^entries *$FPS (0 expired)" "$T/cst.txt"
Q cache prune --json >"$T/p.json"
check "cache prune: nothing expired" test "$(json "$T/p.json" 'd["removed"]')" -eq 0
# Expire one entry, prune removes it.
python3 -c 'import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); db.execute("UPDATE advice SET expires = 1000 WHERE fingerprint = ?", (sys.argv[2],)); db.commit()' "$T/state/qerrors.db" "$FP"
check "advice: an expired entry is reported as such" test "$(Q advice --json "$P" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["advice"], d["advice_error"], d["cache"]["expired"])')" = "None expired True"
check "cache stats counts the expired entry" test "$(Q cache stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["expired"])')" -eq 1
check "cache prune removes the expired entry" test "$(Q cache prune)" = "removed 1 cache entry"
check "advice: after prune the group was never asked" test "$(Q advice --json "$P" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["advice_error"], d["cache"])')" = "not asked yet None"
Q cache prun >/dev/null 2>"$T/e"
check "cache: unknown subcommand exits 2" test $? -eq 2
check "cache: unknown subcommand suggests" grep -q "did you mean 'prune'" "$T/e"
Q cache show >/dev/null 2>&1
check "cache show without FINGERPRINT exits 2" test $? -eq 2
ONE=$(sed -n 2p "$T/expect")
[ "$ONE" = "$FP" ] && ONE=$(sed -n 3p "$T/expect")
check "cache clear FP removes one" test "$(Q cache clear --json "$ONE" | python3 -c 'import json,sys; print(json.load(sys.stdin)["removed"])')" -eq 1
check "cache clear removes the rest" test "$(Q cache clear)" = "removed $((FPS - 2)) cache entries"
check "cache list --json is empty after clear" test "$(Q cache list --json)" = '{"entries":[]}'
check "cache clear on an empty cache" test "$(Q cache clear --json)" = '{"removed":0}'

# A running agent: stats sees it, and neither stats nor advice waits for
# its open transaction.
start_agent "$L"
printf '2026-11-22 10:01:00 ERROR fresh failure seq=1\n' >>"$L"
check "the agent picks up the new line" wait_for 10 grep -q 'seq=1' "$T/out.$RUN"
held() {
	python3 - "$T/state/qerrors.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=0)
try:
    db.execute("BEGIN IMMEDIATE")
except sqlite3.OperationalError:
    sys.exit(0)  # the agent holds the write lock
db.rollback()
sys.exit(1)
PY
}
check "the agent holds a write transaction" held
start=$(date +%s%N)
timeout 5 "$QERRORS" stats --json >"$T/sr.json"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
check "stats while the agent writes exits 0" test $rc -eq 0
check "stats while the agent writes returns within 2 s (${ms} ms)" test $ms -lt 2000
check "stats: agent.running is true, with its pid" test "$(json "$T/sr.json" '(d["agent"]["running"], d["agent"]["pid"])')" = "(True, $AGENT_PID)"
start=$(date +%s%N)
timeout 5 "$QERRORS" advice --json >/dev/null
ms=$((($(date +%s%N) - start) / 1000000))
check "advice while the agent writes returns within 2 s (${ms} ms)" test $ms -lt 2000
check "the agent still held its transaction during the reads" held
Q stats | grep -q "^agent *running (pid $AGENT_PID"
check "stats text: the agent is running" test $? -eq 0
stop_agent
check "after the agent stops, stats counts the new line" test "$(Q stats --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["lines_read"], d["agent"]["running"])')" = "$((LINES + 1)) False"
exit 0
