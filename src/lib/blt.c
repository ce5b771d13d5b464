/*
 * blt.c: reading and writing BLT ballot files (teller/blt.h gives the
 * format).  The reader walks the file line by line, so that every error
 * names its line; it is written for files of a million ballots.
 */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "teller/blt.h"
#include "teller/manifest.h"
#include "teller/utf8.h"

#define WEIGHT_MAX INT64_C(1000000000000)

struct reader {
	const char *p, *end;   /* the rest of the file */
	const char *line;      /* the current line, trimmed */
	size_t len;
	size_t lineno;
	const char *file;
	struct tl_error *err;
};

/* "FILE:LINE: reason" and, if detail is not NULL, the token at detail. */
static int
bad(struct reader *rd, const char *reason, const char *detail)
{
	int n = 0;

	while (detail != NULL && n < 80 && detail + n < rd->end &&
	    detail[n] != ' ' && detail[n] != '\t' && detail[n] != '\r' &&
	    detail[n] != '\n')
		n++;
	return tl_error_set(rd->err, TL_EINPUT, "%s:%zu: %s%.*s", rd->file,
	    rd->lineno, reason, n, detail != NULL ? detail : "");
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* The next non-empty line, without its end and outer blanks; 0 at the
 * end of the file. */
static int
next_line(struct reader *rd)
{
	while (rd->p < rd->end) {
		const char *s = rd->p, *e = memchr(s, '\n', (size_t)(rd->end -
		    s));

		if (e == NULL)
			e = rd->end;
		rd->p = e < rd->end ? e + 1 : e;
		rd->lineno++;
		while (s < e && is_blank(*s))
			s++;
		while (e > s && is_blank(e[-1]))
			e--;
		if (e > s) {
			rd->line = s;
			rd->len = (size_t)(e - s);
			return 1;
		}
	}
	return 0;
}

/* A whole decimal number of digits [s, e) no larger than max. */
static int
parse_uint(const char *s, const char *e, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (s == e)
		return -1;
	for (; s < e; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > max / 10 || (uint64_t)(*s - '0') > max - v * 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

/* The next blank-separated token of [*s, e). */
static int
token(const char **s, const char *e, const char **ts, const char **te)
{
	const char *p = *s;

	while (p < e && is_blank(*p))
		p++;
	if (p == e)
		return 0;
	*ts = p;
	while (p < e && !is_blank(*p))
		p++;
	*te = p;
	*s = p;
	return 1;
}

/* Whether the n bytes at s are UTF-8 text with no control character but
 * tab. */
static int
valid_utf8(const char *s, size_t n)
{
	size_t i = 0, step;

	while (i < n) {
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
			return 0;
		if ((step = tl_utf8_sequence(s + i, n - i)) == 0)
			return 0;
		i += step;
	}
	return 1;
}

static int
bad_text(struct reader *rd, const char *what, const char *reason)
{
	return tl_error_set(rd->err, TL_EINPUT, "%s:%zu: %s: %s", rd->file,
	    rd->lineno, what, reason);
}

/* A name or title line: "quoted" or the bare text. */
static int
text_line(struct reader *rd, const char *what, char **out)
{
	const char *s = rd->line;
	size_t n = rd->len;
	char *t;

	if (s[0] == '"') {
		if (n < 2 || s[n - 1] != '"')
			return bad_text(rd, what, "a quoted text without its "
			    "closing quote");
		s++;
		n -= 2;
		if (memchr(s, '"', n) != NULL)
			return bad_text(rd, what, "a double quote inside a "
			    "quoted text");
	}
	if (n > TL_BLT_MAX_NAME)
		return bad_text(rd, what, "longer than 1024 bytes");
	if (!valid_utf8(s, n))
		return bad_text(rd, what, "not valid UTF-8 text");
	if ((t = malloc(n + 1)) == NULL)
		return tl_error_set(rd->err, TL_ENOMEM, "out of memory");
	memcpy(t, s, n);
	t[n] = '\0';
	*out = t;
	return TL_OK;
}

void
tl_blt_free(struct tl_blt *blt)
{
	if (blt == NULL)
		return;
	for (size_t i = 0; blt->names != NULL && i < blt->ncandidates; i++)
		free(blt->names[i]);
	for (size_t i = 0; blt->ids != NULL && i < blt->ncandidates; i++)
		free(blt->ids[i]);
	free(blt->names);
	free(blt->ids);
	free(blt->withdrawn);
	free(blt->title);
	free(blt->ballot_lines);
	tl_ballot_set_free(&blt->ballots);
	free(blt);
}

/* "-2 -3" or "[withdrawn 2 3]". */
static int
withdrawn_line(struct reader *rd, struct tl_blt *blt)
{
	const char *s = rd->line, *e = rd->line + rd->len, *ts, *te;
	int option = s[0] == '[';

	if (option) {
		if (e[-1] != ']')
			return bad(rd, "an option line must end with ]", NULL);
		s++;
		e--;
		if (!token(&s, e, &ts, &te) || (size_t)(te - ts) != 9 ||
		    memcmp(ts, "withdrawn", 9) != 0)
			return bad(rd, "unsupported option; teller reads "
			    "[withdrawn N ...] only", NULL);
	}
	while (token(&s, e, &ts, &te)) {
		uint64_t c;

		if (!option) {
			if (*ts != '-')
				return bad(rd, "a withdrawn candidate is written "
				    "as a negative number", NULL);
			ts++;
		}
		if (parse_uint(ts, te, blt->ncandidates, &c) != 0 || c == 0)
			return bad(rd, "not a candidate number: ", ts);
		blt->withdrawn[c - 1] = 1;
	}
	return TL_OK;
}

/* "W P P=P ... 0": one ballot line. */
static int
ballot_line(struct reader *rd, struct tl_blt *blt, uint32_t *seen,
    size_t serial, uint8_t *decimals)
{
	const char *s = rd->line, *e = rd->line + rd->len, *ts, *te, *dot;
	struct tl_ballot_set *set = &blt->ballots;
	uint32_t *prefs = set->prefs + set->nprefs;
	uint64_t whole, frac = 0, mantissa, scale;
	size_t n = 0, places = 0;
	int ended = 0;

	token(&s, e, &ts, &te);
	dot = memchr(ts, '.', (size_t)(te - ts));
	if (parse_uint(ts, dot != NULL ? dot : te, WEIGHT_MAX, &whole) != 0 ||
	    (dot != NULL && ((places = (size_t)(te - dot - 1)) == 0 ||
	    places > TL_BLT_MAX_DECIMALS ||
	    parse_uint(dot + 1, te, UINT64_MAX / 2, &frac) != 0)))
		return bad(rd, "a ballot must start with its weight (a number "
		    "such as 1 or 2.5 of at most 9 decimals), not ", ts);
	/* The weight in units of 10^-places must fit an int64_t: 10^12 with
	 * 9 decimals does not. */
	scale = 1;
	for (size_t i = 0; i < places; i++)
		scale *= 10;
	if (whole > (uint64_t)INT64_MAX / scale ||
	    whole * scale > (uint64_t)INT64_MAX - frac)
		return bad(rd, "weight too large: ", ts);
	mantissa = whole * scale + frac;
	if (mantissa == 0)
		return bad(rd, "a ballot of weight 0 (only a line \"0\" ends "
		    "the ballots)", NULL);
	while (token(&s, e, &ts, &te)) {
		const char *q = ts;

		if (ended)
			return bad(rd, "text after the 0 that ends the "
			    "ballot: ", ts);
		if (te - ts == 1 && *ts == '0') {
			ended = 1;
			continue;
		}
		for (int first = 1; q < te; first = 0) {
			const char *eq = memchr(q, '=', (size_t)(te - q));
			uint64_t c;

			if (eq == NULL)
				eq = te;
			if (parse_uint(q, eq, blt->ncandidates, &c) != 0 ||
			    c == 0)
				return bad(rd, "not a candidate number "
				    "(1 to the number of candidates): ", ts);
			if (seen[c - 1] == serial)
				return bad(rd, "a candidate ranked twice: ", ts);
			seen[c - 1] = (uint32_t)serial;
			if (set->nprefs + n >= set->cap_prefs)
				return bad(rd, "more preferences than the "
				    "file's size allows", NULL);
			prefs[n++] = (uint32_t)(c - 1) |
			    (first ? 0 : TL_PREF_EQUAL);
			q = eq < te ? eq + 1 : te;
			if (eq < te && q == te)
				return bad(rd, "an = with nothing after it: ",
				    ts);
		}
	}
	if (!ended)
		return bad(rd, "a ballot must end with 0", NULL);
	/* The preferences are in place (presize made room). */
	set->weights[set->nballots] = (int64_t)mantissa;
	set->starts[set->nballots] = set->nprefs;
	decimals[set->nballots] = (uint8_t)places;
	blt->ballot_lines[set->nballots] =
	    rd->lineno > UINT32_MAX ? UINT32_MAX : (uint32_t)rd->lineno;
	set->nballots++;
	set->nprefs += n;
	set->starts[set->nballots] = set->nprefs;
	if (places > blt->weight_decimals)
		blt->weight_decimals = (unsigned)places;
	return TL_OK;
}

/* Brings every weight to weight_decimals decimals. */
static int
scale_weights(struct reader *rd, struct tl_blt *blt, const uint8_t *decimals)
{
	for (size_t b = 0; b < blt->ballots.nballots; b++) {
		int64_t w = blt->ballots.weights[b];

		for (unsigned i = decimals[b]; i < blt->weight_decimals; i++) {
			if (w > INT64_MAX / 10) {
				rd->lineno = blt->ballot_lines[b];
				return bad(rd, "weight too large", NULL);
			}
			w *= 10;
		}
		blt->ballots.weights[b] = w;
	}
	return TL_OK;
}

/*
 * Sizes the ballot arrays for the most ballots and preferences the file
 * can hold (one ballot a line, one preference per two bytes), so that a
 * large file is read without growing them; pages never written are never
 * touched, so the unused part costs no memory.
 */
static int
presize(struct tl_blt *blt, const char *data, size_t len)
{
	struct tl_ballot_set *set = &blt->ballots;
	size_t lines = 1;

	for (const char *p = data; (p = memchr(p, '\n', (size_t)(data + len -
	    p))) != NULL; p++)
		lines++;
	set->weights = malloc(lines * sizeof(*set->weights));
	set->starts = malloc((lines + 1) * sizeof(*set->starts));
	set->prefs = malloc((len / 2 + 1) * sizeof(*set->prefs));
	blt->ballot_lines = malloc(lines * sizeof(*blt->ballot_lines));
	if (set->weights == NULL || set->starts == NULL || set->prefs == NULL ||
	    blt->ballot_lines == NULL)
		return TL_ENOMEM;
	set->cap_ballots = lines;
	set->cap_prefs = len / 2 + 1;
	set->starts[0] = 0;
	return TL_OK;
}

int
tl_blt_parse(const char *data, size_t len, const char *file,
    struct tl_blt **out, struct tl_error *err)
{
	struct reader rd;
	struct tl_blt *blt = NULL;
	uint32_t *seen = NULL;
	uint8_t *decimals = NULL;
	size_t serial = 0;
	const char *s, *e, *ts, *te;
	uint64_t ncand, seats;
	int r;

	memset(&rd, 0, sizeof(rd));
	rd.file = file != NULL ? file : "-";
	rd.err = err;
	if (len > TL_BLT_MAX)
		return tl_error_set(err, TL_ETOOBIG, "%s: larger than %u bytes",
		    rd.file, TL_BLT_MAX);
	rd.p = data;
	rd.end = data + len;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		rd.p += 3;
	if ((blt = calloc(1, sizeof(*blt))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	tl_ballot_set_init(&blt->ballots);
	if (!next_line(&rd)) {
		r = tl_error_set(err, TL_EINPUT, "%s: empty file", rd.file);
		goto out;
	}
	s = rd.line;
	e = rd.line + rd.len;
	if (!token(&s, e, &ts, &te) ||
	    parse_uint(ts, te, TL_MAX_CANDIDATES, &ncand) != 0 || ncand == 0 ||
	    !token(&s, e, &ts, &te) ||
	    parse_uint(ts, te, ncand, &seats) != 0 || seats == 0 ||
	    token(&s, e, &ts, &te)) {
		r = bad(&rd, "the first line must be the number of candidates "
		    "(1 to 1000) and the number of seats (1 to the number of "
		    "candidates)", NULL);
		goto out;
	}
	blt->ncandidates = (size_t)ncand;
	blt->seats = (unsigned)seats;
	blt->names = calloc(ncand, sizeof(*blt->names));
	blt->ids = calloc(ncand, sizeof(*blt->ids));
	blt->withdrawn = calloc(ncand, 1);
	seen = calloc(ncand + 1, sizeof(*seen));
	if (blt->names == NULL || blt->ids == NULL || blt->withdrawn == NULL ||
	    seen == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	if ((r = presize(blt, data, len)) != TL_OK ||
	    (decimals = malloc(blt->ballots.cap_ballots)) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t c = 0; c < ncand; c++) {
		char id[24];

		snprintf(id, sizeof(id), "%zu", c + 1);
		if ((blt->ids[c] = strdup(id)) == NULL) {
			r = tl_error_set(err, TL_ENOMEM, "out of memory");
			goto out;
		}
	}
	/* Withdrawn candidates, then ballots up to the line "0". */
	for (;;) {
		if (!next_line(&rd)) {
			r = tl_error_set(err, TL_EINPUT, "%s:%zu: the file ends "
			    "before the line 0 that ends the ballots", rd.file,
			    rd.lineno);
			goto out;
		}
		if (rd.line[0] == '[' || rd.line[0] == '-') {
			if (blt->ballots.nballots > 0) {
				r = bad(&rd, "withdrawn candidates must come "
				    "before the ballots", NULL);
				goto out;
			}
			if ((r = withdrawn_line(&rd, blt)) != TL_OK)
				goto out;
			continue;
		}
		if (rd.len == 1 && rd.line[0] == '0')
			break;
		if (++serial > UINT32_MAX) {
			r = bad(&rd, "too many ballots", NULL);
			goto out;
		}
		if ((r = ballot_line(&rd, blt, seen, serial, decimals)) !=
		    TL_OK)
			goto out;
	}
	for (size_t c = 0; c < ncand; c++) {
		if (!next_line(&rd)) {
			r = tl_error_set(err, TL_EINPUT, "%s:%zu: the file ends "
			    "after %zu of the %zu candidate names", rd.file,
			    rd.lineno, c, (size_t)ncand);
			goto out;
		}
		if ((r = text_line(&rd, "candidate name", &blt->names[c])) !=
		    TL_OK)
			goto out;
	}
	if (next_line(&rd))
		r = text_line(&rd, "title", &blt->title);
	else
		r = (blt->title = strdup("")) == NULL ? TL_ENOMEM : TL_OK;
	if (r == TL_ENOMEM)
		tl_error_set(err, r, "out of memory");
	if (r != TL_OK)
		goto out;
	if ((r = scale_weights(&rd, blt, decimals)) != TL_OK)
		goto out;
	*out = blt;
	blt = NULL;
 out:
	tl_blt_free(blt);
	free(seen);
	free(decimals);
	return r;
}

static int
plain_text(const char *s, const char *what, struct tl_error *err)
{
	if (strpbrk(s, "\"\r\n") != NULL)
		return tl_error_set(err, TL_EINPUT, "%s \"%.64s\" holds a "
		    "double quote or a line break, which BLT cannot carry",
		    what, s);
	return TL_OK;
}

int
tl_blt_write(const struct tl_count_input *in, const char *title,
    struct tl_buf *out, struct tl_error *err)
{
	int64_t scale = 1;
	int r;

	for (unsigned i = 0; i < in->weight_decimals; i++)
		scale *= 10;
	r = tl_buf_addf(out, "%zu %u\n", in->ncandidates, in->seats);
	for (size_t c = 0; r == TL_OK && in->withdrawn != NULL &&
	    c < in->ncandidates; c++)
		if (in->withdrawn[c])
			r = tl_buf_addf(out, "-%zu\n", c + 1);
	for (size_t b = 0; r == TL_OK && b < in->nballots; b++) {
		int64_t w = in->weights[b];

		if (in->weight_decimals == 0)
			r = tl_buf_addf(out, "%" PRId64, w);
		else
			r = tl_buf_addf(out, "%" PRId64 ".%0*" PRId64,
			    w / scale, (int)in->weight_decimals, w % scale);
		for (size_t k = in->starts[b]; r == TL_OK &&
		    k < in->starts[b + 1]; k++)
			r = tl_buf_addf(out, "%c%u",
			    (in->prefs[k] & TL_PREF_EQUAL) ? '=' : ' ',
			    TL_PREF_INDEX(in->prefs[k]) + 1);
		if (r == TL_OK)
			r = tl_buf_adds(out, " 0\n");
	}
	if (r == TL_OK)
		r = tl_buf_adds(out, "0\n");
	for (size_t c = 0; r == TL_OK && c < in->ncandidates; c++) {
		if ((r = plain_text(in->candidate_names[c], "candidate name",
		    err)) != TL_OK)
			return r;
		r = tl_buf_addf(out, "\"%s\"\n", in->candidate_names[c]);
	}
	if (r == TL_OK && (r = plain_text(title, "title", err)) != TL_OK)
		return r;
	if (r == TL_OK)
		r = tl_buf_addf(out, "\"%s\"\n", title);
	if (r != TL_OK)
		return tl_error_set(err, r, "the BLT file does not fit in "
		    "memory");
	return TL_OK;
}
