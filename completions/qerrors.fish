# fish completion for qerrors.  What to offer comes from the binary itself:
# `qerrors --completion-helper=complete -- WORDS` answers from the same
# option tables that parse the command line, with a first line saying
# "words", "files", "dirs" or "none".
function __qerrors_complete
	set -l tokens (commandline -opc)
	set -l cur (commandline -ct)
	set -l prefix ''
	# an option joined to its value: complete the value, and put the option back in front
	if string match -qr -- '^--[^=]+=' $cur
		set prefix (string replace -r -- '=.*' '=' $cur)
		set -a tokens (string replace -r -- '=.*' '' $cur)
		set cur (string replace -r -- '^[^=]*=' '' $cur)
	end
	set -l out ($tokens[1] --completion-helper=complete -- $tokens[2..-1] $cur 2>/dev/null)
	switch "$out[1]"
		case files
			__fish_complete_path $cur | string replace -r -- '^' "$prefix"
		case dirs
			__fish_complete_directories $cur | string replace -r -- '^' "$prefix"
		case words
			for w in $out[2..-1]
				echo $prefix$w
			end
	end
end
complete -c qerrors -f -a '(__qerrors_complete)'
