#!/usr/bin/env python3
"""tail_ndjson.py write LOG | check LOG OUT

write: a log of ERROR lines whose messages put the bytes JSON escapes
(quotes, backslashes, control bytes), UTF-8 and invalid bytes at every
offset around 8- and 16-byte blocks, some lines long, stamped with
twelve days in turn.
check: each NDJSON record must be the bytes jansson writes for its
parsed value (compact, keys in order, the two-character escapes,
\\u00XX in capitals for other control bytes, '/' and UTF-8 as they
are), its line the one written, its time the line's own.
"""
import datetime
import json
import sys

SPECIALS = ['"', "\\", "\t", "\x01", "\x1f", "\b", "\f", "\u00e9", "\u20ac", "\U0001f600", "\xff"]


def messages():
    out = []
    for length in list(range(0, 40)) + [100, 4095, 4096, 4097, 9000]:
        for k, sp in enumerate(SPECIALS):
            for at in sorted({0, length // 2, max(length - 1, 0)}):
                body = "".join(chr(ord("a") + (i + k) % 26) for i in range(length))
                if length > 1000 and at != length // 2:
                    continue
                out.append(body[:at] + sp + body[at:])
    return out


def stamp(i):
    day = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
    return day + datetime.timedelta(days=(i * 5) % 12, seconds=(i * 7919) % 86400)


def encode(m):
    # the log holds bytes: "\xff" stands for one invalid byte
    return m.encode("utf-8").replace(b"\xc3\xbf", b"\xff")


def write(path):
    with open(path, "wb") as f:
        for i, m in enumerate(messages()):
            t = stamp(i).strftime("%Y-%m-%dT%H:%M:%SZ")
            f.write(b"%s ERROR n%d %s\n" % (t.encode(), i, encode(m)))


def jstr(s):
    out = ['"']
    for c in s:
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif c in "\b\f\n\r\t":
            out.append({"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}[c])
        elif ord(c) < 0x20:
            out.append("\\u%04X" % ord(c))
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


class Obj(list):
    """A JSON object's members in order."""


def jdump(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return jstr(v)
    if isinstance(v, Obj):
        return "{" + ",".join(jstr(k) + ":" + jdump(x) for k, x in v) + "}"
    if isinstance(v, list):
        return "[" + ",".join(jdump(x) for x in v) + "]"
    raise ValueError("not JSON: %r" % (v,))


def check(log, out):
    want = messages()
    bad = 0
    with open(out, "rb") as f:
        records = f.read().split(b"\n")
    if records[-1] == b"":
        records.pop()
    if len(records) != len(want):
        print("# %d records for %d lines" % (len(records), len(want)))
        return 1
    for i, raw in enumerate(records):
        text = raw.decode("utf-8")
        pairs = json.loads(text, object_pairs_hook=Obj)
        d = dict(pairs)
        expect_time = stamp(i).strftime("%Y-%m-%dT%H:%M:%SZ")
        expect_line = "%s ERROR n%d %s" % (expect_time, i, want[i].replace("\xff", "\ufffd"))
        if jdump(pairs) != text:
            print("# record %d is not what jansson writes:\n# %r" % (i, text[:300]))
            bad += 1
        elif d["lines"] != [expect_line]:
            print("# record %d: lines %r, not %r" % (i, d["lines"][0][:200], expect_line[:200]))
            bad += 1
        elif d["time"] != expect_time:
            print("# record %d: time %s, not %s" % (i, d["time"], expect_time))
            bad += 1
        if bad > 5:
            break
    return 1 if bad else 0


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2])
        sys.exit(0)
    sys.exit(check(sys.argv[2], sys.argv[3]))
