/*
 * readers.c: teller serve's pool of read connections.  A request handler
 * (routes.c) takes one, uses it on its own thread and gives it back; the
 * server (server.c) closes those left when it stops.
 */
#include <config.h>

#include <stdlib.h>

#include "internal.h"

struct tl_store *
server_reader_get(struct server *srv, struct tl_error *err)
{
	struct tl_store *store = NULL;

	pthread_mutex_lock(&srv->lock);
	if (srv->nreaders > 0)
		store = srv->readers[--srv->nreaders];
	pthread_mutex_unlock(&srv->lock);
	if (store == NULL &&
	    tl_store_open(srv->config->db_path, TL_STORE_READONLY, &store,
	    err) != TL_OK)
		return NULL;
	return store;
}

void
server_reader_put(struct server *srv, struct tl_store *store)
{
	struct tl_store **grown;

	if (store == NULL)
		return;
	pthread_mutex_lock(&srv->lock);
	if (srv->nreaders == srv->capreaders) {
		size_t cap = srv->capreaders > 0 ? 2 * srv->capreaders : 8;

		if ((grown = realloc(srv->readers, cap * sizeof(*grown))) ==
		    NULL) {
			pthread_mutex_unlock(&srv->lock);
			tl_store_close(store);
			return;
		}
		srv->readers = grown;
		srv->capreaders = cap;
	}
	srv->readers[srv->nreaders++] = store;
	pthread_mutex_unlock(&srv->lock);
}
