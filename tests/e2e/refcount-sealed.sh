#!/bin/sh
# refcount-sealed.sh: tests/refcount.py opens a sealed election's record
# from doc/record-format.md alone (sections 13 and 5.16: HPKE with
# X25519, HKDF-SHA256 and AES-128-GCM, Shamir's sharing over GF(2^8),
# AES-256-GCM) and recomputes its result byte for byte, the spoiled
# ballots included.  A secret election sealed for 3 trustees, threshold
# 2, through the CLI: four voters, one of whom votes again; a ballot whose
# share for t1 a voter altered (spoiled: "share of trustee t1 does not
# open") and one whose sealed selections were altered ("selections do not
# open"), each signed again with its ballot key, as a voter could; t1 and
# t3 unseal, t2 never.  The recount agrees with teller's signed result,
# its spoiled list and its turnout, and, after the count, the database's
# selections table holds the opened ballots' choices; a result whose
# spoiled list is altered fails the recount.
. "$(dirname "$0")/lib.sh"

cd "$T"
teller init >/dev/null
sealed_club 2 stv-scottish
for i in 1 2 3 4 5 6; do
	teller credential request --manifest signed.json --key m$i.pem --voter m$i \
		-o m$i.cred >/dev/null
done
make_ballot() { # N FILE ARGS...: m$N's ballot into FILE
	n=$1 f=$2; shift 2
	teller ballot make --manifest signed.json --credential m$n.cred "$@" -o "$f"
}
make_ballot 1 b1.json --vote 'board=ann>ben' --vote motion=yes
make_ballot 2 b2.json --vote board=ben --vote motion=no
make_ballot 3 b3.json --vote 'board=cyd>ann' --blank motion
make_ballot 4 b4.json --vote board=ann --vote motion=yes
make_ballot 4 b4b.json --vote board=cyd --vote motion=no --seq 2
make_ballot 5 b5.json --vote board=ben --vote motion=yes
make_ballot 6 b6.json --vote board=ann --vote motion=no
# A voter alters what they sealed and signs it again with their ballot
# key: the server cannot tell, the count finds it.
cat >tamper.py <<'EOF'
import base64, json, sys
from cryptography.hazmat.primitives.serialization import load_pem_private_key
path, cred, what = sys.argv[1:4]
env = json.load(open(path))
p = json.loads(base64.b64decode(env["payload"]))
if what == "share":
    raw = bytearray(base64.b64decode(p["sealed"]["shares"][0]))
    raw[50] ^= 1
    p["sealed"]["shares"][0] = base64.b64encode(bytes(raw)).decode()
else:
    raw = bytearray(base64.b64decode(p["sealed"]["selections"]))
    raw[20] ^= 1
    p["sealed"]["selections"] = base64.b64encode(bytes(raw)).decode()
body = json.dumps(p, separators=(",", ":")).encode()
key = load_pem_private_key(json.load(open(cred))["ballot_key"].encode(), None)
t = env["payloadType"].encode()
env["payload"] = base64.b64encode(body).decode()
env["signatures"][0]["sig"] = base64.b64encode(
    key.sign(b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body))).decode()
json.dump(env, open(path, "w"), separators=(",", ":"))
EOF
"$PYTHON3" tamper.py b5.json m5.cred share
"$PYTHON3" tamper.py b6.json m6.cred selections
for b in b1 b2 b3 b4 b4b b5 b6; do teller ballot cast $b.json -o r-$b.json; done
[ "$(sql "SELECT COUNT(*) FROM selections")" = 0 ] || fail "selections while sealed"
pass "7 sealed ballots cast, two of them altered by their voters"

TELLER_NOW="$(utc 90000)" teller election close club >/dev/null
TELLER_NOW="$(utc 90060)" teller trustee unseal club --key t1.pem >/dev/null
TELLER_NOW="$(utc 90120)" teller trustee unseal club --key t3.pem >/dev/null
TELLER_NOW="$(utc 90180)" teller tally club --json >result.json
"$PYTHON3" - result.json <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert [s["reason"] for s in r["spoiled"]] == [
    "share of trustee t1 does not open", "selections do not open"], r["spoiled"]
assert r["turnout"][0]["voted"] == 6, r["turnout"]
motion = r["contests"][1]
assert motion["rounds"][-1]["votes"] == {"yes": 1, "no": 2, "abstain": 0}, motion
EOF
# The opened ballots' choices, in the database as for ballots in the
# clear: m1 ann, ben, yes; m2 ben, no; m3 cyd, ann; m4 ann, yes and its
# revote cyd, no; none for the spoiled two.
[ "$(sql "SELECT COUNT(*) FROM selections")" = 11 ] ||
	fail "the selections table holds $(sql "SELECT COUNT(*) FROM selections") rows, not 11"
[ "$(sql "SELECT group_concat(choice, ' ') FROM (SELECT choice FROM selections WHERE contest_id = 'motion' ORDER BY ballot_id)")" = "yes no yes no" ] ||
	fail "the motion's rows"
pass "t1 and t3 unseal; the count spoils the two altered ballots and stores the others' choices"

teller export club >record.jsonl
expect_status 0 teller verify record.jsonl
refcount_record record.jsonl
pass "refcount.py opens the sealed record and recomputes its result, spoiled ballots and all"

# A result whose spoiled list is altered (its signature is not what the
# recount checks): the recount's bytes differ.
"$PYTHON3" - record.jsonl altered.jsonl <<'EOF'
import base64, json, sys
out = []
for line in open(sys.argv[1]):
    env = json.loads(line)
    if env.get("payloadType") == "application/vnd.teller.result+json":
        text = base64.b64decode(env["payload"]).replace(
            b"selections do not open", b"padding is not zero")
        env["payload"] = base64.b64encode(text).decode()
        line = json.dumps(env, separators=(",", ":")) + "\n"
    out.append(line)
open(sys.argv[2], "w").writelines(out)
EOF
expect_status 1 "$PYTHON3" "$TELLER_SRCDIR/tests/refcount.py" record altered.jsonl
grep -q "FAIL altered.jsonl: result 1 differs" "$T/stdout" || { cat "$T/stdout"; fail "no difference found"; }
pass "a result with an altered spoiled list fails the recount"
