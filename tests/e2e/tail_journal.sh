# qerrors tail journal:DIR: journal files written by systemd-journal-remote
# from export-format entries (the journal's own writer, not ours).  A
# traceback logged as several entries of one unit and pid is one event;
# PRIORITY marks errors; cursors survive a restart (no repeat), a kill -9
# (no loss) and journal files added while the agent is down.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tail_lib.sh"

J="$T/journal"
mkdir -p "$J" "$T/tmp"

# Without libsystemd a journal source is refused, saying why.
"$QERRORS" tail --once "journal:$J" >"$T/probe.out" 2>"$T/probe.err"
probe=$?
if grep -q 'without libsystemd' "$T/probe.err"; then
	check "without libsystemd: journal: fails (status $probe) and says why" [ "$probe" -eq 2 ]
	exit 0
fi
REMOTE=
for p in /lib/systemd/systemd-journal-remote /usr/lib/systemd/systemd-journal-remote; do
	[ -x "$p" ] && REMOTE=$p && break
done
if [ -z "$REMOTE" ]; then
	ok "# SKIP systemd-journal-remote is not installed (package systemd-journal-remote)"
	exit 0
fi
rm -rf "$T/state"

# mkj NAME SECOND: entries on stdin as UNIT|IDENTIFIER|PID|PRIORITY|MESSAGE
# ('\n' in MESSAGE is a newline), timed from 2026-11-22 10:00:SECOND UTC,
# written to $J/NAME.journal (made aside, then moved in whole).
cat >"$T/mkj.py" <<'PY'
import struct, sys
out, second = sys.argv[1], int(sys.argv[2])
base = (1795341600 + second) * 1000000
with open(out, "wb") as f:
    for i, line in enumerate(l for l in sys.stdin.read().splitlines() if l.strip()):
        unit, ident, pid, prio, msg = line.split("|", 4)
        msg = msg.replace("\\n", "\n").encode()
        f.write(b"__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n" % (base + i * 1000, second * 1000000 + i))
        f.write(b"_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=web1\n")
        # MESSAGE in the binary form, so that it may hold newlines
        f.write(b"MESSAGE\n" + struct.pack("<Q", len(msg)) + msg + b"\n")
        for k, v in (("PRIORITY", prio), ("SYSLOG_IDENTIFIER", ident), ("_SYSTEMD_UNIT", unit), ("_PID", pid)):
            if v:
                f.write(b"%s=%s\n" % (k.encode(), v.encode()))
        f.write(b"\n")
PY
mkj() {
	python3 "$T/mkj.py" "$T/tmp/$1.export" "$2" &&
		"$REMOTE" --split-mode=none -o "$T/tmp/$1.journal" "$T/tmp/$1.export" 2>"$T/tmp/$1.err" &&
		mv "$T/tmp/$1.journal" "${JD:-$J}/$1.journal"
}
events() { grep -c '"type":"event"' "$1"; }
field() { # field FILE EXPR: EXPR over the event records, one result a line
	python3 - "$1" "$2" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o.get("type") == "event":
        print(eval(sys.argv[2], {}, {"e": o}))
PY
}

# A Python traceback written by api.service (pid 77) as one entry a line,
# at stdout's priority (info), with another unit writing in between; an
# sshd error known only by its PRIORITY; a worker's own ERROR line; a
# critical entry; ordinary lines.
mkj one 5 <<'EOF'
api.service|api|77|6|Traceback (most recent call last):
worker.service|worker|88|6|job 12 done
api.service|api|77|6|  File "/srv/api/app.py", line 9, in handle
api.service|api|77|6|    return int(v)
|sshd|99|3|kex_exchange_identification: Connection closed by remote host
api.service|api|77|6|ValueError: invalid literal for int() with base 10: 'x'
worker.service|worker|88|6|ERROR worker failed: database is locked seq=1
worker.service|worker|88|6|job 13 done
api.service|api|77|2|disk /srv full: cannot write the upload spool
api.service|api|77|6|request 3 served in 12 ms
EOF
check "the journal file was written by systemd-journal-remote" test -s "$J/one.journal"

"$QERRORS" tail --once --from-beginning --json "journal:$J" >"$T/r1.out" 2>"$T/r1.err"
check "--once --from-beginning reads the journal (status $?)" [ "$(events "$T/r1.out")" -eq 4 ]
check "the traceback is one python event of 4 lines from journal:api.service" \
	[ "$(field "$T/r1.out" '(e["kind"], len(e["lines"]), e["source"], e["error_type"]) if e["kind"] == "python" else None' | grep -v None)" = "('python', 4, 'journal:api.service', 'ValueError')" ]
check "the event time is the entry's __REALTIME_TIMESTAMP" \
	[ "$(field "$T/r1.out" 'e["time"] if e["kind"] == "python" else None' | grep -v None)" = "2026-11-22T10:00:05Z" ]
check "an entry of PRIORITY 3 that no rule knows is an error event from journal:sshd" \
	[ "$(field "$T/r1.out" '(e["severity"], e["source"]) if "kex_exchange" in e["message"] else None' | grep -v None)" = "('error', 'journal:sshd')" ]
check "PRIORITY 2 gives the level critical" \
	[ "$(field "$T/r1.out" 'e["severity"] if "spool" in e["message"] else None' | grep -v None)" = "critical" ]
check "the worker's ERROR line is its own event" grep -q 'worker failed: database is locked seq=1' "$T/r1.out"
check "no info entry is an event" sh -c "! grep -q 'job 1[23] done\|request 3 served' '$T/r1.out'"

"$QERRORS" tail --once --json "journal:$J" >"$T/r2.out" 2>"$T/r2.err"
check "a second run reads nothing again (status $?)" [ "$(events "$T/r2.out")" -eq 0 ]

"$QERRORS" stats --json >"$T/s.json"
check "stats shows the journal source, its entries and its saved cursor" \
	[ "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([(s["source"], s["entries"], s["cursor"] is not None, s["last_entry"]) for s in d["journal_sources"]], d["journal_entries"])' "$T/s.json")" = "[('journal:$J', 10, True, '2026-11-22T10:00:05Z')] 10" ]
"$QERRORS" stats >"$T/s.txt"
check "stats text lists the journal source" grep -qE "^  10 .* saved  journal:$J\$" "$T/s.txt"

# A journal file added while no agent runs: read once, from the cursor.
mkj two 20 <<'EOF'
worker.service|worker|88|6|ERROR worker failed: database is locked seq=2
api.service|api|77|6|Traceback (most recent call last):
api.service|api|77|6|  File "/srv/api/app.py", line 12, in handle
api.service|api|77|6|    raise KeyError(k)
api.service|api|77|6|KeyError: 'user'
EOF
"$QERRORS" tail --once --json "journal:$J" >"$T/r3.out" 2>"$T/r3.err"
check "entries added later are read after a restart" [ "$(events "$T/r3.out")" -eq 2 ]
check "... the new traceback whole" [ "$(field "$T/r3.out" '(e["error_type"], len(e["lines"])) if e["kind"] == "python" else None' | grep -v None)" = "('KeyError', 4)" ]
"$QERRORS" tail --once --json "journal:$J" >"$T/r4.out" 2>"$T/r4.err"
check "... and only once" [ "$(events "$T/r4.out")" -eq 0 ]

# Filters: tail.journal.units (a bare name is NAME.service) applies to a
# journal: source whose spec names no unit; identifiers widen it.
mkdir -p "$T/cfg"
printf 'tail:\n  journal:\n    units: [worker]\n' >"$T/cfg/units.yaml"
QERRORS_STATE_DIR="$T/state-u" "$QERRORS" --config "$T/cfg/units.yaml" tail --once --from-beginning --json "journal:$J" >"$T/u.out" 2>"$T/u.err"
check "a unit filter keeps that unit's entries only" \
	[ "$(field "$T/u.out" 'e["source"]' | sort -u)" = "journal:worker.service" ]
check "... all of them (seq=1 and seq=2)" [ "$(events "$T/u.out")" -eq 2 ]
printf 'tail:\n  journal:\n    units: [worker.service]\n    identifiers: [sshd]\n' >"$T/cfg/ids.yaml"
QERRORS_STATE_DIR="$T/state-i" "$QERRORS" --config "$T/cfg/ids.yaml" tail --once --from-beginning --json "journal:$J" >"$T/i.out" 2>"$T/i.err"
check "units and identifiers: an entry matching either is read" \
	[ "$(field "$T/i.out" 'e["source"]' | sort -u | tr '\n' ' ')" = "journal:sshd journal:worker.service " ]

# journal:UNIT,UNIT reads the system journal; the names are checked.
"$QERRORS" tail --once "journal:api,," >/dev/null 2>"$T/bad.err"
check "an empty unit name is refused (status $?), naming the source" grep -q "journal source 'journal:api,,': an empty unit name" "$T/bad.err"
QERRORS_STATE_DIR="$T/state-s" "$QERRORS" tail --once journal:nginx,cron.service >"$T/sys.out" 2>"$T/sys.err"
check "journal:UNIT,UNIT opens the system journal (status $?)" [ "$(events "$T/sys.out")" -eq 0 ]
QERRORS_STATE_DIR="$T/state-s" "$QERRORS" stats --json >"$T/ss.json"
check "... as the units nginx.service and cron.service" \
	[ "$(python3 -c 'import json,sys; print([s["source"] for s in json.load(open(sys.argv[1]))["journal_sources"]])' "$T/ss.json")" = "['journal:nginx.service,cron.service']" ]

# First run without a cursor: only entries added from then on.
QERRORS_STATE_DIR="$T/state-t" "$QERRORS" tail --once --json "journal:$J" >"$T/t1.out" 2>"$T/t1.err"
check "without a cursor a run starts at the end" [ "$(events "$T/t1.out")" -eq 0 ]
mkj three 30 <<'EOF'
|cron|101|3|cannot open /etc/crontab.d/backup: Permission denied seq=3
EOF
QERRORS_STATE_DIR="$T/state-t" "$QERRORS" tail --once --json "journal:$J" >"$T/t2.out" 2>"$T/t2.err"
check "... and the next run reads what came after it" [ "$(field "$T/t2.out" 'e["message"]')" = "cannot open /etc/crontab.d/backup: Permission denied seq=3" ]

# A directory without journal files yet: said, and the first file that
# comes is read from its start (the cursor saved says "the head").
E="$T/journal-empty"
mkdir -p "$E"
QERRORS_STATE_DIR="$T/state-e" "$QERRORS" tail --once --json "journal:$E" >"$T/e1.out" 2>"$T/e1.err"
check "an empty journal directory is not an error (status $?)" [ "$(events "$T/e1.out")" -eq 0 ]
check "... but is named" grep -q "'journal:$E': no journal file there yet" "$T/e1.err"
JD=$E mkj first 35 <<'EOF'
|cron|101|3|cannot open /etc/crontab.d/first: Permission denied
EOF
QERRORS_STATE_DIR="$T/state-e" "$QERRORS" tail --once --json "journal:$E" >"$T/e2.out" 2>"$T/e2.err"
check "... and its first file is read whole by the next run" [ "$(field "$T/e2.out" 'e["message"]')" = "cannot open /etc/crontab.d/first: Permission denied" ]

# Follow mode: the agent sees new journal files; a graceful stop and
# restart repeat nothing; kill -9 loses nothing.
seqs() { for f; do field "$f" 'e["message"]'; done | grep -o 'seq=[0-9][0-9]*' | sort; }
start_agent "journal:$J"
mkj four 40 <<'EOF'
|cron|101|3|cannot open /etc/crontab.d/a: Permission denied seq=4
|cron|101|3|cannot open /etc/crontab.d/b: Permission denied seq=5
EOF
check "a following agent reports entries as they come" wait_for 20 sh -c "[ \$(grep -c 'seq=[45]' '$T/out.$RUN') -eq 2 ]"
stop_agent
check "... and stops cleanly on SIGTERM (status $AGENT_RC)" [ "$AGENT_RC" -eq 0 ]
first=$RUN
start_agent "journal:$J"
mkj five 50 <<'EOF'
|cron|101|3|cannot open /etc/crontab.d/c: Permission denied seq=6
EOF
check "after a restart the next entry is read" wait_for 20 grep -q 'seq=6' "$T/out.$RUN"
check "... and nothing before it again" [ "$(seqs "$T/out.$RUN" | tr '\n' ' ')" = "seq=6 " ]
# wait for the commit that covers seq=6, then kill -9 mid-stream
committed() { "$QERRORS" stats --json | python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)["journal_sources"][0]["entries"] != 19)'; }
check "the cursor of seq=6 is committed" wait_for 20 committed
kill9_agent
mkj six 60 <<'EOF'
|cron|101|3|cannot open /etc/crontab.d/d: Permission denied seq=7
api.service|api|77|6|Traceback (most recent call last):
api.service|api|77|6|  File "/srv/api/app.py", line 30, in run
api.service|api|77|6|    open(p)
api.service|api|77|6|FileNotFoundError: [Errno 2] No such file or directory: 'x' seq=8
EOF
start_agent "journal:$J"
check "after kill -9 the entries written meanwhile are read" wait_for 20 sh -c "grep -q 'seq=7' '$T/out.$RUN' && grep -q 'seq=8' '$T/out.$RUN'"
stop_agent

# kill -9 while a traceback is open (no idle timeout to close it): the
# cursor committed stops before its first entry, so the next run reads
# it again and reports it whole, once.
printf 'events:\n  idle_timeout_ms: 600000\n' >"$T/cfg/idle.yaml"
export QERRORS_CONFIG="$T/cfg/idle.yaml"
start_agent "journal:$J"
mkj seven 70 <<'EOF'
|cron|101|3|cannot open /etc/crontab.d/e: Permission denied seq=9
api.service|api|77|6|Traceback (most recent call last):
api.service|api|77|6|  File "/srv/api/app.py", line 41, in load
api.service|api|77|6|    return cfg[k]
EOF
check "an error before the open traceback is reported" wait_for 20 grep -q 'seq=9' "$T/out.$RUN"
# entries 1..25 are done; the three of the open traceback are not
committed25() { "$QERRORS" stats --json | python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)["journal_sources"][0]["entries"] != 25)'; }
check "the cursor committed stops before the open traceback" wait_for 20 committed25
kill9_agent
mkj eight 80 <<'EOF'
api.service|api|77|6|KeyError: 'timeout' seq=10
EOF
start_agent "journal:$J"
mkj nine 90 <<'EOF'
api.service|api|77|6|request 9 served in 3 ms
EOF
check "after kill -9 the traceback is reported whole" wait_for 20 grep -q 'seq=10' "$T/out.$RUN"
check "... with its 4 lines" [ "$(field "$T/out.$RUN" 'len(e["lines"]) if "seq=10" in e["message"] else None' | grep -v None)" = "4" ]
stop_agent
unset QERRORS_CONFIG
check "no error lost over every run (seq 3..10)" [ "$(seqs "$T"/out.* | uniq | tr '\n' ' ')" = "seq=10 seq=3 seq=4 seq=5 seq=6 seq=7 seq=8 seq=9 " ]
check "none reported twice" [ "$(seqs "$T"/out.* | uniq -d | wc -l)" -eq 0 ]
exit 0
