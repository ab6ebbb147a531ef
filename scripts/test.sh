#!/bin/sh
# Build qerrors and run every test, plainly and under
# SANITIZE=address,undefined.  Ends with one line "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
sh scripts/deps.sh test || exit 1
jobs=$(nproc 2>/dev/null || echo 2)
total_pass=0
total_fail=0
# The tree's own checks, once: formatting, include cycles among lib/
# headers, and static analysis (clang-tidy, checks in .clang-tidy).
echo "== static checks"
for c in format-check include-check tidy; do
	if make -s $c; then
		echo "ok   $c"
		total_pass=$((total_pass + 1))
	else
		echo "FAIL $c"
		total_fail=$((total_fail + 1))
	fi
done
for mode in plain sanitized; do
	if [ $mode = plain ]; then san=; else san=address,undefined; fi
	echo "== building ($mode)"
	if ! make -s -j"$jobs" DEVELOPER=1 SANITIZE=$san qerrors unit-tests; then
		echo "build failed ($mode)"
		total_fail=$((total_fail + 1))
		continue
	fi
	echo "== testing ($mode)"
	out=$(mktemp)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		make -s SANITIZE=$san check 2>&1 | tee "$out"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
	rm -f "$out"
	if [ -z "$line" ]; then
		echo "test run did not finish ($mode)"
		total_fail=$((total_fail + 1))
		continue
	fi
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed*}
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
