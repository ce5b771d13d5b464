/*
 * cmd-notice.c: teller invite and teller remind: e-mail to voters through
 * an SMTP server (or printed, to check them or deliver them otherwise):
 * one-time enrolment links, the notice that voting is open, and
 * reminders to voters who have not voted.
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "teller/crypto.h"
#include "teller/election.h"
#include "teller/enrol.h"
#include "teller/mail.h"
#include "teller/notice.h"
#include "teller/util.h"

#define DEFAULT_VALID_FOR (7 * 86400)
#define MAX_VALID_FOR (366 * 86400)

struct notice_opts {
	const char *url;
	const char *smtp;
	const char *from;
	const char *user;
	const char *password_file;
	const char *template_file;
	int insecure;
	int print;
	int voting_open;
	int64_t valid_for;
	const char **voters;
	size_t nvoters;
};

/* A duration: a whole number and a unit, d (days), h (hours) or m
 * (minutes); days without one. */
static int
parse_duration(const char *arg, int64_t *seconds)
{
	char number[32];
	size_t n = strlen(arg);
	int64_t unit = 86400, value;

	if (n == 0 || n >= sizeof(number))
		return -1;
	memcpy(number, arg, n + 1);
	switch (number[n - 1]) {
	case 'd':
		number[--n] = '\0';
		break;
	case 'h':
		unit = 3600;
		number[--n] = '\0';
		break;
	case 'm':
		unit = 60;
		number[--n] = '\0';
		break;
	default:
		break;
	}
	if (tl_parse_int64(number, 1, MAX_VALID_FOR / unit, &value) != TL_OK)
		return -1;
	*seconds = value * unit;
	return 0;
}

static int
notice_option(int opt, const char *arg, void *ctx)
{
	struct notice_opts *o = ctx;
	const char **grown;

	switch (opt) {
	case 'u':
		o->url = arg;
		return 0;
	case 's':
		o->smtp = arg;
		return 0;
	case 'f':
		o->from = arg;
		return 0;
	case 'U':
		o->user = arg;
		return 0;
	case 'P':
		o->password_file = arg;
		return 0;
	case 'T':
		o->template_file = arg;
		return 0;
	case 'I':
		o->insecure = 1;
		return 0;
	case 'p':
		o->print = 1;
		return 0;
	case 'o':
		o->voting_open = 1;
		return 0;
	case 'e':
		if (parse_duration(arg, &o->valid_for) != 0)
			return cli_usage_error("--valid-for: \"%s\" is not a "
			    "duration like 7d, 36h or 90m (at most a year)", arg);
		return 0;
	case 'v':
		if ((grown = realloc(o->voters, (o->nvoters + 1) *
		    sizeof(*grown))) == NULL) {
			cli_error("out of memory");
			return EXIT_INTERNAL;
		}
		o->voters = grown;
		o->voters[o->nvoters++] = arg;
		return 0;
	default:
		return EXIT_USAGE;
	}
}

/* What a run needs besides the options: the template, the mailer, the
 * election's values. */
struct run {
	const struct notice_opts *o;
	enum tl_notice_kind kind;
	char *template;
	struct tl_mailer *mailer;
	char *password;
	struct tl_manifest *manifest;
	char opens[TL_TIME_LEN], closes[TL_TIME_LEN];
	char key_id[TL_KEYID_LEN + 1];
	size_t sent, failed;
};

static int
check_options(const struct notice_opts *o)
{
	if (o->url == NULL)
		return cli_usage_error("--url is required: the address voters "
		    "reach 'teller serve' at, like https://vote.example.org");
	if ((o->smtp == NULL) == !o->print)
		return cli_usage_error("give --smtp URL to send the messages, "
		    "or --print to show them (one of the two)");
	if (o->smtp != NULL && o->from == NULL)
		return cli_usage_error("--from ADDRESS is required with --smtp");
	if (o->password_file != NULL && o->user == NULL)
		return cli_usage_error("--smtp-password-file goes with "
		    "--smtp-user");
	return 0;
}

/* The template (a file, or the built-in one), checked; the SMTP server,
 * set up (nothing is sent yet). */
static int
prepare(struct run *run, struct tl_error *err)
{
	const struct notice_opts *o = run->o;
	struct tl_mail_server server;
	const char *text;
	char *probe = NULL;
	size_t len = 0;
	int r;

	if (o->template_file != NULL) {
		if ((r = tl_read_file(o->template_file, TL_NOTICE_TEMPLATE_MAX,
		    &run->template, &len, err)) != TL_OK)
			return r;
	} else {
		text = tl_notice_default_template(run->kind);
		if ((run->template = strdup(text)) == NULL)
			return tl_error_set(err, TL_ENOMEM, "out of memory");
		len = strlen(text);
	}
	if ((r = tl_notice_check_template(run->template, len, run->kind,
	    o->template_file != NULL ? o->template_file : "the built-in "
	    "template", err)) != TL_OK)
		return r;
	/* The links' base, checked before any link is made. */
	if ((r = tl_notice_link(o->url, "id", run->kind, "voter", "token",
	    &probe, err)) != TL_OK)
		return r;
	free(probe);
	if (o->smtp == NULL)
		return TL_OK;
	if (o->password_file != NULL && (r = cli_read_file(o->password_file,
	    4096, &run->password, &len, err)) != TL_OK)
		return r;
	memset(&server, 0, sizeof(server));
	server.url = o->smtp;
	server.from = o->from;
	server.user = o->user;
	server.password = run->password;
	server.allow_plain = o->insecure;
	return tl_mailer_open(&server, &run->mailer, err);
}

/* The election's title, window and authority key id. */
static int
load_election(struct tl_store *store, const char *id, struct run *run,
    struct tl_error *err)
{
	struct tl_key *authority = NULL;
	int r;

	if ((r = tl_election_load(store, id, &run->manifest, NULL, NULL,
	    err)) != TL_OK)
		return r;
	tl_time_format(run->manifest->opens, run->opens);
	tl_time_format(run->manifest->closes, run->closes);
	run->key_id[0] = '\0';
	if (run->manifest->authority_key != NULL &&
	    tl_key_from_public_base64(run->manifest->authority_key, &authority,
	    NULL) == TL_OK)
		tl_key_id(authority, run->key_id);
	tl_key_free(authority);
	return TL_OK;
}

/*
 * Writes one message and sends it (or prints it).  A failure to send is
 * reported and counted, and the run goes on with the next voter.
 */
static int
deliver(struct tl_store *store, struct run *run, const char *election,
    const char *voter, const char *name, const char *email,
    const char *token, int64_t expires)
{
	struct tl_notice_values v;
	struct tl_error err;
	struct tl_buf message;
	char *link = NULL, *subject = NULL, *body = NULL;
	char until[TL_TIME_LEN] = "";
	int status = 0;

	tl_error_clear(&err);
	tl_buf_init(&message, TL_MAIL_MAX);
	if (expires > 0)
		tl_time_format(expires, until);
	memset(&v, 0, sizeof(v));
	v.title = run->manifest->title;
	v.election = election;
	v.name = name;
	v.voter = voter;
	v.opens = run->opens;
	v.closes = run->closes;
	v.authority_key_id = run->key_id;
	v.expires = until;
	if (tl_notice_link(run->o->url, election, run->kind, voter, token,
	    &link, &err) != TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	v.link = link;
	if (tl_notice_render(run->template, run->kind, &v, &subject, &body,
	    &err) != TL_OK ||
	    tl_mail_compose(run->o->from != NULL ? run->o->from :
	    "teller@localhost", email, name, subject, body, cli_now(),
	    &message, &err) != TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	if (run->mailer == NULL) {
		/* --print: the message as it would go, with LF line ends. */
		printf("=== %s to voter %s <%s>\n", tl_notice_kind_name(run->kind),
		    voter, email);
		for (size_t i = 0; i < message.len; i++)
			if (message.data[i] != '\r')
				putchar(message.data[i]);
		putchar('\n');
		run->sent++;
		goto out;
	}
	if (tl_mailer_send(run->mailer, email, message.data, message.len,
	    &err) != TL_OK) {
		cli_error("voter %s <%s>: not sent: %s", voter, email,
		    err.message);
		run->failed++;
		goto out;
	}
	run->sent++;
	if (tl_notice_sent(store, election, voter, run->kind, cli_now(),
	    &err) != TL_OK)
		cli_error("voter %s: sent, but not noted: %s", voter,
		    err.message);
 out:
	if (body != NULL)
		tl_wipe(body, strlen(body));
	free(body);
	free(subject);
	free(link);
	tl_buf_free(&message);
	return status;
}

static void
run_free(struct run *run)
{
	free(run->template);
	tl_mailer_close(run->mailer);
	tl_wipe_free(run->password);
	tl_manifest_free(run->manifest);
}

/* The end of a run: what was done, and the exit status. */
static int
summary(const struct run *run, const char *election, const char *what)
{
	if (run->mailer == NULL)
		fprintf(stderr, "teller: printed %zu %s%s for election %s; "
		    "nothing was sent\n", run->sent, what, run->sent == 1 ? "" :
		    "s", election);
	else
		printf("Sent %zu %s%s for election %s.\n", run->sent, what,
		    run->sent == 1 ? "" : "s", election);
	if (run->failed > 0) {
		cli_error("%zu message%s could not be sent (see above); run the "
		    "command again for %s voters with --voter", run->failed,
		    run->failed == 1 ? "" : "s", run->failed == 1 ? "that" :
		    "those");
		return EXIT_INTERNAL;
	}
	return 0;
}

/* Enrolment links: issued (and stored as hashes) first, then sent. */
static int
send_enrolment(struct tl_store *store, const char *election, struct run *run)
{
	struct tl_enrol_links *links = NULL;
	struct tl_error err;
	int64_t now = cli_now();
	char until[TL_TIME_LEN];
	int status;

	tl_error_clear(&err);
	if (tl_enrol_issue(store, election, run->o->voters, run->o->nvoters,
	    now, now + run->o->valid_for, &links, &err) != TL_OK)
		return cli_fail(&err);
	if (links->n == 0) {
		tl_enrol_links_free(links);
		printf("No voter of election %s is waiting for an enrolment "
		    "link: every voter has a key.\n", election);
		return 0;
	}
	for (size_t i = 0; i < links->n; i++) {
		const struct tl_enrol_link *l = &links->links[i];

		if ((status = deliver(store, run, election, l->voter_id,
		    l->name, l->email, l->token, l->expires)) != 0) {
			tl_enrol_links_free(links);
			return status;
		}
	}
	tl_time_format(now + run->o->valid_for, until);
	tl_enrol_links_free(links);
	status = summary(run, election, "enrolment link");
	if (status == 0 && run->mailer != NULL)
		printf("The links work once each, until %s, or until the roll "
		    "freezes.\n", until);
	return status;
}

static int
send_notices(struct tl_store *store, const char *election, struct run *run)
{
	struct tl_notice_recipients *list = NULL;
	struct tl_error err;
	int status = 0;

	tl_error_clear(&err);
	if (tl_notice_recipients(store, election, run->kind, run->o->voters,
	    run->o->nvoters, cli_now(), &list, &err) != TL_OK)
		return cli_fail(&err);
	for (size_t i = 0; i < list->n && status == 0; i++)
		status = deliver(store, run, election, list->list[i].voter_id,
		    list->list[i].name, list->list[i].email, NULL, 0);
	tl_notice_recipients_free(list);
	if (status != 0)
		return status;
	return summary(run, election, run->kind == TL_NOTICE_REMINDER ?
	    "reminder" : "voting notice");
}

static int
run_command(int argc, char **argv, int remind)
{
	static const struct option longopts[] = {
		{"url", required_argument, NULL, 'u'},
		{"smtp", required_argument, NULL, 's'},
		{"from", required_argument, NULL, 'f'},
		{"smtp-user", required_argument, NULL, 'U'},
		{"smtp-password-file", required_argument, NULL, 'P'},
		{"template", required_argument, NULL, 'T'},
		{"insecure-smtp", no_argument, NULL, 'I'},
		{"print", no_argument, NULL, 'p'},
		{"voting-open", no_argument, NULL, 'o'},
		{"valid-for", required_argument, NULL, 'e'},
		{"voter", required_argument, NULL, 'v'},
		{NULL, 0, NULL, 0},
	};
	struct notice_opts o = {.valid_for = DEFAULT_VALID_FOR};
	struct run run;
	struct tl_store *store = NULL;
	struct tl_error err;
	int first, status;

	memset(&run, 0, sizeof(run));
	if ((status = cli_parse(argc, argv, "", longopts, notice_option, &o,
	    &first)) >= 0)
		goto out;
	if ((status = cli_operands(argc - first, 1, 1)) != 0 ||
	    (status = check_options(&o)) != 0)
		goto out;
	if (remind && o.voting_open) {
		status = cli_usage_error("--voting-open is an option of 'teller "
		    "invite'");
		goto out;
	}
	run.o = &o;
	run.kind = remind ? TL_NOTICE_REMINDER : o.voting_open ?
	    TL_NOTICE_VOTING_OPEN : TL_NOTICE_ENROLMENT;
	tl_error_clear(&err);
	if (prepare(&run, &err) != TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	if ((store = cli_open_store(0, &status)) == NULL)
		goto out;
	if (load_election(store, argv[first], &run, &err) != TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	status = run.kind == TL_NOTICE_ENROLMENT ?
	    send_enrolment(store, argv[first], &run) :
	    send_notices(store, argv[first], &run);
 out:
	run_free(&run);
	tl_store_close(store);
	free(o.voters);
	return status;
}

static int
exec_invite(int argc, char **argv)
{
	return run_command(argc, argv, 0);
}

static int
exec_remind(int argc, char **argv)
{
	return run_command(argc, argv, 1);
}

#define SMTP_HELP \
	"  --url URL             the address voters reach 'teller serve' at\n" \
	"                        (https://vote.example.org); links point there\n" \
	"  --smtp URL            the SMTP server: smtps://HOST[:PORT] (TLS) or\n" \
	"                        smtp://HOST[:PORT] (STARTTLS, required but\n" \
	"                        to a loopback host)\n" \
	"  --from ADDRESS        the sender\n" \
	"  --smtp-user USER      log in to the server as USER, with the\n" \
	"  --smtp-password-file FILE  password in FILE\n" \
	"  --insecure-smtp       allow plain SMTP without TLS to any host\n" \
	"  --print               print the messages instead of sending them\n" \
	"  --template FILE       the message: a first line \"Subject: ...\", an\n" \
	"                        empty line, the text; {title} {election}\n" \
	"                        {name} {voter} {link} {opens} {closes}\n" \
	"                        {authority_key_id} stand for their values\n" \
	"  --voter ID            only to this voter (repeat for more)\n"

const struct cli_command cmd_invite = {
	"invite", NULL, "ID",
	"E-mail voters their enrolment link, or (--voting-open) the voting "
	"link.",
	"Without --voting-open: gives each voter of the draft election ID who\n"
	"has an e-mail address and no key a one-time link to the voting page,\n"
	"which makes the voter's key in the browser (or loads a key file) and\n"
	"registers its public key.  A new link replaces the voter's earlier one.\n"
	"A link works once, until --valid-for has passed, and no longer than\n"
	"the roll is open: it freezes at 'election open' (or 'election\n"
	"publish'), which refuses while a voter has no key.  Only a hash of\n"
	"each link's token is stored.  With --print the links are made all the\n"
	"same (and work): print them to deliver them another way.\n\n"
	"With --voting-open: tells each voter with an e-mail address of the\n"
	"open election ID the voting link, the dates, and the authority's key\n"
	"id.\n\n"
	"Options:\n"
	"  --voting-open         send the notice that voting is open\n"
	"  --valid-for DURATION  how long enrolment links work: 7d (the\n"
	"                        default), 36h, 90m\n"
	SMTP_HELP
	"  {expires} is the time an enrolment link expires.\n\n"
	"A message that cannot be sent is reported, the others go on; the exit\n"
	"status is then 3.  Messages are plain UTF-8 text.\n",
	exec_invite,
};

const struct cli_command cmd_remind = {
	"remind", NULL, "ID",
	"E-mail a reminder to the voters of ID who have not voted yet.",
	"Goes to each voter with an e-mail address of the open election ID who\n"
	"is not in its turnout ('teller turnout ID'), before the election\n"
	"closes.\n\n"
	"Options:\n"
	SMTP_HELP
	"\nA message that cannot be sent is reported, the others go on; the exit\n"
	"status is then 3.\n",
	exec_remind,
};
