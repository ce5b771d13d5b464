#!/bin/sh
# teller demo runs a whole ISOC-style election, and the same seed gives the
# same counts.
. "$(dirname "$0")/lib.sh"

teller demo --dir "$T/one" --seed 7 >"$T/one.txt"
teller demo --dir "$T/two" --seed 7 >"$T/two.txt"
teller demo --dir "$T/three" --seed 8 >"$T/three.txt"

for f in one two three; do
	grep -q "^Demo complete" "$T/$f.txt" || fail "demo $f did not complete"
	grep -q "Winners: " "$T/$f.txt" || fail "demo $f printed no winners"
	grep -q "^Turnout" "$T/$f.txt" || fail "demo $f printed no turnout"
done
# The three contests and the three constituencies, with their rolls.
grep -q "Imported 113 voters" "$T/one.txt" || fail "chapters roll"
grep -q "Imported 150 voters" "$T/one.txt" || fail "organizations roll"
grep -q "Imported 15 voters" "$T/one.txt" || fail "ietf roll"
grep -q "Method referendum" "$T/one.txt" || fail "no referendum"

# Counts (everything from the first contest to the end of turnout) are the
# same for the same seed; keys and hashes differ.
counts() { sed -n "/^Contest chapters/,/^  IETF/p" "$1" | grep -v -e Manifest -e '^\$'; }
counts "$T/one.txt" >"$T/c1"
counts "$T/two.txt" >"$T/c2"
counts "$T/three.txt" >"$T/c3"
[ -s "$T/c1" ] || fail "no counts found"
cmp -s "$T/c1" "$T/c2" || { diff "$T/c1" "$T/c2"; fail "same seed, different counts"; }
cmp -s "$T/c1" "$T/c3" && fail "different seeds gave identical counts"

# The database agrees with what was printed: turnout about 80%.
voted=$(TELLER_DB="$T/one/teller.db" sql "SELECT COUNT(DISTINCT voter_id) FROM ballots")
[ "$voted" -ge 190 ] && [ "$voted" -le 250 ] || fail "turnout $voted of 278 is not about 80%"
[ "$(TELLER_DB="$T/one/teller.db" sql "SELECT state FROM elections")" = counted ] || fail "not counted"
[ "$(TELLER_DB="$T/one/teller.db" sql "SELECT COUNT(*) FROM result_winners")" = 4 ] || fail "winners"
# Two witnesses cosigned the final tree head of the record the demo
# exported, which verifies with their quorum, and extends their states.
[ "$(tail -n 1 "$T/one/record.jsonl" | "$PYTHON3" -c 'import json,sys; print(sorted(c["witness"] for c in json.load(sys.stdin)["cosignatures"]))')" = \
	"['witness-1.demo.example/teller', 'witness-2.demo.example/teller']" ] ||
	fail "the record's cosignature line"
(cd "$T/one" && expect_status 0 teller verify record.jsonl \
	--head witness-1.state.json --head witness-2.state.json)
grep -q "cosigned by 2 of the 2 witnesses" "$T/stdout" || fail "the witnesses' quorum"
# The reference count, written from the documents, gives the signed
# result's bytes.
refcount_record "$T/one/record.jsonl"
# The demo refuses a directory that already holds one.
expect_status 2 teller demo --dir "$T/one"
expect_stderr "already holds a demo"
pass "demo runs, and the same seed gives the same counts"
