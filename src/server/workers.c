/*
 * workers.c: the background workers that run beside the request threads
 * and the writer for as long as the server runs.  Each has a thread of
 * its own and a database connection of its own if it needs one; it is
 * started after the writer and stopped after the last request has been
 * answered.  To add one, write a struct server_worker (internal.h) and
 * list it here.
 */
#include <config.h>

#include <stdlib.h>

#include "internal.h"

static const struct server_worker *const workers[] = {
	&checkpoint_worker,  /* checkpoint.c */
	&webhooks_worker,    /* webhooks.c: delivers the outbox's events */
	&clients_worker,     /* clients.c: closes the connections of slow clients */
	NULL, /* the list ends here */
};

static size_t
nworkers(void)
{
	size_t n = 0;

	while (workers[n] != NULL)
		n++;
	return n;
}

int
workers_start(struct server *srv, struct tl_error *err)
{
	size_t n = nworkers();
	int r;

	if ((srv->worker_states = calloc(n + 1,
	    sizeof(*srv->worker_states))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		if ((r = workers[i]->start(srv, &srv->worker_states[i], err)) !=
		    TL_OK) {
			const char *name = workers[i]->name;

			while (i-- > 0)
				workers[i]->stop(srv->worker_states[i]);
			free(srv->worker_states);
			srv->worker_states = NULL;
			return tl_error_prefix(err, "worker %s", name);
		}
	return TL_OK;
}

void
workers_stop(struct server *srv)
{
	if (srv->worker_states == NULL)
		return;
	for (size_t i = nworkers(); i-- > 0;)
		workers[i]->stop(srv->worker_states[i]);
	free(srv->worker_states);
	srv->worker_states = NULL;
}
