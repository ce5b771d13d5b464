/*
 * check_ballot.c: ballot payloads: validation against the manifest, the
 * constituency rule, building ballots from CONTEST=SELECTION, and the fast
 * path for teller's compact form held to the general one.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "teller/ballot.h"
#include "teller/envelope.h"
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

/*
 * tl_ballot_parse reads a payload in teller's compact form by a fast path,
 * and anything else with Jansson.  The same text with a blank after it
 * (which JSON allows) always takes the general path: the two must agree on
 * every payload, valid or not, with the same ballot or the same error.
 */
static void
same_ballot(const struct tl_ballot *a, const struct tl_ballot *b)
{
	ck_assert_str_eq(a->election_id, b->election_id);
	ck_assert_str_eq(a->manifest_hash, b->manifest_hash);
	ck_assert_str_eq(a->voter_id, b->voter_id);
	ck_assert_int_eq(a->seq, b->seq);
	ck_assert_uint_eq(a->nselections, b->nselections);
	ck_assert_int_eq(a->selections == NULL, b->selections == NULL);
	for (size_t i = 0; i < a->nselections; i++) {
		const struct tl_selection *x = &a->selections[i];
		const struct tl_selection *y = &b->selections[i];

		ck_assert_uint_eq(x->contest_index, y->contest_index);
		ck_assert_uint_eq(x->n, y->n);
		ck_assert_int_eq(x->prefs == NULL, y->prefs == NULL);
		for (size_t k = 0; k < x->n; k++)
			ck_assert_uint_eq(x->prefs[k], y->prefs[k]);
	}
}

/* Whether the fast path took text; checks it against the general path. */
static int
same_either_way(const char *text, size_t len, const char *hash, int want)
{
	static const char json_error[] = "ballot is not valid JSON";
	struct tl_ballot *fast = NULL, *full = NULL, *slow = NULL;
	struct tl_error e1, e2;
	char *spaced = malloc(len + 1);
	int rf, r1, r2;

	ck_assert_ptr_nonnull(spaced);
	memcpy(spaced, text, len);
	spaced[len] = ' ';
	memset(&e1, 0, sizeof(e1));
	memset(&e2, 0, sizeof(e2));
	ck_assert_int_eq(tl_ballot_parse_canonical(spaced, len + 1, m, hash,
	    &slow), TL_EINPUT);
	ck_assert_ptr_null(slow);
	rf = tl_ballot_parse_canonical(text, len, m, hash, &fast);
	r1 = tl_ballot_parse(text, len, m, hash, &full, &e1);
	r2 = tl_ballot_parse(spaced, len + 1, m, hash, &slow, &e2);
	ck_assert_msg(rf == TL_OK || rf == TL_EINPUT, "%.*s: fast path %s",
	    (int)len, text, tl_error_name(rf));
	ck_assert_msg(r1 == r2, "%.*s: %s (%s) / %s (%s)", (int)len, text,
	    tl_error_name(r1), e1.message, tl_error_name(r2), e2.message);
	ck_assert_msg(want < 0 || r1 == want, "%.*s: %s (%s), not %s",
	    (int)len, text, tl_error_name(r1), e1.message, tl_error_name(want));
	if (rf == TL_OK) {
		ck_assert_int_eq(r2, TL_OK);
		same_ballot(fast, slow);
	}
	if (r1 == TL_OK)
		same_ballot(full, slow);
	else if (strncmp(e1.message, json_error, strlen(json_error)) == 0) {
		/* The blank moves where the end of the text is. */
		ck_assert_str_eq(strstr(e2.message, json_error), e2.message);
		ck_assert_ptr_null(full);
	} else {
		ck_assert_str_eq(e1.message, e2.message);
		ck_assert_ptr_null(full);
	}
	tl_ballot_free(fast);
	tl_ballot_free(full);
	tl_ballot_free(slow);
	free(spaced);
	return rf == TL_OK;
}

/* text without the blanks between tokens (the strings here hold none). */
static char *
compact(const char *text)
{
	char *out = strdup(text), *o = out;

	ck_assert_ptr_nonnull(out);
	for (const char *s = text; *s != '\0'; s++)
		if (*s != ' ')
			*o++ = *s;
	*o = '\0';
	return out;
}

/* A compact payload of voter v1 with seq and these selections. */
static char *
compact_payload(const char *seq, const char *selections)
{
	char *text = NULL;

	ck_assert_int_ge(asprintf(&text, "{\"election\":\"e1\",\"manifest\":\""
	    HASH "\",\"voter\":\"v1\",\"seq\":%s,\"selections\":[%s]}", seq,
	    selections), 0);
	return text;
}

static const struct {
	const char *seq, *selections;
	int code, fast;
} compact_cases[] = {
	{"1", "", TL_OK, 1},
	{"1", "{\"contest\":\"plu\",\"marks\":[\"z\",\"x\"]},"
	    "{\"contest\":\"app\",\"marks\":[\"x\",\"y\",\"z\"]},"
	    "{\"contest\":\"irv\",\"ranking\":[[\"y\"],[\"x\"]]},"
	    "{\"contest\":\"sch\",\"ranking\":[[\"z\"],[\"x\",\"y\"]]}", TL_OK, 1},
	{"7", "{\"contest\":\"sch\",\"ranking\":[[\"x\",\"y\",\"z\"]]},"
	    "{\"contest\":\"plu\",\"marks\":[]},"
	    "{\"contest\":\"irv\",\"ranking\":[]},"
	    "{\"contest\":\"ref\",\"answer\":\"abstain\"}", TL_OK, 1},
	{"4611686018427387903", "{\"contest\":\"ref\",\"answer\":\"no\"}",
	    TL_OK, 1},
	/* Out of range, or not as JSON writes an integer. */
	{"4611686018427387904", "", TL_EBALLOT, 0},
	{"99999999999999999999", "", TL_EBALLOT, 0},
	{"0", "", TL_EBALLOT, 0},
	{"01", "", TL_EBALLOT, 0},
	{"1.0", "", TL_EBALLOT, 0},
	{"-1", "", TL_EBALLOT, 0},
	{"\"1\"", "", TL_EBALLOT, 0},
	/* Valid, but with an escape or members in another order: the
	 * general path's. */
	{"1", "{\"contest\":\"plu\",\"marks\":[\"\\u0078\"]}", TL_OK, 0},
	{"1", "{\"marks\":[\"x\"],\"contest\":\"plu\"}", TL_OK, 0},
	{"1", "{\"contest\":\"ref\",\"answer\":\"yes\",\"marks\":[]}",
	    TL_EBALLOT, 0},
	{"1", "{\"contest\":\"irv\",\"ranking\":[[\"x\"],[]]}", TL_EBALLOT, 0},
	{"1", "{\"contest\":\"irv\",\"ranking\":[[\"x\"],[\"x\"]]}", TL_EBALLOT,
	    0},
	{"1", "{\"contest\":\"irv\",\"ranking\":[\"x\"]}", TL_EBALLOT, 0},
	{"1", "{\"contest\":\"ref\",\"answer\":\"Yes\"}", TL_EBALLOT, 0},
	{"1", "{\"contest\":\"r\xc3\xa9\",\"marks\":[]}", TL_EBALLOT, 0},
	{"1", "{\"contest\":\"plu\",\"marks\":[\"\xc0\xaf\"]}", TL_EBALLOT, 0},
};

START_TEST(fast_path_agrees)
{
	char *text;
	int taken;

	/* Payloads written as tl_ballot_build writes them. */
	for (size_t i = 0; i < sizeof(compact_cases) / sizeof(compact_cases[0]);
	    i++) {
		text = compact_payload(compact_cases[i].seq,
		    compact_cases[i].selections);
		taken = same_either_way(text, strlen(text), HASH,
		    compact_cases[i].code);
		ck_assert_msg(taken == compact_cases[i].fast,
		    "case %zu: fast path %s", i, taken ? "taken" : "not taken");
		/* Without a manifest hash to match, the same. */
		ck_assert_int_eq(same_either_way(text, strlen(text), NULL,
		    compact_cases[i].code), compact_cases[i].fast);
		/* Cut short anywhere, it is not a ballot. */
		for (size_t cut = 0; cut < strlen(text); cut++)
			ck_assert_int_eq(same_either_way(text, cut, HASH,
			    TL_EBALLOT), 0);
		free(text);
	}
	/* Every rejection of the general path, written compactly. */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *spaced = payload(bad[i].selections);

		text = compact(spaced);
		ck_assert_int_eq(same_either_way(text, strlen(text), HASH,
		    bad[i].code), 0);
		free(text);
		free(spaced);
	}
	/* Another election, manifest or voter. */
	text = compact("{\"election\": \"e2\", \"manifest\": \"" HASH "\", "
	    "\"voter\": \"v1\", \"seq\": 1, \"selections\": []}");
	ck_assert_int_eq(same_either_way(text, strlen(text), HASH,
	    TL_EWRONGELECTION), 0);
	free(text);
	text = compact("{\"election\": \"e1\", \"manifest\": \"" HASH "\", "
	    "\"voter\": \"v1\", \"seq\": 1, \"selections\": []}");
	ck_assert_int_eq(same_either_way(text, strlen(text),
	    "2222222222222222222222222222222222222222222222222222222222222222",
	    TL_EWRONGELECTION), 0);
	free(text);
	text = compact("{\"election\": \"e1\", \"manifest\": \"" HASH "\", "
	    "\"voter\": \"v/1\", \"seq\": 1, \"selections\": []}");
	ck_assert_int_eq(same_either_way(text, strlen(text), HASH, TL_EBALLOT),
	    0);
	free(text);
}
END_TEST

/*
 * Random edits of valid compact payloads: whatever the fast path takes,
 * the general path takes with the same ballot, and tl_ballot_parse gives
 * the general path's answer every time.
 */
START_TEST(fast_path_mutations)
{
	static const char alphabet[] = "\"[]{},:xyzw01 \\abcdeiprsuv";
	char *seeds[3];
	size_t taken = 0, rejected = 0;

	seeds[0] = compact_payload("1", compact_cases[1].selections);
	seeds[1] = compact_payload("7", compact_cases[2].selections);
	seeds[2] = compact_payload("12", "{\"contest\":\"app\",\"marks\":"
	    "[\"z\"]},{\"contest\":\"ref\",\"answer\":\"yes\"}");
	srand(20261206);
	for (int iter = 0; iter < 20000; iter++) {
		const char *seed = seeds[iter % 3];
		size_t len = strlen(seed), edits = 1 + (size_t)(rand() % 3);
		char *text = malloc(len + edits + 1);

		ck_assert_ptr_nonnull(text);
		memcpy(text, seed, len + 1);
		for (size_t e = 0; e < edits && len > 0; e++) {
			size_t at = (size_t)rand() % len;
			char c = alphabet[rand() % (int)(sizeof(alphabet) - 1)];

			switch (rand() % 3) {
			case 0: /* replace */
				text[at] = c;
				break;
			case 1: /* delete */
				memmove(text + at, text + at + 1, len - at);
				len--;
				break;
			default: /* insert */
				memmove(text + at + 1, text + at, len - at + 1);
				text[at] = c;
				len++;
				break;
			}
		}
		if (same_either_way(text, len, HASH, -1))
			taken++;
		else
			rejected++;
		free(text);
	}
	/* Both kinds of edit were met: some leave a valid compact ballot
	 * (another candidate, say), most do not. */
	ck_assert_uint_gt(taken, 100);
	ck_assert_uint_gt(rejected, 100);
	for (int i = 0; i < 3; i++)
		free(seeds[i]);
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

/* The selections of the ballot tl_ballot_make makes (the JSON text after
 * "selections":, without the closing brace), or its error message. */
static const char *
make(const char *const *votes, size_t nvotes, const char *const *blanks,
    size_t nblanks, int blank_rest, int want)
{
	static char text[2048];
	struct tl_error err;
	char *payload = NULL;
	const char *at;
	int r;

	tl_error_clear(&err);
	r = tl_ballot_make(m, HASH, "v1", 1, votes, nvotes, blanks, nblanks,
	    blank_rest, &payload, NULL, &err);
	ck_assert_msg(r == want, "%d, expected %d: %s", r, want, err.message);
	if (r != TL_OK) {
		snprintf(text, sizeof(text), "%s", err.message);
		return text;
	}
	at = strstr(payload, "\"selections\":");
	ck_assert_ptr_nonnull(at);
	snprintf(text, sizeof(text), "%.*s", (int)strlen(at + 13) - 1,
	    at + 13);
	free(payload);
	return text;
}

#define MARKS(c, list) "{\"contest\":\"" c "\",\"marks\":[" list "]}"
#define RANKS(c, list) "{\"contest\":\"" c "\",\"ranking\":[" list "]}"

START_TEST(no_contest_blank_by_accident)
{
	static const char *const all_a[] = {"sch=x>y", "plu=x", "app=y",
	    "irv=z"};
	static const char *const some_a[] = {"plu=x,y"};
	static const char *const empty[] = {"plu=x", "app= "};
	static const char *const twice[] = {"plu=x", "plu=y"};
	static const char *const across[] = {"plu=x", "ref=yes"};
	static const char *const bad_mark[] = {"plu=w"};
	static const char *const ref[] = {"ref=no"};
	static const char *const blank_rest_of_a[] = {"sch", "irv", "app"};
	static const char *const blank_app_irv[] = {"app", "irv"};
	static const char *const blank_sch[] = {"sch"};
	static const char *const blank_plu[] = {"plu"};
	static const char *const blank_ref[] = {"ref"};
	static const char *const unknown[] = {"zzz"};

	/* Nothing given: refused, not a blank ballot. */
	ck_assert_ptr_nonnull(strstr(make(NULL, 0, NULL, 0, 0, TL_EUSAGE),
	    "no --vote"));
	/* Every contest of constituency a voted: in the manifest's order. */
	ck_assert_str_eq(make(all_a, 4, NULL, 0, 0, TL_OK), "["
	    MARKS("plu", "\"x\"") "," MARKS("app", "\"y\"") ","
	    RANKS("irv", "[\"z\"]") "," RANKS("sch", "[\"x\"],[\"y\"]") "]");
	/* A contest of the voter's constituency left out is refused... */
	ck_assert_ptr_nonnull(strstr(make(some_a, 1, NULL, 0, 0, TL_EUSAGE),
	    "contest app: no --vote and no --blank"));
	ck_assert_ptr_nonnull(strstr(make(some_a, 1, blank_app_irv, 2, 0,
	    TL_EUSAGE), "contest sch: no --vote and no --blank"));
	/* ... after what was given is checked. */
	ck_assert_ptr_nonnull(strstr(make(bad_mark, 1, NULL, 0, 0,
	    TL_EBALLOT), "\"w\" is not one of its candidates"));
	/* A contest named blank, or every other one, is an empty list. */
	ck_assert_str_eq(make(some_a, 1, blank_rest_of_a, 3, 0, TL_OK), "["
	    MARKS("plu", "\"x\",\"y\"") "," MARKS("app", "") ","
	    RANKS("irv", "") "," RANKS("sch", "") "]");
	ck_assert_str_eq(make(some_a, 1, NULL, 0, 1, TL_OK), "["
	    MARKS("plu", "\"x\",\"y\"") "," MARKS("app", "") ","
	    RANKS("irv", "") "," RANKS("sch", "") "]");
	ck_assert_str_eq(make(NULL, 0, blank_sch, 1, 1, TL_OK), "["
	    MARKS("plu", "") "," MARKS("app", "") "," RANKS("irv", "") ","
	    RANKS("sch", "") "]");
	/* An empty selection is not a blank vote by accident either. */
	ck_assert_ptr_nonnull(strstr(make(empty, 2, NULL, 0, 1, TL_EUSAGE),
	    "give --blank app"));
	ck_assert_ptr_nonnull(strstr(make(twice, 2, NULL, 0, 1, TL_EUSAGE),
	    "more than one --vote"));
	ck_assert_ptr_nonnull(strstr(make(some_a, 1, blank_plu, 1, 1,
	    TL_EUSAGE), "both --vote and --blank"));
	ck_assert_ptr_nonnull(strstr(make(across, 2, NULL, 0, 1, TL_EBALLOT),
	    "contests plu (constituency a) and ref (constituency b)"));
	ck_assert_ptr_nonnull(strstr(make(NULL, 0, unknown, 1, 0, TL_EBALLOT),
	    "--blank: \"zzz\" is not a contest"));
	/* Constituency b has one contest, a referendum: its blank vote is no
	 * selection at all. */
	ck_assert_str_eq(make(ref, 1, NULL, 0, 0, TL_OK),
	    "[{\"contest\":\"ref\",\"answer\":\"no\"}]");
	ck_assert_str_eq(make(NULL, 0, blank_ref, 1, 0, TL_OK), "[]");
	/* --blank-all alone, with contests in two constituencies: the
	 * voter's is unknown, and the ballot has no selections, blank in
	 * every contest of it. */
	ck_assert_str_eq(make(NULL, 0, NULL, 0, 1, TL_OK), "[]");
}
END_TEST

/*
 * The ballot payload's limit and the record's ballot line limit agree
 * (doc/record-format.md 5.3): the canonical envelope of a payload of
 * TL_BALLOT_MAX bytes fits in a line of TL_ENVELOPE_MAX_BALLOT bytes, and
 * that of one byte more does not, so neither limit is out of reach.
 */
START_TEST(payload_limit_fits_the_line)
{
	struct tl_key **keys = th_keys(1);
	char *payload = malloc(TL_BALLOT_MAX + 2), *line = NULL;
	struct tl_envelope *env = NULL;
	struct tl_error err;
	size_t len = 0;

	ck_assert_ptr_nonnull(payload);
	memset(payload, ' ', TL_BALLOT_MAX + 1);
	for (size_t extra = 0; extra < 2; extra++) {
		ck_assert_int_eq(tl_envelope_sign(TL_TYPE_BALLOT, payload,
		    TL_BALLOT_MAX + extra, keys[0], &env, &err), TL_OK);
		ck_assert_int_eq(tl_envelope_serialize(env, &line, &len, &err),
		    TL_OK);
		if (extra == 0)
			ck_assert_uint_le(len, TL_ENVELOPE_MAX_BALLOT);
		else
			ck_assert_uint_gt(len, TL_ENVELOPE_MAX_BALLOT);
		free(line);
		tl_envelope_free(env);
	}
	free(payload);
	th_keys_free(keys, 1);
}
END_TEST

static Suite *
ballot_suite(void)
{
	Suite *s = suite_create("ballot");
	TCase *tc = tcase_create("ballot");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, valid_ballot);
	tcase_add_test(tc, payload_limit_fits_the_line);
	tcase_add_test(tc, blank_and_answers);
	tcase_add_test(tc, no_contest_blank_by_accident);
	tcase_add_loop_test(tc, rejections, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, wrong_election_or_manifest);
	tcase_add_test(tc, build_from_arguments);
	tcase_add_test(tc, build_rejections);
	tcase_add_test(tc, fast_path_agrees);
	tcase_add_test(tc, fast_path_mutations);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return th_run(ballot_suite());
}
