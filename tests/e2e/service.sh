# contrib/qerrors.service: unprivileged, sandboxed (systemd-analyze security
# under 4), its state where the other commands look, its default sources
# ones that a stock Debian 12 has and qerrors accepts.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$TESTS_DIR/.." && pwd)
UNIT="$T/qerrors.service"
sed "s|@BINDIR@|$(dirname "$QERRORS")|g" "$ROOT/contrib/qerrors.service" >"$UNIT"

prop() { sed -n "s/^$1=//p" "$UNIT"; }
check "runs as a dynamic unprivileged user" test "$(prop DynamicUser)" = yes
check "in the groups that read logs" test "$(prop SupplementaryGroups)" = "adm systemd-journal"
check "with its state in StateDirectory=qerrors" test "$(prop StateDirectory)" = qerrors
check "and tells qerrors so" sh -c "grep -q '^ExecStart=.*/qerrors tail --state-dir=\${STATE_DIRECTORY} ' '$UNIT'"
check "the descriptor limit is raised" test -n "$(prop LimitNOFILE)"
check "no /var/log/syslog, which Debian 12 does not have" sh -c "! grep -v '^#' '$UNIT' | grep -q '/var/log/syslog'"

# The default sources, as systemd splits them, are globs qerrors takes.
args=$(sed -n 's/^Environment="QERRORS_TAIL_ARGS=\(.*\)"$/\1/p' "$UNIT")
check "a default source is set ($args)" test -n "$args"
mkdir -p "$T/root/log/apt"
: >"$T/root/log/dpkg.log"
: >"$T/root/log/apt/history.log"
# shellcheck disable=SC2086
set -f
set -- $(printf '%s' "$args" | sed "s|/var/log|$T/root/log|g")
set +f
"$QERRORS" tail --once "$@" >"$T/t.out" 2>&1
check "qerrors tail --once takes them (dpkg.log, apt/history.log)" test $? -eq 0

if command -v systemd-analyze >/dev/null 2>&1; then
	systemd-analyze verify --man=no "$UNIT" >"$T/verify" 2>&1
	check "systemd-analyze verify accepts the unit" test $? -eq 0
	systemd-analyze security --offline=true "$UNIT" >"$T/sec" 2>&1
	score=$(sed -n 's/.*Overall exposure level for qerrors.service: \([0-9.]*\).*/\1/p' "$T/sec")
	check "systemd-analyze security scores it under 4 (${score:-no score})" \
		python3 -c "import sys; sys.exit(0 if 0 <= float('${score:-99}') < 4 else 1)"
else
	ok "# SKIP systemd-analyze is not installed (package systemd)"
fi
exit 0
