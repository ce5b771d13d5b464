/*
 * teller/ballot.h: ballot content, its validation against the manifest, and
 * building one from command-line selections.
 *
 * A ballot is the payload of a DSSE envelope of type TL_TYPE_BALLOT:
 *
 *   {"election": ID, "manifest": HASH, "voter": VOTER_ID, "seq": N,
 *    "selections": [{"contest": C, "marks": [CAND, ...]},        plurality, approval
 *                   {"contest": C, "ranking": [[CAND], [CAND, CAND], ...]},  ranked
 *                   {"contest": C, "answer": "yes"|"no"|"abstain"}]}        referendum
 *
 * HASH is the hex SHA-256 of the signed manifest's payload.  seq is the
 * voter's own counter (from 1); a revote must carry a higher one.  A voter
 * gives at most one selection per contest of their constituency; an empty
 * marks or ranking list is a blank vote in that contest, and so is no
 * selection for a contest of the voter's constituency (result.h).
 *
 * In a secret election (the manifest's secrecy) a ballot names no voter:
 *
 *   {"election": ID, "manifest": HASH, "ballot_key": BASE64,
 *    "credential": {"constituency": C, "weight": W, "prefix": BASE64,
 *                   "signature": BASE64},
 *    "seq": N, "selections": [...]}
 *
 * signed with the one-time ballot key it carries.  In a secret election
 * with trustees (tl_manifest_sealed) the ballot carries, in the place of
 * "selections", its selections sealed until the close (sealed.h):
 *
 *   ..., "seq": N, "sealed": {"selections": BASE64, "shares": [...]}}
 *
 * and its selections are known only once the ballot is opened
 * (tl_ballot_open); a ballot that does not open is spoiled.  In either
 * form the credential
 * (credential.h) is the class's blind signature over that key.  The parser
 * reads the credential's form; whether it verifies under the class key is
 * tl_credential_check_ballot's check.  The ballot key stands in for the
 * voter: seq counts its ballots, and the class gives the constituency and
 * weight.
 *
 * Selections are held resolved to manifest indices, in the flat form of
 * count.h: prefs are candidate indices, TL_PREF_EQUAL marks "equal to the
 * previous entry", and a referendum answer is one entry (enum tl_answer).
 *
 * Ownership: a struct tl_ballot belongs to the caller that received it;
 * tl_ballot_free releases it.
 */
#ifndef TELLER_BALLOT_H
#define TELLER_BALLOT_H

#include <stddef.h>
#include <stdint.h>

#include "teller/count.h"
#include "teller/crypto.h"
#include "teller/error.h"
#include "teller/manifest.h"
#include "teller/sealed.h"

/*
 * The largest ballot payload: the most whose envelope, in canonical form
 * (doc/record-format.md section 2: 254 bytes around the base64 of the
 * payload), fits in a record's ballot line of TL_ENVELOPE_MAX_BALLOT
 * (64 KiB) bytes: 254 + 4 * ceil(48960 / 3) = 65534.  A larger payload
 * could never be a line of a record.
 */
#define TL_BALLOT_MAX 48960
/* The longest reason a spoiled ballot is given, with its NUL. */
#define TL_BALLOT_REASON_MAX 1100

struct tl_selection {
	size_t contest_index;
	size_t n;
	uint32_t *prefs;
};

/* A secret ballot's ballot key and credential. */
struct tl_ballot_credential {
	uint8_t ballot_key[TL_ED25519_PUBLIC_LEN];
	char constituency[65];
	size_t constituency_index;   /* in the manifest */
	int64_t weight;
	uint8_t prefix[32];
	uint8_t *signature;          /* signature_len bytes */
	size_t signature_len;
};

struct tl_ballot {
	char *election_id;
	char manifest_hash[TL_HASH_HEX_LEN + 1];
	char *voter_id;              /* NULL in a secret ballot */
	int64_t seq;
	size_t nselections;
	struct tl_selection *selections;
	struct tl_ballot_credential *credential; /* a secret ballot's; else
	                                            NULL */
	struct tl_sealed *sealed;    /* a sealed ballot's; else NULL */
	char *spoiled;               /* why a sealed ballot did not open
	                                (the words of a report); else NULL */
	int share_unopened;          /* tl_ballot_open: one of the opening
	                                trustees' shares did not open */
};

/*
 * Parses a ballot payload and validates it against the manifest: the
 * election id and manifest hash (TL_EWRONGELECTION), known contests, known
 * candidates, no candidate twice, no more marks than the method allows,
 * equal ranks only where the method accepts them, one selection per contest
 * at most (TL_EBALLOT, naming the contest and the candidate).  The form
 * follows the manifest's secrecy: in a secret election, a ballot key and a
 * credential of a known constituency, and no voter (TL_EBALLOT).  Does not
 * look at the roll: see tl_ballot_check_constituency.
 */
int tl_ballot_parse(const char *payload, size_t len,
    const struct tl_manifest *manifest, const char *manifest_hash,
    struct tl_ballot **out, struct tl_error *err);

/*
 * The fast path of tl_ballot_parse, for a payload in exactly the compact
 * form tl_ballot_build writes, strings without escapes: TL_OK with the
 * ballot tl_ballot_parse would give, TL_ENOMEM, or TL_EINPUT for anything
 * it does not take (another form, or an invalid ballot), which
 * tl_ballot_parse then reads in full.  Exposed for the tests that hold
 * the two paths to the same answers.
 */
int tl_ballot_parse_canonical(const char *payload, size_t len,
    const struct tl_manifest *manifest, const char *manifest_hash,
    struct tl_ballot **out);

/* TL_ENOTONROLL if the ballot has a selection for a contest outside the
 * voter's constituency (a secret ballot's: its credential's). */
int tl_ballot_check_constituency(const struct tl_ballot *ballot,
    const struct tl_manifest *manifest, size_t constituency_index,
    struct tl_error *err);

/*
 * Builds a ballot payload from command-line selections "CONTEST=SELECTION":
 * "A,B" (plurality, approval), "A>B=C>D" (ranked), "yes"|"no"|"abstain"
 * (referendum), or "" (blank).  Candidates may be named by id or by name.
 * The payload is validated with tl_ballot_parse before it is returned
 * (*out, caller frees).
 */
int tl_ballot_build(const struct tl_manifest *manifest,
    const char *manifest_hash, const char *voter_id, int64_t seq,
    const char *const *votes, size_t nvotes, char **out, size_t *len,
    struct tl_error *err);

/* The same for a secret ballot, with the ballot key and credential of
 * cred (whose signature must be set) in the place of a voter. */
int tl_ballot_build_secret(const struct tl_manifest *manifest,
    const char *manifest_hash, const struct tl_ballot_credential *cred,
    int64_t seq, const char *const *votes, size_t nvotes, char **out,
    size_t *len, struct tl_error *err);

/*
 * A voter's ballot from their choices on the command line, built so that
 * no contest is left blank by accident.  votes are "CONTEST=SELECTION" as
 * for tl_ballot_build (a non-empty selection), blanks the ids of contests
 * to leave deliberately blank, and blank_rest asks for a blank vote in
 * every contest not named.  The contests named must be of one
 * constituency, the voter's; when none is named it is the only
 * constituency that has contests, if there is one.  Every contest of
 * that constituency must be voted in or blank, else TL_EUSAGE naming it
 * (after the selections given are checked); nothing given at all is
 * TL_EUSAGE too.  The ballot lists its selections in the manifest's order
 * of contests: the votes as given and, for each blank, an empty list (a
 * referendum has no blank answer: its blank vote is no selection,
 * doc/record-format.md 8.2).  With blank_rest and the constituency
 * unknown the ballot has no selections: blank in every contest of the
 * voter's constituency.  *out as for tl_ballot_build.
 */
int tl_ballot_make(const struct tl_manifest *manifest,
    const char *manifest_hash, const char *voter_id, int64_t seq,
    const char *const *votes, size_t nvotes, const char *const *blanks,
    size_t nblanks, int blank_rest, char **out, size_t *len,
    struct tl_error *err);

/* The same for a secret ballot, with the ballot key and credential of
 * cred (finished: its signature set) in the place of a voter; the
 * voter's constituency is the credential's. */
int tl_ballot_make_secret(const struct tl_manifest *manifest,
    const char *manifest_hash, const struct tl_ballot_credential *cred,
    int64_t seq, const char *const *votes, size_t nvotes,
    const char *const *blanks, size_t nblanks, int blank_rest, char **out,
    size_t *len, struct tl_error *err);

/*
 * Opens a sealed ballot with the keys of the opening trustees (keys[a] is
 * the private key of trustee indices[a], 1-based; count is the
 * threshold): its sealed selections (sealed.h) bound to the election, the
 * manifest hash and the ballot key; then the text they hold, read as a
 * "selections" array of the ballot's class (5.3's rules).  TL_OK both
 * when it opens (ballot->selections set) and when it is spoiled
 * (ballot->spoiled says why, and it has no selections); TL_ENOMEM, or
 * TL_EINPUT for a ballot that is not sealed.
 */
int tl_ballot_open(struct tl_ballot *ballot,
    const struct tl_manifest *manifest,
    const struct tl_hpke_key *const *keys, const uint8_t *indices,
    unsigned count, struct tl_error *err);

/* The binding of a secret ballot's sealed values (seal.h). */
int tl_ballot_binding(const struct tl_ballot *ballot,
    struct tl_seal_binding *b);

/* The length to which teller pads the selections text of constituency
 * ci before sealing it: that of the longest text a ballot of ci can hold
 * (doc/record-format.md 5.14.5). */
size_t tl_ballot_padded_length(const struct tl_manifest *manifest,
    size_t ci);

/* The selection of the ballot for a contest, or NULL. */
const struct tl_selection *tl_ballot_selection(const struct tl_ballot *ballot,
    size_t contest_index);

void tl_ballot_free(struct tl_ballot *ballot);

#endif
