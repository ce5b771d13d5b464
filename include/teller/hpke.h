/*
 * teller/hpke.h: Hybrid Public Key Encryption (RFC 9180), base mode only,
 * with one cipher suite:
 *
 *   KEM   DHKEM(X25519, HKDF-SHA256)  kem_id 0x0020  (section 4.1, 7.1)
 *   KDF   HKDF-SHA256                 kdf_id 0x0001  (section 7.2)
 *   AEAD  AES-128-GCM                 aead_id 0x0001 (section 7.3)
 *
 * OpenSSL 3.0 has no HPKE interface, so this module builds it from
 * OpenSSL's X25519 (EVP_PKEY), HKDF (EVP_KDF "HKDF" in its extract-only
 * and expand-only modes) and AES-GCM (teller/aead.h), one function per
 * operation the RFC names, each citing its section.  Sealed ballots use it
 * to encrypt each trustee's share of a ballot key to that trustee
 * (doc/record-format.md).
 *
 * Keys.  An X25519 private key is its 32-byte string (RFC 7748 section 5);
 * a public key and an encapsulated key (`enc`) are 32-byte strings too.
 * A receiver's private key is loaded once into a struct tl_hpke_key, which
 * keeps the public key it implies, so that opening many messages to one
 * key computes that public key once.
 *
 * Ownership: a struct tl_hpke_key is the caller's, freed (and wiped) with
 * tl_hpke_key_free, which accepts NULL.  A struct tl_hpke_context is a
 * plain value the caller owns (it holds secrets: wipe it with
 * tl_hpke_context_wipe).  Every other output goes to the caller's buffers,
 * of the sizes stated, or (PEM text) to a string the caller frees with
 * tl_wipe_free.
 *
 * Errors: TL_EINPUT for a malformed argument (a key that is not one),
 * TL_EDECRYPT for a ciphertext that does not open, TL_ECRYPTO if OpenSSL
 * fails, TL_ENOMEM.
 */
#ifndef TELLER_HPKE_H
#define TELLER_HPKE_H

#include <stddef.h>
#include <stdint.h>

#include "teller/error.h"

/* The suite's sizes (RFC 9180 sections 7.1, 7.2, 7.3). */
#define TL_HPKE_NSECRET 32  /* KEM shared secret */
#define TL_HPKE_NENC 32     /* encapsulated key */
#define TL_HPKE_NPK 32      /* public key */
#define TL_HPKE_NSK 32      /* private key */
#define TL_HPKE_NH 32       /* KDF output (SHA-256) */
#define TL_HPKE_NK 16       /* AEAD key (AES-128) */
#define TL_HPKE_NN 12       /* AEAD nonce */
#define TL_HPKE_NT 16       /* AEAD tag */
/* A key schedule context: mode || psk_id_hash || info_hash (5.1). */
#define TL_HPKE_KEY_SCHEDULE_CONTEXT_LEN (1 + 2 * TL_HPKE_NH)

/* The largest info, aad or LabeledExtract input accepted, and the
 * largest exporter context (its labeled form must fit TL_HKDF_INFO_MAX):
 * far more than teller uses. */
#define TL_HPKE_INPUT_MAX 65535
#define TL_HPKE_EXPORT_CONTEXT_MAX 512

/* Which suite_id a labeled function is used with (sections 4.1 and 5.1). */
enum tl_hpke_suite {
	TL_HPKE_SUITE_KEM,   /* "KEM" || I2OSP(kem_id, 2) */
	TL_HPKE_SUITE_HPKE,  /* "HPKE" || I2OSP(kem_id, 2) || kdf_id || aead_id */
};

/* The encryption context of section 5.1: what KeySchedule returns. */
struct tl_hpke_context {
	uint8_t key[TL_HPKE_NK];
	uint8_t base_nonce[TL_HPKE_NN];
	uint8_t exporter_secret[TL_HPKE_NH];
	uint64_t seq;          /* the next message's sequence number */
};

struct tl_hpke_key;

/*
 * Section 4: LabeledExtract(salt, label, ikm) =
 *   Extract(salt, "HPKE-v1" || suite_id || label || ikm)
 * with HKDF-Extract (RFC 5869) of SHA-256; an empty salt is the empty
 * string.  prk gets TL_HPKE_NH bytes.
 */
int tl_hpke_labeled_extract(enum tl_hpke_suite suite, const uint8_t *salt,
    size_t saltlen, const char *label, const uint8_t *ikm, size_t ikmlen,
    uint8_t prk[TL_HPKE_NH]);

/*
 * Section 4: LabeledExpand(prk, label, info, L) =
 *   Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id || label || info, L)
 * with HKDF-Expand of SHA-256; 1 <= L <= 255 * TL_HPKE_NH, and the
 * labeled info at most TL_HKDF_INFO_MAX bytes.
 */
int tl_hpke_labeled_expand(enum tl_hpke_suite suite,
    const uint8_t prk[TL_HPKE_NH], const char *label, const uint8_t *info,
    size_t infolen, uint8_t *out, size_t L);

/*
 * Section 7.1.3: DeriveKeyPair(ikm) for X25519: sk = LabeledExpand(
 * LabeledExtract("", "dkp_prk", ikm), "sk", "", 32) and pk = the X25519
 * public key of sk.  sk is the expansion's output as it is, unclamped
 * (as RFC 9180's test vectors print it; X25519 clamps when it uses it).
 * ikm has at least TL_HPKE_NSK bytes (section 7.1.3 asks as much entropy
 * as a private key).
 */
int tl_hpke_derive_key_pair(const uint8_t *ikm, size_t ikmlen,
    uint8_t sk[TL_HPKE_NSK], uint8_t pk[TL_HPKE_NPK]);

/* Section 4: GenerateKeyPair(): DeriveKeyPair of 32 bytes from OpenSSL's
 * random generator, sk then serialised (clamped, section 7.1.2). */
int tl_hpke_generate_key_pair(uint8_t sk[TL_HPKE_NSK],
    uint8_t pk[TL_HPKE_NPK]);

/*
 * Section 7.1.2: SerializePrivateKey clamps (RFC 7748 section 5: clear
 * bits 0, 1, 2 of the first byte and bit 7 of the last, set bit 6 of the
 * last); DeserializePrivateKey clamps its input the same way.  One
 * function does both.  Clamping does not change the key's public key nor
 * any X25519 result.
 */
void tl_hpke_clamp_private_key(uint8_t sk[TL_HPKE_NSK]);

/* The X25519 public key of a private key (RFC 7748 section 6.1). */
int tl_hpke_public_key(const uint8_t sk[TL_HPKE_NSK],
    uint8_t pk[TL_HPKE_NPK]);

/*
 * Whether a public key can be sealed for: TL_EINPUT for a point of small
 * order, whose X25519 result with every private key is all zeros (7.1.4),
 * so that every Encap to it fails.  Clamped scalars are multiples of the
 * cofactor and smaller than 8 times the group order, so one DH with any
 * fixed private key tells it.
 */
int tl_hpke_public_key_check(const uint8_t pk[TL_HPKE_NPK]);

/* A receiver's key from its private key (*out, caller frees). */
int tl_hpke_key_from_private(const uint8_t sk[TL_HPKE_NSK],
    struct tl_hpke_key **out);
/* Its public key, and its private key as stored (clamped, 7.1.2). */
void tl_hpke_key_public(const struct tl_hpke_key *key,
    uint8_t pk[TL_HPKE_NPK]);
void tl_hpke_key_private(const struct tl_hpke_key *key,
    uint8_t sk[TL_HPKE_NSK]);
void tl_hpke_key_free(struct tl_hpke_key *key);

/*
 * An X25519 private key as PKCS#8 PEM text ("-----BEGIN PRIVATE KEY-----",
 * RFC 8410), and back.  *pem is NUL-terminated; the caller wipes and frees
 * it with tl_wipe_free.  From PEM: TL_EINPUT if the text's first PEM
 * block is not an X25519 private key.
 */
int tl_hpke_private_key_pem(const uint8_t sk[TL_HPKE_NSK], char **pem);
int tl_hpke_private_key_from_pem(const char *pem, size_t len,
    uint8_t sk[TL_HPKE_NSK]);

/*
 * Section 4.1: Encap(pkR): a fresh ephemeral key pair (GenerateKeyPair),
 * dh = DH(skE, pkR), enc = SerializePublicKey(pkE), and
 * shared_secret = ExtractAndExpand(dh, enc || pkRm).  TL_EINPUT if pkR is
 * not a usable public key (its DH result would be all zeros, 7.1.4).
 */
int tl_hpke_encap(const uint8_t pk_r[TL_HPKE_NPK],
    uint8_t shared_secret[TL_HPKE_NSECRET], uint8_t enc[TL_HPKE_NENC]);

/* Encap with the ephemeral key pair DeriveKeyPair(ikm_e) instead of a
 * random one: for known-answer tests only (RFC 9180 Appendix A), never
 * for sealing. */
int tl_hpke_encap_derand(const uint8_t pk_r[TL_HPKE_NPK],
    const uint8_t *ikm_e, size_t ikm_elen,
    uint8_t shared_secret[TL_HPKE_NSECRET], uint8_t enc[TL_HPKE_NENC]);

/* Section 4.1: Decap(enc, skR): dh = DH(skR, pkE) and
 * shared_secret = ExtractAndExpand(dh, enc || pkRm).  TL_EDECRYPT if enc
 * is not a usable public key (all-zero DH result, 7.1.4). */
int tl_hpke_decap(const uint8_t enc[TL_HPKE_NENC],
    const struct tl_hpke_key *sk_r, uint8_t shared_secret[TL_HPKE_NSECRET]);

/*
 * Section 5.1: KeySchedule(mode_base, shared_secret, info, "", "")
 * (psk and psk_id empty, as base mode requires: VerifyPSKInputs of 5.1
 * holds).  Fills ctx with key, base_nonce, exporter_secret, and seq 0.
 * key_schedule_context, if not NULL, gets the 65 bytes
 * mode || psk_id_hash || info_hash (for known-answer tests).
 */
int tl_hpke_key_schedule(const uint8_t shared_secret[TL_HPKE_NSECRET],
    const uint8_t *info, size_t infolen, struct tl_hpke_context *ctx,
    uint8_t key_schedule_context[TL_HPKE_KEY_SCHEDULE_CONTEXT_LEN]);

/* Section 5.1.1: SetupBaseS(pkR, info) -> (enc, ctx) and
 * SetupBaseR(enc, skR, info) -> ctx.  The _derand sender takes the
 * ephemeral key's ikm (known-answer tests only, as tl_hpke_encap_derand). */
int tl_hpke_setup_base_sender(const uint8_t pk_r[TL_HPKE_NPK],
    const uint8_t *info, size_t infolen, uint8_t enc[TL_HPKE_NENC],
    struct tl_hpke_context *ctx);
int tl_hpke_setup_base_sender_derand(const uint8_t pk_r[TL_HPKE_NPK],
    const uint8_t *info, size_t infolen, const uint8_t *ikm_e,
    size_t ikm_elen, uint8_t enc[TL_HPKE_NENC], struct tl_hpke_context *ctx);
int tl_hpke_setup_base_receiver(const uint8_t enc[TL_HPKE_NENC],
    const struct tl_hpke_key *sk_r, const uint8_t *info, size_t infolen,
    struct tl_hpke_context *ctx);

/*
 * Section 5.2: ContextS.Seal(aad, pt): ct = Seal(key, ComputeNonce(seq),
 * aad, pt), then IncrementSeq.  ct gets ptlen + TL_HPKE_NT bytes.
 * ContextR.Open(aad, ct): pt gets ctlen - TL_HPKE_NT bytes; TL_EDECRYPT if
 * ct does not open (seq is then not advanced).  Both refuse (TL_EINPUT)
 * when seq is UINT64_MAX: this counter stops short of the RFC's limit of
 * 2^96 - 1 (MessageLimitReachedError), which teller, sealing one message
 * per context, never nears.
 */
int tl_hpke_context_seal(struct tl_hpke_context *ctx, const uint8_t *aad,
    size_t aadlen, const uint8_t *pt, size_t ptlen, uint8_t *ct);
int tl_hpke_context_open(struct tl_hpke_context *ctx, const uint8_t *aad,
    size_t aadlen, const uint8_t *ct, size_t ctlen, uint8_t *pt);

/* Section 5.3: Context.Export(exporter_context, L) =
 * LabeledExpand(exporter_secret, "sec", exporter_context, L). */
int tl_hpke_context_export(const struct tl_hpke_context *ctx,
    const uint8_t *exporter_context, size_t exporter_contextlen,
    uint8_t *out, size_t L);

/* Wipes a context's secrets. */
void tl_hpke_context_wipe(struct tl_hpke_context *ctx);

/*
 * Section 6.1: single-shot encryption in base mode.
 *   SealBase(pkR, info, aad, pt) -> (enc, ct): ct gets ptlen + TL_HPKE_NT
 *   OpenBase(enc, skR, info, aad, ct) -> pt: pt gets ctlen - TL_HPKE_NT;
 *   TL_EDECRYPT if it does not open.
 */
int tl_hpke_seal_base(const uint8_t pk_r[TL_HPKE_NPK], const uint8_t *info,
    size_t infolen, const uint8_t *aad, size_t aadlen, const uint8_t *pt,
    size_t ptlen, uint8_t enc[TL_HPKE_NENC], uint8_t *ct);
int tl_hpke_open_base(const uint8_t enc[TL_HPKE_NENC],
    const struct tl_hpke_key *sk_r, const uint8_t *info, size_t infolen,
    const uint8_t *aad, size_t aadlen, const uint8_t *ct, size_t ctlen,
    uint8_t *pt);

#endif
