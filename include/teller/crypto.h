/*
 * teller/crypto.h: keys, signatures, hashes, HMAC, base64 and hex.
 *
 * This module and the other crypto modules (aead.h, hpke.h) are the only
 * ones that call OpenSSL (EVP API); they turn OpenSSL's 1-for-success into
 * libteller's codes.
 *
 * Keys are Ed25519.  A private key is stored as PKCS#8 PEM in a file of mode
 * 0600; tl_key_load_private refuses a file that its group or others can
 * read.  A public key is written as the standard base64 of its raw 32 bytes
 * (44 characters); its key id is the lowercase hex SHA-256 of those 32 bytes.
 *
 * Ownership: a struct tl_key is owned by whoever received it from a
 * tl_key_* constructor and freed with tl_key_free (which accepts NULL and
 * wipes private material).  Buffers returned through char ** / uint8_t **
 * are the caller's to free with free().
 */
#ifndef TELLER_CRYPTO_H
#define TELLER_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "teller/error.h"

#define TL_SHA256_LEN 32
#define TL_HASH_HEX_LEN 64            /* hex of a SHA-256, without NUL */
#define TL_ED25519_PUBLIC_LEN 32
#define TL_ED25519_SIG_LEN 64
#define TL_PUBLIC_B64_LEN 44          /* base64 of 32 bytes, without NUL */
#define TL_KEYID_LEN TL_HASH_HEX_LEN  /* hex of SHA-256, without NUL */

struct tl_key;

/* A new random Ed25519 key pair. */
int tl_key_generate(struct tl_key **out, struct tl_error *err);

/* Writes the private key as PEM to a new file of mode 0600 (it must not
 * exist already: TL_EEXISTS). */
int tl_key_write_private(const struct tl_key *key, const char *path,
    struct tl_error *err);

/* Loads a private key from a PEM file; TL_EKEYPERM if the file can be read
 * by its group or others, TL_EINPUT if it is not an Ed25519 private key. */
int tl_key_load_private(const char *path, struct tl_key **out,
    struct tl_error *err);

/*
 * A private key file under a passphrase (the authority's, 'teller init
 * --key-file F --passphrase-file P'): PKCS#8 EncryptedPrivateKeyInfo in
 * PEM ("ENCRYPTED PRIVATE KEY"), PBES2 with scrypt (N = 16384, r = 8,
 * p = 1) and AES-256-CBC, which `openssl pkey -in F` also reads.
 * passphrase is len bytes (not empty); NULL writes the key unencrypted,
 * as tl_key_write_private.  Loading: a key that is encrypted needs its
 * passphrase (TL_EINPUT without it, or with a wrong one, saying which);
 * passphrase may be NULL for a key that is not.  OpenSSL never asks a
 * terminal for one.
 */
int tl_key_write_private_encrypted(const struct tl_key *key, const char *path,
    const char *passphrase, size_t len, struct tl_error *err);
int tl_key_load_private_encrypted(const char *path, const char *passphrase,
    size_t passlen, struct tl_key **out, struct tl_error *err);
int tl_key_from_private_pem_encrypted(const char *pem, size_t len,
    const char *passphrase, size_t passlen, struct tl_key **out,
    struct tl_error *err);

/* The private key as PEM text (*out, NUL-terminated, caller frees and
 * should wipe with tl_wipe_free). */
int tl_key_private_pem(const struct tl_key *key, char **out,
    struct tl_error *err);

/* A private key from PEM text in memory. */
int tl_key_from_private_pem(const char *pem, size_t len, struct tl_key **out,
    struct tl_error *err);

/* A public key from its raw 32 bytes, or from base64 of them. */
int tl_key_from_public_raw(const uint8_t raw[TL_ED25519_PUBLIC_LEN],
    struct tl_key **out, struct tl_error *err);
int tl_key_from_public_base64(const char *b64, struct tl_key **out,
    struct tl_error *err);

/* Whether the key holds a private part. */
int tl_key_has_private(const struct tl_key *key);

/* The raw public key (32 bytes), its base64 (44 characters and NUL), and
 * its key id (64 hex characters and NUL). */
void tl_key_public_raw(const struct tl_key *key,
    uint8_t out[TL_ED25519_PUBLIC_LEN]);
void tl_key_public_base64(const struct tl_key *key,
    char out[TL_PUBLIC_B64_LEN + 1]);
void tl_key_id(const struct tl_key *key, char out[TL_KEYID_LEN + 1]);

/* The key id of a raw public key. */
void tl_key_id_raw(const uint8_t raw[TL_ED25519_PUBLIC_LEN],
    char out[TL_KEYID_LEN + 1]);

/* Signs msg with a private key (Ed25519, no pre-hash). */
int tl_key_sign(const struct tl_key *key, const uint8_t *msg, size_t len,
    uint8_t sig[TL_ED25519_SIG_LEN], struct tl_error *err);

/* TL_OK if sig is key's signature over msg, else TL_ESIGNATURE.  Safe to
 * call from several threads on the same key. */
int tl_key_verify(const struct tl_key *key, const uint8_t *msg, size_t len,
    const uint8_t *sig, size_t siglen);

void tl_key_free(struct tl_key *key);

/* SHA-256 of one buffer, or of the concatenation of several. */
void tl_sha256(const void *data, size_t len, uint8_t out[TL_SHA256_LEN]);
struct tl_iov {
	const void *data;
	size_t len;
};
void tl_sha256_iov(const struct tl_iov *parts, size_t n,
    uint8_t out[TL_SHA256_LEN]);

/* MD5 (for RFC 3797 only, which defines its selection with it). */
void tl_md5(const void *data, size_t len, uint8_t out[16]);

/* The remainder of a big-endian unsigned integer of len bytes divided by
 * divisor (> 0), with OpenSSL's bignums. */
int tl_bignum_mod(const uint8_t *be, size_t len, uint32_t divisor,
    uint32_t *remainder);

/* HMAC-SHA256. */
int tl_hmac_sha256(const void *key, size_t keylen, const void *data,
    size_t len, uint8_t out[TL_SHA256_LEN]);

/*
 * HKDF with SHA-256 (RFC 5869): Extract (section 2.2) puts
 * HMAC-SHA256(salt, ikm) in prk, an empty salt standing for 32 zero bytes;
 * Expand (section 2.3) fills len bytes (1 to 255 * 32) of out from prk and
 * info.  ikm must not be empty, and info is at most TL_HKDF_INFO_MAX
 * bytes (OpenSSL 3.0's limit): TL_EINPUT otherwise.
 */
#define TL_HKDF_INFO_MAX 1024
int tl_hkdf_sha256_extract(const void *salt, size_t saltlen, const void *ikm,
    size_t ikmlen, uint8_t prk[TL_SHA256_LEN]);
int tl_hkdf_sha256_expand(const uint8_t prk[TL_SHA256_LEN], const void *info,
    size_t infolen, uint8_t *out, size_t len);

/*
 * A 32-byte key for one purpose, derived from a private key: HKDF-SHA256
 * (RFC 5869) of its raw private bytes, no salt, info the purpose's name.
 * As secret as the private key and no more: store.h seals secrets kept
 * beside the authority key with one.  TL_EINPUT for a public key.
 */
int tl_key_derive(const struct tl_key *key, const char *info, uint8_t out[32],
    struct tl_error *err);

/* Standard base64 with padding.  Encode: *out NUL-terminated.  Decode is
 * strict: only the canonical encoding of some bytes is accepted (no white
 * space, padding exactly as the encoder writes it); TL_EINPUT otherwise. */
int tl_base64_encode(const void *data, size_t len, char **out);
/* Encodes into out, which has room for 4 * ceil(len / 3) + 1 bytes
 * (TL_PUBLIC_B64_LEN + 1 for a key), NUL-terminated. */
void tl_base64_encode_to(const void *data, size_t len, char *out);
int tl_base64_decode(const char *b64, size_t len, uint8_t **out,
    size_t *outlen);

/* Lowercase hex; out has room for 2 * len + 1. */
void tl_hex_encode(const void *data, size_t len, char *out);
/* Decodes exactly outlen bytes from 2 * outlen hex digits (either case) and
 * nothing else; TL_EINPUT otherwise. */
int tl_hex_decode(const char *hex, uint8_t *out, size_t outlen);

/* Hex of a SHA-256: out has TL_HASH_HEX_LEN + 1 bytes. */
void tl_sha256_hex(const void *data, size_t len, char out[TL_HASH_HEX_LEN + 1]);

/* Cryptographically secure random bytes. */
int tl_random_bytes(void *out, size_t len);

/* Overwrites len bytes with zeros in a way the compiler keeps. */
void tl_wipe(void *p, size_t len);
/* Wipes a NUL-terminated string and frees it; accepts NULL. */
void tl_wipe_free(char *s);

/* Constant-time comparison of two buffers; 0 if equal. */
int tl_memcmp_const(const void *a, const void *b, size_t len);

#endif
