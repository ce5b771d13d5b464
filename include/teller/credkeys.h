/*
 * teller/credkeys.h: a secret election's credential class keys in the
 * database (credential.h gives the keys statement's payload,
 * doc/record-format.md 5.15 its bytes).
 *
 * When a secret election's vote opens (tl_election_open), teller makes one
 * RSA key of TL_BLINDRSA_BITS bits per credential class, keeps the private
 * halves sealed under the authority key (tl_store_credential_key_put) and
 * logs the signed credential keys statement, before any credential is
 * issued.  Casting a secret ballot (cast.h) checks its credential against
 * the public keys; issuing a credential (issuance.h) signs with the
 * private ones.
 *
 * Strings returned through char ** and JSON through json_t ** are the
 * caller's to free.
 */
#ifndef TELLER_CREDKEYS_H
#define TELLER_CREDKEYS_H

#include <jansson.h>

#include "teller/credential.h"
#include "teller/error.h"
#include "teller/manifest.h"
#include "teller/store.h"

/*
 * A secret election's credential classes and public keys, read once per
 * connection (*keys is borrowed from the store and stays valid while it is
 * open).  m is the election's manifest in force and hash its hash
 * (tl_election_manifest_cached): the classes' constituencies are read as
 * its.  TL_ENOTFOUND if the election has none (it is open, not secret, or
 * its vote has not opened).
 */
int tl_issuance_keys_cached(struct tl_store *store, const char *election,
    const struct tl_manifest *m, const char *hash,
    const struct tl_credential_keys **keys, struct tl_error *err);

/* The signed credential keys statement of a secret election, as logged
 * (*envelope, caller frees); TL_ENOTFOUND before its vote opens, or for an
 * open election. */
int tl_election_credential_keys(struct tl_store *store, const char *id,
    char **envelope, struct tl_error *err);

/* A secret election's classes: [{"constituency", "weight", "voters",
 * "issued"}, ...] in their order (an empty list for an open election or
 * before the vote opens). */
int tl_election_credential_classes(struct tl_store *store, const char *id,
    json_t **out, struct tl_error *err);

#endif
