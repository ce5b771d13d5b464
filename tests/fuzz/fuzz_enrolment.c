/*
 * fuzz_enrolment.c: libFuzzer harness for the enrolment a voter's page
 * sends (enrol.h): the payload parser, and the envelope around it as the
 * server opens it.  An accepted payload has valid ids, a token of the
 * right length and alphabet, and a key that decodes to 32 bytes.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "teller/crypto.h"
#include "teller/enrol.h"
#include "teller/envelope.h"
#include "teller/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_payload(const char *text, size_t size)
{
	struct tl_enrolment e;
	uint8_t *raw = NULL;
	size_t len = 0;

	if (tl_enrolment_parse(text, size, &e, NULL) != TL_OK)
		return;
	if (!tl_valid_id(e.election) || !tl_valid_id(e.voter) ||
	    strlen(e.token) != TL_ENROL_TOKEN_LEN ||
	    strspn(e.token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") != TL_ENROL_TOKEN_LEN ||
	    tl_base64_decode(e.public_key, strlen(e.public_key), &raw, &len) !=
	    TL_OK || len != TL_ED25519_PUBLIC_LEN)
		abort();
	free(raw);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tl_envelope *env = NULL;

	check_payload((const char *)data, size);
	if (tl_envelope_parse((const char *)data, size, TL_ENROLMENT_MAX, &env,
	    NULL) == TL_OK) {
		check_payload((const char *)env->payload, env->payload_len);
		tl_envelope_free(env);
	}
	return 0;
}
