/*
 * teller/client.h: a voter's and an observer's side of a teller server
 * (doc/http-api.md), over HTTP with libcurl.  Nothing the server says is
 * trusted unless it checks: a receipt must be signed by the authority key
 * of the election's signed manifest and name the ballot sent; a later
 * tree head must be signed by that key and extend the receipt's tree
 * (consistency proof).
 *
 * A server is named by a struct tl_client_server: its base URL
 * ("http://127.0.0.1:8080", "https://vote.example.org") and, for https,
 * optionally a PEM file of the certificate authorities to trust in place
 * of the system's (libcurl's CAINFO).  Over https the server's certificate
 * and name are always checked.  A pinned manifest is
 * the signed manifest's text the voter already holds ('teller manifest
 * ID'); without one the server's is fetched and must be signed by the
 * authority key it names and, for a ballot, hash to the manifest hash
 * the ballot was made for.
 *
 * Errors the server answers with come back with their code
 * (tl_error_from_name) and message; a transfer that fails is
 * TL_ENETWORK.  Strings through char ** are the caller's to free.
 */
#ifndef TELLER_CLIENT_H
#define TELLER_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "teller/crypto.h"
#include "teller/error.h"
#include "teller/manifest.h"
#include "teller/merkle.h"

/* Where a server is, and whom to trust for its certificate; borrowed. */
struct tl_client_server {
	const char *url;       /* the base URL, http:// or https:// */
	const char *ca_file;   /* PEM certificate authorities, or NULL */
};

/*
 * A signed manifest envelope's text, opened: parsed, checked to be signed
 * by the authority key it names.  *manifest (optional), hash (optional,
 * the hex SHA-256 of its payload) and *authority (optional) are set on
 * success; the caller frees what it asked for.
 */
int tl_client_open_manifest(const char *text, size_t len,
    struct tl_manifest **manifest, char hash[TL_HASH_HEX_LEN + 1],
    struct tl_key **authority, struct tl_error *err);

/*
 * Sends a signed ballot (an envelope's text) to the server, then checks
 * the receipt it answers with (signed by the manifest's authority key,
 * its inclusion proof, the ballot it names) before giving it back in
 * *receipt.  pinned (with pinned_len) may be NULL.
 */
int tl_client_cast(const struct tl_client_server *server,
    const char *ballot, size_t len, const char *pinned, size_t pinned_len,
    char **receipt, struct tl_error *err);

/*
 * The pieces, for a client that checks more (a receipt verifier whose
 * source of the log is a server):
 *
 * tl_client_authority: the election's authority key, from the pinned
 *   signed manifest or the server's (opened as tl_client_open_manifest;
 *   it must be the manifest of that election).
 * tl_client_tree_head: the server's latest signed tree head of the
 *   election, its envelope text as served (unchecked: verify it).
 * tl_client_log_entry: entry `index` of the election's log, its exact
 *   bytes (*entry NUL-terminated, caller frees).
 * tl_client_consistency: the server's consistency proof between the
 *   trees of the first `first` and `second` entries (unchecked).
 */
int tl_client_authority(const struct tl_client_server *server,
    const char *election, const char *pinned, size_t pinned_len,
    struct tl_key **authority, struct tl_error *err);
int tl_client_tree_head(const struct tl_client_server *server,
    const char *election, char **text, struct tl_error *err);
int tl_client_log_entry(const struct tl_client_server *server,
    const char *election, uint64_t index, char **entry, size_t *len,
    struct tl_error *err);
int tl_client_consistency(const struct tl_client_server *server,
    const char *election, uint64_t first, uint64_t second,
    struct tl_merkle_proof *proof, struct tl_error *err);

/* The server's inclusion proof of the entry whose leaf hash is given in
 * the tree of the first `size` entries: *index gets the entry's index
 * (unchecked: verify the proof). */
int tl_client_inclusion(const struct tl_client_server *server,
    const char *election,
    const uint8_t leaf_hash[TL_SHA256_LEN], uint64_t size, uint64_t *index,
    struct tl_merkle_proof *proof, struct tl_error *err);

/* The election's signed manifest (pinned or the server's, opened as
 * tl_client_authority does): *manifest and *authority, the caller's. */
int tl_client_manifest(const struct tl_client_server *server,
    const char *election,
    const char *pinned, size_t pinned_len, struct tl_manifest **manifest,
    struct tl_key **authority, struct tl_error *err);

/*
 * Witnesses (witness.h, doc/http-api.md):
 *
 * tl_client_cosigned_head: the server's cosigned tree head document
 *   (*text, unchecked): of the largest tree cosigned by `quorum`
 *   witnesses (0: the manifest's quorum), or of the tree of `size`
 *   entries if size > 0.
 * tl_client_send_cosigned: sends a witness's cosigned tree head; *count
 *   (optional) gets the number of cosignatures the server now holds for
 *   that tree.
 */
int tl_client_cosigned_head(const struct tl_client_server *server,
    const char *election,
    unsigned quorum, uint64_t size, char **text, struct tl_error *err);
int tl_client_send_cosigned(const struct tl_client_server *server,
    const char *election,
    const char *text, size_t len, size_t *count, struct tl_error *err);

/*
 * Exchanges a receipt for a witnessed one (*witnessed, caller frees): the
 * server's receipt for the same entry against the largest tree head that
 * `quorum` witnesses (0: the manifest's quorum) cosigned, carrying their
 * cosignatures.  Checked before it is given back: signed by the authority
 * key of the pinned or served manifest; of the same election and entry
 * (kind, hash, leaf hash, index); its inclusion proof; at least that many
 * cosignatures, by witnesses the manifest names, that verify; and a tree
 * that extends the old receipt's (the server's consistency proof).
 * TL_ENOTFOUND while no such cosigned tree holds the entry.
 */
int tl_client_witnessed_receipt(const struct tl_client_server *server,
    const char *receipt,
    size_t len, const char *pinned, size_t pinned_len, unsigned quorum,
    char **witnessed, struct tl_error *err);

/*
 * A secret election's credentials (credential.h):
 *
 * tl_client_credential_keys: the server's credential keys statement of
 *   the election, its envelope text as served (unchecked: the caller
 *   checks it is signed by the authority key).
 * tl_client_credential_request: sends a signed credential request and
 *   gives back the server's answer, the issuance's envelope text
 *   (unchecked: tl_credential_holder_finish checks it, and that it
 *   finalizes into a credential).  The same request again gets the same
 *   answer.
 */
int tl_client_credential_keys(const struct tl_client_server *server,
    const char *election, char **text, struct tl_error *err);
int tl_client_credential_request(const struct tl_client_server *server,
    const char *election, const char *request, size_t len, char **answer,
    struct tl_error *err);

/* What tl_client_verify_receipt found. */
struct tl_client_receipt_check {
	uint64_t receipt_size;   /* the size of the receipt's tree */
	uint64_t server_size;    /* the size of the server's tree now */
	uint64_t leaf_index;
	char election_id[65];
};

/*
 * Checks a receipt against the server: the receipt on its own
 * (tl_receipt_check, with the authority key of the pinned or fetched
 * manifest), then the server's current signed tree head and a consistency
 * proof from the receipt's tree to it.  TL_EVERIFY (or TL_ESIGNATURE) if
 * anything fails to check: the ballot's place in the log is then not
 * shown.
 */
int tl_client_verify_receipt(const struct tl_client_server *server,
    const char *receipt, size_t len, const char *pinned, size_t pinned_len,
    struct tl_client_receipt_check *out, struct tl_error *err);

#endif
