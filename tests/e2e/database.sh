#!/bin/sh
# Only teller's databases: init marks its file with SQLite's
# application_id; every command refuses another program's file, an empty
# one or a newer schema without writing a byte to it; init on a file that
# exists takes only an empty file or a teller database, and makes it mode
# 0600 before it writes the authority's private key.
. "$(dirname "$0")/lib.sh"

cd "$T"
appid() { "$PYTHON3" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA application_id").fetchone()[0])' "$1"; }
digest() { sha256sum "$1" | cut -d' ' -f1; }

teller init >/dev/null
[ "$(appid teller.db)" = 1952803948 ] || fail "init did not set the application_id"
[ "$(stat -c %a teller.db)" = 600 ] || fail "the database is not mode 0600"
pass "init marks its database as teller's (application_id 0x74656c6c)"

# Another program's SQLite database, a text file, a device: refused, untouched.
"$PYTHON3" -c 'import sqlite3; c = sqlite3.connect("other.db"); c.execute("CREATE TABLE notes (t TEXT)"); c.execute("INSERT INTO notes VALUES (1)"); c.commit()'
echo "not a database at all" >text.db
for f in other.db text.db; do
	before=$(digest $f)
	for args in "election list" "election create x.json" "init" "serve"; do
		# shellcheck disable=SC2086
		expect_status 2 teller --db $f $args
		expect_stderr "$f: not a teller database"
	done
	[ "$(digest $f)" = "$before" ] || fail "$f was changed"
	[ ! -e $f-wal ] && [ ! -e $f-shm ] || fail "$f got a -wal or -shm file"
done
[ "$("$PYTHON3" -c 'import sqlite3; print(sqlite3.connect("other.db").execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0])')" = 1 ] \
	|| fail "teller added tables to another program's database"
expect_status 2 teller --db /dev/null election list
expect_stderr "not a regular file"
pass "another program's file is refused and left as it was"

# A newer schema: refused, untouched, by readers and writers.
cp teller.db newer.db
"$PYTHON3" -c 'import sqlite3; c = sqlite3.connect("newer.db"); c.execute("PRAGMA user_version = 999"); c.commit()'
before=$(digest newer.db)
expect_status 2 teller --db newer.db election list
expect_stderr "schema version 999 is newer than this teller's"
expect_status 2 teller --db newer.db election create x.json
expect_stderr "upgrade teller"
[ "$(digest newer.db)" = "$before" ] || fail "the newer database was changed"
pass "a newer schema is refused"

# An empty file: not a database yet; init makes it one, mode 0600 first.
: >empty.db
chmod 644 empty.db
expect_status 2 teller --db empty.db election list
expect_stderr "empty.db: an empty file, not a teller database yet"
[ ! -s empty.db ] || fail "reading an empty file wrote to it"
teller --db empty.db init >/dev/null
[ "$(stat -c %a empty.db)" = 600 ] || fail "init left the key in a mode $(stat -c %a empty.db) file"
[ "$(appid empty.db)" = 1952803948 ] || fail "init on an empty file"
expect_status 2 teller --db empty.db init
expect_stderr "already initialised"
pass "init takes an empty file, making it mode 0600 before the key"

# A database made before teller set its application_id is still teller's:
# read as it is, marked by the first command that writes.
cp teller.db old.db
"$PYTHON3" -c 'import sqlite3; c = sqlite3.connect("old.db"); c.execute("PRAGMA application_id = 0"); c.commit()'
teller --db old.db election list >/dev/null
[ "$(appid old.db)" = 0 ] || fail "a command that only reads marked the file"
cat >x.json <<EOF2
{"id": "x", "title": "T", "opens": "$(utc -3600)", "closes": "$(utc 86400)",
 "constituencies": [{"id": "a"}],
 "contests": [{"id": "c", "title": "C", "constituency": "a",
   "method": "plurality", "candidates": [{"id": "x", "name": "X"}]}]}
EOF2
teller --db old.db election create x.json >/dev/null
[ "$(appid old.db)" = 1952803948 ] || fail "the first write did not mark the file"
pass "a teller database from before the application_id is still teller's"
