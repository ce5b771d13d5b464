#!/bin/sh
# Webhooks driven through the built teller against a real receiver
# (tests/webhook-receiver.py) that checks every signature itself: the
# commands and their errors; an election's events delivered exactly once;
# a failing receiver retried on the backoff (TELLER_NOW moves the clock
# instead of sleeping); a hanging receiver cut off by --timeout without
# holding up another; a receiver down while teller stops and starts again,
# and teller killed mid-request, lose nothing; a refused open emits no
# event; the demo delivers its events.
. "$(dirname "$0")/lib.sh"

: "${TELLER_SRCDIR:?TELLER_SRCDIR must be set (make check sets it)}"
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY
cd "$T"


# logq EXPR: a Python expression over E, the receiver's answered requests.
logq() {
	"$PYTHON3" -c 'import json, sys
E = [json.loads(l) for l in open(sys.argv[1]) if "\"status\"" in l]
print(eval(sys.argv[2]))' "$T/received.jsonl" "$1"
}

# wait_until SQL: waits (at most 30 s) until the query gives 1.
wait_until() {
	i=0
	until [ "$(sql "$1")" = 1 ]; do
		i=$((i + 1))
		[ "$i" -lt 300 ] || fail "gave up waiting for: $1"
		sleep 0.1
	done
}

teller init >/dev/null
openssl rand -hex 32 >secret
chmod 600 secret
touch received.jsonl
mkdir saved
start_receiver 0
URL="http://127.0.0.1:$PORT"
T0=$(date +%s)

cat >manifest.json <<EOF
{"id": "club", "title": "Club board",
 "opens": "$(utc -3600)", "closes": "$(utc 86400)",
 "constituencies": [{"id": "members", "name": "Members"}],
 "contests": [{"id": "board", "title": "Board", "constituency": "members",
   "seats": 1, "method": "plurality", "candidates": [
     {"id": "ann", "name": "Ann Archer"}, {"id": "ben", "name": "Ben Baker"}]}],
 "random_sources": [{"name": "draw"}]}
EOF
teller election create manifest.json >/dev/null
pub=$(public_key m1.pem)
printf 'voter_id,name,constituency,weight,public_key\nm1,M One,members,1,%s\n' \
	"$pub" >roll.csv
teller roll import club roll.csv >/dev/null

# --- the commands and their errors ---------------------------------------
expect_status 2 teller webhook add "$URL/x" --secret-file secret
expect_stderr "either --election ID or --all"
expect_status 2 teller webhook add "$URL/x" --all
expect_stderr "--secret-file"
expect_status 2 teller webhook add "ftp://127.0.0.1/x" --all --secret-file secret
expect_stderr "only http:// and https://"
expect_status 2 teller webhook add "$URL/x" --all --secret-file secret \
	--events election.opened,election.exploded
expect_stderr "election.exploded"
echo short >short
expect_status 2 teller webhook add "$URL/x" --all --secret-file short
expect_stderr "short: the secret is 5 bytes"
expect_status 2 teller webhook add "$URL/x" --election nope --secret-file secret
expect_stderr "no election"
expect_status 2 teller webhook remove 99
expect_stderr "no webhook endpoint 99"
expect_status 2 teller webhook remove one
expect_status 2 teller webhook test 99
teller webhook deliver --help | grep -q -- "--once" || fail "deliver --help"
pass "webhook commands refuse bad usage with a reason"

[ "$(teller webhook add "$URL/main" --all --secret-file secret)" = 1 ] ||
	fail "the first endpoint is not 1"
[ "$(teller webhook add "$URL/flaky?fail=2" --election club \
	--events election.opened --secret-file secret)" = 2 ] || fail "add 2"
[ "$(teller webhook add "$URL/stuck?hang=1000" --election club \
	--events election.opened --secret-file secret)" = 3 ] || fail "add 3"
[ "$(teller webhook add "$URL/quick?wait_hang=1" --all \
	--events election.opened --secret-file secret)" = 4 ] || fail "add 4"
teller webhook list >list.txt
teller webhook list --json >list.json
grep -q "$URL/main" list.txt || fail "list lacks an endpoint"
! grep -qF "$(cat secret)" list.txt list.json || fail "list shows the secret"
[ "$("$PYTHON3" -c 'import json,sys; print(json.load(open(sys.argv[1]))[1]["events"])' list.json)" = "['election.opened']" ] ||
	fail "list --json events"
pass "endpoints added; list never shows a secret"

# --- a refused open emits nothing ----------------------------------------
expect_status 2 env TELLER_NOW=$((T0 + 2 * 86400)) "$TELLER" election open club
[ "$(sql 'SELECT COUNT(*) FROM webhook_events')" = 0 ] ||
	fail "a refused open wrote an event"
pass "a refused open emits no event"

# --- opened: one receiver fails, one hangs, two answer --------------------
TELLER_NOW=$T0 teller election open club >/dev/null
[ "$(sql 'SELECT COUNT(*) FROM webhook_deliveries')" = 4 ] ||
	fail "election.opened should be queued for 4 endpoints"
TELLER_NOW=$T0 teller webhook deliver --once --timeout 1 >out.txt
grep -q "^delivered election.opened .* to endpoint 1 (HTTP 200)" out.txt ||
	fail "endpoint 1: $(cat out.txt)"
grep -q "^delivered election.opened .* to endpoint 4 (HTTP 200)" out.txt ||
	fail "endpoint 4: $(cat out.txt)"
grep -q "^not delivered election.opened .* to endpoint 2 (attempt 1): HTTP 500; next attempt at" out.txt ||
	fail "endpoint 2: $(cat out.txt)"
grep -q "^not delivered election.opened .* to endpoint 3 (attempt 1): .*timed out" out.txt ||
	fail "endpoint 3: $(cat out.txt)"
grep -q "^2 delivered, 2 to retry later, 0 given up.$" out.txt ||
	fail "summary: $(cat out.txt)"
# /quick answered while /stuck was being held.
[ "$(logq '[e["hanging"] for e in E if e["path"] == "/quick"]')" = "[1]" ] ||
	fail "the quick receiver was held up by the stuck one"
pass "a hanging receiver is cut off by --timeout and holds up no one"

teller webhook list --json >list.json
[ "$("$PYTHON3" -c 'import json,sys; l=json.load(open(sys.argv[1])); print(l[1]["pending"], l[1]["last_error"], l[0]["delivered"], l[0]["last_error"])' list.json)" = "1 HTTP 500 1 None" ] ||
	fail "list after the first attempts: $(cat list.json)"

# Not due yet: nothing is sent.
TELLER_NOW=$((T0 + 5)) teller webhook deliver --once >out.txt
grep -q "^0 delivered, 0 to retry later, 0 given up.$" out.txt ||
	fail "sent before the backoff: $(cat out.txt)"
next=$(sql "SELECT next_attempt_at FROM webhook_deliveries WHERE endpoint_id = 2")
[ "$next" -ge $((T0 + 8)) ] && [ "$next" -le $((T0 + 10)) ] ||
	fail "the first retry should come 8 to 10 s later, not $((next - T0))"
TELLER_NOW=$next teller webhook deliver --once --timeout 1 >out.txt
grep -q "to endpoint 2 (attempt 2): HTTP 500" out.txt || fail "$(cat out.txt)"
next2=$(sql "SELECT next_attempt_at FROM webhook_deliveries WHERE endpoint_id = 2")
[ $((next2 - next)) -ge 16 ] && [ $((next2 - next)) -le 20 ] ||
	fail "the second retry should come 16 to 20 s later, not $((next2 - next))"
teller webhook remove 3 >/dev/null
TELLER_NOW=$next2 teller webhook deliver --once >out.txt
grep -q "^delivered election.opened .* to endpoint 2 (HTTP 200)" out.txt ||
	fail "$(cat out.txt)"
[ "$(logq '[(e["status"], e["verified"]) for e in E if e["path"] == "/flaky"]')" = \
  "[(500, True), (500, True), (200, True)]" ] || fail "the flaky receiver's log"
[ "$(logq 'len(set(e["delivery"] for e in E if e["path"] == "/flaky"))')" = 1 ] ||
	fail "the retries changed Teller-Delivery"
pass "a failing receiver is retried after 10 s, then 20 s, and gets it once"

# --- the receiver is down while teller stops and starts again -------------
kill "$RECEIVER"
wait "$RECEIVER" 2>/dev/null || true
TELLER_NOW=$((T0 + 100)) teller election close club --random r1 --early --reason "test" >/dev/null
TELLER_NOW=$((T0 + 100)) "$TELLER" webhook deliver >loop.txt 2>&1 &
LOOP=$!
TL_PIDS="$TL_PIDS $LOOP"
wait_until "SELECT COUNT(*) = 1 FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE e.type = 'election.closed' AND d.attempts = 1"
kill -TERM "$LOOP"
wait "$LOOP" || fail "the delivery loop did not stop cleanly: $(cat loop.txt)"
grep -q "Couldn't connect\|Failed to connect" loop.txt || fail "$(cat loop.txt)"
start_receiver "$PORT"
TELLER_NOW=$((T0 + 200)) teller tally club >/dev/null
TELLER_NOW=$((T0 + 200)) teller webhook deliver --once >out.txt
grep -q "^delivered election.closed .* to endpoint 1" out.txt || fail "$(cat out.txt)"
grep -q "^delivered result.counted .* to endpoint 1" out.txt || fail "$(cat out.txt)"
pass "events written while the receiver was down arrive after a restart"

# --- teller killed in the middle of a request ------------------------------
[ "$(teller webhook add "$URL/held?hang=1" --all --events webhook.ping \
	--secret-file secret)" = 5 ] || fail "add 5"
TELLER_NOW=$((T0 + 300)) "$TELLER" webhook test 5 >/dev/null 2>&1 &
KILLED=$!
i=0
until grep -q '"hang_begin": true, "path": "/held"' received.jsonl; do
	i=$((i + 1)); [ "$i" -lt 300 ] || fail "the ping never reached /held"
	sleep 0.1
done
kill -KILL "$KILLED"
wait "$KILLED" 2>/dev/null || true
# Its claim holds until it expires (the request's timeout and a minute).
TELLER_NOW=$((T0 + 300)) teller webhook deliver --once >out.txt
grep -q "^0 delivered" out.txt || fail "a claimed delivery was sent: $(cat out.txt)"
TELLER_NOW=$((T0 + 400)) teller webhook deliver --once >out.txt
grep -q "^delivered webhook.ping .* to endpoint 5 (HTTP 200)" out.txt ||
	fail "$(cat out.txt)"
# The receiver saw the cut-off request (status 0) and then one 200.
i=0
until [ "$(logq 'sorted(e["status"] for e in E if e["path"] == "/held")')" = "[0, 200]" ]; do
	i=$((i + 1)); [ "$i" -lt 300 ] || fail "/held: $(logq 'E')"
	sleep 0.1
done
pass "a request cut off by a crash is sent again once its claim expires"

# --- ping, and exactly once overall ----------------------------------------
TELLER_NOW=$((T0 + 500)) teller webhook test 1 >out.txt ||
	fail "webhook test: $(cat out.txt)"
grep -q "^delivered webhook.ping" out.txt || fail "$(cat out.txt)"
expect_status 0 teller webhook list
# Endpoint 1 got each of the four event types once, each signed right,
# each event id once, and they are exactly the events in the outbox.
[ "$(logq 'sorted(e["event"] for e in E if e["path"] == "/main")')" = \
  "['election.closed', 'election.opened', 'result.counted', 'webhook.ping']" ] ||
	fail "endpoint 1's events: $(logq '[e["event"] for e in E]')"
[ "$(logq 'all(e["verified"] and e["status"] == 200 and not e["duplicate"] for e in E if e["path"] == "/main")')" = True ] ||
	fail "endpoint 1 got an unverified or duplicate request"
[ "$(logq '",".join(sorted(e["delivery"] for e in E if e["path"] == "/main"))')" = \
  "$(sql "SELECT group_concat(id, ',') FROM (SELECT e.id FROM webhook_events e JOIN webhook_deliveries d ON d.event_id = e.id WHERE d.endpoint_id = 1 ORDER BY e.id)")" ] ||
	fail "endpoint 1's event ids differ from the outbox"
[ "$(logq 'sum(1 for e in E if e["status"] == 200 and e["duplicate"])')" = 0 ] ||
	fail "a receiver accepted an event twice"
[ "$(sql "SELECT COUNT(*) FROM webhook_deliveries WHERE state != 'delivered'")" = 0 ] ||
	fail "undelivered events remain"
pass "every event type delivered exactly once, every signature verified"

# --- the demo --------------------------------------------------------------
"$TELLER" demo --dir "$T/demo" --seed 7 --webhook "$URL/demo" \
	--webhook-secret-file secret >demo.txt 2>&1 || { cat demo.txt; fail "demo"; }
grep -q "3 delivered, 0 to retry later" demo.txt || fail "$(tail demo.txt)"
[ "$(logq '[e["event"] for e in E if e["path"] == "/demo" and e["verified"]]')" = \
  "['election.opened', 'election.closed', 'result.counted']" ] ||
	fail "the demo's events"
pass "teller demo --webhook delivers the election's events"

# The shell recipe of doc/webhooks.md verifies what the demo sent.
n=0
for body in saved/demo-*.body; do
	sig=$(cat "${body%.body}.sig")
	t=${sig#t=}; t=${t%%,*}
	v1=${sig#*,v1=}
	expected=$( { printf '%s.' "$t"; cat "$body"; } |
		openssl dgst -sha256 -hmac "$(cat secret)" | sed 's/^.*= //')
	[ "$expected" = "$v1" ] || fail "openssl does not verify $body"
	n=$((n + 1))
done
[ "$n" = 3 ] || fail "expected 3 saved demo bodies, found $n"
pass "openssl dgst -hmac verifies the signatures as doc/webhooks.md says"
