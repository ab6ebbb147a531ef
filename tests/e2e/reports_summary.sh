# summary for people and for mail: one real (redacted) example per group,
# its source, the advice's summary and fix, an errors-per-hour sparkline,
# plain text without Markdown escapes, and Markdown without escapes in
# log text.
. "$(dirname "$0")/lib.sh"

L="$T/app.log"
cat >"$L" <<'LOG'
2026-11-22 10:00:01 INFO starting worker
java.lang.IllegalStateException: pool "orders" exhausted for alice@example.com
	at com.example.Pool.take(Pool.java:42)
	at com.example.Pool.borrow(Pool.java:17)
	at com.example.Service.handle(Service.java:88)
	at com.example.Http.dispatch(Http.java:120)
	at com.example.Http.run(Http.java:31)
	at java.base/java.lang.Thread.run(Thread.java:1583)
	at com.example.Main.main(Main.java:7)
2026-11-22 10:00:02 INFO request served
2026-11-22 10:00:04 ERROR payment declined for order "1001" | retry *later*
2026-11-22 10:00:05 INFO request served
LOG
# the log's own time is the event's: write it as of an hour ago, so the
# "last 24h" of summary holds it whatever day the test runs
sed -i "s/^2026-11-22 10:/$(date -d '-1 hour' '+%Y-%m-%d %H'):/" "$L"
start_fake_ai ok || exit 1
export QERRORS_AI_BASE_URL="$FAKE_URL"
"$QERRORS" tail --once --from-beginning --json "$L" >"$T/tail.out" 2>&1
check "tail recorded the log" test $? -eq 0
JFP=$(python3 -c 'import json,sys; print([json.loads(l)["fingerprint"] for l in open(sys.argv[1]) if "IllegalState" in l and "\"type\":\"event\"" in l][0])' "$T/tail.out")
PFP=$(python3 -c 'import json,sys; print([json.loads(l)["fingerprint"] for l in open(sys.argv[1]) if "payment declined" in l and "\"type\":\"event\"" in l][0])' "$T/tail.out")

# Spread the Java group over the last hours (1, 2, 4 and 8 events), so
# the sparkline has something to show.
python3 - "$T/state/qerrors.db" "$JFP" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
fp = sys.argv[2]
hour = int(time.time()) // 3600 * 3600000
gid = db.execute("SELECT id FROM groups WHERE fingerprint = ?", (fp,)).fetchone()[0]
db.execute("DELETE FROM occurrences WHERE group_id = ?", (gid,))
for back, n in ((3, 1), (2, 2), (1, 4), (0, 8)):
    db.execute("INSERT INTO occurrences (group_id, hour, count) VALUES (?, ?, ?)", (gid, hour - back * 3600000, n))
db.execute("UPDATE groups SET count = 15 WHERE fingerprint = ?", (fp,))
db.commit()
PY

# ---- the text form, as cron mails it (no terminal, C locale) ----
LC_ALL=C "$QERRORS" summary >"$T/s.txt" 2>"$T/s.err"
check "summary text exits 0" test $? -eq 0
check "text: the real message, not the template" \
	grep -qF 'java.lang.IllegalStateException: pool "orders" exhausted for <EMAIL_1>' "$T/s.txt"
check "text: no template placeholders" sh -c "! grep -q '<STR>\|<NUM>' '$T/s.txt'"
check "text: an example from the stored sample" grep -q '^          example:$' "$T/s.txt"
check "text: the example is redacted" sh -c "grep -q '^            java.lang.IllegalStateException: pool \"orders\" exhausted for <EMAIL_1>' '$T/s.txt' && ! grep -q 'alice@example.com' '$T/s.txt'"
check "text: the example is cut to a few lines, the rest counted" grep -q '^            (2 more lines)$' "$T/s.txt"
check "text: tabs of the example become spaces" sh -c "! grep -q '	' '$T/s.txt'"
check "text: the source" grep -qF "          source:   $L" "$T/s.txt"
check "text: an ASCII sparkline per hour in the C locale" \
	grep -q '^          per hour  \.*:-+%  max 8$' "$T/s.txt"
check "text: the sparkline covers the window's hours" \
	test "$(sed -n 's/^          per hour  \([^ ]*\)  max 8$/\1/p' "$T/s.txt" | awk '{ print length($0) }')" -eq 25
check "text: the advice's summary" grep -q "^          advice:   Null reference in the handler for $JFP" "$T/s.txt"
check "text: and its fix" grep -q '^          fix:      Initialise the field in the constructor and check for null\.$' "$T/s.txt"
check "text: no Markdown escapes" sh -c "! grep -qF '\\' '$T/s.txt'"
check "text: no terminal escapes when not on a terminal" sh -c "! grep -q \"\$(printf '\\033')\" '$T/s.txt'"
check "text: every line fits 100 columns" test "$(awk 'length($0) > 100' "$T/s.txt" | wc -l)" -eq 0
check "text: the special characters of a message stay as written" \
	grep -qF 'payment declined for order "1001" | retry *later*' "$T/s.txt"

LC_ALL=C.UTF-8 "$QERRORS" summary >"$T/u.txt" 2>&1
check "text: block characters in a UTF-8 locale" \
	grep -q "^          per hour  $(printf '\302\267')*$(printf '\342\226\201\342\226\202\342\226\204\342\226\210')  max 8\$" "$T/u.txt"

# ---- a window of a week: several hours per column ----
LC_ALL=C "$QERRORS" summary --since 7d >"$T/w.txt" 2>&1
check "text: a week in columns of 4 hours" grep -q '^          per 4 h   \.*[-=+*#%]*  max [0-9][0-9]*$' "$T/w.txt"

# ---- Markdown ----
"$QERRORS" summary --format markdown >"$T/s.md" 2>&1
check "markdown exits 0" test $? -eq 0
check "markdown: log text in code spans, without escapes" \
	grep -qF '## 1. `java.lang.IllegalStateException: pool "orders" exhausted for <EMAIL_1>`' "$T/s.md"
check "markdown: no '\\<' escapes" sh -c "! grep -qF '\\<' '$T/s.md'"
check "markdown: a pipe in a table cell is escaped" grep -qF '`payment declined for order "1001" \| retry *later*`' "$T/s.md"
check "markdown: the sparkline in the table and the section" \
	test "$(grep -c "$(printf '\342\226\201\342\226\202\342\226\204\342\226\210')" "$T/s.md")" -eq 2
check "markdown: the source" grep -qF -- "- **Source:** \`$L\`" "$T/s.md"
check "markdown: the fix" grep -qF -- '- **Fix:** Initialise the field in the constructor and check for null.' "$T/s.md"
check "markdown: the example in a fenced block" sh -c "grep -q '^Example (redacted):\$' '$T/s.md' && grep -q '^\`\`\`text\$' '$T/s.md'"

# ---- JSON ----
"$QERRORS" summary --format json >"$T/s.json" 2>&1
check "json: message, sample, source, hourly counts and the fix" python3 - "$T/s.json" "$JFP" "$PFP" "$L" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
g = {x["fingerprint"]: x for x in d["groups"]}
j, p = g[sys.argv[2]], g[sys.argv[3]]
ok = (j["source"] == sys.argv[4] and p["source"] == sys.argv[4]
      and "<EMAIL_1>" in j["message"] and "alice" not in json.dumps(d)
      and j["sample"].startswith("java.lang.IllegalStateException")
      and j["hourly"][-4:] == [1, 2, 4, 8] and sum(j["hourly"]) == j["count"] == 15
      and len(j["hourly"]) == 25 and d["hours_per_column"] == 1
      and j["advice_fix"].startswith("Initialise") and "<STR>" in p["template"])
sys.exit(0 if ok else 1)
PY
