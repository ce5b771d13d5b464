/*
 * teller/notice.h: the messages teller writes to voters, and to whom.
 *
 * Three kinds, each a plain-text UTF-8 message carrying the election's
 * title and a link to the voting page of `teller serve`:
 *
 *   enrolment    to each voter with an e-mail address and no key, while
 *                the election is a draft: the one-time link that makes
 *                the voter's key (enrol.h);
 *   voting-open  to each voter with an e-mail address, once the election
 *                is open: the link and the voting window;
 *   reminder     to each voter with an e-mail address who has not voted
 *                yet (who is not in the turnout: turnout.h), while the
 *                election is open and before it closes.
 *
 * A template is text whose first line is "Subject: " and the subject,
 * then an empty line, then the body.  In both, {NAME} stands for a value:
 *
 *   {title} {election} {name} {voter} {link} {opens} {closes}
 *   {authority_key_id}, and in an enrolment message {expires}
 *
 * ("{{" is a "{").  Times are written as RFC 3339 UTC.  Every template
 * must use {link}.  teller has one built in for each kind
 * (tl_notice_default_template); tl_notice_check_template checks a
 * replacement before anything is sent.
 *
 * Links: an enrolment link is BASE/enrol/ID#token=TOKEN and a voting
 * link BASE/vote/ID#voter=VOTER_ID, where BASE is the address voters
 * reach `teller serve` at; the part after '#' stays in the browser.
 *
 * Ownership: strings through char ** and lists through ** are the
 * caller's (tl_notice_recipients_free).
 */
#ifndef TELLER_NOTICE_H
#define TELLER_NOTICE_H

#include <stddef.h>
#include <stdint.h>

#include "teller/error.h"
#include "teller/store.h"

#define TL_NOTICE_TEMPLATE_MAX (64 * 1024)
#define TL_NOTICE_URL_MAX 1024

enum tl_notice_kind {
	TL_NOTICE_ENROLMENT,
	TL_NOTICE_VOTING_OPEN,
	TL_NOTICE_REMINDER,
};

/* "enrolment", "voting-open", "reminder". */
const char *tl_notice_kind_name(enum tl_notice_kind kind);

/* The built-in template of a kind (static text). */
const char *tl_notice_default_template(enum tl_notice_kind kind);

/* The values a template's placeholders stand for (borrowed; expires only
 * for an enrolment). */
struct tl_notice_values {
	const char *title;
	const char *election;
	const char *name;
	const char *voter;
	const char *link;
	const char *opens;
	const char *closes;
	const char *authority_key_id;
	const char *expires;
};

/* Checks a template for its kind: valid UTF-8 without control characters
 * but line ends and tabs, the "Subject: " line and the empty line after
 * it, only known placeholders (naming the line of the first unknown one),
 * and {link}.  text[len] must be a NUL (as tl_read_file leaves it).
 * `name` names the template in errors. */
int tl_notice_check_template(const char *text, size_t len,
    enum tl_notice_kind kind, const char *name, struct tl_error *err);

/* Fills a template (checked before) with values: *subject and *body. */
int tl_notice_render(const char *text, enum tl_notice_kind kind,
    const struct tl_notice_values *values, char **subject, char **body,
    struct tl_error *err);

/* BASE/enrol/ID#token=TOKEN or BASE/vote/ID#voter=VOTER (*out);
 * TL_EUSAGE if base is not an http:// or https:// URL without a query or
 * fragment (a trailing '/' is dropped). */
int tl_notice_link(const char *base, const char *election,
    enum tl_notice_kind kind, const char *voter, const char *token,
    char **out, struct tl_error *err);

struct tl_notice_recipient {
	char *voter_id;
	char *name;
	char *email;
};

struct tl_notice_recipients {
	size_t n;
	struct tl_notice_recipient *list;
};

/*
 * The voters a voting-open notice or a reminder goes to (not an
 * enrolment: tl_enrol_issue gives those), in roll order, among
 * voters[0..nvoters) if nvoters > 0 (each must be on the roll with an
 * address).  TL_ESTATE unless the election is open (for a reminder: and
 * not past its close at now).
 */
int tl_notice_recipients(struct tl_store *store, const char *election,
    enum tl_notice_kind kind, const char *const *voters, size_t nvoters,
    int64_t now, struct tl_notice_recipients **out, struct tl_error *err);

void tl_notice_recipients_free(struct tl_notice_recipients *r);

/* Notes that a message of this kind was sent to the voter (for `teller
 * roll list`). */
int tl_notice_sent(struct tl_store *store, const char *election,
    const char *voter, enum tl_notice_kind kind, int64_t now,
    struct tl_error *err);

#endif
