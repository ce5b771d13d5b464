/*
 * helpers.h: what the unit tests share: temporary directories, a fresh
 * database with an authority, a small election, voter keys.
 */
#ifndef TELLER_TEST_HELPERS_H
#define TELLER_TEST_HELPERS_H

#include <stddef.h>
#include <stdint.h>

#include <check.h>

#include "teller/crypto.h"
#include "teller/store.h"

/* Runs a suite and returns the process's exit status. */
int th_run(Suite *suite);

/* A new empty temporary directory (caller frees; removed by rm_rf). */
char *th_tmpdir(void);
/* Removes a directory tree. */
void th_rm_rf(const char *path);
/* path/name in a static buffer (valid until the next call). */
const char *th_path(const char *dir, const char *name);
/* Writes a file. */
void th_write(const char *path, const char *text);

/* A fresh database in dir with an authority key. */
struct tl_store *th_store(const char *dir);

/* Number of rows of a table (or of a query "SELECT COUNT(*) ...").  */
int64_t th_count(struct tl_store *store, const char *sql);

/* A fixed time: 2026-11-22T10:00:00Z, and the end of the test
 * manifest's window (2026-11-23T00:00:00Z). */
#define TH_NOW INT64_C(1795341600)
#define TH_CLOSES (TH_NOW + 14 * 3600)

/*
 * The test election "e1": constituencies "a" (contests "plu": plurality,
 * 2 seats, candidates x, y, z; "app": approval, candidates x, y, z) and
 * "b" (contest "ref": referendum, majority).  Opens 2026-11-22T00:00:00Z,
 * closes 2026-11-23T00:00:00Z.  revote is "last" unless first is set.
 */
const char *th_manifest_json(int first);

/* n voter keys; th_roll_csv writes a roll of voters a1..a{na} (weights
 * 1, 2, 3, ...) and b1..b{nb} with those keys in order. */
struct tl_key **th_keys(size_t n);
void th_keys_free(struct tl_key **keys, size_t n);
char *th_roll_csv(struct tl_key **keys, size_t na, size_t nb);

/* Creates election e1 (th_manifest_json(first)) in store with the roll of
 * th_roll_csv(keys, na, nb), opens it at TH_NOW, and puts its manifest
 * hash in hash. */
void th_open_election(struct tl_store *store, int first, struct tl_key **keys,
    size_t na, size_t nb, char hash[65]);

/* Signs a ballot payload for election e1 with key; returns the envelope
 * text (caller frees). */
char *th_sign_ballot(struct tl_key *key, const char *payload);

#endif
