/*
 * secret_fixture.c: a real secret election for the tests (see
 * secret_fixture.h).
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "record_fixture.h"
#include "secret_fixture.h"
#include "teller/ballot.h"
#include "teller/blindrsa.h"
#include "teller/cast.h"
#include "teller/election.h"
#include "teller/envelope.h"
#include "teller/issuance.h"
#include "teller/roll.h"
#include "teller/util.h"

const char *
sf_manifest_json(int first)
{
	static char text[2400];
	const char *open = th_manifest_json(first), *at = strstr(open,
	    "\"revote\"");

	ck_assert_ptr_nonnull(at);
	snprintf(text, sizeof(text), "%.*s\"secrecy\": \"secret\", %s",
	    (int)(at - open), open, at);
	return text;
}

void
sf_open(struct sf_election *e, size_t na, size_t nb, int first)
{
	const char *json = sf_manifest_json(first);
	struct tl_buf csv;
	struct tl_error err;
	char *id = NULL, *text = NULL, pub[TL_PUBLIC_B64_LEN + 1];

	memset(e, 0, sizeof(*e));
	e->dir = th_tmpdir();
	e->store = th_store(e->dir);
	e->na = na;
	e->nb = nb;
	e->voter_keys = th_keys(na + nb);
	tl_buf_init(&csv, 1 << 24);
	tl_buf_adds(&csv, "voter_id,name,constituency,weight,public_key\n");
	for (size_t i = 0; i < na + nb; i++) {
		tl_key_public_base64(e->voter_keys[i], pub);
		if (i < na)
			tl_buf_addf(&csv, "a%zu,Voter A%zu,a,%d,%s\n", i + 1, i + 1,
			    i % 2 == 0 ? 1 : 2, pub);
		else
			tl_buf_addf(&csv, "b%zu,Voter B%zu,b,1,%s\n", i - na + 1,
			    i - na + 1, pub);
	}
	text = tl_buf_take(&csv, NULL);
	ck_assert_int_eq(tl_election_create(e->store, json, strlen(json),
	    TH_NOW, &id, &err), TL_OK);
	ck_assert_int_eq(tl_election_import_roll(e->store, "e1", text,
	    strlen(text), "roll.csv", NULL, &err), TL_OK);
	ck_assert_msg(tl_election_open(e->store, "e1", TH_NOW, &err) == TL_OK,
	    "%s", err.message);
	ck_assert_int_eq(tl_election_load(e->store, "e1", &e->manifest, e->hash,
	    NULL, &err), TL_OK);
	ck_assert_int_eq(tl_store_authority(e->store, &e->authority, &err),
	    TL_OK);
	ck_assert_int_eq(tl_election_roll(e->store, "e1", e->manifest, &e->roll,
	    &err), TL_OK);
	tl_roll_sort(e->roll);
	/* The classes' keys as a voter gets them: from the signed
	 * statement in the log. */
	free(text);
	ck_assert_int_eq(tl_election_credential_keys(e->store, "e1", &text,
	    &err), TL_OK);
	{
		struct tl_envelope *env = NULL;

		ck_assert_int_eq(tl_envelope_parse(text, strlen(text),
		    TL_ENVELOPE_MAX_DEFAULT, &env, &err), TL_OK);
		ck_assert_int_eq(tl_envelope_verify(env, e->authority, &err),
		    TL_OK);
		ck_assert_msg(tl_credential_keys_parse((const char *)env->payload,
		    env->payload_len, e->manifest, &e->keys, &err) == TL_OK, "%s",
		    err.message);
		tl_envelope_free(env);
	}
	free(text);
	free(id);
}

void
sf_build(struct sf_election *e, size_t na, size_t nb, size_t revotes,
    int stage, uint64_t seed)
{
	uint64_t rng = seed != 0 ? seed : 1;
	char votes[3][32], id[16], *ballot;
	uint8_t *voted;

	sf_open(e, na, nb, 0);
	e->holders = calloc(na + nb + 1, sizeof(*e->holders));
	voted = calloc(na + nb + 1, 1);
	ck_assert_ptr_nonnull(e->holders);
	ck_assert_ptr_nonnull(voted);
	for (size_t i = 0; i < na + nb; i++) {
		const char *vp[3] = {votes[0], votes[1], votes[2]};
		size_t nv;

		if (rf_next(&rng) % 8 == 7)
			continue;
		snprintf(id, sizeof(id), "%c%zu", i < na ? 'a' : 'b',
		    i < na ? i + 1 : i - na + 1);
		e->holders[i] = sf_credential(e, id);
		e->ncredentials++;
		nv = rf_draw_votes(&rng, i < na, votes);
		if (rf_next(&rng) % 8 == 7)
			continue;
		ballot = sf_ballot(e, e->holders[i], 1, vp, nv);
		free(sf_cast(e, ballot));
		free(ballot);
		e->nballots++;
		e->nvoted++;
		voted[i] = 1;
	}
	for (size_t i = 0, done = 0; i < na + nb && done < revotes; i++) {
		const char *vp[3] = {votes[0], votes[1], votes[2]};
		size_t nv;

		if (!voted[i])
			continue;
		nv = rf_draw_votes(&rng, i < na, votes);
		ballot = sf_ballot(e, e->holders[i], 2, vp, nv);
		free(sf_cast(e, ballot));
		free(ballot);
		e->nballots++;
		done++;
	}
	free(voted);
	rf_finish(e->store, (enum rf_stage)stage);
}

void
sf_free(struct sf_election *e)
{
	for (size_t i = 0; e->holders != NULL && i < e->na + e->nb; i++)
		tl_credential_holder_free(e->holders[i]);
	free(e->holders);
	tl_store_close(e->store);
	tl_key_free(e->authority);
	tl_manifest_free(e->manifest);
	tl_credential_keys_free(e->keys);
	tl_roll_free(e->roll);
	th_keys_free(e->voter_keys, e->na + e->nb);
	th_rm_rf(e->dir);
	free(e->dir);
	memset(e, 0, sizeof(*e));
}

const struct tl_voter *
sf_voter(const struct sf_election *e, const char *id)
{
	const struct tl_voter *v = tl_roll_find(e->roll, id);

	ck_assert_msg(v != NULL, "no voter %s", id);
	return v;
}

struct tl_key *
sf_voter_key(const struct sf_election *e, const char *id)
{
	size_t n = (size_t)strtoul(id + 1, NULL, 10);

	ck_assert(n >= 1);
	return e->voter_keys[(id[0] == 'a' ? 0 : e->na) + n - 1];
}

struct tl_credential_holder *
sf_credential(struct sf_election *e, const char *id)
{
	struct tl_credential_holder *h = NULL;
	struct tl_error err;
	char *answer = NULL;
	int repeated = -1;

	ck_assert_int_eq(tl_credential_holder_new(e->manifest, e->hash, e->keys,
	    sf_voter(e, id), sf_voter_key(e, id), &h, &err), TL_OK);
	ck_assert_msg(tl_credential_issue(e->store, h->request,
	    strlen(h->request), TH_NOW, &answer, &repeated, &err) == TL_OK,
	    "%s", err.message);
	ck_assert_int_eq(repeated, 0);
	ck_assert_msg(tl_credential_holder_finish(h, e->keys, e->authority,
	    answer, strlen(answer), &err) == TL_OK, "%s", err.message);
	ck_assert(tl_credential_holder_done(h));
	free(answer);
	return h;
}

char *
sf_ballot(const struct sf_election *e, const struct tl_credential_holder *h,
    int64_t seq, const char *const *votes, size_t nvotes)
{
	struct tl_envelope *env = NULL;
	struct tl_error err;
	char *payload = NULL, *text = NULL;
	size_t len = 0;

	ck_assert_msg(tl_ballot_build_secret(e->manifest, e->hash,
	    &h->credential, seq, votes, nvotes, &payload, &len, &err) == TL_OK,
	    "%s", err.message);
	ck_assert_int_eq(tl_envelope_sign(TL_TYPE_BALLOT, payload, len,
	    h->ballot_key, &env, &err), TL_OK);
	ck_assert_int_eq(tl_envelope_serialize(env, &text, NULL, &err), TL_OK);
	tl_envelope_free(env);
	free(payload);
	return text;
}

char *
sf_cast(struct sf_election *e, const char *ballot)
{
	struct tl_error err;
	char *receipt = NULL;

	ck_assert_msg(tl_ballot_cast(e->store, ballot, strlen(ballot), TH_NOW,
	    &receipt, &err) == TL_OK, "%s", err.message);
	return receipt;
}

struct tl_credential_holder *
sf_forge_credential(struct sf_election *e, const char *constituency,
    int64_t weight)
{
	struct tl_credential_holder *h = calloc(1, sizeof(*h));
	struct tl_blindrsa_key *sk = NULL;
	const struct tl_credential_class *cls;
	struct tl_error err;
	uint8_t *msg = NULL, *prepared = NULL, blinded[512], inv[512];
	uint8_t blind_sig[512];
	size_t msg_len = 0, prepared_len = 0, k;

	ck_assert_ptr_nonnull(h);
	cls = tl_credential_class_find(e->keys, tl_manifest_constituency_index(
	    e->manifest, constituency), weight);
	ck_assert_ptr_nonnull(cls);
	k = tl_blindrsa_key_len(cls->key);
	ck_assert_int_eq(tl_store_credential_key_get(e->store, "e1",
	    constituency, weight, &sk, &err), TL_OK);
	snprintf(h->election, sizeof(h->election), "e1");
	snprintf(h->manifest, sizeof(h->manifest), "%s", e->hash);
	snprintf(h->credential.constituency, sizeof(h->credential.constituency),
	    "%s", constituency);
	h->credential.constituency_index = cls->constituency;
	h->credential.weight = weight;
	ck_assert_int_eq(tl_key_generate(&h->ballot_key, &err), TL_OK);
	tl_key_public_raw(h->ballot_key, h->credential.ballot_key);
	ck_assert_int_eq(tl_credential_message("e1", e->hash, constituency,
	    weight, h->credential.ballot_key, &msg, &msg_len), TL_OK);
	ck_assert_int_eq(tl_blindrsa_prepare(msg, msg_len, h->credential.prefix,
	    &prepared, &prepared_len), TL_OK);
	ck_assert_int_eq(tl_blindrsa_blind(cls->key, prepared, prepared_len,
	    blinded, inv, &err), TL_OK);
	ck_assert_int_eq(tl_blindrsa_blind_sign(sk, blinded, k, blind_sig,
	    &err), TL_OK);
	h->credential.signature = malloc(k);
	ck_assert_ptr_nonnull(h->credential.signature);
	ck_assert_int_eq(tl_blindrsa_finalize(cls->key, prepared, prepared_len,
	    blind_sig, k, inv, k, h->credential.signature, &err), TL_OK);
	h->credential.signature_len = k;
	tl_blindrsa_key_free(sk);
	free(msg);
	free(prepared);
	return h;
}
