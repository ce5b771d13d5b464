/*
 * record_fixture.c: a real election with real ballots for the record
 * tests, and tools to take a record apart and put it back.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "record_fixture.h"
#include "teller/ballot.h"
#include "teller/cast.h"
#include "teller/election.h"
#include "teller/envelope.h"
#include "teller/log.h"
#include "teller/merkle.h"
#include "teller/record.h"
#include "teller/util.h"

uint64_t
rf_next(uint64_t *state)
{
	/* xorshift64*: enough for test draws, and the same on every run. */
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * UINT64_C(2685821657736338717);
}

char *
rf_ballot(const struct rf_election *e, struct tl_key *key,
    const char *voter_id, int64_t seq, const char *const *votes,
    size_t nvotes)
{
	struct tl_error err;
	char *payload = NULL, *text;
	size_t len = 0;

	tl_error_clear(&err);
	ck_assert_msg(tl_ballot_build(e->manifest, e->hash, voter_id, seq,
	    votes, nvotes, &payload, &len, &err) == TL_OK, "%s", err.message);
	text = rf_sign(key, TL_TYPE_BALLOT, payload);
	free(payload);
	return text;
}

char *
rf_cast(struct rf_election *e, const char *ballot)
{
	struct tl_error err;
	char *receipt = NULL;

	tl_error_clear(&err);
	ck_assert_msg(tl_ballot_cast(e->store, ballot, strlen(ballot), TH_NOW,
	    &receipt, &err) == TL_OK, "%s", err.message);
	return receipt;
}

size_t
rf_draw_votes(uint64_t *rng, int in_a, char votes[3][32])
{
	static const char *const plu[] = {"x", "y", "z", "x,y", "y,z", "x,z",
	    ""};
	static const char *const app[] = {"x", "y", "z", "x,y", "x,y,z", ""};
	static const char *const ref[] = {"yes", "no", "abstain"};

	if (in_a) {
		snprintf(votes[0], 32, "plu=%s", plu[rf_next(rng) % 7]);
		snprintf(votes[1], 32, "app=%s", app[rf_next(rng) % 6]);
		return rf_next(rng) % 5 == 0 ? 1 : 2; /* some skip "app" */
	}
	snprintf(votes[0], 32, "ref=%s", ref[rf_next(rng) % 3]);
	return 1;
}

static void
record_cast(struct rf_election *e, char *ballot)
{
	e->ballots = realloc(e->ballots, (e->nballots + 1) * sizeof(char *));
	e->receipts = realloc(e->receipts, (e->nballots + 1) * sizeof(char *));
	ck_assert_ptr_nonnull(e->ballots);
	ck_assert_ptr_nonnull(e->receipts);
	e->receipts[e->nballots] = rf_cast(e, ballot);
	e->ballots[e->nballots++] = ballot;
}

void
rf_build(struct rf_election *e, size_t na, size_t nb, size_t revotes,
    int first, enum rf_stage stage, uint64_t seed)
{
	struct tl_error err;
	const char *json = th_manifest_json(first);
	char *id = NULL, *csv, votes[3][32], voter[16];
	uint8_t *voted;
	uint64_t rng = seed != 0 ? seed : 1;
	size_t n = 0;

	memset(e, 0, sizeof(*e));
	e->na = na;
	e->nb = nb;
	e->dir = th_tmpdir();
	e->store = th_store(e->dir);
	e->keys = th_keys(na + nb);
	tl_error_clear(&err);
	ck_assert_int_eq(tl_store_authority(e->store, &e->authority, &err),
	    TL_OK);
	ck_assert_int_eq(tl_election_create(e->store, json, strlen(json),
	    TH_NOW, &id, &err), TL_OK);
	free(id);
	csv = th_roll_csv(e->keys, na, nb);
	ck_assert_msg(tl_election_import_roll(e->store, "e1", csv, strlen(csv),
	    "roll.csv", &n, &err) == TL_OK, "%s", err.message);
	free(csv);
	ck_assert_int_eq(tl_election_open(e->store, "e1", TH_NOW, &err), TL_OK);
	ck_assert_int_eq(tl_election_load(e->store, "e1", &e->manifest, e->hash,
	    NULL, &err), TL_OK);
	voted = calloc(na + nb + 1, 1);
	ck_assert_ptr_nonnull(voted);
	for (size_t i = 0; i < na + nb; i++) {
		const char *vp[3] = {votes[0], votes[1], votes[2]};
		size_t nv;

		if (rf_next(&rng) % 8 == 7)
			continue;
		snprintf(voter, sizeof(voter), "%c%zu", i < na ? 'a' : 'b',
		    i < na ? i + 1 : i - na + 1);
		nv = rf_draw_votes(&rng, i < na, votes);
		record_cast(e, rf_ballot(e, e->keys[i], voter, 1, vp, nv));
		voted[i] = 1;
		e->nvoted++;
	}
	ck_assert(revotes == 0 || !first);
	for (size_t i = 0, done = 0; i < na + nb && done < revotes; i++) {
		const char *vp[3] = {votes[0], votes[1], votes[2]};
		size_t nv;

		if (!voted[i])
			continue;
		snprintf(voter, sizeof(voter), "%c%zu", i < na ? 'a' : 'b',
		    i < na ? i + 1 : i - na + 1);
		nv = rf_draw_votes(&rng, i < na, votes);
		record_cast(e, rf_ballot(e, e->keys[i], voter, 2, vp, nv));
		done++;
	}
	free(voted);
	rf_finish(e->store, stage);
}

void
rf_finish(struct tl_store *store, enum rf_stage stage)
{
	const char *random[1] = {"draw-1"};
	struct tl_error err;
	json_t *result = NULL;

	tl_error_clear(&err);
	if (stage >= RF_CLOSED)
		ck_assert_msg(tl_election_close(store, "e1", random, 1,
		    TH_CLOSES + 3600, &err) == TL_OK, "%s", err.message);
	if (stage >= RF_COUNTED) {
		ck_assert_msg(tl_election_tally(store, "e1", TH_CLOSES + 7200,
		    &result, &err) == TL_OK, "%s", err.message);
		json_decref(result);
	}
}

void
rf_free(struct rf_election *e)
{
	for (size_t i = 0; i < e->nballots; i++) {
		free(e->ballots[i]);
		free(e->receipts[i]);
	}
	free(e->ballots);
	free(e->receipts);
	tl_manifest_free(e->manifest);
	tl_key_free(e->authority);
	th_keys_free(e->keys, e->na + e->nb);
	tl_store_close(e->store);
	th_rm_rf(e->dir);
	free(e->dir);
	memset(e, 0, sizeof(*e));
}

static int
write_buf(void *ctx, const char *data, size_t len)
{
	return tl_buf_add(ctx, data, len) == TL_OK ? 0 : -1;
}

char *
rf_export_store(struct tl_store *store, const char *id, size_t *len)
{
	struct tl_error err;
	struct tl_buf buf;

	tl_buf_init(&buf, SIZE_MAX / 2);
	tl_error_clear(&err);
	ck_assert_msg(tl_record_export(store, id, write_buf, &buf, &err) ==
	    TL_OK, "%s", err.message);
	return tl_buf_take(&buf, len);
}

char *
rf_export(struct rf_election *e, size_t *len)
{
	return rf_export_store(e->store, "e1", len);
}

void
rf_split(const char *text, size_t len, struct rf_lines *out)
{
	const char *p = text, *end = text + len;

	memset(out, 0, sizeof(*out));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		out->line = realloc(out->line, (out->n + 1) * sizeof(char *));
		ck_assert_ptr_nonnull(out->line);
		out->line[out->n] = malloc(l + 1);
		ck_assert_ptr_nonnull(out->line[out->n]);
		memcpy(out->line[out->n], p, l);
		out->line[out->n++][l] = '\0';
		p = nl != NULL ? nl + 1 : end;
	}
}

char *
rf_join(const struct rf_lines *lines, size_t *len)
{
	struct tl_buf buf;

	tl_buf_init(&buf, SIZE_MAX / 2);
	for (size_t i = 0; i < lines->n; i++)
		ck_assert(tl_buf_adds(&buf, lines->line[i]) == TL_OK &&
		    tl_buf_addc(&buf, '\n') == TL_OK);
	return tl_buf_take(&buf, len);
}

void
rf_lines_free(struct rf_lines *lines)
{
	for (size_t i = 0; i < lines->n; i++)
		free(lines->line[i]);
	free(lines->line);
	memset(lines, 0, sizeof(*lines));
}

void
rf_set_line(struct rf_lines *lines, size_t i, const char *text)
{
	ck_assert_uint_lt(i, lines->n);
	free(lines->line[i]);
	lines->line[i] = strdup(text);
	ck_assert_ptr_nonnull(lines->line[i]);
}

void
rf_insert_line(struct rf_lines *lines, size_t i, const char *text)
{
	ck_assert_uint_le(i, lines->n);
	lines->line = realloc(lines->line, (lines->n + 1) * sizeof(char *));
	ck_assert_ptr_nonnull(lines->line);
	memmove(lines->line + i + 1, lines->line + i,
	    (lines->n - i) * sizeof(char *));
	lines->line[i] = strdup(text);
	ck_assert_ptr_nonnull(lines->line[i]);
	lines->n++;
}

void
rf_remove_line(struct rf_lines *lines, size_t i)
{
	ck_assert_uint_lt(i, lines->n);
	free(lines->line[i]);
	memmove(lines->line + i, lines->line + i + 1,
	    (lines->n - i - 1) * sizeof(char *));
	lines->n--;
}

char *
rf_payload(const char *line, char **type)
{
	struct tl_envelope *env = NULL;
	char *payload;

	ck_assert_int_eq(tl_envelope_parse(line, strlen(line), SIZE_MAX / 2,
	    &env, NULL), TL_OK);
	payload = strdup((const char *)env->payload);
	ck_assert_ptr_nonnull(payload);
	if (type != NULL) {
		*type = strdup(env->payload_type);
		ck_assert_ptr_nonnull(*type);
	}
	tl_envelope_free(env);
	return payload;
}

char *
rf_sign(const struct tl_key *key, const char *type, const char *payload)
{
	struct tl_envelope *env = NULL;
	char *text = NULL;

	ck_assert_int_eq(tl_envelope_sign(type, payload, strlen(payload), key,
	    &env, NULL), TL_OK);
	ck_assert_int_eq(tl_envelope_serialize(env, &text, NULL, NULL), TL_OK);
	tl_envelope_free(env);
	return text;
}

/* --- verifying -------------------------------------------------------- */

json_t *
rf_verify_text(const char *text, size_t len, unsigned threads)
{
	struct tl_record_verify_options opt;
	struct tl_error err;
	json_t *report = NULL;

	memset(&opt, 0, sizeof(opt));
	opt.threads = threads;
	tl_error_clear(&err);
	ck_assert_msg(tl_record_verify(text, len, &opt, &report, &err) ==
	    TL_OK, "%s", err.message);
	return report;
}

json_t *
rf_verify_lines(const struct rf_lines *lines)
{
	size_t len = 0;
	char *text = rf_join(lines, &len);
	json_t *report = rf_verify_text(text, len, 0);

	free(text);
	return report;
}

int
rf_is_valid(const json_t *report)
{
	return json_is_true(json_object_get(report, "valid"));
}

int
rf_has_problem(const json_t *report, size_t line, const char *check,
    const char *error)
{
	size_t i;
	json_t *p;

	json_array_foreach(json_object_get(report, "problems"), i, p) {
		if ((size_t)json_integer_value(json_object_get(p, "line")) ==
		    line && strcmp(json_string_value(json_object_get(p,
		    "check")), check) == 0 && (error == NULL ||
		    strcmp(json_string_value(json_object_get(p, "error")),
		    error) == 0))
			return 1;
	}
	return 0;
}

void
rf_expect_problem(json_t *report, size_t line, const char *check,
    const char *error)
{
	char *dump = json_dumps(json_object_get(report, "problems"), 0);

	ck_assert_msg(!rf_is_valid(report), "the record should be invalid");
	ck_assert_msg(rf_has_problem(report, line, check, error),
	    "no %s problem (%s) on line %zu; problems: %s", check,
	    error != NULL ? error : "any", line, dump);
	free(dump);
}

size_t
rf_find_line(const struct rf_lines *lines, const char *type, size_t start,
    const char *needle)
{
	for (size_t i = start; i < lines->n; i++) {
		char *t = NULL;
		char *p = rf_payload(lines->line[i], &t);
		int match = strcmp(t, type) == 0 &&
		    (needle == NULL || strstr(p, needle) != NULL);

		free(p);
		free(t);
		if (match)
			return i;
	}
	ck_abort_msg("no %s line%s%s", type, needle != NULL ? " with " : "",
	    needle != NULL ? needle : "");
	return 0;
}

void
rf_seal(struct rf_lines *lines, const struct tl_key *authority)
{
	struct tl_merkle_mem tree;
	struct tl_tree_head head;
	uint8_t leaf[TL_SHA256_LEN];
	char *payload, *text = NULL;

	ck_assert_uint_ge(lines->n, 1);
	payload = rf_payload(lines->line[lines->n - 1], NULL);
	ck_assert_int_eq(tl_tree_head_parse(payload, strlen(payload), &head,
	    NULL), TL_OK);
	free(payload);
	tl_merkle_mem_init(&tree);
	for (size_t i = 0; i + 1 < lines->n; i++) {
		tl_merkle_leaf_hash(lines->line[i], strlen(lines->line[i]), leaf);
		ck_assert_int_eq(tl_merkle_mem_append(&tree, leaf), TL_OK);
	}
	head.size = lines->n - 1;
	ck_assert_int_eq(tl_merkle_root(&tree.store, head.size, head.root),
	    TL_OK);
	tl_merkle_mem_free(&tree);
	ck_assert_int_eq(tl_tree_head_serialize(&head, &text, NULL), TL_OK);
	payload = rf_sign(authority, TL_TYPE_TREE_HEAD, text);
	rf_set_line(lines, lines->n - 1, payload);
	free(payload);
	free(text);
}
