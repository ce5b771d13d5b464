/*
 * teller/merkle.h: the append-only log's Merkle tree, exactly as RFC 9162
 * section 2.1 defines it (the tree of RFC 6962):
 *
 *   MTH({})     = SHA-256()
 *   leaf hash   = SHA-256(0x00 || entry)
 *   MTH(D[n])   = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])),
 *                 k the largest power of two smaller than n
 *
 * The tree is kept as its complete subtrees: node (level, index) is the hash
 * of leaves [index * 2^level, (index + 1) * 2^level).  Appending stores the
 * new leaf and every subtree it completes (O(log n) writes at worst, O(1)
 * on average); a root or proof reads O(log n) nodes.  Where nodes live is
 * the caller's choice through struct tl_merkle_store: the database for the
 * server's logs (store.c), memory for a verifier (tl_merkle_mem).
 */
#ifndef TELLER_MERKLE_H
#define TELLER_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "teller/crypto.h"
#include "teller/error.h"

#define TL_MERKLE_MAX_PROOF 64 /* hashes in a proof of a tree < 2^63 leaves */

struct tl_merkle_store {
	/* Reads node (level, index); TL_ENOTFOUND if absent. */
	int (*get)(void *ctx, unsigned level, uint64_t index,
	    uint8_t hash[TL_SHA256_LEN]);
	/* Writes node (level, index). */
	int (*put)(void *ctx, unsigned level, uint64_t index,
	    const uint8_t hash[TL_SHA256_LEN]);
	void *ctx;
};

/* A proof: up to TL_MERKLE_MAX_PROOF hashes. */
struct tl_merkle_proof {
	size_t n;
	uint8_t hashes[TL_MERKLE_MAX_PROOF][TL_SHA256_LEN];
};

void tl_merkle_leaf_hash(const void *entry, size_t len,
    uint8_t out[TL_SHA256_LEN]);
void tl_merkle_node_hash(const uint8_t left[TL_SHA256_LEN],
    const uint8_t right[TL_SHA256_LEN], uint8_t out[TL_SHA256_LEN]);

/* Appends the leaf (by its leaf hash) at index `size`, the current size of
 * the tree, and stores the subtrees it completes. */
int tl_merkle_append(const struct tl_merkle_store *store, uint64_t size,
    const uint8_t leaf_hash[TL_SHA256_LEN]);

/* MTH of the first `size` leaves. */
int tl_merkle_root(const struct tl_merkle_store *store, uint64_t size,
    uint8_t out[TL_SHA256_LEN]);

/* The audit path of leaf `index` in the tree of the first `size` leaves
 * (RFC 9162 2.1.3.1).  TL_EINPUT if index >= size. */
int tl_merkle_inclusion_proof(const struct tl_merkle_store *store,
    uint64_t index, uint64_t size, struct tl_merkle_proof *out);

/* The consistency proof between the trees of the first `old_size` and
 * `new_size` leaves (RFC 9162 2.1.4.1); 0 < old_size <= new_size. */
int tl_merkle_consistency_proof(const struct tl_merkle_store *store,
    uint64_t old_size, uint64_t new_size, struct tl_merkle_proof *out);

/* TL_OK if the proof shows leaf_hash at index in the tree of size with
 * root; TL_EVERIFY otherwise (RFC 9162 2.1.3.2). */
int tl_merkle_verify_inclusion(const uint8_t leaf_hash[TL_SHA256_LEN],
    uint64_t index, uint64_t size, const uint8_t root[TL_SHA256_LEN],
    const struct tl_merkle_proof *proof);

/* TL_OK if the proof shows the tree (old_size, old_root) is a prefix of
 * (new_size, new_root); TL_EVERIFY otherwise (RFC 9162 2.1.4.2). */
int tl_merkle_verify_consistency(uint64_t old_size, uint64_t new_size,
    const uint8_t old_root[TL_SHA256_LEN],
    const uint8_t new_root[TL_SHA256_LEN],
    const struct tl_merkle_proof *proof);

/*
 * An in-memory node store.  tl_merkle_mem_init, then use &mem->store with
 * the functions above; tl_merkle_mem_free releases the nodes.
 */
struct tl_merkle_mem {
	struct tl_merkle_store store;
	uint8_t (*levels[64])[TL_SHA256_LEN];
	uint64_t counts[64];
	uint64_t caps[64];
	uint64_t size; /* leaves appended with tl_merkle_mem_append */
};

void tl_merkle_mem_init(struct tl_merkle_mem *mem);
/* Appends a leaf hash at the end of the in-memory tree. */
int tl_merkle_mem_append(struct tl_merkle_mem *mem,
    const uint8_t leaf_hash[TL_SHA256_LEN]);
void tl_merkle_mem_free(struct tl_merkle_mem *mem);

#endif
