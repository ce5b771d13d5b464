/*
 * tally/schulze.c: the Schulze method (winning votes).
 *
 *   d[X][Y] = the weight of the ballots that rank X above Y.  Equal ranks
 *             prefer neither; unranked candidates are equal and below
 *             every ranked one.
 *   p[X][Y] = the strength of the strongest path from X to Y, where a
 *             link X->Y has strength d[X][Y] if d[X][Y] > d[Y][X], else
 *             none (0); a path is as strong as its weakest link.
 *   X beats Y when p[X][Y] > p[Y][X].  That relation is a strict partial
 *   order (Schulze 2011 proves it transitive): it may leave several
 *   candidates that nobody beats, each of them a potential winner.
 *   The ranking is built place by place: the candidates not yet placed
 *   that no candidate not yet placed beats are the potential winners of
 *   the place; one takes it, several are a tie broken by lot (the first
 *   of them in the lot order takes it).  The winners of k seats are the
 *   first k of the ranking.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static json_t *
matrix_json(const struct tl_count_input *in, const int64_t *m, size_t n,
    const size_t *cands, size_t k)
{
	json_t *obj = json_object();

	for (size_t a = 0; obj != NULL && a < k; a++) {
		json_t *row = json_object();

		for (size_t b = 0; row != NULL && b < k; b++)
			if (a != b)
				json_object_set_new(row,
				    in->candidate_ids[cands[b]],
				    tl_count_amount(m[cands[a] * n + cands[b]],
				    in->weight_decimals));
		if (row == NULL || json_object_set_new(obj,
		    in->candidate_ids[cands[a]], row) != 0) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

int
tl_count_schulze(const struct tl_count_input *in, json_t *report,
    struct tl_error *err)
{
	size_t n = in->ncandidates, k = 0;
	struct tl_ranked rk;
	struct tl_lot lot;
	int64_t *d = NULL, *p = NULL, *wins = NULL;
	size_t *cands = NULL, *pos = NULL, *tied = NULL, *left = NULL;
	size_t *beaten_by = NULL;
	json_t *ranking = NULL, *ties = NULL, *round = NULL;
	int r;

	memset(&lot, 0, sizeof(lot));
	if ((r = tl_ranked_build(in, 1, 1, &rk, err)) != TL_OK)
		return r;
	d = calloc(n * n + 1, sizeof(*d));
	p = calloc(n * n + 1, sizeof(*p));
	wins = calloc(n + 1, sizeof(*wins));
	cands = calloc(n + 1, sizeof(*cands));
	pos = calloc(n + 1, sizeof(*pos));
	tied = calloc(n + 1, sizeof(*tied));
	left = calloc(n + 1, sizeof(*left));
	beaten_by = calloc(n + 1, sizeof(*beaten_by));
	ranking = json_array();
	ties = json_array();
	if (d == NULL || p == NULL || wins == NULL || cands == NULL ||
	    pos == NULL || tied == NULL || left == NULL ||
	    beaten_by == NULL || ranking == NULL || ties == NULL ||
	    (r = tl_lot_init(&lot, in)) != TL_OK)
		goto nomem;
	for (size_t c = 0; c < n; c++)
		if (in->withdrawn == NULL || !in->withdrawn[c])
			cands[k++] = c;
	/*
	 * d[a][b] = (weight of the ballots ranking a) - (weight of those
	 * ranking both, b at or above a): only pairs of ranked candidates
	 * are visited, not every candidate for each of them.  d holds the
	 * second term until the end.
	 */
	for (size_t g = 0; g < rk.n; g++) {
		size_t start = rk.start[g], end = rk.start[g + 1];
		int64_t w = rk.weight[g];

		for (size_t i = start; i < end; i++) {
			size_t a = TL_PREF_INDEX(rk.prefs[i]);
			int64_t *row = d + a * n;

			wins[a] += w;
			for (size_t j = start; j < i; j++)
				row[TL_PREF_INDEX(rk.prefs[j])] += w;
			for (size_t j = i + 1; j < end &&
			    (rk.prefs[j] & TL_PREF_EQUAL); j++)
				row[TL_PREF_INDEX(rk.prefs[j])] += w;
		}
	}
	for (size_t a = 0; a < n; a++) {
		for (size_t b = 0; b < n; b++)
			d[a * n + b] = a == b ? 0 : wins[a] - d[a * n + b];
		wins[a] = 0;
	}
	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < k; j++) {
			size_t a = cands[i], b = cands[j];

			if (a != b && d[a * n + b] > d[b * n + a])
				p[a * n + b] = d[a * n + b];
		}
	for (size_t m = 0; m < k; m++)
		for (size_t i = 0; i < k; i++) {
			size_t a = cands[i], via = cands[m];

			if (a == via)
				continue;
			for (size_t j = 0; j < k; j++) {
				size_t b = cands[j];
				int64_t s = p[a * n + via] < p[via * n + b] ?
				    p[a * n + via] : p[via * n + b];

				if (b != a && b != via && s > p[a * n + b])
					p[a * n + b] = s;
			}
		}
	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < k; j++) {
			size_t a = cands[i], b = cands[j];

			if (p[a * n + b] > p[b * n + a]) {
				wins[a]++;
				beaten_by[b]++;
			}
		}
	/*
	 * The ranking, place by place: the potential winners of a place are
	 * the candidates left that no candidate left beats.  One takes the
	 * place; several are a tie, which the lot breaks (the first of them
	 * in the lot order takes the place).  The beat relation is a strict
	 * partial order, so there is always at least one.
	 */
	memcpy(left, cands, k * sizeof(*left));
	for (size_t place = 0, nleft = k; place < k; place++) {
		size_t ntied = 0, chosen, kept = 0;

		for (size_t i = 0; i < nleft; i++)
			if (beaten_by[left[i]] == 0)
				tied[ntied++] = left[i];
		if (ntied == 1) {
			chosen = tied[0];
		} else {
			json_t *tie = NULL;
			char question[96];

			snprintf(question, sizeof(question), "place %zu of the "
			    "ranking: no candidate not yet placed beats them",
			    place + 1);
			chosen = tl_count_lot_tie(in, &lot, tied, ntied, &tie);
			if (tie == NULL ||
			    json_object_set_new(tie, "question",
			    json_string(question)) ||
			    json_object_set_new(tie, "place",
			    json_integer((json_int_t)place + 1)) ||
			    json_array_append_new(ties, tie))
				goto nomem;
		}
		pos[place] = chosen;
		for (size_t i = 0; i < nleft; i++) {
			size_t x = left[i];

			if (x == chosen)
				continue;
			if (p[chosen * n + x] > p[x * n + chosen])
				beaten_by[x]--;
			left[kept++] = x;
		}
		nleft = kept;
	}
	for (size_t i = 0; i < k; i++) {
		json_array_append_new(ranking,
		    json_string(in->candidate_ids[pos[i]]));
		if (i < in->seats &&
		    tl_count_add_winner(in, report, pos[i]) != TL_OK)
			goto nomem;
	}
	if (json_object_get(report, "elected") == NULL &&
	    (json_object_set_new(report, "elected", json_array()) != 0 ||
	    json_object_set_new(report, "winners", json_array()) != 0))
		goto nomem;
	round = json_pack("{s:I, s:o, s:o}", "round", (json_int_t)1, "votes",
	    tl_count_votes_json(in, wins, 0), "elected",
	    json_deep_copy(json_object_get(report, "elected")));
	if (round == NULL ||
	    json_object_set_new(report, "rounds", json_pack("[o]", round)) ||
	    json_object_set_new(report, "d", matrix_json(in, d, n, cands,
	    k)) ||
	    json_object_set_new(report, "p", matrix_json(in, p, n, cands,
	    k)) ||
	    json_object_set(report, "ranking", ranking) ||
	    json_object_set(report, "ties", ties))
		goto nomem;
	r = TL_OK;
	goto out;
 nomem:
	r = tl_error_set(err, TL_ENOMEM, "out of memory");
 out:
	tl_ranked_free(&rk);
	tl_lot_free(&lot);
	free(d);
	free(p);
	free(wins);
	free(cands);
	free(pos);
	free(tied);
	free(left);
	free(beaten_by);
	json_decref(ranking);
	json_decref(ties);
	return r;
}
