/*
 * server.h: teller serve, the HTTP server for voters and observers, as the
 * CLI sees it: a configuration and one call that runs until SIGTERM or
 * SIGINT.  doc/http-api.md describes the routes.
 */
#ifndef TELLER_SERVER_H
#define TELLER_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "teller/error.h"

#define SERVER_DEFAULT_LISTEN "127.0.0.1:8080"
#define SERVER_DEFAULT_MAX_BODY (64 * 1024)
#define SERVER_DEFAULT_ENROL_LIMIT 20  /* enrolment attempts per address */
#define SERVER_ENROL_PERIOD 600        /* ... come back in 10 minutes */
#define SERVER_DEFAULT_MAX_PER_CLIENT 32
#define SERVER_DEFAULT_REQUEST_TIMEOUT 30

struct server_config {
	const char *db_path;
	const char *listen;     /* ADDR:PORT, IPv4 or [IPv6]; port 0 picks one */
	size_t max_body;        /* request bodies over this are refused (413) */
	unsigned threads;       /* libmicrohttpd's thread pool; 0: by cores */
	unsigned enrol_limit;   /* enrolment attempts an address may make at
	                           once, each back after SERVER_ENROL_PERIOD /
	                           enrol_limit seconds; 0: no limit */
	/* Connections at once from one client address; 0: no limit. */
	unsigned max_per_client;
	/* Seconds a connection has to send a whole request, from its opening
	 * or its previous answer, before it is closed (at least 1). */
	unsigned request_timeout;
	int64_t (*now)(void);   /* the clock (the CLI's honours $TELLER_NOW) */
	/* HTTPS: both or neither.  PEM files of the certificate (with its
	 * chain, leaf first) and its private key, read once at start. */
	const char *tls_cert;
	const char *tls_key;
	/* The authority key's file and passphrase file (store.h's
	 * tl_store_set_key_source), or NULL. */
	const char *key_file;
	const char *passphrase_file;
};

/*
 * Serves until SIGTERM or SIGINT, then stops gracefully: no new
 * connections, every request already received is answered (ballots
 * waiting for a commit get their receipts), then the writer and the
 * background workers stop.  Returns TL_OK after a clean stop, or an error
 * if the server could not start.  The caller must not have started other
 * threads (the signals are blocked in every thread the server starts).
 */
int server_run(const struct server_config *config, struct tl_error *err);

#endif
