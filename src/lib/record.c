/*
 * record.c: the public record: exporting an election's log as JSON Lines
 * with its final signed tree head, and reading a record back far enough to
 * serve receipts and proofs (its manifest, its entries, its Merkle tree and
 * the tree head that signs them).  Full verification is record_verify.c.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "record_internal.h"
#include "store_internal.h"
#include "teller/credential.h"
#include "teller/election.h"
#include "teller/export.h"
#include "teller/log.h"
#include "teller/record.h"
#include "teller/statement.h"

struct tl_record {
	char *text;
	size_t len;
	struct record_line *lines;
	size_t nlines;
	uint64_t size;                 /* entries: the lines before the head */
	struct tl_merkle_mem tree;
	struct tl_manifest *manifest;
	char manifest_hash[TL_HASH_HEX_LEN + 1];
	struct tl_key *authority;
	char *head_text;
	struct tl_tree_head head;
	int has_cosignatures;
	struct tl_cosignature_line cosignatures;
};

int
tl_record_split_lines(const char *text, size_t len,
    struct record_line **lines, size_t *nlines)
{
	struct record_line *out = NULL;
	const char *p = text, *end = text + len;
	size_t n = 0, i = 0;

	for (const char *q = p; q < end; n++) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));

		q = nl != NULL ? nl + 1 : end;
	}
	if (n != 0 && (out = calloc(n, sizeof(*out))) == NULL)
		return TL_ENOMEM;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		out[i].data = p;
		out[i].len = l;
		i++;
		p = nl != NULL ? nl + 1 : end;
	}
	*lines = out;
	*nlines = n;
	return TL_OK;
}

/*
 * A record's line must be the canonical bytes of its envelope (envelope.h,
 * doc/record-format.md):
 *
 *   {"payloadType":"T","payload":"P","signatures":[{"keyid":"K","sig":"S"}]}
 *
 * with T one of teller's payload types, P and S standard base64 and K 64
 * lowercase hex digits: a template with no escapes and no white space, so
 * a line in that form is read by matching it, without a JSON parser (which
 * costs more than anything else a verifier does for a ballot but its
 * signature).  Anything else goes through tl_envelope_parse, which names
 * what is wrong, and then fails as not canonical.
 */
static const char *const canonical_types[] = {
	TL_TYPE_MANIFEST, TL_TYPE_ROLL, TL_TYPE_BALLOT, TL_TYPE_CLOSE,
	TL_TYPE_RESULT, TL_TYPE_TREE_HEAD, TL_TYPE_RECEIPT,
	TL_TYPE_CANDIDATE, TL_TYPE_PETITION, TL_TYPE_ENDORSEMENT,
	TL_TYPE_AMENDMENT, TL_TYPE_CERTIFICATION, TL_TYPE_CHALLENGE,
	TL_TYPE_DECISION, TL_TYPE_FINAL, TL_TYPE_CREDENTIAL_KEYS,
	TL_TYPE_CREDENTIAL_REQUEST, TL_TYPE_CREDENTIAL, TL_TYPE_UNSEAL,
};

static int
read_template(const char *data, size_t len, struct tl_envelope **out)
{
	const char *p = data, *end = data + len, *type = NULL, *payload, *sig;
	const char *keyid;
	struct tl_envelope *env = NULL;
	uint8_t *raw = NULL, *bytes = NULL;
	size_t payload_len, raw_len = 0, bytes_len = 0;
	int r = TL_EINPUT;

	if (!TL_JSON_TAKE(&p, end, "{\"payloadType\":\""))
		return TL_EINPUT;
	for (size_t i = 0; i < sizeof(canonical_types) /
	    sizeof(canonical_types[0]) && type == NULL; i++)
		if (tl_json_take_literal(&p, end, canonical_types[i],
		    strlen(canonical_types[i])))
			type = canonical_types[i];
	if (type == NULL || !TL_JSON_TAKE(&p, end, "\",\"payload\":\""))
		return TL_EINPUT;
	payload = p;
	payload_len = tl_json_quoted_len(p, end);
	p += payload_len;
	if (!TL_JSON_TAKE(&p, end, "\",\"signatures\":[{\"keyid\":\""))
		return TL_EINPUT;
	keyid = p;
	for (size_t i = 0; i < TL_KEYID_LEN; i++, p++)
		if (p == end || !((*p >= '0' && *p <= '9') ||
		    (*p >= 'a' && *p <= 'f')))
			return TL_EINPUT;
	if (!TL_JSON_TAKE(&p, end, "\",\"sig\":\""))
		return TL_EINPUT;
	sig = p;
	p += tl_json_quoted_len(p, end);
	if ((size_t)(p - sig) != 88 || !TL_JSON_TAKE(&p, end, "\"}]}") || p != end)
		return TL_EINPUT;
	if (tl_base64_decode(payload, payload_len, &bytes, &bytes_len) != TL_OK ||
	    tl_base64_decode(sig, 88, &raw, &raw_len) != TL_OK ||
	    raw_len != TL_ED25519_SIG_LEN)
		goto out;
	r = TL_ENOMEM;
	if ((env = calloc(1, sizeof(*env))) == NULL ||
	    (env->payload_type = strdup(type)) == NULL ||
	    (env->signatures = calloc(1, sizeof(*env->signatures))) == NULL ||
	    (env->payload = realloc(bytes, bytes_len + 1)) == NULL)
		goto out;
	bytes = NULL;
	env->payload[bytes_len] = '\0';
	env->payload_len = bytes_len;
	memcpy(env->signatures[0].keyid, keyid, TL_KEYID_LEN);
	env->signatures[0].keyid[TL_KEYID_LEN] = '\0';
	memcpy(env->signatures[0].sig, raw, TL_ED25519_SIG_LEN);
	env->nsignatures = 1;
	*out = env;
	env = NULL;
	r = TL_OK;
 out:
	tl_envelope_free(env);
	free(bytes);
	free(raw);
	return r;
}

int
tl_record_read_envelope(const char *data, size_t len, size_t max,
    struct tl_envelope **out, struct tl_error *err)
{
	struct tl_envelope *env = NULL;
	char *canonical = NULL;
	size_t canonical_len = 0;
	int r;

	if (len > max)
		return tl_error_set(err, TL_ETOOBIG,
		    "envelope is %zu bytes, over the limit of %zu", len, max);
	if ((r = read_template(data, len, out)) != TL_EINPUT) {
		if (r != TL_OK)
			tl_error_set(err, r, "out of memory");
		return r;
	}
	/* Not the template: say why, as precisely as the parser can. */
	if ((r = tl_envelope_parse(data, len, max, &env, err)) != TL_OK)
		return r;
	if ((r = tl_envelope_serialize(env, &canonical, &canonical_len, err)) !=
	    TL_OK)
		goto out;
	if (canonical_len != len || memcmp(canonical, data, len) != 0) {
		r = tl_error_set(err, TL_EINPUT, "the line is an envelope but "
		    "not in its canonical form (compact JSON with payloadType, "
		    "payload and signatures in that order), so it is not the "
		    "entry that was logged");
		goto out;
	}
	/* Canonical, but of a type teller does not know, or with more than
	 * one signature: the caller says what is wrong with it. */
	*out = env;
	env = NULL;
 out:
	tl_envelope_free(env);
	free(canonical);
	return r;
}

int
tl_record_check_signature(const struct tl_envelope *env,
    const struct tl_key *key, struct tl_error *err)
{
	if (env->nsignatures != 1)
		return tl_error_set(err, TL_ESIGNATURE,
		    "the envelope has %zu signatures; a record's envelopes "
		    "carry exactly one", env->nsignatures);
	return tl_envelope_verify(env, key, err);
}

/* --- export ------------------------------------------------------------ */

/* Bytes handed to the writer at a time. */
#define EXPORT_CHUNK (64 * 1024)

int
tl_record_export(struct tl_store *store, const char *election_id,
    tl_record_write_fn write, void *ctx, struct tl_error *err)
{
	struct tl_export *x = NULL;
	struct tl_buf buf;
	int r, done = 0;

	/* One read transaction: the entries and the head of one snapshot.
	 * The streaming export (export.h) writes the lines; this only hands
	 * them on in chunks. */
	tl_buf_init(&buf, 2 * EXPORT_CHUNK + TL_ENVELOPE_MAX_ROLL);
	if ((r = tl_db_exec(store, "BEGIN", err)) != TL_OK)
		return r;
	if ((r = tl_export_begin(store, election_id, &x, err)) != TL_OK)
		goto out;
	while (!done) {
		tl_buf_reset(&buf);
		if ((r = tl_export_next(x, store, &buf, EXPORT_CHUNK, &done,
		    err)) != TL_OK)
			goto out;
		if (buf.len > 0 && write(ctx, buf.data, buf.len) != 0) {
			r = tl_error_set(err, TL_EIO, "cannot write the record of "
			    "%s", election_id);
			goto out;
		}
	}
 out:
	tl_db_rollback(store); /* ends the read transaction */
	tl_export_free(x);
	tl_buf_free(&buf);
	return r;
}

/* --- reading a record ---------------------------------------------------- */

void
tl_record_free(struct tl_record *rec)
{
	if (rec == NULL)
		return;
	free(rec->text);
	free(rec->lines);
	tl_merkle_mem_free(&rec->tree);
	tl_manifest_free(rec->manifest);
	tl_key_free(rec->authority);
	free(rec->head_text);
	free(rec);
}

/* Line 1: the manifest, signed by the authority key it names. */
static int
read_manifest(struct tl_record *rec, struct tl_error *err)
{
	struct tl_envelope *env = NULL;
	int r;

	if ((r = tl_record_read_envelope(rec->lines[0].data, rec->lines[0].len,
	    TL_ENVELOPE_MAX_DEFAULT, &env, err)) != TL_OK ||
	    (r = tl_envelope_expect_type(env, TL_TYPE_MANIFEST, err)) != TL_OK ||
	    (r = tl_manifest_parse((const char *)env->payload, env->payload_len,
	    &rec->manifest, err)) != TL_OK)
		goto out;
	if (rec->manifest->authority_key == NULL) {
		r = tl_error_set(err, TL_EMANIFEST, "the manifest names no "
		    "authority_key");
		goto out;
	}
	tl_sha256_hex(env->payload, env->payload_len, rec->manifest_hash);
	if ((r = tl_key_from_public_base64(rec->manifest->authority_key,
	    &rec->authority, err)) != TL_OK ||
	    (r = tl_record_check_signature(env, rec->authority, err)) != TL_OK)
		goto out;
 out:
	tl_envelope_free(env);
	return r;
}

/* The tree head's line: the authority's signed tree head of this
 * election. */
static int
read_head(struct tl_record *rec, size_t lineno, struct tl_error *err)
{
	const struct record_line *line = &rec->lines[lineno - 1];
	struct tl_envelope *env = NULL;
	int r;

	if ((r = tl_record_read_envelope(line->data, line->len,
	    TL_ENVELOPE_MAX_DEFAULT, &env, err)) != TL_OK ||
	    (r = tl_envelope_expect_type(env, TL_TYPE_TREE_HEAD, err)) !=
	    TL_OK ||
	    (r = tl_record_check_signature(env, rec->authority, err)) != TL_OK ||
	    (r = tl_tree_head_parse((const char *)env->payload,
	    env->payload_len, &rec->head, err)) != TL_OK)
		goto out;
	if (strcmp(rec->head.election_id, rec->manifest->id) != 0) {
		r = tl_error_set(err, TL_EWRONGELECTION, "the tree head is of "
		    "election %s, not %s", rec->head.election_id,
		    rec->manifest->id);
		goto out;
	}
	if ((rec->head_text = malloc(line->len + 1)) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(rec->head_text, line->data, line->len);
	rec->head_text[line->len] = '\0';
 out:
	tl_envelope_free(env);
	return r;
}

int
tl_record_parse(const char *data, size_t len, struct tl_record **out,
    struct tl_error *err)
{
	struct tl_record *rec;
	uint8_t leaf[TL_SHA256_LEN], root[TL_SHA256_LEN];
	size_t head_line;
	int r;

	if (len > TL_RECORD_MAX)
		return tl_error_set(err, TL_ETOOBIG, "the record is %zu bytes, "
		    "over the limit of %zu", len, TL_RECORD_MAX);
	if ((rec = calloc(1, sizeof(*rec))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	tl_merkle_mem_init(&rec->tree);
	if ((rec->text = malloc(len + 1)) == NULL ||
	    tl_record_split_lines(memcpy(rec->text, data, len), len,
	    &rec->lines, &rec->nlines) != TL_OK) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	rec->text[len] = '\0';
	rec->len = len;
	head_line = rec->nlines;
	if (rec->nlines >= 3 && tl_cosignature_line_is(rec->lines[head_line -
	    1].data, rec->lines[head_line - 1].len)) {
		if ((r = tl_cosignature_line_parse(rec->lines[head_line - 1].data,
		    rec->lines[head_line - 1].len, &rec->cosignatures, err)) !=
		    TL_OK) {
			tl_error_prefix(err, "line %zu", head_line);
			r = r == TL_ENOMEM ? r : TL_EVERIFY;
			goto out;
		}
		rec->has_cosignatures = 1;
		head_line--;
	}
	if (head_line < 2) {
		r = tl_error_set(err, TL_EVERIFY, "the record has %zu line%s; it "
		    "needs at least a manifest and a signed tree head",
		    rec->nlines, rec->nlines == 1 ? "" : "s");
		goto out;
	}
	if ((r = read_manifest(rec, err)) != TL_OK) {
		tl_error_prefix(err, "line 1");
		r = TL_EVERIFY;
		goto out;
	}
	if ((r = read_head(rec, head_line, err)) != TL_OK) {
		tl_error_prefix(err, "line %zu", head_line);
		r = r == TL_ENOMEM ? r : TL_EVERIFY;
		goto out;
	}
	rec->size = head_line - 1;
	for (size_t i = 0; i < rec->size; i++) {
		if (rec->lines[i].len == 0) {
			r = tl_error_set(err, TL_EVERIFY, "line %zu is empty",
			    i + 1);
			goto out;
		}
		tl_merkle_leaf_hash(rec->lines[i].data, rec->lines[i].len, leaf);
		if ((r = tl_merkle_mem_append(&rec->tree, leaf)) != TL_OK) {
			tl_error_set(err, r, "cannot build the Merkle tree");
			goto out;
		}
	}
	if (rec->head.size != rec->size) {
		r = tl_error_set(err, TL_EVERIFY, "line %zu: the signed tree head "
		    "covers %llu entries but the record has %llu", head_line,
		    (unsigned long long)rec->head.size,
		    (unsigned long long)rec->size);
		goto out;
	}
	if ((r = tl_merkle_root(&rec->tree.store, rec->size, root)) != TL_OK) {
		tl_error_set(err, r, "cannot compute the Merkle root");
		goto out;
	}
	if (memcmp(root, rec->head.root, TL_SHA256_LEN) != 0) {
		r = tl_error_set(err, TL_EVERIFY, "line %zu: the Merkle root of "
		    "the record's %llu entries is not the root its signed tree "
		    "head names; the entries are not the ones that were "
		    "signed", head_line, (unsigned long long)rec->size);
		goto out;
	}
	if (rec->has_cosignatures && (strcmp(rec->cosignatures.election,
	    rec->manifest->id) != 0 || rec->cosignatures.size != rec->size ||
	    memcmp(rec->cosignatures.root, root, TL_SHA256_LEN) != 0)) {
		r = tl_error_set(err, TL_EVERIFY, "line %zu: the cosignature line "
		    "is not of the record's tree head (election %s, %llu "
		    "entries)", head_line + 1, rec->manifest->id,
		    (unsigned long long)rec->size);
		goto out;
	}
	*out = rec;
	rec = NULL;
	r = TL_OK;
 out:
	tl_record_free(rec);
	return r;
}

uint64_t
tl_record_size(const struct tl_record *rec)
{
	return rec->size;
}

const char *
tl_record_election(const struct tl_record *rec)
{
	return rec->manifest->id;
}

const struct tl_manifest *
tl_record_manifest(const struct tl_record *rec)
{
	return rec->manifest;
}

const char *
tl_record_manifest_hash(const struct tl_record *rec)
{
	return rec->manifest_hash;
}

const struct tl_key *
tl_record_authority(const struct tl_record *rec)
{
	return rec->authority;
}

const char *
tl_record_tree_head_text(const struct tl_record *rec)
{
	return rec->head_text;
}

void
tl_record_tree_head(const struct tl_record *rec, uint8_t root[TL_SHA256_LEN],
    uint64_t *size)
{
	memcpy(root, rec->head.root, TL_SHA256_LEN);
	*size = rec->head.size;
}

int
tl_record_entry(const struct tl_record *rec, uint64_t index,
    const char **entry, size_t *len, struct tl_error *err)
{
	if (index >= rec->size)
		return tl_error_set(err, TL_ENOTFOUND, "the record has no entry "
		    "%llu (it has %llu)", (unsigned long long)index,
		    (unsigned long long)rec->size);
	*entry = rec->lines[index].data;
	*len = rec->lines[index].len;
	return TL_OK;
}

int
tl_record_inclusion_proof(const struct tl_record *rec, uint64_t index,
    uint64_t size, struct tl_merkle_proof *proof, struct tl_error *err)
{
	if (size > rec->size || index >= size)
		return tl_error_set(err, TL_EINPUT, "no inclusion proof of entry "
		    "%llu in a tree of %llu (the record has %llu entries)",
		    (unsigned long long)index, (unsigned long long)size,
		    (unsigned long long)rec->size);
	if (tl_merkle_inclusion_proof(&rec->tree.store, index, size, proof) !=
	    TL_OK)
		return tl_error_set(err, TL_EINTERNAL, "cannot build an "
		    "inclusion proof");
	return TL_OK;
}

int
tl_record_consistency_proof(const struct tl_record *rec, uint64_t old_size,
    uint64_t new_size, struct tl_merkle_proof *proof, struct tl_error *err)
{
	if (old_size == 0 || old_size > new_size || new_size > rec->size)
		return tl_error_set(err, TL_EINPUT, "no consistency proof from "
		    "%llu to %llu entries (the record has %llu)",
		    (unsigned long long)old_size, (unsigned long long)new_size,
		    (unsigned long long)rec->size);
	if (tl_merkle_consistency_proof(&rec->tree.store, old_size, new_size,
	    proof) != TL_OK)
		return tl_error_set(err, TL_EINTERNAL, "cannot build a "
		    "consistency proof");
	return TL_OK;
}

int
tl_record_cosigned(const struct tl_record *rec, unsigned *valid,
    struct tl_error *err)
{
	char origin[TL_CHECKPOINT_ORIGIN_MAX + 1];

	*valid = 0;
	if (!rec->has_cosignatures)
		return TL_OK;
	tl_witness_origin(rec->authority, rec->manifest->id, origin);
	return tl_cosignatures_verify(rec->cosignatures.cosignatures,
	    rec->cosignatures.n, &rec->manifest->witnesses, origin, rec->size,
	    rec->head.root, valid, err);
}
