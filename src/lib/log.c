/*
 * log.c: the public log of an election in the database: appends, the
 * Merkle tree's nodes as rows, signed tree heads, entries and proofs.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonutil.h"
#include "store_internal.h"
#include "teller/envelope.h"
#include "teller/log.h"
#include "teller/util.h"

/* The node store of one election's tree, over merkle_nodes. */
struct db_nodes {
	struct tl_store *store;
	const char *election_id;
	struct tl_error *err;
};

static int
db_get(void *ctx, unsigned level, uint64_t index, uint8_t hash[TL_SHA256_LEN])
{
	struct db_nodes *n = ctx;
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_cached(n->store, "SELECT hash FROM merkle_nodes WHERE "
	    "election_id = ? AND level = ? AND idx = ?", &stmt, n->err)) !=
	    TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, n->election_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 2, (int)level);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)index);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		if (sqlite3_column_bytes(stmt, 0) != TL_SHA256_LEN) {
			r = tl_error_set(n->err, TL_EDB,
			    "merkle node (%u, %llu) of %s is corrupt", level,
			    (unsigned long long)index, n->election_id);
			break;
		}
		memcpy(hash, sqlite3_column_blob(stmt, 0), TL_SHA256_LEN);
		r = TL_OK;
		break;
	case SQLITE_DONE:
		r = tl_error_set(n->err, TL_EDB,
		    "merkle node (%u, %llu) of %s is missing", level,
		    (unsigned long long)index, n->election_id);
		break;
	default:
		r = tl_db_error(n->store, n->err, "cannot read a merkle node");
	}
	tl_db_release(n->store, stmt);
	return r;
}

static int
db_put(void *ctx, unsigned level, uint64_t index,
    const uint8_t hash[TL_SHA256_LEN])
{
	struct db_nodes *n = ctx;
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_cached(n->store, "INSERT INTO merkle_nodes "
	    "(election_id, level, idx, hash) VALUES (?, ?, ?, ?)", &stmt,
	    n->err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, n->election_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 2, (int)level);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)index);
	sqlite3_bind_blob(stmt, 4, hash, TL_SHA256_LEN, SQLITE_STATIC);
	r = tl_db_step_done(n->store, stmt, n->err, "cannot store a merkle node");
	tl_db_release(n->store, stmt);
	return r;
}

static void
nodes_init(struct db_nodes *n, struct tl_merkle_store *ms,
    struct tl_store *store, const char *election_id, struct tl_error *err)
{
	n->store = store;
	n->election_id = election_id;
	n->err = err;
	ms->get = db_get;
	ms->put = db_put;
	ms->ctx = n;
}

int
tl_log_size(struct tl_store *store, const char *election_id, uint64_t *size,
    struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	/* The last index plus one: a lookup in the primary key, where
	 * COUNT(*) would scan the whole log. */
	if ((r = tl_db_cached(store, "SELECT leaf_index FROM log WHERE "
	    "election_id = ? ORDER BY leaf_index DESC LIMIT 1", &stmt, err)) !=
	    TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, election_id, -1, SQLITE_STATIC);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		*size = (uint64_t)sqlite3_column_int64(stmt, 0) + 1;
		break;
	case SQLITE_DONE:
		*size = 0;
		break;
	default:
		r = tl_db_error(store, err, "cannot read the log's size");
	}
	tl_db_release(store, stmt);
	return r;
}

int
tl_log_append(struct tl_store *store, const char *election_id,
    const char *kind, const char *entry, size_t len, int64_t now,
    uint64_t *leaf_index, char entry_hash_hex[TL_HASH_HEX_LEN + 1],
    struct tl_error *err)
{
	struct tl_merkle_store ms;
	struct db_nodes nodes;
	sqlite3_stmt *stmt = NULL;
	uint8_t leaf[TL_SHA256_LEN];
	char hash_hex[TL_HASH_HEX_LEN + 1];
	uint64_t size;
	int r;

	if (!store->in_transaction)
		return tl_error_set(err, TL_EINTERNAL,
		    "log append outside a transaction");
	if ((r = tl_log_size(store, election_id, &size, err)) != TL_OK)
		return r;
	tl_merkle_leaf_hash(entry, len, leaf);
	tl_sha256_hex(entry, len, hash_hex);
	if ((r = tl_db_cached(store, "INSERT INTO log (election_id, "
	    "leaf_index, kind, entry, entry_hash, leaf_hash, appended_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?)", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, election_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)size);
	sqlite3_bind_text(stmt, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, entry, (int)len, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, hash_hex, -1, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 6, leaf, TL_SHA256_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 7, now);
	r = tl_db_step_done(store, stmt, err, "cannot append to the log");
	tl_db_release(store, stmt);
	if (r != TL_OK)
		return r;
	nodes_init(&nodes, &ms, store, election_id, err);
	if ((r = tl_merkle_append(&ms, size, leaf)) != TL_OK)
		return err != NULL && err->code == r ? r :
		    tl_error_set(err, r, "cannot extend the merkle tree");
	if (leaf_index != NULL)
		*leaf_index = size;
	if (entry_hash_hex != NULL)
		memcpy(entry_hash_hex, hash_hex, sizeof(hash_hex));
	return TL_OK;
}

int
tl_log_root(struct tl_store *store, const char *election_id, uint64_t size,
    uint8_t root[TL_SHA256_LEN], struct tl_error *err)
{
	struct tl_merkle_store ms;
	struct db_nodes nodes;

	nodes_init(&nodes, &ms, store, election_id, err);
	return tl_merkle_root(&ms, size, root);
}

int
tl_tree_head_serialize(const struct tl_tree_head *head, char **out,
    size_t *len)
{
	char root_hex[TL_HASH_HEX_LEN + 1], when[TL_TIME_LEN];
	json_t *obj;
	int r;

	tl_hex_encode(head->root, TL_SHA256_LEN, root_hex);
	tl_time_format(head->time, when);
	obj = json_pack("{s:s, s:I, s:s, s:s}", "election", head->election_id,
	    "size", (json_int_t)head->size, "root", root_hex, "time", when);
	if (obj == NULL)
		return TL_ENOMEM;
	r = tl_json_dump(obj, out, len);
	json_decref(obj);
	return r;
}

int
tl_tree_head_parse(const char *payload, size_t len, struct tl_tree_head *out,
    struct tl_error *err)
{
	static const char *const keys[] = {"election", "size", "root", "time",
	    NULL};
	const char *election, *root, *when;
	json_t *obj = NULL;
	int64_t size = 0;
	int r;

	if ((r = tl_json_load(payload, len, 4096, "tree head", TL_EINPUT, &obj,
	    err)) != TL_OK)
		return r;
	if (!json_is_object(obj)) {
		r = tl_error_set(err, TL_EINPUT, "tree head: not an object");
		goto out;
	}
	if ((r = tl_json_only_keys(obj, keys, "tree head", TL_EINPUT, err)) !=
	    TL_OK ||
	    (r = tl_json_string(obj, "election", 1, "tree head", TL_EINPUT,
	    &election, err)) != TL_OK ||
	    (r = tl_json_int(obj, "size", 1, 0, INT64_MAX, "tree head",
	    TL_EINPUT, &size, err)) != TL_OK ||
	    (r = tl_json_string(obj, "root", 1, "tree head", TL_EINPUT, &root,
	    err)) != TL_OK ||
	    (r = tl_json_string(obj, "time", 1, "tree head", TL_EINPUT, &when,
	    err)) != TL_OK)
		goto out;
	/* One spelling of each value: a tree head is compared and specified
	 * by its bytes (doc/record-format.md). */
	if (!tl_valid_id(election) || strlen(root) != TL_HASH_HEX_LEN ||
	    strspn(root, "0123456789abcdef") != TL_HASH_HEX_LEN ||
	    tl_hex_decode(root, out->root, TL_SHA256_LEN) != TL_OK ||
	    tl_time_parse(when, &out->time) != TL_OK) {
		r = tl_error_set(err, TL_EINPUT,
		    "tree head: malformed election, root or time");
		goto out;
	}
	memcpy(out->election_id, election, strlen(election) + 1);
	out->size = (uint64_t)size;
	r = TL_OK;
 out:
	json_decref(obj);
	return r;
}

int
tl_tree_head_parse_envelope(const char *text, size_t len,
    struct tl_tree_head *head, struct tl_envelope **envelope,
    struct tl_error *err)
{
	struct tl_envelope *env = NULL;
	int r;

	if ((r = tl_envelope_parse(text, len, TL_ENVELOPE_MAX_DEFAULT, &env,
	    err)) != TL_OK ||
	    (r = tl_envelope_expect_type(env, TL_TYPE_TREE_HEAD, err)) !=
	    TL_OK ||
	    (r = tl_tree_head_parse((const char *)env->payload,
	    env->payload_len, head, err)) != TL_OK) {
		tl_envelope_free(env);
		return r;
	}
	if (envelope != NULL)
		*envelope = env;
	else
		tl_envelope_free(env);
	return TL_OK;
}

int
tl_log_sign_head(struct tl_store *store, const char *election_id,
    const struct tl_key *authority, int64_t now, char **envelope,
    struct tl_error *err)
{
	struct tl_tree_head head;
	struct tl_envelope *env = NULL;
	sqlite3_stmt *stmt = NULL;
	char *payload = NULL, *text = NULL;
	size_t payload_len = 0, text_len = 0;
	int r;

	memset(&head, 0, sizeof(head));
	if (strlen(election_id) >= sizeof(head.election_id))
		return tl_error_set(err, TL_EINPUT, "election id too long");
	memcpy(head.election_id, election_id, strlen(election_id) + 1);
	head.time = now;
	if ((r = tl_log_size(store, election_id, &head.size, err)) != TL_OK ||
	    (r = tl_log_root(store, election_id, head.size, head.root, err)) !=
	    TL_OK)
		return r;
	if ((r = tl_tree_head_serialize(&head, &payload, &payload_len)) !=
	    TL_OK)
		return tl_error_set(err, r, "cannot build a tree head");
	if ((r = tl_envelope_sign(TL_TYPE_TREE_HEAD, payload, payload_len,
	    authority, &env, err)) != TL_OK ||
	    (r = tl_envelope_serialize(env, &text, &text_len, err)) != TL_OK)
		goto out;
	if ((r = tl_db_cached(store, "INSERT OR REPLACE INTO tree_heads "
	    "(election_id, size, root, signed_at, envelope) VALUES "
	    "(?, ?, ?, ?, ?)", &stmt, err)) != TL_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, election_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)head.size);
	sqlite3_bind_blob(stmt, 3, head.root, TL_SHA256_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, now);
	sqlite3_bind_text(stmt, 5, text, (int)text_len, SQLITE_STATIC);
	if ((r = tl_db_step_done(store, stmt, err, "cannot store the tree "
	    "head")) != TL_OK)
		goto out;
	if (envelope != NULL) {
		*envelope = text;
		text = NULL;
	}
 out:
	tl_db_release(store, stmt);
	tl_envelope_free(env);
	free(payload);
	free(text);
	return r;
}

static int
head_query(struct tl_store *store, const char *sql, const char *election_id,
    int64_t size, char **envelope, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r, ok = 1;

	if ((r = tl_db_cached(store, sql, &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, election_id, -1, SQLITE_STATIC);
	if (size >= 0)
		sqlite3_bind_int64(stmt, 2, size);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		*envelope = tl_db_column_strdup(stmt, 0, &ok);
		r = ok && *envelope != NULL ? TL_OK :
		    tl_error_set(err, TL_ENOMEM, "out of memory");
		break;
	case SQLITE_DONE:
		r = tl_error_set(err, TL_ENOTFOUND,
		    "election %s has no signed tree head%s", election_id,
		    size >= 0 ? " of that size" : "");
		break;
	default:
		r = tl_db_error(store, err, "cannot read tree heads");
	}
	tl_db_release(store, stmt);
	return r;
}

int
tl_log_latest_head(struct tl_store *store, const char *election_id,
    char **envelope, struct tl_error *err)
{
	return head_query(store, "SELECT envelope FROM tree_heads WHERE "
	    "election_id = ? ORDER BY size DESC LIMIT 1", election_id, -1,
	    envelope, err);
}

int
tl_log_head_at(struct tl_store *store, const char *election_id, uint64_t size,
    char **envelope, struct tl_error *err)
{
	return head_query(store, "SELECT envelope FROM tree_heads WHERE "
	    "election_id = ? AND size = ?", election_id, (int64_t)size,
	    envelope, err);
}

int
tl_log_entry(struct tl_store *store, const char *election_id, uint64_t index,
    char **entry, size_t *len, char **kind, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r, ok = 1;

	if ((r = tl_db_cached(store, "SELECT entry, kind FROM log WHERE "
	    "election_id = ? AND leaf_index = ?", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, election_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)index);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		*entry = tl_db_column_strdup(stmt, 0, &ok);
		if (len != NULL)
			*len = (size_t)sqlite3_column_bytes(stmt, 0);
		if (kind != NULL)
			*kind = tl_db_column_strdup(stmt, 1, &ok);
		r = ok ? TL_OK : tl_error_set(err, TL_ENOMEM, "out of memory");
		break;
	case SQLITE_DONE:
		r = tl_error_set(err, TL_ENOTFOUND,
		    "election %s has no log entry %llu", election_id,
		    (unsigned long long)index);
		break;
	default:
		r = tl_db_error(store, err, "cannot read the log");
	}
	tl_db_release(store, stmt);
	return r;
}

int
tl_log_find_leaf(struct tl_store *store, const char *election_id,
    const uint8_t leaf_hash[TL_SHA256_LEN], uint64_t *index,
    struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_cached(store, "SELECT leaf_index FROM log WHERE "
	    "election_id = ? AND leaf_hash = ? ORDER BY leaf_index LIMIT 1",
	    &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, election_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 2, leaf_hash, TL_SHA256_LEN, SQLITE_STATIC);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		*index = (uint64_t)sqlite3_column_int64(stmt, 0);
		r = TL_OK;
		break;
	case SQLITE_DONE:
		r = tl_error_set(err, TL_ENOTFOUND,
		    "no entry with that leaf hash in the log of %s",
		    election_id);
		break;
	default:
		r = tl_db_error(store, err, "cannot search the log");
	}
	tl_db_release(store, stmt);
	return r;
}

int
tl_log_foreach(struct tl_store *store, const char *election_id,
    uint64_t start, uint64_t end, tl_log_entry_fn fn, void *ctx,
    struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r, rc;

	if ((r = tl_db_prepare(store, "SELECT leaf_index, kind, entry FROM log "
	    "WHERE election_id = ? AND leaf_index >= ? AND leaf_index < ? "
	    "ORDER BY leaf_index", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, election_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)start);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)(end > INT64_MAX ?
	    INT64_MAX : end));
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		r = fn(ctx, (uint64_t)sqlite3_column_int64(stmt, 0),
		    (const char *)sqlite3_column_text(stmt, 1),
		    (const char *)sqlite3_column_text(stmt, 2),
		    (size_t)sqlite3_column_bytes(stmt, 2));
		if (r != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = tl_db_error(store, err, "cannot read the log");
	sqlite3_finalize(stmt);
	return r;
}

int
tl_log_inclusion_proof(struct tl_store *store, const char *election_id,
    uint64_t index, uint64_t size, struct tl_merkle_proof *proof,
    struct tl_error *err)
{
	struct tl_merkle_store ms;
	struct db_nodes nodes;
	uint64_t current;
	int r;

	if ((r = tl_log_size(store, election_id, &current, err)) != TL_OK)
		return r;
	if (size > current || index >= size)
		return tl_error_set(err, TL_EINPUT,
		    "no inclusion proof of entry %llu in a tree of %llu "
		    "(the log has %llu entries)", (unsigned long long)index,
		    (unsigned long long)size, (unsigned long long)current);
	nodes_init(&nodes, &ms, store, election_id, err);
	return tl_merkle_inclusion_proof(&ms, index, size, proof);
}

int
tl_log_consistency_proof(struct tl_store *store, const char *election_id,
    uint64_t old_size, uint64_t new_size, struct tl_merkle_proof *proof,
    struct tl_error *err)
{
	struct tl_merkle_store ms;
	struct db_nodes nodes;
	uint64_t current;
	int r;

	if ((r = tl_log_size(store, election_id, &current, err)) != TL_OK)
		return r;
	if (old_size == 0 || old_size > new_size || new_size > current)
		return tl_error_set(err, TL_EINPUT,
		    "no consistency proof from %llu to %llu entries (the log "
		    "has %llu)", (unsigned long long)old_size,
		    (unsigned long long)new_size, (unsigned long long)current);
	nodes_init(&nodes, &ms, store, election_id, err);
	return tl_merkle_consistency_proof(&ms, old_size, new_size, proof);
}

json_t *
tl_proof_to_json(const struct tl_merkle_proof *proof)
{
	json_t *array = json_array();
	char hex[TL_HASH_HEX_LEN + 1];

	if (array == NULL)
		return NULL;
	for (size_t i = 0; i < proof->n; i++) {
		tl_hex_encode(proof->hashes[i], TL_SHA256_LEN, hex);
		if (json_array_append_new(array, json_string(hex)) != 0) {
			json_decref(array);
			return NULL;
		}
	}
	return array;
}

int
tl_proof_from_json(const json_t *array, struct tl_merkle_proof *out,
    struct tl_error *err)
{
	out->n = 0;
	if (!json_is_array(array))
		return tl_error_set(err, TL_EINPUT, "a proof must be an array of "
		    "hex hashes");
	if (json_array_size(array) > TL_MERKLE_MAX_PROOF)
		return tl_error_set(err, TL_EINPUT, "a proof of %zu hashes is too "
		    "long", json_array_size(array));
	for (size_t i = 0; i < json_array_size(array); i++) {
		const char *hex = json_string_value(json_array_get(array, i));

		if (hex == NULL || strlen(hex) != TL_HASH_HEX_LEN ||
		    strspn(hex, "0123456789abcdef") != TL_HASH_HEX_LEN ||
		    tl_hex_decode(hex, out->hashes[i], TL_SHA256_LEN) != TL_OK)
			return tl_error_set(err, TL_EINPUT,
			    "proof[%zu] is not the lowercase hex of a SHA-256",
			    i);
		out->n = i + 1;
	}
	return TL_OK;
}
