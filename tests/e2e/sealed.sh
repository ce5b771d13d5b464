#!/bin/sh
# sealed.sh: a secret election sealed for 3 trustees with threshold 2,
# through the CLI and a real teller serve: the ballots are sealed on the
# voter's side, and while voting is open neither the log (GET .../log)
# nor the database holds a choice; no trustee unseals before the close;
# the count waits for 2 trustees and names those missing; t1 unseals
# locally, t2 through the server, t3 never; then tally, export, verify
# (the ballots opened offline, the recount byte for byte) and receipts.
. "$(dirname "$0")/serve-lib.sh"

cd "$T"
teller init >/dev/null
sealed_club 1 plurality "Trustee One"
trustee other >/dev/null

# Ballots: sealed by 'teller ballot make', cast locally and to a server.
for i in 1 2 3 4 5; do
	teller credential request --manifest signed.json --key m$i.pem --voter m$i \
		-o m$i.cred >/dev/null
done
teller ballot make --manifest signed.json --credential m1.cred --vote board=ann --vote motion=yes -o b1.json
teller ballot make --manifest signed.json --credential m2.cred --vote board=ben --vote motion=no -o b2.json
teller ballot make --manifest signed.json --credential m3.cred --vote board=ann --blank motion -o b3.json
teller ballot make --manifest signed.json --credential m4.cred --vote board=cyd --vote motion=yes -o b4.json
teller ballot make --manifest signed.json --credential m5.cred --blank-all -o b5.json
"$PYTHON3" - b1.json b5.json <<'EOF'
import base64, json, sys
lens = set()
for f in sys.argv[1:]:
    p = json.loads(base64.b64decode(json.load(open(f))["payload"]))
    assert set(p) == {"election", "manifest", "ballot_key", "credential", "seq", "sealed"}, p
    assert len(p["sealed"]["shares"]) == 3, p
    assert all(len(base64.b64decode(s)) == 80 for s in p["sealed"]["shares"]), p
    lens.add(len(base64.b64decode(p["sealed"]["selections"])))
# Padded: a full ballot and a blank one seal to the same length.
assert len(lens) == 1, lens
EOF
teller ballot cast b1.json -o r1.json
teller ballot cast b2.json -o r2.json
start_server
teller ballot cast b3.json --server "$URL" -o r3.json
teller ballot cast b4.json --server "$URL" -o r4.json
teller ballot cast b5.json --server "$URL" -o r5.json
pass "ballots sealed on the voter's side for 3 trustees, padded, cast"

# While open: nothing in the log, nor in the database, reveals a choice.
http GET "/v1/elections/club/log?start=0&end=100"
expect_http 200
"$PYTHON3" - "$T/body" <<'EOF'
import base64, json, sys
d = json.load(open(sys.argv[1]))
n = 0
for e in d["entries"]:
    env = json.loads(e["entry"]) if isinstance(e, dict) and "entry" in e else e
    if isinstance(env, str):
        env = json.loads(env)
    if env.get("payloadType") != "application/vnd.teller.ballot+json":
        continue
    text = base64.b64decode(env["payload"]).decode()
    assert '"selections":[' not in text, text
    for word in ('"ann"', '"ben"', '"cyd"', '"yes"', '"no"', '"marks"', '"answer"'):
        assert word not in text, (word, text)
    n += 1
assert n == 5, n
EOF
[ "$(sql "SELECT COUNT(*) FROM selections")" = 0 ] || fail "the database holds selections while open"
pass "while open, GET .../log and the database hold no choice"

# No unseal before the close, and no count.
expect_status 2 teller trustee unseal club --key t1.pem
expect_stderr "not closed"
http GET /v1/elections/club/trustees
expect_http 200
[ "$(field 'd["close"]')" = None ] || fail "a close before the close"
stop_server

TELLER_NOW="$(utc 90000)" teller election close club >/dev/null
expect_status 2 teller tally club
expect_stderr "0 of the 2 trustees needed have unsealed; waiting for: t1, t2, t3"
pass "no unseal before the close; no count before 2 trustees unseal"

# t1 unseals locally; not twice; a key of no trustee is refused.
expect_status 0 teller trustee unseal club --key t1.pem
grep -q "trustee t1 unsealed election club" "$T/stdout" || fail "unseal output"
expect_status 2 teller trustee unseal club --key t1.pem
expect_stderr "has unsealed election club already"
expect_status 2 teller trustee unseal club --key other.pem
expect_stderr "is not that of a trustee of election club"
expect_status 2 teller tally club
expect_stderr "1 of the 2 trustees needed has unsealed (t1); waiting for: t2, t3"
pass "t1 unseals once; another key is refused; the count still waits"

# t2 unseals through the server; t3 never does.
start_server
expect_status 0 teller trustee unseal club --key t2.pem --server "$URL" --json
"$PYTHON3" - "$T/stdout" <<'EOF'
import json, sys
a = json.load(open(sys.argv[1]))
assert a["trustee"] == "t2" and a["unsealed"] == 2 and a["threshold"] == 2, a
EOF
http GET /v1/elections/club/trustees
expect_http 200
[ "$(field '[t["unsealed"] for t in d["trustees"]]')" = "[True, True, False]" ] || fail "trustees status"
http POST /v1/elections/club/unseal --data '{}'
expect_http 400 invalid_input
stop_server
pass "t2 unseals through teller serve"

# The count: ann 2, ben 1, cyd 1; motion yes 2, no 1.
teller tally club --json >result.json
"$PYTHON3" - result.json <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
board, motion = r["contests"]
assert board["elected"] == ["ann"], board
assert board["rounds"][-1]["votes"] == {"ann": 2, "ben": 1, "cyd": 1}, board
assert motion["rounds"][-1]["votes"] == {"yes": 2, "no": 1, "abstain": 0}, motion
assert r["spoiled"] == [], r["spoiled"]
EOF
expect_status 0 teller tally club
grep -q "Spoiled ballots (sealed ballots that did not open; counted in no contest): 0" "$T/stdout" || fail "no spoiled line in the report"
expect_status 0 teller tally club --format html
grep -q '<section id="spoiled">' "$T/stdout" || fail "no spoiled section in the HTML report"
teller export club >record.jsonl
expect_status 0 teller verify record.jsonl --json
"$PYTHON3" - "$T/stdout" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["valid"], r["problems"]
u = r["unseal"]
assert u["unsealed"] == ["t1", "t2"] and u["opening"] == ["t1", "t2"], u
assert u["opened"] and u["spoiled"] == 0 and "shares_disagree" not in u, u
assert any(c["check"] == "unseal" and c["ok"] for c in r["checks"]), r["checks"]
EOF
expect_status 0 teller verify record.jsonl
grep -q "sealed            for 3 trustees, threshold 2; 2 unsealed; opened with t1, t2; 0 spoiled" "$T/stdout" || { cat "$T/stdout"; fail "no unseal line in the verify report"; }
for i in 1 3 5; do teller receipt verify r$i.json --record record.jsonl >/dev/null; done
# The reference count (tests/refcount.py, from the documents alone) opens
# the ballots with t1's and t2's published keys and gives the result's bytes.
refcount_record record.jsonl
pass "tally, export, verify (opened offline, recounted) and receipts"
