/*
 * cmd-serve.c: teller serve: run the HTTP server for voters and observers
 * (src/server/, doc/http-api.md) until SIGTERM or SIGINT.
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "../server/server.h"
#include "teller/util.h"

static int
serve_option(int opt, const char *arg, void *ctx)
{
	struct server_config *config = ctx;
	int64_t n;

	switch (opt) {
	case 'l':
		config->listen = arg;
		return 0;
	case 'b':
		if (tl_parse_int64(arg, 1024, 64 * 1024 * 1024, &n) != TL_OK)
			return cli_usage_error("--max-body: \"%s\" is not a "
			    "number of bytes from 1024 to 67108864", arg);
		config->max_body = (size_t)n;
		return 0;
	case 't':
		if (tl_parse_int64(arg, 1, 1024, &n) != TL_OK)
			return cli_usage_error("--threads: \"%s\" is not a "
			    "number from 1 to 1024", arg);
		config->threads = (unsigned)n;
		return 0;
	case 'e':
		if (tl_parse_int64(arg, 0, 100000, &n) != TL_OK)
			return cli_usage_error("--enrol-limit: \"%s\" is not a "
			    "number from 0 to 100000", arg);
		config->enrol_limit = (unsigned)n;
		return 0;
	case 'p':
		if (tl_parse_int64(arg, 0, 1000000, &n) != TL_OK)
			return cli_usage_error("--max-per-client: \"%s\" is not a "
			    "number from 0 (no limit) to 1000000", arg);
		config->max_per_client = (unsigned)n;
		return 0;
	case 'T':
		if (tl_parse_int64(arg, 1, 86400, &n) != TL_OK)
			return cli_usage_error("--request-timeout: \"%s\" is not "
			    "a number of seconds from 1 to 86400", arg);
		config->request_timeout = (unsigned)n;
		return 0;
	case 'c':
		config->tls_cert = arg;
		return 0;
	case 'k':
		config->tls_key = arg;
		return 0;
	default:
		return EXIT_USAGE;
	}
}

static int
exec_serve(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"listen", required_argument, NULL, 'l'},
		{"max-body", required_argument, NULL, 'b'},
		{"threads", required_argument, NULL, 't'},
		{"max-per-client", required_argument, NULL, 'p'},
		{"request-timeout", required_argument, NULL, 'T'},
		{"tls-cert", required_argument, NULL, 'c'},
		{"tls-key", required_argument, NULL, 'k'},
		{"enrol-limit", required_argument, NULL, 'e'},
		{NULL, 0, NULL, 0},
	};
	struct server_config config = {
		.listen = SERVER_DEFAULT_LISTEN,
		.max_body = SERVER_DEFAULT_MAX_BODY,
		.enrol_limit = SERVER_DEFAULT_ENROL_LIMIT,
		.max_per_client = SERVER_DEFAULT_MAX_PER_CLIENT,
		.request_timeout = SERVER_DEFAULT_REQUEST_TIMEOUT,
		.now = cli_now,
	};
	struct tl_error err;
	int first, status;

	if ((status = cli_parse(argc, argv, "", longopts, serve_option,
	    &config, &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 0, 0)) != 0)
		return status;
	config.db_path = cli.db_path;
	config.key_file = cli.key_file;
	config.passphrase_file = cli.passphrase_file;
	tl_error_clear(&err);
	if (server_run(&config, &err) != TL_OK)
		return cli_fail(&err);
	return 0;
}

const struct cli_command cmd_serve = {
	"serve", NULL, "[--listen ADDR:PORT] [--tls-cert FILE --tls-key FILE]",
	"Serve voters and observers over HTTP until SIGTERM or SIGINT.",
	"Routes (JSON; doc/http-api.md describes each):\n"
	"  GET  /v1/elections                      the elections\n"
	"  GET  /v1/elections/ID                   state, window, signed manifest\n"
	"  POST /v1/elections/ID/ballots           cast a signed ballot: 201 and\n"
	"                                          the receipt once it is durable\n"
	"  GET  /v1/elections/ID/tree-head         the latest signed tree head\n"
	"  GET  /v1/elections/ID/log?start=&end=   log entries\n"
	"  GET  /v1/elections/ID/proof/inclusion?hash=&size=\n"
	"  GET  /v1/elections/ID/proof/consistency?first=&second=\n"
	"  GET  /v1/elections/ID/results           the result, once counted\n"
	"  GET  /v1/elections/ID/record            the public record (JSON Lines)\n"
	"  GET  /v1/elections/ID/voters/VOTER      a voter of the frozen roll\n"
	"  POST /v1/elections/ID/enrol/check       whom an enrolment link enrols\n"
	"  POST /v1/elections/ID/enrol             register a voter's new key\n"
	"  GET  /healthz, GET /metrics (Prometheus)\n"
	"The voting page (HTML, CSS and JavaScript built into teller):\n"
	"  GET  /vote/ID                           vote in election ID\n"
	"  GET  /enrol/ID                          make a key, from an enrolment\n"
	"                                          link ('teller invite')\n"
	"Nothing served changes an election's definition or state: that is the\n"
	"CLI's, on this host; a voter's page may register the voter's key while\n"
	"the roll is open.  Ballots that arrive together are committed in\n"
	"one transaction (one fsync), each getting its receipt after it.  One\n"
	"line per request goes to stderr.  SIGTERM or SIGINT stops the server\n"
	"once every request it has begun is answered.  $TELLER_NOW sets the\n"
	"server's clock, as for every command.\n\n"
	"Options:\n"
	"  --listen ADDR:PORT  where to listen (default 127.0.0.1:8080; [::1]:PORT\n"
	"                      for IPv6; port 0 picks a free one)\n"
	"  --max-body BYTES    refuse request bodies over this with 413\n"
	"                      (default 65536)\n"
	"  --threads N         request threads (default: twice the cores)\n"
	"  --enrol-limit N     enrolment attempts one address may make at once;\n"
	"                      one more comes back every 600/N seconds\n"
	"                      (default 20; 0: no limit)\n"
	"  --max-per-client N  connections at once from one client address\n"
	"                      (default 32; 0: no limit); more are closed at\n"
	"                      once.  Behind a reverse proxy every connection\n"
	"                      comes from the proxy: raise it, or 0\n"
	"  --request-timeout SECONDS\n"
	"                      the time a connection has to send a whole\n"
	"                      request, from its opening or its previous\n"
	"                      answer (default 30); a slower one is closed\n"
	"  --tls-cert FILE     serve HTTPS (TLS 1.2 and 1.3) with this PEM\n"
	"                      certificate, its chain after it\n"
	"  --tls-key FILE      the certificate's PEM private key (unencrypted)\n"
	"Without them the server speaks plain HTTP: on a loopback address, or\n"
	"behind a reverse proxy that does TLS (doc/operations.md).  The files\n"
	"are read once at start: restart the server for a new certificate.\n",
	exec_serve,
};
