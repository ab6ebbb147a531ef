# Helpers for tail tests: write numbered error lines, run the agent in the
# background, and wait for its output to reach a count.
SEQ=0
# emit FILE COUNT: COUNT error lines (each its own event) with ordinary lines between
emit() {
	python3 - "$1" "$2" "$SEQ" <<'PY'
import sys
path, count, start = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "a") as f:
    for i in range(start + 1, start + count + 1):
        f.write("2026-11-22 10:00:%02d INFO request %d served in %dms\n" % (i % 60, i, i % 97))
        what = ("payment failed", "disk quota exceeded on volume", "lost connection to the database")[i % 3]
        f.write("2026-11-22 10:00:%02d ERROR %s seq=%d code=%d\n" % (i % 60, what, i, i % 7))
PY
	SEQ=$((SEQ + $2))
}
AGENT_PID=
RUN=0
# start_agent ARGS...: runs `qerrors tail --json ARGS` with output in $T/out.$RUN
start_agent() {
	RUN=$((RUN + 1))
	"$QERRORS" tail --json "$@" >"$T/out.$RUN" 2>"$T/err.$RUN" &
	AGENT_PID=$!
	echo "$AGENT_PID" >>"$T/pids"
	# ready once the lock is held and sources are open
	wait_for 10 agent_ready
}
agent_ready() { grep -q . "$T/state/qerrors.lock" 2>/dev/null && [ "$(cat "$T/state/qerrors.lock")" = "$AGENT_PID" ] && sleep 0.2; }
stop_agent() {
	kill -TERM "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID"
	AGENT_RC=$?
}
kill9_agent() {
	kill -9 "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID" 2>/dev/null
}
# events_seen: number of distinct seq reported so far across outputs
events_seen() {
	cat "$T"/out.* 2>/dev/null | grep -o '"type":"event"[^\n]*' | grep -o 'seq=[0-9][0-9]*' | sort -u | wc -l
}
wait_events() { wait_for "${2:-20}" sh -c "[ \$(cat '$T'/out.* 2>/dev/null | grep '\"type\":\"event\"' | grep -o 'seq=[0-9][0-9]*' | sort -u | wc -l) -ge $1 ]"; }
account() { python3 "$TESTS_DIR/e2e/account.py" "$@" "$T"/out.*; }
# every fingerprint reported has advice: an advice record, or an event
# that carried the (cached) advice
advice_for_all() {
	python3 - "$T"/out.* <<'PY'
import json, sys
fps, advised = set(), set()
for path in sys.argv[1:]:
    for line in open(path, errors="replace"):
        if not line.strip():
            continue
        o = json.loads(line)
        if o.get("type") == "event":
            fps.add(o["fingerprint"])
            if o.get("advice"):
                advised.add(o["fingerprint"])
        elif o.get("type") == "advice" and o.get("advice"):
            advised.add(o["fingerprint"])
missing = fps - advised
print("# %d fingerprints, %d with advice, missing %s" % (len(fps), len(fps & advised), sorted(missing)))
sys.exit(0 if fps and not missing else 1)
PY
}
