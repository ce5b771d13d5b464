/*
 * check_rfc3797.c: RFC 3797 random selection against the RFC's own worked
 * example (section 6) and the key string's rules for values.
 */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "teller/crypto.h"
#include "teller/rfc3797.h"

START_TEST(rfc_section_6_example)
{
	/* The sources, key, MD5 values and selections of RFC 3797 section 6
	 * (the MD5 values and selections recomputed with Python's hashlib
	 * from the RFC's definition; they agree with the RFC's table). */
	static const char *const sources[] = {"9319", "2 5 12 8 10",
	    "9 18 26 34 41 45"};
	static const char *const md5[] = {
		"990dd0a5692a029a98b5e01aa28f3459", "3691e55cb63fcc37914430b2f70b5ec6",
		"fe814edf564c190ac1d25753979990fa", "1863ccaceb568c31d7ddbdf1d4e91387",
		"f4ab33df4889f0af29c513905be1d758", "13eaeb529f61acfb9a29d0ba3a60de4a",
		"992db77c382ca2bdb9727001f3cdccd9", "63ab4258eca922976811c7f55c383ce7",
		"dfbc5ac97ced01b3a6e348e3cc63f40d", "31cb111c4a4ebe9287ceae16fe51b909",
		"07fa46c122f164c215bbc72793b189a3",
	};
	static const size_t members[] = {17, 7, 2, 16, 25, 23, 8, 24, 19, 13, 22};
	struct tl_rfc3797_pick picks[11];
	struct tl_error err;
	char *key = NULL, hex[33];

	ck_assert_int_eq(tl_rfc3797_key(sources, 3, &key, &err), TL_OK);
	ck_assert_str_eq(key, "9319./2.5.8.10.12./9.18.26.34.41.45./");
	ck_assert_int_eq(tl_rfc3797_select(key, 25, 11, picks, &err), TL_OK);
	for (int i = 0; i < 11; i++) {
		tl_hex_encode(picks[i].md5, 16, hex);
		ck_assert_str_eq(hex, md5[i]);
		ck_assert_uint_eq(picks[i].index, (unsigned)i);
		ck_assert_uint_eq(picks[i].divisor, 25 - (size_t)i);
		ck_assert_uint_eq(picks[i].member, members[i]);
	}
	free(key);
}
END_TEST

START_TEST(key_values)
{
	static const struct {
		const char *source;
		const char *key;
	} cases[] = {
		{"007 0 00", "0.0.7./"},
		{"10 9.5 2", "2.9.5.10./"},
		{"9643.80 9643.8", "9643.8.9643.8./"},
		{"5.00 .5 0.25", "0.25.0.5.5./"},
		{"  3\t 1  ", "1.3./"},
		{"100 99 1000 999.999", "99.100.999.999.1000./"},
	};
	struct tl_error err;
	char *key = NULL;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(tl_rfc3797_key(&cases[i].source, 1, &key, &err),
		    TL_OK);
		ck_assert_str_eq(key, cases[i].key);
		free(key);
	}
}
END_TEST

START_TEST(rejections)
{
	static const char *const bad[] = {"12 abc", "1.2.3", "", "-4", ".",
	    "1e5"};
	struct tl_rfc3797_pick picks[3];
	struct tl_error err;
	char *key = NULL;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(tl_rfc3797_key(&bad[i], 1, &key, &err) == TL_EINPUT,
		    "accepted \"%s\"", bad[i]);
	ck_assert_ptr_nonnull(strstr(err.message, "random source 1"));
	ck_assert_int_eq(tl_rfc3797_key(NULL, 0, &key, &err), TL_EINPUT);
	ck_assert_int_eq(tl_rfc3797_select("1./", 2, 3, picks, &err), TL_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.message, "cannot select 3 of a pool of "
	    "2"));
	ck_assert_int_eq(tl_rfc3797_select("1./", 0, 0, picks, &err), TL_EINPUT);
}
END_TEST

START_TEST(whole_pool)
{
	struct tl_rfc3797_pick picks[5];
	uint8_t seen[6] = {0};

	/* Selecting everyone orders the whole pool, each member once. */
	ck_assert_int_eq(tl_rfc3797_select("1.2./3./", 5, 5, picks, NULL),
	    TL_OK);
	for (int i = 0; i < 5; i++) {
		ck_assert(picks[i].member >= 1 && picks[i].member <= 5);
		ck_assert(!seen[picks[i].member]);
		seen[picks[i].member] = 1;
	}
	ck_assert_uint_eq(picks[4].divisor, 1);
}
END_TEST

static Suite *
rfc3797_suite(void)
{
	Suite *s = suite_create("rfc3797");
	TCase *tc = tcase_create("rfc3797");

	tcase_add_test(tc, rfc_section_6_example);
	tcase_add_test(tc, key_values);
	tcase_add_test(tc, rejections);
	tcase_add_test(tc, whole_pool);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return th_run(rfc3797_suite());
}
