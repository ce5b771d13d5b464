/*
 * ratelimit.c: how many enrolment attempts each client address may make,
 * so that enrolment tokens cannot be guessed at speed (they are 256
 * random bits, but a slow door is cheap) and one client cannot keep the
 * write lock busy.
 *
 * A token bucket per address: `burst` attempts at once, then one more
 * each `period / burst` seconds.  An IPv4 address counts alone; IPv6
 * addresses count by their /64, which one client usually holds whole.
 * The table keeps RATELIMIT_SLOTS addresses; when it is full, the one
 * seen least recently gives its place (its bucket would be full again
 * by then, or nearly).
 */
#include <config.h>

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void
ratelimit_init(struct ratelimit *rl, unsigned burst, unsigned period)
{
	memset(rl, 0, sizeof(*rl));
	pthread_mutex_init(&rl->lock, NULL);
	rl->burst = burst;
	rl->period = period > 0 ? period : 1;
}

void
ratelimit_destroy(struct ratelimit *rl)
{
	pthread_mutex_destroy(&rl->lock);
}

/* The part of an address that counts: 4 bytes of IPv4 (a mapped one
 * too), or the first 8 bytes of IPv6. */
static size_t
address_key(const struct sockaddr *sa, uint8_t key[16])
{
	memset(key, 0, 16);
	if (sa == NULL)
		return 0;
	if (sa->sa_family == AF_INET) {
		memcpy(key, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return 4;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a =
		    &((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a)) {
			memcpy(key, a->s6_addr + 12, 4);
			return 4;
		}
		memcpy(key, a->s6_addr, 8);
		key[15] = 6;
		return 16;
	}
	return 0;
}

int
ratelimit_take(struct ratelimit *rl, const struct sockaddr *sa, int64_t now,
    unsigned *retry_after)
{
	/* Tokens are counted in units of 1/period, so that refilling
	 * `burst` tokens per `period` seconds is whole arithmetic: each
	 * second adds `burst` units, an attempt costs `period`. */
	int64_t cap = (int64_t)rl->burst * rl->period;
	struct ratelimit_slot *slot = NULL, *oldest = NULL;
	uint8_t key[16];
	int allowed;

	if (rl->burst == 0)
		return 1;
	address_key(sa, key);
	pthread_mutex_lock(&rl->lock);
	for (size_t i = 0; i < rl->nslots; i++) {
		if (memcmp(rl->slots[i].key, key, 16) == 0) {
			slot = &rl->slots[i];
			break;
		}
		if (oldest == NULL || rl->slots[i].seen < oldest->seen)
			oldest = &rl->slots[i];
	}
	if (slot == NULL) {
		slot = rl->nslots < RATELIMIT_SLOTS ? &rl->slots[rl->nslots++] :
		    oldest;
		memcpy(slot->key, key, 16);
		slot->units = cap;
		slot->seen = now;
	}
	if (now > slot->seen) {
		int64_t gained = (now - slot->seen) * (int64_t)rl->burst;

		slot->units = gained >= cap - slot->units ? cap :
		    slot->units + gained;
	}
	slot->seen = now;
	allowed = slot->units >= (int64_t)rl->period;
	if (allowed)
		slot->units -= rl->period;
	else if (retry_after != NULL)
		*retry_after = (unsigned)(((int64_t)rl->period - slot->units +
		    rl->burst - 1) / rl->burst);
	pthread_mutex_unlock(&rl->lock);
	return allowed;
}
