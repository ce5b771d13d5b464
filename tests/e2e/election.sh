#!/bin/sh
# A whole election driven through the built teller, as an administrator and
# voters would: init, create, roll import, open, manifest, ballot make and
# cast (with a revote and rejected ballots), close, tally.  The JSON result
# is checked against totals this script computes itself from the votes it
# cast (in Python, independently of teller's counting code).
. "$(dirname "$0")/lib.sh"

cd "$T"
teller init >/dev/null

cat >manifest.json <<EOF
{"id": "club-2026", "title": "Club board 2026",
 "opens": "$(utc -3600)", "closes": "$(utc 86400)",
 "constituencies": [{"id": "members", "name": "Members"},
                    {"id": "council", "name": "Council"}],
 "contests": [
  {"id": "board", "title": "Board", "constituency": "members", "seats": 2,
   "method": "plurality", "candidates": [
     {"id": "ann", "name": "Ann Archer"}, {"id": "ben", "name": "Ben Baker"},
     {"id": "cat", "name": "Cat Cole"}, {"id": "dan", "name": "Dan Dale"}]},
  {"id": "projects", "title": "Projects", "constituency": "members",
   "method": "approval", "candidates": [
     {"id": "p1", "name": "Library"}, {"id": "p2", "name": "Garden"},
     {"id": "p3", "name": "Workshop"}]},
  {"id": "budget", "title": "Adopt the budget", "constituency": "council",
   "method": "referendum", "options": {"threshold": "two-thirds"}}],
 "random_sources": [{"name": "draw"}]}
EOF
[ "$(teller election create manifest.json)" = club-2026 ] || fail "create"

# voter constituency weight vote...   (- = does not vote; C= is a
# deliberately blank vote in C, made with --blank C)
cat >votes.txt <<'EOF'
m1 members 1 board=ann,ben projects=p1,p2
m2 members 2 board=ann projects=p3
m3 members 3 board=cat,ben projects=
m4 members 1 board=dan,ann projects=p1,p2,p3
m5 members 5 board=ben projects=p2
m6 members 2 -
m7 members 1 board= projects=p1
c1 council 1 budget=yes
c2 council 1 budget=yes
c3 council 1 budget=no
c4 council 1 budget=abstain
c5 council 1 -
EOF

mkdir keys ballots receipts
echo "voter_id,name,constituency,weight,public_key" >roll.csv
while read -r id constituency weight rest; do
	pub=$(public_key "keys/$id.pem")
	echo "$id,\"Voter $id, Esq.\",$constituency,$weight,$pub" >>roll.csv
done <votes.txt
teller roll import club-2026 roll.csv >/dev/null
teller election open club-2026 >/dev/null
teller manifest club-2026 --output manifest.signed.json
pass "election defined and opened"

while read -r id constituency weight rest; do
	[ "$rest" = "-" ] && continue
	set --
	for v in $rest; do
		case $v in
		*=) set -- "$@" --blank "${v%=}" ;;
		*) set -- "$@" --vote "$v" ;;
		esac
	done
	teller ballot make --manifest manifest.signed.json --key "keys/$id.pem" \
		--voter "$id" "$@" --output "ballots/$id.json"
	teller ballot cast "ballots/$id.json" --output "receipts/$id.json"
done <votes.txt
pass "ballots cast"

# m2 votes again: the last ballot counts.
teller ballot make --manifest manifest.signed.json --key keys/m2.pem \
	--voter m2 --seq 2 --vote board=cat,dan --vote projects=p2 \
	--output ballots/m2-again.json
teller ballot cast ballots/m2-again.json >/dev/null
sed -i 's/^m2 members 2 .*/m2 members 2 board=cat,dan projects=p2/' votes.txt

# m7 votes again with a wholly blank ballot, deliberately: it replaces the
# vote for p1, and counts as a blank vote in both contests.
teller ballot make --manifest manifest.signed.json --key keys/m7.pem \
	--voter m7 --seq 2 --blank-all --output ballots/m7-again.json
teller ballot cast ballots/m7-again.json >/dev/null
sed -i 's/^m7 members 1 .*/m7 members 1 board= projects=/' votes.txt

# A ballot without --vote, or that leaves a contest of the voter's
# constituency out, or with an empty selection, is not made.
expect_status 2 teller ballot make --manifest manifest.signed.json \
	--key keys/m6.pem --voter m6
expect_stderr "no --vote"
expect_status 2 teller ballot make --manifest manifest.signed.json \
	--key keys/m6.pem --voter m6 --vote board=ann
expect_stderr "contest projects: no --vote and no --blank"
expect_status 2 teller ballot make --manifest manifest.signed.json \
	--key keys/m6.pem --voter m6 --vote board=ann --vote projects=
expect_stderr "give --blank projects"
pass "no ballot is blank by accident"

# Rejected: a member voting in the council's contest; a stale seq; a
# forged signature (m1's ballot signed with m3's key); too many marks.
expect_status 2 teller ballot make --manifest manifest.signed.json \
	--key keys/m1.pem --voter m1 --vote board=ann,ben,cat --blank projects
expect_stderr "at most 2"
teller ballot make --manifest manifest.signed.json --key keys/m1.pem \
	--voter m1 --seq 2 --vote budget=no --output ballots/m1-budget.json
expect_status 2 teller ballot cast ballots/m1-budget.json
expect_stderr "not of council"
expect_status 2 teller ballot cast ballots/m1.json
expect_stderr "seq 1, but voter m1's last ballot has seq 1"
teller ballot make --manifest manifest.signed.json --key keys/m3.pem \
	--voter m1 --seq 5 --vote board=dan --blank projects \
	--output ballots/forged.json
expect_status 2 teller ballot cast ballots/forged.json
expect_stderr "not signed by the key on the roll for voter m1"
[ "$(sql 'SELECT COUNT(*) FROM ballots')" = 12 ] || fail "rejected ballots were stored"
pass "rejections stored nothing"

expect_status 2 teller tally club-2026
expect_stderr "close it before counting"
# The voting window runs for another day: closing now is an early close,
# which must say why, and the signed close statement carries the reason.
expect_status 2 teller election close club-2026 --random 31415
expect_stderr "its voting window runs until"
expect_stderr "--early --reason TEXT"
expect_status 2 teller election close club-2026 --random 31415 --early
expect_stderr "--early needs --reason TEXT"
expect_status 2 teller election close club-2026 --random 31415 --reason why
expect_stderr "--reason is for an early close"
[ "$(sql "SELECT state FROM elections")" = open ] || fail "a refused close closed"
teller election close club-2026 --random 31415 --early \
	--reason "Every member has voted; the committee closes the vote early." >close.txt
grep -q "closed early" close.txt || fail "the early close is not reported"
sql "SELECT entry FROM log WHERE kind = 'close'" | "$PYTHON3" -c '
import base64, json, sys
payload = json.loads(base64.b64decode(json.load(sys.stdin)["payload"]))
assert payload["reason"] == "Every member has voted; the committee closes the vote early.", payload
'
teller export club-2026 -o early.jsonl
teller verify early.jsonl >verify.txt || { cat verify.txt; fail "verify"; }
grep -q "closed early, because: Every member has voted" verify.txt \
	|| { cat verify.txt; fail "verify does not show the reason"; }
pass "an early close needs --early and a reason, which is signed"
teller tally club-2026 --format json >result.json
# The reference count (tests/refcount.py) gives the signed result's bytes
# from the record of an early close.
teller export club-2026 -o counted.jsonl
refcount_record counted.jsonl
teller tally club-2026 >result.txt
grep -q "Winners: " result.txt || fail "text result has no winners"

"$PYTHON3" - votes.txt result.json <<'EOF'
import json, sys
votes = {}
weights = {}
for line in open(sys.argv[1]):
    id, constituency, weight, *rest = line.split()
    weights[id] = (constituency, int(weight))
    if rest != ["-"]:
        votes[id] = dict(v.split("=", 1) for v in rest)
result = json.load(open(sys.argv[2]))
contests = {c["contest"]: c for c in result["contests"]}

def totals(contest, candidates):
    t = {c: 0 for c in candidates}
    for id, v in votes.items():
        if contest in v and v[contest]:
            for c in v[contest].split(","):
                t[c] += weights[id][1]
    return t

board = totals("board", ["ann", "ben", "cat", "dan"])
got = contests["board"]["rounds"][-1]["votes"]
assert got == board, (got, board)
top = sorted(board, key=lambda c: -board[c])[:2]
names = {"ann": "Ann Archer", "ben": "Ben Baker", "cat": "Cat Cole", "dan": "Dan Dale"}
assert contests["board"]["winners"] == [names[c] for c in top], contests["board"]["winners"]
projects = totals("projects", ["p1", "p2", "p3"])
assert contests["projects"]["rounds"][-1]["votes"] == projects
budget = {"yes": 0, "no": 0, "abstain": 0}
for id, v in votes.items():
    if "budget" in v:
        budget[v["budget"]] += weights[id][1]
assert contests["budget"]["rounds"][-1]["votes"] == budget
approved = 3 * budget["yes"] >= 2 * (budget["yes"] + budget["no"])
assert contests["budget"]["outcome"] == ("approved" if approved else "rejected")
# Blank votes, per contest: every voter of the contest's constituency who
# voted gives a ballot to it; an empty or missing selection is blank.
for contest, constituency in (("board", "members"), ("projects", "members"),
                              ("budget", "council")):
    voters = [i for i in votes if weights[i][0] == constituency]
    blank = [i for i in voters if not votes[i].get(contest)]
    c = contests[contest]
    assert c["ballots"] == len(voters), (contest, c["ballots"], voters)
    assert c["blank"] == len(blank), (contest, c["blank"], blank)
    assert c["weight"] == sum(weights[i][1] for i in voters), contest
for t in result["turnout"]:
    members = [i for i, (c, w) in weights.items() if c == t["constituency"]]
    voted = [i for i in members if i in votes]
    assert t["eligible"] == len(members) and t["voted"] == len(voted), t
    assert t["eligible_weight"] == sum(weights[i][1] for i in members)
    assert t["voted_weight"] == sum(weights[i][1] for i in voted)
print("board", board, "projects", projects, "budget", budget,
      "blank", {c: contests[c]["blank"] for c in contests})
EOF
pass "the JSON result matches totals computed independently"

# The counted election is stored as rows an observer can query.
[ "$(sql "SELECT name FROM result_winners WHERE contest_id = 'board' AND position = 1")" = "Ben Baker" ] \
	|| fail "result_winners"
[ "$(sql "SELECT state FROM elections")" = counted ] || fail "state"
pass "result rows stored"
