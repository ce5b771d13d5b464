#!/bin/sh
# no-votes.sh: contests that elect no one.  An election whose officers
# cast only blank ballots (an IRV contest and a referendum with no valid
# vote) and whose members are too few for their contest's quorum
# (quorum_ballots 3, two valid ballots): no one is elected, by lot or
# otherwise, and every report says why: the text and JSON of 'teller
# tally', the HTML page, the signed result payload in the record, and
# 'teller verify', which recounts it byte for byte.
. "$(dirname "$0")/lib.sh"

cd "$T"
teller init >/dev/null
cat >manifest.json <<EOF
{"id": "quiet-2026", "title": "A quiet election",
 "opens": "$(utc -3600)", "closes": "$(utc 86400)",
 "constituencies": [{"id": "members", "name": "Members"},
                    {"id": "officers", "name": "Officers"}],
 "contests": [
  {"id": "board", "title": "Board", "constituency": "members", "seats": 1,
   "method": "plurality", "options": {"quorum_ballots": 3},
   "candidates": [{"id": "ann", "name": "Ann Archer"},
                  {"id": "ben", "name": "Ben Baker"}]},
  {"id": "chair", "title": "Chair", "constituency": "officers",
   "method": "irv", "candidates": [{"id": "cy", "name": "Cy Cole"},
                                   {"id": "di", "name": "Di Dale"}]},
  {"id": "motion", "title": "Adopt the motion", "constituency": "officers",
   "method": "referendum", "options": {"quorum": 10}}],
 "random_sources": [{"name": "draw"}]}
EOF
teller election create manifest.json >/dev/null
echo "voter_id,name,constituency,weight,public_key" >roll.csv
for v in m1 m2 m3 o1 o2; do
	case $v in m*) c=members ;; *) c=officers ;; esac
	echo "$v,$v,$c,1,$(public_key "$v.pem")" >>roll.csv
done
teller roll import quiet-2026 roll.csv >/dev/null
teller election open quiet-2026 >/dev/null
teller manifest quiet-2026 --output signed.json

make_cast() {
	voter=$1; shift
	teller ballot make --manifest signed.json --key "$voter.pem" \
		--voter "$voter" "$@" --output "$voter.ballot"
	teller ballot cast "$voter.ballot" >/dev/null
}
make_cast m1 --vote board=ann
make_cast m2 --vote board=ben
make_cast m3 --blank board
make_cast o1 --blank-all
make_cast o2 --blank chair --blank motion
teller election close quiet-2026 --random 99 --early --reason test >/dev/null
pass "blank ballots and too few valid ones cast"

teller tally quiet-2026 --format json >result.json
"$PYTHON3" - result.json <<'EOF'
import json, sys
result = json.load(open(sys.argv[1]))
c = {r["contest"]: r for r in result["contests"]}
for contest, outcome in (("board", "no-quorum"), ("chair", "no-valid-votes"),
                         ("motion", "no-valid-votes")):
    r = c[contest]
    assert r["outcome"] == outcome, (contest, r)
    assert r["winners"] == [] and r["elected"] == [], (contest, r)
b = c["board"]
assert b["rounds"] == [] and b["ties"] == [], b
assert b["ballots"] == 3 and b["blank"] == 1, b
assert b["quorum"] == {"percent": 0, "eligible_weight": 3,
                       "participating_weight": 2, "met": False,
                       "min_ballots": 3, "participating_ballots": 2}, b
assert c["chair"]["ballots"] == 2 and c["chair"]["blank"] == 2, c["chair"]
assert c["chair"]["rounds"] == [], c["chair"]
assert c["motion"]["rounds"][0]["votes"] == {"yes": 0, "no": 0,
                                             "abstain": 0}, c["motion"]
EOF
pass "JSON: no one elected, with the reason"

teller tally quiet-2026 >result.txt
grep -q "The quorum is not met: no one is elected" result.txt ||
	fail "text: board's quorum"
grep -q "at least 3 valid ballots; valid ballots 2 (not met)" result.txt ||
	fail "text: board's quorum figures"
grep -q "No valid votes: no one is elected" result.txt || fail "text: chair"
grep -q "Outcome: no valid votes" result.txt || fail "text: motion"
[ "$(grep -c "Winners: none" result.txt)" = 3 ] || fail "text: winners"
pass "text: no one elected, with the reason"

teller tally quiet-2026 --format html --contest chair >chair.html
grep -q "No valid votes: no one is elected" chair.html || fail "html: chair"
pass "HTML: no one elected, with the reason"

teller export quiet-2026 --output record.jsonl
refcount_record record.jsonl
"$PYTHON3" - record.jsonl <<'EOF'
import base64, json, sys
for line in open(sys.argv[1]):
    env = json.loads(line)
    if env.get("payloadType") == "application/vnd.teller.result+json":
        result = json.loads(base64.b64decode(env["payload"]))
        outcomes = [r.get("outcome") for r in result["contests"]]
        assert outcomes == ["no-quorum", "no-valid-votes",
                            "no-valid-votes"], outcomes
        break
else:
    raise SystemExit("no result in the record")
EOF
teller verify record.jsonl >verify.txt || fail "verify: exit $?"
grep -q "Verdict: VALID" verify.txt || fail "verify verdict"
grep -q "No valid votes: no one is elected" verify.txt || fail "verify: chair"
grep -q "The quorum is not met: no one is elected" verify.txt ||
	fail "verify: board"
pass "the signed result and verify: no one elected, with the reason"
