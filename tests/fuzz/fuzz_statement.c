/*
 * fuzz_statement.c: libFuzzer harness for the parsers of the election
 * cycle's statements (statement.h): candidate statements and petitions,
 * endorsements, amendments, certifications, challenges, decisions and
 * final statements, and trustees' unseal statements.  Endorsements,
 * challenges and unseal statements come from voters and trustees, the
 * others from a record an observer verifies.  Every input goes through
 * every parser; whatever parses must serialise, parse back to the same
 * statement, and serialise again to the same bytes.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "teller/statement.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The bytes of a serialisation must come back from parsing them and
 * serialising again. */
#define SAME_BYTES(a, alen, b, blen) \
	((alen) == (blen) && memcmp((a), (b), (alen)) == 0)

static void
nomination(const char *text, size_t size)
{
	struct tl_nomination n, m;
	char *out = NULL, *again = NULL;
	size_t len = 0, len2 = 0;

	memset(&m, 0, sizeof(m));
	if (tl_nomination_parse(text, size, "candidate", &n, NULL) != TL_OK)
		return;
	if (tl_nomination_serialize(&n, &out, &len, NULL) != TL_OK ||
	    tl_nomination_parse(out, len, "candidate", &m, NULL) != TL_OK ||
	    strcmp(n.election, m.election) != 0 ||
	    strcmp(n.manifest, m.manifest) != 0 ||
	    strcmp(n.contest, m.contest) != 0 ||
	    strcmp(n.candidate, m.candidate) != 0 ||
	    strcmp(n.name, m.name) != 0 || n.time != m.time ||
	    tl_nomination_serialize(&m, &again, &len2, NULL) != TL_OK ||
	    !SAME_BYTES(out, len, again, len2))
		abort();
	tl_nomination_free(&n);
	tl_nomination_free(&m);
	free(out);
	free(again);
}

static void
endorsement(const char *text, size_t size)
{
	struct tl_endorsement e, f;
	char *out = NULL;
	size_t len = 0;

	if (tl_endorsement_parse(text, size, &e, NULL) != TL_OK)
		return;
	if (tl_endorsement_serialize(&e, &out, &len, NULL) != TL_OK ||
	    len > TL_ENDORSEMENT_MAX ||
	    tl_endorsement_parse(out, len, &f, NULL) != TL_OK ||
	    strcmp(e.election, f.election) != 0 ||
	    strcmp(e.petition, f.petition) != 0 ||
	    strcmp(e.voter, f.voter) != 0)
		abort();
	free(out);
}

static void
amendment(const char *text, size_t size)
{
	struct tl_amendment a, b;
	char *out = NULL;
	size_t len = 0;

	if (tl_amendment_parse(text, size, &a, NULL) != TL_OK)
		return;
	if (tl_amendment_serialize(&a, &out, &len, NULL) != TL_OK ||
	    tl_amendment_parse(out, len, &b, NULL) != TL_OK ||
	    strcmp(a.election, b.election) != 0 ||
	    strcmp(a.manifest, b.manifest) != 0 || a.phase != b.phase ||
	    a.has_opens != b.has_opens || a.has_closes != b.has_closes ||
	    (a.has_opens && a.opens != b.opens) ||
	    (a.has_closes && a.closes != b.closes) || a.time != b.time)
		abort();
	free(out);
}

static void
certification(const char *text, size_t size)
{
	struct tl_certification c, d;
	char *out = NULL;
	size_t len = 0;

	if (tl_certification_parse(text, size, &c, NULL) != TL_OK)
		return;
	if (tl_certification_serialize(&c, &out, &len, NULL) != TL_OK ||
	    tl_certification_parse(out, len, &d, NULL) != TL_OK ||
	    strcmp(c.election, d.election) != 0 ||
	    strcmp(c.manifest, d.manifest) != 0 ||
	    strcmp(c.result, d.result) != 0 || c.time != d.time)
		abort();
	free(out);
}

static void
challenge(const char *text, size_t size)
{
	struct tl_challenge c, d;
	char *out = NULL;
	size_t len = 0;

	memset(&d, 0, sizeof(d));
	if (tl_challenge_parse(text, size, &c, NULL) != TL_OK)
		return;
	if (tl_challenge_serialize(&c, &out, &len, NULL) != TL_OK ||
	    len > TL_CHALLENGE_MAX ||
	    tl_challenge_parse(out, len, &d, NULL) != TL_OK ||
	    strcmp(c.election, d.election) != 0 ||
	    strcmp(c.certification, d.certification) != 0 ||
	    strcmp(c.voter, d.voter) != 0 || strcmp(c.text, d.text) != 0)
		abort();
	tl_challenge_free(&c);
	tl_challenge_free(&d);
	free(out);
}

static void
decision(const char *text, size_t size)
{
	struct tl_decision d, e;
	char *out = NULL;
	size_t len = 0;

	memset(&e, 0, sizeof(e));
	if (tl_decision_parse(text, size, &d, NULL) != TL_OK)
		return;
	if ((d.remedy != TL_REMEDY_NONE) != d.upheld ||
	    tl_decision_serialize(&d, &out, &len, NULL) != TL_OK ||
	    tl_decision_parse(out, len, &e, NULL) != TL_OK ||
	    strcmp(d.election, e.election) != 0 ||
	    strcmp(d.challenge, e.challenge) != 0 || d.upheld != e.upheld ||
	    d.remedy != e.remedy || strcmp(d.text, e.text) != 0 ||
	    d.time != e.time)
		abort();
	tl_decision_free(&d);
	tl_decision_free(&e);
	free(out);
}

static void
final(const char *text, size_t size)
{
	struct tl_final f, g;
	char *out = NULL;
	size_t len = 0;

	if (tl_final_parse(text, size, &f, NULL) != TL_OK)
		return;
	if (tl_final_serialize(&f, &out, &len, NULL) != TL_OK ||
	    tl_final_parse(out, len, &g, NULL) != TL_OK ||
	    strcmp(f.election, g.election) != 0 ||
	    strcmp(f.manifest, g.manifest) != 0 ||
	    strcmp(f.certification, g.certification) != 0 ||
	    f.annulled != g.annulled || f.time != g.time)
		abort();
	free(out);
}

static void
unseal(const char *text, size_t size)
{
	struct tl_unseal u, v;
	char *out = NULL;
	size_t len = 0;

	if (tl_unseal_parse(text, size, &u, NULL) != TL_OK)
		return;
	if (tl_unseal_serialize(&u, &out, &len, NULL) != TL_OK ||
	    len > TL_UNSEAL_MAX ||
	    tl_unseal_parse(out, len, &v, NULL) != TL_OK ||
	    strcmp(u.election, v.election) != 0 ||
	    strcmp(u.manifest, v.manifest) != 0 ||
	    strcmp(u.trustee, v.trustee) != 0 ||
	    strcmp(u.close, v.close) != 0 || u.time != v.time ||
	    memcmp(u.private_key, v.private_key, sizeof(u.private_key)) != 0)
		abort();
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;

	if (size > 1 << 18)
		return 0;
	nomination(text, size);
	endorsement(text, size);
	amendment(text, size);
	certification(text, size);
	challenge(text, size);
	decision(text, size);
	final(text, size);
	unseal(text, size);
	return 0;
}
