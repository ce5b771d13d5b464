/*
 * webhooks.c: the background worker that delivers webhook events while the
 * server runs.  Events are written to the outbox in the transactions that
 * cause them (by the CLI's open, close, tally and certify); this thread,
 * on a database connection of its own, sends what is due with
 * tl_webhook_deliver, so that a slow or dead receiver never holds up a
 * request or the writer.  Stopping it gives deliveries in flight back for
 * the next run.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "teller/webhook.h"

struct deliverer {
	struct server *srv;
	struct tl_store *store;
	pthread_t thread;
	atomic_int stopping;
};

static int64_t
deliverer_now(void *ctx)
{
	struct deliverer *d = ctx;

	return d->srv->config->now();
}

static int
deliverer_should_stop(void *ctx)
{
	struct deliverer *d = ctx;

	return atomic_load(&d->stopping);
}

static void *
deliverer_main(void *arg)
{
	struct deliverer *d = arg;
	struct tl_webhook_options o;
	struct tl_error err;

	pthread_setname_np(pthread_self(), "teller-hooks");
	tl_webhook_options_init(&o);
	o.until_stopped = 1;
	o.now = deliverer_now;
	o.should_stop = deliverer_should_stop;
	o.ctx = d;
	/* A database error ends one run; wait a little and start again, so
	 * that a busy database never stops deliveries for good. */
	while (!atomic_load(&d->stopping)) {
		tl_error_clear(&err);
		if (tl_webhook_deliver(d->store, &o, NULL, &err) != TL_OK &&
		    !atomic_load(&d->stopping)) {
			fprintf(stderr, "teller: webhooks: %s\n", err.message);
			for (int i = 0; i < 50 && !atomic_load(&d->stopping); i++) {
				struct timespec pause = {0, 100 * 1000000L};

				nanosleep(&pause, NULL);
			}
		}
	}
	return NULL;
}

static int
webhooks_start(struct server *srv, void **state, struct tl_error *err)
{
	struct deliverer *d;
	int r;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	d->srv = srv;
	atomic_init(&d->stopping, 0);
	if ((r = tl_store_open(srv->config->db_path, 0, &d->store, err)) !=
	    TL_OK) {
		free(d);
		return r;
	}
	if (pthread_create(&d->thread, NULL, deliverer_main, d) != 0) {
		tl_store_close(d->store);
		free(d);
		return tl_error_set(err, TL_EINTERNAL, "cannot start a thread");
	}
	*state = d;
	return TL_OK;
}

static void
webhooks_stop(void *state)
{
	struct deliverer *d = state;

	atomic_store(&d->stopping, 1);
	pthread_join(d->thread, NULL);
	tl_store_close(d->store);
	free(d);
}

const struct server_worker webhooks_worker = {
	"webhooks", webhooks_start, webhooks_stop,
};
