#!/bin/sh
# ranked.sh: an election with a Scottish STV and a Schulze contest driven
# through the built teller: ranked ballots from --vote (equal ranks refused
# for STV, accepted for Schulze), the tally's winners (worked out by hand
# below), `teller tally --format blt` (the counted ballots, checked line by
# line) counted again by `teller count` with the same winners, and the
# HTML page.
. "$(dirname "$0")/lib.sh"

cd "$T"
teller init >/dev/null
cat >manifest.json <<EOF
{"id": "ranked-2026", "title": "Ranked 2026",
 "opens": "$(utc -3600)", "closes": "$(utc 86400)",
 "constituencies": [{"id": "members", "name": "Members"}],
 "contests": [
  {"id": "chair", "title": "Chairs", "constituency": "members", "seats": 2,
   "method": "stv-scottish", "candidates": [
     {"id": "al", "name": "Al Able"}, {"id": "bea", "name": "Bea Best"},
     {"id": "cy", "name": "Cy Cole"}]},
  {"id": "rank", "title": "Ranking", "constituency": "members", "seats": 1,
   "method": "schulze", "candidates": [
     {"id": "al", "name": "Al Able"}, {"id": "bea", "name": "Bea Best"},
     {"id": "cy", "name": "Cy Cole"}]}],
 "random_sources": [{"name": "draw"}]}
EOF
teller election create manifest.json >/dev/null
cat >votes.txt <<'EOF'
v1 1 chair=al>bea rank=al=bea>cy
v2 2 chair=bea>al rank=bea>al
v3 1 chair=cy rank=cy>al
v4 1 chair=al>cy rank=al
v5 3 chair=bea rank=bea
EOF
echo "voter_id,name,constituency,weight,public_key" >roll.csv
while read -r id weight rest; do
	echo "$id,$id,members,$weight,$(public_key "$id.pem")" >>roll.csv
done <votes.txt
teller roll import ranked-2026 roll.csv >/dev/null
teller election open ranked-2026 >/dev/null
teller manifest ranked-2026 --output signed.json

expect_status 2 teller ballot make --manifest signed.json --key v1.pem \
	--voter v1 --vote chair=al=bea
expect_stderr "equal"
pass "equal ranks refused for stv-scottish"

while read -r id weight rest; do
	set --
	for v in $rest; do set -- "$@" --vote "$v"; done
	teller ballot make --manifest signed.json --key "$id.pem" --voter "$id" \
		"$@" --output "$id.ballot"
	teller ballot cast "$id.ballot" >/dev/null
done <votes.txt
pass "ranked ballots cast, with equal ranks for schulze"

teller election close ranked-2026 --random 2718 --early --reason "test" >/dev/null
expect_status 2 teller tally ranked-2026 --format blt
expect_stderr "--contest"
teller tally ranked-2026 --format blt --contest chair >chair.blt
# The counted ballots: weights from the roll, in the order cast.
printf '%s\n' "3 2" "1 1 2 0" "2 2 1 0" "1 3 0" "1 1 3 0" "3 2 0" "0" \
	'"Al Able"' '"Bea Best"' '"Cy Cole"' '"Chairs"' >expected.blt
cmp chair.blt expected.blt || { diff chair.blt expected.blt; fail "blt"; }
pass "tally --format blt writes the counted ballots"

# By hand: 8 votes, quota floor(8/3) + 1 = 3.  Bea 5 elected; surplus 2 at
# 2/5 = 0.4: v2's 2 papers give Al 0.8, v5's 3 papers exhaust.  Al 2.8,
# Cy 1: Cy is excluded; Al is the last continuing candidate (rule 52).
# Schulze: d[bea][al] = 5 > d[al][bea] = 2, d[bea][cy] = 6 > 1,
# d[al][cy] = 4 > d[cy][al] = 1: Bea, Al, Cy.
teller tally ranked-2026 --format json >result.json
"$PYTHON3" - result.json <<'PY' || fail "tally winners"
import json, sys
r = json.load(open(sys.argv[1]))
c = {x["contest"]: x for x in r["contests"]}
assert c["chair"]["winners"] == ["Bea Best", "Al Able"], c["chair"]["winners"]
assert c["chair"]["rounds"][1]["votes"]["al"] == "2.80000"
assert c["chair"]["rounds"][1]["non_transferable"] == "1.20000"
assert c["rank"]["ranking"] == ["bea", "al", "cy"], c["rank"]["ranking"]
assert c["rank"]["d"]["al"]["cy"] == 4 and c["rank"]["d"]["cy"]["al"] == 1
assert c["rank"]["winners"] == ["Bea Best"]
PY
pass "tally counts both contests as worked by hand"

teller count chair.blt --method stv-scottish --format json >count.json
"$PYTHON3" -c 'import json,sys; w=json.load(open(sys.argv[1]))["winners"]; sys.exit(w != ["Bea Best", "Al Able"])' count.json || fail "count of the blt"
pass "teller count of the exported BLT elects the same"

teller tally ranked-2026 --format html --contest chair >chair.html
grep -q "<svg" chair.html || fail "no chart"
grep -q "Bea Best" chair.html || fail "no names"
tail -1 chair.html | grep -q "</html>" || fail "unfinished page"
if grep -Eq "(src|href)=" chair.html; then fail "the page refers to other files"; fi
pass "tally --format html writes one self-contained page"
