/*
 * teller/receipt.h: a voter's receipt, and checking one.
 *
 * A receipt is a DSSE envelope of type TL_TYPE_RECEIPT signed by the
 * election authority:
 *
 *   {"election": ID, "ballot": HASH | "challenge": HASH,
 *    "leaf_hash": HEX, "leaf_index": N, "tree_head": ENVELOPE,
 *    "inclusion_proof": [HEX, ...],
 *    "cosignatures": [{"witness", "signature"}, ...]}   (optional)
 *
 * It names the voter's entry (a ballot, or a challenge of the certified
 * result: the hash of its envelope as logged, and its leaf hash), its
 * index in the log, a signed tree head of a log that contains it, and the
 * inclusion proof; a witnessed receipt also carries witnesses'
 * cosignatures of that tree head (witness.h).  Checking a receipt needs
 * only the authority's public key (from the signed manifest), and the
 * manifest's witnesses for the cosignatures; comparing it with a record or
 * a server's current tree (consistency) is the caller's next step.
 *
 * Ownership: tl_receipt_free releases what tl_receipt_parse returned.
 */
#ifndef TELLER_RECEIPT_H
#define TELLER_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "teller/cosignature.h"
#include "teller/crypto.h"
#include "teller/envelope.h"
#include "teller/error.h"
#include "teller/log.h"
#include "teller/merkle.h"

#define TL_RECEIPT_MAX (64 * 1024)

/* What a receipt is for: its payload's member that names the entry. */
enum tl_receipt_kind {
	TL_RECEIPT_BALLOT,     /* "ballot" */
	TL_RECEIPT_CHALLENGE,  /* "challenge" */
};

struct tl_receipt {
	struct tl_envelope *envelope;      /* the receipt itself */
	char election_id[65];
	enum tl_receipt_kind kind;
	char ballot_hash[TL_HASH_HEX_LEN + 1]; /* the entry's hash (a ballot's
	                                          or a challenge's) */
	uint8_t leaf_hash[TL_SHA256_LEN];
	uint64_t leaf_index;
	char *tree_head_text;              /* the tree head envelope, as JSON */
	struct tl_envelope *tree_head_envelope;
	struct tl_tree_head tree_head;
	struct tl_merkle_proof proof;
	size_t ncosignatures;              /* of the tree head */
	struct tl_cosignature cosignatures[TL_MAX_WITNESSES];
};

/* "ballot" or "challenge". */
const char *tl_receipt_kind_name(enum tl_receipt_kind kind);

/*
 * Makes a receipt (*receipt, the canonical envelope text, caller frees)
 * for the entry of `kind` whose hash and leaf hash are given, at
 * leaf_index, in the tree of the signed tree head `tree_head` (the
 * envelope as a JSON object, borrowed), with its inclusion proof and, if
 * cosignatures is not NULL, that array of the witnesses' cosignatures of
 * that tree head (borrowed).  Signed with authority.
 */
int tl_receipt_build(const char *election, enum tl_receipt_kind kind,
    const char *entry_hash, const uint8_t leaf_hash[TL_SHA256_LEN],
    uint64_t leaf_index, json_t *tree_head, const struct tl_merkle_proof *proof,
    json_t *cosignatures, const struct tl_key *authority, char **receipt,
    struct tl_error *err);

/*
 * A receipt for entry `leaf_index` of the election's log in a database (a
 * ballot or a challenge, by the entry's kind): against the latest signed
 * tree head; or, with `witnessed`, against the largest tree head that
 * `quorum` witnesses (0: the manifest's quorum) cosigned and that holds
 * the entry, carrying their cosignatures.  *receipt (caller frees).
 * TL_ENOTFOUND if there is no such entry or no such cosigned tree holds it
 * yet; TL_EINPUT for an entry that is neither a ballot nor a challenge;
 * TL_ESTATE (witnessed) for an election whose manifest names no witness.
 */
struct tl_store;
int tl_receipt_issue(struct tl_store *store, const char *election,
    uint64_t leaf_index, int witnessed, unsigned quorum,
    const struct tl_key *authority, char **receipt, struct tl_error *err);

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

/* TL_OK if entry (an envelope's bytes) is the entry the receipt names:
 * its SHA-256 and leaf hash match, and it is of the receipt's kind (a
 * ballot or a challenge); TL_EVERIFY otherwise. */
int tl_receipt_matches_entry(const struct tl_receipt *receipt,
    const char *entry, size_t len, struct tl_error *err);
/* The same, for callers that hold a ballot. */
int tl_receipt_matches_ballot(const struct tl_receipt *receipt,
    const char *ballot, size_t len, struct tl_error *err);

/*
 * The receipt's cosignatures of its tree head, checked against the
 * manifest's witnesses (authority gives the log's checkpoint origin):
 * *valid gets the number that verify.  TL_OK if every one does (none is
 * fine); the first one's error otherwise.
 */
int tl_receipt_witnessed(const struct tl_receipt *receipt,
    const struct tl_key *authority, const struct tl_witness_list *witnesses,
    unsigned *valid, struct tl_error *err);

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
