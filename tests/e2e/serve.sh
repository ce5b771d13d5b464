#!/bin/sh
# teller serve against real clients (teller ballot cast --server, and
# curl): every route, and every way a ballot is refused, each checked for
# its HTTP status, its error code and that nothing was stored; then a
# graceful stop with ballots in flight.
. "$(dirname "$0")/serve-lib.sh"

cd "$T"
teller init >/dev/null

# club: open, revote "first"; other: open; draft1: never opened.
club_manifest first >club.json
sed -e 's/"club"/"other"/' -e 's/Club board/Other board/' club.json >other.json
sed -e 's/"club"/"draft1"/' -e 's/Club board/Draft board/' club.json >draft1.json
for e in club other draft1; do teller election create $e.json >/dev/null; done

mkdir keys ballots receipts
echo "voter_id,name,constituency,weight,public_key" >club.csv
echo "voter_id,name,constituency,weight,public_key" >other.csv
for i in 1 2 3 4 5 6 7 8 9 10 11; do
	echo "m$i,Member $i,members,1,$(public_key keys/m$i.pem)" >>club.csv
done
echo "o1,Other 1,members,1,$(public_key keys/o1.pem)" >>other.csv
public_key keys/stranger.pem >/dev/null
teller roll import club club.csv >/dev/null
teller roll import other other.csv >/dev/null
teller roll import draft1 other.csv >/dev/null
teller election open club >/dev/null
teller election open other >/dev/null
teller manifest club --output club.signed.json
teller manifest other --output other.signed.json

# make VOTER KEY [ARGS...]: a ballot for club in ballots/VOTER.json.
mkballot() {
	voter=$1 key=$2
	shift 2
	teller ballot make --manifest club.signed.json --key "keys/$key.pem" \
		--voter "$voter" --vote board=ann "$@" --output "ballots/$voter.json"
}
for i in 1 2 3 4 5 6 7 8 9 10 11; do mkballot "m$i" "m$i"; done
teller ballot make --manifest other.signed.json --key keys/o1.pem --voter o1 \
	--vote board=ben --output ballots/o1.json

start_server
pass "server started on $URL"

# --- the read routes, before any ballot --------------------------------------

http GET /healthz
expect_http 200
[ "$(field 'd["status"]')" = ok ] || fail "healthz"
http GET /v1/elections
expect_http 200
[ "$(field '" ".join(sorted(e["id"] + ":" + e["state"] for e in d["elections"]))')" = \
	"club:open draft1:draft other:open" ] || { cat "$T/body"; fail "election list"; }
http GET /v1/elections/club
expect_http 200
[ "$(field 'd["state"], d["opens"] is not None, d["closes"] is not None')" = \
	"('open', True, True)" ] || fail "election state and window"
# The signed manifest served is the one 'teller manifest' prints, and its
# payload hashes to the manifest hash.
"$PYTHON3" - "$T/body" club.signed.json <<'EOF'
import base64, hashlib, json, sys
d = json.load(open(sys.argv[1]))
cli = json.load(open(sys.argv[2]))
assert d["signed_manifest"] == cli, "served manifest differs"
payload = base64.b64decode(d["signed_manifest"]["payload"])
assert hashlib.sha256(payload).hexdigest() == d["manifest_hash"]
EOF
http GET /v1/elections/draft1
expect_http 200
[ "$(field 'd["state"], d["signed_manifest"]')" = "('draft', None)" ] || fail "draft"
http HEAD /v1/elections --head
[ "$STATUS" = 200 ] || fail "HEAD /v1/elections: $STATUS"
http GET /v1/elections/club/tree-head
expect_http 200
cp "$T/body" head0.json
pass "health, elections, an election, HEAD, tree head"

# --- casting -------------------------------------------------------------------

teller ballot cast ballots/m1.json --server "$URL" --output receipts/m1.json
teller ballot cast ballots/m2.json --server "$URL" --manifest club.signed.json \
	--output receipts/m2.json
http POST /v1/elections/club/ballots --data-binary @ballots/m3.json
expect_http 201
cp "$T/body" receipts/m3.json
[ "$(stored)" = "3/3/7/5" ] || fail "stored after three ballots: $(stored)"
# The receipt names the ballot as logged, at the place the log has it.
for v in m1 m2 m3; do
	"$PYTHON3" - receipts/$v.json ballots/$v.json "$TELLER_DB" <<'EOF'
import base64, hashlib, json, sqlite3, sys
r = json.loads(base64.b64decode(json.load(open(sys.argv[1]))["payload"]))
ballot = open(sys.argv[2], "rb").read().rstrip(b"\n")
assert r["ballot"] == hashlib.sha256(ballot).hexdigest()
row = sqlite3.connect(sys.argv[3]).execute(
    "SELECT leaf_index FROM log WHERE election_id = 'club' AND entry_hash = ?",
    (r["ballot"],)).fetchone()
assert row is not None and row[0] == r["leaf_index"], (row, r["leaf_index"])
EOF
done
pass "ballots cast with teller ballot cast --server (plain and pinned) and curl"

# Receipts checked against the server's log, with the server's manifest and
# with the pinned one.
for v in m1 m2 m3; do
	expect_status 0 teller receipt verify receipts/$v.json --server "$URL"
	grep -q "Verdict: VALID" "$T/stdout" || { cat "$T/stdout"; fail "receipt $v"; }
done
expect_status 0 teller receipt verify receipts/m1.json --server "$URL" \
	--manifest club.signed.json --json
[ "$("$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["valid"], d["source_tree_size"], [c["check"] for c in d["checks"] if c["ok"]])' "$T/stdout")" = \
	"True 5 ['election', 'receipt', 'ballot', 'consistency']" ] || { cat "$T/stdout"; fail "receipt verify --json"; }
# A manifest of another election pinned: refused as input.
expect_status 2 teller receipt verify receipts/m1.json --server "$URL" \
	--manifest other.signed.json
expect_stderr "pinned manifest is for election other, not club"
# A receipt whose signature was changed does not hold.
"$PYTHON3" - receipts/m1.json >forged-receipt.json <<'EOF2'
import base64, json, sys
r = json.load(open(sys.argv[1]))
sig = bytearray(base64.b64decode(r["signatures"][0]["sig"]))
sig[0] ^= 1
r["signatures"][0]["sig"] = base64.b64encode(bytes(sig)).decode()
print(json.dumps(r))
EOF2
expect_status 1 teller receipt verify forged-receipt.json --server "$URL"
grep -q "Verdict: INVALID" "$T/stdout" || { cat "$T/stdout"; fail "forged receipt"; }
pass "receipts verified against the server (teller receipt verify --server)"

# --- the log, proofs, results, record ------------------------------------------

http GET /v1/elections/club/tree-head
expect_http 200
cp "$T/body" head1.json
[ "$("$PYTHON3" -c 'import base64,json,sys; print(json.loads(base64.b64decode(json.load(open(sys.argv[1]))["payload"]))["size"])' head1.json)" = 5 ] \
	|| fail "tree head size"
http GET "/v1/elections/club/proof/consistency?first=2&second=5"
expect_http 200
cp "$T/body" proof.json
check_consistency head0.json head1.json proof.json
http GET "/v1/elections/club/proof/consistency?first=2"
expect_http 200
[ "$(field 'd["second"]')" = 5 ] || fail "consistency to the latest head"
http GET "/v1/elections/club/proof/consistency?first=0&second=5"
expect_http 400 invalid_input
http GET "/v1/elections/club/proof/consistency?first=4&second=9"
expect_http 400 invalid_input

http GET "/v1/elections/club/log?start=1&end=4"
expect_http 200
[ "$(field '[e["index"] for e in d["entries"]], [e["kind"] for e in d["entries"]], d["size"]')" = \
	"([1, 2, 3], ['roll', 'ballot', 'ballot'], 5)" ] || { cat "$T/body"; fail "log range"; }
"$PYTHON3" - "$T/body" "$TELLER_DB" <<'EOF'
import hashlib, json, sqlite3, sys
d = json.load(open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
for e in d["entries"]:
    h = db.execute("SELECT entry_hash FROM log WHERE election_id = 'club' AND "
                   "leaf_index = ?", (e["index"],)).fetchone()[0]
    assert hashlib.sha256(e["entry"].encode()).hexdigest() == h, e["index"]
EOF
http GET "/v1/elections/club/log"
[ "$(field 'len(d["entries"])')" = 5 ] || fail "whole log"
http GET "/v1/elections/club/log?start=9"
expect_http 400 invalid_input
http GET "/v1/elections/club/log?start=x"
expect_http 400 invalid_input
body_has "query parameter start"

leaf=$("$PYTHON3" -c 'import base64,json,sys; print(json.loads(base64.b64decode(json.load(open(sys.argv[1]))["payload"]))["leaf_hash"])' receipts/m3.json)
http GET "/v1/elections/club/proof/inclusion?hash=$leaf&size=5"
expect_http 200
"$PYTHON3" - "$T/body" receipts/m3.json <<'EOF'
import base64, json, sys
d = json.load(open(sys.argv[1]))
r = json.loads(base64.b64decode(json.load(open(sys.argv[2]))["payload"]))
assert d["leaf_index"] == r["leaf_index"] == 4, (d, r["leaf_index"])
assert d["proof"] == r["inclusion_proof"], "route and receipt disagree"
EOF
http GET "/v1/elections/club/proof/inclusion?hash=$(printf '%064d' 0)"
expect_http 404 not_found
http GET "/v1/elections/club/proof/inclusion?hash=xyz"
expect_http 400 invalid_input

http GET /v1/elections/club/results
expect_http 409 wrong_state
body_has "published once it is counted"

http GET /v1/elections/club/record
expect_http 200
cp "$T/body" record.jsonl
"$PYTHON3" - record.jsonl head1.json "$TELLER_DB" <<'EOF'
import hashlib, sqlite3, sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
assert lines[-1] == b"", "no final newline"
lines = lines[:-1]
db = sqlite3.connect(sys.argv[3])
hashes = [h for (h,) in db.execute("SELECT entry_hash FROM log WHERE "
          "election_id = 'club' ORDER BY leaf_index")]
assert len(lines) == len(hashes) + 1, (len(lines), len(hashes))
for line, h in zip(lines, hashes):
    assert hashlib.sha256(line).hexdigest() == h
assert lines[-1] == open(sys.argv[2], "rb").read().rstrip(b"\n"), "final head"
EOF
pass "tree head, consistency and inclusion proofs, log, results, record"

# --- refusals: each with its status and code, and nothing stored ---------------

before=$(stored)
refused() { # STATUS CODE PATH [CURL ARGS]
	want=$1 code=$2 path=$3
	shift 3
	http POST "$path" "$@"
	expect_http "$want" "$code"
	[ "$(stored)" = "$before" ] || fail "$code: something was stored: $(stored)"
}

# A forged signature: m4's ballot signed with another key.
mkballot m4 stranger --seq 1
refused 403 bad_signature /v1/elections/club/ballots --data-binary @ballots/m4.json
body_has "not signed by the key on the roll for voter m4"
mkballot m4 m4
# A voter not on the roll.
mkballot zz stranger
refused 403 not_on_roll /v1/elections/club/ballots --data-binary @ballots/zz.json
body_has 'voter \"zz\" is not on the roll'
# A ballot for club sent to other's route.
refused 400 wrong_election /v1/elections/other/ballots --data-binary @ballots/m4.json
body_has "ballot is for election club, but was sent to election other"
# A ballot for an election that is still a draft (its signature does not
# matter: the election is refused first).
"$PYTHON3" - >ballots/draft.json <<'EOF'
import base64, json
payload = json.dumps({"election": "draft1", "manifest": "0" * 64, "voter": "o1",
                      "seq": 1, "selections": []}).encode()
print(json.dumps({"payloadType": "application/vnd.teller.ballot+json",
                  "payload": base64.b64encode(payload).decode(),
                  "signatures": [{"keyid": "0" * 64,
                                  "sig": base64.b64encode(bytes(64)).decode()}]}))
EOF
refused 409 wrong_state /v1/elections/draft1/ballots --data-binary @ballots/draft.json
body_has "draft1 is a draft"
# A second ballot where the first counts, through the server and through
# the CLI client (same code and message, and exit status 2).
teller ballot make --manifest club.signed.json --key keys/m1.pem --voter m1 \
	--seq 2 --vote board=ben --output ballots/m1-again.json
refused 409 duplicate_ballot /v1/elections/club/ballots --data-binary @ballots/m1-again.json
body_has "already voted"
expect_status 2 teller ballot cast ballots/m1-again.json --server "$URL"
expect_stderr "voter m1 has already voted in election club"
[ "$(stored)" = "$before" ] || fail "CLI duplicate stored something"
# Malformed JSON, an empty body, a body over the limit (declared, and
# chunked).
refused 400 invalid_input /v1/elections/club/ballots --data-binary '{"payloadType":'
refused 400 invalid_input /v1/elections/club/ballots --data-binary ''
head -c 70000 /dev/zero | tr '\0' ' ' >big.json
refused 413 too_large /v1/elections/club/ballots --data-binary @big.json
refused 413 too_large /v1/elections/club/ballots -H 'Transfer-Encoding: chunked' \
	--data-binary @big.json
# Unknown routes and wrong methods.
http GET /v2/elections
expect_http 404 not_found
http GET /v1/elections/club/nothing
expect_http 404 not_found
http GET /v1/elections/nosuch
expect_http 404 not_found
http GET /v1/elections/nosuch/tree-head
expect_http 404 not_found
body_has 'no election \"nosuch\"'
refused 405 usage /v1/elections/club/tree-head
http DELETE /v1/elections/club
expect_http 405 usage
"$CURL" -s -o /dev/null -D headers.txt -X PUT "$URL/v1/elections/club/ballots"
grep -qi '^Allow: POST' headers.txt || fail "405 without Allow"
http GET /v1/elections/club/ballots
expect_http 405 usage
pass "refusals: signature, roll, election, draft, duplicate, JSON, size, route, method"

# Closed: the election closed by the administrator while serving.
teller election close other --early --reason "test" >/dev/null
before=$(stored)
refused 409 wrong_state /v1/elections/other/ballots --data-binary @ballots/o1.json
body_has "other is closed"
http GET /v1/elections/other/results
expect_http 409 wrong_state
pass "refused after the election closed"

# The server's counters and its log lines.
http GET /metrics
expect_http 200
grep -q '^teller_http_requests_total{route="ballots",status="201"} 3$' "$T/body" \
	|| { cat "$T/body"; fail "metrics: 201s"; }
grep -q '^teller_ballots_accepted_total 3$' "$T/body" || fail "metrics: accepted"
grep -q '^teller_ballots_rejected_total{reason="duplicate_ballot"} 2$' "$T/body" \
	|| fail "metrics: duplicates"
grep -q '^teller_commit_duration_seconds_count 3$' "$T/body" || fail "metrics: commits"
grep -q 'POST /v1/elections/club/ballots ballots 201 [0-9.]*ms$' "$T/server.log" \
	|| fail "no request line in the server's log"
pass "metrics and request log"
stop_server
expect_status 3 teller receipt verify receipts/m1.json --server "$URL"
expect_stderr "Couldn't connect"

# After the voting window: the server's clock ($TELLER_NOW) past the close.
before=$(stored)
start_server TELLER_NOW="$(utc 90000)"
refused 409 outside_voting_window /v1/elections/club/ballots --data-binary @ballots/m4.json
body_has "closed at"
stop_server
pass "refused after the voting window"

# A counted election's results are served.
TELLER_NOW="$(utc 90000)" teller election close club >/dev/null
teller tally club --format json >club-result.json
start_server
http GET /v1/elections/club/results
expect_http 200
"$PYTHON3" - "$T/body" club-result.json <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["result"] == json.load(open(sys.argv[2])), "served result differs"
assert json.loads(d["signed_result"])["payloadType"].endswith("result+json")
EOF
# The record served is the export, byte for byte, and verifies offline.
http GET /v1/elections/club/record
expect_http 200
teller export club >exported.jsonl
cmp "$T/body" exported.jsonl || fail "the served record differs from teller export"
expect_status 0 teller verify "$T/body"
refcount_record exported.jsonl
stop_server
pass "results of a counted election; its record verifies"

# --- a graceful stop with ballots in flight ----------------------------------------

# A fresh open election of 60 voters and their ballots, made in one process.
"$(dirname "$TELLER")/../bench/serve-gen" --db graceful.db --voters 60 \
	--out graceful.jsonl
TELLER_DB="$T/graceful.db"
start_server
mkdir g
n=0
while read -r line; do
	n=$((n + 1))
	printf '%s\n' "$line" >g/$n.json
	( "$CURL" -s -o g/$n.out -w '%{http_code}' --data-binary @g/$n.json \
		"$URL/v1/elections/bench/ballots" >g/$n.status 2>/dev/null || true ) &
done <graceful.jsonl
# Stop as soon as the first receipt has gone out, with the rest in flight.
i=0
until grep -q 'ballots 201' "$T/server.log"; do
	i=$((i + 1))
	[ "$i" -lt 3000 ] || fail "no ballot answered 201 in 30 s"
	sleep 0.01
done
stop_server
wait
ok=0
for i in $(seq 1 $n); do
	s=$(cat g/$i.status)
	case $s in
	201) ok=$((ok + 1));;
	000) ;; # never connected: not accepted, so not dropped
	*) fail "ballot $i answered $s during the stop: $(cat g/$i.out)";;
	esac
done
# Every ballot that was stored was answered with its receipt.
[ "$(sql 'SELECT COUNT(*) FROM ballots')" = "$ok" ] || \
	fail "$(sql 'SELECT COUNT(*) FROM ballots') ballots stored, $ok receipts given"
pass "graceful stop: $ok of $n ballots answered 201, the rest never connected"
