/*
 * serve-gen.c: makes what the server's benchmark and crash test need, in
 * one process through libteller (spawning teller once per voter would
 * take longer than the test): a database with an open election of N
 * voters (each with a fresh Ed25519 key), and a file of signed ballots,
 * one per line: every voter's ballot of seq 1, then every voter's of seq
 * 2, and so on.  Each ballot marks one or two of the five candidates,
 * drawn at random.
 *
 *   serve-gen --db PATH --voters N [--seqs K] [--revote last|first]
 *             --out FILE [--secret --requests FILE --askers M]
 *
 * With --secret the election is secret (credential.h): the N voters obtain
 * their credentials here (through tl_credential_issue, as a local
 * 'teller credential request' does) and the ballots are secret ballots
 * made with them; M more voters have each made a credential request, not
 * sent, written to the --requests file, one per line, for the benchmark
 * of credential issuance.
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "teller/ballot.h"
#include "teller/credential.h"
#include "teller/election.h"
#include "teller/issuance.h"
#include "teller/envelope.h"
#include "teller/store.h"
#include "teller/util.h"

#define ELECTION "bench"

static const char *const candidates[] = {"ann", "ben", "cat", "dan", "eve"};

static int
fail(const struct tl_error *err)
{
	fprintf(stderr, "serve-gen: %s\n", err->message);
	return 1;
}

static char *
manifest_json(const char *revote, int secret, int64_t now)
{
	char opens[TL_TIME_LEN], closes[TL_TIME_LEN], *json = NULL;

	tl_time_format(now - 3600, opens);
	tl_time_format(now + 30 * 86400, closes);
	if (asprintf(&json, "{\"id\": \"" ELECTION "\", \"title\": \"Benchmark "
	    "board election\", %s\"revote\": \"%s\", \"opens\": \"%s\", "
	    "\"closes\": \"%s\", \"constituencies\": [{\"id\": \"members\", "
	    "\"name\": \"Members\"}], \"contests\": [{\"id\": \"board\", "
	    "\"title\": \"Board\", \"constituency\": \"members\", \"seats\": 2, "
	    "\"method\": \"plurality\", \"candidates\": [{\"id\": \"ann\", "
	    "\"name\": \"Ann\"}, {\"id\": \"ben\", \"name\": \"Ben\"}, {\"id\": "
	    "\"cat\", \"name\": \"Cat\"}, {\"id\": \"dan\", \"name\": \"Dan\"}, "
	    "{\"id\": \"eve\", \"name\": \"Eve\"}]}], \"random_sources\": "
	    "[{\"name\": \"draw\"}]}", secret ? "\"secrecy\": \"secret\", " :
	    "", revote, opens, closes) < 0)
		return NULL;
	return json;
}

/* A random number below n (not for anything secret). */
static size_t
draw(size_t n)
{
	uint32_t x = 0;

	tl_random_bytes(&x, sizeof(x));
	return x % n;
}

/*
 * A secret election: the first nvoters voters obtain their credentials
 * (holders[i]), signed one by one and committed GROUP at a time as the
 * server does; the next naskers make a request each, written to requests
 * and not sent.
 */
#define GROUP 256

static int
credentials(struct tl_store *store, struct tl_key **keys, size_t nvoters,
    size_t naskers, const struct tl_manifest *m, const char *hash,
    struct tl_credential_holder **holders, FILE *requests,
    struct tl_error *err)
{
	const struct tl_credential_keys *ckeys = NULL;
	struct tl_key *authority = NULL;
	struct tl_roll *roll = NULL;
	struct tl_issuance *group[GROUP] = {NULL};
	struct tl_error errs[GROUP];
	size_t n = 0;
	int r;

	if ((r = tl_store_authority(store, &authority, err)) != TL_OK ||
	    (r = tl_issuance_keys_cached(store, ELECTION, m, hash,
	    &ckeys, err)) !=
	    TL_OK ||
	    (r = tl_election_roll(store, ELECTION, m, &roll, err)) != TL_OK)
		goto out;
	tl_roll_sort(roll);
	for (size_t i = 0; i < nvoters + naskers && r == TL_OK; i++) {
		struct tl_credential_holder *h = NULL;
		char voter[32];

		snprintf(voter, sizeof(voter), "v%06zu", i + 1);
		if ((r = tl_credential_holder_new(m, hash, ckeys,
		    tl_roll_find(roll, voter), keys[i], &h, err)) != TL_OK)
			break;
		if (i >= nvoters) {
			if (fprintf(requests, "%s\n", h->request) < 0)
				r = tl_error_set(err, TL_EIO, "cannot write");
			tl_credential_holder_free(h);
			continue;
		}
		holders[i] = h;
		if ((r = tl_issuance_check(store, h->request, strlen(h->request),
		    time(NULL), authority, &group[n++], err)) != TL_OK)
			break;
		if (n < GROUP && i + 1 < nvoters)
			continue;
		/* The group logged in one transaction, then each answer
		 * finalized as the voter would. */
		if ((r = tl_issuance_commit_group(store, group, n, time(NULL),
		    authority, errs, err)) != TL_OK)
			break;
		for (size_t j = 0; j < n && r == TL_OK; j++) {
			const char *answer = tl_issuance_answer(group[j]);

			if ((r = errs[j].code) != TL_OK)
				*err = errs[j];
			else
				r = tl_credential_holder_finish(holders[i + 1 -
				    n + j], ckeys, authority, answer,
				    strlen(answer), err);
		}
		for (size_t j = 0; j < n; j++)
			tl_issuance_free(group[j]);
		n = 0;
	}
 out:
	for (size_t j = 0; j < n; j++)
		tl_issuance_free(group[j]);
	tl_key_free(authority);
	tl_roll_free(roll);
	return r;
}

static int
write_ballots(FILE *out, struct tl_key **keys,
    struct tl_credential_holder **holders, size_t nvoters, int64_t seqs,
    const struct tl_manifest *m, const char *hash, struct tl_error *err)
{
	for (int64_t seq = 1; seq <= seqs; seq++)
		for (size_t i = 0; i < nvoters; i++) {
			struct tl_envelope *env = NULL;
			char voter[32], vote[64], *payload = NULL, *text = NULL;
			const char *votes[1] = {vote};
			size_t a = draw(5), b = draw(5), len = 0;
			int r;

			snprintf(voter, sizeof(voter), "v%06zu", i + 1);
			if (a == b)
				snprintf(vote, sizeof(vote), "board=%s",
				    candidates[a]);
			else
				snprintf(vote, sizeof(vote), "board=%s,%s",
				    candidates[a], candidates[b]);
			if (holders != NULL)
				r = tl_ballot_build_secret(m, hash,
				    &holders[i]->credential, seq, votes, 1,
				    &payload, &len, err);
			else
				r = tl_ballot_build(m, hash, voter, seq, votes, 1,
				    &payload, &len, err);
			if (r == TL_OK)
				r = tl_envelope_sign(TL_TYPE_BALLOT, payload, len,
				    holders != NULL ? holders[i]->ballot_key :
				    keys[i], &env, err);
			if (r == TL_OK)
				r = tl_envelope_serialize(env, &text, NULL, err);
			if (r == TL_OK && fprintf(out, "%s\n", text) < 0)
				r = tl_error_set(err, TL_EIO, "cannot write");
			free(payload);
			free(text);
			tl_envelope_free(env);
			if (r != TL_OK)
				return r;
		}
	return TL_OK;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},
		{"voters", required_argument, NULL, 'n'},
		{"seqs", required_argument, NULL, 's'},
		{"revote", required_argument, NULL, 'r'},
		{"out", required_argument, NULL, 'o'},
		{"secret", no_argument, NULL, 'S'},
		{"requests", required_argument, NULL, 'q'},
		{"askers", required_argument, NULL, 'a'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL, *outpath = NULL, *revote = "last";
	const char *requests_path = NULL;
	int64_t nvoters = 0, seqs = 1, now = (int64_t)time(NULL), naskers = 0;
	struct tl_credential_holder **holders = NULL;
	FILE *requests = NULL;
	int secret = 0;
	struct tl_store *store = NULL;
	struct tl_manifest *m = NULL;
	struct tl_key **keys = NULL;
	struct tl_error err;
	struct tl_buf csv;
	char hash[TL_HASH_HEX_LEN + 1], *json = NULL, *id = NULL;
	FILE *out = NULL;
	int opt, status = 1;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd': db = optarg; break;
		case 'o': outpath = optarg; break;
		case 'r': revote = optarg; break;
		case 'S': secret = 1; break;
		case 'q': requests_path = optarg; break;
		case 'a':
			if (tl_parse_int64(optarg, 0, 10000000, &naskers) != TL_OK)
				naskers = -1;
			break;
		case 'n':
			if (tl_parse_int64(optarg, 1, 10000000, &nvoters) != TL_OK)
				nvoters = 0;
			break;
		case 's':
			if (tl_parse_int64(optarg, 1, 100, &seqs) != TL_OK)
				seqs = 0;
			break;
		default:
			return 2;
		}
	}
	if (db == NULL || outpath == NULL || nvoters == 0 || seqs == 0 ||
	    naskers < 0 || (secret != (requests_path != NULL))) {
		fprintf(stderr, "usage: serve-gen --db PATH --voters N [--seqs K] "
		    "[--revote last|first] --out FILE [--secret --requests FILE "
		    "[--askers M]]\n");
		return 2;
	}
	tl_error_clear(&err);
	tl_buf_init(&csv, SIZE_MAX / 2);
	if ((keys = calloc((size_t)(nvoters + naskers), sizeof(*keys))) ==
	    NULL ||
	    (json = manifest_json(revote, secret, now)) == NULL ||
	    tl_buf_adds(&csv, "voter_id,name,constituency,weight,public_key\n")
	    != TL_OK) {
		fprintf(stderr, "serve-gen: out of memory\n");
		goto out;
	}
	for (int64_t i = 0; i < nvoters + naskers; i++) {
		char pub[TL_PUBLIC_B64_LEN + 1];

		if (tl_key_generate(&keys[i], &err) != TL_OK) {
			fail(&err);
			goto out;
		}
		tl_key_public_base64(keys[i], pub);
		if (tl_buf_addf(&csv, "v%06lld,Voter %lld,members,1,%s\n",
		    (long long)i + 1, (long long)i + 1, pub) != TL_OK) {
			fprintf(stderr, "serve-gen: out of memory\n");
			goto out;
		}
	}
	if (tl_store_open(db, TL_STORE_CREATE, &store, &err) != TL_OK ||
	    tl_store_init_authority(store, now, &err) != TL_OK ||
	    tl_election_create(store, json, strlen(json), now, &id, &err) !=
	    TL_OK ||
	    tl_election_import_roll(store, ELECTION, csv.data, csv.len,
	    "roll.csv", NULL, &err) != TL_OK ||
	    tl_election_open(store, ELECTION, now, &err) != TL_OK ||
	    tl_election_load(store, ELECTION, &m, hash, NULL, &err) != TL_OK) {
		fail(&err);
		goto out;
	}
	if ((out = fopen(outpath, "w")) == NULL) {
		perror(outpath);
		goto out;
	}
	if (secret && ((holders = calloc((size_t)nvoters,
	    sizeof(*holders))) == NULL ||
	    (requests = fopen(requests_path, "w")) == NULL)) {
		perror(requests_path);
		goto out;
	}
	if ((secret && credentials(store, keys, (size_t)nvoters,
	    (size_t)naskers, m, hash, holders, requests, &err) != TL_OK) ||
	    write_ballots(out, keys, holders, (size_t)nvoters, seqs, m, hash,
	    &err) != TL_OK) {
		fail(&err);
		goto out;
	}
	status = 0;
 out:
	if (out != NULL && fclose(out) != 0)
		status = 1;
	if (requests != NULL && fclose(requests) != 0)
		status = 1;
	for (int64_t i = 0; holders != NULL && i < nvoters; i++)
		tl_credential_holder_free(holders[i]);
	free(holders);
	for (int64_t i = 0; keys != NULL && i < nvoters + naskers; i++)
		tl_key_free(keys[i]);
	free(keys);
	tl_buf_free(&csv);
	tl_manifest_free(m);
	tl_store_close(store);
	free(json);
	free(id);
	return status;
}
