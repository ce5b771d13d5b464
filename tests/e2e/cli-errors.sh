#!/bin/sh
# The command line's contract: --help on every command, exit statuses, and
# errors that say what is wrong and where.
. "$(dirname "$0")/lib.sh"

cd "$T"

# Every command listed by 'teller --help' has its own --help.
teller --help >help.txt
grep -q "^Usage: teller" help.txt || fail "teller --help"
sed -n 's/^  \([a-z][a-z]*\( [a-z][a-z]*\)\?\)  .*/\1/p' help.txt >commands.txt
[ "$(wc -l <commands.txt)" -ge 13 ] || fail "too few commands listed"
while read -r cmd; do
	# shellcheck disable=SC2086
	teller $cmd --help >out.txt || fail "'teller $cmd --help' failed"
	grep -q "^Usage: teller \[--db PATH\] $cmd" out.txt || fail "'$cmd --help' has no usage line"
done <commands.txt
pass "--help on $(wc -l <commands.txt) commands"

expect_status 2 teller frobnicate
expect_stderr "unknown command 'frobnicate'"
expect_status 2 teller election frobnicate
expect_stderr "unknown subcommand 'election frobnicate'"
expect_status 2 teller election show
expect_stderr "missing operand"
expect_status 2 teller tally a b
expect_stderr "too many operands"
expect_status 2 teller election list --bogus
expect_stderr "unknown option --bogus"
expect_status 2 teller election close x --random
expect_stderr "needs a value"
teller --version | grep -q "^teller " || fail "--version"
pass "usage errors exit 2"

# No database yet: say how to make one.
expect_status 2 teller election list
expect_stderr "teller --db $T/teller.db init"
teller init >/dev/null
expect_status 2 teller init
expect_stderr "already initialised"
[ "$(stat -c %a teller.db)" = 600 ] || fail "the database is not mode 0600"
expect_status 2 teller election show nope
expect_stderr "no election \"nope\""
pass "database errors"

# A manifest with a mistake names the file and the field.
cat >bad.json <<'EOF2'
{"id": "e", "title": "T", "opens": "2026-01-01T00:00:00Z",
 "closes": "2099-01-01T00:00:00Z", "constituencies": [{"id": "a"}],
 "contests": [{"id": "c", "title": "C", "constituency": "b",
   "method": "plurality", "candidates": [{"id": "x", "name": "X"}]}]}
EOF2
expect_status 2 teller election create bad.json
expect_stderr "bad.json: contests[0].constituency: \"b\" is not one of the manifest's constituencies"
expect_status 2 teller election create missing.json
expect_stderr "missing.json: cannot open"
sed 's/"constituency": "b"/"constituency": "a"/' bad.json >good.json
teller election create good.json >/dev/null
pass "manifest errors"

# A roll with a mistake names the file, the line and the field.
pub=$(public_key k1.pem)
printf 'voter_id,name,constituency,weight,public_key\nv1,V1,a,1,%s\nv2,V2,a,7000,%s\n' \
	"$pub" "$pub" >roll.csv
expect_status 2 teller roll import e roll.csv
expect_stderr "roll.csv:3: weight: \"7000\" is not a whole number from 1 to 1000 (voter v2)"
[ "$(sql 'SELECT COUNT(*) FROM voters')" = 0 ] || fail "a failed import left voters"
pass "roll errors"

# Key files: never overwritten, never read when others can read them.
expect_status 2 teller key generate k1.pem
expect_stderr "k1.pem"
[ "$(stat -c %a k1.pem)" = 600 ] || fail "key file mode"
chmod 644 k1.pem
printf 'voter_id,name,constituency,weight,public_key\nv1,V1,a,1,%s\n' "$pub" >roll.csv
teller roll import e roll.csv >/dev/null
teller election open e >/dev/null
teller manifest e >m.json
expect_status 2 teller ballot make --manifest m.json --key k1.pem --voter v1 --vote c=x
expect_stderr "k1.pem: private key file has mode 0644"
expect_stderr "chmod 600 k1.pem"
chmod 600 k1.pem
# No --vote at all is refused, not a blank ballot by accident; --blank
# makes one deliberately.
expect_status 2 teller ballot make --manifest m.json --key k1.pem --voter v1
expect_stderr "no --vote: give --vote CONTEST=SELECTION"
expect_stderr "--blank CONTEST"
[ ! -s "$T/stdout" ] || fail "a refused ballot was printed"
expect_status 2 teller ballot make --manifest m.json --key k1.pem --voter v1 \
	--vote c=
expect_stderr "give --blank c"
teller ballot make --manifest m.json --key k1.pem --voter v1 --blank c >blank.json
grep -q '"payloadType":"application/vnd.teller.ballot+json"' blank.json || fail "blank ballot"
"$PYTHON3" -c 'import base64, json, sys; p = json.loads(base64.b64decode(json.load(open(sys.argv[1]))["payload"])); assert p["selections"] == [{"contest": "c", "marks": []}], p' blank.json
expect_status 2 teller ballot make --manifest m.json --key k1.pem
expect_stderr "--manifest, --key and --voter are required"
expect_status 2 teller ballot make --manifest m.json --key k1.pem --voter v1 --vote c=y
expect_stderr "contest c: \"y\" is not one of its candidates"
# A manifest file whose signature was tampered with is refused.
"$PYTHON3" - m.json m2.json <<'EOF2'
import base64, json, sys
env = json.load(open(sys.argv[1]))
sig = bytearray(base64.b64decode(env["signatures"][0]["sig"]))
sig[0] ^= 1
env["signatures"][0]["sig"] = base64.b64encode(bytes(sig)).decode()
json.dump(env, open(sys.argv[2], "w"))
EOF2
expect_status 2 teller ballot make --manifest m2.json --key k1.pem --voter v1 --vote c=x
expect_stderr "not signed by the authority key it names"
pass "key and ballot errors"
