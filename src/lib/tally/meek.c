/*
 * tally/meek.c: Meek STV as the Proportional Representation Foundation's
 * Meek reference rule states it: fixed point with 9 decimals, omega =
 * 10^-6, one defeat at a time (no batch defeats).
 *
 *   A   every hopeful candidate's keep factor kf = 1 (withdrawn: 0).
 *   B.1 the count is complete when every seat is filled or the hopeful
 *       candidates are no more than the seats left.
 *   B.2 iterate:
 *       a. each ballot, weight w = 1, gives each candidate in its order
 *          w x kf (9 decimals, rounded up) and keeps the rest, until
 *          w = 0 or no candidate is left (the rest is the residual);
 *       b. quota = total votes / (seats + 1), truncated to 9 decimals,
 *          plus 10^-9;
 *       c. every hopeful candidate with votes >= quota is elected;
 *       d. surplus s = sum over elected of (votes - quota), at least 0;
 *       e. if c elected someone, go to B.1; if s < omega, or (after the
 *          first iteration) s >= the previous iteration's s, go to B.3;
 *       f. each elected kf = kf x quota (rounded up) / votes (rounded
 *          up); go to a.
 *   B.3 defeat the hopeful candidate with the fewest votes; every hopeful
 *       candidate with votes <= fewest + s is tied with them, and the tie
 *       is broken by lot (procedure T); kf = 0; go to B.1.
 *   C   elect the remaining hopeful candidates if seats are left.
 *
 * Work per iteration: a ballot's weight only stops at elected candidates
 * (kf < 1) on its way to its first hopeful candidate (kf = 1), and
 * defeated candidates (kf = 0) take nothing.  So ballots are grouped by
 * that path (the elected candidates before the first hopeful one, and
 * that one), and an iteration walks the distinct paths, not the ballots.
 * A ballot's path changes only when its first hopeful candidate is
 * elected or defeated: only those ballots are regrouped.  For whole
 * weights this gives exactly the per-ballot figures.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define PLACES 9
#define ONE INT64_C(1000000000)
#define OMEGA INT64_C(1000) /* 10^-6 */

struct meek {
	const struct tl_count_input *in;
	struct tl_ranked rk;
	struct tl_lot lot;
	size_t ncand, nhopeful, nelected;
	uint8_t *state;
	int64_t *kf, *votes;
	size_t *pos;              /* per ranking: its first hopeful */
	size_t **pile;            /* per candidate: rankings whose first
	                             hopeful it is */
	size_t *pile_len, *pile_cap;
	/* Paths: candidate sequences in a pool, with their total weight. */
	uint32_t *pool;
	size_t pool_len, pool_cap;
	size_t *path_start;       /* npaths + 1 */
	int64_t *path_weight;
	size_t npaths, paths_cap, weights_cap;
	size_t *path_of;          /* per ranking */
	uint32_t *table;          /* hash table of paths: index + 1 */
	size_t table_mask;
	uint32_t *scratch;
	size_t *buf;
	json_t *rounds, *ties;
};

static int
grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap != 0 ? *cap : 64;
	void *q;

	if (need <= *cap)
		return TL_OK;
	while (n < need)
		n *= 2;
	if ((q = realloc(*p, n * size)) == NULL)
		return TL_ENOMEM;
	*p = q;
	*cap = n;
	return TL_OK;
}

static uint64_t
hash_path(const uint32_t *p, size_t n)
{
	uint64_t h = 0x6a09e667f3bcc908u ^ n;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i] + 1;
		h *= 0xc4ceb9fe1a85ec53u;
		h ^= h >> 31;
	}
	return h;
}

static int
rehash(struct meek *m)
{
	size_t size = (m->table_mask + 1) * 2;
	uint32_t *t = calloc(size, sizeof(*t));

	if (t == NULL)
		return TL_ENOMEM;
	free(m->table);
	m->table = t;
	m->table_mask = size - 1;
	for (size_t g = 0; g < m->npaths; g++) {
		size_t slot = (size_t)hash_path(m->pool + m->path_start[g],
		    m->path_start[g + 1] - m->path_start[g]) & m->table_mask;

		while (t[slot] != 0)
			slot = (slot + 1) & m->table_mask;
		t[slot] = (uint32_t)(g + 1);
	}
	return TL_OK;
}

/* The path group of the sequence p (n candidates), created if new. */
static int
path_find(struct meek *m, const uint32_t *p, size_t n, size_t *out)
{
	size_t slot;
	int r;

	if (2 * (m->npaths + 1) > m->table_mask + 1 &&
	    (r = rehash(m)) != TL_OK)
		return r;
	slot = (size_t)hash_path(p, n) & m->table_mask;
	for (;;) {
		uint32_t i = m->table[slot];

		if (i == 0)
			break;
		i--;
		if (m->path_start[i + 1] - m->path_start[i] == n &&
		    memcmp(m->pool + m->path_start[i], p, n * sizeof(*p)) ==
		    0) {
			*out = i;
			return TL_OK;
		}
		slot = (slot + 1) & m->table_mask;
	}
	if ((r = grow((void **)&m->pool, &m->pool_cap, m->pool_len + n,
	    sizeof(*m->pool))) != TL_OK ||
	    (r = grow((void **)&m->path_start, &m->paths_cap, m->npaths + 2,
	    sizeof(*m->path_start))) != TL_OK ||
	    (r = grow((void **)&m->path_weight, &m->weights_cap,
	    m->npaths + 1, sizeof(*m->path_weight))) != TL_OK)
		return r;
	memcpy(m->pool + m->pool_len, p, n * sizeof(*p));
	m->path_start[m->npaths] = m->pool_len;
	m->pool_len += n;
	m->path_start[m->npaths + 1] = m->pool_len;
	m->path_weight[m->npaths] = 0;
	m->table[slot] = (uint32_t)(m->npaths + 1);
	*out = m->npaths++;
	return TL_OK;
}

/* Puts ranking g in the path group of its current position. */
static int
place(struct meek *m, size_t g)
{
	const uint32_t *prefs = m->rk.prefs;
	size_t start = m->rk.start[g], end = m->rk.start[g + 1], k, n = 0;
	size_t path;
	int r;

	for (k = m->pos[g]; k < end &&
	    m->state[prefs[k]] != TL_CAND_HOPEFUL; k++)
		;
	m->pos[g] = k;
	for (size_t i = start; i < k; i++)
		if (m->state[prefs[i]] == TL_CAND_ELECTED)
			m->scratch[n++] = prefs[i];
	if (k < end) {
		uint32_t c = prefs[k];

		m->scratch[n++] = c;
		if ((r = grow((void **)&m->pile[c], &m->pile_cap[c],
		    m->pile_len[c] + 1, sizeof(**m->pile))) != TL_OK)
			return r;
		m->pile[c][m->pile_len[c]++] = g;
	}
	if ((r = path_find(m, m->scratch, n, &path)) != TL_OK)
		return r;
	m->path_of[g] = path;
	m->path_weight[path] += m->rk.weight[g];
	return TL_OK;
}

/* Candidate c stops being hopeful: its ballots find their new paths. */
static int
leave_hopeful(struct meek *m, size_t c, enum tl_cand_state state)
{
	size_t *pile = m->pile[c], len = m->pile_len[c];
	int r = TL_OK;

	m->state[c] = (uint8_t)state;
	m->nhopeful--;
	if (state == TL_CAND_ELECTED) {
		m->nelected++;
	} else {
		m->kf[c] = 0;
	}
	m->pile[c] = NULL;
	m->pile_len[c] = m->pile_cap[c] = 0;
	for (size_t i = 0; i < len && r == TL_OK; i++) {
		size_t g = pile[i];

		m->path_weight[m->path_of[g]] -= m->rk.weight[g];
		m->pos[g]++;
		r = place(m, g);
	}
	free(pile);
	return r;
}

/* B.2.a: the votes of every candidate. */
static int
distribute(struct meek *m, int64_t *total)
{
	int64_t sum = 0;
	int r;

	memset(m->votes, 0, m->ncand * sizeof(*m->votes));
	for (size_t g = 0; g < m->npaths; g++) {
		int64_t w = ONE, weight = m->path_weight[g];

		if (weight == 0)
			continue;
		for (size_t i = m->path_start[g]; i < m->path_start[g + 1] &&
		    w > 0; i++) {
			uint32_t c = m->pool[i];
			int64_t keep, credit;

			if (m->state[c] == TL_CAND_HOPEFUL)
				keep = w;
			else if ((r = tl_count_muldiv_up(w, m->kf[c], ONE,
			    &keep)) != TL_OK)
				return r;
			if (keep > w)
				keep = w;
			if ((r = tl_count_muldiv(keep, weight, ONE, &credit)) !=
			    TL_OK)
				return r;
			m->votes[c] += credit;
			w -= keep;
		}
	}
	for (size_t c = 0; c < m->ncand; c++)
		sum += m->votes[c];
	*total = sum;
	return TL_OK;
}

static void
meek_free(struct meek *m)
{
	for (size_t c = 0; m->pile != NULL && c < m->ncand; c++)
		free(m->pile[c]);
	free(m->pile);
	free(m->pile_len);
	free(m->pile_cap);
	free(m->state);
	free(m->kf);
	free(m->votes);
	free(m->pos);
	free(m->pool);
	free(m->path_start);
	free(m->path_weight);
	free(m->path_of);
	free(m->table);
	free(m->scratch);
	free(m->buf);
	tl_ranked_free(&m->rk);
	tl_lot_free(&m->lot);
	json_decref(m->rounds);
	json_decref(m->ties);
}

static json_t *
keep_factors_json(const struct meek *m)
{
	json_t *obj = json_object();

	for (size_t c = 0; obj != NULL && c < m->ncand; c++)
		if (m->state[c] == TL_CAND_ELECTED)
			json_object_set_new(obj, m->in->candidate_ids[c],
			    tl_count_amount(m->kf[c], PLACES));
	return obj;
}

static int
add_round(struct meek *m, int64_t quota, int64_t total, int64_t surplus,
    size_t iterations, json_t *action, json_t *elected)
{
	json_t *round = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:I, s:o, "
	    "s:o}",
	    "round", (json_int_t)json_array_size(m->rounds) + 1,
	    "quota", tl_count_amount(quota, PLACES),
	    "votes", tl_count_votes_json(m->in, m->votes, PLACES),
	    "keep_factors", keep_factors_json(m),
	    "surplus", tl_count_amount(surplus, PLACES),
	    "non_transferable", tl_count_amount(m->rk.total - total, PLACES),
	    "iterations", (json_int_t)iterations,
	    "action", action,
	    "elected", elected);

	if (round == NULL || json_array_append_new(m->rounds, round) != 0)
		return TL_ENOMEM;
	return TL_OK;
}

static int
elect(struct meek *m, json_t *report, json_t *elected, size_t c)
{
	int r;

	if ((r = leave_hopeful(m, c, TL_CAND_ELECTED)) != TL_OK)
		return r;
	if (tl_count_add_winner(m->in, report, c) != TL_OK ||
	    json_array_append_new(elected,
	    json_string(m->in->candidate_ids[c])) != 0)
		return TL_ENOMEM;
	return TL_OK;
}

/* One round (B.1 to B.4); *done when the count is complete. */
static int
round_once(struct meek *m, json_t *report, struct tl_error *err)
{
	const struct tl_count_input *in = m->in;
	int64_t total = 0, quota = 0, surplus = 0, last = INT64_MAX;
	size_t iterations = 0, n, low = SIZE_MAX;
	json_t *elected = json_array(), *action, *tie = NULL;
	int status = 0, r; /* 1 elected, 2 defeat */

	if (elected == NULL)
		return TL_ENOMEM;
	while (status == 0) {
		iterations++;
		if ((r = distribute(m, &total)) != TL_OK)
			goto overflow;
		quota = total / ((int64_t)in->seats + 1) + 1;
		n = 0;
		for (size_t c = 0; c < m->ncand; c++)
			if (m->state[c] == TL_CAND_HOPEFUL &&
			    m->votes[c] >= quota)
				m->buf[n++] = c;
		/* B.2.c names no order: ballot-paper order. */
		for (size_t i = 0; i < n; i++)
			if ((r = elect(m, report, elected, m->buf[i])) != TL_OK)
				goto fail;
		surplus = 0;
		for (size_t c = 0; c < m->ncand; c++)
			if (m->state[c] == TL_CAND_ELECTED)
				surplus += m->votes[c] - quota;
		if (surplus < 0)
			surplus = 0;
		if (n > 0) {
			status = 1;
			break;
		}
		if (surplus < OMEGA || surplus >= last) {
			status = 2;
			break;
		}
		last = surplus;
		for (size_t c = 0; c < m->ncand; c++) {
			int64_t t;

			if (m->state[c] != TL_CAND_ELECTED || m->votes[c] == 0)
				continue;
			if ((r = tl_count_muldiv_up(m->kf[c], quota, ONE,
			    &t)) != TL_OK ||
			    (r = tl_count_muldiv_up(t, ONE, m->votes[c],
			    &m->kf[c])) != TL_OK)
				goto overflow;
		}
	}
	if (status == 1) {
		action = json_pack("{s:s}", "type", "elected");
	} else {
		n = 0;
		for (size_t c = 0; c < m->ncand; c++)
			if (m->state[c] == TL_CAND_HOPEFUL &&
			    (low == SIZE_MAX || m->votes[c] < m->votes[low]))
				low = c;
		for (size_t c = 0; c < m->ncand; c++)
			if (m->state[c] == TL_CAND_HOPEFUL &&
			    m->votes[c] <= m->votes[low] + surplus)
				m->buf[n++] = c;
		if (n > 1)
			low = tl_count_lot_tie(in, &m->lot, m->buf, n, &tie);
		action = json_pack("{s:s, s:s, s:o, s:s}", "type", "exclusion",
		    "candidate", in->candidate_ids[low], "votes",
		    tl_count_amount(m->votes[low], PLACES), "why",
		    surplus < OMEGA ? "surplus below omega" :
		    "surplus stopped falling");
		if (action == NULL)
			json_decref(tie);
		else if (n > 1 && tl_count_note_tie(m->ties, action, tie,
		    "which candidate to defeat (B.3: votes within the surplus "
		    "of the lowest)") != TL_OK) {
			json_decref(action);
			action = NULL;
		}
	}
	if (action == NULL) {
		r = TL_ENOMEM;
		goto fail;
	}
	r = add_round(m, quota, total, surplus, iterations, action, elected);
	elected = NULL;
	if (r == TL_OK && status == 2)
		r = leave_hopeful(m, low, TL_CAND_EXCLUDED);
	if (r == TL_OK && status == 2)
		m->votes[low] = 0;
	if (r != TL_OK)
		return tl_error_set(err, r, "out of memory");
	return TL_OK;
 overflow:
	json_decref(elected);
	return tl_error_set(err, TL_EMETHOD, "a vote total overflows");
 fail:
	json_decref(elected);
	return tl_error_set(err, r, "out of memory");
}

int
tl_count_stv_meek(const struct tl_count_input *in, json_t *report,
    struct tl_error *err)
{
	struct meek m;
	size_t n = in->ncandidates;
	int r;

	memset(&m, 0, sizeof(m));
	m.in = in;
	m.ncand = n;
	if (in->weight_decimals > PLACES)
		return tl_error_set(err, TL_EMETHOD, "weights have %u decimal "
		    "places; stv-meek counts to %d", in->weight_decimals,
		    PLACES);
	if ((r = tl_ranked_build(in, 0, tl_count_pow10(PLACES -
	    in->weight_decimals), &m.rk, err)) != TL_OK)
		return r;
	m.state = calloc(n + 1, sizeof(*m.state));
	m.kf = calloc(n + 1, sizeof(*m.kf));
	m.votes = calloc(n + 1, sizeof(*m.votes));
	m.pile = calloc(n + 1, sizeof(*m.pile));
	m.pile_len = calloc(n + 1, sizeof(*m.pile_len));
	m.pile_cap = calloc(n + 1, sizeof(*m.pile_cap));
	m.buf = calloc(n + 1, sizeof(*m.buf));
	m.scratch = calloc(n + 1, sizeof(*m.scratch));
	m.pos = calloc(m.rk.n + 1, sizeof(*m.pos));
	m.path_of = calloc(m.rk.n + 1, sizeof(*m.path_of));
	m.table = calloc(1024, sizeof(*m.table));
	m.table_mask = 1023;
	m.rounds = json_array();
	m.ties = json_array();
	if (m.state == NULL || m.kf == NULL || m.votes == NULL ||
	    m.pile == NULL || m.pile_len == NULL || m.pile_cap == NULL ||
	    m.buf == NULL || m.scratch == NULL || m.pos == NULL ||
	    m.path_of == NULL || m.table == NULL || m.rounds == NULL ||
	    m.ties == NULL || (r = tl_lot_init(&m.lot, in)) != TL_OK ||
	    json_object_set_new(report, "elected", json_array()) != 0 ||
	    json_object_set_new(report, "winners", json_array()) != 0)
		goto nomem;
	for (size_t c = 0; c < n; c++) {
		if (in->withdrawn != NULL && in->withdrawn[c]) {
			m.state[c] = TL_CAND_WITHDRAWN;
		} else {
			m.state[c] = TL_CAND_HOPEFUL;
			m.kf[c] = ONE;
			m.nhopeful++;
		}
	}
	for (size_t g = 0; g < m.rk.n; g++) {
		m.pos[g] = m.rk.start[g];
		if ((r = place(&m, g)) != TL_OK)
			goto nomem;
	}
	while (m.nhopeful > in->seats - m.nelected && m.nelected < in->seats)
		if ((r = round_once(&m, report, err)) != TL_OK)
			goto out;
	/* C: the remaining hopeful candidates fill the seats left. */
	if (m.nelected < in->seats && m.nhopeful > 0) {
		json_t *elected = json_array();
		int64_t total;
		size_t k = 0;

		if (elected == NULL || distribute(&m, &total) != TL_OK)
			goto nomem;
		for (size_t c = 0; c < n; c++)
			if (m.state[c] == TL_CAND_HOPEFUL)
				m.buf[k++] = c;
		for (size_t i = 0; i < k; i++)
			if (elect(&m, report, elected, m.buf[i]) != TL_OK) {
				json_decref(elected);
				goto nomem;
			}
		if (add_round(&m, total / ((int64_t)in->seats + 1) + 1, total,
		    0, 1, json_pack("{s:s}", "type", "remaining elected"),
		    elected) != TL_OK)
			goto nomem;
	}
	if (json_object_set(report, "rounds", m.rounds) != 0 ||
	    json_object_set(report, "ties", m.ties) != 0 ||
	    json_object_set_new(report, "places", json_integer(PLACES)) != 0 ||
	    json_object_set_new(report, "omega", json_string("0.000001")) != 0)
		goto nomem;
	r = TL_OK;
	goto out;
 nomem:
	r = tl_error_set(err, TL_ENOMEM, "out of memory");
 out:
	meek_free(&m);
	return r;
}
