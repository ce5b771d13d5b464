/*
 * cmd-certify.c: after the count: teller certify, and teller challenge
 * file|resolve|list (the challenges to a certified result and the
 * decisions on them).
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
#include "teller/envelope.h"
#include "teller/util.h"

struct challenge_opts {
	const char *text;
	struct cli_voter voter;   /* file: --key, --voter, --envelope, -o */
	const char *decision;
	const char *remedy;
	const char *receipt;
};

static int
challenge_option(int opt, const char *arg, void *ctx)
{
	struct challenge_opts *o = ctx;

	switch (opt) {
	case 't':
		o->text = arg;
		return 0;
	case 'd':
		o->decision = arg;
		return 0;
	case 'r':
		o->remedy = arg;
		return 0;
	case 'R':
		o->receipt = arg;
		return 0;
	default:
		return cli_voter_option(opt, arg, &o->voter);
	}
}

/* A statement's text from a file, without its final line end. */
static int
read_text(const char *path, char **out, struct tl_error *err)
{
	size_t len = 0;
	int r;

	if ((r = cli_read_file(path, TL_STATEMENT_TEXT_MAX + 2, out, &len,
	    err)) != TL_OK)
		return r;
	if (!tl_statement_text_valid(*out)) {
		free(*out);
		*out = NULL;
		return tl_error_set(err, TL_EINPUT, "%s: a statement's text is 1 "
		    "to %d bytes of UTF-8 with no control character but tab and "
		    "line ends", path, TL_STATEMENT_TEXT_MAX);
	}
	return TL_OK;
}

static int
exec_certify(int argc, char **argv)
{
	struct tl_store *store = NULL;
	struct tl_error err;
	int first, status;

	if ((status = cli_parse(argc, argv, "", NULL, NULL, NULL, &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 1, 1)) != 0)
		return status;
	if ((store = cli_open_store(0, &status)) == NULL)
		return status;
	tl_error_clear(&err);
	if (tl_election_certify(store, argv[first], cli_now(), &err) != TL_OK)
		status = cli_fail(&err);
	else {
		printf("The result of election %s is certified; the challenge "
		    "period has begun.\nSee it with 'teller election status %s'.\n",
		    argv[first], argv[first]);
		status = 0;
	}
	tl_store_close(store);
	return status;
}

/* The election a signed challenge names (it was just recorded, so its
 * form is known to be good). */
static void
challenge_election(const char *envelope, size_t len, char out[65])
{
	struct tl_envelope *env = NULL;
	json_t *doc = NULL;

	*out = '\0';
	if (tl_envelope_parse(envelope, len, TL_ENVELOPE_MAX_CHALLENGE, &env,
	    NULL) == TL_OK &&
	    (doc = json_loadb((const char *)env->payload, env->payload_len, 0,
	    NULL)) != NULL)
		snprintf(out, 65, "%s", json_string_value(json_object_get(doc,
		    "election")) != NULL ? json_string_value(json_object_get(doc,
		    "election")) : "");
	json_decref(doc);
	tl_envelope_free(env);
}

/* A voter's challenge, made with their key (cli_voter_statement). */
struct challenge {
	struct tl_store *store;
	const char *election;
	const char *text;
};

static int
make_challenge(void *ctx, const char *voter, const struct tl_key *key,
    char **envelope, struct tl_error *err)
{
	struct challenge *c = ctx;

	return tl_challenge_make(c->store, c->election, voter, key, c->text,
	    envelope, err);
}

static int
exec_file(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"text", required_argument, NULL, 't'},
		CLI_VOTER_LONGOPTS,
		{"envelope", required_argument, NULL, 'e'},
		{"output", required_argument, NULL, 'o'},
		{"receipt", required_argument, NULL, 'R'},
		{NULL, 0, NULL, 0},
	};
	struct challenge_opts o = {0};
	struct challenge c = {NULL, NULL, NULL};
	struct tl_store *store = NULL;
	struct tl_error err;
	char *text = NULL, *envelope = NULL, *receipt = NULL, election[65];
	int64_t number = 0;
	size_t len = 0;
	int first, status;

	if ((status = cli_parse(argc, argv, "o:", longopts, challenge_option,
	    &o, &first)) >= 0)
		return status;
	if ((status = cli_voter_check(&o.voter, "a challenge", "--text",
	    o.text != NULL, argc - first, 1)) != 0)
		return status;
	if ((store = cli_open_store(0, &status)) == NULL)
		return status;
	tl_error_clear(&err);
	if (o.text != NULL && read_text(o.text, &text, &err) != TL_OK)
		goto fail;
	c.store = store;
	c.election = o.voter.envelope == NULL ? argv[first] : NULL;
	c.text = text;
	if (cli_voter_statement(&o.voter, TL_ENVELOPE_MAX_CHALLENGE,
	    make_challenge, &c, &envelope, &len, &err) != TL_OK ||
	    tl_challenge_file(store, envelope, len, cli_now(), &number, &err) !=
	    TL_OK)
		goto fail;
	if (o.voter.output != NULL && (status = cli_write_output(
	    o.voter.output, envelope, 0644)) != 0)
		goto out;
	/* Committed: the challenger's receipt, as a voter's for a ballot,
	 * shows it is in the log (teller receipt verify). */
	if (o.voter.envelope == NULL)
		snprintf(election, sizeof(election), "%s", argv[first]);
	else
		challenge_election(envelope, len, election);
	if (tl_challenge_receipt(store, election, number, &receipt, &err) !=
	    TL_OK) {
		tl_error_prefix(&err, "challenge %lld is recorded, but its receipt "
		    "failed", (long long)number);
		goto fail;
	}
	printf("Challenge %lld recorded in the log; the authority decides it "
	    "with 'teller challenge resolve'.\n", (long long)number);
	if (o.receipt != NULL) {
		if ((status = cli_write_output(o.receipt, receipt, 0644)) != 0)
			goto out;
		printf("Its receipt is in %s: keep it, and check it with 'teller "
		    "receipt verify %s --record RECORD'.\n", o.receipt, o.receipt);
	} else
		printf("Its receipt (keep it; check it with 'teller receipt "
		    "verify'):\n%s\n", receipt);
	status = 0;
	goto out;
 fail:
	status = cli_fail(&err);
 out:
	free(text);
	free(envelope);
	free(receipt);
	tl_store_close(store);
	return status;
}

static int
exec_resolve(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"decision", required_argument, NULL, 'd'},
		{"remedy", required_argument, NULL, 'r'},
		{"text", required_argument, NULL, 't'},
		{NULL, 0, NULL, 0},
	};
	struct challenge_opts o = {0};
	struct tl_store *store = NULL;
	struct tl_error err;
	enum tl_remedy remedy = TL_REMEDY_NONE;
	char *text = NULL;
	int64_t number;
	int first, status, upheld;

	if ((status = cli_parse(argc, argv, "", longopts, challenge_option, &o,
	    &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 2, 2)) != 0)
		return status;
	if (tl_parse_int64(argv[first + 1], 1, INT64_MAX, &number) != TL_OK)
		return cli_usage_error("the challenge number must be a whole "
		    "number from 1, not \"%s\"", argv[first + 1]);
	if (o.decision == NULL || o.text == NULL)
		return cli_usage_error("--decision and --text are required");
	if (strcmp(o.decision, "upheld") != 0 &&
	    strcmp(o.decision, "dismissed") != 0)
		return cli_usage_error("--decision must be upheld or dismissed");
	upheld = strcmp(o.decision, "upheld") == 0;
	if (upheld && o.remedy == NULL)
		return cli_usage_error("an upheld challenge needs --remedy "
		    "recount or --remedy new-vote");
	if (!upheld && o.remedy != NULL)
		return cli_usage_error("a dismissed challenge has no --remedy");
	if (o.remedy != NULL && strcmp(o.remedy, "recount") == 0)
		remedy = TL_REMEDY_RECOUNT;
	else if (o.remedy != NULL && strcmp(o.remedy, "new-vote") == 0)
		remedy = TL_REMEDY_NEW_VOTE;
	else if (o.remedy != NULL)
		return cli_usage_error("--remedy must be recount or new-vote");
	tl_error_clear(&err);
	if (read_text(o.text, &text, &err) != TL_OK)
		return cli_fail(&err);
	if ((store = cli_open_store(0, &status)) == NULL) {
		free(text);
		return status;
	}
	if (tl_challenge_resolve(store, argv[first], number, upheld, remedy,
	    text, cli_now(), &err) != TL_OK)
		status = cli_fail(&err);
	else {
		printf("Challenge %lld of election %s is %s", (long long)number,
		    argv[first], o.decision);
		if (remedy == TL_REMEDY_RECOUNT)
			printf(": the result is withdrawn; count it again with "
			    "'teller tally %s', then certify it", argv[first]);
		else if (remedy == TL_REMEDY_NEW_VOTE)
			printf(": the result is annulled; a new vote is needed");
		printf(".\n");
		status = 0;
	}
	free(text);
	tl_store_close(store);
	return status;
}

static void
print_challenges(const char *id, const json_t *list)
{
	const json_t *c;
	size_t i;

	if (json_array_size(list) == 0)
		printf("Election %s has no challenges.\n", id);
	json_array_foreach(list, i, c) {
		const char *decision = json_string_value(json_object_get(c,
		    "decision"));
		const char *remedy = json_string_value(json_object_get(c,
		    "remedy"));

		printf("Challenge %" JSON_INTEGER_FORMAT " by %s, filed %s: "
		    "%s%s%s\n  %s\n",
		    json_integer_value(json_object_get(c, "number")),
		    json_string_value(json_object_get(c, "voter")),
		    json_string_value(json_object_get(c, "filed")),
		    decision != NULL ? decision : "undecided",
		    remedy != NULL ? ", " : "", remedy != NULL ? remedy : "",
		    json_string_value(json_object_get(c, "text")));
		if (decision != NULL)
			printf("  Decision (%s): %s\n",
			    json_string_value(json_object_get(c, "decided")),
			    json_string_value(json_object_get(c,
			    "decision_text")));
	}
}

static int
exec_list(int argc, char **argv)
{
	return cli_show_election(argc, argv, tl_challenge_list,
	    print_challenges);
}

const struct cli_command cmd_certify = {
	"certify", NULL, "ID",
	"Certify the counted result; the challenge period begins.",
	"Signs a certification naming the counted result into the log, and\n"
	"sends the result.certified webhook event.  Refused after the\n"
	"challenge phase has closed.  The result becomes final with 'teller\n"
	"election finalize' once the challenge phase is over and every\n"
	"challenge is decided.\n",
	exec_certify,
};

const struct cli_command cmd_challenge_file = {
	"challenge", "file",
	"ID --text FILE --key FILE --voter VID [-o FILE] [--receipt FILE]  (or: --envelope FILE [--receipt FILE])",
	"Challenge the certified result as an eligible voter.",
	"The challenge is a DSSE envelope signed with the voter's key (the one\n"
	"on the roll, as for ballots) that names the certification and gives\n"
	"the text of FILE.  It is accepted during the challenge phase, while\n"
	"the result is certified, and appended to the log; print its number\n"
	"and its receipt, signed by the authority, which shows where it is in\n"
	"the log: an authority that later dropped the challenge from its log\n"
	"could not make the record agree with the receipt ('teller receipt\n"
	"verify RECEIPT --record RECORD').\n"
	"--envelope records a challenge a voter signed elsewhere.\n\n"
	"Options:\n"
	"  --text FILE       the challenge's text (UTF-8, up to 16 KiB)\n"
	"  --key FILE        the voter's private key\n"
	"  --voter VID       the voter's id on the roll\n"
	"  -o, --output FILE also write the signed challenge to FILE\n"
	"  --receipt FILE    write the challenge's receipt to FILE (without\n"
	"                    it, the receipt is printed after the message)\n"
	"  --envelope FILE   record this signed challenge instead\n",
	exec_file,
};

const struct cli_command cmd_challenge_resolve = {
	"challenge", "resolve",
	"ID N --decision upheld|dismissed [--remedy recount|new-vote] --text FILE",
	"Record the authority's decision on challenge N.",
	"The signed decision is appended to the log.  An upheld challenge\n"
	"needs a remedy: recount withdraws the result and its certification\n"
	"(the election is closed again, to be counted and certified anew);\n"
	"new-vote annuls the result (the final statement will say so, and the\n"
	"new vote is a new election).\n\n"
	"Options:\n"
	"  --decision D   upheld or dismissed\n"
	"  --remedy R     for an upheld challenge: recount or new-vote\n"
	"  --text FILE    the decision's reasons (UTF-8, up to 16 KiB)\n",
	exec_resolve,
};

const struct cli_command cmd_challenge_list = {
	"challenge", "list", "ID",
	"List the challenges and the decisions on them.",
	"Options:\n"
	"  --json       print a JSON array\n",
	exec_list,
};
