/*
 * teller.c: the teller command: global options, the command table and its
 * lookup, and the helpers every command uses to parse options and talk to
 * people.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "teller/client.h"
#include "teller/envelope.h"
#include "teller/record.h"
#include "teller/util.h"

extern const struct cli_command cmd_init;
extern const struct cli_command cmd_key_generate;
extern const struct cli_command cmd_trustee_keygen;
extern const struct cli_command cmd_election_create;
extern const struct cli_command cmd_election_update;
extern const struct cli_command cmd_election_delete;
extern const struct cli_command cmd_election_list;
extern const struct cli_command cmd_election_show;
extern const struct cli_command cmd_election_open;
extern const struct cli_command cmd_election_close;
extern const struct cli_command cmd_election_publish;
extern const struct cli_command cmd_election_status;
extern const struct cli_command cmd_election_amend;
extern const struct cli_command cmd_election_finalize;
extern const struct cli_command cmd_candidate_add;
extern const struct cli_command cmd_petition_open;
extern const struct cli_command cmd_petition_endorse;
extern const struct cli_command cmd_petition_status;
extern const struct cli_command cmd_certify;
extern const struct cli_command cmd_challenge_file;
extern const struct cli_command cmd_challenge_resolve;
extern const struct cli_command cmd_challenge_list;
extern const struct cli_command cmd_turnout;
extern const struct cli_command cmd_roll_import;
extern const struct cli_command cmd_roll_check;
extern const struct cli_command cmd_roll_list;
extern const struct cli_command cmd_roll_remove;
extern const struct cli_command cmd_invite;
extern const struct cli_command cmd_remind;
extern const struct cli_command cmd_manifest;
extern const struct cli_command cmd_ballot_make;
extern const struct cli_command cmd_ballot_cast;
extern const struct cli_command cmd_credential_request;
extern const struct cli_command cmd_tally;
extern const struct cli_command cmd_count;
extern const struct cli_command cmd_nomcom_select;
extern const struct cli_command cmd_demo;
extern const struct cli_command cmd_export;
extern const struct cli_command cmd_verify;
extern const struct cli_command cmd_receipt_verify;
extern const struct cli_command cmd_receipt_witness;
extern const struct cli_command cmd_webhook_add;
extern const struct cli_command cmd_webhook_list;
extern const struct cli_command cmd_webhook_remove;
extern const struct cli_command cmd_webhook_deliver;
extern const struct cli_command cmd_webhook_test;
extern const struct cli_command cmd_serve;
extern const struct cli_command cmd_witness_run;
extern const struct cli_command cmd_witness_cosign;
extern const struct cli_command cmd_cosignature_add;
extern const struct cli_command cmd_backup;

static const struct cli_command *const commands[] = {
	&cmd_init,
	&cmd_key_generate,
	&cmd_trustee_keygen,
	&cmd_election_create,
	&cmd_election_update,
	&cmd_election_delete,
	&cmd_election_list,
	&cmd_election_show,
	&cmd_election_open,
	&cmd_election_close,
	&cmd_election_publish,
	&cmd_election_status,
	&cmd_election_amend,
	&cmd_election_finalize,
	&cmd_candidate_add,
	&cmd_petition_open,
	&cmd_petition_endorse,
	&cmd_petition_status,
	&cmd_certify,
	&cmd_challenge_file,
	&cmd_challenge_resolve,
	&cmd_challenge_list,
	&cmd_turnout,
	&cmd_roll_import,
	&cmd_roll_check,
	&cmd_roll_list,
	&cmd_roll_remove,
	&cmd_invite,
	&cmd_remind,
	&cmd_manifest,
	&cmd_credential_request,
	&cmd_ballot_make,
	&cmd_ballot_cast,
	&cmd_tally,
	&cmd_count,
	&cmd_nomcom_select,
	&cmd_demo,
	&cmd_export,
	&cmd_verify,
	&cmd_receipt_verify,
	&cmd_receipt_witness,
	&cmd_webhook_add,
	&cmd_webhook_list,
	&cmd_webhook_remove,
	&cmd_webhook_deliver,
	&cmd_webhook_test,
	&cmd_serve,
	&cmd_witness_run,
	&cmd_witness_cosign,
	&cmd_cosignature_add,
	&cmd_backup,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

struct cli_globals cli;

/* The options every command takes, before or after its name, each naming
 * a file: --db, --key-file, --passphrase-file. */
static const struct global_path {
	const char *name;       /* the option, without its dashes */
	const char *env;        /* the environment variable behind it */
	const char **value;
	const char *what;       /* for "--NAME needs a path: WHAT" */
} global_paths[] = {
	{"db", "TELLER_DB", &cli.db_path, "the database file"},
	{"key-file", "TELLER_KEY_FILE", &cli.key_file,
	    "the authority's private key file"},
	{"passphrase-file", "TELLER_PASSPHRASE_FILE", &cli.passphrase_file,
	    "the file holding the authority key's passphrase"},
};
#define NGLOBAL_PATHS (sizeof(global_paths) / sizeof(global_paths[0]))
#define GLOBAL_PATH_OPT 0x1000 /* getopt's value of global_paths[i] is + i */

/* The global path option a command-line word starts (--NAME or
 * --NAME=...), or NULL. */
static const struct global_path *
global_path_of(const char *word)
{
	for (size_t i = 0; i < NGLOBAL_PATHS; i++) {
		size_t n = strlen(global_paths[i].name);

		if (strncmp(word, "--", 2) == 0 &&
		    strncmp(word + 2, global_paths[i].name, n) == 0 &&
		    (word[2 + n] == '\0' || word[2 + n] == '='))
			return &global_paths[i];
	}
	return NULL;
}

void
cli_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("teller: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cli_fail(const struct tl_error *err)
{
	if (err->message[0] != '\0')
		cli_error("%s", err->message);
	else
		cli_error("%s", tl_strerror(err->code));
	return tl_error_exit_status(err->code);
}

static void
command_name(const struct cli_command *cmd, char *out, size_t len)
{
	snprintf(out, len, "%s%s%s", cmd->name, cmd->sub != NULL ? " " : "",
	    cmd->sub != NULL ? cmd->sub : "");
}

int
cli_usage_error(const char *fmt, ...)
{
	char name[64] = "";
	va_list ap;

	fflush(stdout);
	fputs("teller: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cli.command != NULL)
		command_name(cli.command, name, sizeof(name));
	fprintf(stderr, "\nTry 'teller %s%s--help'.\n", name, *name ? " " : "");
	return EXIT_USAGE;
}

int
cli_help(const struct cli_command *cmd)
{
	char name[64];

	command_name(cmd, name, sizeof(name));
	printf("Usage: teller [--db PATH] %s%s%s\n\n%s\n", name,
	    *cmd->args ? " " : "", cmd->args, cmd->summary);
	if (cmd->help != NULL && *cmd->help != '\0')
		printf("\n%s", cmd->help);
	printf("\nCommon options:\n"
	    "  --db PATH    the database (default: $TELLER_DB, else ./teller.db)\n"
	    "  --key-file FILE, --passphrase-file FILE\n"
	    "               the authority's key file and its passphrase, for a\n"
	    "               database made with 'teller init --key-file'\n"
	    "               (default: $TELLER_KEY_FILE, $TELLER_PASSPHRASE_FILE)\n"
	    "  -h, --help   show this help\n");
	return 0;
}

int
cli_parse(int argc, char **argv,
    const char *shortopts, const struct option *longopts,
    int (*handler)(int opt, const char *arg, void *ctx), void *ctx,
    int *first_arg)
{
	struct option all[32];
	char shorts[64];
	size_t n = 0;
	int opt;

	for (; longopts != NULL && longopts[n].name != NULL && n < 27; n++)
		all[n] = longopts[n];
	all[n++] = (struct option){"help", no_argument, NULL, 'h'};
	for (size_t i = 0; i < NGLOBAL_PATHS; i++)
		all[n++] = (struct option){global_paths[i].name,
		    required_argument, NULL, GLOBAL_PATH_OPT + (int)i};
	all[n] = (struct option){NULL, 0, NULL, 0};
	snprintf(shorts, sizeof(shorts), ":h%s", shortopts != NULL ?
	    shortopts : "");
	/* 0, not 1: glibc then starts afresh, as the demo runs many
	 * commands in one process.  Options may follow operands. */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shorts, all, NULL)) != -1) {
		const struct global_path *g;
		int status;

		if (opt >= GLOBAL_PATH_OPT &&
		    opt < GLOBAL_PATH_OPT + (int)NGLOBAL_PATHS) {
			g = &global_paths[opt - GLOBAL_PATH_OPT];
			if (*optarg == '\0')
				return cli_usage_error("--%s needs a path: %s",
				    g->name, g->what);
			*g->value = optarg;
			continue;
		}
		switch (opt) {
		case 'h':
			return cli_help(cli.command);
		case ':':
			if ((g = global_path_of(argv[optind - 1])) != NULL)
				return cli_usage_error("--%s needs a path: %s",
				    g->name, g->what);
			return cli_usage_error("option %s needs a value",
			    argv[optind - 1]);
		case '?':
			return cli_usage_error("unknown option %s",
			    argv[optind - 1]);
		default:
			break;
		}
		if (handler == NULL ||
		    (status = handler(opt, optarg, ctx)) != 0)
			return handler == NULL ? EXIT_USAGE : status;
	}
	*first_arg = optind;
	return -1;
}

int
cli_operands(int n, int min, int max)
{
	if (n < min)
		return cli_usage_error("missing operand (expected: %s)",
		    cli.command->args);
	if (max >= 0 && n > max)
		return cli_usage_error("too many operands (expected: %s)",
		    cli.command->args);
	return 0;
}

struct tl_store *
cli_open_store(int mode, int *status)
{
	struct tl_store *store = NULL;
	struct tl_error err;

	tl_error_clear(&err);
	if (tl_store_open(cli.db_path, mode == CLI_STORE_CREATE ?
	    TL_STORE_CREATE : mode == CLI_STORE_READ ? TL_STORE_READONLY : 0,
	    &store, &err) != TL_OK ||
	    tl_store_set_key_source(store, cli.key_file, cli.passphrase_file,
	    &err) != TL_OK) {
		tl_store_close(store);
		*status = cli_fail(&err);
		return NULL;
	}
	return store;
}

int64_t
cli_now(void)
{
	const char *s = getenv("TELLER_NOW");
	int64_t t;

	if (s != NULL && *s != '\0') {
		if (tl_parse_int64(s, 0, INT64_MAX / 2, &t) == TL_OK ||
		    tl_time_parse(s, &t) == TL_OK)
			return t;
		cli_error("ignoring TELLER_NOW=\"%s\": not Unix seconds or a "
		    "UTC time like 2026-11-22T10:00:00Z", s);
	}
	return (int64_t)time(NULL);
}

const char *
cli_str_or(const json_t *obj, const char *key, const char *fallback)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : fallback;
}

int
cli_read_file(const char *path, size_t max, char **text, size_t *len,
    struct tl_error *err)
{
	int r;

	if ((r = tl_read_file(path, max, text, len, err)) != TL_OK)
		return r;
	while (*len > 0 && ((*text)[*len - 1] == '\n' ||
	    (*text)[*len - 1] == '\r'))
		(*text)[--*len] = '\0';
	return TL_OK;
}

int
cli_load_manifest(const char *path, struct tl_manifest **manifest,
    char hash[65], struct tl_key **authority, struct tl_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int r;

	if ((r = tl_read_file(path, TL_ENVELOPE_MAX_DEFAULT, &text, &len, err)) !=
	    TL_OK)
		return r;
	if ((r = tl_client_open_manifest(text, len, manifest, hash, authority,
	    err)) != TL_OK)
		tl_error_prefix(err, "%s", path);
	free(text);
	return r;
}

int
cli_write_output(const char *path, const char *text, int mode)
{
	struct tl_error err;
	struct tl_buf buf;
	int r;

	if (path == NULL || strcmp(path, "-") == 0) {
		if (printf("%s\n", text) < 0 || fflush(stdout) != 0) {
			cli_error("cannot write to standard output: %s",
			    strerror(errno));
			return EXIT_INTERNAL;
		}
		return 0;
	}
	tl_buf_init(&buf, SIZE_MAX / 2);
	if (tl_buf_adds(&buf, text) != TL_OK || tl_buf_addc(&buf, '\n') !=
	    TL_OK) {
		tl_buf_free(&buf);
		cli_error("out of memory");
		return EXIT_INTERNAL;
	}
	tl_error_clear(&err);
	r = tl_write_file(path, buf.data, buf.len, (unsigned)mode, &err);
	tl_buf_free(&buf);
	return r == TL_OK ? 0 : cli_fail(&err);
}

int
cli_load_record(const char *path, struct tl_record **out)
{
	struct tl_error err;
	char *text = NULL;
	size_t len = 0;
	int r;

	tl_error_clear(&err);
	if (tl_read_file(path, TL_RECORD_MAX, &text, &len, &err) != TL_OK) {
		cli_fail(&err);
		return EXIT_USAGE;
	}
	r = tl_record_parse(text, len, out, &err);
	free(text);
	if (r != TL_OK) {
		tl_error_prefix(&err, "%s", path);
		cli_fail(&err);
		return r == TL_EVERIFY ? EXIT_INVALID : tl_error_exit_status(r);
	}
	return 0;
}

int
cli_print_json(const json_t *value)
{
	char *text = json_dumps(value, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	int r;

	if (text == NULL) {
		cli_error("out of memory");
		return EXIT_INTERNAL;
	}
	r = cli_write_output(NULL, text, 0);
	free(text);
	return r;
}

int
cli_flag(int opt, const char *arg, void *ctx)
{
	(void)opt;
	(void)arg;
	*(int *)ctx = 1;
	return 0;
}

int
cli_format_choice(const char *arg, const char *const *choices,
    const char **format)
{
	char list[128] = "";
	size_t n = 0;

	for (size_t i = 0; choices[i] != NULL; i++) {
		if (strcmp(arg, choices[i]) == 0) {
			*format = choices[i];
			return 0;
		}
		n = i + 1;
	}
	for (size_t i = 0; i < n; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
		    "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ",
		    choices[i]);
	return cli_usage_error("--format must be %s", list);
}

int
cli_show_election(int argc, char **argv,
    int (*fetch)(struct tl_store *store, const char *id, json_t **out,
    struct tl_error *err), void (*print)(const char *id, const json_t *value))
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct tl_store *store = NULL;
	struct tl_error err;
	json_t *value = NULL;
	int first, status, json = 0;

	if ((status = cli_parse(argc, argv, "", longopts, cli_flag, &json,
	    &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 1, 1)) != 0)
		return status;
	if ((store = cli_open_store(CLI_STORE_READ, &status)) == NULL)
		return status;
	tl_error_clear(&err);
	if (fetch(store, argv[first], &value, &err) != TL_OK)
		status = cli_fail(&err);
	else if (json)
		status = cli_print_json(value);
	else {
		print(argv[first], value);
		status = 0;
	}
	json_decref(value);
	tl_store_close(store);
	return status;
}

int
cli_stderr_is_tty(void)
{
	return isatty(STDERR_FILENO);
}

static void
usage(FILE *f)
{
	fprintf(f, "Usage: teller [--db PATH] COMMAND [ARGS...]\n\n"
	    "teller runs governance elections that anyone can check: signed "
	    "ballots,\na public Merkle log, receipts, and counts an observer "
	    "can redo offline.\n\nCommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++) {
		char name[64];

		command_name(commands[i], name, sizeof(name));
		fprintf(f, "  %-18s %s\n", name, commands[i]->summary);
	}
	fprintf(f, "\nOptions:\n"
	    "  --db PATH     the database (default: $TELLER_DB, else ./teller.db)\n"
	    "  --key-file FILE         the authority's key file, for a database\n"
	    "                made with 'teller init --key-file' (default:\n"
	    "                the one it records, or $TELLER_KEY_FILE)\n"
	    "  --passphrase-file FILE  the file of that key's passphrase\n"
	    "                (default: $TELLER_PASSPHRASE_FILE)\n"
	    "  -h, --help    show this help; 'teller COMMAND --help' for a "
	    "command\n"
	    "  --version     show the version\n\n"
	    "Exit status: 0 success, 1 invalid (verification failed), 2 bad "
	    "usage or input,\n3 internal or system error.  See teller(1).\n");
}

/* Finds the command named by argv[0] (and argv[1] for two-word ones);
 * *words gets how many words it used. */
static const struct cli_command *
lookup(int argc, char **argv, int *words, int *known_group)
{
	*known_group = 0;
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const struct cli_command *c = commands[i];

		if (strcmp(c->name, argv[0]) != 0)
			continue;
		*known_group = 1;
		if (c->sub == NULL) {
			*words = 1;
			return c;
		}
		if (argc > 1 && strcmp(c->sub, argv[1]) == 0) {
			*words = 2;
			return c;
		}
	}
	return NULL;
}

/* A group's subcommands: to stdout when asked for (--help), else to
 * stderr after a usage error. */
static void
group_usage(FILE *f, const char *group)
{
	fprintf(f, "Usage: teller [--db PATH] %s SUBCOMMAND ...\n\n"
	    "Subcommands:\n", group);
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i]->name, group) == 0 &&
		    commands[i]->sub != NULL)
			fprintf(f, "  %-10s %s\n", commands[i]->sub,
			    commands[i]->summary);
	fprintf(f, "\n'teller %s SUBCOMMAND --help' describes one.\n", group);
}

int
cli_run(int argc, char **argv)
{
	const struct cli_command *cmd, *saved = cli.command;
	int words = 0, known_group, status;

	if (argc < 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if ((cmd = lookup(argc, argv, &words, &known_group)) == NULL) {
		if (known_group) {
			if (argc > 1 && (strcmp(argv[1], "--help") == 0 ||
			    strcmp(argv[1], "-h") == 0)) {
				group_usage(stdout, argv[0]);
				return 0;
			}
			if (argc > 1)
				cli_error("unknown subcommand '%s %s'", argv[0],
				    argv[1]);
			else
				cli_error("'%s' needs a subcommand", argv[0]);
			group_usage(stderr, argv[0]);
			return EXIT_USAGE;
		}
		cli_error("unknown command '%s'; try 'teller --help'", argv[0]);
		return EXIT_USAGE;
	}
	cli.command = cmd;
	/* The command sees its own name as argv[0]. */
	status = cmd->exec(argc - words + 1, argv + words - 1);
	cli.command = saved;
	return status;
}

int
main(int argc, char **argv)
{
	int i;

	for (size_t g = 0; g < NGLOBAL_PATHS; g++) {
		const char *env = getenv(global_paths[g].env);

		*global_paths[g].value = env != NULL && *env != '\0' ? env : NULL;
	}
	if (cli.db_path == NULL)
		cli.db_path = "teller.db";
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const struct global_path *g = global_path_of(argv[i]);

		if (g != NULL) {
			size_t n = strlen(g->name) + 2;
			const char *path = argv[i][n] == '=' ? argv[i] + n + 1 :
			    i + 1 < argc ? argv[++i] : "";

			if (*path == '\0') {
				cli_error("--%s needs a path: %s; teller --%s PATH "
				    "COMMAND ...", g->name, g->what, g->name);
				return EXIT_USAGE;
			}
			*g->value = path;
		} else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("teller %s\n", PACKAGE_VERSION);
			return 0;
		} else {
			cli_error("unknown option %s; try 'teller --help'",
			    argv[i]);
			return EXIT_USAGE;
		}
	}
	if (i == argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	return cli_run(argc - i, argv + i);
}
