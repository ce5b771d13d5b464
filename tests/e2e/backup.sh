#!/bin/sh
# teller backup under load: a client casts ballots to a running teller
# serve while `teller backup --to FILE` copies the database three times.
# Each copy: mode 0600, SQLite's integrity check, at least the log the
# server had signed just before the copy began, and a prefix of the
# server's final log (nothing half in, nothing from another history); the
# election in it can be exported and passes teller verify, and can be
# closed, counted and verified again from the copy alone.  Refusals: the
# database itself, a device, a missing directory, no --to.
. "$(dirname "$0")/serve-lib.sh"

VOTERS=120
cd "$T"
"$(dirname "$TELLER")/../bench/serve-gen" --db "$TELLER_DB" --voters $VOTERS \
	--out ballots.jsonl

# Refusals, before anything runs.
expect_status 2 teller backup
expect_stderr "--to FILE"
expect_status 2 teller backup --to "$TELLER_DB"
expect_stderr "is the database itself"
expect_status 2 teller backup --to "$TELLER_DB-wal"
expect_status 2 teller backup --to /dev/null
expect_stderr "not a regular file"
expect_status 2 teller backup --to "$T/no/such/dir/copy.db"
[ ! -e "$T/no" ] || fail "a refused backup made something"
pass "backups onto the database, a device or nowhere are refused"

start_server
# The client: every ballot in order, a little apart, so that the copies
# are taken while ballots are still coming in.
(
	while read -r line; do
		printf '%s\n' "$line" >one.json
		s=$("$CURL" -s -o /dev/null -w '%{http_code}' --data-binary @one.json \
			"$URL/v1/elections/bench/ballots")
		[ "$s" = 201 ] || { echo "HTTP $s" >>client.errors; }
		sleep 0.02
	done <ballots.jsonl
	touch client.done
) &
CLIENT=$!
TL_PIDS="$TL_PIDS $CLIENT"

ballots() { "$PYTHON3" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM ballots").fetchone()[0])' "$1"; }

i=0
while [ "$(ballots "$TELLER_DB")" -lt 20 ]; do
	i=$((i + 1)); [ "$i" -lt 600 ] || fail "the client casts nothing"
	sleep 0.05
done
for k in 1 2 3; do
	"$CURL" -sf -o "head.$k.json" "$URL/v1/elections/bench/tree-head" || fail "tree head $k"
	teller backup --to "copy.$k.db" >"backup.$k.out" || fail "backup $k"
	[ -e client.done ] && during=no || during=yes
	echo "copy $k: $(ballots "copy.$k.db") ballots, made while casting: $during"
	sleep 0.5
done
wait "$CLIENT"
[ ! -s client.errors ] || { cat client.errors; fail "the client's ballots were refused"; }
total=$(ballots "$TELLER_DB")
[ "$total" -eq $VOTERS ] || fail "$total ballots stored, expected $VOTERS"
n1=$(ballots copy.1.db)
[ "$n1" -gt 0 ] && [ "$n1" -lt "$total" ] || fail "copy 1 has $n1 of $total ballots: not taken under load"
grep -q "integrity check ok" backup.1.out || fail "backup does not report its check"
pass "three backups taken while ballots were being cast ($n1 of $total in the first)"

stop_server
# Each copy: private, whole, at least what was signed before it began, a
# prefix of the final log, every ballot row with its log entry.
"$PYTHON3" - "$TELLER_DB" copy.1.db copy.2.db copy.3.db <<'PY'
import base64, json, os, sqlite3, stat, sys
final = sqlite3.connect(sys.argv[1])
flog = [r[0] for r in final.execute("SELECT entry_hash FROM log WHERE election_id = 'bench' ORDER BY leaf_index")]
for k, path in enumerate(sys.argv[2:], 1):
    mode = stat.S_IMODE(os.stat(path).st_mode)
    assert mode == 0o600, "%s: mode %o" % (path, mode)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", path
    log = [r[0] for r in db.execute("SELECT entry_hash FROM log WHERE election_id = 'bench' ORDER BY leaf_index")]
    head = json.loads(base64.b64decode(json.load(open("head.%d.json" % k))["payload"]))
    assert len(log) >= head["size"], "%s: %d entries, but %d were signed before it began" % (path, len(log), head["size"])
    assert log == flog[:len(log)], "%s: not a prefix of the final log" % path
    nb = db.execute("SELECT COUNT(*) FROM ballots").fetchone()[0]
    nl = db.execute("SELECT COUNT(*) FROM ballots b JOIN log l ON l.election_id = b.election_id AND l.leaf_index = b.leaf_index AND l.entry_hash = b.entry_hash").fetchone()[0]
    assert nb == nl, "%s: %d ballots, %d of them in the log" % (path, nb, nl)
    heads = db.execute("SELECT MAX(size) FROM tree_heads WHERE election_id = 'bench'").fetchone()[0]
    assert heads == len(log), "%s: latest signed tree head of %s entries, log of %d" % (path, heads, len(log))
    print("%s: %d log entries (>= %d signed before), %d ballots, a prefix of the final %d" % (path, len(log), head["size"], nb, len(flog)))
PY
pass "each copy is private, whole, and a consistent prefix of the final log"

for k in 1 2 3; do
	teller --db "copy.$k.db" export bench -o "record.$k.jsonl"
	teller verify "record.$k.jsonl" >"verify.$k.txt" || { tail "verify.$k.txt"; fail "teller verify on copy $k's export"; }
done
pass "teller verify passes on the export of every copy"

# The copy is a working database: close, count and verify from it alone.
teller --db copy.1.db election close bench --random backup --early \
	--reason "counted from a backup, in a test" >/dev/null
teller --db copy.1.db tally bench --format json >tally.json
teller --db copy.1.db export bench -o closed.jsonl
teller verify closed.jsonl >verify.closed.txt || { tail verify.closed.txt; fail "verify after counting from the copy"; }
refcount_record closed.jsonl
pass "a copy can be closed, counted and verified on its own"
