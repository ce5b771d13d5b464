/*
 * teller/mail.h: plain-text e-mail to voters, sent through an SMTP server
 * with libcurl.
 *
 * The server is named by a URL:
 *
 *   smtps://HOST[:PORT]   TLS from the first byte (RFC 8314; port 465 by
 *                         default);
 *   smtp://HOST[:PORT]    STARTTLS (RFC 3207), required: a server that
 *                         does not offer it is refused (port 25 by
 *                         default; 587 is the submission port).
 *
 * Plain SMTP, without TLS, goes only to a loopback host (localhost,
 * 127.0.0.0/8, ::1: a relay on the same machine), where STARTTLS is still
 * used when the server offers it, or anywhere when the caller allows it
 * explicitly (allow_plain, the CLI's --insecure-smtp).  Certificates and
 * host names are checked.  A user name and password, if given, go in the
 * SMTP AUTH exchange.
 *
 * A message (tl_mail_compose) is RFC 5322 text: From, To, Subject, Date,
 * Message-ID, MIME-Version, Content-Type text/plain; charset=utf-8 and
 * Content-Transfer-Encoding 8bit, then the body; every line ends in CRLF.
 * A subject or name that is not plain ASCII is written as RFC 2047
 * encoded-words (UTF-8, base64), each at most 75 characters, never
 * splitting a character.  A body line over 998 bytes (RFC 5322 section
 * 2.1.1) is refused.  Addresses must pass tl_valid_email (roll.h), so that
 * nothing in an address can end a command or a header.
 *
 * Ownership: a struct tl_mailer is the caller's, closed with
 * tl_mailer_close (NULL is fine); the strings of tl_mail_server are
 * borrowed for its life.
 */
#ifndef TELLER_MAIL_H
#define TELLER_MAIL_H

#include <stddef.h>
#include <stdint.h>

#include "teller/error.h"
#include "teller/util.h"

#define TL_MAIL_URL_MAX 2048
#define TL_MAIL_LINE_MAX 998
#define TL_MAIL_MAX (1024 * 1024)  /* the largest message */

struct tl_mail_server {
	const char *url;        /* smtps://... or smtp://... */
	const char *from;       /* the envelope and header sender */
	const char *user;       /* NULL: no AUTH */
	const char *password;
	int allow_plain;        /* plain SMTP to a host that is not loopback */
	long timeout_ms;        /* per message; 0: 60 s */
};

struct tl_mailer;

/* Checks the server's URL and the sender, and sets up a connection (made
 * at the first message, and kept for the next ones).  TL_EUSAGE with the
 * reason for a URL that is not smtp:// or smtps://, or plain SMTP that the
 * rules above refuse. */
int tl_mailer_open(const struct tl_mail_server *server,
    struct tl_mailer **out, struct tl_error *err);

/* Sends one message (as tl_mail_compose makes it) to `to`.  TL_ENETWORK
 * with the server's or libcurl's reason if the server did not take it. */
int tl_mailer_send(struct tl_mailer *mailer, const char *to,
    const char *message, size_t len, struct tl_error *err);

void tl_mailer_close(struct tl_mailer *mailer);

/* Whether the mailer refuses a server that offers no TLS (smtps://, or
 * smtp:// to a host that is not loopback without allow_plain). */
int tl_mailer_requires_tls(const struct tl_mailer *mailer);

/* Whether host (as a URL carries it: a name, an IPv4 address, or an IPv6
 * address in brackets) is this machine's loopback. */
int tl_mail_host_is_loopback(const char *host);

/*
 * Composes a message into out (appended; out's cap bounds it).  to_name
 * may be NULL or empty.  body is UTF-8 text with LF or CRLF line ends.
 * now gives the Date header; the Message-ID is random, at the sender's
 * domain.  TL_EINPUT for an address tl_valid_email refuses, a subject
 * with a line end, or a body line over TL_MAIL_LINE_MAX bytes.
 */
int tl_mail_compose(const char *from, const char *to, const char *to_name,
    const char *subject, const char *body, int64_t now, struct tl_buf *out,
    struct tl_error *err);

#endif
