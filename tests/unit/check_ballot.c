/*
 * check_ballot.c: ballot payloads: validation against the manifest, the
 * constituency rule, and building ballots from CONTEST=SELECTION.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "teller/ballot.h"
#include "teller/manifest.h"

#define HASH "1111111111111111111111111111111111111111111111111111111111111111"
#define CANDS "[{\"id\": \"x\", \"name\": \"Xavier\"}, {\"id\": \"y\", " \
	"\"name\": \"Yolanda\"}, {\"id\": \"z\", \"name\": \"Zed\"}]"

static const char manifest_json[] =
    "{\"id\": \"e1\", \"title\": \"T\", \"opens\": \"2026-11-22T00:00:00Z\","
    " \"closes\": \"2026-11-23T00:00:00Z\","
    " \"constituencies\": [{\"id\": \"a\"}, {\"id\": \"b\"}],"
    " \"contests\": ["
    "  {\"id\": \"plu\", \"title\": \"P\", \"constituency\": \"a\", \"seats\": 2,"
    "   \"method\": \"plurality\", \"candidates\": " CANDS "},"
    "  {\"id\": \"app\", \"title\": \"A\", \"constituency\": \"a\","
    "   \"method\": \"approval\", \"candidates\": " CANDS "},"
    "  {\"id\": \"irv\", \"title\": \"I\", \"constituency\": \"a\","
    "   \"method\": \"irv\", \"candidates\": " CANDS "},"
    "  {\"id\": \"sch\", \"title\": \"S\", \"constituency\": \"a\","
    "   \"method\": \"schulze\", \"candidates\": " CANDS "},"
    "  {\"id\": \"ref\", \"title\": \"R\", \"constituency\": \"b\","
    "   \"method\": \"referendum\"}]}";

static struct tl_manifest *m;

static void
setup(void)
{
	ck_assert_int_eq(tl_manifest_parse(manifest_json, strlen(manifest_json),
	    &m, NULL), TL_OK);
}

static void
teardown(void)
{
	tl_manifest_free(m);
}

static char *
payload(const char *selections)
{
	char *text = NULL;

	ck_assert_int_ge(asprintf(&text, "{\"election\": \"e1\", \"manifest\": "
	    "\"" HASH "\", \"voter\": \"v1\", \"seq\": 1, \"selections\": [%s]}",
	    selections), 0);
	return text;
}

START_TEST(valid_ballot)
{
	struct tl_ballot *b = NULL;
	struct tl_error err;
	const struct tl_selection *s;
	char *text = payload(
	    "{\"contest\": \"plu\", \"marks\": [\"z\", \"x\"]},"
	    "{\"contest\": \"app\", \"marks\": [\"x\", \"y\", \"z\"]},"
	    "{\"contest\": \"irv\", \"ranking\": [[\"y\"], [\"x\"]]},"
	    "{\"contest\": \"sch\", \"ranking\": [[\"z\"], [\"x\", \"y\"]]}");

	ck_assert_int_eq(tl_ballot_parse(text, strlen(text), m, HASH, &b, &err),
	    TL_OK);
	ck_assert_str_eq(b->election_id, "e1");
	ck_assert_str_eq(b->voter_id, "v1");
	ck_assert_int_eq(b->seq, 1);
	ck_assert_uint_eq(b->nselections, 4);
	s = tl_ballot_selection(b, 0);
	ck_assert_uint_eq(s->n, 2);
	ck_assert_uint_eq(s->prefs[0], 2);
	ck_assert_uint_eq(s->prefs[1], 0 | TL_PREF_EQUAL);
	s = tl_ballot_selection(b, 2);
	ck_assert_uint_eq(s->n, 2);
	ck_assert_uint_eq(s->prefs[0], 1);
	ck_assert_uint_eq(s->prefs[1], 0);
	s = tl_ballot_selection(b, 3);
	ck_assert_uint_eq(s->n, 3);
	ck_assert_uint_eq(s->prefs[0], 2);
	ck_assert_uint_eq(s->prefs[1], 0);
	ck_assert_uint_eq(s->prefs[2], 1 | TL_PREF_EQUAL);
	ck_assert_ptr_null(tl_ballot_selection(b, 4));
	/* The voter's constituency "a" votes in all of these. */
	ck_assert_int_eq(tl_ballot_check_constituency(b, m, 0, &err), TL_OK);
	ck_assert_int_eq(tl_ballot_check_constituency(b, m, 1, &err),
	    TL_ENOTONROLL);
	ck_assert_ptr_nonnull(strstr(err.message, "not of a, which votes in "
	    "contest plu"));
	tl_ballot_free(b);
	free(text);
}
END_TEST

START_TEST(blank_and_answers)
{
	struct tl_ballot *b = NULL;
	struct tl_error err;
	char *text = payload("{\"contest\": \"plu\", \"marks\": []},"
	    "{\"contest\": \"irv\", \"ranking\": []}");

	ck_assert_int_eq(tl_ballot_parse(text, strlen(text), m, HASH, &b, &err),
	    TL_OK);
	ck_assert_uint_eq(tl_ballot_selection(b, 0)->n, 0);
	ck_assert_uint_eq(tl_ballot_selection(b, 2)->n, 0);
	tl_ballot_free(b);
	free(text);
	text = payload("{\"contest\": \"ref\", \"answer\": \"abstain\"}");
	ck_assert_int_eq(tl_ballot_parse(text, strlen(text), m, HASH, &b, &err),
	    TL_OK);
	ck_assert_uint_eq(tl_ballot_selection(b, 4)->n, 1);
	ck_assert_uint_eq(tl_ballot_selection(b, 4)->prefs[0], TL_ANSWER_ABSTAIN);
	ck_assert_int_eq(tl_ballot_check_constituency(b, m, 1, &err), TL_OK);
	tl_ballot_free(b);
	free(text);
}
END_TEST

static const struct {
	const char *selections;
	int code;
	const char *message;
} bad[] = {
	{"{\"contest\": \"nope\", \"marks\": []}", TL_EBALLOT,
	    "\"nope\" is not a contest of election e1"},
	{"{\"contest\": \"plu\", \"marks\": [\"w\"]}", TL_EBALLOT,
	    "contest plu: \"w\" is not one of its candidates"},
	{"{\"contest\": \"plu\", \"marks\": [\"x\", \"x\"]}", TL_EBALLOT,
	    "contest plu: candidate x is marked more than once"},
	{"{\"contest\": \"plu\", \"marks\": [\"x\", \"y\", \"z\"]}", TL_EBALLOT,
	    "contest plu: 3 marks, but a plurality ballot may mark at most 2"},
	{"{\"contest\": \"plu\", \"ranking\": [[\"x\"]]}", TL_EBALLOT,
	    "a plurality selection is \"marks\""},
	{"{\"contest\": \"plu\", \"marks\": [1]}", TL_EBALLOT,
	    "marks[0] must be a candidate id"},
	{"{\"contest\": \"irv\", \"ranking\": [[\"x\", \"y\"]]}", TL_EBALLOT,
	    "ranks 2 candidates equal, which irv does not allow"},
	{"{\"contest\": \"irv\", \"ranking\": [[\"x\"], [\"x\"]]}", TL_EBALLOT,
	    "candidate x is marked more than once"},
	{"{\"contest\": \"irv\", \"ranking\": [[]]}", TL_EBALLOT,
	    "ranking[0] must be a non-empty list"},
	{"{\"contest\": \"sch\", \"ranking\": [[\"x\", \"y\"], [\"y\"]]}",
	    TL_EBALLOT, "candidate y is marked more than once"},
	{"{\"contest\": \"ref\", \"answer\": \"maybe\"}", TL_EBALLOT,
	    "answer \"maybe\" is not yes, no or abstain"},
	{"{\"contest\": \"ref\", \"answer\": \"yes\", \"marks\": []}", TL_EBALLOT,
	    "a referendum selection is \"answer\""},
	{"{\"contest\": \"plu\", \"marks\": []}, {\"contest\": \"plu\", "
	    "\"marks\": []}", TL_EBALLOT, "the ballot has two selections for it"},
	{"{\"contest\": \"plu\", \"marks\": [], \"note\": 1}", TL_EBALLOT,
	    "unknown field \"note\""},
	{"\"plu\"", TL_EBALLOT, "selections[0]: must be an object"},
};

START_TEST(rejections)
{
	struct tl_ballot *b = NULL;
	struct tl_error err;
	char *text = payload(bad[_i].selections);

	ck_assert_msg(tl_ballot_parse(text, strlen(text), m, HASH, &b, &err) ==
	    bad[_i].code, "case %d: got %d %s", _i, err.code, err.message);
	ck_assert_ptr_null(b);
	ck_assert_msg(strstr(err.message, bad[_i].message) != NULL,
	    "case %d: \"%s\" lacks \"%s\"", _i, err.message, bad[_i].message);
	free(text);
}
END_TEST

START_TEST(wrong_election_or_manifest)
{
	struct tl_ballot *b = NULL;
	struct tl_error err;
	const char *other = "{\"election\": \"e2\", \"manifest\": \"" HASH "\","
	    " \"voter\": \"v1\", \"seq\": 1, \"selections\": []}";
	const char *stale = "{\"election\": \"e1\", \"manifest\": \"22\","
	    " \"voter\": \"v1\", \"seq\": 1, \"selections\": []}";
	const char *noseq = "{\"election\": \"e1\", \"manifest\": \"" HASH "\","
	    " \"voter\": \"v1\", \"seq\": 0, \"selections\": []}";
	const char *extra = "{\"election\": \"e1\", \"manifest\": \"" HASH "\","
	    " \"voter\": \"v1\", \"seq\": 1, \"selections\": [], \"x\": 1}";

	ck_assert_int_eq(tl_ballot_parse(other, strlen(other), m, HASH, &b,
	    &err), TL_EWRONGELECTION);
	ck_assert_ptr_nonnull(strstr(err.message, "for election \"e2\", not e1"));
	ck_assert_int_eq(tl_ballot_parse(stale, strlen(stale), m, HASH, &b,
	    &err), TL_EWRONGELECTION);
	ck_assert_ptr_nonnull(strstr(err.message, "names manifest"));
	ck_assert_int_eq(tl_ballot_parse(noseq, strlen(noseq), m, HASH, &b,
	    &err), TL_EBALLOT);
	ck_assert_ptr_nonnull(strstr(err.message, "seq: 0 is out of range"));
	ck_assert_int_eq(tl_ballot_parse(extra, strlen(extra), m, HASH, &b,
	    &err), TL_EBALLOT);
	ck_assert_int_eq(tl_ballot_parse("[1]", 3, m, HASH, &b, &err),
	    TL_EBALLOT);
	ck_assert_ptr_null(b);
}
END_TEST

START_TEST(build_from_arguments)
{
	static const char *const votes[] = {"plu=Zed, x", "irv= y > z > x",
	    "sch=x=y>z", "ref=no", "app="};
	struct tl_ballot *b = NULL;
	struct tl_error err;
	char *text = NULL;
	size_t len = 0;

	/* "ref" is constituency b's, so this ballot fails the constituency
	 * check below, but builds: the manifest alone does not say who may
	 * vote where. */
	ck_assert_int_eq(tl_ballot_build(m, HASH, "v9", 3, votes, 5, &text,
	    &len, &err), TL_OK);
	ck_assert_str_eq(text, "{\"election\":\"e1\",\"manifest\":\"" HASH "\","
	    "\"voter\":\"v9\",\"seq\":3,\"selections\":["
	    "{\"contest\":\"plu\",\"marks\":[\"z\",\"x\"]},"
	    "{\"contest\":\"irv\",\"ranking\":[[\"y\"],[\"z\"],[\"x\"]]},"
	    "{\"contest\":\"sch\",\"ranking\":[[\"x\",\"y\"],[\"z\"]]},"
	    "{\"contest\":\"ref\",\"answer\":\"no\"},"
	    "{\"contest\":\"app\",\"marks\":[]}]}");
	ck_assert_int_eq(tl_ballot_parse(text, len, m, HASH, &b, &err), TL_OK);
	ck_assert_int_eq(tl_ballot_check_constituency(b, m, 0, &err),
	    TL_ENOTONROLL);
	tl_ballot_free(b);
	free(text);
}
END_TEST

START_TEST(build_rejections)
{
	static const struct {
		const char *vote;
		int code;
		const char *message;
	} cases[] = {
		{"plu", TL_EUSAGE, "expected CONTEST=SELECTION"},
		{"zzz=x", TL_EBALLOT, "\"zzz\" is not a contest"},
		{"plu=x,y,z", TL_EBALLOT, "at most 2"},
		{"plu=w", TL_EBALLOT, "\"w\" is not one of its candidates"},
		{"irv=x=y", TL_EBALLOT, "which irv does not allow"},
		{"irv=x>>y", TL_EBALLOT, "an empty rank"},
		{"irv=x>", TL_EBALLOT, "an empty rank"},
		{"ref=", TL_EBALLOT, "is not yes, no or abstain"},
	};
	struct tl_error err;
	char *text = NULL;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *v[1] = {cases[i].vote};

		ck_assert_msg(tl_ballot_build(m, HASH, "v1", 1, v, 1, &text,
		    NULL, &err) == cases[i].code, "\"%s\": %d %s", cases[i].vote,
		    err.code, err.message);
		ck_assert_msg(strstr(err.message, cases[i].message) != NULL,
		    "\"%s\": \"%s\" lacks \"%s\"", cases[i].vote, err.message,
		    cases[i].message);
	}
}
END_TEST

static Suite *
ballot_suite(void)
{
	Suite *s = suite_create("ballot");
	TCase *tc = tcase_create("ballot");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, valid_ballot);
	tcase_add_test(tc, blank_and_answers);
	tcase_add_loop_test(tc, rejections, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, wrong_election_or_manifest);
	tcase_add_test(tc, build_from_arguments);
	tcase_add_test(tc, build_rejections);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return th_run(ballot_suite());
}
