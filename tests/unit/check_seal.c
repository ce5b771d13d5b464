/*
 * check_seal.c: a ballot's selections sealed for k of n trustees: any k
 * open them, fewer cannot; every sealed value is bound to its election,
 * manifest, ballot key (and trustee index), with the exact bytes
 * teller/seal.h and doc/record-format.md state, rebuilt here by hand; and
 * a ballot whose shares disagree opens differently with different
 * trustees, as a verifier must detect.  The known answer was made by
 * tests/unit/seal_vectors.py from the document alone, independently of
 * this code.  The "sealed" member: written and read back, opened by any
 * k trustees, refused when malformed, and each way a ballot is spoiled
 * named; with all keys, the trustees whose shares disagree found.
 */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "teller/aead.h"
#include "teller/crypto.h"
#include "teller/hpke.h"
#include "teller/seal.h"
#include "teller/sealed.h"

struct trustees {
	unsigned n;
	uint8_t pk[TL_SEAL_MAX_TRUSTEES][32];
	struct tl_hpke_key *sk[TL_SEAL_MAX_TRUSTEES];
};

static void
trustees_make(struct trustees *t, unsigned n)
{
	t->n = n;
	for (unsigned i = 0; i < n; i++) {
		uint8_t sk[32];

		ck_assert_int_eq(tl_hpke_generate_key_pair(sk, t->pk[i]),
		    TL_OK);
		ck_assert_int_eq(tl_hpke_key_from_private(sk, &t->sk[i]),
		    TL_OK);
	}
}

static void
trustees_free(struct trustees *t)
{
	for (unsigned i = 0; i < t->n; i++)
		tl_hpke_key_free(t->sk[i]);
}

static void
binding_make(struct tl_seal_binding *b, const char *election)
{
	b->election = election;
	ck_assert_int_eq(tl_random_bytes(b->manifest_hash, 32), TL_OK);
	ck_assert_int_eq(tl_random_bytes(b->ballot_key, 32), TL_OK);
}

static const char selections[] =
    "[{\"contest\":\"plu\",\"marks\":[\"x\"]}]";

/* Recovers K from the trustees in mask and opens the selections with it;
 * returns what opening returned. */
static int
open_with(const struct trustees *t, unsigned mask,
    const struct tl_seal_binding *b, const uint8_t *sealed, size_t len,
    uint8_t (*shares)[TL_SEAL_SHARE_LEN], uint8_t **pt, size_t *ptlen)
{
	const struct tl_hpke_key *keys[TL_SEAL_MAX_TRUSTEES];
	uint8_t indices[TL_SEAL_MAX_TRUSTEES], key[32];
	uint8_t chosen[TL_SEAL_MAX_TRUSTEES][TL_SEAL_SHARE_LEN];
	unsigned count = 0, failed = 99;
	int r;

	for (unsigned i = 1; i <= t->n; i++)
		if (mask & (1u << (i - 1))) {
			keys[count] = t->sk[i - 1];
			indices[count] = (uint8_t)i;
			memcpy(chosen[count], shares[i - 1], TL_SEAL_SHARE_LEN);
			count++;
		}
	r = tl_seal_recover_key(keys, indices, count, b,
	    (const uint8_t (*)[TL_SEAL_SHARE_LEN])chosen, key, &failed);
	ck_assert_int_eq(r, TL_OK);
	return tl_seal_open_selections(key, b, sealed, len, pt, ptlen);
}

START_TEST(seal_k_of_n)
{
	struct trustees t;
	struct tl_seal_binding b;
	uint8_t shares[3][TL_SEAL_SHARE_LEN], *sealed = NULL, *pt = NULL;
	size_t len = 0, ptlen = 0;
	const unsigned pairs[] = {3, 5, 6, 7};  /* {1,2} {1,3} {2,3} all */

	trustees_make(&t, 3);
	binding_make(&b, "e1");
	ck_assert_int_eq(tl_seal_ballot((const uint8_t (*)[32])t.pk, 3, 2, &b,
	    (const uint8_t *)selections, strlen(selections), &sealed, &len,
	    shares), TL_OK);
	ck_assert_uint_eq(len, strlen(selections) + TL_SEAL_OVERHEAD);
	/* The sealed bytes do not hold the selections in the clear. */
	ck_assert_ptr_null(memmem(sealed, len, "plu", 3));
	for (size_t p = 0; p < sizeof(pairs) / sizeof(pairs[0]); p++) {
		ck_assert_int_eq(open_with(&t, pairs[p], &b, sealed, len,
		    shares, &pt, &ptlen), TL_OK);
		ck_assert_uint_eq(ptlen, strlen(selections));
		ck_assert_str_eq((char *)pt, selections);
		free(pt);
	}
	/* One trustee alone gets a key that is not K. */
	for (unsigned i = 0; i < 3; i++)
		ck_assert_int_eq(open_with(&t, 1u << i, &b, sealed, len,
		    shares, &pt, &ptlen), TL_EDECRYPT);
	free(sealed);
	trustees_free(&t);
}
END_TEST

/* Each sealed value opens only with what it was made for. */
START_TEST(seal_binding)
{
	struct trustees t;
	struct tl_seal_binding b, other;
	uint8_t key[32], share[32], back[32], sealed_share[TL_SEAL_SHARE_LEN];
	uint8_t *sealed = NULL, *pt = NULL;
	size_t len = 0, ptlen = 0;

	trustees_make(&t, 2);
	binding_make(&b, "e1");
	ck_assert_int_eq(tl_random_bytes(key, 32), TL_OK);
	ck_assert_int_eq(tl_random_bytes(share, 32), TL_OK);
	ck_assert_int_eq(tl_seal_selections(key, &b,
	    (const uint8_t *)selections, strlen(selections), &sealed, &len),
	    TL_OK);
	ck_assert_int_eq(tl_seal_share(t.pk[0], &b, 1, share, sealed_share),
	    TL_OK);
	ck_assert_int_eq(tl_seal_open_share(t.sk[0], &b, 1, sealed_share,
	    back), TL_OK);
	ck_assert_mem_eq(back, share, 32);
	/* Another election, manifest or ballot key. */
	other = b;
	other.election = "e2";
	ck_assert_int_eq(tl_seal_open_selections(key, &other, sealed, len, &pt,
	    &ptlen), TL_EDECRYPT);
	ck_assert_int_eq(tl_seal_open_share(t.sk[0], &other, 1, sealed_share,
	    back), TL_EDECRYPT);
	other = b;
	other.manifest_hash[31] ^= 1;
	ck_assert_int_eq(tl_seal_open_selections(key, &other, sealed, len, &pt,
	    &ptlen), TL_EDECRYPT);
	ck_assert_int_eq(tl_seal_open_share(t.sk[0], &other, 1, sealed_share,
	    back), TL_EDECRYPT);
	other = b;
	other.ballot_key[0] ^= 1;
	ck_assert_int_eq(tl_seal_open_selections(key, &other, sealed, len, &pt,
	    &ptlen), TL_EDECRYPT);
	ck_assert_int_eq(tl_seal_open_share(t.sk[0], &other, 1, sealed_share,
	    back), TL_EDECRYPT);
	/* Another trustee index, or another trustee's key. */
	ck_assert_int_eq(tl_seal_open_share(t.sk[0], &b, 2, sealed_share,
	    back), TL_EDECRYPT);
	ck_assert_int_eq(tl_seal_open_share(t.sk[1], &b, 1, sealed_share,
	    back), TL_EDECRYPT);
	/* A byte changed anywhere. */
	for (size_t i = 0; i < len; i += 7) {
		sealed[i] ^= 0x20;
		ck_assert_int_eq(tl_seal_open_selections(key, &b, sealed, len,
		    &pt, &ptlen), TL_EDECRYPT);
		sealed[i] ^= 0x20;
	}
	for (size_t i = 0; i < TL_SEAL_SHARE_LEN; i++) {
		sealed_share[i] ^= 0x04;
		ck_assert_int_eq(tl_seal_open_share(t.sk[0], &b, 1,
		    sealed_share, back), TL_EDECRYPT);
		sealed_share[i] ^= 0x04;
	}
	ck_assert_int_eq(tl_seal_open_selections(key, &b, sealed, 27, &pt,
	    &ptlen), TL_EDECRYPT);
	/* And as it was, it opens. */
	ck_assert_int_eq(tl_seal_open_selections(key, &b, sealed, len, &pt,
	    &ptlen), TL_OK);
	free(pt);
	free(sealed);
	trustees_free(&t);
}
END_TEST

/* binding(label) = label 0x00 election 0x00 manifest_hash ballot_key. */
static size_t
spec_binding(const char *label, const struct tl_seal_binding *b,
    uint8_t *out)
{
	size_t n = strlen(label) + 1, e = strlen(b->election) + 1;

	memcpy(out, label, n);
	memcpy(out + n, b->election, e);
	memcpy(out + n + e, b->manifest_hash, 32);
	memcpy(out + n + e + 32, b->ballot_key, 32);
	return n + e + 64;
}

/* The bytes of doc/record-format.md, rebuilt here: the selections open
 * with plain AES-256-GCM and the stated aad, a share with plain HPKE and
 * the stated info. */
START_TEST(seal_exact_bytes)
{
	struct trustees t;
	struct tl_seal_binding b;
	uint8_t key[32], share[32], back[64], sealed_share[TL_SEAL_SHARE_LEN];
	uint8_t aad[256], info[256], *sealed = NULL;
	size_t len = 0, aadlen, infolen;

	trustees_make(&t, 3);
	binding_make(&b, "isoc-2026");
	ck_assert_int_eq(tl_random_bytes(key, 32), TL_OK);
	ck_assert_int_eq(tl_random_bytes(share, 32), TL_OK);
	ck_assert_int_eq(tl_seal_selections(key, &b,
	    (const uint8_t *)selections, strlen(selections), &sealed, &len),
	    TL_OK);
	aadlen = spec_binding("teller/v1/selections", &b, aad);
	ck_assert_int_eq(tl_aes_gcm_open(key, 32, sealed, aad, aadlen,
	    sealed + 12, len - 12, back), TL_OK);
	ck_assert_mem_eq(back, selections, strlen(selections));
	ck_assert_int_eq(tl_seal_share(t.pk[2], &b, 3, share, sealed_share),
	    TL_OK);
	infolen = spec_binding("teller/v1/share", &b, info);
	info[infolen++] = 3;
	ck_assert_int_eq(tl_hpke_open_base(sealed_share, t.sk[2], info,
	    infolen, NULL, 0, sealed_share + 32, 48, back), TL_OK);
	ck_assert_mem_eq(back, share, 32);
	free(sealed);
	trustees_free(&t);
}
END_TEST

/* Made by tests/unit/seal_vectors.py (election "isoc-2026", ballot key
 * the bytes 0..31, threshold 2 of 3, trustee i's key DeriveKeyPair of
 * vec_trustee_ikm_i and its share's ephemeral key of 32 bytes 0x20 + i - 1). */
static const char vec_manifest_hash[] =
    "e59625a822497c164d60705eb3fd6975c375ca213b8140137a826a77790986a9";
static const char vec_content_key[] =
    "6465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80818283";
static const char vec_coefficients[] =
    "c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7";
static const char vec_nonce[] =
    "000102030405060708090a0b";
static const char vec_selections[] =
    "000102030405060708090a0bc4d01a2fd223b58cee67bcf2b4f9e0d3996358e2"
    "5e21fc07aa739b6020ce7bbb9259a7b54b4570e8aef3838573816415a91d002b"
    "77bedccc04eb1ef1655581ad2a57";
static const char vec_trustee_ikm_1[] =
    "1010101010101010101010101010101010101010101010101010101010101010";
static const char vec_share_1[] =
    "acacacaca4a4a4a4bcbcbcbca4a4a4a4acacacaca4a4a4a49c9c9c9c64646464";
static const char vec_sealed_share_1[] =
    "ca98d98d8f47d461dbfa4dd7771fb7d48aed566e61a91d10a37245f282239f10"
    "23dd3f0d1755edc520145ff3b972383285cb6336819f1f6182e945e8e55e7601"
    "a8480f086b26ecb7e649ee93c96967cd";
static const char vec_trustee_ikm_2[] =
    "1111111111111111111111111111111111111111111111111111111111111111";
static const char vec_share_2[] =
    "efece9eaebe8edeed7d4d1d2c3c0c5c6dfdcd9dadbd8dddea7a4a1a253505556";
static const char vec_sealed_share_2[] =
    "0001566477145eb68bc33f7014eecad5b9c78950bab64cbadbd0cf17fdcefe22"
    "147332a7d1ff8b253b842b754241624d6b3e4fd34a9acb333fe66fcf0319c39a"
    "da7bb3d0dfc9d1ddc041266ede948a23";
static const char vec_trustee_ikm_3[] =
    "1212121212121212121212121212121212121212121212121212121212121212";
static const char vec_share_3[] =
    "27252321272523210705030117151311070503010705030147454341b7b5b3b1";
static const char vec_sealed_share_3[] =
    "e3b9708aaa21a7f1e62a95ee28d1e5d60b0fceed6c68599013a54b318e9e0b15"
    "8b0399c66f7d49ce528294b207618c8bdb8dfa91ee8b172c2724ed1a08c33c17"
    "718a283d6514478ca9e0274e8d2b2095";

static const char vec_plaintext[] =
    "[{\"contest\":\"chapters\",\"marks\":[\"okafor\",\"chen\"]}]";

/* Hex to bytes (caller frees); *len gets their number. */
static uint8_t *
unhex(const char *hex, size_t *len)
{
	size_t n = strlen(hex) / 2;
	uint8_t *out = malloc(n + 1);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(tl_hex_decode(hex, out, n), TL_OK);
	if (len != NULL)
		*len = n;
	return out;
}

START_TEST(seal_known_answer)
{
	const char *ikm_hex[3] = {vec_trustee_ikm_1, vec_trustee_ikm_2,
	    vec_trustee_ikm_3};
	const char *share_hex[3] = {vec_share_1, vec_share_2, vec_share_3};
	const char *sealed_hex[3] = {vec_sealed_share_1, vec_sealed_share_2,
	    vec_sealed_share_3};
	uint8_t *k = unhex(vec_content_key, NULL), *r = unhex(vec_coefficients,
	    NULL), *nonce = unhex(vec_nonce, NULL), *m = unhex(vec_manifest_hash,
	    NULL), *sel, *pt = NULL, shares[3][32], out[128];
	uint8_t sealed[3][TL_SEAL_SHARE_LEN], pk[3][32], info[256], key[32];
	struct tl_hpke_key *trustee[3];
	struct tl_seal_binding b;
	size_t sellen, ptlen = 0, infolen;
	const unsigned pairs[3][2] = {{1, 2}, {1, 3}, {2, 3}};

	b.election = "isoc-2026";
	memcpy(b.manifest_hash, m, 32);
	for (int i = 0; i < 32; i++)
		b.ballot_key[i] = (uint8_t)i;
	sel = unhex(vec_selections, &sellen);
	/* The split, with the script's coefficients. */
	ck_assert_int_eq(tl_shamir_split_with(k, 2, 3, r, shares), TL_OK);
	for (int i = 0; i < 3; i++) {
		uint8_t *want = unhex(share_hex[i], NULL), *ikm, sk[32];
		uint8_t *s = unhex(sealed_hex[i], NULL), ikm_e[32], enc[32];
		struct tl_hpke_context ctx;

		ck_assert_mem_eq(shares[i], want, 32);
		ikm = unhex(ikm_hex[i], NULL);
		ck_assert_int_eq(tl_hpke_derive_key_pair(ikm, 32, sk, pk[i]),
		    TL_OK);
		ck_assert_int_eq(tl_hpke_key_from_private(sk, &trustee[i]),
		    TL_OK);
		memcpy(sealed[i], s, TL_SEAL_SHARE_LEN);
		/* Each trustee opens its own share ... */
		ck_assert_int_eq(tl_seal_open_share(trustee[i], &b,
		    (unsigned)i + 1, sealed[i], out), TL_OK);
		ck_assert_mem_eq(out, want, 32);
		/* ... which HPKE with the script's ephemeral key and the
		 * stated info seals to exactly these bytes. */
		infolen = spec_binding("teller/v1/share", &b, info);
		info[infolen++] = (uint8_t)(i + 1);
		memset(ikm_e, 0x20 + i, sizeof(ikm_e));
		ck_assert_int_eq(tl_hpke_setup_base_sender_derand(pk[i], info,
		    infolen, ikm_e, 32, enc, &ctx), TL_OK);
		ck_assert_mem_eq(enc, s, 32);
		ck_assert_int_eq(tl_hpke_context_seal(&ctx, NULL, 0, shares[i],
		    32, out), TL_OK);
		ck_assert_mem_eq(out, s + 32, 48);
		free(want);
		free(ikm);
		free(s);
	}
	/* Any two trustees give K, and K opens the selections. */
	for (int p = 0; p < 3; p++) {
		const struct tl_hpke_key *keys[2] = {
		    trustee[pairs[p][0] - 1], trustee[pairs[p][1] - 1]};
		uint8_t indices[2] = {(uint8_t)pairs[p][0],
		    (uint8_t)pairs[p][1]}, two[2][TL_SEAL_SHARE_LEN];

		memcpy(two[0], sealed[pairs[p][0] - 1], TL_SEAL_SHARE_LEN);
		memcpy(two[1], sealed[pairs[p][1] - 1], TL_SEAL_SHARE_LEN);
		ck_assert_int_eq(tl_seal_recover_key(keys, indices, 2, &b,
		    (const uint8_t (*)[TL_SEAL_SHARE_LEN])two, key, NULL),
		    TL_OK);
		ck_assert_mem_eq(key, k, 32);
	}
	ck_assert_int_eq(tl_seal_open_selections(k, &b, sel, sellen, &pt,
	    &ptlen), TL_OK);
	ck_assert_uint_eq(ptlen, strlen(vec_plaintext));
	ck_assert_mem_eq(pt, vec_plaintext, ptlen);
	/* And AES-256-GCM with the script's nonce gives its bytes. */
	ck_assert_mem_eq(sel, nonce, 12);
	infolen = spec_binding("teller/v1/selections", &b, info);
	ck_assert_int_eq(tl_aes_gcm_seal(k, 32, nonce, info, infolen,
	    vec_plaintext, ptlen, out), TL_OK);
	ck_assert_mem_eq(out, sel + 12, sellen - 12);
	for (int i = 0; i < 3; i++)
		tl_hpke_key_free(trustee[i]);
	free(pt);
	free(sel);
	free(k);
	free(r);
	free(nonce);
	free(m);
}
END_TEST

/*
 * A ballot whose shares do not lie on one polynomial: trustee 3's share
 * is sealed from another key.  Trustees 1 and 2 open it; 1 and 3 (or 2
 * and 3) get another key, which does not open the selections: the
 * verifier's spoiled ballot, and with all keys its disagreeing shares.
 */
START_TEST(seal_inconsistent_shares)
{
	struct trustees t;
	struct tl_seal_binding b;
	uint8_t shares[3][TL_SEAL_SHARE_LEN], forged[32];
	uint8_t *sealed = NULL, *pt = NULL;
	size_t len = 0, ptlen = 0;

	trustees_make(&t, 3);
	binding_make(&b, "e1");
	ck_assert_int_eq(tl_seal_ballot((const uint8_t (*)[32])t.pk, 3, 2, &b,
	    (const uint8_t *)selections, strlen(selections), &sealed, &len,
	    shares), TL_OK);
	ck_assert_int_eq(tl_random_bytes(forged, 32), TL_OK);
	ck_assert_int_eq(tl_seal_share(t.pk[2], &b, 3, forged, shares[2]),
	    TL_OK);
	ck_assert_int_eq(open_with(&t, 3, &b, sealed, len, shares, &pt,
	    &ptlen), TL_OK);
	free(pt);
	ck_assert_int_eq(open_with(&t, 5, &b, sealed, len, shares, &pt,
	    &ptlen), TL_EDECRYPT);
	ck_assert_int_eq(open_with(&t, 6, &b, sealed, len, shares, &pt,
	    &ptlen), TL_EDECRYPT);
	free(sealed);
	trustees_free(&t);
}
END_TEST

START_TEST(seal_bad_arguments)
{
	struct trustees t;
	struct tl_seal_binding b;
	uint8_t shares[3][TL_SEAL_SHARE_LEN], share[32] = {0}, *sealed = NULL;
	size_t len = 0;
	const uint8_t *pt = (const uint8_t *)selections;
	const struct tl_hpke_key *keys[2];
	uint8_t indices[2] = {1, 1}, key[32];
	unsigned failed = 99;

	trustees_make(&t, 3);
	binding_make(&b, "e1");
	ck_assert_int_eq(tl_seal_ballot((const uint8_t (*)[32])t.pk, 3, 4, &b,
	    pt, 3, &sealed, &len, shares), TL_EINPUT);
	ck_assert_int_eq(tl_seal_ballot((const uint8_t (*)[32])t.pk, 3, 0, &b,
	    pt, 3, &sealed, &len, shares), TL_EINPUT);
	ck_assert_int_eq(tl_seal_ballot((const uint8_t (*)[32])t.pk, 16, 2,
	    &b, pt, 3, &sealed, &len, shares), TL_EINPUT);
	b.election = "not an id";
	ck_assert_int_eq(tl_seal_ballot((const uint8_t (*)[32])t.pk, 3, 2, &b,
	    pt, 3, &sealed, &len, shares), TL_EINPUT);
	b.election = "e1";
	ck_assert_int_eq(tl_seal_share(t.pk[0], &b, 0, share, shares[0]),
	    TL_EINPUT);
	ck_assert_int_eq(tl_seal_share(t.pk[0], &b, 16, share, shares[0]),
	    TL_EINPUT);
	/* Two shares of one trustee, and a share that does not open (the
	 * one at fault is named). */
	ck_assert_int_eq(tl_seal_share(t.pk[0], &b, 1, share, shares[0]),
	    TL_OK);
	memset(shares[1], 0x11, TL_SEAL_SHARE_LEN);
	keys[0] = t.sk[0];
	keys[1] = t.sk[1];
	ck_assert_int_eq(tl_seal_recover_key(keys, indices, 2, &b,
	    (const uint8_t (*)[TL_SEAL_SHARE_LEN])shares, key, &failed),
	    TL_EDECRYPT);
	ck_assert_uint_eq(failed, 1);
	indices[1] = 2;
	ck_assert_int_eq(tl_seal_recover_key(keys, indices, 2, &b,
	    (const uint8_t (*)[TL_SEAL_SHARE_LEN])shares, key, &failed),
	    TL_EDECRYPT);
	trustees_free(&t);
}
END_TEST

START_TEST(sealed_member_round_trip)
{
	struct trustees t;
	struct tl_seal_binding b;
	struct tl_sealed s, back;
	struct tl_error err;
	json_t *doc;
	char *text = NULL;
	size_t textlen = 0;
	enum tl_sealed_outcome outcome;
	unsigned who = 0;
	const uint8_t pairs[3][2] = {{1, 2}, {1, 3}, {2, 3}};

	trustees_make(&t, 3);
	binding_make(&b, "e1");
	ck_assert_int_eq(tl_sealed_make(selections, strlen(selections), 200,
	    (const uint8_t (*)[32])t.pk, 3, 2, &b, &s, &err), TL_OK);
	/* Padded: the length says nothing of the choices. */
	ck_assert_uint_eq(s.selections_len, 200 + TL_SEAL_OVERHEAD);
	ck_assert_uint_eq(s.nshares, 3);
	doc = tl_sealed_to_json(&s);
	ck_assert_ptr_nonnull(doc);
	ck_assert_int_eq(tl_sealed_from_json(doc, 3, "ballot.sealed", &back,
	    &err), TL_OK);
	ck_assert_uint_eq(back.selections_len, s.selections_len);
	ck_assert_mem_eq(back.selections, s.selections, s.selections_len);
	ck_assert_mem_eq(back.shares, s.shares, 3 * TL_SEAL_SHARE_LEN);
	for (int p = 0; p < 3; p++) {
		const struct tl_hpke_key *keys[2] = {t.sk[pairs[p][0] - 1],
		    t.sk[pairs[p][1] - 1]};

		ck_assert_int_eq(tl_sealed_open(&back, keys, pairs[p], 2, &b,
		    &text, &textlen, &outcome, &who), TL_OK);
		ck_assert_int_eq(outcome, TL_SEALED_OPEN);
		ck_assert_uint_eq(textlen, strlen(selections));
		ck_assert_str_eq(text, selections);
		free(text);
	}
	/* The shares of 2 and more of the same ballot do not fit another
	 * count of trustees. */
	ck_assert_int_eq(tl_sealed_from_json(doc, 2, "ballot.sealed", &back,
	    &err), TL_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.message, "ballot.sealed.shares"));
	json_decref(doc);
	tl_sealed_free(&back);
	tl_sealed_free(&s);
	/* A zero byte in the text, or a threshold over n: refused. */
	ck_assert_int_eq(tl_sealed_make("[]\0", 3, 0,
	    (const uint8_t (*)[32])t.pk, 3, 2, &b, &s, &err), TL_EINPUT);
	ck_assert_int_eq(tl_sealed_make("[]", 2, 0,
	    (const uint8_t (*)[32])t.pk, 3, 4, &b, &s, &err), TL_EINPUT);
	trustees_free(&t);
}
END_TEST

START_TEST(sealed_member_refused)
{
	static const char *const bad[] = {
	    "[]",
	    "{\"selections\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\","
	    "\"shares\":[],\"x\":1}",
	    "{\"shares\":[]}",
	    "{\"selections\":\"AAAA\",\"shares\":[]}",
	    "{\"selections\":\"not base64!\",\"shares\":[]}",
	    "{\"selections\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\","
	    "\"shares\":[\"AAAA\"]}",
	    "{\"selections\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\","
	    "\"shares\":[1]}",
	    "{\"selections\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\","
	    "\"shares\":\"x\"}",
	};
	static const char *const where[] = {"must be an object", "x",
	    "selections", "shorter than a nonce", "base64", "shares[0]",
	    "shares[0]", "shares"};
	struct tl_sealed s;
	struct tl_error err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *doc = json_loads(bad[i], 0, NULL);

		ck_assert_ptr_nonnull(doc);
		ck_assert_msg(tl_sealed_from_json(doc, 1, "ballot.sealed", &s,
		    &err) == TL_EINPUT, "member %zu accepted", i);
		ck_assert_msg(strstr(err.message, where[i]) != NULL,
		    "member %zu: \"%s\" does not name %s", i, err.message,
		    where[i]);
		json_decref(doc);
	}
}
END_TEST

/* Each way a ballot is spoiled, named; and with all three keys, the
 * trustees whose shares disagree. */
START_TEST(sealed_spoiled_and_disagreeing)
{
	struct trustees t;
	struct tl_seal_binding b;
	struct tl_sealed s;
	struct tl_error err;
	const struct tl_hpke_key *all[3], *first[2];
	const uint8_t one_two[2] = {1, 2}, one_three[2] = {1, 3};
	uint8_t forged[32], saved[TL_SEAL_SHARE_LEN];
	char *text = NULL;
	size_t textlen = 0;
	enum tl_sealed_outcome outcome;
	unsigned who = 0;
	uint32_t disagree = 99;

	trustees_make(&t, 3);
	binding_make(&b, "e1");
	for (int i = 0; i < 3; i++)
		all[i] = t.sk[i];
	first[0] = t.sk[0];
	ck_assert_int_eq(tl_sealed_make(selections, strlen(selections), 0,
	    (const uint8_t (*)[32])t.pk, 3, 2, &b, &s, &err), TL_OK);
	ck_assert_int_eq(tl_sealed_shares_agree(&s, all, 3, 2, &b, &disagree),
	    TL_OK);
	ck_assert_uint_eq(disagree, 0);
	/* Trustee 3's share sealed from another key: 1 and 2 still open the
	 * ballot, 1 and 3 get a key that does not open the selections. */
	memcpy(saved, s.shares[2], TL_SEAL_SHARE_LEN);
	ck_assert_int_eq(tl_random_bytes(forged, 32), TL_OK);
	ck_assert_int_eq(tl_seal_share(t.pk[2], &b, 3, forged, s.shares[2]),
	    TL_OK);
	first[1] = t.sk[1];
	ck_assert_int_eq(tl_sealed_open(&s, first, one_two, 2, &b, &text,
	    &textlen, &outcome, &who), TL_OK);
	free(text);
	first[1] = t.sk[2];
	ck_assert_int_eq(tl_sealed_open(&s, first, one_three, 2, &b, &text,
	    &textlen, &outcome, &who), TL_EDECRYPT);
	ck_assert_int_eq(outcome, TL_SEALED_SELECTIONS);
	ck_assert_int_eq(tl_sealed_shares_agree(&s, all, 3, 2, &b, &disagree),
	    TL_OK);
	ck_assert_uint_eq(disagree, 1u << 2);
	/* Trustee 3's share altered: it does not open, and it is named. */
	s.shares[2][40] ^= 1;
	ck_assert_int_eq(tl_sealed_open(&s, first, one_three, 2, &b, &text,
	    &textlen, &outcome, &who), TL_EDECRYPT);
	ck_assert_int_eq(outcome, TL_SEALED_SHARE);
	ck_assert_uint_eq(who, 3);
	ck_assert_int_eq(tl_sealed_shares_agree(&s, all, 3, 2, &b, &disagree),
	    TL_OK);
	ck_assert_uint_eq(disagree, 1u << 2);
	/* Trustee 1's too: fewer than k open, so all are in doubt. */
	memcpy(s.shares[2], saved, TL_SEAL_SHARE_LEN);
	s.shares[0][0] ^= 1;
	ck_assert_int_eq(tl_sealed_shares_agree(&s, all, 3, 2, &b, &disagree),
	    TL_OK);
	ck_assert_uint_eq(disagree, 1u << 0);
	s.shares[1][0] ^= 1;
	ck_assert_int_eq(tl_sealed_shares_agree(&s, all, 3, 2, &b, &disagree),
	    TL_OK);
	ck_assert_uint_eq(disagree, 7);
	tl_sealed_free(&s);
	/* Padding that is not all zeros: sealed by hand. */
	{
		static const uint8_t plain[] = {'[', ']', 0, 0, 'x', 0};

		memset(&s, 0, sizeof(s));
		s.nshares = 3;
		s.shares = calloc(3, sizeof(*s.shares));
		ck_assert_ptr_nonnull(s.shares);
		ck_assert_int_eq(tl_seal_ballot((const uint8_t (*)[32])t.pk, 3,
		    2, &b, plain, sizeof(plain), &s.selections,
		    &s.selections_len, s.shares), TL_OK);
		first[1] = t.sk[1];
		ck_assert_int_eq(tl_sealed_open(&s, first, one_two, 2, &b,
		    &text, &textlen, &outcome, &who), TL_EDECRYPT);
		ck_assert_int_eq(outcome, TL_SEALED_PADDING);
		tl_sealed_free(&s);
	}
	trustees_free(&t);
}
END_TEST

static Suite *
seal_suite(void)
{
	Suite *s = suite_create("seal");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, seal_k_of_n);
	tcase_add_test(tc, seal_binding);
	tcase_add_test(tc, seal_exact_bytes);
	tcase_add_test(tc, seal_known_answer);
	tcase_add_test(tc, seal_inconsistent_shares);
	tcase_add_test(tc, seal_bad_arguments);
	tcase_add_test(tc, sealed_member_round_trip);
	tcase_add_test(tc, sealed_member_refused);
	tcase_add_test(tc, sealed_spoiled_and_disagreeing);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return th_run(seal_suite());
}
