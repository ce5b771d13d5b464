/*
 * cmd-petition.c: the nomination stage: teller candidate add (the slate)
 * and teller petition open|endorse|status.  The two groups share one file
 * because they name a contest's new candidate the same way (--contest,
 * --candidate NAME, --id).
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "voter-opts.h"
#include "teller/crypto.h"
#include "teller/cycle.h"
#include "teller/util.h"

struct petition_opts {
	const char *contest;
	const char *name;
	const char *id;
	struct cli_voter voter;   /* endorse: --key, --voter, --envelope, -o */
};

static int
petition_option(int opt, const char *arg, void *ctx)
{
	struct petition_opts *o = ctx;

	switch (opt) {
	case 'c':
		o->contest = arg;
		return 0;
	case 'n':
		o->name = arg;
		return 0;
	case 'i':
		o->id = arg;
		return 0;
	default:
		return cli_voter_option(opt, arg, &o->voter);
	}
}

static const struct option nomination_options[] = {
	{"contest", required_argument, NULL, 'c'},
	{"candidate", required_argument, NULL, 'n'},
	{"id", required_argument, NULL, 'i'},
	{NULL, 0, NULL, 0},
};

/* Parses a nomination's options and its one operand (the election);
 * fills in the candidate's id from the name if --id is not given. */
static int
nomination_setup(int argc, char **argv, struct petition_opts *o,
    char id[TL_ID_SIZE], int *first)
{
	struct tl_error err;
	int status;

	if ((status = cli_parse(argc, argv, "", nomination_options,
	    petition_option, o, first)) >= 0)
		return status;
	if ((status = cli_operands(argc - *first, 1, 1)) != 0)
		return status;
	if (o->contest == NULL || o->name == NULL)
		return cli_usage_error("--contest and --candidate are required");
	tl_error_clear(&err);
	if (o->id != NULL)
		snprintf(id, TL_ID_SIZE, "%s", o->id);
	else if (tl_id_from_name(o->name, id, &err) != TL_OK)
		return cli_usage_error("%s (--id ID)", err.message);
	return -1;
}

static int
exec_candidate_add(int argc, char **argv)
{
	struct petition_opts o = {0};
	struct tl_store *store = NULL;
	struct tl_error err;
	char id[TL_ID_SIZE];
	int first, status;

	if ((status = nomination_setup(argc, argv, &o, id, &first)) >= 0)
		return status;
	if ((store = cli_open_store(0, &status)) == NULL)
		return status;
	tl_error_clear(&err);
	if (tl_candidate_add(store, argv[first], o.contest, id, o.name,
	    cli_now(), &err) != TL_OK)
		status = cli_fail(&err);
	else {
		printf("Candidate %s (%s) added to the slate of contest %s; the "
		    "addition is signed into the log.\n", id, o.name, o.contest);
		status = 0;
	}
	tl_store_close(store);
	return status;
}

static int
exec_open(int argc, char **argv)
{
	struct petition_opts o = {0};
	struct tl_store *store = NULL;
	struct tl_error err;
	char id[TL_ID_SIZE];
	int64_t number = 0;
	int first, status;

	if ((status = nomination_setup(argc, argv, &o, id, &first)) >= 0)
		return status;
	if ((store = cli_open_store(0, &status)) == NULL)
		return status;
	tl_error_clear(&err);
	if (tl_petition_open(store, argv[first], o.contest, id, o.name,
	    cli_now(), &number, &err) != TL_OK)
		status = cli_fail(&err);
	else {
		printf("Petition %lld opened for %s (%s) in contest %s.\n"
		    "Voters endorse it with 'teller petition endorse %s %lld "
		    "--key FILE --voter ID'.\n", (long long)number, o.name, id,
		    o.contest, argv[first], (long long)number);
		status = 0;
	}
	tl_store_close(store);
	return status;
}

/* The petition's line of 'petition status', or of an endorsement's
 * report. */
static void
print_petition(const json_t *p, int with_voters)
{
	size_t i;
	json_t *v;

	printf("  %" JSON_INTEGER_FORMAT "  %s: %s (%s)  %" JSON_INTEGER_FORMAT
	    " of %" JSON_INTEGER_FORMAT " endorsements%s\n",
	    json_integer_value(json_object_get(p, "number")),
	    json_string_value(json_object_get(p, "contest")),
	    json_string_value(json_object_get(p, "name")),
	    json_string_value(json_object_get(p, "candidate")),
	    json_integer_value(json_object_get(p, "endorsements")),
	    json_integer_value(json_object_get(p, "threshold")),
	    json_is_true(json_object_get(p, "reached")) ?
	    ", threshold reached" : "");
	if (!with_voters || json_array_size(json_object_get(p, "voters")) == 0)
		return;
	printf("     endorsed by:");
	json_array_foreach(json_object_get(p, "voters"), i, v)
		printf(" %s", json_string_value(v));
	printf("\n");
}

/* A voter's endorsement of an election's petition, made with their key
 * (cli_voter_statement). */
struct endorsement {
	struct tl_store *store;
	const char *election;
	int64_t number;
};

static int
make_endorsement(void *ctx, const char *voter, const struct tl_key *key,
    char **text, struct tl_error *err)
{
	struct endorsement *e = ctx;

	return tl_petition_endorsement(e->store, e->election, e->number, voter,
	    key, text, err);
}

/* The status of petition `number`, after an endorsement. */
static void
report_endorsement(struct tl_store *store, const char *id, int64_t number)
{
	struct tl_error err;
	json_t *list = NULL, *p;
	size_t i;

	tl_error_clear(&err);
	if (tl_petition_status(store, id, &list, &err) != TL_OK)
		return;
	json_array_foreach(list, i, p)
		if (json_integer_value(json_object_get(p, "number")) == number)
			print_petition(p, 0);
	json_decref(list);
}

static int
exec_endorse(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_VOTER_LONGOPTS,
		{"envelope", required_argument, NULL, 'e'},
		{"output", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	struct petition_opts o = {0};
	struct endorsement e = {NULL, NULL, 0};
	struct tl_error err;
	char *text = NULL;
	size_t len = 0;
	int first, status;

	if ((status = cli_parse(argc, argv, "o:", longopts, petition_option, &o,
	    &first)) >= 0)
		return status;
	if ((status = cli_voter_check(&o.voter, "an endorsement", NULL, 0,
	    argc - first, 2)) != 0)
		return status;
	if (o.voter.envelope == NULL) {
		e.election = argv[first];
		if (tl_parse_int64(argv[first + 1], 1, INT64_MAX, &e.number) !=
		    TL_OK)
			return cli_usage_error("the petition number must be a "
			    "whole number from 1, not \"%s\"", argv[first + 1]);
	}
	tl_error_clear(&err);
	if ((e.store = cli_open_store(0, &status)) == NULL)
		return status;
	if (cli_voter_statement(&o.voter, TL_ENVELOPE_MAX_ENDORSEMENT,
	    make_endorsement, &e, &text, &len, &err) != TL_OK ||
	    tl_petition_endorse(e.store, text, len, cli_now(), &e.number,
	    &err) != TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	if (o.voter.output != NULL && (status = cli_write_output(
	    o.voter.output, text, 0644)) != 0)
		goto out;
	printf("Endorsement of petition %lld recorded in the log.\n",
	    (long long)e.number);
	if (e.election != NULL)
		report_endorsement(e.store, e.election, e.number);
	status = 0;
 out:
	free(text);
	tl_store_close(e.store);
	return status;
}

static void
print_petitions(const char *id, const json_t *list)
{
	const json_t *p;
	size_t i;

	if (json_array_size(list) == 0)
		printf("Election %s has no petitions.\n", id);
	else
		printf("Petitions of election %s:\n", id);
	json_array_foreach(list, i, p)
		print_petition(p, 1);
}

static int
exec_status(int argc, char **argv)
{
	return cli_show_election(argc, argv, tl_petition_status,
	    print_petitions);
}

const struct cli_command cmd_candidate_add = {
	"candidate", "add", "ID --contest C --candidate NAME [--id CID]",
	"Add a candidate to a contest's slate (the nominations phase).",
	"For an election with a nominations phase, published and not yet\n"
	"open: adds the candidate, with a signed statement in the log.  The\n"
	"id and the name must be new in the contest.  Refused outside the\n"
	"nominations phase.\n\n"
	"Options:\n"
	"  --contest C        the contest\n"
	"  --candidate NAME   the candidate's name, as on the ballot\n"
	"  --id CID           the candidate's id (default: made from the name,\n"
	"                     \"Jane Doe\" gives jane-doe)\n",
	exec_candidate_add,
};

const struct cli_command cmd_petition_open = {
	"petition", "open", "ID --contest C --candidate NAME [--id CID]",
	"Open a petition for a candidate (the petitions phase); print its number.",
	"The contest must take petitions (a petition_threshold in the\n"
	"manifest).  Eligible voters of the contest's constituency endorse it\n"
	"during the petitions phase; when the vote opens, a petition that has\n"
	"reached its threshold adds its candidate to the contest.  The signed\n"
	"petition is in the log.\n\n"
	"Options:\n"
	"  --contest C        the contest\n"
	"  --candidate NAME   the candidate's name\n"
	"  --id CID           the candidate's id (default: made from the name)\n",
	exec_open,
};

const struct cli_command cmd_petition_endorse = {
	"petition", "endorse",
	"ID N --key FILE --voter VID [-o FILE]  (or: --envelope FILE alone)",
	"Endorse petition N with a voter's key, and record it in the log.",
	"The endorsement is a DSSE envelope signed with the voter's key (the\n"
	"one on the roll, as for ballots) that names the petition.  It is\n"
	"accepted during the petitions phase, from a voter of the contest's\n"
	"constituency, once per voter and petition, and appended to the log.\n"
	"--envelope records an endorsement a voter signed elsewhere.\n\n"
	"Options:\n"
	"  --key FILE        the voter's private key\n"
	"  --voter VID       the voter's id on the roll\n"
	"  -o, --output FILE also write the signed endorsement to FILE\n"
	"  --envelope FILE   record this signed endorsement instead\n",
	exec_endorse,
};

const struct cli_command cmd_petition_status = {
	"petition", "status", "ID",
	"Show each petition's endorsements and threshold.",
	"Options:\n"
	"  --json       print a JSON array\n",
	exec_status,
};
