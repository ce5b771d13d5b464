/*
 * cmd-roll.c: teller roll import: load a constituency's voters.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "teller/election.h"
#include "teller/roll.h"
#include "teller/util.h"

static int
exec_roll_import(int argc, char **argv)
{
	struct tl_store *store = NULL;
	struct tl_error err;
	char *csv = NULL;
	size_t len = 0, count = 0;
	int first, status;

	if ((status = cli_parse(argc, argv, NULL, NULL, NULL, NULL, &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 2, 2)) != 0)
		return status;
	if ((store = cli_open_store(0, &status)) == NULL)
		return status;
	tl_error_clear(&err);
	if (tl_read_file(argv[first + 1], TL_ROLL_MAX_BYTES, &csv, &len, &err) !=
	    TL_OK ||
	    tl_election_import_roll(store, argv[first], csv, len,
	    argv[first + 1], &count, &err) != TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	printf("Imported %zu voter%s into election %s.\n", count,
	    count == 1 ? "" : "s", argv[first]);
	status = 0;
 out:
	free(csv);
	tl_store_close(store);
	return status;
}

const struct cli_command cmd_roll_import = {
	"roll", "import", "ID FILE.csv",
	"Add voters to a draft election's roll from a CSV file.",
	"FILE.csv starts with the header line\n"
	"  voter_id,name,constituency,weight,public_key\n"
	"and has one voter per line: an id, a name (quote it with \"\" if it has\n"
	"a comma), the id of one of the manifest's constituencies, a whole\n"
	"weight from 1 to 1000, and the voter's Ed25519 public key in base64\n"
	"(as 'teller key generate' prints it).  The file is checked whole\n"
	"first: if any line is wrong, or a voter id or key is already on the\n"
	"roll, nothing is imported and the error names the file and line.\n"
	"Import one file per constituency, or one for all.\n",
	exec_roll_import,
};
