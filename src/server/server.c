/*
 * server.c: teller serve's life: the listening address, libmicrohttpd's
 * daemon (its thread pool, epoll, connections suspended while their ballot
 * is committed), each request from its first byte to its log line, and
 * the graceful stop on SIGTERM or SIGINT.  The pool of read connections
 * is readers.c, the routes routes.c.
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"

#define DRAIN_LIMIT_SECONDS 60
/* libmicrohttpd's own timeout: a connection on which nothing has moved for
 * this long, even while its answer is being sent, is closed.  The time to
 * send a request is --request-timeout (clients.c). */
#define IDLE_TIMEOUT_SECONDS 60u
/* A certificate chain or a private key in PEM is a few kilobytes. */
#define TLS_FILE_MAX (1024 * 1024)
/* TLS 1.2 and 1.3 only, GnuTLS's usual ciphers for them. */
#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

/* --- requests --------------------------------------------------------------- */

/* The path for the log line and messages: printable ASCII only. */
static void
copy_path(char *out, size_t size, const char *url)
{
	size_t i = 0;

	for (; *url != '\0' && i + 1 < size; url++)
		out[i++] = *url > 0x20 && *url < 0x7f ? *url : '?';
	out[i] = '\0';
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *connection, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct server *srv = cls;
	struct request *req = *con_cls;

	(void)version;
	if (req == NULL) {
		const char *length;
		int64_t declared = 0;

		/* Headers received: set the request up. */
		if ((req = calloc(1, sizeof(*req))) == NULL)
			return MHD_NO;
		req->srv = srv;
		req->connection = connection;
		req->method = method;
		clock_gettime(CLOCK_MONOTONIC, &req->start);
		copy_path(req->path, sizeof(req->path), url);
		tl_buf_init(&req->body, srv->config->max_body);
		routes_match(req, url);
		*con_cls = req;
		pthread_mutex_lock(&srv->lock);
		srv->active++;
		pthread_mutex_unlock(&srv->lock);
		/* A body declared over the limit: refused before it is read. */
		length = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (length != NULL && tl_parse_int64(length, 0, INT64_MAX,
		    &declared) == TL_OK &&
		    (uint64_t)declared > srv->config->max_body) {
			req->too_big = 1;
			clients_received(srv, connection);
			return routes_dispatch(req);
		}
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		/* A part of the body.  Past the limit (a chunked body), the
		 * rest is read and dropped, and refused at its end; past four
		 * times the limit the connection is closed. */
		req->body_seen += *upload_data_size;
		if (!req->too_big && tl_buf_add(&req->body, upload_data,
		    *upload_data_size) != TL_OK) {
			req->too_big = 1;
			tl_buf_free(&req->body);
		}
		*upload_data_size = 0;
		if (req->too_big && req->body_seen / 4 > srv->config->max_body)
			return MHD_NO;
		return MHD_YES;
	}
	if (req->answered)
		return MHD_YES;
	/* The request is whole: its client's clock stops (clients.c). */
	if (!req->waiting)
		clients_received(srv, connection);
	return routes_dispatch(req);
}

static void
log_request(const struct request *req)
{
	struct timespec now, wall;
	struct tm tm;
	char when[32];
	uint64_t micros;

	clock_gettime(CLOCK_MONOTONIC, &now);
	clock_gettime(CLOCK_REALTIME, &wall);
	micros = (uint64_t)(now.tv_sec - req->start.tv_sec) * 1000000u +
	    (uint64_t)((now.tv_nsec - req->start.tv_nsec) / 1000);
	gmtime_r(&wall.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ldZ %s %s %s %u %llu.%03llums\n", when,
	    wall.tv_nsec / 1000000, req->method, req->path,
	    metrics_route_name(req->route), req->status,
	    (unsigned long long)(micros / 1000),
	    (unsigned long long)(micros % 1000));
}

static void
on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct server *srv = cls;
	struct request *req = *con_cls;

	if (req == NULL)
		return;
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && !req->answered)
		req->status = 499; /* the client went away first */
	metrics_request(&srv->metrics, req->route, req->status);
	log_request(req);
	clients_answered(srv, connection);
	tl_cast_free(req->pending.cast);
	tl_issuance_free(req->pending.issuance);
	tl_buf_free(&req->body);
	free(req);
	*con_cls = NULL;
	pthread_mutex_lock(&srv->lock);
	srv->active--;
	pthread_mutex_unlock(&srv->lock);
}

/* --- listening ------------------------------------------------------------ */

/* ADDR:PORT, with [ADDR] for IPv6; port 0 lets the system pick one. */
static int
parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len,
    struct tl_error *err)
{
	char host[64];
	const char *colon, *start = listen, *end;
	int64_t port;

	memset(ss, 0, sizeof(*ss));
	if (*listen == '[') {
		start = listen + 1;
		if ((end = strchr(start, ']')) == NULL || end[1] != ':')
			goto bad;
		colon = end + 1;
	} else {
		if ((colon = strrchr(listen, ':')) == NULL)
			goto bad;
		end = colon;
	}
	if ((size_t)(end - start) >= sizeof(host) || tl_parse_int64(colon + 1,
	    0, 65535, &port) != TL_OK)
		goto bad;
	memcpy(host, start, (size_t)(end - start));
	host[end - start] = '\0';
	if (strcmp(host, "localhost") == 0)
		memcpy(host, "127.0.0.1", sizeof("127.0.0.1"));
	if (*listen != '[') {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
			goto bad;
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		*len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
			goto bad;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*in6);
	}
	return TL_OK;
 bad:
	return tl_error_set(err, TL_EUSAGE, "--listen: \"%.80s\" is not "
	    "ADDR:PORT (for example 127.0.0.1:8080 or [::1]:8080)", listen);
}

static unsigned
pool_size(const struct server_config *config)
{
	long cores;

	if (config->threads > 0)
		return config->threads;
	cores = sysconf(_SC_NPROCESSORS_ONLN);
	return cores > 0 ? 2 * (unsigned)cores : 4;
}

/* --- stopping ------------------------------------------------------------- */

static size_t
active_requests(struct server *srv)
{
	size_t n;

	pthread_mutex_lock(&srv->lock);
	n = srv->active;
	pthread_mutex_unlock(&srv->lock);
	return n;
}

/* Waits (up to the limit) until no request is in progress. */
static void
wait_idle(struct server *srv, time_t deadline)
{
	const struct timespec tick = {0, 10 * 1000 * 1000};

	while (active_requests(srv) > 0 && time(NULL) < deadline)
		nanosleep(&tick, NULL);
}

/*
 * The graceful stop: no new connections; every request already begun is
 * answered (a ballot with the writer gets its receipt), each answer now
 * closing its connection; once none is in progress, a request that still
 * comes in on an open connection is refused (503) rather than left
 * waiting; then the daemon, the writer and the workers stop.
 */
static void
stop_gracefully(struct server *srv)
{
	time_t deadline = time(NULL) + DRAIN_LIMIT_SECONDS;
	MHD_socket listener;

	pthread_mutex_lock(&srv->lock);
	srv->draining = 1;
	pthread_mutex_unlock(&srv->lock);
	listener = MHD_quiesce_daemon(srv->daemon);
	wait_idle(srv, deadline);
	pthread_mutex_lock(&srv->lock);
	srv->closing = 1;
	pthread_mutex_unlock(&srv->lock);
	wait_idle(srv, deadline);
	MHD_stop_daemon(srv->daemon);
	srv->daemon = NULL;
	if (listener != MHD_INVALID_SOCKET)
		close(listener);
}

/* --- running ------------------------------------------------------------- */

static void
server_free(struct server *srv)
{
	for (size_t i = 0; i < srv->nreaders; i++)
		tl_store_close(srv->readers[i]);
	free(srv->readers);
	tl_key_free(srv->authority);
	free(srv->tls_cert);
	tl_wipe_free(srv->tls_key);
	metrics_destroy(&srv->metrics);
	ratelimit_destroy(&srv->enrol_limit);
	pthread_mutex_destroy(&srv->lock);
	pthread_mutex_destroy(&srv->clients_lock);
}

/* Reads the certificate and key for HTTPS, if the configuration names
 * them; libmicrohttpd takes them as PEM text (GnuTLS parses them). */
static int
load_tls(struct server *srv, struct tl_error *err)
{
	const struct server_config *config = srv->config;
	size_t len;
	int r;

	if (config->tls_cert == NULL && config->tls_key == NULL)
		return TL_OK;
	if (config->tls_cert == NULL || config->tls_key == NULL)
		return tl_error_set(err, TL_EUSAGE, "--tls-cert and --tls-key "
		    "go together: the certificate and its private key");
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
		return tl_error_set(err, TL_EUSAGE, "this libmicrohttpd was "
		    "built without TLS; serve plain HTTP behind a reverse "
		    "proxy that does TLS instead (doc/operations.md)");
	if ((r = tl_read_file(config->tls_cert, TLS_FILE_MAX, &srv->tls_cert,
	    &len, err)) != TL_OK)
		return tl_error_prefix(err, "--tls-cert");
	if ((r = tl_read_file(config->tls_key, TLS_FILE_MAX, &srv->tls_key,
	    &len, err)) != TL_OK)
		return tl_error_prefix(err, "--tls-key");
	if (strstr(srv->tls_cert, "-----BEGIN CERTIFICATE-----") == NULL)
		return tl_error_set(err, TL_EINPUT, "--tls-cert: %s is not a "
		    "PEM certificate", config->tls_cert);
	if (strstr(srv->tls_key, "PRIVATE KEY-----") == NULL)
		return tl_error_set(err, TL_EINPUT, "--tls-key: %s is not a "
		    "PEM private key", config->tls_key);
	return TL_OK;
}

static int
start_daemon(struct server *srv, const struct sockaddr_storage *addr,
    struct tl_error *err)
{
	const union MHD_DaemonInfo *info;
	char host[INET6_ADDRSTRLEN] = "";
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem tls[] = {
		{MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert},
		{MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key},
		{MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)TLS_PRIORITIES},
		{MHD_OPTION_END, 0, NULL},
	};

	if (addr->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (srv->tls_cert != NULL)
		flags |= MHD_USE_TLS;
	else
		tls[0].option = MHD_OPTION_END;

	srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv,
	    MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)addr,
	    MHD_OPTION_THREAD_POOL_SIZE, pool_size(srv->config),
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
	    MHD_OPTION_NOTIFY_CONNECTION, clients_notify, srv,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, srv->config->max_per_client,
	    MHD_OPTION_CONNECTION_TIMEOUT, IDLE_TIMEOUT_SECONDS,
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
	    MHD_OPTION_ARRAY, tls,
	    MHD_OPTION_END);
	if (srv->daemon == NULL && srv->tls_cert != NULL)
		return tl_error_set(err, TL_EIO, "cannot serve HTTPS on %s: "
		    "the certificate and key do not match or cannot be used "
		    "(GnuTLS's reason is above), or the address is in use",
		    srv->config->listen);
	if (srv->daemon == NULL)
		return tl_error_set(err, TL_EIO, "cannot listen on %s: %s "
		    "(in use, or not an address of this host?)",
		    srv->config->listen, strerror(errno));
	info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	if (addr->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)addr)->sin_addr,
		    host, sizeof(host));
	else
		inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)addr)->sin6_addr, host,
		    sizeof(host));
	fprintf(stderr, "teller: serving %s on %s://%s%s%s:%u "
	    "(%u threads; stop with SIGTERM or Ctrl-C)\n", srv->config->db_path,
	    srv->tls_cert != NULL ? "https" : "http",
	    addr->ss_family == AF_INET6 ? "[" : "", host,
	    addr->ss_family == AF_INET6 ? "]" : "",
	    info != NULL ? (unsigned)info->port : 0, pool_size(srv->config));
	return TL_OK;
}

int
server_run(const struct server_config *config, struct tl_error *err)
{
	struct server srv;
	struct tl_store *store = NULL;
	struct sockaddr_storage addr;
	socklen_t addr_len = 0;
	sigset_t stop_signals;
	int r, signo = 0;

	memset(&srv, 0, sizeof(srv));
	srv.config = config;
	pthread_mutex_init(&srv.lock, NULL);
	pthread_mutex_init(&srv.clients_lock, NULL);
	metrics_init(&srv.metrics);
	ratelimit_init(&srv.enrol_limit, config->enrol_limit,
	    SERVER_ENROL_PERIOD);
	if ((r = parse_listen(config->listen, &addr, &addr_len, err)) != TL_OK ||
	    (r = load_tls(&srv, err)) != TL_OK)
		goto out;
	/* The database is there and has an authority. */
	if ((r = tl_store_open(config->db_path, 0, &store, err)) != TL_OK ||
	    (r = tl_store_set_key_source(store, config->key_file,
	    config->passphrase_file, err)) != TL_OK ||
	    (r = tl_store_authority(store, &srv.authority, err)) != TL_OK)
		goto out;
	/* That connection migrated the schema; readers only read. */
	tl_store_close(store);
	store = NULL;
	/* Every thread started from here on inherits the mask: only the
	 * main thread takes the stop signals, in sigwait. */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((r = writer_start(&srv, &srv.writer, err)) != TL_OK)
		goto out;
	if ((r = workers_start(&srv, err)) != TL_OK) {
		writer_stop(srv.writer);
		goto out;
	}
	if ((r = start_daemon(&srv, &addr, err)) != TL_OK) {
		workers_stop(&srv);
		writer_stop(srv.writer);
		goto out;
	}
	while (sigwait(&stop_signals, &signo) != 0 ||
	    (signo != SIGTERM && signo != SIGINT))
		;
	fprintf(stderr, "teller: %s: stopping once every request in progress "
	    "is answered\n", signo == SIGTERM ? "SIGTERM" : "SIGINT");
	stop_gracefully(&srv);
	writer_stop(srv.writer);
	workers_stop(&srv);
	fprintf(stderr, "teller: stopped\n");
	r = TL_OK;
 out:
	tl_store_close(store);
	server_free(&srv);
	return r;
}
