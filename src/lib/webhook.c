/*
 * webhook.c: the webhook outbox and its delivery.  Events are written in
 * the transaction of the change that causes them; delivery POSTs them with
 * libcurl's multi interface (every receiver in flight at once, so one that
 * hangs holds up only itself), signs each with HMAC-SHA256 through
 * crypto.h, and records each outcome as soon as it is known, with
 * exponential backoff for retries.  Apart from crypto.c, this is the only
 * module that talks to the outside.
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "jsonutil.h"
#include "store_internal.h"
#include "teller/crypto.h"
#include "teller/util.h"
#include "teller/webhook.h"

/* What an event's data holds besides the election's title and state. */
enum {
	WITH_WINDOW = 1,  /* opens, closes, manifest_hash */
	WITH_BALLOTS = 2, /* how many ballots were accepted */
	WITH_RESULT = 4,  /* winners per contest, the result's hash */
};

static const struct event_kind {
	const char *name;
	int of_election; /* carries an election id and its tree head */
	int parts;
} event_kinds[] = {
	{TL_WEBHOOK_ELECTION_OPENED, 1, WITH_WINDOW},
	{TL_WEBHOOK_ELECTION_CLOSED, 1, WITH_WINDOW | WITH_BALLOTS},
	{TL_WEBHOOK_RESULT_COUNTED, 1, WITH_BALLOTS | WITH_RESULT},
	{TL_WEBHOOK_RESULT_CERTIFIED, 1, WITH_BALLOTS | WITH_RESULT},
	{TL_WEBHOOK_PING, 0, 0},
};
#define NKINDS (sizeof(event_kinds) / sizeof(event_kinds[0]))

/* How long a claimed delivery stays claimed past its request's timeout. */
#define CLAIM_MARGIN 60
/* The longest error text kept for a delivery. */
#define ERROR_MAX 300

const char *
tl_webhook_event_name(size_t i)
{
	return i < NKINDS ? event_kinds[i].name : NULL;
}

static const struct event_kind *
find_kind(const char *name)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (strcmp(event_kinds[i].name, name) == 0)
			return &event_kinds[i];
	return NULL;
}

int
tl_webhook_event_known(const char *name)
{
	return name != NULL && find_kind(name) != NULL;
}

static json_t *
column_text(sqlite3_stmt *stmt, int col)
{
	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return json_null();
	return json_string((const char *)sqlite3_column_text(stmt, col));
}

/* --- endpoints ------------------------------------------------------------ */

static int
check_url(const char *url, struct tl_error *err)
{
	CURLU *u = NULL;
	char *scheme = NULL, *host = NULL;
	size_t len = strlen(url);
	int r = TL_OK;

	for (size_t i = 0; i < len; i++)
		if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f)
			return tl_error_set(err, TL_EINPUT, "URL: control "
			    "characters and spaces are not allowed (at byte "
			    "%zu)", i + 1);
	if (len == 0 || len > TL_WEBHOOK_URL_MAX)
		return tl_error_set(err, TL_EINPUT, "URL: must be 1 to %d bytes "
		    "long", TL_WEBHOOK_URL_MAX);
	if ((u = curl_url()) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    *host == '\0') {
		r = tl_error_set(err, TL_EINPUT, "URL \"%.100s\" is not a valid "
		    "absolute URL", url);
		goto out;
	}
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
		r = tl_error_set(err, TL_EINPUT, "URL \"%.100s\": only http:// "
		    "and https:// are allowed", url);
 out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return r;
}

static int
check_secret(const char *secret, size_t len, struct tl_error *err)
{
	if (len < TL_WEBHOOK_SECRET_MIN || len > TL_WEBHOOK_SECRET_MAX)
		return tl_error_set(err, TL_EINPUT, "the secret is %zu bytes; it "
		    "must be %d to %d (for example: openssl rand -hex 32)", len,
		    TL_WEBHOOK_SECRET_MIN, TL_WEBHOOK_SECRET_MAX);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)secret[i] <= 0x20 ||
		    (unsigned char)secret[i] >= 0x7f)
			return tl_error_set(err, TL_EINPUT, "the secret must be "
			    "printable ASCII without spaces (byte %zu is not)",
			    i + 1);
	return TL_OK;
}

/* The events list as stored: the names in the table's order, comma
 * separated, or "*" for all.  *out is the caller's to free. */
static int
normalise_events(const char *events, char **out, struct tl_error *err)
{
	int wanted[NKINDS] = {0}, any = 0;
	struct tl_buf buf;
	const char *p = events;

	if (events == NULL) {
		if ((*out = strdup("*")) == NULL)
			return tl_error_set(err, TL_ENOMEM, "out of memory");
		return TL_OK;
	}
	for (;;) {
		size_t n = strcspn(p, ","), i;

		for (i = 0; i < NKINDS; i++)
			if (strlen(event_kinds[i].name) == n &&
			    strncmp(event_kinds[i].name, p, n) == 0)
				break;
		if (i == NKINDS) {
			struct tl_buf names;

			tl_buf_init(&names, 1024);
			for (i = 0; i < NKINDS; i++)
				tl_buf_addf(&names, "%s%s", i ? ", " : "",
				    event_kinds[i].name);
			tl_error_set(err, TL_EINPUT, "events: \"%.*s\" is not an "
			    "event; the events are %s", (int)(n < 64 ? n : 64),
			    p, names.data != NULL ? names.data : "");
			tl_buf_free(&names);
			return TL_EINPUT;
		}
		wanted[i] = any = 1;
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	tl_buf_init(&buf, 1024);
	for (size_t i = 0; i < NKINDS; i++)
		if (wanted[i] && tl_buf_addf(&buf, "%s%s", buf.len ? "," : "",
		    event_kinds[i].name) != TL_OK) {
			tl_buf_free(&buf);
			return tl_error_set(err, TL_ENOMEM, "out of memory");
		}
	if (!any || (*out = tl_buf_take(&buf, NULL)) == NULL) {
		tl_buf_free(&buf);
		return tl_error_set(err, any ? TL_ENOMEM : TL_EINPUT,
		    any ? "out of memory" : "events: the list is empty");
	}
	return TL_OK;
}

int
tl_webhook_add(struct tl_store *store, const char *url,
    const char *election_id, const char *events, const char *secret,
    size_t secret_len, int64_t now, int64_t *id, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	char *list = NULL;
	int r;

	if ((r = check_url(url, err)) != TL_OK ||
	    (r = check_secret(secret, secret_len, err)) != TL_OK ||
	    (r = normalise_events(events, &list, err)) != TL_OK)
		return r;
	if (election_id != NULL &&
	    (r = tl_db_election_exists(store, election_id, err)) != TL_OK)
		goto out;
	if ((r = tl_db_prepare(store, "INSERT INTO webhook_endpoints (url, "
	    "election_id, events, secret, created_at) VALUES (?, ?, ?, ?, ?)",
	    &stmt, err)) != TL_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, url, -1, SQLITE_STATIC);
	if (election_id != NULL)
		sqlite3_bind_text(stmt, 2, election_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, list, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, secret, (int)secret_len, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, now);
	if ((r = tl_db_step_done(store, stmt, err,
	    "cannot store the endpoint")) != TL_OK)
		goto out;
	*id = sqlite3_last_insert_rowid(store->db);
 out:
	sqlite3_finalize(stmt);
	free(list);
	return r;
}

int
tl_webhook_remove(struct tl_store *store, int64_t id, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_prepare(store, "DELETE FROM webhook_endpoints WHERE "
	    "id = ?", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_int64(stmt, 1, id);
	r = tl_db_step_done(store, stmt, err, "cannot remove the endpoint");
	sqlite3_finalize(stmt);
	if (r == TL_OK && sqlite3_changes(store->db) == 0)
		r = tl_error_set(err, TL_ENOTFOUND, "no webhook endpoint %lld; "
		    "see 'teller webhook list'", (long long)id);
	return r;
}

/* "a,b" as ["a", "b"], "*" as "all". */
static json_t *
events_json(const char *list)
{
	json_t *array;

	if (strcmp(list, "*") == 0)
		return json_string("all");
	if ((array = json_array()) == NULL)
		return NULL;
	while (*list != '\0') {
		size_t n = strcspn(list, ",");

		json_array_append_new(array, json_stringn(list, n));
		list += n + (list[n] == ',');
	}
	return array;
}

static json_t *
endpoint_item(sqlite3_stmt *stmt)
{
	return json_pack("{s:I, s:s, s:o, s:o, s:o, s:I, s:I, s:I, s:o, s:o, "
	    "s:o, s:o}",
	    "id", (json_int_t)sqlite3_column_int64(stmt, 0),
	    "url", sqlite3_column_text(stmt, 1),
	    "election", column_text(stmt, 2),
	    "events", events_json((const char *)sqlite3_column_text(stmt, 3)),
	    "created_at", tl_db_column_time(stmt, 4),
	    "pending", (json_int_t)sqlite3_column_int64(stmt, 8),
	    "delivered", (json_int_t)sqlite3_column_int64(stmt, 9),
	    "failed", (json_int_t)sqlite3_column_int64(stmt, 10),
	    "last_delivery", tl_db_column_time(stmt, 5),
	    "last_error", column_text(stmt, 6),
	    "last_error_at", tl_db_column_time(stmt, 7),
	    "next_attempt", tl_db_column_time(stmt, 11));
}

int
tl_webhook_list(struct tl_store *store, json_t **out, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_prepare(store, "SELECT ep.id, ep.url, ep.election_id, "
	    "ep.events, ep.created_at, ep.last_delivered_at, ep.last_error, "
	    "ep.last_error_at, "
	    "(SELECT COUNT(*) FROM webhook_deliveries d WHERE d.endpoint_id = "
	    "ep.id AND d.state = 'pending'), "
	    "(SELECT COUNT(*) FROM webhook_deliveries d WHERE d.endpoint_id = "
	    "ep.id AND d.state = 'delivered'), "
	    "(SELECT COUNT(*) FROM webhook_deliveries d WHERE d.endpoint_id = "
	    "ep.id AND d.state = 'failed'), "
	    "(SELECT MIN(d.next_attempt_at) FROM webhook_deliveries d WHERE "
	    "d.endpoint_id = ep.id AND d.state = 'pending') "
	    "FROM webhook_endpoints ep ORDER BY ep.id", &stmt, err)) != TL_OK)
		return r;
	return tl_db_collect_json(store, stmt, endpoint_item,
	    "cannot list the webhook endpoints", out, err);
}

/* --- events --------------------------------------------------------------- */

/* The latest signed tree head of the election, as
 * {"size", "root", "time", "signed": ENVELOPE}, or null before the first. */
static int
tree_head_json(struct tl_store *store, const char *election_id, json_t **out,
    struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	char root[TL_HASH_HEX_LEN + 1];
	json_t *signed_head;
	int r;

	if ((r = tl_db_prepare(store, "SELECT size, root, signed_at, envelope "
	    "FROM tree_heads WHERE election_id = ? ORDER BY size DESC LIMIT 1",
	    &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, election_id, -1, SQLITE_STATIC);
	switch (sqlite3_step(stmt)) {
	case SQLITE_DONE:
		*out = json_null();
		break;
	case SQLITE_ROW:
		if (sqlite3_column_bytes(stmt, 1) != TL_SHA256_LEN) {
			r = tl_error_set(err, TL_EDB, "a tree head of %s has a "
			    "malformed root", election_id);
			break;
		}
		tl_hex_encode(sqlite3_column_blob(stmt, 1), TL_SHA256_LEN, root);
		signed_head = json_loads((const char *)sqlite3_column_text(stmt,
		    3), 0, NULL);
		*out = json_pack("{s:I, s:s, s:o, s:o?}", "size",
		    (json_int_t)sqlite3_column_int64(stmt, 0), "root", root,
		    "time", tl_db_column_time(stmt, 2), "signed", signed_head);
		if (*out == NULL)
			r = tl_error_set(err, TL_ENOMEM, "out of memory");
		break;
	default:
		r = tl_db_error(store, err, "cannot read the tree head");
	}
	sqlite3_finalize(stmt);
	return r;
}

/* The winners of each contest and the hash of the signed result. */
static int
result_json(struct tl_store *store, const char *election_id, json_t *data,
    struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	json_t *doc = NULL, *contests, *contest;
	char hash[TL_HASH_HEX_LEN + 1];
	size_t i;
	int r;

	if ((r = tl_db_prepare(store, "SELECT document, leaf_index FROM "
	    "result_documents WHERE election_id = ?", &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, election_id, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		r = tl_error_set(err, TL_EDB, "election %s has no stored result",
		    election_id);
		goto out;
	}
	tl_sha256_hex(sqlite3_column_text(stmt, 0),
	    (size_t)sqlite3_column_bytes(stmt, 0), hash);
	if ((doc = json_loadb((const char *)sqlite3_column_text(stmt, 0),
	    (size_t)sqlite3_column_bytes(stmt, 0), 0, NULL)) == NULL) {
		r = tl_error_set(err, TL_EDB, "the stored result of %s is corrupt",
		    election_id);
		goto out;
	}
	if ((contests = json_array()) == NULL ||
	    json_object_set_new(data, "contests", contests) != 0 ||
	    json_object_set_new(data, "result_hash", json_string(hash)) != 0 ||
	    json_object_set_new(data, "result_entry",
	    json_integer(sqlite3_column_int64(stmt, 1))) != 0) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	json_array_foreach(json_object_get(doc, "contests"), i, contest) {
		json_t *item = json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}",
		    "contest", json_object_get(contest, "contest"),
		    "title", json_object_get(contest, "title"),
		    "method", json_object_get(contest, "method"),
		    "seats", json_object_get(contest, "seats"),
		    "elected", json_object_get(contest, "elected"),
		    "winners", json_object_get(contest, "winners"));

		if (item != NULL && json_object_get(contest, "outcome") != NULL)
			json_object_set(item, "outcome",
			    json_object_get(contest, "outcome"));
		if (item == NULL || json_array_append_new(contests, item) != 0) {
			r = tl_error_set(err, TL_ENOMEM, "out of memory");
			goto out;
		}
	}
 out:
	sqlite3_finalize(stmt);
	json_decref(doc);
	return r;
}

/* The data of an event of an election, as the transaction sees it. */
static int
election_data(struct tl_store *store, const char *election_id, int parts,
    json_t **out, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	json_t *data = NULL, *head = NULL;
	int r;

	if ((r = tl_db_prepare(store, "SELECT title, " TL_DB_STATE_SQL ", "
	    "manifest_hash, "
	    "opens_at, closes_at, (SELECT COUNT(*) FROM ballots b WHERE "
	    "b.election_id = e.id) FROM elections e WHERE id = ?", &stmt,
	    err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, election_id, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		r = tl_error_set(err, TL_ENOTFOUND, "no election \"%.64s\"",
		    election_id);
		goto out;
	}
	data = json_pack("{s:s, s:s, s:o}", "title",
	    sqlite3_column_text(stmt, 0), "state", sqlite3_column_text(stmt, 1),
	    "manifest_hash", column_text(stmt, 2));
	if (data == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	if ((parts & WITH_WINDOW) &&
	    (json_object_set_new(data, "opens", tl_db_column_time(stmt, 3)) != 0 ||
	    json_object_set_new(data, "closes", tl_db_column_time(stmt, 4)) != 0)) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	if ((parts & WITH_BALLOTS) && json_object_set_new(data, "ballots",
	    json_integer(sqlite3_column_int64(stmt, 5))) != 0) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	if ((parts & WITH_RESULT) &&
	    (r = result_json(store, election_id, data, err)) != TL_OK)
		goto out;
	if ((r = tree_head_json(store, election_id, &head, err)) != TL_OK)
		goto out;
	if (json_object_set_new(data, "tree_head", head) != 0) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	*out = data;
	data = NULL;
 out:
	sqlite3_finalize(stmt);
	json_decref(data);
	return r;
}

/*
 * Writes the event (its payload is the exact body of every delivery) and a
 * pending delivery to endpoint `only`, or if only is 0, to every endpoint
 * that follows the election and wants the type.  Inside a transaction.
 */
static int
write_event(struct tl_store *store, const char *type, const char *election_id,
    json_t *data, int64_t only, int64_t now,
    char event_id[TL_WEBHOOK_EVENT_ID_LEN + 1], struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	uint8_t raw[16];
	char id[TL_WEBHOOK_EVENT_ID_LEN + 1], when[TL_TIME_LEN];
	char *payload = NULL;
	json_t *event = NULL;
	size_t len = 0;
	int r;

	if (tl_random_bytes(raw, sizeof(raw)) != TL_OK)
		return tl_error_set(err, TL_ECRYPTO, "cannot draw an event id");
	memcpy(id, "evt_", 4);
	tl_hex_encode(raw, sizeof(raw), id + 4);
	tl_time_format(now, when);
	event = json_pack("{s:s, s:s, s:s, s:s?, s:O}", "id", id, "type", type,
	    "time", when, "election", election_id, "data", data);
	if (event == NULL || tl_json_dump(event, &payload, &len) != TL_OK) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	if ((r = tl_db_prepare(store, "INSERT INTO webhook_events (id, type, "
	    "election_id, created_at, payload) VALUES (?, ?, ?, ?, ?)", &stmt,
	    err)) != TL_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, type, -1, SQLITE_STATIC);
	if (election_id != NULL)
		sqlite3_bind_text(stmt, 3, election_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, now);
	sqlite3_bind_text(stmt, 5, payload, (int)len, SQLITE_STATIC);
	if ((r = tl_db_step_done(store, stmt, err, "cannot store the event")) !=
	    TL_OK)
		goto out;
	sqlite3_finalize(stmt);
	stmt = NULL;
	if ((r = tl_db_prepare(store, only != 0 ?
	    "INSERT INTO webhook_deliveries (event_id, endpoint_id, "
	    "created_at, next_attempt_at) SELECT ?1, ep.id, ?2, ?2 FROM "
	    "webhook_endpoints ep WHERE ep.id = ?3" :
	    "INSERT INTO webhook_deliveries (event_id, endpoint_id, "
	    "created_at, next_attempt_at) SELECT ?1, ep.id, ?2, ?2 FROM "
	    "webhook_endpoints ep WHERE (ep.election_id IS NULL OR "
	    "ep.election_id = ?4) AND (ep.events = '*' OR "
	    "instr(',' || ep.events || ',', ',' || ?5 || ',') > 0)", &stmt,
	    err)) != TL_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, now);
	if (only != 0)
		sqlite3_bind_int64(stmt, 3, only);
	else {
		sqlite3_bind_text(stmt, 4, election_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 5, type, -1, SQLITE_STATIC);
	}
	if ((r = tl_db_step_done(store, stmt, err,
	    "cannot queue the event's deliveries")) != TL_OK)
		goto out;
	if (event_id != NULL)
		memcpy(event_id, id, sizeof(id));
 out:
	sqlite3_finalize(stmt);
	json_decref(event);
	free(payload);
	return r;
}

int
tl_webhook_emit(struct tl_store *store, const char *type,
    const char *election_id, int64_t now,
    char event_id[TL_WEBHOOK_EVENT_ID_LEN + 1], struct tl_error *err)
{
	const struct event_kind *kind = find_kind(type);
	json_t *data = NULL;
	int r;

	if (!store->in_transaction)
		return tl_error_set(err, TL_EINTERNAL, "webhook event %s: must "
		    "be written inside the transaction of its change", type);
	if (kind == NULL || !kind->of_election || election_id == NULL)
		return tl_error_set(err, TL_EINTERNAL, "\"%s\" is not an event "
		    "of an election", type);
	if ((r = election_data(store, election_id, kind->parts, &data, err)) ==
	    TL_OK)
		r = write_event(store, kind->name, election_id, data, 0, now,
		    event_id, err);
	json_decref(data);
	if (r != TL_OK)
		tl_error_prefix(err, "webhook event %s", type);
	return r;
}

int
tl_webhook_ping(struct tl_store *store, int64_t id, int64_t now,
    char event_id[TL_WEBHOOK_EVENT_ID_LEN + 1], struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	json_t *data = NULL;
	int r;

	if ((r = tl_db_begin(store, err)) != TL_OK)
		return r;
	if ((r = tl_db_prepare(store, "SELECT 1 FROM webhook_endpoints WHERE "
	    "id = ?", &stmt, err)) != TL_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		r = tl_error_set(err, TL_ENOTFOUND, "no webhook endpoint %lld; "
		    "see 'teller webhook list'", (long long)id);
		goto out;
	}
	if ((data = json_pack("{s:I}", "endpoint", (json_int_t)id)) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	if ((r = write_event(store, TL_WEBHOOK_PING, NULL, data, id, now,
	    event_id, err)) != TL_OK)
		goto out;
	r = tl_db_commit(store, err);
 out:
	sqlite3_finalize(stmt);
	json_decref(data);
	if (r != TL_OK)
		tl_db_rollback(store);
	return r;
}

/* --- delivery ------------------------------------------------------------- */

int64_t
tl_webhook_backoff(unsigned failures, uint32_t r)
{
	int64_t base = TL_WEBHOOK_BACKOFF_FIRST;

	for (unsigned i = 1; i < failures && base < TL_WEBHOOK_BACKOFF_MAX; i++)
		base *= 2;
	if (base > TL_WEBHOOK_BACKOFF_MAX)
		base = TL_WEBHOOK_BACKOFF_MAX;
	return base - (int64_t)(r % (uint32_t)(base / 5 + 1));
}

static int64_t
system_now(void *ctx)
{
	(void)ctx;
	return (int64_t)time(NULL);
}

void
tl_webhook_options_init(struct tl_webhook_options *o)
{
	memset(o, 0, sizeof(*o));
	o->connect_timeout_ms = 10000;
	o->timeout_ms = 30000;
	o->poll_ms = 1000;
	o->max_parallel = 64;
	o->now = system_now;
}

/* One delivery in flight. */
struct flight {
	CURL *easy;
	struct curl_slist *headers;
	int64_t delivery_id;
	int64_t endpoint_id;
	int64_t attempts;   /* before this one */
	int64_t created_at;
	char *event_id;
	char *event_type;
	char *url;
	char *body;
	size_t body_len;
	char errbuf[CURL_ERROR_SIZE];
};

struct run {
	struct tl_store *store;
	const struct tl_webhook_options *o;
	CURLM *multi;
	struct flight **flights;
	size_t nflights;
	struct tl_webhook_summary summary;
};

static void
flight_free(struct flight *f)
{
	if (f == NULL)
		return;
	curl_easy_cleanup(f->easy);
	curl_slist_free_all(f->headers);
	free(f->event_id);
	free(f->event_type);
	free(f->url);
	free(f->body);
	free(f);
}

/* Receivers' answers are not read: only their status counts. */
static size_t
discard(char *data, size_t size, size_t n, void *ctx)
{
	(void)data;
	(void)ctx;
	return size * n;
}

static int
add_header(struct curl_slist **list, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
add_header(struct curl_slist **list, const char *fmt, ...)
{
	struct curl_slist *grown;
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) ||
	    (grown = curl_slist_append(*list, line)) == NULL)
		return TL_ENOMEM;
	*list = grown;
	return TL_OK;
}

/* The Teller-Signature value for a body sent at time t. */
static int
sign(const char *secret, size_t secret_len, int64_t t, const char *body,
    size_t body_len, char hex[TL_HASH_HEX_LEN + 1])
{
	uint8_t mac[TL_SHA256_LEN];
	struct tl_buf msg;
	int r;

	tl_buf_init(&msg, body_len + 64);
	if ((r = tl_buf_addf(&msg, "%lld.", (long long)t)) == TL_OK &&
	    (r = tl_buf_add(&msg, body, body_len)) == TL_OK)
		r = tl_hmac_sha256(secret, secret_len, msg.data, msg.len, mac);
	tl_buf_free(&msg);
	if (r != TL_OK)
		return r;
	tl_hex_encode(mac, sizeof(mac), hex);
	tl_wipe(mac, sizeof(mac));
	return TL_OK;
}

/* A request for the delivery in the current row of the claim query:
 * d.id, d.endpoint_id, d.attempts, d.created_at, ev.id, ev.type,
 * ev.payload, ep.url, ep.secret. */
static int
flight_new(struct run *run, sqlite3_stmt *row, int64_t now,
    struct flight **out, struct tl_error *err)
{
	const struct tl_webhook_options *o = run->o;
	struct flight *f;
	char mac[TL_HASH_HEX_LEN + 1];
	int ok = 1, r = TL_ENOMEM;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	f->delivery_id = sqlite3_column_int64(row, 0);
	f->endpoint_id = sqlite3_column_int64(row, 1);
	f->attempts = sqlite3_column_int64(row, 2);
	f->created_at = sqlite3_column_int64(row, 3);
	f->event_id = tl_db_column_strdup(row, 4, &ok);
	f->event_type = tl_db_column_strdup(row, 5, &ok);
	f->body = tl_db_column_strdup(row, 6, &ok);
	f->body_len = (size_t)sqlite3_column_bytes(row, 6);
	f->url = tl_db_column_strdup(row, 7, &ok);
	if (!ok || f->event_id == NULL || f->event_type == NULL ||
	    f->body == NULL || f->url == NULL)
		goto fail;
	if ((r = sign((const char *)sqlite3_column_text(row, 8),
	    (size_t)sqlite3_column_bytes(row, 8), now, f->body, f->body_len,
	    mac)) != TL_OK)
		goto fail;
	r = TL_ENOMEM;
	if (add_header(&f->headers, "Content-Type: application/json") ||
	    add_header(&f->headers, "Teller-Event: %s", f->event_type) ||
	    add_header(&f->headers, "Teller-Delivery: %s", f->event_id) ||
	    add_header(&f->headers, "Teller-Signature: t=%lld,v1=%s",
	    (long long)now, mac) ||
	    /* No "Expect: 100-continue" round trip. */
	    add_header(&f->headers, "Expect:"))
		goto fail;
	if ((f->easy = curl_easy_init()) == NULL)
		goto fail;
	r = TL_EINTERNAL;
	if (curl_easy_setopt(f->easy, CURLOPT_URL, f->url) != CURLE_OK ||
#if LIBCURL_VERSION_NUM >= 0x075500
	    curl_easy_setopt(f->easy, CURLOPT_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK ||
#else
	    curl_easy_setopt(f->easy, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)) != CURLE_OK ||
#endif
	    curl_easy_setopt(f->easy, CURLOPT_POSTFIELDS, f->body) != CURLE_OK ||
	    curl_easy_setopt(f->easy, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)f->body_len) != CURLE_OK ||
	    curl_easy_setopt(f->easy, CURLOPT_HTTPHEADER, f->headers) !=
	    CURLE_OK ||
	    curl_easy_setopt(f->easy, CURLOPT_USERAGENT,
	    "teller/" PACKAGE_VERSION) != CURLE_OK ||
	    curl_easy_setopt(f->easy, CURLOPT_CONNECTTIMEOUT_MS,
	    o->connect_timeout_ms) != CURLE_OK ||
	    curl_easy_setopt(f->easy, CURLOPT_TIMEOUT_MS, o->timeout_ms) !=
	    CURLE_OK ||
	    curl_easy_setopt(f->easy, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(f->easy, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(f->easy, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    curl_easy_setopt(f->easy, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(f->easy, CURLOPT_WRITEFUNCTION, discard) !=
	    CURLE_OK ||
	    curl_easy_setopt(f->easy, CURLOPT_ERRORBUFFER, f->errbuf) !=
	    CURLE_OK ||
	    curl_easy_setopt(f->easy, CURLOPT_PRIVATE, f) != CURLE_OK)
		goto fail;
	*out = f;
	return TL_OK;
 fail:
	flight_free(f);
	return tl_error_set(err, r, r == TL_ENOMEM ? "out of memory" :
	    "cannot set up a webhook request");
}

static int
in_flight(const struct run *run, int64_t endpoint_id)
{
	for (size_t i = 0; i < run->nflights; i++)
		if (run->flights[i]->endpoint_id == endpoint_id)
			return 1;
	return 0;
}

/*
 * Claims the oldest due delivery of each endpoint that has none in flight
 * (here or in another process), up to max_parallel in flight, and starts
 * their requests.
 */
static int
claim(struct run *run, int64_t now, struct tl_error *err)
{
	const struct tl_webhook_options *o = run->o;
	struct tl_store *store = run->store;
	sqlite3_stmt *stmt = NULL, *update = NULL;
	size_t first = run->nflights;
	int64_t lease = now + o->timeout_ms / 1000 + 1 + CLAIM_MARGIN;
	int r, rc = SQLITE_DONE;

	if (run->nflights >= o->max_parallel)
		return TL_OK;
	if ((r = tl_db_begin(store, err)) != TL_OK)
		return r;
	if ((r = tl_db_prepare(store, "SELECT d.id, d.endpoint_id, d.attempts, "
	    "d.created_at, ev.id, ev.type, ev.payload, ep.url, ep.secret "
	    "FROM webhook_deliveries d "
	    "JOIN webhook_events ev ON ev.id = d.event_id "
	    "JOIN webhook_endpoints ep ON ep.id = d.endpoint_id "
	    "WHERE d.id IN (SELECT MIN(x.id) FROM webhook_deliveries x "
	    "  WHERE x.state = 'pending' AND x.next_attempt_at <= ?1 "
	    "  AND (?2 = 0 OR x.endpoint_id = ?2) "
	    "  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries c WHERE "
	    "    c.endpoint_id = x.endpoint_id AND c.state = 'pending' "
	    "    AND c.claimed_until > ?1) "
	    "  GROUP BY x.endpoint_id) "
	    "ORDER BY d.id", &stmt, err)) != TL_OK ||
	    (r = tl_db_prepare(store, "UPDATE webhook_deliveries SET "
	    "claimed_until = ? WHERE id = ?", &update, err)) != TL_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_int64(stmt, 2, o->endpoint_id);
	while (run->nflights < o->max_parallel &&
	    (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct flight *f = NULL;

		if (in_flight(run, sqlite3_column_int64(stmt, 1)))
			continue;
		if ((r = flight_new(run, stmt, now, &f, err)) != TL_OK)
			goto out;
		run->flights[run->nflights++] = f;
		sqlite3_reset(update);
		sqlite3_bind_int64(update, 1, lease);
		sqlite3_bind_int64(update, 2, f->delivery_id);
		if ((r = tl_db_step_done(store, update, err,
		    "cannot claim a delivery")) != TL_OK)
			goto out;
	}
	if (run->nflights < o->max_parallel && rc != SQLITE_DONE) {
		r = tl_db_error(store, err, "cannot read the deliveries due");
		goto out;
	}
	sqlite3_finalize(stmt);
	sqlite3_finalize(update);
	stmt = update = NULL;
	if ((r = tl_db_commit(store, err)) != TL_OK)
		goto out;
	for (size_t i = first; i < run->nflights; i++)
		if (curl_multi_add_handle(run->multi, run->flights[i]->easy) !=
		    CURLM_OK) {
			r = tl_error_set(err, TL_EINTERNAL,
			    "cannot start a webhook request");
			/* The claim expires; nothing is lost. */
			while (run->nflights > i)
				flight_free(run->flights[--run->nflights]);
			return r;
		}
	return TL_OK;
 out:
	sqlite3_finalize(stmt);
	sqlite3_finalize(update);
	tl_db_rollback(store);
	while (run->nflights > first)
		flight_free(run->flights[--run->nflights]);
	return r;
}

/* Why an attempt failed, or NULL if it was delivered. */
static const char *
failure(struct flight *f, CURLcode result, long status, char *buf,
    size_t len)
{
	if (result != CURLE_OK) {
		snprintf(buf, len, "%s", f->errbuf[0] != '\0' ? f->errbuf :
		    curl_easy_strerror(result));
		return buf;
	}
	if (status >= 200 && status <= 299)
		return NULL;
	if (status >= 300 && status <= 399)
		snprintf(buf, len, "HTTP %ld: a redirect, which is not followed",
		    status);
	else
		snprintf(buf, len, "HTTP %ld", status);
	return buf;
}

/* Writes the outcome of a finished request. */
static int
record(struct run *run, struct flight *f, CURLcode result, int64_t now,
    struct tl_error *err)
{
	struct tl_store *store = run->store;
	struct tl_webhook_attempt a;
	sqlite3_stmt *stmt = NULL;
	char why[ERROR_MAX + 1];
	uint32_t jitter = 0;
	long status = 0;
	int r;

	curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &status);
	memset(&a, 0, sizeof(a));
	a.endpoint_id = f->endpoint_id;
	a.url = f->url;
	a.event_id = f->event_id;
	a.event_type = f->event_type;
	a.attempt = f->attempts + 1;
	a.http_status = status;
	a.time = now;
	a.error = failure(f, result, status, why, sizeof(why));
	if (a.error == NULL)
		a.outcome = TL_WEBHOOK_DELIVERED;
	else if (now - f->created_at >= TL_WEBHOOK_GIVE_UP)
		a.outcome = TL_WEBHOOK_FAILED;
	else {
		a.outcome = TL_WEBHOOK_RETRY;
		if (tl_random_bytes(&jitter, sizeof(jitter)) != TL_OK)
			jitter = 0;
		a.next_attempt = now + tl_webhook_backoff(
		    (unsigned)(a.attempt < 64 ? a.attempt : 64), jitter);
	}
	if ((r = tl_db_begin(store, err)) != TL_OK)
		return r;
	if ((r = tl_db_prepare(store, "UPDATE webhook_deliveries SET "
	    "state = ?, attempts = ?, last_attempt_at = ?, last_status = ?, "
	    "last_error = ?, next_attempt_at = ?, claimed_until = 0, "
	    "delivered_at = ? WHERE id = ?", &stmt, err)) != TL_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, a.outcome == TL_WEBHOOK_DELIVERED ?
	    "delivered" : a.outcome == TL_WEBHOOK_FAILED ? "failed" : "pending",
	    -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, a.attempt);
	sqlite3_bind_int64(stmt, 3, now);
	if (status != 0)
		sqlite3_bind_int64(stmt, 4, status);
	if (a.error != NULL)
		sqlite3_bind_text(stmt, 5, a.error, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 6, a.outcome == TL_WEBHOOK_RETRY ?
	    a.next_attempt : now);
	if (a.outcome == TL_WEBHOOK_DELIVERED)
		sqlite3_bind_int64(stmt, 7, now);
	sqlite3_bind_int64(stmt, 8, f->delivery_id);
	if ((r = tl_db_step_done(store, stmt, err,
	    "cannot record a delivery")) != TL_OK)
		goto out;
	sqlite3_finalize(stmt);
	stmt = NULL;
	if ((r = tl_db_prepare(store, a.error == NULL ?
	    "UPDATE webhook_endpoints SET last_delivered_at = ?1 WHERE id = ?3" :
	    "UPDATE webhook_endpoints SET last_error = ?2, last_error_at = ?1 "
	    "WHERE id = ?3", &stmt, err)) != TL_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, now);
	if (a.error != NULL)
		sqlite3_bind_text(stmt, 2, a.error, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, f->endpoint_id);
	if ((r = tl_db_step_done(store, stmt, err,
	    "cannot record a delivery")) != TL_OK)
		goto out;
	sqlite3_finalize(stmt);
	stmt = NULL;
	if ((r = tl_db_commit(store, err)) != TL_OK)
		return r;
	if (a.outcome == TL_WEBHOOK_DELIVERED)
		run->summary.delivered++;
	else if (a.outcome == TL_WEBHOOK_RETRY)
		run->summary.retried++;
	else
		run->summary.failed++;
	if (run->o->on_attempt != NULL)
		run->o->on_attempt(run->o->ctx, &a);
	return TL_OK;
 out:
	sqlite3_finalize(stmt);
	tl_db_rollback(store);
	return r;
}

/* Handles every finished request; *done gets how many there were. */
static int
collect(struct run *run, size_t *done, struct tl_error *err)
{
	CURLMsg *msg;
	int left, r = TL_OK;

	*done = 0;
	while (r == TL_OK && (msg = curl_multi_info_read(run->multi, &left)) !=
	    NULL) {
		struct flight *f = NULL;
		void *priv = NULL;
		size_t i;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		f = priv;
		for (i = 0; i < run->nflights && run->flights[i] != f; i++)
			continue;
		if (f == NULL || i == run->nflights)
			return tl_error_set(err, TL_EINTERNAL,
			    "a webhook request finished that was not started");
		r = record(run, f, msg->data.result, run->o->now(run->o->ctx),
		    err);
		curl_multi_remove_handle(run->multi, f->easy);
		flight_free(f);
		run->flights[i] = run->flights[--run->nflights];
		(*done)++;
	}
	return r;
}

/* Gives back the claims of requests abandoned unfinished, so that they are
 * sent again at once by the next delivery loop. */
static void
abandon(struct run *run)
{
	sqlite3_stmt *stmt = NULL;
	struct tl_error ignored;

	if (run->nflights > 0 && tl_db_prepare(run->store, "UPDATE "
	    "webhook_deliveries SET claimed_until = 0 WHERE id = ?", &stmt,
	    &ignored) != TL_OK)
		stmt = NULL;
	while (run->nflights > 0) {
		struct flight *f = run->flights[--run->nflights];

		if (stmt != NULL) {
			sqlite3_reset(stmt);
			sqlite3_bind_int64(stmt, 1, f->delivery_id);
			sqlite3_step(stmt);
		}
		curl_multi_remove_handle(run->multi, f->easy);
		flight_free(f);
	}
	sqlite3_finalize(stmt);
}

int
tl_webhook_deliver(struct tl_store *store,
    const struct tl_webhook_options *options,
    struct tl_webhook_summary *summary, struct tl_error *err)
{
	struct tl_webhook_options o = *options;
	struct run run;
	int r = TL_OK, running;

	if (o.now == NULL)
		o.now = system_now;
	if (o.max_parallel == 0)
		o.max_parallel = 1;
	if (o.poll_ms <= 0)
		o.poll_ms = 1000;
	memset(&run, 0, sizeof(run));
	run.store = store;
	run.o = &o;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return tl_error_set(err, TL_EINTERNAL, "cannot set up libcurl");
	if ((run.flights = calloc(o.max_parallel, sizeof(*run.flights))) ==
	    NULL || (run.multi = curl_multi_init()) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		size_t done = 0;

		if (o.should_stop != NULL && o.should_stop(o.ctx))
			break;
		if ((r = claim(&run, o.now(o.ctx), err)) != TL_OK)
			break;
		if (run.nflights == 0) {
			if (!o.until_stopped)
				break;
			/* Nothing to do: wait for new events. */
			curl_multi_poll(run.multi, NULL, 0, (int)o.poll_ms, NULL);
			continue;
		}
		if (curl_multi_perform(run.multi, &running) != CURLM_OK) {
			r = tl_error_set(err, TL_EINTERNAL,
			    "libcurl's multi interface failed");
			break;
		}
		if ((r = collect(&run, &done, err)) != TL_OK)
			break;
		/* Wait for the network unless a request just finished, when
		 * its endpoint's next delivery may be due at once. */
		if (done == 0 && curl_multi_poll(run.multi, NULL, 0,
		    (int)o.poll_ms, NULL) != CURLM_OK) {
			r = tl_error_set(err, TL_EINTERNAL,
			    "libcurl's multi interface failed");
			break;
		}
	}
	abandon(&run);
	if (r == TL_OK && summary != NULL)
		*summary = run.summary;
 out:
	if (run.multi != NULL)
		curl_multi_cleanup(run.multi);
	free(run.flights);
	curl_global_cleanup();
	return r;
}
