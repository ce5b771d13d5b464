#!/usr/bin/env python3
"""A webhook receiver for teller's tests, written apart from teller's code.

It listens on 127.0.0.1, checks every request the way doc/webhooks.md tells
a receiver to (the HMAC-SHA256 signature over "t.body" with the shared
secret, and that the body's id and type match Teller-Delivery and
Teller-Event), and writes one JSON line per request to the log:

  {"path", "delivery", "event", "type", "verified", "status", "attempt",
   "duplicate", "hanging", "t", "body"}

status is what it answered (0 if the client hung up first); attempt counts
the requests to the same path; duplicate says that path had already
accepted (2xx) that event id; hanging is how many other requests were being
held at the moment this one was answered.  A held request also writes
{"path", "hang_begin": true} when the hold starts.  With --save-dir, each
request's exact body and Teller-Signature are kept in files too.

How it answers is set per endpoint by the URL's query string:
  fail=N        500 to the first N requests to this path
  hang=N        hold the first N requests to this path until the client
                hangs up, --release-file exists, or 60 s pass (then 200)
  wait_hang=1   before answering, wait (up to 20 s) until a request is held
  redirect=1    302 to /redirected (which a webhook sender must not follow)
A request whose signature does not verify gets 401; otherwise 200.
"""

import argparse
import hashlib
import hmac
import json
import os
import select
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
attempts = {}      # path -> requests so far
accepted = {}      # path -> set of event ids answered 2xx
held = [0]         # requests being held now
options = None


def log(entry):
    with lock:
        with open(options.log, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, sort_keys=True) + "\n")
            f.flush()


def verify(headers, body, secret):
    """Whether the request is signed as doc/webhooks.md says."""
    if headers.get("Content-Type") != "application/json":
        return False
    sig = headers.get("Teller-Signature", "")
    parts = dict(p.split("=", 1) for p in sig.split(",") if "=" in p)
    t, v1 = parts.get("t", ""), parts.get("v1", "")
    if not t.isdigit() or len(v1) != 64:
        return False
    mac = hmac.new(secret, t.encode() + b"." + body, hashlib.sha256)
    if not hmac.compare_digest(mac.hexdigest(), v1):
        return False
    try:
        doc = json.loads(body)
    except ValueError:
        return False
    return (doc.get("id") == headers.get("Teller-Delivery") and
            doc.get("type") == headers.get("Teller-Event"))


def client_gone(conn):
    readable, _, _ = select.select([conn], [], [], 0.05)
    if not readable:
        return False
    try:
        return conn.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        path = url.path
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        with lock:
            attempts[path] = attempts.get(path, 0) + 1
            attempt = attempts[path]
        ok = verify(self.headers, body, options.secret)
        if options.save_dir:
            # The exact bytes, for checking with other tools.
            name = os.path.join(options.save_dir, "%s-%d" % (
                os.path.basename(path), attempt))
            with open(name + ".body", "wb") as f:
                f.write(body)
            with open(name + ".sig", "w", encoding="utf-8") as f:
                f.write(self.headers.get("Teller-Signature", ""))
        entry = {
            "path": path, "attempt": attempt, "verified": ok,
            "delivery": self.headers.get("Teller-Delivery"),
            "event": self.headers.get("Teller-Event"),
            "t": self.headers.get("Teller-Signature", "").split(",")[0][2:],
        }
        try:
            doc = json.loads(body)
            entry["type"] = doc.get("type")
            entry["body"] = doc
        except ValueError:
            entry["type"] = None

        if attempt <= int(query.get("hang", "0")):
            with lock:
                held[0] += 1
            log({"path": path, "hang_begin": True})
            deadline = time.monotonic() + 60
            gone = False
            while time.monotonic() < deadline:
                if client_gone(self.connection):
                    gone = True
                    break
                if options.release_file and os.path.exists(options.release_file):
                    break
            with lock:
                held[0] -= 1
            if gone:
                entry.update(status=0, duplicate=False, hanging=held[0])
                log(entry)
                self.close_connection = True
                return
        if query.get("wait_hang") == "1":
            deadline = time.monotonic() + 20
            while held[0] == 0 and time.monotonic() < deadline:
                time.sleep(0.01)

        if not ok:
            status = 401
        elif attempt <= int(query.get("fail", "0")):
            status = 500
        elif query.get("redirect") == "1":
            status = 302
        else:
            status = 200
        with lock:
            seen = accepted.setdefault(path, set())
            duplicate = status == 200 and entry["delivery"] in seen
            if status == 200:
                seen.add(entry["delivery"])
            entry.update(status=status, duplicate=duplicate, hanging=held[0])
        log(entry)
        self.send_response(status)
        if status == 302:
            self.send_header("Location", "/redirected")
        self.send_header("Content-Length", "0")
        self.end_headers()


def main():
    global options
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--secret-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--release-file")
    p.add_argument("--save-dir", help="write each body and signature header "
                   "as PATHNAME-ATTEMPT.body and .sig there")
    p.add_argument("--watch-parent", action="store_true",
                   help="exit when the process that started this one ends")
    options = p.parse_args()
    if options.watch_parent:
        parent = os.getppid()

        def watch():
            while os.getppid() == parent:
                time.sleep(0.2)
            os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
    with open(options.secret_file, "rb") as f:
        options.secret = f.read().rstrip(b"\r\n")
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.allow_reuse_address = True
    # teller opens up to 64 connections at once: keep them all queued.
    ThreadingHTTPServer.request_queue_size = 256
    server = ThreadingHTTPServer(("127.0.0.1", options.port), Handler)
    if options.port_file:
        tmp = options.port_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("%d\n" % server.server_address[1])
        os.rename(tmp, options.port_file)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
