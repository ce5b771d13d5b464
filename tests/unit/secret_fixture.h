/*
 * secret_fixture.h: what the secret election's tests share: a real secret
 * election in a fresh database (the test manifest of helpers.h, "e1", with
 * "secrecy": "secret"), voters with real keys in three credential classes,
 * and the voter's side run as a voter runs it: a credential obtained
 * through tl_credential_issue, a secret ballot made from it and cast.
 */
#ifndef TELLER_TEST_SECRET_FIXTURE_H
#define TELLER_TEST_SECRET_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "teller/credential.h"
#include "teller/crypto.h"
#include "teller/manifest.h"
#include "teller/store.h"

struct sf_election {
	char *dir;
	struct tl_store *store;
	struct tl_key *authority;
	struct tl_manifest *manifest;
	char hash[TL_HASH_HEX_LEN + 1];
	struct tl_credential_keys *keys;  /* the classes' public keys */
	struct tl_roll *roll;             /* sorted by id */
	struct tl_key **voter_keys;       /* na + nb: a1.., then b1.. */
	size_t na, nb;
	/* What sf_build made: each voter's credential (NULL if they asked
	 * for none; same order as voter_keys), ballots cast. */
	struct tl_credential_holder **holders;
	size_t nballots, ncredentials, nvoted;
};

/* The manifest of the secret test election (revote "first" if first). */
const char *sf_manifest_json(int first);

/*
 * Opens election e1, secret, with voters a1..a{na} in constituency "a"
 * (weight 1 for odd numbers, 2 for even ones: classes (a, 1) and (a, 2))
 * and b1..b{nb} in "b" (weight 1: class (b, 1)), at TH_NOW.
 */
void sf_open(struct sf_election *e, size_t na, size_t nb, int first);
void sf_free(struct sf_election *e);

/*
 * Opens the election as sf_open does, then: each voter asks for a
 * credential with probability 7/8, and each who has one votes with
 * probability 7/8 (a deterministic draw from seed); `revotes` of them vote
 * again with seq 2.  stage: RF_OPEN, RF_CLOSED (random value "draw-1") or
 * RF_COUNTED (record_fixture.h).
 */
void sf_build(struct sf_election *e, size_t na, size_t nb, size_t revotes,
    int stage, uint64_t seed);

/* The roll entry and key of voter "a3", "b1", ... */
const struct tl_voter *sf_voter(const struct sf_election *e, const char *id);
struct tl_key *sf_voter_key(const struct sf_election *e, const char *id);

/* Voter id gets a credential: the request made and sent as a voter
 * does, the answer finalized (the test fails otherwise). */
struct tl_credential_holder *sf_credential(struct sf_election *e,
    const char *id);

/* A secret ballot of the holder (votes "plu=x,y" ...), signed with its
 * ballot key: the envelope's text (caller frees). */
char *sf_ballot(const struct sf_election *e,
    const struct tl_credential_holder *h, int64_t seq,
    const char *const *votes, size_t nvotes);

/* Casts a ballot envelope; the receipt (caller frees); the test fails if
 * it is refused. */
char *sf_cast(struct sf_election *e, const char *ballot);

/* The authority's own credential of a class for a new ballot key, made
 * with the class's private key from the database (what a dishonest
 * authority could do): *holder gets the ballot key and credential. */
struct tl_credential_holder *sf_forge_credential(struct sf_election *e,
    const char *constituency, int64_t weight);

#endif
