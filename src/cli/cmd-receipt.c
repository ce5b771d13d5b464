/*
 * cmd-receipt.c: teller receipt verify: check a voter's receipt (for a
 * ballot or a challenge) against a source of the election's log, an
 * exported record (--record FILE) or a server (--server URL); and teller
 * receipt witness: exchange a receipt for one whose tree head the
 * election's witnesses have cosigned.
 *
 * The checks are the same whatever the source: the receipt and its tree
 * head are signed by the election's authority; its inclusion proof puts
 * the ballot at its leaf in that tree; the source's entry at that leaf is
 * that ballot; and the source's latest signed tree extends the receipt's
 * (a consistency proof), so the log was not rewritten since the receipt
 * was given.  With a witness quorum, the receipt's tree head and the
 * source's must each carry that many witnesses' cosignatures, so that the
 * history both show is the one the witnesses saw.  A source is a small table of operations (struct
 * receipt_source); another one (a server's API) adds an option and an
 * open function, nothing else.
 */
#include <config.h>

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client-opts.h"
#include "teller/client.h"
#include "teller/receipt.h"
#include "teller/record.h"
#include "teller/util.h"
#include "teller/witness.h"

struct receipt_source {
	char description[256];  /* "record FILE", for people */
	void *ctx;
	/* The election the source holds, its authority's public key and
	 * its witnesses (from its signed manifest); borrowed. */
	const char *(*election)(void *ctx);
	const struct tl_key *(*authority)(void *ctx);
	const struct tl_witness_list *(*witnesses)(void *ctx);
	/* The source's tree head that `quorum` witnesses cosigned (its
	 * envelope text, caller frees), and how many cosignatures of it
	 * verify; TL_ENOTFOUND if there is none. */
	int (*cosigned_head)(void *ctx, unsigned quorum, char **text,
	    unsigned *valid, struct tl_error *err);
	/* The source's latest signed tree head (envelope text, caller
	 * frees). */
	int (*latest_head)(void *ctx, char **text, struct tl_error *err);
	/* Log entry `index`, its exact bytes (caller frees). */
	int (*entry)(void *ctx, uint64_t index, char **entry, size_t *len,
	    struct tl_error *err);
	/* The consistency proof between two sizes of the source's log. */
	int (*consistency)(void *ctx, uint64_t old_size, uint64_t new_size,
	    struct tl_merkle_proof *proof, struct tl_error *err);
	void (*close)(void *ctx);
};

/* --- the source: an exported record ------------------------------------ */

static const char *
record_election(void *ctx)
{
	return tl_record_election(ctx);
}

static const struct tl_key *
record_authority(void *ctx)
{
	return tl_record_authority(ctx);
}

static const struct tl_witness_list *
record_witnesses(void *ctx)
{
	return &tl_record_manifest(ctx)->witnesses;
}

/* A record's cosigned head is its final one, with the cosignature line. */
static int
record_cosigned_head(void *ctx, unsigned quorum, char **text,
    unsigned *valid, struct tl_error *err)
{
	int r;

	(void)quorum;
	if ((r = tl_record_cosigned(ctx, valid, err)) != TL_OK)
		return r;
	if ((*text = strdup(tl_record_tree_head_text(ctx))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	return TL_OK;
}

static int
record_latest_head(void *ctx, char **text, struct tl_error *err)
{
	if ((*text = strdup(tl_record_tree_head_text(ctx))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	return TL_OK;
}

static int
record_entry(void *ctx, uint64_t index, char **entry, size_t *len,
    struct tl_error *err)
{
	const char *data;
	int r;

	if ((r = tl_record_entry(ctx, index, &data, len, err)) != TL_OK)
		return r;
	if ((*entry = malloc(*len + 1)) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	memcpy(*entry, data, *len);
	(*entry)[*len] = '\0';
	return TL_OK;
}

static int
record_consistency(void *ctx, uint64_t old_size, uint64_t new_size,
    struct tl_merkle_proof *proof, struct tl_error *err)
{
	return tl_record_consistency_proof(ctx, old_size, new_size, proof,
	    err);
}

static void
record_close(void *ctx)
{
	tl_record_free(ctx);
}

/* Opens a record file as a source; returns an exit status: 2 if it cannot
 * be read, 1 if it is not a consistent record. */
static int
open_record_source(const char *path, struct receipt_source *src)
{
	struct tl_record *record = NULL;
	int status;

	if ((status = cli_load_record(path, &record)) != 0)
		return status;
	snprintf(src->description, sizeof(src->description), "record (%s)",
	    path);
	src->ctx = record;
	src->election = record_election;
	src->authority = record_authority;
	src->witnesses = record_witnesses;
	src->cosigned_head = record_cosigned_head;
	src->latest_head = record_latest_head;
	src->entry = record_entry;
	src->consistency = record_consistency;
	src->close = record_close;
	return 0;
}

/* --- the source: a teller server (doc/http-api.md) ----------------------- */

struct server_source {
	struct tl_client_server server;
	char election[65];
	struct tl_key *authority;  /* from the pinned or the server's manifest */
	struct tl_manifest *manifest;
};

static const char *
server_election(void *ctx)
{
	return ((struct server_source *)ctx)->election;
}

static const struct tl_key *
server_authority(void *ctx)
{
	return ((struct server_source *)ctx)->authority;
}

static const struct tl_witness_list *
server_witnesses(void *ctx)
{
	return &((struct server_source *)ctx)->manifest->witnesses;
}

/* The server's largest tree head `quorum` witnesses cosigned, checked. */
static int
server_cosigned_head(void *ctx, unsigned quorum, char **text,
    unsigned *valid, struct tl_error *err)
{
	struct server_source *s = ctx;
	struct tl_cosigned_head *c = NULL;
	char *doc = NULL;
	int r;

	if ((r = tl_client_cosigned_head(&s->server, s->election, quorum, 0,
	    &doc, err)) != TL_OK)
		return r;
	if ((r = tl_cosigned_head_parse(doc, strlen(doc), &c, err)) != TL_OK ||
	    (r = tl_cosigned_head_check(c, s->authority, s->election,
	    &s->manifest->witnesses, valid, err)) != TL_OK) {
		tl_error_prefix(err, "the server's cosigned tree head");
		r = r == TL_ENOMEM ? r : TL_EVERIFY;
		goto out;
	}
	if ((*text = strdup(c->tree_head)) == NULL)
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
 out:
	tl_cosigned_head_free(c);
	free(doc);
	return r;
}

static int
server_latest_head(void *ctx, char **text, struct tl_error *err)
{
	struct server_source *s = ctx;

	return tl_client_tree_head(&s->server, s->election, text, err);
}

static int
server_entry(void *ctx, uint64_t index, char **entry, size_t *len,
    struct tl_error *err)
{
	struct server_source *s = ctx;

	return tl_client_log_entry(&s->server, s->election, index, entry, len, err);
}

static int
server_consistency(void *ctx, uint64_t old_size, uint64_t new_size,
    struct tl_merkle_proof *proof, struct tl_error *err)
{
	struct server_source *s = ctx;

	return tl_client_consistency(&s->server, s->election, old_size, new_size,
	    proof, err);
}

static void
server_close(void *ctx)
{
	struct server_source *s = ctx;

	tl_key_free(s->authority);
	tl_manifest_free(s->manifest);
	free(s);
}

/* Opens a server as the source of the log of election (the receipt's);
 * the authority key comes from the pinned manifest (read by
 * cli_client_setup), else from the server's.  Returns an exit status. */
static int
open_server_source(const struct cli_client *client, const char *election,
    struct receipt_source *src)
{
	struct server_source *s;
	struct tl_error err;

	tl_error_clear(&err);
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		cli_error("out of memory");
		return EXIT_INTERNAL;
	}
	s->server = client->server;
	snprintf(s->election, sizeof(s->election), "%s", election);
	if (tl_client_manifest(&s->server, election, client->pinned,
	    client->pinned_len, &s->manifest, &s->authority, &err) != TL_OK) {
		free(s);
		return cli_fail(&err);
	}
	snprintf(src->description, sizeof(src->description), "server (%s)",
	    s->server.url);
	src->ctx = s;
	src->election = server_election;
	src->authority = server_authority;
	src->witnesses = server_witnesses;
	src->cosigned_head = server_cosigned_head;
	src->latest_head = server_latest_head;
	src->entry = server_entry;
	src->consistency = server_consistency;
	src->close = server_close;
	return 0;
}

/* --- the checks ---------------------------------------------------------- */

/* The content of a signed tree head's envelope (its signature unchecked). */
static int
read_head(const char *text, struct tl_tree_head *head, struct tl_error *err)
{
	struct tl_envelope *env = NULL;
	int r;

	if ((r = tl_envelope_parse(text, strlen(text), TL_ENVELOPE_MAX_DEFAULT,
	    &env, err)) == TL_OK)
		r = tl_tree_head_parse((const char *)env->payload,
		    env->payload_len, head, err);
	tl_envelope_free(env);
	return r;
}

struct outcome {
	json_t *checks;  /* [{"check", "ok", "detail"}] */
	int failed;
};

static void
outcome_add(struct outcome *o, const char *check, int ok, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static void
outcome_add(struct outcome *o, const char *check, int ok, const char *fmt,
    ...)
{
	char detail[1400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	json_array_append_new(o->checks, json_pack("{s:s, s:b, s:s}", "check",
	    check, "ok", ok, "detail", detail));
	if (!ok)
		o->failed = 1;
}

/* Runs the checks in order, stopping at the first that fails; returns 0,
 * or EXIT_INTERNAL if one could not run. */
static int
check_receipt(const struct tl_receipt *rc, struct receipt_source *src,
    unsigned quorum, struct outcome *o, uint64_t *source_size)
{
	const struct tl_key *authority = src->authority(src->ctx);
	const char *kind = tl_receipt_kind_name(rc->kind);
	struct tl_merkle_proof proof;
	struct tl_tree_head later;
	struct tl_error err;
	char keyid[TL_KEYID_LEN + 1], *entry = NULL, *head = NULL;
	size_t len = 0;
	unsigned valid = 0;
	int r, status = 0;

	tl_key_id(authority, keyid);
	tl_error_clear(&err);
	if (strcmp(rc->election_id, src->election(src->ctx)) != 0) {
		outcome_add(o, "election", 0, "the receipt is for election %s, "
		    "but the %s is of election %s", rc->election_id,
		    src->description, src->election(src->ctx));
		goto out;
	}
	outcome_add(o, "election", 1, "the receipt and the %s are of election "
	    "%s", src->description, rc->election_id);
	if (tl_receipt_check(rc, authority, &err) != TL_OK) {
		outcome_add(o, "receipt", 0, "%s (authority key id %s)",
		    err.message, keyid);
		goto out;
	}
	outcome_add(o, "receipt", 1, "the receipt and its tree head of %llu "
	    "entries are signed by the authority (key id %s), and the "
	    "inclusion proof puts the %s at leaf %llu of that tree",
	    (unsigned long long)rc->tree_head.size, keyid, kind,
	    (unsigned long long)rc->leaf_index);
	if (tl_receipt_witnessed(rc, authority, src->witnesses(src->ctx),
	    &valid, &err) != TL_OK) {
		outcome_add(o, "witnesses", 0, "a cosignature the receipt "
		    "carries does not hold: %s", err.message);
		goto out;
	}
	if (valid < quorum) {
		outcome_add(o, "witnesses", 0, "the receipt's tree head carries "
		    "%u valid cosignature%s, and %u are required: exchange it for "
		    "a witnessed receipt with 'teller receipt witness RECEIPT "
		    "--server URL' once the witnesses have cosigned a tree that "
		    "holds the %s", valid, valid == 1 ? "" : "s", quorum, kind);
		goto out;
	}
	if (rc->ncosignatures > 0 || quorum > 0)
		outcome_add(o, "witnesses", 1, "the receipt's tree head is "
		    "cosigned by %u of the witnesses the manifest names (%u "
		    "required)", valid, quorum);
	if ((r = src->entry(src->ctx, rc->leaf_index, &entry, &len, &err)) !=
	    TL_OK) {
		if (r == TL_ENOMEM || r == TL_EINTERNAL || r == TL_ENETWORK) {
			status = cli_fail(&err);
			goto out;
		}
		outcome_add(o, kind, 0, "%s", err.message);
		goto out;
	}
	if (tl_receipt_matches_entry(rc, entry, len, &err) != TL_OK) {
		outcome_add(o, kind, 0, "entry %llu of the %s is not the "
		    "receipt's %s: %s", (unsigned long long)rc->leaf_index,
		    src->description, kind, err.message);
		goto out;
	}
	outcome_add(o, kind, 1, "entry %llu of the %s is the %s %s",
	    (unsigned long long)rc->leaf_index, src->description, kind,
	    rc->ballot_hash);
	if (quorum > 0) {
		/* The later tree must be one the witnesses saw too. */
		if ((r = src->cosigned_head(src->ctx, quorum, &head, &valid,
		    &err)) != TL_OK) {
			if (r == TL_ENOMEM || r == TL_EINTERNAL ||
			    r == TL_ENETWORK) {
				status = cli_fail(&err);
				goto out;
			}
			outcome_add(o, "witnessed", 0, "the %s has no tree head "
			    "cosigned by %u witnesses: %s", src->description,
			    quorum, err.message);
			goto out;
		}
		if (valid < quorum) {
			outcome_add(o, "witnessed", 0, "the %s's final tree head is "
			    "cosigned by %u of the witnesses the manifest names, "
			    "and %u are required", src->description, valid, quorum);
			goto out;
		}
		outcome_add(o, "witnessed", 1, "the %s's tree head checked "
		    "below is cosigned by %u witnesses (%u required)",
		    src->description, valid, quorum);
	} else if ((r = src->latest_head(src->ctx, &head, &err)) != TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	/* The size the proof must reach; the head's signature and the rest
	 * are tl_receipt_check_extension's to check. */
	if (read_head(head, &later, &err) != TL_OK) {
		outcome_add(o, "consistency", 0, "the %s's tree head: %s",
		    src->description, err.message);
		goto out;
	}
	*source_size = later.size;
	if (later.size >= rc->tree_head.size &&
	    (r = src->consistency(src->ctx, rc->tree_head.size, later.size,
	    &proof, &err)) == TL_ENETWORK) {
		status = cli_fail(&err);
		goto out;
	}
	if (later.size < rc->tree_head.size || r != TL_OK) {
		outcome_add(o, "consistency", 0, "the %s's log has %llu entries, "
		    "fewer than the receipt's %llu: it is not the log the "
		    "receipt was given from", src->description,
		    (unsigned long long)later.size,
		    (unsigned long long)rc->tree_head.size);
		goto out;
	}
	if (tl_receipt_check_extension(rc, authority, head, strlen(head),
	    &proof, &later, &err) != TL_OK) {
		outcome_add(o, "consistency", 0, "%s", err.message);
		goto out;
	}
	outcome_add(o, "consistency", 1, "the %s's signed tree of %llu entries "
	    "extends the receipt's tree of %llu (consistency proof of %zu "
	    "hashes)", src->description, (unsigned long long)later.size,
	    (unsigned long long)rc->tree_head.size, proof.n);
 out:
	free(entry);
	free(head);
	return status;
}

/* --- teller receipt verify ----------------------------------------------- */

struct receipt_opts {
	const char *record;
	struct cli_client client;   /* --server, --cacert; the pin */
	const char *manifest;
	const char *output;
	unsigned quorum;
	int json;
};

static int
receipt_option(int opt, const char *arg, void *ctx)
{
	struct receipt_opts *o = ctx;
	int64_t n;

	switch (opt) {
	case 'r':
		o->record = arg;
		return 0;
	case 'm':
		o->manifest = arg;
		return 0;
	case 'j':
		o->json = 1;
		return 0;
	case 'o':
		o->output = arg;
		return 0;
	case 'q':
		if (tl_parse_int64(arg, 0, TL_MAX_WITNESSES, &n) != TL_OK)
			return cli_usage_error("--witness-quorum must be a number "
			    "from 0 to %d, not \"%s\"", TL_MAX_WITNESSES, arg);
		o->quorum = (unsigned)n;
		return 0;
	}
	return cli_client_option(opt, arg, &o->client);
}

/* The receipt file: any failure to read it is bad input (exit 2). */
static int
read_receipt(const char *path, char **text, size_t *len)
{
	struct tl_error err;

	tl_error_clear(&err);
	if (cli_read_file(path, TL_RECEIPT_MAX, text, len, &err) == TL_OK)
		return 0;
	cli_fail(&err);
	return EXIT_USAGE;
}

static void
render_outcome(const struct tl_receipt *rc, const struct outcome *o,
    struct tl_buf *out)
{
	size_t i;
	json_t *item;

	tl_buf_addf(out, "Receipt for %s %s\n  election %s, leaf %llu of a "
	    "tree of %llu entries\n\n", tl_receipt_kind_name(rc->kind),
	    rc->ballot_hash, rc->election_id,
	    (unsigned long long)rc->leaf_index,
	    (unsigned long long)rc->tree_head.size);
	json_array_foreach(o->checks, i, item)
		tl_buf_addf(out, "  %-4s  %-11s  %s\n",
		    json_is_true(json_object_get(item, "ok")) ? "ok" : "FAIL",
		    json_string_value(json_object_get(item, "check")),
		    json_string_value(json_object_get(item, "detail")));
	tl_buf_addf(out, o->failed ? "\nVerdict: INVALID: this receipt does "
	    "not prove the %s is in this log.\n" : "\nVerdict: VALID: the "
	    "%s is in this log, where the receipt puts it.\n",
	    tl_receipt_kind_name(rc->kind));
}

static int
exec_receipt_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"record", required_argument, NULL, 'r'},
		{"manifest", required_argument, NULL, 'm'},
		{"json", no_argument, NULL, 'j'},
		{"witness-quorum", required_argument, NULL, 'q'},
		CLI_CLIENT_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	struct receipt_opts opts = {0};
	struct receipt_source src;
	struct tl_receipt *rc = NULL;
	struct outcome o = {NULL, 0};
	struct tl_error err;
	struct tl_buf buf;
	json_t *doc = NULL;
	char *text = NULL;
	size_t len = 0;
	uint64_t source_size = 0;
	int first, status;

	memset(&src, 0, sizeof(src));
	if ((status = cli_parse(argc, argv, "", longopts, receipt_option,
	    &opts, &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 1, 1)) != 0)
		return status;
	if ((opts.record == NULL) == (opts.client.server.url == NULL))
		return cli_usage_error("say what to check the receipt against: "
		    "--record FILE (an exported record) or --server URL (a "
		    "teller server)");
	if ((status = cli_client_setup(&opts.client, opts.manifest)) != 0 ||
	    (status = read_receipt(argv[first], &text, &len)) != 0)
		goto out;
	tl_error_clear(&err);
	if (tl_receipt_parse(text, len, &rc, &err) != TL_OK) {
		tl_error_prefix(&err, "%s", argv[first]);
		cli_fail(&err);
		status = EXIT_USAGE;
		goto out;
	}
	if ((status = opts.record != NULL ? open_record_source(opts.record,
	    &src) : open_server_source(&opts.client, rc->election_id,
	    &src)) != 0)
		goto out;
	if ((o.checks = json_array()) == NULL) {
		cli_error("out of memory");
		status = EXIT_INTERNAL;
		goto out;
	}
	if ((status = check_receipt(rc, &src, opts.quorum, &o, &source_size)) !=
	    0)
		goto out;
	if (opts.json) {
		doc = json_pack("{s:b, s:s, s:s, s:s, s:I, s:I, s:s, s:I, s:O}",
		    "valid", !o.failed, "election", rc->election_id, "kind",
		    tl_receipt_kind_name(rc->kind), tl_receipt_kind_name(rc->kind),
		    rc->ballot_hash, "leaf_index", (json_int_t)rc->leaf_index,
		    "receipt_tree_size", (json_int_t)rc->tree_head.size,
		    "source", src.description, "source_tree_size",
		    (json_int_t)source_size, "checks", o.checks);
		if (doc == NULL || (status = cli_print_json(doc)) != 0) {
			status = doc == NULL ? EXIT_INTERNAL : status;
			goto out;
		}
	} else {
		tl_buf_init(&buf, 1 << 20);
		render_outcome(rc, &o, &buf);
		fputs(buf.data, stdout);
		tl_buf_free(&buf);
	}
	status = o.failed ? EXIT_INVALID : 0;
 out:
	cli_client_free(&opts.client);
	if (src.close != NULL)
		src.close(src.ctx);
	json_decref(doc);
	json_decref(o.checks);
	tl_receipt_free(rc);
	free(text);
	return status;
}

/* --- teller receipt witness --------------------------------------------- */

static int
exec_receipt_witness(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"manifest", required_argument, NULL, 'm'},
		{"witness-quorum", required_argument, NULL, 'q'},
		{"output", required_argument, NULL, 'o'},
		CLI_CLIENT_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	struct receipt_opts opts = {0};
	struct tl_error err;
	char *text = NULL, *witnessed = NULL;
	size_t len = 0;
	int first, status;

	if ((status = cli_parse(argc, argv, "o:", longopts, receipt_option,
	    &opts, &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 1, 1)) != 0)
		return status;
	if (opts.client.server.url == NULL)
		return cli_usage_error("--server URL is required: the server "
		    "that holds the witnesses' cosignatures");
	if ((status = cli_client_setup(&opts.client, opts.manifest)) != 0 ||
	    (status = read_receipt(argv[first], &text, &len)) != 0)
		goto out;
	tl_error_clear(&err);
	if (tl_client_witnessed_receipt(&opts.client.server, text, len,
	    opts.client.pinned, opts.client.pinned_len, opts.quorum,
	    &witnessed, &err) != TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	status = cli_write_output(opts.output, witnessed, 0644);
 out:
	cli_client_free(&opts.client);
	free(text);
	free(witnessed);
	return status;
}

const struct cli_command cmd_receipt_witness = {
	"receipt", "witness", "RECEIPT --server URL [-o FILE]",
	"Exchange a receipt for one whose tree head the witnesses cosigned.",
	"A receipt is given as soon as its ballot (or challenge) is committed,\n"
	"before any witness can have seen the tree head it holds.  Once the\n"
	"election's witnesses have cosigned a tree that holds the entry, the\n"
	"server gives a witnessed receipt for it: the same entry, a later tree\n"
	"head and the witnesses' cosignatures of it.  It is checked before it is\n"
	"printed: signed by the authority, for the same entry, with at least the\n"
	"quorum of valid cosignatures by witnesses the manifest names, and a\n"
	"tree that extends the old receipt's (consistency proof).  Keep it with\n"
	"the first one; 'teller receipt verify --witness-quorum N' checks it.\n\n"
	"Exit status: 0 printed, 1 the server's answer does not check, 2 bad\n"
	"usage or input, or no such witnessed tree yet (not_found), 3 the\n"
	"server could not be reached.\n\n"
	"Options:\n"
	"  --server URL        the teller server\n"
	"  --cacert FILE       with an https server: trust the certificate\n"
	"                      authorities in this PEM file\n"
	"  --manifest FILE     the signed manifest to check the answer with\n"
	"                      (default: the server's)\n"
	"  --witness-quorum N  cosignatures wanted (default: the manifest's\n"
	"                      witness_quorum)\n"
	"  -o, --output FILE   write the witnessed receipt to FILE\n",
	exec_receipt_witness,
};

const struct cli_command cmd_receipt_verify = {
	"receipt", "verify", "RECEIPT (--record FILE | --server URL)",
	"Check that a receipt's ballot (or challenge) is in an election's log.",
	"Checks, in order: that the receipt and the record are of the same\n"
	"election; that the receipt and its tree head are signed by the\n"
	"authority key of the record's manifest and the inclusion proof puts the\n"
	"ballot (or challenge) at its leaf in that tree, and that any witness's\n"
	"cosignature it carries verifies; that the record's entry at that leaf\n"
	"is that ballot (or challenge); and that the record's signed tree\n"
	"extends the receipt's\n"
	"(a consistency proof computed from the record), so that the log was not\n"
	"rewritten after the receipt was given.  The record itself must be\n"
	"consistent: its entries must hash to the root its last line signs.\n"
	"With --server, the same checks run against a teller server's log of\n"
	"the receipt's election: its entry at the leaf, its latest signed tree\n"
	"head and its consistency proof; the authority key is that of the\n"
	"manifest given with --manifest, else of the server's.\n\n"
	"With --witness-quorum N, the receipt's tree head must carry N valid\n"
	"cosignatures by witnesses the manifest names (a witnessed receipt:\n"
	"'teller receipt witness'), and the tree it is checked against must be\n"
	"cosigned by N too: the record's final tree head (its cosignature\n"
	"line), or the server's largest tree head that N witnesses cosigned.\n\n"
	"Exit status: 0 the receipt holds, 1 it does not (or the record is not\n"
	"consistent), 2 unreadable input or bad usage, 3 a server that cannot\n"
	"be reached.\n\n"
	"Options:\n"
	"  --record FILE   the record to check against ('teller export')\n"
	"  --server URL    the teller server to check against (http://HOST:PORT\n"
	"                  or https://HOST[:PORT])\n"
	"  --manifest FILE with --server: the signed manifest whose authority\n"
	"                  key the server's answers must be signed by\n"
	"  --cacert FILE   with an https server: trust the certificate\n"
	"                  authorities in this PEM file instead of the system's\n"
	"  --json          print the outcome as JSON\n"
	"  --witness-quorum N  require N witnesses' cosignatures (default 0)\n",
	exec_receipt_verify,
};
