/*
 * election.c: defining an election, loading its roll, opening it (signing
 * and freezing manifest and roll into the log), closing it, and reading
 * its definition back.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cycle_internal.h"
#include "jsonutil.h"
#include "store_internal.h"
#include "teller/cycle.h"
#include "teller/election.h"
#include "teller/envelope.h"
#include "teller/credkeys.h"
#include "teller/log.h"
#include "teller/rfc3797.h"
#include "teller/statement.h"
#include "teller/authtrustee.h"
#include "teller/util.h"
#include "teller/webhook.h"

/* The election's state; TL_ENOTFOUND if absent. */
static int
election_state(struct tl_store *store, const char *id, char **state,
    struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r, ok = 1;

	if ((r = tl_db_prepare(store, "SELECT " TL_DB_STATE_SQL " FROM "
	    "elections WHERE id = ?", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		*state = tl_db_column_strdup(stmt, 0, &ok);
		r = ok ? TL_OK : tl_error_set(err, TL_ENOMEM, "out of memory");
		break;
	case SQLITE_DONE:
		r = tl_error_set(err, TL_ENOTFOUND, "no election \"%.64s\"", id);
		break;
	default:
		r = tl_db_error(store, err, "cannot read the election");
	}
	sqlite3_finalize(stmt);
	return r;
}

static int insert_parts(struct tl_store *store, const struct tl_manifest *m,
    struct tl_error *err);

static int
insert_definition(struct tl_store *store, const struct tl_manifest *m,
    const char *json, int64_t now, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_prepare(store, "INSERT INTO elections (id, title, state, "
	    "revote, opens_at, closes_at, manifest_json, created_at) VALUES "
	    "(?, ?, 'draft', ?, ?, ?, ?, ?)", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, m->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, m->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, m->revote == TL_REVOTE_FIRST ? "first" :
	    "last", -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, m->opens);
	sqlite3_bind_int64(stmt, 5, m->closes);
	sqlite3_bind_text(stmt, 6, json, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 7, now);
	r = tl_db_step_done(store, stmt, err, "cannot store the election");
	sqlite3_finalize(stmt);
	if (r == TL_EEXISTS)
		return tl_error_set(err, TL_EEXISTS,
		    "an election with id \"%s\" already exists", m->id);
	if (r != TL_OK)
		return r;
	return insert_parts(store, m, err);
}

/* The rows of a definition's constituencies, contests and candidates. */
static int
insert_parts(struct tl_store *store, const struct tl_manifest *m,
    struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	for (size_t i = 0; i < m->nconstituencies; i++) {
		if ((r = tl_db_prepare(store, "INSERT INTO constituencies "
		    "(election_id, id, name, position) VALUES (?, ?, ?, ?)",
		    &stmt, err)) != TL_OK)
			return r;
		sqlite3_bind_text(stmt, 1, m->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, m->constituencies[i].id, -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, m->constituencies[i].name, -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 4, (sqlite3_int64)i);
		r = tl_db_step_done(store, stmt, err,
		    "cannot store a constituency");
		sqlite3_finalize(stmt);
		if (r != TL_OK)
			return r;
	}
	for (size_t i = 0; i < m->ncontests; i++) {
		const struct tl_contest *c = &m->contests[i];

		if ((r = tl_db_prepare(store, "INSERT INTO contests (election_id, "
		    "id, title, constituency_id, seats, method, position) VALUES "
		    "(?, ?, ?, ?, ?, ?, ?)", &stmt, err)) != TL_OK)
			return r;
		sqlite3_bind_text(stmt, 1, m->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, c->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, c->title, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 4, c->constituency, -1, SQLITE_STATIC);
		sqlite3_bind_int(stmt, 5, (int)c->seats);
		sqlite3_bind_text(stmt, 6, tl_method_name(c->method), -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 7, (sqlite3_int64)i);
		r = tl_db_step_done(store, stmt, err, "cannot store a contest");
		sqlite3_finalize(stmt);
		if (r != TL_OK)
			return r;
		for (size_t j = 0; j < c->ncandidates; j++) {
			if ((r = tl_db_prepare(store, "INSERT INTO candidates "
			    "(election_id, contest_id, id, name, position) "
			    "VALUES (?, ?, ?, ?, ?)", &stmt, err)) != TL_OK)
				return r;
			sqlite3_bind_text(stmt, 1, m->id, -1, SQLITE_STATIC);
			sqlite3_bind_text(stmt, 2, c->id, -1, SQLITE_STATIC);
			sqlite3_bind_text(stmt, 3, c->candidates[j].id, -1,
			    SQLITE_STATIC);
			sqlite3_bind_text(stmt, 4, c->candidates[j].name, -1,
			    SQLITE_STATIC);
			sqlite3_bind_int64(stmt, 5, (sqlite3_int64)j);
			r = tl_db_step_done(store, stmt, err,
			    "cannot store a candidate");
			sqlite3_finalize(stmt);
			if (r != TL_OK)
				return r;
		}
	}
	return TL_OK;
}

/* A manifest as a draft's definition: valid, naming this database's
 * authority key (filled in when absent), and closing in the future.
 * *out and *json (its text as stored) are the caller's. */
static int
prepare_definition(struct tl_store *store, const char *manifest_json,
    size_t len, int64_t now, struct tl_manifest **out, char **json,
    struct tl_error *err)
{
	struct tl_manifest *m = NULL;
	struct tl_key *authority = NULL;
	char pub[TL_PUBLIC_B64_LEN + 1], when[TL_TIME_LEN];
	int r;

	if ((r = tl_manifest_parse(manifest_json, len, &m, err)) != TL_OK)
		return r;
	/* Only its public half: defining a draft signs nothing. */
	if ((r = tl_store_authority_public(store, &authority, err)) != TL_OK)
		goto out;
	tl_key_public_base64(authority, pub);
	if (m->authority_key != NULL && strcmp(m->authority_key, pub) != 0) {
		r = tl_error_set(err, TL_EMANIFEST,
		    "authority_key: the manifest names key %.12s..., but this "
		    "database's authority key is %.12s...; leave "
		    "authority_key out and teller fills it in", m->authority_key,
		    pub);
		goto out;
	}
	if (m->closes <= now) {
		tl_time_format(m->closes, when);
		r = tl_error_set(err, TL_EMANIFEST,
		    "closes: %s is already past", when);
		goto out;
	}
	if ((r = tl_manifest_set_authority(m, pub)) != TL_OK ||
	    (r = tl_manifest_serialize(m, json, NULL)) != TL_OK) {
		tl_error_set(err, r, "out of memory");
		goto out;
	}
	*out = m;
	m = NULL;
 out:
	tl_key_free(authority);
	tl_manifest_free(m);
	return r;
}

int
tl_election_create(struct tl_store *store, const char *manifest_json,
    size_t len, int64_t now, char **id, struct tl_error *err)
{
	struct tl_manifest *m = NULL;
	char *json = NULL;
	int r;

	if ((r = prepare_definition(store, manifest_json, len, now, &m, &json,
	    err)) != TL_OK)
		return r;
	if ((r = tl_db_begin(store, err)) != TL_OK)
		goto out;
	if ((r = insert_definition(store, m, json, now, err)) != TL_OK) {
		tl_db_rollback(store);
		goto out;
	}
	if ((r = tl_db_commit(store, err)) != TL_OK)
		goto out;
	if ((*id = strdup(m->id)) == NULL)
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
 out:
	free(json);
	tl_manifest_free(m);
	return r;
}

/* TL_OK if election id is a draft (neither published nor opened);
 * TL_ESTATE naming its state, with `refusal` (what cannot be done), or
 * TL_ENOTFOUND. */
static int
require_draft(struct tl_store *store, const char *id, const char *refusal,
    struct tl_error *err)
{
	char *state = NULL;
	int r;

	if ((r = election_state(store, id, &state, err)) != TL_OK)
		return r;
	if (strcmp(state, "draft") != 0)
		r = tl_error_set(err, TL_ESTATE, "election %s is %s, not a "
		    "draft: %s (the manifest and roll were signed and frozen "
		    "when its log started)", id, state, refusal);
	free(state);
	return r;
}

/* Whether every voter already on the draft's roll fits definition m: a
 * constituency it has, and a weight within that constituency's bounds. */
static int
roll_fits(struct tl_store *store, const char *id, const struct tl_manifest *m,
    struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r, rc;

	if ((r = tl_db_prepare(store, "SELECT id, constituency_id, weight FROM "
	    "voters WHERE election_id = ? ORDER BY rowid", &stmt, err)) !=
	    TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *voter = (const char *)sqlite3_column_text(stmt, 0);
		const char *cid = (const char *)sqlite3_column_text(stmt, 1);
		int64_t weight = sqlite3_column_int64(stmt, 2);
		size_t ci = tl_manifest_constituency_index(m, cid);

		if (ci == (size_t)-1) {
			r = tl_error_set(err, TL_EMANIFEST, "constituencies: "
			    "voter %s on the roll of election %s is in "
			    "constituency %s, which this manifest does not "
			    "have; remove the voter first ('teller roll remove "
			    "%s %s')", voter, id, cid, id, voter);
			goto out;
		}
		if (weight < m->constituencies[ci].weight_min ||
		    weight > m->constituencies[ci].weight_max) {
			r = tl_error_set(err, TL_EMANIFEST, "constituencies[%zu]."
			    "weights: voter %s on the roll of election %s has "
			    "weight %lld, outside %lld to %lld", ci, voter, id,
			    (long long)weight,
			    (long long)m->constituencies[ci].weight_min,
			    (long long)m->constituencies[ci].weight_max);
			goto out;
		}
	}
	if (rc != SQLITE_DONE)
		r = tl_db_error(store, err, "cannot read the roll");
 out:
	sqlite3_finalize(stmt);
	return r;
}

int
tl_election_update(struct tl_store *store, const char *id,
    const char *manifest_json, size_t len, int64_t now, struct tl_error *err)
{
	static const char *const clear[] = {
		"DELETE FROM candidates WHERE election_id = ?",
		"DELETE FROM contests WHERE election_id = ?",
		"DELETE FROM constituencies WHERE election_id = ?",
	};
	struct tl_manifest *m = NULL;
	sqlite3_stmt *stmt = NULL;
	char *json = NULL;
	int r;

	if ((r = require_draft(store, id, "only a draft's manifest can be "
	    "replaced", err)) != TL_OK)
		return r;
	if ((r = prepare_definition(store, manifest_json, len, now, &m, &json,
	    err)) != TL_OK)
		return r;
	if (strcmp(m->id, id) != 0) {
		r = tl_error_set(err, TL_EMANIFEST, "id: the manifest is of "
		    "election \"%s\", not %s; an election keeps its id (delete "
		    "the draft and create the other)", m->id, id);
		goto out;
	}
	if ((r = tl_db_begin(store, err)) != TL_OK)
		goto out;
	/* The voters refer to the constituencies, which are replaced: the
	 * foreign keys are checked at the commit instead, against the new
	 * rows (roll_fits has said each voter's constituency is there). */
	if ((r = tl_db_exec(store, "PRAGMA defer_foreign_keys = ON", err)) !=
	    TL_OK || (r = roll_fits(store, id, m, err)) != TL_OK)
		goto rollback;
	for (size_t i = 0; i < sizeof(clear) / sizeof(clear[0]); i++)
		if ((r = tl_db_run_for(store, clear[i], id, err)) != TL_OK)
			goto rollback;
	if ((r = tl_db_prepare(store, "UPDATE elections SET title = ?, "
	    "revote = ?, opens_at = ?, closes_at = ?, manifest_json = ? "
	    "WHERE id = ?", &stmt, err)) != TL_OK)
		goto rollback;
	sqlite3_bind_text(stmt, 1, m->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, m->revote == TL_REVOTE_FIRST ? "first" :
	    "last", -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, m->opens);
	sqlite3_bind_int64(stmt, 4, m->closes);
	sqlite3_bind_text(stmt, 5, json, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, id, -1, SQLITE_STATIC);
	r = tl_db_step_done(store, stmt, err, "cannot store the election");
	sqlite3_finalize(stmt);
	if (r != TL_OK || (r = insert_parts(store, m, err)) != TL_OK)
		goto rollback;
	r = tl_db_commit(store, err);
	goto out;
 rollback:
	tl_db_rollback(store);
 out:
	free(json);
	tl_manifest_free(m);
	return r;
}

int
tl_election_delete(struct tl_store *store, const char *id,
    size_t *nvoters, struct tl_error *err)
{
	sqlite3_stmt *tables = NULL, *count = NULL;
	int r, rc;

	if ((r = require_draft(store, id, "only a draft can be deleted",
	    err)) != TL_OK)
		return r;
	if ((r = tl_db_begin(store, err)) != TL_OK)
		return r;
	if ((r = tl_db_exec(store, "PRAGMA defer_foreign_keys = ON", err)) !=
	    TL_OK)
		goto rollback;
	if (nvoters != NULL) {
		if ((r = tl_db_prepare(store, "SELECT COUNT(*) FROM voters "
		    "WHERE election_id = ?", &count, err)) != TL_OK)
			goto rollback;
		sqlite3_bind_text(count, 1, id, -1, SQLITE_STATIC);
		*nvoters = sqlite3_step(count) == SQLITE_ROW ?
		    (size_t)sqlite3_column_int64(count, 0) : 0;
		sqlite3_finalize(count);
	}
	/* What a webhook endpoint of the election was to deliver goes with
	 * its events and the endpoint. */
	if ((r = tl_db_run_for(store, "DELETE FROM webhook_deliveries "
	    "WHERE event_id IN (SELECT id FROM webhook_events WHERE "
	    "election_id = ?1) OR endpoint_id IN (SELECT id FROM "
	    "webhook_endpoints WHERE election_id = ?1)", id, err)) != TL_OK)
		goto rollback;
	/* Then the election's rows in every table that has them, whichever
	 * module made the table; a row elsewhere that still refers to one
	 * fails the foreign keys at the commit, and nothing is deleted. */
	if ((r = tl_db_prepare(store, "SELECT name FROM sqlite_master WHERE "
	    "type = 'table' AND name <> 'elections' AND EXISTS (SELECT 1 "
	    "FROM pragma_table_info(sqlite_master.name) WHERE name = "
	    "'election_id')", &tables, err)) != TL_OK)
		goto rollback;
	while ((rc = sqlite3_step(tables)) == SQLITE_ROW) {
		char *sql = sqlite3_mprintf("DELETE FROM \"%w\" WHERE "
		    "election_id = ?", (const char *)sqlite3_column_text(tables,
		    0));

		if (sql == NULL) {
			r = tl_error_set(err, TL_ENOMEM, "out of memory");
			goto rollback;
		}
		r = tl_db_run_for(store, sql, id, err);
		sqlite3_free(sql);
		if (r != TL_OK)
			goto rollback;
	}
	if (rc != SQLITE_DONE) {
		r = tl_db_error(store, err, "cannot list the tables");
		goto rollback;
	}
	sqlite3_finalize(tables);
	tables = NULL;
	if ((r = tl_db_run_for(store, "DELETE FROM elections WHERE id = ?",
	    id, err)) != TL_OK)
		goto rollback;
	return tl_db_commit(store, err);
 rollback:
	sqlite3_finalize(tables);
	tl_db_rollback(store);
	return r;
}

int
tl_election_load(struct tl_store *store, const char *id,
    struct tl_manifest **manifest, char hash[65], char **state,
    struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	const char *json, *h;
	int r;

	if ((r = tl_db_prepare(store, "SELECT manifest_json, manifest_hash, "
	    TL_DB_STATE_SQL " FROM elections WHERE id = ?", &stmt, err)) !=
	    TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		break;
	case SQLITE_DONE:
		sqlite3_finalize(stmt);
		return tl_error_set(err, TL_ENOTFOUND, "no election \"%.64s\"",
		    id);
	default:
		r = tl_db_error(store, err, "cannot read the election");
		sqlite3_finalize(stmt);
		return r;
	}
	json = (const char *)sqlite3_column_text(stmt, 0);
	h = (const char *)sqlite3_column_text(stmt, 1);
	if (hash != NULL)
		snprintf(hash, 65, "%s", h != NULL ? h : "");
	if (state != NULL &&
	    (*state = strdup((const char *)sqlite3_column_text(stmt, 2))) ==
	    NULL) {
		sqlite3_finalize(stmt);
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	r = tl_manifest_parse(json, (size_t)sqlite3_column_bytes(stmt, 0),
	    manifest, err);
	sqlite3_finalize(stmt);
	if (r != TL_OK && state != NULL) {
		free(*state);
		*state = NULL;
	}
	return r;
}

int
tl_election_manifest_cached(struct tl_store *store, const char *id,
    const struct tl_manifest **manifest, char hash[65], struct tl_error *err)
{
	struct tl_db_cached_manifest *grown, *c;
	struct tl_manifest *m = NULL;
	char *state = NULL, h[TL_HASH_HEX_LEN + 1];
	int r;

	for (size_t i = 0; i < store->nmanifests; i++)
		if (strcmp(store->manifests[i].election_id, id) == 0) {
			*manifest = store->manifests[i].manifest;
			memcpy(hash, store->manifests[i].hash, 65);
			return TL_OK;
		}
	if ((r = tl_election_load(store, id, &m, h, &state, err)) != TL_OK)
		return r;
	if (strcmp(state, "draft") == 0) {
		r = tl_error_set(err, TL_ESTATE,
		    "election %s is a draft; it is not accepting ballots", id);
		goto out;
	}
	/* Open or past it: the manifest is frozen, so it can be kept. */
	if ((grown = realloc(store->manifests, (store->nmanifests + 1) *
	    sizeof(*grown))) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	store->manifests = grown;
	c = &grown[store->nmanifests];
	if ((c->election_id = strdup(id)) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(c->hash, h, sizeof(c->hash));
	c->manifest = m;
	store->nmanifests++;
	*manifest = m;
	memcpy(hash, h, 65);
	m = NULL;
 out:
	tl_manifest_free(m);
	free(state);
	return r;
}

int
tl_election_state(struct tl_store *store, const char *id, char **state,
    struct tl_error *err)
{
	return election_state(store, id, state, err);
}

/* Says which voter already on the roll a voter of an import duplicates:
 * the same id, or another voter with the same key. */
static int
duplicate_voter(struct tl_store *store, const char *id,
    const struct tl_voter *v, const char *filename, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	char *other = NULL;
	int r, ok = 1;

	if ((r = tl_db_prepare(store, "SELECT id FROM voters WHERE "
	    "election_id = ? AND (id = ? OR key_id = ?) ORDER BY id = ? DESC "
	    "LIMIT 1", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, v->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, v->key_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, v->id, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		other = tl_db_column_strdup(stmt, 0, &ok);
	sqlite3_finalize(stmt);
	if (!ok)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	if (other != NULL && strcmp(other, v->id) == 0)
		r = tl_error_set(err, TL_EROLL, "%s:%zu: voter_id: voter %s is "
		    "already on the roll of election %s (from an earlier "
		    "import); nothing was imported", filename, v->line, v->id,
		    id);
	else
		r = tl_error_set(err, TL_EROLL, "%s:%zu: public_key: voter "
		    "%s has the same key as voter %s, already on the roll of "
		    "election %s; nothing was imported", filename, v->line,
		    v->id, other != NULL ? other : "?", id);
	free(other);
	return r;
}

/* Imports a roll CSV into a draft; with replace, in place of its roll
 * (*removed gets how many voters it had). */
static int
import_roll(struct tl_store *store, const char *id, const char *csv,
    size_t len, const char *filename, int replace, size_t *count,
    size_t *removed, struct tl_error *err)
{
	struct tl_manifest *m = NULL;
	struct tl_roll *roll = NULL;
	sqlite3_stmt *stmt = NULL;
	char *state = NULL;
	size_t i = 0;
	int r;

	if ((r = require_draft(store, id, "only a draft's roll can change",
	    err)) != TL_OK ||
	    (r = tl_election_load(store, id, &m, NULL, &state, err)) != TL_OK)
		return r;
	if ((r = tl_roll_parse_csv(csv, len, filename, m, &roll, err)) != TL_OK)
		goto out;
	if ((r = tl_db_begin(store, err)) != TL_OK)
		goto out;
	/* The voters' enrolment links and notices go with them (ON DELETE
	 * CASCADE); a draft has nothing else that names a voter. */
	if (replace) {
		if ((r = tl_db_run_for(store, "DELETE FROM voters WHERE "
		    "election_id = ?", id, err)) != TL_OK)
			goto rollback;
		*removed = (size_t)sqlite3_changes(store->db);
	}
	if ((r = tl_db_prepare(store, "INSERT INTO voters (election_id, id, "
	    "name, constituency_id, weight, public_key, key_id, email) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?, ?)", &stmt, err)) != TL_OK)
		goto rollback;
	for (i = 0; i < roll->nvoters; i++) {
		const struct tl_voter *v = &roll->voters[i];

		sqlite3_reset(stmt);
		sqlite3_clear_bindings(stmt);
		sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, v->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, v->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 4, v->constituency, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 5, v->weight);
		/* No key yet: NULL, until the voter enrols. */
		if (tl_voter_has_key(v)) {
			sqlite3_bind_text(stmt, 6, v->public_key, -1,
			    SQLITE_STATIC);
			sqlite3_bind_text(stmt, 7, v->key_id, -1, SQLITE_STATIC);
		}
		if (v->email != NULL)
			sqlite3_bind_text(stmt, 8, v->email, -1, SQLITE_STATIC);
		r = tl_db_step_done(store, stmt, err, "cannot store a voter");
		if (r == TL_EEXISTS) {
			r = duplicate_voter(store, id, v, filename, err);
			goto rollback;
		}
		if (r != TL_OK)
			goto rollback;
	}
	sqlite3_finalize(stmt);
	stmt = NULL;
	if ((r = tl_db_commit(store, err)) != TL_OK)
		goto out;
	if (count != NULL)
		*count = roll->nvoters;
	goto out;
 rollback:
	tl_db_rollback(store);
 out:
	sqlite3_finalize(stmt);
	tl_roll_free(roll);
	tl_manifest_free(m);
	free(state);
	return r;
}

int
tl_election_import_roll(struct tl_store *store, const char *id,
    const char *csv, size_t len, const char *filename, size_t *count,
    struct tl_error *err)
{
	return import_roll(store, id, csv, len, filename, 0, count, NULL, err);
}

int
tl_election_replace_roll(struct tl_store *store, const char *id,
    const char *csv, size_t len, const char *filename, size_t *count,
    size_t *removed, struct tl_error *err)
{
	size_t before = 0;
	int r = import_roll(store, id, csv, len, filename, 1, count, &before,
	    err);

	if (r == TL_OK && removed != NULL)
		*removed = before;
	return r;
}

int
tl_election_remove_voters(struct tl_store *store, const char *id,
    const char *const *voters, size_t nvoters, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = require_draft(store, id, "only a draft's roll can change",
	    err)) != TL_OK)
		return r;
	if ((r = tl_db_begin(store, err)) != TL_OK)
		return r;
	if ((r = tl_db_prepare(store, "DELETE FROM voters WHERE election_id = ? "
	    "AND id = ?", &stmt, err)) != TL_OK)
		goto rollback;
	for (size_t i = 0; i < nvoters; i++) {
		sqlite3_reset(stmt);
		sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, voters[i], -1, SQLITE_STATIC);
		if ((r = tl_db_step_done(store, stmt, err,
		    "cannot remove a voter")) != TL_OK)
			goto rollback;
		if (sqlite3_changes(store->db) == 0) {
			r = tl_error_set(err, TL_ENOTFOUND, "voter %.64s is not on "
			    "the roll of election %s; nothing was removed",
			    voters[i], id);
			goto rollback;
		}
	}
	sqlite3_finalize(stmt);
	return tl_db_commit(store, err);
 rollback:
	sqlite3_finalize(stmt);
	tl_db_rollback(store);
	return r;
}

/* Sets the election open with its definition in force (the manifest, or
 * for an election with a nomination stage its voting definition). */
static int
set_open(struct tl_store *store, const char *id, const char *json,
    const char *hash, int64_t now, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_prepare(store, "UPDATE elections SET state = 'open', "
	    "manifest_json = COALESCE(?, manifest_json), "
	    "manifest_hash = ?, initial_hash = COALESCE(initial_hash, ?), "
	    "opened_at = ? WHERE id = ?", &stmt, err)) != TL_OK)
		return r;
	if (json != NULL)
		sqlite3_bind_text(stmt, 1, json, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, now);
	sqlite3_bind_text(stmt, 5, id, -1, SQLITE_STATIC);
	r = tl_db_step_done(store, stmt, err, "cannot open the election");
	sqlite3_finalize(stmt);
	return r;
}

/*
 * Opens the vote of a published election: once its nomination stage is
 * over, signs the voting definition (the final candidates) into the log.
 */
/* A secret election's vote opens: its class keys made and logged, for the
 * classes of its roll (credkeys.c).  Nothing for an open election. */
static int
open_secret(struct tl_store *store, const char *id,
    const struct tl_manifest *m, const char *hash,
    const struct tl_key *authority, int64_t now, struct tl_error *err)
{
	struct tl_roll *roll = NULL;
	int r;

	if (m->secrecy != TL_SECRECY_SECRET)
		return TL_OK;
	if ((r = tl_election_roll(store, id, m, &roll, err)) == TL_OK)
		r = tl_issuance_open(store, id, m, roll, hash, authority, now,
		    err);
	tl_roll_free(roll);
	return r;
}

static int
open_vote(struct tl_store *store, const struct cycle_election *e,
    const struct tl_key *authority, int64_t now, struct tl_error *err)
{
	const struct tl_window *voting = &e->timetable.phase[TL_PHASE_VOTING];
	int64_t end = tl_timetable_nominations_end(&e->timetable);
	char *json = NULL, hash[TL_HASH_HEX_LEN + 1], when[TL_TIME_LEN];
	size_t len = 0;
	int r;

	if (strcmp(e->state, "draft") == 0)
		return tl_error_set(err, TL_ESTATE, "election %s is a draft with "
		    "a nomination stage; publish it first ('teller election "
		    "publish %s')", e->id, e->id);
	if (strcmp(e->state, "published") != 0)
		return tl_error_set(err, TL_ESTATE, "election %s is %s; only a "
		    "published election can open its vote", e->id, e->state);
	if (now < end) {
		tl_time_format(end, when);
		return tl_error_set(err, TL_EPHASE, "election %s: its nomination "
		    "stage runs until %s; the voting definition, with the final "
		    "candidates, is signed after it", e->id, when);
	}
	if (now >= voting->closes) {
		tl_time_format(voting->closes, when);
		return tl_error_set(err, TL_EPHASE, "election %s: its voting "
		    "phase closed at %s", e->id, when);
	}
	if ((r = tl_cycle_voting_definition(store, e, &json, &len, err)) !=
	    TL_OK)
		return r;
	tl_sha256_hex(json, len, hash);
	if ((r = tl_cycle_append_signed(store, e->id, "definition",
	    TL_TYPE_MANIFEST, json, len, authority, now, NULL, NULL, NULL,
	    err)) == TL_OK &&
	    (r = open_secret(store, e->id, e->manifest, hash, authority, now,
	    err)) == TL_OK)
		r = set_open(store, e->id, json, hash, now, err);
	free(json);
	return r;
}

int
tl_election_open(struct tl_store *store, const char *id, int64_t now,
    struct tl_error *err)
{
	struct cycle_step s;
	const struct tl_window *voting;
	char hash[TL_HASH_HEX_LEN + 1], when[TL_TIME_LEN];
	int r;

	if ((r = tl_cycle_begin(store, id, NULL, &s, err)) != TL_OK)
		return r;
	s.event = TL_WEBHOOK_ELECTION_OPENED;
	voting = &s.e.timetable.phase[TL_PHASE_VOTING];
	if (tl_timetable_has_nominations(&s.e.timetable))
		r = open_vote(store, &s.e, s.authority, now, err);
	else if (strcmp(s.e.state, "draft") != 0)
		r = tl_error_set(err, TL_ESTATE, "election %s is %s; only a draft "
		    "election can be opened", id, s.e.state);
	else if (voting->closes <= now) {
		tl_time_format(voting->closes, when);
		r = tl_error_set(err, TL_EWINDOW, "election %s closes at %s, "
		    "which is already past", id, when);
	} else if ((r = tl_cycle_start_log(store, id, s.e.manifest,
	    s.authority, now, hash, err)) == TL_OK &&
	    (r = open_secret(store, id, s.e.manifest, hash, s.authority, now,
	    err)) == TL_OK)
		r = set_open(store, id, NULL, hash, now, err);
	return tl_cycle_end(store, &s, r, now, err);
}

static int
count_ballots(struct tl_store *store, const char *id, int64_t *n,
    struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_prepare(store, "SELECT COUNT(*) FROM ballots WHERE "
	    "election_id = ?", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*n = sqlite3_column_int64(stmt, 0);
	else
		r = tl_db_error(store, err, "cannot count ballots");
	sqlite3_finalize(stmt);
	return r;
}

/*
 * When an election may close (doc/record-format.md, check 13): at or after
 * the end of its voting window in force (the voting phase with every
 * amendment applied); before it only as an early close, which gives its
 * reason.  A reason on a close that is not early is refused, as the
 * verifier refuses it.
 */
static int
check_close_time(struct tl_store *store, const char *id, const char *reason,
    int64_t now, struct tl_error *err)
{
	struct tl_timetable tt;
	char when[TL_TIME_LEN];
	int r;

	if ((r = tl_election_timetable(store, id, &tt, err)) != TL_OK)
		return r;
	tl_time_format(tt.phase[TL_PHASE_VOTING].closes, when);
	if (now < tt.phase[TL_PHASE_VOTING].closes && reason == NULL)
		return tl_error_set(err, TL_EPHASE, "election %s: its voting "
		    "window runs until %s; closing it before then is an early "
		    "close, which must give its reason (--early --reason TEXT), "
		    "signed into the close statement", id, when);
	if (now >= tt.phase[TL_PHASE_VOTING].closes && reason != NULL)
		return tl_error_set(err, TL_EUSAGE, "election %s: its voting "
		    "window ended at %s, so closing it now is not early; close "
		    "it without --early and --reason", id, when);
	if (reason != NULL && !tl_statement_text_valid(reason))
		return tl_error_set(err, TL_EUSAGE, "--reason: must be 1 to %d "
		    "bytes of UTF-8 text with no control character but tab and "
		    "line ends", TL_STATEMENT_TEXT_MAX);
	return TL_OK;
}

/* A value of an RFC 3797 random source: numbers RFC 3797 can make a key
 * string of. */
static int
check_rfc3797_value(const struct tl_manifest *m, size_t i, const char *value,
    struct tl_error *err)
{
	struct tl_error why;
	char *key = NULL;

	if (tl_rfc3797_key(&value, 1, &key, &why) != TL_OK)
		return tl_error_set(err, TL_EUSAGE, "--random value %zu (source "
		    "%s, of form rfc3797): %s", i + 1, m->random_sources[i].name,
		    why.message);
	free(key);
	return TL_OK;
}

static int
close_election(struct tl_store *store, const char *id,
    const char *const *random, size_t nrandom, const char *reason,
    int64_t now, struct tl_error *err)
{
	struct tl_manifest *m = NULL;
	struct tl_key *authority = NULL;
	sqlite3_stmt *stmt = NULL;
	json_t *doc = NULL, *values = NULL;
	char *payload = NULL, *values_text = NULL, *state = NULL;
	char hash[TL_HASH_HEX_LEN + 1], when[TL_TIME_LEN];
	char close_hash[TL_HASH_HEX_LEN + 1];
	size_t payload_len = 0;
	int64_t nballots = 0;
	uint64_t log_size = 0;
	int r;

	if ((r = tl_store_authority(store, &authority, err)) != TL_OK)
		return r;
	if ((r = tl_db_begin(store, err)) != TL_OK)
		goto out;
	if ((r = tl_election_load(store, id, &m, hash, &state, err)) != TL_OK)
		goto rollback;
	if (strcmp(state, "open") != 0) {
		r = tl_error_set(err, TL_ESTATE,
		    "election %s is %s; only an open election can be closed", id,
		    state);
		goto rollback;
	}
	if ((r = check_close_time(store, id, reason, now, err)) != TL_OK)
		goto rollback;
	if (nrandom != m->nrandom_sources) {
		r = tl_error_set(err, TL_EUSAGE,
		    "election %s declares %zu random source%s; give %s value "
		    "with --random (%zu given)", id, m->nrandom_sources,
		    m->nrandom_sources == 1 ? "" : "s",
		    m->nrandom_sources == 1 ? "its" : "each", nrandom);
		goto rollback;
	}
	values = json_array();
	for (size_t i = 0; values != NULL && i < nrandom; i++) {
		json_t *v;

		if (*random[i] == '\0' || strlen(random[i]) > 1000 ||
		    (v = json_string(random[i])) == NULL) {
			r = tl_error_set(err, TL_EUSAGE,
			    "--random value %zu must be 1 to 1000 bytes of UTF-8",
			    i + 1);
			goto rollback;
		}
		if (m->random_form == TL_RANDOM_RFC3797 &&
		    (r = check_rfc3797_value(m, i, random[i], err)) != TL_OK) {
			json_decref(v);
			goto rollback;
		}
		json_array_append_new(values, json_pack("{s:s, s:o}", "source",
		    m->random_sources[i].name, "value", v));
	}
	if ((r = count_ballots(store, id, &nballots, err)) != TL_OK ||
	    (r = tl_log_size(store, id, &log_size, err)) != TL_OK)
		goto rollback;
	tl_time_format(now, when);
	doc = json_pack("{s:s, s:s, s:s, s:I, s:O}", "election", id, "manifest",
	    hash, "time", when, "ballots", (json_int_t)nballots, "random",
	    values);
	if (doc != NULL && reason != NULL &&
	    json_object_set_new(doc, "reason", json_string(reason)) != 0) {
		json_decref(doc);
		doc = NULL;
	}
	if (doc == NULL || tl_json_dump(doc, &payload, &payload_len) != TL_OK ||
	    tl_json_dump(values, &values_text, NULL) != TL_OK) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto rollback;
	}
	/* With the authority as a trustee, its unseal statement follows
	 * the close at once (authtrustee.h). */
	if ((r = tl_cycle_append_signed(store, id, "close", TL_TYPE_CLOSE,
	    payload, payload_len, authority, now, NULL, close_hash, NULL,
	    err)) != TL_OK ||
	    (r = tl_authtrustee_close(store, m, hash, authority,
	    close_hash, now, err)) != TL_OK ||
	    (r = tl_log_sign_head(store, id, authority, now, NULL, err)) !=
	    TL_OK)
		goto rollback;
	if ((r = tl_db_prepare(store, "UPDATE elections SET state = 'closed', "
	    "closed_at = ?, random_values = ? WHERE id = ?", &stmt, err)) !=
	    TL_OK)
		goto rollback;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_text(stmt, 2, values_text, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, id, -1, SQLITE_STATIC);
	if ((r = tl_db_step_done(store, stmt, err, "cannot close the election")) !=
	    TL_OK ||
	    (r = tl_webhook_emit(store, TL_WEBHOOK_ELECTION_CLOSED, id, now, NULL,
	    err)) != TL_OK)
		goto rollback;
	r = tl_db_commit(store, err);
	goto out;
 rollback:
	tl_db_rollback(store);
 out:
	sqlite3_finalize(stmt);
	json_decref(doc);
	json_decref(values);
	tl_key_free(authority);
	tl_manifest_free(m);
	free(payload);
	free(values_text);
	free(state);
	return r;
}

int
tl_election_close(struct tl_store *store, const char *id,
    const char *const *random, size_t nrandom, int64_t now,
    struct tl_error *err)
{
	return close_election(store, id, random, nrandom, NULL, now, err);
}

int
tl_election_close_early(struct tl_store *store, const char *id,
    const char *const *random, size_t nrandom, const char *reason,
    int64_t now, struct tl_error *err)
{
	if (reason == NULL)
		return tl_error_set(err, TL_EUSAGE, "an early close of election "
		    "%s must give its reason", id);
	return close_election(store, id, random, nrandom, reason, now, err);
}

int
tl_election_signed_manifest(struct tl_store *store, const char *id,
    char **envelope, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	char *state = NULL;
	int r, ok = 1;

	if ((r = election_state(store, id, &state, err)) != TL_OK)
		return r;
	if (strcmp(state, "draft") == 0) {
		free(state);
		return tl_error_set(err, TL_ESTATE,
		    "election %s is a draft; its manifest is signed when it "
		    "opens ('teller election open %s')", id, id);
	}
	free(state);
	/* The definition in force: the voting definition once it is signed. */
	if ((r = tl_db_prepare(store, "SELECT entry FROM log WHERE election_id "
	    "= ? AND kind IN ('manifest', 'definition') ORDER BY leaf_index DESC "
	    "LIMIT 1", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_ROW)
		r = tl_error_set(err, TL_EDB, "the log of %s has no manifest", id);
	else if ((*envelope = tl_db_column_strdup(stmt, 0, &ok)) == NULL || !ok)
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
	sqlite3_finalize(stmt);
	return r;
}

static json_t *
election_item(sqlite3_stmt *stmt)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:I, s:I}",
	    "id", sqlite3_column_text(stmt, 0),
	    "title", sqlite3_column_text(stmt, 1),
	    "state", sqlite3_column_text(stmt, 2),
	    "opens", tl_db_column_time(stmt, 3),
	    "closes", tl_db_column_time(stmt, 4),
	    "voters", (json_int_t)sqlite3_column_int64(stmt, 5),
	    "ballots", (json_int_t)sqlite3_column_int64(stmt, 6));
}

int
tl_election_list(struct tl_store *store, json_t **out, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_prepare(store, "SELECT e.id, e.title, "
	    TL_DB_STATE_SQL ", "
	    "e.opens_at, e.closes_at, "
	    "(SELECT COUNT(*) FROM voters v WHERE v.election_id = e.id), "
	    "(SELECT COUNT(*) FROM ballots b WHERE b.election_id = e.id) "
	    "FROM elections e ORDER BY e.created_at, e.id", &stmt, err)) !=
	    TL_OK)
		return r;
	return tl_db_collect_json(store, stmt, election_item,
	    "cannot list elections", out, err);
}

/* Voters and their weight per constituency: {id: [count, weight]}. */
static int
roll_totals(struct tl_store *store, const char *id, json_t *constituencies,
    const struct tl_manifest *m, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r, rc;

	if ((r = tl_db_prepare(store, "SELECT constituency_id, COUNT(*), "
	    "SUM(weight) FROM voters WHERE election_id = ? GROUP BY "
	    "constituency_id", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		size_t ci = tl_manifest_constituency_index(m,
		    (const char *)sqlite3_column_text(stmt, 0));
		json_t *c = json_array_get(constituencies, ci);

		if (c == NULL)
			continue;
		json_object_set_new(c, "voters",
		    json_integer(sqlite3_column_int64(stmt, 1)));
		json_object_set_new(c, "weight",
		    json_integer(sqlite3_column_int64(stmt, 2)));
	}
	if (rc != SQLITE_DONE)
		r = tl_db_error(store, err, "cannot read the roll");
	sqlite3_finalize(stmt);
	return r;
}

int
tl_election_show(struct tl_store *store, const char *id, json_t **out,
    struct tl_error *err)
{
	struct tl_manifest *m = NULL;
	sqlite3_stmt *stmt = NULL;
	json_t *doc = NULL, *constituencies, *contests, *sources;
	char hash[TL_HASH_HEX_LEN + 1], *state = NULL;
	int64_t nballots = 0;
	uint64_t log_size = 0;
	int r;

	if ((r = tl_election_load(store, id, &m, hash, &state, err)) != TL_OK)
		return r;
	if ((r = count_ballots(store, id, &nballots, err)) != TL_OK ||
	    (r = tl_log_size(store, id, &log_size, err)) != TL_OK)
		goto out;
	constituencies = json_array();
	for (size_t i = 0; i < m->nconstituencies; i++)
		json_array_append_new(constituencies, json_pack(
		    "{s:s, s:s, s:i, s:i}", "id", m->constituencies[i].id,
		    "name", m->constituencies[i].name, "voters", 0, "weight", 0));
	contests = json_array();
	for (size_t i = 0; i < m->ncontests; i++) {
		const struct tl_contest *c = &m->contests[i];
		json_t *cands = json_array();

		for (size_t j = 0; j < c->ncandidates; j++)
			json_array_append_new(cands, json_pack("{s:s, s:s}", "id",
			    c->candidates[j].id, "name", c->candidates[j].name));
		json_array_append_new(contests, json_pack(
		    "{s:s, s:s, s:s, s:i, s:s, s:o, s:O}", "id", c->id, "title",
		    c->title, "constituency", c->constituency, "seats",
		    (int)c->seats, "method", tl_method_name(c->method),
		    "candidates", cands, "options", c->options));
	}
	if ((r = roll_totals(store, id, constituencies, m, err)) != TL_OK) {
		json_decref(constituencies);
		json_decref(contests);
		goto out;
	}
	sources = json_object_get(m->json, "random_sources");
	sources = sources != NULL ? json_deep_copy(sources) : json_array();
	doc = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:I, s:I}",
	    "id", m->id, "title", m->title, "state", state,
	    "revote", m->revote == TL_REVOTE_FIRST ? "first" : "last",
	    "manifest_hash", *hash != '\0' ? json_string(hash) : json_null(),
	    "random_sources", sources,
	    "constituencies", constituencies, "contests", contests,
	    "ballots", (json_int_t)nballots, "log_size", (json_int_t)log_size);
	if (doc == NULL || json_object_set_new(doc, "secrecy", json_string(
	    m->secrecy == TL_SECRECY_SECRET ? "secret" : "open")) != 0) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	/* A secret election's classes, their voters and credentials issued
	 * (empty until its vote opens). */
	if (m->secrecy == TL_SECRECY_SECRET) {
		json_t *classes = NULL;

		if ((r = tl_election_credential_classes(store, id, &classes,
		    err)) != TL_OK)
			goto out;
		if (json_object_set_new(doc, "credential_classes", classes) !=
		    0) {
			r = tl_error_set(err, TL_ENOMEM, "out of memory");
			goto out;
		}
	}
	if ((r = tl_db_prepare(store, "SELECT opens_at, closes_at, created_at, "
	    "opened_at, closed_at, counted_at, random_values, certified_at, "
	    "final_at FROM elections WHERE id = ?", &stmt, err)) != TL_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		r = tl_db_error(store, err, "cannot read the election");
		goto out;
	}
	json_object_set_new(doc, "opens", tl_db_column_time(stmt, 0));
	json_object_set_new(doc, "closes", tl_db_column_time(stmt, 1));
	json_object_set_new(doc, "created_at", tl_db_column_time(stmt, 2));
	json_object_set_new(doc, "opened_at", tl_db_column_time(stmt, 3));
	json_object_set_new(doc, "closed_at", tl_db_column_time(stmt, 4));
	json_object_set_new(doc, "counted_at", tl_db_column_time(stmt, 5));
	json_object_set_new(doc, "certified_at", tl_db_column_time(stmt, 7));
	json_object_set_new(doc, "final_at", tl_db_column_time(stmt, 8));
	if (sqlite3_column_type(stmt, 6) != SQLITE_NULL)
		json_object_set_new(doc, "random", json_loads(
		    (const char *)sqlite3_column_text(stmt, 6), 0, NULL));
	*out = doc;
	doc = NULL;
 out:
	sqlite3_finalize(stmt);
	json_decref(doc);
	tl_manifest_free(m);
	free(state);
	return r;
}
