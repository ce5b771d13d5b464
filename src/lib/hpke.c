/*
 * hpke.c: RFC 9180 (Hybrid Public Key Encryption), base mode, with the
 * suite DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM.  Each
 * function below is one operation the RFC names, and says which section
 * defines it; the code follows the RFC's pseudocode step by step.
 *
 * OpenSSL 3.0 gives the parts: X25519 (EVP_PKEY, here), HKDF-SHA256
 * (EVP_KDF, through tl_hkdf_sha256_*) and AES-GCM (EVP_CIPHER, through
 * tl_aes_gcm_*).  Checked against RFC 9180 Appendix A.1.1 byte for byte by
 * tests/unit/check_hpke.c.
 */
#include <config.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto_internal.h"
#include "teller/aead.h"
#include "teller/crypto.h"
#include "teller/hpke.h"

/* Section 7: the identifiers of the suite. */
#define KEM_ID 0x0020   /* DHKEM(X25519, HKDF-SHA256) */
#define KDF_ID 0x0001   /* HKDF-SHA256 */
#define AEAD_ID 0x0001  /* AES-128-GCM */
#define MODE_BASE 0x00  /* section 5, table 1 */

/* Section 4: the version label every labeled input starts with. */
#define HPKE_V1 "HPKE-v1"
#define HPKE_V1_LEN 7

/* The longest label this module uses ("shared_secret") and then some. */
#define LABEL_MAX 32

struct tl_hpke_key {
	EVP_PKEY *pkey;
	EVP_PKEY_CTX *derive;      /* derive_init done, copied for each DH */
	uint8_t sk[TL_HPKE_NSK];   /* clamped (7.1.2) */
	uint8_t pk[TL_HPKE_NPK];
};

/* Sections 4.1 and 5.1: suite_id = "KEM" || I2OSP(kem_id, 2) for the
 * KEM, "HPKE" || I2OSP(kem_id, 2) || I2OSP(kdf_id, 2) || I2OSP(aead_id, 2)
 * for the rest.  Returns its length. */
static size_t
suite_id(enum tl_hpke_suite suite, uint8_t out[10])
{
	if (suite == TL_HPKE_SUITE_KEM) {
		memcpy(out, "KEM", 3);
		out[3] = KEM_ID >> 8;
		out[4] = KEM_ID & 0xff;
		return 5;
	}
	memcpy(out, "HPKE", 4);
	out[4] = KEM_ID >> 8;
	out[5] = KEM_ID & 0xff;
	out[6] = KDF_ID >> 8;
	out[7] = KDF_ID & 0xff;
	out[8] = AEAD_ID >> 8;
	out[9] = AEAD_ID & 0xff;
	return 10;
}

/*
 * "HPKE-v1" || suite_id || label || data, with prefix (0 or 2 bytes,
 * section 4's I2OSP(L, 2)) in front: into stack (when it fits) or a new
 * heap buffer (*heap, the caller frees and wipes).  NULL if out of memory.
 */
static uint8_t *
labeled(const uint8_t *prefix, size_t prefixlen, enum tl_hpke_suite suite,
    const char *label, const uint8_t *data, size_t datalen, uint8_t *stack,
    size_t stacklen, uint8_t **heap, size_t *outlen)
{
	uint8_t id[10];
	size_t idlen = suite_id(suite, id), labellen = strlen(label), len;
	uint8_t *buf = stack;

	*heap = NULL;
	len = prefixlen + HPKE_V1_LEN + idlen + labellen + datalen;
	if (len > stacklen) {
		if ((buf = *heap = malloc(len)) == NULL)
			return NULL;
	}
	if (prefixlen > 0)
		memcpy(buf, prefix, prefixlen);
	memcpy(buf + prefixlen, HPKE_V1, HPKE_V1_LEN);
	memcpy(buf + prefixlen + HPKE_V1_LEN, id, idlen);
	memcpy(buf + prefixlen + HPKE_V1_LEN + idlen, label, labellen);
	if (datalen > 0)
		memcpy(buf + prefixlen + HPKE_V1_LEN + idlen + labellen, data,
		    datalen);
	*outlen = len;
	return buf;
}

/* Section 4: LabeledExtract(salt, label, ikm). */
int
tl_hpke_labeled_extract(enum tl_hpke_suite suite, const uint8_t *salt,
    size_t saltlen, const char *label, const uint8_t *ikm, size_t ikmlen,
    uint8_t prk[TL_HPKE_NH])
{
	uint8_t stack[256], *heap, *labeled_ikm;
	size_t len;
	int r;

	if (strlen(label) > LABEL_MAX || ikmlen > TL_HPKE_INPUT_MAX ||
	    saltlen > TL_HPKE_INPUT_MAX)
		return TL_EINPUT;
	labeled_ikm = labeled(NULL, 0, suite, label, ikm, ikmlen, stack,
	    sizeof(stack), &heap, &len);
	if (labeled_ikm == NULL)
		return TL_ENOMEM;
	r = tl_hkdf_sha256_extract(salt, saltlen, labeled_ikm, len, prk);
	tl_wipe(labeled_ikm, len);
	free(heap);
	return r;
}

/* Section 4: LabeledExpand(prk, label, info, L). */
int
tl_hpke_labeled_expand(enum tl_hpke_suite suite,
    const uint8_t prk[TL_HPKE_NH], const char *label, const uint8_t *info,
    size_t infolen, uint8_t *out, size_t L)
{
	uint8_t stack[256], *heap, *labeled_info, length[2];
	size_t len;
	int r;

	if (strlen(label) > LABEL_MAX || infolen > TL_HKDF_INFO_MAX ||
	    L == 0 || L > 255 * TL_HPKE_NH)
		return TL_EINPUT;
	length[0] = (uint8_t)(L >> 8);   /* I2OSP(L, 2) */
	length[1] = (uint8_t)L;
	labeled_info = labeled(length, 2, suite, label, info, infolen, stack,
	    sizeof(stack), &heap, &len);
	if (labeled_info == NULL)
		return TL_ENOMEM;
	r = tl_hkdf_sha256_expand(prk, labeled_info, len, out, L);
	free(heap);
	return r;
}

void
tl_hpke_clamp_private_key(uint8_t sk[TL_HPKE_NSK])
{
	sk[0] &= 248;
	sk[31] &= 127;
	sk[31] |= 64;
}

/* An OpenSSL X25519 key from a private key (which OpenSSL clamps when it
 * uses it); its public key is computed here. */
static EVP_PKEY *
private_pkey(const uint8_t sk[TL_HPKE_NSK])
{
	EVP_PKEY *pkey = EVP_PKEY_new_raw_private_key_ex(NULL, "X25519", NULL,
	    sk, TL_HPKE_NSK);

	if (pkey == NULL)
		ERR_clear_error();
	return pkey;
}

static int
pkey_public(EVP_PKEY *pkey, uint8_t pk[TL_HPKE_NPK])
{
	size_t len = TL_HPKE_NPK;

	if (EVP_PKEY_get_raw_public_key(pkey, pk, &len) != 1 ||
	    len != TL_HPKE_NPK) {
		ERR_clear_error();
		return TL_ECRYPTO;
	}
	return TL_OK;
}

/* Section 7.1.3: DeriveKeyPair(ikm) for X25519. */
int
tl_hpke_derive_key_pair(const uint8_t *ikm, size_t ikmlen,
    uint8_t sk[TL_HPKE_NSK], uint8_t pk[TL_HPKE_NPK])
{
	uint8_t dkp_prk[TL_HPKE_NH];
	int r;

	if (ikmlen < TL_HPKE_NSK)
		return TL_EINPUT;
	if ((r = tl_hpke_labeled_extract(TL_HPKE_SUITE_KEM, NULL, 0,
	    "dkp_prk", ikm, ikmlen, dkp_prk)) != TL_OK)
		goto out;
	if ((r = tl_hpke_labeled_expand(TL_HPKE_SUITE_KEM, dkp_prk, "sk",
	    NULL, 0, sk, TL_HPKE_NSK)) != TL_OK)
		goto out;
	r = tl_hpke_public_key(sk, pk);
 out:
	tl_wipe(dkp_prk, sizeof(dkp_prk));
	if (r != TL_OK)
		tl_wipe(sk, TL_HPKE_NSK);
	return r;
}

/* Section 4: GenerateKeyPair(), as DeriveKeyPair of random bytes. */
int
tl_hpke_generate_key_pair(uint8_t sk[TL_HPKE_NSK], uint8_t pk[TL_HPKE_NPK])
{
	uint8_t ikm[TL_HPKE_NSK];
	int r;

	if ((r = tl_random_bytes(ikm, sizeof(ikm))) == TL_OK &&
	    (r = tl_hpke_derive_key_pair(ikm, sizeof(ikm), sk, pk)) == TL_OK)
		tl_hpke_clamp_private_key(sk);  /* SerializePrivateKey */
	tl_wipe(ikm, sizeof(ikm));
	return r;
}

int
tl_hpke_public_key(const uint8_t sk[TL_HPKE_NSK], uint8_t pk[TL_HPKE_NPK])
{
	EVP_PKEY *pkey = private_pkey(sk);
	int r;

	if (pkey == NULL)
		return TL_ECRYPTO;
	r = pkey_public(pkey, pk);
	EVP_PKEY_free(pkey);
	return r;
}

int
tl_hpke_key_from_private(const uint8_t sk[TL_HPKE_NSK],
    struct tl_hpke_key **out)
{
	struct tl_hpke_key *key;

	if ((key = calloc(1, sizeof(*key))) == NULL)
		return TL_ENOMEM;
	memcpy(key->sk, sk, TL_HPKE_NSK);
	tl_hpke_clamp_private_key(key->sk);  /* DeserializePrivateKey */
	if ((key->pkey = private_pkey(key->sk)) == NULL ||
	    pkey_public(key->pkey, key->pk) != TL_OK ||
	    (key->derive = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey,
	    NULL)) == NULL || EVP_PKEY_derive_init(key->derive) != 1) {
		ERR_clear_error();
		tl_hpke_key_free(key);
		return TL_ECRYPTO;
	}
	*out = key;
	return TL_OK;
}

void
tl_hpke_key_public(const struct tl_hpke_key *key, uint8_t pk[TL_HPKE_NPK])
{
	memcpy(pk, key->pk, TL_HPKE_NPK);
}

void
tl_hpke_key_private(const struct tl_hpke_key *key, uint8_t sk[TL_HPKE_NSK])
{
	memcpy(sk, key->sk, TL_HPKE_NSK);
}

void
tl_hpke_key_free(struct tl_hpke_key *key)
{
	if (key == NULL)
		return;
	EVP_PKEY_CTX_free(key->derive);
	EVP_PKEY_free(key->pkey);
	tl_wipe(key, sizeof(*key));
	free(key);
}

int
tl_hpke_private_key_pem(const uint8_t sk[TL_HPKE_NSK], char **pem)
{
	uint8_t clamped[TL_HPKE_NSK];
	EVP_PKEY *pkey;
	int r;

	memcpy(clamped, sk, sizeof(clamped));
	tl_hpke_clamp_private_key(clamped);  /* SerializePrivateKey */
	pkey = private_pkey(clamped);
	tl_wipe(clamped, sizeof(clamped));
	if (pkey == NULL)
		return TL_ECRYPTO;
	r = tl_crypto_pkey_pem(pkey, pem, NULL);
	EVP_PKEY_free(pkey);
	return r;
}

int
tl_hpke_private_key_from_pem(const char *pem, size_t len,
    uint8_t sk[TL_HPKE_NSK])
{
	EVP_PKEY *pkey = tl_crypto_pkey_from_pem(pem, len);
	size_t sklen = TL_HPKE_NSK;
	int r = TL_OK;

	if (pkey == NULL || EVP_PKEY_get_id(pkey) != EVP_PKEY_X25519)
		r = TL_EINPUT;
	else if (EVP_PKEY_get_raw_private_key(pkey, sk, &sklen) != 1 ||
	    sklen != TL_HPKE_NSK)
		r = TL_ECRYPTO;
	EVP_PKEY_free(pkey);  /* OpenSSL wipes the private key */
	ERR_clear_error();
	if (r == TL_OK)
		tl_hpke_clamp_private_key(sk);  /* DeserializePrivateKey */
	return r;
}

/*
 * Section 4.1: DH(skX, pkY), X25519 (RFC 7748 section 6.1), with skX
 * either a key (sk) or, for a receiver's key that opens many messages, a
 * derivation context already initialised with it (prepared), which is
 * copied: making a new one fetches the key exchange every time.  Section
 * 7.1.4: a DH result of all zeros (pkY of small order) must be refused;
 * OpenSSL's X25519 refuses it, and it is checked again here.  TL_EINPUT
 * for such a pkY.
 */
static int
dh(EVP_PKEY *sk, EVP_PKEY_CTX *prepared, const uint8_t pk[TL_HPKE_NPK],
    uint8_t out[TL_HPKE_NSECRET])
{
	static const uint8_t zeros[TL_HPKE_NSECRET];
	EVP_PKEY *peer = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	size_t len = TL_HPKE_NSECRET;
	int r = TL_EINPUT;

	if ((peer = tl_crypto_x25519_public(pk)) == NULL ||
	    (ctx = prepared != NULL ? EVP_PKEY_CTX_dup(prepared) :
	    EVP_PKEY_CTX_new_from_pkey(NULL, sk, NULL)) == NULL ||
	    (prepared == NULL && EVP_PKEY_derive_init(ctx) != 1) ||
	    EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) != 1) {
		r = TL_ECRYPTO;
		goto out;
	}
	if (EVP_PKEY_derive(ctx, out, &len) != 1 || len != TL_HPKE_NSECRET ||
	    CRYPTO_memcmp(out, zeros, sizeof(zeros)) == 0)
		goto out;
	r = TL_OK;
 out:
	if (r != TL_OK) {
		ERR_clear_error();
		tl_wipe(out, TL_HPKE_NSECRET);
	}
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer);
	return r;
}

int
tl_hpke_public_key_check(const uint8_t pk[TL_HPKE_NPK])
{
	uint8_t sk[TL_HPKE_NSK], out[TL_HPKE_NSECRET];
	EVP_PKEY *pkey;
	int r;

	memset(sk, 0x5c, sizeof(sk));
	tl_hpke_clamp_private_key(sk);
	if ((pkey = private_pkey(sk)) == NULL)
		return TL_ECRYPTO;
	r = dh(pkey, NULL, pk, out);
	tl_wipe(out, sizeof(out));
	EVP_PKEY_free(pkey);
	return r;
}

/* Section 4.1: ExtractAndExpand(dh, kem_context). */
static int
extract_and_expand(const uint8_t dh_out[TL_HPKE_NSECRET],
    const uint8_t kem_context[TL_HPKE_NENC + TL_HPKE_NPK],
    uint8_t shared_secret[TL_HPKE_NSECRET])
{
	uint8_t eae_prk[TL_HPKE_NH];
	int r;

	if ((r = tl_hpke_labeled_extract(TL_HPKE_SUITE_KEM, NULL, 0,
	    "eae_prk", dh_out, TL_HPKE_NSECRET, eae_prk)) == TL_OK)
		r = tl_hpke_labeled_expand(TL_HPKE_SUITE_KEM, eae_prk,
		    "shared_secret", kem_context, TL_HPKE_NENC + TL_HPKE_NPK,
		    shared_secret, TL_HPKE_NSECRET);
	tl_wipe(eae_prk, sizeof(eae_prk));
	return r;
}

/* Section 4.1: Encap(pkR), given the ephemeral private key skE. */
static int
encap_with(const uint8_t sk_e[TL_HPKE_NSK], const uint8_t pk_r[TL_HPKE_NPK],
    uint8_t shared_secret[TL_HPKE_NSECRET], uint8_t enc[TL_HPKE_NENC])
{
	uint8_t dh_out[TL_HPKE_NSECRET], kem_context[TL_HPKE_NENC + TL_HPKE_NPK];
	EVP_PKEY *pkey_e = private_pkey(sk_e);
	int r;

	if (pkey_e == NULL)
		return TL_ECRYPTO;
	if ((r = dh(pkey_e, NULL, pk_r, dh_out)) != TL_OK ||
	    (r = pkey_public(pkey_e, enc)) != TL_OK)  /* SerializePublicKey */
		goto out;
	memcpy(kem_context, enc, TL_HPKE_NENC);
	memcpy(kem_context + TL_HPKE_NENC, pk_r, TL_HPKE_NPK);
	r = extract_and_expand(dh_out, kem_context, shared_secret);
 out:
	tl_wipe(dh_out, sizeof(dh_out));
	EVP_PKEY_free(pkey_e);
	return r;
}

int
tl_hpke_encap(const uint8_t pk_r[TL_HPKE_NPK],
    uint8_t shared_secret[TL_HPKE_NSECRET], uint8_t enc[TL_HPKE_NENC])
{
	uint8_t sk_e[TL_HPKE_NSK], pk_e[TL_HPKE_NPK];
	int r;

	if ((r = tl_hpke_generate_key_pair(sk_e, pk_e)) == TL_OK)
		r = encap_with(sk_e, pk_r, shared_secret, enc);
	tl_wipe(sk_e, sizeof(sk_e));
	return r;
}

int
tl_hpke_encap_derand(const uint8_t pk_r[TL_HPKE_NPK],
    const uint8_t *ikm_e, size_t ikm_elen,
    uint8_t shared_secret[TL_HPKE_NSECRET], uint8_t enc[TL_HPKE_NENC])
{
	uint8_t sk_e[TL_HPKE_NSK], pk_e[TL_HPKE_NPK];
	int r;

	if ((r = tl_hpke_derive_key_pair(ikm_e, ikm_elen, sk_e, pk_e)) ==
	    TL_OK)
		r = encap_with(sk_e, pk_r, shared_secret, enc);
	tl_wipe(sk_e, sizeof(sk_e));
	return r;
}

/* Section 4.1: Decap(enc, skR). */
int
tl_hpke_decap(const uint8_t enc[TL_HPKE_NENC],
    const struct tl_hpke_key *sk_r, uint8_t shared_secret[TL_HPKE_NSECRET])
{
	uint8_t dh_out[TL_HPKE_NSECRET], kem_context[TL_HPKE_NENC + TL_HPKE_NPK];
	int r;

	/* DeserializePublicKey(enc) is the identity for X25519; dh refuses
	 * an enc of small order. */
	if ((r = dh(sk_r->pkey, sk_r->derive, enc, dh_out)) != TL_OK) {
		if (r == TL_EINPUT)
			r = TL_EDECRYPT;
		goto out;
	}
	memcpy(kem_context, enc, TL_HPKE_NENC);
	memcpy(kem_context + TL_HPKE_NENC, sk_r->pk, TL_HPKE_NPK);
	r = extract_and_expand(dh_out, kem_context, shared_secret);
 out:
	tl_wipe(dh_out, sizeof(dh_out));
	return r;
}

/* psk_id_hash = LabeledExtract("", "psk_id_hash", psk_id) with the empty
 * psk_id of base mode: the same for every message, so made once. */
static uint8_t empty_psk_id_hash[TL_HPKE_NH];
static int empty_psk_id_hash_ok;
static pthread_once_t psk_id_hash_once = PTHREAD_ONCE_INIT;

static void
make_psk_id_hash(void)
{
	empty_psk_id_hash_ok = tl_hpke_labeled_extract(TL_HPKE_SUITE_HPKE,
	    NULL, 0, "psk_id_hash", NULL, 0, empty_psk_id_hash) == TL_OK;
}

/* Section 5.1: KeySchedule(mode_base, shared_secret, info, psk = "",
 * psk_id = ""); the exporter secret only if exporter is set (a context
 * that only opens one message never exports). */
static int
key_schedule(const uint8_t shared_secret[TL_HPKE_NSECRET],
    const uint8_t *info, size_t infolen, struct tl_hpke_context *ctx,
    uint8_t key_schedule_context[TL_HPKE_KEY_SCHEDULE_CONTEXT_LEN],
    int exporter)
{
	uint8_t context[TL_HPKE_KEY_SCHEDULE_CONTEXT_LEN], secret[TL_HPKE_NH];
	int r;

	if (infolen > TL_HPKE_INPUT_MAX)
		return TL_EINPUT;
	/* VerifyPSKInputs(mode_base, "", ""): holds, as neither is given. */
	context[0] = MODE_BASE;
	pthread_once(&psk_id_hash_once, make_psk_id_hash);
	if (empty_psk_id_hash_ok)
		memcpy(context + 1, empty_psk_id_hash, TL_HPKE_NH);
	else if ((r = tl_hpke_labeled_extract(TL_HPKE_SUITE_HPKE, NULL, 0,
	    "psk_id_hash", NULL, 0, context + 1)) != TL_OK)
		goto out;
	if ((r = tl_hpke_labeled_extract(TL_HPKE_SUITE_HPKE, NULL, 0,
	    "info_hash", info, infolen, context + 1 + TL_HPKE_NH)) != TL_OK)
		goto out;
	if ((r = tl_hpke_labeled_extract(TL_HPKE_SUITE_HPKE, shared_secret,
	    TL_HPKE_NSECRET, "secret", NULL, 0, secret)) != TL_OK)
		goto out;
	memset(ctx->exporter_secret, 0, sizeof(ctx->exporter_secret));
	if ((r = tl_hpke_labeled_expand(TL_HPKE_SUITE_HPKE, secret, "key",
	    context, sizeof(context), ctx->key, TL_HPKE_NK)) != TL_OK ||
	    (r = tl_hpke_labeled_expand(TL_HPKE_SUITE_HPKE, secret,
	    "base_nonce", context, sizeof(context), ctx->base_nonce,
	    TL_HPKE_NN)) != TL_OK ||
	    (exporter && (r = tl_hpke_labeled_expand(TL_HPKE_SUITE_HPKE,
	    secret, "exp", context, sizeof(context), ctx->exporter_secret,
	    TL_HPKE_NH)) != TL_OK))
		goto out;
	ctx->seq = 0;
	if (key_schedule_context != NULL)
		memcpy(key_schedule_context, context, sizeof(context));
 out:
	tl_wipe(secret, sizeof(secret));
	if (r != TL_OK)
		tl_hpke_context_wipe(ctx);
	return r;
}

int
tl_hpke_key_schedule(const uint8_t shared_secret[TL_HPKE_NSECRET],
    const uint8_t *info, size_t infolen, struct tl_hpke_context *ctx,
    uint8_t key_schedule_context[TL_HPKE_KEY_SCHEDULE_CONTEXT_LEN])
{
	return key_schedule(shared_secret, info, infolen, ctx,
	    key_schedule_context, 1);
}

/* Section 5.1.1: SetupBaseS(pkR, info). */
int
tl_hpke_setup_base_sender(const uint8_t pk_r[TL_HPKE_NPK],
    const uint8_t *info, size_t infolen, uint8_t enc[TL_HPKE_NENC],
    struct tl_hpke_context *ctx)
{
	uint8_t shared_secret[TL_HPKE_NSECRET];
	int r;

	if ((r = tl_hpke_encap(pk_r, shared_secret, enc)) == TL_OK)
		r = tl_hpke_key_schedule(shared_secret, info, infolen, ctx,
		    NULL);
	tl_wipe(shared_secret, sizeof(shared_secret));
	return r;
}

/* SetupBaseS with Encap's ephemeral key from ikm_e (Appendix A). */
int
tl_hpke_setup_base_sender_derand(const uint8_t pk_r[TL_HPKE_NPK],
    const uint8_t *info, size_t infolen, const uint8_t *ikm_e,
    size_t ikm_elen, uint8_t enc[TL_HPKE_NENC], struct tl_hpke_context *ctx)
{
	uint8_t shared_secret[TL_HPKE_NSECRET];
	int r;

	if ((r = tl_hpke_encap_derand(pk_r, ikm_e, ikm_elen, shared_secret,
	    enc)) == TL_OK)
		r = tl_hpke_key_schedule(shared_secret, info, infolen, ctx,
		    NULL);
	tl_wipe(shared_secret, sizeof(shared_secret));
	return r;
}

/* Section 5.1.1: SetupBaseR(enc, skR, info). */
int
tl_hpke_setup_base_receiver(const uint8_t enc[TL_HPKE_NENC],
    const struct tl_hpke_key *sk_r, const uint8_t *info, size_t infolen,
    struct tl_hpke_context *ctx)
{
	uint8_t shared_secret[TL_HPKE_NSECRET];
	int r;

	if ((r = tl_hpke_decap(enc, sk_r, shared_secret)) == TL_OK)
		r = tl_hpke_key_schedule(shared_secret, info, infolen, ctx,
		    NULL);
	tl_wipe(shared_secret, sizeof(shared_secret));
	return r;
}

/* Section 5.2: ComputeNonce(seq) = base_nonce XOR I2OSP(seq, Nn). */
static void
compute_nonce(const struct tl_hpke_context *ctx, uint8_t nonce[TL_HPKE_NN])
{
	uint64_t seq = ctx->seq;

	memcpy(nonce, ctx->base_nonce, TL_HPKE_NN);
	for (int i = TL_HPKE_NN - 1; i >= 0 && seq != 0; i--, seq >>= 8)
		nonce[i] ^= (uint8_t)(seq & 0xff);
}

/* Section 5.2: ContextS.Seal(aad, pt), with IncrementSeq. */
int
tl_hpke_context_seal(struct tl_hpke_context *ctx, const uint8_t *aad,
    size_t aadlen, const uint8_t *pt, size_t ptlen, uint8_t *ct)
{
	uint8_t nonce[TL_HPKE_NN];
	int r;

	if (ctx->seq == UINT64_MAX || aadlen > TL_HPKE_INPUT_MAX)
		return TL_EINPUT;
	compute_nonce(ctx, nonce);
	if ((r = tl_aes_gcm_seal(ctx->key, TL_HPKE_NK, nonce, aad, aadlen, pt,
	    ptlen, ct)) == TL_OK)
		ctx->seq++;
	return r;
}

/* Section 5.2: ContextR.Open(aad, ct), with IncrementSeq. */
int
tl_hpke_context_open(struct tl_hpke_context *ctx, const uint8_t *aad,
    size_t aadlen, const uint8_t *ct, size_t ctlen, uint8_t *pt)
{
	uint8_t nonce[TL_HPKE_NN];
	int r;

	if (ctx->seq == UINT64_MAX || aadlen > TL_HPKE_INPUT_MAX)
		return TL_EINPUT;
	compute_nonce(ctx, nonce);
	if ((r = tl_aes_gcm_open(ctx->key, TL_HPKE_NK, nonce, aad, aadlen, ct,
	    ctlen, pt)) == TL_OK)
		ctx->seq++;
	return r;
}

/* Section 5.3: Context.Export(exporter_context, L). */
int
tl_hpke_context_export(const struct tl_hpke_context *ctx,
    const uint8_t *exporter_context, size_t exporter_contextlen,
    uint8_t *out, size_t L)
{
	if (exporter_contextlen > TL_HPKE_EXPORT_CONTEXT_MAX)
		return TL_EINPUT;
	return tl_hpke_labeled_expand(TL_HPKE_SUITE_HPKE, ctx->exporter_secret,
	    "sec", exporter_context, exporter_contextlen, out, L);
}

void
tl_hpke_context_wipe(struct tl_hpke_context *ctx)
{
	tl_wipe(ctx, sizeof(*ctx));
}

/* Section 6.1: SealBase(pkR, info, aad, pt). */
int
tl_hpke_seal_base(const uint8_t pk_r[TL_HPKE_NPK], const uint8_t *info,
    size_t infolen, const uint8_t *aad, size_t aadlen, const uint8_t *pt,
    size_t ptlen, uint8_t enc[TL_HPKE_NENC], uint8_t *ct)
{
	struct tl_hpke_context ctx;
	int r;

	if ((r = tl_hpke_setup_base_sender(pk_r, info, infolen, enc,
	    &ctx)) == TL_OK)
		r = tl_hpke_context_seal(&ctx, aad, aadlen, pt, ptlen, ct);
	tl_hpke_context_wipe(&ctx);
	return r;
}

/* Section 6.1: OpenBase(enc, skR, info, aad, ct): SetupBaseR, then one
 * Open; the context is never exported from, so its exporter secret is
 * not derived. */
int
tl_hpke_open_base(const uint8_t enc[TL_HPKE_NENC],
    const struct tl_hpke_key *sk_r, const uint8_t *info, size_t infolen,
    const uint8_t *aad, size_t aadlen, const uint8_t *ct, size_t ctlen,
    uint8_t *pt)
{
	struct tl_hpke_context ctx;
	uint8_t shared_secret[TL_HPKE_NSECRET];
	int r;

	memset(&ctx, 0, sizeof(ctx));
	if ((r = tl_hpke_decap(enc, sk_r, shared_secret)) == TL_OK &&
	    (r = key_schedule(shared_secret, info, infolen, &ctx, NULL, 0)) ==
	    TL_OK)
		r = tl_hpke_context_open(&ctx, aad, aadlen, ct, ctlen, pt);
	tl_wipe(shared_secret, sizeof(shared_secret));
	tl_hpke_context_wipe(&ctx);
	return r;
}
