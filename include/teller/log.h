/*
 * teller/log.h: each election's public, append-only log in the database.
 *
 * Every accepted object (signed manifest, roll, ballots, close statement,
 * result) is appended as the exact bytes of its DSSE envelope, in the same
 * transaction that accepts it.  The log's Merkle tree (merkle.h) is kept in
 * the database as its complete subtrees, so an append is O(log n).  After
 * the appends of a transaction the authority signs a tree head:
 *
 *   payload of type TL_TYPE_TREE_HEAD:
 *   {"election": ID, "size": N, "root": HEX, "time": "2026-11-22T10:00:00Z"}
 *
 * Functions that write must run inside a transaction the caller holds
 * (they do not commit).  Returned strings are the caller's to free.
 */
#ifndef TELLER_LOG_H
#define TELLER_LOG_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "teller/crypto.h"
#include "teller/error.h"
#include "teller/merkle.h"
#include "teller/store.h"

struct tl_tree_head {
	char election_id[65];
	uint64_t size;
	uint8_t root[TL_SHA256_LEN];
	int64_t time;
};

/* Appends an entry; *leaf_index gets its index.  entry_hash_hex (optional)
 * gets the hex SHA-256 of the entry, the id of the object in receipts. */
int tl_log_append(struct tl_store *store, const char *election_id,
    const char *kind, const char *entry, size_t len, int64_t now,
    uint64_t *leaf_index, char entry_hash_hex[TL_HASH_HEX_LEN + 1],
    struct tl_error *err);

/* The number of entries in the log. */
int tl_log_size(struct tl_store *store, const char *election_id,
    uint64_t *size, struct tl_error *err);

/* The root of the first `size` entries. */
int tl_log_root(struct tl_store *store, const char *election_id,
    uint64_t size, uint8_t root[TL_SHA256_LEN], struct tl_error *err);

/* Signs and stores the tree head of the log as it is now; *envelope (if
 * not NULL) gets the signed tree head's envelope text. */
int tl_log_sign_head(struct tl_store *store, const char *election_id,
    const struct tl_key *authority, int64_t now, char **envelope,
    struct tl_error *err);

/* The latest signed tree head's envelope text. */
int tl_log_latest_head(struct tl_store *store, const char *election_id,
    char **envelope, struct tl_error *err);

/* The signed tree head of a given size, if one was signed. */
int tl_log_head_at(struct tl_store *store, const char *election_id,
    uint64_t size, char **envelope, struct tl_error *err);

/* Entry `index` (its exact bytes, NUL-terminated) and its kind. */
int tl_log_entry(struct tl_store *store, const char *election_id,
    uint64_t index, char **entry, size_t *len, char **kind,
    struct tl_error *err);

/* The index of the entry whose leaf hash is given; TL_ENOTFOUND. */
int tl_log_find_leaf(struct tl_store *store, const char *election_id,
    const uint8_t leaf_hash[TL_SHA256_LEN], uint64_t *index,
    struct tl_error *err);

/* Calls fn for entries [start, end) in order; stops at the first non-zero
 * return of fn and returns it. */
typedef int (*tl_log_entry_fn)(void *ctx, uint64_t index, const char *kind,
    const char *entry, size_t len);
int tl_log_foreach(struct tl_store *store, const char *election_id,
    uint64_t start, uint64_t end, tl_log_entry_fn fn, void *ctx,
    struct tl_error *err);

int tl_log_inclusion_proof(struct tl_store *store, const char *election_id,
    uint64_t index, uint64_t size, struct tl_merkle_proof *proof,
    struct tl_error *err);
int tl_log_consistency_proof(struct tl_store *store, const char *election_id,
    uint64_t old_size, uint64_t new_size, struct tl_merkle_proof *proof,
    struct tl_error *err);

/* The payload of a tree head (*out, caller frees) and its parsing. */
int tl_tree_head_serialize(const struct tl_tree_head *head, char **out,
    size_t *len);
int tl_tree_head_parse(const char *payload, size_t len,
    struct tl_tree_head *out, struct tl_error *err);

/* A signed tree head's envelope text, parsed: its payload into *head and
 * (if envelope is not NULL) the envelope into *envelope (caller frees).
 * Checks the type, not the signature. */
struct tl_envelope;
int tl_tree_head_parse_envelope(const char *text, size_t len,
    struct tl_tree_head *head, struct tl_envelope **envelope,
    struct tl_error *err);

/* A proof as a JSON array of hex strings (new reference), and back. */
json_t *tl_proof_to_json(const struct tl_merkle_proof *proof);
int tl_proof_from_json(const json_t *array,
    struct tl_merkle_proof *out, struct tl_error *err);

#endif
