/*
 * vote_internal.h (internal to libteller): what the modules that take
 * voters' writes during the vote share (cast.c: ballots; issuance.c:
 * credential requests and their issuances): whether the vote is open, and
 * committing a group of writes in one transaction.
 *
 * A group's items are each stored under a savepoint of their own, so that
 * one refused there is undone alone; one tree head is signed per election
 * that received something; one COMMIT (one fsync) makes them all durable,
 * and only then does each item learn it was committed.
 */
#ifndef TELLER_VOTE_INTERNAL_H
#define TELLER_VOTE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "teller/crypto.h"
#include "teller/error.h"
#include "teller/store.h"

#define TL_GROUP_UNCHANGED 1

struct tl_group_item {
	const char *election;   /* the election it writes to */
	void *item;
	/* Stores the item inside the group's transaction: TL_OK, an error
	 * (the item is undone), or TL_GROUP_UNCHANGED: accepted, with nothing
	 * to write (the item was stored before). */
	int (*store)(struct tl_store *store, void *item, int64_t now,
	    struct tl_error *err);
	/* Optional: after the commit, for an item stored: the signed tree
	 * head of its election (text, and parsed) and that tree's size. */
	void (*committed)(void *item, const char *tree_head, json_t *head_json,
	    uint64_t tree_size, struct tl_error *err);
};

/*
 * TL_OK if election `id`, in `state` (as people see it) with voting phase
 * [opens, closes), takes voters' writes at `now`: TL_EPHASE in its
 * nomination stage, TL_ESTATE if not open, TL_EWINDOW outside the window.
 * `what` names the write in errors ("ballots").
 */
int tl_vote_check_open(const char *id, const char *state, int64_t opens,
    int64_t closes, int64_t now, const char *what, struct tl_error *err);

/* As tl_cast_commit_group (cast.h) says, for any items. */
int tl_group_commit(struct tl_store *store, const struct tl_group_item *items,
    size_t n, int64_t now, const struct tl_key *authority,
    struct tl_error *errs, struct tl_error *err);

#endif
