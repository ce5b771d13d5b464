/*
 * fuzz_ballot.c: libFuzzer harness for ballot payloads, validated against a
 * manifest with a contest of every kind, and against a sealed secret
 * election's (3 trustees).  Whatever is accepted must only name existing
 * contests and candidates, each at most once per contest; and what the
 * fast path for the compact form takes, the general path (made to run by
 * a blank after the text) takes with the same ballot: the same voter, or
 * the same credential and the same sealed bytes.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "teller/ballot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CANDS "[{\"id\": \"x\", \"name\": \"X\"}, {\"id\": \"y\", " \
	"\"name\": \"Y\"}, {\"id\": \"z\", \"name\": \"Z\"}]"
static const char manifest_json[] =
    "{\"id\": \"e1\", \"title\": \"T\", \"opens\": \"2026-11-22T00:00:00Z\","
    " \"closes\": \"2026-11-23T00:00:00Z\","
    " \"constituencies\": [{\"id\": \"a\"}, {\"id\": \"b\"}],"
    " \"contests\": ["
    "  {\"id\": \"plu\", \"title\": \"P\", \"constituency\": \"a\", \"seats\": 2,"
    "   \"method\": \"plurality\", \"candidates\": " CANDS "},"
    "  {\"id\": \"app\", \"title\": \"A\", \"constituency\": \"a\","
    "   \"method\": \"approval\", \"candidates\": " CANDS "},"
    "  {\"id\": \"stv\", \"title\": \"S\", \"constituency\": \"a\", \"seats\": 2,"
    "   \"method\": \"stv-scottish\", \"candidates\": " CANDS "},"
    "  {\"id\": \"sch\", \"title\": \"C\", \"constituency\": \"a\","
    "   \"method\": \"schulze\", \"candidates\": " CANDS "},"
    "  {\"id\": \"ref\", \"title\": \"R\", \"constituency\": \"b\","
    "   \"method\": \"referendum\"}]}";
#define HASH "1111111111111111111111111111111111111111111111111111111111111111"

/* A secret election sealed for 3 trustees (made by bench/verify-gen). */
#define TRUSTEE(n, identity, sealing) "{\"id\": \"t" #n "\", " \
	"\"identity_key\": \"" identity "\", \"sealing_key\": \"" sealing "\"}"
static const char sealed_json[] =
    "{\"id\": \"e1\", \"title\": \"T\", \"secrecy\": \"secret\","
    " \"trustees\": ["
    TRUSTEE(1, "uM6DCvCkflJFNL2WOypHqj4FF5Jho52xdfji01q0LaU=",
    "a4iH/R29x6Gg9aj90UnVp/wbJ7hENxuCpXGerI4nZwE=") ", "
    TRUSTEE(2, "rBaSh/M+Wl9Hwu3Y16ynZi0BBVpHzuGx+OzWgY0Kf2g=",
    "ncNKMteyRI2uCR7MKc5EY4a7WCD9qcCr12NfOZmKzk0=") ", "
    TRUSTEE(3, "60fFrGOuo4fDo0lnMHa4nvJLnwq5QjE0K9Zw7QxjZkc=",
    "oIwQFnp8ZaShl6OLkT1Kdkb62kop21aaYfvPo5HdKUQ=") "],"
    " \"threshold\": 2, \"opens\": \"2026-11-22T00:00:00Z\","
    " \"closes\": \"2026-11-23T00:00:00Z\","
    " \"constituencies\": [{\"id\": \"members\"}],"
    " \"contests\": ["
    "  {\"id\": \"board\", \"title\": \"B\", \"constituency\": \"members\","
    "   \"seats\": 3, \"method\": \"plurality\", \"candidates\": " CANDS "},"
    "  {\"id\": \"budget\", \"title\": \"R\", \"constituency\": \"members\","
    "   \"method\": \"referendum\"}],"
    " \"authority_key\": \"zwTYqgITAb2v2exd2jjfJSpbgXYKtg6JzoVN/spzkEg=\"}";

static int
same_credential(const struct tl_ballot_credential *x,
    const struct tl_ballot_credential *y)
{
	if (x == NULL || y == NULL)
		return x == y;
	return memcmp(x->ballot_key, y->ballot_key, sizeof(x->ballot_key)) ==
	    0 && strcmp(x->constituency, y->constituency) == 0 &&
	    x->constituency_index == y->constituency_index &&
	    x->weight == y->weight &&
	    memcmp(x->prefix, y->prefix, sizeof(x->prefix)) == 0 &&
	    x->signature_len == y->signature_len &&
	    memcmp(x->signature, y->signature, x->signature_len) == 0;
}

static int
same_sealed(const struct tl_sealed *x, const struct tl_sealed *y)
{
	if (x == NULL || y == NULL)
		return x == y;
	return x->selections_len == y->selections_len &&
	    memcmp(x->selections, y->selections, x->selections_len) == 0 &&
	    x->nshares == y->nshares &&
	    memcmp(x->shares, y->shares, x->nshares * sizeof(*x->shares)) == 0;
}

/* The general path's ballot for data, the same as the fast path's. */
static void
check_fast_path(const struct tl_manifest *m, const uint8_t *data, size_t size,
    const struct tl_ballot *fast)
{
	struct tl_ballot *slow = NULL;
	char *spaced = malloc(size + 1);

	if (spaced == NULL)
		abort();
	memcpy(spaced, data, size);
	spaced[size] = ' ';
	if (tl_ballot_parse(spaced, size + 1, m, HASH, &slow, NULL) != TL_OK ||
	    strcmp(fast->election_id, slow->election_id) != 0 ||
	    (fast->voter_id == NULL) != (slow->voter_id == NULL) ||
	    (fast->voter_id != NULL &&
	    strcmp(fast->voter_id, slow->voter_id) != 0) ||
	    strcmp(fast->manifest_hash, slow->manifest_hash) != 0 ||
	    fast->seq != slow->seq || fast->nselections != slow->nselections ||
	    !same_credential(fast->credential, slow->credential) ||
	    !same_sealed(fast->sealed, slow->sealed))
		abort();
	for (size_t i = 0; i < fast->nselections; i++) {
		const struct tl_selection *x = &fast->selections[i];
		const struct tl_selection *y = &slow->selections[i];

		if (x->contest_index != y->contest_index || x->n != y->n ||
		    (x->n != 0 && memcmp(x->prefs, y->prefs,
		    x->n * sizeof(*x->prefs)) != 0))
			abort();
	}
	tl_ballot_free(slow);
	free(spaced);
}

/* The general path's ballot for data (NULL if it refuses it), after
 * checking the fast path's against it. */
static struct tl_ballot *
parse_both(const struct tl_manifest *m, const uint8_t *data, size_t size)
{
	struct tl_ballot *b = NULL;

	if (tl_ballot_parse_canonical((const char *)data, size, m, HASH, &b) ==
	    TL_OK) {
		check_fast_path(m, data, size, b);
		tl_ballot_free(b);
		b = NULL;
	}
	if (tl_ballot_parse((const char *)data, size, m, HASH, &b, NULL) !=
	    TL_OK)
		return NULL;
	return b;
}

/* Against the sealed election: what either path takes is sealed. */
static void
sealed_ballot(const uint8_t *data, size_t size)
{
	static struct tl_manifest *m;
	struct tl_ballot *b;

	if (m == NULL && tl_manifest_parse(sealed_json, strlen(sealed_json),
	    &m, NULL) != TL_OK)
		abort();
	if ((b = parse_both(m, data, size)) == NULL)
		return;
	if (b->sealed == NULL || b->nselections != 0 || b->credential == NULL ||
	    b->sealed->nshares != m->ntrustees)
		abort();
	tl_ballot_free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tl_manifest *m;
	struct tl_ballot *b;

	if (m == NULL && tl_manifest_parse(manifest_json, strlen(manifest_json),
	    &m, NULL) != TL_OK)
		abort();
	sealed_ballot(data, size);
	if ((b = parse_both(m, data, size)) == NULL)
		return 0;
	for (size_t i = 0; i < b->nselections; i++) {
		const struct tl_selection *s = &b->selections[i];
		const struct tl_contest *c;
		uint8_t seen[3] = {0, 0, 0};

		if (s->contest_index >= m->ncontests)
			abort();
		c = &m->contests[s->contest_index];
		for (size_t k = 0; k < s->n; k++) {
			uint32_t idx = TL_PREF_INDEX(s->prefs[k]);

			if (c->method == TL_METHOD_REFERENDUM) {
				if (idx > 2 || s->n != 1)
					abort();
				continue;
			}
			if (idx >= c->ncandidates || seen[idx]++)
				abort();
		}
		(void)tl_ballot_check_constituency(b, m, 0, NULL);
	}
	tl_ballot_free(b);
	return 0;
}
