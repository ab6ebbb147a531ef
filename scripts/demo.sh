#!/bin/sh
# Build qerrors and run the agent once over a sample log: errors are
# detected, grouped and reported with the embedded SQLite state.  No AI key
# is needed; with OPENAI_API_KEY or QERRORS_AI_BASE_URL set, advice is
# fetched too.  Pass log files to use your own instead of the sample.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh build
make -s -j"$(nproc 2>/dev/null || echo 2)" qerrors
state=${QERRORS_STATE_DIR:-$(mktemp -d /tmp/qerrors-demo.XXXXXX)}
export QERRORS_STATE_DIR="$state"
if [ $# -eq 0 ]; then set -- tests/data/demo/app.log; fi
echo "== qerrors tail --once --from-beginning $* (state in $state)"
./qerrors tail --once --from-beginning "$@"
echo "== the same again: nothing is reported twice"
./qerrors tail --once "$@"
echo "== qerrors analyze on the sample, as JSON (first event)"
./qerrors analyze --format json "$1" | head -1
