#!/usr/bin/env python3
# merkle_vectors.py: RFC 9162 section 2.1 Merkle tree vectors for the eight
# leaves of RFC 6962's test suites, computed recursively from the RFC's
# definitions with nothing but hashlib.  Prints C initialisers for
# tests/unit/check_merkle.c.
import hashlib

LEAVES = ["", "00", "10", "2021", "3031", "40414243",
          "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
D = [bytes.fromhex(x) for x in LEAVES]

def H(b):
    return hashlib.sha256(b).digest()

def k_of(n):  # largest power of two smaller than n
    k = 1
    while k * 2 < n:
        k *= 2
    return k

def mth(d):
    if len(d) == 0:
        return H(b"")
    if len(d) == 1:
        return H(b"\x00" + d[0])
    k = k_of(len(d))
    return H(b"\x01" + mth(d[:k]) + mth(d[k:]))

def path(m, d):
    if len(d) == 1:
        return []
    k = k_of(len(d))
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]

def subproof(m, d, b):
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = k_of(n)
    if m <= k:
        return subproof(m, d[:k], b) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]

def c_list(hashes):
    if not hashes:
        return "{NULL}"
    return "{\n" + ",\n".join('\t    "%s"' % h.hex() for h in hashes) + "}"

print("/* MTH of the first n leaves, n = 0 .. 8 */")
for n in range(0, 9):
    print('\t"%s",' % mth(D[:n]).hex())
print("/* inclusion: {m, n, path} */")
for n in range(1, 9):
    for m in range(n):
        print("\t{%d, %d, %d, %s}," % (m, n, len(path(m, D[:n])), c_list(path(m, D[:n]))))
print("/* consistency: {m, n, proof} */")
for n in range(1, 9):
    for m in range(1, n + 1):
        p = subproof(m, D[:n], True)
        print("\t{%d, %d, %d, %s}," % (m, n, len(p), c_list(p)))
