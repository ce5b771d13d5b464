#!/bin/sh
# teller invite and teller remind against a real SMTP server on loopback
# (tests/smtp-sink.py, Debian's python3-aiosmtpd): enrolment links, the
# voting notice and reminders reach the right voters, with SMTP AUTH,
# UTF-8 titles and names, and templates from files; --print shows the
# messages and sends nothing; every refusal says why and sends nothing.
. "$(dirname "$0")/lib.sh"
: "${TELLER_SRCDIR:?TELLER_SRCDIR must be set (make check sets it)}"

if ! py=$(smtp_python); then
	if [ "${TELLER_REQUIRE_BROWSER:-0}" = 1 ]; then
		fail "no python3 with aiosmtpd, and TELLER_REQUIRE_BROWSER=1"
	fi
	echo "SKIP: no python3 with aiosmtpd (Debian's python3-aiosmtpd)"
	exit 77
fi

cd "$T"
teller init >/dev/null
cat >e.json <<EOF
{"id": "club", "title": "Vorstand – Wahl 2026", "revote": "last",
 "opens": "$(utc -3600)", "closes": "$(utc 86400)",
 "constituencies": [{"id": "members", "name": "Members"}],
 "contests": [{"id": "board", "title": "Board", "constituency": "members",
   "seats": 1, "method": "plurality",
   "candidates": [{"id": "ann", "name": "Ann"}, {"id": "ben", "name": "Ben"}]}]}
EOF
teller election create e.json >/dev/null
k4=$(public_key m4.pem)
cat >roll.csv <<EOF
email,voter_id,name,constituency,weight,public_key
m1@example.org,m1,Jürgen Groß,members,1,
m2@example.org,m2,Ben,members,1,
m3@example.org,m3,Cy,members,1,
,m4,Dee,members,1,$k4
EOF
teller roll import club roll.csv >/dev/null

# The SMTP server, which requires AUTH as teller / s3cret.
mkdir mail
"$py" "$TELLER_SRCDIR/tests/smtp-sink.py" --dir mail --port-file smtp.port \
	--auth teller:s3cret 2>smtp.log &
TL_PIDS="$TL_PIDS $!"
i=0
while [ ! -s smtp.port ]; do
	i=$((i + 1)); [ "$i" -lt 600 ] || fail "the SMTP server did not start"
	sleep 0.05
done
SMTP="smtp://127.0.0.1:$(cat smtp.port)"
printf 's3cret\n' >password
chmod 600 password
send="--url https://vote.example.org --smtp $SMTP --from elections@example.org --smtp-user teller --smtp-password-file password"
count() { ls mail/*.eml 2>/dev/null | wc -l; }
tokens() { sql "SELECT COUNT(*) FROM enrolment_tokens"; }

# message N EXPR: a Python expression on the parsed message m (its To,
# Subject, and text body b).
message() {
	"$py" - "mail/$1.eml" "$2" <<'EOF'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
b = m.get_body(("plain",)).get_content()
print(eval(sys.argv[2]))
EOF
}

# --- refusals first: nothing is sent, nothing issued -----------------------
expect_status 2 teller invite club --smtp "$SMTP" --from e@example.org
expect_stderr "--url is required"
expect_status 2 teller invite club --url https://v.example.org
expect_stderr "give --smtp URL to send the messages, or --print"
expect_status 2 teller invite club --url https://v.example.org --smtp "$SMTP"
expect_stderr "--from ADDRESS is required with --smtp"
expect_status 2 teller invite club --url https://v.example.org --print --valid-for 3w
expect_stderr "--valid-for: \"3w\" is not a duration"
expect_status 2 teller invite club --url https://v.example.org --smtp http://127.0.0.1:1 --from e@example.org
expect_stderr "must start with smtps:// (TLS) or smtp:// (STARTTLS)"
expect_status 2 teller invite club --url ftp://v.example.org --print
expect_stderr "--url: \"ftp://v.example.org\" is not"
printf 'Subject: Hi {name}\n\nNo link here.\n' >nolink.txt
expect_status 2 teller invite club --url https://v.example.org --print --template nolink.txt
expect_stderr "nolink.txt: the message must carry {link}"
printf 'Subject: Hi\n\n{link} {nmae}\n' >typo.txt
expect_status 2 teller invite club --url https://v.example.org --print --template typo.txt
expect_stderr 'typo.txt:3: "{nmae}" is not a placeholder'
expect_status 2 teller invite club $send --voter m4
expect_stderr "voter m4 of election club has a key already"
expect_status 2 teller remind club $send
expect_stderr "election club is draft; a reminder message goes to voters of an open election"
[ "$(count)" = 0 ] && [ "$(tokens)" = 0 ] || fail "a refusal sent or issued something: $(count) $(tokens)"
pass "refusals send nothing and issue no link"

# A wrong password: the server refuses each message; exit 3, each named.
printf 'wrong\n' >badpass
expect_status 3 teller invite club --url https://v.example.org --smtp "$SMTP" \
	--from e@example.org --smtp-user teller --smtp-password-file badpass
expect_stderr "voter m1 <m1@example.org>: not sent"
expect_stderr "3 messages could not be sent"
[ "$(count)" = 0 ] || fail "sent with a wrong password"
pass "a server that refuses: each voter named, exit 3"

# --- --print: the messages, and nothing sent --------------------------------
expect_status 0 teller invite club --url https://vote.example.org --print
grep -q '^=== enrolment to voter m2 <m2@example.org>$' "$T/stdout" || fail "print: m2"
grep -q '^Subject: =?UTF-8?B?' "$T/stdout" || fail "print: the UTF-8 subject encoded"
grep -q '^https://vote.example.org/enrol/club#token=[A-Za-z0-9_-]\{43\}$' "$T/stdout" ||
	fail "print: the link"
expect_stderr "printed 3 enrolment links for election club; nothing was sent"
[ "$(count)" = 0 ] || fail "--print sent mail"
[ "$(sql "SELECT COUNT(*) FROM notices")" = 0 ] || fail "--print noted a notice"
pass "--print shows the messages and sends none"

# --- enrolment links, through SMTP with AUTH --------------------------------
expect_status 0 teller invite club $send
grep -q "Sent 3 enrolment links for election club." "$T/stdout" || fail "summary"
[ "$(count)" = 3 ] || fail "$(count) messages, expected 3"
[ "$(message 1 'm["To"].addresses[0].addr_spec, m["To"].addresses[0].display_name')" = \
	"('m1@example.org', 'Jürgen Groß')" ] || fail "To: of message 1"
[ "$(message 1 'str(m["Subject"])')" = "Vorstand – Wahl 2026: make your voting key" ] ||
	fail "subject: $(message 1 'str(m["Subject"])')"
[ "$(message 1 'm["From"]')" = "elections@example.org" ] || fail "From"
message 1 'b' | grep >/dev/null "^Dear Jürgen Groß,$" || fail "the body's UTF-8 name"
grep -q "^to m3@example.org$" mail/3.env || fail "envelope recipient"
grep -q "^from elections@example.org$" mail/3.env || fail "envelope sender"
# Each link's token is stored only as its hash.
for n in 1 2 3; do
	token=$(message $n 'b' | sed -n 's/.*#token=\([A-Za-z0-9_-]*\)$/\1/p')
	[ ${#token} = 43 ] || fail "token of message $n: $token"
	h=$(printf %s "$token" | sha256sum | cut -c1-64)
	[ "$(sql "SELECT COUNT(*) FROM enrolment_tokens WHERE token_hash = '$h' AND used_at IS NULL")" = 1 ] ||
		fail "the hash of message $n's token is not stored"
	[ "$(sql "SELECT COUNT(*) FROM enrolment_tokens WHERE token_hash = '$token'")" = 0 ] ||
		fail "a token is stored as itself"
done
[ "$(sql "SELECT COUNT(*) FROM notices WHERE kind = 'enrolment'")" = 3 ] || fail "notices"
pass "enrolment links sent with SMTP AUTH; tokens kept as hashes"

# A template from a file, for one voter; the new link replaces the old.
printf 'Subject: {{Club} {title}\n\nHello {name} ({voter}): {link}\nuntil {expires}\n' >mine.txt
expect_status 0 teller invite club $send --voter m2 --template mine.txt --valid-for 36h
[ "$(count)" = 4 ] || fail "the templated message"
[ "$(message 4 'str(m["Subject"])')" = "{Club} Vorstand – Wahl 2026" ] || fail "template subject"
message 4 'b' | grep >/dev/null '^Hello Ben (m2): https://vote.example.org/enrol/club#token=' ||
	fail "template body: $(message 4 'b')"
old=$(message 2 'b' | sed -n 's/.*#token=\([A-Za-z0-9_-]*\)$/\1/p' | tr -d '\n' | sha256sum | cut -c1-64)
[ "$(sql "SELECT revoked_at IS NOT NULL FROM enrolment_tokens WHERE token_hash = '$old'")" = 1 ] ||
	fail "m2's earlier link is not revoked"
pass "a template file; a newer link replaces the older"

# The roll cannot freeze while voters have no key.
expect_status 2 teller election open club
expect_stderr "3 voters on the roll have no key yet (m1, m2, m3)"
expect_stderr "teller invite club"
[ "$(sql "SELECT COUNT(*) FROM log")" = 0 ] || fail "a refused open logged"
pass "open refuses a roll with voters still to enrol"

# Give them keys (as if they had enrolled), then open.
for v in m1 m2 m3; do
	"$py" - "$TELLER_DB" "$v" "$(public_key "$v.pem")" <<'EOF'
import base64, hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
kid = hashlib.sha256(base64.b64decode(sys.argv[3])).hexdigest()
db.execute("UPDATE voters SET public_key = ?, key_id = ? WHERE id = ?",
           (sys.argv[3], kid, sys.argv[2]))
db.commit()
EOF
done
teller election open club >/dev/null
expect_status 2 teller invite club $send
expect_stderr "enrolment in election club has closed: its roll froze when it was opened"

# --- the voting notice, then reminders to those who have not voted ------------
expect_status 0 teller invite club --voting-open $send
grep -q "Sent 3 voting notices for election club." "$T/stdout" || { cat "$T/stdout" "$T/stderr"; fail "voting notices"; }
[ "$(count)" = 7 ] || fail "$(count) messages after the voting notices"
message 5 'b' | grep >/dev/null "^https://vote.example.org/vote/club#voter=m1$" || fail "voting link"
message 5 'b' | grep >/dev/null "is open from $(sql "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', opens_at, 'unixepoch') FROM elections")" ||
	fail "the window in the notice"
keyid=$(teller manifest club | "$py" -c 'import base64,hashlib,json,sys; m=json.loads(base64.b64decode(json.load(sys.stdin)["payload"])); print(hashlib.sha256(base64.b64decode(m["authority_key"])).hexdigest())')
message 5 'b' | grep >/dev/null "^$keyid$" || fail "the authority key id in the notice"
pass "voting notices (to voters with an address) carry the link, the window and the authority key id"

teller manifest club --output signed.json
teller ballot make --manifest signed.json --key m1.pem --voter m1 --vote board=ann --output b1.json
teller ballot cast b1.json >/dev/null
expect_status 0 teller remind club $send
grep -q "Sent 2 reminders for election club." "$T/stdout" || fail "reminders"
to=$(cat mail/8.env mail/9.env | sed -n 's/^to //p' | sort | tr '\n' ' ')
[ "$to" = "m2@example.org m3@example.org " ] || fail "reminded: $to"
message 8 'str(m["Subject"])' | grep >/dev/null "reminder to vote" || fail "reminder subject"
[ "$(sql "SELECT COUNT(*) FROM notices WHERE kind = 'reminder'")" = 2 ] || fail "reminder notices"
pass "reminders go to the voters who have not voted (not m1; m4 has no address)"

teller election close club --early --reason "The test is over." >/dev/null
expect_status 2 teller remind club $send
expect_stderr "election club is closed"
[ "$(count)" = 9 ] || fail "sent after the close"
pass "no reminder once the election is closed"
