#!/bin/sh
# A whole ISOC-style election cycle driven through the built teller, from
# the slate to the final result, on a timetable: publish, the slate in the
# nominations phase, petitions endorsed by eligible voters (one reaching
# its threshold, one falling short), a signed amendment of the timetable,
# the vote, close with RFC 3797 random sources, count, certification (its
# result.certified webhook delivered to a real receiver), a challenge
# upheld with a recount, a challenge dismissed, the final statement; then
# turnout, export and offline verification.  Every refusal along the way
# is checked for its exit status and message.  The expected candidates,
# votes and turnout are computed here, in Python, from the script's own
# data, independently of teller's code.  TELLER_NOW moves the clock.
. "$(dirname "$0")/lib.sh"

: "${TELLER_SRCDIR:?TELLER_SRCDIR must be set (make check sets it)}"
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY
cd "$T"

# at TIME CMD...: runs CMD with the clock at TIME.
at() { t=$1; shift; TELLER_NOW=$t "$@"; }
E=isoc-2030

teller init >/dev/null
cat >manifest.json <<'EOF'
{"id": "isoc-2030", "title": "Internet Society Board of Trustees 2030",
 "opens": "2030-02-01T00:00:00Z", "closes": "2030-02-10T00:00:00Z",
 "timetable": {
   "nominations": {"opens": "2030-01-01T00:00:00Z",
                   "closes": "2030-01-10T00:00:00Z"},
   "petitions": {"opens": "2030-01-10T00:00:00Z",
                 "closes": "2030-01-20T00:00:00Z"},
   "challenge": {"opens": "2030-02-11T00:00:00Z",
                 "closes": "2030-02-20T00:00:00Z"}},
 "constituencies": [{"id": "chapters", "name": "Chapters"},
                    {"id": "orgs", "name": "Organization Members"},
                    {"id": "ietf", "name": "IESG"}],
 "contests": [
  {"id": "ch", "title": "Chapters trustee", "constituency": "chapters",
   "seats": 1, "method": "plurality", "petition_threshold": 4,
   "candidates": []},
  {"id": "om", "title": "Organization Members trustee",
   "constituency": "orgs", "seats": 1, "method": "plurality",
   "petition_threshold": 3, "candidates": []},
  {"id": "iab", "title": "Confirm the IAB's selection",
   "constituency": "ietf", "method": "referendum",
   "options": {"threshold": "majority"}}],
 "random_sources": [{"name": "NY lottery", "form": "rfc3797"},
                    {"name": "Dow Jones close", "form": "rfc3797"}]}
EOF
at 2029-12-20T00:00:00Z teller election create manifest.json >/dev/null

# voter constituency weight vote (- = does not vote)
cat >voters.txt <<'EOF'
c01 chapters 1 ch=cat-cole
c02 chapters 1 ch=cat-cole
c03 chapters 1 ch=ann-archer
c04 chapters 1 ch=ann-archer
c05 chapters 1 ch=cat-cole
c06 chapters 1 ch=ben-baker
c07 chapters 1 ch=ann-archer
c08 chapters 1 -
c09 chapters 1 ch=cat-cole
c10 chapters 1 -
o01 orgs 3 om=olga-orr
o02 orgs 1 om=pat-poe
o03 orgs 5 om=pat-poe
o04 orgs 2 om=olga-orr
o05 orgs 4 -
o06 orgs 6 om=olga-orr
i1 ietf 1 iab=yes
i2 ietf 1 iab=yes
i3 ietf 1 iab=no
i4 ietf 1 -
EOF
mkdir keys
echo "voter_id,name,constituency,weight,public_key" >roll.csv
while read -r id constituency weight vote; do
	echo "$id,Member $id,$constituency,$weight,$(public_key "keys/$id.pem")" \
		>>roll.csv
done <voters.txt
public_key keys/stranger.pem >/dev/null
teller roll import $E roll.csv >/dev/null

# --- publish: the initial manifest and the roll start the log ----------
expect_status 2 at 2030-01-01T12:00:00Z teller candidate add $E --contest ch \
	--candidate "Ann Archer"
expect_stderr "publish it first"
at 2029-12-21T00:00:00Z teller election publish $E >/dev/null
[ "$(at 2029-12-21T00:00:00Z teller election status $E --json |
	"$PYTHON3" -c 'import json,sys; d=json.load(sys.stdin); print(d["state"], d["next_phase"]["phase"])')" = \
	"published nominations" ] || fail "status after publish"
expect_status 2 teller roll import $E roll.csv
expect_stderr "frozen"
pass "published; the roll is frozen"

# --- nominations: the slate --------------------------------------------
expect_status 2 at 2029-12-31T23:59:59Z teller candidate add $E --contest ch \
	--candidate "Ann Archer"
expect_stderr "nominations phase of election isoc-2030 runs from 2030-01-01T00:00:00Z to 2030-01-10T00:00:00Z"
at 2030-01-02T00:00:00Z teller candidate add $E --contest ch \
	--candidate "Ann Archer" >/dev/null
at 2030-01-03T00:00:00Z teller candidate add $E --contest ch \
	--candidate "Ben Baker" >/dev/null
at 2030-01-04T00:00:00Z teller candidate add $E --contest om \
	--candidate "Olga Orr" >/dev/null
expect_status 2 at 2030-01-05T00:00:00Z teller candidate add $E --contest ch \
	--candidate "Ann Archer"
expect_stderr "Ann Archer"
expect_status 2 at 2030-01-05T00:00:00Z teller petition open $E --contest ch \
	--candidate "Cat Cole"
expect_stderr "petitions phase"
pass "the slate, in the nominations phase only"

# --- petitions and endorsements ----------------------------------------
P=2030-01-12T00:00:00Z
[ "$(at $P teller petition open $E --contest ch --candidate "Cat Cole" |
	sed -n 's/^Petition \([0-9]*\) opened.*/\1/p')" = 1 ] || fail "petition 1"
at $P teller petition open $E --contest ch --candidate "Dan Dale" >/dev/null
at $P teller petition open $E --contest om --candidate "Pat Poe" >/dev/null
expect_status 2 at $P teller candidate add $E --contest ch --candidate "Eve"
expect_stderr "it is over"
# Cat Cole: c01..c05 (5 of 4); Dan Dale: c06, c07 (2 of 4); Pat Poe: o01,
# o02, o03 (3 of 3).  c05's endorsement is signed apart and recorded.
for v in c01 c02 c03 c04; do
	at $P teller petition endorse $E 1 --key keys/$v.pem --voter $v >/dev/null
done
at $P teller petition endorse $E 1 --key keys/c05.pem --voter c05 \
	-o c05-endorsement.json >/dev/null
for v in c06 c07; do
	at $P teller petition endorse $E 2 --key keys/$v.pem --voter $v >/dev/null
done
for v in o01 o02 o03; do
	at $P teller petition endorse $E 3 --key keys/$v.pem --voter $v >/dev/null
done
expect_status 2 at $P teller petition endorse $E 1 --key keys/c01.pem --voter c01
expect_stderr "already endorsed petition 1"
expect_status 2 at $P teller petition endorse --envelope c05-endorsement.json
expect_stderr "already endorsed petition 1"
expect_status 2 at $P teller petition endorse $E 3 --key keys/c08.pem --voter c08
expect_stderr "constituency"
expect_status 2 at $P teller petition endorse $E 2 --key keys/stranger.pem \
	--voter c08
expect_stderr "not signed (alone) by the key on the roll for voter c08"
expect_status 2 at 2030-01-20T00:00:00Z teller petition endorse $E 2 \
	--key keys/c08.pem --voter c08
expect_stderr "petitions phase of election isoc-2030 runs from 2030-01-10T00:00:00Z to 2030-01-20T00:00:00Z, and it is over"
[ "$(sql "SELECT COUNT(*) FROM endorsements")" = 10 ] || fail "endorsements"
teller petition status $E --json >petitions.json
"$PYTHON3" - petitions.json <<'EOF' || fail "petition status"
import json, sys
p = json.load(open(sys.argv[1]))
got = [(x["candidate"], x["endorsements"], x["threshold"], x["reached"])
       for x in p]
assert got == [("cat-cole", 5, 4, True), ("dan-dale", 2, 4, False),
               ("pat-poe", 3, 3, True)], got
assert p[0]["voters"] == ["c01", "c02", "c03", "c04", "c05"], p[0]
EOF
pass "petitions: thresholds, duplicates, constituency, key, phase"

# --- the timetable: amendments only move times later ------------------
expect_status 2 at 2030-01-21T00:00:00Z teller election amend $E \
	--phase voting --closes 2030-02-09T00:00:00Z
expect_stderr "only move it later"
expect_status 2 at 2030-01-21T00:00:00Z teller election amend $E \
	--phase petitions --closes 2030-01-25T00:00:00Z
expect_stderr "petitions"
at 2030-01-21T00:00:00Z teller election amend $E --phase voting \
	--closes 2030-02-10T12:00:00Z >/dev/null
at 2030-01-21T00:00:00Z teller election status $E --json |
	"$PYTHON3" -c 'import json,sys
d = json.load(sys.stdin)
v = [p for p in d["phases"] if p["phase"] == "voting"][0]
assert v["closes"] == "2030-02-10T12:00:00Z" and v["amended"], v' ||
	fail "amended status"
pass "amendments: forward only, in the status"

# --- the vote ----------------------------------------------------------
expect_status 2 at 2030-01-15T00:00:00Z teller election open $E
expect_stderr "2030-01-20T00:00:00Z"
at 2030-01-25T00:00:00Z teller election open $E >/dev/null
teller manifest $E --output definition.json
"$PYTHON3" - definition.json <<'EOF' || fail "voting definition"
import base64, json, sys
d = json.loads(base64.b64decode(json.load(open(sys.argv[1]))["payload"]))
got = {c["id"]: [x["id"] for x in c.get("candidates", [])]
       for c in d["contests"]}
# the slate, then the petitions that reached their thresholds
assert got["ch"] == ["ann-archer", "ben-baker", "cat-cole"], got
assert got["om"] == ["olga-orr", "pat-poe"], got
assert d.get("initial_manifest"), d
EOF
mkdir ballots
expect_status 2 teller ballot make --manifest definition.json \
	--key keys/c06.pem --voter c06 --vote ch=dan-dale
expect_stderr "dan-dale"
teller ballot make --manifest definition.json --key keys/c01.pem \
	--voter c01 --vote ch=cat-cole --output early.json
expect_status 2 at 2030-01-31T23:59:59Z teller ballot cast early.json
while read -r id constituency weight vote; do
	[ "$vote" = - ] && continue
	teller ballot make --manifest definition.json --key "keys/$id.pem" \
		--voter "$id" --vote "$vote" --output "ballots/$id.json"
	at 2030-02-02T00:00:00Z teller ballot cast "ballots/$id.json" >/dev/null
done <voters.txt
expect_status 2 at 2030-02-10T06:00:00Z teller election close $E \
	--random "17 3 42" --random "9319 .23"
expect_stderr "2030-02-10T12:00:00Z"
at 2030-02-10T12:00:00Z teller election close $E --random "17 3 42" \
	--random "9319 .23" >/dev/null
pass "the vote: the candidates the petitions decided, in its phase"

# --- count and certify, with the webhook -------------------------------
openssl rand -hex 32 >secret
chmod 600 secret
start_receiver 0
teller webhook add "http://127.0.0.1:$PORT/hook" --election $E \
	--secret-file secret --events result.certified >/dev/null

C=2030-02-10T13:00:00Z
at $C teller tally $E --json >result1.json
"$PYTHON3" - voters.txt result1.json <<'EOF' || fail "the count"
import json, sys
votes = {}
for line in open(sys.argv[1]):
    vid, con, w, vote = line.split()
    if vote != "-":
        c, choice = vote.split("=")
        votes.setdefault(c, {}).setdefault(choice, 0)
        votes[c][choice] += int(w)
r = json.load(open(sys.argv[2]))
for contest in r["contests"]:
    cid = contest["contest"]
    got = contest["rounds"][-1]["votes"]
    for k, v in votes[cid].items():
        assert got.get(k) == v, (cid, k, got, votes[cid])
elected = {c["contest"]: c.get("elected") for c in r["contests"]}
# cat-cole 4 against ann-archer 3; olga-orr 3+2+6 = 11 against pat-poe 6
assert elected["ch"] == ["cat-cole"], elected
assert elected["om"] == ["olga-orr"], elected
assert [c.get("outcome") for c in r["contests"]][2] == "approved", r
EOF
echo "Too early." >early.txt
expect_status 2 at $C teller challenge file $E --text early.txt \
	--key keys/c01.pem --voter c01
expect_stderr "no certified result"
at $C teller certify $E >/dev/null
expect_status 2 at $C teller certify $E
at $C teller webhook deliver --once >/dev/null
"$PYTHON3" - received.jsonl <<'EOF' || fail "result.certified not received"
import json, sys
E = [json.loads(l) for l in open(sys.argv[1]) if '"status"' in l]
got = [(e["type"], e["verified"], e["status"]) for e in E]
assert got == [("result.certified", True, 200)], got
body = E[0]["body"]
assert body["election"] == "isoc-2030", body
EOF
pass "counted and certified; result.certified delivered and verified"

# --- challenges, decisions, the final result ---------------------------
echo "Ballots from two chapters were not counted." >challenge1.txt
echo "A recount is ordered." >decision1.txt
expect_status 2 at 2030-02-10T23:00:00Z teller challenge file $E \
	--text challenge1.txt --key keys/c03.pem --voter c03
expect_stderr "challenge phase"
expect_status 2 at 2030-02-11T01:00:00Z teller challenge file $E \
	--text challenge1.txt --key keys/stranger.pem --voter z99
expect_stderr "z99"
[ "$(at 2030-02-11T01:00:00Z teller challenge file $E --text challenge1.txt \
	--key keys/c03.pem --voter c03 | sed -n 's/^Challenge \([0-9]*\) .*/\1/p')" = 1 ] ||
	fail "challenge 1"
at 2030-02-12T00:00:00Z teller challenge resolve $E 1 --decision upheld \
	--remedy recount --text decision1.txt >/dev/null
[ "$(sql "SELECT state FROM elections WHERE id = '$E'")" = closed ] ||
	fail "a recount takes the election back to closed"
at 2030-02-12T01:00:00Z teller tally $E --json >result2.json
"$PYTHON3" -c 'import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
assert a["contests"] == b["contests"]' result1.json result2.json ||
	fail "the recount differs"
at 2030-02-12T02:00:00Z teller certify $E >/dev/null
echo "The petition threshold was too high." >challenge2.txt
echo "The threshold is in the bylaws." >decision2.txt
at 2030-02-13T00:00:00Z teller challenge file $E --text challenge2.txt \
	--key keys/o02.pem --voter o02 >/dev/null
expect_status 2 at 2030-02-21T00:00:00Z teller election finalize $E
expect_stderr "undecided"
at 2030-02-14T00:00:00Z teller challenge resolve $E 2 --decision dismissed \
	--text decision2.txt >/dev/null
expect_status 2 at 2030-02-19T00:00:00Z teller election finalize $E
expect_stderr "2030-02-20T00:00:00Z"
at 2030-02-20T00:00:00Z teller election finalize $E >/dev/null
at 2030-02-20T00:00:00Z teller election status $E --json |
	"$PYTHON3" -c 'import json,sys
d = json.load(sys.stdin)
assert d["state"] == "final" and d["outcome"] == "confirmed", d
assert d["challenges"] == 2 and d["unresolved"] == 0, d' ||
	fail "final status"
teller challenge list $E --json | "$PYTHON3" -c 'import json,sys
d = json.load(sys.stdin)
assert [(c["voter"], c["decision"], c["remedy"]) for c in d] == \
    [("c03", "upheld", "recount"), ("o02", "dismissed", None)], d' ||
	fail "challenge list"
expect_status 2 at 2030-02-20T01:00:00Z teller challenge file $E \
	--text challenge1.txt --key keys/c04.pem --voter c04
pass "challenges: upheld with a recount, dismissed; the result is final"

# --- turnout -----------------------------------------------------------
teller turnout $E --format json >turnout.json
"$PYTHON3" - voters.txt turnout.json <<'EOF' || fail "turnout"
import json, sys
want = {}
for line in open(sys.argv[1]):
    vid, con, w, vote = line.split()
    t = want.setdefault(con, [0, 0, 0, 0, []])
    t[0] += 1
    t[1] += int(w)
    if vote != "-":
        t[2] += 1
        t[3] += int(w)
        t[4].append(vid)
def pct(a, b):
    q = (a * 20000 + b) // (2 * b)      # hundredths, half up
    return "%d.%02d%%" % (q // 100, q % 100)
d = json.load(open(sys.argv[2]))
for c in d["constituencies"]:
    e, ew, v, vw, ids = want[c["constituency"]]
    got = (c["eligible"], c["eligible_weight"], c["voted"], c["voted_weight"],
           c["percent"], c["percent_weighted"],
           [x["id"] for x in c["voters"] if x["voted"]])
    assert got == (e, ew, v, vw, pct(v, e), pct(vw, ew), ids), (got, want)
assert [c["constituency"] for c in d["constituencies"]] == \
    ["chapters", "orgs", "ietf"]
EOF
teller turnout $E --format csv >turnout.csv
grep -qx "orgs,o05,Member o05,4,no" turnout.csv || fail "turnout csv"
grep -qx "chapters,c09,Member c09,1,yes" turnout.csv || fail "turnout csv"
pass "turnout per constituency, by head and by weight"

# --- the public record -------------------------------------------------
teller export $E --output record.jsonl
expect_status 0 teller verify record.jsonl
grep -q "VALID" "$T/stdout" || fail "verify's verdict"
# The reference count, written from the documents, gives both results'
# bytes (the count and the recount, with the RFC 3797 key string).
refcount_record record.jsonl
expect_status 0 teller verify record.jsonl --turnout --json
"$PYTHON3" - "$T/stdout" turnout.json <<'EOF' || fail "verify --turnout"
import json, sys
report = json.load(open(sys.argv[1]))
assert report["valid"] is True, report.get("problems")
assert report["turnout"] == json.load(open(sys.argv[2])), report["turnout"]
EOF
# Every endorsement, amendment, certification, challenge and decision is
# in the record.
"$PYTHON3" - record.jsonl <<'EOF' || fail "the record's entries"
import json, sys
types = [json.loads(l)["payloadType"].rsplit("/", 1)[-1].split("+")[0]
         for l in open(sys.argv[1])]
count = lambda s: types.count("vnd.teller." + s)
assert count("candidate") == 3, types
assert count("petition") == 3, types
assert count("endorsement") == 10, types
assert count("manifest") == 2, types   # initial, and voting definition
assert count("amendment") == 1, types
assert count("certification") == 2, types
assert count("challenge") == 2, types
assert count("decision") == 2, types
assert count("final") == 1, types
assert count("result") == 2, types    # counted, and recounted
EOF
# A record without one of its endorsements does not verify.
line=$(grep -n "" record.jsonl | "$PYTHON3" -c 'import base64, json, sys
for l in sys.stdin:
    n, text = l.split(":", 1)
    t = json.loads(text).get("payloadType", "")
    if "endorsement" in t:
        print(n); break')
sed "${line}d" record.jsonl >cut.jsonl
expect_status 1 teller verify cut.jsonl
pass "exported; verify passes, its turnout matches, a cut record fails"
