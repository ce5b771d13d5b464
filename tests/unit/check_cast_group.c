/*
 * check_cast_group.c: group commit of checked ballots (cast.h), as the
 * server's writer does it: several ballots in one transaction, one that
 * fails spoiling none of the others, one tree head per commit, receipts
 * made afterwards on another connection.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "teller/cast.h"
#include "teller/election.h"
#include "teller/log.h"
#include "teller/receipt.h"

#define NA 4
#define NB 2

static char *dir;
static struct tl_store *store;   /* the writer's connection */
static struct tl_store *reader;  /* a request thread's connection */
static struct tl_key **keys;
static struct tl_key *authority;
static char hash[TL_HASH_HEX_LEN + 1];

static void
setup_first(void)
{
	struct tl_error err;

	dir = th_tmpdir();
	store = th_store(dir);
	keys = th_keys(NA + NB);
	th_open_election(store, 1, keys, NA, NB, hash);
	ck_assert_int_eq(tl_store_authority(store, &authority, &err), TL_OK);
	ck_assert_int_eq(tl_store_open(th_path(dir, "teller.db"), 0, &reader,
	    &err), TL_OK);
}

static void
teardown(void)
{
	tl_store_close(reader);
	tl_store_close(store);
	tl_key_free(authority);
	th_keys_free(keys, NA + NB);
	th_rm_rf(dir);
	free(dir);
}

static char *
ballot(size_t key, const char *voter, int seq, const char *mark)
{
	char *payload = NULL, *env;

	ck_assert_int_ge(asprintf(&payload, "{\"election\":\"e1\",\"manifest\":"
	    "\"%s\",\"voter\":\"%s\",\"seq\":%d,\"selections\":[{\"contest\":"
	    "\"plu\",\"marks\":[\"%s\"]}]}", hash, voter, seq, mark), 0);
	env = th_sign_ballot(keys[key], payload);
	free(payload);
	return env;
}

/* Checks a ballot on the reader connection, as a request thread does. */
static struct tl_cast *
checked(const char *env)
{
	struct tl_error err;
	struct tl_cast *cast = NULL;

	ck_assert_msg(tl_cast_check(reader, env, strlen(env), TH_NOW, &cast,
	    &err) == TL_OK, "%s", err.message);
	return cast;
}

START_TEST(one_failure_spoils_nothing)
{
	struct tl_error err, errs[4];
	struct tl_cast *casts[4];
	char *envs[4];
	int64_t heads_before = th_count(store, "tree_heads");

	envs[0] = ballot(0, "a1", 1, "x");
	envs[1] = ballot(1, "a2", 1, "y");
	/* a1 again: both pass the check (nothing is stored yet), but the
	 * first-ballot policy refuses the second inside the transaction. */
	envs[2] = ballot(0, "a1", 2, "z");
	envs[3] = ballot(2, "a3", 1, "z");
	for (int i = 0; i < 4; i++)
		casts[i] = checked(envs[i]);
	ck_assert_int_eq(tl_cast_commit_group(store, casts, 4, TH_NOW,
	    authority, errs, &err), TL_OK);
	ck_assert_int_eq(errs[0].code, TL_OK);
	ck_assert_int_eq(errs[1].code, TL_OK);
	ck_assert_int_eq(errs[2].code, TL_EDUPLICATE);
	ck_assert_ptr_nonnull(strstr(errs[2].message, "already voted"));
	ck_assert_int_eq(errs[3].code, TL_OK);
	ck_assert_ptr_null(tl_cast_tree_head(casts[2]));
	/* Three ballots, their selections and log entries; one tree head. */
	ck_assert_int_eq(th_count(store, "ballots"), 3);
	ck_assert_int_eq(th_count(store, "selections"), 3);
	ck_assert_int_eq(th_count(store, "log"), 2 + 3);
	ck_assert_int_eq(th_count(store, "tree_heads"), heads_before + 1);
	ck_assert_int_eq(th_count(store, "SELECT COUNT(*) FROM ballots WHERE "
	    "voter_id = 'a1' AND seq = 2"), 0);
	/* Each stored ballot's receipt, made on the reader after the commit,
	 * checks and names that ballot in the tree of all five entries. */
	for (int i = 0; i < 4; i++) {
		struct tl_receipt *rc = NULL;
		char *receipt = NULL;

		if (i == 2)
			continue;
		ck_assert_int_eq(tl_cast_receipt(reader, casts[i],
		    tl_cast_tree_head(casts[i]), authority, &receipt, &err),
		    TL_OK);
		ck_assert_int_eq(tl_receipt_parse(receipt, strlen(receipt), &rc,
		    &err), TL_OK);
		ck_assert_int_eq(tl_receipt_check(rc, authority, &err), TL_OK);
		ck_assert_int_eq(tl_receipt_matches_ballot(rc, envs[i],
		    strlen(envs[i]), &err), TL_OK);
		ck_assert_uint_eq(rc->tree_head.size, 5);
		ck_assert_uint_eq(rc->leaf_index, i < 2 ? 2 + i : 4);
		tl_receipt_free(rc);
		free(receipt);
	}
	for (int i = 0; i < 4; i++) {
		tl_cast_free(casts[i]);
		free(envs[i]);
	}
}
END_TEST

START_TEST(all_refused_writes_nothing)
{
	struct tl_error err, errs[2];
	struct tl_cast *casts[2];
	char *envs[2];
	int64_t heads_before = th_count(store, "tree_heads");

	envs[0] = ballot(0, "a1", 1, "x");
	envs[1] = ballot(1, "a2", 1, "y");
	casts[0] = checked(envs[0]);
	casts[1] = checked(envs[1]);
	/* The election closes between the check and the commit. */
	ck_assert_int_eq(tl_election_close_early(store, "e1",
	    (const char *[]){"7"}, 1, "a test", TH_NOW, &err), TL_OK);
	heads_before = th_count(store, "tree_heads");
	ck_assert_int_eq(tl_cast_commit_group(store, casts, 2, TH_NOW,
	    authority, errs, &err), TL_OK);
	ck_assert_int_eq(errs[0].code, TL_ESTATE);
	ck_assert_int_eq(errs[1].code, TL_ESTATE);
	ck_assert_ptr_nonnull(strstr(errs[1].message, "closed"));
	ck_assert_int_eq(th_count(store, "ballots"), 0);
	ck_assert_int_eq(th_count(store, "log"), 3); /* manifest, roll, close */
	ck_assert_int_eq(th_count(store, "tree_heads"), heads_before);
	for (int i = 0; i < 2; i++) {
		tl_cast_free(casts[i]);
		free(envs[i]);
	}
}
END_TEST

START_TEST(groups_grow_one_log)
{
	struct tl_error err, errs[3];
	struct tl_cast *casts[3];
	char *envs[3], *head = NULL;
	struct tl_merkle_proof proof;
	struct tl_tree_head first, second;
	uint8_t root[TL_SHA256_LEN];

	/* Two groups in turn; the second tree head extends the first. */
	envs[0] = ballot(0, "a1", 1, "x");
	casts[0] = checked(envs[0]);
	ck_assert_int_eq(tl_cast_commit_group(store, casts, 1, TH_NOW,
	    authority, errs, &err), TL_OK);
	ck_assert_int_eq(errs[0].code, TL_OK);
	ck_assert_int_eq(tl_log_root(reader, "e1", 3, root, &err), TL_OK);
	memset(&first, 0, sizeof(first));
	first.size = 3;
	memcpy(first.root, root, sizeof(root));
	envs[1] = ballot(1, "a2", 1, "y");
	envs[2] = ballot(3, "a4", 1, "z");
	casts[1] = checked(envs[1]);
	casts[2] = checked(envs[2]);
	ck_assert_int_eq(tl_cast_commit_group(store, casts + 1, 2, TH_NOW,
	    authority, errs, &err), TL_OK);
	ck_assert_int_eq(errs[0].code, TL_OK);
	ck_assert_int_eq(errs[1].code, TL_OK);
	ck_assert_str_eq(tl_cast_tree_head(casts[1]),
	    tl_cast_tree_head(casts[2]));
	ck_assert_int_eq(tl_log_latest_head(reader, "e1", &head, &err), TL_OK);
	ck_assert_str_eq(head, tl_cast_tree_head(casts[2]));
	ck_assert_int_eq(tl_log_root(reader, "e1", 5, second.root, &err),
	    TL_OK);
	ck_assert_int_eq(tl_log_consistency_proof(reader, "e1", 3, 5, &proof,
	    &err), TL_OK);
	ck_assert_int_eq(tl_merkle_verify_consistency(3, 5, first.root,
	    second.root, &proof), TL_OK);
	free(head);
	for (int i = 0; i < 3; i++) {
		tl_cast_free(casts[i]);
		free(envs[i]);
	}
}
END_TEST

static Suite *
cast_group_suite(void)
{
	Suite *s = suite_create("cast_group");
	TCase *tc = tcase_create("group");

	tcase_add_checked_fixture(tc, setup_first, teardown);
	tcase_add_test(tc, one_failure_spoils_nothing);
	tcase_add_test(tc, all_refused_writes_nothing);
	tcase_add_test(tc, groups_grow_one_log);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(cast_group_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
