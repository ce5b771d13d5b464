/*
 * crypto_internal.h (internal to libteller): what the modules that call
 * OpenSSL (crypto.c, blindrsa.c) share: turning OpenSSL's errors into
 * libteller's, the digests fetched once, and PEM private keys.  No other
 * module includes it, so no other module sees OpenSSL.
 */
#ifndef TELLER_CRYPTO_INTERNAL_H
#define TELLER_CRYPTO_INTERNAL_H

#include <stddef.h>

#include <openssl/evp.h>

#include "teller/error.h"

/* Sets err to code with what and OpenSSL's first queued error, clears
 * OpenSSL's error queue, and returns code. */
int tl_openssl_error(struct tl_error *err, int code, const char *what);

/* SHA-256 and SHA-384, fetched once per process (an implicit fetch on
 * every digest costs more than hashing a short message). */
const EVP_MD *tl_md_sha256(void);
const EVP_MD *tl_md_sha384(void);

/* A private key as PEM (PKCS#8) text: *out NUL-terminated, the caller
 * wipes it (tl_wipe_free). */
int tl_pkey_private_pem(EVP_PKEY *pkey, char **out, struct tl_error *err);

/* A private key read from PEM text; TL_EINPUT if it is not one. */
int tl_pkey_from_private_pem(const char *pem, size_t len, EVP_PKEY **out,
    struct tl_error *err);

#endif
