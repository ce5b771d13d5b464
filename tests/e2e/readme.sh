#!/bin/sh
# The README: its quick-start line is one line that installs with sudo
# where there is one and without it where there is none (as root); and
# "Running an election" uses only commands teller has, in an order that
# works: the voters' keys before the roll that holds them, the roll
# before the open.
. "$(dirname "$0")/lib.sh"
: "${TELLER_SRCDIR:?}"
readme="$TELLER_SRCDIR/README.md"

cd "$T"
line=$(grep '^    .*apt-get update' "$readme")
[ "$(echo "$line" | wc -l)" = 1 ] || fail "not one quick-start line"
case $line in *'\') fail "the quick-start line goes on to another";; esac
# Its installing part, up to the build, run with apt-get (and sudo)
# replaced by scripts that only say how they were called.
install=$(echo "$line" | sed 's/ && \.\/autogen\.sh.*//')
case $install in *apt-get\ install*) ;; *) fail "no apt-get install in: $install";; esac
mkdir nosudo withsudo
printf '#!/bin/sh\necho "apt-get $*" >>"%s/calls"\n' "$T" >nosudo/apt-get
cp nosudo/apt-get withsudo/apt-get
printf '#!/bin/sh\necho "sudo" >>"%s/calls"\nexec "$@"\n' "$T" >withsudo/sudo
chmod +x nosudo/* withsudo/*
for dir in nosudo withsudo; do
	: >calls
	PATH="$T/$dir" /bin/sh -c "$install" || fail "the quick start stops ($dir)"
	if [ $dir = nosudo ]; then
		want=$(printf 'apt-get update\napt-get install')
	else
		want=$(printf 'sudo\napt-get update\nsudo\napt-get install')
	fi
	[ "$(cut -c1-15 calls)" = "$want" ] || { cat calls; fail "the quick start ran ($dir) otherwise"; }
done
pass "the quick-start line installs with sudo where there is one, without where there is none"

# "Running an election": each command it names is a command of teller.
sed -n '/^## Running an election/,/^## /p' "$readme" >running.md
teller --help >commands.txt
n=0
grep '^    ' running.md | grep -o 'teller [a-z][a-z]*\( [a-z][a-z]*\)\?' | sort -u | while read -r _ w1 w2; do
	if grep -q "^  $w1 [a-z][a-z]*  " commands.txt; then
		# A group: w2 must be one of its commands.
		grep -q "^  $w1 $w2 " commands.txt ||
			fail "README names 'teller $w1 $w2', which is no command"
	else
		grep -q "^  $w1 " commands.txt ||
			fail "README names 'teller $w1', which is no command"
	fi
done
first() { grep -n "$1" running.md | head -1 | cut -d: -f1; }
for pair in "teller init|teller election create" \
    "teller election create|teller key generate" \
    "teller key generate|teller roll import" \
    "teller roll import|teller election open" \
    "teller election open|teller ballot make" \
    "teller ballot cast|teller election close" \
    "teller election close|teller tally"; do
	a=$(first "${pair%|*}"); b=$(first "${pair#*|}")
	[ -n "$a" ] && [ -n "$b" ] || fail "README lacks ${pair%|*} or ${pair#*|}"
	[ "$a" -lt "$b" ] || fail "README runs '${pair#*|}' (line $b) before '${pair%|*}' (line $a)"
done
pass "Running an election: real commands, keys before the roll, the roll before the open"
