/*
 * notice.c: the messages to voters: built-in templates, checking and
 * filling a template, the links they carry, and whom each kind goes to.
 * notice.h states the rules.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "store_internal.h"
#include "teller/election.h"
#include "teller/notice.h"
#include "teller/turnout.h"
#include "teller/util.h"

static const char *const kind_names[] = {"enrolment", "voting-open",
    "reminder"};

static const char enrolment_template[] =
    "Subject: {title}: make your voting key\n"
    "\n"
    "Dear {name},\n"
    "\n"
    "You are on the voter roll of \"{title}\" (election {election}) as voter\n"
    "{voter}.  Before you can vote, make your voting key: open this link in\n"
    "the browser you will vote with.\n"
    "\n"
    "{link}\n"
    "\n"
    "The page makes your key on your device and keeps it in that browser;\n"
    "it lets you download a backup copy.  Your private key never leaves\n"
    "your device.  If you already have a key file (made by 'teller key\n"
    "generate'), you can load it on the same page instead.\n"
    "\n"
    "The link works once, until {expires} (UTC), and no later than the\n"
    "moment the voter roll is frozen.\n";

static const char voting_open_template[] =
    "Subject: {title}: voting is open\n"
    "\n"
    "Dear {name},\n"
    "\n"
    "Voting in \"{title}\" (election {election}) is open from {opens} to\n"
    "{closes} (UTC).  Vote here, in the browser that holds your voting key\n"
    "(or load your key file there):\n"
    "\n"
    "{link}\n"
    "\n"
    "Your browser signs your ballot and checks the receipt it gets back.\n"
    "The election's authority key id is\n"
    "{authority_key_id}\n"
    "and the voting page shows the one it checks the ballot's definition\n"
    "with: they must be the same.\n";

static const char reminder_template[] =
    "Subject: {title}: reminder to vote\n"
    "\n"
    "Dear {name},\n"
    "\n"
    "You have not voted yet in \"{title}\" (election {election}).  Voting\n"
    "closes at {closes} (UTC).  Vote here, in the browser that holds your\n"
    "voting key (or load your key file there):\n"
    "\n"
    "{link}\n"
    "\n"
    "If you have voted in the last few minutes, thank you: this message\n"
    "crossed your ballot.\n";

const char *
tl_notice_kind_name(enum tl_notice_kind kind)
{
	return kind_names[kind];
}

const char *
tl_notice_default_template(enum tl_notice_kind kind)
{
	switch (kind) {
	case TL_NOTICE_ENROLMENT:
		return enrolment_template;
	case TL_NOTICE_VOTING_OPEN:
		return voting_open_template;
	case TL_NOTICE_REMINDER:
		return reminder_template;
	}
	return "";
}

/* The placeholders, and the value each stands for. */
static const char *const placeholders[] = {"title", "election", "name",
    "voter", "link", "opens", "closes", "authority_key_id", "expires"};
#define NPLACEHOLDERS (sizeof(placeholders) / sizeof(placeholders[0]))

static const char *
value_of(const struct tl_notice_values *v, size_t i)
{
	const char *const values[NPLACEHOLDERS] = {v->title, v->election,
	    v->name, v->voter, v->link, v->opens, v->closes,
	    v->authority_key_id, v->expires};

	return values[i] != NULL ? values[i] : "";
}

/* The placeholder at p (just after a '{'), or -1; *len gets the length of
 * its name and closing brace. */
static int
placeholder_at(const char *p, enum tl_notice_kind kind, size_t *len)
{
	for (size_t i = 0; i < NPLACEHOLDERS; i++) {
		size_t n = strlen(placeholders[i]);

		if (strncmp(p, placeholders[i], n) == 0 && p[n] == '}' &&
		    (strcmp(placeholders[i], "expires") != 0 ||
		    kind == TL_NOTICE_ENROLMENT)) {
			*len = n + 1;
			return (int)i;
		}
	}
	return -1;
}

int
tl_notice_check_template(const char *text, size_t len,
    enum tl_notice_kind kind, const char *name, struct tl_error *err)
{
	json_t *probe;
	const char *p, *end = text + len, *nl;
	size_t line = 1;
	int has_link = 0;

	if (len > TL_NOTICE_TEMPLATE_MAX)
		return tl_error_set(err, TL_ETOOBIG, "%s: over %d bytes", name,
		    TL_NOTICE_TEMPLATE_MAX);
	if (memchr(text, '\0', len) != NULL ||
	    (probe = json_stringn(text, len)) == NULL)
		return tl_error_set(err, TL_EINPUT, "%s: not UTF-8 text", name);
	json_decref(probe);
	for (p = text; p < end; p++)
		if (((unsigned char)*p < 0x20 && *p != '\n' && *p != '\r' &&
		    *p != '\t') || *p == 0x7f)
			return tl_error_set(err, TL_EINPUT, "%s: a control "
			    "character (byte %zu)", name, (size_t)(p - text) + 1);
	nl = memchr(text, '\n', len);
	if (len < 10 || strncmp(text, "Subject: ", 9) != 0 || nl == NULL ||
	    nl == text + 9 || (nl[1] != '\n' && !(nl[1] == '\r' &&
	    nl + 2 < end && nl[2] == '\n')))
		return tl_error_set(err, TL_EINPUT, "%s:1: a template starts "
		    "with a line \"Subject: ...\" and an empty line, then the "
		    "message", name);
	for (p = text; p < end; p++) {
		size_t plen = 0, shown;
		int i;

		if (*p == '\n')
			line++;
		if (*p != '{')
			continue;
		if (p[1] == '{') {
			p++;
			continue;
		}
		/* text is NUL-terminated: placeholder_at stops there. */
		if ((i = placeholder_at(p + 1, kind, &plen)) < 0) {
			shown = strcspn(p + 1, "}\r\n");
			return tl_error_set(err, TL_EINPUT, "%s:%zu: \"{%.*s}\" "
			    "is not a placeholder of a%s %s message (write {{ "
			    "for a brace)", name, line, (int)(shown < 30 ? shown :
			    30), p + 1, kind == TL_NOTICE_ENROLMENT ? "n" : "",
			    tl_notice_kind_name(kind));
		}
		if (strcmp(placeholders[i], "link") == 0)
			has_link = 1;
		p += plen;
	}
	if (!has_link)
		return tl_error_set(err, TL_EINPUT, "%s: the message must carry "
		    "{link}", name);
	return TL_OK;
}

/* Appends text[0..len) with its placeholders filled. */
static int
fill(struct tl_buf *out, const char *text, size_t len,
    enum tl_notice_kind kind, const struct tl_notice_values *v)
{
	const char *p = text, *end = text + len;
	int r = TL_OK;

	while (r == TL_OK && p < end) {
		size_t plen = 0;
		int i;

		if (*p != '{') {
			const char *brace = memchr(p, '{', (size_t)(end - p));
			size_t n = (size_t)((brace != NULL ? brace : end) - p);

			r = tl_buf_add(out, p, n);
			p += n;
			continue;
		}
		if (p + 1 < end && p[1] == '{') {
			r = tl_buf_addc(out, '{');
			p += 2;
			continue;
		}
		/* Checked before: a known placeholder, within the text. */
		if ((i = placeholder_at(p + 1, kind, &plen)) < 0 ||
		    p + 1 + plen > end)
			return TL_EINPUT;
		r = tl_buf_adds(out, value_of(v, (size_t)i));
		p += 1 + plen;
	}
	return r;
}

int
tl_notice_render(const char *text, enum tl_notice_kind kind,
    const struct tl_notice_values *values, char **subject, char **body,
    struct tl_error *err)
{
	struct tl_buf s, b;
	const char *nl = strchr(text, '\n'), *rest;
	size_t slen;
	int r;

	if (strncmp(text, "Subject: ", 9) != 0 || nl == NULL)
		return tl_error_set(err, TL_EINPUT, "a template starts with a "
		    "line \"Subject: ...\"");
	slen = (size_t)(nl - text) - 9;
	if (slen > 0 && text[9 + slen - 1] == '\r')
		slen--;
	rest = nl + 1;
	rest += *rest == '\r' ? 2 : 1; /* the empty line */
	tl_buf_init(&s, 4096);
	tl_buf_init(&b, TL_NOTICE_TEMPLATE_MAX * 4);
	if ((r = fill(&s, text + 9, slen, kind, values)) != TL_OK ||
	    (r = fill(&b, rest, strlen(rest), kind, values)) != TL_OK) {
		tl_buf_free(&s);
		tl_buf_free(&b);
		return tl_error_set(err, r, r == TL_EINPUT ? "the template has "
		    "an unknown placeholder" : "the message is too large");
	}
	/* Values are one line each, but a subject must stay one line. */
	for (char *c = s.data; *c != '\0'; c++)
		if (*c == '\r' || *c == '\n')
			*c = ' ';
	*subject = tl_buf_take(&s, NULL);
	*body = tl_buf_take(&b, NULL);
	if (*subject == NULL || *body == NULL) {
		free(*subject);
		free(*body);
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	return TL_OK;
}

int
tl_notice_link(const char *base, const char *election,
    enum tl_notice_kind kind, const char *voter, const char *token,
    char **out, struct tl_error *err)
{
	size_t len = strlen(base);
	int r;
	size_t scheme = strncmp(base, "https://", 8) == 0 ? 8 :
	    strncmp(base, "http://", 7) == 0 ? 7 : 0;

	while (len > 0 && base[len - 1] == '/')
		len--;
	if (scheme == 0 || len <= scheme ||
	    len > TL_NOTICE_URL_MAX || strpbrk(base, "?# \t\r\n\"<>") != NULL)
		return tl_error_set(err, TL_EUSAGE, "--url: \"%.100s\" is not "
		    "the http:// or https:// address voters reach teller serve "
		    "at (without ? or #)", base);
	if (kind == TL_NOTICE_ENROLMENT)
		r = asprintf(out, "%.*s/enrol/%s#token=%s", (int)len, base,
		    election, token);
	else
		r = asprintf(out, "%.*s/vote/%s#voter=%s", (int)len, base,
		    election, voter);
	return r < 0 ? tl_error_set(err, TL_ENOMEM, "out of memory") : TL_OK;
}

void
tl_notice_recipients_free(struct tl_notice_recipients *list)
{
	if (list == NULL)
		return;
	for (size_t i = 0; i < list->n; i++) {
		free(list->list[i].voter_id);
		free(list->list[i].name);
		free(list->list[i].email);
	}
	free(list->list);
	free(list);
}

static int
compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The ids of the voters in the election's turnout (sorted, borrowed from
 * *turnout, which the caller releases). */
static int
voted_ids(struct tl_store *store, const char *election, json_t **turnout,
    const char ***ids, size_t *n, struct tl_error *err)
{
	json_t *c, *v;
	size_t i, j, count = 0;
	int r;

	if ((r = tl_election_turnout(store, election, turnout, err)) != TL_OK)
		return r;
	json_array_foreach(json_object_get(*turnout, "constituencies"), i, c)
		count += json_array_size(json_object_get(c, "voters"));
	if ((*ids = calloc(count + 1, sizeof(**ids))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	*n = 0;
	json_array_foreach(json_object_get(*turnout, "constituencies"), i, c)
		json_array_foreach(json_object_get(c, "voters"), j, v)
			if (json_is_true(json_object_get(v, "voted")))
				(*ids)[(*n)++] = json_string_value(
				    json_object_get(v, "id"));
	qsort(*ids, *n, sizeof(**ids), compare_strings);
	return TL_OK;
}

/* Checks the election's state for the kind of notice. */
static int
check_notice_state(struct tl_store *store, const char *election,
    enum tl_notice_kind kind, int64_t now, struct tl_error *err)
{
	struct tl_manifest *m = NULL;
	char *state = NULL, when[TL_TIME_LEN];
	int r;

	if ((r = tl_election_load(store, election, &m, NULL, &state, err)) !=
	    TL_OK)
		return r;
	if (strcmp(state, "open") != 0)
		r = tl_error_set(err, TL_ESTATE, "election %s is %s; a %s "
		    "message goes to voters of an open election", election,
		    state, tl_notice_kind_name(kind));
	else if (kind == TL_NOTICE_REMINDER && now >= m->closes) {
		tl_time_format(m->closes, when);
		r = tl_error_set(err, TL_EWINDOW, "election %s closed at %s; "
		    "there is nothing left to remind voters of", election,
		    when);
	}
	free(state);
	tl_manifest_free(m);
	return r;
}

int
tl_notice_recipients(struct tl_store *store, const char *election,
    enum tl_notice_kind kind, const char *const *voters, size_t nvoters,
    int64_t now, struct tl_notice_recipients **out, struct tl_error *err)
{
	struct tl_notice_recipients *list = NULL;
	sqlite3_stmt *stmt = NULL;
	json_t *turnout = NULL;
	const char **voted = NULL;
	size_t nvoted = 0, seen = 0;
	int r, rc, began = 0;

	if (kind == TL_NOTICE_ENROLMENT)
		return tl_error_set(err, TL_EUSAGE, "enrolment links go out "
		    "with tl_enrol_issue");
	if ((r = tl_db_read_begin(store, &began, err)) != TL_OK)
		return r;
	if ((r = check_notice_state(store, election, kind, now, err)) !=
	    TL_OK)
		goto out;
	if (kind == TL_NOTICE_REMINDER && (r = voted_ids(store, election,
	    &turnout, &voted, &nvoted, err)) != TL_OK)
		goto out;
	if ((list = calloc(1, sizeof(*list))) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	if ((r = tl_db_prepare(store, "SELECT id, name, email FROM voters "
	    "WHERE election_id = ? ORDER BY rowid", &stmt, err)) != TL_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, election, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(stmt, 0);
		int named = nvoters == 0, ok = 1;
		struct tl_notice_recipient *grown, *e;

		for (size_t i = 0; i < nvoters && !named; i++)
			named = strcmp(voters[i], id) == 0;
		if (!named)
			continue;
		seen++;
		if (sqlite3_column_type(stmt, 2) == SQLITE_NULL) {
			if (nvoters == 0)
				continue;
			r = tl_error_set(err, TL_ENOTFOUND, "voter %s of "
			    "election %s has no e-mail address on the roll", id,
			    election);
			goto out;
		}
		if (voted != NULL && bsearch(&id, voted, nvoted, sizeof(*voted),
		    compare_strings) != NULL)
			continue;
		if ((grown = realloc(list->list, (list->n + 1) *
		    sizeof(*grown))) == NULL) {
			r = tl_error_set(err, TL_ENOMEM, "out of memory");
			goto out;
		}
		list->list = grown;
		e = &list->list[list->n++];
		e->voter_id = tl_db_column_strdup(stmt, 0, &ok);
		e->name = tl_db_column_strdup(stmt, 1, &ok);
		e->email = tl_db_column_strdup(stmt, 2, &ok);
		if (!ok) {
			r = tl_error_set(err, TL_ENOMEM, "out of memory");
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		r = tl_db_error(store, err, "cannot read the roll");
		goto out;
	}
	if (seen < nvoters) {
		r = tl_error_set(err, TL_ENOTFOUND, "%zu of the voters named %s "
		    "not on the roll of election %s (or named twice)",
		    nvoters - seen, nvoters - seen == 1 ? "is" : "are",
		    election);
		goto out;
	}
	*out = list;
	list = NULL;
 out:
	sqlite3_finalize(stmt);
	tl_db_read_end(store, began);
	tl_notice_recipients_free(list);
	free(voted);
	json_decref(turnout);
	return r;
}

int
tl_notice_sent(struct tl_store *store, const char *election,
    const char *voter, enum tl_notice_kind kind, int64_t now,
    struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_prepare(store, "INSERT INTO notices (election_id, "
	    "voter_id, kind, sent_at) VALUES (?, ?, ?, ?)", &stmt, err)) !=
	    TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, election, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, voter, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, tl_notice_kind_name(kind), -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, now);
	r = tl_db_step_done(store, stmt, err, "cannot note the message sent");
	sqlite3_finalize(stmt);
	return r;
}
