/*
 * tally/count.c: the count's shared parts: the flat ballot set, the report's
 * common fields, the quorum and "no valid votes", and the dispatch to each
 * method.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "teller/count.h"

void
tl_ballot_set_init(struct tl_ballot_set *set)
{
	memset(set, 0, sizeof(*set));
}

int
tl_ballot_set_add(struct tl_ballot_set *set, int64_t weight,
    const uint32_t *prefs, size_t n)
{
	if (set->nballots + 1 >= set->cap_ballots) {
		size_t cap = set->cap_ballots != 0 ? set->cap_ballots * 2 : 256;
		int64_t *w = realloc(set->weights, cap * sizeof(*w));
		size_t *s;

		if (w == NULL)
			return TL_ENOMEM;
		set->weights = w;
		if ((s = realloc(set->starts, (cap + 1) * sizeof(*s))) == NULL)
			return TL_ENOMEM;
		set->starts = s;
		set->cap_ballots = cap;
	}
	if (n > SIZE_MAX / 2 - set->nprefs)
		return TL_ETOOBIG;
	if (set->nprefs + n > set->cap_prefs) {
		size_t cap = set->cap_prefs != 0 ? set->cap_prefs : 1024;
		uint32_t *p;

		while (cap < set->nprefs + n)
			cap *= 2;
		if ((p = realloc(set->prefs, cap * sizeof(*p))) == NULL)
			return TL_ENOMEM;
		set->prefs = p;
		set->cap_prefs = cap;
	}
	set->starts[set->nballots] = set->nprefs;
	if (n != 0)
		memcpy(set->prefs + set->nprefs, prefs, n * sizeof(*prefs));
	set->nprefs += n;
	set->weights[set->nballots] = weight;
	set->nballots++;
	set->starts[set->nballots] = set->nprefs;
	return TL_OK;
}

void
tl_ballot_set_free(struct tl_ballot_set *set)
{
	free(set->weights);
	free(set->starts);
	free(set->prefs);
	memset(set, 0, sizeof(*set));
}

void
tl_count_input_set_ballots(struct tl_count_input *in,
    const struct tl_ballot_set *set)
{
	static const size_t empty_starts[1] = {0};

	in->nballots = set->nballots;
	in->weights = set->weights;
	in->starts = set->nballots != 0 ? set->starts : empty_starts;
	in->prefs = set->prefs;
}

/*
 * The valid ballots: those that give their weight to at least one
 * candidate (or answer) not withdrawn, with a weight above 0.  Their
 * number and weight decide "no valid votes" and the quorum.
 */
static void
count_valid(const struct tl_count_input *in, int64_t *ballots,
    int64_t *weight)
{
	*ballots = 0;
	*weight = 0;
	for (size_t b = 0; b < in->nballots; b++) {
		int valid = 0;

		for (size_t k = in->starts[b]; k < in->starts[b + 1] && !valid;
		    k++) {
			uint32_t c = TL_PREF_INDEX(in->prefs[k]);

			valid = c < in->ncandidates && (in->withdrawn == NULL ||
			    !in->withdrawn[c]);
		}
		if (!valid || in->weights[b] <= 0 ||
		    INT64_MAX - *weight < in->weights[b])
			continue;
		(*ballots)++;
		*weight += in->weights[b];
	}
}

/*
 * The quorum (options "quorum", a percentage of the eligible weight, and
 * "quorum_ballots", a number of valid ballots): *met, and in the report
 * its "quorum" object, which a referendum always has and other methods
 * when either option is set.
 */
static int
add_quorum(const struct tl_count_input *in, json_t *report, int64_t valid,
    int64_t valid_weight, int *met)
{
	json_t *percent = json_object_get(in->options, "quorum");
	json_t *min_ballots = json_object_get(in->options, "quorum_ballots");
	json_int_t q = json_integer_value(percent);
	json_t *obj;

	*met = (__int128)valid_weight * 100 >=
	    (__int128)q * (__int128)in->eligible_weight &&
	    valid >= json_integer_value(min_ballots);
	if (in->method != TL_METHOD_REFERENDUM && percent == NULL &&
	    min_ballots == NULL)
		return TL_OK;
	obj = json_pack("{s:I, s:o, s:o, s:b}", "percent", q,
	    "eligible_weight", tl_count_amount(in->eligible_weight,
	    in->weight_decimals), "participating_weight",
	    tl_count_amount(valid_weight, in->weight_decimals), "met", *met);
	if (obj == NULL || (min_ballots != NULL &&
	    (json_object_set(obj, "min_ballots", min_ballots) != 0 ||
	    json_object_set_new(obj, "participating_ballots",
	    json_integer((json_int_t)valid)) != 0)) ||
	    json_object_set_new(report, "quorum", obj) != 0)
		return TL_ENOMEM;
	return TL_OK;
}

/* A contest that elects no one: "no-valid-votes" or "no-quorum". */
static int
elect_no_one(json_t *report, const char *outcome)
{
	if (json_object_set_new(report, "outcome", json_string(outcome)) ||
	    json_object_set_new(report, "rounds", json_array()) ||
	    json_object_set_new(report, "elected", json_array()) ||
	    json_object_set_new(report, "winners", json_array()) ||
	    json_object_set_new(report, "ties", json_array()))
		return TL_ENOMEM;
	return TL_OK;
}

/*
 * The sum of the ballots' weights, blank ones included (the report's
 * "weight"): -1 when it, or the sum of the positive weights, does not fit
 * an int64_t, which is a count that cannot be made (doc/methods.md, "When
 * a method cannot count its input").  Every vote total a method adds up
 * is at most the sum of the positive weights.
 */
static int
sum_weights(const struct tl_count_input *in, int64_t *total)
{
	__int128 all = 0, positive = 0;

	for (size_t b = 0; b < in->nballots; b++) {
		all += in->weights[b];
		if (in->weights[b] > 0)
			positive += in->weights[b];
	}
	if (positive > INT64_MAX || all < INT64_MIN)
		return -1;
	*total = (int64_t)all;
	return 0;
}

/* The fields every report has, before the method adds its own; total is
 * the sum of the weights (sum_weights). */
static json_t *
report_new(const struct tl_count_input *in, int64_t total)
{
	json_t *report = json_object(), *candidates = json_array();
	size_t blank = 0;

	if (report == NULL || candidates == NULL)
		goto fail;
	for (size_t i = 0; i < in->ncandidates; i++) {
		json_t *c = json_pack("{s:s, s:s}", "id", in->candidate_ids[i],
		    "name", in->candidate_names[i]);

		if (c == NULL)
			goto fail;
		if (in->withdrawn != NULL && in->withdrawn[i])
			json_object_set_new(c, "withdrawn", json_true());
		if (json_array_append_new(candidates, c) != 0)
			goto fail;
	}
	for (size_t i = 0; i < in->nballots; i++)
		if (in->starts[i + 1] == in->starts[i])
			blank++;
	if (json_object_set_new(report, "method",
	    json_string(tl_method_name(in->method))) != 0 ||
	    json_object_set_new(report, "seats", json_integer(in->seats)) != 0 ||
	    json_object_set_new(report, "candidates", candidates) != 0 ||
	    json_object_set_new(report, "ballots",
	    json_integer((json_int_t)in->nballots)) != 0 ||
	    json_object_set_new(report, "weight",
	    tl_count_amount(total, in->weight_decimals)) != 0 ||
	    json_object_set_new(report, "blank",
	    json_integer((json_int_t)blank)) != 0) {
		json_decref(report);
		return NULL;
	}
	return report;
 fail:
	json_decref(report);
	json_decref(candidates);
	return NULL;
}

int
tl_count_run(const struct tl_count_input *in, json_t **out,
    struct tl_error *err)
{
	json_t *report;
	int64_t total, valid, valid_weight;
	int r, quorum_met;

	if (in->seats == 0)
		return tl_error_set(err, TL_EMETHOD, "no seats to fill");
	if (sum_weights(in, &total) != 0)
		return tl_error_set(err, TL_EMETHOD, "the ballots' weights add "
		    "up to more than a count holds (2^63 - 1 units of 10^-%u)",
		    in->weight_decimals);
	if ((report = report_new(in, total)) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	count_valid(in, &valid, &valid_weight);
	if (add_quorum(in, report, valid, valid_weight, &quorum_met) !=
	    TL_OK) {
		json_decref(report);
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	if (in->method != TL_METHOD_REFERENDUM &&
	    (valid_weight == 0 || !quorum_met)) {
		if (elect_no_one(report, valid_weight == 0 ? "no-valid-votes" :
		    "no-quorum") != TL_OK) {
			json_decref(report);
			return tl_error_set(err, TL_ENOMEM, "out of memory");
		}
		*out = report;
		return TL_OK;
	}
	switch (in->method) {
	case TL_METHOD_PLURALITY:
	case TL_METHOD_APPROVAL:
		r = tl_count_marks(in, report, err);
		break;
	case TL_METHOD_REFERENDUM:
		r = tl_count_referendum(in, report, quorum_met, err);
		break;
	case TL_METHOD_IRV:
		r = tl_count_irv(in, report, err);
		break;
	case TL_METHOD_STV_SCOTTISH:
		r = tl_count_stv_scottish(in, report, err);
		break;
	case TL_METHOD_STV_MEEK:
		r = tl_count_stv_meek(in, report, err);
		break;
	case TL_METHOD_SCHULZE:
		r = tl_count_schulze(in, report, err);
		break;
	default:
		r = tl_error_set(err, TL_EMETHOD,
		    "counting method %s is not available in this version",
		    tl_method_name(in->method));
		break;
	}
	if (r != TL_OK) {
		json_decref(report);
		return r;
	}
	*out = report;
	return TL_OK;
}
