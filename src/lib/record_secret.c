/*
 * record_secret.c: a secret election's part of a record's verification
 * (doc/record-format.md 5.15, and section 9: checks 5 to 7 for secret
 * ballots, 16 for credentials).
 *
 *   before the other lines  the credential keys statement at its place,
 *                           so that ballots can be checked against it
 *   phase one (every core)  a secret ballot: its form, the signature by
 *                           its ballot key, its credential under its
 *                           class key, its class's contests; a request's
 *                           and an issuance's payload
 *   phase two (every core)  a request: its voter on the roll, signed with
 *                           their key, of their class, the blinded message
 *                           below n; an issuance: s^e mod n is the
 *                           blinded message of the request before it
 *   the walk (log order)    where each may be; one credential per voter;
 *                           each issuance answers the request before it;
 *                           the revote rule per ballot key, with the same
 *                           credential; and the bound per class: no more
 *                           ballot keys than credentials issued
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "record_internal.h"
#include "verify_internal.h"
#include "teller/blindrsa.h"
#include "teller/credential.h"
#include "teller/util.h"

/* A ballot key seen in the walk: its first accepted ballot's line, its
 * last seq, its credential (hashed) and class. */
struct key_slot {
	uint8_t key[TL_ED25519_PUBLIC_LEN];
	size_t line;             /* 0: an empty slot */
	int64_t seq;
	uint8_t credential[TL_SHA256_LEN];
	size_t cls;
};

struct secret_walk {
	size_t opens;             /* index of the entry where the vote opens,
	                             plus one; 0 until known */
	size_t keys_walked;       /* the keys statement's line, once walked */
	size_t *request_line;     /* per voter (sorted roll): accepted request */
	size_t *credential_line;  /* per voter: accepted issuance */
	size_t last_request;      /* the last accepted request's index + 1 */
	size_t *issued;           /* per class: credentials issued so far */
	size_t *ballot_keys;      /* per class: ballot keys with a ballot */
	size_t requests, credentials;
	struct key_slot *slots;   /* open addressing, cap a power of two */
	size_t cap, nkeys;
};

/* --- the keys statement ---------------------------------------------------- */

void
tl_verify_find_keys(struct verify *v)
{
	struct tl_envelope *env = NULL;
	struct tl_error err;
	size_t index;
	struct line *l;
	int r;

	v->secret = v->first->secrecy == TL_SECRECY_SECRET;
	if (!v->secret)
		return;
	/* The vote opens after the roll, or after the voting definition of
	 * an election with a nomination stage (line definition_line, entry
	 * definition_line - 1). */
	if (tl_timetable_has_nominations(&v->first->timetable))
		index = v->definition_line;
	else
		index = 2;
	if (index == 0 || index >= v->nentries)
		return;
	l = &v->lines[index];
	tl_error_clear(&err);
	if (tl_record_read_envelope(l->data, l->len, TL_ENVELOPE_MAX_DEFAULT,
	    &env, &err) != TL_OK ||
	    strcmp(env->payload_type, TL_TYPE_CREDENTIAL_KEYS) != 0)
		goto out; /* the walk says what is there instead */
	v->keys_line = index + 1;
	if (tl_verify_authority_signature(v, v->keys_line, env,
	    "the credential keys statement") != TL_OK)
		goto out;
	if ((r = tl_credential_keys_parse((const char *)env->payload,
	    env->payload_len, v->manifest, &v->keys, &err)) != TL_OK) {
		tl_verify_problem(v, v->keys_line, CHECK_CREDENTIALS, r, "%s",
		    err.message);
		goto out;
	}
	if (strcmp(v->keys->election, v->manifest->id) != 0 ||
	    strcmp(v->keys->manifest, v->hash) != 0) {
		tl_verify_problem(v, v->keys_line, CHECK_CREDENTIALS,
		    TL_EWRONGELECTION, "the credential keys statement is of "
		    "election %.64s with manifest %.16s..., not of this "
		    "election's definition in force (%.16s...)",
		    v->keys->election, v->keys->manifest, v->hash);
		tl_credential_keys_free(v->keys);
		v->keys = NULL;
	}
 out:
	tl_envelope_free(env);
}

void
tl_verify_keys_match_roll(struct verify *v)
{
	struct tl_credential_keys *classes = NULL;
	struct tl_error err;
	int r;

	if (v->keys == NULL || v->roll == NULL)
		return;
	tl_error_clear(&err);
	if ((r = tl_credential_classes(v->manifest, v->roll, &classes,
	    &err)) != TL_OK ||
	    (r = tl_credential_keys_match(v->keys, classes, v->manifest,
	    &err)) != TL_OK)
		tl_verify_problem(v, v->keys_line, CHECK_CREDENTIALS, r, "the "
		    "credential keys statement's classes are not the roll's: %s",
		    err.message);
	else {
		for (size_t i = 0; i < v->keys->nclasses; i++)
			v->keys->classes[i].voters = classes->classes[i].voters;
		v->keys_ok = 1;
	}
	tl_credential_keys_free(classes);
}

/* --- phase one and phase two ----------------------------------------------- */

static void
problem(struct verify *v, struct line *l, enum check check, int code,
    const char *message)
{
	struct tl_error err;

	tl_error_set(&err, code, "%s", message);
	if (l->message != NULL)
		return;
	l->check = check;
	l->code = code;
	if ((l->message = strdup(err.message)) == NULL)
		atomic_store(&v->out_of_memory, 1);
}

static void
problem_err(struct verify *v, struct line *l, enum check check,
    const struct tl_error *err)
{
	if (err->code == TL_ENOMEM)
		atomic_store(&v->out_of_memory, 1);
	problem(v, l, check, err->code, err->message);
}

/* A secret ballot: everything that needs neither the roll nor the log's
 * order. */
static void
read_ballot(struct verify *v, struct line *l, struct tl_envelope *env)
{
	struct tl_key *key = NULL;
	struct tl_error err;

	tl_error_clear(&err);
	if (tl_ballot_parse((const char *)env->payload, env->payload_len,
	    v->manifest, v->hash, &l->ballot, &err) != TL_OK) {
		problem_err(v, l, CHECK_BALLOTS, &err);
		return;
	}
	atomic_fetch_add(&v->voter_signatures, 1);
	if (tl_key_from_public_raw(l->ballot->credential->ballot_key, &key,
	    &err) != TL_OK) {
		problem(v, l, CHECK_BALLOTS, TL_EBALLOT, "ballot.ballot_key: not "
		    "an Ed25519 public key");
		goto drop;
	}
	if (tl_record_check_signature(env, key, &err) != TL_OK) {
		tl_error_prefix(&err, "the secret ballot is not signed by the "
		    "ballot key it carries");
		problem(v, l, CHECK_SIGNATURES, TL_ESIGNATURE, err.message);
		goto drop;
	}
	atomic_fetch_add(&v->voter_signatures_valid, 1);
	if (v->keys == NULL) {
		problem(v, l, CHECK_CREDENTIALS, TL_EVERIFY, "the election has no "
		    "valid credential keys statement, so no secret ballot can be "
		    "accepted");
		goto drop;
	}
	atomic_fetch_add(&v->credentials_checked, 1);
	if (tl_credential_check_ballot(v->keys, v->manifest, v->hash, l->ballot,
	    &err) != TL_OK) {
		problem_err(v, l, err.code == TL_ESIGNATURE ? CHECK_SIGNATURES :
		    CHECK_BALLOTS, &err);
		goto drop;
	}
	atomic_fetch_add(&v->credentials_valid, 1);
	if (tl_ballot_check_constituency(l->ballot, v->manifest,
	    l->ballot->credential->constituency_index, &err) != TL_OK) {
		problem_err(v, l, CHECK_BALLOTS, &err);
		goto drop;
	}
	tl_key_free(key);
	return;
 drop:
	tl_key_free(key);
	tl_ballot_free(l->ballot);
	l->ballot = NULL;
}

void
tl_verify_secret_read(struct verify *v, struct line *l,
    struct tl_envelope *env)
{
	struct tl_error err;
	int r;

	tl_error_clear(&err);
	if (l->type == TYPE_BALLOT) {
		read_ballot(v, l, env);
		tl_envelope_free(env);
		return;
	}
	if (l->len > TL_ENVELOPE_MAX_CREDENTIAL) {
		tl_error_set(&err, TL_ETOOBIG, "a %s of %zu bytes is over the "
		    "limit of %d", tl_verify_type_name(l->type), l->len,
		    TL_ENVELOPE_MAX_CREDENTIAL);
		problem_err(v, l, CHECK_CREDENTIALS, &err);
		tl_envelope_free(env);
		return;
	}
	if (l->type == TYPE_CREDENTIAL_REQUEST) {
		if ((l->request = calloc(1, sizeof(*l->request))) == NULL)
			r = tl_error_set(&err, TL_ENOMEM, "out of memory");
		else
			r = tl_credential_request_parse((const char *)env->payload,
			    env->payload_len, l->request, &err);
	} else {
		if ((l->issuance = calloc(1, sizeof(*l->issuance))) == NULL)
			r = tl_error_set(&err, TL_ENOMEM, "out of memory");
		else
			r = tl_credential_issuance_parse(
			    (const char *)env->payload, env->payload_len,
			    l->issuance, &err);
	}
	if (r != TL_OK) {
		problem_err(v, l, CHECK_CREDENTIALS, &err);
		free(l->request);
		free(l->issuance);
		l->request = NULL;
		l->issuance = NULL;
	}
	/* The request's signature (phase two) and the issuance's (the
	 * walk) are checked on the envelope. */
	l->env = env;
}

/* The class key of a request, or NULL (a problem on l). */
static const struct tl_credential_class *
request_class(struct verify *v, struct line *l,
    const struct tl_credential_request *q)
{
	const struct tl_credential_class *cls = NULL;
	size_t ci = tl_manifest_constituency_index(v->manifest,
	    q->constituency);

	if (ci != (size_t)-1)
		cls = tl_credential_class_find(v->keys, ci, q->weight);
	if (cls == NULL)
		problem(v, l, CHECK_CREDENTIALS, TL_EVERIFY, "the request's class "
		    "is not one of the credential keys statement's");
	return cls;
}

static void
check_request(struct verify *v, struct line *l)
{
	const struct tl_credential_request *q = l->request;
	const struct tl_credential_class *cls;
	const struct tl_voter *voter;
	struct tl_error err;
	char what[160];

	tl_error_clear(&err);
	if ((voter = tl_roll_find(v->roll, q->voter)) == NULL) {
		snprintf(what, sizeof(what), "credential request: voter %s is "
		    "not on the roll", q->voter);
		problem(v, l, CHECK_CREDENTIALS, TL_ENOTONROLL, what);
		return;
	}
	l->voter = (size_t)(voter - v->roll->voters);
	atomic_fetch_add(&v->voter_signatures, 1);
	if (tl_verify_voter_signed(v, l->voter, l->env, &err) != TL_OK) {
		tl_error_prefix(&err, "credential request of voter %s is not "
		    "signed by the key the roll gives them", voter->id);
		problem(v, l, CHECK_SIGNATURES, TL_ESIGNATURE, err.message);
		return;
	}
	atomic_fetch_add(&v->voter_signatures_valid, 1);
	if (strcmp(q->constituency, voter->constituency) != 0 ||
	    q->weight != voter->weight) {
		snprintf(what, sizeof(what), "credential request of voter %s "
		    "names class (%.20s, weight %lld), but theirs is (%.20s, "
		    "weight %lld)", voter->id, q->constituency,
		    (long long)q->weight, voter->constituency,
		    (long long)voter->weight);
		problem(v, l, CHECK_CREDENTIALS, TL_EVERIFY, what);
		return;
	}
	if (strcmp(q->election, v->manifest->id) != 0 ||
	    strcmp(q->manifest, v->hash) != 0) {
		problem(v, l, CHECK_CREDENTIALS, TL_EWRONGELECTION, "the "
		    "credential request is of another election or manifest");
		return;
	}
	if ((cls = request_class(v, l, q)) == NULL)
		return;
	if (!tl_blindrsa_in_range(cls->key, q->blinded, q->blinded_len)) {
		problem(v, l, CHECK_CREDENTIALS, TL_EVERIFY, "the blinded message "
		    "is not k bytes of an integer below the class key's modulus");
		return;
	}
	l->checked = 1;
}

static void
check_issuance(struct verify *v, struct line *l, const struct line *prev)
{
	const struct tl_credential_class *cls;
	const struct tl_credential_request *q = prev->request;

	/* Whether the previous entry is its request is the walk's check;
	 * here, the arithmetic, when there is a request to check against. */
	if (prev->type != TYPE_CREDENTIAL_REQUEST || q == NULL ||
	    (cls = request_class(v, l, q)) == NULL)
		return;
	atomic_fetch_add(&v->credentials_checked, 1);
	if (tl_blindrsa_check_blind_signature(cls->key, q->blinded,
	    q->blinded_len, l->issuance->blind_signature,
	    l->issuance->blind_signature_len) != TL_OK) {
		problem(v, l, CHECK_CREDENTIALS, TL_ESIGNATURE, "the blind "
		    "signature does not match its request: s^e mod n is not the "
		    "request's blinded message under its class key");
		return;
	}
	atomic_fetch_add(&v->credentials_valid, 1);
	l->checked = 1;
}

/* An issuance's authority signature, here on a worker rather than in
 * the walk: there is one a credential, as many as the ballots. */
static int
check_authority_signed(struct verify *v, struct line *l)
{
	struct tl_error err;

	tl_error_clear(&err);
	if (tl_record_check_signature(l->env, v->authority, &err) == TL_OK) {
		l->authority_signed = 1;
		return TL_OK;
	}
	l->authority_signed = -1;
	tl_error_prefix(&err, "the credential issuance: not signed by the "
	    "authority key of the manifest");
	problem(v, l, CHECK_SIGNATURES, TL_ESIGNATURE, err.message);
	return TL_ESIGNATURE;
}

void
tl_verify_secret_check(struct verify *v, struct line *l)
{
	if (v->keys == NULL)
		return;
	if (l->type == TYPE_CREDENTIAL_REQUEST && l->request != NULL)
		check_request(v, l);
	else if (l->type == TYPE_CREDENTIAL && l->issuance != NULL &&
	    l->env != NULL && l > v->lines &&
	    check_authority_signed(v, l) == TL_OK)
		check_issuance(v, l, l - 1);
}

/* --- the walk ---------------------------------------------------------------- */

int
tl_verify_secret_start(struct verify *v, struct walk *w)
{
	struct secret_walk *s;
	size_t nvoters = v->roll != NULL ? v->roll->nvoters : 0;
	size_t nclasses = v->keys != NULL ? v->keys->nclasses : 0;

	if (!v->secret)
		return TL_OK;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return TL_ENOMEM;
	w->secret = s;
	s->request_line = calloc(nvoters + 1, sizeof(*s->request_line));
	s->credential_line = calloc(nvoters + 1, sizeof(*s->credential_line));
	s->issued = calloc(nclasses + 1, sizeof(*s->issued));
	s->ballot_keys = calloc(nclasses + 1, sizeof(*s->ballot_keys));
	for (s->cap = 64; s->cap < 2 * (v->nentries + 1); s->cap *= 2)
		;
	s->slots = calloc(s->cap, sizeof(*s->slots));
	if (s->request_line == NULL || s->credential_line == NULL ||
	    s->issued == NULL || s->ballot_keys == NULL || s->slots == NULL)
		return TL_ENOMEM;
	if (!tl_timetable_has_nominations(&v->first->timetable))
		s->opens = 2 + 1;
	return TL_OK;
}

void
tl_verify_secret_free(struct walk *w)
{
	struct secret_walk *s = w->secret;

	if (s == NULL)
		return;
	free(s->request_line);
	free(s->credential_line);
	free(s->issued);
	free(s->ballot_keys);
	free(s->slots);
	free(s);
	w->secret = NULL;
}

void
tl_verify_secret_place(struct verify *v, struct walk *w,
    const struct line *l, size_t index)
{
	if (w->secret == NULL || w->secret->opens != index + 1 ||
	    l->type == TYPE_CREDENTIAL_KEYS)
		return;
	tl_verify_problem(v, index + 1, CHECK_ORDER, TL_EVERIFY, "the vote of a "
	    "secret election opens with its credential keys statement, not a "
	    "%s", tl_verify_type_name(l->type));
}

void
tl_verify_secret_opened(struct verify *v, struct walk *w, size_t index)
{
	(void)v;
	if (w->secret != NULL && w->secret->opens == 0)
		w->secret->opens = index + 1;
}

static size_t
class_index(const struct verify *v, const struct tl_credential_class *cls)
{
	return (size_t)(cls - v->keys->classes);
}

static void
walk_keys(struct verify *v, struct walk *w, size_t lineno)
{
	struct secret_walk *s = w->secret;

	if (s == NULL) {
		tl_verify_problem(v, lineno, CHECK_ORDER, TL_EVERIFY, "a "
		    "credential keys statement in an open election (its "
		    "manifest's secrecy is \"open\")");
		return;
	}
	if (lineno != v->keys_line || s->keys_walked != 0) {
		tl_verify_problem(v, lineno, CHECK_ORDER, TL_EVERIFY, "a "
		    "credential keys statement out of its place: it is the first "
		    "entry of the vote, once");
		return;
	}
	s->keys_walked = lineno;
}

static void
walk_request(struct verify *v, struct walk *w, struct line *l,
    size_t lineno)
{
	struct secret_walk *s = w->secret;
	const struct tl_voter *voter;

	s->requests++;
	if (w->stage != STAGE_OPEN) {
		tl_verify_problem(v, lineno, CHECK_ORDER, TL_EVERIFY, "a "
		    "credential request while the vote is not open");
		return;
	}
	if (!v->keys_ok) {
		tl_verify_problem(v, lineno, CHECK_CREDENTIALS, TL_EVERIFY, "no "
		    "credential request can be accepted without an accepted "
		    "credential keys statement");
		return;
	}
	if (!l->checked)
		return; /* its problem was found in phase one or two */
	voter = &v->roll->voters[l->voter];
	if (s->request_line[l->voter] != 0) {
		tl_verify_problem(v, lineno, CHECK_CREDENTIALS, TL_ECREDENTIAL,
		    "voter %s asked for a credential already on line %zu: one "
		    "credential per voter", voter->id,
		    s->request_line[l->voter]);
		return;
	}
	if (lineno >= v->nentries ||
	    v->lines[lineno].type != TYPE_CREDENTIAL) {
		tl_verify_problem(v, lineno, CHECK_CREDENTIALS, TL_EVERIFY,
		    "credential request of voter %s: the next entry is not its "
		    "issuance", voter->id);
		return;
	}
	s->request_line[l->voter] = lineno;
	s->last_request = lineno;
}

static void
walk_issuance(struct verify *v, struct walk *w, struct line *l,
    size_t lineno)
{
	struct secret_walk *s = w->secret;
	const struct line *prev = &v->lines[lineno - 2];
	const struct tl_credential_class *cls;
	char hash[TL_HASH_HEX_LEN + 1];

	if (w->stage != STAGE_OPEN) {
		tl_verify_problem(v, lineno, CHECK_ORDER, TL_EVERIFY, "a "
		    "credential issuance while the vote is not open");
		return;
	}
	if (l->authority_signed != 0) {
		/* Verified in phase two; its problem is the line's. */
		v->authority_signatures++;
		if (l->authority_signed < 0)
			return;
		v->authority_signatures_valid++;
	} else if (tl_verify_authority_signature(v, lineno, l->env,
	    "the credential issuance") != TL_OK)
		return;
	if (l->issuance == NULL)
		return;
	if (s->last_request != lineno - 1) {
		tl_verify_problem(v, lineno, CHECK_CREDENTIALS, TL_EVERIFY, "a "
		    "credential issuance that does not follow an accepted "
		    "credential request");
		return;
	}
	tl_sha256_hex(prev->data, prev->len, hash);
	if (strcmp(l->issuance->request, hash) != 0 ||
	    strcmp(l->issuance->election, v->manifest->id) != 0) {
		tl_verify_problem(v, lineno, CHECK_CREDENTIALS, TL_EVERIFY, "the "
		    "credential issuance names request %.16s... of election "
		    "%.64s, but the request before it is %.16s...",
		    l->issuance->request, l->issuance->election, hash);
		return;
	}
	if (!l->checked)
		return; /* the blind signature's problem, from phase two */
	cls = tl_credential_class_find(v->keys, tl_manifest_constituency_index(
	    v->manifest, prev->request->constituency), prev->request->weight);
	s->issued[class_index(v, cls)]++;
	s->credential_line[prev->voter] = lineno;
	s->credentials++;
}

void
tl_verify_secret_entry(struct verify *v, struct walk *w, struct line *l,
    size_t lineno)
{
	switch (l->type) {
	case TYPE_CREDENTIAL_KEYS:
		walk_keys(v, w, lineno);
		return;
	case TYPE_CREDENTIAL_REQUEST:
	case TYPE_CREDENTIAL:
		if (w->secret == NULL) {
			tl_verify_problem(v, lineno, CHECK_ORDER, TL_EVERIFY, "a %s "
			    "in an open election (its manifest's secrecy is "
			    "\"open\")", tl_verify_type_name(l->type));
			return;
		}
		if (l->type == TYPE_CREDENTIAL_REQUEST)
			walk_request(v, w, l, lineno);
		else
			walk_issuance(v, w, l, lineno);
		return;
	default:
		return;
	}
}

/* The slot of a ballot key in the walk's table (empty if new). */
static struct key_slot *
slot_of(struct secret_walk *s, const uint8_t key[TL_ED25519_PUBLIC_LEN])
{
	size_t h = 0;

	/* A public key is uniform enough to hash by its first bytes. */
	memcpy(&h, key, sizeof(h));
	for (h &= s->cap - 1;; h = (h + 1) & (s->cap - 1))
		if (s->slots[h].line == 0 ||
		    memcmp(s->slots[h].key, key, TL_ED25519_PUBLIC_LEN) == 0)
			return &s->slots[h];
}

void
tl_verify_secret_ballot(struct verify *v, struct walk *w, struct line *l,
    size_t lineno)
{
	struct secret_walk *s = w->secret;
	const struct tl_ballot_credential *c = l->ballot->credential;
	const struct tl_credential_class *cls;
	const char *policy = v->manifest->revote == TL_REVOTE_FIRST ? "first" :
	    "last";
	struct key_slot *slot;
	struct tl_iov parts[2];
	uint8_t hash[TL_SHA256_LEN];
	size_t ci;

	if (!v->keys_ok) {
		tl_verify_problem(v, lineno, CHECK_CREDENTIALS, TL_EVERIFY, "no "
		    "secret ballot can be accepted without an accepted "
		    "credential keys statement");
		goto drop;
	}
	cls = tl_credential_class_find(v->keys, c->constituency_index,
	    c->weight);
	ci = class_index(v, cls);
	parts[0] = (struct tl_iov){c->prefix, sizeof(c->prefix)};
	parts[1] = (struct tl_iov){c->signature, c->signature_len};
	tl_sha256_iov(parts, 2, hash);
	slot = slot_of(s, c->ballot_key);
	if (slot->line != 0) {
		if (memcmp(slot->credential, hash, sizeof(hash)) != 0) {
			tl_verify_problem(v, lineno, CHECK_REVOTE, TL_EDUPLICATE,
			    "this ballot key voted on line %zu with another "
			    "credential; its ballots carry the same one",
			    slot->line);
			goto drop;
		}
		if (v->manifest->revote == TL_REVOTE_FIRST) {
			tl_verify_problem(v, lineno, CHECK_REVOTE, TL_EDUPLICATE,
			    "this ballot key voted on line %zu already, and the "
			    "revote policy is \"%s\"", slot->line, policy);
			goto drop;
		}
		if (l->ballot->seq <= slot->seq) {
			tl_verify_problem(v, lineno, CHECK_REVOTE, TL_ESTALE,
			    "this ballot key's ballot has seq %lld, not above "
			    "the seq %lld of its ballot on line %zu (revote "
			    "policy \"%s\")", (long long)l->ballot->seq,
			    (long long)slot->seq, slot->line, policy);
			goto drop;
		}
		slot->seq = l->ballot->seq;
		w->valid++;
		return;
	}
	/* A new ballot key: its class must have a credential issued for it
	 * (check 16's bound). */
	if (s->ballot_keys[ci] + 1 > s->issued[ci]) {
		tl_verify_problem(v, lineno, CHECK_CREDENTIALS, TL_EVERIFY, "class "
		    "(%s, weight %lld) would have %zu ballot keys, but only %zu "
		    "credentials were issued in it before this line",
		    v->manifest->constituencies[c->constituency_index].id,
		    (long long)c->weight, s->ballot_keys[ci] + 1, s->issued[ci]);
		goto drop;
	}
	s->ballot_keys[ci]++;
	memcpy(slot->key, c->ballot_key, sizeof(slot->key));
	memcpy(slot->credential, hash, sizeof(hash));
	slot->line = lineno;
	slot->seq = l->ballot->seq;
	slot->cls = ci;
	s->nkeys++;
	w->counted++;
	w->valid++;
	return;
 drop:
	tl_ballot_free(l->ballot);
	l->ballot = NULL;
}

/* --- the report --------------------------------------------------------------- */

void
tl_verify_secret_checks(struct verify *v, const struct walk *w,
    json_t *checks)
{
	const struct secret_walk *s = w->secret;

	if (!v->secret) {
		tl_verify_set_check(checks, v, CHECK_CREDENTIALS, "an open "
		    "election: its ballots name their voters, and there are no "
		    "credentials");
		return;
	}
	if (s == NULL || v->keys == NULL) {
		tl_verify_set_check(checks, v, CHECK_CREDENTIALS, "a secret "
		    "election without an accepted credential keys statement");
		return;
	}
	tl_verify_set_check(checks, v, CHECK_CREDENTIALS, "a secret election: "
	    "%zu class%s keyed on line %zu; %zu credential request%s, %zu "
	    "credential%s issued, one per voter; %zu ballot key%s voted, none "
	    "beyond its class's credentials", v->keys->nclasses,
	    v->keys->nclasses == 1 ? "" : "es", v->keys_line, s->requests,
	    s->requests == 1 ? "" : "s", s->credentials,
	    s->credentials == 1 ? "" : "s", s->nkeys, s->nkeys == 1 ? "" : "s");
}

int
tl_verify_secret_report(const struct verify *v, const struct walk *w,
    json_t *report)
{
	const struct secret_walk *s = w->secret;
	json_t *doc, *classes;

	if (json_object_set_new(report, "secrecy", json_string(v->first ==
	    NULL ? "open" : v->secret ? "secret" : "open")) != 0)
		return TL_ENOMEM;
	if (!v->secret || s == NULL || v->keys == NULL)
		return json_object_set_new(report, "credentials", json_null()) ==
		    0 ? TL_OK : TL_ENOMEM;
	if ((classes = json_array()) == NULL)
		return TL_ENOMEM;
	for (size_t i = 0; i < v->keys->nclasses; i++) {
		const struct tl_credential_class *c = &v->keys->classes[i];

		json_array_append_new(classes, json_pack("{s:s, s:I, s:I, s:I, "
		    "s:I}", "constituency",
		    v->manifest->constituencies[c->constituency].id, "weight",
		    (json_int_t)c->weight, "voters", (json_int_t)c->voters,
		    "issued", (json_int_t)s->issued[i], "ballot_keys",
		    (json_int_t)s->ballot_keys[i]));
	}
	doc = json_pack("{s:I, s:I, s:I, s:I, s:o}", "keys_line",
	    (json_int_t)v->keys_line, "requests", (json_int_t)s->requests,
	    "issued", (json_int_t)s->credentials, "ballot_keys",
	    (json_int_t)s->nkeys, "classes", classes);
	if (doc == NULL || json_object_set_new(report, "credentials", doc) != 0)
		return TL_ENOMEM;
	return TL_OK;
}

int
tl_verify_secret_voted(const struct verify *v, const struct walk *w,
    const char ***voted, size_t *n)
{
	const struct secret_walk *s = w->secret;
	size_t nvoters = v->roll->nvoters, k = 0;
	const char **ids = calloc(nvoters + 1, sizeof(*ids));

	if (ids == NULL)
		return TL_ENOMEM;
	for (size_t i = 0; s != NULL && i < nvoters; i++)
		if (s->credential_line[i] != 0)
			ids[k++] = v->roll->voters[i].id;
	*voted = ids;
	*n = k;
	return TL_OK;
}
