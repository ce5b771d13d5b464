/*
 * manifest.c: parsing and validating the election definition.  Every check
 * reports the field path at fault, so an administrator can fix a manifest
 * from the message alone.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "teller/crypto.h"
#include "teller/hpke.h"
#include "teller/manifest.h"
#include "teller/util.h"

static const char *const method_names[TL_METHOD_COUNT] = {
	[TL_METHOD_PLURALITY] = "plurality",
	[TL_METHOD_APPROVAL] = "approval",
	[TL_METHOD_REFERENDUM] = "referendum",
	[TL_METHOD_IRV] = "irv",
	[TL_METHOD_STV_SCOTTISH] = "stv-scottish",
	[TL_METHOD_STV_MEEK] = "stv-meek",
	[TL_METHOD_SCHULZE] = "schulze",
};

const char *
tl_method_name(enum tl_method method)
{
	if ((unsigned)method >= TL_METHOD_COUNT)
		return "unknown";
	return method_names[method];
}

int
tl_method_from_name(const char *name)
{
	for (int i = 0; i < TL_METHOD_COUNT; i++)
		if (strcmp(method_names[i], name) == 0)
			return i;
	return -1;
}

enum tl_selection_kind
tl_method_selection_kind(enum tl_method method)
{
	switch (method) {
	case TL_METHOD_PLURALITY:
	case TL_METHOD_APPROVAL:
		return TL_SELECTION_MARKS;
	case TL_METHOD_REFERENDUM:
		return TL_SELECTION_ANSWER;
	case TL_METHOD_IRV:
	case TL_METHOD_STV_SCOTTISH:
	case TL_METHOD_STV_MEEK:
	case TL_METHOD_SCHULZE:
		break;
	}
	return TL_SELECTION_RANKING;
}

int
tl_method_allows_equal_ranks(enum tl_method method)
{
	return method == TL_METHOD_SCHULZE;
}

#define BAD(...) tl_error_set(err, TL_EMANIFEST, __VA_ARGS__)

/* A required id-like string member, copied into *out. */
static int
get_id(json_t *obj, const char *key, const char *where, char **out,
    struct tl_error *err)
{
	const char *s;
	int r;

	if ((r = tl_json_string(obj, key, 1, where, TL_EMANIFEST, &s, err)) !=
	    TL_OK)
		return r;
	if (!tl_valid_id(s))
		return BAD("%s%s%s: \"%.64s\" is not a valid id (1 to 64 of "
		    "A-Z a-z 0-9 . _ -, starting with a letter or digit)", where,
		    *where ? "." : "", key, s);
	if ((*out = strdup(s)) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	return TL_OK;
}

/* A text member (a title or a name): 1 to max bytes, no control
 * characters; copied into *out.  Absent and !required gives NULL. */
static int
get_text(json_t *obj, const char *key, int required, size_t max,
    const char *where, char **out, struct tl_error *err)
{
	const char *s;
	int r;

	*out = NULL;
	if ((r = tl_json_string(obj, key, required, where, TL_EMANIFEST, &s,
	    err)) != TL_OK)
		return r;
	if (s == NULL)
		return TL_OK;
	if (*s == '\0' || strlen(s) > max)
		return BAD("%s%s%s: must be 1 to %zu bytes", where,
		    *where ? "." : "", key, max);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return BAD("%s%s%s: contains a control character", where,
			    *where ? "." : "", key);
	if ((*out = strdup(s)) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	return TL_OK;
}

static int
get_time(json_t *obj, const char *key, const char *where, int64_t *out,
    struct tl_error *err)
{
	const char *s;
	int r;

	if ((r = tl_json_string(obj, key, 1, where, TL_EMANIFEST, &s, err)) !=
	    TL_OK)
		return r;
	if (tl_time_parse(s, out) != TL_OK)
		return BAD("%s%s%s: \"%.64s\" is not a UTC time like "
		    "2026-11-22T10:00:00Z", where, *where ? "." : "", key, s);
	return TL_OK;
}

/* One phase of the timetable: {"opens": TIME, "closes": TIME}. */
static int
parse_window(json_t *timetable, enum tl_phase phase, struct tl_window *w,
    struct tl_error *err)
{
	static const char *const keys[] = {"opens", "closes", NULL};
	const char *name = tl_phase_name(phase);
	json_t *item;
	char where[48];
	int r;

	if ((r = tl_json_object(timetable, name, 0, "timetable", TL_EMANIFEST,
	    &item, err)) != TL_OK || item == NULL)
		return r;
	snprintf(where, sizeof(where), "timetable.%s", name);
	if ((r = tl_json_only_keys(item, keys, where, TL_EMANIFEST, err)) !=
	    TL_OK ||
	    (r = get_time(item, "opens", where, &w->opens, err)) != TL_OK ||
	    (r = get_time(item, "closes", where, &w->closes, err)) != TL_OK)
		return r;
	w->present = 1;
	return TL_OK;
}

/* The phases: the manifest's voting window and its "timetable" member. */
static int
parse_timetable(struct tl_manifest *m, struct tl_error *err)
{
	static const char *const keys[] = {"nominations", "petitions",
	    "challenge", NULL};
	struct tl_timetable *tt = &m->timetable;
	json_t *timetable;
	int r;

	tt->phase[TL_PHASE_VOTING] = (struct tl_window){1, m->opens, m->closes};
	if ((r = tl_json_object(m->json, "timetable", 0, "", TL_EMANIFEST,
	    &timetable, err)) != TL_OK || timetable == NULL)
		return r;
	tt->declared = 1;
	if ((r = tl_json_only_keys(timetable, keys, "timetable", TL_EMANIFEST,
	    err)) != TL_OK ||
	    (r = parse_window(timetable, TL_PHASE_NOMINATIONS,
	    &tt->phase[TL_PHASE_NOMINATIONS], err)) != TL_OK ||
	    (r = parse_window(timetable, TL_PHASE_PETITIONS,
	    &tt->phase[TL_PHASE_PETITIONS], err)) != TL_OK ||
	    (r = parse_window(timetable, TL_PHASE_CHALLENGE,
	    &tt->phase[TL_PHASE_CHALLENGE], err)) != TL_OK)
		return r;
	if (json_object_size(timetable) == 0)
		return BAD("timetable: give at least one of nominations, "
		    "petitions and challenge (or leave the timetable out)");
	if ((r = tl_timetable_check(tt, TL_EMANIFEST, err)) != TL_OK)
		return tl_error_prefix(err, "timetable");
	return TL_OK;
}

/* The hash of the initial manifest, in a voting definition. */
static int
parse_initial(struct tl_manifest *m, struct tl_error *err)
{
	const char *hash;
	int r;

	if ((r = tl_json_string(m->json, "initial_manifest", 0, "",
	    TL_EMANIFEST, &hash, err)) != TL_OK || hash == NULL)
		return r;
	if (strlen(hash) != TL_HASH_HEX_LEN ||
	    strspn(hash, "0123456789abcdef") != TL_HASH_HEX_LEN)
		return BAD("initial_manifest: not a hash (64 lowercase hex "
		    "digits)");
	if (!tl_timetable_has_nominations(&m->timetable))
		return BAD("initial_manifest: only the voting definition of an "
		    "election with a nominations or petitions phase names an "
		    "initial manifest");
	if ((m->initial_manifest = strdup(hash)) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	return TL_OK;
}

/* A constituency's "weights": {"min", "max"}, the bounds of its voters'
 * weights on the roll; absent, 1 to TL_WEIGHT_MAX. */
static int
parse_weights(json_t *item, const char *cwhere, struct tl_constituency *c,
    struct tl_error *err)
{
	static const char *const keys[] = {"min", "max", NULL};
	json_t *weights;
	char where[80];
	int r;

	c->weight_min = 1;
	c->weight_max = TL_WEIGHT_MAX;
	snprintf(where, sizeof(where), "%s.weights", cwhere);
	if ((r = tl_json_object(item, "weights", 0, cwhere, TL_EMANIFEST,
	    &weights, err)) != TL_OK || weights == NULL)
		return r;
	if ((r = tl_json_only_keys(weights, keys, where, TL_EMANIFEST,
	    err)) != TL_OK ||
	    (r = tl_json_int(weights, "min", 1, 1, TL_WEIGHT_MAX, where,
	    TL_EMANIFEST, &c->weight_min, err)) != TL_OK ||
	    (r = tl_json_int(weights, "max", 1, 1, TL_WEIGHT_MAX, where,
	    TL_EMANIFEST, &c->weight_max, err)) != TL_OK)
		return r;
	if (c->weight_min > c->weight_max)
		return BAD("%s: min %lld is more than max %lld", where,
		    (long long)c->weight_min, (long long)c->weight_max);
	return TL_OK;
}

static int
parse_constituencies(struct tl_manifest *m, json_t *array,
    struct tl_error *err)
{
	static const char *const keys[] = {"id", "name", "weights", NULL};
	size_t n = json_array_size(array);
	char where[64];
	int r;

	if (n == 0)
		return BAD("constituencies: at least one is needed");
	if (n > TL_MAX_CONSTITUENCIES)
		return BAD("constituencies: %zu is more than %d", n,
		    TL_MAX_CONSTITUENCIES);
	if ((m->constituencies = calloc(n, sizeof(*m->constituencies))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_t *item = json_array_get(array, i);
		struct tl_constituency *c = &m->constituencies[i];

		snprintf(where, sizeof(where), "constituencies[%zu]", i);
		if (!json_is_object(item))
			return BAD("%s: must be an object", where);
		if ((r = tl_json_only_keys(item, keys, where, TL_EMANIFEST,
		    err)) != TL_OK)
			return r;
		m->nconstituencies = i + 1;
		if ((r = get_id(item, "id", where, &c->id, err)) != TL_OK ||
		    (r = get_text(item, "name", 0, 200, where, &c->name, err)) !=
		    TL_OK)
			return r;
		if (c->name == NULL && (c->name = strdup(c->id)) == NULL)
			return tl_error_set(err, TL_ENOMEM, "out of memory");
		if ((r = parse_weights(item, where, c, err)) != TL_OK)
			return r;
		for (size_t j = 0; j < i; j++)
			if (strcmp(m->constituencies[j].id, c->id) == 0)
				return BAD("%s.id: \"%s\" is already the id of "
				    "constituencies[%zu]", where, c->id, j);
	}
	return TL_OK;
}

static int
parse_candidates(struct tl_contest *c, json_t *array, const char *cwhere,
    struct tl_error *err)
{
	static const char *const keys[] = {"id", "name", NULL};
	size_t n = array != NULL ? json_array_size(array) : 0;
	char where[128];
	int r;

	if (n > TL_MAX_CANDIDATES)
		return BAD("%s.candidates: %zu is more than %d", cwhere, n,
		    TL_MAX_CANDIDATES);
	if (n == 0)
		return TL_OK;
	if ((c->candidates = calloc(n, sizeof(*c->candidates))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_t *item = json_array_get(array, i);
		struct tl_candidate *cand = &c->candidates[i];

		snprintf(where, sizeof(where), "%s.candidates[%zu]", cwhere, i);
		if (!json_is_object(item))
			return BAD("%s: must be an object", where);
		if ((r = tl_json_only_keys(item, keys, where, TL_EMANIFEST,
		    err)) != TL_OK)
			return r;
		c->ncandidates = i + 1;
		if ((r = get_id(item, "id", where, &cand->id, err)) != TL_OK ||
		    (r = get_text(item, "name", 1, 200, where, &cand->name,
		    err)) != TL_OK)
			return r;
		if (!tl_candidate_id_valid(cand->id))
			return BAD("%s.id: \"%s\" is reserved: the count reports "
			    "name the non-transferable papers so", where,
			    cand->id);
		for (size_t j = 0; j < i; j++) {
			if (strcmp(c->candidates[j].id, cand->id) == 0)
				return BAD("%s.id: \"%s\" is already the id of "
				    "candidates[%zu]", where, cand->id, j);
			if (strcmp(c->candidates[j].name, cand->name) == 0)
				return BAD("%s.name: \"%s\" is already the name "
				    "of candidates[%zu]", where, cand->name, j);
		}
	}
	return TL_OK;
}

int
tl_manifest_check_options(enum tl_method method, unsigned seats,
    size_t ncandidates, json_t *options, const char *where,
    struct tl_error *err)
{
	const char *key;
	json_t *value;

	json_object_foreach(options, key, value) {
		if (method == TL_METHOD_REFERENDUM &&
		    strcmp(key, "threshold") == 0) {
			const char *t = json_string_value(value);

			if (t == NULL || (strcmp(t, "majority") != 0 &&
			    strcmp(t, "two-thirds") != 0))
				return tl_error_set(err, TL_EMANIFEST,
				    "%s.options.threshold: must be \"majority\" "
				    "or \"two-thirds\"", where);
			continue;
		}
		if (strcmp(key, "quorum") == 0) {
			if (!json_is_integer(value) ||
			    json_integer_value(value) < 0 ||
			    json_integer_value(value) > 100)
				return tl_error_set(err, TL_EMANIFEST,
				    "%s.options.quorum: must be a whole "
				    "percentage from 0 to 100", where);
			continue;
		}
		if (strcmp(key, "quorum_ballots") == 0) {
			if (!json_is_integer(value) ||
			    json_integer_value(value) < 0 ||
			    json_integer_value(value) > TL_MAX_QUORUM_BALLOTS)
				return tl_error_set(err, TL_EMANIFEST,
				    "%s.options.quorum_ballots: must be a whole "
				    "number of ballots from 0 to %d", where,
				    TL_MAX_QUORUM_BALLOTS);
			continue;
		}
		return tl_error_set(err, TL_EMANIFEST,
		    "%s.options: \"%.64s\" is not an option of %s", where, key,
		    tl_method_name(method));
	}
	if (method != TL_METHOD_REFERENDUM && seats > ncandidates)
		return tl_error_set(err, TL_EMANIFEST,
		    "%s.seats: %u seats but only %zu candidates", where, seats,
		    ncandidates);
	return TL_OK;
}

static int
parse_contest(struct tl_manifest *m, struct tl_contest *c, json_t *item,
    size_t index, struct tl_error *err)
{
	static const char *const keys[] = {"id", "title", "constituency",
	    "seats", "method", "candidates", "options", "petition_threshold",
	    NULL};
	const char *method, *constituency;
	json_t *candidates, *options;
	int64_t seats = 1;
	char where[64];
	int r, mi;

	snprintf(where, sizeof(where), "contests[%zu]", index);
	if (!json_is_object(item))
		return BAD("%s: must be an object", where);
	if ((r = tl_json_only_keys(item, keys, where, TL_EMANIFEST, err)) !=
	    TL_OK)
		return r;
	if ((r = get_id(item, "id", where, &c->id, err)) != TL_OK ||
	    (r = get_text(item, "title", 1, 500, where, &c->title, err)) !=
	    TL_OK ||
	    (r = tl_json_string(item, "constituency", 1, where, TL_EMANIFEST,
	    &constituency, err)) != TL_OK ||
	    (r = tl_json_string(item, "method", 1, where, TL_EMANIFEST,
	    &method, err)) != TL_OK ||
	    (r = tl_json_int(item, "seats", 0, 1, TL_MAX_SEATS, where,
	    TL_EMANIFEST, &seats, err)) != TL_OK ||
	    (r = tl_json_array(item, "candidates", 0, where, TL_EMANIFEST,
	    &candidates, err)) != TL_OK ||
	    (r = tl_json_object(item, "options", 0, where, TL_EMANIFEST,
	    &options, err)) != TL_OK ||
	    (r = tl_json_int(item, "petition_threshold", 0, 1,
	    TL_MAX_PETITION_THRESHOLD, where, TL_EMANIFEST,
	    &c->petition_threshold, err)) != TL_OK)
		return r;
	for (size_t j = 0; j < index; j++)
		if (strcmp(m->contests[j].id, c->id) == 0)
			return BAD("%s.id: \"%s\" is already the id of "
			    "contests[%zu]", where, c->id, j);
	c->constituency_index = tl_manifest_constituency_index(m, constituency);
	if (c->constituency_index == (size_t)-1)
		return BAD("%s.constituency: \"%.64s\" is not one of the "
		    "manifest's constituencies", where, constituency);
	if ((c->constituency = strdup(constituency)) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	if ((mi = tl_method_from_name(method)) < 0)
		return BAD("%s.method: \"%.64s\" is not a method (plurality, "
		    "approval, referendum, irv, stv-scottish, stv-meek, "
		    "schulze)", where, method);
	c->method = (enum tl_method)mi;
	c->seats = (unsigned)seats;
	if ((r = parse_candidates(c, candidates, where, err)) != TL_OK)
		return r;
	if (c->method == TL_METHOD_REFERENDUM) {
		if (c->ncandidates != 0)
			return BAD("%s.candidates: a referendum has no candidates "
			    "(its answers are yes, no and abstain)", where);
		if (c->seats != 1)
			return BAD("%s.seats: a referendum decides one question; "
			    "seats must be 1", where);
		if (c->petition_threshold != 0)
			return BAD("%s.petition_threshold: a referendum has no "
			    "candidates to petition for", where);
	} else {
		if (c->ncandidates == 0 && !tl_manifest_is_initial(m))
			return BAD("%s.candidates: a %s contest needs candidates",
			    where, method);
		if (c->method == TL_METHOD_IRV && c->seats != 1)
			return BAD("%s.seats: irv fills one seat; use "
			    "stv-scottish or stv-meek for %u", where, c->seats);
	}
	if (c->petition_threshold != 0 &&
	    !m->timetable.phase[TL_PHASE_PETITIONS].present)
		return BAD("%s.petition_threshold: the timetable has no "
		    "petitions phase", where);
	/* An absent "options" is an empty one; the document keeps its form. */
	c->options = options != NULL ? json_incref(options) : json_object();
	if (c->options == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	/* An initial manifest's slate is not complete: its seats are checked
	 * against the candidates when the vote opens. */
	return tl_manifest_check_options(c->method, c->seats,
	    tl_manifest_is_initial(m) ? TL_MAX_SEATS : c->ncandidates,
	    c->options, where, err);
}

static int
parse_random_sources(struct tl_manifest *m, json_t *array,
    struct tl_error *err)
{
	static const char *const keys[] = {"name", "description", "form",
	    NULL};
	size_t n = array != NULL ? json_array_size(array) : 0;
	enum tl_random_form kind;
	const char *form;
	char where[64];
	int r;

	if (n == 0)
		return TL_OK;
	if (n > TL_MAX_RANDOM_SOURCES)
		return BAD("random_sources: %zu is more than %d", n,
		    TL_MAX_RANDOM_SOURCES);
	if ((m->random_sources = calloc(n, sizeof(*m->random_sources))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_t *item = json_array_get(array, i);
		struct tl_random_source *s = &m->random_sources[i];

		snprintf(where, sizeof(where), "random_sources[%zu]", i);
		if (!json_is_object(item))
			return BAD("%s: must be an object", where);
		if ((r = tl_json_only_keys(item, keys, where, TL_EMANIFEST,
		    err)) != TL_OK)
			return r;
		m->nrandom_sources = i + 1;
		if ((r = get_text(item, "name", 1, 200, where, &s->name,
		    err)) != TL_OK ||
		    (r = get_text(item, "description", 0, 1000, where,
		    &s->description, err)) != TL_OK ||
		    (r = tl_json_string(item, "form", 0, where, TL_EMANIFEST,
		    &form, err)) != TL_OK)
			return r;
		if (form == NULL || strcmp(form, "text") == 0)
			kind = TL_RANDOM_TEXT;
		else if (strcmp(form, "rfc3797") == 0)
			kind = TL_RANDOM_RFC3797;
		else
			return BAD("%s.form: \"%.64s\" is not \"text\" or "
			    "\"rfc3797\"", where, form);
		if (i == 0)
			m->random_form = kind;
		else if (kind != m->random_form)
			return BAD("%s.form: every random source must have the "
			    "same form (random_sources[0] is \"%s\")", where,
			    m->random_form == TL_RANDOM_RFC3797 ? "rfc3797" :
			    "text");
	}
	return TL_OK;
}

/* A trustee's identity_key: the base64 of an Ed25519 public key. */
static int
get_id_key(json_t *item, const char *where, char **out,
    struct tl_error *err)
{
	struct tl_key *key = NULL;
	const char *b64;
	int r;

	if ((r = tl_json_string(item, "identity_key", 1, where, TL_EMANIFEST,
	    &b64, err)) != TL_OK)
		return r;
	if (tl_key_from_public_base64(b64, &key, NULL) != TL_OK)
		return BAD("%s.identity_key: not the base64 of an Ed25519 "
		    "public key", where);
	tl_key_free(key);
	if ((*out = strdup(b64)) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	return TL_OK;
}

/* The trustees of a secret election and its threshold (5.1). */
static int
parse_trustees(struct tl_manifest *m, struct tl_error *err)
{
	static const char *const keys[] = {"id", "name", "identity_key",
	    "sealing_key", NULL};
	json_t *array = json_object_get(m->json, "trustees");
	json_t *threshold = json_object_get(m->json, "threshold");
	size_t n;
	char where[64];
	int64_t k = 0;
	int r;

	if (array == NULL) {
		if (threshold != NULL)
			return BAD("threshold: only an election that names "
			    "trustees has one");
		return TL_OK;
	}
	if (m->secrecy != TL_SECRECY_SECRET)
		return BAD("trustees: only a secret election's ballots are "
		    "sealed for trustees (\"secrecy\": \"secret\")");
	n = json_array_size(array);
	if (!json_is_array(array) || n == 0 || n > TL_MAX_TRUSTEES)
		return BAD("trustees: must be a list of 1 to %d trustees",
		    TL_MAX_TRUSTEES);
	if ((r = tl_json_int(m->json, "threshold", 1, 1, (int64_t)n, "",
	    TL_EMANIFEST, &k, err)) != TL_OK)
		return r;
	if ((m->trustees = calloc(n, sizeof(*m->trustees))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	m->threshold = (unsigned)k;
	for (size_t i = 0; i < n; i++) {
		json_t *item = json_array_get(array, i);
		struct tl_trustee *t = &m->trustees[i];
		const char *sealing;
		uint8_t *raw = NULL;
		size_t rawlen = 0;

		snprintf(where, sizeof(where), "trustees[%zu]", i);
		if (!json_is_object(item))
			return BAD("%s: must be an object", where);
		if ((r = tl_json_only_keys(item, keys, where, TL_EMANIFEST,
		    err)) != TL_OK)
			return r;
		m->ntrustees = i + 1;
		if ((r = get_id(item, "id", where, &t->id, err)) != TL_OK ||
		    (r = get_text(item, "name", 0, 200, where, &t->name, err)) !=
		    TL_OK ||
		    (r = get_id_key(item, where, &t->identity_key, err)) !=
		    TL_OK ||
		    (r = tl_json_string(item, "sealing_key", 1, where,
		    TL_EMANIFEST, &sealing, err)) != TL_OK)
			return r;
		if (t->name == NULL && (t->name = strdup(t->id)) == NULL)
			return tl_error_set(err, TL_ENOMEM, "out of memory");
		if (tl_base64_decode(sealing, strlen(sealing), &raw, &rawlen) !=
		    TL_OK || rawlen != sizeof(t->sealing_key)) {
			free(raw);
			return BAD("%s.sealing_key: not the base64 of an X25519 "
			    "public key (32 bytes)", where);
		}
		memcpy(t->sealing_key, raw, rawlen);
		free(raw);
		if ((r = tl_hpke_public_key_check(t->sealing_key)) == TL_EINPUT)
			return BAD("%s.sealing_key: a point of small order, for "
			    "which no ballot can be sealed (every X25519 result "
			    "with it is zero)", where);
		if (r != TL_OK)
			return tl_error_set(err, r, "%s.sealing_key: cannot be "
			    "checked", where);
		for (size_t j = 0; j < i; j++) {
			if (strcmp(m->trustees[j].id, t->id) == 0)
				return BAD("%s.id: \"%s\" is already the id of "
				    "trustees[%zu]", where, t->id, j);
			if (strcmp(m->trustees[j].identity_key,
			    t->identity_key) == 0)
				return BAD("%s.identity_key: already the key of "
				    "trustees[%zu]", where, j);
			if (memcmp(m->trustees[j].sealing_key, t->sealing_key,
			    sizeof(t->sealing_key)) == 0)
				return BAD("%s.sealing_key: already the key of "
				    "trustees[%zu]", where, j);
		}
	}
	return TL_OK;
}

int
tl_manifest_parse(const char *data, size_t len, struct tl_manifest **out,
    struct tl_error *err)
{
	static const char *const keys[] = {"id", "title", "secrecy", "revote",
	    "opens", "closes", "constituencies", "contests", "random_sources",
	    "authority_key", "timetable", "initial_manifest", "witnesses",
	    "witness_quorum", "trustees", "threshold", NULL};
	struct tl_manifest *m = NULL;
	json_t *root = NULL, *constituencies, *contests, *sources;
	const char *secrecy, *revote, *authority;
	size_t ncontests;
	int r;

	if ((r = tl_json_load(data, len, TL_MANIFEST_MAX, "manifest",
	    TL_EMANIFEST, &root, err)) != TL_OK)
		return r;
	if (!json_is_object(root)) {
		r = BAD("manifest: must be a JSON object");
		goto out;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	m->json = root;
	root = NULL;
	if ((r = tl_json_only_keys(m->json, keys, "manifest", TL_EMANIFEST,
	    err)) != TL_OK ||
	    (r = get_id(m->json, "id", "", &m->id, err)) != TL_OK ||
	    (r = get_text(m->json, "title", 1, 500, "", &m->title, err)) !=
	    TL_OK ||
	    (r = tl_json_string(m->json, "secrecy", 0, "", TL_EMANIFEST,
	    &secrecy, err)) != TL_OK ||
	    (r = tl_json_string(m->json, "revote", 0, "", TL_EMANIFEST, &revote,
	    err)) != TL_OK ||
	    (r = get_time(m->json, "opens", "", &m->opens, err)) != TL_OK ||
	    (r = get_time(m->json, "closes", "", &m->closes, err)) != TL_OK ||
	    (r = tl_json_array(m->json, "constituencies", 1, "", TL_EMANIFEST,
	    &constituencies, err)) != TL_OK ||
	    (r = tl_json_array(m->json, "contests", 1, "", TL_EMANIFEST,
	    &contests, err)) != TL_OK ||
	    (r = tl_json_array(m->json, "random_sources", 0, "", TL_EMANIFEST,
	    &sources, err)) != TL_OK ||
	    (r = tl_json_string(m->json, "authority_key", 0, "", TL_EMANIFEST,
	    &authority, err)) != TL_OK)
		goto out;
	if (secrecy == NULL || strcmp(secrecy, "open") == 0)
		m->secrecy = TL_SECRECY_OPEN;
	else if (strcmp(secrecy, "secret") == 0)
		m->secrecy = TL_SECRECY_SECRET;
	else {
		r = BAD("secrecy: \"%.64s\" is not \"open\" or \"secret\"",
		    secrecy);
		goto out;
	}
	if (revote == NULL || strcmp(revote, "last") == 0)
		m->revote = TL_REVOTE_LAST;
	else if (strcmp(revote, "first") == 0)
		m->revote = TL_REVOTE_FIRST;
	else {
		r = BAD("revote: \"%.64s\" is not \"last\" or \"first\"", revote);
		goto out;
	}
	if (m->closes <= m->opens) {
		r = BAD("closes: must be after opens");
		goto out;
	}
	if ((r = parse_timetable(m, err)) != TL_OK ||
	    (r = parse_initial(m, err)) != TL_OK ||
	    (r = parse_constituencies(m, constituencies, err)) != TL_OK)
		goto out;
	ncontests = json_array_size(contests);
	if (ncontests == 0 || ncontests > TL_MAX_CONTESTS) {
		r = BAD("contests: there must be 1 to %d", TL_MAX_CONTESTS);
		goto out;
	}
	if ((m->contests = calloc(ncontests, sizeof(*m->contests))) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < ncontests; i++) {
		m->ncontests = i + 1;
		if ((r = parse_contest(m, &m->contests[i],
		    json_array_get(contests, i), i, err)) != TL_OK)
			goto out;
	}
	if ((r = parse_random_sources(m, sources, err)) != TL_OK ||
	    (r = tl_witness_list_parse(json_object_get(m->json, "witnesses"),
	    json_object_get(m->json, "witness_quorum"), &m->witnesses, err)) !=
	    TL_OK ||
	    (r = parse_trustees(m, err)) != TL_OK)
		goto out;
	if (authority != NULL) {
		struct tl_key *key = NULL;

		if (tl_key_from_public_base64(authority, &key, NULL) != TL_OK) {
			r = BAD("authority_key: not the base64 of an Ed25519 "
			    "public key");
			goto out;
		}
		tl_key_free(key);
		if ((m->authority_key = strdup(authority)) == NULL) {
			r = tl_error_set(err, TL_ENOMEM, "out of memory");
			goto out;
		}
	}
	*out = m;
	m = NULL;
	r = TL_OK;
 out:
	tl_manifest_free(m);
	json_decref(root);
	return r;
}

int
tl_manifest_set_authority(struct tl_manifest *m, const char *key_b64)
{
	char *copy = strdup(key_b64);

	if (copy == NULL || json_object_set_new(m->json, "authority_key",
	    json_string(key_b64)) != 0) {
		free(copy);
		return TL_ENOMEM;
	}
	free(m->authority_key);
	m->authority_key = copy;
	return TL_OK;
}

int
tl_manifest_serialize(const struct tl_manifest *m, char **out, size_t *len)
{
	return tl_json_dump(m->json, out, len);
}

int
tl_manifest_sealed(const struct tl_manifest *m)
{
	return m->secrecy == TL_SECRECY_SECRET && m->ntrustees > 0;
}

size_t
tl_manifest_trustee_index(const struct tl_manifest *m, const char *id)
{
	for (size_t i = 0; i < m->ntrustees; i++)
		if (strcmp(m->trustees[i].id, id) == 0)
			return i;
	return (size_t)-1;
}

size_t
tl_manifest_trustee_by_key(const struct tl_manifest *m,
    const char *identity_key)
{
	for (size_t i = 0; i < m->ntrustees; i++)
		if (strcmp(m->trustees[i].identity_key, identity_key) == 0)
			return i;
	return (size_t)-1;
}

int
tl_manifest_is_initial(const struct tl_manifest *m)
{
	return tl_timetable_has_nominations(&m->timetable) &&
	    m->initial_manifest == NULL;
}

int
tl_manifest_voting_definition(const struct tl_manifest *initial,
    const char *initial_hash, const struct tl_added_candidate *added,
    size_t nadded, char **out, size_t *len, struct tl_error *err)
{
	struct tl_manifest *check = NULL;
	json_t *doc, *contests, *contest, *candidates;
	char *text = NULL;
	size_t text_len = 0;
	int r = TL_OK;

	if ((doc = json_deep_copy(initial->json)) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	contests = json_object_get(doc, "contests");
	for (size_t i = 0; i < initial->ncontests; i++) {
		if (initial->contests[i].method == TL_METHOD_REFERENDUM)
			continue;
		contest = json_array_get(contests, i);
		if (json_object_get(contest, "candidates") == NULL &&
		    json_object_set_new(contest, "candidates", json_array()) !=
		    0)
			goto nomem;
	}
	for (size_t k = 0; k < nadded; k++) {
		const struct tl_added_candidate *a = &added[k];

		if (a->contest >= initial->ncontests ||
		    initial->contests[a->contest].method ==
		    TL_METHOD_REFERENDUM) {
			r = tl_error_set(err, TL_EINTERNAL, "a candidate added to "
			    "no contest that takes candidates");
			goto out;
		}
		candidates = json_object_get(json_array_get(contests,
		    a->contest), "candidates");
		if (json_array_append_new(candidates, json_pack("{s:s, s:s}",
		    "id", a->id, "name", a->name)) != 0)
			goto nomem;
	}
	if (json_object_set_new(doc, "initial_manifest",
	    json_string(initial_hash)) != 0 ||
	    tl_json_dump(doc, &text, &text_len) != TL_OK)
		goto nomem;
	if ((r = tl_manifest_parse(text, text_len, &check, err)) != TL_OK)
		goto out;
	*out = text;
	*len = text_len;
	text = NULL;
	goto out;
 nomem:
	r = tl_error_set(err, TL_ENOMEM, "out of memory");
 out:
	tl_manifest_free(check);
	json_decref(doc);
	free(text);
	return r;
}

const struct tl_contest *
tl_manifest_contest(const struct tl_manifest *m, const char *id)
{
	for (size_t i = 0; i < m->ncontests; i++)
		if (strcmp(m->contests[i].id, id) == 0)
			return &m->contests[i];
	return NULL;
}

size_t
tl_manifest_constituency_index(const struct tl_manifest *m, const char *id)
{
	for (size_t i = 0; i < m->nconstituencies; i++)
		if (strcmp(m->constituencies[i].id, id) == 0)
			return i;
	return (size_t)-1;
}

size_t
tl_contest_candidate_index(const struct tl_contest *c, const char *id)
{
	for (size_t i = 0; i < c->ncandidates; i++)
		if (strcmp(c->candidates[i].id, id) == 0)
			return i;
	return (size_t)-1;
}

void
tl_manifest_free(struct tl_manifest *m)
{
	if (m == NULL)
		return;
	free(m->id);
	free(m->title);
	for (size_t i = 0; i < m->nconstituencies; i++) {
		free(m->constituencies[i].id);
		free(m->constituencies[i].name);
	}
	free(m->constituencies);
	for (size_t i = 0; i < m->ncontests; i++) {
		struct tl_contest *c = &m->contests[i];

		free(c->id);
		free(c->title);
		free(c->constituency);
		for (size_t j = 0; j < c->ncandidates; j++) {
			free(c->candidates[j].id);
			free(c->candidates[j].name);
		}
		free(c->candidates);
		json_decref(c->options);
	}
	free(m->contests);
	for (size_t i = 0; i < m->nrandom_sources; i++) {
		free(m->random_sources[i].name);
		free(m->random_sources[i].description);
	}
	free(m->random_sources);
	free(m->initial_manifest);
	free(m->authority_key);
	tl_witness_list_free(&m->witnesses);
	for (size_t i = 0; i < m->ntrustees; i++) {
		free(m->trustees[i].id);
		free(m->trustees[i].name);
		free(m->trustees[i].identity_key);
	}
	free(m->trustees);
	json_decref(m->json);
	free(m);
}
