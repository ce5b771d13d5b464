/*
 * fuzz_unseal.c: libFuzzer harness for what a sealed election reads from
 * voters (doc/record-format.md 5.15.6, 5.16).  An input that starts with
 * '{' is a ballot payload, read against a sealed manifest of 3 trustees,
 * threshold 2: one it accepts has no selections in the clear and exactly
 * 3 sealed shares.  Any other input is the plaintext a voter's client
 * sealed: it is sealed for the trustees here, as a client would, and
 * opened as the count opens it; the ballot then either is spoiled, with a
 * reason, or has only selections of its class's contests, of candidates
 * that exist, each contest once.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "teller/ballot.h"
#include "teller/crypto.h"
#include "teller/hpke.h"
#include "teller/seal.h"
#include "teller/sealed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CANDS "[{\"id\": \"x\", \"name\": \"X\"}, {\"id\": \"y\", " \
	"\"name\": \"Y\"}, {\"id\": \"z\", \"name\": \"Z\"}]"
#define HASH "1111111111111111111111111111111111111111111111111111111111111111"

static struct tl_manifest *m;
static struct tl_hpke_key *keys[3];
static uint8_t pks[3][TL_HPKE_NPK];

/* The manifest and the trustees' keys, from fixed private keys. */
static void
setup(void)
{
	static char json[4096];
	char id[3][TL_PUBLIC_B64_LEN + 1], seal[3][TL_PUBLIC_B64_LEN + 1];
	uint8_t sk[TL_HPKE_NSK];

	for (int i = 0; i < 3; i++) {
		struct tl_key *identity = NULL;

		memset(sk, 0x41 + i, sizeof(sk));
		if (tl_hpke_key_from_private(sk, &keys[i]) != TL_OK ||
		    tl_key_generate(&identity, NULL) != TL_OK)
			abort();
		tl_hpke_key_public(keys[i], pks[i]);
		tl_base64_encode_to(pks[i], TL_HPKE_NPK, seal[i]);
		tl_key_public_base64(identity, id[i]);
		tl_key_free(identity);
	}
	snprintf(json, sizeof(json),
	    "{\"id\": \"e1\", \"title\": \"T\", \"secrecy\": \"secret\","
	    " \"opens\": \"2026-11-22T00:00:00Z\","
	    " \"closes\": \"2026-11-23T00:00:00Z\","
	    " \"constituencies\": [{\"id\": \"a\"}, {\"id\": \"b\"}],"
	    " \"contests\": ["
	    "  {\"id\": \"plu\", \"title\": \"P\", \"constituency\": \"a\","
	    "   \"seats\": 2, \"method\": \"plurality\", \"candidates\": " CANDS
	    "},"
	    "  {\"id\": \"sch\", \"title\": \"C\", \"constituency\": \"a\","
	    "   \"method\": \"schulze\", \"candidates\": " CANDS "},"
	    "  {\"id\": \"ref\", \"title\": \"R\", \"constituency\": \"b\","
	    "   \"method\": \"referendum\"}],"
	    " \"trustees\": [{\"id\": \"t1\", \"identity_key\": \"%s\","
	    "   \"sealing_key\": \"%s\"}, {\"id\": \"t2\", \"identity_key\":"
	    "   \"%s\", \"sealing_key\": \"%s\"}, {\"id\": \"t3\","
	    "   \"identity_key\": \"%s\", \"sealing_key\": \"%s\"}],"
	    " \"threshold\": 2}", id[0], seal[0], id[1], seal[1], id[2],
	    seal[2]);
	if (tl_manifest_parse(json, strlen(json), &m, NULL) != TL_OK ||
	    !tl_manifest_sealed(m))
		abort();
}

static void
ballot_payload(const uint8_t *data, size_t size)
{
	struct tl_ballot *b = NULL;

	if (tl_ballot_parse((const char *)data, size, m, HASH, &b, NULL) !=
	    TL_OK)
		return;
	if (b->nselections != 0 || b->sealed == NULL ||
	    b->sealed->nshares != 3 || b->credential == NULL)
		abort();
	tl_ballot_free(b);
}

static void
opened_plaintext(const uint8_t *data, size_t size)
{
	static const uint8_t indices[2] = {1, 2};
	const struct tl_hpke_key *opening[2] = {keys[0], keys[1]};
	struct tl_ballot_credential cred;
	struct tl_ballot ballot;
	struct tl_seal_binding b;
	struct tl_sealed *sealed = calloc(1, sizeof(*sealed));

	if (sealed == NULL)
		abort();
	memset(&cred, 0, sizeof(cred));
	memset(cred.ballot_key, 0x5a, sizeof(cred.ballot_key));
	cred.constituency_index = size % 2;  /* the class: a (even), b */
	memset(&ballot, 0, sizeof(ballot));
	ballot.election_id = m->id;
	memcpy(ballot.manifest_hash, HASH, sizeof(HASH));
	ballot.credential = &cred;
	if (tl_ballot_binding(&ballot, &b) != TL_OK)
		abort();
	/* The input as the client's plaintext, zero bytes and all. */
	if ((sealed->shares = calloc(3, TL_SEAL_SHARE_LEN)) == NULL)
		abort();
	sealed->nshares = 3;
	if (tl_seal_ballot((const uint8_t (*)[TL_HPKE_NPK])pks, 3, 2, &b,
	    data, size, &sealed->selections, &sealed->selections_len,
	    sealed->shares) != TL_OK)
		abort();
	ballot.sealed = sealed;
	if (tl_ballot_open(&ballot, m, opening, indices, 2, NULL) != TL_OK)
		abort();
	if (ballot.spoiled != NULL && ballot.nselections != 0)
		abort();
	for (size_t i = 0; i < ballot.nselections; i++) {
		const struct tl_selection *s = &ballot.selections[i];
		const struct tl_contest *c;

		if (s->contest_index >= m->ncontests)
			abort();
		c = &m->contests[s->contest_index];
		if (c->constituency_index != cred.constituency_index)
			abort();
		for (size_t k = 0; k < s->n; k++)
			if (c->method != TL_METHOD_REFERENDUM &&
			    TL_PREF_INDEX(s->prefs[k]) >= c->ncandidates)
				abort();
		for (size_t j = 0; j < i; j++)
			if (ballot.selections[j].contest_index ==
			    s->contest_index)
				abort();
	}
	for (size_t i = 0; i < ballot.nselections; i++)
		free(ballot.selections[i].prefs);
	free(ballot.selections);
	free(ballot.spoiled);
	tl_sealed_free(sealed);
	free(sealed);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (m == NULL)
		setup();
	if (size == 0 || size > TL_SEALED_PLAINTEXT_MAX)
		return 0;
	if (data[0] == '{')
		ballot_payload(data, size);
	else
		opened_plaintext(data, size);
	return 0;
}
