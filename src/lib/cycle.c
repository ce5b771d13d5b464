/*
 * cycle.c: what the election cycle's steps share (an election with its
 * timetable in force, authority-signed appends, the start of the log),
 * publishing an election before its vote, amendments of the timetable,
 * and the status report of where an election stands.
 */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cycle_internal.h"
#include "store_internal.h"
#include "teller/cycle.h"
#include "teller/election.h"
#include "teller/envelope.h"
#include "teller/log.h"
#include "teller/roll.h"
#include "teller/statement.h"
#include "teller/authtrustee.h"
#include "teller/util.h"
#include "teller/webhook.h"

void
tl_cycle_free(struct cycle_election *e)
{
	free(e->state);
	tl_manifest_free(e->manifest);
	memset(e, 0, sizeof(*e));
}

/* Applies the stored amendments, in log order, to the manifest's
 * timetable (each was checked when it was made). */
static int
apply_amendments(struct tl_store *store, struct cycle_election *e,
    struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r, rc;

	if ((r = tl_db_prepare(store, "SELECT phase, opens_at, closes_at FROM "
	    "amendments WHERE election_id = ? ORDER BY leaf_index", &stmt,
	    err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, e->id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		int p = tl_phase_from_name((const char *)sqlite3_column_text(stmt,
		    0));
		struct tl_window *w;

		if (p < 0) {
			r = tl_error_set(err, TL_EDB, "an amendment of %s names an "
			    "unknown phase", e->id);
			break;
		}
		w = &e->timetable.phase[p];
		if (sqlite3_column_type(stmt, 1) != SQLITE_NULL)
			w->opens = sqlite3_column_int64(stmt, 1);
		if (sqlite3_column_type(stmt, 2) != SQLITE_NULL)
			w->closes = sqlite3_column_int64(stmt, 2);
	}
	if (r == TL_OK && rc != SQLITE_DONE)
		r = tl_db_error(store, err, "cannot read the amendments");
	sqlite3_finalize(stmt);
	return r;
}

int
tl_cycle_load(struct tl_store *store, const char *id,
    struct cycle_election *e, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	const char *hash, *initial;
	int r, ok = 1;

	memset(e, 0, sizeof(*e));
	e->id = id;
	if ((r = tl_db_prepare(store, "SELECT " TL_DB_STATE_SQL ", "
	    "manifest_json, manifest_hash, initial_hash, annulled_at FROM "
	    "elections WHERE id = ?", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		break;
	case SQLITE_DONE:
		r = tl_error_set(err, TL_ENOTFOUND, "no election \"%.64s\"", id);
		goto out;
	default:
		r = tl_db_error(store, err, "cannot read the election");
		goto out;
	}
	e->state = tl_db_column_strdup(stmt, 0, &ok);
	if (!ok) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	if ((r = tl_manifest_parse((const char *)sqlite3_column_text(stmt, 1),
	    (size_t)sqlite3_column_bytes(stmt, 1), &e->manifest, err)) != TL_OK)
		goto out;
	hash = (const char *)sqlite3_column_text(stmt, 2);
	initial = (const char *)sqlite3_column_text(stmt, 3);
	snprintf(e->hash, sizeof(e->hash), "%s", hash != NULL ? hash : "");
	/* Elections opened before the cycle existed have one manifest. */
	snprintf(e->initial_hash, sizeof(e->initial_hash), "%s",
	    initial != NULL ? initial : e->hash);
	e->annulled = sqlite3_column_type(stmt, 4) != SQLITE_NULL;
	e->timetable = e->manifest->timetable;
	sqlite3_finalize(stmt);
	stmt = NULL;
	r = apply_amendments(store, e, err);
 out:
	sqlite3_finalize(stmt);
	if (r != TL_OK)
		tl_cycle_free(e);
	return r;
}

int
tl_cycle_begin(struct tl_store *store, const char *id,
    const char *voter_what, struct cycle_step *s, struct tl_error *err)
{
	int r;

	memset(s, 0, sizeof(*s));
	if ((r = tl_store_authority(store, &s->authority, err)) != TL_OK)
		return r;
	if ((r = tl_db_begin(store, err)) != TL_OK) {
		tl_key_free(s->authority);
		s->authority = NULL;
		return r;
	}
	if ((r = tl_cycle_load(store, id, &s->e, err)) == TL_OK)
		return TL_OK;
	if (r == TL_ENOTFOUND && voter_what != NULL)
		r = tl_error_set(err, TL_EWRONGELECTION, "the %s is for election "
		    "\"%.64s\", which this database does not hold", voter_what,
		    id);
	return tl_cycle_end(store, s, r, 0, err);
}

int
tl_cycle_end(struct tl_store *store, struct cycle_step *s, int r,
    int64_t now, struct tl_error *err)
{
	if (r == TL_OK)
		r = tl_log_sign_head(store, s->e.id, s->authority, now, NULL, err);
	if (r == TL_OK && s->event != NULL)
		r = tl_webhook_emit(store, s->event, s->e.id, now, NULL, err);
	if (r == TL_OK)
		r = tl_db_commit(store, err);
	else
		tl_db_rollback(store);
	tl_cycle_free(&s->e);
	tl_key_free(s->authority);
	memset(s, 0, sizeof(*s));
	return r;
}

int
tl_cycle_append_signed(struct tl_store *store, const char *election_id,
    const char *kind, const char *type, const char *payload, size_t len,
    const struct tl_key *authority, int64_t now, uint64_t *leaf_index,
    char entry_hash[TL_HASH_HEX_LEN + 1], char **envelope,
    struct tl_error *err)
{
	struct tl_envelope *env = NULL;
	char *text = NULL;
	size_t text_len = 0;
	int r;

	if ((r = tl_envelope_sign(type, payload, len, authority, &env, err)) !=
	    TL_OK ||
	    (r = tl_envelope_serialize(env, &text, &text_len, err)) != TL_OK ||
	    (r = tl_log_append(store, election_id, kind, text, text_len, now,
	    leaf_index, entry_hash, err)) != TL_OK)
		goto out;
	if (envelope != NULL) {
		*envelope = text;
		text = NULL;
	}
 out:
	tl_envelope_free(env);
	free(text);
	return r;
}

int
tl_cycle_sign(const char *type, const char *payload, size_t len,
    const struct tl_key *key, char **envelope, struct tl_error *err)
{
	struct tl_envelope *env = NULL;
	int r;

	if ((r = tl_envelope_sign(type, payload, len, key, &env, err)) == TL_OK)
		r = tl_envelope_serialize(env, envelope, NULL, err);
	tl_envelope_free(env);
	return r;
}

int
tl_election_roll(struct tl_store *store, const char *id,
    const struct tl_manifest *manifest, struct tl_roll **out,
    struct tl_error *err)
{
	struct tl_roll *roll;
	sqlite3_stmt *stmt = NULL;
	int r, rc;

	if ((roll = tl_roll_new()) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	if ((r = tl_db_prepare(store, "SELECT id, name, constituency_id, weight, "
	    "public_key, email FROM voters WHERE election_id = ? ORDER BY rowid",
	    &stmt, err)) != TL_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *voter = (const char *)sqlite3_column_text(stmt, 0);
		const char *name = (const char *)sqlite3_column_text(stmt, 1);
		const char *constituency =
		    (const char *)sqlite3_column_text(stmt, 2);
		const char *key = (const char *)sqlite3_column_text(stmt, 4);
		const char *email = (const char *)sqlite3_column_text(stmt, 5);
		size_t ci = tl_manifest_constituency_index(manifest,
		    constituency);

		if (ci == (size_t)-1) {
			r = tl_error_set(err, TL_EDB, "voter %s has unknown "
			    "constituency %s", voter, constituency);
			goto out;
		}
		/* A voter without a key is still to enrol (enrol.h). */
		r = key != NULL ? tl_roll_add(roll, voter, name, constituency,
		    ci, sqlite3_column_int64(stmt, 3), key) :
		    tl_roll_add_unenrolled(roll, voter, name, constituency, ci,
		    sqlite3_column_int64(stmt, 3));
		if (r == TL_OK && email != NULL)
			r = tl_roll_set_email(roll, email);
		if (r != TL_OK) {
			tl_error_set(err, r, "cannot load voter %s", voter);
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		r = tl_db_error(store, err, "cannot read the roll");
		goto out;
	}
	*out = roll;
	roll = NULL;
	r = TL_OK;
 out:
	sqlite3_finalize(stmt);
	tl_roll_free(roll);
	return r;
}

/* Every constituency that votes in a contest must have voters. */
static int
check_roll_complete(const struct tl_manifest *m, const struct tl_roll *roll,
    struct tl_error *err)
{
	for (size_t c = 0; c < m->ncontests; c++) {
		size_t ci = m->contests[c].constituency_index, n = 0;

		for (size_t v = 0; v < roll->nvoters && n == 0; v++)
			n += roll->voters[v].constituency_index == ci;
		if (n == 0)
			return tl_error_set(err, TL_ESTATE,
			    "constituency %s votes in contest %s but has no "
			    "voters; import its roll with 'teller roll import "
			    "%s FILE.csv'", m->constituencies[ci].id,
			    m->contests[c].id, m->id);
	}
	return TL_OK;
}

/*
 * Every voter has a key: the frozen roll holds voters' keys, so a voter
 * still to enrol (enrol.h) keeps the roll from freezing.  The message
 * names the first few.
 */
static int
check_roll_enrolled(const char *id, const struct tl_roll *roll,
    struct tl_error *err)
{
	char names[256] = "";
	size_t missing = 0, used = 0;

	for (size_t v = 0; v < roll->nvoters; v++) {
		const struct tl_voter *voter = &roll->voters[v];

		if (tl_voter_has_key(voter))
			continue;
		if (missing++ < 5 && used < sizeof(names)) {
			int n = snprintf(names + used, sizeof(names) - used,
			    "%s%s", used > 0 ? ", " : "", voter->id);

			used += n > 0 ? (size_t)n : 0;
		}
	}
	if (missing == 0)
		return TL_OK;
	return tl_error_set(err, TL_ESTATE, "election %s: %zu voter%s on the "
	    "roll ha%s no key yet (%s%s): the roll freezes with every voter's "
	    "key, and enrolment closes then.  Send the enrolment links again "
	    "('teller invite %s'), or take those voters off the roll",
	    id, missing, missing == 1 ? "" : "s", missing == 1 ? "s" : "ve",
	    names, missing > 5 ? ", ..." : "", id);
}

/* The election's definition as it is now to be signed. */
static int
store_definition(struct tl_store *store, const char *id, const char *json,
    struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_prepare(store, "UPDATE elections SET manifest_json = ? "
	    "WHERE id = ?", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, json, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, id, -1, SQLITE_STATIC);
	r = tl_db_step_done(store, stmt, err, "cannot store the manifest");
	sqlite3_finalize(stmt);
	return r;
}

int
tl_cycle_start_log(struct tl_store *store, const char *id,
    const struct tl_manifest *m, const struct tl_key *authority, int64_t now,
    char hash[TL_HASH_HEX_LEN + 1], struct tl_error *err)
{
	struct tl_roll *roll = NULL;
	char *payload = NULL, *roll_payload = NULL;
	size_t payload_len = 0, roll_len = 0;
	int r;

	if ((r = tl_election_roll(store, id, m, &roll, err)) != TL_OK ||
	    (r = check_roll_complete(m, roll, err)) != TL_OK ||
	    (r = check_roll_enrolled(id, roll, err)) != TL_OK)
		goto out;
	/* A secret election without trustees: the authority is its only
	 * trustee, named in the manifest it signs now (authtrustee.h). */
	if ((r = tl_authtrustee_manifest(m, authority, &payload,
	    &payload_len, err)) != TL_OK ||
	    (payload != NULL && (r = store_definition(store, id, payload,
	    err)) != TL_OK))
		goto out;
	if (payload == NULL && (r = tl_manifest_serialize(m, &payload,
	    &payload_len)) != TL_OK) {
		tl_error_set(err, r, "out of memory");
		goto out;
	}
	tl_sha256_hex(payload, payload_len, hash);
	if ((r = tl_roll_serialize(roll, id, hash, &roll_payload, &roll_len)) !=
	    TL_OK) {
		tl_error_set(err, r, "out of memory");
		goto out;
	}
	if ((r = tl_cycle_append_signed(store, id, "manifest", TL_TYPE_MANIFEST,
	    payload, payload_len, authority, now, NULL, NULL, NULL, err)) ==
	    TL_OK)
		r = tl_cycle_append_signed(store, id, "roll", TL_TYPE_ROLL,
		    roll_payload, roll_len, authority, now, NULL, NULL, NULL, err);
 out:
	tl_roll_free(roll);
	free(payload);
	free(roll_payload);
	return r;
}

int
tl_election_publish(struct tl_store *store, const char *id, int64_t now,
    struct tl_error *err)
{
	struct cycle_step s;
	sqlite3_stmt *stmt = NULL;
	char hash[TL_HASH_HEX_LEN + 1], when[TL_TIME_LEN];
	int r;

	if ((r = tl_cycle_begin(store, id, NULL, &s, err)) != TL_OK)
		return r;
	if (!tl_timetable_has_nominations(&s.e.timetable)) {
		r = tl_error_set(err, TL_EPHASE, "election %s has no nominations "
		    "or petitions phase in its timetable, so there is nothing "
		    "to publish before its vote; open it with 'teller election "
		    "open %s'", id, id);
		goto out;
	}
	if (strcmp(s.e.state, "draft") != 0) {
		r = tl_error_set(err, TL_ESTATE, "election %s is %s; only a "
		    "draft can be published", id, s.e.state);
		goto out;
	}
	if (now >= s.e.timetable.phase[TL_PHASE_VOTING].opens) {
		tl_time_format(s.e.timetable.phase[TL_PHASE_VOTING].opens, when);
		r = tl_error_set(err, TL_EPHASE, "election %s must be published "
		    "before its voting phase opens at %s", id, when);
		goto out;
	}
	if ((r = tl_cycle_start_log(store, id, s.e.manifest, s.authority, now,
	    hash, err)) != TL_OK ||
	    (r = tl_db_prepare(store, "UPDATE elections SET published_at = ?, "
	    "manifest_hash = ?, initial_hash = ? WHERE id = ?", &stmt, err)) !=
	    TL_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_text(stmt, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, id, -1, SQLITE_STATIC);
	r = tl_db_step_done(store, stmt, err, "cannot publish the election");
 out:
	sqlite3_finalize(stmt);
	return tl_cycle_end(store, &s, r, now, err);
}

int
tl_election_timetable(struct tl_store *store, const char *id,
    struct tl_timetable *out, struct tl_error *err)
{
	struct cycle_election e;
	int r;

	if ((r = tl_cycle_load(store, id, &e, err)) != TL_OK)
		return r;
	*out = e.timetable;
	tl_cycle_free(&e);
	return TL_OK;
}

/* The stored side of an amendment: its row, and for the voting phase
 * the window casting reads. */
static int
store_amendment(struct tl_store *store, const struct cycle_election *e,
    const struct tl_amendment *a, uint64_t leaf, struct tl_error *err)
{
	const struct tl_window *voting = &e->timetable.phase[TL_PHASE_VOTING];
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_prepare(store, "INSERT INTO amendments (election_id, "
	    "leaf_index, phase, opens_at, closes_at, amended_at) VALUES "
	    "(?, ?, ?, ?, ?, ?)", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, e->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)leaf);
	sqlite3_bind_text(stmt, 3, tl_phase_name(a->phase), -1, SQLITE_STATIC);
	if (a->has_opens)
		sqlite3_bind_int64(stmt, 4, a->opens);
	if (a->has_closes)
		sqlite3_bind_int64(stmt, 5, a->closes);
	sqlite3_bind_int64(stmt, 6, a->time);
	r = tl_db_step_done(store, stmt, err, "cannot store the amendment");
	sqlite3_finalize(stmt);
	if (r != TL_OK || a->phase != TL_PHASE_VOTING)
		return r;
	if ((r = tl_db_prepare(store, "UPDATE elections SET opens_at = ?, "
	    "closes_at = ? WHERE id = ?", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_int64(stmt, 1, voting->opens);
	sqlite3_bind_int64(stmt, 2, voting->closes);
	sqlite3_bind_text(stmt, 3, e->id, -1, SQLITE_STATIC);
	r = tl_db_step_done(store, stmt, err, "cannot amend the voting window");
	sqlite3_finalize(stmt);
	return r;
}

int
tl_election_amend(struct tl_store *store, const char *id,
    enum tl_phase phase, int has_opens, int64_t opens, int has_closes,
    int64_t closes, int64_t now, struct tl_error *err)
{
	struct cycle_step s;
	struct tl_amendment a;
	char *payload = NULL;
	size_t len = 0;
	uint64_t leaf = 0;
	int r;

	if ((r = tl_cycle_begin(store, id, NULL, &s, err)) != TL_OK)
		return r;
	if (strcmp(s.e.state, "draft") == 0 ||
	    strcmp(s.e.state, "final") == 0) {
		r = tl_error_set(err, TL_ESTATE, "election %s is %s; a timetable "
		    "is amended between the start of its log (publish or open) "
		    "and its final result", id, s.e.state);
		goto out;
	}
	if ((r = tl_timetable_amend(&s.e.timetable, phase, has_opens, opens,
	    has_closes, closes, now, err)) != TL_OK) {
		tl_error_prefix(err, "election %s", id);
		goto out;
	}
	memset(&a, 0, sizeof(a));
	snprintf(a.election, sizeof(a.election), "%s", id);
	memcpy(a.manifest, s.e.initial_hash, sizeof(a.manifest));
	a.phase = phase;
	a.has_opens = has_opens;
	a.opens = opens;
	a.has_closes = has_closes;
	a.closes = closes;
	a.time = now;
	if ((r = tl_amendment_serialize(&a, &payload, &len, err)) == TL_OK &&
	    (r = tl_cycle_append_signed(store, id, "amendment",
	    TL_TYPE_AMENDMENT, payload, len, s.authority, now, &leaf, NULL, NULL,
	    err)) == TL_OK)
		r = store_amendment(store, &s.e, &a, leaf, err);
 out:
	free(payload);
	return tl_cycle_end(store, &s, r, now, err);
}

int
tl_id_from_name(const char *name, char out[TL_ID_SIZE],
    struct tl_error *err)
{
	size_t n = 0;
	int dash = 0;

	for (const unsigned char *p = (const unsigned char *)name;
	    *p != '\0' && n < TL_ID_SIZE - 1; p++) {
		if (*p < 0x80 && isalnum(*p)) {
			if (dash && n > 0 && n < TL_ID_SIZE - 2)
				out[n++] = '-';
			dash = 0;
			out[n++] = (char)tolower(*p);
		} else
			dash = 1;
	}
	out[n] = '\0';
	if (n == 0)
		return tl_error_set(err, TL_EINPUT, "cannot make an id from the "
		    "name \"%.64s\"; give one", name);
	return TL_OK;
}

/* --- status ---------------------------------------------------------------- */

int
tl_cycle_query_int(struct tl_store *store, const char *sql, const char *a,
    const char *b, int64_t *out, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_prepare(store, sql, &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, a, -1, SQLITE_STATIC);
	if (b != NULL)
		sqlite3_bind_text(stmt, 2, b, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*out = sqlite3_column_int64(stmt, 0);
	else
		r = tl_db_error(store, err, "cannot read the election");
	sqlite3_finalize(stmt);
	return r;
}

static json_t *
time_json(int64_t t)
{
	char when[TL_TIME_LEN];

	tl_time_format(t, when);
	return json_string(when);
}

/* What the administrator does next, in words. */
static void
next_step(const struct cycle_election *e, int64_t now, int64_t unresolved,
    char *out, size_t len)
{
	const struct tl_timetable *tt = &e->timetable;
	const struct tl_window *voting = &tt->phase[TL_PHASE_VOTING];
	const struct tl_window *challenge = &tt->phase[TL_PHASE_CHALLENGE];
	char when[TL_TIME_LEN];

	if (strcmp(e->state, "draft") == 0)
		snprintf(out, len, tl_timetable_has_nominations(tt) ?
		    "with its roll imported, publish the election: teller "
		    "election publish %s" : "with its roll imported, open the "
		    "election: teller election open %s", e->id);
	else if (strcmp(e->state, "published") == 0) {
		tl_time_format(tl_timetable_nominations_end(tt), when);
		if (now < tl_timetable_nominations_end(tt))
			snprintf(out, len, "the nomination stage runs until %s; "
			    "then open the vote (teller election open %s)", when,
			    e->id);
		else
			snprintf(out, len, "open the vote, which signs the "
			    "final candidates: teller election open %s", e->id);
	} else if (strcmp(e->state, "open") == 0) {
		tl_time_format(voting->closes, when);
		if (now < voting->closes)
			snprintf(out, len, "voting runs until %s; then close it "
			    "(teller election close %s)", when, e->id);
		else
			snprintf(out, len, "close the vote: teller election "
			    "close %s", e->id);
	} else if (e->annulled && unresolved > 0)
		snprintf(out, len, "the result is annulled; decide the %lld "
		    "unresolved challenge%s (teller challenge resolve %s N "
		    "...), then teller election finalize %s",
		    (long long)unresolved, unresolved == 1 ? "" : "s", e->id,
		    e->id);
	else if (e->annulled && strcmp(e->state, "final") != 0)
		snprintf(out, len, "the result is annulled: record it with "
		    "teller election finalize %s, and hold a new vote", e->id);
	else if (strcmp(e->state, "closed") == 0)
		snprintf(out, len, "count it: teller tally %s", e->id);
	else if (strcmp(e->state, "counted") == 0)
		snprintf(out, len, "certify the result: teller certify %s",
		    e->id);
	else if (strcmp(e->state, "certified") == 0) {
		tl_time_format(challenge->closes, when);
		if (unresolved > 0)
			snprintf(out, len, "decide the %lld unresolved "
			    "challenge%s: teller challenge resolve %s N --decision "
			    "upheld|dismissed --text FILE", (long long)unresolved,
			    unresolved == 1 ? "" : "s", e->id);
		else if (challenge->present && now < challenge->closes)
			snprintf(out, len, "the challenge period runs until %s; "
			    "then make the result final (teller election "
			    "finalize %s)", when, e->id);
		else
			snprintf(out, len, "make the result final: teller "
			    "election finalize %s", e->id);
	} else
		snprintf(out, len, "none: the result is final");
}

int
tl_election_status(struct tl_store *store, const char *id, int64_t now,
    json_t **out, struct tl_error *err)
{
	struct cycle_election e;
	sqlite3_stmt *stmt = NULL;
	json_t *doc = NULL, *phases = NULL, *next = json_null();
	int64_t added = 0, petitions = 0, challenges = 0, unresolved = 0;
	int current, upcoming, amended[TL_PHASE_COUNT] = {0}, r, rc;
	char step[512];

	if ((r = tl_cycle_load(store, id, &e, err)) != TL_OK)
		return r;
	if ((r = tl_cycle_query_int(store, "SELECT COUNT(*) FROM candidates WHERE "
	    "election_id = ? AND origin = 'slate'", id, NULL, &added, err)) != TL_OK ||
	    (r = tl_cycle_query_int(store, "SELECT COUNT(*) FROM petitions WHERE "
	    "election_id = ?", id, NULL, &petitions, err)) != TL_OK ||
	    (r = tl_cycle_query_int(store, "SELECT COUNT(*) FROM challenges WHERE "
	    "election_id = ?", id, NULL, &challenges, err)) != TL_OK ||
	    (r = tl_cycle_query_int(store, "SELECT COUNT(*) FROM challenges WHERE "
	    "election_id = ? AND decision IS NULL", id, NULL, &unresolved, err)) !=
	    TL_OK)
		goto out;
	if ((r = tl_db_prepare(store, "SELECT DISTINCT phase FROM amendments "
	    "WHERE election_id = ?", &stmt, err)) != TL_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		int p = tl_phase_from_name((const char *)sqlite3_column_text(stmt,
		    0));

		if (p >= 0)
			amended[p] = 1;
	}
	if (rc != SQLITE_DONE) {
		r = tl_db_error(store, err, "cannot read the amendments");
		goto out;
	}
	sqlite3_finalize(stmt);
	stmt = NULL;
	tl_timetable_locate(&e.timetable, now, &current, &upcoming);
	if ((phases = json_array()) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	for (int p = 0; p < TL_PHASE_COUNT; p++) {
		const struct tl_window *w = &e.timetable.phase[p];

		if (!w->present)
			continue;
		json_array_append_new(phases, json_pack("{s:s, s:o, s:o, s:s, "
		    "s:b}", "phase", tl_phase_name((enum tl_phase)p), "opens",
		    time_json(w->opens), "closes", time_json(w->closes), "status",
		    p == current ? "current" : now >= w->closes ? "past" :
		    "future", "amended", amended[p]));
	}
	if (upcoming >= 0)
		next = json_pack("{s:s, s:o, s:o}", "phase",
		    tl_phase_name((enum tl_phase)upcoming), "opens",
		    time_json(e.timetable.phase[upcoming].opens), "closes",
		    time_json(e.timetable.phase[upcoming].closes));
	next_step(&e, now, unresolved, step, sizeof(step));
	doc = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:O, s:I, s:I, s:b, "
	    "s:I, s:I, s:b, s:s}",
	    "election", id, "title", e.manifest->title, "state", e.state,
	    "now", time_json(now),
	    "phase", current >= 0 ?
	    json_string(tl_phase_name((enum tl_phase)current)) : json_null(),
	    "next_phase", next, "phases", phases,
	    "candidates_added", (json_int_t)added,
	    "petitions", (json_int_t)petitions,
	    "certified", strcmp(e.state, "certified") == 0 ||
	    strcmp(e.state, "final") == 0,
	    "challenges", (json_int_t)challenges,
	    "unresolved", (json_int_t)unresolved,
	    "annulled", e.annulled,
	    "next_step", step);
	next = NULL;
	if (doc == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	if (strcmp(e.state, "final") == 0)
		json_object_set_new(doc, "outcome", json_string(e.annulled ?
		    "annulled" : "confirmed"));
	else
		json_object_set_new(doc, "outcome", json_null());
	*out = doc;
	doc = NULL;
 out:
	sqlite3_finalize(stmt);
	json_decref(doc);
	json_decref(phases);
	json_decref(next);
	tl_cycle_free(&e);
	return r;
}
