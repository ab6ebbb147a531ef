#!/bin/sh
# tail's NDJSON records are written without jansson: they must be the
# bytes jansson would write, whatever the message holds and wherever in
# it the bytes to escape fall, and their times the lines' own.
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
python3 "$HERE/tail_ndjson.py" write "$T/app.log"
"$QERRORS" tail --json --once --from-beginning "$T/app.log" >"$T/out.ndjson" 2>"$T/err"
check "exit 0" test $? -eq 0
check "every record is what jansson writes, with its line and that line's time" \
	python3 "$HERE/tail_ndjson.py" check "$T/app.log" "$T/out.ndjson"
echo "1..$n"
