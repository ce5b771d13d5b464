/*
 * teller/cast.h: accepting a signed ballot.
 *
 * Casting is three steps, so that a server can check ballots in parallel
 * and commit several in one transaction (one fsync), while each still gets
 * its own receipt only after the commit:
 *
 *   tl_cast_check    read-only: the envelope's shape and type (with
 *                    exactly one signature), the election (exists, open,
 *                    within its voting window), the manifest hash, the
 *                    voter on the roll, the signature by the voter's key,
 *                    the content against the manifest, the voter's
 *                    constituency, and the revote policy;
 *   tl_cast_store    inside the caller's write transaction: checks state
 *                    and revote policy again (another writer may have moved
 *                    since), stores the ballot and its selections, and
 *                    appends it to the log;
 *   tl_cast_receipt  after the transaction that holds the ballot and a
 *                    signed tree head covering it has committed: the
 *                    receipt, an authority-signed envelope of type
 *                    TL_TYPE_RECEIPT with payload
 *                      {"election": ID, "ballot": HASH, "leaf_hash": HEX,
 *                       "leaf_index": N,
 *                       "tree_head": <the signed tree head envelope>,
 *                       "inclusion_proof": [HEX, ...]}
 *                    where HASH is the hex SHA-256 of the ballot's envelope
 *                    as logged and leaf_hash its RFC 9162 leaf hash
 *                    (receipt.h checks one).
 *
 * tl_ballot_cast does all three for one ballot.  A rejected ballot changes
 * nothing.
 *
 * A cast borrows the election's parsed manifest from the cache of the
 * store it was checked with: free the cast before closing that store.
 * tl_cast_check, tl_cast_store and tl_cast_receipt may run on different
 * connections (and threads), one at a time for a given cast.
 */
#ifndef TELLER_CAST_H
#define TELLER_CAST_H

#include <stddef.h>
#include <stdint.h>

#include "teller/ballot.h"
#include "teller/crypto.h"
#include "teller/error.h"
#include "teller/manifest.h"
#include "teller/store.h"

struct tl_cast;

int tl_cast_check(struct tl_store *store, const char *envelope, size_t len,
    int64_t now, struct tl_cast **out, struct tl_error *err);

int tl_cast_store(struct tl_store *store, struct tl_cast *cast, int64_t now,
    struct tl_error *err);

/*
 * The rows of the selections table (one per candidate marked or ranked,
 * or per answer) for a ballot of election m whose row in the ballots
 * table is ballot_id, inside the caller's transaction: tl_cast_store
 * writes them for a ballot in the clear, the count for a sealed ballot
 * once it opens (a spoiled one has none).  Rows already there are kept.
 */
int tl_cast_store_selections(struct tl_store *store,
    const struct tl_manifest *m, const struct tl_ballot *ballot,
    int64_t ballot_id, struct tl_error *err);

int tl_cast_receipt(struct tl_store *store, const struct tl_cast *cast,
    const char *tree_head, const struct tl_key *authority, char **receipt,
    struct tl_error *err);

/*
 * Group commit: stores casts[0..n) (each from tl_cast_check) in one
 * transaction: BEGIN IMMEDIATE; tl_cast_store for each under a savepoint
 * of its own, so that one that fails there (a revote race, an election
 * closed meanwhile) is undone alone and spoils none of the others; one
 * signed tree head per election that received a ballot; COMMIT (one fsync
 * with synchronous=FULL).  errs[i] gets the outcome of casts[i]: TL_OK, or
 * its error.
 *
 * Returns TL_OK once the transaction has committed (even if every ballot
 * in it was refused); each cast whose errs[i] is TL_OK is then durable, and
 * tl_cast_tree_head gives the signed tree head to make its receipt with.
 * Returns an error (and sets every errs[i] to it) if the transaction
 * failed: then nothing of the group was stored.
 */
int tl_cast_commit_group(struct tl_store *store, struct tl_cast *const *casts,
    size_t n, int64_t now, const struct tl_key *authority,
    struct tl_error *errs, struct tl_error *err);

/* The election the ballot is for (borrowed from cast). */
const char *tl_cast_election(const struct tl_cast *cast);

/* After tl_cast_commit_group stored the cast: the signed tree head of the
 * commit that holds it (borrowed from cast); NULL before. */
const char *tl_cast_tree_head(const struct tl_cast *cast);

void tl_cast_free(struct tl_cast *cast);

/* Checks, stores, signs the tree head, commits, and gives the receipt
 * envelope (*receipt, caller frees). */
int tl_ballot_cast(struct tl_store *store, const char *envelope, size_t len,
    int64_t now, char **receipt, struct tl_error *err);

#endif
