# serve-lib.sh: what the tests of teller serve share, after lib.sh: a real
# server on a free loopback port, HTTP requests with curl, and an
# independent check (Python, from RFC 9162's definitions, not teller's
# code) of tree heads and consistency proofs.
. "$(dirname "$0")/lib.sh"

CURL=${CURL:-curl}
command -v "$CURL" >/dev/null || fail "curl is needed"

# start_server [ENV=VALUE...]: starts teller serve on a free port (with
# the options in $SERVE_ARGS, if any) with its log in $T/server.log; sets
# URL and SERVER_PID; waits until /healthz answers.
start_server() {
	PORT=$(free_port)
	URL="http://127.0.0.1:$PORT"
	# shellcheck disable=SC2086 # SERVE_ARGS holds several words
	env "$@" "$TELLER" serve --listen "127.0.0.1:$PORT" ${SERVE_ARGS:-} \
		>>"$T/server.out" 2>>"$T/server.log" &
	SERVER_PID=$!
	TL_PIDS="$TL_PIDS $SERVER_PID"
	i=0
	until "$CURL" -sf "$URL/healthz" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -lt 300 ] || { cat "$T/server.log"; fail "server did not start"; }
		kill -0 "$SERVER_PID" 2>/dev/null || { cat "$T/server.log"; fail "server exited"; }
		sleep 0.1
	done
}

# stop_server: SIGTERM, and the server must exit 0.
stop_server() {
	kill -TERM "$SERVER_PID"
	set +e
	wait "$SERVER_PID"
	rc=$?
	set -e
	[ "$rc" -eq 0 ] || { tail -20 "$T/server.log"; fail "server exited $rc after SIGTERM"; }
}

# http METHOD PATH [CURL ARGS...]: the body goes to $T/body, the status to
# $STATUS.
http() {
	method=$1 path=$2
	shift 2
	STATUS=$("$CURL" -s -o "$T/body" -w '%{http_code}' -X "$method" "$@" "$URL$path")
}

# field EXPR: a value from the JSON body, by a Python expression on `d`.
field() {
	"$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/body" "$1"
}

# expect_http STATUS [CODE]: the last request's status and, for an error,
# its JSON body {"error": CODE, "message": ...}.
expect_http() {
	[ "$STATUS" = "$1" ] || { cat "$T/body"; fail "HTTP $STATUS, expected $1"; }
	if [ $# -gt 1 ]; then
		got=$(field 'd["error"]')
		[ "$got" = "$2" ] || { cat "$T/body"; fail "error $got, expected $2"; }
		[ -n "$(field 'd["message"]')" ] || fail "error without a message"
	fi
}

# body_has TEXT: the last body contains TEXT.
body_has() {
	grep -qF -- "$1" "$T/body" || { cat "$T/body"; fail "body lacks: $1"; }
}

# stored: ballots, selections, log entries and tree heads in the database.
stored() {
	sql "SELECT (SELECT COUNT(*) FROM ballots) || '/' || (SELECT COUNT(*) FROM selections) || '/' || (SELECT COUNT(*) FROM log) || '/' || (SELECT COUNT(*) FROM tree_heads)"
}

# check_consistency OLD_HEAD_FILE NEW_HEAD_FILE PROOF_FILE: the proof
# (an answer of the consistency route) shows the old signed tree head's
# tree is a prefix of the new one's.  Computed here from RFC 9162 2.1.4.2.
check_consistency() {
	"$PYTHON3" - "$1" "$2" "$3" <<'EOF'
import base64, hashlib, json, sys

def head(path):
    env = json.load(open(path))
    p = json.loads(base64.b64decode(env["payload"]))
    return p["size"], bytes.fromhex(p["root"])

def node(l, r):
    return hashlib.sha256(b"\x01" + l + r).digest()

m, r1 = head(sys.argv[1])
n, r2 = head(sys.argv[2])
answer = json.load(open(sys.argv[3]))
assert answer["first"] == m and answer["second"] == n, answer
path = [bytes.fromhex(h) for h in answer["proof"]]
if m == n:
    assert path == [] and r1 == r2, "equal sizes, different roots"
else:
    if m & (m - 1) == 0:
        path = [r1] + path
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1; sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        assert sn != 0, "proof too long"
        if fn & 1 or fn == sn:
            fr = node(c, fr); sr = node(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1; sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1; sn >>= 1
    assert sn == 0 and fr == r1 and sr == r2, "consistency proof fails"
print("consistent", m, n)
EOF
}
