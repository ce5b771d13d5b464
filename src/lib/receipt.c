/*
 * receipt.c: making a voter's receipt (for a ballot or a challenge),
 * parsing one, and checking its signatures, its inclusion proof and the
 * witnesses' cosignatures it may carry.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonutil.h"
#include "store_internal.h"
#include "teller/receipt.h"
#include "teller/statement.h"
#include "teller/util.h"
#include "teller/witness.h"

const char *
tl_receipt_kind_name(enum tl_receipt_kind kind)
{
	return kind == TL_RECEIPT_CHALLENGE ? "challenge" : "ballot";
}

int
tl_receipt_build(const char *election, enum tl_receipt_kind kind,
    const char *entry_hash, const uint8_t leaf_hash[TL_SHA256_LEN],
    uint64_t leaf_index, json_t *tree_head, const struct tl_merkle_proof *proof,
    json_t *cosignatures, const struct tl_key *authority, char **receipt,
    struct tl_error *err)
{
	struct tl_envelope *env = NULL;
	char *payload = NULL, leaf_hex[TL_HASH_HEX_LEN + 1];
	size_t payload_len = 0;
	json_t *doc;
	int r;

	tl_hex_encode(leaf_hash, TL_SHA256_LEN, leaf_hex);
	doc = json_pack("{s:s, s:s, s:s, s:I, s:O, s:o}", "election", election,
	    tl_receipt_kind_name(kind), entry_hash, "leaf_hash", leaf_hex,
	    "leaf_index", (json_int_t)leaf_index, "tree_head", tree_head,
	    "inclusion_proof", tl_proof_to_json(proof));
	if (doc == NULL || (cosignatures != NULL && json_object_set(doc,
	    "cosignatures", cosignatures) != 0) ||
	    tl_json_dump(doc, &payload, &payload_len) != TL_OK) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	if ((r = tl_envelope_sign(TL_TYPE_RECEIPT, payload, payload_len,
	    authority, &env, err)) == TL_OK)
		r = tl_envelope_serialize(env, receipt, NULL, err);
 out:
	tl_envelope_free(env);
	json_decref(doc);
	free(payload);
	return r;
}

int
tl_receipt_issue(struct tl_store *store, const char *election,
    uint64_t leaf_index, int witnessed, unsigned quorum,
    const struct tl_key *authority, char **receipt, struct tl_error *err)
{
	struct tl_merkle_proof proof;
	struct tl_tree_head th;
	enum tl_receipt_kind kind;
	json_t *doc = NULL, *head = NULL, *cosignatures = NULL;
	uint8_t leaf[TL_SHA256_LEN];
	char *entry = NULL, *entry_kind = NULL, *text = NULL;
	char hash[TL_HASH_HEX_LEN + 1];
	size_t len = 0;
	int r, began = 0;

	if ((r = tl_db_read_begin(store, &began, err)) != TL_OK)
		return r;
	if ((r = tl_log_entry(store, election, leaf_index, &entry, &len,
	    &entry_kind, err)) != TL_OK)
		goto out;
	if (strcmp(entry_kind, "ballot") == 0)
		kind = TL_RECEIPT_BALLOT;
	else if (strcmp(entry_kind, "challenge") == 0)
		kind = TL_RECEIPT_CHALLENGE;
	else {
		r = tl_error_set(err, TL_EINPUT, "entry %llu of election %s is a "
		    "%s; receipts are given for ballots and challenges",
		    (unsigned long long)leaf_index, election, entry_kind);
		goto out;
	}
	if (witnessed) {
		if ((r = tl_cosigned_head_get(store, election, quorum, 0, &doc,
		    err)) != TL_OK)
			goto out;
		head = json_incref(json_object_get(doc, "tree_head"));
		cosignatures = json_object_get(doc, "cosignatures");
	} else {
		if ((r = tl_log_latest_head(store, election, &text, err)) !=
		    TL_OK)
			goto out;
		head = json_loads(text, 0, NULL);
		free(text);
		text = NULL;
	}
	if ((text = json_dumps(head, JSON_COMPACT)) == NULL ||
	    tl_tree_head_parse_envelope(text, strlen(text), &th, NULL, err) !=
	    TL_OK) {
		r = tl_error_set(err, TL_EINTERNAL, "the stored tree head of %s "
		    "does not parse", election);
		goto out;
	}
	if (th.size <= leaf_index) {
		r = tl_error_set(err, TL_ENOTFOUND, "the largest tree head of "
		    "election %s that enough witnesses cosigned has %llu "
		    "entries; entry %llu is not in it yet", election,
		    (unsigned long long)th.size, (unsigned long long)leaf_index);
		goto out;
	}
	if ((r = tl_log_inclusion_proof(store, election, leaf_index, th.size,
	    &proof, err)) != TL_OK)
		goto out;
	tl_sha256_hex(entry, len, hash);
	tl_merkle_leaf_hash(entry, len, leaf);
	r = tl_receipt_build(election, kind, hash, leaf, leaf_index, head,
	    &proof, cosignatures, authority, receipt, err);
 out:
	tl_db_read_end(store, began);
	json_decref(doc);
	json_decref(head);
	free(entry);
	free(entry_kind);
	free(text);
	return r;
}

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
	static const char *const keys[] = {"election", "ballot", "challenge",
	    "leaf_hash", "leaf_index", "tree_head", "inclusion_proof",
	    "cosignatures", NULL};
	struct tl_receipt *rc = NULL;
	json_t *doc = NULL, *head, *proof, *cosignatures, *item;
	const char *election, *ballot, *challenge, *leaf;
	char where[48];
	size_t i;
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
	    (r = tl_json_string(doc, "ballot", 0, "receipt", TL_EINPUT, &ballot,
	    err)) != TL_OK ||
	    (r = tl_json_string(doc, "challenge", 0, "receipt", TL_EINPUT,
	    &challenge, err)) != TL_OK ||
	    (r = tl_json_string(doc, "leaf_hash", 1, "receipt", TL_EINPUT,
	    &leaf, err)) != TL_OK ||
	    (r = tl_json_int(doc, "leaf_index", 1, 0, INT64_MAX, "receipt",
	    TL_EINPUT, &index, err)) != TL_OK ||
	    (r = tl_json_object(doc, "tree_head", 1, "receipt", TL_EINPUT,
	    &head, err)) != TL_OK ||
	    (r = tl_json_array(doc, "inclusion_proof", 1, "receipt", TL_EINPUT,
	    &proof, err)) != TL_OK ||
	    (r = tl_json_array(doc, "cosignatures", 0, "receipt", TL_EINPUT,
	    &cosignatures, err)) != TL_OK)
		goto out;
	if ((ballot == NULL) == (challenge == NULL)) {
		r = BAD("receipt: it names its entry by exactly one of ballot "
		    "and challenge");
		goto out;
	}
	rc->kind = ballot != NULL ? TL_RECEIPT_BALLOT : TL_RECEIPT_CHALLENGE;
	if (ballot == NULL)
		ballot = challenge;
	if (json_array_size(cosignatures) > TL_MAX_WITNESSES) {
		r = BAD("receipt: more than %d cosignatures", TL_MAX_WITNESSES);
		goto out;
	}
	json_array_foreach(cosignatures, i, item) {
		snprintf(where, sizeof(where), "receipt.cosignatures[%zu]", i);
		if ((r = tl_cosignature_from_json(item, where,
		    &rc->cosignatures[i], err)) != TL_OK)
			goto out;
		for (size_t j = 0; j < i; j++)
			if (strcmp(rc->cosignatures[j].witness,
			    rc->cosignatures[i].witness) == 0) {
				r = BAD("%s: witness %s cosigns twice", where,
				    rc->cosignatures[i].witness);
				goto out;
			}
		rc->ncosignatures = i + 1;
	}
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
tl_receipt_matches_entry(const struct tl_receipt *receipt,
    const char *entry, size_t len, struct tl_error *err)
{
	const char *kind = tl_receipt_kind_name(receipt->kind);
	const char *type = receipt->kind == TL_RECEIPT_CHALLENGE ?
	    TL_TYPE_CHALLENGE : TL_TYPE_BALLOT;
	struct tl_envelope *env = NULL;
	uint8_t leaf[TL_SHA256_LEN];
	char hash[TL_HASH_HEX_LEN + 1];
	int ok;

	tl_sha256_hex(entry, len, hash);
	tl_merkle_leaf_hash(entry, len, leaf);
	if (strcmp(hash, receipt->ballot_hash) != 0 ||
	    memcmp(leaf, receipt->leaf_hash, TL_SHA256_LEN) != 0)
		return tl_error_set(err, TL_EVERIFY,
		    "the receipt is for %s %.16s..., not for this one "
		    "(%.16s...)", kind, receipt->ballot_hash, hash);
	/* The same bytes, so the same type: but a receipt that says
	 * "challenge" must name a challenge. */
	ok = tl_envelope_parse(entry, len, len, &env, NULL) == TL_OK &&
	    strcmp(env->payload_type, type) == 0;
	tl_envelope_free(env);
	if (!ok)
		return tl_error_set(err, TL_EVERIFY, "the receipt says it is for "
		    "a %s, but the entry it names is not one", kind);
	return TL_OK;
}

int
tl_receipt_matches_ballot(const struct tl_receipt *receipt,
    const char *ballot, size_t len, struct tl_error *err)
{
	return tl_receipt_matches_entry(receipt, ballot, len, err);
}

int
tl_receipt_witnessed(const struct tl_receipt *receipt,
    const struct tl_key *authority, const struct tl_witness_list *witnesses,
    unsigned *valid, struct tl_error *err)
{
	char origin[TL_CHECKPOINT_ORIGIN_MAX + 1];

	tl_witness_origin(authority, receipt->election_id, origin);
	return tl_cosignatures_verify(receipt->cosignatures,
	    receipt->ncosignatures, witnesses, origin, receipt->tree_head.size,
	    receipt->tree_head.root, valid, err);
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
