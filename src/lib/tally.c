/*
 * tally.c: counting a closed election in the database.  The count reads the
 * election's own log (manifest, roll, ballots, close statement) and runs
 * the same computation as an offline verifier (result.c); the signed result
 * is appended to the log and its contests, rounds and winners are stored as
 * rows an observer can query.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "store_internal.h"
#include "teller/ballot.h"
#include "teller/blt.h"
#include "teller/cast.h"
#include "teller/credential.h"
#include "teller/election.h"
#include "teller/envelope.h"
#include "teller/log.h"
#include "teller/result.h"
#include "teller/turnout.h"
#include "teller/unseal.h"
#include "teller/util.h"
#include "teller/webhook.h"

/*
 * A ballot entry of the log: read from the database in log order by the
 * calling thread, which hands its text (a copy) to a pool of threads
 * (util.h) that parse it and, in a sealed election, open it; the ballots
 * are then taken in log order.
 */
struct pending {
	char *text;
	size_t len;
	uint64_t index;
	struct tl_ballot *ballot;
	int r;
	char *error;           /* when r is not TL_OK */
};

/* What the count needs from the log. */
struct log_inputs {
	const struct tl_manifest *manifest;
	const char *manifest_hash;
	struct tl_roll *roll;
	struct tl_ballot **ballots;
	uint64_t *leaves;      /* each ballot's index in the log */
	size_t nballots;
	char **random;
	size_t nrandom;
	int want_requesters;   /* turnout: who obtained a credential */
	char **requesters;     /* a secret election: who obtained a credential */
	size_t nrequesters, cap_requesters;
	/* A sealed election: the opening trustees' keys (unseal.h), or NULL
	 * to leave the ballots sealed. */
	const struct tl_hpke_key *opening[TL_MAX_TRUSTEES];
	uint8_t indices[TL_MAX_TRUSTEES];
	int open;
	struct pending *pending;
	size_t npending, maxpending;
	struct tl_pool *pool;
	struct tl_error *err;
};

static int
read_roll(struct log_inputs *in, const struct tl_envelope *env, uint64_t index)
{
	char *election = NULL, hash[TL_HASH_HEX_LEN + 1];
	int r;

	r = tl_roll_parse_json((const char *)env->payload, env->payload_len,
	    in->manifest, &election, hash, &in->roll, in->err);
	if (r != TL_OK)
		return tl_error_prefix(in->err, "log entry %llu",
		    (unsigned long long)index);
	free(election);
	return TL_OK;
}

/* How many ballot entries the reader hands to the pool at once. */
#define PENDING_BATCH 64

static int
read_ballot(struct log_inputs *in, uint64_t index, const char *entry,
    size_t len)
{
	struct pending *p;

	if (in->npending == in->maxpending)
		return tl_error_set(in->err, TL_EDB, "log entry %llu: more "
		    "entries than the log holds", (unsigned long long)index);
	p = &in->pending[in->npending];
	if ((p->text = malloc(len + 1)) == NULL)
		return tl_error_set(in->err, TL_ENOMEM, "out of memory");
	memcpy(p->text, entry, len);
	p->text[len] = '\0';
	p->len = len;
	p->index = index;
	if (++in->npending % PENDING_BATCH == 0)
		tl_pool_ready(in->pool, in->npending);
	return TL_OK;
}

/* On a thread of the pool: a ballot entry's envelope, its ballot, and in
 * a sealed election the ballot opened. */
static void
parse_pending(void *ctx, size_t i)
{
	struct log_inputs *in = ctx;
	struct pending *p = &in->pending[i];
	struct tl_envelope *env = NULL;
	struct tl_error err;

	tl_error_clear(&err);
	p->r = tl_envelope_parse(p->text, p->len, TL_ENVELOPE_MAX_ROLL, &env,
	    &err);
	if (p->r == TL_OK)
		p->r = tl_ballot_parse((const char *)env->payload,
		    env->payload_len, in->manifest, in->manifest_hash,
		    &p->ballot, &err);
	if (p->r == TL_OK && in->open && p->ballot->sealed != NULL)
		p->r = tl_ballot_open(p->ballot, in->manifest, in->opening,
		    in->indices, in->manifest->threshold, &err);
	if (p->r != TL_OK && (p->error = strdup(err.message)) == NULL)
		p->r = TL_ENOMEM;
	tl_envelope_free(env);
	free(p->text);
	p->text = NULL;
}

/* The pool's ballots, in log order; the first entry that failed names
 * the fault. */
static int
take_pending(struct log_inputs *in)
{
	size_t n = 0;

	for (size_t i = 0; i < in->npending; i++)
		if (in->pending[i].r != TL_OK) {
			if (in->pending[i].error == NULL)
				return tl_error_set(in->err, in->pending[i].r,
				    "out of memory");
			return tl_error_set(in->err, in->pending[i].r,
			    "log entry %llu: %s", (unsigned long long)
			    in->pending[i].index, in->pending[i].error);
		}
	if ((in->ballots = calloc(in->npending + 1, sizeof(*in->ballots))) ==
	    NULL || (in->leaves = calloc(in->npending + 1,
	    sizeof(*in->leaves))) == NULL)
		return tl_error_set(in->err, TL_ENOMEM, "out of memory");
	for (size_t i = 0; i < in->npending; i++) {
		in->leaves[n] = in->pending[i].index;
		in->ballots[n++] = in->pending[i].ballot;
		in->pending[i].ballot = NULL;
	}
	in->nballots = n;
	return TL_OK;
}

static void
pending_free(struct log_inputs *in)
{
	for (size_t i = 0; i < in->npending; i++) {
		free(in->pending[i].text);
		free(in->pending[i].error);
		tl_ballot_free(in->pending[i].ballot);
	}
	free(in->pending);
	in->pending = NULL;
	in->npending = 0;
}

static int
read_close(struct log_inputs *in, const struct tl_envelope *env,
    uint64_t index)
{
	json_t *doc, *values;
	int r = TL_OK;

	if ((doc = json_loadb((const char *)env->payload, env->payload_len, 0,
	    NULL)) == NULL ||
	    !json_is_array(values = json_object_get(doc, "random"))) {
		json_decref(doc);
		return tl_error_set(in->err, TL_EDB,
		    "log entry %llu: malformed close statement",
		    (unsigned long long)index);
	}
	in->random = calloc(json_array_size(values) + 1, sizeof(char *));
	for (size_t i = 0; in->random != NULL && i < json_array_size(values);
	    i++) {
		const char *v = json_string_value(json_object_get(
		    json_array_get(values, i), "value"));

		if (v == NULL || (in->random[i] = strdup(v)) == NULL) {
			r = tl_error_set(in->err, TL_EDB,
			    "log entry %llu: malformed random value",
			    (unsigned long long)index);
			break;
		}
		in->nrandom = i + 1;
	}
	if (in->random == NULL)
		r = tl_error_set(in->err, TL_ENOMEM, "out of memory");
	json_decref(doc);
	return r;
}

/* A credential request (answered: teller logs a request only with its
 * issuance): its voter obtained a credential. */
static int
read_request(struct log_inputs *in, const struct tl_envelope *env,
    uint64_t index)
{
	struct tl_credential_request q;

	if (in->nrequesters == in->cap_requesters) {
		size_t cap = in->cap_requesters != 0 ? in->cap_requesters * 2 :
		    256;
		char **p = realloc(in->requesters, cap * sizeof(*p));

		if (p == NULL)
			return tl_error_set(in->err, TL_ENOMEM, "out of memory");
		in->requesters = p;
		in->cap_requesters = cap;
	}
	if (tl_credential_request_parse((const char *)env->payload,
	    env->payload_len, &q, in->err) != TL_OK)
		return tl_error_prefix(in->err, "log entry %llu",
		    (unsigned long long)index);
	if ((in->requesters[in->nrequesters] = strdup(q.voter)) == NULL)
		return tl_error_set(in->err, TL_ENOMEM, "out of memory");
	in->nrequesters++;
	return TL_OK;
}

static int
read_entry(void *ctx, uint64_t index, const char *kind, const char *entry,
    size_t len)
{
	struct log_inputs *in = ctx;
	struct tl_envelope *env = NULL;
	int r;

	if (strcmp(kind, "ballot") == 0)
		return read_ballot(in, index, entry, len);
	if (strcmp(kind, "roll") != 0 && strcmp(kind, "close") != 0 &&
	    (strcmp(kind, "credential-request") != 0 || !in->want_requesters))
		return TL_OK;
	if ((r = tl_envelope_parse(entry, len, TL_ENVELOPE_MAX_ROLL, &env,
	    in->err)) != TL_OK)
		return tl_error_prefix(in->err, "log entry %llu",
		    (unsigned long long)index);
	if (strcmp(kind, "roll") == 0)
		r = read_roll(in, env, index);
	else if (strcmp(kind, "close") == 0)
		r = read_close(in, env, index);
	else
		r = read_request(in, env, index);
	tl_envelope_free(env);
	return r;
}

/*
 * Reads the election's whole log: its roll, ballots and random values
 * (and, if in->want_requesters, who obtained a credential).  The ballots
 * are parsed, and opened if in->open, on every core while the log is
 * read.
 */
static int
read_log(struct tl_store *store, const char *id,
    const struct tl_manifest *m, const char *hash, struct log_inputs *in,
    struct tl_error *err)
{
	uint64_t size = 0;
	int r;

	in->manifest = m;
	in->manifest_hash = hash;
	in->err = err;
	if ((r = tl_log_size(store, id, &size, err)) != TL_OK)
		return r;
	if (size > SIZE_MAX / sizeof(*in->pending) - 1 ||
	    (in->pending = calloc((size_t)size + 1, sizeof(*in->pending))) ==
	    NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	in->maxpending = (size_t)size;
	if ((r = tl_pool_start(&in->pool, TL_POOL_CORES, parse_pending,
	    in)) != TL_OK) {
		r = tl_error_set(err, r, "out of memory");
		goto out;
	}
	r = tl_log_foreach(store, id, 0, size, read_entry, in, err);
	tl_pool_ready(in->pool, in->npending);
	tl_pool_finish(in->pool);
	in->pool = NULL;
	if (r != TL_OK || (r = take_pending(in)) != TL_OK)
		goto out;
	if (in->roll == NULL)
		r = tl_error_set(err, TL_EDB, "the log of %s has no roll", id);
 out:
	pending_free(in);
	return r;
}

static void
inputs_free(struct log_inputs *in)
{
	for (size_t i = 0; i < in->nballots; i++)
		tl_ballot_free(in->ballots[i]);
	free(in->ballots);
	free(in->leaves);
	for (size_t i = 0; i < in->nrandom; i++)
		free(in->random[i]);
	free(in->random);
	for (size_t i = 0; i < in->nrequesters; i++)
		free(in->requesters[i]);
	free(in->requesters);
	tl_roll_free(in->roll);
}

static int
store_contest(struct tl_store *store, const char *id, json_t *report,
    struct tl_error *err)
{
	const char *contest = json_string_value(json_object_get(report,
	    "contest"));
	json_t *rounds = json_object_get(report, "rounds");
	json_t *elected = json_object_get(report, "elected");
	json_t *winners = json_object_get(report, "winners");
	sqlite3_stmt *stmt = NULL;
	char *text = NULL;
	size_t i;
	int r;

	if ((r = tl_json_dump_canonical(report, &text, NULL)) != TL_OK)
		return tl_error_set(err, r, "out of memory");
	if ((r = tl_db_prepare(store, "INSERT INTO results (election_id, "
	    "contest_id, method, seats, report) VALUES (?, ?, ?, ?, ?)", &stmt,
	    err)) != TL_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, contest, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, json_string_value(json_object_get(report,
	    "method")), -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, json_integer_value(json_object_get(report,
	    "seats")));
	sqlite3_bind_text(stmt, 5, text, -1, SQLITE_STATIC);
	if ((r = tl_db_step_done(store, stmt, err, "cannot store a result")) !=
	    TL_OK)
		goto out;
	sqlite3_finalize(stmt);
	stmt = NULL;

	if ((r = tl_db_prepare(store, "INSERT INTO result_rounds (election_id, "
	    "contest_id, round, candidate_id, votes) VALUES (?, ?, ?, ?, ?)",
	    &stmt, err)) != TL_OK)
		goto out;
	for (i = 0; i < json_array_size(rounds); i++) {
		json_t *round = json_array_get(rounds, i), *value;
		const char *candidate;

		json_object_foreach(json_object_get(round, "votes"), candidate,
		    value) {
			char *votes = json_dumps(value, JSON_ENCODE_ANY);

			if (votes == NULL) {
				r = tl_error_set(err, TL_ENOMEM, "out of memory");
				goto out;
			}
			/* Plain numbers, without the quotes of decimals. */
			sqlite3_reset(stmt);
			sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
			sqlite3_bind_text(stmt, 2, contest, -1, SQLITE_STATIC);
			sqlite3_bind_int64(stmt, 3, (sqlite3_int64)i + 1);
			sqlite3_bind_text(stmt, 4, candidate, -1, SQLITE_STATIC);
			sqlite3_bind_text(stmt, 5, json_is_string(value) ?
			    json_string_value(value) : votes, -1,
			    SQLITE_TRANSIENT);
			r = tl_db_step_done(store, stmt, err,
			    "cannot store a round");
			free(votes);
			if (r != TL_OK)
				goto out;
		}
	}
	sqlite3_finalize(stmt);
	stmt = NULL;

	if ((r = tl_db_prepare(store, "INSERT INTO result_winners (election_id, "
	    "contest_id, position, candidate_id, name) VALUES (?, ?, ?, ?, ?)",
	    &stmt, err)) != TL_OK)
		goto out;
	for (i = 0; i < json_array_size(elected); i++) {
		sqlite3_reset(stmt);
		sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, contest, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 3, (sqlite3_int64)i + 1);
		sqlite3_bind_text(stmt, 4, json_string_value(
		    json_array_get(elected, i)), -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 5, json_string_value(
		    json_array_get(winners, i)), -1, SQLITE_STATIC);
		if ((r = tl_db_step_done(store, stmt, err,
		    "cannot store a winner")) != TL_OK)
			goto out;
	}
 out:
	sqlite3_finalize(stmt);
	free(text);
	return r;
}

static int
stored_result(struct tl_store *store, const char *id, json_t **result,
    struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_prepare(store, "SELECT document FROM result_documents "
	    "WHERE election_id = ?", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_ROW)
		r = tl_error_set(err, TL_EDB, "election %s is counted but its "
		    "result is missing", id);
	else if ((*result = json_loads((const char *)sqlite3_column_text(stmt,
	    0), 0, NULL)) == NULL)
		r = tl_error_set(err, TL_EDB, "the stored result of %s is "
		    "corrupt", id);
	sqlite3_finalize(stmt);
	return r;
}

/* A closed election whose result a decision annulled is not counted
 * again (cycle.h). */
static int
refuse_annulled(struct tl_store *store, const char *id, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_prepare(store, "SELECT annulled_at FROM elections WHERE "
	    "id = ?", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW &&
	    sqlite3_column_type(stmt, 0) != SQLITE_NULL)
		r = tl_error_set(err, TL_ESTATE, "election %s: a decision on a "
		    "challenge annulled its result and called for a new vote; it "
		    "is not counted again", id);
	sqlite3_finalize(stmt);
	return r;
}

int
tl_election_result(struct tl_store *store, const char *id, json_t **result,
    char **envelope, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	json_t *doc = NULL;
	char *state = NULL, *text = NULL;
	int64_t leaf = 0;
	int r;

	if ((r = tl_election_state(store, id, &state, err)) != TL_OK)
		return r;
	if (strcmp(state, "counted") != 0 && strcmp(state, "certified") != 0 &&
	    strcmp(state, "final") != 0) {
		r = tl_error_set(err, TL_ESTATE, "election %s is %s; its result "
		    "is published once it is counted", id, state);
		goto out;
	}
	if ((r = tl_db_prepare(store, "SELECT document, leaf_index FROM "
	    "result_documents WHERE election_id = ?", &stmt, err)) != TL_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		r = tl_error_set(err, TL_EDB, "election %s is counted but its "
		    "result is missing", id);
		goto out;
	}
	leaf = sqlite3_column_int64(stmt, 1);
	if (result != NULL && (doc = json_loads((const char *)
	    sqlite3_column_text(stmt, 0), 0, NULL)) == NULL) {
		r = tl_error_set(err, TL_EDB, "the stored result of %s is "
		    "corrupt", id);
		goto out;
	}
	if (envelope != NULL && (r = tl_log_entry(store, id, (uint64_t)leaf,
	    &text, NULL, NULL, err)) != TL_OK)
		goto out;
	if (result != NULL) {
		*result = doc;
		doc = NULL;
	}
	if (envelope != NULL) {
		*envelope = text;
		text = NULL;
	}
 out:
	sqlite3_finalize(stmt);
	json_decref(doc);
	free(state);
	free(text);
	return r;
}

/* A sealed election's opening trustees (unseal.h), from the keys its
 * trustees have published (keys, m->ntrustees entries, which the caller
 * frees with tl_hpke_key_free after the count): read_log then opens the
 * ballots.  TL_ESTATE naming the trustees awaited when fewer than its
 * threshold have unsealed. */
static int
open_sealed(struct tl_store *store, const char *id,
    const struct tl_manifest *m, struct log_inputs *in,
    struct tl_hpke_key **keys, struct tl_error *err)
{
	int r;

	for (size_t i = 0; i < TL_MAX_TRUSTEES; i++)
		keys[i] = NULL;
	if (!tl_manifest_sealed(m))
		return TL_OK;
	if ((r = tl_election_unseal_keys(store, id, m, keys, err)) != TL_OK ||
	    (r = tl_unseal_opening(m, (const struct tl_hpke_key *const *)keys,
	    in->indices, in->opening, err)) != TL_OK)
		return r;
	in->open = 1;
	return TL_OK;
}

/*
 * A sealed election's ballots, opened by the count: their selections
 * written to the selections table in the count's transaction, as
 * tl_cast_store writes a ballot's in the clear (cast.h), so that the
 * database shows what was counted the same way for both.  A spoiled
 * ballot has none.
 */
static int
store_opened(struct tl_store *store, const char *id,
    const struct tl_manifest *m, const struct log_inputs *in,
    struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	size_t b = 0;
	int r, s;

	if (!in->open)
		return TL_OK;
	if ((r = tl_db_prepare(store, "SELECT id, leaf_index FROM ballots "
	    "WHERE election_id = ? ORDER BY leaf_index", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	while ((s = sqlite3_step(stmt)) == SQLITE_ROW) {
		uint64_t leaf = (uint64_t)sqlite3_column_int64(stmt, 1);

		while (b < in->nballots && in->leaves[b] < leaf)
			b++;
		if (b == in->nballots || in->leaves[b] != leaf) {
			r = tl_error_set(err, TL_EDB, "election %s: the ballot "
			    "stored as log entry %llu is not in the log", id,
			    (unsigned long long)leaf);
			goto out;
		}
		if ((r = tl_cast_store_selections(store, m, in->ballots[b],
		    sqlite3_column_int64(stmt, 0), err)) != TL_OK)
			goto out;
	}
	if (s != SQLITE_DONE)
		r = tl_db_error(store, err, "cannot read the ballots");
 out:
	sqlite3_finalize(stmt);
	return r;
}

static void
keys_free(struct tl_hpke_key **keys)
{
	for (size_t i = 0; i < TL_MAX_TRUSTEES; i++)
		tl_hpke_key_free(keys[i]);
}

int
tl_election_tally(struct tl_store *store, const char *id, int64_t now,
    json_t **result, struct tl_error *err)
{
	struct log_inputs in;
	struct tl_manifest *m = NULL;
	struct tl_hpke_key *keys[TL_MAX_TRUSTEES] = {NULL};
	struct tl_key *authority = NULL;
	struct tl_envelope *env = NULL;
	sqlite3_stmt *stmt = NULL;
	json_t *doc = NULL;
	char hash[TL_HASH_HEX_LEN + 1], *state = NULL, *payload = NULL;
	char *text = NULL;
	size_t payload_len = 0, text_len = 0;
	uint64_t leaf = 0;
	int r;

	memset(&in, 0, sizeof(in));
	if ((r = tl_election_load(store, id, &m, hash, &state, err)) != TL_OK)
		return r;
	if (strcmp(state, "counted") == 0 || strcmp(state, "certified") == 0 ||
	    strcmp(state, "final") == 0) {
		r = stored_result(store, id, result, err);
		goto out;
	}
	if (strcmp(state, "closed") != 0) {
		r = tl_error_set(err, TL_ESTATE, "election %s is %s; close it "
		    "before counting ('teller election close %s')", id, state,
		    id);
		goto out;
	}
	if ((r = refuse_annulled(store, id, err)) != TL_OK)
		goto out;
	if ((r = tl_store_authority(store, &authority, err)) != TL_OK ||
	    (r = tl_db_begin(store, err)) != TL_OK)
		goto out;
	if ((r = open_sealed(store, id, m, &in, keys, err)) != TL_OK ||
	    (r = read_log(store, id, m, hash, &in, err)) != TL_OK)
		goto rollback;
	if ((r = tl_result_compute(m, hash, in.roll, in.ballots, in.nballots,
	    (const char *const *)in.random, in.nrandom, &doc, err)) != TL_OK ||
	    (r = store_opened(store, id, m, &in, err)) != TL_OK)
		goto rollback;
	if ((r = tl_result_serialize(doc, &payload, &payload_len)) != TL_OK) {
		tl_error_set(err, r, "out of memory");
		goto rollback;
	}
	if ((r = tl_envelope_sign(TL_TYPE_RESULT, payload, payload_len,
	    authority, &env, err)) != TL_OK ||
	    (r = tl_envelope_serialize(env, &text, &text_len, err)) != TL_OK ||
	    (r = tl_log_append(store, id, "result", text, text_len, now, &leaf,
	    NULL, err)) != TL_OK ||
	    (r = tl_log_sign_head(store, id, authority, now, NULL, err)) !=
	    TL_OK)
		goto rollback;
	for (size_t i = 0; i < json_array_size(json_object_get(doc,
	    "contests")); i++)
		if ((r = store_contest(store, id, json_array_get(
		    json_object_get(doc, "contests"), i), err)) != TL_OK)
			goto rollback;
	if ((r = tl_db_prepare(store, "INSERT INTO result_documents "
	    "(election_id, document, leaf_index) VALUES (?, ?, ?)", &stmt,
	    err)) != TL_OK)
		goto rollback;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, payload, (int)payload_len, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)leaf);
	if ((r = tl_db_step_done(store, stmt, err, "cannot store the result")) !=
	    TL_OK)
		goto rollback;
	sqlite3_finalize(stmt);
	stmt = NULL;
	if ((r = tl_db_prepare(store, "UPDATE elections SET state = 'counted', "
	    "counted_at = ? WHERE id = ?", &stmt, err)) != TL_OK)
		goto rollback;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_text(stmt, 2, id, -1, SQLITE_STATIC);
	if ((r = tl_db_step_done(store, stmt, err, "cannot mark the election "
	    "counted")) != TL_OK ||
	    (r = tl_webhook_emit(store, TL_WEBHOOK_RESULT_COUNTED, id, now, NULL,
	    err)) != TL_OK)
		goto rollback;
	if ((r = tl_db_commit(store, err)) != TL_OK)
		goto out;
	*result = doc;
	doc = NULL;
	goto out;
 rollback:
	tl_db_rollback(store);
 out:
	sqlite3_finalize(stmt);
	inputs_free(&in);
	keys_free(keys);
	tl_envelope_free(env);
	tl_key_free(authority);
	tl_manifest_free(m);
	json_decref(doc);
	free(state);
	free(payload);
	free(text);
	return r;
}

int
tl_election_contest_blt(struct tl_store *store, const char *id,
    const char *contest, struct tl_buf *out, struct tl_error *err)
{
	struct log_inputs in;
	struct tl_manifest *m = NULL;
	struct tl_hpke_key *keys[TL_MAX_TRUSTEES] = {NULL};
	struct tl_ballot_set set;
	struct tl_count_input cin;
	const struct tl_contest *c = NULL;
	const char **ids = NULL, **names = NULL;
	char hash[TL_HASH_HEX_LEN + 1], *state = NULL;
	int r;

	memset(&in, 0, sizeof(in));
	tl_ballot_set_init(&set);
	if ((r = tl_election_load(store, id, &m, hash, &state, err)) != TL_OK)
		return r;
	if (strcmp(state, "draft") == 0 || strcmp(state, "open") == 0) {
		r = tl_error_set(err, TL_ESTATE, "election %s is %s; its "
		    "ballots are written once it is closed", id, state);
		goto out;
	}
	if (contest != NULL) {
		if ((c = tl_manifest_contest(m, contest)) == NULL) {
			r = tl_error_set(err, TL_ENOTFOUND, "election %s has no "
			    "contest %s", id, contest);
			goto out;
		}
	} else if (m->ncontests == 1) {
		c = &m->contests[0];
	} else {
		r = tl_error_set(err, TL_EUSAGE, "election %s has %zu "
		    "contests; a BLT file holds one: name it with --contest",
		    id, m->ncontests);
		goto out;
	}
	if (c->method == TL_METHOD_REFERENDUM) {
		r = tl_error_set(err, TL_EUSAGE, "contest %s is a referendum; "
		    "a BLT file holds candidates", c->id);
		goto out;
	}
	if ((r = open_sealed(store, id, m, &in, keys, err)) != TL_OK ||
	    (r = read_log(store, id, m, hash, &in, err)) != TL_OK)
		goto out;
	if ((r = tl_result_contest_ballots(m, in.roll, in.ballots,
	    in.nballots, (size_t)(c - m->contests), &set, err)) != TL_OK)
		goto out;
	ids = calloc(c->ncandidates + 1, sizeof(*ids));
	names = calloc(c->ncandidates + 1, sizeof(*names));
	if (ids == NULL || names == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t j = 0; j < c->ncandidates; j++) {
		ids[j] = c->candidates[j].id;
		names[j] = c->candidates[j].name;
	}
	memset(&cin, 0, sizeof(cin));
	cin.method = c->method;
	cin.seats = c->seats;
	cin.ncandidates = c->ncandidates;
	cin.candidate_ids = ids;
	cin.candidate_names = names;
	tl_count_input_set_ballots(&cin, &set);
	r = tl_blt_write(&cin, c->title, out, err);
 out:
	inputs_free(&in);
	keys_free(keys);
	tl_ballot_set_free(&set);
	tl_manifest_free(m);
	free(ids);
	free(names);
	free(state);
	return r;
}

int
tl_election_turnout(struct tl_store *store, const char *id, json_t **out,
    struct tl_error *err)
{
	struct log_inputs in;
	struct tl_manifest *m = NULL;
	const char **voted = NULL;
	char hash[TL_HASH_HEX_LEN + 1], *state = NULL;
	int r;

	memset(&in, 0, sizeof(in));
	if ((r = tl_election_load(store, id, &m, hash, &state, err)) != TL_OK)
		return r;
	if (strcmp(state, "draft") == 0) {
		r = tl_error_set(err, TL_ESTATE, "election %s is a draft; it has "
		    "no log yet, and no turnout", id);
		goto out;
	}
	in.want_requesters = 1;
	if ((r = read_log(store, id, m, hash, &in, err)) != TL_OK)
		goto out;
	if ((voted = calloc(in.nballots + 1, sizeof(*voted))) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	if (m->secrecy == TL_SECRECY_SECRET)
		r = tl_turnout_compute(m, in.roll, (const char *const *)
		    in.requesters, in.nrequesters, out, err);
	else {
		for (size_t i = 0; i < in.nballots; i++)
			voted[i] = in.ballots[i]->voter_id;
		r = tl_turnout_compute(m, in.roll, voted, in.nballots, out,
		    err);
	}
 out:
	free(voted);
	inputs_free(&in);
	tl_manifest_free(m);
	free(state);
	return r;
}
