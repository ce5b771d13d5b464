/*
 * check_verify_secret.c: the offline verification of a secret election's
 * record (doc/record-format.md 5.15 and section 9, checks 5 to 7 and 16):
 * a real record verifies and recounts byte for byte, its turnout is who
 * obtained a credential; and records the authority re-signed (every
 * signature valid, the tree head sealed again) are found invalid, on the
 * line and check at fault:
 *
 *   one more ballot in a class than credentials issued in it;
 *   a ballot whose credential is of another class;
 *   an issuance whose blind signature does not match its request;
 *   two credentials for one voter;
 *
 * and the rest of the rules: the keys statement's place and classes, a
 * request without its issuance, credentials in an open election, the
 * revote rule per ballot key with the same credential.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "helpers.h"
#include "record_fixture.h"
#include "secret_fixture.h"
#include "teller/ballot.h"
#include "teller/cast.h"
#include "teller/credential.h"
#include "teller/cycle.h"
#include "teller/election.h"
#include "teller/issuance.h"
#include "teller/log.h"
#include "teller/roll.h"
#include "teller/envelope.h"
#include "teller/record.h"
#include "teller/statement.h"
#include "teller/util.h"

static const char *const plu_x[] = {"plu=x"};

/* A secret election of 12 + 5 voters, closed and counted, with its
 * record split into lines. */
static void
build(struct sf_election *e, struct rf_lines *lines, int stage)
{
	size_t len = 0;
	char *text;

	sf_build(e, 12, 5, 2, stage, 13);
	text = rf_export_store(e->store, "e1", &len);
	rf_split(text, len, lines);
	free(text);
}

/* The line index (0-based) of the n-th line of a type. */
static size_t
nth_line(const struct rf_lines *lines, const char *type, size_t n)
{
	size_t i = rf_find_line(lines, type, 0, NULL);

	while (n-- > 0)
		i = rf_find_line(lines, type, i + 1, NULL);
	return i;
}

/* The close statement counted again for the ballots of the lines, signed
 * by the authority (what an authority rewriting its record would do). */
static void
recount_close(struct rf_lines *lines, const struct tl_key *authority)
{
	size_t close = rf_find_line(lines, TL_TYPE_CLOSE, 0, NULL), n = 0;
	char *payload = rf_payload(lines->line[close], NULL), *text, *line;
	json_t *doc = json_loads(payload, 0, NULL);

	for (size_t i = 0; i < close; i++) {
		char *t = NULL;

		free(rf_payload(lines->line[i], &t));
		n += strcmp(t, TL_TYPE_BALLOT) == 0;
		free(t);
	}
	json_object_set_new(doc, "ballots", json_integer((json_int_t)n));
	text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	line = rf_sign(authority, TL_TYPE_CLOSE, text);
	rf_set_line(lines, close, line);
	/* The authority, the election's only trustee, unsealed it right
	 * after the close: its statement names the new close. */
	if (close + 1 < lines->n) {
		char *type = NULL, *u = rf_payload(lines->line[close + 1], &type);

		if (strcmp(type, TL_TYPE_UNSEAL) == 0) {
			json_t *stmt = json_loads(u, 0, NULL);
			char hash[TL_HASH_HEX_LEN + 1], *utext, *uline;

			tl_sha256_hex(line, strlen(line), hash);
			json_object_set_new(stmt, "close", json_string(hash));
			utext = json_dumps(stmt, JSON_COMPACT |
			    JSON_PRESERVE_ORDER);
			uline = rf_sign(authority, TL_TYPE_UNSEAL, utext);
			rf_set_line(lines, close + 1, uline);
			free(uline);
			free(utext);
			json_decref(stmt);
		}
		free(type);
		free(u);
	}
	free(line);
	free(text);
	free(payload);
	json_decref(doc);
}

START_TEST(a_secret_record_verifies)
{
	struct sf_election e;
	struct tl_record_verify_options opt;
	struct rf_lines lines;
	struct tl_error err;
	json_t *report = NULL, *turnout, *c, *creds;
	char *text;
	size_t len = 0, obtained = 0, i;

	build(&e, &lines, RF_COUNTED);
	text = rf_join(&lines, &len);
	memset(&opt, 0, sizeof(opt));
	opt.turnout = 1;
	ck_assert_int_eq(tl_record_verify(text, len, &opt, &report, &err),
	    TL_OK);
	ck_assert_msg(rf_is_valid(report), "%s", json_dumps(json_object_get(
	    report, "problems"), 0));
	ck_assert(json_is_true(json_object_get(report, "result_matches")));
	ck_assert_str_eq(json_string_value(json_object_get(report, "secrecy")),
	    "secret");
	creds = json_object_get(report, "credentials");
	ck_assert_int_eq(json_integer_value(json_object_get(creds, "keys_line")),
	    3);
	ck_assert_int_eq(json_integer_value(json_object_get(creds, "issued")),
	    (json_int_t)e.ncredentials);
	ck_assert_int_eq(json_integer_value(json_object_get(creds,
	    "ballot_keys")), (json_int_t)e.nvoted);
	ck_assert_uint_eq(json_array_size(json_object_get(creds, "classes")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    report, "ballots"), "counted")), (json_int_t)e.nvoted);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    report, "ballots"), "in_record")), (json_int_t)e.nballots);
	/* The turnout: who obtained a credential, not who cast. */
	turnout = json_object_get(report, "turnout");
	ck_assert_str_eq(json_string_value(json_object_get(turnout, "secrecy")),
	    "secret");
	json_array_foreach(json_object_get(turnout, "constituencies"), i, c)
		obtained += (size_t)json_integer_value(json_object_get(c, "voted"));
	ck_assert_uint_eq(obtained, e.ncredentials);
	ck_assert_uint_gt(e.ncredentials, e.nvoted);
	json_decref(report);
	/* One thread or many: the same verdict. */
	report = rf_verify_text(text, len, 1);
	ck_assert(rf_is_valid(report));
	json_decref(report);
	free(text);
	rf_lines_free(&lines);
	sf_free(&e);
}
END_TEST

/* Class (a, 1)'s credentials issued and ballot keys, from the report of
 * the untouched record. */
static void
class_a1(const struct rf_lines *lines, size_t *issued, size_t *voted)
{
	json_t *report = rf_verify_lines(lines), *c;
	size_t i;

	ck_assert(rf_is_valid(report));
	*issued = *voted = 0;
	json_array_foreach(json_object_get(json_object_get(report,
	    "credentials"), "classes"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "constituency")),
		    "a") == 0 && json_integer_value(json_object_get(c,
		    "weight")) == 1) {
			*issued = (size_t)json_integer_value(json_object_get(c,
			    "issued"));
			*voted = (size_t)json_integer_value(json_object_get(c,
			    "ballot_keys"));
		}
	ck_assert_uint_gt(*issued, 0);
	json_decref(report);
}

/* 1. One more ballot in a class than credentials issued in it: the
 * authority signs credentials of its own with the class key and casts
 * them, and rewrites the close statement and the tree head to match.  As
 * many as the class's voters who obtained a credential and did not vote
 * go unseen (the bound doc/record-format.md section 11 states); one more
 * is found. */
START_TEST(more_ballots_than_credentials)
{
	struct sf_election e;
	struct rf_lines lines;
	struct tl_credential_holder *forged;
	json_t *report;
	char *ballot;
	size_t close, issued, voted, unused;

	build(&e, &lines, RF_CLOSED);
	class_a1(&lines, &issued, &voted);
	unused = issued - voted;
	close = rf_find_line(&lines, TL_TYPE_CLOSE, 0, NULL);
	for (size_t k = 0; k <= unused; k++) {
		forged = sf_forge_credential(&e, "a", 1);
		ballot = sf_ballot(&e, forged, 1, plu_x, 1);
		rf_insert_line(&lines, close + k, ballot);
		free(ballot);
		tl_credential_holder_free(forged);
		recount_close(&lines, e.authority);
		rf_seal(&lines, e.authority);
		report = rf_verify_lines(&lines);
		if (k < unused)
			ck_assert_msg(rf_is_valid(report), "%zu forged ballots "
			    "within the %zu unused credentials", k + 1, unused);
		else
			rf_expect_problem(report, close + k + 1, "credentials",
			    "verification_failed");
		json_decref(report);
	}
	rf_lines_free(&lines);
	sf_free(&e);
}
END_TEST

/* 2. A ballot whose credential is of another class: the authority's own
 * credential of class (a, 1), presented as (a, 2), (b, 1), and a real
 * voter's claimed for another class. */
START_TEST(credential_of_another_class)
{
	struct sf_election e;
	struct rf_lines lines;
	struct tl_credential_holder *forged;
	json_t *report;
	char *ballot;
	size_t close;

	build(&e, &lines, RF_CLOSED);
	forged = sf_forge_credential(&e, "a", 1);
	forged->credential.weight = 2;
	ballot = sf_ballot(&e, forged, 1, plu_x, 1);
	close = rf_find_line(&lines, TL_TYPE_CLOSE, 0, NULL);
	rf_insert_line(&lines, close, ballot);
	recount_close(&lines, e.authority);
	rf_seal(&lines, e.authority);
	report = rf_verify_lines(&lines);
	rf_expect_problem(report, close + 1, "signatures", "bad_signature");
	json_decref(report);
	free(ballot);
	/* Claimed for constituency b, in b's contest. */
	{
		static const char *const ref[] = {"ref=yes"};

		rf_remove_line(&lines, close);
		snprintf(forged->credential.constituency,
		    sizeof(forged->credential.constituency), "b");
		forged->credential.constituency_index = 1;
		forged->credential.weight = 1;
		ballot = sf_ballot(&e, forged, 1, ref, 1);
		rf_insert_line(&lines, close, ballot);
		recount_close(&lines, e.authority);
		rf_seal(&lines, e.authority);
		report = rf_verify_lines(&lines);
		rf_expect_problem(report, close + 1, "signatures",
		    "bad_signature");
		json_decref(report);
		free(ballot);
	}
	tl_credential_holder_free(forged);
	rf_lines_free(&lines);
	sf_free(&e);
}
END_TEST

/* 3. An issuance whose blind signature does not match its request: the
 * second issuance carries the first's blind signature, signed again. */
START_TEST(issuance_that_does_not_match)
{
	struct sf_election e;
	struct rf_lines lines;
	struct tl_credential_issuance first, second;
	json_t *report;
	char *p1, *p2, *payload = NULL, *line;
	size_t i1, i2;

	build(&e, &lines, RF_CLOSED);
	i1 = nth_line(&lines, TL_TYPE_CREDENTIAL, 0);
	i2 = nth_line(&lines, TL_TYPE_CREDENTIAL, 1);
	p1 = rf_payload(lines.line[i1], NULL);
	p2 = rf_payload(lines.line[i2], NULL);
	ck_assert_int_eq(tl_credential_issuance_parse(p1, strlen(p1), &first,
	    NULL), TL_OK);
	ck_assert_int_eq(tl_credential_issuance_parse(p2, strlen(p2), &second,
	    NULL), TL_OK);
	memcpy(second.blind_signature, first.blind_signature,
	    first.blind_signature_len);
	ck_assert_int_eq(tl_credential_issuance_serialize(&second, &payload,
	    NULL, NULL), TL_OK);
	line = rf_sign(e.authority, TL_TYPE_CREDENTIAL, payload);
	rf_set_line(&lines, i2, line);
	rf_seal(&lines, e.authority);
	report = rf_verify_lines(&lines);
	rf_expect_problem(report, i2 + 1, "credentials", "bad_signature");
	json_decref(report);
	/* And a blind signature of random bytes. */
	free(line);
	free(payload);
	ck_assert_int_eq(tl_random_bytes(second.blind_signature, 384), TL_OK);
	second.blind_signature[0] = 0x01; /* below n, whatever n is */
	ck_assert_int_eq(tl_credential_issuance_serialize(&second, &payload,
	    NULL, NULL), TL_OK);
	line = rf_sign(e.authority, TL_TYPE_CREDENTIAL, payload);
	rf_set_line(&lines, i2, line);
	rf_seal(&lines, e.authority);
	report = rf_verify_lines(&lines);
	rf_expect_problem(report, i2 + 1, "credentials", "bad_signature");
	json_decref(report);
	free(line);
	free(payload);
	free(p1);
	free(p2);
	rf_lines_free(&lines);
	sf_free(&e);
}
END_TEST

/* 4. Two credentials for one voter: a second request of a voter who has
 * one, with its (valid) issuance; and the same request and issuance
 * logged twice. */
/* A credential request or issuance is read from its line as the other
 * entries are: by the canonical template, and re-spelled it is not the
 * logged entry; an issuance signed by another key than the authority's
 * is found on its line (checked on every core, in phase two). */
START_TEST(credential_lines_canonical_and_signed)
{
	struct sf_election e;
	struct rf_lines lines;
	struct tl_key *other = NULL;
	json_t *report;
	char *payload, *line;
	size_t iq, ii;

	build(&e, &lines, RF_CLOSED);
	report = rf_verify_lines(&lines);
	ck_assert(rf_is_valid(report));
	json_decref(report);
	iq = nth_line(&lines, TL_TYPE_CREDENTIAL_REQUEST, 2);
	ii = nth_line(&lines, TL_TYPE_CREDENTIAL, 3);
	/* A space after the request's first brace. */
	line = malloc(strlen(lines.line[iq]) + 2);
	ck_assert_ptr_nonnull(line);
	line[0] = '{';
	line[1] = ' ';
	strcpy(line + 2, lines.line[iq] + 1);
	rf_set_line(&lines, iq, line);
	free(line);
	/* The issuance's payload signed by a key not the authority's. */
	ck_assert_int_eq(tl_key_generate(&other, NULL), TL_OK);
	payload = rf_payload(lines.line[ii], NULL);
	line = rf_sign(other, TL_TYPE_CREDENTIAL, payload);
	rf_set_line(&lines, ii, line);
	free(line);
	free(payload);
	rf_seal(&lines, e.authority);
	report = rf_verify_lines(&lines);
	ck_assert(!rf_is_valid(report));
	ck_assert(rf_has_problem(report, iq + 1, "format", NULL));
	rf_expect_problem(report, ii + 1, "signatures", "bad_signature");
	json_decref(report);
	tl_key_free(other);
	rf_lines_free(&lines);
	sf_free(&e);
}
END_TEST

START_TEST(two_credentials_for_one_voter)
{
	struct sf_election e;
	struct rf_lines lines;
	struct tl_credential_holder *h = NULL;
	struct tl_credential_request q;
	struct tl_credential_issuance iss;
	struct tl_blindrsa_key *sk = NULL;
	struct tl_error err;
	json_t *report;
	char *payload = NULL, *line, hash[65], *req_payload, voter[65];
	size_t req, close;

	build(&e, &lines, RF_CLOSED);
	/* A voter who obtained a credential: the first request's. */
	req = nth_line(&lines, TL_TYPE_CREDENTIAL_REQUEST, 0);
	req_payload = rf_payload(lines.line[req], NULL);
	ck_assert_int_eq(tl_credential_request_parse(req_payload,
	    strlen(req_payload), &q, NULL), TL_OK);
	memcpy(voter, q.voter, sizeof(voter));
	ck_assert_int_eq(tl_credential_holder_new(e.manifest, e.hash, e.keys,
	    sf_voter(&e, voter), sf_voter_key(&e, voter), &h, &err), TL_OK);
	/* The authority answers the second request too. */
	ck_assert_int_eq(tl_store_credential_key_get(e.store, "e1",
	    q.constituency, q.weight, &sk, &err), TL_OK);
	free(req_payload);
	req_payload = rf_payload(h->request, NULL);
	ck_assert_int_eq(tl_credential_request_parse(req_payload,
	    strlen(req_payload), &q, NULL), TL_OK);
	memset(&iss, 0, sizeof(iss));
	snprintf(iss.election, sizeof(iss.election), "e1");
	tl_sha256_hex(h->request, strlen(h->request), hash);
	memcpy(iss.request, hash, sizeof(iss.request));
	iss.blind_signature_len = 384;
	ck_assert_int_eq(tl_blindrsa_blind_sign(sk, q.blinded, q.blinded_len,
	    iss.blind_signature, &err), TL_OK);
	ck_assert_int_eq(tl_credential_issuance_serialize(&iss, &payload, NULL,
	    NULL), TL_OK);
	line = rf_sign(e.authority, TL_TYPE_CREDENTIAL, payload);
	close = rf_find_line(&lines, TL_TYPE_CLOSE, 0, NULL);
	rf_insert_line(&lines, close, h->request);
	rf_insert_line(&lines, close + 1, line);
	rf_seal(&lines, e.authority);
	report = rf_verify_lines(&lines);
	rf_expect_problem(report, close + 1, "credentials", "duplicate_credential");
	json_decref(report);
	/* The first request and its issuance copied again. */
	rf_remove_line(&lines, close + 1);
	rf_remove_line(&lines, close);
	rf_insert_line(&lines, close, lines.line[req]);
	rf_insert_line(&lines, close + 1, lines.line[req + 1]);
	rf_seal(&lines, e.authority);
	report = rf_verify_lines(&lines);
	rf_expect_problem(report, close + 1, "credentials", "duplicate_credential");
	json_decref(report);
	free(line);
	free(payload);
	free(req_payload);
	tl_blindrsa_key_free(sk);
	tl_credential_holder_free(h);
	rf_lines_free(&lines);
	sf_free(&e);
}
END_TEST

START_TEST(order_of_the_secret_entries)
{
	struct sf_election e;
	struct rf_lines lines;
	json_t *report;
	char *keys_line, *issuance;
	size_t req;

	build(&e, &lines, RF_CLOSED);
	/* The keys statement not at the vote's start. */
	keys_line = strdup(lines.line[2]);
	rf_remove_line(&lines, 2);
	rf_insert_line(&lines, 4, keys_line);
	rf_seal(&lines, e.authority);
	report = rf_verify_lines(&lines);
	rf_expect_problem(report, 3, "order", NULL);
	ck_assert(rf_has_problem(report, 5, "order", NULL));
	json_decref(report);
	rf_remove_line(&lines, 4);
	rf_insert_line(&lines, 2, keys_line);
	free(keys_line);
	/* A request whose issuance is gone. */
	req = nth_line(&lines, TL_TYPE_CREDENTIAL_REQUEST, 2);
	issuance = strdup(lines.line[req + 1]);
	rf_remove_line(&lines, req + 1);
	rf_seal(&lines, e.authority);
	report = rf_verify_lines(&lines);
	rf_expect_problem(report, req + 1, "credentials", NULL);
	json_decref(report);
	/* ... and an issuance after the close. */
	rf_insert_line(&lines, lines.n - 1, issuance);
	rf_seal(&lines, e.authority);
	report = rf_verify_lines(&lines);
	rf_expect_problem(report, lines.n - 1, "order", NULL);
	json_decref(report);
	free(issuance);
	rf_lines_free(&lines);
	sf_free(&e);
}
END_TEST

/*
 * A secret election with a nomination stage: its class keys are made and
 * logged when the vote opens, right after the voting definition (whose
 * manifest hash the credentials then bind), and the record verifies.
 */
START_TEST(keys_after_the_voting_definition)
{
	const int64_t base = INT64_C(1800000000), day = 86400;
	char opens[TL_TIME_LEN], closes[TL_TIME_LEN], n1[TL_TIME_LEN];
	char n2[TL_TIME_LEN], *json = NULL, *csv, *id = NULL, *text;
	struct tl_credential_keys *keys = NULL;
	struct tl_credential_holder *h = NULL;
	struct tl_manifest *m = NULL;
	struct tl_key **voters = th_keys(6), *authority = NULL;
	struct tl_roll *roll = NULL;
	struct rf_lines lines;
	struct tl_error err;
	char hash[TL_HASH_HEX_LEN + 1], *answer = NULL, *ballot, *payload;
	char *receipt = NULL, *entry = NULL, *kind = NULL;
	char *dir = th_tmpdir();
	struct tl_store *store = th_store(dir);
	struct tl_envelope *env = NULL;
	const char *plu[] = {"seat=ina"};
	size_t len = 0, n = 0;
	json_t *report;

	tl_time_format(base + 30 * day, opens);
	tl_time_format(base + 40 * day, closes);
	tl_time_format(base, n1);
	tl_time_format(base + 10 * day, n2);
	ck_assert_int_ne(asprintf(&json, "{\"id\": \"e1\", \"title\": \"Cycle\", "
	    "\"secrecy\": \"secret\", \"opens\": \"%s\", \"closes\": \"%s\", "
	    "\"timetable\": {\"nominations\": {\"opens\": \"%s\", "
	    "\"closes\": \"%s\"}}, \"constituencies\": [{\"id\": \"a\"}], "
	    "\"contests\": [{\"id\": \"seat\", \"title\": \"Seat\", "
	    "\"constituency\": \"a\", \"method\": \"plurality\", "
	    "\"candidates\": [{\"id\": \"ina\", \"name\": \"Ina\"}]}]}", opens,
	    closes, n1, n2), -1);
	{
		struct tl_buf b;
		char pub[TL_PUBLIC_B64_LEN + 1];

		tl_buf_init(&b, 1 << 16);
		tl_buf_adds(&b, "voter_id,name,constituency,weight,public_key\n");
		for (size_t i = 0; i < 6; i++) {
			tl_key_public_base64(voters[i], pub);
			tl_buf_addf(&b, "a%zu,A%zu,a,1,%s\n", i + 1, i + 1, pub);
		}
		csv = tl_buf_take(&b, NULL);
	}
	ck_assert_int_eq(tl_election_create(store, json, strlen(json), base - day,
	    &id, &err), TL_OK);
	ck_assert_int_eq(tl_election_import_roll(store, "e1", csv, strlen(csv),
	    "roll.csv", NULL, &err), TL_OK);
	ck_assert_msg(tl_election_publish(store, "e1", base - day, &err) ==
	    TL_OK, "%s", err.message);
	ck_assert_msg(tl_candidate_add(store, "e1", "seat", "joe", "Joe",
	    base + day, &err) == TL_OK, "%s", err.message);
	ck_assert_msg(tl_election_open(store, "e1", base + 30 * day, &err) ==
	    TL_OK, "%s", err.message);
	/* Manifest, roll, the candidate, the voting definition, the keys. */
	ck_assert_int_eq(tl_log_entry(store, "e1", 4, &entry, &len, &kind,
	    &err), TL_OK);
	ck_assert_str_eq(kind, "credential-keys");
	ck_assert_int_eq(tl_election_load(store, "e1", &m, hash, NULL, &err),
	    TL_OK);
	ck_assert_ptr_nonnull(m->initial_manifest);
	ck_assert_int_eq(tl_store_authority(store, &authority, &err), TL_OK);
	ck_assert_int_eq(tl_credential_keys_open(entry, len, authority, m, hash,
	    &keys, &err), TL_OK);
	ck_assert_int_eq(tl_election_roll(store, "e1", m, &roll, &err), TL_OK);
	tl_roll_sort(roll);
	ck_assert_int_eq(tl_credential_holder_new(m, hash, keys,
	    tl_roll_find(roll, "a1"), voters[0], &h, &err), TL_OK);
	ck_assert_msg(tl_credential_issue(store, h->request, strlen(h->request),
	    base + 31 * day, &answer, NULL, &err) == TL_OK, "%s", err.message);
	ck_assert_int_eq(tl_credential_holder_finish(h, keys, authority, answer,
	    strlen(answer), &err), TL_OK);
	ck_assert_int_eq(tl_ballot_build_secret(m, hash, &h->credential, 1, plu,
	    1, &payload, &n, &err), TL_OK);
	ck_assert_int_eq(tl_envelope_sign(TL_TYPE_BALLOT, payload, n,
	    h->ballot_key, &env, &err), TL_OK);
	ck_assert_int_eq(tl_envelope_serialize(env, &ballot, NULL, &err), TL_OK);
	ck_assert_msg(tl_ballot_cast(store, ballot, strlen(ballot),
	    base + 32 * day, &receipt, &err) == TL_OK, "%s", err.message);
	text = rf_export_store(store, "e1", &len);
	rf_split(text, len, &lines);
	report = rf_verify_lines(&lines);
	ck_assert_msg(rf_is_valid(report), "%s", json_dumps(json_object_get(
	    report, "problems"), 0));
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    report, "credentials"), "keys_line")), 5);
	json_decref(report);
	/* The keys before the voting definition: out of place. */
	{
		char *keys_line = strdup(lines.line[4]);

		rf_remove_line(&lines, 4);
		rf_insert_line(&lines, 3, keys_line);
		rf_seal(&lines, authority);
		report = rf_verify_lines(&lines);
		rf_expect_problem(report, 4, "order", NULL);
		json_decref(report);
		free(keys_line);
	}
	rf_lines_free(&lines);
	free(text);
	free(ballot);
	free(payload);
	free(receipt);
	free(answer);
	free(entry);
	free(kind);
	free(json);
	free(csv);
	free(id);
	tl_envelope_free(env);
	tl_credential_holder_free(h);
	tl_credential_keys_free(keys);
	tl_roll_free(roll);
	tl_manifest_free(m);
	tl_key_free(authority);
	th_keys_free(voters, 6);
	tl_store_close(store);
	th_rm_rf(dir);
	free(dir);
}
END_TEST

/* The classes of the keys statement must be the roll's. */
START_TEST(keys_statement_of_other_classes)
{
	struct sf_election e;
	struct rf_lines lines;
	json_t *report, *doc;
	char *payload, *text, *line;

	build(&e, &lines, RF_OPEN);
	payload = rf_payload(lines.line[2], NULL);
	doc = json_loads(payload, 0, NULL);
	/* The last class dropped. */
	json_array_remove(json_object_get(doc, "classes"),
	    json_array_size(json_object_get(doc, "classes")) - 1);
	text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	line = rf_sign(e.authority, TL_TYPE_CREDENTIAL_KEYS, text);
	rf_set_line(&lines, 2, line);
	rf_seal(&lines, e.authority);
	report = rf_verify_lines(&lines);
	rf_expect_problem(report, 3, "credentials", NULL);
	json_decref(report);
	free(line);
	free(text);
	free(payload);
	json_decref(doc);
	rf_lines_free(&lines);
	sf_free(&e);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("verify_secret");
	TCase *tc = tcase_create("verify_secret");

	tcase_set_timeout(tc, 900);
	tcase_add_test(tc, a_secret_record_verifies);
	tcase_add_test(tc, more_ballots_than_credentials);
	tcase_add_test(tc, credential_of_another_class);
	tcase_add_test(tc, issuance_that_does_not_match);
	tcase_add_test(tc, credential_lines_canonical_and_signed);
	tcase_add_test(tc, two_credentials_for_one_voter);
	tcase_add_test(tc, order_of_the_secret_entries);
	tcase_add_test(tc, keys_statement_of_other_classes);
	tcase_add_test(tc, keys_after_the_voting_definition);
	suite_add_tcase(s, tc);
	return th_run(s);
}
