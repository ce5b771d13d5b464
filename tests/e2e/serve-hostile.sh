#!/bin/sh
# teller serve against a hostile client: bytes that are not UTF-8 (a %ff
# in a route or a query) and characters cut at a byte count in a message,
# on every route, each answered with a JSON error that is valid UTF-8;
# requests that libmicrohttpd answers itself (doc/http-api.md lists them),
# after which the server still answers; and a database failure, answered
# {"error": "database"} without the database's path, which only the
# server's log gets.
. "$(dirname "$0")/serve-lib.sh"

cd "$T"
teller init >/dev/null
club_manifest last >club.json
teller election create club.json >/dev/null
echo "voter_id,name,constituency,weight,public_key" >club.csv
echo "m1,Member 1,members,1,$(public_key m1.pem)" >>club.csv
teller roll import club club.csv >/dev/null
teller election open club >/dev/null
start_server

# json_error STATUS CODE [TEXT]: the last answer has this status and is a
# JSON error {"error": CODE, "message": ...}, strictly valid UTF-8, whose
# message holds TEXT.
json_error() {
	[ "$STATUS" = "$1" ] || { cat "$T/body"; fail "$LAST: HTTP $STATUS, expected $1"; }
	"$PYTHON3" - "$T/body" "$2" "${3:-}" "$LAST" <<'EOF' || fail "$LAST: not a JSON error"
import json, sys
raw = open(sys.argv[1], "rb").read()
try:
    d = json.loads(raw.decode("utf-8", errors="strict"))
except ValueError as e:
    sys.exit("%s: %r is not UTF-8 JSON: %s" % (sys.argv[4], raw[:200], e))
assert d["error"] == sys.argv[2], (sys.argv[4], d)
assert d["message"], (sys.argv[4], d)
assert sys.argv[3] in d["message"], (sys.argv[4], sys.argv[3], d)
EOF
}

# get PATH: GET (or $METHOD) with the path sent exactly as written.
get() {
	LAST="${METHOD:-GET} $1"
	STATUS=$("$CURL" -s --path-as-is -o "$T/body" -w '%{http_code}' \
		-X "${METHOD:-GET}" "$URL$1")
}

# --- 13. bytes that are not UTF-8, on every route --------------------------

# A decoded %ff where each route takes an election id: 404, and the byte
# shown as \xff in the message.
for route in "" /ballots /tree-head /log /proof/inclusion \
    /proof/consistency /results /record /cosignatures /cosigned-head \
    /receipt; do
	METHOD=GET
	case $route in /ballots | /cosignatures) METHOD=POST ;; esac
	get "/v1/elections/%ff$route"
	json_error 404 not_found 'no election "\xff"'
	# A valid character and a cut one after it.
	get "/v1/elections/a%c3%a9%e2%82$route"
	json_error 404 not_found 'no election "aé\xe2\x82"'
done
METHOD=
pass "a %ff or a cut character in the election id of every route: JSON 404"

# Elsewhere in a path (shown as ? in the message, as in the log line).
for path in /v1/%ff /healthz%ff /metrics/%e2%82 /v1/elections%ff \
    /v1/elections/club/%ff /v1/elections/club/proof/%c3; do
	get "$path"
	json_error 404 not_found "no route GET"
done
METHOD=DELETE get /v1/elections/%ff
json_error 405 usage "is not allowed"
pass "a %ff elsewhere in a path, with any method: JSON 404 or 405"

# Query parameters: a byte that is not UTF-8, and a value cut at 40 bytes
# in the middle of its 14th euro sign.
euros=$(printf '%%e2%%82%%ac%.0s' 1 2 3 4 5 6 7 8 9 10 11 12 13 14)
for q in "log?start=%ff" "log?end=%e2%82" "log?start=$euros" \
    "proof/inclusion?size=%ff&hash=00" "proof/consistency?first=$euros" \
    "proof/consistency?first=1&second=%f0%9f%97" "cosigned-head?quorum=%ff" \
    "cosigned-head?size=$euros" "receipt?quorum=%e2%82&hash=00"; do
	get "/v1/elections/club/$q"
	json_error 400 invalid_input "query parameter"
done
get "/v1/elections/club/log?start=$euros"
json_error 400 invalid_input '"€€€€€€€€€€€€€\xe2" is not a whole number'
get "/v1/elections/club/proof/inclusion?hash=%ff"
json_error 400 invalid_input "64 hex digits"
get "/v1/elections/club/receipt?hash=%ff"
json_error 400 invalid_input "64 hex digits"
pass "a %ff or a cut character in each query parameter: JSON 400"

# Ballot bodies: bytes that are not UTF-8, and names cut in a message at
# 100 bytes (payloadType) and 64 bytes (an unknown field).
post_body() {
	LAST="POST ballots: $1"
	STATUS=$("$CURL" -s -o "$T/body" -w '%{http_code}' --data-binary "@$1" \
		"$URL/v1/elections/club/ballots")
}
printf '{"payloadType": "\377", "payload": "", "signatures": []}' >bad1.json
printf '\377\376{}' >bad2.json
"$PYTHON3" - <<'EOF'
import base64, json
sig = [{"keyid": "00" * 32, "sig": base64.b64encode(bytes(64)).decode()}]
with open("cut1.json", "w", encoding="utf-8") as f:
    json.dump({"payloadType": "\u20ac" * 34, "payload": "e30=",
               "signatures": sig}, f, ensure_ascii=False)
with open("cut2.json", "w", encoding="utf-8") as f:
    json.dump({"payloadType": "x", "payload": "e30=", "signatures": sig,
               "\u20ac" * 22: 1}, f, ensure_ascii=False)
EOF
for body in bad1.json bad2.json cut1.json cut2.json; do
	post_body $body
	json_error 400 invalid_input
done
# The other route that takes a body: cosigned tree heads.
for body in bad1.json bad2.json; do
	LAST="POST cosignatures: $body"
	STATUS=$("$CURL" -s -o "$T/body" -w '%{http_code}' --data-binary "@$body" \
		"$URL/v1/elections/club/cosignatures")
	json_error 400 invalid_input
done
post_body cut1.json
json_error 400 invalid_input "$("$PYTHON3" -c 'print("\u20ac" * 33 + "\\xe2")')"
[ "$(stored)" = "0/0/2/1" ] || fail "a refused ballot changed the database: $(stored)"
pass "ballot and cosignature bodies with bytes that are not UTF-8 or names cut in a message: JSON 400, nothing stored"

# --- 13. what libmicrohttpd answers itself ----------------------------------

# raw NAME STATUS REQUEST: REQUEST (printf escapes) sent on a socket of its
# own; the first status line answered must be STATUS ("none": the
# connection is closed, or left until the timeout, without an answer).
# Either way the server answers /healthz afterwards.
raw() {
	"$PYTHON3" - "$PORT" "$1" "$2" "$3" <<'EOF' || fail "raw request $2"
import socket, sys
port, name, want, text = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
req = text.encode("latin-1").decode("unicode_escape").encode("latin-1")
s = socket.create_connection(("127.0.0.1", port))
s.settimeout(2)
s.sendall(req)
got = b""
try:
    while b"\r\n" not in got:
        d = s.recv(4096)
        if not d:
            break
        got += d
except socket.timeout:
    pass
s.close()
line = got.split(b"\r\n")[0].decode("latin-1")
status = line.split(" ")[1] if line.startswith("HTTP/1.") else "none"
assert status == want, "%s: answered %r, expected %s" % (name, line, want)
EOF
	http GET /healthz
	expect_http 200
}
raw cl-negative 400 'POST /v1/elections/club/ballots HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n'
raw cl-not-a-number 400 'POST /v1/elections/club/ballots HTTP/1.1\r\nHost: a\r\nContent-Length: 12x\r\n\r\n'
raw cl-over-2^64 413 'POST /v1/elections/club/ballots HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n'
raw header-over-memory 431 "GET /healthz HTTP/1.1\\r\\nHost: a\\r\\nX-Big: $(head -c 40000 /dev/zero | tr '\0' a)\\r\\n\\r\\n"
raw url-over-memory 414 "GET /$(head -c 40000 /dev/zero | tr '\0' a) HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n"
raw header-line-without-colon 400 'GET /healthz HTTP/1.1\r\nHost: a\r\nnonsense\r\n\r\n'
raw http-2.0 505 'GET /healthz HTTP/2.0\r\nHost: a\r\n\r\n'
raw http-0.9 505 'GET /healthz HTTP/0.9\r\n\r\n'
raw bad-chunk-size 400 'POST /v1/elections/club/ballots HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n'
raw request-line-only-method none 'GET\r\n\r\n'
pass "requests libmicrohttpd answers itself get the statuses doc/http-api.md lists; the server goes on"

# What passes libmicrohttpd gets teller's JSON: a Content-Length over the
# limit that fits 64 bits, with or without Expect: 100-continue.
STATUS=$("$CURL" -s -o "$T/body" -w '%{http_code}' -H 'Content-Length: 9999999999' \
	-X POST "$URL/v1/elections/club/ballots")
LAST="Content-Length 9999999999"
json_error 413 too_large "over the server's limit"

# --- 14. a database failure ----------------------------------------------------

http GET /v1/elections/club/tree-head
expect_http 200
sql "ALTER TABLE tree_heads RENAME TO tree_heads_away" >/dev/null
get /v1/elections/club/tree-head
json_error 500 database "the server's log has the details"
! grep -qF "$T" "$T/body" || { cat "$T/body"; fail "the answer names the database's path"; }
! grep -qF "teller.db" "$T/body" || { cat "$T/body"; fail "the answer names the database's file"; }
grep -F "GET /v1/elections/club/tree-head: database: $TELLER_DB" "$T/server.log" >/dev/null ||
	{ cat "$T/server.log"; fail "the log lacks the database error with its path"; }
sql "ALTER TABLE tree_heads_away RENAME TO tree_heads" >/dev/null
http GET /v1/elections/club/tree-head
expect_http 200
pass "a database failure: {\"error\": \"database\"} without the path, which the log has"

stop_server
