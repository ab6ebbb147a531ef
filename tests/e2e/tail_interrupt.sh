# qerrors tail --once: SIGTERM in the middle of a long catch-up ends it
# within a couple of seconds, with positions saved so that a second run
# reads the rest: between them every error is reported once.
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/logs"
log="$T/logs/big.log"
python3 - "$log" <<'PY'
import sys
# Java traces (multi-line events, so one is likely open when the signal
# comes) between ordinary lines; each carries its own seq number.
frames = "".join("\tat com.example.shop.Service%d.handle(Service%d.java:%d)\n" % (k, k, 10 + k)
                 for k in range(12))
with open(sys.argv[1], "w") as f:
    for i in range(1, 90001):
        f.write("2026-11-22 10:00:%02d,000 INFO [worker-%d] c.e.Api - GET /items/%d 200 in %d ms\n"
                % (i % 60, i % 8, i, i % 97))
        f.write("2026-11-22 10:00:%02d,001 ERROR [worker-%d] c.e.Shop - order failed seq=%d\n"
                % (i % 60, i % 8, i))
        f.write("java.lang.IllegalStateException: cart is empty seq=%d\n" % i)
        f.write(frames)
PY
total=90000

"$QERRORS" tail --once --from-beginning --json "$log" >"$T/out.1" 2>"$T/err.1" &
pid=$!
echo "$pid" >>"$T/pids"
# signal once it is well into the file
wait_for 20 sh -c "[ \$(wc -c <'$T/out.1') -gt 100000 ]"
kill -TERM "$pid" 2>/dev/null
# exits within 2 s of the signal (polled, not slept)
stopped() { ! kill -0 "$pid" 2>/dev/null; }
check "SIGTERM ends a --once catch-up within 2 s" wait_for 2 stopped
wait "$pid"
rc=$?
check "the interrupted run exits cleanly (status $rc)" [ "$rc" -eq 0 ]
first=$(grep -c '"type":"event"' "$T/out.1")
check "the first run stopped early ($first of $total events)" [ "$first" -lt "$total" ]

"$QERRORS" tail --once --from-beginning --json "$log" >"$T/out.2" 2>"$T/err.2"
check "the second run succeeds" [ $? -eq 0 ]
check "the second run reads on from the saved position" [ "$(grep -c '"type":"event"' "$T/out.2")" -lt "$total" ]
# every seq reported exactly once over both runs
seqs() { cat "$T/out.1" "$T/out.2" | grep '"type":"event"' | grep -o 'order failed seq=[0-9]*' | sort; }
check "no error lost across the interruption" [ "$(seqs | uniq | wc -l)" -eq "$total" ]
check "no error reported twice" [ "$(seqs | wc -l)" -eq "$total" ]
check "every event is whole (13 lines after its log line)" sh -c "! cat '$T/out.1' '$T/out.2' | grep '\"type\":\"event\"' | grep -v '\"truncated\":false' | grep -q ."
exit 0
