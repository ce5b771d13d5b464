/*
 * check_manifest.c: the election definition: a valid manifest's fields,
 * and each rule with the field path its error names.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "secret_fixture.h"
#include "teller/count.h"
#include "teller/manifest.h"

START_TEST(valid_manifest)
{
	struct tl_manifest *m = NULL;
	struct tl_error err;
	const char *json = th_manifest_json(0);
	const struct tl_contest *c;
	char *text = NULL;

	ck_assert_int_eq(tl_manifest_parse(json, strlen(json), &m, &err), TL_OK);
	ck_assert_str_eq(m->id, "e1");
	ck_assert_str_eq(m->title, "Test election");
	ck_assert_int_eq(m->secrecy, TL_SECRECY_OPEN);
	ck_assert_int_eq(m->revote, TL_REVOTE_LAST);
	ck_assert_int_eq(m->opens, TH_NOW - 10 * 3600);
	ck_assert_int_eq(m->closes, TH_NOW + 14 * 3600);
	ck_assert_uint_eq(m->nconstituencies, 2);
	ck_assert_str_eq(m->constituencies[1].name, "Group B");
	ck_assert_uint_eq(m->ncontests, 3);
	c = tl_manifest_contest(m, "plu");
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->method, TL_METHOD_PLURALITY);
	ck_assert_uint_eq(c->seats, 2);
	ck_assert_uint_eq(c->ncandidates, 3);
	ck_assert_uint_eq(c->constituency_index, 0);
	ck_assert_uint_eq(tl_contest_candidate_index(c, "z"), 2);
	ck_assert_uint_eq(tl_contest_candidate_index(c, "w"), (size_t)-1);
	c = tl_manifest_contest(m, "app");
	ck_assert_uint_eq(c->seats, 1); /* the default */
	c = tl_manifest_contest(m, "ref");
	ck_assert_int_eq(c->method, TL_METHOD_REFERENDUM);
	ck_assert_uint_eq(c->constituency_index, 1);
	ck_assert_ptr_null(tl_manifest_contest(m, "nope"));
	ck_assert_uint_eq(m->nrandom_sources, 1);
	ck_assert_ptr_null(m->authority_key);
	ck_assert_int_eq(tl_manifest_set_authority(m,
	    "PUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw="), TL_OK);
	ck_assert_int_eq(tl_manifest_serialize(m, &text, NULL), TL_OK);
	ck_assert_ptr_nonnull(strstr(text, "\"authority_key\":"
	    "\"PUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw=\""));
	tl_manifest_free(m);
	/* What is serialised parses back to the same definition. */
	ck_assert_int_eq(tl_manifest_parse(text, strlen(text), &m, &err), TL_OK);
	ck_assert_str_eq(m->authority_key,
	    "PUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw=");
	ck_assert_uint_eq(m->ncontests, 3);
	free(text);
	tl_manifest_free(m);
}
END_TEST

/* "secret" is a secrecy of its own, kept in the signed document. */
START_TEST(secret_manifest)
{
	struct tl_manifest *m = NULL;
	struct tl_error err;
	const char *json = sf_manifest_json(0);
	char *text = NULL;
	size_t len = 0;

	ck_assert_int_eq(tl_manifest_parse(json, strlen(json), &m, &err), TL_OK);
	ck_assert_int_eq(m->secrecy, TL_SECRECY_SECRET);
	ck_assert_int_eq(tl_manifest_serialize(m, &text, &len), TL_OK);
	ck_assert_ptr_nonnull(strstr(text, "\"secrecy\":\"secret\""));
	free(text);
	tl_manifest_free(m);
}
END_TEST

#define TK1 "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
#define TK2 "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI="
#define TK3 "AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM="
#define TRUSTEE(ID, IDK, SK) "{\"id\": \"" ID "\", \"identity_key\": \"" \
	IDK "\", \"sealing_key\": \"" SK "\"}"

/* A secret election's trustees and threshold (doc/record-format.md 5.1):
 * what a sealed manifest holds, and what makes one invalid. */
START_TEST(trustees)
{
	static const struct {
		const char *members;
		const char *message;
	} bad[] = {
		{"\"trustees\": [" TRUSTEE("t1", TK1, TK2) "], ",
		    "threshold: missing"},
		{"\"threshold\": 1, ", "only an election that names trustees"},
		{"\"trustees\": [" TRUSTEE("t1", TK1, TK2) "], \"threshold\": 2, ",
		    "threshold"},
		{"\"trustees\": [" TRUSTEE("t1", TK1, TK2) "], \"threshold\": 0, ",
		    "threshold"},
		{"\"trustees\": [], \"threshold\": 1, ", "1 to 15 trustees"},
		{"\"trustees\": [" TRUSTEE("t1", TK1, TK2) ", " TRUSTEE("t1", TK2,
		    TK3) "], \"threshold\": 1, ", "trustees[1].id: \"t1\" is "
		    "already"},
		{"\"trustees\": [" TRUSTEE("t1", TK1, TK2) ", " TRUSTEE("t2", TK3,
		    TK2) "], \"threshold\": 1, ", "trustees[1].sealing_key: already"},
		{"\"trustees\": [" TRUSTEE("t1", TK1, TK2) ", " TRUSTEE("t2", TK1,
		    TK3) "], \"threshold\": 1, ", "trustees[1].identity_key: "
		    "already"},
		{"\"trustees\": [" TRUSTEE("t1", TK1, "AQID") "], \"threshold\": 1, ",
		    "trustees[0].sealing_key: not the base64 of an X25519"},
		{"\"trustees\": [" TRUSTEE("t1", "x", TK2) "], \"threshold\": 1, ",
		    "trustees[0].identity_key: not the base64"},
		/* Points of small order: 0, 1, p - 1 and one of order 8. */
		{"\"trustees\": [" TRUSTEE("t1", TK1, "AAAAAAAAAAAAAAAAAAAAAAAAAAA"
		    "AAAAAAAAAAAAAAAA=") "], \"threshold\": 1, ",
		    "trustees[0].sealing_key: a point of small order"},
		{"\"trustees\": [" TRUSTEE("t1", TK1, TK2) ", " TRUSTEE("t2", TK3,
		    "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=") "], "
		    "\"threshold\": 1, ", "trustees[1].sealing_key: a point of "
		    "small order"},
		{"\"trustees\": [" TRUSTEE("t1", TK1, "7P//////////////////////////"
		    "/////////////38=") "], \"threshold\": 1, ",
		    "trustees[0].sealing_key: a point of small order"},
		{"\"trustees\": [" TRUSTEE("t1", TK1, "4Ot6fDtBuK4WVuP68Z/EatoJjeuc"
		    "MrH9hmIFFl9JuAA=") "], \"threshold\": 1, ",
		    "trustees[0].sealing_key: a point of small order"},
		{"\"trustees\": [{\"id\": \"t1\", \"identity_key\": \"" TK1 "\","
		    " \"sealing_key\": \"" TK2 "\", \"role\": \"x\"}], "
		    "\"threshold\": 1, ", "trustees[0]"},
	};
	struct tl_manifest *m = NULL;
	struct tl_error err;
	const char *json;
	char *open;

	sf_set_trustees("\"trustees\": [" TRUSTEE("t1", TK1, TK2) ", "
	    "{\"id\": \"t2\", \"name\": \"Second\", \"identity_key\": \""
	    TK2 "\", \"sealing_key\": \"" TK3 "\"}], \"threshold\": 2, ");
	json = sf_manifest_json(0);
	ck_assert_msg(tl_manifest_parse(json, strlen(json), &m, &err) == TL_OK,
	    "%s", err.message);
	ck_assert(tl_manifest_sealed(m));
	ck_assert_uint_eq(m->ntrustees, 2);
	ck_assert_uint_eq(m->threshold, 2);
	ck_assert_str_eq(m->trustees[0].name, "t1");
	ck_assert_str_eq(m->trustees[1].name, "Second");
	ck_assert_uint_eq(m->trustees[1].sealing_key[0], 3);
	ck_assert_uint_eq(tl_manifest_trustee_index(m, "t2"), 1);
	ck_assert_uint_eq(tl_manifest_trustee_by_key(m, TK1), 0);
	ck_assert_uint_eq(tl_manifest_trustee_index(m, "t3"), (size_t)-1);
	tl_manifest_free(m);
	m = NULL;
	/* Only a secret election seals. */
	open = strdup(json);
	memcpy(strstr(open, "\"secret\""), "\"open\"  ", 8);
	ck_assert_int_eq(tl_manifest_parse(open, strlen(open), &m, &err),
	    TL_EMANIFEST);
	ck_assert_ptr_nonnull(strstr(err.message, "only a secret election"));
	free(open);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sf_set_trustees(bad[i].members);
		json = sf_manifest_json(0);
		ck_assert_msg(tl_manifest_parse(json, strlen(json), &m, &err) ==
		    TL_EMANIFEST, "case %zu accepted", i);
		ck_assert_msg(strstr(err.message, bad[i].message) != NULL,
		    "case %zu: \"%s\" lacks \"%s\"", i, err.message,
		    bad[i].message);
	}
	sf_set_trustees(NULL);
	/* Without trustees: a secret election that is not sealed. */
	json = sf_manifest_json(0);
	ck_assert_int_eq(tl_manifest_parse(json, strlen(json), &m, &err), TL_OK);
	ck_assert(!tl_manifest_sealed(m));
	tl_manifest_free(m);
}
END_TEST

START_TEST(method_names)
{
	for (int i = 0; i < TL_METHOD_COUNT; i++)
		ck_assert_int_eq(tl_method_from_name(tl_method_name(
		    (enum tl_method)i)), i);
	ck_assert_int_eq(tl_method_from_name("borda"), -1);
	ck_assert_int_eq(tl_method_from_name("stv-scottish"),
	    TL_METHOD_STV_SCOTTISH);
	ck_assert(tl_method_allows_equal_ranks(TL_METHOD_SCHULZE));
	ck_assert(!tl_method_allows_equal_ranks(TL_METHOD_IRV));
	ck_assert_int_eq(tl_method_selection_kind(TL_METHOD_APPROVAL),
	    TL_SELECTION_MARKS);
	ck_assert_int_eq(tl_method_selection_kind(TL_METHOD_STV_MEEK),
	    TL_SELECTION_RANKING);
	ck_assert_int_eq(tl_method_selection_kind(TL_METHOD_REFERENDUM),
	    TL_SELECTION_ANSWER);
}
END_TEST

/* A manifest with one contest whose JSON is given, around a fixed frame. */
static char *
with_contest(const char *contest, const char *extra)
{
	char *text = NULL;

	ck_assert_int_ge(asprintf(&text,
	    "{\"id\": \"e\", \"title\": \"T\", \"opens\": \"2026-11-22T00:00:00Z\","
	    " \"closes\": \"2026-11-23T00:00:00Z\", %s"
	    " \"constituencies\": [{\"id\": \"a\"}], \"contests\": [%s]}",
	    extra, contest), 0);
	return text;
}

#define CANDS "\"candidates\": [{\"id\": \"x\", \"name\": \"X\"}, {\"id\": \"y\", \"name\": \"Y\"}]"

static const struct {
	const char *contest;
	const char *extra;
	const char *message;
} bad_cases[] = {
	{"{\"id\": \"c\", \"title\": \"C\", \"constituency\": \"a\", \"method\": "
	    "\"plurality\", " CANDS "}", "\"colour\": 1,",
	    "unknown field \"colour\""},
	{"{\"id\": \"c d\", \"title\": \"C\", \"constituency\": \"a\", \"method\": "
	    "\"plurality\", " CANDS "}", "", "contests[0].id: \"c d\" is not a valid id"},
	{"{\"id\": \"c\", \"title\": \"C\", \"constituency\": \"zz\", \"method\": "
	    "\"plurality\", " CANDS "}", "", "contests[0].constituency: \"zz\""},
	{"{\"id\": \"c\", \"title\": \"C\", \"constituency\": \"a\", \"method\": "
	    "\"borda\", " CANDS "}", "", "contests[0].method: \"borda\" is not a method"},
	{"{\"id\": \"c\", \"title\": \"C\", \"constituency\": \"a\", \"method\": "
	    "\"plurality\", \"seats\": 3, " CANDS "}", "",
	    "contests[0].seats: 3 seats but only 2 candidates"},
	{"{\"id\": \"c\", \"title\": \"C\", \"constituency\": \"a\", \"method\": "
	    "\"plurality\", \"seats\": 0, " CANDS "}", "", "contests[0].seats: 0 is out of range"},
	{"{\"id\": \"c\", \"title\": \"C\", \"constituency\": \"a\", \"method\": "
	    "\"plurality\"}", "", "contests[0].candidates: a plurality contest needs candidates"},
	{"{\"id\": \"c\", \"title\": \"C\", \"constituency\": \"a\", \"method\": "
	    "\"referendum\", " CANDS "}", "", "a referendum has no candidates"},
	{"{\"id\": \"c\", \"title\": \"C\", \"constituency\": \"a\", \"method\": "
	    "\"irv\", \"seats\": 2, " CANDS "}", "", "irv fills one seat"},
	{"{\"id\": \"c\", \"title\": \"C\", \"constituency\": \"a\", \"method\": "
	    "\"plurality\", \"candidates\": [{\"id\": \"x\", \"name\": \"X\"}, "
	    "{\"id\": \"x\", \"name\": \"Y\"}]}", "",
	    "contests[0].candidates[1].id: \"x\" is already the id of candidates[0]"},
	{"{\"id\": \"c\", \"title\": \"C\", \"constituency\": \"a\", \"method\": "
	    "\"plurality\", \"candidates\": [{\"id\": \"x\", \"name\": \"X\"}, "
	    "{\"id\": \"y\", \"name\": \"X\"}]}", "", "is already the name"},
	{"{\"id\": \"c\", \"title\": \"C\", \"constituency\": \"a\", \"method\": "
	    "\"plurality\", \"candidates\": [{\"id\": \"x\"}]}", "",
	    "contests[0].candidates[0].name: missing"},
	{"{\"id\": \"c\", \"title\": \"C\", \"constituency\": \"a\", \"method\": "
	    "\"referendum\", \"options\": {\"threshold\": \"most\"}}", "",
	    "contests[0].options.threshold: must be \"majority\" or \"two-thirds\""},
	{"{\"id\": \"c\", \"title\": \"C\", \"constituency\": \"a\", \"method\": "
	    "\"referendum\", \"options\": {\"quorum\": 101}}", "",
	    "contests[0].options.quorum"},
	{"{\"id\": \"c\", \"title\": \"C\", \"constituency\": \"a\", \"method\": "
	    "\"plurality\", \"options\": {\"threshold\": \"majority\"}, " CANDS
	    "}", "", "\"threshold\" is not an option of plurality"},
	{"{\"id\": \"c\", \"title\": \"C\", \"constituency\": \"a\", \"method\": "
	    "\"plurality\", \"options\": {\"quorum_ballots\": \"5\"}, " CANDS
	    "}", "", "contests[0].options.quorum_ballots: must be a whole number"},
	{"{\"id\": \"c\", \"title\": \"C\", \"constituency\": \"a\", \"method\": "
	    "\"plurality\", " CANDS "}, {\"id\": \"c\", \"title\": \"D\", "
	    "\"constituency\": \"a\", \"method\": \"approval\", " CANDS "}", "",
	    "contests[1].id: \"c\" is already the id of contests[0]"},
	{"{\"id\": \"c\", \"title\": \"C\", \"constituency\": \"a\", \"method\": "
	    "\"plurality\", " CANDS "}", "\"revote\": \"sometimes\",",
	    "revote: \"sometimes\" is not"},
	{"{\"id\": \"c\", \"title\": \"C\", \"constituency\": \"a\", \"method\": "
	    "\"plurality\", " CANDS "}", "\"secrecy\": \"anonymous\",",
	    "secrecy: \"anonymous\" is not \"open\" or \"secret\""},
	{"{\"id\": \"c\", \"title\": \"C\", \"constituency\": \"a\", \"method\": "
	    "\"plurality\", " CANDS "}", "\"authority_key\": \"abc\",",
	    "authority_key: not the base64"},
	{"{\"id\": \"c\", \"title\": \"C\", \"constituency\": \"a\", \"method\": "
	    "\"plurality\", " CANDS "}", "\"random_sources\": [{\"description\": "
	    "\"x\"}],", "random_sources[0].name: missing"},
	{"{\"id\": \"c\", \"title\": \"\", \"constituency\": \"a\", \"method\": "
	    "\"plurality\", " CANDS "}", "", "contests[0].title: must be 1 to"},
	/* The ranked methods' reports name the non-transferable papers
	 * beside the candidates (doc/result-format.md, section 1). */
	{"{\"id\": \"c\", \"title\": \"C\", \"constituency\": \"a\", \"method\": "
	    "\"stv-scottish\", \"candidates\": [{\"id\": \"x\", \"name\": \"X\"}, "
	    "{\"id\": \"non-transferable\", \"name\": \"N\"}]}", "",
	    "contests[0].candidates[1].id: \"non-transferable\" is reserved"},
};

/* A referendum's "candidates" may be absent or the empty list: both mean
 * no candidates (doc/record-format.md 5.1); a non-empty one is refused
 * above. */
START_TEST(referendum_empty_candidates)
{
	static const char *const forms[] = {"", ", \"candidates\": []"};
	struct tl_manifest *m = NULL;
	struct tl_error err;
	char contest[256], *text;

	snprintf(contest, sizeof(contest), "{\"id\": \"c\", \"title\": \"C\", "
	    "\"constituency\": \"a\", \"method\": \"referendum\"%s}",
	    forms[_i]);
	text = with_contest(contest, "");
	ck_assert_msg(tl_manifest_parse(text, strlen(text), &m, &err) ==
	    TL_OK, "%s", err.message);
	ck_assert_uint_eq(m->contests[0].ncandidates, 0);
	tl_manifest_free(m);
	free(text);
}
END_TEST

START_TEST(rejections)
{
	struct tl_manifest *m = NULL;
	struct tl_error err;
	char *text = with_contest(bad_cases[_i].contest, bad_cases[_i].extra);

	ck_assert_msg(tl_manifest_parse(text, strlen(text), &m, &err) ==
	    TL_EMANIFEST, "case %d accepted", _i);
	ck_assert_ptr_null(m);
	ck_assert_msg(strstr(err.message, bad_cases[_i].message) != NULL,
	    "case %d: message \"%s\" lacks \"%s\"", _i, err.message,
	    bad_cases[_i].message);
	free(text);
}
END_TEST

START_TEST(top_level_rejections)
{
	static const struct {
		const char *json;
		const char *message;
	} cases[] = {
		{"[]", "must be a JSON object"},
		{"{", "not valid JSON"},
		{"{\"title\": \"T\"}", "id: missing"},
		{"{\"id\": \"e\", \"title\": \"T\", \"opens\": \"tomorrow\"}",
		    "opens: \"tomorrow\" is not a UTC time"},
		{"{\"id\": \"e\", \"title\": \"T\", \"opens\": \"2026-11-23T00:00:00Z\","
		    " \"closes\": \"2026-11-22T00:00:00Z\", \"constituencies\": "
		    "[{\"id\": \"a\"}], \"contests\": []}", "closes: must be after opens"},
		{"{\"id\": \"e\", \"title\": \"T\", \"opens\": \"2026-11-22T00:00:00Z\","
		    " \"closes\": \"2026-11-23T00:00:00Z\", \"constituencies\": [],"
		    " \"contests\": []}", "constituencies: at least one"},
		{"{\"id\": \"e\", \"title\": \"T\", \"opens\": \"2026-11-22T00:00:00Z\","
		    " \"closes\": \"2026-11-23T00:00:00Z\", \"constituencies\": "
		    "[{\"id\": \"a\"}, {\"id\": \"a\"}], \"contests\": []}",
		    "constituencies[1].id: \"a\" is already"},
		{"{\"id\": \"e\", \"title\": \"T\", \"opens\": \"2026-11-22T00:00:00Z\","
		    " \"closes\": \"2026-11-23T00:00:00Z\", \"constituencies\": "
		    "[{\"id\": \"a\"}], \"contests\": []}", "contests: there must be 1"},
		{"{\"id\": \"e\", \"id\": \"f\"}", "not valid JSON"},
	};
	struct tl_manifest *m = NULL;
	struct tl_error err;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(tl_manifest_parse(cases[i].json,
		    strlen(cases[i].json), &m, &err) == TL_EMANIFEST,
		    "case %zu accepted", i);
		ck_assert_msg(strstr(err.message, cases[i].message) != NULL,
		    "case %zu: \"%s\" lacks \"%s\"", i, err.message,
		    cases[i].message);
	}
}
END_TEST

/* A constituency's "weights": the bounds of its voters' weights. */
START_TEST(weight_bounds)
{
	static const struct {
		const char *weights;
		const char *message; /* NULL: valid */
		int64_t min, max;
	} cases[] = {
		{"", NULL, 1, TL_WEIGHT_MAX},
		{", \"weights\": {\"min\": 1, \"max\": 6}", NULL, 1, 6},
		{", \"weights\": {\"min\": 3, \"max\": 3}", NULL, 3, 3},
		{", \"weights\": {\"min\": 1, \"max\": 1000}", NULL, 1, 1000},
		{", \"weights\": {\"min\": 7, \"max\": 6}",
		    "constituencies[0].weights: min 7 is more than max 6", 0, 0},
		{", \"weights\": {\"min\": 0, \"max\": 6}",
		    "constituencies[0].weights.min: 0 is out of range (1 to 1000)",
		    0, 0},
		{", \"weights\": {\"min\": 1, \"max\": 1001}",
		    "constituencies[0].weights.max: 1001 is out of range", 0, 0},
		{", \"weights\": {\"max\": 6}",
		    "constituencies[0].weights.min: missing", 0, 0},
		{", \"weights\": {\"min\": 1, \"max\": 6, \"step\": 1}",
		    "unknown field \"step\"", 0, 0},
		{", \"weights\": [1, 6]",
		    "constituencies[0].weights: must be an object", 0, 0},
		{", \"weights\": {\"min\": 1.5, \"max\": 6}",
		    "constituencies[0].weights.min: must be an integer", 0, 0},
	};
	struct tl_manifest *m = NULL;
	struct tl_error err;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = NULL;

		ck_assert_int_ge(asprintf(&text, "{\"id\": \"e\", \"title\": "
		    "\"T\", \"opens\": \"2026-11-22T00:00:00Z\", \"closes\": "
		    "\"2026-11-23T00:00:00Z\", \"constituencies\": [{\"id\": "
		    "\"a\"%s}], \"contests\": [{\"id\": \"c\", \"title\": "
		    "\"C\", \"constituency\": \"a\", \"method\": "
		    "\"plurality\", " CANDS "}]}", cases[i].weights), 0);
		m = NULL;
		tl_error_clear(&err);
		if (cases[i].message == NULL) {
			ck_assert_msg(tl_manifest_parse(text, strlen(text), &m,
			    &err) == TL_OK, "case %zu: %s", i, err.message);
			ck_assert_int_eq(m->constituencies[0].weight_min,
			    cases[i].min);
			ck_assert_int_eq(m->constituencies[0].weight_max,
			    cases[i].max);
			tl_manifest_free(m);
		} else {
			ck_assert_msg(tl_manifest_parse(text, strlen(text), &m,
			    &err) == TL_EMANIFEST, "case %zu accepted", i);
			ck_assert_msg(strstr(err.message, cases[i].message) !=
			    NULL, "case %zu: \"%s\" lacks \"%s\"", i,
			    err.message, cases[i].message);
		}
		free(text);
	}
}
END_TEST

START_TEST(size_limit)
{
	struct tl_manifest *m = NULL;
	struct tl_error err;
	size_t len = TL_MANIFEST_MAX + 1;
	char *big = malloc(len);

	memset(big, ' ', len);
	ck_assert_int_eq(tl_manifest_parse(big, len, &m, &err), TL_ETOOBIG);
	free(big);
}
END_TEST

static Suite *
manifest_suite(void)
{
	Suite *s = suite_create("manifest");
	TCase *tc = tcase_create("manifest");

	tcase_add_test(tc, valid_manifest);
	tcase_add_test(tc, secret_manifest);
	tcase_add_test(tc, trustees);
	tcase_add_test(tc, method_names);
	tcase_add_loop_test(tc, rejections, 0,
	    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_loop_test(tc, referendum_empty_candidates, 0, 2);
	tcase_add_test(tc, top_level_rejections);
	tcase_add_test(tc, weight_bounds);
	tcase_add_test(tc, size_limit);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return th_run(manifest_suite());
}
