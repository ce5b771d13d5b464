/*
 * teller/envelope.h: DSSE (Dead Simple Signing Envelope, v1) signed
 * envelopes, the form of every signed object teller writes or accepts.
 *
 *   {"payloadType":TYPE,"payload":BASE64,"signatures":[{"keyid":HEX,"sig":BASE64}]}
 *
 * A signature is Ed25519 over PAE(TYPE, payload bytes):
 *   "DSSEv1" SP LEN(TYPE) SP TYPE SP LEN(body) SP body
 * with lengths in ASCII decimal.  A verifier decodes the payload, rebuilds
 * PAE, checks the signature, and only then parses the payload.
 *
 * teller serialises an envelope in one canonical form (compact JSON, keys in
 * the order above, standard base64 with padding); the log stores exactly
 * those bytes and hashes them.  tl_envelope_parse accepts any JSON spelling
 * of an envelope, and tl_envelope_serialize gives the canonical one back.
 *
 * Ownership: a struct tl_envelope and everything in it belongs to the
 * caller that received it; tl_envelope_free releases it (NULL is fine).
 */
#ifndef TELLER_ENVELOPE_H
#define TELLER_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "teller/crypto.h"
#include "teller/error.h"

#define TL_TYPE_PREFIX "application/vnd.teller."
#define TL_TYPE_MANIFEST "application/vnd.teller.manifest+json"
#define TL_TYPE_ROLL "application/vnd.teller.roll+json"
#define TL_TYPE_BALLOT "application/vnd.teller.ballot+json"
#define TL_TYPE_CLOSE "application/vnd.teller.close+json"
#define TL_TYPE_RESULT "application/vnd.teller.result+json"
#define TL_TYPE_TREE_HEAD "application/vnd.teller.tree-head+json"
#define TL_TYPE_RECEIPT "application/vnd.teller.receipt+json"
/* Sent by a voter's page to register its key (enrol.h); never logged. */
#define TL_TYPE_ENROLMENT "application/vnd.teller.enrolment+json"

/* Size limits of a serialized envelope, by what it carries. */
#define TL_ENVELOPE_MAX_BALLOT (64 * 1024)
#define TL_ENVELOPE_MAX_DEFAULT (4 * 1024 * 1024)
#define TL_ENVELOPE_MAX_ROLL (256 * 1024 * 1024)
#define TL_ENVELOPE_MAX_SIGNATURES 16

struct tl_signature {
	char keyid[TL_KEYID_LEN + 1];
	uint8_t sig[TL_ED25519_SIG_LEN];
};

struct tl_envelope {
	char *payload_type;
	uint8_t *payload;          /* the decoded bytes, NUL-terminated */
	size_t payload_len;        /* not counting that NUL */
	size_t nsignatures;
	struct tl_signature *signatures;
};

/* PAE(type, payload) into a new buffer (*out, caller frees). */
int tl_envelope_pae(const char *type, const uint8_t *payload, size_t len,
    uint8_t **out, size_t *outlen);

/* A new envelope holding a copy of payload, signed by key. */
int tl_envelope_sign(const char *type, const void *payload, size_t len,
    const struct tl_key *key, struct tl_envelope **out, struct tl_error *err);

/* The canonical one-line JSON of an envelope (*out NUL-terminated, no
 * trailing newline; caller frees). */
int tl_envelope_serialize(const struct tl_envelope *env, char **out,
    size_t *outlen, struct tl_error *err);

/*
 * Parses an envelope of at most max_len bytes.  Checks its shape: the three
 * fields and no others, a payloadType, base64 that decodes, 1 to
 * TL_ENVELOPE_MAX_SIGNATURES signatures each with a 64-hex keyid and a
 * 64-byte sig.  Checks no signature (see tl_envelope_verify).
 */
int tl_envelope_parse(const char *data, size_t len, size_t max_len,
    struct tl_envelope **out, struct tl_error *err);

/*
 * The fast path of tl_envelope_parse, which tries it first: an envelope
 * in exactly the canonical form (as tl_envelope_serialize writes it) is
 * read byte by byte, with no JSON tree.  It takes only what
 * tl_envelope_parse takes, giving the same envelope; anything else (and
 * running out of memory) is TL_EINPUT with nothing said, and
 * tl_envelope_parse reads it with Jansson, which says what is wrong.
 */
int tl_envelope_parse_canonical(const char *data, size_t len,
    size_t max_len, struct tl_envelope **out);

/* TL_OK if the envelope has a signature by key (matched by key id) that
 * verifies; TL_ESIGNATURE otherwise. */
int tl_envelope_verify(const struct tl_envelope *env, const struct tl_key *key,
    struct tl_error *err);

/* TL_OK if the envelope is of the expected payload type; TL_EINPUT naming
 * both types otherwise. */
int tl_envelope_expect_type(const struct tl_envelope *env, const char *type,
    struct tl_error *err);

void tl_envelope_free(struct tl_envelope *env);

#endif
