/*
 * record_fixture.h: what the record tests share: a real election (the test
 * manifest of helpers.h, election "e1") in a fresh database, with real
 * voters' keys and ballots cast through tl_ballot_cast, its exported
 * record, and small tools to take a record apart and put it back.
 */
#ifndef TELLER_TEST_RECORD_FIXTURE_H
#define TELLER_TEST_RECORD_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "teller/crypto.h"
#include "teller/manifest.h"
#include "teller/store.h"

enum rf_stage {
	RF_OPEN,     /* ballots cast, still open */
	RF_CLOSED,   /* closed with the random value "draw-1" */
	RF_COUNTED,  /* and tallied */
};

struct rf_election {
	char *dir;
	struct tl_store *store;
	struct tl_key *authority;
	struct tl_key **keys;     /* na + nb voter keys: a1.., then b1.. */
	size_t na, nb;
	struct tl_manifest *manifest;
	char hash[TL_HASH_HEX_LEN + 1];
	size_t nballots;          /* ballots cast (all accepted) */
	size_t nvoted;            /* distinct voters among them */
	char **receipts;          /* one per ballot, in casting order */
	char **ballots;           /* each ballot's envelope, as cast */
};

/*
 * Builds election e1 with na voters in constituency "a" and nb in "b":
 * each voter votes with probability 7/8 (a deterministic draw from seed),
 * and `revotes` of them vote again with seq 2.  first: the revote policy
 * is "first" (then revotes must be 0).
 */
void rf_build(struct rf_election *e, size_t na, size_t nb, size_t revotes,
    int first, enum rf_stage stage, uint64_t seed);
void rf_free(struct rf_election *e);

/* Closes election e1 of store (stage RF_CLOSED: with the random value
 * "draw-1") and counts it (RF_COUNTED), as rf_build does; RF_OPEN does
 * nothing. */
void rf_finish(struct tl_store *store, enum rf_stage stage);

/* A ballot envelope for voter_id with votes ("plu=x,y", ...), signed by
 * key (caller frees). */
char *rf_ballot(const struct rf_election *e, struct tl_key *key,
    const char *voter_id, int64_t seq, const char *const *votes,
    size_t nvotes);

/* Casts a ballot envelope; the receipt (caller frees). */
char *rf_cast(struct rf_election *e, const char *ballot);

/* The election's exported record (caller frees), and its length. */
char *rf_export(struct rf_election *e, size_t *len);
/* The same for any election of a store. */
char *rf_export_store(struct tl_store *store, const char *id, size_t *len);

/* A record as lines (without their line feeds), and back. */
struct rf_lines {
	size_t n;
	char **line;
};
void rf_split(const char *text, size_t len, struct rf_lines *out);
char *rf_join(const struct rf_lines *lines, size_t *len);
void rf_lines_free(struct rf_lines *lines);
/* Replaces line i (0-based) with a copy of text. */
void rf_set_line(struct rf_lines *lines, size_t i, const char *text);
/* Inserts a copy of text before line i; removes line i. */
void rf_insert_line(struct rf_lines *lines, size_t i, const char *text);
void rf_remove_line(struct rf_lines *lines, size_t i);

/* The payload of an envelope line (caller frees) and its type. */
char *rf_payload(const char *line, char **type);
/* A line signed by key over payload, of the given type (caller frees). */
char *rf_sign(const struct tl_key *key, const char *type,
    const char *payload);

/* Re-signs the tree head (the last line) with authority over the other
 * lines, keeping its election and time: a record whose log the authority
 * signed as it now is. */
void rf_seal(struct rf_lines *lines, const struct tl_key *authority);

/* Verifying a record: the report (threads 0: every core). */
json_t *rf_verify_text(const char *text, size_t len, unsigned threads);
json_t *rf_verify_lines(const struct rf_lines *lines);
int rf_is_valid(const json_t *report);
/* Whether the report lists a problem on line with that check and error
 * (NULL: any error); rf_expect_problem asserts it, and that the record is
 * invalid. */
int rf_has_problem(const json_t *report, size_t line, const char *check,
    const char *error);
void rf_expect_problem(json_t *report, size_t line, const char *check,
    const char *error);
/* The 0-based index of the first line at or after start of a payload
 * type, and whose payload contains needle (if not NULL). */
size_t rf_find_line(const struct rf_lines *lines, const char *type,
    size_t start, const char *needle);

/* A deterministic generator for the tests' draws. */
uint64_t rf_next(uint64_t *state);

/* One voter's --vote arguments, drawn: for constituency a ("plu=..." and
 * mostly "app=..."), or b ("ref=..."); the number of them. */
size_t rf_draw_votes(uint64_t *rng, int in_a, char votes[3][32]);

#endif
