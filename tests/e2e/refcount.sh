#!/bin/sh
# refcount.sh: the documents are enough to reproduce every count, byte for
# byte.  tests/refcount.py is a second implementation of the counts,
# written from doc/record-format.md, doc/methods.md and
# doc/result-format.md alone (no C source); here it must give the same
# bytes as teller:
#   1. for every case of the shared conformance corpus ($TELLER_TESTDATA:
#      cases.json), with the case's method, and for its smaller files with
#      every other method and a seed (`teller count --format json`);
#   2. for every hand-worked BLT file of tests/data, with every method,
#      with and without a seed;
#   3. for random small BLT files (fixed seed) made to meet ties, decimal
#      weights, withdrawn candidates, exhausted papers and equal ranks;
#   4. for the exported records of two elections that use every method,
#      weights, revotes (last and first), blank ballots, quorums, ties
#      broken by lot from the close's random values (text and RFC 3797):
#      the result document recomputed from the record must be the signed
#      result's payload.  A result altered by one vote must not pass.
# (demo.sh, cycle.sh, record.sh, no-votes.sh, election.sh, rewrites.sh,
# serve.sh, serve-crash.sh, upgrade.sh, backup.sh and key-file.sh check
# their own counted records the same way, through refcount_record in
# lib.sh.)
. "$(dirname "$0")/lib.sh"
: "${TELLER_SRCDIR:?TELLER_SRCDIR must be set (make check sets it)}"
ref="$TELLER_SRCDIR/tests/refcount.py"

data=${TELLER_TESTDATA:-}
if [ -z "$data" ] && [ -d "$TELLER_SRCDIR/../shared/testdata" ]; then
	data=$(cd "$TELLER_SRCDIR/../shared/testdata" && pwd)
fi
if [ -n "$data" ] && [ -f "$data/cases.json" ]; then
	"$PYTHON3" "$ref" corpus "$TELLER" "$data" >"$T/corpus.out" ||
		{ grep -v '^ok' "$T/corpus.out"; fail "the conformance corpus"; }
	pass "$(tail -n 1 "$T/corpus.out") on the conformance corpus, byte for byte"
	# Its small files (the droop package's and the textbook examples)
	# with every method, and a seed.
	mkdir "$T/small"
	for f in "$data"/blt/droop/*.blt "$data"/blt/examples/*.blt; do
		[ "$(wc -c <"$f")" -le 50000 ] && ln -s "$f" "$T/small/"
	done
	"$PYTHON3" "$ref" corpus "$TELLER" "$T/small" >"$T/small.out" ||
		{ grep -v '^ok' "$T/small.out"; fail "the corpus with every method"; }
	pass "$(tail -n 1 "$T/small.out") on its small files with every method"
else
	echo "SKIP (part): the conformance corpus is absent (set TELLER_TESTDATA" \
	    "to the folder of cases.json); its cases were not compared"
fi

"$PYTHON3" "$ref" corpus "$TELLER" "$TELLER_SRCDIR/tests/data" \
	>"$T/local.out" || { grep -v '^ok' "$T/local.out"; fail "tests/data"; }
pass "$(tail -n 1 "$T/local.out") of tests/data, byte for byte"

# The limits of a count's sums (doc/methods.md, "BLT files" and "When a
# method cannot count its input"): weights that add up to 2^63 - 1 units
# of their decimals are counted, the same by both (but by stv-scottish,
# which takes 5 decimals at most); one unit more, one weight past the
# limit, or a whole weight that another weight's decimals carry past it,
# both refuse; and 93 weights of 10^12 are counted but by stv-scottish
# and stv-meek, whose units (10^-5, 10^-9) they overflow.
mkdir "$T/limits"
cd "$T/limits"
printf '2 1\n9223372036.854775806 1 0\n0.000000001 2 0\n0\nA\nB\n' >fits.blt
printf '2 1\n9223372036.854775807 1 0\n0.000000001 2 0\n0\nA\nB\n' >sum.blt
printf '2 1\n9223372036.854775808 1 0\n1 2 0\n0\nA\nB\n' >over.blt
printf '2 1\n1000000000000 1 0\n1.000000001 2 0\n0\nA\nB\n' >mixed.blt
"$PYTHON3" -c 'print("3 1"); [print("1000000000000 %d 0" % (1 + i % 3)) for i in range(93)]; print("0\nA\nB\nC")' >big.blt
for f in sum over mixed; do
	expect_status 2 teller count $f.blt --method plurality
	if "$PYTHON3" "$ref" blt $f.blt --method plurality >/dev/null 2>&1; then
		fail "the reference count reads $f.blt"
	fi
done
expect_stderr "weight too large"
"$PYTHON3" "$ref" corpus "$TELLER" . >"$T/limits.out" ||
	{ grep -v '^ok' "$T/limits.out"; fail "the limits of a count"; }
same=$(grep -c 'the same$' "$T/limits.out")
refused=$(grep -c 'both refuse' "$T/limits.out")
[ "$same" -eq 18 ] && [ "$refused" -eq 42 ] ||
	{ cat "$T/limits.out"; fail "the limits of a count: $same, $refused"; }
pass "a count's sums up to 2^63 - 1 units: the same count; past them both refuse"
cd "$T"

mkdir "$T/random"
"$PYTHON3" "$ref" random "$TELLER" "$T/random" 30 refcount-1 \
	>"$T/random.out" || { grep -v '^ok' "$T/random.out"; fail "random files"; }
pass "$(grep -c '^ok' "$T/random.out") counts of 30 random BLT files, byte for byte"

# --- 4. two elections' records ------------------------------------------
cd "$T"
teller init >/dev/null
cat >every.json <<EOF
{"id": "every-2026", "title": "Every method",
 "opens": "$(utc -3600)", "closes": "$(utc 86400)",
 "constituencies": [{"id": "members", "name": "Members"},
                    {"id": "board"}],
 "contests": [
  {"id": "pl", "title": "Plurality, a tie for the second seat",
   "constituency": "members", "seats": 2, "method": "plurality",
   "candidates": [{"id": "ann", "name": "Ann"}, {"id": "bob", "name": "Bob"},
                  {"id": "cat", "name": "Cat"}, {"id": "dan", "name": "Dan"}]},
  {"id": "ap", "title": "Approval with a quorum", "constituency": "members",
   "method": "approval", "options": {"quorum": 50},
   "candidates": [{"id": "x", "name": "X"}, {"id": "y", "name": "Y"},
                  {"id": "z", "name": "Z"}]},
  {"id": "ref", "title": "Two thirds", "constituency": "members",
   "method": "referendum",
   "options": {"threshold": "two-thirds", "quorum": 20, "quorum_ballots": 2}},
  {"id": "chair", "title": "IRV, an exclusion tie", "constituency": "members",
   "method": "irv",
   "candidates": [{"id": "ann", "name": "Ann"}, {"id": "bob", "name": "Bob"},
                  {"id": "cat", "name": "Cat"}]},
  {"id": "council", "title": "Scottish STV", "constituency": "members",
   "seats": 2, "method": "stv-scottish",
   "candidates": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"},
                  {"id": "c", "name": "C"}, {"id": "d", "name": "D"}]},
  {"id": "senate", "title": "Meek STV", "constituency": "members",
   "seats": 2, "method": "stv-meek",
   "candidates": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"},
                  {"id": "c", "name": "C"}, {"id": "d", "name": "D"}]},
  {"id": "cycle", "title": "Schulze, a cycle", "constituency": "members",
   "method": "schulze",
   "candidates": [{"id": "p", "name": "P"}, {"id": "q", "name": "Q"},
                  {"id": "r", "name": "R"}, {"id": "s", "name": "S"}]},
  {"id": "quiet", "title": "Nobody votes here", "constituency": "board",
   "method": "plurality", "options": {"quorum_ballots": 1},
   "candidates": [{"id": "u", "name": "U"}, {"id": "v", "name": "V"}]}],
 "random_sources": [{"name": "draw", "description": "a public draw"}]}
EOF
teller election create every.json >/dev/null
echo "voter_id,name,constituency,weight,public_key" >roll.csv
for v in m1:2 m2:1 m3:3 m4:1 m5:1 m6:2 b1:1 b2:1; do
	id=${v%:*}
	case $id in m*) c=members ;; *) c=board ;; esac
	echo "$id,Voter $id,$c,${v#*:},$(public_key "$id.pem")" >>roll.csv
done
teller roll import every-2026 roll.csv >/dev/null
teller election open every-2026 >/dev/null
teller manifest every-2026 --output every.signed.json

# cast FILE VOTER [ARGS...]: makes VOTER's ballot for the signed manifest
# FILE and casts it.
cast() {
	manifest=$1 voter=$2; shift 2
	teller ballot make --manifest "$manifest" --key "$voter.pem" \
		--voter "$voter" "$@" --output "$voter.ballot"
	teller ballot cast "$voter.ballot" >/dev/null
}
# Worked out so that (whatever the lot order) the plurality contest ties
# for its second seat (ann 5, bob 5), the IRV contest's three candidates
# tie at 3 in its first round, Scottish STV transfers a surplus and ties
# at an exclusion, Meek STV defeats by lot among candidates within the
# surplus, and Schulze leaves p and q unbeaten for the first place.
cast every.signed.json m1 --vote pl=ann,bob --vote ap=x,y --vote ref=yes \
	--vote chair=ann --vote council=d --vote senate='c>b>a' \
	--vote cycle='p>q>r>s'
cast every.signed.json m2 --vote pl=cat --vote ap=z --vote ref=no \
	--vote chair='bob>cat' --vote council='b>c' --vote senate='b>c>a' \
	--vote cycle='q>r>p'
cast every.signed.json m3 --vote pl=ann,dan --vote ap=x --vote ref=yes \
	--vote chair='bob>ann' --vote council=d --vote senate='b>c' \
	--vote cycle='p=q>r>s' --blank-all
cast every.signed.json m4 --vote pl=bob --blank ap --vote ref=abstain \
	--vote chair='ann>bob' --vote council=b --vote senate='d>a>c>b' \
	--vote cycle='s>r'
cast every.signed.json m5 --blank-all
cast every.signed.json m6 --vote pl=bob,dan --vote ap=y,z --vote ref=no \
	--vote chair='cat>bob' --vote council='c>b>d' --vote senate='a>b>d' \
	--vote cycle='q>p>s>r'
# m2 votes again: the last ballot counts.
cast every.signed.json m2 --seq 2 --vote pl=dan --vote ap=z --vote ref=yes \
	--vote chair='cat>ann' --vote council='a>b>c' --vote senate='d>c>b>a' \
	--vote cycle='r>s'
teller election close every-2026 --random "a public value" --early \
	--reason test >/dev/null
teller tally every-2026 >/dev/null
teller export every-2026 --output every.jsonl
expect_status 0 teller verify every.jsonl
refcount_record every.jsonl
"$PYTHON3" - every.jsonl <<'EOF'
# The record reaches what this test is for: ties broken by lot and by an
# earlier stage, transfers, a contest below its quorum, one with no votes.
import base64, json, sys
for line in open(sys.argv[1]):
    env = json.loads(line)
    if env.get("payloadType", "").endswith("result+json"):
        result = json.loads(base64.b64decode(env["payload"]))
c = {r["contest"]: r for r in result["contests"]}
def questions(contest):
    return [t["question"] for t in c[contest]["ties"]]
assert questions("pl") == ["who fills the last seat(s)"], c["pl"]
assert c["pl"]["ties"][0]["candidates"] == ["ann", "bob"], c["pl"]
assert "which candidate to exclude" in questions("chair"), c["chair"]
assert "which candidate to exclude (rule 51)" in questions("council"), \
    c["council"]
assert any(r["action"]["type"] == "surplus" for r in c["council"]["rounds"])
assert any(q.startswith("which candidate to defeat")
           for q in questions("senate")), c["senate"]
assert c["cycle"]["ties"][0]["candidates"] == ["p", "q"], c["cycle"]
assert c["ap"]["quorum"]["met"] is True, c["ap"]
assert c["ref"]["quorum"]["participating_ballots"] == 5, c["ref"]
assert c["quiet"]["outcome"] == "no-valid-votes", c["quiet"]
EOF
pass "a record with every method: the reference count gives the signed result's bytes"

# A result that differs from the recount by one vote must not pass.
"$PYTHON3" - every.jsonl every-bad.jsonl <<'EOF'
import base64, json, sys
out = []
for line in open(sys.argv[1]).read().splitlines():
    if '"payloadType":"application/vnd.teller.result+json"' in line:
        env = json.loads(line)
        payload = base64.b64decode(env["payload"]).replace(
            b'"votes":{"ann":', b'"votes":{"ann":1', 1)
        env["payload"] = base64.b64encode(payload).decode()
        line = json.dumps(env, separators=(",", ":"))
    out.append(line)
open(sys.argv[2], "w").write("\n".join(out) + "\n")
EOF
cmp -s every.jsonl every-bad.jsonl && fail "the result was not altered"
if "$PYTHON3" "$ref" record every-bad.jsonl >bad.out 2>&1; then
	cat bad.out; fail "the reference count accepts an altered result"
fi
grep -q "^FAIL every-bad.jsonl: result 1 differs" bad.out ||
	{ cat bad.out; fail "the altered result is not named"; }
pass "an altered result does not pass the reference count"

# A second election: RFC 3797 random sources, the first ballot counts,
# decimal-free weights up to the roll's limit, and a referendum by
# majority.
cat >first.json <<EOF
{"id": "first-2026", "title": "The first ballot counts", "revote": "first",
 "opens": "$(utc -3600)", "closes": "$(utc 86400)",
 "constituencies": [{"id": "members", "name": "Members"}],
 "contests": [
  {"id": "board", "title": "Board", "constituency": "members", "seats": 3,
   "method": "stv-scottish",
   "candidates": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"},
                  {"id": "c", "name": "C"}, {"id": "d", "name": "D"},
                  {"id": "e", "name": "E"}]},
  {"id": "motion", "title": "Motion", "constituency": "members",
   "method": "referendum"}],
 "random_sources": [{"name": "lottery", "form": "rfc3797"},
                    {"name": "index", "form": "rfc3797"}]}
EOF
teller election create first.json >/dev/null
echo "voter_id,name,constituency,weight,public_key" >roll2.csv
for v in f1:1000 f2:7 f3:1 f4:3; do
	echo "${v%:*},Voter ${v%:*},members,${v#*:},$(public_key "${v%:*}.pem")" >>roll2.csv
done
teller roll import first-2026 roll2.csv >/dev/null
teller election open first-2026 >/dev/null
teller manifest first-2026 --output first.signed.json
cast first.signed.json f1 --vote board='e>d' --vote motion=no
cast first.signed.json f2 --vote board='a>b>c' --vote motion=yes
cast first.signed.json f3 --vote board='b>a' --vote motion=yes
cast first.signed.json f4 --vote board='c>a>b' --blank motion
teller election close first-2026 --random "17 3 42" --random "9319 .23" \
	--early --reason test >/dev/null
teller tally first-2026 >/dev/null
teller export first-2026 --output first.jsonl
expect_status 0 teller verify first.jsonl
refcount_record first.jsonl
pass "a record with RFC 3797 sources and the first ballot counting, byte for byte"

# The worked example of doc/result-format.md (section 13) is what teller
# signs for that election, byte for byte.
cat >club.json <<EOF
{"id": "club", "title": "Club", "opens": "$(utc -3600)",
 "closes": "$(utc 86400)", "constituencies": [{"id": "m"}],
 "contests": [{"id": "board", "title": "Board", "constituency": "m",
   "method": "plurality", "candidates": [{"id": "ann", "name": "Ann"},
                                         {"id": "bob", "name": "Bob"}]}]}
EOF
teller election create club.json >/dev/null
echo "voter_id,name,constituency,weight,public_key" >roll3.csv
for v in c1 c2 c3; do echo "$v,$v,m,1,$(public_key "$v.pem")" >>roll3.csv; done
teller roll import club roll3.csv >/dev/null
teller election open club >/dev/null
teller manifest club --output club.signed.json
cast club.signed.json c1 --vote board=ann
cast club.signed.json c2 --vote board=ann
teller election close club --early --reason test >/dev/null
teller tally club >/dev/null
teller export club --output club.jsonl
refcount_record club.jsonl
"$PYTHON3" - "$TELLER_SRCDIR/doc/result-format.md" club.jsonl <<'EOF'
import base64, hashlib, json, re, sys
doc = open(sys.argv[1]).read()
example = doc[doc.index("## 13. A worked example"):]
report, document = re.findall(r"```\n(.*?)\n```", example, re.S)[:2]
for line in open(sys.argv[2]):
    env = json.loads(line)
    kind = env.get("payloadType", "")
    if kind.endswith("manifest+json"):
        manifest = base64.b64decode(env["payload"])
    if kind.endswith("result+json"):
        result = base64.b64decode(env["payload"]).decode()
want = document.replace("REPORT", report).replace(
    '"H"', '"%s"' % hashlib.sha256(manifest).hexdigest())
assert result == want, "\n%s\n%s" % (result, want)
EOF
pass "the worked example of doc/result-format.md is the signed result"
