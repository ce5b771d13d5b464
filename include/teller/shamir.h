/*
 * teller/shamir.h: Shamir's secret sharing (Shamir, "How to share a
 * secret", CACM 22(11), 1979) of a 32-byte key, byte by byte over GF(2^8).
 *
 * The field.  GF(2^8) as in AES (FIPS 197 section 4): a byte b7..b0 is the
 * polynomial b7 x^7 + ... + b1 x + b0 over GF(2); addition is XOR;
 * multiplication is polynomial multiplication modulo the irreducible
 * m(x) = x^8 + x^4 + x^3 + x + 1 (0x11b).  The inverse of a non-zero a is
 * a^254.
 *
 * Splitting.  For a secret K (bytes K[0..31]), a threshold k and n shares
 * (1 <= k <= n <= 255): for each byte position j, the polynomial
 *   f_j(x) = K[j] + c[1][j] x + c[2][j] x^2 + ... + c[k-1][j] x^(k-1)
 * whose coefficients c[m][j] (m = 1..k-1) are the bytes of 32 (k - 1)
 * random bytes R from OpenSSL's generator (RAND_bytes), taken in order:
 * c[m][j] = R[32 (m - 1) + j].  Any of them may be zero.  Share i
 * (i = 1..n) is the 32 bytes f_0(i), ..., f_31(i), the index i read as a
 * field element.  With k = 1 every share is K itself.
 *
 * Reconstruction.  From k shares with distinct indices x_1..x_k, each
 * byte f_j(0) by Lagrange interpolation at 0:
 *   K[j] = sum over a of  y_a[j] * prod over b != a of  x_b / (x_a + x_b)
 * (in GF(2^8), x - y = x + y).  Fewer than k shares say nothing about K:
 * for any K' they are the shares of exactly as many polynomials with
 * constant term K' as with K.
 *
 * The arithmetic runs in time that does not depend on the secret bytes
 * (no table look-ups, no branches on them).  Nothing is allocated: shares
 * and secrets are the caller's buffers.
 */
#ifndef TELLER_SHAMIR_H
#define TELLER_SHAMIR_H

#include <stddef.h>
#include <stdint.h>

#include "teller/error.h"

#define TL_SHAMIR_SECRET_LEN 32
#define TL_SHAMIR_MAX_SHARES 255

/* a * b and a^-1 in GF(2^8) as above (the inverse of 0 is taken as 0). */
uint8_t tl_gf256_mul(uint8_t a, uint8_t b);
uint8_t tl_gf256_inv(uint8_t a);

/*
 * Splits secret into n shares with threshold k: shares[i - 1] gets share
 * i.  TL_EINPUT unless 1 <= k <= n <= TL_SHAMIR_MAX_SHARES; TL_ECRYPTO if
 * the random generator fails (shares are then zeroed).
 */
int tl_shamir_split(const uint8_t secret[TL_SHAMIR_SECRET_LEN], unsigned k,
    unsigned n, uint8_t shares[][TL_SHAMIR_SECRET_LEN]);

/* The same with the 32 (k - 1) coefficient bytes R given instead of
 * drawn: for tests and for checking a split by hand. */
int tl_shamir_split_with(const uint8_t secret[TL_SHAMIR_SECRET_LEN],
    unsigned k, unsigned n, const uint8_t *coefficients,
    uint8_t shares[][TL_SHAMIR_SECRET_LEN]);

/*
 * The value at x of the polynomials of degree < count through the points
 * (xs[a], ys[a]), a < count, byte by byte: out[j] = f_j(x).  The xs must
 * be distinct (any byte, 0 included); TL_EINPUT otherwise or if count is
 * 0 or over TL_SHAMIR_MAX_SHARES + 1.  With x = 0 and k shares this is
 * the secret; with another x, the share a consistent n-th trustee would
 * hold (how a verifier checks that n shares agree).
 */
int tl_shamir_interpolate(const uint8_t *xs,
    const uint8_t (*ys)[TL_SHAMIR_SECRET_LEN], unsigned count, uint8_t x,
    uint8_t out[TL_SHAMIR_SECRET_LEN]);

/* The secret from count shares: tl_shamir_interpolate at 0, the indices
 * 1..255 (TL_EINPUT for an index 0 or twice). */
int tl_shamir_combine(const uint8_t *indices,
    const uint8_t (*shares)[TL_SHAMIR_SECRET_LEN], unsigned count,
    uint8_t secret[TL_SHAMIR_SECRET_LEN]);

#endif
