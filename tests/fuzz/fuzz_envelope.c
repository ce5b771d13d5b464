/*
 * fuzz_envelope.c: libFuzzer harness for DSSE envelope parsing.  Whatever
 * parses must serialise to a canonical form that parses back to the same
 * envelope.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "teller/envelope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tl_envelope *env = NULL, *again = NULL;
	char *text = NULL, *text2 = NULL;
	size_t len = 0;

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
