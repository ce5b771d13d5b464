/*
 * teller/export.h: the public record of an election, written in pieces so
 * that a server can stream it while it goes on accepting ballots.
 *
 * The record is JSON Lines: each log entry's envelope exactly as logged,
 * one per line in log order, then the signed tree head that covers
 * exactly those entries, then, if witnesses have cosigned that tree head,
 * the cosignature line that carries their cosignatures (witness.h,
 * doc/record-format.md).  tl_export_begin fixes
 * that tree head (the latest signed one), so the record is one consistent
 * prefix of the log however it grows meanwhile.
 *
 * Ownership: tl_export_free releases what tl_export_begin returned.
 */
#ifndef TELLER_EXPORT_H
#define TELLER_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "teller/error.h"
#include "teller/store.h"
#include "teller/util.h"

struct tl_export;

/* Starts the record of election id.  TL_ENOTFOUND if there is no such
 * election, TL_ESTATE if it is a draft (its log starts when it opens). */
int tl_export_begin(struct tl_store *store, const char *id,
    struct tl_export **out, struct tl_error *err);

/* The number of entries the record holds (its tree head's size). */
uint64_t tl_export_size(const struct tl_export *x);

/*
 * Appends the next lines of the record to buf: entries until buf holds
 * at least `want` bytes (and at least one line), then, after the last
 * entry, the tree head's line.  *done is set once the tree head's line
 * has been added.  store may be any connection to the database.
 */
int tl_export_next(struct tl_export *x, struct tl_store *store,
    struct tl_buf *buf, size_t want, int *done, struct tl_error *err);

void tl_export_free(struct tl_export *x);

#endif
