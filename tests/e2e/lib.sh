# Shared helpers for end-to-end tests: TAP-style results, a private temp
# directory removed on exit, bounded waiting, and the fake AI server.
# Tests talk only to 127.0.0.1.
set -u
QERRORS=${QERRORS:-$PWD/qerrors}
TESTS_DIR=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d /tmp/qerrors-e2e.XXXXXX)
n=0
FAKE_PID=
cleanup() {
	if [ -n "$FAKE_PID" ]; then kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; fi
	for p in $(cat "$T"/pids 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
# Isolate from the user's environment.
export HOME="$T/home" XDG_CONFIG_HOME="$T/home/.config" XDG_STATE_HOME="$T/home/.state"
export QERRORS_STATE_DIR="$T/state"
unset QERRORS_CONFIG QERRORS_AI_BASE_URL QERRORS_AI_API_KEY OPENAI_API_KEY QERRORS_AI_MODEL
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export NO_PROXY='*'
mkdir -p "$HOME"

ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
# check DESCRIPTION command...: ok when the command succeeds
check() {
	d=$1
	shift
	if "$@"; then ok "$d"; else notok "$d"; fi
}
# wait_for SECONDS command...: poll every 50 ms until the command succeeds
wait_for() {
	limit=$(($1 * 20))
	shift
	i=0
	while [ $i -lt $limit ]; do
		if "$@"; then return 0; fi
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}
# start_fake_ai MODE: starts tests/fake_ai.py, sets FAKE_URL and FAKE_LOG
start_fake_ai() {
	FAKE_LOG="$T/fake-requests.jsonl"
	: >"$FAKE_LOG"
	rm -f "$T/fake.port"
	python3 "$TESTS_DIR/fake_ai.py" --mode "$1" --port-file "$T/fake.port" --log "$FAKE_LOG" \
		>"$T/fake.out" 2>&1 &
	FAKE_PID=$!
	if ! wait_for 10 test -s "$T/fake.port"; then
		echo "# fake AI server did not start"; cat "$T/fake.out"
		return 1
	fi
	FAKE_URL="http://127.0.0.1:$(cat "$T/fake.port")/v1"
}
stop_fake_ai() {
	if [ -n "$FAKE_PID" ]; then kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; fi
	FAKE_PID=
}
set_fake_mode() {
	python3 -c 'import sys, urllib.request as u
u.urlopen(u.Request(sys.argv[1], data=("{\"mode\": \"%s\"}" % sys.argv[2]).encode(), method="POST"), timeout=5).read()' "${FAKE_URL%/v1}/_control" "$1"
}
requests_sent() { grep -c . "$FAKE_LOG" 2>/dev/null || echo 0; }
