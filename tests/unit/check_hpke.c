/*
 * check_hpke.c: HPKE (RFC 9180) base mode with DHKEM(X25519, HKDF-SHA256),
 * HKDF-SHA256, AES-128-GCM, against the RFC's Appendix A.1.1 byte for
 * byte (the vectors in $TELLER_TESTDATA/crypto, read there and never
 * copied), and AES-GCM against the test cases of McGrew and Viega's GCM
 * specification.  Without the vectors the HPKE cases say so and the
 * suite is skipped (exit 77).
 */
#include <config.h>

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "teller/aead.h"
#include "teller/crypto.h"
#include "teller/hpke.h"

static json_t *vectors;

/* The vectors' file, or NULL if the test data is not there. */
static json_t *
load_vectors(void)
{
	const char *dir = getenv("TELLER_TESTDATA"), *src;
	char path[4096];
	json_error_t jerr;

	if (dir == NULL || *dir == '\0') {
		if ((src = getenv("TELLER_SRCDIR")) == NULL)
			return NULL;
		snprintf(path, sizeof(path), "%s/../shared/testdata/crypto/"
		    "rfc9180-x25519-sha256-aes128gcm.json", src);
	} else
		snprintf(path, sizeof(path), "%s/crypto/"
		    "rfc9180-x25519-sha256-aes128gcm.json", dir);
	return json_load_file(path, 0, &jerr);
}

/* The bytes of a hex member of obj (*len gets their number; caller
 * frees). */
static uint8_t *
hex_member(const json_t *obj, const char *name, size_t *len)
{
	const char *hex = json_string_value(json_object_get(obj, name));
	uint8_t *out;
	size_t n;

	ck_assert_msg(hex != NULL, "vector has no %s", name);
	n = strlen(hex) / 2;
	out = malloc(n + 1);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(tl_hex_decode(hex, out, n), TL_OK);
	if (len != NULL)
		*len = n;
	return out;
}

/* Asserts that got (len bytes) is the hex member name of obj. */
static void
assert_member(const json_t *obj, const char *name, const uint8_t *got,
    size_t len)
{
	size_t n;
	uint8_t *want = hex_member(obj, name, &n);

	ck_assert_msg(n == len, "%s: %zu bytes, not %zu", name, len, n);
	ck_assert_msg(memcmp(want, got, len) == 0, "%s differs", name);
	free(want);
}

static const json_t *
derived(void)
{
	return json_object_get(vectors, "derived_values");
}

/* Section 7.1.3 and Appendix A.1.1: DeriveKeyPair(ikmE), (ikmR). */
START_TEST(hpke_derive_key_pair)
{
	static const char *const who[] = {"E", "R"};

	for (int i = 0; i < 2; i++) {
		char name[32];
		uint8_t sk[32], pk[32], prk[32], *ikm;
		size_t ikmlen;

		snprintf(name, sizeof(name), "ikm%s", who[i]);
		ikm = hex_member(vectors, name, &ikmlen);
		/* The intermediate dkp_prk, then the key pair. */
		ck_assert_int_eq(tl_hpke_labeled_extract(TL_HPKE_SUITE_KEM,
		    NULL, 0, "dkp_prk", ikm, ikmlen, prk), TL_OK);
		snprintf(name, sizeof(name), "dkp_prk_%s", who[i]);
		assert_member(derived(), name, prk, 32);
		ck_assert_int_eq(tl_hpke_derive_key_pair(ikm, ikmlen, sk, pk),
		    TL_OK);
		snprintf(name, sizeof(name), "sk%sm", who[i]);
		assert_member(vectors, name, sk, 32);
		snprintf(name, sizeof(name), "pk%sm", who[i]);
		assert_member(vectors, name, pk, 32);
		/* SerializePrivateKey's clamped form (7.1.2), which gives the
		 * same public key. */
		tl_hpke_clamp_private_key(sk);
		snprintf(name, sizeof(name), "sk%sm_clamped", who[i]);
		assert_member(derived(), name, sk, 32);
		ck_assert_int_eq(tl_hpke_public_key(sk, prk), TL_OK);
		ck_assert_mem_eq(prk, pk, 32);
		free(ikm);
	}
	/* Less input than a private key's worth is refused. */
	{
		uint8_t sk[32], pk[32], ikm[31] = {0};

		ck_assert_int_eq(tl_hpke_derive_key_pair(ikm, sizeof(ikm), sk,
		    pk), TL_EINPUT);
	}
}
END_TEST

/* Section 4.1: Encap with the vector's ephemeral key, and Decap. */
START_TEST(hpke_encap_decap)
{
	uint8_t *ikm_e, *pk_r, *sk_r, ss[32], enc[32], ss2[32];
	size_t ikmlen;
	struct tl_hpke_key *key = NULL;

	ikm_e = hex_member(vectors, "ikmE", &ikmlen);
	pk_r = hex_member(vectors, "pkRm", NULL);
	sk_r = hex_member(vectors, "skRm", NULL);
	ck_assert_int_eq(tl_hpke_encap_derand(pk_r, ikm_e, ikmlen, ss, enc),
	    TL_OK);
	assert_member(vectors, "enc", enc, 32);
	assert_member(vectors, "shared_secret", ss, 32);
	ck_assert_int_eq(tl_hpke_key_from_private(sk_r, &key), TL_OK);
	{
		uint8_t pk[32];

		tl_hpke_key_public(key, pk);
		ck_assert_mem_eq(pk, pk_r, 32);
	}
	ck_assert_int_eq(tl_hpke_decap(enc, key, ss2), TL_OK);
	ck_assert_mem_eq(ss2, ss, 32);
	/* The intermediate eae_prk = LabeledExtract("", "eae_prk", dh). */
	{
		uint8_t *dh = hex_member(derived(), "dh", NULL), prk[32];

		ck_assert_int_eq(tl_hpke_labeled_extract(TL_HPKE_SUITE_KEM,
		    NULL, 0, "eae_prk", dh, 32, prk), TL_OK);
		assert_member(derived(), "eae_prk", prk, 32);
		free(dh);
	}
	/* A random ephemeral key gives another enc and secret, which the
	 * receiver still finds. */
	ck_assert_int_eq(tl_hpke_encap(pk_r, ss, enc), TL_OK);
	ck_assert_int_eq(tl_hpke_decap(enc, key, ss2), TL_OK);
	ck_assert_mem_eq(ss2, ss, 32);
	tl_hpke_key_free(key);
	free(ikm_e);
	free(pk_r);
	free(sk_r);
}
END_TEST

/* Section 5.1: the key schedule of the vector's shared secret and info. */
START_TEST(hpke_key_schedule)
{
	uint8_t *ss = hex_member(vectors, "shared_secret", NULL), *info;
	uint8_t context[TL_HPKE_KEY_SCHEDULE_CONTEXT_LEN], secret[32];
	struct tl_hpke_context ctx;
	size_t infolen;

	info = hex_member(vectors, "info", &infolen);
	ck_assert_int_eq(tl_hpke_key_schedule(ss, info, infolen, &ctx,
	    context), TL_OK);
	assert_member(vectors, "key_schedule_context", context,
	    sizeof(context));
	assert_member(derived(), "psk_id_hash", context + 1, 32);
	assert_member(derived(), "info_hash", context + 33, 32);
	assert_member(vectors, "key", ctx.key, sizeof(ctx.key));
	assert_member(vectors, "base_nonce", ctx.base_nonce,
	    sizeof(ctx.base_nonce));
	assert_member(vectors, "exporter_secret", ctx.exporter_secret,
	    sizeof(ctx.exporter_secret));
	ck_assert_uint_eq(ctx.seq, 0);
	/* secret = LabeledExtract(shared_secret, "secret", psk = ""). */
	ck_assert_int_eq(tl_hpke_labeled_extract(TL_HPKE_SUITE_HPKE, ss, 32,
	    "secret", NULL, 0, secret), TL_OK);
	assert_member(vectors, "secret", secret, 32);
	tl_hpke_context_wipe(&ctx);
	free(ss);
	free(info);
}
END_TEST

/*
 * Section 5.1.1 and 5.2: SetupBaseS with the vector's ephemeral key, then
 * one Seal after another on that context; each listed sequence number's
 * ct must match (the ones between are sealed too, as the README says).
 * Then the receiver opens each listed ct at its sequence number.
 */
START_TEST(hpke_encryptions)
{
	const json_t *list = json_object_get(vectors, "encryptions"), *e;
	uint8_t *pk_r = hex_member(vectors, "pkRm", NULL);
	uint8_t *sk_r = hex_member(vectors, "skRm", NULL);
	uint8_t *ikm_e, *info, enc[32];
	size_t ikmlen, infolen, index, checked = 0;
	struct tl_hpke_context sender, receiver;
	struct tl_hpke_key *key = NULL;
	uint64_t seq = 0;

	ikm_e = hex_member(vectors, "ikmE", &ikmlen);
	info = hex_member(vectors, "info", &infolen);
	ck_assert_int_eq(tl_hpke_setup_base_sender_derand(pk_r, info, infolen,
	    ikm_e, ikmlen, enc, &sender), TL_OK);
	assert_member(vectors, "enc", enc, 32);
	assert_member(vectors, "key", sender.key, sizeof(sender.key));
	ck_assert_int_eq(tl_hpke_key_from_private(sk_r, &key), TL_OK);
	ck_assert_int_eq(tl_hpke_setup_base_receiver(enc, key, info, infolen,
	    &receiver), TL_OK);
	ck_assert_mem_eq(receiver.key, sender.key, sizeof(sender.key));
	ck_assert_mem_eq(receiver.base_nonce, sender.base_nonce,
	    sizeof(sender.base_nonce));
	ck_assert(json_array_size(list) >= 6);
	json_array_foreach(list, index, e) {
		uint64_t want = (uint64_t)json_integer_value(
		    json_object_get(e, "sequence_number"));
		uint8_t *pt, *aad, *ct, out[256], back[256];
		size_t ptlen, aadlen, ctlen;

		pt = hex_member(e, "pt", &ptlen);
		aad = hex_member(e, "aad", &aadlen);
		ct = hex_member(e, "ct", &ctlen);
		ck_assert_uint_eq(ctlen, ptlen + TL_HPKE_NT);
		/* The Seals before this one, each on the same context. */
		for (; seq < want; seq++)
			ck_assert_int_eq(tl_hpke_context_seal(&sender, aad,
			    aadlen, pt, ptlen, out), TL_OK);
		ck_assert_uint_eq(sender.seq, want);
		ck_assert_int_eq(tl_hpke_context_seal(&sender, aad, aadlen, pt,
		    ptlen, out), TL_OK);
		seq++;
		ck_assert_msg(memcmp(out, ct, ctlen) == 0,
		    "ct of sequence number %llu differs",
		    (unsigned long long)want);
		/* The receiver, at the same sequence number. */
		receiver.seq = want;
		ck_assert_int_eq(tl_hpke_context_open(&receiver, aad, aadlen,
		    ct, ctlen, back), TL_OK);
		ck_assert_mem_eq(back, pt, ptlen);
		ck_assert_uint_eq(receiver.seq, want + 1);
		/* A flipped bit, or another aad, does not open, and leaves
		 * the sequence number where it was. */
		receiver.seq = want;
		ct[0] ^= 1;
		ck_assert_int_eq(tl_hpke_context_open(&receiver, aad, aadlen,
		    ct, ctlen, back), TL_EDECRYPT);
		ct[0] ^= 1;
		ck_assert_int_eq(tl_hpke_context_open(&receiver, aad,
		    aadlen - 1, ct, ctlen, back), TL_EDECRYPT);
		ck_assert_uint_eq(receiver.seq, want);
		/* At another sequence number (another nonce) neither. */
		receiver.seq = want + 1;
		ck_assert_int_eq(tl_hpke_context_open(&receiver, aad, aadlen,
		    ct, ctlen, back), TL_EDECRYPT);
		checked++;
		free(pt);
		free(aad);
		free(ct);
	}
	ck_assert_uint_eq(checked, json_array_size(list));
	tl_hpke_context_wipe(&sender);
	tl_hpke_context_wipe(&receiver);
	tl_hpke_key_free(key);
	free(pk_r);
	free(sk_r);
	free(ikm_e);
	free(info);
}
END_TEST

/* Section 5.3: the exported values. */
START_TEST(hpke_exports)
{
	const json_t *list = json_object_get(vectors, "exports"), *e;
	uint8_t *ss = hex_member(vectors, "shared_secret", NULL), *info;
	struct tl_hpke_context ctx;
	size_t infolen, index;

	info = hex_member(vectors, "info", &infolen);
	ck_assert_int_eq(tl_hpke_key_schedule(ss, info, infolen, &ctx, NULL),
	    TL_OK);
	ck_assert_uint_eq(json_array_size(list), 3);
	json_array_foreach(list, index, e) {
		size_t L = (size_t)json_integer_value(json_object_get(e, "L"));
		size_t clen;
		uint8_t *context = hex_member(e, "exporter_context", &clen);
		uint8_t out[64];

		ck_assert_uint_le(L, sizeof(out));
		ck_assert_int_eq(tl_hpke_context_export(&ctx, context, clen,
		    out, L), TL_OK);
		assert_member(e, "exported_value", out, L);
		free(context);
	}
	tl_hpke_context_wipe(&ctx);
	free(ss);
	free(info);
}
END_TEST

/* Section 6.1 with fresh keys: what one seals, the other opens, and
 * nothing else does. */
START_TEST(hpke_single_shot)
{
	uint8_t sk[32], pk[32], sk2[32], pk2[32], enc[32], ct[64], pt[64];
	const uint8_t msg[] = "a share", info[] = "info", aad[] = "aad";
	struct tl_hpke_key *key = NULL, *other = NULL;

	ck_assert_int_eq(tl_hpke_generate_key_pair(sk, pk), TL_OK);
	ck_assert_int_eq(tl_hpke_generate_key_pair(sk2, pk2), TL_OK);
	ck_assert(memcmp(sk, sk2, 32) != 0);
	/* Serialized private keys are clamped (7.1.2). */
	ck_assert_uint_eq(sk[0] & 7, 0);
	ck_assert_uint_eq(sk[31] & 0xc0, 0x40);
	ck_assert_int_eq(tl_hpke_key_from_private(sk, &key), TL_OK);
	ck_assert_int_eq(tl_hpke_key_from_private(sk2, &other), TL_OK);
	ck_assert_int_eq(tl_hpke_seal_base(pk, info, 4, aad, 3, msg,
	    sizeof(msg), enc, ct), TL_OK);
	ck_assert_int_eq(tl_hpke_open_base(enc, key, info, 4, aad, 3, ct,
	    sizeof(msg) + TL_HPKE_NT, pt), TL_OK);
	ck_assert_mem_eq(pt, msg, sizeof(msg));
	ck_assert_int_eq(tl_hpke_open_base(enc, other, info, 4, aad, 3, ct,
	    sizeof(msg) + TL_HPKE_NT, pt), TL_EDECRYPT);
	ck_assert_int_eq(tl_hpke_open_base(enc, key, info, 3, aad, 3, ct,
	    sizeof(msg) + TL_HPKE_NT, pt), TL_EDECRYPT);
	ck_assert_int_eq(tl_hpke_open_base(enc, key, info, 4, aad, 2, ct,
	    sizeof(msg) + TL_HPKE_NT, pt), TL_EDECRYPT);
	ck_assert_int_eq(tl_hpke_open_base(enc, key, info, 4, aad, 3, ct,
	    TL_HPKE_NT - 1, pt), TL_EDECRYPT);
	enc[5] ^= 0x10;
	ck_assert_int_eq(tl_hpke_open_base(enc, key, info, 4, aad, 3, ct,
	    sizeof(msg) + TL_HPKE_NT, pt), TL_EDECRYPT);
	tl_hpke_key_free(key);
	tl_hpke_key_free(other);
}
END_TEST

/* Section 7.1.4: a public key of small order gives an all-zero DH
 * result, which is refused, as a receiver's key or as an enc. */
START_TEST(hpke_small_order)
{
	/* 0 and 1 are points of small order on Curve25519 (RFC 7748). */
	uint8_t zero[32] = {0}, one[32] = {1}, ss[32], enc[32], sk[32], pk[32];
	struct tl_hpke_key *key = NULL;

	ck_assert_int_eq(tl_hpke_encap(zero, ss, enc), TL_EINPUT);
	ck_assert_int_eq(tl_hpke_encap(one, ss, enc), TL_EINPUT);
	ck_assert_int_eq(tl_hpke_generate_key_pair(sk, pk), TL_OK);
	ck_assert_int_eq(tl_hpke_key_from_private(sk, &key), TL_OK);
	ck_assert_int_eq(tl_hpke_decap(zero, key, ss), TL_EDECRYPT);
	ck_assert_int_eq(tl_hpke_decap(one, key, ss), TL_EDECRYPT);
	tl_hpke_key_free(key);
}
END_TEST

/* A private key in PEM, as the trustee's key file keeps it. */
START_TEST(hpke_pem)
{
	uint8_t sk[32], pk[32], back[32];
	char *pem = NULL, *edpem = NULL;
	struct tl_key *ed = NULL;
	struct tl_error err;

	ck_assert_int_eq(tl_hpke_generate_key_pair(sk, pk), TL_OK);
	ck_assert_int_eq(tl_hpke_private_key_pem(sk, &pem), TL_OK);
	ck_assert_ptr_nonnull(strstr(pem, "-----BEGIN PRIVATE KEY-----"));
	ck_assert_int_eq(tl_hpke_private_key_from_pem(pem, strlen(pem), back),
	    TL_OK);
	ck_assert_mem_eq(back, sk, 32);
	/* An Ed25519 key is not an X25519 one, nor is text that is no
	 * key. */
	ck_assert_int_eq(tl_key_generate(&ed, &err), TL_OK);
	ck_assert_int_eq(tl_key_private_pem(ed, &edpem, &err), TL_OK);
	ck_assert_int_eq(tl_hpke_private_key_from_pem(edpem, strlen(edpem),
	    back), TL_EINPUT);
	ck_assert_int_eq(tl_hpke_private_key_from_pem("junk", 4, back),
	    TL_EINPUT);
	tl_wipe_free(pem);
	tl_wipe_free(edpem);
	tl_key_free(ed);
}
END_TEST

/* AES-GCM: test cases 13 to 16 of McGrew and Viega, "The Galois/Counter
 * Mode of Operation (GCM)" (AES-256), checked independently with Python's
 * cryptography package. */
START_TEST(aes_gcm_known_answers)
{
	uint8_t key[32] = {0}, nonce[12] = {0}, pt[16] = {0}, ct[32], back[16];
	uint8_t want[32];

	/* Test case 13: empty plaintext, only the tag. */
	ck_assert_int_eq(tl_aes_gcm_seal(key, 32, nonce, NULL, 0, NULL, 0, ct),
	    TL_OK);
	ck_assert_int_eq(tl_hex_decode("530f8afbc74536b9a963b4f1c4cb738b", want,
	    16), TL_OK);
	ck_assert_mem_eq(ct, want, 16);
	ck_assert_int_eq(tl_aes_gcm_open(key, 32, nonce, NULL, 0, ct, 16,
	    back), TL_OK);
	/* Test case 14: 16 zero bytes. */
	ck_assert_int_eq(tl_aes_gcm_seal(key, 32, nonce, NULL, 0, pt, 16, ct),
	    TL_OK);
	ck_assert_int_eq(tl_hex_decode("cea7403d4d606b6e074ec5d3baf39d18"
	    "d0d1c8a799996bf0265b98b5d48ab919", want, 32), TL_OK);
	ck_assert_mem_eq(ct, want, 32);
	ck_assert_int_eq(tl_aes_gcm_open(key, 32, nonce, NULL, 0, ct, 32,
	    back), TL_OK);
	ck_assert_mem_eq(back, pt, 16);
	/* The tag or the text altered: refused, and nothing comes out. */
	ct[31] ^= 1;
	memset(back, 0xaa, sizeof(back));
	ck_assert_int_eq(tl_aes_gcm_open(key, 32, nonce, NULL, 0, ct, 32,
	    back), TL_EDECRYPT);
	for (size_t i = 0; i < sizeof(back); i++)
		ck_assert_uint_eq(back[i], 0);
	ct[31] ^= 1;
	ck_assert_int_eq(tl_aes_gcm_open(key, 32, nonce, "x", 1, ct, 32,
	    back), TL_EDECRYPT);
	ck_assert_int_eq(tl_aes_gcm_open(key, 32, nonce, NULL, 0, ct, 15,
	    back), TL_EDECRYPT);
	/* Only AES-128 and AES-256 keys. */
	ck_assert_int_eq(tl_aes_gcm_seal(key, 24, nonce, NULL, 0, pt, 16, ct),
	    TL_EINPUT);
}
END_TEST

static Suite *
hpke_suite(void)
{
	Suite *s = suite_create("hpke");
	TCase *tc = tcase_create("rfc9180");
	TCase *aead = tcase_create("aes-gcm");

	tcase_add_test(tc, hpke_derive_key_pair);
	tcase_add_test(tc, hpke_encap_decap);
	tcase_add_test(tc, hpke_key_schedule);
	tcase_add_test(tc, hpke_encryptions);
	tcase_add_test(tc, hpke_exports);
	tcase_add_test(tc, hpke_single_shot);
	tcase_add_test(tc, hpke_small_order);
	tcase_add_test(tc, hpke_pem);
	suite_add_tcase(s, tc);
	tcase_add_test(aead, aes_gcm_known_answers);
	suite_add_tcase(s, aead);
	return s;
}

int
main(void)
{
	int status;

	if ((vectors = load_vectors()) == NULL) {
		printf("SKIP: RFC 9180's vectors are absent (set "
		    "TELLER_TESTDATA to the shared test data); nothing was "
		    "checked\n");
		return 77;
	}
	status = th_run(hpke_suite());
	json_decref(vectors);
	return status;
}
