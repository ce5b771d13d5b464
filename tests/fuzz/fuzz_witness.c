/*
 * fuzz_witness.c: libFuzzer harness for what witnesses, servers and
 * verifiers read of each other (witness.h): a cosigned tree head (a
 * witness's POST, a server's answer), a witness's state file, and a
 * record's cosignature line.  Whatever parses must give the same thing
 * back after a round trip through the serialisers.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "teller/witness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
same_cosignatures(const struct tl_cosignature *a,
    const struct tl_cosignature *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i].witness, b[i].witness) != 0 ||
		    a[i].timestamp != b[i].timestamp ||
		    memcmp(a[i].key_id, b[i].key_id, sizeof(a[i].key_id)) != 0 ||
		    memcmp(a[i].sig, b[i].sig, sizeof(a[i].sig)) != 0)
			abort();
}

static void
cosigned_head(const uint8_t *data, size_t size)
{
	struct tl_cosigned_head *c = NULL, *again = NULL;
	json_t *doc;
	char *text;

	if (tl_cosigned_head_parse((const char *)data, size, &c, NULL) != TL_OK)
		return;
	if ((doc = tl_cosigned_head_to_json(c)) == NULL ||
	    (text = json_dumps(doc, JSON_COMPACT)) == NULL)
		abort();
	if (tl_cosigned_head_parse(text, strlen(text), &again, NULL) != TL_OK ||
	    again->n != c->n || strcmp(again->tree_head, c->tree_head) != 0 ||
	    again->head.size != c->head.size)
		abort();
	same_cosignatures(c->cosignatures, again->cosignatures, c->n);
	free(text);
	json_decref(doc);
	tl_cosigned_head_free(c);
	tl_cosigned_head_free(again);
}

static void
state(const uint8_t *data, size_t size)
{
	struct tl_witness_state *s = NULL, *again = NULL;
	char *text = NULL;

	if (tl_witness_state_parse((const char *)data, size, &s, NULL) != TL_OK)
		return;
	if (tl_witness_state_serialize(s, &text, NULL) != TL_OK ||
	    tl_witness_state_parse(text, strlen(text), &again, NULL) != TL_OK ||
	    strcmp(s->origin, again->origin) != 0 ||
	    (s->cosigned == NULL) != (again->cosigned == NULL))
		abort();
	free(text);
	tl_witness_state_free(s);
	tl_witness_state_free(again);
}

static void
line(const uint8_t *data, size_t size)
{
	struct tl_cosignature_line l;

	if (tl_cosignature_line_parse((const char *)data, size, &l, NULL) ==
	    TL_OK && (!tl_cosignature_line_is((const char *)data, size) ||
	    l.n == 0 || l.n > TL_MAX_WITNESSES))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	cosigned_head(data, size);
	state(data, size);
	line(data, size);
	return 0;
}
