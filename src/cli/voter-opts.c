/*
 * voter-opts.c: --key, --voter, --envelope and -o, for every command a
 * voter signs with (voter-opts.h).
 */
#include <config.h>

#include <string.h>

#include "cli.h"
#include "voter-opts.h"

int
cli_voter_option(int opt, const char *arg, void *ctx)
{
	struct cli_voter *v = ctx;

	switch (opt) {
	case 'k':
		v->key = arg;
		return 0;
	case 'V':
		v->id = arg;
		return 0;
	case 'e':
		v->envelope = arg;
		return 0;
	case 'o':
		v->output = arg;
		return 0;
	default:
		return EXIT_USAGE;
	}
}

int
cli_voter_check(const struct cli_voter *v, const char *what,
    const char *option, int given, int nleft, int operands)
{
	int status;

	if (v->envelope != NULL) {
		if (v->key != NULL || v->id != NULL || given)
			return cli_usage_error("--envelope records %s signed "
			    "elsewhere; give it alone", what);
		return cli_operands(nleft, 0, 0);
	}
	if ((status = cli_operands(nleft, operands, operands)) != 0)
		return status;
	if (v->key == NULL || v->id == NULL || (option != NULL && !given))
		return cli_usage_error("%s%s--key and --voter are required",
		    option != NULL ? option : "", option != NULL ? ", " : "");
	return 0;
}

int
cli_voter_statement(const struct cli_voter *v, size_t max,
    int (*make)(void *ctx, const char *voter, const struct tl_key *key,
    char **text, struct tl_error *err), void *ctx, char **text, size_t *len,
    struct tl_error *err)
{
	struct tl_key *key = NULL;
	int r;

	if (v->envelope != NULL)
		return cli_read_file(v->envelope, max, text, len, err);
	if ((r = tl_key_load_private(v->key, &key, err)) == TL_OK &&
	    (r = make(ctx, v->id, key, text, err)) == TL_OK)
		*len = strlen(*text);
	tl_key_free(key);
	return r;
}
