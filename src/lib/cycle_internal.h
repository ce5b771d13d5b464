/*
 * cycle_internal.h (internal to libteller): what the election cycle's
 * modules (cycle.c, petition.c, certify.c, and election.c's open and
 * close) share: an election loaded with its timetable in force, and
 * appending an authority-signed statement to its log.
 */
#ifndef TELLER_CYCLE_INTERNAL_H
#define TELLER_CYCLE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "teller/crypto.h"
#include "teller/envelope.h"
#include "teller/manifest.h"
#include "teller/store.h"
#include "teller/timetable.h"

struct tl_blindrsa_key;
struct tl_roll;

struct cycle_election {
	const char *id;                 /* borrowed from the caller */
	char *state;                    /* as people see it: 'published' ... */
	struct tl_manifest *manifest;   /* the definition in force */
	char hash[TL_HASH_HEX_LEN + 1]; /* its hash ("" in a draft) */
	/* The hash of the log's first entry, the manifest signed first: the
	 * initial manifest of an election with a nomination stage ("" in a
	 * draft).  Amendments and nominations name it. */
	char initial_hash[TL_HASH_HEX_LEN + 1];
	struct tl_timetable timetable;  /* the manifest's, amended */
	int annulled;                   /* a decision called for a new vote */
};

/* Loads an election: its state, definition, hashes and timetable in force
 * (TL_ENOTFOUND if there is none). */
int tl_cycle_load(struct tl_store *store, const char *id,
    struct cycle_election *e, struct tl_error *err);
void tl_cycle_free(struct cycle_election *e);

/*
 * One step of the cycle, one transaction: tl_cycle_begin takes the
 * authority key, begins a write transaction and loads the election (for a
 * voter's statement, `voter_what` names it, and an unknown election is
 * TL_EWRONGELECTION); tl_cycle_end, given the step's result r, signs a
 * tree head, emits `event` (if set) and commits when r is TL_OK, rolls
 * back otherwise, and releases the step.  Both return the result.
 */
struct cycle_step {
	struct cycle_election e;
	struct tl_key *authority;
	const char *event;     /* a webhook event of the step, or NULL */
};
int tl_cycle_begin(struct tl_store *store, const char *id,
    const char *voter_what, struct cycle_step *s, struct tl_error *err);
int tl_cycle_end(struct tl_store *store, struct cycle_step *s, int r,
    int64_t now, struct tl_error *err);

/* One integer from a query whose parameters are one or two strings (b
 * NULL for one). */
int tl_cycle_query_int(struct tl_store *store, const char *sql,
    const char *a, const char *b, int64_t *out, struct tl_error *err);

/*
 * Signs payload as an envelope of `type` with the authority key and
 * appends it to the election's log as an entry of `kind`, inside the
 * caller's transaction.  leaf_index, entry_hash and envelope (each
 * optional) get the entry's index, hash and text.
 */
int tl_cycle_append_signed(struct tl_store *store, const char *election_id,
    const char *kind, const char *type, const char *payload, size_t len,
    const struct tl_key *authority, int64_t now, uint64_t *leaf_index,
    char entry_hash[TL_HASH_HEX_LEN + 1], char **envelope,
    struct tl_error *err);

/* A payload signed with key into an envelope of `type`: *envelope gets
 * its canonical text. */
int tl_cycle_sign(const char *type, const char *payload, size_t len,
    const struct tl_key *key, char **envelope, struct tl_error *err);

/*
 * Starts an election's log inside the caller's transaction: signs the
 * manifest m (entry 0) and the election's roll (entry 1), which must have
 * voters in every constituency that votes.  hash gets the manifest's
 * hash.  The caller signs the tree head.
 */
int tl_cycle_start_log(struct tl_store *store, const char *id,
    const struct tl_manifest *m, const struct tl_key *authority, int64_t now,
    char hash[TL_HASH_HEX_LEN + 1], struct tl_error *err);

/*
 * The voting definition of a published election (petition.c): the
 * initial manifest with each contest's final candidates (its own, then
 * the slate's, then those of the petitions that reached their threshold,
 * each in log order) and "initial_manifest"; checked as a manifest before
 * it is returned (*out, caller frees).  Records the petitions' candidates
 * in the candidates table (inside the caller's transaction).
 */
int tl_cycle_voting_definition(struct tl_store *store,
    const struct cycle_election *e, char **out, size_t *len,
    struct tl_error *err);

/*
 * A secret election's vote opens (credkeys.c): one RSA key per credential
 * class of the election's roll, kept with tl_store_credential_key_put,
 * and the signed credential keys statement (of manifest m, whose hash is
 * `hash`: the definition in force) appended to the log, inside the
 * caller's transaction.
 */
int tl_issuance_open(struct tl_store *store, const char *id,
    const struct tl_manifest *m, const struct tl_roll *roll,
    const char *hash, const struct tl_key *authority, int64_t now,
    struct tl_error *err);

/* The private key of class `index` of an election whose classes are
 * cached on this connection (tl_issuance_keys_cached), read once and
 * borrowed from the store (credkeys.c, for issuance.c). */
int tl_issuance_private_key(struct tl_store *store, const char *election,
    size_t index, const struct tl_manifest *m,
    const struct tl_blindrsa_key **out, struct tl_error *err);

/*
 * Reads a voter's signed statement (an endorsement, a challenge): an
 * envelope of at most max bytes, of the given type, with exactly one
 * signature.  *canonical gets its canonical text, as it will be logged.
 */
int tl_cycle_read_voter_envelope(const char *text, size_t len, size_t max,
    const char *type, struct tl_envelope **out, char **canonical,
    size_t *canonical_len, struct tl_error *err);

/* The voter of a voter's statement (`what`, for errors) is on the
 * election's roll and signed env with their key; constituency (optional)
 * gets theirs.  TL_ENOTONROLL or TL_ESIGNATURE otherwise. */
int tl_cycle_check_voter(struct tl_store *store, const char *election,
    const char *voter_id, const struct tl_envelope *env, const char *what,
    char constituency[65], struct tl_error *err);

#endif
