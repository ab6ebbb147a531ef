# qerrors tail: symlinks, globs, stdin, --once, the lock, SIGHUP, SIGUSR1,
# huge lines and binary garbage; the sources: list of the configuration.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tail_lib.sh"
want() { grep -v '^#' "$1" | cut -f2 | sort | tr '\n' ' ' | sed 's/ $//'; }
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

# the configuration's sources: list, each entry read its own way, and
# followed when tail is given no FILE (logs from tests/data/formats,
# written by pino and Python logging; pino-renamed renames pino's message
# and error keys)
D=$TESTS_DIR/data/formats
CS=$T/cs
mkdir -p "$CS/svc"
cp "$D/pino-renamed.log" "$CS/svc/api.log"
cp "$D/pino.log" "$CS/svc/api.log.1"
cp "$D/python-json-logger.log" "$CS/app.log"
cp "$D/python-text.log" "$CS/py.log"
cat >"$CS/qerrors.yaml" <<EOF
sources:
  - path: $CS/svc/api.log*
    format: json
    exclude: ['*.1']
    json:
      message: text
      exception: failure.stack
      error_type: failure.type
  - path: $CS/app.log
    format: text
  - $CS/py.log
EOF
export QERRORS_CONFIG="$CS/qerrors.yaml"
# error_type and file name of every event, one per line
events() { python3 -c 'import json,sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o.get("type") == "event":
        print(o["error_type"] or "-", o["source"].rsplit("/", 1)[1])' "$1" | sort; }
QERRORS_STATE_DIR="$CS/s1" "$QERRORS" -v tail --once --from-beginning --json >"$CS/out" 2>"$CS/err"
check "sources: tail without FILE follows them, exit 0" test $? -eq 0
events "$CS/out" >"$CS/ev"
check "sources: the json entry's field names find every exception, with its type" \
	test "$(grep ' api.log$' "$CS/ev" | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $//')" = "$(want "$D/pino-renamed.expected")"
check "sources: the entry's exclude keeps the rotated .1 out" sh -c "! grep -q 'api.log.1' '$CS/out'"
check "sources: the .1 is not even opened" sh -c "! grep -q 'api.log.1' '$CS/err'"
check "sources: the text entry is read" grep -q ' app.log$' "$CS/ev"
check "sources: the text entry reads JSON lines as text" sh -c "! grep -q 'ValueError app.log' '$CS/ev'"
check "sources: -v names each file's format" sh -c "grep -q \"'$CS/svc/api.log': format json\" '$CS/err' && grep -q \"'$CS/app.log': format text\" '$CS/err'"
check "sources: auto still says what it chose" grep -q "'$CS/py.log': format text" "$CS/err"
check "sources: the bare path entry is read too" grep -q 'ValueError py.log' "$CS/ev"
# a FILE argument replaces the list and is read with tail.format (auto)
QERRORS_STATE_DIR="$CS/s2" "$QERRORS" tail --once --from-beginning --json "$CS/app.log" >"$CS/out2" 2>/dev/null
events "$CS/out2" >"$CS/ev2"
check "sources: a FILE argument is read with tail.format, not its entry's" grep -q 'ValueError app.log' "$CS/ev2"
check "sources: and the list is not followed then" sh -c "! grep -q 'py.log' '$CS/out2'"
# without the entry's json: the renamed keys are not found
QERRORS_STATE_DIR="$CS/s3" "$QERRORS" tail --once --from-beginning --json "$CS/svc/api.log" >"$CS/out3" 2>/dev/null
events "$CS/out3" >"$CS/ev3"
check "sources: the field names are that entry's only" sh -c "grep -q 'api.log' '$CS/ev3' && ! grep -q 'SyntaxError' '$CS/ev3'"

# a bad value is a usage error naming where it is
printf 'sources:\n  - path: /x.log\n    format: jsn\n' >"$CS/bad.yaml"
QERRORS_CONFIG="$CS/bad.yaml" QERRORS_STATE_DIR="$CS/s4" "$QERRORS" tail --once >/dev/null 2>"$CS/bad.err"
check "sources: a bad format exits 2" test $? -eq 2
check "sources: and says where and what" grep -q "bad.yaml:3:13: 'sources.format' cannot be 'jsn'; did you mean 'json'?" "$CS/bad.err"
printf 'tail:\n  format: auto\n' >"$CS/none.yaml"
QERRORS_CONFIG="$CS/none.yaml" QERRORS_STATE_DIR="$CS/s4" "$QERRORS" tail --once >/dev/null 2>"$CS/none.err"
check "sources: neither FILE nor sources is a usage error" test $? -eq 2
check "sources: that says what to give" grep -q "nothing to follow: give a FILE, GLOB, journal: or '-', or a 'sources' list in $CS/none.yaml" "$CS/none.err"

# SIGHUP: the same list reloads; a changed list is refused, the agent goes on
rm -rf "$T/state" "$T"/out.*
start_agent
kill -HUP "$AGENT_PID"
check "sources: SIGHUP with the same list reloads" wait_for 5 grep -q 'configuration reloaded' "$T/err.$RUN"
sed -i 's/format: text/format: json/' "$CS/qerrors.yaml"
kill -HUP "$AGENT_PID"
check "sources: SIGHUP with a changed list is refused" wait_for 5 grep -q "configuration not reloaded: the 'sources' list changed; restart the agent" "$T/err.$RUN"
grep '"level":50' "$D/pino-renamed.log" | head -1 >>"$CS/svc/api.log"
check "sources: after the refusal the old entries are still read their way" \
	wait_for 10 sh -c "grep -q '\"error_type\":\"SyntaxError\".*api.log' '$T/out.$RUN'"
stop_agent
check "sources: the agent stops cleanly" test "$AGENT_RC" -eq 0
unset QERRORS_CONFIG
exit 0
