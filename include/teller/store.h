/*
 * teller/store.h: the SQLite database that holds elections, rolls, ballots,
 * the log and results.
 *
 * One database file, in WAL mode with synchronous=FULL and foreign keys on;
 * its schema version is PRAGMA user_version and forward migrations bring an
 * older file up to date when it is opened.  The file is created with mode
 * 0600: it holds the authority's private key, unless that is kept in a
 * file of its own (tl_store_set_key_source).
 *
 * A struct tl_store is one connection; it may be used by one thread at a
 * time.  Open one per thread to work in parallel.
 */
#ifndef TELLER_STORE_H
#define TELLER_STORE_H

#include <stdint.h>

#include "teller/blindrsa.h"
#include "teller/crypto.h"
#include "teller/error.h"

struct tl_store;

enum tl_store_flags {
	TL_STORE_CREATE = 1,   /* create the file if it does not exist */
	TL_STORE_READONLY = 2, /* open read-only (observers' queries) */
	/* No WAL checkpoint at the end of a commit: someone else runs
	 * tl_store_checkpoint (a server's writer leaves it to a background
	 * thread, so that a commit never waits for one). */
	TL_STORE_MANUAL_CHECKPOINT = 4,
};

/*
 * SQLite's application_id of a teller database ("tell"): set when a
 * database is created or first opened to write (one made before teller set
 * it is known by its schema and its authority table).
 */
#define TL_STORE_APPLICATION_ID 0x74656c6c
#define TL_STORE_APPLICATION_ID_TEXT "1952803948"

/*
 * Opens the database at path and, unless TL_STORE_READONLY, migrates it
 * to the current schema; migrations run only on a connection that
 * writes.  Nothing is written before the file is known to be a teller
 * database: another program's file (or a newer schema) is refused with
 * TL_EINPUT; TL_ENOTFOUND if path does not exist, or is empty, and
 * TL_STORE_CREATE is not given.
 *
 * TL_STORE_CREATE (teller init) creates the file with mode 0600, or takes
 * an empty file or a teller database that is there, first making it (and
 * its -wal and -shm files) mode 0600, since the authority's private key
 * is about to be written into it.
 *
 * TL_STORE_READONLY opens it read-only (mode=ro): the commands of
 * observers and auditors and the server's readers, which work on a file,
 * directory or mount they cannot write.  In a directory where SQLite
 * cannot make the -shm file and there is no -wal file, nothing can be
 * writing the database, and it is read as immutable.  It never migrates:
 * an older schema is read as it is (a query of what a later migration
 * added fails, TL_EDB), and one too old for that is refused (TL_ESTATE);
 * a connection that writes upgrades it.
 */
int tl_store_open(const char *path, int flags, struct tl_store **out,
    struct tl_error *err);

void tl_store_close(struct tl_store *store);

/* A passive checkpoint: copies what it can of the write-ahead log into the
 * database file without waiting for readers or writers.  *wal_frames and
 * *copied (optional) get the frames in the WAL and those now copied. */
int tl_store_checkpoint(struct tl_store *store, int *wal_frames,
    int *copied, struct tl_error *err);

/* What tl_store_backup copied. */
struct tl_store_backup_info {
	int64_t pages;          /* database pages copied */
	int64_t bytes;          /* the copy's size */
	int schema_version;     /* the copy's PRAGMA user_version */
};

/*
 * Copies the database, as one consistent snapshot, to a new file at path
 * (SQLite's online backup API, in one step: the copy is the database as
 * of one read transaction, while writers on other connections go on).
 * The copy is written to a temporary file beside path, made durable,
 * checked (PRAGMA integrity_check), and only then renamed onto path, with
 * mode 0600 (it may hold the authority's private key); an existing file at
 * path is replaced only by a complete, checked copy.  path must not be the
 * database itself.  info (optional) says what was copied.
 */
int tl_store_backup(struct tl_store *store, const char *path,
    struct tl_store_backup_info *info, struct tl_error *err);

/* The schema version this build writes. */
int tl_store_schema_version(void);

/*
 * The authority key is kept either in the database (the default) or, so
 * that a copy of the database cannot sign, in a file of its own (PKCS#8
 * PEM, mode 0600, optionally encrypted under a passphrase: crypto.h),
 * whose absolute path the database records.
 *
 * tl_store_set_key_source: key_file is, for tl_store_init_authority, where
 * to write the new key (NULL: in the database), and afterwards a file to
 * read it from instead of the recorded one (the key moved, or systemd
 * handed it over as a credential); passphrase_file is a file (mode 0600)
 * whose content, without a final line end, is the passphrase that
 * encrypts the new key or decrypts the key file.  Both are copied; read
 * only when the key is needed.
 */
int tl_store_set_key_source(struct tl_store *store, const char *key_file,
    const char *passphrase_file, struct tl_error *err);

/* Creates the authority key (teller init), in the key file of
 * tl_store_set_key_source if there is one.  TL_EEXISTS if the database has
 * an authority already or the key file exists. */
int tl_store_init_authority(struct tl_store *store, int64_t now,
    struct tl_error *err);

/* The authority's key pair (caller frees).  TL_ENOTFOUND before init.
 * From a key file: TL_EINPUT if it is encrypted and no passphrase is
 * given, the passphrase is wrong, or it holds another key than the one
 * the database records; TL_EKEYPERM if others can read it; TL_EUSAGE if a
 * key file is given for a database that keeps its key inside. */
int tl_store_authority(struct tl_store *store, struct tl_key **out,
    struct tl_error *err);

/* The authority's public key only, from the database (caller frees): for
 * what names the authority without signing.  TL_ENOTFOUND before init. */
int tl_store_authority_public(struct tl_store *store, struct tl_key **out,
    struct tl_error *err);

/* The absolute path of the authority's key file (caller frees), or NULL
 * in *path if the database keeps the key inside. */
int tl_store_authority_file(struct tl_store *store, char **path,
    struct tl_error *err);

/*
 * A secret election's credential class keys (credkeys.h): the private key
 * of class (constituency, weight), position-th in the election's order of
 * classes.  These two functions are the only way they go in and out of
 * the database: sealed under the authority key as secrets at rest (see
 * store_internal.h), so that they are exactly as safe as that key (with it
 * in a file, teller init --key-file, a copy of the database alone cannot
 * issue a credential).  put runs inside the caller's write transaction;
 * get gives a key the caller frees (TL_ENOTFOUND if there is none,
 * TL_EDECRYPT if it does not open under this database's authority key,
 * or whatever reading the authority key gives).
 */
int tl_store_credential_key_put(struct tl_store *store, const char *election,
    const char *constituency, int64_t weight, int position,
    const struct tl_blindrsa_key *key, struct tl_error *err);
int tl_store_credential_key_get(struct tl_store *store, const char *election,
    const char *constituency, int64_t weight, struct tl_blindrsa_key **out,
    struct tl_error *err);

#endif
