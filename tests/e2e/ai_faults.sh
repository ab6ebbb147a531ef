# AI answers that are useless (malformed, schema-invalid, cut at the token
# limit, oversized) open the circuit breaker as an outage does: a burst of
# distinct errors costs a handful of requests, not one per batch.  The
# breaker's state is what stats and doctor then report.
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/logs"
start_fake_ai ok || exit 1
export QERRORS_AI_BASE_URL="$FAKE_URL" OPENAI_API_KEY="sk-test-FAULTS0123456789"
set_mode() {
	python3 - "$FAKE_URL" "$1" <<'PY'
import json, sys, urllib.request
base = sys.argv[1].rsplit("/v1", 1)[0]
req = urllib.request.Request(base + "/_control", data=json.dumps({"mode": sys.argv[2]}).encode(),
                             headers={"Content-Type": "application/json"})
urllib.request.urlopen(req, timeout=5).read()
PY
}
requests() {
	python3 -c "import json,sys,urllib.request; print(json.load(urllib.request.urlopen(sys.argv[1].rsplit('/v1',1)[0] + '/_stats', timeout=5))['requests'])" "$FAKE_URL"
}
# 200 distinct fingerprints: 40 batches of 5 at the default batch size,
# and 40 failed requests before useless answers counted.
python3 - "$T/logs/burst.log" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(1, 201):
        f.write("com.example.Fault%dException: distinct seq=%d\n\tat com.example.F%d.run(F.java:%d)\n"
                % (i, 5000 + i, i, i))
PY
# Defaults but for the threshold, said here: 5 consecutive failures open
# it, and up to 5 requests (ai.concurrency) may be in flight by then.
cat >"$T/q.yaml" <<'Y'
ai:
  concurrency: 5
  breaker:
    threshold: 5
Y
for mode in malformed bad_content length huge; do
	rm -rf "$T/state"
	set_mode "$mode"
	QERRORS_QUEUE_LIMIT=1000 "$QERRORS" -c "$T/q.yaml" tail --json --once --from-beginning "$T/logs/burst.log" \
		>"$T/$mode.out" 2>"$T/$mode.err"
	sent=$(requests)
	echo "# $mode: $sent requests for 200 new fingerprints"
	# 5 failures open it; at most 5 more were in flight (a batch cut at the
	# token limit may have started its halves in the meantime)
	check "$mode: the breaker opens after 5 to 10 requests, not 40 (got $sent)" \
		test "$sent" -ge 5 -a "$sent" -le 10
	check "$mode: every event is still reported" \
		test "$(grep -c '"type":"event"' "$T/$mode.out")" -eq 200
	"$QERRORS" -c "$T/q.yaml" stats --json >"$T/$mode.stats"
	check "$mode: stats shows the circuit open" \
		python3 -c "import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))['breaker_state'] == 'open' else 1)" "$T/$mode.stats"
done
"$QERRORS" -c "$T/q.yaml" doctor --json >"$T/doctor.json" 2>/dev/null
check "doctor reports the open circuit" python3 -c "
import json, sys
c = {x['name']: x for x in json.load(open(sys.argv[1]))['checks']}
sys.exit(0 if c['ai_breaker']['message'].startswith('open after 5 failures') else 1)" "$T/doctor.json"
exit 0
