/*
 * teller/result.h: the result of an election, computed from what the
 * public record holds: the manifest, the roll, the accepted ballots in log
 * order and the random source values of the close statement.
 *
 * The computation is a pure function of those inputs, so `teller tally`
 * (from the database's log) and `teller verify` (from an exported record)
 * run the same code and must produce the same bytes.  The result document
 * (serialised with sorted keys, compact: tl_result_serialize) is
 *
 *   {"election": ID, "manifest": HASH, "random": [VALUE, ...],
 *    "contests": [REPORT, ...],        one per contest, in manifest order
 *    "turnout": [{"constituency": ID, "name": NAME, "eligible": N,
 *                 "eligible_weight": W, "voted": N, "voted_weight": W}, ...]}
 *
 * where each REPORT is the count report of count.h plus "contest", "title"
 * and "constituency".  The revote policy is applied here: of a voter's
 * ballots, the one with the highest seq counts ("last") or the lowest
 * ("first").
 */
#ifndef TELLER_RESULT_H
#define TELLER_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "teller/ballot.h"
#include "teller/crypto.h"
#include "teller/error.h"
#include "teller/manifest.h"
#include "teller/roll.h"

/* The seed of a contest's tie-breaking lots:
 *   SHA-256("teller-lot-v1" 0x00 MANIFEST_HASH_HEX 0x00 CONTEST_ID
 *           (0x00 VALUE) for each random value, in order) */
void tl_result_seed(const char *manifest_hash, const char *contest_id,
    const char *const *random, size_t nrandom, uint8_t seed[TL_SHA256_LEN]);

/*
 * Computes the result document.  ballots are every accepted ballot in log
 * order; a ballot whose voter is not on the roll is an error (TL_EVERIFY).
 * When the manifest's random sources are of the form "rfc3797", each
 * contest's seed is tl_result_seed with one value, the RFC 3797 key string
 * of all the random values (tl_rfc3797_key); values that make no key
 * string are TL_EINPUT.  *out is a new reference.
 */
int tl_result_compute(const struct tl_manifest *manifest,
    const char *manifest_hash, const struct tl_roll *roll,
    struct tl_ballot *const *ballots, size_t nballots,
    const char *const *random, size_t nrandom, json_t **out,
    struct tl_error *err);

/* The same, for a caller that has found each ballot's voter on the roll
 * already: voter_of[i] is the index in roll->voters of the voter of
 * ballots[i] (checked against the ballot's voter id). */
int tl_result_compute_indexed(const struct tl_manifest *manifest,
    const char *manifest_hash, const struct tl_roll *roll,
    struct tl_ballot *const *ballots, const size_t *voter_of,
    size_t nballots, const char *const *random, size_t nrandom, json_t **out,
    struct tl_error *err);

/*
 * The ballots that count in contest ci as tl_result_compute counts them:
 * the revote policy applied, one per voter of the contest's constituency
 * who voted (blank when their ballot has no selection in the contest),
 * with the voter's weight, in the log order of each voter's first ballot;
 * added to set (initialised by the caller).
 */
int tl_result_contest_ballots(const struct tl_manifest *manifest,
    const struct tl_roll *roll, struct tl_ballot *const *ballots,
    size_t nballots, size_t ci, struct tl_ballot_set *set,
    struct tl_error *err);

/* The canonical bytes of a result document (*out, caller frees). */
int tl_result_serialize(const json_t *result, char **out, size_t *len);

#endif
