/*
 * helpers.c: shared fixtures of the unit tests: temporary directories, a
 * real database with an authority key, a small election with real keys.
 */
#include <config.h>

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "store_internal.h"
#include "teller/election.h"
#include "teller/envelope.h"
#include "teller/util.h"

int
th_run(Suite *suite)
{
	SRunner *sr = srunner_create(suite);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

char *
th_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	if (asprintf(&dir, "%s/teller-test-XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp") < 0)
		ck_abort_msg("out of memory");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	return dir;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void
th_rm_rf(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *
th_path(const char *dir, const char *name)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	return buf;
}

void
th_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

struct tl_store *
th_store(const char *dir)
{
	struct tl_store *store = NULL;
	struct tl_error err;

	ck_assert_int_eq(tl_store_open(th_path(dir, "teller.db"),
	    TL_STORE_CREATE, &store, &err), TL_OK);
	ck_assert_int_eq(tl_store_init_authority(store, TH_NOW, &err), TL_OK);
	return store;
}

int64_t
th_count(struct tl_store *store, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	char query[512];
	int64_t n;

	if (strncmp(sql, "SELECT", 6) == 0)
		snprintf(query, sizeof(query), "%s", sql);
	else
		snprintf(query, sizeof(query), "SELECT COUNT(*) FROM %s", sql);
	ck_assert_int_eq(sqlite3_prepare_v2(store->db, query, -1, &stmt, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return n;
}

const char *
th_manifest_json(int first)
{
	static char text[2048];

	snprintf(text, sizeof(text),
	    "{\"id\": \"e1\", \"title\": \"Test election\", \"revote\": \"%s\","
	    " \"opens\": \"2026-11-22T00:00:00Z\","
	    " \"closes\": \"2026-11-23T00:00:00Z\","
	    " \"constituencies\": [{\"id\": \"a\", \"name\": \"Group A\"},"
	    "   {\"id\": \"b\", \"name\": \"Group B\"}],"
	    " \"contests\": ["
	    "  {\"id\": \"plu\", \"title\": \"Plurality\", \"constituency\": \"a\","
	    "   \"seats\": 2, \"method\": \"plurality\", \"candidates\": ["
	    "   {\"id\": \"x\", \"name\": \"Xavier\"}, {\"id\": \"y\", \"name\": \"Yolanda\"},"
	    "   {\"id\": \"z\", \"name\": \"Zed\"}]},"
	    "  {\"id\": \"app\", \"title\": \"Approval\", \"constituency\": \"a\","
	    "   \"method\": \"approval\", \"candidates\": ["
	    "   {\"id\": \"x\", \"name\": \"Xavier\"}, {\"id\": \"y\", \"name\": \"Yolanda\"},"
	    "   {\"id\": \"z\", \"name\": \"Zed\"}]},"
	    "  {\"id\": \"ref\", \"title\": \"Referendum\", \"constituency\": \"b\","
	    "   \"method\": \"referendum\", \"options\": {\"threshold\": \"majority\"}}],"
	    " \"random_sources\": [{\"name\": \"draw\"}]}", first ? "first" : "last");
	return text;
}

struct tl_key **
th_keys(size_t n)
{
	struct tl_key **keys = calloc(n, sizeof(*keys));

	ck_assert_ptr_nonnull(keys);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(tl_key_generate(&keys[i], NULL), TL_OK);
	return keys;
}

void
th_keys_free(struct tl_key **keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tl_key_free(keys[i]);
	free(keys);
}

char *
th_roll_csv(struct tl_key **keys, size_t na, size_t nb)
{
	struct tl_buf buf;
	char pub[TL_PUBLIC_B64_LEN + 1];

	tl_buf_init(&buf, 1 << 24);
	tl_buf_adds(&buf, "voter_id,name,constituency,weight,public_key\n");
	for (size_t i = 0; i < na + nb; i++) {
		tl_key_public_base64(keys[i], pub);
		if (i < na)
			tl_buf_addf(&buf, "a%zu,Voter A%zu,a,%zu,%s\n", i + 1, i + 1,
			    i + 1, pub);
		else
			tl_buf_addf(&buf, "b%zu,Voter B%zu,b,1,%s\n", i - na + 1,
			    i - na + 1, pub);
	}
	return tl_buf_take(&buf, NULL);
}

char *
th_sign_ballot(struct tl_key *key, const char *payload)
{
	struct tl_envelope *env = NULL;
	char *text = NULL;

	ck_assert_int_eq(tl_envelope_sign(TL_TYPE_BALLOT, payload,
	    strlen(payload), key, &env, NULL), TL_OK);
	ck_assert_int_eq(tl_envelope_serialize(env, &text, NULL, NULL), TL_OK);
	tl_envelope_free(env);
	return text;
}

void
th_open_election(struct tl_store *store, int first, struct tl_key **keys,
    size_t na, size_t nb, char hash[65])
{
	struct tl_error err;
	struct tl_manifest *m = NULL;
	const char *json = th_manifest_json(first);
	char *id = NULL, *csv = th_roll_csv(keys, na, nb);

	ck_assert_int_eq(tl_election_create(store, json, strlen(json), TH_NOW,
	    &id, &err), TL_OK);
	ck_assert_int_eq(tl_election_import_roll(store, "e1", csv, strlen(csv),
	    "roll.csv", NULL, &err), TL_OK);
	ck_assert_int_eq(tl_election_open(store, "e1", TH_NOW, &err), TL_OK);
	ck_assert_int_eq(tl_election_load(store, "e1", &m, hash, NULL, &err),
	    TL_OK);
	tl_manifest_free(m);
	free(id);
	free(csv);
}
