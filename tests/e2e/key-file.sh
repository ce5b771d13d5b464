#!/bin/sh
# The authority key in a file of its own: `teller init --key-file F
# --passphrase-file P` writes it (mode 0600, encrypted PKCS#8 that openssl
# reads with the passphrase), and the database keeps neither it nor its
# bytes; every command that signs reads it from the recorded path with
# the passphrase, teller serve too; a copy of the database alone cannot
# sign but still exports and verifies; the wrong key, a readable key file
# or a missing passphrase is refused with the reason.  (upgrade.sh
# migrates a database made before key files.)
. "$(dirname "$0")/serve-lib.sh"
command -v openssl >/dev/null || fail "openssl (the command) is needed"

cd "$T"
mkdir keys
printf 'correct horse battery staple\n' >pass
printf 'wrong horse\n' >wrong
chmod 600 pass wrong
sql_in() { "$PYTHON3" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$1" "$2"; }
db_has() { "$PYTHON3" -c 'import sys; sys.exit(0 if sys.argv[2].encode() in open(sys.argv[1], "rb").read() else 1)' "$1" "$2"; }

# Refusals leave nothing behind.
expect_status 2 teller init --passphrase-file pass
expect_stderr "give --key-file FILE too"
touch keys/taken.pem
expect_status 2 teller init --key-file keys/taken.pem
expect_stderr "exists already"
expect_status 2 teller init --key-file keys/a.pem --passphrase-file missing
[ ! -e "$TELLER_DB" ] && [ ! -e keys/a.pem ] || fail "a refused init left files"
pass "init refuses a taken key path or a passphrase without a key file"

expect_status 0 teller init --key-file keys/authority.pem --passphrase-file pass
grep -q "Authority key file:   $T/keys/authority.pem" "$T/stdout" || { cat "$T/stdout"; fail "init does not say where the key is"; }
keyid=$(sed -n 's/^Authority key id: *//p' "$T/stdout")
[ "$(stat -c %a keys/authority.pem)" = 600 ] || fail "key file mode"
head -1 keys/authority.pem | grep -qx -- "-----BEGIN ENCRYPTED PRIVATE KEY-----" || fail "not encrypted PKCS#8"
openssl asn1parse -in keys/authority.pem | grep -q ":scrypt" || fail "not scrypt"
openssl pkey -in keys/authority.pem -passin file:pass -out plain.pem 2>/dev/null || fail "openssl cannot read the key with the passphrase"
openssl pkey -in keys/authority.pem -passin file:wrong -noout 2>/dev/null && fail "openssl read the key with a wrong passphrase"
# The database: no private key, not its bytes anywhere in the file.
[ "$(sql 'SELECT private_key IS NULL AND key_file IS NOT NULL FROM authority')" = 1 ] || fail "the private key is in the database"
secret=$(sed -n 2p plain.pem)
db_has "$TELLER_DB" "$secret" && fail "the private key's bytes are in the database file"
[ "$(sql 'SELECT key_id FROM authority')" = "$keyid" ] || fail "key id"
pass "init --key-file: an encrypted 0600 key file openssl reads; nothing of it in the database"

cat >manifest.json <<EOF
{"id": "e1", "title": "Key file election",
 "opens": "$(utc -3600)", "closes": "$(utc 86400)",
 "constituencies": [{"id": "m", "name": "Members"}],
 "contests": [{"id": "board", "title": "Board", "constituency": "m",
   "seats": 1, "method": "plurality", "candidates": [
   {"id": "ann", "name": "Ann"}, {"id": "ben", "name": "Ben"}]}],
 "random_sources": [{"name": "draw"}]}
EOF
# Defining signs nothing: no passphrase needed.
teller election create manifest.json >/dev/null
echo "voter_id,name,constituency,weight,public_key" >roll.csv
for v in v1 v2 v3; do echo "$v,Voter $v,m,1,$(public_key "keys/$v.pem")" >>roll.csv; done
teller roll import e1 roll.csv >/dev/null
# Signing without the passphrase, or with a wrong one: refused, nothing
# done.
expect_status 2 teller election open e1
expect_stderr "encrypted; give its passphrase"
expect_status 2 teller election open e1 --passphrase-file wrong
expect_stderr "wrong passphrase"
chmod 644 pass
expect_status 2 teller election open e1 --passphrase-file pass
expect_stderr "chmod 600"
chmod 600 pass
[ "$(sql "SELECT state FROM elections WHERE id = 'e1'")" = draft ] || fail "opened without the key"
expect_status 0 teller --passphrase-file pass election open e1
export TELLER_PASSPHRASE_FILE="$T/pass"
teller manifest e1 -o manifest.signed.json
for v in v1 v2; do
	teller ballot make --manifest manifest.signed.json --key "keys/$v.pem" \
		--voter "$v" --vote board=ann -o "$v.ballot"
done
teller ballot cast v1.ballot -o v1.receipt
pass "commands that sign read the key file with the passphrase (option or environment)"

# teller serve: refuses to start without the passphrase; with it, signs
# receipts with the key from the file.
expect_status 2 env -u TELLER_PASSPHRASE_FILE "$TELLER" serve --listen 127.0.0.1:0
expect_stderr "encrypted; give its passphrase"
start_server
teller ballot cast v2.ballot --server "$URL" -o v2.receipt
stop_server
pass "teller serve reads the key file and its passphrase"

# A copy of the database alone (a backup taken elsewhere) cannot sign,
# but exports and verifies; given the key file, it can.
teller backup --to copy.db >/dev/null
mv keys/authority.pem keys/moved.pem
expect_status 2 teller --db copy.db election close e1 --random 7 --early \
	--reason "a test"
expect_stderr "authority.pem"
[ "$(sql_in copy.db "SELECT state FROM elections WHERE id = 'e1'")" = open ] || fail "closed without the key"
teller --db copy.db export e1 -o copy.jsonl
teller verify copy.jsonl >/dev/null || fail "verify of the copy's record"
expect_status 0 teller --db copy.db --key-file keys/moved.pem election close e1 \
	--random 7 --early --reason "a test"
# Another key is not the authority's.
expect_status 2 teller --db copy.db --key-file keys/v3.pem tally e1
expect_stderr "not the authority key"
expect_status 0 teller --db copy.db --key-file keys/moved.pem tally e1 --format json
teller --db copy.db export e1 -o closed.jsonl
teller verify closed.jsonl >verify.txt || { tail verify.txt; fail "verify after counting with a moved key"; }
refcount_record closed.jsonl
grep -q "$keyid" verify.txt || fail "the record is not signed by the authority key"
mv keys/moved.pem keys/authority.pem
pass "a copy of the database cannot sign on its own; --key-file lets it"

# A database that keeps its key inside takes no key file; a key file
# written without a passphrase works without one.
unset TELLER_PASSPHRASE_FILE
teller --db inside.db init >/dev/null
cp manifest.json m2.json
teller --db inside.db election create m2.json >/dev/null
teller --db inside.db roll import e1 roll.csv >/dev/null
expect_status 2 teller --db inside.db --key-file keys/authority.pem election open e1
expect_stderr "keeps its authority key inside"
teller --db plain.db init --key-file keys/plain-authority.pem >/dev/null
head -1 keys/plain-authority.pem | grep -qx -- "-----BEGIN PRIVATE KEY-----" || fail "plain key file"
teller --db plain.db election create m2.json >/dev/null
teller --db plain.db roll import e1 roll.csv >/dev/null
teller --db plain.db election open e1 >/dev/null || fail "open with an unencrypted key file"
pass "a key inside takes no key file; an unencrypted key file needs no passphrase"

# A secret election's class keys are as safe as the authority key: sealed
# under it, so the database holds no private key of any kind, and a copy
# of it without the key file issues no credential (and stores nothing).
sed 's/"id": "e1", "title": "Key file election",/"id": "s1", "title": "Secret", "secrecy": "secret",/' \
	manifest.json >s1.json
grep -q '"secrecy": "secret"' s1.json || fail "no secret manifest"
teller --db plain.db election create s1.json >/dev/null
teller --db plain.db roll import s1 roll.csv >/dev/null
teller --db plain.db election open s1 >/dev/null 2>&1
teller --db plain.db manifest s1 -o s1.signed.json
[ "$(sql_in plain.db "SELECT COUNT(*) FROM credential_keys WHERE election_id = 's1'")" = 1 ] || fail "no class key"
db_has plain.db "PRIVATE KEY" && fail "a private key in the database file"
teller --db plain.db backup --to plain-copy.db >/dev/null
mv keys/plain-authority.pem keys/plain-moved.pem
expect_status 2 teller --db plain-copy.db credential request --manifest s1.signed.json \
	--key keys/v1.pem --voter v1 -o v1.cred
expect_stderr "plain-authority.pem"
[ "$(sql_in plain-copy.db "SELECT COUNT(*) FROM credentials")" = 0 ] || fail "a copy issued a credential"
expect_status 0 teller --db plain-copy.db --key-file keys/plain-moved.pem credential request \
	--manifest s1.signed.json --key keys/v1.pem --voter v1 -o v1.cred
[ "$(sql_in plain-copy.db "SELECT COUNT(*) FROM credentials")" = 1 ] || fail "no credential with the key file"
# The class key opens under the authority key only: another key file that
# passed for it would not open it (the key id check refuses it first).
expect_status 2 teller --db plain-copy.db --key-file keys/v3.pem credential request \
	--manifest s1.signed.json --key keys/v2.pem --voter v2 -o v2.cred
expect_stderr "not the authority key"
mv keys/plain-moved.pem keys/plain-authority.pem
pass "a secret election's class keys are sealed under the authority key"

# The copy's record verifies, its one class and one credential counted.
teller --db plain-copy.db --key-file keys/plain-authority.pem export s1 >s1.jsonl
expect_status 0 teller verify s1.jsonl
grep -q "a secret election: 1 class keyed on line 3; 1 credential request, 1 credential issued, one per voter; 0 ballot keys voted" "$T/stdout" ||
	{ cat "$T/stdout"; fail "the credentials check of a one-class record"; }
pass "a one-class secret record verifies"
