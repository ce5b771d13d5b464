/*
 * record_cycle.c: the offline verification of what the election cycle
 * puts in a record (doc/record-format.md: sections 5.1.1, 5.1.2 and 5.7
 * to 5.13, and checks 7 and 12 to 14 of section 9): the voting
 * definition and the nominations that make its candidates (the slate,
 * petitions and the voters' endorsements, the thresholds), the
 * timetable's amendments and the phase of every dated statement, and
 * after the count the certification, the challenges, the decisions on
 * them and the final statement.
 *
 * The rules are the database's (petition.c, certify.c, cycle.c), through
 * the same code where they are code: the timetable's (timetable.c), the
 * statements' form (statement.c) and the voting definition's make-up
 * (tl_manifest_voting_definition).  A statement with a problem is
 * reported on its line and takes no effect, as the database would have
 * refused it.  Endorsements, challenges and ballots carry no time: their
 * phase is judged by their place in the log (section 11).
 */
#include <config.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record_internal.h"
#include "verify_internal.h"
#include "teller/manifest.h"
#include "teller/statement.h"
#include "teller/timetable.h"
#include "teller/util.h"

/* The start of the canonical line of a manifest envelope (section 2). */
#define MANIFEST_LINE_PREFIX \
	"{\"payloadType\":\"" TL_TYPE_MANIFEST "\","

/* --- finding entries by their hash --------------------------------------- */

static uint64_t
hash_key(const char *hex)
{
	uint64_t key = 0;

	for (int i = 0; i < 16 && hex[i] != '\0'; i++) {
		char c = hex[i];

		key = key << 4 | (uint64_t)(c >= 'a' ? c - 'a' + 10 : c - '0');
	}
	return key;
}

typedef const char *(*hash_of_fn)(const struct walk *w, size_t item);

static const char *
petition_hash(const struct walk *w, size_t item)
{
	return w->nominees[item].hash;
}

static const char *
challenge_hash(const struct walk *w, size_t item)
{
	return w->challenges[item].hash;
}

/* The item whose hash is hex, or SIZE_MAX. */
static size_t
index_find(const struct walk *w, const struct hash_index *x, hash_of_fn of,
    const char *hex)
{
	size_t i;

	if (x->cap == 0)
		return SIZE_MAX;
	for (i = hash_key(hex) & (x->cap - 1); x->slots[i] != 0;
	    i = (i + 1) & (x->cap - 1))
		if (strcmp(of(w, x->slots[i] - 1), hex) == 0)
			return x->slots[i] - 1;
	return SIZE_MAX;
}

static int
index_add(struct walk *w, struct hash_index *x, hash_of_fn of, size_t item)
{
	size_t i;

	if ((x->n + 1) * 2 > x->cap) {
		size_t cap = x->cap != 0 ? x->cap * 2 : 64;
		size_t *slots = calloc(cap, sizeof(*slots));

		if (slots == NULL)
			return TL_ENOMEM;
		for (size_t k = 0; k < x->cap; k++) {
			if (x->slots[k] == 0)
				continue;
			for (i = hash_key(of(w, x->slots[k] - 1)) & (cap - 1);
			    slots[i] != 0; i = (i + 1) & (cap - 1))
				;
			slots[i] = x->slots[k];
		}
		free(x->slots);
		x->slots = slots;
		x->cap = cap;
	}
	for (i = hash_key(of(w, item)) & (x->cap - 1); x->slots[i] != 0;
	    i = (i + 1) & (x->cap - 1))
		;
	x->slots[i] = item + 1;
	x->n++;
	return TL_OK;
}

/* Room for one more item in an array of *cap. */
static int
grow(void **array, size_t n, size_t *cap, size_t size)
{
	void *grown;
	size_t want;

	if (n < *cap)
		return TL_OK;
	want = *cap != 0 ? *cap * 2 : 16;
	if ((grown = realloc(*array, want * size)) == NULL)
		return TL_ENOMEM;
	*array = grown;
	*cap = want;
	return TL_OK;
}

/* --- the voting definition, found before the ballots are read ------------ */

void
tl_verify_find_definition(struct verify *v)
{
	static const char prefix[] = MANIFEST_LINE_PREFIX;
	struct tl_envelope *env = NULL;
	struct tl_manifest *m = NULL;
	struct tl_error err;
	size_t lineno = 0;
	int r;

	if (!tl_timetable_has_nominations(&v->first->timetable))
		return;
	/* The first manifest after line 2 is the voting definition; any
	 * other is out of place (tl_verify_cycle_entry says so). */
	for (size_t i = 2; i < v->nentries && lineno == 0; i++)
		if (v->lines[i].len >= sizeof(prefix) - 1 &&
		    memcmp(v->lines[i].data, prefix, sizeof(prefix) - 1) == 0)
			lineno = i + 1;
	if (lineno == 0)
		return;
	v->definition_line = lineno;
	tl_error_clear(&err);
	/* A line that is not a canonical envelope is the form check's. */
	if (tl_record_read_envelope(v->lines[lineno - 1].data,
	    v->lines[lineno - 1].len, TL_ENVELOPE_MAX_DEFAULT, &env, &err) !=
	    TL_OK)
		return;
	if ((r = tl_manifest_parse((const char *)env->payload, env->payload_len,
	    &m, &err)) != TL_OK) {
		tl_verify_problem(v, lineno, CHECK_MANIFEST, r, "the voting "
		    "definition: %s", err.message);
		goto out;
	}
	if (strcmp(m->id, v->first->id) != 0) {
		tl_verify_problem(v, lineno, CHECK_MANIFEST, TL_EWRONGELECTION,
		    "the voting definition is of election %s, not %s", m->id,
		    v->first->id);
		goto out;
	}
	if (m->initial_manifest == NULL)
		tl_verify_problem(v, lineno, CHECK_MANIFEST, TL_EMANIFEST, "a "
		    "second manifest that names no initial_manifest: after line "
		    "1, only the voting definition of an election with a "
		    "nomination stage may be a manifest");
	else if (strcmp(m->initial_manifest, v->first_hash) != 0)
		tl_verify_problem(v, lineno, CHECK_MANIFEST, TL_EWRONGELECTION,
		    "the voting definition names the initial manifest %.16s..., "
		    "but line 1's hash is %.16s...", m->initial_manifest,
		    v->first_hash);
	/* Ballots name it, whatever else is wrong with it. */
	v->definition = m;
	m = NULL;
	v->manifest = v->definition;
	tl_sha256_hex(env->payload, env->payload_len, v->hash);
 out:
	tl_manifest_free(m);
	tl_envelope_free(env);
}

/* --- the nomination stage ------------------------------------------------- */

static const char *
stage_name(enum stage stage)
{
	static const char *const names[] = {"published", "open", "closed",
	    "counted", "certified", "final"};

	return names[stage];
}

/* A statement's election (and the manifest it names, if any): this
 * record's. */
static int
check_election(struct verify *v, size_t lineno, enum check check,
    const char *what, const char *election, const char *manifest,
    const char *expected_manifest, const char *which)
{
	if (strcmp(election, v->first->id) != 0) {
		tl_verify_problem(v, lineno, check, TL_EWRONGELECTION, "the %s is "
		    "of election %s, not %s", what, election, v->first->id);
		return TL_EWRONGELECTION;
	}
	if (manifest != NULL && strcmp(manifest, expected_manifest) != 0) {
		tl_verify_problem(v, lineno, check, TL_EWRONGELECTION, "the %s "
		    "names manifest %.16s..., not %s %.16s...", what, manifest,
		    which, expected_manifest);
		return TL_EWRONGELECTION;
	}
	return TL_OK;
}

/* A candidate of the contest (the initial manifest's or a nominee) with
 * this id or this name; its line (0 for the manifest's) in *line. */
static const char *
existing_candidate(const struct verify *v, const struct walk *w,
    size_t contest, const char *id, const char *name, size_t *line)
{
	const struct tl_contest *c = &v->first->contests[contest];

	for (size_t i = 0; i < c->ncandidates; i++)
		if (strcmp(c->candidates[i].id, id) == 0 ||
		    strcmp(c->candidates[i].name, name) == 0) {
			*line = 0;
			return c->candidates[i].id;
		}
	for (size_t i = 0; i < w->nnominees; i++) {
		const struct nominee *n = &w->nominees[i];

		if (n->contest == contest && (strcmp(n->id, id) == 0 ||
		    strcmp(n->name, name) == 0)) {
			*line = n->line;
			return n->id;
		}
	}
	return NULL;
}

/* A candidate statement or a petition: the rules of tl_candidate_add and
 * tl_petition_open. */
static void
walk_nomination(struct verify *v, struct walk *w, struct line *l,
    size_t lineno)
{
	int petition = l->type == TYPE_PETITION;
	const char *what = petition ? "petition" : "candidate statement";
	enum tl_phase phase = petition ? TL_PHASE_PETITIONS :
	    TL_PHASE_NOMINATIONS;
	const struct tl_contest *c;
	struct tl_nomination n;
	struct nominee *added;
	struct tl_error err;
	const char *other;
	size_t contest, other_line, in_contest = 0;
	int r;

	memset(&n, 0, sizeof(n));
	tl_error_clear(&err);
	if (w->stage != STAGE_PUBLISHED) {
		if (!tl_timetable_has_nominations(&v->first->timetable))
			tl_verify_problem(v, lineno, CHECK_ORDER, TL_ESTATE, "a %s, "
			    "but the election has no nomination stage (no "
			    "nominations or petitions phase)", what);
		else
			tl_verify_problem(v, lineno, CHECK_ORDER, TL_ESTATE, "a %s "
			    "after the voting definition on line %zu: the "
			    "candidates were fixed when the vote opened", what,
			    w->definition_seen);
		return;
	}
	if (tl_verify_authority_signature(v, lineno, l->env, what) != TL_OK)
		return;
	if ((r = tl_nomination_parse((const char *)l->env->payload,
	    l->env->payload_len, petition ? "petition" : "candidate", &n,
	    &err)) != TL_OK) {
		tl_verify_problem(v, lineno, CHECK_NOMINATIONS, r, "%s",
		    err.message);
		return;
	}
	if (check_election(v, lineno, CHECK_NOMINATIONS, what, n.election,
	    n.manifest, v->first_hash, "the initial manifest") != TL_OK)
		goto out;
	if ((r = tl_timetable_require(&w->tt, v->first->id, phase, n.time,
	    petition ? "a petition" : "a candidate added to the slate",
	    &err)) != TL_OK) {
		tl_verify_problem(v, lineno, CHECK_TIMETABLE, r, "%s",
		    err.message);
		goto out;
	}
	if ((c = tl_manifest_contest(v->first, n.contest)) == NULL) {
		tl_verify_problem(v, lineno, CHECK_NOMINATIONS, TL_ENOTFOUND,
		    "the %s is for contest %s, which the manifest does not have",
		    what, n.contest);
		goto out;
	}
	contest = (size_t)(c - v->first->contests);
	if (c->method == TL_METHOD_REFERENDUM) {
		tl_verify_problem(v, lineno, CHECK_NOMINATIONS, TL_EINPUT, "the "
		    "%s is for contest %s, a referendum, which has no "
		    "candidates", what, c->id);
		goto out;
	}
	if (petition && c->petition_threshold == 0) {
		tl_verify_problem(v, lineno, CHECK_NOMINATIONS, TL_EINPUT, "a "
		    "petition for contest %s, which takes no petitions (the "
		    "manifest gives it no petition_threshold)", c->id);
		goto out;
	}
	if ((other = existing_candidate(v, w, contest, n.candidate, n.name,
	    &other_line)) != NULL) {
		char where[48] = "in the initial manifest";

		if (other_line != 0)
			snprintf(where, sizeof(where), "on line %zu", other_line);
		tl_verify_problem(v, lineno, CHECK_NOMINATIONS, TL_EEXISTS,
		    "contest %s already has a candidate or petition %s (%s); "
		    "ids and names are unique in a contest", c->id, other,
		    where);
		goto out;
	}
	for (size_t i = 0; i < w->nnominees; i++)
		in_contest += w->nominees[i].contest == contest;
	if (c->ncandidates + in_contest >= TL_MAX_CANDIDATES) {
		tl_verify_problem(v, lineno, CHECK_NOMINATIONS, TL_ETOOBIG,
		    "contest %s already has %d candidates and petitions, the "
		    "most it can have", c->id, TL_MAX_CANDIDATES);
		goto out;
	}
	if (grow((void **)&w->nominees, w->nnominees, &w->cap_nominees,
	    sizeof(*w->nominees)) != TL_OK) {
		w->out_of_memory = 1;
		goto out;
	}
	added = &w->nominees[w->nnominees];
	memset(added, 0, sizeof(*added));
	added->contest = contest;
	memcpy(added->id, n.candidate, sizeof(added->id));
	added->name = n.name;
	n.name = NULL;
	added->petition = petition;
	added->line = lineno;
	tl_sha256_hex(l->data, l->len, added->hash);
	w->nnominees++;
	if (!petition) {
		w->candidates_added++;
		goto out;
	}
	w->petitions++;
	if (index_add(w, &w->petition_index, petition_hash,
	    w->nnominees - 1) != TL_OK)
		w->out_of_memory = 1;
 out:
	tl_nomination_free(&n);
}

/* An endorsement: the rules of tl_petition_endorse, but for the one
 * endorsement per voter and petition, which count_endorsements judges
 * once every endorsement is known. */
static void
walk_endorsement(struct verify *v, struct walk *w, struct line *l,
    size_t lineno)
{
	const struct tl_contest *c;
	const struct tl_voter *voter;
	struct tl_endorsement e;
	struct tl_error err;
	const struct nominee *p;
	size_t pi, vi;
	int r;

	tl_error_clear(&err);
	if (w->stage != STAGE_PUBLISHED) {
		if (!v->first->timetable.phase[TL_PHASE_PETITIONS].present)
			tl_verify_problem(v, lineno, CHECK_TIMETABLE, TL_EPHASE, "an "
			    "endorsement, but the election has no petitions "
			    "phase in its timetable");
		else
			tl_verify_problem(v, lineno, CHECK_TIMETABLE, TL_EPHASE, "an "
			    "endorsement after the voting definition on line %zu, "
			    "which is signed once the petitions phase is over",
			    w->definition_seen);
		return;
	}
	if ((r = tl_endorsement_parse((const char *)l->env->payload,
	    l->env->payload_len, &e, &err)) != TL_OK) {
		tl_verify_problem(v, lineno, CHECK_NOMINATIONS, r, "%s",
		    err.message);
		return;
	}
	if (check_election(v, lineno, CHECK_NOMINATIONS, "endorsement",
	    e.election, NULL, NULL, NULL) != TL_OK)
		return;
	if ((pi = index_find(w, &w->petition_index, petition_hash,
	    e.petition)) == SIZE_MAX) {
		tl_verify_problem(v, lineno, CHECK_NOMINATIONS, TL_ENOTFOUND,
		    "the endorsement names petition %.16s..., which is not a "
		    "valid petition earlier in the record", e.petition);
		return;
	}
	p = &w->nominees[pi];
	if (v->roll == NULL)
		return; /* the roll's problem already */
	if ((voter = tl_roll_find(v->roll, e.voter)) == NULL) {
		tl_verify_problem(v, lineno, CHECK_NOMINATIONS, TL_ENOTONROLL,
		    "the endorsement's voter %s is not on the roll", e.voter);
		return;
	}
	vi = (size_t)(voter - v->roll->voters);
	atomic_fetch_add(&v->voter_signatures, 1);
	if (tl_verify_voter_signed(v, vi, l->env, &err) != TL_OK) {
		tl_verify_problem(v, lineno, CHECK_SIGNATURES, TL_ESIGNATURE,
		    "endorsement of voter %s is not signed by the key the roll "
		    "gives them (key id %.16s...): %s", voter->id, voter->key_id,
		    err.message);
		return;
	}
	atomic_fetch_add(&v->voter_signatures_valid, 1);
	c = &v->first->contests[p->contest];
	if (voter->constituency_index != c->constituency_index) {
		tl_verify_problem(v, lineno, CHECK_NOMINATIONS, TL_ENOTONROLL,
		    "voter %s is of constituency %s, but the petition on line "
		    "%zu is for contest %s, which constituency %s votes in; only "
		    "its voters may endorse it", voter->id, voter->constituency,
		    p->line, c->id, c->constituency);
		return;
	}
	if (grow((void **)&w->endorsements, w->nendorsements,
	    &w->cap_endorsements, sizeof(*w->endorsements)) != TL_OK) {
		w->out_of_memory = 1;
		return;
	}
	w->endorsements[w->nendorsements++] = (struct endorsement_entry){pi, vi,
	    lineno};
}

static int
endorsement_cmp(const void *a, const void *b)
{
	const struct endorsement_entry *x = a, *y = b;

	if (x->petition != y->petition)
		return x->petition < y->petition ? -1 : 1;
	if (x->voter != y->voter)
		return x->voter < y->voter ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* The end of the nomination stage: a voter's second endorsement of a
 * petition is a problem; each petition's count is its distinct voters. */
static void
count_endorsements(struct verify *v, struct walk *w)
{
	if (w->endorsements_counted)
		return;
	w->endorsements_counted = 1;
	if (w->nendorsements > 1)
		qsort(w->endorsements, w->nendorsements,
		    sizeof(*w->endorsements), endorsement_cmp);
	for (size_t i = 0; i < w->nendorsements; i++) {
		const struct endorsement_entry *e = &w->endorsements[i];
		const struct endorsement_entry *prev = i > 0 ? e - 1 : NULL;

		if (prev != NULL && prev->petition == e->petition &&
		    prev->voter == e->voter) {
			tl_verify_problem(v, e->line, CHECK_NOMINATIONS,
			    TL_EDUPLICATE, "voter %s already endorsed the "
			    "petition on line %zu (for %s) on line %zu; one "
			    "endorsement per voter and petition",
			    v->roll->voters[e->voter].id,
			    w->nominees[e->petition].line,
			    w->nominees[e->petition].id, prev->line);
			continue;
		}
		w->nominees[e->petition].endorsements++;
	}
}

static int64_t
threshold_of(const struct verify *v, const struct nominee *n)
{
	return v->first->contests[n->contest].petition_threshold;
}

static int
reached(const struct verify *v, const struct nominee *n)
{
	return n->petition && (int64_t)n->endorsements >= threshold_of(v, n);
}

/* The nominee of contest ci with this candidate id, or NULL. */
static const struct nominee *
find_nominee(const struct walk *w, size_t ci, const char *id)
{
	for (size_t i = 0; i < w->nnominees; i++)
		if (w->nominees[i].contest == ci &&
		    strcmp(w->nominees[i].id, id) == 0)
			return &w->nominees[i];
	return NULL;
}

/* Whether a nominee is one of the final candidates. */
static int
is_final(const struct verify *v, const struct nominee *n)
{
	return !n->petition || reached(v, n);
}

/*
 * The thresholds: contest by contest, the voting definition lists exactly
 * the initial manifest's candidates, the slate and the candidates of the
 * petitions that reached their threshold.  Returns the number of
 * problems found.
 */
static size_t
check_candidates(struct verify *v, const struct walk *w, size_t lineno)
{
	const struct tl_manifest *d = v->definition;
	size_t problems = 0;

	for (size_t ci = 0; ci < v->first->ncontests && ci < d->ncontests;
	    ci++) {
		const struct tl_contest *first = &v->first->contests[ci];
		const struct tl_contest *dc = &d->contests[ci];

		if (strcmp(first->id, dc->id) != 0)
			continue; /* the bytes' comparison says it */
		/* Every listed candidate must be a final one. */
		for (size_t j = 0; j < dc->ncandidates; j++) {
			const char *id = dc->candidates[j].id;
			const struct nominee *n;

			if (tl_contest_candidate_index(first, id) != (size_t)-1)
				continue;
			if ((n = find_nominee(w, ci, id)) == NULL) {
				tl_verify_problem(v, lineno, CHECK_NOMINATIONS,
				    TL_EVERIFY, "contest %s: candidate %s of the "
				    "voting definition is neither in the initial "
				    "manifest, nor added to the slate, nor the "
				    "candidate of a petition", dc->id, id);
				problems++;
			} else if (!is_final(v, n)) {
				tl_verify_problem(v, lineno, CHECK_NOMINATIONS,
				    TL_EVERIFY, "contest %s: candidate %s is in the "
				    "voting definition, but their petition on line "
				    "%zu has %zu valid endorsements, short of its "
				    "threshold of %lld", dc->id, id, n->line,
				    n->endorsements,
				    (long long)threshold_of(v, n));
				problems++;
			}
		}
		/* Every final candidate must be listed. */
		for (size_t j = 0; j < first->ncandidates; j++)
			if (tl_contest_candidate_index(dc,
			    first->candidates[j].id) == (size_t)-1) {
				tl_verify_problem(v, lineno, CHECK_NOMINATIONS,
				    TL_EVERIFY, "contest %s: candidate %s of the "
				    "initial manifest is missing from the voting "
				    "definition", dc->id, first->candidates[j].id);
				problems++;
			}
		for (size_t i = 0; i < w->nnominees; i++) {
			const struct nominee *n = &w->nominees[i];

			if (n->contest != ci || !is_final(v, n) ||
			    tl_contest_candidate_index(dc, n->id) != (size_t)-1)
				continue;
			if (n->petition)
				tl_verify_problem(v, lineno, CHECK_NOMINATIONS,
				    TL_EVERIFY, "contest %s: the petition on line "
				    "%zu for %s reached its threshold (%zu valid "
				    "endorsements of %lld needed), but the voting "
				    "definition does not list them", dc->id,
				    n->line, n->id, n->endorsements,
				    (long long)threshold_of(v, n));
			else
				tl_verify_problem(v, lineno, CHECK_NOMINATIONS,
				    TL_EVERIFY, "contest %s: candidate %s, added to "
				    "the slate on line %zu, is missing from the "
				    "voting definition", dc->id, n->id, n->line);
			problems++;
		}
	}
	return problems;
}

/* The voting definition's line: signed by the authority, and exactly
 * the definition section 5.1 builds from the initial manifest and the
 * final candidates. */
static void
walk_definition(struct verify *v, struct walk *w, struct line *l,
    size_t lineno)
{
	struct tl_added_candidate *added = NULL;
	struct tl_error err;
	char *expected = NULL;
	size_t nadded = 0, len = 0, problems;
	int r;

	w->definition_seen = lineno;
	/* Ballots follow it, whatever is wrong with it (said on this line). */
	w->stage = STAGE_OPEN;
	count_endorsements(v, w);
	if (tl_verify_authority_signature(v, lineno, l->env,
	    "the voting definition") != TL_OK || v->definition == NULL)
		return;
	if ((added = calloc(w->nnominees + 1, sizeof(*added))) == NULL) {
		w->out_of_memory = 1;
		return;
	}
	/* The slate, then the petitions that reached their threshold, each
	 * in log order (as the database lists them). */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < w->nnominees; i++) {
			const struct nominee *n = &w->nominees[i];

			if (n->petition == pass && is_final(v, n))
				added[nadded++] = (struct tl_added_candidate){
				    n->contest, n->id, n->name};
		}
	problems = check_candidates(v, w, lineno);
	tl_error_clear(&err);
	if ((r = tl_manifest_voting_definition(v->first, v->first_hash, added,
	    nadded, &expected, &len, &err)) != TL_OK) {
		if (r == TL_ENOMEM)
			w->out_of_memory = 1;
		else
			tl_verify_problem(v, lineno, CHECK_NOMINATIONS, r, "with "
			    "its final candidates the election's definition is "
			    "not valid, so its vote could not open: %s",
			    err.message);
		goto out;
	}
	if (problems == 0 && (len != l->env->payload_len ||
	    memcmp(expected, l->env->payload, len) != 0))
		tl_verify_problem(v, lineno, CHECK_MANIFEST, TL_EVERIFY, "the "
		    "voting definition is not the initial manifest of line 1 "
		    "with the final candidates (section 5.1): it lists the "
		    "right candidates, but its bytes differ elsewhere");
 out:
	free(added);
	free(expected);
}

/* --- the timetable -------------------------------------------------------- */

static void
walk_amendment(struct verify *v, struct walk *w, struct line *l,
    size_t lineno)
{
	struct tl_amendment a;
	struct tl_error err;
	int r;

	tl_error_clear(&err);
	if (tl_verify_authority_signature(v, lineno, l->env, "the amendment") !=
	    TL_OK)
		return;
	if ((r = tl_amendment_parse((const char *)l->env->payload,
	    l->env->payload_len, &a, &err)) != TL_OK) {
		tl_verify_problem(v, lineno, CHECK_TIMETABLE, r, "%s",
		    err.message);
		return;
	}
	if (check_election(v, lineno, CHECK_TIMETABLE, "amendment",
	    a.election, a.manifest, v->first_hash, "the initial manifest") !=
	    TL_OK)
		return;
	if ((r = tl_timetable_amend(&w->tt, a.phase, a.has_opens, a.opens,
	    a.has_closes, a.closes, a.time, &err)) != TL_OK) {
		tl_verify_problem(v, lineno, CHECK_TIMETABLE, r, "the amendment "
		    "breaks the timetable's rules: %s", err.message);
		return;
	}
	w->amendments++;
}

/*
 * Check 13 for the close statement: at or after the end of the voting
 * phase in force, or before it as an early close, which gives a reason;
 * a reason on a close that is not early is a problem too.
 */
void
tl_verify_cycle_close(struct verify *v, struct walk *w, size_t lineno)
{
	const struct tl_window *voting = &w->tt.phase[TL_PHASE_VOTING];
	char closes[TL_TIME_LEN], when[TL_TIME_LEN];
	int early = w->close.time < voting->closes;

	if (early == (w->close.reason != NULL))
		return;
	tl_time_format(voting->closes, closes);
	tl_time_format(w->close.time, when);
	if (early)
		tl_verify_problem(v, lineno, CHECK_TIMETABLE, TL_EPHASE, "the "
		    "election was closed at %s, but its voting phase runs until "
		    "%s, and the close statement gives no reason for an early "
		    "close", when, closes);
	else
		tl_verify_problem(v, lineno, CHECK_TIMETABLE, TL_EPHASE, "the "
		    "close statement gives a reason for an early close, but it "
		    "was made at %s, when the voting phase was over (at %s)",
		    when, closes);
}

/* --- certification, challenges, decisions, the final statement ------------ */

static void
walk_certification(struct verify *v, struct walk *w, struct line *l,
    size_t lineno)
{
	const struct tl_window *challenge = &w->tt.phase[TL_PHASE_CHALLENGE];
	struct tl_certification c;
	struct tl_error err;
	char when[TL_TIME_LEN], closes[TL_TIME_LEN];
	int r;

	tl_error_clear(&err);
	if (w->stage != STAGE_COUNTED || w->annulled) {
		tl_verify_problem(v, lineno, CHECK_CERTIFICATION, TL_ESTATE, "a "
		    "certification, but the election is %s%s: only a counted "
		    "result can be certified", stage_name(w->stage),
		    w->annulled ? " and its result annulled" : "");
		return;
	}
	if (tl_verify_authority_signature(v, lineno, l->env,
	    "the certification") != TL_OK)
		return;
	if ((r = tl_certification_parse((const char *)l->env->payload,
	    l->env->payload_len, &c, &err)) != TL_OK) {
		tl_verify_problem(v, lineno, CHECK_CERTIFICATION, r, "%s",
		    err.message);
		return;
	}
	if (check_election(v, lineno, CHECK_CERTIFICATION, "certification",
	    c.election, c.manifest, v->hash, "the definition in force") !=
	    TL_OK)
		return;
	if (strcmp(c.result, w->result_hash) != 0) {
		tl_verify_problem(v, lineno, CHECK_CERTIFICATION, TL_EVERIFY, "the "
		    "certification names result %.16s..., but the latest result "
		    "is on line %zu (%.16s...)", c.result, w->result_line,
		    w->result_hash);
		return;
	}
	if (challenge->present && c.time >= challenge->closes) {
		tl_time_format(c.time, when);
		tl_time_format(challenge->closes, closes);
		tl_verify_problem(v, lineno, CHECK_TIMETABLE, TL_EPHASE, "the "
		    "certification is dated %s, but the challenge phase it "
		    "starts closed at %s", when, closes);
		return;
	}
	tl_sha256_hex(l->data, l->len, w->cert_hash);
	w->cert_line = lineno;
	w->certifications++;
	w->stage = STAGE_CERTIFIED;
}

/* A challenge: the rules of tl_challenge_file. */
static void
walk_challenge(struct verify *v, struct walk *w, struct line *l,
    size_t lineno)
{
	const struct tl_voter *voter;
	struct challenge_entry *added;
	struct tl_challenge c;
	struct tl_error err;
	size_t i;
	int r;

	memset(&c, 0, sizeof(c));
	tl_error_clear(&err);
	if (w->stage == STAGE_FINAL) {
		tl_verify_problem(v, lineno, CHECK_TIMETABLE, TL_EPHASE, "a "
		    "challenge after the final statement on line %zu, which the "
		    "authority makes once the challenge phase is over",
		    w->final_line);
		return;
	}
	if ((r = tl_challenge_parse((const char *)l->env->payload,
	    l->env->payload_len, &c, &err)) != TL_OK) {
		tl_verify_problem(v, lineno, CHECK_CERTIFICATION, r, "%s",
		    err.message);
		return;
	}
	if (check_election(v, lineno, CHECK_CERTIFICATION, "challenge",
	    c.election, NULL, NULL, NULL) != TL_OK)
		goto out;
	if (!w->tt.phase[TL_PHASE_CHALLENGE].present) {
		tl_verify_problem(v, lineno, CHECK_TIMETABLE, TL_EPHASE, "a "
		    "challenge, but the election has no challenge phase in its "
		    "timetable");
		goto out;
	}
	if (w->stage != STAGE_CERTIFIED || w->annulled) {
		if (w->annulled)
			tl_verify_problem(v, lineno, CHECK_CERTIFICATION, TL_ESTATE,
			    "a challenge after the decision on line %zu annulled "
			    "the result", w->annulled_line);
		else if (w->certifications == 0)
			tl_verify_problem(v, lineno, CHECK_CERTIFICATION, TL_ESTATE,
			    "a challenge before any certification: a challenge "
			    "is filed against a certified result");
		else
			tl_verify_problem(v, lineno, CHECK_CERTIFICATION, TL_ESTATE,
			    "a challenge while the election is %s (the decision "
			    "on line %zu ordered a recount): a challenge is filed "
			    "against a certified result", stage_name(w->stage),
			    w->recount_line);
		goto out;
	}
	if (strcmp(c.certification, w->cert_hash) != 0) {
		tl_verify_problem(v, lineno, CHECK_CERTIFICATION, TL_ECONFLICT,
		    "the challenge names certification %.16s..., but the result "
		    "in force was certified on line %zu (%.16s...)",
		    c.certification, w->cert_line, w->cert_hash);
		goto out;
	}
	if (v->roll == NULL)
		goto out; /* the roll's problem already */
	if ((voter = tl_roll_find(v->roll, c.voter)) == NULL) {
		tl_verify_problem(v, lineno, CHECK_CERTIFICATION, TL_ENOTONROLL,
		    "the challenge's voter %s is not on the roll", c.voter);
		goto out;
	}
	atomic_fetch_add(&v->voter_signatures, 1);
	if (tl_verify_voter_signed(v, (size_t)(voter - v->roll->voters),
	    l->env, &err) != TL_OK) {
		tl_verify_problem(v, lineno, CHECK_SIGNATURES, TL_ESIGNATURE,
		    "challenge of voter %s is not signed by the key the roll "
		    "gives them (key id %.16s...): %s", voter->id, voter->key_id,
		    err.message);
		goto out;
	}
	atomic_fetch_add(&v->voter_signatures_valid, 1);
	if (grow((void **)&w->challenges, w->nchallenges, &w->cap_challenges,
	    sizeof(*w->challenges)) != TL_OK) {
		w->out_of_memory = 1;
		goto out;
	}
	added = &w->challenges[w->nchallenges];
	memset(added, 0, sizeof(*added));
	tl_sha256_hex(l->data, l->len, added->hash);
	added->line = lineno;
	memcpy(added->voter, c.voter, sizeof(added->voter));
	w->nchallenges++;
	w->undecided++;
	/* The same bytes as an earlier challenge: chained to it. */
	if ((i = index_find(w, &w->challenge_index, challenge_hash,
	    added->hash)) != SIZE_MAX) {
		while (w->challenges[i].next_same != 0)
			i = w->challenges[i].next_same - 1;
		w->challenges[i].next_same = w->nchallenges;
	} else if (index_add(w, &w->challenge_index, challenge_hash,
	    w->nchallenges - 1) != TL_OK)
		w->out_of_memory = 1;
 out:
	tl_challenge_free(&c);
}

/* A decision: the rules of tl_challenge_resolve, and what its remedy
 * does (a recount takes the election back to closed; a new vote annuls
 * the result). */
static void
walk_decision(struct verify *v, struct walk *w, struct line *l,
    size_t lineno)
{
	struct challenge_entry *ch;
	struct tl_decision d;
	struct tl_error err;
	size_t i;
	int r;

	memset(&d, 0, sizeof(d));
	tl_error_clear(&err);
	if (tl_verify_authority_signature(v, lineno, l->env, "the decision") !=
	    TL_OK)
		return;
	if ((r = tl_decision_parse((const char *)l->env->payload,
	    l->env->payload_len, &d, &err)) != TL_OK) {
		tl_verify_problem(v, lineno, CHECK_CERTIFICATION, r, "%s",
		    err.message);
		return;
	}
	if (check_election(v, lineno, CHECK_CERTIFICATION, "decision",
	    d.election, NULL, NULL, NULL) != TL_OK)
		goto out;
	if ((i = index_find(w, &w->challenge_index, challenge_hash,
	    d.challenge)) == SIZE_MAX) {
		tl_verify_problem(v, lineno, CHECK_CERTIFICATION, TL_ENOTFOUND,
		    "the decision is on challenge %.16s..., which is not a valid "
		    "challenge earlier in the record", d.challenge);
		goto out;
	}
	/* Of challenges with the same bytes, the first undecided one. */
	while (w->challenges[i].decided && w->challenges[i].next_same != 0)
		i = w->challenges[i].next_same - 1;
	ch = &w->challenges[i];
	if (ch->decided) {
		tl_verify_problem(v, lineno, CHECK_CERTIFICATION, TL_EEXISTS,
		    "the challenge on line %zu was already decided on line %zu",
		    ch->line, ch->decision_line);
		goto out;
	}
	if (d.remedy == TL_REMEDY_RECOUNT && w->annulled) {
		tl_verify_problem(v, lineno, CHECK_CERTIFICATION, TL_ECONFLICT,
		    "a recount, but the decision on line %zu annulled the "
		    "result; a recount cannot restore it", w->annulled_line);
		goto out;
	}
	ch->decided = 1;
	ch->upheld = d.upheld;
	ch->remedy = d.remedy;
	ch->decision_line = lineno;
	w->undecided--;
	if (d.remedy == TL_REMEDY_RECOUNT) {
		w->stage = STAGE_CLOSED;
		w->recount_line = lineno;
	} else if (d.remedy == TL_REMEDY_NEW_VOTE) {
		w->annulled = 1;
		w->annulled_line = lineno;
	}
 out:
	tl_decision_free(&d);
}

/* The final statement: the rules of tl_election_finalize. */
static void
walk_final(struct verify *v, struct walk *w, struct line *l, size_t lineno)
{
	const struct tl_window *challenge = &w->tt.phase[TL_PHASE_CHALLENGE];
	enum stage before = w->stage;
	struct tl_final f;
	struct tl_error err;
	char when[TL_TIME_LEN], closes[TL_TIME_LEN];
	int r;

	tl_error_clear(&err);
	if (tl_verify_authority_signature(v, lineno, l->env,
	    "the final statement") != TL_OK)
		return;
	if ((r = tl_final_parse((const char *)l->env->payload,
	    l->env->payload_len, &f, &err)) != TL_OK) {
		tl_verify_problem(v, lineno, CHECK_CERTIFICATION, r, "%s",
		    err.message);
		return;
	}
	/* Nothing may follow it, whatever is wrong with it. */
	w->stage = STAGE_FINAL;
	w->final_line = lineno;
	if (check_election(v, lineno, CHECK_CERTIFICATION, "final statement",
	    f.election, f.manifest, v->hash, "the definition in force") !=
	    TL_OK)
		return;
	if (w->certifications == 0 || (before != STAGE_CERTIFIED &&
	    !(w->annulled && (before == STAGE_CLOSED ||
	    before == STAGE_COUNTED)))) {
		tl_verify_problem(v, lineno, CHECK_CERTIFICATION, TL_ESTATE, "the "
		    "final statement, but the election is %s: a result becomes "
		    "final once it is certified (or annulled)",
		    stage_name(before));
		return;
	}
	if (w->undecided > 0) {
		for (size_t i = 0; i < w->nchallenges; i++)
			if (!w->challenges[i].decided) {
				tl_verify_problem(v, lineno, CHECK_CERTIFICATION,
				    TL_ESTATE, "the final statement, but the "
				    "challenge on line %zu is not decided (%zu "
				    "undecided)", w->challenges[i].line,
				    w->undecided);
				return;
			}
	}
	if (strcmp(f.certification, w->cert_hash) != 0) {
		tl_verify_problem(v, lineno, CHECK_CERTIFICATION, TL_EVERIFY, "the "
		    "final statement names certification %.16s..., but the "
		    "latest is on line %zu (%.16s...)", f.certification,
		    w->cert_line, w->cert_hash);
		return;
	}
	if (f.annulled != w->annulled) {
		if (w->annulled)
			tl_verify_problem(v, lineno, CHECK_CERTIFICATION, TL_EVERIFY,
			    "the final statement says the result is confirmed, "
			    "but the decision on line %zu annulled it",
			    w->annulled_line);
		else
			tl_verify_problem(v, lineno, CHECK_CERTIFICATION, TL_EVERIFY,
			    "the final statement says the result is annulled, "
			    "but no decision called for a new vote");
		return;
	}
	if (challenge->present && f.time < challenge->closes) {
		tl_time_format(f.time, when);
		tl_time_format(challenge->closes, closes);
		tl_verify_problem(v, lineno, CHECK_TIMETABLE, TL_EPHASE, "the "
		    "final statement is dated %s, but the challenge phase runs "
		    "until %s; the result becomes final after it", when,
		    closes);
	}
}

/* --- the dispatch ------------------------------------------------------- */

void
tl_verify_cycle_entry(struct verify *v, struct walk *w, struct line *l,
    size_t lineno)
{
	if (l->type == TYPE_MANIFEST && lineno != v->definition_line) {
		if (v->definition_line != 0)
			tl_verify_problem(v, lineno, CHECK_ORDER, TL_EVERIFY, "a "
			    "manifest may only be on line 1 and, once, as the "
			    "voting definition (line %zu)", v->definition_line);
		else
			tl_verify_problem(v, lineno, CHECK_ORDER, TL_EVERIFY, "a "
			    "manifest may only be on line 1%s",
			    tl_timetable_has_nominations(&v->first->timetable) ?
			    "" : " (the election has no nomination stage, so no "
			    "voting definition)");
		return;
	}
	/* The final statement ends the log; a challenge after it is one
	 * after the challenge phase (walk_challenge), an endorsement one
	 * after the petitions phase (walk_endorsement). */
	if (w->stage == STAGE_FINAL && l->type != TYPE_CHALLENGE &&
	    l->type != TYPE_ENDORSEMENT) {
		tl_verify_problem(v, lineno, CHECK_ORDER, TL_EVERIFY, "a %s after "
		    "the final statement on line %zu, which ends the log",
		    tl_verify_type_name(l->type), w->final_line);
		return;
	}
	switch (l->type) {
	case TYPE_MANIFEST:
		walk_definition(v, w, l, lineno);
		break;
	case TYPE_CANDIDATE:
	case TYPE_PETITION:
		walk_nomination(v, w, l, lineno);
		break;
	case TYPE_ENDORSEMENT:
		walk_endorsement(v, w, l, lineno);
		break;
	case TYPE_AMENDMENT:
		walk_amendment(v, w, l, lineno);
		break;
	case TYPE_CERTIFICATION:
		walk_certification(v, w, l, lineno);
		break;
	case TYPE_CHALLENGE:
		walk_challenge(v, w, l, lineno);
		break;
	case TYPE_DECISION:
		walk_decision(v, w, l, lineno);
		break;
	case TYPE_FINAL:
		walk_final(v, w, l, lineno);
		break;
	default:
		break;
	}
}

int
tl_verify_cycle_finish(struct verify *v, struct walk *w)
{
	/* A record of a published election: its petitions' counts so far. */
	if (v->roll != NULL)
		count_endorsements(v, w);
	return w->out_of_memory ? TL_ENOMEM : TL_OK;
}

/* --- the report --------------------------------------------------------- */

void
tl_verify_cycle_checks(struct verify *v, const struct walk *w,
    json_t *checks)
{
	size_t reached_n = 0, decided = 0;

	for (size_t i = 0; i < w->nnominees; i++)
		reached_n += reached(v, &w->nominees[i]);
	if (!tl_timetable_has_nominations(&v->first->timetable))
		tl_verify_set_check(checks, v, CHECK_NOMINATIONS, "no nomination "
		    "stage: the manifest of line 1 is the definition voted on");
	else if (w->definition_seen != 0)
		tl_verify_set_check(checks, v, CHECK_NOMINATIONS, "%zu candidates "
		    "added to the slate, %zu petitions (%zu reached their "
		    "threshold) with %zu valid endorsements; the voting "
		    "definition on line %zu lists the final candidates",
		    w->candidates_added, w->petitions, reached_n,
		    w->nendorsements, w->definition_seen);
	else
		tl_verify_set_check(checks, v, CHECK_NOMINATIONS, "published: "
		    "%zu candidates added to the slate, %zu petitions (%zu at "
		    "their threshold so far) with %zu valid endorsements; no "
		    "voting definition yet", w->candidates_added, w->petitions,
		    reached_n, w->nendorsements);
	if (!v->first->timetable.declared && w->amendments == 0)
		tl_verify_set_check(checks, v, CHECK_TIMETABLE, "no timetable "
		    "beyond the voting window, which no amendment moved");
	else
		tl_verify_set_check(checks, v, CHECK_TIMETABLE, "%zu amendment%s "
		    "applied; every dated statement inside its phase",
		    w->amendments, w->amendments == 1 ? "" : "s");
	for (size_t i = 0; i < w->nchallenges; i++)
		decided += w->challenges[i].decided;
	if (w->certifications == 0 && w->nchallenges == 0 &&
	    w->final_line == 0)
		tl_verify_set_check(checks, v, CHECK_CERTIFICATION, "not "
		    "certified");
	else
		tl_verify_set_check(checks, v, CHECK_CERTIFICATION, "%zu "
		    "certification%s, %zu challenge%s (%zu decided)%s",
		    w->certifications, w->certifications == 1 ? "" : "s",
		    w->nchallenges, w->nchallenges == 1 ? "" : "s", decided,
		    w->final_line != 0 ? (w->annulled ? "; final: the result "
		    "is annulled" : "; final: the result is confirmed") : "");
}

static json_t *
line_or_null(size_t line)
{
	return line != 0 ? json_integer((json_int_t)line) : json_null();
}

int
tl_verify_cycle_report(const struct verify *v, const struct walk *w,
    json_t *report)
{
	json_t *petitions = json_array(), *challenges = json_array();
	json_t *phases = json_array();
	char opens[TL_TIME_LEN], closes[TL_TIME_LEN];
	int failed = petitions == NULL || challenges == NULL || phases == NULL;

	for (size_t i = 0; !failed && v->first != NULL && i < w->nnominees;
	    i++) {
		const struct nominee *n = &w->nominees[i];

		if (!n->petition)
			continue;
		failed = json_array_append_new(petitions, json_pack("{s:I, s:s, "
		    "s:s, s:s, s:s, s:I, s:I, s:b}", "line", (json_int_t)n->line,
		    "contest", v->first->contests[n->contest].id, "candidate",
		    n->id, "name", n->name, "entry_hash", n->hash,
		    "endorsements", (json_int_t)n->endorsements, "threshold",
		    (json_int_t)threshold_of(v, n), "reached", reached(v, n))) !=
		    0;
	}
	for (size_t i = 0; !failed && i < w->nchallenges; i++) {
		const struct challenge_entry *c = &w->challenges[i];

		failed = json_array_append_new(challenges, json_pack("{s:I, s:s, "
		    "s:s, s:o, s:o, s:o}", "line", (json_int_t)c->line, "voter",
		    c->voter, "entry_hash", c->hash, "decision", !c->decided ?
		    json_null() : json_string(c->upheld ? "upheld" :
		    "dismissed"), "remedy", c->remedy == TL_REMEDY_NONE ?
		    json_null() : json_string(c->remedy == TL_REMEDY_RECOUNT ?
		    "recount" : "new-vote"), "decision_line",
		    line_or_null(c->decision_line))) != 0;
	}
	for (int p = 0; !failed && v->first != NULL && p < TL_PHASE_COUNT;
	    p++) {
		const struct tl_window *win = &w->tt.phase[p];

		if (!win->present)
			continue;
		tl_time_format(win->opens, opens);
		tl_time_format(win->closes, closes);
		failed = json_array_append_new(phases, json_pack("{s:s, s:s, "
		    "s:s}", "phase", tl_phase_name((enum tl_phase)p), "opens",
		    opens, "closes", closes)) != 0;
	}
	if (failed) {
		json_decref(petitions);
		json_decref(challenges);
		json_decref(phases);
		return TL_ENOMEM;
	}
	if (json_object_set_new(report, "timetable", phases) != 0 ||
	    json_object_set_new(report, "amendments",
	    json_integer((json_int_t)w->amendments)) != 0 ||
	    json_object_set_new(report, "voting_definition_line",
	    line_or_null(w->definition_seen)) != 0 ||
	    json_object_set_new(report, "candidates_added",
	    json_integer((json_int_t)w->candidates_added)) != 0 ||
	    json_object_set_new(report, "petitions", petitions) != 0 ||
	    json_object_set_new(report, "certifications",
	    json_integer((json_int_t)w->certifications)) != 0 ||
	    json_object_set_new(report, "challenges", challenges) != 0 ||
	    json_object_set_new(report, "outcome", w->final_line == 0 ?
	    json_null() : json_string(w->annulled ? "annulled" :
	    "confirmed")) != 0)
		return TL_ENOMEM;
	return TL_OK;
}

void
tl_verify_cycle_free(struct walk *w)
{
	for (size_t i = 0; i < w->nnominees; i++)
		free(w->nominees[i].name);
	free(w->nominees);
	free(w->petition_index.slots);
	free(w->endorsements);
	free(w->challenges);
	free(w->challenge_index.slots);
}
