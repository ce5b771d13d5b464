/*
 * voter-opts.h: the options of the commands a voter signs with: --key
 * FILE (the voter's private roll key), --voter ID, -o FILE (where what is
 * signed goes) and, for the statements a voter may sign elsewhere and
 * hand in (a petition's endorsement, a challenge), --envelope FILE.
 * ballot make, credential request, petition endorse and challenge file
 * parse them here, and the last two check them and read or make their
 * statement here, with one set of messages.
 *
 * A command embeds a struct cli_voter in its options (zeroed), puts
 * CLI_VOTER_LONGOPTS (and the {"envelope", ..., 'e'} and {"output", ...,
 * 'o'} entries it takes) in its getopt_long table and hands the options
 * its own cli_parse handler does not take to cli_voter_option.  The
 * strings are borrowed from argv.
 */
#ifndef TELLER_CLI_VOTER_OPTS_H
#define TELLER_CLI_VOTER_OPTS_H

#include <stddef.h>

#include "teller/crypto.h"
#include "teller/error.h"

struct cli_voter {
	const char *key;      /* --key FILE: the voter's private key */
	const char *id;       /* --voter ID: the voter's id on the roll */
	const char *envelope; /* --envelope FILE: signed elsewhere */
	const char *output;   /* -o, --output FILE */
};

/* The getopt_long entries of --key FILE and --voter ID. */
#define CLI_VOTER_LONGOPTS \
	{"key", required_argument, NULL, 'k'}, \
	{"voter", required_argument, NULL, 'V'}

/* A cli_parse handler whose ctx is a struct cli_voter: takes --key ('k'),
 * --voter ('V'), --envelope ('e') and --output ('o'); any other option is
 * EXIT_USAGE. */
int cli_voter_option(int opt, const char *arg, void *ctx);

/*
 * Checks, after cli_parse, the options of a statement a voter signs
 * (`what`: "an endorsement"): --envelope alone, with no operand and no
 * --key, --voter or the command's own option `option` ("--text", or
 * NULL for none; `given` says whether it was given); else `operands`
 * operands (nleft is the number there are) with --key, --voter and
 * `option`.  Returns 0, or EXIT_USAGE after saying why.
 */
int cli_voter_check(const struct cli_voter *v, const char *what,
    const char *option, int given, int nleft, int operands);

/*
 * The statement: the text of --envelope's file (at most max bytes), or,
 * without --envelope, made by make(ctx, voter id, voter's key) from the
 * key file of --key.  *text (the caller's to free) and *len are set on
 * success; else the error is in err.
 */
int cli_voter_statement(const struct cli_voter *v, size_t max,
    int (*make)(void *ctx, const char *voter, const struct tl_key *key,
    char **text, struct tl_error *err), void *ctx, char **text, size_t *len,
    struct tl_error *err);

#endif
