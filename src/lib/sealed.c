/*
 * sealed.c: a secret ballot's "sealed" member (teller/sealed.h): sealing a
 * selections text with its padding, reading the member from untrusted
 * JSON, opening it with k trustees' keys, and checking, with every
 * trustee's key, that the shares agree.  The cryptography is seal.h's.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "teller/crypto.h"
#include "teller/sealed.h"
#include "teller/shamir.h"

int
tl_sealed_make(const char *text, size_t len, size_t padded_len,
    const uint8_t (*trustee_keys)[TL_HPKE_NPK], unsigned n, unsigned k,
    const struct tl_seal_binding *b, struct tl_sealed *out,
    struct tl_error *err)
{
	struct tl_sealed s;
	uint8_t *plain;
	size_t plainlen = padded_len > len ? padded_len : len;
	int r;

	memset(&s, 0, sizeof(s));
	if (plainlen > TL_SEALED_PLAINTEXT_MAX || memchr(text, '\0', len) !=
	    NULL)
		return tl_error_set(err, TL_EINPUT, "the selections to seal are "
		    "over %d bytes or hold a zero byte",
		    TL_SEALED_PLAINTEXT_MAX);
	if (k < 1 || k > n || n > TL_SEAL_MAX_TRUSTEES)
		return tl_error_set(err, TL_EINPUT, "a threshold of %u of %u "
		    "trustees cannot be sealed for", k, n);
	if ((plain = calloc(1, plainlen + 1)) == NULL ||
	    (s.shares = calloc(n, sizeof(*s.shares))) == NULL) {
		free(plain);
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	memcpy(plain, text, len);
	s.nshares = n;
	r = tl_seal_ballot(trustee_keys, n, k, b, plain, plainlen,
	    &s.selections, &s.selections_len, s.shares);
	tl_wipe(plain, plainlen);
	free(plain);
	if (r != TL_OK) {
		tl_sealed_free(&s);
		return tl_error_set(err, r, "cannot seal the selections: %s",
		    tl_strerror(r));
	}
	*out = s;
	return TL_OK;
}

/* A base64 string member decoded: exactly want bytes if want is not 0,
 * else 1 to max bytes. */
static int
get_bytes(json_t *value, size_t want, size_t max, const char *where,
    const char *what, uint8_t **out, size_t *outlen, struct tl_error *err)
{
	const char *b64 = json_string_value(value);
	uint8_t *raw = NULL;
	size_t len = 0;

	if (b64 == NULL)
		return tl_error_set(err, TL_EINPUT, "%s.%s: must be a base64 "
		    "string", where, what);
	if (json_string_length(value) > (max + 2) / 3 * 4 ||
	    tl_base64_decode(b64, json_string_length(value), &raw, &len) !=
	    TL_OK)
		return tl_error_set(err, TL_EINPUT, "%s.%s: not canonical "
		    "base64 of at most %zu bytes", where, what, max);
	if ((want != 0 && len != want) || (want == 0 && len == 0)) {
		free(raw);
		return tl_error_set(err, TL_EINPUT, "%s.%s: %zu bytes, not %zu",
		    where, what, len, want);
	}
	*out = raw;
	*outlen = len;
	return TL_OK;
}

int
tl_sealed_from_json(json_t *member, size_t ntrustees, const char *where,
    struct tl_sealed *out, struct tl_error *err)
{
	static const char *const keys[] = {"selections", "shares", NULL};
	struct tl_sealed s;
	json_t *shares, *item;
	size_t i;
	int r;

	memset(&s, 0, sizeof(s));
	if (!json_is_object(member))
		return tl_error_set(err, TL_EINPUT, "%s: must be an object",
		    where);
	if ((r = tl_json_only_keys(member, keys, where, TL_EINPUT, err)) !=
	    TL_OK ||
	    (r = tl_json_array(member, "shares", 1, where, TL_EINPUT, &shares,
	    err)) != TL_OK)
		return r;
	if ((r = get_bytes(json_object_get(member, "selections"), 0,
	    TL_SEALED_PLAINTEXT_MAX + TL_SEAL_OVERHEAD, where, "selections",
	    &s.selections, &s.selections_len, err)) != TL_OK)
		return r;
	if (s.selections_len < TL_SEAL_OVERHEAD) {
		r = tl_error_set(err, TL_EINPUT, "%s.selections: %zu bytes, "
		    "shorter than a nonce and a tag", where, s.selections_len);
		goto fail;
	}
	if (json_array_size(shares) != ntrustees || ntrustees == 0 ||
	    ntrustees > TL_SEAL_MAX_TRUSTEES) {
		r = tl_error_set(err, TL_EINPUT, "%s.shares: %zu shares, not one "
		    "per trustee (%zu)", where, json_array_size(shares),
		    ntrustees);
		goto fail;
	}
	if ((s.shares = calloc(ntrustees, sizeof(*s.shares))) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto fail;
	}
	s.nshares = ntrustees;
	json_array_foreach(shares, i, item) {
		char what[32];
		uint8_t *raw = NULL;
		size_t len = 0;

		snprintf(what, sizeof(what), "shares[%zu]", i);
		if ((r = get_bytes(item, TL_SEAL_SHARE_LEN, TL_SEAL_SHARE_LEN,
		    where, what, &raw, &len, err)) != TL_OK)
			goto fail;
		memcpy(s.shares[i], raw, TL_SEAL_SHARE_LEN);
		free(raw);
	}
	*out = s;
	return TL_OK;
 fail:
	tl_sealed_free(&s);
	return r;
}

json_t *
tl_sealed_to_json(const struct tl_sealed *s)
{
	json_t *shares = json_array(), *doc = NULL;
	char *b64 = NULL;

	if (shares == NULL)
		return NULL;
	for (size_t i = 0; i < s->nshares; i++) {
		if (tl_base64_encode(s->shares[i], TL_SEAL_SHARE_LEN, &b64) !=
		    TL_OK || json_array_append_new(shares,
		    json_string(b64)) != 0)
			goto out;
		free(b64);
		b64 = NULL;
	}
	if (tl_base64_encode(s->selections, s->selections_len, &b64) != TL_OK)
		goto out;
	doc = json_pack("{s:s, s:O}", "selections", b64, "shares", shares);
 out:
	free(b64);
	json_decref(shares);
	return doc;
}

int
tl_sealed_open(const struct tl_sealed *s,
    const struct tl_hpke_key *const *keys, const uint8_t *indices,
    unsigned k, const struct tl_seal_binding *b, char **text,
    size_t *textlen, enum tl_sealed_outcome *outcome, unsigned *trustee)
{
	uint8_t chosen[TL_SEAL_MAX_TRUSTEES][TL_SEAL_SHARE_LEN];
	uint8_t key[TL_SEAL_KEY_LEN], *plain = NULL;
	size_t plainlen = 0, end;
	unsigned failed = 0;
	int r;

	*outcome = TL_SEALED_OPEN;
	if (k < 1 || k > s->nshares)
		return TL_EINPUT;
	for (unsigned a = 0; a < k; a++) {
		if (indices[a] < 1 || indices[a] > s->nshares)
			return TL_EINPUT;
		memcpy(chosen[a], s->shares[indices[a] - 1], TL_SEAL_SHARE_LEN);
	}
	r = tl_seal_recover_key(keys, indices, k, b,
	    (const uint8_t (*)[TL_SEAL_SHARE_LEN])chosen, key, &failed);
	if (r == TL_EDECRYPT) {
		*outcome = TL_SEALED_SHARE;
		*trustee = indices[failed];
		goto out;
	}
	if (r != TL_OK)
		goto out;
	if ((r = tl_seal_open_selections(key, b, s->selections,
	    s->selections_len, &plain, &plainlen)) != TL_OK) {
		if (r == TL_EDECRYPT)
			*outcome = TL_SEALED_SELECTIONS;
		goto out;
	}
	/* The text ends at the first zero byte; the rest must be zeros. */
	for (end = 0; end < plainlen && plain[end] != 0; end++)
		;
	for (size_t i = end; i < plainlen; i++)
		if (plain[i] != 0) {
			*outcome = TL_SEALED_PADDING;
			r = TL_EDECRYPT;
			goto out;
		}
	*text = (char *)plain;
	*textlen = end;
	plain = NULL;
 out:
	tl_wipe(key, sizeof(key));
	if (plain != NULL)
		tl_wipe(plain, plainlen);
	free(plain);
	return r;
}

int
tl_sealed_shares_agree(const struct tl_sealed *s,
    const struct tl_hpke_key *const *keys, unsigned n, unsigned k,
    const struct tl_seal_binding *b, uint32_t *disagree)
{
	uint8_t shares[TL_SEAL_MAX_TRUSTEES][TL_SHAMIR_SECRET_LEN];
	uint8_t ref_x[TL_SEAL_MAX_TRUSTEES];
	uint8_t ref_y[TL_SEAL_MAX_TRUSTEES][TL_SHAMIR_SECRET_LEN];
	uint32_t opened = 0, bad = 0;
	unsigned nref = 0;

	if (n != s->nshares || k < 1 || k > n || n > TL_SEAL_MAX_TRUSTEES)
		return TL_EINPUT;
	for (unsigned i = 1; i <= n; i++) {
		if (tl_seal_open_share(keys[i - 1], b, i, s->shares[i - 1],
		    shares[i - 1]) != TL_OK) {
			bad |= 1u << (i - 1);
			continue;
		}
		opened |= 1u << (i - 1);
		if (nref < k) {
			ref_x[nref] = (uint8_t)i;
			memcpy(ref_y[nref], shares[i - 1], TL_SHAMIR_SECRET_LEN);
			nref++;
		}
	}
	if (nref < k)
		bad = (uint32_t)((1u << n) - 1);
	else
		for (unsigned i = 1; i <= n; i++) {
			uint8_t want[TL_SHAMIR_SECRET_LEN];

			if (!(opened & (1u << (i - 1))))
				continue;
			if (tl_shamir_interpolate(ref_x,
			    (const uint8_t (*)[TL_SHAMIR_SECRET_LEN])ref_y, k,
			    (uint8_t)i, want) != TL_OK ||
			    tl_memcmp_const(want, shares[i - 1],
			    TL_SHAMIR_SECRET_LEN) != 0)
				bad |= 1u << (i - 1);
		}
	tl_wipe(shares, sizeof(shares));
	tl_wipe(ref_y, sizeof(ref_y));
	*disagree = bad;
	return TL_OK;
}

void
tl_sealed_free(struct tl_sealed *s)
{
	free(s->selections);
	free(s->shares);
	memset(s, 0, sizeof(*s));
}
