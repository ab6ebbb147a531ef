# The model-based test of rotations and restarts (tests/model/follow_model.py)
# on a fixed set of seeds: both backends, a plain path, a glob over rotated
# names and a symlink.  bench/model.sh runs many seeds.
. "$(dirname "$0")/lib.sh"
for run in "1 inotify plain" "2 poll plain" "3 inotify glob" "4 poll glob" \
	"5 inotify symlink" "6 poll symlink"; do
	set -- $run
	check "model seed $1, $2, $3: nothing lost, repeated or out of order" \
		python3 "$TESTS_DIR/model/follow_model.py" --qerrors "$QERRORS" \
		--seed "$1" --backend "$2" --layout "$3" --ops 30
done
exit 0
