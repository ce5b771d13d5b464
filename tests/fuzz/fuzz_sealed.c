/*
 * fuzz_sealed.c: libFuzzer harness for the sealed values a ballot carries
 * and a trustee's key file: the input is opened as a sealed share (its
 * first 80 bytes, tl_seal_open_share) and as sealed selections (the rest,
 * tl_seal_open_selections) under fixed keys, read as a ballot's "sealed"
 * JSON member (tl_sealed_from_json, then opened by the fixed trustee as
 * the only one), and read as a trustee key file (tl_trustee_key_from_pem).
 * Nothing may crash or leak; a share or selections that open must open
 * the same way twice, and a member that reads must write back and read
 * again to the same bytes.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "teller/hpke.h"
#include "teller/seal.h"
#include "teller/sealed.h"
#include "teller/trustee.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tl_hpke_key *trustee;
static const uint8_t content_key[32] = {1, 2, 3, 4, 5, 6, 7, 8};

static void
setup(void)
{
	uint8_t ikm[32] = {42}, sk[32], pk[32];

	if (tl_hpke_derive_key_pair(ikm, sizeof(ikm), sk, pk) != TL_OK ||
	    tl_hpke_key_from_private(sk, &trustee) != TL_OK)
		abort();
}

static void
sealed(const uint8_t *data, size_t size)
{
	struct tl_seal_binding b = {"e1", {0}, {0}};
	uint8_t share[32], again[32], *pt = NULL, *pt2 = NULL;
	size_t ptlen = 0, ptlen2 = 0;
	unsigned index;

	if (size < TL_SEAL_SHARE_LEN)
		return;
	index = 1 + data[0] % TL_SEAL_MAX_TRUSTEES;
	if (tl_seal_open_share(trustee, &b, index, data, share) == TL_OK &&
	    (tl_seal_open_share(trustee, &b, index, data, again) != TL_OK ||
	    memcmp(share, again, sizeof(share)) != 0))
		abort();
	data += TL_SEAL_SHARE_LEN;
	size -= TL_SEAL_SHARE_LEN;
	if (tl_seal_open_selections(content_key, &b, data, size, &pt,
	    &ptlen) == TL_OK) {
		if (tl_seal_open_selections(content_key, &b, data, size, &pt2,
		    &ptlen2) != TL_OK || ptlen != ptlen2 ||
		    memcmp(pt, pt2, ptlen) != 0)
			abort();
		free(pt);
		free(pt2);
	}
}

static void
member(const uint8_t *data, size_t size)
{
	struct tl_seal_binding b = {"e1", {0}, {0}};
	struct tl_sealed s, again;
	const struct tl_hpke_key *keys[1] = {trustee};
	const uint8_t index[1] = {1};
	json_t *doc, *back;
	char *text = NULL;
	size_t textlen = 0;
	enum tl_sealed_outcome outcome;
	unsigned who = 0;

	if ((doc = json_loadb((const char *)data, size, 0, NULL)) == NULL)
		return;
	if (tl_sealed_from_json(doc, json_array_size(json_object_get(doc,
	    "shares")), "sealed", &s, NULL) == TL_OK) {
		if ((back = tl_sealed_to_json(&s)) == NULL ||
		    tl_sealed_from_json(back, s.nshares, "sealed", &again,
		    NULL) != TL_OK || again.selections_len != s.selections_len ||
		    memcmp(again.selections, s.selections,
		    s.selections_len) != 0 || memcmp(again.shares, s.shares,
		    s.nshares * TL_SEAL_SHARE_LEN) != 0)
			abort();
		if (tl_sealed_open(&s, keys, index, 1, &b, &text, &textlen,
		    &outcome, &who) == TL_OK) {
			if (outcome != TL_SEALED_OPEN || strlen(text) != textlen)
				abort();
			free(text);
		}
		json_decref(back);
		tl_sealed_free(&again);
		tl_sealed_free(&s);
	}
	json_decref(doc);
}

static void
key_file(const uint8_t *data, size_t size)
{
	struct tl_trustee_key *key = NULL;

	if (tl_trustee_key_from_pem((const char *)data, size, &key, NULL) ==
	    TL_OK && (key->identity == NULL || key->sealing == NULL))
		abort();
	tl_trustee_key_free(key);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (trustee == NULL)
		setup();
	if (size > 1 << 16)
		return 0;
	sealed(data, size);
	member(data, size);
	key_file(data, size);
	return 0;
}
