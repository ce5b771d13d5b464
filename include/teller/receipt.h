/*
 * teller/receipt.h: a voter's receipt, and checking one.
 *
 * A receipt is a DSSE envelope of type TL_TYPE_RECEIPT signed by the
 * election authority (cast.h gives its payload): it names the ballot (the
 * hash of its envelope as logged, and its leaf hash), its index in the
 * log, a signed tree head of a log that contains it, and the inclusion
 * proof.  Checking a receipt needs only the authority's public key (from
 * the signed manifest); comparing it with a record or a server's current
 * tree (consistency) is the caller's next step.
 *
 * Ownership: tl_receipt_free releases what tl_receipt_parse returned.
 */
#ifndef TELLER_RECEIPT_H
#define TELLER_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include "teller/crypto.h"
#include "teller/envelope.h"
#include "teller/error.h"
#include "teller/log.h"
#include "teller/merkle.h"

#define TL_RECEIPT_MAX (64 * 1024)

struct tl_receipt {
	struct tl_envelope *envelope;      /* the receipt itself */
	char election_id[65];
	char ballot_hash[TL_HASH_HEX_LEN + 1];
	uint8_t leaf_hash[TL_SHA256_LEN];
	uint64_t leaf_index;
	char *tree_head_text;              /* the tree head envelope, as JSON */
	struct tl_envelope *tree_head_envelope;
	struct tl_tree_head tree_head;
	struct tl_merkle_proof proof;
};

/* Parses a receipt (its envelope and payload, and the tree head inside);
 * checks no signature.  TL_EINPUT if malformed. */
int tl_receipt_parse(const char *text, size_t len, struct tl_receipt **out,
    struct tl_error *err);

/*
 * Checks a receipt on its own: the receipt and its tree head are signed
 * by authority, they name the same election, and the inclusion proof puts
 * leaf_hash at leaf_index in the tree head's tree.  TL_ESIGNATURE or
 * TL_EVERIFY with the reason otherwise.
 */
int tl_receipt_check(const struct tl_receipt *receipt,
    const struct tl_key *authority, struct tl_error *err);

/* TL_OK if ballot (an envelope's bytes) is the ballot the receipt names:
 * its SHA-256 and leaf hash match; TL_EVERIFY otherwise. */
int tl_receipt_matches_ballot(const struct tl_receipt *receipt,
    const char *ballot, size_t len, struct tl_error *err);

/*
 * Checks that a later signed tree head extends the receipt's tree, so that
 * the log it signs still holds the receipt's ballot where the receipt puts
 * it: head_text (a tree-head envelope) is signed by authority, of the
 * receipt's election, of a tree at least as large as the receipt's, and
 * proof is the consistency proof (RFC 9162 2.1.4) from the receipt's tree
 * to it.  Where the head and the proof come from (an exported record, a
 * server) is the caller's business.  TL_EVERIFY (TL_ESIGNATURE for the
 * signature) with the reason otherwise; *head (if not NULL) gets the later
 * tree head.
 */
int tl_receipt_check_extension(const struct tl_receipt *receipt,
    const struct tl_key *authority, const char *head_text, size_t len,
    const struct tl_merkle_proof *proof, struct tl_tree_head *head,
    struct tl_error *err);

void tl_receipt_free(struct tl_receipt *receipt);

#endif
