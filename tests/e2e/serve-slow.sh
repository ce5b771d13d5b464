#!/bin/sh
# teller serve against slow and greedy clients: one address (127.0.0.2)
# opens more connections than --max-per-client allows and sends its
# requests a byte at a time, never idle for long; the connections past the
# limit are closed at once, /healthz still answers other clients while the
# rest are held, and each held connection is closed once it has had
# --request-timeout seconds without sending a whole request (a slow
# header, a slow body, an idle keep-alive connection), after which the
# address may connect again.
. "$(dirname "$0")/serve-lib.sh"

cd "$T"
teller init >/dev/null

# The options are checked.
expect_status 2 teller serve --max-per-client many
expect_stderr "--max-per-client"
expect_status 2 teller serve --request-timeout 0
expect_stderr "--request-timeout"
teller serve --help >"$T/help"
grep -q -- "--max-per-client N" "$T/help" || fail "--help lacks --max-per-client"
grep -q -- "--request-timeout SECONDS" "$T/help" || fail "--help lacks --request-timeout"
pass "--max-per-client and --request-timeout are checked and in --help"

SERVE_ARGS="--max-per-client 4 --request-timeout 3" start_server

"$PYTHON3" - "$PORT" <<'EOF'
import socket, sys, time, urllib.request

port = int(sys.argv[1])
LIMIT, TIMEOUT = 4, 3.0

def connect(source="127.0.0.2"):
    s = socket.socket()
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s

def closed(s):
    """Whether the server has closed s (reading gives the end, or a reset)."""
    s.setblocking(False)
    try:
        return s.recv(1024) == b""
    except BlockingIOError:
        return False
    except ConnectionError:
        return True
    finally:
        s.setblocking(True)

def healthz(source):
    s = connect(source)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
    s.settimeout(10)
    answer = b""
    while True:
        d = s.recv(4096)
        if not d:
            break
        answer += d
    s.close()
    return answer.split(b"\r\n")[0]

# Eight connections from one address, each beginning a request and
# sending a byte of a header every 0.25 s: libmicrohttpd's idle timeout
# never fires for them.
start = time.monotonic()
conns = []
for i in range(2 * LIMIT):
    s = connect()
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\nX-Slow: ")
    conns.append(s)
time.sleep(0.5)
held = [s for s in conns if not closed(s)]
assert len(held) == LIMIT, "%d of %d connections held, limit %d" % (
    len(held), len(conns), LIMIT)
print("ok - %d connections from 127.0.0.2: %d held, the rest closed at once"
      % (len(conns), len(held)))

# While they are held: another address gets its answer; this one none.
assert healthz("127.0.0.1") == b"HTTP/1.1 200 OK", "healthz while held"
s = connect()
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
time.sleep(0.3)
assert closed(s), "a fifth connection from the same address was served"
s.close()
print("ok - /healthz answers 127.0.0.1 while 127.0.0.2 is at its limit")

# A slow body, on a connection of its own (another address).
body = connect("127.0.0.3")
body.sendall(b"POST /v1/elections/club/ballots HTTP/1.1\r\nHost: a\r\n"
             b"Content-Length: 1000\r\n\r\n{")
# A keep-alive connection, idle after its first answer.
idle = connect("127.0.0.4")
idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
idle.settimeout(10)
assert idle.recv(4096).startswith(b"HTTP/1.1 200 OK")
idle_start = time.monotonic()
idle.settimeout(None)

# Trickle until the server closes them, noting when.
slow = {id(s): s for s in held + [body]}
closed_after = {}
while slow and time.monotonic() - start < 30:
    for key, s in list(slow.items()):
        try:
            s.sendall(b"a")
        except ConnectionError:
            pass
        if closed(s):
            closed_after[key] = time.monotonic() - start
            del slow[key]
    if idle is not None and closed(idle):
        closed_after["idle"] = time.monotonic() - idle_start
        idle = None
    time.sleep(0.25)
while idle is not None and time.monotonic() - idle_start < 30:
    if closed(idle):
        closed_after["idle"] = time.monotonic() - idle_start
        idle = None
    time.sleep(0.25)
assert not slow and idle is None, "connections still open after 30 s"
for key, after in closed_after.items():
    # Not before the timeout; well before 30 s (the worker looks every
    # 0.2 s).
    assert TIMEOUT - 0.5 <= after < 25, (key, after)
print("ok - slow headers, a slow body and an idle connection: each closed "
      "after the %g s timeout, though bytes kept coming" % TIMEOUT)

# The address may connect again.
assert healthz("127.0.0.2") == b"HTTP/1.1 200 OK", "healthz after"
print("ok - 127.0.0.2 is served again once its connections are gone")
EOF

grep -q "closed the connection of 127.0.0.2:[0-9]*: no whole request within 3 s" "$T/server.log" ||
	{ cat "$T/server.log"; fail "the log does not say why a connection was closed"; }
http GET /metrics
expect_http 200
n=$(sed -n 's/^teller_connections_timed_out_total //p' "$T/body")
[ "${n:-0}" -ge 6 ] || { cat "$T/body"; fail "teller_connections_timed_out_total is ${n:-missing}, expected 6"; }
pass "the log says why, and /metrics counts $n connections timed out"
stop_server
