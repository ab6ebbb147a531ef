#!/bin/sh
# Run one fuzz target over its seed corpora.
#
#   tests/fuzz/run.sh TARGET [LIBFUZZER-OPTION...]
#   e.g. tests/fuzz/run.sh fuzz_mask -max_total_time=90
#
# The binary is BIN_DIR/TARGET (BIN_DIR defaults to build/fuzz; build it
# with tests/fuzz/build.sh).  New inputs the fuzzer finds go to
# CORPUS_DIR/TARGET (default build/fuzz/corpus/TARGET); the seed
# directories below are only read.  Crash reproducers are written to
# ARTIFACT_DIR (default build/fuzz/artifacts/).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
if [ $# -lt 1 ]; then
	echo "usage: tests/fuzz/run.sh TARGET [LIBFUZZER-OPTION...]" >&2
	exit 2
fi
t=$1
shift
bin=${BIN_DIR:-$top/build/fuzz}/$t
corpus=${CORPUS_DIR:-$top/build/fuzz/corpus}/$t
artifacts=${ARTIFACT_DIR:-$top/build/fuzz/artifacts}

d=$top/tests/data
s=$top/tests/fuzz/seeds
case $t in
fuzz_config) seeds="$s/config $top/qerrors.yaml.example" ;;
fuzz_mask) seeds="$d/fingerprint $d/redact $d/traces $d/analyze" ;;
fuzz_redact) seeds="$d/redact $d/analyze $d/traces" ;;
fuzz_assemble) seeds="$d/traces $d/runtimes $d/demo $d/analyze $d/fingerprint" ;;
fuzz_ai_answer) seeds="$s/ai_answer" ;;
fuzz_ai_models) seeds="$s/ai_models" ;;
fuzz_lines) seeds="$d/traces $d/demo $d/fingerprint" ;;
fuzz_redis_url) seeds="$s/redis_url" ;;

fuzz_decode) seeds="$d/formats $d/traces $d/runtimes" ;;

fuzz_learn) seeds="$d/fingerprint $d/fingerprint/headers $d/analyze" ;;
*)
	echo "run.sh: unknown target '$t'" >&2
	exit 2
	;;
esac
if [ ! -x "$bin" ]; then
	echo "run.sh: '$bin' not built (run tests/fuzz/build.sh)" >&2
	exit 2
fi
mkdir -p "$corpus" "$artifacts"
# A file seed (qerrors.yaml.example) goes into the working corpus; libFuzzer
# reads directories only.
for f in $seeds; do
	[ -f "$f" ] && cp "$f" "$corpus/seed-$(basename "$f")"
done
dirs=
for f in $seeds; do
	[ -d "$f" ] && dirs="$dirs $f"
done
# shellcheck disable=SC2086
exec "$bin" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$artifacts/$t-" "$@" \
	"$corpus" $dirs
