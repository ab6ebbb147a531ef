# bash completion for qerrors (needs bash-completion).  What to offer comes
# from the binary itself: `qerrors --completion-helper=complete -- WORDS`
# answers from the same option tables that parse the command line, with a
# first line saying "words", "files", "dirs" or "none".
_qerrors() {
	local cur prev words cword split
	_init_completion -s || return
	local -a args out
	args=("${words[@]:1:cword-1}")
	# an option joined to its value arrives split: the option, then the value
	if [[ $split == true ]]; then
		args+=("$prev" "$cur")
	else
		args+=("$cur")
	fi
	mapfile -t out < <("${words[0]}" --completion-helper=complete -- "${args[@]}" 2>/dev/null)
	case ${out[0]-} in
	files) _filedir ;;
	dirs) _filedir -d ;;
	words)
		COMPREPLY=("${out[@]:1}")
		[[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]] && compopt -o nospace
		;;
	esac
}
complete -F _qerrors qerrors
