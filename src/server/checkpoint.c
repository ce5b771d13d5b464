/*
 * checkpoint.c: the background worker that checkpoints the database's
 * write-ahead log.  The writer's connection makes no checkpoint at commit
 * (TL_STORE_MANUAL_CHECKPOINT), so that no group of ballots waits while
 * the log is copied into the database file and that file is synced; this
 * thread does it instead, passively (never waiting for readers or the
 * writer), every few milliseconds while ballots come in.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

#define CHECKPOINT_INTERVAL_MS 50

struct checkpointer {
	struct tl_store *store;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stopping;
};

static void *
checkpoint_main(void *arg)
{
	struct checkpointer *c = arg;
	struct tl_error err;
	int stopping = 0;

	pthread_setname_np(pthread_self(), "teller-ckpt");
	while (!stopping) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += CHECKPOINT_INTERVAL_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&c->lock);
		if (!c->stopping)
			pthread_cond_timedwait(&c->wake, &c->lock, &until);
		stopping = c->stopping;
		pthread_mutex_unlock(&c->lock);
		/* Once more on the way out, so the log is short at rest. */
		if (tl_store_checkpoint(c->store, NULL, NULL, &err) != TL_OK)
			fprintf(stderr, "teller: checkpoint: %s\n", err.message);
	}
	return NULL;
}

static int
checkpoint_start(struct server *srv, void **state, struct tl_error *err)
{
	struct checkpointer *c;
	int r;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	if ((r = tl_store_open(srv->config->db_path, 0, &c->store, err)) !=
	    TL_OK) {
		free(c);
		return r;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->wake, NULL);
	if (pthread_create(&c->thread, NULL, checkpoint_main, c) != 0) {
		pthread_mutex_destroy(&c->lock);
		pthread_cond_destroy(&c->wake);
		tl_store_close(c->store);
		free(c);
		return tl_error_set(err, TL_EINTERNAL, "cannot start a thread");
	}
	*state = c;
	return TL_OK;
}

static void
checkpoint_stop(void *state)
{
	struct checkpointer *c = state;

	pthread_mutex_lock(&c->lock);
	c->stopping = 1;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->wake);
	tl_store_close(c->store);
	free(c);
}

const struct server_worker checkpoint_worker = {
	"checkpoint", checkpoint_start, checkpoint_stop,
};
