# What went wrong with the AI service, said where people look: a base
# URL without /v1 and an unknown model, in the client's error text
# (analyze, tail) and in doctor, which also lists the models offered.
. "$(dirname "$0")/lib.sh"

TRACE="$T/trace.txt"
cat >"$TRACE" <<'LOG'
Exception in thread "main" java.lang.IllegalStateException: pool exhausted
	at com.example.Pool.take(Pool.java:42)
	at com.example.Main.main(Main.java:7)
LOG
# control K=V...: change the fake server's state (values are JSON)
control() {
	python3 - "${FAKE_URL%/v1}/_control" "$@" <<'PY'
import json, sys, urllib.request as u
body = {k: json.loads(v) for k, v in (a.split("=", 1) for a in sys.argv[2:])}
u.urlopen(u.Request(sys.argv[1], data=json.dumps(body).encode(), method="POST"), timeout=5).read()
PY
}

start_fake_ai v1_only || exit 1
control 'models=["llama3.2:latest", "qwen2.5:7b"]'
BASE=${FAKE_URL%/v1}

# ---- a base URL without /v1 (Ollama answers "404 page not found") ----
QERRORS_AI_BASE_URL="$BASE" QERRORS_AI_MODEL=llama3.2:latest "$QERRORS" analyze "$TRACE" >"$T/a1" 2>"$T/a1.err"
rc=$?
check "analyze: a wrong path is an AI failure (exit 4)" test $rc -eq 4
check "analyze: the client's error names the fix (add /v1)" \
	grep -qF "set ai.base_url (QERRORS_AI_BASE_URL) to '$BASE/v1'" "$T/a1.err"
check "analyze: the server's own words are kept" grep -q 'HTTP 404): 404 page not found' "$T/a1.err"

QERRORS_AI_BASE_URL="$BASE/" QERRORS_AI_MODEL=llama3.2:latest "$QERRORS" tail --once --from-beginning --json "$TRACE" >"$T/t1" 2>"$T/t1.err"
check "tail: the advice error record carries the same fix" \
	grep -qF "to '$BASE/v1'" "$T/t1"

QERRORS_AI_BASE_URL="$BASE" QERRORS_AI_MODEL=llama3.2:latest "$QERRORS" doctor >"$T/d1" 2>&1
rc=$?
check "doctor fails on a base URL without /v1 (exit 3)" test $rc -eq 3
check "doctor: GET /models failed but /v1/models answers" \
	grep -qF "fail  ai_reachable  GET $BASE/models: HTTP 404: 404 page not found, but $BASE/v1/models answers" "$T/d1"
check "doctor: says to add /v1" grep -qF -- "-> ai.base_url '$BASE' has no /v1" "$T/d1"
check "doctor: the chat request's 404 is a path, not the model" \
	grep -qF "fail  ai_advice     no advice: $BASE/chat/completions is not there (HTTP 404)" "$T/d1"
check "doctor: no longer suggests checking the model for a wrong path" \
	sh -c "! grep -q 'check ai.model and ai.response_format' '$T/d1'"
check "doctor: lists the models found under /v1" \
	grep -q "ai_models .*llama3.2:latest, qwen2.5:7b" "$T/d1"

# ---- with /v1: the models the server offers ----
QERRORS_AI_BASE_URL="$FAKE_URL" QERRORS_AI_MODEL=qwen2.5:7b "$QERRORS" doctor --json >"$T/d2.json" 2>&1
check "doctor --json passes with /v1 and an offered model" \
	python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); c={x["name"]: x for x in o["checks"]}; sys.exit(not (o["ok"] and c["ai_models"]["status"] == "ok" and "2 offered" in c["ai_models"]["message"] and c["ai_advice"]["status"] == "ok"))' "$T/d2.json"

QERRORS_AI_BASE_URL="$FAKE_URL" QERRORS_AI_MODEL=llama3.2 "$QERRORS" doctor >"$T/d2b" 2>&1
check "doctor: a model without a tag is Ollama's ':latest'" \
	grep -q "^ok *ai_models     2 offered, 'llama3.2' among them" "$T/d2b"

control 'models=[]'
QERRORS_AI_BASE_URL="$FAKE_URL" "$QERRORS" doctor >"$T/d2c" 2>&1
check "doctor: a server with no model at all is a warning" \
	grep -q "^warn *ai_models     the service offers no models" "$T/d2c"
control 'models=["llama3.2:latest", "qwen2.5:7b"]'

# ---- an unknown model: OpenAI's model_not_found ----
control 'mode="unknown_model"'
QERRORS_AI_BASE_URL="$FAKE_URL" QERRORS_AI_MODEL=llama3 "$QERRORS" doctor >"$T/d3" 2>&1
rc=$?
check "doctor fails on an unknown model (exit 3)" test $rc -eq 3
check "doctor: the model list is reachable" grep -q '^ok *ai_reachable .*HTTP 200' "$T/d3"
check "doctor: the model is not among those offered" \
	grep -qF "warn  ai_models     model 'llama3' is not among the 2 the service offers: llama3.2:latest, qwen2.5:7b" "$T/d3"
check "doctor: the chat request says the model is missing, not the path" \
	grep -qF "fail  ai_advice     no advice: model 'llama3' not found (HTTP 404 from $FAKE_URL/chat/completions)" "$T/d3"
check "doctor: the fix names the models to choose from" \
	grep -qF -- "-> set ai.model (QERRORS_AI_MODEL) to a model the service offers: llama3.2:latest, qwen2.5:7b" "$T/d3"
QERRORS_AI_BASE_URL="$FAKE_URL" QERRORS_AI_MODEL=llama3 "$QERRORS" analyze "$TRACE" >"$T/a3" 2>"$T/a3.err"
check "analyze: an unknown model is named in the error" \
	grep -qF "the service does not offer model 'llama3': set ai.model" "$T/a3.err"

# ---- the same in Ollama's words ----
control 'mode="unknown_model_ollama"'
QERRORS_AI_BASE_URL="$FAKE_URL" QERRORS_AI_MODEL=llama3 "$QERRORS" analyze "$TRACE" >"$T/a4" 2>"$T/a4.err"
check "analyze: Ollama's 'model not found' is a missing model" \
	grep -qF "model \"llama3\" not found, try pulling it first; the service does not offer model 'llama3'" "$T/a4.err"
QERRORS_AI_BASE_URL="$FAKE_URL" QERRORS_AI_MODEL=qwen2.5:7b "$QERRORS" analyze "$TRACE" >"$T/a5" 2>"$T/a5.err"
check "analyze: an offered model still gets advice" test $? -eq 0
