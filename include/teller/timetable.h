/*
 * teller/timetable.h: an election's phases and their UTC times.
 *
 * An election runs through up to four phases, in this order:
 *
 *   nominations   the slate is published ('teller candidate add')
 *   petitions     petitions are opened and eligible voters endorse them
 *   voting        ballots are cast (the manifest's "opens" and "closes")
 *   challenge     after certification, eligible voters may challenge the
 *                 result
 *
 * The voting phase is always there; the manifest's optional "timetable"
 * member gives the others (doc/record-format.md, section 5.1):
 *
 *   "timetable": {"nominations": {"opens": T, "closes": T},
 *                 "petitions": {"opens": T, "closes": T},
 *                 "challenge": {"opens": T, "closes": T}}
 *
 * Each phase runs from its opens time (included) to its closes time
 * (excluded), and a phase closes no later than the next one opens.  The
 * times can only move forward, with a signed amendment in the log
 * (tl_timetable_amend gives the rules), so the timetable in force is the
 * manifest's with every amendment applied in log order.
 *
 * Nothing here touches the database: these are the rules, shared by the
 * commands that act in a phase and by the offline verifier.
 */
#ifndef TELLER_TIMETABLE_H
#define TELLER_TIMETABLE_H

#include <stdint.h>

#include "teller/error.h"

enum tl_phase {
	TL_PHASE_NOMINATIONS,
	TL_PHASE_PETITIONS,
	TL_PHASE_VOTING,
	TL_PHASE_CHALLENGE,
};
#define TL_PHASE_COUNT 4

struct tl_window {
	int present;
	int64_t opens;  /* Unix seconds, UTC */
	int64_t closes;
};

struct tl_timetable {
	int declared;   /* the manifest has a "timetable" member */
	struct tl_window phase[TL_PHASE_COUNT];
};

/* "nominations", "petitions", "voting", "challenge"; and back (-1 for an
 * unknown name). */
const char *tl_phase_name(enum tl_phase phase);
int tl_phase_from_name(const char *name);

/* Whether the election has a nomination stage (a nominations or a
 * petitions phase): its log then starts before the vote, when it is
 * published. */
int tl_timetable_has_nominations(const struct tl_timetable *tt);

/* The end of the nomination stage: the closes time of its last phase
 * (0 without one). */
int64_t tl_timetable_nominations_end(const struct tl_timetable *tt);

/*
 * Checks the phases that are present: each opens before it closes, and
 * each closes no later than the next present one opens.  Errors carry
 * `code` and name the phases and times at fault.
 */
int tl_timetable_check(const struct tl_timetable *tt, int code,
    struct tl_error *err);

/*
 * Where time t falls: *current gets the phase whose window holds t, or -1
 * if none does; *next the first present phase that opens after t, or -1.
 */
void tl_timetable_locate(const struct tl_timetable *tt, int64_t t,
    int *current, int *next);

/*
 * TL_OK if time t is inside the phase; otherwise TL_EPHASE with a message
 * that says what was refused (`action`, such as "endorsements"), the phase
 * and its times, and the time t, or that the election has no such phase.
 */
int tl_timetable_require(const struct tl_timetable *tt, const char *election,
    enum tl_phase phase, int64_t t, const char *action,
    struct tl_error *err);

/*
 * An amendment of a phase's times, made at time `now`: new opens and/or
 * closes times (has_opens, has_closes say which are given, at least one).
 * The rules: the phase exists; each given time is later than the one in
 * force (times only move forward); the time it replaces has not come yet
 * (now is before it); and the timetable stays valid (tl_timetable_check).
 * On success the amendment is applied to tt; otherwise tt is unchanged and
 * the error (TL_EPHASE, or TL_EUSAGE for an amendment that changes nothing)
 * says which rule it breaks.
 */
int tl_timetable_amend(struct tl_timetable *tt, enum tl_phase phase,
    int has_opens, int64_t opens, int has_closes, int64_t closes,
    int64_t now, struct tl_error *err);

#endif
