/*
 * cmd-count.c: teller count: count a BLT ballot file with any method, for
 * cross-checking with other counting programs.
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "teller/blt.h"
#include "teller/count.h"
#include "teller/report.h"
#include "teller/util.h"

struct count_options {
	int method;
	int64_t seats;
	const char *seed;
	const char *format;
};

static int
count_option(int opt, const char *arg, void *ctx)
{
	struct count_options *o = ctx;

	switch (opt) {
	case 'm':
		if ((o->method = tl_method_from_name(arg)) < 0)
			return cli_usage_error("--method: \"%s\" is not a "
			    "method (plurality, approval, irv, stv-scottish, "
			    "stv-meek, schulze)", arg);
		return 0;
	case 's':
		if (tl_parse_int64(arg, 1, TL_MAX_CANDIDATES, &o->seats) !=
		    TL_OK)
			return cli_usage_error("--seats: \"%s\" is not a number "
			    "of seats (1 to %d)", arg, TL_MAX_CANDIDATES);
		return 0;
	case 'S':
		o->seed = arg;
		return 0;
	case 'f':
		o->format = arg;
		return 0;
	case 'j':
		o->format = "json";
		return 0;
	default:
		return EXIT_USAGE;
	}
}

/* An equal rank given to a method that needs a strict order, found with
 * the line it is on.  Withdrawn candidates are removed first (doc/
 * methods.md): "2=1 0" with 1 withdrawn ranks 2 alone. */
static int
check_strict(const struct tl_blt *blt, const char *path, int method)
{
	const struct tl_ballot_set *set = &blt->ballots;

	if (tl_method_allows_equal_ranks((enum tl_method)method) ||
	    tl_method_selection_kind((enum tl_method)method) !=
	    TL_SELECTION_RANKING)
		return 0;
	for (size_t b = 0; b < set->nballots; b++) {
		/* Whether the current rank has a candidate not withdrawn. */
		int standing = 0;

		for (size_t k = set->starts[b]; k < set->starts[b + 1]; k++) {
			uint32_t c = TL_PREF_INDEX(set->prefs[k]);

			if (!(set->prefs[k] & TL_PREF_EQUAL))
				standing = 0;
			if (blt->withdrawn[c])
				continue;
			if (standing) {
				cli_error("%s:%u: equal preferences (=), which "
				    "%s does not accept: it needs a strict order",
				    path, blt->ballot_lines[b],
				    tl_method_name((enum tl_method)method));
				return EXIT_USAGE;
			}
			standing = 1;
		}
	}
	return 0;
}

static int
render(const json_t *report, const char *format)
{
	struct tl_buf buf;
	int r, status = 0;

	if (strcmp(format, "json") == 0)
		return cli_print_json(report);
	tl_buf_init(&buf, 256 * 1024 * 1024);
	if (strcmp(format, "html") == 0)
		r = tl_report_contest_html(report, NULL, &buf);
	else
		r = tl_report_contest_text(report, &buf);
	if (r != TL_OK) {
		cli_error("cannot render the report");
		status = EXIT_INTERNAL;
	} else if (fputs(buf.data, stdout) == EOF || fflush(stdout) != 0) {
		cli_error("cannot write to standard output");
		status = EXIT_INTERNAL;
	}
	tl_buf_free(&buf);
	return status;
}

static int
exec_count(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"method", required_argument, NULL, 'm'},
		{"seats", required_argument, NULL, 's'},
		{"seed", required_argument, NULL, 'S'},
		{"format", required_argument, NULL, 'f'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct count_options o = {-1, 0, NULL, "text"};
	struct tl_count_input in;
	struct tl_blt *blt = NULL;
	struct tl_error err;
	char *text = NULL;
	size_t len = 0;
	json_t *report = NULL;
	int first, status, r;

	if ((status = cli_parse(argc, argv, "m:s:f:", longopts, count_option,
	    &o, &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 1, 1)) != 0)
		return status;
	if (o.method < 0)
		return cli_usage_error("--method is required");
	if (o.method == TL_METHOD_REFERENDUM)
		return cli_usage_error("a BLT file holds candidates, not a "
		    "referendum");
	if (strcmp(o.format, "text") != 0 && strcmp(o.format, "json") != 0 &&
	    strcmp(o.format, "html") != 0)
		return cli_usage_error("--format must be text, json or html");
	tl_error_clear(&err);
	/* Read, not mapped: a file that shrinks while it is counted must
	 * not kill teller with SIGBUS. */
	if (tl_read_file(argv[first], TL_BLT_MAX, &text, &len, &err) != TL_OK)
		return cli_fail(&err);
	r = tl_blt_parse(text, len, argv[first], &blt, &err);
	free(text);
	if (r != TL_OK)
		return cli_fail(&err);
	if (o.seats != 0)
		blt->seats = (unsigned)o.seats;
	if (blt->seats > blt->ncandidates) {
		cli_error("%s: %u seats but only %zu candidates", argv[first],
		    blt->seats, blt->ncandidates);
		status = EXIT_USAGE;
		goto out;
	}
	if ((status = check_strict(blt, argv[first], o.method)) != 0)
		goto out;
	memset(&in, 0, sizeof(in));
	in.method = (enum tl_method)o.method;
	in.seats = blt->seats;
	in.ncandidates = blt->ncandidates;
	in.candidate_ids = (const char *const *)blt->ids;
	in.candidate_names = (const char *const *)blt->names;
	in.withdrawn = blt->withdrawn;
	in.weight_decimals = blt->weight_decimals;
	if (o.seed != NULL) {
		in.seed = (const uint8_t *)o.seed;
		in.seed_len = strlen(o.seed);
	}
	tl_count_input_set_ballots(&in, &blt->ballots);
	if (tl_count_run(&in, &report, &err) != TL_OK) {
		tl_error_prefix(&err, "%s", argv[first]);
		status = cli_fail(&err);
		goto out;
	}
	json_object_set_new(report, "title", json_string(blt->title));
	json_object_set_new(report, "seed", o.seed != NULL ?
	    json_string(o.seed) : json_null());
	status = render(report, o.format);
 out:
	json_decref(report);
	tl_blt_free(blt);
	return status;
}

const struct cli_command cmd_count = {
	"count", NULL, "FILE.blt --method METHOD",
	"Count a BLT ballot file (to cross-check other counting programs).",
	"Reads a BLT file (teller(1) and doc/methods.md describe it: quoted\n"
	"or bare names, withdrawn candidates, = for equal preferences, decimal\n"
	"weights) and counts it round by round.\n\n"
	"Options:\n"
	"  -m, --method METHOD  irv, stv-scottish, stv-meek, schulze, plurality\n"
	"                       or approval (required)\n"
	"  -s, --seats N        seats to fill (default: the file's)\n"
	"  --seed TEXT          draw lots from this seed; without it, lots follow\n"
	"                       the candidates' order in the file (first listed\n"
	"                       drawn first), as droop and OpenSTV do\n"
	"  -f, --format FORMAT  text (default), json or html (one page with the\n"
	"                       round table and a chart)\n"
	"  --json               same as --format json\n",
	exec_count,
};
