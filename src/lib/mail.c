/*
 * mail.c: composing plain-text messages (RFC 5322, RFC 2047 for words
 * that are not ASCII) and sending them through SMTP with libcurl, TLS
 * required but to a loopback relay.  mail.h states the rules.
 */
#include <config.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "teller/crypto.h"
#include "teller/mail.h"
#include "teller/roll.h"

struct tl_mailer {
	CURL *easy;
	char *url;
	char *from;     /* "<ADDR>" for MAIL FROM */
	char *user;
	char *password;
	long timeout_ms;
	long use_ssl;   /* CURLUSESSL_ALL or _TRY */
	char errbuf[CURL_ERROR_SIZE];
};

/* What libcurl reads the message from. */
struct upload {
	const char *data;
	size_t len, offset;
};

static size_t
read_message(char *buffer, size_t size, size_t nitems, void *userdata)
{
	struct upload *u = userdata;
	size_t n = size * nitems;

	if (n > u->len - u->offset)
		n = u->len - u->offset;
	memcpy(buffer, u->data + u->offset, n);
	u->offset += n;
	return n;
}

int
tl_mail_host_is_loopback(const char *host)
{
	struct in_addr v4;
	struct in6_addr v6;
	char inner[INET6_ADDRSTRLEN + 1];
	size_t n = strlen(host);

	if (strcmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &v4) == 1)
		return (ntohl(v4.s_addr) >> 24) == 127;
	if (n > 2 && host[0] == '[' && host[n - 1] == ']' &&
	    n - 2 < sizeof(inner)) {
		memcpy(inner, host + 1, n - 2);
		inner[n - 2] = '\0';
		if (inet_pton(AF_INET6, inner, &v6) == 1)
			return IN6_IS_ADDR_LOOPBACK(&v6);
	}
	return 0;
}

/* The scheme and host of an SMTP URL, checked against the rules of
 * mail.h; *use_ssl gets the CURLOPT_USE_SSL to set. */
static int
check_url(const char *url, int allow_plain, long *use_ssl,
    struct tl_error *err)
{
	CURLU *u = NULL;
	char *scheme = NULL, *host = NULL;
	size_t len = strlen(url);
	int r = TL_OK;

	for (size_t i = 0; i < len; i++)
		if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f)
			return tl_error_set(err, TL_EUSAGE, "--smtp: control "
			    "characters and spaces are not allowed in the URL");
	if (len == 0 || len > TL_MAIL_URL_MAX)
		return tl_error_set(err, TL_EUSAGE, "--smtp: the URL must be 1 "
		    "to %d bytes long", TL_MAIL_URL_MAX);
	if ((u = curl_url()) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    *host == '\0') {
		r = tl_error_set(err, TL_EUSAGE, "--smtp: \"%.100s\" is not a "
		    "URL like smtps://mail.example.org or "
		    "smtp://mail.example.org:587", url);
		goto out;
	}
	if (strcmp(scheme, "smtps") == 0)
		*use_ssl = CURLUSESSL_ALL;
	else if (strcmp(scheme, "smtp") != 0)
		r = tl_error_set(err, TL_EUSAGE, "--smtp: \"%.100s\": the URL "
		    "must start with smtps:// (TLS) or smtp:// (STARTTLS)", url);
	else if (tl_mail_host_is_loopback(host) || allow_plain)
		*use_ssl = CURLUSESSL_TRY;
	else
		*use_ssl = CURLUSESSL_ALL;
 out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return r;
}

int
tl_mailer_open(const struct tl_mail_server *server, struct tl_mailer **out,
    struct tl_error *err)
{
	struct tl_mailer *m = NULL;
	long use_ssl = CURLUSESSL_ALL;
	int r;

	if ((r = check_url(server->url, server->allow_plain, &use_ssl, err)) !=
	    TL_OK)
		return r;
	if (server->from == NULL || !tl_valid_email(server->from))
		return tl_error_set(err, TL_EUSAGE, "--from: \"%.100s\" is not "
		    "an e-mail address", server->from != NULL ? server->from :
		    "");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return tl_error_set(err, TL_EINTERNAL, "cannot set up libcurl");
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->url = strdup(server->url)) == NULL ||
	    (m->from = malloc(strlen(server->from) + 3)) == NULL ||
	    (server->user != NULL && (m->user = strdup(server->user)) ==
	    NULL) ||
	    (server->password != NULL && (m->password =
	    strdup(server->password)) == NULL) ||
	    (m->easy = curl_easy_init()) == NULL) {
		tl_mailer_close(m);
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	snprintf(m->from, strlen(server->from) + 3, "<%s>", server->from);
	m->use_ssl = use_ssl;
	m->timeout_ms = server->timeout_ms > 0 ? server->timeout_ms : 60000;
	if (curl_easy_setopt(m->easy, CURLOPT_URL, m->url) != CURLE_OK ||
#if LIBCURL_VERSION_NUM >= 0x075500
	    curl_easy_setopt(m->easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps") !=
#else
	    curl_easy_setopt(m->easy, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS)) !=
#endif
	    CURLE_OK ||
	    curl_easy_setopt(m->easy, CURLOPT_USE_SSL, use_ssl) != CURLE_OK ||
	    curl_easy_setopt(m->easy, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(m->easy, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    curl_easy_setopt(m->easy, CURLOPT_MAIL_FROM, m->from) != CURLE_OK ||
	    curl_easy_setopt(m->easy, CURLOPT_UPLOAD, 1L) != CURLE_OK ||
	    curl_easy_setopt(m->easy, CURLOPT_READFUNCTION, read_message) !=
	    CURLE_OK ||
	    curl_easy_setopt(m->easy, CURLOPT_CONNECTTIMEOUT_MS, 20000L) !=
	    CURLE_OK ||
	    curl_easy_setopt(m->easy, CURLOPT_TIMEOUT_MS, m->timeout_ms) !=
	    CURLE_OK ||
	    curl_easy_setopt(m->easy, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(m->easy, CURLOPT_ERRORBUFFER, m->errbuf) !=
	    CURLE_OK ||
	    (m->user != NULL && (curl_easy_setopt(m->easy, CURLOPT_USERNAME,
	    m->user) != CURLE_OK || curl_easy_setopt(m->easy,
	    CURLOPT_PASSWORD, m->password != NULL ? m->password : "") !=
	    CURLE_OK))) {
		tl_mailer_close(m);
		return tl_error_set(err, TL_EINTERNAL, "libcurl lacks SMTP "
		    "support");
	}
	*out = m;
	return TL_OK;
}

int
tl_mailer_requires_tls(const struct tl_mailer *m)
{
	return m->use_ssl == CURLUSESSL_ALL;
}

int
tl_mailer_send(struct tl_mailer *m, const char *to, const char *message,
    size_t len, struct tl_error *err)
{
	struct curl_slist *rcpt = NULL;
	struct upload up = {message, len, 0};
	char *bracketed = NULL;
	CURLcode rc;
	long response = 0;
	int r = TL_OK;

	if (!tl_valid_email(to))
		return tl_error_set(err, TL_EINPUT, "\"%.100s\" is not an e-mail "
		    "address", to);
	if (asprintf(&bracketed, "<%s>", to) < 0 ||
	    (rcpt = curl_slist_append(NULL, bracketed)) == NULL) {
		free(bracketed);
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	m->errbuf[0] = '\0';
	if (curl_easy_setopt(m->easy, CURLOPT_MAIL_RCPT, rcpt) != CURLE_OK ||
	    curl_easy_setopt(m->easy, CURLOPT_READDATA, &up) != CURLE_OK ||
	    curl_easy_setopt(m->easy, CURLOPT_INFILESIZE_LARGE,
	    (curl_off_t)len) != CURLE_OK) {
		r = tl_error_set(err, TL_EINTERNAL, "cannot set up the message");
		goto out;
	}
	if ((rc = curl_easy_perform(m->easy)) != CURLE_OK) {
		curl_easy_getinfo(m->easy, CURLINFO_RESPONSE_CODE, &response);
		r = tl_error_set(err, TL_ENETWORK, "%s: %s%s%s", m->url,
		    m->errbuf[0] != '\0' ? m->errbuf : curl_easy_strerror(rc),
		    rc == CURLE_USE_SSL_FAILED ? " (the server offers no "
		    "STARTTLS; use smtps://, or --insecure-smtp to send "
		    "without TLS)" : "", response >= 400 ? " (the server "
		    "refused the message)" : "");
	}
 out:
	curl_easy_setopt(m->easy, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all(rcpt);
	free(bracketed);
	return r;
}

void
tl_mailer_close(struct tl_mailer *m)
{
	if (m == NULL)
		return;
	if (m->easy != NULL)
		curl_easy_cleanup(m->easy);
	free(m->url);
	free(m->from);
	free(m->user);
	tl_wipe_free(m->password);
	free(m);
}

/* --- composing ------------------------------------------------------------ */

static int
is_plain_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* The length of the UTF-8 character starting at s (1 for a stray byte). */
static size_t
utf8_char_len(const unsigned char *s)
{
	size_t n = *s < 0x80 ? 1 : *s >= 0xf0 ? 4 : *s >= 0xe0 ? 3 :
	    *s >= 0xc0 ? 2 : 1;

	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

/*
 * text as RFC 2047 encoded-words (section 2: "=?UTF-8?B?...?=", each at
 * most 75 characters, and a line that holds one at most 76): 36 bytes of
 * text make 48 base64 characters, 60 with the delimiters, which leaves
 * room for "Subject: " on the first line; words are separated by a
 * folding CRLF SP (RFC 5322 section 2.2.3), and never split a character.
 */
static int
add_encoded_words(struct tl_buf *out, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	int first = 1, r;

	while (*p != '\0') {
		size_t n = 0;
		char *b64 = NULL;

		while (p[n] != '\0') {
			size_t c = utf8_char_len(p + n);

			if (n + c > 36)
				break;
			n += c;
		}
		if (tl_base64_encode(p, n, &b64) != TL_OK)
			return TL_ENOMEM;
		r = tl_buf_addf(out, "%s=?UTF-8?B?%s?=", first ? "" : "\r\n ",
		    b64);
		free(b64);
		if (r != TL_OK)
			return r;
		p += n;
		first = 0;
	}
	return TL_OK;
}

/* A header's text: as it is when plain ASCII, else encoded-words. */
static int
add_header_text(struct tl_buf *out, const char *text)
{
	return is_plain_ascii(text) ? tl_buf_adds(out, text) :
	    add_encoded_words(out, text);
}

int
tl_mail_compose(const char *from, const char *to, const char *to_name,
    const char *subject, const char *body, int64_t now, struct tl_buf *out,
    struct tl_error *err)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	uint8_t id[12];
	char id_hex[2 * sizeof(id) + 1];
	const char *p, *domain;
	time_t t = (time_t)now;
	struct tm tm;
	size_t line = 0;
	int r;

	if (!tl_valid_email(from) || !tl_valid_email(to))
		return tl_error_set(err, TL_EINPUT, "\"%.100s\" is not an e-mail "
		    "address", tl_valid_email(from) ? to : from);
	if (strpbrk(subject, "\r\n") != NULL)
		return tl_error_set(err, TL_EINPUT, "the subject is more than "
		    "one line");
	for (p = body; *p; p++) {
		if (*p == '\n') {
			line = 0;
			continue;
		}
		if (*p != '\r' && ++line > TL_MAIL_LINE_MAX)
			return tl_error_set(err, TL_EINPUT, "a line of the "
			    "message is longer than %d bytes", TL_MAIL_LINE_MAX);
	}
	if (tl_random_bytes(id, sizeof(id)) != TL_OK)
		return tl_error_set(err, TL_ECRYPTO, "no random bytes");
	tl_hex_encode(id, sizeof(id), id_hex);
	domain = strchr(from, '@') + 1;
	gmtime_r(&t, &tm);
	/* RFC 5322 section 3.3, in English whatever the locale. */
	if ((r = tl_buf_addf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000"
	    "\r\nFrom: %s\r\nTo: ", days[tm.tm_wday], tm.tm_mday,
	    months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, from)) != TL_OK)
		goto out;
	if (to_name != NULL && *to_name != '\0') {
		/* An ASCII name as an RFC 5322 quoted-string; another as
		 * encoded-words, which need no quoting (RFC 2047 5(3)). */
		if (is_plain_ascii(to_name)) {
			r = tl_buf_addc(out, '"');
			for (p = to_name; r == TL_OK && *p != '\0'; p++)
				r = *p == '"' || *p == '\\' ?
				    tl_buf_addf(out, "\\%c", *p) :
				    tl_buf_addc(out, *p);
			if (r == TL_OK)
				r = tl_buf_addc(out, '"');
		} else
			r = add_encoded_words(out, to_name);
		if (r != TL_OK || (r = tl_buf_adds(out, " ")) != TL_OK)
			goto out;
	}
	if ((r = tl_buf_addf(out, "<%s>\r\nSubject: ", to)) != TL_OK ||
	    (r = add_header_text(out, subject)) != TL_OK ||
	    (r = tl_buf_addf(out, "\r\nMessage-ID: <%s.teller@%s>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n", id_hex, domain)) !=
	    TL_OK)
		goto out;
	for (p = body; *p; p++) {
		if (*p == '\r')
			continue;
		if ((r = *p == '\n' ? tl_buf_add(out, "\r\n", 2) :
		    tl_buf_addc(out, *p)) != TL_OK)
			goto out;
	}
	if (out->len < 2 || memcmp(out->data + out->len - 2, "\r\n", 2) != 0)
		r = tl_buf_add(out, "\r\n", 2);
 out:
	if (r != TL_OK)
		return tl_error_set(err, r, r == TL_ETOOBIG ? "the message is "
		    "too large" : "out of memory");
	return TL_OK;
}
