/*
 * tally/lot.c: the deterministic drawing of lots.
 *
 * A count draws one lot order, a permutation of its candidates, from its
 * seed; every tie that the rules leave to lot goes to the tied candidate
 * that comes first in that order.  The draw (doc/methods.md, "Drawing
 * lots", states it for independent verifiers):
 *
 *   stream  = SHA-256(seed || "teller-lot-order" || BE64(0))
 *          || SHA-256(seed || "teller-lot-order" || BE64(1)) || ...
 *   order   = [0, 1, ..., n-1]
 *   for i = n-1 down to 1:
 *       repeat: x = next 4 bytes of stream as a big-endian integer
 *       until x < 2^32 - (2^32 mod (i+1))
 *       swap order[i] and order[x mod (i+1)]
 *
 * Without a seed the lot order is the candidates' own order.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "teller/crypto.h"

struct stream {
	const uint8_t *seed;
	size_t seed_len;
	uint64_t counter;
	uint8_t block[TL_SHA256_LEN];
	size_t used;
};

static void
stream_refill(struct stream *s)
{
	static const char label[] = "teller-lot-order";
	uint8_t counter[8];
	struct tl_iov parts[3];

	for (int i = 0; i < 8; i++)
		counter[i] = (uint8_t)(s->counter >> (56 - 8 * i));
	parts[0] = (struct tl_iov){s->seed, s->seed_len};
	parts[1] = (struct tl_iov){label, sizeof(label) - 1};
	parts[2] = (struct tl_iov){counter, sizeof(counter)};
	tl_sha256_iov(parts, 3, s->block);
	s->counter++;
	s->used = 0;
}

static uint32_t
stream_u32(struct stream *s)
{
	uint32_t x = 0;

	for (int i = 0; i < 4; i++) {
		if (s->used == sizeof(s->block))
			stream_refill(s);
		x = (x << 8) | s->block[s->used++];
	}
	return x;
}

int
tl_lot_init(struct tl_lot *lot, const struct tl_count_input *in)
{
	struct stream s;
	size_t n = in->ncandidates;

	memset(lot, 0, sizeof(*lot));
	lot->order = calloc(n + 1, sizeof(*lot->order));
	lot->rank = calloc(n + 1, sizeof(*lot->rank));
	if (lot->order == NULL || lot->rank == NULL) {
		tl_lot_free(lot);
		return TL_ENOMEM;
	}
	lot->n = n;
	for (size_t i = 0; i < n; i++)
		lot->order[i] = (uint32_t)i;
	if (in->seed != NULL) {
		lot->seeded = 1;
		memset(&s, 0, sizeof(s));
		s.seed = in->seed;
		s.seed_len = in->seed_len;
		s.used = sizeof(s.block);
		for (size_t i = n; i-- > 1;) {
			uint64_t range = (uint64_t)i + 1;
			uint64_t limit = ((uint64_t)1 << 32) -
			    (((uint64_t)1 << 32) % range);
			uint64_t x;
			uint32_t t;

			do
				x = stream_u32(&s);
			while (x >= limit);
			t = lot->order[i];
			lot->order[i] = lot->order[x % range];
			lot->order[x % range] = t;
		}
	}
	for (size_t k = 0; k < n; k++)
		lot->rank[lot->order[k]] = (uint32_t)k;
	return TL_OK;
}

void
tl_lot_free(struct tl_lot *lot)
{
	free(lot->order);
	free(lot->rank);
	memset(lot, 0, sizeof(*lot));
}

size_t
tl_lot_first(const struct tl_lot *lot, const size_t *tied, size_t n)
{
	size_t best = tied[0];

	for (size_t i = 1; i < n; i++)
		if (lot->rank[tied[i]] < lot->rank[best])
			best = tied[i];
	return best;
}

void
tl_lot_sort(const struct tl_lot *lot, size_t *tied, size_t n)
{
	/* Insertion sort: ties are small. */
	for (size_t i = 1; i < n; i++) {
		size_t c = tied[i], j = i;

		while (j > 0 && lot->rank[tied[j - 1]] > lot->rank[c]) {
			tied[j] = tied[j - 1];
			j--;
		}
		tied[j] = c;
	}
}
