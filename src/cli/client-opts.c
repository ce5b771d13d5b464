/*
 * client-opts.c: --server, --cacert and a pinned --manifest, for every
 * command that is a teller server's client (client-opts.h).
 */
#include <config.h>

#include <stdlib.h>

#include "cli.h"
#include "client-opts.h"
#include "teller/envelope.h"
#include "teller/log.h"
#include "teller/util.h"

int
cli_client_option(int opt, const char *arg, void *ctx)
{
	struct cli_client *c = ctx;

	switch (opt) {
	case 'S':
		c->server.url = arg;
		return 0;
	case 'C':
		c->server.ca_file = arg;
		return 0;
	default:
		return EXIT_USAGE;
	}
}

int
cli_client_setup(struct cli_client *c, const char *manifest)
{
	struct tl_error err;

	if (manifest != NULL && c->server.url == NULL)
		return cli_usage_error("--manifest pins the manifest a server's "
		    "answers are checked with; it goes with --server");
	if (c->server.ca_file != NULL && c->server.url == NULL)
		return cli_usage_error("--cacert names whom to trust for an "
		    "https server; it goes with --server");
	if (manifest == NULL)
		return 0;
	tl_error_clear(&err);
	if (tl_read_file(manifest, TL_ENVELOPE_MAX_DEFAULT, &c->pinned,
	    &c->pinned_len, &err) != TL_OK)
		return cli_fail(&err);
	return 0;
}

void
cli_client_free(struct cli_client *c)
{
	free(c->pinned);
	c->pinned = NULL;
	c->pinned_len = 0;
}

int
cli_source_open(const struct cli_client *c, struct cli_source *src)
{
	int status = 0;

	src->server = NULL;
	src->store = NULL;
	if (c->server.url != NULL)
		src->server = &c->server;
	else if ((src->store = cli_open_store(CLI_STORE_WRITE, &status)) ==
	    NULL)
		return status;
	return 0;
}

void
cli_source_close(struct cli_source *src)
{
	tl_store_close(src->store);
	src->store = NULL;
}

int
cli_source_log_entry(const struct cli_source *src, const char *election,
    uint64_t index, char **entry, size_t *len, struct tl_error *err)
{
	if (src->server != NULL)
		return tl_client_log_entry(src->server, election, index, entry,
		    len, err);
	return tl_log_entry(src->store, election, index, entry, len, NULL,
	    err);
}
