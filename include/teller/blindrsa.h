/*
 * teller/blindrsa.h: RSA blind signatures, RFC 9474, in its variant
 * RSABSSA-SHA384-PSS-Randomized (section 5): SHA-384, MGF1 with SHA-384,
 * a 48-byte salt, and a 32-byte random prefix on the message (4.1).
 *
 * The protocol has two parties.  The client prepares a message (4.1),
 * blinds it for the signer's public key (4.2) and keeps the blinding's
 * inverse `inv`; the signer signs the blinded message with its private key
 * (4.3) without learning the message; the client unblinds the result with
 * `inv` and checks it (4.4).  Anyone verifies the final signature as an
 * RSASSA-PSS signature over the prepared message (4.5).  The signer never
 * sees the message nor the final signature, so it cannot link them to the
 * blinded message it signed.
 *
 * Byte strings of the size of the modulus (k bytes: blinded messages,
 * signatures, inv) are big-endian integers written on exactly k bytes
 * (RFC 8017 I2OSP).  Keys are RSA with e = 65537 (section 6.2); a
 * public key is written as the DER of its SubjectPublicKeyInfo
 * (RFC 5280, algorithm rsaEncryption), a private key as PKCS#8 PEM.
 *
 * Like crypto.c, this module calls OpenSSL (BIGNUM and EVP) and turns its
 * results into libteller's codes.  The signer's private-key operation is
 * OpenSSL's RSA with no padding, which uses CRT, constant-time modular
 * exponentiation and RSA blinding of its own.  RSASSA-PSS verification is
 * OpenSSL's.  Only EMSA-PSS-ENCODE (RFC 8017 9.1.1) is written here, since
 * OpenSSL 3.0 draws the salt itself and a known-answer test must give it.
 *
 * Ownership: a struct tl_blindrsa_key belongs to whoever received it
 * from a constructor and is released with tl_blindrsa_key_free (NULL is
 * fine; private material is cleared).  Buffers returned through
 * uint8_t ** or char ** are the caller's to free().  A key may be used
 * by several threads at once.
 */
#ifndef TELLER_BLINDRSA_H
#define TELLER_BLINDRSA_H

#include <stddef.h>
#include <stdint.h>

#include "teller/error.h"

#define TL_BLINDRSA_BITS 3072          /* teller's credential keys */
#define TL_BLINDRSA_MIN_BITS 2048
#define TL_BLINDRSA_MAX_BITS 4096
#define TL_BLINDRSA_MAX_LEN 512        /* k for the largest modulus */
#define TL_BLINDRSA_PREFIX_LEN 32      /* 4.1, PrepareRandomize */
#define TL_BLINDRSA_SALT_LEN 48        /* section 5: sLen = hLen */
#define TL_SHA384_LEN 48
#define TL_BLINDRSA_DER_MAX 1024       /* an SPKI of up to 4096 bits */

struct tl_blindrsa_key;

/*
 * A new key of `bits` bits (TL_BLINDRSA_MIN_BITS to TL_BLINDRSA_MAX_BITS,
 * a multiple of 8) with public exponent 65537, from OpenSSL's generator
 * (RFC 9474 section 6.2: a key serves one variant only, here this one).
 */
int tl_blindrsa_keygen(unsigned bits, struct tl_blindrsa_key **out,
    struct tl_error *err);

/* A public key from the DER of its SubjectPublicKeyInfo.  Only an RSA key
 * in its one DER encoding is accepted (no trailing bytes, no other
 * spelling), with a modulus of TL_BLINDRSA_MIN_BITS to
 * TL_BLINDRSA_MAX_BITS bits; TL_EINPUT otherwise. */
int tl_blindrsa_key_from_public_der(const uint8_t *der, size_t len,
    struct tl_blindrsa_key **out, struct tl_error *err);

/* A private key from PKCS#8 (or traditional RSA) PEM text. */
int tl_blindrsa_key_from_private_pem(const char *pem, size_t len,
    struct tl_blindrsa_key **out, struct tl_error *err);

/* The DER of the public key's SubjectPublicKeyInfo (*der, caller frees). */
int tl_blindrsa_key_public_der(const struct tl_blindrsa_key *key,
    uint8_t **der, size_t *len, struct tl_error *err);

/* The private key as PKCS#8 PEM (*pem NUL-terminated; the caller wipes it
 * with tl_wipe_free).  TL_EINPUT for a public key. */
int tl_blindrsa_key_private_pem(const struct tl_blindrsa_key *key,
    char **pem, struct tl_error *err);

/* k, the modulus's length in bytes, and its length in bits. */
size_t tl_blindrsa_key_len(const struct tl_blindrsa_key *key);
unsigned tl_blindrsa_key_bits(const struct tl_blindrsa_key *key);
int tl_blindrsa_key_has_private(const struct tl_blindrsa_key *key);
/* Whether the public exponent is 65537. */
int tl_blindrsa_key_e_is_f4(const struct tl_blindrsa_key *key);

void tl_blindrsa_key_free(struct tl_blindrsa_key *key);

/*
 * RFC 8017 section 9.1.1, EMSA-PSS-ENCODE, with SHA-384, MGF1-SHA-384 and
 * a 48-byte salt: encodes msg into em (em_len = ceil(em_bits / 8) bytes).
 * salt is the salt to use, or NULL for a random one (the test hook: a
 * known-answer test passes the vector's).  TL_EINPUT if em_len is too
 * short for the encoding.
 */
int tl_blindrsa_emsa_pss_encode(const uint8_t *msg, size_t len,
    size_t em_bits, const uint8_t *salt, uint8_t *em, size_t em_len);

/*
 * RFC 9474 section 4.1, Prepare, PrepareRandomize: prefix gets 32 random
 * bytes and *prepared (caller frees) prefix || msg, the message that is
 * blinded, signed and verified.
 */
int tl_blindrsa_prepare(const uint8_t *msg, size_t len,
    uint8_t prefix[TL_BLINDRSA_PREFIX_LEN], uint8_t **prepared,
    size_t *prepared_len);

/*
 * RFC 9474 section 4.2, Blind: encodes the prepared message (EMSA-PSS,
 * emBits = modBits - 1), checks it is coprime with n, draws r in [1, n)
 * with inv = r^-1 mod n, and gives blinded = m * r^e mod n.  blinded and
 * inv each get k bytes (tl_blindrsa_key_len); keep inv secret until
 * tl_blindrsa_finalize.
 */
int tl_blindrsa_blind(const struct tl_blindrsa_key *pk,
    const uint8_t *prepared, size_t len, uint8_t *blinded, uint8_t *inv,
    struct tl_error *err);

/*
 * The same with the salt and inv given instead of drawn (r = inv^-1 mod
 * n): the test hook that reproduces a known answer.  inv_in is k bytes.
 */
int tl_blindrsa_blind_with(const struct tl_blindrsa_key *pk,
    const uint8_t *prepared, size_t len, const uint8_t *salt,
    const uint8_t *inv_in, uint8_t *blinded, uint8_t *inv,
    struct tl_error *err);

/*
 * RFC 9474 section 4.3, BlindSign: s = RSASP1(sk, m) for the blinded
 * message m (k bytes, m < n), computed by OpenSSL's private-key
 * operation; then, as the RFC requires, checks that s^e mod n is m before
 * blind_sig (k bytes) is given.  TL_EINPUT for a blinded message of the
 * wrong size or out of range.
 */
int tl_blindrsa_blind_sign(const struct tl_blindrsa_key *sk,
    const uint8_t *blinded, size_t len, uint8_t *blind_sig,
    struct tl_error *err);

/*
 * RFC 9474 section 4.4, Finalize: sig = blind_sig * inv mod n (k bytes),
 * given only if it verifies (4.5) over the prepared message: the check
 * that the signer used the public key the client blinded for.
 * TL_ESIGNATURE if it does not.
 */
int tl_blindrsa_finalize(const struct tl_blindrsa_key *pk,
    const uint8_t *prepared, size_t len, const uint8_t *blind_sig,
    size_t blind_sig_len, const uint8_t *inv, size_t inv_len, uint8_t *sig,
    struct tl_error *err);

/*
 * RFC 9474 section 4.5, Verification: TL_OK if sig is a valid
 * RSASSA-PSS signature (RFC 8017 8.1.2: SHA-384, MGF1-SHA-384, salt of 48
 * bytes) of the prepared message under pk; TL_ESIGNATURE otherwise.
 */
int tl_blindrsa_verify(const struct tl_blindrsa_key *pk,
    const uint8_t *prepared, size_t len, const uint8_t *sig, size_t sig_len);

/* Whether x is k bytes, the encoding of an integer below n: a blinded
 * message the signer can take (RSASP1's range, RFC 8017 5.2.1). */
int tl_blindrsa_in_range(const struct tl_blindrsa_key *pk, const uint8_t *x,
    size_t len);

/*
 * The check of section 4.3, steps 3 and 4, on its own, for anyone who
 * holds a blinded message and its blind signature (a verifier of the
 * record): TL_OK if both are k bytes, below n, and blind_sig^e mod n is
 * the blinded message; TL_ESIGNATURE otherwise.
 */
int tl_blindrsa_check_blind_signature(const struct tl_blindrsa_key *pk,
    const uint8_t *blinded, size_t blinded_len, const uint8_t *blind_sig,
    size_t blind_sig_len);

#endif
