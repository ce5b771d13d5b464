/*
 * record_witness.c: the witnesses' part of verifying a record
 * (doc/record-format.md, check 15): the cosignature line after the tree
 * head, the quorum of cosignatures the final tree head needs, and the
 * signed tree heads given from outside the record (a witness's state or
 * evidence, a cosigned head a server served), each of which the record
 * must extend.  A tree head the authority signed that the record does not
 * extend shows that the log was rewritten after that head was given out,
 * whatever the record says of itself.
 */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "teller/util.h"
#include "teller/witness.h"
#include "verify_internal.h"

/* The largest document of tree heads read with --head. */
#define HEADS_DOC_MAX (16 * 1024 * 1024)

struct witness_walk {
	struct verify *v;
	char origin[TL_CHECKPOINT_ORIGIN_MAX + 1];
	json_t *heads;              /* the report's "heads" */
	struct tl_merkle_mem tree;  /* the entries' tree, built when needed */
	int have_tree;
	const char *source;         /* the document being read */
	size_t found;               /* tree heads in it */
};

/* The root of the record's first `size` entries. */
static int
prefix_root(struct witness_walk *ww, uint64_t size,
    uint8_t root[TL_SHA256_LEN])
{
	struct verify *v = ww->v;
	int r = TL_OK;

	if (!ww->have_tree) {
		for (size_t i = 0; i < v->nentries && r == TL_OK; i++)
			r = tl_merkle_mem_append(&ww->tree, v->lines[i].leaf);
		if (r != TL_OK)
			return r;
		ww->have_tree = 1;
	}
	return tl_merkle_root(&ww->tree.store, size, root);
}

/* One signed tree head from outside the record, with the cosignatures it
 * came with (c->n may be 0): the record must extend it. */
static int
check_outside_head(struct witness_walk *ww, const struct tl_cosigned_head *c)
{
	struct verify *v = ww->v;
	const struct tl_tree_head *h = &c->head;
	char when[TL_TIME_LEN], by[600] = "", hex[TL_HASH_HEX_LEN + 1];
	uint8_t root[TL_SHA256_LEN];
	unsigned valid = 0;
	json_t *names;
	int consistent, r;

	ww->found++;
	tl_time_format(h->time, when);
	if (tl_envelope_verify(c->envelope, v->authority, NULL) != TL_OK ||
	    strcmp(h->election_id, v->first->id) != 0) {
		tl_verify_problem(v, v->head_line, CHECK_WITNESSES, TL_EINPUT,
		    "%s: a tree head of election %s signed at %s is not one of "
		    "this record's authority (key id %s) for election %s", ww->source,
		    h->election_id, when, v->authority_id, v->first->id);
		return TL_OK;
	}
	if ((names = json_array()) == NULL)
		return TL_ENOMEM;
	/* Who vouches for having seen it: the named witnesses whose
	 * cosignature verifies (the others are only listed as not valid). */
	for (size_t i = 0; i < c->n; i++) {
		const struct tl_cosignature *cs = &c->cosignatures[i];
		int ok = tl_cosignatures_verify(cs, 1, &v->first->witnesses,
		    ww->origin, h->size, h->root, &valid, NULL) == TL_OK;
		char at[TL_TIME_LEN];

		tl_time_format((int64_t)cs->timestamp, at);
		json_array_append_new(names, json_pack("{s:s, s:s, s:b}",
		    "witness", cs->witness, "time", at, "valid", ok));
		if (ok && strlen(by) + strlen(cs->witness) + 48 < sizeof(by))
			snprintf(by + strlen(by), sizeof(by) - strlen(by),
			    "%s%s at %s", *by == '\0' ? ", cosigned by " : " and ",
			    cs->witness, at);
	}
	if (h->size > v->nentries) {
		consistent = 0;
		tl_verify_problem(v, v->head_line, CHECK_WITNESSES, TL_EVERIFY,
		    "%s: the authority signed a tree of %" PRIu64 " entries at "
		    "%s%s, but the record has %zu: the log lost entries after "
		    "that tree head was given out", ww->source, h->size, when, by,
		    v->nentries);
	} else if (h->size == 0) {
		consistent = 1;
	} else {
		if ((r = prefix_root(ww, h->size, root)) != TL_OK) {
			json_decref(names);
			return r;
		}
		consistent = memcmp(root, h->root, TL_SHA256_LEN) == 0;
		tl_hex_encode(h->root, TL_SHA256_LEN, hex);
		if (!consistent)
			tl_verify_problem(v, v->head_line, CHECK_WITNESSES,
			    TL_EVERIFY, "%s: the authority signed a tree of %"
			    PRIu64 " entries at %s%s (root %.16s...), but the "
			    "record's first %" PRIu64 " entries are another tree: "
			    "the log was rewritten after that tree head was given "
			    "out", ww->source, h->size, when, by, hex, h->size);
	}
	if (json_array_append_new(ww->heads, json_pack("{s:s, s:I, s:s, s:b, "
	    "s:o}", "source", ww->source, "size", (json_int_t)h->size, "time",
	    when, "consistent", consistent, "cosignatures", names)) != 0)
		return TL_ENOMEM;
	return TL_OK;
}

/* Whether obj is a DSSE envelope of a tree head (by its type). */
static int
is_head_envelope(json_t *obj)
{
	const char *type = json_string_value(json_object_get(obj,
	    "payloadType"));

	return type != NULL && strcmp(type, TL_TYPE_TREE_HEAD) == 0;
}

/* Every tree head in a document: cosigned heads ({"tree_head",
 * "cosignatures"}) and bare tree head envelopes, wherever they are. */
static int
walk_json(struct witness_walk *ww, json_t *value, unsigned depth)
{
	struct tl_cosigned_head *c = NULL;
	struct tl_error err;
	const char *key;
	json_t *item;
	size_t i;
	char *text;
	int r = TL_OK;

	if (depth > 16)
		return TL_OK;
	if (json_is_array(value)) {
		json_array_foreach(value, i, item)
			if ((r = walk_json(ww, item, depth + 1)) != TL_OK)
				return r;
		return TL_OK;
	}
	if (!json_is_object(value))
		return TL_OK;
	if (json_is_object(json_object_get(value, "tree_head")) &&
	    tl_cosigned_head_from_json(value, ww->source, &c, &err) == TL_OK) {
		r = check_outside_head(ww, c);
		tl_cosigned_head_free(c);
		return r;
	}
	if (is_head_envelope(value)) {
		if ((text = json_dumps(value, JSON_COMPACT)) == NULL)
			return TL_ENOMEM;
		if (tl_cosigned_head_new(text, strlen(text), &c, &err) == TL_OK)
			r = check_outside_head(ww, c);
		else
			tl_verify_problem(ww->v, ww->v->head_line, CHECK_WITNESSES,
			    TL_EINPUT, "%s: %s", ww->source, err.message);
		tl_cosigned_head_free(c);
		free(text);
		return r;
	}
	json_object_foreach(value, key, item)
		if ((r = walk_json(ww, item, depth + 1)) != TL_OK)
			return r;
	return TL_OK;
}

static int
check_outside_heads(struct witness_walk *ww)
{
	struct verify *v = ww->v;
	struct tl_error err;
	json_t *doc;
	int r = TL_OK;

	for (size_t i = 0; i < v->opt.nheads && r == TL_OK; i++) {
		const struct tl_record_heads *h = &v->opt.heads[i];

		ww->source = h->name;
		ww->found = 0;
		if (tl_json_load(h->text, h->len, HEADS_DOC_MAX, h->name,
		    TL_EINPUT, &doc, &err) != TL_OK) {
			tl_verify_problem(v, v->head_line, CHECK_WITNESSES,
			    TL_EINPUT, "%s", err.message);
			continue;
		}
		r = walk_json(ww, doc, 0);
		json_decref(doc);
		if (r == TL_OK && ww->found == 0)
			tl_verify_problem(v, v->head_line, CHECK_WITNESSES,
			    TL_EINPUT, "%s holds no signed tree head to check the "
			    "record against", h->name);
	}
	return r;
}

/* The cosignature line: its form, its tree (the record's tree head's), and
 * each cosignature.  *valid gets the number that verify. */
static void
check_line(struct verify *v, const char *origin, json_t *list,
    unsigned *valid)
{
	const struct line *line = &v->lines[v->cosignature_line - 1];
	struct tl_cosignature_line l;
	struct tl_error err;
	char when[TL_TIME_LEN];
	unsigned one;

	*valid = 0;
	if (tl_cosignature_line_parse(line->data, line->len, &l, &err) !=
	    TL_OK) {
		tl_verify_problem(v, v->cosignature_line, CHECK_WITNESSES,
		    err.code, "%s", err.message);
		return;
	}
	if (!v->have_head)
		return;  /* the tree head's own problem says enough */
	if (strcmp(l.election, v->first->id) != 0 || l.size != v->head.size ||
	    memcmp(l.root, v->head.root, TL_SHA256_LEN) != 0) {
		tl_verify_problem(v, v->cosignature_line, CHECK_WITNESSES,
		    TL_EVERIFY, "the cosignature line is of election %s's tree "
		    "of %" PRIu64 " entries, not of the tree head on line %zu",
		    l.election, l.size, v->head_line);
		return;
	}
	for (size_t i = 0; i < l.n; i++) {
		const struct tl_cosignature *cs = &l.cosignatures[i];
		int ok = tl_cosignatures_verify(cs, 1, &v->first->witnesses,
		    origin, l.size, l.root, &one, &err) == TL_OK;

		tl_time_format((int64_t)cs->timestamp, when);
		json_array_append_new(list, json_pack("{s:s, s:s, s:b}",
		    "witness", cs->witness, "time", when, "valid", ok));
		if (ok)
			(*valid)++;
		else
			tl_verify_problem(v, v->cosignature_line, CHECK_WITNESSES,
			    err.code, "cosignatures[%zu]: %s", i, err.message);
	}
}

int
tl_verify_witnesses(struct verify *v)
{
	const struct tl_witness_list *list;
	struct witness_walk ww;
	unsigned required, valid = 0;
	json_t *cosignatures;
	int r;

	if (v->first == NULL || v->authority == NULL)
		return TL_OK;
	list = &v->first->witnesses;
	required = v->opt.witness_quorum_set ? v->opt.witness_quorum :
	    list->quorum;
	memset(&ww, 0, sizeof(ww));
	ww.v = v;
	tl_merkle_mem_init(&ww.tree);
	tl_witness_origin(v->authority, v->first->id, ww.origin);
	cosignatures = json_array();
	ww.heads = json_array();
	if (cosignatures == NULL || ww.heads == NULL) {
		r = TL_ENOMEM;
		goto out;
	}
	if (v->cosignature_line != 0)
		check_line(v, ww.origin, cosignatures, &valid);
	if (valid < required)
		tl_verify_problem(v, v->head_line, CHECK_WITNESSES, TL_EVERIFY,
		    "the final tree head (%zu entries) is cosigned by %u of the "
		    "%zu witnesses the manifest names, and %u %s required (%s)%s",
		    v->nentries, valid, list->n, required, required == 1 ? "is" :
		    "are", v->opt.witness_quorum_set ? "--witness-quorum" :
		    "the manifest's witness_quorum", list->n < required ?
		    ": no record of this election can meet that" :
		    ": wait until the witnesses have cosigned it, then export "
		    "the record again");
	if ((r = check_outside_heads(&ww)) != TL_OK)
		goto out;
	v->witnesses = json_pack("{s:I, s:I, s:I, s:o, s:I, s:o}",
	    "named", (json_int_t)list->n, "quorum", (json_int_t)list->quorum,
	    "required", (json_int_t)required, "cosignatures", cosignatures,
	    "cosigned", (json_int_t)valid, "heads", ww.heads);
	cosignatures = ww.heads = NULL;
	r = v->witnesses != NULL ? TL_OK : TL_ENOMEM;
 out:
	json_decref(cosignatures);
	json_decref(ww.heads);
	tl_merkle_mem_free(&ww.tree);
	return r;
}

void
tl_verify_witness_check(struct verify *v, json_t *checks)
{
	json_t *w = v->witnesses;
	json_int_t named, cosigned, required, heads;

	if (w == NULL) {
		tl_verify_set_check(checks, v, CHECK_WITNESSES, "not checked");
		return;
	}
	named = json_integer_value(json_object_get(w, "named"));
	cosigned = json_integer_value(json_object_get(w, "cosigned"));
	required = json_integer_value(json_object_get(w, "required"));
	heads = (json_int_t)json_array_size(json_object_get(w, "heads"));
	if (named == 0 && v->cosignature_line == 0 && heads == 0)
		tl_verify_set_check(checks, v, CHECK_WITNESSES, "the manifest "
		    "names no witnesses%s", required > 0 ? "" : "; nothing to "
		    "check");
	else
		tl_verify_set_check(checks, v, CHECK_WITNESSES, "the final tree "
		    "head is cosigned by %" JSON_INTEGER_FORMAT " of the %"
		    JSON_INTEGER_FORMAT " witnesses the manifest names (%"
		    JSON_INTEGER_FORMAT " required); %" JSON_INTEGER_FORMAT
		    " tree head%s from outside the record checked against it",
		    cosigned, named, required, heads, heads == 1 ? "" : "s");
}
