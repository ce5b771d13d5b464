#!/bin/sh
# teller nomcom select against a selection computed here, independently,
# with openssl dgst -md5 and bc, from RFC 3797 section 4's definition.
. "$(dirname "$0")/lib.sh"

cd "$T"
i=1
: >pool.txt
while [ $i -le 30 ]; do echo "Volunteer $i" >>pool.txt; i=$((i + 1)); done
cat >sources.txt <<'EOF2'
# Lottery A (sorted by teller)
17 3 42 8
# An index closing value, with a decimal fraction
15230.50
# Another draw
0007 12
EOF2
# The key by the RFC's rules: sorted, each value followed by a period,
# trailing zeros of a fraction dropped, each source ended by a slash.
key='3.8.17.42./15230.5./7.12./'

teller nomcom select --pool pool.txt --sources sources.txt --count 10 \
	--format json >out.json
[ "$("$PYTHON3" -c 'import json,sys; print(json.load(open(sys.argv[1]))["key"])' out.json)" = "$key" ] \
	|| fail "key string"

# The expected selection, with openssl and bc only.
remaining=$(seq 1 30)
: >expected.txt
i=0
while [ $i -lt 10 ]; do
	hi=$(printf '%03o' $((i / 256)))
	lo=$(printf '%03o' $((i % 256)))
	md5=$( { printf "\\$hi\\$lo"; printf '%s' "$key"; printf "\\$hi\\$lo"; } \
		| openssl dgst -md5 -r | cut -c1-32 | tr a-f A-F)
	left=$(echo "$remaining" | wc -l)
	k=$(echo "ibase=16; $md5 % $(printf '%X' "$left")" | bc)
	member=$(echo "$remaining" | sed -n "$((k + 1))p")
	echo "$i $md5 $left $member Volunteer $member" >>expected.txt
	remaining=$(echo "$remaining" | sed "$((k + 1))d")
	i=$((i + 1))
done
"$PYTHON3" -c '
import json, sys
doc = json.load(open(sys.argv[1]))
for s in doc["selected"]:
    print(s["index"], s["md5"], s["divisor"], s["member"], s["name"])
' out.json >got.txt
diff expected.txt got.txt || fail "selection differs from openssl + bc"
pass "RFC 3797 selection matches openssl dgst -md5 and bc"

teller nomcom select --pool pool.txt --sources sources.txt --count 3 >out.txt
grep -q "^Key: $key" out.txt || fail "text key"
grep -q "index        hex value of MD5        div  selected" out.txt || fail "table"
head -n 1 expected.txt | awk '{print $2}' >md5.txt
grep -q "$(cat md5.txt)" out.txt || fail "text table MD5"
expect_status 2 teller nomcom select --pool pool.txt --sources sources.txt --count 31
expect_stderr "more than the pool's 30 members"
echo "1 2 x" >bad.txt
expect_status 2 teller nomcom select --pool pool.txt --sources bad.txt --count 2
expect_stderr "bad.txt: random source 1: \"x\" is not a number"
pass "text output and errors"
