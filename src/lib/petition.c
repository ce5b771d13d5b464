/*
 * petition.c: the nomination stage of an election: the slate, petitions
 * and the voters' endorsements of them, and the voting definition that
 * closes the stage with each contest's final candidates.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cycle_internal.h"
#include "store_internal.h"
#include "teller/cycle.h"
#include "teller/envelope.h"
#include "teller/log.h"
#include "teller/statement.h"
#include "teller/util.h"

/* A contest that can take a new candidate: it exists, has candidates, and
 * has no candidate (in the manifest, the slate or a petition) with this id
 * or this name.  *contest gets it. */
static int
check_new_candidate(struct tl_store *store, const struct cycle_election *e,
    const char *contest_id, const char *candidate_id, const char *name,
    const struct tl_contest **contest, struct tl_error *err)
{
	const struct tl_contest *c;
	sqlite3_stmt *stmt = NULL;
	int64_t n = 0;
	int r, rc;

	if ((c = tl_manifest_contest(e->manifest, contest_id)) == NULL)
		return tl_error_set(err, TL_ENOTFOUND, "election %s has no "
		    "contest \"%.64s\"", e->id, contest_id);
	if (c->method == TL_METHOD_REFERENDUM)
		return tl_error_set(err, TL_EINPUT, "contest %s is a referendum; "
		    "it has no candidates", c->id);
	if (!tl_valid_id(candidate_id))
		return tl_error_set(err, TL_EINPUT, "\"%.64s\" is not a valid "
		    "candidate id (1 to 64 of A-Z a-z 0-9 . _ -, starting with a "
		    "letter or digit)", candidate_id);
	if (!tl_candidate_id_valid(candidate_id))
		return tl_error_set(err, TL_EINPUT, "\"%s\" is reserved: the "
		    "count reports name the non-transferable papers so; give "
		    "the candidate another id (--id)", candidate_id);
	if (*name == '\0' || strlen(name) > 200)
		return tl_error_set(err, TL_EINPUT, "a candidate's name is 1 to "
		    "200 bytes");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return tl_error_set(err, TL_EINPUT, "a candidate's name may "
			    "not contain control characters");
	if ((r = tl_db_prepare(store, "SELECT id, name FROM candidates WHERE "
	    "election_id = ?1 AND contest_id = ?2 AND (id = ?3 OR name = ?4) "
	    "UNION ALL SELECT candidate_id, name FROM petitions WHERE "
	    "election_id = ?1 AND contest_id = ?2 AND (candidate_id = ?3 OR "
	    "name = ?4)", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, e->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, c->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, candidate_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, name, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		r = tl_error_set(err, TL_EEXISTS, "contest %s already has a "
		    "candidate or petition %s (%s); ids and names are unique in "
		    "a contest", c->id, sqlite3_column_text(stmt, 0),
		    sqlite3_column_text(stmt, 1));
	else if (rc != SQLITE_DONE)
		r = tl_db_error(store, err, "cannot read the candidates");
	sqlite3_finalize(stmt);
	if (r != TL_OK)
		return r;
	if ((r = tl_cycle_query_int(store, "SELECT (SELECT COUNT(*) FROM candidates "
	    "WHERE election_id = ?1 AND contest_id = ?2) + (SELECT COUNT(*) "
	    "FROM petitions WHERE election_id = ?1 AND contest_id = ?2)", e->id,
	    c->id, &n, err)) != TL_OK)
		return r;
	if (n >= TL_MAX_CANDIDATES)
		r = tl_error_set(err, TL_ETOOBIG, "contest %s already has %d "
		    "candidates and petitions, the most it can have", c->id,
		    TL_MAX_CANDIDATES);
	if (r == TL_OK)
		*contest = c;
	return r;
}

/* A nomination stage step needs a published election (its log started,
 * its vote not yet open). */
static int
require_published(const struct cycle_election *e, const char *action,
    struct tl_error *err)
{
	if (strcmp(e->state, "published") == 0)
		return TL_OK;
	if (strcmp(e->state, "draft") == 0)
		return tl_error_set(err, TL_ESTATE, "%s: election %s is a draft; "
		    "publish it first ('teller election publish %s')", action,
		    e->id, e->id);
	return tl_error_set(err, TL_ESTATE, "%s: election %s is %s; its "
	    "candidates were fixed when its vote opened", action, e->id,
	    e->state);
}

/* Signs and appends a candidate statement or petition; leaf and hash get
 * its entry. */
static int
append_nomination(struct tl_store *store, const struct cycle_election *e,
    const char *kind, const char *type, const char *contest,
    const char *candidate_id, const char *name,
    const struct tl_key *authority, int64_t now, uint64_t *leaf,
    char hash[TL_HASH_HEX_LEN + 1], struct tl_error *err)
{
	struct tl_nomination n;
	char *payload = NULL;
	size_t len = 0;
	int r;

	memset(&n, 0, sizeof(n));
	snprintf(n.election, sizeof(n.election), "%s", e->id);
	memcpy(n.manifest, e->initial_hash, sizeof(n.manifest));
	snprintf(n.contest, sizeof(n.contest), "%s", contest);
	snprintf(n.candidate, sizeof(n.candidate), "%s", candidate_id);
	n.name = (char *)(uintptr_t)name;
	n.time = now;
	if ((r = tl_nomination_serialize(&n, &payload, &len, err)) == TL_OK)
		r = tl_cycle_append_signed(store, e->id, kind, type, payload, len,
		    authority, now, leaf, hash, NULL, err);
	free(payload);
	return r;
}

int
tl_candidate_add(struct tl_store *store, const char *id, const char *contest,
    const char *candidate_id, const char *name, int64_t now,
    struct tl_error *err)
{
	struct cycle_step s;
	const struct tl_contest *c = NULL;
	sqlite3_stmt *stmt = NULL;
	uint64_t leaf = 0;
	int r;

	if ((r = tl_cycle_begin(store, id, NULL, &s, err)) != TL_OK)
		return r;
	if ((r = tl_timetable_require(&s.e.timetable, id, TL_PHASE_NOMINATIONS,
	    now, "adding a candidate to the slate", err)) != TL_OK ||
	    (r = require_published(&s.e, "adding a candidate", err)) != TL_OK ||
	    (r = check_new_candidate(store, &s.e, contest, candidate_id, name,
	    &c, err)) != TL_OK ||
	    (r = append_nomination(store, &s.e, "candidate", TL_TYPE_CANDIDATE,
	    c->id, candidate_id, name, s.authority, now, &leaf, NULL, err)) !=
	    TL_OK ||
	    (r = tl_db_prepare(store, "INSERT INTO candidates (election_id, "
	    "contest_id, id, name, position, origin, leaf_index) SELECT ?1, ?2, "
	    "?3, ?4, COALESCE(MAX(position) + 1, 0), 'slate', ?5 FROM candidates "
	    "WHERE election_id = ?1 AND contest_id = ?2", &stmt, err)) != TL_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, c->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, candidate_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)leaf);
	r = tl_db_step_done(store, stmt, err, "cannot store the candidate");
 out:
	sqlite3_finalize(stmt);
	return tl_cycle_end(store, &s, r, now, err);
}

int
tl_petition_open(struct tl_store *store, const char *id, const char *contest,
    const char *candidate_id, const char *name, int64_t now,
    int64_t *number, struct tl_error *err)
{
	struct cycle_step s;
	const struct tl_contest *c = NULL;
	sqlite3_stmt *stmt = NULL;
	char hash[TL_HASH_HEX_LEN + 1];
	uint64_t leaf = 0;
	int64_t n = 0;
	int r;

	if ((r = tl_cycle_begin(store, id, NULL, &s, err)) != TL_OK)
		return r;
	if ((r = tl_timetable_require(&s.e.timetable, id, TL_PHASE_PETITIONS,
	    now, "opening a petition", err)) != TL_OK ||
	    (r = require_published(&s.e, "opening a petition", err)) != TL_OK ||
	    (r = check_new_candidate(store, &s.e, contest, candidate_id, name,
	    &c, err)) != TL_OK)
		goto out;
	if (c->petition_threshold == 0) {
		r = tl_error_set(err, TL_EINPUT, "contest %s takes no petitions: "
		    "its manifest gives it no petition_threshold", c->id);
		goto out;
	}
	if ((r = append_nomination(store, &s.e, "petition", TL_TYPE_PETITION,
	    c->id, candidate_id, name, s.authority, now, &leaf, hash, err)) !=
	    TL_OK ||
	    (r = tl_cycle_query_int(store, "SELECT COALESCE(MAX(number), 0) + 1 "
	    "FROM petitions WHERE election_id = ?", id, NULL, &n, err)) !=
	    TL_OK ||
	    (r = tl_db_prepare(store, "INSERT INTO petitions (election_id, "
	    "number, contest_id, candidate_id, name, entry_hash, leaf_index, "
	    "opened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &stmt, err)) != TL_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, n);
	sqlite3_bind_text(stmt, 3, c->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, candidate_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 7, (sqlite3_int64)leaf);
	sqlite3_bind_int64(stmt, 8, now);
	r = tl_db_step_done(store, stmt, err, "cannot store the petition");
 out:
	sqlite3_finalize(stmt);
	if ((r = tl_cycle_end(store, &s, r, now, err)) == TL_OK &&
	    number != NULL)
		*number = n;
	return r;
}

/* A petition by its number or by its entry hash (the other NULL/0). */
struct petition {
	int64_t number;
	char contest[TL_ID_SIZE];
	char hash[TL_HASH_HEX_LEN + 1];
};

static int
find_petition(struct tl_store *store, const char *id, int64_t number,
    const char *hash, struct petition *out, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_prepare(store, "SELECT number, contest_id, entry_hash "
	    "FROM petitions WHERE election_id = ? AND (number = ? OR "
	    "entry_hash = ?)", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, number);
	sqlite3_bind_text(stmt, 3, hash != NULL ? hash : "", -1, SQLITE_STATIC);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		out->number = sqlite3_column_int64(stmt, 0);
		snprintf(out->contest, sizeof(out->contest), "%s",
		    (const char *)sqlite3_column_text(stmt, 1));
		snprintf(out->hash, sizeof(out->hash), "%s",
		    (const char *)sqlite3_column_text(stmt, 2));
		break;
	case SQLITE_DONE:
		if (hash != NULL)
			r = tl_error_set(err, TL_ENOTFOUND, "election %s has no "
			    "petition %.16s...", id, hash);
		else
			r = tl_error_set(err, TL_ENOTFOUND, "election %s has no "
			    "petition %lld", id, (long long)number);
		break;
	default:
		r = tl_db_error(store, err, "cannot read the petitions");
	}
	sqlite3_finalize(stmt);
	return r;
}

int
tl_petition_endorsement(struct tl_store *store, const char *id,
    int64_t number, const char *voter_id, const struct tl_key *key,
    char **envelope, struct tl_error *err)
{
	struct tl_endorsement e;
	struct petition p;
	char *payload = NULL;
	size_t len = 0;
	int r;

	memset(&e, 0, sizeof(e));
	if ((r = find_petition(store, id, number, NULL, &p, err)) != TL_OK)
		return r;
	if (strlen(id) >= sizeof(e.election) || !tl_valid_id(voter_id))
		return tl_error_set(err, TL_EINPUT, "\"%.64s\" is not a valid "
		    "voter id", voter_id);
	snprintf(e.election, sizeof(e.election), "%s", id);
	memcpy(e.petition, p.hash, sizeof(e.petition));
	snprintf(e.voter, sizeof(e.voter), "%s", voter_id);
	if ((r = tl_endorsement_serialize(&e, &payload, &len, err)) == TL_OK)
		r = tl_cycle_sign(TL_TYPE_ENDORSEMENT, payload, len, key, envelope,
		    err);
	free(payload);
	return r;
}

/* The voter of a signed voter statement: on the roll of the election,
 * and the envelope signed by their key.  constituency (optional) gets
 * theirs. */
int
tl_cycle_check_voter(struct tl_store *store, const char *election,
    const char *voter_id, const struct tl_envelope *env, const char *what,
    char constituency[TL_ID_SIZE], struct tl_error *err)
{
	struct tl_key *key = NULL;
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_prepare(store, "SELECT constituency_id, public_key FROM "
	    "voters WHERE election_id = ? AND id = ?", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, election, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, voter_id, -1, SQLITE_STATIC);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		break;
	case SQLITE_DONE:
		r = tl_error_set(err, TL_ENOTONROLL, "%s: voter \"%.64s\" is not "
		    "on the roll of election %s", what, voter_id, election);
		goto out;
	default:
		r = tl_db_error(store, err, "cannot read the roll");
		goto out;
	}
	if (constituency != NULL)
		snprintf(constituency, TL_ID_SIZE, "%s",
		    (const char *)sqlite3_column_text(stmt, 0));
	if ((r = tl_key_from_public_base64((const char *)sqlite3_column_text(
	    stmt, 1), &key, err)) != TL_OK)
		goto out;
	if (env->nsignatures != 1 || tl_envelope_verify(env, key, NULL) !=
	    TL_OK)
		r = tl_error_set(err, TL_ESIGNATURE, "%s is not signed (alone) "
		    "by the key on the roll for voter %s", what, voter_id);
 out:
	sqlite3_finalize(stmt);
	tl_key_free(key);
	return r;
}

/* Reads a voter's envelope of the given type and size limit; *canonical
 * gets its canonical text, as it will be logged. */
int
tl_cycle_read_voter_envelope(const char *text, size_t len, size_t max,
    const char *type, struct tl_envelope **out, char **canonical,
    size_t *canonical_len, struct tl_error *err)
{
	struct tl_envelope *env = NULL;
	int r;

	if ((r = tl_envelope_parse(text, len, max, &env, err)) != TL_OK ||
	    (r = tl_envelope_expect_type(env, type, err)) != TL_OK)
		goto out;
	if (env->nsignatures != 1) {
		r = tl_error_set(err, TL_ESIGNATURE, "a voter's statement carries "
		    "exactly one signature, by the voter's key; this one has "
		    "%zu", env->nsignatures);
		goto out;
	}
	if ((r = tl_envelope_serialize(env, canonical, canonical_len, err)) !=
	    TL_OK)
		goto out;
	*out = env;
	env = NULL;
 out:
	tl_envelope_free(env);
	return r;
}

int
tl_petition_endorse(struct tl_store *store, const char *envelope,
    size_t len, int64_t now, int64_t *petition, struct tl_error *err)
{
	struct cycle_step s;
	struct tl_endorsement en;
	struct tl_envelope *env = NULL;
	const struct tl_contest *c;
	struct petition p;
	sqlite3_stmt *stmt = NULL;
	char *entry = NULL, hash[TL_HASH_HEX_LEN + 1], constituency[TL_ID_SIZE];
	size_t entry_len = 0;
	uint64_t leaf = 0;
	int r;

	if ((r = tl_cycle_read_voter_envelope(envelope, len,
	    TL_ENVELOPE_MAX_ENDORSEMENT, TL_TYPE_ENDORSEMENT, &env, &entry,
	    &entry_len, err)) != TL_OK ||
	    (r = tl_endorsement_parse((const char *)env->payload,
	    env->payload_len, &en, err)) != TL_OK ||
	    (r = tl_cycle_begin(store, en.election, "endorsement", &s, err)) !=
	    TL_OK)
		goto done;
	if ((r = tl_timetable_require(&s.e.timetable, s.e.id,
	    TL_PHASE_PETITIONS, now, "endorsements", err)) != TL_OK ||
	    (r = require_published(&s.e, "endorsements", err)) != TL_OK ||
	    (r = find_petition(store, s.e.id, 0, en.petition, &p, err)) !=
	    TL_OK ||
	    (r = tl_cycle_check_voter(store, s.e.id, en.voter, env,
	    "the endorsement", constituency, err)) != TL_OK)
		goto out;
	c = tl_manifest_contest(s.e.manifest, p.contest);
	if (c == NULL || strcmp(c->constituency, constituency) != 0) {
		r = tl_error_set(err, TL_ENOTONROLL, "voter %s is of constituency "
		    "%s, but petition %lld is for contest %s, which constituency "
		    "%s votes in; only its voters may endorse it", en.voter,
		    constituency, (long long)p.number, p.contest,
		    c != NULL ? c->constituency : "?");
		goto out;
	}
	if ((r = tl_log_append(store, s.e.id, "endorsement", entry, entry_len,
	    now, &leaf, hash, err)) != TL_OK ||
	    (r = tl_db_prepare(store, "INSERT INTO endorsements (election_id, "
	    "petition, voter_id, entry_hash, leaf_index, received_at) VALUES "
	    "(?, ?, ?, ?, ?, ?)", &stmt, err)) != TL_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, s.e.id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, p.number);
	sqlite3_bind_text(stmt, 3, en.voter, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)leaf);
	sqlite3_bind_int64(stmt, 6, now);
	if ((r = tl_db_step_done(store, stmt, err, "cannot store the "
	    "endorsement")) == TL_EEXISTS)
		r = tl_error_set(err, TL_EDUPLICATE, "voter %s has already "
		    "endorsed petition %lld of election %s; one endorsement per "
		    "voter and petition", en.voter, (long long)p.number, s.e.id);
 out:
	sqlite3_finalize(stmt);
	if ((r = tl_cycle_end(store, &s, r, now, err)) == TL_OK &&
	    petition != NULL)
		*petition = p.number;
 done:
	tl_envelope_free(env);
	free(entry);
	return r;
}

/* The voters who endorsed a petition, in log order. */
static int
endorsers(struct tl_store *store, const char *id, int64_t number,
    json_t **out, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	json_t *list = json_array();
	int r = TL_OK, rc;

	if (list == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	if ((r = tl_db_prepare(store, "SELECT voter_id FROM endorsements WHERE "
	    "election_id = ? AND petition = ? ORDER BY leaf_index", &stmt,
	    err)) != TL_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, number);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		if (json_array_append_new(list, json_string((const char *)
		    sqlite3_column_text(stmt, 0))) != 0) {
			r = tl_error_set(err, TL_ENOMEM, "out of memory");
			goto out;
		}
	if (rc != SQLITE_DONE) {
		r = tl_db_error(store, err, "cannot read the endorsements");
		goto out;
	}
	*out = list;
	list = NULL;
 out:
	sqlite3_finalize(stmt);
	json_decref(list);
	return r;
}

int
tl_petition_status(struct tl_store *store, const char *id, json_t **out,
    struct tl_error *err)
{
	struct cycle_election e;
	sqlite3_stmt *stmt = NULL;
	json_t *list = NULL;
	char when[TL_TIME_LEN];
	int r, rc;

	if ((r = tl_cycle_load(store, id, &e, err)) != TL_OK)
		return r;
	if ((list = json_array()) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	if ((r = tl_db_prepare(store, "SELECT number, contest_id, candidate_id, "
	    "name, entry_hash, opened_at FROM petitions WHERE election_id = ? "
	    "ORDER BY number", &stmt, err)) != TL_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const struct tl_contest *c = tl_manifest_contest(e.manifest,
		    (const char *)sqlite3_column_text(stmt, 1));
		int64_t number = sqlite3_column_int64(stmt, 0);
		int64_t threshold = c != NULL ? c->petition_threshold : 0;
		json_t *voters = NULL, *item;

		if ((r = endorsers(store, id, number, &voters, err)) != TL_OK)
			goto out;
		tl_time_format(sqlite3_column_int64(stmt, 5), when);
		item = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:b, "
		    "s:o}", "number", (json_int_t)number, "contest",
		    sqlite3_column_text(stmt, 1), "candidate",
		    sqlite3_column_text(stmt, 2), "name",
		    sqlite3_column_text(stmt, 3), "entry_hash",
		    sqlite3_column_text(stmt, 4), "opened", when,
		    "endorsements", (json_int_t)json_array_size(voters),
		    "threshold", (json_int_t)threshold, "reached",
		    threshold > 0 && (int64_t)json_array_size(voters) >= threshold,
		    "voters", voters);
		if (item == NULL || json_array_append_new(list, item) != 0) {
			r = tl_error_set(err, TL_ENOMEM, "out of memory");
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		r = tl_db_error(store, err, "cannot read the petitions");
		goto out;
	}
	*out = list;
	list = NULL;
 out:
	sqlite3_finalize(stmt);
	json_decref(list);
	tl_cycle_free(&e);
	return r;
}

/* --- the voting definition ------------------------------------------------ */

/* The candidates the nomination stage adds, in the order the voting
 * definition lists them (tl_manifest_voting_definition). */
struct additions {
	struct tl_added_candidate *list;
	size_t n, cap;
};

static void
additions_free(struct additions *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free((char *)(uintptr_t)a->list[i].id);
		free((char *)(uintptr_t)a->list[i].name);
	}
	free(a->list);
}

static int
additions_add(struct additions *a, size_t contest, const unsigned char *id,
    const unsigned char *name, struct tl_error *err)
{
	struct tl_added_candidate *grown;
	char *id_copy, *name_copy;

	if (a->n == a->cap) {
		size_t cap = a->cap != 0 ? a->cap * 2 : 16;

		if ((grown = realloc(a->list, cap * sizeof(*grown))) == NULL)
			return tl_error_set(err, TL_ENOMEM, "out of memory");
		a->list = grown;
		a->cap = cap;
	}
	id_copy = strdup((const char *)id);
	name_copy = strdup((const char *)name);
	if (id_copy == NULL || name_copy == NULL) {
		free(id_copy);
		free(name_copy);
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	a->list[a->n++] = (struct tl_added_candidate){contest, id_copy,
	    name_copy};
	return TL_OK;
}

/* Adds the contest's slate, then the candidates of its petitions that
 * reached the threshold (recording those as candidates). */
static int
final_candidates(struct tl_store *store, const struct cycle_election *e,
    size_t contest, struct additions *added, struct tl_error *err)
{
	const struct tl_contest *c = &e->manifest->contests[contest];
	sqlite3_stmt *stmt = NULL, *insert = NULL;
	int r, rc;

	if ((r = tl_db_prepare(store, "SELECT id, name FROM candidates WHERE "
	    "election_id = ? AND contest_id = ? AND origin = 'slate' ORDER BY "
	    "leaf_index", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, e->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, c->id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		if ((r = additions_add(added, contest, sqlite3_column_text(stmt,
		    0), sqlite3_column_text(stmt, 1), err)) != TL_OK)
			goto out;
	sqlite3_finalize(stmt);
	stmt = NULL;
	if (rc != SQLITE_DONE)
		return tl_db_error(store, err, "cannot read the slate");
	if ((r = tl_db_prepare(store, "SELECT p.candidate_id, p.name, "
	    "p.leaf_index FROM petitions p WHERE p.election_id = ?1 AND "
	    "p.contest_id = ?2 AND (SELECT COUNT(*) FROM endorsements n WHERE "
	    "n.election_id = ?1 AND n.petition = p.number) >= ?3 ORDER BY "
	    "p.number", &stmt, err)) != TL_OK ||
	    (r = tl_db_prepare(store, "INSERT INTO candidates (election_id, "
	    "contest_id, id, name, position, origin, leaf_index) SELECT ?1, ?2, "
	    "?3, ?4, COALESCE(MAX(position) + 1, 0), 'petition', ?5 FROM "
	    "candidates WHERE election_id = ?1 AND contest_id = ?2", &insert,
	    err)) != TL_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, e->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, c->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, c->petition_threshold);
	while (c->petition_threshold > 0 &&
	    (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if ((r = additions_add(added, contest, sqlite3_column_text(stmt,
		    0), sqlite3_column_text(stmt, 1), err)) != TL_OK)
			goto out;
		sqlite3_reset(insert);
		sqlite3_bind_text(insert, 1, e->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(insert, 2, c->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(insert, 3, (const char *)sqlite3_column_text(
		    stmt, 0), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(insert, 4, (const char *)sqlite3_column_text(
		    stmt, 1), -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(insert, 5, sqlite3_column_int64(stmt, 2));
		if ((r = tl_db_step_done(store, insert, err, "cannot store a "
		    "petition's candidate")) != TL_OK)
			goto out;
	}
	if (c->petition_threshold > 0 && rc != SQLITE_DONE)
		r = tl_db_error(store, err, "cannot read the petitions");
 out:
	sqlite3_finalize(stmt);
	sqlite3_finalize(insert);
	return r;
}

int
tl_cycle_voting_definition(struct tl_store *store,
    const struct cycle_election *e, char **out, size_t *len,
    struct tl_error *err)
{
	struct additions added;
	int r = TL_OK;

	memset(&added, 0, sizeof(added));
	for (size_t i = 0; i < e->manifest->ncontests && r == TL_OK; i++)
		if (e->manifest->contests[i].method != TL_METHOD_REFERENDUM)
			r = final_candidates(store, e, i, &added, err);
	if (r == TL_OK && (r = tl_manifest_voting_definition(e->manifest,
	    e->initial_hash, added.list, added.n, out, len, err)) != TL_OK &&
	    r != TL_ENOMEM) {
		tl_error_prefix(err, "cannot open the vote of election %s: with "
		    "its final candidates, its definition is not valid", e->id);
		if (err != NULL)
			err->code = TL_ESTATE;
		r = TL_ESTATE;
	}
	additions_free(&added);
	return r;
}
