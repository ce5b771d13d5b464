/*
 * teller/seal.h: sealing a ballot's selections until the close, so that
 * only k of the election's n trustees together can open them.
 *
 * On the voter's side, for each ballot (doc/record-format.md gives every
 * byte):
 *
 *   1. a fresh content key K: 32 bytes from OpenSSL's random generator
 *      (the "ballot key K" of the design; "ballot key" alone names the
 *      voter's one-time Ed25519 key below);
 *   2. the sealed selections: nonce || AES-256-GCM(K, nonce, aad, pt),
 *      where nonce is 12 random bytes and
 *        aad = binding("teller/v1/selections");
 *   3. K split by Shamir's secret sharing into n shares with threshold k
 *      (teller/shamir.h);
 *   4. share i (trustee i, 1..n, in the manifest's order) sealed to
 *      trustee i's X25519 key with HPKE (teller/hpke.h, base mode,
 *      single-shot SealBase) with empty aad and
 *        info = binding("teller/v1/share") || I2OSP(i, 1);
 *      the sealed share is enc || ct: 32 + 48 = 80 bytes.
 *
 * where binding(label) is
 *   label || 0x00 || election id || 0x00 || manifest hash (32 bytes) ||
 *   ballot key (32 bytes)
 * with the election id an identifier of 1 to 64 bytes (so without 0x00),
 * the manifest hash the raw SHA-256 of the manifest payload, and the
 * ballot key the raw Ed25519 public key that signs the ballot.  A sealed
 * value therefore opens only for the election, manifest, ballot key (and
 * trustee index) it was made for.
 *
 * Opening: each of k trustees' private keys opens that trustee's share;
 * the k shares give K (interpolation at 0); K opens the selections.
 *
 * Ownership: the buffers returned through uint8_t ** are the caller's
 * (free(); the opened plaintext should be wiped first).  Errors:
 * TL_EINPUT for a malformed argument (a bad election id, k or n out of
 * range), TL_EDECRYPT for a sealed value that does not open with the
 * given key and binding, TL_ECRYPTO, TL_ENOMEM.
 */
#ifndef TELLER_SEAL_H
#define TELLER_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "teller/aead.h"
#include "teller/error.h"
#include "teller/hpke.h"
#include "teller/shamir.h"

#define TL_SEAL_KEY_LEN TL_SHAMIR_SECRET_LEN   /* K: 32 bytes */
/* What sealing adds to the selections: the nonce and the tag. */
#define TL_SEAL_OVERHEAD (TL_AES_GCM_NONCE_LEN + TL_AES_GCM_TAG_LEN)
/* A sealed share: enc (32) || HPKE ciphertext of the 32-byte share (48). */
#define TL_SEAL_SHARE_LEN (TL_HPKE_NENC + TL_SHAMIR_SECRET_LEN + TL_HPKE_NT)
/* The most trustees an election may have. */
#define TL_SEAL_MAX_TRUSTEES 15

/* What every sealed value of one ballot is bound to (borrowed strings). */
struct tl_seal_binding {
	const char *election;           /* the election id */
	uint8_t manifest_hash[32];      /* SHA-256 of the manifest payload */
	uint8_t ballot_key[32];         /* the ballot's Ed25519 public key */
};

/* Step 2: *out gets TL_SEAL_OVERHEAD + ptlen bytes. */
int tl_seal_selections(const uint8_t key[TL_SEAL_KEY_LEN],
    const struct tl_seal_binding *binding, const uint8_t *pt, size_t ptlen,
    uint8_t **out, size_t *outlen);

/* The selections back from step 2's bytes: *pt gets len -
 * TL_SEAL_OVERHEAD bytes (and a NUL after them, not counted). */
int tl_seal_open_selections(const uint8_t key[TL_SEAL_KEY_LEN],
    const struct tl_seal_binding *binding, const uint8_t *sealed, size_t len,
    uint8_t **pt, size_t *ptlen);

/* Step 4 for trustee index (1..TL_SEAL_MAX_TRUSTEES) and its public key,
 * and back with that trustee's private key. */
int tl_seal_share(const uint8_t trustee_key[TL_HPKE_NPK],
    const struct tl_seal_binding *binding, unsigned index,
    const uint8_t share[TL_SHAMIR_SECRET_LEN],
    uint8_t out[TL_SEAL_SHARE_LEN]);
int tl_seal_open_share(const struct tl_hpke_key *trustee,
    const struct tl_seal_binding *binding, unsigned index,
    const uint8_t sealed[TL_SEAL_SHARE_LEN],
    uint8_t share[TL_SHAMIR_SECRET_LEN]);

/*
 * Steps 1 to 4: seals pt for n trustees (their public keys in order) with
 * threshold k.  *selections gets the sealed selections (step 2), and
 * shares[i - 1] trustee i's sealed share.  K is wiped before returning.
 */
int tl_seal_ballot(const uint8_t (*trustee_keys)[TL_HPKE_NPK], unsigned n,
    unsigned k, const struct tl_seal_binding *binding, const uint8_t *pt,
    size_t ptlen, uint8_t **selections, size_t *selectionslen,
    uint8_t (*shares)[TL_SEAL_SHARE_LEN]);

/*
 * K from count trustees' shares: keys[a] is the private key of trustee
 * indices[a] (distinct, 1..TL_SEAL_MAX_TRUSTEES), and sealed[a] that
 * trustee's sealed share.  Opens each share (TL_EDECRYPT, with *failed
 * set to the a at fault, if one does not open) and combines them.  With
 * count equal to the threshold the result is the K the voter used when
 * the shares were made honestly; whether it is, only the selections'
 * opening tells.
 */
int tl_seal_recover_key(const struct tl_hpke_key *const *keys,
    const uint8_t *indices, unsigned count,
    const struct tl_seal_binding *binding,
    const uint8_t (*sealed)[TL_SEAL_SHARE_LEN], uint8_t key[TL_SEAL_KEY_LEN],
    unsigned *failed);

#endif
