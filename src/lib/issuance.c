/*
 * issuance.c: a secret election's credentials in the database
 * (issuance.h): the credential requests checked and blindly signed under
 * the class keys (credkeys.c), and the request and its issuance logged
 * together, one credential per voter.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cycle_internal.h"
#include "store_internal.h"
#include "vote_internal.h"
#include "teller/credential.h"
#include "teller/election.h"
#include "teller/envelope.h"
#include "teller/issuance.h"
#include "teller/log.h"
#include "teller/util.h"

struct tl_issuance {
	char election[TL_ID_SIZE];
	char voter[TL_ID_SIZE];
	char *request;              /* the request's canonical envelope */
	size_t request_len;
	char request_hash[TL_HASH_HEX_LEN + 1];
	char *answer;               /* the issuance's envelope */
	size_t answer_len;
	int repeated;
};

void
tl_issuance_free(struct tl_issuance *iss)
{
	if (iss == NULL)
		return;
	free(iss->request);
	free(iss->answer);
	free(iss);
}

const char *
tl_issuance_election(const struct tl_issuance *iss)
{
	return iss->election;
}

const char *
tl_issuance_answer(const struct tl_issuance *iss)
{
	return iss->answer;
}

int
tl_issuance_repeated(const struct tl_issuance *iss)
{
	return iss->repeated;
}

/* --- requests ------------------------------------------------------------------ */

/* The voter's class and key on the roll. */
static int
load_voter(struct tl_store *store, const struct tl_credential_request *q,
    char constituency[TL_ID_SIZE], int64_t *weight, struct tl_key **key,
    struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_cached(store, "SELECT constituency_id, weight, "
	    "public_key FROM voters WHERE election_id = ? AND id = ?", &stmt,
	    err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, q->election, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, q->voter, -1, SQLITE_STATIC);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		/* Only a draft's roll has voters still to enrol (enrol.h),
		 * and a draft gives no credential; a voter without a key is
		 * never one who could have signed the request. */
		if (sqlite3_column_type(stmt, 2) == SQLITE_NULL) {
			r = tl_error_set(err, TL_ENOTONROLL, "credential "
			    "request: voter \"%.64s\" has no key on the roll of "
			    "election %s", q->voter, q->election);
			break;
		}
		snprintf(constituency, TL_ID_SIZE, "%s",
		    (const char *)sqlite3_column_text(stmt, 0));
		*weight = sqlite3_column_int64(stmt, 1);
		r = tl_key_from_public_base64((const char *)sqlite3_column_text(
		    stmt, 2), key, err);
		break;
	case SQLITE_DONE:
		r = tl_error_set(err, TL_ENOTONROLL, "credential request: voter "
		    "\"%.64s\" is not on the roll of election %s", q->voter,
		    q->election);
		break;
	default:
		r = tl_db_error(store, err, "cannot read the roll");
	}
	tl_db_release(store, stmt);
	return r;
}

/* Whether the election is open for credential requests now. */
static int
check_open(struct tl_store *store, const char *election, int64_t now,
    struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_cached(store, "SELECT " TL_DB_STATE_SQL ", opens_at, "
	    "closes_at FROM elections WHERE id = ?", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, election, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		r = tl_vote_check_open(election,
		    (const char *)sqlite3_column_text(stmt, 0),
		    sqlite3_column_int64(stmt, 1), sqlite3_column_int64(stmt, 2),
		    now, "credential requests", err);
	else
		r = tl_db_error(store, err, "cannot read the election");
	tl_db_release(store, stmt);
	return r;
}

/*
 * One credential per voter: TL_OK if the voter has none; if they have one
 * and it answered this very request, TL_OK with iss->repeated set and its
 * logged issuance as the answer; TL_EDUPLICATE otherwise.
 */
static int
check_first(struct tl_store *store, struct tl_issuance *iss,
    struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	char *entry = NULL, *kind = NULL;
	size_t len = 0;
	uint64_t leaf;
	int r;

	if ((r = tl_db_cached(store, "SELECT request_hash, issuance_leaf, "
	    "request_leaf FROM credentials WHERE election_id = ? AND "
	    "voter_id = ?", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, iss->election, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, iss->voter, -1, SQLITE_STATIC);
	switch (sqlite3_step(stmt)) {
	case SQLITE_DONE:
		tl_db_release(store, stmt);
		return TL_OK;
	case SQLITE_ROW:
		break;
	default:
		r = tl_db_error(store, err, "cannot read the credentials");
		tl_db_release(store, stmt);
		return r;
	}
	if (strcmp((const char *)sqlite3_column_text(stmt, 0),
	    iss->request_hash) != 0) {
		r = tl_error_set(err, TL_ECREDENTIAL, "voter %s has already "
		    "obtained a credential in election %s (log entry %lld); a "
		    "voter gets one credential, and this is another request "
		    "(send the first again to have its answer again)", iss->voter,
		    iss->election, (long long)sqlite3_column_int64(stmt, 2));
		tl_db_release(store, stmt);
		return r;
	}
	leaf = (uint64_t)sqlite3_column_int64(stmt, 1);
	tl_db_release(store, stmt);
	if ((r = tl_log_entry(store, iss->election, leaf, &entry, &len, &kind,
	    err)) != TL_OK)
		return r;
	free(kind);
	free(iss->answer);
	iss->answer = entry;
	iss->answer_len = len;
	iss->repeated = 1;
	return TL_OK;
}

int
tl_issuance_check(struct tl_store *store, const char *envelope, size_t len,
    int64_t now, const struct tl_key *authority, struct tl_issuance **out,
    struct tl_error *err)
{
	const struct tl_manifest *m = NULL;
	const struct tl_credential_keys *keys = NULL;
	const struct tl_credential_class *cls;
	const struct tl_blindrsa_key *sk = NULL;
	struct tl_credential_request q;
	struct tl_credential_issuance answer;
	struct tl_issuance *iss = NULL;
	struct tl_envelope *env = NULL, *signed_answer = NULL;
	struct tl_key *voter_key = NULL;
	char hash[TL_HASH_HEX_LEN + 1], constituency[TL_ID_SIZE];
	char *payload = NULL;
	size_t payload_len = 0, k;
	int64_t weight = 0;
	int r, began = 0;

	if ((iss = calloc(1, sizeof(*iss))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	if ((r = tl_cycle_read_voter_envelope(envelope, len,
	    TL_ENVELOPE_MAX_CREDENTIAL, TL_TYPE_CREDENTIAL_REQUEST, &env,
	    &iss->request, &iss->request_len, err)) != TL_OK ||
	    (r = tl_credential_request_parse((const char *)env->payload,
	    env->payload_len, &q, err)) != TL_OK)
		goto out;
	tl_sha256_hex(iss->request, iss->request_len, iss->request_hash);
	memcpy(iss->election, q.election, sizeof(iss->election));
	memcpy(iss->voter, q.voter, sizeof(iss->voter));
	if ((r = tl_db_read_begin(store, &began, err)) != TL_OK)
		goto out;
	r = tl_election_manifest_cached(store, q.election, &m, hash, err);
	if (r == TL_ENOTFOUND) {
		r = tl_error_set(err, TL_EWRONGELECTION, "credential request for "
		    "election \"%.64s\", which this server does not hold",
		    q.election);
		goto out;
	}
	if (r != TL_OK)
		goto out;
	if (m->secrecy != TL_SECRECY_SECRET) {
		r = tl_error_set(err, TL_ESTATE, "election %s is open, not "
		    "secret: its ballots name their voter, and it gives no "
		    "credentials ('teller ballot make --voter')", q.election);
		goto out;
	}
	if (strcmp(q.manifest, hash) != 0) {
		r = tl_error_set(err, TL_EWRONGELECTION, "credential request names "
		    "manifest %.16s..., but election %s has manifest %.16s...",
		    q.manifest, q.election, hash);
		goto out;
	}
	if ((r = check_open(store, q.election, now, err)) != TL_OK)
		goto out;
	if ((r = load_voter(store, &q, constituency, &weight, &voter_key,
	    err)) != TL_OK)
		goto out;
	if (tl_envelope_verify(env, voter_key, NULL) != TL_OK) {
		r = tl_error_set(err, TL_ESIGNATURE, "the credential request is "
		    "not signed by the key on the roll for voter %s", q.voter);
		goto out;
	}
	if (strcmp(constituency, q.constituency) != 0 || weight != q.weight) {
		r = tl_error_set(err, TL_EINPUT, "voter %s's class on the roll is "
		    "(%s, weight %lld), but the request names (%s, weight %lld)",
		    q.voter, constituency, (long long)weight, q.constituency,
		    (long long)q.weight);
		goto out;
	}
	if ((r = tl_issuance_keys_cached(store, q.election, m, hash, &keys,
	    err)) != TL_OK)
		goto out;
	if ((cls = tl_credential_class_find(keys,
	    tl_manifest_constituency_index(m, q.constituency), q.weight)) ==
	    NULL) {
		r = tl_error_set(err, TL_EINTERNAL, "election %s has no class "
		    "(%s, weight %lld)", q.election, q.constituency,
		    (long long)q.weight);
		goto out;
	}
	k = tl_blindrsa_key_len(cls->key);
	if (q.blinded_len != k) {
		r = tl_error_set(err, TL_EINPUT, "credential request: the blinded "
		    "message is %zu bytes; the class key's is %zu", q.blinded_len,
		    k);
		goto out;
	}
	if ((r = check_first(store, iss, err)) != TL_OK || iss->repeated)
		goto done;
	/* RFC 9474 4.3: the blind signature, checked (s^e = m) before it
	 * goes anywhere. */
	memset(&answer, 0, sizeof(answer));
	if ((r = tl_issuance_private_key(store, q.election,
	    (size_t)(cls - keys->classes), m, &sk, err)) != TL_OK ||
	    (r = tl_blindrsa_blind_sign(sk, q.blinded, q.blinded_len,
	    answer.blind_signature, err)) != TL_OK)
		goto out;
	answer.blind_signature_len = k;
	memcpy(answer.election, q.election, sizeof(answer.election));
	memcpy(answer.request, iss->request_hash, sizeof(answer.request));
	if ((r = tl_credential_issuance_serialize(&answer, &payload,
	    &payload_len, err)) != TL_OK ||
	    (r = tl_envelope_sign(TL_TYPE_CREDENTIAL, payload, payload_len,
	    authority, &signed_answer, err)) != TL_OK ||
	    (r = tl_envelope_serialize(signed_answer, &iss->answer,
	    &iss->answer_len, err)) != TL_OK)
		goto out;
 done:
	if (r == TL_OK) {
		*out = iss;
		iss = NULL;
	}
 out:
	tl_db_read_end(store, began);
	tl_issuance_free(iss);
	tl_envelope_free(env);
	tl_envelope_free(signed_answer);
	tl_key_free(voter_key);
	free(payload);
	return r;
}

int
tl_issuance_store(struct tl_store *store, struct tl_issuance *iss,
    int64_t now, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	uint64_t request_leaf, issuance_leaf;
	int r;

	if (!store->in_transaction)
		return tl_error_set(err, TL_EINTERNAL,
		    "credential stored outside a transaction");
	if ((r = check_open(store, iss->election, now, err)) != TL_OK ||
	    (r = check_first(store, iss, err)) != TL_OK)
		return r;
	if (iss->repeated)
		return TL_GROUP_UNCHANGED;
	/* The request and its answer, one after the other, with no time
	 * (a time would help link a ballot to its request). */
	if ((r = tl_log_append(store, iss->election, "credential-request",
	    iss->request, iss->request_len, 0, &request_leaf, NULL, err)) !=
	    TL_OK ||
	    (r = tl_log_append(store, iss->election, "credential", iss->answer,
	    iss->answer_len, 0, &issuance_leaf, NULL, err)) != TL_OK)
		return r;
	if ((r = tl_db_cached(store, "INSERT INTO credentials (election_id, "
	    "voter_id, request_hash, request_leaf, issuance_leaf) VALUES "
	    "(?, ?, ?, ?, ?)", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, iss->election, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, iss->voter, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, iss->request_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, (sqlite3_int64)request_leaf);
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)issuance_leaf);
	r = tl_db_step_done(store, stmt, err, "cannot record the credential");
	tl_db_release(store, stmt);
	return r;
}

static int
store_item(struct tl_store *store, void *item, int64_t now,
    struct tl_error *err)
{
	return tl_issuance_store(store, item, now, err);
}

int
tl_issuance_commit_group(struct tl_store *store,
    struct tl_issuance *const *items, size_t n, int64_t now,
    const struct tl_key *authority, struct tl_error *errs,
    struct tl_error *err)
{
	struct tl_group_item *group = calloc(n > 0 ? n : 1, sizeof(*group));
	int r;

	if (group == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		group[i].election = items[i]->election;
		group[i].item = items[i];
		group[i].store = store_item;
	}
	r = tl_group_commit(store, group, n, now, authority, errs, err);
	free(group);
	return r;
}

int
tl_credential_issue(struct tl_store *store, const char *envelope, size_t len,
    int64_t now, char **answer, int *repeated, struct tl_error *err)
{
	struct tl_issuance *iss = NULL;
	struct tl_key *authority = NULL;
	struct tl_error item_err;
	int r;

	if ((r = tl_store_authority(store, &authority, err)) != TL_OK ||
	    (r = tl_issuance_check(store, envelope, len, now, authority, &iss,
	    err)) != TL_OK)
		goto out;
	if (!iss->repeated) {
		if ((r = tl_issuance_commit_group(store, &iss, 1, now, authority,
		    &item_err, err)) != TL_OK)
			goto out;
		if ((r = item_err.code) != TL_OK) {
			if (err != NULL)
				*err = item_err;
			goto out;
		}
	}
	/* Logged and committed (or logged before): only now is it given. */
	if ((*answer = strdup(iss->answer)) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	if (repeated != NULL)
		*repeated = iss->repeated;
 out:
	tl_issuance_free(iss);
	tl_key_free(authority);
	return r;
}
