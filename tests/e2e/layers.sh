#!/bin/sh
# layers.sh: the arrows between the modules of src/lib and src/server point
# one way (tests/layers.py: calls to another file's functions and includes
# of its public header make the arrows).  First the checker itself, on a
# small tree made here: it must find a circle of two files that call each
# other and one through a public header, and pass the tree once the
# circles are broken.  Then the real source must have no circle.
. "$(dirname "$0")/lib.sh"
: "${TELLER_SRCDIR:?}" "${PYTHON3:?}"
layers() { "$PYTHON3" "$TELLER_SRCDIR/tests/layers.py" "$@"; }

mkdir -p "$T/tree/src/lib" "$T/tree/src/server" "$T/tree/include/teller"
cat >"$T/tree/include/teller/low.h" <<'C'
int tl_low_run(void);
C
cat >"$T/tree/src/lib/low.c" <<'C'
#include "teller/high.h"
/* tl_high_run() in a comment is no arrow */
static int
helper(void)
{
	return 1;
}

int
tl_low_run(void)
{
	return helper() + tl_high_value;
}
C
cat >"$T/tree/include/teller/high.h" <<'C'
#include "teller/low.h"
extern int tl_high_value;
int tl_high_run(void);
C
cat >"$T/tree/src/lib/high.c" <<'C'
#include "teller/high.h"

int
tl_high_run(void)
{
	return tl_low_run();
}
C
cat >"$T/tree/src/server/a.c" <<'C'
int
a_run(void)
{
	return b_run();
}
C
cat >"$T/tree/src/server/b.c" <<'C'
int
b_run(void)
{
	return a_run();
}
C
expect_status 1 layers "$T/tree"
grep -q "^cycle: high low$" "$T/stdout" || { cat "$T/stdout"; fail "the include circle"; }
grep -q "low -> high: #include teller/high.h" "$T/stdout" || fail "the include arrow"
grep -q "^cycle: server/a server/b$" "$T/stdout" || fail "the call circle"
grep -q "server/b -> server/a: a_run()" "$T/stdout" || fail "the call arrow"
# Broken: the low module no longer includes the high one's header, and b
# no longer calls a.
sed -i 's/#include "teller\/high.h"/#include "teller\/low.h"/; s/ + tl_high_value//' "$T/tree/src/lib/low.c"
sed -i 's/return a_run();/return 0;/' "$T/tree/src/server/b.c"
expect_status 0 layers "$T/tree"
grep -q "0 cycles" "$T/stdout" || fail "the broken circles"
pass "the checker finds a circle of calls and one of includes, and no other"

expect_status 0 layers "$TELLER_SRCDIR"
cat "$T/stdout"
pass "src/lib and src/server have no circle between their modules"
