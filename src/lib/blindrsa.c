/*
 * blindrsa.c: RSA blind signatures, RFC 9474, variant
 * RSABSSA-SHA384-PSS-Randomized, on OpenSSL's BIGNUM and EVP.  One
 * function per operation the RFC names, each citing its section:
 *
 *   4.1 Prepare       tl_blindrsa_prepare (PrepareRandomize)
 *   4.2 Blind         tl_blindrsa_blind, tl_blindrsa_blind_with
 *   4.3 BlindSign     tl_blindrsa_blind_sign
 *   4.4 Finalize      tl_blindrsa_finalize
 *   4.5 Verification  tl_blindrsa_verify
 *   6.2 key generation  tl_blindrsa_keygen
 *
 * and from RFC 8017, which they build on: EMSA-PSS-ENCODE (9.1.1) with
 * MGF1 (B.2.1), written here because OpenSSL 3.0's PSS padding draws its
 * own salt; RSASP1 (5.2.1) is OpenSSL's private-key operation with no
 * padding; RSAVP1 (5.2.2) and the modular arithmetic are BIGNUM's;
 * RSASSA-PSS-VERIFY (8.1.2) is OpenSSL's.
 */
#include <config.h>

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "crypto_internal.h"
#include "teller/blindrsa.h"
#include "teller/crypto.h"

struct tl_blindrsa_key {
	EVP_PKEY *pkey;
	BIGNUM *n, *e;
	BN_MONT_CTX *mont;   /* for n: read-only once made, shared by threads */
	/* A context set up for 4.5's verification, never used itself: each
	 * verification works on a copy (a copy costs less than setting up a
	 * context, and threads may copy it at once). */
	EVP_PKEY_CTX *verify;
	size_t k;            /* the modulus's length in bytes */
	unsigned bits;
	int has_private;
};

void
tl_blindrsa_key_free(struct tl_blindrsa_key *key)
{
	if (key == NULL)
		return;
	EVP_PKEY_CTX_free(key->verify);
	EVP_PKEY_free(key->pkey); /* OpenSSL clears the private parts */
	BN_free(key->n);
	BN_free(key->e);
	BN_MONT_CTX_free(key->mont);
	free(key);
}

/* Wraps an RSA EVP_PKEY (taking it): its modulus, exponent and size. */
static int
key_wrap(EVP_PKEY *pkey, int has_private, struct tl_blindrsa_key **out,
    struct tl_error *err)
{
	struct tl_blindrsa_key *key = NULL;
	BN_CTX *bn = NULL;
	int r, bits;

	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
		EVP_PKEY_free(pkey);
		return tl_error_set(err, TL_EINPUT, "not an RSA key");
	}
	bits = EVP_PKEY_get_bits(pkey);
	if (bits < TL_BLINDRSA_MIN_BITS || bits > TL_BLINDRSA_MAX_BITS) {
		EVP_PKEY_free(pkey);
		return tl_error_set(err, TL_EINPUT, "an RSA key of %d bits; "
		    "blind signatures take %d to %d", bits, TL_BLINDRSA_MIN_BITS,
		    TL_BLINDRSA_MAX_BITS);
	}
	if ((key = calloc(1, sizeof(*key))) == NULL) {
		EVP_PKEY_free(pkey);
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	key->pkey = pkey;
	key->has_private = has_private;
	key->bits = (unsigned)bits;
	key->k = ((size_t)bits + 7) / 8;
	if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &key->n) != 1 ||
	    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &key->e) != 1 ||
	    (bn = BN_CTX_new()) == NULL ||
	    (key->mont = BN_MONT_CTX_new()) == NULL ||
	    BN_MONT_CTX_set(key->mont, key->n, bn) != 1 ||
	    (key->verify = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) ==
	    NULL ||
	    EVP_PKEY_verify_init(key->verify) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(key->verify, RSA_PKCS1_PSS_PADDING) !=
	    1 ||
	    EVP_PKEY_CTX_set_signature_md(key->verify, tl_crypto_md_sha384()) !=
	    1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(key->verify, tl_crypto_md_sha384()) !=
	    1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(key->verify,
	    TL_BLINDRSA_SALT_LEN) != 1) {
		r = tl_crypto_openssl_error(err, TL_ECRYPTO, "cannot read the RSA key");
		tl_blindrsa_key_free(key);
		BN_CTX_free(bn);
		return r;
	}
	BN_CTX_free(bn);
	*out = key;
	return TL_OK;
}

/* RFC 9474 section 6.2: one key per use, e = 65537, from OpenSSL's
 * generator (FIPS 186-4 B.3.3 primes). */
int
tl_blindrsa_keygen(unsigned bits, struct tl_blindrsa_key **out,
    struct tl_error *err)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	int r;

	if (bits < TL_BLINDRSA_MIN_BITS || bits > TL_BLINDRSA_MAX_BITS ||
	    bits % 8 != 0)
		return tl_error_set(err, TL_EINPUT, "cannot make an RSA key of "
		    "%u bits", bits);
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_keygen_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)bits) != 1 ||
	    EVP_PKEY_generate(ctx, &pkey) != 1) {
		r = tl_crypto_openssl_error(err, TL_ECRYPTO, "cannot generate an RSA "
		    "key");
		EVP_PKEY_CTX_free(ctx);
		return r;
	}
	EVP_PKEY_CTX_free(ctx);
	if ((r = key_wrap(pkey, 1, out, err)) == TL_OK &&
	    !tl_blindrsa_key_e_is_f4(*out)) {
		tl_blindrsa_key_free(*out);
		*out = NULL;
		r = tl_error_set(err, TL_ECRYPTO, "the RSA key's exponent is "
		    "not 65537");
	}
	return r;
}

int
tl_blindrsa_key_public_der(const struct tl_blindrsa_key *key, uint8_t **der,
    size_t *len, struct tl_error *err)
{
	unsigned char *buf, *p;
	int n = i2d_PUBKEY(key->pkey, NULL);

	if (n <= 0)
		return tl_crypto_openssl_error(err, TL_ECRYPTO, "cannot encode the RSA "
		    "public key");
	if ((buf = malloc((size_t)n)) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	p = buf;
	if (i2d_PUBKEY(key->pkey, &p) != n) {
		free(buf);
		return tl_crypto_openssl_error(err, TL_ECRYPTO, "cannot encode the RSA "
		    "public key");
	}
	*der = buf;
	*len = (size_t)n;
	return TL_OK;
}

int
tl_blindrsa_key_from_public_der(const uint8_t *der, size_t len,
    struct tl_blindrsa_key **out, struct tl_error *err)
{
	const unsigned char *p = der;
	struct tl_blindrsa_key *key = NULL;
	uint8_t *again = NULL;
	size_t again_len = 0;
	EVP_PKEY *pkey;
	int r;

	if (len == 0 || len > TL_BLINDRSA_DER_MAX)
		return tl_error_set(err, TL_EINPUT, "an RSA public key of %zu "
		    "bytes is not one teller takes", len);
	if ((pkey = d2i_PUBKEY(NULL, &p, (long)len)) == NULL) {
		ERR_clear_error();
		return tl_error_set(err, TL_EINPUT, "not the DER of a public key");
	}
	if (p != der + len) {
		EVP_PKEY_free(pkey);
		return tl_error_set(err, TL_EINPUT, "bytes after the DER of the "
		    "public key");
	}
	if ((r = key_wrap(pkey, 0, &key, err)) != TL_OK)
		return r;
	/* DER has one encoding of each key: any other spelling is not the
	 * key that was published. */
	if ((r = tl_blindrsa_key_public_der(key, &again, &again_len, err)) !=
	    TL_OK)
		goto out;
	if (again_len != len || memcmp(again, der, len) != 0) {
		r = tl_error_set(err, TL_EINPUT, "the public key is not in its "
		    "DER encoding");
		goto out;
	}
	*out = key;
	key = NULL;
 out:
	free(again);
	tl_blindrsa_key_free(key);
	return r;
}

int
tl_blindrsa_key_from_private_pem(const char *pem, size_t len,
    struct tl_blindrsa_key **out, struct tl_error *err)
{
	EVP_PKEY *pkey;

	if ((pkey = tl_crypto_pkey_from_pem(pem, len)) == NULL)
		return tl_error_set(err, TL_EINPUT, "not a PEM private key");
	return key_wrap(pkey, 1, out, err);
}

int
tl_blindrsa_key_private_pem(const struct tl_blindrsa_key *key, char **pem,
    struct tl_error *err)
{
	if (!key->has_private)
		return tl_error_set(err, TL_EINPUT, "the RSA key has no private "
		    "part");
	return tl_crypto_pkey_pem(key->pkey, pem, err);
}

size_t
tl_blindrsa_key_len(const struct tl_blindrsa_key *key)
{
	return key->k;
}

unsigned
tl_blindrsa_key_bits(const struct tl_blindrsa_key *key)
{
	return key->bits;
}

int
tl_blindrsa_key_has_private(const struct tl_blindrsa_key *key)
{
	return key->has_private;
}

int
tl_blindrsa_key_e_is_f4(const struct tl_blindrsa_key *key)
{
	return BN_is_word(key->e, RSA_F4);
}

/* --- RFC 8017: EMSA-PSS-ENCODE and MGF1 ---------------------------------- */

static int
sha384(const uint8_t *data, size_t len, uint8_t out[TL_SHA384_LEN])
{
	unsigned int n = 0;

	if (EVP_Digest(data, len, out, &n, tl_crypto_md_sha384(), NULL) != 1 ||
	    n != TL_SHA384_LEN) {
		ERR_clear_error();
		return TL_ECRYPTO;
	}
	return TL_OK;
}

/* RFC 8017 B.2.1, MGF1 with SHA-384: mask ^= MGF1(seed, len), the XOR
 * done in place so that DB never needs a second buffer. */
static int
mgf1_xor(const uint8_t *seed, size_t seed_len, uint8_t *mask, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t block[TL_SHA384_LEN];
	int r = TL_OK;

	if (ctx == NULL)
		return TL_ENOMEM;
	for (uint32_t counter = 0; (size_t)counter * TL_SHA384_LEN < len;
	    counter++) {
		uint8_t c[4] = {(uint8_t)(counter >> 24),
		    (uint8_t)(counter >> 16), (uint8_t)(counter >> 8),
		    (uint8_t)counter};
		size_t off = (size_t)counter * TL_SHA384_LEN;

		if (EVP_DigestInit_ex(ctx, tl_crypto_md_sha384(), NULL) != 1 ||
		    EVP_DigestUpdate(ctx, seed, seed_len) != 1 ||
		    EVP_DigestUpdate(ctx, c, sizeof(c)) != 1 ||
		    EVP_DigestFinal_ex(ctx, block, NULL) != 1) {
			ERR_clear_error();
			r = TL_ECRYPTO;
			break;
		}
		for (size_t i = 0; i < TL_SHA384_LEN && off + i < len; i++)
			mask[off + i] ^= block[i];
	}
	EVP_MD_CTX_free(ctx);
	tl_wipe(block, sizeof(block));
	return r;
}

/* RFC 8017 9.1.1, EMSA-PSS-ENCODE (M, emBits), with Hash = SHA-384,
 * MGF = MGF1-SHA-384 and sLen = 48; the steps are numbered as there. */
int
tl_blindrsa_emsa_pss_encode(const uint8_t *msg, size_t len, size_t em_bits,
    const uint8_t *salt_in, uint8_t *em, size_t em_len)
{
	static const uint8_t zeros[8] = {0};
	const size_t h_len = TL_SHA384_LEN, s_len = TL_BLINDRSA_SALT_LEN;
	uint8_t m_hash[TL_SHA384_LEN], salt[TL_BLINDRSA_SALT_LEN];
	uint8_t m_prime[8 + TL_SHA384_LEN + TL_BLINDRSA_SALT_LEN];
	size_t db_len, ps_len;
	uint8_t *db, *h;
	int r;

	/* Step 3 (and emLen = ceil(emBits / 8)). */
	if (em_len != (em_bits + 7) / 8 || em_len < h_len + s_len + 2)
		return TL_EINPUT;
	/* Step 2. */
	if ((r = sha384(msg, len, m_hash)) != TL_OK)
		return r;
	/* Step 4. */
	if (salt_in != NULL)
		memcpy(salt, salt_in, s_len);
	else if ((r = tl_random_bytes(salt, s_len)) != TL_OK)
		return r;
	/* Steps 5 and 6: H = Hash(0x00 * 8 || mHash || salt). */
	memcpy(m_prime, zeros, 8);
	memcpy(m_prime + 8, m_hash, h_len);
	memcpy(m_prime + 8 + h_len, salt, s_len);
	db_len = em_len - h_len - 1;
	db = em;
	h = em + db_len;
	if ((r = sha384(m_prime, sizeof(m_prime), h)) != TL_OK)
		goto out;
	/* Steps 7 and 8: DB = PS || 0x01 || salt. */
	ps_len = em_len - s_len - h_len - 2;
	memset(db, 0, ps_len);
	db[ps_len] = 0x01;
	memcpy(db + ps_len + 1, salt, s_len);
	/* Steps 9 and 10: maskedDB = DB xor MGF(H, emLen - hLen - 1). */
	if ((r = mgf1_xor(h, h_len, db, db_len)) != TL_OK)
		goto out;
	/* Step 11: the leftmost 8 emLen - emBits bits of maskedDB zero. */
	db[0] &= (uint8_t)(0xff >> (8 * em_len - em_bits));
	/* Step 12. */
	em[em_len - 1] = 0xbc;
 out:
	tl_wipe(salt, sizeof(salt));
	tl_wipe(m_prime, sizeof(m_prime));
	return r;
}

/* --- RFC 9474 ------------------------------------------------------------- */

/* 4.1, PrepareRandomize: msg_prefix = random(32); input_msg =
 * msg_prefix || msg. */
int
tl_blindrsa_prepare(const uint8_t *msg, size_t len,
    uint8_t prefix[TL_BLINDRSA_PREFIX_LEN], uint8_t **prepared,
    size_t *prepared_len)
{
	uint8_t *buf;
	int r;

	if (len > SIZE_MAX - TL_BLINDRSA_PREFIX_LEN)
		return TL_ETOOBIG;
	if ((r = tl_random_bytes(prefix, TL_BLINDRSA_PREFIX_LEN)) != TL_OK)
		return r;
	if ((buf = malloc(TL_BLINDRSA_PREFIX_LEN + len + 1)) == NULL)
		return TL_ENOMEM;
	memcpy(buf, prefix, TL_BLINDRSA_PREFIX_LEN);
	if (len > 0)
		memcpy(buf + TL_BLINDRSA_PREFIX_LEN, msg, len);
	*prepared = buf;
	*prepared_len = TL_BLINDRSA_PREFIX_LEN + len;
	return TL_OK;
}

/* An integer of exactly k bytes that is below n, or NULL (TL_EINPUT). */
static BIGNUM *
below_n(const struct tl_blindrsa_key *key, const uint8_t *bytes, size_t len)
{
	BIGNUM *x;

	if (len != key->k || (x = BN_bin2bn(bytes, (int)len, NULL)) == NULL)
		return NULL;
	if (BN_cmp(x, key->n) >= 0) {
		BN_free(x);
		return NULL;
	}
	return x;
}

/*
 * 4.2, Blind (steps as numbered there).  With inv_in the blinding
 * factor is not drawn: r = inv_in^-1 mod n, the test hook that
 * reproduces a known answer; with salt the encoding's salt is given.
 */
static int
blind(const struct tl_blindrsa_key *pk, const uint8_t *prepared, size_t len,
    const uint8_t *salt, const uint8_t *inv_in, uint8_t *blinded,
    uint8_t *inv_out, struct tl_error *err)
{
	size_t em_bits = pk->bits - 1, em_len = (em_bits + 7) / 8;
	uint8_t em[TL_BLINDRSA_MAX_LEN];
	BN_CTX *bn = BN_CTX_new();
	BIGNUM *m, *r, *inv, *x, *z, *g;
	int rc;

	if (bn == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	BN_CTX_start(bn);
	m = BN_CTX_get(bn);
	r = BN_CTX_get(bn);
	inv = BN_CTX_get(bn);
	x = BN_CTX_get(bn);
	z = BN_CTX_get(bn);
	if ((g = BN_CTX_get(bn)) == NULL) {
		rc = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	BN_set_flags(r, BN_FLG_CONSTTIME);
	BN_set_flags(inv, BN_FLG_CONSTTIME);
	/* Steps 1 to 3: encoded_msg = EMSA-PSS-ENCODE(msg, bit_len(n) - 1),
	 * m = bytes_to_int(encoded_msg). */
	if ((rc = tl_blindrsa_emsa_pss_encode(prepared, len, em_bits, salt, em,
	    em_len)) != TL_OK) {
		tl_error_set(err, rc, "cannot encode the message (EMSA-PSS)");
		goto out;
	}
	if (BN_bin2bn(em, (int)em_len, m) == NULL) {
		rc = tl_crypto_openssl_error(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	/* Steps 4 and 5: m must be coprime with n. */
	if (BN_gcd(g, m, pk->n, bn) != 1) {
		rc = tl_crypto_openssl_error(err, TL_ECRYPTO, "cannot blind");
		goto out;
	}
	if (!BN_is_one(g)) {
		rc = tl_error_set(err, TL_EINPUT, "the encoded message is not "
		    "coprime with the modulus (invalid input)");
		goto out;
	}
	/* Steps 6 to 8: r uniform in [1, n), inv = r^-1 mod n. */
	if (inv_in != NULL) {
		if (BN_bin2bn(inv_in, (int)pk->k, inv) == NULL ||
		    BN_cmp(inv, pk->n) >= 0 || BN_is_zero(inv) ||
		    BN_mod_inverse(r, inv, pk->n, bn) == NULL) {
			ERR_clear_error();
			rc = tl_error_set(err, TL_EINPUT, "inv has no inverse "
			    "modulo n (blinding error)");
			goto out;
		}
	} else {
		do {
			if (BN_priv_rand_range(r, pk->n) != 1) {
				rc = tl_crypto_openssl_error(err, TL_ECRYPTO,
				    "cannot draw the blinding factor");
				goto out;
			}
		} while (BN_is_zero(r));
		if (BN_mod_inverse(inv, r, pk->n, bn) == NULL) {
			rc = tl_crypto_openssl_error(err, TL_ECRYPTO, "the blinding "
			    "factor has no inverse (blinding error)");
			goto out;
		}
	}
	/* Steps 9 to 12: x = RSAVP1(pk, r) = r^e mod n, z = m * x mod n. */
	if (BN_mod_exp_mont_consttime(x, r, pk->e, pk->n, bn, pk->mont) != 1 ||
	    BN_mod_mul(z, m, x, pk->n, bn) != 1 ||
	    BN_bn2binpad(z, blinded, (int)pk->k) != (int)pk->k ||
	    BN_bn2binpad(inv, inv_out, (int)pk->k) != (int)pk->k) {
		rc = tl_crypto_openssl_error(err, TL_ECRYPTO, "cannot blind");
		goto out;
	}
	rc = TL_OK;
 out:
	tl_wipe(em, sizeof(em));
	BN_CTX_end(bn);
	BN_CTX_free(bn);
	return rc;
}

int
tl_blindrsa_blind(const struct tl_blindrsa_key *pk, const uint8_t *prepared,
    size_t len, uint8_t *blinded, uint8_t *inv, struct tl_error *err)
{
	return blind(pk, prepared, len, NULL, NULL, blinded, inv, err);
}

int
tl_blindrsa_blind_with(const struct tl_blindrsa_key *pk,
    const uint8_t *prepared, size_t len, const uint8_t *salt,
    const uint8_t *inv_in, uint8_t *blinded, uint8_t *inv,
    struct tl_error *err)
{
	return blind(pk, prepared, len, salt, inv_in, blinded, inv, err);
}

/* RSAVP1 (RFC 8017 5.2.2) of s, compared with m: whether s^e mod n = m. */
static int
rsavp1_is(const struct tl_blindrsa_key *pk, const BIGNUM *s, const BIGNUM *m)
{
	BN_CTX *bn = BN_CTX_new();
	BIGNUM *x;
	int same = 0;

	if (bn == NULL)
		return 0;
	BN_CTX_start(bn);
	if ((x = BN_CTX_get(bn)) != NULL &&
	    BN_mod_exp_mont(x, s, pk->e, pk->n, bn, pk->mont) == 1)
		same = BN_cmp(x, m) == 0;
	ERR_clear_error();
	BN_CTX_end(bn);
	BN_CTX_free(bn);
	return same;
}

/* 4.3, BlindSign: steps 1 to 5. */
int
tl_blindrsa_blind_sign(const struct tl_blindrsa_key *sk,
    const uint8_t *blinded, size_t len, uint8_t *blind_sig,
    struct tl_error *err)
{
	EVP_PKEY_CTX *ctx = NULL;
	BIGNUM *m = NULL, *s = NULL;
	size_t sig_len = sk->k;
	int r;

	if (!sk->has_private)
		return tl_error_set(err, TL_EINPUT, "the RSA key has no private "
		    "part");
	/* Step 1, and RSASP1's range check: 0 <= m < n. */
	if ((m = below_n(sk, blinded, len)) == NULL) {
		ERR_clear_error();
		return tl_error_set(err, TL_EINPUT, "the blinded message must be "
		    "%zu bytes, an integer below the modulus (message "
		    "representative out of range)", sk->k);
	}
	/* Step 2: s = RSASP1(sk, m), by OpenSSL with CRT, constant-time
	 * exponentiation and its own blinding. */
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, sk->pkey, NULL)) == NULL ||
	    EVP_PKEY_sign_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) != 1 ||
	    EVP_PKEY_sign(ctx, blind_sig, &sig_len, blinded, len) != 1 ||
	    sig_len != sk->k) {
		r = tl_crypto_openssl_error(err, TL_ECRYPTO, "the RSA private-key "
		    "operation failed");
		goto out;
	}
	/* Steps 3 and 4: m' = RSAVP1(pk, s); a signature that does not give
	 * m back (a fault) is never released. */
	if ((s = BN_bin2bn(blind_sig, (int)sk->k, NULL)) == NULL ||
	    !rsavp1_is(sk, s, m)) {
		tl_wipe(blind_sig, sk->k);
		r = tl_error_set(err, TL_ECRYPTO, "the blind signature does not "
		    "verify (signing failure)");
		goto out;
	}
	/* Step 5: blind_sig = int_to_bytes(s, modulus_len), written above. */
	r = TL_OK;
 out:
	EVP_PKEY_CTX_free(ctx);
	BN_free(m);
	BN_free(s);
	return r;
}

/* 4.4, Finalize: steps 1 to 6. */
int
tl_blindrsa_finalize(const struct tl_blindrsa_key *pk,
    const uint8_t *prepared, size_t len, const uint8_t *blind_sig,
    size_t blind_sig_len, const uint8_t *inv, size_t inv_len, uint8_t *sig,
    struct tl_error *err)
{
	BN_CTX *bn = NULL;
	BIGNUM *z, *i, *s;
	int r;

	/* Step 1. */
	if (blind_sig_len != pk->k || inv_len != pk->k)
		return tl_error_set(err, TL_EINPUT, "the blind signature and inv "
		    "must be %zu bytes (unexpected input size)", pk->k);
	if ((bn = BN_CTX_new()) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	BN_CTX_start(bn);
	z = BN_CTX_get(bn);
	i = BN_CTX_get(bn);
	if ((s = BN_CTX_get(bn)) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	BN_set_flags(i, BN_FLG_CONSTTIME);
	/* Steps 2 to 4: s = z * inv mod n. */
	if (BN_bin2bn(blind_sig, (int)pk->k, z) == NULL ||
	    BN_bin2bn(inv, (int)pk->k, i) == NULL ||
	    BN_mod_mul(s, z, i, pk->n, bn) != 1 ||
	    BN_bn2binpad(s, sig, (int)pk->k) != (int)pk->k) {
		r = tl_crypto_openssl_error(err, TL_ECRYPTO, "cannot unblind the "
		    "signature");
		goto out;
	}
	/* Steps 5 and 6: the result must verify, or it is not given. */
	if (tl_blindrsa_verify(pk, prepared, len, sig, pk->k) != TL_OK) {
		tl_wipe(sig, pk->k);
		r = tl_error_set(err, TL_ESIGNATURE, "the unblinded signature "
		    "does not verify under the public key (invalid signature): "
		    "the signer did not use that key");
		goto out;
	}
	r = TL_OK;
 out:
	BN_CTX_end(bn);
	BN_CTX_free(bn);
	return r;
}

/* 4.5, Verification: RSASSA-PSS-VERIFY (RFC 8017 8.1.2) with SHA-384,
 * MGF1-SHA-384 and a salt of 48 bytes, by OpenSSL. */
int
tl_blindrsa_verify(const struct tl_blindrsa_key *pk, const uint8_t *prepared,
    size_t len, const uint8_t *sig, size_t sig_len)
{
	EVP_PKEY_CTX *ctx = NULL;
	uint8_t digest[TL_SHA384_LEN];
	int ok;

	if (sig_len != pk->k || sha384(prepared, len, digest) != TL_OK)
		return TL_ESIGNATURE;
	ok = (ctx = EVP_PKEY_CTX_dup(pk->verify)) != NULL &&
	    EVP_PKEY_verify(ctx, sig, sig_len, digest, sizeof(digest)) == 1;
	EVP_PKEY_CTX_free(ctx);
	if (!ok) {
		ERR_clear_error();
		return TL_ESIGNATURE;
	}
	return TL_OK;
}

int
tl_blindrsa_in_range(const struct tl_blindrsa_key *pk, const uint8_t *x,
    size_t len)
{
	BIGNUM *n = below_n(pk, x, len);

	ERR_clear_error();
	BN_free(n);
	return n != NULL;
}

int
tl_blindrsa_check_blind_signature(const struct tl_blindrsa_key *pk,
    const uint8_t *blinded, size_t blinded_len, const uint8_t *blind_sig,
    size_t blind_sig_len)
{
	BIGNUM *m = below_n(pk, blinded, blinded_len);
	BIGNUM *s = below_n(pk, blind_sig, blind_sig_len);
	int ok = m != NULL && s != NULL && rsavp1_is(pk, s, m);

	ERR_clear_error();
	BN_free(m);
	BN_free(s);
	return ok ? TL_OK : TL_ESIGNATURE;
}
