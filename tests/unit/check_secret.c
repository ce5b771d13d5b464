/*
 * check_secret.c: a secret election in a real database: the class keys
 * logged when the vote opens, credentials requested and issued (one per
 * voter; the same request again gets the same answer), secret ballots cast
 * with them, and every refusal of issue 13, each shown to store nothing:
 * the log, the ballots and the credentials stay as they were.  And what
 * the database keeps: no voter id with a secret ballot, no time, nothing
 * that relates a ballot to a request.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "helpers.h"
#include "secret_fixture.h"
#include "store_internal.h"
#include "teller/ballot.h"
#include "teller/cast.h"
#include "teller/credential.h"
#include "teller/election.h"
#include "teller/envelope.h"
#include "teller/issuance.h"
#include "teller/log.h"
#include "teller/util.h"

static const char *const plu_x[] = {"plu=x"};
static const char *const plu_y[] = {"plu=y"};
static const char *const ref_yes[] = {"ref=yes"};

/* What a refusal must leave as it was. */
struct snapshot {
	int64_t log, ballots, credentials, heads;
};

static struct snapshot
snap(struct sf_election *e)
{
	struct snapshot s;

	s.log = th_count(e->store, "log");
	s.ballots = th_count(e->store, "ballots");
	s.credentials = th_count(e->store, "credentials");
	s.heads = th_count(e->store, "tree_heads");
	return s;
}

static void
unchanged(struct sf_election *e, struct snapshot before)
{
	struct snapshot now = snap(e);

	ck_assert_int_eq(now.log, before.log);
	ck_assert_int_eq(now.ballots, before.ballots);
	ck_assert_int_eq(now.credentials, before.credentials);
	ck_assert_int_eq(now.heads, before.heads);
}

/* Sends a request envelope; the code it ends with. */
static int
request(struct sf_election *e, const char *envelope, struct tl_error *err)
{
	char *answer = NULL;
	int r = tl_credential_issue(e->store, envelope, strlen(envelope), TH_NOW,
	    &answer, NULL, err);

	free(answer);
	return r;
}

static int
cast(struct sf_election *e, const char *ballot, struct tl_error *err)
{
	char *receipt = NULL;
	int r = tl_ballot_cast(e->store, ballot, strlen(ballot), TH_NOW,
	    &receipt, err);

	free(receipt);
	return r;
}

/* A request payload signed with key (for the refusals built by hand). */
static char *
signed_request(const struct tl_credential_request *q,
    const struct tl_key *key)
{
	struct tl_envelope *env = NULL;
	char *payload = NULL, *text = NULL;
	size_t len = 0;

	ck_assert_int_eq(tl_credential_request_serialize(q, &payload, &len,
	    NULL), TL_OK);
	ck_assert_int_eq(tl_envelope_sign(TL_TYPE_CREDENTIAL_REQUEST, payload,
	    len, key, &env, NULL), TL_OK);
	ck_assert_int_eq(tl_envelope_serialize(env, &text, NULL, NULL), TL_OK);
	tl_envelope_free(env);
	free(payload);
	return text;
}

/* The payload of a request envelope. */
static void
read_request(const char *envelope, struct tl_credential_request *q)
{
	struct tl_envelope *env = NULL;

	ck_assert_int_eq(tl_envelope_parse(envelope, strlen(envelope),
	    TL_ENVELOPE_MAX_CREDENTIAL, &env, NULL), TL_OK);
	ck_assert_int_eq(tl_credential_request_parse((const char *)env->payload,
	    env->payload_len, q, NULL), TL_OK);
	tl_envelope_free(env);
}

START_TEST(keys_logged_when_the_vote_opens)
{
	struct sf_election e;
	struct tl_error err;
	json_t *classes = NULL;
	char *entry = NULL, *kind = NULL;
	size_t len = 0;

	sf_open(&e, 5, 3, 0);
	/* Manifest, roll, then the keys: before any credential. */
	ck_assert_int_eq(th_count(e.store, "log"), 3);
	ck_assert_int_eq(tl_log_entry(e.store, "e1", 2, &entry, &len, &kind,
	    &err), TL_OK);
	ck_assert_str_eq(kind, "credential-keys");
	ck_assert_ptr_nonnull(strstr(entry, "credential-keys+json"));
	/* One class per (constituency, weight) of the roll, in order, each
	 * with a 3072-bit key of e = 65537. */
	ck_assert_uint_eq(e.keys->nclasses, 3);
	ck_assert_str_eq(e.keys->election, "e1");
	ck_assert_str_eq(e.keys->manifest, e.hash);
	ck_assert_uint_eq(e.keys->classes[0].constituency, 0);
	ck_assert_int_eq(e.keys->classes[0].weight, 1);
	ck_assert_uint_eq(e.keys->classes[1].constituency, 0);
	ck_assert_int_eq(e.keys->classes[1].weight, 2);
	ck_assert_uint_eq(e.keys->classes[2].constituency, 1);
	ck_assert_int_eq(e.keys->classes[2].weight, 1);
	for (size_t i = 0; i < 3; i++) {
		ck_assert_uint_eq(tl_blindrsa_key_bits(e.keys->classes[i].key),
		    3072);
		ck_assert(tl_blindrsa_key_e_is_f4(e.keys->classes[i].key));
	}
	/* Their sizes, for the warning about small classes. */
	ck_assert_int_eq(tl_election_credential_classes(e.store, "e1", &classes,
	    &err), TL_OK);
	ck_assert_uint_eq(json_array_size(classes), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(
	    classes, 0), "voters")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(
	    classes, 1), "voters")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(
	    classes, 2), "issued")), 0);
	json_decref(classes);
	free(entry);
	free(kind);
	sf_free(&e);
}
END_TEST

/* The class keys' private halves are kept sealed under the authority
 * key (tl_db_seal_secret): no PEM in the database, each opens to the key
 * the statement logged, and a sealed key moved to another class's row
 * does not open. */
START_TEST(class_keys_sealed_under_the_authority_key)
{
	struct sf_election e;
	struct tl_error err;
	struct tl_blindrsa_key *sk = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0;

	sf_open(&e, 3, 2, 0);
	ck_assert_int_eq(th_count(e.store, "credential_keys"), 3);
	ck_assert_int_eq(th_count(e.store, "SELECT COUNT(*) FROM "
	    "credential_keys WHERE instr(sealed_private_key, 'PRIVATE KEY') > 0 "
	    "OR substr(sealed_private_key, 1, 3) <> 'v1.' OR "
	    "length(sealed_private_key) < 2000"), 0);
	for (size_t i = 0; i < 3; i++) {
		const struct tl_credential_class *c = &e.keys->classes[i];
		const char *cid = e.manifest->constituencies[c->constituency].id;

		ck_assert_int_eq(tl_store_credential_key_get(e.store, "e1", cid,
		    c->weight, &sk, &err), TL_OK);
		ck_assert_int_eq(tl_blindrsa_key_public_der(sk, &der, &der_len,
		    &err), TL_OK);
		ck_assert_uint_eq(der_len, c->der_len);
		ck_assert_mem_eq(der, c->der, der_len);
		free(der);
		der = NULL;
		tl_blindrsa_key_free(sk);
		sk = NULL;
	}
	/* Class (a, 1)'s sealed key put in class (a, 2)'s row. */
	ck_assert_int_eq(sqlite3_exec(e.store->db, "UPDATE credential_keys SET "
	    "sealed_private_key = (SELECT sealed_private_key FROM "
	    "credential_keys WHERE weight = 1 AND constituency_id = 'a') WHERE "
	    "weight = 2 AND constituency_id = 'a'", NULL, NULL, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(tl_store_credential_key_get(e.store, "e1", "a", 2,
	    &sk, &err), TL_EDECRYPT);
	ck_assert_ptr_null(sk);
	ck_assert_ptr_nonnull(strstr(err.message, "does not open"));
	ck_assert_int_eq(tl_store_credential_key_get(e.store, "e1", "a", 1,
	    &sk, &err), TL_OK);
	tl_blindrsa_key_free(sk);
	sf_free(&e);
}
END_TEST

START_TEST(credential_then_secret_ballot)
{
	struct sf_election e;
	struct tl_credential_holder *h;
	struct tl_error err;
	char *ballot, *receipt, *answer = NULL, *kind = NULL, *entry = NULL;
	size_t len = 0;
	int repeated = -1;
	struct snapshot before;

	sf_open(&e, 3, 2, 0);
	h = sf_credential(&e, "a2");
	/* The request and its issuance, one after the other. */
	ck_assert_int_eq(th_count(e.store, "log"), 5);
	ck_assert_int_eq(tl_log_entry(e.store, "e1", 3, &entry, &len, &kind,
	    &err), TL_OK);
	ck_assert_str_eq(kind, "credential-request");
	ck_assert_str_eq(entry, h->request);
	free(entry);
	free(kind);
	ck_assert_int_eq(tl_log_entry(e.store, "e1", 4, &entry, &len, &kind,
	    &err), TL_OK);
	ck_assert_str_eq(kind, "credential");
	free(kind);
	ck_assert_int_eq(th_count(e.store, "SELECT COUNT(*) FROM credentials "
	    "WHERE voter_id = 'a2'"), 1);

	/* A lost answer: the same request again gets the same issuance, and
	 * nothing new is logged. */
	before = snap(&e);
	ck_assert_int_eq(tl_credential_issue(e.store, h->request,
	    strlen(h->request), TH_NOW, &answer, &repeated, &err), TL_OK);
	ck_assert_int_eq(repeated, 1);
	ck_assert_str_eq(answer, entry);
	unchanged(&e, before);
	free(answer);
	free(entry);

	/* The ballot: no voter, the class's weight and constituency. */
	ballot = sf_ballot(&e, h, 1, plu_x, 1);
	{
		struct tl_envelope *env = NULL;

		ck_assert_int_eq(tl_envelope_parse(ballot, strlen(ballot),
		    TL_ENVELOPE_MAX_BALLOT, &env, NULL), TL_OK);
		ck_assert_ptr_null(strstr((const char *)env->payload, "voter"));
		ck_assert_ptr_null(strstr((const char *)env->payload, "\"a2\""));
		tl_envelope_free(env);
	}
	receipt = sf_cast(&e, ballot);
	ck_assert_ptr_nonnull(strstr(receipt, "receipt+json"));
	ck_assert_int_eq(th_count(e.store, "SELECT COUNT(*) FROM ballots WHERE "
	    "voter_id IS NULL AND weight = 2 AND constituency_id = 'a' AND "
	    "received_at = 0"), 1);
	free(ballot);
	free(receipt);
	/* A revote: the same ballot key and credential, a higher seq. */
	ballot = sf_ballot(&e, h, 2, plu_y, 1);
	receipt = sf_cast(&e, ballot);
	free(ballot);
	free(receipt);
	ck_assert_int_eq(th_count(e.store, "counted_ballots"), 1);
	/* Not the same seq again. */
	before = snap(&e);
	ballot = sf_ballot(&e, h, 2, plu_x, 1);
	ck_assert_int_eq(cast(&e, ballot, &err), TL_ESTALE);
	unchanged(&e, before);
	free(ballot);
	tl_credential_holder_free(h);
	sf_free(&e);
}
END_TEST

START_TEST(one_credential_per_voter)
{
	struct sf_election e;
	struct tl_credential_holder *h, *again = NULL;
	struct tl_error err;
	struct snapshot before;

	sf_open(&e, 3, 2, 0);
	h = sf_credential(&e, "b1");
	before = snap(&e);
	ck_assert_int_eq(tl_credential_holder_new(e.manifest, e.hash, e.keys,
	    sf_voter(&e, "b1"), sf_voter_key(&e, "b1"), &again, &err), TL_OK);
	ck_assert_int_eq(request(&e, again->request, &err), TL_ECREDENTIAL);
	ck_assert_ptr_nonnull(strstr(err.message, "already obtained a "
	    "credential"));
	unchanged(&e, before);
	tl_credential_holder_free(again);
	tl_credential_holder_free(h);
	sf_free(&e);
}
END_TEST

START_TEST(refused_requests)
{
	struct sf_election e;
	struct tl_credential_holder *h = NULL;
	struct tl_credential_request q;
	struct tl_key *outsider = NULL;
	struct tl_error err;
	struct snapshot before;
	char *text;

	sf_open(&e, 3, 2, 0);
	before = snap(&e);
	ck_assert_int_eq(tl_credential_holder_new(e.manifest, e.hash, e.keys,
	    sf_voter(&e, "a1"), sf_voter_key(&e, "a1"), &h, &err), TL_OK);
	read_request(h->request, &q);

	/* Signed with a key that is not the voter's. */
	ck_assert_int_eq(tl_key_generate(&outsider, NULL), TL_OK);
	text = signed_request(&q, outsider);
	ck_assert_int_eq(request(&e, text, &err), TL_ESIGNATURE);
	free(text);
	/* Another voter's key signs for a1. */
	text = signed_request(&q, sf_voter_key(&e, "a2"));
	ck_assert_int_eq(request(&e, text, &err), TL_ESIGNATURE);
	free(text);
	/* A voter not on the roll. */
	snprintf(q.voter, sizeof(q.voter), "a99");
	text = signed_request(&q, outsider);
	ck_assert_int_eq(request(&e, text, &err), TL_ENOTONROLL);
	free(text);
	snprintf(q.voter, sizeof(q.voter), "a1");
	/* A class that is not the voter's. */
	q.weight = 2;
	text = signed_request(&q, sf_voter_key(&e, "a1"));
	ck_assert_int_eq(request(&e, text, &err), TL_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.message, "class"));
	free(text);
	q.weight = 1;
	/* Another manifest, another election. */
	q.manifest[0] = q.manifest[0] == 'a' ? 'b' : 'a';
	text = signed_request(&q, sf_voter_key(&e, "a1"));
	ck_assert_int_eq(request(&e, text, &err), TL_EWRONGELECTION);
	free(text);
	memcpy(q.manifest, e.hash, sizeof(q.manifest));
	snprintf(q.election, sizeof(q.election), "e2");
	text = signed_request(&q, sf_voter_key(&e, "a1"));
	ck_assert_int_eq(request(&e, text, &err), TL_EWRONGELECTION);
	free(text);
	snprintf(q.election, sizeof(q.election), "e1");
	/* A blinded message of the wrong size. */
	q.blinded_len = 256;
	text = signed_request(&q, sf_voter_key(&e, "a1"));
	ck_assert_int_eq(request(&e, text, &err), TL_EINPUT);
	free(text);
	q.blinded_len = 384;
	/* Not a request, and out of the voting window. */
	ck_assert_int_eq(request(&e, "{}", &err), TL_EINPUT);
	ck_assert_int_eq(tl_credential_issue(e.store, h->request,
	    strlen(h->request), TH_NOW + 86400 * 2, &text, NULL, &err),
	    TL_EWINDOW);
	unchanged(&e, before);

	/* And after all that, the genuine request is still answered. */
	text = signed_request(&q, sf_voter_key(&e, "a1"));
	ck_assert_int_eq(request(&e, text, &err), TL_OK);
	free(text);
	tl_key_free(outsider);
	tl_credential_holder_free(h);
	sf_free(&e);
}
END_TEST

START_TEST(no_credentials_in_an_open_election)
{
	char *dir = th_tmpdir(), hash[65];
	struct tl_store *store = th_store(dir);
	struct tl_key **keys = th_keys(2);
	struct tl_credential_request q;
	struct tl_envelope *env = NULL;
	struct tl_error err;
	char *payload = NULL, *text = NULL, *answer = NULL;
	size_t len = 0;
	int64_t log;

	th_open_election(store, 0, keys, 1, 1, hash);
	memset(&q, 0, sizeof(q));
	snprintf(q.election, sizeof(q.election), "e1");
	memcpy(q.manifest, hash, sizeof(q.manifest));
	snprintf(q.voter, sizeof(q.voter), "a1");
	snprintf(q.constituency, sizeof(q.constituency), "a");
	q.weight = 1;
	q.blinded_len = 384;
	ck_assert_int_eq(tl_credential_request_serialize(&q, &payload, &len,
	    NULL), TL_OK);
	ck_assert_int_eq(tl_envelope_sign(TL_TYPE_CREDENTIAL_REQUEST, payload,
	    len, keys[0], &env, NULL), TL_OK);
	ck_assert_int_eq(tl_envelope_serialize(env, &text, NULL, NULL), TL_OK);
	log = th_count(store, "log");
	ck_assert_int_eq(tl_credential_issue(store, text, strlen(text), TH_NOW,
	    &answer, NULL, &err), TL_ESTATE);
	ck_assert_ptr_nonnull(strstr(err.message, "not secret"));
	ck_assert_int_eq(th_count(store, "log"), log);
	ck_assert_int_eq(tl_election_credential_keys(store, "e1", &answer,
	    &err), TL_ENOTFOUND);
	tl_envelope_free(env);
	free(payload);
	free(text);
	th_keys_free(keys, 2);
	tl_store_close(store);
	th_rm_rf(dir);
	free(dir);
}
END_TEST

/* A secret ballot with one member of its payload changed, signed again
 * with key. */
static char *
resigned(const char *ballot, const char *member, json_t *value,
    const struct tl_key *key)
{
	struct tl_envelope *env = NULL, *out = NULL;
	json_t *doc;
	char *payload, *text = NULL;

	ck_assert_int_eq(tl_envelope_parse(ballot, strlen(ballot),
	    TL_ENVELOPE_MAX_BALLOT, &env, NULL), TL_OK);
	doc = json_loadb((const char *)env->payload, env->payload_len, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	if (strchr(member, '.') != NULL)
		json_object_set_new(json_object_get(doc, "credential"),
		    strchr(member, '.') + 1, value);
	else
		json_object_set_new(doc, member, value);
	payload = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	ck_assert_int_eq(tl_envelope_sign(TL_TYPE_BALLOT, payload,
	    strlen(payload), key, &out, NULL), TL_OK);
	ck_assert_int_eq(tl_envelope_serialize(out, &text, NULL, NULL), TL_OK);
	tl_envelope_free(env);
	tl_envelope_free(out);
	json_decref(doc);
	free(payload);
	return text;
}

START_TEST(refused_ballots)
{
	struct sf_election e, other;
	struct tl_credential_holder *a1, *b1, *foreign;
	struct tl_key *stranger = NULL;
	struct tl_error err;
	struct snapshot before;
	char *ballot, *bad, b64[TL_PUBLIC_B64_LEN + 1], *sig = NULL;

	sf_open(&e, 3, 2, 0);
	a1 = sf_credential(&e, "a1");
	b1 = sf_credential(&e, "b1");
	before = snap(&e);
	ballot = sf_ballot(&e, a1, 1, plu_x, 1);

	/* A voter id in a secret ballot. */
	bad = resigned(ballot, "voter", json_string("a1"), a1->ballot_key);
	ck_assert_int_eq(cast(&e, bad, &err), TL_EBALLOT);
	ck_assert_ptr_nonnull(strstr(err.message, "secret"));
	free(bad);
	/* Signed by a key other than the ballot key it carries. */
	ck_assert_int_eq(tl_key_generate(&stranger, NULL), TL_OK);
	bad = resigned(ballot, "seq", json_integer(1), stranger);
	ck_assert_int_eq(cast(&e, bad, &err), TL_ESIGNATURE);
	free(bad);
	/* The credential presented with another ballot key (a1's credential
	 * on the stranger's key, signed by the stranger). */
	tl_key_public_base64(stranger, b64);
	bad = resigned(ballot, "ballot_key", json_string(b64), stranger);
	ck_assert_int_eq(cast(&e, bad, &err), TL_ESIGNATURE);
	ck_assert_ptr_nonnull(strstr(err.message, "credential"));
	free(bad);
	/* A credential of another class: a1's (a, 1) claimed as (a, 2),
	 * and as (b, 1). */
	bad = resigned(ballot, "credential.weight", json_integer(2),
	    a1->ballot_key);
	ck_assert_int_eq(cast(&e, bad, &err), TL_ESIGNATURE);
	free(bad);
	bad = resigned(ballot, "credential.constituency", json_string("b"),
	    a1->ballot_key);
	ck_assert_int_ne(cast(&e, bad, &err), TL_OK);
	free(bad);
	/* A class that does not exist. */
	bad = resigned(ballot, "credential.weight", json_integer(7),
	    a1->ballot_key);
	ck_assert_int_eq(cast(&e, bad, &err), TL_EBALLOT);
	free(bad);
	/* A forged signature. */
	ck_assert_int_eq(tl_base64_encode(b1->credential.signature,
	    b1->credential.signature_len, &sig), TL_OK);
	bad = resigned(ballot, "credential.signature", json_string(sig),
	    a1->ballot_key);
	ck_assert_int_eq(cast(&e, bad, &err), TL_ESIGNATURE);
	free(bad);
	free(sig);
	/* b1's ballot in a contest of constituency a, in the clear: its
	 * election seals its ballots (the authority as its only trustee),
	 * so selections in the clear are refused; sealed, they would be
	 * spoiled at the count (check_unseal.c). */
	free(ballot);
	ballot = sf_ballot(&e, b1, 1, ref_yes, 1);
	bad = resigned(ballot, "selections", json_pack("[{s:s, s:[s]}]",
	    "contest", "plu", "marks", "x"), b1->ballot_key);
	ck_assert_int_eq(cast(&e, bad, &err), TL_EBALLOT);
	free(bad);
	unchanged(&e, before);

	/* A credential of another election: a voter of another secret
	 * election (its own keys, its own manifest hash) cannot use it
	 * here. */
	sf_open(&other, 3, 2, 0);
	foreign = sf_credential(&other, "a1");
	free(ballot);
	ballot = sf_ballot(&other, foreign, 1, plu_x, 1);
	ck_assert_int_ne(cast(&e, ballot, &err), TL_OK);
	/* Even with this election's manifest hash in it. */
	bad = resigned(ballot, "manifest", json_string(e.hash),
	    foreign->ballot_key);
	ck_assert_int_eq(cast(&e, bad, &err), TL_ESIGNATURE);
	free(bad);
	unchanged(&e, before);

	/* A revote with another credential for the same ballot key: a1's
	 * key with a second credential of its class. */
	free(ballot);
	ballot = sf_ballot(&e, a1, 1, plu_x, 1);
	free(sf_cast(&e, ballot));
	before = snap(&e);
	{
		struct tl_credential_holder *h2 = calloc(1, sizeof(*h2));
		struct tl_blindrsa_key *sk = NULL;
		const struct tl_credential_class *cls = tl_credential_class_find(
		    e.keys, 0, 1);
		uint8_t *msg = NULL, *prepared = NULL, blinded[384], inv[384];
		uint8_t blind_sig[384];
		size_t msg_len = 0, plen = 0;

		*h2 = *a1;
		h2->request = NULL;
		h2->credential.signature = malloc(384);
		ck_assert_int_eq(tl_store_credential_key_get(e.store, "e1", "a", 1,
		    &sk, &err), TL_OK);
		ck_assert_int_eq(tl_credential_message("e1", e.hash, "a", 1,
		    a1->credential.ballot_key, &msg, &msg_len), TL_OK);
		ck_assert_int_eq(tl_blindrsa_prepare(msg, msg_len,
		    h2->credential.prefix, &prepared, &plen), TL_OK);
		ck_assert_int_eq(tl_blindrsa_blind(cls->key, prepared, plen,
		    blinded, inv, &err), TL_OK);
		ck_assert_int_eq(tl_blindrsa_blind_sign(sk, blinded, 384,
		    blind_sig, &err), TL_OK);
		ck_assert_int_eq(tl_blindrsa_finalize(cls->key, prepared, plen,
		    blind_sig, 384, inv, 384, h2->credential.signature, &err),
		    TL_OK);
		free(ballot);
		ballot = sf_ballot(&e, h2, 2, plu_y, 1);
		ck_assert_int_eq(cast(&e, ballot, &err), TL_EDUPLICATE);
		ck_assert_ptr_nonnull(strstr(err.message, "another credential"));
		free(h2->credential.signature);
		free(h2);
		tl_blindrsa_key_free(sk);
		free(msg);
		free(prepared);
	}
	unchanged(&e, before);
	free(ballot);
	tl_key_free(stranger);
	tl_credential_holder_free(a1);
	tl_credential_holder_free(b1);
	tl_credential_holder_free(foreign);
	sf_free(&other);
	sf_free(&e);
}
END_TEST

/* Every column name of every table of the database. */
static json_t *
schema_columns(struct tl_store *store)
{
	sqlite3_stmt *tables = NULL, *cols = NULL;
	json_t *out = json_object();
	char sql[256];

	ck_assert_int_eq(sqlite3_prepare_v2(store->db, "SELECT name FROM "
	    "sqlite_master WHERE type = 'table'", -1, &tables, NULL), SQLITE_OK);
	while (sqlite3_step(tables) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(tables, 0);
		json_t *list = json_array();

		snprintf(sql, sizeof(sql), "PRAGMA table_info(%s)", t);
		ck_assert_int_eq(sqlite3_prepare_v2(store->db, sql, -1, &cols,
		    NULL), SQLITE_OK);
		while (sqlite3_step(cols) == SQLITE_ROW)
			json_array_append_new(list, json_string((const char *)
			    sqlite3_column_text(cols, 1)));
		sqlite3_finalize(cols);
		json_object_set_new(out, t, list);
	}
	sqlite3_finalize(tables);
	return out;
}

static int
has_column(json_t *schema, const char *table, const char *column)
{
	json_t *list = json_object_get(schema, table), *c;
	size_t i;

	json_array_foreach(list, i, c)
		if (strcmp(json_string_value(c), column) == 0)
			return 1;
	return 0;
}

START_TEST(nothing_links_a_ballot_to_its_voter)
{
	struct sf_election e;
	struct tl_credential_holder *h[4];
	const char *ids[4] = {"a1", "a2", "a3", "b1"};
	json_t *schema;
	char *ballot;

	sf_open(&e, 3, 2, 0);
	for (size_t i = 0; i < 4; i++)
		h[i] = sf_credential(&e, ids[i]);
	for (size_t i = 0; i < 4; i++) {
		ballot = sf_ballot(&e, h[i], 1, i == 3 ? ref_yes : plu_x, 1);
		free(sf_cast(&e, ballot));
		free(ballot);
	}
	/* The data: no voter id with a ballot, and no time with a ballot, a
	 * request or an issuance, in the tables or the log. */
	ck_assert_int_eq(th_count(e.store, "ballots"), 4);
	ck_assert_int_eq(th_count(e.store, "SELECT COUNT(*) FROM ballots WHERE "
	    "voter_id IS NOT NULL OR received_at != 0"), 0);
	ck_assert_int_eq(th_count(e.store, "SELECT COUNT(*) FROM log WHERE "
	    "kind IN ('ballot', 'credential-request', 'credential') AND "
	    "appended_at != 0"), 0);
	ck_assert_int_eq(th_count(e.store, "SELECT COUNT(*) FROM log WHERE "
	    "kind IN ('credential-request', 'credential')"), 8);
	/* No ballot's key is a voter's key, nor its key id. */
	ck_assert_int_eq(th_count(e.store, "SELECT COUNT(*) FROM ballots b "
	    "JOIN voters v ON v.election_id = b.election_id AND "
	    "v.key_id = b.key_id"), 0);
	/* The schema: the ballots table relates to no voter's credential,
	 * and the credentials table to no ballot. */
	schema = schema_columns(e.store);
	ck_assert(has_column(schema, "credentials", "voter_id"));
	ck_assert(!has_column(schema, "credentials", "ballot_id"));
	ck_assert(!has_column(schema, "credentials", "key_id"));
	ck_assert(!has_column(schema, "credentials", "credential_hash"));
	ck_assert(!has_column(schema, "credentials", "received_at"));
	ck_assert(!has_column(schema, "ballots", "request_hash"));
	ck_assert(!has_column(schema, "ballots", "request_leaf"));
	ck_assert(!has_column(schema, "ballots", "credential_id"));
	/* The credential's hash a ballot keeps is not a request's. */
	ck_assert_int_eq(th_count(e.store, "SELECT COUNT(*) FROM ballots b "
	    "JOIN credentials c ON c.request_hash = b.credential_hash OR "
	    "c.request_hash = b.entry_hash"), 0);
	json_decref(schema);
	for (size_t i = 0; i < 4; i++)
		tl_credential_holder_free(h[i]);
	sf_free(&e);
}
END_TEST

START_TEST(credential_file_round_trip)
{
	struct sf_election e;
	struct tl_credential_holder *h = NULL, *back = NULL, *pending = NULL;
	struct tl_error err;
	char *text = NULL, *ballot;

	sf_open(&e, 3, 2, 0);
	h = sf_credential(&e, "a3");
	ck_assert_int_eq(tl_credential_holder_serialize(h, &text, &err), TL_OK);
	ck_assert_int_eq(tl_credential_holder_parse(text, strlen(text),
	    e.manifest, &back, &err), TL_OK);
	ck_assert(tl_credential_holder_done(back));
	ck_assert_mem_eq(back->credential.ballot_key, h->credential.ballot_key,
	    32);
	ck_assert_uint_eq(back->credential.constituency_index, 0);
	/* The file's credential casts. */
	ballot = sf_ballot(&e, back, 1, plu_y, 1);
	free(sf_cast(&e, ballot));
	free(ballot);
	tl_wipe_free(text);
	/* A request still waiting for its answer keeps inv; one without
	 * either is not a credential file. */
	ck_assert_int_eq(tl_credential_holder_new(e.manifest, e.hash, e.keys,
	    sf_voter(&e, "b2"), sf_voter_key(&e, "b2"), &pending, &err), TL_OK);
	ck_assert_int_eq(tl_credential_holder_serialize(pending, &text, &err),
	    TL_OK);
	ck_assert_ptr_nonnull(strstr(text, "\"inv\""));
	ck_assert_ptr_null(strstr(text, "\"signature\""));
	tl_credential_holder_free(back);
	back = NULL;
	ck_assert_int_eq(tl_credential_holder_parse(text, strlen(text),
	    e.manifest, &back, &err), TL_OK);
	ck_assert(!tl_credential_holder_done(back));
	ck_assert_str_eq(back->request, pending->request);
	tl_wipe_free(text);
	tl_credential_holder_free(back);
	ck_assert_int_eq(tl_credential_holder_parse("{\"election\": \"e1\"}",
	    19, e.manifest, &back, &err), TL_EINPUT);
	tl_credential_holder_free(pending);
	tl_credential_holder_free(h);
	sf_free(&e);
}
END_TEST

/*
 * The request's fast path: what tl_credential_request_serialize writes is
 * read by it, to the request the general path reads (made to run by a
 * blank after the payload); other spellings are left to the general path,
 * which reads or refuses them as before.
 */
static void
request_alike(const char *payload, int fast, int ok)
{
	struct tl_credential_request quick, full, slow;
	char *spaced = NULL;
	size_t len = strlen(payload);

	ck_assert_int_ge(asprintf(&spaced, "%s ", payload), 0);
	ck_assert_int_eq(tl_credential_request_parse_canonical(spaced, len + 1,
	    &quick), TL_EINPUT);
	ck_assert_int_eq(tl_credential_request_parse_canonical(payload, len,
	    &quick), fast ? TL_OK : TL_EINPUT);
	ck_assert_int_eq(tl_credential_request_parse(spaced, len + 1, &slow,
	    NULL), ok ? TL_OK : TL_EINPUT);
	ck_assert_int_eq(tl_credential_request_parse(payload, len, &full,
	    NULL), ok ? TL_OK : TL_EINPUT);
	if (ok)
		ck_assert_mem_eq(&full, &slow, sizeof(full));
	if (fast)
		ck_assert_mem_eq(&quick, &slow, sizeof(quick));
	free(spaced);
}

START_TEST(request_fast_path)
{
	static const char *const bad_weights[] = {"0", "1001", "1.0", "-1"};
	struct tl_credential_request q;
	struct tl_credential_issuance i;
	char *text = NULL, *b64 = NULL, *doc = NULL;
	const char *weight;
	size_t len = 0;

	memset(&q, 0, sizeof(q));
	strcpy(q.election, "e-1.x");
	memset(q.manifest, 'a', TL_HASH_HEX_LEN);
	strcpy(q.voter, "v_9");
	strcpy(q.constituency, "c");
	q.weight = 1000;
	q.blinded_len = 384;
	for (size_t k = 0; k < q.blinded_len; k++)
		q.blinded[k] = (uint8_t)(k * 7);
	ck_assert_int_eq(tl_credential_request_serialize(&q, &text, &len, NULL),
	    TL_OK);
	request_alike(text, 1, 1);
	/* Keys in another order, or a blank: the general path. */
	weight = strstr(text, ",\"weight\":1000");
	ck_assert_ptr_nonnull(weight);
	ck_assert_int_eq(tl_base64_encode(q.blinded, q.blinded_len, &b64),
	    TL_OK);
	ck_assert_int_ge(asprintf(&doc, "{\"voter\":\"v_9\",\"election\":"
	    "\"e-1.x\",\"manifest\":\"%s\",\"constituency\":\"c\","
	    "\"weight\":1000,\"blinded_message\":\"%s\"}", q.manifest, b64),
	    0);
	request_alike(doc, 0, 1);
	free(doc);
	/* What both refuse: a weight of 0 or over the limit, or not an
	 * integer; a bad id or hash; an unknown member; a message too short. */
	for (size_t k = 0; k < sizeof(bad_weights) / sizeof(bad_weights[0]);
	    k++) {
		ck_assert_int_ge(asprintf(&doc, "%.*s,\"weight\":%s%s",
		    (int)(weight - text), text, bad_weights[k], weight + 14), 0);
		request_alike(doc, 0, 0);
		free(doc);
	}
	ck_assert_int_ge(asprintf(&doc, "{\"election\":\"-e\"%s",
	    strstr(text, ",\"manifest\"")), 0);
	request_alike(doc, 0, 0);
	free(doc);
	ck_assert_int_ge(asprintf(&doc, "{\"election\":\"e\",\"manifest\":"
	    "\"%.63s\"%s", q.manifest, strstr(text, ",\"voter\"")), 0);
	request_alike(doc, 0, 0);
	free(doc);
	ck_assert_int_ge(asprintf(&doc, "%.*s,\"x\":1}", (int)strlen(text) - 1,
	    text), 0);
	request_alike(doc, 0, 0);
	free(doc);
	free(text);
	free(b64);
	q.blinded_len = 255;
	ck_assert_int_eq(tl_base64_encode(q.blinded, q.blinded_len, &b64),
	    TL_OK);
	ck_assert_int_ge(asprintf(&doc, "{\"election\":\"e\",\"manifest\":"
	    "\"%s\",\"voter\":\"v\",\"constituency\":\"c\",\"weight\":1,"
	    "\"blinded_message\":\"%s\"}", q.manifest, b64), 0);
	request_alike(doc, 0, 0);
	free(doc);
	free(b64);
	/* An issuance, written directly: as Jansson writes it, and read back. */
	memset(&i, 0, sizeof(i));
	strcpy(i.election, "e-1.x");
	memset(i.request, 'f', TL_HASH_HEX_LEN);
	i.blind_signature_len = 384;
	memset(i.blind_signature, 0xa5, i.blind_signature_len);
	ck_assert_int_eq(tl_credential_issuance_serialize(&i, &text, &len,
	    NULL), TL_OK);
	ck_assert_int_eq(tl_base64_encode(i.blind_signature, 384, &b64), TL_OK);
	{
		json_t *j = json_pack("{s:s, s:s, s:s}", "election", i.election,
		    "request", i.request, "blind_signature", b64);
		char *want = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
		struct tl_credential_issuance back;

		ck_assert_str_eq(text, want);
		ck_assert_uint_eq(len, strlen(want));
		ck_assert_int_eq(tl_credential_issuance_parse(text, len, &back,
		    NULL), TL_OK);
		ck_assert_mem_eq(&back, &i, sizeof(i));
		free(want);
		json_decref(j);
	}
	free(b64);
	free(text);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("secret");
	TCase *tc = tcase_create("secret");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, keys_logged_when_the_vote_opens);
	tcase_add_test(tc, class_keys_sealed_under_the_authority_key);
	tcase_add_test(tc, credential_then_secret_ballot);
	tcase_add_test(tc, one_credential_per_voter);
	tcase_add_test(tc, refused_requests);
	tcase_add_test(tc, no_credentials_in_an_open_election);
	tcase_add_test(tc, refused_ballots);
	tcase_add_test(tc, nothing_links_a_ballot_to_its_voter);
	tcase_add_test(tc, credential_file_round_trip);
	tcase_add_test(tc, request_fast_path);
	suite_add_tcase(s, tc);
	return th_run(s);
}
