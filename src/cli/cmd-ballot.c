/*
 * cmd-ballot.c: teller ballot make|cast: a voter builds and signs a ballot
 * from the signed manifest, then casts it and keeps the receipt.
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client-opts.h"
#include "voter-opts.h"
#include "teller/ballot.h"
#include "teller/cast.h"
#include "teller/client.h"
#include "teller/credential.h"
#include "teller/crypto.h"
#include "teller/envelope.h"
#include "teller/manifest.h"
#include "teller/util.h"

struct ballot_opts {
	const char *manifest;
	struct cli_voter voter;   /* --key, --voter, -o */
	const char *credential;
	int64_t seq;
	const char **votes;
	size_t nvotes;
	const char **blanks;
	size_t nblanks;
	int blank_rest;
};

/* Appends arg to a growing list; 0, or the exit status. */
static int
list_add(const char ***list, size_t *n, const char *arg)
{
	const char **p = realloc(*list, (*n + 1) * sizeof(*p));

	if (p == NULL) {
		cli_error("out of memory");
		return EXIT_INTERNAL;
	}
	*list = p;
	(*list)[(*n)++] = arg;
	return 0;
}

static int
ballot_option(int opt, const char *arg, void *ctx)
{
	struct ballot_opts *o = ctx;

	switch (opt) {
	case 'm':
		o->manifest = arg;
		return 0;
	case 'c':
		o->credential = arg;
		return 0;
	case 's':
		if (tl_parse_int64(arg, 1, INT64_MAX / 2, &o->seq) != TL_OK)
			return cli_usage_error("--seq: \"%s\" is not a whole "
			    "number from 1", arg);
		return 0;
	case 'v':
		return list_add(&o->votes, &o->nvotes, arg);
	case 'b':
		return list_add(&o->blanks, &o->nblanks, arg);
	case 'B':
		o->blank_rest = 1;
		return 0;
	default:
		return cli_voter_option(opt, arg, &o->voter);
	}
}

/* The credential file of a secret election's voter, finished, for the
 * manifest the ballot is made against. */
static int
load_credential(const char *path, const struct tl_manifest *m,
    const char *hash, struct tl_credential_holder **out)
{
	int status;

	if ((status = cli_read_credential(path, m, out)) != 0)
		return status;
	if (strcmp((*out)->manifest, hash) != 0) {
		cli_error("%s is a credential for manifest %.16s..., not for this "
		    "one (%.16s...)", path, (*out)->manifest, hash);
		return EXIT_USAGE;
	}
	if (!tl_credential_holder_done(*out)) {
		cli_error("%s holds a credential request that has no answer yet: "
		    "run 'teller credential request' again with it", path);
		return EXIT_USAGE;
	}
	return 0;
}

static int
exec_make(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"manifest", required_argument, NULL, 'm'},
		CLI_VOTER_LONGOPTS,
		{"credential", required_argument, NULL, 'c'},
		{"vote", required_argument, NULL, 'v'},
		{"blank", required_argument, NULL, 'b'},
		{"blank-all", no_argument, NULL, 'B'},
		{"seq", required_argument, NULL, 's'},
		{"output", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	struct ballot_opts o = {.seq = 1};
	struct tl_manifest *manifest = NULL;
	struct tl_credential_holder *holder = NULL;
	struct tl_key *key = NULL;
	struct tl_envelope *env = NULL;
	struct tl_error err;
	const struct tl_key *key_used;
	char hash[TL_HASH_HEX_LEN + 1], *payload = NULL, *text = NULL;
	size_t payload_len = 0;
	int first, status, r;

	if ((status = cli_parse(argc, argv, "o:", longopts, ballot_option, &o,
	    &first)) >= 0)
		goto out;
	if ((status = cli_operands(argc - first, 0, 0)) != 0)
		goto out;
	if (o.manifest == NULL) {
		status = cli_usage_error("--manifest, --key and --voter are "
		    "required (in a secret election: --manifest and "
		    "--credential)");
		goto out;
	}
	tl_error_clear(&err);
	if (cli_load_manifest(o.manifest, &manifest, hash, NULL, &err) !=
	    TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	if (manifest->secrecy == TL_SECRECY_SECRET) {
		/* A secret ballot: the credential's ballot key signs it. */
		if (o.credential == NULL || o.voter.key != NULL ||
		    o.voter.id != NULL) {
			status = cli_usage_error("election %s is secret: make its "
			    "ballot with --credential FILE (from 'teller "
			    "credential request'), without --key and --voter",
			    manifest->id);
			goto out;
		}
		if ((status = load_credential(o.credential, manifest, hash,
		    &holder)) != 0)
			goto out;
		r = tl_ballot_make_secret(manifest, hash, &holder->credential,
		    o.seq, o.votes, o.nvotes, o.blanks, o.nblanks, o.blank_rest,
		    &payload, &payload_len, &err);
		key_used = holder->ballot_key;
	} else {
		if (o.credential != NULL) {
			status = cli_usage_error("election %s is open: its ballots "
			    "name their voter and carry no credential; give --key "
			    "and --voter instead of --credential", manifest->id);
			goto out;
		}
		if (o.voter.key == NULL || o.voter.id == NULL) {
			status = cli_usage_error("--manifest, --key and --voter are "
			    "required (election %s is open: its ballots name their "
			    "voter)", manifest->id);
			goto out;
		}
		if ((r = tl_key_load_private(o.voter.key, &key, &err)) == TL_OK)
			r = tl_ballot_make(manifest, hash, o.voter.id, o.seq,
			    o.votes, o.nvotes, o.blanks, o.nblanks, o.blank_rest,
			    &payload, &payload_len, &err);
		key_used = key;
	}
	if (r != TL_OK ||
	    tl_envelope_sign(TL_TYPE_BALLOT, payload, payload_len, key_used,
	    &env, &err) != TL_OK ||
	    tl_envelope_serialize(env, &text, NULL, &err) != TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	status = cli_write_output(o.voter.output, text, 0644);
 out:
	free(o.votes);
	free(o.blanks);
	tl_manifest_free(manifest);
	tl_credential_holder_free(holder);
	tl_key_free(key);
	tl_envelope_free(env);
	free(payload);
	free(text);
	return status;
}

/* A refused ballot's error, naming its file; an error of the system (the
 * database, the network) is not the file's, and is shown as it is. */
static int
fail_naming(struct tl_error *err, const char *path)
{
	if (tl_error_exit_status(err->code) == EXIT_USAGE)
		tl_error_prefix(err, "%s", path);
	return cli_fail(err);
}

struct cast_opts {
	const char *output;
	const char *manifest;       /* pins the server's */
	struct cli_client client;   /* --server, --cacert */
};

static int
cast_option(int opt, const char *arg, void *ctx)
{
	struct cast_opts *o = ctx;

	switch (opt) {
	case 'o':
		o->output = arg;
		return 0;
	case 'm':
		o->manifest = arg;
		return 0;
	default:
		return cli_client_option(opt, arg, &o->client);
	}
}

static int
exec_cast(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"manifest", required_argument, NULL, 'm'},
		CLI_CLIENT_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	struct cast_opts o = {0};
	struct tl_store *store = NULL;
	struct tl_error err;
	char *text = NULL, *receipt = NULL;
	size_t len = 0;
	int first, status;

	if ((status = cli_parse(argc, argv, "o:", longopts, cast_option, &o,
	    &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 1, 1)) != 0 ||
	    (status = cli_client_setup(&o.client, o.manifest)) != 0)
		goto out;
	tl_error_clear(&err);
	if (cli_read_file(argv[first], TL_ENVELOPE_MAX_BALLOT, &text, &len,
	    &err) != TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	if (o.client.server.url != NULL) {
		/* Sent, then the receipt checked before it is printed. */
		if (tl_client_cast(&o.client.server, text, len, o.client.pinned,
		    o.client.pinned_len, &receipt, &err) != TL_OK) {
			status = fail_naming(&err, argv[first]);
			goto out;
		}
	} else {
		if ((store = cli_open_store(0, &status)) == NULL)
			goto out;
		if (tl_ballot_cast(store, text, len, cli_now(), &receipt,
		    &err) != TL_OK) {
			status = fail_naming(&err, argv[first]);
			goto out;
		}
	}
	status = cli_write_output(o.output, receipt, 0644);
 out:
	cli_client_free(&o.client);
	tl_store_close(store);
	free(text);
	free(receipt);
	return status;
}

const struct cli_command cmd_ballot_make = {
	"ballot", "make",
	"--manifest FILE (--key FILE --voter ID | --credential FILE)\n"
	"    (--vote CONTEST=SELECTION | --blank CONTEST)... [--blank-all]",
	"Build a ballot and sign it (with the voter's key, or the credential's "
	"ballot key); print it.",
	"SELECTION is, by the contest's method:\n"
	"  A,B          plurality (up to the contest's seats) or approval\n"
	"  A>B=C>D      a ranking, most preferred first; = ranks equal (Schulze\n"
	"               only)\n"
	"  yes|no|abstain   a referendum\n"
	"Candidates are named by id or by their exact name.  You vote in the\n"
	"contests of your constituency only, and each of them needs a --vote or\n"
	"a --blank: a ballot that leaves a contest out is refused, so that no\n"
	"vote is left blank by accident (a blank ballot cast as a revote\n"
	"replaces your earlier vote).  The ballot lists its contests in the\n"
	"manifest's order.\n\n"
	"In an open election the ballot names you and is signed with your roll\n"
	"key (--key, --voter).  In a secret election it names nobody: it carries\n"
	"the ballot key and credential of your credential file (--credential,\n"
	"from 'teller credential request') and is signed with that ballot key.\n"
	"Cast it later than the request and over another connection, so that\n"
	"timing does not link the two (doc/threat-model.md).\n\n"
	"Options:\n"
	"  --manifest FILE   the signed manifest ('teller manifest ID')\n"
	"  --key FILE        your private key ('teller key generate'); open\n"
	"                    elections\n"
	"  --voter ID        your voter id on the roll; open elections\n"
	"  --credential FILE your credential file; secret elections\n"
	"  --vote C=S        your selection in contest C (repeat)\n"
	"  --blank C         a deliberately blank vote in contest C (repeat)\n"
	"  --blank-all       a blank vote in every contest not given a --vote\n"
	"                    (alone: a wholly blank ballot)\n"
	"  --seq N           the ballot's sequence number (default 1); to vote\n"
	"                    again where the last ballot counts, use a higher one\n"
	"  -o, --output FILE write the ballot to FILE\n",
	exec_make,
};

const struct cli_command cmd_ballot_cast = {
	"ballot", "cast", "FILE [--server URL [--manifest FILE] [--cacert FILE]]",
	"Cast a signed ballot; print the receipt once it is durably stored.",
	"The ballot is checked (election open and in its voting window, voter\n"
	"on the roll, signature by the voter's key, content valid, revote\n"
	"policy) and, if it passes, stored and appended to the public log in\n"
	"one transaction.  Only after that transaction has committed is the\n"
	"receipt printed: the ballot's hash and log position, the signed tree\n"
	"head and the inclusion proof, signed by the authority.  Keep it.\n"
	"A rejected ballot is not stored.\n\n"
	"With --server, the ballot is sent to a teller server (teller serve)\n"
	"instead, and its receipt is checked before it is printed: signed by\n"
	"the authority key of the election's signed manifest, naming this\n"
	"ballot, with an inclusion proof that holds.  The manifest is the one\n"
	"given with --manifest, else the server's, which must then be the one\n"
	"the ballot was made for (its hash is in the ballot).\n\n"
	"Options:\n"
	"  -o, --output FILE  write the receipt to FILE\n"
	"  --server URL       send the ballot to the server at URL\n"
	"                     (http://HOST:PORT or https://HOST[:PORT])\n"
	"  --manifest FILE    with --server: check the receipt with this signed\n"
	"                     manifest's authority key\n"
	"  --cacert FILE      with an https server: trust the certificate\n"
	"                     authorities in this PEM file instead of the\n"
	"                     system's (the server's name is still checked)\n",
	exec_cast,
};
