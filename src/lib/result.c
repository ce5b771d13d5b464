/*
 * result.c: from the record's manifest, roll, ballots and random values to
 * the result document: the revote policy, one count per contest, turnout.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "teller/count.h"
#include "teller/result.h"
#include "teller/rfc3797.h"

void
tl_result_seed(const char *manifest_hash, const char *contest_id,
    const char *const *random, size_t nrandom, uint8_t seed[TL_SHA256_LEN])
{
	static const char label[] = "teller-lot-v1";
	static const uint8_t zero = 0;
	struct tl_iov *parts;
	size_t n = 0;

	parts = calloc(4 + 2 * nrandom + 1, sizeof(*parts));
	if (parts == NULL)
		abort();
	parts[n++] = (struct tl_iov){label, sizeof(label) - 1};
	parts[n++] = (struct tl_iov){&zero, 1};
	parts[n++] = (struct tl_iov){manifest_hash, strlen(manifest_hash)};
	parts[n++] = (struct tl_iov){&zero, 1};
	parts[n++] = (struct tl_iov){contest_id, strlen(contest_id)};
	for (size_t i = 0; i < nrandom; i++) {
		parts[n++] = (struct tl_iov){&zero, 1};
		parts[n++] = (struct tl_iov){random[i], strlen(random[i])};
	}
	tl_sha256_iov(parts, n, seed);
	free(parts);
}

int
tl_result_serialize(const json_t *result, char **out, size_t *len)
{
	return tl_json_dump_canonical(result, out, len);
}

/* Roll entries in id order, for lookups by the ballots' voter ids. */
static int
voter_ptr_cmp(const void *a, const void *b)
{
	const struct tl_voter *const *x = a, *const *y = b;

	return strcmp((*x)->id, (*y)->id);
}

static const struct tl_voter *
find_voter(const struct tl_voter **index, size_t n, const char *id)
{
	struct tl_voter probe;
	const struct tl_voter *pp = &probe, **found;

	probe.id = (char *)(uintptr_t)id;
	found = bsearch(&pp, index, n, sizeof(*index), voter_ptr_cmp);
	return found != NULL ? *found : NULL;
}

/*
 * The ballots that count, one per voter (in a secret election, one per
 * ballot key), in the log order of each one's first ballot: the index of
 * the ballot that counts, and the weight and constituency of its voter
 * (or its credential's class).
 */
struct chosen {
	size_t *ballot;
	int64_t *weight;
	size_t *constituency;
	size_t n;
};

static void
chosen_free(struct chosen *c)
{
	free(c->ballot);
	free(c->weight);
	free(c->constituency);
	memset(c, 0, sizeof(*c));
}

/* The chosen ballots of the voters of contest ci's constituency, with
 * their weights: each one's selection in the contest, or a blank ballot
 * when it has none (doc/record-format.md 8.2). */
static int
contest_set(const struct tl_manifest *m, size_t ci,
    struct tl_ballot *const *ballots, const struct chosen *chosen,
    struct tl_ballot_set *set, struct tl_error *err)
{
	size_t constituency = m->contests[ci].constituency_index;

	for (size_t k = 0; k < chosen->n; k++) {
		const struct tl_selection *sel =
		    tl_ballot_selection(ballots[chosen->ballot[k]], ci);
		int r;

		if (chosen->constituency[k] != constituency)
			continue;
		if ((r = tl_ballot_set_add(set, chosen->weight[k],
		    sel != NULL ? sel->prefs : NULL, sel != NULL ? sel->n : 0)) !=
		    TL_OK)
			return tl_error_set(err, r, "out of memory");
	}
	return TL_OK;
}

static int
count_contest(const struct tl_manifest *m, const char *manifest_hash,
    size_t ci, const struct tl_roll *roll, struct tl_ballot *const *ballots,
    const struct chosen *chosen, const char *const *random, size_t nrandom,
    json_t **out, struct tl_error *err)
{
	const struct tl_contest *c = &m->contests[ci];
	static const char *const answer_ids[3] = {"yes", "no", "abstain"};
	struct tl_count_input in;
	struct tl_ballot_set set;
	const char **ids = NULL, **names = NULL;
	uint8_t seed[TL_SHA256_LEN];
	json_t *report = NULL;
	int64_t eligible = 0;
	int r;

	memset(&in, 0, sizeof(in));
	tl_ballot_set_init(&set);
	for (size_t v = 0; v < roll->nvoters; v++)
		if (roll->voters[v].constituency_index == c->constituency_index)
			eligible += roll->voters[v].weight;
	if ((r = contest_set(m, ci, ballots, chosen, &set, err)) != TL_OK)
		goto out;
	if (c->method == TL_METHOD_REFERENDUM) {
		in.ncandidates = 3;
		in.candidate_ids = answer_ids;
		in.candidate_names = answer_ids;
	} else {
		ids = calloc(c->ncandidates, sizeof(*ids));
		names = calloc(c->ncandidates, sizeof(*names));
		if (ids == NULL || names == NULL) {
			r = tl_error_set(err, TL_ENOMEM, "out of memory");
			goto out;
		}
		for (size_t j = 0; j < c->ncandidates; j++) {
			ids[j] = c->candidates[j].id;
			names[j] = c->candidates[j].name;
		}
		in.ncandidates = c->ncandidates;
		in.candidate_ids = ids;
		in.candidate_names = names;
	}
	tl_result_seed(manifest_hash, c->id, random, nrandom, seed);
	in.method = c->method;
	in.seats = c->seats;
	in.options = c->options;
	in.eligible_weight = eligible;
	in.seed = seed;
	in.seed_len = sizeof(seed);
	tl_count_input_set_ballots(&in, &set);
	if ((r = tl_count_run(&in, &report, err)) != TL_OK) {
		tl_error_prefix(err, "contest %s", c->id);
		goto out;
	}
	if (json_object_set_new(report, "contest", json_string(c->id)) ||
	    json_object_set_new(report, "title", json_string(c->title)) ||
	    json_object_set_new(report, "constituency",
	    json_string(c->constituency))) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	*out = report;
	report = NULL;
 out:
	json_decref(report);
	tl_ballot_set_free(&set);
	free(ids);
	free(names);
	return r;
}

/* Whether ballot b replaces the one chosen so far, c, by the revote
 * policy. */
static int
replaces(const struct tl_manifest *m, const struct tl_ballot *b,
    const struct tl_ballot *c)
{
	return m->revote == TL_REVOTE_LAST ? b->seq > c->seq : b->seq < c->seq;
}

static int
chosen_alloc(struct chosen *c, size_t n)
{
	c->ballot = calloc(n + 1, sizeof(*c->ballot));
	c->weight = calloc(n + 1, sizeof(*c->weight));
	c->constituency = calloc(n + 1, sizeof(*c->constituency));
	return c->ballot != NULL && c->weight != NULL &&
	    c->constituency != NULL ? TL_OK : TL_ENOMEM;
}

/*
 * The revote policy for an open election: one ballot per voter, the
 * highest seq ("last") or the lowest ("first"), with the voter's weight
 * and constituency on the roll.
 */
static int
choose_by_voter(const struct tl_manifest *m, const struct tl_roll *roll,
    struct tl_ballot *const *ballots, size_t nballots, const size_t *voter_of,
    struct chosen *out, struct tl_error *err)
{
	const struct tl_voter **index = NULL;
	size_t *slot_of_voter = NULL;
	struct chosen c;
	int r = TL_OK;

	memset(&c, 0, sizeof(c));
	if (voter_of == NULL)
		index = calloc(roll->nvoters + 1, sizeof(*index));
	slot_of_voter = calloc(roll->nvoters + 1, sizeof(*slot_of_voter));
	if ((voter_of == NULL && index == NULL) || slot_of_voter == NULL ||
	    chosen_alloc(&c, nballots) != TL_OK) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	if (voter_of == NULL) {
		for (size_t v = 0; v < roll->nvoters; v++)
			index[v] = &roll->voters[v];
		qsort(index, roll->nvoters, sizeof(*index), voter_ptr_cmp);
	}
	/* slot_of_voter maps a voter (by roll position) to 1 + its slot in
	 * chosen. */
	for (size_t b = 0; b < nballots; b++) {
		const struct tl_voter *v;
		size_t vi, slot;

		if (ballots[b]->voter_id == NULL)
			v = NULL;
		else if (voter_of == NULL)
			v = find_voter(index, roll->nvoters,
			    ballots[b]->voter_id);
		else if (voter_of[b] < roll->nvoters && strcmp(
		    roll->voters[voter_of[b]].id, ballots[b]->voter_id) == 0)
			v = &roll->voters[voter_of[b]];
		else
			v = NULL;

		if (v == NULL) {
			r = tl_error_set(err, TL_EVERIFY,
			    "ballot %zu: voter %s is not on the roll", b + 1,
			    ballots[b]->voter_id != NULL ? ballots[b]->voter_id :
			    "(none)");
			goto out;
		}
		vi = (size_t)(v - roll->voters);
		if (slot_of_voter[vi] == 0) {
			slot_of_voter[vi] = ++c.n;
			c.ballot[c.n - 1] = b;
			c.weight[c.n - 1] = v->weight;
			c.constituency[c.n - 1] = v->constituency_index;
			continue;
		}
		slot = slot_of_voter[vi] - 1;
		if (replaces(m, ballots[b], ballots[c.ballot[slot]]))
			c.ballot[slot] = b;
	}
	*out = c;
	memset(&c, 0, sizeof(c));
 out:
	chosen_free(&c);
	free(index);
	free(slot_of_voter);
	return r;
}

/* A ballot's key and place in the log, to group ballots by key. */
struct keyed {
	uint8_t key[TL_ED25519_PUBLIC_LEN];
	size_t index;
};

static int
keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = memcmp(x->key, y->key, sizeof(x->key));

	return c != 0 ? c : x->index < y->index ? -1 : x->index > y->index;
}

static int
size_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The revote policy for a secret election (doc/record-format.md 8.1): the
 * ballot key stands in for the voter, and the credential's class gives
 * the weight and constituency.  Ballots are grouped by key (sorted), and
 * the groups put back in the log order of each one's first ballot.
 */
static int
choose_by_key(const struct tl_manifest *m, struct tl_ballot *const *ballots,
    size_t nballots, struct chosen *out, struct tl_error *err)
{
	struct keyed *order = calloc(nballots + 1, sizeof(*order));
	size_t *first = calloc(nballots + 1, sizeof(*first)), ngroups = 0;
	size_t *pick = calloc(nballots + 1, sizeof(*pick));
	struct chosen c;
	int r = TL_OK;

	memset(&c, 0, sizeof(c));
	if (order == NULL || first == NULL || pick == NULL ||
	    chosen_alloc(&c, nballots) != TL_OK) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t b = 0; b < nballots; b++) {
		if (ballots[b]->credential == NULL) {
			r = tl_error_set(err, TL_EVERIFY, "ballot %zu: a ballot "
			    "of a secret election without a credential", b + 1);
			goto out;
		}
		memcpy(order[b].key, ballots[b]->credential->ballot_key,
		    TL_ED25519_PUBLIC_LEN);
		order[b].index = b;
	}
	qsort(order, nballots, sizeof(*order), keyed_cmp);
	/* Each group: its first ballot in the log (first[]), and the one
	 * that counts (pick[] of that first one, plus one); first[] is then
	 * sorted back into the log's order. */
	for (size_t i = 0; i < nballots; ngroups++) {
		size_t j = i, best = order[i].index;

		while (j + 1 < nballots && memcmp(order[j + 1].key, order[i].key,
		    TL_ED25519_PUBLIC_LEN) == 0) {
			j++;
			if (replaces(m, ballots[order[j].index], ballots[best]))
				best = order[j].index;
		}
		first[ngroups] = order[i].index;
		pick[order[i].index] = best + 1;
		i = j + 1;
	}
	qsort(first, ngroups, sizeof(*first), size_cmp);
	for (size_t g = 0; g < ngroups; g++) {
		const struct tl_ballot *b = ballots[pick[first[g]] - 1];

		c.ballot[g] = pick[first[g]] - 1;
		c.weight[g] = b->credential->weight;
		c.constituency[g] = b->credential->constituency_index;
	}
	c.n = ngroups;
	*out = c;
	memset(&c, 0, sizeof(c));
 out:
	chosen_free(&c);
	free(order);
	free(first);
	free(pick);
	return r;
}

static int
choose_ballots(const struct tl_manifest *m, const struct tl_roll *roll,
    struct tl_ballot *const *ballots, size_t nballots, const size_t *voter_of,
    struct chosen *out, struct tl_error *err)
{
	if (m->secrecy == TL_SECRECY_SECRET)
		return choose_by_key(m, ballots, nballots, out, err);
	return choose_by_voter(m, roll, ballots, nballots, voter_of, out, err);
}

int
tl_result_contest_ballots(const struct tl_manifest *m,
    const struct tl_roll *roll, struct tl_ballot *const *ballots,
    size_t nballots, size_t ci, struct tl_ballot_set *set,
    struct tl_error *err)
{
	struct chosen chosen;
	int r;

	memset(&chosen, 0, sizeof(chosen));
	if ((r = choose_ballots(m, roll, ballots, nballots, NULL, &chosen,
	    err)) == TL_OK)
		r = contest_set(m, ci, ballots, &chosen, set, err);
	chosen_free(&chosen);
	return r;
}

int
tl_result_compute(const struct tl_manifest *m, const char *manifest_hash,
    const struct tl_roll *roll, struct tl_ballot *const *ballots,
    size_t nballots, const char *const *random, size_t nrandom, json_t **out,
    struct tl_error *err)
{
	return tl_result_compute_indexed(m, manifest_hash, roll, ballots, NULL,
	    nballots, random, nrandom, out, err);
}

int
tl_result_compute_indexed(const struct tl_manifest *m,
    const char *manifest_hash, const struct tl_roll *roll,
    struct tl_ballot *const *ballots, const size_t *voter_of,
    size_t nballots, const char *const *random, size_t nrandom, json_t **out,
    struct tl_error *err)
{
	struct chosen chosen;
	int64_t (*turnout)[4] = NULL;
	json_t *doc = NULL, *contests, *turnout_json, *random_json;
	const char *const *seed_values = random;
	size_t nseed = nrandom;
	char *key = NULL;
	int r;

	memset(&chosen, 0, sizeof(chosen));
	if ((r = choose_ballots(m, roll, ballots, nballots, voter_of, &chosen,
	    err)) != TL_OK)
		return r;
	if ((turnout = calloc(m->nconstituencies + 1, sizeof(*turnout))) ==
	    NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}

	contests = json_array();
	turnout_json = json_array();
	random_json = json_array();
	doc = json_pack("{s:s, s:s, s:o, s:o, s:o}", "election", m->id,
	    "manifest", manifest_hash, "random", random_json, "contests",
	    contests, "turnout", turnout_json);
	if (doc == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nrandom; i++)
		json_array_append_new(random_json, json_string(random[i]));
	/* RFC 3797 sources seed the lots through their key string, as one
	 * value (doc/record-format.md, 8.3). */
	if (m->random_form == TL_RANDOM_RFC3797 && nrandom > 0) {
		if ((r = tl_rfc3797_key(random, nrandom, &key, err)) != TL_OK) {
			tl_error_prefix(err, "the random values");
			goto out;
		}
		seed_values = (const char *const *)&key;
		nseed = 1;
	}
	for (size_t ci = 0; ci < m->ncontests; ci++) {
		json_t *report = NULL;

		if ((r = count_contest(m, manifest_hash, ci, roll, ballots,
		    &chosen, seed_values, nseed, &report, err)) != TL_OK)
			goto out;
		json_array_append_new(contests, report);
	}
	for (size_t v = 0; v < roll->nvoters; v++) {
		turnout[roll->voters[v].constituency_index][0]++;
		turnout[roll->voters[v].constituency_index][1] +=
		    roll->voters[v].weight;
	}
	for (size_t k = 0; k < chosen.n; k++) {
		turnout[chosen.constituency[k]][2]++;
		turnout[chosen.constituency[k]][3] += chosen.weight[k];
	}
	for (size_t i = 0; i < m->nconstituencies; i++)
		json_array_append_new(turnout_json, json_pack(
		    "{s:s, s:s, s:I, s:I, s:I, s:I}", "constituency",
		    m->constituencies[i].id, "name", m->constituencies[i].name,
		    "eligible", (json_int_t)turnout[i][0], "eligible_weight",
		    (json_int_t)turnout[i][1], "voted", (json_int_t)turnout[i][2],
		    "voted_weight", (json_int_t)turnout[i][3]));
	*out = doc;
	doc = NULL;
 out:
	json_decref(doc);
	chosen_free(&chosen);
	free(turnout);
	free(key);
	return r;
}
