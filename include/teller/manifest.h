/*
 * teller/manifest.h: the election definition.
 *
 * A manifest is a JSON document (doc/record-format.md gives every field):
 *
 *   {"id": "isoc-2026", "title": "...", "secrecy": "open", "revote": "last",
 *    "opens": "2026-11-01T00:00:00Z", "closes": "2026-11-30T00:00:00Z",
 *    "constituencies": [{"id": "chapters", "name": "Chapters",
 *                        "weights": {"min": 1, "max": 1}}, ...],
 *    "contests": [{"id": "...", "title": "...", "constituency": "chapters",
 *                  "seats": 2, "method": "plurality",
 *                  "candidates": [{"id": "alice", "name": "Alice ..."}],
 *                  "options": {...}}],
 *    "random_sources": [{"name": "...", "description": "..."}],
 *    "authority_key": "<base64 Ed25519 public key>"}
 *
 * and, for an election with a timetable (timetable.h), "timetable",
 * per contest "petition_threshold", per random source "form" ("text" or
 * "rfc3797"), and in the voting definition "initial_manifest"; and the
 * witnesses who cosign the log's tree heads (cosignature.h):
 * "witnesses": [{"name", "public_key"}, ...] and "witness_quorum".
 *
 * An election with a nomination stage (a nominations or petitions phase)
 * has two signed definitions: the initial manifest, signed when the
 * election is published, whose contests may still lack candidates; and the
 * voting definition, signed when the vote opens: the same document with
 * the final candidate lists and "initial_manifest", the hash of the
 * initial one.  Ballots name the voting definition.
 *
 * tl_manifest_parse validates all of it and reports the first problem with
 * its field path.  Unknown fields are errors: a signed definition must not
 * carry anything a reader could misunderstand.
 *
 * Ownership: the struct and everything it points to belong to the caller
 * of tl_manifest_parse; tl_manifest_free releases it.
 */
#ifndef TELLER_MANIFEST_H
#define TELLER_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "teller/cosignature.h"
#include "teller/error.h"
#include "teller/timetable.h"

#define TL_MANIFEST_MAX (1024 * 1024)
#define TL_MAX_CANDIDATES 1000
#define TL_MAX_CONTESTS 100
#define TL_MAX_CONSTITUENCIES 100
#define TL_MAX_RANDOM_SOURCES 16
#define TL_MAX_SEATS 100
#define TL_MAX_PETITION_THRESHOLD 2000000
/* The largest options.quorum_ballots of a contest. */
#define TL_MAX_QUORUM_BALLOTS 1000000000
#define TL_WEIGHT_MAX 1000 /* a voter's weight is 1 to this */

enum tl_method {
	TL_METHOD_PLURALITY,
	TL_METHOD_APPROVAL,
	TL_METHOD_REFERENDUM,
	TL_METHOD_IRV,
	TL_METHOD_STV_SCOTTISH,
	TL_METHOD_STV_MEEK,
	TL_METHOD_SCHULZE,
};
#define TL_METHOD_COUNT 7

enum tl_selection_kind {
	TL_SELECTION_MARKS,   /* plurality, approval: a set of candidates */
	TL_SELECTION_RANKING, /* irv, stv-*, schulze: ranks of candidates */
	TL_SELECTION_ANSWER,  /* referendum: yes, no or abstain */
};

enum tl_revote {
	TL_REVOTE_LAST,  /* a voter may vote again; the last ballot counts */
	TL_REVOTE_FIRST, /* a voter's first ballot counts; later ones refused */
};

enum tl_secrecy {
	TL_SECRECY_OPEN,   /* ballots name their voter (roll-call) */
	TL_SECRECY_SECRET, /* anonymous credentials (credential.h) */
};

struct tl_candidate {
	char *id;
	char *name;
};

struct tl_contest {
	char *id;
	char *title;
	char *constituency;
	size_t constituency_index;
	unsigned seats;
	enum tl_method method;
	size_t ncandidates;
	struct tl_candidate *candidates;
	json_t *options; /* the "options" object (empty if absent); a reference
	                    the contest holds */
	int64_t petition_threshold; /* endorsements a petition needs; 0: the
	                               contest takes no petitions */
};

struct tl_constituency {
	char *id;
	char *name;
	int64_t weight_min; /* the bounds of its voters' weights on the */
	int64_t weight_max; /* roll: "weights", or 1 and TL_WEIGHT_MAX */
};

/* How the random sources' values seed tie-breaks (result.h): as they are
 * written, or through the RFC 3797 key string of all of them. */
enum tl_random_form {
	TL_RANDOM_TEXT,
	TL_RANDOM_RFC3797,
};

struct tl_random_source {
	char *name;
	char *description;
};

struct tl_manifest {
	char *id;
	char *title;
	enum tl_secrecy secrecy;
	enum tl_revote revote;
	int64_t opens;  /* Unix seconds, UTC */
	int64_t closes;
	size_t nconstituencies;
	struct tl_constituency *constituencies;
	size_t ncontests;
	struct tl_contest *contests;
	size_t nrandom_sources;
	struct tl_random_source *random_sources;
	enum tl_random_form random_form; /* the same for every source */
	struct tl_timetable timetable;   /* voting is opens..closes */
	char *initial_manifest; /* in a voting definition: the hash of the
	                           initial manifest; otherwise NULL */
	char *authority_key; /* base64, NULL before the election is created */
	struct tl_witness_list witnesses; /* empty when it names none */
	json_t *json;        /* the whole validated document */
};

/* Parses and validates a manifest.  TL_EMANIFEST (or TL_ETOOBIG) with the
 * field at fault in err.  An initial manifest (one with a nomination stage
 * and no initial_manifest) may have contests with fewer candidates than
 * seats, or none: its slate is not complete yet. */
int tl_manifest_parse(const char *data, size_t len, struct tl_manifest **out,
    struct tl_error *err);

/* Sets the authority key (base64) of a manifest, in the struct and in its
 * json. */
int tl_manifest_set_authority(struct tl_manifest *m, const char *key_b64);

/* The manifest as compact JSON in the order it was written (*out, caller
 * frees): the payload that is signed. */
int tl_manifest_serialize(const struct tl_manifest *m, char **out,
    size_t *len);

/* Whether the manifest is the initial definition of an election with a
 * nomination stage, whose slate is not complete yet. */
int tl_manifest_is_initial(const struct tl_manifest *m);

/* A candidate the nomination stage adds to a contest of the initial
 * manifest: one added to the slate, or the candidate of a petition that
 * reached its threshold.  The strings are borrowed. */
struct tl_added_candidate {
	size_t contest;   /* index in the initial manifest's contests */
	const char *id;
	const char *name;
};

/*
 * The voting definition of an election with a nomination stage
 * (doc/record-format.md, 5.1): the initial manifest's document with, in
 * each contest that has candidates (every method but referendum), a
 * "candidates" member (added at the end of the contest if the initial one
 * has none) holding its own candidates and then the added ones of that
 * contest in the order given, and last "initial_manifest", the initial
 * manifest's hash.  *out (caller frees) is the payload to sign: compact
 * JSON, members in the initial manifest's order.  The database opens the
 * vote with it and the offline verifier rebuilds it from the record, so
 * both follow this one rule.  TL_EMANIFEST, naming the field, if the
 * final candidates do not make a valid manifest (fewer candidates than
 * seats, an id or name twice).
 */
int tl_manifest_voting_definition(const struct tl_manifest *initial,
    const char *initial_hash, const struct tl_added_candidate *added,
    size_t nadded, char **out, size_t *len, struct tl_error *err);

/* Lookups; NULL or (size_t)-1 when absent. */
const struct tl_contest *tl_manifest_contest(const struct tl_manifest *m,
    const char *id);
size_t tl_manifest_constituency_index(const struct tl_manifest *m,
    const char *id);
/* Index of a candidate of the contest, or (size_t)-1. */
size_t tl_contest_candidate_index(const struct tl_contest *c, const char *id);

/* Method names ("stv-scottish") and back; -1 for an unknown name. */
const char *tl_method_name(enum tl_method method);
int tl_method_from_name(const char *name);
/* The kind of selection a method's ballots carry. */
enum tl_selection_kind tl_method_selection_kind(enum tl_method method);
/* Whether the method accepts equal ranks in a ranking. */
int tl_method_allows_equal_ranks(enum tl_method method);

/* Checks a contest's method options ("options" of the manifest) for its
 * method, and its seats against ncandidates; where names the contest in
 * errors.  TL_EMANIFEST if invalid.  tl_manifest_parse calls it. */
int tl_manifest_check_options(enum tl_method method, unsigned seats,
    size_t ncandidates, json_t *options, const char *where,
    struct tl_error *err);

void tl_manifest_free(struct tl_manifest *m);

#endif
