/*
 * unseal.c: a sealed election's trustees unseal it after the close, and
 * the count opens its ballots with the keys they publish (teller/unseal.h,
 * doc/record-format.md 5.16).
 */
#include <config.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "store_internal.h"
#include "teller/election.h"
#include "teller/envelope.h"
#include "teller/log.h"
#include "teller/trustee.h"
#include "teller/unseal.h"
#include "teller/util.h"

/* An unseal statement's envelope and payload, read (not checked). */
static int
read_statement(const char *text, size_t len, struct tl_envelope **env,
    struct tl_unseal *u, struct tl_error *err)
{
	int r;

	if ((r = tl_envelope_parse(text, len, TL_ENVELOPE_MAX_UNSEAL, env,
	    err)) == TL_OK &&
	    (r = tl_envelope_expect_type(*env, TL_TYPE_UNSEAL, err)) == TL_OK)
		r = tl_unseal_parse((const char *)(*env)->payload,
		    (*env)->payload_len, u, err);
	return r;
}

int
tl_unseal_check(const struct tl_manifest *m, const char *hash,
    const char *close_hash, int64_t close_time, const char *text,
    size_t len, struct tl_unseal *out, size_t *trustee,
    struct tl_error *err)
{
	struct tl_envelope *env = NULL;
	struct tl_key *identity = NULL;
	struct tl_unseal u;
	size_t t = (size_t)-1;
	int r;

	memset(&u, 0, sizeof(u));
	if ((r = read_statement(text, len, &env, &u, err)) != TL_OK)
		goto out;
	if (strcmp(u.election, m->id) != 0 || strcmp(u.manifest, hash) != 0) {
		r = tl_error_set(err, TL_EWRONGELECTION, "unseal statement: it "
		    "is for election %s and manifest %.16s..., not %s and "
		    "%.16s...", u.election, u.manifest, m->id, hash);
		goto out;
	}
	if ((t = tl_manifest_trustee_index(m, u.trustee)) == (size_t)-1) {
		r = tl_error_set(err, TL_EPERM, "unseal statement: %s is not "
		    "a trustee of election %s", u.trustee, m->id);
		goto out;
	}
	if (env->nsignatures != 1) {
		r = tl_error_set(err, TL_ESIGNATURE, "unseal statement of "
		    "trustee %s: %zu signatures, not one", u.trustee,
		    env->nsignatures);
		goto out;
	}
	if ((r = tl_key_from_public_base64(m->trustees[t].identity_key,
	    &identity, err)) != TL_OK)
		goto out;
	if (tl_envelope_verify(env, identity, NULL) != TL_OK) {
		r = tl_error_set(err, TL_ESIGNATURE, "unseal statement of "
		    "trustee %s: not signed by its identity key", u.trustee);
		goto out;
	}
	if (tl_trustee_sealing_matches(u.private_key,
	    m->trustees[t].sealing_key) != TL_OK) {
		r = tl_error_set(err, TL_EVERIFY, "unseal statement of trustee "
		    "%s: its private key is not that of the trustee's sealing "
		    "key in the manifest", u.trustee);
		goto out;
	}
	if (strcmp(u.close, close_hash) != 0 || u.time < close_time) {
		r = tl_error_set(err, TL_ESTATE, "unseal statement of trustee "
		    "%s: %s", u.trustee, strcmp(u.close, close_hash) != 0 ?
		    "it names another close statement than the election's" :
		    "it is dated before the close");
		goto out;
	}
	if (out != NULL)
		*out = u;
	if (trustee != NULL)
		*trustee = t;
 out:
	tl_wipe(&u, sizeof(u));
	tl_key_free(identity);
	tl_envelope_free(env);
	return r;
}

int
tl_unseal_opening(const struct tl_manifest *m,
    const struct tl_hpke_key *const *keys, uint8_t *indices,
    const struct tl_hpke_key **opening, struct tl_error *err)
{
	char done[TL_MAX_TRUSTEES * 66 + 1] = "", awaited[sizeof(done)] = "";
	unsigned have = 0;

	for (size_t i = 0; i < m->ntrustees; i++) {
		char *list = keys[i] != NULL ? done : awaited;
		size_t used = strlen(list);

		snprintf(list + used, sizeof(done) - used, "%s%s",
		    used > 0 ? ", " : "", m->trustees[i].id);
		if (keys[i] == NULL || have == m->threshold)
			continue;
		indices[have] = (uint8_t)(i + 1);
		opening[have++] = keys[i];
	}
	if (have == m->threshold)
		return TL_OK;
	return tl_error_set(err, TL_ESTATE, "election %s cannot be counted "
	    "yet: %u of the %u trustees needed %s unsealed%s%s%s; waiting for: "
	    "%s", m->id, have, m->threshold, have == 1 ? "has" : "have",
	    have > 0 ? " (" : "", done, have > 0 ? ")" : "", awaited);
}

/* The ballots to open, one item of a pool each, and the first that
 * could not be (the lowest index, whichever thread met it). */
struct opener {
	const struct tl_manifest *m;
	struct tl_ballot *const *ballots;
	const struct tl_hpke_key *const *keys;
	const uint8_t *indices;
	pthread_mutex_t lock;
	size_t failed;              /* nballots: none */
	struct tl_error err;
};

static void
open_one(void *ctx, size_t b)
{
	struct opener *o = ctx;
	struct tl_error err;

	if (o->ballots[b]->sealed == NULL || tl_ballot_open(o->ballots[b],
	    o->m, o->keys, o->indices, o->m->threshold, &err) == TL_OK)
		return;
	pthread_mutex_lock(&o->lock);
	if (b < o->failed) {
		o->failed = b;
		o->err = err;
	}
	pthread_mutex_unlock(&o->lock);
}

int
tl_unseal_open_ballots(const struct tl_manifest *m,
    struct tl_ballot *const *ballots, size_t nballots,
    const struct tl_hpke_key *const *keys, struct tl_error *err)
{
	const struct tl_hpke_key *opening[TL_MAX_TRUSTEES];
	uint8_t indices[TL_MAX_TRUSTEES];
	struct tl_pool *pool = NULL;
	struct opener o;
	int r;

	if ((r = tl_unseal_opening(m, keys, indices, opening, err)) != TL_OK)
		return r;
	memset(&o, 0, sizeof(o));
	o.m = m;
	o.ballots = ballots;
	o.keys = opening;
	o.indices = indices;
	o.failed = nballots;
	pthread_mutex_init(&o.lock, NULL);
	/* Each ballot opens on its own (k X25519 operations): on every
	 * core, when there are enough of them. */
	if ((r = tl_pool_start(&pool, nballots >= 256 ? TL_POOL_CORES : 0,
	    open_one, &o)) != TL_OK) {
		pthread_mutex_destroy(&o.lock);
		return tl_error_set(err, r, "out of memory");
	}
	tl_pool_ready(pool, nballots);
	tl_pool_finish(pool);
	pthread_mutex_destroy(&o.lock);
	if (o.failed == nballots)
		return TL_OK;
	if (err == NULL)
		return o.err.code;
	*err = o.err;
	return tl_error_prefix(err, "ballot %zu", o.failed + 1);
}

/*
 * Walks the election's log backwards from its end to its close statement
 * (unseal statements only ever follow it, so a sealed election's count
 * reads the few entries after the close, not its ballots): calls fn (if
 * not NULL) for each unseal statement on the way, and gives the close
 * statement's index, entry hash and time (TL_ENOTFOUND before the close,
 * after reading the whole log).
 */
static int
walk_back(struct tl_store *store, const char *id,
    int (*fn)(void *, const char *, size_t), void *ctx, uint64_t *index,
    char hash[TL_HASH_HEX_LEN + 1], int64_t *time, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	struct tl_envelope *env = NULL;
	json_t *doc = NULL;
	const char *kind, *when;
	int r, s;

	if ((r = tl_db_prepare(store, "SELECT leaf_index, kind, entry, "
	    "entry_hash FROM log WHERE election_id = ? ORDER BY leaf_index "
	    "DESC", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	while ((s = sqlite3_step(stmt)) == SQLITE_ROW) {
		kind = (const char *)sqlite3_column_text(stmt, 1);
		if (kind != NULL && strcmp(kind, "unseal") == 0 && fn != NULL &&
		    (r = fn(ctx, (const char *)sqlite3_column_text(stmt, 2),
		    (size_t)sqlite3_column_bytes(stmt, 2))) != TL_OK)
			goto out;
		if (kind != NULL && strcmp(kind, "close") == 0)
			break;
	}
	if (s == SQLITE_DONE) {
		r = tl_error_set(err, TL_ENOTFOUND, "election %s is not closed",
		    id);
		goto out;
	}
	if (s != SQLITE_ROW) {
		r = tl_error_set(err, TL_EDB, "cannot read the log of %s", id);
		goto out;
	}
	*index = (uint64_t)sqlite3_column_int64(stmt, 0);
	snprintf(hash, TL_HASH_HEX_LEN + 1, "%s",
	    (const char *)sqlite3_column_text(stmt, 3));
	if (tl_envelope_parse((const char *)sqlite3_column_text(stmt, 2),
	    (size_t)sqlite3_column_bytes(stmt, 2), TL_ENVELOPE_MAX_ROLL, &env,
	    NULL) != TL_OK ||
	    (doc = json_loadb((const char *)env->payload, env->payload_len, 0,
	    NULL)) == NULL ||
	    (when = json_string_value(json_object_get(doc, "time"))) == NULL ||
	    tl_time_parse(when, time) != TL_OK)
		r = tl_error_set(err, TL_EDB, "election %s: the logged close "
		    "statement is malformed", id);
 out:
	json_decref(doc);
	tl_envelope_free(env);
	sqlite3_finalize(stmt);
	return r;
}

/* What the logged statements give: who unsealed, and their keys. */
struct logged {
	const struct tl_manifest *m;
	uint8_t unsealed[TL_MAX_TRUSTEES];
	struct tl_hpke_key **keys;   /* NULL: only who */
	struct tl_error *err;
};

static int
read_logged(void *ctx, const char *text, size_t len)
{
	struct logged *l = ctx;
	struct tl_envelope *env = NULL;
	struct tl_unseal u;
	size_t t;
	int r = TL_OK;

	memset(&u, 0, sizeof(u));
	if (read_statement(text, len, &env, &u, NULL) != TL_OK ||
	    (t = tl_manifest_trustee_index(l->m, u.trustee)) == (size_t)-1) {
		r = tl_error_set(l->err, TL_EDB, "a logged unseal statement of "
		    "%s is malformed", l->m->id);
		goto out;
	}
	l->unsealed[t] = 1;
	if (l->keys != NULL && l->keys[t] == NULL &&
	    tl_hpke_key_from_private(u.private_key, &l->keys[t]) != TL_OK)
		r = tl_error_set(l->err, TL_ECRYPTO, "the logged key of trustee "
		    "%s does not load", u.trustee);
 out:
	tl_wipe(&u, sizeof(u));
	tl_envelope_free(env);
	return r;
}

int
tl_election_unseal_keys(struct tl_store *store, const char *id,
    const struct tl_manifest *m, struct tl_hpke_key **keys,
    struct tl_error *err)
{
	struct logged l;
	char close[TL_HASH_HEX_LEN + 1];
	uint64_t index = 0;
	int64_t time = 0;
	int r;

	memset(&l, 0, sizeof(l));
	l.m = m;
	l.keys = keys;
	l.err = err;
	for (size_t i = 0; i < m->ntrustees; i++)
		keys[i] = NULL;
	r = walk_back(store, id, read_logged, &l, &index, close, &time, err);
	/* Not closed: no statement either. */
	return r == TL_ENOTFOUND ? TL_OK : r;
}

int
tl_election_unseal_status(struct tl_store *store, const char *id,
    json_t **out, struct tl_error *err)
{
	struct tl_manifest *m = NULL;
	struct logged l;
	char hash[TL_HASH_HEX_LEN + 1], close[TL_HASH_HEX_LEN + 1];
	char when[TL_TIME_LEN], *state = NULL;
	json_t *doc = NULL, *trustees, *closed = json_null();
	uint64_t index = 0;
	int64_t time = 0;
	int r;

	if ((r = tl_election_load(store, id, &m, hash, &state, err)) != TL_OK)
		return r;
	if (!tl_manifest_sealed(m)) {
		r = tl_error_set(err, TL_ESTATE, "election %s does not seal its "
		    "ballots (it names no trustees)", id);
		goto out;
	}
	memset(&l, 0, sizeof(l));
	l.m = m;
	l.err = err;
	r = walk_back(store, id, read_logged, &l, &index, close, &time, err);
	if (r == TL_OK) {
		tl_time_format(time, when);
		closed = json_pack("{s:s, s:I, s:s}", "entry", close,
		    "leaf_index", (json_int_t)index, "time", when);
	} else if (r != TL_ENOTFOUND)
		goto out;
	trustees = json_array();
	doc = json_pack("{s:s, s:s, s:s, s:I, s:o, s:o}", "election", id,
	    "manifest", hash, "state", state, "threshold",
	    (json_int_t)m->threshold, "trustees", trustees, "close", closed);
	closed = NULL;
	for (size_t i = 0; doc != NULL && i < m->ntrustees; i++)
		if (json_array_append_new(trustees, json_pack("{s:s, s:s, s:b}",
		    "id", m->trustees[i].id, "name", m->trustees[i].name,
		    "unsealed", l.unsealed[i])) != 0) {
			json_decref(doc);
			doc = NULL;
		}
	if (doc == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	*out = doc;
	r = TL_OK;
 out:
	json_decref(closed);
	tl_manifest_free(m);
	free(state);
	return r;
}

int
tl_election_unseal(struct tl_store *store, const char *id, const char *text,
    size_t len, int64_t now, const struct tl_key *signer, json_t **answer,
    struct tl_error *err)
{
	struct tl_envelope *env = NULL;
	struct tl_manifest *m = NULL;
	struct tl_key *authority = NULL;
	struct tl_unseal u;
	struct logged l;
	char hash[TL_HASH_HEX_LEN + 1], close[TL_HASH_HEX_LEN + 1];
	char entry[TL_HASH_HEX_LEN + 1], election[TL_ID_SIZE], *state = NULL;
	uint64_t index = 0, leaf = 0;
	int64_t time = 0;
	unsigned unsealed = 0;
	size_t t = 0;
	int r;

	memset(&u, 0, sizeof(u));
	/* The election the statement names, to load it. */
	if ((r = read_statement(text, len, &env, &u, err)) != TL_OK)
		goto out;
	snprintf(election, sizeof(election), "%s", u.election);
	tl_wipe(&u, sizeof(u));
	if (id != NULL && strcmp(id, election) != 0) {
		r = tl_error_set(err, TL_EWRONGELECTION, "the unseal statement "
		    "is for election %s, but was sent to election %s", election,
		    id);
		goto out;
	}
	if ((signer == NULL && (r = tl_store_authority(store, &authority,
	    err)) != TL_OK) || (r = tl_db_begin(store, err)) != TL_OK)
		goto out;
	if (signer == NULL)
		signer = authority;
	if ((r = tl_election_load(store, election, &m, hash, &state, err)) !=
	    TL_OK)
		goto rollback;
	if (!tl_manifest_sealed(m)) {
		r = tl_error_set(err, TL_ESTATE, "election %s does not seal its "
		    "ballots (it names no trustees); there is nothing to unseal",
		    election);
		goto rollback;
	}
	if (strcmp(state, "closed") != 0) {
		r = tl_error_set(err, TL_ESTATE, "election %s is %s; trustees "
		    "unseal it after the close and before the count", election,
		    state);
		goto rollback;
	}
	memset(&l, 0, sizeof(l));
	l.m = m;
	l.err = err;
	if ((r = walk_back(store, election, read_logged, &l, &index, close,
	    &time, err)) != TL_OK ||
	    (r = tl_unseal_check(m, hash, close, time, text, len, NULL, &t,
	    err)) != TL_OK)
		goto rollback;
	if (l.unsealed[t]) {
		r = tl_error_set(err, TL_ECONFLICT, "trustee %s has unsealed "
		    "election %s already", m->trustees[t].id, election);
		goto rollback;
	}
	l.unsealed[t] = 1;
	for (size_t i = 0; i < m->ntrustees; i++)
		unsealed += l.unsealed[i];
	if ((r = tl_log_append(store, election, "unseal", text, len, now,
	    &leaf, entry, err)) != TL_OK ||
	    (r = tl_log_sign_head(store, election, signer, now, NULL,
	    err)) != TL_OK)
		goto rollback;
	if ((r = tl_db_commit(store, err)) != TL_OK)
		goto out;
	if ((*answer = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "election",
	    election, "trustee", m->trustees[t].id, "entry", entry,
	    "leaf_index", (json_int_t)leaf, "unsealed", (json_int_t)unsealed,
	    "threshold", (json_int_t)m->threshold)) == NULL)
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
	goto out;
 rollback:
	tl_db_rollback(store);
 out:
	tl_wipe(&u, sizeof(u));
	tl_envelope_free(env);
	tl_key_free(authority);
	tl_manifest_free(m);
	free(state);
	return r;
}
