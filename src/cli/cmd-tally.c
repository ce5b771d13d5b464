/*
 * cmd-tally.c: teller tally: count a closed election and show its result.
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "teller/election.h"
#include "teller/report.h"
#include "teller/util.h"

struct tally_options {
	const char *format;
	const char *contest;
};

static int
tally_option(int opt, const char *arg, void *ctx)
{
	struct tally_options *o = ctx;

	if (opt == 'f' || opt == 'j') {
		o->format = opt == 'j' ? "json" : arg;
		return 0;
	}
	if (opt == 'c') {
		o->contest = arg;
		return 0;
	}
	return EXIT_USAGE;
}

/* The report of one contest of a result: the one named, or the only one. */
static const json_t *
pick_contest(const json_t *result, const char *contest)
{
	const json_t *contests = json_object_get(result, "contests");
	size_t i;
	json_t *c;

	if (contest == NULL) {
		if (json_array_size(contests) == 1)
			return json_array_get(contests, 0);
		cli_error("the election has %zu contests; name one with "
		    "--contest", json_array_size(contests));
		return NULL;
	}
	json_array_foreach(contests, i, c)
		if (strcmp(json_string_value(json_object_get(c, "contest")),
		    contest) == 0)
			return c;
	cli_error("the election has no contest %s", contest);
	return NULL;
}

/* The certification state in words, from the election's show document. */
static void
certification_words(const json_t *show, char *out, size_t size)
{
	const char *state = json_string_value(json_object_get(show, "state"));
	const char *certified = json_string_value(json_object_get(show,
	    "certified_at"));
	const char *final = json_string_value(json_object_get(show,
	    "final_at"));

	if (state != NULL && strcmp(state, "final") == 0)
		snprintf(out, size, "final since %s (certified at %s)",
		    final != NULL ? final : "-", certified != NULL ? certified :
		    "-");
	else if (state != NULL && strcmp(state, "certified") == 0)
		snprintf(out, size, "certified at %s; not final yet",
		    certified != NULL ? certified : "-");
	else
		snprintf(out, size, "not certified yet (%s)", state != NULL ?
		    state : "-");
}

/* --format html: the whole election, or one contest, as a page headed
 * with the election's id, title, manifest hash, close time and
 * certification state. */
static int
write_html(struct tl_store *store, const char *id, const json_t *result,
    const char *contest)
{
	struct tl_report_page page;
	struct tl_error err;
	struct tl_buf buf;
	const json_t *report = NULL;
	json_t *show = NULL;
	char certification[160];
	int status = 0, r;

	if (contest != NULL && (report = pick_contest(result, contest)) ==
	    NULL)
		return EXIT_USAGE;
	tl_error_clear(&err);
	if (tl_election_show(store, id, &show, &err) != TL_OK)
		return cli_fail(&err);
	certification_words(show, certification, sizeof(certification));
	page.election = json_string_value(json_object_get(show, "id"));
	page.title = json_string_value(json_object_get(show, "title"));
	page.manifest_hash = json_string_value(json_object_get(result,
	    "manifest"));
	page.closed = json_string_value(json_object_get(show, "closed_at"));
	page.certification = certification;
	tl_buf_init(&buf, 64 * 1024 * 1024);
	r = report != NULL ? tl_report_contest_html(report, &page, &buf) :
	    tl_report_result_html(result, &page, &buf);
	if (r != TL_OK) {
		cli_error("cannot render the result");
		status = EXIT_INTERNAL;
	} else if (fputs(buf.data, stdout) == EOF || fflush(stdout) != 0) {
		cli_error("cannot write to standard output");
		status = EXIT_INTERNAL;
	}
	tl_buf_free(&buf);
	json_decref(show);
	return status;
}

/* --format blt: the counted ballots of one contest. */
static int
write_blt(struct tl_store *store, const char *id, const char *contest)
{
	struct tl_error err;
	struct tl_buf buf;
	int status = 0;

	tl_error_clear(&err);
	tl_buf_init(&buf, SIZE_MAX / 2);
	if (tl_election_contest_blt(store, id, contest, &buf, &err) != TL_OK)
		status = cli_fail(&err);
	else if (fputs(buf.data, stdout) == EOF || fflush(stdout) != 0) {
		cli_error("cannot write to standard output");
		status = EXIT_INTERNAL;
	}
	tl_buf_free(&buf);
	return status;
}

/* The database, read-only unless this tally counts the election (it is
 * closed: the count is signed, logged and stored). */
static struct tl_store *
open_for_tally(const char *id, int *status)
{
	struct tl_store *store = cli_open_store(CLI_STORE_READ, status);
	char *state = NULL;

	if (store != NULL && tl_election_state(store, id, &state, NULL) ==
	    TL_OK && strcmp(state, "closed") == 0) {
		tl_store_close(store);
		store = cli_open_store(CLI_STORE_WRITE, status);
	}
	free(state);
	return store;
}

static int
exec_tally(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"json", no_argument, NULL, 'j'},
		{"contest", required_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	struct tally_options o = {"text", NULL};
	struct tl_store *store = NULL;
	struct tl_error err;
	struct tl_buf buf;
	json_t *result = NULL;
	int first, status;

	if ((status = cli_parse(argc, argv, "f:c:", longopts, tally_option,
	    &o, &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 1, 1)) != 0)
		return status;
	if (strcmp(o.format, "text") != 0 && strcmp(o.format, "json") != 0 &&
	    strcmp(o.format, "html") != 0 && strcmp(o.format, "blt") != 0)
		return cli_usage_error("--format must be text, json, html or "
		    "blt");
	if ((store = open_for_tally(argv[first], &status)) == NULL)
		return status;
	if (strcmp(o.format, "blt") == 0) {
		status = write_blt(store, argv[first], o.contest);
		goto out;
	}
	tl_error_clear(&err);
	if (tl_election_tally(store, argv[first], cli_now(), &result, &err) !=
	    TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	if (strcmp(o.format, "json") == 0) {
		status = cli_print_json(result);
		goto out;
	}
	if (strcmp(o.format, "html") == 0) {
		status = write_html(store, argv[first], result, o.contest);
		goto out;
	}
	tl_buf_init(&buf, 64 * 1024 * 1024);
	if (tl_report_result_text(result, &buf) != TL_OK) {
		cli_error("cannot render the result");
		status = EXIT_INTERNAL;
	} else if (fputs(buf.data, stdout) == EOF || fflush(stdout) != 0) {
		cli_error("cannot write to standard output");
		status = EXIT_INTERNAL;
	} else {
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
	"  -f, --format FORMAT  text (default: every round of every contest),\n"
	"                       json (per contest: winners, rounds, votes; and\n"
	"                       turnout), html (one self-contained page: every\n"
	"                       contest with its charts and the turnout, or\n"
	"                       with --contest that contest alone; headed with\n"
	"                       the election, its manifest hash, close time\n"
	"                       and certification state) or blt (one\n"
	"                       contest's counted ballots as a BLT file, for\n"
	"                       other counting programs)\n"
	"  -c, --contest C      the contest, for html (one contest's page) and\n"
	"                       blt (needed when the election has several)\n"
	"  --json               same as --format json\n",
	exec_tally,
};
