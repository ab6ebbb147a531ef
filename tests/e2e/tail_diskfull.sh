# qerrors tail with its state directory on a full file system: commits
# fail, the agent goes on, and no event or position is lost, whether the
# disk recovers while it runs or only after it stopped.  Needs a small
# tmpfs, so it runs as root only.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tail_lib.sh"

mkdir -p "$T/state" "$T/logs"
if [ "$(id -u)" != 0 ] || ! mount -t tmpfs -o size=4m qerrors-test "$T/state" 2>/dev/null; then
	echo "ok 1 # SKIP needs root and tmpfs"
	exit 0
fi
umount_state() { umount "$T/state" 2>/dev/null; }
trap 'umount_state; cleanup' EXIT

# events recorded in the state database (sum of the group counts)
recorded() {
	python3 - "$T/state/qerrors.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
print(db.execute("SELECT COALESCE(SUM(count), 0) FROM groups").fetchone()[0])
PY
}
recorded_is() { [ "$(recorded)" = "$1" ]; }
fill() { dd if=/dev/zero of="$T/state/fill" bs=64k 2>/dev/null; sync; }
unfill() { rm -f "$T/state/fill"; }
alive() { kill -0 "$AGENT_PID" 2>/dev/null; }
# seq numbers FIRST..LAST all reported in output RUN
reported_in() {
	python3 - "$T/out.$1" "$2" "$3" <<'PY'
import json, re, sys
seen = set()
for line in open(sys.argv[1], errors="replace"):
    o = json.loads(line)
    if o.get("type") == "event":
        m = re.search(r"seq=(\d+)", json.dumps(o))
        if m:
            seen.add(int(m.group(1)))
want = set(range(int(sys.argv[2]), int(sys.argv[3]) + 1))
sys.exit(0 if want <= seen else 1)
PY
}

L="$T/logs/app.log"
: >"$L"
start_agent "$L"
emit "$L" 10
check "events are reported" wait_events 10
check "and committed" wait_for 10 recorded_is 10

# the disk fills up, then recovers while the agent runs
fill
emit "$L" 10
check "events are reported on a full disk" wait_events 20
check "the failed commit is reported" wait_for 10 grep -q "full" "$T/err.$RUN"
sleep 1.5
check "the agent keeps running" alive
check "nothing was committed on its own" recorded_is 10
unfill
check "events kept across failed commits are committed later" wait_for 10 recorded_is 20
check "recovery is reported" wait_for 5 grep -q "writable again" "$T/err.$RUN"
check "the failure is reported once, not per retry" test "$(grep -c full "$T/err.$RUN")" -eq 1
emit "$L" 5
check "new events after recovery" wait_for 10 recorded_is 25

# the disk is still full when the agent stops: positions stay put, so the
# next run reads the lines again
fill
emit "$L" 10
check "events reported before the stop" wait_events 35
stop_agent
check "SIGTERM on a full disk exits 3: state not saved" test "$AGENT_RC" -eq 3
check "nothing committed on a full disk" recorded_is 25
unfill
start_agent "$L"
check "the next run reads the uncommitted lines again" wait_for 10 reported_in $RUN 26 35
stop_agent
check "and commits them" recorded_is 35
