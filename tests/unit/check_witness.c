/*
 * check_witness.c: witnesses' cosignatures (cosignature.h) and witnessed
 * tree heads (witness.h).
 *
 * The format is C2SP tlog-cosignature's cosignature/v1.  Its example
 * cosignature is checked for everything it can be checked for: the
 * specification publishes no key for it, so its signature cannot be
 * verified, but its framing (key ID, big-endian timestamp, 64-byte
 * signature) and the signed message its text spells out can.  The known
 * answers with keys are from tests/unit/cosignature_vectors.py, written
 * from the specification with Python's hashlib and `cryptography`, not
 * from teller's code: RFC 8032's TEST 1 key cosigning the specification's
 * checkpoint, and the worked example of doc/witness.md.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "store_internal.h"
#include "teller/cosignature.h"
#include "teller/election.h"
#include "teller/envelope.h"
#include "teller/log.h"
#include "teller/manifest.h"
#include "teller/merkle.h"
#include "teller/util.h"
#include "teller/witness.h"

/* c2sp.org/tlog-cosignature, the example at its top and its "Ed25519
 * signed message" section. */
#define SPEC_ORIGIN "example.com/behind-the-sofa"
#define SPEC_SIZE 20852163
#define SPEC_ROOT "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
#define SPEC_WITNESS "witness.example.com/w1"
#define SPEC_COSIGNATURE "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWX" \
	"EhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA=="
#define SPEC_TIME 1679315147
#define SPEC_MESSAGE "cosignature/v1\ntime 1679315147\n" \
	"example.com/behind-the-sofa\n20852163\n" \
	"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"

/* RFC 8032 section 7.1, TEST 1 and TEST 2. */
#define RFC8032_TEST1 \
	"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
#define RFC8032_TEST2 \
	"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"

/* An Ed25519 private key from its 32-byte seed (PKCS #8 in PEM). */
static struct tl_key *
seed_key(const char *hex)
{
	static const uint8_t prefix[16] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30,
	    0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
	uint8_t der[48];
	char *b64 = NULL, pem[200];
	struct tl_key *key = NULL;
	struct tl_error err;

	memcpy(der, prefix, sizeof(prefix));
	ck_assert_int_eq(tl_hex_decode(hex, der + 16, 32), TL_OK);
	ck_assert_int_eq(tl_base64_encode(der, sizeof(der), &b64), TL_OK);
	snprintf(pem, sizeof(pem), "-----BEGIN PRIVATE KEY-----\n%s\n"
	    "-----END PRIVATE KEY-----\n", b64);
	free(b64);
	ck_assert_int_eq(tl_key_from_private_pem(pem, strlen(pem), &key, &err),
	    TL_OK);
	return key;
}

static void
b64_root(const char *b64, uint8_t root[TL_SHA256_LEN])
{
	uint8_t *raw = NULL;
	size_t len = 0;

	ck_assert_int_eq(tl_base64_decode(b64, strlen(b64), &raw, &len), TL_OK);
	ck_assert_uint_eq(len, TL_SHA256_LEN);
	memcpy(root, raw, TL_SHA256_LEN);
	free(raw);
}

/* A witness list of one, named name, with key's public half. */
static void
one_witness(const char *name, const struct tl_key *key,
    struct tl_witness_list *list)
{
	char b64[TL_PUBLIC_B64_LEN + 1], text[512];
	struct tl_error err;
	json_t *doc;

	tl_key_public_base64(key, b64);
	snprintf(text, sizeof(text), "[{\"name\": \"%s\", \"public_key\": "
	    "\"%s\"}]", name, b64);
	doc = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	ck_assert_int_eq(tl_witness_list_parse(doc, NULL, list, &err), TL_OK);
	json_decref(doc);
}

START_TEST(test_spec_example)
{
	struct tl_cosignature c;
	struct tl_error err;
	uint8_t root[TL_SHA256_LEN];
	char b64[TL_COSIGNATURE_B64_LEN + 1], *body = NULL, *msg = NULL;
	size_t body_len = 0, msg_len = 0;

	/* The note signature's base64: key ID, timestamp, signature. */
	ck_assert_int_eq(tl_cosignature_decode(SPEC_WITNESS, SPEC_COSIGNATURE,
	    &c, &err), TL_OK);
	ck_assert_str_eq(c.witness, SPEC_WITNESS);
	ck_assert_uint_eq(c.key_id[0], 0x8d);
	ck_assert_uint_eq(c.key_id[1], 0x66);
	ck_assert_uint_eq(c.key_id[2], 0xcf);
	ck_assert_uint_eq(c.key_id[3], 0x3f);
	/* The timestamp the specification's message example shows. */
	ck_assert_uint_eq(c.timestamp, SPEC_TIME);
	ck_assert_int_eq(tl_cosignature_encode(&c, b64), TL_OK);
	ck_assert_str_eq(b64, SPEC_COSIGNATURE);
	/* The checkpoint and the signed message, byte for byte. */
	b64_root(SPEC_ROOT, root);
	ck_assert_int_eq(tl_checkpoint_body(SPEC_ORIGIN, SPEC_SIZE, root, &body,
	    &body_len), TL_OK);
	ck_assert_int_eq(tl_cosignature_message(body, body_len, c.timestamp,
	    &msg, &msg_len), TL_OK);
	ck_assert_uint_eq(msg_len, strlen(SPEC_MESSAGE));
	ck_assert_str_eq(msg, SPEC_MESSAGE);
	free(body);
	free(msg);
	/* 75 or 77 bytes, or base64 that is not canonical, are refused. */
	ck_assert_int_eq(tl_cosignature_decode(SPEC_WITNESS,
	    "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJs"
	    "X3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+q", &c, &err), TL_EINPUT);
	ck_assert_int_eq(tl_cosignature_decode(SPEC_WITNESS,
	    "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJs"
	    "X3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnB==", &c, &err), TL_EINPUT);
	/* A timestamp of 2^63 or more is refused. */
	ck_assert_int_eq(tl_cosignature_decode(SPEC_WITNESS,
	    "jWbPP4AAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJs"
	    "X3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==", &c, &err), TL_EINPUT);
	/* Names: no space, no '+', not empty. */
	ck_assert(tl_cosigner_name_valid(SPEC_WITNESS));
	ck_assert(!tl_cosigner_name_valid("witness one"));
	ck_assert(!tl_cosigner_name_valid("w+1"));
	ck_assert(!tl_cosigner_name_valid(""));
}
END_TEST

START_TEST(test_known_answers)
{
	struct tl_key *k1 = seed_key(RFC8032_TEST1);
	struct tl_key *k2 = seed_key(RFC8032_TEST2);
	struct tl_witness_list w1, w2;
	struct tl_cosignature c;
	struct tl_error err;
	uint8_t root[TL_SHA256_LEN], pub[TL_ED25519_PUBLIC_LEN], id[4];
	char b64[TL_COSIGNATURE_B64_LEN + 1];
	char origin[TL_CHECKPOINT_ORIGIN_MAX + 1];

	/* The key ID of TEST 1's key named as the specification's witness. */
	tl_key_public_raw(k1, pub);
	tl_cosigner_key_id(SPEC_WITNESS, pub, id);
	ck_assert_uint_eq(id[0], 0x7e);
	ck_assert_uint_eq(id[1], 0x6f);
	ck_assert_uint_eq(id[2], 0x4a);
	ck_assert_uint_eq(id[3], 0xaa);
	/* TEST 1's key cosigning the specification's checkpoint. */
	b64_root(SPEC_ROOT, root);
	ck_assert_int_eq(tl_cosignature_sign(k1, SPEC_WITNESS, SPEC_ORIGIN,
	    SPEC_SIZE, root, SPEC_TIME, &c, &err), TL_OK);
	ck_assert_int_eq(tl_cosignature_encode(&c, b64), TL_OK);
	ck_assert_str_eq(b64, "fm9KqgAAAABkGFDL+TPmh4BYuAjsYRoqMJCWb/gWJaeRF/km"
	    "m5tlCr9sJ57DLErur7K0yDXc2ArN+TIuotuB/HbuL3AJsp3bv/aNCQ==");
	one_witness(SPEC_WITNESS, k1, &w1);
	ck_assert_int_eq(tl_cosignature_verify(&c, &w1.witnesses[0],
	    SPEC_ORIGIN, SPEC_SIZE, root, &err), TL_OK);
	/* The worked example: election demo, authority TEST 1, a tree of one
	 * entry "hello"; witness witness.example.org/w1 with TEST 2's key. */
	tl_witness_origin(k1, "demo", origin);
	ck_assert_str_eq(origin, "teller/v1/21fe31dfa154a261626bf854046fd2271b7b"
	    "ed4b6abe45aa58877ef47f9721b9/demo");
	tl_merkle_leaf_hash("hello", 5, root);
	ck_assert_int_eq(tl_cosignature_sign(k2, "witness.example.org/w1",
	    origin, 1, root, 1795341600, &c, &err), TL_OK);
	ck_assert_int_eq(tl_cosignature_encode(&c, b64), TL_OK);
	ck_assert_str_eq(b64, "LOMiNAAAAABrAr0gPoJQbPgYSwyW/CN/YTaayEibBYlZQCaA"
	    "fJS27/c5CVraQYGy4BVEc6Ig61UWJv5SPkWmuf2eVPW7PwpBIsXACg==");
	one_witness("witness.example.org/w1", k2, &w2);
	ck_assert_str_eq(w2.witnesses[0].public_key,
	    "PUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw=");
	ck_assert_int_eq(tl_cosignature_verify(&c, &w2.witnesses[0], origin, 1,
	    root, &err), TL_OK);
	/* Any other tree, time, name or key does not verify. */
	ck_assert_int_eq(tl_cosignature_verify(&c, &w2.witnesses[0], origin, 2,
	    root, &err), TL_ESIGNATURE);
	c.timestamp++;
	ck_assert_int_eq(tl_cosignature_verify(&c, &w2.witnesses[0], origin, 1,
	    root, &err), TL_ESIGNATURE);
	c.timestamp--;
	root[0] ^= 1;
	ck_assert_int_eq(tl_cosignature_verify(&c, &w2.witnesses[0], origin, 1,
	    root, &err), TL_ESIGNATURE);
	root[0] ^= 1;
	ck_assert_int_eq(tl_cosignature_verify(&c, &w1.witnesses[0], origin, 1,
	    root, &err), TL_ESIGNATURE);
	origin[10] = origin[10] == 'a' ? 'b' : 'a';
	ck_assert_int_eq(tl_cosignature_verify(&c, &w2.witnesses[0], origin, 1,
	    root, &err), TL_ESIGNATURE);
	tl_witness_list_free(&w1);
	tl_witness_list_free(&w2);
	tl_key_free(k1);
	tl_key_free(k2);
}
END_TEST

static int
parse_list(const char *witnesses, const char *quorum,
    struct tl_witness_list *list, struct tl_error *err)
{
	json_t *w = witnesses != NULL ? json_loads(witnesses, 0, NULL) : NULL;
	json_t *q = quorum != NULL ? json_loads(quorum, JSON_DECODE_ANY,
	    NULL) : NULL;
	int r = tl_witness_list_parse(w, q, list, err);

	json_decref(w);
	json_decref(q);
	return r;
}

START_TEST(test_witness_list)
{
	struct tl_witness_list list;
	struct tl_error err;
	const char *two = "[{\"name\": \"a.example/w\", \"public_key\": "
	    "\"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"}, {\"name\": "
	    "\"b.example/w\", \"public_key\": "
	    "\"PUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw=\"}]";

	ck_assert_int_eq(parse_list(NULL, NULL, &list, &err), TL_OK);
	ck_assert_uint_eq(list.n, 0);
	ck_assert_int_eq(parse_list(two, NULL, &list, &err), TL_OK);
	ck_assert_uint_eq(list.n, 2);
	ck_assert_uint_eq(list.quorum, 2);  /* all, by default */
	ck_assert_ptr_nonnull(tl_witness_list_find(&list, "b.example/w"));
	ck_assert_ptr_null(tl_witness_list_find(&list, "c.example/w"));
	tl_witness_list_free(&list);
	ck_assert_int_eq(parse_list(two, "1", &list, &err), TL_OK);
	ck_assert_uint_eq(list.quorum, 1);
	tl_witness_list_free(&list);
	ck_assert_int_eq(parse_list(two, "0", &list, &err), TL_EMANIFEST);
	ck_assert_int_eq(parse_list(two, "3", &list, &err), TL_EMANIFEST);
	ck_assert_int_eq(parse_list(two, "1.0", &list, &err), TL_EMANIFEST);
	ck_assert_int_eq(parse_list(NULL, "1", &list, &err), TL_EMANIFEST);
	ck_assert_int_eq(parse_list("[]", NULL, &list, &err), TL_EMANIFEST);
	ck_assert_int_eq(parse_list("[{\"name\": \"a w\", \"public_key\": "
	    "\"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"}]", NULL, &list,
	    &err), TL_EMANIFEST);
	ck_assert(strstr(err.message, "witnesses[0].name") != NULL);
	ck_assert_int_eq(parse_list("[{\"name\": \"a\", \"public_key\": "
	    "\"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"}, {\"name\": \"a\", "
	    "\"public_key\": \"PUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw=\"}]",
	    NULL, &list, &err), TL_EMANIFEST);
	ck_assert(strstr(err.message, "named twice") != NULL);
	ck_assert_int_eq(parse_list("[{\"name\": \"a\", \"public_key\": "
	    "\"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"}, {\"name\": \"b\", "
	    "\"public_key\": \"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"}]",
	    NULL, &list, &err), TL_EMANIFEST);
	ck_assert(strstr(err.message, "same key") != NULL);
	ck_assert_int_eq(parse_list("[{\"name\": \"a\", \"public_key\": \"x\"}]",
	    NULL, &list, &err), TL_EMANIFEST);
	ck_assert_int_eq(parse_list("[{\"name\": \"a\", \"public_key\": "
	    "\"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\", \"url\": \"x\"}]",
	    NULL, &list, &err), TL_EMANIFEST);
}
END_TEST

/* A tree of n leaves "0", "1", ... in memory. */
static void
tree_of(struct tl_merkle_mem *mem, unsigned n, unsigned fork_at)
{
	uint8_t leaf[TL_SHA256_LEN];
	char text[16];

	tl_merkle_mem_init(mem);
	for (unsigned i = 0; i < n; i++) {
		snprintf(text, sizeof(text), i == fork_at ? "x%u" : "%u", i);
		tl_merkle_leaf_hash(text, strlen(text), leaf);
		ck_assert_int_eq(tl_merkle_mem_append(mem, leaf), TL_OK);
	}
}

static void
head_of(struct tl_merkle_mem *mem, uint64_t size, struct tl_tree_head *h)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->election_id, sizeof(h->election_id), "e1");
	h->size = size;
	h->time = TH_NOW + (int64_t)size;
	ck_assert_int_eq(tl_merkle_root(&mem->store, size, h->root), TL_OK);
}

START_TEST(test_judge)
{
	struct tl_merkle_mem tree, fork;
	struct tl_tree_head h3, h5, h5f, h2, h0;
	struct tl_merkle_proof proof, bad;
	char reason[512];

	tree_of(&tree, 8, 99);
	tree_of(&fork, 8, 1);  /* entry 1 rewritten */
	head_of(&tree, 3, &h3);
	head_of(&tree, 5, &h5);
	head_of(&fork, 5, &h5f);
	head_of(&tree, 2, &h2);
	head_of(&tree, 0, &h0);
	ck_assert_int_eq(tl_merkle_consistency_proof(&tree.store, 3, 5, &proof),
	    TL_OK);
	ck_assert_int_eq(tl_merkle_consistency_proof(&fork.store, 3, 5, &bad),
	    TL_OK);
	ck_assert_int_eq(tl_witness_judge(NULL, &h3, NULL, reason,
	    sizeof(reason)), TL_WITNESS_COSIGN);
	ck_assert_int_eq(tl_witness_judge(&h0, &h3, NULL, reason,
	    sizeof(reason)), TL_WITNESS_COSIGN);
	ck_assert_int_eq(tl_witness_judge(&h3, &h5, &proof, reason,
	    sizeof(reason)), TL_WITNESS_COSIGN);
	ck_assert_int_eq(tl_witness_judge(&h3, &h3, NULL, reason,
	    sizeof(reason)), TL_WITNESS_UNCHANGED);
	/* The rewritten log: its proof from 3 does not hold for the tree the
	 * witness cosigned, nor does the honest proof for the fork's root. */
	ck_assert_int_eq(tl_witness_judge(&h3, &h5f, &bad, reason,
	    sizeof(reason)), TL_WITNESS_REFUSE);
	ck_assert(strstr(reason, "consistency proof does not hold") != NULL);
	ck_assert_int_eq(tl_witness_judge(&h3, &h5f, &proof, reason,
	    sizeof(reason)), TL_WITNESS_REFUSE);
	ck_assert_int_eq(tl_witness_judge(&h3, &h5, NULL, reason,
	    sizeof(reason)), TL_WITNESS_REFUSE);
	ck_assert_int_eq(tl_witness_judge(&h5, &h5f, NULL, reason,
	    sizeof(reason)), TL_WITNESS_REFUSE);
	ck_assert(strstr(reason, "two different trees of 5") != NULL);
	ck_assert_int_eq(tl_witness_judge(&h3, &h2, NULL, reason,
	    sizeof(reason)), TL_WITNESS_REFUSE);
	ck_assert(strstr(reason, "shrank") != NULL);
	tl_merkle_mem_free(&tree);
	tl_merkle_mem_free(&fork);
}
END_TEST

/* A tree head envelope of h signed by key (caller frees). */
static char *
signed_head(const struct tl_tree_head *h, const struct tl_key *key)
{
	struct tl_envelope *env = NULL;
	struct tl_error err;
	char *payload = NULL, *text = NULL;
	size_t len = 0;

	ck_assert_int_eq(tl_tree_head_serialize(h, &payload, &len), TL_OK);
	ck_assert_int_eq(tl_envelope_sign(TL_TYPE_TREE_HEAD, payload, len, key,
	    &env, &err), TL_OK);
	ck_assert_int_eq(tl_envelope_serialize(env, &text, NULL, &err), TL_OK);
	tl_envelope_free(env);
	free(payload);
	return text;
}

START_TEST(test_observe)
{
	struct tl_key *authority = seed_key(RFC8032_TEST1);
	struct tl_key *witness = seed_key(RFC8032_TEST2);
	struct tl_key *other = NULL;
	struct tl_merkle_mem tree, fork;
	struct tl_tree_head h3, h5, h5f;
	struct tl_merkle_proof proof, fork_proof;
	struct tl_witness_state *s = NULL, *again = NULL;
	struct tl_witness_outcome o;
	struct tl_witness_list list;
	struct tl_error err;
	char *t3, *t5, *t5f, *t5o, *text = NULL;
	unsigned valid = 0;
	json_t *cosigned, *expected;

	ck_assert_int_eq(tl_key_generate(&other, &err), TL_OK);
	tree_of(&tree, 8, 99);
	tree_of(&fork, 8, 1);
	head_of(&tree, 3, &h3);
	head_of(&tree, 5, &h5);
	head_of(&fork, 5, &h5f);
	ck_assert_int_eq(tl_merkle_consistency_proof(&tree.store, 3, 5, &proof),
	    TL_OK);
	ck_assert_int_eq(tl_merkle_consistency_proof(&fork.store, 3, 5,
	    &fork_proof), TL_OK);
	t3 = signed_head(&h3, authority);
	t5 = signed_head(&h5, authority);
	t5f = signed_head(&h5f, authority);
	t5o = signed_head(&h5, other);
	ck_assert_int_eq(tl_witness_state_new("w1.example/teller", "e1",
	    authority, &s, &err), TL_OK);
	/* The first head is cosigned; the state holds it with the witness's
	 * cosignature, which checks against the witness list. */
	ck_assert_int_eq(tl_witness_observe(s, witness, t3, strlen(t3), NULL,
	    TH_NOW, &o, &err), TL_OK);
	ck_assert_int_eq(o.verdict, TL_WITNESS_COSIGN);
	ck_assert_ptr_nonnull(s->cosigned);
	ck_assert_uint_eq(s->cosigned->head.size, 3);
	one_witness("w1.example/teller", witness, &list);
	ck_assert_int_eq(tl_cosigned_head_check(s->cosigned, authority, "e1",
	    &list, &valid, &err), TL_OK);
	ck_assert_uint_eq(valid, 1);
	/* A head signed by another key changes nothing. */
	ck_assert_int_eq(tl_witness_observe(s, witness, t5o, strlen(t5o),
	    &proof, TH_NOW + 1, &o, &err), TL_ESIGNATURE);
	ck_assert_uint_eq(s->cosigned->head.size, 3);
	/* The fork is refused, with both signed heads as evidence. */
	ck_assert_int_eq(tl_witness_observe(s, witness, t5f, strlen(t5f),
	    &fork_proof, TH_NOW + 2, &o, &err), TL_OK);
	ck_assert_int_eq(o.verdict, TL_WITNESS_REFUSE);
	ck_assert_ptr_nonnull(o.evidence);
	ck_assert_str_eq(json_string_value(json_object_get(o.evidence,
	    "evidence")), "inconsistent tree heads");
	cosigned = json_object_get(o.evidence, "cosigned");
	expected = json_loads(t3, 0, NULL);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    cosigned, "tree_head"), "payload")), json_string_value(
	    json_object_get(expected, "payload")));
	json_decref(expected);
	expected = json_loads(t5f, 0, NULL);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    o.evidence, "refused"), "payload")), json_string_value(
	    json_object_get(expected, "payload")));
	json_decref(expected);
	ck_assert_uint_eq(json_array_size(json_object_get(o.evidence,
	    "consistency_proof")), fork_proof.n);
	json_decref(o.evidence);
	ck_assert_uint_eq(s->cosigned->head.size, 3);
	/* The honest extension is cosigned; the state survives a file. */
	ck_assert_int_eq(tl_witness_observe(s, witness, t5, strlen(t5), &proof,
	    TH_NOW + 3, &o, &err), TL_OK);
	ck_assert_int_eq(o.verdict, TL_WITNESS_COSIGN);
	ck_assert_uint_eq(o.cosignature.timestamp, TH_NOW + 3);
	ck_assert_int_eq(tl_witness_state_serialize(s, &text, &err), TL_OK);
	ck_assert_int_eq(tl_witness_state_parse(text, strlen(text), &again,
	    &err), TL_OK);
	ck_assert_uint_eq(again->cosigned->head.size, 5);
	ck_assert_int_eq(tl_cosigned_head_check(again->cosigned, authority,
	    "e1", &list, &valid, &err), TL_OK);
	ck_assert_int_eq(tl_witness_observe(again, witness, t5, strlen(t5),
	    NULL, TH_NOW + 4, &o, &err), TL_OK);
	ck_assert_int_eq(o.verdict, TL_WITNESS_UNCHANGED);
	/* Then the fork of the same size: two different roots, refused. */
	ck_assert_int_eq(tl_witness_observe(again, witness, t5f, strlen(t5f),
	    NULL, TH_NOW + 5, &o, &err), TL_OK);
	ck_assert_int_eq(o.verdict, TL_WITNESS_REFUSE);
	json_decref(o.evidence);
	free(text);
	text = NULL;
	tl_witness_list_free(&list);
	tl_witness_state_free(s);
	tl_witness_state_free(again);
	free(t3);
	free(t5);
	free(t5f);
	free(t5o);
	tl_merkle_mem_free(&tree);
	tl_merkle_mem_free(&fork);
	tl_key_free(authority);
	tl_key_free(witness);
	tl_key_free(other);
}
END_TEST

START_TEST(test_cosigned_head_check)
{
	struct tl_key *authority = seed_key(RFC8032_TEST1);
	struct tl_key *w1 = NULL, *w2 = NULL, *w3 = NULL;
	struct tl_merkle_mem tree;
	struct tl_tree_head h;
	struct tl_cosigned_head *c = NULL, *back = NULL;
	struct tl_cosignature cs;
	struct tl_witness_list list;
	struct tl_error err;
	char origin[TL_CHECKPOINT_ORIGIN_MAX + 1], text[1024], *t, *json;
	char k1[TL_PUBLIC_B64_LEN + 1], k2[TL_PUBLIC_B64_LEN + 1];
	unsigned valid = 0;
	json_t *doc;

	ck_assert_int_eq(tl_key_generate(&w1, &err), TL_OK);
	ck_assert_int_eq(tl_key_generate(&w2, &err), TL_OK);
	ck_assert_int_eq(tl_key_generate(&w3, &err), TL_OK);
	tl_key_public_base64(w1, k1);
	tl_key_public_base64(w2, k2);
	snprintf(text, sizeof(text), "[{\"name\": \"w1\", \"public_key\": "
	    "\"%s\"}, {\"name\": \"w2\", \"public_key\": \"%s\"}]", k1, k2);
	ck_assert_int_eq(parse_list(text, "2", &list, &err), TL_OK);
	tree_of(&tree, 4, 99);
	head_of(&tree, 4, &h);
	t = signed_head(&h, authority);
	ck_assert_int_eq(tl_cosigned_head_new(t, strlen(t), &c, &err), TL_OK);
	tl_witness_origin(authority, "e1", origin);
	ck_assert_int_eq(tl_cosignature_sign(w1, "w1", origin, 4, h.root,
	    TH_NOW, &cs, &err), TL_OK);
	ck_assert_int_eq(tl_cosigned_head_add(c, &cs, &err), TL_OK);
	ck_assert_int_eq(tl_cosignature_sign(w2, "w2", origin, 4, h.root,
	    TH_NOW, &cs, &err), TL_OK);
	ck_assert_int_eq(tl_cosigned_head_add(c, &cs, &err), TL_OK);
	ck_assert_int_eq(tl_cosigned_head_check(c, authority, "e1", &list,
	    &valid, &err), TL_OK);
	ck_assert_uint_eq(valid, 2);
	/* Through JSON and back. */
	doc = tl_cosigned_head_to_json(c);
	json = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	ck_assert_int_eq(tl_cosigned_head_parse(json, strlen(json), &back,
	    &err), TL_OK);
	ck_assert_uint_eq(back->n, 2);
	ck_assert_int_eq(tl_cosigned_head_check(back, authority, "e1", &list,
	    &valid, &err), TL_OK);
	free(json);
	/* A third key signing as w2 (an impostor) and a witness the list does
	 * not name: each fails, the one good cosignature still counts. */
	ck_assert_int_eq(tl_cosignature_sign(w3, "w2", origin, 4, h.root,
	    TH_NOW, &cs, &err), TL_OK);
	ck_assert_int_eq(tl_cosigned_head_add(back, &cs, &err), TL_OK);
	ck_assert_uint_eq(back->n, 2);  /* in w2's place */
	ck_assert_int_eq(tl_cosigned_head_check(back, authority, "e1", &list,
	    &valid, &err), TL_ESIGNATURE);
	ck_assert_uint_eq(valid, 1);
	ck_assert_int_eq(tl_cosignature_sign(w3, "w3", origin, 4, h.root,
	    TH_NOW, &cs, &err), TL_OK);
	ck_assert_int_eq(tl_cosigned_head_add(c, &cs, &err), TL_OK);
	ck_assert_int_eq(tl_cosigned_head_check(c, authority, "e1", &list,
	    &valid, &err), TL_EVERIFY);
	ck_assert(strstr(err.message, "not one of the witnesses") != NULL);
	ck_assert_uint_eq(valid, 2);
	/* The head must be the election's, signed by its authority. */
	ck_assert_int_eq(tl_cosigned_head_check(c, w1, "e1", &list, &valid,
	    &err), TL_ESIGNATURE);
	ck_assert_int_eq(tl_cosigned_head_check(c, authority, "e2", &list,
	    &valid, &err), TL_EWRONGELECTION);
	/* Malformed documents. */
	ck_assert_int_eq(tl_cosigned_head_parse("{}", 2, &back, &err),
	    TL_EINPUT);
	ck_assert_int_eq(tl_cosigned_head_parse("[]", 2, &back, &err),
	    TL_EINPUT);
	tl_cosigned_head_free(back);
	tl_cosigned_head_free(c);
	tl_witness_list_free(&list);
	tl_merkle_mem_free(&tree);
	free(t);
	tl_key_free(authority);
	tl_key_free(w1);
	tl_key_free(w2);
	tl_key_free(w3);
}
END_TEST

START_TEST(test_line)
{
	struct tl_cosignature_line l;
	struct tl_error err;
	const char *good = "{\"cosignatures\":[{\"signature\":\""
	    SPEC_COSIGNATURE "\",\"witness\":\"a\"},{\"signature\":\""
	    SPEC_COSIGNATURE "\",\"witness\":\"b\"}],\"election\":\"e1\","
	    "\"root\":\"8a2a5c9b768827de5a9552c38a044c66959c68f6d2f21b5260af54"
	    "d2f87db827\",\"size\":1}";
	char bad[1024];

	ck_assert(tl_cosignature_line_is(good, strlen(good)));
	ck_assert_int_eq(tl_cosignature_line_parse(good, strlen(good), &l,
	    &err), TL_OK);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_uint_eq(l.size, 1);
	ck_assert_str_eq(l.cosignatures[1].witness, "b");
	/* White space, witnesses out of order or twice: not canonical. */
	snprintf(bad, sizeof(bad), "%s", good);
	bad[strlen(bad) - 1] = ' ';
	strcat(bad, "}");
	ck_assert_int_eq(tl_cosignature_line_parse(bad, strlen(bad), &l, &err),
	    TL_EINPUT);
	snprintf(bad, sizeof(bad), "%s", good);
	*strstr(bad, "\"a\"") = '"';
	strstr(bad, "\"a\"")[1] = 'b';
	ck_assert_int_eq(tl_cosignature_line_parse(bad, strlen(bad), &l, &err),
	    TL_EINPUT);
	ck_assert(strstr(err.message, "order") != NULL);
	ck_assert(!tl_cosignature_line_is("{\"payloadType\":", 15));
}
END_TEST

/* Witness `name` with key cosigns head (its first), and sends its
 * cosigned head to the database: the result of the store, and *stored. */
static int
witness_sends(struct tl_store *store, const struct tl_key *authority,
    const char *name, const struct tl_key *key, const char *head,
    size_t *stored)
{
	struct tl_witness_state *s = NULL;
	struct tl_witness_outcome o;
	struct tl_error err;
	char *text;
	json_t *doc;
	int r;

	ck_assert_int_eq(tl_witness_state_new(name, "e1", authority, &s, &err),
	    TL_OK);
	ck_assert_int_eq(tl_witness_observe(s, key, head, strlen(head), NULL,
	    TH_NOW, &o, &err), TL_OK);
	ck_assert_int_eq(o.verdict, TL_WITNESS_COSIGN);
	doc = tl_cosigned_head_to_json(s->cosigned);
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	r = tl_cosignatures_store(store, "e1", text, strlen(text), TH_NOW,
	    stored, &err);
	free(text);
	tl_witness_state_free(s);
	return r;
}

/* The authority's database: what a witness sends is checked, stored and
 * served, and exported as the record's cosignature line. */
START_TEST(test_store)
{
	char *dir = th_tmpdir(), *id = NULL, *csv, *head = NULL, *line = NULL;
	struct tl_store *store = th_store(dir);
	struct tl_key **keys = th_keys(2);
	struct tl_key *w1 = NULL, *w2 = NULL, *authority = NULL;
	struct tl_cosignature_line l;
	struct tl_tree_head th;
	struct tl_error err;
	char k1[TL_PUBLIC_B64_LEN + 1], k2[TL_PUBLIC_B64_LEN + 1];
	char *manifest;
	json_t *m, *doc = NULL;
	size_t stored = 0;

	ck_assert_int_eq(tl_key_generate(&w1, &err), TL_OK);
	ck_assert_int_eq(tl_key_generate(&w2, &err), TL_OK);
	tl_key_public_base64(w1, k1);
	tl_key_public_base64(w2, k2);
	m = json_loads(th_manifest_json(0), 0, NULL);
	json_object_set_new(m, "witnesses", json_pack("[{s:s, s:s}, {s:s, s:s}]",
	    "name", "w1.example", "public_key", k1, "name", "w2.example",
	    "public_key", k2));
	json_object_set_new(m, "witness_quorum", json_integer(2));
	manifest = json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(m);
	csv = th_roll_csv(keys, 1, 1);
	ck_assert_int_eq(tl_election_create(store, manifest, strlen(manifest),
	    TH_NOW, &id, &err), TL_OK);
	/* A draft has no log to cosign. */
	ck_assert_int_eq(tl_cosigned_head_get(store, "e1", 0, 0, &doc, &err),
	    TL_ESTATE);
	ck_assert_int_eq(tl_election_import_roll(store, "e1", csv, strlen(csv),
	    "roll.csv", NULL, &err), TL_OK);
	ck_assert_int_eq(tl_election_open(store, "e1", TH_NOW, &err), TL_OK);
	ck_assert_int_eq(tl_store_authority(store, &authority, &err), TL_OK);
	ck_assert_int_eq(tl_log_latest_head(store, "e1", &head, &err), TL_OK);
	ck_assert_int_eq(tl_cosigned_head_get(store, "e1", 0, 0, &doc, &err),
	    TL_ENOTFOUND);
	/* Witness 1 cosigns; the database keeps it. */
	ck_assert_int_eq(witness_sends(store, authority, "w1.example", w1, head,
	    &stored), TL_OK);
	ck_assert_uint_eq(stored, 1);
	/* One cosignature is short of the quorum of 2; by size it is there. */
	ck_assert_int_eq(tl_cosigned_head_get(store, "e1", 0, 0, &doc, &err),
	    TL_ENOTFOUND);
	ck_assert_int_eq(tl_cosigned_head_get(store, "e1", 1, 0, &doc, &err),
	    TL_OK);
	ck_assert_uint_eq(json_array_size(json_object_get(doc,
	    "cosignatures")), 1);
	json_decref(doc);
	/* A witness the manifest does not name (w2's key under w1's name)
	 * is refused and changes nothing. */
	ck_assert_int_eq(witness_sends(store, authority, "w1.example", w2, head,
	    &stored), TL_ESIGNATURE);
	ck_assert_int_eq(witness_sends(store, authority, "w3.example", w2, head,
	    &stored), TL_EVERIFY);
	/* Witness 2 cosigns: the quorum is met. */
	ck_assert_int_eq(witness_sends(store, authority, "w2.example", w2, head,
	    &stored), TL_OK);
	ck_assert_uint_eq(stored, 2);
	ck_assert_int_eq(tl_cosigned_head_get(store, "e1", 0, 0, &doc, &err),
	    TL_OK);
	ck_assert_uint_eq(json_array_size(json_object_get(doc,
	    "cosignatures")), 2);
	json_decref(doc);
	/* The record's line for that tree. */
	ck_assert_int_eq(tl_tree_head_parse_envelope(head, strlen(head), &th,
	    NULL, &err), TL_OK);
	ck_assert_int_eq(tl_cosignature_line_export(store, "e1", th.size,
	    th.root, &line, &err), TL_OK);
	ck_assert_ptr_nonnull(line);
	ck_assert_int_eq(tl_cosignature_line_parse(line, strlen(line), &l,
	    &err), TL_OK);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.cosignatures[0].witness, "w1.example");
	free(line);
	th.root[0] ^= 1;
	ck_assert_int_eq(tl_cosignature_line_export(store, "e1", th.size,
	    th.root, &line, &err), TL_OK);
	ck_assert_ptr_null(line);
	tl_key_free(w1);
	tl_key_free(w2);
	tl_key_free(authority);
	th_keys_free(keys, 2);
	free(manifest);
	free(csv);
	free(id);
	free(head);
	tl_store_close(store);
	th_rm_rf(dir);
	free(dir);
}
END_TEST

static Suite *
witness_suite(void)
{
	Suite *s = suite_create("witness");
	TCase *tc = tcase_create("cosignature");

	tcase_add_test(tc, test_spec_example);
	tcase_add_test(tc, test_known_answers);
	tcase_add_test(tc, test_witness_list);
	suite_add_tcase(s, tc);
	tc = tcase_create("witness");
	tcase_add_test(tc, test_judge);
	tcase_add_test(tc, test_observe);
	tcase_add_test(tc, test_cosigned_head_check);
	tcase_add_test(tc, test_line);
	tcase_add_test(tc, test_store);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return th_run(witness_suite());
}
