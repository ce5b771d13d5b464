#!/bin/sh
# The command line's contract of README.md: --help of every command and
# group on standard output with exit 0, exit status 2 for a missing or
# unreadable input file for every command that reads one, and messages
# that say which file, option or line is at fault.
. "$(dirname "$0")/lib.sh"

cd "$T"

# --- --help: every command and every group, to stdout, exit 0 ---------------
teller --help >help.txt 2>help.err || fail "teller --help exited $?"
[ ! -s help.err ] || fail "teller --help wrote to stderr"
sed -n 's/^  \([a-z][a-z]*\( [a-z][a-z]*\)\?\)  .*/\1/p' help.txt >commands.txt
[ "$(wc -l <commands.txt)" -ge 30 ] || fail "too few commands listed"
cut -d' ' -f1 commands.txt | sort -u >words.txt
ngroups=0
while read -r cmd; do
	for h in --help -h; do
		# shellcheck disable=SC2086
		teller $cmd $h >out.txt 2>err.txt || fail "'teller $cmd $h' exited $?"
		[ ! -s err.txt ] || fail "'teller $cmd $h' wrote to stderr: $(cat err.txt)"
		grep -q "^Usage: teller \[--db PATH\] $cmd" out.txt \
			|| fail "'teller $cmd $h' printed no usage line"
	done
done <commands.txt
while read -r word; do
	grep -q "^$word [a-z]" commands.txt || continue
	ngroups=$((ngroups + 1))
	teller "$word" --help >out.txt 2>err.txt || fail "'teller $word --help' exited $?"
	[ ! -s err.txt ] || fail "'teller $word --help' wrote to stderr"
	grep -q "^Usage: teller \[--db PATH\] $word SUBCOMMAND" out.txt \
		|| fail "'teller $word --help' printed no usage"
	for sub in $(sed -n "s/^$word \([a-z]*\)$/\1/p" commands.txt); do
		grep -q "^  $sub " out.txt || fail "'teller $word --help' omits $sub"
	done
	# Without a subcommand: the same list, to stderr, and exit 2.
	expect_status 2 teller "$word"
	[ ! -s "$T/stdout" ] || fail "'teller $word' wrote to stdout"
	expect_stderr "'$word' needs a subcommand"
	expect_stderr "Usage: teller [--db PATH] $word SUBCOMMAND"
done <words.txt
[ "$ngroups" -ge 8 ] || fail "only $ngroups command groups"
expect_status 2 teller
[ ! -s "$T/stdout" ] || fail "'teller' alone wrote to stdout"
pass "--help of $(wc -l <commands.txt) commands and $ngroups groups on stdout, exit 0"

# --- --db without a value ---------------------------------------------------
for args in "--db" "--db=" "--db= election list" "election list --db" \
    "election list --db="; do
	# shellcheck disable=SC2086
	expect_status 2 teller $args
	expect_stderr "--db needs a path"
done
pass "--db without a value says it needs a path"

# --- a world to run every command in ----------------------------------------
teller init >/dev/null
voted_election e
teller export e -o record.jsonl
echo "text" >text.txt
echo "secret-secret-secret-secret-secret" >secret.txt
printf 'Ann\nBob\n' >pool.txt
echo "1 2 3" >sources.txt
cp "$TELLER_SRCDIR/tests/data/irv-lot.blt" ok.blt
pass "an election to run the commands against"

# --- every command that reads a file, with that file missing: exit 2 ---------
# Each line: the missing file's name, then the command.
cat >missing.txt <<'EOF2'
nope.json election create nope.json
nope.csv roll import e nope.csv
nope.json ballot make --manifest nope.json --key k.pem --voter v1 --vote c=x
nope.pem ballot make --manifest m.json --key nope.pem --voter v1 --vote c=x
nope.json ballot cast nope.json
nope.json ballot cast b.json --server http://127.0.0.1:9 --manifest nope.json
nope.blt count nope.blt --method irv
nope.jsonl verify nope.jsonl
nope.json receipt verify nope.json --record record.jsonl
nope.jsonl receipt verify receipt.json --record nope.jsonl
nope.json receipt verify receipt.json --server http://127.0.0.1:9 --manifest nope.json
nope.json receipt witness receipt.json --server http://127.0.0.1:9 --manifest nope.json
nope.json roll check --server http://127.0.0.1:9 --election e --voter v1 --manifest nope.json
nope.json witness run --server http://127.0.0.1:9 --election e --key k.pem --name w --state w.json --manifest nope.json
nope.pem petition endorse e 1 --key nope.pem --voter v1
nope.json petition endorse --envelope nope.json
nope.txt challenge file e --text nope.txt --key k.pem --voter v1
nope.pem challenge file e --text text.txt --key nope.pem --voter v1
nope.json challenge file --envelope nope.json
nope.txt challenge resolve e 1 --decision dismissed --text nope.txt
nope.txt nomcom select --pool nope.txt --sources sources.txt --count 1
nope.txt nomcom select --pool pool.txt --sources nope.txt --count 1
nope.txt webhook add http://127.0.0.1:9/ --all --secret-file nope.txt
nope.txt demo --dir demo --webhook http://127.0.0.1:9/ --webhook-secret-file nope.txt
nope.db --db nope.db election list
nope.db --db nope.db election show e
nope.db --db nope.db tally e
EOF2
n=0
while read -r file args; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	expect_status 2 teller $args
	expect_stderr "$file"
done <missing.txt
pass "$n commands exit 2 when a file they read is missing, naming it"

# --- a server's client: --server, --cacert, a pinned --manifest --------------
# Every command that talks to a server takes them through one parser
# (src/cli/client-opts.c): --cacert and a pinned --manifest go with
# --server, in the same words everywhere, and are refused without it.
cat >client.txt <<'EOF2'
ballot cast b.json
receipt verify receipt.json --record record.jsonl
roll check --record record.jsonl --voter v1
credential request --manifest m.json --key k.pem --voter v1 -o cred.json
trustee unseal e --key k.pem
EOF2
while read -r args; do
	# shellcheck disable=SC2086
	expect_status 2 teller $args --cacert ca.pem
	expect_stderr "teller: --cacert names whom to trust for an https server; it goes with --server"
done <client.txt
for args in "ballot cast b.json" \
    "receipt verify receipt.json --record record.jsonl"; do
	# shellcheck disable=SC2086
	expect_status 2 teller $args --manifest m.json
	expect_stderr "teller: --manifest pins the manifest a server's answers are checked with; it goes with --server"
done
[ ! -e cred.json ] || fail "a refused credential request wrote its file"
pass "--cacert and a pinned --manifest need --server, in one message"

# --- a voter's statement: --key and --voter, or --envelope alone -------------
expect_status 2 teller petition endorse --envelope x.json --key k.pem
expect_stderr "teller: --envelope records an endorsement signed elsewhere; give it alone"
expect_status 2 teller challenge file --envelope x.json --text text.txt
expect_stderr "teller: --envelope records a challenge signed elsewhere; give it alone"
expect_status 2 teller challenge file e --envelope x.json
expect_stderr "too many operands"
expect_status 2 teller petition endorse e --key k.pem --voter v1
expect_stderr "missing operand"
expect_status 2 teller petition endorse e 1 --key k.pem
expect_stderr "teller: --key and --voter are required"
expect_status 2 teller challenge file e --key k.pem --voter v1
expect_stderr "teller: --text, --key and --voter are required"
pass "a voter's statement takes --key and --voter, or --envelope alone"

# A directory where a file should be, and a file nobody may read.
mkdir adir
expect_status 2 teller verify adir
expect_stderr "adir"
expect_status 2 teller count adir --method irv
expect_stderr "adir"
cp ok.blt closed.blt
cp record.jsonl closed.jsonl
chmod 000 closed.blt closed.jsonl
expect_status 2 teller_as_other count "$T/closed.blt" --method irv
expect_stderr "closed.blt: cannot open: Permission denied"
expect_status 2 teller_as_other verify "$T/closed.jsonl"
expect_stderr "closed.jsonl: cannot open: Permission denied"
pass "a directory or an unreadable file is bad input too (exit 2)"

# --- messages that name what is wrong ----------------------------------------
echo 'garbage' >garbage.json
expect_status 2 teller ballot cast garbage.json
expect_stderr "garbage.json: envelope is not valid JSON"
echo '{"payloadType": "x"}' >half.json
expect_status 2 teller ballot cast half.json
expect_stderr "half.json: "
expect_status 2 teller ballot cast b.json
expect_stderr "b.json: "
pass "a refused ballot's error names its file"

# A draft election's roll: the CSV errors give the counts, and a voter
# twice names the line it repeats.
small_election d
printf 'voter_id,name,constituency,weight,public_key\nv1,V1,a,1,%s,x,y\n' "$pub" >wide.csv
expect_status 2 teller roll import d wide.csv
expect_stderr "wide.csv:2: 7 fields, expected 5"
printf 'voter_id,name,constituency,weight,public_key\nv1,V1,a,1,%s\n\nv1,Again,a,1,%s\n' \
	"$pub" "$(public_key k2.pem)" >twice.csv
expect_status 2 teller roll import d twice.csv
expect_stderr "twice.csv:4: voter_id: \"v1\" is already on line 2"
expect_status 2 teller roll import d roll.csv
expect_stderr "roll.csv:2: voter_id: voter v1 is already on the roll of election d"
pass "roll errors give counts and name the voter and line"
