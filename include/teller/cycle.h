/*
 * teller/cycle.h: the election cycle around the vote, in the database:
 * publishing an election before its vote, the slate, petitions and their
 * endorsements, the timetable's amendments and status, certification,
 * challenges and the final result.
 *
 * The life of an election with a nomination stage (a nominations or a
 * petitions phase in its timetable, timetable.h):
 *
 *   draft --publish--> published --open--> open --close--> closed
 *     --tally--> counted --certify--> certified --finalize--> final
 *
 * Publishing signs the initial manifest and the roll into the log (its
 * entries 0 and 1), which freezes the roll; the slate, petitions and
 * endorsements follow in the log; opening the vote signs the voting
 * definition, with the final candidates, which ballots then name.  An
 * election without a nomination stage opens from its draft as it always
 * has (election.h).  A challenge upheld with the remedy "recount" takes a
 * certified election back to closed, to be counted and certified again;
 * one upheld with "new-vote" annuls its result, and the final statement
 * then says so.
 *
 * Every change is one transaction that appends its signed statement
 * (statement.h) to the log and signs a new tree head; a refused change
 * changes nothing.  Each action that belongs to a phase refuses, with
 * TL_EPHASE, to act outside it.  `now` is the caller's clock.
 *
 * JSON returned through json_t ** is a new reference; strings through
 * char ** are the caller's to free.
 */
#ifndef TELLER_CYCLE_H
#define TELLER_CYCLE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "teller/crypto.h"
#include "teller/error.h"
#include "teller/statement.h"
#include "teller/store.h"
#include "teller/timetable.h"

/* Signs the initial manifest and the roll into the log: the election is
 * then published (its roll frozen).  Only for an election with a
 * nomination stage, from its draft, before its vote opens. */
int tl_election_publish(struct tl_store *store, const char *id, int64_t now,
    struct tl_error *err);

/* The timetable in force: the manifest's, with every amendment applied. */
int tl_election_timetable(struct tl_store *store, const char *id,
    struct tl_timetable *out, struct tl_error *err);

/*
 * Where the election stands at time now:
 *   {"election", "title", "state", "now", "phase": NAME|null,
 *    "next_phase": {"phase", "opens", "closes"}|null,
 *    "phases": [{"phase", "opens", "closes", "status":
 *                "past"|"current"|"future", "amended": BOOL}, ...],
 *    "candidates_added": N, "petitions": N, "certified": BOOL,
 *    "challenges": N, "unresolved": N, "annulled": BOOL,
 *    "outcome": "confirmed"|"annulled"|null, "next_step": TEXT}
 */
int tl_election_status(struct tl_store *store, const char *id, int64_t now,
    json_t **out, struct tl_error *err);

/* Moves a phase's opens and/or closes time forward with a signed
 * amendment (tl_timetable_amend gives the rules). */
int tl_election_amend(struct tl_store *store, const char *id,
    enum tl_phase phase, int has_opens, int64_t opens, int has_closes,
    int64_t closes, int64_t now, struct tl_error *err);

/* Adds a candidate to a contest's slate (the nominations phase, while the
 * election is published).  The id and the name must be new in the
 * contest. */
int tl_candidate_add(struct tl_store *store, const char *id,
    const char *contest, const char *candidate_id, const char *name,
    int64_t now, struct tl_error *err);

/* An identifier made from a name ("Jane Doe-Smith" gives
 * "jane-doe-smith"); TL_EINPUT if the name has no letter or digit to make
 * one from. */
int tl_id_from_name(const char *name, char out[TL_ID_SIZE],
    struct tl_error *err);

/* Opens a petition for a candidate of a contest that takes petitions (the
 * petitions phase).  *number gets its number (1, 2, ... in the election). */
int tl_petition_open(struct tl_store *store, const char *id,
    const char *contest, const char *candidate_id, const char *name,
    int64_t now, int64_t *number, struct tl_error *err);

/* A signed endorsement of petition `number` by voter_id with the voter's
 * private key (*envelope, its canonical text), ready for
 * tl_petition_endorse.  Checks nothing about the voter. */
int tl_petition_endorsement(struct tl_store *store, const char *id,
    int64_t number, const char *voter_id, const struct tl_key *key,
    char **envelope, struct tl_error *err);

/*
 * Records a signed endorsement (untrusted input: an envelope of at most
 * TL_ENVELOPE_MAX_ENDORSEMENT bytes): its form, the election (published,
 * in the petitions phase), the petition it names, the voter (on the roll,
 * of the contest's constituency: TL_ENOTONROLL), the voter's signature
 * (TL_ESIGNATURE), and one endorsement per voter and petition
 * (TL_EDUPLICATE).  *petition (optional) gets the petition's number.
 */
int tl_petition_endorse(struct tl_store *store, const char *envelope,
    size_t len, int64_t now, int64_t *petition, struct tl_error *err);

/*
 * The petitions, in order:
 *   [{"number", "contest", "candidate", "name", "entry_hash", "opened",
 *     "endorsements", "threshold", "reached", "voters": [ID, ...]}, ...]
 */
int tl_petition_status(struct tl_store *store, const char *id, json_t **out,
    struct tl_error *err);

/* Certifies the counted result: signs a certification naming it, which
 * starts the challenge period; emits result.certified in the same
 * transaction.  Refused after the challenge phase closes. */
int tl_election_certify(struct tl_store *store, const char *id, int64_t now,
    struct tl_error *err);

/* A signed challenge of the latest certification by voter_id (*envelope,
 * its canonical text), ready for tl_challenge_file. */
int tl_challenge_make(struct tl_store *store, const char *id,
    const char *voter_id, const struct tl_key *key, const char *text,
    char **envelope, struct tl_error *err);

/*
 * Records a signed challenge (untrusted input: an envelope of at most
 * TL_ENVELOPE_MAX_CHALLENGE bytes): the election certified and not
 * annulled, in the challenge phase, the challenge naming the latest
 * certification, the voter on the roll and their signature.  *number gets
 * the challenge's number (1, 2, ...).
 */
int tl_challenge_file(struct tl_store *store, const char *envelope,
    size_t len, int64_t now, int64_t *number, struct tl_error *err);

/* The receipt of challenge `number` (receipt.h, for a challenge): its
 * place in the log, against the latest signed tree head, which holds it
 * once tl_challenge_file has committed.  *receipt, the caller's. */
int tl_challenge_receipt(struct tl_store *store, const char *id,
    int64_t number, char **receipt, struct tl_error *err);

/* Records the authority's decision on challenge `number`: dismissed
 * (remedy TL_REMEDY_NONE) or upheld with a remedy.  A recount takes the
 * election back to closed; a new vote annuls the result. */
int tl_challenge_resolve(struct tl_store *store, const char *id,
    int64_t number, int upheld, enum tl_remedy remedy, const char *text,
    int64_t now, struct tl_error *err);

/*
 * The challenges, in order:
 *   [{"number", "voter", "text", "filed", "entry_hash", "certification",
 *     "decision": "upheld"|"dismissed"|null, "remedy": ...|null,
 *     "decision_text", "decided"}, ...]
 */
int tl_challenge_list(struct tl_store *store, const char *id, json_t **out,
    struct tl_error *err);

/* Makes the result final: after the challenge phase, with every challenge
 * decided; the signed final statement says whether the result stands
 * ("confirmed") or was annulled. */
int tl_election_finalize(struct tl_store *store, const char *id,
    int64_t now, struct tl_error *err);

#endif
