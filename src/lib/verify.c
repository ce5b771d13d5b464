/*
 * verify.c: what the parts of a record's verification share: the problems
 * they collect, the report's list of checks, the names of the entry types
 * and the signatures they check.  record_verify.c, record_cycle.c and
 * record_witness.c call it; it calls none of them.
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record_internal.h"
#include "verify_internal.h"
#include "teller/crypto.h"

const char *
tl_verify_check_name(enum check check)
{
	static const char *const names[CHECK_COUNT] = {
		"format", "manifest", "roll", "ballots", "signatures",
		"revote", "order", "close", "tree", "recount", "nominations",
		"timetable", "certification", "witnesses", "credentials",
	};

	return names[check];
}

void
tl_verify_problem_text(struct verify *v, size_t line, enum check check,
    int code, const char *message)
{
	struct problem *p;

	v->check_failed[check] = 1;
	if (v->nproblems == v->cap_problems) {
		size_t cap = v->cap_problems != 0 ? v->cap_problems * 2 : 64;

		if ((p = realloc(v->problems, cap * sizeof(*p))) == NULL) {
			v->problems_failed = 1;
			return;
		}
		v->problems = p;
		v->cap_problems = cap;
	}
	p = &v->problems[v->nproblems];
	if ((p->message = strdup(message)) == NULL) {
		v->problems_failed = 1;
		return;
	}
	p->line = line;
	p->seq = v->nproblems++;
	p->check = check;
	p->code = code;
}

void
tl_verify_problem(struct verify *v, size_t line, enum check check, int code,
    const char *fmt, ...)
{
	char message[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	tl_verify_problem_text(v, line, check, code, message);
}

const char *
tl_verify_type_name(enum entry_type type)
{
	static const char *const names[] = {"malformed line", "manifest",
	    "roll", "ballot", "close statement", "result", "tree head",
	    "receipt", "candidate statement", "petition", "endorsement",
	    "amendment", "certification", "challenge", "decision",
	    "final statement", "credential keys statement",
	    "credential request", "credential issuance",
	    "object of an unknown type"};

	return names[type];
}

int
tl_verify_authority_signature(struct verify *v, size_t lineno,
    const struct tl_envelope *env, const char *what)
{
	struct tl_error err;

	v->authority_signatures++;
	tl_error_clear(&err);
	if (tl_record_check_signature(env, v->authority, &err) != TL_OK) {
		tl_verify_problem(v, lineno, CHECK_SIGNATURES, TL_ESIGNATURE,
		    "%s: not signed by the authority key of the manifest: %s",
		    what, err.message);
		return TL_ESIGNATURE;
	}
	v->authority_signatures_valid++;
	return TL_OK;
}

/* A voter's key is made for each statement of theirs and freed at once:
 * most voters sign one, and a key kept for a revote would be freed later
 * on one core. */
int
tl_verify_voter_signed(struct verify *v, size_t index,
    const struct tl_envelope *env, struct tl_error *err)
{
	struct tl_key *key = NULL;
	int r;

	if ((r = tl_key_from_public_raw(v->roll->voters[index].public_raw,
	    &key, err)) != TL_OK)
		return r;
	r = tl_record_check_signature(env, key, err);
	tl_key_free(key);
	return r;
}

void
tl_verify_set_check(json_t *checks, struct verify *v, enum check c,
    const char *fmt, ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	json_array_append_new(checks, json_pack("{s:s, s:b, s:s}", "check",
	    tl_verify_check_name(c), "ok", !v->check_failed[c], "detail",
	    detail));
}
