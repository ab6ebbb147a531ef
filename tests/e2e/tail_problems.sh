# tail says what went wrong where people look: sources it cannot read,
# sources it waits for, an AI service it cannot use (once, with the fix),
# and exits --once with the code of the worst thing that happened.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tail_lib.sh"
cd "$T" || exit 1
json_eval() {
	python3 -c 'import json,sys
rows=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rows=[r for r in rows if r.get("type") == "event"]
o=rows[int(sys.argv[2])]
sys.exit(0 if eval(sys.argv[3]) else 1)' "$@"
}
printf '2026-11-22 10:00:01 ERROR disk quota exceeded on volume 7\n' >app.log
mkdir adir

"$QERRORS" tail --once --from-beginning "$T/missing.log" >o 2>e
check "--once: a missing file exits 3" test $? -eq 3
check "--once: a missing file is named" grep -q "cannot open '$T/missing.log'" e
"$QERRORS" tail --once --from-beginning "$T/adir" >o 2>e
check "--once: a directory exits 3" test $? -eq 3
check "--once: a directory is named" grep -q "is a directory" e
"$QERRORS" tail --once --from-beginning "$T/nomatch-*.log" >o 2>e
check "--once: a glob matching nothing exits 3" test $? -eq 3
check "--once: says there was nothing to read" grep -q "nothing to read" e
"$QERRORS" tail --once --from-beginning "$T/app.log" "$T/missing.log" >o 2>e
check "--once: one good source and one missing still exits 3" test $? -eq 3
check "--once: the good source was read" grep -q "disk quota" o

# no AI service: said once, in text mode only
printf '2026-11-22 10:00:02 ERROR connection refused by db-1\n' >>app.log
QERRORS_STATE_DIR="$T/s1" "$QERRORS" tail --once --from-beginning "$T/app.log" >o 2>e
check "no AI: exit 0" test $? -eq 0
check "no AI: said once on stderr" test "$(grep -c 'no AI service configured' e)" -eq 1

# follow mode says what it waits for
RUN=w
"$QERRORS" tail "$T/later.log" "$T/logs/*.log" >"$T/out.w" 2>"$T/err.w" &
echo $! >>"$T/pids"
WPID=$!
check "follow: waits for a missing file, and says so" wait_for 10 grep -q "waiting for '$T/later.log'" "$T/err.w"
check "follow: waits for a glob's first file, and says so" wait_for 10 grep -q "no file matches '$T/logs/\*.log' yet" "$T/err.w"
kill "$WPID" 2>/dev/null
wait "$WPID" 2>/dev/null

# a rejected key: said once, with the fix; --once exits 6
start_fake_ai auth || exit 1
export QERRORS_AI_BASE_URL="$FAKE_URL" OPENAI_API_KEY="sk-test-PROBLEMKEY0123456789"
printf '2026-11-22 10:00:0%d ERROR failure number %d of the job runner\n' 3 3 4 4 >>app.log
QERRORS_STATE_DIR="$T/s2" "$QERRORS" tail --once --from-beginning "$T/app.log" >o 2>e
check "rejected key: --once exits 6" test $? -eq 6
check "rejected key: said on stderr once" test "$(grep -c 'no advice from the AI service' e)" -eq 1
check "rejected key: names the fix" grep -q "check the key" e
check "rejected key: the key itself is not shown" sh -c "! grep -q PROBLEMKEY e o"
QERRORS_STATE_DIR="$T/s5" "$QERRORS" tail --once --from-beginning --json "$T/app.log" >o 2>e
check "rejected key, NDJSON: one notice record with the fix" \
	test "$(grep -c '"type":"notice".*"fix":"check the key' o)" -eq 1
check "NDJSON events carry time and count" json_eval o 0 '"time" in o and o["count"] >= 1'
stop_fake_ai

# a base URL without /v1: the fix names /v1; --once exits 4
start_fake_ai v1_only || exit 1
export QERRORS_AI_BASE_URL="${FAKE_URL%/v1}"
QERRORS_STATE_DIR="$T/s3" "$QERRORS" tail --once --from-beginning "$T/app.log" >o 2>e
check "no /v1: --once exits 4" test $? -eq 4
check "no /v1: the message names /v1" grep -q "/v1" e
stop_fake_ai

# a pending answer is not an error
start_fake_ai slow || exit 1
export QERRORS_AI_BASE_URL="$FAKE_URL"
QERRORS_STATE_DIR="$T/s6" "$QERRORS" tail --once --from-beginning --json "$T/app.log" >o 2>e
check "pending: advice_state says so, advice_error is null" \
	json_eval o 0 'o["advice_state"] == "pending" and o["advice_error"] is None'
stop_fake_ai

# an invalid redact pattern is a configuration error, not a crash
unset QERRORS_AI_BASE_URL OPENAI_API_KEY
printf 'redact:\n  patterns:\n    - "([unclosed"\n' >bad.yaml
QERRORS_STATE_DIR="$T/s4" "$QERRORS" -c bad.yaml tail --once --from-beginning "$T/app.log" >o 2>e
check "invalid redact pattern: exit 2, no crash" test $? -eq 2
check "invalid redact pattern: says which" grep -q "unclosed\|redact" e

# output for people: one line per event within 100 columns, the file's
# name and the message; advice arriving later is printed under it
python3 -c "print('2026-11-22 10:00:09 ERROR upload of the nightly report failed because ' + 'the storage bucket refused it ' * 8)" >>app.log
start_fake_ai ok || exit 1
export QERRORS_AI_BASE_URL="$FAKE_URL" OPENAI_API_KEY="sk-test-PROBLEMKEY0123456789"
QERRORS_STATE_DIR="$T/s7" "$QERRORS" tail --once --from-beginning "$T/app.log" >o 2>e
check "text: every event line fits 100 columns" test "$(grep -c '\[new\]' o)" -ge 3 -a "$(awk 'length($0) > 100' o | grep -c '\[new\]')" -eq 0
check "text: the file's name, not its path" sh -c "grep '\[new\]' o | grep -q ' app.log: ' && ! grep -q '$T/app.log:' o"
check "text: a long message is cut with ..." grep -q 'nightly report failed because.*\.\.\.  \[new\]' o
check "text: advice is printed under the error's message" python3 -c 'import sys
lines = open(sys.argv[1]).read().splitlines()
i = [n for n, l in enumerate(lines) if "disk quota exceeded" in l and "[new]" not in l]
sys.exit(0 if i and "advice" in lines[i[0] + 1] else 1)' o
stop_fake_ai

# summary --exit-code on a state nobody writes is not "no errors"
"$QERRORS" summary --exit-code --state-dir "$T/nowhere" >o 2>e
check "summary --exit-code without a state database exits 3" test $? -eq 3
check "and says where it looked" grep -q "no state database in '$T/nowhere'" e
