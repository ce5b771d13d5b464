/*
 * tally/referendum.c: a yes/no/abstain question.
 *
 * Each ballot gives its weight to its answer.  Abstentions count towards
 * the quorum, not towards the threshold.  Thresholds (options.threshold):
 *   "majority"   (default) approved if yes > no, that is more than half of
 *                yes + no;
 *   "two-thirds" approved if 3 * yes >= 2 * (yes + no) and yes > 0.
 * Quorum (options.quorum, a whole percentage, default 0): the weight of the
 * ballots that answered (yes, no or abstain) times 100 must be at least
 * quorum times the eligible weight of the constituency; otherwise the
 * outcome is "no-quorum" whatever the answers.
 * The outcome is "approved", "rejected" or "no-quorum"; "winners" is
 * ["yes"] or ["no"] (empty without a quorum).
 */
#include <config.h>

#include <string.h>

#include "internal.h"

int
tl_count_referendum(const struct tl_count_input *in, json_t *report,
    struct tl_error *err)
{
	static const char *const answers[3] = {"yes", "no", "abstain"};
	int64_t totals[3] = {0, 0, 0}, participating;
	const char *threshold = "majority", *outcome;
	json_int_t quorum = 0;
	json_t *value, *votes, *round, *quorum_obj;
	int approved, quorum_met;

	if ((value = json_object_get(in->options, "threshold")) != NULL)
		threshold = json_string_value(value);
	if ((value = json_object_get(in->options, "quorum")) != NULL)
		quorum = json_integer_value(value);
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
		if (INT64_MAX / 4 - totals[a] < in->weights[b])
			return tl_error_set(err, TL_EMETHOD,
			    "vote total overflows");
		totals[a] += in->weights[b];
	}
	participating = totals[0] + totals[1] + totals[2];
	quorum_met = participating * 100 >= (int64_t)quorum * in->eligible_weight;
	if (strcmp(threshold, "majority") == 0)
		approved = totals[0] > totals[1];
	else
		approved = totals[0] > 0 &&
		    3 * totals[0] >= 2 * (totals[0] + totals[1]);
	outcome = !quorum_met ? "no-quorum" : approved ? "approved" : "rejected";

	votes = json_object();
	for (int a = 0; a < 3; a++)
		json_object_set_new(votes, answers[a],
		    tl_count_amount(totals[a], in->weight_decimals));
	round = json_pack("{s:i, s:o}", "round", 1, "votes", votes);
	quorum_obj = json_pack("{s:I, s:o, s:o, s:b}", "percent", quorum,
	    "eligible_weight", tl_count_amount(in->eligible_weight,
	    in->weight_decimals), "participating_weight",
	    tl_count_amount(participating, in->weight_decimals), "met",
	    quorum_met);
	if (round == NULL || quorum_obj == NULL ||
	    json_object_set_new(report, "rounds", json_pack("[o]", round)) ||
	    json_object_set_new(report, "threshold", json_string(threshold)) ||
	    json_object_set_new(report, "quorum", quorum_obj) ||
	    json_object_set_new(report, "outcome", json_string(outcome)) ||
	    json_object_set_new(report, "winners", !quorum_met ? json_array() :
	    json_pack("[s]", approved ? "yes" : "no")) ||
	    json_object_set_new(report, "elected", !quorum_met ? json_array() :
	    json_pack("[s]", approved ? "yes" : "no")))
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	return TL_OK;
}
