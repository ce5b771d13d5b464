/*
 * record_unseal.c: the verifier's part for a sealed election (check 16,
 * "unseal"; doc/record-format.md 5.16): the trustees' unseal statements
 * after the close, a result only once k trustees have unsealed, the
 * ballots opened offline with the opening trustees' keys before the
 * recount, and with all n keys published, whether every ballot's shares
 * agree.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "verify_internal.h"
#include "teller/crypto.h"
#include "teller/hpke.h"
#include "teller/unseal.h"

struct unseal_walk {
	struct tl_hpke_key *keys[TL_MAX_TRUSTEES];  /* accepted statements' */
	size_t line[TL_MAX_TRUSTEES];              /* their lines */
	unsigned accepted;
	int opened;                 /* the recount opened the ballots */
	size_t spoiled;
	int agreement_checked;
	json_t *disagree;           /* [{"ballot_key", "trustees"}] */
};

static struct unseal_walk *
walk_state(struct walk *w)
{
	if (w->unseal == NULL && (w->unseal = calloc(1,
	    sizeof(*w->unseal))) == NULL)
		w->out_of_memory = 1;
	return w->unseal;
}

void
tl_verify_unseal_entry(struct verify *v, struct walk *w, struct line *l,
    size_t lineno)
{
	struct unseal_walk *u;
	struct tl_unseal stmt;
	struct tl_error err;
	char close[TL_HASH_HEX_LEN + 1];
	size_t t = 0;
	int r;

	if (!tl_manifest_sealed(v->manifest)) {
		tl_verify_problem(v, lineno, CHECK_UNSEAL, TL_EVERIFY, "an unseal "
		    "statement in an election whose ballots are not sealed");
		return;
	}
	if (w->close_line == 0 || w->stage != STAGE_CLOSED) {
		tl_verify_problem(v, lineno, CHECK_ORDER, TL_EVERIFY, "an unseal "
		    "statement %s", w->close_line == 0 ? "before the close "
		    "statement" : "after the result");
		return;
	}
	if (!w->close_ok || (u = walk_state(w)) == NULL)
		return;
	tl_sha256_hex(v->lines[w->close_line - 1].data,
	    v->lines[w->close_line - 1].len, close);
	tl_error_clear(&err);
	memset(&stmt, 0, sizeof(stmt));
	if ((r = tl_unseal_check(v->manifest, v->hash, close, w->close.time,
	    l->data, l->len, &stmt, &t, &err)) != TL_OK) {
		tl_verify_problem(v, lineno, CHECK_UNSEAL, r, "%s", err.message);
		goto out;
	}
	if (u->keys[t] != NULL) {
		tl_verify_problem(v, lineno, CHECK_UNSEAL, TL_ECONFLICT, "a "
		    "second unseal statement of trustee %s (the first is on line "
		    "%zu)", v->manifest->trustees[t].id, u->line[t]);
		goto out;
	}
	if (tl_hpke_key_from_private(stmt.private_key, &u->keys[t]) != TL_OK) {
		tl_verify_problem(v, lineno, CHECK_UNSEAL, TL_ECRYPTO, "the key "
		    "of trustee %s does not load", v->manifest->trustees[t].id);
		goto out;
	}
	u->line[t] = lineno;
	u->accepted++;
 out:
	tl_wipe(&stmt, sizeof(stmt));
}

void
tl_verify_unseal_result(struct verify *v, struct walk *w, size_t lineno)
{
	unsigned have = w->unseal != NULL ? w->unseal->accepted : 0;

	if (v->manifest == NULL || !tl_manifest_sealed(v->manifest) ||
	    have >= v->manifest->threshold)
		return;
	tl_verify_problem(v, lineno, CHECK_UNSEAL, TL_EVERIFY, "a result "
	    "before %u trustees unsealed the ballots (%u did)",
	    v->manifest->threshold, have);
}

/* With all n keys: each counted ballot's n shares against the opening
 * trustees' (tl_sealed_shares_agree). */
static int
check_agreement(struct verify *v, struct unseal_walk *u,
    struct tl_ballot *const *ballots, size_t n)
{
	const struct tl_manifest *m = v->manifest;

	if ((u->disagree = json_array()) == NULL)
		return TL_ENOMEM;
	u->agreement_checked = 1;
	for (size_t b = 0; b < n; b++) {
		struct tl_seal_binding bind;
		uint32_t bad = 0;
		char key[TL_PUBLIC_B64_LEN + 1];
		json_t *who;

		if (ballots[b]->sealed == NULL)
			continue;
		/* n = k: the opening used every share, and interpolating k
		 * shares at one of their own indices gives that share, so
		 * they agree exactly when all of them opened, which the
		 * opening found out (tl_sealed_shares_agree: all n named
		 * when fewer than k open). */
		if (m->ntrustees == m->threshold) {
			if (!ballots[b]->share_unopened)
				continue;
			bad = (uint32_t)((UINT64_C(1) << m->ntrustees) - 1);
		} else if (tl_ballot_binding(ballots[b], &bind) != TL_OK ||
		    tl_sealed_shares_agree(ballots[b]->sealed,
		    (const struct tl_hpke_key *const *)u->keys,
		    (unsigned)m->ntrustees, m->threshold, &bind, &bad) !=
		    TL_OK || bad == 0)
			continue;
		if ((who = json_array()) == NULL)
			return TL_ENOMEM;
		for (size_t i = 0; i < m->ntrustees; i++)
			if (bad & (UINT32_C(1) << i))
				json_array_append_new(who,
				    json_string(m->trustees[i].id));
		tl_base64_encode_to(ballots[b]->credential->ballot_key,
		    TL_ED25519_PUBLIC_LEN, key);
		if (json_array_append_new(u->disagree, json_pack("{s:s, s:o}",
		    "ballot_key", key, "trustees", who)) != 0)
			return TL_ENOMEM;
	}
	return TL_OK;
}

int
tl_verify_unseal_open(struct verify *v, struct walk *w,
    struct tl_ballot *const *ballots, size_t n)
{
	struct unseal_walk *u;
	struct tl_error err;
	int r;

	if (!tl_manifest_sealed(v->manifest))
		return 1;
	if ((u = walk_state(w)) == NULL)
		return 0;
	tl_error_clear(&err);
	if ((r = tl_unseal_open_ballots(v->manifest, ballots, n,
	    (const struct tl_hpke_key *const *)u->keys, &err)) != TL_OK) {
		if (r == TL_ENOMEM)
			w->out_of_memory = 1;
		else if (r != TL_ESTATE)
			tl_verify_problem(v, w->close_line, CHECK_UNSEAL, r,
			    "cannot open the ballots: %s", err.message);
		return 0;
	}
	u->opened = 1;
	for (size_t b = 0; b < n; b++)
		u->spoiled += ballots[b]->spoiled != NULL;
	if (u->accepted == v->manifest->ntrustees &&
	    check_agreement(v, u, ballots, n) != TL_OK)
		w->out_of_memory = 1;
	return 1;
}

void
tl_verify_unseal_checks(struct verify *v, const struct walk *w,
    json_t *checks)
{
	const struct unseal_walk *u = w->unseal;
	const struct tl_manifest *m = v->manifest;

	if (m == NULL || !tl_manifest_sealed(m)) {
		tl_verify_set_check(checks, v, CHECK_UNSEAL, "its ballots are "
		    "not sealed (the election names no trustees)");
		return;
	}
	tl_verify_set_check(checks, v, CHECK_UNSEAL, "sealed for %zu trustees, "
	    "threshold %u: %u unseal statements accepted; %s", m->ntrustees,
	    m->threshold, u != NULL ? u->accepted : 0, u != NULL && u->opened ?
	    "the ballots opened with the keys of the first trustees in the "
	    "manifest's order" : "the ballots cannot be opened yet");
}

int
tl_verify_unseal_report(const struct verify *v, const struct walk *w,
    json_t *report)
{
	const struct unseal_walk *u = w->unseal;
	const struct tl_manifest *m = v->manifest;
	json_t *doc, *unsealed, *opening;
	unsigned k = 0;

	if (m == NULL || !tl_manifest_sealed(m))
		return TL_OK;
	unsealed = json_array();
	opening = json_array();
	doc = json_pack("{s:I, s:I, s:o, s:o, s:b, s:I}", "trustees",
	    (json_int_t)m->ntrustees, "threshold", (json_int_t)m->threshold,
	    "unsealed", unsealed, "opening", opening, "opened",
	    u != NULL && u->opened, "spoiled",
	    (json_int_t)(u != NULL ? u->spoiled : 0));
	if (doc == NULL || json_object_set_new(report, "unseal", doc) != 0)
		return TL_ENOMEM;
	for (size_t i = 0; u != NULL && i < m->ntrustees; i++) {
		if (u->keys[i] == NULL)
			continue;
		json_array_append_new(unsealed, json_string(m->trustees[i].id));
		if (k++ < m->threshold && u->opened)
			json_array_append_new(opening,
			    json_string(m->trustees[i].id));
	}
	if (u != NULL && u->agreement_checked && json_object_set(doc,
	    "shares_disagree", u->disagree) != 0)
		return TL_ENOMEM;
	return TL_OK;
}

void
tl_verify_unseal_free(struct walk *w)
{
	if (w->unseal == NULL)
		return;
	for (size_t i = 0; i < TL_MAX_TRUSTEES; i++)
		tl_hpke_key_free(w->unseal->keys[i]);
	json_decref(w->unseal->disagree);
	free(w->unseal);
	w->unseal = NULL;
}
