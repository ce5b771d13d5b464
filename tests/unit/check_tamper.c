/*
 * check_tamper.c: a real election of about 250 ballots, its exported
 * record, and 1,000 random mutations of it: flip a byte, drop a line,
 * duplicate a line, swap two lines, replace a ballot with one signed by a
 * voter not on the roll (or by a key that is not the voter's), change the
 * result (without its signature, or signed again by the authority).  Each
 * must make the verifier find the record invalid; teller verify exits 1
 * exactly when the report says so (tests/e2e/record.sh checks that).
 *
 * Two kinds of mutation change no byte that a signature covers and keep
 * the lines' order: white space between JSON tokens, and dropping the
 * final line feed.  They are counted and reported apart, with what the
 * verifier said of them (white space is rejected, since lines must be the
 * exact logged bytes; the final line feed is optional).
 *
 * The same for a secret election's record (doc/record-format.md 5.15), with
 * the mutations an authority that signs again could make there: ballots
 * cast with credentials it signed itself beyond those issued in a class, a
 * credential presented for another class, an issuance whose blind
 * signature is not its request's, a second credential for a voter; and a
 * ballot key that presents another's credential.
 *
 * The draws come from a fixed seed (TELLER_TAMPER_SEED to try others), but
 * the voters' keys are new on each run, and so are the record's bytes: a
 * mutation the verifier misses is printed with what it changed.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "helpers.h"
#include "record_fixture.h"
#include "secret_fixture.h"
#include "teller/credential.h"
#include "teller/envelope.h"
#include "teller/record.h"
#include "teller/util.h"

#define MUTATIONS 1000

enum kind {
	FLIP_BYTE,
	DROP_LINE,
	DUPLICATE_LINE,
	SWAP_LINES,
	OUTSIDER_BALLOT,
	CHANGE_RESULT,
	FORGED_BALLOTS,   /* a secret record: the authority's own credentials */
	OTHER_CLASS,
	BAD_ISSUANCE,
	SECOND_CREDENTIAL,
	WHITE_SPACE,      /* changes no signed byte */
	NO_FINAL_NEWLINE, /* changes no signed byte */
	KINDS
};

static const char *const kind_names[KINDS] = {
	"flip a byte", "drop a line", "duplicate a line", "swap two lines",
	"replace a ballot with an outsider's", "change the result",
	"cast more ballots than credentials in a class",
	"present a credential for another class",
	"answer a request with another blind signature",
	"give a voter a second credential",
	"white space between JSON tokens", "drop the final line feed",
};

struct tamper {
	struct rf_election e;
	struct sf_election se;     /* the secret record's election */
	int secret;
	const struct tl_key *authority;
	size_t unused_a1;          /* class (a, 1)'s credentials not used */
	char *text;
	size_t len;
	struct rf_lines lines;
	size_t result_index;
	struct tl_key *outsider;
	uint64_t rng;
	size_t tried[KINDS], rejected[KINDS];
};

static size_t
draw(struct tamper *t, size_t n)
{
	return (size_t)(rf_next(&t->rng) % n);
}

static char *
copy_text(const char *text, size_t len)
{
	char *copy = malloc(len + 1);

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, text, len);
	copy[len] = '\0';
	return copy;
}

/* A ballot line's index (0-based), drawn. */
static size_t
draw_ballot(struct tamper *t)
{
	for (;;) {
		size_t i = 2 + draw(t, t->lines.n - 2);
		char *type = NULL, *p = rf_payload(t->lines.line[i], &type);
		int ballot = strcmp(type, TL_TYPE_BALLOT) == 0;

		free(p);
		free(type);
		if (ballot)
			return i;
	}
}

/* The result's payload with one of its digits changed. */
static char *
changed_result(struct tamper *t)
{
	char *payload = rf_payload(t->lines.line[t->result_index], NULL);
	size_t n = strlen(payload), i;

	do
		i = draw(t, n);
	while (payload[i] < '0' || payload[i] > '9');
	payload[i] = (char)('0' + (payload[i] - '0' + 1 + draw(t, 9)) % 10);
	return payload;
}

/* The index of a line of a type, drawn. */
static size_t
draw_line(struct tamper *t, const char *type)
{
	for (;;) {
		size_t i = 2 + draw(t, t->lines.n - 3);
		char *ty = NULL, *p = rf_payload(t->lines.line[i], &ty);
		int match = strcmp(ty, type) == 0;

		free(p);
		free(ty);
		if (match)
			return i;
	}
}

/* The close statement signed again with the number of ballot lines
 * before it. */
static void
recount_close(struct tamper *t, struct rf_lines *lines)
{
	size_t close = rf_find_line(lines, TL_TYPE_CLOSE, 0, NULL), n = 0;
	char *payload = rf_payload(lines->line[close], NULL), *text, *line;
	json_t *doc = json_loads(payload, 0, NULL);

	for (size_t i = 0; i < close; i++) {
		char *ty = NULL;

		free(rf_payload(lines->line[i], &ty));
		n += strcmp(ty, TL_TYPE_BALLOT) == 0;
		free(ty);
	}
	json_object_set_new(doc, "ballots", json_integer((json_int_t)n));
	text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	line = rf_sign(t->authority, TL_TYPE_CLOSE, text);
	rf_set_line(lines, close, line);
	free(line);
	free(text);
	free(payload);
	json_decref(doc);
}

/* A secret ballot's payload with one member set, signed by key. */
static char *
resigned_ballot(const char *line, const char *member, json_t *value,
    const struct tl_key *key)
{
	char *payload = rf_payload(line, NULL), *text, *out;
	json_t *doc = json_loads(payload, 0, NULL);

	json_object_set_new(doc, member, value);
	text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	out = rf_sign(key, TL_TYPE_BALLOT, text);
	free(text);
	free(payload);
	json_decref(doc);
	return out;
}

/* The mutations of a secret record by an authority that signs again. */
static void
mutate_secret(struct tamper *t, enum kind k, struct rf_lines *lines,
    char *what, size_t what_len)
{
	static const char *const plu[] = {"plu=x"};
	struct tl_credential_holder *h;
	char *line, *payload;
	size_t i, close = rf_find_line(lines, TL_TYPE_CLOSE, 0, NULL);

	switch (k) {
	case OUTSIDER_BALLOT: {
		char b64[TL_PUBLIC_B64_LEN + 1];

		/* Another's credential with the outsider's ballot key. */
		i = draw_line(t, TL_TYPE_BALLOT);
		tl_key_public_base64(t->outsider, b64);
		line = resigned_ballot(lines->line[i], "ballot_key",
		    json_string(b64), t->outsider);
		rf_set_line(lines, i, line);
		free(line);
		snprintf(what, what_len, "line %zu: its credential presented "
		    "with an outsider's ballot key", i + 1);
		break;
	}
	case FORGED_BALLOTS:
		/* One more than the class's unused credentials: the bound. */
		for (size_t n = 0; n <= t->unused_a1; n++) {
			h = sf_forge_credential(&t->se, "a", 1);
			line = sf_ballot(&t->se, h, 1, plu, 1);
			rf_insert_line(lines, close++, line);
			free(line);
			tl_credential_holder_free(h);
		}
		snprintf(what, what_len, "%zu ballots with the authority's own "
		    "credentials of class (a, 1) before line %zu",
		    t->unused_a1 + 1, close + 1);
		break;
	case OTHER_CLASS:
		h = sf_forge_credential(&t->se, "a", 1 + draw(t, 2));
		h->credential.weight = h->credential.weight == 1 ? 2 : 1;
		line = sf_ballot(&t->se, h, 1, plu, 1);
		rf_insert_line(lines, close, line);
		free(line);
		tl_credential_holder_free(h);
		snprintf(what, what_len, "a ballot of class (a, 1) presented as "
		    "(a, 2), or the other way, before line %zu", close + 1);
		break;
	case BAD_ISSUANCE: {
		struct tl_credential_issuance iss, other;
		size_t j;

		i = draw_line(t, TL_TYPE_CREDENTIAL);
		do
			j = draw_line(t, TL_TYPE_CREDENTIAL);
		while (j == i);
		payload = rf_payload(lines->line[j], NULL);
		ck_assert_int_eq(tl_credential_issuance_parse(payload,
		    strlen(payload), &other, NULL), TL_OK);
		free(payload);
		payload = rf_payload(lines->line[i], NULL);
		ck_assert_int_eq(tl_credential_issuance_parse(payload,
		    strlen(payload), &iss, NULL), TL_OK);
		free(payload);
		memcpy(iss.blind_signature, other.blind_signature,
		    other.blind_signature_len);
		ck_assert_int_eq(tl_credential_issuance_serialize(&iss, &payload,
		    NULL, NULL), TL_OK);
		line = rf_sign(t->authority, TL_TYPE_CREDENTIAL, payload);
		rf_set_line(lines, i, line);
		free(line);
		free(payload);
		snprintf(what, what_len, "line %zu answers with line %zu's blind "
		    "signature", i + 1, j + 1);
		break;
	}
	case SECOND_CREDENTIAL: {
		char *request, *answer;

		/* A voter's request and its issuance again, later. */
		i = draw_line(t, TL_TYPE_CREDENTIAL_REQUEST);
		request = strdup(lines->line[i]);
		answer = strdup(lines->line[i + 1]);
		rf_insert_line(lines, close, request);
		rf_insert_line(lines, close + 1, answer);
		free(request);
		free(answer);
		snprintf(what, what_len, "lines %zu and %zu copied before line "
		    "%zu", i + 1, i + 2, close + 1);
		break;
	}
	default:
		ck_abort_msg("not a mutation of secret records");
	}
	recount_close(t, lines);
	rf_seal(lines, t->authority);
}

/* Applies one mutation of kind k; *out is the mutated record. */
static char *
mutate(struct tamper *t, enum kind k, size_t *out_len, char *what,
    size_t what_len)
{
	struct rf_lines lines;
	char *text, *line, *payload;
	size_t i, j, n = t->lines.n;

	if (k == FLIP_BYTE) {
		text = copy_text(t->text, t->len);
		i = draw(t, t->len);
		text[i] ^= (char)(1 + draw(t, 255));
		snprintf(what, what_len, "byte %zu", i);
		*out_len = t->len;
		return text;
	}
	if (k == NO_FINAL_NEWLINE) {
		snprintf(what, what_len, "the last byte");
		*out_len = t->len - 1;
		return copy_text(t->text, t->len - 1);
	}
	rf_split(t->text, t->len, &lines);
	if (k >= FORGED_BALLOTS && k < WHITE_SPACE) {
		mutate_secret(t, k, &lines, what, what_len);
		text = rf_join(&lines, out_len);
		rf_lines_free(&lines);
		return text;
	}
	if (k == OUTSIDER_BALLOT && t->secret) {
		mutate_secret(t, k, &lines, what, what_len);
		text = rf_join(&lines, out_len);
		rf_lines_free(&lines);
		return text;
	}
	switch (k) {
	case DROP_LINE:
		i = draw(t, n);
		rf_remove_line(&lines, i);
		snprintf(what, what_len, "line %zu dropped", i + 1);
		break;
	case DUPLICATE_LINE:
		i = draw(t, n);
		j = draw(t, n + 1);
		rf_insert_line(&lines, j, t->lines.line[i]);
		snprintf(what, what_len, "line %zu copied before line %zu",
		    i + 1, j + 1);
		break;
	case SWAP_LINES:
		i = draw(t, n);
		do
			j = draw(t, n);
		while (j == i);
		line = lines.line[i];
		lines.line[i] = lines.line[j];
		lines.line[j] = line;
		snprintf(what, what_len, "lines %zu and %zu swapped", i + 1,
		    j + 1);
		break;
	case OUTSIDER_BALLOT: {
		const char *votes[] = {"plu=x,y", "app=z"};
		char voter[32];
		int on_roll = (int)draw(t, 2);

		i = draw_ballot(t);
		/* A voter id not on the roll, or a real one with a key that
		 * is not on the roll: signed either way by the outsider. */
		if (on_roll)
			snprintf(voter, sizeof(voter), "a%zu", 1 + draw(t,
			    t->e.na));
		else
			snprintf(voter, sizeof(voter), "a9%zu", 1 + draw(t,
			    t->e.na));
		line = rf_ballot(&t->e, t->outsider, voter, 1, votes, 2);
		rf_set_line(&lines, i, line);
		free(line);
		snprintf(what, what_len, "line %zu replaced by a ballot of %s "
		    "signed by an outsider", i + 1, voter);
		break;
	}
	case CHANGE_RESULT:
		payload = changed_result(t);
		if (draw(t, 2) == 0) {
			/* The new payload under the old signature. */
			struct tl_envelope *env = NULL;

			ck_assert_int_eq(tl_envelope_parse(
			    t->lines.line[t->result_index],
			    strlen(t->lines.line[t->result_index]), SIZE_MAX / 2,
			    &env, NULL), TL_OK);
			free(env->payload);
			env->payload = (uint8_t *)payload;
			env->payload_len = strlen(payload);
			payload = NULL;
			ck_assert_int_eq(tl_envelope_serialize(env, &line, NULL,
			    NULL), TL_OK);
			tl_envelope_free(env);
			snprintf(what, what_len, "a digit of the result changed");
		} else {
			line = rf_sign(t->authority, TL_TYPE_RESULT, payload);
			snprintf(what, what_len, "a digit of the result changed "
			    "and signed again by the authority");
		}
		rf_set_line(&lines, t->result_index, line);
		free(line);
		free(payload);
		break;
	case WHITE_SPACE: {
		const char *l;
		char *spaced;
		size_t len, at;

		i = draw(t, n);
		l = lines.line[i];
		len = strlen(l);
		/* After a structural character: between two tokens. */
		do
			at = draw(t, len);
		while (strchr("{}[],:", l[at]) == NULL);
		spaced = malloc(len + 2);
		ck_assert_ptr_nonnull(spaced);
		memcpy(spaced, l, at + 1);
		spaced[at + 1] = " \t"[draw(t, 2)];
		memcpy(spaced + at + 2, l + at + 1, len - at);
		rf_set_line(&lines, i, spaced);
		free(spaced);
		snprintf(what, what_len, "white space after byte %zu of line "
		    "%zu", at, i + 1);
		break;
	}
	default:
		ck_abort_msg("no such mutation");
	}
	text = rf_join(&lines, out_len);
	rf_lines_free(&lines);
	return text;
}

static int
is_valid(const char *text, size_t len)
{
	struct tl_error err;
	json_t *report = NULL;
	int valid;

	tl_error_clear(&err);
	ck_assert_msg(tl_record_verify(text, len, NULL, &report, &err) == TL_OK,
	    "%s", err.message);
	valid = json_is_true(json_object_get(report, "valid"));
	json_decref(report);
	return valid;
}

/*
 * Applies n mutations, drawn from kinds (and, one time in ten, the two
 * kinds that change no signed byte), to the record of t; every one of the
 * former must be found invalid.  Prints what it tried.
 */
static void
run_mutations(struct tamper *t, const enum kind *kinds, size_t nkinds,
    int n, int64_t seed, size_t nballots)
{
	size_t missed = 0;

	for (int m = 0; m < n; m++) {
		enum kind k = draw(t, 10) == 0 ? (enum kind)(WHITE_SPACE +
		    draw(t, 2)) : kinds[draw(t, nkinds)];
		char what[256];
		size_t len = 0;
		char *text = mutate(t, k, &len, what, sizeof(what));

		ck_assert_msg(len != t->len || memcmp(text, t->text, len) != 0,
		    "mutation %d (%s) changed nothing", m, what);
		t->tried[k]++;
		if (!is_valid(text, len))
			t->rejected[k]++;
		else if (k < WHITE_SPACE) {
			fprintf(stderr, "MISSED: mutation %d, %s: %s\n", m,
			    kind_names[k], what);
			missed++;
		}
		free(text);
	}
	printf("tamper: %s record, seed %lld, %d mutations of a record of %zu "
	    "lines (%zu ballots)\n", t->secret ? "a secret" : "an open",
	    (long long)seed, n, t->lines.n, nballots);
	for (int k = 0; k < KINDS; k++)
		if (t->tried[k] > 0)
			printf("  %-48s %4zu tried, %4zu found invalid%s\n",
			    kind_names[k], t->tried[k], t->rejected[k],
			    k >= WHITE_SPACE ? "   (changes no signed byte)" :
			    "");
	ck_assert_msg(missed == 0, "%zu mutations were not detected", missed);
	for (size_t i = 0; i < nkinds; i++)
		ck_assert_msg(t->tried[kinds[i]] > 0, "no mutation of kind %s "
		    "was drawn", kind_names[kinds[i]]);
}

static int64_t
tamper_seed(void)
{
	const char *seed = getenv("TELLER_TAMPER_SEED");
	int64_t s = 2026;

	if (seed != NULL && *seed != '\0')
		ck_assert_msg(tl_parse_int64(seed, 1, INT64_MAX, &s) == TL_OK,
		    "TELLER_TAMPER_SEED must be a positive number");
	return s;
}

START_TEST(test_tamper)
{
	static const enum kind kinds[] = {FLIP_BYTE, DROP_LINE,
	    DUPLICATE_LINE, SWAP_LINES, OUTSIDER_BALLOT, CHANGE_RESULT};
	struct tamper t;
	int64_t s = tamper_seed();

	memset(&t, 0, sizeof(t));
	t.rng = (uint64_t)s;
	rf_build(&t.e, 200, 60, 30, 0, RF_COUNTED, (uint64_t)s);
	ck_assert_uint_ge(t.e.nballots, 220);
	t.authority = t.e.authority;
	t.text = rf_export(&t.e, &t.len);
	rf_split(t.text, t.len, &t.lines);
	t.result_index = t.lines.n - 2;
	ck_assert_int_eq(tl_key_generate(&t.outsider, NULL), TL_OK);
	ck_assert_msg(is_valid(t.text, t.len), "the untouched record is valid");
	run_mutations(&t, kinds, sizeof(kinds) / sizeof(kinds[0]), MUTATIONS, s,
	    t.e.nballots);
	tl_key_free(t.outsider);
	rf_lines_free(&t.lines);
	free(t.text);
	rf_free(&t.e);
}
END_TEST

/* A secret election's record, and the mutations of an authority that
 * signs again besides. */
START_TEST(test_tamper_secret)
{
	static const enum kind kinds[] = {FLIP_BYTE, DROP_LINE,
	    DUPLICATE_LINE, SWAP_LINES, OUTSIDER_BALLOT, CHANGE_RESULT,
	    FORGED_BALLOTS, OTHER_CLASS, BAD_ISSUANCE, SECOND_CREDENTIAL};
	struct tamper t;
	json_t *report, *c;
	int64_t s = tamper_seed();
	size_t i;

	memset(&t, 0, sizeof(t));
	t.rng = (uint64_t)s;
	t.secret = 1;
	sf_build(&t.se, 40, 16, 6, RF_COUNTED, (uint64_t)s);
	ck_assert_uint_ge(t.se.nballots, 30);
	t.authority = t.se.authority;
	t.text = rf_export_store(t.se.store, "e1", &t.len);
	rf_split(t.text, t.len, &t.lines);
	t.result_index = t.lines.n - 2;
	ck_assert_int_eq(tl_key_generate(&t.outsider, NULL), TL_OK);
	/* Class (a, 1)'s credentials that no ballot used: an authority could
	 * use as many unseen (doc/record-format.md section 11). */
	report = rf_verify_text(t.text, t.len, 0);
	ck_assert_msg(rf_is_valid(report), "the untouched record is valid");
	json_array_foreach(json_object_get(json_object_get(report,
	    "credentials"), "classes"), i, c)
		if (i == 0)
			t.unused_a1 = (size_t)(json_integer_value(json_object_get(c,
			    "issued")) - json_integer_value(json_object_get(c,
			    "ballot_keys")));
	json_decref(report);
	run_mutations(&t, kinds, sizeof(kinds) / sizeof(kinds[0]),
	    MUTATIONS / 3, s, t.se.nballots);
	tl_key_free(t.outsider);
	rf_lines_free(&t.lines);
	free(t.text);
	sf_free(&t.se);
}
END_TEST

static Suite *
tamper_suite(void)
{
	Suite *s = suite_create("tamper");
	TCase *tc = tcase_create("mutations");

	tcase_set_timeout(tc, 1200);
	tcase_add_test(tc, test_tamper);
	tcase_add_test(tc, test_tamper_secret);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return th_run(tamper_suite());
}
