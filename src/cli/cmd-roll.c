/*
 * cmd-roll.c: teller roll import (load a constituency's voters), teller
 * roll list (who is on the roll and who has enrolled a key), teller roll
 * remove (take voters off a draft's roll), and teller
 * roll check (a voter checks their own entry on the frozen roll of an
 * exported record or of a server).
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client-opts.h"
#include "teller/client.h"
#include "teller/election.h"
#include "teller/enrol.h"
#include "teller/log.h"
#include "teller/record.h"
#include "teller/roll.h"
#include "teller/util.h"

static int
exec_roll_import(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"replace", no_argument, NULL, 'r'},
		{NULL, 0, NULL, 0},
	};
	struct tl_store *store = NULL;
	struct tl_error err;
	char *csv = NULL;
	size_t len = 0, count = 0, removed = 0;
	int first, status, replace = 0;

	if ((status = cli_parse(argc, argv, "", longopts, cli_flag,
	    &replace, &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 2, 2)) != 0)
		return status;
	if ((store = cli_open_store(CLI_STORE_WRITE, &status)) == NULL)
		return status;
	tl_error_clear(&err);
	if (tl_read_file(argv[first + 1], TL_ROLL_MAX_BYTES, &csv, &len, &err) !=
	    TL_OK ||
	    (replace ? tl_election_replace_roll(store, argv[first], csv, len,
	    argv[first + 1], &count, &removed, &err) :
	    tl_election_import_roll(store, argv[first], csv, len,
	    argv[first + 1], &count, &err)) != TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	if (replace)
		printf("Replaced the roll of election %s: %zu voter%s from %s "
		    "in place of %zu.\n", argv[first], count, count == 1 ? "" :
		    "s", argv[first + 1], removed);
	else
		printf("Imported %zu voter%s into election %s.\n", count,
		    count == 1 ? "" : "s", argv[first]);
	status = 0;
 out:
	free(csv);
	tl_store_close(store);
	return status;
}

const struct cli_command cmd_roll_import = {
	"roll", "import", "ID FILE.csv [--replace]",
	"Add voters to a draft election's roll from a CSV file.",
	"FILE.csv starts with the header line\n"
	"  voter_id,name,constituency,weight,public_key\n"
	"and has one voter per line: an id, a name (quote it with \"\" if it has\n"
	"a comma), the id of one of the manifest's constituencies, a whole\n"
	"weight from 1 to 1000 (or within the constituency's \"weights\" in\n"
	"the manifest), and the voter's Ed25519 public key in base64\n"
	"(as 'teller key generate' prints it).  The file is checked whole\n"
	"first: if any line is wrong, or a voter id or key is already on the\n"
	"roll, nothing is imported and the error names the file and line.\n"
	"Import one file per constituency, or one for all.\n\n"
	"Options:\n"
	"  --replace    the file is the whole roll: it replaces the voters\n"
	"               imported before (with their enrolment links), in one\n"
	"               step; a file with an error changes nothing\n\n"
	"Only a draft's roll can change: once the election is published or\n"
	"open, its roll is frozen.  'teller roll list ID --format csv' writes\n"
	"the roll in this form, to edit and import again with --replace.\n",
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
list_option(int opt, const char *arg, void *ctx)
{
	static const char *const formats[] = {"text", "csv", "json", NULL};

	return cli_format_choice(opt == 'j' ? "json" : arg, formats, ctx);
}

/* The roll as the CSV that 'roll import' reads. */
static int
roll_csv(struct tl_store *store, const char *id, struct tl_buf *out,
    struct tl_error *err)
{
	struct tl_manifest *m = NULL;
	struct tl_roll *roll = NULL;
	int r;

	if ((r = tl_election_load(store, id, &m, NULL, NULL, err)) == TL_OK &&
	    (r = tl_election_roll(store, id, m, &roll, err)) == TL_OK &&
	    (r = tl_roll_write_csv(roll, out)) != TL_OK)
		tl_error_set(err, r, "out of memory");
	tl_roll_free(roll);
	tl_manifest_free(m);
	return r;
}

static int
exec_roll_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	const char *format = "text";
	struct tl_store *store = NULL;
	struct tl_error err;
	struct tl_buf buf;
	json_t *list = NULL;
	int first, status;

	if ((status = cli_parse(argc, argv, "", longopts, list_option, &format,
	    &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 1, 1)) != 0)
		return status;
	if ((store = cli_open_store(CLI_STORE_READ, &status)) == NULL)
		return status;
	tl_error_clear(&err);
	tl_buf_init(&buf, SIZE_MAX / 2);
	if (strcmp(format, "csv") == 0) {
		if (roll_csv(store, argv[first], &buf, &err) != TL_OK)
			status = cli_fail(&err);
		else if (fwrite(buf.data, 1, buf.len, stdout) != buf.len ||
		    fflush(stdout) != 0) {
			cli_error("cannot write to standard output");
			status = EXIT_INTERNAL;
		}
	} else if (roll_fetch(store, argv[first], &list, &err) != TL_OK)
		status = cli_fail(&err);
	else if (strcmp(format, "json") == 0)
		status = cli_print_json(list);
	else
		roll_print(argv[first], list);
	json_decref(list);
	tl_buf_free(&buf);
	tl_store_close(store);
	return status;
}

const struct cli_command cmd_roll_list = {
	"roll", "list", "ID [--format text|csv|json]",
	"Show an election's roll: each voter's key, address and enrolment.",
	"One line per voter, in import order: id, constituency, weight, the\n"
	"start of the key id (\"-\" for none yet), the e-mail address, and\n"
	"the enrolment: \"imported\" (the key came with the roll), \"enrolled\"\n"
	"(and when: by the link 'teller invite' sent), or \"pending\" (no key\n"
	"yet; and until when the voter's link works), with the last message\n"
	"sent to the voter.  The roll freezes at 'election open' only when no\n"
	"voter is pending.  E-mail addresses are shown here, never served.\n\n"
	"Options:\n"
	"  --format F   text (default); csv: the roll as 'teller roll import'\n"
	"               reads it (voter_id,name,constituency,weight,\n"
	"               public_key,email), to edit and import again with\n"
	"               --replace; or json: each voter with its enrolment\n"
	"  --json       the same as --format json\n",
	exec_roll_list,
};

static int
exec_roll_remove(int argc, char **argv)
{
	struct tl_store *store = NULL;
	struct tl_error err;
	size_t n;
	int first, status;

	if ((status = cli_parse(argc, argv, NULL, NULL, NULL, NULL, &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 2, 100000)) != 0)
		return status;
	if ((store = cli_open_store(CLI_STORE_WRITE, &status)) == NULL)
		return status;
	tl_error_clear(&err);
	n = (size_t)(argc - first - 1);
	if (tl_election_remove_voters(store, argv[first],
	    (const char *const *)argv + first + 1, n, &err) != TL_OK)
		status = cli_fail(&err);
	else
		printf("Removed %zu voter%s from the roll of election %s.\n", n,
		    n == 1 ? "" : "s", argv[first]);
	tl_store_close(store);
	return status;
}

const struct cli_command cmd_roll_remove = {
	"roll", "remove", "ID VOTER...",
	"Remove voters from a draft election's roll.",
	"Removes each VOTER (a voter id) from the roll, with their enrolment\n"
	"link and the notices sent to them: all of them, or, if one is not on\n"
	"the roll, none.  Only a draft's roll can change: once the election is\n"
	"published or open, its roll is frozen.\n",
	exec_roll_remove,
};

/* --- teller roll check ------------------------------------------------------ */

struct roll_check_opts {
	const char *record;
	struct cli_client client;   /* --server, --cacert; the pinned manifest */
	const char *election;
	const char *manifest;
	const char *voter;
	const char *key;
	const char *public_key;
	int json;
};

static int
roll_check_option(int opt, const char *arg, void *ctx)
{
	struct roll_check_opts *o = ctx;

	switch (opt) {
	case 'r':
		o->record = arg;
		return 0;
	case 'e':
		o->election = arg;
		return 0;
	case 'm':
		o->manifest = arg;
		return 0;
	case 'V':
		o->voter = arg;
		return 0;
	case 'k':
		o->key = arg;
		return 0;
	case 'P':
		o->public_key = arg;
		return 0;
	case 'j':
		o->json = 1;
		return 0;
	}
	return cli_client_option(opt, arg, &o->client);
}

/* The roll of an exported record: line 2, signed by the authority of
 * line 1's manifest, in a record whose entries its tree head signs. */
static int
roll_from_record(const char *path, struct tl_roll **roll, char **election,
    char *where, size_t where_len)
{
	struct tl_record *record = NULL;
	struct tl_error err;
	const char *entry;
	size_t len = 0;
	int r;

	if ((r = cli_load_record(path, &record)) != 0)
		return r;
	tl_error_clear(&err);
	if ((r = tl_record_entry(record, 1, &entry, &len, &err)) == TL_OK)
		r = tl_roll_open_entry(entry, len, tl_record_manifest(record),
		    tl_record_manifest_hash(record), tl_record_authority(record),
		    roll, &err);
	if (r != TL_OK) {
		tl_error_prefix(&err, "%s", path);
		cli_fail(&err);
		tl_record_free(record);
		return r == TL_ENOMEM ? EXIT_INTERNAL : EXIT_INVALID;
	}
	*election = strdup(tl_record_election(record));
	snprintf(where, where_len, "line 2 of the record "
	    "%s (a record of %llu entries whose tree head the authority "
	    "signed)", path, (unsigned long long)tl_record_size(record));
	tl_record_free(record);
	return *election != NULL ? 0 : EXIT_INTERNAL;
}

/* Whether entry (the server's entry `index`) is in the server's latest
 * tree head, signed by authority: the inclusion proof of its leaf. */
static int
served_entry(const struct tl_client_server *server, const char *election,
    const struct tl_key *authority, uint64_t index, const char *entry,
    size_t len, uint64_t *size, struct tl_error *err)
{
	struct tl_envelope *env = NULL;
	struct tl_tree_head head;
	struct tl_merkle_proof proof;
	uint8_t leaf[TL_SHA256_LEN];
	char *text = NULL;
	uint64_t at = 0;
	int r;

	if ((r = tl_client_tree_head(server, election, &text, err)) != TL_OK)
		return r;
	if ((r = tl_tree_head_parse_envelope(text, strlen(text), &head, &env,
	    err)) != TL_OK ||
	    (r = tl_envelope_verify(env, authority, err)) != TL_OK)
		goto out;
	if (strcmp(head.election_id, election) != 0) {
		r = tl_error_set(err, TL_EVERIFY, "the server's tree head is of "
		    "election %s", head.election_id);
		goto out;
	}
	tl_merkle_leaf_hash(entry, len, leaf);
	if ((r = tl_client_inclusion(server, election, leaf, head.size, &at,
	    &proof, err)) != TL_OK)
		goto out;
	if (at != index || tl_merkle_verify_inclusion(leaf, index, head.size,
	    head.root, &proof) != TL_OK)
		r = tl_error_set(err, TL_EVERIFY, "the server's entry %llu is not "
		    "shown to be in its signed tree of %llu entries",
		    (unsigned long long)index, (unsigned long long)head.size);
	*size = head.size;
 out:
	tl_envelope_free(env);
	free(text);
	return r;
}

/* The roll on a server: entry 1 of its log, with entry 0 (the manifest,
 * which names the authority key) and both shown in its signed tree. */
static int
roll_from_server(const struct roll_check_opts *o, struct tl_roll **roll,
    char *where, size_t where_len)
{
	const struct tl_client_server *server = &o->client.server;
	struct tl_manifest *m = NULL, *pinned_m = NULL;
	struct tl_key *authority = NULL, *pinned_key = NULL;
	struct tl_error err;
	char *line1 = NULL, *line2 = NULL;
	char hash[TL_HASH_HEX_LEN + 1], pinned_hash[TL_HASH_HEX_LEN + 1];
	size_t len1 = 0, len2 = 0;
	uint64_t size = 0;
	int r, status = 0;

	tl_error_clear(&err);
	if ((r = tl_client_log_entry(server, o->election, 0, &line1, &len1,
	    &err)) != TL_OK ||
	    (r = tl_client_open_manifest(line1, len1, &m, hash, &authority,
	    &err)) != TL_OK)
		goto fail;
	if (o->client.pinned != NULL) {
		if ((r = tl_client_open_manifest(o->client.pinned,
		    o->client.pinned_len, &pinned_m, pinned_hash, &pinned_key,
		    &err)) != TL_OK)
			goto fail;
		if (strcmp(pinned_hash, hash) != 0) {
			r = tl_error_set(&err, TL_EVERIFY, "the server's log starts "
			    "with manifest %.16s..., not with %s's (%.16s...)", hash,
			    o->manifest, pinned_hash);
			goto fail;
		}
	}
	if (strcmp(m->id, o->election) != 0) {
		r = tl_error_set(&err, TL_EVERIFY, "the server's log of %s starts "
		    "with the manifest of election %s", o->election, m->id);
		goto fail;
	}
	if ((r = served_entry(server, o->election, authority, 0, line1,
	    len1, &size, &err)) != TL_OK ||
	    (r = tl_client_log_entry(server, o->election, 1, &line2, &len2,
	    &err)) != TL_OK ||
	    (r = served_entry(server, o->election, authority, 1, line2,
	    len2, &size, &err)) != TL_OK ||
	    (r = tl_roll_open_entry(line2, len2, m, hash, authority, roll,
	    &err)) != TL_OK)
		goto fail;
	snprintf(where, where_len, "entry 1 of the log of %s on %s (in its "
	    "signed tree of %llu entries)", o->election, server->url,
	    (unsigned long long)size);
	goto out;
 fail:
	status = cli_fail(&err);
	if (r == TL_EVERIFY || r == TL_ESIGNATURE || r == TL_EROLL ||
	    r == TL_EWRONGELECTION)
		status = EXIT_INVALID;
 out:
	tl_manifest_free(m);
	tl_manifest_free(pinned_m);
	tl_key_free(authority);
	tl_key_free(pinned_key);
	free(line1);
	free(line2);
	return status;
}

static int
exec_roll_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"record", required_argument, NULL, 'r'},
		{"election", required_argument, NULL, 'e'},
		{"manifest", required_argument, NULL, 'm'},
		{"voter", required_argument, NULL, 'V'},
		{"key", required_argument, NULL, 'k'},
		{"public-key", required_argument, NULL, 'P'},
		{"json", no_argument, NULL, 'j'},
		CLI_CLIENT_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	struct roll_check_opts o;
	struct tl_roll *roll = NULL;
	struct tl_key *key = NULL;
	struct tl_error err;
	const struct tl_voter *v;
	char mine[TL_PUBLIC_B64_LEN + 1] = "", where[512] = "";
	char *election = NULL;
	json_t *doc = NULL;
	int first, status, matches = -1;

	memset(&o, 0, sizeof(o));
	if ((status = cli_parse(argc, argv, "", longopts, roll_check_option, &o,
	    &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 0, 0)) != 0)
		return status;
	if ((o.record == NULL) == (o.client.server.url == NULL))
		return cli_usage_error("say where the roll is: --record FILE (an "
		    "exported record) or --server URL --election ID");
	if (o.client.server.url != NULL && o.election == NULL)
		return cli_usage_error("--server needs --election ID");
	if (o.record != NULL && (o.election != NULL || o.manifest != NULL))
		return cli_usage_error("--election and --manifest go with "
		    "--server; a record names its election and manifest");
	if (o.voter == NULL)
		return cli_usage_error("--voter ID is required: your id on the "
		    "roll");
	if (o.key != NULL && o.public_key != NULL)
		return cli_usage_error("give --key FILE or --public-key BASE64, "
		    "not both");
	if ((status = cli_client_setup(&o.client, o.manifest)) != 0)
		return status;
	tl_error_clear(&err);
	if (o.key != NULL) {
		if (tl_key_load_private(o.key, &key, &err) != TL_OK) {
			status = cli_fail(&err);
			goto out;
		}
		tl_key_public_base64(key, mine);
		tl_key_free(key);
	} else if (o.public_key != NULL) {
		if (tl_key_from_public_base64(o.public_key, &key, NULL) != TL_OK) {
			status = cli_usage_error("--public-key: \"%.64s\" is not "
			    "the base64 of an Ed25519 public key", o.public_key);
			goto out;
		}
		tl_key_public_base64(key, mine);
		tl_key_free(key);
	}
	if (o.record != NULL)
		status = roll_from_record(o.record, &roll, &election, where,
		    sizeof(where));
	else {
		status = roll_from_server(&o, &roll, where, sizeof(where));
		election = strdup(o.election);
	}
	if (status != 0)
		goto out;
	v = tl_roll_find(roll, o.voter);
	if (v != NULL && *mine != '\0')
		matches = strcmp(v->public_key, mine) == 0;
	if (o.json) {
		doc = json_pack("{s:s, s:s, s:I, s:o, s:o, s:b}", "election",
		    election, "source", where, "voters", (json_int_t)roll->nvoters,
		    "voter", v == NULL ? json_null() : json_pack("{s:s, s:s, s:s, "
		    "s:I, s:s, s:s}", "id", v->id, "name", v->name, "constituency",
		    v->constituency, "weight", (json_int_t)v->weight, "public_key",
		    v->public_key, "key_id", v->key_id), "key_matches",
		    matches < 0 ? json_null() : json_boolean(matches), "valid",
		    v != NULL && matches != 0);
		if (doc == NULL || (status = cli_print_json(doc)) != 0) {
			status = doc == NULL ? EXIT_INTERNAL : status;
			goto out;
		}
	} else if (v == NULL)
		printf("Voter %s is NOT on the roll of election %s (%zu voters; "
		    "%s).\n", o.voter, election, roll->nvoters, where);
	else {
		printf("Voter %s on the roll of election %s (%s):\n"
		    "  name          %s\n  constituency  %s\n  weight        %lld\n"
		    "  public key    %s\n  key id        %s\n", v->id, election,
		    where, v->name, v->constituency, (long long)v->weight,
		    v->public_key, v->key_id);
		if (matches == 1)
			printf("The key on the roll is yours: it is the public half "
			    "of %s.\n", o.key != NULL ? o.key : "the key given");
		else if (matches == 0)
			printf("The key on the roll is NOT yours (yours is %s): "
			    "ballots signed with your key would be refused, and "
			    "someone else may vote in your name.  Tell the election "
			    "committee.\n", mine);
	}
	status = v != NULL && matches != 0 ? 0 : EXIT_INVALID;
 out:
	cli_client_free(&o.client);
	json_decref(doc);
	tl_roll_free(roll);
	free(election);
	return status;
}

const struct cli_command cmd_roll_check = {
	"roll", "check",
	"(--record FILE | --server URL --election ID) --voter ID [--key FILE]",
	"Check your own entry on an election's frozen roll.",
	"The roll is frozen (signed into the log) when the election opens or is\n"
	"published; before that the authority may change it, and after it\n"
	"only a voter can tell that their own entry is right.  This shows the\n"
	"voter's entry (name, constituency, weight, public key) as the record's\n"
	"line 2 holds it, signed by the authority of line 1's manifest in a\n"
	"record whose entries its tree head signs; or as a server's log holds\n"
	"it, entries 0 and 1 shown by inclusion proofs to be in the server's\n"
	"signed tree.  With --key FILE (your private key) or --public-key, it\n"
	"says whether the key on the roll is yours.\n\n"
	"Exit status: 0 on the roll (with your key, if one is given), 1 not on\n"
	"the roll, not your key, or a roll that does not check, 2 bad usage,\n"
	"3 a server that cannot be reached.\n\n"
	"Options:\n"
	"  --record FILE       an exported record ('teller export')\n"
	"  --server URL        a teller server, with --election ID\n"
	"  --cacert FILE       with an https server: trust the certificate\n"
	"                      authorities in this PEM file\n"
	"  --manifest FILE     with --server: the signed manifest the log must\n"
	"                      start with\n"
	"  --voter ID          your voter id\n"
	"  --key FILE          your private key: is the roll's key yours?\n"
	"  --public-key B64    or your public key\n"
	"  --json              print the entry as JSON\n",
	exec_roll_check,
};
