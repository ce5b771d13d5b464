/*
 * verify_internal.h (internal to libteller): the state of a record's
 * verification, shared by record_verify.c (the lines, the manifest, the
 * roll, the ballots, the close, the tree and the recount) and
 * record_cycle.c (the election cycle's entries: nominations, the voting
 * definition, the timetable's amendments, certification, challenges and
 * the final statement).
 */
#ifndef TELLER_VERIFY_INTERNAL_H
#define TELLER_VERIFY_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "teller/ballot.h"
#include "teller/credential.h"
#include "teller/envelope.h"
#include "teller/log.h"
#include "teller/manifest.h"
#include "teller/record.h"
#include "teller/roll.h"
#include "teller/statement.h"
#include "teller/timetable.h"

/* The checks, in the order the report lists them. */
enum check {
	CHECK_FORMAT,
	CHECK_MANIFEST,
	CHECK_ROLL,
	CHECK_BALLOTS,
	CHECK_SIGNATURES,
	CHECK_REVOTE,
	CHECK_ORDER,
	CHECK_CLOSE,
	CHECK_TREE,
	CHECK_RECOUNT,
	CHECK_NOMINATIONS,
	CHECK_TIMETABLE,
	CHECK_CERTIFICATION,
	CHECK_WITNESSES,
	CHECK_CREDENTIALS,
	CHECK_COUNT
};

enum entry_type {
	TYPE_BAD,       /* not a canonical envelope */
	TYPE_MANIFEST,
	TYPE_ROLL,
	TYPE_BALLOT,
	TYPE_CLOSE,
	TYPE_RESULT,
	TYPE_TREE_HEAD,
	TYPE_RECEIPT,
	TYPE_CANDIDATE,
	TYPE_PETITION,
	TYPE_ENDORSEMENT,
	TYPE_AMENDMENT,
	TYPE_CERTIFICATION,
	TYPE_CHALLENGE,
	TYPE_DECISION,
	TYPE_FINAL,
	TYPE_CREDENTIAL_KEYS,
	TYPE_CREDENTIAL_REQUEST,
	TYPE_CREDENTIAL,
	TYPE_UNKNOWN,
};

struct problem {
	size_t line;
	size_t seq;    /* order of discovery, to keep the sort stable */
	enum check check;
	int code;
	char *message;
};

struct line {
	const char *data;
	size_t len;
	enum entry_type type;
	uint8_t leaf[TL_SHA256_LEN];
	struct tl_envelope *env;      /* every envelope but the roll's and
	                                 a checked ballot's */
	struct tl_ballot *ballot;     /* a ballot that passed the line's checks */
	size_t voter;                 /* its voter's index in the sorted roll */
	/* A secret election's request or issuance (record_secret.c), read
	 * in phase one; checked is set when phase two's checks passed. */
	struct tl_credential_request *request;
	struct tl_credential_issuance *issuance;
	int checked;
	/* An issuance's authority signature, verified in phase two (so on
	 * every core): 1 valid, -1 not (the line's problem says why), 0 not
	 * verified there (the walk does it). */
	int authority_signed;
	/* The first problem a worker found on this line. */
	enum check check;
	int code;
	char *message;
};

/* The close statement's content. */
struct close_statement {
	int64_t ballots;
	int64_t time;
	size_t nrandom;
	char **random;
	char *reason; /* an early close's reason, or NULL */
};

struct verify {
	const char *text;
	size_t text_len;
	struct tl_record_verify_options opt;
	struct line *lines;
	size_t nlines;
	size_t head_line;     /* the tree head's line: the last, or the one
	                         before a cosignature line */
	size_t cosignature_line;  /* the last line if it is one, else 0 */
	size_t nentries;      /* lines before the tree head's */
	int have_head;
	struct tl_tree_head head;
	int have_root;
	uint8_t root[TL_SHA256_LEN]; /* of the entries */

	/* Line 1's manifest; and the definition ballots name: line 1's, or
	 * for an election with a nomination stage its voting definition
	 * (manifest and hash borrow one of the two). */
	struct tl_manifest *first;
	char first_hash[TL_HASH_HEX_LEN + 1];
	struct tl_manifest *definition;
	size_t definition_line;
	const struct tl_manifest *manifest;
	char hash[TL_HASH_HEX_LEN + 1];
	struct tl_key *authority;
	char authority_id[TL_KEYID_LEN + 1];
	struct tl_roll *roll; /* sorted by voter id */

	/* A secret election (record_secret.c): the credential keys statement
	 * at its place (its line, 0 if none), its classes and keys if it
	 * passed the checks that need no roll, and whether it is accepted. */
	int secret;
	size_t keys_line;
	struct tl_credential_keys *keys;
	int keys_ok;
	atomic_size_t credentials_checked, credentials_valid;

	/* The workers' share of the lines: [first_work, nentries), and what
	 * the current phase does to each. */
	size_t first_work;
	void (*phase)(struct verify *v, struct line *l);
	int report_progress;
	atomic_size_t next;
	atomic_size_t done;
	atomic_size_t voter_signatures, voter_signatures_valid;
	atomic_int out_of_memory;
	pthread_mutex_t progress_lock;
	size_t progress_reported;
	uint64_t progress_total;

	size_t authority_signatures, authority_signatures_valid;
	struct problem *problems;
	size_t nproblems, cap_problems;
	int problems_failed;  /* out of memory while recording one */
	json_t *witnesses;    /* the report's "witnesses" (record_witness.c) */
	int check_failed[CHECK_COUNT];
};

/* Where the walk through the log is: the states of a record. */
enum stage {
	STAGE_PUBLISHED, /* before the voting definition (nomination stage) */
	STAGE_OPEN,      /* ballots */
	STAGE_CLOSED,    /* after the close statement, or a recount ordered */
	STAGE_COUNTED,   /* after a result */
	STAGE_CERTIFIED, /* after a certification */
	STAGE_FINAL,     /* after the final statement: nothing may follow */
};

/* A candidate statement or petition that passed its checks. */
struct nominee {
	size_t contest;                   /* in the initial manifest */
	char id[TL_ID_SIZE];
	char *name;
	int petition;
	size_t line;
	char hash[TL_HASH_HEX_LEN + 1];   /* its entry hash */
	size_t endorsements;              /* distinct voters (petitions),
	                                     once the stage is over */
};

/* A valid endorsement, before duplicates are sorted out. */
struct endorsement_entry {
	size_t petition;                  /* index in nominees */
	size_t voter;                     /* index in the sorted roll */
	size_t line;
};

struct challenge_entry {
	char hash[TL_HASH_HEX_LEN + 1];   /* its entry hash */
	size_t line;
	char voter[TL_ID_SIZE];
	int decided, upheld;
	enum tl_remedy remedy;
	size_t decision_line;
	/* The next challenge with the same bytes (index + 1, 0 for none): a
	 * voter may file the same challenge of a certification made again
	 * with the same bytes, after a recount. */
	size_t next_same;
};

/* Entries found by their entry hash: slots hold an item's index + 1. */
struct hash_index {
	size_t *slots;
	size_t cap, n;
};

struct walk {
	enum stage stage;
	size_t close_line, result_line;
	int close_ok;
	struct close_statement close;
	/* Every signed result (a recount adds one), compared with the
	 * recount. */
	const struct tl_envelope **results;
	size_t *result_lines;
	size_t nresults;
	size_t in_record, valid, counted;
	/* per voter (sorted roll index): ballots seen, last seq, its line */
	size_t *voter_ballots;
	int64_t *voter_seq;
	size_t *voter_line;

	/* The cycle (record_cycle.c). */
	struct tl_timetable tt;           /* in force at the current line */
	size_t amendments;
	struct nominee *nominees;
	size_t nnominees, cap_nominees;
	size_t candidates_added, petitions;
	struct hash_index petition_index;
	struct endorsement_entry *endorsements;
	size_t nendorsements, cap_endorsements;
	int endorsements_counted;         /* duplicates sorted out */
	size_t definition_seen;           /* its line, once walked */
	char result_hash[TL_HASH_HEX_LEN + 1];  /* the latest result's */
	char cert_hash[TL_HASH_HEX_LEN + 1];    /* the latest certification's */
	size_t cert_line, certifications;
	struct challenge_entry *challenges;
	size_t nchallenges, cap_challenges, undecided;
	struct hash_index challenge_index;
	int annulled;
	size_t annulled_line, recount_line;
	size_t final_line;
	int out_of_memory;

	/* A secret election's walk (record_secret.c). */
	struct secret_walk *secret;
};

/* --- verify.c: what the parts below share ------------------------------ */

/* A check's name in the report ("format", "manifest", ...). */
const char *tl_verify_check_name(enum check check);

/* A problem of the record on a line (0: the record as a whole), its
 * message given whole. */
void tl_verify_problem_text(struct verify *v, size_t line, enum check check,
    int code, const char *message);

/* A problem of the record on a line (0: the record as a whole). */
void tl_verify_problem(struct verify *v, size_t line, enum check check,
    int code, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* An authority-signed entry: one signature, by the manifest's key;
 * records the problem (what names the entry) and counts the signature. */
int tl_verify_authority_signature(struct verify *v, size_t lineno,
    const struct tl_envelope *env, const char *what);

/* TL_OK if env is signed by the key of voter `index` of the sorted roll,
 * else an error that says why. */
int tl_verify_voter_signed(struct verify *v, size_t index,
    const struct tl_envelope *env, struct tl_error *err);

/* "ballot", "close statement", ... for messages. */
const char *tl_verify_type_name(enum entry_type type);

/* Adds a check's line to the report's list ("ok" from the problems). */
void tl_verify_set_check(json_t *checks, struct verify *v, enum check c,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* --- record_cycle.c and record_witness.c, called by record_verify.c ----- */

/* record_cycle.c: finds and reads the voting definition before the
 * ballots are read (they name it), for an election with a nomination
 * stage. */
void tl_verify_find_definition(struct verify *v);

/* record_cycle.c: one entry of the cycle's types (or a manifest after
 * line 1), in log order. */
void tl_verify_cycle_entry(struct verify *v, struct walk *w, struct line *l,
    size_t lineno);

/* record_cycle.c: the timetable's rule for the close statement (an
 * election closes after its voting phase, or before it early, with a
 * reason). */
void tl_verify_cycle_close(struct verify *v, struct walk *w, size_t lineno);

/* record_cycle.c: after the last entry, what is judged on the whole log
 * (the endorsements of a record that ends before its vote opens).
 * TL_ENOMEM if the walk ran out of memory. */
int tl_verify_cycle_finish(struct verify *v, struct walk *w);

/* record_cycle.c: the cycle's checks in the report's list, and its
 * members of the report ("petitions", "challenges", "outcome"). */
void tl_verify_cycle_checks(struct verify *v, const struct walk *w,
    json_t *checks);
int tl_verify_cycle_report(const struct verify *v, const struct walk *w,
    json_t *report);

/* Releases what the cycle's walk holds. */
void tl_verify_cycle_free(struct walk *w);

/* record_secret.c: a secret election's credential keys statement, found
 * at its place and read before the other lines (ballots are checked
 * against its keys); and once the roll is read, whether its classes are
 * the roll's. */
void tl_verify_find_keys(struct verify *v);
void tl_verify_keys_match_roll(struct verify *v);

/* record_secret.c: phase one for a secret election's ballot, request or
 * issuance (env is the line's envelope, kept in l->env when phase two or
 * the walk needs it); phase two for a request (its voter, signature and
 * class) or an issuance (its blind signature). */
void tl_verify_secret_read(struct verify *v, struct line *l,
    struct tl_envelope *env);
void tl_verify_secret_check(struct verify *v, struct line *l);

/* record_secret.c: the walk's part: the keys statement, requests and
 * issuances (and their place in the log), and a secret ballot's
 * acceptance (revote per ballot key, the bound per class).  walk_start
 * before the first line, TL_ENOMEM if out of memory. */
int tl_verify_secret_start(struct verify *v, struct walk *w);
void tl_verify_secret_entry(struct verify *v, struct walk *w, struct line *l,
    size_t lineno);
void tl_verify_secret_ballot(struct verify *v, struct walk *w, struct line *l,
    size_t lineno);
/* The walk calls place for each line, before it: the line where a secret
 * election's vote opens must be its keys statement; and opened with the
 * index of the line after the one that opened the vote (the voting
 * definition). */
void tl_verify_secret_place(struct verify *v, struct walk *w,
    const struct line *l, size_t index);
void tl_verify_secret_opened(struct verify *v, struct walk *w, size_t index);

/* record_secret.c: the report's check line and its "credentials" member;
 * the voters who obtained a credential (the turnout of a secret
 * election), as ids into *voted (caller frees the array). */
void tl_verify_secret_checks(struct verify *v, const struct walk *w,
    json_t *checks);
int tl_verify_secret_report(const struct verify *v, const struct walk *w,
    json_t *report);
int tl_verify_secret_voted(const struct verify *v, const struct walk *w,
    const char ***voted, size_t *n);
void tl_verify_secret_free(struct walk *w);

/* record_witness.c: the witnesses' cosignatures of the final tree head
 * (the cosignature line), the quorum the options ask for, and the tree
 * heads given from outside the record, once the entries' leaf hashes and
 * the tree head are known; fills v->witnesses for the report. */
int tl_verify_witnesses(struct verify *v);

/* record_witness.c: the check's line in the report. */
void tl_verify_witness_check(struct verify *v, json_t *checks);


#endif
