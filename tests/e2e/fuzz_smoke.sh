# Smoke run of every libFuzzer target (tests/fuzz/): build with clang,
# ASan and UBSan into a temporary directory, replay the saved reproducers
# of past crashes, then 2000 runs over the seed corpora with a fixed seed.
# Skipped when clang (with its libFuzzer runtime) is not installed.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$TESTS_DIR/.." && pwd)
CC=${FUZZ_CC:-clang}
RUNS=${FUZZ_RUNS:-2000}

targets=
for f in "$ROOT"/tests/fuzz/fuzz_*.c; do
	targets="$targets $(basename "$f" .c)"
done
if [ -z "$targets" ]; then
	notok "fuzz targets exist in tests/fuzz"
	exit 0
fi

skip=
if ! command -v "$CC" >/dev/null 2>&1; then
	skip="clang missing"
else
	printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' \
		>"$T/probe.c"
	if ! "$CC" -fsanitize=fuzzer,address,undefined -o "$T/probe" "$T/probe.c" \
		>"$T/probe.out" 2>&1; then
		skip="clang cannot link libFuzzer targets"
	fi
fi
if [ -n "$skip" ]; then
	for t in $targets; do ok "$t # skip $skip"; done
	exit 0
fi

built=1
# shellcheck disable=SC2086
if ! CC=$CC sh "$ROOT/tests/fuzz/build.sh" "$T/fuzz" $targets >"$T/build.out" 2>&1; then
	built=0
	echo "# tests/fuzz/build.sh failed:"
	sed 's/^/#   /' "$T/build.out" | tail -40
fi

for t in $targets; do
	if [ $built -eq 0 ] || [ ! -x "$T/fuzz/$t" ]; then
		notok "$t smoke (not built)"
		continue
	fi
	res=0
	# Past crashes stay fixed.
	for c in "$ROOT/tests/fuzz/crashes/$t"/*; do
		[ -f "$c" ] || continue
		if ! "$T/fuzz/$t" "$c" >"$T/$t.crash.out" 2>&1; then
			echo "# $t fails again on $c:"
			grep -E 'ERROR|runtime error|invariant|SUMMARY' "$T/$t.crash.out" | head -5 |
				sed 's/^/#   /'
			res=1
		fi
	done
	if ! BIN_DIR="$T/fuzz" CORPUS_DIR="$T/corpus" ARTIFACT_DIR="$T/artifacts" \
		sh "$ROOT/tests/fuzz/run.sh" "$t" -runs="$RUNS" -seed=1 -max_total_time=60 \
		>"$T/$t.out" 2>&1; then
		echo "# $t found a problem:"
		grep -E -A12 'ERROR|runtime error|invariant' "$T/$t.out" | head -30 | sed 's/^/#   /'
		res=1
	fi
	if [ $res -eq 0 ]; then ok "$t smoke"; else notok "$t smoke"; fi
done
exit 0
