/*
 * fuzz_ballot.c: libFuzzer harness for ballot payloads, validated against a
 * manifest with a contest of every kind.  Whatever is accepted must only
 * name existing contests and candidates, each at most once per contest;
 * and what the fast path for the compact form takes, the general path
 * (made to run by a blank after the text) takes with the same ballot.
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
	    strcmp(fast->voter_id, slow->voter_id) != 0 ||
	    strcmp(fast->manifest_hash, slow->manifest_hash) != 0 ||
	    fast->seq != slow->seq || fast->nselections != slow->nselections)
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tl_manifest *m;
	struct tl_ballot *b = NULL;

	if (m == NULL && tl_manifest_parse(manifest_json, strlen(manifest_json),
	    &m, NULL) != TL_OK)
		abort();
	if (tl_ballot_parse_canonical((const char *)data, size, m, HASH, &b) ==
	    TL_OK) {
		check_fast_path(m, data, size, b);
		tl_ballot_free(b);
		b = NULL;
	}
	if (tl_ballot_parse((const char *)data, size, m, HASH, &b, NULL) !=
	    TL_OK)
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
