# The model-based test of rotations and restarts (tests/model/follow_model.py)
# on a fixed set of seeds: both backends, a plain path, a glob over rotated
# names and a symlink.  bench/model.sh runs many seeds.
. "$(dirname "$0")/lib.sh"
# Seeds 8 and 9 at 60 operations rotate several times while the agent is
# stopped: the old files must be read oldest first.
for run in "1 inotify plain 30" "2 poll plain 30" "3 inotify glob 30" "4 poll glob 30" \
	"5 inotify symlink 30" "6 poll symlink 30" "8 inotify plain 60" \
	"9 poll plain 60"; do
	set -- $run
	check "model seed $1, $2, $3, $4 operations: nothing lost, repeated or out of order" \
		python3 "$TESTS_DIR/model/follow_model.py" --qerrors "$QERRORS" \
		--seed "$1" --backend "$2" --layout "$3" --ops "$4"
done
exit 0
