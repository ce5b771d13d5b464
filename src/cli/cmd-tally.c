/*
 * cmd-tally.c: teller tally: count a closed election and show its result.
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "teller/election.h"
#include "teller/report.h"
#include "teller/util.h"

static int
tally_option(int opt, const char *arg, void *ctx)
{
	const char **format = ctx;

	if (opt == 'f' || opt == 'j') {
		*format = opt == 'j' ? "json" : arg;
		return 0;
	}
	return EXIT_USAGE;
}

static int
exec_tally(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	const char *format = "text";
	struct tl_store *store = NULL;
	struct tl_error err;
	struct tl_buf buf;
	json_t *result = NULL;
	int first, status;

	if ((status = cli_parse(argc, argv, "f:", longopts, tally_option,
	    &format, &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 1, 1)) != 0)
		return status;
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
		return cli_usage_error("--format must be text or json");
	if ((store = cli_open_store(0, &status)) == NULL)
		return status;
	tl_error_clear(&err);
	if (tl_election_tally(store, argv[first], cli_now(), &result, &err) !=
	    TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	if (strcmp(format, "json") == 0) {
		status = cli_print_json(result);
		goto out;
	}
	tl_buf_init(&buf, 64 * 1024 * 1024);
	if (tl_report_result_text(result, &buf) != TL_OK) {
		cli_error("cannot render the result");
		status = EXIT_INTERNAL;
	} else {
		fputs(buf.data, stdout);
		status = 0;
	}
	tl_buf_free(&buf);
 out:
	json_decref(result);
	tl_store_close(store);
	return status;
}

const struct cli_command cmd_tally = {
	"tally", NULL, "ID",
	"Count a closed election (once) and show the result.",
	"The first tally of a closed election counts every contest from the\n"
	"election's own log (the ballots that the revote policy counts), signs\n"
	"the result, appends it to the log and marks the election counted;\n"
	"later tallies show the stored result.  The result is also in the\n"
	"tables results, result_rounds and result_winners for SQL queries.\n\n"
	"Options:\n"
	"  -f, --format FORMAT  text (default) or json (per contest: winners,\n"
	"                       rounds, votes; and turnout)\n"
	"  --json               same as --format json\n",
	exec_tally,
};
