#!/bin/sh
# Crash test of teller serve: clients cast ballots concurrently while the
# server is killed with SIGKILL at random moments (12 times) and started
# again.  Afterwards: every ballot a client got a receipt for is in the
# log where its receipt says; each receipt's inclusion proof holds and
# its tree is a prefix of the final log (consistency proof); the tree
# heads before and after each crash are consistent; the record's Merkle
# root, recomputed here, is the final signed tree head's; the database
# passes SQLite's integrity check and the election counts; teller verify
# passes on the export.  The proofs are also checked by an independent
# Python transcription of RFC 9162.
. "$(dirname "$0")/serve-lib.sh"

CLIENTS=4
VOTERS=200
SEQS=2
CRASHES=12

cd "$T"
"$(dirname "$TELLER")/../bench/serve-gen" --db "$TELLER_DB" --voters $VOTERS \
	--seqs $SEQS --out ballots.jsonl
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"

# serve: (re)starts the server on the same port and waits for it.
serve() {
	"$TELLER" serve --listen "127.0.0.1:$PORT" 2>>server.log &
	SERVER_PID=$!
	TL_PIDS="$TL_PIDS $SERVER_PID"
	i=0
	until "$CURL" -sf "$URL/healthz" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -lt 300 ] || { tail server.log; fail "server did not start"; }
		sleep 0.05
	done
}

# client K: sends ballots K, K+CLIENTS, ... in order (so that a voter's
# ballots go out in seq order), retrying through crashes, until they are
# all sent or the crashes are over.  A 201 keeps the receipt; a refusal
# after a retry means the ballot's first try was committed but its answer
# was lost in the crash.
client() {
	k=$1 n=0
	mkdir -p "c$k"
	while read -r line; do
		n=$((n + 1))
		[ $(( (n - 1) % CLIENTS )) -eq "$k" ] || continue
		[ -e crashes.done ] && break
		printf '%s\n' "$line" >"c$k/$n.json"
		tries=0
		while :; do
			tries=$((tries + 1))
			s=$("$CURL" -s --max-time 60 -o "c$k/$n.out" -w '%{http_code}' \
				--data-binary @"c$k/$n.json" \
				"$URL/v1/elections/bench/ballots" 2>/dev/null || true)
			case $s in
			201) mv "c$k/$n.out" "c$k/$n.receipt"; break;;
			409) [ "$tries" -gt 1 ] || { echo "ballot $n refused: $(cat "c$k/$n.out")" >>errors; }
			     echo "$n" >>"c$k/lost"; break;;
			000|"") [ "$tries" -lt 600 ] || { echo "ballot $n: no answer" >>errors; break; }
			     sleep 0.05;;
			*) echo "ballot $n: HTTP $s: $(cat "c$k/$n.out")" >>errors; break;;
			esac
		done
	done <ballots.jsonl
}

serve
for k in $(seq 0 $((CLIENTS - 1))); do
	client "$k" &
	eval "client_$k=\$!"
done

# The crashes: a signed tree head, SIGKILL, restart, a signed tree head.
# (The consistency of each pair is checked at the end: the log keeps
# every size, so the proofs can be asked for then.)
during=0
for c in $(seq 1 $CRASHES); do
	sleep "0.$(( $(od -An -N1 -tu1 /dev/urandom) % 45 + 15 ))"
	"$CURL" -sf -o "before.$c.json" "$URL/v1/elections/bench/tree-head" \
		|| fail "crash $c: no tree head before"
	alive=0
	for k in $(seq 0 $((CLIENTS - 1))); do
		eval "kill -0 \$client_$k" 2>/dev/null && alive=1
	done
	during=$((during + alive))
	kill -KILL "$SERVER_PID"
	wait "$SERVER_PID" 2>/dev/null || true
	serve
	"$CURL" -sf -o "after.$c.json" "$URL/v1/elections/bench/tree-head" \
		|| fail "crash $c: no tree head after"
done
touch crashes.done
for k in $(seq 0 $((CLIENTS - 1))); do eval "wait \$client_$k"; done
[ ! -s errors ] || { cat errors; fail "clients saw errors"; }
receipts=$(ls c*/*.receipt | wc -l)
lost=$(cat c*/lost 2>/dev/null | wc -l)
[ "$receipts" -gt 0 ] || fail "no receipt at all"
pass "$CRASHES crashes ($during with ballots sent), $receipts receipts, $lost answers lost in crashes"

# Every crash: the tree after it extends the tree before it.  Every
# receipt: its ballot in the log at its place, its inclusion proof, and its
# tree a prefix of the final one.
"$CURL" -sf -o final.json "$URL/v1/elections/bench/tree-head"
"$CURL" -sf -o record.jsonl "$URL/v1/elections/bench/record"
"$PYTHON3" - "$TELLER_DB" "$URL" final.json record.jsonl $CRASHES c*/*.receipt <<'EOF'
import base64, hashlib, json, sqlite3, sys, urllib.request

def node(l, r):
    return hashlib.sha256(b"\x01" + l + r).digest()

def payload(env):
    return json.loads(base64.b64decode(env["payload"]))

def mth(leaves):                      # RFC 9162 2.1.1, recursively
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node(mth(leaves[:k]), mth(leaves[k:]))

def inclusion_ok(leaf, index, size, root, path):   # RFC 9162 2.1.3.2
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            while fn and not fn & 1:
                fn >>= 1; sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1; sn >>= 1
    return sn == 0 and r == root

def consistency_ok(m, n, r1, r2, path):           # RFC 9162 2.1.4.2
    if m == n:
        return path == [] and r1 == r2
    if m & (m - 1) == 0:
        path = [r1] + path
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1; sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node(c, fr); sr = node(c, sr)
            while fn and not fn & 1:
                fn >>= 1; sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1; sn >>= 1
    return sn == 0 and fr == r1 and sr == r2

db = sqlite3.connect(sys.argv[1])
url = sys.argv[2]
final = payload(json.load(open(sys.argv[3])))
n, final_root = final["size"], bytes.fromhex(final["root"])

# The record: its Merkle root is the final tree head's.
lines = open(sys.argv[4], "rb").read().split(b"\n")[:-1]
assert len(lines) == n + 1, (len(lines), n)
leaves = [hashlib.sha256(b"\x00" + line).digest() for line in lines[:-1]]
assert mth(leaves) == final_root, "record root"

def consistency(m, n):
    return [bytes.fromhex(h) for h in json.load(urllib.request.urlopen(
        "%s/v1/elections/bench/proof/consistency?first=%d&second=%d"
        % (url, m, n)))["proof"]]

crashes = int(sys.argv[5])
for c in range(1, crashes + 1):
    before = payload(json.load(open("before.%d.json" % c)))
    after = payload(json.load(open("after.%d.json" % c)))
    m, r1 = before["size"], bytes.fromhex(before["root"])
    k, r2 = after["size"], bytes.fromhex(after["root"])
    assert k >= m, "crash %d: the log shrank from %d to %d" % (c, m, k)
    assert consistency_ok(m, k, r1, r2, consistency(m, k)), "crash %d" % c
print("%d crashes: each tree head after extends the one before" % crashes)

for path in sys.argv[6:]:
    r = payload(json.load(open(path)))
    head = payload(r["tree_head"])
    row = db.execute("SELECT entry_hash FROM log WHERE election_id = 'bench' "
                     "AND leaf_index = ?", (r["leaf_index"],)).fetchone()
    assert row is not None and row[0] == r["ballot"], path + ": not in the log"
    assert hashlib.sha256(b"\x00" + lines[r["leaf_index"]]).hexdigest() == r["leaf_hash"]
    proof = [bytes.fromhex(h) for h in r["inclusion_proof"]]
    assert inclusion_ok(bytes.fromhex(r["leaf_hash"]), r["leaf_index"],
                        head["size"], bytes.fromhex(head["root"]), proof), path
    m = head["size"]
    assert consistency_ok(m, n, bytes.fromhex(head["root"]), final_root,
                          consistency(m, n)), path
print("%d receipts checked against a log of %d entries" % (len(sys.argv) - 6, n))
EOF
# And through teller's own client, for a few receipts.
for r in $(ls c*/*.receipt | head -3); do
	teller receipt verify "$r" --server "$URL" >/dev/null \
		|| fail "teller receipt verify --server $r"
done
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || fail "the server did not stop cleanly"
pass "every receipt's ballot is in the log, proven included and consistent"

[ "$(sql 'PRAGMA integrity_check')" = ok ] || fail "integrity check"
teller election close bench --random crash --early --reason "test" >/dev/null
teller tally bench --format json >result.json
voted=$("$PYTHON3" -c 'import json,sys; print(json.load(open(sys.argv[1]))["turnout"][0]["voted"])' result.json)
[ "$voted" = "$(sql 'SELECT COUNT(DISTINCT voter_id) FROM ballots')" ] || fail "turnout"
pass "database intact; the election counts ($voted voters)"

# The exported record verifies offline (signatures, roll, revote policy,
# tree, recount), and the receipts hold against it.
teller export bench >export.jsonl
teller verify export.jsonl >verify.txt || { tail -20 verify.txt; fail "teller verify"; }
refcount_record export.jsonl
for r in $(ls c*/*.receipt | head -3); do
	teller receipt verify "$r" --record export.jsonl >/dev/null \
		|| fail "teller receipt verify --record $r"
done
pass "teller verify passes on the export; receipts hold against it"
