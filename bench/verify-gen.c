/*
 * verify-gen.c: builds the record bench/verify times: a real election in a
 * teller database with N voters, each casting one signed ballot, then
 * closed, counted and exported.  It goes through libteller as the server
 * does (tl_cast_check, then tl_cast_store for a batch of ballots in one
 * transaction with one signed tree head), so the record is exactly what
 * `teller export` writes, without starting N processes.
 *
 * With --secret the election is secret (credential.h): each voter first
 * obtains a credential as a voter does (a ballot key, the blinded message,
 * the request signed with the roll key), the authority answers on every
 * core (tl_issuance_check: the blind signature, on a connection per
 * thread, as teller serve's request threads do) and logs each request with
 * its issuance in groups; the voter finalizes it and casts a secret
 * ballot.
 *
 *   verify-gen DIR N [--secret]   writes DIR/teller.db and DIR/record.jsonl
 */
#include <config.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_internal.h"
#include "teller/ballot.h"
#include "teller/cast.h"
#include "teller/credential.h"
#include "teller/issuance.h"
#include "teller/election.h"
#include "teller/envelope.h"
#include "teller/log.h"
#include "teller/record.h"
#include "teller/util.h"

#define NOW INT64_C(1795341600) /* 2026-11-22T10:00:00Z */
#define BATCH 1000

#define MANIFEST(SECRECY) \
    "{\"id\": \"bench\", \"title\": \"Benchmark election\", " SECRECY \
    " \"opens\": \"2026-11-22T00:00:00Z\", \"closes\": \"2026-11-23T00:00:00Z\"," \
    " \"constituencies\": [{\"id\": \"members\", \"name\": \"Members\"}]," \
    " \"contests\": [" \
    "  {\"id\": \"board\", \"title\": \"Board\", \"constituency\": \"members\"," \
    "   \"seats\": 3, \"method\": \"plurality\", \"candidates\": [" \
    "   {\"id\": \"c1\", \"name\": \"Candidate One\"}," \
    "   {\"id\": \"c2\", \"name\": \"Candidate Two\"}," \
    "   {\"id\": \"c3\", \"name\": \"Candidate Three\"}," \
    "   {\"id\": \"c4\", \"name\": \"Candidate Four\"}," \
    "   {\"id\": \"c5\", \"name\": \"Candidate Five\"}," \
    "   {\"id\": \"c6\", \"name\": \"Candidate Six\"}]}," \
    "  {\"id\": \"budget\", \"title\": \"Adopt the budget\"," \
    "   \"constituency\": \"members\", \"method\": \"referendum\"}]," \
    " \"random_sources\": [{\"name\": \"draw\"}]}"
static const char open_manifest[] = MANIFEST("");
static const char secret_manifest[] = MANIFEST("\"secrecy\": \"secret\",");

static int
fail(const char *what, const struct tl_error *err)
{
	fprintf(stderr, "verify-gen: %s: %s\n", what, err->message);
	return 1;
}

static int
write_file(void *ctx, const char *data, size_t len)
{
	return fwrite(data, 1, len, ctx) == len ? 0 : -1;
}

static uint64_t
next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Casts ballots [from, to) in one transaction, as a server batch does. */
static int
cast_batch(struct tl_store *store, const struct tl_key *authority,
    char **ballots, size_t from, size_t to, struct tl_error *err)
{
	struct tl_cast **casts = calloc(to - from, sizeof(*casts));
	int r = TL_ENOMEM;

	if (casts == NULL)
		return tl_error_set(err, r, "out of memory");
	for (size_t i = from; i < to; i++)
		if ((r = tl_cast_check(store, ballots[i], strlen(ballots[i]), NOW,
		    &casts[i - from], err)) != TL_OK)
			goto out;
	if ((r = tl_db_begin(store, err)) != TL_OK)
		goto out;
	for (size_t i = from; i < to && r == TL_OK; i++)
		r = tl_cast_store(store, casts[i - from], NOW, err);
	if (r == TL_OK)
		r = tl_log_sign_head(store, "bench", authority, NOW, NULL, err);
	if (r != TL_OK)
		tl_db_rollback(store);
	else
		r = tl_db_commit(store, err);
 out:
	for (size_t i = from; i < to; i++)
		tl_cast_free(casts[i - from]);
	free(casts);
	return r;
}

/* The credential requests of a chunk of voters, answered on every core:
 * each thread checks and signs its share on a connection of its own. */
struct issuers {
	const char *db;
	const struct tl_key *authority;
	struct tl_credential_holder **holders;
	struct tl_issuance **issued;
	size_t n, nthreads;
	int failed;
};

struct issuer {
	struct issuers *all;
	size_t id;
};

static void *
issue_share(void *arg)
{
	struct issuer *me = arg;
	struct issuers *all = me->all;
	struct tl_store *store = NULL;
	struct tl_error err;

	tl_error_clear(&err);
	if (tl_store_open(all->db, TL_STORE_READONLY, &store, &err) != TL_OK) {
		fail("cannot open the database", &err);
		all->failed = 1;
		return NULL;
	}
	for (size_t i = me->id; i < all->n; i += all->nthreads) {
		const char *q = all->holders[i]->request;

		if (tl_issuance_check(store, q, strlen(q), NOW, all->authority,
		    &all->issued[i], &err) != TL_OK) {
			fail("cannot issue a credential", &err);
			all->failed = 1;
			break;
		}
	}
	tl_store_close(store);
	return NULL;
}

/* Voters [from, to) obtain their credentials: requests made, answered on
 * every core, logged in groups, and finalized into holders[]. */
static int
credentials(struct tl_store *store, const char *db,
    const struct tl_key *authority, const struct tl_manifest *m,
    const char *hash, struct tl_key **keys, const struct tl_roll *roll,
    size_t from, size_t to, struct tl_credential_holder **holders,
    struct tl_error *err)
{
	struct issuers all;
	struct issuer *me = NULL;
	pthread_t *threads = NULL;
	const struct tl_credential_keys *ckeys = NULL;
	struct tl_error *errs = NULL;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int r = TL_OK;

	memset(&all, 0, sizeof(all));
	all.db = db;
	all.authority = authority;
	all.holders = holders + from;
	all.n = to - from;
	all.nthreads = cores > 0 && cores < 256 ? (size_t)cores : 1;
	all.issued = calloc(all.n, sizeof(*all.issued));
	errs = calloc(all.n, sizeof(*errs));
	me = calloc(all.nthreads, sizeof(*me));
	threads = calloc(all.nthreads, sizeof(*threads));
	if (all.issued == NULL || errs == NULL || me == NULL || threads == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	if ((r = tl_issuance_keys_cached(store, "bench", m, hash,
	    &ckeys, err)) != TL_OK)
		goto out;
	for (size_t i = from; i < to; i++) {
		char voter[32];

		snprintf(voter, sizeof(voter), "v%lld", (long long)i + 1);
		if ((r = tl_credential_holder_new(m, hash, ckeys,
		    tl_roll_find(roll, voter), keys[i], &holders[i], err)) !=
		    TL_OK)
			goto out;
	}
	for (size_t t = 0; t < all.nthreads; t++) {
		me[t].all = &all;
		me[t].id = t;
		if (pthread_create(&threads[t], NULL, issue_share, &me[t]) != 0) {
			r = tl_error_set(err, TL_EINTERNAL, "cannot start a thread");
			all.nthreads = t;
			break;
		}
	}
	for (size_t t = 0; t < all.nthreads; t++)
		pthread_join(threads[t], NULL);
	if (r != TL_OK || all.failed) {
		r = r != TL_OK ? r : tl_error_set(err, TL_EINTERNAL, "an issuer "
		    "failed");
		goto out;
	}
	for (size_t i = 0; i < all.n && r == TL_OK; i += BATCH) {
		size_t k = i + BATCH < all.n ? BATCH : all.n - i;

		if ((r = tl_issuance_commit_group(store, all.issued + i, k, NOW,
		    authority, errs + i, err)) != TL_OK)
			break;
		for (size_t j = i; j < i + k && r == TL_OK; j++)
			if (errs[j].code != TL_OK) {
				*err = errs[j];
				r = errs[j].code;
			}
	}
	for (size_t i = 0; i < all.n && r == TL_OK; i++) {
		const char *answer = tl_issuance_answer(all.issued[i]);

		r = tl_credential_holder_finish(all.holders[i], ckeys, authority,
		    answer, strlen(answer), err);
	}
 out:
	for (size_t i = 0; all.issued != NULL && i < all.n; i++)
		tl_issuance_free(all.issued[i]);
	free(all.issued);
	free(errs);
	free(me);
	free(threads);
	return r;
}

int
main(int argc, char **argv)
{
	static const char *const board[] = {"c1", "c2", "c3", "c4", "c5",
	    "c6"};
	static const char *const answers[] = {"yes", "no", "abstain"};
	const char *random[1] = {"bench-draw"};
	struct tl_store *store = NULL;
	struct tl_key *authority = NULL, **keys;
	struct tl_manifest *m = NULL;
	struct tl_error err;
	struct tl_buf csv, path;
	char hash[TL_HASH_HEX_LEN + 1], **ballots, *id = NULL;
	json_t *result = NULL;
	uint64_t rng = 2026;
	int64_t n;
	int secret = argc == 4 && strcmp(argv[3], "--secret") == 0;
	const char *manifest = secret ? secret_manifest : open_manifest;
	struct tl_credential_holder **holders = NULL;
	struct tl_roll *roll = NULL;
	FILE *out;

	if ((argc != 3 && !secret) ||
	    tl_parse_int64(argv[2], 1, 10000000, &n) != TL_OK) {
		fprintf(stderr, "usage: verify-gen DIR N [--secret]\n");
		return 2;
	}
	tl_error_clear(&err);
	tl_buf_init(&path, 4096);
	tl_buf_addf(&path, "%s/teller.db", argv[1]);
	if (tl_store_open(path.data, TL_STORE_CREATE, &store, &err) != TL_OK ||
	    tl_store_init_authority(store, NOW, &err) != TL_OK ||
	    tl_store_authority(store, &authority, &err) != TL_OK ||
	    tl_election_create(store, manifest, strlen(manifest), NOW, &id,
	    &err) != TL_OK)
		return fail("cannot create the election", &err);

	keys = calloc((size_t)n, sizeof(*keys));
	ballots = calloc((size_t)n, sizeof(*ballots));
	if (keys == NULL || ballots == NULL)
		return 3;
	tl_buf_init(&csv, SIZE_MAX / 2);
	tl_buf_adds(&csv, "voter_id,name,constituency,weight,public_key\n");
	for (int64_t i = 0; i < n; i++) {
		char pub[TL_PUBLIC_B64_LEN + 1];

		if (tl_key_generate(&keys[i], &err) != TL_OK)
			return fail("cannot make a key", &err);
		tl_key_public_base64(keys[i], pub);
		tl_buf_addf(&csv, "v%lld,Voter %lld,members,%lld,%s\n",
		    (long long)i + 1, (long long)i + 1, (long long)(1 + i % 6),
		    pub);
	}
	if (tl_election_import_roll(store, "bench", csv.data, csv.len,
	    "roll.csv", NULL, &err) != TL_OK ||
	    tl_election_open(store, "bench", NOW, &err) != TL_OK ||
	    tl_election_load(store, "bench", &m, hash, NULL, &err) != TL_OK)
		return fail("cannot open the election", &err);
	tl_buf_free(&csv);
	if (secret) {
		/* Credentials in chunks, so that a chunk's holders are all that
		 * is held at once. */
		if ((holders = calloc((size_t)n, sizeof(*holders))) == NULL ||
		    tl_election_roll(store, "bench", m, &roll, &err) != TL_OK)
			return fail("cannot read the roll", &err);
		tl_roll_sort(roll);
	}

	for (int64_t i = 0; i < n; i++) {
		char voter[32], vote1[64], vote2[32], *payload = NULL;
		const char *votes[2] = {vote1, vote2};
		struct tl_envelope *env = NULL;
		size_t len = 0;
		uint64_t a = next(&rng) % 6, b = next(&rng) % 6;

		snprintf(voter, sizeof(voter), "v%lld", (long long)i + 1);
		if (a == b)
			snprintf(vote1, sizeof(vote1), "board=%s", board[a]);
		else
			snprintf(vote1, sizeof(vote1), "board=%s,%s", board[a],
			    board[b]);
		snprintf(vote2, sizeof(vote2), "budget=%s",
		    answers[next(&rng) % 3]);
		if (secret && i % (10 * BATCH) == 0 &&
		    credentials(store, path.data, authority, m, hash, keys, roll,
		    (size_t)i, (size_t)(i + 10 * BATCH < n ? i + 10 * BATCH :
		    n), holders, &err) != TL_OK)
			return fail("cannot issue credentials", &err);
		if ((secret ? tl_ballot_build_secret(m, hash,
		    &holders[i]->credential, 1, votes, 2, &payload, &len, &err) :
		    tl_ballot_build(m, hash, voter, 1, votes, 2, &payload, &len,
		    &err)) != TL_OK ||
		    tl_envelope_sign(TL_TYPE_BALLOT, payload, len, secret ?
		    holders[i]->ballot_key : keys[i], &env, &err) != TL_OK ||
		    tl_envelope_serialize(env, &ballots[i], NULL, &err) != TL_OK)
			return fail("cannot make a ballot", &err);
		free(payload);
		tl_envelope_free(env);
		tl_key_free(keys[i]);
		if (secret) {
			tl_credential_holder_free(holders[i]);
			holders[i] = NULL;
		}
	}
	free(holders);
	tl_roll_free(roll);
	free(keys);
	for (int64_t i = 0; i < n; i += BATCH)
		if (cast_batch(store, authority, ballots, (size_t)i,
		    (size_t)(i + BATCH < n ? i + BATCH : n), &err) != TL_OK)
			return fail("cannot cast", &err);
	if (tl_election_close(store, "bench", random, 1, NOW + 86400, &err) !=
	    TL_OK ||
	    tl_election_tally(store, "bench", NOW + 86400, &result, &err) !=
	    TL_OK)
		return fail("cannot close and count", &err);

	tl_buf_reset(&path);
	tl_buf_addf(&path, "%s/record.jsonl", argv[1]);
	if ((out = fopen(path.data, "w")) == NULL) {
		perror(path.data);
		return 3;
	}
	if (tl_record_export(store, "bench", write_file, out, &err) != TL_OK)
		return fail("cannot export", &err);
	if (fclose(out) != 0) {
		perror(path.data);
		return 3;
	}
	for (int64_t i = 0; i < n; i++)
		free(ballots[i]);
	free(ballots);
	json_decref(result);
	tl_manifest_free(m);
	tl_key_free(authority);
	tl_store_close(store);
	tl_buf_free(&path);
	free(id);
	return 0;
}
