/*
 * teller/credential.h: a secret election's anonymous credentials
 * (doc/record-format.md, 5.15 gives every byte):
 *
 *   credential classes   the (constituency, weight) pairs of the roll,
 *                        each with an RSA key of its own (blindrsa.h)
 *   credential keys      authority  the classes' public keys, logged
 *                                   when the vote opens
 *   credential message   "teller-credential-v1" 0 ELECTION 0 MANIFEST_HASH
 *                        0 CONSTITUENCY 0 WEIGHT 0 BALLOT_KEY(32 bytes),
 *                        signed blindly (RFC 9474) after a 32-byte prefix
 *   credential request   voter      the blinded message, signed with the
 *                                   voter's roll key
 *   credential issuance  authority  the blind signature, naming the
 *                                   request by its entry hash
 *
 * and the voter's side of getting one (struct tl_credential_holder): make
 * a one-time Ed25519 ballot key, prepare and blind its credential message
 * for the class key, sign the request; then check the authority's
 * issuance and finalize the blind signature into the credential, which
 * verifies under the class key (RFC 9474 4.4), or fails.  The ballot the
 * holder then casts (ballot.h, a secret ballot) carries the ballot key and
 * the credential, and no voter id.
 *
 * The parsers check a payload's form alone (members, identifiers, sizes,
 * base64), naming the member at fault; whether it fits the election and
 * the log is the caller's check.  The serialisers write what teller signs:
 * compact JSON, members in the order above.
 *
 * Ownership: what a constructor or parser gives is the caller's, released
 * with the matching *_free (NULL is fine); a holder's free wipes its
 * secrets (the ballot key, inv).
 */
#ifndef TELLER_CREDENTIAL_H
#define TELLER_CREDENTIAL_H

#include <stddef.h>
#include <stdint.h>

#include "teller/ballot.h"
#include "teller/blindrsa.h"
#include "teller/crypto.h"
#include "teller/error.h"
#include "teller/manifest.h"
#include "teller/roll.h"
#include "teller/statement.h"

#define TL_TYPE_CREDENTIAL_KEYS \
	"application/vnd.teller.credential-keys+json"
#define TL_TYPE_CREDENTIAL_REQUEST \
	"application/vnd.teller.credential-request+json"
#define TL_TYPE_CREDENTIAL "application/vnd.teller.credential+json"

#define TL_CREDENTIAL_MAX_CLASSES 1000
#define TL_CREDENTIAL_KEYS_MAX (1024 * 1024)   /* its payload */
#define TL_CREDENTIAL_PAYLOAD_MAX 4096         /* a request's or issuance's */
#define TL_ENVELOPE_MAX_CREDENTIAL 8192        /* and their envelopes */
#define TL_CREDENTIAL_HOLDER_MAX 65536         /* a credential file */
/* teller open warns about a class with fewer voters than this: their
 * ballots are anonymous only among them. */
#define TL_CREDENTIAL_ANONYMITY_MIN 5

/* A credential class: its constituency (index in the manifest), weight,
 * voters on the roll (0 when read from a statement), and RSA key with the
 * DER of its public half (NULL until the key is known). */
struct tl_credential_class {
	size_t constituency;
	int64_t weight;
	size_t voters;
	struct tl_blindrsa_key *key;
	uint8_t *der;
	size_t der_len;
};

/* The classes of an election, in their order (constituency in the
 * manifest's order, then weight), and the credential keys statement's
 * election and manifest hash when read from one. */
struct tl_credential_keys {
	char election[TL_ID_SIZE];
	char manifest[TL_HASH_SIZE];
	size_t nclasses;
	struct tl_credential_class *classes;
};

/* The credential classes of a roll (without keys), with their voters. */
int tl_credential_classes(const struct tl_manifest *m,
    const struct tl_roll *roll, struct tl_credential_keys **out,
    struct tl_error *err);

/* The class of a constituency (index) and weight, or NULL. */
const struct tl_credential_class *tl_credential_class_find(
    const struct tl_credential_keys *keys, size_t constituency,
    int64_t weight);

/* The credential keys statement's payload, of election m and manifest
 * hash `hash`; every class must have its key. */
int tl_credential_keys_serialize(const struct tl_credential_keys *keys,
    const struct tl_manifest *m, const char *hash, char **out, size_t *len,
    struct tl_error *err);

/*
 * Reads a credential keys statement: its form; each class's constituency
 * one of m's, its weight 1 to TL_WEIGHT_MAX, the classes in order and
 * none twice; each key the DER of an RSA key of TL_BLINDRSA_BITS bits with
 * e = 65537, in its one encoding, and no key twice.  TL_EINPUT naming the
 * class at fault.  Whether the classes are the roll's is
 * tl_credential_keys_match's check.
 */
int tl_credential_keys_parse(const char *payload, size_t len,
    const struct tl_manifest *m, struct tl_credential_keys **out,
    struct tl_error *err);

/*
 * A signed credential keys statement's envelope text, opened as a voter
 * opens it: of the right type, signed by authority, a valid statement
 * (tl_credential_keys_parse) of election m and manifest hash `hash` (the
 * definition in force).  TL_ESIGNATURE or TL_EWRONGELECTION otherwise.
 */
int tl_credential_keys_open(const char *text, size_t len,
    const struct tl_key *authority, const struct tl_manifest *m,
    const char *hash, struct tl_credential_keys **out,
    struct tl_error *err);

/* TL_OK if keys has exactly the classes of the roll's (from
 * tl_credential_classes), in the same order; TL_EINPUT naming the first
 * difference otherwise. */
int tl_credential_keys_match(const struct tl_credential_keys *keys,
    const struct tl_credential_keys *roll_classes,
    const struct tl_manifest *m, struct tl_error *err);

void tl_credential_keys_free(struct tl_credential_keys *keys);

/* The credential message of a class and ballot key (5.15.2): *out, caller
 * frees. */
int tl_credential_message(const char *election, const char *manifest_hash,
    const char *constituency, int64_t weight,
    const uint8_t ballot_key[TL_ED25519_PUBLIC_LEN], uint8_t **out,
    size_t *len);

/*
 * Checks a secret ballot's credential: its class is one of keys's, and
 * its signature verifies (RFC 9474 4.5) over prefix || the credential
 * message of that class and the ballot's key, for election m and manifest
 * hash `hash`.  TL_ESIGNATURE (or TL_EBALLOT for an unknown class) with
 * what is wrong in err.
 */
int tl_credential_check_ballot(const struct tl_credential_keys *keys,
    const struct tl_manifest *m, const char *hash,
    const struct tl_ballot *ballot, struct tl_error *err);

/* {"election", "manifest", "voter", "constituency", "weight",
 *  "blinded_message": BASE64} */
struct tl_credential_request {
	char election[TL_ID_SIZE];
	char manifest[TL_HASH_SIZE];
	char voter[TL_ID_SIZE];
	char constituency[TL_ID_SIZE];
	int64_t weight;
	uint8_t blinded[TL_BLINDRSA_MAX_LEN];
	size_t blinded_len;         /* TL_BLINDRSA_MIN_BITS / 8 to MAX_LEN */
};

/* {"election", "request": HASH, "blind_signature": BASE64} */
struct tl_credential_issuance {
	char election[TL_ID_SIZE];
	char request[TL_HASH_SIZE];
	uint8_t blind_signature[TL_BLINDRSA_MAX_LEN];
	size_t blind_signature_len;
};

int tl_credential_request_parse(const char *payload, size_t len,
    struct tl_credential_request *out, struct tl_error *err);
/* The fast path of tl_credential_request_parse, which tries it first: a
 * payload in exactly the form tl_credential_request_serialize writes is
 * read byte by byte, with no JSON tree, to the same request; anything else
 * is TL_EINPUT with nothing said (the general path says what is wrong). */
int tl_credential_request_parse_canonical(const char *payload, size_t len,
    struct tl_credential_request *out);
int tl_credential_request_serialize(const struct tl_credential_request *r,
    char **out, size_t *len, struct tl_error *err);
int tl_credential_issuance_parse(const char *payload, size_t len,
    struct tl_credential_issuance *out, struct tl_error *err);
int tl_credential_issuance_serialize(
    const struct tl_credential_issuance *i, char **out, size_t *len,
    struct tl_error *err);

/*
 * The voter's side.  A holder is what a voter keeps (in a credential file
 * of mode 0600) from the request until the ballot is cast:
 *
 *   {"election", "manifest", "voter", "constituency", "weight",
 *    "ballot_key": PEM, "prefix": BASE64, "inv": BASE64,
 *    "request": ENVELOPE,   the signed request, to send again as it is
 *    "signature": BASE64}   the credential, once finalized
 *
 * tl_credential_holder_new: for a voter of the roll (their entry) and
 * their roll key (which must be the roll's): a new ballot key, the
 * prepared message blinded for their class's key, and the request signed.
 * tl_credential_holder_finish: the authority's issuance (an envelope's
 * text): signed by authority, of this election, naming this request, and
 * whose blind signature finalizes into a credential that verifies under
 * the class key; TL_ESIGNATURE or TL_EVERIFY otherwise.
 */
struct tl_credential_holder {
	char election[TL_ID_SIZE];
	char manifest[TL_HASH_SIZE];
	char voter[TL_ID_SIZE];
	struct tl_key *ballot_key;
	uint8_t inv[TL_BLINDRSA_MAX_LEN];
	size_t inv_len;
	char *request;                       /* the request's envelope text */
	struct tl_ballot_credential credential; /* signature_len 0 until
	                                           finished */
};

int tl_credential_holder_new(const struct tl_manifest *m, const char *hash,
    const struct tl_credential_keys *keys, const struct tl_voter *voter,
    const struct tl_key *roll_key, struct tl_credential_holder **out,
    struct tl_error *err);
int tl_credential_holder_finish(struct tl_credential_holder *h,
    const struct tl_credential_keys *keys, const struct tl_key *authority,
    const char *issuance, size_t len, struct tl_error *err);
/* Whether the holder has its credential. */
int tl_credential_holder_done(const struct tl_credential_holder *h);
/* The credential file's text (*out NUL-terminated; wipe it with
 * tl_wipe_free) and back; parse checks the form, that the file is of
 * election m (TL_EWRONGELECTION) and that its constituency is m's. */
int tl_credential_holder_serialize(const struct tl_credential_holder *h,
    char **out, struct tl_error *err);
int tl_credential_holder_parse(const char *text, size_t len,
    const struct tl_manifest *m, struct tl_credential_holder **out,
    struct tl_error *err);
void tl_credential_holder_free(struct tl_credential_holder *h);

#endif
