#!/bin/sh
# Run the unit tests (cmocka) and the end-to-end tests (tests/e2e/*.sh,
# TAP-style "ok"/"not ok" lines) and end with "N passed, N failed".
# OBJDIR selects the plain or sanitized build.
set -u
cd "$(dirname "$0")/.."
OBJDIR=${OBJDIR:-build/std}
pass=0
fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT INT TERM

for t in "$OBJDIR"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	if timeout 600 "$t" >"$log" 2>&1; then status=0; else status=$?; fi
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	p=${p:-0}
	f=${f:-0}
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # crashed, sanitizer report, or timed out
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	if [ "$f" -ne 0 ]; then
		echo "FAIL unit $name (exit $status)"
		sed 's/^/    /' "$log" | tail -60
	else
		echo "ok   unit $name ($p)"
	fi
done

for t in tests/e2e/*.sh; do
	[ -f "$t" ] || continue
	case $t in *lib.sh) continue ;; esac # sourced helpers, not tests
	name=$(basename "$t" .sh)
	if QERRORS="$PWD/qerrors" timeout 900 sh "$t" >"$log" 2>&1; then status=0; else status=$?; fi
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	if [ "$f" -ne 0 ]; then
		echo "FAIL e2e $name (exit $status)"
		sed 's/^/    /' "$log" | tail -80
	else
		echo "ok   e2e $name ($p)"
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
