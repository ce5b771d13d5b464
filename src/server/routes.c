/*
 * routes.c: the routes of teller serve (doc/http-api.md) over libteller,
 * and the JSON responses and errors they answer with.  No route changes
 * an election's definition or state: the writes are casting a ballot,
 * asking for a secret election's credential, and keeping a witness's
 * cosignature of a tree head.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "internal.h"
#include "teller/election.h"
#include "teller/enrol.h"
#include "teller/envelope.h"
#include "teller/export.h"
#include "teller/log.h"
#include "teller/receipt.h"
#include "teller/unseal.h"
#include "teller/witness.h"
#include "www.h"

#define JSON_TYPE "application/json"
#define LOG_MAX_ENTRIES 1000  /* entries in one answer of the log route */
#define RECORD_CHUNK (64 * 1024)

typedef enum MHD_Result (*route_fn)(struct request *req,
    struct tl_store *store);

struct route {
	enum route_id id;
	const char *pattern;    /* "{}" stands for an election id, "{p}" for
	                           another segment (a voter, a file) */
	const char *method;     /* GET also answers HEAD */
	route_fn fn;            /* called with a read connection */
};

/* --- responses ------------------------------------------------------------ */

unsigned
http_status(int code)
{
	switch (code) {
	case TL_OK:
		return MHD_HTTP_OK;
	case TL_EUSAGE:
	case TL_EINPUT:
	case TL_EBALLOT:
	case TL_EMANIFEST:
	case TL_EROLL:
	case TL_EWRONGELECTION:
	case TL_EMETHOD:
		return MHD_HTTP_BAD_REQUEST;
	case TL_ESIGNATURE:
	case TL_ENOTONROLL:
	case TL_EPERM:
	case TL_EKEYPERM:
		return MHD_HTTP_FORBIDDEN;
	case TL_ENOTFOUND:
		return MHD_HTTP_NOT_FOUND;
	case TL_ESTATE:
	case TL_EWINDOW:
	case TL_EDUPLICATE:
	case TL_ESTALE:
	case TL_EEXISTS:
	case TL_ECONFLICT:
	case TL_ECREDENTIAL:
	case TL_EPHASE:
		return MHD_HTTP_CONFLICT;
	case TL_ETOOBIG:
		return MHD_HTTP_CONTENT_TOO_LARGE;
	case TL_EEXPIRED:
		return MHD_HTTP_GONE;
	case TL_ERATE:
		return MHD_HTTP_TOO_MANY_REQUESTS;
	case TL_EVERIFY:
		return MHD_HTTP_UNPROCESSABLE_CONTENT;
	case TL_ENETWORK:
		return MHD_HTTP_BAD_GATEWAY;
	default:
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
}

enum MHD_Result
respond_response(struct request *req, unsigned status,
    struct MHD_Response *response)
{
	enum MHD_Result ret;
	int draining;

	if (response == NULL)
		return MHD_NO;
	pthread_mutex_lock(&req->srv->lock);
	draining = req->srv->draining;
	pthread_mutex_unlock(&req->srv->lock);
	/* Stopping: let every client go once it has its answer.  And a
	 * credential request's connection ends with its answer, so that the
	 * client (the voting page too, whose browser would otherwise reuse
	 * it) casts the secret ballot over another one. */
	if (draining || req->route == ROUTE_CREDENTIALS)
		MHD_add_response_header(response, MHD_HTTP_HEADER_CONNECTION,
		    "close");
	/* Every answer, JSON as well as the page: a browser takes nothing
	 * from it but what its type says, runs nothing it did not come
	 * with, and tells no other site where it came from. */
	MHD_add_response_header(response, "Content-Security-Policy", WWW_CSP);
	MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(response, "Referrer-Policy", "no-referrer");
	req->status = status;
	req->answered = 1;
	ret = MHD_queue_response(req->connection, status, response);
	MHD_destroy_response(response);
	return ret;
}

enum MHD_Result
respond(struct request *req, unsigned status, const char *content_type,
    const char *body, size_t len)
{
	struct MHD_Response *response;

	response = MHD_create_response_from_buffer(len, (void *)body,
	    MHD_RESPMEM_MUST_COPY);
	if (response == NULL)
		return MHD_NO;
	MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
	    content_type);
	return respond_response(req, status, response);
}

/* A JSON document (compact, in insertion order, with a newline). */
static enum MHD_Result
respond_json(struct request *req, unsigned status, const json_t *doc)
{
	char *text;
	enum MHD_Result ret;
	struct tl_error err;

	if (doc == NULL ||
	    (text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER)) ==
	    NULL) {
		tl_error_set(&err, TL_ENOMEM, "out of memory");
		return respond_error(req, &err);
	}
	ret = respond(req, status, JSON_TYPE, text, strlen(text));
	free(text);
	return ret;
}

/* respond_json, releasing doc. */
static enum MHD_Result
respond_json_new(struct request *req, unsigned status, json_t *doc)
{
	enum MHD_Result ret = respond_json(req, status, doc);

	json_decref(doc);
	return ret;
}

/* A signed object exactly as stored, and a newline. */
static enum MHD_Result
respond_text_line(struct request *req, unsigned status, const char *text)
{
	struct tl_buf buf;
	enum MHD_Result ret;

	tl_buf_init(&buf, SIZE_MAX / 2);
	if (tl_buf_adds(&buf, text) != TL_OK || tl_buf_addc(&buf, '\n') !=
	    TL_OK) {
		tl_buf_free(&buf);
		return MHD_NO;
	}
	ret = respond(req, status, JSON_TYPE, buf.data, buf.len);
	tl_buf_free(&buf);
	return ret;
}

/* The JSON error body of err, as a response to queue.  Every message is
 * valid UTF-8 (error.h), so Jansson takes it; should it still fail (out
 * of memory), a fixed body says so rather than no answer at all. */
static struct MHD_Response *
error_response(const struct tl_error *err)
{
	static const char fallback[] =
	    "{\"error\":\"out_of_memory\",\"message\":\"out of memory\"}";
	struct MHD_Response *response = NULL;
	json_t *doc;
	char *text;

	doc = json_pack("{s:s, s:s}", "error", tl_error_name(err->code),
	    "message", err->message[0] != '\0' ? err->message :
	    tl_strerror(err->code));
	text = doc != NULL ? json_dumps(doc, JSON_COMPACT |
	    JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	if (text != NULL && (response = MHD_create_response_from_buffer(
	    strlen(text), text, MHD_RESPMEM_MUST_FREE)) == NULL)
		free(text);
	if (response == NULL)
		response = MHD_create_response_from_buffer(sizeof(fallback) - 1,
		    (void *)fallback, MHD_RESPMEM_PERSISTENT);
	if (response != NULL)
		MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
		    JSON_TYPE);
	return response;
}

/* The whole message of a failure of the server's own (a 500) goes to the
 * log only: it can name the database's path or other files of the host. */
static void
log_failure(const struct request *req, const struct tl_error *err)
{
	fprintf(stderr, "teller: %s %s: %s: %s\n", req->method, req->path,
	    tl_error_name(err->code), err->message);
}

static enum MHD_Result
respond_error_status(struct request *req, unsigned status,
    const struct tl_error *err)
{
	struct tl_error shown;

	if (status == MHD_HTTP_INTERNAL_SERVER_ERROR) {
		log_failure(req, err);
		tl_error_set(&shown, err->code, "%s; the server's log has the "
		    "details", tl_strerror(err->code));
		err = &shown;
	}
	return respond_response(req, status, error_response(err));
}

enum MHD_Result
respond_error(struct request *req, const struct tl_error *err)
{
	return respond_error_status(req, http_status(err->code), err);
}
/* --- query parameters ----------------------------------------------------- */

/* An optional whole-number query parameter in [min, max]; *present says
 * whether it was given. */
static int
query_int(struct request *req, const char *name, int64_t min, int64_t max,
    int64_t *out, int *present, struct tl_error *err)
{
	const char *value = MHD_lookup_connection_value(req->connection,
	    MHD_GET_ARGUMENT_KIND, name);

	*present = value != NULL;
	if (value == NULL)
		return TL_OK;
	if (tl_parse_int64(value, min, max, out) != TL_OK)
		return tl_error_set(err, TL_EINPUT, "query parameter %s: "
		    "\"%.40s\" is not a whole number from %lld", name, value,
		    (long long)min);
	return TL_OK;
}

/* The size of the latest signed tree head of the election. */
static int
latest_size(struct tl_store *store, const char *id, uint64_t *size,
    struct tl_error *err)
{
	struct tl_tree_head head;
	char *text = NULL;
	int r;

	if ((r = tl_log_latest_head(store, id, &text, err)) == TL_OK &&
	    (r = tl_tree_head_parse_envelope(text, strlen(text), &head, NULL,
	    err)) == TL_OK)
		*size = head.size;
	free(text);
	return r;
}

/* TL_ENOTFOUND "no election" before anything else is looked up. */
static int
election_exists(struct tl_store *store, const char *id, struct tl_error *err)
{
	char *state = NULL;
	int r = tl_election_state(store, id, &state, err);

	free(state);
	return r;
}

/* --- the routes ----------------------------------------------------------- */

static enum MHD_Result
get_elections(struct request *req, struct tl_store *store)
{
	struct tl_error err;
	json_t *list = NULL, *doc;

	if (tl_election_list(store, &list, &err) != TL_OK)
		return respond_error(req, &err);
	doc = json_pack("{s:o}", "elections", list);
	return respond_json_new(req, MHD_HTTP_OK, doc);
}

static enum MHD_Result
get_election(struct request *req, struct tl_store *store)
{
	struct tl_error err;
	json_t *doc = NULL, *signed_manifest = json_null();
	char *envelope = NULL;
	const char *state;

	if (tl_election_show(store, req->election, &doc, &err) != TL_OK)
		return respond_error(req, &err);
	state = json_string_value(json_object_get(doc, "state"));
	if (state != NULL && strcmp(state, "draft") != 0) {
		if (tl_election_signed_manifest(store, req->election, &envelope,
		    &err) != TL_OK) {
			json_decref(doc);
			return respond_error(req, &err);
		}
		signed_manifest = json_loads(envelope, 0, NULL);
		free(envelope);
	}
	json_object_set_new(doc, "signed_manifest", signed_manifest);
	return respond_json_new(req, MHD_HTTP_OK, doc);
}

static enum MHD_Result
get_tree_head(struct request *req, struct tl_store *store)
{
	struct tl_error err;
	char *head = NULL;
	enum MHD_Result ret;

	if (election_exists(store, req->election, &err) != TL_OK ||
	    tl_log_latest_head(store, req->election, &head, &err) != TL_OK)
		return respond_error(req, &err);
	ret = respond_text_line(req, MHD_HTTP_OK, head);
	free(head);
	return ret;
}

struct log_page {
	json_t *entries;
	int ok;
};

static int
add_entry(void *ctx, uint64_t index, const char *kind, const char *entry,
    size_t len)
{
	struct log_page *page = ctx;

	if (json_array_append_new(page->entries, json_pack("{s:I, s:s, s:s%}",
	    "index", (json_int_t)index, "kind", kind, "entry", entry, len)) !=
	    0) {
		page->ok = 0;
		return 1;
	}
	return 0;
}

static enum MHD_Result
get_log(struct request *req, struct tl_store *store)
{
	struct tl_error err;
	struct log_page page = {NULL, 1};
	int64_t start = 0, end = 0;
	uint64_t size = 0;
	int has_start, has_end;
	json_t *doc;

	if (election_exists(store, req->election, &err) != TL_OK ||
	    query_int(req, "start", 0, INT64_MAX, &start, &has_start, &err) !=
	    TL_OK ||
	    query_int(req, "end", 0, INT64_MAX, &end, &has_end, &err) != TL_OK ||
	    tl_log_size(store, req->election, &size, &err) != TL_OK)
		return respond_error(req, &err);
	if (!has_end || (uint64_t)end > size)
		end = (int64_t)size;
	if ((uint64_t)start > size || end < start) {
		tl_error_set(&err, TL_EINPUT, "no entries [%lld, %lld) in a log "
		    "of %llu entries", (long long)start, (long long)end,
		    (unsigned long long)size);
		return respond_error(req, &err);
	}
	if (end - start > LOG_MAX_ENTRIES)
		end = start + LOG_MAX_ENTRIES;
	if ((page.entries = json_array()) == NULL)
		return MHD_NO;
	if (tl_log_foreach(store, req->election, (uint64_t)start,
	    (uint64_t)end, add_entry, &page, &err) < 0 || !page.ok) {
		json_decref(page.entries);
		if (!page.ok)
			tl_error_set(&err, TL_ENOMEM, "out of memory");
		return respond_error(req, &err);
	}
	doc = json_pack("{s:s, s:I, s:I, s:I, s:o}", "election", req->election,
	    "start", (json_int_t)start, "end", (json_int_t)end, "size",
	    (json_int_t)size, "entries", page.entries);
	return respond_json_new(req, MHD_HTTP_OK, doc);
}

static enum MHD_Result
get_inclusion(struct request *req, struct tl_store *store)
{
	struct tl_error err;
	struct tl_merkle_proof proof;
	uint8_t leaf[TL_SHA256_LEN];
	const char *hash;
	int64_t size = 0;
	uint64_t index = 0, latest = 0;
	int has_size;
	json_t *doc;

	hash = MHD_lookup_connection_value(req->connection,
	    MHD_GET_ARGUMENT_KIND, "hash");
	if (election_exists(store, req->election, &err) != TL_OK ||
	    query_int(req, "size", 1, INT64_MAX, &size, &has_size, &err) !=
	    TL_OK)
		return respond_error(req, &err);
	if (hash == NULL || strlen(hash) != TL_HASH_HEX_LEN ||
	    tl_hex_decode(hash, leaf, sizeof(leaf)) != TL_OK) {
		tl_error_set(&err, TL_EINPUT, "query parameter hash: the leaf "
		    "hash of an entry (64 hex digits) is required");
		return respond_error(req, &err);
	}
	if (!has_size) {
		if (latest_size(store, req->election, &latest, &err) !=
		    TL_OK)
			return respond_error(req, &err);
		size = (int64_t)latest;
	}
	if (tl_log_find_leaf(store, req->election, leaf, &index, &err) !=
	    TL_OK ||
	    tl_log_inclusion_proof(store, req->election, index, (uint64_t)size,
	    &proof, &err) != TL_OK)
		return respond_error(req, &err);
	doc = json_pack("{s:s, s:s, s:I, s:I, s:o}", "election", req->election,
	    "leaf_hash", hash, "leaf_index", (json_int_t)index, "tree_size",
	    (json_int_t)size, "proof", tl_proof_to_json(&proof));
	return respond_json_new(req, MHD_HTTP_OK, doc);
}

static enum MHD_Result
get_consistency(struct request *req, struct tl_store *store)
{
	struct tl_error err;
	struct tl_merkle_proof proof;
	int64_t first = 0, second = 0;
	uint64_t latest = 0;
	int has_first, has_second;
	json_t *doc;

	if (election_exists(store, req->election, &err) != TL_OK ||
	    query_int(req, "first", 1, INT64_MAX, &first, &has_first, &err) !=
	    TL_OK ||
	    query_int(req, "second", 1, INT64_MAX, &second, &has_second,
	    &err) != TL_OK)
		return respond_error(req, &err);
	if (!has_first) {
		tl_error_set(&err, TL_EINPUT, "query parameter first: the size "
		    "of the older tree is required");
		return respond_error(req, &err);
	}
	if (!has_second) {
		if (latest_size(store, req->election, &latest, &err) !=
		    TL_OK)
			return respond_error(req, &err);
		second = (int64_t)latest;
	}
	if (tl_log_consistency_proof(store, req->election, (uint64_t)first,
	    (uint64_t)second, &proof, &err) != TL_OK)
		return respond_error(req, &err);
	doc = json_pack("{s:s, s:I, s:I, s:o}", "election", req->election,
	    "first", (json_int_t)first, "second", (json_int_t)second, "proof",
	    tl_proof_to_json(&proof));
	return respond_json_new(req, MHD_HTTP_OK, doc);
}

static enum MHD_Result
get_results(struct request *req, struct tl_store *store)
{
	struct tl_error err;
	json_t *result = NULL, *doc;
	char *envelope = NULL;

	if (tl_election_result(store, req->election, &result, &envelope, &err) !=
	    TL_OK)
		return respond_error(req, &err);
	doc = json_pack("{s:s, s:o, s:s}", "election", req->election, "result",
	    result, "signed_result", envelope);
	free(envelope);
	return respond_json_new(req, MHD_HTTP_OK, doc);
}

/* The record, streamed: a read connection of its own for as long as the
 * response is being sent. */
struct record_stream {
	struct server *srv;
	struct tl_store *store;
	struct tl_export *export;
	struct tl_buf buf;
	size_t offset;
	int done;
};

static ssize_t
record_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct record_stream *rs = cls;
	struct tl_error err;
	size_t n;

	(void)pos;
	if (rs->offset == rs->buf.len) {
		if (rs->done)
			return MHD_CONTENT_READER_END_OF_STREAM;
		tl_buf_reset(&rs->buf);
		rs->offset = 0;
		if (tl_export_next(rs->export, rs->store, &rs->buf, RECORD_CHUNK,
		    &rs->done, &err) != TL_OK) {
			fprintf(stderr, "teller: record: %s\n", err.message);
			return MHD_CONTENT_READER_END_WITH_ERROR;
		}
		if (rs->buf.len == 0)
			return MHD_CONTENT_READER_END_OF_STREAM;
	}
	n = rs->buf.len - rs->offset;
	if (n > max)
		n = max;
	memcpy(out, rs->buf.data + rs->offset, n);
	rs->offset += n;
	return (ssize_t)n;
}

static void
record_free(void *cls)
{
	struct record_stream *rs = cls;

	tl_export_free(rs->export);
	tl_buf_free(&rs->buf);
	server_reader_put(rs->srv, rs->store);
	free(rs);
}

static enum MHD_Result
get_record(struct request *req, struct tl_store *unused)
{
	struct record_stream *rs;
	struct MHD_Response *response;
	struct tl_error err;

	(void)unused;
	if ((rs = calloc(1, sizeof(*rs))) == NULL)
		return MHD_NO;
	rs->srv = req->srv;
	tl_buf_init(&rs->buf, 2 * RECORD_CHUNK + TL_ENVELOPE_MAX_ROLL);
	if ((rs->store = server_reader_get(req->srv, &err)) == NULL ||
	    election_exists(rs->store, req->election, &err) != TL_OK ||
	    tl_export_begin(rs->store, req->election, &rs->export, &err) !=
	    TL_OK) {
		if (rs->store != NULL)
			server_reader_put(req->srv, rs->store);
		tl_export_free(rs->export);
		free(rs);
		return respond_error(req, &err);
	}
	response = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN,
	    RECORD_CHUNK, record_read, rs, record_free);
	if (response == NULL) {
		record_free(rs);
		return MHD_NO;
	}
	MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "application/jsonl");
	return respond_response(req, MHD_HTTP_OK, response);
}

static enum MHD_Result
get_healthz(struct request *req, struct tl_store *store)
{
	struct tl_error err;
	json_t *list = NULL, *doc;

	/* The database answers a query. */
	if (tl_election_list(store, &list, &err) != TL_OK)
		return respond_error(req, &err);
	doc = json_pack("{s:s, s:I}", "status", "ok", "elections",
	    (json_int_t)json_array_size(list));
	json_decref(list);
	return respond_json_new(req, MHD_HTTP_OK, doc);
}

static enum MHD_Result
get_metrics(struct request *req, struct tl_store *unused)
{
	struct tl_buf buf;
	enum MHD_Result ret;

	(void)unused;
	tl_buf_init(&buf, 1024 * 1024);
	if (metrics_render(&req->srv->metrics, &buf) != TL_OK) {
		tl_buf_free(&buf);
		return MHD_NO;
	}
	ret = respond(req, MHD_HTTP_OK, "text/plain; version=0.0.4", buf.data,
	    buf.len);
	tl_buf_free(&buf);
	return ret;
}

/* Hands a checked write (req->pending.cast or .issuance) to the writer
 * and suspends the connection until its group has committed. */
static enum MHD_Result
submit(struct request *req)
{
	struct tl_error err;

	req->pending.connection = req->connection;
	pthread_mutex_lock(&req->srv->lock);
	if (req->srv->closing) {
		pthread_mutex_unlock(&req->srv->lock);
		tl_error_set(&err, TL_ESTATE, "the server is stopping; send the "
		    "request again later");
		return respond_error_status(req, MHD_HTTP_SERVICE_UNAVAILABLE,
		    &err);
	}
	MHD_suspend_connection(req->connection);
	req->waiting = 1;
	if (writer_submit(req->srv->writer, &req->pending, &err) != TL_OK) {
		req->waiting = 0;
		pthread_mutex_unlock(&req->srv->lock);
		MHD_resume_connection(req->connection);
		return respond_error_status(req, MHD_HTTP_SERVICE_UNAVAILABLE,
		    &err);
	}
	pthread_mutex_unlock(&req->srv->lock);
	return MHD_YES;
}

/*
 * POST a ballot: check it here, on this thread's read connection; then
 * hand it to the writer and suspend the connection until its group has
 * committed.  A ballot that fails a check never reaches the writer.
 */
static enum MHD_Result
post_ballot(struct request *req, struct tl_store *store)
{
	struct tl_error err;
	struct tl_cast *cast = NULL;
	int r;

	tl_error_clear(&err);
	if (req->body.len == 0) {
		tl_error_set(&err, TL_EINPUT, "the request has no body: send a "
		    "signed ballot ('teller ballot make')");
		metrics_ballot(&req->srv->metrics, err.code);
		return respond_error(req, &err);
	}
	r = tl_cast_check(store, req->body.data, req->body.len,
	    req->srv->config->now(), &cast, &err);
	if (r == TL_OK && strcmp(tl_cast_election(cast), req->election) != 0)
		r = tl_error_set(&err, TL_EWRONGELECTION, "ballot is for "
		    "election %s, but was sent to election %s",
		    tl_cast_election(cast), req->election);
	if (r != TL_OK) {
		tl_cast_free(cast);
		metrics_ballot(&req->srv->metrics, r);
		return respond_error(req, &err);
	}
	req->pending.cast = cast;
	return submit(req);
}

/*
 * POST a secret election's credential request: checked and blindly signed
 * here, on this thread (the RSA private-key operation runs on every core
 * the server has), then logged by the writer with its issuance.  The
 * answer, the issuance, is given only once it is durably logged; the
 * same request again gets it at once (200), nothing new logged.  Like a
 * ballot, a request is logged with no time and the access log names no
 * client.
 */
static enum MHD_Result
check_credential(struct request *req, struct tl_store *store)
{
	struct tl_error err;
	struct tl_issuance *iss = NULL;
	enum MHD_Result ret;
	int r;

	tl_error_clear(&err);
	if (req->body.len == 0) {
		tl_error_set(&err, TL_EINPUT, "the request has no body: send a "
		    "signed credential request ('teller credential request')");
		metrics_credential(&req->srv->metrics, err.code);
		return respond_error(req, &err);
	}
	r = tl_issuance_check(store, req->body.data, req->body.len,
	    req->srv->config->now(), req->srv->authority, &iss, &err);
	if (r == TL_OK && strcmp(tl_issuance_election(iss), req->election) != 0)
		r = tl_error_set(&err, TL_EWRONGELECTION, "the credential request "
		    "is for election %s, but was sent to election %s",
		    tl_issuance_election(iss), req->election);
	if (r != TL_OK) {
		tl_issuance_free(iss);
		metrics_credential(&req->srv->metrics, r);
		return respond_error(req, &err);
	}
	if (tl_issuance_repeated(iss)) {
		metrics_credential(&req->srv->metrics, TL_OK);
		ret = respond_text_line(req, MHD_HTTP_OK,
		    tl_issuance_answer(iss));
		tl_issuance_free(iss);
		return ret;
	}
	req->pending.issuance = iss;
	return submit(req);
}

static enum MHD_Result
post_credential(struct request *req, struct tl_store *store)
{
	enum MHD_Result ret;

	writer_signing(req->srv->writer, 1);
	ret = check_credential(req, store);
	writer_signing(req->srv->writer, -1);
	return ret;
}

/* The credential request's group has committed (or failed). */
static enum MHD_Result
finish_credential(struct request *req)
{
	req->waiting = 0;
	if (req->pending.result.code != TL_OK)
		return respond_error(req, &req->pending.result);
	return respond_text_line(req, tl_issuance_repeated(req->pending.issuance) ?
	    MHD_HTTP_OK : MHD_HTTP_CREATED,
	    tl_issuance_answer(req->pending.issuance));
}

/* The signed credential keys statement of a secret election. */
static enum MHD_Result
get_credential_keys(struct request *req, struct tl_store *store)
{
	struct tl_error err;
	char *keys = NULL;
	enum MHD_Result ret;

	if (election_exists(store, req->election, &err) != TL_OK ||
	    tl_election_credential_keys(store, req->election, &keys, &err) !=
	    TL_OK)
		return respond_error(req, &err);
	ret = respond_text_line(req, MHD_HTTP_OK, keys);
	free(keys);
	return ret;
}

/*
 * POST a trustee's unseal statement of a sealed election, after the
 * close: checked and logged at once (unseal.h); a handful per election,
 * so not through the writer's groups.
 */
static enum MHD_Result
post_unseal(struct request *req, struct tl_store *reader)
{
	struct tl_store *store = NULL;
	struct tl_error err;
	json_t *answer = NULL;
	int r;

	tl_error_clear(&err);
	if (req->body.len == 0) {
		tl_error_set(&err, TL_EINPUT, "the request has no body: send a "
		    "signed unseal statement ('teller trustee unseal')");
		return respond_error(req, &err);
	}
	if (election_exists(reader, req->election, &err) != TL_OK)
		return respond_error(req, &err);
	/* The reader connections are read-only: a connection of its own
	 * for this rare write, signed with the server's authority key. */
	if ((r = tl_store_open(req->srv->config->db_path, 0, &store, &err)) ==
	    TL_OK)
		r = tl_election_unseal(store, req->election, req->body.data,
		    req->body.len, req->srv->config->now(), req->srv->authority,
		    &answer, &err);
	tl_store_close(store);
	if (r != TL_OK)
		return respond_error(req, &err);
	return respond_json_new(req, MHD_HTTP_CREATED, answer);
}

/* A sealed election's trustees, and who has unsealed it. */
static enum MHD_Result
get_trustees(struct request *req, struct tl_store *store)
{
	struct tl_error err;
	json_t *doc = NULL;

	if (election_exists(store, req->election, &err) != TL_OK ||
	    tl_election_unseal_status(store, req->election, &doc, &err) !=
	    TL_OK)
		return respond_error(req, &err);
	return respond_json_new(req, MHD_HTTP_OK, doc);
}

/* The ballot's group has committed (or failed): the receipt, or why. */
static enum MHD_Result
finish_ballot(struct request *req)
{
	struct tl_error err;
	struct tl_store *store;
	char *receipt = NULL;
	enum MHD_Result ret;

	req->waiting = 0;
	if (req->pending.result.code != TL_OK)
		return respond_error(req, &req->pending.result);
	if ((store = server_reader_get(req->srv, &err)) == NULL)
		return respond_error(req, &err);
	/* Committed with synchronous=FULL: only now is a receipt made. */
	if (tl_cast_receipt(store, req->pending.cast,
	    tl_cast_tree_head(req->pending.cast), req->srv->authority, &receipt,
	    &err) != TL_OK) {
		struct tl_error shown;

		server_reader_put(req->srv, store);
		log_failure(req, &err);
		tl_error_set(&shown, err.code, "the ballot is stored, but its "
		    "receipt failed (%s; the server's log has the details)",
		    tl_strerror(err.code));
		return respond_response(req, http_status(err.code),
		    error_response(&shown));
	}
	server_reader_put(req->srv, store);
	ret = respond_text_line(req, MHD_HTTP_CREATED, receipt);
	free(receipt);
	return ret;
}

/* --- the voting page and its API ----------------------------------------- */

/* One of the page's files, with its type and ETag (304 when the client
 * has it already); `status` for the page of an unknown election. */
static enum MHD_Result
respond_file(struct request *req, const struct www_file *file,
    unsigned status)
{
	struct MHD_Response *response;
	const char *etag = www_etag(file), *match;

	match = MHD_lookup_connection_value(req->connection, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_IF_NONE_MATCH);
	if (status == MHD_HTTP_OK && etag != NULL && match != NULL &&
	    strcmp(match, etag) == 0)
		status = MHD_HTTP_NOT_MODIFIED;
	response = MHD_create_response_from_buffer(status ==
	    MHD_HTTP_NOT_MODIFIED ? 0 : file->len,
	    (void *)(uintptr_t)file->data, MHD_RESPMEM_PERSISTENT);
	if (response == NULL)
		return MHD_NO;
	MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
	    file->type);
	if (etag != NULL)
		MHD_add_response_header(response, MHD_HTTP_HEADER_ETAG, etag);
	/* Revalidated each time, so that a new teller's page is used. */
	MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-cache");
	MHD_add_response_header(response, "X-Frame-Options", "DENY");
	MHD_add_response_header(response, "Cross-Origin-Opener-Policy",
	    "same-origin");
	MHD_add_response_header(response, "Cross-Origin-Resource-Policy",
	    "same-origin");
	return respond_response(req, status, response);
}

/* GET /vote/{id} and /enrol/{id}: the page, which reads the rest from its
 * own address.  404 (with the page, which says so) for no such election. */
static enum MHD_Result
get_page(struct request *req, struct tl_store *store)
{
	const struct www_file *page = www_find(WWW_PAGE);
	struct tl_error err;
	int r;

	if (page == NULL)
		return MHD_NO;
	r = election_exists(store, req->election, &err);
	if (r != TL_OK && r != TL_ENOTFOUND)
		return respond_error(req, &err);
	return respond_file(req, page, r == TL_OK ? MHD_HTTP_OK :
	    MHD_HTTP_NOT_FOUND);
}

static enum MHD_Result
get_static(struct request *req, struct tl_store *unused)
{
	const struct www_file *file = www_find(req->param);
	struct tl_error err;

	(void)unused;
	if (file == NULL || strcmp(file->name, WWW_PAGE) == 0) {
		tl_error_set(&err, TL_ENOTFOUND, "no file %s", req->path);
		return respond_error(req, &err);
	}
	return respond_file(req, file, MHD_HTTP_OK);
}

/* GET /v1/elections/{id}/voters/{voter}: what the page needs to know of
 * one voter of a frozen roll. */
static enum MHD_Result
get_voter(struct request *req, struct tl_store *store)
{
	struct tl_error err;
	json_t *doc = NULL;

	if (!tl_valid_id(req->param)) {
		tl_error_set(&err, TL_ENOTFOUND, "no voter \"%.64s\" on the "
		    "roll of election %s", req->param, req->election);
		return respond_error(req, &err);
	}
	if (tl_enrol_voter_info(store, req->election, req->param, &doc, &err) !=
	    TL_OK)
		return respond_error(req, &err);
	return respond_json_new(req, MHD_HTTP_OK, doc);
}

/* An enrolment attempt: TL_ERATE (and the seconds to wait) past the
 * address's limit. */
static int
enrol_attempt(struct request *req, unsigned *retry_after,
    struct tl_error *err)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(
	    req->connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	if (ratelimit_take(&req->srv->enrol_limit, info != NULL ?
	    info->client_addr : NULL, req->srv->config->now(), retry_after))
		return TL_OK;
	return tl_error_set(err, TL_ERATE, "too many enrolment attempts from "
	    "this address; try again in %u seconds", *retry_after);
}

static enum MHD_Result
respond_rate_limited(struct request *req, unsigned retry_after,
    const struct tl_error *err)
{
	struct MHD_Response *response = error_response(err);
	char seconds[24];

	if (response == NULL)
		return MHD_NO;
	snprintf(seconds, sizeof(seconds), "%u", retry_after);
	MHD_add_response_header(response, MHD_HTTP_HEADER_RETRY_AFTER, seconds);
	return respond_response(req, MHD_HTTP_TOO_MANY_REQUESTS, response);
}

/* POST /v1/elections/{id}/enrol/check {"token": T}: whom the link enrols,
 * or why it cannot. */
static enum MHD_Result
post_enrol_check(struct request *req, struct tl_store *store)
{
	struct tl_error err;
	json_t *body = NULL, *doc = NULL;
	const char *token;
	unsigned retry = 0;
	int r;

	if (enrol_attempt(req, &retry, &err) != TL_OK)
		return respond_rate_limited(req, retry, &err);
	body = json_loadb(req->body.data != NULL ? req->body.data : "",
	    req->body.len, JSON_REJECT_DUPLICATES, NULL);
	token = json_string_value(json_object_get(body, "token"));
	if (token == NULL || json_object_size(body) != 1) {
		json_decref(body);
		tl_error_set(&err, TL_EINPUT, "the body is {\"token\": \"...\"}, "
		    "the token of an enrolment link");
		return respond_error(req, &err);
	}
	r = tl_enrol_lookup(store, req->election, token,
	    req->srv->config->now(), &doc, &err);
	json_decref(body);
	if (r != TL_OK)
		return respond_error(req, &err);
	return respond_json_new(req, MHD_HTTP_OK, doc);
}

/* POST /v1/elections/{id}/enrol: an enrolment envelope (enrol.h), taken
 * in a transaction of its own on a connection of its own that writes (the
 * readers only read). */
static enum MHD_Result
post_enrol(struct request *req, struct tl_store *reader)
{
	struct tl_store *store = NULL;
	struct tl_error err;
	char *voter = NULL;
	unsigned retry = 0;
	json_t *doc;
	int r;

	if (enrol_attempt(req, &retry, &err) != TL_OK)
		return respond_rate_limited(req, retry, &err);
	if (req->body.len == 0) {
		tl_error_set(&err, TL_EINPUT, "the request has no body: send "
		    "an enrolment signed by the new key");
		return respond_error(req, &err);
	}
	(void)reader;
	if ((r = tl_store_open(req->srv->config->db_path, 0, &store, &err)) ==
	    TL_OK)
		r = tl_enrol_register(store, req->election, req->body.data,
		    req->body.len, req->srv->config->now(), &voter, &err);
	tl_store_close(store);
	if (r != TL_OK)
		return respond_error(req, &err);
	doc = json_pack("{s:s, s:s}", "election", req->election, "voter",
	    voter);
	free(voter);
	return respond_json_new(req, MHD_HTTP_CREATED, doc);
}

/*
 * POST a witness's cosigned tree head (witness.h): checked and stored on
 * a connection of its own that writes (the readers only read), in a
 * short transaction (the writer keeps ballots; SQLite serialises the
 * two).
 */
static enum MHD_Result
post_cosignatures(struct request *req, struct tl_store *reader)
{
	struct tl_store *store = NULL;
	struct tl_error err;
	size_t stored = 0;
	json_t *doc;
	int r;

	(void)reader;
	tl_error_clear(&err);
	if (req->body.len == 0) {
		tl_error_set(&err, TL_EINPUT, "the request has no body: send a "
		    "cosigned tree head ('teller witness')");
		return respond_error(req, &err);
	}
	if ((r = tl_store_open(req->srv->config->db_path, 0, &store, &err)) ==
	    TL_OK)
		r = tl_cosignatures_store(store, req->election, req->body.data,
		    req->body.len, req->srv->config->now(), &stored, &err);
	tl_store_close(store);
	if (r != TL_OK)
		return respond_error(req, &err);
	doc = json_pack("{s:s, s:I}", "election", req->election,
	    "cosignatures", (json_int_t)stored);
	return respond_json_new(req, MHD_HTTP_OK, doc);
}

static enum MHD_Result
get_cosigned_head(struct request *req, struct tl_store *store)
{
	struct tl_error err;
	int64_t quorum = 0, size = 0;
	int has_quorum, has_size;
	json_t *doc = NULL;

	if (election_exists(store, req->election, &err) != TL_OK ||
	    query_int(req, "quorum", 1, TL_MAX_WITNESSES, &quorum, &has_quorum,
	    &err) != TL_OK ||
	    query_int(req, "size", 1, INT64_MAX, &size, &has_size, &err) !=
	    TL_OK ||
	    tl_cosigned_head_get(store, req->election, (unsigned)quorum,
	    (uint64_t)size, &doc, &err) != TL_OK)
		return respond_error(req, &err);
	return respond_json_new(req, MHD_HTTP_OK, doc);
}

/* A witnessed receipt for a ballot or a challenge already in the log,
 * found by its leaf hash (receipt.h, tl_receipt_issue). */
static enum MHD_Result
get_receipt(struct request *req, struct tl_store *store)
{
	struct tl_error err;
	uint8_t leaf[TL_SHA256_LEN];
	const char *hash;
	int64_t quorum = 0;
	uint64_t index = 0;
	int has_quorum;
	char *receipt = NULL;
	enum MHD_Result ret;

	hash = MHD_lookup_connection_value(req->connection,
	    MHD_GET_ARGUMENT_KIND, "hash");
	if (election_exists(store, req->election, &err) != TL_OK ||
	    query_int(req, "quorum", 1, TL_MAX_WITNESSES, &quorum, &has_quorum,
	    &err) != TL_OK)
		return respond_error(req, &err);
	if (hash == NULL || strlen(hash) != TL_HASH_HEX_LEN ||
	    tl_hex_decode(hash, leaf, sizeof(leaf)) != TL_OK) {
		tl_error_set(&err, TL_EINPUT, "query parameter hash: the leaf "
		    "hash of a ballot or challenge (64 hex digits) is required");
		return respond_error(req, &err);
	}
	if (tl_log_find_leaf(store, req->election, leaf, &index, &err) !=
	    TL_OK ||
	    tl_receipt_issue(store, req->election, index, 1, (unsigned)quorum,
	    req->srv->authority, &receipt, &err) != TL_OK)
		return respond_error(req, &err);
	ret = respond_text_line(req, MHD_HTTP_OK, receipt);
	free(receipt);
	return ret;
}

static const struct route routes[] = {
	{ROUTE_ELECTIONS, "/v1/elections", "GET", get_elections},
	{ROUTE_ELECTION, "/v1/elections/{}", "GET", get_election},
	{ROUTE_BALLOTS, "/v1/elections/{}/ballots", "POST", post_ballot},
	{ROUTE_TREE_HEAD, "/v1/elections/{}/tree-head", "GET", get_tree_head},
	{ROUTE_LOG, "/v1/elections/{}/log", "GET", get_log},
	{ROUTE_INCLUSION, "/v1/elections/{}/proof/inclusion", "GET",
	    get_inclusion},
	{ROUTE_CONSISTENCY, "/v1/elections/{}/proof/consistency", "GET",
	    get_consistency},
	{ROUTE_RESULTS, "/v1/elections/{}/results", "GET", get_results},
	{ROUTE_RECORD, "/v1/elections/{}/record", "GET", get_record},
	{ROUTE_VOTER, "/v1/elections/{}/voters/{p}", "GET", get_voter},
	{ROUTE_ENROL_CHECK, "/v1/elections/{}/enrol/check", "POST",
	    post_enrol_check},
	{ROUTE_ENROL, "/v1/elections/{}/enrol", "POST", post_enrol},
	{ROUTE_COSIGNATURES, "/v1/elections/{}/cosignatures", "POST",
	    post_cosignatures},
	{ROUTE_COSIGNED_HEAD, "/v1/elections/{}/cosigned-head", "GET",
	    get_cosigned_head},
	{ROUTE_RECEIPT, "/v1/elections/{}/receipt", "GET", get_receipt},
	{ROUTE_CREDENTIALS, "/v1/elections/{}/credentials", "POST",
	    post_credential},
	{ROUTE_CREDENTIAL_KEYS, "/v1/elections/{}/credential-keys", "GET",
	    get_credential_keys},
	{ROUTE_UNSEAL, "/v1/elections/{}/unseal", "POST", post_unseal},
	{ROUTE_TRUSTEES, "/v1/elections/{}/trustees", "GET", get_trustees},
	{ROUTE_HEALTHZ, "/healthz", "GET", get_healthz},
	{ROUTE_METRICS, "/metrics", "GET", get_metrics},
	{ROUTE_PAGE, "/vote/{}", "GET", get_page},
	{ROUTE_PAGE, "/enrol/{}", "GET", get_page},
	{ROUTE_STATIC, "/static/{p}", "GET", get_static},
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

/* Whether path matches pattern; the segment at "{}" goes to id, the one
 * at "{p}" to param. */
static int
match(const char *pattern, const char *path, char id[65], char param[65])
{
	while (*pattern != '\0') {
		int is_id = strncmp(pattern, "{}", 2) == 0;

		if (is_id || strncmp(pattern, "{p}", 3) == 0) {
			size_t n = strcspn(path, "/");
			char *to = is_id ? id : param;

			if (n == 0 || n > 64)
				return 0;
			memcpy(to, path, n);
			to[n] = '\0';
			path += n;
			pattern += is_id ? 2 : 3;
			continue;
		}
		if (*pattern++ != *path++)
			return 0;
	}
	return *path == '\0';
}

void
routes_match(struct request *req, const char *url)
{
	req->route = ROUTE_UNKNOWN;
	for (size_t i = 0; i < NROUTES; i++) {
		req->param[0] = '\0';
		if (match(routes[i].pattern, url, req->election, req->param)) {
			req->route = routes[i].id;
			req->pattern = routes[i].pattern;
			return;
		}
	}
	req->election[0] = '\0';
	req->param[0] = '\0';
}

enum MHD_Result
routes_dispatch(struct request *req)
{
	const struct route *route = NULL;
	struct tl_error err;
	struct tl_store *store;
	enum MHD_Result ret;

	if (req->waiting)
		return !writer_done(req->srv->writer, &req->pending) ? MHD_YES :
		    req->pending.cast != NULL ? finish_ballot(req) :
		    finish_credential(req);
	if (req->too_big) {
		tl_error_set(&err, TL_ETOOBIG, "the request body is over the "
		    "server's limit of %zu bytes", req->srv->config->max_body);
		return respond_error(req, &err);
	}
	for (size_t i = 0; i < NROUTES; i++)
		if (routes[i].pattern == req->pattern)
			route = &routes[i];
	if (route == NULL) {
		tl_error_set(&err, TL_ENOTFOUND, "no route %s %s (the routes "
		    "are under /v1, the voting page at /vote/ID; see "
		    "doc/http-api.md)", req->method, req->path);
		return respond_error(req, &err);
	}
	if (strcmp(req->method, route->method) != 0 &&
	    !(strcmp(route->method, "GET") == 0 &&
	    strcmp(req->method, "HEAD") == 0)) {
		struct MHD_Response *response;

		tl_error_set(&err, TL_EUSAGE, "method %s is not allowed on %s; "
		    "use %s", req->method, req->path, route->method);
		if ((response = error_response(&err)) == NULL)
			return MHD_NO;
		MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW,
		    strcmp(route->method, "GET") == 0 ? "GET, HEAD" :
		    route->method);
		return respond_response(req, MHD_HTTP_METHOD_NOT_ALLOWED,
		    response);
	}
	if (req->election[0] != '\0' && !tl_valid_id(req->election)) {
		tl_error_set(&err, TL_ENOTFOUND, "no election \"%.64s\"",
		    req->election);
		return respond_error(req, &err);
	}
	if ((store = server_reader_get(req->srv, &err)) == NULL)
		return respond_error(req, &err);
	ret = route->fn(req, store);
	server_reader_put(req->srv, store);
	return ret;
}
