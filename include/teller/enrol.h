/*
 * teller/enrol.h: voters who make their own key, by a one-time link, and
 * what a voter's page may ask about one voter of the roll.
 *
 * A draft election's roll may list a voter with an e-mail address and no
 * key (roll.h).  Enrolment gives that voter a key before the roll freezes:
 *
 *   tl_enrol_issue     (the administrator, 'teller invite') gives each
 *                      such voter a token: TL_ENROL_TOKEN_BYTES random
 *                      bytes, written in the link as base64url without
 *                      padding (RFC 4648 section 5).  The database keeps
 *                      only the token's SHA-256, in hex.  Issuing a token
 *                      revokes the voter's earlier ones.  The token goes
 *                      in the link's fragment (after '#'), which a browser
 *                      never sends to a server, so that no request line,
 *                      log or Referer carries it;
 *   tl_enrol_lookup    (the voter's page) says whom a token enrols, or why
 *                      it cannot: the election's roll is frozen
 *                      (TL_ESTATE), the token is unknown or revoked
 *                      (TL_ENOTFOUND), already used (TL_ECONFLICT), or
 *                      past its expiry (TL_EEXPIRED);
 *   tl_enrol_register  (the voter's page) takes an enrolment: a DSSE
 *                      envelope of type TL_TYPE_ENROLMENT whose payload is
 *                        {"election": ID, "voter": VOTER_ID,
 *                         "token": TOKEN, "public_key": BASE64}
 *                      signed by the private half of public_key, which
 *                      proves the voter holds it.  It checks the envelope,
 *                      the signature, and then, in one transaction, what
 *                      tl_enrol_lookup checks, that the token is the
 *                      voter's, that the voter has no key yet and that no
 *                      other voter of the election has this one; then it
 *                      sets the voter's key, marks the token used and
 *                      revokes the voter's other tokens.  A refused
 *                      enrolment changes nothing.
 *
 * A token is good until the first of: its expiry, its use, a newer token
 * for the same voter, and the roll's freeze (the election's log starts at
 * 'election open', or at 'election publish' for an election with a
 * nomination stage; the roll cannot freeze while a voter has no key).
 * Enrolments are not in the public record: the frozen roll holds the keys
 * they registered, as it holds imported ones.
 *
 * Ownership: structs returned through ** are the caller's, freed with the
 * matching *_free function (NULL is fine); strings through char ** are
 * the caller's to free.
 */
#ifndef TELLER_ENROL_H
#define TELLER_ENROL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "teller/crypto.h"
#include "teller/error.h"
#include "teller/store.h"

#define TL_ENROL_TOKEN_BYTES 32
#define TL_ENROL_TOKEN_LEN 43      /* base64url of 32 bytes, no padding */
#define TL_ENROLMENT_MAX 4096      /* the largest enrolment envelope */

/* One voter's fresh enrolment link, for the message that carries it. */
struct tl_enrol_link {
	char *voter_id;
	char *name;
	char *email;
	char token[TL_ENROL_TOKEN_LEN + 1];
	int64_t expires;
};

struct tl_enrol_links {
	size_t n;
	struct tl_enrol_link *links;
};

/*
 * Issues a token to each voter of the draft election `election` who has an
 * e-mail address and no key: all of them, or only those named in
 * voters[0..nvoters) (then each must be such a voter: TL_ENOTFOUND or
 * TL_ECONFLICT otherwise, and nothing is issued).  Each token expires at
 * `expires` (after now).  One transaction; *out lists the links in roll
 * order (possibly none).
 */
int tl_enrol_issue(struct tl_store *store, const char *election,
    const char *const *voters, size_t nvoters, int64_t now, int64_t expires,
    struct tl_enrol_links **out, struct tl_error *err);

void tl_enrol_links_free(struct tl_enrol_links *links);

/* Whom a token enrols: {"election", "title", "voter", "name",
 * "constituency", "expires"} (*out, a new reference). */
int tl_enrol_lookup(struct tl_store *store, const char *election,
    const char *token, int64_t now, json_t **out, struct tl_error *err);

/* The payload of an enrolment envelope, parsed and checked for shape. */
struct tl_enrolment {
	char election[65];
	char voter[65];
	char token[TL_ENROL_TOKEN_LEN + 1];
	char public_key[TL_PUBLIC_B64_LEN + 1];
};

/* Parses an enrolment payload: exactly the four members, an election and a
 * voter id, a token of TL_ENROL_TOKEN_LEN base64url characters, and the
 * base64 of a 32-byte public key.  TL_EINPUT naming the field. */
int tl_enrolment_parse(const char *payload, size_t len,
    struct tl_enrolment *out, struct tl_error *err);

/* Takes an enrolment for election `election` (the route's: an enrolment
 * naming another is TL_EWRONGELECTION).  *voter_id (optional) gets the
 * voter it enrolled. */
int tl_enrol_register(struct tl_store *store, const char *election,
    const char *envelope, size_t len, int64_t now, char **voter_id,
    struct tl_error *err);

/*
 * What the voting page needs to know about one voter of an election whose
 * roll is frozen (TL_ESTATE for a draft, whose roll is not public yet;
 * TL_ENOTFOUND for a voter not on it):
 *   {"election", "voter", "name", "constituency", "weight", "public_key",
 *    "ballots", "last_seq"}
 * where ballots is the number of the voter's ballots in the log and
 * last_seq the highest seq among them (0 if none): all of it is in the
 * public record already.  No e-mail address.
 */
int tl_enrol_voter_info(struct tl_store *store, const char *election,
    const char *voter_id, json_t **out, struct tl_error *err);

/*
 * The roll as its administrators see it, with each voter's enrolment
 * ('teller roll list'), in import order:
 *   [{"voter", "name", "constituency", "weight",
 *     "key_id": HEX or null, "email": TEXT or null,
 *     "enrolment": "imported" (the key came with the roll) | "enrolled"
 *       (by a link) | "pending" (no key yet),
 *     "enrolled_at": TIME or null,
 *     "link_expires": TIME or null (the voter's link that still works),
 *     "last_notice": {"kind", "sent_at"} or null}, ...]
 * at now.  Unlike everything a server answers, it holds e-mail addresses.
 */
int tl_enrol_roll(struct tl_store *store, const char *election, int64_t now,
    json_t **out, struct tl_error *err);

#endif
