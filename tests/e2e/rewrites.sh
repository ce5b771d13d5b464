#!/bin/sh
# What a record cannot prove on its own, and what catches it
# (doc/record-format.md section 11, doc/threat-model.md): an authority
# holding its key and its database rewrites history, and the rewritten
# record verifies; then the voter's own checks catch it.
#   - the roll changed before it was frozen: 'teller roll check' shows a
#     voter their entry and whether its key is theirs (from a record and
#     from a server);
#   - a challenge suppressed: 'teller challenge file' gives the challenger
#     a receipt, which fails against a record that dropped the challenge.
# TELLER_NOW moves the clock.
. "$(dirname "$0")/serve-lib.sh"

cd "$T"
at() { t=$1; shift; TELLER_NOW=$t "$@"; }
E=club

teller init >/dev/null
mkdir keys
cat >manifest.json <<'EOF'
{"id": "club", "title": "Club board",
 "opens": "2030-02-01T00:00:00Z", "closes": "2030-02-10T00:00:00Z",
 "timetable": {"challenge": {"opens": "2030-02-11T00:00:00Z",
                             "closes": "2030-02-20T00:00:00Z"}},
 "constituencies": [{"id": "members", "name": "Members"}],
 "contests": [{"id": "board", "title": "Board", "constituency": "members",
   "seats": 1, "method": "plurality",
   "candidates": [{"id": "ann", "name": "Ann"}, {"id": "ben", "name": "Ben"}]}]}
EOF
at 2030-01-01T00:00:00Z teller election create manifest.json >/dev/null
echo "voter_id,name,constituency,weight,public_key" >roll.csv
for i in 1 2 3; do
	echo "m$i,Member $i,members,$i,$(public_key keys/m$i.pem)" >>roll.csv
done
# The authority puts its own key on m4's line: m4 cannot vote, and
# whoever holds that key can, in m4's name.
public_key keys/m4.pem >/dev/null
echo "m4,Member 4,members,1,$(public_key keys/impostor.pem)" >>roll.csv
teller roll import $E roll.csv >/dev/null
at 2030-02-01T00:00:00Z teller election open $E >/dev/null
teller manifest $E --output signed.json
for i in 1 2 3; do
	teller ballot make --manifest signed.json --key keys/m$i.pem \
		--voter m$i --vote board=ann --output b$i.json
	at 2030-02-02T00:00:00Z teller ballot cast b$i.json >/dev/null
done
teller export $E --output open.jsonl

# --- the roll: each voter checks their own entry --------------------------------

expect_status 0 teller roll check --record open.jsonl --voter m2 --key keys/m2.pem
grep -q "weight        2" "$T/stdout" || fail "m2's weight"
grep -q "The key on the roll is yours" "$T/stdout" || fail "m2's key"
expect_status 1 teller roll check --record open.jsonl --voter m4 --key keys/m4.pem
grep -q "NOT yours" "$T/stdout" || fail "m4's key is not m4's"
expect_status 1 teller roll check --record open.jsonl --voter m9
grep -q "NOT on the roll" "$T/stdout" || fail "m9"
expect_status 0 teller roll check --record open.jsonl --voter m1 --json \
	--public-key "$(sed -n 2p roll.csv | cut -d, -f5)"
"$PYTHON3" -c 'import json,sys
d = json.load(open(sys.argv[1]))
assert d["voter"]["id"] == "m1" and d["voter"]["weight"] == 1, d
assert d["key_matches"] is True and d["valid"] is True, d' "$T/stdout" ||
	fail "roll check --json"
expect_status 1 teller roll check --record open.jsonl --voter m1 --json \
	--public-key "$(sed -n 3p roll.csv | cut -d, -f5)"
# A roll line altered after the fact is not the signed roll.
"$PYTHON3" - open.jsonl <<'EOF'
import base64, json, sys
lines = open(sys.argv[1]).read().splitlines()
env = json.loads(lines[1])
roll = json.loads(base64.b64decode(env["payload"]))
roll["voters"][0]["weight"] = 9
env["payload"] = base64.b64encode(json.dumps(roll, separators=(",", ":")).encode()).decode()
lines[1] = json.dumps(env, separators=(",", ":"))
open("altered.jsonl", "w").write("\n".join(lines) + "\n")
EOF
expect_status 1 teller roll check --record altered.jsonl --voter m1
start_server TELLER_NOW=2030-02-03T00:00:00Z
expect_status 0 teller roll check --server "$URL" --election $E --voter m3 \
	--key keys/m3.pem --manifest signed.json
grep -q "entry 1 of the log of club" "$T/stdout" || fail "from the server"
expect_status 1 teller roll check --server "$URL" --election $E --voter m4 \
	--key keys/m4.pem
expect_status 2 teller roll check --server "$URL" --voter m1
stop_server
pass "roll check: each voter sees their entry, and whether the key is theirs"

# --- a challenge suppressed -------------------------------------------------------

at 2030-02-10T00:00:00Z teller election close $E >/dev/null
at 2030-02-10T01:00:00Z teller tally $E >/dev/null
at 2030-02-11T00:00:00Z teller certify $E >/dev/null
echo "Member 4 could not vote: the key on the roll is not theirs." >text.txt
expect_status 0 at 2030-02-12T00:00:00Z teller challenge file $E \
	--text text.txt --key keys/m2.pem --voter m2 --receipt challenge.receipt
grep -q "^Challenge 1 recorded" "$T/stdout" || fail "challenge number"
teller export $E --output challenged.jsonl
expect_status 0 teller receipt verify challenge.receipt --record challenged.jsonl --json
"$PYTHON3" -c 'import json,sys
d = json.load(open(sys.argv[1]))
assert d["valid"] and d["kind"] == "challenge" and "challenge" in d, d' "$T/stdout" ||
	fail "the challenge's receipt"
# Without --receipt, the receipt follows the message.
expect_status 0 at 2030-02-12T01:00:00Z teller challenge file $E \
	--text text.txt --key keys/m1.pem --voter m1
tail -n 1 "$T/stdout" >challenge2.receipt
teller export $E --output challenged.jsonl
expect_status 0 teller receipt verify challenge2.receipt --record challenged.jsonl
# The receipt names a challenge: not a ballot's place.
"$PYTHON3" - challenge.receipt <<'EOF'
import base64, json, sys
env = json.load(open(sys.argv[1]))
p = json.loads(base64.b64decode(env["payload"]))
assert "challenge" in p and "ballot" not in p, p
EOF

# The authority drops both challenges from its log, as if they had never
# been filed, and makes the result final: a consistent record, signed.
"$PYTHON3" - "$TELLER_DB" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n = db.execute("SELECT MIN(leaf_index) FROM challenges").fetchone()[0]
for sql in ("DELETE FROM challenges WHERE election_id = 'club'",
            "DELETE FROM log WHERE election_id = 'club' AND leaf_index >= ?",
            "DELETE FROM merkle_nodes WHERE election_id = 'club' AND ((idx + 1) << level) > ?",
            "DELETE FROM tree_heads WHERE election_id = 'club' AND size > ?"):
    db.execute(sql, () if "?" not in sql else (n,))
db.commit()
EOF
at 2030-02-20T00:00:00Z teller election finalize $E >/dev/null
teller export $E --output suppressed.jsonl
expect_status 0 teller verify suppressed.jsonl
refcount_record challenged.jsonl suppressed.jsonl
expect_status 1 teller receipt verify challenge.receipt --record suppressed.jsonl
grep -q "FAIL" "$T/stdout" || fail "the suppression is not shown"
expect_status 1 teller receipt verify challenge2.receipt --record suppressed.jsonl
pass "a suppressed challenge: the record verifies, the challenger's receipt does not"
