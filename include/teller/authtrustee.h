/*
 * teller/authtrustee.h: the authority as the only trustee of a secret
 * election whose manifest names none (doc/record-format.md 5.1).
 *
 * Such an election gets, when its log starts, the trustee "authority"
 * (identity key the authority key, sealing key the X25519 key derived
 * from the authority key for this election: tl_key_derive with info
 * "teller/v1/authority-sealing-key/" || ID) and threshold 1, so that its
 * ballots are sealed in the log too; and at the close teller logs the
 * authority's unseal statement right after the close statement.
 * Whoever holds the authority key can open the ballots at any time.
 *
 * tl_authtrustee_manifest: *json gets the manifest's payload with those
 * members added (caller frees), or NULL when the manifest needs none
 * (open, or naming its trustees).
 * tl_authtrustee_close: inside the caller's transaction, right after the
 * close statement (entry hash close, at time now), appends the
 * authority's unseal statement if the authority is a trustee of m.
 *
 * Below the election's life cycle (cycle.c, election.c call it) and
 * above the log, the manifest and the trustee's keys.
 */
#ifndef TELLER_AUTHTRUSTEE_H
#define TELLER_AUTHTRUSTEE_H

#include <stddef.h>
#include <stdint.h>

#include "teller/crypto.h"
#include "teller/error.h"
#include "teller/manifest.h"
#include "teller/store.h"

#define TL_AUTHORITY_TRUSTEE "authority"
int tl_authtrustee_manifest(const struct tl_manifest *m,
    const struct tl_key *authority, char **json, size_t *len,
    struct tl_error *err);
int tl_authtrustee_close(struct tl_store *store,
    const struct tl_manifest *m, const char *hash,
    const struct tl_key *authority, const char *close, int64_t now,
    struct tl_error *err);

#endif
