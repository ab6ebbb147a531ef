# bash completion for qerrors.  Commands and options come from the binary
# itself (--completion-helper), so they never drift from its option tables.
_qerrors() {
	local cur cmd i words
	cur=${COMP_WORDS[COMP_CWORD]}
	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-c | --config | --state-dir | --color) ((i++)) ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	if [[ -z $cmd ]]; then
		words=$(qerrors --completion-helper 2>/dev/null)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$(grep '^-' <<<"$words")" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(grep -v '^-' <<<"$words")" -- "$cur"))
		fi
		return
	fi
	if [[ $cur == -* ]]; then
		words=$(qerrors "$cmd" --completion-helper 2>/dev/null)
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
		[[ ${COMPREPLY[0]} == *= ]] && compopt -o nospace
		return
	fi
	COMPREPLY=($(compgen -f -- "$cur"))
}
complete -F _qerrors qerrors
