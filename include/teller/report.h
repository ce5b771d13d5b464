/*
 * teller/report.h: results for people.  Renders a result document
 * (result.h) or one contest's count report (count.h) as text.  The library
 * never prints: these fill a buffer the caller writes.
 */
#ifndef TELLER_REPORT_H
#define TELLER_REPORT_H

#include <jansson.h>

#include "teller/error.h"
#include "teller/util.h"

/* One contest's report: header, round table, winners. */
int tl_report_contest_text(const json_t *report, struct tl_buf *out);

/*
 * What heads an HTML page: the election's id and title, its manifest
 * hash, when voting closed (RFC 3339) and its certification state in
 * words ("counted, not certified yet").  All borrowed; any may be NULL
 * ("-" on the page).  A page without one (NULL), or with no election id,
 * is headed with the title alone: a count of a BLT file.
 */
struct tl_report_page {
	const char *election;
	const char *title;
	const char *manifest_hash;
	const char *closed;
	const char *certification;
};

/* One contest's report as one self-contained HTML page (no external
 * files): what its method needs (report_html.c says what), its ties as
 * the text report gives them, and inline SVG charts.  page heads it (the
 * title: the report's own when page or its title is NULL). */
int tl_report_contest_html(const json_t *report,
    const struct tl_report_page *page, struct tl_buf *out);

/* A whole election's result as one such page: every contest, then the
 * turnout per constituency. */
int tl_report_result_html(const json_t *result,
    const struct tl_report_page *page, struct tl_buf *out);

/* A whole election's result: every contest, then turnout. */
int tl_report_result_text(const json_t *result, struct tl_buf *out);

/* "79.65%": part / whole as a percentage with two decimals, rounded half
 * up, in integer arithmetic; "-" when whole is 0. */
void tl_report_percent(int64_t part, int64_t whole, char out[32]);

/* The number of characters (code points) of a UTF-8 string, for aligning
 * columns. */
size_t tl_report_width(const char *s);

#endif
