/*
 * report_internal.h (internal to libteller): what the text (report.c) and
 * HTML (report_html.c) renderings of a count share, so that both say the
 * same: amounts as text, candidates' names, and the sentences that tell
 * how a tie was broken, what a quorum asked and why a contest elected no
 * one.  Sentences are plain text; the HTML rendering escapes them.
 */
#ifndef TELLER_REPORT_INTERNAL_H
#define TELLER_REPORT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "teller/util.h"

/* An amount of a report (an integer, or a decimal string) as text; "-"
 * when it is neither. */
void tl_report_amount(const json_t *v, char out[48]);

/* An amount as an integer count of its smallest unit (the amounts of
 * one report all have the same number of decimals); 0 if negative. */
int64_t tl_report_units(const json_t *v);

/*
 * The rows of a round: each candidate of the report (for a referendum,
 * each answer) that has votes in it, with its votes and whether it is
 * elected; most votes first (equal votes in the report's order) unless
 * keep_order.  *n rows; NULL without memory; the caller frees them.
 */
struct tl_report_row {
	const char *id;
	const char *name;
	const json_t *votes;
	int64_t units;
	size_t position;
	int elected;
};
struct tl_report_row *tl_report_rows(const json_t *report,
    const json_t *round, int keep_order, size_t *n);

/* Whether the JSON list of strings holds id. */
int tl_report_in_list(const json_t *list, const char *id);

/* The name of candidate id of the report (id itself if not found). */
const char *tl_report_candidate_name(const json_t *report, const char *id);

/*
 * A tie of the report's "ties" as one sentence, without a line end:
 * "Tie between A, B (QUESTION): broken by lot (lot order B, A); chosen: B",
 * or "... broken by the votes at round N ...", or for a tie the rules do
 * not break "N seat(s) undecided between A, B; the rules of this method
 * do not break it".
 */
int tl_report_tie_sentence(const json_t *report, const json_t *tie,
    struct tl_buf *out);

/* The report's quorum as one sentence ("Quorum: 10% of eligible weight
 * 30; participating 4 (not met)"); nothing when the report has no quorum
 * that asks for anything.  *written says whether it wrote one. */
int tl_report_quorum_sentence(const json_t *report, struct tl_buf *out,
    int *written);

/* A report's "outcome" in words ("no-valid-votes": "no valid votes"). */
const char *tl_report_outcome_words(const char *outcome);

/* Why a candidate contest elected no one ("No valid votes", "The quorum
 * is not met"), or NULL when it was counted (or is a referendum). */
const char *tl_report_no_election(const json_t *report);

/* One constituency of a result's "turnout", with its two percentages. */
struct tl_report_turnout {
	const char *constituency;
	const char *name;
	json_int_t eligible, voted, eligible_weight, voted_weight;
	char percent[32], percent_weighted[32];
};
void tl_report_turnout_row(const json_t *item, struct tl_report_turnout *row);

#endif
