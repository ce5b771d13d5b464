/*
 * teller/record.h: an election's public record: exporting it from the
 * database, reading it back, and verifying it offline.
 *
 * The record is JSON Lines (doc/record-format.md specifies it fully): each
 * log entry, in log order, as the exact bytes of its DSSE envelope followed
 * by a line feed, then the signed tree head of the whole log, and, if
 * witnesses cosigned that tree head, last the cosignature line that carries
 * their cosignatures (witness.h).  Line 1
 * is the signed manifest, line 2 the roll, then the ballots, the close
 * statement and the result as they were accepted (and the election
 * cycle's statements, cycle.h, in their places).  Every line is the
 * canonical serialisation of its envelope (envelope.h), so a line's bytes
 * are exactly the entry the log hashed.
 *
 * Ownership: a struct tl_record belongs to the caller of tl_record_parse
 * and is released with tl_record_free; pointers it hands out are borrowed
 * from it.  The JSON report of tl_record_verify is a new reference.
 */
#ifndef TELLER_RECORD_H
#define TELLER_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "teller/crypto.h"
#include "teller/error.h"
#include "teller/manifest.h"
#include "teller/merkle.h"
#include "teller/store.h"
#include "teller/witness.h"

/* The largest record tl_record_parse and tl_record_verify accept. */
#define TL_RECORD_MAX ((size_t)4 << 30)

/* Receives the record's bytes as they are produced; returns 0, or non-zero
 * to stop the export (which then fails with TL_EIO). */
typedef int (*tl_record_write_fn)(void *ctx, const char *data, size_t len);

/*
 * Writes the public record of an election: every log entry and a line
 * feed, then the signed tree head of the whole log and a line feed, all
 * read from one snapshot of the database.  TL_ESTATE for a draft (it has
 * no log yet), TL_ENOTFOUND for an unknown election.
 */
int tl_record_export(struct tl_store *store, const char *election_id,
    tl_record_write_fn write, void *ctx, struct tl_error *err);

struct tl_record;

/*
 * Reads a record far enough to serve receipts and proofs: the manifest on
 * line 1 (a canonical envelope signed by the authority key it names); the
 * tree head on the last line, or the line before a cosignature line (a
 * canonical envelope signed by that key, of this election and of exactly
 * the record's entries), whose root must be the Merkle root of the lines
 * before it; a cosignature line's form, and that it is of that tree (its
 * cosignatures are tl_record_cosigned's to check).  It does not look inside the
 * other entries: tl_record_verify does.  TL_EVERIFY naming the line at
 * fault if the record is not consistent; TL_ETOOBIG over TL_RECORD_MAX.
 * data is copied.
 */
int tl_record_parse(const char *data, size_t len, struct tl_record **out,
    struct tl_error *err);

/* The number of log entries (the lines before the tree head). */
uint64_t tl_record_size(const struct tl_record *record);
/* The election id, the manifest and its hash (hex of SHA-256 of the
 * manifest payload), the authority key: borrowed. */
const char *tl_record_election(const struct tl_record *record);
const struct tl_manifest *tl_record_manifest(const struct tl_record *record);
const char *tl_record_manifest_hash(const struct tl_record *record);
const struct tl_key *tl_record_authority(const struct tl_record *record);
/* The final signed tree head: its envelope text (borrowed, NUL-terminated)
 * and its payload. */
const char *tl_record_tree_head_text(const struct tl_record *record);
void tl_record_tree_head(const struct tl_record *record,
    uint8_t root[TL_SHA256_LEN], uint64_t *size);
/* Entry index (0-based; line index + 1): its exact bytes, borrowed and not
 * NUL-terminated.  TL_ENOTFOUND past the end. */
int tl_record_entry(const struct tl_record *record, uint64_t index,
    const char **entry, size_t *len, struct tl_error *err);
/* Proofs over the record's entries (RFC 9162 2.1.3 and 2.1.4), for trees
 * of up to tl_record_size entries.  TL_EINPUT for sizes out of range. */
int tl_record_inclusion_proof(const struct tl_record *record, uint64_t index,
    uint64_t size, struct tl_merkle_proof *proof, struct tl_error *err);
int tl_record_consistency_proof(const struct tl_record *record,
    uint64_t old_size, uint64_t new_size, struct tl_merkle_proof *proof,
    struct tl_error *err);

/*
 * The witnesses' cosignatures of the record's final tree head: *valid
 * gets the number that are by a witness the manifest names and verify
 * (0 for a record without a cosignature line).  TL_ESIGNATURE or
 * TL_EVERIFY naming the first that does not.
 */
int tl_record_cosigned(const struct tl_record *record, unsigned *valid,
    struct tl_error *err);

void tl_record_free(struct tl_record *record);

/*
 * Progress of a verification: `done` of `total` ballot signatures checked.
 * Called from any of the worker threads, never from two at once.
 */
typedef void (*tl_record_progress_fn)(void *ctx, uint64_t done,
    uint64_t total);

struct tl_record_verify_options {
	unsigned threads;           /* 0: one per online core */
	tl_record_progress_fn progress; /* NULL: no progress reports */
	void *progress_ctx;
	size_t max_problems;        /* problems listed in the report; 0: 1000 */
	int turnout;                /* add the turnout (turnout.h) to the
	                               report */
	/* The witnesses' cosignatures the final tree head needs: the
	 * manifest's witness_quorum (0 if it names none), or witness_quorum
	 * if witness_quorum_set. */
	int witness_quorum_set;
	unsigned witness_quorum;
	/* Signed tree heads from outside the record (a witness's state or
	 * evidence, a cosigned head a server served): every tree head
	 * envelope in each document must be one the record extends. */
	const struct tl_record_heads *heads;
	size_t nheads;
};

/* A document holding signed tree heads, and what to call it. */
struct tl_record_heads {
	const char *name;
	const char *text;
	size_t len;
};

/*
 * Verifies a record offline, in the order doc/record-format.md gives:
 * the lines' form, the manifest, the roll, every ballot (election,
 * manifest, content, voter on the roll, constituency, signature by the
 * voter's key) on every core, the revote policy, the order of the log (no
 * ballot after the close), the close statement, every authority
 * signature, the Merkle root against the final signed tree head, the
 * recount of every contest (tl_result_compute over the ballots that passed
 * every check, with the close statement's random values) compared byte for
 * byte with every signed result, the election cycle's entries (cycle.h):
 * the nominations and the thresholds that make the voting definition's
 * candidates, the timetable's amendments and phases, the certification,
 * the challenges, the decisions and the final statement; and the
 * witnesses (witness.h): every cosignature on the cosignature line, the
 * quorum of them the final tree head needs, and that the record extends
 * every signed tree head given from outside it.
 *
 * Returns TL_OK when the verification ran, whatever its verdict, with
 * *report a new JSON object:
 *
 *   {"valid": BOOL, "election": ID|null, "title": TEXT|null,
 *    "manifest_hash": HEX|null,        the definition ballots name
 *    "initial_manifest_hash": HEX|null,  line 1's (the same without a
 *                                      nomination stage)
 *    "authority_key_id": HEX|null,
 *    "state": "published"|"open"|"closed"|"counted"|"certified"|"final"
 *             |null,
 *    "lines": N, "entries": N, "voters": N,
 *    "ballots": {"in_record": N, "valid": N, "counted": N,
 *                "superseded": N},
 *    "signatures": {"checked": N, "valid": N},
 *    "tree": {"size": N, "root": HEX, "signed_size": N|null,
 *             "signed_root": HEX|null, "signed_time": TIME|null},
 *    "checks": [{"check": NAME, "ok": BOOL|null, "detail": TEXT}, ...],
 *                 in the order of doc/record-format.md; "ok" is null
 *                 for a check an earlier failure kept from running
 *    "problems": [{"line": N, "check": NAME, "error": CODE,
 *                  "message": TEXT}, ...],      in line order
 *    "problems_total": N,
 *    "result": RESULT|null,      the recount (result.h), if closed
 *    "result_matches": BOOL|null,  null when the record has no result
 *    "timetable": [{"phase", "opens", "closes"}, ...],  in force at the end
 *    "amendments": N, "voting_definition_line": N|null,
 *    "candidates_added": N,
 *    "petitions": [{"line", "contest", "candidate", "name", "entry_hash",
 *                   "endorsements", "threshold", "reached"}, ...],
 *    "certifications": N,
 *    "challenges": [{"line", "voter", "entry_hash", "decision":
 *                    "upheld"|"dismissed"|null, "remedy":
 *                    "recount"|"new-vote"|null, "decision_line": N|null},
 *                   ...],
 *    "outcome": "confirmed"|"annulled"|null,   once final
 *    "turnout": TURNOUT|null,    only with options->turnout: turnout.h's
 *                                document of the accepted ballots' voters
 *                                (null without a valid roll)
 *    "witnesses": {"named": N, "quorum": N, "required": N,
 *                  "cosignatures": [{"witness", "time", "valid"}, ...],
 *                  "cosigned": N, "heads": [{"source", "size", "time",
 *                  "consistent"}, ...]}|null}  null without a manifest
 *
 * Other codes only when it could not run (TL_ENOMEM, TL_EINTERNAL,
 * TL_ETOOBIG over TL_RECORD_MAX).
 */
int tl_record_verify(const char *data, size_t len,
    const struct tl_record_verify_options *options, json_t **report,
    struct tl_error *err);

#endif
