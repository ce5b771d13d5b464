/*
 * tally/ranked.c: what the ranked methods share: their ballots prepared
 * once (withdrawn candidates removed, identical rankings merged so that
 * the count works on distinct rankings), fixed-point helpers, and the
 * tie-breaking and report pieces, which plurality and approval use too;
 * and the vote totals as JSON (tl_count_amount) of every method and of
 * count.c.  It calls none of the methods.
 */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

json_t *
tl_count_amount(int64_t value, unsigned decimals)
{
	char text[48];
	int64_t scale = 1;
	uint64_t mag;

	if (decimals == 0)
		return json_integer((json_int_t)value);
	for (unsigned i = 0; i < decimals && i < 18; i++)
		scale *= 10;
	mag = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
	snprintf(text, sizeof(text), "%s%" PRIu64 ".%0*" PRIu64,
	    value < 0 ? "-" : "", mag / (uint64_t)scale, (int)decimals,
	    mag % (uint64_t)scale);
	return json_string(text);
}

int64_t
tl_count_pow10(unsigned k)
{
	int64_t p = 1;

	while (k-- > 0 && p <= INT64_MAX / 10)
		p *= 10;
	return p;
}

int
tl_count_muldiv(int64_t a, int64_t b, int64_t c, int64_t *out)
{
	unsigned __int128 q = (unsigned __int128)(uint64_t)a * (uint64_t)b /
	    (uint64_t)c;

	if (q > (unsigned __int128)INT64_MAX)
		return TL_EMETHOD;
	*out = (int64_t)q;
	return TL_OK;
}

int
tl_count_muldiv_up(int64_t a, int64_t b, int64_t c, int64_t *out)
{
	unsigned __int128 p = (unsigned __int128)(uint64_t)a * (uint64_t)b;
	unsigned __int128 q = (p + (uint64_t)c - 1) / (uint64_t)c;

	if (q > (unsigned __int128)INT64_MAX)
		return TL_EMETHOD;
	*out = (int64_t)q;
	return TL_OK;
}

void
tl_ranked_free(struct tl_ranked *rk)
{
	free(rk->weight);
	free(rk->start);
	free(rk->prefs);
	memset(rk, 0, sizeof(*rk));
}

static uint64_t
hash_ranking(const uint32_t *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15u ^ n;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0xff51afd7ed558ccdu;
		h ^= h >> 29;
	}
	return h;
}

int
tl_ranked_build(const struct tl_count_input *in, int allow_equal,
    int64_t scale, struct tl_ranked *out, struct tl_error *err)
{
	struct tl_ranked rk;
	uint64_t *table = NULL;
	uint32_t *seen = NULL;
	size_t mask, nprefs = in->starts[in->nballots];
	const char *method = tl_method_name(in->method);
	int r = TL_ENOMEM;

	memset(&rk, 0, sizeof(rk));
	if (in->nballots >= UINT32_MAX)
		return tl_error_set(err, TL_EMETHOD, "more than %u ballots",
		    UINT32_MAX - 1);
	for (mask = 16; mask < 2 * in->nballots; mask *= 2)
		;
	rk.weight = malloc((in->nballots + 1) * sizeof(*rk.weight));
	rk.start = malloc((in->nballots + 2) * sizeof(*rk.start));
	rk.prefs = malloc((nprefs + 1) * sizeof(*rk.prefs));
	table = calloc(mask, sizeof(*table));
	seen = calloc(in->ncandidates + 1, sizeof(*seen));
	if (rk.weight == NULL || rk.start == NULL || rk.prefs == NULL ||
	    table == NULL || seen == NULL)
		goto out;
	mask--;
	rk.start[0] = 0;
	for (size_t b = 0; b < in->nballots; b++) {
		size_t at = rk.start[rk.n], len = 0, slot;
		uint64_t h;
		uint32_t *p = rk.prefs + at;
		int new_group = 1;
		int64_t w;

		if (in->weights[b] < 0) {
			r = tl_error_set(err, TL_EMETHOD, "ballot %zu has a "
			    "negative weight", b + 1);
			goto out;
		}
		for (size_t k = in->starts[b]; k < in->starts[b + 1]; k++) {
			uint32_t e = in->prefs[k], c = TL_PREF_INDEX(e);

			if (c >= in->ncandidates) {
				r = tl_error_set(err, TL_EINTERNAL, "ballot %zu "
				    "ranks candidate %u of %zu", b + 1, c,
				    in->ncandidates);
				goto out;
			}
			if (seen[c] == b + 1) {
				r = tl_error_set(err, TL_EMETHOD, "ballot %zu "
				    "ranks %s twice", b + 1,
				    in->candidate_ids[c]);
				goto out;
			}
			seen[c] = (uint32_t)(b + 1);
			if ((e & TL_PREF_EQUAL) == 0)
				new_group = 1;
			if (in->withdrawn != NULL && in->withdrawn[c])
				continue;
			if (!new_group && !allow_equal) {
				r = tl_error_set(err, TL_EMETHOD, "ballot %zu "
				    "ranks %s equal to the candidate before "
				    "it; %s needs a strict order of "
				    "preference", b + 1, in->candidate_ids[c],
				    method);
				goto out;
			}
			p[len++] = c | (new_group ? 0 : TL_PREF_EQUAL);
			new_group = 0;
		}
		if (len == 0 || in->weights[b] == 0)
			continue;
		if (in->weights[b] > INT64_MAX / scale) {
			r = tl_error_set(err, TL_EMETHOD, "ballot %zu: weight "
			    "too large", b + 1);
			goto out;
		}
		w = in->weights[b] * scale;
		if (INT64_MAX - rk.total < w) {
			r = tl_error_set(err, TL_EMETHOD, "the total weight "
			    "of the ballots overflows");
			goto out;
		}
		rk.total += w;
		/* A slot holds the hash's top 32 bits and 1 + the index, so
		 * that most mismatches are seen without touching the
		 * ranking. */
		h = hash_ranking(p, len);
		slot = (size_t)h & mask;
		for (;;) {
			uint64_t e = table[slot];
			size_t i;

			if (e == 0) {
				table[slot] = (h & 0xffffffff00000000u) |
				    (uint64_t)(rk.n + 1);
				rk.weight[rk.n] = w;
				rk.n++;
				rk.start[rk.n] = at + len;
				break;
			}
			i = (size_t)(e & 0xffffffffu) - 1;
			if ((e >> 32) == (h >> 32) &&
			    rk.start[i + 1] - rk.start[i] == len &&
			    memcmp(rk.prefs + rk.start[i], p,
			    len * sizeof(*p)) == 0) {
				rk.weight[i] += w;
				break;
			}
			slot = (slot + 1) & mask;
		}
	}
	*out = rk;
	memset(&rk, 0, sizeof(rk));
	r = TL_OK;
 out:
	if (r == TL_ENOMEM)
		tl_error_set(err, r, "out of memory");
	tl_ranked_free(&rk);
	free(table);
	free(seen);
	return r;
}

json_t *
tl_count_votes_json(const struct tl_count_input *in, const int64_t *votes,
    unsigned places)
{
	json_t *obj = json_object();

	for (size_t c = 0; obj != NULL && c < in->ncandidates; c++) {
		if (in->withdrawn != NULL && in->withdrawn[c])
			continue;
		if (json_object_set_new(obj, in->candidate_ids[c],
		    tl_count_amount(votes[c], places)) != 0) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

json_t *
tl_count_ids_json(const struct tl_count_input *in, const size_t *c, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < n; i++)
		if (json_array_append_new(a,
		    json_string(in->candidate_ids[c[i]])) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

int
tl_count_add_winner(const struct tl_count_input *in, json_t *report,
    size_t c)
{
	json_t *elected = json_object_get(report, "elected");
	json_t *winners = json_object_get(report, "winners");

	if (elected == NULL) {
		if (json_object_set_new(report, "elected", json_array()) != 0 ||
		    json_object_set_new(report, "winners", json_array()) != 0)
			return TL_ENOMEM;
		elected = json_object_get(report, "elected");
		winners = json_object_get(report, "winners");
	}
	if (json_array_append_new(elected,
	    json_string(in->candidate_ids[c])) != 0 ||
	    json_array_append_new(winners,
	    json_string(in->candidate_names[c])) != 0)
		return TL_ENOMEM;
	return TL_OK;
}

int
tl_count_note_tie(json_t *ties, json_t *action, json_t *tie,
    const char *question)
{
	if (tie == NULL || action == NULL ||
	    json_object_set_new(tie, "question", json_string(question)) != 0 ||
	    json_array_append(ties, tie) != 0) {
		json_decref(tie);
		return TL_ENOMEM;
	}
	return json_object_set_new(action, "tie", tie) != 0 ? TL_ENOMEM :
	    TL_OK;
}

size_t
tl_count_lot_tie(const struct tl_count_input *in, const struct tl_lot *lot,
    const size_t *tied, size_t n, json_t **tie)
{
	size_t *sorted = malloc(n * sizeof(*sorted));
	size_t chosen = tl_lot_first(lot, tied, n);

	*tie = NULL;
	if (sorted == NULL)
		return chosen;
	memcpy(sorted, tied, n * sizeof(*sorted));
	tl_lot_sort(lot, sorted, n);
	*tie = json_pack("{s:o, s:s, s:o, s:s, s:b}",
	    "candidates", tl_count_ids_json(in, tied, n),
	    "broken_by", "lot",
	    "lot_order", tl_count_ids_json(in, sorted, n),
	    "chosen", in->candidate_ids[chosen],
	    "resolved", 1);
	free(sorted);
	return chosen;
}

size_t
tl_count_break_tie(const struct tl_count_input *in, const struct tl_lot *lot,
    const int64_t *history, size_t nstages, const size_t *tied, size_t n,
    int lowest, unsigned places, json_t **tie)
{
	size_t ncand = in->ncandidates, left = n, chosen;
	size_t *set = malloc(n * sizeof(*set));

	*tie = NULL;
	if (set == NULL)
		return tl_lot_first(lot, tied, n);
	memcpy(set, tied, n * sizeof(*set));
	for (size_t s = nstages; s-- > 0 && left > 1;) {
		const int64_t *v = history + s * ncand;
		int64_t best = v[set[0]];
		size_t kept = 0;

		for (size_t i = 1; i < left; i++)
			if (lowest ? v[set[i]] < best : v[set[i]] > best)
				best = v[set[i]];
		for (size_t i = 0; i < left; i++)
			if (v[set[i]] == best)
				set[kept++] = set[i];
		if (kept == left)
			continue;
		left = kept;
		if (left == 1) {
			json_t *votes = json_object();

			for (size_t i = 0; votes != NULL && i < n; i++)
				json_object_set_new(votes,
				    in->candidate_ids[tied[i]],
				    tl_count_amount(v[tied[i]], places));
			chosen = set[0];
			*tie = json_pack("{s:o, s:s, s:I, s:o, s:s, s:b}",
			    "candidates", tl_count_ids_json(in, tied, n),
			    "broken_by", "earlier stage",
			    "stage", (json_int_t)s + 1,
			    "stage_votes", votes,
			    "chosen", in->candidate_ids[chosen],
			    "resolved", 1);
			free(set);
			return chosen;
		}
	}
	chosen = tl_count_lot_tie(in, lot, set, left, tie);
	if (*tie != NULL && left < n)
		json_object_set_new(*tie, "candidates",
		    tl_count_ids_json(in, tied, n));
	free(set);
	return chosen;
}
