/*
 * tally/piles.c: the papers of a count by transfers, held in piles.
 *
 * Identical rankings were merged (ranked.c), and papers with the same
 * ranking always travel together with the same value, so a pile holds
 * distinct rankings, each standing for all its papers.  A transfer walks
 * only the pile being transferred: the work of a stage is proportional to
 * the papers that move in it.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The votes that a ranking's papers give at value v. */
static int
credit(const struct tl_piles *p, size_t g, int64_t v, int64_t *out)
{
	if (v == p->one) {
		*out = p->rk->weight[g];
		return TL_OK;
	}
	return tl_count_muldiv(v, p->rk->weight[g], p->one, out);
}

static int
pile_push(struct tl_piles *p, size_t c, size_t g)
{
	if (p->pile_len[c] == p->pile_cap[c]) {
		size_t cap = p->pile_cap[c] != 0 ? p->pile_cap[c] * 2 : 64;
		size_t *n = realloc(p->pile[c], cap * sizeof(*n));

		if (n == NULL)
			return TL_ENOMEM;
		p->pile[c] = n;
		p->pile_cap[c] = cap;
	}
	p->pile[c][p->pile_len[c]++] = g;
	return TL_OK;
}

/* Moves ranking g on from its current position to its next hopeful
 * candidate at value v, crediting it there or to the exhausted papers. */
static int
advance(struct tl_piles *p, size_t g, int64_t v)
{
	const uint32_t *prefs = p->rk->prefs;
	size_t end = p->rk->start[g + 1], k = p->pos[g];
	int64_t amount;
	int r;

	while (k < end && p->state[prefs[k]] != TL_CAND_HOPEFUL)
		k++;
	p->pos[g] = k;
	p->value[g] = v;
	if ((r = credit(p, g, v, &amount)) != TL_OK)
		return r;
	if (k == end) {
		p->exhausted += amount;
		return TL_OK;
	}
	p->votes[prefs[k]] += amount;
	return pile_push(p, prefs[k], g);
}

void
tl_piles_free(struct tl_piles *p)
{
	for (size_t c = 0; p->pile != NULL && c < p->ncand; c++)
		free(p->pile[c]);
	free(p->pile);
	free(p->pile_len);
	free(p->pile_cap);
	free(p->pos);
	free(p->value);
	free(p->votes);
	free(p->prev);
	free(p->state);
	free(p->history);
	json_decref(p->rounds);
	memset(p, 0, sizeof(*p));
}

int
tl_piles_init(struct tl_piles *p, const struct tl_count_input *in,
    const struct tl_ranked *rk, int64_t one, unsigned places)
{
	size_t n = in->ncandidates;
	int r;

	memset(p, 0, sizeof(*p));
	p->in = in;
	p->rk = rk;
	p->ncand = n;
	p->one = one;
	p->places = places;
	p->pile = calloc(n + 1, sizeof(*p->pile));
	p->pile_len = calloc(n + 1, sizeof(*p->pile_len));
	p->pile_cap = calloc(n + 1, sizeof(*p->pile_cap));
	p->votes = calloc(n + 1, sizeof(*p->votes));
	p->prev = calloc(n + 1, sizeof(*p->prev));
	p->state = calloc(n + 1, sizeof(*p->state));
	p->pos = calloc(rk->n + 1, sizeof(*p->pos));
	p->value = calloc(rk->n + 1, sizeof(*p->value));
	p->rounds = json_array();
	if (p->pile == NULL || p->pile_len == NULL || p->pile_cap == NULL ||
	    p->votes == NULL || p->prev == NULL || p->state == NULL ||
	    p->pos == NULL || p->value == NULL || p->rounds == NULL)
		return TL_ENOMEM;
	for (size_t c = 0; c < n; c++) {
		if (in->withdrawn != NULL && in->withdrawn[c]) {
			p->state[c] = TL_CAND_WITHDRAWN;
		} else {
			p->state[c] = TL_CAND_HOPEFUL;
			p->nhopeful++;
		}
	}
	for (size_t g = 0; g < rk->n; g++) {
		p->pos[g] = rk->start[g];
		if ((r = advance(p, g, one)) != TL_OK)
			return r;
	}
	return tl_piles_record(p);
}

void
tl_piles_set_state(struct tl_piles *p, size_t c, enum tl_cand_state s)
{
	if (p->state[c] == TL_CAND_HOPEFUL)
		p->nhopeful--;
	if (s == TL_CAND_ELECTED)
		p->nelected++;
	p->state[c] = (uint8_t)s;
}

/* The distinct values of the papers a surplus transfer moves, each with
 * its transfer value, in the order of the first paper of that value in
 * the pile: what the report's "transfer_values" lists. */
struct value_map {
	int64_t *from, *to;
	size_t n, cap;
};

static int
value_map_add(struct value_map *m, int64_t from, int64_t to)
{
	if (m->n == m->cap) {
		size_t cap = m->cap != 0 ? m->cap * 2 : 8;
		int64_t *f = realloc(m->from, cap * sizeof(*f));

		if (f == NULL)
			return TL_ENOMEM;
		m->from = f;
		if ((f = realloc(m->to, cap * sizeof(*f))) == NULL)
			return TL_ENOMEM;
		m->to = f;
		m->cap = cap;
	}
	m->from[m->n] = from;
	m->to[m->n++] = to;
	return TL_OK;
}

int
tl_piles_transfer(struct tl_piles *p, size_t c, int64_t surplus, json_t **tv,
    struct tl_error *err)
{
	size_t *pile = p->pile[c], len = p->pile_len[c];
	int64_t total = p->votes[c];
	struct value_map values;
	int r = TL_OK;

	memset(&values, 0, sizeof(values));
	p->pile[c] = NULL;
	p->pile_len[c] = p->pile_cap[c] = 0;
	p->votes[c] = surplus >= 0 ? total - surplus : 0;
	for (size_t i = 0; i < len; i++) {
		size_t g = pile[i];
		int64_t v = p->value[g], nv = v;

		if (surplus >= 0) {
			size_t k;

			/* A handful of values per transfer: a linear search. */
			for (k = 0; k < values.n && values.from[k] != v; k++)
				;
			if (k < values.n) {
				nv = values.to[k];
			} else if ((r = tl_count_muldiv(v, surplus, total,
			    &nv)) != TL_OK ||
			    (r = value_map_add(&values, v, nv)) != TL_OK) {
				break;
			}
		}
		p->pos[g]++;
		if ((r = advance(p, g, nv)) != TL_OK)
			break;
	}
	free(pile);
	if (r == TL_OK && tv != NULL) {
		*tv = json_array();
		for (size_t k = 0; *tv != NULL && k < values.n; k++)
			if (json_array_append_new(*tv, json_pack("{s:o, s:o}",
			    "value", tl_count_amount(values.from[k], p->places),
			    "transfer_value", tl_count_amount(values.to[k],
			    p->places))) != 0) {
				json_decref(*tv);
				*tv = NULL;
			}
		if (*tv == NULL)
			r = TL_ENOMEM;
	}
	free(values.from);
	free(values.to);
	if (r == TL_ENOMEM)
		return tl_error_set(err, r, "out of memory");
	if (r != TL_OK)
		return tl_error_set(err, r, "a transfer value overflows");
	return TL_OK;
}

int
tl_piles_record(struct tl_piles *p)
{
	if (p->nstages == p->cap_stages) {
		size_t cap = p->cap_stages != 0 ? p->cap_stages * 2 : 16;
		int64_t *h = realloc(p->history, cap * p->ncand * sizeof(*h) +
		    1);

		if (h == NULL)
			return TL_ENOMEM;
		p->history = h;
		p->cap_stages = cap;
	}
	memcpy(p->history + p->nstages * p->ncand, p->votes,
	    p->ncand * sizeof(*p->votes));
	p->nstages++;
	return TL_OK;
}

int
tl_piles_round(struct tl_piles *p, int64_t quota, json_t *action,
    json_t *elected)
{
	const struct tl_count_input *in = p->in;
	json_t *round = NULL, *transfers = json_object();
	int64_t sum = 0;

	for (size_t c = 0; transfers != NULL && c < p->ncand; c++) {
		sum += p->votes[c];
		if (p->votes[c] != p->prev[c])
			json_object_set_new(transfers, in->candidate_ids[c],
			    tl_count_amount(p->votes[c] - p->prev[c],
			    p->places));
	}
	if (transfers != NULL && json_array_size(p->rounds) > 0 &&
	    p->exhausted != p->prev_exhausted)
		json_object_set_new(transfers, "non-transferable",
		    tl_count_amount(p->exhausted - p->prev_exhausted,
		    p->places));
	round = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
	    "round", (json_int_t)json_array_size(p->rounds) + 1,
	    "quota", tl_count_amount(quota, p->places),
	    "votes", tl_count_votes_json(in, p->votes, p->places),
	    "transfers", transfers,
	    "non_transferable", tl_count_amount(p->exhausted, p->places),
	    "lost", tl_count_amount(p->rk->total - sum - p->exhausted,
	    p->places),
	    "action", action,
	    "elected", elected);
	if (round == NULL || json_array_append_new(p->rounds, round) != 0)
		return TL_ENOMEM;
	memcpy(p->prev, p->votes, p->ncand * sizeof(*p->votes));
	p->prev_exhausted = p->exhausted;
	return TL_OK;
}

void
tl_piles_sort_by_votes(struct tl_piles *p, const struct tl_lot *lot,
    size_t *cands, size_t n)
{
	size_t *tied = malloc((n + 1) * sizeof(*tied));

	/* Selection: repeatedly take the candidate with the most votes,
	 * breaking equal votes as rule 49 does. */
	for (size_t i = 0; i < n; i++) {
		size_t best = i, ntied = 0, pick;

		for (size_t j = i + 1; j < n; j++)
			if (p->votes[cands[j]] > p->votes[cands[best]])
				best = j;
		for (size_t j = i; tied != NULL && j < n; j++)
			if (p->votes[cands[j]] == p->votes[cands[best]])
				tied[ntied++] = cands[j];
		pick = cands[best];
		if (ntied > 1 && tied != NULL) {
			json_t *tie = NULL;

			pick = tl_count_break_tie(p->in, lot, p->history,
			    p->nstages, tied, ntied, 0, p->places, &tie);
			json_decref(tie);
		}
		for (size_t j = i; j < n; j++)
			if (cands[j] == pick) {
				cands[j] = cands[i];
				cands[i] = pick;
				break;
			}
	}
	free(tied);
}
