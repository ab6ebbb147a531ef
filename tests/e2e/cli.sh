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
exit 0
