/*
 * aead.c: AES-GCM through OpenSSL's EVP_CIPHER, with a 96-bit nonce and a
 * 128-bit tag appended to the ciphertext (NIST SP 800-38D; the form RFC
 * 9180 section 7.3 and RFC 5116 use).  OpenSSL's 1-means-success becomes
 * libteller's codes here, and its error queue is cleared after a failure.
 */
#include <config.h>

#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "teller/aead.h"

/* Fetched once: an implicit fetch on every call costs a lock and a
 * lookup, more than sealing a short share. */
static EVP_CIPHER *aes128gcm, *aes256gcm;
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

static void
fetch_ciphers(void)
{
	aes128gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
	aes256gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
}

/* The cipher for a key length, or NULL for a length AES-GCM does not
 * take here. */
static const EVP_CIPHER *
gcm_cipher(size_t keylen)
{
	pthread_once(&fetch_once, fetch_ciphers);
	if (keylen == 16)
		return aes128gcm != NULL ? aes128gcm : EVP_aes_128_gcm();
	if (keylen == 32)
		return aes256gcm != NULL ? aes256gcm : EVP_aes_256_gcm();
	return NULL;
}

int
tl_aes_gcm_seal(const uint8_t *key, size_t keylen,
    const uint8_t nonce[TL_AES_GCM_NONCE_LEN], const void *aad,
    size_t aadlen, const void *pt, size_t ptlen, uint8_t *ct)
{
	const EVP_CIPHER *cipher = gcm_cipher(keylen);
	EVP_CIPHER_CTX *ctx = NULL;
	uint8_t last[TL_AES_GCM_TAG_LEN];
	int n, r = TL_ECRYPTO;

	if (cipher == NULL || ptlen > TL_AES_GCM_MAX || aadlen > INT32_MAX)
		return TL_EINPUT;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL) {
		r = TL_ENOMEM;
		goto out;
	}
	/* The default IV length of GCM in OpenSSL is 12 bytes: no ivlen
	 * parameter is needed. */
	if (EVP_EncryptInit_ex2(ctx, cipher, key, nonce, NULL) != 1)
		goto out;
	if (aadlen > 0 && EVP_EncryptUpdate(ctx, NULL, &n, aad,
	    (int)aadlen) != 1)
		goto out;
	if (ptlen > 0 && (EVP_EncryptUpdate(ctx, ct, &n, pt,
	    (int)ptlen) != 1 || (size_t)n != ptlen))
		goto out;
	/* GCM writes nothing at the end: last only takes OpenSSL's
	 * pointer. */
	if (EVP_EncryptFinal_ex(ctx, last, &n) != 1 || n != 0)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TL_AES_GCM_TAG_LEN,
	    ct + ptlen) != 1)
		goto out;
	r = TL_OK;
 out:
	if (r != TL_OK) {
		ERR_clear_error();
		OPENSSL_cleanse(ct, ptlen + TL_AES_GCM_TAG_LEN);
	}
	EVP_CIPHER_CTX_free(ctx);
	return r;
}

int
tl_aes_gcm_open(const uint8_t *key, size_t keylen,
    const uint8_t nonce[TL_AES_GCM_NONCE_LEN], const void *aad,
    size_t aadlen, const uint8_t *ct, size_t ctlen, uint8_t *pt)
{
	const EVP_CIPHER *cipher = gcm_cipher(keylen);
	EVP_CIPHER_CTX *ctx = NULL;
	uint8_t tag[TL_AES_GCM_TAG_LEN], last[TL_AES_GCM_TAG_LEN];
	size_t ptlen;
	int n, r = TL_ECRYPTO;

	if (cipher == NULL || aadlen > INT32_MAX)
		return TL_EINPUT;
	if (ctlen < TL_AES_GCM_TAG_LEN)
		return TL_EDECRYPT;
	ptlen = ctlen - TL_AES_GCM_TAG_LEN;
	if (ptlen > TL_AES_GCM_MAX)
		return TL_EINPUT;
	memcpy(tag, ct + ptlen, sizeof(tag));
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL) {
		r = TL_ENOMEM;
		goto out;
	}
	if (EVP_DecryptInit_ex2(ctx, cipher, key, nonce, NULL) != 1)
		goto out;
	if (aadlen > 0 && EVP_DecryptUpdate(ctx, NULL, &n, aad,
	    (int)aadlen) != 1)
		goto out;
	if (ptlen > 0 && (EVP_DecryptUpdate(ctx, pt, &n, ct,
	    (int)ptlen) != 1 || (size_t)n != ptlen))
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TL_AES_GCM_TAG_LEN,
	    tag) != 1)
		goto out;
	/* The tag is checked here; a mismatch is the ciphertext's fault,
	 * not OpenSSL's. */
	r = EVP_DecryptFinal_ex(ctx, last, &n) == 1 && n == 0 ?
	    TL_OK : TL_EDECRYPT;
 out:
	if (r != TL_OK) {
		ERR_clear_error();
		OPENSSL_cleanse(pt, ptlen);
	}
	EVP_CIPHER_CTX_free(ctx);
	return r;
}
