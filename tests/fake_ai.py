#!/usr/bin/env python3
"""A fake OpenAI-compatible chat-completions server for the tests.

Listens on 127.0.0.1 only, on a free port (written to --port-file, or to
stdout as the first line).  The behaviour is chosen with --mode and can be
changed while running with  POST /_control {"mode": M, "count": K,
"retry_after": S, "retry_after_ms": MS, "hang_s": S, "slow_s": S,
"tokens_per_event": T}.  Modes:

  ok                  valid advice for every event id found in the request
  reject_schema       400 for response_format json_schema, ok otherwise
  reject_all_formats  400 for any response_format, ok without one
  429                 always 429 with Retry-After
  429_then_ok         the first K chat requests get 429 (Retry-After), then ok
  500                 always 500
  500_then_ok         the first K chat requests get 500, then ok
  hang                never answers in time (sleeps hang_s seconds)
  malformed           200 with a body that is not JSON
  bad_content         200 whose message content is JSON but not the schema
  partial             advice for the first id only
  fenced              ok, but the content is prose plus a ``` fenced block
  length              finish_reason "length"
  refusal             message.refusal set
  insufficient_quota  429 with error.code insufficient_quota
  auth                401
  huge                200 with a 2 MiB body
  slow                ok after sleeping slow_s seconds (0.3)
  v1_only             like ok, but only under /v1/: any other path gets
                      Ollama's plain-text "404 page not found"
  unknown_model       like ok, but a chat request for a model that is not
                      in the model list gets OpenAI's 404 model_not_found
  unknown_model_ollama  the same with Ollama's 404 'model "x" not found'

  echo                advice that repeats each event's text from the prompt, and
                      (with --echo-file) the line of that file holding the same
                      [tag] as the event: a model that echoes what it saw or knew

  budget              as a real model: the advice about each event takes
                      tokens_per_event (300) completion tokens; when the
                      request's max_tokens is smaller than that times the
                      number of events, the answer stops there
                      (finish_reason "length", completion_tokens =
                      max_tokens), else ok

GET /_stats answers {"requests": N, "max_active": M}: chat requests seen
since the last /_control, and the most that were open at once.

Every request (method, path, headers, body) is appended as one JSON line
to --log.  GET /models and /v1/models list the models of --models (one
model, "fake-model", unless told; "models" in /_control changes it) in
OpenAI's form, GET /api/tags in Ollama's.  The server exits on
SIGTERM, and when the process that started it goes away.
"""

import argparse
import json
import os
import re
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = {
    "mode": "ok",
    "count": 1,
    "retry_after": "1",
    "retry_after_ms": None,
    "hang_s": 30.0,
    "slow_s": 0.3,
    "tokens_per_event": 300,
    "seen": 0,
    "gen": 0,
    "max_active": 0,
    "models": ["fake-model"],
}
# Open chat requests per generation (a /_control starts a new one), so a
# request still sleeping from an earlier mode does not count.
ACTIVE = {}
LOCK = threading.Lock()
LOG_PATH = None
STOP = threading.Event()

BLOCK_RE = re.compile(r"<<<LOG\n(.*?)\nLOG>>>", re.S)


def event_ids(req):
    """Fingerprints of the events in the user message's delimited block."""
    ids = []
    for msg in req.get("messages", []):
        if msg.get("role") != "user" or not isinstance(msg.get("content"), str):
            continue
        m = BLOCK_RE.search(msg["content"])
        if not m:
            continue
        try:
            doc = json.loads(m.group(1))
        except ValueError:
            continue
        for ev in doc.get("events", []):
            if isinstance(ev, dict) and isinstance(ev.get("id"), str):
                ids.append(ev["id"])
    return ids


ECHO_LINES = []
TAG_RE = re.compile(r"\[([A-Za-z0-9_.-]+)\]")


def event_texts(req):
    """id -> the event's text (message and lines) as the prompt carried it."""
    texts = {}
    for msg in req.get("messages", []):
        if msg.get("role") != "user" or not isinstance(msg.get("content"), str):
            continue
        m = BLOCK_RE.search(msg["content"])
        if not m:
            continue
        try:
            doc = json.loads(m.group(1))
        except ValueError:
            continue
        for ev in doc.get("events", []):
            if isinstance(ev, dict) and isinstance(ev.get("id"), str):
                parts = [ev.get("message") or ""] + [l for l in ev.get("lines") or []
                                                      if isinstance(l, str)]
                texts[ev["id"]] = "\n".join(p for p in parts if isinstance(p, str))
    return texts


def echo_advice(i, text):
    known = ""
    for tag in TAG_RE.findall(text):
        for line in ECHO_LINES:
            if "[%s]" % tag in line:
                known = line
                break
        if known:
            break
    return {
        "id": i,
        "summary": "The event says: " + text[:900],
        "root_cause": "As logged: " + (known or text)[:900],
        "fix": "Check the value " + (known or text)[:900],
        "confidence": 0.5,
        "references": [(known or text)[:500]],
    }


def advice_for(i):
    return {
        "id": i,
        "summary": "Null reference in the handler for " + i,
        "root_cause": "A field was read before it was initialised.",
        "fix": "Initialise the field in the constructor and check for null.",
        "confidence": 0.75,
        "references": ["https://docs.example.org/null"],
    }


def completion(content, finish="stop", refusal=None, prompt_tokens=120, completion_tokens=45):
    msg = {"role": "assistant", "content": content}
    if refusal is not None:
        msg["refusal"] = refusal
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "fake-model",
        "choices": [{"index": 0, "message": msg, "finish_reason": finish}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def error_body(message, etype, code=None):
    return {"error": {"message": message, "type": etype, "param": None, "code": code}}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-ai/1"

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    def record(self, body):
        if not LOG_PATH:
            return
        entry = {
            "method": self.command,
            "path": self.path,
            "headers": {k: v for k, v in self.headers.items()},
            "body": body.decode("utf-8", "replace"),
        }
        with LOCK:
            with open(LOG_PATH, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")

    def send_json(self, code, obj, headers=None, raw=None):
        data = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def do_GET(self):
        if self.path == "/_stats":
            with LOCK:
                stats = {"requests": STATE["seen"], "max_active": STATE["max_active"]}
            self.send_json(200, stats)
            return
        self.record(b"")
        if self.not_served():
            return
        models = list(STATE["models"])
        if self.path.rstrip("/").endswith("/models"):
            self.send_json(200, {"object": "list", "data": [
                {"id": m, "object": "model", "owned_by": "fake"} for m in models]})
        elif self.path == "/api/tags":
            self.send_json(200, {"models": [{"name": m, "model": m} for m in models]})
        else:
            self.send_json(404, error_body("not found", "invalid_request_error"))

    def do_POST(self):
        body = self.read_body()
        if self.path == "/_control":
            try:
                ctl = json.loads(body or b"{}")
            except ValueError:
                self.send_json(400, error_body("bad control body", "invalid_request_error"))
                return
            with LOCK:
                for k in ("mode", "count", "retry_after", "retry_after_ms", "hang_s", "slow_s",
                          "models", "tokens_per_event"):
                    if k in ctl:
                        STATE[k] = ctl[k]
                STATE["seen"] = 0
                STATE["max_active"] = 0
                STATE["gen"] += 1
            self.send_json(200, {"ok": True, "mode": STATE["mode"]})
            return
        self.record(body)
        if self.not_served():
            return
        if not self.path.endswith("/chat/completions"):
            self.send_json(404, error_body("unknown path " + self.path, "invalid_request_error"))
            return
        try:
            req = json.loads(body)
        except ValueError:
            self.send_json(400, error_body("body is not JSON", "invalid_request_error"))
            return
        with LOCK:
            STATE["seen"] += 1
            gen = STATE["gen"]
            ACTIVE[gen] = ACTIVE.get(gen, 0) + 1
            STATE["max_active"] = max(STATE["max_active"], ACTIVE[gen])
            seen = STATE["seen"]
            mode = STATE["mode"]
            count = int(STATE["count"])
        try:
            self.answer(mode, seen, count, req)
        finally:
            with LOCK:
                ACTIVE[gen] -= 1

    def not_served(self):
        """v1_only: what Ollama says for a path outside its API."""
        if STATE["mode"] != "v1_only" or self.path.startswith("/v1/"):
            return False
        data = b"404 page not found"
        self.send_response(404)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        return True

    def retry_headers(self):
        h = {}
        if STATE["retry_after"] is not None:
            h["Retry-After"] = str(STATE["retry_after"])
        if STATE["retry_after_ms"] is not None:
            h["retry-after-ms"] = str(STATE["retry_after_ms"])
        return h

    def answer(self, mode, seen, count, req):
        rf = req.get("response_format")
        rf_type = rf.get("type") if isinstance(rf, dict) else None
        ids = event_ids(req)
        ok = {"advice": [advice_for(i) for i in ids]}

        model = req.get("model")
        if mode == "unknown_model" and model not in STATE["models"]:
            self.send_json(404, error_body(
                "The model `%s` does not exist or you do not have access to it." % model,
                "invalid_request_error", "model_not_found"))
        elif mode == "unknown_model_ollama" and model not in STATE["models"]:
            self.send_json(404, error_body(
                'model "%s" not found, try pulling it first' % model, "api_error"))
        elif mode == "reject_schema" and rf_type == "json_schema":
            self.send_json(400, error_body(
                "Invalid parameter: 'response_format' of type 'json_schema' is not supported "
                "with this model.", "invalid_request_error", "unsupported_parameter"))
        elif mode == "reject_all_formats" and rf is not None:
            self.send_json(400, error_body("response_format is not supported",
                                           "invalid_request_error"))
        elif mode == "429" or (mode == "429_then_ok" and seen <= count):
            self.send_json(429, error_body("Rate limit reached, retry later.", "requests",
                                           "rate_limit_exceeded"), self.retry_headers())
        elif mode == "500" or (mode == "500_then_ok" and seen <= count):
            self.send_json(500, error_body("The server had an error.", "server_error"))
        elif mode == "hang":
            STOP.wait(float(STATE["hang_s"]))
            self.send_json(500, error_body("too late", "server_error"))
        elif mode == "malformed":
            self.send_json(200, None, raw=b'{"choices": [ {"message": {"content": "{\\"ad')
        elif mode == "bad_content":
            content = json.dumps({"advice": [{"id": i, "summary": 42, "root_cause": [],
                                              "fix": {"x": 1}, "confidence": 7}
                                             for i in ids]})
            self.send_json(200, completion(content))
        elif mode == "partial":
            self.send_json(200, completion(json.dumps({"advice": ok["advice"][:1]})))
        elif mode == "fenced":
            content = "Here is the advice:\n```json\n" + json.dumps(ok, indent=2) + "\n```\n"
            self.send_json(200, completion(content))
        elif mode == "length":
            self.send_json(200, completion('{"advice": [{"id": "', finish="length"))
        elif mode == "refusal":
            self.send_json(200, completion(None, refusal="I cannot help with that."))
        elif mode == "insufficient_quota":
            self.send_json(429, error_body(
                "You exceeded your current quota, please check your plan and billing details.",
                "insufficient_quota", "insufficient_quota"))
        elif mode == "auth":
            key = self.headers.get("Authorization", "")
            self.send_json(401, error_body("Incorrect API key provided: " + key[7:] +
                                           ". You can find your API key in your account.",
                                           "invalid_request_error", "invalid_api_key"))
        elif mode == "slow":
            STOP.wait(float(STATE["slow_s"]))
            self.send_json(200, completion(json.dumps(ok)))
        elif mode == "echo":
            texts = event_texts(req)
            content = {"advice": [echo_advice(i, texts.get(i, "")) for i in ids]}
            self.send_json(200, completion(json.dumps(content)))
        elif mode == "budget":
            need = int(STATE["tokens_per_event"]) * len(ids)
            limit = req.get("max_tokens")
            if not isinstance(limit, int):
                limit = req.get("max_completion_tokens")
            if isinstance(limit, int) and limit < need:
                # the text cut where the tokens ran out
                text = json.dumps(ok)[: max(1, len(json.dumps(ok)) * limit // need)]
                self.send_json(200, completion(text, finish="length",
                                               completion_tokens=limit))
            else:
                self.send_json(200, completion(json.dumps(ok), completion_tokens=need))
        elif mode == "huge":
            filler = "x" * (2 * 1024 * 1024)
            self.send_json(200, completion(filler))
        else:
            self.send_json(200, completion(json.dumps(ok)))


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # Clients that hang up (timeouts, cancelled requests) are expected.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def watch_parent(ppid, server, max_seconds):
    end = time.monotonic() + max_seconds
    while not STOP.is_set():
        if os.getppid() != ppid or time.monotonic() > end:
            STOP.set()
            server.shutdown()
            return
        time.sleep(0.2)


def main():
    global LOG_PATH
    ap = argparse.ArgumentParser(description="fake OpenAI-compatible server")
    ap.add_argument("--mode", default="ok")
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--models", help="comma-separated model ids that /models lists")
    ap.add_argument("--port-file")
    ap.add_argument("--log")
    ap.add_argument("--echo-file", help="lines the echo mode may repeat")
    ap.add_argument("--max-seconds", type=float, default=600.0,
                    help="exit after this long whatever happens")
    args = ap.parse_args()
    STATE["mode"] = args.mode
    STATE["count"] = args.count
    if args.models is not None:
        STATE["models"] = [m for m in args.models.split(",") if m]
    LOG_PATH = args.log
    if args.echo_file:
        with open(args.echo_file, encoding="utf-8", errors="replace") as f:
            ECHO_LINES.extend(f.read().splitlines())

    server = Server(("127.0.0.1", 0), Handler)
    port = server.server_address[1]

    def stop(signum, frame):
        STOP.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    threading.Thread(target=watch_parent, args=(os.getppid(), server, args.max_seconds), daemon=True).start()

    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, args.port_file)
    else:
        print(port, flush=True)
    server.serve_forever(poll_interval=0.1)
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
