#!/bin/sh
# -o FILE (teller's rule, doc/teller.1 "OUTPUT FILES"): a new path or a
# regular file is replaced atomically (a temporary file renamed into
# place); anything else is written in place: a device stays a device, a
# FIFO is written to, and a symbolic link is followed to what it names,
# never replaced by a regular file.
. "$(dirname "$0")/lib.sh"

cd "$T"
teller init >/dev/null
small_election e
teller election open e >/dev/null
teller manifest e >expected.json

# A new path, then a regular file: replaced whole, by rename (a new inode).
mkdir out
teller manifest e -o out/m.json
cmp out/m.json expected.json || fail "new file"
echo old >out/m.json
chmod 600 out/m.json
before=$(stat -c %i out/m.json)
teller manifest e -o out/m.json
cmp out/m.json expected.json || fail "replaced file"
[ "$(stat -c %i out/m.json)" != "$before" ] || fail "not replaced by rename"
[ "$(stat -c %a out/m.json)" = 644 ] || fail "mode of the replacement"
[ "$(ls out)" = m.json ] || fail "a temporary file was left: $(ls out)"
pass "a new path or a regular file is replaced atomically"

# A device stays a device.  As root teller could replace any device node:
# the test makes its own node of the null device (not the system's
# /dev/null, which a broken build would clobber for everyone).
if [ "$(id -u)" -eq 0 ]; then
	mknod null c 1 3
	dev=$T/null
else
	dev=/dev/null
fi
teller manifest e -o "$dev"
[ -c "$dev" ] || fail "$dev is no longer a character device"
[ "$(stat -c %t:%T "$dev")" = 1:3 ] || fail "$dev is another device"
pass "-o $dev writes to the device and leaves it one"

# A FIFO is written to, not replaced.
mkfifo pipe
cat pipe >from-pipe &
reader=$!
teller manifest e -o pipe
wait "$reader"
cmp from-pipe expected.json || fail "what came through the FIFO"
[ -p pipe ] || fail "the FIFO was replaced"
pass "-o FIFO writes into it"

# A symbolic link is followed and its target written in place: the link
# stays a link, the target keeps its inode and mode.
echo old >target.json
chmod 640 target.json
ln -s target.json link.json
before=$(stat -c %i target.json)
teller manifest e -o link.json
[ -L link.json ] || fail "the link was replaced by a file"
cmp target.json expected.json || fail "the target was not written"
[ "$(stat -c %i target.json)" = "$before" ] || fail "the target was replaced"
[ "$(stat -c %a target.json)" = 640 ] || fail "the target's mode changed"
ln -s "$dev" devlink
teller manifest e -o devlink
[ -L devlink ] && [ -c "$dev" ] || fail "a link to a device"
# A link to nothing is refused, and creates nothing.
ln -s absent.json dangling.json
expect_status 2 teller manifest e -o dangling.json
expect_stderr "dangling.json: a symbolic link to nothing"
[ ! -e absent.json ] && [ -L dangling.json ] || fail "the dangling link was followed"
# A directory is refused.
expect_status 2 teller manifest e -o out
expect_stderr "out: is a directory"
pass "a symbolic link is written through, never replaced"

# Every command's -o follows the same rule: export and ballot make too.
ln -s record.jsonl record-link
: >record.jsonl
teller export e -o record-link
[ -L record-link ] && [ -s record.jsonl ] || fail "export -o through a link"
teller ballot make --manifest expected.json --key k.pem --voter v1 \
	--vote c=x -o "$dev"
[ -c "$dev" ] || fail "ballot make -o a device"
pass "export and ballot make -o follow the rule"
