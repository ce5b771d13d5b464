/*
 * statement.c: reading and writing the payloads of the election cycle's
 * log entries (statement.h): their form only, every member checked and
 * named in errors.  The voters' payloads (endorsements, challenges) come
 * from outside and are read under size limits before anything else.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonutil.h"
#include "teller/crypto.h"
#include "teller/hpke.h"
#include "teller/statement.h"
#include "teller/util.h"

/* The largest authority statement: a decision with the longest text,
 * every byte of it escaped. */
#define AUTHORITY_MAX (8 * TL_STATEMENT_TEXT_MAX)

static int
load_object(const char *payload, size_t len, size_t max, const char *what,
    const char *const *keys, json_t **out, struct tl_error *err)
{
	return tl_json_load_object(payload, len, max, what, keys, TL_EINPUT,
	    out, err);
}

static int
get_id(json_t *obj, const char *key, const char *what, char out[TL_ID_SIZE],
    struct tl_error *err)
{
	return tl_json_id(obj, key, what, TL_EINPUT, out, err);
}

static int
get_hash(json_t *obj, const char *key, const char *what,
    char out[TL_HASH_SIZE], struct tl_error *err)
{
	return tl_json_hash(obj, key, what, TL_EINPUT, out, err);
}

/* A time member; optional ones leave *present 0 when absent. */
static int
get_time(json_t *obj, const char *key, int required, const char *what,
    int *present, int64_t *out, struct tl_error *err)
{
	const char *s;
	int r;

	if ((r = tl_json_string(obj, key, required, what, TL_EINPUT, &s,
	    err)) != TL_OK)
		return r;
	if (present != NULL)
		*present = s != NULL;
	if (s == NULL)
		return TL_OK;
	if (tl_time_parse(s, out) != TL_OK)
		return tl_error_set(err, TL_EINPUT, "%s.%s: \"%.64s\" is not a UTC "
		    "time like 2026-11-22T10:00:00Z", what, key, s);
	return TL_OK;
}

int
tl_statement_text_valid(const char *text)
{
	size_t len = strlen(text);
	json_t *probe;

	if (len == 0 || len > TL_STATEMENT_TEXT_MAX)
		return 0;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') ||
		    *p == 0x7f)
			return 0;
	/* Jansson takes only valid UTF-8. */
	if ((probe = json_string(text)) == NULL)
		return 0;
	json_decref(probe);
	return 1;
}

static int
get_statement_text(json_t *obj, const char *what, char **out,
    struct tl_error *err)
{
	const char *s;
	int r;

	if ((r = tl_json_string(obj, "text", 1, what, TL_EINPUT, &s, err)) !=
	    TL_OK)
		return r;
	if (!tl_statement_text_valid(s))
		return tl_error_set(err, TL_EINPUT, "%s.text: must be 1 to %d "
		    "bytes with no control character but tab and line ends",
		    what, TL_STATEMENT_TEXT_MAX);
	if ((*out = strdup(s)) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	return TL_OK;
}

/* --- nominations: candidate statements and petitions -------------------- */

int
tl_nomination_parse(const char *payload, size_t len, const char *what,
    struct tl_nomination *out, struct tl_error *err)
{
	static const char *const keys[] = {"election", "manifest", "contest",
	    "candidate", "time", NULL};
	static const char *const candidate_keys[] = {"id", "name", NULL};
	struct tl_nomination n;
	json_t *root = NULL, *candidate;
	const char *name;
	char where[64];
	int r;

	memset(&n, 0, sizeof(n));
	if ((r = load_object(payload, len, AUTHORITY_MAX, what, keys, &root,
	    err)) != TL_OK)
		return r;
	snprintf(where, sizeof(where), "%s.candidate", what);
	if ((r = get_id(root, "election", what, n.election, err)) != TL_OK ||
	    (r = get_hash(root, "manifest", what, n.manifest, err)) != TL_OK ||
	    (r = get_id(root, "contest", what, n.contest, err)) != TL_OK ||
	    (r = tl_json_object(root, "candidate", 1, what, TL_EINPUT,
	    &candidate, err)) != TL_OK ||
	    (r = tl_json_only_keys(candidate, candidate_keys, where, TL_EINPUT,
	    err)) != TL_OK ||
	    (r = get_id(candidate, "id", where, n.candidate, err)) != TL_OK ||
	    (r = tl_json_string(candidate, "name", 1, where, TL_EINPUT, &name,
	    err)) != TL_OK ||
	    (r = get_time(root, "time", 1, what, NULL, &n.time, err)) != TL_OK)
		goto out;
	if (!tl_candidate_id_valid(n.candidate)) {
		r = tl_error_set(err, TL_EINPUT, "%s.id: \"%s\" is reserved: "
		    "the count reports name the non-transferable papers so",
		    where, n.candidate);
		goto out;
	}
	if (*name == '\0' || strlen(name) > 200) {
		r = tl_error_set(err, TL_EINPUT, "%s.name: must be 1 to 200 "
		    "bytes", where);
		goto out;
	}
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			r = tl_error_set(err, TL_EINPUT, "%s.name: contains a "
			    "control character", where);
			goto out;
		}
	if ((n.name = strdup(name)) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	*out = n;
	memset(&n, 0, sizeof(n));
 out:
	tl_nomination_free(&n);
	json_decref(root);
	return r;
}

void
tl_nomination_free(struct tl_nomination *n)
{
	if (n == NULL)
		return;
	free(n->name);
	n->name = NULL;
}

/* --- endorsements --------------------------------------------------------- */

int
tl_endorsement_parse(const char *payload, size_t len,
    struct tl_endorsement *out, struct tl_error *err)
{
	static const char *const keys[] = {"election", "petition", "voter",
	    NULL};
	struct tl_endorsement e;
	json_t *root = NULL;
	int r;

	memset(&e, 0, sizeof(e));
	if ((r = load_object(payload, len, TL_ENDORSEMENT_MAX, "endorsement",
	    keys, &root, err)) != TL_OK)
		return r;
	if ((r = get_id(root, "election", "endorsement", e.election, err)) ==
	    TL_OK &&
	    (r = get_hash(root, "petition", "endorsement", e.petition, err)) ==
	    TL_OK &&
	    (r = get_id(root, "voter", "endorsement", e.voter, err)) == TL_OK)
		*out = e;
	json_decref(root);
	return r;
}

/* --- amendments ------------------------------------------------------------ */

int
tl_amendment_parse(const char *payload, size_t len, struct tl_amendment *out,
    struct tl_error *err)
{
	static const char *const keys[] = {"election", "manifest", "phase",
	    "opens", "closes", "time", NULL};
	struct tl_amendment a;
	json_t *root = NULL;
	const char *phase;
	int r, p;

	memset(&a, 0, sizeof(a));
	if ((r = load_object(payload, len, AUTHORITY_MAX, "amendment", keys,
	    &root, err)) != TL_OK)
		return r;
	if ((r = get_id(root, "election", "amendment", a.election, err)) !=
	    TL_OK ||
	    (r = get_hash(root, "manifest", "amendment", a.manifest, err)) !=
	    TL_OK ||
	    (r = tl_json_string(root, "phase", 1, "amendment", TL_EINPUT,
	    &phase, err)) != TL_OK ||
	    (r = get_time(root, "opens", 0, "amendment", &a.has_opens, &a.opens,
	    err)) != TL_OK ||
	    (r = get_time(root, "closes", 0, "amendment", &a.has_closes,
	    &a.closes, err)) != TL_OK ||
	    (r = get_time(root, "time", 1, "amendment", NULL, &a.time, err)) !=
	    TL_OK)
		goto out;
	if ((p = tl_phase_from_name(phase)) < 0) {
		r = tl_error_set(err, TL_EINPUT, "amendment.phase: \"%.64s\" is "
		    "not a phase (nominations, petitions, voting, challenge)",
		    phase);
		goto out;
	}
	a.phase = (enum tl_phase)p;
	if (!a.has_opens && !a.has_closes) {
		r = tl_error_set(err, TL_EINPUT, "amendment: gives neither opens "
		    "nor closes");
		goto out;
	}
	*out = a;
 out:
	json_decref(root);
	return r;
}

/* --- certification, challenges, decisions, final ------------------------- */

int
tl_certification_parse(const char *payload, size_t len,
    struct tl_certification *out, struct tl_error *err)
{
	static const char *const keys[] = {"election", "manifest", "result",
	    "time", NULL};
	struct tl_certification c;
	json_t *root = NULL;
	int r;

	memset(&c, 0, sizeof(c));
	if ((r = load_object(payload, len, AUTHORITY_MAX, "certification", keys,
	    &root, err)) != TL_OK)
		return r;
	if ((r = get_id(root, "election", "certification", c.election,
	    err)) == TL_OK &&
	    (r = get_hash(root, "manifest", "certification", c.manifest,
	    err)) == TL_OK &&
	    (r = get_hash(root, "result", "certification", c.result, err)) ==
	    TL_OK &&
	    (r = get_time(root, "time", 1, "certification", NULL, &c.time,
	    err)) == TL_OK)
		*out = c;
	json_decref(root);
	return r;
}

int
tl_challenge_parse(const char *payload, size_t len, struct tl_challenge *out,
    struct tl_error *err)
{
	static const char *const keys[] = {"election", "certification",
	    "voter", "text", NULL};
	struct tl_challenge c;
	json_t *root = NULL;
	int r;

	memset(&c, 0, sizeof(c));
	if ((r = load_object(payload, len, TL_CHALLENGE_MAX, "challenge", keys,
	    &root, err)) != TL_OK)
		return r;
	if ((r = get_id(root, "election", "challenge", c.election, err)) ==
	    TL_OK &&
	    (r = get_hash(root, "certification", "challenge", c.certification,
	    err)) == TL_OK &&
	    (r = get_id(root, "voter", "challenge", c.voter, err)) == TL_OK &&
	    (r = get_statement_text(root, "challenge", &c.text, err)) ==
	    TL_OK) {
		*out = c;
		c.text = NULL;
	}
	free(c.text);
	json_decref(root);
	return r;
}

void
tl_challenge_free(struct tl_challenge *c)
{
	if (c == NULL)
		return;
	free(c->text);
	c->text = NULL;
}

int
tl_decision_parse(const char *payload, size_t len, struct tl_decision *out,
    struct tl_error *err)
{
	static const char *const keys[] = {"election", "challenge", "decision",
	    "remedy", "text", "time", NULL};
	struct tl_decision d;
	json_t *root = NULL;
	const char *decision, *remedy;
	int r;

	memset(&d, 0, sizeof(d));
	if ((r = load_object(payload, len, AUTHORITY_MAX, "decision", keys,
	    &root, err)) != TL_OK)
		return r;
	if ((r = get_id(root, "election", "decision", d.election, err)) !=
	    TL_OK ||
	    (r = get_hash(root, "challenge", "decision", d.challenge, err)) !=
	    TL_OK ||
	    (r = tl_json_string(root, "decision", 1, "decision", TL_EINPUT,
	    &decision, err)) != TL_OK ||
	    (r = tl_json_string(root, "remedy", 0, "decision", TL_EINPUT,
	    &remedy, err)) != TL_OK ||
	    (r = get_statement_text(root, "decision", &d.text, err)) != TL_OK ||
	    (r = get_time(root, "time", 1, "decision", NULL, &d.time, err)) !=
	    TL_OK)
		goto out;
	if (strcmp(decision, "upheld") == 0)
		d.upheld = 1;
	else if (strcmp(decision, "dismissed") != 0) {
		r = tl_error_set(err, TL_EINPUT, "decision.decision: \"%.64s\" is "
		    "not \"upheld\" or \"dismissed\"", decision);
		goto out;
	}
	if (d.upheld && remedy == NULL) {
		r = tl_error_set(err, TL_EINPUT, "decision.remedy: an upheld "
		    "challenge needs one (\"recount\" or \"new-vote\")");
		goto out;
	}
	if (!d.upheld && remedy != NULL) {
		r = tl_error_set(err, TL_EINPUT, "decision.remedy: a dismissed "
		    "challenge has none");
		goto out;
	}
	if (remedy == NULL)
		d.remedy = TL_REMEDY_NONE;
	else if (strcmp(remedy, "recount") == 0)
		d.remedy = TL_REMEDY_RECOUNT;
	else if (strcmp(remedy, "new-vote") == 0)
		d.remedy = TL_REMEDY_NEW_VOTE;
	else {
		r = tl_error_set(err, TL_EINPUT, "decision.remedy: \"%.64s\" is "
		    "not \"recount\" or \"new-vote\"", remedy);
		goto out;
	}
	*out = d;
	d.text = NULL;
 out:
	free(d.text);
	json_decref(root);
	return r;
}

void
tl_decision_free(struct tl_decision *d)
{
	if (d == NULL)
		return;
	free(d->text);
	d->text = NULL;
}

int
tl_final_parse(const char *payload, size_t len, struct tl_final *out,
    struct tl_error *err)
{
	static const char *const keys[] = {"election", "manifest",
	    "certification", "outcome", "time", NULL};
	struct tl_final f;
	json_t *root = NULL;
	const char *outcome;
	int r;

	memset(&f, 0, sizeof(f));
	if ((r = load_object(payload, len, AUTHORITY_MAX, "final", keys, &root,
	    err)) != TL_OK)
		return r;
	if ((r = get_id(root, "election", "final", f.election, err)) != TL_OK ||
	    (r = get_hash(root, "manifest", "final", f.manifest, err)) !=
	    TL_OK ||
	    (r = get_hash(root, "certification", "final", f.certification,
	    err)) != TL_OK ||
	    (r = tl_json_string(root, "outcome", 1, "final", TL_EINPUT,
	    &outcome, err)) != TL_OK ||
	    (r = get_time(root, "time", 1, "final", NULL, &f.time, err)) !=
	    TL_OK)
		goto out;
	if (strcmp(outcome, "annulled") == 0)
		f.annulled = 1;
	else if (strcmp(outcome, "confirmed") != 0) {
		r = tl_error_set(err, TL_EINPUT, "final.outcome: \"%.64s\" is not "
		    "\"confirmed\" or \"annulled\"", outcome);
		goto out;
	}
	*out = f;
 out:
	json_decref(root);
	return r;
}

/* --- unsealing: a trustee's sealing key after the close ------------------ */

int
tl_unseal_parse(const char *payload, size_t len, struct tl_unseal *out,
    struct tl_error *err)
{
	static const char *const keys[] = {"election", "manifest", "trustee",
	    "close", "time", "private_key", NULL};
	struct tl_unseal u;
	json_t *root = NULL;
	const char *b64;
	uint8_t *raw = NULL, clamped[32];
	size_t rawlen = 0;
	int r;

	memset(&u, 0, sizeof(u));
	if ((r = load_object(payload, len, TL_UNSEAL_MAX, "unseal", keys,
	    &root, err)) != TL_OK)
		return r;
	if ((r = get_id(root, "election", "unseal", u.election, err)) !=
	    TL_OK ||
	    (r = get_hash(root, "manifest", "unseal", u.manifest, err)) !=
	    TL_OK ||
	    (r = get_id(root, "trustee", "unseal", u.trustee, err)) != TL_OK ||
	    (r = get_hash(root, "close", "unseal", u.close, err)) != TL_OK ||
	    (r = get_time(root, "time", 1, "unseal", NULL, &u.time, err)) !=
	    TL_OK ||
	    (r = tl_json_string(root, "private_key", 1, "unseal", TL_EINPUT,
	    &b64, err)) != TL_OK)
		goto out;
	if (tl_base64_decode(b64, strlen(b64), &raw, &rawlen) != TL_OK ||
	    rawlen != sizeof(u.private_key)) {
		r = tl_error_set(err, TL_EINPUT, "unseal.private_key: not the "
		    "base64 of a 32-byte X25519 private key");
		goto out;
	}
	memcpy(clamped, raw, sizeof(clamped));
	tl_hpke_clamp_private_key(clamped);
	if (memcmp(clamped, raw, sizeof(clamped)) != 0) {
		r = tl_error_set(err, TL_EINPUT, "unseal.private_key: not in "
		    "its clamped form (RFC 9180 section 7.1.2)");
		goto out;
	}
	memcpy(u.private_key, raw, sizeof(u.private_key));
	*out = u;
 out:
	tl_wipe(&u, sizeof(u));
	tl_wipe(clamped, sizeof(clamped));
	if (raw != NULL)
		tl_wipe(raw, rawlen);
	free(raw);
	json_decref(root);
	return r;
}

/* --- writing ---------------------------------------------------------------- */

/* Dumps doc (taking it) and checks the bytes with the statement's own
 * parser, through check. */
static int
finish(json_t *doc, int (*check)(const char *, size_t, void *,
    struct tl_error *), char **out, size_t *len, struct tl_error *err)
{
	char *text = NULL;
	size_t n = 0;
	int r;

	if (doc == NULL || tl_json_dump(doc, &text, &n) != TL_OK) {
		json_decref(doc);
		return tl_error_set(err, TL_EINPUT, "a value of the statement "
		    "cannot be written (not valid UTF-8, or out of memory)");
	}
	json_decref(doc);
	if ((r = check(text, n, NULL, err)) != TL_OK) {
		free(text);
		return r;
	}
	*out = text;
	if (len != NULL)
		*len = n;
	return TL_OK;
}

static int
check_nomination(const char *text, size_t len, void *unused,
    struct tl_error *err)
{
	struct tl_nomination n;
	int r;

	(void)unused;
	if ((r = tl_nomination_parse(text, len, "statement", &n, err)) == TL_OK)
		tl_nomination_free(&n);
	return r;
}

int
tl_nomination_serialize(const struct tl_nomination *n, char **out,
    size_t *len, struct tl_error *err)
{
	char when[TL_TIME_LEN];

	tl_time_format(n->time, when);
	return finish(json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:s}",
	    "election", n->election, "manifest", n->manifest, "contest",
	    n->contest, "candidate", "id", n->candidate, "name", n->name,
	    "time", when), check_nomination, out, len, err);
}

static int
check_endorsement(const char *text, size_t len, void *unused,
    struct tl_error *err)
{
	struct tl_endorsement e;

	(void)unused;
	return tl_endorsement_parse(text, len, &e, err);
}

int
tl_endorsement_serialize(const struct tl_endorsement *e, char **out,
    size_t *len, struct tl_error *err)
{
	return finish(json_pack("{s:s, s:s, s:s}", "election", e->election,
	    "petition", e->petition, "voter", e->voter), check_endorsement,
	    out, len, err);
}

static int
check_amendment(const char *text, size_t len, void *unused,
    struct tl_error *err)
{
	struct tl_amendment a;

	(void)unused;
	return tl_amendment_parse(text, len, &a, err);
}

int
tl_amendment_serialize(const struct tl_amendment *a, char **out, size_t *len,
    struct tl_error *err)
{
	char opens[TL_TIME_LEN], closes[TL_TIME_LEN], when[TL_TIME_LEN];
	json_t *doc;

	tl_time_format(a->opens, opens);
	tl_time_format(a->closes, closes);
	tl_time_format(a->time, when);
	doc = json_pack("{s:s, s:s, s:s}", "election", a->election, "manifest",
	    a->manifest, "phase", tl_phase_name(a->phase));
	if (doc != NULL && a->has_opens)
		json_object_set_new(doc, "opens", json_string(opens));
	if (doc != NULL && a->has_closes)
		json_object_set_new(doc, "closes", json_string(closes));
	if (doc != NULL)
		json_object_set_new(doc, "time", json_string(when));
	return finish(doc, check_amendment, out, len, err);
}

static int
check_certification(const char *text, size_t len, void *unused,
    struct tl_error *err)
{
	struct tl_certification c;

	(void)unused;
	return tl_certification_parse(text, len, &c, err);
}

int
tl_certification_serialize(const struct tl_certification *c, char **out,
    size_t *len, struct tl_error *err)
{
	char when[TL_TIME_LEN];

	tl_time_format(c->time, when);
	return finish(json_pack("{s:s, s:s, s:s, s:s}", "election",
	    c->election, "manifest", c->manifest, "result", c->result, "time",
	    when), check_certification, out, len, err);
}

static int
check_challenge(const char *text, size_t len, void *unused,
    struct tl_error *err)
{
	struct tl_challenge c;
	int r;

	(void)unused;
	if ((r = tl_challenge_parse(text, len, &c, err)) == TL_OK)
		tl_challenge_free(&c);
	return r;
}

int
tl_challenge_serialize(const struct tl_challenge *c, char **out, size_t *len,
    struct tl_error *err)
{
	if (!tl_statement_text_valid(c->text))
		return tl_error_set(err, TL_EINPUT, "the challenge's text must be "
		    "1 to %d bytes of UTF-8 with no control character but tab "
		    "and line ends", TL_STATEMENT_TEXT_MAX);
	return finish(json_pack("{s:s, s:s, s:s, s:s}", "election",
	    c->election, "certification", c->certification, "voter", c->voter,
	    "text", c->text), check_challenge, out, len, err);
}

static int
check_decision(const char *text, size_t len, void *unused,
    struct tl_error *err)
{
	struct tl_decision d;
	int r;

	(void)unused;
	if ((r = tl_decision_parse(text, len, &d, err)) == TL_OK)
		tl_decision_free(&d);
	return r;
}

int
tl_decision_serialize(const struct tl_decision *d, char **out, size_t *len,
    struct tl_error *err)
{
	char when[TL_TIME_LEN];
	json_t *doc;

	if (!tl_statement_text_valid(d->text))
		return tl_error_set(err, TL_EINPUT, "the decision's text must be "
		    "1 to %d bytes of UTF-8 with no control character but tab "
		    "and line ends", TL_STATEMENT_TEXT_MAX);
	tl_time_format(d->time, when);
	doc = json_pack("{s:s, s:s, s:s}", "election", d->election,
	    "challenge", d->challenge, "decision", d->upheld ? "upheld" :
	    "dismissed");
	if (doc != NULL && d->remedy != TL_REMEDY_NONE)
		json_object_set_new(doc, "remedy", json_string(d->remedy ==
		    TL_REMEDY_RECOUNT ? "recount" : "new-vote"));
	if (doc != NULL) {
		json_object_set_new(doc, "text", json_string(d->text));
		json_object_set_new(doc, "time", json_string(when));
	}
	return finish(doc, check_decision, out, len, err);
}

static int
check_final(const char *text, size_t len, void *unused,
    struct tl_error *err)
{
	struct tl_final f;

	(void)unused;
	return tl_final_parse(text, len, &f, err);
}

int
tl_final_serialize(const struct tl_final *f, char **out, size_t *len,
    struct tl_error *err)
{
	char when[TL_TIME_LEN];

	tl_time_format(f->time, when);
	return finish(json_pack("{s:s, s:s, s:s, s:s, s:s}", "election",
	    f->election, "manifest", f->manifest, "certification",
	    f->certification, "outcome", f->annulled ? "annulled" : "confirmed",
	    "time", when), check_final, out, len, err);
}

static int
check_unseal(const char *text, size_t len, void *unused,
    struct tl_error *err)
{
	struct tl_unseal u;
	int r;

	(void)unused;
	r = tl_unseal_parse(text, len, &u, err);
	tl_wipe(&u, sizeof(u));
	return r;
}

int
tl_unseal_serialize(const struct tl_unseal *u, char **out, size_t *len,
    struct tl_error *err)
{
	char when[TL_TIME_LEN], key[TL_PUBLIC_B64_LEN + 1];
	int r;

	tl_time_format(u->time, when);
	tl_base64_encode_to(u->private_key, sizeof(u->private_key), key);
	r = finish(json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "election",
	    u->election, "manifest", u->manifest, "trustee", u->trustee,
	    "close", u->close, "time", when, "private_key", key), check_unseal,
	    out, len, err);
	tl_wipe(key, sizeof(key));
	return r;
}
