/*
 * check_webhook.c: webhooks against a real receiver (tests/webhook-
 * receiver.py, python3's http.server on a free 127.0.0.1 port) that checks
 * every signature independently of teller's code and logs what it saw.
 * The delivery clock is a variable the tests move on, so retries over 24
 * hours take no time.  Shown here: events are written with their change
 * (and not when it rolls back); each is delivered exactly once as the
 * receiver's dedupe sees it; the backoff; redirects and bad answers are
 * retried; a receiver that hangs is cut off and does not hold up another;
 * nothing is lost when the receiver is down across a restart.
 */
#include <config.h>

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "helpers.h"
#include "store_internal.h"
#include "teller/cast.h"
#include "teller/election.h"
#include "teller/webhook.h"

#define SECRET "3f6c1d2e9a8b7c6d5e4f30211a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"
#define OTHER_SECRET "not-the-receivers-secret-0123456789"
#define NA 2
#define NB 2

static char *dir;
static struct tl_store *store;
static struct tl_key **keys;

/* The receiver. */
static pid_t receiver_pid = -1;
static int receiver_port;
static char log_path[PATH_MAX], release_path[PATH_MAX], secret_path[PATH_MAX];

/* The clock of deliveries. */
static int64_t test_now;

/* The attempts reported by on_attempt, in order. */
#define MAX_SEEN 256
struct seen {
	int64_t endpoint;
	char event[TL_WEBHOOK_EVENT_ID_LEN + 1];
	enum tl_webhook_outcome outcome;
	char error[400];
	int64_t next_attempt;
};
static struct seen seen[MAX_SEEN];
static size_t nseen;
/* Once this endpoint has had this many deliveries, create release_path. */
static int64_t release_after_endpoint;
static size_t release_after_count;

static void
receiver_start(int port)
{
	const char *python = getenv("PYTHON3"), *srcdir = getenv("TELLER_SRCDIR");
	char script[PATH_MAX], port_file[PATH_MAX], port_arg[16];
	int status;

	ck_assert_msg(python != NULL && *python != '\0' && srcdir != NULL,
	    "PYTHON3 and TELLER_SRCDIR must be set (make check sets them)");
	snprintf(script, sizeof(script), "%s/tests/webhook-receiver.py", srcdir);
	snprintf(port_file, sizeof(port_file), "%s/port", dir);
	snprintf(port_arg, sizeof(port_arg), "%d", port);
	unlink(port_file);
	receiver_pid = fork();
	ck_assert_int_ge(receiver_pid, 0);
	if (receiver_pid == 0) {
		execl(python, python, script, "--secret-file", secret_path,
		    "--log", log_path, "--port", port_arg, "--port-file",
		    port_file, "--release-file", release_path, "--watch-parent",
		    (char *)NULL);
		_exit(127);
	}
	/* Wait for it to listen (it writes the port file then). */
	for (int i = 0; i < 2000; i++) {
		struct timespec ms10 = {0, 10 * 1000 * 1000};
		FILE *f;

		if ((f = fopen(port_file, "r")) != NULL) {
			ck_assert_int_eq(fscanf(f, "%d", &receiver_port), 1);
			fclose(f);
			return;
		}
		ck_assert_msg(waitpid(receiver_pid, &status, WNOHANG) == 0,
		    "the receiver exited at start");
		nanosleep(&ms10, NULL);
	}
	ck_abort_msg("the receiver did not start");
}

static void
receiver_stop(void)
{
	if (receiver_pid > 0) {
		kill(receiver_pid, SIGTERM);
		waitpid(receiver_pid, NULL, 0);
	}
	receiver_pid = -1;
}

static void
setup(void)
{
	struct tl_error err;
	char *id = NULL, *csv;
	const char *json = th_manifest_json(0);
	size_t n = 0;

	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	dir = th_tmpdir();
	store = th_store(dir);
	keys = th_keys(NA + NB);
	ck_assert_int_eq(tl_election_create(store, json, strlen(json), TH_NOW,
	    &id, &err), TL_OK);
	free(id);
	csv = th_roll_csv(keys, NA, NB);
	ck_assert_int_eq(tl_election_import_roll(store, "e1", csv, strlen(csv),
	    "roll.csv", &n, &err), TL_OK);
	free(csv);
	snprintf(log_path, sizeof(log_path), "%s/received.jsonl", dir);
	snprintf(release_path, sizeof(release_path), "%s/release", dir);
	snprintf(secret_path, sizeof(secret_path), "%s/secret", dir);
	th_write(secret_path, SECRET "\n");
	nseen = 0;
	release_after_endpoint = 0;
	test_now = TH_NOW;
	receiver_start(0);
}

static void
teardown(void)
{
	receiver_stop();
	tl_store_close(store);
	th_keys_free(keys, NA + NB);
	th_rm_rf(dir);
	free(dir);
}

/* An endpoint at the receiver's path (with its behaviour in the query). */
static int64_t
add_endpoint(const char *path, const char *election, const char *events,
    const char *secret)
{
	struct tl_error err;
	char url[256];
	int64_t id = 0;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", receiver_port, path);
	ck_assert_msg(tl_webhook_add(store, url, election, events, secret,
	    strlen(secret), TH_NOW, &id, &err) == TL_OK, "%s", err.message);
	ck_assert_int_gt(id, 0);
	return id;
}

static int64_t
clock_now(void *ctx)
{
	(void)ctx;
	return test_now;
}

static void
on_attempt(void *ctx, const struct tl_webhook_attempt *a)
{
	struct seen *s;
	size_t delivered = 0;

	(void)ctx;
	ck_assert_uint_lt(nseen, MAX_SEEN);
	s = &seen[nseen++];
	s->endpoint = a->endpoint_id;
	snprintf(s->event, sizeof(s->event), "%s", a->event_id);
	s->outcome = a->outcome;
	snprintf(s->error, sizeof(s->error), "%s", a->error != NULL ?
	    a->error : "");
	s->next_attempt = a->next_attempt;
	ck_assert_int_eq(a->time, test_now);
	for (size_t i = 0; i < nseen; i++)
		delivered += seen[i].endpoint == release_after_endpoint &&
		    seen[i].outcome == TL_WEBHOOK_DELIVERED;
	if (release_after_endpoint != 0 && delivered == release_after_count)
		th_write(release_path, "go\n");
}

/* Runs the delivery once at time now, with a request timeout. */
static struct tl_webhook_summary
deliver_at(int64_t now, long timeout_ms)
{
	struct tl_webhook_options o;
	struct tl_webhook_summary summary = {9, 9, 9};
	struct tl_error err;

	tl_webhook_options_init(&o);
	o.now = clock_now;
	o.on_attempt = on_attempt;
	o.timeout_ms = timeout_ms;
	o.connect_timeout_ms = 5000;
	o.poll_ms = 50;
	test_now = now;
	ck_assert_msg(tl_webhook_deliver(store, &o, &summary, &err) == TL_OK,
	    "%s", err.message);
	return summary;
}

/* Every request the receiver answered or saw cut off, for path (or all
 * paths if NULL), in order. */
static json_t *
received(const char *path)
{
	json_t *list = json_array();
	char line[65536];
	FILE *f = fopen(log_path, "r");

	if (f == NULL)
		return list;
	while (fgets(line, sizeof(line), f) != NULL) {
		json_t *entry = json_loads(line, 0, NULL);

		ck_assert_ptr_nonnull(entry);
		if (json_object_get(entry, "status") != NULL && (path == NULL ||
		    strcmp(json_string_value(json_object_get(entry, "path")),
		    path) == 0))
			json_array_append(list, entry);
		json_decref(entry);
	}
	fclose(f);
	return list;
}

static size_t
count_received(const char *path)
{
	json_t *list = received(path);
	size_t n = json_array_size(list);

	json_decref(list);
	return n;
}

static const char *
field(const json_t *entry, const char *key)
{
	const char *s = json_string_value(json_object_get(entry, key));

	ck_assert_msg(s != NULL, "no %s in a receiver's log entry", key);
	return s;
}

static int64_t
int_field(const json_t *entry, const char *key)
{
	ck_assert_msg(json_is_integer(json_object_get(entry, key)),
	    "no %s in a receiver's log entry", key);
	return json_integer_value(json_object_get(entry, key));
}

/* One integer from the database. */
static int64_t
query_int(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int64_t
query_int(const char *fmt, ...)
{
	char sql[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	return th_count(store, sql);
}

static void
open_close_tally(int with_ballot)
{
	struct tl_error err;
	struct tl_manifest *m = NULL;
	char hash[TL_HASH_HEX_LEN + 1], *receipt = NULL;
	const char *random[] = {"draw-1"};
	json_t *result = NULL;

	ck_assert_int_eq(tl_election_open(store, "e1", TH_NOW, &err), TL_OK);
	if (with_ballot) {
		char *payload = NULL, *env;

		ck_assert_int_eq(tl_election_load(store, "e1", &m, hash, NULL,
		    &err), TL_OK);
		tl_manifest_free(m);
		ck_assert_int_ge(asprintf(&payload, "{\"election\":\"e1\","
		    "\"manifest\":\"%s\",\"voter\":\"a1\",\"seq\":1,"
		    "\"selections\":[{\"contest\":\"plu\",\"marks\":[\"y\"]}]}",
		    hash), 0);
		env = th_sign_ballot(keys[0], payload);
		ck_assert_msg(tl_ballot_cast(store, env, strlen(env), TH_NOW + 1,
		    &receipt, &err) == TL_OK, "%s", err.message);
		free(receipt);
		free(payload);
		free(env);
	}
	ck_assert_int_eq(tl_election_close_early(store, "e1", random, 1,
	    "a test", TH_NOW + 2, &err), TL_OK);
	ck_assert_msg(tl_election_tally(store, "e1", TH_NOW + 3, &result,
	    &err) == TL_OK, "%s", err.message);
	json_decref(result);
}

/* The event ids of each type, in the order written. */
static void
event_id_of(const char *type, char out[TL_WEBHOOK_EVENT_ID_LEN + 1])
{
	sqlite3_stmt *stmt = NULL;

	ck_assert_int_eq(sqlite3_prepare_v2(store->db, "SELECT id FROM "
	    "webhook_events WHERE type = ?", -1, &stmt, NULL), SQLITE_OK);
	sqlite3_bind_text(stmt, 1, type, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	snprintf(out, TL_WEBHOOK_EVENT_ID_LEN + 1, "%s",
	    (const char *)sqlite3_column_text(stmt, 0));
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_DONE);
	sqlite3_finalize(stmt);
}

/* The receiver got the three events of an election's life, in order. */
static void
expect_life_in_order(const json_t *got)
{
	const char *types[] = {TL_WEBHOOK_ELECTION_OPENED,
	    TL_WEBHOOK_ELECTION_CLOSED, TL_WEBHOOK_RESULT_COUNTED};

	ck_assert_uint_eq(json_array_size(got), 3);
	for (size_t i = 0; i < 3; i++)
		ck_assert_str_eq(field(json_array_get(got, i), "event"),
		    types[i]);
}

/* --- the tests ------------------------------------------------------------ */

START_TEST(every_event_delivered_exactly_once)
{
	const char *types[] = {TL_WEBHOOK_ELECTION_OPENED,
	    TL_WEBHOOK_ELECTION_CLOSED, TL_WEBHOOK_RESULT_COUNTED,
	    TL_WEBHOOK_PING};
	struct tl_webhook_summary s;
	struct tl_error err;
	char ping[TL_WEBHOOK_EVENT_ID_LEN + 1], id[TL_WEBHOOK_EVENT_ID_LEN + 1];
	json_t *got, *entry;
	int64_t endpoint;
	size_t i;

	endpoint = add_endpoint("/all", "e1", NULL, SECRET);
	open_close_tally(1);
	ck_assert_int_eq(tl_webhook_ping(store, endpoint, TH_NOW + 4, ping,
	    &err), TL_OK);
	ck_assert_int_eq(th_count(store, "webhook_events"), 4);
	ck_assert_int_eq(th_count(store, "webhook_deliveries"), 4);

	s = deliver_at(TH_NOW + 10, 5000);
	ck_assert_uint_eq(s.delivered, 4);
	ck_assert_uint_eq(s.retried, 0);
	ck_assert_uint_eq(s.failed, 0);
	/* Delivering again sends nothing: each was delivered. */
	s = deliver_at(TH_NOW + 100000, 5000);
	ck_assert_uint_eq(s.delivered + s.retried + s.failed, 0);

	got = received("/all");
	ck_assert_uint_eq(json_array_size(got), 4);
	for (i = 0; i < 4; i++) {
		entry = json_array_get(got, i);
		/* In the order they happened, each once, each signed right. */
		ck_assert_str_eq(field(entry, "event"), types[i]);
		ck_assert_str_eq(field(entry, "type"), types[i]);
		ck_assert(json_is_true(json_object_get(entry, "verified")));
		ck_assert_int_eq(int_field(entry, "status"), 200);
		ck_assert(json_is_false(json_object_get(entry, "duplicate")));
		ck_assert_str_eq(field(entry, "t"), "1795341610");
		if (i < 3) {
			event_id_of(types[i], id);
			ck_assert_str_eq(field(entry, "delivery"), id);
		} else
			ck_assert_str_eq(field(entry, "delivery"), ping);
	}
	ck_assert_int_eq(query_int("SELECT COUNT(*) FROM webhook_deliveries "
	    "WHERE state = 'delivered' AND attempts = 1 AND delivered_at = %lld",
	    (long long)(TH_NOW + 10)), 4);
	json_decref(got);
}
END_TEST

START_TEST(payloads_carry_results_not_ballots)
{
	json_t *got, *opened, *closed, *counted, *contest, *winners;
	char hash[TL_HASH_HEX_LEN + 1], pub[TL_PUBLIC_B64_LEN + 1];
	sqlite3_stmt *stmt = NULL;
	size_t i;

	add_endpoint("/p", NULL, NULL, SECRET);
	open_close_tally(1);
	deliver_at(TH_NOW + 10, 5000);
	got = received("/p");
	ck_assert_uint_eq(json_array_size(got), 3);
	opened = json_object_get(json_array_get(got, 0), "body");
	closed = json_object_get(json_array_get(got, 1), "body");
	counted = json_object_get(json_array_get(got, 2), "body");

	/* Common fields. */
	ck_assert_str_eq(field(opened, "election"), "e1");
	ck_assert_str_eq(field(opened, "time"), "2026-11-22T10:00:00Z");
	ck_assert_str_eq(field(closed, "time"), "2026-11-22T10:00:02Z");
	ck_assert_uint_eq(strlen(field(opened, "id")), TL_WEBHOOK_EVENT_ID_LEN);
	ck_assert_int_eq(strncmp(field(opened, "id"), "evt_", 4), 0);

	/* Opened: the manifest hash and the tree head of the open log (the
	 * manifest and the roll). */
	ck_assert_int_eq(sqlite3_prepare_v2(store->db, "SELECT manifest_hash "
	    "FROM elections WHERE id = 'e1'", -1, &stmt, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	snprintf(hash, sizeof(hash), "%s", sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	ck_assert_str_eq(field(json_object_get(opened, "data"),
	    "manifest_hash"), hash);
	ck_assert_str_eq(field(json_object_get(opened, "data"), "closes"),
	    "2026-11-23T00:00:00Z");
	ck_assert_int_eq(int_field(json_object_get(json_object_get(opened,
	    "data"), "tree_head"), "size"), 2);
	/* Closed: one ballot, and the close statement is entry 3. */
	ck_assert_int_eq(int_field(json_object_get(closed, "data"), "ballots"),
	    1);
	ck_assert_int_eq(int_field(json_object_get(json_object_get(closed,
	    "data"), "tree_head"), "size"), 4);

	/* Counted: the hash of the stored result document, its log entry,
	 * the tree head that includes it, and the winners as stored. */
	ck_assert_int_eq(sqlite3_prepare_v2(store->db, "SELECT document, "
	    "leaf_index FROM result_documents WHERE election_id = 'e1'", -1,
	    &stmt, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	tl_sha256_hex(sqlite3_column_text(stmt, 0),
	    (size_t)sqlite3_column_bytes(stmt, 0), hash);
	ck_assert_int_eq(int_field(json_object_get(counted, "data"),
	    "result_entry"), sqlite3_column_int64(stmt, 1));
	sqlite3_finalize(stmt);
	ck_assert_str_eq(field(json_object_get(counted, "data"), "result_hash"),
	    hash);
	ck_assert_int_eq(int_field(json_object_get(json_object_get(counted,
	    "data"), "tree_head"), "size"), 5);
	contest = json_array_get(json_object_get(json_object_get(counted,
	    "data"), "contests"), 0);
	ck_assert_str_eq(field(contest, "contest"), "plu");
	winners = json_object_get(contest, "winners");
	/* a1 marked y alone: Yolanda is first of the two winners. */
	ck_assert_str_eq(json_string_value(json_array_get(winners, 0)),
	    "Yolanda");
	ck_assert_int_eq(query_int("SELECT COUNT(*) FROM result_winners WHERE "
	    "contest_id = 'plu'"), (int64_t)json_array_size(winners));

	/* Nothing links a voter to a vote: no voter id, key or ballot. */
	for (i = 0; i < 3; i++) {
		char *text = json_dumps(json_object_get(json_array_get(got, i),
		    "body"), JSON_COMPACT);

		tl_key_public_base64(keys[0], pub);
		ck_assert_ptr_null(strstr(text, pub));
		ck_assert_ptr_null(strstr(text, "\"a1\""));
		ck_assert_ptr_null(strstr(text, "\"voter\""));
		ck_assert_ptr_null(strstr(text, "selections"));
		ck_assert_ptr_null(strstr(text, "ballot+json"));
		free(text);
	}
	json_decref(got);
}
END_TEST

START_TEST(filters_by_election_and_event)
{
	struct tl_error err;
	char *id = NULL, *other;
	int64_t all, closed_only, other_election;

	other = strdup(th_manifest_json(0));
	memcpy(strstr(other, "\"e1\""), "\"e2\"", 4);
	ck_assert_int_eq(tl_election_create(store, other, strlen(other), TH_NOW,
	    &id, &err), TL_OK);
	free(id);
	free(other);
	all = add_endpoint("/all", NULL, NULL, SECRET);
	closed_only = add_endpoint("/closed", "e1", "election.closed", SECRET);
	other_election = add_endpoint("/e2", "e2", NULL, SECRET);
	open_close_tally(0);
	ck_assert_int_eq(query_int("SELECT COUNT(*) FROM webhook_deliveries "
	    "WHERE endpoint_id = %lld", (long long)all), 3);
	ck_assert_int_eq(query_int("SELECT COUNT(*) FROM webhook_deliveries d "
	    "JOIN webhook_events e ON e.id = d.event_id WHERE endpoint_id = "
	    "%lld AND e.type = 'election.closed'", (long long)closed_only), 1);
	ck_assert_int_eq(query_int("SELECT COUNT(*) FROM webhook_deliveries "
	    "WHERE endpoint_id = %lld", (long long)closed_only), 1);
	ck_assert_int_eq(query_int("SELECT COUNT(*) FROM webhook_deliveries "
	    "WHERE endpoint_id = %lld", (long long)other_election), 0);
	deliver_at(TH_NOW + 10, 5000);
	ck_assert_uint_eq(count_received("/all"), 3);
	ck_assert_uint_eq(count_received("/closed"), 1);
	ck_assert_uint_eq(count_received("/e2"), 0);
}
END_TEST

START_TEST(rolled_back_change_emits_nothing)
{
	struct tl_error err;
	char id[TL_WEBHOOK_EVENT_ID_LEN + 1];

	add_endpoint("/rb", NULL, NULL, SECRET);

	/* Outside a transaction an event cannot be written at all. */
	ck_assert_int_eq(tl_webhook_emit(store, TL_WEBHOOK_ELECTION_OPENED,
	    "e1", TH_NOW, id, &err), TL_EINTERNAL);
	/* Written inside one that rolls back, it is gone. */
	ck_assert_int_eq(tl_db_begin(store, &err), TL_OK);
	ck_assert_int_eq(tl_webhook_emit(store, TL_WEBHOOK_ELECTION_OPENED,
	    "e1", TH_NOW, id, &err), TL_OK);
	ck_assert_int_eq(th_count(store, "webhook_events"), 1);
	tl_db_rollback(store);
	ck_assert_int_eq(th_count(store, "webhook_events"), 0);
	ck_assert_int_eq(th_count(store, "webhook_deliveries"), 0);

	/* An open that fails after its event is written (the delivery's
	 * insert is refused) leaves no event, no log, and a draft. */
	ck_assert_int_eq(sqlite3_exec(store->db, "CREATE TRIGGER refuse BEFORE "
	    "INSERT ON webhook_deliveries BEGIN SELECT RAISE(ABORT, "
	    "'refused by the test'); END", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_ne(tl_election_open(store, "e1", TH_NOW, &err), TL_OK);
	ck_assert_ptr_nonnull(strstr(err.message, "refused by the test"));
	ck_assert_int_eq(th_count(store, "webhook_events"), 0);
	ck_assert_int_eq(th_count(store, "log"), 0);
	ck_assert_int_eq(query_int("SELECT COUNT(*) FROM elections WHERE "
	    "state = 'draft'"), 1);
	ck_assert_int_eq(sqlite3_exec(store->db, "DROP TRIGGER refuse", NULL,
	    NULL, NULL), SQLITE_OK);

	/* An open after the voting window and a second open both fail and
	 * emit nothing; the one open that works emits one event. */
	ck_assert_int_eq(tl_election_open(store, "e1", TH_NOW + 86400, &err),
	    TL_EWINDOW);
	ck_assert_int_eq(th_count(store, "webhook_events"), 0);
	ck_assert_int_eq(tl_election_open(store, "e1", TH_NOW, &err), TL_OK);
	ck_assert_int_eq(tl_election_open(store, "e1", TH_NOW, &err), TL_ESTATE);
	ck_assert_int_eq(tl_election_tally(store, "e1", TH_NOW, NULL, &err),
	    TL_ESTATE);
	ck_assert_int_eq(th_count(store, "webhook_events"), 1);
	deliver_at(TH_NOW + 10, 5000);
	ck_assert_uint_eq(count_received("/rb"), 1);
}
END_TEST

/* The delivery row of the only event. */
static void
delivery_state(char *state, size_t len, int64_t *attempts, int64_t *next,
    int64_t *claimed)
{
	sqlite3_stmt *stmt = NULL;

	ck_assert_int_eq(sqlite3_prepare_v2(store->db, "SELECT state, attempts, "
	    "next_attempt_at, claimed_until FROM webhook_deliveries", -1, &stmt,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	snprintf(state, len, "%s", sqlite3_column_text(stmt, 0));
	*attempts = sqlite3_column_int64(stmt, 1);
	*next = sqlite3_column_int64(stmt, 2);
	*claimed = sqlite3_column_int64(stmt, 3);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_DONE);
	sqlite3_finalize(stmt);
}

START_TEST(backoff_doubles_to_an_hour_then_gives_up_after_a_day)
{
	struct tl_webhook_summary s;
	struct tl_error err;
	char ping[TL_WEBHOOK_EVENT_ID_LEN + 1], state[16];
	int64_t endpoint, now = TH_NOW, attempts = 0, n, next, claimed;
	int64_t last_before = 0, times[64];
	json_t *got, *entry;
	size_t i;

	endpoint = add_endpoint("/down?fail=1000000", NULL, NULL, SECRET);
	ck_assert_int_eq(tl_webhook_ping(store, endpoint, TH_NOW, ping, &err),
	    TL_OK);
	for (;;) {
		int64_t base, delay;

		ck_assert_int_lt(attempts, 64);
		s = deliver_at(now, 5000);
		times[attempts++] = now;
		delivery_state(state, sizeof(state), &n, &next, &claimed);
		ck_assert_int_eq(n, attempts);
		ck_assert_int_eq(claimed, 0);
		if (strcmp(state, "failed") == 0) {
			ck_assert_uint_eq(s.failed, 1);
			break;
		}
		ck_assert_str_eq(state, "pending");
		ck_assert_uint_eq(s.retried, 1);
		/* 10 s, 20 s, 40 s ... doubling, at most an hour; the jitter
		 * takes off up to a fifth. */
		base = attempts <= 9 ? INT64_C(10) << (attempts - 1) : 3600;
		if (base > 3600)
			base = 3600;
		delay = next - now;
		ck_assert_msg(delay <= base && 5 * delay >= 4 * base,
		    "retry %lld after %lld s; the backoff is %lld s",
		    (long long)attempts, (long long)delay, (long long)base);
		ck_assert_int_lt(now - TH_NOW, 86400);
		last_before = now;
		/* Not a moment early. */
		s = deliver_at(next - 1, 5000);
		ck_assert_uint_eq(s.delivered + s.retried + s.failed, 0);
		now = next;
	}
	/* Given up at the first failure 24 hours or more after the event. */
	ck_assert_int_ge(now - TH_NOW, 86400);
	ck_assert_int_lt(last_before - TH_NOW, 86400);
	/* 9 doubling retries take 8..10 s up to 2048..2560 s (4088..5110 s
	 * in all); then hourly-ish ones (2880..3600 s) fill the day. */
	ck_assert_int_ge(attempts, 1 + 9 + (86400 - 5110) / 3600);
	ck_assert_int_le(attempts, 1 + 9 + (86400 - 4088) / 2880 + 1);

	/* The receiver saw every attempt, the same event and signed body
	 * each time, signed at the time of the attempt. */
	got = received("/down");
	ck_assert_uint_eq(json_array_size(got), (size_t)attempts);
	json_array_foreach(got, i, entry) {
		char t[32];

		ck_assert_str_eq(field(entry, "delivery"), ping);
		ck_assert(json_is_true(json_object_get(entry, "verified")));
		ck_assert_int_eq(int_field(entry, "status"), 500);
		snprintf(t, sizeof(t), "%lld", (long long)times[i]);
		ck_assert_str_eq(field(entry, "t"), t);
		ck_assert(json_equal(json_object_get(entry, "body"),
		    json_object_get(json_array_get(got, 0), "body")));
	}
	/* It stays failed: nothing more is sent. */
	s = deliver_at(now + 100000, 5000);
	ck_assert_uint_eq(s.delivered + s.retried + s.failed, 0);
	json_decref(got);
}
END_TEST

START_TEST(fails_then_delivered_once)
{
	struct tl_webhook_summary s;
	struct tl_error err;
	char ping[TL_WEBHOOK_EVENT_ID_LEN + 1], state[16];
	int64_t endpoint, n, next, claimed;
	json_t *got, *list, *item;

	endpoint = add_endpoint("/flaky?fail=2", NULL, NULL, SECRET);
	ck_assert_int_eq(tl_webhook_ping(store, endpoint, TH_NOW, ping, &err),
	    TL_OK);
	s = deliver_at(TH_NOW, 5000);
	ck_assert_uint_eq(s.retried, 1);
	delivery_state(state, sizeof(state), &n, &next, &claimed);
	s = deliver_at(next, 5000);
	ck_assert_uint_eq(s.retried, 1);
	ck_assert_str_eq(seen[1].error, "HTTP 500");
	delivery_state(state, sizeof(state), &n, &next, &claimed);
	s = deliver_at(next, 5000);
	ck_assert_uint_eq(s.delivered, 1);
	delivery_state(state, sizeof(state), &n, &next, &claimed);
	ck_assert_str_eq(state, "delivered");
	ck_assert_int_eq(n, 3);

	got = received("/flaky");
	ck_assert_uint_eq(json_array_size(got), 3);
	ck_assert_int_eq(int_field(json_array_get(got, 0), "status"), 500);
	ck_assert_int_eq(int_field(json_array_get(got, 1), "status"), 500);
	ck_assert_int_eq(int_field(json_array_get(got, 2), "status"), 200);
	for (size_t i = 0; i < 3; i++)
		ck_assert_str_eq(field(json_array_get(got, i), "delivery"), ping);
	ck_assert(json_is_false(json_object_get(json_array_get(got, 2),
	    "duplicate")));
	json_decref(got);

	/* webhook list tells the story, and never the secret. */
	ck_assert_int_eq(tl_webhook_list(store, &list, &err), TL_OK);
	item = json_array_get(list, 0);
	ck_assert_int_eq(int_field(item, "delivered"), 1);
	ck_assert_int_eq(int_field(item, "pending"), 0);
	ck_assert_str_eq(field(item, "last_error"), "HTTP 500");
	ck_assert(json_is_string(json_object_get(item, "last_delivery")));
	{
		char *text = json_dumps(list, 0);

		ck_assert_ptr_null(strstr(text, SECRET));
		ck_assert_ptr_null(strstr(text, "secret"));
		free(text);
	}
	json_decref(list);
}
END_TEST

START_TEST(bad_signature_and_redirect_are_not_success)
{
	struct tl_webhook_summary s;
	struct tl_error err;
	int64_t wrong, moved;
	json_t *got;

	wrong = add_endpoint("/wrong", NULL, NULL, OTHER_SECRET);
	moved = add_endpoint("/moved?redirect=1", NULL, NULL, SECRET);
	ck_assert_int_eq(tl_webhook_ping(store, wrong, TH_NOW, NULL, &err),
	    TL_OK);
	ck_assert_int_eq(tl_webhook_ping(store, moved, TH_NOW, NULL, &err),
	    TL_OK);
	s = deliver_at(TH_NOW, 5000);
	ck_assert_uint_eq(s.retried, 2);
	ck_assert_uint_eq(s.delivered, 0);
	/* The receiver refused the signature made with another secret. */
	got = received("/wrong");
	ck_assert_uint_eq(json_array_size(got), 1);
	ck_assert(json_is_false(json_object_get(json_array_get(got, 0),
	    "verified")));
	ck_assert_int_eq(int_field(json_array_get(got, 0), "status"), 401);
	json_decref(got);
	/* The redirect was not followed. */
	ck_assert_uint_eq(count_received("/moved"), 1);
	ck_assert_uint_eq(count_received("/redirected"), 0);
	ck_assert_int_eq(query_int("SELECT COUNT(*) FROM webhook_deliveries "
	    "WHERE endpoint_id = %lld AND last_status = 302 AND state = "
	    "'pending' AND last_error LIKE '%%redirect%%'", (long long)moved), 1);
}
END_TEST

START_TEST(hanging_receiver_does_not_hold_up_another)
{
	int64_t slow, fast;
	json_t *got, *entry;
	size_t i;

	/* slow holds its first request until fast has had all three events
	 * (on_attempt then creates the release file); fast answers only
	 * while a request is being held.  So this finishes only if fast's
	 * deliveries go on while slow's is in flight. */
	slow = add_endpoint("/slow?hang=1", NULL, NULL, SECRET);
	fast = add_endpoint("/fast?wait_hang=1", NULL, NULL, SECRET);
	release_after_endpoint = fast;
	release_after_count = 3;
	open_close_tally(0);
	deliver_at(TH_NOW + 10, 30000);

	ck_assert_uint_eq(nseen, 6);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(seen[i].endpoint, fast);
		ck_assert_int_eq(seen[i].outcome, TL_WEBHOOK_DELIVERED);
	}
	for (i = 3; i < 6; i++) {
		ck_assert_int_eq(seen[i].endpoint, slow);
		ck_assert_int_eq(seen[i].outcome, TL_WEBHOOK_DELIVERED);
	}
	got = received("/fast");
	ck_assert_uint_eq(json_array_size(got), 3);
	json_array_foreach(got, i, entry)
		ck_assert_int_eq(int_field(entry, "hanging"), 1);
	json_decref(got);
	/* slow got its three in order, the first after its hold. */
	got = received("/slow");
	expect_life_in_order(got);
	json_decref(got);
}
END_TEST

START_TEST(timeout_cuts_off_a_hanging_receiver)
{
	int64_t stuck, quick;
	json_t *got;

	stuck = add_endpoint("/stuck?hang=1000", "e1", "election.opened",
	    SECRET);
	quick = add_endpoint("/quick?wait_hang=1", "e1", "election.opened",
	    SECRET);
	ck_assert_int_eq(tl_election_open(store, "e1", TH_NOW, NULL), TL_OK);
	deliver_at(TH_NOW, 1000);
	ck_assert_uint_eq(nseen, 2);
	for (size_t i = 0; i < 2; i++) {
		if (seen[i].endpoint == quick)
			ck_assert_int_eq(seen[i].outcome, TL_WEBHOOK_DELIVERED);
		else {
			ck_assert_int_eq(seen[i].endpoint, stuck);
			ck_assert_int_eq(seen[i].outcome, TL_WEBHOOK_RETRY);
			ck_assert_msg(strstr(seen[i].error, "timed out") != NULL,
			    "%s", seen[i].error);
			ck_assert_int_ge(seen[i].next_attempt, TH_NOW + 8);
		}
	}
	/* quick was answered while stuck's request was held. */
	got = received("/quick");
	ck_assert_uint_eq(json_array_size(got), 1);
	ck_assert_int_eq(int_field(json_array_get(got, 0), "hanging"), 1);
	json_decref(got);
	ck_assert_int_eq(query_int("SELECT COUNT(*) FROM webhook_deliveries "
	    "WHERE endpoint_id = %lld AND state = 'pending' AND attempts = 1 "
	    "AND last_status IS NULL AND claimed_until = 0", (long long)stuck),
	    1);
}
END_TEST

static int
stop_when_held(void *ctx)
{
	char line[4096];
	FILE *f = fopen(log_path, "r");
	int held = 0;

	(void)ctx;
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		held |= strstr(line, "\"hang_begin\": true") != NULL;
	fclose(f);
	return held;
}

START_TEST(stopping_gives_back_requests_in_flight)
{
	struct tl_webhook_options o;
	struct tl_webhook_summary s;
	struct tl_error err;
	char ping[TL_WEBHOOK_EVENT_ID_LEN + 1], state[16];
	int64_t endpoint, n, next, claimed;
	json_t *got;

	endpoint = add_endpoint("/held?hang=1", NULL, NULL, SECRET);
	ck_assert_int_eq(tl_webhook_ping(store, endpoint, TH_NOW, ping, &err),
	    TL_OK);
	tl_webhook_options_init(&o);
	o.now = clock_now;
	o.should_stop = stop_when_held;
	o.until_stopped = 1;
	o.poll_ms = 20;
	ck_assert_int_eq(tl_webhook_deliver(store, &o, &s, &err), TL_OK);
	ck_assert_uint_eq(s.delivered + s.retried + s.failed, 0);
	/* Not counted as an attempt, and not claimed any more ... */
	delivery_state(state, sizeof(state), &n, &next, &claimed);
	ck_assert_str_eq(state, "pending");
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(claimed, 0);
	/*
	 * The receiver notices the hang-up on its own thread; wait until it
	 * has logged it, so that its log is in the order things happened
	 * however loaded the machine is (it gives up holding after 60 s).
	 */
	for (n = 0; count_received("/held") == 0 && n < 7000; n++)
		usleep(10000);
	ck_assert_uint_eq(count_received("/held"), 1);
	/* ... so it goes again at once, and the receiver takes it once. */
	s = deliver_at(TH_NOW, 5000);
	ck_assert_uint_eq(s.delivered, 1);
	got = received("/held");
	ck_assert_uint_eq(json_array_size(got), 2);
	ck_assert_int_eq(int_field(json_array_get(got, 0), "status"), 0);
	ck_assert_int_eq(int_field(json_array_get(got, 1), "status"), 200);
	ck_assert(json_is_false(json_object_get(json_array_get(got, 1),
	    "duplicate")));
	json_decref(got);
}
END_TEST

START_TEST(receiver_down_across_a_restart_loses_nothing)
{
	struct tl_webhook_summary s;
	struct tl_error err;
	int port = receiver_port;
	json_t *got, *entry;
	size_t i;

	add_endpoint("/later", NULL, NULL, SECRET);
	receiver_stop();
	open_close_tally(1);
	s = deliver_at(TH_NOW + 10, 5000);
	ck_assert_uint_eq(s.retried, 3);
	ck_assert_uint_eq(s.delivered, 0);
	ck_assert_int_eq(query_int("SELECT COUNT(*) FROM webhook_deliveries "
	    "WHERE state = 'pending' AND attempts = 1 AND last_error IS NOT "
	    "NULL"), 3);

	/* teller stops; the receiver comes back; teller starts again. */
	tl_store_close(store);
	store = NULL;
	receiver_start(port);
	ck_assert_int_eq(receiver_port, port);
	ck_assert_int_eq(tl_store_open(th_path(dir, "teller.db"), 0, &store,
	    &err), TL_OK);
	s = deliver_at(TH_NOW + 3600, 5000);
	ck_assert_uint_eq(s.delivered, 3);
	got = received("/later");
	ck_assert_uint_eq(json_array_size(got), 3);
	json_array_foreach(got, i, entry) {
		ck_assert_int_eq(int_field(entry, "status"), 200);
		ck_assert(json_is_true(json_object_get(entry, "verified")));
		ck_assert(json_is_false(json_object_get(entry, "duplicate")));
	}
	expect_life_in_order(got);
	json_decref(got);
}
END_TEST

START_TEST(add_checks_and_remove)
{
	struct tl_error err;
	int64_t id = 0, kept;
	json_t *list;

#define ADD(url, election, events, secret) \
	tl_webhook_add(store, url, election, events, secret, strlen(secret), \
	    TH_NOW, &id, &err)
	ck_assert_int_eq(ADD("ftp://example.org/", NULL, NULL, SECRET),
	    TL_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.message, "http"));
	ck_assert_int_eq(ADD("not a url", NULL, NULL, SECRET), TL_EINPUT);
	ck_assert_int_eq(ADD("http://", NULL, NULL, SECRET), TL_EINPUT);
	ck_assert_int_eq(ADD("/relative", NULL, NULL, SECRET), TL_EINPUT);
	ck_assert_int_eq(ADD("https://example.org/", NULL, NULL, "short"),
	    TL_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.message, "16"));
	ck_assert_int_eq(ADD("https://example.org/", NULL, NULL,
	    "with a space in the secret"), TL_EINPUT);
	ck_assert_int_eq(ADD("https://example.org/", "nope", NULL, SECRET),
	    TL_ENOTFOUND);
	ck_assert_int_eq(ADD("https://example.org/", NULL,
	    "election.opened,election.exploded", SECRET), TL_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.message, "election.exploded"));
	ck_assert_int_eq(ADD("https://example.org/", NULL, "", SECRET),
	    TL_EINPUT);
	ck_assert_int_eq(th_count(store, "webhook_endpoints"), 0);
	ck_assert_int_eq(ADD("https://example.org/hook", "e1",
	    "result.counted,election.opened,result.counted", SECRET), TL_OK);
	kept = id;
	ck_assert_int_eq(tl_webhook_list(store, &list, &err), TL_OK);
	ck_assert_uint_eq(json_array_size(list), 1);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(
	    json_array_get(list, 0), "events"), 0)), "election.opened");
	ck_assert_uint_eq(json_array_size(json_object_get(json_array_get(list,
	    0), "events")), 2);
	json_decref(list);
	ck_assert_int_eq(ADD("http://127.0.0.1:9/x", NULL, NULL, SECRET), TL_OK);
#undef ADD

	ck_assert_int_eq(tl_election_open(store, "e1", TH_NOW, &err), TL_OK);
	ck_assert_int_eq(th_count(store, "webhook_deliveries"), 2);
	ck_assert_int_eq(tl_webhook_remove(store, kept, &err), TL_OK);
	ck_assert_int_eq(th_count(store, "webhook_deliveries"), 1);
	ck_assert_int_eq(tl_webhook_remove(store, kept, &err), TL_ENOTFOUND);
	ck_assert_int_eq(tl_webhook_ping(store, kept, TH_NOW, NULL, &err),
	    TL_ENOTFOUND);
	ck_assert(tl_webhook_event_known("webhook.ping"));
	ck_assert(tl_webhook_event_known("result.certified"));
	ck_assert(!tl_webhook_event_known("result"));
}
END_TEST

START_TEST(backoff_values)
{
	/* b = 10 * 2^(n-1) capped at 3600, less r mod (b/5 + 1). */
	ck_assert_int_eq(tl_webhook_backoff(1, 0), 10);
	ck_assert_int_eq(tl_webhook_backoff(1, 2), 8);
	ck_assert_int_eq(tl_webhook_backoff(1, 3), 10);
	ck_assert_int_eq(tl_webhook_backoff(2, 0), 20);
	ck_assert_int_eq(tl_webhook_backoff(2, 4), 16);
	ck_assert_int_eq(tl_webhook_backoff(3, 0), 40);
	ck_assert_int_eq(tl_webhook_backoff(9, 0), 2560);
	ck_assert_int_eq(tl_webhook_backoff(10, 0), 3600);
	ck_assert_int_eq(tl_webhook_backoff(10, 720), 2880);
	ck_assert_int_eq(tl_webhook_backoff(10, 721), 3600);
	ck_assert_int_eq(tl_webhook_backoff(64, 0), 3600);
	ck_assert_int_eq(tl_webhook_backoff(4000000000u, UINT32_MAX),
	    3600 - (int64_t)(UINT32_MAX % 721));
}
END_TEST

static Suite *
webhook_suite(void)
{
	Suite *s = suite_create("webhook");
	TCase *tc = tcase_create("webhook");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, every_event_delivered_exactly_once);
	tcase_add_test(tc, payloads_carry_results_not_ballots);
	tcase_add_test(tc, filters_by_election_and_event);
	tcase_add_test(tc, rolled_back_change_emits_nothing);
	tcase_add_test(tc, backoff_doubles_to_an_hour_then_gives_up_after_a_day);
	tcase_add_test(tc, fails_then_delivered_once);
	tcase_add_test(tc, bad_signature_and_redirect_are_not_success);
	tcase_add_test(tc, hanging_receiver_does_not_hold_up_another);
	tcase_add_test(tc, timeout_cuts_off_a_hanging_receiver);
	tcase_add_test(tc, stopping_gives_back_requests_in_flight);
	tcase_add_test(tc, receiver_down_across_a_restart_loses_nothing);
	tcase_add_test(tc, add_checks_and_remove);
	tcase_add_test(tc, backoff_values);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return th_run(webhook_suite());
}
