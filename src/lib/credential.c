/*
 * credential.c: a secret election's credentials (credential.h): the
 * classes of a roll, the credential keys statement, the credential
 * message, requests and issuances, the check of a secret ballot's
 * credential, and the voter's side of getting one.
 * doc/record-format.md section 5.15 gives every byte; RFC 9474 the blind
 * signatures (blindrsa.h).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonutil.h"
#include "teller/credential.h"
#include "teller/envelope.h"
#include "teller/util.h"

#define TAG "teller-credential-v1"

/* --- classes ---------------------------------------------------------------- */

void
tl_credential_keys_free(struct tl_credential_keys *keys)
{
	if (keys == NULL)
		return;
	for (size_t i = 0; i < keys->nclasses; i++) {
		tl_blindrsa_key_free(keys->classes[i].key);
		free(keys->classes[i].der);
	}
	free(keys->classes);
	free(keys);
}

static int
class_cmp(const void *a, const void *b)
{
	const struct tl_credential_class *x = a, *y = b;

	if (x->constituency != y->constituency)
		return x->constituency < y->constituency ? -1 : 1;
	return x->weight < y->weight ? -1 : x->weight > y->weight;
}

int
tl_credential_classes(const struct tl_manifest *m, const struct tl_roll *roll,
    struct tl_credential_keys **out, struct tl_error *err)
{
	struct tl_credential_keys *keys;
	struct tl_credential_class *all = NULL;
	size_t n = 0;

	if ((keys = calloc(1, sizeof(*keys))) == NULL ||
	    (roll->nvoters > 0 && (all = calloc(roll->nvoters,
	    sizeof(*all))) == NULL)) {
		free(keys);
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	snprintf(keys->election, sizeof(keys->election), "%s", m->id);
	for (size_t i = 0; i < roll->nvoters; i++) {
		all[i].constituency = roll->voters[i].constituency_index;
		all[i].weight = roll->voters[i].weight;
	}
	qsort(all, roll->nvoters, sizeof(*all), class_cmp);
	/* Runs of equal classes become one class with its count. */
	for (size_t i = 0; i < roll->nvoters; i++) {
		if (n > 0 && class_cmp(&all[n - 1], &all[i]) == 0) {
			all[n - 1].voters++;
			continue;
		}
		all[n] = all[i];
		all[n++].voters = 1;
	}
	if (n > TL_CREDENTIAL_MAX_CLASSES) {
		free(all);
		free(keys);
		return tl_error_set(err, TL_EROLL, "the roll has %zu credential "
		    "classes (pairs of constituency and weight); a secret "
		    "election takes at most %d", n, TL_CREDENTIAL_MAX_CLASSES);
	}
	keys->classes = all;
	keys->nclasses = n;
	*out = keys;
	return TL_OK;
}

const struct tl_credential_class *
tl_credential_class_find(const struct tl_credential_keys *keys,
    size_t constituency, int64_t weight)
{
	struct tl_credential_class probe;

	memset(&probe, 0, sizeof(probe));
	probe.constituency = constituency;
	probe.weight = weight;
	return bsearch(&probe, keys->classes, keys->nclasses,
	    sizeof(*keys->classes), class_cmp);
}

/* --- the credential keys statement ------------------------------------------ */

int
tl_credential_keys_serialize(const struct tl_credential_keys *keys,
    const struct tl_manifest *m, const char *hash, char **out, size_t *len,
    struct tl_error *err)
{
	json_t *classes = json_array(), *doc;
	int r = TL_OK;

	if (classes == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	for (size_t i = 0; i < keys->nclasses && r == TL_OK; i++) {
		const struct tl_credential_class *c = &keys->classes[i];
		char *b64 = NULL;

		if (c->der == NULL)
			r = tl_error_set(err, TL_EINTERNAL, "class %zu has no key",
			    i + 1);
		else if (tl_base64_encode(c->der, c->der_len, &b64) != TL_OK ||
		    json_array_append_new(classes, json_pack("{s:s, s:I, s:s}",
		    "constituency", m->constituencies[c->constituency].id,
		    "weight", (json_int_t)c->weight, "public_key", b64)) != 0)
			r = tl_error_set(err, TL_ENOMEM, "out of memory");
		free(b64);
	}
	if (r != TL_OK) {
		json_decref(classes);
		return r;
	}
	doc = json_pack("{s:s, s:s, s:o}", "election", m->id, "manifest", hash,
	    "classes", classes);
	if (doc == NULL || tl_json_dump(doc, out, len) != TL_OK)
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
	json_decref(doc);
	return r;
}

/* One class of a statement: where is "credential keys.classes[i]". */
static int
parse_class(json_t *item, const char *where, const struct tl_manifest *m,
    struct tl_credential_class *c, struct tl_error *err)
{
	static const char *const keys[] = {"constituency", "weight",
	    "public_key", NULL};
	const char *constituency, *b64;
	uint8_t *der = NULL;
	size_t der_len = 0;
	int r;

	if (!json_is_object(item))
		return tl_error_set(err, TL_EINPUT, "%s: must be an object",
		    where);
	if ((r = tl_json_only_keys(item, keys, where, TL_EINPUT, err)) !=
	    TL_OK ||
	    (r = tl_json_string(item, "constituency", 1, where, TL_EINPUT,
	    &constituency, err)) != TL_OK ||
	    (r = tl_json_int(item, "weight", 1, 1, TL_WEIGHT_MAX, where,
	    TL_EINPUT, &c->weight, err)) != TL_OK ||
	    (r = tl_json_string(item, "public_key", 1, where, TL_EINPUT, &b64,
	    err)) != TL_OK)
		return r;
	if ((c->constituency = tl_manifest_constituency_index(m,
	    constituency)) == (size_t)-1)
		return tl_error_set(err, TL_EINPUT, "%s.constituency: \"%.64s\" "
		    "is not a constituency of election %s", where, constituency,
		    m->id);
	if (tl_base64_decode(b64, strlen(b64), &der, &der_len) != TL_OK)
		return tl_error_set(err, TL_EINPUT, "%s.public_key: not base64",
		    where);
	if ((r = tl_blindrsa_key_from_public_der(der, der_len, &c->key,
	    err)) != TL_OK) {
		free(der);
		return tl_error_prefix(err, "%s.public_key", where);
	}
	c->der = der;
	c->der_len = der_len;
	if (tl_blindrsa_key_bits(c->key) != TL_BLINDRSA_BITS ||
	    !tl_blindrsa_key_e_is_f4(c->key))
		return tl_error_set(err, TL_EINPUT, "%s.public_key: an RSA key of "
		    "%u bits%s; a class key has %d bits and e = 65537", where,
		    tl_blindrsa_key_bits(c->key), tl_blindrsa_key_e_is_f4(c->key) ?
		    "" : " whose exponent is not 65537", TL_BLINDRSA_BITS);
	return TL_OK;
}

int
tl_credential_keys_parse(const char *payload, size_t len,
    const struct tl_manifest *m, struct tl_credential_keys **out,
    struct tl_error *err)
{
	static const char *const keys_allowed[] = {"election", "manifest",
	    "classes", NULL};
	struct tl_credential_keys *keys = NULL;
	json_t *doc = NULL, *classes;
	int r;

	if ((r = tl_json_load_object(payload, len, TL_CREDENTIAL_KEYS_MAX,
	    "credential keys", keys_allowed, TL_EINPUT, &doc, err)) != TL_OK)
		return r;
	if ((keys = calloc(1, sizeof(*keys))) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	if ((r = tl_json_id(doc, "election", "credential keys", TL_EINPUT,
	    keys->election, err)) != TL_OK ||
	    (r = tl_json_hash(doc, "manifest", "credential keys", TL_EINPUT,
	    keys->manifest, err)) != TL_OK ||
	    (r = tl_json_array(doc, "classes", 1, "credential keys", TL_EINPUT,
	    &classes, err)) != TL_OK)
		goto out;
	if (json_array_size(classes) == 0 ||
	    json_array_size(classes) > TL_CREDENTIAL_MAX_CLASSES) {
		r = tl_error_set(err, TL_EINPUT, "credential keys.classes: %zu "
		    "classes; there must be 1 to %d", json_array_size(classes),
		    TL_CREDENTIAL_MAX_CLASSES);
		goto out;
	}
	if ((keys->classes = calloc(json_array_size(classes),
	    sizeof(*keys->classes))) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < json_array_size(classes); i++) {
		struct tl_credential_class *c = &keys->classes[i];
		char where[48];

		snprintf(where, sizeof(where), "credential keys.classes[%zu]", i);
		keys->nclasses = i + 1;
		if ((r = parse_class(json_array_get(classes, i), where, m, c,
		    err)) != TL_OK)
			goto out;
		if (i > 0 && class_cmp(&keys->classes[i - 1], c) >= 0) {
			r = tl_error_set(err, TL_EINPUT, "%s: the classes must be "
			    "in order of constituency (as the manifest lists "
			    "them), then weight, each once", where);
			goto out;
		}
		for (size_t j = 0; j < i; j++)
			if (keys->classes[j].der_len == c->der_len &&
			    memcmp(keys->classes[j].der, c->der, c->der_len) == 0) {
				r = tl_error_set(err, TL_EINPUT, "%s.public_key: the "
				    "same key as class %zu's", where, j);
				goto out;
			}
	}
	*out = keys;
	keys = NULL;
 out:
	tl_credential_keys_free(keys);
	json_decref(doc);
	return r;
}

int
tl_credential_keys_open(const char *text, size_t len,
    const struct tl_key *authority, const struct tl_manifest *m,
    const char *hash, struct tl_credential_keys **out, struct tl_error *err)
{
	struct tl_credential_keys *keys = NULL;
	struct tl_envelope *env = NULL;
	int r;

	if ((r = tl_envelope_parse(text, len, TL_ENVELOPE_MAX_DEFAULT, &env,
	    err)) != TL_OK ||
	    (r = tl_envelope_expect_type(env, TL_TYPE_CREDENTIAL_KEYS, err)) !=
	    TL_OK)
		goto out;
	if (env->nsignatures != 1 || tl_envelope_verify(env, authority, NULL) !=
	    TL_OK) {
		r = tl_error_set(err, TL_ESIGNATURE, "the credential keys "
		    "statement is not signed by the election's authority key");
		goto out;
	}
	if ((r = tl_credential_keys_parse((const char *)env->payload,
	    env->payload_len, m, &keys, err)) != TL_OK)
		goto out;
	if (strcmp(keys->election, m->id) != 0 ||
	    strcmp(keys->manifest, hash) != 0) {
		r = tl_error_set(err, TL_EWRONGELECTION, "the credential keys "
		    "statement is of election %s with manifest %.16s..., not of "
		    "election %s with manifest %.16s...", keys->election,
		    keys->manifest, m->id, hash);
		goto out;
	}
	*out = keys;
	keys = NULL;
 out:
	tl_envelope_free(env);
	tl_credential_keys_free(keys);
	return r;
}

int
tl_credential_keys_match(const struct tl_credential_keys *keys,
    const struct tl_credential_keys *roll_classes,
    const struct tl_manifest *m, struct tl_error *err)
{
	size_t n = keys->nclasses < roll_classes->nclasses ? keys->nclasses :
	    roll_classes->nclasses;

	for (size_t i = 0; i < n; i++) {
		const struct tl_credential_class *a = &keys->classes[i];
		const struct tl_credential_class *b = &roll_classes->classes[i];

		if (class_cmp(a, b) != 0)
			return tl_error_set(err, TL_EINPUT, "class %zu is "
			    "(%s, weight %lld), but the roll's class %zu is (%s, "
			    "weight %lld)", i + 1,
			    m->constituencies[a->constituency].id,
			    (long long)a->weight, i + 1,
			    m->constituencies[b->constituency].id,
			    (long long)b->weight);
	}
	if (keys->nclasses != roll_classes->nclasses)
		return tl_error_set(err, TL_EINPUT, "%zu classes, but the roll "
		    "has %zu (pairs of constituency and weight)", keys->nclasses,
		    roll_classes->nclasses);
	return TL_OK;
}

/* --- the credential message, and a ballot's credential ----------------------- */

int
tl_credential_message(const char *election, const char *manifest_hash,
    const char *constituency, int64_t weight,
    const uint8_t ballot_key[TL_ED25519_PUBLIC_LEN], uint8_t **out,
    size_t *len)
{
	struct tl_buf buf;
	int r;

	tl_buf_init(&buf, 4096);
	if ((r = tl_buf_add(&buf, TAG, sizeof(TAG))) != TL_OK ||
	    (r = tl_buf_add(&buf, election, strlen(election) + 1)) != TL_OK ||
	    (r = tl_buf_add(&buf, manifest_hash, strlen(manifest_hash) + 1)) !=
	    TL_OK ||
	    (r = tl_buf_add(&buf, constituency, strlen(constituency) + 1)) !=
	    TL_OK ||
	    (r = tl_buf_addf(&buf, "%lld", (long long)weight)) != TL_OK ||
	    (r = tl_buf_add(&buf, "", 1)) != TL_OK ||
	    (r = tl_buf_add(&buf, ballot_key, TL_ED25519_PUBLIC_LEN)) != TL_OK) {
		tl_buf_free(&buf);
		return r;
	}
	*len = buf.len;
	*out = (uint8_t *)buf.data;
	return TL_OK;
}

/* prefix || the credential message: what the class key signs. */
static int
prepared_message(const char *election, const char *hash,
    const struct tl_ballot_credential *c, uint8_t **out, size_t *len)
{
	uint8_t *msg = NULL, *prepared;
	size_t msg_len = 0;
	int r;

	if ((r = tl_credential_message(election, hash, c->constituency,
	    c->weight, c->ballot_key, &msg, &msg_len)) != TL_OK)
		return r;
	if ((prepared = malloc(TL_BLINDRSA_PREFIX_LEN + msg_len)) == NULL) {
		free(msg);
		return TL_ENOMEM;
	}
	memcpy(prepared, c->prefix, TL_BLINDRSA_PREFIX_LEN);
	memcpy(prepared + TL_BLINDRSA_PREFIX_LEN, msg, msg_len);
	free(msg);
	*out = prepared;
	*len = TL_BLINDRSA_PREFIX_LEN + msg_len;
	return TL_OK;
}

int
tl_credential_check_ballot(const struct tl_credential_keys *keys,
    const struct tl_manifest *m, const char *hash,
    const struct tl_ballot *ballot, struct tl_error *err)
{
	const struct tl_ballot_credential *c = ballot->credential;
	const struct tl_credential_class *cls;
	uint8_t *prepared = NULL;
	size_t len = 0;
	int r;

	if (c == NULL)
		return tl_error_set(err, TL_EBALLOT, "the ballot carries no "
		    "credential");
	if ((cls = tl_credential_class_find(keys, c->constituency_index,
	    c->weight)) == NULL || cls->key == NULL)
		return tl_error_set(err, TL_EBALLOT, "ballot.credential: there "
		    "is no credential class (%s, weight %lld) in election %s",
		    c->constituency, (long long)c->weight, m->id);
	if ((r = prepared_message(m->id, hash, c, &prepared, &len)) != TL_OK)
		return tl_error_set(err, r, "out of memory");
	r = tl_blindrsa_verify(cls->key, prepared, len, c->signature,
	    c->signature_len);
	free(prepared);
	if (r != TL_OK)
		return tl_error_set(err, TL_ESIGNATURE, "ballot.credential: the "
		    "signature is not a credential of class (%s, weight %lld) for "
		    "this ballot key", c->constituency, (long long)c->weight);
	return TL_OK;
}

/* --- requests and issuances -------------------------------------------------- */

/* A base64 member of 256 to TL_BLINDRSA_MAX_LEN bytes, decoded. */
static int
get_rsa_bytes(json_t *obj, const char *key, const char *what, uint8_t *out,
    size_t *out_len, struct tl_error *err)
{
	const char *b64;
	uint8_t *bytes = NULL;
	size_t n = 0;
	int r;

	if ((r = tl_json_string(obj, key, 1, what, TL_EINPUT, &b64, err)) !=
	    TL_OK)
		return r;
	if (tl_base64_decode(b64, strlen(b64), &bytes, &n) != TL_OK)
		return tl_error_set(err, TL_EINPUT, "%s.%s: not base64", what, key);
	if (n < TL_BLINDRSA_MIN_BITS / 8 || n > TL_BLINDRSA_MAX_LEN) {
		free(bytes);
		return tl_error_set(err, TL_EINPUT, "%s.%s: %zu bytes, not the "
		    "size of an RSA modulus", what, key, n);
	}
	memcpy(out, bytes, n);
	*out_len = n;
	free(bytes);
	return TL_OK;
}

/* A hash at *p: the rest of a string of 64 lowercase hex digits. */
static int
take_hash(const char **p, const char *end, char out[TL_HASH_SIZE])
{
	return tl_json_take_string(p, end, out, TL_HASH_SIZE) &&
	    strlen(out) == TL_HASH_HEX_LEN &&
	    strspn(out, "0123456789abcdef") == TL_HASH_HEX_LEN;
}

/* An id at *p: the rest of a string that tl_valid_id takes. */
static int
take_id(const char **p, const char *end, char out[TL_ID_SIZE])
{
	return tl_json_take_string(p, end, out, TL_ID_SIZE) && tl_valid_id(out);
}

int
tl_credential_request_parse_canonical(const char *payload, size_t len,
    struct tl_credential_request *out)
{
	const char *p = payload, *end = payload + len;
	uint8_t *blinded = NULL;
	size_t n = 0;
	int ok;

	memset(out, 0, sizeof(*out));
	ok = len <= TL_CREDENTIAL_PAYLOAD_MAX &&
	    TL_JSON_TAKE(&p, end, "{\"election\":\"") &&
	    take_id(&p, end, out->election) &&
	    TL_JSON_TAKE(&p, end, ",\"manifest\":\"") &&
	    take_hash(&p, end, out->manifest) &&
	    TL_JSON_TAKE(&p, end, ",\"voter\":\"") &&
	    take_id(&p, end, out->voter) &&
	    TL_JSON_TAKE(&p, end, ",\"constituency\":\"") &&
	    take_id(&p, end, out->constituency) &&
	    TL_JSON_TAKE(&p, end, ",\"weight\":") &&
	    tl_json_take_positive(&p, end, TL_WEIGHT_MAX, &out->weight) &&
	    TL_JSON_TAKE(&p, end, ",\"blinded_message\":\"") &&
	    tl_json_take_base64(&p, end, &blinded, &n);
	if (ok && (!TL_JSON_TAKE(&p, end, "}") || p != end ||
	    n < TL_BLINDRSA_MIN_BITS / 8 || n > TL_BLINDRSA_MAX_LEN))
		ok = 0;
	if (ok) {
		memcpy(out->blinded, blinded, n);
		out->blinded_len = n;
	}
	free(blinded);
	if (!ok) {
		memset(out, 0, sizeof(*out));
		return TL_EINPUT;
	}
	return TL_OK;
}

int
tl_credential_request_parse(const char *payload, size_t len,
    struct tl_credential_request *out, struct tl_error *err)
{
	static const char *const keys[] = {"election", "manifest", "voter",
	    "constituency", "weight", "blinded_message", NULL};
	static const char what[] = "credential request";
	json_t *doc = NULL;
	int r;

	if (tl_credential_request_parse_canonical(payload, len, out) == TL_OK)
		return TL_OK;
	if ((r = tl_json_load_object(payload, len, TL_CREDENTIAL_PAYLOAD_MAX,
	    what, keys, TL_EINPUT, &doc, err)) != TL_OK)
		return r;
	if ((r = tl_json_id(doc, "election", what, TL_EINPUT, out->election,
	    err)) == TL_OK &&
	    (r = tl_json_hash(doc, "manifest", what, TL_EINPUT, out->manifest,
	    err)) == TL_OK &&
	    (r = tl_json_id(doc, "voter", what, TL_EINPUT, out->voter, err)) ==
	    TL_OK &&
	    (r = tl_json_id(doc, "constituency", what, TL_EINPUT,
	    out->constituency, err)) == TL_OK &&
	    (r = tl_json_int(doc, "weight", 1, 1, TL_WEIGHT_MAX, what, TL_EINPUT,
	    &out->weight, err)) == TL_OK)
		r = get_rsa_bytes(doc, "blinded_message", what, out->blinded,
		    &out->blinded_len, err);
	json_decref(doc);
	return r;
}

int
tl_credential_request_serialize(const struct tl_credential_request *q,
    char **out, size_t *len, struct tl_error *err)
{
	struct tl_credential_request check;
	char *b64 = NULL;
	json_t *doc;
	int r;

	if (tl_base64_encode(q->blinded, q->blinded_len, &b64) != TL_OK)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	doc = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "election",
	    q->election, "manifest", q->manifest, "voter", q->voter,
	    "constituency", q->constituency, "weight", (json_int_t)q->weight,
	    "blinded_message", b64);
	free(b64);
	if (doc == NULL || tl_json_dump(doc, out, len) != TL_OK) {
		json_decref(doc);
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	json_decref(doc);
	/* What teller signs, it can read back. */
	if ((r = tl_credential_request_parse(*out, *len, &check, err)) !=
	    TL_OK) {
		free(*out);
		*out = NULL;
	}
	return r;
}

int
tl_credential_issuance_parse(const char *payload, size_t len,
    struct tl_credential_issuance *out, struct tl_error *err)
{
	static const char *const keys[] = {"election", "request",
	    "blind_signature", NULL};
	static const char what[] = "credential issuance";
	json_t *doc = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = tl_json_load_object(payload, len, TL_CREDENTIAL_PAYLOAD_MAX,
	    what, keys, TL_EINPUT, &doc, err)) != TL_OK)
		return r;
	if ((r = tl_json_id(doc, "election", what, TL_EINPUT, out->election,
	    err)) == TL_OK &&
	    (r = tl_json_hash(doc, "request", what, TL_EINPUT, out->request,
	    err)) == TL_OK)
		r = get_rsa_bytes(doc, "blind_signature", what,
		    out->blind_signature, &out->blind_signature_len, err);
	json_decref(doc);
	return r;
}

int
tl_credential_issuance_serialize(const struct tl_credential_issuance *i,
    char **out, size_t *len, struct tl_error *err)
{
	static const char form[] = "{\"election\":\"%s\",\"request\":\"%s\","
	    "\"blind_signature\":\"%s\"}";
	char *b64 = NULL;
	json_t *doc;
	int n;

	if (tl_base64_encode(i->blind_signature, i->blind_signature_len,
	    &b64) != TL_OK)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	/* Strings that JSON writes as they are (always, from teller): the
	 * compact form directly, the same bytes as by Jansson. */
	if (tl_json_plain(i->election) && tl_json_plain(i->request)) {
		n = asprintf(out, form, i->election, i->request, b64);
		free(b64);
		if (n < 0) {
			*out = NULL;
			return tl_error_set(err, TL_ENOMEM, "out of memory");
		}
		if (len != NULL)
			*len = (size_t)n;
		return TL_OK;
	}
	doc = json_pack("{s:s, s:s, s:s}", "election", i->election, "request",
	    i->request, "blind_signature", b64);
	free(b64);
	if (doc == NULL || tl_json_dump(doc, out, len) != TL_OK) {
		json_decref(doc);
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	json_decref(doc);
	return TL_OK;
}

/* --- the voter's side ------------------------------------------------------- */

void
tl_credential_holder_free(struct tl_credential_holder *h)
{
	if (h == NULL)
		return;
	tl_key_free(h->ballot_key);
	free(h->request);
	free(h->credential.signature);
	tl_wipe(h, sizeof(*h));
	free(h);
}

int
tl_credential_holder_done(const struct tl_credential_holder *h)
{
	return h->credential.signature_len != 0;
}

int
tl_credential_holder_new(const struct tl_manifest *m, const char *hash,
    const struct tl_credential_keys *keys, const struct tl_voter *voter,
    const struct tl_key *roll_key, struct tl_credential_holder **out,
    struct tl_error *err)
{
	const struct tl_credential_class *cls;
	struct tl_credential_holder *h = NULL;
	struct tl_credential_request q;
	struct tl_envelope *env = NULL;
	uint8_t raw[TL_ED25519_PUBLIC_LEN], *msg = NULL, *prepared = NULL;
	char *payload = NULL;
	size_t msg_len = 0, prepared_len = 0, payload_len = 0;
	int r;

	tl_key_public_raw(roll_key, raw);
	if (memcmp(raw, voter->public_raw, sizeof(raw)) != 0)
		return tl_error_set(err, TL_ESIGNATURE, "this key is not the one "
		    "the roll gives voter %s (key id %.16s...)", voter->id,
		    voter->key_id);
	if ((cls = tl_credential_class_find(keys, voter->constituency_index,
	    voter->weight)) == NULL || cls->key == NULL)
		return tl_error_set(err, TL_EVERIFY, "the credential keys have no "
		    "class (%s, weight %lld) for voter %s", voter->constituency,
		    (long long)voter->weight, voter->id);
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	snprintf(h->election, sizeof(h->election), "%s", m->id);
	snprintf(h->manifest, sizeof(h->manifest), "%s", hash);
	snprintf(h->voter, sizeof(h->voter), "%s", voter->id);
	snprintf(h->credential.constituency, sizeof(h->credential.constituency),
	    "%s", voter->constituency);
	h->credential.constituency_index = voter->constituency_index;
	h->credential.weight = voter->weight;
	/* A one-time ballot key, and its credential message prepared
	 * (RFC 9474 4.1) and blinded for the class key (4.2). */
	if ((r = tl_key_generate(&h->ballot_key, err)) != TL_OK)
		goto out;
	tl_key_public_raw(h->ballot_key, h->credential.ballot_key);
	if ((r = tl_credential_message(m->id, hash, voter->constituency,
	    voter->weight, h->credential.ballot_key, &msg, &msg_len)) != TL_OK ||
	    (r = tl_blindrsa_prepare(msg, msg_len, h->credential.prefix,
	    &prepared, &prepared_len)) != TL_OK) {
		tl_error_set(err, r, "cannot prepare the credential message");
		goto out;
	}
	memset(&q, 0, sizeof(q));
	h->inv_len = q.blinded_len = tl_blindrsa_key_len(cls->key);
	if ((r = tl_blindrsa_blind(cls->key, prepared, prepared_len, q.blinded,
	    h->inv, err)) != TL_OK)
		goto out;
	snprintf(q.election, sizeof(q.election), "%s", m->id);
	snprintf(q.manifest, sizeof(q.manifest), "%s", hash);
	snprintf(q.voter, sizeof(q.voter), "%s", voter->id);
	snprintf(q.constituency, sizeof(q.constituency), "%s",
	    voter->constituency);
	q.weight = voter->weight;
	if ((r = tl_credential_request_serialize(&q, &payload, &payload_len,
	    err)) != TL_OK ||
	    (r = tl_envelope_sign(TL_TYPE_CREDENTIAL_REQUEST, payload,
	    payload_len, roll_key, &env, err)) != TL_OK ||
	    (r = tl_envelope_serialize(env, &h->request, NULL, err)) != TL_OK)
		goto out;
	*out = h;
	h = NULL;
 out:
	free(msg);
	free(prepared);
	free(payload);
	tl_envelope_free(env);
	tl_credential_holder_free(h);
	return r;
}

int
tl_credential_holder_finish(struct tl_credential_holder *h,
    const struct tl_credential_keys *keys, const struct tl_key *authority,
    const char *issuance, size_t len, struct tl_error *err)
{
	const struct tl_credential_class *cls;
	struct tl_credential_issuance iss;
	struct tl_envelope *env = NULL;
	uint8_t *prepared = NULL, sig[TL_BLINDRSA_MAX_LEN];
	char request_hash[TL_HASH_HEX_LEN + 1];
	size_t prepared_len = 0, k;
	int r;

	if ((cls = tl_credential_class_find(keys,
	    h->credential.constituency_index, h->credential.weight)) == NULL ||
	    cls->key == NULL)
		return tl_error_set(err, TL_EVERIFY, "the credential keys have no "
		    "class (%s, weight %lld)", h->credential.constituency,
		    (long long)h->credential.weight);
	k = tl_blindrsa_key_len(cls->key);
	if ((r = tl_envelope_parse(issuance, len, TL_ENVELOPE_MAX_CREDENTIAL,
	    &env, err)) != TL_OK ||
	    (r = tl_envelope_expect_type(env, TL_TYPE_CREDENTIAL, err)) !=
	    TL_OK)
		goto out;
	if (env->nsignatures != 1 ||
	    tl_envelope_verify(env, authority, err) != TL_OK) {
		r = tl_error_set(err, TL_ESIGNATURE, "the credential issuance is "
		    "not signed by the election's authority key");
		goto out;
	}
	if ((r = tl_credential_issuance_parse((const char *)env->payload,
	    env->payload_len, &iss, err)) != TL_OK)
		goto out;
	tl_sha256_hex(h->request, strlen(h->request), request_hash);
	if (strcmp(iss.election, h->election) != 0 ||
	    strcmp(iss.request, request_hash) != 0) {
		r = tl_error_set(err, TL_EVERIFY, "the credential issuance answers "
		    "another request (%.16s...) of election %s, not this one "
		    "(%.16s...)", iss.request, iss.election, request_hash);
		goto out;
	}
	/* RFC 9474 4.4: unblind, and keep the result only if it verifies
	 * under the class key. */
	if ((r = prepared_message(h->election, h->manifest, &h->credential,
	    &prepared, &prepared_len)) != TL_OK) {
		tl_error_set(err, r, "out of memory");
		goto out;
	}
	if ((r = tl_blindrsa_finalize(cls->key, prepared, prepared_len,
	    iss.blind_signature, iss.blind_signature_len, h->inv, h->inv_len,
	    sig, err)) != TL_OK) {
		tl_error_prefix(err, "the authority's blind signature does not "
		    "give a credential");
		goto out;
	}
	free(h->credential.signature);
	if ((h->credential.signature = malloc(k)) == NULL) {
		h->credential.signature_len = 0;
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(h->credential.signature, sig, k);
	h->credential.signature_len = k;
	/* Unblinded: inv has served its one purpose. */
	tl_wipe(h->inv, sizeof(h->inv));
	h->inv_len = 0;
	r = TL_OK;
 out:
	tl_envelope_free(env);
	free(prepared);
	return r;
}

/* A base64 member of the credential file of exactly n bytes (or, when
 * optional and absent, *len 0). */
static int
holder_bytes(json_t *doc, const char *key, size_t min, size_t max,
    int required, uint8_t *out, size_t *len, struct tl_error *err)
{
	const char *b64;
	uint8_t *bytes = NULL;
	size_t n = 0;
	int r;

	*len = 0;
	if ((r = tl_json_string(doc, key, required, "credential file",
	    TL_EINPUT, &b64, err)) != TL_OK || b64 == NULL)
		return r;
	if (tl_base64_decode(b64, strlen(b64), &bytes, &n) != TL_OK ||
	    n < min || n > max) {
		free(bytes);
		return tl_error_set(err, TL_EINPUT, "credential file: %s: not "
		    "base64 of %zu to %zu bytes", key, min, max);
	}
	memcpy(out, bytes, n);
	tl_wipe(bytes, n);
	free(bytes);
	*len = n;
	return TL_OK;
}

int
tl_credential_holder_serialize(const struct tl_credential_holder *h,
    char **out, struct tl_error *err)
{
	char *pem = NULL, *prefix = NULL, *inv = NULL, *sig = NULL, *text;
	json_t *doc = NULL;
	int r;

	if ((r = tl_key_private_pem(h->ballot_key, &pem, err)) != TL_OK)
		return r;
	if (tl_base64_encode(h->credential.prefix, TL_BLINDRSA_PREFIX_LEN,
	    &prefix) != TL_OK ||
	    (h->inv_len > 0 && tl_base64_encode(h->inv, h->inv_len, &inv) !=
	    TL_OK) ||
	    (h->credential.signature_len > 0 && tl_base64_encode(
	    h->credential.signature, h->credential.signature_len, &sig) !=
	    TL_OK) ||
	    (doc = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s}",
	    "election", h->election, "manifest", h->manifest, "voter", h->voter,
	    "constituency", h->credential.constituency, "weight",
	    (json_int_t)h->credential.weight, "ballot_key", pem, "prefix",
	    prefix, "request", h->request)) == NULL ||
	    (inv != NULL && json_object_set_new(doc, "inv",
	    json_string(inv)) != 0) ||
	    (sig != NULL && json_object_set_new(doc, "signature",
	    json_string(sig)) != 0) ||
	    (text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) ==
	    NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	*out = text;
	r = TL_OK;
 out:
	tl_wipe_free(pem);
	tl_wipe_free(inv);
	free(prefix);
	free(sig);
	json_decref(doc);
	return r;
}

int
tl_credential_holder_parse(const char *text, size_t len,
    const struct tl_manifest *m, struct tl_credential_holder **out,
    struct tl_error *err)
{
	static const char *const keys[] = {"election", "manifest", "voter",
	    "constituency", "weight", "ballot_key", "prefix", "inv", "request",
	    "signature", NULL};
	static const char what[] = "credential file";
	struct tl_credential_holder *h = NULL;
	const char *pem, *request;
	size_t prefix_len = 0;
	uint8_t sig[TL_BLINDRSA_MAX_LEN];
	size_t sig_len = 0;
	json_t *doc = NULL;
	int r;

	if ((r = tl_json_load_object(text, len, TL_CREDENTIAL_HOLDER_MAX, what,
	    keys, TL_EINPUT, &doc, err)) != TL_OK)
		return r;
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	if ((r = tl_json_id(doc, "election", what, TL_EINPUT, h->election,
	    err)) != TL_OK ||
	    (r = tl_json_hash(doc, "manifest", what, TL_EINPUT, h->manifest,
	    err)) != TL_OK ||
	    (r = tl_json_id(doc, "voter", what, TL_EINPUT, h->voter, err)) !=
	    TL_OK ||
	    (r = tl_json_id(doc, "constituency", what, TL_EINPUT,
	    h->credential.constituency, err)) != TL_OK ||
	    (r = tl_json_int(doc, "weight", 1, 1, TL_WEIGHT_MAX, what,
	    TL_EINPUT, &h->credential.weight, err)) != TL_OK ||
	    (r = tl_json_string(doc, "ballot_key", 1, what, TL_EINPUT, &pem,
	    err)) != TL_OK ||
	    (r = tl_json_string(doc, "request", 1, what, TL_EINPUT, &request,
	    err)) != TL_OK ||
	    (r = holder_bytes(doc, "prefix", TL_BLINDRSA_PREFIX_LEN,
	    TL_BLINDRSA_PREFIX_LEN, 1, h->credential.prefix, &prefix_len,
	    err)) != TL_OK ||
	    (r = holder_bytes(doc, "inv", TL_BLINDRSA_MIN_BITS / 8,
	    TL_BLINDRSA_MAX_LEN, 0, h->inv, &h->inv_len, err)) != TL_OK ||
	    (r = holder_bytes(doc, "signature", TL_BLINDRSA_MIN_BITS / 8,
	    TL_BLINDRSA_MAX_LEN, 0, sig, &sig_len, err)) != TL_OK)
		goto out;
	if (strcmp(h->election, m->id) != 0) {
		r = tl_error_set(err, TL_EWRONGELECTION, "the credential file is "
		    "for election %s, not %s", h->election, m->id);
		goto out;
	}
	if ((h->credential.constituency_index = tl_manifest_constituency_index(
	    m, h->credential.constituency)) == (size_t)-1) {
		r = tl_error_set(err, TL_EINPUT, "credential file: constituency "
		    "\"%s\" is not one of election %s", h->credential.constituency,
		    m->id);
		goto out;
	}
	if (h->inv_len == 0 && sig_len == 0) {
		r = tl_error_set(err, TL_EINPUT, "credential file: it has neither "
		    "inv (a request waiting for its answer) nor signature (a "
		    "credential)");
		goto out;
	}
	if ((r = tl_key_from_private_pem(pem, strlen(pem), &h->ballot_key,
	    err)) != TL_OK) {
		tl_error_prefix(err, "credential file: ballot_key");
		goto out;
	}
	tl_key_public_raw(h->ballot_key, h->credential.ballot_key);
	if ((h->request = strdup(request)) == NULL ||
	    (sig_len > 0 && (h->credential.signature = malloc(sig_len)) ==
	    NULL)) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	if (sig_len > 0)
		memcpy(h->credential.signature, sig, sig_len);
	h->credential.signature_len = sig_len;
	*out = h;
	h = NULL;
 out:
	json_decref(doc);
	tl_credential_holder_free(h);
	return r;
}
