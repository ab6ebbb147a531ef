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
for g in --config --state-dir --verbose --quiet --color --version; do
	check "qerrors(1) documents $g" grep -q -- "$(printf '%s' "$g" | sed 's/-/\\\\-/g')" "$ROOT/man/qerrors.1"
done
check "bash completion offers commands" bash -c ". '$ROOT/completions/qerrors.bash'; PATH='$(dirname "$QERRORS")':\$PATH; COMP_WORDS=(qerrors an); COMP_CWORD=1; _qerrors; [ \"\${COMPREPLY[0]}\" = analyze ]"
check "bash completion offers analyze options" bash -c ". '$ROOT/completions/qerrors.bash'; PATH='$(dirname "$QERRORS")':\$PATH; COMP_WORDS=(qerrors analyze --dr); COMP_CWORD=2; _qerrors; [ \"\${COMPREPLY[0]}\" = --dry-run ]"
check "qerrors.yaml.example exists" test -f "$ROOT/qerrors.yaml.example"
exit 0
