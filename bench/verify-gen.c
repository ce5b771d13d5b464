/*
 * verify-gen.c: builds the record bench/verify times: a real election in a
 * teller database with N voters, each casting one signed ballot, then
 * closed, counted and exported.  It goes through libteller as the server
 * does (tl_cast_check, then tl_cast_store for a batch of ballots in one
 * transaction with one signed tree head), so the record is exactly what
 * `teller export` writes, without starting N processes.
 *
 *   verify-gen DIR N      writes DIR/teller.db and DIR/record.jsonl
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "teller/ballot.h"
#include "teller/cast.h"
#include "teller/election.h"
#include "teller/envelope.h"
#include "teller/log.h"
#include "teller/record.h"
#include "teller/util.h"

#define NOW INT64_C(1795341600) /* 2026-11-22T10:00:00Z */
#define BATCH 1000

static const char manifest[] =
    "{\"id\": \"bench\", \"title\": \"Benchmark election\","
    " \"opens\": \"2026-11-22T00:00:00Z\", \"closes\": \"2026-11-23T00:00:00Z\","
    " \"constituencies\": [{\"id\": \"members\", \"name\": \"Members\"}],"
    " \"contests\": ["
    "  {\"id\": \"board\", \"title\": \"Board\", \"constituency\": \"members\","
    "   \"seats\": 3, \"method\": \"plurality\", \"candidates\": ["
    "   {\"id\": \"c1\", \"name\": \"Candidate One\"},"
    "   {\"id\": \"c2\", \"name\": \"Candidate Two\"},"
    "   {\"id\": \"c3\", \"name\": \"Candidate Three\"},"
    "   {\"id\": \"c4\", \"name\": \"Candidate Four\"},"
    "   {\"id\": \"c5\", \"name\": \"Candidate Five\"},"
    "   {\"id\": \"c6\", \"name\": \"Candidate Six\"}]},"
    "  {\"id\": \"budget\", \"title\": \"Adopt the budget\","
    "   \"constituency\": \"members\", \"method\": \"referendum\"}],"
    " \"random_sources\": [{\"name\": \"draw\"}]}";

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
	FILE *out;

	if (argc != 3 || tl_parse_int64(argv[2], 1, 10000000, &n) != TL_OK) {
		fprintf(stderr, "usage: verify-gen DIR N\n");
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
		if (tl_ballot_build(m, hash, voter, 1, votes, 2, &payload, &len,
		    &err) != TL_OK ||
		    tl_envelope_sign(TL_TYPE_BALLOT, payload, len, keys[i], &env,
		    &err) != TL_OK ||
		    tl_envelope_serialize(env, &ballots[i], NULL, &err) != TL_OK)
			return fail("cannot make a ballot", &err);
		free(payload);
		tl_envelope_free(env);
		tl_key_free(keys[i]);
	}
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
