/*
 * cmd-webhook.c: teller webhook add|list|remove|deliver|test: the
 * endpoints that are told of an election's life, and the delivery loop.
 * A secret is read from a file, stored in the database, and never printed.
 */
#include <config.h>

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "teller/crypto.h"
#include "teller/util.h"
#include "teller/webhook.h"

struct webhook_opts {
	const char *election;
	int all;
	const char *secret_file;
	const char *events;
	int json;
	int once;
	long timeout_ms;
	long connect_timeout_ms;
};

/* A whole number of seconds in [1, 3600] as milliseconds. */
static int
seconds_option(const char *name, const char *arg, long *ms)
{
	int64_t s;

	if (tl_parse_int64(arg, 1, 3600, &s) != TL_OK)
		return cli_usage_error("%s: \"%s\" is not a whole number of "
		    "seconds from 1 to 3600", name, arg);
	*ms = (long)s * 1000;
	return 0;
}

static int
webhook_option(int opt, const char *arg, void *ctx)
{
	struct webhook_opts *o = ctx;

	switch (opt) {
	case 'e':
		o->election = arg;
		return 0;
	case 'a':
		o->all = 1;
		return 0;
	case 's':
		o->secret_file = arg;
		return 0;
	case 'E':
		o->events = arg;
		return 0;
	case 'j':
		o->json = 1;
		return 0;
	case '1':
		o->once = 1;
		return 0;
	case 't':
		return seconds_option("--timeout", arg, &o->timeout_ms);
	case 'c':
		return seconds_option("--connect-timeout", arg,
		    &o->connect_timeout_ms);
	default:
		return EXIT_USAGE;
	}
}

/* Parses options and between min and max operands; opens the store. */
static int
setup(int argc, char **argv, const struct option *longopts,
    struct webhook_opts *o, int min, int max, int *first,
    struct tl_store **store)
{
	int status;

	if ((status = cli_parse(argc, argv, NULL, longopts, webhook_option, o,
	    first)) >= 0)
		return status;
	if ((status = cli_operands(argc - *first, min, max)) != 0)
		return status;
	if ((*store = cli_open_store(0, &status)) == NULL)
		return status;
	return -1;
}

/* An endpoint id operand. */
static int
endpoint_id(const char *arg, int64_t *id)
{
	if (tl_parse_int64(arg, 1, INT64_MAX, id) != TL_OK)
		return cli_usage_error("\"%s\" is not an endpoint id (a number "
		    "from 'teller webhook list')", arg);
	return 0;
}

/* The secret: the file's bytes less trailing line ends (*out, wiped and
 * freed by the caller with tl_wipe_free). */
static int
read_secret(const char *path, char **out, size_t *len)
{
	struct tl_error err;
	char *text = NULL;
	size_t n = 0;

	tl_error_clear(&err);
	if (cli_read_file(path, TL_WEBHOOK_SECRET_MAX + 2, &text, &n, &err) !=
	    TL_OK)
		return cli_fail(&err);
	*out = text;
	*len = n;
	return 0;
}

static int
exec_add(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"election", required_argument, NULL, 'e'},
		{"all", no_argument, NULL, 'a'},
		{"secret-file", required_argument, NULL, 's'},
		{"events", required_argument, NULL, 'E'},
		{NULL, 0, NULL, 0},
	};
	struct webhook_opts o = {0};
	struct tl_store *store = NULL;
	struct tl_error err;
	char *secret = NULL;
	size_t len = 0;
	int64_t id = 0;
	int first, status;

	if ((status = setup(argc, argv, longopts, &o, 1, 1, &first, &store)) >=
	    0)
		return status;
	if ((o.election != NULL) == o.all) {
		status = cli_usage_error("give either --election ID or --all");
		goto out;
	}
	if (o.secret_file == NULL) {
		status = cli_usage_error("--secret-file FILE is required (make "
		    "one with: openssl rand -hex 32 > FILE)");
		goto out;
	}
	if ((status = read_secret(o.secret_file, &secret, &len)) != 0)
		goto out;
	tl_error_clear(&err);
	if (tl_webhook_add(store, argv[first], o.election, o.events, secret,
	    len, cli_now(), &id, &err) != TL_OK) {
		if (err.code == TL_EINPUT && strstr(err.message, "secret") !=
		    NULL)
			tl_error_prefix(&err, "%s", o.secret_file);
		status = cli_fail(&err);
		goto out;
	}
	printf("%lld\n", (long long)id);
	status = 0;
 out:
	tl_wipe_free(secret);
	tl_store_close(store);
	return status;
}

static void
print_endpoints(const json_t *list)
{
	const json_t *item, *events;
	size_t i;

	if (json_array_size(list) == 0) {
		printf("No webhook endpoints.  Add one with 'teller webhook add "
		    "URL --all --secret-file FILE'.\n");
		return;
	}
	json_array_foreach(list, i, item) {
		char *names = NULL;

		events = json_object_get(item, "events");
		if (json_is_array(events))
			names = json_dumps(events, JSON_COMPACT);
		printf("%" JSON_INTEGER_FORMAT "  %s\n",
		    json_integer_value(json_object_get(item, "id")),
		    cli_str_or(item, "url", "?"));
		printf("   election: %s   events: %s\n",
		    cli_str_or(item, "election", "all"),
		    names != NULL ? names : "all");
		printf("   pending: %" JSON_INTEGER_FORMAT "   delivered: %"
		    JSON_INTEGER_FORMAT "   failed: %" JSON_INTEGER_FORMAT
		    "   next attempt: %s\n",
		    json_integer_value(json_object_get(item, "pending")),
		    json_integer_value(json_object_get(item, "delivered")),
		    json_integer_value(json_object_get(item, "failed")),
		    cli_str_or(item, "next_attempt", "-"));
		printf("   last delivery: %s\n",
		    cli_str_or(item, "last_delivery", "never"));
		if (json_is_string(json_object_get(item, "last_error")))
			printf("   last error: %s (at %s)\n",
			    cli_str_or(item, "last_error", ""),
			    cli_str_or(item, "last_error_at", "?"));
		free(names);
	}
}

static int
exec_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct webhook_opts o = {0};
	struct tl_store *store = NULL;
	struct tl_error err;
	json_t *list = NULL;
	int first, status;

	if ((status = setup(argc, argv, longopts, &o, 0, 0, &first, &store)) >=
	    0)
		return status;
	tl_error_clear(&err);
	if (tl_webhook_list(store, &list, &err) != TL_OK)
		status = cli_fail(&err);
	else if (o.json)
		status = cli_print_json(list);
	else {
		print_endpoints(list);
		status = 0;
	}
	json_decref(list);
	tl_store_close(store);
	return status;
}

static int
exec_remove(int argc, char **argv)
{
	struct webhook_opts o = {0};
	struct tl_store *store = NULL;
	struct tl_error err;
	int64_t id = 0;
	int first, status;

	if ((status = setup(argc, argv, NULL, &o, 1, 1, &first, &store)) >= 0)
		return status;
	tl_error_clear(&err);
	if ((status = endpoint_id(argv[first], &id)) == 0) {
		if (tl_webhook_remove(store, id, &err) != TL_OK)
			status = cli_fail(&err);
		else
			printf("Removed webhook endpoint %lld.\n", (long long)id);
	}
	tl_store_close(store);
	return status;
}

/* --- delivery ------------------------------------------------------------- */

static volatile sig_atomic_t stop_requested;

static void
on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct delivery_ctx {
	const char *watch;      /* an event id whose outcome to keep */
	int watched_outcome;    /* -1 until it is attempted */
	char watched_error[320];
};

static int64_t
clock_now(void *ctx)
{
	(void)ctx;
	return cli_now();
}

static int
should_stop(void *ctx)
{
	(void)ctx;
	return stop_requested;
}

static void
print_attempt(void *ctx, const struct tl_webhook_attempt *a)
{
	struct delivery_ctx *d = ctx;
	char when[TL_TIME_LEN];

	switch (a->outcome) {
	case TL_WEBHOOK_DELIVERED:
		printf("delivered %s %s to endpoint %lld (HTTP %ld)\n",
		    a->event_type, a->event_id, (long long)a->endpoint_id,
		    a->http_status);
		break;
	case TL_WEBHOOK_RETRY:
		tl_time_format(a->next_attempt, when);
		printf("not delivered %s %s to endpoint %lld (attempt %lld): %s; "
		    "next attempt at %s\n", a->event_type, a->event_id,
		    (long long)a->endpoint_id, (long long)a->attempt, a->error,
		    when);
		break;
	case TL_WEBHOOK_FAILED:
		printf("failed %s %s to endpoint %lld after %lld attempts over "
		    "24 hours: %s; given up\n", a->event_type, a->event_id,
		    (long long)a->endpoint_id, (long long)a->attempt, a->error);
		break;
	}
	fflush(stdout);
	if (d->watch != NULL && strcmp(d->watch, a->event_id) == 0) {
		d->watched_outcome = (int)a->outcome;
		snprintf(d->watched_error, sizeof(d->watched_error), "%s",
		    a->error != NULL ? a->error : "");
	}
}

/* Runs the delivery loop with the command's options. */
static int
deliver(struct tl_store *store, const struct webhook_opts *o,
    int64_t endpoint, int until_stopped, struct delivery_ctx *d,
    struct tl_webhook_summary *summary)
{
	struct tl_webhook_options options;
	struct sigaction sa, old_int, old_term;
	struct tl_error err;
	int r;

	tl_webhook_options_init(&options);
	if (o->timeout_ms > 0)
		options.timeout_ms = o->timeout_ms;
	if (o->connect_timeout_ms > 0)
		options.connect_timeout_ms = o->connect_timeout_ms;
	options.endpoint_id = endpoint;
	options.until_stopped = until_stopped;
	options.now = clock_now;
	options.should_stop = should_stop;
	options.on_attempt = print_attempt;
	options.ctx = d;

	/* A receiver that hangs up must not kill teller. */
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	stop_requested = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	tl_error_clear(&err);
	r = tl_webhook_deliver(store, &options, summary, &err);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return r == TL_OK ? 0 : cli_fail(&err);
}

static const struct option delivery_options[] = {
	{"once", no_argument, NULL, '1'},
	{"timeout", required_argument, NULL, 't'},
	{"connect-timeout", required_argument, NULL, 'c'},
	{NULL, 0, NULL, 0},
};

static int
exec_deliver(int argc, char **argv)
{
	struct webhook_opts o = {0};
	struct delivery_ctx d = {NULL, -1, ""};
	struct tl_webhook_summary summary = {0, 0, 0};
	struct tl_store *store = NULL;
	int first, status;

	if ((status = setup(argc, argv, delivery_options, &o, 0, 0, &first,
	    &store)) >= 0)
		return status;
	if (!o.once) {
		printf("Delivering webhook events; stop with Ctrl-C.\n");
		fflush(stdout);
	}
	status = deliver(store, &o, 0, !o.once, &d, &summary);
	if (status == 0)
		printf("%zu delivered, %zu to retry later, %zu given up.\n",
		    summary.delivered, summary.retried, summary.failed);
	tl_store_close(store);
	return status;
}

static int
exec_test(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"timeout", required_argument, NULL, 't'},
		{"connect-timeout", required_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	struct webhook_opts o = {0};
	struct delivery_ctx d = {NULL, -1, ""};
	struct tl_store *store = NULL;
	struct tl_error err;
	char event[TL_WEBHOOK_EVENT_ID_LEN + 1];
	int64_t id = 0;
	int first, status;

	if ((status = setup(argc, argv, longopts, &o, 1, 1, &first, &store)) >=
	    0)
		return status;
	if ((status = endpoint_id(argv[first], &id)) != 0)
		goto out;
	tl_error_clear(&err);
	if (tl_webhook_ping(store, id, cli_now(), event, &err) != TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	d.watch = event;
	if ((status = deliver(store, &o, id, 0, &d, NULL)) != 0)
		goto out;
	if (d.watched_outcome != TL_WEBHOOK_DELIVERED) {
		cli_error("endpoint %lld: the ping %s was not delivered%s%s; "
		    "'teller webhook deliver' will try again", (long long)id,
		    event, d.watched_outcome < 0 ? "" : ": ",
		    d.watched_outcome < 0 ? " (another delivery to it is in "
		    "flight)" : d.watched_error);
		status = tl_error_exit_status(TL_ENETWORK);
	}
 out:
	tl_store_close(store);
	return status;
}

const struct cli_command cmd_webhook_add = {
	"webhook", "add",
	"URL (--election ID | --all) --secret-file FILE [--events LIST]",
	"Register an endpoint to be told of elections' events; print its id.",
	"Each event (election.opened, election.closed, result.counted,\n"
	"result.certified, webhook.ping) is POSTed to URL as JSON, signed with\n"
	"HMAC-SHA256 under the secret: see doc/webhooks.md for how a receiver\n"
	"checks it.  The secret is the file's content less its final line end:\n"
	"16 to 512 printable characters, for example from\n"
	"'openssl rand -hex 32 > FILE'.  It is kept in the database and never\n"
	"shown.  Only events after the endpoint is added are sent to it.\n\n"
	"Options:\n"
	"  --election ID       the events of election ID only\n"
	"  --all               the events of every election\n"
	"  --secret-file FILE  the shared secret\n"
	"  --events LIST       only these events (comma-separated); default all\n",
	exec_add,
};

const struct cli_command cmd_webhook_list = {
	"webhook", "list", "",
	"List the endpoints with their last delivery, last error and backlog.",
	"Options:\n"
	"  --json       print a JSON array\n",
	exec_list,
};

const struct cli_command cmd_webhook_remove = {
	"webhook", "remove", "ID",
	"Remove an endpoint and the deliveries not yet made to it.",
	"",
	exec_remove,
};

const struct cli_command cmd_webhook_deliver = {
	"webhook", "deliver", "[--once]",
	"Deliver webhook events: a loop in the foreground, or --once.",
	"Sends every event whose delivery is due, all endpoints at once, and\n"
	"records each outcome.  A receiver that does not answer 2xx in time is\n"
	"tried again after about 10 s, then 20 s, 40 s ... up to an hour\n"
	"between attempts, until 24 hours after the event; then the delivery\n"
	"is marked failed.  Without --once it runs until interrupted (Ctrl-C\n"
	"or SIGTERM), picking up new events as they are written; requests\n"
	"interrupted are sent again next time.\n\n"
	"Options:\n"
	"  --once                 deliver what is due now, then exit\n"
	"  --timeout S            give up on a request after S seconds "
	"(default 30)\n"
	"  --connect-timeout S    give up connecting after S seconds "
	"(default 10)\n",
	exec_deliver,
};

const struct cli_command cmd_webhook_test = {
	"webhook", "test", "ID",
	"Send a webhook.ping event to endpoint ID now and report the outcome.",
	"Exit status 0 if the receiver answered 2xx; otherwise the ping stays\n"
	"queued and 'teller webhook deliver' retries it.\n\n"
	"Options:\n"
	"  --timeout S            give up on the request after S seconds\n"
	"  --connect-timeout S    give up connecting after S seconds\n",
	exec_test,
};
