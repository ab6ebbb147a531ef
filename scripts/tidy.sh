#!/bin/sh
# Static analysis: clang-tidy with the checks in .clang-tidy over every
# file of lib/ and cmd/, two at a time per core.  Prints the findings and
# exits non-zero when there is any.  The compiler flags come from make.
#   scripts/tidy.sh CFLAGS...
set -u
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
jobs=$(nproc 2>/dev/null || echo 2)
ls lib/*.c cmd/*.c | xargs -P "$jobs" -n 2 sh -c 'clang-tidy -quiet "$@" -- '"$*"' 2>&1' tidy >"$log"
rc=$?
grep -v 'warnings\? generated\|^Suppressed [0-9]\|^Use -header-filter\|warnings treated as errors\|^Error while processing' "$log"
exit $rc
