# What following many files costs while they grow: no access time
# written back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tail_lib.sh"

# Reading a log does not write its access time back (O_NOATIME): with
# relatime that was an inode write for every read of a growing file.
printf '2026-11-22 10:00:00 INFO started\n' >"$T/atime.log"
PAST=$(date -d '2020-01-01 00:00:00' +%s)
touch -a -d "@$PAST" "$T/atime.log"
cat "$T/atime.log" >/dev/null
if [ "$(stat -c %X "$T/atime.log")" = "$PAST" ]; then
	ok "reading leaves the access time # skip this file system does not update it"
else
	touch -a -d "@$PAST" "$T/atime.log"
	"$QERRORS" tail --once --from-beginning "$T/atime.log" >/dev/null 2>&1
	check "reading leaves the access time" [ "$(stat -c %X "$T/atime.log")" = "$PAST" ]
fi

