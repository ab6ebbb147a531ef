# cache.backend: redis — two hosts share one answer per fingerprint through
# a real Redis server on 127.0.0.1; a dead Redis never stops an agent.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tail_lib.sh"
if ! command -v redis-server >/dev/null 2>&1; then
	ok "fleet # skip redis-server not installed"
	exit 0
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
RPORT=$(free_port)
mkdir -p "$T/redis"
redis-server --port "$RPORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$T/redis" \
	--daemonize no >"$T/redis.log" 2>&1 &
echo $! >>"$T/pids"
rcli() { python3 - "$RPORT" "$@" <<'PY'
import socket, sys
port, args = int(sys.argv[1]), sys.argv[2:]
s = socket.create_connection(("127.0.0.1", port), timeout=2)
s.sendall(("*%d\r\n" % len(args) + "".join("$%d\r\n%s\r\n" % (len(a.encode()), a) for a in args)).encode())
print(s.recv(1 << 20).decode(errors="replace"))
PY
}
wait_for 10 sh -c "rcli PING 2>/dev/null | grep -q PONG" 2>/dev/null || wait_for 10 sh -c "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $RPORT))' 2>/dev/null"
start_fake_ai ok || exit 1
export QERRORS_AI_BASE_URL="$FAKE_URL" OPENAI_API_KEY="sk-test-FLEETKEY0123456789abcdef"
cat >"$T/fleet.yaml" <<YAML
cache:
  backend: redis
  redis:
    url: redis://127.0.0.1:$RPORT/0
    prefix: "qe-test:"
YAML
cat >"$T/app.log" <<'LOG'
2026-11-22 10:00:01 ERROR [pool-1] c.e.Billing - charge failed for carol@example.com password=hunter2secret
java.lang.IllegalStateException: gateway said no to carol@example.com
	at com.example.Billing.charge(Billing.java:42)
	at com.example.Api.post(Api.java:7)
2026-11-22 10:00:02 ERROR disk quota exceeded on volume 7 token=abcdef0123456789
LOG

# host A asks; host B (its own state) gets the answers from the fleet
QERRORS_STATE_DIR="$T/hostA" "$QERRORS" -c "$T/fleet.yaml" tail --once --from-beginning --json "$T/app.log" >"$T/a.out" 2>"$T/a.err"
check "host A: exit 0" test $? -eq 0
check "host A: one request for two fingerprints" test "$(requests_sent)" -eq 1
check "host A: advice arrives" grep -q '"type":"advice"' "$T/a.out"
QERRORS_STATE_DIR="$T/hostB" "$QERRORS" -c "$T/fleet.yaml" tail --once --from-beginning --json "$T/app.log" >"$T/b.out" 2>"$T/b.err"
check "host B: no request of its own" test "$(requests_sent)" -eq 1
check "host B: advice from the fleet cache on its events" sh -c "[ \$(grep -c '\"cached\":true' '$T/b.out') -eq 2 ]"
QERRORS_STATE_DIR="$T/hostC" "$QERRORS" -c "$T/fleet.yaml" analyze --format json "$T/app.log" >"$T/c.out" 2>"$T/c.err"
check "analyze on host C: no request" test "$(requests_sent)" -eq 1
check "analyze on host C: answered from the fleet" grep -q '"cached":true' "$T/c.out"
QERRORS_STATE_DIR="$T/hostC" "$QERRORS" cache list --json >"$T/c.cache" 2>&1
check "analyze on host C: the fleet's answer is kept in its SQLite cache" \
	sh -c "[ \$(grep -o '[0-9a-f]\{16\}' '$T/c.cache' | sort -u | wc -l) -eq 2 ]"

rcli KEYS 'qe-test:*' >"$T/keys"
check "advice keys are on the server" grep -q 'qe-test:advice:' "$T/keys"
for k in $(grep 'qe-test:advice:' "$T/keys"); do rcli GET "$k"; done >"$T/values"
check "nothing secret was written to the shared cache" sh -c "! grep -q 'carol@example.com\\|hunter2secret\\|abcdef0123456789' '$T/values'"
rcli HGETALL qe-test:counts >"$T/counts"
check "fleet counts were flushed" grep -q '[0-9a-f]\{16\}' "$T/counts"

# a dead Redis: the agent warns, asks the AI itself and goes on
cat >"$T/dead.yaml" <<YAML
cache:
  backend: redis
  redis:
    url: redis://127.0.0.1:$(free_port)/0
YAML
before=$(requests_sent)
QERRORS_STATE_DIR="$T/hostD" "$QERRORS" -c "$T/dead.yaml" tail --once --from-beginning --json "$T/app.log" >"$T/d.out" 2>"$T/d.err"
check "dead Redis: exit 0" test $? -eq 0
check "dead Redis: says so" grep -q 'fleet cache at .* unavailable' "$T/d.err"
check "dead Redis: falls back to asking itself" test "$(requests_sent)" -gt "$before"
check "dead Redis: every event still reported" sh -c "[ \$(grep -c '\"type\":\"event\"' '$T/d.out') -eq 2 ]"

# the fleet's daily token budget
cat >"$T/budget.yaml" <<YAML
cache:
  backend: redis
  redis:
    url: redis://127.0.0.1:$RPORT/0
    prefix: "qe-budget:"
    daily_token_budget: 10
YAML
before=$(requests_sent)
QERRORS_STATE_DIR="$T/hostE" "$QERRORS" -c "$T/budget.yaml" tail --once --from-beginning --json "$T/app.log" >"$T/e.out" 2>"$T/e.err"
check "budget spent: no request" test "$(requests_sent)" -eq "$before"
check "budget spent: said in the stream" grep -q '"status":"budget"' "$T/e.out"

QERRORS_STATE_DIR="$T/hostA" "$QERRORS" -c "$T/fleet.yaml" doctor >"$T/doc.out" 2>&1
check "doctor: the fleet cache is reachable" grep -q 'fleet .*Redis at 127.0.0.1:[0-9/]* reachable' "$T/doc.out"
QERRORS_STATE_DIR="$T/hostD" "$QERRORS" -c "$T/dead.yaml" doctor >"$T/doc2.out" 2>&1
check "doctor: a dead fleet cache is a warning with what to do" grep -q 'warn *fleet .*unavailable' "$T/doc2.out"

# a bad URL is a configuration error
printf 'cache:\n  backend: redis\n  redis:\n    url: "http://nope"\n' >"$T/bad.yaml"
QERRORS_STATE_DIR="$T/hostF" "$QERRORS" -c "$T/bad.yaml" tail --once "$T/app.log" >/dev/null 2>"$T/f.err"
rc=$?
check "bad Redis URL exits 2" test $rc -eq 2
check "bad Redis URL: the message names it" grep -qi 'redis' "$T/f.err"
exit 0
