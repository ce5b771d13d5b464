/*
 * store.c: opening the database, its schema and numbered migrations, the
 * transaction and statement helpers the other modules use, and the
 * authority key.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_internal.h"
#include "teller/aead.h"
#include "teller/credential.h"
#include "teller/util.h"

/*
 * Migration N brings a database from user_version N-1 to N.  Never edit a
 * migration that has been released; add the next one.
 */
static const char *const migrations[] = {
	/* 1: the foundation schema. */
	"CREATE TABLE authority ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  private_key TEXT NOT NULL,"
	"  public_key TEXT NOT NULL,"
	"  key_id TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE elections ("
	"  id TEXT PRIMARY KEY,"
	"  title TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN"
	"    ('draft', 'open', 'closed', 'counted', 'certified', 'final')),"
	"  revote TEXT NOT NULL CHECK (revote IN ('last', 'first')),"
	"  opens_at INTEGER NOT NULL,"
	"  closes_at INTEGER NOT NULL,"
	"  manifest_json TEXT NOT NULL,"
	"  manifest_hash TEXT,"
	"  random_values TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  opened_at INTEGER,"
	"  closed_at INTEGER,"
	"  counted_at INTEGER);"
	"CREATE TABLE constituencies ("
	"  election_id TEXT NOT NULL REFERENCES elections (id),"
	"  id TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  position INTEGER NOT NULL,"
	"  PRIMARY KEY (election_id, id));"
	"CREATE TABLE contests ("
	"  election_id TEXT NOT NULL REFERENCES elections (id),"
	"  id TEXT NOT NULL,"
	"  title TEXT NOT NULL,"
	"  constituency_id TEXT NOT NULL,"
	"  seats INTEGER NOT NULL,"
	"  method TEXT NOT NULL,"
	"  position INTEGER NOT NULL,"
	"  PRIMARY KEY (election_id, id),"
	"  FOREIGN KEY (election_id, constituency_id)"
	"    REFERENCES constituencies (election_id, id));"
	"CREATE TABLE candidates ("
	"  election_id TEXT NOT NULL,"
	"  contest_id TEXT NOT NULL,"
	"  id TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  position INTEGER NOT NULL,"
	"  PRIMARY KEY (election_id, contest_id, id),"
	"  FOREIGN KEY (election_id, contest_id) REFERENCES contests (election_id, id));"
	"CREATE TABLE voters ("
	"  election_id TEXT NOT NULL REFERENCES elections (id),"
	"  id TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  constituency_id TEXT NOT NULL,"
	"  weight INTEGER NOT NULL CHECK (weight BETWEEN 1 AND 1000),"
	"  public_key TEXT NOT NULL,"
	"  key_id TEXT NOT NULL,"
	"  PRIMARY KEY (election_id, id),"
	"  UNIQUE (election_id, key_id),"
	"  FOREIGN KEY (election_id, constituency_id)"
	"    REFERENCES constituencies (election_id, id));"
	/* The public log: each entry is the exact bytes of an envelope. */
	"CREATE TABLE log ("
	"  election_id TEXT NOT NULL REFERENCES elections (id),"
	"  leaf_index INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  entry TEXT NOT NULL,"
	"  entry_hash TEXT NOT NULL,"
	"  leaf_hash BLOB NOT NULL,"
	"  appended_at INTEGER NOT NULL,"
	"  PRIMARY KEY (election_id, leaf_index));"
	"CREATE INDEX log_by_leaf_hash ON log (election_id, leaf_hash);"
	"CREATE INDEX log_by_entry_hash ON log (election_id, entry_hash);"
	/* Complete subtrees of each log's Merkle tree (merkle.h). */
	"CREATE TABLE merkle_nodes ("
	"  election_id TEXT NOT NULL,"
	"  level INTEGER NOT NULL,"
	"  idx INTEGER NOT NULL,"
	"  hash BLOB NOT NULL,"
	"  PRIMARY KEY (election_id, level, idx)) WITHOUT ROWID;"
	"CREATE TABLE tree_heads ("
	"  election_id TEXT NOT NULL REFERENCES elections (id),"
	"  size INTEGER NOT NULL,"
	"  root BLOB NOT NULL,"
	"  signed_at INTEGER NOT NULL,"
	"  envelope TEXT NOT NULL,"
	"  PRIMARY KEY (election_id, size));"
	"CREATE TABLE ballots ("
	"  id INTEGER PRIMARY KEY,"
	"  election_id TEXT NOT NULL REFERENCES elections (id),"
	"  voter_id TEXT,"
	"  key_id TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  weight INTEGER NOT NULL,"
	"  constituency_id TEXT NOT NULL,"
	"  leaf_index INTEGER NOT NULL,"
	"  entry_hash TEXT NOT NULL,"
	"  received_at INTEGER NOT NULL,"
	"  UNIQUE (election_id, key_id, seq),"
	"  UNIQUE (election_id, entry_hash),"
	"  FOREIGN KEY (election_id, leaf_index) REFERENCES log (election_id, leaf_index),"
	"  FOREIGN KEY (election_id, voter_id) REFERENCES voters (election_id, id));"
	/* One row per candidate marked or ranked, or per answer: per-candidate
	 * totals are plain aggregates over counted_ballots. */
	"CREATE TABLE selections ("
	"  ballot_id INTEGER NOT NULL REFERENCES ballots (id),"
	"  election_id TEXT NOT NULL,"
	"  contest_id TEXT NOT NULL,"
	"  rank INTEGER NOT NULL,"
	"  choice TEXT NOT NULL,"
	"  PRIMARY KEY (ballot_id, contest_id, choice));"
	"CREATE INDEX selections_by_contest ON selections (election_id, contest_id, choice);"
	/* The ballots the revote policy counts: a voter's last, or first. */
	"CREATE VIEW counted_ballots AS"
	"  SELECT b.* FROM ballots b JOIN elections e ON e.id = b.election_id"
	"  WHERE b.seq = (SELECT CASE e.revote WHEN 'first' THEN MIN(b2.seq)"
	"                 ELSE MAX(b2.seq) END FROM ballots b2"
	"                 WHERE b2.election_id = b.election_id AND b2.key_id = b.key_id);"
	"CREATE TABLE results ("
	"  election_id TEXT NOT NULL REFERENCES elections (id),"
	"  contest_id TEXT NOT NULL,"
	"  method TEXT NOT NULL,"
	"  seats INTEGER NOT NULL,"
	"  report TEXT NOT NULL,"
	"  PRIMARY KEY (election_id, contest_id));"
	"CREATE TABLE result_rounds ("
	"  election_id TEXT NOT NULL,"
	"  contest_id TEXT NOT NULL,"
	"  round INTEGER NOT NULL,"
	"  candidate_id TEXT NOT NULL,"
	"  votes TEXT NOT NULL,"
	"  PRIMARY KEY (election_id, contest_id, round, candidate_id));"
	"CREATE TABLE result_winners ("
	"  election_id TEXT NOT NULL,"
	"  contest_id TEXT NOT NULL,"
	"  position INTEGER NOT NULL,"
	"  candidate_id TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  PRIMARY KEY (election_id, contest_id, position));"
	"CREATE TABLE result_documents ("
	"  election_id TEXT PRIMARY KEY REFERENCES elections (id),"
	"  document TEXT NOT NULL,"
	"  leaf_index INTEGER NOT NULL);",
	/* 2: webhooks (webhook.h): endpoints, the outbox of events, and one
	 * delivery per event and endpoint. */
	"CREATE TABLE webhook_endpoints ("
	"  id INTEGER PRIMARY KEY,"
	"  url TEXT NOT NULL,"
	"  election_id TEXT REFERENCES elections (id),"
	"  events TEXT NOT NULL,"
	"  secret TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  last_delivered_at INTEGER,"
	"  last_error TEXT,"
	"  last_error_at INTEGER);"
	"CREATE TABLE webhook_events ("
	"  id TEXT PRIMARY KEY,"
	"  type TEXT NOT NULL,"
	"  election_id TEXT REFERENCES elections (id),"
	"  created_at INTEGER NOT NULL,"
	"  payload TEXT NOT NULL);"
	"CREATE TABLE webhook_deliveries ("
	"  id INTEGER PRIMARY KEY,"
	"  event_id TEXT NOT NULL REFERENCES webhook_events (id),"
	"  endpoint_id INTEGER NOT NULL"
	"    REFERENCES webhook_endpoints (id) ON DELETE CASCADE,"
	"  state TEXT NOT NULL DEFAULT 'pending'"
	"    CHECK (state IN ('pending', 'delivered', 'failed')),"
	"  created_at INTEGER NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt_at INTEGER NOT NULL,"
	"  claimed_until INTEGER NOT NULL DEFAULT 0,"
	"  last_attempt_at INTEGER,"
	"  last_status INTEGER,"
	"  last_error TEXT,"
	"  delivered_at INTEGER,"
	"  UNIQUE (endpoint_id, event_id));"
	"CREATE INDEX webhook_deliveries_due ON webhook_deliveries"
	"  (state, next_attempt_at);"
	"CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries"
	"  (event_id);",
	/* 3: the election cycle (cycle.h): publishing before the vote, the
	 * slate, petitions and endorsements, amendments of the timetable,
	 * certification, challenges and the final result.  An election that
	 * is published but not yet open keeps state 'draft' with a
	 * published_at; it reads as 'published' (TL_DB_STATE_SQL). */
	"ALTER TABLE elections ADD COLUMN published_at INTEGER;"
	"ALTER TABLE elections ADD COLUMN initial_hash TEXT;"
	"ALTER TABLE elections ADD COLUMN certified_at INTEGER;"
	"ALTER TABLE elections ADD COLUMN annulled_at INTEGER;"
	"ALTER TABLE elections ADD COLUMN final_at INTEGER;"
	"ALTER TABLE elections ADD COLUMN outcome TEXT"
	"  CHECK (outcome IN ('confirmed', 'annulled'));"
	/* Where a candidate comes from: the manifest (NULL), the slate, or a
	 * petition that reached its threshold. */
	"ALTER TABLE candidates ADD COLUMN origin TEXT"
	"  CHECK (origin IN ('slate', 'petition'));"
	"ALTER TABLE candidates ADD COLUMN leaf_index INTEGER;"
	"CREATE TABLE amendments ("
	"  election_id TEXT NOT NULL REFERENCES elections (id),"
	"  leaf_index INTEGER NOT NULL,"
	"  phase TEXT NOT NULL CHECK (phase IN"
	"    ('nominations', 'petitions', 'voting', 'challenge')),"
	"  opens_at INTEGER,"
	"  closes_at INTEGER,"
	"  amended_at INTEGER NOT NULL,"
	"  PRIMARY KEY (election_id, leaf_index));"
	"CREATE TABLE petitions ("
	"  election_id TEXT NOT NULL REFERENCES elections (id),"
	"  number INTEGER NOT NULL,"
	"  contest_id TEXT NOT NULL,"
	"  candidate_id TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  entry_hash TEXT NOT NULL,"
	"  leaf_index INTEGER NOT NULL,"
	"  opened_at INTEGER NOT NULL,"
	"  PRIMARY KEY (election_id, number),"
	"  UNIQUE (election_id, contest_id, candidate_id),"
	"  FOREIGN KEY (election_id, contest_id)"
	"    REFERENCES contests (election_id, id));"
	"CREATE TABLE endorsements ("
	"  election_id TEXT NOT NULL,"
	"  petition INTEGER NOT NULL,"
	"  voter_id TEXT NOT NULL,"
	"  entry_hash TEXT NOT NULL,"
	"  leaf_index INTEGER NOT NULL,"
	"  received_at INTEGER NOT NULL,"
	"  PRIMARY KEY (election_id, petition, voter_id),"
	"  FOREIGN KEY (election_id, petition)"
	"    REFERENCES petitions (election_id, number),"
	"  FOREIGN KEY (election_id, voter_id) REFERENCES voters (election_id, id));"
	"CREATE TABLE certifications ("
	"  election_id TEXT NOT NULL REFERENCES elections (id),"
	"  number INTEGER NOT NULL,"
	"  result_hash TEXT NOT NULL,"
	"  entry_hash TEXT NOT NULL,"
	"  leaf_index INTEGER NOT NULL,"
	"  certified_at INTEGER NOT NULL,"
	"  PRIMARY KEY (election_id, number));"
	"CREATE TABLE challenges ("
	"  election_id TEXT NOT NULL,"
	"  number INTEGER NOT NULL,"
	"  certification INTEGER NOT NULL,"
	"  voter_id TEXT NOT NULL,"
	"  text TEXT NOT NULL,"
	"  entry_hash TEXT NOT NULL,"
	"  leaf_index INTEGER NOT NULL,"
	"  filed_at INTEGER NOT NULL,"
	"  decision TEXT CHECK (decision IN ('upheld', 'dismissed')),"
	"  remedy TEXT CHECK (remedy IN ('recount', 'new-vote')),"
	"  decision_text TEXT,"
	"  decision_hash TEXT,"
	"  decision_leaf INTEGER,"
	"  decided_at INTEGER,"
	"  PRIMARY KEY (election_id, number),"
	"  FOREIGN KEY (election_id, certification)"
	"    REFERENCES certifications (election_id, number),"
	"  FOREIGN KEY (election_id, voter_id) REFERENCES voters (election_id, id));",
	/* 4: witnesses' cosignatures of the log's tree heads (witness.h):
	 * the newest of each witness for each tree size. */
	"CREATE TABLE cosignatures ("
	"  election_id TEXT NOT NULL REFERENCES elections (id),"
	"  size INTEGER NOT NULL,"
	"  root BLOB NOT NULL,"
	"  witness TEXT NOT NULL,"
	"  signature TEXT NOT NULL,"
	"  signed_at INTEGER NOT NULL,"
	"  received_at INTEGER NOT NULL,"
	"  PRIMARY KEY (election_id, size, witness));",
	/* 5: the authority key may live in a file of its own (teller init
	 * --key-file), so that a copy of the database cannot sign: then
	 * private_key is NULL and key_file holds the file's absolute path. */
	"CREATE TABLE authority_v5 ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  private_key TEXT,"
	"  key_file TEXT,"
	"  public_key TEXT NOT NULL,"
	"  key_id TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  CHECK ((private_key IS NULL) <> (key_file IS NULL)));"
	"INSERT INTO authority_v5 (id, private_key, key_file, public_key, key_id,"
	"  created_at) SELECT id, private_key, NULL, public_key, key_id,"
	"  created_at FROM authority;"
	"DROP TABLE authority;"
	"ALTER TABLE authority_v5 RENAME TO authority;",
	/* 6: enrolment (enrol.h): a voter may be on the roll with an e-mail
	 * address and no key until the roll freezes.  The voters table is
	 * rebuilt (SQLite cannot drop a NOT NULL), in import order, as
	 * SQLite's "making other kinds of table schema changes" says. */
	"CREATE TABLE voters_new ("
	"  election_id TEXT NOT NULL REFERENCES elections (id),"
	"  id TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  constituency_id TEXT NOT NULL,"
	"  weight INTEGER NOT NULL CHECK (weight BETWEEN 1 AND 1000),"
	"  public_key TEXT,"
	"  key_id TEXT,"
	"  email TEXT,"
	"  enrolled_at INTEGER,"
	"  PRIMARY KEY (election_id, id),"
	"  UNIQUE (election_id, key_id),"
	"  CHECK ((public_key IS NULL) = (key_id IS NULL)),"
	"  CHECK (public_key IS NOT NULL OR email IS NOT NULL),"
	"  FOREIGN KEY (election_id, constituency_id)"
	"    REFERENCES constituencies (election_id, id));"
	"INSERT INTO voters_new (election_id, id, name, constituency_id, weight,"
	"  public_key, key_id) SELECT election_id, id, name, constituency_id,"
	"  weight, public_key, key_id FROM voters ORDER BY rowid;"
	"DROP TABLE voters;"
	"ALTER TABLE voters_new RENAME TO voters;"
	/* One-time enrolment links: only the hash of each token is kept. */
	"CREATE TABLE enrolment_tokens ("
	"  token_hash TEXT PRIMARY KEY,"
	"  election_id TEXT NOT NULL,"
	"  voter_id TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  used_at INTEGER,"
	"  revoked_at INTEGER,"
	"  FOREIGN KEY (election_id, voter_id)"
	"    REFERENCES voters (election_id, id) ON DELETE CASCADE);"
	"CREATE INDEX enrolment_tokens_by_voter ON enrolment_tokens"
	"  (election_id, voter_id);"
	/* The e-mails sent to voters (notice.h), for 'teller roll list'. */
	"CREATE TABLE notices ("
	"  election_id TEXT NOT NULL,"
	"  voter_id TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN"
	"    ('enrolment', 'voting-open', 'reminder')),"
	"  sent_at INTEGER NOT NULL,"
	"  FOREIGN KEY (election_id, voter_id)"
	"    REFERENCES voters (election_id, id) ON DELETE CASCADE);"
	"CREATE INDEX notices_by_voter ON notices (election_id, voter_id);",
	/* 7: secret elections (issuance.h).  One RSA key per credential
	 * class, its private half sealed under the authority key; who obtained
	 * a credential (public in the log anyway); and, per secret ballot, a
	 * hash of its credential, so that a revote must carry the same.
	 * Nothing relates a ballot to a request, and neither has a time. */
	"CREATE TABLE credential_keys ("
	"  election_id TEXT NOT NULL REFERENCES elections (id),"
	"  constituency_id TEXT NOT NULL,"
	"  weight INTEGER NOT NULL,"
	"  position INTEGER NOT NULL,"
	"  public_key BLOB NOT NULL,"
	"  sealed_private_key TEXT NOT NULL,"
	"  PRIMARY KEY (election_id, constituency_id, weight),"
	"  UNIQUE (election_id, position));"
	"CREATE TABLE credentials ("
	"  election_id TEXT NOT NULL REFERENCES elections (id),"
	"  voter_id TEXT NOT NULL,"
	"  request_hash TEXT NOT NULL,"
	"  request_leaf INTEGER NOT NULL,"
	"  issuance_leaf INTEGER NOT NULL,"
	"  PRIMARY KEY (election_id, voter_id),"
	"  FOREIGN KEY (election_id, voter_id) REFERENCES voters (election_id, id));"
	"ALTER TABLE ballots ADD COLUMN credential_hash TEXT;",
};

#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

/*
 * The oldest schema a connection that only reads takes as it is (it never
 * migrates).  Migrations 2 to 6 only add tables and columns or relax a
 * constraint (6 rebuilds the voters table to relax one, keeping its rows), so a query of an older schema either reads what it reads
 * today or fails with "no such table/column"; a migration that changes
 * what existing rows mean must raise this to its own number.
 */
#define SCHEMA_READABLE_SINCE 1

int
tl_store_schema_version(void)
{
	return SCHEMA_VERSION;
}

int
tl_db_error(struct tl_store *store, struct tl_error *err, const char *what)
{
	return tl_error_set(err, TL_EDB, "%s: %s: %s", store->path, what,
	    sqlite3_errmsg(store->db));
}

int
tl_db_prepare(struct tl_store *store, const char *sql, sqlite3_stmt **stmt,
    struct tl_error *err)
{
	if (sqlite3_prepare_v2(store->db, sql, -1, stmt, NULL) != SQLITE_OK) {
		*stmt = NULL;
		return tl_db_error(store, err, "cannot prepare a statement");
	}
	return TL_OK;
}

int
tl_db_cached(struct tl_store *store, const char *sql, sqlite3_stmt **stmt,
    struct tl_error *err)
{
	struct tl_db_cached_stmt *c = NULL;
	size_t i;

	for (i = 0; i < store->nstmts; i++)
		if (store->stmts[i].sql == sql) {
			c = &store->stmts[i];
			break;
		}
	if (c != NULL && !c->in_use) {
		c->in_use = 1;
		*stmt = c->stmt;
		return TL_OK;
	}
	if (c != NULL || store->nstmts == TL_DB_STMT_CACHE)
		return tl_db_prepare(store, sql, stmt, err);
	if (sqlite3_prepare_v3(store->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    stmt, NULL) != SQLITE_OK) {
		*stmt = NULL;
		return tl_db_error(store, err, "cannot prepare a statement");
	}
	c = &store->stmts[store->nstmts++];
	c->sql = sql;
	c->stmt = *stmt;
	c->in_use = 1;
	return TL_OK;
}

void
tl_db_release(struct tl_store *store, sqlite3_stmt *stmt)
{
	if (stmt == NULL)
		return;
	for (size_t i = 0; i < store->nstmts; i++)
		if (store->stmts[i].stmt == stmt) {
			sqlite3_reset(stmt);
			sqlite3_clear_bindings(stmt);
			store->stmts[i].in_use = 0;
			return;
		}
	sqlite3_finalize(stmt);
}

/* Runs a statement without parameters or results from the cache. */
static int
run_cached(struct tl_store *store, const char *sql, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_cached(store, sql, &stmt, err)) != TL_OK)
		return r;
	r = tl_db_step_done(store, stmt, err, sql);
	tl_db_release(store, stmt);
	return r;
}

int
tl_db_read_begin(struct tl_store *store, int *began, struct tl_error *err)
{
	int r = TL_OK;

	*began = 0;
	if (sqlite3_get_autocommit(store->db) &&
	    (r = run_cached(store, "BEGIN", err)) == TL_OK)
		*began = 1;
	return r;
}

void
tl_db_read_end(struct tl_store *store, int began)
{
	if (began && !sqlite3_get_autocommit(store->db))
		run_cached(store, "COMMIT", NULL);
}

int
tl_db_savepoint(struct tl_store *store, struct tl_error *err)
{
	return run_cached(store, "SAVEPOINT tl_item", err);
}

int
tl_db_savepoint_release(struct tl_store *store, struct tl_error *err)
{
	return run_cached(store, "RELEASE tl_item", err);
}

int
tl_db_savepoint_rollback(struct tl_store *store, struct tl_error *err)
{
	int r;

	if ((r = run_cached(store, "ROLLBACK TO tl_item", err)) != TL_OK)
		return r;
	return run_cached(store, "RELEASE tl_item", err);
}

int
tl_db_exec(struct tl_store *store, const char *sql, struct tl_error *err)
{
	char *msg = NULL;

	if (sqlite3_exec(store->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		tl_error_set(err, TL_EDB, "%s: %s", store->path,
		    msg != NULL ? msg : sqlite3_errmsg(store->db));
		sqlite3_free(msg);
		return TL_EDB;
	}
	return TL_OK;
}

int
tl_db_begin(struct tl_store *store, struct tl_error *err)
{
	int r = tl_db_exec(store, "BEGIN IMMEDIATE", err);

	if (r == TL_OK)
		store->in_transaction = 1;
	return r;
}

int
tl_db_commit(struct tl_store *store, struct tl_error *err)
{
	int r = tl_db_exec(store, "COMMIT", err);

	if (r != TL_OK)
		tl_db_rollback(store);
	store->in_transaction = 0;
	return r;
}

void
tl_db_rollback(struct tl_store *store)
{
	if (!sqlite3_get_autocommit(store->db))
		sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
	store->in_transaction = 0;
}

int
tl_db_step_done(struct tl_store *store, sqlite3_stmt *stmt,
    struct tl_error *err, const char *what)
{
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_DONE)
		return TL_OK;
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		tl_error_set(err, TL_EEXISTS, "%s: %s", what,
		    sqlite3_errmsg(store->db));
		return TL_EEXISTS;
	}
	return tl_db_error(store, err, what);
}

int
tl_db_run_for(struct tl_store *store, const char *sql, const char *id,
    struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_prepare(store, sql, &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	r = tl_db_step_done(store, stmt, err, "cannot change the election");
	sqlite3_finalize(stmt);
	return r;
}

char *
tl_db_column_strdup(sqlite3_stmt *stmt, int col, int *ok)
{
	const unsigned char *text = sqlite3_column_text(stmt, col);
	char *copy;

	if (text == NULL)
		return NULL;
	if ((copy = strdup((const char *)text)) == NULL)
		*ok = 0;
	return copy;
}

json_t *
tl_db_column_time(sqlite3_stmt *stmt, int col)
{
	char when[TL_TIME_LEN];

	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return json_null();
	tl_time_format(sqlite3_column_int64(stmt, col), when);
	return json_string(when);
}

int
tl_db_collect_json(struct tl_store *store, sqlite3_stmt *stmt,
    json_t *(*row)(sqlite3_stmt *stmt), const char *what, json_t **out,
    struct tl_error *err)
{
	json_t *list = json_array();
	int r = TL_OK, rc = SQLITE_DONE;

	if (list == NULL)
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
	while (r == TL_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		json_t *item = row(stmt);

		if (item == NULL || json_array_append_new(list, item) != 0)
			r = tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	if (r == TL_OK && rc != SQLITE_DONE)
		r = tl_db_error(store, err, what);
	sqlite3_finalize(stmt);
	if (r != TL_OK) {
		json_decref(list);
		return r;
	}
	*out = list;
	return TL_OK;
}

int
tl_db_election_exists(struct tl_store *store, const char *id,
    struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_prepare(store, "SELECT 1 FROM elections WHERE id = ?",
	    &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		break;
	case SQLITE_DONE:
		r = tl_error_set(err, TL_ENOTFOUND, "no election \"%.64s\"", id);
		break;
	default:
		r = tl_db_error(store, err, "cannot read the election");
		break;
	}
	sqlite3_finalize(stmt);
	return r;
}

static int migrate_steps(struct tl_store *store, struct tl_error *err);

/* Fails if the database breaks a foreign key (PRAGMA foreign_key_check
 * finds a row). */
static int
check_foreign_keys(struct tl_store *store, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r, rc;

	if ((r = tl_db_prepare(store, "PRAGMA foreign_key_check", &stmt,
	    err)) != TL_OK)
		return r;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		r = tl_error_set(err, TL_EDB, "%s: a row of table %s breaks a "
		    "foreign key", store->path, sqlite3_column_text(stmt, 0));
	else if (rc != SQLITE_DONE)
		r = tl_db_error(store, err, "cannot check foreign keys");
	sqlite3_finalize(stmt);
	return r;
}

/*
 * Brings the schema up to date, one migration per transaction.  Foreign
 * keys are off meanwhile, so that a migration may rebuild a table that
 * others refer to, and each migration is checked with
 * PRAGMA foreign_key_check before it commits (SQLite's documented
 * procedure for schema changes).
 */
static int
migrate(struct tl_store *store, struct tl_error *err)
{
	int r = migrate_steps(store, err);

	if (tl_db_exec(store, "PRAGMA foreign_keys = ON", r == TL_OK ? err :
	    NULL) != TL_OK && r == TL_OK)
		r = TL_EDB;
	return r;
}

static int
migrate_steps(struct tl_store *store, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int version, r;

	if ((r = tl_db_prepare(store, "PRAGMA user_version", &stmt, err)) !=
	    TL_OK)
		return r;
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		sqlite3_finalize(stmt);
		return tl_db_error(store, err, "cannot read the schema version");
	}
	version = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	if (version < SCHEMA_VERSION && (r = tl_db_exec(store,
	    "PRAGMA foreign_keys = OFF", err)) != TL_OK)
		return r;
	while (version < SCHEMA_VERSION) {
		char pragma[64];

		if ((r = tl_db_begin(store, err)) != TL_OK)
			return r;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d",
		    version + 1);
		if ((r = tl_db_exec(store, migrations[version], err)) != TL_OK ||
		    (r = check_foreign_keys(store, err)) != TL_OK ||
		    (r = tl_db_exec(store, pragma, err)) != TL_OK) {
			tl_db_rollback(store);
			return tl_error_prefix(err, "migration %d", version + 1);
		}
		if ((r = tl_db_commit(store, err)) != TL_OK)
			return r;
		version++;
	}
	return TL_OK;
}

/*
 * What a file holds, before anything is written to it: nothing yet (an
 * empty file, or an SQLite database without a table: init may make it
 * teller's), a teller database (teller's application_id, or one made
 * before teller set it: a schema version and teller's authority table),
 * or anything else, which teller leaves alone.
 */
enum db_kind {
	DB_EMPTY,
	DB_TELLER,
	DB_OTHER,
};

/* Reads the file's kind and schema version, and whether it has teller's
 * application_id; *sqlite_rc gets SQLite's code when it cannot be read
 * at all. */
static int
identify(struct tl_store *store, enum db_kind *kind, int *version,
    int *marked, int *sqlite_rc, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int64_t app, tables, authority;
	int rc;

	*sqlite_rc = SQLITE_OK;
	rc = sqlite3_prepare_v2(store->db, "SELECT "
	    "(SELECT application_id FROM pragma_application_id), "
	    "(SELECT user_version FROM pragma_user_version), "
	    "(SELECT COUNT(*) FROM sqlite_master), "
	    "(SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND "
	    "name = 'authority')", -1, &stmt, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW)
		rc = SQLITE_OK;
	if (rc != SQLITE_OK) {
		*sqlite_rc = sqlite3_extended_errcode(store->db);
		sqlite3_finalize(stmt);
		if ((*sqlite_rc & 0xff) == SQLITE_NOTADB) {
			*kind = DB_OTHER;
			return TL_OK;
		}
		return tl_db_error(store, err, "cannot read");
	}
	app = sqlite3_column_int64(stmt, 0);
	*version = sqlite3_column_int(stmt, 1);
	tables = sqlite3_column_int64(stmt, 2);
	authority = sqlite3_column_int64(stmt, 3);
	sqlite3_finalize(stmt);
	*marked = app == TL_STORE_APPLICATION_ID;
	if (app == TL_STORE_APPLICATION_ID ||
	    (app == 0 && *version >= 1 && authority == 1))
		*kind = DB_TELLER;
	else if (app == 0 && *version == 0 && tables == 0)
		*kind = DB_EMPTY;
	else
		*kind = DB_OTHER;
	return TL_OK;
}

/* path as an SQLite URI file name, every byte but the plainest escaped. */
static int
file_uri(const char *path, int immutable, struct tl_buf *uri)
{
	int r = tl_buf_adds(uri, "file:");

	for (const unsigned char *p = (const unsigned char *)path;
	    r == TL_OK && *p != '\0'; p++)
		r = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/._-~", *p) != NULL ?
		    tl_buf_addc(uri, (char)*p) : tl_buf_addf(uri, "%%%02X", *p);
	if (r == TL_OK)
		r = tl_buf_adds(uri, immutable ? "?mode=ro&immutable=1" :
		    "?mode=ro");
	return r;
}

/*
 * Opens the connection.  Read-only, through a URI with mode=ro; with
 * immutable, SQLite reads the file as one nothing writes (no locks, no
 * -shm file): for a read-only directory or mount holding no -wal file.
 */
static int
open_connection(struct tl_store *store, int flags, int immutable,
    struct tl_error *err)
{
	struct tl_buf uri;
	int r;

	if (!(flags & TL_STORE_READONLY)) {
		if (sqlite3_open_v2(store->path, &store->db, SQLITE_OPEN_NOMUTEX |
		    SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
			return tl_db_error(store, err, "cannot open");
		return TL_OK;
	}
	tl_buf_init(&uri, 3 * PATH_MAX + 64);
	if ((r = file_uri(store->path, immutable, &uri)) != TL_OK) {
		tl_buf_free(&uri);
		return tl_error_set(err, r, "%s: path too long", store->path);
	}
	if (sqlite3_open_v2(uri.data, &store->db, SQLITE_OPEN_NOMUTEX |
	    SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK)
		r = tl_db_error(store, err, "cannot open");
	tl_buf_free(&uri);
	return r;
}

/* Makes path (and its -wal and -shm files, if there) mode 0600 before a
 * private key is written into it: init on a file that exists. */
static int
make_private(const char *path, struct tl_error *err)
{
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	char name[PATH_MAX];
	struct stat st;

	for (size_t i = 0; i < 3; i++) {
		int fd;

		if ((size_t)snprintf(name, sizeof(name), "%s%s", path,
		    suffixes[i]) >= sizeof(name))
			return tl_error_set(err, TL_EINPUT, "%s: path too long",
			    path);
		if ((fd = open(name, O_RDONLY | O_CLOEXEC)) < 0) {
			if (errno == ENOENT && i > 0)
				continue;
			return tl_error_set(err, tl_file_error_code(errno),
			    "%s: cannot open: %s", name, strerror(errno));
		}
		if (fstat(fd, &st) != 0 || ((st.st_mode & 077) != 0 &&
		    fchmod(fd, 0600) != 0)) {
			int e = errno;

			close(fd);
			return tl_error_set(err, tl_file_error_code(e), "%s: "
			    "cannot make it mode 0600 for the authority's "
			    "private key: %s", name, strerror(e));
		}
		close(fd);
	}
	return TL_OK;
}

/* Refuses what is not a teller database, and a schema this build cannot
 * read; with TL_STORE_CREATE, an empty file is fine too. */
static int
check_kind(struct tl_store *store, int flags, enum db_kind kind,
    int version, struct tl_error *err)
{
	const char *path = store->path;

	if (kind == DB_OTHER)
		return tl_error_set(err, TL_EINPUT, "%s: not a teller database "
		    "(another program's file); teller leaves it alone: give "
		    "--db a teller database, or a new path to 'teller init'",
		    path);
	if (kind == DB_EMPTY && !(flags & TL_STORE_CREATE))
		return tl_error_set(err, TL_ENOTFOUND, "%s: an empty file, not "
		    "a teller database yet; make it one with 'teller --db %s "
		    "init'", path, path);
	if (kind == DB_TELLER && version > SCHEMA_VERSION)
		return tl_error_set(err, TL_EINPUT, "%s: schema version %d is "
		    "newer than this teller's %d; upgrade teller", path, version,
		    SCHEMA_VERSION);
	if (kind == DB_TELLER && version < SCHEMA_READABLE_SINCE &&
	    (flags & TL_STORE_READONLY))
		return tl_error_set(err, TL_ESTATE, "%s: schema version %d is "
		    "too old for this teller to read as it is, and this command "
		    "only reads: a command that writes upgrades it (for example "
		    "'teller --db %s init', which changes nothing else)", path,
		    version, path);
	return TL_OK;
}

/* A connection that writes, where SQLite may not write: a database only
 * the observers' commands can use here. */
static int
read_only_here(const char *path, struct tl_error *err)
{
	return tl_error_set(err, TL_EPERM, "%s: cannot write to the database "
	    "here (its file or directory is read-only); this command changes "
	    "it", path);
}

int
tl_store_open(const char *path, int flags, struct tl_store **out,
    struct tl_error *err)
{
	struct tl_store *store;
	struct stat st;
	enum db_kind kind = DB_OTHER;
	int r, version = 0, rc, existed = 1, marked = 0;
	char wal[PATH_MAX];

	if (stat(path, &st) != 0) {
		int fd, e = errno;

		if (e != ENOENT)
			return tl_error_set(err, tl_file_error_code(e), "%s: %s",
			    path, strerror(e));
		if (!(flags & TL_STORE_CREATE))
			return tl_error_set(err, TL_ENOTFOUND,
			    "%s: no database here; create one with "
			    "'teller --db %s init'", path, path);
		/* Create it 0600 before SQLite does: it holds a private key,
		 * and SQLite gives its -wal and -shm files the same mode. */
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			return tl_error_set(err, TL_EIO, "%s: cannot create: %s",
			    path, strerror(errno));
		close(fd);
		existed = 0;
	} else if (!S_ISREG(st.st_mode))
		return tl_error_set(err, TL_EINPUT, "%s: not a regular file, so "
		    "not a teller database", path);
	if ((store = calloc(1, sizeof(*store))) == NULL ||
	    (store->path = strdup(path)) == NULL) {
		free(store);
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	if ((r = open_connection(store, flags, 0, err)) != TL_OK)
		goto fail;
	sqlite3_extended_result_codes(store->db, 1);
	sqlite3_busy_timeout(store->db, 30000);
	/* Nothing is written before the file is known to be teller's. */
	if ((r = identify(store, &kind, &version, &marked, &rc, err)) != TL_OK &&
	    (flags & TL_STORE_READONLY) && ((rc & 0xff) == SQLITE_READONLY ||
	    (rc & 0xff) == SQLITE_CANTOPEN) &&
	    (size_t)snprintf(wal, sizeof(wal), "%s-wal", path) < sizeof(wal) &&
	    stat(wal, &st) != 0 && errno == ENOENT) {
		/* A read-only directory or mount, where no -shm file can be
		 * made: with no -wal file there, nothing is writing the
		 * database, so it is read as immutable. */
		sqlite3_close_v2(store->db);
		store->db = NULL;
		if ((r = open_connection(store, flags, 1, err)) != TL_OK)
			goto fail;
		sqlite3_extended_result_codes(store->db, 1);
		r = identify(store, &kind, &version, &marked, &rc, err);
	}
	if (r != TL_OK && !(flags & TL_STORE_READONLY) &&
	    (rc & 0xff) == SQLITE_READONLY)
		r = read_only_here(path, err);
	if (r != TL_OK || (r = check_kind(store, flags, kind, version, err)) !=
	    TL_OK)
		goto fail;
	if ((flags & TL_STORE_CREATE) && existed &&
	    (r = make_private(path, err)) != TL_OK)
		goto fail;
	if (!(flags & TL_STORE_READONLY) &&
	    (r = tl_db_exec(store, "PRAGMA journal_mode = WAL", err)) !=
	    TL_OK) {
		if ((sqlite3_extended_errcode(store->db) & 0xff) ==
		    SQLITE_READONLY)
			r = read_only_here(path, err);
		goto fail;
	}
	/* Statement and savepoint journals in memory (they only serve to
	 * undo part of a transaction, never to survive a crash), not a write
	 * to a temporary file for each page. */
	if ((r = tl_db_exec(store, "PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON;"
	    "PRAGMA temp_store = MEMORY;", err)) != TL_OK)
		goto fail;
	if (flags & TL_STORE_MANUAL_CHECKPOINT)
		sqlite3_wal_autocheckpoint(store->db, 0);
	if (!(flags & TL_STORE_READONLY) && (r = migrate(store, err)) != TL_OK)
		goto fail;
	/* Mark the file teller's (a database made before teller did has
	 * application_id 0), so that teller knows its own files. */
	if (!(flags & TL_STORE_READONLY) && !marked &&
	    (r = tl_db_exec(store, "PRAGMA application_id = "
	    TL_STORE_APPLICATION_ID_TEXT, err)) != TL_OK)
		goto fail;
	*out = store;
	return TL_OK;
 fail:
	tl_store_close(store);
	return r;
}

int
tl_store_checkpoint(struct tl_store *store, int *wal_frames, int *copied,
    struct tl_error *err)
{
	int log = 0, done = 0;

	if (sqlite3_wal_checkpoint_v2(store->db, NULL,
	    SQLITE_CHECKPOINT_PASSIVE, &log, &done) != SQLITE_OK)
		return tl_db_error(store, err, "cannot checkpoint the WAL");
	if (wal_frames != NULL)
		*wal_frames = log;
	if (copied != NULL)
		*copied = done;
	return TL_OK;
}

void
tl_store_close(struct tl_store *store)
{
	if (store == NULL)
		return;
	for (size_t i = 0; i < store->nstmts; i++)
		sqlite3_finalize(store->stmts[i].stmt);
	for (size_t i = 0; i < store->nmanifests; i++) {
		free(store->manifests[i].election_id);
		tl_manifest_free(store->manifests[i].manifest);
	}
	free(store->manifests);
	for (size_t i = 0; i < store->ncredential_keys; i++) {
		struct tl_db_cached_credential_keys *c =
		    &store->credential_keys[i];

		for (size_t k = 0; c->private_keys != NULL &&
		    k < c->keys->nclasses; k++)
			tl_blindrsa_key_free(c->private_keys[k]);
		free(c->private_keys);
		free(c->election_id);
		tl_credential_keys_free(c->keys);
	}
	free(store->credential_keys);
	sqlite3_close_v2(store->db);
	free(store->path);
	free(store->key_file);
	free(store->passphrase_file);
	tl_wipe(store->secret_key, sizeof(store->secret_key));
	free(store);
}

/* --- files beside the database ------------------------------------------ */

/*
 * The absolute form of path, whose last component need not exist yet:
 * the real path of its directory and its own name.  NULL if the
 * directory cannot be resolved (errno says why).
 */
static char *
absolute_path(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir, *real, *out = NULL;

	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return NULL;
	real = realpath(dir, NULL);
	free(dir);
	if (real == NULL)
		return NULL;
	if (asprintf(&out, "%s/%s", strcmp(real, "/") == 0 ? "" : real,
	    slash != NULL ? slash + 1 : path) < 0)
		out = NULL;
	free(real);
	return out;
}

/* fsync of a file or directory by name. */
static int
sync_path(const char *path, int flags, struct tl_error *err)
{
	int fd = open(path, flags | O_CLOEXEC), r = TL_OK;

	if (fd < 0 || fsync(fd) != 0)
		r = tl_error_set(err, TL_EIO, "%s: cannot sync: %s", path,
		    strerror(errno));
	if (fd >= 0)
		close(fd);
	return r;
}

/* Makes a rename into path's directory durable. */
static int
sync_parent(const char *path, struct tl_error *err)
{
	char *abs = absolute_path(path), *slash;
	int r;

	if (abs == NULL || (slash = strrchr(abs, '/')) == NULL) {
		free(abs);
		return tl_error_set(err, TL_EIO, "%s: %s", path,
		    strerror(errno));
	}
	slash[slash == abs ? 1 : 0] = '\0';
	r = sync_path(abs, O_RDONLY | O_DIRECTORY, err);
	free(abs);
	return r;
}

/* --- the authority key ---------------------------------------------------- */

int
tl_store_set_key_source(struct tl_store *store, const char *key_file,
    const char *passphrase_file, struct tl_error *err)
{
	char *k = NULL, *p = NULL;

	if ((key_file != NULL && (k = strdup(key_file)) == NULL) ||
	    (passphrase_file != NULL && (p = strdup(passphrase_file)) ==
	    NULL)) {
		free(k);
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	free(store->key_file);
	free(store->passphrase_file);
	store->key_file = k;
	store->passphrase_file = p;
	return TL_OK;
}

/* The passphrase in the store's passphrase file (*out NULL if it has
 * none): the file's bytes without the line end an editor or echo adds.
 * The caller wipes and frees it. */
static int
read_passphrase(struct tl_store *store, char **out, size_t *len,
    struct tl_error *err)
{
	char *text = NULL;
	size_t n = 0;
	int r;

	*out = NULL;
	*len = 0;
	if (store->passphrase_file == NULL)
		return TL_OK;
	if ((r = tl_read_private_file(store->passphrase_file, 4096, &text, &n,
	    err)) != TL_OK)
		return tl_error_prefix(err, "the passphrase file");
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		text[--n] = '\0';
	if (n == 0 || memchr(text, '\0', n) != NULL) {
		tl_wipe_free(text);
		return tl_error_set(err, TL_EINPUT, "%s: %s",
		    store->passphrase_file, n == 0 ? "the passphrase is empty" :
		    "the passphrase holds a NUL byte");
	}
	*out = text;
	*len = n;
	return TL_OK;
}

/* Writes key to the store's key file (new, mode 0600, encrypted under the
 * passphrase if there is one, synced with its directory); *path gets the
 * file's absolute path, for the database to record. */
static int
write_key_file(struct tl_store *store, const struct tl_key *key, char **path,
    struct tl_error *err)
{
	char *pass = NULL;
	size_t passlen = 0;
	int r;

	if ((r = read_passphrase(store, &pass, &passlen, err)) != TL_OK)
		return r;
	if ((*path = absolute_path(store->key_file)) == NULL) {
		r = tl_error_set(err, tl_file_error_code(errno), "%s: cannot "
		    "create the key file there: %s", store->key_file,
		    strerror(errno));
		goto out;
	}
	if ((r = tl_key_write_private_encrypted(key, *path, pass, passlen,
	    err)) != TL_OK || (r = sync_parent(*path, err)) != TL_OK) {
		free(*path);
		*path = NULL;
	}
 out:
	tl_wipe_free(pass);
	return r;
}

int
tl_store_init_authority(struct tl_store *store, int64_t now,
    struct tl_error *err)
{
	struct tl_key *key = NULL;
	sqlite3_stmt *stmt = NULL;
	char *pem = NULL, *file = NULL;
	char pub[TL_PUBLIC_B64_LEN + 1], keyid[TL_KEYID_LEN + 1];
	int r, wrote = 0;

	if ((r = tl_db_begin(store, err)) != TL_OK)
		return r;
	if ((r = tl_db_prepare(store, "SELECT 1 FROM authority", &stmt, err)) !=
	    TL_OK)
		goto out;
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		r = tl_error_set(err, TL_EEXISTS,
		    "%s: already initialised (it has an authority key)",
		    store->path);
		goto out;
	}
	sqlite3_finalize(stmt);
	stmt = NULL;
	if ((r = tl_key_generate(&key, err)) != TL_OK)
		goto out;
	/* In a file of its own, written before the row that names it is
	 * committed; or in the row. */
	if (store->key_file != NULL) {
		if ((r = write_key_file(store, key, &file, err)) != TL_OK)
			goto out;
		wrote = 1;
	} else if ((r = tl_key_private_pem(key, &pem, err)) != TL_OK)
		goto out;
	tl_key_public_base64(key, pub);
	tl_key_id(key, keyid);
	if ((r = tl_db_prepare(store, "INSERT INTO authority (id, private_key, "
	    "key_file, public_key, key_id, created_at) VALUES (1, ?, ?, ?, ?, "
	    "?)", &stmt, err)) != TL_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, pem, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, file, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, pub, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, keyid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, now);
	if ((r = tl_db_step_done(store, stmt, err, "cannot store the "
	    "authority key")) != TL_OK)
		goto out;
	sqlite3_finalize(stmt);
	stmt = NULL;
	r = tl_db_commit(store, err);
 out:
	sqlite3_finalize(stmt);
	if (r != TL_OK) {
		tl_db_rollback(store);
		if (wrote)
			unlink(file);
	}
	free(file);
	tl_wipe_free(pem);
	tl_key_free(key);
	return r;
}

/* The authority's row: its PEM (if kept in the database), the file it is
 * kept in otherwise, its key id.  The caller frees the strings. */
static int
authority_row(struct tl_store *store, char **pem, char **file,
    char keyid[TL_KEYID_LEN + 1], struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r, ok = 1;

	if ((r = tl_db_prepare(store, "SELECT private_key, key_file, key_id "
	    "FROM authority WHERE id = 1", &stmt, err)) != TL_OK)
		return r;
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		sqlite3_finalize(stmt);
		return tl_error_set(err, TL_ENOTFOUND,
		    "%s: no authority key; run 'teller init' first",
		    store->path);
	}
	*pem = tl_db_column_strdup(stmt, 0, &ok);
	*file = tl_db_column_strdup(stmt, 1, &ok);
	snprintf(keyid, TL_KEYID_LEN + 1, "%s",
	    (const char *)sqlite3_column_text(stmt, 2));
	sqlite3_finalize(stmt);
	if (!ok) {
		tl_wipe_free(*pem);
		free(*file);
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	return TL_OK;
}

int
tl_store_authority(struct tl_store *store, struct tl_key **out,
    struct tl_error *err)
{
	struct tl_key *key = NULL;
	char *pem = NULL, *file = NULL, *pass = NULL;
	char keyid[TL_KEYID_LEN + 1], got[TL_KEYID_LEN + 1];
	const char *path;
	size_t passlen = 0;
	int r;

	if ((r = authority_row(store, &pem, &file, keyid, err)) != TL_OK)
		return r;
	if (pem != NULL) {
		if (store->key_file != NULL) {
			r = tl_error_set(err, TL_EUSAGE, "%s keeps its authority "
			    "key inside; a key file (--key-file, "
			    "$TELLER_KEY_FILE) is for a database made with "
			    "'teller init --key-file'", store->path);
			goto out;
		}
		r = tl_key_from_private_pem(pem, strlen(pem), &key, err);
		goto done;
	}
	path = store->key_file != NULL ? store->key_file : file;
	if ((r = read_passphrase(store, &pass, &passlen, err)) != TL_OK ||
	    (r = tl_key_load_private_encrypted(path, pass, passlen, &key,
	    err)) != TL_OK) {
		tl_error_prefix(err, "the authority key of %s", store->path);
		goto out;
	}
	tl_key_id(key, got);
	if (strcmp(got, keyid) != 0) {
		r = tl_error_set(err, TL_EINPUT, "%s holds key %.16s..., not the "
		    "authority key of %s (%.16s...)", path, got, store->path,
		    keyid);
		goto out;
	}
 done:
	if (r == TL_OK) {
		*out = key;
		key = NULL;
	}
 out:
	tl_key_free(key);
	tl_wipe_free(pem);
	tl_wipe_free(pass);
	free(file);
	return r;
}

int
tl_store_authority_public(struct tl_store *store, struct tl_key **out,
    struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_prepare(store, "SELECT public_key FROM authority "
	    "WHERE id = 1", &stmt, err)) != TL_OK)
		return r;
	if (sqlite3_step(stmt) != SQLITE_ROW)
		r = tl_error_set(err, TL_ENOTFOUND, "%s: no authority key; run "
		    "'teller init' first", store->path);
	else
		r = tl_key_from_public_base64((const char *)
		    sqlite3_column_text(stmt, 0), out, err);
	sqlite3_finalize(stmt);
	return r;
}

int
tl_store_authority_file(struct tl_store *store, char **path,
    struct tl_error *err)
{
	char *pem = NULL, keyid[TL_KEYID_LEN + 1];
	int r;

	*path = NULL;
	r = authority_row(store, &pem, path, keyid, err);
	tl_wipe_free(pem);
	return r;
}

/* --- secrets at rest ----------------------------------------------------- */

#define SECRET_PREFIX "v1."
#define SECRET_INFO "teller/v1/secret-at-rest"

/* The key that seals secrets, derived from the authority key once per
 * connection. */
static int
secret_key(struct tl_store *store, struct tl_error *err)
{
	struct tl_key *authority = NULL;
	int r;

	if (store->has_secret_key)
		return TL_OK;
	if ((r = tl_store_authority(store, &authority, err)) != TL_OK)
		return r;
	r = tl_key_derive(authority, SECRET_INFO, store->secret_key, err);
	tl_key_free(authority);
	if (r == TL_OK)
		store->has_secret_key = 1;
	return r;
}

int
tl_db_seal_secret(struct tl_store *store, const void *aad, size_t aadlen,
    const void *secret, size_t len, char **sealed, struct tl_error *err)
{
	uint8_t *box = NULL;
	char *b64 = NULL;
	size_t boxlen;
	int r;

	if (len > TL_AES_GCM_MAX)
		return tl_error_set(err, TL_ETOOBIG, "a secret too large to seal");
	if ((r = secret_key(store, err)) != TL_OK)
		return r;
	boxlen = TL_AES_GCM_NONCE_LEN + len + TL_AES_GCM_TAG_LEN;
	if ((box = malloc(boxlen)) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	if ((r = tl_random_bytes(box, TL_AES_GCM_NONCE_LEN)) != TL_OK ||
	    (r = tl_aes_gcm_seal(store->secret_key, sizeof(store->secret_key),
	    box, aad, aadlen, secret, len, box + TL_AES_GCM_NONCE_LEN)) !=
	    TL_OK) {
		tl_error_set(err, r, "cannot seal a secret");
		goto out;
	}
	if ((r = tl_base64_encode(box, boxlen, &b64)) != TL_OK ||
	    (*sealed = malloc(strlen(SECRET_PREFIX) + strlen(b64) + 1)) ==
	    NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	snprintf(*sealed, strlen(SECRET_PREFIX) + strlen(b64) + 1, "%s%s",
	    SECRET_PREFIX, b64);
 out:
	free(box);
	free(b64);
	return r;
}

int
tl_db_open_secret(struct tl_store *store, const void *aad, size_t aadlen,
    const char *sealed, uint8_t **secret, size_t *len, struct tl_error *err)
{
	const size_t prefix = strlen(SECRET_PREFIX);
	uint8_t *box = NULL, *plain = NULL;
	size_t boxlen = 0;
	int r;

	if (strncmp(sealed, SECRET_PREFIX, prefix) != 0 ||
	    tl_base64_decode(sealed + prefix, strlen(sealed + prefix), &box,
	    &boxlen) != TL_OK ||
	    boxlen < TL_AES_GCM_NONCE_LEN + TL_AES_GCM_TAG_LEN) {
		r = tl_error_set(err, TL_EINPUT, "%s: a secret in the database "
		    "is not sealed text", store->path);
		goto out;
	}
	if ((r = secret_key(store, err)) != TL_OK)
		goto out;
	if ((plain = malloc(boxlen - TL_AES_GCM_NONCE_LEN -
	    TL_AES_GCM_TAG_LEN + 1)) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	if (tl_aes_gcm_open(store->secret_key, sizeof(store->secret_key), box,
	    aad, aadlen, box + TL_AES_GCM_NONCE_LEN,
	    boxlen - TL_AES_GCM_NONCE_LEN, plain) != TL_OK) {
		r = tl_error_set(err, TL_EDECRYPT, "%s: a secret in the "
		    "database does not open under this authority key (another "
		    "key, or it was altered or moved)", store->path);
		goto out;
	}
	*len = boxlen - TL_AES_GCM_NONCE_LEN - TL_AES_GCM_TAG_LEN;
	plain[*len] = '\0';
	*secret = plain;
	plain = NULL;
	r = TL_OK;
 out:
	free(box);
	free(plain);
	return r;
}

/* --- a secret election's credential class keys ------------------------ */

/*
 * A class key's private half is kept as a secret at rest
 * (tl_db_seal_secret): its PKCS#8 PEM sealed under the authority key,
 * the associated data naming its row ("credential_keys", the election,
 * the constituency and the weight in decimal, each followed by a zero
 * byte), so that a sealed key moved to another class's row does not
 * open.
 */
static int
class_key_place(const char *election, const char *constituency,
    int64_t weight, char **out, size_t *len, struct tl_error *err)
{
	static const char table[] = "credential_keys";
	char w[24];
	size_t lt = sizeof(table), le = strlen(election) + 1,
	    lc = strlen(constituency) + 1, lw;

	lw = (size_t)snprintf(w, sizeof(w), "%lld", (long long)weight) + 1;
	*len = lt + le + lc + lw;
	if ((*out = malloc(*len)) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	memcpy(*out, table, lt);
	memcpy(*out + lt, election, le);
	memcpy(*out + lt + le, constituency, lc);
	memcpy(*out + lt + le + lc, w, lw);
	return TL_OK;
}

int
tl_store_credential_key_put(struct tl_store *store, const char *election,
    const char *constituency, int64_t weight, int position,
    const struct tl_blindrsa_key *key, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	uint8_t *der = NULL;
	char *pem = NULL, *place = NULL, *sealed = NULL;
	size_t der_len = 0, place_len = 0;
	int r;

	if (!store->in_transaction)
		return tl_error_set(err, TL_EINTERNAL, "a class key stored "
		    "outside a transaction");
	if ((r = tl_blindrsa_key_public_der(key, &der, &der_len, err)) !=
	    TL_OK ||
	    (r = tl_blindrsa_key_private_pem(key, &pem, err)) != TL_OK ||
	    (r = class_key_place(election, constituency, weight, &place,
	    &place_len, err)) != TL_OK ||
	    (r = tl_db_seal_secret(store, place, place_len, pem, strlen(pem),
	    &sealed, err)) != TL_OK ||
	    (r = tl_db_prepare(store, "INSERT INTO credential_keys "
	    "(election_id, constituency_id, weight, position, public_key, "
	    "sealed_private_key) VALUES (?, ?, ?, ?, ?, ?)", &stmt, err)) !=
	    TL_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, election, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, constituency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, weight);
	sqlite3_bind_int(stmt, 4, position);
	sqlite3_bind_blob(stmt, 5, der, (int)der_len, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, sealed, -1, SQLITE_STATIC);
	r = tl_db_step_done(store, stmt, err, "cannot store a class key");
 out:
	sqlite3_finalize(stmt);
	free(der);
	free(place);
	free(sealed);
	tl_wipe_free(pem);
	return r;
}

int
tl_store_credential_key_get(struct tl_store *store, const char *election,
    const char *constituency, int64_t weight, struct tl_blindrsa_key **out,
    struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	uint8_t *pem = NULL;
	char *place = NULL;
	size_t pem_len = 0, place_len = 0;
	int r;

	if ((r = tl_db_prepare(store, "SELECT sealed_private_key FROM "
	    "credential_keys WHERE election_id = ? AND constituency_id = ? AND "
	    "weight = ?", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, election, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, constituency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, weight);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		if ((r = class_key_place(election, constituency, weight, &place,
		    &place_len, err)) != TL_OK ||
		    (r = tl_db_open_secret(store, place, place_len,
		    (const char *)sqlite3_column_text(stmt, 0), &pem, &pem_len,
		    err)) != TL_OK)
			break;
		r = tl_blindrsa_key_from_private_pem((const char *)pem, pem_len,
		    out, err);
		break;
	case SQLITE_DONE:
		r = tl_error_set(err, TL_ENOTFOUND, "election %s has no "
		    "credential key for class (%s, weight %lld)", election,
		    constituency, (long long)weight);
		break;
	default:
		r = tl_db_error(store, err, "cannot read a class key");
	}
	sqlite3_finalize(stmt);
	free(place);
	if (pem != NULL) {
		tl_wipe(pem, pem_len);
		free(pem);
	}
	return r;
}

/* --- backups ----------------------------------------------------------- */

/* Refuses a backup path that is the database or one of SQLite's files
 * beside it, or that exists and is not a regular file. */
static int
check_backup_path(struct tl_store *store, const char *path,
    struct tl_error *err)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	struct stat st;
	char *target = NULL, *db = NULL;
	int r = TL_OK;

	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return tl_error_set(err, TL_EINPUT, "%s: not a regular file; "
		    "back up to a new path or over an older backup", path);
	if ((target = absolute_path(path)) == NULL) {
		r = tl_error_set(err, tl_file_error_code(errno), "%s: cannot "
		    "write there: %s", path, strerror(errno));
		goto out;
	}
	if ((db = absolute_path(store->path)) == NULL) {
		r = tl_error_set(err, TL_EIO, "%s: %s", store->path,
		    strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t n = strlen(db);

		if (strncmp(target, db, n) == 0 &&
		    strcmp(target + n, suffixes[i]) == 0) {
			r = tl_error_set(err, TL_EUSAGE, "%s is the database "
			    "itself%s; back up to another file", path,
			    *suffixes[i] != '\0' ? " (one of SQLite's files "
			    "beside it)" : "");
			goto out;
		}
	}
 out:
	free(target);
	free(db);
	return r;
}

/* Copies store into the open database dest, in one step (one snapshot
 * of the source), retrying while the source is locked. */
static int
backup_copy(struct tl_store *store, sqlite3 *dest, int64_t *pages,
    struct tl_error *err)
{
	sqlite3_backup *b;
	int rc, tries = 0;

	if ((b = sqlite3_backup_init(dest, "main", store->db, "main")) == NULL)
		return tl_error_set(err, TL_EDB, "cannot start the backup: %s",
		    sqlite3_errmsg(dest));
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY ||
	    rc == SQLITE_LOCKED) {
		if (++tries > 600)
			break;
		sqlite3_sleep(50);
	}
	*pages = sqlite3_backup_pagecount(b);
	if (sqlite3_backup_finish(b) != SQLITE_OK || rc != SQLITE_DONE)
		return tl_error_set(err, TL_EDB, "%s: the backup failed: %s",
		    store->path, rc == SQLITE_BUSY || rc == SQLITE_LOCKED ?
		    "the database stayed locked for 30 s" :
		    sqlite3_errmsg(dest));
	return TL_OK;
}

/* The one value of a pragma on dest, as text (NULL on failure), and as
 * a number. */
static char *
dest_pragma(sqlite3 *dest, const char *sql, int *number)
{
	sqlite3_stmt *stmt = NULL;
	char *value = NULL;

	if (sqlite3_prepare_v2(dest, sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW &&
	    sqlite3_column_text(stmt, 0) != NULL) {
		value = strdup((const char *)sqlite3_column_text(stmt, 0));
		if (number != NULL)
			*number = sqlite3_column_int(stmt, 0);
	}
	sqlite3_finalize(stmt);
	return value;
}

int
tl_store_backup(struct tl_store *store, const char *path,
    struct tl_store_backup_info *info, struct tl_error *err)
{
	struct tl_store_backup_info got = {0, 0, 0};
	sqlite3 *dest = NULL;
	struct stat st;
	char *tmp = NULL, *check = NULL, *version = NULL;
	int fd, r;

	if ((r = check_backup_path(store, path, err)) != TL_OK)
		return r;
	if (asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	/* Made 0600 by mkstemp: the copy may hold the authority key. */
	if ((fd = mkstemp(tmp)) < 0) {
		r = tl_error_set(err, tl_file_error_code(errno), "%s: cannot "
		    "create the copy: %s", path, strerror(errno));
		free(tmp);
		return r;
	}
	close(fd);
	if (sqlite3_open_v2(tmp, &dest, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		r = tl_error_set(err, TL_EDB, "%s: %s", tmp, dest != NULL ?
		    sqlite3_errmsg(dest) : "out of memory");
		goto fail;
	}
	if ((r = backup_copy(store, dest, &got.pages, err)) != TL_OK)
		goto fail;
	/* The copy, read back through SQLite: whole and well formed. */
	check = dest_pragma(dest, "PRAGMA integrity_check", NULL);
	version = dest_pragma(dest, "PRAGMA user_version",
	    &got.schema_version);
	if (check == NULL || strcmp(check, "ok") != 0) {
		r = tl_error_set(err, TL_EDB, "%s: the copy fails SQLite's "
		    "integrity check: %s", path, check != NULL ? check :
		    sqlite3_errmsg(dest));
		goto fail;
	}
	if (sqlite3_close(dest) != SQLITE_OK) {
		r = tl_error_set(err, TL_EDB, "%s: cannot close the copy: %s",
		    tmp, sqlite3_errmsg(dest));
		dest = NULL;
		goto fail;
	}
	dest = NULL;
	if ((r = sync_path(tmp, O_RDONLY, err)) != TL_OK)
		goto fail;
	if (stat(tmp, &st) == 0)
		got.bytes = (int64_t)st.st_size;
	if (rename(tmp, path) != 0) {
		r = tl_error_set(err, TL_EIO, "%s: cannot rename the copy into "
		    "place: %s", path, strerror(errno));
		goto fail;
	}
	/* The rename, durable. */
	if ((r = sync_parent(path, err)) != TL_OK)
		goto out;
	if (info != NULL)
		*info = got;
	r = TL_OK;
	goto out;
 fail:
	sqlite3_close(dest);
	unlink(tmp);
 out:
	free(check);
	free(version);
	free(tmp);
	return r;
}
