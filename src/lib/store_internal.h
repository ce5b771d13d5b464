/*
 * store_internal.h (internal to libteller): the database handle and the
 * helpers the library's modules use to run SQL.  All SQL uses prepared
 * statements with bound parameters.
 */
#ifndef TELLER_STORE_INTERNAL_H
#define TELLER_STORE_INTERNAL_H

#include <jansson.h>
#include <sqlite3.h>

#include "teller/store.h"

struct tl_store {
	sqlite3 *db;
	char *path;
	int in_transaction;
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

/* Sets err to TL_EDB with what and SQLite's message; returns TL_EDB. */
int tl_db_error(struct tl_store *store, struct tl_error *err,
    const char *what);

int tl_db_prepare(struct tl_store *store, const char *sql,
    sqlite3_stmt **stmt, struct tl_error *err);

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

#endif
