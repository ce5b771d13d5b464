/*
 * ticker.c: a thread that calls a function every interval until it is
 * stopped, and once more as it stops: the loop of the background workers
 * that work periodically (checkpoint.c, clients.c).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

struct ticker {
	char name[16];
	unsigned interval_ms;
	void (*tick)(void *ctx, int last);
	void *ctx;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stopping;
};

static void *
ticker_main(void *arg)
{
	struct ticker *t = arg;
	int stopping = 0;

	pthread_setname_np(pthread_self(), t->name);
	while (!stopping) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += t->interval_ms / 1000;
		until.tv_nsec += (long)(t->interval_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&t->lock);
		if (!t->stopping)
			pthread_cond_timedwait(&t->wake, &t->lock, &until);
		stopping = t->stopping;
		pthread_mutex_unlock(&t->lock);
		t->tick(t->ctx, stopping);
	}
	return NULL;
}

int
ticker_start(const char *thread_name, unsigned interval_ms,
    void (*tick)(void *ctx, int last), void *ctx, struct ticker **out,
    struct tl_error *err)
{
	struct ticker *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	snprintf(t->name, sizeof(t->name), "%s", thread_name);
	t->interval_ms = interval_ms;
	t->tick = tick;
	t->ctx = ctx;
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->wake, NULL);
	if (pthread_create(&t->thread, NULL, ticker_main, t) != 0) {
		pthread_mutex_destroy(&t->lock);
		pthread_cond_destroy(&t->wake);
		free(t);
		return tl_error_set(err, TL_EINTERNAL, "cannot start a thread");
	}
	*out = t;
	return TL_OK;
}

void
ticker_stop(struct ticker *t)
{
	if (t == NULL)
		return;
	pthread_mutex_lock(&t->lock);
	t->stopping = 1;
	pthread_cond_signal(&t->wake);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->wake);
	free(t);
}
