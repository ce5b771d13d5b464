/*
 * www.h: the voting page's files (src/server/www/: HTML, CSS, plain
 * JavaScript and the page's text), compiled into teller by embed.sh at
 * build time, and how teller serve answers for them.
 *
 * The page is static: the same bytes for every voter and election.  It
 * finds the election in its own address (/vote/ID, /enrol/ID) and talks
 * to the JSON routes of the same origin.  Every answer carries a strict
 * Content-Security-Policy (scripts, styles and requests to this origin
 * only; no inline script or style, no frames, no forms, no plugins), and
 * no cookie is ever set.
 */
#ifndef TELLER_SERVER_WWW_H
#define TELLER_SERVER_WWW_H

#include <stddef.h>

struct www_file {
	const char *name;            /* "vote.js" */
	const char *type;            /* its Content-Type */
	const unsigned char *data;   /* NUL-terminated (not counted in len) */
	size_t len;
};

extern const struct www_file www_files[];
extern const size_t www_nfiles;

/* The HTML page the voting and enrolment addresses answer with. */
#define WWW_PAGE "vote.html"

/* The Content-Security-Policy of every page and file. */
#define WWW_CSP "default-src 'none'; script-src 'self'; style-src 'self'; " \
	"connect-src 'self'; img-src 'self'; base-uri 'none'; " \
	"form-action 'none'; frame-ancestors 'none'"

/* A file by name; NULL if there is none. */
const struct www_file *www_find(const char *name);

/* The file's ETag: the hex SHA-256 of its bytes, quoted (computed once). */
const char *www_etag(const struct www_file *file);

#endif
