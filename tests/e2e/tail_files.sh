# qerrors tail over many files and unusual layouts: more files than
# descriptors, the Kubernetes /var/log/containers symlinks through
# kubelet's rotation, compressed rotations under a glob.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tail_lib.sh"

# emit_each DIR COUNT: one error line in each of COUNT files
emit_each() {
	python3 - "$1" "$2" "$SEQ" <<'PY'
import sys
d, count, start = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(count):
    with open("%s/f%04d.log" % (d, i), "a") as f:
        f.write("2026-11-22 10:00:00 ERROR payment failed seq=%d code=1\n" % (start + i + 1))
PY
	SEQ=$((SEQ + $2))
}

# More files than descriptors: 300 files, a limit of 64 (soft and hard).
mkdir -p "$T/many"
emit_each "$T/many" 300
(ulimit -n 64 && exec "$QERRORS" tail --json --once --from-beginning "$T/many/*.log") \
	>"$T/out.once" 2>"$T/err.once"
check "300 files under 'ulimit -n 64' exits 0" test $? -eq 0
check "every one of 300 files read with 64 descriptors" \
	python3 "$TESTS_DIR/e2e/account.py" --expect 1:300 "$T/out.once"
check "no error about descriptors" sh -c "! grep -q 'Too many open files' '$T/err.once'"
rm -f "$T/out.once"

# A running agent: every file is read in turn as it grows.
RUN=$((RUN + 1))
(ulimit -n 64 && exec "$QERRORS" tail --json "$T/many/*.log") >"$T/out.$RUN" 2>"$T/err.$RUN" &
AGENT_PID=$!
echo "$AGENT_PID" >>"$T/pids"
wait_for 10 agent_ready
emit_each "$T/many" 300
check "a running agent reads 300 growing files with 64 descriptors" wait_events 300 30
emit_each "$T/many" 300
check "and again, each file reopened in turn" wait_events 600 30
check "the agent holds no more descriptors than its budget" \
	sh -c "[ \$(ls /proc/$AGENT_PID/fd | wc -l) -le 64 ]"
stop_agent
check "files_parked is counted in stats" sh -c \
	"'$QERRORS' stats --json | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)[\"files_parked\"] > 0 else 1)'"
check "every event once" account --expect 301:900

# Kubernetes: /var/log/containers/*.log are symlinks to the pods' files;
# kubelet rotates a container log by renaming the target and creating a
# new one under the same name, the symlink untouched.
for backend in inotify poll; do
	rm -rf "$T/state" "$T"/out.* "$T/k8s"
	C="$T/k8s/containers" P="$T/k8s/pods/default_web-7d4b9_0f1e2d3c"
	mkdir -p "$C" "$P/app" "$P/sidecar"
	: >"$P/app/0.log"
	: >"$P/sidecar/0.log"
	ln -s "$P/app/0.log" "$C/web-7d4b9_default_app-1a2b3c.log"
	ln -s "$P/sidecar/0.log" "$C/web-7d4b9_default_sidecar-4d5e6f.log"
	SEQ=0
	start_agent --backend=$backend "$C/*.log"
	emit "$P/app/0.log" 3
	emit "$P/sidecar/0.log" 2
	check "k8s $backend: lines through the symlinks" wait_events 5
	for r in 1 2 3; do
		emit "$P/app/0.log" 2 # unread when it is rotated
		mv "$P/app/0.log" "$P/app/0.log.2026112210000$r"
		emit "$P/app/0.log" 3
		check "k8s $backend: kubelet rotation $r keeps reading" wait_events $SEQ
	done
	emit "$P/sidecar/0.log" 2
	check "k8s $backend: the other container still read" wait_events $SEQ
	stop_agent
	check "k8s $backend: every event once" account --expect 1:$SEQ
done

# Compressed rotations under a glob, made by the real logrotate: the .gz
# is skipped with a message, never read as text; tail.exclude leaves out
# what it names.
rm -rf "$T/state" "$T"/out.* "$T"/err.* "$T/lr"
mkdir -p "$T/lr"
L="$T/lr/app.log"
cat >"$T/lr/logrotate.conf" <<EOF2
$L {
	rotate 3
	compress
	missingok
}
EOF2
printf 'tail:\n  exclude:\n    - "*.old"\n' >"$T/excl.yaml"
export QERRORS_CONFIG="$T/excl.yaml"
SEQ=100
: >"$L"
emit "$T/lr/app.log.old" 4 # excluded: never read
SEQ=0
start_agent --from-beginning "$T/lr/app.log*"
emit "$L" 5
check "gz: lines before the rotation" wait_events 5
logrotate -f -s "$T/lr/state" "$T/lr/logrotate.conf"
check "logrotate made a gzip file" test -f "$L.1.gz"
emit "$L" 5
check "gz: the new file is read" wait_events 10
check "gz: the compressed file is skipped with a message" \
	wait_for 10 grep -q "skipping '$L.1.gz': gzip-compressed" "$T/err.$RUN"
stop_agent
start_agent --from-beginning "$T/lr/app.log*" # the .gz seen at start too
emit "$L" 2
check "gz: after a restart" wait_events 12
stop_agent
check "gz: every event once, the excluded file not read" account --expect 1:12
check "gz: the skipped file is counted in stats" sh -c \
	"'$QERRORS' stats --json | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)[\"files_skipped_compressed\"] >= 2 else 1)'"
check "gz: no position (and no lag) for the compressed file" sh -c \
	"! '$QERRORS' stats --json | grep -q 'app.log.1.gz'"
unset QERRORS_CONFIG

# standard output that stops taking records, in a catch-up run whose
# output stdio holds back: a reader that leaves early is no error, a
# full disk is one, said once
python3 "$TESTS_DIR/../bench/gen_log.py" --size 2 --error-rate 0.2 "$T/many.log" >/dev/null
{
	"$QERRORS" --state-dir "$T/st-head" tail --once --from-beginning --json \
		"$T/many.log" 2>"$T/err.head"
	echo $? >"$T/rc.head"
} | head -c 100 >/dev/null
check "output closed early (| head): exit 0" test "$(cat "$T/rc.head")" -eq 0
check "output closed early: no write error said" sh -c "! grep -q 'standard output' '$T/err.head'"
"$QERRORS" --state-dir "$T/st-full" tail --once --from-beginning "$T/many.log" \
	>/dev/full 2>"$T/err.full"
check "output on a full disk: exit 3" test $? -eq 3
check "output on a full disk: said once, with the reason" sh -c \
	"grep -q 'cannot write to standard output: No space left on device' '$T/err.full' &&
	 test \$(grep -c 'standard output' '$T/err.full') -eq 1"
exit 0
