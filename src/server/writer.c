/*
 * writer.c: the one thread that writes ballots (and a secret election's
 * credentials, which go the same way: tl_issuance_check, with the blind
 * signature, on the request's thread).  Request threads check a
 * ballot (tl_cast_check, in parallel, on their own read connections), then
 * queue it here and suspend their connection.  The writer takes whatever
 * is queued, commits it as one group (tl_cast_commit_group: one
 * transaction, a savepoint per ballot, one tree head, one fsync), and only
 * then marks each ballot done and resumes its connection, whose handler
 * makes the receipt.  Under load the queue fills while a commit runs, so
 * the groups grow with concurrency and so does throughput.
 *
 * A group of credentials alone is held open a little while other
 * credential requests are still being signed on the request threads
 * (writer_signing): a commit costs about half a millisecond of CPU (its
 * pages, its fsync, its tree head's signature), and at a blind RSA
 * signature per request few arrive during one commit, so unheld groups
 * stay small and each credential would pay most of a commit.  A request
 * with no other being signed is never held, and ballots are never held.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define WRITER_MAX_GROUP 1024
/* How long, at most, a group of credentials is held for more. */
#define WRITER_HOLD_MS 50

struct writer {
	struct server *srv;
	struct tl_store *store;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct pending *head, *tail;
	size_t queued, queued_casts;  /* in the queue, of which ballots */
	struct timespec head_since;   /* when the queue's first came */
	size_t signing;               /* credential requests being checked */
	int stopping;
};

static uint64_t
micros_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - start->tv_sec) * 1000000u +
	    (uint64_t)((now.tv_nsec - start->tv_nsec) / 1000);
}

/*
 * Commits one group of n and wakes its requests: the ballots in one
 * transaction, the credential requests in another (one fsync each, when
 * the group holds both).
 */
static void
commit(struct writer *w, struct pending *group, size_t n)
{
	struct tl_cast **casts = calloc(n, sizeof(*casts));
	struct tl_issuance **issuances = calloc(n, sizeof(*issuances));
	struct tl_error *errs = calloc(n, sizeof(*errs)), err;
	struct tl_error *cast_errs, *issue_errs;
	struct pending *p, *next;
	struct timespec start;
	size_t ncasts = 0, nissuances = 0, ci = 0, ii = 0;

	tl_error_clear(&err);
	if (casts == NULL || issuances == NULL || errs == NULL) {
		tl_error_set(&err, TL_ENOMEM, "out of memory");
		free(errs);
		errs = NULL;
	} else {
		for (p = group; p != NULL; p = p->next)
			if (p->cast != NULL)
				casts[ncasts++] = p->cast;
			else
				issuances[nissuances++] = p->issuance;
		cast_errs = errs;
		issue_errs = errs + ncasts;
		clock_gettime(CLOCK_MONOTONIC, &start);
		if (ncasts > 0 && tl_cast_commit_group(w->store, casts, ncasts,
		    w->srv->config->now(), w->srv->authority, cast_errs, &err) ==
		    TL_OK)
			metrics_commit(&w->srv->metrics, micros_since(&start),
			    ncasts);
		clock_gettime(CLOCK_MONOTONIC, &start);
		if (nissuances > 0 && tl_issuance_commit_group(w->store,
		    issuances, nissuances, w->srv->config->now(),
		    w->srv->authority, issue_errs, &err) == TL_OK)
			metrics_commit(&w->srv->metrics, micros_since(&start),
			    nissuances);
	}
	for (p = group; p != NULL; p = next) {
		const struct tl_error *e = errs == NULL ? &err :
		    p->cast != NULL ? &errs[ci++] : &errs[ncasts + ii++];

		next = p->next;
		if (p->cast != NULL)
			metrics_ballot(&w->srv->metrics, e->code);
		else
			metrics_credential(&w->srv->metrics, e->code);
		pthread_mutex_lock(&w->lock);
		p->result = *e;
		p->done = 1;
		pthread_mutex_unlock(&w->lock);
		/* p may be freed as soon as its request completes. */
		MHD_resume_connection(p->connection);
	}
	free(casts);
	free(issuances);
	free(errs);
}

/* Whether the queue (credentials alone) is worth holding for the ones
 * being signed; if so, *until gets when to stop waiting.  Under the lock. */
static int
hold(const struct writer *w, struct timespec *until)
{
	struct timespec now;

	if (w->stopping || w->queued_casts > 0 || w->signing == 0 ||
	    w->queued >= WRITER_MAX_GROUP)
		return 0;
	*until = w->head_since;
	until->tv_nsec += WRITER_HOLD_MS * 1000000L;
	if (until->tv_nsec >= 1000000000L) {
		until->tv_sec++;
		until->tv_nsec -= 1000000000L;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec < until->tv_sec || (now.tv_sec == until->tv_sec &&
	    now.tv_nsec < until->tv_nsec);
}

static void *
writer_main(void *arg)
{
	struct writer *w = arg;

	pthread_setname_np(pthread_self(), "teller-writer");
	for (;;) {
		struct pending *group, *last;
		struct timespec until;
		size_t n = 1, casts;

		pthread_mutex_lock(&w->lock);
		for (;;) {
			if (w->head == NULL && !w->stopping)
				pthread_cond_wait(&w->wake, &w->lock);
			else if (w->head != NULL && hold(w, &until))
				pthread_cond_timedwait(&w->wake, &w->lock,
				    &until);
			else
				break;
		}
		if (w->head == NULL) {
			pthread_mutex_unlock(&w->lock);
			break;
		}
		/* Everything queued, up to a group's limit. */
		group = last = w->head;
		casts = group->cast != NULL;
		while (last->next != NULL && n < WRITER_MAX_GROUP) {
			last = last->next;
			casts += last->cast != NULL;
			n++;
		}
		w->head = last->next;
		if (w->head == NULL)
			w->tail = NULL;
		else
			clock_gettime(CLOCK_MONOTONIC, &w->head_since);
		w->queued -= n;
		w->queued_casts -= casts;
		last->next = NULL;
		pthread_mutex_unlock(&w->lock);
		commit(w, group, n);
	}
	return NULL;
}

int
writer_start(struct server *srv, struct writer **out, struct tl_error *err)
{
	struct writer *w;
	pthread_condattr_t attr;
	int r;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	w->srv = srv;
	if ((r = tl_store_open(srv->config->db_path,
	    TL_STORE_MANUAL_CHECKPOINT, &w->store, err)) != TL_OK) {
		free(w);
		return r;
	}
	pthread_mutex_init(&w->lock, NULL);
	/* The hold's deadlines are on the monotonic clock. */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&w->wake, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->wake);
		tl_store_close(w->store);
		free(w);
		return tl_error_set(err, TL_EINTERNAL,
		    "cannot start the writer thread");
	}
	*out = w;
	return TL_OK;
}

int
writer_submit(struct writer *w, struct pending *p, struct tl_error *err)
{
	int r = TL_OK;

	p->next = NULL;
	p->done = 0;
	pthread_mutex_lock(&w->lock);
	if (w->stopping) {
		r = tl_error_set(err, TL_ESTATE, "the server is stopping; send "
		    "the ballot again later");
	} else {
		int wake = w->head == NULL || p->cast != NULL;

		if (w->tail != NULL) {
			w->tail->next = p;
		} else {
			w->head = p;
			clock_gettime(CLOCK_MONOTONIC, &w->head_since);
		}
		w->tail = p;
		w->queued++;
		w->queued_casts += p->cast != NULL;
		/* A queue already there is being committed or held: one more
		 * credential changes nothing but a full group's. */
		if (wake || w->queued >= WRITER_MAX_GROUP)
			pthread_cond_signal(&w->wake);
	}
	pthread_mutex_unlock(&w->lock);
	return r;
}

void
writer_signing(struct writer *w, int delta)
{
	pthread_mutex_lock(&w->lock);
	if (delta > 0)
		w->signing++;
	else if (w->signing > 0 && --w->signing == 0 && w->head != NULL)
		pthread_cond_signal(&w->wake); /* no more to hold for */
	pthread_mutex_unlock(&w->lock);
}

int
writer_done(struct writer *w, const struct pending *p)
{
	int done;

	pthread_mutex_lock(&w->lock);
	done = p->done;
	pthread_mutex_unlock(&w->lock);
	return done;
}

void
writer_stop(struct writer *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->wake);
	tl_store_close(w->store);
	free(w);
}
