/*
 * cmd-election.c: teller election create|update|delete|list|show|
 * publish|open|close|status|amend|finalize, and teller manifest: an
 * election's definition and life.
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "teller/credential.h"
#include "teller/cycle.h"
#include "teller/election.h"
#include "teller/issuance.h"
#include "teller/manifest.h"
#include "teller/util.h"

struct election_opts {
	int json;
	const char *output;
	const char **random;
	size_t nrandom;
	const char *phase;
	int has_opens, has_closes;
	int64_t opens, closes;
	int early;
	const char *reason;
};

static int
election_option(int opt, const char *arg, void *ctx)
{
	struct election_opts *o = ctx;
	const char **p;

	switch (opt) {
	case 'j':
		o->json = 1;
		return 0;
	case 'o':
		o->output = arg;
		return 0;
	case 'p':
		o->phase = arg;
		return 0;
	case 'e':
		o->early = 1;
		return 0;
	case 'R':
		o->reason = arg;
		return 0;
	case 'O':
	case 'C':
		if (tl_time_parse(arg, opt == 'O' ? &o->opens : &o->closes) !=
		    TL_OK)
			return cli_usage_error("--%s: \"%s\" is not a UTC time like "
			    "2026-11-22T10:00:00Z", opt == 'O' ? "opens" : "closes",
			    arg);
		*(opt == 'O' ? &o->has_opens : &o->has_closes) = 1;
		return 0;
	case 'r':
		if ((p = realloc(o->random, (o->nrandom + 1) * sizeof(*p))) ==
		    NULL) {
			cli_error("out of memory");
			return EXIT_INTERNAL;
		}
		o->random = p;
		o->random[o->nrandom++] = arg;
		return 0;
	default:
		return EXIT_USAGE;
	}
}

static const struct option json_option[] = {
	{"json", no_argument, NULL, 'j'},
	{NULL, 0, NULL, 0},
};

/* Parses options and exactly `operands` operands; opens the store
 * (mode: CLI_STORE_WRITE or CLI_STORE_READ). */
static int
setup(int argc, char **argv, const struct option *longopts,
    struct election_opts *o, int operands, int *first, int mode,
    struct tl_store **store)
{
	int status;

	if ((status = cli_parse(argc, argv, "o:", longopts, election_option, o,
	    first)) >= 0)
		return status;
	if ((status = cli_operands(argc - *first, operands, operands)) != 0)
		return status;
	if ((*store = cli_open_store(mode, &status)) == NULL)
		return status;
	return -1;
}

static int
exec_create(int argc, char **argv)
{
	struct election_opts o = {0};
	struct tl_store *store = NULL;
	struct tl_error err;
	char *text = NULL, *id = NULL;
	size_t len = 0;
	int first, status;

	if ((status = setup(argc, argv, NULL, &o, 1, &first, 0, &store)) >= 0)
		return status;
	tl_error_clear(&err);
	if (tl_read_file(argv[first], TL_MANIFEST_MAX, &text, &len, &err) !=
	    TL_OK ||
	    tl_election_create(store, text, len, cli_now(), &id, &err) !=
	    TL_OK) {
		if (err.code == TL_EMANIFEST)
			tl_error_prefix(&err, "%s", argv[first]);
		status = cli_fail(&err);
		goto out;
	}
	printf("%s\n", id);
	status = 0;
 out:
	free(text);
	free(id);
	tl_store_close(store);
	return status;
}

static int
exec_update(int argc, char **argv)
{
	struct election_opts o = {0};
	struct tl_store *store = NULL;
	struct tl_error err;
	char *text = NULL;
	size_t len = 0;
	int first, status;

	if ((status = setup(argc, argv, NULL, &o, 2, &first, CLI_STORE_WRITE,
	    &store)) >= 0)
		return status;
	tl_error_clear(&err);
	if (tl_read_file(argv[first + 1], TL_MANIFEST_MAX, &text, &len, &err) !=
	    TL_OK ||
	    tl_election_update(store, argv[first], text, len, cli_now(), &err) !=
	    TL_OK) {
		if (err.code == TL_EMANIFEST)
			tl_error_prefix(&err, "%s", argv[first + 1]);
		status = cli_fail(&err);
		goto out;
	}
	printf("Election %s now has the manifest of %s (still a draft).\n",
	    argv[first], argv[first + 1]);
	status = 0;
 out:
	free(text);
	tl_store_close(store);
	return status;
}

static int
exec_delete(int argc, char **argv)
{
	struct election_opts o = {0};
	struct tl_store *store = NULL;
	struct tl_error err;
	size_t nvoters = 0;
	int first, status;

	if ((status = setup(argc, argv, NULL, &o, 1, &first, CLI_STORE_WRITE,
	    &store)) >= 0)
		return status;
	tl_error_clear(&err);
	if (tl_election_delete(store, argv[first], &nvoters, &err) != TL_OK)
		status = cli_fail(&err);
	else {
		printf("Deleted the draft election %s, with its roll of %zu "
		    "voter%s.\n", argv[first], nvoters, nvoters == 1 ? "" :
		    "s");
		status = 0;
	}
	tl_store_close(store);
	return status;
}

static int
exec_list(int argc, char **argv)
{
	struct election_opts o = {0};
	struct tl_store *store = NULL;
	struct tl_error err;
	json_t *list = NULL, *item;
	size_t i;
	int first, status;

	if ((status = setup(argc, argv, json_option, &o, 0, &first,
	    CLI_STORE_READ, &store)) >= 0)
		return status;
	tl_error_clear(&err);
	if (tl_election_list(store, &list, &err) != TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	if (o.json) {
		status = cli_print_json(list);
		goto out;
	}
	if (json_array_size(list) == 0)
		printf("No elections.  Define one with 'teller election create "
		    "FILE.json'.\n");
	else
		printf("%-24s %-8s %-20s %-20s %7s %7s  %s\n", "ID", "STATE",
		    "OPENS", "CLOSES", "VOTERS", "BALLOTS", "TITLE");
	json_array_foreach(list, i, item)
		printf("%-24s %-8s %-20s %-20s %7" JSON_INTEGER_FORMAT " %7"
		    JSON_INTEGER_FORMAT "  %s\n",
		    json_string_value(json_object_get(item, "id")),
		    json_string_value(json_object_get(item, "state")),
		    json_string_value(json_object_get(item, "opens")),
		    json_string_value(json_object_get(item, "closes")),
		    json_integer_value(json_object_get(item, "voters")),
		    json_integer_value(json_object_get(item, "ballots")),
		    json_string_value(json_object_get(item, "title")));
	status = 0;
 out:
	json_decref(list);
	tl_store_close(store);
	return status;
}

static void
print_show(const json_t *doc)
{
	const json_t *item, *cand;
	size_t i, j;

	printf("Election %s: %s\n", cli_str_or(doc, "id", "?"),
	    cli_str_or(doc, "title", "?"));
	printf("  State:    %s\n", cli_str_or(doc, "state", "?"));
	printf("  Voting:   %s to %s\n", cli_str_or(doc, "opens", "?"),
	    cli_str_or(doc, "closes", "?"));
	printf("  Revote:   %s ballot counts\n", cli_str_or(doc, "revote", "?"));
	printf("  Manifest: %s\n", cli_str_or(doc, "manifest_hash",
	    "(signed when the election opens)"));
	printf("  Ballots:  %" JSON_INTEGER_FORMAT " (log of %"
	    JSON_INTEGER_FORMAT " entries)\n",
	    json_integer_value(json_object_get(doc, "ballots")),
	    json_integer_value(json_object_get(doc, "log_size")));
	printf("Constituencies:\n");
	json_array_foreach(json_object_get(doc, "constituencies"), i, item)
		printf("  %-20s %-30s %6" JSON_INTEGER_FORMAT " voters, weight %"
		    JSON_INTEGER_FORMAT "\n", cli_str_or(item, "id", "?"),
		    cli_str_or(item, "name", "?"),
		    json_integer_value(json_object_get(item, "voters")),
		    json_integer_value(json_object_get(item, "weight")));
	printf("Contests:\n");
	json_array_foreach(json_object_get(doc, "contests"), i, item) {
		printf("  %s: %s\n    %s, %" JSON_INTEGER_FORMAT " seat(s), voted "
		    "by %s\n", cli_str_or(item, "id", "?"), cli_str_or(item, "title", "?"),
		    cli_str_or(item, "method", "?"),
		    json_integer_value(json_object_get(item, "seats")),
		    cli_str_or(item, "constituency", "?"));
		json_array_foreach(json_object_get(item, "candidates"), j, cand)
			printf("      %-16s %s\n", cli_str_or(cand, "id", "?"),
			    cli_str_or(cand, "name", "?"));
	}
	json_array_foreach(json_object_get(doc, "random"), i, item)
		printf("Random source %s: %s\n", cli_str_or(item, "source", "?"),
		    cli_str_or(item, "value", "?"));
}

static int
exec_show(int argc, char **argv)
{
	struct election_opts o = {0};
	struct tl_store *store = NULL;
	struct tl_error err;
	json_t *doc = NULL;
	int first, status;

	if ((status = setup(argc, argv, json_option, &o, 1, &first,
	    CLI_STORE_READ, &store)) >= 0)
		return status;
	tl_error_clear(&err);
	if (tl_election_show(store, argv[first], &doc, &err) != TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	if (o.json)
		status = cli_print_json(doc);
	else {
		print_show(doc);
		status = 0;
	}
 out:
	json_decref(doc);
	tl_store_close(store);
	return status;
}

/* A command that acts on one election, then says what it did. */
static int
run_simple(int argc, char **argv,
    int (*act)(struct tl_store *, const char *, int64_t, struct tl_error *),
    void (*done)(const char *id))
{
	struct election_opts o = {0};
	struct tl_store *store = NULL;
	struct tl_error err;
	int first, status;

	if ((status = setup(argc, argv, NULL, &o, 1, &first, 0, &store)) >= 0)
		return status;
	tl_error_clear(&err);
	if (act(store, argv[first], cli_now(), &err) != TL_OK)
		status = cli_fail(&err);
	else {
		done(argv[first]);
		status = 0;
	}
	tl_store_close(store);
	return status;
}

static void
published(const char *id)
{
	printf("Election %s is published: its initial manifest and roll are "
	    "signed into its log, and its roll is frozen.\nSee its timetable "
	    "with 'teller election status %s'.\n", id, id);
}

static int
exec_publish(int argc, char **argv)
{
	return run_simple(argc, argv, tl_election_publish, published);
}

static void
finalized(const char *id)
{
	printf("The result of election %s is final; see it with 'teller "
	    "election status %s'.\n", id, id);
}

static int
exec_finalize(int argc, char **argv)
{
	return run_simple(argc, argv, tl_election_finalize, finalized);
}

static void
print_status(const json_t *doc)
{
	const json_t *item, *next = json_object_get(doc, "next_phase");
	size_t i;

	printf("Election %s: %s\n", cli_str_or(doc, "election", "?"),
	    cli_str_or(doc, "title", "?"));
	printf("  State:      %s%s\n", cli_str_or(doc, "state", "?"),
	    json_is_true(json_object_get(doc, "annulled")) ?
	    " (result annulled)" : "");
	if (json_is_string(json_object_get(doc, "phase")))
		printf("  Now:        %s, in the %s phase\n", cli_str_or(doc, "now",
		    "?"), cli_str_or(doc, "phase", "?"));
	else
		printf("  Now:        %s, in no phase\n", cli_str_or(doc, "now", "?"));
	if (json_is_object(next))
		printf("  Next phase: %s, from %s to %s\n", cli_str_or(next, "phase",
		    "?"), cli_str_or(next, "opens", "?"), cli_str_or(next, "closes", "?"));
	else
		printf("  Next phase: none\n");
	printf("Timetable:\n");
	json_array_foreach(json_object_get(doc, "phases"), i, item)
		printf("  %-12s %s to %s  %s%s\n", cli_str_or(item, "phase", "?"),
		    cli_str_or(item, "opens", "?"), cli_str_or(item, "closes", "?"),
		    cli_str_or(item, "status", "?"),
		    json_is_true(json_object_get(item, "amended")) ?
		    ", amended" : "");
	printf("Candidates added to the slate: %" JSON_INTEGER_FORMAT
	    "; petitions: %" JSON_INTEGER_FORMAT "\n",
	    json_integer_value(json_object_get(doc, "candidates_added")),
	    json_integer_value(json_object_get(doc, "petitions")));
	printf("Challenges: %" JSON_INTEGER_FORMAT ", %" JSON_INTEGER_FORMAT
	    " undecided\n",
	    json_integer_value(json_object_get(doc, "challenges")),
	    json_integer_value(json_object_get(doc, "unresolved")));
	if (json_is_string(json_object_get(doc, "outcome")))
		printf("Outcome: %s\n", cli_str_or(doc, "outcome", "?"));
	printf("Next step: %s\n", cli_str_or(doc, "next_step", "?"));
}

/* The status as of the command's clock ($TELLER_NOW or the time). */
static int
status_now(struct tl_store *store, const char *id, json_t **out,
    struct tl_error *err)
{
	return tl_election_status(store, id, cli_now(), out, err);
}

static void
print_status_of(const char *id, const json_t *doc)
{
	(void)id;
	print_status(doc);
}

static int
exec_status(int argc, char **argv)
{
	return cli_show_election(argc, argv, status_now, print_status_of);
}

static int
exec_amend(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"phase", required_argument, NULL, 'p'},
		{"opens", required_argument, NULL, 'O'},
		{"closes", required_argument, NULL, 'C'},
		{NULL, 0, NULL, 0},
	};
	struct election_opts o = {0};
	struct tl_store *store = NULL;
	struct tl_error err;
	int first, status, phase;

	if ((status = cli_parse(argc, argv, "", longopts, election_option, &o,
	    &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 1, 1)) != 0)
		return status;
	if (o.phase == NULL || (phase = tl_phase_from_name(o.phase)) < 0)
		return cli_usage_error("--phase must be nominations, petitions, "
		    "voting or challenge");
	if (!o.has_opens && !o.has_closes)
		return cli_usage_error("give --opens TIME, --closes TIME or both");
	if ((store = cli_open_store(0, &status)) == NULL)
		return status;
	tl_error_clear(&err);
	if (tl_election_amend(store, argv[first], (enum tl_phase)phase,
	    o.has_opens, o.opens, o.has_closes, o.closes, cli_now(), &err) !=
	    TL_OK)
		status = cli_fail(&err);
	else {
		printf("The %s phase of election %s is amended; the amendment is "
		    "signed into its log.\n", o.phase, argv[first]);
		status = 0;
	}
	tl_store_close(store);
	return status;
}

/*
 * A secret election: its credential classes, and a warning for each class
 * too small to hide a ballot in (a ballot is anonymous only among the
 * voters of its class who obtained a credential).
 */
static int
warn_small_classes(struct tl_store *store, const char *id)
{
	struct tl_error err;
	json_t *classes = NULL, *c;
	size_t i;

	tl_error_clear(&err);
	if (tl_election_credential_classes(store, id, &classes, &err) != TL_OK)
		return cli_fail(&err);
	printf("Secret ballot: %zu credential classes (constituency, weight), "
	    "each with its own\nRSA key, logged before any credential.\n",
	    json_array_size(classes));
	json_array_foreach(classes, i, c) {
		json_int_t n = json_integer_value(json_object_get(c, "voters"));

		if (n >= TL_CREDENTIAL_ANONYMITY_MIN)
			continue;
		cli_error("warning: class (%s, weight %" JSON_INTEGER_FORMAT ") "
		    "has %" JSON_INTEGER_FORMAT " voter%s: %s (see "
		    "doc/threat-model.md)", cli_str_or(c, "constituency", "?"),
		    json_integer_value(json_object_get(c, "weight")), n,
		    n == 1 ? "" : "s", n == 1 ? "a class of one voter is not "
		    "secret at all" : "their ballots are secret only among "
		    "them");
	}
	json_decref(classes);
	return 0;
}

static int
exec_open(int argc, char **argv)
{
	struct election_opts o = {0};
	struct tl_store *store = NULL;
	struct tl_error err;
	struct tl_manifest *m = NULL;
	char hash[TL_HASH_HEX_LEN + 1];
	int first, status;

	if ((status = setup(argc, argv, NULL, &o, 1, &first, 0, &store)) >= 0)
		return status;
	tl_error_clear(&err);
	if (tl_election_open(store, argv[first], cli_now(), &err) != TL_OK ||
	    tl_election_load(store, argv[first], &m, hash, NULL, &err) !=
	    TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	printf("Election %s is open.\nManifest hash: %s\n", argv[first], hash);
	status = m->secrecy == TL_SECRECY_SECRET ? warn_small_classes(store,
	    argv[first]) : 0;
 out:
	tl_manifest_free(m);
	tl_store_close(store);
	return status;
}

static int
exec_close(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"random", required_argument, NULL, 'r'},
		{"early", no_argument, NULL, 'e'},
		{"reason", required_argument, NULL, 'R'},
		{NULL, 0, NULL, 0},
	};
	struct election_opts o = {0};
	struct tl_store *store = NULL;
	struct tl_error err;
	int first, status, r;

	if ((status = cli_parse(argc, argv, "", longopts, election_option, &o,
	    &first)) >= 0 ||
	    (status = cli_operands(argc - first, 1, 1)) != 0)
		goto out;
	if (o.early != (o.reason != NULL)) {
		status = cli_usage_error(o.early ? "--early needs --reason TEXT: "
		    "an early close says why" : "--reason is for an early close: "
		    "give --early too");
		goto out;
	}
	if ((store = cli_open_store(0, &status)) == NULL)
		goto out;
	tl_error_clear(&err);
	if (o.early)
		r = tl_election_close_early(store, argv[first], o.random,
		    o.nrandom, o.reason, cli_now(), &err);
	else
		r = tl_election_close(store, argv[first], o.random, o.nrandom,
		    cli_now(), &err);
	if (r != TL_OK)
		status = cli_fail(&err);
	else {
		printf("Election %s is closed%s; count it with 'teller tally "
		    "%s'.\n", argv[first], o.early ? " early (the reason is in "
		    "its signed close statement)" : "", argv[first]);
		status = 0;
	}
 out:
	free(o.random);
	tl_store_close(store);
	return status;
}

static int
exec_manifest(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	struct election_opts o = {0};
	struct tl_store *store = NULL;
	struct tl_error err;
	char *envelope = NULL;
	int first, status;

	if ((status = setup(argc, argv, longopts, &o, 1, &first,
	    CLI_STORE_READ, &store)) >= 0)
		return status;
	tl_error_clear(&err);
	if (tl_election_signed_manifest(store, argv[first], &envelope, &err) !=
	    TL_OK)
		status = cli_fail(&err);
	else
		status = cli_write_output(o.output, envelope, 0644);
	free(envelope);
	tl_store_close(store);
	return status;
}

const struct cli_command cmd_election_create = {
	"election", "create", "FILE.json",
	"Define an election from a manifest; print its id.",
	"The manifest names the election's id and title, its constituencies,\n"
	"its contests (constituency, seats, method, candidates, options), the\n"
	"voting window (opens, closes: UTC times like 2026-11-22T10:00:00Z),\n"
	"the revote policy (\"last\" or \"first\"), and the public random sources\n"
	"whose values, entered at close, seed tie-breaks.  teller fills in the\n"
	"authority key.  See doc/record-format.md for every field.  The\n"
	"election starts as a draft: load its roll, then open it.\n",
	exec_create,
};

const struct cli_command cmd_election_update = {
	"election", "update", "ID FILE.json",
	"Replace a draft election's manifest.",
	"FILE.json is a whole manifest (as for 'teller election create') with\n"
	"the same election id; it is checked the same way, and replaces the\n"
	"draft's definition in one step.  Every voter already on the roll must\n"
	"still fit it: a constituency it has, and a weight within that\n"
	"constituency's \"weights\" (remove a voter first with 'teller roll\n"
	"remove').  Refused once the election is published or open: its\n"
	"manifest is signed into its log by then.\n",
	exec_update,
};

const struct cli_command cmd_election_delete = {
	"election", "delete", "ID",
	"Delete a draft election, with its roll.",
	"Removes everything stored for a draft election: its definition, its\n"
	"roll, and its webhook endpoints.  Refused once the election is\n"
	"published or open: its log has started, and its record keeps it.\n",
	exec_delete,
};

const struct cli_command cmd_election_list = {
	"election", "list", "",
	"List the elections in the database.",
	"Options:\n"
	"  --json       print a JSON array\n",
	exec_list,
};

const struct cli_command cmd_election_show = {
	"election", "show", "ID",
	"Show an election: state, window, constituencies, contests.",
	"Options:\n"
	"  --json       print a JSON object\n",
	exec_show,
};

const struct cli_command cmd_election_open = {
	"election", "open", "ID",
	"Sign and freeze the manifest and roll; start accepting ballots.",
	"Every constituency that votes in a contest must have voters.  The\n"
	"signed manifest and roll become the first two entries of the\n"
	"election's public log.  Ballots are accepted between the manifest's\n"
	"opens and closes times.\n\n"
	"An election with a nominations or petitions phase was published\n"
	"before ('teller election publish'); opening it, once that stage is\n"
	"over, signs its voting definition: the manifest with each contest's\n"
	"final candidates (its own, the slate's, and those of the petitions\n"
	"that reached their threshold).  Ballots name that definition.\n",
	exec_open,
};

const struct cli_command cmd_election_publish = {
	"election", "publish", "ID",
	"Start the log of an election with a nomination stage; freeze its roll.",
	"For an election whose timetable has a nominations or petitions phase:\n"
	"signs its initial manifest and its roll into the public log (entries\n"
	"0 and 1), which freezes the roll, so that the slate, petitions and\n"
	"endorsements that follow are logged and only voters on the roll can\n"
	"endorse.  Done in the draft, before the voting phase opens.\n",
	exec_publish,
};

const struct cli_command cmd_election_status = {
	"election", "status", "ID",
	"Show where an election stands: its phase, what comes next.",
	"Shows the state, the phase of the timetable the current time is in\n"
	"(with every amendment applied), the next phase and its times, each\n"
	"phase's times, the petitions and challenges so far, and the next step\n"
	"for the administrator.\n\n"
	"Options:\n"
	"  --json       print a JSON object\n",
	exec_status,
};

const struct cli_command cmd_election_amend = {
	"election", "amend", "ID --phase PHASE [--opens TIME] [--closes TIME]",
	"Move a phase's times later, with a signed amendment in the log.",
	"PHASE is nominations, petitions, voting or challenge.  A time can only\n"
	"move later, and only while it has not come yet; the phases must stay\n"
	"in order without overlapping (move the later ones first).  The signed\n"
	"amendment is appended to the election's log, so observers see every\n"
	"change of the timetable.\n\n"
	"Options:\n"
	"  --phase PHASE   the phase to amend\n"
	"  --opens TIME    its new opening time (UTC, 2026-11-22T10:00:00Z)\n"
	"  --closes TIME   its new closing time\n",
	exec_amend,
};

const struct cli_command cmd_election_finalize = {
	"election", "finalize", "ID",
	"Make a certified result final, after the challenge period.",
	"Once the challenge phase is over and every challenge is decided,\n"
	"signs the final statement into the log: the result stands\n"
	"(\"confirmed\"), or a decision upheld a challenge with a new vote\n"
	"(\"annulled\"; the new vote is a new election).\n",
	exec_finalize,
};

const struct cli_command cmd_election_close = {
	"election", "close", "ID [--random VALUE]... [--early --reason TEXT]",
	"Stop accepting ballots and record the random source values.",
	"Give one --random VALUE per random source the manifest declares, in\n"
	"its order (for example the published lottery numbers it names).  The\n"
	"values are logged in the signed close statement and seed every\n"
	"tie-break by lot, so that anyone can reproduce the count.  Sources of\n"
	"the form rfc3797 take numbers separated by blanks (\"17 3 42\"), and\n"
	"seed the lots through their RFC 3797 key string.\n\n"
	"An election closes once its voting window is over (the manifest's\n"
	"closes time, or the voting phase's as amended).  Closing it before\n"
	"then is an early close: give --early with --reason TEXT, which the\n"
	"signed close statement carries for every observer to read; without\n"
	"them the close is refused.  A close after the window's end takes no\n"
	"reason.\n\n"
	"Options:\n"
	"  --random VALUE   a random source's published value (repeat)\n"
	"  --early          close before the end of the voting window\n"
	"  --reason TEXT    why (required with --early; up to 16384 bytes)\n",
	exec_close,
};

const struct cli_command cmd_manifest = {
	"manifest", NULL, "ID",
	"Print the signed manifest: what a voter needs to make a ballot.",
	"Options:\n"
	"  -o, --output FILE   write it to FILE instead of standard output\n",
	exec_manifest,
};
