#!/bin/sh
# Read-only use: the observers' and auditors' commands open the database
# read-only and work on a database file and directory they cannot write
# (a copy handed to an auditor, a read-only mount), with or without the
# -wal and -shm files; commands that write are refused there, and nothing
# changes.  As root, whom file modes do not stop, the commands run as the
# user nobody (teller_as_other).
. "$(dirname "$0")/lib.sh"

cd "$T"
teller init >/dev/null
voted_election e
teller election close e --early --reason "test" >/dev/null
teller tally e >/dev/null
# A second election, closed but not counted: its tally has to write.
small_election f
teller election open f >/dev/null
teller election close f --early --reason "test" >/dev/null
teller export e -o record.jsonl
# (A command that only reads leaves an empty -wal file, which the next
# command that writes removes: the database file holds everything.)
[ ! -s teller.db-wal ] || fail "the -wal file holds what the database lacks"

# ro/: the database alone, file and directory read-only, owned by whoever
# runs the commands (nobody, as root).
mkdir -p ro out
cp teller.db ro/teller.db
cp record.jsonl ro/record.jsonl
chmod 755 "$T"
chmod 777 out
if [ "$(id -u)" -eq 0 ]; then chown -R nobody ro; fi
chmod 400 ro/teller.db ro/record.jsonl
chmod 500 ro
before=$(sha256sum ro/teller.db | cut -d' ' -f1)

# Each read-only command, with what its output must hold.
reads() {
	dir=$1
	while IFS="|" read -r expected args; do
		# shellcheck disable=SC2086
		expect_status 0 teller_as_other --db "$T/$dir/teller.db" $args
		grep -qF -- "$expected" "$T/stdout" || { cat "$T/stdout"; fail "'$args' on $dir: no '$expected'"; }
	done <<EOF2
e|election list
State:    counted|election show e
"state": "counted"|election show e --json
counted|election status e
v1|roll list e
v1,V1,a,1,|roll list e --format csv
Winners: X|tally e
"winners"|tally e --format json
<html|tally e --format html --contest c
voters|turnout e
v1,V1|turnout e --format csv
application/vnd.teller.tree-head+json|export e
application/vnd.teller.manifest+json|manifest e
EOF2
	expect_status 0 teller_as_other --db "$T/$dir/teller.db" export e -o "$T/out/$dir.jsonl"
	cmp "$T/out/$dir.jsonl" record.jsonl || fail "export from $dir differs"
	expect_status 0 teller_as_other verify "$T/$dir/record.jsonl"
}
reads ro
[ ! -e ro/teller.db-wal ] && [ ! -e ro/teller.db-shm ] || fail "files appeared in ro/"
pass "every reading command works on a read-only file in a read-only directory"

# What writes is refused there, clearly, and nothing changes.
expect_status 2 teller_as_other --db "$T/ro/teller.db" tally f
expect_stderr "cannot write to the database here"
expect_status 2 teller_as_other --db "$T/ro/teller.db" election close e
expect_stderr "this command changes it"
[ "$(sha256sum ro/teller.db | cut -d' ' -f1)" = "$before" ] || fail "ro/teller.db changed"
pass "a command that writes is refused on it"

# rw/: a copy taken while a connection had the database open, so that
# its -wal and -shm files are there too, all of it read-only.
mkdir rw
"$PYTHON3" - teller.db rw <<'PY'
import shutil, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("SELECT COUNT(*) FROM log").fetchone()
for suffix in ("", "-wal", "-shm"):
    shutil.copy(sys.argv[1] + suffix, sys.argv[2])
PY
cp record.jsonl rw/record.jsonl
[ -e rw/teller.db-wal ] && [ -e rw/teller.db-shm ] || fail "no -wal and -shm to copy"
if [ "$(id -u)" -eq 0 ]; then chown -R nobody rw; fi
chmod 400 rw/*
chmod 500 rw
reads rw
pass "and with read-only -wal and -shm files beside it"
