/*
 * cmd-trustee.c: the trustees' commands.  teller trustee keygen makes a
 * trustee's key file for one election: an Ed25519 identity key and an
 * X25519 sealing key.
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "teller/crypto.h"
#include "teller/trustee.h"

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
