/*
 * teller/unseal.h: opening a sealed election after its close
 * (doc/record-format.md 5.16 gives the rules, 13.6 the statement's bytes).
 *
 * A secret election that names trustees (tl_manifest_sealed) holds only
 * sealed selections while voting is open.  After the close each trustee
 * publishes the private half of its sealing key in an unseal statement
 * signed by its identity key; teller logs it (tl_election_unseal).  With
 * the statements of k trustees in the log, the count opens every ballot
 * with the keys of the first k trustees, in the manifest's order, that
 * have unsealed (the opening trustees).
 *
 *   tl_unseal_check        a statement checked against the manifest and
 *                          the close: what the server and the verifier
 *                          both accept (check 16);
 *   tl_unseal_open_ballots opens ballots with the opening trustees' keys
 *                          (a ballot that does not open is spoiled);
 *   tl_election_unseal     logs a statement in the database (after the
 *                          close, once per trustee);
 *   tl_election_unseal_status  what a trustee needs to unseal, and who has.
 *
 * Ownership: what comes back through ** is the caller's.
 */
#ifndef TELLER_UNSEAL_H
#define TELLER_UNSEAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "teller/ballot.h"
#include "teller/crypto.h"
#include "teller/error.h"
#include "teller/hpke.h"
#include "teller/manifest.h"
#include "teller/statement.h"
#include "teller/store.h"

/*
 * Checks an unseal statement's envelope text: of type TL_TYPE_UNSEAL, a
 * valid payload, of election m and manifest hash `hash`, by a trustee of
 * the manifest (*trustee gets its index, 0-based) with exactly one
 * signature, by that trustee's identity key; its private key that
 * trustee's sealing key; its close the entry hash close_hash and its
 * time no earlier than close_time.  TL_EINPUT, TL_EWRONGELECTION,
 * TL_EPERM (no such trustee), TL_ESIGNATURE, TL_EVERIFY (the key
 * does not match), TL_ESTATE (not after that close) naming the fault.
 * out (if not NULL) gets the payload.
 */
int tl_unseal_check(const struct tl_manifest *m, const char *hash,
    const char *close_hash, int64_t close_time, const char *text,
    size_t len, struct tl_unseal *out, size_t *trustee,
    struct tl_error *err);

/*
 * The opening trustees: of the trustees whose private keys are given
 * (keys[i] for trustee i + 1, NULL for one that has not unsealed), the
 * first m->threshold in the manifest's order.  TL_OK with indices
 * (1-based) and opening (their keys) filled, or TL_ESTATE with a message
 * saying how many have unsealed and which trustees are awaited.
 */
int tl_unseal_opening(const struct tl_manifest *m,
    const struct tl_hpke_key *const *keys, uint8_t *indices,
    const struct tl_hpke_key **opening, struct tl_error *err);

/* Opens every sealed ballot with the opening trustees' keys
 * (tl_ballot_open); a ballot that does not open is marked spoiled. */
int tl_unseal_open_ballots(const struct tl_manifest *m,
    struct tl_ballot *const *ballots, size_t nballots,
    const struct tl_hpke_key *const *keys, struct tl_error *err);

/*
 * Logs a trustee's unseal statement for its election (which must be id,
 * unless id is NULL: TL_EWRONGELECTION) in the database and signs a tree
 * head (with authority, or if NULL the store's authority key): the
 * election closed and not yet counted
 * (TL_ESTATE), sealed, the statement checked (tl_unseal_check against
 * the logged close), the trustee's first (TL_ECONFLICT).  *answer gets
 * {"election", "trustee", "entry": HASH, "leaf_index": N,
 *  "unsealed": N, "threshold": K}.
 */
int tl_election_unseal(struct tl_store *store, const char *id,
    const char *text, size_t len, int64_t now,
    const struct tl_key *authority, json_t **answer, struct tl_error *err);

/*
 * {"election", "manifest": HASH, "state", "threshold",
 *  "trustees": [{"id", "name", "unsealed": BOOL}, ...],
 *  "close": {"entry": HASH, "leaf_index": N, "time": TIME} | null}
 * for a sealed election (TL_ESTATE for one that is not).
 */
int tl_election_unseal_status(struct tl_store *store, const char *id,
    json_t **out, struct tl_error *err);

/* The private keys that the election's logged unseal statements publish:
 * keys[i] (allocated by the caller, m->ntrustees entries) for trustee
 * i + 1, NULL where none; free each with tl_hpke_key_free. */
int tl_election_unseal_keys(struct tl_store *store, const char *id,
    const struct tl_manifest *m, struct tl_hpke_key **keys,
    struct tl_error *err);

#endif
