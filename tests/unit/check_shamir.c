/*
 * check_shamir.c: Shamir's secret sharing over GF(2^8): the field against
 * FIPS 197's worked examples and an independent log-table multiplication;
 * every subset of k shares reconstructs, for every k <= n <= 7; and k - 1
 * shares do not determine the key: for the same k - 1 shares, the test
 * builds the polynomial of another key (any key) and shows it gives them
 * too.
 */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "teller/crypto.h"
#include "teller/shamir.h"

#define LEN TL_SHAMIR_SECRET_LEN

/*
 * An independent multiplication, for comparison: by tables of powers of
 * the generator {03} (exp) and their logarithms, built by repeated
 * multiplication by {03} = x + 1, i.e. v ^ xtime(v).
 */
static uint8_t exp_table[255], log_table[256];

static void
make_tables(void)
{
	unsigned v = 1;

	for (int i = 0; i < 255; i++) {
		unsigned xtime = (v << 1) ^ ((v & 0x80) ? 0x1b : 0);

		exp_table[i] = (uint8_t)v;
		log_table[v] = (uint8_t)i;
		v = (v ^ xtime) & 0xff;
	}
	ck_assert_uint_eq(v, 1); /* {03} has order 255: a generator */
}

static uint8_t
table_mul(uint8_t a, uint8_t b)
{
	if (a == 0 || b == 0)
		return 0;
	return exp_table[(log_table[a] + log_table[b]) % 255];
}

START_TEST(field_fips197)
{
	/* FIPS 197 section 4.2 and 4.2.1. */
	ck_assert_uint_eq(tl_gf256_mul(0x57, 0x83), 0xc1);
	ck_assert_uint_eq(tl_gf256_mul(0x57, 0x13), 0xfe);
	ck_assert_uint_eq(tl_gf256_mul(0x57, 0x02), 0xae);
	ck_assert_uint_eq(tl_gf256_mul(0x57, 0x04), 0x47);
	ck_assert_uint_eq(tl_gf256_mul(0x57, 0x08), 0x8e);
	ck_assert_uint_eq(tl_gf256_mul(0x57, 0x10), 0x07);
	/* {53} * {ca} = {01} (worked by hand from the definition); 0 maps
	 * to 0. */
	ck_assert_uint_eq(tl_gf256_inv(0x53), 0xca);
	ck_assert_uint_eq(tl_gf256_inv(0x00), 0x00);
	ck_assert_uint_eq(tl_gf256_inv(0x01), 0x01);
}
END_TEST

START_TEST(field_all_products)
{
	make_tables();
	for (unsigned a = 0; a < 256; a++) {
		for (unsigned b = 0; b < 256; b++)
			ck_assert_uint_eq(tl_gf256_mul((uint8_t)a, (uint8_t)b),
			    table_mul((uint8_t)a, (uint8_t)b));
		if (a != 0)
			ck_assert_uint_eq(tl_gf256_mul((uint8_t)a,
			    tl_gf256_inv((uint8_t)a)), 1);
	}
}
END_TEST

/* A split checked by hand: k = 2, coefficient {57} for every byte, so
 * share i = K ^ {57}*i: {57}, {ae}, {f9} for i = 1, 2, 3. */
START_TEST(split_by_hand)
{
	uint8_t secret[LEN], coefficients[LEN], shares[3][LEN];

	for (int j = 0; j < LEN; j++) {
		secret[j] = (uint8_t)j;
		coefficients[j] = 0x57;
	}
	ck_assert_int_eq(tl_shamir_split_with(secret, 2, 3, coefficients,
	    shares), TL_OK);
	for (int j = 0; j < LEN; j++) {
		ck_assert_uint_eq(shares[0][j], j ^ 0x57);
		ck_assert_uint_eq(shares[1][j], j ^ 0xae);
		ck_assert_uint_eq(shares[2][j], j ^ 0xf9);
	}
	/* k = 1: every share is the secret. */
	ck_assert_int_eq(tl_shamir_split(secret, 1, 3, shares), TL_OK);
	for (int i = 0; i < 3; i++)
		ck_assert_mem_eq(shares[i], secret, LEN);
}
END_TEST

/* The shares and indices of the trustees in mask (bit i - 1: trustee
 * i); returns how many. */
static unsigned
pick(unsigned mask, unsigned n, uint8_t (*all)[LEN], uint8_t *indices,
    uint8_t (*chosen)[LEN])
{
	unsigned count = 0;

	for (unsigned i = 1; i <= n; i++)
		if (mask & (1u << (i - 1))) {
			indices[count] = (uint8_t)i;
			memcpy(chosen[count], all[i - 1], LEN);
			count++;
		}
	return count;
}

START_TEST(every_subset_reconstructs)
{
	unsigned cases = 0;

	for (unsigned n = 1; n <= 7; n++)
		for (unsigned k = 1; k <= n; k++) {
			uint8_t secret[LEN], shares[7][LEN];

			ck_assert_int_eq(tl_random_bytes(secret, LEN), TL_OK);
			ck_assert_int_eq(tl_shamir_split(secret, k, n, shares),
			    TL_OK);
			for (unsigned mask = 1; mask < (1u << n); mask++) {
				uint8_t indices[7], chosen[7][LEN], back[LEN];
				unsigned count = pick(mask, n, shares, indices,
				    chosen);

				if (count < k)
					continue;
				/* k shares, or more: the secret. */
				ck_assert_int_eq(tl_shamir_combine(indices,
				    (const uint8_t (*)[LEN])chosen, count,
				    back), TL_OK);
				ck_assert_msg(memcmp(back, secret, LEN) == 0,
				    "n %u k %u subset %#x", n, k, mask);
				cases++;
			}
		}
	/* Sum over n <= 7, k <= n of the subsets of at least k of n. */
	ck_assert_uint_eq(cases, 769);
}
END_TEST

/*
 * k - 1 shares do not determine K.  Given the shares of polynomial P1
 * (constant term K1) at a set S of k - 1 indices, and any other K2, the
 * polynomial
 *   P2(x) = P1(x) + (K2 - K1) * Z(x) / Z(0),  Z(x) = prod over s in S of
 *   (x - s)
 * has degree < k, constant term K2, and the same values on S (Z vanishes
 * there).  The test computes P2's coefficients, splits K2 with them, and
 * finds the same shares on S; with one more share of each, each key comes
 * back.
 */
START_TEST(fewer_than_k_shares_leave_k_open)
{
	for (unsigned k = 2; k <= 7; k++) {
		const unsigned n = 7;
		uint8_t k1[LEN], k2[LEN], c1[6 * LEN], c2[6 * LEN];
		uint8_t s1[7][LEN], s2[7][LEN], z[8] = {1}, inv_z0;
		uint8_t indices[7], chosen[7][LEN], back[LEN];

		ck_assert_int_eq(tl_random_bytes(k1, LEN), TL_OK);
		ck_assert_int_eq(tl_random_bytes(c1, sizeof(c1)), TL_OK);
		memcpy(k2, k1, LEN);
		k2[0] ^= 0x01;  /* another key */
		k2[LEN - 1] ^= 0xff;
		ck_assert_int_eq(tl_shamir_split_with(k1, k, n, c1, s1), TL_OK);
		/* Z(x) = prod over s = 1..k-1 of (x + s): z[m] is the
		 * coefficient of x^m. */
		for (unsigned s = 1; s <= k - 1; s++)
			for (int m = (int)s; m >= 0; m--)
				z[m] = tl_gf256_mul(z[m], (uint8_t)s) ^
				    (m > 0 ? z[m - 1] : 0);
		inv_z0 = tl_gf256_inv(z[0]);
		/* P2's coefficients: c2[m] = c1[m] + delta * z[m] / z[0]. */
		for (unsigned m = 1; m <= k - 1; m++)
			for (int j = 0; j < LEN; j++)
				c2[LEN * (m - 1) + (unsigned)j] =
				    c1[LEN * (m - 1) + (unsigned)j] ^
				    tl_gf256_mul(k1[j] ^ k2[j],
				    tl_gf256_mul(z[m], inv_z0));
		ck_assert_int_eq(tl_shamir_split_with(k2, k, n, c2, s2), TL_OK);
		/* The same k - 1 shares of trustees 1..k-1 ... */
		for (unsigned i = 0; i < k - 1; i++)
			ck_assert_msg(memcmp(s1[i], s2[i], LEN) == 0,
			    "k %u: share %u differs", k, i + 1);
		/* ... and the others differ (Z is not zero there). */
		for (unsigned i = k - 1; i < n; i++)
			ck_assert(memcmp(s1[i], s2[i], LEN) != 0);
		/* With trustee n's share added, each gives its own key. */
		pick((1u << (k - 1)) - 1, n, s1, indices, chosen);
		indices[k - 1] = (uint8_t)n;
		memcpy(chosen[k - 1], s1[n - 1], LEN);
		ck_assert_int_eq(tl_shamir_combine(indices,
		    (const uint8_t (*)[LEN])chosen, k, back), TL_OK);
		ck_assert_mem_eq(back, k1, LEN);
		memcpy(chosen[k - 1], s2[n - 1], LEN);
		ck_assert_int_eq(tl_shamir_combine(indices,
		    (const uint8_t (*)[LEN])chosen, k, back), TL_OK);
		ck_assert_mem_eq(back, k2, LEN);
	}
}
END_TEST

/* For k = 3, every value of a key byte is consistent with the same two
 * shares: interpolating through (0, v) and the two shares gives a
 * polynomial of degree < 3 through them for each of the 256 values v. */
START_TEST(every_key_byte_consistent)
{
	uint8_t secret[LEN], shares[5][LEN], xs[3] = {0, 2, 5};
	uint8_t ys[3][LEN], third[LEN], indices[3] = {2, 5, 4};
	uint8_t chosen[3][LEN], back[LEN];

	ck_assert_int_eq(tl_random_bytes(secret, LEN), TL_OK);
	ck_assert_int_eq(tl_shamir_split(secret, 3, 5, shares), TL_OK);
	memcpy(ys[1], shares[1], LEN);
	memcpy(ys[2], shares[4], LEN);
	for (unsigned v = 0; v < 256; v++) {
		memset(ys[0], (int)v, LEN);
		/* The share trustee 4 would hold on that polynomial ... */
		ck_assert_int_eq(tl_shamir_interpolate(xs,
		    (const uint8_t (*)[LEN])ys, 3, 4, third), TL_OK);
		/* ... which with trustees 2 and 5's real shares gives v. */
		memcpy(chosen[0], shares[1], LEN);
		memcpy(chosen[1], shares[4], LEN);
		memcpy(chosen[2], third, LEN);
		ck_assert_int_eq(tl_shamir_combine(indices,
		    (const uint8_t (*)[LEN])chosen, 3, back), TL_OK);
		for (int j = 0; j < LEN; j++)
			ck_assert_uint_eq(back[j], v);
	}
	/* Interpolating the real shares at an index gives its share:
	 * how n shares are checked to agree. */
	memcpy(chosen[0], shares[0], LEN);
	memcpy(chosen[1], shares[1], LEN);
	memcpy(chosen[2], shares[2], LEN);
	{
		uint8_t first[3] = {1, 2, 3};

		ck_assert_int_eq(tl_shamir_interpolate(first,
		    (const uint8_t (*)[LEN])chosen, 3, 5, back), TL_OK);
		ck_assert_mem_eq(back, shares[4], LEN);
	}
}
END_TEST

START_TEST(bad_arguments)
{
	uint8_t secret[LEN] = {0}, shares[3][LEN], back[LEN];
	uint8_t twice[2] = {1, 1}, zero[2] = {0, 1};

	ck_assert_int_eq(tl_shamir_split(secret, 0, 3, shares), TL_EINPUT);
	ck_assert_int_eq(tl_shamir_split(secret, 4, 3, shares), TL_EINPUT);
	ck_assert_int_eq(tl_shamir_split(secret, 1, 256, shares), TL_EINPUT);
	ck_assert_int_eq(tl_shamir_split(secret, 2, 3, shares), TL_OK);
	ck_assert_int_eq(tl_shamir_combine(twice,
	    (const uint8_t (*)[LEN])shares, 2, back), TL_EINPUT);
	ck_assert_int_eq(tl_shamir_combine(zero,
	    (const uint8_t (*)[LEN])shares, 2, back), TL_EINPUT);
	ck_assert_int_eq(tl_shamir_combine(zero,
	    (const uint8_t (*)[LEN])shares, 0, back), TL_EINPUT);
}
END_TEST

/* The coefficients are random: two splits of one key differ. */
START_TEST(coefficients_are_random)
{
	uint8_t secret[LEN] = {0}, a[3][LEN], b[3][LEN];

	ck_assert_int_eq(tl_shamir_split(secret, 2, 3, a), TL_OK);
	ck_assert_int_eq(tl_shamir_split(secret, 2, 3, b), TL_OK);
	ck_assert(memcmp(a, b, sizeof(a)) != 0);
}
END_TEST

static Suite *
shamir_suite(void)
{
	Suite *s = suite_create("shamir");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, field_fips197);
	tcase_add_test(tc, field_all_products);
	tcase_add_test(tc, split_by_hand);
	tcase_add_test(tc, every_subset_reconstructs);
	tcase_add_test(tc, fewer_than_k_shares_leave_k_open);
	tcase_add_test(tc, every_key_byte_consistent);
	tcase_add_test(tc, bad_arguments);
	tcase_add_test(tc, coefficients_are_random);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return th_run(shamir_suite());
}
