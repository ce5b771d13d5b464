/*
 * cmd-backup.c: teller backup: a consistent copy of the database, made
 * while teller serve (or anything else) goes on using it.
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "teller/store.h"

struct backup_opts {
	const char *to;
	int json;
};

static int
backup_option(int opt, const char *arg, void *ctx)
{
	struct backup_opts *o = ctx;

	switch (opt) {
	case 't':
		o->to = arg;
		return 0;
	case 'j':
		o->json = 1;
		return 0;
	default:
		return EXIT_USAGE;
	}
}

static int
exec_backup(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"to", required_argument, NULL, 't'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct backup_opts o = {NULL, 0};
	struct tl_store_backup_info info;
	struct tl_store *store = NULL;
	struct tl_error err;
	json_t *doc;
	int first, status;

	if ((status = cli_parse(argc, argv, "", longopts, backup_option, &o,
	    &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 0, 0)) != 0)
		return status;
	if (o.to == NULL)
		return cli_usage_error("say where the copy goes: --to FILE");
	tl_error_clear(&err);
	/* Read-only: a backup never migrates or changes what it copies. */
	if (tl_store_open(cli.db_path, TL_STORE_READONLY, &store, &err) !=
	    TL_OK)
		return cli_fail(&err);
	if (tl_store_backup(store, o.to, &info, &err) != TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	if (o.json) {
		doc = json_pack("{s:s, s:s, s:I, s:I, s:i, s:s}", "database",
		    cli.db_path, "backup", o.to, "pages", (json_int_t)info.pages,
		    "bytes", (json_int_t)info.bytes, "schema_version",
		    info.schema_version, "integrity_check", "ok");
		status = doc != NULL ? cli_print_json(doc) : EXIT_INTERNAL;
		json_decref(doc);
	} else {
		printf("Backed up %s to %s: %lld pages, %lld bytes, schema "
		    "version %d, integrity check ok\n", cli.db_path, o.to,
		    (long long)info.pages, (long long)info.bytes,
		    info.schema_version);
		status = 0;
	}
 out:
	tl_store_close(store);
	return status;
}

const struct cli_command cmd_backup = {
	"backup", NULL, "--to FILE [--json]",
	"Copy the database, consistently, while it is in use.",
	"The copy is one snapshot of the whole database (SQLite's online\n"
	"backup API, in one step), taken while teller serve and other commands\n"
	"go on: ballots committed before the snapshot are in it, later ones\n"
	"are not, and none is half in.  It is written beside FILE, synced,\n"
	"checked with SQLite's integrity check and only then renamed to FILE\n"
	"(mode 0600: it holds the authority's private key unless the key is in\n"
	"a file of its own).  An existing FILE is replaced only by a complete\n"
	"copy; FILE may not be the database itself.\n\n"
	"To restore: stop teller serve, remove the database's -wal and -shm\n"
	"files, put the copy in the database's place (owned by the user teller\n"
	"runs as), start again (doc/operations.md).\n\n"
	"Options:\n"
	"  --to FILE    where the copy goes\n"
	"  --json       print {database, backup, pages, bytes, schema_version,\n"
	"               integrity_check}\n",
	exec_backup,
};
