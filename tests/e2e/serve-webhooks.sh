#!/bin/sh
# teller serve delivers webhook events by itself: with a real receiver
# (tests/webhook-receiver.py, which checks every signature) registered,
# the events of an election's open, close and count, written by the CLI
# while the server runs, reach the receiver without 'teller webhook
# deliver', each once; and a stopped server leaves nothing in flight.
. "$(dirname "$0")/serve-lib.sh"

: "${TELLER_SRCDIR:?TELLER_SRCDIR must be set (make check sets it)}"
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY
cd "$T"

openssl rand -hex 32 >secret
chmod 600 secret
start_receiver 0

teller init >/dev/null
cat >manifest.json <<EOF2
{"id": "club", "title": "Club board",
 "opens": "$(utc -3600)", "closes": "$(utc 86400)",
 "constituencies": [{"id": "members", "name": "Members"}],
 "contests": [{"id": "board", "title": "Board", "constituency": "members",
   "seats": 1, "method": "plurality", "candidates": [
     {"id": "ann", "name": "Ann Archer"}, {"id": "ben", "name": "Ben Baker"}]}],
 "random_sources": [{"name": "draw"}]}
EOF2
teller election create manifest.json >/dev/null
pub=$(public_key m1.pem)
printf 'voter_id,name,constituency,weight,public_key\nm1,M One,members,1,%s\n' \
	"$pub" >roll.csv
teller roll import club roll.csv >/dev/null
teller webhook add "http://127.0.0.1:$PORT/hook" --all --secret-file secret >/dev/null

start_server
teller election open club >/dev/null
teller manifest club -o m.json
teller ballot make --manifest m.json --key m1.pem --voter m1 --vote board=ann -o b.json
teller ballot cast b.json --server "$URL" >/dev/null
teller election close club --random 7 --early --reason "test" >/dev/null
teller tally club >/dev/null

# received: how many deliveries the receiver accepted (2xx, good signature).
received() {
	"$PYTHON3" -c 'import json, sys
print(sum(1 for l in open(sys.argv[1]) if json.loads(l).get("status") == 200))' received.jsonl
}
i=0
until [ "$(received)" -ge 3 ]; do
	i=$((i + 1))
	[ "$i" -lt 300 ] || { cat received.jsonl; tail server.log; fail "events did not arrive"; }
	sleep 0.1
done
stop_server
"$PYTHON3" - received.jsonl <<'EOF2'
import json, sys
ok = [json.loads(l) for l in open(sys.argv[1]) if json.loads(l).get("status") == 200]
types = [e["event"] for e in ok]
assert types == ["election.opened", "election.closed", "result.counted"], types
assert len({e["delivery"] for e in ok}) == 3, "an event arrived twice"
EOF2
[ "$(sql "SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'delivered'")" = 3 ] \
	|| fail "deliveries not marked delivered"
pass "teller serve delivered the election's three events, once each"
