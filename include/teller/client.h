/*
 * teller/client.h: a voter's and an observer's side of a teller server
 * (doc/http-api.md), over HTTP with libcurl.  Nothing the server says is
 * trusted unless it checks: a receipt must be signed by the authority key
 * of the election's signed manifest and name the ballot sent; a later
 * tree head must be signed by that key and extend the receipt's tree
 * (consistency proof).
 *
 * server is the base URL ("http://127.0.0.1:8080").  A pinned manifest is
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
int tl_client_cast(const char *server, const char *ballot, size_t len,
    const char *pinned, size_t pinned_len, char **receipt,
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
int tl_client_verify_receipt(const char *server, const char *receipt,
    size_t len, const char *pinned, size_t pinned_len,
    struct tl_client_receipt_check *out, struct tl_error *err);

#endif
