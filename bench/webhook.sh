#!/bin/sh
# Webhook delivery: how long `teller webhook deliver --once` takes to send
# an election's three events to many endpoints of a local receiver
# (tests/webhook-receiver.py), and the same with one endpoint that hangs
# until its timeout.  Prints the figures.
set -eu

: "${TELLER:?set TELLER to the built teller (make bench does)}"
ENDPOINTS=${ENDPOINTS:-200}
here=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/teller-bench-XXXXXX")
export TELLER_DB="$T/teller.db"
RECEIVER=""
trap '[ -z "$RECEIVER" ] || kill "$RECEIVER" 2>/dev/null; rm -rf "$T"' EXIT
unset http_proxy HTTP_PROXY all_proxy ALL_PROXY
cd "$T"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
utc() { date -u -d "@$(( $(date +%s) + $1 ))" +%Y-%m-%dT%H:%M:%SZ; }

openssl rand -hex 32 >secret
python3 "$here/../tests/webhook-receiver.py" --secret-file secret \
	--log received.jsonl --port-file port &
RECEIVER=$!
while [ ! -s port ]; do sleep 0.05; done
URL="http://127.0.0.1:$(cat port)"

run_election() { # $1: election id
	cat >m.json <<EOF
{"id": "$1", "title": "Bench", "opens": "$(utc -3600)", "closes": "$(utc 86400)",
 "constituencies": [{"id": "c", "name": "C"}],
 "contests": [{"id": "k", "title": "K", "constituency": "c", "seats": 1,
   "method": "plurality", "candidates": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}]}],
 "random_sources": [{"name": "draw"}]}
EOF
	"$TELLER" election create m.json >/dev/null
	pub=$("$TELLER" key generate "k-$1.pem" | sed -n 's/^public_key: //p')
	printf 'voter_id,name,constituency,weight,public_key\nv,V,c,1,%s\n' "$pub" >r.csv
	"$TELLER" roll import "$1" r.csv >/dev/null
	t0=$(now)
	"$TELLER" election open "$1" >/dev/null
	"$TELLER" election close "$1" --random x --early --reason bench >/dev/null
	"$TELLER" tally "$1" >/dev/null
	t1=$(now)
	echo "  open + close + tally of $1 (writing $(sqlite_count) deliveries): $(elapsed "$t0" "$t1") s"
}
sqlite_count() {
	python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM webhook_deliveries WHERE state = '"'"'pending'"'"'").fetchone()[0])' "$TELLER_DB"
}

"$TELLER" init >/dev/null
i=0
while [ "$i" -lt "$ENDPOINTS" ]; do
	"$TELLER" webhook add "$URL/e$i" --all --secret-file secret >/dev/null
	i=$((i + 1))
done
echo "webhook delivery, $ENDPOINTS endpoints on one local receiver:"
run_election b1
n=$(sqlite_count)
t0=$(now)
"$TELLER" webhook deliver --once >out.txt
t1=$(now)
s=$(elapsed "$t0" "$t1")
echo "  deliver --once: $(tail -1 out.txt) in $s s ($(awk -v n="$n" -v s="$s" 'BEGIN { printf "%d", n / s }') deliveries/s)"

"$TELLER" webhook add "$URL/stuck?hang=1000000" --all --secret-file secret >/dev/null
run_election b2
t0=$(now)
"$TELLER" webhook deliver --once --timeout 2 >out.txt
t1=$(now)
echo "  with one more endpoint that hangs (--timeout 2): $(tail -1 out.txt) in $(elapsed "$t0" "$t1") s"
echo "  (the hanging endpoint's three events take 2 s each in turn, which bounds"
echo "  this run; the other endpoints' deliveries go on meanwhile)"
