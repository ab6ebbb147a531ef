# Secrets never leave the host: one synthetic secret of every kind in
# tests/data/redact/secrets.tsv is planted in a log, `tail --once` runs
# with the fake AI service in echo mode (its answers repeat what it was
# sent, and the original line of each event, as a model that knew the
# secret would) and a real Redis as the fleet cache; then every sink is
# read back: the bytes sent to the AI service, every Redis key and value,
# every SQLite table, stdout's advice and stderr.
. "$(dirname "$0")/lib.sh"
if ! command -v redis-server >/dev/null 2>&1; then
	ok "secrets # skip redis-server not installed"
	exit 0
fi
TSV="$TESTS_DIR/data/redact/secrets.tsv"
CHECK="$TESTS_DIR/e2e/secrets_check.py"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
RPORT=$(free_port)
echo "$RPORT" >"$T/redis.port"
mkdir -p "$T/redis"
redis-server --port "$RPORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$T/redis" \
	--daemonize no >"$T/redis.log" 2>&1 &
echo $! >>"$T/pids"
redis_up() { python3 -c "import socket; socket.create_connection(('127.0.0.1', $RPORT), timeout=1)" 2>/dev/null; }
check "redis-server is up" wait_for 10 redis_up

python3 "$CHECK" plant "$TSV" "$T/app.log" "$T/echo.txt"
planted=$(grep -c . "$TSV")
FAKE_LOG="$T/requests.jsonl"
: >"$FAKE_LOG"
python3 "$TESTS_DIR/fake_ai.py" --mode echo --echo-file "$T/echo.txt" --port-file "$T/fake.port" \
	--log "$FAKE_LOG" >"$T/fake.out" 2>&1 &
FAKE_PID=$!
check "fake AI server is up" wait_for 10 test -s "$T/fake.port"
FAKE_URL="http://127.0.0.1:$(cat "$T/fake.port")/v1"
export QERRORS_AI_BASE_URL="$FAKE_URL" OPENAI_API_KEY="sk-test-SECRETSKEY0123456789abcdef"
export QERRORS_QUEUE_LIMIT=1000
cat >"$T/qerrors.yaml" <<YAML
cache:
  backend: redis
  redis:
    url: redis://127.0.0.1:$RPORT/0
    prefix: "qe-secrets:"
# each planted line must reach every sink on its own: lines that differ
# only in their secret would otherwise be learnt into one group
grouping:
  learn: false
YAML

# the echo is real: asked about an event, the fake repeats its raw secret
probe=$(python3 - "$FAKE_URL" "$TSV" <<'PY'
import json, sys, urllib.request
url, tsv = sys.argv[1], sys.argv[2]
kind, _, secret, _ = open(tsv).readline().rstrip("\n").split("\t")
user = "<<<LOG\n" + json.dumps({"events": [{"id": "0123456789abcdef",
                                             "message": "[%s] redacted" % kind}]}) + "\nLOG>>>"
req = urllib.request.Request(url + "/chat/completions", method="POST",
                             data=json.dumps({"messages": [{"role": "user", "content": user}]}).encode())
answer = urllib.request.urlopen(req, timeout=5).read().decode()
print("echoed" if secret in json.loads(answer)["choices"][0]["message"]["content"] else "not echoed")
PY
)
check "the fake's echo repeats a raw secret ($probe)" test "$probe" = echoed
: >"$FAKE_LOG"

"$QERRORS" -c "$T/qerrors.yaml" tail --once --from-beginning --json "$T/app.log" \
	>"$T/out.json" 2>"$T/err.txt"
check "tail --once exits 0" test $? -eq 0
check "every kind's event was sent (one request per batch)" test "$(grep -c . "$FAKE_LOG")" -ge 2
check "advice came back" grep -q '"type":"advice"' "$T/out.json"

python3 "$CHECK" check "$TSV" "$T" || notok "sinks could be read"
fig() { python3 -c 'import json,sys; f=json.load(open(sys.argv[1]))[sys.argv[2]]; print(f[sys.argv[3]] if sys.argv[3] != "leaked" else len(f["leaked"]))' "$T/figures.json" "$1" "$2"; }
check "the corpus has at least 60 kinds ($planted)" test "$planted" -ge 60
check "every kind reached the AI request ($(fig ai exercised) of $planted)" test "$(fig ai exercised)" -eq "$planted"
check "no secret in the bytes sent to the AI service" test "$(fig ai leaked)" -eq 0
check "the echoed secrets came back in answers ($(fig redis exercised) kinds in Redis)" test "$(fig redis exercised)" -ge $((planted / 2))
check "no secret in any Redis key or value" test "$(fig redis leaked)" -eq 0
check "no secret in any SQLite table (groups.template aside)" test "$(fig sqlite leaked)" -eq 0
check "no secret in stdout's advice" test "$(fig stdout-advice leaked)" -eq 0
check "no secret on stderr" test "$(fig stderr leaked)" -eq 0
check "no secret in groups.template" test "$(fig sqlite-template leaked)" -eq 0
# QE_SECRETS_KEEP=DIR keeps a copy of every sink for a look
[ -z "${QE_SECRETS_KEEP:-}" ] || cp -r "$T" "$QE_SECRETS_KEEP"
exit 0
