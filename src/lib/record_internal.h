/*
 * record_internal.h (internal to libteller): what reading a record
 * (record.c) and verifying one (record_verify.c) share: splitting it into
 * lines and reading a line as a canonical envelope.
 */
#ifndef TELLER_RECORD_INTERNAL_H
#define TELLER_RECORD_INTERNAL_H

#include <stddef.h>

#include "teller/envelope.h"
#include "teller/error.h"

struct record_line {
	const char *data; /* into the record's text; not NUL-terminated */
	size_t len;       /* without the line feed */
};

/*
 * Splits text into lines at each line feed; the last line's line feed is
 * optional (text that ends with one has no empty last line).  *lines is a
 * new array (caller frees), NULL when there are no lines.
 */
int tl_record_split_lines(const char *text, size_t len,
    struct record_line **lines, size_t *nlines);

/*
 * Parses a line as a DSSE envelope of at most max bytes that is in the
 * canonical form tl_envelope_serialize writes (so the line's bytes are the
 * logged entry): TL_EINPUT if it is another spelling of an envelope.
 */
int tl_record_read_envelope(const char *data, size_t len, size_t max,
    struct tl_envelope **out, struct tl_error *err);

/* TL_OK if the envelope has exactly one signature and it is key's;
 * TL_ESIGNATURE naming what is wrong otherwise. */
int tl_record_check_signature(const struct tl_envelope *env,
    const struct tl_key *key, struct tl_error *err);

#endif
