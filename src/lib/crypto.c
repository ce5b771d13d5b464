/*
 * crypto.c: every call into OpenSSL lives here.  Ed25519 keys and
 * signatures, SHA-256, MD5, HMAC, base64, hex and random bytes, through the
 * EVP interfaces of OpenSSL 3.  OpenSSL's 1-means-success is turned into
 * libteller's codes at this boundary, and OpenSSL's error queue is cleared
 * so that one failure never leaks into the next call.
 */
#include <config.h>

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "crypto_internal.h"
#include "teller/crypto.h"
#include "teller/util.h"

/* A private key file is small; anything bigger is not one. */
#define KEY_FILE_MAX 16384

struct tl_key {
	EVP_PKEY *pkey;
	int has_private;
	uint8_t public_raw[TL_ED25519_PUBLIC_LEN];
	char key_id[TL_KEYID_LEN + 1];
};

/* Fetched once: an implicit fetch on every digest costs more than hashing
 * a short message. */
static EVP_MD *md_sha256;
static EVP_MD *md_sha384;
static EVP_MD *md_md5;
static pthread_once_t md_once = PTHREAD_ONCE_INIT;

static void
fetch_digests(void)
{
	md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	md_sha384 = EVP_MD_fetch(NULL, "SHA384", NULL);
	md_md5 = EVP_MD_fetch(NULL, "MD5", NULL);
}

static const EVP_MD *
sha256_md(void)
{
	pthread_once(&md_once, fetch_digests);
	return md_sha256 != NULL ? md_sha256 : EVP_sha256();
}

const EVP_MD *
tl_crypto_md_sha384(void)
{
	pthread_once(&md_once, fetch_digests);
	return md_sha384 != NULL ? md_sha384 : EVP_sha384();
}

/*
 * What each thread keeps between calls: a digest context for signature
 * checks and one for hashing, a context that makes Ed25519 public
 * keys, and an HKDF context already set to SHA-256.  Verifying a record checks one signature with one new key per
 * voter, and OpenSSL's setup of each (a fetch of the algorithm under a
 * lock, allocations) would otherwise cost a tenth as much as the check
 * itself.  Freed when the thread ends; the main thread's, when the
 * process does.
 */
struct thread_cache {
	EVP_MD_CTX *verify;
	EVP_MD_CTX *hash;
	EVP_PKEY_CTX *ed25519;
	EVP_PKEY_CTX *x25519;
	EVP_KDF_CTX *hkdf;
};
static pthread_key_t cache_key;
static int cache_key_ok;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void
thread_cache_free(void *p)
{
	struct thread_cache *tc = p;

	EVP_MD_CTX_free(tc->verify);
	EVP_MD_CTX_free(tc->hash);
	EVP_PKEY_CTX_free(tc->ed25519);
	EVP_PKEY_CTX_free(tc->x25519);
	EVP_KDF_CTX_free(tc->hkdf);
	free(tc);
}

static void
make_cache_key(void)
{
	cache_key_ok = pthread_key_create(&cache_key, thread_cache_free) == 0;
}

/* This thread's cache, or NULL (out of memory: do without). */
static struct thread_cache *
thread_cache(void)
{
	struct thread_cache *tc;

	pthread_once(&cache_once, make_cache_key);
	if (!cache_key_ok)
		return NULL;
	if ((tc = pthread_getspecific(cache_key)) != NULL)
		return tc;
	if ((tc = calloc(1, sizeof(*tc))) == NULL)
		return NULL;
	if (pthread_setspecific(cache_key, tc) != 0) {
		free(tc);
		return NULL;
	}
	return tc;
}

/* A digest context: the one a thread cache keeps at *slot (made on first
 * use), or with no cache (slot NULL) a new one; NULL if out of memory.
 * Give it back with md_release. */
static EVP_MD_CTX *
md_take(EVP_MD_CTX **slot)
{
	if (slot != NULL && *slot == NULL)
		*slot = EVP_MD_CTX_new();
	return slot != NULL && *slot != NULL ? *slot : EVP_MD_CTX_new();
}

static void
md_release(EVP_MD_CTX **slot, EVP_MD_CTX *ctx)
{
	if (slot != NULL && ctx == *slot)
		EVP_MD_CTX_reset(ctx);
	else
		EVP_MD_CTX_free(ctx);
}

int
tl_crypto_openssl_error(struct tl_error *err, int code, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	if (e != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		tl_error_set(err, code, "%s: %s", what, buf);
	} else
		tl_error_set(err, code, "%s", what);
	ERR_clear_error();
	return code;
}

/* Fills the cached public parts of a key from its EVP_PKEY; raw is its
 * public key when the caller has it already, else NULL. */
static int
key_wrap(EVP_PKEY *pkey, const uint8_t *raw, int has_private,
    struct tl_key **out, struct tl_error *err)
{
	struct tl_key *key;
	size_t len = TL_ED25519_PUBLIC_LEN;

	if (EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(pkey);
		return tl_error_set(err, TL_EINPUT, "not an Ed25519 key");
	}
	if ((key = calloc(1, sizeof(*key))) == NULL) {
		EVP_PKEY_free(pkey);
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	if (raw != NULL)
		memcpy(key->public_raw, raw, TL_ED25519_PUBLIC_LEN);
	else if (EVP_PKEY_get_raw_public_key(pkey, key->public_raw, &len) !=
	    1 || len != TL_ED25519_PUBLIC_LEN) {
		EVP_PKEY_free(pkey);
		free(key);
		return tl_crypto_openssl_error(err, TL_ECRYPTO,
		    "cannot read public key");
	}
	key->pkey = pkey;
	key->has_private = has_private;
	tl_key_id_raw(key->public_raw, key->key_id);
	*out = key;
	return TL_OK;
}

int
tl_key_generate(struct tl_key **out, struct tl_error *err)
{
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

	if (pkey == NULL)
		return tl_crypto_openssl_error(err, TL_ECRYPTO,
		    "cannot generate an Ed25519 key");
	return key_wrap(pkey, NULL, 1, out, err);
}

/* What a memory BIO holds, as a new NUL-terminated string (*out; a
 * secret's: the caller wipes it). */
static int
bio_text(BIO *bio, char **out, struct tl_error *err)
{
	char *data, *text;
	long len = BIO_get_mem_data(bio, &data);

	if (len <= 0 || (text = malloc((size_t)len + 1)) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	memcpy(text, data, (size_t)len);
	text[len] = '\0';
	*out = text;
	return TL_OK;
}

int
tl_crypto_pkey_pem(EVP_PKEY *pkey, char **out, struct tl_error *err)
{
	BIO *bio = NULL;
	int r;

	if ((bio = BIO_new(BIO_s_secmem())) == NULL) {
		r = tl_crypto_openssl_error(err, TL_ECRYPTO,
		    "cannot allocate a buffer");
		goto out;
	}
	if (PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL,
	    NULL) != 1) {
		r = tl_crypto_openssl_error(err, TL_ECRYPTO,
		    "cannot encode private key");
		goto out;
	}
	r = bio_text(bio, out, err);
 out:
	BIO_free(bio);
	return r;
}

int
tl_key_private_pem(const struct tl_key *key, char **out, struct tl_error *err)
{
	if (!key->has_private)
		return tl_error_set(err, TL_EINPUT, "key has no private part");
	return tl_crypto_pkey_pem(key->pkey, out, err);
}

/*
 * A private key under a passphrase: PKCS#8 EncryptedPrivateKeyInfo
 * (RFC 5958 section 3) with PBES2 (RFC 8018 section 6.2), scrypt as its
 * key derivation (RFC 7914 section 7, with the parameters `openssl pkcs8
 * -scrypt` uses, which OpenSSL's default memory limit for decoding
 * allows) and AES-256-CBC as its cipher.
 */
#define SCRYPT_N 16384
#define SCRYPT_R 8
#define SCRYPT_P 1

static int
pem_encrypted(const struct tl_key *key, const char *passphrase, size_t len,
    char **out, struct tl_error *err)
{
	PKCS8_PRIV_KEY_INFO *info = NULL;
	X509_ALGOR *pbe = NULL;
	X509_SIG *sealed = NULL;
	BIO *bio = NULL;
	int r;

	if (len == 0 || len > INT32_MAX)
		return tl_error_set(err, TL_EINPUT, "the passphrase is empty");
	if ((info = EVP_PKEY2PKCS8(key->pkey)) == NULL ||
	    (pbe = PKCS5_pbe2_set_scrypt(EVP_aes_256_cbc(), NULL, 0, NULL,
	    SCRYPT_N, SCRYPT_R, SCRYPT_P)) == NULL) {
		r = tl_crypto_openssl_error(err, TL_ECRYPTO, "cannot prepare "
		    "the key's encryption");
		goto out;
	}
	/* On success the sealed key owns pbe. */
	if ((sealed = PKCS8_set0_pbe(passphrase, (int)len, info, pbe)) ==
	    NULL) {
		r = tl_crypto_openssl_error(err, TL_ECRYPTO, "cannot encrypt "
		    "the key");
		goto out;
	}
	pbe = NULL;
	if ((bio = BIO_new(BIO_s_secmem())) == NULL ||
	    PEM_write_bio_PKCS8(bio, sealed) != 1) {
		r = tl_crypto_openssl_error(err, TL_ECRYPTO, "cannot encode "
		    "the encrypted key");
		goto out;
	}
	r = bio_text(bio, out, err);
 out:
	BIO_free(bio);
	X509_SIG_free(sealed);
	X509_ALGOR_free(pbe);
	PKCS8_PRIV_KEY_INFO_free(info);
	return r;
}

int
tl_key_write_private_encrypted(const struct tl_key *key, const char *path,
    const char *passphrase, size_t len, struct tl_error *err)
{
	char *pem = NULL;
	int r;

	if (!key->has_private)
		return tl_error_set(err, TL_EINPUT, "key has no private part");
	if ((r = passphrase != NULL ? pem_encrypted(key, passphrase, len, &pem,
	    err) : tl_key_private_pem(key, &pem, err)) != TL_OK)
		return r;
	r = tl_write_private_file(path, pem, strlen(pem), err);
	tl_wipe_free(pem);
	return r;
}

int
tl_key_write_private(const struct tl_key *key, const char *path,
    struct tl_error *err)
{
	return tl_key_write_private_encrypted(key, path, NULL, 0, err);
}

/* The passphrase OpenSSL asks for while decoding, from the caller, never
 * from a terminal: none given is a refusal (-1). */
struct passphrase {
	const char *text;
	size_t len;
};

static int
give_passphrase(char *buf, int size, int rwflag, void *ctx)
{
	const struct passphrase *p = ctx;

	(void)rwflag;
	if (p == NULL || p->text == NULL || size < 0 ||
	    p->len > (size_t)size)
		return -1;
	memcpy(buf, p->text, p->len);
	return (int)p->len;
}

static EVP_PKEY *
pkey_from_pem(const char *pem, size_t len, const struct passphrase *pass)
{
	EVP_PKEY *pkey;
	BIO *bio;

	if (len > INT32_MAX || (bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		ERR_clear_error();
		return NULL;
	}
	pkey = PEM_read_bio_PrivateKey(bio, NULL, give_passphrase,
	    (void *)pass);
	BIO_free(bio);
	ERR_clear_error();
	return pkey;
}

EVP_PKEY *
tl_crypto_pkey_from_pem(const char *pem, size_t len)
{
	return pkey_from_pem(pem, len, NULL);
}

/* Whether PEM text holds an encrypted private key (PKCS#8's, or the
 * older form's header). */
static int
pem_is_encrypted(const char *pem, size_t len)
{
	static const char *const marks[] = {
		"-----BEGIN ENCRYPTED PRIVATE KEY-----",
		"Proc-Type: 4,ENCRYPTED",
	};

	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		size_t m = strlen(marks[i]);

		for (size_t at = 0; at + m <= len; at++)
			if (memcmp(pem + at, marks[i], m) == 0)
				return 1;
	}
	return 0;
}

int
tl_key_from_private_pem_encrypted(const char *pem, size_t len,
    const char *passphrase, size_t passlen, struct tl_key **out,
    struct tl_error *err)
{
	struct passphrase pass = {passphrase, passlen};
	EVP_PKEY *pkey;
	int encrypted;

	if (len > INT32_MAX)
		return tl_error_set(err, TL_ETOOBIG, "key text too large");
	encrypted = pem_is_encrypted(pem, len);
	if (encrypted && passphrase == NULL)
		return tl_error_set(err, TL_EINPUT, "the private key is "
		    "encrypted; give its passphrase (--passphrase-file FILE or "
		    "$TELLER_PASSPHRASE_FILE)");
	if ((pkey = pkey_from_pem(pem, len, &pass)) == NULL)
		return tl_error_set(err, TL_EINPUT, encrypted ? "cannot decrypt "
		    "the private key: wrong passphrase?" : "not a PEM private "
		    "key");
	return key_wrap(pkey, NULL, 1, out, err);
}

int
tl_key_from_private_pem(const char *pem, size_t len, struct tl_key **out,
    struct tl_error *err)
{
	return tl_key_from_private_pem_encrypted(pem, len, NULL, 0, out, err);
}

int
tl_key_load_private_encrypted(const char *path, const char *passphrase,
    size_t passlen, struct tl_key **out, struct tl_error *err)
{
	char *pem = NULL;
	size_t len = 0;
	int r;

	if ((r = tl_read_private_file(path, KEY_FILE_MAX, &pem, &len, err)) !=
	    TL_OK)
		return r;
	r = tl_key_from_private_pem_encrypted(pem, len, passphrase, passlen,
	    out, err);
	if (r != TL_OK)
		tl_error_prefix(err, "%s", path);
	tl_wipe(pem, len);
	free(pem);
	return r;
}

int
tl_key_load_private(const char *path, struct tl_key **out,
    struct tl_error *err)
{
	return tl_key_load_private_encrypted(path, NULL, 0, out, err);
}

/*
 * A public key of algorithm name ("ED25519", "X25519") from its 32 raw
 * bytes, through the EVP_PKEY_fromdata context the thread keeps at *slot
 * (made on first use: EVP_PKEY_new_raw_public_key fetches the key
 * manager on every call), or without a cache (slot NULL) directly.  NULL
 * if the bytes are not such a key.
 */
static EVP_PKEY *
raw_public_pkey(EVP_PKEY_CTX **slot, const char *name, int type,
    const uint8_t raw[32])
{
	EVP_PKEY *pkey = NULL;

	if (slot != NULL && *slot == NULL &&
	    (*slot = EVP_PKEY_CTX_new_from_name(NULL, name, NULL)) != NULL &&
	    EVP_PKEY_fromdata_init(*slot) != 1) {
		EVP_PKEY_CTX_free(*slot);
		*slot = NULL;
	}
	if (slot != NULL && *slot != NULL) {
		OSSL_PARAM params[2];

		params[0] = OSSL_PARAM_construct_octet_string(
		    OSSL_PKEY_PARAM_PUB_KEY, (void *)raw, 32);
		params[1] = OSSL_PARAM_construct_end();
		if (EVP_PKEY_fromdata(*slot, &pkey, EVP_PKEY_PUBLIC_KEY,
		    params) != 1)
			pkey = NULL;
	} else
		pkey = EVP_PKEY_new_raw_public_key(type, NULL, raw, 32);
	return pkey;
}

EVP_PKEY *
tl_crypto_x25519_public(const uint8_t raw[32])
{
	struct thread_cache *tc = thread_cache();
	EVP_PKEY *pkey = raw_public_pkey(tc != NULL ? &tc->x25519 : NULL,
	    "X25519", EVP_PKEY_X25519, raw);

	if (pkey == NULL)
		ERR_clear_error();
	return pkey;
}

int
tl_key_from_public_raw(const uint8_t raw[TL_ED25519_PUBLIC_LEN],
    struct tl_key **out, struct tl_error *err)
{
	struct thread_cache *tc = thread_cache();
	EVP_PKEY *pkey = raw_public_pkey(tc != NULL ? &tc->ed25519 : NULL,
	    "ED25519", EVP_PKEY_ED25519, raw);

	if (pkey == NULL)
		return tl_crypto_openssl_error(err, TL_EINPUT,
		    "not an Ed25519 public key");
	return key_wrap(pkey, raw, 0, out, err);
}

int
tl_key_from_public_base64(const char *b64, struct tl_key **out,
    struct tl_error *err)
{
	uint8_t *raw = NULL;
	size_t len = 0;
	int r;

	if (tl_base64_decode(b64, strlen(b64), &raw, &len) != TL_OK)
		return tl_error_set(err, TL_EINPUT,
		    "public key is not valid base64");
	if (len != TL_ED25519_PUBLIC_LEN) {
		free(raw);
		return tl_error_set(err, TL_EINPUT,
		    "public key is %zu bytes, not the 32 of an Ed25519 key", len);
	}
	r = tl_key_from_public_raw(raw, out, err);
	free(raw);
	return r;
}

int
tl_key_has_private(const struct tl_key *key)
{
	return key->has_private;
}

void
tl_key_public_raw(const struct tl_key *key, uint8_t out[TL_ED25519_PUBLIC_LEN])
{
	memcpy(out, key->public_raw, TL_ED25519_PUBLIC_LEN);
}

void
tl_key_public_base64(const struct tl_key *key, char out[TL_PUBLIC_B64_LEN + 1])
{
	tl_base64_encode_to(key->public_raw, TL_ED25519_PUBLIC_LEN, out);
}

void
tl_key_id(const struct tl_key *key, char out[TL_KEYID_LEN + 1])
{
	memcpy(out, key->key_id, TL_KEYID_LEN + 1);
}

void
tl_key_id_raw(const uint8_t raw[TL_ED25519_PUBLIC_LEN],
    char out[TL_KEYID_LEN + 1])
{
	tl_sha256_hex(raw, TL_ED25519_PUBLIC_LEN, out);
}

int
tl_key_sign(const struct tl_key *key, const uint8_t *msg, size_t len,
    uint8_t sig[TL_ED25519_SIG_LEN], struct tl_error *err)
{
	EVP_MD_CTX *ctx;
	size_t siglen = TL_ED25519_SIG_LEN;
	int r = TL_OK;

	if (!key->has_private)
		return tl_error_set(err, TL_EINPUT, "key has no private part");
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return tl_crypto_openssl_error(err, TL_ENOMEM,
		    "cannot allocate a context");
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, key->pkey) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, msg, len) != 1 ||
	    siglen != TL_ED25519_SIG_LEN)
		r = tl_crypto_openssl_error(err, TL_ECRYPTO, "signing failed");
	EVP_MD_CTX_free(ctx);
	return r;
}

int
tl_key_verify(const struct tl_key *key, const uint8_t *msg, size_t len,
    const uint8_t *sig, size_t siglen)
{
	struct thread_cache *tc = thread_cache();
	EVP_MD_CTX **slot = tc != NULL ? &tc->verify : NULL, *ctx;
	int ok;

	if (siglen != TL_ED25519_SIG_LEN)
		return TL_ESIGNATURE;
	if ((ctx = md_take(slot)) == NULL)
		return TL_ENOMEM;
	ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key->pkey) == 1 &&
	    EVP_DigestVerify(ctx, sig, siglen, msg, len) == 1;
	md_release(slot, ctx);
	if (!ok) {
		ERR_clear_error();
		return TL_ESIGNATURE;
	}
	return TL_OK;
}

void
tl_key_free(struct tl_key *key)
{
	if (key == NULL)
		return;
	EVP_PKEY_free(key->pkey); /* OpenSSL clears private key material */
	tl_wipe(key, sizeof(*key));
	free(key);
}

void
tl_sha256_iov(const struct tl_iov *parts, size_t n, uint8_t out[TL_SHA256_LEN])
{
	struct thread_cache *tc = thread_cache();
	EVP_MD_CTX **slot = tc != NULL ? &tc->hash : NULL;
	EVP_MD_CTX *ctx = md_take(slot);
	int ok = ctx != NULL && EVP_DigestInit_ex(ctx, sha256_md(), NULL) == 1;

	for (size_t i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(ctx, parts[i].data, parts[i].len) == 1;
	ok = ok && EVP_DigestFinal_ex(ctx, out, NULL) == 1;
	md_release(slot, ctx);
	if (!ok)
		abort(); /* SHA-256 in memory cannot fail but for lack of memory */
}

void
tl_sha256(const void *data, size_t len, uint8_t out[TL_SHA256_LEN])
{
	struct tl_iov part = {data, len};

	tl_sha256_iov(&part, 1, out);
}

void
tl_sha256_hex(const void *data, size_t len, char out[TL_HASH_HEX_LEN + 1])
{
	uint8_t hash[TL_SHA256_LEN];

	tl_sha256(data, len, hash);
	tl_hex_encode(hash, sizeof(hash), out);
}

void
tl_md5(const void *data, size_t len, uint8_t out[16])
{
	pthread_once(&md_once, fetch_digests);
	if (EVP_Digest(data, len, out, NULL,
	    md_md5 != NULL ? md_md5 : EVP_md5(), NULL) != 1)
		abort();
}

int
tl_bignum_mod(const uint8_t *be, size_t len, uint32_t divisor,
    uint32_t *remainder)
{
	BIGNUM *n;
	BN_ULONG r;

	if (divisor == 0 || len > INT32_MAX)
		return TL_EINPUT;
	if ((n = BN_bin2bn(be, (int)len, NULL)) == NULL) {
		ERR_clear_error();
		return TL_ENOMEM;
	}
	r = BN_mod_word(n, divisor);
	BN_free(n);
	if (r == (BN_ULONG)-1) {
		ERR_clear_error();
		return TL_ECRYPTO;
	}
	*remainder = (uint32_t)r;
	return TL_OK;
}

int
tl_hmac_sha256(const void *key, size_t keylen, const void *data, size_t len,
    uint8_t out[TL_SHA256_LEN])
{
	size_t outlen = 0;

	if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, keylen, data,
	    len, out, TL_SHA256_LEN, &outlen) == NULL || outlen != TL_SHA256_LEN) {
		ERR_clear_error();
		return TL_ECRYPTO;
	}
	return TL_OK;
}

/*
 * HKDF-SHA256 through OpenSSL's EVP_KDF "HKDF", in its extract-only and
 * expand-only modes.  A thread keeps one context with the digest set, so
 * that a call sets only the mode and the inputs: every call sets the
 * salt too (HashLen zeros for an empty one, RFC 5869 section 2.2),
 * since a context keeps a salt it was once given.
 */
static EVP_KDF *kdf_hkdf;
static pthread_once_t kdf_once = PTHREAD_ONCE_INIT;

static void
fetch_kdf(void)
{
	kdf_hkdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
}

static EVP_KDF_CTX *
hkdf_take(struct thread_cache *tc)
{
	EVP_KDF_CTX *ctx;
	OSSL_PARAM params[2];

	if (tc != NULL && tc->hkdf != NULL)
		return tc->hkdf;
	pthread_once(&kdf_once, fetch_kdf);
	if (kdf_hkdf == NULL || (ctx = EVP_KDF_CTX_new(kdf_hkdf)) == NULL)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_KDF_CTX_set_params(ctx, params) != 1) {
		EVP_KDF_CTX_free(ctx);
		return NULL;
	}
	if (tc != NULL)
		tc->hkdf = ctx;
	return ctx;
}

static int
hkdf_run(int mode, const void *salt, size_t saltlen, const void *key,
    size_t keylen, const void *info, size_t infolen, uint8_t *out,
    size_t outlen)
{
	static const uint8_t zeros[TL_SHA256_LEN];
	struct thread_cache *tc = thread_cache();
	EVP_KDF_CTX *ctx;
	OSSL_PARAM params[5], *p = params;
	int ok;

	if (keylen == 0)
		return TL_EINPUT;
	if ((ctx = hkdf_take(tc)) == NULL) {
		ERR_clear_error();
		return TL_ECRYPTO;
	}
	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (void *)key, keylen);
	if (mode == EVP_KDF_HKDF_MODE_EXTRACT_ONLY)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
		    saltlen > 0 ? (void *)salt : (void *)zeros,
		    saltlen > 0 ? saltlen : sizeof(zeros));
	else
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
		    infolen > 0 ? (void *)info : (void *)zeros, infolen);
	*p = OSSL_PARAM_construct_end();
	ok = EVP_KDF_derive(ctx, out, outlen, params) == 1;
	if (tc == NULL || ctx != tc->hkdf)
		EVP_KDF_CTX_free(ctx);
	if (!ok) {
		ERR_clear_error();
		tl_wipe(out, outlen);
		return TL_ECRYPTO;
	}
	return TL_OK;
}

int
tl_hkdf_sha256_extract(const void *salt, size_t saltlen, const void *ikm,
    size_t ikmlen, uint8_t prk[TL_SHA256_LEN])
{
	return hkdf_run(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, salt, saltlen, ikm,
	    ikmlen, NULL, 0, prk, TL_SHA256_LEN);
}

int
tl_hkdf_sha256_expand(const uint8_t prk[TL_SHA256_LEN], const void *info,
    size_t infolen, uint8_t *out, size_t len)
{
	if (len == 0 || len > 255 * TL_SHA256_LEN ||
	    infolen > TL_HKDF_INFO_MAX)
		return TL_EINPUT;
	return hkdf_run(EVP_KDF_HKDF_MODE_EXPAND_ONLY, NULL, 0, prk,
	    TL_SHA256_LEN, info, infolen, out, len);
}

int
tl_key_derive(const struct tl_key *key, const char *info, uint8_t out[32],
    struct tl_error *err)
{
	uint8_t raw[TL_ED25519_PUBLIC_LEN], prk[TL_SHA256_LEN];
	size_t len = sizeof(raw);
	int r;

	if (!key->has_private)
		return tl_error_set(err, TL_EINPUT, "key has no private part");
	if (EVP_PKEY_get_raw_private_key(key->pkey, raw, &len) != 1 ||
	    len != sizeof(raw)) {
		tl_wipe(raw, sizeof(raw));
		return tl_crypto_openssl_error(err, TL_ECRYPTO, "cannot read "
		    "the private key");
	}
	/* RFC 5869 section 2: Extract with no salt, Expand with the
	 * purpose as info. */
	if ((r = tl_hkdf_sha256_extract(NULL, 0, raw, len, prk)) != TL_OK ||
	    (r = tl_hkdf_sha256_expand(prk, info, strlen(info), out, 32)) !=
	    TL_OK)
		tl_error_set(err, r, "cannot derive a key for %s", info);
	tl_wipe(raw, sizeof(raw));
	tl_wipe(prk, sizeof(prk));
	return r;
}

void
tl_base64_encode_to(const void *data, size_t len, char *out)
{
	if (len > (size_t)INT32_MAX / 4 * 3)
		abort(); /* the caller gave the room the header asks for */
	EVP_EncodeBlock((unsigned char *)out, data, (int)len);
}

int
tl_base64_encode(const void *data, size_t len, char **out)
{
	size_t outlen;
	char *s;

	if (len > (size_t)INT32_MAX / 4 * 3)
		return TL_ETOOBIG;
	outlen = (len + 2) / 3 * 4;
	if ((s = malloc(outlen + 1)) == NULL)
		return TL_ENOMEM;
	EVP_EncodeBlock((unsigned char *)s, data, (int)len);
	s[outlen] = '\0';
	*out = s;
	return TL_OK;
}

/* The value of each base64 digit (RFC 4648 section 4), 0xff for the
 * other bytes: made once. */
static uint8_t base64_values[256];
static pthread_once_t base64_once = PTHREAD_ONCE_INIT;

static void
make_base64_values(void)
{
	static const char digits[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	memset(base64_values, 0xff, sizeof(base64_values));
	for (size_t i = 0; i < 64; i++)
		base64_values[(unsigned char)digits[i]] = (uint8_t)i;
}

/*
 * Only the canonical encoding is accepted: groups of four digits, '='
 * only as the padding of the last group, and the bits the padding leaves
 * unused zero, so that each byte string has exactly one encoding (a
 * signature or a payload cannot be re-encoded into a different record
 * line).
 */
int
tl_base64_decode(const char *b64, size_t len, uint8_t **out, size_t *outlen)
{
	const unsigned char *s = (const unsigned char *)b64;
	size_t pad = 0, n, o = 0;
	uint8_t *buf;

	if (len % 4 != 0 || len > (size_t)INT32_MAX)
		return TL_EINPUT;
	pthread_once(&base64_once, make_base64_values);
	if (len >= 1 && s[len - 1] == '=')
		pad++;
	if (len >= 2 && s[len - 2] == '=')
		pad++;
	n = len / 4 * 3 - pad;
	if ((buf = malloc(n + 1)) == NULL)
		return TL_ENOMEM;
	for (size_t i = 0; i < len; i += 4) {
		int last = i + 4 == len;
		uint8_t v[4];
		uint32_t group = 0;

		for (int j = 0; j < 4; j++) {
			v[j] = last && j >= 4 - (int)pad ? 0 :
			    base64_values[s[i + (size_t)j]];
			if (v[j] == 0xff)
				goto bad;
			group = group << 6 | v[j];
		}
		buf[o++] = (uint8_t)(group >> 16);
		if (!last || pad < 2)
			buf[o++] = (uint8_t)(group >> 8);
		if (!last || pad < 1)
			buf[o++] = (uint8_t)group;
		/* The unused bits of a padded group. */
		if (last && ((pad == 1 && (v[2] & 0x3) != 0) ||
		    (pad == 2 && (v[1] & 0xf) != 0)))
			goto bad;
	}
	*out = buf;
	*outlen = n;
	return TL_OK;
 bad:
	free(buf);
	return TL_EINPUT;
}

void
tl_hex_encode(const void *data, size_t len, char *out)
{
	size_t written = 0;

	out[0] = '\0';
	if (len == 0)
		return;
	if (OPENSSL_buf2hexstr_ex(out, 2 * len + 1, &written, data, len,
	    '\0') != 1) {
		ERR_clear_error();
		abort(); /* the caller gave the room the header asks for */
	}
	for (size_t i = 0; out[i] != '\0'; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
}

int
tl_hex_decode(const char *hex, uint8_t *out, size_t outlen)
{
	size_t n = 0;

	if (hex == NULL || strlen(hex) != 2 * outlen)
		return TL_EINPUT;
	if (outlen == 0)
		return TL_OK;
	if (OPENSSL_hexstr2buf_ex(out, outlen, &n, hex, '\0') != 1 ||
	    n != outlen) {
		ERR_clear_error();
		return TL_EINPUT;
	}
	return TL_OK;
}

int
tl_random_bytes(void *out, size_t len)
{
	if (len > INT32_MAX || RAND_bytes(out, (int)len) != 1) {
		ERR_clear_error();
		return TL_ECRYPTO;
	}
	return TL_OK;
}

void
tl_wipe(void *p, size_t len)
{
	if (p != NULL)
		OPENSSL_cleanse(p, len);
}

void
tl_wipe_free(char *s)
{
	if (s == NULL)
		return;
	tl_wipe(s, strlen(s));
	free(s);
}

int
tl_memcmp_const(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len);
}
