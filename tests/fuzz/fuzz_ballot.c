/*
 * fuzz_ballot.c: libFuzzer harness for ballot payloads, validated against a
 * manifest with a contest of every kind.  Whatever is accepted must only
 * name existing contests and candidates, each at most once per contest.
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tl_manifest *m;
	struct tl_ballot *b = NULL;

	if (m == NULL && tl_manifest_parse(manifest_json, strlen(manifest_json),
	    &m, NULL) != TL_OK)
		abort();
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
