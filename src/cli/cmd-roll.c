/*
 * cmd-roll.c: teller roll import and list: load a constituency's voters,
 * and see who is on the roll and who has enrolled a key.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "teller/election.h"
#include "teller/enrol.h"
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

static int
roll_fetch(struct tl_store *store, const char *id, json_t **out,
    struct tl_error *err)
{
	return tl_enrol_roll(store, id, cli_now(), out, err);
}

static const char *
text_or(const json_t *obj, const char *key, const char *fallback)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : fallback;
}

static void
roll_print(const char *id, const json_t *list)
{
	size_t i, counts[3] = {0, 0, 0};
	const json_t *v;

	printf("%-16s %-16s %6s  %-16s %-28s %s\n", "VOTER", "CONSTITUENCY",
	    "WEIGHT", "KEY", "E-MAIL", "ENROLMENT");
	json_array_foreach(list, i, v) {
		const char *state = text_or(v, "enrolment", "");
		const json_t *notice = json_object_get(v, "last_notice");
		char key[20];

		snprintf(key, sizeof(key), "%.12s%s", text_or(v, "key_id", "-"),
		    json_is_string(json_object_get(v, "key_id")) ? "..." : "");
		printf("%-16s %-16s %6lld  %-16s %-28s %s", text_or(v, "voter",
		    ""), text_or(v, "constituency", ""),
		    (long long)json_integer_value(json_object_get(v, "weight")),
		    key, text_or(v, "email", "-"), state);
		if (strcmp(state, "enrolled") == 0)
			printf(" %s", text_or(v, "enrolled_at", ""));
		else if (strcmp(state, "pending") == 0) {
			if (json_is_string(json_object_get(v, "link_expires")))
				printf(", link until %s", text_or(v,
				    "link_expires", ""));
			else
				printf(", no link that works");
		}
		if (json_is_object(notice))
			printf("; %s sent %s", text_or(notice, "kind", ""),
			    text_or(notice, "sent_at", ""));
		putchar('\n');
		counts[strcmp(state, "imported") == 0 ? 0 :
		    strcmp(state, "enrolled") == 0 ? 1 : 2]++;
	}
	printf("\nElection %s: %zu voter%s; %zu key%s imported, %zu enrolled, "
	    "%zu still to enrol.\n", id, json_array_size(list),
	    json_array_size(list) == 1 ? "" : "s", counts[0],
	    counts[0] == 1 ? "" : "s", counts[1], counts[2]);
}

static int
exec_roll_list(int argc, char **argv)
{
	return cli_show_election(argc, argv, roll_fetch, roll_print);
}

const struct cli_command cmd_roll_list = {
	"roll", "list", "ID [--json]",
	"Show an election's roll: each voter's key, address and enrolment.",
	"One line per voter, in import order: id, constituency, weight, the\n"
	"start of the key id (\"-\" for none yet), the e-mail address, and\n"
	"the enrolment: \"imported\" (the key came with the roll), \"enrolled\"\n"
	"(and when: by the link 'teller invite' sent), or \"pending\" (no key\n"
	"yet; and until when the voter's link works), with the last message\n"
	"sent to the voter.  The roll freezes at 'election open' only when no\n"
	"voter is pending.  E-mail addresses are shown here, never served.\n\n"
	"Options:\n"
	"  --json       print the list as JSON\n",
	exec_roll_list,
};
