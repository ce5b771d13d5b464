/*
 * cast.c: accepting a signed ballot: every check before anything is
 * written, then one transaction that stores it and appends it to the log,
 * then the receipt.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonutil.h"
#include "store_internal.h"
#include "vote_internal.h"
#include "teller/ballot.h"
#include "teller/cast.h"
#include "teller/credential.h"
#include "teller/credkeys.h"
#include "teller/election.h"
#include "teller/envelope.h"
#include "teller/log.h"
#include "teller/receipt.h"
#include "teller/util.h"

struct tl_cast {
	char *election_id;
	char *voter_id;        /* NULL for a secret ballot */
	char key_id[TL_KEYID_LEN + 1];  /* the voter's, or the ballot key's */
	char credential_hash[TL_HASH_HEX_LEN + 1]; /* a secret ballot's */
	char *constituency;
	int64_t weight;
	int64_t seq;
	enum tl_revote revote;
	const struct tl_manifest *manifest; /* borrowed from the store's cache */
	struct tl_ballot *ballot;
	char *entry;           /* the canonical envelope, as it will be logged */
	size_t entry_len;
	uint64_t leaf_index;   /* set by tl_cast_store */
	char entry_hash[TL_HASH_HEX_LEN + 1];
	char *tree_head;       /* set by tl_cast_commit_group, */
	json_t *tree_head_json;/* with that head parsed once per group */
	uint64_t tree_size;
};

void
tl_cast_free(struct tl_cast *cast)
{
	if (cast == NULL)
		return;
	free(cast->election_id);
	free(cast->voter_id);
	free(cast->constituency);
	tl_ballot_free(cast->ballot);
	free(cast->entry);
	free(cast->tree_head);
	json_decref(cast->tree_head_json);
	free(cast);
}

const char *
tl_cast_election(const struct tl_cast *cast)
{
	return cast->election_id;
}

const char *
tl_cast_tree_head(const struct tl_cast *cast)
{
	return cast->tree_head;
}

/* The election a ballot payload names, before anything else is trusted. */
static int
peek_election(const struct tl_envelope *env, char **out, struct tl_error *err)
{
	json_t *root = NULL;
	const char *id = NULL;
	int r;

	if ((r = tl_json_load((const char *)env->payload, env->payload_len,
	    TL_BALLOT_MAX, "ballot", TL_EBALLOT, &root, err)) != TL_OK)
		return r;
	if (json_is_object(root))
		id = json_string_value(json_object_get(root, "election"));
	if (id == NULL) {
		json_decref(root);
		return tl_error_set(err, TL_EBALLOT,
		    "ballot: election: missing or not a string");
	}
	*out = strdup(id);
	json_decref(root);
	return *out != NULL ? TL_OK : tl_error_set(err, TL_ENOMEM,
	    "out of memory");
}

/* The voter's roll entry: constituency, weight, public key. */
static int
load_voter(struct tl_store *store, struct tl_cast *cast, char **public_key,
    struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r, ok = 1;

	if ((r = tl_db_cached(store, "SELECT constituency_id, weight, "
	    "public_key, key_id FROM voters WHERE election_id = ? AND id = ?",
	    &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, cast->election_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, cast->voter_id, -1, SQLITE_STATIC);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		/* Only a draft's roll has voters still to enrol (enrol.h);
		 * a draft takes no ballot, but a voter without a key is
		 * never one who could have signed it. */
		if (sqlite3_column_type(stmt, 2) == SQLITE_NULL) {
			r = tl_error_set(err, TL_ENOTONROLL, "voter \"%.64s\" "
			    "has no key on the roll of election %s",
			    cast->voter_id, cast->election_id);
			break;
		}
		cast->constituency = tl_db_column_strdup(stmt, 0, &ok);
		cast->weight = sqlite3_column_int64(stmt, 1);
		*public_key = tl_db_column_strdup(stmt, 2, &ok);
		snprintf(cast->key_id, sizeof(cast->key_id), "%s",
		    (const char *)sqlite3_column_text(stmt, 3));
		r = ok ? TL_OK : tl_error_set(err, TL_ENOMEM, "out of memory");
		break;
	case SQLITE_DONE:
		r = tl_error_set(err, TL_ENOTONROLL,
		    "voter \"%.64s\" is not on the roll of election %s",
		    cast->voter_id, cast->election_id);
		break;
	default:
		r = tl_db_error(store, err, "cannot read the roll");
	}
	tl_db_release(store, stmt);
	return r;
}

int
tl_vote_check_open(const char *id, const char *state, int64_t opens,
    int64_t closes, int64_t now, const char *what, struct tl_error *err)
{
	char when[TL_TIME_LEN];

	if (strcmp(state, "published") == 0) {
		tl_time_format(opens, when);
		return tl_error_set(err, TL_EPHASE, "election %s is in its "
		    "nomination stage; its voting phase opens at %s, once the "
		    "final candidates are signed", id, when);
	}
	if (strcmp(state, "open") != 0)
		return tl_error_set(err, TL_ESTATE, "election %s is %s; it is not "
		    "accepting %s", id, state, what);
	if (now < opens) {
		tl_time_format(opens, when);
		return tl_error_set(err, TL_EWINDOW, "voting in election %s opens "
		    "at %s", id, when);
	}
	if (now >= closes) {
		tl_time_format(closes, when);
		return tl_error_set(err, TL_EWINDOW, "voting in election %s closed "
		    "at %s", id, when);
	}
	return TL_OK;
}

/* Who cast: "voter X", or for a secret ballot "ballot key K...". */
static void
caster(const struct tl_cast *cast, char *out, size_t len)
{
	if (cast->voter_id != NULL)
		snprintf(out, len, "voter %s", cast->voter_id);
	else
		snprintf(out, len, "ballot key %.16s...", cast->key_id);
}

/* Checks the election's state, window and the revote policy against the
 * ballots stored so far (for a secret ballot, those of its ballot key,
 * which must carry the same credential).  Runs before and again inside
 * the transaction. */
static int
check_acceptance(struct tl_store *store, const struct tl_cast *cast,
    int64_t now, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	const char *state, *credential;
	char who[96];
	int r;

	if ((r = tl_db_cached(store, "SELECT " TL_DB_STATE_SQL ", opens_at, "
	    "closes_at, "
	    "(SELECT MAX(seq) FROM ballots WHERE election_id = e.id AND "
	    "key_id = ?), "
	    "(SELECT credential_hash FROM ballots WHERE election_id = e.id AND "
	    "key_id = ? LIMIT 1) FROM elections e WHERE id = ?", &stmt, err)) !=
	    TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, cast->key_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, cast->key_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, cast->election_id, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		r = tl_db_error(store, err, "cannot read the election");
		goto out;
	}
	state = (const char *)sqlite3_column_text(stmt, 0);
	if ((r = tl_vote_check_open(cast->election_id, state,
	    sqlite3_column_int64(stmt, 1), sqlite3_column_int64(stmt, 2), now,
	    "ballots", err)) != TL_OK)
		goto out;
	if (sqlite3_column_type(stmt, 3) != SQLITE_NULL) {
		int64_t last = sqlite3_column_int64(stmt, 3);

		caster(cast, who, sizeof(who));
		credential = (const char *)sqlite3_column_text(stmt, 4);
		if (cast->voter_id == NULL && (credential == NULL ||
		    strcmp(credential, cast->credential_hash) != 0)) {
			r = tl_error_set(err, TL_EDUPLICATE, "%s has voted in "
			    "election %s with another credential; a revote "
			    "carries the same credential", who,
			    cast->election_id);
			goto out;
		}
		if (cast->revote == TL_REVOTE_FIRST) {
			r = tl_error_set(err, TL_EDUPLICATE,
			    "%s has already voted in election %s, whose "
			    "revote policy is \"first\": the first ballot "
			    "counts", who, cast->election_id);
			goto out;
		}
		if (cast->seq <= last) {
			r = tl_error_set(err, TL_ESTALE,
			    "ballot has seq %lld, but %s's last ballot "
			    "has seq %lld; a new ballot needs a higher one "
			    "(teller ballot make --seq %lld)",
			    (long long)cast->seq, who,
			    (long long)last, (long long)last + 1);
			goto out;
		}
	}
	r = TL_OK;
 out:
	tl_db_release(store, stmt);
	return r;
}

/* An open ballot: its voter on the roll, signed with the voter's key,
 * in the voter's constituency's contests. */
static int
check_voter(struct tl_store *store, struct tl_cast *cast,
    const struct tl_envelope *env, struct tl_error *err)
{
	struct tl_key *voter_key = NULL;
	char *public_key = NULL;
	size_t ci;
	int r;

	if ((cast->voter_id = strdup(cast->ballot->voter_id)) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	if ((r = load_voter(store, cast, &public_key, err)) != TL_OK ||
	    (r = tl_key_from_public_base64(public_key, &voter_key, err)) !=
	    TL_OK)
		goto out;
	if ((r = tl_envelope_verify(env, voter_key, err)) != TL_OK) {
		r = tl_error_set(err, TL_ESIGNATURE,
		    "ballot is not signed by the key on the roll for voter %s",
		    cast->voter_id);
		goto out;
	}
	ci = tl_manifest_constituency_index(cast->manifest, cast->constituency);
	r = tl_ballot_check_constituency(cast->ballot, cast->manifest, ci, err);
 out:
	tl_key_free(voter_key);
	free(public_key);
	return r;
}

/* A secret ballot: signed by the ballot key it carries, whose credential
 * is of a class of the election and verifies under the class key, in the
 * class's constituency's contests; weight and constituency the class's. */
static int
check_secret(struct tl_store *store, struct tl_cast *cast,
    const struct tl_envelope *env, const char *hash, struct tl_error *err)
{
	const struct tl_ballot_credential *c = cast->ballot->credential;
	const struct tl_credential_keys *keys = NULL;
	struct tl_key *ballot_key = NULL;
	struct tl_iov parts[2];
	uint8_t digest[TL_SHA256_LEN];
	int r;

	if ((r = tl_key_from_public_raw(c->ballot_key, &ballot_key, err)) !=
	    TL_OK) {
		tl_error_prefix(err, "ballot.ballot_key");
		return TL_EBALLOT;
	}
	tl_key_id(ballot_key, cast->key_id);
	r = tl_envelope_verify(env, ballot_key, err);
	tl_key_free(ballot_key);
	if (r != TL_OK)
		return tl_error_set(err, TL_ESIGNATURE, "the secret ballot is not "
		    "signed by the ballot key it carries");
	if ((r = tl_issuance_keys_cached(store, cast->election_id,
	    cast->manifest, hash, &keys, err)) != TL_OK ||
	    (r = tl_credential_check_ballot(keys, cast->manifest, hash,
	    cast->ballot, err)) != TL_OK ||
	    (r = tl_ballot_check_constituency(cast->ballot, cast->manifest,
	    c->constituency_index, err)) != TL_OK)
		return r;
	if ((cast->constituency = strdup(c->constituency)) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	cast->weight = c->weight;
	parts[0] = (struct tl_iov){c->prefix, sizeof(c->prefix)};
	parts[1] = (struct tl_iov){c->signature, c->signature_len};
	tl_sha256_iov(parts, 2, digest);
	tl_hex_encode(digest, sizeof(digest), cast->credential_hash);
	return TL_OK;
}

int
tl_cast_check(struct tl_store *store, const char *envelope, size_t len,
    int64_t now, struct tl_cast **out, struct tl_error *err)
{
	struct tl_envelope *env = NULL;
	struct tl_cast *cast = NULL;
	char hash[TL_HASH_HEX_LEN + 1];
	int r, began = 0;

	if ((r = tl_envelope_parse(envelope, len, TL_ENVELOPE_MAX_BALLOT, &env,
	    err)) != TL_OK)
		return r;
	if ((r = tl_db_read_begin(store, &began, err)) != TL_OK)
		goto out;
	if ((r = tl_envelope_expect_type(env, TL_TYPE_BALLOT, err)) != TL_OK)
		goto out;
	/* One signature, the voter's: any other would be logged unchecked,
	 * and would give the same ballot other bytes in the log. */
	if (env->nsignatures != 1) {
		r = tl_error_set(err, TL_ESIGNATURE, "a ballot carries exactly "
		    "one signature, by its voter's key; this one has %zu",
		    env->nsignatures);
		goto out;
	}
	if ((cast = calloc(1, sizeof(*cast))) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	if ((r = peek_election(env, &cast->election_id, err)) != TL_OK)
		goto out;
	r = tl_election_manifest_cached(store, cast->election_id,
	    &cast->manifest, hash, err);
	if (r == TL_ENOTFOUND) {
		r = tl_error_set(err, TL_EWRONGELECTION,
		    "ballot is for election \"%.64s\", which this server does "
		    "not hold", cast->election_id);
		goto out;
	}
	if (r != TL_OK)
		goto out;
	if ((r = tl_ballot_parse((const char *)env->payload, env->payload_len,
	    cast->manifest, hash, &cast->ballot, err)) != TL_OK)
		goto out;
	cast->seq = cast->ballot->seq;
	cast->revote = cast->manifest->revote;
	if (cast->ballot->credential != NULL)
		r = check_secret(store, cast, env, hash, err);
	else
		r = check_voter(store, cast, env, err);
	if (r != TL_OK)
		goto out;
	if ((r = check_acceptance(store, cast, now, err)) != TL_OK)
		goto out;
	if ((r = tl_envelope_serialize(env, &cast->entry, &cast->entry_len,
	    err)) != TL_OK)
		goto out;
	*out = cast;
	cast = NULL;
 out:
	tl_db_read_end(store, began);
	tl_envelope_free(env);
	tl_cast_free(cast);
	return r;
}

int
tl_cast_store_selections(struct tl_store *store,
    const struct tl_manifest *m, const struct tl_ballot *ballot,
    int64_t ballot_id, struct tl_error *err)
{
	static const char *const answers[] = {"yes", "no", "abstain"};
	sqlite3_stmt *stmt = NULL;
	int r;

	/* OR IGNORE: a ballot's selections written again (a count redone
	 * after one that failed) are the same rows. */
	if ((r = tl_db_cached(store, "INSERT OR IGNORE INTO selections "
	    "(ballot_id, election_id, contest_id, rank, choice) "
	    "VALUES (?, ?, ?, ?, ?)", &stmt, err)) != TL_OK)
		return r;
	for (size_t i = 0; i < ballot->nselections; i++) {
		const struct tl_selection *sel = &ballot->selections[i];
		const struct tl_contest *c = &m->contests[sel->contest_index];
		int answer = tl_method_selection_kind(c->method) ==
		    TL_SELECTION_ANSWER;
		int rank = 0;

		for (size_t k = 0; k < sel->n; k++) {
			uint32_t idx = TL_PREF_INDEX(sel->prefs[k]);

			if (!(sel->prefs[k] & TL_PREF_EQUAL))
				rank++;
			sqlite3_reset(stmt);
			sqlite3_bind_int64(stmt, 1, ballot_id);
			sqlite3_bind_text(stmt, 2, m->id, -1, SQLITE_STATIC);
			sqlite3_bind_text(stmt, 3, c->id, -1, SQLITE_STATIC);
			sqlite3_bind_int(stmt, 4, rank);
			sqlite3_bind_text(stmt, 5, answer ? answers[idx] :
			    c->candidates[idx].id, -1, SQLITE_STATIC);
			if ((r = tl_db_step_done(store, stmt, err,
			    "cannot store a selection")) != TL_OK)
				goto out;
		}
	}
 out:
	tl_db_release(store, stmt);
	return r;
}

int
tl_cast_store(struct tl_store *store, struct tl_cast *cast, int64_t now,
    struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int secret = cast->voter_id == NULL, r;

	if (!store->in_transaction)
		return tl_error_set(err, TL_EINTERNAL,
		    "ballot stored outside a transaction");
	if ((r = check_acceptance(store, cast, now, err)) != TL_OK)
		return r;
	/* A secret ballot is stored with no time beyond its place in the
	 * log: a time would help link it to its credential request. */
	if ((r = tl_log_append(store, cast->election_id, "ballot", cast->entry,
	    cast->entry_len, secret ? 0 : now, &cast->leaf_index,
	    cast->entry_hash, err)) != TL_OK)
		return r;
	if ((r = tl_db_cached(store, "INSERT INTO ballots (election_id, "
	    "voter_id, key_id, seq, weight, constituency_id, leaf_index, "
	    "entry_hash, received_at, credential_hash) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, cast->election_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, cast->voter_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, cast->key_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, cast->seq);
	sqlite3_bind_int64(stmt, 5, cast->weight);
	sqlite3_bind_text(stmt, 6, cast->constituency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 7, (sqlite3_int64)cast->leaf_index);
	sqlite3_bind_text(stmt, 8, cast->entry_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 9, secret ? 0 : now);
	if (secret)
		sqlite3_bind_text(stmt, 10, cast->credential_hash, -1,
		    SQLITE_STATIC);
	r = tl_db_step_done(store, stmt, err, "cannot store the ballot");
	tl_db_release(store, stmt);
	if (r == TL_EEXISTS)
		return tl_error_set(err, TL_EDUPLICATE,
		    "this exact ballot (%.16s...) is already in the log",
		    cast->entry_hash);
	if (r != TL_OK)
		return r;
	return tl_cast_store_selections(store, cast->manifest, cast->ballot,
	    sqlite3_last_insert_rowid(store->db), err);
}

int
tl_cast_receipt(struct tl_store *store, const struct tl_cast *cast,
    const char *tree_head, const struct tl_key *authority, char **receipt,
    struct tl_error *err)
{
	struct tl_tree_head head;
	struct tl_merkle_proof proof;
	json_t *head_json = NULL;
	uint8_t leaf[TL_SHA256_LEN];
	int r, began = 0;

	if (tree_head == cast->tree_head && cast->tree_head_json != NULL) {
		/* The head of the cast's own commit, parsed once per group. */
		head.size = cast->tree_size;
		head_json = json_incref(cast->tree_head_json);
	} else {
		if ((r = tl_tree_head_parse_envelope(tree_head, strlen(tree_head),
		    &head, NULL, err)) != TL_OK)
			goto out;
		if ((head_json = json_loads(tree_head, 0, NULL)) == NULL) {
			r = tl_error_set(err, TL_EINTERNAL,
			    "tree head is not JSON");
			goto out;
		}
	}
	if ((r = tl_db_read_begin(store, &began, err)) != TL_OK)
		goto out;
	r = tl_log_inclusion_proof(store, cast->election_id, cast->leaf_index,
	    head.size, &proof, err);
	tl_db_read_end(store, began);
	if (r != TL_OK)
		goto out;
	tl_merkle_leaf_hash(cast->entry, cast->entry_len, leaf);
	r = tl_receipt_build(cast->election_id, TL_RECEIPT_BALLOT,
	    cast->entry_hash, leaf, cast->leaf_index, head_json, &proof, NULL,
	    authority, receipt, err);
 out:
	json_decref(head_json);
	return r;
}

/* The signed tree head of an election in this group, signed once. */
struct group_head {
	const char *election_id;
	char *envelope;
	json_t *json;          /* the envelope as JSON, for receipts */
	uint64_t size;
};

int
tl_group_commit(struct tl_store *store, const struct tl_group_item *items,
    size_t n, int64_t now, const struct tl_key *authority,
    struct tl_error *errs, struct tl_error *err)
{
	struct group_head *heads = NULL;
	size_t nheads = 0, stored = 0;
	int r, wrote;

	for (size_t i = 0; i < n; i++)
		tl_error_clear(&errs[i]);
	if ((heads = calloc(n > 0 ? n : 1, sizeof(*heads))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	if ((r = tl_db_begin(store, err)) != TL_OK)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		size_t h;

		/* A savepoint per item: one that fails here (a revote race,
		 * an election closed meanwhile) is undone alone. */
		if ((r = tl_db_savepoint(store, err)) != TL_OK)
			goto rollback;
		if ((wrote = items[i].store(store, items[i].item, now,
		    &errs[i])) < 0) {
			if ((r = tl_db_savepoint_rollback(store, err)) != TL_OK)
				goto rollback;
			continue;
		}
		if ((r = tl_db_savepoint_release(store, err)) != TL_OK)
			goto rollback;
		if (wrote == TL_GROUP_UNCHANGED)
			continue;
		stored++;
		for (h = 0; h < nheads; h++)
			if (strcmp(heads[h].election_id, items[i].election) == 0)
				break;
		if (h == nheads)
			heads[nheads++].election_id = items[i].election;
	}
	for (size_t h = 0; h < nheads; h++) {
		if ((r = tl_log_sign_head(store, heads[h].election_id, authority,
		    now, &heads[h].envelope, err)) != TL_OK ||
		    (r = tl_log_size(store, heads[h].election_id,
		    &heads[h].size, err)) != TL_OK)
			goto rollback;
		heads[h].json = json_loads(heads[h].envelope, 0, NULL);
	}
	if (stored == 0)
		tl_db_rollback(store); /* nothing to write: no fsync */
	else if ((r = tl_db_commit(store, err)) != TL_OK)
		goto fail;
	/* Committed (synchronous=FULL): each stored item learns its
	 * election's tree head. */
	for (size_t i = 0; i < n; i++) {
		if (errs[i].code != TL_OK || items[i].committed == NULL)
			continue;
		for (size_t h = 0; h < nheads; h++)
			if (strcmp(heads[h].election_id, items[i].election) == 0)
				items[i].committed(items[i].item,
				    heads[h].envelope, heads[h].json,
				    heads[h].size, &errs[i]);
	}
	r = TL_OK;
	goto out;
 rollback:
	tl_db_rollback(store);
 fail:
	for (size_t i = 0; i < n; i++) {
		errs[i].code = err != NULL ? err->code : r;
		memcpy(errs[i].message, err != NULL ? err->message :
		    "the transaction failed", sizeof(errs[i].message));
	}
 out:
	for (size_t h = 0; h < nheads; h++) {
		free(heads[h].envelope);
		json_decref(heads[h].json);
	}
	free(heads);
	return r;
}

static int
store_cast(struct tl_store *store, void *item, int64_t now,
    struct tl_error *err)
{
	return tl_cast_store(store, item, now, err);
}

static void
cast_committed(void *item, const char *tree_head, json_t *head_json,
    uint64_t tree_size, struct tl_error *err)
{
	struct tl_cast *cast = item;

	if ((cast->tree_head = strdup(tree_head)) == NULL)
		tl_error_set(err, TL_ENOMEM, "out of memory");
	cast->tree_head_json = json_incref(head_json);
	cast->tree_size = tree_size;
}

int
tl_cast_commit_group(struct tl_store *store, struct tl_cast *const *casts,
    size_t n, int64_t now, const struct tl_key *authority,
    struct tl_error *errs, struct tl_error *err)
{
	struct tl_group_item *items = calloc(n > 0 ? n : 1, sizeof(*items));
	int r;

	if (items == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		items[i].election = casts[i]->election_id;
		items[i].item = casts[i];
		items[i].store = store_cast;
		items[i].committed = cast_committed;
	}
	r = tl_group_commit(store, items, n, now, authority, errs, err);
	free(items);
	return r;
}

int
tl_ballot_cast(struct tl_store *store, const char *envelope, size_t len,
    int64_t now, char **receipt, struct tl_error *err)
{
	struct tl_cast *cast = NULL;
	struct tl_key *authority = NULL;
	struct tl_error cast_err;
	int r;

	if ((r = tl_cast_check(store, envelope, len, now, &cast, err)) != TL_OK)
		return r;
	if ((r = tl_store_authority(store, &authority, err)) != TL_OK ||
	    (r = tl_cast_commit_group(store, &cast, 1, now, authority,
	    &cast_err, err)) != TL_OK)
		goto out;
	if ((r = cast_err.code) != TL_OK) {
		if (err != NULL)
			*err = cast_err;
		goto out;
	}
	/* Committed (synchronous=FULL): only now is a receipt given. */
	r = tl_cast_receipt(store, cast, cast->tree_head, authority, receipt,
	    err);
 out:
	tl_key_free(authority);
	tl_cast_free(cast);
	return r;
}
