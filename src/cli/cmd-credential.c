/*
 * cmd-credential.c: teller credential request: a voter of a secret
 * election obtains the anonymous credential they then vote with
 * (credential.h; doc/record-format.md 5.15).
 *
 * The voter's side runs here, on the voter's machine: the class keys and
 * the roll come from the server (or the local database) and are checked
 * against the authority key of the signed manifest the voter holds; the
 * one-time ballot key and the blinding are made here and never leave the
 * credential file.  The file is written (mode 0600) before the request is
 * sent, so that a lost answer is asked for again with the very same
 * request, which gets the same answer.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "client-opts.h"
#include "voter-opts.h"
#include "teller/client.h"
#include "teller/credential.h"
#include "teller/envelope.h"
#include "teller/issuance.h"
#include "teller/roll.h"
#include "teller/util.h"

struct credential_opts {
	const char *manifest;
	struct cli_voter voter;     /* --key, --voter, -o */
	struct cli_client client;   /* --server, --cacert */
};

static int
credential_option(int opt, const char *arg, void *ctx)
{
	struct credential_opts *o = ctx;

	switch (opt) {
	case 'm':
		o->manifest = arg;
		return 0;
	case 'S':
	case 'C':
		return cli_client_option(opt, arg, &o->client);
	default:
		return cli_voter_option(opt, arg, &o->voter);
	}
}

/* The election's class keys and roll come from a server, or the local
 * database (struct cli_source). */
static int
source_keys(const struct cli_source *s, const char *election, char **text,
    struct tl_error *err)
{
	if (s->server != NULL)
		return tl_client_credential_keys(s->server, election, text, err);
	return tl_election_credential_keys(s->store, election, text, err);
}

static int
source_send(const struct cli_source *s, const char *election,
    const char *request, char **answer, struct tl_error *err)
{
	if (s->server != NULL)
		return tl_client_credential_request(s->server, election, request,
		    strlen(request), answer, err);
	return tl_credential_issue(s->store, request, strlen(request),
	    cli_now(), answer, NULL, err);
}

/* The voter's entry in the signed roll, checked to be the authority's
 * roll of this election. */
static int
roll_voter(const char *text, size_t len, const struct tl_key *authority,
    const struct tl_manifest *m, const char *voter_id, struct tl_roll **roll,
    const struct tl_voter **voter, struct tl_error *err)
{
	struct tl_envelope *env = NULL;
	char *election = NULL, hash[TL_HASH_HEX_LEN + 1];
	int r;

	if ((r = tl_envelope_parse(text, len, TL_ENVELOPE_MAX_ROLL, &env,
	    err)) != TL_OK ||
	    (r = tl_envelope_expect_type(env, TL_TYPE_ROLL, err)) != TL_OK)
		goto out;
	if (env->nsignatures != 1 || tl_envelope_verify(env, authority, NULL) !=
	    TL_OK) {
		r = tl_error_set(err, TL_ESIGNATURE, "the roll is not signed by "
		    "the election's authority key");
		goto out;
	}
	if ((r = tl_roll_parse_json((const char *)env->payload,
	    env->payload_len, m, &election, hash, roll, err)) != TL_OK)
		goto out;
	if (strcmp(election, m->id) != 0) {
		r = tl_error_set(err, TL_EWRONGELECTION, "the roll is of election "
		    "%s, not %s", election, m->id);
		goto out;
	}
	if ((*voter = tl_roll_find(*roll, voter_id)) == NULL)
		r = tl_error_set(err, TL_ENOTONROLL, "voter \"%.64s\" is not on "
		    "the roll of election %s", voter_id, m->id);
 out:
	free(election);
	tl_envelope_free(env);
	return r;
}

/* Writes the credential file (mode 0600, replaced whole). */
static int
save(const struct tl_credential_holder *h, const char *path)
{
	struct tl_error err;
	char *text = NULL;
	int status;

	tl_error_clear(&err);
	if (tl_credential_holder_serialize(h, &text, &err) != TL_OK)
		return cli_fail(&err);
	status = cli_write_output(path, text, 0600);
	tl_wipe_free(text);
	return status;
}

int
cli_read_credential(const char *path, const struct tl_manifest *m,
    struct tl_credential_holder **out)
{
	struct tl_error err;
	char *text = NULL;
	size_t len = 0;
	int r;

	tl_error_clear(&err);
	if (tl_read_file(path, TL_CREDENTIAL_HOLDER_MAX, &text, &len, &err) !=
	    TL_OK)
		return cli_fail(&err);
	r = tl_credential_holder_parse(text, len, m, out, &err);
	tl_wipe(text, len);
	free(text);
	if (r != TL_OK) {
		tl_error_prefix(&err, "%s", path);
		return cli_fail(&err);
	}
	return 0;
}

/* A credential file already there: a request to send again, or done. */
static int
resume(const char *path, const struct tl_manifest *m, const char *hash,
    const char *voter, struct tl_credential_holder **out)
{
	int status;

	if ((status = cli_read_credential(path, m, out)) != 0)
		return status;
	if (strcmp((*out)->voter, voter) != 0 ||
	    strcmp((*out)->manifest, hash) != 0) {
		cli_error("%s holds a credential request of voter %s for manifest "
		    "%.16s..., not of voter %s for this manifest; give another "
		    "--output", path, (*out)->voter, (*out)->manifest, voter);
		return EXIT_USAGE;
	}
	if (tl_credential_holder_done(*out)) {
		cli_error("%s already holds voter %s's credential: a voter gets "
		    "one.  Vote with it: teller ballot make --credential %s", path,
		    voter, path);
		return EXIT_USAGE;
	}
	return 0;
}

static int
exec_request(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"manifest", required_argument, NULL, 'm'},
		CLI_VOTER_LONGOPTS,
		{"output", required_argument, NULL, 'o'},
		CLI_CLIENT_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	struct credential_opts o = {0};
	struct cli_source src = {NULL, NULL};
	struct tl_manifest *m = NULL;
	struct tl_key *authority = NULL, *roll_key = NULL;
	struct tl_credential_keys *keys = NULL;
	struct tl_credential_holder *h = NULL;
	struct tl_roll *roll = NULL;
	const struct tl_voter *voter = NULL;
	struct tl_error err;
	char hash[TL_HASH_HEX_LEN + 1], *keys_text = NULL, *roll_text = NULL;
	char *answer = NULL;
	size_t roll_len = 0;
	int first, status;

	if ((status = cli_parse(argc, argv, "o:", longopts, credential_option,
	    &o, &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 0, 0)) != 0)
		return status;
	if (o.manifest == NULL || o.voter.key == NULL || o.voter.id == NULL ||
	    o.voter.output == NULL)
		return cli_usage_error("--manifest, --key, --voter and --output "
		    "are required");
	if (strcmp(o.voter.output, "-") == 0)
		return cli_usage_error("--output: the credential goes to a file "
		    "(it holds your ballot key), not standard output");
	if ((status = cli_client_setup(&o.client, NULL)) != 0)
		return status;
	tl_error_clear(&err);
	if (cli_load_manifest(o.manifest, &m, hash, &authority, &err) !=
	    TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	if (m->secrecy != TL_SECRECY_SECRET) {
		status = cli_usage_error("election %s is open, not secret: its "
		    "ballots name their voter, and it gives no credentials; vote "
		    "with 'teller ballot make --key FILE --voter ID'", m->id);
		goto out;
	}
	if (access(o.voter.output, F_OK) == 0 &&
	    (status = resume(o.voter.output, m, hash, o.voter.id, &h)) != 0)
		goto out;
	if ((status = cli_source_open(&o.client, &src)) != 0)
		goto out;
	if (source_keys(&src, m->id, &keys_text, &err) != TL_OK ||
	    tl_credential_keys_open(keys_text, strlen(keys_text), authority, m,
	    hash, &keys, &err) != TL_OK) {
		tl_error_prefix(&err, "the credential keys of election %s", m->id);
		status = cli_fail(&err);
		goto out;
	}
	if (h == NULL) {
		if (tl_key_load_private(o.voter.key, &roll_key, &err) !=
		    TL_OK ||
		    /* The signed roll: log entry 1. */
		    cli_source_log_entry(&src, m->id, 1, &roll_text, &roll_len,
		    &err) != TL_OK ||
		    roll_voter(roll_text, roll_len, authority, m, o.voter.id,
		    &roll, &voter, &err) != TL_OK ||
		    tl_credential_holder_new(m, hash, keys, voter, roll_key, &h,
		    &err) != TL_OK) {
			status = cli_fail(&err);
			goto out;
		}
		/* Saved before it is sent: a lost answer is asked for again
		 * with this same request. */
		if ((status = save(h, o.voter.output)) != 0)
			goto out;
	}
	if (source_send(&src, m->id, h->request, &answer, &err) != TL_OK) {
		tl_error_prefix(&err, "the credential request (kept in %s: run "
		    "this command again to send it again)", o.voter.output);
		status = cli_fail(&err);
		goto out;
	}
	if (tl_credential_holder_finish(h, keys, authority, answer,
	    strlen(answer), &err) != TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	if ((status = save(h, o.voter.output)) != 0)
		goto out;
	printf("Credential of voter %s for election %s (class %s, weight "
	    "%lld) saved in %s.\n"
	    "Keep it secret: it holds your one-time ballot key.\n"
	    "For your ballot to stay secret, cast it later (hours later if you "
	    "can, when\nothers have voted too) and over another connection "
	    "(another network, Tor\nor a VPN):\n"
	    "  teller ballot make --manifest %s --credential %s --vote ...\n"
	    "  teller ballot cast BALLOT\n", h->voter, m->id,
	    h->credential.constituency, (long long)h->credential.weight,
	    o.voter.output, o.manifest, o.voter.output);
 out:
	cli_source_close(&src);
	tl_manifest_free(m);
	tl_key_free(authority);
	tl_key_free(roll_key);
	tl_credential_keys_free(keys);
	tl_credential_holder_free(h);
	tl_roll_free(roll);
	free(keys_text);
	free(roll_text);
	free(answer);
	return status;
}

const struct cli_command cmd_credential_request = {
	"credential", "request",
	"--manifest FILE --key FILE --voter ID -o FILE [--server URL "
	"[--cacert FILE]]",
	"Obtain your anonymous credential for a secret election.",
	"In a secret election a ballot names no voter.  Instead each voter\n"
	"obtains one credential: a blind RSA signature (RFC 9474) of the\n"
	"election's key for their class (constituency and weight) over a\n"
	"one-time ballot key made here.  The request is signed with your roll\n"
	"key and logged, so the public record shows that you obtained a\n"
	"credential (the turnout of a secret election), but the signature is\n"
	"blind: nobody, not even the authority, can tell which ballot it is\n"
	"on.  The credential is checked here against the class key of the\n"
	"election's signed credential keys statement before it is kept.\n\n"
	"The credential file (mode 0600) holds the ballot key: keep it secret.\n"
	"It is written before the request is sent; if the answer is lost, run\n"
	"the same command again: the same request gets the same answer.  A\n"
	"voter gets one credential; another request is refused.\n\n"
	"Then vote with it: 'teller ballot make --credential FILE' and\n"
	"'teller ballot cast'.  For your ballot to stay secret, cast it LATER\n"
	"(hours later if you can, when others have voted too) and OVER ANOTHER\n"
	"CONNECTION (another network, Tor or a VPN): a ballot cast right after\n"
	"a request, from the same address, can be linked to it by its timing\n"
	"(doc/threat-model.md).\n\n"
	"Options:\n"
	"  --manifest FILE   the election's signed manifest ('teller manifest ID')\n"
	"  --key FILE        your private roll key\n"
	"  --voter ID        your voter id on the roll\n"
	"  -o, --output FILE the credential file to write (or to resume)\n"
	"  --server URL      ask the teller server at URL (https://HOST or\n"
	"                    http://HOST:PORT); without it, the local database\n"
	"                    (--db)\n"
	"  --cacert FILE     with an https server: trust the certificate\n"
	"                    authorities of FILE (PEM) in place of the system's\n",
	exec_request,
};
