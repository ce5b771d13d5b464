#!/usr/bin/env python3
"""Known answers for tests/unit/check_witness.c, computed from the C2SP
tlog-cosignature text (cosignature/v1, Ed25519) with nothing of teller's:
Python's hashlib, struct and base64, and the `cryptography` package for
Ed25519.  Run it by hand; make check runs the C tests, not this.

Keys: RFC 8032 section 7.1, TEST 1 and TEST 2.
"""
import base64
import hashlib
import struct

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def key(secret_hex):
    k = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(secret_hex))
    pub = k.public_key().public_bytes(serialization.Encoding.Raw,
                                      serialization.PublicFormat.Raw)
    return k, pub


def key_id(name, pub):
    # SHA-256(<name> || "\n" || 0x04 || public key)[:4]
    return hashlib.sha256(name.encode() + b"\n\x04" + pub).digest()[:4]


def cosign(k, pub, name, body, timestamp):
    msg = b"cosignature/v1\ntime %d\n" % timestamp + body
    blob = key_id(name, pub) + struct.pack(">Q", timestamp) + k.sign(msg)
    return base64.b64encode(blob).decode()


k1, pub1 = key("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
k2, pub2 = key("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")

# The checkpoint of the specification's example, cosigned with TEST 1's key
# (the specification publishes no key for its own cosignature).
spec = (b"example.com/behind-the-sofa\n20852163\n"
        b"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")
print("key ID of witness.example.com/w1 with TEST 1:",
      key_id("witness.example.com/w1", pub1).hex())
print("spec checkpoint, TEST 1, 1679315147:",
      cosign(k1, pub1, "witness.example.com/w1", spec, 1679315147))

# doc/record-format.md's worked example: election "demo", authority TEST 1,
# a tree of one entry ("hello"); witness witness.example.org/w1 with TEST 2.
root = hashlib.sha256(b"\x00hello").digest()
origin = "teller/v1/%s/demo" % hashlib.sha256(pub1).hexdigest()
body = ("%s\n1\n%s\n" % (origin, base64.b64encode(root).decode())).encode()
print("teller example checkpoint:")
print(body.decode(), end="")
print("witness public key:", base64.b64encode(pub2).decode())
print("key ID:", key_id("witness.example.org/w1", pub2).hex())
print("cosignature at 1795341600:",
      cosign(k2, pub2, "witness.example.org/w1", body, 1795341600))
