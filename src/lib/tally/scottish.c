/*
 * tally/scottish.c: STV by the Scottish Local Government Elections Order
 * 2007 (SSI 2007/42), schedule 1, rules 45 to 52.
 *
 *   45  first stage: each paper to its first preference, value 1.
 *   46  quota = floor(valid papers / (seats + 1)) + 1.
 *   47  a candidate whose votes equal or exceed the quota is elected.
 *   48  a surplus (votes - quota) is transferred one at a time: every
 *       paper the candidate holds goes to its next continuing preference
 *       at value  surplus x (its value) / (the candidate's votes),
 *       to five decimal places with the remainder ignored.
 *   49  the largest surplus first; equal surpluses by the most recent
 *       earlier stage at which the candidates' votes differed (the one
 *       with more first), else by lot.
 *   50  with no surplus to transfer, the candidate with the fewest votes
 *       is excluded and all their papers go on at the value they have.
 *   51  equal lowest votes: the most recent earlier stage at which they
 *       differed decides (the one with fewer is excluded), else lot.
 *   52  when the continuing candidates are as many as the seats left,
 *       they are elected and no further transfer is made.
 *
 * Votes are fixed point with 5 decimals (one vote = 100000).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define PLACES 5

struct scottish {
	struct tl_piles p;
	struct tl_lot lot;
	struct tl_ranked rk;
	int64_t quota;
	size_t *pending;      /* elected, surplus not yet transferred */
	size_t npending;
	size_t *buf;
	json_t *ties;
};

/* Rule 52: when the continuing candidates are no more than the seats
 * left, they are all elected (listed in ballot-paper order). */
static int
elect_remaining(struct scottish *s, const struct tl_count_input *in,
    json_t *report, json_t *elected)
{
	struct tl_piles *p = &s->p;
	size_t seats_left = in->seats - p->nelected;

	if (seats_left == 0 || p->nhopeful > seats_left || p->nhopeful == 0)
		return TL_OK;
	for (size_t c = 0; c < p->ncand; c++) {
		if (p->state[c] != TL_CAND_HOPEFUL)
			continue;
		tl_piles_set_state(p, c, TL_CAND_ELECTED);
		if (tl_count_add_winner(in, report, c) != TL_OK ||
		    json_array_append_new(elected,
		    json_string(in->candidate_ids[c])) != 0)
			return TL_ENOMEM;
	}
	if (json_object_set_new(report, "last_vacancies", json_string(
	    "rule 52: the continuing candidates were as many as the seats "
	    "left")) != 0)
		return TL_ENOMEM;
	return TL_OK;
}

/* The end of a stage: rule 52 if it applies, else rule 47 (every hopeful
 * candidate at or over the quota, most votes first, equal votes in the
 * order rule 49 would transfer their surpluses), then rule 52 again. */
static int
elect_stage(struct scottish *s, const struct tl_count_input *in,
    json_t *report, json_t *elected)
{
	struct tl_piles *p = &s->p;
	size_t n = 0;
	int r;

	if (p->nhopeful <= in->seats - p->nelected)
		return elect_remaining(s, in, report, elected);
	for (size_t c = 0; c < p->ncand; c++)
		if (p->state[c] == TL_CAND_HOPEFUL && p->votes[c] >= s->quota)
			s->buf[n++] = c;
	tl_piles_sort_by_votes(p, &s->lot, s->buf, n);
	for (size_t i = 0; i < n; i++) {
		size_t c = s->buf[i];

		tl_piles_set_state(p, c, TL_CAND_ELECTED);
		if (p->votes[c] > s->quota)
			s->pending[s->npending++] = c;
		if ((r = tl_count_add_winner(in, report, c)) != TL_OK ||
		    json_array_append_new(elected,
		    json_string(in->candidate_ids[c])) != 0)
			return TL_ENOMEM;
	}
	return elect_remaining(s, in, report, elected);
}

static int
transfer_surplus(struct scottish *s, json_t **action, struct tl_error *err)
{
	struct tl_piles *p = &s->p;
	size_t best = 0, ntied = 0, c, k;
	json_t *tie = NULL, *tv = NULL;
	int64_t surplus;
	int r;

	for (k = 1; k < s->npending; k++)
		if (p->votes[s->pending[k]] > p->votes[s->pending[best]])
			best = k;
	for (k = 0; k < s->npending; k++)
		if (p->votes[s->pending[k]] == p->votes[s->pending[best]])
			s->buf[ntied++] = s->pending[k];
	c = s->pending[best];
	if (ntied > 1) {
		/* Candidate order, for a stable report. */
		for (size_t i = 1; i < ntied; i++)
			for (size_t j = i; j > 0 && s->buf[j - 1] > s->buf[j];
			    j--) {
				size_t t = s->buf[j];

				s->buf[j] = s->buf[j - 1];
				s->buf[j - 1] = t;
			}
		c = tl_count_break_tie(p->in, &s->lot, p->history, p->nstages,
		    s->buf, ntied, 0, PLACES, &tie);
	}
	for (k = 0; s->pending[k] != c; k++)
		;
	s->pending[k] = s->pending[--s->npending];
	surplus = p->votes[c] - s->quota;
	*action = json_pack("{s:s, s:s, s:o, s:o}", "type", "surplus",
	    "candidate", p->in->candidate_ids[c],
	    "surplus", tl_count_amount(surplus, PLACES),
	    "votes", tl_count_amount(p->votes[c], PLACES));
	if (*action == NULL || (ntied > 1 && tl_count_note_tie(s->ties,
	    *action, tie, "which surplus to transfer first (rule 49)") !=
	    TL_OK)) {
		if (*action == NULL)
			json_decref(tie);
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	if ((r = tl_piles_transfer(p, c, surplus, &tv, err)) != TL_OK)
		return r;
	json_object_set_new(*action, "transfer_values", tv);
	return TL_OK;
}

static int
exclude_lowest(struct scottish *s, json_t **action, struct tl_error *err)
{
	struct tl_piles *p = &s->p;
	size_t ntied = 0, c = SIZE_MAX;
	json_t *tie = NULL;

	for (size_t k = 0; k < p->ncand; k++)
		if (p->state[k] == TL_CAND_HOPEFUL &&
		    (c == SIZE_MAX || p->votes[k] < p->votes[c]))
			c = k;
	for (size_t k = 0; k < p->ncand; k++)
		if (p->state[k] == TL_CAND_HOPEFUL && p->votes[k] == p->votes[c])
			s->buf[ntied++] = k;
	if (ntied > 1) {
		c = tl_count_break_tie(p->in, &s->lot, p->history, p->nstages,
		    s->buf, ntied, 1, PLACES, &tie);
	}
	*action = json_pack("{s:s, s:s, s:o}", "type", "exclusion",
	    "candidate", p->in->candidate_ids[c],
	    "votes", tl_count_amount(p->votes[c], PLACES));
	if (*action == NULL || (ntied > 1 && tl_count_note_tie(s->ties,
	    *action, tie, "which candidate to exclude (rule 51)") != TL_OK)) {
		if (*action == NULL)
			json_decref(tie);
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	tl_piles_set_state(p, c, TL_CAND_EXCLUDED);
	return tl_piles_transfer(p, c, -1, NULL, err);
}

int
tl_count_stv_scottish(const struct tl_count_input *in, json_t *report,
    struct tl_error *err)
{
	struct scottish s;
	int64_t one = tl_count_pow10(PLACES);
	json_t *action = NULL, *elected = NULL;
	int r;

	memset(&s, 0, sizeof(s));
	if (in->weight_decimals > PLACES)
		return tl_error_set(err, TL_EMETHOD, "weights have %u decimal "
		    "places; stv-scottish counts to %d", in->weight_decimals,
		    PLACES);
	if ((r = tl_ranked_build(in, 0, tl_count_pow10(PLACES -
	    in->weight_decimals), &s.rk, err)) != TL_OK)
		return r;
	s.pending = calloc(in->ncandidates + 1, sizeof(*s.pending));
	s.buf = calloc(in->ncandidates + 1, sizeof(*s.buf));
	s.ties = json_array();
	if (s.pending == NULL || s.buf == NULL || s.ties == NULL ||
	    (r = tl_lot_init(&s.lot, in)) != TL_OK ||
	    (r = tl_piles_init(&s.p, in, &s.rk, one, PLACES)) != TL_OK ||
	    json_object_set_new(report, "elected", json_array()) != 0 ||
	    json_object_set_new(report, "winners", json_array()) != 0) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	/* Rule 46. */
	s.quota = (s.rk.total / (one * ((int64_t)in->seats + 1)) + 1) * one;
	action = json_pack("{s:s}", "type", "first preferences");
	elected = json_array();
	if ((r = elect_stage(&s, in, report, elected)) != TL_OK ||
	    (r = tl_piles_round(&s.p, s.quota, action, elected)) != TL_OK) {
		action = elected = NULL;
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	while (s.p.nelected < in->seats && s.p.nhopeful > 0) {
		action = NULL;
		r = s.npending > 0 ? transfer_surplus(&s, &action, err) :
		    exclude_lowest(&s, &action, err);
		if (r != TL_OK)
			goto out;
		elected = json_array();
		if ((r = tl_piles_record(&s.p)) != TL_OK ||
		    (r = elect_stage(&s, in, report, elected)) != TL_OK ||
		    (r = tl_piles_round(&s.p, s.quota, action, elected)) !=
		    TL_OK) {
			r = tl_error_set(err, TL_ENOMEM, "out of memory");
			goto out;
		}
	}
	action = elected = NULL;
	if (json_object_set_new(report, "quota",
	    tl_count_amount(s.quota, PLACES)) != 0 ||
	    json_object_set_new(report, "places", json_integer(PLACES)) != 0 ||
	    json_object_set(report, "rounds", s.p.rounds) != 0 ||
	    json_object_set(report, "ties", s.ties) != 0) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	r = TL_OK;
 out:
	tl_piles_free(&s.p);
	tl_lot_free(&s.lot);
	tl_ranked_free(&s.rk);
	free(s.pending);
	free(s.buf);
	json_decref(s.ties);
	return r;
}
