/*
 * shamir.c: Shamir's secret sharing of a 32-byte key over GF(2^8), byte
 * by byte (teller/shamir.h states the field, the polynomials, the share
 * indices and where the coefficients come from).  The field arithmetic is
 * written without tables and without branches on its operands, so that
 * its timing says nothing of a key or a share.
 */
#include <config.h>

#include <string.h>

#include "teller/crypto.h"
#include "teller/shamir.h"

/* FIPS 197 section 4.2: the product modulo x^8 + x^4 + x^3 + x + 1,
 * shifting a (xtime, 4.2.1) and adding it for each set bit of b. */
uint8_t
tl_gf256_mul(uint8_t a, uint8_t b)
{
	unsigned p = 0, x = a;

	for (int i = 0; i < 8; i++) {
		p ^= x & (0u - ((unsigned)(b >> i) & 1u));
		/* xtime: x * {02}, reducing by {1b} when bit 7 falls out. */
		x = ((x << 1) ^ (0x11bu & (0u - ((x >> 7) & 1u)))) & 0xffu;
	}
	return (uint8_t)p;
}

/* a^254 = a^-1 for a != 0 (the multiplicative group has order 255), by
 * a fixed chain of squarings and products: 254 = 11111110 in binary. */
uint8_t
tl_gf256_inv(uint8_t a)
{
	uint8_t r = 1, sq = a;

	for (int i = 1; i < 8; i++) {
		sq = tl_gf256_mul(sq, sq);   /* a^(2^i) */
		r = tl_gf256_mul(r, sq);
	}
	return r;
}

int
tl_shamir_split_with(const uint8_t secret[TL_SHAMIR_SECRET_LEN],
    unsigned k, unsigned n, const uint8_t *coefficients,
    uint8_t shares[][TL_SHAMIR_SECRET_LEN])
{
	if (k < 1 || k > n || n > TL_SHAMIR_MAX_SHARES)
		return TL_EINPUT;
	for (unsigned i = 1; i <= n; i++) {
		for (unsigned j = 0; j < TL_SHAMIR_SECRET_LEN; j++) {
			/* Horner's rule from the highest coefficient down. */
			uint8_t y = 0;

			for (unsigned m = k - 1; m >= 1; m--)
				y = tl_gf256_mul(y, (uint8_t)i) ^
				    coefficients[TL_SHAMIR_SECRET_LEN *
				    (m - 1) + j];
			shares[i - 1][j] = tl_gf256_mul(y, (uint8_t)i) ^
			    secret[j];
		}
	}
	return TL_OK;
}

int
tl_shamir_split(const uint8_t secret[TL_SHAMIR_SECRET_LEN], unsigned k,
    unsigned n, uint8_t shares[][TL_SHAMIR_SECRET_LEN])
{
	uint8_t coefficients[TL_SHAMIR_SECRET_LEN * (TL_SHAMIR_MAX_SHARES - 1)];
	size_t len;
	int r;

	if (k < 1 || k > n || n > TL_SHAMIR_MAX_SHARES)
		return TL_EINPUT;
	len = (size_t)TL_SHAMIR_SECRET_LEN * (k - 1);
	if (len > 0 && tl_random_bytes(coefficients, len) != TL_OK) {
		memset(shares, 0, (size_t)n * TL_SHAMIR_SECRET_LEN);
		return TL_ECRYPTO;
	}
	r = tl_shamir_split_with(secret, k, n, coefficients, shares);
	tl_wipe(coefficients, len);
	return r;
}

int
tl_shamir_interpolate(const uint8_t *xs,
    const uint8_t (*ys)[TL_SHAMIR_SECRET_LEN], unsigned count, uint8_t x,
    uint8_t out[TL_SHAMIR_SECRET_LEN])
{
	uint8_t basis[TL_SHAMIR_MAX_SHARES + 1];

	if (count < 1 || count > TL_SHAMIR_MAX_SHARES + 1)
		return TL_EINPUT;
	/* The Lagrange basis at x, which depends on the public indices
	 * only: L_a(x) = prod over b != a of (x + x_b) / (x_a + x_b). */
	for (unsigned a = 0; a < count; a++) {
		uint8_t num = 1, den = 1;

		for (unsigned b = 0; b < count; b++) {
			if (b == a)
				continue;
			if (xs[a] == xs[b])
				return TL_EINPUT;
			num = tl_gf256_mul(num, x ^ xs[b]);
			den = tl_gf256_mul(den, xs[a] ^ xs[b]);
		}
		basis[a] = tl_gf256_mul(num, tl_gf256_inv(den));
	}
	for (unsigned j = 0; j < TL_SHAMIR_SECRET_LEN; j++) {
		uint8_t y = 0;

		for (unsigned a = 0; a < count; a++)
			y ^= tl_gf256_mul(ys[a][j], basis[a]);
		out[j] = y;
	}
	return TL_OK;
}

int
tl_shamir_combine(const uint8_t *indices,
    const uint8_t (*shares)[TL_SHAMIR_SECRET_LEN], unsigned count,
    uint8_t secret[TL_SHAMIR_SECRET_LEN])
{
	for (unsigned a = 0; a < count; a++)
		if (indices[a] == 0)
			return TL_EINPUT;
	return tl_shamir_interpolate(indices, shares, count, 0, secret);
}
