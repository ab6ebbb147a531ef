# fish completion for qerrors; commands and options come from the binary.
function __qerrors_cmd
	set -l tokens (commandline -opc)
	set -e tokens[1]
	set -l skip 0
	for t in $tokens
		if test $skip -eq 1
			set skip 0
			continue
		end
		switch $t
			case -c --config --state-dir --color
				set skip 1
			case '-*'
			case '*'
				echo $t
				return 0
		end
	end
	return 1
end
function __qerrors_words
	set -l cmd (__qerrors_cmd)
	if test -z "$cmd"
		qerrors --completion-helper 2>/dev/null
	else
		qerrors $cmd --completion-helper 2>/dev/null | string replace -r '=$' ''
	end
end
complete -c qerrors -f -n 'not __qerrors_cmd' -a '(qerrors --completion-helper 2>/dev/null | string match -v -- "-*")'
complete -c qerrors -n '__qerrors_cmd' -a '(__qerrors_words | string match -- "-*")'
complete -c qerrors -n '__qerrors_cmd' -F
