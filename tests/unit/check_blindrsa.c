/*
 * check_blindrsa.c: RSA blind signatures (RFC 9474,
 * RSABSSA-SHA384-PSS-Randomized).  The RFC's first test vector (A.1),
 * read from the shared corpus through $TELLER_TESTDATA (never copied
 * into the project), reproduced byte for byte at every step, blinding
 * with the vector's inv and encoding with its salt; then round trips with
 * fresh 3072-bit keys, and what must be refused.
 *
 * Without the corpus the vector's test cannot run: the other tests still
 * run, and the program then says so and exits 77 (skipped) instead of
 * passing.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "helpers.h"
#include "teller/blindrsa.h"
#include "teller/crypto.h"

#define VECTOR "crypto/rfc9474-rsabssa-sha384-pss-randomized.json"

static char vector_path[4096];

/* The corpus's folder: $TELLER_TESTDATA, else ../shared/testdata beside
 * the source tree (as tests/e2e/conformance.sh finds it). */
static int
find_vector(void)
{
	const char *data = getenv("TELLER_TESTDATA");
	const char *src = getenv("TELLER_SRCDIR");
	FILE *f;

	if (data != NULL && *data != '\0')
		snprintf(vector_path, sizeof(vector_path), "%s/%s", data, VECTOR);
	else if (src != NULL && *src != '\0')
		snprintf(vector_path, sizeof(vector_path),
		    "%s/../shared/testdata/%s", src, VECTOR);
	else
		return 0;
	if ((f = fopen(vector_path, "r")) == NULL)
		return 0;
	fclose(f);
	return 1;
}

/* A hex member of the vector (or of its derived_values), decoded. */
static uint8_t *
hex_member(json_t *obj, const char *name, size_t *len)
{
	const char *hex = json_string_value(json_object_get(obj, name));
	uint8_t *out;

	ck_assert_msg(hex != NULL, "the vector has no %s", name);
	*len = strlen(hex) / 2;
	out = malloc(*len + 1);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(tl_hex_decode(hex, out, *len), TL_OK);
	return out;
}

/* The DER inside a PEM text: its base64 lines joined and decoded. */
static uint8_t *
pem_der(const char *pem, size_t *len)
{
	const char *p = strstr(pem, "-----\n"), *end = strstr(pem, "\n-----END");
	char *b64 = calloc(1, strlen(pem) + 1);
	uint8_t *der = NULL;
	size_t n = 0;

	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(end);
	ck_assert_ptr_nonnull(b64);
	for (p += 6; p < end; p++)
		if (*p != '\n')
			b64[n++] = *p;
	ck_assert_int_eq(tl_base64_decode(b64, n, &der, len), TL_OK);
	free(b64);
	return der;
}

START_TEST(rfc9474_first_vector)
{
	json_error_t jerr;
	json_t *v = json_load_file(vector_path, 0, &jerr), *d;
	struct tl_blindrsa_key *sk = NULL, *pk = NULL;
	struct tl_error err;
	uint8_t *msg, *prefix, *prepared_want, *salt, *encoded, *inv, *blinded;
	uint8_t *blind_sig, *sig, *spki, *prepared, *der = NULL;
	uint8_t em[512], out[512], inv_out[512];
	size_t msg_len, prefix_len, prepared_len, salt_len, encoded_len, inv_len;
	size_t blinded_len, blind_sig_len, sig_len, spki_len, der_len, k;
	const char *pem;

	ck_assert_msg(v != NULL, "%s: %s", vector_path, jerr.text);
	ck_assert_str_eq(json_string_value(json_object_get(v, "name")),
	    "RSABSSA-SHA384-PSS-Randomized");
	d = json_object_get(v, "derived_values");
	msg = hex_member(v, "msg", &msg_len);
	prefix = hex_member(v, "msg_prefix", &prefix_len);
	prepared_want = hex_member(v, "prepared_msg", &prepared_len);
	salt = hex_member(v, "salt", &salt_len);
	encoded = hex_member(v, "encoded_msg", &encoded_len);
	inv = hex_member(v, "inv", &inv_len);
	blinded = hex_member(v, "blinded_msg", &blinded_len);
	blind_sig = hex_member(v, "blind_sig", &blind_sig_len);
	sig = hex_member(v, "sig", &sig_len);
	ck_assert_uint_eq(prefix_len, TL_BLINDRSA_PREFIX_LEN);
	ck_assert_uint_eq(salt_len, TL_BLINDRSA_SALT_LEN);

	/* The key, private from its PKCS#8 PEM and public from its SPKI:
	 * the same key, whose DER encodes back to the same bytes. */
	pem = json_string_value(json_object_get(d, "private_key_pkcs8_pem"));
	ck_assert_ptr_nonnull(pem);
	ck_assert_int_eq(tl_blindrsa_key_from_private_pem(pem, strlen(pem), &sk,
	    &err), TL_OK);
	ck_assert_uint_eq(tl_blindrsa_key_bits(sk), 4096);
	ck_assert(tl_blindrsa_key_e_is_f4(sk));
	k = tl_blindrsa_key_len(sk);
	ck_assert_uint_eq(k, 512);
	spki = pem_der(json_string_value(json_object_get(d,
	    "public_key_spki_pem")), &spki_len);
	ck_assert_int_eq(tl_blindrsa_key_from_public_der(spki, spki_len, &pk,
	    &err), TL_OK);
	ck_assert(!tl_blindrsa_key_has_private(pk));
	ck_assert_int_eq(tl_blindrsa_key_public_der(sk, &der, &der_len, &err),
	    TL_OK);
	ck_assert_uint_eq(der_len, spki_len);
	ck_assert_mem_eq(der, spki, spki_len);

	/* 4.1, Prepare: msg_prefix || msg is prepared_msg. */
	prepared = malloc(prefix_len + msg_len);
	ck_assert_ptr_nonnull(prepared);
	memcpy(prepared, prefix, prefix_len);
	memcpy(prepared + prefix_len, msg, msg_len);
	ck_assert_uint_eq(prefix_len + msg_len, prepared_len);
	ck_assert_mem_eq(prepared, prepared_want, prepared_len);

	/* RFC 8017 9.1.1 with the vector's salt: encoded_msg, with
	 * emBits = modBits - 1 = 4095. */
	ck_assert_uint_eq(encoded_len, 512);
	ck_assert_int_eq(tl_blindrsa_emsa_pss_encode(prepared, prepared_len,
	    4095, salt, em, 512), TL_OK);
	ck_assert_mem_eq(em, encoded, encoded_len);

	/* 4.2, Blind with the vector's inv: blinded_msg (and inv back). */
	ck_assert_int_eq(tl_blindrsa_blind_with(pk, prepared, prepared_len, salt,
	    inv, out, inv_out, &err), TL_OK);
	ck_assert_uint_eq(blinded_len, k);
	ck_assert_mem_eq(out, blinded, k);
	ck_assert_mem_eq(inv_out, inv, k);

	/* 4.3, BlindSign: blind_sig (its own check s^e = m passed). */
	ck_assert_int_eq(tl_blindrsa_blind_sign(sk, blinded, blinded_len, out,
	    &err), TL_OK);
	ck_assert_uint_eq(blind_sig_len, k);
	ck_assert_mem_eq(out, blind_sig, k);
	ck_assert_int_eq(tl_blindrsa_check_blind_signature(pk, blinded, k,
	    blind_sig, k), TL_OK);

	/* 4.4, Finalize: sig. */
	ck_assert_int_eq(tl_blindrsa_finalize(pk, prepared, prepared_len,
	    blind_sig, k, inv, inv_len, out, &err), TL_OK);
	ck_assert_uint_eq(sig_len, k);
	ck_assert_mem_eq(out, sig, k);

	/* 4.5: sig is an RSASSA-PSS signature of prepared_msg, not of msg
	 * alone. */
	ck_assert_int_eq(tl_blindrsa_verify(pk, prepared, prepared_len, sig,
	    sig_len), TL_OK);
	ck_assert_int_eq(tl_blindrsa_verify(pk, msg, msg_len, sig, sig_len),
	    TL_ESIGNATURE);

	free(msg);
	free(prefix);
	free(prepared_want);
	free(salt);
	free(encoded);
	free(inv);
	free(blinded);
	free(blind_sig);
	free(sig);
	free(spki);
	free(der);
	free(prepared);
	tl_blindrsa_key_free(sk);
	tl_blindrsa_key_free(pk);
	json_decref(v);
}
END_TEST

/* A fresh signer's key and its public half, made once for the tests
 * below (a 3072-bit key takes a while to make). */
static struct tl_blindrsa_key *signer, *signer_public, *other;

static void
make_keys(void)
{
	struct tl_error err;
	uint8_t *der = NULL;
	size_t len = 0;

	if (signer != NULL)
		return;
	ck_assert_int_eq(tl_blindrsa_keygen(TL_BLINDRSA_BITS, &signer, &err),
	    TL_OK);
	ck_assert_int_eq(tl_blindrsa_keygen(TL_BLINDRSA_BITS, &other, &err),
	    TL_OK);
	ck_assert_int_eq(tl_blindrsa_key_public_der(signer, &der, &len, &err),
	    TL_OK);
	ck_assert_int_eq(tl_blindrsa_key_from_public_der(der, len,
	    &signer_public, &err), TL_OK);
	free(der);
}

START_TEST(fresh_key_round_trip)
{
	static const uint8_t msg[] = "a credential message";
	struct tl_blindrsa_key *again = NULL;
	struct tl_error err;
	uint8_t prefix[32], prefix2[32], blinded[384], blinded2[384];
	uint8_t inv[384], inv2[384], blind_sig[384], sig[384], sig2[384];
	uint8_t *prepared = NULL, *prepared2 = NULL;
	size_t len = 0, len2 = 0;
	char *pem = NULL;

	make_keys();
	ck_assert_uint_eq(tl_blindrsa_key_bits(signer), 3072);
	ck_assert_uint_eq(tl_blindrsa_key_len(signer), 384);
	ck_assert(tl_blindrsa_key_e_is_f4(signer));
	ck_assert(tl_blindrsa_key_has_private(signer));

	/* The private key through PEM signs the same. */
	ck_assert_int_eq(tl_blindrsa_key_private_pem(signer, &pem, &err), TL_OK);
	ck_assert_int_eq(tl_blindrsa_key_from_private_pem(pem, strlen(pem),
	    &again, &err), TL_OK);
	tl_wipe_free(pem);

	ck_assert_int_eq(tl_blindrsa_prepare(msg, sizeof(msg) - 1, prefix,
	    &prepared, &len), TL_OK);
	ck_assert_uint_eq(len, 32 + sizeof(msg) - 1);
	ck_assert_mem_eq(prepared, prefix, 32);
	ck_assert_mem_eq(prepared + 32, msg, sizeof(msg) - 1);
	ck_assert_int_eq(tl_blindrsa_blind(signer_public, prepared, len,
	    blinded, inv, &err), TL_OK);
	ck_assert_int_eq(tl_blindrsa_blind_sign(again, blinded, 384, blind_sig,
	    &err), TL_OK);
	ck_assert_int_eq(tl_blindrsa_check_blind_signature(signer_public,
	    blinded, 384, blind_sig, 384), TL_OK);
	ck_assert_int_eq(tl_blindrsa_finalize(signer_public, prepared, len,
	    blind_sig, 384, inv, 384, sig, &err), TL_OK);
	ck_assert_int_eq(tl_blindrsa_verify(signer_public, prepared, len, sig,
	    384), TL_OK);
	/* The signer saw neither the message nor the signature: the blind
	 * signature is not the signature, nor the blinded message the
	 * encoded one. */
	ck_assert(memcmp(blind_sig, sig, 384) != 0);

	/* The same message prepared and blinded again: another prefix,
	 * another blinding, another signature, and it verifies too. */
	ck_assert_int_eq(tl_blindrsa_prepare(msg, sizeof(msg) - 1, prefix2,
	    &prepared2, &len2), TL_OK);
	ck_assert(memcmp(prefix, prefix2, 32) != 0);
	ck_assert_int_eq(tl_blindrsa_blind(signer_public, prepared2, len2,
	    blinded2, inv2, &err), TL_OK);
	ck_assert(memcmp(blinded, blinded2, 384) != 0);
	ck_assert(memcmp(inv, inv2, 384) != 0);
	ck_assert_int_eq(tl_blindrsa_blind_sign(signer, blinded2, 384,
	    blind_sig, &err), TL_OK);
	ck_assert_int_eq(tl_blindrsa_finalize(signer_public, prepared2, len2,
	    blind_sig, 384, inv2, 384, sig2, &err), TL_OK);
	ck_assert(memcmp(sig, sig2, 384) != 0);
	ck_assert_int_eq(tl_blindrsa_verify(signer_public, prepared2, len2, sig2,
	    384), TL_OK);
	/* Each signature is of its own prepared message only. */
	ck_assert_int_eq(tl_blindrsa_verify(signer_public, prepared, len, sig2,
	    384), TL_ESIGNATURE);
	free(prepared);
	free(prepared2);
	tl_blindrsa_key_free(again);
}
END_TEST

START_TEST(refusals)
{
	/* A 1024-bit RSA public key (made with 'openssl genrsa 1024'). */
	static const char rsa1024[] =
	    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDl+P5kJMiZhWM7zESrcc8LEUN6Sm"
	    "TjMxyQjFr8ZfWhdd1F/z3y6Qai74rRLbQPSe8ZN+o9/HvoeUfzZNOvSwwb5KlXU6+X"
	    "z0HEwMnKHRiPXVUTqOMHDS9PTo8KxjiKNkVE6X3olF8CBx29whtGXa5994aivt5Mua"
	    "Gup+vmezSSDQIDAQAB";
	/* An Ed25519 SubjectPublicKeyInfo (RFC 8410 section 10.1). */
	static const char ed25519[] =
	    "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=";
	static const uint8_t msg[] = "m";
	struct tl_blindrsa_key *key = NULL;
	struct tl_error err;
	uint8_t prefix[32], blinded[384], inv[384], blind_sig[384], sig[384];
	uint8_t bad[400], salt[48] = {0}, *prepared = NULL, *der = NULL;
	uint8_t *b = NULL;
	size_t len = 0, der_len = 0, blen = 0;

	make_keys();
	ck_assert_int_eq(tl_blindrsa_prepare(msg, 1, prefix, &prepared, &len),
	    TL_OK);
	/*
	 * Blinded under signer's key, and (blinding again until it is, about
	 * half the time or more) below other's modulus too, so that other can
	 * sign it below: which modulus is the larger varies from run to run.
	 */
	do
		ck_assert_int_eq(tl_blindrsa_blind(signer_public, prepared, len,
		    blinded, inv, &err), TL_OK);
	while (!tl_blindrsa_in_range(other, blinded, 384));

	/* The range a signer takes: k bytes below n. */
	ck_assert(tl_blindrsa_in_range(signer_public, blinded, 384));
	ck_assert(!tl_blindrsa_in_range(signer_public, blinded, 383));
	memset(bad, 0xff, sizeof(bad));
	ck_assert(!tl_blindrsa_in_range(signer_public, bad, 384));

	/* BlindSign: only with a private key, only k bytes below n. */
	ck_assert_int_eq(tl_blindrsa_blind_sign(signer_public, blinded, 384,
	    blind_sig, &err), TL_EINPUT);
	memset(bad, 0xff, sizeof(bad));
	ck_assert_int_eq(tl_blindrsa_blind_sign(signer, bad, 384, blind_sig,
	    &err), TL_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.message, "out of range"));
	ck_assert_int_eq(tl_blindrsa_blind_sign(signer, blinded, 383, blind_sig,
	    &err), TL_EINPUT);

	/* Finalize refuses a signature made with another key: the check
	 * that keeps a signer from marking a voter with a key of its own. */
	ck_assert_int_eq(tl_blindrsa_blind_sign(other, blinded, 384, blind_sig,
	    &err), TL_OK);
	ck_assert_int_eq(tl_blindrsa_finalize(signer_public, prepared, len,
	    blind_sig, 384, inv, 384, sig, &err), TL_ESIGNATURE);
	ck_assert_int_eq(tl_blindrsa_check_blind_signature(signer_public,
	    blinded, 384, blind_sig, 384), TL_ESIGNATURE);
	/* ... and a wrong inv, and sizes other than k. */
	ck_assert_int_eq(tl_blindrsa_blind_sign(signer, blinded, 384, blind_sig,
	    &err), TL_OK);
	inv[383] ^= 1;
	ck_assert_int_eq(tl_blindrsa_finalize(signer_public, prepared, len,
	    blind_sig, 384, inv, 384, sig, &err), TL_ESIGNATURE);
	inv[383] ^= 1;
	ck_assert_int_eq(tl_blindrsa_finalize(signer_public, prepared, len,
	    blind_sig, 383, inv, 384, sig, &err), TL_EINPUT);
	ck_assert_int_eq(tl_blindrsa_finalize(signer_public, prepared, len,
	    blind_sig, 384, inv, 384, sig, &err), TL_OK);

	/* Verification: a flipped bit, another message, a short or long
	 * signature, another key. */
	ck_assert_int_eq(tl_blindrsa_verify(signer_public, prepared, len, sig,
	    384), TL_OK);
	ck_assert_int_eq(tl_blindrsa_verify(other, prepared, len, sig, 384),
	    TL_ESIGNATURE);
	ck_assert_int_eq(tl_blindrsa_verify(signer_public, prepared, len - 1,
	    sig, 384), TL_ESIGNATURE);
	ck_assert_int_eq(tl_blindrsa_verify(signer_public, prepared, len, sig,
	    383), TL_ESIGNATURE);
	sig[100] ^= 0x10;
	ck_assert_int_eq(tl_blindrsa_verify(signer_public, prepared, len, sig,
	    384), TL_ESIGNATURE);
	blind_sig[5] ^= 1;
	ck_assert_int_eq(tl_blindrsa_check_blind_signature(signer_public,
	    blinded, 384, blind_sig, 384), TL_ESIGNATURE);
	ck_assert_int_eq(tl_blindrsa_check_blind_signature(signer_public,
	    blinded, 384, bad, 384), TL_ESIGNATURE);

	/* Blinding with an inv that has no inverse. */
	memset(bad, 0, sizeof(bad));
	ck_assert_int_eq(tl_blindrsa_blind_with(signer_public, prepared, len,
	    salt, bad, blinded, inv, &err), TL_EINPUT);

	/* Keys: the DER must be an RSA key of 2048 to 4096 bits in its one
	 * encoding; key generation takes only those sizes. */
	ck_assert_int_eq(tl_blindrsa_key_public_der(signer, &der, &der_len,
	    &err), TL_OK);
	der = realloc(der, der_len + 1);
	der[der_len] = 0;
	ck_assert_int_eq(tl_blindrsa_key_from_public_der(der, der_len + 1, &key,
	    &err), TL_EINPUT);
	ck_assert_int_eq(tl_blindrsa_key_from_public_der(der, der_len - 1, &key,
	    &err), TL_EINPUT);
	ck_assert_int_eq(tl_base64_decode(rsa1024, strlen(rsa1024), &b, &blen),
	    TL_OK);
	ck_assert_int_eq(tl_blindrsa_key_from_public_der(b, blen, &key, &err),
	    TL_EINPUT);
	free(b);
	ck_assert_int_eq(tl_base64_decode(ed25519, strlen(ed25519), &b, &blen),
	    TL_OK);
	ck_assert_int_eq(tl_blindrsa_key_from_public_der(b, blen, &key, &err),
	    TL_EINPUT);
	ck_assert_ptr_null(key);
	ck_assert_int_eq(tl_blindrsa_keygen(1024, &key, &err), TL_EINPUT);
	ck_assert_int_eq(tl_blindrsa_keygen(3071, &key, &err), TL_EINPUT);
	ck_assert_int_eq(tl_blindrsa_key_private_pem(signer_public, (char **)&b,
	    &err), TL_EINPUT);
	free(b);
	free(der);
	free(prepared);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("blindrsa");
	TCase *tc = tcase_create("blindrsa");
	int have_vector = find_vector(), status;

	tcase_set_timeout(tc, 300);
	if (have_vector)
		tcase_add_test(tc, rfc9474_first_vector);
	tcase_add_test(tc, fresh_key_round_trip);
	tcase_add_test(tc, refusals);
	suite_add_tcase(s, tc);
	status = th_run(s);
	if (status == EXIT_SUCCESS && !have_vector) {
		printf("SKIP: the RFC 9474 test vector is absent (set "
		    "TELLER_TESTDATA to the shared testdata folder); the other "
		    "tests passed\n");
		return 77;
	}
	return status;
}
