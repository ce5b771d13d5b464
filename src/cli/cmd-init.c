/*
 * cmd-init.c: teller init: create the database and the authority key,
 * kept in the database or (--key-file) in a file of its own.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "teller/crypto.h"
#include "teller/store.h"

static int
exec_init(int argc, char **argv)
{
	struct tl_store *store;
	struct tl_key *key = NULL;
	struct tl_error err;
	char pub[TL_PUBLIC_B64_LEN + 1], keyid[TL_KEYID_LEN + 1], *file = NULL;
	int first, status;

	if ((status = cli_parse(argc, argv, NULL, NULL, NULL, NULL, &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 0, 0)) != 0)
		return status;
	if (cli.passphrase_file != NULL && cli.key_file == NULL)
		return cli_usage_error("--passphrase-file encrypts the "
		    "authority's key file: give --key-file FILE too");
	/* Checked before the database is made, so that a refusal leaves
	 * nothing behind. */
	if (cli.key_file != NULL && access(cli.key_file, F_OK) == 0) {
		cli_error("%s exists already; teller never overwrites a key: "
		    "give a new path", cli.key_file);
		return EXIT_USAGE;
	}
	if (cli.passphrase_file != NULL && access(cli.passphrase_file, R_OK) !=
	    0) {
		cli_error("%s: cannot read the passphrase: %s",
		    cli.passphrase_file, strerror(errno));
		return EXIT_USAGE;
	}
	if ((store = cli_open_store(1, &status)) == NULL)
		return status;
	tl_error_clear(&err);
	if (tl_store_init_authority(store, cli_now(), &err) != TL_OK ||
	    tl_store_authority(store, &key, &err) != TL_OK ||
	    tl_store_authority_file(store, &file, &err) != TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	tl_key_public_base64(key, pub);
	tl_key_id(key, keyid);
	printf("Initialised %s\nAuthority public key: %s\nAuthority key id:     %s\n",
	    cli.db_path, pub, keyid);
	if (file != NULL)
		printf("Authority key file:   %s (mode 0600%s; the database "
		    "records this path)\n", file, cli.passphrase_file != NULL ?
		    ", encrypted under the passphrase" : "");
	status = 0;
 out:
	free(file);
	tl_key_free(key);
	tl_store_close(store);
	return status;
}

const struct cli_command cmd_init = {
	"init", NULL, "[--key-file FILE [--passphrase-file FILE]]",
	"Create the database and the election authority's signing key.",
	"The database (mode 0600) holds elections, rolls, ballots, the public\n"
	"log and results.  The authority's Ed25519 private key, which signs\n"
	"manifests, rolls, tree heads, receipts and results, is kept in the\n"
	"database too, unless --key-file puts it in a file of its own, so that\n"
	"a copy of the database (a backup) cannot sign.  Publish the key id it\n"
	"prints, so that voters and observers can pin it.\n\n"
	"Options:\n"
	"  --key-file FILE         write the key to FILE (new; PKCS#8 PEM, mode\n"
	"                          0600) and record its path in the database:\n"
	"                          every command that signs reads it from there\n"
	"                          (or from --key-file / $TELLER_KEY_FILE)\n"
	"  --passphrase-file FILE  encrypt the key file under the passphrase in\n"
	"                          FILE (mode 0600; its final line end is not\n"
	"                          part of it): scrypt and AES-256.  Commands that\n"
	"                          sign then need it too (--passphrase-file or\n"
	"                          $TELLER_PASSPHRASE_FILE)\n",
	exec_init,
};
