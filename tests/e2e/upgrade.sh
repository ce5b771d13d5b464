#!/bin/sh
# Upgrading: a database left by the teller before authority key files
# (schema 4, tests/data/upgrade/schema-4.sql: an open election with one
# ballot cast) is migrated by the first command that writes, keeps its
# authority key and its election, and the election goes on: a second
# ballot, the close, the count, a record that verifies, and the receipt
# the old teller gave still holds against it.  A database of a newer
# schema than this teller's is refused, not touched.
. "$(dirname "$0")/lib.sh"
: "${TELLER_TEST_DATA:?}"
U="$TELLER_TEST_DATA/upgrade"

cd "$T"
"$PYTHON3" -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(open(sys.argv[2]).read()); c.close()' \
	"$TELLER_DB" "$U/schema-4.sql"
chmod 600 "$TELLER_DB"
[ "$(sql 'PRAGMA user_version')" = 4 ] || fail "the fixture is not schema 4"
keyid=$(sql 'SELECT key_id FROM authority')
cp "$U/v2.pem" v2.pem
chmod 600 v2.pem

# Reading needs no migration; the first write migrates.
teller manifest upgrade -o manifest.json
cmp -s manifest.json "$U/manifest.signed.json" || fail "the signed manifest changed"
export TELLER_NOW=2026-06-02T12:00:00Z
teller ballot make --manifest manifest.json --key v2.pem --voter v2 \
	--vote board=ben -o b2.json
teller ballot cast b2.json -o r2.json
version=$(sql 'PRAGMA user_version')
[ "$version" -ge 5 ] || fail "not migrated (schema $version)"
[ "$(sql 'SELECT key_id FROM authority')" = "$keyid" ] || fail "the authority key changed"
[ "$(sql 'SELECT private_key IS NOT NULL AND key_file IS NULL FROM authority')" = 1 ] \
	|| fail "the key kept inside is not inside any more"
pass "schema 4 migrated to $version by the first write, with its authority key"

# The election goes on to its end under the new teller.
export TELLER_NOW=2036-01-02T00:00:00Z
teller election close upgrade --random 42 >/dev/null
teller tally upgrade --format json >tally.json
teller export upgrade -o record.jsonl
teller verify record.jsonl >verify.txt || { tail verify.txt; fail "verify after the upgrade"; }
refcount_record record.jsonl
grep -q "$keyid" verify.txt || fail "the record is not the authority's"
for r in "$U/r1.json" r2.json; do
	teller receipt verify "$r" --record record.jsonl >/dev/null || fail "receipt $r"
done
"$PYTHON3" - tally.json <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
c = [x for x in t["contests"] if x["contest"] == "board"][0]
# v1 voted ann (before the upgrade), v2 ben (after): both counted.
assert c["ballots"] == 2, c["ballots"]
assert len(c["winners"]) == 1, c["winners"]
PY
pass "the election begun before the upgrade closes, counts and verifies; the old receipt holds"

# A newer schema: refused, untouched.
cp "$TELLER_DB" newer.db
"$PYTHON3" -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA user_version = 999"); c.commit()' newer.db
before=$(cksum <newer.db)
set +e
teller --db newer.db ballot cast b2.json >/dev/null 2>newer.err
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "a newer database was used"
grep -q "newer than this teller" newer.err || { cat newer.err; fail "the refusal does not say why"; }
[ "$(cksum <newer.db)" = "$before" ] || fail "a newer database was changed"
pass "a database of a newer schema is refused and left as it is"
