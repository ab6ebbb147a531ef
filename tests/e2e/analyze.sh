# qerrors analyze end to end, against the fake AI server on 127.0.0.1.
. "$(dirname "$0")/lib.sh"

IN="$TESTS_DIR/data/analyze/java-secrets.log"
KEY="sk-test-KEYSHOULDNEVERAPPEAR0123456789"
SECRETS="alice.smith@example.com Sup3rS3cretPw AKIAIOSFODNN7EXAMPLE sk_live_51HqLyjWDarjtT1zdp7dcXYZabc123"

# jq-free JSON checks: json_get FILE LINE_NO EXPR (python expression on `o`)
json_eval() {
	python3 -c 'import json,sys
rows=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]
o=rows[int(sys.argv[2])]
r=eval(sys.argv[3])
sys.exit(0 if r else 1)' "$@"
}
nrows() { grep -c . "$1"; }
no_secret_in() {
	for s in $SECRETS $KEY; do
		if grep -qF "$s" "$@"; then echo "# found $s in $*"; return 1; fi
	done
	return 0
}

# 1. No key and no base URL: events still reported, with the reason.
"$QERRORS" analyze --format json "$IN" >"$T/out1" 2>"$T/err1"
rc=$?
check "no AI configured exits 0" test $rc -eq 0
check "one event for the log-prefixed Java trace" test "$(nrows "$T/out1")" -eq 1
check "event kind and type" json_eval "$T/out1" 0 'o["kind"]=="java" and o["type"]=="java.lang.IllegalStateException"'
check "advice null with a reason" json_eval "$T/out1" 0 'o["advice"] is None and "no AI service" in o["advice_error"] and o["cached"] is False'
check "lines are the event's lines as read" json_eval "$T/out1" 0 'len(o["lines"])==9 and o["lines"][0].startswith("2026-11-20 10:15:07 ERROR")'
check "fingerprint is 16 hex digits" json_eval "$T/out1" 0 'len(o["fingerprint"])==16 and all(c in "0123456789abcdef" for c in o["fingerprint"])'

# 2. Against the server: advice, nothing secret sent, key never shown.
start_fake_ai ok || exit 1
export QERRORS_AI_BASE_URL="$FAKE_URL" OPENAI_API_KEY="$KEY"
"$QERRORS" analyze --format json "$IN" >"$T/out2" 2>"$T/err2"
rc=$?
check "analyze with a server exits 0" test $rc -eq 0
check "advice from the server" json_eval "$T/out2" 0 'o["advice"]["summary"] and o["advice"]["fix"] and o["cached"] is False and o["advice_error"] is None'
check "exactly one request sent" test "$(requests_sent)" -eq 1
# what went over the wire besides the Authorization header: path, other headers, body
python3 -c 'import json,sys
for l in open(sys.argv[1]):
    r=json.loads(l); h=dict(r["headers"]); h.pop("Authorization", None)
    print(r["path"], json.dumps(h), r["body"])' "$FAKE_LOG" >"$T/sent"
check "no secret in the request" no_secret_in "$T/sent"
check "the key goes only in the Authorization header" sh -c "grep -c '$KEY' '$FAKE_LOG' | grep -qx 1"
check "request carries the bearer key header" python3 -c 'import json,sys
r=json.loads(open(sys.argv[1]).readline())
sys.exit(0 if r["headers"].get("Authorization","").startswith("Bearer ") and r["path"].endswith("/chat/completions") else 1)' "$FAKE_LOG"
check "request asks for a json_schema answer at temperature 0" python3 -c 'import json,sys
r=json.loads(open(sys.argv[1]).readline()); b=json.loads(r["body"])
sys.exit(0 if b["response_format"]["type"]=="json_schema" and b["temperature"]==0 else 1)' "$FAKE_LOG"
check "the key is in no output" sh -c "! grep -qF '$KEY' '$T/out2' '$T/err2'"
check "user agent names qerrors" grep -q 'qerrors/' "$FAKE_LOG"

# 3. Second run: from the cache, no request.
"$QERRORS" analyze --format json "$IN" >"$T/out3" 2>"$T/err3"
check "second run answers from the cache" json_eval "$T/out3" 0 'o["cached"] is True and o["advice"]["summary"]'
check "second run sends nothing" test "$(requests_sent)" -eq 1
check "state file is 0600 and directory 0700" sh -c "[ \"\$(stat -c %a '$T/state')\" = 700 ] && [ \"\$(stat -c %a '$T/state/qerrors.db')\" = 600 ]"

# 4. --no-cache asks again; text and markdown formats.
"$QERRORS" analyze --no-cache "$IN" >"$T/out4" 2>&1
check "--no-cache sends a request" test "$(requests_sent)" -eq 2
check "text output shows the fix" grep -q 'fix:' "$T/out4"
"$QERRORS" analyze --format markdown "$IN" >"$T/out4m" 2>&1
check "markdown starts with a heading" sh -c "head -1 '$T/out4m' | grep -q '^## '"

# 5. --dry-run prints the body and sends nothing.
"$QERRORS" analyze --dry-run --no-cache "$IN" >"$T/out5" 2>&1
check "--dry-run sends nothing" test "$(requests_sent)" -eq 2
check "--dry-run prints the request body" grep -q '"messages"' "$T/out5"
check "--dry-run body holds no secret" no_secret_in "$T/out5"
check "--dry-run body marks untrusted log text" grep -qi 'untrusted' "$T/out5"

# 6. Several traces of several languages among ordinary lines.
cat >"$T/multi.log" <<'LOG'
starting worker 1
Traceback (most recent call last):
  File "/srv/app/worker.py", line 10, in run
    handle(job)
  File "/srv/app/worker.py", line 22, in handle
    raise ValueError("bad job 42")
ValueError: bad job 42
worker still alive
panic: runtime error: index out of range [3] with length 3

goroutine 1 [running]:
main.main()
	/home/u/app/main.go:9 +0x1d
exit status 2
2026-11-20 10:00:00 ERROR disk quota exceeded for volume 7
LOG
"$QERRORS" analyze --format json "$T/multi.log" >"$T/out6" 2>&1
check "three events from mixed input" test "$(nrows "$T/out6")" -eq 3
check "python then go then a plain line" python3 -c 'import json,sys
k=[json.loads(l)["kind"] for l in open(sys.argv[1])]
sys.exit(0 if k==["python","go","line"] else 1)' "$T/out6"
check "one request for three fingerprints (one batch)" test "$(requests_sent)" -eq 3

# 7. Server misbehaviour: reported, not cached, exit codes say what.
fresh() { rm -rf "$T/state"; }
for mode in malformed length bad_content refusal; do
	fresh
	set_fake_mode $mode
	before=$(requests_sent)
	"$QERRORS" analyze --format json "$IN" >"$T/o-$mode" 2>"$T/e-$mode"
	rc=$?
	check "$mode: exit 4" test $rc -eq 4
	check "$mode: advice null with a reason" json_eval "$T/o-$mode" 0 'o["advice"] is None and o["advice_error"]'
	"$QERRORS" analyze --format json "$IN" >/dev/null 2>&1
	check "$mode: nothing cached, asked again" test "$(requests_sent)" -ge $((before + 2))
done

fresh
set_fake_mode reject_schema
"$QERRORS" analyze --format json "$IN" >"$T/o-rs" 2>"$T/e-rs"
check "json_schema rejected: falls back and gets advice" json_eval "$T/o-rs" 0 'o["advice"] is not None'

fresh
set_fake_mode insufficient_quota
before=$(requests_sent)
"$QERRORS" analyze --format json "$IN" >"$T/o-q" 2>"$T/e-q"
rc=$?
check "insufficient_quota: exit 5" test $rc -eq 5
check "insufficient_quota: not retried" test "$(requests_sent)" -eq $((before + 1))
check "insufficient_quota: key not in messages" sh -c "! grep -qF '$KEY' '$T/o-q' '$T/e-q'"

fresh
set_fake_mode 500
before=$(requests_sent)
QERRORS_RETRY_ATTEMPTS=2 QERRORS_RETRY_BASE_MS=10 "$QERRORS" analyze --format json "$IN" >"$T/o-5" 2>"$T/e-5"
rc=$?
check "500: exit 4 after retries" test $rc -eq 4
check "500: one try plus two retries" test "$(requests_sent)" -eq $((before + 3))

fresh
set_fake_mode 429_then_ok
"$QERRORS" analyze --format json "$IN" >"$T/o-429" 2>"$T/e-429"
check "429 with Retry-After then ok: advice" json_eval "$T/o-429" 0 'o["advice"] is not None'

fresh
set_fake_mode hang
start=$(date +%s)
QERRORS_TIMEOUT=1000 QERRORS_RETRY_ATTEMPTS=0 "$QERRORS" analyze --format json "$IN" >"$T/o-h" 2>"$T/e-h"
rc=$?
check "hang: gives up after the timeout with exit 4" test $rc -eq 4
check "hang: within the configured timeout (bounded)" test $(($(date +%s) - start)) -lt 20

# 8. A broken config names its file and line and exits 2.
printf 'ai:\n  model: x\n  timeout_ms: [oops\n' >"$T/bad.yaml"
"$QERRORS" -c "$T/bad.yaml" analyze "$IN" >"$T/o8" 2>"$T/e8"
rc=$?
check "broken config exits 2" test $rc -eq 2
check "broken config names file and line" grep -q "bad.yaml:[0-9]*:[0-9]*:" "$T/e8"
printf 'ai:\n  modle: x\n' >"$T/typo.yaml"
"$QERRORS" -c "$T/typo.yaml" analyze "$IN" >/dev/null 2>"$T/e8b"
check "unknown key: did you mean" grep -q "did you mean 'model'" "$T/e8b"

# 9. Usage errors.
"$QERRORS" analyse "$IN" >/dev/null 2>"$T/e9"
rc=$?
check "unknown command exits 2" test $rc -eq 2
check "unknown command suggests analyze" grep -q "did you mean 'analyze'" "$T/e9"
"$QERRORS" analyze --formt json "$IN" >/dev/null 2>"$T/e9b"
rc=$?
check "unknown option exits 2 with a suggestion" sh -c "[ $rc -eq 2 ] && grep -q -- \"--format\" '$T/e9b'"
"$QERRORS" analyze -h >"$T/h9"
check "-h lists every option" sh -c "grep -q -- --format '$T/h9' && grep -q -- --no-cache '$T/h9' && grep -q -- --dry-run '$T/h9'"

# 10. Standard input, invalid UTF-8 and a very long line.
unset QERRORS_AI_BASE_URL OPENAI_API_KEY
printf 'ERROR bad byte \377\376 here\n' | "$QERRORS" analyze --format json >"$T/o10" 2>"$T/e10"
check "invalid UTF-8 is shown, not fatal" json_eval "$T/o10" 0 '"\ufffd" in o["message"] or "\ufffd" in o["lines"][0]'
python3 -c 'import sys; sys.stdout.write("ERROR " + "x"*(10*1024*1024) + "\n")' | "$QERRORS" analyze --format json >"$T/o11" 2>"$T/e11"
check "10 MB line: cut, counted and reported" sh -c "[ \$(grep -c . '$T/o11') -eq 1 ] && grep -q 'cut' '$T/e11'"
exit 0
