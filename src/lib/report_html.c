/*
 * report_html.c: one contest's count as a single HTML page with nothing
 * outside it (no scripts, fonts or images): a summary, the winners, how to
 * read the count, the table of every round and an inline SVG chart of each
 * candidate's votes across the rounds.  Chart coordinates are computed in
 * integers from the report's exact amounts.
 */
#include <config.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "teller/report.h"

#define CHART_W 760
#define CHART_H 360
#define LEFT 110
#define RIGHT 20
#define TOP 20
#define BOTTOM 40

static const char *const palette[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
	"#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#393b79", "#637939",
	"#8c6d31", "#843c39", "#7b4173", "#3182bd",
};
#define NCOLORS (sizeof(palette) / sizeof(palette[0]))

static int
add_escaped(struct tl_buf *out, const char *s)
{
	int r = TL_OK;

	for (; s != NULL && *s && r == TL_OK; s++) {
		switch (*s) {
		case '<': r = tl_buf_adds(out, "&lt;"); break;
		case '>': r = tl_buf_adds(out, "&gt;"); break;
		case '&': r = tl_buf_adds(out, "&amp;"); break;
		case '"': r = tl_buf_adds(out, "&quot;"); break;
		default: r = tl_buf_addc(out, *s); break;
		}
	}
	return r;
}

/* An amount (integer, or decimal string with a fixed number of places)
 * as text, and as an integer count of its smallest unit. */
static const char *
amount_text(const json_t *v, char buf[48])
{
	if (json_is_integer(v))
		snprintf(buf, 48, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_string(v))
		snprintf(buf, 48, "%s", json_string_value(v));
	else
		snprintf(buf, 48, "%s", "");
	return buf;
}

static int64_t
amount_units(const json_t *v)
{
	const char *s;
	int64_t x = 0;

	if (json_is_integer(v))
		return json_integer_value(v);
	if ((s = json_string_value(v)) == NULL)
		return 0;
	for (; *s; s++)
		if (*s >= '0' && *s <= '9' && x < INT64_MAX / 10)
			x = x * 10 + (*s - '0');
	return s[0] == '-' ? 0 : x;
}

static const char *
name_of(const json_t *candidates, const char *id)
{
	size_t i;
	json_t *c;

	json_array_foreach(candidates, i, c)
		if (strcmp(json_string_value(json_object_get(c, "id")), id) == 0)
			return json_string_value(json_object_get(c, "name"));
	return id;
}

static const char *
explanation(const char *method)
{
	if (strcmp(method, "stv-scottish") == 0 ||
	    strcmp(method, "stv-meek") == 0)
		return "Each ballot counts first for the voter's first choice. "
		    "A candidate who reaches the <b>quota</b> is elected; the "
		    "votes they hold beyond it (their <b>surplus</b>) are not "
		    "needed, so each of their ballots passes on part of its "
		    "value to the voter's next choice. When nobody else can "
		    "be elected that way, the candidate with the fewest votes "
		    "is excluded and their ballots go to the voters' next "
		    "choices. A ballot with no further choice is "
		    "<b>non-transferable</b>. Each column of the table is one "
		    "round; the chart shows the same numbers.";
	if (strcmp(method, "irv") == 0)
		return "Each ballot counts for the voter's highest choice "
		    "still in the race. A candidate with more than half of "
		    "those votes wins; otherwise the candidate with the "
		    "fewest votes is excluded and their ballots go to the "
		    "voters' next choices. Each column is one round.";
	if (strcmp(method, "schulze") == 0)
		return "Every pair of candidates is compared: d[X][Y] is the "
		    "number of voters who ranked X above Y. p[X][Y] is the "
		    "strength of the strongest chain of wins from X to Y. X "
		    "is ranked above Y when p[X][Y] is larger than p[Y][X].";
	return "Each mark gives the ballot's weight to the candidate marked; "
	    "the candidates with the most votes are elected.";
}

static int
summary(const json_t *report, struct tl_buf *out)
{
	const char *method = json_string_value(json_object_get(report,
	    "method"));
	const json_t *title = json_object_get(report, "title");
	const json_t *candidates = json_object_get(report, "candidates");
	char w[48];
	size_t i;
	json_t *v;
	int r;

	r = tl_buf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<title>");
	if (r == TL_OK)
		r = add_escaped(out, json_string_value(title) != NULL ?
		    json_string_value(title) : "Count");
	if (r == TL_OK)
		r = tl_buf_adds(out, "</title>\n<style>\n"
		    "body{font-family:sans-serif;margin:2em;max-width:70em}\n"
		    "table{border-collapse:collapse;margin:1em 0}\n"
		    "td,th{border:1px solid #bbb;padding:.25em .5em;"
		    "text-align:right}\n"
		    "th:first-child,td:first-child{text-align:left}\n"
		    "td.elected{background:#d4f4d4;font-weight:bold}\n"
		    "td.excluded{background:#eee;color:#777}\n"
		    "td.action{font-size:smaller;text-align:left;"
		    "vertical-align:top}\n"
		    "p.how{background:#f4f4fb;padding:1em}\n"
		    "div.wide{overflow-x:auto}\n"
		    "</style>\n</head>\n<body>\n<h1>");
	if (r == TL_OK)
		r = add_escaped(out, json_string_value(title) != NULL ?
		    json_string_value(title) : "Count");
	if (r == TL_OK)
		r = tl_buf_addf(out, "</h1>\n<p>Method <b>%s</b>, %"
		    JSON_INTEGER_FORMAT " seat(s), %" JSON_INTEGER_FORMAT
		    " ballots (weight %s), %" JSON_INTEGER_FORMAT " blank",
		    method, json_integer_value(json_object_get(report, "seats")),
		    json_integer_value(json_object_get(report, "ballots")),
		    amount_text(json_object_get(report, "weight"), w),
		    json_integer_value(json_object_get(report, "blank")));
	if (r == TL_OK && json_object_get(report, "quota") != NULL)
		r = tl_buf_addf(out, "; quota <b>%s</b>", amount_text(
		    json_object_get(report, "quota"), w));
	if (r == TL_OK)
		r = tl_buf_addf(out, ".</p>\n<p class=\"how\">%s</p>\n"
		    "<h2>Elected</h2>\n<ol>\n", explanation(method));
	json_array_foreach(json_object_get(report, "elected"), i, v) {
		if (r == TL_OK)
			r = tl_buf_adds(out, "<li>");
		if (r == TL_OK)
			r = add_escaped(out, name_of(candidates,
			    json_string_value(v)));
		if (r == TL_OK)
			r = tl_buf_adds(out, "</li>\n");
	}
	if (r == TL_OK)
		r = tl_buf_adds(out, "</ol>\n");
	return r;
}

/* The round's action in a few words for the table's last row. */
static int
action_cell(const json_t *round, const json_t *candidates,
    struct tl_buf *out)
{
	const json_t *action = json_object_get(round, "action");
	const char *type = json_string_value(json_object_get(action, "type"));
	const char *cand = json_string_value(json_object_get(action,
	    "candidate"));
	const json_t *tie = json_object_get(action, "tie");
	int r = tl_buf_adds(out, "<td class=\"action\">");

	if (r == TL_OK && type != NULL && cand != NULL) {
		r = tl_buf_addf(out, "%s: ", strcmp(type, "surplus") == 0 ?
		    "surplus of" : type);
		if (r == TL_OK)
			r = add_escaped(out, name_of(candidates, cand));
	} else if (r == TL_OK && type != NULL) {
		r = add_escaped(out, type);
	}
	if (r == TL_OK && tie != NULL)
		r = tl_buf_addf(out, " (tie broken by %s)",
		    json_string_value(json_object_get(tie, "broken_by")));
	if (r == TL_OK)
		r = tl_buf_adds(out, "</td>");
	return r;
}

static int
round_table(const json_t *report, struct tl_buf *out)
{
	const json_t *candidates = json_object_get(report, "candidates");
	const json_t *rounds = json_object_get(report, "rounds");
	size_t nr = json_array_size(rounds), i, k;
	json_t *c, *round;
	char v[48];
	int r;

	r = tl_buf_adds(out, "<h2>Round by round</h2>\n<div class=\"wide\">"
	    "<table>\n<tr><th>Candidate</th>");
	for (i = 0; i < nr && r == TL_OK; i++)
		r = tl_buf_addf(out, "<th>Round %zu</th>", i + 1);
	if (r == TL_OK)
		r = tl_buf_adds(out, "</tr>\n");
	json_array_foreach(candidates, k, c) {
		const char *id = json_string_value(json_object_get(c, "id"));
		int state = 0; /* 1 elected, 2 excluded */

		if (json_is_true(json_object_get(c, "withdrawn")))
			continue;
		if (r == TL_OK)
			r = tl_buf_adds(out, "<tr><td>");
		if (r == TL_OK)
			r = add_escaped(out, json_string_value(json_object_get(c,
			    "name")));
		if (r == TL_OK)
			r = tl_buf_adds(out, "</td>");
		json_array_foreach(rounds, i, round) {
			const json_t *action = json_object_get(round, "action");
			const char *cand = json_string_value(json_object_get(
			    action, "candidate"));
			const char *type = json_string_value(json_object_get(
			    action, "type"));
			size_t j;
			json_t *e;

			json_array_foreach(json_object_get(round, "elected"), j,
			    e)
				if (strcmp(json_string_value(e), id) == 0)
					state = 1;
			if (cand != NULL && type != NULL &&
			    strcmp(type, "exclusion") == 0 &&
			    strcmp(cand, id) == 0)
				state = 2;
			if (r == TL_OK)
				r = tl_buf_addf(out, "<td%s>%s</td>",
				    state == 1 ? " class=\"elected\"" :
				    state == 2 ? " class=\"excluded\"" : "",
				    amount_text(json_object_get(json_object_get(
				    round, "votes"), id), v));
		}
		if (r == TL_OK)
			r = tl_buf_adds(out, "</tr>\n");
	}
	if (r == TL_OK)
		r = tl_buf_adds(out, "<tr><td>Non-transferable</td>");
	json_array_foreach(rounds, i, round)
		if (r == TL_OK)
			r = tl_buf_addf(out, "<td>%s</td>", amount_text(
			    json_object_get(round, "non_transferable"), v));
	if (r == TL_OK)
		r = tl_buf_adds(out, "</tr>\n<tr><td>Quota</td>");
	json_array_foreach(rounds, i, round)
		if (r == TL_OK)
			r = tl_buf_addf(out, "<td>%s</td>", amount_text(
			    json_object_get(round, "quota"), v));
	if (r == TL_OK)
		r = tl_buf_adds(out, "</tr>\n<tr><td>What happened</td>");
	json_array_foreach(rounds, i, round)
		if (r == TL_OK)
			r = action_cell(round, candidates, out);
	if (r == TL_OK)
		r = tl_buf_adds(out, "</tr>\n</table></div>\n");
	return r;
}

static int64_t
chart_x(size_t i, size_t n)
{
	int64_t w = CHART_W - LEFT - RIGHT;

	return LEFT + (n > 1 ? (int64_t)i * w / (int64_t)(n - 1) : w / 2);
}

static int64_t
chart_y(int64_t v, int64_t max)
{
	int64_t h = CHART_H - TOP - BOTTOM;

	return TOP + h - (max > 0 ? v * h / max : 0);
}

static int
chart(const json_t *report, struct tl_buf *out)
{
	const json_t *candidates = json_object_get(report, "candidates");
	const json_t *rounds = json_object_get(report, "rounds");
	size_t nr = json_array_size(rounds), i, k, color = 0;
	int64_t max = 1, quota = amount_units(json_object_get(
	    json_array_get(rounds, nr - 1), "quota"));
	const json_t *top = NULL;
	json_t *c, *round, *v;
	const char *key;
	char text[48];
	int r;

	json_array_foreach(rounds, i, round)
		json_object_foreach(json_object_get(round, "votes"), key, v)
			if (amount_units(v) > max) {
				max = amount_units(v);
				top = v;
			}
	if (quota > max)
		max = quota;
	r = tl_buf_addf(out, "<h2>Votes across the rounds</h2>\n<svg "
	    "xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	    "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"votes of each "
	    "candidate in each round\">\n<rect width=\"%d\" height=\"%d\" "
	    "fill=\"#fff\"/>\n<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#000\"/>\n<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#000\"/>\n", CHART_W + 220, CHART_H, CHART_W + 220,
	    CHART_H, CHART_W + 220, CHART_H, LEFT, TOP, LEFT,
	    CHART_H - BOTTOM, LEFT, CHART_H - BOTTOM, CHART_W - RIGHT,
	    CHART_H - BOTTOM);
	for (i = 0; i < nr && r == TL_OK; i++)
		r = tl_buf_addf(out, "<text x=\"%" PRId64 "\" y=\"%d\" "
		    "font-size=\"11\" text-anchor=\"middle\">%zu</text>\n",
		    chart_x(i, nr), CHART_H - BOTTOM + 15, i + 1);
	if (r == TL_OK)
		r = tl_buf_addf(out, "<text x=\"%d\" y=\"%d\" font-size=\"12\" "
		    "text-anchor=\"middle\">round</text>\n<text x=\"%d\" "
		    "y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s"
		    "</text>\n<text x=\"%d\" y=\"%d\" font-size=\"11\" "
		    "text-anchor=\"end\">0</text>\n", (LEFT + CHART_W) / 2,
		    CHART_H - 5, LEFT - 4, TOP + 4, quota > max || top == NULL ?
		    "votes" : amount_text(top, text), LEFT - 4,
		    CHART_H - BOTTOM);
	if (r == TL_OK && quota > 0)
		r = tl_buf_addf(out, "<line x1=\"%d\" y1=\"%" PRId64 "\" "
		    "x2=\"%d\" y2=\"%" PRId64 "\" stroke=\"#555\" "
		    "stroke-dasharray=\"6 4\"/>\n<text x=\"%d\" y=\"%" PRId64
		    "\" font-size=\"11\">quota %s</text>\n", LEFT,
		    chart_y(quota, max), CHART_W - RIGHT, chart_y(quota, max),
		    LEFT + 4, chart_y(quota, max) - 4, amount_text(
		    json_object_get(json_array_get(rounds, nr - 1), "quota"),
		    text));
	json_array_foreach(candidates, k, c) {
		const char *id = json_string_value(json_object_get(c, "id"));
		const char *col = palette[color % NCOLORS];

		if (json_is_true(json_object_get(c, "withdrawn")))
			continue;
		if (r == TL_OK)
			r = tl_buf_addf(out, "<polyline fill=\"none\" "
			    "stroke=\"%s\" stroke-width=\"2\" points=\"", col);
		json_array_foreach(rounds, i, round)
			if (r == TL_OK)
				r = tl_buf_addf(out, "%s%" PRId64 ",%" PRId64,
				    i > 0 ? " " : "", chart_x(i, nr),
				    chart_y(amount_units(json_object_get(
				    json_object_get(round, "votes"), id)), max));
		if (r == TL_OK)
			r = tl_buf_addf(out, "\"/>\n<rect x=\"%d\" y=\"%zu\" "
			    "width=\"12\" height=\"12\" fill=\"%s\"/>\n<text "
			    "x=\"%d\" y=\"%zu\" font-size=\"12\">", CHART_W + 5,
			    TOP + 18 * color, col, CHART_W + 22,
			    TOP + 18 * color + 11);
		if (r == TL_OK)
			r = add_escaped(out, json_string_value(json_object_get(c,
			    "name")));
		if (r == TL_OK)
			r = tl_buf_adds(out, "</text>\n");
		color++;
	}
	if (r == TL_OK)
		r = tl_buf_adds(out, "</svg>\n");
	return r;
}

static int
matrix(const json_t *report, const char *which, const char *what,
    struct tl_buf *out)
{
	const json_t *candidates = json_object_get(report, "candidates");
	const json_t *ranking = json_object_get(report, "ranking");
	const json_t *m = json_object_get(report, which);
	size_t i, j;
	json_t *x, *y;
	char v[48];
	int r = tl_buf_addf(out, "<h2>%s</h2>\n<table>\n<tr><th></th>", what);

	json_array_foreach(ranking, j, y) {
		if (r == TL_OK)
			r = tl_buf_adds(out, "<th>");
		if (r == TL_OK)
			r = add_escaped(out, name_of(candidates,
			    json_string_value(y)));
		if (r == TL_OK)
			r = tl_buf_adds(out, "</th>");
	}
	if (r == TL_OK)
		r = tl_buf_adds(out, "</tr>\n");
	json_array_foreach(ranking, i, x) {
		const json_t *row = json_object_get(m, json_string_value(x));

		if (r == TL_OK)
			r = tl_buf_adds(out, "<tr><td>");
		if (r == TL_OK)
			r = add_escaped(out, name_of(candidates,
			    json_string_value(x)));
		if (r == TL_OK)
			r = tl_buf_adds(out, "</td>");
		json_array_foreach(ranking, j, y)
			if (r == TL_OK)
				r = tl_buf_addf(out, "<td>%s</td>", i == j ? "" :
				    amount_text(json_object_get(row,
				    json_string_value(y)), v));
		if (r == TL_OK)
			r = tl_buf_adds(out, "</tr>\n");
	}
	if (r == TL_OK)
		r = tl_buf_adds(out, "</table>\n");
	return r;
}

static int
ties(const json_t *report, struct tl_buf *out)
{
	const json_t *list = json_object_get(report, "ties");
	size_t i, j;
	json_t *tie, *c;
	int r = TL_OK;

	if (json_array_size(list) == 0)
		return TL_OK;
	r = tl_buf_adds(out, "<h2>Ties</h2>\n<ul>\n");
	json_array_foreach(list, i, tie) {
		const char *by = json_string_value(json_object_get(tie,
		    "broken_by"));

		if (r == TL_OK)
			r = tl_buf_adds(out, "<li>");
		json_array_foreach(json_object_get(tie, "candidates"), j, c) {
			if (r == TL_OK && j > 0)
				r = tl_buf_adds(out, ", ");
			if (r == TL_OK)
				r = add_escaped(out, name_of(json_object_get(
				    report, "candidates"), json_string_value(c)));
		}
		if (r == TL_OK)
			r = tl_buf_adds(out, " were tied");
		if (r == TL_OK && json_object_get(tie, "question") != NULL) {
			r = tl_buf_adds(out, " on ");
			if (r == TL_OK)
				r = add_escaped(out, json_string_value(
				    json_object_get(tie, "question")));
		}
		if (r == TL_OK && by != NULL && strcmp(by, "lot") == 0)
			r = tl_buf_adds(out, "; broken by lot");
		else if (r == TL_OK && by != NULL)
			r = tl_buf_addf(out, "; broken by their votes at round "
			    "%" JSON_INTEGER_FORMAT, json_integer_value(
			    json_object_get(tie, "stage")));
		if (r == TL_OK)
			r = tl_buf_adds(out, ".</li>\n");
	}
	if (r == TL_OK)
		r = tl_buf_adds(out, "</ul>\n");
	return r;
}

int
tl_report_contest_html(const json_t *report, struct tl_buf *out)
{
	const char *method = json_string_value(json_object_get(report,
	    "method"));
	int r;

	if (method == NULL)
		return TL_EINPUT;
	r = summary(report, out);
	if (r == TL_OK && strcmp(method, "referendum") != 0 &&
	    json_object_get(report, "outcome") != NULL) {
		r = tl_buf_addf(out, "<p class=\"outcome\">%s: no one is "
		    "elected.</p>\n", strcmp(json_string_value(json_object_get(
		    report, "outcome")), "no-quorum") == 0 ? "The quorum is not "
		    "met" : "No valid votes");
	} else if (r == TL_OK && strcmp(method, "schulze") == 0) {
		r = matrix(report, "d", "Pairwise preferences d", out);
		if (r == TL_OK)
			r = matrix(report, "p", "Strongest paths p", out);
	} else if (r == TL_OK && json_array_size(json_object_get(report,
	    "rounds")) > 0) {
		r = round_table(report, out);
		if (r == TL_OK)
			r = chart(report, out);
	}
	if (r == TL_OK)
		r = ties(report, out);
	if (r == TL_OK)
		r = tl_buf_adds(out, "</body>\n</html>\n");
	return r;
}
