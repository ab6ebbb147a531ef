# advice shows the last failed attempt and when; advice --ask asks again
# for groups without advice, through the cache, breaker and batches.
. "$(dirname "$0")/lib.sh"

L="$T/app.log"
cat >"$L" <<'LOG'
2026-11-22 10:00:01 INFO service started
2026-11-22 10:00:02 ERROR payment gateway timed out
java.lang.NullPointerException: order is null
	at com.example.Shop.pay(Shop.java:42)
	at com.example.Main.main(Main.java:7)
2026-11-22 10:00:04 INFO request served
Traceback (most recent call last):
  File "app.py", line 3, in <module>
    main()
ValueError: bad quantity
2026-11-22 10:00:05 INFO request served
2026-11-22 10:00:09 CRITICAL disk /data is full
2026-11-22 10:00:10 ERROR cannot open config file /etc/shop.conf
LOG
CONF="$T/qerrors.yaml"
cat >"$CONF" <<'EOF'
ai:
  batch_size: 2
  retry:
    attempts: 0
EOF
export QERRORS_CONFIG="$CONF"
# json FILE EXPR: a Python expression on the JSON document d
json() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
chats() { grep -c '"path": "/v1/chat/completions"' "$FAKE_LOG"; }

start_fake_ai v1_only || exit 1
BASE=${FAKE_URL%/v1}

# ---- tail fails (no /v1): every group remembers why, and when ----
export QERRORS_AI_BASE_URL="$BASE"
"$QERRORS" tail --once --from-beginning --json "$L" >"$T/tail.out" 2>&1
FPS=$(python3 -c 'import json,sys; print(" ".join(sorted({json.loads(l)["fingerprint"] for l in open(sys.argv[1]) if l.startswith("{") and json.loads(l).get("type") == "event"})))' "$T/tail.out")
NFP=$(echo $FPS | wc -w)
check "tail recorded several groups" test "$NFP" -ge 4
FP1=$(echo $FPS | cut -d' ' -f1)

"$QERRORS" advice "$FP1" >"$T/a1" 2>&1
check "advice FP: the last attempt failed, with its time" \
	grep -q "^    none: the last attempt failed, 20[0-9-]*T[0-9:]*[+-][0-9:]* (rejected, model gpt-4o-mini, 1 attempt)" "$T/a1"
check "advice FP: what the service said, with the fix" \
	grep -qF "set ai.base_url (QERRORS_AI_BASE_URL) to '$BASE/v1'" "$T/a1"
check "advice FP: how to ask again" grep -qF "ask again: qerrors advice --ask $FP1" "$T/a1"
check "advice FP: no longer 'not asked yet'" sh -c "! grep -q 'not asked yet' '$T/a1'"
"$QERRORS" advice >"$T/list" 2>&1
check "advice: the listing says each group failed" \
	test "$(grep -c '^    advice: none (failed 20.*, rejected)$' "$T/list")" -eq "$NFP"
"$QERRORS" advice --json "$FP1" >"$T/a1.json"
check "advice --json FP: last_failure with time, status, message, model, attempts" \
	test "$(json "$T/a1.json" '(d["advice"], d["advice_error"], sorted(d["last_failure"]), d["last_failure"]["status"], d["last_failure"]["time"].endswith("Z"))')" = "(None, 'the last attempt failed', ['attempts', 'message', 'model', 'status', 'time'], 'rejected', True)"

# ---- asking again with the same mistake: still failing, counted ----
"$QERRORS" advice --ask "$FP1" >"$T/k0" 2>"$T/k0.err"
check "advice --ask: a failing service exits 4 as analyze does" test $? -eq 4
check "advice --ask: prints the failure" grep -q "^$FP1  failed (rejected): .*has no /v1" "$T/k0"
"$QERRORS" advice --json "$FP1" >"$T/a2.json"
check "advice: the attempts are counted" test "$(json "$T/a2.json" 'd["last_failure"]["attempts"]')" -eq 2

# ---- fixed: one group by prefix, then all the others in batches ----
export QERRORS_AI_BASE_URL="$FAKE_URL"
: >"$FAKE_LOG"
PREFIX=$(echo "$FP1" | cut -c1-6)
"$QERRORS" advice --ask "$PREFIX" >"$T/k1" 2>"$T/k1.err"
check "advice --ask PREFIX exits 0" test $? -eq 0
check "advice --ask PREFIX: asks that one group only" test "$(chats)" -eq 1
check "advice --ask: prints the advice" grep -q "^$FP1  advice: Null reference in the handler for $FP1" "$T/k1"
check "advice --ask: progress on stderr" grep -q "qerrors: asking $FAKE_URL about 1 group in 1 request" "$T/k1.err"
"$QERRORS" advice --json "$FP1" >"$T/a3.json"
check "advice FP: the new advice is stored, the failure gone" \
	test "$(json "$T/a3.json" '(d["advice"]["fix"] != "", d["last_failure"], d["cache"]["model"])')" = "(True, None, 'gpt-4o-mini')"

: >"$FAKE_LOG"
"$QERRORS" advice --ask >"$T/k2" 2>"$T/k2.err"
check "advice --ask (all) exits 0" test $? -eq 0
REST=$((NFP - 1))
check "advice --ask: the cached group is not asked again" grep -q "^$FP1  cached: " "$T/k2"
check "advice --ask: the others in batches of ai.batch_size (2)" test "$(chats)" -eq $(((REST + 1) / 2))
check "advice --ask: every other group got advice" test "$(grep -c '  advice: Null reference' "$T/k2")" -eq "$REST"
check "advice --ask: a summary line" grep -q "qerrors: $REST answered, 0 failed, 1 had advice already" "$T/k2.err"
"$QERRORS" advice >"$T/list2"
check "advice: no group is left without advice" sh -c "! grep -q 'advice: none' '$T/list2'"

: >"$FAKE_LOG"
"$QERRORS" advice --ask --json >"$T/k3.json"
check "advice --ask again sends nothing" test "$(chats)" -eq 0
check "advice --ask --json: counts and results" \
	test "$(json "$T/k3.json" '(d["asked"], d["answered"], d["cached"], len(d["results"]), {r["from"] for r in d["results"]})')" = "(0, 0, $NFP, $NFP, {'cache'})"

# ---- exit codes and the breaker ----
"$QERRORS" cache clear >/dev/null 2>&1
set_fake_mode auth
"$QERRORS" advice --ask "$FP1" >"$T/k4" 2>&1
check "advice --ask: a rejected key exits 6" test $? -eq 6
set_fake_mode 500
cat >>"$CONF" <<'EOF'
  breaker:
    threshold: 1
    open_ms: 600000
EOF
"$QERRORS" advice --ask "$FP1" >"$T/k5" 2>&1
check "advice --ask: a failing service exits 4" test $? -eq 4
: >"$FAKE_LOG"
"$QERRORS" advice --ask "$FP1" >"$T/k6" 2>&1
check "advice --ask respects the open circuit (exit 4)" test $? -eq 4
check "advice --ask: nothing sent while the circuit is open" test "$(chats)" -eq 0
check "advice --ask: says the circuit is open" grep -q "failed (circuit-open): the AI circuit is open" "$T/k6"

unset QERRORS_AI_BASE_URL
"$QERRORS" advice --ask "$FP1" >"$T/k7" 2>&1
check "advice --ask without an AI service is a configuration error (exit 2)" test $? -eq 2
check "advice --ask: says how to configure one" grep -q "no AI service configured: set OPENAI_API_KEY" "$T/k7"
"$QERRORS" advice --ask 0000000000000000 >"$T/k8" 2>&1
check "advice --ask: an unknown fingerprint exits 3" test $? -eq 3
"$QERRORS" advice "$FP1" "$FP1" >"$T/k9" 2>&1
check "advice: two fingerprints without --ask is a usage error" test $? -eq 2
QERRORS_STATE_DIR="$T/none" "$QERRORS" advice --ask >"$T/k10" 2>&1
check "advice --ask without a state database exits 3 and creates nothing" \
	sh -c "test $? -eq 3 && test ! -e '$T/none'"
