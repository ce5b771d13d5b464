/*
 * ballot.c: ballot payloads: parsing with validation against the manifest,
 * and building them from "CONTEST=SELECTION" arguments.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonutil.h"
#include "teller/ballot.h"
#include "teller/roll.h"
#include "teller/util.h"

/* A credential's signature: the size of an RSA modulus of 2048 to 4096
 * bits (credential.h checks it is the class key's). */
#define SIGNATURE_MIN 256
#define SIGNATURE_MAX 512

static const char *const answer_names[] = {"yes", "no", "abstain"};

void
tl_ballot_free(struct tl_ballot *ballot)
{
	if (ballot == NULL)
		return;
	free(ballot->election_id);
	free(ballot->voter_id);
	for (size_t i = 0; i < ballot->nselections; i++)
		free(ballot->selections[i].prefs);
	free(ballot->selections);
	if (ballot->credential != NULL) {
		free(ballot->credential->signature);
		free(ballot->credential);
	}
	if (ballot->sealed != NULL) {
		tl_sealed_free(ballot->sealed);
		free(ballot->sealed);
	}
	free(ballot->spoiled);
	free(ballot);
}

/* Decodes base64 of min to max bytes into out; TL_EINPUT otherwise. */
static int
decode_exact(const char *b64, size_t b64_len, size_t min, size_t max,
    uint8_t *out, size_t *len)
{
	uint8_t *bytes = NULL;
	size_t n = 0;

	if (tl_base64_decode(b64, b64_len, &bytes, &n) != TL_OK)
		return TL_EINPUT;
	if (n < min || n > max) {
		free(bytes);
		return TL_EINPUT;
	}
	memcpy(out, bytes, n);
	free(bytes);
	*len = n;
	return TL_OK;
}

/* A secret ballot's credential, from its parts (the fast path's and the
 * general path's): TL_EINPUT naming the part at fault in err. */
static int
set_credential(struct tl_ballot *ballot, const struct tl_manifest *m,
    const char *ballot_key, const char *constituency, int64_t weight,
    const char *prefix, const char *signature, struct tl_error *err)
{
	struct tl_ballot_credential *c;
	uint8_t sig[SIGNATURE_MAX];
	size_t n = 0;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	ballot->credential = c;
	if (decode_exact(ballot_key, strlen(ballot_key), TL_ED25519_PUBLIC_LEN,
	    TL_ED25519_PUBLIC_LEN, c->ballot_key, &n) != TL_OK)
		return tl_error_set(err, TL_EBALLOT, "ballot.ballot_key: not the "
		    "base64 of a 32-byte Ed25519 public key");
	if (!tl_valid_id(constituency) ||
	    (c->constituency_index = tl_manifest_constituency_index(m,
	    constituency)) == (size_t)-1)
		return tl_error_set(err, TL_EBALLOT, "ballot.credential."
		    "constituency: \"%.64s\" is not a constituency of election %s",
		    constituency, m->id);
	snprintf(c->constituency, sizeof(c->constituency), "%s", constituency);
	if (weight < 1 || weight > TL_WEIGHT_MAX)
		return tl_error_set(err, TL_EBALLOT, "ballot.credential.weight: "
		    "must be 1 to %d", TL_WEIGHT_MAX);
	c->weight = weight;
	if (decode_exact(prefix, strlen(prefix), sizeof(c->prefix),
	    sizeof(c->prefix), c->prefix, &n) != TL_OK)
		return tl_error_set(err, TL_EBALLOT, "ballot.credential.prefix: "
		    "not the base64 of 32 bytes");
	if (decode_exact(signature, strlen(signature), SIGNATURE_MIN,
	    SIGNATURE_MAX, sig, &n) != TL_OK)
		return tl_error_set(err, TL_EBALLOT, "ballot.credential.signature: "
		    "not the base64 of an RSA signature");
	if ((c->signature = malloc(n)) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	memcpy(c->signature, sig, n);
	c->signature_len = n;
	return TL_OK;
}

/* Marks seen candidates; the bitmap is per contest. */
static int
add_candidate(const struct tl_contest *c, const char *id, uint8_t *seen,
    uint32_t flags, struct tl_selection *sel, struct tl_error *err)
{
	size_t ci = tl_contest_candidate_index(c, id);

	if (ci == (size_t)-1)
		return tl_error_set(err, TL_EBALLOT,
		    "contest %s: \"%.64s\" is not one of its candidates", c->id,
		    id);
	if (seen[ci])
		return tl_error_set(err, TL_EBALLOT,
		    "contest %s: candidate %s is marked more than once", c->id,
		    id);
	seen[ci] = 1;
	sel->prefs[sel->n++] = (uint32_t)ci | flags;
	return TL_OK;
}

static int
parse_marks(const struct tl_contest *c, json_t *marks, uint8_t *seen,
    struct tl_selection *sel, struct tl_error *err)
{
	size_t n = json_array_size(marks);
	size_t max = c->method == TL_METHOD_PLURALITY ? c->seats :
	    c->ncandidates;
	int r;

	if (n > max)
		return tl_error_set(err, TL_EBALLOT,
		    "contest %s: %zu marks, but a %s ballot may mark at most "
		    "%zu", c->id, n, tl_method_name(c->method), max);
	if (n != 0 && (sel->prefs = calloc(n, sizeof(uint32_t))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const char *id = json_string_value(json_array_get(marks, i));

		if (id == NULL)
			return tl_error_set(err, TL_EBALLOT,
			    "contest %s: marks[%zu] must be a candidate id",
			    c->id, i);
		if ((r = add_candidate(c, id, seen, i > 0 ? TL_PREF_EQUAL : 0,
		    sel, err)) != TL_OK)
			return r;
	}
	return TL_OK;
}

static int
parse_ranking(const struct tl_contest *c, json_t *ranking, uint8_t *seen,
    struct tl_selection *sel, struct tl_error *err)
{
	size_t total = 0;
	int r;

	for (size_t i = 0; i < json_array_size(ranking); i++) {
		json_t *group = json_array_get(ranking, i);

		if (!json_is_array(group) || json_array_size(group) == 0)
			return tl_error_set(err, TL_EBALLOT,
			    "contest %s: ranking[%zu] must be a non-empty list of "
			    "candidate ids", c->id, i);
		if (json_array_size(group) > 1 &&
		    !tl_method_allows_equal_ranks(c->method))
			return tl_error_set(err, TL_EBALLOT,
			    "contest %s: ranking[%zu] ranks %zu candidates equal, "
			    "which %s does not allow", c->id, i,
			    json_array_size(group), tl_method_name(c->method));
		total += json_array_size(group);
		if (total > c->ncandidates)
			return tl_error_set(err, TL_EBALLOT,
			    "contest %s: the ranking names more candidates than "
			    "the contest has", c->id);
	}
	if (total != 0 && (sel->prefs = calloc(total, sizeof(uint32_t))) ==
	    NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	for (size_t i = 0; i < json_array_size(ranking); i++) {
		json_t *group = json_array_get(ranking, i);

		for (size_t j = 0; j < json_array_size(group); j++) {
			const char *id = json_string_value(json_array_get(group,
			    j));

			if (id == NULL)
				return tl_error_set(err, TL_EBALLOT,
				    "contest %s: ranking[%zu][%zu] must be a "
				    "candidate id", c->id, i, j);
			if ((r = add_candidate(c, id, seen,
			    j > 0 ? TL_PREF_EQUAL : 0, sel, err)) != TL_OK)
				return r;
		}
	}
	return TL_OK;
}

static int
parse_selection(const struct tl_manifest *m, json_t *item, size_t index,
    struct tl_ballot *ballot, uint8_t *voted, uint8_t *seen,
    struct tl_error *err)
{
	static const char *const keys[] = {"contest", "marks", "ranking",
	    "answer", NULL};
	const struct tl_contest *c;
	struct tl_selection *sel = &ballot->selections[ballot->nselections];
	const char *contest, *answer;
	json_t *marks, *ranking;
	char where[64];
	size_t ci;
	int r, given;

	snprintf(where, sizeof(where), "ballot: selections[%zu]", index);
	if (!json_is_object(item))
		return tl_error_set(err, TL_EBALLOT, "%s: must be an object",
		    where);
	if ((r = tl_json_only_keys(item, keys, where, TL_EBALLOT, err)) !=
	    TL_OK ||
	    (r = tl_json_string(item, "contest", 1, where, TL_EBALLOT,
	    &contest, err)) != TL_OK ||
	    (r = tl_json_array(item, "marks", 0, where, TL_EBALLOT, &marks,
	    err)) != TL_OK ||
	    (r = tl_json_array(item, "ranking", 0, where, TL_EBALLOT, &ranking,
	    err)) != TL_OK ||
	    (r = tl_json_string(item, "answer", 0, where, TL_EBALLOT, &answer,
	    err)) != TL_OK)
		return r;
	if ((c = tl_manifest_contest(m, contest)) == NULL)
		return tl_error_set(err, TL_EBALLOT,
		    "%s: \"%.64s\" is not a contest of election %s", where,
		    contest, m->id);
	ci = (size_t)(c - m->contests);
	if (voted[ci])
		return tl_error_set(err, TL_EBALLOT,
		    "contest %s: the ballot has two selections for it", c->id);
	voted[ci] = 1;
	given = (marks != NULL) + (ranking != NULL) + (answer != NULL);
	sel->contest_index = ci;
	sel->n = 0;
	sel->prefs = NULL;
	ballot->nselections++;
	switch (tl_method_selection_kind(c->method)) {
	case TL_SELECTION_MARKS:
		if (given != 1 || marks == NULL)
			return tl_error_set(err, TL_EBALLOT,
			    "contest %s: a %s selection is \"marks\": [...]",
			    c->id, tl_method_name(c->method));
		memset(seen, 0, c->ncandidates);
		return parse_marks(c, marks, seen, sel, err);
	case TL_SELECTION_RANKING:
		if (given != 1 || ranking == NULL)
			return tl_error_set(err, TL_EBALLOT,
			    "contest %s: a %s selection is \"ranking\": [[...], "
			    "...]", c->id, tl_method_name(c->method));
		memset(seen, 0, c->ncandidates);
		return parse_ranking(c, ranking, seen, sel, err);
	case TL_SELECTION_ANSWER:
		if (given != 1 || answer == NULL)
			return tl_error_set(err, TL_EBALLOT,
			    "contest %s: a referendum selection is \"answer\": "
			    "\"yes\", \"no\" or \"abstain\"", c->id);
		if ((sel->prefs = calloc(1, sizeof(uint32_t))) == NULL)
			return tl_error_set(err, TL_ENOMEM, "out of memory");
		for (uint32_t a = 0; a < 3; a++) {
			if (strcmp(answer, answer_names[a]) == 0) {
				sel->prefs[0] = a;
				sel->n = 1;
				return TL_OK;
			}
		}
		return tl_error_set(err, TL_EBALLOT,
		    "contest %s: answer \"%.32s\" is not yes, no or abstain",
		    c->id, answer);
	}
	return tl_error_set(err, TL_EINTERNAL, "unknown selection kind");
}

/*
 * tl_ballot_parse_canonical: the fast path of tl_ballot_parse, for a
 * payload in exactly the form tl_ballot_build writes (see the scanner in
 * jsonutil.h): a record's ballots are read by the hundred thousand.  It
 * accepts only what the general path accepts, with the same ballot; for
 * anything else (another form, or any problem at all) it returns
 * TL_EINPUT and tl_ballot_parse reads the payload with Jansson, which also
 * says what is wrong.
 */

/* Longer strings than this are left to the general path. */
#define FAST_STRING_CAP 256

/* Candidate ids up to the closing ']' of a list, appended to sel (at most
 * max in all) with TL_PREF_EQUAL on all but the first of the list. */
static int
take_candidates(const char **p, const char *end, const struct tl_contest *c,
    size_t max, uint8_t *seen, struct tl_selection *sel)
{
	char id[FAST_STRING_CAP];
	size_t first = sel->n, ci;

	if (TL_JSON_TAKE(p, end, "]"))
		return 1;
	do {
		if (!TL_JSON_TAKE(p, end, "\"") ||
		    !tl_json_take_string(p, end, id, sizeof(id)) ||
		    sel->n >= max ||
		    (ci = tl_contest_candidate_index(c, id)) == (size_t)-1 ||
		    seen[ci])
			return 0;
		seen[ci] = 1;
		sel->prefs[sel->n] = (uint32_t)ci |
		    (sel->n > first ? TL_PREF_EQUAL : 0);
		sel->n++;
	} while (TL_JSON_TAKE(p, end, ","));
	return TL_JSON_TAKE(p, end, "]");
}

/* The part of a selection after its contest, up to its closing brace. */
static int
take_selection(const char **p, const char *end, const struct tl_contest *c,
    uint8_t *seen, struct tl_selection *sel)
{
	char answer[16];
	size_t group;

	memset(seen, 0, c->ncandidates);
	switch (tl_method_selection_kind(c->method)) {
	case TL_SELECTION_MARKS:
		return TL_JSON_TAKE(p, end, ",\"marks\":[") &&
		    take_candidates(p, end, c, c->method == TL_METHOD_PLURALITY ?
		    c->seats : c->ncandidates, seen, sel) &&
		    TL_JSON_TAKE(p, end, "}");
	case TL_SELECTION_RANKING:
		if (!TL_JSON_TAKE(p, end, ",\"ranking\":["))
			return 0;
		if (TL_JSON_TAKE(p, end, "]}"))
			return 1;
		do {
			group = sel->n;
			if (!TL_JSON_TAKE(p, end, "[") ||
			    !take_candidates(p, end, c, c->ncandidates, seen,
			    sel) || sel->n == group ||
			    (sel->n - group > 1 &&
			    !tl_method_allows_equal_ranks(c->method)))
				return 0;
		} while (TL_JSON_TAKE(p, end, ","));
		return TL_JSON_TAKE(p, end, "]}");
	case TL_SELECTION_ANSWER:
		if (!TL_JSON_TAKE(p, end, ",\"answer\":\"") ||
		    !tl_json_take_string(p, end, answer, sizeof(answer)) ||
		    !TL_JSON_TAKE(p, end, "}"))
			return 0;
		for (uint32_t a = 0; a < 3; a++)
			if (strcmp(answer, answer_names[a]) == 0) {
				sel->prefs[0] = a;
				sel->n = 1;
				return 1;
			}
		return 0;
	}
	return 0;
}

/*
 * The selections of a ballot in the compact form, from just after the '['
 * of their array through its ']', into ballot->selections (which must be
 * NULL).  TL_OK, TL_EINPUT (another form, or not valid: the caller frees
 * what is in ballot->selections, with the ballot or drop_selections) or
 * TL_ENOMEM.
 */
static int
take_selections(const char **p, const char *end,
    const struct tl_manifest *manifest, struct tl_ballot *ballot)
{
	char contest[FAST_STRING_CAP];
	uint8_t *voted, *seen;
	size_t maxcand = 1;
	int r = TL_EINPUT;

	for (size_t i = 0; i < manifest->ncontests; i++)
		if (manifest->contests[i].ncandidates > maxcand)
			maxcand = manifest->contests[i].ncandidates;
	if ((voted = calloc(manifest->ncontests + maxcand, 1)) == NULL ||
	    (manifest->ncontests != 0 && (ballot->selections = calloc(
	    manifest->ncontests, sizeof(*ballot->selections))) == NULL)) {
		free(voted);
		return TL_ENOMEM;
	}
	seen = voted + manifest->ncontests;
	for (size_t i = 0; !TL_JSON_TAKE(p, end, "]"); i++) {
		const struct tl_contest *c;
		struct tl_selection *sel;
		size_t ci, cap;

		if ((i > 0 && !TL_JSON_TAKE(p, end, ",")) ||
		    i >= manifest->ncontests ||
		    !TL_JSON_TAKE(p, end, "{\"contest\":\"") ||
		    !tl_json_take_string(p, end, contest, sizeof(contest)) ||
		    (c = tl_manifest_contest(manifest, contest)) == NULL)
			goto out;
		ci = (size_t)(c - manifest->contests);
		if (voted[ci])
			goto out;
		voted[ci] = 1;
		sel = &ballot->selections[ballot->nselections++];
		sel->contest_index = ci;
		cap = c->method == TL_METHOD_REFERENDUM ? 1 : c->ncandidates;
		if (cap != 0 && (sel->prefs = malloc(cap *
		    sizeof(uint32_t))) == NULL) {
			r = TL_ENOMEM;
			goto out;
		}
		if (!take_selection(p, end, c, seen, sel))
			goto out;
		if (sel->n == 0) {
			free(sel->prefs);
			sel->prefs = NULL;
		}
	}
	if (ballot->nselections == 0) {
		free(ballot->selections);
		ballot->selections = NULL;
	}
	r = TL_OK;
 out:
	free(voted);
	return r;
}

/* tl_json_take_base64, for a string of at most maxlen characters. */
static int
take_base64(const char **p, const char *end, size_t maxlen, uint8_t **out,
    size_t *outlen)
{
	if (tl_json_quoted_len(*p, end) > maxlen ||
	    !tl_json_take_base64(p, end, out, outlen))
		return TL_EINPUT;
	return TL_OK;
}

/*
 * A sealed ballot's "sealed" member as tl_sealed_to_json writes it, from
 * just after its "selections" member's opening quote through the
 * member's closing brace:
 *   ...","shares":["S1",...,"Sn"]}
 * with one share per trustee; into ballot->sealed.
 */
static int
take_sealed(const char **p, const char *end,
    const struct tl_manifest *manifest, struct tl_ballot *ballot)
{
	struct tl_sealed *s;
	uint8_t *raw = NULL;
	size_t len = 0;

	if (manifest->ntrustees == 0 ||
	    manifest->ntrustees > TL_SEAL_MAX_TRUSTEES)
		return TL_EINPUT;
	if ((s = ballot->sealed = calloc(1, sizeof(*s))) == NULL ||
	    (s->shares = calloc(manifest->ntrustees, sizeof(*s->shares))) ==
	    NULL)
		return TL_ENOMEM;
	s->nshares = manifest->ntrustees;
	if (take_base64(p, end, (TL_SEALED_PLAINTEXT_MAX + TL_SEAL_OVERHEAD +
	    2) / 3 * 4, &s->selections, &s->selections_len) != TL_OK ||
	    s->selections_len < TL_SEAL_OVERHEAD ||
	    !TL_JSON_TAKE(p, end, ",\"shares\":["))
		return TL_EINPUT;
	for (size_t i = 0; i < s->nshares; i++) {
		if ((i > 0 && !TL_JSON_TAKE(p, end, ",")) ||
		    !TL_JSON_TAKE(p, end, "\"") ||
		    take_base64(p, end, (TL_SEAL_SHARE_LEN + 2) / 3 * 4, &raw,
		    &len) != TL_OK)
			return TL_EINPUT;
		if (len == TL_SEAL_SHARE_LEN)
			memcpy(s->shares[i], raw, TL_SEAL_SHARE_LEN);
		free(raw);
		if (len != TL_SEAL_SHARE_LEN)
			return TL_EINPUT;
	}
	return TL_JSON_TAKE(p, end, "]}") ? TL_OK : TL_EINPUT;
}

int
tl_ballot_parse_canonical(const char *payload, size_t len,
    const struct tl_manifest *manifest, const char *manifest_hash,
    struct tl_ballot **out)
{
	const char *p = payload, *end = payload + len;
	char election[FAST_STRING_CAP], voter[FAST_STRING_CAP];
	char hash[TL_HASH_HEX_LEN + 2];
	char key[FAST_STRING_CAP], prefix[FAST_STRING_CAP];
	char signature[SIGNATURE_MAX / 3 * 4 + 8];
	int secret = manifest->secrecy == TL_SECRECY_SECRET;
	int sealed = tl_manifest_sealed(manifest);
	struct tl_ballot *ballot = NULL;
	int64_t seq, weight = 0;
	int r = TL_EINPUT;

	if (sealed && !secret)
		return TL_EINPUT;
	if (!TL_JSON_TAKE(&p, end, "{\"election\":\"") ||
	    !tl_json_take_string(&p, end, election, sizeof(election)) ||
	    strcmp(election, manifest->id) != 0 ||
	    !TL_JSON_TAKE(&p, end, ",\"manifest\":\"") ||
	    !tl_json_take_string(&p, end, hash, sizeof(hash)) ||
	    strlen(hash) != TL_HASH_HEX_LEN ||
	    (manifest_hash != NULL && strcmp(hash, manifest_hash) != 0))
		return TL_EINPUT;
	/* A voter, or in a secret election a ballot key and credential. */
	if (!secret ? !TL_JSON_TAKE(&p, end, ",\"voter\":\"") ||
	    !tl_json_take_string(&p, end, voter, sizeof(voter)) ||
	    !tl_valid_id(voter) :
	    !TL_JSON_TAKE(&p, end, ",\"ballot_key\":\"") ||
	    !tl_json_take_string(&p, end, key, sizeof(key)) ||
	    !TL_JSON_TAKE(&p, end, ",\"credential\":{\"constituency\":\"") ||
	    !tl_json_take_string(&p, end, voter, sizeof(voter)) ||
	    !TL_JSON_TAKE(&p, end, ",\"weight\":") ||
	    !tl_json_take_positive(&p, end, TL_WEIGHT_MAX, &weight) ||
	    !TL_JSON_TAKE(&p, end, ",\"prefix\":\"") ||
	    !tl_json_take_string(&p, end, prefix, sizeof(prefix)) ||
	    !TL_JSON_TAKE(&p, end, ",\"signature\":\"") ||
	    !tl_json_take_string(&p, end, signature, sizeof(signature)) ||
	    !TL_JSON_TAKE(&p, end, "}"))
		return TL_EINPUT;
	/* The selections, or in a sealed election the sealed member. */
	if (!TL_JSON_TAKE(&p, end, ",\"seq\":") ||
	    !tl_json_take_positive(&p, end, INT64_MAX / 2, &seq) ||
	    !(sealed ? TL_JSON_TAKE(&p, end,
	    ",\"sealed\":{\"selections\":\"") :
	    TL_JSON_TAKE(&p, end, ",\"selections\":[")))
		return TL_EINPUT;
	if ((ballot = calloc(1, sizeof(*ballot))) == NULL ||
	    (ballot->election_id = strdup(election)) == NULL ||
	    (!secret && (ballot->voter_id = strdup(voter)) == NULL)) {
		r = TL_ENOMEM;
		goto out;
	}
	if (secret && (r = set_credential(ballot, manifest, key, voter, weight,
	    prefix, signature, NULL)) != TL_OK) {
		if (r != TL_ENOMEM)
			r = TL_EINPUT;
		goto out;
	}
	memcpy(ballot->manifest_hash, hash, TL_HASH_HEX_LEN + 1);
	ballot->seq = seq;
	if ((r = sealed ? take_sealed(&p, end, manifest, ballot) :
	    take_selections(&p, end, manifest, ballot)) != TL_OK)
		goto out;
	if (!TL_JSON_TAKE(&p, end, "}") || p != end) {
		r = TL_EINPUT;
		goto out;
	}
	*out = ballot;
	ballot = NULL;
	r = TL_OK;
 out:
	tl_ballot_free(ballot);
	return r;
}

int
tl_ballot_parse(const char *payload, size_t len,
    const struct tl_manifest *manifest, const char *manifest_hash,
    struct tl_ballot **out, struct tl_error *err)
{
	static const char *const keys[] = {"election", "manifest", "voter",
	    "seq", "selections", NULL};
	static const char *const secret_keys[] = {"election", "manifest",
	    "ballot_key", "credential", "seq", "selections", NULL};
	static const char *const sealed_keys[] = {"election", "manifest",
	    "ballot_key", "credential", "seq", "sealed", NULL};
	int sealed = tl_manifest_sealed(manifest);
	static const char *const credential_keys[] = {"constituency", "weight",
	    "prefix", "signature", NULL};
	int secret = manifest->secrecy == TL_SECRECY_SECRET;
	struct tl_ballot *ballot = NULL;
	json_t *root = NULL, *selections = NULL, *credential = NULL;
	const char *election, *hash, *voter = NULL, *ballot_key = NULL;
	const char *constituency = NULL, *prefix = NULL, *signature = NULL;
	int64_t weight = 0;
	uint8_t *voted = NULL, *seen = NULL;
	size_t maxcand = 1;
	int64_t seq = 0;
	int r;

	if (len <= TL_BALLOT_MAX && (r = tl_ballot_parse_canonical(payload, len,
	    manifest, manifest_hash, out)) != TL_EINPUT) {
		if (r != TL_OK)
			tl_error_set(err, r, "out of memory");
		return r;
	}
	if ((r = tl_json_load(payload, len, TL_BALLOT_MAX, "ballot",
	    TL_EBALLOT, &root, err)) != TL_OK)
		return r;
	if (!json_is_object(root)) {
		r = tl_error_set(err, TL_EBALLOT, "ballot: must be a JSON object");
		goto out;
	}
	if (secret && json_object_get(root, "voter") != NULL) {
		r = tl_error_set(err, TL_EBALLOT, "ballot.voter: election %s is "
		    "secret; its ballots name no voter (make one with 'teller "
		    "ballot make --credential')", manifest->id);
		goto out;
	}
	if (!secret && json_object_get(root, "credential") != NULL) {
		r = tl_error_set(err, TL_EBALLOT, "ballot.credential: election %s "
		    "is open; its ballots name their voter and carry no "
		    "credential", manifest->id);
		goto out;
	}
	if (sealed && json_object_get(root, "selections") != NULL) {
		r = tl_error_set(err, TL_EBALLOT, "ballot.selections: election "
		    "%s seals its ballots until the close; a ballot carries its "
		    "selections sealed (\"sealed\"), never in the clear",
		    manifest->id);
		goto out;
	}
	if ((r = tl_json_only_keys(root, sealed ? sealed_keys : secret ?
	    secret_keys : keys, "ballot", TL_EBALLOT, err)) != TL_OK ||
	    (r = tl_json_string(root, "election", 1, "ballot", TL_EBALLOT,
	    &election, err)) != TL_OK ||
	    (r = tl_json_string(root, "manifest", 1, "ballot", TL_EBALLOT,
	    &hash, err)) != TL_OK ||
	    (!secret && (r = tl_json_string(root, "voter", 1, "ballot",
	    TL_EBALLOT, &voter, err)) != TL_OK) ||
	    (secret && (r = tl_json_string(root, "ballot_key", 1, "ballot",
	    TL_EBALLOT, &ballot_key, err)) != TL_OK) ||
	    (secret && (r = tl_json_object(root, "credential", 1, "ballot",
	    TL_EBALLOT, &credential, err)) != TL_OK) ||
	    (secret && (r = tl_json_only_keys(credential, credential_keys,
	    "ballot.credential", TL_EBALLOT, err)) != TL_OK) ||
	    (secret && (r = tl_json_string(credential, "constituency", 1,
	    "ballot.credential", TL_EBALLOT, &constituency, err)) != TL_OK) ||
	    (secret && (r = tl_json_int(credential, "weight", 1, 1,
	    TL_WEIGHT_MAX, "ballot.credential", TL_EBALLOT, &weight, err)) !=
	    TL_OK) ||
	    (secret && (r = tl_json_string(credential, "prefix", 1,
	    "ballot.credential", TL_EBALLOT, &prefix, err)) != TL_OK) ||
	    (secret && (r = tl_json_string(credential, "signature", 1,
	    "ballot.credential", TL_EBALLOT, &signature, err)) != TL_OK) ||
	    (r = tl_json_int(root, "seq", 1, 1, INT64_MAX / 2, "ballot",
	    TL_EBALLOT, &seq, err)) != TL_OK ||
	    (!sealed && (r = tl_json_array(root, "selections", 1, "ballot",
	    TL_EBALLOT, &selections, err)) != TL_OK))
		goto out;
	if (strcmp(election, manifest->id) != 0) {
		r = tl_error_set(err, TL_EWRONGELECTION,
		    "ballot is for election \"%.64s\", not %s", election,
		    manifest->id);
		goto out;
	}
	if (manifest_hash != NULL && strcmp(hash, manifest_hash) != 0) {
		r = tl_error_set(err, TL_EWRONGELECTION,
		    "ballot names manifest %.16s..., but election %s has "
		    "manifest %.16s...", hash, manifest->id, manifest_hash);
		goto out;
	}
	if (!secret && !tl_valid_id(voter)) {
		r = tl_error_set(err, TL_EBALLOT,
		    "ballot.voter: \"%.64s\" is not a valid voter id", voter);
		goto out;
	}
	if (json_array_size(selections) > manifest->ncontests) {
		r = tl_error_set(err, TL_EBALLOT,
		    "ballot: %zu selections, but election %s has %zu contests",
		    json_array_size(selections), manifest->id,
		    manifest->ncontests);
		goto out;
	}
	for (size_t i = 0; i < manifest->ncontests; i++)
		if (manifest->contests[i].ncandidates > maxcand)
			maxcand = manifest->contests[i].ncandidates;
	ballot = calloc(1, sizeof(*ballot));
	voted = calloc(manifest->ncontests, 1);
	seen = calloc(maxcand, 1);
	if (ballot == NULL || voted == NULL || seen == NULL ||
	    (ballot->election_id = strdup(election)) == NULL ||
	    (!secret && (ballot->voter_id = strdup(voter)) == NULL) ||
	    (json_array_size(selections) != 0 &&
	    (ballot->selections = calloc(json_array_size(selections),
	    sizeof(*ballot->selections))) == NULL)) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	snprintf(ballot->manifest_hash, sizeof(ballot->manifest_hash), "%s",
	    hash);
	ballot->seq = seq;
	if (secret && (r = set_credential(ballot, manifest, ballot_key,
	    constituency, weight, prefix, signature, err)) != TL_OK)
		goto out;
	if (sealed) {
		if ((ballot->sealed = calloc(1, sizeof(*ballot->sealed))) ==
		    NULL) {
			r = tl_error_set(err, TL_ENOMEM, "out of memory");
			goto out;
		}
		if ((r = tl_sealed_from_json(json_object_get(root, "sealed"),
		    manifest->ntrustees, "ballot.sealed", ballot->sealed, err)) !=
		    TL_OK) {
			if (r == TL_EINPUT)
				r = err != NULL ? (err->code = TL_EBALLOT) :
				    TL_EBALLOT;
			goto out;
		}
	}
	for (size_t i = 0; i < json_array_size(selections); i++)
		if ((r = parse_selection(manifest, json_array_get(selections, i),
		    i, ballot, voted, seen, err)) != TL_OK)
			goto out;
	*out = ballot;
	ballot = NULL;
	r = TL_OK;
 out:
	free(voted);
	free(seen);
	tl_ballot_free(ballot);
	json_decref(root);
	return r;
}

int
tl_ballot_binding(const struct tl_ballot *ballot, struct tl_seal_binding *b)
{
	if (ballot->credential == NULL ||
	    tl_hex_decode(ballot->manifest_hash, b->manifest_hash,
	    sizeof(b->manifest_hash)) != TL_OK)
		return TL_EINPUT;
	b->election = ballot->election_id;
	memcpy(b->ballot_key, ballot->credential->ballot_key,
	    sizeof(b->ballot_key));
	return TL_OK;
}

/* Frees an opened ballot's selections (a sealed ballot has none else). */
static void
drop_selections(struct tl_ballot *ballot)
{
	for (size_t i = 0; i < ballot->nselections; i++)
		free(ballot->selections[i].prefs);
	free(ballot->selections);
	ballot->selections = NULL;
	ballot->nselections = 0;
}

/* The selections of an opened ballot: text, a JSON array as an open
 * ballot's "selections" member, of the ballot's class.  The compact form
 * the voter's side writes is read by the fast path (take_selections);
 * anything else by Jansson, which also says what is wrong. */
static int
read_opened(struct tl_ballot *ballot, const struct tl_manifest *m,
    const char *text, size_t len, struct tl_error *err)
{
	const char *p = text, *end = text + len;
	json_t *array = NULL;
	uint8_t *voted = NULL, *seen = NULL;
	size_t maxcand = 1;
	int r;

	if (len <= TL_BALLOT_MAX && TL_JSON_TAKE(&p, end, "[")) {
		if ((r = take_selections(&p, end, m, ballot)) == TL_OK &&
		    p == end)
			return tl_ballot_check_constituency(ballot, m,
			    ballot->credential->constituency_index, err);
		drop_selections(ballot);
		if (r == TL_ENOMEM)
			return tl_error_set(err, r, "out of memory");
	}
	if ((r = tl_json_load(text, len, TL_BALLOT_MAX, "the selections",
	    TL_EBALLOT, &array, err)) != TL_OK)
		return r;
	if (!json_is_array(array) || json_array_size(array) > m->ncontests) {
		r = tl_error_set(err, TL_EBALLOT, "not an array of at most %zu "
		    "selections", m->ncontests);
		goto out;
	}
	for (size_t i = 0; i < m->ncontests; i++)
		if (m->contests[i].ncandidates > maxcand)
			maxcand = m->contests[i].ncandidates;
	voted = calloc(m->ncontests, 1);
	seen = calloc(maxcand, 1);
	if (voted == NULL || seen == NULL || (json_array_size(array) != 0 &&
	    (ballot->selections = calloc(json_array_size(array),
	    sizeof(*ballot->selections))) == NULL)) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < json_array_size(array); i++)
		if ((r = parse_selection(m, json_array_get(array, i), i, ballot,
		    voted, seen, err)) != TL_OK)
			goto out;
	r = tl_ballot_check_constituency(ballot, m,
	    ballot->credential->constituency_index, err);
 out:
	free(voted);
	free(seen);
	json_decref(array);
	return r;
}

/* Marks the ballot spoiled for reason, which is prefix then detail. */
static int
spoil(struct tl_ballot *ballot, const char *prefix, const char *detail)
{
	char reason[TL_BALLOT_REASON_MAX];

	snprintf(reason, sizeof(reason), "%s%s", prefix, detail);
	drop_selections(ballot);
	free(ballot->spoiled);
	return (ballot->spoiled = strdup(reason)) != NULL ? TL_OK : TL_ENOMEM;
}

int
tl_ballot_open(struct tl_ballot *ballot, const struct tl_manifest *m,
    const struct tl_hpke_key *const *keys, const uint8_t *indices,
    unsigned count, struct tl_error *err)
{
	struct tl_seal_binding b;
	struct tl_error why;
	enum tl_sealed_outcome outcome = TL_SEALED_OPEN;
	unsigned trustee = 0;
	char *text = NULL;
	size_t len = 0;
	int r;

	if (ballot->sealed == NULL || tl_ballot_binding(ballot, &b) != TL_OK)
		return tl_error_set(err, TL_EINPUT, "the ballot is not sealed");
	r = tl_sealed_open(ballot->sealed, keys, indices, count, &b, &text,
	    &len, &outcome, &trustee);
	ballot->share_unopened = r != TL_OK && outcome == TL_SEALED_SHARE;
	if (r == TL_ENOMEM)
		return tl_error_set(err, r, "out of memory");
	if (r == TL_EINPUT)
		return tl_error_set(err, r, "a trustee index out of range");
	if (r != TL_OK) {
		char share[TL_BALLOT_REASON_MAX];

		snprintf(share, sizeof(share), "share of trustee %s does not "
		    "open", trustee >= 1 && trustee <= m->ntrustees ?
		    m->trustees[trustee - 1].id : "?");
		r = spoil(ballot, outcome == TL_SEALED_SHARE ? share :
		    outcome == TL_SEALED_PADDING ? "padding is not zero" :
		    "selections do not open", "");
		return r == TL_OK ? TL_OK : tl_error_set(err, r,
		    "out of memory");
	}
	tl_error_clear(&why);
	r = read_opened(ballot, m, text, len, &why);
	tl_wipe_free(text);
	if (r == TL_ENOMEM)
		return tl_error_set(err, r, "out of memory");
	if (r != TL_OK && spoil(ballot, "selections are not valid: ",
	    why.message) != TL_OK)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	return TL_OK;
}

size_t
tl_ballot_padded_length(const struct tl_manifest *m, size_t ci)
{
	size_t len = 2, n = 0; /* "[" and "]" */

	for (size_t i = 0; i < m->ncontests; i++) {
		const struct tl_contest *c = &m->contests[i];

		if (c->constituency_index != ci)
			continue;
		len += n++ > 0; /* , */
		len += strlen("{\"contest\":\"\",") + strlen(c->id) + 1;
		switch (tl_method_selection_kind(c->method)) {
		case TL_SELECTION_MARKS:
			len += strlen("\"marks\":[]");
			for (size_t j = 0; j < c->ncandidates; j++)
				len += (j > 0) + strlen(c->candidates[j].id) + 2;
			break;
		case TL_SELECTION_RANKING:
			len += strlen("\"ranking\":[]");
			for (size_t j = 0; j < c->ncandidates; j++)
				len += (j > 0) + strlen(c->candidates[j].id) + 4;
			break;
		case TL_SELECTION_ANSWER:
			len += strlen("\"answer\":\"abstain\"");
			break;
		}
	}
	return len;
}

int
tl_ballot_check_constituency(const struct tl_ballot *ballot,
    const struct tl_manifest *manifest, size_t constituency_index,
    struct tl_error *err)
{
	for (size_t i = 0; i < ballot->nselections; i++) {
		const struct tl_contest *c =
		    &manifest->contests[ballot->selections[i].contest_index];

		if (c->constituency_index == constituency_index)
			continue;
		if (ballot->voter_id == NULL)
			return tl_error_set(err, TL_ENOTONROLL,
			    "the ballot's credential is of constituency %s, not "
			    "of %s, which votes in contest %s",
			    manifest->constituencies[constituency_index].id,
			    c->constituency, c->id);
		return tl_error_set(err, TL_ENOTONROLL,
		    "voter %s is on the roll of constituency %s, not of "
		    "%s, which votes in contest %s", ballot->voter_id,
		    manifest->constituencies[constituency_index].id,
		    c->constituency, c->id);
	}
	return TL_OK;
}

const struct tl_selection *
tl_ballot_selection(const struct tl_ballot *ballot, size_t contest_index)
{
	for (size_t i = 0; i < ballot->nselections; i++)
		if (ballot->selections[i].contest_index == contest_index)
			return &ballot->selections[i];
	return NULL;
}

/* A candidate named by id, or failing that by exact name; its id. */
static const char *
resolve_candidate(const struct tl_contest *c, const char *s)
{
	for (size_t i = 0; i < c->ncandidates; i++)
		if (strcmp(c->candidates[i].id, s) == 0)
			return c->candidates[i].id;
	for (size_t i = 0; i < c->ncandidates; i++)
		if (strcmp(c->candidates[i].name, s) == 0)
			return c->candidates[i].id;
	return s; /* unknown: tl_ballot_parse reports it */
}

/* Trims blanks at both ends, in place. */
static char *
trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

/* Splits s in place at each of the characters in seps into a JSON array
 * of candidate ids. */
static json_t *
split_candidates(const struct tl_contest *c, char *s, char sep)
{
	json_t *list = json_array();
	char *part;

	if (list == NULL)
		return NULL;
	if (*trim(s) == '\0')
		return list;
	for (part = s;;) {
		char *next = strchr(part, sep);

		if (next != NULL)
			*next = '\0';
		if (json_array_append_new(list, json_string(
		    resolve_candidate(c, trim(part)))) != 0) {
			json_decref(list);
			return NULL;
		}
		if (next == NULL)
			break;
		part = next + 1;
	}
	return list;
}

/*
 * Splits a "CONTEST=SELECTION" argument: *copy (caller frees) holds it,
 * *contest is the contest named (by id, blanks trimmed) and *value points
 * at the selection in *copy.
 */
static int
split_vote(const struct tl_manifest *m, const char *vote, char **copy,
    const struct tl_contest **contest, char **value, struct tl_error *err)
{
	char *eq;

	if ((*copy = strdup(vote)) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	if ((eq = strchr(*copy, '=')) == NULL)
		return tl_error_set(err, TL_EUSAGE,
		    "--vote \"%.64s\": expected CONTEST=SELECTION", vote);
	*eq = '\0';
	*value = eq + 1;
	if ((*contest = tl_manifest_contest(m, trim(*copy))) == NULL)
		return tl_error_set(err, TL_EBALLOT,
		    "--vote: \"%.64s\" is not a contest of election %s", *copy,
		    m->id);
	return TL_OK;
}

static int
build_selection(const struct tl_manifest *m, const char *vote, json_t *list,
    struct tl_error *err)
{
	const struct tl_contest *c;
	char *copy = NULL, *value;
	json_t *item = NULL;
	int r;

	if ((r = split_vote(m, vote, &copy, &c, &value, err)) != TL_OK)
		goto out;
	switch (tl_method_selection_kind(c->method)) {
	case TL_SELECTION_MARKS:
		item = json_pack("{s:s, s:o*}", "contest", c->id, "marks",
		    split_candidates(c, value, ','));
		break;
	case TL_SELECTION_RANKING: {
		json_t *ranking = json_array();
		char *group = trim(value);

		while (ranking != NULL && *group != '\0') {
			char *next = strchr(group, '>');
			json_t *g;

			if (next != NULL)
				*next = '\0';
			g = split_candidates(c, group, '=');
			if (g == NULL || json_array_size(g) == 0) {
				json_decref(g);
				json_decref(ranking);
				r = tl_error_set(err, TL_EBALLOT,
				    "contest %s: an empty rank in \"%.64s\"",
				    c->id, vote);
				goto out;
			}
			json_array_append_new(ranking, g);
			if (next == NULL)
				break;
			group = next + 1;
			if (*trim(group) == '\0') {
				json_decref(ranking);
				r = tl_error_set(err, TL_EBALLOT,
				    "contest %s: an empty rank in \"%.64s\"",
				    c->id, vote);
				goto out;
			}
		}
		item = json_pack("{s:s, s:o*}", "contest", c->id, "ranking",
		    ranking);
		break;
	}
	case TL_SELECTION_ANSWER:
		item = json_pack("{s:s, s:s}", "contest", c->id, "answer",
		    trim(value));
		break;
	}
	if (item == NULL || json_array_append_new(list, item) != 0)
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
 out:
	free(copy);
	return r;
}

/* The header of a secret ballot: its ballot key and credential (cred),
 * or of an open ballot: its voter (cred NULL).  A new object. */
static json_t *
ballot_header(const struct tl_manifest *manifest, const char *manifest_hash,
    const char *voter_id, const struct tl_ballot_credential *cred)
{
	char *key = NULL, *prefix = NULL, *sig = NULL;
	json_t *root = NULL;

	if (cred == NULL)
		return json_pack("{s:s, s:s, s:s}", "election", manifest->id,
		    "manifest", manifest_hash, "voter", voter_id);
	if (tl_base64_encode(cred->ballot_key, TL_ED25519_PUBLIC_LEN, &key) ==
	    TL_OK &&
	    tl_base64_encode(cred->prefix, sizeof(cred->prefix), &prefix) ==
	    TL_OK &&
	    tl_base64_encode(cred->signature, cred->signature_len, &sig) ==
	    TL_OK)
		root = json_pack("{s:s, s:s, s:s, s:{s:s, s:I, s:s, s:s}}",
		    "election", manifest->id, "manifest", manifest_hash,
		    "ballot_key", key, "credential", "constituency",
		    cred->constituency, "weight", (json_int_t)cred->weight,
		    "prefix", prefix, "signature", sig);
	free(key);
	free(prefix);
	free(sig);
	return root;
}

/*
 * On the voter's side: the selections (a JSON array, whose reference
 * this takes) checked as the count will read them, then sealed for the
 * manifest's trustees, padded to the length of the class's longest
 * selections (sealed.h); root gets the "sealed" member.
 */
static int
seal_selections(const struct tl_manifest *m, const char *manifest_hash,
    const struct tl_ballot_credential *cred, json_t *selections,
    json_t *root, struct tl_error *err)
{
	uint8_t (*keys)[TL_HPKE_NPK] = NULL;
	struct tl_ballot check;
	struct tl_ballot_credential c = *cred;
	struct tl_seal_binding b;
	struct tl_sealed sealed;
	char *text = NULL;
	size_t len = 0;
	json_t *member;
	int r;

	memset(&check, 0, sizeof(check));
	memset(&sealed, 0, sizeof(sealed));
	if ((r = tl_json_dump(selections, &text, &len)) != TL_OK) {
		r = tl_error_set(err, r, "out of memory");
		goto out;
	}
	check.election_id = m->id;
	snprintf(check.manifest_hash, sizeof(check.manifest_hash), "%s",
	    manifest_hash);
	check.credential = &c;
	if ((r = read_opened(&check, m, text, len, err)) != TL_OK ||
	    (r = tl_ballot_binding(&check, &b)) != TL_OK) {
		if (r == TL_EINPUT)
			r = tl_error_set(err, TL_EBALLOT, "ballot: the manifest "
			    "hash is not a hash");
		goto out;
	}
	if ((keys = calloc(m->ntrustees, sizeof(*keys))) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < m->ntrustees; i++)
		memcpy(keys[i], m->trustees[i].sealing_key, TL_HPKE_NPK);
	if ((r = tl_sealed_make(text, len, tl_ballot_padded_length(m,
	    cred->constituency_index), (const uint8_t (*)[TL_HPKE_NPK])keys,
	    (unsigned)m->ntrustees, m->threshold, &b, &sealed, err)) != TL_OK)
		goto out;
	if ((member = tl_sealed_to_json(&sealed)) == NULL ||
	    json_object_set_new(root, "sealed", member) != 0)
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
 out:
	for (size_t i = 0; i < check.nselections; i++)
		free(check.selections[i].prefs);
	free(check.selections);
	tl_sealed_free(&sealed);
	free(keys);
	tl_wipe_free(text);
	json_decref(selections);
	return r;
}

static int
build(const struct tl_manifest *manifest, const char *manifest_hash,
    const char *voter_id, const struct tl_ballot_credential *cred,
    int64_t seq, const char *const *votes, size_t nvotes, char **out,
    size_t *len, struct tl_error *err)
{
	struct tl_ballot *check = NULL;
	json_t *root = NULL, *selections = json_array();
	char *text = NULL;
	size_t text_len = 0;
	int r;

	if (selections == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	for (size_t i = 0; i < nvotes; i++)
		if ((r = build_selection(manifest, votes[i], selections, err)) !=
		    TL_OK) {
			json_decref(selections);
			return r;
		}
	root = ballot_header(manifest, manifest_hash, voter_id, cred);
	if (root == NULL || json_object_set_new(root, "seq",
	    json_integer((json_int_t)seq)) != 0) {
		json_decref(root);
		json_decref(selections);
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	if (cred != NULL && tl_manifest_sealed(manifest))
		r = seal_selections(manifest, manifest_hash, cred, selections,
		    root, err);
	else
		r = json_object_set_new(root, "selections", selections) != 0 ?
		    tl_error_set(err, TL_ENOMEM, "out of memory") : TL_OK;
	if (r != TL_OK || (r = tl_json_dump(root, &text, &text_len)) !=
	    TL_OK) {
		json_decref(root);
		return r == TL_ENOMEM ? tl_error_set(err, r, "out of memory") :
		    r;
	}
	json_decref(root);
	if ((r = tl_ballot_parse(text, text_len, manifest, manifest_hash, &check,
	    err)) != TL_OK) {
		free(text);
		return r;
	}
	tl_ballot_free(check);
	*out = text;
	if (len != NULL)
		*len = text_len;
	return TL_OK;
}

int
tl_ballot_build(const struct tl_manifest *manifest, const char *manifest_hash,
    const char *voter_id, int64_t seq, const char *const *votes,
    size_t nvotes, char **out, size_t *len, struct tl_error *err)
{
	return build(manifest, manifest_hash, voter_id, NULL, seq, votes,
	    nvotes, out, len, err);
}

int
tl_ballot_build_secret(const struct tl_manifest *manifest,
    const char *manifest_hash, const struct tl_ballot_credential *cred,
    int64_t seq, const char *const *votes, size_t nvotes, char **out,
    size_t *len, struct tl_error *err)
{
	if (cred->signature_len == 0)
		return tl_error_set(err, TL_EUSAGE, "the credential is not "
		    "finished: its request has no answer yet");
	return build(manifest, manifest_hash, NULL, cred, seq, votes, nvotes,
	    out, len, err);
}

/* Notes that contest c is named; all named contests must be of one
 * constituency, *first the first of them. */
static int
same_constituency(const struct tl_contest *c, const struct tl_contest **first,
    struct tl_error *err)
{
	if (*first == NULL) {
		*first = c;
		return TL_OK;
	}
	if ((*first)->constituency_index == c->constituency_index)
		return TL_OK;
	return tl_error_set(err, TL_EBALLOT, "contests %s (constituency %s) "
	    "and %s (constituency %s): a voter votes only in the contests of "
	    "their own constituency", (*first)->id, (*first)->constituency,
	    c->id, c->constituency);
}

/* tl_ballot_make, for an open ballot (voter_id) or a secret one (cred,
 * whose class gives the voter's constituency). */
static int
make(const struct tl_manifest *m, const char *manifest_hash,
    const char *voter_id, const struct tl_ballot_credential *cred,
    int64_t seq, const char *const *votes, size_t nvotes,
    const char *const *blanks, size_t nblanks, int blank_rest, char **out,
    size_t *len, struct tl_error *err)
{
	enum { NONE, VOTED, BLANK };
	uint8_t *given = calloc(m->ncontests + 1, 1);
	size_t *vote_of = calloc(m->ncontests + 1, sizeof(*vote_of));
	char **list = calloc(m->ncontests + 1, sizeof(*list));
	const struct tl_contest *first = NULL, *missing = NULL, *c;
	size_t n = 0;
	int r = TL_OK, empty;

	if (given == NULL || vote_of == NULL || list == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	if (nvotes == 0 && nblanks == 0 && !blank_rest) {
		r = tl_error_set(err, TL_EUSAGE, "no --vote: give --vote "
		    "CONTEST=SELECTION for each contest you vote in; for a "
		    "deliberately blank vote give --blank CONTEST, or "
		    "--blank-all");
		goto out;
	}
	for (size_t i = 0; i < nvotes; i++) {
		size_t ci;

		char *copy = NULL, *value;

		r = split_vote(m, votes[i], &copy, &c, &value, err);
		empty = r == TL_OK && *trim(value) == '\0';
		free(copy);
		if (r != TL_OK)
			goto out;
		ci = (size_t)(c - m->contests);
		if (empty) {
			r = tl_error_set(err, TL_EUSAGE, "--vote \"%.64s\": no "
			    "selection; for a deliberately blank vote in %s "
			    "give --blank %s", votes[i], c->id, c->id);
			goto out;
		}
		if (given[ci] != NONE) {
			r = tl_error_set(err, TL_EUSAGE, "contest %s: more than "
			    "one --vote", c->id);
			goto out;
		}
		given[ci] = VOTED;
		vote_of[ci] = i;
		if ((r = same_constituency(c, &first, err)) != TL_OK)
			goto out;
	}
	for (size_t i = 0; i < nblanks; i++) {
		size_t ci;

		if ((c = tl_manifest_contest(m, blanks[i])) == NULL) {
			r = tl_error_set(err, TL_EBALLOT, "--blank: \"%.64s\" is "
			    "not a contest of election %s", blanks[i], m->id);
			goto out;
		}
		ci = (size_t)(c - m->contests);
		if (given[ci] != NONE) {
			r = tl_error_set(err, TL_EUSAGE, "contest %s: %s",
			    c->id, given[ci] == VOTED ? "both --vote and "
			    "--blank" : "--blank twice");
			goto out;
		}
		given[ci] = BLANK;
		if ((r = same_constituency(c, &first, err)) != TL_OK)
			goto out;
	}
	/* A secret ballot's constituency is its credential's. */
	if (cred != NULL && first != NULL &&
	    first->constituency_index != cred->constituency_index) {
		r = tl_error_set(err, TL_ENOTONROLL, "contest %s is voted in by "
		    "constituency %s, but the credential is of constituency %s",
		    first->id, first->constituency, cred->constituency);
		goto out;
	}
	for (size_t ci = 0; cred != NULL && first == NULL &&
	    ci < m->ncontests; ci++)
		if (m->contests[ci].constituency_index ==
		    cred->constituency_index)
			first = &m->contests[ci];
	/* Nothing named (--blank-all alone): the voter's constituency is
	 * known when only one constituency has contests. */
	if (first == NULL && m->ncontests > 0) {
		size_t k = 1;

		while (k < m->ncontests && m->contests[k].constituency_index ==
		    m->contests[0].constituency_index)
			k++;
		if (k == m->ncontests)
			first = &m->contests[0];
	}
	for (size_t ci = 0; first != NULL && ci < m->ncontests; ci++) {
		c = &m->contests[ci];
		if (c->constituency_index != first->constituency_index)
			continue;
		if (given[ci] == NONE && !blank_rest) {
			if (missing == NULL)
				missing = c;
			continue;
		}
		if (given[ci] == VOTED)
			list[n] = strdup(votes[vote_of[ci]]);
		else if (c->method == TL_METHOD_REFERENDUM)
			continue; /* no blank answer: no selection is blank */
		else if ((list[n] = malloc(strlen(c->id) + 2)) != NULL)
			snprintf(list[n], strlen(c->id) + 2, "%s=", c->id);
		if (list[n++] == NULL) {
			r = tl_error_set(err, TL_ENOMEM, "out of memory");
			goto out;
		}
	}
	/* What was given is checked first, then what was left out. */
	if ((r = build(m, manifest_hash, voter_id, cred, seq,
	    (const char *const *)list, n, out, len, err)) != TL_OK)
		goto out;
	if (missing != NULL) {
		free(*out);
		*out = NULL;
		r = tl_error_set(err, TL_EUSAGE, "contest %s: no --vote and no "
		    "--blank; give --vote %s=SELECTION, or --blank %s for a "
		    "deliberately blank vote (--blank-all: in every contest "
		    "not voted in)", missing->id, missing->id, missing->id);
	}
 out:
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
	free(given);
	free(vote_of);
	return r;
}

int
tl_ballot_make(const struct tl_manifest *m, const char *manifest_hash,
    const char *voter_id, int64_t seq, const char *const *votes,
    size_t nvotes, const char *const *blanks, size_t nblanks,
    int blank_rest, char **out, size_t *len, struct tl_error *err)
{
	return make(m, manifest_hash, voter_id, NULL, seq, votes, nvotes,
	    blanks, nblanks, blank_rest, out, len, err);
}

int
tl_ballot_make_secret(const struct tl_manifest *m, const char *manifest_hash,
    const struct tl_ballot_credential *cred, int64_t seq,
    const char *const *votes, size_t nvotes, const char *const *blanks,
    size_t nblanks, int blank_rest, char **out, size_t *len,
    struct tl_error *err)
{
	if (cred->signature_len == 0)
		return tl_error_set(err, TL_EUSAGE, "the credential is not "
		    "finished: its request has no answer yet");
	return make(m, manifest_hash, NULL, cred, seq, votes, nvotes, blanks,
	    nblanks, blank_rest, out, len, err);
}
