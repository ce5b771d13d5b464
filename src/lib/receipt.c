/*
 * receipt.c: parsing a voter's receipt and checking its signatures and
 * inclusion proof.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonutil.h"
#include "teller/receipt.h"
#include "teller/util.h"

void
tl_receipt_free(struct tl_receipt *receipt)
{
	if (receipt == NULL)
		return;
	tl_envelope_free(receipt->envelope);
	tl_envelope_free(receipt->tree_head_envelope);
	free(receipt->tree_head_text);
	free(receipt);
}

#define BAD(...) tl_error_set(err, TL_EINPUT, __VA_ARGS__)

int
tl_receipt_parse(const char *text, size_t len, struct tl_receipt **out,
    struct tl_error *err)
{
	static const char *const keys[] = {"election", "ballot", "leaf_hash",
	    "leaf_index", "tree_head", "inclusion_proof", NULL};
	struct tl_receipt *rc = NULL;
	json_t *doc = NULL, *head, *proof;
	const char *election, *ballot, *leaf;
	int64_t index = 0;
	int r;

	if ((rc = calloc(1, sizeof(*rc))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	if ((r = tl_envelope_parse(text, len, TL_RECEIPT_MAX, &rc->envelope,
	    err)) != TL_OK ||
	    (r = tl_envelope_expect_type(rc->envelope, TL_TYPE_RECEIPT, err)) !=
	    TL_OK ||
	    (r = tl_json_load((const char *)rc->envelope->payload,
	    rc->envelope->payload_len, TL_RECEIPT_MAX, "receipt", TL_EINPUT,
	    &doc, err)) != TL_OK)
		goto out;
	if (!json_is_object(doc)) {
		r = BAD("receipt: not a JSON object");
		goto out;
	}
	if ((r = tl_json_only_keys(doc, keys, "receipt", TL_EINPUT, err)) !=
	    TL_OK ||
	    (r = tl_json_string(doc, "election", 1, "receipt", TL_EINPUT,
	    &election, err)) != TL_OK ||
	    (r = tl_json_string(doc, "ballot", 1, "receipt", TL_EINPUT, &ballot,
	    err)) != TL_OK ||
	    (r = tl_json_string(doc, "leaf_hash", 1, "receipt", TL_EINPUT,
	    &leaf, err)) != TL_OK ||
	    (r = tl_json_int(doc, "leaf_index", 1, 0, INT64_MAX, "receipt",
	    TL_EINPUT, &index, err)) != TL_OK ||
	    (r = tl_json_object(doc, "tree_head", 1, "receipt", TL_EINPUT,
	    &head, err)) != TL_OK ||
	    (r = tl_json_array(doc, "inclusion_proof", 1, "receipt", TL_EINPUT,
	    &proof, err)) != TL_OK)
		goto out;
	if (!tl_valid_id(election) || strlen(ballot) != TL_HASH_HEX_LEN ||
	    strspn(ballot, "0123456789abcdef") != TL_HASH_HEX_LEN ||
	    strlen(leaf) != TL_HASH_HEX_LEN ||
	    strspn(leaf, "0123456789abcdef") != TL_HASH_HEX_LEN ||
	    tl_hex_decode(leaf, rc->leaf_hash, TL_SHA256_LEN) != TL_OK) {
		r = BAD("receipt: malformed election, ballot or leaf_hash");
		goto out;
	}
	snprintf(rc->election_id, sizeof(rc->election_id), "%s", election);
	snprintf(rc->ballot_hash, sizeof(rc->ballot_hash), "%s", ballot);
	rc->leaf_index = (uint64_t)index;
	if ((r = tl_proof_from_json(proof, &rc->proof, err)) != TL_OK)
		goto out;
	if ((rc->tree_head_text = json_dumps(head, JSON_COMPACT |
	    JSON_PRESERVE_ORDER)) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	if ((r = tl_envelope_parse(rc->tree_head_text,
	    strlen(rc->tree_head_text), TL_RECEIPT_MAX, &rc->tree_head_envelope,
	    err)) != TL_OK ||
	    (r = tl_envelope_expect_type(rc->tree_head_envelope,
	    TL_TYPE_TREE_HEAD, err)) != TL_OK ||
	    (r = tl_tree_head_parse((const char *)rc->tree_head_envelope->payload,
	    rc->tree_head_envelope->payload_len, &rc->tree_head, err)) != TL_OK) {
		tl_error_prefix(err, "receipt.tree_head");
		goto out;
	}
	*out = rc;
	rc = NULL;
 out:
	json_decref(doc);
	tl_receipt_free(rc);
	return r;
}

int
tl_receipt_check(const struct tl_receipt *receipt,
    const struct tl_key *authority, struct tl_error *err)
{
	int r;

	if ((r = tl_envelope_verify(receipt->envelope, authority, err)) !=
	    TL_OK)
		return tl_error_prefix(err, "receipt");
	if ((r = tl_envelope_verify(receipt->tree_head_envelope, authority,
	    err)) != TL_OK)
		return tl_error_prefix(err, "receipt's tree head");
	if (strcmp(receipt->tree_head.election_id, receipt->election_id) != 0)
		return tl_error_set(err, TL_EVERIFY,
		    "receipt is for election %s but its tree head is for %s",
		    receipt->election_id, receipt->tree_head.election_id);
	if (tl_merkle_verify_inclusion(receipt->leaf_hash, receipt->leaf_index,
	    receipt->tree_head.size, receipt->tree_head.root,
	    &receipt->proof) != TL_OK)
		return tl_error_set(err, TL_EVERIFY,
		    "receipt's inclusion proof does not put ballot %.16s... at "
		    "index %llu of the tree of %llu entries it names",
		    receipt->ballot_hash, (unsigned long long)receipt->leaf_index,
		    (unsigned long long)receipt->tree_head.size);
	return TL_OK;
}

int
tl_receipt_matches_ballot(const struct tl_receipt *receipt,
    const char *ballot, size_t len, struct tl_error *err)
{
	uint8_t leaf[TL_SHA256_LEN];
	char hash[TL_HASH_HEX_LEN + 1];

	tl_sha256_hex(ballot, len, hash);
	tl_merkle_leaf_hash(ballot, len, leaf);
	if (strcmp(hash, receipt->ballot_hash) != 0 ||
	    memcmp(leaf, receipt->leaf_hash, TL_SHA256_LEN) != 0)
		return tl_error_set(err, TL_EVERIFY,
		    "the receipt is for ballot %.16s..., not for this one "
		    "(%.16s...)", receipt->ballot_hash, hash);
	return TL_OK;
}

int
tl_receipt_check_extension(const struct tl_receipt *receipt,
    const struct tl_key *authority, const char *head_text, size_t len,
    const struct tl_merkle_proof *proof, struct tl_tree_head *head,
    struct tl_error *err)
{
	struct tl_envelope *env = NULL;
	struct tl_tree_head later;
	int r;

	/* The signature first, then what the payload says (DSSE). */
	if ((r = tl_envelope_parse(head_text, len, TL_RECEIPT_MAX, &env,
	    err)) != TL_OK ||
	    (r = tl_envelope_expect_type(env, TL_TYPE_TREE_HEAD, err)) !=
	    TL_OK) {
		tl_error_prefix(err, "the later tree head");
		r = TL_EVERIFY;
		goto out;
	}
	if ((r = tl_envelope_verify(env, authority, err)) != TL_OK) {
		tl_error_prefix(err, "the later tree head");
		goto out;
	}
	if ((r = tl_tree_head_parse((const char *)env->payload,
	    env->payload_len, &later, err)) != TL_OK) {
		tl_error_prefix(err, "the later tree head");
		r = TL_EVERIFY;
		goto out;
	}
	if (strcmp(later.election_id, receipt->election_id) != 0) {
		r = tl_error_set(err, TL_EVERIFY, "the later tree head is of "
		    "election %s, not %s", later.election_id,
		    receipt->election_id);
		goto out;
	}
	if (later.size < receipt->tree_head.size) {
		r = tl_error_set(err, TL_EVERIFY, "the later tree has %llu "
		    "entries, fewer than the %llu of the receipt's: the log has "
		    "lost entries", (unsigned long long)later.size,
		    (unsigned long long)receipt->tree_head.size);
		goto out;
	}
	if (tl_merkle_verify_consistency(receipt->tree_head.size, later.size,
	    receipt->tree_head.root, later.root, proof) != TL_OK) {
		r = tl_error_set(err, TL_EVERIFY, "the tree of %llu entries is "
		    "not an extension of the receipt's tree of %llu: the log "
		    "the receipt was given from has been rewritten",
		    (unsigned long long)later.size,
		    (unsigned long long)receipt->tree_head.size);
		goto out;
	}
	if (head != NULL)
		*head = later;
	r = TL_OK;
 out:
	tl_envelope_free(env);
	return r;
}
