/*
 * cosignature.c: witnesses' cosignatures of tree heads, C2SP
 * tlog-cosignature's cosignature/v1 (Ed25519) over a C2SP checkpoint of
 * the log (cosignature.h), and the witnesses a manifest names.
 *
 * The rules, from c2sp.org/tlog-cosignature, "Format" and "Ed25519 signed
 * message":
 *   - the key ID is SHA-256(<name> || "\n" || 0x04 || public key)[:4];
 *   - the signature is a timestamped_signature: a u64 timestamp
 *     (big-endian, at most 2^63 - 1) and the 64-byte Ed25519 signature;
 *   - the signed message is "cosignature/v1\n", "time " and the
 *     timestamp in ASCII decimal without leading zeros and "\n", then the
 *     checkpoint's body (c2sp.org/tlog-checkpoint: origin, size in
 *     decimal, root in base64, each line ending with "\n").
 */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "teller/cosignature.h"
#include "teller/util.h"

int
tl_cosigner_name_valid(const char *name)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++, n++)
		if (*p < 0x21 || *p > 0x7e || *p == '+')
			return 0;
	return n >= 1 && n <= TL_COSIGNER_NAME_MAX;
}

void
tl_cosigner_key_id(const char *name, const uint8_t key[TL_ED25519_PUBLIC_LEN],
    uint8_t out[TL_COSIGNATURE_KEY_ID_LEN])
{
	static const uint8_t sep[2] = {'\n', 0x04};  /* 0x04: Ed25519 */
	struct tl_iov parts[3] = {
		{name, strlen(name)}, {sep, sizeof(sep)},
		{key, TL_ED25519_PUBLIC_LEN},
	};
	uint8_t hash[TL_SHA256_LEN];

	tl_sha256_iov(parts, 3, hash);
	memcpy(out, hash, TL_COSIGNATURE_KEY_ID_LEN);
}

void
tl_checkpoint_origin(const char *authority_key_id, const char *election,
    char out[TL_CHECKPOINT_ORIGIN_MAX + 1])
{
	snprintf(out, TL_CHECKPOINT_ORIGIN_MAX + 1, "teller/v1/%.64s/%.64s",
	    authority_key_id, election);
}

int
tl_checkpoint_body(const char *origin, uint64_t size,
    const uint8_t root[TL_SHA256_LEN], char **out, size_t *len)
{
	struct tl_buf buf;
	char *root64 = NULL;
	int r;

	if (tl_base64_encode(root, TL_SHA256_LEN, &root64) != TL_OK)
		return TL_ENOMEM;
	tl_buf_init(&buf, 4096);
	r = tl_buf_addf(&buf, "%s\n%" PRIu64 "\n%s\n", origin, size, root64);
	free(root64);
	if (r != TL_OK) {
		tl_buf_free(&buf);
		return r;
	}
	*out = tl_buf_take(&buf, len);
	return *out != NULL ? TL_OK : TL_ENOMEM;
}

int
tl_cosignature_message(const char *body, size_t body_len, uint64_t timestamp,
    char **out, size_t *len)
{
	struct tl_buf buf;
	int r;

	tl_buf_init(&buf, body_len + 64);
	if ((r = tl_buf_addf(&buf, "cosignature/v1\ntime %" PRIu64 "\n",
	    timestamp)) != TL_OK ||
	    (r = tl_buf_add(&buf, body, body_len)) != TL_OK) {
		tl_buf_free(&buf);
		return r;
	}
	*out = tl_buf_take(&buf, len);
	return *out != NULL ? TL_OK : TL_ENOMEM;
}

/* The message a cosignature of (origin, size, root) at timestamp signs. */
static int
checkpoint_message(const char *origin, uint64_t size,
    const uint8_t root[TL_SHA256_LEN], uint64_t timestamp, char **out,
    size_t *len)
{
	char *body = NULL;
	size_t body_len = 0;
	int r;

	if ((r = tl_checkpoint_body(origin, size, root, &body, &body_len)) !=
	    TL_OK)
		return r;
	r = tl_cosignature_message(body, body_len, timestamp, out, len);
	free(body);
	return r;
}

int
tl_cosignature_sign(const struct tl_key *key, const char *name,
    const char *origin, uint64_t size, const uint8_t root[TL_SHA256_LEN],
    uint64_t timestamp, struct tl_cosignature *out, struct tl_error *err)
{
	uint8_t pub[TL_ED25519_PUBLIC_LEN];
	char *msg = NULL;
	size_t len = 0;
	int r;

	if (!tl_cosigner_name_valid(name))
		return tl_error_set(err, TL_EINPUT, "\"%.64s\" is not a witness "
		    "name (1 to %d printable ASCII characters, no space or '+')",
		    name, TL_COSIGNER_NAME_MAX);
	if (timestamp > (uint64_t)INT64_MAX)
		return tl_error_set(err, TL_EINPUT, "a cosignature's timestamp "
		    "must be below 2^63");
	if (checkpoint_message(origin, size, root, timestamp, &msg, &len) !=
	    TL_OK)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	memset(out, 0, sizeof(*out));
	if ((r = tl_key_sign(key, (const uint8_t *)msg, len, out->sig, err)) ==
	    TL_OK) {
		snprintf(out->witness, sizeof(out->witness), "%s", name);
		tl_key_public_raw(key, pub);
		tl_cosigner_key_id(name, pub, out->key_id);
		out->timestamp = timestamp;
	}
	free(msg);
	return r;
}

int
tl_cosignature_verify(const struct tl_cosignature *c,
    const struct tl_witness *witness, const char *origin, uint64_t size,
    const uint8_t root[TL_SHA256_LEN], struct tl_error *err)
{
	char *msg = NULL;
	size_t len = 0;
	int ok;

	if (strcmp(c->witness, witness->name) != 0)
		return tl_error_set(err, TL_ESIGNATURE, "the cosignature is "
		    "witness %s's, not %s's", c->witness, witness->name);
	if (memcmp(c->key_id, witness->key_id, TL_COSIGNATURE_KEY_ID_LEN) !=
	    0)
		return tl_error_set(err, TL_ESIGNATURE, "witness %s's "
		    "cosignature has key ID %02x%02x%02x%02x, not that of its "
		    "key (%02x%02x%02x%02x)", c->witness, c->key_id[0],
		    c->key_id[1], c->key_id[2], c->key_id[3],
		    witness->key_id[0], witness->key_id[1], witness->key_id[2],
		    witness->key_id[3]);
	if (checkpoint_message(origin, size, root, c->timestamp, &msg, &len) !=
	    TL_OK)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	ok = tl_key_verify(witness->key, (const uint8_t *)msg, len, c->sig,
	    TL_ED25519_SIG_LEN) == TL_OK;
	free(msg);
	if (!ok)
		return tl_error_set(err, TL_ESIGNATURE, "witness %s's "
		    "cosignature does not verify for the tree of %" PRIu64
		    " entries it is given for", c->witness, size);
	return TL_OK;
}

int
tl_cosignatures_verify(const struct tl_cosignature *cosignatures, size_t n,
    const struct tl_witness_list *list, const char *origin, uint64_t size,
    const uint8_t root[TL_SHA256_LEN], unsigned *valid, struct tl_error *err)
{
	struct tl_error one;
	int r, first = TL_OK;

	*valid = 0;
	for (size_t i = 0; i < n; i++) {
		const struct tl_cosignature *cs = &cosignatures[i];
		const struct tl_witness *w = tl_witness_list_find(list,
		    cs->witness);

		if (w == NULL)
			r = tl_error_set(&one, TL_EVERIFY, "%s is not one of the "
			    "witnesses the manifest names", cs->witness);
		else
			r = tl_cosignature_verify(cs, w, origin, size, root, &one);
		if (r == TL_OK)
			(*valid)++;
		else if (first == TL_OK) {
			first = r;
			if (err != NULL)
				*err = one;
		}
	}
	return first;
}

int
tl_cosignature_encode(const struct tl_cosignature *c,
    char out[TL_COSIGNATURE_B64_LEN + 1])
{
	uint8_t raw[TL_COSIGNATURE_LEN];
	char *b64 = NULL;

	memcpy(raw, c->key_id, TL_COSIGNATURE_KEY_ID_LEN);
	for (int i = 0; i < 8; i++)
		raw[4 + i] = (uint8_t)(c->timestamp >> (56 - 8 * i));
	memcpy(raw + 12, c->sig, TL_ED25519_SIG_LEN);
	if (tl_base64_encode(raw, sizeof(raw), &b64) != TL_OK)
		return TL_ENOMEM;
	memcpy(out, b64, TL_COSIGNATURE_B64_LEN + 1);
	free(b64);
	return TL_OK;
}

int
tl_cosignature_decode(const char *witness, const char *b64,
    struct tl_cosignature *out, struct tl_error *err)
{
	uint8_t *raw = NULL;
	size_t len = 0;
	uint64_t t = 0;

	if (!tl_cosigner_name_valid(witness))
		return tl_error_set(err, TL_EINPUT, "\"%.64s\" is not a witness "
		    "name (1 to %d printable ASCII characters, no space or '+')",
		    witness, TL_COSIGNER_NAME_MAX);
	if (tl_base64_decode(b64, strlen(b64), &raw, &len) != TL_OK ||
	    len != TL_COSIGNATURE_LEN) {
		free(raw);
		return tl_error_set(err, TL_EINPUT, "witness %s's signature is "
		    "not the canonical base64 of %d bytes (key ID, timestamp, "
		    "Ed25519 signature)", witness, TL_COSIGNATURE_LEN);
	}
	for (int i = 0; i < 8; i++)
		t = t << 8 | raw[4 + i];
	if (t > (uint64_t)INT64_MAX) {
		free(raw);
		return tl_error_set(err, TL_EINPUT, "witness %s's cosignature "
		    "has a timestamp of 2^63 or more", witness);
	}
	memset(out, 0, sizeof(*out));
	snprintf(out->witness, sizeof(out->witness), "%s", witness);
	memcpy(out->key_id, raw, TL_COSIGNATURE_KEY_ID_LEN);
	out->timestamp = t;
	memcpy(out->sig, raw + 12, TL_ED25519_SIG_LEN);
	free(raw);
	return TL_OK;
}

json_t *
tl_cosignature_to_json(const struct tl_cosignature *c)
{
	char b64[TL_COSIGNATURE_B64_LEN + 1];

	if (tl_cosignature_encode(c, b64) != TL_OK)
		return NULL;
	return json_pack("{s:s, s:s}", "witness", c->witness, "signature",
	    b64);
}

int
tl_cosignature_from_json(json_t *obj, const char *where,
    struct tl_cosignature *out, struct tl_error *err)
{
	static const char *const keys[] = {"witness", "signature", NULL};
	const char *witness, *sig;
	int r;

	if (!json_is_object(obj))
		return tl_error_set(err, TL_EINPUT, "%s: a cosignature is an "
		    "object {\"witness\", \"signature\"}", where);
	if ((r = tl_json_only_keys(obj, keys, where, TL_EINPUT, err)) !=
	    TL_OK ||
	    (r = tl_json_string(obj, "witness", 1, where, TL_EINPUT, &witness,
	    err)) != TL_OK ||
	    (r = tl_json_string(obj, "signature", 1, where, TL_EINPUT, &sig,
	    err)) != TL_OK)
		return r;
	if ((r = tl_cosignature_decode(witness, sig, out, err)) != TL_OK)
		return tl_error_prefix(err, "%s", where);
	return TL_OK;
}

/* --- the manifest's witnesses --------------------------------------------- */

#define BAD(...) tl_error_set(err, TL_EMANIFEST, __VA_ARGS__)

void
tl_witness_list_free(struct tl_witness_list *list)
{
	if (list == NULL)
		return;
	for (size_t i = 0; i < list->n; i++) {
		free(list->witnesses[i].name);
		tl_key_free(list->witnesses[i].key);
	}
	free(list->witnesses);
	memset(list, 0, sizeof(*list));
}

const struct tl_witness *
tl_witness_list_find(const struct tl_witness_list *list, const char *name)
{
	for (size_t i = 0; i < list->n; i++)
		if (strcmp(list->witnesses[i].name, name) == 0)
			return &list->witnesses[i];
	return NULL;
}

/* witnesses[i]: {"name", "public_key"}, different from those before. */
static int
parse_witness(struct tl_witness_list *list, json_t *item, size_t i,
    struct tl_error *err)
{
	static const char *const keys[] = {"name", "public_key", NULL};
	struct tl_witness *w = &list->witnesses[i];
	uint8_t raw[TL_ED25519_PUBLIC_LEN];
	const char *name, *key;
	char where[32];
	int r;

	snprintf(where, sizeof(where), "witnesses[%zu]", i);
	if (!json_is_object(item))
		return BAD("%s: must be an object {\"name\", \"public_key\"}",
		    where);
	if ((r = tl_json_only_keys(item, keys, where, TL_EMANIFEST, err)) !=
	    TL_OK ||
	    (r = tl_json_string(item, "name", 1, where, TL_EMANIFEST, &name,
	    err)) != TL_OK ||
	    (r = tl_json_string(item, "public_key", 1, where, TL_EMANIFEST,
	    &key, err)) != TL_OK)
		return r;
	if (!tl_cosigner_name_valid(name))
		return BAD("%s.name: \"%.64s\" is not a witness name (1 to %d "
		    "printable ASCII characters, no space or '+')", where, name,
		    TL_COSIGNER_NAME_MAX);
	if (tl_key_from_public_base64(key, &w->key, NULL) != TL_OK)
		return BAD("%s.public_key: not the base64 of an Ed25519 public "
		    "key", where);
	if ((w->name = strdup(name)) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	tl_key_public_base64(w->key, w->public_key);
	tl_key_public_raw(w->key, raw);
	tl_cosigner_key_id(name, raw, w->key_id);
	for (size_t j = 0; j < i; j++) {
		if (strcmp(list->witnesses[j].name, name) == 0)
			return BAD("%s.name: witness \"%s\" is named twice", where,
			    name);
		if (strcmp(list->witnesses[j].public_key, w->public_key) == 0)
			return BAD("%s.public_key: witnesses[%zu] has the same "
			    "key; each witness needs its own", where, j);
	}
	return TL_OK;
}

int
tl_witness_list_parse(json_t *witnesses, json_t *quorum,
    struct tl_witness_list *out, struct tl_error *err)
{
	struct tl_witness_list list = {0, NULL, 0};
	size_t n;
	int r = TL_OK;

	memset(out, 0, sizeof(*out));
	if (witnesses == NULL) {
		if (quorum != NULL)
			return BAD("witness_quorum: there is no witnesses "
			    "member to count a quorum of");
		return TL_OK;
	}
	n = json_is_array(witnesses) ? json_array_size(witnesses) : 0;
	if (n == 0 || n > TL_MAX_WITNESSES)
		return BAD("witnesses: must be an array of 1 to %d witnesses",
		    TL_MAX_WITNESSES);
	if ((list.witnesses = calloc(n, sizeof(*list.witnesses))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	for (size_t i = 0; i < n && r == TL_OK; i++) {
		list.n = i + 1;
		r = parse_witness(&list, json_array_get(witnesses, i), i, err);
	}
	if (r != TL_OK)
		goto out;
	list.quorum = (unsigned)n;
	if (quorum != NULL) {
		if (!json_is_integer(quorum) || json_integer_value(quorum) < 1 ||
		    json_integer_value(quorum) > (json_int_t)n) {
			r = BAD("witness_quorum: must be an integer from 1 to "
			    "%zu, the number of witnesses", n);
			goto out;
		}
		list.quorum = (unsigned)json_integer_value(quorum);
	}
	*out = list;
	memset(&list, 0, sizeof(list));
 out:
	tl_witness_list_free(&list);
	return r;
}
