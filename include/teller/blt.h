/*
 * teller/blt.h: BLT ballot files (the format of ERS, OpenSTV, droop and
 * the Scottish councils' published preference profiles).
 *
 *   4 2                  candidates, seats
 *   -2                   optional: withdrawn candidates (negative numbers),
 *   [withdrawn 2 3]      or droop's option line
 *   1 1 3 2 0            weight, preferences by candidate number, 0 ends it
 *   2.5 2 1=3 0          a decimal weight; = joins equal preferences
 *   1 0                  a blank ballot
 *   0                    end of ballots
 *   "Alice"              one name per candidate, in number order, quoted
 *   Bob                  or not
 *   "Carol"
 *   "Dave"
 *   "Title"              optional
 *
 * The reader accepts CRLF line ends, blanks at either end of a line, blank
 * lines, and a UTF-8 byte order mark; lines after the title are notes and
 * are ignored.  Anything else is rejected with the file, the line and the
 * reason.  Limits: TL_BLT_MAX bytes, TL_MAX_CANDIDATES candidates, names of
 * at most TL_BLT_MAX_NAME bytes of UTF-8, weights of at most 10^12 with at
 * most TL_BLT_MAX_DECIMALS decimals.
 *
 * Ownership: a struct tl_blt belongs to the caller of tl_blt_parse and is
 * released with tl_blt_free.
 */
#ifndef TELLER_BLT_H
#define TELLER_BLT_H

#include <stddef.h>
#include <stdint.h>

#include "teller/count.h"
#include "teller/error.h"
#include "teller/util.h"

#define TL_BLT_MAX (256u * 1024 * 1024)
#define TL_BLT_MAX_NAME 1024
#define TL_BLT_MAX_DECIMALS 9

struct tl_blt {
	size_t ncandidates;
	unsigned seats;
	char **names;          /* ncandidates names */
	char **ids;            /* "1", "2", ...: the candidates' numbers */
	uint8_t *withdrawn;    /* a flag per candidate */
	char *title;           /* "" if the file has none */
	struct tl_ballot_set ballots;
	unsigned weight_decimals;
	uint32_t *ballot_lines; /* the line of each ballot, for messages */
};

/* Parses a BLT file's bytes; file names the file in errors.  TL_EINPUT
 * (or TL_ETOOBIG) with "FILE:LINE: reason" in err. */
int tl_blt_parse(const char *data, size_t len, const char *file,
    struct tl_blt **out, struct tl_error *err);

void tl_blt_free(struct tl_blt *blt);

/*
 * Writes the ballots of a count input as a BLT file: its seats, candidates
 * (names quoted), withdrawn candidates, ballots (weights with
 * weight_decimals decimals; equal ranks with =) and the title.  TL_EINPUT
 * if a name or the title holds a double quote or a line break, which BLT
 * cannot carry.
 */
int tl_blt_write(const struct tl_count_input *in, const char *title,
    struct tl_buf *out, struct tl_error *err);

#endif
