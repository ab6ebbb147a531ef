# What following many files costs while they grow: no access time
# written back, and in system calls: a write to a followed file is read
# with one read, without a stat of the file or a read of its head, and a
# burst of writes to many files wakes the agent a few times, not once
# per file (counted as calls, and as the times it went to sleep: a
# wake-up that epoll_wait() takes back inside the kernel is no call).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tail_lib.sh"

# Reading a log does not write its access time back (O_NOATIME): with
# relatime that was an inode write for every read of a growing file.
printf '2026-11-22 10:00:00 INFO started\n' >"$T/atime.log"
PAST=$(date -d '2020-01-01 00:00:00' +%s)
touch -a -d "@$PAST" "$T/atime.log"
cat "$T/atime.log" >/dev/null
if [ "$(stat -c %X "$T/atime.log")" = "$PAST" ]; then
	ok "reading leaves the access time # skip this file system does not update it"
else
	touch -a -d "@$PAST" "$T/atime.log"
	"$QERRORS" tail --once --from-beginning "$T/atime.log" >/dev/null 2>&1
	check "reading leaves the access time" [ "$(stat -c %X "$T/atime.log")" = "$PAST" ]
fi

if ! command -v strace >/dev/null 2>&1 || ! strace -f -o /dev/null true 2>/dev/null; then
	ok "system calls per write # skip strace cannot trace here"
	exit 0
fi
N=50
ROUNDS=20
WRITES=$((N * ROUNDS))
mkdir -p "$T/cost"
# 2 KiB of ordinary lines in each file first: its identity (the hash of
# its first 1 KiB) is complete, as for most logs.
python3 - "$T/cost" "$N" <<'PY'
import sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open("%s/f%03d.log" % (d, i), "w") as f:
        for j in range(32):
            f.write("2026-11-22 10:00:00 INFO warming up the cache, step %04d of 32\n" % j)
PY
# writes ROUNDS FIRST: ROUNDS rounds, one error line (its own event) to
# each file, half a millisecond apart, as many writers would
writes() {
	python3 - "$T/cost" "$N" "$1" "$2" <<'PY'
import sys, time
d, n, rounds, seq = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
files = [open("%s/f%03d.log" % (d, i), "a") for i in range(n)]
for r in range(rounds):
    for f in files:
        seq += 1
        f.write("2026-11-22 10:00:01 ERROR payment failed seq=%d code=1\n" % seq)
        f.flush()
        time.sleep(0.0005)
PY
}
start_agent "$T/cost/*.log"
# two rounds first: every file has been read once since it was opened
writes 2 0
check "the first writes are read" wait_events $((N * 2)) 20
strace -f -qq -c -o "$T/strace" -e trace=pread64,read,newfstatat,fstat,stat,lstat,epoll_wait \
	-p "$AGENT_PID" 2>"$T/strace.err" &
STRACE_PID=$!
echo "$STRACE_PID" >>"$T/pids"
sleep 1
writes "$ROUNDS" $((N * 2))
check "every write is read" wait_events $((WRITES + N * 2)) 60
kill -INT "$STRACE_PID"
wait "$STRACE_PID"
# sleeps: voluntary context switches, not under strace (it adds its own)
sleeps() { awk '/^voluntary_ctxt_switches:/ { print $2 }' "/proc/$AGENT_PID/status"; }
sleep 1
S0=$(sleeps)
writes "$ROUNDS" $((WRITES + N * 2))
check "the writes without strace are read" wait_events $((2 * WRITES + N * 2)) 60
S1=$(sleeps)
stop_agent
check "every event once" account --expect 1:$((2 * WRITES + N * 2))
sed 's/^/# /' "$T/strace"
# calls NAME...: how many calls of these the summary counts
calls() {
	awk 'BEGIN { for (i = 1; i < ARGC; i++) want[ARGV[i]] = 1; ARGC = 1 }
	     want[$NF] { n += $4 }
	     END { print n + 0 }' "$@" <"$T/strace"
}
# failed NAME: how many calls of NAME failed (an empty column is none)
failed() {
	awk -v name="$1" '$NF == name && NF == 6 { n += $5 } END { print n + 0 }' <"$T/strace"
}
echo "# $WRITES writes: $(calls pread64) pread64, $(calls newfstatat fstat stat lstat) stats," \
	"$(calls epoll_wait) epoll_wait, $(failed read) reads that found nothing"
check "at most 1.2 reads per write" [ $(calls pread64) -le $((WRITES * 12 / 10)) ]
check "at most one stat per 10 writes" [ $(calls newfstatat fstat stat lstat) -le $((WRITES / 10)) ]
check "at most one wake-up per 3 writes" [ $(calls epoll_wait) -le $((WRITES / 3)) ]
# the event queue is read until a read comes back short, not until one
# fails with EAGAIN (a call per round)
check "at most one failed read per 10 wake-ups" [ $(failed read) -le $(($(calls epoll_wait) / 10)) ]
echo "# $WRITES writes without strace: $((S1 - S0)) sleeps"
check "at most one sleep per 2 writes" [ $((S1 - S0)) -le $((WRITES / 2)) ]

# A file that only gets ordinary lines has its position saved every 10 s,
# not every commit.  Killed (-9) in between, the agent reads those lines
# again: it reports nothing for them, loses nothing after them, and an
# error written to the busy file meanwhile is reported once.
mkdir -p "$T/defer"
printf '2026-11-22 10:00:00 INFO started\n' >"$T/defer/quiet.log"
printf '2026-11-22 10:00:00 INFO started\n' >"$T/defer/busy.log"
saved() {
	"$QERRORS" stats --json | python3 -c 'import json, sys
p = {s["path"]: s for s in json.load(sys.stdin)["sources"]}[sys.argv[1]]
print(p["position"], p["size"])' "$T/defer/$1"
}
busy_saved() { set -- $(saved busy.log); [ "$1" = "$2" ]; }
start_agent "$T/defer/quiet.log" "$T/defer/busy.log"
SEQ=9000
emit "$T/defer/busy.log" 2
check "the busy file's events are read" wait_events $((2 * WRITES + N * 2 + 2)) 20
check "the busy file's position is committed with its events" wait_for 10 busy_saved
# the first commit (which saves every file just opened) is done
for i in 1 2 3 4 5; do
	printf '2026-11-22 10:00:0%d INFO request %d served\n' "$i" "$i" >>"$T/defer/quiet.log"
done
emit "$T/defer/busy.log" 1
check "the next events are read" wait_events $((2 * WRITES + N * 2 + 3)) 20
check "... and committed" wait_for 10 busy_saved
set -- $(saved quiet.log)
check "the quiet file's position waits ($1 of $2 bytes)" [ "$1" -lt "$2" ]
kill9_agent
printf '2026-11-22 10:00:09 ERROR quiet file failed seq=9100\n' >>"$T/defer/quiet.log"
start_agent "$T/defer/quiet.log" "$T/defer/busy.log"
check "after kill -9 the quiet file's error is read" wait_for 20 grep -q 'seq=9100' "$T/out.$RUN"
stop_agent
check "... and nothing else again" [ "$(grep -c '"type":"event"' "$T/out.$RUN")" -eq 1 ]
set -- $(saved quiet.log)
check "a stop commits the quiet file's position" [ "$1" = "$2" ]
