/*
 * internal.h: what the files of teller serve share: the server's state, a
 * request, the pool of read connections, the writer that commits ballots
 * in groups, the metrics and the background workers.
 *
 * Threads: libmicrohttpd's pool runs the request handlers; one writer
 * thread owns the only connection that casts ballots; each background
 * worker has a thread of its own; the main thread waits for a signal.
 */
#ifndef TELLER_SERVER_INTERNAL_H
#define TELLER_SERVER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <microhttpd.h>

#include "server.h"
#include "teller/cast.h"
#include "teller/crypto.h"
#include "teller/issuance.h"
#include "teller/error.h"
#include "teller/store.h"
#include "teller/util.h"

struct server;

/* --- metrics (metrics.c) ------------------------------------------------ */

enum route_id {
	ROUTE_ELECTIONS,
	ROUTE_ELECTION,
	ROUTE_BALLOTS,
	ROUTE_TREE_HEAD,
	ROUTE_LOG,
	ROUTE_INCLUSION,
	ROUTE_CONSISTENCY,
	ROUTE_RESULTS,
	ROUTE_RECORD,
	ROUTE_CREDENTIALS,
	ROUTE_CREDENTIAL_KEYS,
	ROUTE_UNSEAL,
	ROUTE_TRUSTEES,
	ROUTE_HEALTHZ,
	ROUTE_METRICS,
	ROUTE_COSIGNATURES,
	ROUTE_COSIGNED_HEAD,
	ROUTE_RECEIPT,
	ROUTE_VOTER,
	ROUTE_ENROL_CHECK,
	ROUTE_ENROL,
	ROUTE_PAGE,
	ROUTE_STATIC,
	ROUTE_UNKNOWN,
	ROUTE_COUNT
};

#define METRICS_STATUSES 15    /* the statuses counted one by one, + other */
#define METRICS_COMMIT_BUCKETS 12
#define METRICS_GROUP_BUCKETS 11
#define METRICS_CODES (-TL_ERROR_MIN + 1)

struct metrics {
	atomic_uint_fast64_t requests[ROUTE_COUNT][METRICS_STATUSES + 1];
	atomic_uint_fast64_t accepted;
	atomic_uint_fast64_t rejected[METRICS_CODES]; /* by -code */
	atomic_uint_fast64_t credentials_issued;
	atomic_uint_fast64_t credentials_refused[METRICS_CODES];
	atomic_uint_fast64_t timed_out; /* connections closed (clients.c) */
	/* Commit latency (BEGIN to COMMIT done) and ballots per commit;
	 * only the writer updates these, under metrics_lock. */
	pthread_mutex_t lock;
	uint64_t commit_buckets[METRICS_COMMIT_BUCKETS];
	uint64_t commit_count, commit_sum_us;
	uint64_t group_buckets[METRICS_GROUP_BUCKETS];
	uint64_t group_count, group_sum;
};

void metrics_init(struct metrics *m);
void metrics_destroy(struct metrics *m);
const char *metrics_route_name(enum route_id route);
void metrics_request(struct metrics *m, enum route_id route, unsigned status);
/* A ballot accepted (code TL_OK) or refused with code. */
void metrics_ballot(struct metrics *m, int code);
/* A credential issued (TL_OK, or given again) or refused with code. */
void metrics_credential(struct metrics *m, int code);
void metrics_commit(struct metrics *m, uint64_t micros, size_t ballots);
/* A connection closed for not sending its request in time. */
void metrics_timed_out(struct metrics *m);
/* The Prometheus text exposition of everything counted. */
int metrics_render(struct metrics *m, struct tl_buf *out);

/* --- the writer (writer.c) ---------------------------------------------- */

/* A checked ballot, or a checked and signed credential request, waiting
 * for its group's commit.  The request that submitted it is suspended
 * until the writer sets done and resumes it. */
struct pending {
	struct tl_cast *cast;            /* one of these two */
	struct tl_issuance *issuance;
	struct MHD_Connection *connection;
	struct tl_error result;     /* TL_OK: committed */
	int done;                   /* under the writer's lock */
	struct pending *next;
};

struct writer;

int writer_start(struct server *srv, struct writer **out,
    struct tl_error *err);
/* Queues a ballot for the next group; its connection must already be
 * suspended.  Returns TL_ESTATE (and queues nothing) once the writer is
 * stopping. */
int writer_submit(struct writer *w, struct pending *p, struct tl_error *err);
/* A credential request's check (and blind signature) begins (delta 1) or
 * has ended (-1, after it was submitted or refused): while any is being
 * checked, a queue of credentials alone is held open for a few
 * milliseconds so that they share a commit. */
void writer_signing(struct writer *w, int delta);
/* Whether p's group has committed (or failed). */
int writer_done(struct writer *w, const struct pending *p);
/* Commits what is queued, then stops and frees the writer. */
void writer_stop(struct writer *w);

/* --- background workers (workers.c) -------------------------------------- */

/*
 * A background worker runs in a thread of its own for as long as the
 * server runs: started after the writer, stopped (and waited for) after
 * the last request has been answered.  Workers are listed in workers.c.
 */
struct server_worker {
	const char *name;
	int (*start)(struct server *srv, void **state, struct tl_error *err);
	void (*stop)(void *state);
};

extern const struct server_worker checkpoint_worker;
extern const struct server_worker webhooks_worker;
extern const struct server_worker clients_worker;

int workers_start(struct server *srv, struct tl_error *err);
void workers_stop(struct server *srv);

/* --- rate limits (ratelimit.c) ------------------------------------------- */

#define RATELIMIT_SLOTS 4096

struct ratelimit_slot {
	uint8_t key[16];   /* the address, or its IPv6 /64 */
	int64_t units;     /* tokens, in 1/period units */
	int64_t seen;      /* when the slot was last updated */
};

struct ratelimit {
	pthread_mutex_t lock;
	unsigned burst;    /* attempts at once; 0: no limit */
	unsigned period;   /* seconds in which burst attempts come back */
	size_t nslots;
	struct ratelimit_slot slots[RATELIMIT_SLOTS];
};

void ratelimit_init(struct ratelimit *rl, unsigned burst, unsigned period);
void ratelimit_destroy(struct ratelimit *rl);
/* Whether the address may make one more attempt at `now` (and takes it);
 * if not, *retry_after gets the seconds until it may. */
struct sockaddr;
int ratelimit_take(struct ratelimit *rl, const struct sockaddr *addr,
    int64_t now, unsigned *retry_after);
/* --- tickers (ticker.c) --------------------------------------------------- */

/*
 * A ticker: a thread that calls tick(ctx, 0) every interval_ms, and
 * tick(ctx, 1) once more as it stops, for a worker's periodic work.
 * ticker_stop wakes it, waits for that last tick and frees it.
 */
struct ticker;

int ticker_start(const char *thread_name, unsigned interval_ms,
    void (*tick)(void *ctx, int last), void *ctx, struct ticker **out,
    struct tl_error *err);
void ticker_stop(struct ticker *t);

/* --- slow clients (clients.c) -------------------------------------------- */

/*
 * A connection's clock runs from its opening, or from the end of its
 * previous answer, until its request has been received whole; the clients
 * worker shuts down a connection whose clock passes --request-timeout.
 * clients_notify is libmicrohttpd's MHD_OPTION_NOTIFY_CONNECTION callback
 * (cls: the server); the request handlers stop the clock when a request
 * is whole (clients_received) and start it again once it is answered
 * (clients_answered).
 */
struct client;

void clients_notify(void *cls, struct MHD_Connection *connection,
    void **socket_context, enum MHD_ConnectionNotificationCode code);
void clients_received(struct server *srv, struct MHD_Connection *connection);
void clients_answered(struct server *srv, struct MHD_Connection *connection);

/* --- the server (server.c) ---------------------------------------------- */

struct server {
	const struct server_config *config;
	struct tl_key *authority;
	struct MHD_Daemon *daemon;
	struct writer *writer;
	struct metrics metrics;
	struct ratelimit enrol_limit;  /* enrolment attempts per address */
	void **worker_states;
	char *tls_cert, *tls_key;   /* PEM text for libmicrohttpd, or NULL */

	pthread_mutex_t lock;       /* readers, active, closing */
	struct tl_store **readers;  /* idle read connections */
	size_t nreaders, capreaders;
	size_t active;              /* requests begun and not completed */
	int draining;               /* stopping: responses close connections */
	int closing;                /* stopping: no request may wait any more */

	pthread_mutex_t clients_lock;
	struct client *clients;     /* every open connection (clients.c) */
};

/* readers.c: a read connection for this thread's use (from the pool, or a
 * new one); give it back with server_reader_put. */
struct tl_store *server_reader_get(struct server *srv, struct tl_error *err);
void server_reader_put(struct server *srv, struct tl_store *store);

/* --- requests and routes (routes.c) -------------------------------------- */

struct request {
	struct server *srv;
	struct MHD_Connection *connection;
	struct timespec start;
	enum route_id route;
	const char *pattern;        /* the matched route's pattern */
	const char *method;
	char path[256];
	char election[65];          /* the {id} of the route, if any */
	char param[65];             /* its {p} (a voter, a file), if any */
	struct tl_buf body;
	uint64_t body_seen;         /* bytes received, kept or not */
	int too_big;
	int answered;
	unsigned status;
	int waiting;                /* a ballot is with the writer */
	struct pending pending;
};

/* Dispatches a request whose body has been received whole; queues the
 * response (or suspends the connection while a ballot is committed). */
enum MHD_Result routes_dispatch(struct request *req);
/* Resolves req->route and req->election from the path. */
void routes_match(struct request *req, const char *url);

/* Responses (routes.c): the body is copied; errors are
 * {"error": tl_error_name(code), "message": ...}. */
enum MHD_Result respond(struct request *req, unsigned status,
    const char *content_type, const char *body, size_t len);
enum MHD_Result respond_error(struct request *req,
    const struct tl_error *err);
enum MHD_Result respond_response(struct request *req, unsigned status,
    struct MHD_Response *response);
/* The HTTP status of a libteller error code. */
unsigned http_status(int code);

#endif
