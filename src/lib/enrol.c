/*
 * enrol.c: one-time enrolment links (tokens kept only as hashes), the
 * enrolment a voter's page sends with its new public key, and what the
 * voting page may read about one voter.  enrol.h states the rules.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "store_internal.h"
#include "teller/election.h"
#include "teller/enrol.h"
#include "teller/envelope.h"
#include "teller/roll.h"
#include "teller/util.h"

void
tl_enrol_links_free(struct tl_enrol_links *links)
{
	if (links == NULL)
		return;
	for (size_t i = 0; i < links->n; i++) {
		struct tl_enrol_link *l = &links->links[i];

		free(l->voter_id);
		free(l->name);
		free(l->email);
		tl_wipe(l->token, sizeof(l->token));
	}
	free(links->links);
	free(links);
}

/* Whether s is a token as links carry it: TL_ENROL_TOKEN_LEN characters of
 * the base64url alphabet. */
static int
valid_token(const char *s)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_");

	return n == TL_ENROL_TOKEN_LEN && s[n] == '\0';
}

/* A fresh token: random bytes in base64url without padding. */
static int
make_token(char out[TL_ENROL_TOKEN_LEN + 1], struct tl_error *err)
{
	uint8_t raw[TL_ENROL_TOKEN_BYTES];
	char *b64 = NULL;

	if (tl_random_bytes(raw, sizeof(raw)) != TL_OK)
		return tl_error_set(err, TL_ECRYPTO, "no random bytes");
	if (tl_base64_encode(raw, sizeof(raw), &b64) != TL_OK) {
		tl_wipe(raw, sizeof(raw));
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	tl_wipe(raw, sizeof(raw));
	for (size_t i = 0; i < TL_ENROL_TOKEN_LEN; i++)
		out[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
	out[TL_ENROL_TOKEN_LEN] = '\0';
	tl_wipe_free(b64);
	return TL_OK;
}

/* Enrolment is open while the election is a draft: its roll is not
 * frozen yet. */
static int
check_enrolment_open(struct tl_store *store, const char *election,
    struct tl_error *err)
{
	char *state = NULL;
	int r;

	if ((r = tl_election_state(store, election, &state, err)) != TL_OK)
		return r;
	if (strcmp(state, "draft") != 0)
		r = tl_error_set(err, TL_ESTATE, "enrolment in election %s has "
		    "closed: its roll froze when it was %s", election,
		    strcmp(state, "published") == 0 ? "published" : "opened");
	free(state);
	return r;
}

/* A token's row, as tl_enrol_lookup and tl_enrol_register read it. */
struct token_row {
	char *voter_id;
	char *name;
	char *constituency;
	int has_key;
	int64_t expires;
};

static void
token_row_clear(struct token_row *t)
{
	free(t->voter_id);
	free(t->name);
	free(t->constituency);
	memset(t, 0, sizeof(*t));
}

/* Finds a token that is good now; the reasons it is not, in the order a
 * voter can act on them. */
static int
find_token(struct tl_store *store, const char *election, const char *token,
    int64_t now, struct token_row *out, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	char hash[TL_HASH_HEX_LEN + 1], when[TL_TIME_LEN];
	int r, ok = 1;

	if ((r = check_enrolment_open(store, election, err)) != TL_OK)
		return r;
	if (!valid_token(token))
		return tl_error_set(err, TL_ENOTFOUND, "this enrolment link is "
		    "not valid: its token is not %d characters of base64url "
		    "(was the link cut short?)", TL_ENROL_TOKEN_LEN);
	tl_sha256_hex(token, TL_ENROL_TOKEN_LEN, hash);
	if ((r = tl_db_prepare(store, "SELECT t.voter_id, t.expires_at, "
	    "t.used_at, t.revoked_at, v.name, v.constituency_id, "
	    "v.public_key IS NOT NULL FROM enrolment_tokens t JOIN voters v "
	    "ON v.election_id = t.election_id AND v.id = t.voter_id "
	    "WHERE t.token_hash = ? AND t.election_id = ?", &stmt, err)) !=
	    TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, election, -1, SQLITE_STATIC);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		break;
	case SQLITE_DONE:
		r = tl_error_set(err, TL_ENOTFOUND, "this enrolment link is not "
		    "valid for election %s", election);
		goto out;
	default:
		r = tl_db_error(store, err, "cannot read the enrolment links");
		goto out;
	}
	if (sqlite3_column_type(stmt, 2) != SQLITE_NULL) {
		tl_time_format(sqlite3_column_int64(stmt, 2), when);
		r = tl_error_set(err, TL_ECONFLICT, "this enrolment link was "
		    "already used, at %s: a link enrols one key, once", when);
		goto out;
	}
	if (sqlite3_column_type(stmt, 3) != SQLITE_NULL) {
		r = tl_error_set(err, TL_ENOTFOUND, "this enrolment link was "
		    "replaced by a newer one; use the link of the latest "
		    "message");
		goto out;
	}
	out->expires = sqlite3_column_int64(stmt, 1);
	if (now >= out->expires) {
		tl_time_format(out->expires, when);
		r = tl_error_set(err, TL_EEXPIRED, "this enrolment link expired "
		    "at %s; ask the election's administrators for a new one",
		    when);
		goto out;
	}
	out->voter_id = tl_db_column_strdup(stmt, 0, &ok);
	out->name = tl_db_column_strdup(stmt, 4, &ok);
	out->constituency = tl_db_column_strdup(stmt, 5, &ok);
	out->has_key = sqlite3_column_int(stmt, 6);
	if (!ok || out->voter_id == NULL || out->name == NULL ||
	    out->constituency == NULL) {
		token_row_clear(out);
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
	}
 out:
	sqlite3_finalize(stmt);
	return r;
}

int
tl_enrol_lookup(struct tl_store *store, const char *election,
    const char *token, int64_t now, json_t **out, struct tl_error *err)
{
	struct token_row t = {0};
	sqlite3_stmt *stmt = NULL;
	char when[TL_TIME_LEN];
	json_t *doc;
	int r, began = 0;

	if ((r = tl_db_read_begin(store, &began, err)) != TL_OK)
		return r;
	if ((r = find_token(store, election, token, now, &t, err)) != TL_OK)
		goto out;
	if (t.has_key) {
		r = tl_error_set(err, TL_ECONFLICT, "voter %s has a key on the "
		    "roll already", t.voter_id);
		goto out;
	}
	if ((r = tl_db_prepare(store, "SELECT title FROM elections WHERE id = ?",
	    &stmt, err)) != TL_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, election, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		r = tl_db_error(store, err, "cannot read the election");
		goto out;
	}
	tl_time_format(t.expires, when);
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "election", election,
	    "title", (const char *)sqlite3_column_text(stmt, 0), "voter",
	    t.voter_id, "name", t.name, "constituency", t.constituency,
	    "expires", when);
	if (doc == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	*out = doc;
 out:
	sqlite3_finalize(stmt);
	tl_db_read_end(store, began);
	token_row_clear(&t);
	return r;
}

/* Revokes the voter's tokens that are still good at now (all but
 * `keep`'s, if given); an expired one stays expired, which says more. */
static int
revoke_tokens(struct tl_store *store, const char *election,
    const char *voter, const char *keep, int64_t now, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_prepare(store, "UPDATE enrolment_tokens SET "
	    "revoked_at = ? WHERE election_id = ? AND voter_id = ? AND "
	    "used_at IS NULL AND revoked_at IS NULL AND expires_at > ? AND "
	    "token_hash IS NOT ?",
	    &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_text(stmt, 2, election, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, voter, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, now);
	if (keep != NULL)
		sqlite3_bind_text(stmt, 5, keep, -1, SQLITE_STATIC);
	r = tl_db_step_done(store, stmt, err, "cannot revoke enrolment links");
	sqlite3_finalize(stmt);
	return r;
}

/* Checks that each named voter is on the roll and still to enrol. */
static int
check_named_voters(struct tl_store *store, const char *election,
    const char *const *voters, size_t nvoters, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_prepare(store, "SELECT public_key IS NOT NULL FROM "
	    "voters WHERE election_id = ? AND id = ?", &stmt, err)) != TL_OK)
		return r;
	for (size_t i = 0; i < nvoters && r == TL_OK; i++) {
		sqlite3_reset(stmt);
		sqlite3_bind_text(stmt, 1, election, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, voters[i], -1, SQLITE_STATIC);
		switch (sqlite3_step(stmt)) {
		case SQLITE_ROW:
			if (sqlite3_column_int(stmt, 0))
				r = tl_error_set(err, TL_ECONFLICT, "voter %s "
				    "of election %s has a key already; an "
				    "enrolment link is for a voter without one",
				    voters[i], election);
			break;
		case SQLITE_DONE:
			r = tl_error_set(err, TL_ENOTFOUND, "no voter \"%.64s\" "
			    "on the roll of election %s", voters[i], election);
			break;
		default:
			r = tl_db_error(store, err, "cannot read the roll");
		}
	}
	sqlite3_finalize(stmt);
	return r;
}

static int
is_named(const char *id, const char *const *voters, size_t nvoters)
{
	for (size_t i = 0; i < nvoters; i++)
		if (strcmp(voters[i], id) == 0)
			return 1;
	return 0;
}

/* Stores a new token for one voter and adds its link to the list. */
static int
issue_one(struct tl_store *store, sqlite3_stmt *insert, const char *election,
    sqlite3_stmt *row, int64_t now, int64_t expires,
    struct tl_enrol_links *links, struct tl_error *err)
{
	struct tl_enrol_link *l = &links->links[links->n];
	char hash[TL_HASH_HEX_LEN + 1];
	int r, ok = 1;

	memset(l, 0, sizeof(*l));
	l->voter_id = tl_db_column_strdup(row, 0, &ok);
	l->name = tl_db_column_strdup(row, 1, &ok);
	l->email = tl_db_column_strdup(row, 2, &ok);
	l->expires = expires;
	links->n++;
	if (!ok)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	if ((r = make_token(l->token, err)) != TL_OK ||
	    (r = revoke_tokens(store, election, l->voter_id, NULL, now, err)) !=
	    TL_OK)
		return r;
	tl_sha256_hex(l->token, TL_ENROL_TOKEN_LEN, hash);
	sqlite3_reset(insert);
	sqlite3_bind_text(insert, 1, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(insert, 2, election, -1, SQLITE_STATIC);
	sqlite3_bind_text(insert, 3, l->voter_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(insert, 4, now);
	sqlite3_bind_int64(insert, 5, expires);
	return tl_db_step_done(store, insert, err,
	    "cannot store an enrolment link");
}

int
tl_enrol_issue(struct tl_store *store, const char *election,
    const char *const *voters, size_t nvoters, int64_t now, int64_t expires,
    struct tl_enrol_links **out, struct tl_error *err)
{
	struct tl_enrol_links *links = NULL;
	sqlite3_stmt *select = NULL, *insert = NULL;
	int64_t pending = 0;
	int r, rc;

	if (expires <= now)
		return tl_error_set(err, TL_EUSAGE, "an enrolment link must "
		    "expire after it is made");
	if ((r = tl_db_begin(store, err)) != TL_OK)
		return r;
	if ((r = check_enrolment_open(store, election, err)) != TL_OK ||
	    (r = check_named_voters(store, election, voters, nvoters, err)) !=
	    TL_OK)
		goto out;
	if ((r = tl_db_prepare(store, "SELECT COUNT(*) FROM voters WHERE "
	    "election_id = ? AND public_key IS NULL", &select, err)) != TL_OK)
		goto out;
	sqlite3_bind_text(select, 1, election, -1, SQLITE_STATIC);
	if (sqlite3_step(select) == SQLITE_ROW)
		pending = sqlite3_column_int64(select, 0);
	sqlite3_finalize(select);
	select = NULL;
	if ((links = calloc(1, sizeof(*links))) == NULL ||
	    (pending > 0 && (links->links = calloc((size_t)pending,
	    sizeof(*links->links))) == NULL)) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	if ((r = tl_db_prepare(store, "SELECT id, name, email FROM voters "
	    "WHERE election_id = ? AND public_key IS NULL ORDER BY rowid",
	    &select, err)) != TL_OK ||
	    (r = tl_db_prepare(store, "INSERT INTO enrolment_tokens "
	    "(token_hash, election_id, voter_id, created_at, expires_at) "
	    "VALUES (?, ?, ?, ?, ?)", &insert, err)) != TL_OK)
		goto out;
	sqlite3_bind_text(select, 1, election, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(select)) == SQLITE_ROW) {
		if (nvoters > 0 && !is_named((const char *)
		    sqlite3_column_text(select, 0), voters, nvoters))
			continue;
		if (links->n == (size_t)pending) {
			r = tl_error_set(err, TL_EINTERNAL, "the roll changed "
			    "while links were issued");
			goto out;
		}
		if ((r = issue_one(store, insert, election, select, now, expires,
		    links, err)) != TL_OK)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		r = tl_db_error(store, err, "cannot read the roll");
		goto out;
	}
	sqlite3_finalize(select);
	sqlite3_finalize(insert);
	select = insert = NULL;
	if ((r = tl_db_commit(store, err)) != TL_OK)
		goto out;
	*out = links;
	links = NULL;
 out:
	sqlite3_finalize(select);
	sqlite3_finalize(insert);
	if (r != TL_OK)
		tl_db_rollback(store);
	tl_enrol_links_free(links);
	return r;
}

int
tl_enrolment_parse(const char *payload, size_t len, struct tl_enrolment *out,
    struct tl_error *err)
{
	static const char *const keys[] = {"election", "voter", "token",
	    "public_key", NULL};
	json_t *root = NULL;
	const char *election, *voter, *token, *key;
	uint8_t *raw = NULL;
	size_t raw_len = 0;
	int r;

	if ((r = tl_json_load(payload, len, TL_ENROLMENT_MAX, "enrolment",
	    TL_EINPUT, &root, err)) != TL_OK)
		return r;
	if (!json_is_object(root)) {
		r = tl_error_set(err, TL_EINPUT, "enrolment: must be a JSON "
		    "object");
		goto out;
	}
	if ((r = tl_json_only_keys(root, keys, "enrolment", TL_EINPUT, err)) !=
	    TL_OK ||
	    (r = tl_json_string(root, "election", 1, "enrolment", TL_EINPUT,
	    &election, err)) != TL_OK ||
	    (r = tl_json_string(root, "voter", 1, "enrolment", TL_EINPUT,
	    &voter, err)) != TL_OK ||
	    (r = tl_json_string(root, "token", 1, "enrolment", TL_EINPUT,
	    &token, err)) != TL_OK ||
	    (r = tl_json_string(root, "public_key", 1, "enrolment", TL_EINPUT,
	    &key, err)) != TL_OK)
		goto out;
	if (!tl_valid_id(election) || !tl_valid_id(voter)) {
		r = tl_error_set(err, TL_EINPUT, "enrolment.%s: not a valid id",
		    tl_valid_id(election) ? "voter" : "election");
		goto out;
	}
	if (!valid_token(token)) {
		r = tl_error_set(err, TL_EINPUT, "enrolment.token: not %d "
		    "characters of base64url", TL_ENROL_TOKEN_LEN);
		goto out;
	}
	if (strlen(key) != TL_PUBLIC_B64_LEN ||
	    tl_base64_decode(key, TL_PUBLIC_B64_LEN, &raw, &raw_len) != TL_OK ||
	    raw_len != TL_ED25519_PUBLIC_LEN) {
		r = tl_error_set(err, TL_EINPUT, "enrolment.public_key: not the "
		    "base64 of a 32-byte Ed25519 public key");
		goto out;
	}
	snprintf(out->election, sizeof(out->election), "%s", election);
	snprintf(out->voter, sizeof(out->voter), "%s", voter);
	memcpy(out->token, token, TL_ENROL_TOKEN_LEN + 1);
	memcpy(out->public_key, key, TL_PUBLIC_B64_LEN + 1);
 out:
	free(raw);
	json_decref(root);
	return r;
}

/* The enrolment envelope: its shape, type, payload and signature by the
 * key it registers. */
static int
open_enrolment(const char *election, const char *envelope, size_t len,
    struct tl_enrolment *e, struct tl_error *err)
{
	struct tl_envelope *env = NULL;
	struct tl_key *key = NULL;
	int r;

	if ((r = tl_envelope_parse(envelope, len, TL_ENROLMENT_MAX, &env,
	    err)) != TL_OK ||
	    (r = tl_envelope_expect_type(env, TL_TYPE_ENROLMENT, err)) != TL_OK)
		goto out;
	if (env->nsignatures != 1) {
		r = tl_error_set(err, TL_ESIGNATURE, "an enrolment carries "
		    "exactly one signature, by the key it registers; this one "
		    "has %zu", env->nsignatures);
		goto out;
	}
	if ((r = tl_enrolment_parse((const char *)env->payload,
	    env->payload_len, e, err)) != TL_OK)
		goto out;
	if (strcmp(e->election, election) != 0) {
		r = tl_error_set(err, TL_EWRONGELECTION, "the enrolment is for "
		    "election %s, but was sent to election %s", e->election,
		    election);
		goto out;
	}
	if ((r = tl_key_from_public_base64(e->public_key, &key, err)) != TL_OK)
		goto out;
	if (tl_envelope_verify(env, key, NULL) != TL_OK)
		r = tl_error_set(err, TL_ESIGNATURE, "the enrolment is not "
		    "signed by the key it registers, so it does not prove that "
		    "the voter holds that key");
 out:
	tl_key_free(key);
	tl_envelope_free(env);
	return r;
}

/* Sets the voter's key; TL_EEXISTS if another voter has it. */
static int
set_voter_key(struct tl_store *store, const char *election,
    const struct tl_enrolment *e, int64_t now, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	uint8_t *raw = NULL;
	size_t raw_len = 0;
	char key_id[TL_KEYID_LEN + 1];
	int r;

	if (tl_base64_decode(e->public_key, TL_PUBLIC_B64_LEN, &raw,
	    &raw_len) != TL_OK)
		return tl_error_set(err, TL_EINPUT, "enrolment.public_key: not "
		    "base64");
	tl_key_id_raw(raw, key_id);
	free(raw);
	if ((r = tl_db_prepare(store, "UPDATE voters SET public_key = ?, "
	    "key_id = ?, enrolled_at = ? WHERE election_id = ? AND id = ? AND "
	    "public_key IS NULL", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, e->public_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, key_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, now);
	sqlite3_bind_text(stmt, 4, election, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, e->voter, -1, SQLITE_STATIC);
	r = tl_db_step_done(store, stmt, err, "cannot store the voter's key");
	if (r == TL_EEXISTS)
		r = tl_error_set(err, TL_EEXISTS, "this key is already the key "
		    "of another voter of election %s; make a new one",
		    election);
	else if (r == TL_OK && sqlite3_changes(store->db) != 1)
		r = tl_error_set(err, TL_ECONFLICT, "voter %s has a key on the "
		    "roll already", e->voter);
	sqlite3_finalize(stmt);
	return r;
}

static int
mark_used(struct tl_store *store, const char *hash, int64_t now,
    struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_prepare(store, "UPDATE enrolment_tokens SET used_at = ? "
	    "WHERE token_hash = ?", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_text(stmt, 2, hash, -1, SQLITE_STATIC);
	r = tl_db_step_done(store, stmt, err, "cannot mark the link used");
	sqlite3_finalize(stmt);
	return r;
}

int
tl_enrol_register(struct tl_store *store, const char *election,
    const char *envelope, size_t len, int64_t now, char **voter_id,
    struct tl_error *err)
{
	struct tl_enrolment e;
	struct token_row t = {0};
	char hash[TL_HASH_HEX_LEN + 1];
	int r;

	memset(&e, 0, sizeof(e));
	if ((r = open_enrolment(election, envelope, len, &e, err)) != TL_OK)
		goto out;
	if ((r = tl_db_begin(store, err)) != TL_OK)
		goto out;
	if ((r = find_token(store, election, e.token, now, &t, err)) != TL_OK)
		goto rollback;
	if (strcmp(t.voter_id, e.voter) != 0) {
		r = tl_error_set(err, TL_ENOTFOUND, "this enrolment link is not "
		    "valid for voter %s", e.voter);
		goto rollback;
	}
	tl_sha256_hex(e.token, TL_ENROL_TOKEN_LEN, hash);
	if ((r = set_voter_key(store, election, &e, now, err)) != TL_OK ||
	    (r = mark_used(store, hash, now, err)) != TL_OK ||
	    (r = revoke_tokens(store, election, e.voter, hash, now, err)) !=
	    TL_OK)
		goto rollback;
	if ((r = tl_db_commit(store, err)) != TL_OK)
		goto out;
	if (voter_id != NULL && (*voter_id = strdup(e.voter)) == NULL)
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
	goto out;
 rollback:
	tl_db_rollback(store);
 out:
	token_row_clear(&t);
	tl_wipe(e.token, sizeof(e.token));
	return r;
}

int
tl_enrol_voter_info(struct tl_store *store, const char *election,
    const char *voter_id, json_t **out, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	char *state = NULL;
	json_t *doc;
	int r, began = 0;

	if ((r = tl_db_read_begin(store, &began, err)) != TL_OK)
		return r;
	if ((r = tl_election_state(store, election, &state, err)) != TL_OK)
		goto out;
	if (strcmp(state, "draft") == 0) {
		r = tl_error_set(err, TL_ESTATE, "election %s is a draft: its "
		    "roll is not frozen yet", election);
		goto out;
	}
	if ((r = tl_db_prepare(store, "SELECT v.name, v.constituency_id, "
	    "v.weight, v.public_key, (SELECT COUNT(*) FROM ballots b WHERE "
	    "b.election_id = v.election_id AND b.voter_id = v.id), "
	    "(SELECT COALESCE(MAX(seq), 0) FROM ballots b WHERE "
	    "b.election_id = v.election_id AND b.voter_id = v.id) "
	    "FROM voters v WHERE v.election_id = ? AND v.id = ?", &stmt, err)) !=
	    TL_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, election, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, voter_id, -1, SQLITE_STATIC);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		break;
	case SQLITE_DONE:
		r = tl_error_set(err, TL_ENOTFOUND, "no voter \"%.64s\" on the "
		    "roll of election %s", voter_id, election);
		goto out;
	default:
		r = tl_db_error(store, err, "cannot read the roll");
		goto out;
	}
	doc = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s?, s:I, s:I}", "election",
	    election, "voter", voter_id, "name",
	    (const char *)sqlite3_column_text(stmt, 0), "constituency",
	    (const char *)sqlite3_column_text(stmt, 1), "weight",
	    (json_int_t)sqlite3_column_int64(stmt, 2), "public_key",
	    (const char *)sqlite3_column_text(stmt, 3), "ballots",
	    (json_int_t)sqlite3_column_int64(stmt, 4), "last_seq",
	    (json_int_t)sqlite3_column_int64(stmt, 5));
	if (doc == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	*out = doc;
 out:
	sqlite3_finalize(stmt);
	free(state);
	tl_db_read_end(store, began);
	return r;
}

int
tl_enrol_roll(struct tl_store *store, const char *election, int64_t now,
    json_t **out, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	json_t *list = NULL;
	char *state = NULL;
	int r, rc, began = 0;

	if ((r = tl_db_read_begin(store, &began, err)) != TL_OK)
		return r;
	if ((r = tl_election_state(store, election, &state, err)) != TL_OK)
		goto out;
	if ((r = tl_db_prepare(store, "SELECT v.id, v.name, v.constituency_id, "
	    "v.weight, v.key_id, v.email, v.enrolled_at, "
	    "(SELECT MAX(t.expires_at) FROM enrolment_tokens t WHERE "
	    "t.election_id = v.election_id AND t.voter_id = v.id AND "
	    "t.used_at IS NULL AND t.revoked_at IS NULL AND t.expires_at > ?), "
	    "n.kind, n.sent_at FROM voters v LEFT JOIN notices n ON n.rowid = "
	    "(SELECT n2.rowid FROM notices n2 WHERE n2.election_id = "
	    "v.election_id AND n2.voter_id = v.id ORDER BY n2.sent_at DESC, "
	    "n2.rowid DESC LIMIT 1) WHERE v.election_id = ? ORDER BY v.rowid",
	    &stmt, err)) != TL_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_text(stmt, 2, election, -1, SQLITE_STATIC);
	if ((list = json_array()) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		int has_key = sqlite3_column_type(stmt, 4) != SQLITE_NULL;
		int enrolled = sqlite3_column_type(stmt, 6) != SQLITE_NULL;
		json_t *notice = sqlite3_column_type(stmt, 8) == SQLITE_NULL ?
		    json_null() : json_pack("{s:s, s:o}", "kind",
		    (const char *)sqlite3_column_text(stmt, 8), "sent_at",
		    tl_db_column_time(stmt, 9));
		json_t *item = json_pack("{s:s, s:s, s:s, s:I, s:s?, s:s?, s:s, "
		    "s:o, s:o, s:o}",
		    "voter", (const char *)sqlite3_column_text(stmt, 0),
		    "name", (const char *)sqlite3_column_text(stmt, 1),
		    "constituency", (const char *)sqlite3_column_text(stmt, 2),
		    "weight", (json_int_t)sqlite3_column_int64(stmt, 3),
		    "key_id", (const char *)sqlite3_column_text(stmt, 4),
		    "email", (const char *)sqlite3_column_text(stmt, 5),
		    "enrolment", !has_key ? "pending" : enrolled ? "enrolled" :
		    "imported",
		    "enrolled_at", tl_db_column_time(stmt, 6),
		    "link_expires", tl_db_column_time(stmt, 7),
		    "last_notice", notice);

		if (item == NULL || json_array_append_new(list, item) != 0) {
			r = tl_error_set(err, TL_ENOMEM, "out of memory");
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		r = tl_db_error(store, err, "cannot read the roll");
		goto out;
	}
	*out = list;
	list = NULL;
 out:
	sqlite3_finalize(stmt);
	json_decref(list);
	free(state);
	tl_db_read_end(store, began);
	return r;
}
