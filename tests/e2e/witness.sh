#!/bin/sh
# Witnesses (doc/witness.md): two 'teller witness run' against a real
# 'teller serve' cosign its tree heads; the exported record carries their
# cosignatures and verifies with the quorum; voters' receipts are
# exchanged for witnessed ones.  Then the authority, holding its key and
# its database, rewrites the log after the witnesses saw it: truncated to
# a tree both had cosigned, the record still meets the quorum, but a
# witness's state shows it lost entries; closed with another history, the
# record no longer meets the quorum, the witness that saw the dropped
# ballot refuses the new tree head and keeps the evidence, and verify with
# that evidence fails.
. "$(dirname "$0")/serve-lib.sh"

cd "$T"
teller init >/dev/null
mkdir keys ballots receipts w1 w2
W1=$(public_key keys/w1.pem)
W2=$(public_key keys/w2.pem)
public_key keys/w3.pem >/dev/null

cat >club.json <<EOF
{"id": "club", "title": "Club board",
 "opens": "$(utc -3600)", "closes": "$(utc 86400)",
 "constituencies": [{"id": "members", "name": "Members"}],
 "contests": [{"id": "board", "title": "Board", "constituency": "members",
   "seats": 1, "method": "plurality",
   "candidates": [{"id": "ann", "name": "Ann"}, {"id": "ben", "name": "Ben"}]}],
 "random_sources": [{"name": "lottery"}],
 "witnesses": [{"name": "w1.example/teller", "public_key": "$W1"},
               {"name": "w2.example/teller", "public_key": "$W2"}],
 "witness_quorum": 2}
EOF
teller election create club.json >/dev/null
echo "voter_id,name,constituency,weight,public_key" >club.csv
for i in 1 2 3 4; do
	echo "m$i,Member $i,members,1,$(public_key keys/m$i.pem)" >>club.csv
done
teller roll import club club.csv >/dev/null
teller election open club >/dev/null
teller manifest club --output club.signed.json
for i in 1 2 3 4; do
	teller ballot make --manifest club.signed.json --key keys/m$i.pem \
		--voter m$i --vote board=ann --output ballots/m$i.json
done

start_server
pass "server started on $URL"

# witness N: one poll of witness wN.
witness() {
	teller witness run --server "$URL" --election club --key "keys/w$1.pem" \
		--name "w$1.example/teller" --state "w$1/club.json" --once
}

# --- the witnesses cosign ------------------------------------------------------

http GET /v1/elections/club/cosigned-head
expect_http 404 not_found
expect_status 0 witness 1
grep -q "cosigned the tree of 2 entries of election club" "$T/stdout" ||
	fail "witness 1 did not cosign the first tree"
http GET "/v1/elections/club/cosigned-head?quorum=1"
expect_http 200
[ "$(field 'len(d["cosignatures"])')" = 1 ] || fail "one cosignature served"
http GET /v1/elections/club/cosigned-head
expect_http 404 not_found
pass "a tree head cosigned by 1 of 2 witnesses does not meet the quorum"

for i in 1 2 3; do
	teller ballot cast "ballots/m$i.json" --server "$URL" \
		>"receipts/m$i.json"
done
expect_status 0 witness 1
grep -q "cosigned the tree of 5 entries" "$T/stdout" || fail "w1 at 5"
expect_status 0 witness 2
grep -q "cosigned the tree of 5 entries" "$T/stdout" || fail "w2 at 5"
# Polling again with nothing new cosigns nothing.
expect_status 0 witness 2
[ ! -s "$T/stdout" ] || fail "an unchanged tree was cosigned again"
http GET /v1/elections/club/cosigned-head
expect_http 200
[ "$(field 'len(d["cosignatures"]), sorted(c["witness"] for c in d["cosignatures"])')" = \
	"(2, ['w1.example/teller', 'w2.example/teller'])" ] || fail "quorum served"
pass "both witnesses cosigned the tree of 5 entries; the server serves it"

# The server refuses a cosignature it cannot check.
"$PYTHON3" - <<'EOF'
import json
state = json.load(open("w1/club.json"))
json.dump(state["cosigned"], open("w1.cosigned.json", "w"))
bad = json.loads(json.dumps(state["cosigned"]))
sig = bad["cosignatures"][0]["signature"]
bad["cosignatures"][0]["signature"] = sig[:20] + ("A" if sig[20] != "A" else "B") + sig[21:]
json.dump(bad, open("bad.cosigned.json", "w"))
other = json.loads(json.dumps(state["cosigned"]))
other["cosignatures"][0]["witness"] = "w9.example/teller"
json.dump(other, open("other.cosigned.json", "w"))
EOF
http POST /v1/elections/club/cosignatures --data-binary @bad.cosigned.json
expect_http 403 bad_signature
http POST /v1/elections/club/cosignatures --data-binary @other.cosigned.json
expect_http 422 verification_failed
body_has "not one of the witnesses"
http POST /v1/elections/club/cosignatures --data-binary '{"tree_head": 1}'
expect_http 400 invalid_input
pass "the server refuses cosignatures that do not check"

# --- the record carries the cosignatures -----------------------------------------

teller export club --output rec5.jsonl
tail -n 1 rec5.jsonl | grep -q '^{"cosignatures":' || fail "no cosignature line"
expect_status 0 teller verify rec5.jsonl --json
[ "$("$PYTHON3" -c 'import json,sys; w=json.load(open(sys.argv[1]))["witnesses"]; print(w["cosigned"], w["required"])' "$T/stdout")" = "2 2" ] ||
	fail "the record's witnesses"
expect_status 1 teller verify rec5.jsonl --witness-quorum 3
grep -q "no record of this election can meet that" "$T/stdout" || fail "quorum 3"
# A cosignature line whose signature was altered makes the record invalid.
"$PYTHON3" - rec5.jsonl <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
c = json.loads(lines[-1])
s = c["cosignatures"][1]["signature"]
c["cosignatures"][1]["signature"] = s[:30] + ("A" if s[30] != "A" else "B") + s[31:]
lines[-1] = json.dumps(c, sort_keys=True, separators=(",", ":"))
open("rec5-bad.jsonl", "w").write("\n".join(lines) + "\n")
EOF
expect_status 1 teller verify rec5-bad.jsonl --witness-quorum 0
grep -q "cosignatures\[1\]" "$T/stdout" || fail "a bad cosignature is not named"
pass "the record's cosignature line meets the quorum of 2 and is checked"

# --- witnessed receipts ------------------------------------------------------------

expect_status 1 teller receipt verify receipts/m1.json --record rec5.jsonl \
	--witness-quorum 2
grep -q "teller receipt witness" "$T/stdout" || fail "a fresh receipt is not witnessed"
expect_status 0 teller receipt witness receipts/m1.json --server "$URL" \
	--output receipts/m1.witnessed.json
expect_status 0 teller receipt verify receipts/m1.witnessed.json \
	--record rec5.jsonl --witness-quorum 2
expect_status 0 teller receipt verify receipts/m1.witnessed.json \
	--server "$URL" --witness-quorum 2
pass "a witnessed receipt holds against the record and the server"

# A fourth ballot: only witness 1 sees its tree.
teller ballot cast ballots/m4.json --server "$URL" >receipts/m4.json
expect_status 0 witness 1
grep -q "cosigned the tree of 6 entries" "$T/stdout" || fail "w1 at 6"
teller export club --output rec6.jsonl
stop_server

# --- the authority rewrites the log ----------------------------------------------

# Truncated to the tree of 5 entries both witnesses cosigned: m4's ballot
# and every trace of it go.
truncate_log() {
	"$PYTHON3" - "$TELLER_DB" "$1" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); n = int(sys.argv[2])
db.execute("PRAGMA foreign_keys = ON")
for sql in ("DELETE FROM selections WHERE ballot_id IN (SELECT id FROM ballots WHERE election_id = 'club' AND leaf_index >= ?)",
            "DELETE FROM ballots WHERE election_id = 'club' AND leaf_index >= ?",
            "DELETE FROM log WHERE election_id = 'club' AND leaf_index >= ?",
            "DELETE FROM merkle_nodes WHERE election_id = 'club' AND ((idx + 1) << level) > ?",
            "DELETE FROM tree_heads WHERE election_id = 'club' AND size > ?",
            "DELETE FROM cosignatures WHERE election_id = 'club' AND size > ?"):
    db.execute(sql, (n,))
db.commit()
EOF
}
truncate_log 5
teller export club --output truncated.jsonl
expect_status 0 teller verify truncated.jsonl
expect_status 1 teller verify truncated.jsonl --head w1/club.json
grep -q "w1/club.json: the authority signed a tree of 6 entries" "$T/stdout" ||
	fail "the truncation is not shown"
grep -q "cosigned by w1.example/teller" "$T/stdout" || fail "the witness is not named"
grep -q "the log lost entries" "$T/stdout" || fail "lost entries"
expect_status 1 teller receipt verify receipts/m4.json --record truncated.jsonl
pass "a record truncated to a witnessed tree meets the quorum, but fails with witness 1's state"

# Then the authority closes it: a tree of 6 entries with another root.
teller election close club --random 7 --early --reason "Closed by the authority." >/dev/null
teller export club --output rewritten.jsonl
expect_status 1 teller verify rewritten.jsonl
grep -q "cosigned by 0 of the 2 witnesses" "$T/stdout" || fail "quorum not met"
expect_status 0 teller verify rewritten.jsonl --witness-quorum 0
expect_status 1 teller verify rewritten.jsonl --witness-quorum 0 --head w1/club.json
grep -q "the record's first 6 entries are another tree" "$T/stdout" ||
	fail "the rewrite is not shown"
pass "the rewritten record fails the quorum, and fails with witness 1's state"

start_server
expect_status 1 witness 1
expect_stderr "WITNESS REFUSES the tree head of 6 entries"
expect_stderr "two different trees of 6 entries"
[ -s w1/club.json.evidence.json ] || fail "no evidence file"
"$PYTHON3" - w1/club.json.evidence.json <<'EOF'
import base64, json, sys
e = json.load(open(sys.argv[1]))
assert e["evidence"] == "inconsistent tree heads", e
a = json.loads(base64.b64decode(e["cosigned"]["tree_head"]["payload"]))
b = json.loads(base64.b64decode(e["refused"]["payload"]))
assert a["size"] == b["size"] == 6 and a["root"] != b["root"], (a, b)
assert e["cosigned"]["cosignatures"][0]["witness"] == "w1.example/teller"
EOF
# The state did not move: the witness keeps refusing.
expect_status 1 witness 1
[ -s w1/club.json.evidence.1.json ] || fail "the second evidence overwrote the first"
# Witness 2 never saw m4's ballot: the rewrite extends what it cosigned.
expect_status 0 witness 2
grep -q "cosigned the tree of 6 entries" "$T/stdout" || fail "w2 at 6"
stop_server
teller export club --output rewritten.jsonl
expect_status 1 teller verify rewritten.jsonl
grep -q "cosigned by 1 of the 2 witnesses" "$T/stdout" || fail "1 of 2"
expect_status 1 teller verify rewritten.jsonl --witness-quorum 1 \
	--head w1/club.json.evidence.json
grep -q "w1/club.json.evidence.json: the authority signed a tree of 6 entries" \
	"$T/stdout" || fail "the evidence is not used"
pass "witness 1 refuses the rewritten head and its evidence fails the record"

# --- a witness given tree heads ----------------------------------------------------

# Witness 3 (not named) cosigns the honest record of 6 entries, then is
# given the truncated one and the rewritten one: both refused.
mkdir w3
expect_status 0 teller witness cosign --key keys/w3.pem \
	--name w3.example/teller --state w3/club.json --record rec6.jsonl \
	--output w3.cosigned.json
expect_stderr "does not name witness w3.example/teller"
expect_status 1 teller witness cosign --key keys/w3.pem \
	--name w3.example/teller --state w3/club.json --record truncated.jsonl
expect_stderr "the log shrank"
expect_status 1 teller witness cosign --key keys/w3.pem \
	--name w3.example/teller --state w3/club.json --record rewritten.jsonl
expect_stderr "two different trees of 6 entries"
[ -s w3/club.json.evidence.1.json ] || fail "w3's second evidence"
# Given a bare tree head and the consistency proof, it cosigns: the head
# of the honest record again is unchanged.
tail -n 2 rec6.jsonl | head -n 1 >head6.json
expect_status 0 teller witness cosign --key keys/w3.pem \
	--name w3.example/teller --state w3/club.json --head head6.json
expect_stderr "the one this witness cosigned last"
# An unnamed witness's cosignature is not the authority's to keep; a
# named one's, given by hand, is.
expect_status 1 teller cosignature add club w3.cosigned.json
expect_stderr "not one of the witnesses"
expect_status 0 teller cosignature add club w1.cosigned.json
grep -q "has 2 cosignatures now" "$T/stdout" || fail "cosignature add"
pass "teller witness cosign judges the heads given to it"
