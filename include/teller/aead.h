/*
 * teller/aead.h: AES-GCM (NIST SP 800-38D), the authenticated encryption
 * that both the sealed selections (AES-256-GCM) and HPKE's AEAD
 * (AES-128-GCM, RFC 9180 section 7.3) use.
 *
 * The key is 16 bytes (AES-128) or 32 bytes (AES-256), the nonce 12 bytes,
 * the tag 16 bytes.  A ciphertext is always the encrypted bytes followed by
 * the tag, so it is 16 bytes longer than its plaintext: the form RFC 9180
 * calls `ct`.  A nonce must never be used twice with one key; choosing it
 * is the caller's part.
 *
 * This is one of the crypto modules that call OpenSSL (EVP_CIPHER).
 * Nothing is allocated for the caller: the output buffers are the
 * caller's, of the sizes stated.
 */
#ifndef TELLER_AEAD_H
#define TELLER_AEAD_H

#include <stddef.h>
#include <stdint.h>

#include "teller/error.h"

#define TL_AES_GCM_NONCE_LEN 12
#define TL_AES_GCM_TAG_LEN 16
/* The longest plaintext teller seals (far below GCM's own limit). */
#define TL_AES_GCM_MAX (64 * 1024 * 1024)

/*
 * Encrypts pt (ptlen bytes) under key (keylen 16 or 32) and nonce, with
 * aad authenticated but not encrypted; ct gets ptlen + TL_AES_GCM_TAG_LEN
 * bytes.  TL_EINPUT for another key length or a plaintext over
 * TL_AES_GCM_MAX, TL_ECRYPTO if OpenSSL fails.
 */
int tl_aes_gcm_seal(const uint8_t *key, size_t keylen,
    const uint8_t nonce[TL_AES_GCM_NONCE_LEN], const void *aad,
    size_t aadlen, const void *pt, size_t ptlen, uint8_t *ct);

/*
 * Decrypts ct (ctlen bytes: ciphertext and tag) into pt, which gets
 * ctlen - TL_AES_GCM_TAG_LEN bytes.  TL_EDECRYPT if ct is shorter than a
 * tag or does not authenticate under this key, nonce and aad (pt is then
 * zeroed: nothing of an unauthenticated plaintext is left).
 */
int tl_aes_gcm_open(const uint8_t *key, size_t keylen,
    const uint8_t nonce[TL_AES_GCM_NONCE_LEN], const void *aad,
    size_t aadlen, const uint8_t *ct, size_t ctlen, uint8_t *pt);

#endif
