/*
 * fuzz_credential.c: libFuzzer harness for a secret election's payloads
 * (credential.h, doc/record-format.md 5.15): credential requests (from
 * voters), credential issuances and credential keys statements (from a
 * record an observer verifies), voters' credential files, and secret
 * ballots (from voters).  Every input goes through every parser.  What a
 * request's or issuance's parser takes must serialise and parse back to
 * the same (and what the request's fast path takes, the general path
 * takes, made to run by a blank after the text, with the same request);
 * a keys statement's, serialise and parse back to the same
 * classes and keys; and what the secret ballot's fast path takes, the
 * general path (made to run by a blank after the text) takes with the
 * same ballot and credential.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spaced.h"
#include "teller/ballot.h"
#include "teller/credential.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CANDS "[{\"id\": \"x\", \"name\": \"X\"}, {\"id\": \"y\", " \
	"\"name\": \"Y\"}, {\"id\": \"z\", \"name\": \"Z\"}]"
static const char manifest_json[] =
    "{\"id\": \"e1\", \"title\": \"T\", \"secrecy\": \"secret\","
    " \"opens\": \"2026-11-22T00:00:00Z\", \"closes\": \"2026-11-23T00:00:00Z\","
    " \"constituencies\": [{\"id\": \"a\"}, {\"id\": \"b\"}],"
    " \"contests\": ["
    "  {\"id\": \"plu\", \"title\": \"P\", \"constituency\": \"a\", \"seats\": 2,"
    "   \"method\": \"plurality\", \"candidates\": " CANDS "},"
    "  {\"id\": \"sch\", \"title\": \"C\", \"constituency\": \"a\","
    "   \"method\": \"schulze\", \"candidates\": " CANDS "},"
    "  {\"id\": \"ref\", \"title\": \"R\", \"constituency\": \"b\","
    "   \"method\": \"referendum\"}]}";
#define HASH "1111111111111111111111111111111111111111111111111111111111111111"

static void
request(const char *text, size_t size)
{
	struct tl_credential_request q, again, fast;
	char *out = NULL;
	size_t len = 0;

	if (tl_credential_request_parse_canonical(text, size, &fast) == TL_OK) {
		char *spaced = fuzz_spaced(text, size);

		if (tl_credential_request_parse(spaced, size + 1, &again,
		    NULL) != TL_OK || memcmp(&fast, &again, sizeof(fast)) != 0)
			abort();
		free(spaced);
	}
	if (tl_credential_request_parse(text, size, &q, NULL) != TL_OK)
		return;
	if (tl_credential_request_serialize(&q, &out, &len, NULL) != TL_OK ||
	    tl_credential_request_parse(out, len, &again, NULL) != TL_OK ||
	    memcmp(&q, &again, sizeof(q)) != 0)
		abort();
	free(out);
}

static void
issuance(const char *text, size_t size)
{
	struct tl_credential_issuance i, again;
	char *out = NULL;
	size_t len = 0;

	if (tl_credential_issuance_parse(text, size, &i, NULL) != TL_OK)
		return;
	if (tl_credential_issuance_serialize(&i, &out, &len, NULL) != TL_OK ||
	    tl_credential_issuance_parse(out, len, &again, NULL) != TL_OK ||
	    memcmp(&i, &again, sizeof(i)) != 0)
		abort();
	free(out);
}

static void
keys(const struct tl_manifest *m, const char *text, size_t size)
{
	struct tl_credential_keys *k = NULL, *again = NULL;
	char *out = NULL;
	size_t len = 0;

	if (tl_credential_keys_parse(text, size, m, &k, NULL) != TL_OK)
		return;
	if (k->nclasses == 0 ||
	    tl_credential_keys_serialize(k, m, k->manifest, &out, &len,
	    NULL) != TL_OK ||
	    tl_credential_keys_parse(out, len, m, &again, NULL) != TL_OK ||
	    tl_credential_keys_match(k, again, m, NULL) != TL_OK)
		abort();
	for (size_t i = 0; i < k->nclasses; i++)
		if (k->classes[i].der_len != again->classes[i].der_len ||
		    memcmp(k->classes[i].der, again->classes[i].der,
		    k->classes[i].der_len) != 0 ||
		    tl_credential_class_find(k, k->classes[i].constituency,
		    k->classes[i].weight) != &k->classes[i])
			abort();
	tl_credential_keys_free(k);
	tl_credential_keys_free(again);
	free(out);
}

static void
holder(const struct tl_manifest *m, const char *text, size_t size)
{
	struct tl_credential_holder *h = NULL;

	if (tl_credential_holder_parse(text, size, m, &h, NULL) != TL_OK)
		return;
	if (h->credential.constituency_index >= m->nconstituencies ||
	    (h->inv_len == 0 && h->credential.signature_len == 0))
		abort();
	tl_credential_holder_free(h);
}

static void
secret_ballot(const struct tl_manifest *m, const uint8_t *data, size_t size)
{
	struct tl_ballot *fast = NULL, *slow = NULL;
	const struct tl_ballot_credential *x, *y;
	char *spaced;

	if (tl_ballot_parse((const char *)data, size, m, HASH, &slow, NULL) ==
	    TL_OK) {
		if (slow->voter_id != NULL || slow->credential == NULL ||
		    slow->credential->constituency_index >= m->nconstituencies)
			abort();
		tl_ballot_free(slow);
		slow = NULL;
	}
	if (tl_ballot_parse_canonical((const char *)data, size, m, HASH,
	    &fast) != TL_OK)
		return;
	spaced = fuzz_spaced(data, size);
	if (tl_ballot_parse(spaced, size + 1, m, HASH, &slow, NULL) != TL_OK ||
	    fast->credential == NULL || slow->credential == NULL ||
	    fast->seq != slow->seq || fast->nselections != slow->nselections)
		abort();
	x = fast->credential;
	y = slow->credential;
	if (memcmp(x->ballot_key, y->ballot_key, sizeof(x->ballot_key)) != 0 ||
	    strcmp(x->constituency, y->constituency) != 0 ||
	    x->constituency_index != y->constituency_index ||
	    x->weight != y->weight ||
	    memcmp(x->prefix, y->prefix, sizeof(x->prefix)) != 0 ||
	    x->signature_len != y->signature_len ||
	    memcmp(x->signature, y->signature, x->signature_len) != 0)
		abort();
	for (size_t i = 0; i < fast->nselections; i++) {
		const struct tl_selection *s = &fast->selections[i];
		const struct tl_selection *t = &slow->selections[i];

		if (s->contest_index != t->contest_index || s->n != t->n ||
		    (s->n != 0 && memcmp(s->prefs, t->prefs,
		    s->n * sizeof(*s->prefs)) != 0))
			abort();
	}
	tl_ballot_free(fast);
	tl_ballot_free(slow);
	free(spaced);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tl_manifest *m;
	const char *text = (const char *)data;

	if (m == NULL && tl_manifest_parse(manifest_json, strlen(manifest_json),
	    &m, NULL) != TL_OK)
		abort();
	request(text, size);
	issuance(text, size);
	keys(m, text, size);
	holder(m, text, size);
	secret_ballot(m, data, size);
	return 0;
}
