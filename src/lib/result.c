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

/* The chosen ballots of the voters of contest ci's constituency, with
 * their weights: each one's selection in the contest, or a blank ballot
 * when it has none (doc/record-format.md 8.2). */
static int
contest_set(const struct tl_manifest *m, size_t ci,
    struct tl_ballot *const *ballots, const struct tl_voter *const *voters,
    const size_t *chosen, size_t nchosen, struct tl_ballot_set *set,
    struct tl_error *err)
{
	size_t constituency = m->contests[ci].constituency_index;

	for (size_t k = 0; k < nchosen; k++) {
		const struct tl_selection *sel =
		    tl_ballot_selection(ballots[chosen[k]], ci);
		int r;

		if (voters[k]->constituency_index != constituency)
			continue;
		if ((r = tl_ballot_set_add(set, voters[k]->weight,
		    sel != NULL ? sel->prefs : NULL, sel != NULL ? sel->n : 0)) !=
		    TL_OK)
			return tl_error_set(err, r, "out of memory");
	}
	return TL_OK;
}

static int
count_contest(const struct tl_manifest *m, const char *manifest_hash,
    size_t ci, const struct tl_roll *roll, struct tl_ballot *const *ballots,
    const struct tl_voter *const *voters, const size_t *chosen,
    size_t nchosen, const char *const *random, size_t nrandom,
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
	if ((r = contest_set(m, ci, ballots, voters, chosen, nchosen,
	    &set, err)) != TL_OK)
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

/*
 * The revote policy: one ballot per voter, the highest seq ("last") or the
 * lowest ("first").  *chosen gets the ballots that count (indices into
 * ballots) and *voters their voters, in the log order of each voter's
 * first ballot.
 */
static int
choose_ballots(const struct tl_manifest *m, const struct tl_roll *roll,
    struct tl_ballot *const *ballots, size_t nballots, const size_t *voter_of,
    const struct tl_voter ***voters_out, size_t **chosen_out,
    size_t *nchosen_out, struct tl_error *err)
{
	const struct tl_voter **index = NULL, **voters = NULL;
	size_t *chosen = NULL, *slot_of_voter = NULL, nchosen = 0;
	int r = TL_OK;

	if (voter_of == NULL)
		index = calloc(roll->nvoters + 1, sizeof(*index));
	voters = calloc(nballots + 1, sizeof(*voters));
	chosen = calloc(nballots + 1, sizeof(*chosen));
	slot_of_voter = calloc(roll->nvoters + 1, sizeof(*slot_of_voter));
	if ((voter_of == NULL && index == NULL) || voters == NULL ||
	    chosen == NULL || slot_of_voter == NULL) {
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

		if (voter_of == NULL)
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
			    ballots[b]->voter_id);
			goto out;
		}
		vi = (size_t)(v - roll->voters);
		if (slot_of_voter[vi] == 0) {
			slot_of_voter[vi] = ++nchosen;
			chosen[nchosen - 1] = b;
			voters[nchosen - 1] = v;
			continue;
		}
		slot = slot_of_voter[vi] - 1;
		if (m->revote == TL_REVOTE_LAST ?
		    ballots[b]->seq > ballots[chosen[slot]]->seq :
		    ballots[b]->seq < ballots[chosen[slot]]->seq)
			chosen[slot] = b;
	}
	*voters_out = voters;
	*chosen_out = chosen;
	*nchosen_out = nchosen;
	voters = NULL;
	chosen = NULL;
 out:
	free(index);
	free(voters);
	free(chosen);
	free(slot_of_voter);
	return r;
}

int
tl_result_contest_ballots(const struct tl_manifest *m,
    const struct tl_roll *roll, struct tl_ballot *const *ballots,
    size_t nballots, size_t ci, struct tl_ballot_set *set,
    struct tl_error *err)
{
	const struct tl_voter **voters = NULL;
	size_t *chosen = NULL, nchosen = 0;
	int r;

	if ((r = choose_ballots(m, roll, ballots, nballots, NULL, &voters,
	    &chosen, &nchosen, err)) == TL_OK)
		r = contest_set(m, ci, ballots, voters, chosen, nchosen, set,
		    err);
	free(voters);
	free(chosen);
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
	const struct tl_voter **voters = NULL;
	size_t *chosen = NULL, nchosen = 0;
	int64_t (*turnout)[4] = NULL;
	json_t *doc = NULL, *contests, *turnout_json, *random_json;
	const char *const *seed_values = random;
	size_t nseed = nrandom;
	char *key = NULL;
	int r;

	if ((r = choose_ballots(m, roll, ballots, nballots, voter_of, &voters,
	    &chosen, &nchosen, err)) != TL_OK)
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
		    voters, chosen, nchosen, seed_values, nseed, &report, err)) !=
		    TL_OK)
			goto out;
		json_array_append_new(contests, report);
	}
	for (size_t v = 0; v < roll->nvoters; v++) {
		turnout[roll->voters[v].constituency_index][0]++;
		turnout[roll->voters[v].constituency_index][1] +=
		    roll->voters[v].weight;
	}
	for (size_t k = 0; k < nchosen; k++) {
		turnout[voters[k]->constituency_index][2]++;
		turnout[voters[k]->constituency_index][3] += voters[k]->weight;
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
	free(voters);
	free(chosen);
	free(turnout);
	free(key);
	return r;
}
