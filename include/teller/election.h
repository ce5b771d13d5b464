/*
 * teller/election.h: an election's life in the database: define it, load
 * its roll, open it (sign and freeze manifest and roll), accept ballots,
 * close it, count it.
 *
 * States: draft -> open -> closed -> counted.  A draft can be changed
 * (its manifest replaced, its roll changed) or deleted; nothing else
 * can.  Each change is one
 * transaction; an error leaves the database as it was.  `now` is the
 * current time in Unix seconds (the caller's clock, so that tests and
 * rehearsals can set it).
 *
 * JSON values returned through json_t ** are new references the caller
 * releases with json_decref; strings through char ** are the caller's to
 * free.
 */
#ifndef TELLER_ELECTION_H
#define TELLER_ELECTION_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "teller/error.h"
#include "teller/manifest.h"
#include "teller/roll.h"
#include "teller/store.h"
#include "teller/util.h"

/* Defines an election from a manifest (JSON text); it starts in draft.
 * The manifest's authority_key is set to the database's authority key (if
 * present it must be that key).  *id gets the election id. */
int tl_election_create(struct tl_store *store, const char *manifest_json,
    size_t len, int64_t now, char **id, struct tl_error *err);

/*
 * Replaces a draft's manifest (JSON text) by another of the same election
 * id, checked as tl_election_create checks it.  Every voter already on
 * the roll must fit it (a constituency it has, a weight within its
 * bounds), else TL_EMANIFEST naming the voter.  TL_ESTATE, naming the
 * state, once the election is published or open: its manifest is signed.
 */
int tl_election_update(struct tl_store *store, const char *id,
    const char *manifest_json, size_t len, int64_t now, struct tl_error *err);

/*
 * Deletes a draft election with everything stored for it (its roll, its
 * webhook endpoints and their events); *nvoters (optional) gets the
 * number of voters its roll had.  TL_ESTATE, naming the state, once the
 * election is published or open: its log has started, and the record
 * keeps it.
 */
int tl_election_delete(struct tl_store *store, const char *id,
    size_t *nvoters, struct tl_error *err);

/* [{"id", "title", "state", "opens", "closes", "voters", "ballots"}] */
int tl_election_list(struct tl_store *store, json_t **out,
    struct tl_error *err);

/* The election's definition and state: id, title, state, revote,
 * secrecy, opens, closes, manifest_hash, constituencies (with voters and
 * weight), contests (with candidates), ballots, log_size, the times of
 * each change (created_at, opened_at, closed_at, counted_at,
 * certified_at, final_at; null until it happens), and for a secret
 * election its credential_classes (credkeys.h:
 * tl_election_credential_classes). */
int tl_election_show(struct tl_store *store, const char *id, json_t **out,
    struct tl_error *err);

/* The election's manifest (as signed, once open) and its hash (an empty
 * string while in draft); state (optional) gets "draft", "open", ... */
int tl_election_load(struct tl_store *store, const char *id,
    struct tl_manifest **manifest, char hash[65], char **state,
    struct tl_error *err);

/* The election's state ("draft", "open", "closed", "counted", ...;
 * *state, caller frees); TL_ENOTFOUND if there is no such election. */
int tl_election_state(struct tl_store *store, const char *id, char **state,
    struct tl_error *err);

/* The election's voter roll, in the order it was imported. */
int tl_election_roll(struct tl_store *store, const char *id,
    const struct tl_manifest *manifest, struct tl_roll **out,
    struct tl_error *err);

/* Imports voters from roll CSV text (draft only).  Nothing is imported if
 * any line fails, or if a voter id or key is already on the roll.
 * *count gets the number imported. */
int tl_election_import_roll(struct tl_store *store, const char *id,
    const char *csv, size_t len, const char *filename, size_t *count,
    struct tl_error *err);

/* As tl_election_import_roll, but the file replaces the draft's roll:
 * the voters on it before (*removed gets how many), with their enrolment
 * links and notices, are removed in the same transaction.  A file that
 * fails changes nothing. */
int tl_election_replace_roll(struct tl_store *store, const char *id,
    const char *csv, size_t len, const char *filename, size_t *count,
    size_t *removed, struct tl_error *err);

/* Removes voters from a draft's roll (with their enrolment links and
 * notices), all or none: TL_ENOTFOUND naming the first that is not on
 * it.  TL_ESTATE, naming the state, once the roll is frozen. */
int tl_election_remove_voters(struct tl_store *store, const char *id,
    const char *const *voters, size_t nvoters, struct tl_error *err);

/* Signs and freezes the manifest and roll and appends them to the log;
 * the election then accepts ballots in its voting window. */
int tl_election_open(struct tl_store *store, const char *id, int64_t now,
    struct tl_error *err);

/*
 * Stops accepting ballots and appends a signed close statement carrying
 * the random source values (one per random source of the manifest, in its
 * order) that seed tie-breaks.  Only at or after the end of the voting
 * window in force (the manifest's closes, moved by any amendment);
 * before it, TL_EPHASE.
 */
int tl_election_close(struct tl_store *store, const char *id,
    const char *const *random, size_t nrandom, int64_t now,
    struct tl_error *err);

/*
 * An early close: as tl_election_close, but only before the end of the
 * voting window in force (TL_EUSAGE at or after it), and with a reason (a
 * statement text, statement.h) that the close statement carries as its
 * "reason" (doc/record-format.md, 5.4).
 */
int tl_election_close_early(struct tl_store *store, const char *id,
    const char *const *random, size_t nrandom, const char *reason,
    int64_t now, struct tl_error *err);

/* The signed manifest envelope (what a voter needs to make a ballot). */
int tl_election_signed_manifest(struct tl_store *store, const char *id,
    char **envelope, struct tl_error *err);

/*
 * Counts a closed election: recounts every contest from the log's own
 * ballots, signs the result, appends it to the log, stores it with its
 * rounds and winners, and moves the election to counted.  For an election
 * already counted, returns the stored result.  *result gets the result
 * document (see result.h).
 */
int tl_election_tally(struct tl_store *store, const char *id, int64_t now,
    json_t **result, struct tl_error *err);

/*
 * The stored result of a counted election, without counting: *result (if
 * not NULL) gets the result document and *envelope (if not NULL) the
 * signed result envelope as logged.  TL_ESTATE if the election has not
 * been counted yet, TL_ENOTFOUND if there is no such election.
 */
int tl_election_result(struct tl_store *store, const char *id,
    json_t **result, char **envelope, struct tl_error *err);

/*
 * Writes the counted ballots of one contest of a closed election as a BLT
 * file (blt.h): those the count counts (tl_result_contest_ballots), with
 * the voters' weights.  contest may be NULL when the election has one
 * contest.  TL_ESTATE before the close; TL_EUSAGE for a referendum or
 * when contest is needed.
 */
int tl_election_contest_blt(struct tl_store *store, const char *id,
    const char *contest, struct tl_buf *out, struct tl_error *err);

#endif
