#!/bin/sh
# A draft can be fixed: 'teller election update' replaces its manifest,
# 'teller election delete' removes it with its roll, 'teller roll list
# --format csv' writes its roll as 'roll import' reads it, 'teller roll
# remove' takes voters off it and 'teller roll import --replace' replaces
# it; once the election is published or open, each is refused with the
# state in the message, and nothing changes.
. "$(dirname "$0")/lib.sh"

cd "$T"
digest() { "$PYTHON3" -c 'import hashlib,sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(hashlib.sha256(repr([c.execute("SELECT * FROM %s ORDER BY 1, 2" % t).fetchall() for t in ("elections", "constituencies", "contests", "candidates", "voters")]).encode()).hexdigest())' "$TELLER_DB"; }
teller init >/dev/null

# --- election update ----------------------------------------------------------
small_election d
teller election show d --json >before.json
cat >d2.json <<EOF2
{"id": "d", "title": "The fixed title", "opens": "$(utc -3600)", "closes": "$(utc 7200)",
 "constituencies": [{"id": "a", "weights": {"min": 1, "max": 3}}, {"id": "b"}],
 "contests": [{"id": "c", "title": "C", "constituency": "a", "seats": 2,
   "method": "plurality", "candidates": [{"id": "x", "name": "X"}, {"id": "y", "name": "Y"}]},
  {"id": "r", "title": "R", "constituency": "b", "method": "referendum"}]}
EOF2
teller election update d d2.json >out.txt
grep -q "Election d now has the manifest of d2.json" out.txt || fail "update said: $(cat out.txt)"
teller election show d --json >after.json
"$PYTHON3" - after.json <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
assert e["title"] == "The fixed title", e["title"]
assert e["state"] == "draft", e["state"]
assert [c["id"] for c in e["contests"]] == ["c", "r"], e["contests"]
assert [c["id"] for c in e["constituencies"]] == ["a", "b"], e["constituencies"]
assert e["constituencies"][0]["voters"] == 1, e["constituencies"]
PY
[ "$(sql "SELECT COUNT(*) FROM candidates WHERE election_id = 'd'")" = 2 ] || fail "the candidates were not replaced"
[ "$(sql "SELECT json_extract(manifest_json, '$.title') FROM elections WHERE id = 'd'")" = "The fixed title" ] \
	|| fail "the stored manifest was not replaced"
teller election open d >/dev/null 2>&1 && fail "opened with constituency b empty" || true
pass "update replaces a draft's manifest, keeping its roll"

# What update refuses, leaving the draft as it was.
before=$(digest)
sed 's/"id": "d"/"id": "e"/' d2.json >other-id.json
expect_status 2 teller election update d other-id.json
expect_stderr "other-id.json: id: the manifest is of election \"e\", not d"
sed 's/{"id": "a", "weights": {"min": 1, "max": 3}}, //; s/"constituency": "a"/"constituency": "b"/' d2.json >no-a.json
expect_status 2 teller election update d no-a.json
expect_stderr "voter v1 on the roll of election d is in constituency a, which this manifest does not have"
sed 's/"min": 1, "max": 3/"min": 2, "max": 3/' d2.json >heavier.json
expect_status 2 teller election update d heavier.json
expect_stderr "heavier.json: constituencies[0].weights: voter v1 on the roll of election d has weight 1, outside 2 to 3"
sed 's/"seats": 2/"seats": 3/' d2.json >bad.json
expect_status 2 teller election update d bad.json
expect_stderr "bad.json: contests[0].seats: 3 seats but only 2 candidates"
expect_status 2 teller election update d nope.json
expect_stderr "nope.json"
expect_status 2 teller election update nope d2.json
expect_stderr "no election \"nope\""
[ "$(digest)" = "$before" ] || fail "a refused update changed the database"
pass "update refuses another id, a roll that no longer fits, a bad manifest; nothing changes"

# --- election delete ----------------------------------------------------------
small_election gone
openssl rand -hex 32 >secret.txt
teller webhook add http://127.0.0.1:9/ --election gone --secret-file secret.txt >/dev/null
teller webhook add http://127.0.0.1:9/ --all --secret-file secret.txt >/dev/null
# A voter still to enrol, with a link sent (printed).
printf 'voter_id,name,constituency,weight,public_key,email\nv9,Nine,a,1,,v9@example.org\n' >enrol.csv
teller roll import gone enrol.csv >/dev/null
teller invite gone --url https://vote.example.org --print >/dev/null 2>&1
[ "$(sql "SELECT COUNT(*) FROM enrolment_tokens WHERE election_id = 'gone'")" = 1 ] || fail "no enrolment link to delete"
teller election delete gone >out.txt
grep -q "Deleted the draft election gone, with its roll of 2 voters." out.txt || fail "delete said: $(cat out.txt)"
for t in elections constituencies contests candidates voters webhook_endpoints enrolment_tokens notices; do
	col=election_id; [ $t = elections ] && col=id
	[ "$(sql "SELECT COUNT(*) FROM $t WHERE $col = 'gone'")" = 0 ] || fail "$t still has rows of gone"
done
[ "$(sql "SELECT COUNT(*) FROM webhook_endpoints")" = 1 ] || fail "the endpoint of every election went too"
[ "$(sql "SELECT COUNT(*) FROM voters WHERE election_id = 'd'")" = 1 ] || fail "another election's roll went too"
[ "$(sql "PRAGMA foreign_key_check")" = "" ] || fail "delete left rows that refer to nothing"
# The id can be used again.
small_election gone
teller election delete gone >/dev/null
expect_status 2 teller election delete gone
expect_stderr "no election \"gone\""
pass "delete removes a draft with its roll and endpoints, and nothing else"

# --- the roll: list, remove, replace ------------------------------------------
small_election r
k2=$(public_key k2.pem); k3=$(public_key k3.pem)
printf 'voter_id,name,constituency,weight,public_key,email\nv2,"Two, ""the second""",a,2,%s,\nv3,Three,a,1,,v3@example.org\n' \
	"$k2" >more.csv
teller roll import r more.csv >/dev/null
teller roll list r --format csv >list.csv
cat >want.csv <<EOF2
voter_id,name,constituency,weight,public_key,email
v1,V1,a,1,$pub,
v2,"Two, ""the second""",a,2,$k2,
v3,Three,a,1,,v3@example.org
EOF2
cmp list.csv want.csv || { diff list.csv want.csv; fail "roll list --format csv"; }
teller roll list r --format json >list.json
"$PYTHON3" - list.json <<'PY'
import json, sys
l = json.load(open(sys.argv[1]))
assert [v["voter"] for v in l] == ["v1", "v2", "v3"], l
assert l[1]["name"] == 'Two, "the second"' and l[1]["weight"] == 2, l[1]
assert l[2]["enrolment"] == "pending" and l[2]["email"] == "v3@example.org", l[2]
PY
teller roll list r --json | cmp - list.json || fail "--json is not --format json"
teller roll list r >list.txt
grep -q "^v2 " list.txt && grep -q "3 voters" list.txt || { cat list.txt; fail "roll list (text)"; }
expect_status 2 teller roll list r --format xml
expect_stderr "--format must be text, csv or json"
pass "roll list: text, json, and csv in the form roll import reads"

# remove: all or nothing.
before=$(digest)
expect_status 2 teller roll remove r v2 nobody
expect_stderr "voter nobody is not on the roll of election r; nothing was removed"
[ "$(digest)" = "$before" ] || fail "a refused remove changed the roll"
teller roll remove r v2 v3 >out.txt
grep -q "Removed 2 voters from the roll of election r." out.txt || fail "remove said: $(cat out.txt)"
[ "$(sql "SELECT group_concat(id) FROM voters WHERE election_id = 'r'")" = v1 ] || fail "remove left the wrong voters"
pass "roll remove takes voters off a draft's roll, all or none"

# --replace: the edited list goes back as the whole roll.
sed '/^v1,/d; s/^v2,\(.*\),a,2,/v2,\1,a,5,/' list.csv >edited.csv
teller roll import r edited.csv --replace >out.txt
grep -q "Replaced the roll of election r: 2 voters from edited.csv in place of 1." out.txt || fail "replace said: $(cat out.txt)"
[ "$(sql "SELECT group_concat(x) FROM (SELECT id || ':' || weight AS x FROM voters WHERE election_id = 'r' ORDER BY rowid)")" = "v2:5,v3:1" ] \
	|| fail "the roll was not replaced"
# A file with an error replaces nothing; without --replace, a voter
# already there is refused.
before=$(digest)
printf 'voter_id,name,constituency,weight,public_key\nv1,V1,a,1,%s\nv4,Four,zz,1,%s\n' "$pub" "$k3" >bad.csv
expect_status 2 teller roll import r bad.csv --replace
expect_stderr "bad.csv:3: constituency: \"zz\""
expect_status 2 teller roll import r edited.csv
expect_stderr "edited.csv:2: voter_id: voter v2 is already on the roll of election r"
[ "$(digest)" = "$before" ] || fail "a refused import changed the roll"
pass "roll import --replace replaces the whole roll, or nothing"

# --- refused after the log starts, naming the state ---------------------------
teller election update d "$T/d.json" >/dev/null
teller election open d >/dev/null
before=$(digest)
expect_status 2 teller election update d d.json
expect_stderr "election d is open, not a draft: only a draft's manifest can be replaced"
expect_status 2 teller election delete d
expect_stderr "election d is open, not a draft: only a draft can be deleted"
expect_status 2 teller roll import d roll.csv
expect_stderr "election d is open, not a draft: only a draft's roll can change"
expect_status 2 teller roll import d roll.csv --replace
expect_stderr "election d is open, not a draft: only a draft's roll can change"
expect_status 2 teller roll remove d v1
expect_stderr "election d is open, not a draft: only a draft's roll can change"
[ "$(digest)" = "$before" ] || fail "a refused change touched an open election"

# An election with a nomination stage, published: no longer a draft.
cat >p.json <<EOF2
{"id": "p", "title": "P", "opens": "$(utc 7200)", "closes": "$(utc 86400)",
 "timetable": {"nominations": {"opens": "$(utc -3600)", "closes": "$(utc 3600)"}},
 "constituencies": [{"id": "a"}],
 "contests": [{"id": "c", "title": "C", "constituency": "a",
   "method": "plurality", "candidates": [{"id": "x", "name": "X"}]}]}
EOF2
teller election create p.json >/dev/null
teller roll import p roll.csv >/dev/null
teller election publish p >/dev/null
before=$(digest)
expect_status 2 teller election update p p.json
expect_stderr "election p is published, not a draft"
expect_status 2 teller election delete p
expect_stderr "election p is published, not a draft"
expect_status 2 teller roll import p roll.csv
expect_stderr "election p is published, not a draft: only a draft's roll can change"
expect_status 2 teller roll import p roll.csv --replace
expect_stderr "election p is published"
expect_status 2 teller roll remove p v1
expect_stderr "election p is published"
[ "$(digest)" = "$before" ] || fail "a refused change touched a published election"
pass "after publish or open, every change to the draft is refused with the state"
