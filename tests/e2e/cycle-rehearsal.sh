#!/bin/sh
# doc/cycle.md, section 7: the rehearsal of section 1's cycle with
# TELLER_NOW runs as it is written, from definition to a final result and
# a record that verifies.
. "$(dirname "$0")/lib.sh"
: "${TELLER_SRCDIR:?}"
doc="$TELLER_SRCDIR/doc/cycle.md"

cd "$T"
# Section 1's manifest (the page's first json block), and a roll of its
# constituencies.
sed -n '/^```json$/,/^```$/p' "$doc" | sed '1d' | sed '/^```$/,$d' >isoc-2030.json
grep -q '"id": "isoc-2030"' isoc-2030.json || fail "no manifest in section 1"
{
	echo "voter_id,name,constituency,weight,public_key"
	echo "ch-1,Chapter One,chapters,1,$(public_key ch-1.pem)"
	echo "ch-2,Chapter Two,chapters,1,$(public_key ch-2.pem)"
	echo "om-1,Org One,orgs,3,$(public_key om-1.pem)"
} >roll.csv
# Section 7's script, run by the shell with teller as the program.
sed -n '/^## 7\./,$p' "$doc" | sed -n '/^```sh$/,/^```$/p' | sed '1d;$d' >rehearsal.sh
[ "$(grep -c '^teller ' rehearsal.sh)" -ge 15 ] || fail "no rehearsal in section 7"
mkdir bin
ln -s "$TELLER" bin/teller
PATH="$T/bin:$PATH" sh -e rehearsal.sh >rehearsal.out 2>&1 || {
	cat rehearsal.out; fail "the rehearsal of doc/cycle.md stops"
}
grep -q "Ann Archer" rehearsal.out || fail "no count of Ann Archer"
unset TELLER_NOW
teller --db rehearsal.db election status isoc-2030 >status.txt
grep -q "final" status.txt || { cat status.txt; fail "the rehearsal did not end final"; }
pass "the rehearsal in doc/cycle.md runs from definition to a record that verifies"
