/*
 * witness.c: witnessed tree heads (witness.h): the cosigned head document,
 * what a witness checks before it cosigns and the evidence it keeps when
 * it refuses, the cosignatures the authority's database keeps, and the
 * record's cosignature line.
 *
 * A witness's promise (C2SP tlog-cosignature, "Ed25519 signed message"):
 * as of the time it signs, the largest consistent tree it has seen of the
 * log has this root.  So it cosigns a tree only if the tree extends the one
 * it cosigned last (RFC 9162 2.1.4 consistency), and never a smaller or a
 * different one.
 */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "store_internal.h"
#include "teller/manifest.h"
#include "teller/util.h"
#include "teller/witness.h"

/* --- the cosigned tree head ----------------------------------------------- */

void
tl_cosigned_head_free(struct tl_cosigned_head *c)
{
	if (c == NULL)
		return;
	free(c->tree_head);
	tl_envelope_free(c->envelope);
	free(c);
}

int
tl_cosigned_head_new(const char *tree_head, size_t len,
    struct tl_cosigned_head **out, struct tl_error *err)
{
	struct tl_cosigned_head *c;
	int r;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	if ((r = tl_tree_head_parse_envelope(tree_head, len, &c->head,
	    &c->envelope, err)) != TL_OK ||
	    (r = tl_envelope_serialize(c->envelope, &c->tree_head, NULL,
	    err)) != TL_OK) {
		tl_error_prefix(err, "tree_head");
		tl_cosigned_head_free(c);
		return r == TL_ENOMEM ? r : TL_EINPUT;
	}
	*out = c;
	return TL_OK;
}

int
tl_cosigned_head_add(struct tl_cosigned_head *c,
    const struct tl_cosignature *cosignature, struct tl_error *err)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->cosignatures[i].witness, cosignature->witness) ==
		    0) {
			c->cosignatures[i] = *cosignature;
			return TL_OK;
		}
	if (c->n == TL_MAX_WITNESSES)
		return tl_error_set(err, TL_ETOOBIG, "a tree head has at most %d "
		    "cosignatures", TL_MAX_WITNESSES);
	c->cosignatures[c->n++] = *cosignature;
	return TL_OK;
}

int
tl_cosigned_head_from_json(json_t *doc, const char *where,
    struct tl_cosigned_head **out, struct tl_error *err)
{
	static const char *const keys[] = {"tree_head", "cosignatures", NULL};
	struct tl_cosigned_head *c = NULL;
	struct tl_cosignature cs;
	json_t *head, *list;
	char *text = NULL, at[64];
	size_t i;
	int r;

	if (!json_is_object(doc))
		return tl_error_set(err, TL_EINPUT, "%s: a cosigned tree head is "
		    "an object {\"tree_head\", \"cosignatures\"}", where);
	if ((r = tl_json_only_keys(doc, keys, where, TL_EINPUT, err)) !=
	    TL_OK ||
	    (r = tl_json_object(doc, "tree_head", 1, where, TL_EINPUT, &head,
	    err)) != TL_OK ||
	    (r = tl_json_array(doc, "cosignatures", 1, where, TL_EINPUT, &list,
	    err)) != TL_OK)
		return r;
	if (json_array_size(list) > TL_MAX_WITNESSES)
		return tl_error_set(err, TL_EINPUT, "%s.cosignatures: more than "
		    "%d", where, TL_MAX_WITNESSES);
	if ((text = json_dumps(head, JSON_COMPACT | JSON_PRESERVE_ORDER)) ==
	    NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	r = tl_cosigned_head_new(text, strlen(text), &c, err);
	free(text);
	if (r != TL_OK)
		return tl_error_prefix(err, "%s", where);
	json_array_foreach(list, i, head) {
		snprintf(at, sizeof(at), "%s.cosignatures[%zu]", where, i);
		if ((r = tl_cosignature_from_json(head, at, &cs, err)) != TL_OK)
			goto out;
		for (size_t j = 0; j < c->n; j++)
			if (strcmp(c->cosignatures[j].witness, cs.witness) == 0) {
				r = tl_error_set(err, TL_EINPUT, "%s: witness %s "
				    "cosigns twice", at, cs.witness);
				goto out;
			}
		c->cosignatures[c->n++] = cs;
	}
	*out = c;
	c = NULL;
 out:
	tl_cosigned_head_free(c);
	return r;
}

int
tl_cosigned_head_parse(const char *text, size_t len,
    struct tl_cosigned_head **out, struct tl_error *err)
{
	json_t *doc = NULL;
	int r;

	if ((r = tl_json_load(text, len, TL_WITNESS_DOC_MAX,
	    "cosigned tree head", TL_EINPUT, &doc, err)) != TL_OK)
		return r;
	r = tl_cosigned_head_from_json(doc, "cosigned tree head", out, err);
	json_decref(doc);
	return r;
}

json_t *
tl_cosigned_head_to_json(const struct tl_cosigned_head *c)
{
	json_t *head = json_loads(c->tree_head, 0, NULL);
	json_t *list = json_array();

	if (head == NULL || list == NULL)
		goto fail;
	for (size_t i = 0; i < c->n; i++)
		if (json_array_append_new(list,
		    tl_cosignature_to_json(&c->cosignatures[i])) != 0)
			goto fail;
	return json_pack("{s:o, s:o}", "tree_head", head, "cosignatures", list);
 fail:
	json_decref(head);
	json_decref(list);
	return NULL;
}

void
tl_witness_origin(const struct tl_key *authority, const char *election,
    char out[TL_CHECKPOINT_ORIGIN_MAX + 1])
{
	char keyid[TL_KEYID_LEN + 1];

	tl_key_id(authority, keyid);
	tl_checkpoint_origin(keyid, election, out);
}

int
tl_cosigned_head_check(const struct tl_cosigned_head *c,
    const struct tl_key *authority, const char *election,
    const struct tl_witness_list *witnesses, unsigned *valid,
    struct tl_error *err)
{
	char origin[TL_CHECKPOINT_ORIGIN_MAX + 1];
	int r;

	*valid = 0;
	if ((r = tl_envelope_verify(c->envelope, authority, err)) != TL_OK)
		return tl_error_prefix(err, "the cosigned tree head");
	if (strcmp(c->head.election_id, election) != 0)
		return tl_error_set(err, TL_EWRONGELECTION, "the cosigned tree "
		    "head is of election %s, not %s", c->head.election_id,
		    election);
	tl_witness_origin(authority, election, origin);
	return tl_cosignatures_verify(c->cosignatures, c->n, witnesses, origin,
	    c->head.size, c->head.root, valid, err);
}

/* --- the witness's side ------------------------------------------------------ */

enum tl_witness_verdict
tl_witness_judge(const struct tl_tree_head *last,
    const struct tl_tree_head *next, const struct tl_merkle_proof *proof,
    char *reason, size_t reason_len)
{
	char a[TL_HASH_HEX_LEN + 1], b[TL_HASH_HEX_LEN + 1];

	if (last == NULL || last->size == 0)
		return TL_WITNESS_COSIGN;
	tl_hex_encode(last->root, TL_SHA256_LEN, a);
	tl_hex_encode(next->root, TL_SHA256_LEN, b);
	if (next->size == last->size) {
		if (memcmp(next->root, last->root, TL_SHA256_LEN) == 0)
			return TL_WITNESS_UNCHANGED;
		snprintf(reason, reason_len, "the authority signed two different "
		    "trees of %" PRIu64 " entries: root %.16s... (cosigned) and "
		    "root %.16s...", next->size, a, b);
		return TL_WITNESS_REFUSE;
	}
	if (next->size < last->size) {
		snprintf(reason, reason_len, "the log shrank: its tree head has "
		    "%" PRIu64 " entries, fewer than the %" PRIu64 " of the tree "
		    "this witness cosigned", next->size, last->size);
		return TL_WITNESS_REFUSE;
	}
	if (proof == NULL || tl_merkle_verify_consistency(last->size,
	    next->size, last->root, next->root, proof) != TL_OK) {
		snprintf(reason, reason_len, "the tree of %" PRIu64 " entries "
		    "(root %.16s...) is not shown to extend the tree of %" PRIu64
		    " entries (root %.16s...) this witness cosigned: %s",
		    next->size, b, last->size, a, proof == NULL ? "no "
		    "consistency proof was given" : "the consistency proof does "
		    "not hold");
		return TL_WITNESS_REFUSE;
	}
	return TL_WITNESS_COSIGN;
}

void
tl_witness_state_free(struct tl_witness_state *s)
{
	if (s == NULL)
		return;
	tl_key_free(s->authority);
	tl_cosigned_head_free(s->cosigned);
	free(s);
}

int
tl_witness_state_new(const char *witness, const char *election,
    const struct tl_key *authority, struct tl_witness_state **out,
    struct tl_error *err)
{
	struct tl_witness_state *s;
	char b64[TL_PUBLIC_B64_LEN + 1];
	int r;

	if (!tl_cosigner_name_valid(witness))
		return tl_error_set(err, TL_EINPUT, "\"%.64s\" is not a witness "
		    "name (1 to %d printable ASCII characters, no space or '+')",
		    witness, TL_COSIGNER_NAME_MAX);
	if (!tl_valid_id(election))
		return tl_error_set(err, TL_EINPUT, "\"%.64s\" is not an "
		    "election id", election);
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	tl_key_public_base64(authority, b64);
	if ((r = tl_key_from_public_base64(b64, &s->authority, err)) !=
	    TL_OK) {
		free(s);
		return r;
	}
	snprintf(s->witness, sizeof(s->witness), "%s", witness);
	snprintf(s->election, sizeof(s->election), "%s", election);
	tl_witness_origin(s->authority, election, s->origin);
	*out = s;
	return TL_OK;
}

#define BADSTATE(...) tl_error_set(err, TL_EINPUT, __VA_ARGS__)

int
tl_witness_state_parse(const char *text, size_t len,
    struct tl_witness_state **out, struct tl_error *err)
{
	static const char *const keys[] = {"witness", "election",
	    "authority_key", "origin", "cosigned", NULL};
	struct tl_witness_state *s = NULL;
	struct tl_key *authority = NULL;
	const char *witness, *election, *key, *origin;
	json_t *doc = NULL, *cosigned;
	int r;

	if ((r = tl_json_load(text, len, TL_WITNESS_DOC_MAX, "witness state",
	    TL_EINPUT, &doc, err)) != TL_OK)
		return r;
	if (!json_is_object(doc)) {
		r = BADSTATE("witness state: not a JSON object");
		goto out;
	}
	if ((r = tl_json_only_keys(doc, keys, "witness state", TL_EINPUT,
	    err)) != TL_OK ||
	    (r = tl_json_string(doc, "witness", 1, "witness state", TL_EINPUT,
	    &witness, err)) != TL_OK ||
	    (r = tl_json_string(doc, "election", 1, "witness state", TL_EINPUT,
	    &election, err)) != TL_OK ||
	    (r = tl_json_string(doc, "authority_key", 1, "witness state",
	    TL_EINPUT, &key, err)) != TL_OK ||
	    (r = tl_json_string(doc, "origin", 1, "witness state", TL_EINPUT,
	    &origin, err)) != TL_OK)
		goto out;
	if ((cosigned = json_object_get(doc, "cosigned")) == NULL) {
		r = BADSTATE("witness state: cosigned: missing");
		goto out;
	}
	if (tl_key_from_public_base64(key, &authority, NULL) != TL_OK) {
		r = BADSTATE("witness state: authority_key: not the base64 of "
		    "an Ed25519 public key");
		goto out;
	}
	if ((r = tl_witness_state_new(witness, election, authority, &s,
	    err)) != TL_OK)
		goto out;
	if (strcmp(origin, s->origin) != 0) {
		r = BADSTATE("witness state: origin \"%.80s\" is not the log of "
		    "election %s and that authority key (%s)", origin, election,
		    s->origin);
		goto out;
	}
	if (!json_is_null(cosigned)) {
		if ((r = tl_cosigned_head_from_json(cosigned,
		    "witness state: cosigned", &s->cosigned, err)) != TL_OK)
			goto out;
		if (strcmp(s->cosigned->head.election_id, election) != 0 ||
		    tl_envelope_verify(s->cosigned->envelope, s->authority,
		    NULL) != TL_OK) {
			r = BADSTATE("witness state: the cosigned tree head is not "
			    "election %s's signed by its authority key", election);
			goto out;
		}
	}
	*out = s;
	s = NULL;
 out:
	tl_witness_state_free(s);
	tl_key_free(authority);
	json_decref(doc);
	return r;
}

int
tl_witness_state_serialize(const struct tl_witness_state *s, char **out,
    struct tl_error *err)
{
	char b64[TL_PUBLIC_B64_LEN + 1];
	json_t *doc;

	tl_key_public_base64(s->authority, b64);
	doc = json_pack("{s:s, s:s, s:s, s:s, s:o}", "witness", s->witness,
	    "election", s->election, "authority_key", b64, "origin", s->origin,
	    "cosigned", s->cosigned != NULL ?
	    tl_cosigned_head_to_json(s->cosigned) : json_null());
	if (doc == NULL || (*out = json_dumps(doc, JSON_INDENT(2) |
	    JSON_PRESERVE_ORDER)) == NULL) {
		json_decref(doc);
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	json_decref(doc);
	return TL_OK;
}

/* The evidence of a refusal (witness.h). */
static json_t *
evidence(const struct tl_witness_state *s, const struct tl_envelope *refused,
    const struct tl_merkle_proof *proof, const char *reason, int64_t now)
{
	char b64[TL_PUBLIC_B64_LEN + 1], when[TL_TIME_LEN], *text = NULL;
	json_t *doc, *head;

	if (tl_envelope_serialize(refused, &text, NULL, NULL) != TL_OK)
		return NULL;
	head = json_loads(text, 0, NULL);
	free(text);
	tl_key_public_base64(s->authority, b64);
	tl_time_format(now, when);
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o}",
	    "evidence", "inconsistent tree heads", "witness", s->witness,
	    "election", s->election, "origin", s->origin, "authority_key", b64,
	    "reason", reason, "found", when,
	    "cosigned", tl_cosigned_head_to_json(s->cosigned),
	    "refused", head,
	    "consistency_proof", proof != NULL ? tl_proof_to_json(proof) :
	    json_null());
	return doc;
}

int
tl_witness_observe(struct tl_witness_state *state, const struct tl_key *key,
    const char *head_text, size_t len, const struct tl_merkle_proof *proof,
    int64_t now, struct tl_witness_outcome *out, struct tl_error *err)
{
	struct tl_cosigned_head *next = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = tl_cosigned_head_new(head_text, len, &next, err)) != TL_OK)
		return r;
	if ((r = tl_envelope_verify(next->envelope, state->authority, err)) !=
	    TL_OK) {
		tl_error_prefix(err, "the tree head is not signed by the "
		    "authority key this witness trusts for election %s",
		    state->election);
		goto out;
	}
	if (strcmp(next->head.election_id, state->election) != 0) {
		r = tl_error_set(err, TL_EWRONGELECTION, "the tree head is of "
		    "election %s, not %s", next->head.election_id,
		    state->election);
		goto out;
	}
	out->head = next->head;
	out->verdict = tl_witness_judge(state->cosigned != NULL ?
	    &state->cosigned->head : NULL, &next->head, proof, out->reason,
	    sizeof(out->reason));
	if (out->verdict == TL_WITNESS_REFUSE) {
		if ((out->evidence = evidence(state, next->envelope, proof,
		    out->reason, now)) == NULL)
			r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	if (out->verdict == TL_WITNESS_UNCHANGED)
		goto out;
	if ((r = tl_cosignature_sign(key, state->witness, state->origin,
	    next->head.size, next->head.root, now < 0 ? 0 : (uint64_t)now,
	    &out->cosignature, err)) != TL_OK ||
	    (r = tl_cosigned_head_add(next, &out->cosignature, err)) != TL_OK)
		goto out;
	tl_cosigned_head_free(state->cosigned);
	state->cosigned = next;
	next = NULL;
 out:
	tl_cosigned_head_free(next);
	return r;
}

/* --- the authority's side: the database ----------------------------------- */

/* The manifest of an election's log (line 1), parsed; TL_ENOTFOUND
 * without one, TL_ESTATE for a draft. */
static int
log_manifest(struct tl_store *store, const char *election,
    struct tl_manifest **out, struct tl_error *err)
{
	struct tl_envelope *env = NULL;
	char *entry = NULL, *kind = NULL;
	size_t len = 0;
	uint64_t size = 0;
	int r;

	if ((r = tl_log_size(store, election, &size, err)) != TL_OK)
		return r;
	if (size == 0)
		return tl_error_set(err, TL_ESTATE, "election %s has no log yet",
		    election);
	if ((r = tl_log_entry(store, election, 0, &entry, &len, &kind, err)) !=
	    TL_OK)
		return r;
	if ((r = tl_envelope_parse(entry, len, TL_ENVELOPE_MAX_DEFAULT, &env,
	    err)) == TL_OK)
		r = tl_manifest_parse((const char *)env->payload,
		    env->payload_len, out, err);
	tl_envelope_free(env);
	free(entry);
	free(kind);
	return r;
}

/* The witnesses of an election with a log that names some. */
static int
election_witnesses(struct tl_store *store, const char *election,
    struct tl_manifest **out, struct tl_error *err)
{
	int r;

	if ((r = log_manifest(store, election, out, err)) != TL_OK)
		return r;
	if ((*out)->witnesses.n == 0) {
		tl_manifest_free(*out);
		*out = NULL;
		return tl_error_set(err, TL_ESTATE, "the manifest of election %s "
		    "names no witnesses", election);
	}
	return TL_OK;
}

int
tl_cosignatures_store(struct tl_store *store, const char *election,
    const char *text, size_t len, int64_t now, size_t *stored,
    struct tl_error *err)
{
	struct tl_cosigned_head *c = NULL, *signed_head = NULL;
	struct tl_manifest *m = NULL;
	struct tl_key *authority = NULL;
	sqlite3_stmt *stmt = NULL;
	char *ours = NULL, b64[TL_COSIGNATURE_B64_LEN + 1];
	unsigned valid = 0;
	int64_t count = 0;
	int r, began = 0;

	if ((r = tl_cosigned_head_parse(text, len, &c, err)) != TL_OK)
		return r;
	if (c->n == 0) {
		r = tl_error_set(err, TL_EINPUT, "the cosigned tree head has no "
		    "cosignature");
		goto out;
	}
	if ((r = tl_db_begin(store, err)) != TL_OK)
		goto out;
	began = 1;
	if ((r = election_witnesses(store, election, &m, err)) != TL_OK ||
	    (r = tl_key_from_public_base64(m->authority_key, &authority,
	    err)) != TL_OK)
		goto out;
	if ((r = tl_cosigned_head_check(c, authority, election, &m->witnesses,
	    &valid, err)) != TL_OK)
		goto out;
	/* A tree head the authority signed, and this database holds: the
	 * same size and root (its time may differ, the checkpoint has none). */
	if ((r = tl_log_head_at(store, election, c->head.size, &ours, err)) !=
	    TL_OK) {
		if (r == TL_ENOTFOUND)
			tl_error_set(err, TL_ENOTFOUND, "election %s has no signed "
			    "tree head of %" PRIu64 " entries", election,
			    c->head.size);
		goto out;
	}
	if ((r = tl_cosigned_head_new(ours, strlen(ours), &signed_head, err)) !=
	    TL_OK)
		goto out;
	if (memcmp(signed_head->head.root, c->head.root, TL_SHA256_LEN) != 0) {
		r = tl_error_set(err, TL_EVERIFY, "the cosigned tree of %" PRIu64
		    " entries has another root than the log's: it is not this "
		    "log's tree", c->head.size);
		goto out;
	}
	for (size_t i = 0; i < c->n; i++) {
		const struct tl_cosignature *cs = &c->cosignatures[i];

		if ((r = tl_cosignature_encode(cs, b64)) != TL_OK ||
		    (r = tl_db_prepare(store, "INSERT INTO cosignatures "
		    "(election_id, size, root, witness, signature, signed_at, "
		    "received_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
		    "(election_id, size, witness) DO UPDATE SET signature = "
		    "excluded.signature, signed_at = excluded.signed_at, "
		    "received_at = excluded.received_at WHERE excluded.signed_at "
		    "> cosignatures.signed_at", &stmt, err)) != TL_OK) {
			if (r == TL_ENOMEM)
				tl_error_set(err, r, "out of memory");
			goto out;
		}
		sqlite3_bind_text(stmt, 1, election, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 2, (sqlite3_int64)c->head.size);
		sqlite3_bind_blob(stmt, 3, c->head.root, TL_SHA256_LEN,
		    SQLITE_STATIC);
		sqlite3_bind_text(stmt, 4, cs->witness, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 5, b64, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 6, (sqlite3_int64)cs->timestamp);
		sqlite3_bind_int64(stmt, 7, now);
		r = tl_db_step_done(store, stmt, err, "cannot store the "
		    "cosignature");
		sqlite3_finalize(stmt);
		stmt = NULL;
		if (r != TL_OK)
			goto out;
	}
	if ((r = tl_db_prepare(store, "SELECT COUNT(*) FROM cosignatures WHERE "
	    "election_id = ? AND size = ?", &stmt, err)) != TL_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, election, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)c->head.size);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		r = tl_db_error(store, err, "cannot count the cosignatures");
		goto out;
	}
	count = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	stmt = NULL;
	if ((r = tl_db_commit(store, err)) != TL_OK)
		goto out;
	began = 0;
	if (stored != NULL)
		*stored = (size_t)count;
 out:
	sqlite3_finalize(stmt);
	if (began)
		tl_db_rollback(store);
	tl_cosigned_head_free(c);
	tl_cosigned_head_free(signed_head);
	tl_manifest_free(m);
	tl_key_free(authority);
	free(ours);
	return r;
}

/* Adds the stored cosignatures of the tree of `size` to c (those of
 * witnesses m names and whose root is c's). */
static int
load_cosignatures(struct tl_store *store, const char *election,
    struct tl_cosigned_head *c, const struct tl_witness_list *witnesses,
    struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	struct tl_cosignature cs;
	int r, step;

	if ((r = tl_db_prepare(store, "SELECT witness, signature FROM "
	    "cosignatures WHERE election_id = ? AND size = ? AND root = ? "
	    "ORDER BY witness", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, election, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)c->head.size);
	sqlite3_bind_blob(stmt, 3, c->head.root, TL_SHA256_LEN, SQLITE_STATIC);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *w = (const char *)sqlite3_column_text(stmt, 0);
		const char *sig = (const char *)sqlite3_column_text(stmt, 1);

		if (w == NULL || sig == NULL ||
		    (witnesses != NULL && tl_witness_list_find(witnesses, w) ==
		    NULL))
			continue;
		if ((r = tl_cosignature_decode(w, sig, &cs, err)) != TL_OK ||
		    (r = tl_cosigned_head_add(c, &cs, err)) != TL_OK)
			break;
	}
	if (r == TL_OK && step != SQLITE_DONE)
		r = tl_db_error(store, err, "cannot read the cosignatures");
	sqlite3_finalize(stmt);
	return r;
}

int
tl_cosigned_head_get(struct tl_store *store, const char *election,
    unsigned quorum, uint64_t size, json_t **out, struct tl_error *err)
{
	struct tl_manifest *m = NULL;
	struct tl_cosigned_head *c = NULL;
	sqlite3_stmt *stmt = NULL;
	char *head = NULL;
	json_t *doc = NULL;
	int r, began = 0;

	if ((r = tl_db_read_begin(store, &began, err)) != TL_OK)
		return r;
	if ((r = election_witnesses(store, election, &m, err)) != TL_OK)
		goto out;
	if (quorum == 0)
		quorum = m->witnesses.quorum;
	if (size == 0) {
		/* The largest tree enough named witnesses cosigned. */
		if ((r = tl_db_prepare(store, "SELECT c.size FROM cosignatures c "
		    "JOIN tree_heads h ON h.election_id = c.election_id AND "
		    "h.size = c.size AND h.root = c.root WHERE c.election_id = ? "
		    "GROUP BY c.size HAVING COUNT(*) >= ? ORDER BY c.size DESC "
		    "LIMIT 1", &stmt, err)) != TL_OK)
			goto out;
		sqlite3_bind_text(stmt, 1, election, -1, SQLITE_STATIC);
		sqlite3_bind_int(stmt, 2, (int)quorum);
		if ((r = sqlite3_step(stmt)) == SQLITE_ROW)
			size = (uint64_t)sqlite3_column_int64(stmt, 0);
		else if (r != SQLITE_DONE) {
			r = tl_db_error(store, err, "cannot read the cosignatures");
			goto out;
		}
		if (size == 0) {
			r = tl_error_set(err, TL_ENOTFOUND, "no tree head of "
			    "election %s is cosigned by %u witness%s yet",
			    election, quorum, quorum == 1 ? "" : "es");
			goto out;
		}
	}
	if ((r = tl_log_head_at(store, election, size, &head, err)) != TL_OK ||
	    (r = tl_cosigned_head_new(head, strlen(head), &c, err)) != TL_OK ||
	    (r = load_cosignatures(store, election, c, &m->witnesses, err)) !=
	    TL_OK)
		goto out;
	if ((doc = tl_cosigned_head_to_json(c)) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	*out = doc;
	doc = NULL;
	r = TL_OK;
 out:
	sqlite3_finalize(stmt);
	tl_db_read_end(store, began);
	json_decref(doc);
	tl_cosigned_head_free(c);
	tl_manifest_free(m);
	free(head);
	return r;
}

/* --- the record's cosignature line --------------------------------------- */

#define LINE_PREFIX "{\"cosignatures\":"

int
tl_cosignature_line_is(const char *line, size_t len)
{
	return len >= sizeof(LINE_PREFIX) - 1 &&
	    memcmp(line, LINE_PREFIX, sizeof(LINE_PREFIX) - 1) == 0;
}

/* The canonical bytes of a cosignature line. */
static int
line_serialize(const struct tl_cosignature_line *l, char **out, size_t *len)
{
	char root[TL_HASH_HEX_LEN + 1];
	json_t *doc, *list = json_array();
	int r;

	if (list == NULL)
		return TL_ENOMEM;
	for (size_t i = 0; i < l->n; i++)
		if (json_array_append_new(list,
		    tl_cosignature_to_json(&l->cosignatures[i])) != 0) {
			json_decref(list);
			return TL_ENOMEM;
		}
	tl_hex_encode(l->root, TL_SHA256_LEN, root);
	doc = json_pack("{s:o, s:s, s:s, s:I}", "cosignatures", list,
	    "election", l->election, "root", root, "size",
	    (json_int_t)l->size);
	if (doc == NULL)
		return TL_ENOMEM;
	r = tl_json_dump_canonical(doc, out, len);
	json_decref(doc);
	return r;
}

#define BADLINE(...) tl_error_set(err, TL_EINPUT, __VA_ARGS__)

int
tl_cosignature_line_parse(const char *line, size_t len,
    struct tl_cosignature_line *out, struct tl_error *err)
{
	static const char *const keys[] = {"cosignatures", "election", "root",
	    "size", NULL};
	const char *election, *root;
	json_t *doc = NULL, *list, *item;
	char *again = NULL, at[64];
	size_t again_len = 0, i;
	int64_t size = 0;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = tl_json_load(line, len, TL_WITNESS_DOC_MAX, "the cosignature "
	    "line", TL_EINPUT, &doc, err)) != TL_OK)
		return r;
	if (!json_is_object(doc)) {
		r = BADLINE("the cosignature line is not a JSON object");
		goto out;
	}
	if ((r = tl_json_only_keys(doc, keys, "cosignature line", TL_EINPUT,
	    err)) != TL_OK ||
	    (r = tl_json_array(doc, "cosignatures", 1, "cosignature line",
	    TL_EINPUT, &list, err)) != TL_OK ||
	    (r = tl_json_string(doc, "election", 1, "cosignature line",
	    TL_EINPUT, &election, err)) != TL_OK ||
	    (r = tl_json_string(doc, "root", 1, "cosignature line", TL_EINPUT,
	    &root, err)) != TL_OK ||
	    (r = tl_json_int(doc, "size", 1, 0, INT64_MAX, "cosignature line",
	    TL_EINPUT, &size, err)) != TL_OK)
		goto out;
	if (!tl_valid_id(election) || strlen(root) != TL_HASH_HEX_LEN ||
	    strspn(root, "0123456789abcdef") != TL_HASH_HEX_LEN ||
	    tl_hex_decode(root, out->root, TL_SHA256_LEN) != TL_OK) {
		r = BADLINE("cosignature line: malformed election or root");
		goto out;
	}
	if (json_array_size(list) == 0 ||
	    json_array_size(list) > TL_MAX_WITNESSES) {
		r = BADLINE("cosignature line: cosignatures must hold 1 to %d",
		    TL_MAX_WITNESSES);
		goto out;
	}
	snprintf(out->election, sizeof(out->election), "%s", election);
	out->size = (uint64_t)size;
	json_array_foreach(list, i, item) {
		snprintf(at, sizeof(at), "cosignature line: cosignatures[%zu]",
		    i);
		if ((r = tl_cosignature_from_json(item, at,
		    &out->cosignatures[i], err)) != TL_OK)
			goto out;
		if (i > 0 && strcmp(out->cosignatures[i - 1].witness,
		    out->cosignatures[i].witness) >= 0) {
			r = BADLINE("%s: witness %s comes after %s; the "
			    "cosignatures are in the order of their witnesses' "
			    "names, each once", at, out->cosignatures[i].witness,
			    out->cosignatures[i - 1].witness);
			goto out;
		}
		out->n = i + 1;
	}
	if ((r = line_serialize(out, &again, &again_len)) != TL_OK) {
		tl_error_set(err, r, "out of memory");
		goto out;
	}
	if (again_len != len || memcmp(again, line, len) != 0) {
		r = BADLINE("the cosignature line is not in its canonical form "
		    "(compact JSON, members sorted by name)");
		goto out;
	}
	r = TL_OK;
 out:
	free(again);
	json_decref(doc);
	return r;
}

int
tl_cosignature_line_export(struct tl_store *store, const char *election,
    uint64_t size, const uint8_t root[TL_SHA256_LEN], char **out,
    struct tl_error *err)
{
	struct tl_cosignature_line l;
	sqlite3_stmt *stmt = NULL;
	int r, step;

	*out = NULL;
	memset(&l, 0, sizeof(l));
	snprintf(l.election, sizeof(l.election), "%s", election);
	l.size = size;
	memcpy(l.root, root, TL_SHA256_LEN);
	if ((r = tl_db_prepare(store, "SELECT witness, signature FROM "
	    "cosignatures WHERE election_id = ? AND size = ? AND root = ? "
	    "ORDER BY witness LIMIT 16", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, election, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)size);
	sqlite3_bind_blob(stmt, 3, root, TL_SHA256_LEN, SQLITE_STATIC);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW && l.n <
	    TL_MAX_WITNESSES) {
		const char *w = (const char *)sqlite3_column_text(stmt, 0);
		const char *sig = (const char *)sqlite3_column_text(stmt, 1);

		if (w == NULL || sig == NULL)
			continue;
		if ((r = tl_cosignature_decode(w, sig, &l.cosignatures[l.n],
		    err)) != TL_OK)
			goto out;
		l.n++;
	}
	if (step != SQLITE_DONE && step != SQLITE_ROW) {
		r = tl_db_error(store, err, "cannot read the cosignatures");
		goto out;
	}
	if (l.n > 0 && (r = line_serialize(&l, out, NULL)) != TL_OK)
		tl_error_set(err, r, "out of memory");
 out:
	sqlite3_finalize(stmt);
	return r;
}
