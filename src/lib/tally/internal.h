/*
 * tally/internal.h (internal to libteller): what the counting methods share:
 * the per-method entry points and report-building helpers.
 */
#ifndef TELLER_TALLY_INTERNAL_H
#define TELLER_TALLY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "teller/count.h"

/* A referendum; quorum_met says whether the contest's quorum (count.c)
 * is met. */
int tl_count_referendum(const struct tl_count_input *in, json_t *report,
    int quorum_met, struct tl_error *err);

/* A vote total as JSON: an integer when weights are whole numbers, else a
 * decimal string with weight_decimals places ("12.50"). */
json_t *tl_count_amount(int64_t value, unsigned decimals);

/*
 * Plurality and approval share the count: each mark gives the ballot's
 * weight to its candidate; the `seats` highest are elected; a tie for the
 * last seat(s) is broken by lot and reported.
 */
int tl_count_marks(const struct tl_count_input *in, json_t *report,
    struct tl_error *err);

/* The ranked methods (irv.c, scottish.c, meek.c, schulze.c). */
int tl_count_irv(const struct tl_count_input *in, json_t *report,
    struct tl_error *err);
int tl_count_stv_scottish(const struct tl_count_input *in, json_t *report,
    struct tl_error *err);
int tl_count_stv_meek(const struct tl_count_input *in, json_t *report,
    struct tl_error *err);
int tl_count_schulze(const struct tl_count_input *in, json_t *report,
    struct tl_error *err);

/*
 * lot.c: drawing lots.  The lot order is a permutation of the candidates
 * drawn once per count from the seed (doc/methods.md gives the procedure);
 * a tie broken "by lot" goes to the tied candidate that comes first in it.
 * Without a seed the lot order is the candidates' own order (what droop
 * and OpenSTV do by default, for cross-checking with them).
 */
struct tl_lot {
	size_t n;
	uint32_t *order; /* order[k]: the candidate drawn k-th */
	uint32_t *rank;  /* rank[c]: where candidate c was drawn */
	int seeded;
};
int tl_lot_init(struct tl_lot *lot, const struct tl_count_input *in);
void tl_lot_free(struct tl_lot *lot);
/* Of the n candidates in tied, the one drawn first. */
size_t tl_lot_first(const struct tl_lot *lot, const size_t *tied, size_t n);
/* Sorts tied (n candidates) into lot order. */
void tl_lot_sort(const struct tl_lot *lot, size_t *tied, size_t n);

/*
 * ranked.c: the ballots of a ranked method, prepared once: withdrawn
 * candidates removed, blank ballots set aside, identical rankings merged
 * (their weights added), weights multiplied by `scale` (to the method's
 * fixed point).  Rankings keep TL_PREF_EQUAL only where allow_equal;
 * otherwise an equal rank is TL_EMETHOD.  Order: first appearance.
 */
struct tl_ranked {
	size_t n;          /* distinct non-blank rankings */
	int64_t *weight;   /* n: total weight of each, scaled */
	size_t *start;     /* n + 1 offsets into prefs */
	uint32_t *prefs;
	int64_t total;     /* weight of all non-blank ballots, scaled */
};
int tl_ranked_build(const struct tl_count_input *in, int allow_equal,
    int64_t scale, struct tl_ranked *out, struct tl_error *err);
void tl_ranked_free(struct tl_ranked *rk);

/* 10^k for k <= 18. */
int64_t tl_count_pow10(unsigned k);
/* a * b / c rounded down (c > 0, a, b >= 0), through 128-bit arithmetic;
 * TL_EMETHOD if the result does not fit. */
int tl_count_muldiv(int64_t a, int64_t b, int64_t c, int64_t *out);
/* The same, rounded up. */
int tl_count_muldiv_up(int64_t a, int64_t b, int64_t c, int64_t *out);

/* {"id": amount, ...} for every candidate not withdrawn. */
json_t *tl_count_votes_json(const struct tl_count_input *in,
    const int64_t *votes, unsigned places);
/* ["id", ...] of n candidates. */
json_t *tl_count_ids_json(const struct tl_count_input *in, const size_t *c,
    size_t n);
/* Appends candidate c to the report's "elected" and "winners". */
int tl_count_add_winner(const struct tl_count_input *in, json_t *report,
    size_t c);

/*
 * A tie among n candidates (tied, in candidate order) broken by the
 * earlier stages, then by lot (Scottish rules 49(2)-(3) and 51(2)): walk
 * back from the latest of the nstages recorded stages (history holds
 * ncand votes per stage); at the first stage where the candidates still
 * tied do not all have equal votes, keep those with the fewest (lowest)
 * or most (!lowest) votes; one left decides.  Otherwise the lot decides
 * among those left.  *tie gets the report's description of the tie.
 */
size_t tl_count_break_tie(const struct tl_count_input *in,
    const struct tl_lot *lot, const int64_t *history, size_t nstages,
    const size_t *tied, size_t n, int lowest, unsigned places, json_t **tie);
/* Records a broken tie (taken): its question, in the report's list of
 * ties, and in the action it decided.  TL_ENOMEM (tie released) if tie or
 * action is NULL. */
int tl_count_note_tie(json_t *ties, json_t *action, json_t *tie,
    const char *question);
/* A tie broken by lot alone. */
size_t tl_count_lot_tie(const struct tl_count_input *in,
    const struct tl_lot *lot, const size_t *tied, size_t n, json_t **tie);

/*
 * piles.c: the ballot papers of a count by transfers (IRV, Scottish STV):
 * each distinct ranking's papers sit in the pile of their current
 * candidate, all with one value; a transfer moves only the papers of the
 * pile being transferred.  Votes are fixed point: `one` is a whole vote.
 */
enum tl_cand_state {
	TL_CAND_HOPEFUL,
	TL_CAND_ELECTED,
	TL_CAND_EXCLUDED,
	TL_CAND_WITHDRAWN,
};

struct tl_piles {
	const struct tl_count_input *in;
	const struct tl_ranked *rk;
	size_t ncand;
	int64_t one;
	unsigned places;
	size_t *pos;        /* per ranking: index of its current candidate */
	int64_t *value;     /* per ranking: the value of each of its papers */
	size_t **pile;      /* per candidate: the rankings in its pile */
	size_t *pile_len, *pile_cap;
	int64_t *votes;     /* per candidate */
	int64_t *prev;      /* votes at the end of the previous stage */
	uint8_t *state;     /* enum tl_cand_state, per candidate */
	int64_t exhausted, prev_exhausted;
	int64_t *history;   /* votes at the end of each stage */
	size_t nstages, cap_stages;
	size_t nhopeful, nelected;
	json_t *rounds;     /* the report's rounds */
};

/* Puts every paper in the pile of its first preference (the first stage)
 * and records that stage. */
int tl_piles_init(struct tl_piles *p, const struct tl_count_input *in,
    const struct tl_ranked *rk, int64_t one, unsigned places);
void tl_piles_free(struct tl_piles *p);
/* Moves candidate c's papers to their next hopeful candidate.  With
 * surplus >= 0, each paper's new value is value * surplus / votes[c]
 * rounded down and c keeps votes[c] - surplus; otherwise (an exclusion)
 * papers keep their value and c keeps nothing.  *tv (if not NULL) gets
 * the report's list of values before and after. */
int tl_piles_transfer(struct tl_piles *p, size_t c, int64_t surplus,
    json_t **tv, struct tl_error *err);
/* Records the end of a stage: history for ties. */
int tl_piles_record(struct tl_piles *p);
/* Appends the stage's round to p->rounds: number, quota, votes,
 * transfers since the last round, non-transferable and lost values,
 * the action and the candidates elected (steals action and elected). */
int tl_piles_round(struct tl_piles *p, int64_t quota, json_t *action,
    json_t *elected);
/* Marks c elected or excluded. */
void tl_piles_set_state(struct tl_piles *p, size_t c, enum tl_cand_state s);
/* Sorts cands (n) by votes, most first; equal votes by the earlier
 * stages, then the lot order (no tie is reported: an order of listing). */
void tl_piles_sort_by_votes(struct tl_piles *p, const struct tl_lot *lot,
    size_t *cands, size_t n);

#endif
