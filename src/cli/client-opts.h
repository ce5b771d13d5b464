/*
 * client-opts.h: the options of the commands that talk to a teller server
 * as its client (ballot cast, receipt verify|witness, roll check,
 * credential request, trustee unseal, witness run): --server URL,
 * --cacert FILE and, where the server's answers are checked against a
 * signed manifest the user already holds, --manifest FILE.  They are
 * parsed, checked and read here, with one set of messages.
 *
 * A command embeds a struct cli_client in its options (zeroed), puts
 * CLI_CLIENT_LONGOPTS in its getopt_long table, hands the options its own
 * cli_parse handler does not take to cli_client_option, and after
 * cli_parse calls cli_client_setup, then cli_client_free when it is done.
 * The strings are borrowed from argv; pinned is the struct's own.
 */
#ifndef TELLER_CLI_CLIENT_OPTS_H
#define TELLER_CLI_CLIENT_OPTS_H

#include <stddef.h>
#include <stdint.h>

#include "teller/client.h"
#include "teller/store.h"

struct cli_client {
	struct tl_client_server server; /* server.url NULL: no --server */
	char *pinned;                   /* the pinned signed manifest's text */
	size_t pinned_len;              /* (after cli_client_setup), or NULL */
};

/* The getopt_long entries of --server URL and --cacert FILE. */
#define CLI_CLIENT_LONGOPTS \
	{"server", required_argument, NULL, 'S'}, \
	{"cacert", required_argument, NULL, 'C'}

/* A cli_parse handler whose ctx is a struct cli_client: takes --server
 * ('S') and --cacert ('C'); any other option is EXIT_USAGE. */
int cli_client_option(int opt, const char *arg, void *ctx);

/*
 * Checks, after cli_parse, that --cacert (and --manifest, if manifest is
 * not NULL) go with --server, then reads the signed manifest at the path
 * manifest (the command's --manifest, which pins the manifest the
 * server's answers are checked with) into c->pinned; the caller opens it,
 * or hands it to the client library, which does.  A command whose server
 * is required says so itself before.  Returns 0, or the exit status after
 * printing why.
 */
int cli_client_setup(struct cli_client *c, const char *manifest);

/* Frees what cli_client_setup read; c itself is the caller's. */
void cli_client_free(struct cli_client *c);

/*
 * Where a command that also runs on the authority's machine (credential
 * request, trustee unseal) finds the election: the server of --server,
 * else the local database (--db), opened for writing.  Exactly one of
 * server (borrowed from the struct cli_client) and store is set.
 */
struct cli_source {
	const struct tl_client_server *server;
	struct tl_store *store;
};

/* Opens *src from c (after cli_client_setup): 0, or the exit status after
 * printing why.  cli_source_close closes what it opened (and accepts a
 * source never opened, zeroed). */
int cli_source_open(const struct cli_client *c, struct cli_source *src);
void cli_source_close(struct cli_source *src);

/* Entry `index` of the election's log, its exact bytes (*entry
 * NUL-terminated, the caller's; unchecked), from either source. */
int cli_source_log_entry(const struct cli_source *src, const char *election,
    uint64_t index, char **entry, size_t *len, struct tl_error *err);

#endif
