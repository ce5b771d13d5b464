/*
 * cmd-key.c: teller key generate: a voter's (or anyone's) Ed25519 key pair.
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "teller/crypto.h"

struct key_opts {
	int json;
};

static int
key_option(int opt, const char *arg, void *ctx)
{
	struct key_opts *o = ctx;

	(void)arg;
	if (opt == 'j') {
		o->json = 1;
		return 0;
	}
	return EXIT_USAGE;
}

static int
exec_key_generate(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct key_opts o = {0};
	struct tl_key *key = NULL;
	struct tl_error err;
	char pub[TL_PUBLIC_B64_LEN + 1], keyid[TL_KEYID_LEN + 1];
	int first, status;

	if ((status = cli_parse(argc, argv, NULL, longopts, key_option, &o,
	    &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 1, 1)) != 0)
		return status;
	tl_error_clear(&err);
	if (tl_key_generate(&key, &err) != TL_OK ||
	    tl_key_write_private(key, argv[first], &err) != TL_OK) {
		tl_key_free(key);
		return cli_fail(&err);
	}
	tl_key_public_base64(key, pub);
	tl_key_id(key, keyid);
	tl_key_free(key);
	if (o.json) {
		json_t *doc = json_pack("{s:s, s:s, s:s}", "private_key_file",
		    argv[first], "public_key", pub, "key_id", keyid);

		status = cli_print_json(doc);
		json_decref(doc);
		return status;
	}
	printf("public_key: %s\nkey_id: %s\n", pub, keyid);
	return 0;
}

const struct cli_command cmd_key_generate = {
	"key", "generate", "FILE",
	"Write a new Ed25519 private key to FILE (mode 0600) and print its "
	"public key.",
	"FILE must not exist.  The public key (base64 of its 32 bytes) goes in\n"
	"the voter roll's public_key column; the key id is the hex SHA-256 of\n"
	"those bytes.  teller refuses to read a private key file that its group\n"
	"or others can read.\n\n"
	"Options:\n"
	"  --json       print {\"private_key_file\", \"public_key\", \"key_id\"}\n",
	exec_key_generate,
};
