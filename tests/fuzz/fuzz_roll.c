/*
 * fuzz_roll.c: libFuzzer harness for the voter roll CSV reader.  An
 * accepted roll has unique voter ids and keys, weights in range, known
 * constituencies, and for each voter a key or (and) a valid e-mail
 * address.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "teller/roll.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char manifest_json[] =
    "{\"id\": \"e1\", \"title\": \"T\", \"opens\": \"2026-11-22T00:00:00Z\","
    " \"closes\": \"2026-11-23T00:00:00Z\","
    " \"constituencies\": [{\"id\": \"a\"}, {\"id\": \"b\"}],"
    " \"contests\": [{\"id\": \"r\", \"title\": \"R\", \"constituency\": \"b\","
    "   \"method\": \"referendum\"}]}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tl_manifest *m;
	struct tl_roll *roll = NULL;

	if (m == NULL && tl_manifest_parse(manifest_json, strlen(manifest_json),
	    &m, NULL) != TL_OK)
		abort();
	if (tl_roll_parse_csv((const char *)data, size, "fuzz.csv", m, &roll,
	    NULL) != TL_OK)
		return 0;
	for (size_t i = 0; i < roll->nvoters; i++) {
		const struct tl_voter *v = &roll->voters[i];

		if (v->weight < 1 || v->weight > TL_WEIGHT_MAX ||
		    v->constituency_index >= m->nconstituencies ||
		    (v->email != NULL && !tl_valid_email(v->email)) ||
		    (!tl_voter_has_key(v) && v->email == NULL))
			abort();
		for (size_t j = 0; j < i; j++)
			if (strcmp(v->id, roll->voters[j].id) == 0 ||
			    (tl_voter_has_key(v) &&
			    strcmp(v->key_id, roll->voters[j].key_id) == 0))
				abort();
	}
	tl_roll_free(roll);
	return 0;
}
