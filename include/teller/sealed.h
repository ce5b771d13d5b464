/*
 * teller/sealed.h: the sealed selections a secret ballot carries, as the
 * JSON member
 *
 *   "sealed": {"selections": BASE64, "shares": [BASE64, ...]}
 *
 * (doc/record-format.md 13.4 gives the bytes; where the member stands in
 * a ballot comes with the secret ballot): the sealed selections, and one
 * 80-byte sealed share per trustee, in the manifest's order of trustees.
 *
 *   tl_sealed_make          seals a selections text, padded with 0x00
 *                           bytes to a given length, for n trustees;
 *   tl_sealed_from_json     reads the member (untrusted: sizes, base64,
 *                           exactly n shares), and tl_sealed_to_json
 *                           writes it;
 *   tl_sealed_open          opens it with the keys of k trustees: their
 *                           shares, K, the selections, the padding;
 *   tl_sealed_shares_agree  with all n trustees' keys, checks that every
 *                           share opens and lies on the polynomials of
 *                           the first k.
 *
 * A ballot that does not open is spoiled; tl_sealed_open says why, in
 * the words a report shows.
 *
 * Ownership: a struct tl_sealed owns its buffers; tl_sealed_free
 * releases them (a zeroed struct is fine).  Opened text is the caller's.
 */
#ifndef TELLER_SEALED_H
#define TELLER_SEALED_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "teller/error.h"
#include "teller/hpke.h"
#include "teller/seal.h"

/* The largest plaintext of sealed selections: a ballot's payload limit. */
#define TL_SEALED_PLAINTEXT_MAX (48 * 1024)

struct tl_sealed {
	uint8_t *selections;       /* nonce || ciphertext || tag */
	size_t selections_len;
	size_t nshares;
	uint8_t (*shares)[TL_SEAL_SHARE_LEN];
};

/* Why a ballot did not open (TL_SEALED_OPEN for one that did). */
enum tl_sealed_outcome {
	TL_SEALED_OPEN,
	TL_SEALED_SHARE,        /* a trustee's sealed share does not open */
	TL_SEALED_SELECTIONS,   /* K from the shares does not open them */
	TL_SEALED_PADDING,      /* a byte after the selections is not 0x00 */
};

/*
 * Seals text (len bytes of JSON, no 0x00 in it) followed by padded_len -
 * len zero bytes (none if padded_len <= len) for the n trustees whose
 * sealing public keys are given in order, with threshold k, bound to b.
 */
int tl_sealed_make(const char *text, size_t len, size_t padded_len,
    const uint8_t (*trustee_keys)[TL_HPKE_NPK], unsigned n, unsigned k,
    const struct tl_seal_binding *b, struct tl_sealed *out,
    struct tl_error *err);

/* Reads the member; where names it in errors ("ballot.sealed").  The
 * shares must number ntrustees (TL_EINPUT otherwise, as for any other
 * fault). */
int tl_sealed_from_json(json_t *member, size_t ntrustees, const char *where,
    struct tl_sealed *out, struct tl_error *err);

/* The member as teller writes it (a new reference; NULL if out of
 * memory). */
json_t *tl_sealed_to_json(const struct tl_sealed *s);

/*
 * Opens s with k trustees' keys (keys[a] is trustee indices[a]'s): each
 * share, then K, then the selections, then the padding.  TL_OK with
 * *text (caller frees, NUL-terminated) and *textlen the selections text
 * before the padding; TL_EDECRYPT (a spoiled ballot) with *outcome saying
 * which step failed and, for a share, *trustee its index; TL_EINPUT for
 * an index out of range; TL_ENOMEM.
 */
int tl_sealed_open(const struct tl_sealed *s,
    const struct tl_hpke_key *const *keys, const uint8_t *indices,
    unsigned k, const struct tl_seal_binding *b, char **text,
    size_t *textlen, enum tl_sealed_outcome *outcome, unsigned *trustee);

/*
 * With the keys of all n trustees (keys[i - 1] is trustee i's) and the
 * threshold k: *disagree gets a set of trustees (bit i - 1 for trustee
 * i): those whose share does not open, and those whose share differs
 * from the value that the shares of the first k trustees whose shares
 * open give at its index.  0 when all n agree; every trustee when fewer
 * than k shares open.  TL_OK unless an argument is wrong (TL_EINPUT).
 */
int tl_sealed_shares_agree(const struct tl_sealed *s,
    const struct tl_hpke_key *const *keys, unsigned n, unsigned k,
    const struct tl_seal_binding *b, uint32_t *disagree);

void tl_sealed_free(struct tl_sealed *s);

#endif
