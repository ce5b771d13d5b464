/*
 * teller/issuance.h: a secret election's credentials in the database
 * (credential.h gives the payloads, doc/record-format.md 5.15 the bytes).
 *
 * When a secret election's vote opens (tl_election_open), teller makes one
 * RSA key of TL_BLINDRSA_BITS bits per credential class, keeps the private
 * halves sealed under the authority key (tl_store_credential_key_put) and
 * logs the signed credential keys statement, before any credential is
 * issued (credkeys.h).
 *
 * Issuing a credential is three steps, as casting a ballot is (cast.h), so
 * that a server signs in parallel and commits in groups:
 *
 *   tl_issuance_check   read-only, on any connection: the request's
 *                       envelope (its type, one signature), the election
 *                       (secret, open, in its voting window), the manifest
 *                       hash, the voter on the roll and their signature,
 *                       the class (the voter's constituency and weight),
 *                       the blinded message's size, one credential per
 *                       voter; then the blind signature (RFC 9474 4.3,
 *                       the class's private key) and the authority-signed
 *                       issuance.  The same request again (a lost answer)
 *                       finds the issuance already logged and signs
 *                       nothing; another request of a voter who has a
 *                       credential is TL_EDUPLICATE.
 *   tl_issuance_store   inside the caller's write transaction (TL_OK, or
 *                       1 when the request turned out a repeat and nothing
 *                       was written): the checks
 *                       that depend on the moment again (the vote open, one
 *                       credential per voter: a race with the same request
 *                       ends as a repeat), then the request and its
 *                       issuance appended to the log, one after the other,
 *                       and the voter recorded as having a credential.
 *                       Neither gets a time.
 *   tl_issuance_commit_group  stores a group in one transaction (as
 *                       tl_cast_commit_group does for ballots).
 *
 * The answer (tl_issuance_answer) is the issuance's envelope text, given
 * only once it is durably logged (or was already).  A refused request
 * changes nothing.
 *
 * An issuance borrows nothing from the store; strings returned through
 * char ** are the caller's to free.
 */
#ifndef TELLER_ISSUANCE_H
#define TELLER_ISSUANCE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "teller/credential.h"
#include "teller/credkeys.h"
#include "teller/crypto.h"
#include "teller/error.h"
#include "teller/store.h"

struct tl_issuance;

int tl_issuance_check(struct tl_store *store, const char *envelope,
    size_t len, int64_t now, const struct tl_key *authority,
    struct tl_issuance **out, struct tl_error *err);

int tl_issuance_store(struct tl_store *store, struct tl_issuance *iss,
    int64_t now, struct tl_error *err);

int tl_issuance_commit_group(struct tl_store *store,
    struct tl_issuance *const *items, size_t n, int64_t now,
    const struct tl_key *authority, struct tl_error *errs,
    struct tl_error *err);

/* The election the request is for (borrowed). */
const char *tl_issuance_election(const struct tl_issuance *iss);

/* The issuance's envelope text (borrowed): what the voter finalizes. */
const char *tl_issuance_answer(const struct tl_issuance *iss);

/* Whether the request had been answered before: nothing new was logged. */
int tl_issuance_repeated(const struct tl_issuance *iss);

void tl_issuance_free(struct tl_issuance *iss);

/* Checks, stores, signs the tree head and commits one request; *answer
 * (caller frees) gets the issuance's envelope text and *repeated (if not
 * NULL) whether it had been given before. */
int tl_credential_issue(struct tl_store *store, const char *envelope,
    size_t len, int64_t now, char **answer, int *repeated,
    struct tl_error *err);

#endif
