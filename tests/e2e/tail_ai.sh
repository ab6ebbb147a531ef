# qerrors tail with an AI service: one request per distinct fingerprint,
# advice records in the stream, and a hanging or rate-limiting service
# never stalls tailing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tail_lib.sh"
mkdir -p "$T/logs"
L="$T/logs/app.log"
: >"$L"
KEY="sk-test-TAILKEYNEVERSHOWN0123456789"
start_fake_ai ok || exit 1
export QERRORS_AI_BASE_URL="$FAKE_URL" OPENAI_API_KEY="$KEY" QERRORS_METRIC_INTERVAL_MS=1000

start_agent "$L"
emit "$L" 200 # 200 events, one fingerprint
check "all repeats are reported" wait_events 200
check "advice arrives as its own record" wait_for 10 grep -q '"type":"advice"' "$T/out.$RUN"
check "one request for one fingerprint seen 200 times" test "$(requests_sent)" -eq 1
printf 'java.lang.IllegalStateException: token=abc123secret for bob@example.org\n\tat com.example.A.run(A.java:1)\n' >>"$L"
check "a new fingerprint gets its own request" wait_for 10 sh -c "[ \$(grep -c . '$FAKE_LOG') -eq 2 ]"
check "no secret sent" sh -c "! grep -q 'abc123secret\\|bob@example.org' '$FAKE_LOG'"
stop_agent
check "the key is in no output" sh -c "! grep -qF '$KEY' '$T'/out.* '$T'/err.*"
n_before=$(requests_sent)
start_agent "$L"
printf 'java.lang.IllegalStateException: token=zzz for x@example.org\n\tat com.example.A.run(A.java:1)\n' >>"$L"
check "after restart the cached advice is used" wait_for 10 sh -c "grep -q '\"cached\":true' '$T/out.$RUN'"
check "after restart no new request for a cached fingerprint" test "$(requests_sent)" -eq "$n_before"
stop_agent

# A hanging service: lines keep flowing, the queue fills and rejects.
set_fake_mode hang
rm -rf "$T/state"
QERRORS_QUEUE_LIMIT=3 QERRORS_TIMEOUT=30000 start_agent "$L"
python3 - "$L" <<'PY'
import sys
with open(sys.argv[1], "a") as f:
    for i in range(1, 41):
        # 40 distinct fingerprints: different exception types
        f.write("com.example.Err%dException: distinct seq=%d\n\tat com.example.M%d.run(M.java:%d)\n" % (i, 9000 + i, i, i))
PY
check "hanging service: all 40 events still reported promptly" wait_for 10 sh -c "[ \$(grep -c 'seq=90' '$T/out.$RUN') -ge 40 ]"
check "queue rejects are counted in the metrics line" wait_for 5 grep -q 'metrics queueLength=3 queueRejects=' "$T/err.$RUN"
start=$(date +%s)
stop_agent
check "shutdown waits at most the deadline for requests in flight" test $(($(date +%s) - start)) -le 10
check "SIGTERM with requests in flight exits 0" test "$AGENT_RC" -eq 0

# 429 with Retry-After: tailing goes on, advice comes later.
set_fake_mode 429_then_ok
rm -rf "$T/state"
start_agent "$L"
printf 'ERROR brand new failure seq=77001 on disk\n' >>"$L"
check "429: the event is reported at once" wait_for 5 grep -q 'seq=77001' "$T/out.$RUN"
check "429: advice arrives after the retry" wait_for 15 grep -q '"type":"advice"' "$T/out.$RUN"
stop_agent
exit 0
