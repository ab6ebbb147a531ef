# qerrors summary, rules and doctor end to end, against the fake AI server.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tail_lib.sh"

KEY="sk-test-DOCTORKEYNEVERSHOWN0123456789"
LOG="$T/app.log"
cat >"$LOG" <<'LOG'
2026-11-22 10:00:01 INFO starting worker
Exception in thread "main" java.lang.IllegalStateException: pool exhausted
	at com.example.Pool.take(Pool.java:42)
	at com.example.Main.main(Main.java:7)
2026-11-22 10:00:02 INFO request served
Traceback (most recent call last):
  File "/app/job.py", line 9, in <module>
    run()
  File "/app/job.py", line 5, in run
    raise KeyError("user_id")
KeyError: 'user_id'
2026-11-22 10:00:03 INFO request served
2026-11-22 10:00:04 ERROR payment declined for order 1001
2026-11-22 10:00:05 INFO request served
2026-11-22 10:00:06 ERROR payment declined for order 1002
2026-11-22 10:00:07 WARN disk usage at 91%
2026-11-22 10:00:08 INFO upstream connection refused, retrying in 5s
2026-11-22 10:00:09 INFO done
LOG
# the log's own time is the event's: write it as of an hour ago, so the
# "last 24h" of summary holds it whatever day the test runs
sed -i "s/^2026-11-22 10:/$(date -d '-1 hour' '+%Y-%m-%d %H'):/" "$LOG"

# py EXPR FILE: evaluate a Python expression on the JSON object `o` in FILE
py() {
	python3 -c 'import json,sys
o=json.load(open(sys.argv[2]))
sys.exit(0 if eval(sys.argv[1]) else 1)' "$@"
}

# ---- summary before anything was recorded ----
"$QERRORS" summary >"$T/s0" 2>&1
rc=$?
check "summary without a database exits 0" test $rc -eq 0
check "summary without a database says no errors" grep -q '^no errors in the last 24h' "$T/s0"

start_fake_ai ok || exit 1
export QERRORS_AI_BASE_URL="$FAKE_URL" OPENAI_API_KEY="$KEY"
"$QERRORS" tail --once --from-beginning --json "$LOG" >"$T/tail.out" 2>"$T/tail.err"
check "tail fills the state" grep -q '"type":"event"' "$T/tail.out"
# fingerprint -> events as tail reported them
python3 -c 'import json,sys,collections
c=collections.Counter(json.loads(l)["fingerprint"] for l in open(sys.argv[1]) if json.loads(l).get("type")=="event")
json.dump(c, open(sys.argv[2],"w"))' "$T/tail.out" "$T/tail.counts"
check "tail saw three groups, four events" py 'len(o)==3 and sum(o.values())==4' "$T/tail.counts"

# ---- summary ----
"$QERRORS" summary >"$T/s1" 2>"$T/s1.err"
rc=$?
check "summary text exits 0" test $rc -eq 0
check "summary text names the groups" sh -c "grep -q 'IllegalStateException' '$T/s1' && grep -q KeyError '$T/s1' && grep -q 'payment declined' '$T/s1'"
check "summary text shows advice from the cache" grep -q 'advice: .*[a-z]' "$T/s1"
check "summary text marks new groups" grep -q ' new ' "$T/s1"

"$QERRORS" summary --format json --top 0 >"$T/s2.json" 2>"$T/s2.err"
check "summary json parses" py 'isinstance(o, dict)' "$T/s2.json"
check "summary json has the documented keys" py 'set(o)>={"since","until","window_s","host","groups","total_events","new_groups"} and o["window_s"]==86400' "$T/s2.json"
check "summary json group keys" py 'all(set(g)>={"fingerprint","kind","type","template","count","previous_count","trend","new","first_seen","last_seen","advice_summary"} for g in o["groups"])' "$T/s2.json"
python3 -c 'import json,sys
s=json.load(open(sys.argv[1])); t=json.load(open(sys.argv[2]))
got={g["fingerprint"]: g["count"] for g in s["groups"]}
sys.exit(0 if got==t and s["total_events"]==sum(t.values()) else 1)' "$T/s2.json" "$T/tail.counts"
check "summary counts equal what tail reported" test $? -eq 0
check "every group is new, trend new" py 'o["new_groups"]==3 and all(g["new"] and g["trend"]=="new" and g["previous_count"]==0 for g in o["groups"])' "$T/s2.json"
check "most frequent first" py 'o["groups"][0]["count"]==2 and o["groups"][0]["template"].startswith("payment declined")' "$T/s2.json"
check "advice summaries in json" py 'all(g["advice_summary"] for g in o["groups"])' "$T/s2.json"

"$QERRORS" summary --format markdown >"$T/s3.md" 2>&1
check "markdown starts with a heading" sh -c "head -1 '$T/s3.md' | grep -q '^# qerrors summary: 3 error groups in the last 24h on '"
check "markdown has a table" grep -q '^| # | Count |' "$T/s3.md"
check "markdown has a section per group" test "$(grep -c '^## ' "$T/s3.md")" -eq 3

"$QERRORS" summary --top 1 >"$T/s4" 2>&1
check "--top 1 says how many more" grep -q '^and 2 more groups' "$T/s4"
"$QERRORS" summary --top 1 --format json >"$T/s4.json" 2>&1
check "--top 1 json holds one group and the rest count" py 'len(o["groups"])==1 and o["more_groups"]==2 and o["total_events"]==4' "$T/s4.json"

"$QERRORS" summary --exit-code >/dev/null 2>&1
check "--exit-code exits 1 when groups are new" test $? -eq 1
"$QERRORS" summary --since 7d --exit-code --format json >"$T/s5.json" 2>&1
check "--since 7d --exit-code exits 1 too" test $? -eq 1
check "--since 7d window" py 'o["window_s"]==7*86400' "$T/s5.json"
"$QERRORS" summary --since 1x >"$T/s6" 2>&1
check "a bad duration exits 2" test $? -eq 2
check "a bad duration says what is accepted" grep -q '30m, 24h, 7d, 2w' "$T/s6"
"$QERRORS" summary --top -1 >/dev/null 2>&1
check "a negative --top exits 2" test $? -eq 2
# Nothing happened in the last second: an empty window.
sleep 2
"$QERRORS" summary --since 1s --exit-code >"$T/s7" 2>&1
check "an empty window exits 0 even with --exit-code" test $? -eq 0
check "an empty window says so" grep -q '^no errors in the last 1s' "$T/s7"
check "summary leaves the database alone" sh -c "[ \"\$(stat -c %a '$T/state/qerrors.db')\" = 600 ]"

# ---- rules ----
"$QERRORS" rules list >"$T/r1" 2>&1
check "rules list exits 0" test $? -eq 0
check "rules list shows built-in rules" sh -c "grep -q 'java-exception' '$T/r1' && grep -q builtin '$T/r1'"
"$QERRORS" rules list --json >"$T/r2.json" 2>&1
check "rules list --json parses" py 'len(o["rules"])>=10' "$T/r2.json"
check "every built-in rule has samples" py 'all(r["samples"]>0 for r in o["rules"] if r["builtin"])' "$T/r2.json"

"$QERRORS" rules test "$LOG" >"$T/r3" 2>&1
check "rules test exits 0" test $? -eq 0
check "rules test counts the lines" grep -q '^lines read: 18 ' "$T/r3"
check "rules test counts events by kind" grep -q '^events: 4 (java 1, python 1, line 2)' "$T/r3"
check "rules test shows hits per rule" grep -Eq '^[0-9]+ +java-exception +1 +1 ' "$T/r3"
check "rules test lists the unmatched refused line" grep -q '^ *17: .*connection refused' "$T/r3"
check "rules test lists the WARN line" grep -q '^ *16: .*WARN disk usage' "$T/r3"
"$QERRORS" rules test --json <"$LOG" >"$T/r4.json" 2>&1
check "rules test --json from stdin" py 'o["lines_read"]==18 and o["events"]==4 and o["events_by_kind"]["python"]==1' "$T/r4.json"
check "rules test --json counts the unmatched lines" py 'o["unmatched"]["count"]==2 and [l["line"] for l in o["unmatched"]["lines"]]==[16,17]' "$T/r4.json"
check "rules test --json samples per rule" py 'any(r["name"]=="python-traceback" and r["samples"]==["Traceback (most recent call last):"] for r in o["rules"])' "$T/r4.json"

"$QERRORS" rules check >"$T/r5" 2>&1
check "rules check passes" test $? -eq 0
check "rules check says how many" grep -Eq '^[0-9]+ samples checked, 0 failed$' "$T/r5"

cat >"$T/bad-sample.yaml" <<'YAML'
rules:
  custom:
    - name: payment-declined
      pattern: 'payment declined for order (?<message>\d+)'
      samples:
        - line: 'payment declined for order 7'
          match: true
        - line: 'payment accepted for order 7'
          match: true
YAML
"$QERRORS" -c "$T/bad-sample.yaml" rules check >"$T/r6" 2>&1
check "a failing user sample makes rules check exit 1" test $? -eq 1
check "the failure names the rule" grep -q "payment-declined" "$T/r6"
check "the summary line counts the failure" grep -Eq '^[0-9]+ samples checked, 1 failed$' "$T/r6"
"$QERRORS" -c "$T/bad-sample.yaml" rules list >"$T/r7" 2>&1
check "rules list shows the user rule first" sh -c "sed -n 2p '$T/r7' | grep -q 'payment-declined .* user '"

cat >"$T/bad-pattern.yaml" <<'YAML'
rules:
  custom:
    - name: broken-rule
      pattern: 'error (unclosed'
YAML
"$QERRORS" -c "$T/bad-pattern.yaml" rules list >"$T/r8" 2>&1
check "a bad user pattern exits 2" test $? -eq 2
check "a bad user pattern names the rule and offset" grep -q "rule 'broken-rule': invalid pattern at offset [0-9]" "$T/r8"
"$QERRORS" rules chek >"$T/r9" 2>&1
check "an unknown subcommand exits 2" test $? -eq 2
check "an unknown subcommand suggests one" grep -q "did you mean 'check'" "$T/r9"

# ---- doctor ----
QERRORS_AI_MODEL=fake-model "$QERRORS" doctor >"$T/d1" 2>&1
rc=$?
check "doctor passes against the fake server" test $rc -eq 0
check "doctor reaches the models list" grep -q '^ok *ai_reachable .*HTTP 200' "$T/d1"
check "doctor gets advice with json_schema" grep -q '^ok *ai_advice .*json_schema' "$T/d1"
check "doctor says where the key comes from" grep -q 'set (from OPENAI_API_KEY' "$T/d1"
check "doctor shows the state directory" grep -q "^ok *state .*$T/state" "$T/d1"
check "doctor output holds no key" sh -c "! grep -qF '$KEY' '$T/d1'"
check "doctor sent the key to the server" grep -qF "$KEY" "$FAKE_LOG"

"$QERRORS" doctor --json >"$T/d2.json" 2>&1
check "doctor --json exits 0" test $? -eq 0
check "doctor --json keys" py 'set(o)>={"checks","warnings","failures","ok"} and o["ok"] is True and all(set(c)=={"name","status","message","fix"} for c in o["checks"])' "$T/d2.json"
check "doctor --json names its checks" py '{"config","state","ai_endpoint","ai_key","ai_reachable","ai_advice","ai_breaker","inotify"} <= {c["name"] for c in o["checks"]}' "$T/d2.json"
check "doctor --json holds no key" sh -c "! grep -qF '$KEY' '$T/d2.json'"

closed=$(python3 -c 'import socket
s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
QERRORS_AI_BASE_URL="http://127.0.0.1:$closed/v1" "$QERRORS" doctor >"$T/d3" 2>&1
check "doctor fails on a closed port (exit 3)" test $? -eq 3
check "doctor says the service cannot be reached" grep -q '^fail *ai_reachable .*cannot reach' "$T/d3"
check "doctor says what to do" grep -q -- '-> check that the service is running' "$T/d3"
check "failing doctor output holds no key" sh -c "! grep -qF '$KEY' '$T/d3'"

unset QERRORS_AI_BASE_URL OPENAI_API_KEY
"$QERRORS" doctor >"$T/d4" 2>&1
check "doctor without an AI service only warns" test $? -eq 0
check "doctor says how to configure the AI service" grep -q '^warn *ai_endpoint .*no AI service configured' "$T/d4"
"$QERRORS" -c "$T/bad-pattern.yaml" doctor >"$T/d5" 2>&1
check "doctor fails on a bad rule" test $? -eq 3
check "doctor names the bad rule, with its place in the file" grep -q "^fail *config .*bad-pattern.yaml:4:[0-9]*: rule .broken-rule." "$T/d5"
exit 0
