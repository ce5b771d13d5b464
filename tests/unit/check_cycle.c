/*
 * check_cycle.c: the election cycle around the vote (cycle.h,
 * timetable.h, turnout.h) in a real database with real keys: the
 * timetable's rules, the slate, petitions and endorsements, certification,
 * challenges and the final result, turnout against figures worked out by
 * hand, and RFC 3797 random sources as the seed of the lots.  Every
 * refusal is checked for its code, the telling part of its message, and
 * that it stored nothing.
 */
#include <config.h>

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "helpers.h"
#include "teller/ballot.h"
#include "teller/cast.h"
#include "teller/cycle.h"
#include "teller/election.h"
#include "teller/envelope.h"
#include "teller/manifest.h"
#include "teller/result.h"
#include "teller/roll.h"
#include "teller/timetable.h"
#include "teller/turnout.h"
#include "teller/webhook.h"

/* The timetable of election "c1" (UTC, Unix seconds). */
#define DAY INT64_C(86400)
#define T_CREATE INT64_C(1892419200)   /* 2029-12-20 */
#define NOM_OPENS INT64_C(1893456000)  /* 2030-01-01 */
#define NOM_CLOSES INT64_C(1894233600) /* 2030-01-10 = petitions open */
#define PET_CLOSES INT64_C(1895097600) /* 2030-01-20 */
#define VOTE_OPENS INT64_C(1896134400) /* 2030-02-01 */
#define VOTE_CLOSES INT64_C(1896912000) /* 2030-02-10 */
#define CH_OPENS INT64_C(1896998400)   /* 2030-02-11 */
#define CH_CLOSES INT64_C(1897776000)  /* 2030-02-20 */

/* Voters: a1..a4 (constituency a, weights 1..4), b1..b3 (b, weight 1);
 * keys[7] is on no roll. */
#define NA 4
#define NB 3
#define NKEYS (NA + NB + 1)

static const char manifest_c1[] =
    "{\"id\": \"c1\", \"title\": \"Cycle 2030\","
    " \"opens\": \"2030-02-01T00:00:00Z\", \"closes\": \"2030-02-10T00:00:00Z\","
    " \"timetable\": {"
    "  \"nominations\": {\"opens\": \"2030-01-01T00:00:00Z\","
    "                   \"closes\": \"2030-01-10T00:00:00Z\"},"
    "  \"petitions\": {\"opens\": \"2030-01-10T00:00:00Z\","
    "                 \"closes\": \"2030-01-20T00:00:00Z\"},"
    "  \"challenge\": {\"opens\": \"2030-02-11T00:00:00Z\","
    "                 \"closes\": \"2030-02-20T00:00:00Z\"}},"
    " \"constituencies\": [{\"id\": \"a\", \"name\": \"Chapters\"},"
    "                      {\"id\": \"b\", \"name\": \"Organizations\"}],"
    " \"contests\": ["
    "  {\"id\": \"ch\", \"title\": \"Chapters seat\", \"constituency\": \"a\","
    "   \"seats\": 1, \"method\": \"plurality\", \"petition_threshold\": 2,"
    "   \"candidates\": []},"
    "  {\"id\": \"om\", \"title\": \"Organizations seat\","
    "   \"constituency\": \"b\", \"seats\": 1, \"method\": \"plurality\","
    "   \"candidates\": [{\"id\": \"olga\", \"name\": \"Olga Orr\"}]}],"
    " \"random_sources\": [{\"name\": \"lottery\", \"form\": \"rfc3797\"}]}";

static char *dir;
static struct tl_store *store;
static struct tl_key **keys;

static int64_t
log_size(void)
{
	return th_count(store, "log");
}

/* Everything the cycle stores, to show that a refusal stored nothing. */
static int64_t
stored(void)
{
	return log_size() + th_count(store, "tree_heads") +
	    th_count(store, "candidates") + th_count(store, "petitions") +
	    th_count(store, "endorsements") + th_count(store, "amendments") +
	    th_count(store, "certifications") + th_count(store, "challenges") +
	    th_count(store, "ballots") + th_count(store, "webhook_events");
}

/* A refusal: the code, a part of its message, and nothing stored. */
#define REFUSED(call, code, part) do {					\
	int64_t before_ = stored();					\
	struct tl_error err_;						\
	int r_;								\
	memset(&err_, 0, sizeof(err_));					\
	r_ = (call);							\
	ck_assert_msg(r_ == (code), "%s: expected %s, got %s: %s", #call, \
	    tl_error_name(code), tl_error_name(r_), err_.message);	\
	ck_assert_msg(strstr(err_.message, (part)) != NULL,		\
	    "message \"%s\" lacks \"%s\"", err_.message, (part));	\
	ck_assert_int_eq(stored(), before_);				\
} while (0)
#define ERR (&err_)

#define OK(call) do {							\
	struct tl_error e_;						\
	memset(&e_, 0, sizeof(e_));					\
	ck_assert_msg((call) == TL_OK, "%s: %s", #call, e_.message);	\
} while (0)
#define E (&e_)

static void
setup(void)
{
	struct tl_error err;
	char *id = NULL, *csv;
	size_t n = 0;

	dir = th_tmpdir();
	store = th_store(dir);
	keys = th_keys(NKEYS);
	ck_assert_msg(tl_election_create(store, manifest_c1,
	    strlen(manifest_c1), T_CREATE, &id, &err) == TL_OK, "%s",
	    err.message);
	ck_assert_str_eq(id, "c1");
	free(id);
	csv = th_roll_csv(keys, NA, NB);
	ck_assert_int_eq(tl_election_import_roll(store, "c1", csv, strlen(csv),
	    "roll.csv", &n, &err), TL_OK);
	free(csv);
}

static void
teardown(void)
{
	tl_store_close(store);
	th_keys_free(keys, NKEYS);
	th_rm_rf(dir);
	free(dir);
}

static const char *
state(void)
{
	static char buf[32];
	struct tl_error err;
	char *s = NULL;

	ck_assert_int_eq(tl_election_state(store, "c1", &s, &err), TL_OK);
	snprintf(buf, sizeof(buf), "%s", s);
	free(s);
	return buf;
}

/* An endorsement of petition `number` by voter (keys[key]). */
static char *
endorsement(int64_t number, const char *voter, size_t key)
{
	struct tl_error err;
	char *env = NULL;

	ck_assert_int_eq(tl_petition_endorsement(store, "c1", number, voter,
	    keys[key], &env, &err), TL_OK);
	return env;
}

static int
endorse(int64_t number, const char *voter, size_t key, int64_t now,
    struct tl_error *err)
{
	char *env = endorsement(number, voter, key);
	int r = tl_petition_endorse(store, env, strlen(env), now, NULL, err);

	free(env);
	return r;
}

/* The nomination stage: published, slate ann and ben in ch, petitions
 * 1 (cat, endorsed by a1 and a2: reached) and 2 (dan, by a3 only: not
 * reached). */
static void
nominate(void)
{
	int64_t n1 = 0, n2 = 0;

	OK(tl_election_publish(store, "c1", T_CREATE, E));
	OK(tl_candidate_add(store, "c1", "ch", "ann", "Ann Archer",
	    NOM_OPENS, E));
	OK(tl_candidate_add(store, "c1", "ch", "ben", "Ben Baker",
	    NOM_CLOSES - 1, E));
	OK(tl_petition_open(store, "c1", "ch", "cat", "Cat Cole", NOM_CLOSES,
	    &n1, E));
	OK(tl_petition_open(store, "c1", "ch", "dan", "Dan Dale",
	    NOM_CLOSES + DAY, &n2, E));
	ck_assert_int_eq(n1, 1);
	ck_assert_int_eq(n2, 2);
	OK(endorse(1, "a1", 0, NOM_CLOSES + DAY, E));
	OK(endorse(1, "a2", 1, NOM_CLOSES + 2 * DAY, E));
	OK(endorse(2, "a3", 2, PET_CLOSES - 1, E));
}

/* The voting definition's candidate ids of contest ci, "a,b,c". */
static void
definition_candidates(size_t ci, char *out, size_t size)
{
	struct tl_error err;
	struct tl_manifest *m = NULL;
	char hash[TL_HASH_HEX_LEN + 1];

	ck_assert_int_eq(tl_election_load(store, "c1", &m, hash, NULL, &err),
	    TL_OK);
	out[0] = '\0';
	for (size_t i = 0; i < m->contests[ci].ncandidates; i++) {
		if (i > 0)
			strncat(out, ",", size - strlen(out) - 1);
		strncat(out, m->contests[ci].candidates[i].id,
		    size - strlen(out) - 1);
	}
	tl_manifest_free(m);
}

static char *
ballot(size_t key, const char *voter, const char *selections)
{
	struct tl_error err;
	struct tl_manifest *m = NULL;
	char hash[TL_HASH_HEX_LEN + 1], *payload = NULL, *env;

	ck_assert_int_eq(tl_election_load(store, "c1", &m, hash, NULL, &err),
	    TL_OK);
	tl_manifest_free(m);
	ck_assert_int_ge(asprintf(&payload, "{\"election\":\"c1\",\"manifest\":"
	    "\"%s\",\"voter\":\"%s\",\"seq\":1,\"selections\":[%s]}", hash,
	    voter, selections), 0);
	env = th_sign_ballot(keys[key], payload);
	free(payload);
	return env;
}

static void
cast(size_t key, const char *voter, const char *selections, int64_t now)
{
	char *env = ballot(key, voter, selections), *receipt = NULL;

	OK(tl_ballot_cast(store, env, strlen(env), now, &receipt, E));
	free(receipt);
	free(env);
}

/* Through the vote to a counted result: a1 and a2 vote cat, a3 ann, b1
 * olga; closed with RFC 3797 values. */
static void
vote_and_count(void)
{
	const char *values[] = {"17 3 42"};
	json_t *result = NULL;

	OK(tl_election_open(store, "c1", PET_CLOSES, E));
	cast(0, "a1", "{\"contest\":\"ch\",\"marks\":[\"cat\"]}", VOTE_OPENS);
	cast(1, "a2", "{\"contest\":\"ch\",\"marks\":[\"cat\"]}", VOTE_OPENS);
	cast(2, "a3", "{\"contest\":\"ch\",\"marks\":[\"ann\"]}", VOTE_OPENS);
	cast(4, "b1", "{\"contest\":\"om\",\"marks\":[\"olga\"]}", VOTE_OPENS);
	OK(tl_election_close(store, "c1", values, 1, VOTE_CLOSES, E));
	OK(tl_election_tally(store, "c1", VOTE_CLOSES, &result, E));
	json_decref(result);
}

static void
count(void)
{
	nominate();
	vote_and_count();
}

static char *
challenge(size_t key, const char *voter, const char *text)
{
	struct tl_error err;
	char *env = NULL;

	ck_assert_msg(tl_challenge_make(store, "c1", voter, keys[key], text,
	    &env, &err) == TL_OK, "%s", err.message);
	return env;
}

static int
file_challenge(size_t key, const char *voter, int64_t now, int64_t *number,
    struct tl_error *err)
{
	char *env = challenge(key, voter, "I dispute the count.");
	int r = tl_challenge_file(store, env, strlen(env), now, number, err);

	free(env);
	return r;
}

/* --- the timetable's rules, without a database ----------------------- */

static struct tl_timetable
timetable(void)
{
	struct tl_timetable tt;

	memset(&tt, 0, sizeof(tt));
	tt.declared = 1;
	tt.phase[TL_PHASE_NOMINATIONS] = (struct tl_window){1, 100, 200};
	tt.phase[TL_PHASE_PETITIONS] = (struct tl_window){1, 200, 300};
	tt.phase[TL_PHASE_VOTING] = (struct tl_window){1, 400, 500};
	tt.phase[TL_PHASE_CHALLENGE] = (struct tl_window){1, 600, 700};
	return tt;
}

START_TEST(timetable_check)
{
	struct tl_timetable tt = timetable();
	struct tl_error err;

	ck_assert_int_eq(tl_timetable_check(&tt, TL_EMANIFEST, &err), TL_OK);
	ck_assert(tl_timetable_has_nominations(&tt));
	ck_assert_int_eq(tl_timetable_nominations_end(&tt), 300);
	/* Petitions overlapping the vote. */
	tt.phase[TL_PHASE_PETITIONS].closes = 401;
	ck_assert_int_eq(tl_timetable_check(&tt, TL_EMANIFEST, &err),
	    TL_EMANIFEST);
	ck_assert_ptr_nonnull(strstr(err.message, "petitions"));
	ck_assert_ptr_nonnull(strstr(err.message, "voting"));
	/* A phase that closes before it opens. */
	tt = timetable();
	tt.phase[TL_PHASE_CHALLENGE].closes = 600;
	ck_assert_int_eq(tl_timetable_check(&tt, TL_EMANIFEST, &err),
	    TL_EMANIFEST);
	ck_assert_ptr_nonnull(strstr(err.message, "challenge"));
	/* Without the nomination stage. */
	tt = timetable();
	tt.phase[TL_PHASE_NOMINATIONS].present = 0;
	tt.phase[TL_PHASE_PETITIONS].present = 0;
	ck_assert(!tl_timetable_has_nominations(&tt));
	ck_assert_int_eq(tl_timetable_nominations_end(&tt), 0);
}
END_TEST

START_TEST(timetable_locate)
{
	struct tl_timetable tt = timetable();
	int cur, next;

	/* Opens is inside its phase, closes is not. */
	tl_timetable_locate(&tt, 99, &cur, &next);
	ck_assert_int_eq(cur, -1);
	ck_assert_int_eq(next, TL_PHASE_NOMINATIONS);
	tl_timetable_locate(&tt, 100, &cur, &next);
	ck_assert_int_eq(cur, TL_PHASE_NOMINATIONS);
	ck_assert_int_eq(next, TL_PHASE_PETITIONS);
	tl_timetable_locate(&tt, 200, &cur, &next);
	ck_assert_int_eq(cur, TL_PHASE_PETITIONS);
	tl_timetable_locate(&tt, 350, &cur, &next);
	ck_assert_int_eq(cur, -1);
	ck_assert_int_eq(next, TL_PHASE_VOTING);
	tl_timetable_locate(&tt, 699, &cur, &next);
	ck_assert_int_eq(cur, TL_PHASE_CHALLENGE);
	ck_assert_int_eq(next, -1);
	tl_timetable_locate(&tt, 700, &cur, &next);
	ck_assert_int_eq(cur, -1);
	ck_assert_int_eq(next, -1);
}
END_TEST

START_TEST(timetable_require)
{
	struct tl_timetable tt = timetable();
	struct tl_error err;

	ck_assert_int_eq(tl_timetable_require(&tt, "e", TL_PHASE_PETITIONS,
	    200, "endorsements", &err), TL_OK);
	ck_assert_int_eq(tl_timetable_require(&tt, "e", TL_PHASE_PETITIONS,
	    300, "endorsements", &err), TL_EPHASE);
	/* The message names what was refused, the phase and its times. */
	ck_assert_ptr_nonnull(strstr(err.message, "endorsements"));
	ck_assert_ptr_nonnull(strstr(err.message, "petitions phase"));
	ck_assert_ptr_nonnull(strstr(err.message, "1970-01-01T00:03:20Z"));
	ck_assert_ptr_nonnull(strstr(err.message, "1970-01-01T00:05:00Z"));
	ck_assert_ptr_nonnull(strstr(err.message, "over"));
	ck_assert_int_eq(tl_timetable_require(&tt, "e", TL_PHASE_PETITIONS,
	    199, "endorsements", &err), TL_EPHASE);
	ck_assert_ptr_nonnull(strstr(err.message, "not open yet"));
	tt.phase[TL_PHASE_PETITIONS].present = 0;
	ck_assert_int_eq(tl_timetable_require(&tt, "e", TL_PHASE_PETITIONS,
	    250, "endorsements", &err), TL_EPHASE);
}
END_TEST

START_TEST(timetable_amend)
{
	struct tl_timetable tt = timetable(), before;
	struct tl_error err;

	/* Forward, before the time comes: applied. */
	ck_assert_int_eq(tl_timetable_amend(&tt, TL_PHASE_VOTING, 0, 0, 1, 550,
	    450, &err), TL_OK);
	ck_assert_int_eq(tt.phase[TL_PHASE_VOTING].closes, 550);
	before = tt;
	/* Backward: refused, unchanged. */
	ck_assert_int_eq(tl_timetable_amend(&tt, TL_PHASE_VOTING, 0, 0, 1, 540,
	    450, &err), TL_EPHASE);
	ck_assert_ptr_nonnull(strstr(err.message, "only move it later"));
	ck_assert_mem_eq(&tt, &before, sizeof(tt));
	/* A time that has already come. */
	ck_assert_int_eq(tl_timetable_amend(&tt, TL_PHASE_VOTING, 1, 420, 0, 0,
	    450, &err), TL_EPHASE);
	ck_assert_mem_eq(&tt, &before, sizeof(tt));
	/* Into the next phase: the timetable would overlap. */
	ck_assert_int_eq(tl_timetable_amend(&tt, TL_PHASE_VOTING, 0, 0, 1, 650,
	    450, &err), TL_EPHASE);
	ck_assert_ptr_nonnull(strstr(err.message, "challenge"));
	ck_assert_mem_eq(&tt, &before, sizeof(tt));
	/* Changing nothing. */
	ck_assert_int_eq(tl_timetable_amend(&tt, TL_PHASE_VOTING, 0, 0, 0, 0,
	    450, &err), TL_EUSAGE);
	/* A phase the election does not have. */
	tt.phase[TL_PHASE_NOMINATIONS].present = 0;
	before = tt;
	ck_assert_int_eq(tl_timetable_amend(&tt, TL_PHASE_NOMINATIONS, 0, 0, 1,
	    190, 50, &err), TL_EPHASE);
	ck_assert_mem_eq(&tt, &before, sizeof(tt));
}
END_TEST

/* --- the nomination stage in the database ----------------------------- */

START_TEST(publish_rules)
{
	char *env, *receipt = NULL;

	/* Nothing of the cycle before the election is published. */
	REFUSED(tl_candidate_add(store, "c1", "ch", "ann", "Ann Archer",
	    NOM_OPENS, ERR), TL_ESTATE, "publish it first");
	ck_assert_str_eq(state(), "draft");
	OK(tl_election_publish(store, "c1", T_CREATE, E));
	ck_assert_str_eq(state(), "published");
	/* The initial manifest and the roll are the log's first entries. */
	ck_assert_int_eq(log_size(), 2);
	/* The roll is frozen. */
	{
		char pub[TL_PUBLIC_B64_LEN + 1], *csv = NULL;
		size_t count = 0;

		tl_key_public_base64(keys[NKEYS - 1], pub);
		ck_assert_int_ge(asprintf(&csv, "voter_id,name,constituency,"
		    "weight,public_key\nz9,Late,a,1,%s\n", pub), 0);
		REFUSED(tl_election_import_roll(store, "c1", csv, strlen(csv),
		    "late.csv", &count, ERR), TL_ESTATE, "frozen");
		free(csv);
	}
	REFUSED(tl_election_publish(store, "c1", T_CREATE, ERR), TL_ESTATE,
	    "published");
	/* Ballots are refused while the nomination stage runs. */
	env = ballot(NA, "b1", "{\"contest\":\"om\",\"marks\":[\"olga\"]}");
	REFUSED(tl_ballot_cast(store, env, strlen(env), VOTE_OPENS, &receipt,
	    ERR), TL_EPHASE, "nomination stage");
	free(env);
}
END_TEST

START_TEST(slate_in_nominations_phase)
{
	char ids[256];

	OK(tl_election_publish(store, "c1", T_CREATE, E));
	REFUSED(tl_candidate_add(store, "c1", "ch", "ann", "Ann Archer",
	    NOM_OPENS - 1, ERR), TL_EPHASE, "not open yet");
	OK(tl_candidate_add(store, "c1", "ch", "ann", "Ann Archer", NOM_OPENS,
	    E));
	REFUSED(tl_candidate_add(store, "c1", "ch", "ann", "Ann Other",
	    NOM_OPENS + 1, ERR), TL_EEXISTS, "ann");
	REFUSED(tl_candidate_add(store, "c1", "ch", "ann2", "Ann Archer",
	    NOM_OPENS + 1, ERR), TL_EEXISTS, "Ann Archer");
	REFUSED(tl_candidate_add(store, "c1", "xx", "zed", "Zed",
	    NOM_OPENS + 1, ERR), TL_ENOTFOUND, "xx");
	REFUSED(tl_candidate_add(store, "c1", "ch", "ben", "Ben Baker",
	    NOM_CLOSES, ERR), TL_EPHASE, "nominations phase");
	/* The id the count reports use for non-transferable papers is no
	 * candidate's (doc/result-format.md, section 1); nor can a signed
	 * candidate statement carry it. */
	REFUSED(tl_candidate_add(store, "c1", "ch", "non-transferable",
	    "Non Transferable", NOM_OPENS + 1, ERR), TL_EINPUT, "reserved");
	{
		static const char payload[] = "{\"election\":\"c1\",\"manifest\":"
		    "\"0000000000000000000000000000000000000000000000000000000000"
		    "000000\",\"contest\":\"ch\",\"candidate\":{\"id\":"
		    "\"non-transferable\",\"name\":\"N\"},\"time\":"
		    "\"2030-01-02T00:00:00Z\"}";
		struct tl_nomination n;
		struct tl_error err;

		memset(&n, 0, sizeof(n));
		ck_assert_int_eq(tl_nomination_parse(payload, strlen(payload),
		    "candidate statement", &n, &err), TL_EINPUT);
		ck_assert_ptr_nonnull(strstr(err.message, "reserved"));
	}
	/* The slate is in the voting definition once the vote opens. */
	OK(tl_election_open(store, "c1", PET_CLOSES, E));
	definition_candidates(0, ids, sizeof(ids));
	ck_assert_str_eq(ids, "ann");
	definition_candidates(1, ids, sizeof(ids));
	ck_assert_str_eq(ids, "olga");
}
END_TEST

START_TEST(petition_rules)
{
	int64_t n = 0;
	char *env;

	OK(tl_election_publish(store, "c1", T_CREATE, E));
	/* Petitions only in their phase, and only for a contest that takes
	 * them. */
	REFUSED(tl_petition_open(store, "c1", "ch", "cat", "Cat Cole",
	    NOM_CLOSES - 1, &n, ERR), TL_EPHASE, "petitions phase");
	REFUSED(tl_petition_open(store, "c1", "om", "pat", "Pat Poe",
	    NOM_CLOSES, &n, ERR), TL_EINPUT, "petition");
	OK(tl_petition_open(store, "c1", "ch", "cat", "Cat Cole", NOM_CLOSES,
	    &n, E));
	ck_assert_int_eq(n, 1);
	REFUSED(tl_petition_open(store, "c1", "ch", "cat", "Cat Cole",
	    NOM_CLOSES, &n, ERR), TL_EEXISTS, "cat");

	/* An endorsement by a voter of another constituency. */
	REFUSED(endorse(1, "b1", NA, NOM_CLOSES + 1, ERR), TL_ENOTONROLL,
	    "constituency");
	/* By a key that is not the voter's. */
	REFUSED(endorse(1, "a1", 1, NOM_CLOSES + 1, ERR), TL_ESIGNATURE, "a1");
	/* By someone not on the roll. */
	REFUSED(endorse(1, "z9", NKEYS - 1, NOM_CLOSES + 1, ERR),
	    TL_ENOTONROLL, "z9");
	/* Of a petition that does not exist. */
	{
		struct tl_error err;
		char *none = NULL;

		ck_assert_int_eq(tl_petition_endorsement(store, "c1", 7, "a1",
		    keys[0], &none, &err), TL_ENOTFOUND);
		ck_assert_ptr_null(none);
	}
	/* Malformed. */
	REFUSED(tl_petition_endorse(store, "{\"payload\":1}", 13,
	    NOM_CLOSES + 1, NULL, ERR), TL_EINPUT, "");
	/* The first is recorded, the second is a duplicate. */
	OK(endorse(1, "a1", 0, NOM_CLOSES + 1, E));
	REFUSED(endorse(1, "a1", 0, NOM_CLOSES + 2, ERR), TL_EDUPLICATE,
	    "already endorsed");
	/* The same envelope again is a duplicate too. */
	env = endorsement(1, "a1", 0);
	REFUSED(tl_petition_endorse(store, env, strlen(env), NOM_CLOSES + 3,
	    NULL, ERR), TL_EDUPLICATE, "already endorsed");
	/* After the petitions phase. */
	REFUSED(endorse(1, "a2", 1, PET_CLOSES, ERR), TL_EPHASE, "over");
	free(env);
	ck_assert_int_eq(th_count(store, "endorsements"), 1);
}
END_TEST

START_TEST(threshold_decides_the_candidates)
{
	json_t *status = NULL, *p;
	char ids[256];
	struct tl_error err;

	nominate();
	ck_assert_int_eq(tl_petition_status(store, "c1", &status, &err), TL_OK);
	ck_assert_int_eq(json_array_size(status), 2);
	p = json_array_get(status, 0);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "endorsements")),
	    2);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "threshold")),
	    2);
	ck_assert(json_is_true(json_object_get(p, "reached")));
	p = json_array_get(status, 1);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "endorsements")),
	    1);
	ck_assert(json_is_false(json_object_get(p, "reached")));
	json_decref(status);
	/* The vote does not open during the nomination stage. */
	REFUSED(tl_election_open(store, "c1", PET_CLOSES - 1, ERR), TL_EPHASE,
	    "2030-01-20T00:00:00Z");
	OK(tl_election_open(store, "c1", PET_CLOSES, E));
	ck_assert_str_eq(state(), "open");
	/* cat reached the threshold, dan did not. */
	definition_candidates(0, ids, sizeof(ids));
	ck_assert_str_eq(ids, "ann,ben,cat");
	/* After the stage: no more slate, petitions or endorsements. */
	REFUSED(tl_candidate_add(store, "c1", "ch", "eve", "Eve", PET_CLOSES,
	    ERR), TL_EPHASE, "nominations phase");
	REFUSED(endorse(2, "a4", 3, PET_CLOSES + 1, ERR), TL_EPHASE,
	    "petitions phase");
}
END_TEST

START_TEST(ballots_only_in_voting_phase)
{
	char *env, *receipt = NULL;

	nominate();
	OK(tl_election_open(store, "c1", PET_CLOSES, E));
	env = ballot(0, "a1", "{\"contest\":\"ch\",\"marks\":[\"cat\"]}");
	REFUSED(tl_ballot_cast(store, env, strlen(env), VOTE_OPENS - 1,
	    &receipt, ERR), TL_EWINDOW, "");
	REFUSED(tl_ballot_cast(store, env, strlen(env), VOTE_CLOSES, &receipt,
	    ERR), TL_EWINDOW, "");
	OK(tl_ballot_cast(store, env, strlen(env), VOTE_OPENS, &receipt, E));
	free(receipt);
	free(env);
	/* Closing waits for the end of the voting phase. */
	{
		const char *values[] = {"1 2 3"};

		REFUSED(tl_election_close(store, "c1", values, 1,
		    VOTE_CLOSES - 1, ERR), TL_EPHASE, "voting window runs "
		    "until 2030-02-10T00:00:00Z");
	}
}
END_TEST

START_TEST(amendments_in_the_log)
{
	struct tl_timetable tt;
	json_t *status = NULL;
	struct tl_error err;
	int64_t before;

	OK(tl_election_publish(store, "c1", T_CREATE, E));
	before = log_size();
	REFUSED(tl_election_amend(store, "c1", TL_PHASE_PETITIONS, 0, 0, 1,
	    PET_CLOSES - DAY, NOM_OPENS, ERR), TL_EPHASE, "later");
	/* Petitions run 5 days longer, and voting 5 days later too: the
	 * later phase moves first. */
	REFUSED(tl_election_amend(store, "c1", TL_PHASE_PETITIONS, 0, 0, 1,
	    VOTE_OPENS + DAY, NOM_OPENS, ERR), TL_EPHASE, "voting");
	OK(tl_election_amend(store, "c1", TL_PHASE_PETITIONS, 0, 0, 1,
	    PET_CLOSES + 5 * DAY, NOM_OPENS, E));
	ck_assert_int_eq(log_size(), before + 1);
	ck_assert_int_eq(th_count(store, "amendments"), 1);
	OK(tl_election_timetable(store, "c1", &tt, E));
	ck_assert_int_eq(tt.phase[TL_PHASE_PETITIONS].closes,
	    PET_CLOSES + 5 * DAY);
	ck_assert_int_eq(tt.phase[TL_PHASE_NOMINATIONS].closes, NOM_CLOSES);
	/* An endorsement on the old last day is now in time. */
	{
		int64_t n = 0;

		OK(tl_petition_open(store, "c1", "ch", "cat", "Cat Cole",
		    PET_CLOSES + DAY, &n, E));
	}
	ck_assert_int_eq(tl_election_status(store, "c1", PET_CLOSES + DAY,
	    &status, &err), TL_OK);
	ck_assert_str_eq(json_string_value(json_object_get(status, "phase")),
	    "petitions");
	ck_assert(json_is_true(json_object_get(json_array_get(json_object_get(
	    status, "phases"), TL_PHASE_PETITIONS), "amended")));
	json_decref(status);
	/* The time that has come cannot move. */
	REFUSED(tl_election_amend(store, "c1", TL_PHASE_PETITIONS, 1,
	    NOM_CLOSES + DAY, 0, 0, PET_CLOSES, ERR), TL_EPHASE, "");
}
END_TEST

/* --- certification, challenges, the final result --------------------- */

START_TEST(certification_flow)
{
	struct tl_error err;
	int64_t url_id = 0, number = 0;
	json_t *list = NULL;

	ck_assert_msg(tl_webhook_add(store, "http://127.0.0.1:9/hook", "c1",
	    NULL, "0123456789abcdef0123456789abcdef", 32, T_CREATE, &url_id,
	    &err) == TL_OK, "%s", err.message);
	nominate();
	REFUSED(tl_election_certify(store, "c1", PET_CLOSES, ERR), TL_ESTATE,
	    "");
	vote_and_count();
	/* A challenge before certification has nothing to name. */
	{
		char *none = NULL;

		ck_assert_int_eq(tl_challenge_make(store, "c1", "a4", keys[3],
		    "too early", &none, &err), TL_ESTATE);
		ck_assert_ptr_nonnull(strstr(err.message, "no certified result"));
		ck_assert_ptr_null(none);
	}
	ck_assert_int_eq(th_count(store, "SELECT COUNT(*) FROM webhook_events "
	    "WHERE type = 'result.certified'"), 0);
	OK(tl_election_certify(store, "c1", VOTE_CLOSES + 1, E));
	ck_assert_str_eq(state(), "certified");
	/* result.certified is written with the certification. */
	ck_assert_int_eq(th_count(store, "SELECT COUNT(*) FROM webhook_events "
	    "WHERE type = 'result.certified'"), 1);
	REFUSED(tl_election_certify(store, "c1", VOTE_CLOSES + 2, ERR),
	    TL_ESTATE, "");
	/* Challenges: only in the challenge phase, only by voters on the
	 * roll, with their own key. */
	REFUSED(file_challenge(3, "a4", CH_OPENS - 1, &number, ERR), TL_EPHASE,
	    "challenge phase");
	REFUSED(file_challenge(NKEYS - 1, "z9", CH_OPENS, &number, ERR),
	    TL_ENOTONROLL, "z9");
	REFUSED(file_challenge(2, "a4", CH_OPENS, &number, ERR), TL_ESIGNATURE,
	    "");
	OK(file_challenge(3, "a4", CH_OPENS, &number, E));
	ck_assert_int_eq(number, 1);
	/* Voters of every constituency may challenge. */
	OK(file_challenge(NA, "b1", CH_OPENS + 1, &number, E));
	ck_assert_int_eq(number, 2);
	/* Not final: challenges undecided, and the phase not over. */
	REFUSED(tl_election_finalize(store, "c1", CH_CLOSES, ERR), TL_ESTATE,
	    "undecided");
	REFUSED(tl_challenge_resolve(store, "c1", 9, 0, TL_REMEDY_NONE, "no",
	    CH_OPENS + 2, ERR), TL_ENOTFOUND, "9");
	OK(tl_challenge_resolve(store, "c1", 1, 0, TL_REMEDY_NONE,
	    "The ballots were counted as cast.", CH_OPENS + 2, E));
	REFUSED(tl_challenge_resolve(store, "c1", 1, 1, TL_REMEDY_RECOUNT,
	    "again", CH_OPENS + 3, ERR), TL_EEXISTS, "already decided");
	OK(tl_challenge_resolve(store, "c1", 2, 0, TL_REMEDY_NONE,
	    "Out of scope.", CH_OPENS + 3, E));
	REFUSED(tl_election_finalize(store, "c1", CH_CLOSES - 1, ERR),
	    TL_EPHASE, "challenge phase");
	/* A challenge after the phase. */
	REFUSED(file_challenge(0, "a1", CH_CLOSES, &number, ERR), TL_EPHASE,
	    "over");
	OK(tl_election_finalize(store, "c1", CH_CLOSES, E));
	ck_assert_str_eq(state(), "final");
	ck_assert_int_eq(tl_challenge_list(store, "c1", &list, &err), TL_OK);
	ck_assert_int_eq(json_array_size(list), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list,
	    0), "decision")), "dismissed");
	json_decref(list);
	/* Nothing follows the final statement. */
	REFUSED(tl_election_finalize(store, "c1", CH_CLOSES + 1, ERR),
	    TL_ESTATE, "");
	REFUSED(tl_election_certify(store, "c1", CH_CLOSES + 1, ERR),
	    TL_ESTATE, "");
}
END_TEST

START_TEST(upheld_recount)
{
	int64_t number = 0;
	json_t *result = NULL, *status = NULL;
	struct tl_error err;

	count();
	OK(tl_election_certify(store, "c1", CH_OPENS, E));
	OK(file_challenge(2, "a3", CH_OPENS, &number, E));
	OK(tl_challenge_resolve(store, "c1", number, 1, TL_REMEDY_RECOUNT,
	    "Recount ordered.", CH_OPENS + 1, E));
	/* The result and its certification are withdrawn. */
	ck_assert_str_eq(state(), "closed");
	OK(tl_election_tally(store, "c1", CH_OPENS + 2, &result, E));
	json_decref(result);
	ck_assert_int_eq(th_count(store, "SELECT COUNT(*) FROM log WHERE "
	    "election_id = 'c1' AND kind = 'result'"), 2);
	OK(tl_election_certify(store, "c1", CH_OPENS + 3, E));
	ck_assert_int_eq(th_count(store, "certifications"), 2);
	OK(tl_election_finalize(store, "c1", CH_CLOSES, E));
	ck_assert_int_eq(tl_election_status(store, "c1", CH_CLOSES, &status,
	    &err), TL_OK);
	ck_assert_str_eq(json_string_value(json_object_get(status, "outcome")),
	    "confirmed");
	json_decref(status);
}
END_TEST

START_TEST(upheld_new_vote)
{
	int64_t number = 0;
	json_t *result = NULL, *status = NULL;
	struct tl_error err;

	count();
	OK(tl_election_certify(store, "c1", CH_OPENS, E));
	OK(file_challenge(2, "a3", CH_OPENS, &number, E));
	OK(tl_challenge_resolve(store, "c1", number, 1, TL_REMEDY_NEW_VOTE,
	    "Ballots were lost.", CH_OPENS + 1, E));
	/* The result stands annulled: no new count. */
	{
		int64_t before = stored();

		if (tl_election_tally(store, "c1", CH_OPENS + 2, &result,
		    &err) == TL_OK)
			json_decref(result);
		ck_assert_int_eq(stored(), before);
	}
	ck_assert_int_eq(tl_election_status(store, "c1", CH_OPENS + 2, &status,
	    &err), TL_OK);
	ck_assert(json_is_true(json_object_get(status, "annulled")));
	json_decref(status);
	OK(tl_election_finalize(store, "c1", CH_CLOSES, E));
	ck_assert_int_eq(tl_election_status(store, "c1", CH_CLOSES, &status,
	    &err), TL_OK);
	ck_assert_str_eq(json_string_value(json_object_get(status, "outcome")),
	    "annulled");
	ck_assert(json_is_true(json_object_get(status, "annulled")));
	json_decref(status);
}
END_TEST

/* --- turnout ---------------------------------------------------------- */

static json_t *
constituency(json_t *turnout, size_t i)
{
	return json_array_get(json_object_get(turnout, "constituencies"), i);
}

static int64_t
member(json_t *o, const char *name)
{
	return json_integer_value(json_object_get(o, name));
}

static const char *
text(json_t *o, const char *name)
{
	return json_string_value(json_object_get(o, name));
}

START_TEST(turnout_by_hand)
{
	struct tl_error err;
	struct tl_manifest *m = NULL;
	struct tl_roll *roll = NULL;
	char *csv = th_roll_csv(keys, NA, NB);
	/* a2 (weight 2) and a4 (weight 4, twice: a revote) and b3. */
	const char *voted[] = {"a4", "b3", "a2", "a4"};
	const char *stranger[] = {"a1", "zz"};
	json_t *t = NULL, *c;

	ck_assert_int_eq(tl_manifest_parse(manifest_c1, strlen(manifest_c1),
	    &m, &err), TL_OK);
	ck_assert_int_eq(tl_roll_parse_csv(csv, strlen(csv), "roll.csv", m, &roll,
	    &err), TL_OK);
	ck_assert_int_eq(tl_turnout_compute(m, roll, voted, 4, &t, &err),
	    TL_OK);
	/* a: 2 of 4 voters, 50.00%; weight 6 of 1+2+3+4 = 10, 60.00%. */
	c = constituency(t, 0);
	ck_assert_str_eq(text(c, "constituency"), "a");
	ck_assert_int_eq(member(c, "eligible"), 4);
	ck_assert_int_eq(member(c, "voted"), 2);
	ck_assert_int_eq(member(c, "eligible_weight"), 10);
	ck_assert_int_eq(member(c, "voted_weight"), 6);
	ck_assert_str_eq(text(c, "percent"), "50.00%");
	ck_assert_str_eq(text(c, "percent_weighted"), "60.00%");
	ck_assert(json_is_false(json_object_get(json_array_get(
	    json_object_get(c, "voters"), 0), "voted")));
	ck_assert(json_is_true(json_object_get(json_array_get(
	    json_object_get(c, "voters"), 1), "voted")));
	ck_assert_str_eq(text(json_array_get(json_object_get(c, "voters"), 1),
	    "name"), "Voter A2");
	/* b: 1 of 3, 33.33% both ways (1/3 rounds down). */
	c = constituency(t, 1);
	ck_assert_int_eq(member(c, "voted"), 1);
	ck_assert_str_eq(text(c, "percent"), "33.33%");
	ck_assert_str_eq(text(c, "percent_weighted"), "33.33%");
	json_decref(t);
	/* 2 of 3 rounds up: 66.67%. */
	{
		const char *two[] = {"b1", "b2"};

		ck_assert_int_eq(tl_turnout_compute(m, roll, two, 2, &t, &err),
		    TL_OK);
		ck_assert_str_eq(text(constituency(t, 1), "percent"),
		    "66.67%");
		ck_assert_str_eq(text(constituency(t, 0), "percent"), "0.00%");
		json_decref(t);
	}
	/* A voter who is not on the roll. */
	t = NULL;
	ck_assert_int_eq(tl_turnout_compute(m, roll, stranger, 2, &t, &err),
	    TL_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.message, "zz"));
	ck_assert_ptr_null(t);
	tl_roll_free(roll);
	tl_manifest_free(m);
	free(csv);
}
END_TEST

START_TEST(turnout_from_the_log)
{
	struct tl_error err;
	json_t *t = NULL, *c;
	struct tl_buf buf;

	count();
	ck_assert_int_eq(tl_election_turnout(store, "c1", &t, &err), TL_OK);
	/* a1, a2, a3 of a (weights 1+2+3 of 10); b1 of b. */
	c = constituency(t, 0);
	ck_assert_int_eq(member(c, "voted"), 3);
	ck_assert_int_eq(member(c, "voted_weight"), 6);
	ck_assert_str_eq(text(c, "percent"), "75.00%");
	ck_assert_str_eq(text(c, "percent_weighted"), "60.00%");
	c = constituency(t, 1);
	ck_assert_int_eq(member(c, "voted"), 1);
	ck_assert_str_eq(text(c, "percent"), "33.33%");
	/* CSV: one line per voter. */
	tl_buf_init(&buf, SIZE_MAX);
	ck_assert_int_eq(tl_turnout_render(t, "csv", &buf, &err), TL_OK);
	ck_assert_ptr_nonnull(strstr(buf.data,
	    "constituency,voter_id,name,weight,voted\n"));
	ck_assert_ptr_nonnull(strstr(buf.data, "a3,Voter A3,3,yes\n"));
	ck_assert_ptr_nonnull(strstr(buf.data, "a4,Voter A4,4,no\n"));
	tl_buf_free(&buf);
	tl_buf_init(&buf, SIZE_MAX);
	ck_assert_int_eq(tl_turnout_render(t, "xml", &buf, &err), TL_EUSAGE);
	tl_buf_free(&buf);
	json_decref(t);
}
END_TEST

/* --- RFC 3797 random sources seed the lots ---------------------------- */

/* The lot orders of a result (its contests, without the random values
 * it lists), as text. */
static char *
contests_of(const char *form, const char *value)
{
	static const char base[] =
	    "{\"id\": \"t\", \"title\": \"Ties\","
	    " \"opens\": \"2030-02-01T00:00:00Z\","
	    " \"closes\": \"2030-02-10T00:00:00Z\","
	    " \"constituencies\": [{\"id\": \"a\", \"name\": \"A\"}],"
	    " \"contests\": [{\"id\": \"k\", \"title\": \"K\","
	    "  \"constituency\": \"a\", \"seats\": 2, \"method\": \"approval\","
	    "  \"candidates\": [{\"id\": \"p\", \"name\": \"P\"},"
	    "   {\"id\": \"q\", \"name\": \"Q\"}, {\"id\": \"r\", \"name\": \"R\"},"
	    "   {\"id\": \"s\", \"name\": \"S\"}, {\"id\": \"u\", \"name\": \"U\"},"
	    "   {\"id\": \"v\", \"name\": \"V\"}]}],"
	    " \"random_sources\": [{\"name\": \"draw\", \"form\": \"%s\"}]}";
	struct tl_error err;
	struct tl_manifest *m = NULL;
	struct tl_roll *roll = NULL;
	char *json = NULL, *csv, *out;
	const char *values[] = {value};
	static const char ballot_json[] = "{\"election\": \"t\", "
	    "\"manifest\": \"00\", \"voter\": \"a1\", \"seq\": 1, "
	    "\"selections\": [{\"contest\": \"k\", \"marks\": [\"p\", \"q\", "
	    "\"r\", \"s\", \"u\", \"v\"]}]}";
	struct tl_ballot *ballot = NULL;
	json_t *doc = NULL;

	ck_assert_int_ge(asprintf(&json, base, form), 0);
	ck_assert_msg(tl_manifest_parse(json, strlen(json), &m, &err) == TL_OK,
	    "%s", err.message);
	csv = th_roll_csv(keys, 1, 0);
	ck_assert_int_eq(tl_roll_parse_csv(csv, strlen(csv), "roll.csv", m, &roll,
	    &err), TL_OK);
	/* One approval ballot marking every candidate: they all tie, and lot
	 * fills both seats. */
	ck_assert_msg(tl_ballot_parse(ballot_json, strlen(ballot_json), m, "00",
	    &ballot, &err) == TL_OK, "%s", err.message);
	ck_assert_msg(tl_result_compute(m, "00", roll, &ballot, 1, values, 1,
	    &doc, &err) == TL_OK, "%s", err.message);
	tl_ballot_free(ballot);
	out = json_dumps(json_object_get(doc, "contests"), JSON_SORT_KEYS);
	json_decref(doc);
	tl_roll_free(roll);
	tl_manifest_free(m);
	free(csv);
	free(json);
	return out;
}

START_TEST(rfc3797_seed)
{
	char *a = contests_of("rfc3797", "17 3 42");
	char *b = contests_of("rfc3797", "42  17 3");
	char *key = contests_of("text", "3.17.42./");
	char *raw = contests_of("text", "17 3 42");
	char *other = contests_of("rfc3797", "17 3 43");

	/* The RFC 3797 key string sorts the numbers, so the order they are
	 * entered in does not matter; and the key string is the seed. */
	ck_assert_str_eq(a, b);
	ck_assert_str_eq(a, key);
	ck_assert_str_ne(a, raw);
	ck_assert_str_ne(a, other);
	ck_assert_ptr_nonnull(strstr(a, "lot"));
	free(a);
	free(b);
	free(key);
	free(raw);
	free(other);
}
END_TEST

static Suite *
cycle_suite(void)
{
	Suite *s = suite_create("cycle");
	TCase *tc;

	tc = tcase_create("timetable");
	tcase_add_test(tc, timetable_check);
	tcase_add_test(tc, timetable_locate);
	tcase_add_test(tc, timetable_require);
	tcase_add_test(tc, timetable_amend);
	suite_add_tcase(s, tc);

	tc = tcase_create("nominations");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, publish_rules);
	tcase_add_test(tc, slate_in_nominations_phase);
	tcase_add_test(tc, petition_rules);
	tcase_add_test(tc, threshold_decides_the_candidates);
	tcase_add_test(tc, ballots_only_in_voting_phase);
	tcase_add_test(tc, amendments_in_the_log);
	suite_add_tcase(s, tc);

	tc = tcase_create("certification");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, certification_flow);
	tcase_add_test(tc, upheld_recount);
	tcase_add_test(tc, upheld_new_vote);
	suite_add_tcase(s, tc);

	tc = tcase_create("turnout");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, turnout_by_hand);
	tcase_add_test(tc, turnout_from_the_log);
	tcase_add_test(tc, rfc3797_seed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return th_run(cycle_suite());
}
