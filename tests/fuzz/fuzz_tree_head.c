/*
 * fuzz_tree_head.c: libFuzzer harness for what a client reads from a
 * server's answers besides receipts: a signed tree head's envelope
 * (tl_tree_head_parse_envelope) and a proof as a JSON array of hashes
 * (tl_proof_from_json).  Whatever parses must give the same thing back
 * after a round trip through the serialisers.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "teller/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
tree_head(const uint8_t *data, size_t size)
{
	struct tl_tree_head head, again;
	char *payload = NULL;
	size_t len = 0;

	if (tl_tree_head_parse_envelope((const char *)data, size, &head, NULL,
	    NULL) != TL_OK)
		return;
	if (tl_tree_head_serialize(&head, &payload, &len) != TL_OK ||
	    tl_tree_head_parse(payload, len, &again, NULL) != TL_OK ||
	    strcmp(head.election_id, again.election_id) != 0 ||
	    head.size != again.size || head.time != again.time ||
	    memcmp(head.root, again.root, sizeof(head.root)) != 0)
		abort();
	free(payload);
}

static void
proof(const uint8_t *data, size_t size)
{
	struct tl_merkle_proof p, q;
	json_t *array, *back;

	if ((array = json_loadb((const char *)data, size, 0, NULL)) == NULL)
		return;
	if (tl_proof_from_json(array, &p, NULL) == TL_OK) {
		if ((back = tl_proof_to_json(&p)) == NULL ||
		    tl_proof_from_json(back, &q, NULL) != TL_OK || p.n != q.n ||
		    memcmp(p.hashes, q.hashes, p.n * sizeof(p.hashes[0])) != 0)
			abort();
		json_decref(back);
	}
	json_decref(array);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	tree_head(data, size);
	proof(data, size);
	return 0;
}
