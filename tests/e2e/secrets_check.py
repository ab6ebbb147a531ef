#!/usr/bin/env python3
"""Which planted secrets reached which sink (used by tests/e2e/secrets.sh).

    secrets_check.py plant TSV LOG ECHO     write the log and the echo file
    secrets_check.py check TSV DIR          read the sinks, print figures

`check` reads, under DIR: requests.jsonl (the fake AI server's record of
every request), redis.port (a Redis server to dump), state/qerrors.db
(every table), out.json and err.txt (what qerrors printed).  For each
sink it prints one line

    # SINK: planted N, exercised E, leaked L: kind kind ...

where exercised counts the kinds whose [tag] reached that sink at all (a
leak count over kinds that never got there would say nothing).  The
sinks are "ai" (request bodies), "redis", "sqlite" (every text and blob
of every table but groups.template), "sqlite-template" (that column),
"stdout-advice" (advice records and the advice inside events), "stderr",
and, for information only, "stdout-events" (the log's own lines, which
are the user's local view and printed as logged).  The result is written
as JSON to DIR/figures.json.
"""
import json
import os
import socket
import sqlite3
import sys


def unescape(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            c = s[i + 1]
            out.append("\n" if c == "n" else "\t" if c == "t" else c)
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def load(tsv):
    kinds = []
    for row in open(tsv, encoding="utf-8"):
        row = row.rstrip("\n")
        if not row:
            continue
        name, cat, secret, line = row.split("\t")
        kinds.append((name, cat, unescape(secret), unescape(line)))
    return kinds


def plant(tsv, log, echo):
    kinds = load(tsv)
    with open(log, "w", encoding="utf-8") as f:
        for _, _, _, line in kinds:
            f.write(line + "\n")
    with open(echo, "w", encoding="utf-8") as f:
        for _, _, _, line in kinds:
            f.write(line.replace("\n", " ") + "\n")


# ---- sinks ----

def read_reply(f):
    line = f.readline()
    if not line:
        raise EOFError("redis closed the connection")
    t, rest = line[:1], line[1:-2]
    if t in (b"+", b"-"):
        return rest.decode(errors="replace")
    if t == b":":
        return int(rest)
    if t == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)[:-2]
        return data.decode(errors="replace")
    if t == b"*":
        n = int(rest)
        return [read_reply(f) for _ in range(max(n, 0))]
    raise ValueError("unexpected reply %r" % line)


def redis_text(port):
    """Every key and value on the server, as text."""
    parts = []
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        f = s.makefile("rb")

        def cmd(*args):
            s.sendall(("*%d\r\n" % len(args) + "".join(
                "$%d\r\n%s\r\n" % (len(a.encode()), a) for a in args)).encode())
            return read_reply(f)

        for key in cmd("KEYS", "*") or []:
            parts.append(key)
            kind = cmd("TYPE", key)
            if kind == "string":
                parts.append(cmd("GET", key) or "")
            elif kind == "hash":
                parts.extend(cmd("HGETALL", key) or [])
            elif kind == "list":
                parts.extend(cmd("LRANGE", key, "0", "-1") or [])
            elif kind == "set":
                parts.extend(cmd("SMEMBERS", key) or [])
            elif kind == "zset":
                parts.extend(cmd("ZRANGE", key, "0", "-1", "WITHSCORES") or [])
    return "\n".join(str(p) for p in parts)


def sqlite_text(path):
    """(everything but groups.template, groups.template) as text; each
    template is preceded by its group's [tag], so that the kinds that
    have one are counted as exercised."""
    rest, template = [], []
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    tables = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")]
    for t in tables:
        cur = db.execute('SELECT * FROM "%s"' % t.replace('"', '""'))
        cols = [d[0] for d in cur.description]
        for row in cur:
            if t == "groups" and "template" in cols and "message" in cols:
                tpl, msg = row[cols.index("template")], row[cols.index("message")]
                if tpl is not None and isinstance(msg, str) and msg.startswith("["):
                    template.append(msg[:msg.find("]") + 1])
            for c, v in zip(cols, row):
                if isinstance(v, bytes):
                    v = v.decode("utf-8", "replace")
                if v is None:
                    continue
                (template if (t, c) == ("groups", "template") else rest).append(str(v))
    db.close()
    return "\n".join(rest), "\n".join(template)


def ai_text(path):
    bodies = []
    for line in open(path, encoding="utf-8"):
        if line.strip():
            bodies.append(json.loads(line).get("body", ""))
    # the bodies are JSON: a secret with a quote or backslash is escaped there
    decoded = []
    for b in bodies:
        try:
            decoded.append(json.dumps(json.loads(b), ensure_ascii=False))
            for m in json.loads(b).get("messages", []):
                decoded.append(str(m.get("content", "")))
        except ValueError:
            pass
    return "\n".join(bodies + decoded)


def stdout_texts(path):
    advice, events = [], []
    for line in open(path, encoding="utf-8", errors="replace"):
        if not line.strip():
            continue
        try:
            o = json.loads(line)
        except ValueError:
            events.append(line)
            continue
        if o.get("type") == "advice":
            advice.append(json.dumps(o.get("advice"), ensure_ascii=False))
        elif o.get("type") == "event":
            advice.append(json.dumps(o.get("advice"), ensure_ascii=False))
            advice.append(str(o.get("advice_error") or ""))
            o.pop("advice", None)
            o.pop("advice_error", None)
            events.append(json.dumps(o, ensure_ascii=False))
        else:
            advice.append(line)
    return "\n".join(advice), "\n".join(events)


def figures(kinds, text):
    exercised = [k for k, _, _, _ in kinds if "[%s]" % k in text]
    leaked = [k for k, _, s, _ in kinds if s in text]
    return {"planted": len(kinds), "exercised": len(exercised), "leaked": leaked}


def check(tsv, d):
    kinds = load(tsv)
    sinks = {}
    sinks["ai"] = ai_text(os.path.join(d, "requests.jsonl"))
    port = int(open(os.path.join(d, "redis.port")).read())
    sinks["redis"] = redis_text(port)
    sinks["sqlite"], sinks["sqlite-template"] = sqlite_text(
        os.path.join(d, "state", "qerrors.db"))
    sinks["stdout-advice"], sinks["stdout-events"] = stdout_texts(
        os.path.join(d, "out.json"))
    sinks["stderr"] = open(os.path.join(d, "err.txt"), encoding="utf-8",
                           errors="replace").read()
    result = {}
    for name, text in sinks.items():
        f = figures(kinds, text)
        result[name] = f
        print("# %s: planted %d, exercised %d, leaked %d%s" % (
            name, f["planted"], f["exercised"], len(f["leaked"]),
            (": " + " ".join(f["leaked"])) if f["leaked"] else ""))
    with open(os.path.join(d, "figures.json"), "w") as out:
        json.dump(result, out)


def main():
    if sys.argv[1:2] == ["plant"] and len(sys.argv) == 5:
        plant(*sys.argv[2:])
    elif sys.argv[1:2] == ["check"] and len(sys.argv) == 4:
        check(*sys.argv[2:])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
