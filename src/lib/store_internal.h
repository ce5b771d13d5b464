/*
 * store_internal.h (internal to libteller): the database handle and the
 * helpers the library's modules use to run SQL.  All SQL uses prepared
 * statements with bound parameters.
 */
#ifndef TELLER_STORE_INTERNAL_H
#define TELLER_STORE_INTERNAL_H

#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "teller/manifest.h"
#include "teller/store.h"

/* A statement kept prepared for the life of the connection. */
struct tl_db_cached_stmt {
	const char *sql;       /* the key: the address of a string literal */
	sqlite3_stmt *stmt;
	int in_use;
};
#define TL_DB_STMT_CACHE 64

/* A parsed manifest of an election that is no longer a draft (its
 * manifest is then frozen), so that casting does not parse it again for
 * every ballot. */
struct tl_db_cached_manifest {
	char *election_id;
	char hash[65];
	struct tl_manifest *manifest;
};

/* A secret election's credential classes and their public keys (and,
 * once one was needed on this connection, a class's private key), read
 * once per connection. */
struct tl_credential_keys;
struct tl_blindrsa_key;
struct tl_db_cached_credential_keys {
	char *election_id;
	struct tl_credential_keys *keys;
	struct tl_blindrsa_key **private_keys; /* by class; NULL until read */
};

struct tl_store {
	sqlite3 *db;
	char *path;
	int in_transaction;
	struct tl_db_cached_stmt stmts[TL_DB_STMT_CACHE];
	size_t nstmts;
	struct tl_db_cached_manifest *manifests;
	size_t nmanifests;
	struct tl_db_cached_credential_keys *credential_keys;
	size_t ncredential_keys;
	/* Where the authority key is read from when it is in a file
	 * (tl_store_set_key_source): the key file instead of the one the
	 * database records, and the file of its passphrase; or NULL. */
	char *key_file;
	char *passphrase_file;
	/* The key that seals secrets at rest (tl_db_seal_secret), once
	 * derived; wiped at close. */
	uint8_t secret_key[32];
	int has_secret_key;
};

/*
 * An election's state as people see it, from a row of the elections
 * table: 'published' for an election whose log has started before its
 * vote opens (the table's CHECK predates that state, so such an election
 * is stored as a 'draft' with a published_at), its stored state otherwise.
 */
#define TL_DB_STATE_SQL \
	"(CASE WHEN state = 'draft' AND published_at IS NOT NULL " \
	"THEN 'published' ELSE state END)"

/*
 * Secrets the database keeps beside the authority key (a secret
 * election's credential class keys) go in and out through these two, so
 * that they are as safe as the authority key and no safer: sealed with
 * AES-256-GCM under a key derived from the authority's private key
 * (tl_key_derive, info "teller/v1/secret-at-rest"), a random 96-bit
 * nonce, and aad naming the secret's place (its table and row), so that
 * a sealed secret cannot be moved to another row.  Where the authority
 * key is in a file (teller init --key-file), a copy of the database alone
 * cannot open them.  Sealed text: "v1." and the standard base64 of nonce,
 * ciphertext and tag (*sealed, caller frees).  Opening: TL_EDECRYPT if it
 * does not open under this authority and aad, TL_EINPUT if it is not
 * sealed text; *secret (caller wipes and frees) has *len bytes and a NUL
 * after them.  The derived key is kept for the connection's life, so
 * only the first call reads the key file.
 */
int tl_db_seal_secret(struct tl_store *store, const void *aad, size_t aadlen,
    const void *secret, size_t len, char **sealed, struct tl_error *err);
int tl_db_open_secret(struct tl_store *store, const void *aad, size_t aadlen,
    const char *sealed, uint8_t **secret, size_t *len, struct tl_error *err);

/* Sets err to TL_EDB with what and SQLite's message; returns TL_EDB. */
int tl_db_error(struct tl_store *store, struct tl_error *err,
    const char *what);

int tl_db_prepare(struct tl_store *store, const char *sql,
    sqlite3_stmt **stmt, struct tl_error *err);

/*
 * A statement from the connection's cache (prepared once, then reused):
 * for statements on hot paths.  sql must be a string literal (its address
 * is the key).  Give the statement back with tl_db_release, on every path,
 * instead of sqlite3_finalize.  If the cached statement is in use (a
 * nested call) or the cache is full, a fresh statement is prepared, which
 * tl_db_release then finalizes.
 */
int tl_db_cached(struct tl_store *store, const char *sql,
    sqlite3_stmt **stmt, struct tl_error *err);
/* Resets a statement from tl_db_cached (and clears its bindings) or
 * finalizes one that is not cached; NULL is fine. */
void tl_db_release(struct tl_store *store, sqlite3_stmt *stmt);

/*
 * A read transaction around several reads, so that they share one
 * snapshot, one lock and the connection's page cache instead of taking
 * them again for each statement.  Inside a transaction already open it
 * does nothing: *began says whether one was begun, for tl_db_read_end.
 */
int tl_db_read_begin(struct tl_store *store, int *began,
    struct tl_error *err);
void tl_db_read_end(struct tl_store *store, int began);

/* SAVEPOINT / RELEASE / ROLLBACK TO (and RELEASE) a named savepoint inside
 * the current transaction. */
int tl_db_savepoint(struct tl_store *store, struct tl_error *err);
int tl_db_savepoint_release(struct tl_store *store, struct tl_error *err);
int tl_db_savepoint_rollback(struct tl_store *store, struct tl_error *err);

/*
 * The manifest of an election that is open or past it, parsed once per
 * connection and kept until the connection closes (*manifest is borrowed
 * from the store: it stays valid, read-only, while the store is open, and
 * may be read from other threads).  hash gets its hash.  TL_ENOTFOUND if
 * there is no such election; TL_ESTATE while it is a draft.
 */
int tl_election_manifest_cached(struct tl_store *store, const char *id,
    const struct tl_manifest **manifest, char hash[65],
    struct tl_error *err);

/* Runs SQL without results or parameters (schema, pragmas). */
int tl_db_exec(struct tl_store *store, const char *sql,
    struct tl_error *err);

/* BEGIN IMMEDIATE (takes the write lock now, so that a writer never fails
 * half-way to upgrade), COMMIT, ROLLBACK. */
int tl_db_begin(struct tl_store *store, struct tl_error *err);
int tl_db_commit(struct tl_store *store, struct tl_error *err);
void tl_db_rollback(struct tl_store *store);

/* Steps a statement that returns no row; TL_EDB on failure, TL_EEXISTS on
 * a constraint violation. */
int tl_db_step_done(struct tl_store *store, sqlite3_stmt *stmt,
    struct tl_error *err, const char *what);

/* Prepares sql, binds id to its one parameter (?1, which it may name more
 * than once), and steps it to its end, as tl_db_step_done: an UPDATE or
 * DELETE of one election's rows. */
int tl_db_run_for(struct tl_store *store, const char *sql, const char *id,
    struct tl_error *err);

/* A text column as a new string (NULL for SQL NULL); *ok cleared if out
 * of memory. */
char *tl_db_column_strdup(sqlite3_stmt *stmt, int col, int *ok);

/* A column of Unix seconds as an RFC 3339 JSON string, or JSON null for
 * SQL NULL (a new reference; NULL if out of memory). */
json_t *tl_db_column_time(sqlite3_stmt *stmt, int col);

/* Steps a query to its end and collects row(stmt) of each row into a new
 * JSON array (*out); finalizes stmt.  `what` names the query in errors. */
int tl_db_collect_json(struct tl_store *store, sqlite3_stmt *stmt,
    json_t *(*row)(sqlite3_stmt *stmt), const char *what, json_t **out,
    struct tl_error *err);

/* TL_OK if the database holds election id, TL_ENOTFOUND ("no election")
 * if not: for modules below election.c that only need to know. */
int tl_db_election_exists(struct tl_store *store, const char *id,
    struct tl_error *err);

#endif
