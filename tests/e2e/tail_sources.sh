# qerrors tail: symlinks, globs, stdin, --once, the lock, SIGHUP, SIGUSR1,
# huge lines and binary garbage.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tail_lib.sh"
mkdir -p "$T/logs"

# symlink whose target changes
emit "$T/logs/a.log" 0
: >"$T/logs/a.log"
ln -s "$T/logs/a.log" "$T/logs/current.log"
start_agent "$T/logs/current.log"
emit "$T/logs/a.log" 5
wait_events 5
: >"$T/logs/b.log"
ln -sfn "$T/logs/b.log" "$T/logs/current.log"
emit "$T/logs/b.log" 5
check "symlink retarget: the new target is read" wait_events 10
stop_agent
check "symlink: accounting" account --expect 1:10

# glob picks up a file created later
rm -rf "$T/state" "$T"/out.*
SEQ=0
start_agent "$T/logs/svc-*.log"
emit "$T/logs/svc-1.log" 3
emit "$T/logs/svc-2.log" 4
check "glob: files created later are picked up from their start" wait_events 7
stop_agent
check "glob: accounting" account --expect 1:7
check "glob: events name their source" sh -c "grep -q '\"source\":\"$T/logs/svc-2.log\"' '$T'/out.*"

# --once from the beginning, then again: nothing twice
rm -rf "$T/state" "$T"/out.*
SEQ=0
emit "$T/logs/once.log" 12
"$QERRORS" tail --json --once --from-beginning "$T/logs/once.log" >"$T/out.1" 2>"$T/err.once"
check "--once exits 0" test $? -eq 0
check "--once --from-beginning reads everything" account --expect 1:12
"$QERRORS" tail --json --once "$T/logs/once.log" >"$T/out.2" 2>>"$T/err.once"
check "--once again: nothing reported twice" account --expect 1:12
emit "$T/logs/once.log" 3
"$QERRORS" tail --json --once "$T/logs/once.log" >"$T/out.3" 2>>"$T/err.once"
check "--once picks up only new lines" account --expect 1:15

# standard input
rm -rf "$T/state" "$T"/out.*
SEQ=0
emit "$T/stdin.log" 6
"$QERRORS" tail --json - <"$T/stdin.log" >"$T/out.1" 2>"$T/err.stdin"
check "stdin: ends at end of input with exit 0" test $? -eq 0
check "stdin: every event" account --expect 1:6

# the lock: a second agent on the same state directory says who holds it
rm -rf "$T/state" "$T"/out.*
start_agent "$T/logs/once.log"
"$QERRORS" tail "$T/logs/once.log" >/dev/null 2>"$T/err.lock"
rc=$?
check "lock: second agent exits 7" test $rc -eq 7
check "lock: message names the holding process" grep -q "process $AGENT_PID" "$T/err.lock"

# SIGUSR1 prints counters; SIGHUP reloads the configuration
kill -USR1 "$AGENT_PID"
check "SIGUSR1 prints counters" wait_for 5 grep -q 'lines=' "$T/err.$RUN"
kill -HUP "$AGENT_PID"
check "SIGHUP reloads" wait_for 5 grep -q 'configuration reloaded' "$T/err.$RUN"
emit "$T/logs/once.log" 2
check "after SIGHUP lines keep flowing" wait_for 10 sh -c "grep -q 'seq=$SEQ ' '$T/out.$RUN'"
stop_agent

# a 10 MB line and binary garbage change nothing but the text shown
rm -rf "$T/state" "$T"/out.*
SEQ=0
: >"$T/logs/big.log"
start_agent "$T/logs/big.log"
python3 -c 'import sys; sys.stdout.write("ERROR huge " + "x"*(10*1024*1024) + "\n")' >>"$T/logs/big.log"
head -c 200000 /dev/urandom >>"$T/logs/big.log"
printf '\n' >>"$T/logs/big.log"
emit "$T/logs/big.log" 5
check "after a 10 MB line and garbage, lines keep flowing" wait_events 5
stop_agent
check "big line: accounting" account --expect 1:5
check "all output is valid JSON" python3 -c 'import json,sys
[json.loads(l) for f in sys.argv[1:] for l in open(f) if l.strip()]' "$T"/out.*
"$QERRORS" stats --json >"$T/stats.json" 2>/dev/null || true
exit 0
