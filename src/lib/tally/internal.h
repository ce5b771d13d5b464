/*
 * tally/internal.h (internal to libteller): what the counting methods share:
 * the per-method entry points and report-building helpers.
 */
#ifndef TELLER_TALLY_INTERNAL_H
#define TELLER_TALLY_INTERNAL_H

#include <jansson.h>

#include "teller/count.h"

int tl_count_referendum(const struct tl_count_input *in, json_t *report,
    struct tl_error *err);

/* A vote total as JSON: an integer when weights are whole numbers, else a
 * decimal string with weight_decimals places ("12.50"). */
json_t *tl_count_amount(int64_t value, unsigned decimals);

/*
 * Plurality and approval share the count: each mark gives the ballot's
 * weight to its candidate; the `seats` highest are elected; a tie for the
 * last seat(s) is reported, not broken.
 */
int tl_count_marks(const struct tl_count_input *in, json_t *report,
    struct tl_error *err);

#endif
