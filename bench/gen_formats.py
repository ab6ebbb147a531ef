#!/usr/bin/env python3
"""Wrap a text log as the decoder's benchmark inputs.

    gen_formats.py json TEXT OUT     pino-style JSON lines, one per record
    gen_formats.py cri TEXT OUT      CRI lines (stdout F, long lines as P parts)
    gen_formats.py docker TEXT OUT   Docker json-file records (16 KiB pieces)

TEXT is a log written by gen_log.py.  For json, each record of TEXT (a
line, with the indented or "Caused by"/"Traceback" lines after it) becomes
one JSON line: its level from the level word, its first line as "msg",
and the whole record as "err.stack" when it has more than one line; the
text log written next to it (OUT.text) holds exactly those records, so
the two scans compare like for like.  Deterministic: no randomness.
"""
import json
import re
import sys

LEVEL = re.compile(r"\b(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL|SEVERE)\b")
NUM = {"TRACE": 10, "DEBUG": 20, "INFO": 30, "WARN": 40, "WARNING": 40,
       "ERROR": 50, "FATAL": 60, "CRITICAL": 60, "SEVERE": 50}
CONT = re.compile(r"^(\s|Caused by|Traceback|During handling|The above|goroutine |\.\.\. |\}|$)")


def records(path):
    rec = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if rec and CONT.match(line):
                rec.append(line)
                continue
            if rec:
                yield rec
            rec = [line]
    if rec:
        yield rec


def to_json(text, out):
    t = 1795341605000
    with open(out, "w") as o, open(out + ".text", "w") as tw:
        for i, rec in enumerate(records(text)):
            m = LEVEL.search(rec[0])
            lvl = NUM[m.group(1)] if m else 30
            obj = {"level": lvl, "time": t + i, "pid": 4242, "hostname": "web-1",
                   "msg": rec[0]}
            if len(rec) > 1:
                obj["level"] = max(lvl, 50)
                obj["err"] = {"type": "Error", "stack": "\n".join(rec)}
            o.write(json.dumps(obj, separators=(",", ":")) + "\n")
            tw.write("\n".join(rec) + "\n")


def to_cri(text, out):
    with open(text, encoding="utf-8", errors="replace") as f, open(out, "w") as o:
        for i, line in enumerate(f):
            line = line.rstrip("\n")
            ts = "2026-11-22T10:%02d:%02d.%09dZ" % (i // 60000 % 60, i // 1000 % 60, i % 1000 * 1000)
            parts = [line[k:k + 16384] for k in range(0, len(line), 16384)] or [""]
            for j, p in enumerate(parts):
                o.write("%s stdout %s %s\n" % (ts, "F" if j == len(parts) - 1 else "P", p))


def to_docker(text, out):
    with open(text, encoding="utf-8", errors="replace") as f, open(out, "w") as o:
        for i, line in enumerate(f):
            ts = "2026-11-22T10:%02d:%02d.%09dZ" % (i // 60000 % 60, i // 1000 % 60, i % 1000 * 1000)
            for k in range(0, len(line), 16384):
                o.write(json.dumps({"log": line[k:k + 16384], "stream": "stdout", "time": ts},
                                   separators=(",", ":")) + "\n")


if __name__ == "__main__":
    modes = {"json": to_json, "cri": to_cri, "docker": to_docker}
    if len(sys.argv) != 4 or sys.argv[1] not in modes:
        sys.exit(__doc__)
    modes[sys.argv[1]](sys.argv[2], sys.argv[3])
