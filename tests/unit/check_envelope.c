/*
 * check_envelope.c: DSSE envelopes: PAE bytes, signing, canonical form
 * (written directly, byte for byte as by Jansson, and read back by the
 * fast path to the same envelope as by the general path), bounded parsing
 * and every way an envelope can be malformed or forged.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "helpers.h"
#include "teller/envelope.h"
#include "teller/util.h"

START_TEST(pae_bytes)
{
	static const char want[] =
	    "DSSEv1 29 http://example.com/HelloWorld 11 hello world";
	uint8_t *pae = NULL;
	size_t len = 0;

	/* The example of the DSSE protocol description. */
	ck_assert_int_eq(tl_envelope_pae("http://example.com/HelloWorld",
	    (const uint8_t *)"hello world", 11, &pae, &len), TL_OK);
	ck_assert_uint_eq(len, strlen(want));
	ck_assert_mem_eq(pae, want, len);
	free(pae);
	ck_assert_int_eq(tl_envelope_pae("t", (const uint8_t *)"", 0, &pae,
	    &len), TL_OK);
	ck_assert_uint_eq(len, strlen("DSSEv1 1 t 0 "));
	ck_assert_mem_eq(pae, "DSSEv1 1 t 0 ", len);
	free(pae);
	/* Lengths of one to five digits. */
	for (size_t n = 1; n <= 10000; n *= 10) {
		uint8_t *body = calloc(n, 1);
		char head[32];

		ck_assert_ptr_nonnull(body);
		memset(body, 'b', n);
		ck_assert_int_eq(tl_envelope_pae("application/x", body, n, &pae,
		    &len), TL_OK);
		snprintf(head, sizeof(head), "DSSEv1 13 application/x %zu ", n);
		ck_assert_uint_eq(len, strlen(head) + n);
		ck_assert_mem_eq(pae, head, strlen(head));
		ck_assert_mem_eq(pae + strlen(head), body, n);
		free(pae);
		free(body);
	}
}
END_TEST

START_TEST(sign_serialize_parse_verify)
{
	struct tl_key **keys = th_keys(2);
	struct tl_envelope *env = NULL, *back = NULL;
	struct tl_error err;
	char *text = NULL, keyid[TL_KEYID_LEN + 1];
	size_t len = 0;
	uint8_t *pae = NULL;
	size_t pae_len = 0;

	ck_assert_int_eq(tl_envelope_sign(TL_TYPE_BALLOT, "{\"a\":1}", 7,
	    keys[0], &env, &err), TL_OK);
	ck_assert_int_eq(tl_envelope_serialize(env, &text, &len, &err), TL_OK);
	ck_assert_uint_eq(strlen(text), len);
	/* The canonical form: compact, keys in DSSE's order. */
	ck_assert_ptr_nonnull(strstr(text, "{\"payloadType\":\""
	    TL_TYPE_BALLOT "\",\"payload\":\"eyJhIjoxfQ==\",\"signatures\":"
	    "[{\"keyid\":\""));
	tl_key_id(keys[0], keyid);
	ck_assert_ptr_nonnull(strstr(text, keyid));
	ck_assert_int_eq(tl_envelope_parse(text, len, TL_ENVELOPE_MAX_BALLOT,
	    &back, &err), TL_OK);
	ck_assert_str_eq(back->payload_type, TL_TYPE_BALLOT);
	ck_assert_uint_eq(back->payload_len, 7);
	ck_assert_mem_eq(back->payload, "{\"a\":1}", 7);
	ck_assert_int_eq(tl_envelope_expect_type(back, TL_TYPE_BALLOT, &err),
	    TL_OK);
	ck_assert_int_eq(tl_envelope_expect_type(back, TL_TYPE_ROLL, &err),
	    TL_EINPUT);
	ck_assert_int_eq(tl_envelope_verify(back, keys[0], &err), TL_OK);
	/* The signature is Ed25519 over PAE, checked independently here. */
	ck_assert_int_eq(tl_envelope_pae(back->payload_type, back->payload,
	    back->payload_len, &pae, &pae_len), TL_OK);
	ck_assert_int_eq(tl_key_verify(keys[0], pae, pae_len,
	    back->signatures[0].sig, 64), TL_OK);
	free(pae);
	/* Another key: no signature by it. */
	ck_assert_int_eq(tl_envelope_verify(back, keys[1], &err),
	    TL_ESIGNATURE);
	ck_assert_ptr_nonnull(strstr(err.message, "no signature by key"));
	/* A changed payload: the signature fails. */
	back->payload[5] = '2';
	ck_assert_int_eq(tl_envelope_verify(back, keys[0], &err),
	    TL_ESIGNATURE);
	ck_assert_ptr_nonnull(strstr(err.message, "does not verify"));
	/* A changed type: the signature covers it too. */
	back->payload[5] = '1';
	ck_assert_int_eq(tl_envelope_verify(back, keys[0], &err), TL_OK);
	free(back->payload_type);
	back->payload_type = strdup(TL_TYPE_ROLL);
	ck_assert_int_eq(tl_envelope_verify(back, keys[0], &err),
	    TL_ESIGNATURE);
	tl_envelope_free(back);
	/* Re-spelled with white space, it parses to the same canonical form. */
	{
		char *spaced = NULL, *again = NULL;

		ck_assert_int_ge(asprintf(&spaced, " %s\n", text), 0);
		ck_assert_int_eq(tl_envelope_parse(spaced, strlen(spaced),
		    TL_ENVELOPE_MAX_BALLOT, &back, &err), TL_OK);
		ck_assert_int_eq(tl_envelope_serialize(back, &again, NULL, &err),
		    TL_OK);
		ck_assert_str_eq(again, text);
		free(spaced);
		free(again);
		tl_envelope_free(back);
	}
	free(text);
	tl_envelope_free(env);
	th_keys_free(keys, 2);
}
END_TEST

static void
expect_bad(const char *text, int code, const char *part)
{
	struct tl_envelope *env = NULL;
	struct tl_error err;

	ck_assert_msg(tl_envelope_parse(text, strlen(text), 4096, &env, &err) ==
	    code, "parsing %s: expected %d, got %d (%s)", text, code, err.code,
	    err.message);
	ck_assert_ptr_null(env);
	ck_assert_msg(strstr(err.message, part) != NULL,
	    "message \"%s\" lacks \"%s\"", err.message, part);
}

#define SIG64 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="
#define KEYID "0000000000000000000000000000000000000000000000000000000000000000"
#define KEYID_UPPER "ABCDEF0000000000000000000000000000000000000000000000000000000000"
#define SIG63 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

START_TEST(malformed_envelopes)
{
	expect_bad("not json", TL_EINPUT, "not valid JSON");
	expect_bad("[]", TL_EINPUT, "not a JSON object");
	expect_bad("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[],"
	    "\"extra\":1}", TL_EINPUT, "unknown field \"extra\"");
	expect_bad("{\"payload\":\"\",\"signatures\":[{\"keyid\":\"" KEYID
	    "\",\"sig\":\"" SIG64 "\"}]}", TL_EINPUT, "payloadType");
	expect_bad("{\"payloadType\":\"t\",\"signatures\":[{\"keyid\":\"" KEYID
	    "\",\"sig\":\"" SIG64 "\"}]}", TL_EINPUT, "payload string");
	expect_bad("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[]}",
	    TL_EINPUT, "signatures");
	expect_bad("{\"payloadType\":\"t\",\"payload\":\"Zg\",\"signatures\":"
	    "[{\"keyid\":\"" KEYID "\",\"sig\":\"" SIG64 "\"}]}", TL_EINPUT,
	    "base64");
	expect_bad("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":"
	    "[{\"keyid\":\"ABC\",\"sig\":\"" SIG64 "\"}]}", TL_EINPUT, "keyid");
	expect_bad("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":"
	    "[{\"keyid\":\"" KEYID "\",\"sig\":\"AAAA\"}]}", TL_EINPUT,
	    "3 bytes, not 64");
	expect_bad("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":"
	    "[{\"keyid\":\"" KEYID "\",\"sig\":\"" SIG64 "\",\"x\":1}]}",
	    TL_EINPUT, "unknown field \"x\"");
	expect_bad("{\"payloadType\":\"t\",\"payloadType\":\"u\",\"payload\":"
	    "\"\",\"signatures\":[]}", TL_EINPUT, "not valid JSON");
}
END_TEST

START_TEST(size_limit)
{
	struct tl_envelope *env = NULL;
	struct tl_error err;
	char *big = malloc(5000);

	memset(big, ' ', 4999);
	big[4999] = '\0';
	ck_assert_int_eq(tl_envelope_parse(big, 4999, 4096, &env, &err),
	    TL_ETOOBIG);
	ck_assert_ptr_nonnull(strstr(err.message, "over the limit"));
	free(big);
}
END_TEST

START_TEST(too_many_signatures)
{
	struct tl_buf buf;
	struct tl_envelope *env = NULL;
	struct tl_error err;

	tl_buf_init(&buf, 1 << 20);
	tl_buf_adds(&buf, "{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[");
	for (int i = 0; i <= TL_ENVELOPE_MAX_SIGNATURES; i++)
		tl_buf_addf(&buf, "%s{\"keyid\":\"" KEYID "\",\"sig\":\"" SIG64
		    "\"}", i > 0 ? "," : "");
	tl_buf_adds(&buf, "]}");
	ck_assert_int_eq(tl_envelope_parse(buf.data, buf.len, 1 << 20, &env,
	    &err), TL_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.message, "signatures, more than"));
	tl_buf_free(&buf);
}
END_TEST

/* The canonical form of env as Jansson writes it (compact, DSSE's order). */
static char *
jansson_form(const struct tl_envelope *env)
{
	json_t *root, *sigs = json_array();
	char *b64 = NULL, *text;

	ck_assert_int_eq(tl_base64_encode(env->payload, env->payload_len, &b64),
	    TL_OK);
	for (size_t i = 0; i < env->nsignatures; i++) {
		char *sig = NULL;

		ck_assert_int_eq(tl_base64_encode(env->signatures[i].sig,
		    TL_ED25519_SIG_LEN, &sig), TL_OK);
		json_array_append_new(sigs, json_pack("{s:s, s:s}", "keyid",
		    env->signatures[i].keyid, "sig", sig));
		free(sig);
	}
	root = json_pack("{s:s, s:s, s:o}", "payloadType", env->payload_type,
	    "payload", b64, "signatures", sigs);
	ck_assert_ptr_nonnull(root);
	text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	free(b64);
	return text;
}

static void
same_envelope(const struct tl_envelope *a, const struct tl_envelope *b)
{
	ck_assert_str_eq(a->payload_type, b->payload_type);
	ck_assert_uint_eq(a->payload_len, b->payload_len);
	ck_assert_mem_eq(a->payload, b->payload, a->payload_len + 1);
	ck_assert_uint_eq(a->nsignatures, b->nsignatures);
	for (size_t i = 0; i < a->nsignatures; i++) {
		ck_assert_str_eq(a->signatures[i].keyid, b->signatures[i].keyid);
		ck_assert_mem_eq(a->signatures[i].sig, b->signatures[i].sig,
		    TL_ED25519_SIG_LEN);
	}
}

/*
 * text parses (by the fast path if fast, else only by the general one)
 * to the envelope the general path reads from it (made to run by a blank
 * after the text, which the fast path never takes).
 */
static void
parses_alike(const char *text, int fast)
{
	struct tl_envelope *quick = NULL, *full = NULL, *slow = NULL;
	struct tl_envelope *none = NULL;
	struct tl_error err;
	char *spaced = NULL;
	size_t len = strlen(text);

	ck_assert_int_ge(asprintf(&spaced, "%s ", text), 0);
	ck_assert_int_eq(tl_envelope_parse_canonical(spaced, len + 1, 1 << 20,
	    &quick), TL_EINPUT);
	ck_assert_int_eq(tl_envelope_parse_canonical(text, len, 1 << 20,
	    &quick), fast ? TL_OK : TL_EINPUT);
	ck_assert_msg(tl_envelope_parse(spaced, len + 1, 1 << 20, &slow,
	    &err) == TL_OK, "%s: %s", text, err.message);
	ck_assert_int_eq(tl_envelope_parse(text, len, 1 << 20, &full, &err),
	    TL_OK);
	same_envelope(full, slow);
	if (fast)
		same_envelope(quick, slow);
	/* The fast path takes no more than the size limit. */
	ck_assert_int_eq(tl_envelope_parse_canonical(text, len, len - 1,
	    &none), TL_EINPUT);
	ck_assert_ptr_null(none);
	tl_envelope_free(quick);
	tl_envelope_free(full);
	tl_envelope_free(slow);
	free(spaced);
}

START_TEST(canonical_form_fast)
{
	struct tl_key **keys = th_keys(2);
	struct tl_envelope *env = NULL;
	struct tl_error err;
	char *text = NULL, *want = NULL;
	size_t len = 0;

	/* Two signatures, written directly: what Jansson writes. */
	ck_assert_int_eq(tl_envelope_sign(TL_TYPE_BALLOT, "{\"a\":1}", 7,
	    keys[0], &env, &err), TL_OK);
	env->signatures = realloc(env->signatures, 2 *
	    sizeof(*env->signatures));
	ck_assert_ptr_nonnull(env->signatures);
	env->signatures[1] = env->signatures[0];
	tl_key_id(keys[1], env->signatures[1].keyid);
	env->nsignatures = 2;
	ck_assert_int_eq(tl_envelope_serialize(env, &text, &len, &err), TL_OK);
	want = jansson_form(env);
	ck_assert_str_eq(text, want);
	ck_assert_uint_eq(len, strlen(want));
	parses_alike(text, 1);
	free(text);
	free(want);
	/* An empty payload. */
	env->payload_len = 0;
	env->payload[0] = '\0';
	ck_assert_int_eq(tl_envelope_serialize(env, &text, &len, &err), TL_OK);
	want = jansson_form(env);
	ck_assert_str_eq(text, want);
	parses_alike(text, 1);
	free(text);
	free(want);
	/* A type JSON escapes ('"', '/' is not; a control character, and
	 * UTF-8): written by Jansson, read by the general path alone. */
	free(env->payload_type);
	env->payload_type = strdup("a/\"b\"\t\xc3\xa9");
	ck_assert_int_eq(tl_envelope_serialize(env, &text, &len, &err), TL_OK);
	want = jansson_form(env);
	ck_assert_str_eq(text, want);
	ck_assert_ptr_nonnull(strstr(text, "a/\\\"b\\\"\\t\xc3\xa9"));
	parses_alike(text, 0);
	free(text);
	free(want);
	/* UTF-8 unescaped in the type: the fast path reads it too. */
	parses_alike("{\"payloadType\":\"t\xc3\xa9\",\"payload\":\"\","
	    "\"signatures\":[{\"keyid\":\"" KEYID "\",\"sig\":\"" SIG64
	    "\"}]}", 1);
	/* Other spellings of the same envelope: the general path only. */
	parses_alike("{\"payload\":\"\",\"payloadType\":\"t\",\"signatures\":"
	    "[{\"keyid\":\"" KEYID "\",\"sig\":\"" SIG64 "\"}]}", 0);
	parses_alike("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":"
	    "[{\"sig\":\"" SIG64 "\",\"keyid\":\"" KEYID "\"}]}", 0);
	parses_alike("{\"payloadType\":\"\\u0074\",\"payload\":\"\","
	    "\"signatures\":[{\"keyid\":\"" KEYID "\",\"sig\":\"" SIG64
	    "\"}]}", 0);
	parses_alike("{\"payloadType\":\"t\",\"payload\":\"Zm9v\","
	    "\"signatures\":[{\"keyid\":\"" KEYID "\",\"sig\":\"" SIG64
	    "\"}]} ", 0);
	parses_alike("{\"payloadType\":\"t\",\"payload\":\"Zm9v\","
	    "\"signatures\": [{\"keyid\":\"" KEYID "\",\"sig\":\"" SIG64
	    "\"}]}", 0);
	tl_envelope_free(env);
	th_keys_free(keys, 2);
}
END_TEST

/* What the fast path does not take and the general path refuses. */
START_TEST(canonical_form_refusals)
{
	static const char *const bad[] = {
		/* keyid in capitals */
		"{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":"
		"[{\"keyid\":\"" KEYID_UPPER "\",\"sig\":\"" SIG64 "\"}]}",
		/* a 63-byte signature */
		"{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":"
		"[{\"keyid\":\"" KEYID "\",\"sig\":\"" SIG63 "\"}]}",
		/* base64 that is not canonical */
		"{\"payloadType\":\"t\",\"payload\":\"Zh==\",\"signatures\":"
		"[{\"keyid\":\"" KEYID "\",\"sig\":\"" SIG64 "\"}]}",
		/* an empty type */
		"{\"payloadType\":\"\",\"payload\":\"\",\"signatures\":"
		"[{\"keyid\":\"" KEYID "\",\"sig\":\"" SIG64 "\"}]}",
		/* no signature */
		"{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[]}",
		/* something after it */
		"{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":"
		"[{\"keyid\":\"" KEYID "\",\"sig\":\"" SIG64 "\"}]}x",
		/* cut short */
		"{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":"
		"[{\"keyid\":\"" KEYID "\",\"sig\":\"" SIG64 "\"}]",
		/* a control character in the type */
		"{\"payloadType\":\"t\x01\",\"payload\":\"\",\"signatures\":"
		"[{\"keyid\":\"" KEYID "\",\"sig\":\"" SIG64 "\"}]}",
		/* a type that is not UTF-8 */
		"{\"payloadType\":\"t\xc3\",\"payload\":\"\",\"signatures\":"
		"[{\"keyid\":\"" KEYID "\",\"sig\":\"" SIG64 "\"}]}",
	};
	struct tl_envelope *env = NULL;
	struct tl_error err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(tl_envelope_parse_canonical(bad[i],
		    strlen(bad[i]), 4096, &env), TL_EINPUT);
		ck_assert_msg(tl_envelope_parse(bad[i], strlen(bad[i]), 4096,
		    &env, &err) == TL_EINPUT, "%s was taken", bad[i]);
		ck_assert_ptr_null(env);
	}
}
END_TEST

static Suite *
envelope_suite(void)
{
	Suite *s = suite_create("envelope");
	TCase *tc = tcase_create("envelope");

	tcase_add_test(tc, pae_bytes);
	tcase_add_test(tc, sign_serialize_parse_verify);
	tcase_add_test(tc, malformed_envelopes);
	tcase_add_test(tc, size_limit);
	tcase_add_test(tc, too_many_signatures);
	tcase_add_test(tc, canonical_form_fast);
	tcase_add_test(tc, canonical_form_refusals);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return th_run(envelope_suite());
}
