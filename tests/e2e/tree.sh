# The tree's layering check finds what it is for: an include cycle among
# lib/ headers, and lib/ including a cmd/ header.
. "$(dirname "$0")/lib.sh"
check=$TESTS_DIR/../scripts/check-includes.py
check "the tree has no include cycle" python3 "$check"
mkdir -p "$T/tree/lib" "$T/tree/cmd"
printf '#include "b.h"\n' >"$T/tree/lib/a.h"
printf '#include "c.h"\n' >"$T/tree/lib/b.h"
printf '#include "a.h"\n' >"$T/tree/lib/c.h"
python3 "$check" "$T/tree" 2>"$T/err"
check "a cycle fails" test $? -eq 1
check "the cycle is named" grep -q 'lib/a.h -> lib/b.h -> lib/c.h -> lib/a.h' "$T/err"
printf '#include "c.h"\n' >"$T/tree/lib/a.h"
: >"$T/tree/lib/c.h"
printf '#include "qerrors.h"\n' >"$T/tree/lib/b.h"
: >"$T/tree/cmd/qerrors.h"
python3 "$check" "$T/tree" 2>"$T/err"
check "lib including cmd fails" test $? -eq 1
check "and is named" grep -q 'lib/b.h includes cmd/qerrors.h' "$T/err"
