/*
 * report.c: text rendering of count reports and election results.
 */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "teller/report.h"

size_t
tl_report_width(const char *s)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xc0) != 0x80)
			n++;
	return n;
}

void
tl_report_percent(int64_t part, int64_t whole, char out[32])
{
	int64_t hundredths;

	if (whole <= 0) {
		snprintf(out, 32, "-");
		return;
	}
	hundredths = (part * 20000 / whole + 1) / 2;
	snprintf(out, 32, "%" PRId64 ".%02" PRId64 "%%", hundredths / 100,
	    hundredths % 100);
}

/* Appends s padded with spaces to width characters (left-aligned). */
static int
add_padded(struct tl_buf *out, const char *s, size_t width)
{
	size_t w = tl_report_width(s);
	int r = tl_buf_adds(out, s);

	while (r == TL_OK && w++ < width)
		r = tl_buf_addc(out, ' ');
	return r;
}

/* A vote amount (integer or decimal string) as text. */
static void
amount_text(const json_t *v, char out[48])
{
	if (json_is_integer(v))
		snprintf(out, 48, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_string(v))
		snprintf(out, 48, "%s", json_string_value(v));
	else
		snprintf(out, 48, "-");
}

static int
in_list(const json_t *list, const char *id)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), id) == 0)
			return 1;
	return 0;
}

static int
render_referendum(const json_t *report, struct tl_buf *out)
{
	static const char *const answers[] = {"yes", "no", "abstain"};
	const json_t *round = json_array_get(json_object_get(report, "rounds"),
	    0);
	const json_t *quorum = json_object_get(report, "quorum");
	char amount[48], pct[32];
	int64_t yes, no;
	int r = TL_OK;

	yes = json_integer_value(json_object_get(json_object_get(round, "votes"),
	    "yes"));
	no = json_integer_value(json_object_get(json_object_get(round, "votes"),
	    "no"));
	for (int a = 0; a < 3 && r == TL_OK; a++) {
		amount_text(json_object_get(json_object_get(round, "votes"),
		    answers[a]), amount);
		r = tl_buf_addf(out, "  %-10s %12s\n", answers[a], amount);
	}
	tl_report_percent(yes, yes + no, pct);
	if (r == TL_OK)
		r = tl_buf_addf(out, "  Yes: %s of yes and no; threshold: %s\n",
		    pct, json_string_value(json_object_get(report, "threshold")));
	if (r == TL_OK && json_integer_value(json_object_get(quorum,
	    "percent")) > 0) {
		char need[48], have[48];

		amount_text(json_object_get(quorum, "eligible_weight"), need);
		amount_text(json_object_get(quorum, "participating_weight"), have);
		r = tl_buf_addf(out, "  Quorum: %" JSON_INTEGER_FORMAT "%% of "
		    "eligible weight %s; participating %s (%s)\n",
		    json_integer_value(json_object_get(quorum, "percent")), need,
		    have, json_is_true(json_object_get(quorum, "met")) ?
		    "met" : "not met");
	}
	if (r == TL_OK)
		r = tl_buf_addf(out, "  Outcome: %s\n", json_string_value(
		    json_object_get(report, "outcome")));
	return r;
}

/* Candidates in the order of their votes in the last round (most first),
 * ties in manifest order; integers and decimals compare as numbers. */
struct row {
	const char *id;
	const char *name;
	const json_t *votes;
	size_t position;
};

static int
amount_cmp(const json_t *a, const json_t *b)
{
	char x[48], y[48];
	const char *dx, *dy;
	size_t ix, iy;

	amount_text(a, x);
	amount_text(b, y);
	/* Non-negative decimals with the same number of places: compare the
	 * integer part's length, then the digits. */
	dx = strchr(x, '.');
	dy = strchr(y, '.');
	ix = dx != NULL ? (size_t)(dx - x) : strlen(x);
	iy = dy != NULL ? (size_t)(dy - y) : strlen(y);
	if (ix != iy)
		return ix < iy ? -1 : 1;
	return strcmp(x, y);
}

static int
row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = amount_cmp(y->votes, x->votes);

	if (c != 0)
		return c;
	return x->position < y->position ? -1 : x->position > y->position;
}

static int
render_table(const json_t *report, struct tl_buf *out)
{
	const json_t *candidates = json_object_get(report, "candidates");
	const json_t *rounds = json_object_get(report, "rounds");
	const json_t *last = json_array_get(rounds,
	    json_array_size(rounds) - 1);
	const json_t *elected = json_object_get(report, "elected");
	size_t n = json_array_size(candidates), width = 9;
	struct row *rows;
	int r = TL_OK;

	if ((rows = calloc(n + 1, sizeof(*rows))) == NULL)
		return TL_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const json_t *c = json_array_get(candidates, i);

		rows[i].id = json_string_value(json_object_get(c, "id"));
		rows[i].name = json_string_value(json_object_get(c, "name"));
		rows[i].votes = json_object_get(json_object_get(last, "votes"),
		    rows[i].id);
		rows[i].position = i;
		if (rows[i].name != NULL && tl_report_width(rows[i].name) > width)
			width = tl_report_width(rows[i].name);
	}
	qsort(rows, n, sizeof(*rows), row_cmp);
	r = tl_buf_adds(out, "  ");
	if (r == TL_OK)
		r = add_padded(out, "Candidate", width);
	if (r == TL_OK)
		r = tl_buf_addf(out, " %12s\n", "Votes");
	for (size_t i = 0; i < n && r == TL_OK; i++) {
		char amount[48];

		amount_text(rows[i].votes, amount);
		r = tl_buf_adds(out, "  ");
		if (r == TL_OK)
			r = add_padded(out, rows[i].name, width);
		if (r == TL_OK)
			r = tl_buf_addf(out, " %12s%s\n", amount,
			    in_list(elected, rows[i].id) ? "  elected" : "");
	}
	free(rows);
	return r;
}

static int
render_ties(const json_t *report, struct tl_buf *out)
{
	const json_t *ties = json_object_get(report, "ties");
	size_t i;
	json_t *tie;
	int r = TL_OK;

	json_array_foreach(ties, i, tie) {
		const json_t *cands = json_object_get(tie, "candidates");
		size_t j;
		json_t *c;

		if (json_is_true(json_object_get(tie, "resolved")))
			continue;
		r = tl_buf_addf(out, "  TIE: %" JSON_INTEGER_FORMAT " seat(s) "
		    "undecided between ", json_integer_value(json_object_get(tie,
		    "seats")));
		json_array_foreach(cands, j, c)
			if (r == TL_OK)
				r = tl_buf_addf(out, "%s%s", j > 0 ? ", " : "",
				    json_string_value(c));
		if (r == TL_OK)
			r = tl_buf_adds(out, "; the rules of this method do not "
			    "break it\n");
	}
	return r;
}

int
tl_report_contest_text(const json_t *report, struct tl_buf *out)
{
	const char *method = json_string_value(json_object_get(report,
	    "method"));
	const json_t *winners = json_object_get(report, "winners");
	const json_t *contest = json_object_get(report, "contest");
	char weight[48];
	size_t i;
	json_t *w;
	int r;

	if (method == NULL)
		return TL_EINPUT;
	amount_text(json_object_get(report, "weight"), weight);
	if (contest != NULL)
		r = tl_buf_addf(out, "Contest %s: %s\n", json_string_value(contest),
		    json_string_value(json_object_get(report, "title")));
	else
		r = TL_OK;
	if (r == TL_OK)
		r = tl_buf_addf(out, "  Method %s, %" JSON_INTEGER_FORMAT
		    " seat(s); ballots %" JSON_INTEGER_FORMAT " (weight %s), "
		    "blank %" JSON_INTEGER_FORMAT "\n", method,
		    json_integer_value(json_object_get(report, "seats")),
		    json_integer_value(json_object_get(report, "ballots")), weight,
		    json_integer_value(json_object_get(report, "blank")));
	if (r != TL_OK)
		return r;
	if (strcmp(method, "referendum") == 0)
		r = render_referendum(report, out);
	else
		r = render_table(report, out);
	if (r == TL_OK)
		r = render_ties(report, out);
	if (r == TL_OK)
		r = tl_buf_adds(out, "  Winners: ");
	json_array_foreach(winners, i, w)
		if (r == TL_OK)
			r = tl_buf_addf(out, "%s%s", i > 0 ? ", " : "",
			    json_string_value(w));
	if (r == TL_OK)
		r = tl_buf_adds(out, json_array_size(winners) == 0 ?
		    "none\n" : "\n");
	return r;
}

int
tl_report_result_text(const json_t *result, struct tl_buf *out)
{
	const json_t *contests = json_object_get(result, "contests");
	const json_t *turnout = json_object_get(result, "turnout");
	const json_t *random = json_object_get(result, "random");
	size_t i, width = 12;
	json_t *item;
	int r;

	r = tl_buf_addf(out, "Election %s\nManifest %s\n",
	    json_string_value(json_object_get(result, "election")),
	    json_string_value(json_object_get(result, "manifest")));
	json_array_foreach(random, i, item)
		if (r == TL_OK)
			r = tl_buf_addf(out, "Random source value %zu: %s\n", i + 1,
			    json_string_value(item));
	json_array_foreach(contests, i, item) {
		if (r == TL_OK)
			r = tl_buf_addc(out, '\n');
		if (r == TL_OK)
			r = tl_report_contest_text(item, out);
	}
	json_array_foreach(turnout, i, item) {
		const char *name = json_string_value(json_object_get(item, "name"));

		if (name != NULL && tl_report_width(name) > width)
			width = tl_report_width(name);
	}
	if (r == TL_OK)
		r = tl_buf_adds(out, "\nTurnout\n  ");
	if (r == TL_OK)
		r = add_padded(out, "Constituency", width);
	if (r == TL_OK)
		r = tl_buf_addf(out, " %9s %7s %8s  %9s %9s %8s\n", "Eligible",
		    "Voted", "Percent", "Weight", "Voted", "Percent");
	json_array_foreach(turnout, i, item) {
		json_int_t e = json_integer_value(json_object_get(item, "eligible"));
		json_int_t v = json_integer_value(json_object_get(item, "voted"));
		json_int_t ew = json_integer_value(json_object_get(item,
		    "eligible_weight"));
		json_int_t vw = json_integer_value(json_object_get(item,
		    "voted_weight"));
		char p1[32], p2[32];

		tl_report_percent(v, e, p1);
		tl_report_percent(vw, ew, p2);
		if (r == TL_OK)
			r = tl_buf_adds(out, "  ");
		if (r == TL_OK)
			r = add_padded(out, json_string_value(json_object_get(item,
			    "name")), width);
		if (r == TL_OK)
			r = tl_buf_addf(out, " %9" JSON_INTEGER_FORMAT " %7"
			    JSON_INTEGER_FORMAT " %8s  %9" JSON_INTEGER_FORMAT
			    " %9" JSON_INTEGER_FORMAT " %8s\n", e, v, p1, ew, vw,
			    p2);
	}
	return r;
}

int
tl_report_contest_html(const json_t *report, struct tl_buf *out)
{
	return tl_report_contest_text(report, out);
}
