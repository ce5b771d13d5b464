/*
 * cmd-turnout.c: teller turnout: which eligible voters voted, per
 * constituency, from the election's log.
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "teller/turnout.h"
#include "teller/util.h"

static int
turnout_option(int opt, const char *arg, void *ctx)
{
	static const char *const formats[] = {"text", "json", "csv", NULL};

	if (opt != 'f')
		return EXIT_USAGE;
	return cli_format_choice(arg, formats, ctx);
}

static int
exec_turnout(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	const char *format = "text";
	struct tl_store *store = NULL;
	struct tl_error err;
	struct tl_buf buf;
	json_t *doc = NULL;
	int first, status;

	if ((status = cli_parse(argc, argv, "", longopts, turnout_option,
	    &format, &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 1, 1)) != 0)
		return status;
	if ((store = cli_open_store(CLI_STORE_READ, &status)) == NULL)
		return status;
	tl_error_clear(&err);
	tl_buf_init(&buf, SIZE_MAX / 2);
	if (tl_election_turnout(store, argv[first], &doc, &err) != TL_OK ||
	    tl_turnout_render(doc, format, &buf, &err) != TL_OK)
		status = cli_fail(&err);
	else if (fputs(buf.data, stdout) == EOF || fflush(stdout) != 0) {
		cli_error("cannot write to standard output");
		status = EXIT_INTERNAL;
	} else
		status = 0;
	tl_buf_free(&buf);
	json_decref(doc);
	tl_store_close(store);
	return status;
}

const struct cli_command cmd_turnout = {
	"turnout", NULL, "ID [--format text|json|csv]",
	"Show which eligible voters voted, per constituency.",
	"Per constituency: the voters on the roll, whether each voted (by name,\n"
	"as the Internet Society publishes it), and the share that voted by\n"
	"head and by weight.  It comes from the public log alone (the roll and\n"
	"the accepted ballots), so an observer gets the same figures from an\n"
	"exported record with 'teller verify --turnout'.\n\n"
	"Options:\n"
	"  --format F   text (default), json, or csv (one line per voter:\n"
	"               constituency,voter_id,name,weight,voted)\n",
	exec_turnout,
};
