/*
 * teller/statement.h: the payloads of the election cycle's log entries
 * (doc/record-format.md, section 5, gives each exactly):
 *
 *   candidate      authority  a candidate added to the slate
 *   petition       authority  a petition opened for a candidate
 *   endorsement    voter      an eligible voter endorses a petition
 *   amendment      authority  a phase's time moved forward
 *   certification  authority  the counted result certified
 *   challenge      voter      an eligible voter challenges it
 *   decision       authority  the decision on a challenge
 *   final          authority  the result is final
 *   unseal         trustee    a trustee publishes its sealing key after
 *                             the close (doc/record-format.md 13.6)
 *
 * Each parser checks the payload's form alone (its members, identifiers,
 * hashes, times, sizes) and reports the member at fault; whether it fits
 * the election and the log (its election, the hashes it names, its phase)
 * is the caller's check.  The voters' payloads (endorsements, challenges)
 * are untrusted input with explicit size limits.  Each serialiser writes
 * the payload teller signs (compact JSON, members in the order above).
 *
 * Ownership: parsed statements are the caller's; the *_free functions
 * release what a parser allocated (and accept a zeroed struct).
 */
#ifndef TELLER_STATEMENT_H
#define TELLER_STATEMENT_H

#include <stddef.h>
#include <stdint.h>

#include "teller/crypto.h"
#include "teller/error.h"
#include "teller/timetable.h"

#define TL_TYPE_CANDIDATE "application/vnd.teller.candidate+json"
#define TL_TYPE_PETITION "application/vnd.teller.petition+json"
#define TL_TYPE_ENDORSEMENT "application/vnd.teller.endorsement+json"
#define TL_TYPE_AMENDMENT "application/vnd.teller.amendment+json"
#define TL_TYPE_CERTIFICATION "application/vnd.teller.certification+json"
#define TL_TYPE_CHALLENGE "application/vnd.teller.challenge+json"
#define TL_TYPE_DECISION "application/vnd.teller.decision+json"
#define TL_TYPE_FINAL "application/vnd.teller.final+json"
#define TL_TYPE_UNSEAL "application/vnd.teller.unseal+json"

/* Size limits: of an endorsement's and a challenge's payload, of their
 * envelopes (and so of their lines in a record), and of the texts of
 * challenges and decisions. */
#define TL_ENDORSEMENT_MAX 1024
#define TL_ENVELOPE_MAX_ENDORSEMENT 4096
#define TL_STATEMENT_TEXT_MAX 16384
#define TL_CHALLENGE_MAX 40960
#define TL_ENVELOPE_MAX_CHALLENGE 65536
#define TL_UNSEAL_MAX 1024
#define TL_ENVELOPE_MAX_UNSEAL 4096

#define TL_ID_SIZE 65                       /* an identifier and its NUL */
#define TL_HASH_SIZE (TL_HASH_HEX_LEN + 1)

/* A candidate statement or a petition: the same payload,
 *   {"election", "manifest", "contest", "candidate": {"id", "name"},
 *    "time"} */
struct tl_nomination {
	char election[TL_ID_SIZE];
	char manifest[TL_HASH_SIZE];
	char contest[TL_ID_SIZE];
	char candidate[TL_ID_SIZE];
	char *name;
	int64_t time;
};

/* {"election", "petition": HASH, "voter"} */
struct tl_endorsement {
	char election[TL_ID_SIZE];
	char petition[TL_HASH_SIZE];
	char voter[TL_ID_SIZE];
};

/* {"election", "manifest", "phase", "opens"?, "closes"?, "time"} */
struct tl_amendment {
	char election[TL_ID_SIZE];
	char manifest[TL_HASH_SIZE];
	enum tl_phase phase;
	int has_opens, has_closes;
	int64_t opens, closes;
	int64_t time;
};

/* {"election", "manifest", "result": HASH, "time"} */
struct tl_certification {
	char election[TL_ID_SIZE];
	char manifest[TL_HASH_SIZE];
	char result[TL_HASH_SIZE];
	int64_t time;
};

/* {"election", "certification": HASH, "voter", "text"} */
struct tl_challenge {
	char election[TL_ID_SIZE];
	char certification[TL_HASH_SIZE];
	char voter[TL_ID_SIZE];
	char *text;
};

enum tl_remedy {
	TL_REMEDY_NONE,      /* the challenge was dismissed */
	TL_REMEDY_RECOUNT,   /* upheld: the result is counted again */
	TL_REMEDY_NEW_VOTE,  /* upheld: the result is annulled */
};

/* {"election", "challenge": HASH, "decision": "upheld"|"dismissed",
 *  "remedy": "recount"|"new-vote" (upheld only), "text", "time"} */
struct tl_decision {
	char election[TL_ID_SIZE];
	char challenge[TL_HASH_SIZE];
	int upheld;
	enum tl_remedy remedy;
	char *text;
	int64_t time;
};

/* {"election", "manifest", "certification": HASH,
 *  "outcome": "confirmed"|"annulled", "time"} */
struct tl_final {
	char election[TL_ID_SIZE];
	char manifest[TL_HASH_SIZE];
	char certification[TL_HASH_SIZE];
	int annulled;
	int64_t time;
};

/*
 * {"election", "manifest", "trustee", "close": HASH, "time",
 *  "private_key": BASE64}: trustee "trustee" of the manifest publishes the
 * private half of its sealing key for this election, after the close
 * statement whose entry hash is "close".  private_key is the canonical
 * base64 of the 32-byte X25519 private key in its clamped form (RFC 9180
 * section 7.1.2); the parser refuses another length or an unclamped key.
 */
struct tl_unseal {
	char election[TL_ID_SIZE];
	char manifest[TL_HASH_SIZE];
	char trustee[TL_ID_SIZE];
	char close[TL_HASH_SIZE];
	int64_t time;
	uint8_t private_key[32];
};

/* what names the statement in errors ("candidate", "petition"). */
int tl_nomination_parse(const char *payload, size_t len, const char *what,
    struct tl_nomination *out, struct tl_error *err);
int tl_endorsement_parse(const char *payload, size_t len,
    struct tl_endorsement *out, struct tl_error *err);
int tl_amendment_parse(const char *payload, size_t len,
    struct tl_amendment *out, struct tl_error *err);
int tl_certification_parse(const char *payload, size_t len,
    struct tl_certification *out, struct tl_error *err);
int tl_challenge_parse(const char *payload, size_t len,
    struct tl_challenge *out, struct tl_error *err);
int tl_decision_parse(const char *payload, size_t len,
    struct tl_decision *out, struct tl_error *err);
int tl_final_parse(const char *payload, size_t len, struct tl_final *out,
    struct tl_error *err);
int tl_unseal_parse(const char *payload, size_t len, struct tl_unseal *out,
    struct tl_error *err);

void tl_nomination_free(struct tl_nomination *n);
void tl_challenge_free(struct tl_challenge *c);
void tl_decision_free(struct tl_decision *d);

/* The payloads teller signs (*out, caller frees).  Each is checked by its
 * parser before it is returned, so a value that the format does not
 * allow (a text too long, an id that is not one) is an error here. */
int tl_nomination_serialize(const struct tl_nomination *n, char **out,
    size_t *len, struct tl_error *err);
int tl_endorsement_serialize(const struct tl_endorsement *e, char **out,
    size_t *len, struct tl_error *err);
int tl_amendment_serialize(const struct tl_amendment *a, char **out,
    size_t *len, struct tl_error *err);
int tl_certification_serialize(const struct tl_certification *c, char **out,
    size_t *len, struct tl_error *err);
int tl_challenge_serialize(const struct tl_challenge *c, char **out,
    size_t *len, struct tl_error *err);
int tl_decision_serialize(const struct tl_decision *d, char **out,
    size_t *len, struct tl_error *err);
int tl_final_serialize(const struct tl_final *f, char **out, size_t *len,
    struct tl_error *err);
int tl_unseal_serialize(const struct tl_unseal *u, char **out, size_t *len,
    struct tl_error *err);

/* Whether a text is one a challenge or decision may carry: 1 to
 * TL_STATEMENT_TEXT_MAX bytes of UTF-8 with no control character but
 * tab, line feed and carriage return. */
int tl_statement_text_valid(const char *text);

#endif
