#!/usr/bin/env python3
# seal_vectors.py: a sealed ballot for 3 trustees with threshold 2, made
# from doc/record-format.md section 13 alone, independently of teller's C
# code: HKDF from hmac/hashlib, Shamir over GF(2^8) by hand, and only
# X25519 and AES-GCM from Python's cryptography package.  Every random
# value is fixed (the ephemeral keys by RFC 9180's DeriveKeyPair from
# given ikm), so the output is a known answer.  Prints C initialisers for
# tests/unit/check_seal.c.
import hashlib, hmac
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey, X25519PublicKey)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives import serialization as ser

def extract(salt, ikm):
    return hmac.new(salt or bytes(32), ikm, hashlib.sha256).digest()

def expand(prk, info, L):
    out, t, i = b"", b"", 1
    while len(out) < L:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        out += t
        i += 1
    return out[:L]

KEM = b"KEM\x00\x20"
HPKE = b"HPKE\x00\x20\x00\x01\x00\x01"

def lext(sid, salt, label, ikm):
    return extract(salt, b"HPKE-v1" + sid + label + ikm)

def lexp(sid, prk, label, info, L):
    return expand(prk, L.to_bytes(2, "big") + b"HPKE-v1" + sid + label + info, L)

def derive(ikm):
    return lexp(KEM, lext(KEM, b"", b"dkp_prk", ikm), b"sk", b"", 32)

def public(sk):
    return X25519PrivateKey.from_private_bytes(sk).public_key().public_bytes(
        ser.Encoding.Raw, ser.PublicFormat.Raw)

def seal_base(pkR, ikmE, info, pt):
    skE = derive(ikmE)
    enc = public(skE)
    dh = X25519PrivateKey.from_private_bytes(skE).exchange(
        X25519PublicKey.from_public_bytes(pkR))
    ss = lexp(KEM, lext(KEM, b"", b"eae_prk", dh), b"shared_secret", enc + pkR, 32)
    ctx = (b"\x00" + lext(HPKE, b"", b"psk_id_hash", b"")
           + lext(HPKE, b"", b"info_hash", info))
    secret = lext(HPKE, ss, b"secret", b"")
    key = lexp(HPKE, secret, b"key", ctx, 16)
    nonce = lexp(HPKE, secret, b"base_nonce", ctx, 12)
    return enc + AESGCM(key).encrypt(nonce, pt, b"")

def gf_mul(a, b):
    p = 0
    for i in range(8):
        if (b >> i) & 1:
            p ^= a
        a <<= 1
        if a & 0x100:
            a ^= 0x11b
    return p

def split(K, k, n, R):
    shares = []
    for i in range(1, n + 1):
        s = bytearray()
        for j in range(32):
            y, xp = K[j], 1
            for m in range(1, k):
                xp = gf_mul(xp, i)
                y ^= gf_mul(R[32 * (m - 1) + j], xp)
            s.append(y)
        shares.append(bytes(s))
    return shares

E = b"isoc-2026"
M = hashlib.sha256(b"a manifest").digest()
B = bytes(range(32))

def binding(label):
    return label + b"\x00" + E + b"\x00" + M + B

K = bytes(range(100, 132))
R = bytes(range(200, 232))
NONCE = bytes(range(12))
PT = b'[{"contest":"chapters","marks":["okafor","chen"]}]'
trustee_ikm = [bytes([0x10 + i]) * 32 for i in range(3)]
ephemeral_ikm = [bytes([0x20 + i]) * 32 for i in range(3)]

selections = NONCE + AESGCM(K).encrypt(NONCE, PT, binding(b"teller/v1/selections"))
shares = split(K, 2, 3, R)
sealed = [seal_base(public(derive(trustee_ikm[i])), ephemeral_ikm[i],
                    binding(b"teller/v1/share") + bytes([i + 1]), shares[i])
          for i in range(3)]

def c(name, b):
    print("static const char %s[] =" % name)
    h = b.hex()
    for i in range(0, len(h), 64):
        print('    "%s"%s' % (h[i:i + 64], ";" if i + 64 >= len(h) else ""))

c("vec_manifest_hash", M)
c("vec_content_key", K)
c("vec_coefficients", R)
c("vec_nonce", NONCE)
c("vec_selections", selections)
for i in range(3):
    c("vec_trustee_ikm_%d" % (i + 1), trustee_ikm[i])
    c("vec_share_%d" % (i + 1), shares[i])
    c("vec_sealed_share_%d" % (i + 1), sealed[i])
