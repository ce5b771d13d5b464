/*
 * tally/irv.c: instant-runoff voting, one seat.
 *
 * Each paper counts for its highest-ranked continuing candidate.  A
 * candidate with more than half of the votes of the continuing
 * candidates (exhausted papers do not count) is elected; so is the last
 * continuing candidate.  Otherwise the candidate with the fewest votes is
 * excluded and their papers go to their next continuing preference.
 * Equal lowest votes: the most recent earlier round at which the tied
 * candidates' votes differed decides (fewest is excluded), else lot, as
 * in the Scottish rules (rule 51).  Votes are whole weights.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "internal.h"

int
tl_count_irv(const struct tl_count_input *in, json_t *report,
    struct tl_error *err)
{
	struct tl_piles p;
	struct tl_ranked rk;
	struct tl_lot lot;
	unsigned places = in->weight_decimals;
	size_t *tied = NULL;
	json_t *ties = json_array(), *action;
	int r;

	memset(&p, 0, sizeof(p));
	memset(&lot, 0, sizeof(lot));
	if (in->seats != 1) {
		json_decref(ties);
		return tl_error_set(err, TL_EMETHOD, "irv fills one seat, not "
		    "%u; use stv-scottish or stv-meek", in->seats);
	}
	if ((r = tl_ranked_build(in, 0, 1, &rk, err)) != TL_OK) {
		json_decref(ties);
		return r;
	}
	tied = calloc(in->ncandidates + 1, sizeof(*tied));
	if (ties == NULL || tied == NULL ||
	    (r = tl_lot_init(&lot, in)) != TL_OK ||
	    (r = tl_piles_init(&p, in, &rk, 1, places)) != TL_OK ||
	    json_object_set_new(report, "elected", json_array()) != 0 ||
	    json_object_set_new(report, "winners", json_array()) != 0) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	action = json_pack("{s:s}", "type", "first preferences");
	for (;;) {
		int64_t continuing = 0, majority;
		size_t low = SIZE_MAX, top = SIZE_MAX, ntied = 0, c;
		json_t *elected = json_array(), *tie = NULL;

		for (c = 0; c < p.ncand; c++) {
			if (p.state[c] != TL_CAND_HOPEFUL)
				continue;
			continuing += p.votes[c];
			if (top == SIZE_MAX || p.votes[c] > p.votes[top])
				top = c;
			if (low == SIZE_MAX || p.votes[c] < p.votes[low])
				low = c;
		}
		if (top == SIZE_MAX) {
			json_decref(elected);
			json_decref(action);
			break;
		}
		majority = continuing / 2 + 1;
		if (p.votes[top] >= majority || p.nhopeful == 1) {
			tl_piles_set_state(&p, top, TL_CAND_ELECTED);
			if (tl_count_add_winner(in, report, top) != TL_OK ||
			    json_array_append_new(elected,
			    json_string(in->candidate_ids[top])) != 0) {
				r = tl_error_set(err, TL_ENOMEM, "out of memory");
				goto out;
			}
		}
		if ((r = tl_piles_round(&p, majority, action, elected)) !=
		    TL_OK) {
			r = tl_error_set(err, r, "out of memory");
			goto out;
		}
		if (p.nelected == 1)
			break;
		for (c = 0; c < p.ncand; c++)
			if (p.state[c] == TL_CAND_HOPEFUL &&
			    p.votes[c] == p.votes[low])
				tied[ntied++] = c;
		if (ntied > 1) {
			low = tl_count_break_tie(in, &lot, p.history, p.nstages,
			    tied, ntied, 1, places, &tie);
		}
		action = json_pack("{s:s, s:s, s:o}", "type", "exclusion",
		    "candidate", in->candidate_ids[low], "votes",
		    tl_count_amount(p.votes[low], places));
		if (action == NULL || (ntied > 1 && tl_count_note_tie(ties,
		    action, tie, "which candidate to exclude") != TL_OK)) {
			if (action == NULL)
				json_decref(tie);
			json_decref(action);
			r = tl_error_set(err, TL_ENOMEM, "out of memory");
			goto out;
		}
		tl_piles_set_state(&p, low, TL_CAND_EXCLUDED);
		if ((r = tl_piles_transfer(&p, low, -1, NULL, err)) != TL_OK ||
		    (r = tl_piles_record(&p)) != TL_OK) {
			json_decref(action);
			goto out;
		}
	}
	if (json_object_set(report, "rounds", p.rounds) != 0 ||
	    json_object_set(report, "ties", ties) != 0) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	r = TL_OK;
 out:
	tl_piles_free(&p);
	tl_lot_free(&lot);
	tl_ranked_free(&rk);
	free(tied);
	json_decref(ties);
	return r;
}
