/*
 * certify.c: after the count: certifying the result, the challenges that
 * eligible voters file against it in the challenge period, the
 * authority's decisions on them (a recount, or a new vote), and the final
 * statement that ends the election.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cycle_internal.h"
#include "store_internal.h"
#include "teller/cycle.h"
#include "teller/receipt.h"
#include "teller/envelope.h"
#include "teller/log.h"
#include "teller/statement.h"
#include "teller/util.h"
#include "teller/webhook.h"

/* The latest certification: its number and entry hash; TL_ESTATE if the
 * election was never certified. */
static int
latest_certification(struct tl_store *store, const char *id,
    int64_t *number, char hash[TL_HASH_HEX_LEN + 1], struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_prepare(store, "SELECT number, entry_hash FROM "
	    "certifications WHERE election_id = ? ORDER BY number DESC LIMIT 1",
	    &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		if (number != NULL)
			*number = sqlite3_column_int64(stmt, 0);
		snprintf(hash, TL_HASH_HEX_LEN + 1, "%s",
		    (const char *)sqlite3_column_text(stmt, 1));
		break;
	case SQLITE_DONE:
		r = tl_error_set(err, TL_ESTATE, "election %s has no certified "
		    "result", id);
		break;
	default:
		r = tl_db_error(store, err, "cannot read the certifications");
	}
	sqlite3_finalize(stmt);
	return r;
}

/* Sets the state and the time column (certified_at, final_at) of an
 * election to now. */
static int
set_state(struct tl_store *store, const char *id, const char *sql,
    int64_t now, const char *text, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_prepare(store, sql, &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_text(stmt, 2, id, -1, SQLITE_STATIC);
	if (text != NULL)
		sqlite3_bind_text(stmt, 3, text, -1, SQLITE_STATIC);
	r = tl_db_step_done(store, stmt, err, "cannot update the election");
	sqlite3_finalize(stmt);
	return r;
}

/* The entry hash of the stored result (the latest one in the log). */
static int
result_entry(struct tl_store *store, const char *id,
    char hash[TL_HASH_HEX_LEN + 1], struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_prepare(store, "SELECT l.entry_hash FROM "
	    "result_documents d JOIN log l ON l.election_id = d.election_id AND "
	    "l.leaf_index = d.leaf_index WHERE d.election_id = ?", &stmt,
	    err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		snprintf(hash, TL_HASH_HEX_LEN + 1, "%s",
		    (const char *)sqlite3_column_text(stmt, 0));
	else
		r = tl_error_set(err, TL_EDB, "election %s is counted but its "
		    "result is missing", id);
	sqlite3_finalize(stmt);
	return r;
}

int
tl_election_certify(struct tl_store *store, const char *id, int64_t now,
    struct tl_error *err)
{
	struct cycle_step s;
	struct tl_certification c;
	sqlite3_stmt *stmt = NULL;
	const struct tl_window *challenge;
	char *payload = NULL, hash[TL_HASH_HEX_LEN + 1], when[TL_TIME_LEN];
	size_t len = 0;
	uint64_t leaf = 0;
	int64_t number = 0;
	int r;

	if ((r = tl_cycle_begin(store, id, NULL, &s, err)) != TL_OK)
		return r;
	s.event = TL_WEBHOOK_RESULT_CERTIFIED;
	if (strcmp(s.e.state, "counted") != 0 || s.e.annulled) {
		r = tl_error_set(err, TL_ESTATE, "election %s is %s%s; only a "
		    "counted result can be certified%s", id, s.e.state,
		    s.e.annulled ? " and its result annulled" : "",
		    strcmp(s.e.state, "closed") == 0 && !s.e.annulled ?
		    " (count it with 'teller tally')" : "");
		goto out;
	}
	challenge = &s.e.timetable.phase[TL_PHASE_CHALLENGE];
	if (challenge->present && now >= challenge->closes) {
		tl_time_format(challenge->closes, when);
		r = tl_error_set(err, TL_EPHASE, "election %s: its challenge "
		    "phase closed at %s; a certification starts the challenge "
		    "period, so it must come before (amend the challenge phase "
		    "first)", id, when);
		goto out;
	}
	memset(&c, 0, sizeof(c));
	snprintf(c.election, sizeof(c.election), "%s", id);
	memcpy(c.manifest, s.e.hash, sizeof(c.manifest));
	c.time = now;
	if ((r = result_entry(store, id, c.result, err)) != TL_OK ||
	    (r = tl_certification_serialize(&c, &payload, &len, err)) !=
	    TL_OK ||
	    (r = tl_cycle_append_signed(store, id, "certification",
	    TL_TYPE_CERTIFICATION, payload, len, s.authority, now, &leaf, hash,
	    NULL, err)) != TL_OK ||
	    (r = tl_cycle_query_int(store, "SELECT COALESCE(MAX(number), 0) + 1 "
	    "FROM certifications WHERE election_id = ?", id, NULL, &number,
	    err)) != TL_OK ||
	    (r = tl_db_prepare(store, "INSERT INTO certifications (election_id, "
	    "number, result_hash, entry_hash, leaf_index, certified_at) VALUES "
	    "(?, ?, ?, ?, ?, ?)", &stmt, err)) != TL_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, number);
	sqlite3_bind_text(stmt, 3, c.result, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)leaf);
	sqlite3_bind_int64(stmt, 6, now);
	if ((r = tl_db_step_done(store, stmt, err, "cannot store the "
	    "certification")) == TL_OK)
		r = set_state(store, id, "UPDATE elections SET state = "
		    "'certified', certified_at = ? WHERE id = ?", now, NULL, err);
 out:
	sqlite3_finalize(stmt);
	free(payload);
	return tl_cycle_end(store, &s, r, now, err);
}

int
tl_challenge_make(struct tl_store *store, const char *id,
    const char *voter_id, const struct tl_key *key, const char *text,
    char **envelope, struct tl_error *err)
{
	struct tl_challenge c;
	char *payload = NULL;
	size_t len = 0;
	int r;

	memset(&c, 0, sizeof(c));
	if (strlen(id) >= sizeof(c.election) || !tl_valid_id(voter_id))
		return tl_error_set(err, TL_EINPUT, "\"%.64s\" is not a valid "
		    "voter id", voter_id);
	if ((r = latest_certification(store, id, NULL, c.certification, err)) !=
	    TL_OK)
		return r;
	snprintf(c.election, sizeof(c.election), "%s", id);
	snprintf(c.voter, sizeof(c.voter), "%s", voter_id);
	c.text = (char *)(uintptr_t)text;
	if ((r = tl_challenge_serialize(&c, &payload, &len, err)) == TL_OK)
		r = tl_cycle_sign(TL_TYPE_CHALLENGE, payload, len, key, envelope,
		    err);
	free(payload);
	return r;
}

int
tl_challenge_file(struct tl_store *store, const char *envelope, size_t len,
    int64_t now, int64_t *number, struct tl_error *err)
{
	struct cycle_step s;
	struct tl_challenge c;
	struct tl_envelope *env = NULL;
	sqlite3_stmt *stmt = NULL;
	char *entry = NULL, hash[TL_HASH_HEX_LEN + 1];
	char latest[TL_HASH_HEX_LEN + 1];
	size_t entry_len = 0;
	uint64_t leaf = 0;
	int64_t certification = 0, n = 0;
	int r;

	memset(&c, 0, sizeof(c));
	if ((r = tl_cycle_read_voter_envelope(envelope, len,
	    TL_ENVELOPE_MAX_CHALLENGE, TL_TYPE_CHALLENGE, &env, &entry,
	    &entry_len, err)) != TL_OK ||
	    (r = tl_challenge_parse((const char *)env->payload,
	    env->payload_len, &c, err)) != TL_OK ||
	    (r = tl_cycle_begin(store, c.election, "challenge", &s, err)) !=
	    TL_OK)
		goto done;
	if ((r = tl_timetable_require(&s.e.timetable, s.e.id,
	    TL_PHASE_CHALLENGE, now, "challenges", err)) != TL_OK)
		goto out;
	if (strcmp(s.e.state, "certified") != 0 || s.e.annulled) {
		r = tl_error_set(err, TL_ESTATE, "challenges: election %s is %s%s; "
		    "a challenge is filed against a certified result", s.e.id,
		    s.e.state, s.e.annulled ? " and its result annulled" : "");
		goto out;
	}
	if ((r = latest_certification(store, s.e.id, &certification, latest,
	    err)) != TL_OK)
		goto out;
	if (strcmp(latest, c.certification) != 0) {
		r = tl_error_set(err, TL_ECONFLICT, "the challenge names "
		    "certification %.16s..., but the result in force was "
		    "certified by %.16s...", c.certification, latest);
		goto out;
	}
	if ((r = tl_cycle_check_voter(store, s.e.id, c.voter, env,
	    "the challenge", NULL, err)) != TL_OK ||
	    (r = tl_log_append(store, s.e.id, "challenge", entry, entry_len, now,
	    &leaf, hash, err)) != TL_OK ||
	    (r = tl_cycle_query_int(store, "SELECT COALESCE(MAX(number), 0) + 1 "
	    "FROM challenges WHERE election_id = ?", s.e.id, NULL, &n, err)) !=
	    TL_OK ||
	    (r = tl_db_prepare(store, "INSERT INTO challenges (election_id, "
	    "number, certification, voter_id, text, entry_hash, leaf_index, "
	    "filed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &stmt, err)) != TL_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, s.e.id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, n);
	sqlite3_bind_int64(stmt, 3, certification);
	sqlite3_bind_text(stmt, 4, c.voter, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, c.text, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 7, (sqlite3_int64)leaf);
	sqlite3_bind_int64(stmt, 8, now);
	r = tl_db_step_done(store, stmt, err, "cannot store the challenge");
 out:
	sqlite3_finalize(stmt);
	if ((r = tl_cycle_end(store, &s, r, now, err)) == TL_OK &&
	    number != NULL)
		*number = n;
 done:
	tl_challenge_free(&c);
	tl_envelope_free(env);
	free(entry);
	return r;
}

int
tl_challenge_receipt(struct tl_store *store, const char *id, int64_t number,
    char **receipt, struct tl_error *err)
{
	struct tl_key *authority = NULL;
	int64_t leaf = 0;
	char n[24];
	int r;

	snprintf(n, sizeof(n), "%lld", (long long)number);
	if ((r = tl_cycle_query_int(store, "SELECT leaf_index FROM challenges "
	    "WHERE election_id = ? AND number = CAST(? AS INTEGER)", id, n,
	    &leaf, err)) != TL_OK)
		return r;
	if ((r = tl_store_authority(store, &authority, err)) != TL_OK)
		return r;
	r = tl_receipt_issue(store, id, (uint64_t)leaf, 0, 0, authority,
	    receipt, err);
	tl_key_free(authority);
	return r;
}

/* What a decision does to the election: a recount withdraws the result
 * and its certification (the log keeps both) and takes the election back
 * to closed; a new vote annuls the result. */
static int
apply_remedy(struct tl_store *store, const struct cycle_election *e,
    enum tl_remedy remedy, int64_t now, struct tl_error *err)
{
	static const char *const withdraw[] = {
		"DELETE FROM result_rounds WHERE election_id = ?",
		"DELETE FROM result_winners WHERE election_id = ?",
		"DELETE FROM results WHERE election_id = ?",
		"DELETE FROM result_documents WHERE election_id = ?",
		("UPDATE elections SET state = 'closed', counted_at = NULL, "
		"certified_at = NULL WHERE id = ?"),
	};
	int r = TL_OK;

	if (remedy == TL_REMEDY_NEW_VOTE)
		return set_state(store, e->id, "UPDATE elections SET annulled_at "
		    "= ? WHERE id = ?", now, NULL, err);
	for (size_t i = 0; remedy == TL_REMEDY_RECOUNT && r == TL_OK &&
	    i < sizeof(withdraw) / sizeof(withdraw[0]); i++)
		r = tl_db_run_for(store, withdraw[i], e->id, err);
	return r;
}

/* Challenge `number`'s entry hash; TL_ENOTFOUND, or TL_EEXISTS if it was
 * already decided. */
static int
undecided_challenge(struct tl_store *store, const char *id, int64_t number,
    char hash[TL_HASH_HEX_LEN + 1], struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_prepare(store, "SELECT entry_hash, decision FROM "
	    "challenges WHERE election_id = ? AND number = ?", &stmt, err)) !=
	    TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, number);
	if (sqlite3_step(stmt) != SQLITE_ROW)
		r = tl_error_set(err, TL_ENOTFOUND, "election %s has no challenge "
		    "%lld", id, (long long)number);
	else if (sqlite3_column_type(stmt, 1) != SQLITE_NULL)
		r = tl_error_set(err, TL_EEXISTS, "challenge %lld of election %s "
		    "was already decided: %s", (long long)number, id,
		    sqlite3_column_text(stmt, 1));
	else
		snprintf(hash, TL_HASH_HEX_LEN + 1, "%s",
		    (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	return r;
}

int
tl_challenge_resolve(struct tl_store *store, const char *id, int64_t number,
    int upheld, enum tl_remedy remedy, const char *text, int64_t now,
    struct tl_error *err)
{
	struct cycle_step s;
	struct tl_decision d;
	sqlite3_stmt *stmt = NULL;
	char *payload = NULL, hash[TL_HASH_HEX_LEN + 1];
	size_t len = 0;
	uint64_t leaf = 0;
	int r;

	if (upheld != (remedy != TL_REMEDY_NONE))
		return tl_error_set(err, TL_EUSAGE, upheld ? "an upheld challenge "
		    "needs a remedy: a recount or a new vote" : "a dismissed "
		    "challenge has no remedy");
	if (!tl_statement_text_valid(text))
		return tl_error_set(err, TL_EINPUT, "the decision's text must be "
		    "1 to %d bytes of UTF-8 with no control character but tab "
		    "and line ends", TL_STATEMENT_TEXT_MAX);
	if ((r = tl_cycle_begin(store, id, NULL, &s, err)) != TL_OK)
		return r;
	memset(&d, 0, sizeof(d));
	if (strcmp(s.e.state, "final") == 0) {
		r = tl_error_set(err, TL_ESTATE, "election %s is final; its "
		    "challenges were all decided", id);
		goto out;
	}
	if ((r = undecided_challenge(store, id, number, d.challenge, err)) !=
	    TL_OK)
		goto out;
	if (remedy == TL_REMEDY_RECOUNT && s.e.annulled) {
		r = tl_error_set(err, TL_ECONFLICT, "the result of election %s "
		    "was annulled by an earlier decision; a recount cannot "
		    "restore it (decide this challenge with the remedy new-vote, "
		    "or dismiss it)", id);
		goto out;
	}
	snprintf(d.election, sizeof(d.election), "%s", id);
	d.upheld = upheld;
	d.remedy = remedy;
	d.text = (char *)(uintptr_t)text;
	d.time = now;
	if ((r = tl_decision_serialize(&d, &payload, &len, err)) != TL_OK ||
	    (r = tl_cycle_append_signed(store, id, "decision", TL_TYPE_DECISION,
	    payload, len, s.authority, now, &leaf, hash, NULL, err)) != TL_OK ||
	    (r = tl_db_prepare(store, "UPDATE challenges SET decision = ?, "
	    "remedy = ?, decision_text = ?, decision_hash = ?, decision_leaf = "
	    "?, decided_at = ? WHERE election_id = ? AND number = ?", &stmt,
	    err)) != TL_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, upheld ? "upheld" : "dismissed", -1,
	    SQLITE_STATIC);
	if (remedy != TL_REMEDY_NONE)
		sqlite3_bind_text(stmt, 2, remedy == TL_REMEDY_RECOUNT ?
		    "recount" : "new-vote", -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)leaf);
	sqlite3_bind_int64(stmt, 6, now);
	sqlite3_bind_text(stmt, 7, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 8, number);
	if ((r = tl_db_step_done(store, stmt, err, "cannot store the "
	    "decision")) == TL_OK)
		r = apply_remedy(store, &s.e, remedy, now, err);
 out:
	sqlite3_finalize(stmt);
	free(payload);
	return tl_cycle_end(store, &s, r, now, err);
}

static json_t *
challenge_item(sqlite3_stmt *stmt)
{
	json_t *item = json_pack("{s:I, s:s, s:s, s:o, s:s, s:I}", "number",
	    (json_int_t)sqlite3_column_int64(stmt, 0), "voter",
	    sqlite3_column_text(stmt, 1), "text", sqlite3_column_text(stmt, 2),
	    "filed", tl_db_column_time(stmt, 3), "entry_hash",
	    sqlite3_column_text(stmt, 4), "certification",
	    (json_int_t)sqlite3_column_int64(stmt, 5));

	if (item == NULL)
		return NULL;
	json_object_set_new(item, "decision", sqlite3_column_type(stmt, 6) ==
	    SQLITE_NULL ? json_null() :
	    json_string((const char *)sqlite3_column_text(stmt, 6)));
	json_object_set_new(item, "remedy", sqlite3_column_type(stmt, 7) ==
	    SQLITE_NULL ? json_null() :
	    json_string((const char *)sqlite3_column_text(stmt, 7)));
	json_object_set_new(item, "decision_text", sqlite3_column_type(stmt,
	    8) == SQLITE_NULL ? json_null() :
	    json_string((const char *)sqlite3_column_text(stmt, 8)));
	json_object_set_new(item, "decided", tl_db_column_time(stmt, 9));
	return item;
}

int
tl_challenge_list(struct tl_store *store, const char *id, json_t **out,
    struct tl_error *err)
{
	struct cycle_election e;
	sqlite3_stmt *stmt = NULL;
	int r;

	/* For its TL_ENOTFOUND. */
	if ((r = tl_cycle_load(store, id, &e, err)) != TL_OK)
		return r;
	tl_cycle_free(&e);
	if ((r = tl_db_prepare(store, "SELECT number, voter_id, text, filed_at, "
	    "entry_hash, certification, decision, remedy, decision_text, "
	    "decided_at FROM challenges WHERE election_id = ? ORDER BY number",
	    &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	return tl_db_collect_json(store, stmt, challenge_item,
	    "cannot list the challenges", out, err);
}

int
tl_election_finalize(struct tl_store *store, const char *id, int64_t now,
    struct tl_error *err)
{
	struct cycle_step s;
	struct tl_final f;
	const struct tl_window *challenge;
	char *payload = NULL, when[TL_TIME_LEN];
	size_t len = 0;
	int64_t unresolved = 0;
	int r;

	if ((r = tl_cycle_begin(store, id, NULL, &s, err)) != TL_OK)
		return r;
	if (strcmp(s.e.state, "certified") != 0 && !(s.e.annulled &&
	    (strcmp(s.e.state, "closed") == 0 ||
	    strcmp(s.e.state, "counted") == 0))) {
		r = tl_error_set(err, TL_ESTATE, "election %s is %s; a result "
		    "becomes final once it is certified (or annulled)", id,
		    s.e.state);
		goto out;
	}
	if ((r = tl_cycle_query_int(store, "SELECT COUNT(*) FROM challenges "
	    "WHERE election_id = ? AND decision IS NULL", id, NULL, &unresolved,
	    err)) != TL_OK)
		goto out;
	if (unresolved > 0) {
		r = tl_error_set(err, TL_ESTATE, "election %s has %lld undecided "
		    "challenge%s; decide them first ('teller challenge list %s')",
		    id, (long long)unresolved, unresolved == 1 ? "" : "s", id);
		goto out;
	}
	challenge = &s.e.timetable.phase[TL_PHASE_CHALLENGE];
	if (challenge->present && now < challenge->closes) {
		tl_time_format(challenge->closes, when);
		r = tl_error_set(err, TL_EPHASE, "election %s: its challenge "
		    "phase runs until %s; the result becomes final after it", id,
		    when);
		goto out;
	}
	memset(&f, 0, sizeof(f));
	snprintf(f.election, sizeof(f.election), "%s", id);
	memcpy(f.manifest, s.e.hash, sizeof(f.manifest));
	f.annulled = s.e.annulled;
	f.time = now;
	if ((r = latest_certification(store, id, NULL, f.certification,
	    err)) == TL_OK &&
	    (r = tl_final_serialize(&f, &payload, &len, err)) == TL_OK &&
	    (r = tl_cycle_append_signed(store, id, "final", TL_TYPE_FINAL,
	    payload, len, s.authority, now, NULL, NULL, NULL, err)) == TL_OK)
		r = set_state(store, id, "UPDATE elections SET state = 'final', "
		    "final_at = ?, outcome = ?3 WHERE id = ?2", now, s.e.annulled ?
		    "annulled" : "confirmed", err);
 out:
	free(payload);
	return tl_cycle_end(store, &s, r, now, err);
}
