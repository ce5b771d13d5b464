/*
 * cmd-init.c: teller init: create the database and the authority key.
 */
#include <config.h>

#include <stdio.h>

#include "cli.h"
#include "teller/crypto.h"
#include "teller/store.h"

static int
exec_init(int argc, char **argv)
{
	struct tl_store *store;
	struct tl_key *key = NULL;
	struct tl_error err;
	char pub[TL_PUBLIC_B64_LEN + 1], keyid[TL_KEYID_LEN + 1];
	int first, status;

	if ((status = cli_parse(argc, argv, NULL, NULL, NULL, NULL, &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 0, 0)) != 0)
		return status;
	if ((store = cli_open_store(1, &status)) == NULL)
		return status;
	tl_error_clear(&err);
	if (tl_store_init_authority(store, cli_now(), &err) != TL_OK ||
	    tl_store_authority(store, &key, &err) != TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	tl_key_public_base64(key, pub);
	tl_key_id(key, keyid);
	printf("Initialised %s\nAuthority public key: %s\nAuthority key id:     %s\n",
	    cli.db_path, pub, keyid);
	status = 0;
 out:
	tl_key_free(key);
	tl_store_close(store);
	return status;
}

const struct cli_command cmd_init = {
	"init", NULL, "",
	"Create the database and the election authority's signing key.",
	"The database (mode 0600) holds elections, rolls, ballots, the public\n"
	"log and results, and the authority's Ed25519 private key, which signs\n"
	"manifests, rolls, tree heads, receipts and results.  Publish the key id\n"
	"it prints, so that voters and observers can pin it.\n",
	exec_init,
};
