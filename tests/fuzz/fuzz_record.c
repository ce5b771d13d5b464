/*
 * fuzz_record.c: libFuzzer harness for reading public records and
 * receipts (untrusted input of teller verify and teller receipt verify).
 * Verification (with the turnout, and the election cycle's entries) must
 * always give a report with a verdict; a record it finds valid must also
 * read as a consistent record; and a line read by the
 * canonical template must be exactly the canonical serialisation of what
 * the JSON parser makes of it.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "record_internal.h"
#include "teller/receipt.h"
#include "teller/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Each line that reads as an envelope is its own canonical form. */
static void
check_lines(const char *text, size_t size)
{
	struct record_line *lines = NULL;
	size_t n = 0;

	if (tl_record_split_lines(text, size, &lines, &n) != TL_OK)
		return;
	for (size_t i = 0; i < n; i++) {
		struct tl_envelope *env = NULL, *parsed = NULL;
		char *canonical = NULL;
		size_t len = 0;

		if (tl_record_read_envelope(lines[i].data, lines[i].len,
		    1 << 20, &env, NULL) != TL_OK)
			continue;
		if (tl_envelope_serialize(env, &canonical, &len, NULL) != TL_OK ||
		    len != lines[i].len ||
		    memcmp(canonical, lines[i].data, len) != 0 ||
		    tl_envelope_parse(lines[i].data, lines[i].len, 1 << 20,
		    &parsed, NULL) != TL_OK ||
		    parsed->payload_len != env->payload_len ||
		    memcmp(parsed->payload, env->payload, env->payload_len) != 0)
			abort();
		free(canonical);
		tl_envelope_free(env);
		tl_envelope_free(parsed);
	}
	free(lines);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct tl_record_verify_options opt;
	struct tl_record *record = NULL;
	struct tl_receipt *receipt = NULL;
	json_t *report = NULL;
	int r;

	check_lines(text, size);
	memset(&opt, 0, sizeof(opt));
	opt.threads = 1;
	opt.turnout = 1;
	r = tl_record_verify(text, size, &opt, &report, NULL);
	if (r == TL_OK) {
		json_t *valid = json_object_get(report, "valid");

		if (!json_is_boolean(valid))
			abort();
		if (json_is_true(valid) &&
		    tl_record_parse(text, size, &record, NULL) != TL_OK)
			abort();
		tl_record_free(record);
		json_decref(report);
	} else if (r != TL_ENOMEM && r != TL_ETOOBIG)
		abort();
	if (tl_record_parse(text, size, &record, NULL) == TL_OK)
		tl_record_free(record);
	if (tl_receipt_parse(text, size, &receipt, NULL) == TL_OK)
		tl_receipt_free(receipt);
	return 0;
}
