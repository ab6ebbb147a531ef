# make install honours PREFIX and DESTDIR and installs the binary, man
# pages, completions, the example configuration and the systemd unit.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$TESTS_DIR/.." && pwd)
D="$T/root"
# -o: use the binary this test run built (plain or sanitized), never rebuild it
make -s -C "$ROOT" -o qerrors install DESTDIR="$D" PREFIX=/usr >"$T/log" 2>&1
check "make install succeeds" test $? -eq 0
check "binary installed" test -x "$D/usr/bin/qerrors"
check "installed binary runs" sh -c "'$D/usr/bin/qerrors' --version | grep -q '^qerrors '"
for page in "$ROOT"/man/*.1; do
	check "man page $(basename "$page") installed" test -f "$D/usr/share/man/man1/$(basename "$page")"
done
check "qerrors.yaml(5) installed" test -f "$D/usr/share/man/man5/qerrors.yaml.5"
check "bash completion installed" test -f "$D/usr/share/bash-completion/completions/qerrors"
check "zsh completion installed" test -f "$D/usr/share/zsh/site-functions/_qerrors"
check "fish completion installed" test -f "$D/usr/share/fish/vendor_completions.d/qerrors.fish"
check "example configuration installed" test -f "$D/usr/share/doc/qerrors/qerrors.yaml.example"
check "systemd unit installed with the binary's path" grep -q '^ExecStart=/usr/bin/qerrors tail' "$D/usr/lib/systemd/system/qerrors.service"
exit 0
