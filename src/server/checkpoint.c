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
	struct ticker *ticker;
};

/* Every interval, and once more on the way out, so the log is short at
 * rest. */
static void
checkpoint_tick(void *ctx, int last)
{
	struct checkpointer *c = ctx;
	struct tl_error err;

	(void)last;
	if (tl_store_checkpoint(c->store, NULL, NULL, &err) != TL_OK)
		fprintf(stderr, "teller: checkpoint: %s\n", err.message);
}

static int
checkpoint_start(struct server *srv, void **state, struct tl_error *err)
{
	struct checkpointer *c;
	int r;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	if ((r = tl_store_open(srv->config->db_path, 0, &c->store, err)) !=
	    TL_OK ||
	    (r = ticker_start("teller-ckpt", CHECKPOINT_INTERVAL_MS,
	    checkpoint_tick, c, &c->ticker, err)) != TL_OK) {
		tl_store_close(c->store);
		free(c);
		return r;
	}
	*state = c;
	return TL_OK;
}

static void
checkpoint_stop(void *state)
{
	struct checkpointer *c = state;

	ticker_stop(c->ticker);
	tl_store_close(c->store);
	free(c);
}

const struct server_worker checkpoint_worker = {
	"checkpoint", checkpoint_start, checkpoint_stop,
};
