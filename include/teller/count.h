/*
 * teller/count.h: counting one contest.
 *
 * The input is a contest (method, seats, candidates, options) and its
 * ballots as flat arrays: ballot i has weight weights[i] and the preference
 * entries prefs[starts[i]] .. prefs[starts[i + 1] - 1], in order.  An entry
 * is a candidate index; TL_PREF_EQUAL set on an entry means "ranked equal to
 * the entry before it".  A plurality or approval ballot is one group of
 * equal entries (its marks).  A referendum ballot has one entry: 0 yes,
 * 1 no, 2 abstain.  An empty ballot is a blank vote.
 *
 * Weights are integers in units of 10^-weight_decimals (0 for rolls, whose
 * weights are whole numbers).  No count uses floating point.
 *
 * The output is a JSON report (json_t, owned by the caller) whose fields
 * doc/methods.md describes; every method writes "method", "seats",
 * "candidates", "rounds" and "winners" (names, in order of election) and
 * "elected" (ids, same order).  A contest with no valid votes, or below
 * its quorum (options "quorum", "quorum_ballots"), elects no one: its
 * "outcome" is "no-valid-votes" or "no-quorum" and, but for a referendum,
 * the count is not run ("rounds" empty).  The report is a pure function
 * of the input: counting the same ballots again gives the same bytes
 * under tl_json_dump_canonical, which is what `teller verify` relies on.
 */
#ifndef TELLER_COUNT_H
#define TELLER_COUNT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "teller/error.h"
#include "teller/manifest.h"

#define TL_PREF_EQUAL 0x80000000u
#define TL_PREF_INDEX(entry) ((entry) & 0x7fffffffu)

enum tl_answer {
	TL_ANSWER_YES = 0,
	TL_ANSWER_NO = 1,
	TL_ANSWER_ABSTAIN = 2,
};

struct tl_count_input {
	enum tl_method method;
	unsigned seats;
	size_t ncandidates;
	const char *const *candidate_ids;   /* borrowed */
	const char *const *candidate_names; /* borrowed */
	const uint8_t *withdrawn;           /* NULL, or a flag per candidate */
	json_t *options;                    /* method options, or NULL */

	size_t nballots;
	const int64_t *weights;
	const size_t *starts;               /* nballots + 1 entries */
	const uint32_t *prefs;
	unsigned weight_decimals;

	/* The whole eligible weight of the contest's constituency (for the
	 * quorum, options.quorum); 0 if unknown. */
	int64_t eligible_weight;

	/* Seed of the deterministic generator that draws lots. */
	const uint8_t *seed;
	size_t seed_len;
};

/*
 * A growable set of ballots in the flat form above.  Initialise with
 * tl_ballot_set_init, add ballots, pass its arrays in a tl_count_input, and
 * release with tl_ballot_set_free.
 */
struct tl_ballot_set {
	size_t nballots;
	size_t nprefs;
	int64_t *weights;
	size_t *starts;
	uint32_t *prefs;
	size_t cap_ballots;
	size_t cap_prefs;
};

void tl_ballot_set_init(struct tl_ballot_set *set);
/* Adds a ballot of weight w whose entries are prefs[0..n-1]. */
int tl_ballot_set_add(struct tl_ballot_set *set, int64_t weight,
    const uint32_t *prefs, size_t n);
void tl_ballot_set_free(struct tl_ballot_set *set);

/* Points the ballot fields of in at the set's arrays. */
void tl_count_input_set_ballots(struct tl_count_input *in,
    const struct tl_ballot_set *set);

/* Counts; *report is a new JSON object.  TL_EMETHOD if the method cannot
 * count this input (for example equal ranks given to STV). */
int tl_count_run(const struct tl_count_input *in, json_t **report,
    struct tl_error *err);

#endif
