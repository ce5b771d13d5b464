/*
 * teller/rfc3797.h: publicly verifiable random selection, exactly as
 * RFC 3797 section 4 defines it (the IETF NomCom's method).
 *
 * The key string is built from the random sources in the order given:
 * each source's values are written as decimal numbers (no leading zeros;
 * a fraction keeps its decimal point, with trailing zeros after it
 * dropped, and the point too if nothing is left after it), sorted into
 * ascending numeric order, each followed by "."; each source ends with
 * "/".  Selection i (from 0) hashes, with MD5, the two bytes of i (most
 * significant first), the key, and the same two bytes again; the 128-bit
 * result, as an unsigned big-endian integer, modulo the number of members
 * still in the pool, picks (counting from 0, in the pool's published
 * order) the member selected, who leaves the pool.
 */
#ifndef TELLER_RFC3797_H
#define TELLER_RFC3797_H

#include <stddef.h>
#include <stdint.h>

#include "teller/error.h"

#define TL_RFC3797_MAX_POOL 65535
#define TL_RFC3797_MAX_SOURCES 64
#define TL_RFC3797_MAX_VALUES 64 /* per source */

struct tl_rfc3797_pick {
	unsigned index;     /* 0 for the first selection */
	uint8_t md5[16];
	size_t divisor;     /* members left in the pool before this pick */
	size_t member;      /* 1-based position in the published pool */
};

/*
 * The key string of the sources; each source is one string of values
 * separated by blanks (spaces or tabs).  A value is digits with at most one
 * decimal point; anything else is TL_EINPUT naming the source and value.
 * *key is the caller's to free.
 */
int tl_rfc3797_key(const char *const *sources, size_t nsources, char **key,
    struct tl_error *err);

/* Selects count of pool_size members with the key; picks[count]. */
int tl_rfc3797_select(const char *key, size_t pool_size, size_t count,
    struct tl_rfc3797_pick *picks, struct tl_error *err);

#endif
