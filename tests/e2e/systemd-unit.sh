#!/bin/sh
# The Debian package's service, checked from the source tree: the
# teller-serve unit is confined as systemd-analyze security asks (its
# "OK" band or better, with the directives the design requires); it runs
# as the user the package creates, with its data in the directory it may
# write; its ExecStart line, run here as systemd would run it, serves and
# stops cleanly on the unit's KillSignal while ballots are being cast (a
# ballot that got its receipt is stored, the server exits 0 well within
# TimeoutStopSec); and the package's version is the program's.
. "$(dirname "$0")/serve-lib.sh"
: "${TELLER_SRCDIR:?}"
command -v systemd-analyze >/dev/null || fail "systemd-analyze is needed (Debian package systemd)"

D="$TELLER_SRCDIR/debian"
UNIT="$T/teller-serve.service"
cp "$D/teller.teller-serve.service" "$UNIT"
directive() { sed -n "s/^$1=//p" "$UNIT"; }

# The confinement.
systemd-analyze security --offline=yes "$UNIT" >"$T/security.txt" 2>&1 \
	|| { cat "$T/security.txt"; fail "systemd-analyze security"; }
line=$(grep "Overall exposure level" "$T/security.txt") || { cat "$T/security.txt"; fail "no exposure level"; }
score=$(echo "$line" | sed 's/.*: \([0-9.]*\) .*/\1/')
band=$(echo "$line" | sed 's/.*: [0-9.]* \([A-Z]*\).*/\1/')
case $band in SAFE|OK) ;; *) cat "$T/security.txt"; fail "exposure $score $band, not OK";; esac
pass "systemd-analyze security: exposure $score $band"
for d in "ProtectSystem=strict" "NoNewPrivileges=yes" "PrivateTmp=yes" \
	"ReadWritePaths=/var/lib/teller" "StateDirectory=teller" \
	"KillSignal=SIGTERM" "CapabilityBoundingSet=" "UMask=0077"; do
	grep -qx "$d" "$UNIT" || fail "the unit lacks $d"
done
user=$(directive User)
[ "$user" = teller ] || fail "the unit runs as '$user'"
grep -q "^u $user " "$D/teller.sysusers" || fail "the package does not create the user $user"
grep -q "^d /var/lib/teller 0700 $user $user" "$D/teller.tmpfiles" || fail "the data directory is not $user's"
pass "runs as $user, created by the package, writing only /var/lib/teller"

# The version the package is built as is the program's.
pkgversion=$(sed -n '1s/^teller (\([^)]*\)).*/\1/p' "$D/changelog")
[ "teller $pkgversion" = "$(teller --version)" ] || fail "debian/changelog says $pkgversion, teller says $(teller --version)"

# The service as systemd starts it: its environment, then ExecStart with
# ${VAR} as one word and $VAR split into words (empty: none).
cd "$T"
"$(dirname "$TELLER")/../bench/serve-gen" --db "$T/teller.db" --voters 400 \
	--out ballots.jsonl
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
exec_start=$(directive ExecStart)
case $exec_start in
"/usr/bin/teller serve --listen \${TELLER_LISTEN} \$TELLER_SERVE_OPTIONS") ;;
*) fail "ExecStart is '$exec_start': update this test with the unit";;
esac
grep -qx 'EnvironmentFile=-/etc/default/teller' "$UNIT" || fail "no optional EnvironmentFile"
grep -qx 'Environment=TELLER_DB=/var/lib/teller/teller.db' "$UNIT" || fail "TELLER_DB is not under /var/lib/teller"
TELLER_SERVE_OPTIONS=""
# shellcheck disable=SC2086
env TELLER_DB="$T/teller.db" TELLER_LISTEN="127.0.0.1:$PORT" \
	"$TELLER" serve --listen "127.0.0.1:$PORT" $TELLER_SERVE_OPTIONS \
	2>>server.log &
SERVER_PID=$!
TL_PIDS="$TL_PIDS $SERVER_PID"
i=0
until "$CURL" -sf "$URL/healthz" >/dev/null 2>&1; do
	i=$((i + 1)); [ "$i" -lt 300 ] || { cat server.log; fail "the service did not start"; }
	sleep 0.1
done

# Two clients cast; the unit's stop signal comes while they do.
client() {
	n=0
	while read -r line; do
		n=$((n + 1))
		[ $(( n % 2 )) -eq "$1" ] || continue
		printf '%s\n' "$line" >"c$1.json"
		s=$("$CURL" -s -o "c$1.out" -w '%{http_code}' --data-binary @"c$1.json" \
			"$URL/v1/elections/bench/ballots" 2>/dev/null || true)
		case $s in
		201) "$PYTHON3" -c 'import json,sys; print(json.load(open(sys.argv[1]))["payload"])' "c$1.out" >>"receipts.$1";;
		*) echo "$s" >>"refused.$1"; break;;
		esac
	done <ballots.jsonl
}
client 0 & C0=$!
client 1 & C1=$!
TL_PIDS="$TL_PIDS $C0 $C1"
i=0
until [ "$(sql 'SELECT COUNT(*) FROM ballots')" -ge 20 ]; do
	i=$((i + 1)); [ "$i" -lt 600 ] || fail "nothing was cast"
	sleep 0.05
done
signal=$(directive KillSignal)
timeout=$(directive TimeoutStopSec)
start=$(date +%s)
kill -s "${signal#SIG}" "$SERVER_PID"
set +e
wait "$SERVER_PID"
rc=$?
set -e
took=$(( $(date +%s) - start ))
wait "$C0" "$C1" || true
[ "$rc" -eq "$(directive SuccessExitStatus)" ] || { tail server.log; fail "exit $rc after $signal"; }
[ "$took" -lt "$timeout" ] || fail "took $took s to stop (TimeoutStopSec=$timeout)"
grep -q "teller: stopped" server.log || fail "no clean stop in the log"
# Every receipt's ballot is stored (receipts only after the commit).
cat receipts.* >receipts.all
given=$(wc -l <receipts.all)
"$PYTHON3" - "$T/teller.db" receipts.all <<'PY'
import base64, json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for line in open(sys.argv[2]):
    r = json.loads(base64.b64decode(line))
    row = db.execute("SELECT 1 FROM ballots WHERE entry_hash = ? AND leaf_index = ?",
                     (r["ballot"], r["leaf_index"])).fetchone()
    assert row, "a receipt's ballot is not stored: %s" % r["ballot"]
PY
stored=$(sql 'SELECT COUNT(*) FROM ballots')
[ "$stored" -lt 400 ] || fail "all ballots were cast before the stop: it did not stop under load"
pass "$signal under load: exit $rc in ${took}s, $given receipts given, each stored ($stored ballots)"
