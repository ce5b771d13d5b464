/*
 * teller/witness.h: witnessed tree heads.  A witness (teller witness) is
 * an observer with its own key that cosigns an election log's tree heads
 * (cosignature.h gives the format), each only if it extends the last one
 * it cosigned; a log that was rewritten after a witness saw it can then
 * no longer gather that witness's cosignature, and the witness keeps the
 * two signed heads that disagree as evidence.
 *
 * What this module holds:
 *
 *   the cosigned tree head, the document witnesses, servers, receipts'
 *   holders and verifiers pass around:
 *     {"tree_head": <the authority's signed tree head envelope>,
 *      "cosignatures": [{"witness": NAME, "signature": BASE64}, ...]}
 *
 *   the witness's side: its state (the tree head it last cosigned), the
 *   judgement of a new tree head against it (tl_witness_judge), and the
 *   evidence it keeps when it refuses;
 *
 *   the authority's side: the cosignatures a database keeps
 *   (tl_cosignatures_store checks and stores what a witness sends) and
 *   the record's cosignature line (doc/record-format.md, 2 and 9), which
 *   carries the cosignatures of the record's final tree head.
 *
 * Ownership: structs returned through ** are released with their _free
 * function; json_t ** are new references; char ** the caller's to free.
 */
#ifndef TELLER_WITNESS_H
#define TELLER_WITNESS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "teller/cosignature.h"
#include "teller/crypto.h"
#include "teller/envelope.h"
#include "teller/error.h"
#include "teller/log.h"
#include "teller/merkle.h"
#include "teller/store.h"

/* The largest cosigned head, witness state or evidence file read. */
#define TL_WITNESS_DOC_MAX (256 * 1024)

/* --- the cosigned tree head ----------------------------------------------- */

struct tl_cosigned_head {
	char *tree_head;              /* its envelope, canonical text */
	struct tl_envelope *envelope;
	struct tl_tree_head head;
	size_t n;
	struct tl_cosignature cosignatures[TL_MAX_WITNESSES];
};

/* A cosigned head of a tree head envelope's text (checked for form, not
 * for its signature), with no cosignatures yet. */
int tl_cosigned_head_new(const char *tree_head, size_t len,
    struct tl_cosigned_head **out, struct tl_error *err);

/* Reads the document (as text, or as JSON; `where` prefixes messages):
 * its form, the tree head's envelope and payload, each cosignature's form,
 * at most TL_MAX_WITNESSES of them and no witness twice.  No signature is
 * checked.  TL_EINPUT naming what is wrong. */
int tl_cosigned_head_parse(const char *text, size_t len,
    struct tl_cosigned_head **out, struct tl_error *err);
int tl_cosigned_head_from_json(json_t *doc, const char *where,
    struct tl_cosigned_head **out, struct tl_error *err);

/* The document (NULL when out of memory). */
json_t *tl_cosigned_head_to_json(const struct tl_cosigned_head *c);

/* Adds a cosignature, in place of the same witness's if it has one. */
int tl_cosigned_head_add(struct tl_cosigned_head *c,
    const struct tl_cosignature *cosignature, struct tl_error *err);

/*
 * Checks a cosigned head of election: its tree head is signed by
 * authority and of that election, and every cosignature is by one of the
 * witnesses and verifies for the head's tree (origin, size, root).
 * *valid gets the number of cosignatures that verify.  TL_ESIGNATURE or
 * TL_EVERIFY naming the first that does not (the others are still
 * counted).
 */
int tl_cosigned_head_check(const struct tl_cosigned_head *c,
    const struct tl_key *authority, const char *election,
    const struct tl_witness_list *witnesses, unsigned *valid,
    struct tl_error *err);

void tl_cosigned_head_free(struct tl_cosigned_head *c);

/* The checkpoint origin of the log of election signed by authority. */
void tl_witness_origin(const struct tl_key *authority, const char *election,
    char out[TL_CHECKPOINT_ORIGIN_MAX + 1]);

/* --- the witness's side ----------------------------------------------------- */

enum tl_witness_verdict {
	TL_WITNESS_COSIGN,     /* the first tree seen, or one that extends the
	                          last cosigned: cosign it */
	TL_WITNESS_UNCHANGED,  /* the tree last cosigned: nothing new */
	TL_WITNESS_REFUSE,     /* not an extension of the last cosigned tree */
};

/*
 * Judges tree head next against last, the one the witness cosigned last
 * (NULL if none yet): cosign if there is no last, if last is empty, or if
 * next is larger and proof is the consistency proof (RFC 9162 2.1.4.2)
 * from last's tree to next's; unchanged for the same size and root;
 * refuse for a tree of the same size with another root, a smaller one (the
 * log lost entries) or a proof that does not hold.  reason (reason_len
 * bytes) says why for a refusal.  Both heads' signatures and elections are
 * the caller's to check first.
 */
enum tl_witness_verdict tl_witness_judge(const struct tl_tree_head *last,
    const struct tl_tree_head *next, const struct tl_merkle_proof *proof,
    char *reason, size_t reason_len);

/*
 * A witness's state for one election's log, kept in a file between polls:
 *   {"witness": NAME, "election": ID, "authority_key": BASE64,
 *    "origin": ORIGIN, "cosigned": COSIGNED_HEAD|null}
 * where cosigned is the tree head it cosigned last, with its own
 * cosignature.  The authority key is the one it first trusted (from the
 * election's signed manifest); every later head must be signed by it.
 */
struct tl_witness_state {
	char witness[TL_COSIGNER_NAME_MAX + 1];
	char election[65];
	struct tl_key *authority;
	char origin[TL_CHECKPOINT_ORIGIN_MAX + 1];
	struct tl_cosigned_head *cosigned;   /* NULL before the first */
};

/* A new state, with nothing cosigned yet (authority is copied). */
int tl_witness_state_new(const char *witness, const char *election,
    const struct tl_key *authority, struct tl_witness_state **out,
    struct tl_error *err);
int tl_witness_state_parse(const char *text, size_t len,
    struct tl_witness_state **out, struct tl_error *err);
int tl_witness_state_serialize(const struct tl_witness_state *s, char **out,
    struct tl_error *err);
void tl_witness_state_free(struct tl_witness_state *s);

/* What tl_witness_observe decided. */
struct tl_witness_outcome {
	enum tl_witness_verdict verdict;
	struct tl_tree_head head;      /* the tree head observed */
	struct tl_cosignature cosignature;  /* when cosigned */
	char reason[512];              /* when refused */
	json_t *evidence;              /* when refused: the evidence document */
};

/*
 * Observes tree head envelope head_text (with proof, the consistency proof
 * from the state's last cosigned tree to it, or NULL when there is none or
 * it is not needed): it must be signed by the state's authority and be of
 * its election (TL_ESIGNATURE or TL_EWRONGELECTION, and nothing changes);
 * then tl_witness_judge.  To cosign, it signs the tree's checkpoint with
 * key at time now and makes it the state's cosigned head.  To refuse, it
 * fills out->evidence:
 *   {"evidence": "inconsistent tree heads", "witness", "election",
 *    "origin", "authority_key", "reason": TEXT, "found": TIME,
 *    "cosigned": COSIGNED_HEAD, "refused": ENVELOPE,
 *    "consistency_proof": [HEX, ...]|null}
 * and leaves the state as it was.  Release out->evidence with json_decref.
 */
int tl_witness_observe(struct tl_witness_state *state,
    const struct tl_key *key, const char *head_text, size_t len,
    const struct tl_merkle_proof *proof, int64_t now,
    struct tl_witness_outcome *out, struct tl_error *err);

/* --- the authority's side -------------------------------------------------- */

/*
 * Stores the cosignatures of a cosigned head a witness sent (untrusted
 * input, at most TL_WITNESS_DOC_MAX bytes): the election has a log whose
 * manifest names witnesses; the tree head is one the authority signed for
 * this election (its signature, and a stored signed head of that size
 * with that root); every cosignature is by a witness the manifest names
 * and verifies.  For each witness and size the newest cosignature is
 * kept.  *stored (optional) gets the number of cosignatures the head now
 * has.  TL_ENOTFOUND for an unknown election or tree size, TL_ESTATE for a
 * draft or an election without witnesses, TL_ESIGNATURE or TL_EVERIFY
 * for what does not check; nothing is stored then.
 */
int tl_cosignatures_store(struct tl_store *store, const char *election,
    const char *text, size_t len, int64_t now, size_t *stored,
    struct tl_error *err);

/*
 * The cosigned head of the largest tree cosigned by at least `quorum`
 * witnesses (0: the manifest's quorum), or with size > 0, of that size
 * whatever its number of cosignatures: the document above, with the
 * cosignatures of the witnesses the manifest names.  TL_ENOTFOUND if there is none; TL_ESTATE if the election names no
 * witnesses.
 */
int tl_cosigned_head_get(struct tl_store *store, const char *election,
    unsigned quorum, uint64_t size, json_t **out, struct tl_error *err);

/* --- the record's cosignature line ----------------------------------------- */

/* The record's last line when it carries cosignatures: the canonical bytes
 * (doc/record-format.md 8.4) of
 *   {"cosignatures": [COSIGNATURE, ...], "election": ID, "root": HEX,
 *    "size": N}
 * for the final tree head, the cosignatures in the order of their witness
 * names (as bytes). */
struct tl_cosignature_line {
	char election[65];
	uint64_t size;
	uint8_t root[TL_SHA256_LEN];
	size_t n;
	struct tl_cosignature cosignatures[TL_MAX_WITNESSES];
};

/* Whether a record's line is a cosignature line (by its first bytes). */
int tl_cosignature_line_is(const char *line, size_t len);

/* Reads a cosignature line: its form, and that it is in canonical form
 * with the cosignatures in order and no witness twice.  TL_EINPUT naming
 * what is wrong. */
int tl_cosignature_line_parse(const char *line, size_t len,
    struct tl_cosignature_line *out, struct tl_error *err);

/* The cosignature line of the tree (size, root) of election from the
 * database (*out, without a line feed), or *out NULL when that tree has
 * no cosignature. */
int tl_cosignature_line_export(struct tl_store *store, const char *election,
    uint64_t size, const uint8_t root[TL_SHA256_LEN], char **out,
    struct tl_error *err);

#endif
