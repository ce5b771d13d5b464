/*
 * report_html.c: results as self-contained HTML pages (no scripts, fonts,
 * images or anything else outside the page): one contest's count, or a
 * whole election (every contest, then the turnout per constituency).
 * Every page is headed with the election's id and title, its manifest
 * hash, when voting closed and the certification state (for a BLT count,
 * the count's title alone).
 *
 * Each contest says what its method needs: a referendum its threshold,
 * quorum and outcome; a count of one round its votes as a table and a bar
 * chart; a count of several rounds the table of every round and a line
 * chart of each candidate's votes across them; Schulze its ranking and
 * the matrices d and p; a contest that elected no one why.  Ties read as
 * in the text report (report_internal.h).  Chart coordinates are computed
 * in integers from the report's exact amounts.
 *
 * The pages are made to be read by people and checked by programs: the
 * parts carry ids and classes (header#election, section.contest with
 * data-method, p.outcome with data-outcome, table.votes, table.rounds,
 * svg.chart.bars and svg.chart.lines, li.tie, table#turnout-table).
 */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "teller/report.h"

#define CHART_W 760
#define CHART_H 360
#define LEFT 110
#define RIGHT 20
#define TOP 20
#define BOTTOM 40
#define BAR_H 22

static const char *const palette[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
	"#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#393b79", "#637939",
	"#8c6d31", "#843c39", "#7b4173", "#3182bd",
};
#define NCOLORS (sizeof(palette) / sizeof(palette[0]))

static const char style[] =
    "<style>\n"
    "body{font-family:sans-serif;margin:2em;max-width:70em}\n"
    "header#election dl{display:grid;grid-template-columns:max-content "
    "auto;gap:.2em 1em}\n"
    "header#election dt{font-weight:bold}\n"
    "header#election dd{margin:0;overflow-wrap:anywhere}\n"
    "table{border-collapse:collapse;margin:1em 0}\n"
    "td,th{border:1px solid #bbb;padding:.25em .5em;text-align:right}\n"
    "th:first-child,td:first-child{text-align:left}\n"
    "td.elected{background:#d4f4d4;font-weight:bold}\n"
    "td.excluded{background:#eee;color:#777}\n"
    "td.action{font-size:smaller;text-align:left;vertical-align:top}\n"
    "p.how{background:#f4f4fb;padding:1em}\n"
    "p.outcome{font-size:larger;font-weight:bold}\n"
    "section.contest{border-top:2px solid #888;margin-top:2em}\n"
    "div.wide{overflow-x:auto}\n"
    "</style>\n";

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

/* pre, s escaped, post. */
static int
add_wrapped(struct tl_buf *out, const char *pre, const char *s,
    const char *post)
{
	int r = tl_buf_adds(out, pre);

	if (r == TL_OK)
		r = add_escaped(out, s);
	if (r == TL_OK)
		r = tl_buf_adds(out, post);
	return r;
}

/* A sentence made by one of report_internal.h's functions, escaped. */
static int
add_sentence(struct tl_buf *out, const char *pre, struct tl_buf *sentence,
    const char *post)
{
	int r = add_wrapped(out, pre, sentence->data != NULL ? sentence->data :
	    "", post);

	tl_buf_reset(sentence);
	return r;
}

static const char *
text_of(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static const char *
explanation(const char *method)
{
	if (strcmp(method, "stv-scottish") == 0 ||
	    strcmp(method, "stv-meek") == 0)
		return "Each ballot counts first for the voter's first choice. "
		    "A candidate who reaches the quota is elected; the votes "
		    "they hold beyond it (their surplus) are not needed, so "
		    "each of their ballots passes on part of its value to the "
		    "voter's next choice. When nobody else can be elected "
		    "that way, the candidate with the fewest votes is "
		    "excluded and their ballots go to the voters' next "
		    "choices. A ballot with no further choice is "
		    "non-transferable. Each column of the table is one round; "
		    "the chart shows the same numbers.";
	if (strcmp(method, "irv") == 0)
		return "Each ballot counts for the voter's highest choice "
		    "still in the race. A candidate with more than half of "
		    "those votes wins; otherwise the candidate with the "
		    "fewest votes is excluded and their ballots go to the "
		    "voters' next choices. Each column is one round.";
	if (strcmp(method, "schulze") == 0)
		return "Every pair of candidates is compared: d[X][Y] is the "
		    "weight of the ballots that rank X above Y. p[X][Y] is the "
		    "strength of the strongest chain of wins from X to Y. X "
		    "beats Y when p[X][Y] is larger than p[Y][X]. The ranking "
		    "is built place by place: the candidates nobody still "
		    "unplaced beats are tied for the place, and the lot "
		    "decides between them.";
	if (strcmp(method, "referendum") == 0)
		return "Each ballot gives its weight to its answer. Abstentions "
		    "count towards the quorum, not towards the threshold.";
	return "Each mark gives the ballot's weight to the candidate marked; "
	    "the candidates with the most votes are elected.";
}

static const char *
threshold_words(const char *threshold)
{
	if (threshold != NULL && strcmp(threshold, "two-thirds") == 0)
		return "two thirds: approved when yes is at least two thirds of "
		    "yes and no";
	return "majority: approved when yes is more than no";
}

/* The page up to its header: the election's id and title, manifest
 * hash, close time and certification state (page NULL: the title only). */
static int
page_start(struct tl_buf *out, const struct tl_report_page *page,
    const char *title, const char *subtitle)
{
	int r = tl_buf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\">\n"
	    "<head>\n<meta charset=\"utf-8\">\n<title>");

	if (r == TL_OK)
		r = add_escaped(out, title != NULL ? title : "Count");
	if (r == TL_OK && subtitle != NULL)
		r = add_wrapped(out, " \xe2\x80\x94 ", subtitle, "");
	if (r == TL_OK)
		r = tl_buf_addf(out, "</title>\n%s</head>\n<body>\n"
		    "<header id=\"election\">\n", style);
	if (r == TL_OK)
		r = add_wrapped(out, "<h1>", title != NULL ? title : "Count",
		    "</h1>\n");
	if (r != TL_OK || page == NULL || page->election == NULL)
		return r == TL_OK ? tl_buf_adds(out, "</header>\n") : r;
	r = add_wrapped(out, "<dl>\n<dt>Election</dt><dd id=\"election-id\">",
	    page->election, "</dd>\n");
	if (r == TL_OK)
		r = add_wrapped(out, "<dt>Manifest hash</dt><dd id=\"manifest-"
		    "hash\"><code>", page->manifest_hash != NULL ?
		    page->manifest_hash : "-", "</code></dd>\n");
	if (r == TL_OK)
		r = add_wrapped(out, "<dt>Voting closed</dt><dd id=\"closed\">",
		    page->closed != NULL ? page->closed : "-", "</dd>\n");
	if (r == TL_OK)
		r = add_wrapped(out, "<dt>Certification</dt>"
		    "<dd id=\"certification\">", page->certification != NULL ?
		    page->certification : "-", "</dd>\n</dl>\n</header>\n");
	return r;
}

/* The summary line of a contest: method, seats, ballots, blank. */
static int
summary(const json_t *report, struct tl_buf *out)
{
	const char *method = text_of(report, "method");
	char w[48];

	tl_report_amount(json_object_get(report, "weight"), w);
	if (strcmp(method, "referendum") == 0)
		return tl_buf_addf(out, "<p class=\"summary\">Referendum; %"
		    JSON_INTEGER_FORMAT " ballots (weight %s), %"
		    JSON_INTEGER_FORMAT " blank.</p>\n", json_integer_value(
		    json_object_get(report, "ballots")), w, json_integer_value(
		    json_object_get(report, "blank")));
	return tl_buf_addf(out, "<p class=\"summary\">Method <b>%s</b>, %"
	    JSON_INTEGER_FORMAT " seat(s); %" JSON_INTEGER_FORMAT " ballots "
	    "(weight %s), %" JSON_INTEGER_FORMAT " blank.</p>\n", method,
	    json_integer_value(json_object_get(report, "seats")),
	    json_integer_value(json_object_get(report, "ballots")), w,
	    json_integer_value(json_object_get(report, "blank")));
}

static int
elected_list(const json_t *report, struct tl_buf *out)
{
	const json_t *elected = json_object_get(report, "elected");
	size_t i;
	json_t *v;
	int r;

	r = tl_buf_adds(out, "<h3>Elected</h3>\n<ol class=\"elected\">\n");
	json_array_foreach(elected, i, v)
		if (r == TL_OK)
			r = add_wrapped(out, "<li>", tl_report_candidate_name(
			    report, json_string_value(v)), "</li>\n");
	if (r == TL_OK)
		r = tl_buf_adds(out, json_array_size(elected) == 0 ?
		    "<li>none</li>\n</ol>\n" : "</ol>\n");
	return r;
}

/* One round's votes as a table; for a referendum (share) with the share
 * of yes and of no in yes + no, which the threshold is about. */
static int
votes_table(const struct tl_report_row *bars, size_t n, int share,
    struct tl_buf *out)
{
	int64_t total = 0;
	char v[48], pct[32];
	int r;

	for (size_t i = 0; i < n; i++)
		if (strcmp(bars[i].id, "abstain") != 0)
			total += bars[i].units;
	r = tl_buf_addf(out, "<table class=\"votes\">\n<tr><th>%s</th>"
	    "<th>Votes</th>%s</tr>\n", share ? "Answer" : "Candidate",
	    share ? "<th>Share of yes and no</th>" : "");
	for (size_t i = 0; i < n && r == TL_OK; i++) {
		tl_report_amount(bars[i].votes, v);
		r = add_wrapped(out, "<tr><td>", bars[i].name, "</td>");
		if (r == TL_OK)
			r = tl_buf_addf(out, "<td%s>%s</td>", bars[i].elected ?
			    " class=\"elected\"" : "", v);
		if (r == TL_OK && share) {
			if (strcmp(bars[i].id, "abstain") == 0)
				snprintf(pct, sizeof(pct), "-");
			else
				tl_report_percent(bars[i].units, total, pct);
			r = tl_buf_addf(out, "<td>%s</td>", pct);
		}
		if (r == TL_OK)
			r = tl_buf_adds(out, "</tr>\n");
	}
	if (r == TL_OK)
		r = tl_buf_adds(out, "</table>\n");
	return r;
}

/* One round's votes as horizontal bars, longest first. */
static int
bar_chart(const struct tl_report_row *bars, size_t n, struct tl_buf *out)
{
	int64_t max = 0, span = CHART_W - LEFT - RIGHT - 80;
	int height = TOP + (int)n * (BAR_H + 8) + 10;
	char v[48];
	int r;

	for (size_t i = 0; i < n; i++)
		if (bars[i].units > max)
			max = bars[i].units;
	r = tl_buf_addf(out, "<svg class=\"chart bars\" "
	    "xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	    "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"votes of each "
	    "candidate\">\n<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n"
	    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>\n",
	    CHART_W, height, CHART_W, height, CHART_W, height, LEFT, TOP - 4,
	    LEFT, height - 6);
	for (size_t i = 0; i < n && r == TL_OK; i++) {
		int y = TOP + (int)i * (BAR_H + 8);
		int64_t w = max > 0 ? bars[i].units * span / max : 0;

		tl_report_amount(bars[i].votes, v);
		r = tl_buf_addf(out, "<text x=\"%d\" y=\"%d\" "
			    "font-size=\"12\" text-anchor=\"end\">", LEFT - 6,
			    y + BAR_H - 6);
		if (r == TL_OK)
			r = add_wrapped(out, "", bars[i].name, "</text>\n");
		if (r == TL_OK)
			r = add_wrapped(out, "<rect class=\"bar\" data-candidate=\"",
			    bars[i].id, "\"");
		if (r == TL_OK)
			r = tl_buf_addf(out, " data-votes=\"%s\" x=\"%d\" "
			    "y=\"%d\" width=\"%" PRId64 "\" height=\"%d\" "
			    "fill=\"%s\"/>\n<text x=\"%" PRId64 "\" y=\"%d\" "
			    "font-size=\"12\">%s</text>\n", v, LEFT, y, w, BAR_H,
			    palette[bars[i].position % NCOLORS], LEFT + w + 4,
			    y + BAR_H - 6, v);
	}
	if (r == TL_OK)
		r = tl_buf_adds(out, "</svg>\n");
	return r;
}

/* A count of one round (plurality, approval, or a ranked count that
 * ended at once) or a referendum: its table and bar chart. */
static int
single_round(const json_t *report, int referendum, struct tl_buf *out)
{
	const json_t *round = json_array_get(json_object_get(report, "rounds"),
	    0);
	struct tl_report_row *bars;
	size_t n = 0;
	int r;

	if ((bars = tl_report_rows(report, round, referendum, &n)) == NULL)
		return TL_ENOMEM;
	r = tl_buf_adds(out, "<h3>Votes</h3>\n");
	if (r == TL_OK)
		r = votes_table(bars, n, referendum, out);
	if (r == TL_OK)
		r = bar_chart(bars, n, out);
	free(bars);
	return r;
}

/* The round's action in a few words for the table's last row. */
static int
action_cell(const json_t *report, const json_t *round, struct tl_buf *out)
{
	const json_t *action = json_object_get(round, "action");
	const char *type = text_of(action, "type");
	const char *cand = text_of(action, "candidate");
	const json_t *tie = json_object_get(action, "tie");
	int r = tl_buf_adds(out, "<td class=\"action\">");

	if (r == TL_OK && type != NULL && cand != NULL) {
		r = tl_buf_addf(out, "%s: ", strcmp(type, "surplus") == 0 ?
		    "surplus of" : type);
		if (r == TL_OK)
			r = add_escaped(out, tl_report_candidate_name(report,
			    cand));
	} else if (r == TL_OK && type != NULL) {
		r = add_escaped(out, type);
	}
	if (r == TL_OK && tie != NULL) {
		r = add_wrapped(out, " (a tie: ", text_of(tie, "broken_by"),
		    "; chosen: ");
		if (r == TL_OK)
			r = add_escaped(out, tl_report_candidate_name(report,
			    text_of(tie, "chosen")));
		if (r == TL_OK)
			r = tl_buf_adds(out, ")");
	}
	if (r == TL_OK)
		r = tl_buf_adds(out, "</td>");
	return r;
}

static int
round_table(const json_t *report, struct tl_buf *out)
{
	const json_t *rounds = json_object_get(report, "rounds");
	size_t nr = json_array_size(rounds), i, k;
	json_t *c, *round;
	char v[48];
	int r;

	r = tl_buf_adds(out, "<h3>Round by round</h3>\n<div class=\"wide\">"
	    "<table class=\"rounds\">\n<tr><th>Candidate</th>");
	for (i = 0; i < nr && r == TL_OK; i++)
		r = tl_buf_addf(out, "<th>Round %zu</th>", i + 1);
	if (r == TL_OK)
		r = tl_buf_adds(out, "</tr>\n");
	json_array_foreach(json_object_get(report, "candidates"), k, c) {
		const char *id = text_of(c, "id");
		int state = 0; /* 1 elected, 2 excluded */

		if (json_is_true(json_object_get(c, "withdrawn")) || id == NULL)
			continue;
		if (r == TL_OK)
			r = add_wrapped(out, "<tr><td>", text_of(c, "name"),
			    "</td>");
		json_array_foreach(rounds, i, round) {
			const json_t *action = json_object_get(round, "action");
			const char *cand = text_of(action, "candidate");
			const char *type = text_of(action, "type");

			if (tl_report_in_list(json_object_get(round, "elected"), id))
				state = 1;
			if (cand != NULL && type != NULL &&
			    strcmp(type, "exclusion") == 0 &&
			    strcmp(cand, id) == 0)
				state = 2;
			tl_report_amount(json_object_get(json_object_get(round,
			    "votes"), id), v);
			if (r == TL_OK)
				r = tl_buf_addf(out, "<td%s>%s</td>",
				    state == 1 ? " class=\"elected\"" :
				    state == 2 ? " class=\"excluded\"" : "", v);
		}
		if (r == TL_OK)
			r = tl_buf_adds(out, "</tr>\n");
	}
	if (r == TL_OK)
		r = tl_buf_adds(out, "<tr><td>Non-transferable</td>");
	json_array_foreach(rounds, i, round) {
		tl_report_amount(json_object_get(round, "non_transferable"), v);
		if (r == TL_OK)
			r = tl_buf_addf(out, "<td>%s</td>", v);
	}
	if (r == TL_OK)
		r = tl_buf_adds(out, "</tr>\n<tr><td>Quota</td>");
	json_array_foreach(rounds, i, round) {
		tl_report_amount(json_object_get(round, "quota"), v);
		if (r == TL_OK)
			r = tl_buf_addf(out, "<td>%s</td>", v);
	}
	if (r == TL_OK)
		r = tl_buf_adds(out, "</tr>\n<tr><td>What happened</td>");
	json_array_foreach(rounds, i, round)
		if (r == TL_OK)
			r = action_cell(report, round, out);
	if (r == TL_OK)
		r = tl_buf_adds(out, "</tr>\n</table></div>\n");
	return r;
}

static int64_t
chart_x(size_t i, size_t n)
{
	int64_t w = CHART_W - LEFT - RIGHT;

	return LEFT + (int64_t)i * w / (int64_t)(n - 1);
}

static int64_t
chart_y(int64_t v, int64_t max)
{
	int64_t h = CHART_H - TOP - BOTTOM;

	return TOP + h - (max > 0 ? v * h / max : 0);
}

/* Each candidate's votes across the rounds (at least two) as lines. */
static int
line_chart(const json_t *report, struct tl_buf *out)
{
	const json_t *rounds = json_object_get(report, "rounds");
	size_t nr = json_array_size(rounds), i, k, color = 0;
	int64_t max = 1, quota = tl_report_units(json_object_get(
	    json_array_get(rounds, nr - 1), "quota"));
	const json_t *top = NULL;
	json_t *c, *round, *v;
	const char *key;
	char text[48];
	int r;

	json_array_foreach(rounds, i, round)
		json_object_foreach(json_object_get(round, "votes"), key, v)
			if (tl_report_units(v) > max) {
				max = tl_report_units(v);
				top = v;
			}
	if (quota > max)
		max = quota;
	if (quota > max || top == NULL)
		snprintf(text, sizeof(text), "votes");
	else
		tl_report_amount(top, text);
	r = tl_buf_addf(out, "<h3>Votes across the rounds</h3>\n<svg "
	    "class=\"chart lines\" xmlns=\"http://www.w3.org/2000/svg\" "
	    "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
	    "aria-label=\"votes of each candidate in each round\">\n"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n<line x1=\"%d\" "
	    "y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>\n<line x1=\"%d\" "
	    "y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>\n", CHART_W + 220,
	    CHART_H, CHART_W + 220, CHART_H, CHART_W + 220, CHART_H, LEFT,
	    TOP, LEFT, CHART_H - BOTTOM, LEFT, CHART_H - BOTTOM,
	    CHART_W - RIGHT, CHART_H - BOTTOM);
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
		    CHART_H - 5, LEFT - 4, TOP + 4, text, LEFT - 4,
		    CHART_H - BOTTOM);
	if (r == TL_OK && quota > 0) {
		tl_report_amount(json_object_get(json_array_get(rounds, nr - 1),
		    "quota"), text);
		r = tl_buf_addf(out, "<line x1=\"%d\" y1=\"%" PRId64 "\" "
		    "x2=\"%d\" y2=\"%" PRId64 "\" stroke=\"#555\" "
		    "stroke-dasharray=\"6 4\"/>\n<text x=\"%d\" y=\"%" PRId64
		    "\" font-size=\"11\">quota %s</text>\n", LEFT,
		    chart_y(quota, max), CHART_W - RIGHT, chart_y(quota, max),
		    LEFT + 4, chart_y(quota, max) - 4, text);
	}
	json_array_foreach(json_object_get(report, "candidates"), k, c) {
		const char *id = text_of(c, "id");
		const char *col = palette[color % NCOLORS];

		if (json_is_true(json_object_get(c, "withdrawn")) || id == NULL)
			continue;
		if (r == TL_OK)
			r = add_wrapped(out, "<polyline class=\"line\" "
			    "data-candidate=\"", id, "\"");
		if (r == TL_OK)
			r = tl_buf_addf(out, " fill=\"none\" stroke=\"%s\" "
			    "stroke-width=\"2\" points=\"", col);
		json_array_foreach(rounds, i, round)
			if (r == TL_OK)
				r = tl_buf_addf(out, "%s%" PRId64 ",%" PRId64,
				    i > 0 ? " " : "", chart_x(i, nr),
				    chart_y(tl_report_units(json_object_get(
				    json_object_get(round, "votes"), id)), max));
		if (r == TL_OK)
			r = tl_buf_addf(out, "\"/>\n<rect x=\"%d\" y=\"%zu\" "
			    "width=\"12\" height=\"12\" fill=\"%s\"/>\n<text "
			    "x=\"%d\" y=\"%zu\" font-size=\"12\">", CHART_W + 5,
			    TOP + 18 * color, col, CHART_W + 22,
			    TOP + 18 * color + 11);
		if (r == TL_OK)
			r = add_wrapped(out, "", text_of(c, "name"), "</text>\n");
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
	const json_t *ranking = json_object_get(report, "ranking");
	const json_t *m = json_object_get(report, which);
	size_t i, j;
	json_t *x, *y;
	char v[48];
	int r = tl_buf_addf(out, "<h3>%s</h3>\n<table class=\"matrix\" "
	    "data-matrix=\"%s\">\n<tr><th></th>", what, which);

	json_array_foreach(ranking, j, y)
		if (r == TL_OK)
			r = add_wrapped(out, "<th>", tl_report_candidate_name(
			    report, json_string_value(y)), "</th>");
	if (r == TL_OK)
		r = tl_buf_adds(out, "</tr>\n");
	json_array_foreach(ranking, i, x) {
		const json_t *row = json_object_get(m, json_string_value(x));

		if (r == TL_OK)
			r = add_wrapped(out, "<tr><td>", tl_report_candidate_name(
			    report, json_string_value(x)), "</td>");
		json_array_foreach(ranking, j, y) {
			tl_report_amount(json_object_get(row,
			    json_string_value(y)), v);
			if (r == TL_OK)
				r = tl_buf_addf(out, "<td>%s</td>", i == j ?
				    "" : v);
		}
		if (r == TL_OK)
			r = tl_buf_adds(out, "</tr>\n");
	}
	if (r == TL_OK)
		r = tl_buf_adds(out, "</table>\n");
	return r;
}

static int
schulze(const json_t *report, struct tl_buf *out)
{
	size_t i;
	json_t *x;
	int r = tl_buf_adds(out, "<h3>Ranking</h3>\n<ol class=\"ranking\">\n");

	json_array_foreach(json_object_get(report, "ranking"), i, x)
		if (r == TL_OK)
			r = add_wrapped(out, "<li>", tl_report_candidate_name(
			    report, json_string_value(x)), "</li>\n");
	if (r == TL_OK)
		r = tl_buf_adds(out, "</ol>\n");
	if (r == TL_OK)
		r = matrix(report, "d", "Pairwise preferences d", out);
	if (r == TL_OK)
		r = matrix(report, "p", "Strongest paths p", out);
	return r;
}

static int
ties(const json_t *report, struct tl_buf *sentence, struct tl_buf *out)
{
	const json_t *list = json_object_get(report, "ties");
	size_t i;
	json_t *tie;
	int r;

	if (json_array_size(list) == 0)
		return TL_OK;
	r = tl_buf_adds(out, "<h3>Ties</h3>\n<ul class=\"ties\">\n");
	json_array_foreach(list, i, tie) {
		if (r == TL_OK)
			r = tl_report_tie_sentence(report, tie, sentence);
		if (r == TL_OK)
			r = add_sentence(out, "<li class=\"tie\">", sentence,
			    ".</li>\n");
	}
	if (r == TL_OK)
		r = tl_buf_adds(out, "</ul>\n");
	return r;
}

/* The quorum, if the report has one, as a paragraph. */
static int
quorum(const json_t *report, struct tl_buf *sentence, struct tl_buf *out)
{
	int written = 0, r;

	r = tl_report_quorum_sentence(report, sentence, &written);
	if (r == TL_OK && written)
		r = add_sentence(out, "<p class=\"quorum\">", sentence, ".</p>\n");
	tl_buf_reset(sentence);
	return r;
}

static int
referendum(const json_t *report, struct tl_buf *sentence, struct tl_buf *out)
{
	const char *outcome = text_of(report, "outcome");
	int r;

	r = single_round(report, 1, out);
	if (r == TL_OK)
		r = add_wrapped(out, "<p class=\"threshold\">Threshold: ",
		    threshold_words(text_of(report, "threshold")), ".</p>\n");
	if (r == TL_OK)
		r = quorum(report, sentence, out);
	if (r == TL_OK)
		r = add_wrapped(out, "<p class=\"outcome\" data-outcome=\"",
		    outcome != NULL ? outcome : "", "\">Outcome: ");
	if (r == TL_OK)
		r = add_wrapped(out, "", tl_report_outcome_words(outcome),
		    ".</p>\n");
	return r;
}

/* One contest as a section; heading is its h2. */
static int
contest(const json_t *report, struct tl_buf *out)
{
	const char *method = text_of(report, "method");
	const char *id = text_of(report, "contest");
	const char *none = tl_report_no_election(report);
	size_t nrounds = json_array_size(json_object_get(report, "rounds"));
	struct tl_buf sentence;
	int r;

	if (method == NULL)
		return TL_EINPUT;
	tl_buf_init(&sentence, 64 * 1024);
	r = add_wrapped(out, "<section class=\"contest\" id=\"contest-",
	    id != NULL ? id : "count", "\" data-method=\"");
	if (r == TL_OK)
		r = add_wrapped(out, "", method, "\">\n<h2>");
	if (r == TL_OK)
		r = add_escaped(out, text_of(report, "title") != NULL ?
		    text_of(report, "title") : "Count");
	if (r == TL_OK)
		r = tl_buf_adds(out, "</h2>\n");
	if (r == TL_OK)
		r = summary(report, out);
	if (r == TL_OK)
		r = add_wrapped(out, "<p class=\"how\">", explanation(method),
		    "</p>\n");
	if (r == TL_OK && strcmp(method, "referendum") == 0) {
		r = referendum(report, &sentence, out);
	} else if (r == TL_OK && none != NULL) {
		r = quorum(report, &sentence, out);
		if (r == TL_OK)
			r = add_wrapped(out, "<p class=\"outcome\" data-outcome=\"",
			    text_of(report, "outcome"), "\">");
		if (r == TL_OK)
			r = add_wrapped(out, "", none, ": no one is elected."
			    "</p>\n");
	} else if (r == TL_OK) {
		r = elected_list(report, out);
		if (r == TL_OK)
			r = quorum(report, &sentence, out);
		if (r == TL_OK && strcmp(method, "schulze") == 0)
			r = schulze(report, out);
		else if (r == TL_OK && nrounds > 1) {
			r = round_table(report, out);
			if (r == TL_OK)
				r = line_chart(report, out);
		} else if (r == TL_OK && nrounds == 1)
			r = single_round(report, 0, out);
		if (r == TL_OK)
			r = ties(report, &sentence, out);
	}
	if (r == TL_OK)
		r = tl_buf_adds(out, "</section>\n");
	tl_buf_free(&sentence);
	return r;
}

int
tl_report_contest_html(const json_t *report, const struct tl_report_page *page,
    struct tl_buf *out)
{
	const char *title = page != NULL && page->title != NULL ? page->title :
	    text_of(report, "title");
	int r;

	if (text_of(report, "method") == NULL)
		return TL_EINPUT;
	r = page_start(out, page, title, page != NULL ? text_of(report,
	    "title") : NULL);
	if (r == TL_OK)
		r = contest(report, out);
	if (r == TL_OK)
		r = tl_buf_adds(out, "</body>\n</html>\n");
	return r;
}

static int
turnout(const json_t *result, struct tl_buf *out)
{
	size_t i;
	json_t *item;
	int r;

	r = tl_buf_adds(out, "<section id=\"turnout\">\n<h2>Turnout</h2>\n"
	    "<table id=\"turnout-table\">\n<tr><th>Constituency</th>"
	    "<th>Eligible</th><th>Voted</th><th>Percent</th>"
	    "<th>Eligible weight</th><th>Voted weight</th><th>Percent</th>"
	    "</tr>\n");
	json_array_foreach(json_object_get(result, "turnout"), i, item) {
		struct tl_report_turnout t;

		tl_report_turnout_row(item, &t);
		if (r == TL_OK)
			r = add_wrapped(out, "<tr data-constituency=\"",
			    t.constituency, "\"><td>");
		if (r == TL_OK)
			r = add_wrapped(out, "", t.name, "</td>");
		if (r == TL_OK)
			r = tl_buf_addf(out, "<td>%" JSON_INTEGER_FORMAT "</td>"
			    "<td>%" JSON_INTEGER_FORMAT "</td><td>%s</td><td>%"
			    JSON_INTEGER_FORMAT "</td><td>%" JSON_INTEGER_FORMAT
			    "</td><td>%s</td></tr>\n", t.eligible, t.voted,
			    t.percent, t.eligible_weight, t.voted_weight,
			    t.percent_weighted);
	}
	if (r == TL_OK)
		r = tl_buf_adds(out, "</table>\n</section>\n");
	return r;
}

int
tl_report_result_html(const json_t *result, const struct tl_report_page *page,
    struct tl_buf *out)
{
	const json_t *contests = json_object_get(result, "contests");
	size_t i;
	json_t *c;
	int r;

	if (!json_is_array(contests))
		return TL_EINPUT;
	r = page_start(out, page, page != NULL && page->title != NULL ?
	    page->title : text_of(result, "election"), NULL);
	if (r == TL_OK)
		r = tl_buf_adds(out, "<nav>\n<h2>Contests</h2>\n<ul>\n");
	json_array_foreach(contests, i, c) {
		if (r == TL_OK)
			r = add_wrapped(out, "<li><a href=\"#contest-",
			    text_of(c, "contest"), "\">");
		if (r == TL_OK)
			r = add_wrapped(out, "", text_of(c, "title"), "</a></li>\n");
	}
	if (r == TL_OK)
		r = tl_buf_adds(out, "<li><a href=\"#turnout\">Turnout</a></li>\n"
		    "</ul>\n</nav>\n");
	json_array_foreach(contests, i, c)
		if (r == TL_OK)
			r = contest(c, out);
	if (r == TL_OK)
		r = turnout(result, out);
	if (r == TL_OK)
		r = tl_buf_adds(out, "</body>\n</html>\n");
	return r;
}
