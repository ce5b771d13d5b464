/*
 * teller/turnout.h: which eligible voters voted, per constituency, as the
 * Internet Society publishes it: the voters of each constituency on the
 * roll, whether each voted, and the share that did, by head and by
 * weight.
 *
 * It is derived from the public record alone (the roll, and the voters
 * with an accepted ballot), so `teller turnout` (from the database's log)
 * and `teller verify --turnout` (from an exported record) give the same
 * document:
 *
 *   {"election": ID, "title": TEXT, "secrecy": "open"|"secret",
 *    "constituencies": [{"constituency": ID, "name": NAME,
 *      "eligible": N, "eligible_weight": W, "voted": N, "voted_weight": W,
 *      "percent": "62.50%", "percent_weighted": "58.33%",
 *      "voters": [{"id", "name", "weight", "voted": BOOL}, ...]}, ...]}
 *
 * In a secret election no ballot names its voter: there `voted` means
 * the voter obtained a credential (doc/record-format.md 8.5).
 *
 * Constituencies are in the manifest's order; voters in id order (as
 * bytes).  Percentages are voted / eligible with two decimals, rounded
 * half up in integer arithmetic, and "-" for a constituency without
 * voters (tl_report_percent).
 */
#ifndef TELLER_TURNOUT_H
#define TELLER_TURNOUT_H

#include <stddef.h>

#include <jansson.h>

#include "teller/error.h"
#include "teller/manifest.h"
#include "teller/roll.h"
#include "teller/store.h"
#include "teller/util.h"

/* The turnout document from a roll and the ids of the voters with an
 * accepted ballot, or in a secret election of those who obtained a
 * credential (in any order, repeats allowed; an id not on the roll is
 * TL_EINPUT).  *out is a new reference. */
int tl_turnout_compute(const struct tl_manifest *manifest,
    const struct tl_roll *roll, const char *const *voted, size_t nvoted,
    json_t **out, struct tl_error *err);

/* The turnout of an election from its log (not a draft: it has none). */
int tl_election_turnout(struct tl_store *store, const char *id, json_t **out,
    struct tl_error *err);

/* Renders a turnout document as "text", "json" (indented) or "csv"
 * (constituency,voter_id,name,weight,voted: one line per voter, RFC 4180
 * quoting); TL_EUSAGE for another format. */
int tl_turnout_render(const json_t *turnout, const char *format,
    struct tl_buf *out, struct tl_error *err);

#endif
