# The command front end as a user meets it: configuration errors, durations,
# exit codes, global options anywhere, the state directory in --help.
. "$(dirname "$0")/lib.sh"

# ---- every error of a config file in one run ----
cat >"$T/typos.yaml" <<'YAML'
ai:
  modle: gpt-4o-mini
  timeout_ms: soon
cache:
  ttl: 86400
redact:
  patterns:
    - 'password=(\S+'
YAML
"$QERRORS" -c "$T/typos.yaml" stats >"$T/c1" 2>&1
check "a config with three mistakes exits 2" test $? -eq 2
check "all three are reported in one run" test "$(grep -c "^qerrors: $T/typos.yaml:[0-9]*:[0-9]*: " "$T/c1")" -eq 4
check "the misspelt key is placed and corrected" grep -q "typos.yaml:2:3: unknown key 'modle' in 'ai'; did you mean 'model'" "$T/c1"
check "a bare cache.ttl says what to write" grep -q "typos.yaml:5:8: 'cache.ttl' 86400 has no unit; write '86400s' or '1d'" "$T/c1"
check "a bad redact pattern has FILE:LINE:COL" grep -q "typos.yaml:8:21: 'redact.patterns': invalid pattern at offset 13: missing closing parenthesis" "$T/c1"

"$QERRORS" -c "$T/typos.yaml" doctor >"$T/c1d" 2>&1
check "doctor lists them all under its config check" test "$(grep -c "typos.yaml:[0-9]*:[0-9]*: " "$T/c1d")" -eq 4
check "one a line, aligned" test "$(grep -c "^                    $T/typos.yaml:" "$T/c1d")" -eq 3
printf 'ai:\n\tmodel: x\n' >"$T/tab.yaml"
"$QERRORS" -c "$T/tab.yaml" stats >"$T/c2" 2>&1
check "a tab in YAML exits 2" test $? -eq 2
check "a tab in YAML gets a hint" grep -q "tab.yaml:2:1: .*indent with spaces" "$T/c2"

printf 'a: ' >"$T/deep.yaml"
python3 -c "import sys; sys.stdout.write('[' * 80000)" >>"$T/deep.yaml"
start=$(date +%s%N)
"$QERRORS" -c "$T/deep.yaml" stats >"$T/c3" 2>&1
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
check "80,000 nested '[' are refused with a place (exit 2)" sh -c "test $rc -eq 2 && grep -q 'deep.yaml:1:67: nesting deeper than 64 levels' '$T/c3'"
check "and quickly (${ms} ms)" test "$ms" -lt 1000

printf 'cache:\n  ttl: 7d\nai:\n  timeout_ms: 30s\n' >"$T/units.yaml"
echo "nothing here" | "$QERRORS" analyze >/dev/null 2>&1
"$QERRORS" -c "$T/units.yaml" cache stats >"$T/c4" 2>&1
check "cache.ttl: 7d is accepted" grep -q "^ttl  *604800s" "$T/c4"

# ---- durations on the command line ----
"$QERRORS" summary --since 24 >"$T/s1" 2>&1
check "summary --since 24 is a usage error" test $? -eq 2
check "and says what to write" grep -q "needs a unit: write '24h' for hours" "$T/s1"
"$QERRORS" summary --since 1h30m >"$T/s2" 2>&1
check "summary --since 1h30m is understood" sh -c "! grep -q 'expects a duration' '$T/s2'"

# ---- exit codes: "locked" means locked, nothing else ----
: >"$T/plain"
"$QERRORS" tail --once --state-dir "$T/plain/state" "$T/units.yaml" >"$T/e1" 2>&1
check "a state directory that cannot be created exits 3, not 7" test $? -eq 3
check "and says why" grep -q "cannot create state directory '$T/plain/state'" "$T/e1"
if [ "$(id -u)" -ne 0 ]; then
	mkdir -p "$T/ro" && chmod 500 "$T/ro"
	"$QERRORS" tail --once --state-dir "$T/ro" "$T/units.yaml" >"$T/e2" 2>&1
	check "an unwritable state directory exits 3" test $? -eq 3
	chmod 700 "$T/ro"
fi
if command -v flock >/dev/null; then
	mkdir -p "$T/busy"
	# one process that holds the lock itself, so that killing it frees it;
	# it waits for the lock (the probe below may hold it for a moment)
	(exec 9>"$T/busy/qerrors.lock" && flock 9 && exec sleep 60) &
	holder=$!
	echo "$holder" >>"$T/pids"
	wait_for 10 sh -c "! flock -n '$T/busy/qerrors.lock' true"
	"$QERRORS" tail --once --state-dir "$T/busy" "$T/units.yaml" >"$T/e3" 2>&1
	check "a state directory locked by another process exits 7" test $? -eq 7
	check "and says it is in use" grep -q "is in use by" "$T/e3"
	kill "$holder" 2>/dev/null
else
	ok "# SKIP flock(1) missing"
fi

# ---- global options after the command ----
mkdir -p "$T/other"
echo "nothing" | "$QERRORS" analyze --state-dir "$T/other" >/dev/null 2>&1
check "--state-dir after the command is used" test -f "$T/other/qerrors.db"
"$QERRORS" stats --state-dir "$T/other" >"$T/g1" 2>&1
check "stats --state-dir DIR reads DIR" grep -q "$T/other/qerrors.db" "$T/g1"
"$QERRORS" stats -c "$T/typos.yaml" >"$T/g2" 2>&1
check "-c after the command loads that file" sh -c "test $? -eq 2 && grep -q typos.yaml '$T/g2'"
"$QERRORS" stats --color=pink >"$T/g3" 2>&1
check "a bad --color after the command is a usage error" sh -c "test $? -eq 2 && grep -q 'expects one of auto|always|never' '$T/g3'"
"$QERRORS" stats -q --color=never -v >/dev/null 2>&1
check "-q, -v and --color are taken after the command" test $? -eq 0
"$QERRORS" tail --versoin >"$T/g4" 2>&1
check "a misspelt global option after the command gets a suggestion" grep -q "did you mean '--version'" "$T/g4"

"$QERRORS" stats -h >"$T/g5"
check "a command's -h says the global options are taken there too" grep -q -- "--state-dir" "$T/g5"

# ---- --help names the state directory in use ----
"$QERRORS" --help >"$T/h1"
check "--help shows QERRORS_STATE_DIR when set" grep -q "now: $T/state, the QERRORS_STATE_DIR" "$T/h1"
"$QERRORS" --state-dir "$T/other" --help >"$T/h2"
check "--help shows --state-dir when given" grep -q "now: $T/other, the --state-dir" "$T/h2"
env -u QERRORS_STATE_DIR XDG_STATE_HOME="$T/xdg" "$QERRORS" --help >"$T/h3"
if [ "$(id -u)" -eq 0 ]; then
	check "--help shows /var/lib/qerrors for root" grep -q "now: /var/lib/qerrors, the default for root" "$T/h3"
else
	check "--help shows the XDG state directory" grep -q "now: $T/xdg/qerrors, the default" "$T/h3"
fi
exit 0
