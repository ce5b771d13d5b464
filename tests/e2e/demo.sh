#!/bin/sh
# teller demo runs a whole ISOC-style election, and the same seed gives the
# same counts.  Its Chapters and Organization Members vote by secret ballot
# (isoc-2026), the IESG by roll-call (isoc-2026-iesg); in the secret
# election's database and export nothing ties a ballot to its voter, and
# its ballots are sealed for three trustees, two of whom unseal.
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
grep -q "Imported 113 voters into election isoc-2026\." "$T/one.txt" || fail "chapters roll"
grep -q "Imported 150 voters into election isoc-2026\." "$T/one.txt" || fail "organizations roll"
grep -q "Imported 15 voters into election isoc-2026-iesg\." "$T/one.txt" || fail "ietf roll"
grep -q "Method referendum" "$T/one.txt" || fail "no referendum"
grep -q "credential classes" "$T/one.txt" || fail "no credential classes at open"
grep -q "obtained a credential" "$T/one.txt" || fail "no credentials"
grep -q "teller ballot make --manifest manifest.signed.json --credential" "$T/one.txt" || fail "no secret ballot shown"
grep -q "teller ballot make --manifest manifest-iesg.signed.json --key" "$T/one.txt" || fail "no roll-call ballot shown"

# Counts (everything from the first contest to the end of turnout) are the
# same for the same seed; keys and hashes differ.
counts() { sed -n "/^Contest chapters/,/^  IETF/p" "$1" | grep -v -e Manifest -e '^\$'; }
counts "$T/one.txt" >"$T/c1"
counts "$T/two.txt" >"$T/c2"
counts "$T/three.txt" >"$T/c3"
[ -s "$T/c1" ] || fail "no counts found"
cmp -s "$T/c1" "$T/c2" || { diff "$T/c1" "$T/c2"; fail "same seed, different counts"; }
cmp -s "$T/c1" "$T/c3" && fail "different seeds gave identical counts"

# The database agrees with what was printed: turnout about 80% (ballot
# keys of the secret election, voters of the roll-call).
export TELLER_DB="$T/one/teller.db"
voted=$(sql "SELECT COUNT(DISTINCT key_id) FROM ballots")
[ "$voted" -ge 190 ] && [ "$voted" -le 250 ] || fail "turnout $voted of 278 is not about 80%"
[ "$(sql "SELECT COUNT(*) FROM elections WHERE state = 'counted'")" = 2 ] || fail "not both counted"
[ "$(sql "SELECT COUNT(*) FROM result_winners")" = 4 ] || fail "winners"
credentials=$(sed -n 's/^Demo complete: \([0-9]*\) credentials.*/\1/p' "$T/one.txt")
[ "$(sql "SELECT COUNT(*) FROM credentials WHERE election_id = 'isoc-2026'")" = "$credentials" ] || fail "credentials"
# Two witnesses cosigned the final tree head of the record the demo
# exported, which verifies with their quorum, and extends their states.
[ "$(tail -n 1 "$T/one/record.jsonl" | "$PYTHON3" -c 'import json,sys; print(sorted(c["witness"] for c in json.load(sys.stdin)["cosignatures"]))')" = \
	"['witness-1.demo.example/teller', 'witness-2.demo.example/teller']" ] ||
	fail "the record's cosignature line"
(cd "$T/one" && expect_status 0 teller verify record.jsonl \
	--head witness-1.state.json --head witness-2.state.json)
grep -q "cosigned by 2 of the 2 witnesses" "$T/stdout" || fail "the witnesses' quorum"
# The reference count, written from the documents, gives the signed
# result's bytes: the secret election's and the roll-call one's.
teller export isoc-2026-iesg >"$T/iesg.jsonl"
refcount_record "$T/one/record.jsonl" "$T/iesg.jsonl"
pass "the demo runs two elections, the secret one witnessed, and the same seed gives the same counts"

# The secret election's database: no voter id and no time with any
# ballot, none with a request or its issuance in the log, and no table or
# column that relates a ballot to a credential request.
[ "$(sql "SELECT COUNT(*) FROM ballots WHERE election_id = 'isoc-2026'")" -ge 150 ] || fail "secret ballots"
[ "$(sql "SELECT COUNT(*) FROM ballots WHERE election_id = 'isoc-2026' AND (voter_id IS NOT NULL OR received_at != 0)")" = 0 ] || fail "a secret ballot row names a voter or a time"
[ "$(sql "SELECT COUNT(*) FROM log WHERE election_id = 'isoc-2026' AND kind IN ('ballot', 'credential-request', 'credential') AND appended_at != 0")" = 0 ] || fail "a time with a secret entry"
[ "$(sql "SELECT COUNT(*) FROM ballots b JOIN voters v ON v.election_id = b.election_id AND v.key_id = b.key_id WHERE b.election_id = 'isoc-2026'")" = 0 ] || fail "a ballot key is a voter's"
[ "$(sql "SELECT COUNT(*) FROM ballots WHERE election_id = 'isoc-2026-iesg' AND voter_id IS NULL")" = 0 ] || fail "a roll-call ballot without its voter"
"$PYTHON3" - "$TELLER_DB" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
cols = {t: {r[1] for r in db.execute("PRAGMA table_info(%s)" % t)} for t in tables}
# The credentials (who obtained one) relate to no ballot, and the ballots
# to no request; nothing else holds both a ballot's and a request's mark.
assert not cols["credentials"] & {"ballot_id", "key_id", "credential_hash", "leaf_index", "received_at"}, cols["credentials"]
assert not cols["ballots"] & {"request_hash", "request_leaf", "issuance_leaf"}, cols["ballots"]
for t, c in cols.items():
    if t in ("credentials", "ballots"):
        continue
    assert not ({"request_hash", "request_leaf"} & c and {"credential_hash", "ballot_id"} & c), (t, c)
# And the data: no credential's request hash or leaf is a ballot's.
n = db.execute("SELECT COUNT(*) FROM ballots b JOIN credentials c ON c.election_id = b.election_id "
               "AND (c.request_hash IN (b.entry_hash, b.credential_hash) OR b.leaf_index IN (c.request_leaf, c.issuance_leaf))").fetchone()[0]
assert n == 0, n
PY
pass "the secret election's database relates no ballot to its voter"

# Its export: the record verifies, and no secret ballot names a voter.
teller export isoc-2026 >"$T/record.jsonl"
teller verify "$T/record.jsonl" >"$T/verify.txt" || { cat "$T/verify.txt"; fail "the demo's record does not verify"; }
grep -q "credentials    a secret election" "$T/verify.txt" || fail "no credentials check"
grep -q "for 3 trustees, threshold 2; 2 unsealed; opened with trustee-1, trustee-2; 0 spoiled" "$T/verify.txt" || { cat "$T/verify.txt"; fail "the sealed ballots not opened with two trustees' keys"; }
"$PYTHON3" - "$T/record.jsonl" "$T/one/roll-chapters.csv" "$T/one/roll-organizations.csv" <<'PY'
import base64, csv, json, sys
voters = set()
for path in sys.argv[2:]:
    voters |= {row["voter_id"] for row in csv.DictReader(open(path))}
ballots = 0
for line in open(sys.argv[1]):
    env = json.loads(line)
    if env.get("payloadType") != "application/vnd.teller.ballot+json":
        continue
    text = base64.b64decode(env["payload"]).decode()
    payload = json.loads(text)
    assert "voter" not in payload, payload
    # Sealed for the three trustees: no choice in the clear.
    assert "selections" not in payload and len(payload["sealed"]["shares"]) == 3, payload
    assert not any('"%s"' % v in text for v in voters), text
    ballots += 1
assert ballots >= 150, ballots
PY
pass "the secret election's export verifies, its ballots sealed for 3 trustees and opened with 2, none naming a voter"

# The demo refuses a directory that already holds one.
expect_status 2 teller demo --dir "$T/one"
expect_stderr "already holds a demo"
pass "demo refuses a used directory"
