/*
 * teller/webhook.h: webhooks: signed, retried notifications of an
 * election's life to other systems (a members' portal, a chat channel).
 *
 * An endpoint is a URL with a secret (kept in the database, never printed),
 * the election it follows (or all of them) and the events it wants.  Each
 * event is written to an outbox in the SAME transaction as the change that
 * causes it (tl_webhook_emit), together with one pending delivery per
 * endpoint that wants it: if the change commits the event will be
 * delivered, and if it rolls back the event never existed.
 *
 * Delivery (tl_webhook_deliver) happens apart from the change, with no
 * database lock held while a receiver is being waited for, so a dead or
 * slow receiver never holds up voting or counting.  Each delivery is an
 * HTTP POST of the event's JSON (the same bytes on every attempt) with the
 * headers
 *
 *   Content-Type: application/json
 *   Teller-Event: TYPE
 *   Teller-Delivery: EVENT_ID         (the same on every attempt)
 *   Teller-Signature: t=UNIXTIME,v1=HEX
 *
 * where HEX is the lowercase hex HMAC-SHA256, keyed with the endpoint's
 * secret, of the bytes of UNIXTIME, ".", and the body.  A 2xx answer marks
 * the delivery done; anything else (another status, a redirect, which is
 * not followed, a timeout, a refused connection) is retried after a backoff
 * of about 10 s that doubles with each failure up to 1 hour, with jitter,
 * until 24 hours after the event; then the delivery is marked failed.
 * doc/webhooks.md is the receiver's side of this contract.
 *
 * The clock is the caller's (options.now), so that tests and rehearsals
 * can move time on instead of waiting.
 *
 * JSON returned through json_t ** is a new reference for the caller.
 */
#ifndef TELLER_WEBHOOK_H
#define TELLER_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "teller/error.h"
#include "teller/store.h"

/* The events.  Adding one is a new line in webhook.c's table (with the
 * function that builds its data) and a call to tl_webhook_emit where it
 * happens. */
#define TL_WEBHOOK_ELECTION_OPENED "election.opened"
#define TL_WEBHOOK_ELECTION_CLOSED "election.closed"
#define TL_WEBHOOK_RESULT_COUNTED "result.counted"
#define TL_WEBHOOK_RESULT_CERTIFIED "result.certified"
#define TL_WEBHOOK_PING "webhook.ping"

/* "evt_" and 32 lowercase hex digits. */
#define TL_WEBHOOK_EVENT_ID_LEN 36

#define TL_WEBHOOK_URL_MAX 2048
#define TL_WEBHOOK_SECRET_MIN 16
#define TL_WEBHOOK_SECRET_MAX 512

/* The first retry comes after about this long, each next one after twice
 * as long, but never more than TL_WEBHOOK_BACKOFF_MAX; after
 * TL_WEBHOOK_GIVE_UP from the event, a delivery that fails is marked
 * failed.  Seconds. */
#define TL_WEBHOOK_BACKOFF_FIRST 10
#define TL_WEBHOOK_BACKOFF_MAX 3600
#define TL_WEBHOOK_GIVE_UP 86400

/* The name of event i (0, 1, ...), or NULL past the last. */
const char *tl_webhook_event_name(size_t i);

/* Whether name is one of the events. */
int tl_webhook_event_known(const char *name);

/*
 * Registers an endpoint.  url must be an http:// or https:// URL;
 * election_id NULL follows every election, otherwise that election (which
 * must exist); events is a comma-separated list of event names, or NULL
 * for all of them; the secret is secret_len bytes of printable ASCII (no
 * spaces), TL_WEBHOOK_SECRET_MIN to TL_WEBHOOK_SECRET_MAX of them.  *id
 * gets the endpoint's id.  Events that happened before it was added are
 * not sent to it.
 */
int tl_webhook_add(struct tl_store *store, const char *url,
    const char *election_id, const char *events, const char *secret,
    size_t secret_len, int64_t now, int64_t *id, struct tl_error *err);

/* Removes an endpoint and its deliveries not yet made; TL_ENOTFOUND. */
int tl_webhook_remove(struct tl_store *store, int64_t id,
    struct tl_error *err);

/*
 * The endpoints, without their secrets:
 *   [{"id": N, "url": URL, "election": ID or null, "events": [NAME...]
 *     or "all", "created_at": TIME, "pending": N, "delivered": N,
 *     "failed": N, "last_delivery": TIME or null, "last_error": TEXT or
 *     null, "last_error_at": TIME or null, "next_attempt": TIME or null}]
 */
int tl_webhook_list(struct tl_store *store, json_t **out,
    struct tl_error *err);

/*
 * Writes an event of election election_id to the outbox, with a pending
 * delivery for each endpoint that follows that election and wants that
 * type.  Must be called inside the caller's transaction (tl_db_begin), at
 * the end of the change, so that it commits or rolls back with it:
 * TL_EINTERNAL otherwise.  The event's data is read from the database as
 * the transaction sees it (see doc/webhooks.md).  event_id (optional) gets
 * the new event's id.
 */
int tl_webhook_emit(struct tl_store *store, const char *type,
    const char *election_id, int64_t now,
    char event_id[TL_WEBHOOK_EVENT_ID_LEN + 1], struct tl_error *err);

/* Writes a webhook.ping event for endpoint id alone (in a transaction of
 * its own); deliver it with tl_webhook_deliver. */
int tl_webhook_ping(struct tl_store *store, int64_t id, int64_t now,
    char event_id[TL_WEBHOOK_EVENT_ID_LEN + 1], struct tl_error *err);

/* The delay, in seconds, before the next attempt of a delivery that has
 * failed `failures` times (1 or more), for a random value r: the backoff
 * b = min(TL_WEBHOOK_BACKOFF_FIRST * 2^(failures - 1),
 * TL_WEBHOOK_BACKOFF_MAX) less up to a fifth of it, chosen by r. */
int64_t tl_webhook_backoff(unsigned failures, uint32_t r);

enum tl_webhook_outcome {
	TL_WEBHOOK_DELIVERED, /* a 2xx answer */
	TL_WEBHOOK_RETRY,     /* failed; tried again at next_attempt */
	TL_WEBHOOK_FAILED,    /* failed 24 hours after the event: given up */
};

/* One attempt, as reported to options.on_attempt (all borrowed). */
struct tl_webhook_attempt {
	int64_t endpoint_id;
	const char *url;
	const char *event_id;
	const char *event_type;
	int64_t attempt;          /* 1 for the first */
	long http_status;         /* 0 if there was no answer */
	const char *error;        /* why it failed; NULL if delivered */
	enum tl_webhook_outcome outcome;
	int64_t time;             /* when the attempt ended */
	int64_t next_attempt;     /* for TL_WEBHOOK_RETRY */
};

struct tl_webhook_options {
	long connect_timeout_ms;  /* default 10 s */
	long timeout_ms;          /* whole request; default 30 s */
	long poll_ms;             /* how often to look for new work while
	                             waiting; default 1 s */
	size_t max_parallel;      /* requests at once; default 64 */
	int64_t endpoint_id;      /* deliver only to this endpoint; 0: all */
	int until_stopped;        /* 0: return once nothing is due or in
	                             flight; 1: go on until should_stop */
	/* The clock (Unix seconds).  Default: the system clock. */
	int64_t (*now)(void *ctx);
	/* Polled at least every poll_ms; non-zero ends tl_webhook_deliver:
	 * requests in flight are abandoned and sent again later (the
	 * receiver drops the duplicate by its Teller-Delivery).  May be NULL. */
	int (*should_stop)(void *ctx);
	/* Called after each attempt is recorded.  May be NULL. */
	void (*on_attempt)(void *ctx, const struct tl_webhook_attempt *attempt);
	void *ctx;                /* passed to the three functions above */
};

/* Fills in the defaults. */
void tl_webhook_options_init(struct tl_webhook_options *options);

struct tl_webhook_summary {
	size_t delivered;
	size_t retried;
	size_t failed;
};

/*
 * Delivers what is due: every pending delivery whose time has come, at
 * most one at a time per endpoint (oldest event first) and up to
 * max_parallel endpoints at once, all in flight together through libcurl's
 * multi interface, so that a slow or dead receiver holds up only its own
 * deliveries.  Each outcome is written to the database as soon as it is
 * known.  A delivery in flight is claimed in the database (for its timeout
 * and a minute more), so that two delivery loops on one database (teller
 * webhook deliver and teller serve) do not send it twice at once; a
 * process that dies leaves the claim to expire.
 *
 * Returns TL_OK, or an error of the database (a receiver's failure is not
 * an error of this function: it is recorded and retried).  summary (may be
 * NULL) gets what happened.
 *
 * Threads: uses its own store connection only; run it in a thread of its
 * own with a store opened for that thread (teller serve does).  With
 * libcurl older than 7.84, call it first before other threads start (it
 * calls curl_global_init).
 */
int tl_webhook_deliver(struct tl_store *store,
    const struct tl_webhook_options *options,
    struct tl_webhook_summary *summary, struct tl_error *err);

#endif
