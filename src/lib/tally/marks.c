/*
 * tally/marks.c: plurality (block voting: each voter marks up to `seats`
 * candidates) and approval (each voter marks any number).  Both count the
 * same way: every mark gives its ballot's whole weight to the candidate
 * marked; the `seats` candidates with the most votes are elected.  A tie
 * for the last seat(s) is broken by lot and reported with the candidates
 * in it, the seats they contest and those chosen.  A withdrawn candidate
 * (a BLT file's) is removed from every ballot, as for the ranked
 * methods: it gets no votes, is not listed in "votes" and is never
 * elected (doc/result-format.md, section 6).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct standing {
	size_t candidate;
	int64_t votes;
};

/* Most votes first; equal votes in the order of the manifest. */
static int
standing_cmp(const void *a, const void *b)
{
	const struct standing *x = a, *y = b;

	if (x->votes != y->votes)
		return x->votes > y->votes ? -1 : 1;
	return x->candidate < y->candidate ? -1 : x->candidate > y->candidate;
}

int
tl_count_marks(const struct tl_count_input *in, json_t *report,
    struct tl_error *err)
{
	struct standing *order = NULL;
	struct tl_lot lot;
	size_t *tied = NULL;
	int64_t *votes = NULL;
	json_t *round = NULL, *vote_obj, *elected, *winners, *rounds, *ties;
	size_t seats = in->seats, filled = 0, nstanding = 0;
	int r = TL_ENOMEM;

	memset(&lot, 0, sizeof(lot));
	if (in->ncandidates == 0)
		return tl_error_set(err, TL_EMETHOD, "no candidates");
	if ((votes = calloc(in->ncandidates, sizeof(*votes))) == NULL ||
	    (order = calloc(in->ncandidates, sizeof(*order))) == NULL ||
	    (tied = calloc(in->ncandidates, sizeof(*tied))) == NULL ||
	    tl_lot_init(&lot, in) != TL_OK)
		goto out;
	for (size_t b = 0; b < in->nballots; b++) {
		for (size_t k = in->starts[b]; k < in->starts[b + 1]; k++) {
			uint32_t c = TL_PREF_INDEX(in->prefs[k]);

			if (c >= in->ncandidates) {
				r = tl_error_set(err, TL_EINTERNAL,
				    "ballot %zu marks candidate %u of %zu", b,
				    c, in->ncandidates);
				goto out;
			}
			if (in->withdrawn != NULL && in->withdrawn[c])
				continue;
			if (INT64_MAX - votes[c] < in->weights[b]) {
				r = tl_error_set(err, TL_EMETHOD,
				    "vote total overflows");
				goto out;
			}
			votes[c] += in->weights[b];
		}
	}
	for (size_t c = 0; c < in->ncandidates; c++) {
		if (in->withdrawn != NULL && in->withdrawn[c])
			continue;
		order[nstanding].candidate = c;
		order[nstanding++].votes = votes[c];
	}
	qsort(order, nstanding, sizeof(*order), standing_cmp);

	round = json_object();
	vote_obj = json_object();
	elected = json_array();
	winners = json_array();
	rounds = json_array();
	ties = json_array();
	if (round == NULL || vote_obj == NULL || elected == NULL ||
	    winners == NULL || rounds == NULL || ties == NULL) {
		json_decref(vote_obj);
		json_decref(elected);
		json_decref(winners);
		json_decref(rounds);
		json_decref(ties);
		goto out;
	}
	json_object_set_new(round, "round", json_integer(1));
	json_object_set_new(round, "votes", vote_obj);
	for (size_t k = 0; k < nstanding; k++)
		json_object_set_new(vote_obj,
		    in->candidate_ids[order[k].candidate],
		    tl_count_amount(order[k].votes, in->weight_decimals));
	/*
	 * Walk groups of equal votes from the top: a group that fits in the
	 * seats left is elected whole; a group that does not is a tie for the
	 * seats left, broken by lot.
	 */
	for (size_t i = 0; i < nstanding && filled < seats;) {
		size_t j = i;

		while (j < nstanding && order[j].votes == order[i].votes)
			j++;
		if (j - i <= seats - filled) {
			for (size_t k = i; k < j; k++) {
				size_t c = order[k].candidate;

				json_array_append_new(elected,
				    json_string(in->candidate_ids[c]));
				json_array_append_new(winners,
				    json_string(in->candidate_names[c]));
			}
			filled += j - i;
		} else {
			json_t *tie = NULL, *chosen = json_array();
			size_t n = j - i;

			for (size_t k = i; k < j; k++)
				tied[k - i] = order[k].candidate;
			tl_count_lot_tie(in, &lot, tied, n, &tie);
			if (tie == NULL || chosen == NULL) {
				json_decref(tie);
				json_decref(chosen);
				json_decref(round);
				round = NULL;
				goto out;
			}
			tl_lot_sort(&lot, tied, n);
			for (size_t k = 0; k < seats - filled; k++) {
				size_t c = tied[k];

				json_array_append_new(chosen,
				    json_string(in->candidate_ids[c]));
				json_array_append_new(elected,
				    json_string(in->candidate_ids[c]));
				json_array_append_new(winners,
				    json_string(in->candidate_names[c]));
			}
			json_object_del(tie, "chosen");
			json_object_set_new(tie, "chosen", chosen);
			json_object_set_new(tie, "seats",
			    json_integer((json_int_t)(seats - filled)));
			json_object_set_new(tie, "votes", tl_count_amount(
			    order[i].votes, in->weight_decimals));
			json_object_set_new(tie, "question", json_string(
			    "who fills the last seat(s)"));
			json_array_append_new(ties, tie);
			filled = seats;
			break;
		}
		i = j;
	}
	json_object_set(round, "elected", elected);
	json_array_append_new(rounds, round);
	round = NULL;
	json_object_set_new(report, "rounds", rounds);
	json_object_set_new(report, "elected", elected);
	json_object_set_new(report, "winners", winners);
	json_object_set_new(report, "ties", ties);
	r = TL_OK;
 out:
	if (r == TL_ENOMEM)
		tl_error_set(err, r, "out of memory");
	json_decref(round);
	tl_lot_free(&lot);
	free(tied);
	free(votes);
	free(order);
	return r;
}
