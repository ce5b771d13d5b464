/*
 * cmd-witness.c: teller witness run|cosign, an independent observer's
 * side of an election log (witness.h, doc/witness.md), and teller
 * cosignature add, the authority's side of what a witness gives it.
 *
 * A witness keeps one state file per election: the tree head it cosigned
 * last.  Each new tree head (polled from a server, or given to it) is
 * cosigned only if it extends that one; the state is written before the
 * cosignature leaves, so that a witness that stops at any moment never
 * has given a cosignature it does not remember.  An inconsistent head is
 * refused, loudly, and the two signed heads that disagree are written to
 * an evidence file that anyone can check with 'teller verify --head'.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "client-opts.h"
#include "teller/client.h"
#include "teller/log.h"
#include "teller/manifest.h"
#include "teller/record.h"
#include "teller/util.h"
#include "teller/witness.h"

struct witness_opts {
	struct cli_client client;   /* run: --server, --cacert; the pin */
	const char *election;
	const char *key;
	const char *name;
	const char *state;
	const char *manifest;
	const char *evidence;
	const char *record;
	const char *head;
	const char *proof;
	const char *output;
	int64_t interval;
	int once;
};

static int
witness_option(int opt, const char *arg, void *ctx)
{
	struct witness_opts *o = ctx;

	switch (opt) {
	case 'e':
		o->election = arg;
		return 0;
	case 'k':
		o->key = arg;
		return 0;
	case 'n':
		o->name = arg;
		return 0;
	case 's':
		o->state = arg;
		return 0;
	case 'm':
		o->manifest = arg;
		return 0;
	case 'E':
		o->evidence = arg;
		return 0;
	case 'r':
		o->record = arg;
		return 0;
	case 'H':
		o->head = arg;
		return 0;
	case 'p':
		o->proof = arg;
		return 0;
	case 'o':
		o->output = arg;
		return 0;
	case 'i':
		if (tl_parse_int64(arg, 1, 86400, &o->interval) != TL_OK)
			return cli_usage_error("--interval must be a number of "
			    "seconds from 1 to 86400, not \"%s\"", arg);
		return 0;
	case '1':
		o->once = 1;
		return 0;
	}
	return cli_client_option(opt, arg, &o->client);
}

/* --- the state file -------------------------------------------------------- */

/* Reads the state file if there is one (*state NULL if not). */
static int
read_state(const char *path, struct tl_witness_state **state)
{
	struct tl_error err;
	char *text = NULL;
	size_t len = 0;
	int r;

	*state = NULL;
	if (access(path, F_OK) != 0 && errno == ENOENT)
		return 0;
	tl_error_clear(&err);
	if (tl_read_file(path, TL_WITNESS_DOC_MAX, &text, &len, &err) != TL_OK)
		return cli_fail(&err);
	r = tl_witness_state_parse(text, len, state, &err);
	free(text);
	if (r != TL_OK) {
		tl_error_prefix(&err, "%s", path);
		return cli_fail(&err);
	}
	return 0;
}

static int
write_state(const char *path, const struct tl_witness_state *state)
{
	struct tl_error err;
	char *text = NULL;
	int status;

	tl_error_clear(&err);
	if (tl_witness_state_serialize(state, &text, &err) != TL_OK)
		return cli_fail(&err);
	status = cli_write_output(path, text, 0644);
	free(text);
	return status;
}

/* The state of a witness for an election: read from its file, which must
 * be this witness's for this election; or new, trusting authority. */
static int
open_state(const struct witness_opts *o, const char *election,
    const struct tl_key *authority, struct tl_witness_state **state)
{
	struct tl_error err;
	int status;

	if ((status = read_state(o->state, state)) != 0)
		return status;
	if (*state != NULL) {
		if (strcmp((*state)->witness, o->name) != 0 ||
		    strcmp((*state)->election, election) != 0) {
			cli_error("%s is the state of witness %s for election %s, "
			    "not of %s for %s", o->state, (*state)->witness,
			    (*state)->election, o->name, election);
			tl_witness_state_free(*state);
			*state = NULL;
			return EXIT_USAGE;
		}
		return 0;
	}
	if (authority == NULL) {
		cli_error("%s does not exist yet: give the election's signed "
		    "manifest (--manifest FILE) to say which authority key to "
		    "trust", o->state);
		return EXIT_USAGE;
	}
	tl_error_clear(&err);
	if (tl_witness_state_new(o->name, election, authority, state, &err) !=
	    TL_OK)
		return cli_fail(&err);
	return 0;
}

/* Says whether the manifest names this witness with this key. */
static void
warn_unnamed(const struct tl_manifest *m, const char *name,
    const struct tl_key *key)
{
	const struct tl_witness *w = tl_witness_list_find(&m->witnesses, name);
	char b64[TL_PUBLIC_B64_LEN + 1];

	tl_key_public_base64(key, b64);
	if (w == NULL)
		fprintf(stderr, "teller: note: the manifest of election %s does "
		    "not name witness %s; its cosignatures will not count "
		    "towards a quorum\n", m->id, name);
	else if (strcmp(w->public_key, b64) != 0)
		fprintf(stderr, "teller: note: the manifest of election %s names "
		    "witness %s with another key (%s, not %s)\n", m->id, name,
		    w->public_key, b64);
}

/* Where the evidence goes: --evidence, else STATE.evidence.json, or
 * .1, .2, ... after it if that exists (evidence is never overwritten). */
static void
evidence_path(const struct witness_opts *o, char *out, size_t len)
{
	if (o->evidence != NULL) {
		snprintf(out, len, "%s", o->evidence);
		return;
	}
	snprintf(out, len, "%s.evidence.json", o->state);
	for (int i = 1; i < 1000 && access(out, F_OK) == 0; i++)
		snprintf(out, len, "%s.evidence.%d.json", o->state, i);
}

/* A refusal: the evidence to a file, and a loud message.  Returns 1. */
static int
refuse(const struct witness_opts *o, const struct tl_witness_outcome *out)
{
	char path[4096], *text;
	int status;

	evidence_path(o, path, sizeof(path));
	text = json_dumps(out->evidence, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (text == NULL) {
		cli_error("out of memory");
		return EXIT_INTERNAL;
	}
	status = cli_write_output(path, text, 0644);
	free(text);
	fprintf(stderr, "teller: WITNESS REFUSES the tree head of %llu entries: "
	    "%s.\n", (unsigned long long)out->head.size, out->reason);
	if (status == 0)
		fprintf(stderr, "teller: the evidence (the tree head this witness "
		    "cosigned and the one it refuses, both signed by the "
		    "authority) is in %s; check a record against it with "
		    "'teller verify RECORD --head %s'\n", path, path);
	return status != 0 ? status : EXIT_INVALID;
}

/* The cosigned head to give the authority: the state's, as JSON text. */
static char *
cosigned_text(const struct tl_witness_state *state)
{
	json_t *doc = tl_cosigned_head_to_json(state->cosigned);
	char *text = doc != NULL ? json_dumps(doc, JSON_COMPACT) : NULL;

	json_decref(doc);
	return text;
}

/* Observes one tree head; on a cosignature, writes the state first. */
static int
observe(const struct witness_opts *o, struct tl_witness_state *state,
    const struct tl_key *key, const char *head, const struct tl_merkle_proof
    *proof, struct tl_witness_outcome *out)
{
	struct tl_error err;
	int status;

	tl_error_clear(&err);
	if (tl_witness_observe(state, key, head, strlen(head), proof, cli_now(),
	    out, &err) != TL_OK) {
		tl_error_prefix(&err, "the tree head was not judged");
		return cli_fail(&err);
	}
	if (out->verdict == TL_WITNESS_REFUSE) {
		status = refuse(o, out);
		json_decref(out->evidence);
		out->evidence = NULL;
		return status;
	}
	if (out->verdict == TL_WITNESS_COSIGN &&
	    (status = write_state(o->state, state)) != 0)
		return status;
	return 0;
}

/* The size of the tree a head text names (its signature unchecked). */
static int
head_size(const char *text, uint64_t *size)
{
	struct tl_tree_head h;
	struct tl_error err;

	tl_error_clear(&err);
	if (tl_tree_head_parse_envelope(text, strlen(text), &h, NULL, &err) !=
	    TL_OK) {
		tl_error_prefix(&err, "the tree head");
		return cli_fail(&err);
	}
	*size = h.size;
	return 0;
}

/* Whether the witness needs a consistency proof to judge a tree of `size`
 * entries: one larger than a non-empty tree it cosigned. */
static int
needs_proof(const struct tl_witness_state *state, uint64_t size)
{
	return state->cosigned != NULL && state->cosigned->head.size > 0 &&
	    size > state->cosigned->head.size;
}

/* --- teller witness run ---------------------------------------------------- */

static volatile sig_atomic_t stop_requested;

static void
on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* One poll of the server: its latest tree head, judged, and the
 * cosignature sent.  *sent says whether the server has the state's latest
 * cosignature.  Returns an exit status (0 to go on). */
static int
poll_once(const struct witness_opts *o, struct tl_witness_state *state,
    const struct tl_key *key, int *sent)
{
	struct tl_witness_outcome out;
	struct tl_merkle_proof proof;
	struct tl_error err;
	char *head = NULL, *text = NULL, root[TL_HASH_HEX_LEN + 1];
	uint64_t size = 0;
	size_t count = 0;
	int status;

	tl_error_clear(&err);
	if (tl_client_tree_head(&o->client.server, state->election, &head, &err) !=
	    TL_OK)
		return cli_fail(&err);
	if ((status = head_size(head, &size)) != 0)
		goto out;
	if (needs_proof(state, size) && tl_client_consistency(&o->client.server,
	    state->election, state->cosigned->head.size, size, &proof, &err) !=
	    TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	if ((status = observe(o, state, key, head, needs_proof(state, size) ?
	    &proof : NULL, &out)) != 0)
		goto out;
	if (out.verdict == TL_WITNESS_COSIGN) {
		tl_hex_encode(out.head.root, TL_SHA256_LEN, root);
		printf("cosigned the tree of %llu entries of election %s (root "
		    "%.16s...)\n", (unsigned long long)out.head.size,
		    state->election, root);
		fflush(stdout);
		*sent = 0;
	}
	if (*sent || state->cosigned == NULL)
		goto out;
	if ((text = cosigned_text(state)) == NULL) {
		cli_error("out of memory");
		status = EXIT_INTERNAL;
		goto out;
	}
	if (tl_client_send_cosigned(&o->client.server, state->election, text,
	    strlen(text), &count, &err) != TL_OK) {
		tl_error_prefix(&err, "cannot give the server the cosignature");
		status = cli_fail(&err);
		goto out;
	}
	*sent = 1;
 out:
	free(head);
	free(text);
	return status;
}

static int
exec_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"election", required_argument, NULL, 'e'},
		{"key", required_argument, NULL, 'k'},
		{"name", required_argument, NULL, 'n'},
		{"state", required_argument, NULL, 's'},
		{"manifest", required_argument, NULL, 'm'},
		{"evidence", required_argument, NULL, 'E'},
		{"interval", required_argument, NULL, 'i'},
		{"once", no_argument, NULL, '1'},
		CLI_CLIENT_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	struct witness_opts o;
	struct tl_witness_state *state = NULL;
	struct tl_manifest *m = NULL;
	struct tl_key *key = NULL, *authority = NULL;
	struct sigaction sa, old_int, old_term;
	struct tl_error err;
	int first, status, sent = 0;

	memset(&o, 0, sizeof(o));
	o.interval = 10;
	if ((status = cli_parse(argc, argv, "", longopts, witness_option, &o,
	    &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 0, 0)) != 0)
		return status;
	if (o.client.server.url == NULL || o.election == NULL ||
	    o.key == NULL || o.name == NULL || o.state == NULL)
		return cli_usage_error("--server, --election, --key, --name and "
		    "--state are required");
	if ((status = cli_client_setup(&o.client, o.manifest)) != 0)
		goto out;
	tl_error_clear(&err);
	if (tl_key_load_private(o.key, &key, &err) != TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	if ((status = read_state(o.state, &state)) != 0)
		goto out;
	if (state == NULL || o.client.pinned != NULL) {
		/* The authority key to trust: the pinned manifest's, or on
		 * first use the server's. */
		if (tl_client_manifest(&o.client.server, o.election,
		    o.client.pinned, o.client.pinned_len, &m, &authority,
		    &err) != TL_OK) {
			status = cli_fail(&err);
			goto out;
		}
		warn_unnamed(m, o.name, key);
	}
	tl_witness_state_free(state);
	state = NULL;
	if ((status = open_state(&o, o.election, authority, &state)) != 0)
		goto out;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	stop_requested = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	for (;;) {
		status = poll_once(&o, state, key, &sent);
		/* A refusal, or a head the trusted key did not sign: stop. */
		if (status == EXIT_INVALID || status == EXIT_USAGE ||
		    o.once || stop_requested)
			break;
		for (int64_t t = 0; t < o.interval * 10 && !stop_requested; t++)
			nanosleep(&(struct timespec){0, 100000000L}, NULL);
		if (stop_requested) {
			status = 0;
			break;
		}
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
 out:
	cli_client_free(&o.client);
	tl_witness_state_free(state);
	tl_manifest_free(m);
	tl_key_free(key);
	tl_key_free(authority);
	return status;
}

/* --- teller witness cosign -------------------------------------------------- */

/* A consistency proof from a file: a JSON array of hex hashes, or an
 * object with one as "proof" (what the server's route answers). */
static int
read_proof(const char *path, struct tl_merkle_proof *proof)
{
	struct tl_error err;
	char *text = NULL;
	size_t len = 0;
	json_t *doc, *list;
	int r;

	tl_error_clear(&err);
	if (tl_read_file(path, TL_WITNESS_DOC_MAX, &text, &len, &err) != TL_OK)
		return cli_fail(&err);
	doc = json_loadb(text, len, 0, NULL);
	free(text);
	list = json_is_object(doc) ? json_object_get(doc, "proof") : doc;
	r = list != NULL ? tl_proof_from_json(list, proof, &err) :
	    tl_error_set(&err, TL_EINPUT, "not JSON");
	json_decref(doc);
	if (r != TL_OK) {
		tl_error_prefix(&err, "%s: a consistency proof is a JSON array of "
		    "hashes", path);
		cli_fail(&err);
		return EXIT_USAGE;
	}
	return 0;
}

/* The head to cosign from a record: its final tree head, and the proof
 * from the state's tree computed from its entries.  The record's manifest
 * gives the authority key for a new state. */
static int
from_record(const struct witness_opts *o, struct tl_record **record,
    struct tl_key **authority, char **election)
{
	struct tl_error err;
	int status;

	if ((status = cli_load_record(o->record, record)) != 0)
		return status;
	tl_error_clear(&err);
	if (tl_key_from_public_base64(tl_record_manifest(*record)->authority_key,
	    authority, &err) != TL_OK ||
	    (*election = strdup(tl_record_election(*record))) == NULL)
		return cli_fail(&err);
	return 0;
}

/* The signed manifest given with --manifest: its election and key. */
static int
from_manifest(const char *path, struct tl_manifest **m,
    struct tl_key **authority)
{
	struct tl_error err;
	char *text = NULL, hash[TL_HASH_HEX_LEN + 1];
	size_t len = 0;
	int r;

	tl_error_clear(&err);
	if (tl_read_file(path, TL_ENVELOPE_MAX_DEFAULT, &text, &len, &err) !=
	    TL_OK)
		return cli_fail(&err);
	r = tl_client_open_manifest(text, len, m, hash, authority, &err);
	free(text);
	if (r != TL_OK) {
		tl_error_prefix(&err, "%s", path);
		return cli_fail(&err);
	}
	return 0;
}

static int
exec_cosign(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"key", required_argument, NULL, 'k'},
		{"name", required_argument, NULL, 'n'},
		{"state", required_argument, NULL, 's'},
		{"record", required_argument, NULL, 'r'},
		{"head", required_argument, NULL, 'H'},
		{"proof", required_argument, NULL, 'p'},
		{"manifest", required_argument, NULL, 'm'},
		{"evidence", required_argument, NULL, 'E'},
		{"output", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	struct witness_opts o;
	struct tl_witness_state *state = NULL;
	struct tl_witness_outcome out;
	struct tl_record *record = NULL;
	struct tl_manifest *m = NULL;
	struct tl_key *key = NULL, *authority = NULL;
	struct tl_merkle_proof proof;
	struct tl_tree_head th;
	struct tl_error err;
	char *head = NULL, *election = NULL, *text = NULL;
	size_t len = 0;
	uint64_t size = 0;
	int first, status, have_proof = 0;

	memset(&o, 0, sizeof(o));
	if ((status = cli_parse(argc, argv, "o:", longopts, witness_option, &o,
	    &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 0, 0)) != 0)
		return status;
	if (o.key == NULL || o.name == NULL || o.state == NULL)
		return cli_usage_error("--key, --name and --state are required");
	if ((o.record == NULL) == (o.head == NULL))
		return cli_usage_error("give the tree head to cosign: --record "
		    "FILE (an exported record) or --head FILE (a signed tree "
		    "head, with --proof FILE from the tree cosigned last)");
	if (o.record != NULL && o.proof != NULL)
		return cli_usage_error("--proof goes with --head; a record's "
		    "entries give the proof");
	tl_error_clear(&err);
	if (tl_key_load_private(o.key, &key, &err) != TL_OK)
		return cli_fail(&err);
	if (o.record != NULL) {
		if ((status = from_record(&o, &record, &authority, &election)) !=
		    0)
			goto out;
		head = strdup(tl_record_tree_head_text(record));
	} else {
		if (cli_read_file(o.head, TL_ENVELOPE_MAX_DEFAULT, &head, &len,
		    &err) != TL_OK) {
			status = cli_fail(&err);
			goto out;
		}
		if (tl_tree_head_parse_envelope(head, len, &th, NULL, &err) !=
		    TL_OK) {
			tl_error_prefix(&err, "%s", o.head);
			status = cli_fail(&err);
			goto out;
		}
		election = strdup(th.election_id);
	}
	if (head == NULL || election == NULL) {
		cli_error("out of memory");
		status = EXIT_INTERNAL;
		goto out;
	}
	if (o.manifest != NULL) {
		tl_key_free(authority);
		authority = NULL;
		if ((status = from_manifest(o.manifest, &m, &authority)) != 0)
			goto out;
		warn_unnamed(m, o.name, key);
	} else if (record != NULL)
		warn_unnamed(tl_record_manifest(record), o.name, key);
	if ((status = open_state(&o, election, authority, &state)) != 0 ||
	    (status = head_size(head, &size)) != 0)
		goto out;
	if (needs_proof(state, size)) {
		if (record != NULL) {
			if (size > tl_record_size(record) ||
			    tl_record_consistency_proof(record,
			    state->cosigned->head.size, size, &proof, &err) !=
			    TL_OK) {
				/* The record has fewer entries than the tree the
				 * witness cosigned: judged without a proof. */
				have_proof = 0;
			} else
				have_proof = 1;
		} else if (o.proof != NULL) {
			if ((status = read_proof(o.proof, &proof)) != 0)
				goto out;
			have_proof = 1;
		}
	}
	if ((status = observe(&o, state, key, head, have_proof ? &proof : NULL,
	    &out)) != 0)
		goto out;
	if (out.verdict == TL_WITNESS_UNCHANGED)
		fprintf(stderr, "teller: the tree of %llu entries is the one this "
		    "witness cosigned last; its cosignature again:\n",
		    (unsigned long long)out.head.size);
	if ((text = cosigned_text(state)) == NULL) {
		cli_error("out of memory");
		status = EXIT_INTERNAL;
		goto out;
	}
	status = cli_write_output(o.output, text, 0644);
 out:
	tl_witness_state_free(state);
	tl_record_free(record);
	tl_manifest_free(m);
	tl_key_free(key);
	tl_key_free(authority);
	free(head);
	free(election);
	free(text);
	return status;
}

/* --- teller cosignature add ------------------------------------------------ */

static int
exec_cosignature_add(int argc, char **argv)
{
	struct tl_store *store = NULL;
	struct tl_error err;
	char *text = NULL;
	size_t len = 0, count = 0;
	int first, status;

	if ((status = cli_parse(argc, argv, "", NULL, NULL, NULL, &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 2, 2)) != 0)
		return status;
	tl_error_clear(&err);
	if (cli_read_file(argv[first + 1], TL_WITNESS_DOC_MAX, &text, &len,
	    &err) != TL_OK) {
		cli_fail(&err);
		return EXIT_USAGE;
	}
	if ((store = cli_open_store(0, &status)) == NULL) {
		free(text);
		return status;
	}
	if (tl_cosignatures_store(store, argv[first], text, len, cli_now(),
	    &count, &err) != TL_OK) {
		tl_error_prefix(&err, "%s", argv[first + 1]);
		status = cli_fail(&err);
	} else {
		printf("Stored; that tree head of election %s has %zu "
		    "cosignature%s now.\n", argv[first], count, count == 1 ? "" :
		    "s");
		status = 0;
	}
	free(text);
	tl_store_close(store);
	return status;
}

const struct cli_command cmd_witness_run = {
	"witness", "run",
	"--server URL --election ID --key FILE --name NAME --state FILE",
	"Witness an election's log on a server: cosign each consistent tree head.",
	"Polls the server's latest signed tree head of the election every\n"
	"--interval seconds.  A tree head is cosigned (C2SP tlog-cosignature,\n"
	"cosignature/v1; see doc/witness.md) only if it extends the tree this\n"
	"witness cosigned last, shown by the server's consistency proof; the\n"
	"state file then holds it, and the cosigned head is sent to the server\n"
	"(POST /v1/elections/ID/cosignatures), which serves it and puts it in\n"
	"the exported record.  A head that does not extend it (a tree of the\n"
	"same size with another root, a smaller tree, a proof that fails) is\n"
	"refused: the witness says so on standard error, writes the evidence\n"
	"(the two signed heads that disagree) to a file, and stops with exit\n"
	"status 1.  The authority key trusted is the one of --manifest, else\n"
	"the server's signed manifest when the state file is new; the state\n"
	"file remembers it.\n\n"
	"Exit status: 0 stopped (SIGINT, SIGTERM, or --once done), 1 refused\n"
	"(or a head not signed by the trusted key), 2 bad usage, 3 the server\n"
	"could not be reached (with --once).\n\n"
	"Options:\n"
	"  --server URL      the teller server (http://HOST:PORT)\n"
	"  --election ID     the election whose log to witness\n"
	"  --key FILE        the witness's private key ('teller key generate')\n"
	"  --name NAME       the witness's name, as the manifest names it\n"
	"                    (a schema-less URL, e.g. witness.example.org/w1)\n"
	"  --state FILE      the witness's state for this election (created)\n"
	"  --manifest FILE   the signed manifest whose authority key to trust\n"
	"  --evidence FILE   where to write evidence (default:\n"
	"                    STATE.evidence.json, never overwritten)\n"
	"  --cacert FILE     with an https server: trust the certificate\n"
	"                    authorities in this PEM file instead of the system's\n"
	"  --interval S      seconds between polls (default 10)\n"
	"  --once            poll once, then stop\n",
	exec_run,
};

const struct cli_command cmd_witness_cosign = {
	"witness", "cosign",
	"--key FILE --name NAME --state FILE (--record FILE | --head FILE [--proof FILE]) [-o FILE]",
	"Cosign a tree head given to the witness, if it is consistent.",
	"The same judgement as 'teller witness run', for a tree head given to\n"
	"it: the final tree head of an exported record (the consistency proof\n"
	"is computed from the record's entries), or a signed tree head in a\n"
	"file, with --proof FILE, the consistency proof from the tree cosigned\n"
	"last (a JSON array of hex hashes, or the server's answer to\n"
	"/proof/consistency).  It prints the cosigned tree head for the\n"
	"authority ('teller cosignature add ID FILE'); a refusal writes the\n"
	"evidence as 'run' does and exits with status 1.  A new state file\n"
	"trusts the authority key of --manifest, else of the record's manifest.\n\n"
	"Options:\n"
	"  --key FILE, --name NAME, --state FILE, --evidence FILE  as for run\n"
	"  --record FILE     cosign this record's final tree head\n"
	"  --head FILE       cosign this signed tree head\n"
	"  --proof FILE      with --head: the consistency proof\n"
	"  --manifest FILE   the signed manifest whose authority key to trust\n"
	"  -o, --output FILE write the cosigned head to FILE\n",
	exec_cosign,
};

const struct cli_command cmd_cosignature_add = {
	"cosignature", "add", "ID FILE",
	"Keep a witness's cosigned tree head (from 'teller witness cosign').",
	"Checks that FILE's tree head is one this database signed for the\n"
	"election (its size and root), and that each cosignature is by a\n"
	"witness the manifest names and verifies; then keeps the newest\n"
	"cosignature of each witness for that tree.  An exported record carries\n"
	"the cosignatures of its final tree head; the server serves them.\n",
	exec_cosignature_add,
};
