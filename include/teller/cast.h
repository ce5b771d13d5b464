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
 */
#ifndef TELLER_CAST_H
#define TELLER_CAST_H

#include <stddef.h>
#include <stdint.h>

#include "teller/crypto.h"
#include "teller/error.h"
#include "teller/store.h"

struct tl_cast;

int tl_cast_check(struct tl_store *store, const char *envelope, size_t len,
    int64_t now, struct tl_cast **out, struct tl_error *err);

int tl_cast_store(struct tl_store *store, struct tl_cast *cast, int64_t now,
    struct tl_error *err);

int tl_cast_receipt(struct tl_store *store, const struct tl_cast *cast,
    const char *tree_head, const struct tl_key *authority, char **receipt,
    struct tl_error *err);

/* The election the ballot is for (borrowed from cast). */
const char *tl_cast_election(const struct tl_cast *cast);

void tl_cast_free(struct tl_cast *cast);

/* Checks, stores, signs the tree head, commits, and gives the receipt
 * envelope (*receipt, caller frees). */
int tl_ballot_cast(struct tl_store *store, const char *envelope, size_t len,
    int64_t now, char **receipt, struct tl_error *err);

#endif
