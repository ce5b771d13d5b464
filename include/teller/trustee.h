/*
 * teller/trustee.h: a trustee's keys for one election.
 *
 * A trustee holds two key pairs, made together by `teller trustee keygen`
 * and kept in one private key file (mode 0600):
 *
 *   identity  Ed25519: signs the trustee's statements;
 *   sealing   X25519: voters seal the trustee's share of each ballot's
 *             content key to it (teller/seal.h).  It serves one election
 *             only, so that the trustee can publish its private half
 *             after that election's close.
 *
 * The file is two PKCS#8 PEM blocks ("-----BEGIN PRIVATE KEY-----"), the
 * identity key first, then the sealing key.  Neither private key ever
 * leaves the trustee's machine before the close; the administrator gets
 * the two public keys (base64 of 32 bytes each) for the manifest.
 *
 * Ownership: a struct tl_trustee_key is the caller's, freed and wiped by
 * tl_trustee_key_free (NULL is fine); its members belong to it.
 */
#ifndef TELLER_TRUSTEE_H
#define TELLER_TRUSTEE_H

#include <stddef.h>
#include <stdint.h>

#include "teller/crypto.h"
#include "teller/error.h"
#include "teller/hpke.h"

struct tl_trustee_key {
	struct tl_key *identity;
	struct tl_hpke_key *sealing;
};

/* Two new random key pairs. */
int tl_trustee_key_generate(struct tl_trustee_key **out,
    struct tl_error *err);

/* Writes the key file: a new file of mode 0600 (TL_EEXISTS if it
 * exists). */
int tl_trustee_key_write(const struct tl_trustee_key *key, const char *path,
    struct tl_error *err);

/* The key file as text (*out, NUL-terminated; wipe and free with
 * tl_wipe_free), and back: TL_EINPUT naming what is wrong if the text is
 * not an Ed25519 PEM block followed by an X25519 one. */
int tl_trustee_key_pem(const struct tl_trustee_key *key, char **out,
    struct tl_error *err);
int tl_trustee_key_from_pem(const char *pem, size_t len,
    struct tl_trustee_key **out, struct tl_error *err);

/* Loads a key file; TL_EKEYPERM if its group or others can read it. */
int tl_trustee_key_load(const char *path, struct tl_trustee_key **out,
    struct tl_error *err);

/* The sealing public key, raw and as base64 (44 characters and NUL). */
void tl_trustee_sealing_public(const struct tl_trustee_key *key,
    uint8_t out[TL_HPKE_NPK]);
void tl_trustee_sealing_public_base64(const struct tl_trustee_key *key,
    char out[TL_PUBLIC_B64_LEN + 1]);

/*
 * The trustee's unseal statement (statement.h, doc/record-format.md
 * 13.6): a struct tl_unseal of the election, manifest hash, the trustee's
 * id in the manifest, the close statement's entry hash and the time, with
 * the sealing private key, signed by the identity key.  *out gets the
 * envelope's canonical line (caller frees; it holds the private key).
 */
int tl_trustee_unseal_statement(const struct tl_trustee_key *key,
    const char *election, const char *manifest, const char *trustee_id,
    const char *close, int64_t time, char **out, size_t *outlen,
    struct tl_error *err);

/* TL_OK if sk is the private key of the X25519 public key pk, else
 * TL_EVERIFY. */
int tl_trustee_sealing_matches(const uint8_t sk[TL_HPKE_NSK],
    const uint8_t pk[TL_HPKE_NPK]);

void tl_trustee_key_free(struct tl_trustee_key *key);

#endif
