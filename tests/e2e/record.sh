#!/bin/sh
# The public record through the built teller: an election with ballots and
# their receipts, export, verify (and its turnout against 'teller
# turnout'), receipt verify; a tampered record that
# verify and receipt verify reject; and a rewritten record (the same
# database forked and given other ballots, then signed by the same
# authority): it verifies on its own, but the receipts of the ballots it
# rewrote fail against it, while those from before the fork still hold.
. "$(dirname "$0")/lib.sh"

cd "$T"
teller init >/dev/null

cat >manifest.json <<EOF
{"id": "rec-2026", "title": "Record test",
 "opens": "$(utc -3600)", "closes": "$(utc 86400)",
 "constituencies": [{"id": "members", "name": "Members"}],
 "contests": [
  {"id": "board", "title": "Board", "constituency": "members", "seats": 2,
   "method": "plurality", "candidates": [
     {"id": "ann", "name": "Ann"}, {"id": "ben", "name": "Ben"},
     {"id": "cat", "name": "Cat"}]},
  {"id": "motion", "title": "Adopt the motion", "constituency": "members",
   "method": "referendum"},
  {"id": "chair", "title": "Chair", "constituency": "members",
   "method": "irv", "candidates": [
     {"id": "ann", "name": "Ann"}, {"id": "ben", "name": "Ben"},
     {"id": "cat", "name": "Cat"}]}],
 "random_sources": [{"name": "draw"}]}
EOF
teller election create manifest.json >/dev/null
mkdir keys ballots receipts
echo "voter_id,name,constituency,weight,public_key" >roll.csv
for i in 1 2 3 4 5 6 7 8; do
	echo "m$i,Member $i,members,$i,$(public_key "keys/m$i.pem")" >>roll.csv
done
teller roll import rec-2026 roll.csv >/dev/null
teller election open rec-2026 >/dev/null
teller manifest rec-2026 --output manifest.signed.json

# cast VOTER SEQ BOARD ANSWER CHAIR: makes, signs and casts a ballot;
# keeps the receipt as receipts/VOTER-SEQ.json.
cast() {
	teller ballot make --manifest manifest.signed.json --key "keys/$1.pem" \
	    --voter "$1" --seq "$2" --vote "board=$3" --vote "motion=$4" \
	    --vote "chair=$5" --output "ballots/$1-$2.json"
	teller ballot cast "ballots/$1-$2.json" --output "receipts/$1-$2.json"
}
cast m1 1 ann,ben yes "ann>ben"

# Fork the log here: a copy of the database as it is after one ballot
# (each command closes it, which folds the write-ahead log into it).
[ ! -e teller.db-wal ] || fail "a WAL file outlived the last command"
cp teller.db fork.db

cast m2 1 ben no cat
cast m3 1 cat,ann yes "cat>ann"
cast m4 1 ann yes ann
cast m5 1 ben,cat abstain "ben>ann"
cast m6 1 ann,cat no "cat>ben"
cast m2 2 ann,ben yes "ben>cat"
pass "seven ballots cast, one a revote, each with a receipt"

# The record of the open election: valid, and every receipt holds.
teller export rec-2026 --output open.jsonl
[ "$(wc -l <open.jsonl)" -eq 10 ] || fail "open record: $(wc -l <open.jsonl) lines, expected 10"
expect_status 0 teller verify open.jsonl
grep -q "state             open" "$T/stdout" || fail "open record: state"
grep -q "Verdict: VALID" "$T/stdout" || fail "open record: verdict"
for r in receipts/*.json; do
	expect_status 0 teller receipt verify "$r" --record open.jsonl
done
pass "the open election's record verifies and holds all 7 receipts"

teller election close rec-2026 --random 4242 --early --reason "test" >/dev/null
teller tally rec-2026 >/dev/null
teller export rec-2026 >counted.jsonl
expect_status 0 teller verify --json counted.jsonl
refcount_record counted.jsonl
"$PYTHON3" - "$T/stdout" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["valid"] is True and r["state"] == "counted", r
assert r["result_matches"] is True
b = r["ballots"]
assert (b["in_record"], b["valid"], b["counted"], b["superseded"]) == (7, 7, 6, 1), b
assert r["signatures"] == {"checked": 12, "valid": 12}, r["signatures"]
assert r["problems"] == [] and r["problems_total"] == 0
# The recount, checked against the votes cast above (weights 1..8):
# m1 ann,ben w1; m2 (revote) ann,ben w2; m3 cat,ann w3; m4 ann w4;
# m5 ben,cat w5; m6 ann,cat w6.
board = r["result"]["contests"][0]["rounds"][0]["votes"]
assert board == {"ann": 1 + 2 + 3 + 4 + 6, "ben": 1 + 2 + 5,
                 "cat": 3 + 5 + 6}, board
assert r["result"]["contests"][0]["winners"] == ["Ann", "Cat"]
assert r["result"]["random"] == ["4242"]
# The ranked contest (irv), counted by hand: first preferences ann 1+4,
# ben 2+5, cat 3+6 of 21, no majority; ann is excluded, m1's ballot goes
# to ben (8) and m4's is exhausted; cat has 9 of the 17 left: elected.
assert r["result"]["contests"][2]["method"] == "irv"
assert r["result"]["contests"][2]["winners"] == ["Cat"], r["result"]["contests"][2]
EOF
for r in receipts/*.json; do
	expect_status 0 teller receipt verify "$r" --record counted.jsonl
done
expect_status 0 teller receipt verify --json receipts/m2-2.json --record counted.jsonl
"$PYTHON3" -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["valid"] and r["leaf_index"] == 8 and r["source_tree_size"] == 11, r' "$T/stdout"
pass "the counted record verifies (recount = signed result) and holds every receipt"

# The turnout an observer computes from the record is the database's.
teller turnout rec-2026 --format json >turnout.json
expect_status 0 teller verify --turnout --json counted.jsonl
"$PYTHON3" - turnout.json "$T/stdout" <<'EOF'
import json, sys
db = json.load(open(sys.argv[1]))
record = json.load(open(sys.argv[2]))["turnout"]
assert db == record, (db, record)
c = record["constituencies"][0]
assert (c["eligible"], c["voted"], c["voted_weight"]) == (8, 6, 21), c
EOF
expect_status 0 teller verify --turnout counted.jsonl
grep -q "voted: 6 of 8 voters (75.00%)" "$T/stdout" || fail "verify --turnout: no turnout in the text report"
expect_status 0 teller verify --json counted.jsonl
"$PYTHON3" -c 'import json,sys; assert "turnout" not in json.load(open(sys.argv[1]))' "$T/stdout"
pass "verify --turnout gives the turnout of 'teller turnout', in JSON and text"

# Tampered copies of the counted record: each one invalid.
"$PYTHON3" - counted.jsonl <<'EOF'
import sys
lines = open(sys.argv[1], "rb").read().split(b"\n")[:-1]
def write(name, ls):
    open(name, "wb").write(b"\n".join(ls) + b"\n")
l = list(lines); l[3], l[4] = l[4], l[3]; write("swapped.jsonl", l)
l = list(lines); del l[5]; write("dropped.jsonl", l)
l = list(lines); l.insert(4, l[3]); write("duplicated.jsonl", l)
l = list(lines); l[9] = l[9].replace(b'"payload":"ey', b'"payload":"eX', 1); write("result.jsonl", l)
EOF
for f in swapped dropped duplicated result; do
	expect_status 1 teller verify "$f.jsonl"
	grep -q "Verdict: INVALID" "$T/stdout" || fail "$f: no INVALID verdict"
done
expect_status 1 teller receipt verify receipts/m5-1.json --record swapped.jsonl
expect_stderr "root"
pass "swapped, dropped, duplicated lines and a changed result are invalid"

# The rewritten log: the fork, where another ballot took the second
# ballot's place, then m3's very ballot was cast again (so entry 4 is the
# same in both logs), then others; signed by the same authority (the
# database holds its key).
export TELLER_DB="$T/fork.db"
cast m7 1 ben no ben
teller ballot cast ballots/m3-1.json --output fork-m3.json
cast m8 1 cat yes cat
teller election close rec-2026 --random 4242 --early --reason "test" >/dev/null
teller tally rec-2026 >/dev/null
teller export rec-2026 --output rewritten.jsonl
export TELLER_DB="$T/teller.db"
expect_status 0 teller verify rewritten.jsonl
pass "the rewritten record verifies on its own"
expect_status 0 teller receipt verify receipts/m1-1.json --record rewritten.jsonl
expect_status 0 teller receipt verify fork-m3.json --record rewritten.jsonl
for r in m2-1 m3-1 m4-1 m5-1 m6-1 m2-2; do
	expect_status 1 teller receipt verify "receipts/$r.json" --record rewritten.jsonl
	grep -q "Verdict: INVALID" "$T/stdout" || fail "$r: no INVALID verdict"
done
# m3's ballot is entry 4 of both logs: only the consistency proof can
# show that the log it was counted in is not the one its receipt signs.
expect_status 1 teller receipt verify receipts/m3-1.json --record rewritten.jsonl
grep -q "ok    ballot" "$T/stdout" || fail "m3: the ballot itself should match"
grep -q "FAIL  consistency" "$T/stdout" || fail "m3: consistency should fail"
grep -q "rewritten" "$T/stdout" || fail "m3: the failure should say why"
pass "the receipt from before the fork holds; every later one fails"

# Usage and unreadable input.
expect_status 2 teller verify missing.jsonl
expect_status 2 teller verify
expect_status 2 teller receipt verify receipts/m1-1.json
expect_stderr "--record"
expect_status 2 teller receipt verify missing.json --record counted.jsonl
expect_status 2 teller receipt verify manifest.json --record counted.jsonl
expect_status 2 teller receipt verify receipts/m1-1.json --record missing.jsonl
expect_status 2 teller export nope
expect_status 0 teller verify --help
expect_status 0 teller receipt verify --help
pass "usage errors and unreadable input exit 2"
