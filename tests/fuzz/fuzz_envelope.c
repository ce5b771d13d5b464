/*
 * fuzz_envelope.c: libFuzzer harness for DSSE envelope parsing.  Whatever
 * parses must serialise to a canonical form that parses back to the same
 * envelope; and what the fast path takes, the general path (made to run by
 * a blank after the text) takes with the same envelope.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spaced.h"
#include "teller/envelope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
same(const struct tl_envelope *a, const struct tl_envelope *b)
{
	if (strcmp(a->payload_type, b->payload_type) != 0 ||
	    a->payload_len != b->payload_len ||
	    memcmp(a->payload, b->payload, a->payload_len) != 0 ||
	    a->nsignatures != b->nsignatures)
		return 0;
	for (size_t i = 0; i < a->nsignatures; i++)
		if (strcmp(a->signatures[i].keyid, b->signatures[i].keyid) != 0 ||
		    memcmp(a->signatures[i].sig, b->signatures[i].sig,
		    sizeof(a->signatures[i].sig)) != 0)
			return 0;
	return 1;
}

static void
fast_path(const uint8_t *data, size_t size)
{
	struct tl_envelope *fast = NULL, *slow = NULL;
	char *spaced;

	if (tl_envelope_parse_canonical((const char *)data, size, 1 << 20,
	    &fast) != TL_OK)
		return;
	spaced = fuzz_spaced(data, size);
	if (tl_envelope_parse_canonical(spaced, size + 1, 1 << 20, &slow) !=
	    TL_EINPUT ||
	    tl_envelope_parse(spaced, size + 1, 1 << 20, &slow, NULL) != TL_OK ||
	    !same(fast, slow))
		abort();
	free(spaced);
	tl_envelope_free(fast);
	tl_envelope_free(slow);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tl_envelope *env = NULL, *again = NULL;
	char *text = NULL, *text2 = NULL;
	size_t len = 0;

	fast_path(data, size);
	if (tl_envelope_parse((const char *)data, size, 1 << 20, &env, NULL) !=
	    TL_OK)
		return 0;
	if (tl_envelope_serialize(env, &text, &len, NULL) != TL_OK ||
	    tl_envelope_parse(text, len, 1 << 22, &again, NULL) != TL_OK ||
	    tl_envelope_serialize(again, &text2, NULL, NULL) != TL_OK ||
	    strcmp(text, text2) != 0 || again->payload_len != env->payload_len ||
	    memcmp(again->payload, env->payload, env->payload_len) != 0)
		abort();
	free(text);
	free(text2);
	tl_envelope_free(env);
	tl_envelope_free(again);
	return 0;
}
