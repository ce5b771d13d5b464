/*
 * check_ratelimit.c: the limit on enrolment attempts per address of
 * teller serve (src/server/ratelimit.c): the burst, the refill and the
 * Retry-After it gives, IPv4 addresses alone and IPv6 ones by /64, and a
 * full table.
 */
#include <config.h>

#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "internal.h"

static struct sockaddr_storage
addr(const char *text)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(text, ':') != NULL) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		ck_assert_int_eq(inet_pton(AF_INET6, text, &in6->sin6_addr), 1);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		ck_assert_int_eq(inet_pton(AF_INET, text, &in->sin_addr), 1);
	}
	return ss;
}

static int
take(struct ratelimit *rl, const char *text, int64_t now, unsigned *retry)
{
	struct sockaddr_storage ss = addr(text);

	return ratelimit_take(rl, (struct sockaddr *)&ss, now, retry);
}

START_TEST(burst_and_refill)
{
	struct ratelimit *rl = malloc(sizeof(*rl));
	unsigned retry = 0;

	/* 3 at once, then one every 600 / 3 = 200 seconds. */
	ratelimit_init(rl, 3, 600);
	for (int i = 0; i < 3; i++)
		ck_assert(take(rl, "192.0.2.1", 1000, &retry));
	ck_assert(!take(rl, "192.0.2.1", 1000, &retry));
	ck_assert_uint_eq(retry, 200);
	ck_assert(!take(rl, "192.0.2.1", 1150, &retry));
	ck_assert_uint_eq(retry, 50);
	ck_assert(take(rl, "192.0.2.1", 1200, &retry));
	ck_assert(!take(rl, "192.0.2.1", 1200, &retry));
	/* Another address has its own bucket. */
	ck_assert(take(rl, "192.0.2.2", 1200, &retry));
	/* A long pause refills to the burst, no more. */
	for (int i = 0; i < 3; i++)
		ck_assert(take(rl, "192.0.2.1", 100000, &retry));
	ck_assert(!take(rl, "192.0.2.1", 100000, &retry));
	/* IPv6: one /64 is one client; another /64 another. */
	for (int i = 0; i < 3; i++)
		ck_assert(take(rl, i % 2 ? "2001:db8:1:2::1" : "2001:db8:1:2:ffff::9",
		    5000, &retry));
	ck_assert(!take(rl, "2001:db8:1:2:abcd::1", 5000, &retry));
	ck_assert(take(rl, "2001:db8:1:3::1", 5000, &retry));
	/* An IPv4-mapped address is that IPv4 address. */
	ck_assert(!take(rl, "::ffff:192.0.2.1", 100000, &retry));
	ratelimit_destroy(rl);
	free(rl);
}
END_TEST

START_TEST(no_limit_and_full_table)
{
	struct ratelimit *rl = malloc(sizeof(*rl));
	unsigned retry = 0;
	char text[32];

	ratelimit_init(rl, 0, 600);
	for (int i = 0; i < 100; i++)
		ck_assert(take(rl, "192.0.2.1", 1000, &retry));
	ratelimit_destroy(rl);
	/* More addresses than slots: the least recently seen give way, and
	 * the newest are still limited. */
	ratelimit_init(rl, 1, 600);
	for (int i = 0; i < RATELIMIT_SLOTS + 10; i++) {
		snprintf(text, sizeof(text), "10.%d.%d.1", i / 256, i % 256);
		ck_assert(take(rl, text, 1000 + i, &retry));
	}
	ck_assert_uint_eq(rl->nslots, RATELIMIT_SLOTS);
	ck_assert(!take(rl, text, 1000 + RATELIMIT_SLOTS + 10, &retry));
	ratelimit_destroy(rl);
	free(rl);
}
END_TEST

static Suite *
ratelimit_suite(void)
{
	Suite *s = suite_create("ratelimit");
	TCase *tc = tcase_create("ratelimit");

	tcase_add_test(tc, burst_and_refill);
	tcase_add_test(tc, no_limit_and_full_table);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return th_run(ratelimit_suite());
}
