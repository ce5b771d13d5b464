/*
 * crypto_internal.h: what teller's crypto modules (crypto.c, aead.c,
 * hpke.c, blindrsa.c) share with each other and with no other module: the
 * pieces that take or give OpenSSL's own types.
 */
#ifndef TELLER_CRYPTO_INTERNAL_H
#define TELLER_CRYPTO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "teller/error.h"

/* Sets err to code and "what: OpenSSL's reason", clears OpenSSL's error
 * queue, and returns code. */
int tl_crypto_openssl_error(struct tl_error *err, int code, const char *what);

/* SHA-384, fetched once per process (an implicit fetch on every digest
 * costs more than hashing a short message). */
const EVP_MD *tl_crypto_md_sha384(void);

/* An X25519 public key from its 32 bytes (RFC 7748), made through a
 * context the calling thread keeps; the caller frees it with
 * EVP_PKEY_free.  NULL if OpenSSL refuses it. */
EVP_PKEY *tl_crypto_x25519_public(const uint8_t raw[32]);

/* A private key as PKCS#8 PEM text (*out NUL-terminated; the caller wipes
 * and frees it with tl_wipe_free). */
int tl_crypto_pkey_pem(EVP_PKEY *pkey, char **out, struct tl_error *err);

/* The first private key of PEM text (the caller frees it with
 * EVP_PKEY_free), or NULL if there is none. */
EVP_PKEY *tl_crypto_pkey_from_pem(const char *pem, size_t len);

#endif
