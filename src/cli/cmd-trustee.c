/*
 * cmd-trustee.c: the trustees' commands.  teller trustee keygen makes a
 * trustee's key file for one election: an Ed25519 identity key and an
 * X25519 sealing key; teller trustee unseal publishes the sealing key's
 * private half after the close, in a statement signed by the identity
 * key.
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "client-opts.h"
#include "teller/client.h"
#include "teller/crypto.h"
#include "teller/election.h"
#include "teller/envelope.h"
#include "teller/trustee.h"
#include "teller/unseal.h"
#include "teller/util.h"

struct keygen_opts {
	const char *output;
	int json;
};

static int
keygen_option(int opt, const char *arg, void *ctx)
{
	struct keygen_opts *o = ctx;

	switch (opt) {
	case 'o':
		o->output = arg;
		return 0;
	case 'j':
		o->json = 1;
		return 0;
	default:
		return EXIT_USAGE;
	}
}

static int
exec_trustee_keygen(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct keygen_opts o = {0};
	struct tl_trustee_key *key = NULL;
	struct tl_error err;
	char identity[TL_PUBLIC_B64_LEN + 1], sealing[TL_PUBLIC_B64_LEN + 1];
	char keyid[TL_KEYID_LEN + 1];
	int first, status;

	if ((status = cli_parse(argc, argv, "o:", longopts, keygen_option, &o,
	    &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 0, 0)) != 0)
		return status;
	if (o.output == NULL)
		return cli_usage_error("say where to write the key file: "
		    "-o FILE");
	if (strcmp(o.output, "-") == 0)
		return cli_usage_error("a private key file cannot go to "
		    "standard output: -o FILE");
	tl_error_clear(&err);
	if (tl_trustee_key_generate(&key, &err) != TL_OK ||
	    tl_trustee_key_write(key, o.output, &err) != TL_OK) {
		tl_trustee_key_free(key);
		return cli_fail(&err);
	}
	tl_key_public_base64(key->identity, identity);
	tl_key_id(key->identity, keyid);
	tl_trustee_sealing_public_base64(key, sealing);
	tl_trustee_key_free(key);
	if (o.json) {
		json_t *doc = json_pack("{s:s, s:s, s:s, s:s}", "key_file",
		    o.output, "identity_key", identity, "sealing_key", sealing,
		    "identity_key_id", keyid);

		status = cli_print_json(doc);
		json_decref(doc);
		return status;
	}
	printf("identity_key: %s\nsealing_key: %s\nidentity_key_id: %s\n",
	    identity, sealing, keyid);
	return 0;
}

const struct cli_command cmd_trustee_keygen = {
	"trustee", "keygen", "-o FILE",
	"Make a trustee's keys for one election in FILE (mode 0600) and print "
	"their public keys.",
	"A trustee holds two key pairs, kept together in FILE (two PEM blocks):\n"
	"  identity_key  Ed25519: signs the trustee's statements, such as the\n"
	"                one that unseals the ballots after the close;\n"
	"  sealing_key   X25519: each voter seals the trustee's share of the\n"
	"                ballot's key to it (HPKE, RFC 9180).\n"
	"Give both public keys (printed, base64) to the administrator for the\n"
	"election's manifest; keep FILE to yourself.  Make a new FILE for each\n"
	"election: after the close the trustee publishes the sealing key's\n"
	"private half, so it must never serve another election.  FILE must not\n"
	"exist.\n\n"
	"Options:\n"
	"  -o, --output FILE  the key file to write (required)\n"
	"  --json             print {\"key_file\", \"identity_key\", "
	"\"sealing_key\",\n"
	"                     \"identity_key_id\"}\n",
	exec_trustee_keygen,
};

struct unseal_opts {
	const char *key;
	struct cli_client client;   /* --server, --cacert */
	int json;
};

static int
unseal_option(int opt, const char *arg, void *ctx)
{
	struct unseal_opts *o = ctx;

	switch (opt) {
	case 'k':
		o->key = arg;
		return 0;
	case 'j':
		o->json = 1;
		return 0;
	default:
		return cli_client_option(opt, arg, &o->client);
	}
}

/* The election's signed manifest, from a server or the local database
 * (struct cli_source). */
static int
source_manifest(const struct cli_source *s, const char *id,
    struct tl_manifest **m, struct tl_key **authority, struct tl_error *err)
{
	char *text = NULL;
	int r;

	if (s->server != NULL)
		return tl_client_manifest(s->server, id, NULL, 0, m, authority,
		    err);
	if ((r = tl_election_signed_manifest(s->store, id, &text, err)) ==
	    TL_OK)
		r = tl_client_open_manifest(text, strlen(text), m, NULL,
		    authority, err);
	free(text);
	return r;
}

/*
 * The close statement the status names, checked before the key is given
 * away: the log's entry at its index has its entry hash, and is a close
 * statement of this election signed by the authority.  A server that
 * claims a close it has not logged gets nothing.
 */
static int
check_close(const struct cli_source *s, const char *id, json_t *close,
    const struct tl_key *authority, struct tl_error *err)
{
	const char *hash = json_string_value(json_object_get(close, "entry"));
	json_t *index = json_object_get(close, "leaf_index");
	struct tl_envelope *env = NULL;
	char *entry = NULL, got[TL_HASH_HEX_LEN + 1];
	size_t len = 0;
	int r;

	if (hash == NULL || !json_is_integer(index) ||
	    json_integer_value(index) < 0)
		return tl_error_set(err, TL_ESTATE, "election %s is not closed: "
		    "a trustee unseals only after the close", id);
	if ((r = cli_source_log_entry(s, id,
	    (uint64_t)json_integer_value(index), &entry, &len, err)) != TL_OK)
		goto out;
	tl_sha256_hex(entry, len, got);
	if (strcmp(got, hash) != 0 || tl_envelope_parse(entry, len,
	    TL_ENVELOPE_MAX_ROLL, &env, NULL) != TL_OK ||
	    strcmp(env->payload_type, TL_TYPE_CLOSE) != 0 ||
	    env->nsignatures != 1 || tl_envelope_verify(env, authority,
	    NULL) != TL_OK) {
		r = tl_error_set(err, TL_EVERIFY, "the close statement of "
		    "election %s is not in its log as the server says; the "
		    "key stays sealed", id);
		goto out;
	}
 out:
	tl_envelope_free(env);
	free(entry);
	return r;
}

static int
exec_trustee_unseal(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"key", required_argument, NULL, 'k'},
		{"json", no_argument, NULL, 'j'},
		CLI_CLIENT_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	struct unseal_opts o = {0};
	struct cli_source src = {NULL, NULL};
	struct tl_trustee_key *key = NULL;
	struct tl_manifest *m = NULL;
	struct tl_key *authority = NULL;
	struct tl_error err;
	json_t *status_doc = NULL, *answer = NULL, *close;
	const char *id, *hash;
	char identity[TL_PUBLIC_B64_LEN + 1], *text = NULL;
	size_t t, len = 0;
	int64_t now = cli_now(), close_time = 0;
	int first, status;

	if ((status = cli_parse(argc, argv, "k:", longopts, unseal_option, &o,
	    &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 1, 1)) != 0)
		return status;
	id = argv[first];
	if (o.key == NULL)
		return cli_usage_error("give the trustee's key file: --key FILE "
		    "(from 'teller trustee keygen')");
	if ((status = cli_client_setup(&o.client, NULL)) != 0)
		return status;
	tl_error_clear(&err);
	if (tl_trustee_key_load(o.key, &key, &err) != TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	if ((status = cli_source_open(&o.client, &src)) != 0)
		goto out;
	if (source_manifest(&src, id, &m, &authority, &err) != TL_OK ||
	    (src.server != NULL ? tl_client_unseal_status(src.server, id,
	    &status_doc, &err) : tl_election_unseal_status(src.store, id,
	    &status_doc, &err)) != TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	tl_key_public_base64(key->identity, identity);
	if ((t = tl_manifest_trustee_by_key(m, identity)) == (size_t)-1) {
		tl_error_set(&err, TL_EPERM, "the identity key of %s is not that "
		    "of a trustee of election %s", o.key, id);
		status = cli_fail(&err);
		goto out;
	}
	close = json_object_get(status_doc, "close");
	hash = json_string_value(json_object_get(status_doc, "manifest"));
	if (hash == NULL || check_close(&src, id, close, authority, &err) !=
	    TL_OK) {
		if (hash == NULL)
			tl_error_set(&err, TL_EINPUT, "the election's status "
			    "names no manifest");
		status = cli_fail(&err);
		goto out;
	}
	/* Dated no earlier than the close, even by a clock that is
	 * behind. */
	if (tl_time_parse(cli_str_or(close, "time", ""), &close_time) ==
	    TL_OK && close_time > now)
		now = close_time;
	if (tl_trustee_unseal_statement(key, id, hash, m->trustees[t].id,
	    json_string_value(json_object_get(close, "entry")), now, &text,
	    &len, &err) != TL_OK ||
	    (src.server != NULL ? tl_client_unseal(src.server, id, text, len,
	    &answer, &err) : tl_election_unseal(src.store, id, text, len,
	    cli_now(), NULL, &answer, &err)) != TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	if (o.json)
		status = cli_print_json(answer);
	else
		printf("trustee %s unsealed election %s: log entry %lld (%s); "
		    "%lld of the %lld trustees needed have unsealed\n",
		    m->trustees[t].id, id, (long long)json_integer_value(
		    json_object_get(answer, "leaf_index")),
		    cli_str_or(answer, "entry", "?"),
		    (long long)json_integer_value(json_object_get(answer,
		    "unsealed")), (long long)m->threshold);
 out:
	if (text != NULL)
		tl_wipe_free(text);
	json_decref(status_doc);
	json_decref(answer);
	tl_trustee_key_free(key);
	tl_manifest_free(m);
	tl_key_free(authority);
	cli_source_close(&src);
	return status;
}

const struct cli_command cmd_trustee_unseal = {
	"trustee", "unseal", "ELECTION --key FILE [--server URL]",
	"After the close, publish this trustee's sealing key so that the "
	"ballots can be opened.",
	"Once election ELECTION is closed, a trustee publishes the private half\n"
	"of its sealing key for that election in an unseal statement signed by\n"
	"its identity key; teller logs it.  With the statements of the\n"
	"threshold's number of trustees in the log, 'teller tally' opens the\n"
	"ballots and counts them.  The key served this election only, and the\n"
	"close is already in the log, so publishing it opens no other ballot.\n"
	"Before it signs anything, the command checks that the close statement\n"
	"is in the election's log, signed by the authority; it refuses before\n"
	"the close, a second time, and a key that is not a trustee's of the\n"
	"manifest.\n\n"
	"Options:\n"
	"  -k, --key FILE    the trustee's key file (from 'teller trustee keygen')\n"
	"  --server URL      the teller server at URL (https://HOST or\n"
	"                    http://127.0.0.1:PORT); without it, the local\n"
	"                    database (--db)\n"
	"  --cacert FILE     with an https server: trust the certificate\n"
	"                    authority in FILE\n"
	"  --json            print {\"election\", \"trustee\", \"entry\", "
	"\"leaf_index\",\n"
	"                    \"unsealed\", \"threshold\"}\n",
	exec_trustee_unseal,
};
