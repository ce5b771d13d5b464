/*
 * cmd-election.c: teller election create|list|show|open|close, and teller
 * manifest: an election's definition and life.
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "teller/election.h"
#include "teller/manifest.h"
#include "teller/util.h"

struct election_opts {
	int json;
	const char *output;
	const char **random;
	size_t nrandom;
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

/* Parses options and exactly `operands` operands; opens the store. */
static int
setup(int argc, char **argv, const struct option *longopts,
    struct election_opts *o, int operands, int *first, int create,
    struct tl_store **store)
{
	int status;

	if ((status = cli_parse(argc, argv, "o:", longopts, election_option, o,
	    first)) >= 0)
		return status;
	if ((status = cli_operands(argc - *first, operands, operands)) != 0)
		return status;
	if ((*store = cli_open_store(create, &status)) == NULL)
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
exec_list(int argc, char **argv)
{
	struct election_opts o = {0};
	struct tl_store *store = NULL;
	struct tl_error err;
	json_t *list = NULL, *item;
	size_t i;
	int first, status;

	if ((status = setup(argc, argv, json_option, &o, 0, &first, 0,
	    &store)) >= 0)
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

static const char *
str_or(const json_t *obj, const char *key, const char *fallback)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : fallback;
}

static void
print_show(const json_t *doc)
{
	const json_t *item, *cand;
	size_t i, j;

	printf("Election %s: %s\n", str_or(doc, "id", "?"),
	    str_or(doc, "title", "?"));
	printf("  State:    %s\n", str_or(doc, "state", "?"));
	printf("  Voting:   %s to %s\n", str_or(doc, "opens", "?"),
	    str_or(doc, "closes", "?"));
	printf("  Revote:   %s ballot counts\n", str_or(doc, "revote", "?"));
	printf("  Manifest: %s\n", str_or(doc, "manifest_hash",
	    "(signed when the election opens)"));
	printf("  Ballots:  %" JSON_INTEGER_FORMAT " (log of %"
	    JSON_INTEGER_FORMAT " entries)\n",
	    json_integer_value(json_object_get(doc, "ballots")),
	    json_integer_value(json_object_get(doc, "log_size")));
	printf("Constituencies:\n");
	json_array_foreach(json_object_get(doc, "constituencies"), i, item)
		printf("  %-20s %-30s %6" JSON_INTEGER_FORMAT " voters, weight %"
		    JSON_INTEGER_FORMAT "\n", str_or(item, "id", "?"),
		    str_or(item, "name", "?"),
		    json_integer_value(json_object_get(item, "voters")),
		    json_integer_value(json_object_get(item, "weight")));
	printf("Contests:\n");
	json_array_foreach(json_object_get(doc, "contests"), i, item) {
		printf("  %s: %s\n    %s, %" JSON_INTEGER_FORMAT " seat(s), voted "
		    "by %s\n", str_or(item, "id", "?"), str_or(item, "title", "?"),
		    str_or(item, "method", "?"),
		    json_integer_value(json_object_get(item, "seats")),
		    str_or(item, "constituency", "?"));
		json_array_foreach(json_object_get(item, "candidates"), j, cand)
			printf("      %-16s %s\n", str_or(cand, "id", "?"),
			    str_or(cand, "name", "?"));
	}
	json_array_foreach(json_object_get(doc, "random"), i, item)
		printf("Random source %s: %s\n", str_or(item, "source", "?"),
		    str_or(item, "value", "?"));
}

static int
exec_show(int argc, char **argv)
{
	struct election_opts o = {0};
	struct tl_store *store = NULL;
	struct tl_error err;
	json_t *doc = NULL;
	int first, status;

	if ((status = setup(argc, argv, json_option, &o, 1, &first, 0,
	    &store)) >= 0)
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
	status = 0;
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
		{NULL, 0, NULL, 0},
	};
	struct election_opts o = {0};
	struct tl_store *store = NULL;
	struct tl_error err;
	int first, status;

	if ((status = setup(argc, argv, longopts, &o, 1, &first, 0, &store)) >=
	    0) {
		free(o.random);
		return status;
	}
	tl_error_clear(&err);
	if (tl_election_close(store, argv[first], o.random, o.nrandom,
	    cli_now(), &err) != TL_OK)
		status = cli_fail(&err);
	else {
		printf("Election %s is closed; count it with 'teller tally %s'.\n",
		    argv[first], argv[first]);
		status = 0;
	}
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

	if ((status = setup(argc, argv, longopts, &o, 1, &first, 0, &store)) >=
	    0)
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
	"opens and closes times.\n",
	exec_open,
};

const struct cli_command cmd_election_close = {
	"election", "close", "ID [--random VALUE]...",
	"Stop accepting ballots and record the random source values.",
	"Give one --random VALUE per random source the manifest declares, in\n"
	"its order (for example the published lottery numbers it names).  The\n"
	"values are logged in the signed close statement and seed every\n"
	"tie-break by lot, so that anyone can reproduce the count.\n\n"
	"Options:\n"
	"  --random VALUE   a random source's published value (repeat)\n",
	exec_close,
};

const struct cli_command cmd_manifest = {
	"manifest", NULL, "ID",
	"Print the signed manifest: what a voter needs to make a ballot.",
	"Options:\n"
	"  -o, --output FILE   write it to FILE instead of standard output\n",
	exec_manifest,
};
