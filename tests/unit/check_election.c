/*
 * check_election.c: an election's life in a real database: create, roll
 * import, open, cast, close, tally; each rejection with its code, the key
 * part of its message, and proof that nothing was stored.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "helpers.h"
#include "store_internal.h"
#include "teller/cast.h"
#include "teller/election.h"
#include "teller/envelope.h"
#include "teller/log.h"
#include "teller/receipt.h"

#define NA 4 /* voters a1..a4 of constituency a, weights 1..4 */
#define NB 3 /* voters b1..b3 of constituency b */

static char *dir;
static struct tl_store *store;
static struct tl_key **keys;
static char hash[TL_HASH_HEX_LEN + 1];

/* A database with election e1 defined and its roll imported (draft). */
static void
setup_draft_revote(int first)
{
	struct tl_error err;
	char *id = NULL, *csv;
	const char *json = th_manifest_json(first);
	size_t n = 0;

	dir = th_tmpdir();
	store = th_store(dir);
	keys = th_keys(NA + NB + 1);
	ck_assert_int_eq(tl_election_create(store, json, strlen(json), TH_NOW,
	    &id, &err), TL_OK);
	ck_assert_str_eq(id, "e1");
	free(id);
	csv = th_roll_csv(keys, NA, NB);
	ck_assert_int_eq(tl_election_import_roll(store, "e1", csv, strlen(csv),
	    "roll.csv", &n, &err), TL_OK);
	ck_assert_uint_eq(n, NA + NB);
	free(csv);
}

static void
setup_draft(void)
{
	setup_draft_revote(0);
}

static void
open_election(void)
{
	struct tl_error err;
	struct tl_manifest *m = NULL;

	ck_assert_int_eq(tl_election_open(store, "e1", TH_NOW, &err), TL_OK);
	ck_assert_int_eq(tl_election_load(store, "e1", &m, hash, NULL, &err),
	    TL_OK);
	tl_manifest_free(m);
	ck_assert_uint_eq(strlen(hash), TL_HASH_HEX_LEN);
}

static void
setup_open(void)
{
	setup_draft();
	open_election();
}

static void
setup_open_first(void)
{
	setup_draft_revote(1);
	open_election();
}

static void
teardown(void)
{
	tl_store_close(store);
	th_keys_free(keys, NA + NB + 1);
	th_rm_rf(dir);
	free(dir);
}

/* A signed ballot of voter `voter` (index into keys) with selections. */
static char *
ballot(size_t key, const char *voter, int seq, const char *selections)
{
	char *payload = NULL, *env;

	ck_assert_int_ge(asprintf(&payload, "{\"election\":\"e1\",\"manifest\":"
	    "\"%s\",\"voter\":\"%s\",\"seq\":%d,\"selections\":[%s]}", hash,
	    voter, seq, selections), 0);
	env = th_sign_ballot(keys[key], payload);
	free(payload);
	return env;
}

static int64_t
ballots_stored(void)
{
	return th_count(store, "ballots") + th_count(store, "selections");
}

static int64_t
log_size(void)
{
	return th_count(store, "log");
}

/* Casting must fail with code, a message containing part, and store
 * nothing at all. */
static void
expect_rejected(const char *envelope, int64_t now, int code, const char *part)
{
	struct tl_error err;
	char *receipt = NULL;
	int64_t before_ballots = ballots_stored(), before_log = log_size();
	int64_t before_heads = th_count(store, "tree_heads");

	ck_assert_msg(tl_ballot_cast(store, envelope, strlen(envelope), now,
	    &receipt, &err) == code, "expected %s, got %s: %s",
	    tl_error_name(code), tl_error_name(err.code), err.message);
	ck_assert_ptr_null(receipt);
	ck_assert_msg(strstr(err.message, part) != NULL,
	    "message \"%s\" lacks \"%s\"", err.message, part);
	ck_assert_int_eq(ballots_stored(), before_ballots);
	ck_assert_int_eq(log_size(), before_log);
	ck_assert_int_eq(th_count(store, "tree_heads"), before_heads);
}

static char *
cast_ok(const char *envelope, int64_t now)
{
	struct tl_error err;
	char *receipt = NULL;

	ck_assert_msg(tl_ballot_cast(store, envelope, strlen(envelope), now,
	    &receipt, &err) == TL_OK, "%s", err.message);
	return receipt;
}

START_TEST(create_rejections)
{
	struct tl_error err;
	char *id = NULL, *json = NULL;
	const char *base = th_manifest_json(0);

	/* The same id twice. */
	ck_assert_int_eq(tl_election_create(store, base, strlen(base), TH_NOW,
	    &id, &err), TL_EEXISTS);
	ck_assert_ptr_nonnull(strstr(err.message, "\"e1\" already exists"));
	/* Closing time already past. */
	ck_assert_int_ge(asprintf(&json, "%s", base), 0);
	memcpy(strstr(json, "\"e1\""), "\"e2\"", 4);
	ck_assert_int_eq(tl_election_create(store, json, strlen(json),
	    TH_NOW + 86400, &id, &err), TL_EMANIFEST);
	ck_assert_ptr_nonnull(strstr(err.message, "closes: 2026-11-23T00:00:00Z "
	    "is already past"));
	ck_assert_int_eq(th_count(store, "elections"), 1);
	ck_assert_int_eq(th_count(store, "contests"), 3);
	free(json);
	/* Another authority's key. */
	ck_assert_int_ge(asprintf(&json, "{\"authority_key\": "
	    "\"PUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw=\", %s", base + 1), 0);
	memcpy(strstr(json, "\"e1\""), "\"e3\"", 4);
	ck_assert_int_eq(tl_election_create(store, json, strlen(json), TH_NOW,
	    &id, &err), TL_EMANIFEST);
	ck_assert_ptr_nonnull(strstr(err.message, "database's authority key"));
	ck_assert_int_eq(th_count(store, "elections"), 1);
	free(json);
	ck_assert_ptr_null(id);
}
END_TEST

START_TEST(roll_import_all_or_nothing)
{
	struct tl_error err;
	char pub[TL_PUBLIC_B64_LEN + 1], *csv = NULL;
	size_t n = 0;

	/* The second line is already on the roll: nothing of the file is
	 * imported, and the error names the file and line. */
	tl_key_public_base64(keys[NA + NB], pub);
	ck_assert_int_ge(asprintf(&csv, "voter_id,name,constituency,weight,"
	    "public_key\na9,New,a,1,%s\na1,Again,a,1,%s\n", pub,
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="), 0);
	ck_assert_int_eq(tl_election_import_roll(store, "e1", csv, strlen(csv),
	    "more.csv", &n, &err), TL_EROLL);
	ck_assert_ptr_nonnull(strstr(err.message, "more.csv:3: voter_id: "
	    "voter a1 is already on the roll of election e1"));
	ck_assert_int_eq(th_count(store, "voters"), NA + NB);
	free(csv);
	/* A new voter with the key of one on the roll: which one. */
	tl_key_public_base64(keys[1], pub);
	ck_assert_int_ge(asprintf(&csv, "voter_id,name,constituency,weight,"
	    "public_key\na9,New,a,1,%s\n", pub), 0);
	ck_assert_int_eq(tl_election_import_roll(store, "e1", csv, strlen(csv),
	    "more.csv", &n, &err), TL_EROLL);
	ck_assert_ptr_nonnull(strstr(err.message, "more.csv:2: public_key: "
	    "voter a9 has the same key as voter a2, already on the roll"));
	ck_assert_int_eq(th_count(store, "voters"), NA + NB);
	free(csv);
	tl_key_public_base64(keys[NA + NB], pub);
	/* A bad line: nothing imported either. */
	ck_assert_int_ge(asprintf(&csv, "voter_id,name,constituency,weight,"
	    "public_key\na9,New,a,1,%s\na10,Bad,a,0,%s\n", pub, pub), 0);
	ck_assert_int_eq(tl_election_import_roll(store, "e1", csv, strlen(csv),
	    "bad.csv", &n, &err), TL_EROLL);
	ck_assert_ptr_nonnull(strstr(err.message, "bad.csv:3: weight"));
	ck_assert_int_eq(th_count(store, "voters"), NA + NB);
	free(csv);
	ck_assert_int_eq(tl_election_import_roll(store, "nope", "", 0, "x.csv",
	    &n, &err), TL_ENOTFOUND);
}
END_TEST

START_TEST(open_needs_voters_and_a_draft)
{
	struct tl_error err;
	struct tl_store *other = NULL;
	char *id = NULL, *env = NULL;
	const char *json;
	char *dir2 = th_tmpdir();

	/* Constituency b votes in "ref" but has no voters. */
	other = th_store(dir2);
	json = th_manifest_json(0);
	ck_assert_int_eq(tl_election_create(other, json, strlen(json), TH_NOW,
	    &id, &err), TL_OK);
	free(id);
	ck_assert_int_eq(tl_election_open(other, "e1", TH_NOW, &err), TL_ESTATE);
	ck_assert_ptr_nonnull(strstr(err.message, "constituency a votes in "
	    "contest plu but has no voters"));
	ck_assert_int_eq(th_count(other, "log"), 0);
	ck_assert_int_eq(tl_election_signed_manifest(other, "e1", &env, &err),
	    TL_ESTATE);
	tl_store_close(other);
	th_rm_rf(dir2);
	free(dir2);
	/* A closing time already past. */
	ck_assert_int_eq(tl_election_open(store, "e1", TH_NOW + 86400, &err),
	    TL_EWINDOW);
	ck_assert_int_eq(log_size(), 0);
	/* Opening logs the signed manifest and roll and a tree head. */
	open_election();
	ck_assert_int_eq(log_size(), 2);
	ck_assert_int_eq(th_count(store, "tree_heads"), 1);
	ck_assert_int_eq(tl_election_open(store, "e1", TH_NOW, &err), TL_ESTATE);
	ck_assert_ptr_nonnull(strstr(err.message, "is open; only a draft"));
	ck_assert_int_eq(log_size(), 2);
	/* The roll is frozen. */
	ck_assert_int_eq(tl_election_import_roll(store, "e1", "", 0, "x.csv",
	    NULL, &err), TL_ESTATE);
	ck_assert_ptr_nonnull(strstr(err.message, "frozen"));
}
END_TEST

START_TEST(signed_manifest_and_hash)
{
	struct tl_error err;
	struct tl_envelope *env = NULL;
	struct tl_key *authority = NULL;
	char *text = NULL, check[TL_HASH_HEX_LEN + 1];

	ck_assert_int_eq(tl_election_signed_manifest(store, "e1", &text, &err),
	    TL_OK);
	ck_assert_int_eq(tl_envelope_parse(text, strlen(text),
	    TL_ENVELOPE_MAX_DEFAULT, &env, &err), TL_OK);
	ck_assert_str_eq(env->payload_type, TL_TYPE_MANIFEST);
	ck_assert_int_eq(tl_store_authority(store, &authority, &err), TL_OK);
	ck_assert_int_eq(tl_envelope_verify(env, authority, &err), TL_OK);
	/* The manifest hash is SHA-256 of the signed payload bytes. */
	tl_sha256_hex(env->payload, env->payload_len, check);
	ck_assert_str_eq(check, hash);
	tl_key_free(authority);
	tl_envelope_free(env);
	free(text);
}
END_TEST

START_TEST(cast_and_receipt)
{
	struct tl_error err;
	struct tl_receipt *rc = NULL;
	struct tl_key *authority = NULL;
	char *env = ballot(0, "a1", 1, "{\"contest\":\"plu\",\"marks\":[\"x\"]}");
	char *receipt = cast_ok(env, TH_NOW);
	char *entry = NULL;
	size_t len = 0;

	ck_assert_int_eq(th_count(store, "ballots"), 1);
	ck_assert_int_eq(th_count(store, "selections"), 1);
	ck_assert_int_eq(log_size(), 3);
	ck_assert_int_eq(tl_receipt_parse(receipt, strlen(receipt), &rc, &err),
	    TL_OK);
	ck_assert_int_eq(tl_store_authority(store, &authority, &err), TL_OK);
	ck_assert_int_eq(tl_receipt_check(rc, authority, &err), TL_OK);
	ck_assert_int_eq(rc->leaf_index, 2);
	ck_assert_int_eq(rc->tree_head.size, 3);
	ck_assert_str_eq(rc->election_id, "e1");
	/* The receipt names the ballot exactly as logged. */
	ck_assert_int_eq(tl_log_entry(store, "e1", 2, &entry, &len, NULL, &err),
	    TL_OK);
	ck_assert_int_eq(tl_receipt_matches_ballot(rc, entry, len, &err), TL_OK);
	ck_assert_str_eq(entry, env); /* ballot make's output is canonical */
	/* A changed proof does not check. */
	rc->proof.hashes[0][0] ^= 1;
	ck_assert_int_eq(tl_receipt_check(rc, authority, &err), TL_EVERIFY);
	tl_receipt_free(rc);
	tl_key_free(authority);
	free(entry);
	free(receipt);
	free(env);
}
END_TEST

START_TEST(cast_rejections)
{
	char *env, *receipt;
	struct tl_key *stranger = keys[NA + NB];

	/* Signed by another key than the roll's. */
	env = ballot(1, "a1", 1, "{\"contest\":\"plu\",\"marks\":[\"x\"]}");
	expect_rejected(env, TH_NOW, TL_ESIGNATURE,
	    "not signed by the key on the roll for voter a1");
	free(env);
	/* A voter not on the roll. */
	{
		char *payload = NULL;

		ck_assert_int_ge(asprintf(&payload, "{\"election\":\"e1\","
		    "\"manifest\":\"%s\",\"voter\":\"zz\",\"seq\":1,"
		    "\"selections\":[]}", hash), 0);
		env = th_sign_ballot(stranger, payload);
		free(payload);
	}
	expect_rejected(env, TH_NOW, TL_ENOTONROLL,
	    "voter \"zz\" is not on the roll of election e1");
	free(env);
	/* A contest of another constituency. */
	env = ballot(0, "a1", 1, "{\"contest\":\"ref\",\"answer\":\"yes\"}");
	expect_rejected(env, TH_NOW, TL_ENOTONROLL,
	    "voter a1 is on the roll of constituency a, not of b");
	free(env);
	/* Invalid content. */
	env = ballot(0, "a1", 1,
	    "{\"contest\":\"plu\",\"marks\":[\"x\",\"y\",\"z\"]}");
	expect_rejected(env, TH_NOW, TL_EBALLOT, "3 marks");
	free(env);
	/* Another election. */
	{
		char *payload = NULL;

		ck_assert_int_ge(asprintf(&payload, "{\"election\":\"e9\","
		    "\"manifest\":\"%s\",\"voter\":\"a1\",\"seq\":1,"
		    "\"selections\":[]}", hash), 0);
		env = th_sign_ballot(keys[0], payload);
		free(payload);
	}
	expect_rejected(env, TH_NOW, TL_EWRONGELECTION,
	    "election \"e9\", which this server does not hold");
	free(env);
	/* Another manifest. */
	{
		char *payload = NULL;

		ck_assert_int_ge(asprintf(&payload, "{\"election\":\"e1\","
		    "\"manifest\":\"%064d\",\"voter\":\"a1\",\"seq\":1,"
		    "\"selections\":[]}", 7), 0);
		env = th_sign_ballot(keys[0], payload);
		free(payload);
	}
	expect_rejected(env, TH_NOW, TL_EWRONGELECTION, "names manifest");
	free(env);
	/* Not an envelope; not a ballot envelope. */
	expect_rejected("{\"ballot\": 1}", TH_NOW, TL_EINPUT, "unknown field");
	expect_rejected("garbage", TH_NOW, TL_EINPUT, "not valid JSON");
	/* Before the window and after it. */
	env = ballot(0, "a1", 1, "{\"contest\":\"plu\",\"marks\":[\"x\"]}");
	expect_rejected(env, TH_NOW - 11 * 3600, TL_EWINDOW,
	    "voting in election e1 opens at 2026-11-22T00:00:00Z");
	expect_rejected(env, TH_NOW + 14 * 3600, TL_EWINDOW,
	    "voting in election e1 closed at 2026-11-23T00:00:00Z");
	/* The same ballot twice; then a stale sequence number. */
	receipt = cast_ok(env, TH_NOW);
	free(receipt);
	expect_rejected(env, TH_NOW, TL_ESTALE, "seq 1, but voter a1's last "
	    "ballot has seq 1");
	free(env);
	env = ballot(0, "a1", 1, "{\"contest\":\"plu\",\"marks\":[\"y\"]}");
	expect_rejected(env, TH_NOW, TL_ESTALE, "--seq 2");
	free(env);
	/* A higher seq is a revote, accepted under "last". */
	env = ballot(0, "a1", 2, "{\"contest\":\"plu\",\"marks\":[\"y\"]}");
	receipt = cast_ok(env, TH_NOW);
	ck_assert_int_eq(th_count(store, "ballots"), 2);
	free(receipt);
	free(env);
}
END_TEST

START_TEST(first_policy_refuses_second_ballot)
{
	char *env = ballot(0, "a1", 1, "{\"contest\":\"plu\",\"marks\":[\"x\"]}");
	char *receipt = cast_ok(env, TH_NOW);

	free(receipt);
	free(env);
	env = ballot(0, "a1", 2, "{\"contest\":\"plu\",\"marks\":[\"y\"]}");
	expect_rejected(env, TH_NOW, TL_EDUPLICATE,
	    "voter a1 has already voted in election e1, whose revote policy "
	    "is \"first\"");
	free(env);
}
END_TEST

START_TEST(not_open)
{
	struct tl_error err;
	char *env;

	/* A draft's ballots name no manifest hash yet; any is refused. */
	memset(hash, '0', TL_HASH_HEX_LEN);
	env = ballot(0, "a1", 1, "");
	expect_rejected(env, TH_NOW, TL_ESTATE, "e1 is a draft");
	free(env);
	open_election();
	ck_assert_int_eq(tl_election_close_early(store, "e1", NULL, 0,
	    "early", TH_NOW, &err), TL_EUSAGE);
	ck_assert_ptr_nonnull(strstr(err.message, "declares 1 random source"));
	{
		const char *r[1] = {"42"};

		ck_assert_int_eq(tl_election_close_early(store, "e1", r, 1,
		    "early", TH_NOW, &err), TL_OK);
		ck_assert_int_eq(tl_election_close_early(store, "e1", r, 1,
		    "early", TH_NOW, &err), TL_ESTATE);
	}
	env = ballot(0, "a1", 1, "");
	expect_rejected(env, TH_NOW, TL_ESTATE, "e1 is closed; it is not "
	    "accepting ballots");
	free(env);
}
END_TEST

static json_t *
contest_report(json_t *result, const char *id)
{
	size_t i;
	json_t *c;

	json_array_foreach(json_object_get(result, "contests"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "contest")), id) == 0)
			return c;
	ck_abort_msg("no contest %s", id);
	return NULL;
}

static json_int_t
votes(json_t *report, const char *candidate)
{
	json_t *round = json_array_get(json_object_get(report, "rounds"), 0);

	return json_integer_value(json_object_get(json_object_get(round,
	    "votes"), candidate));
}

START_TEST(tally_counts_the_log)
{
	const char *random[1] = {"demo-42"};
	struct tl_error err;
	json_t *result = NULL, *again = NULL, *plu, *ref, *turnout;
	char *env, *receipt, *a, *b;

	/* Voters a1..a4 have weights 1..4.  Worked by hand:
	 *   a1 (1): plu x y, then revotes (seq 2): plu z   -> counts z
	 *   a2 (2): plu x         a3 (3): plu y z          a4: does not vote
	 *   plu: x = 2, y = 3, z = 1 + 3 = 4 -> winners z, y
	 *   app: a2 (2) marks x, y, z; a3 (3) marks z     -> z = 5, x = y = 2
	 *        a1's counted ballot (seq 2) has no selection for app: a
	 *        blank vote there -> ballots 3 (a1, a2, a3), weight 6, blank 1
	 *   ref: b1 yes, b2 no, b3 yes                   -> approved, 2 to 1 */
	static const struct {
		size_t key;
		const char *voter;
		int seq;
		const char *selections;
	} cast[] = {
		{0, "a1", 1, "{\"contest\":\"plu\",\"marks\":[\"x\",\"y\"]}"},
		{1, "a2", 1, "{\"contest\":\"plu\",\"marks\":[\"x\"]},"
		    "{\"contest\":\"app\",\"marks\":[\"x\",\"y\",\"z\"]}"},
		{2, "a3", 1, "{\"contest\":\"plu\",\"marks\":[\"y\",\"z\"]},"
		    "{\"contest\":\"app\",\"marks\":[\"z\"]}"},
		{0, "a1", 2, "{\"contest\":\"plu\",\"marks\":[\"z\"]}"},
		{4, "b1", 1, "{\"contest\":\"ref\",\"answer\":\"yes\"}"},
		{5, "b2", 1, "{\"contest\":\"ref\",\"answer\":\"no\"}"},
		{6, "b3", 1, "{\"contest\":\"ref\",\"answer\":\"yes\"}"},
	};

	for (size_t i = 0; i < sizeof(cast) / sizeof(cast[0]); i++) {
		env = ballot(cast[i].key, cast[i].voter, cast[i].seq,
		    cast[i].selections);
		receipt = cast_ok(env, TH_NOW);
		free(receipt);
		free(env);
	}
	ck_assert_int_eq(tl_election_tally(store, "e1", TH_NOW, &result, &err),
	    TL_ESTATE);
	ck_assert_ptr_nonnull(strstr(err.message, "close it before counting"));
	ck_assert_int_eq(tl_election_close_early(store, "e1", random, 1,
	    "a test", TH_NOW, &err), TL_OK);
	ck_assert_int_eq(tl_election_tally(store, "e1", TH_NOW, &result, &err),
	    TL_OK);
	plu = contest_report(result, "plu");
	ck_assert_int_eq(votes(plu, "x"), 2);
	ck_assert_int_eq(votes(plu, "y"), 3);
	ck_assert_int_eq(votes(plu, "z"), 4);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(plu,
	    "winners"), 0)), "Zed");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(plu,
	    "winners"), 1)), "Yolanda");
	ck_assert_int_eq(json_integer_value(json_object_get(plu, "ballots")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(plu, "weight")), 6);
	ck_assert_int_eq(votes(contest_report(result, "app"), "z"), 5);
	ck_assert_int_eq(votes(contest_report(result, "app"), "x"), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(contest_report(
	    result, "app"), "ballots")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(contest_report(
	    result, "app"), "weight")), 6);
	ck_assert_int_eq(json_integer_value(json_object_get(contest_report(
	    result, "app"), "blank")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(plu, "blank")), 0);
	ref = contest_report(result, "ref");
	ck_assert_str_eq(json_string_value(json_object_get(ref, "outcome")),
	    "approved");
	ck_assert_int_eq(votes(ref, "yes"), 2);
	ck_assert_int_eq(votes(ref, "no"), 1);
	turnout = json_array_get(json_object_get(result, "turnout"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(turnout,
	    "eligible")), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(turnout, "voted")),
	    3);
	ck_assert_int_eq(json_integer_value(json_object_get(turnout,
	    "eligible_weight")), 10);
	ck_assert_int_eq(json_integer_value(json_object_get(turnout,
	    "voted_weight")), 6);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(result,
	    "random"), 0)), "demo-42");
	/* The result is signed into the log; the rows are queryable. */
	ck_assert_int_eq(th_count(store, "SELECT COUNT(*) FROM log WHERE kind = "
	    "'result'"), 1);
	ck_assert_int_eq(th_count(store, "SELECT votes FROM result_rounds WHERE "
	    "contest_id = 'plu' AND candidate_id = 'z'"), 4);
	ck_assert_int_eq(th_count(store, "SELECT COUNT(*) FROM result_winners "
	    "WHERE contest_id = 'plu'"), 2);
	/* Per-candidate totals are plain SQL over the counted ballots. */
	ck_assert_int_eq(th_count(store, "SELECT SUM(b.weight) FROM selections s "
	    "JOIN counted_ballots b ON b.id = s.ballot_id WHERE s.contest_id = "
	    "'plu' AND s.choice = 'z'"), 4);
	/* A second tally gives the stored result, byte for byte. */
	ck_assert_int_eq(tl_election_tally(store, "e1", TH_NOW + 60, &again,
	    &err), TL_OK);
	a = json_dumps(result, JSON_COMPACT | JSON_SORT_KEYS);
	b = json_dumps(again, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_str_eq(a, b);
	ck_assert_int_eq(th_count(store, "SELECT COUNT(*) FROM log WHERE kind = "
	    "'result'"), 1);
	free(a);
	free(b);
	json_decref(result);
	json_decref(again);
}
END_TEST

START_TEST(show_and_list)
{
	struct tl_error err;
	json_t *doc = NULL, *list = NULL;

	ck_assert_int_eq(tl_election_show(store, "e1", &doc, &err), TL_OK);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "state")),
	    "draft");
	ck_assert(json_is_null(json_object_get(doc, "manifest_hash")));
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(
	    json_object_get(doc, "constituencies"), 0), "weight")), 10);
	json_decref(doc);
	ck_assert_int_eq(tl_election_list(store, &list, &err), TL_OK);
	ck_assert_uint_eq(json_array_size(list), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(list,
	    0), "voters")), NA + NB);
	json_decref(list);
	ck_assert_int_eq(tl_election_show(store, "e2", &doc, &err),
	    TL_ENOTFOUND);
}
END_TEST

START_TEST(store_reopen_and_init_twice)
{
	struct tl_error err;
	struct tl_store *again = NULL;

	ck_assert_int_eq(tl_store_init_authority(store, TH_NOW, &err),
	    TL_EEXISTS);
	ck_assert_int_eq(tl_store_open(th_path(dir, "teller.db"), 0, &again,
	    &err), TL_OK);
	ck_assert_int_eq(th_count(again, "voters"), NA + NB);
	ck_assert_int_eq(th_count(again, "SELECT user_version FROM "
	    "pragma_user_version"), tl_store_schema_version());
	tl_store_close(again);
	ck_assert_int_eq(tl_store_open(th_path(dir, "none.db"), 0, &again, &err),
	    TL_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.message, "teller --db"));
	/* Another program's file: refused, to read or to write. */
	th_write(th_path(dir, "text.db"), "some text");
	ck_assert_int_eq(tl_store_open(th_path(dir, "text.db"), 0, &again,
	    &err), TL_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.message, "not a teller database"));
	ck_assert_int_eq(tl_store_open(th_path(dir, "text.db"),
	    TL_STORE_READONLY, &again, &err), TL_EINPUT);
	ck_assert_int_eq(tl_store_open(th_path(dir, "text.db"),
	    TL_STORE_CREATE, &again, &err), TL_EINPUT);
	/* An older schema is not migrated by a connection that only reads. */
	{
		char sql[64];

		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
		    tl_store_schema_version() - 1);
		ck_assert_int_eq(tl_db_exec(store, sql, &err), TL_OK);
	}
	/* It is read as it is. */
	ck_assert_int_eq(tl_store_open(th_path(dir, "teller.db"),
	    TL_STORE_READONLY, &again, &err), TL_OK);
	tl_store_close(again);
	ck_assert_int_eq(th_count(store, "SELECT user_version FROM "
	    "pragma_user_version"), tl_store_schema_version() - 1);
}
END_TEST

/* The close statement's payload in the log (caller frees), or NULL. */
static char *
logged_close(void)
{
	struct tl_error err;
	struct tl_envelope *env = NULL;
	sqlite3_stmt *stmt = NULL;
	char *payload = NULL;

	ck_assert_int_eq(tl_db_prepare(store, "SELECT entry FROM log WHERE "
	    "election_id = 'e1' AND kind = 'close'", &stmt, &err), TL_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		const char *entry = (const char *)sqlite3_column_text(stmt, 0);

		ck_assert_int_eq(tl_envelope_parse(entry, strlen(entry),
		    TL_ENVELOPE_MAX_DEFAULT, &env, &err), TL_OK);
		payload = strndup((const char *)env->payload, env->payload_len);
		tl_envelope_free(env);
	}
	sqlite3_finalize(stmt);
	return payload;
}

/* Before the end of the voting window a close is refused unless it is an
 * early one with a reason, which the signed close statement carries;
 * after the end, a close takes no reason. */
START_TEST(early_close_needs_a_reason)
{
	struct tl_error err;
	const char *r[1] = {"42"};
	char *payload;

	ck_assert_int_eq(tl_election_close(store, "e1", r, 1, TH_CLOSES - 1,
	    &err), TL_EPHASE);
	ck_assert_ptr_nonnull(strstr(err.message, "runs until "
	    "2026-11-23T00:00:00Z"));
	ck_assert_ptr_nonnull(strstr(err.message, "--early --reason"));
	ck_assert_int_eq(tl_election_close_early(store, "e1", r, 1, NULL,
	    TH_NOW, &err), TL_EUSAGE);
	ck_assert_int_eq(tl_election_close_early(store, "e1", r, 1, "",
	    TH_NOW, &err), TL_EUSAGE);
	ck_assert_int_eq(tl_election_close_early(store, "e1", r, 1,
	    "a bell\a", TH_NOW, &err), TL_EUSAGE);
	ck_assert_ptr_nonnull(strstr(err.message, "--reason"));
	/* At the end of the window, or after it, a close is not early. */
	ck_assert_int_eq(tl_election_close_early(store, "e1", r, 1, "why",
	    TH_CLOSES, &err), TL_EUSAGE);
	ck_assert_ptr_nonnull(strstr(err.message, "not early"));
	ck_assert_ptr_null(logged_close());
	ck_assert_int_eq(th_count(store, "SELECT COUNT(*) FROM elections "
	    "WHERE state = 'open'"), 1);
	ck_assert_int_eq(tl_election_close_early(store, "e1", r, 1,
	    "Every voter has voted.\nThe committee agreed.", TH_NOW, &err),
	    TL_OK);
	payload = logged_close();
	ck_assert_ptr_nonnull(payload);
	ck_assert_ptr_nonnull(strstr(payload, "\"reason\":\"Every voter has "
	    "voted.\\nThe committee agreed.\""));
	free(payload);
}
END_TEST

/* A close at the end of the window carries no reason. */
START_TEST(close_after_the_window)
{
	struct tl_error err;
	const char *r[1] = {"42"};
	char *payload;

	ck_assert_int_eq(tl_election_close(store, "e1", r, 1, TH_CLOSES,
	    &err), TL_OK);
	payload = logged_close();
	ck_assert_ptr_nonnull(payload);
	ck_assert_ptr_null(strstr(payload, "reason"));
	ck_assert_ptr_nonnull(strstr(payload, "\"time\":\"2026-11-23T00:00:00Z\""));
	free(payload);
}
END_TEST

static Suite *
election_suite(void)
{
	Suite *s = suite_create("election");
	TCase *draft = tcase_create("draft");
	TCase *open = tcase_create("open");
	TCase *first = tcase_create("first");

	tcase_add_checked_fixture(draft, setup_draft, teardown);
	tcase_add_test(draft, create_rejections);
	tcase_add_test(draft, roll_import_all_or_nothing);
	tcase_add_test(draft, open_needs_voters_and_a_draft);
	tcase_add_test(draft, not_open);
	tcase_add_test(draft, show_and_list);
	tcase_add_test(draft, store_reopen_and_init_twice);
	suite_add_tcase(s, draft);
	tcase_add_checked_fixture(open, setup_open, teardown);
	tcase_add_test(open, signed_manifest_and_hash);
	tcase_add_test(open, cast_and_receipt);
	tcase_add_test(open, cast_rejections);
	tcase_add_test(open, tally_counts_the_log);
	tcase_add_test(open, early_close_needs_a_reason);
	tcase_add_test(open, close_after_the_window);
	suite_add_tcase(s, open);
	tcase_add_checked_fixture(first, setup_open_first, teardown);
	tcase_add_test(first, first_policy_refuses_second_ballot);
	suite_add_tcase(s, first);
	return s;
}

int
main(void)
{
	return th_run(election_suite());
}
