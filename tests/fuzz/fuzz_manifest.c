/*
 * fuzz_manifest.c: libFuzzer harness for manifest parsing.  A manifest that
 * parses must serialise to one that parses again, with the same contests.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>

#include "teller/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tl_manifest *m = NULL, *again = NULL;
	char *text = NULL;
	size_t len = 0;

	if (tl_manifest_parse((const char *)data, size, &m, NULL) != TL_OK)
		return 0;
	if (tl_manifest_serialize(m, &text, &len) != TL_OK ||
	    tl_manifest_parse(text, len, &again, NULL) != TL_OK ||
	    again->ncontests != m->ncontests ||
	    again->nconstituencies != m->nconstituencies)
		abort();
	for (size_t i = 0; i < m->ncontests; i++)
		if (m->contests[i].constituency_index >= m->nconstituencies ||
		    m->contests[i].ncandidates != again->contests[i].ncandidates)
			abort();
	free(text);
	tl_manifest_free(m);
	tl_manifest_free(again);
	return 0;
}
