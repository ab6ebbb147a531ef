# Help, man pages and completions must agree with the option tables.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$TESTS_DIR/.." && pwd)

cmds=$("$QERRORS" --completion-helper | grep -v '^-' | grep -v '^help$')
check "the binary lists its commands" test -n "$cmds"
for c in $cmds; do
	page="$ROOT/man/qerrors-$c.1"
	check "$c: man page exists" test -f "$page"
	[ -f "$page" ] || continue
	# options the table knows, as the man page spells them (\- for -)
	opts=$("$QERRORS" "$c" --completion-helper | sed 's/=$//')
	missing=
	for o in $opts; do
		esc=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
		grep -q -- "$esc" "$page" || missing="$missing $o"
	done
	check "$c: every option is in the man page${missing:+ (missing:$missing)}" test -z "$missing"
	# options the man page documents must exist in the table
	extra=
	# the OPTIONS section, where each .TP item names one of ours
	for o in $(sed -n '/^\.SH OPTIONS/,/^\.SH [^O]/p' "$page" | grep -A1 '^\.TP' |
		sed 's/\\-/-/g' | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		echo "$opts --help" | tr ' ' '\n' | grep -qx -- "$o" || extra="$extra $o"
	done
	check "$c: the man page documents no unknown option${extra:+ (unknown:$extra)}" test -z "$extra"
	"$QERRORS" "$c" -h >"$T/help" 2>&1
	hmissing=
	for o in $opts; do grep -q -- "$o" "$T/help" || hmissing="$hmissing $o"; done
	check "$c: -h lists every option${hmissing:+ (missing:$hmissing)}" test -z "$hmissing"
	check "$c: qerrors help $c works" sh -c "'$QERRORS' help $c >/dev/null"
done
for page in "$ROOT"/man/*.[15]; do
	w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	check "$(basename "$page"): man page renders without warnings" test -z "$w"
done
# the global options, from their table, in qerrors(1) and in -h
"$QERRORS" -h >"$T/ghelp" 2>&1
for g in $("$QERRORS" --completion-helper | grep '^-' | sed 's/=$//'); do
	check "qerrors(1) documents $g" grep -q -- "$(printf '%s' "$g" | sed 's/-/\\\\-/g')" "$ROOT/man/qerrors.1"
	check "qerrors -h lists $g" grep -q -- "$g" "$T/ghelp"
done
# the completions ask the binary; no option list is kept in them by hand
for f in "$ROOT"/completions/*; do
	hand=$(grep -o -- '--[a-z][a-z-]*' "$f" | grep -v -- '--completion-helper' | sort -u | tr '\n' ' ')
	check "$(basename "$f") names no option by hand${hand:+ ($hand)}" test -z "$hand"
done
# every command's options reach the completion, as its table has them
for c in $cmds; do
	want=$("$QERRORS" "$c" --completion-helper | sort | tr '\n' ' ')
	got=$("$QERRORS" --completion-helper=complete -- "$c" -- | tail -n +2 | sort | tr '\n' ' ')
	check "$c: completion offers the options of its table" test "$want" = "$got"
done
check "qerrors.yaml.example exists" test -f "$ROOT/qerrors.yaml.example"
exit 0
