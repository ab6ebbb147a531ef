# qerrors tail through every kind of rotation and restart, with exact
# accounting of every error line written.  Runs with each backend.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tail_lib.sh"

# The inotify round runs against an OpenAI-compatible server, so the
# accounting covers advice too; the poll round runs without one.
start_fake_ai ok || exit 1
for backend in inotify poll; do
	if [ $backend = inotify ]; then
		export QERRORS_AI_BASE_URL="$FAKE_URL" OPENAI_API_KEY="sk-test-ROTATIONKEY0123456789"
	else
		unset QERRORS_AI_BASE_URL OPENAI_API_KEY
	fi
	rm -rf "$T/state" "$T"/out.* "$T"/err.* "$T/logs"
	mkdir -p "$T/logs"
	L="$T/logs/app.log"
	SEQ=0
	emit "$L" 5 # before the agent starts: tail -F semantics skip these
	start_agent --backend=$backend "$L"
	emit "$L" 20
	check "$backend: lines appended while running are reported" wait_events 20

	# rename + create (logrotate's default): the old file is read to its end
	mv "$L" "$L.1"
	emit "$L.1" 5 # the writer still appends to the old file for a moment
	emit "$L" 10
	check "$backend: rename rotation loses nothing" wait_events 35

	# copytruncate: the agent catches up first, as logrotate would race otherwise
	cp "$L" "$L.2"
	: >"$L"
	emit "$L" 10
	check "$backend: copytruncate restarts at 0" wait_events 45

	# graceful restart, with lines written while the agent is down
	stop_agent
	check "$backend: SIGTERM exits 0" test "$AGENT_RC" -eq 0
	emit "$L" 10
	start_agent --backend=$backend "$L"
	emit "$L" 5
	check "$backend: graceful restart resumes at the saved position" wait_events 60

	# a partial line across a restart is reported once, whole
	printf '2026-11-22 10:00:00 ERROR payment failed seq=%d code=' $((SEQ + 1)) >>"$L"
	sleep 0.3
	stop_agent
	printf '9 and the rest of the line\n' >>"$L"
	SEQ=$((SEQ + 1))
	start_agent --backend=$backend "$L"
	check "$backend: a partial line across a restart is reported once" wait_events 61
	check "$backend: the partial line is whole" sh -c "cat '$T'/out.* | grep 'seq=$SEQ ' | grep -q 'and the rest of the line' || { echo SEQ=$SEQ; tail -n 3 '$T'/out.* | cut -c1-200; false; }"

	# kill -9: nothing lost, at most the last uncommitted batch again
	emit "$L" 20
	wait_events 81
	kill9_agent
	emit "$L" 10
	start_agent --backend=$backend "$L"
	check "$backend: kill -9 restart loses nothing" wait_events 91

	# delete + recreate
	rm "$L"
	emit "$L" 10
	check "$backend: delete and recreate" wait_events 101

	stop_agent
	check "$backend: accounting: every event once, at most a few again after kill -9" \
		account --expect 6:$SEQ --max-dups 30
	check "$backend: no warnings on stderr" sh -c "! grep -q 'warning' '$T'/err.*"
	if [ $backend = inotify ]; then
		check "$backend: every fingerprint got advice" advice_for_all
		check "$backend: no fingerprint asked about twice, across restarts" python3 -c '
import json, re, sys
asked = []
for l in open(sys.argv[1]):
    asked += re.findall(r"\\\"id\\\": ?\\\"([0-9a-f]{16})", json.loads(l)["body"])
print("# asked about", len(asked), "fingerprints,", len(set(asked)), "distinct")
sys.exit(0 if asked and len(asked) == len(set(asked)) else 1)' "$FAKE_LOG"
	fi
done

# Rotations while the agent is stopped, or that it had no time to see:
# each file's own position is saved, so a restart reads exactly what was
# not read yet, from every file, once.
unset QERRORS_AI_BASE_URL OPENAI_API_KEY
for backend in inotify poll; do
	rm -rf "$T/state" "$T"/out.* "$T"/err.* "$T/logs"
	mkdir -p "$T/logs"
	L="$T/logs/app.log"
	SEQ=0
	: >"$L"
	start_agent --backend=$backend "$L"
	emit "$L" 5
	check "$backend: restart: lines before the rotation" wait_events 5

	# rename + create while the agent is stopped (SIGTERM)
	stop_agent
	emit "$L" 5 # unread when it is renamed
	mv "$L" "$L.1"
	emit "$L" 5
	start_agent --backend=$backend "$L"
	check "$backend: rotation while stopped: the old file's unread rest is read" wait_events 15

	# the same with kill -9
	kill9_agent
	emit "$L" 5
	mv "$L.1" "$L.2"
	mv "$L" "$L.1"
	emit "$L" 5
	start_agent --backend=$backend "$L"
	check "$backend: rotation after kill -9: nothing lost" wait_events 25

	# a late write to the just-rotated file, then kill -9
	mv "$L" "$L.r"
	emit "$L" 3
	check "$backend: new file after the rename" wait_events 28
	emit "$L.r" 3 # the writer had not reopened yet
	check "$backend: late lines in the rotated file" wait_events 31
	sleep 1.5 # a commit
	kill9_agent
	emit "$L.r" 2 # and more, while the agent is dead
	start_agent --backend=$backend "$L"
	check "$backend: late writes to a rotated file survive kill -9" wait_events 33

	# SIGTERM right after a rename, within one poll interval
	emit "$L" 2
	check "$backend: before the quick rename" wait_events 35
	emit "$L" 3
	mv "$L" "$L.q"
	stop_agent
	start_agent --backend=$backend "$L"
	emit "$L" 2
	check "$backend: SIGTERM right after a rename loses nothing" wait_events 40
	stop_agent
	check "$backend: restarts: every event once, a kill -9 replay at most" \
		account --expect 1:$SEQ --max-dups 10

	# a glob that also matches the rotated names: a restart continues
	# each file where it was, none is read again from its start
	rm -rf "$T/state" "$T"/out.* "$T"/err.* "$T/logs"
	mkdir -p "$T/logs"
	SEQ=0
	: >"$L"
	start_agent --backend=$backend "$T/logs/app.log*"
	emit "$L" 5
	check "$backend: glob: lines read" wait_events 5
	mv "$L" "$L.1"
	emit "$L" 5
	check "$backend: glob: rotated and new file" wait_events 10
	stop_agent
	emit "$L.1" 2
	mv "$L.1" "$L.2"
	mv "$L" "$L.1"
	emit "$L" 3
	start_agent --backend=$backend "$T/logs/app.log*"
	check "$backend: glob over rotated names after restart" wait_events 15
	stop_agent
	check "$backend: glob: every event once, no rotated file read again" \
		account --expect 1:$SEQ --max-dups 0
done

# A rotated file that is deleted leaves no position behind: its identity
# (dev, ino) can be reused by any new file, and its row would only grow
# the state until retention.offset_days.
rm -rf "$T/state" "$T"/out.* "$T"/err.* "$T/logs"
mkdir -p "$T/logs"
SEQ=0
: >"$L"
start_agent "$L"
emit "$L" 3
mv "$L" "$L.1"
emit "$L" 2
check "deleted rotation: events read" wait_events 5
rm "$L.1"
sleep 6 # the rotated file is let go of 5 s after the rotation
stop_agent
check "deleted rotation: only the current file keeps a position" python3 -c "
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute('SELECT path, rotated FROM offsets').fetchall()
sys.exit(0 if rows == [(sys.argv[2], 0)] else print(rows) or 1)" "$T/state/qerrors.db" "$L"
exit 0
