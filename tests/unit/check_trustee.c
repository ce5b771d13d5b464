/*
 * check_trustee.c: a trustee's key file: made, written with mode 0600,
 * read back with the same keys; refused when others can read it, when it
 * exists already, or when it is not an Ed25519 key followed by an X25519
 * one (a voter's key file, the keys in the other order, junk).  The
 * unseal statement: made and signed by the trustee's identity key with
 * its sealing private key, read back exactly, and every malformed member
 * refused.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "helpers.h"
#include "teller/crypto.h"
#include "teller/envelope.h"
#include "teller/hpke.h"
#include "teller/statement.h"
#include "teller/seal.h"
#include "teller/trustee.h"

START_TEST(trustee_key_round_trip)
{
	char *dir = th_tmpdir();
	const char *path = th_path(dir, "trustee.pem");
	struct tl_trustee_key *key = NULL, *back = NULL, *again = NULL;
	uint8_t a[32], b[32], share[32] = {7}, out[32];
	uint8_t sealed[TL_SEAL_SHARE_LEN];
	char ida[TL_KEYID_LEN + 1], idb[TL_KEYID_LEN + 1];
	struct tl_seal_binding binding = {"e1", {0}, {0}};
	struct tl_error err;
	struct stat st;

	ck_assert_int_eq(tl_trustee_key_generate(&key, &err), TL_OK);
	ck_assert_int_eq(tl_trustee_key_write(key, path, &err), TL_OK);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(tl_trustee_key_load(path, &back, &err), TL_OK);
	tl_key_id(key->identity, ida);
	tl_key_id(back->identity, idb);
	ck_assert_str_eq(ida, idb);
	ck_assert(tl_key_has_private(back->identity));
	tl_trustee_sealing_public(key, a);
	tl_trustee_sealing_public(back, b);
	ck_assert_mem_eq(a, b, 32);
	/* The loaded key opens what was sealed to the made one. */
	ck_assert_int_eq(tl_seal_share(a, &binding, 1, share, sealed), TL_OK);
	ck_assert_int_eq(tl_seal_open_share(back->sealing, &binding, 1, sealed,
	    out), TL_OK);
	ck_assert_mem_eq(out, share, 32);
	/* A new key pair each time, and a file is never overwritten. */
	ck_assert_int_eq(tl_trustee_key_generate(&again, &err), TL_OK);
	tl_trustee_sealing_public(again, b);
	ck_assert(memcmp(a, b, 32) != 0);
	ck_assert_int_eq(tl_trustee_key_write(again, path, &err), TL_EEXISTS);
	/* The public key in base64, as keygen prints it. */
	{
		char b64[TL_PUBLIC_B64_LEN + 1];
		uint8_t *raw = NULL;
		size_t len = 0;

		tl_trustee_sealing_public_base64(key, b64);
		ck_assert_uint_eq(strlen(b64), TL_PUBLIC_B64_LEN);
		ck_assert_int_eq(tl_base64_decode(b64, strlen(b64), &raw, &len),
		    TL_OK);
		ck_assert_uint_eq(len, 32);
		ck_assert_mem_eq(raw, a, 32);
		free(raw);
	}
	tl_trustee_key_free(key);
	tl_trustee_key_free(back);
	tl_trustee_key_free(again);
	th_rm_rf(dir);
	free(dir);
}
END_TEST

START_TEST(trustee_key_refused)
{
	char *dir = th_tmpdir();
	struct tl_trustee_key *key = NULL, *back = NULL;
	struct tl_key *voter = NULL;
	char *pem = NULL, *voter_pem = NULL, *swapped = NULL, *second;
	const char *path;
	struct tl_error err;

	ck_assert_int_eq(tl_trustee_key_generate(&key, &err), TL_OK);
	/* Readable by others. */
	path = th_path(dir, "open.pem");
	ck_assert_int_eq(tl_trustee_key_write(key, path, &err), TL_OK);
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(tl_trustee_key_load(path, &back, &err), TL_EKEYPERM);
	ck_assert_ptr_null(back);
	/* A voter's key file: one Ed25519 key and no sealing key. */
	ck_assert_int_eq(tl_key_generate(&voter, &err), TL_OK);
	ck_assert_int_eq(tl_key_private_pem(voter, &voter_pem, &err), TL_OK);
	ck_assert_int_eq(tl_trustee_key_from_pem(voter_pem, strlen(voter_pem),
	    &back, &err), TL_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.message, "X25519 sealing key"));
	/* The two keys in the other order. */
	ck_assert_int_eq(tl_trustee_key_pem(key, &pem, &err), TL_OK);
	second = strstr(pem + 1, "-----BEGIN");
	ck_assert_ptr_nonnull(second);
	ck_assert_int_ge(asprintf(&swapped, "%s%.*s", second,
	    (int)(second - pem), pem), 0);
	ck_assert_int_eq(tl_trustee_key_from_pem(swapped, strlen(swapped),
	    &back, &err), TL_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.message, "Ed25519 identity key"));
	/* Junk, and the file as written. */
	ck_assert_int_eq(tl_trustee_key_from_pem("junk", 4, &back, &err),
	    TL_EINPUT);
	ck_assert_int_eq(tl_trustee_key_from_pem(pem, strlen(pem), &back,
	    &err), TL_OK);
	tl_trustee_key_free(back);
	tl_wipe_free(pem);
	tl_wipe_free(voter_pem);
	free(swapped);
	tl_key_free(voter);
	tl_trustee_key_free(key);
	th_rm_rf(dir);
	free(dir);
}
END_TEST

#define HASH_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HASH_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

START_TEST(unseal_statement_made_and_read)
{
	struct tl_trustee_key *key = NULL, *other = NULL;
	struct tl_envelope *env = NULL;
	struct tl_unseal u;
	struct tl_error err;
	char *line = NULL, *again = NULL;
	size_t len = 0, len2 = 0;
	uint8_t sk[32], pk[32], other_pk[32];

	ck_assert_int_eq(tl_trustee_key_generate(&key, &err), TL_OK);
	ck_assert_int_eq(tl_trustee_key_generate(&other, &err), TL_OK);
	ck_assert_int_eq(tl_trustee_unseal_statement(key, "e1", HASH_A, "t2",
	    HASH_B, TH_NOW, &line, &len, &err), TL_OK);
	ck_assert_int_eq(tl_envelope_parse(line, len, TL_ENVELOPE_MAX_UNSEAL,
	    &env, &err), TL_OK);
	ck_assert_int_eq(tl_envelope_expect_type(env, TL_TYPE_UNSEAL, &err),
	    TL_OK);
	/* Signed by the identity key, not by another trustee's. */
	ck_assert_int_eq(tl_envelope_verify(env, key->identity, &err), TL_OK);
	ck_assert_int_eq(tl_envelope_verify(env, other->identity, &err),
	    TL_ESIGNATURE);
	ck_assert_int_eq(tl_unseal_parse((const char *)env->payload,
	    env->payload_len, &u, &err), TL_OK);
	ck_assert_str_eq(u.election, "e1");
	ck_assert_str_eq(u.manifest, HASH_A);
	ck_assert_str_eq(u.trustee, "t2");
	ck_assert_str_eq(u.close, HASH_B);
	ck_assert_int_eq(u.time, TH_NOW);
	/* The published key is the sealing key's private half. */
	tl_hpke_key_private(key->sealing, sk);
	ck_assert_mem_eq(u.private_key, sk, 32);
	tl_trustee_sealing_public(key, pk);
	tl_trustee_sealing_public(other, other_pk);
	ck_assert_int_eq(tl_trustee_sealing_matches(u.private_key, pk), TL_OK);
	ck_assert_int_eq(tl_trustee_sealing_matches(u.private_key, other_pk),
	    TL_EVERIFY);
	/* The payload is the one compact form, members in order. */
	ck_assert_int_eq(tl_unseal_serialize(&u, &again, &len2, &err), TL_OK);
	ck_assert_uint_eq(len2, env->payload_len);
	ck_assert_mem_eq(again, env->payload, len2);
	ck_assert_ptr_nonnull(strstr(again, "{\"election\":\"e1\",\"manifest\":"));
	tl_wipe_free(line);
	free(again);
	tl_envelope_free(env);
	tl_trustee_key_free(key);
	tl_trustee_key_free(other);
}
END_TEST

START_TEST(unseal_statement_refused)
{
	/* A valid payload, then one change each. */
	static const char *const bad[] = {
	    /* a member missing, one more */
	    "{\"election\":\"e1\",\"manifest\":\"" HASH_A "\",\"trustee\":\"t1\","
	    "\"close\":\"" HASH_B "\",\"time\":\"2026-11-23T00:00:00Z\"}",
	    "{\"election\":\"e1\",\"manifest\":\"" HASH_A "\",\"trustee\":\"t1\","
	    "\"close\":\"" HASH_B "\",\"time\":\"2026-11-23T00:00:00Z\","
	    "\"private_key\":\"QEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEA=\",\"x\":1}",
	    /* a key of 31 bytes, one not clamped, not base64 */
	    "{\"election\":\"e1\",\"manifest\":\"" HASH_A "\",\"trustee\":\"t1\","
	    "\"close\":\"" HASH_B "\",\"time\":\"2026-11-23T00:00:00Z\","
	    "\"private_key\":\"QEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQA==\"}",
	    "{\"election\":\"e1\",\"manifest\":\"" HASH_A "\",\"trustee\":\"t1\","
	    "\"close\":\"" HASH_B "\",\"time\":\"2026-11-23T00:00:00Z\","
	    "\"private_key\":\"QUBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEA=\"}",
	    "{\"election\":\"e1\",\"manifest\":\"" HASH_A "\",\"trustee\":\"t1\","
	    "\"close\":\"" HASH_B "\",\"time\":\"2026-11-23T00:00:00Z\","
	    "\"private_key\":\"not base64\"}",
	    /* a close that is no hash, a trustee that is no id, a bad time */
	    "{\"election\":\"e1\",\"manifest\":\"" HASH_A "\",\"trustee\":\"t1\","
	    "\"close\":\"abc\",\"time\":\"2026-11-23T00:00:00Z\","
	    "\"private_key\":\"QEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEA=\"}",
	    "{\"election\":\"e1\",\"manifest\":\"" HASH_A "\",\"trustee\":\"t 1\","
	    "\"close\":\"" HASH_B "\",\"time\":\"2026-11-23T00:00:00Z\","
	    "\"private_key\":\"QEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEA=\"}",
	    "{\"election\":\"e1\",\"manifest\":\"" HASH_A "\",\"trustee\":\"t1\","
	    "\"close\":\"" HASH_B "\",\"time\":\"yesterday\","
	    "\"private_key\":\"QEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEA=\"}",
	    "[]",
	};
	static const char good[] =
	    "{\"election\":\"e1\",\"manifest\":\"" HASH_A "\",\"trustee\":\"t1\","
	    "\"close\":\"" HASH_B "\",\"time\":\"2026-11-23T00:00:00Z\","
	    "\"private_key\":\"QEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEA=\"}";
	static const char *const where[] = {"private_key", "x", "private_key",
	    "clamped", "private_key", "close", "trustee", "time", "object"};
	struct tl_unseal u;
	struct tl_error err;

	/* 0x40 in every byte is a clamped key (bit 6 of the last set, the
	 * low three bits of the first clear). */
	ck_assert_int_eq(tl_unseal_parse(good, strlen(good), &u, &err), TL_OK);
	ck_assert_uint_eq(u.private_key[0], 0x40);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(tl_unseal_parse(bad[i], strlen(bad[i]), &u,
		    &err) == TL_EINPUT, "payload %zu accepted", i);
		ck_assert_msg(strstr(err.message, where[i]) != NULL,
		    "payload %zu: \"%s\" does not name %s", i, err.message,
		    where[i]);
	}
}
END_TEST

static Suite *
trustee_suite(void)
{
	Suite *s = suite_create("trustee");
	TCase *tc = tcase_create("keys");

	tcase_add_test(tc, trustee_key_round_trip);
	tcase_add_test(tc, trustee_key_refused);
	tcase_add_test(tc, unseal_statement_made_and_read);
	tcase_add_test(tc, unseal_statement_refused);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return th_run(trustee_suite());
}
