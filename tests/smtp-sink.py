#!/usr/bin/env python3
"""smtp-sink.py: a real SMTP server on loopback for teller's tests.

Debian's python3-aiosmtpd accepts every message and this script keeps each
one, as received, in DIR/N.eml (N from 1), with its envelope sender and
recipients in DIR/N.env (one per line: "from ADDR", "to ADDR").  It writes
its port to --port-file once it listens, and runs until it is killed.

  smtp-sink.py --dir DIR --port-file FILE [--port N] [--auth USER:PASSWORD]

With --auth the server requires SMTP AUTH (LOGIN or PLAIN) with those
credentials; aiosmtpd then allows it without TLS, since it only listens on
127.0.0.1.
"""
import argparse
import asyncio
import os
import signal
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Keep:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.directory, str(self.count))
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(base + ".env", "w") as f:
            f.write("from %s\n" % envelope.mail_from)
            for rcpt in envelope.rcpt_tos:
                f.write("to %s\n" % rcpt)
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 OK kept as %d" % self.count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--auth")
    args = parser.parse_args()

    kwargs = {}
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, data):
            ok = (isinstance(data, LoginPassword)
                  and data.login.decode() == user
                  and data.password.decode() == password)
            return AuthResult(success=ok)

        kwargs = dict(authenticator=authenticator, auth_required=True,
                      auth_require_tls=False)
    port = args.port
    if port == 0:
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
    controller = Controller(Keep(args.dir), hostname="127.0.0.1", port=port,
                            **kwargs)
    controller.start()
    with open(args.port_file + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(args.port_file + ".tmp", args.port_file)
    stop = asyncio.Event()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        signal.pause()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
