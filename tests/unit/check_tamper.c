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
	WHITE_SPACE,      /* changes no signed byte */
	NO_FINAL_NEWLINE, /* changes no signed byte */
	KINDS
};

static const char *const kind_names[KINDS] = {
	"flip a byte", "drop a line", "duplicate a line", "swap two lines",
	"replace a ballot with an outsider's", "change the result",
	"white space between JSON tokens", "drop the final line feed",
};

struct tamper {
	struct rf_election e;
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
			line = rf_sign(t->e.authority, TL_TYPE_RESULT, payload);
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

START_TEST(test_tamper)
{
	struct tamper t;
	const char *seed = getenv("TELLER_TAMPER_SEED");
	int64_t s = 2026;
	size_t missed = 0;

	memset(&t, 0, sizeof(t));
	if (seed != NULL && *seed != '\0')
		ck_assert_msg(tl_parse_int64(seed, 1, INT64_MAX, &s) == TL_OK,
		    "TELLER_TAMPER_SEED must be a positive number");
	t.rng = (uint64_t)s;
	rf_build(&t.e, 200, 60, 30, 0, RF_COUNTED, (uint64_t)s);
	ck_assert_uint_ge(t.e.nballots, 220);
	t.text = rf_export(&t.e, &t.len);
	rf_split(t.text, t.len, &t.lines);
	t.result_index = t.lines.n - 2;
	ck_assert_int_eq(tl_key_generate(&t.outsider, NULL), TL_OK);
	ck_assert_msg(is_valid(t.text, t.len), "the untouched record is valid");

	for (int m = 0; m < MUTATIONS; m++) {
		/* White space and the final line feed one time in ten. */
		enum kind k = draw(&t, 10) == 0 ? (enum kind)(WHITE_SPACE +
		    draw(&t, 2)) : (enum kind)draw(&t, WHITE_SPACE);
		char what[256];
		size_t len = 0;
		char *text = mutate(&t, k, &len, what, sizeof(what));

		ck_assert_msg(len != t.len || memcmp(text, t.text, len) != 0,
		    "mutation %d (%s) changed nothing", m, what);
		t.tried[k]++;
		if (!is_valid(text, len))
			t.rejected[k]++;
		else if (k < WHITE_SPACE) {
			fprintf(stderr, "MISSED: mutation %d, %s: %s\n", m,
			    kind_names[k], what);
			missed++;
		}
		free(text);
	}

	printf("tamper: seed %lld, %d mutations of a record of %zu lines "
	    "(%zu ballots)\n", (long long)s, MUTATIONS, t.lines.n,
	    t.e.nballots);
	for (int k = 0; k < KINDS; k++)
		printf("  %-40s %4zu tried, %4zu found invalid%s\n",
		    kind_names[k], t.tried[k], t.rejected[k], k >= WHITE_SPACE ?
		    "   (changes no signed byte)" : "");
	ck_assert_msg(missed == 0, "%zu mutations were not detected", missed);
	for (int k = 0; k < WHITE_SPACE; k++)
		ck_assert_msg(t.tried[k] > 0, "no mutation of kind %s was drawn",
		    kind_names[k]);

	tl_key_free(t.outsider);
	rf_lines_free(&t.lines);
	free(t.text);
	rf_free(&t.e);
}
END_TEST

static Suite *
tamper_suite(void)
{
	Suite *s = suite_create("tamper");
	TCase *tc = tcase_create("mutations");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_tamper);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return th_run(tamper_suite());
}
