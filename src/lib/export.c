/*
 * export.c: the public record of an election as JSON Lines, written a
 * batch of log entries at a time (export.h): the entries, the signed tree
 * head, and the witnesses' cosignatures of that head if it has any.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "teller/election.h"
#include "teller/export.h"
#include "teller/log.h"
#include "teller/witness.h"

#define EXPORT_BATCH 256

struct tl_export {
	char *election_id;
	char *head;            /* the signed tree head envelope */
	char *cosignatures;    /* its cosignature line, or NULL */
	uint64_t size;         /* its size: the entries the record holds */
	uint64_t next;         /* the next entry to write */
	int head_written;
};

void
tl_export_free(struct tl_export *x)
{
	if (x == NULL)
		return;
	free(x->election_id);
	free(x->head);
	free(x->cosignatures);
	free(x);
}

int
tl_export_begin(struct tl_store *store, const char *id,
    struct tl_export **out, struct tl_error *err)
{
	struct tl_export *x;
	struct tl_tree_head head;
	char *state = NULL;
	int r;

	if ((r = tl_election_state(store, id, &state, err)) != TL_OK)
		return r;
	r = strcmp(state, "draft") == 0;
	free(state);
	if (r)
		return tl_error_set(err, TL_ESTATE, "election %s is a draft; its "
		    "record starts when it opens ('teller election open %s')", id,
		    id);
	if ((x = calloc(1, sizeof(*x))) == NULL ||
	    (x->election_id = strdup(id)) == NULL) {
		tl_export_free(x);
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	if ((r = tl_log_latest_head(store, id, &x->head, err)) != TL_OK ||
	    (r = tl_tree_head_parse_envelope(x->head, strlen(x->head), &head,
	    NULL, err)) != TL_OK ||
	    (r = tl_cosignature_line_export(store, id, head.size, head.root,
	    &x->cosignatures, err)) != TL_OK) {
		tl_export_free(x);
		return r;
	}
	x->size = head.size;
	*out = x;
	return TL_OK;
}

uint64_t
tl_export_size(const struct tl_export *x)
{
	return x->size;
}

struct batch {
	struct tl_buf *buf;
	size_t want;
	uint64_t next;
	int r;
};

static int
add_line(void *ctx, uint64_t index, const char *kind, const char *entry,
    size_t len)
{
	struct batch *b = ctx;

	(void)kind;
	if ((b->r = tl_buf_add(b->buf, entry, len)) != TL_OK ||
	    (b->r = tl_buf_addc(b->buf, '\n')) != TL_OK)
		return 1;
	b->next = index + 1;
	return b->buf->len >= b->want ? 1 : 0;
}

int
tl_export_next(struct tl_export *x, struct tl_store *store,
    struct tl_buf *buf, size_t want, int *done, struct tl_error *err)
{
	struct batch b = {buf, want > 0 ? want : 1, x->next, TL_OK};
	int r;

	*done = 0;
	while (x->next < x->size && buf->len < b.want) {
		uint64_t end = x->size - x->next > EXPORT_BATCH ?
		    x->next + EXPORT_BATCH : x->size;

		r = tl_log_foreach(store, x->election_id, x->next, end, add_line,
		    &b, err);
		if (b.r != TL_OK)
			return tl_error_set(err, b.r, "the record is too large "
			    "for its buffer");
		if (r < 0)
			return r;
		if (b.next == x->next)
			return tl_error_set(err, TL_EDB, "entry %llu of the log "
			    "of %s is missing", (unsigned long long)x->next,
			    x->election_id);
		x->next = b.next;
	}
	if (x->next == x->size && buf->len < b.want && !x->head_written) {
		if ((r = tl_buf_adds(buf, x->head)) != TL_OK ||
		    (r = tl_buf_addc(buf, '\n')) != TL_OK ||
		    (x->cosignatures != NULL &&
		    ((r = tl_buf_adds(buf, x->cosignatures)) != TL_OK ||
		    (r = tl_buf_addc(buf, '\n')) != TL_OK)))
			return tl_error_set(err, r, "the record is too large "
			    "for its buffer");
		x->head_written = 1;
	}
	*done = x->head_written;
	return TL_OK;
}
