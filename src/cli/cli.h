/*
 * cli.h: what the teller command's files share: the command table entry,
 * option parsing helpers, and the few functions that talk to people.
 *
 * Each command lives in a cmd-*.c file and exports a const struct
 * cli_command; teller.c holds the table and the lookup.  A command's exec
 * function returns the process exit status: 0 success, 1 the input was
 * found invalid (verify), 2 bad usage or input, 3 internal or system error.
 */
#ifndef TELLER_CLI_H
#define TELLER_CLI_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "teller/error.h"
#include "teller/store.h"

#define EXIT_INVALID 1
#define EXIT_USAGE 2
#define EXIT_INTERNAL 3

struct cli_command {
	const char *name;     /* "election" */
	const char *sub;      /* "create", or NULL for a one-word command */
	const char *args;     /* "FILE.json" */
	const char *summary;  /* one line for the command list */
	const char *help;     /* the rest of --help: options and details */
	int (*exec)(int argc, char **argv);
};

/* Global settings from the command line and the environment. */
struct cli_globals {
	const char *db_path; /* --db, $TELLER_DB, or teller.db */
	/* The authority's key file and its passphrase's file (store.h):
	 * --key-file, $TELLER_KEY_FILE; --passphrase-file,
	 * $TELLER_PASSPHRASE_FILE; else NULL. */
	const char *key_file;
	const char *passphrase_file;
	const struct cli_command *command;
};
extern struct cli_globals cli;

/* Runs a teller command line (argv[0] is the command word, not "teller"),
 * as main does; the demo uses it to run each step. */
int cli_run(int argc, char **argv);

/* Prints "teller: MESSAGE" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints an error from the library and returns its exit status. */
int cli_fail(const struct tl_error *err);
/* Prints a usage error with a pointer to --help; returns EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the command's --help to stdout; returns 0. */
int cli_help(const struct cli_command *cmd);

/*
 * Parses the running command's (cli.command) options with getopt_long.  `longopts` must end with a
 * zero entry; every command also takes --help and --db PATH, handled here.
 * For each other option, handler(opt, optarg, ctx) is called; it returns 0
 * or an exit status.  *first_arg gets the index of the first operand.
 * Returns -1 to go on, or an exit status to return at once (after --help,
 * or on a usage error).
 */
struct option;
int cli_parse(int argc, char **argv,
    const char *shortopts, const struct option *longopts,
    int (*handler)(int opt, const char *arg, void *ctx), void *ctx,
    int *first_arg);

/* A cli_parse handler for a command whose one option is a flag: sets the
 * int that ctx points to. */
int cli_flag(int opt, const char *arg, void *ctx);

/* For --format: *format = arg if arg is one of the NULL-terminated
 * choices, and 0; else EXIT_USAGE after saying which there are. */
int cli_format_choice(const char *arg, const char *const *choices,
    const char **format);

/* Checks the number of operands: between min and max (-1: no maximum).
 * Returns 0, or EXIT_USAGE after printing why. */
int cli_operands(int n, int min, int max);

/*
 * Opens the database (--db), with the authority key's source (--key-file,
 * --passphrase-file): CLI_STORE_WRITE for a command that changes it
 * (migrations run first), CLI_STORE_CREATE for init, CLI_STORE_READ for
 * the observers' and auditors' commands, which then work on a database
 * they cannot write (tl_store_open).  Prints the error and returns NULL on
 * failure (*status gets the exit status).
 */
#define CLI_STORE_WRITE 0
#define CLI_STORE_CREATE 1
#define CLI_STORE_READ 2
struct tl_store *cli_open_store(int mode, int *status);

/* The current time: $TELLER_NOW (Unix seconds or an RFC 3339 UTC time)
 * if set, for tests and rehearsals; otherwise the clock. */
int64_t cli_now(void);

/* Reads a file of at most max bytes (tl_read_file) without its final line
 * ends: what a user's editor or `echo` adds to a one-line file. */
int cli_read_file(const char *path, size_t max, char **text, size_t *len,
    struct tl_error *err);

/* Reads the signed manifest a voter was given (the file at path) and
 * checks it is signed by the authority key it names (tl_client_open_manifest;
 * voters should also compare that key's id with the one the election
 * authority publishes).  manifest, hash and authority are optional. */
struct tl_manifest;
struct tl_key;
int cli_load_manifest(const char *path, struct tl_manifest **manifest,
    char hash[65], struct tl_key **authority, struct tl_error *err);

/* Reads a voter's credential file (cmd-credential.c) for manifest m;
 * prints the error and returns an exit status on failure, else 0. */
struct tl_credential_holder;
int cli_read_credential(const char *path, const struct tl_manifest *m,
    struct tl_credential_holder **out);

/* Reads and parses an exported record (tl_record_parse).  Prints what is
 * wrong and returns an exit status: 2 if it cannot be read, 1 if it is not
 * a consistent record, 3 out of memory; 0 with *out set. */
struct tl_record;
int cli_load_record(const char *path, struct tl_record **out);

/* Writes text to path ("-" or NULL: standard output) with a newline.
 * Prints the error and returns non-zero on failure. */
int cli_write_output(const char *path, const char *text, int mode);

/* The string member key of obj, or fallback if it is missing or not a
 * string. */
const char *cli_str_or(const json_t *obj, const char *key,
    const char *fallback);

/* Prints a JSON value (indented) to stdout. */
int cli_print_json(const json_t *value);

/*
 * Runs a command "ID [--json]" that shows something of one election: it
 * parses the options, opens the store read-only, fetches the value, and
 * prints it
 * as JSON (--json) or with print.  Returns the exit status.
 */
int cli_show_election(int argc, char **argv,
    int (*fetch)(struct tl_store *store, const char *id, json_t **out,
    struct tl_error *err), void (*print)(const char *id, const json_t *value));

/* Whether stderr is a terminal (for progress lines). */
int cli_stderr_is_tty(void);

#endif
