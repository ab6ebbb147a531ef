# Shell completion, driven for real: bash (with bash-completion) and zsh in
# a pseudo-terminal, typing a line and pressing TAB; fish through its own
# `complete -C`.  Each shell that is not installed is skipped with a word.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$TESTS_DIR/.." && pwd)
BIN=$(dirname "$QERRORS")
export PATH="$BIN:$PATH"
[ "$(basename "$QERRORS")" = qerrors ] || { notok "the binary is called qerrors"; exit 0; }

# Things to complete: a config file and a state directory with spaces in
# their names, a state with error groups and cached advice.
mkdir -p "$T/d/state dir" "$T/d/stuff"
: >"$T/my conf.yaml"
cat "$TESTS_DIR/data/traces/java-spring.log" "$TESTS_DIR/data/traces/go-goroutines.log" >"$T/app.log"
start_fake_ai ok || exit 1
QERRORS_AI_BASE_URL="$FAKE_URL" OPENAI_API_KEY=sk-test-completions \
	"$QERRORS" tail --once --from-beginning "$T/app.log" >"$T/tail.out" 2>&1
stop_fake_ai
grp=$("$QERRORS" advice --json | python3 -c 'import json,sys; print(sorted(g["fingerprint"] for g in json.load(sys.stdin)["groups"])[0])')
adv=$("$QERRORS" cache list --json | python3 -c 'import json,sys; o=json.load(sys.stdin); e=o["entries"] if isinstance(o, dict) else o; print(sorted(x["fingerprint"] for x in e)[0])')
check "the state has groups and advice to complete ($grp, $adv)" test -n "$grp" -a -n "$adv"
g8=$(printf %s "$grp" | cut -c1-8)
a8=$(printf %s "$adv" | cut -c1-8)

# ---- the helper that every shell asks ----
helper() { "$QERRORS" --completion-helper=complete -- "$@"; }
check "helper: subcommands of cache" sh -c "helper() { '$QERRORS' --completion-helper=complete -- \"\$@\"; }; [ \"\$(helper cache '' | tr '\n' ' ')\" = 'words list show clear prune stats ' ]"
check "helper: a file option asks for files" test "$(helper -c '')" = files
check "helper: a dir option asks for directories" test "$(helper tail --state-dir '')" = dirs
check "helper: --color values" test "$(helper --color '' | tr '\n' ' ')" = "words auto always never "
check "helper: after the command only its own options" sh -c "'$QERRORS' --completion-helper=complete -- tail -- | grep -q -- --once && ! '$QERRORS' --completion-helper=complete -- tail -- | grep -q -- --state-dir"
check "helper: fingerprints from the state named by --state-dir=DIR" sh -c "env -u QERRORS_STATE_DIR XDG_STATE_HOME='$T/none' '$QERRORS' --completion-helper=complete -- --state-dir='$T/state' advice '$g8' | grep -qx '$grp'"
check "helper: and by --state-dir DIR after the command" sh -c "env -u QERRORS_STATE_DIR XDG_STATE_HOME='$T/none' '$QERRORS' --completion-helper=complete -- cache --state-dir '$T/state' show '$a8' | grep -qx '$adv'"
check "helper: every subcommand offered is one the command takes" sh -c '
	for c in cache rules; do
		for s in $("$0" --completion-helper=complete -- $c "" | tail -n +2); do
			# too many arguments: refused before anything is done
			"$0" $c $s x y z 2>&1 | grep -q "too many arguments" || exit 1
		done
	done; exit 0' "$QERRORS"

# ---- bash ----
if [ -f /usr/share/bash-completion/bash_completion ] && command -v bash >/dev/null; then
	cat >"$T/bashrc" <<RC
. /usr/share/bash-completion/bash_completion
. '$ROOT/completions/qerrors.bash'
# written whole, then renamed: the driver waits for the name, and a file
# it found half written (a loaded machine) read as an empty line
bind -x '"\C-xp": printf "%s" "\$READLINE_LINE" > "\$QE_OUT.part" && mv -f "\$QE_OUT.part" "\$QE_OUT"'
RC
	HAVE_BASH=1
else
	ok "# SKIP bash with bash-completion is not installed"
	HAVE_BASH=
fi
# ---- zsh ----
if command -v zsh >/dev/null; then
	cat >"$T/zshrc" <<RC
fpath=('$ROOT/completions' \$fpath)
autoload -Uz compinit && compinit -u -D
dump() { print -rn -- "\$BUFFER" > "\$QE_OUT.part" && command mv -f "\$QE_OUT.part" "\$QE_OUT" }
zle -N dump
bindkey '^Xp' dump
RC
	HAVE_ZSH=1
else
	ok "# SKIP zsh is not installed"
	HAVE_ZSH=
fi

# tab SHELL LINE WANT: type LINE, press TAB, the line must read WANT
tab() {
	rm -f "$T/line"
	QE_OUT="$T/line" timeout 60 python3 "$TESTS_DIR/e2e/complete_pty.py" "$1" "$T/${1}rc" "$2" "$T/line" >"$T/pty.err" 2>&1
	got=$(cat "$T/line" 2>/dev/null)
	if [ "$got" = "$3" ]; then ok "$1: '$2' TAB -> '$3'"; else notok "$1: '$2' TAB -> '$3' (got '$got')"; cat "$T/pty.err"; fi
}
for sh in bash zsh; do
	if [ "$sh" = bash ] && [ -z "$HAVE_BASH" ]; then continue; fi
	if [ "$sh" = zsh ] && [ -z "$HAVE_ZSH" ]; then continue; fi
	tab $sh "qerrors ana" "qerrors analyze "
	tab $sh "qerrors cache sh" "qerrors cache show "
	tab $sh "qerrors rules ch" "qerrors rules check "
	tab $sh "qerrors help fin" "qerrors help fingerprint "
	tab $sh "qerrors --color=al" "qerrors --color=always "
	tab $sh "qerrors tail --backend=ino" "qerrors tail --backend=inotify "
	tab $sh "qerrors analyze --format ma" "qerrors analyze --format markdown "
	tab $sh "qerrors summary --fo" "qerrors summary --format="
	tab $sh "qerrors tail --fr" "qerrors tail --from-beginning "
	tab $sh "qerrors -c $T/my" "qerrors -c $T/my\\ conf.yaml "
	tab $sh "qerrors --state-dir $T/d/sta" "qerrors --state-dir $T/d/state\\ dir/"
	tab $sh "qerrors stats --state-dir=$T/d/sta" "qerrors stats --state-dir=$T/d/state\\ dir/"
	tab $sh "qerrors advice $g8" "qerrors advice $grp "
	tab $sh "qerrors cache show $a8" "qerrors cache show $adv "
	# global options are taken after the command, not offered there
	tab $sh "qerrors tail --sta" "qerrors tail --sta"
done

# ---- fish ----
if command -v fish >/dev/null; then
	fc() { fish -N -c "source '$ROOT/completions/qerrors.fish'; complete -C '$1'" | cut -f1 | tr '\n' ' '; }
	check "fish: commands" test "$(fc 'qerrors ')" = "advice analyze cache doctor fingerprint help rules stats summary tail "
	check "fish: cache subcommands, not files" test "$(fc 'qerrors cache ')" = "clear list prune show stats "
	check "fish: rules subcommands" test "$(fc 'qerrors rules ')" = "check list test "
	check "fish: help offers commands" sh -c "test \"\$(fish -N -c \"source '$ROOT/completions/qerrors.fish'; complete -C 'qerrors help ca'\")\" = cache"
	check "fish: --color values" test "$(fc 'qerrors --color=')" = "--color=always --color=auto --color=never "
	check "fish: --backend values" test "$(fc 'qerrors tail --backend ')" = "auto inotify poll "
	check "fish: -c offers files, spaces kept" test "$(fc "qerrors -c $T/my")" = "$T/my conf.yaml "
	check "fish: --state-dir offers directories with /" test "$(fc "qerrors --state-dir $T/d/st")" = "$T/d/state dir/ $T/d/stuff/ "
	check "fish: advice offers fingerprints" test "$(fc "qerrors advice $g8")" = "$grp "
	check "fish: cache show offers cached fingerprints" test "$(fc "qerrors cache show $a8")" = "$adv "
	check "fish: no global options after the command" sh -c "! echo '$(fc 'qerrors tail --')' | grep -q -- --state-dir"
	check "fish: the command's options after it" test "$(fc 'qerrors tail --')" = "--backend= --format= --from-beginning --help --json --once "
else
	ok "# SKIP fish is not installed"
fi
exit 0
