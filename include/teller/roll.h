/*
 * teller/roll.h: the voter roll.
 *
 * Imported from CSV (RFC 4180: fields may be quoted with "", a quote inside
 * a quoted field is doubled; CRLF or LF line ends; an optional UTF-8 byte
 * order mark) whose first line is the header
 *
 *   voter_id,name,constituency,weight,public_key[,email]
 *
 * (the columns in any order, each once; email is optional) and each further
 * line a voter: an id, a name, the id of one of the manifest's
 * constituencies, a whole weight from 1 to 1000 and within the
 * constituency's bounds in the manifest (its "weights"), the base64
 * Ed25519 public key the voter signs with, and an e-mail address.  The public key may be
 * empty for a voter with an e-mail address: that voter makes a key later,
 * by an enrolment link (enrol.h), before the roll is frozen.  Blank lines
 * are skipped.  tl_roll_parse_csv rejects the whole file at its first bad
 * line, naming the file, the line and the field.
 *
 * When the election opens, the roll is frozen into a signed JSON document:
 *   {"election": ID, "manifest": HASH, "voters": [{"id", "name",
 *    "constituency", "weight", "public_key"}, ...]}
 * It holds no e-mail address, and only voters with a key: the roll cannot
 * be frozen while a voter has none (tl_roll_serialize refuses).
 *
 * Ownership: a struct tl_roll belongs to the caller that received it;
 * tl_roll_free releases it.
 */
#ifndef TELLER_ROLL_H
#define TELLER_ROLL_H

#include <stddef.h>
#include <stdint.h>

#include "teller/crypto.h"
#include "teller/error.h"
#include "teller/manifest.h"

#define TL_ROLL_MAX_BYTES (256 * 1024 * 1024)
#define TL_ROLL_MAX_VOTERS 2000000
#define TL_ROLL_MAX_LINE 4096

struct tl_voter {
	char *id;
	char *name;
	char *constituency;
	size_t constituency_index;
	int64_t weight;
	char public_key[TL_PUBLIC_B64_LEN + 1];
	uint8_t public_raw[TL_ED25519_PUBLIC_LEN]; /* public_key decoded */
	char key_id[TL_KEYID_LEN + 1];
	/* An empty public_key (and key_id, and zero public_raw): the voter
	 * has no key yet (tl_voter_has_key). */
	char *email;  /* NULL if none; never in the frozen roll */
	size_t line; /* line of the CSV file, 0 if not from one */
};

/* Whether the voter has a public key (not one still to enrol). */
#define tl_voter_has_key(v) ((v)->public_key[0] != '\0')

/* The longest e-mail address (RFC 5321 section 4.5.3.1.3's path limit,
 * less the angle brackets). */
#define TL_EMAIL_MAX 254

/* Whether s is an e-mail address teller accepts: 3 to TL_EMAIL_MAX bytes
 * of printable ASCII, one '@' with text on each side, and none of white
 * space, quotes, brackets, parentheses, commas, semicolons, colons or
 * backslashes (so that it can go into an SMTP command and a header as
 * it is). */
int tl_valid_email(const char *s);

struct tl_roll {
	size_t nvoters;
	struct tl_voter *voters;
	size_t cap;
	int sorted; /* voters are in id order (tl_roll_sort) */
};

/* Parses a roll CSV against the manifest's constituencies.  `filename`
 * names the file in errors.  TL_EROLL (or TL_ETOOBIG) with "FILE:LINE:
 * field: reason" in err. */
int tl_roll_parse_csv(const char *data, size_t len, const char *filename,
    const struct tl_manifest *manifest, struct tl_roll **out,
    struct tl_error *err);

/* Parses the frozen roll document (the payload of a roll envelope). */
int tl_roll_parse_json(const char *data, size_t len,
    const struct tl_manifest *manifest, char **election_id,
    char manifest_hash[TL_HASH_HEX_LEN + 1], struct tl_roll **out,
    struct tl_error *err);

/*
 * tl_roll_parse_json's fast path, for a roll in exactly the form
 * tl_roll_serialize writes: TL_OK with the same result as
 * tl_roll_parse_json, TL_ENOMEM, or TL_EINPUT (without a message) for
 * anything else, which tl_roll_parse_json then reads in full.
 */
int tl_roll_parse_canonical(const char *data, size_t len,
    const struct tl_manifest *manifest, char **election_id,
    char manifest_hash[TL_HASH_HEX_LEN + 1], struct tl_roll **out);

/*
 * A log's roll entry (line 2 of a record: the envelope of the frozen
 * roll), opened for a voter who checks their own entry: an envelope of the
 * roll's type, signed by authority, whose payload is a valid roll of
 * election m (line 1's manifest, whose hash is manifest_hash) naming that
 * manifest.  *out gets the roll, sorted (caller frees).  TL_EROLL,
 * TL_ESIGNATURE or TL_EWRONGELECTION saying what is wrong.
 */
struct tl_key;
int tl_roll_open_entry(const char *entry, size_t len,
    const struct tl_manifest *m, const char *manifest_hash,
    const struct tl_key *authority, struct tl_roll **out,
    struct tl_error *err);

/* Appends the roll as CSV in the form tl_roll_parse_csv reads: the header
 * voter_id,name,constituency,weight,public_key,email and one line per
 * voter, in the roll's order (an empty public_key for a voter still to
 * enrol, an empty email for one without). */
struct tl_buf;
int tl_roll_write_csv(const struct tl_roll *roll, struct tl_buf *out);

/* Serialises the frozen roll document (*out, caller frees).  TL_EINPUT if
 * a voter has no key. */
int tl_roll_serialize(const struct tl_roll *roll, const char *election_id,
    const char *manifest_hash, char **out, size_t *len);

/* Adds a copy of a voter (with its key id computed); used when reading a
 * roll from the database.  Duplicates are the caller's concern. */
int tl_roll_add(struct tl_roll *roll, const char *id, const char *name,
    const char *constituency, size_t constituency_index, int64_t weight,
    const char *public_key);

/* Adds a copy of a voter who has no key yet (an enrolment is pending). */
int tl_roll_add_unenrolled(struct tl_roll *roll, const char *id,
    const char *name, const char *constituency, size_t constituency_index,
    int64_t weight);

/* Gives the roll's last voter an e-mail address (copied). */
int tl_roll_set_email(struct tl_roll *roll, const char *email);

struct tl_roll *tl_roll_new(void);

/* Puts the voters in id order, so that tl_roll_find is a binary search. */
void tl_roll_sort(struct tl_roll *roll);

/* A voter by id; NULL if absent.  Linear unless the roll is sorted. */
const struct tl_voter *tl_roll_find(const struct tl_roll *roll,
    const char *voter_id);

void tl_roll_free(struct tl_roll *roll);

#endif
