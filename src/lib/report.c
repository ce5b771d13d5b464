/*
 * report.c: text rendering of count reports and election results.
 */
#include <config.h>

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
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

void
tl_report_amount(const json_t *v, char out[48])
{
	if (json_is_integer(v))
		snprintf(out, 48, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_string(v))
		snprintf(out, 48, "%s", json_string_value(v));
	else
		snprintf(out, 48, "-");
}

int
tl_report_in_list(const json_t *list, const char *id)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), id) == 0)
			return 1;
	return 0;
}

int
tl_report_quorum_sentence(const json_t *report, struct tl_buf *out,
    int *written)
{
	const json_t *quorum = json_object_get(report, "quorum");
	const json_t *min_ballots = json_object_get(quorum, "min_ballots");
	json_int_t percent = json_integer_value(json_object_get(quorum,
	    "percent"));
	char need[48], have[48];
	int r = TL_OK;

	*written = 0;
	if (percent == 0 && min_ballots == NULL)
		return TL_OK;
	r = tl_buf_adds(out, "Quorum: ");
	if (r == TL_OK && percent > 0) {
		tl_report_amount(json_object_get(quorum, "eligible_weight"),
		    need);
		tl_report_amount(json_object_get(quorum,
		    "participating_weight"), have);
		r = tl_buf_addf(out, "%" JSON_INTEGER_FORMAT "%% of eligible "
		    "weight %s; participating %s%s", percent, need, have,
		    min_ballots != NULL ? "; " : "");
	}
	if (r == TL_OK && min_ballots != NULL)
		r = tl_buf_addf(out, "at least %" JSON_INTEGER_FORMAT " valid "
		    "ballots; valid ballots %" JSON_INTEGER_FORMAT,
		    json_integer_value(min_ballots), json_integer_value(
		    json_object_get(quorum, "participating_ballots")));
	if (r == TL_OK)
		r = tl_buf_addf(out, " (%s)", json_is_true(json_object_get(
		    quorum, "met")) ? "met" : "not met");
	*written = r == TL_OK;
	return r;
}

/* The quorum as a line of the text report. */
static int
render_quorum(const json_t *report, struct tl_buf *out)
{
	struct tl_buf sentence;
	int written = 0, r;

	tl_buf_init(&sentence, 4096);
	r = tl_report_quorum_sentence(report, &sentence, &written);
	if (r == TL_OK && written)
		r = tl_buf_addf(out, "  %s\n", sentence.data);
	tl_buf_free(&sentence);
	return r;
}

const char *
tl_report_outcome_words(const char *outcome)
{
	if (outcome == NULL)
		return "-";
	if (strcmp(outcome, "no-valid-votes") == 0)
		return "no valid votes";
	if (strcmp(outcome, "no-quorum") == 0)
		return "no quorum";
	return outcome;
}

const char *
tl_report_no_election(const json_t *report)
{
	const char *method = json_string_value(json_object_get(report,
	    "method"));
	const char *outcome = json_string_value(json_object_get(report,
	    "outcome"));

	if (method == NULL || outcome == NULL ||
	    strcmp(method, "referendum") == 0)
		return NULL;
	return strcmp(outcome, "no-quorum") == 0 ? "The quorum is not met" :
	    "No valid votes";
}

const char *
tl_report_candidate_name(const json_t *report, const char *id)
{
	size_t i;
	json_t *c;

	json_array_foreach(json_object_get(report, "candidates"), i, c)
		if (id != NULL && strcmp(json_string_value(json_object_get(c,
		    "id")), id) == 0)
			return json_string_value(json_object_get(c, "name"));
	return id;
}

static int
render_referendum(const json_t *report, struct tl_buf *out)
{
	static const char *const answers[] = {"yes", "no", "abstain"};
	const json_t *round = json_array_get(json_object_get(report, "rounds"),
	    0);
	char amount[48], pct[32];
	int64_t yes, no;
	int r = TL_OK;

	yes = json_integer_value(json_object_get(json_object_get(round, "votes"),
	    "yes"));
	no = json_integer_value(json_object_get(json_object_get(round, "votes"),
	    "no"));
	for (int a = 0; a < 3 && r == TL_OK; a++) {
		tl_report_amount(json_object_get(json_object_get(round, "votes"),
		    answers[a]), amount);
		r = tl_buf_addf(out, "  %-10s %12s\n", answers[a], amount);
	}
	tl_report_percent(yes, yes + no, pct);
	if (r == TL_OK)
		r = tl_buf_addf(out, "  Yes: %s of yes and no; threshold: %s\n",
		    pct, json_string_value(json_object_get(report, "threshold")));
	if (r == TL_OK)
		r = render_quorum(report, out);
	if (r == TL_OK)
		r = tl_buf_addf(out, "  Outcome: %s\n", tl_report_outcome_words(
		    json_string_value(json_object_get(report, "outcome"))));
	return r;
}

/* A contest that elected no one for want of valid votes or a quorum. */
static int
render_no_election(const json_t *report, struct tl_buf *out)
{
	int r = render_quorum(report, out);

	if (r == TL_OK)
		r = tl_buf_addf(out, "  %s: no one is elected\n",
		    tl_report_no_election(report));
	return r;
}

int64_t
tl_report_units(const json_t *v)
{
	const char *s;
	int64_t x = 0;

	if (json_is_integer(v))
		return json_integer_value(v);
	if ((s = json_string_value(v)) == NULL || s[0] == '-')
		return 0;
	for (; *s; s++)
		if (*s >= '0' && *s <= '9' && x < INT64_MAX / 10)
			x = x * 10 + (*s - '0');
	return x;
}

/* Most votes first, equal votes in the report's order. */
static int
row_cmp(const void *a, const void *b)
{
	const struct tl_report_row *x = a, *y = b;

	if (x->units != y->units)
		return x->units > y->units ? -1 : 1;
	return x->position < y->position ? -1 : x->position > y->position;
}

struct tl_report_row *
tl_report_rows(const json_t *report, const json_t *round, int keep_order,
    size_t *n)
{
	const json_t *candidates = json_object_get(report, "candidates");
	const json_t *votes = json_object_get(round, "votes");
	size_t count = json_array_size(candidates), k = 0, i;
	struct tl_report_row *rows = calloc(count + 1, sizeof(*rows));
	json_t *c;

	if (rows == NULL)
		return NULL;
	json_array_foreach(candidates, i, c) {
		const char *id = json_string_value(json_object_get(c, "id"));

		if (id == NULL || json_object_get(votes, id) == NULL)
			continue;
		rows[k].id = id;
		rows[k].name = json_string_value(json_object_get(c, "name"));
		rows[k].votes = json_object_get(votes, id);
		rows[k].units = tl_report_units(rows[k].votes);
		rows[k].position = i;
		rows[k].elected = tl_report_in_list(json_object_get(report,
		    "elected"), id);
		k++;
	}
	if (!keep_order)
		qsort(rows, k, sizeof(*rows), row_cmp);
	*n = k;
	return rows;
}

static int
render_table(const json_t *report, struct tl_buf *out)
{
	const json_t *rounds = json_object_get(report, "rounds");
	struct tl_report_row *rows;
	size_t n = 0, width = 9;
	int r = TL_OK;

	if ((rows = tl_report_rows(report, json_array_get(rounds,
	    json_array_size(rounds) - 1), 0, &n)) == NULL)
		return TL_ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (rows[i].name != NULL && tl_report_width(rows[i].name) > width)
			width = tl_report_width(rows[i].name);
	r = tl_buf_adds(out, "  ");
	if (r == TL_OK)
		r = add_padded(out, "Candidate", width);
	if (r == TL_OK)
		r = tl_buf_addf(out, " %12s\n", "Votes");
	for (size_t i = 0; i < n && r == TL_OK; i++) {
		char amount[48];

		tl_report_amount(rows[i].votes, amount);
		r = tl_buf_adds(out, "  ");
		if (r == TL_OK)
			r = add_padded(out, rows[i].name, width);
		if (r == TL_OK)
			r = tl_buf_addf(out, " %12s%s\n", amount,
			    rows[i].elected ? "  elected" : "");
	}
	free(rows);
	return r;
}

int
tl_report_tie_sentence(const json_t *report, const json_t *tie,
    struct tl_buf *out)
{
	const char *by = json_string_value(json_object_get(tie, "broken_by"));
	const json_t *cands = json_object_get(tie, "candidates");
	const json_t *chosen = json_object_get(tie, "chosen");
	size_t i;
	json_t *c;
	int r;

	if (!json_is_true(json_object_get(tie, "resolved"))) {
		r = tl_buf_addf(out, "%" JSON_INTEGER_FORMAT " seat(s) "
		    "undecided between ", json_integer_value(json_object_get(tie,
		    "seats")));
		json_array_foreach(cands, i, c)
			if (r == TL_OK)
				r = tl_buf_addf(out, "%s%s", i > 0 ? ", " : "",
				    tl_report_candidate_name(report,
				    json_string_value(c)));
		if (r == TL_OK)
			r = tl_buf_adds(out, "; the rules of this method do not "
			    "break it");
		return r;
	}
	r = tl_buf_adds(out, "Tie between ");
	json_array_foreach(cands, i, c)
		if (r == TL_OK)
			r = tl_buf_addf(out, "%s%s", i > 0 ? ", " : "",
			    tl_report_candidate_name(report,
			    json_string_value(c)));
	if (r == TL_OK && json_object_get(tie, "question") != NULL)
		r = tl_buf_addf(out, " (%s)", json_string_value(
		    json_object_get(tie, "question")));
	if (r == TL_OK && by != NULL && strcmp(by, "earlier stage") == 0)
		r = tl_buf_addf(out, ": broken by the votes at round %"
		    JSON_INTEGER_FORMAT, json_integer_value(json_object_get(tie,
		    "stage")));
	else if (r == TL_OK && by != NULL) {
		r = tl_buf_adds(out, ": broken by lot (lot order ");
		json_array_foreach(json_object_get(tie, "lot_order"), i, c)
			if (r == TL_OK)
				r = tl_buf_addf(out, "%s%s", i > 0 ? ", " : "",
				    tl_report_candidate_name(report,
				    json_string_value(c)));
		if (r == TL_OK)
			r = tl_buf_adds(out, ")");
	}
	if (r == TL_OK && json_is_string(chosen))
		r = tl_buf_addf(out, "; chosen: %s", tl_report_candidate_name(
		    report, json_string_value(chosen)));
	json_array_foreach(json_is_array(chosen) ? chosen : NULL, i, c)
		if (r == TL_OK)
			r = tl_buf_addf(out, "%s%s", i > 0 ? ", " : "; chosen: ",
			    tl_report_candidate_name(report,
			    json_string_value(c)));
	return r;
}

/* A tie as a line of the text report, after indent. */
static int
render_tie(const json_t *report, const json_t *tie, const char *indent,
    const char *prefix, struct tl_buf *out)
{
	struct tl_buf sentence;
	int r;

	tl_buf_init(&sentence, 64 * 1024);
	r = tl_report_tie_sentence(report, tie, &sentence);
	if (r == TL_OK)
		r = tl_buf_addf(out, "%s%s%s\n", indent, prefix, sentence.data);
	tl_buf_free(&sentence);
	return r;
}

/* The round's action as a sentence. */
static int
render_action(const json_t *report, const json_t *round, struct tl_buf *out)
{
	const json_t *action = json_object_get(round, "action");
	const char *type = json_string_value(json_object_get(action, "type"));
	const char *cand = tl_report_candidate_name(report, json_string_value(
	    json_object_get(action, "candidate")));
	char a[48], b[48];
	size_t i;
	json_t *v;
	int r;

	r = tl_buf_addf(out, "  Round %" JSON_INTEGER_FORMAT ": ",
	    json_integer_value(json_object_get(round, "round")));
	if (r != TL_OK || type == NULL)
		return r;
	if (strcmp(type, "surplus") == 0) {
		tl_report_amount(json_object_get(action, "surplus"), a);
		tl_report_amount(json_object_get(action, "votes"), b);
		r = tl_buf_addf(out, "surplus of %s transferred (surplus %s of "
		    "%s votes)", cand, a, b);
		json_array_foreach(json_object_get(action, "transfer_values"),
		    i, v) {
			tl_report_amount(json_object_get(v, "value"), a);
			tl_report_amount(json_object_get(v, "transfer_value"), b);
			if (r == TL_OK)
				r = tl_buf_addf(out, "%s papers of value %s go "
				    "on at %s", i > 0 ? "," : ";", a, b);
		}
	} else if (strcmp(type, "exclusion") == 0) {
		tl_report_amount(json_object_get(action, "votes"), a);
		r = tl_buf_addf(out, "%s excluded with %s votes%s%s%s", cand, a,
		    json_object_get(action, "why") != NULL ? " (" : "",
		    json_object_get(action, "why") != NULL ?
		    json_string_value(json_object_get(action, "why")) : "",
		    json_object_get(action, "why") != NULL ? ")" : "");
	} else {
		r = tl_buf_adds(out, type);
	}
	if (r == TL_OK)
		r = tl_buf_adds(out, "\n");
	if (r == TL_OK && json_object_get(action, "tie") != NULL)
		r = render_tie(report, json_object_get(action, "tie"), "    ",
		    "", out);
	return r;
}

/* Ranked counts: every round's quota, votes, changes and action. */
static int
render_rounds(const json_t *report, struct tl_buf *out)
{
	const json_t *candidates = json_object_get(report, "candidates");
	const json_t *rounds = json_object_get(report, "rounds");
	size_t n = json_array_size(candidates), width = 16, i, k;
	uint8_t *gone = calloc(n + 1, 1);
	json_t *round;
	int r = TL_OK;

	if (gone == NULL)
		return TL_ENOMEM;
	for (k = 0; k < n; k++) {
		const char *name = json_string_value(json_object_get(
		    json_array_get(candidates, k), "name"));

		if (name != NULL && tl_report_width(name) > width)
			width = tl_report_width(name);
	}
	json_array_foreach(rounds, i, round) {
		const json_t *votes = json_object_get(round, "votes");
		const json_t *changes = json_object_get(round, "transfers");
		const json_t *action = json_object_get(round, "action");
		const char *excluded = json_string_value(json_object_get(action,
		    "candidate"));
		char q[48], v[48], d[48];

		if (strcmp(json_string_value(json_object_get(action, "type")) ?
		    json_string_value(json_object_get(action, "type")) : "",
		    "exclusion") != 0)
			excluded = NULL;
		if (r == TL_OK)
			r = render_action(report, round, out);
		tl_report_amount(json_object_get(round, "quota"), q);
		if (r == TL_OK)
			r = tl_buf_addf(out, "    quota %s\n    ", q);
		if (r == TL_OK)
			r = add_padded(out, "Candidate", width);
		if (r == TL_OK)
			r = tl_buf_addf(out, " %16s %14s\n", "Votes", "Change");
		for (k = 0; k < n && r == TL_OK; k++) {
			const json_t *c = json_array_get(candidates, k);
			const char *id = json_string_value(json_object_get(c,
			    "id"));
			const json_t *change = json_object_get(changes, id);
			const json_t *kf = json_object_get(json_object_get(round,
			    "keep_factors"), id);

			if (gone[k] || json_object_get(votes, id) == NULL)
				continue;
			tl_report_amount(json_object_get(votes, id), v);
			if (change != NULL)
				tl_report_amount(change, d);
			else
				d[0] = '\0';
			r = tl_buf_adds(out, "    ");
			if (r == TL_OK)
				r = add_padded(out, json_string_value(
				    json_object_get(c, "name")), width);
			if (r == TL_OK)
				r = tl_buf_addf(out, " %16s %14s", v, d);
			if (r == TL_OK && kf != NULL)
				r = tl_buf_addf(out, "  keep %s",
				    json_string_value(kf));
			if (r == TL_OK && tl_report_in_list(json_object_get(round,
			    "elected"), id))
				r = tl_buf_adds(out, "  elected");
			if (r == TL_OK && excluded != NULL &&
			    strcmp(excluded, id) == 0) {
				r = tl_buf_adds(out, "  excluded");
				gone[k] = 1;
			}
			if (r == TL_OK)
				r = tl_buf_adds(out, "\n");
		}
		tl_report_amount(json_object_get(round, "non_transferable"), v);
		if (r == TL_OK)
			r = tl_buf_addf(out, "    non-transferable %s", v);
		if (r == TL_OK && json_object_get(round, "lost") != NULL) {
			tl_report_amount(json_object_get(round, "lost"), v);
			r = tl_buf_addf(out, "; lost to fractions %s", v);
		}
		if (r == TL_OK && json_object_get(round, "surplus") != NULL) {
			tl_report_amount(json_object_get(round, "surplus"), v);
			r = tl_buf_addf(out, "; surplus %s after %"
			    JSON_INTEGER_FORMAT " iteration(s)", v,
			    json_integer_value(json_object_get(round,
			    "iterations")));
		}
		if (r == TL_OK)
			r = tl_buf_adds(out, "\n");
	}
	free(gone);
	return r;
}

/* Schulze: the pairwise matrix d, the strongest paths p, the ranking. */
static int
render_schulze(const json_t *report, struct tl_buf *out)
{
	static const char *const names[2] = {"d", "p"};
	static const char *const what[2] = {
		"d[X][Y]: ballots ranking X above Y",
		"p[X][Y]: strength of the strongest path from X to Y",
	};
	const json_t *ranking = json_object_get(report, "ranking");
	size_t i, j;
	json_t *x, *y;
	int r = TL_OK;

	for (int m = 0; m < 2 && r == TL_OK; m++) {
		const json_t *matrix = json_object_get(report, names[m]);

		r = tl_buf_addf(out, "  %s\n  %8s", what[m], "");
		json_array_foreach(ranking, j, y)
			if (r == TL_OK)
				r = tl_buf_addf(out, " %10.10s",
				    tl_report_candidate_name(report, json_string_value(y)));
		if (r == TL_OK)
			r = tl_buf_adds(out, "\n");
		json_array_foreach(ranking, i, x) {
			const json_t *row = json_object_get(matrix,
			    json_string_value(x));

			if (r == TL_OK)
				r = tl_buf_addf(out, "  %8.8s",
				    tl_report_candidate_name(report, json_string_value(x)));
			json_array_foreach(ranking, j, y) {
				char v[48];

				if (i == j)
					snprintf(v, sizeof(v), "-");
				else
					tl_report_amount(json_object_get(row,
					    json_string_value(y)), v);
				if (r == TL_OK)
					r = tl_buf_addf(out, " %10s", v);
			}
			if (r == TL_OK)
				r = tl_buf_adds(out, "\n");
		}
	}
	if (r == TL_OK)
		r = tl_buf_adds(out, "  Ranking:");
	json_array_foreach(ranking, i, x)
		if (r == TL_OK)
			r = tl_buf_addf(out, " %zu. %s", i + 1,
			    tl_report_candidate_name(report, json_string_value(x)));
	if (r == TL_OK)
		r = tl_buf_adds(out, "\n");
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
		if (!json_is_true(json_object_get(tie, "resolved")))
			r = render_tie(report, tie, "  ", "TIE: ", out);
		/* Ranked counts show their ties with the rounds. */
		else if (r == TL_OK && json_object_get(json_array_get(
		    json_object_get(report, "rounds"), 0), "action") == NULL)
			r = render_tie(report, tie, "  ", "", out);
		if (r != TL_OK)
			break;
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
	tl_report_amount(json_object_get(report, "weight"), weight);
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
	else if (json_object_get(report, "outcome") != NULL)
		r = render_no_election(report, out);
	else if (strcmp(method, "schulze") == 0)
		r = render_schulze(report, out);
	else if (strcmp(method, "plurality") == 0 ||
	    strcmp(method, "approval") == 0)
		r = render_table(report, out);
	else
		r = render_rounds(report, out);
	if (r == TL_OK && strcmp(method, "referendum") != 0 &&
	    json_object_get(report, "outcome") == NULL)
		r = render_quorum(report, out);
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

void
tl_report_turnout_row(const json_t *item, struct tl_report_turnout *row)
{
	row->constituency = json_string_value(json_object_get(item,
	    "constituency"));
	row->name = json_string_value(json_object_get(item, "name"));
	row->eligible = json_integer_value(json_object_get(item, "eligible"));
	row->voted = json_integer_value(json_object_get(item, "voted"));
	row->eligible_weight = json_integer_value(json_object_get(item,
	    "eligible_weight"));
	row->voted_weight = json_integer_value(json_object_get(item,
	    "voted_weight"));
	tl_report_percent(row->voted, row->eligible, row->percent);
	tl_report_percent(row->voted_weight, row->eligible_weight,
	    row->percent_weighted);
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
		struct tl_report_turnout t;

		tl_report_turnout_row(item, &t);
		if (r == TL_OK)
			r = tl_buf_adds(out, "  ");
		if (r == TL_OK)
			r = add_padded(out, t.name, width);
		if (r == TL_OK)
			r = tl_buf_addf(out, " %9" JSON_INTEGER_FORMAT " %7"
			    JSON_INTEGER_FORMAT " %8s  %9" JSON_INTEGER_FORMAT
			    " %9" JSON_INTEGER_FORMAT " %8s\n", t.eligible,
			    t.voted, t.percent, t.eligible_weight, t.voted_weight,
			    t.percent_weighted);
	}
	return r;
}
