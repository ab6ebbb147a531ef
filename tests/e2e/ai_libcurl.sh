# libcurl is loaded only when a request is about to be made: the binary
# does not link it, a run without an AI service never maps it, and a
# libcurl that cannot be loaded is named, with nothing of the key.
. "$(dirname "$0")/lib.sh"
KEY="sk-test-LIBCURL0123456789"
printf 'Traceback (most recent call last):\n  File "a.py", line 3, in <module>\nValueError: bad value\n' >"$T/trace"
if command -v readelf >/dev/null 2>&1; then
	readelf -d "$QERRORS" >"$T/dyn"
	check "the binary does not link libcurl" sh -c "! grep -q 'NEEDED.*libcurl' '$T/dyn'"
fi
# A run that needs no AI service never loads it: a live agent's maps.
mkdir -p "$T/logs"
cp "$T/trace" "$T/logs/app.log"
QERRORS_STATE_DIR="$T/s0" "$QERRORS" tail --from-beginning "$T/logs/app.log" >"$T/out0" 2>"$T/err0" &
pid=$!
wait_for 10 grep -q 'ValueError' "$T/out0"
check "the agent reported the event" grep -q 'ValueError' "$T/out0"
check "no AI service: libcurl is not mapped" sh -c "! grep -q libcurl /proc/$pid/maps"
kill "$pid"
wait "$pid" 2>/dev/null
start_fake_ai ok || exit 1
export QERRORS_AI_BASE_URL="$FAKE_URL" OPENAI_API_KEY="$KEY"
QERRORS_STATE_DIR="$T/s1" "$QERRORS" analyze --format json "$T/trace" >"$T/out1" 2>"$T/err1"
check "with a service, advice comes through the loaded libcurl" grep -q '"advice"' "$T/out1"
QERRORS_LIBCURL=$T/none/libcurl.so.4 QERRORS_STATE_DIR="$T/s2" "$QERRORS" analyze "$T/trace" \
	>"$T/out2" 2>"$T/err2"
check "a libcurl that cannot be loaded fails the command" test $? -ne 0
check "and is named" grep -q "cannot load libcurl ($T/none/libcurl.so.4)" "$T/err2"
check "the key is not in the message" sh -c "! grep -q '$KEY' '$T/err2' '$T/out2'"
QERRORS_LIBCURL=$T/none/libcurl.so.4 QERRORS_STATE_DIR="$T/s2" "$QERRORS" doctor >"$T/out3" 2>&1
check "doctor says why the service is unreachable" grep -q 'ai_reachable.*cannot load libcurl' "$T/out3"
exit 0
