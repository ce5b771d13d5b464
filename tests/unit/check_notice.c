/*
 * check_notice.c: messages to voters: composing them (RFC 5322 headers,
 * RFC 2047 words decoded back to the text, line limits, no header
 * injection), the TLS rules for an SMTP server, templates (checks,
 * placeholders, the built-in ones), links, and whom each kind of notice
 * goes to in a real database.  Sending through a real SMTP server is in
 * tests/e2e/notices.sh.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "teller/cast.h"
#include "teller/election.h"
#include "teller/mail.h"
#include "teller/notice.h"
#include "teller/util.h"

/* The text of a header (its folded lines joined), from a composed
 * message; NULL if absent.  Caller frees. */
static char *
header(const char *message, const char *name)
{
	size_t n = strlen(name);
	const char *p = message;
	struct tl_buf b;

	while (*p != '\0' && !(strncmp(p, "\r\n", 2) == 0)) {
		if (strncmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 2;
			tl_buf_init(&b, 1 << 20);
			for (;;) {
				const char *end = strstr(p, "\r\n");

				ck_assert_ptr_nonnull(end);
				tl_buf_add(&b, p, (size_t)(end - p));
				p = end + 2;
				if (*p != ' ' && *p != '\t')
					break;
			}
			return tl_buf_take(&b, NULL);
		}
		p = strstr(p, "\r\n") + 2;
	}
	return NULL;
}

/* Decodes a header text of RFC 2047 encoded-words (UTF-8, B), checking
 * that each is at most 75 characters and holds whole characters. */
static char *
decode_words(const char *text)
{
	struct tl_buf out;
	const char *p = text;

	tl_buf_init(&out, 1 << 20);
	while (*p != '\0') {
		const char *end;
		uint8_t *raw = NULL;
		size_t len = 0;

		while (*p == ' ')
			p++;
		ck_assert_msg(strncmp(p, "=?UTF-8?B?", 10) == 0, "not a word: "
		    "%s", p);
		end = strstr(p + 10, "?=");
		ck_assert_ptr_nonnull(end);
		ck_assert_uint_le((size_t)(end + 2 - p), 75);
		ck_assert_int_eq(tl_base64_decode(p + 10, (size_t)(end - p - 10),
		    &raw, &len), TL_OK);
		/* A word never ends inside a character. */
		ck_assert(len == 0 || (raw[len - 1] & 0xc0) != 0xc0);
		ck_assert(len == 0 || (raw[0] & 0xc0) != 0x80);
		tl_buf_add(&out, raw, len);
		free(raw);
		p = end + 2;
	}
	return tl_buf_take(&out, NULL);
}

START_TEST(compose_headers_and_words)
{
	struct tl_buf m;
	struct tl_error err;
	char title[512] = "Élection du conseil ", *h, *d;
	size_t n = strlen(title);

	/* A long title of two-byte characters, to split into words. */
	while (n + 2 < 300) {
		memcpy(title + n, "\xc3\xa9", 2);
		n += 2;
	}
	title[n] = '\0';
	tl_buf_init(&m, TL_MAIL_MAX);
	ck_assert_int_eq(tl_mail_compose("elections@example.org",
	    "ann@example.org", "Ann \"the\" Lee", title, "Hello,\nline two\n",
	    TH_NOW, &m, &err), TL_OK);
	ck_assert_ptr_nonnull(strstr(m.data, "\r\n\r\nHello,\r\nline two\r\n"));
	ck_assert_ptr_null(strstr(m.data, "two\n\n"));
	h = header(m.data, "Date");
	ck_assert_str_eq(h, "Sun, 22 Nov 2026 10:00:00 +0000");
	free(h);
	h = header(m.data, "From");
	ck_assert_str_eq(h, "elections@example.org");
	free(h);
	h = header(m.data, "To");
	ck_assert_str_eq(h, "\"Ann \\\"the\\\" Lee\" <ann@example.org>");
	free(h);
	h = header(m.data, "Content-Type");
	ck_assert_str_eq(h, "text/plain; charset=utf-8");
	free(h);
	h = header(m.data, "Message-ID");
	ck_assert_ptr_nonnull(strstr(h, ".teller@example.org>"));
	free(h);
	h = header(m.data, "Subject");
	d = decode_words(h);
	ck_assert_str_eq(d, title);
	free(d);
	free(h);
	/* RFC 2047 section 2: a line with an encoded-word fits in 76
	 * characters (here every header line but To's). */
	for (const char *p = m.data; strncmp(p, "\r\n", 2) != 0;) {
		const char *end = strstr(p, "\r\n");

		ck_assert_msg(end - p <= 76 || strncmp(p, "To:", 3) == 0,
		    "long line %.40s", p);
		p = end + 2;
	}
	tl_buf_free(&m);

	/* A name that is not ASCII is encoded too. */
	tl_buf_init(&m, TL_MAIL_MAX);
	ck_assert_int_eq(tl_mail_compose("e@example.org", "b@example.org",
	    "Bj\xc3\xb6rk", "Plain", "x", TH_NOW, &m, &err), TL_OK);
	h = header(m.data, "To");
	ck_assert_str_eq(h, "=?UTF-8?B?QmrDtnJr?= <b@example.org>");
	free(h);
	h = header(m.data, "Subject");
	ck_assert_str_eq(h, "Plain");
	free(h);
	tl_buf_free(&m);
}
END_TEST

START_TEST(compose_refusals)
{
	struct tl_buf m;
	struct tl_error err;
	char *longline = malloc(1200);

	memset(longline, 'a', 999);
	longline[999] = '\0';
	tl_buf_init(&m, TL_MAIL_MAX);
	ck_assert_int_eq(tl_mail_compose("e@example.org", "b@example.org", NULL,
	    "S", longline, TH_NOW, &m, &err), TL_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.message, "longer than 998"));
	longline[998] = '\0';
	ck_assert_int_eq(tl_mail_compose("e@example.org", "b@example.org", NULL,
	    "S", longline, TH_NOW, &m, &err), TL_OK);
	tl_buf_reset(&m);
	/* Header injection: through the subject, or an address. */
	ck_assert_int_eq(tl_mail_compose("e@example.org", "b@example.org", NULL,
	    "S\r\nBcc: x@evil.example", "x", TH_NOW, &m, &err), TL_EINPUT);
	ck_assert_int_eq(tl_mail_compose("e@example.org",
	    "b@example.org>\r\nBcc: x@evil.example", NULL, "S", "x", TH_NOW, &m,
	    &err), TL_EINPUT);
	ck_assert_int_eq(tl_mail_compose("e", "b@example.org", NULL, "S", "x",
	    TH_NOW, &m, &err), TL_EINPUT);
	tl_buf_free(&m);
	free(longline);
}
END_TEST

START_TEST(tls_rules)
{
	struct tl_mail_server s = {NULL, "e@example.org", NULL, NULL, 0, 0};
	struct tl_mailer *m = NULL;
	struct tl_error err;
	static const struct {
		const char *url;
		int allow_plain;
		int requires_tls;
	} cases[] = {
		{"smtps://mail.example.org", 0, 1},
		{"smtps://127.0.0.1:465", 1, 1},
		{"smtp://mail.example.org:587", 0, 1},
		{"smtp://mail.example.org:587", 1, 0},
		{"smtp://127.0.0.1:2525", 0, 0},
		{"smtp://127.8.9.10", 0, 0},
		{"smtp://localhost:25", 0, 0},
		{"smtp://[::1]:25", 0, 0},
		{"smtp://10.0.0.1", 0, 1},
		{"smtp://[::2]:25", 0, 1},
		{"smtp://localhost.example.org", 0, 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s.url = cases[i].url;
		s.allow_plain = cases[i].allow_plain;
		ck_assert_int_eq(tl_mailer_open(&s, &m, &err), TL_OK);
		ck_assert_msg(tl_mailer_requires_tls(m) == cases[i].requires_tls,
		    "%s", cases[i].url);
		tl_mailer_close(m);
		m = NULL;
	}
	s.url = "http://mail.example.org";
	ck_assert_int_eq(tl_mailer_open(&s, &m, &err), TL_EUSAGE);
	ck_assert_ptr_nonnull(strstr(err.message, "smtps:// (TLS) or smtp://"));
	s.url = "smtp://mail example.org";
	ck_assert_int_eq(tl_mailer_open(&s, &m, &err), TL_EUSAGE);
	s.url = "smtps://mail.example.org";
	s.from = "not an address";
	ck_assert_int_eq(tl_mailer_open(&s, &m, &err), TL_EUSAGE);
	ck_assert_ptr_null(m);
	ck_assert(tl_mail_host_is_loopback("127.0.0.1"));
	ck_assert(tl_mail_host_is_loopback("[::1]"));
	ck_assert(!tl_mail_host_is_loopback("128.0.0.1"));
	ck_assert(!tl_mail_host_is_loopback("::1"));
}
END_TEST

static void
expect_template_error(const char *text, enum tl_notice_kind kind,
    const char *part)
{
	struct tl_error err;

	ck_assert_int_eq(tl_notice_check_template(text, strlen(text), kind,
	    "t.txt", &err), TL_EINPUT);
	ck_assert_msg(strstr(err.message, part) != NULL, "\"%s\" lacks \"%s\"",
	    err.message, part);
}

START_TEST(templates)
{
	struct tl_notice_values v = {"Club board", "club", "Ann", "m1",
	    "https://v.example.org/vote/club#voter=m1", "2026-11-01T00:00:00Z",
	    "2026-11-30T00:00:00Z", "abcd", "2026-11-08T00:00:00Z"};
	struct tl_error err;
	char *subject = NULL, *body = NULL;
	const char *t;

	for (int k = TL_NOTICE_ENROLMENT; k <= TL_NOTICE_REMINDER; k++) {
		t = tl_notice_default_template(k);
		ck_assert_int_eq(tl_notice_check_template(t, strlen(t), k,
		    "built-in", &err), TL_OK);
		ck_assert_int_eq(tl_notice_render(t, k, &v, &subject, &body,
		    &err), TL_OK);
		ck_assert_ptr_nonnull(strstr(subject, "Club board"));
		ck_assert_ptr_nonnull(strstr(body, v.link));
		ck_assert_ptr_null(strchr(body, '{'));
		free(subject);
		free(body);
	}
	t = "Subject: Vote in {title}\n\n{{not a placeholder} {name}: "
	    "{link}\nuntil {expires}\n";
	ck_assert_int_eq(tl_notice_check_template(t, strlen(t),
	    TL_NOTICE_ENROLMENT, "t.txt", &err), TL_OK);
	ck_assert_int_eq(tl_notice_render(t, TL_NOTICE_ENROLMENT, &v, &subject,
	    &body, &err), TL_OK);
	ck_assert_str_eq(subject, "Vote in Club board");
	ck_assert_str_eq(body, "{not a placeholder} Ann: "
	    "https://v.example.org/vote/club#voter=m1\n"
	    "until 2026-11-08T00:00:00Z\n");
	free(subject);
	free(body);
	/* CRLF templates too. */
	t = "Subject: S\r\n\r\n{link}\r\n";
	ck_assert_int_eq(tl_notice_check_template(t, strlen(t),
	    TL_NOTICE_REMINDER, "t.txt", &err), TL_OK);
	ck_assert_int_eq(tl_notice_render(t, TL_NOTICE_REMINDER, &v, &subject,
	    &body, &err), TL_OK);
	ck_assert_str_eq(subject, "S");
	ck_assert_str_eq(body, "https://v.example.org/vote/club#voter=m1\r\n");
	free(subject);
	free(body);

	expect_template_error("Subject: S\n\n{link}\nuntil {expires}\n",
	    TL_NOTICE_REMINDER, "t.txt:4: \"{expires}\" is not a placeholder of "
	    "a reminder message");
	expect_template_error("Subject: S\n\n{link} {nmae}\n",
	    TL_NOTICE_VOTING_OPEN, "t.txt:3: \"{nmae}\"");
	expect_template_error("Subject: S\n\nno link\n", TL_NOTICE_REMINDER,
	    "must carry {link}");
	expect_template_error("Hello {link}\n", TL_NOTICE_REMINDER,
	    "t.txt:1: a template starts with a line \"Subject: ...\"");
	expect_template_error("Subject: S\nbody {link}\n", TL_NOTICE_REMINDER,
	    "and an empty line");
	expect_template_error("Subject: S\n\n\xff {link}\n", TL_NOTICE_REMINDER,
	    "not UTF-8");
	expect_template_error("Subject: S\n\n\x1b[31m {link}\n",
	    TL_NOTICE_REMINDER, "control character");
}
END_TEST

START_TEST(links)
{
	struct tl_error err;
	char *link = NULL;

	ck_assert_int_eq(tl_notice_link("https://vote.example.org/", "club",
	    TL_NOTICE_ENROLMENT, "m1", "TOKEN", &link, &err), TL_OK);
	ck_assert_str_eq(link, "https://vote.example.org/enrol/club"
	    "#token=TOKEN");
	free(link);
	ck_assert_int_eq(tl_notice_link("http://127.0.0.1:8080/teller", "club",
	    TL_NOTICE_REMINDER, "m1", NULL, &link, &err), TL_OK);
	ck_assert_str_eq(link, "http://127.0.0.1:8080/teller/vote/club#voter=m1");
	free(link);
	ck_assert_int_eq(tl_notice_link("http://x", "club", TL_NOTICE_REMINDER,
	    "m1", NULL, &link, &err), TL_OK);
	free(link);
	ck_assert_int_eq(tl_notice_link("ftp://x", "club", TL_NOTICE_REMINDER,
	    "m1", NULL, &link, &err), TL_EUSAGE);
	ck_assert_int_eq(tl_notice_link("https://", "club", TL_NOTICE_REMINDER,
	    "m1", NULL, &link, &err), TL_EUSAGE);
	ck_assert_int_eq(tl_notice_link("https://x/?a=b", "club",
	    TL_NOTICE_REMINDER, "m1", NULL, &link, &err), TL_EUSAGE);
}
END_TEST

/* Whom notices go to: voters with an address; for a reminder, those who
 * have not voted. */
START_TEST(recipients)
{
	struct tl_error err;
	struct tl_store *store;
	struct tl_notice_recipients *list = NULL;
	struct tl_key **keys = th_keys(3);
	char *dir = th_tmpdir(), *id = NULL, csv[1024], pub[3][45], hash[65];
	char payload[256], *ballot, *receipt = NULL;
	const char *json = th_manifest_json(0);
	const char *named[] = {"a2"}, *no_address[] = {"b1"}, *unknown[] = {"x"};
	struct tl_manifest *m = NULL;
	size_t n;

	store = th_store(dir);
	for (int i = 0; i < 3; i++)
		tl_key_public_base64(keys[i], pub[i]);
	ck_assert_int_eq(tl_election_create(store, json, strlen(json), TH_NOW,
	    &id, &err), TL_OK);
	free(id);
	snprintf(csv, sizeof(csv), "voter_id,name,constituency,weight,"
	    "public_key,email\na1,Ann,a,1,%s,ann@example.org\n"
	    "a2,Ben,a,1,%s,ben@example.org\nb1,Cy,b,1,%s,\n", pub[0], pub[1],
	    pub[2]);
	ck_assert_int_eq(tl_election_import_roll(store, "e1", csv, strlen(csv),
	    "r.csv", &n, &err), TL_OK);
	ck_assert_int_eq(tl_notice_recipients(store, "e1",
	    TL_NOTICE_VOTING_OPEN, NULL, 0, TH_NOW, &list, &err), TL_ESTATE);
	ck_assert_int_eq(tl_election_open(store, "e1", TH_NOW, &err), TL_OK);

	ck_assert_int_eq(tl_notice_recipients(store, "e1",
	    TL_NOTICE_VOTING_OPEN, NULL, 0, TH_NOW, &list, &err), TL_OK);
	ck_assert_uint_eq(list->n, 2);
	ck_assert_str_eq(list->list[0].voter_id, "a1");
	ck_assert_str_eq(list->list[0].email, "ann@example.org");
	ck_assert_str_eq(list->list[1].voter_id, "a2");
	tl_notice_recipients_free(list);
	ck_assert_int_eq(tl_notice_recipients(store, "e1",
	    TL_NOTICE_VOTING_OPEN, named, 1, TH_NOW, &list, &err), TL_OK);
	ck_assert_uint_eq(list->n, 1);
	ck_assert_str_eq(list->list[0].voter_id, "a2");
	tl_notice_recipients_free(list);
	ck_assert_int_eq(tl_notice_recipients(store, "e1",
	    TL_NOTICE_VOTING_OPEN, no_address, 1, TH_NOW, &list, &err),
	    TL_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.message, "no e-mail address"));
	ck_assert_int_eq(tl_notice_recipients(store, "e1",
	    TL_NOTICE_VOTING_OPEN, unknown, 1, TH_NOW, &list, &err),
	    TL_ENOTFOUND);

	/* a1 votes: the reminder goes to a2 alone. */
	ck_assert_int_eq(tl_election_load(store, "e1", &m, hash, NULL, &err),
	    TL_OK);
	tl_manifest_free(m);
	snprintf(payload, sizeof(payload), "{\"election\":\"e1\",\"manifest\":"
	    "\"%s\",\"voter\":\"a1\",\"seq\":1,\"selections\":[]}", hash);
	ballot = th_sign_ballot(keys[0], payload);
	ck_assert_int_eq(tl_ballot_cast(store, ballot, strlen(ballot), TH_NOW,
	    &receipt, &err), TL_OK);
	free(ballot);
	free(receipt);
	ck_assert_int_eq(tl_notice_recipients(store, "e1", TL_NOTICE_REMINDER,
	    NULL, 0, TH_NOW, &list, &err), TL_OK);
	ck_assert_uint_eq(list->n, 1);
	ck_assert_str_eq(list->list[0].voter_id, "a2");
	tl_notice_recipients_free(list);
	/* Not after the close time, nor once closed. */
	ck_assert_int_eq(tl_notice_recipients(store, "e1", TL_NOTICE_REMINDER,
	    NULL, 0, TH_NOW + 86400, &list, &err), TL_EWINDOW);
	ck_assert_int_eq(tl_notice_sent(store, "e1", "a2", TL_NOTICE_REMINDER,
	    TH_NOW, &err), TL_OK);
	ck_assert_int_eq(th_count(store, "SELECT COUNT(*) FROM notices WHERE "
	    "voter_id = 'a2' AND kind = 'reminder'"), 1);
	tl_store_close(store);
	th_keys_free(keys, 3);
	th_rm_rf(dir);
	free(dir);
}
END_TEST

static Suite *
notice_suite(void)
{
	Suite *s = suite_create("notice");
	TCase *tc = tcase_create("notice");

	tcase_add_test(tc, compose_headers_and_words);
	tcase_add_test(tc, compose_refusals);
	tcase_add_test(tc, tls_rules);
	tcase_add_test(tc, templates);
	tcase_add_test(tc, links);
	tcase_add_test(tc, recipients);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return th_run(notice_suite());
}
