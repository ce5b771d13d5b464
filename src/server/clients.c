/*
 * clients.c: slow clients.  Each connection has --request-timeout seconds
 * to send a whole request: from its opening, or from the end of its
 * previous answer, until the last byte of the request.  libmicrohttpd
 * times out only a connection on which nothing moves, so a client that
 * sends a byte every few seconds (slowloris) would hold its connection
 * for ever; a worker of this file shuts such a connection down instead.
 * The number of connections from one address is libmicrohttpd's
 * (MHD_OPTION_PER_IP_CONNECTION_LIMIT, set in server.c).
 *
 * The clock of a connection runs while the request is being received,
 * and while the connection waits for its next request; it is stopped
 * while the request is handled and answered (a ballot waiting for its
 * group's commit, a record being streamed).
 */
#include <config.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"

#define CLIENTS_TICK_MS 200

struct client {
	int fd;                 /* libmicrohttpd's: only ever shut down */
	char address[INET6_ADDRSTRLEN + 8];
	struct timespec since;  /* when the clock last started */
	int receiving;          /* the clock runs */
	struct client *prev, *next;
};

static void
client_address(struct client *c, const struct sockaddr *sa)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (sa != NULL && sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		port = ntohs(in->sin_port);
		snprintf(c->address, sizeof(c->address), "%s:%u", host, port);
	} else if (sa != NULL && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		port = ntohs(in6->sin6_port);
		snprintf(c->address, sizeof(c->address), "[%s]:%u", host, port);
	} else
		snprintf(c->address, sizeof(c->address), "%s", host);
}

void
clients_notify(void *cls, struct MHD_Connection *connection,
    void **socket_context, enum MHD_ConnectionNotificationCode code)
{
	struct server *srv = cls;
	struct client *c = *socket_context;
	const union MHD_ConnectionInfo *info;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		if ((c = calloc(1, sizeof(*c))) == NULL)
			return; /* this connection goes untimed */
		info = MHD_get_connection_info(connection,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		c->fd = info != NULL ? info->connect_fd : -1;
		info = MHD_get_connection_info(connection,
		    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		client_address(c, info != NULL ? info->client_addr : NULL);
		clock_gettime(CLOCK_MONOTONIC, &c->since);
		c->receiving = c->fd >= 0;
		pthread_mutex_lock(&srv->clients_lock);
		if ((c->next = srv->clients) != NULL)
			c->next->prev = c;
		srv->clients = c;
		pthread_mutex_unlock(&srv->clients_lock);
		*socket_context = c;
		return;
	}
	/* Closed: libmicrohttpd closes the descriptor only after this, so
	 * the worker, under the same lock, never shuts down a descriptor
	 * that has been given to another connection. */
	if (c == NULL)
		return;
	pthread_mutex_lock(&srv->clients_lock);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		srv->clients = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&srv->clients_lock);
	free(c);
	*socket_context = NULL;
}

/* Starts or stops the clock of the connection's client. */
static void
clock_set(struct server *srv, struct MHD_Connection *connection, int run)
{
	const union MHD_ConnectionInfo *info;
	struct client *c;

	info = MHD_get_connection_info(connection,
	    MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (info == NULL || (c = info->socket_context) == NULL)
		return;
	pthread_mutex_lock(&srv->clients_lock);
	c->receiving = run && c->fd >= 0;
	if (run)
		clock_gettime(CLOCK_MONOTONIC, &c->since);
	pthread_mutex_unlock(&srv->clients_lock);
}

void
clients_received(struct server *srv, struct MHD_Connection *connection)
{
	clock_set(srv, connection, 0);
}

void
clients_answered(struct server *srv, struct MHD_Connection *connection)
{
	clock_set(srv, connection, 1);
}

/* Shuts down every connection whose clock has run past the timeout:
 * libmicrohttpd then finds it closed and lets it go. */
static void
clients_reap(struct server *srv)
{
	struct timespec now;
	unsigned timeout = srv->config->request_timeout;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&srv->clients_lock);
	for (struct client *c = srv->clients; c != NULL; c = c->next) {
		if (!c->receiving || now.tv_sec - c->since.tv_sec <
		    (time_t)timeout || (now.tv_sec - c->since.tv_sec ==
		    (time_t)timeout && now.tv_nsec < c->since.tv_nsec))
			continue;
		shutdown(c->fd, SHUT_RDWR);
		c->receiving = 0;
		metrics_timed_out(&srv->metrics);
		fprintf(stderr, "teller: closed the connection of %s: no whole "
		    "request within %u s (--request-timeout)\n", c->address,
		    timeout);
	}
	pthread_mutex_unlock(&srv->clients_lock);
}

static void
clients_tick(void *ctx, int last)
{
	if (!last)
		clients_reap(ctx);
}

static int
clients_start(struct server *srv, void **state, struct tl_error *err)
{
	struct ticker *t = NULL;
	int r;

	if ((r = ticker_start("teller-clients", CLIENTS_TICK_MS, clients_tick,
	    srv, &t, err)) != TL_OK)
		return r;
	*state = t;
	return TL_OK;
}

static void
clients_stop(void *state)
{
	ticker_stop(state);
}

const struct server_worker clients_worker = {
	"clients", clients_start, clients_stop,
};
