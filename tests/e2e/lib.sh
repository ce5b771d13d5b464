# lib.sh: what the end-to-end tests share.  Source it first:
#   . "$(dirname "$0")/lib.sh"
# Each test gets its own temporary directory ($T, removed at exit) and
# database ($T/teller.db via TELLER_DB), and drives the built teller
# ($TELLER, set by make check).

set -eu

: "${TELLER:?TELLER must name the built teller program (make check sets it)}"
T=$(mktemp -d "${TMPDIR:-/tmp}/teller-e2e-XXXXXX")
export TELLER_DB="$T/teller.db"
TL_PIDS=""
cleanup() {
	for pid in $TL_PIDS; do kill "$pid" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT

# teller ARGS...: runs the program under test.
teller() { "$TELLER" "$@"; }

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok - $*"; }

# expect_status N CMD...: runs CMD, fails unless it exits with N; its
# stderr is kept in $T/stderr and stdout in $T/stdout.
expect_status() {
	want=$1; shift
	set +e
	"$@" >"$T/stdout" 2>"$T/stderr"
	got=$?
	set -e
	[ "$got" -eq "$want" ] || {
		echo "--- stdout"; cat "$T/stdout"; echo "--- stderr"; cat "$T/stderr"
		fail "'$*' exited $got, expected $want"
	}
}

# expect_stderr TEXT: the last expect_status's stderr contains TEXT.
expect_stderr() {
	grep -qF -- "$1" "$T/stderr" || {
		cat "$T/stderr"; fail "stderr lacks: $1"
	}
}

# teller_as_other ARGS...: runs teller so that file modes bind it.  As
# anyone but root, that is teller itself; as root (whom modes do not
# stop, as on CI), teller runs as the user nobody through setpriv, from a
# copy nobody can run, with $T readable by others.
teller_as_other() {
	if [ "$(id -u)" -ne 0 ]; then
		"$TELLER" "$@"
		return
	fi
	if [ ! -x "$T/bin/teller" ]; then
		mkdir -p "$T/bin"
		cp "$TELLER" "$T/bin/teller"
		chmod 755 "$T" "$T/bin" "$T/bin/teller"
	fi
	setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
		"$T/bin/teller" "$@"
}

# small_election ID: defines a draft election ID (manifest ID.json: one
# constituency "a" and one plurality contest "c" with candidate "x",
# voting from an hour ago to a day ahead) and imports roll.csv: voter v1
# of "a", whose key is k.pem.  The first call makes the key and roll.csv;
# $pub is v1's public key.
small_election() {
	cat >"$1.json" <<EOF_SMALL
{"id": "$1", "title": "T", "opens": "$(utc -3600)", "closes": "$(utc 86400)",
 "constituencies": [{"id": "a"}],
 "contests": [{"id": "c", "title": "C", "constituency": "a",
   "method": "plurality", "candidates": [{"id": "x", "name": "X"}]}]}
EOF_SMALL
	teller election create "$1.json" >/dev/null
	if [ ! -f k.pem ]; then
		public_key k.pem >k.pub
		printf 'voter_id,name,constituency,weight,public_key\nv1,V1,a,1,%s\n' \
			"$(cat k.pub)" >roll.csv
	fi
	pub=$(cat k.pub)
	teller roll import "$1" roll.csv >/dev/null
}

# voted_election ID: small_election ID, opened, with v1's ballot for x
# cast: the signed manifest is m.json, the ballot b.json, its receipt
# receipt.json.
voted_election() {
	small_election "$1"
	teller election open "$1" >/dev/null
	teller manifest "$1" -o m.json
	teller ballot make --manifest m.json --key k.pem --voter v1 --vote c=x \
		-o b.json
	teller ballot cast b.json -o receipt.json
}

# sql QUERY: one value from the database.
sql() { "$PYTHON3" -c 'import sqlite3,sys; r=sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone(); print(r[0] if r else "")' "$TELLER_DB" "$1"; }

# refcount_record FILE...: the reference count (tests/refcount.py, a second
# implementation written from doc/record-format.md, doc/methods.md and
# doc/result-format.md) recomputes each exported record's result document
# and must give, byte for byte, the payload of every result in it.  Each
# FILE must hold at least one result.
refcount_record() {
	: "${TELLER_SRCDIR:?TELLER_SRCDIR must be set (make check sets it)}"
	"$PYTHON3" "$TELLER_SRCDIR/tests/refcount.py" record "$@" \
		>"$T/refcount.out" 2>&1 || {
		cat "$T/refcount.out"; fail "the reference count of $*"
	}
	for f in "$@"; do
		grep -qF "ok - $f: result 1, " "$T/refcount.out" || {
			cat "$T/refcount.out"; fail "$f holds no result to recount"
		}
	done
}

# free_port: a free TCP port on 127.0.0.1.
free_port() { "$PYTHON3" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# public_key FILE: the base64 public key of a key file made by teller.
public_key() { teller key generate "$1" | sed -n 's/^public_key: //p'; }

# trustee ID [NAME]: makes trustee ID's keys in ID.pem with teller trustee
# keygen and prints its member of a manifest's "trustees" (with NAME if given).
trustee() {
	teller trustee keygen -o "$1.pem" --json >"$1.json" || return 1
	"$PYTHON3" -c 'import json, sys
k = json.load(open(sys.argv[1]))
m = {"id": sys.argv[2]}
if len(sys.argv) > 3: m["name"] = sys.argv[3]
m["identity_key"] = k["identity_key"]
m["sealing_key"] = k["sealing_key"]
print(json.dumps(m))' "$1.json" "$@"
}

# sealed_club SEATS METHOD [T1_NAME]: in the current directory, makes the
# secret election "club" sealed for trustees t1, t2, t3 (keys in t1.pem ..
# t3.pem; threshold 2; T1_NAME names t1), with a contest "board" of SEATS
# seats counted by METHOD (ann, ben, cyd) and a referendum "motion", the
# voters m1..m6 (keys m1.pem .. m6.pem) on its roll; opens it and writes
# its signed manifest to signed.json.
sealed_club() {
	t1=$(trustee t1 ${3:+"$3"}) && t2=$(trustee t2) && t3=$(trustee t3) ||
	    return 1
	cat >manifest.json <<EOF
{"id": "club", "title": "Club board", "secrecy": "secret",
 "opens": "$(utc -3600)", "closes": "$(utc 86400)",
 "constituencies": [{"id": "members", "name": "Members"}],
 "contests": [{"id": "board", "title": "Board", "constituency": "members",
   "seats": $1, "method": "$2",
   "candidates": [{"id": "ann", "name": "Ann"}, {"id": "ben", "name": "Ben"},
                  {"id": "cyd", "name": "Cyd"}]},
  {"id": "motion", "title": "Motion", "constituency": "members",
   "method": "referendum"}],
 "trustees": [$t1, $t2, $t3], "threshold": 2}
EOF
	teller election create manifest.json >/dev/null || return 1
	{
		echo "voter_id,name,constituency,weight,public_key"
		for i in 1 2 3 4 5 6; do
			echo "m$i,Member $i,members,1,$(public_key m$i.pem)"
		done
	} >roll.csv
	teller roll import club roll.csv >/dev/null &&
	    teller election open club >/dev/null 2>&1 &&
	    teller manifest club --output signed.json
}

# utc OFFSET_SECONDS: an RFC 3339 UTC time relative to now.
utc() { date -u -d "@$(( $(date +%s) + $1 ))" +%Y-%m-%dT%H:%M:%SZ; }

# club_manifest REVOTE: the manifest of "club", a plurality election of one
# seat (board: ann or ben) for the constituency "members", with the revote
# policy REVOTE, whose voting window opened an hour ago and lasts a day.
club_manifest() {
	cat <<EOF
{"id": "club", "title": "Club board", "revote": "$1",
 "opens": "$(utc -3600)", "closes": "$(utc 86400)",
 "constituencies": [{"id": "members", "name": "Members"}],
 "contests": [{"id": "board", "title": "Board", "constituency": "members",
   "seats": 1, "method": "plurality",
   "candidates": [{"id": "ann", "name": "Ann"}, {"id": "ben", "name": "Ben"}]}]}
EOF
}

# start_receiver PORT: starts the test webhook receiver
# (tests/webhook-receiver.py, which checks every signature with the secret
# in $T/secret) on PORT (0: any free port), logging to $T/received.jsonl
# and keeping each body in $T/saved; sets $PORT and $RECEIVER.
start_receiver() {
	: "${TELLER_SRCDIR:?TELLER_SRCDIR must be set (make check sets it)}"
	rm -f "$T/port"
	mkdir -p "$T/saved"
	touch "$T/received.jsonl"
	"$PYTHON3" "$TELLER_SRCDIR/tests/webhook-receiver.py" \
		--secret-file "$T/secret" --log "$T/received.jsonl" \
		--port "$1" --port-file "$T/port" --save-dir "$T/saved" &
	RECEIVER=$!
	TL_PIDS="$TL_PIDS $RECEIVER"
	i=0
	while [ ! -s "$T/port" ]; do
		i=$((i + 1))
		[ "$i" -lt 1000 ] || fail "the receiver did not start"
		kill -0 "$RECEIVER" 2>/dev/null || fail "the receiver exited"
		sleep 0.02
	done
	PORT=$(cat "$T/port")
}

# smtp_python: a Python 3 that has aiosmtpd (Debian's python3-aiosmtpd is
# for the system's /usr/bin/python3, which may not be the first python3 on
# PATH); prints its path, or fails.
smtp_python() {
	for p in "${PYTHON3:-}" /usr/bin/python3 python3; do
		[ -n "$p" ] || continue
		if "$p" -c 'import aiosmtpd' >/dev/null 2>&1; then
			command -v "$p"
			return 0
		fi
	done
	return 1
}
