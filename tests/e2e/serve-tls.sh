#!/bin/sh
# teller serve over HTTPS: a certificate authority and a server
# certificate for 127.0.0.1 are made here with openssl; the server is
# started with --tls-cert/--tls-key on a free loopback port; a voter casts
# with `teller ballot cast --server https://... --cacert ca.pem` and checks
# the receipt with `teller receipt verify --server https://...`.  Without
# the right authority, or over plain HTTP, nothing gets through and
# nothing is stored.  Bad --tls-* options are refused before the server
# starts.
. "$(dirname "$0")/serve-lib.sh"
command -v openssl >/dev/null || fail "openssl (the command) is needed"

cd "$T"
"$(dirname "$TELLER")/../bench/serve-gen" --db "$TELLER_DB" --voters 3 \
	--out ballots.jsonl
sed -n 1p ballots.jsonl >b1.json
sed -n 2p ballots.jsonl >b2.json

# A certificate authority, and a certificate it signs for 127.0.0.1.
ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1.key" -out "$1.pem" -days 2 -subj "/CN=$1" \
		2>/dev/null || fail "openssl req (CA $1)"
}
ca test-ca
ca other-ca
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout server.key -out server.csr -subj /CN=127.0.0.1 2>/dev/null \
	|| fail "openssl req (server)"
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >ext.cnf
openssl x509 -req -in server.csr -CA test-ca.pem -CAkey test-ca.key \
	-CAcreateserial -days 2 -extfile ext.cnf -out server.pem 2>/dev/null \
	|| fail "openssl x509 (server)"
chmod 600 server.key

# Refused before anything starts: half the pair, files that are not PEM,
# a key that is not the certificate's.
expect_status 2 teller serve --listen 127.0.0.1:0 --tls-cert server.pem
expect_stderr "--tls-cert and --tls-key go together"
expect_status 2 teller serve --listen 127.0.0.1:0 --tls-cert ballots.jsonl \
	--tls-key server.key
expect_stderr "is not a PEM certificate"
expect_status 2 teller serve --listen 127.0.0.1:0 --tls-cert missing.pem \
	--tls-key server.key
expect_stderr "missing.pem"
set +e
timeout 30 "$TELLER" serve --listen 127.0.0.1:0 --tls-cert server.pem \
	--tls-key other-ca.key >mismatch.out 2>mismatch.log
rc=$?
set -e
[ "$rc" -ne 124 ] || fail "served with a key that is not the certificate's"
[ "$rc" -eq 3 ] || { cat mismatch.log; fail "a mismatched key exited $rc, not 3"; }
grep -q "certificate and key do not match" mismatch.log || { cat mismatch.log; fail "the mismatch is not explained"; }
pass "bad --tls-cert/--tls-key refused with a reason"

PORT=$(free_port)
URL="https://127.0.0.1:$PORT"
"$TELLER" serve --listen "127.0.0.1:$PORT" --tls-cert server.pem \
	--tls-key server.key 2>>server.log &
SERVER_PID=$!
TL_PIDS="$TL_PIDS $SERVER_PID"
i=0
until "$CURL" -sf --cacert test-ca.pem "$URL/healthz" >/dev/null 2>&1; do
	i=$((i + 1))
	[ "$i" -lt 300 ] || { cat server.log; fail "the HTTPS server did not start"; }
	kill -0 "$SERVER_PID" 2>/dev/null || { cat server.log; fail "server exited"; }
	sleep 0.1
done
grep -q "on https://127.0.0.1:$PORT" server.log || { cat server.log; fail "the log does not say https"; }
pass "teller serve answers over HTTPS with the certificate made here"

# Plain HTTP on the TLS port gets no teller answer.
s=$("$CURL" -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz" || true)
[ "$s" != 200 ] || fail "plain HTTP was answered on the HTTPS port"
# curl sees TLS 1.2 or 1.3.
v=$("$CURL" -s -o /dev/null --cacert test-ca.pem -w '%{ssl_verify_result}' "$URL/healthz")
[ "$v" = 0 ] || fail "curl could not verify the server ($v)"

# Without the test CA (the system's authorities), with another CA: the
# client refuses the server, exit 3, and nothing is stored.
before=$(stored)
expect_status 3 teller ballot cast b1.json --server "$URL"
expect_stderr "certificate"
expect_status 3 teller ballot cast b1.json --server "$URL" --cacert other-ca.pem
expect_stderr "certificate"
expect_status 2 teller ballot cast b1.json --cacert test-ca.pem
expect_stderr "--cacert names whom to trust"
expect_status 2 teller ballot cast b1.json --server "$URL" --cacert missing-ca.pem
[ "$(stored)" = "$before" ] || fail "a refused connection stored something"
pass "an untrusted certificate is refused, nothing stored"

# With it: cast, receipt checked by the client, then checked again.
expect_status 0 teller ballot cast b1.json --server "$URL" --cacert test-ca.pem -o r1.json
expect_status 0 teller ballot cast b2.json --server "$URL/" --cacert test-ca.pem -o r2.json
[ "$(sql 'SELECT COUNT(*) FROM ballots')" = 2 ] || fail "the ballots are not stored"
expect_status 0 teller receipt verify r1.json --server "$URL" --cacert test-ca.pem
grep -q "Verdict: VALID" "$T/stdout" || fail "receipt verify over https"
expect_status 3 teller receipt verify r1.json --server "$URL"
expect_stderr "certificate"
pass "ballot cast and receipt verify over HTTPS with --cacert"

stop_server
grep -q "teller: stopped" server.log || fail "no clean stop"
pass "the HTTPS server stops cleanly on SIGTERM"
