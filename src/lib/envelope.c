/*
 * envelope.c: DSSE envelopes: PAE, signing, canonical serialisation,
 * bounded parsing and verification.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonutil.h"
#include "teller/envelope.h"
#include "teller/util.h"

/* n in decimal at p (at most 20 digits); the number of digits. */
static size_t
put_decimal(uint8_t *p, size_t n)
{
	uint8_t digits[20];
	size_t k = 0;

	do {
		digits[k++] = (uint8_t)('0' + n % 10);
		n /= 10;
	} while (n != 0);
	for (size_t i = 0; i < k; i++)
		p[i] = digits[k - 1 - i];
	return k;
}

int
tl_envelope_pae(const char *type, const uint8_t *payload, size_t len,
    uint8_t **out, size_t *outlen)
{
	size_t tlen = strlen(type), o = 7;
	uint8_t *pae;

	/* Every signature check builds one: no printf. */
	if (len > SIZE_MAX / 2 || tlen > SIZE_MAX / 4 ||
	    (pae = malloc(len + tlen + 2 * 20 + 16)) == NULL)
		return TL_ENOMEM;
	memcpy(pae, "DSSEv1 ", o);
	o += put_decimal(pae + o, tlen);
	pae[o++] = ' ';
	memcpy(pae + o, type, tlen);
	o += tlen;
	pae[o++] = ' ';
	o += put_decimal(pae + o, len);
	pae[o++] = ' ';
	if (len != 0)
		memcpy(pae + o, payload, len);
	*out = pae;
	*outlen = o + len;
	return TL_OK;
}

static struct tl_envelope *
envelope_new(const char *type, const void *payload, size_t len)
{
	struct tl_envelope *env = calloc(1, sizeof(*env));

	if (env == NULL)
		return NULL;
	env->payload_type = strdup(type);
	env->payload = malloc(len + 1);
	if (env->payload_type == NULL || env->payload == NULL) {
		tl_envelope_free(env);
		return NULL;
	}
	if (len != 0)
		memcpy(env->payload, payload, len);
	env->payload[len] = '\0';
	env->payload_len = len;
	return env;
}

int
tl_envelope_sign(const char *type, const void *payload, size_t len,
    const struct tl_key *key, struct tl_envelope **out, struct tl_error *err)
{
	struct tl_envelope *env = NULL;
	uint8_t *pae = NULL;
	size_t pae_len = 0;
	int r;

	if ((env = envelope_new(type, payload, len)) == NULL ||
	    (env->signatures = calloc(1, sizeof(*env->signatures))) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	if ((r = tl_envelope_pae(type, env->payload, len, &pae, &pae_len)) !=
	    TL_OK) {
		tl_error_set(err, r, "cannot build PAE");
		goto out;
	}
	if ((r = tl_key_sign(key, pae, pae_len, env->signatures[0].sig, err)) !=
	    TL_OK)
		goto out;
	tl_key_id(key, env->signatures[0].keyid);
	env->nsignatures = 1;
	*out = env;
	env = NULL;
 out:
	free(pae);
	tl_envelope_free(env);
	return r;
}

/* Appends the n bytes at s to *o. */
static void
put(char **o, const char *s, size_t n)
{
	memcpy(*o, s, n);
	*o += n;
}
#define PUT(o, lit) put(o, lit, sizeof(lit) - 1)

/*
 * The canonical form written directly, without a JSON tree, when every
 * string in it is one Jansson writes as it is (the types and key ids
 * teller makes always are): the same bytes as the JSON path below.
 * NULL for any other envelope (or out of memory).
 */
static char *
serialize_plain(const struct tl_envelope *env, size_t *outlen)
{
	static const char head[] = "{\"payloadType\":\"\",\"payload\":\"\","
	    "\"signatures\":[]}";
	static const char sig_head[] = ",{\"keyid\":\"\",\"sig\":\"\"}";
	const size_t sig_len = sizeof(sig_head) + TL_KEYID_LEN +
	    (TL_ED25519_SIG_LEN + 2) / 3 * 4;
	size_t tlen = strlen(env->payload_type), n;
	char *text, *o;

	if (!tl_json_plain(env->payload_type) ||
	    env->payload_len > (size_t)INT32_MAX / 4 * 3 ||
	    env->nsignatures > TL_ENVELOPE_MAX_SIGNATURES)
		return NULL;
	for (size_t i = 0; i < env->nsignatures; i++)
		if (strlen(env->signatures[i].keyid) != TL_KEYID_LEN ||
		    !tl_json_plain(env->signatures[i].keyid))
			return NULL;
	n = sizeof(head) + tlen + (env->payload_len + 2) / 3 * 4 +
	    env->nsignatures * sig_len;
	if ((text = malloc(n)) == NULL)
		return NULL;
	o = text;
	PUT(&o, "{\"payloadType\":\"");
	put(&o, env->payload_type, tlen);
	PUT(&o, "\",\"payload\":\"");
	tl_base64_encode_to(env->payload, env->payload_len, o);
	o += (env->payload_len + 2) / 3 * 4;
	PUT(&o, "\",\"signatures\":[");
	for (size_t i = 0; i < env->nsignatures; i++) {
		if (i > 0)
			PUT(&o, ",");
		PUT(&o, "{\"keyid\":\"");
		put(&o, env->signatures[i].keyid, TL_KEYID_LEN);
		PUT(&o, "\",\"sig\":\"");
		tl_base64_encode_to(env->signatures[i].sig, TL_ED25519_SIG_LEN,
		    o);
		o += (TL_ED25519_SIG_LEN + 2) / 3 * 4;
		PUT(&o, "\"}");
	}
	PUT(&o, "]}");
	*o = '\0';
	*outlen = (size_t)(o - text);
	return text;
}

int
tl_envelope_serialize(const struct tl_envelope *env, char **out,
    size_t *outlen, struct tl_error *err)
{
	json_t *root = NULL, *sigs = NULL;
	char *payload_b64 = NULL, *text = NULL;
	size_t len;
	int r = TL_ENOMEM;

	if ((text = serialize_plain(env, &len)) != NULL) {
		if (outlen != NULL)
			*outlen = len;
		*out = text;
		return TL_OK;
	}

	if (tl_base64_encode(env->payload, env->payload_len, &payload_b64) !=
	    TL_OK)
		goto out;
	if ((sigs = json_array()) == NULL)
		goto out;
	for (size_t i = 0; i < env->nsignatures; i++) {
		char *sig_b64 = NULL;
		json_t *sig;

		if (tl_base64_encode(env->signatures[i].sig, TL_ED25519_SIG_LEN,
		    &sig_b64) != TL_OK)
			goto out;
		sig = json_pack("{s:s, s:s}", "keyid", env->signatures[i].keyid,
		    "sig", sig_b64);
		free(sig_b64);
		if (sig == NULL || json_array_append_new(sigs, sig) != 0)
			goto out;
	}
	root = json_pack("{s:s, s:s, s:O}", "payloadType", env->payload_type,
	    "payload", payload_b64, "signatures", sigs);
	if (root == NULL)
		goto out;
	if ((text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER)) ==
	    NULL)
		goto out;
	if (outlen != NULL)
		*outlen = strlen(text);
	*out = text;
	r = TL_OK;
 out:
	if (r != TL_OK)
		tl_error_set(err, r, "cannot serialize envelope");
	json_decref(root);
	json_decref(sigs);
	free(payload_b64);
	return r;
}

static int
parse_signature(json_t *item, size_t index, struct tl_signature *sig,
    struct tl_error *err)
{
	const char *keyid, *sig_b64, *key;
	uint8_t *raw = NULL;
	size_t rawlen = 0;
	json_t *value;

	if (!json_is_object(item))
		return tl_error_set(err, TL_EINPUT,
		    "envelope: signatures[%zu] is not an object", index);
	json_object_foreach(item, key, value) {
		if (strcmp(key, "keyid") != 0 && strcmp(key, "sig") != 0)
			return tl_error_set(err, TL_EINPUT,
			    "envelope: signatures[%zu] has unknown field \"%s\"",
			    index, key);
	}
	keyid = json_string_value(json_object_get(item, "keyid"));
	sig_b64 = json_string_value(json_object_get(item, "sig"));
	if (keyid == NULL || strlen(keyid) != TL_KEYID_LEN ||
	    strspn(keyid, "0123456789abcdef") != TL_KEYID_LEN)
		return tl_error_set(err, TL_EINPUT,
		    "envelope: signatures[%zu].keyid is not 64 lowercase hex "
		    "digits", index);
	if (sig_b64 == NULL ||
	    tl_base64_decode(sig_b64, strlen(sig_b64), &raw, &rawlen) != TL_OK)
		return tl_error_set(err, TL_EINPUT,
		    "envelope: signatures[%zu].sig is not base64", index);
	if (rawlen != TL_ED25519_SIG_LEN) {
		free(raw);
		return tl_error_set(err, TL_EINPUT,
		    "envelope: signatures[%zu].sig is %zu bytes, not 64", index,
		    rawlen);
	}
	memcpy(sig->keyid, keyid, TL_KEYID_LEN + 1);
	memcpy(sig->sig, raw, TL_ED25519_SIG_LEN);
	free(raw);
	return TL_OK;
}

int
tl_envelope_parse_canonical(const char *data, size_t len, size_t max_len,
    struct tl_envelope **out)
{
	const char *p = data, *end = data + len;
	struct tl_signature sigs[TL_ENVELOPE_MAX_SIGNATURES];
	struct tl_envelope *env = NULL;
	char type[256];
	uint8_t *payload = NULL, *sig = NULL;
	size_t payload_len = 0, sig_len = 0, nsigs = 0;
	int ok;

	if (len > max_len ||
	    !TL_JSON_TAKE(&p, end, "{\"payloadType\":\"") ||
	    !tl_json_take_string(&p, end, type, sizeof(type)) ||
	    type[0] == '\0' ||
	    !TL_JSON_TAKE(&p, end, ",\"payload\":\"") ||
	    !tl_json_take_base64(&p, end, &payload, &payload_len))
		return TL_EINPUT;
	ok = TL_JSON_TAKE(&p, end, ",\"signatures\":[");
	while (ok) {
		struct tl_signature *s = &sigs[nsigs];
		char keyid[TL_KEYID_LEN + 2];

		ok = nsigs < TL_ENVELOPE_MAX_SIGNATURES &&
		    TL_JSON_TAKE(&p, end, "{\"keyid\":\"") &&
		    tl_json_take_string(&p, end, keyid, sizeof(keyid)) &&
		    strlen(keyid) == TL_KEYID_LEN &&
		    strspn(keyid, "0123456789abcdef") == TL_KEYID_LEN &&
		    TL_JSON_TAKE(&p, end, ",\"sig\":\"") &&
		    tl_json_take_base64(&p, end, &sig, &sig_len);
		if (ok) {
			ok = sig_len == TL_ED25519_SIG_LEN &&
			    TL_JSON_TAKE(&p, end, "}");
			if (ok) {
				memcpy(s->keyid, keyid, sizeof(s->keyid));
				memcpy(s->sig, sig, TL_ED25519_SIG_LEN);
				nsigs++;
			}
			free(sig);
			sig = NULL;
		}
		if (ok && !TL_JSON_TAKE(&p, end, ","))
			break;
	}
	ok = ok && TL_JSON_TAKE(&p, end, "]}") && p == end;
	if (ok && ((env = envelope_new(type, payload, payload_len)) == NULL ||
	    (env->signatures = calloc(nsigs, sizeof(*sigs))) == NULL))
		ok = 0;
	free(payload);
	if (!ok) {
		tl_envelope_free(env);
		return TL_EINPUT;
	}
	memcpy(env->signatures, sigs, nsigs * sizeof(*sigs));
	env->nsignatures = nsigs;
	*out = env;
	return TL_OK;
}

int
tl_envelope_parse(const char *data, size_t len, size_t max_len,
    struct tl_envelope **out, struct tl_error *err)
{
	struct tl_envelope *env = NULL;
	json_t *root = NULL, *sigs, *value;
	json_error_t jerr;
	const char *type, *payload_b64, *key;
	uint8_t *payload = NULL;
	size_t payload_len = 0, nsigs;
	int r;

	if (len > max_len)
		return tl_error_set(err, TL_ETOOBIG,
		    "envelope is %zu bytes, over the limit of %zu", len, max_len);
	if (tl_envelope_parse_canonical(data, len, max_len, out) == TL_OK)
		return TL_OK;
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return tl_error_set(err, TL_EINPUT,
		    "envelope is not valid JSON: %s (line %d, column %d)",
		    jerr.text, jerr.line, jerr.column);
	if (!json_is_object(root)) {
		r = tl_error_set(err, TL_EINPUT, "envelope is not a JSON object");
		goto out;
	}
	json_object_foreach(root, key, value) {
		if (strcmp(key, "payloadType") != 0 &&
		    strcmp(key, "payload") != 0 &&
		    strcmp(key, "signatures") != 0) {
			r = tl_error_set(err, TL_EINPUT,
			    "envelope has unknown field \"%s\"", key);
			goto out;
		}
	}
	type = json_string_value(json_object_get(root, "payloadType"));
	payload_b64 = json_string_value(json_object_get(root, "payload"));
	sigs = json_object_get(root, "signatures");
	if (type == NULL || *type == '\0') {
		r = tl_error_set(err, TL_EINPUT,
		    "envelope has no payloadType string");
		goto out;
	}
	if (payload_b64 == NULL) {
		r = tl_error_set(err, TL_EINPUT, "envelope has no payload string");
		goto out;
	}
	if (!json_is_array(sigs) || (nsigs = json_array_size(sigs)) == 0) {
		r = tl_error_set(err, TL_EINPUT,
		    "envelope has no signatures array, or it is empty");
		goto out;
	}
	if (nsigs > TL_ENVELOPE_MAX_SIGNATURES) {
		r = tl_error_set(err, TL_EINPUT,
		    "envelope has %zu signatures, more than %d", nsigs,
		    TL_ENVELOPE_MAX_SIGNATURES);
		goto out;
	}
	if (tl_base64_decode(payload_b64, strlen(payload_b64), &payload,
	    &payload_len) != TL_OK) {
		r = tl_error_set(err, TL_EINPUT,
		    "envelope payload is not canonical standard base64");
		goto out;
	}
	if ((env = envelope_new(type, payload, payload_len)) == NULL ||
	    (env->signatures = calloc(nsigs, sizeof(*env->signatures))) ==
	    NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nsigs; i++) {
		if ((r = parse_signature(json_array_get(sigs, i), i,
		    &env->signatures[i], err)) != TL_OK)
			goto out;
		env->nsignatures++;
	}
	*out = env;
	env = NULL;
	r = TL_OK;
 out:
	free(payload);
	tl_envelope_free(env);
	json_decref(root);
	return r;
}

int
tl_envelope_verify(const struct tl_envelope *env, const struct tl_key *key,
    struct tl_error *err)
{
	char keyid[TL_KEYID_LEN + 1];
	uint8_t *pae = NULL;
	size_t pae_len = 0;
	int r = TL_ESIGNATURE, found = 0;

	tl_key_id(key, keyid);
	for (size_t i = 0; i < env->nsignatures; i++) {
		if (strcmp(env->signatures[i].keyid, keyid) != 0)
			continue;
		found = 1;
		if (pae == NULL && tl_envelope_pae(env->payload_type,
		    env->payload, env->payload_len, &pae, &pae_len) != TL_OK)
			return tl_error_set(err, TL_ENOMEM, "out of memory");
		if (tl_key_verify(key, pae, pae_len, env->signatures[i].sig,
		    TL_ED25519_SIG_LEN) == TL_OK) {
			r = TL_OK;
			break;
		}
	}
	free(pae);
	if (r == TL_OK)
		return TL_OK;
	if (!found)
		return tl_error_set(err, TL_ESIGNATURE,
		    "no signature by key %.16s... in the envelope", keyid);
	return tl_error_set(err, TL_ESIGNATURE,
	    "signature by key %.16s... does not verify", keyid);
}

int
tl_envelope_expect_type(const struct tl_envelope *env, const char *type,
    struct tl_error *err)
{
	if (strcmp(env->payload_type, type) == 0)
		return TL_OK;
	return tl_error_set(err, TL_EINPUT,
	    "envelope has payloadType \"%.100s\", expected \"%s\"",
	    env->payload_type, type);
}

void
tl_envelope_free(struct tl_envelope *env)
{
	if (env == NULL)
		return;
	free(env->payload_type);
	free(env->payload);
	free(env->signatures);
	free(env);
}
