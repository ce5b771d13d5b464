/*
 * merkle.c: RFC 9162 section 2.1 Merkle tree hashes, inclusion and
 * consistency proofs and their verification, over a store of complete
 * subtrees (see teller/merkle.h).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "teller/merkle.h"

void
tl_merkle_leaf_hash(const void *entry, size_t len, uint8_t out[TL_SHA256_LEN])
{
	static const uint8_t prefix = 0x00;
	struct tl_iov parts[2] = {{&prefix, 1}, {entry, len}};

	tl_sha256_iov(parts, 2, out);
}

void
tl_merkle_node_hash(const uint8_t left[TL_SHA256_LEN],
    const uint8_t right[TL_SHA256_LEN], uint8_t out[TL_SHA256_LEN])
{
	static const uint8_t prefix = 0x01;
	struct tl_iov parts[3] = {{&prefix, 1}, {left, TL_SHA256_LEN},
	    {right, TL_SHA256_LEN}};

	tl_sha256_iov(parts, 3, out);
}

/* The largest power of two smaller than n (n > 1). */
static uint64_t
split_point(uint64_t n)
{
	uint64_t k = 1;

	while (k << 1 < n)
		k <<= 1;
	return k;
}

static unsigned
log2_exact(uint64_t n)
{
	unsigned level = 0;

	while ((UINT64_C(1) << level) < n)
		level++;
	return level;
}

int
tl_merkle_append(const struct tl_merkle_store *store, uint64_t size,
    const uint8_t leaf_hash[TL_SHA256_LEN])
{
	uint8_t left[TL_SHA256_LEN], hash[TL_SHA256_LEN];
	uint64_t index = size;
	unsigned level = 0;
	int r;

	memcpy(hash, leaf_hash, TL_SHA256_LEN);
	if ((r = store->put(store->ctx, 0, index, hash)) != TL_OK)
		return r;
	/* Each time the new node is a right child, it completes its parent. */
	while (index & 1) {
		if ((r = store->get(store->ctx, level, index - 1, left)) != TL_OK)
			return r;
		tl_merkle_node_hash(left, hash, hash);
		index >>= 1;
		level++;
		if ((r = store->put(store->ctx, level, index, hash)) != TL_OK)
			return r;
	}
	return TL_OK;
}

/* MTH(D[start:end]) for end > start, where start is a multiple of the
 * size of the largest complete subtree at the left of the range (true of
 * every range the RFC's recursions visit). */
static int
range_hash(const struct tl_merkle_store *store, uint64_t start, uint64_t end,
    uint8_t out[TL_SHA256_LEN])
{
	uint8_t left[TL_SHA256_LEN], right[TL_SHA256_LEN];
	uint64_t n = end - start, k;
	int r;

	if ((n & (n - 1)) == 0 && start % n == 0)
		return store->get(store->ctx, log2_exact(n), start / n, out);
	k = split_point(n);
	if ((r = range_hash(store, start, start + k, left)) != TL_OK ||
	    (r = range_hash(store, start + k, end, right)) != TL_OK)
		return r;
	tl_merkle_node_hash(left, right, out);
	return TL_OK;
}

int
tl_merkle_root(const struct tl_merkle_store *store, uint64_t size,
    uint8_t out[TL_SHA256_LEN])
{
	if (size == 0) {
		tl_sha256("", 0, out);
		return TL_OK;
	}
	return range_hash(store, 0, size, out);
}

static int
proof_push(struct tl_merkle_proof *proof, const struct tl_merkle_store *store,
    uint64_t start, uint64_t end)
{
	if (proof->n >= TL_MERKLE_MAX_PROOF)
		return TL_EINTERNAL;
	return range_hash(store, start, end, proof->hashes[proof->n++]);
}

/* PATH(m, D[start:end]) of RFC 9162 2.1.3.1; hashes are pushed in the
 * order the RFC lists them (leaf side first). */
static int
path(const struct tl_merkle_store *store, uint64_t m, uint64_t start,
    uint64_t end, struct tl_merkle_proof *proof)
{
	uint64_t k;
	int r;

	if (end - start == 1)
		return TL_OK;
	k = split_point(end - start);
	if (m < start + k) {
		if ((r = path(store, m, start, start + k, proof)) != TL_OK)
			return r;
		return proof_push(proof, store, start + k, end);
	}
	if ((r = path(store, m, start + k, end, proof)) != TL_OK)
		return r;
	return proof_push(proof, store, start, start + k);
}

int
tl_merkle_inclusion_proof(const struct tl_merkle_store *store, uint64_t index,
    uint64_t size, struct tl_merkle_proof *out)
{
	out->n = 0;
	if (index >= size)
		return TL_EINPUT;
	return path(store, index, 0, size, out);
}

/* SUBPROOF(m, D[start:end], complete) of RFC 9162 2.1.4.1. */
static int
subproof(const struct tl_merkle_store *store, uint64_t m, uint64_t start,
    uint64_t end, int complete, struct tl_merkle_proof *proof)
{
	uint64_t n = end - start, k;
	int r;

	if (m == n)
		return complete ? TL_OK : proof_push(proof, store, start, end);
	k = split_point(n);
	if (m <= k) {
		if ((r = subproof(store, m, start, start + k, complete,
		    proof)) != TL_OK)
			return r;
		return proof_push(proof, store, start + k, end);
	}
	if ((r = subproof(store, m - k, start + k, end, 0, proof)) != TL_OK)
		return r;
	return proof_push(proof, store, start, start + k);
}

int
tl_merkle_consistency_proof(const struct tl_merkle_store *store,
    uint64_t old_size, uint64_t new_size, struct tl_merkle_proof *out)
{
	out->n = 0;
	if (old_size == 0 || old_size > new_size)
		return TL_EINPUT;
	return subproof(store, old_size, 0, new_size, 1, out);
}

int
tl_merkle_verify_inclusion(const uint8_t leaf_hash[TL_SHA256_LEN],
    uint64_t index, uint64_t size, const uint8_t root[TL_SHA256_LEN],
    const struct tl_merkle_proof *proof)
{
	uint8_t x[TL_SHA256_LEN];
	uint64_t fn = index, sn;

	if (index >= size)
		return TL_EVERIFY;
	sn = size - 1;
	memcpy(x, leaf_hash, TL_SHA256_LEN);
	for (size_t i = 0; i < proof->n; i++) {
		const uint8_t *p = proof->hashes[i];

		if (sn == 0)
			return TL_EVERIFY;
		if ((fn & 1) || fn == sn) {
			tl_merkle_node_hash(p, x, x);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else
			tl_merkle_node_hash(x, p, x);
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0 || tl_memcmp_const(x, root, TL_SHA256_LEN) != 0)
		return TL_EVERIFY;
	return TL_OK;
}

int
tl_merkle_verify_consistency(uint64_t old_size, uint64_t new_size,
    const uint8_t old_root[TL_SHA256_LEN],
    const uint8_t new_root[TL_SHA256_LEN],
    const struct tl_merkle_proof *proof)
{
	uint8_t fr[TL_SHA256_LEN], sr[TL_SHA256_LEN];
	const uint8_t *first;
	uint64_t fn, sn;
	size_t i;

	if (old_size == 0 || old_size > new_size)
		return TL_EVERIFY;
	if (old_size == new_size) {
		if (proof->n != 0 ||
		    tl_memcmp_const(old_root, new_root, TL_SHA256_LEN) != 0)
			return TL_EVERIFY;
		return TL_OK;
	}
	/* If old_size is a power of two, the old root is the path's head. */
	if ((old_size & (old_size - 1)) == 0) {
		first = old_root;
		i = 0;
	} else {
		if (proof->n == 0)
			return TL_EVERIFY;
		first = proof->hashes[0];
		i = 1;
	}
	fn = old_size - 1;
	sn = new_size - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	memcpy(fr, first, TL_SHA256_LEN);
	memcpy(sr, first, TL_SHA256_LEN);
	for (; i < proof->n; i++) {
		const uint8_t *c = proof->hashes[i];

		if (sn == 0)
			return TL_EVERIFY;
		if ((fn & 1) || fn == sn) {
			tl_merkle_node_hash(c, fr, fr);
			tl_merkle_node_hash(c, sr, sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else
			tl_merkle_node_hash(sr, c, sr);
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0 || tl_memcmp_const(fr, old_root, TL_SHA256_LEN) != 0 ||
	    tl_memcmp_const(sr, new_root, TL_SHA256_LEN) != 0)
		return TL_EVERIFY;
	return TL_OK;
}

static int
mem_get(void *ctx, unsigned level, uint64_t index, uint8_t hash[TL_SHA256_LEN])
{
	struct tl_merkle_mem *mem = ctx;

	if (level >= 64 || index >= mem->counts[level])
		return TL_ENOTFOUND;
	memcpy(hash, mem->levels[level][index], TL_SHA256_LEN);
	return TL_OK;
}

static int
mem_put(void *ctx, unsigned level, uint64_t index,
    const uint8_t hash[TL_SHA256_LEN])
{
	struct tl_merkle_mem *mem = ctx;

	if (level >= 64 || index > mem->counts[level])
		return TL_EINTERNAL;
	if (index == mem->caps[level]) {
		uint64_t cap = mem->caps[level] != 0 ? mem->caps[level] * 2 : 64;
		void *p = realloc(mem->levels[level], cap * TL_SHA256_LEN);

		if (p == NULL)
			return TL_ENOMEM;
		mem->levels[level] = p;
		mem->caps[level] = cap;
	}
	memcpy(mem->levels[level][index], hash, TL_SHA256_LEN);
	if (index == mem->counts[level])
		mem->counts[level]++;
	return TL_OK;
}

void
tl_merkle_mem_init(struct tl_merkle_mem *mem)
{
	memset(mem, 0, sizeof(*mem));
	mem->store.get = mem_get;
	mem->store.put = mem_put;
	mem->store.ctx = mem;
}

int
tl_merkle_mem_append(struct tl_merkle_mem *mem,
    const uint8_t leaf_hash[TL_SHA256_LEN])
{
	int r = tl_merkle_append(&mem->store, mem->size, leaf_hash);

	if (r == TL_OK)
		mem->size++;
	return r;
}

void
tl_merkle_mem_free(struct tl_merkle_mem *mem)
{
	for (int i = 0; i < 64; i++)
		free(mem->levels[i]);
	memset(mem, 0, sizeof(*mem));
}
