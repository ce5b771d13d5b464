/*
 * record_verify.c: offline verification of a public record, in the order
 * doc/record-format.md gives: the form of every line, the manifest, the
 * roll, the final tree head, every ballot (checked on every core), then in
 * log order the revote policy, the order of the log and the close
 * statement, the Merkle root, and a recount compared byte for byte with the
 * signed result.  Every problem is collected with its line; the verdict is
 * "valid" only when there is none.
 */
#include <config.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonutil.h"
#include "record_internal.h"
#include "verify_internal.h"
#include "teller/ballot.h"
#include "teller/log.h"
#include "teller/record.h"
#include "teller/result.h"
#include "teller/rfc3797.h"
#include "teller/roll.h"
#include "teller/statement.h"
#include "teller/turnout.h"
#include "teller/util.h"
#include "teller/witness.h"

#define WORK_CHUNK 64

/* A worker's problem on a line: the first one wins. */
static void
line_problem(struct verify *v, struct line *l, enum check check,
    const struct tl_error *err)
{
	if (l->message != NULL)
		return;
	l->check = check;
	l->code = err->code;
	if ((l->message = strdup(err->message)) == NULL)
		atomic_store(&v->out_of_memory, 1);
}

static enum entry_type
type_of(const struct tl_envelope *env)
{
	static const struct {
		const char *name;
		enum entry_type type;
	} types[] = {
		{TL_TYPE_MANIFEST, TYPE_MANIFEST},
		{TL_TYPE_ROLL, TYPE_ROLL},
		{TL_TYPE_BALLOT, TYPE_BALLOT},
		{TL_TYPE_CLOSE, TYPE_CLOSE},
		{TL_TYPE_RESULT, TYPE_RESULT},
		{TL_TYPE_TREE_HEAD, TYPE_TREE_HEAD},
		{TL_TYPE_RECEIPT, TYPE_RECEIPT},
		{TL_TYPE_CANDIDATE, TYPE_CANDIDATE},
		{TL_TYPE_PETITION, TYPE_PETITION},
		{TL_TYPE_ENDORSEMENT, TYPE_ENDORSEMENT},
		{TL_TYPE_AMENDMENT, TYPE_AMENDMENT},
		{TL_TYPE_CERTIFICATION, TYPE_CERTIFICATION},
		{TL_TYPE_CHALLENGE, TYPE_CHALLENGE},
		{TL_TYPE_DECISION, TYPE_DECISION},
		{TL_TYPE_FINAL, TYPE_FINAL},
		{TL_TYPE_CREDENTIAL_KEYS, TYPE_CREDENTIAL_KEYS},
		{TL_TYPE_CREDENTIAL_REQUEST, TYPE_CREDENTIAL_REQUEST},
		{TL_TYPE_CREDENTIAL, TYPE_CREDENTIAL},
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(env->payload_type, types[i].name) == 0)
			return types[i].type;
	return TYPE_UNKNOWN;
}

/* --- line 1, line 2 and the last line ----------------------------------- */

/* Reads line `lineno` as the envelope of `type` that must be there; adds
 * the problem if it is not. */
static int
read_expected(struct verify *v, size_t lineno, size_t max,
    enum entry_type type, enum check check, const char *what,
    struct tl_envelope **out)
{
	struct line *l = &v->lines[lineno - 1];
	struct tl_envelope *env = NULL;
	struct tl_error err;
	int r;

	tl_error_clear(&err);
	if ((r = tl_record_read_envelope(l->data, l->len, max, &env, &err)) !=
	    TL_OK) {
		tl_verify_problem(v, lineno, CHECK_FORMAT, r, "%s", err.message);
		return r;
	}
	if ((l->type = type_of(env)) != type) {
		tl_verify_problem(v, lineno, check, TL_EVERIFY, "line %zu must be %s, "
		    "not a %s", lineno, what, tl_verify_type_name(l->type));
		tl_envelope_free(env);
		return TL_EVERIFY;
	}
	*out = env;
	return TL_OK;
}

static int
check_manifest(struct verify *v)
{
	struct tl_envelope *env = NULL;
	struct tl_error err;
	int r;

	tl_error_clear(&err);
	if ((r = read_expected(v, 1, TL_ENVELOPE_MAX_DEFAULT, TYPE_MANIFEST,
	    CHECK_MANIFEST, "the signed manifest", &env)) != TL_OK)
		return r;
	if ((r = tl_manifest_parse((const char *)env->payload, env->payload_len,
	    &v->first, &err)) != TL_OK) {
		tl_verify_problem(v, 1, CHECK_MANIFEST, r, "%s", err.message);
		goto out;
	}
	v->manifest = v->first;
	if (v->manifest->authority_key == NULL) {
		r = TL_EMANIFEST;
		tl_verify_problem(v, 1, CHECK_MANIFEST, r, "the manifest names no "
		    "authority_key");
		goto out;
	}
	tl_sha256_hex(env->payload, env->payload_len, v->first_hash);
	memcpy(v->hash, v->first_hash, sizeof(v->hash));
	if (v->first->initial_manifest != NULL) {
		r = TL_EMANIFEST;
		tl_verify_problem(v, 1, CHECK_MANIFEST, r, "line 1 is a voting "
		    "definition (it names an initial_manifest); the initial "
		    "manifest must be line 1");
		goto out;
	}
	if ((r = tl_key_from_public_base64(v->manifest->authority_key,
	    &v->authority, &err)) != TL_OK) {
		tl_verify_problem(v, 1, CHECK_MANIFEST, r, "authority_key: %s",
		    err.message);
		goto out;
	}
	tl_key_id(v->authority, v->authority_id);
	r = tl_verify_authority_signature(v, 1, env, "the manifest");
 out:
	tl_envelope_free(env);
	return r;
}

static int
check_roll(struct verify *v)
{
	struct tl_envelope *env = NULL;
	struct tl_error err;
	char *election = NULL, hash[TL_HASH_HEX_LEN + 1];
	int r;

	tl_error_clear(&err);
	if ((r = read_expected(v, 2, TL_ENVELOPE_MAX_ROLL, TYPE_ROLL,
	    CHECK_ROLL, "the signed voter roll", &env)) != TL_OK)
		return r;
	if ((r = tl_verify_authority_signature(v, 2, env, "the roll")) != TL_OK)
		goto out;
	if ((r = tl_roll_parse_json((const char *)env->payload,
	    env->payload_len, v->first, &election, hash, &v->roll, &err)) !=
	    TL_OK) {
		tl_verify_problem(v, 2, CHECK_ROLL, r, "%s", err.message);
		goto out;
	}
	if (strcmp(election, v->first->id) != 0 ||
	    strcmp(hash, v->first_hash) != 0) {
		r = TL_EWRONGELECTION;
		tl_verify_problem(v, 2, CHECK_ROLL, r, "the roll is of election %.64s "
		    "with manifest %.16s..., not of this record's election %s "
		    "with manifest %.16s...", election, hash, v->first->id,
		    v->first_hash);
		tl_roll_free(v->roll);
		v->roll = NULL;
		goto out;
	}
	tl_roll_sort(v->roll);
 out:
	free(election);
	tl_envelope_free(env);
	return r;
}

/* Line 2 and its leaf: what the main thread does while the others read
 * the rest. */
static int
read_roll(struct verify *v)
{
	int r = check_roll(v);

	tl_merkle_leaf_hash(v->lines[1].data, v->lines[1].len, v->lines[1].leaf);
	return r == TL_ENOMEM ? r : TL_OK;
}

static void
check_head(struct verify *v)
{
	size_t lineno = v->head_line;
	struct tl_envelope *env = NULL;
	struct tl_error err;
	int r;

	tl_error_clear(&err);
	if (read_expected(v, lineno, TL_ENVELOPE_MAX_DEFAULT, TYPE_TREE_HEAD,
	    CHECK_TREE, "the signed tree head (the last line)", &env) != TL_OK)
		return;
	if (tl_verify_authority_signature(v, lineno, env, "the tree head") !=
	    TL_OK)
		goto out;
	if ((r = tl_tree_head_parse((const char *)env->payload,
	    env->payload_len, &v->head, &err)) != TL_OK) {
		tl_verify_problem(v, lineno, CHECK_TREE, r, "%s", err.message);
		goto out;
	}
	if (strcmp(v->head.election_id, v->manifest->id) != 0) {
		tl_verify_problem(v, lineno, CHECK_TREE, TL_EWRONGELECTION,
		    "the tree head is of election %s, not %s",
		    v->head.election_id, v->manifest->id);
		goto out;
	}
	v->have_head = 1;
 out:
	tl_envelope_free(env);
}

/* --- the workers: every other line, ballots above all ------------------- */

/*
 * Phase one, for every line but the first two and the last: its leaf
 * hash, its envelope and type, and for a ballot its content against the
 * manifest (none of which needs the roll, read meanwhile).
 */
static void
read_line(struct verify *v, struct line *l)
{
	struct tl_envelope *env = NULL;
	struct tl_error err;
	int r;

	tl_merkle_leaf_hash(l->data, l->len, l->leaf);
	tl_error_clear(&err);
	if (l->len == 0) {
		tl_error_set(&err, TL_EINPUT, "the line is empty");
		line_problem(v, l, CHECK_FORMAT, &err);
		return;
	}
	if (tl_record_read_envelope(l->data, l->len, TL_ENVELOPE_MAX_DEFAULT,
	    &env, &err) != TL_OK) {
		if (err.code == TL_ENOMEM)
			atomic_store(&v->out_of_memory, 1);
		line_problem(v, l, CHECK_FORMAT, &err);
		return;
	}
	l->type = type_of(env);
	/* A secret election's ballots, requests and issuances. */
	if (v->secret && (l->type == TYPE_BALLOT ||
	    l->type == TYPE_CREDENTIAL_REQUEST || l->type == TYPE_CREDENTIAL)) {
		if (l->type == TYPE_BALLOT && l->len > TL_ENVELOPE_MAX_BALLOT) {
			tl_error_set(&err, TL_ETOOBIG, "a ballot of %zu bytes is "
			    "over the limit of %d", l->len,
			    TL_ENVELOPE_MAX_BALLOT);
			line_problem(v, l, CHECK_BALLOTS, &err);
			goto out;
		}
		tl_verify_secret_read(v, l, env);
		return;
	}
	if (l->type == TYPE_BALLOT) {
		if (l->len > TL_ENVELOPE_MAX_BALLOT) {
			tl_error_set(&err, TL_ETOOBIG, "a ballot of %zu bytes is "
			    "over the limit of %d", l->len,
			    TL_ENVELOPE_MAX_BALLOT);
			line_problem(v, l, CHECK_BALLOTS, &err);
			goto out;
		}
		if ((r = tl_ballot_parse((const char *)env->payload,
		    env->payload_len, v->manifest, v->hash, &l->ballot,
		    &err)) != TL_OK) {
			if (r == TL_ENOMEM)
				atomic_store(&v->out_of_memory, 1);
			line_problem(v, l, CHECK_BALLOTS, &err);
			goto out;
		}
	}
	/* The voters' other statements have limits of their own. */
	if ((l->type == TYPE_ENDORSEMENT &&
	    l->len > TL_ENVELOPE_MAX_ENDORSEMENT) ||
	    (l->type == TYPE_CHALLENGE && l->len > TL_ENVELOPE_MAX_CHALLENGE)) {
		tl_error_set(&err, TL_ETOOBIG, "a %s of %zu bytes is over the "
		    "limit of %d", tl_verify_type_name(l->type), l->len,
		    l->type == TYPE_ENDORSEMENT ? TL_ENVELOPE_MAX_ENDORSEMENT :
		    TL_ENVELOPE_MAX_CHALLENGE);
		line_problem(v, l, l->type == TYPE_ENDORSEMENT ?
		    CHECK_NOMINATIONS : CHECK_CERTIFICATION, &err);
		goto out;
	}
	if (l->type != TYPE_ROLL && l->type != TYPE_TREE_HEAD &&
	    l->type != TYPE_RECEIPT && l->type != TYPE_UNKNOWN) {
		l->env = env;
		env = NULL;
	}
 out:
	tl_envelope_free(env);
}

/* Phase two, for each ballot that parsed: its voter on the roll, the
 * signature by the voter's key, the voter's constituency. */
static void
check_ballot(struct verify *v, struct line *l)
{
	const struct tl_voter *voter;
	struct tl_error err;

	if (l->type == TYPE_CREDENTIAL_REQUEST || l->type == TYPE_CREDENTIAL) {
		tl_verify_secret_check(v, l);
		return;
	}
	/* A secret ballot was checked whole in phase one. */
	if (l->type != TYPE_BALLOT || l->ballot == NULL || v->secret)
		return;
	tl_error_clear(&err);
	if ((voter = tl_roll_find(v->roll, l->ballot->voter_id)) == NULL) {
		tl_error_set(&err, TL_ENOTONROLL, "voter %s is not on the roll",
		    l->ballot->voter_id);
		line_problem(v, l, CHECK_BALLOTS, &err);
		goto drop;
	}
	l->voter = (size_t)(voter - v->roll->voters);
	atomic_fetch_add(&v->voter_signatures, 1);
	if (tl_verify_voter_signed(v, l->voter, l->env, &err) != TL_OK) {
		tl_error_prefix(&err, "ballot of voter %s is not signed by the "
		    "key the roll gives them (key id %.16s...)", voter->id,
		    voter->key_id);
		err.code = TL_ESIGNATURE;
		line_problem(v, l, CHECK_SIGNATURES, &err);
		goto drop;
	}
	atomic_fetch_add(&v->voter_signatures_valid, 1);
	if (tl_ballot_check_constituency(l->ballot, v->manifest,
	    voter->constituency_index, &err) != TL_OK) {
		line_problem(v, l, CHECK_BALLOTS, &err);
		goto drop;
	}
	tl_envelope_free(l->env);
	l->env = NULL;
	return;
 drop:
	tl_ballot_free(l->ballot);
	l->ballot = NULL;
	tl_envelope_free(l->env);
	l->env = NULL;
}

static void
report_progress(struct verify *v)
{
	size_t done;

	if (v->opt.progress == NULL)
		return;
	pthread_mutex_lock(&v->progress_lock);
	done = atomic_load(&v->done);
	if (done > v->progress_reported) {
		v->progress_reported = done;
		v->opt.progress(v->opt.progress_ctx, done, v->progress_total);
	}
	pthread_mutex_unlock(&v->progress_lock);
}

static void *
worker(void *arg)
{
	struct verify *v = arg;
	size_t total = v->progress_total;

	for (;;) {
		size_t start = atomic_fetch_add(&v->next, WORK_CHUNK), end;

		if (start >= total)
			break;
		end = start + WORK_CHUNK < total ? start + WORK_CHUNK : total;
		for (size_t i = start; i < end; i++)
			v->phase(v, &v->lines[v->first_work + i]);
		atomic_fetch_add(&v->done, end - start);
		if (v->report_progress)
			report_progress(v);
	}
	return NULL;
}

static unsigned
thread_count(const struct verify *v)
{
	long cores;

	if (v->opt.threads != 0)
		return v->opt.threads;
	cores = sysconf(_SC_NPROCESSORS_ONLN);
	return cores > 0 && cores < 1024 ? (unsigned)cores : 1;
}

/*
 * Runs a phase over lines [first_work, nentries) on every core.  The
 * calling thread first runs meanwhile (if not NULL), then works on the
 * lines with the others.
 */
static void
run_phase(struct verify *v, void (*phase)(struct verify *, struct line *),
    int progress, int (*meanwhile)(struct verify *), int *meanwhile_result)
{
	unsigned n = thread_count(v);
	pthread_t *threads = calloc(n, sizeof(*threads));
	unsigned started = 0;

	v->phase = phase;
	v->report_progress = progress;
	atomic_store(&v->next, 0);
	atomic_store(&v->done, 0);
	v->progress_reported = 0;
	v->progress_total = v->nentries > v->first_work ?
	    v->nentries - v->first_work : 0;
	for (unsigned i = 1; threads != NULL && i < n; i++) {
		if (pthread_create(&threads[started], NULL, worker, v) != 0)
			break; /* fewer threads: slower, not wrong */
		started++;
	}
	if (meanwhile != NULL)
		*meanwhile_result = meanwhile(v);
	worker(v);
	for (unsigned i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
}

/* --- in log order: revote policy, order, close, result ------------------ */

static void
close_free(struct close_statement *c)
{
	for (size_t i = 0; i < c->nrandom; i++)
		free(c->random[i]);
	free(c->random);
	free(c->reason);
	memset(c, 0, sizeof(*c));
}

/*
 * The close statement's payload:
 *   {"election": ID, "manifest": HASH, "time": TIME, "ballots": N,
 *    "random": [{"source": NAME, "value": TEXT}, ...], "reason": TEXT}
 * with one random value per random source of the manifest, in its order,
 * and "reason" (a statement text) only on an early close (check 13).
 */
static int
parse_close(struct verify *v, const struct tl_envelope *env,
    struct close_statement *out, struct tl_error *err)
{
	static const char *const keys[] = {"election", "manifest", "time",
	    "ballots", "random", "reason", NULL};
	static const char *const value_keys[] = {"source", "value", NULL};
	const struct tl_manifest *m = v->manifest;
	struct close_statement c;
	const char *election, *hash, *when, *reason = NULL;
	json_t *doc = NULL, *random;
	char *key = NULL;
	int r;

	memset(&c, 0, sizeof(c));
	if ((r = tl_json_load((const char *)env->payload, env->payload_len,
	    TL_ENVELOPE_MAX_DEFAULT, "close statement", TL_EINPUT, &doc, err)) !=
	    TL_OK)
		return r;
	if (!json_is_object(doc)) {
		r = tl_error_set(err, TL_EINPUT, "close statement: not an object");
		goto out;
	}
	if ((r = tl_json_only_keys(doc, keys, "close", TL_EINPUT, err)) !=
	    TL_OK ||
	    (r = tl_json_string(doc, "election", 1, "close", TL_EINPUT,
	    &election, err)) != TL_OK ||
	    (r = tl_json_string(doc, "manifest", 1, "close", TL_EINPUT, &hash,
	    err)) != TL_OK ||
	    (r = tl_json_string(doc, "time", 1, "close", TL_EINPUT, &when,
	    err)) != TL_OK ||
	    (r = tl_json_int(doc, "ballots", 1, 0, INT64_MAX, "close",
	    TL_EINPUT, &c.ballots, err)) != TL_OK ||
	    (r = tl_json_array(doc, "random", 1, "close", TL_EINPUT, &random,
	    err)) != TL_OK ||
	    (r = tl_json_string(doc, "reason", 0, "close", TL_EINPUT, &reason,
	    err)) != TL_OK)
		goto out;
	if (reason != NULL && !tl_statement_text_valid(reason)) {
		r = tl_error_set(err, TL_EINPUT, "close.reason: must be 1 to %d "
		    "bytes with no control character but tab and line ends",
		    TL_STATEMENT_TEXT_MAX);
		goto out;
	}
	if (strcmp(election, m->id) != 0 || strcmp(hash, v->hash) != 0) {
		r = tl_error_set(err, TL_EWRONGELECTION, "the close statement is "
		    "of election %.64s with manifest %.16s..., not of this "
		    "record's", election, hash);
		goto out;
	}
	if (tl_time_parse(when, &c.time) != TL_OK) {
		r = tl_error_set(err, TL_EINPUT, "close.time: not a UTC time");
		goto out;
	}
	if (json_array_size(random) != m->nrandom_sources) {
		r = tl_error_set(err, TL_EINPUT, "close.random: %zu values, but "
		    "the manifest declares %zu random sources",
		    json_array_size(random), m->nrandom_sources);
		goto out;
	}
	if ((c.random = calloc(m->nrandom_sources + 1, sizeof(char *))) ==
	    NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < m->nrandom_sources; i++) {
		json_t *item = json_array_get(random, i);
		const char *source, *value;
		char where[48];

		snprintf(where, sizeof(where), "close.random[%zu]", i);
		if (!json_is_object(item)) {
			r = tl_error_set(err, TL_EINPUT, "%s: not an object", where);
			goto out;
		}
		if ((r = tl_json_only_keys(item, value_keys, where, TL_EINPUT,
		    err)) != TL_OK ||
		    (r = tl_json_string(item, "source", 1, where, TL_EINPUT,
		    &source, err)) != TL_OK ||
		    (r = tl_json_string(item, "value", 1, where, TL_EINPUT,
		    &value, err)) != TL_OK)
			goto out;
		if (strcmp(source, m->random_sources[i].name) != 0) {
			r = tl_error_set(err, TL_EINPUT, "%s.source: \"%.64s\", but "
			    "the manifest's random source %zu is \"%s\"", where,
			    source, i + 1, m->random_sources[i].name);
			goto out;
		}
		if (*value == '\0' || strlen(value) > 1000) {
			r = tl_error_set(err, TL_EINPUT, "%s.value: must be 1 to "
			    "1000 bytes", where);
			goto out;
		}
		if ((c.random[i] = strdup(value)) == NULL) {
			r = tl_error_set(err, TL_ENOMEM, "out of memory");
			goto out;
		}
		c.nrandom = i + 1;
	}
	if (reason != NULL && (c.reason = strdup(reason)) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	/* RFC 3797 sources: values that make a key string (8.3). */
	if (m->random_form == TL_RANDOM_RFC3797 && c.nrandom > 0 &&
	    (r = tl_rfc3797_key((const char *const *)c.random, c.nrandom, &key,
	    err)) != TL_OK) {
		tl_error_prefix(err, "close.random (of the form rfc3797)");
		goto out;
	}
	*out = c;
	memset(&c, 0, sizeof(c));
 out:
	close_free(&c);
	json_decref(doc);
	free(key);
	return r;
}

static void
walk_ballot(struct verify *v, struct walk *w, struct line *l, size_t lineno)
{
	size_t vi = l->voter;
	const char *policy = v->manifest->revote == TL_REVOTE_FIRST ? "first" :
	    "last";

	w->in_record++;
	if (w->stage == STAGE_PUBLISHED) {
		tl_verify_problem(v, lineno, CHECK_ORDER, TL_EVERIFY, "a ballot "
		    "before the voting definition: the vote has not opened");
		goto drop;
	}
	if (w->stage != STAGE_OPEN) {
		tl_verify_problem(v, lineno, CHECK_ORDER, TL_EVERIFY, "a ballot "
		    "after the close statement on line %zu", w->close_line);
		goto drop;
	}
	if (l->ballot == NULL)
		return;
	if (v->secret) {
		tl_verify_secret_ballot(v, w, l, lineno);
		return;
	}
	if (w->voter_ballots[vi] != 0) {
		if (v->manifest->revote == TL_REVOTE_FIRST) {
			tl_verify_problem(v, lineno, CHECK_REVOTE, TL_EDUPLICATE,
			    "voter %s already voted on line %zu, and the revote "
			    "policy is \"%s\": no later ballot may be accepted",
			    l->ballot->voter_id, w->voter_line[vi], policy);
			goto drop;
		}
		if (l->ballot->seq <= w->voter_seq[vi]) {
			tl_verify_problem(v, lineno, CHECK_REVOTE, TL_ESTALE,
			    "voter %s's ballot has seq %lld, not above the seq "
			    "%lld of their ballot on line %zu (revote policy "
			    "\"%s\")", l->ballot->voter_id,
			    (long long)l->ballot->seq,
			    (long long)w->voter_seq[vi], w->voter_line[vi],
			    policy);
			goto drop;
		}
	} else
		w->counted++;
	w->voter_ballots[vi]++;
	w->voter_seq[vi] = l->ballot->seq;
	w->voter_line[vi] = lineno;
	w->valid++;
	return;
 drop:
	tl_ballot_free(l->ballot);
	l->ballot = NULL;
}

static void
walk_close(struct verify *v, struct walk *w, struct line *l, size_t lineno)
{
	struct tl_error err;

	if (w->stage == STAGE_PUBLISHED) {
		tl_verify_problem(v, lineno, CHECK_ORDER, TL_EVERIFY, "a close "
		    "statement before the voting definition");
		return;
	}
	if (w->stage != STAGE_OPEN) {
		tl_verify_problem(v, lineno, CHECK_ORDER, TL_EVERIFY, "a second "
		    "close statement (the first is on line %zu)", w->close_line);
		return;
	}
	w->stage = STAGE_CLOSED;
	w->close_line = lineno;
	if (tl_verify_authority_signature(v, lineno, l->env,
	    "the close statement") != TL_OK)
		return;
	tl_error_clear(&err);
	if (parse_close(v, l->env, &w->close, &err) != TL_OK) {
		tl_verify_problem(v, lineno, CHECK_CLOSE, err.code, "%s",
		    err.message);
		return;
	}
	if ((uint64_t)w->close.ballots != w->in_record) {
		tl_verify_problem(v, lineno, CHECK_CLOSE, TL_EVERIFY, "the close "
		    "statement counts %lld ballots, but the record has %zu "
		    "before it", (long long)w->close.ballots, w->in_record);
		return;
	}
	w->close_ok = 1;
	tl_verify_cycle_close(v, w, lineno);
}

/* A result: after the close statement, or after a decision that ordered
 * a recount; each is compared with the recount. */
static void
walk_result(struct verify *v, struct walk *w, struct line *l, size_t lineno)
{
	if (w->close_line == 0) {
		tl_verify_problem(v, lineno, CHECK_ORDER, TL_EVERIFY, "a result "
		    "before the close statement");
		return;
	}
	if (w->stage != STAGE_CLOSED) {
		tl_verify_problem(v, lineno, CHECK_ORDER, TL_EVERIFY, "a second "
		    "result (the first is on line %zu) without a decision that "
		    "ordered a recount", w->result_line);
		return;
	}
	if (w->annulled) {
		tl_verify_problem(v, lineno, CHECK_ORDER, TL_EVERIFY, "a result "
		    "after a decision annulled the result");
		return;
	}
	w->stage = STAGE_COUNTED;
	w->result_line = lineno;
	tl_sha256_hex(l->data, l->len, w->result_hash);
	if (tl_verify_authority_signature(v, lineno, l->env, "the result") !=
	    TL_OK)
		return;
	w->results[w->nresults] = l->env;
	w->result_lines[w->nresults++] = lineno;
}

static void
walk_lines(struct verify *v, struct walk *w)
{
	for (size_t i = v->first_work; i < v->nentries; i++) {
		struct line *l = &v->lines[i];
		size_t lineno = i + 1;
		enum stage before = w->stage;

		if (l->message != NULL)
			tl_verify_problem_text(v, lineno, l->check, l->code,
			    l->message);
		tl_verify_secret_place(v, w, l, i);
		/* The cycle's entries say for themselves what may follow
		 * the final statement (record_cycle.c). */
		if (w->stage == STAGE_FINAL && (l->type == TYPE_BALLOT ||
		    l->type == TYPE_CLOSE || l->type == TYPE_RESULT)) {
			tl_verify_problem(v, lineno, CHECK_ORDER, TL_EVERIFY, "a %s "
			    "after the final statement on line %zu, which ends "
			    "the log", tl_verify_type_name(l->type),
			    w->final_line);
			continue;
		}
		switch (l->type) {
		case TYPE_BAD:
			break;
		case TYPE_BALLOT:
			walk_ballot(v, w, l, lineno);
			break;
		case TYPE_CLOSE:
			walk_close(v, w, l, lineno);
			break;
		case TYPE_RESULT:
			walk_result(v, w, l, lineno);
			break;
		case TYPE_MANIFEST:
		case TYPE_CANDIDATE:
		case TYPE_PETITION:
		case TYPE_ENDORSEMENT:
		case TYPE_AMENDMENT:
		case TYPE_CERTIFICATION:
		case TYPE_CHALLENGE:
		case TYPE_DECISION:
		case TYPE_FINAL:
			tl_verify_cycle_entry(v, w, l, lineno);
			break;
		case TYPE_CREDENTIAL_KEYS:
		case TYPE_CREDENTIAL_REQUEST:
		case TYPE_CREDENTIAL:
			tl_verify_secret_entry(v, w, l, lineno);
			break;
		case TYPE_ROLL:
			tl_verify_problem(v, lineno, CHECK_ORDER, TL_EVERIFY, "a roll "
			    "may only be on line 2");
			break;
		case TYPE_TREE_HEAD:
			tl_verify_problem(v, lineno, CHECK_ORDER, TL_EVERIFY, "a tree "
			    "head is not a log entry; only the last line is one");
			break;
		case TYPE_RECEIPT:
		case TYPE_UNKNOWN:
			tl_verify_problem(v, lineno, CHECK_FORMAT, TL_EVERIFY, "a %s is "
			    "not a log entry", tl_verify_type_name(l->type));
			break;
		}
		if (before == STAGE_PUBLISHED && w->stage == STAGE_OPEN)
			tl_verify_secret_opened(v, w, i + 1);
	}
}

/* --- the tree and the recount -------------------------------------------- */

/* The Merkle root of the entries' leaf hashes (all known after phase
 * one): the main thread's work while the others check signatures. */
static int
compute_root(struct verify *v)
{
	struct tl_merkle_mem tree;
	int r = TL_OK;

	tl_merkle_mem_init(&tree);
	for (size_t i = 0; i < v->nentries && r == TL_OK; i++)
		r = tl_merkle_mem_append(&tree, v->lines[i].leaf);
	if (r == TL_OK)
		r = tl_merkle_root(&tree.store, v->nentries, v->root);
	tl_merkle_mem_free(&tree);
	v->have_root = r == TL_OK;
	return r;
}

static void
check_tree(struct verify *v)
{
	char hex[TL_HASH_HEX_LEN + 1], signed_hex[TL_HASH_HEX_LEN + 1];

	if (!v->have_root || !v->have_head)
		return;
	tl_hex_encode(v->root, TL_SHA256_LEN, hex);
	tl_hex_encode(v->head.root, TL_SHA256_LEN, signed_hex);
	if (v->head.size != v->nentries)
		tl_verify_problem(v, v->head_line, CHECK_TREE, TL_EVERIFY, "the signed "
		    "tree head covers %llu entries, but the record has %zu",
		    (unsigned long long)v->head.size, v->nentries);
	else if (memcmp(v->root, v->head.root, TL_SHA256_LEN) != 0)
		tl_verify_problem(v, v->head_line, CHECK_TREE, TL_EVERIFY, "the Merkle "
		    "root of the record's %zu entries is %.16s..., but the "
		    "signed tree head names %.16s...: the entries are not the "
		    "log the authority signed", v->nentries, hex, signed_hex);
}

/* Where a recount and the signed result differ, said for people. */
static void
describe_difference(struct verify *v, size_t lineno, json_t *recount,
    json_t *signed_result)
{
	json_t *a = json_object_get(recount, "contests");
	json_t *b = json_object_get(signed_result, "contests");
	char *x = NULL, *y = NULL;

	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *mine = json_array_get(a, i), *theirs = json_array_get(b, i);

		if (theirs != NULL && json_equal(mine, theirs))
			continue;
		x = json_dumps(json_object_get(mine, "winners"), JSON_COMPACT);
		y = theirs != NULL ? json_dumps(json_object_get(theirs,
		    "winners"), JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
		tl_verify_problem(v, lineno, CHECK_RECOUNT, TL_EVERIFY, "contest %s: "
		    "the signed result differs from the recount (recount "
		    "winners %.300s, signed winners %.300s)",
		    json_string_value(json_object_get(mine, "contest")),
		    x != NULL ? x : "?", y != NULL ? y : "none");
		free(x);
		free(y);
		return;
	}
	tl_verify_problem(v, lineno, CHECK_RECOUNT, TL_EVERIFY, "the signed "
	    "result's bytes differ from the recount's (every contest agrees; the "
	    "difference is in election, manifest, random or turnout, or in the "
	    "form of the document)");
}

static int
recount(struct verify *v, struct walk *w, json_t **out)
{
	struct tl_ballot **ballots = NULL;
	struct tl_error err;
	json_t *doc = NULL, *signed_doc = NULL;
	char *bytes = NULL;
	size_t n = 0, len = 0, *voter_of = NULL;
	int r = TL_OK;

	*out = NULL;
	if (w->close_line == 0 || !w->close_ok || v->roll == NULL)
		return TL_OK;
	ballots = calloc(w->valid + 1, sizeof(*ballots));
	voter_of = calloc(w->valid + 1, sizeof(*voter_of));
	if (ballots == NULL || voter_of == NULL) {
		r = TL_ENOMEM;
		goto out;
	}
	for (size_t i = v->first_work; i < v->nentries; i++)
		if (v->lines[i].ballot != NULL) {
			voter_of[n] = v->lines[i].voter;
			ballots[n++] = v->lines[i].ballot;
		}
	tl_error_clear(&err);
	if ((r = tl_result_compute_indexed(v->manifest, v->hash, v->roll,
	    ballots, voter_of, n, (const char *const *)w->close.random,
	    w->close.nrandom, &doc, &err)) != TL_OK) {
		if (r == TL_ENOMEM)
			goto out;
		tl_verify_problem(v, w->result_line != 0 ? w->result_line :
		    w->close_line, CHECK_RECOUNT, r, "cannot recount: %s",
		    err.message);
		r = TL_OK;
		goto out;
	}
	if (w->nresults > 0 &&
	    (r = tl_result_serialize(doc, &bytes, &len)) != TL_OK)
		goto out;
	for (size_t k = 0; k < w->nresults; k++) {
		const struct tl_envelope *result = w->results[k];

		if (len == result->payload_len &&
		    memcmp(bytes, result->payload, len) == 0)
			continue;
		json_decref(signed_doc);
		signed_doc = json_loadb((const char *)result->payload,
		    result->payload_len, 0, NULL);
		describe_difference(v, w->result_lines[k], doc, signed_doc);
	}
	*out = doc;
	doc = NULL;
 out:
	free(ballots);
	free(voter_of);
	free(bytes);
	json_decref(doc);
	json_decref(signed_doc);
	return r;
}

/* --- the report ---------------------------------------------------------- */

static int
problem_cmp(const void *a, const void *b)
{
	const struct problem *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static json_t *
hex_or_null(const uint8_t *hash, int present)
{
	char hex[TL_HASH_HEX_LEN + 1];

	if (!present)
		return json_null();
	tl_hex_encode(hash, TL_SHA256_LEN, hex);
	return json_string(hex);
}

/* Without a manifest (or a roll) the later checks cannot run. */
static void
skip_check(json_t *checks, enum check c, const char *why)
{
	json_array_append_new(checks, json_pack("{s:s, s:n, s:s}", "check",
	    tl_verify_check_name(c), "ok", "detail", why));
}

static json_t *
build_checks(struct verify *v, const struct walk *w)
{
	json_t *checks = json_array();
	size_t voter_sigs = atomic_load(&v->voter_signatures);
	size_t valid_sigs = atomic_load(&v->voter_signatures_valid) +
	    v->authority_signatures_valid;

	if (checks == NULL)
		return NULL;
	tl_verify_set_check(checks, v, CHECK_FORMAT, "%zu lines read as canonical "
	    "DSSE envelopes%s", v->head_line, v->cosignature_line != 0 ?
	    ", and the cosignature line" : "");
	if (v->manifest == NULL) {
		tl_verify_set_check(checks, v, CHECK_MANIFEST, "line 1: no valid "
		    "manifest");
		for (int c = CHECK_ROLL; c < CHECK_COUNT; c++)
			skip_check(checks, (enum check)c, "not checked: the record "
			    "has no valid manifest");
		return checks;
	}
	if (v->definition_line != 0)
		tl_verify_set_check(checks, v, CHECK_MANIFEST, "line 1: initial "
		    "manifest %s of election %s, authority key id %s; line %zu: "
		    "voting definition %s", v->first_hash, v->first->id,
		    v->authority_id, v->definition_line, v->hash);
	else
		tl_verify_set_check(checks, v, CHECK_MANIFEST, "line 1: manifest "
		    "%s of election %s, authority key id %s", v->hash,
		    v->manifest->id, v->authority_id);
	if (v->roll == NULL && !v->check_failed[CHECK_ROLL]) {
		for (int c = CHECK_ROLL; c <= CHECK_REVOTE; c++)
			skip_check(checks, (enum check)c, "not checked: the "
			    "record has no roll");
	} else {
		tl_verify_set_check(checks, v, CHECK_ROLL, "line 2: %zu voters",
		    v->roll != NULL ? v->roll->nvoters : 0);
		if (v->secret)
			tl_verify_set_check(checks, v, CHECK_BALLOTS, "%zu secret "
			    "ballots, %zu of them valid: for this election and "
			    "manifest, well formed, each with a credential of its "
			    "class (%zu blind RSA signatures checked, %zu valid), "
			    "in its class's contests", w->in_record, w->valid,
			    atomic_load(&v->credentials_checked),
			    atomic_load(&v->credentials_valid));
		else
			tl_verify_set_check(checks, v, CHECK_BALLOTS, "%zu ballots, "
			    "%zu of them valid: for this election and manifest, "
			    "well formed, by voters on the roll, in their "
			    "constituency's contests", w->in_record, w->valid);
		tl_verify_set_check(checks, v, CHECK_SIGNATURES, "%zu signatures "
		    "checked (%zu by voters%s, %zu by the authority), %zu valid",
		    voter_sigs + v->authority_signatures, voter_sigs,
		    v->secret ? " and ballot keys" : "",
		    v->authority_signatures, valid_sigs);
		tl_verify_set_check(checks, v, CHECK_REVOTE, "policy \"%s\": %zu "
		    "ballots counted, %zu superseded",
		    v->manifest->revote == TL_REVOTE_FIRST ? "first" : "last",
		    w->counted, w->valid - w->counted);
	}
	if (w->close_line == 0) {
		tl_verify_set_check(checks, v, CHECK_ORDER, "the election is %s: there "
		    "is no close statement yet", w->stage == STAGE_PUBLISHED ?
		    "published (its vote is not open)" : "open");
		tl_verify_set_check(checks, v, CHECK_CLOSE, "not closed yet");
	} else {
		tl_verify_set_check(checks, v, CHECK_ORDER, "ballots, then the close "
		    "statement on line %zu, then the result", w->close_line);
		const char *reason = w->close.reason != NULL ? w->close.reason :
		    "";
		size_t n = strlen(reason), shown = n < 300 ? n : 300;

		/* The reason as far as it fits, cut between characters. */
		while (shown > 0 && shown < n &&
		    ((unsigned char)reason[shown] & 0xc0) == 0x80)
			shown--;
		tl_verify_set_check(checks, v, CHECK_CLOSE, "line %zu: %lld ballots, "
		    "%zu random values%s%.*s%s", w->close_line,
		    (long long)w->close.ballots, w->close.nrandom,
		    w->close.reason != NULL ? "; closed early, because: " : "",
		    (int)shown, reason, shown < n ? "..." : "");
	}
	if (v->have_root && v->have_head)
		tl_verify_set_check(checks, v, CHECK_TREE, "the Merkle root of the %zu "
		    "entries against the tree head on line %zu",
		    v->nentries, v->head_line);
	else
		tl_verify_set_check(checks, v, CHECK_TREE, "no valid signed tree head "
		    "to compare the root of the %zu entries with", v->nentries);
	if (w->nresults > 0)
		tl_verify_set_check(checks, v, CHECK_RECOUNT, "every contest "
		    "recounted and compared byte for byte with the signed result "
		    "on line %zu%s", w->result_line, w->nresults > 1 ? " and the "
		    "earlier ones (a recount was ordered)" : "");
	else if (w->close_line == 0)
		tl_verify_set_check(checks, v, CHECK_RECOUNT, "nothing to count before "
		    "the close");
	else
		tl_verify_set_check(checks, v, CHECK_RECOUNT, "no signed result "
		    "in the record yet; the recount is shown");
	tl_verify_cycle_checks(v, w, checks);
	tl_verify_witness_check(v, checks);
	tl_verify_secret_checks(v, w, checks);
	return checks;
}

/* The turnout (turnout.h) of the voters with an accepted ballot; null
 * without a valid roll. */
static int
add_turnout(const struct verify *v, const struct walk *w, json_t *doc)
{
	const char **voted = NULL;
	json_t *turnout = NULL;
	size_t n = 0;
	int r;

	if (v->roll == NULL)
		return json_object_set_new(doc, "turnout", json_null()) == 0 ?
		    TL_OK : TL_ENOMEM;
	if (v->secret) {
		/* No ballot names its voter: who obtained a credential. */
		if ((r = tl_verify_secret_voted(v, w, &voted, &n)) != TL_OK)
			return r;
	} else if ((voted = calloc(v->nentries + 1, sizeof(*voted))) == NULL)
		return TL_ENOMEM;
	for (size_t i = v->first_work; !v->secret && i < v->nentries; i++)
		if (v->lines[i].ballot != NULL)
			voted[n++] = v->lines[i].ballot->voter_id;
	if ((r = tl_turnout_compute(v->first, v->roll, voted, n, &turnout,
	    NULL)) == TL_OK && json_object_set_new(doc, "turnout", turnout) != 0)
		r = TL_ENOMEM;
	free(voted);
	return r;
}

static int
build_report(struct verify *v, const struct walk *w, json_t *result,
    json_t **out)
{
	size_t max = v->opt.max_problems != 0 ? v->opt.max_problems : 1000;
	json_t *doc, *problems, *tree, *checks;
	char when[TL_TIME_LEN];
	const char *state = NULL;
	int r = TL_OK;
	json_t *matches = w->nresults == 0 || result == NULL ? json_null() :
	    json_boolean(!v->check_failed[CHECK_RECOUNT]);
	static const char *const stages[] = {"published", "open", "closed",
	    "counted", "certified", "final"};

	if (v->nproblems > 1)
		qsort(v->problems, v->nproblems, sizeof(*v->problems),
		    problem_cmp);
	if ((problems = json_array()) == NULL) {
		json_decref(result);
		return TL_ENOMEM;
	}
	for (size_t i = 0; i < v->nproblems && i < max; i++) {
		const struct problem *p = &v->problems[i];

		json_array_append_new(problems, json_pack("{s:I, s:s, s:s, s:s}",
		    "line", (json_int_t)p->line, "check",
		    tl_verify_check_name(p->check),
		    "error", tl_error_name(p->code), "message", p->message));
	}
	if (v->manifest != NULL)
		state = stages[w->stage];
	tl_time_format(v->head.time, when);
	tree = json_pack("{s:I, s:o, s:o, s:o, s:o}", "size",
	    (json_int_t)v->nentries, "root", hex_or_null(v->root, v->have_root),
	    "signed_size", v->have_head ? json_integer((json_int_t)v->head.size) :
	    json_null(), "signed_root", hex_or_null(v->head.root, v->have_head),
	    "signed_time", v->have_head ? json_string(when) : json_null());
	checks = build_checks(v, w);
	doc = json_pack("{s:b, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:I, "
	    "s:{s:I, s:I, s:I, s:I}, s:{s:I, s:I}, s:o, s:o, s:o, s:I, s:o, "
	    "s:o}",
	    "valid", v->nproblems == 0,
	    "election", v->manifest != NULL ? json_string(v->manifest->id) :
	    json_null(),
	    "title", v->manifest != NULL ? json_string(v->manifest->title) :
	    json_null(),
	    "manifest_hash", v->manifest != NULL ? json_string(v->hash) :
	    json_null(),
	    "authority_key_id", v->authority != NULL ?
	    json_string(v->authority_id) : json_null(),
	    "state", state != NULL ? json_string(state) : json_null(),
	    "lines", (json_int_t)v->nlines,
	    "entries", (json_int_t)v->nentries,
	    "voters", (json_int_t)(v->roll != NULL ? v->roll->nvoters : 0),
	    "ballots",
	    "in_record", (json_int_t)w->in_record,
	    "valid", (json_int_t)w->valid,
	    "counted", (json_int_t)w->counted,
	    "superseded", (json_int_t)(w->valid - w->counted),
	    "signatures",
	    "checked", (json_int_t)(atomic_load(&v->voter_signatures) +
	    v->authority_signatures),
	    "valid", (json_int_t)(atomic_load(&v->voter_signatures_valid) +
	    v->authority_signatures_valid),
	    "tree", tree,
	    "checks", checks,
	    "problems", problems,
	    "problems_total", (json_int_t)v->nproblems,
	    "result", result != NULL ? result : json_null(),
	    "result_matches", matches);
	if (doc == NULL)
		return TL_ENOMEM;
	if (json_object_set_new(doc, "initial_manifest_hash", v->first != NULL ?
	    json_string(v->first_hash) : json_null()) != 0 ||
	    json_object_set(doc, "witnesses", v->witnesses != NULL ?
	    v->witnesses : json_null()) != 0 ||
	    (r = tl_verify_cycle_report(v, w, doc)) != TL_OK ||
	    (r = tl_verify_secret_report(v, w, doc)) != TL_OK ||
	    (v->opt.turnout && (r = add_turnout(v, w, doc)) != TL_OK)) {
		json_decref(doc);
		return r != TL_OK ? r : TL_ENOMEM;
	}
	*out = doc;
	return TL_OK;
}

/* --- the whole verification --------------------------------------------- */

/* What a line holds: released on every core, a hundred thousand ballots
 * being a tenth of a second's work for one. */
static void
release_line(struct verify *v, struct line *l)
{
	(void)v;
	tl_envelope_free(l->env);
	l->env = NULL;
	tl_ballot_free(l->ballot);
	l->ballot = NULL;
	free(l->message);
	l->message = NULL;
	free(l->request);
	l->request = NULL;
	free(l->issuance);
	l->issuance = NULL;
}

static void
verify_free(struct verify *v)
{
	if (v->lines != NULL)
		run_phase(v, release_line, 0, NULL, NULL);
	for (size_t i = 0; i < v->nlines; i++) {
		tl_envelope_free(v->lines[i].env);
		tl_ballot_free(v->lines[i].ballot);
		free(v->lines[i].message);
		free(v->lines[i].request);
		free(v->lines[i].issuance);
	}
	tl_credential_keys_free(v->keys);
	free(v->lines);
	tl_roll_free(v->roll);
	tl_manifest_free(v->first);
	tl_manifest_free(v->definition);
	tl_key_free(v->authority);
	json_decref(v->witnesses);
	for (size_t i = 0; i < v->nproblems; i++)
		free(v->problems[i].message);
	free(v->problems);
	pthread_mutex_destroy(&v->progress_lock);
}

static int
load_lines(struct verify *v)
{
	struct record_line *raw = NULL;
	size_t n = 0;

	if (tl_record_split_lines(v->text, v->text_len, &raw, &n) != TL_OK)
		return TL_ENOMEM;
	if (n != 0 && (v->lines = calloc(n, sizeof(*v->lines))) == NULL) {
		free(raw);
		return TL_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		v->lines[i].data = raw[i].data;
		v->lines[i].len = raw[i].len;
		v->lines[i].voter = SIZE_MAX;
	}
	free(raw);
	v->nlines = n;
	/* The last line is the tree head's place, whatever is there, unless
	 * it is a cosignature line: then the one before it is. */
	if (n >= 2 && tl_cosignature_line_is(v->lines[n - 1].data,
	    v->lines[n - 1].len))
		v->cosignature_line = n--;
	v->head_line = n;
	v->nentries = n != 0 ? n - 1 : 0;
	return TL_OK;
}

int
tl_record_verify(const char *data, size_t len,
    const struct tl_record_verify_options *options, json_t **report,
    struct tl_error *err)
{
	struct verify v;
	struct walk w;
	json_t *result = NULL;
	int r, manifest_ok;

	if (len > TL_RECORD_MAX)
		return tl_error_set(err, TL_ETOOBIG, "the record is %zu bytes, "
		    "over the limit of %zu", len, TL_RECORD_MAX);
	memset(&v, 0, sizeof(v));
	memset(&w, 0, sizeof(w));
	pthread_mutex_init(&v.progress_lock, NULL);
	v.text = data;
	v.text_len = len;
	if (options != NULL)
		v.opt = *options;
	if ((r = load_lines(&v)) != TL_OK)
		goto out;
	if (v.head_line < 3)
		tl_verify_problem(&v, v.nlines, CHECK_FORMAT, TL_EVERIFY, "the record "
		    "has %zu line%s; it needs at least the manifest, the roll "
		    "and a signed tree head", v.nlines, v.nlines == 1 ? "" : "s");
	/* Without a manifest nothing else can be checked. */
	manifest_ok = v.nlines > 0 && check_manifest(&v) == TL_OK;
	if (v.first != NULL) {
		w.stage = tl_timetable_has_nominations(&v.first->timetable) ?
		    STAGE_PUBLISHED : STAGE_OPEN;
		w.tt = v.first->timetable;
	}
	if (!manifest_ok)
		goto report;
	if (v.head_line >= 2)
		check_head(&v);
	tl_merkle_leaf_hash(v.lines[0].data, v.lines[0].len, v.lines[0].leaf);
	v.first_work = v.nentries >= 2 ? 2 : 1;
	/* Ballots name the voting definition of an election with a
	 * nomination stage: read it before them. */
	tl_verify_find_definition(&v);
	/* A secret election's ballots are checked against its credential
	 * keys: read them first too. */
	tl_verify_find_keys(&v);
	/* The other lines are read on every core but this one's, which
	 * reads the roll meanwhile; then the ballots are checked against it
	 * on every core. */
	run_phase(&v, read_line, 0, v.nentries >= 2 ? read_roll : NULL, &r);
	if (r == TL_ENOMEM || atomic_load(&v.out_of_memory)) {
		r = TL_ENOMEM;
		goto out;
	}
	tl_verify_keys_match_roll(&v);
	if (v.roll != NULL) {
		run_phase(&v, check_ballot, 1, compute_root, &r);
		if (r != TL_OK)
			goto out;
	} else {
		if ((r = compute_root(&v)) != TL_OK)
			goto out;
		if (v.nentries > v.first_work)
			tl_verify_problem(&v, v.first_work + 1, CHECK_BALLOTS,
			    TL_EVERIFY, "without a valid roll no ballot can be "
			    "checked");
		for (size_t i = v.first_work; i < v.nentries; i++) {
			tl_ballot_free(v.lines[i].ballot);
			v.lines[i].ballot = NULL;
		}
	}
	if (atomic_load(&v.out_of_memory)) {
		r = TL_ENOMEM;
		goto out;
	}
	if (v.roll != NULL) {
		size_t n = v.roll->nvoters + 1;

		w.voter_ballots = calloc(n, sizeof(*w.voter_ballots));
		w.voter_seq = calloc(n, sizeof(*w.voter_seq));
		w.voter_line = calloc(n, sizeof(*w.voter_line));
		if (w.voter_ballots == NULL || w.voter_seq == NULL ||
		    w.voter_line == NULL) {
			r = TL_ENOMEM;
			goto out;
		}
	}
	w.results = calloc(v.nentries + 1, sizeof(*w.results));
	w.result_lines = calloc(v.nentries + 1, sizeof(*w.result_lines));
	if (w.results == NULL || w.result_lines == NULL) {
		r = TL_ENOMEM;
		goto out;
	}
	if ((r = tl_verify_secret_start(&v, &w)) != TL_OK)
		goto out;
	walk_lines(&v, &w);
	if ((r = tl_verify_cycle_finish(&v, &w)) != TL_OK)
		goto out;
	check_tree(&v);
	if ((r = tl_verify_witnesses(&v)) != TL_OK)
		goto out;
	if ((r = recount(&v, &w, &result)) != TL_OK)
		goto out;
 report:
	if (v.problems_failed) {
		r = TL_ENOMEM;
		goto out;
	}
	r = build_report(&v, &w, result, report);
	result = NULL;
 out:
	if (r == TL_ENOMEM)
		tl_error_set(err, r, "out of memory verifying the record");
	else if (r != TL_OK)
		tl_error_set(err, r, "cannot verify the record");
	json_decref(result);
	close_free(&w.close);
	free(w.voter_ballots);
	free(w.voter_seq);
	free(w.voter_line);
	free(w.results);
	free(w.result_lines);
	tl_verify_cycle_free(&w);
	tl_verify_secret_free(&w);
	verify_free(&v);
	return r;
}
