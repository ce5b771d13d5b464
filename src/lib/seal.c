/*
 * seal.c: a ballot's selections sealed under a one-time content key K,
 * and K shared out among the trustees (teller/seal.h states every step
 * and byte).  The primitives are teller's crypto modules: AES-256-GCM
 * (aead.h), Shamir's sharing over GF(2^8) (shamir.h) and HPKE (hpke.h);
 * this file only says how they are put together and what each sealed
 * value is bound to.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "teller/crypto.h"
#include "teller/seal.h"
#include "teller/util.h"

#define LABEL_SELECTIONS "teller/v1/selections"
#define LABEL_SHARE "teller/v1/share"
/* The longest binding: the longer label, two 0x00, an id of 64 bytes,
 * two 32-byte values and the share index. */
#define BINDING_MAX (sizeof(LABEL_SELECTIONS) + 1 + 64 + 1 + 32 + 32 + 1)

/*
 * binding(label) = label || 0x00 || election || 0x00 || manifest hash ||
 * ballot key, into out (BINDING_MAX bytes); returns its length, or 0 if
 * the election id is not an identifier.
 */
static size_t
binding_bytes(const char *label, const struct tl_seal_binding *b,
    uint8_t out[BINDING_MAX])
{
	size_t labellen = strlen(label), idlen, n = 0;

	if (b->election == NULL || !tl_valid_id(b->election))
		return 0;
	idlen = strlen(b->election);
	memcpy(out, label, labellen + 1);  /* with its 0x00 */
	n = labellen + 1;
	memcpy(out + n, b->election, idlen + 1);
	n += idlen + 1;
	memcpy(out + n, b->manifest_hash, 32);
	n += 32;
	memcpy(out + n, b->ballot_key, 32);
	return n + 32;
}

int
tl_seal_selections(const uint8_t key[TL_SEAL_KEY_LEN],
    const struct tl_seal_binding *binding, const uint8_t *pt, size_t ptlen,
    uint8_t **out, size_t *outlen)
{
	uint8_t aad[BINDING_MAX], *sealed;
	size_t aadlen = binding_bytes(LABEL_SELECTIONS, binding, aad);
	int r;

	if (aadlen == 0 || ptlen > TL_AES_GCM_MAX)
		return TL_EINPUT;
	if ((sealed = malloc(TL_SEAL_OVERHEAD + ptlen)) == NULL)
		return TL_ENOMEM;
	if ((r = tl_random_bytes(sealed, TL_AES_GCM_NONCE_LEN)) != TL_OK ||
	    (r = tl_aes_gcm_seal(key, TL_SEAL_KEY_LEN, sealed, aad, aadlen, pt,
	    ptlen, sealed + TL_AES_GCM_NONCE_LEN)) != TL_OK) {
		free(sealed);
		return r;
	}
	*out = sealed;
	*outlen = TL_SEAL_OVERHEAD + ptlen;
	return TL_OK;
}

int
tl_seal_open_selections(const uint8_t key[TL_SEAL_KEY_LEN],
    const struct tl_seal_binding *binding, const uint8_t *sealed, size_t len,
    uint8_t **pt, size_t *ptlen)
{
	uint8_t aad[BINDING_MAX], *plain;
	size_t aadlen = binding_bytes(LABEL_SELECTIONS, binding, aad), n;
	int r;

	if (aadlen == 0)
		return TL_EINPUT;
	if (len < TL_SEAL_OVERHEAD)
		return TL_EDECRYPT;
	n = len - TL_SEAL_OVERHEAD;
	if ((plain = malloc(n + 1)) == NULL)
		return TL_ENOMEM;
	if ((r = tl_aes_gcm_open(key, TL_SEAL_KEY_LEN, sealed, aad, aadlen,
	    sealed + TL_AES_GCM_NONCE_LEN, len - TL_AES_GCM_NONCE_LEN,
	    plain)) != TL_OK) {
		free(plain);
		return r;
	}
	plain[n] = '\0';
	*pt = plain;
	*ptlen = n;
	return TL_OK;
}

/* info = binding("teller/v1/share") || I2OSP(index, 1); 0 if bad. */
static size_t
share_info(const struct tl_seal_binding *binding, unsigned index,
    uint8_t info[BINDING_MAX])
{
	size_t n;

	if (index < 1 || index > TL_SEAL_MAX_TRUSTEES ||
	    (n = binding_bytes(LABEL_SHARE, binding, info)) == 0)
		return 0;
	info[n] = (uint8_t)index;
	return n + 1;
}

int
tl_seal_share(const uint8_t trustee_key[TL_HPKE_NPK],
    const struct tl_seal_binding *binding, unsigned index,
    const uint8_t share[TL_SHAMIR_SECRET_LEN],
    uint8_t out[TL_SEAL_SHARE_LEN])
{
	uint8_t info[BINDING_MAX];
	size_t infolen = share_info(binding, index, info);

	if (infolen == 0)
		return TL_EINPUT;
	return tl_hpke_seal_base(trustee_key, info, infolen, NULL, 0, share,
	    TL_SHAMIR_SECRET_LEN, out, out + TL_HPKE_NENC);
}

int
tl_seal_open_share(const struct tl_hpke_key *trustee,
    const struct tl_seal_binding *binding, unsigned index,
    const uint8_t sealed[TL_SEAL_SHARE_LEN],
    uint8_t share[TL_SHAMIR_SECRET_LEN])
{
	uint8_t info[BINDING_MAX];
	size_t infolen = share_info(binding, index, info);

	if (infolen == 0)
		return TL_EINPUT;
	return tl_hpke_open_base(sealed, trustee, info, infolen, NULL, 0,
	    sealed + TL_HPKE_NENC, TL_SEAL_SHARE_LEN - TL_HPKE_NENC, share);
}

int
tl_seal_ballot(const uint8_t (*trustee_keys)[TL_HPKE_NPK], unsigned n,
    unsigned k, const struct tl_seal_binding *binding, const uint8_t *pt,
    size_t ptlen, uint8_t **selections, size_t *selectionslen,
    uint8_t (*shares)[TL_SEAL_SHARE_LEN])
{
	uint8_t key[TL_SEAL_KEY_LEN];
	uint8_t plain_shares[TL_SEAL_MAX_TRUSTEES][TL_SHAMIR_SECRET_LEN];
	uint8_t *sealed = NULL;
	size_t sealedlen = 0;
	int r;

	if (k < 1 || k > n || n > TL_SEAL_MAX_TRUSTEES)
		return TL_EINPUT;
	if ((r = tl_random_bytes(key, sizeof(key))) != TL_OK ||
	    (r = tl_seal_selections(key, binding, pt, ptlen, &sealed,
	    &sealedlen)) != TL_OK ||
	    (r = tl_shamir_split(key, k, n, plain_shares)) != TL_OK)
		goto out;
	for (unsigned i = 1; i <= n; i++)
		if ((r = tl_seal_share(trustee_keys[i - 1], binding, i,
		    plain_shares[i - 1], shares[i - 1])) != TL_OK)
			goto out;
	*selections = sealed;
	*selectionslen = sealedlen;
	sealed = NULL;
 out:
	free(sealed);
	tl_wipe(key, sizeof(key));
	tl_wipe(plain_shares, sizeof(plain_shares));
	return r;
}

int
tl_seal_recover_key(const struct tl_hpke_key *const *keys,
    const uint8_t *indices, unsigned count,
    const struct tl_seal_binding *binding,
    const uint8_t (*sealed)[TL_SEAL_SHARE_LEN], uint8_t key[TL_SEAL_KEY_LEN],
    unsigned *failed)
{
	uint8_t shares[TL_SEAL_MAX_TRUSTEES][TL_SHAMIR_SECRET_LEN];
	int r = TL_OK;

	if (count < 1 || count > TL_SEAL_MAX_TRUSTEES)
		return TL_EINPUT;
	for (unsigned a = 0; a < count && r == TL_OK; a++)
		if ((r = tl_seal_open_share(keys[a], binding, indices[a],
		    sealed[a], shares[a])) != TL_OK && failed != NULL)
			*failed = a;
	if (r == TL_OK)
		r = tl_shamir_combine(indices, (const uint8_t (*)[32])shares,
		    count, key);
	tl_wipe(shares, sizeof(shares));
	return r;
}
