#!/bin/sh
# Regenerate headers.log: one message written through real producers whose
# headers differ in shape (util-linux logger in RFC 3164 and RFC 5424, with
# and without a pid, a message id and a level word; Python logging in
# three common formats).  Every line must get one fingerprint.  Not run in
# CI: the output is kept.  Needs logger (bsdutils) and python3.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
msg="payment gateway refused card for order"

python3 - "$tmp/sock" "$tmp/syslog" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(5)
with open(sys.argv[2], "w") as out:
    for _ in range(6):
        try:
            out.write(s.recv(65536).decode() + "\n")
        except socket.timeout:
            break
PY
recv=$!
i=0
while [ ! -S "$tmp/sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
logger --rfc3164 -u "$tmp/sock" -t shop -p user.err "$msg 11"
logger --rfc3164 -u "$tmp/sock" -i -t shop-worker -p user.err "$msg 12"
logger --rfc3164 -u "$tmp/sock" -t shop -p user.err "ERROR $msg 13"
logger --rfc5424 -u "$tmp/sock" -t shop -p user.err "$msg 14"
logger --rfc5424 -u "$tmp/sock" --msgid ORD -t shop-api -p user.err "$msg 15"
logger --rfc5424=notq -u "$tmp/sock" -i -t shop -p user.err "$msg 16"
wait $recv

python3 - "$msg" >"$tmp/python" 2>&1 <<'PY'
import logging, sys
msg = sys.argv[1]
formats = [
    "%(asctime)s %(levelname)s %(name)s: %(message)s",
    "%(asctime)s - %(name)s - %(levelname)s - %(message)s",
    "[%(asctime)s] %(levelname)s [%(threadName)s] %(name)s: %(message)s",
]
for n, fmt in enumerate(formats):
    h = logging.StreamHandler(sys.stdout)
    h.setFormatter(logging.Formatter(fmt))
    log = logging.getLogger("shop.payments%d" % n)
    log.addHandler(h)
    log.propagate = False
    log.error("%s %d", msg, 20 + n)
PY
cat "$tmp/syslog" "$tmp/python" | grep . >"$here/headers.log"
