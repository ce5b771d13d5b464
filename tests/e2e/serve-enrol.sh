#!/bin/sh
# teller serve's voting page and enrolment routes, without a browser:
# the page's files and their security headers, enrolments signed with
# openssl (the signature proves possession; a used, wrong or unsigned
# one is refused and stores nothing), the voter route, and the limit on
# enrolment attempts per address.
. "$(dirname "$0")/serve-lib.sh"
command -v openssl >/dev/null || fail "openssl is needed"

cd "$T"
teller init >/dev/null
cat >club.json <<EOF
{"id": "club", "title": "Club board",
 "opens": "$(utc -3600)", "closes": "$(utc 86400)",
 "constituencies": [{"id": "members", "name": "Members"}],
 "contests": [{"id": "board", "title": "Board", "constituency": "members",
   "seats": 1, "method": "plurality",
   "candidates": [{"id": "ann", "name": "Ann"}, {"id": "ben", "name": "Ben"}]}]}
EOF
teller election create club.json >/dev/null
cat >roll.csv <<EOF
voter_id,name,constituency,weight,public_key,email
m1,Ann,members,1,,m1@example.org
m2,Ben,members,1,$(public_key m2.pem),m2@example.org
EOF
teller roll import club roll.csv >/dev/null
token=$(teller invite club --url http://127.0.0.1 --print |
	sed -n 's/.*#token=\([A-Za-z0-9_-]*\)$/\1/p')
[ ${#token} = 43 ] || fail "no token: $token"
keys() { sql "SELECT COUNT(*) FROM voters WHERE public_key IS NOT NULL"; }

# enrolment KEYFILE VOTER TOKEN [ELECTION] [SIGNER]: an enrolment
# envelope, signed with openssl (Ed25519 over DSSE's PAE) in $T/enrolment.
enrolment() {
	key=$1 voter=$2 tok=$3 election=${4:-club} signer=${5:-$1}
	pub=$(openssl pkey -in "$key" -pubout -outform DER | tail -c 32 | base64 -w0)
	keyid=$(openssl pkey -in "$signer" -pubout -outform DER | tail -c 32 | sha256sum | cut -c1-64)
	printf '{"election":"%s","voter":"%s","token":"%s","public_key":"%s"}' \
		"$election" "$voter" "$tok" "$pub" >payload
	type=application/vnd.teller.enrolment+json
	printf 'DSSEv1 %d %s %d ' ${#type} "$type" "$(wc -c <payload)" >pae
	cat payload >>pae
	openssl pkeyutl -sign -inkey "$signer" -rawin -in pae -out sig
	printf '{"payloadType":"%s","payload":"%s","signatures":[{"keyid":"%s","sig":"%s"}]}' \
		"$type" "$(base64 -w0 payload)" "$keyid" "$(base64 -w0 sig)" >enrolment
}

start_server
pass "server started on $URL"

# --- the page and its headers --------------------------------------------------
"$CURL" -s -D headers -o page.html "$URL/vote/club"
grep -qi '^Content-Security-Policy: default-src .none.; script-src .self.; style-src .self.; connect-src .self.' headers ||
	{ cat headers; fail "the page's CSP"; }
grep -qi "^X-Frame-Options: DENY" headers || fail "X-Frame-Options"
grep -qi "^Content-Type: text/html; charset=utf-8" headers || fail "page type"
grep -qi "^Set-Cookie" headers && fail "a cookie"
grep -q '<script src="../static/vote.js" defer></script>' page.html || fail "the page's script"
grep -q '<script>' page.html && fail "an inline script"
grep -q 'style=' page.html && fail "an inline style"
etag=$(sed -n 's/^ETag: //Ip' headers | tr -d '\r')
http GET /vote/club -H "If-None-Match: $etag"
expect_http 304
for f in vote.js teller.js vote.css icon.svg text.json; do
	http GET "/static/$f"
	expect_http 200
done
"$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["lang"] == "en" and len(d) > 50' "$T/body" ||
	fail "text.json"
http GET /static/vote.html
expect_http 404 not_found
http GET /static/..%2fteller.db
expect_http 404 not_found
http GET /vote/nosuch
expect_http 404
body_has '<script src="../static/vote.js"'
"$CURL" -s -D headers -o /dev/null "$URL/v1/elections"
grep -qi '^Content-Security-Policy:' headers || fail "CSP on the API"
grep -qi '^X-Content-Type-Options: nosniff' headers || fail "nosniff on the API"
pass "the page's files, with a strict CSP, no inline code, no cookie"

# --- enrolment -----------------------------------------------------------------
http POST /v1/elections/club/enrol/check --data '{"token": 1}'
expect_http 400 invalid_input
http POST /v1/elections/club/enrol/check --data "{\"token\": \"$token\"}"
expect_http 200
[ "$(field 'd["voter"], d["name"], "email" in d')" = "('m1', 'Ann', False)" ] ||
	fail "check: $(cat "$T/body")"
teller key generate m1.pem >/dev/null
teller key generate other.pem >/dev/null
before=$(keys)
enrolment m1.pem m1 "$token" club other.pem
http POST /v1/elections/club/enrol --data-binary @enrolment
expect_http 403 bad_signature
enrolment m1.pem m1 "$token" other
http POST /v1/elections/club/enrol --data-binary @enrolment
expect_http 400 wrong_election
enrolment m2.pem m1 "$token"
http POST /v1/elections/club/enrol --data-binary @enrolment
expect_http 409 already_exists
enrolment m1.pem m2 "$token"
http POST /v1/elections/club/enrol --data-binary @enrolment
expect_http 404 not_found
[ "$(keys)" = "$before" ] || fail "a refused enrolment stored a key"
enrolment m1.pem m1 "$token"
http POST /v1/elections/club/enrol --data-binary @enrolment
expect_http 201
[ "$(field 'd["voter"]')" = m1 ] || fail "enrolled voter"
[ "$(sql "SELECT public_key FROM voters WHERE id = 'm1'")" = \
  "$(openssl pkey -in m1.pem -pubout -outform DER | tail -c 32 | base64 -w0)" ] ||
	fail "m1's key on the roll"
http POST /v1/elections/club/enrol --data-binary @enrolment
expect_http 409 conflict
http POST /v1/elections/club/enrol/check --data "{\"token\": \"$token\"}"
expect_http 409 conflict
pass "enrolment: signed by the new key, once; refusals store nothing"

# --- the voter route, once the roll is frozen -----------------------------------
http GET /v1/elections/club/voters/m1
expect_http 409 wrong_state
teller election open club >/dev/null
http GET /v1/elections/club/voters/m1
expect_http 200
[ "$(field 'd["constituency"], d["ballots"], d["last_seq"], "email" in d')" = "('members', 0, 0, False)" ] ||
	fail "voter: $(cat "$T/body")"
http GET /v1/elections/club/voters/nobody
expect_http 404 not_found
http POST /v1/elections/club/enrol/check --data "{\"token\": \"$token\"}"
expect_http 409 wrong_state
body_has "enrolment in election club has closed"
pass "the voter route serves the frozen roll's entry and no address"
stop_server

# --- the limit on attempts per address ------------------------------------------
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
"$TELLER" serve --listen "127.0.0.1:$PORT" --enrol-limit 3 >>"$T/server.out" 2>>"$T/server.log" &
SERVER_PID=$!
TL_PIDS="$TL_PIDS $SERVER_PID"
until "$CURL" -sf "$URL/healthz" >/dev/null 2>&1; do sleep 0.1; done
for i in 1 2 3; do
	http POST /v1/elections/club/enrol/check --data '{"token": "x"}'
	[ "$STATUS" != 429 ] || fail "limited after $i attempts"
done
"$CURL" -s -D headers -o "$T/body" -X POST --data '{"token": "x"}' "$URL/v1/elections/club/enrol/check"
grep -q '^HTTP/1.1 429' headers || { cat headers; fail "not limited after 3 attempts"; }
grep -qi '^Retry-After: [0-9]' headers || fail "no Retry-After"
STATUS=429
expect_http 429 rate_limited
http POST /v1/elections/club/enrol --data-binary @enrolment
expect_http 429 rate_limited
http GET /v1/elections/club/voters/m1
expect_http 200
http GET /metrics
grep -q 'teller_http_requests_total{route="enrol_check",status="429"} 1' "$T/body" ||
	fail "the metrics count the limited attempt"
pass "--enrol-limit 3: the fourth attempt is refused with 429 and Retry-After"
stop_server
