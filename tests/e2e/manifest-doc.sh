#!/bin/sh
# doc/manifest.md: its example is a manifest teller takes as it is, and it
# has every member that doc/record-format.md's section 5.1 lists (but the
# two teller writes itself); and the constituencies' "weights" it shows
# are enforced when the roll is imported, naming the line and the voter.
. "$(dirname "$0")/lib.sh"
: "${TELLER_SRCDIR:?}"
doc="$TELLER_SRCDIR/doc/manifest.md"
spec="$TELLER_SRCDIR/doc/record-format.md"

cd "$T"
# The first ```json block of the page.
sed -n '/^```json$/,/^```$/p' "$doc" | sed '1d;$d' | sed '/^```$/,$d' >example.json
[ -s example.json ] || fail "doc/manifest.md has no example"
# The members of 5.1's two tables (the manifest's and a contest's), and
# those the text of 5.1 and 5.1.1 names in its object forms.
members=$(sed -n '/^### 5.1 Manifest/,/^### 5.2/p' "$spec" |
	grep -o '^| `[a-z_]*`\(, `[a-z_]*`\)*' | grep -o '[a-z_][a-z_]*' | sort -u)
[ "$(echo "$members" | wc -w)" -ge 20 ] || fail "found only $(echo $members) in 5.1"
for m in $members weights min max name description form public_key \
    nominations petitions challenge quorum quorum_ballots threshold; do
	case $m in authority_key|initial_manifest)
		grep -q "\`$m\`" "$doc" || fail "doc/manifest.md does not explain $m"
		continue;;
	esac
	grep -q "\"$m\":" example.json || fail "the example lacks \"$m\""
done
pass "the example has every member of record-format.md 5.1"

teller init >/dev/null
export TELLER_NOW=2029-12-01T00:00:00Z
teller election create example.json >/dev/null
teller election show isoc-2030 --json >show.json
"$PYTHON3" - show.json <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
assert e["state"] == "draft", e["state"]
assert [c["id"] for c in e["contests"]] == ["chapters", "orgs", "iab", "iesg"], e["contests"]
PY
pass "teller election create takes the example as it is"

# Organization Members weigh 1 to 6, Chapters exactly 1.
k1=$(public_key k1.pem); k2=$(public_key k2.pem); k3=$(public_key k3.pem)
cat >roll.csv <<EOF2
voter_id,name,constituency,weight,public_key
ch-1,Chapter One,chapters,1,$k1
org-1,Org One,orgs,6,$k2
org-2,Org Two,orgs,7,$k3
EOF2
expect_status 2 teller roll import isoc-2030 roll.csv
expect_stderr "roll.csv:4: weight: voter org-2 has weight 7, outside the weights of constituency orgs, 1 to 6"
sed -i 's/^ch-1,Chapter One,chapters,1,/ch-1,Chapter One,chapters,2,/; s/^org-2,Org Two,orgs,7,/org-2,Org Two,orgs,3,/' roll.csv
expect_status 2 teller roll import isoc-2030 roll.csv
expect_stderr "roll.csv:2: weight: voter ch-1 has weight 2, outside the weights of constituency chapters, 1 to 1"
[ "$(sql "SELECT COUNT(*) FROM voters")" = 0 ] || fail "a refused roll left voters"
sed -i 's/^ch-1,Chapter One,chapters,2,/ch-1,Chapter One,chapters,1,/' roll.csv
teller roll import isoc-2030 roll.csv >/dev/null
[ "$(sql "SELECT group_concat(weight) FROM voters")" = "1,6,3" ] || fail "the roll's weights"
pass "roll import keeps each constituency's weights, naming line and voter"
