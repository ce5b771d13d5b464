#!/bin/sh
# Files that change while teller reads them.  strace holds teller for a
# second just after it first learns the size or the mode of the file (a
# stat or fstat of it), and the test changes the file in that second:
#
# - teller count's BLT file and teller verify's record shrink: teller must
#   not die of SIGBUS (as it did when it mapped the file with the size it
#   had seen), but count or verify what it reads, or say what is wrong;
# - a voter's private key file is replaced by a world-readable one with
#   another key: teller must use the key whose mode it checked (the same
#   open file), never the other.
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || fail "strace is needed (Debian package strace)"
cd "$T"

# while_held FILE ACTION CMD...: runs CMD under strace, which delays the
# first stat or fstat of FILE by a second; in that second ACTION is done
# to FILE ("truncate:N": cut it to N bytes; "replace:OTHER": rename OTHER
# onto it).  CMD's exit status goes to $RC (a signal as 128 + its number),
# its output to $T/stdout and $T/stderr.  Fails if ACTION was not done
# while CMD was held.
while_held() {
	file=$1 action=$2
	shift 2
	set +e
	"$PYTHON3" - "$file" "$action" "$@" <<'EOF'
import os, signal, subprocess, sys, time
path, action, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
trace = path + ".trace"
open(trace, "w").close()
# LeakSanitizer cannot work under ptrace.
env = dict(os.environ)
env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":detect_leaks=0"
calls = "%stat,%fstat,%lstat"
child = subprocess.Popen(
    ["strace", "-f", "-qq", "-o", trace, "-P", path, "-e", "trace=" + calls,
     "-e", "inject=" + calls + ":delay_exit=1000000:when=1"] + cmd,
    stdout=open("stdout", "wb"), stderr=open("stderr", "wb"), env=env)
done = False
while child.poll() is None and not done:
    if "(DELAYED)" in open(trace).read():
        kind, _, arg = action.partition(":")
        if kind == "truncate":
            os.truncate(path, int(arg))
        else:
            os.rename(arg, path)
        done = child.poll() is None
        break
    time.sleep(0.002)
rc = child.wait()
if not done:
    sys.exit("%s was not changed while %s was held:\n%s" %
             (path, cmd[0], open(trace).read()))
sys.exit(128 - rc if rc < 0 else rc)
EOF
	RC=$?
	set -e
	[ "$RC" -lt 100 ] || { cat "$T/stderr"; fail "$* ended with status $RC (a signal: $((RC - 128)))"; }
}

# --- teller count: the BLT file shrinks -----------------------------------

"$PYTHON3" - <<'EOF'
import random
random.seed(7)
with open("ballots.blt", "w") as f:
    f.write("4 1\n")
    for _ in range(4000):
        f.write("1 %s 0\n" % " ".join(str(c) for c in random.sample(range(1, 5), 3)))
    f.write('0\n"Ann"\n"Ben"\n"Cat"\n"Dan"\n"Shrinking"\n')
EOF
[ "$(wc -c <ballots.blt)" -gt 16384 ] || fail "the BLT file is too small to map past a page"
cp ballots.blt whole.blt
teller count whole.blt --method irv --format json >whole.json
while_held ballots.blt truncate:100 "$TELLER" count ballots.blt --method irv
[ "$RC" -eq 2 ] || { cat "$T/stdout" "$T/stderr"; fail "count of a shrunk file exited $RC, expected 2"; }
grep -qF "ballots.blt:" "$T/stderr" || { cat "$T/stderr"; fail "the error does not name the file"; }
! grep -q "Sanitizer\|runtime error" "$T/stderr" || { cat "$T/stderr"; fail "a sanitizer report"; }
pass "count: a BLT file cut to 100 bytes after its size was taken is a clean error (exit 2), not SIGBUS"

# The same file, unchanged while held, counts as it does without strace.
cp whole.blt ballots.blt
while_held ballots.blt truncate:"$(wc -c <whole.blt)" "$TELLER" count ballots.blt --method irv --format json
[ "$RC" -eq 0 ] || { cat "$T/stderr"; fail "count exited $RC"; }
cmp -s "$T/stdout" whole.json || fail "a count read through a held descriptor differs"
pass "count: a file read through the same descriptor gives the same result"

# --- teller verify: the record shrinks -------------------------------------

club_manifest last >club.json
teller init >/dev/null
teller election create club.json >/dev/null
echo "voter_id,name,constituency,weight,public_key" >club.csv
for i in $(seq 1 24); do
	echo "m$i,Member $i,members,1,$(public_key m$i.pem)" >>club.csv
done
teller roll import club club.csv >/dev/null
teller election open club >/dev/null
teller manifest club --output club.signed.json
for i in $(seq 1 24); do
	teller ballot make --manifest club.signed.json --key m$i.pem --voter m$i \
		--vote board=ann --output b$i.json
	teller ballot cast b$i.json >/dev/null
done
teller export club --output record.jsonl
[ "$(wc -c <record.jsonl)" -gt 8192 ] || fail "the record is too small to map past a page"
while_held record.jsonl truncate:100 "$TELLER" verify record.jsonl
[ "$RC" -eq 1 ] || [ "$RC" -eq 2 ] || { cat "$T/stdout" "$T/stderr"; fail "verify of a shrunk record exited $RC"; }
! grep -q "Sanitizer\|runtime error" "$T/stderr" || { cat "$T/stderr"; fail "a sanitizer report"; }
pass "verify: a record cut to 100 bytes after its size was taken is found invalid (exit $RC), not SIGBUS"

# --- a private key file replaced after its mode was checked -----------------

# The keyid of m1's ballots, made with its own key.
keyid() { "$PYTHON3" -c 'import json,sys; print(json.load(open(sys.argv[1]))["signatures"][0]["keyid"])' "$1"; }
want=$(keyid b1.json)
public_key other.pem >/dev/null
chmod 644 other.pem
while_held m1.pem replace:other.pem "$TELLER" ballot make --manifest club.signed.json \
	--key m1.pem --voter m1 --vote board=ben
[ "$RC" -eq 0 ] || { cat "$T/stderr"; fail "ballot make exited $RC"; }
[ "$(keyid "$T/stdout")" = "$want" ] ||
	fail "the ballot is signed with the key of the world-readable file put in place of m1.pem"
[ "$(stat -c %a m1.pem)" = 644 ] || fail "m1.pem was not replaced"
expect_status 2 teller ballot make --manifest club.signed.json --key m1.pem \
	--voter m1 --vote board=ben
expect_stderr "m1.pem: private key file has mode 0644"
pass "a key file replaced after its mode was checked is not read: the key used is the one checked"
