#!/bin/sh
# secret.sh: a secret election through the CLI and a real teller serve:
# the class keys logged at open (with the warning about small classes),
# credentials obtained locally and from the server (the same request again
# gets the same answer; another is refused and stores nothing), secret
# ballots made from them and cast, receipts, and the record: it verifies,
# its turnout is who obtained a credential, and nothing in it, in the
# database or in the server's access log ties a ballot to a voter.
. "$(dirname "$0")/serve-lib.sh"

cd "$T"
teller init >/dev/null
club_manifest last | sed 's/"title": "Club board",/& "secrecy": "secret",/' >manifest.json
grep -q '"secrecy": "secret"' manifest.json || fail "no secret manifest"
teller election create manifest.json >/dev/null
{
	echo "voter_id,name,constituency,weight,public_key"
	for i in 1 2 3 4 5 6; do echo "m$i,Member $i,members,1,$(public_key m$i.pem)"; done
	echo "big,Big Member,members,3,$(public_key big.pem)"
} >roll.csv
teller roll import club roll.csv >/dev/null

# Opening: one class per weight; the class of one voter is warned about.
expect_status 0 teller election open club
grep -q "2 credential classes" "$T/stdout" || fail "no classes at open"
expect_stderr "warning: class (members, weight 3) has 1 voter: a class of one voter is not secret at all"
[ "$(sql "SELECT kind FROM log WHERE leaf_index = 2")" = credential-keys ] || fail "no keys at entry 2"
teller manifest club --output signed.json
teller election show club --json >show.json
"$PYTHON3" - show.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["secrecy"] == "secret", d
assert [(c["weight"], c["voters"], c["issued"]) for c in d["credential_classes"]] == [(1, 6, 0), (3, 1, 0)], d
PY
pass "open: the class keys logged, the small class warned about"

# A credential from the local database: the file is the voter's alone.
expect_status 0 teller credential request --manifest signed.json --key m1.pem \
	--voter m1 -o m1.cred
grep -q "cast it later" "$T/stdout" || fail "no advice to cast later"
[ "$(stat -c %a m1.cred)" = 600 ] || fail "credential file mode $(stat -c %a m1.cred)"
# Done: the same file is not asked again; another file is another request.
expect_status 2 teller credential request --manifest signed.json --key m1.pem \
	--voter m1 -o m1.cred
expect_stderr "already holds voter m1's credential"
before=$(stored)
expect_status 2 teller credential request --manifest signed.json --key m1.pem \
	--voter m1 -o m1-again.cred
expect_stderr "already obtained a credential"
[ "$(stored)" = "$before" ] || fail "a refused request stored something"
# The wrong key for the voter.
expect_status 2 teller credential request --manifest signed.json --key m2.pem \
	--voter m1 -o wrong.cred
expect_stderr "not the one the roll gives voter m1"
[ "$(stored)" = "$before" ] || fail "a refused request stored something"
pass "a credential, once per voter, refused otherwise with nothing stored"

# The ballot: made with the credential, no voter id, cast locally.
expect_status 2 teller ballot make --manifest signed.json --key m1.pem --voter m1 \
	--vote board=ann
expect_stderr "is secret: make its ballot with --credential"
teller ballot make --manifest signed.json --credential m1.cred --vote board=ann -o b1.json
"$PYTHON3" - b1.json <<'EOF'
import base64, json, sys
p = json.loads(base64.b64decode(json.load(open(sys.argv[1]))["payload"]))
# Sealed (the authority is the election's only trustee): no choice in the clear.
assert "voter" not in p and set(p) == {"election", "manifest", "ballot_key", "credential", "seq", "sealed"}, p
assert len(p["sealed"]["shares"]) == 1, p
EOF
teller ballot cast b1.json -o r1.json
[ "$(sql "SELECT COUNT(*) FROM ballots WHERE voter_id IS NULL AND weight = 1")" = 1 ] || fail "secret ballot not stored as such"
pass "a secret ballot from the credential, cast locally"

# The server: credentials and ballots over HTTP.
start_server
http GET /v1/elections/club/credential-keys
expect_http 200
body_has credential-keys+json
teller credential request --manifest signed.json --key m2.pem --voter m2 \
	-o m2.cred --server "$URL" >/dev/null
teller credential request --manifest signed.json --key big.pem --voter big \
	-o big.cred --server "$URL" >/dev/null
teller ballot make --manifest signed.json --credential m2.cred --vote board=ben -o b2.json
teller ballot cast b2.json --server "$URL" -o r2.json
teller ballot make --manifest signed.json --credential big.cred --vote board=ben -o b3.json
teller ballot cast b3.json --server "$URL" -o r3.json
# A revote with the same credential, a higher seq.
teller ballot make --manifest signed.json --credential m2.cred --seq 2 --vote board=ann -o b2b.json
teller ballot cast b2b.json --server "$URL" -o r2b.json
pass "credentials and secret ballots through teller serve"

# A lost answer: the same request sent again gets the same issuance
# (200), logged once; another request of the voter is refused (409).
"$PYTHON3" - m2.cred >request.json <<'EOF'
import json, sys
print(json.load(open(sys.argv[1]))["request"])
EOF
before=$(stored)
http POST /v1/elections/club/credentials --data-binary @request.json
expect_http 200
cp "$T/body" again.json
http POST /v1/elections/club/credentials --data-binary @request.json
expect_http 200
cmp -s "$T/body" again.json || fail "the same request got another answer"
[ "$(stored)" = "$before" ] || fail "a repeated request stored something"
[ "$(sql "SELECT COUNT(*) FROM credentials WHERE voter_id = 'm2'")" = 1 ] || fail "two credentials for m2"
teller credential request --manifest signed.json --key m3.pem --voter m3 -o m3.cred \
	--server "$URL" >/dev/null
before=$(stored)
expect_status 2 teller credential request --manifest signed.json --key m3.pem \
	--voter m3 -o m3-other.cred --server "$URL"
expect_stderr "already obtained a credential"
http POST /v1/elections/club/credentials --data '{}'
expect_http 400 invalid_input
[ "$(stored)" = "$before" ] || fail "refusals stored something"
pass "the same request again: the same answer; another: refused"

# The access log names no client and no voter for any request.
stop_server
grep -q "POST /v1/elections/club/credentials" "$T/server.log" || fail "no access log lines"
if grep -E "127\.0\.0\.1|m[0-9]|big" "$T/server.log" | grep -v "serving" | grep -q .; then
	grep -E "127\.0\.0\.1|m[0-9]|big" "$T/server.log"
	fail "the access log names a client or a voter"
fi
pass "the access log names no client and no voter"

# Close, count, export, verify: valid; the turnout is who obtained a
# credential (4: m1, m2, m3, big), not who cast (3 ballot keys).
TELLER_NOW="$(utc 90000)" teller election close club >/dev/null
teller tally club >/dev/null
teller export club >record.jsonl
expect_status 0 teller verify record.jsonl --turnout --json
"$PYTHON3" - "$T/stdout" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["valid"] and r["secrecy"] == "secret", r["problems"]
c = r["credentials"]
assert c["issued"] == 4 and c["ballot_keys"] == 3, c
t = r["turnout"]["constituencies"][0]
assert t["voted"] == 4 and t["voted_weight"] == 6, t
rt = r["result"]["turnout"][0]
assert rt["voted"] == 3 and rt["voted_weight"] == 5, rt
# The authority, the only trustee, unsealed at the close: opened offline.
u = r["unseal"]
assert u["trustees"] == 1 and u["opening"] == ["authority"] and u["opened"], u
EOF
expect_status 0 teller verify record.jsonl
# The reference count, written from the documents, gives the signed
# result's bytes: ballot keys in the place of voters, the classes'
# weights, a revote by the same ballot key.
refcount_record record.jsonl
grep -q "a secret election: 2 classes keyed on line 3; 4 credential requests, 4 credentials issued, one per voter; 3 ballot keys voted" "$T/stdout" ||
	{ cat "$T/stdout"; fail "the credentials check's line"; }
expect_status 0 teller turnout club
grep -q "obtained a credential: 4 of 7" "$T/stdout" || { cat "$T/stdout"; fail "turnout text"; }
teller receipt verify r1.json --record record.jsonl >/dev/null
teller receipt verify r2b.json --record record.jsonl >/dev/null
pass "the record verifies; turnout is who obtained a credential; receipts hold"

# Nothing ties a ballot to a voter: not the record's secret ballots, not
# the database.
"$PYTHON3" - record.jsonl <<'EOF'
import base64, json, sys
voters = {"m%d" % i for i in range(1, 7)} | {"big"}
for line in open(sys.argv[1]):
    env = json.loads(line)
    if env["payloadType"] != "application/vnd.teller.ballot+json":
        continue
    text = base64.b64decode(env["payload"]).decode()
    p = json.loads(text)
    assert "voter" not in p, p
    assert not any('"%s"' % v in text for v in voters), text
EOF
[ "$(sql "SELECT COUNT(*) FROM ballots WHERE voter_id IS NOT NULL OR received_at != 0")" = 0 ] || fail "a ballot row names a voter or a time"
[ "$(sql "SELECT COUNT(*) FROM log WHERE kind IN ('ballot', 'credential-request', 'credential') AND appended_at != 0")" = 0 ] || fail "a time with a secret entry"
pass "no voter id or time with any secret ballot, in the record or the database"
