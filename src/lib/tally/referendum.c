/*
 * tally/referendum.c: a yes/no/abstain question.
 *
 * Each ballot gives its weight to its answer.  Abstentions count towards
 * the quorum, not towards the threshold.  Thresholds (options.threshold):
 *   "majority"   (default) approved if yes > no, that is more than half of
 *                yes + no;
 *   "two-thirds" approved if 3 * yes >= 2 * (yes + no) and yes > 0.
 * The quorum (count.c, doc/methods.md) is met or not before the count:
 * the weight of the ballots that answered (yes, no or abstain) against
 * the eligible weight of the constituency, and their number.
 * The outcome is "no-valid-votes" when no ballot answered, else
 * "no-quorum" when the quorum is not met, else "approved" or "rejected";
 * "winners" is ["yes"] or ["no"] (empty without an outcome).
 */
#include <config.h>

#include <string.h>

#include "internal.h"

int
tl_count_referendum(const struct tl_count_input *in, json_t *report,
    int quorum_met, struct tl_error *err)
{
	static const char *const answers[3] = {"yes", "no", "abstain"};
	int64_t totals[3] = {0, 0, 0};
	const char *threshold = "majority", *outcome;
	json_t *value, *votes, *round;
	int approved, decided;

	if ((value = json_object_get(in->options, "threshold")) != NULL)
		threshold = json_string_value(value);
	if (threshold == NULL || (strcmp(threshold, "majority") != 0 &&
	    strcmp(threshold, "two-thirds") != 0))
		return tl_error_set(err, TL_EMETHOD, "unknown threshold");
	for (size_t b = 0; b < in->nballots; b++) {
		uint32_t a;

		if (in->starts[b + 1] == in->starts[b])
			continue;
		a = TL_PREF_INDEX(in->prefs[in->starts[b]]);
		if (in->starts[b + 1] - in->starts[b] != 1 || a > 2)
			return tl_error_set(err, TL_EINTERNAL,
			    "referendum ballot %zu is not one answer", b);
		if (INT64_MAX - totals[a] < in->weights[b])
			return tl_error_set(err, TL_EMETHOD,
			    "vote total overflows");
		totals[a] += in->weights[b];
	}
	if (strcmp(threshold, "majority") == 0)
		approved = totals[0] > totals[1];
	else
		approved = totals[0] > 0 &&
		    3 * (__int128)totals[0] >=
		    2 * ((__int128)totals[0] + totals[1]);
	decided = 0;
	if ((__int128)totals[0] + totals[1] + totals[2] == 0)
		outcome = "no-valid-votes";
	else if (!quorum_met)
		outcome = "no-quorum";
	else {
		outcome = approved ? "approved" : "rejected";
		decided = 1;
	}

	votes = json_object();
	for (int a = 0; a < 3; a++)
		json_object_set_new(votes, answers[a],
		    tl_count_amount(totals[a], in->weight_decimals));
	round = json_pack("{s:i, s:o}", "round", 1, "votes", votes);
	if (round == NULL ||
	    json_object_set_new(report, "rounds", json_pack("[o]", round)) ||
	    json_object_set_new(report, "threshold", json_string(threshold)) ||
	    json_object_set_new(report, "outcome", json_string(outcome)) ||
	    json_object_set_new(report, "winners", !decided ? json_array() :
	    json_pack("[s]", approved ? "yes" : "no")) ||
	    json_object_set_new(report, "elected", !decided ? json_array() :
	    json_pack("[s]", approved ? "yes" : "no")))
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	return TL_OK;
}
