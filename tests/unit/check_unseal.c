/*
 * check_unseal.c: a sealed secret election (doc/record-format.md 5.15.6,
 * 5.16, check 17) with 3 trustees and threshold 2, in a real database:
 * the count waits for 2 trustees and names the others; teller refuses an
 * unseal statement that is not a trustee's, not signed by it, whose key
 * is not its sealing key, made before the close, or a second one, and
 * stores nothing then; a ballot with its selections in the clear is
 * refused; the record verifies, its ballots opened offline.
 * Then records the authority re-signed (every signature valid, the tree
 * head sealed again), each found as the rules say:
 *
 *   an unseal statement whose key does not match the manifest;
 *   one dated before the close, and one placed before it;
 *   a result before 2 trustees unsealed;
 *   a ballot with inconsistent shares: spoiled, listed in the result
 *   (valid), and reported with all 3 keys; a result that counts it.
 *
 * And the count writes the opened ballots' selections to the database's
 * selections table, as casting writes those of ballots in the clear; a
 * sealed ballot as teller writes it is read by the fast path, to the
 * same ballot as the general one.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "helpers.h"
#include "record_fixture.h"
#include "secret_fixture.h"
#include "store_internal.h"
#include "teller/ballot.h"
#include "teller/cast.h"
#include "teller/election.h"
#include "teller/envelope.h"
#include "teller/log.h"
#include "teller/record.h"
#include "teller/sealed.h"
#include "teller/statement.h"
#include "teller/trustee.h"
#include "teller/unseal.h"
#include "teller/util.h"

#define UNSEAL_AT (TH_CLOSES + 3600)
#define TALLY_AT (TH_CLOSES + 7200)

static const char *const ids[3] = {"t1", "t2", "t3"};
static struct tl_trustee_key *tk[3];

/* The manifest members that name the 3 trustees, threshold k. */
static void
name_trustees_k(unsigned k)
{
	char members[3000], *p = members;
	struct tl_error err;

	p += sprintf(p, "\"trustees\": [");
	for (int i = 0; i < 3; i++) {
		char id[TL_PUBLIC_B64_LEN + 1], seal[TL_PUBLIC_B64_LEN + 1];

		ck_assert_int_eq(tl_trustee_key_generate(&tk[i], &err), TL_OK);
		tl_key_public_base64(tk[i]->identity, id);
		tl_trustee_sealing_public_base64(tk[i], seal);
		p += sprintf(p, "%s{\"id\": \"%s\", \"identity_key\": \"%s\", "
		    "\"sealing_key\": \"%s\"}", i > 0 ? ", " : "", ids[i], id,
		    seal);
	}
	sprintf(p, "], \"threshold\": %u, ", k);
	sf_set_trustees(members);
}

static void
name_trustees(void)
{
	name_trustees_k(2);
}

static void
forget_trustees(void)
{
	sf_set_trustees(NULL);
	for (int i = 0; i < 3; i++) {
		tl_trustee_key_free(tk[i]);
		tk[i] = NULL;
	}
}

/* A ballot payload doc signed by holder h's ballot key, as a voter's
 * client could sign anything: the envelope's text (caller frees). */
static char *
signed_by_ballot_key(json_t *doc, const struct tl_credential_holder *h)
{
	struct tl_envelope *env = NULL;
	struct tl_error err;
	char *payload = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	char *out = NULL;

	ck_assert_ptr_nonnull(payload);
	ck_assert_int_eq(tl_envelope_sign(TL_TYPE_BALLOT, payload,
	    strlen(payload), h->ballot_key, &env, &err), TL_OK);
	ck_assert_int_eq(tl_envelope_serialize(env, &out, NULL, &err), TL_OK);
	tl_envelope_free(env);
	free(payload);
	return out;
}

/* The logged close statement's entry hash and time. */
static void
close_of(struct tl_store *store, char hash[TL_HASH_HEX_LEN + 1],
    int64_t *time)
{
	struct tl_error err;
	json_t *status = NULL, *close;

	ck_assert_int_eq(tl_election_unseal_status(store, "e1", &status, &err),
	    TL_OK);
	close = json_object_get(status, "close");
	ck_assert(json_is_object(close));
	snprintf(hash, TL_HASH_HEX_LEN + 1, "%s", json_string_value(
	    json_object_get(close, "entry")));
	ck_assert_int_eq(tl_time_parse(json_string_value(json_object_get(close,
	    "time")), time), TL_OK);
	json_decref(status);
}

/* Trustee t's unseal statement (as key signs it), dated at the close plus
 * delay (caller frees). */
static char *
statement(const struct sf_election *e, const struct tl_trustee_key *key,
    const char *trustee, int64_t delay)
{
	struct tl_error err;
	char close[TL_HASH_HEX_LEN + 1], *text = NULL;
	int64_t time = 0;
	size_t len = 0;

	close_of(e->store, close, &time);
	ck_assert_int_eq(tl_trustee_unseal_statement(key, "e1", e->hash, trustee,
	    close, time + delay, &text, &len, &err), TL_OK);
	return text;
}

static int
unseal_text(struct sf_election *e, const char *text, struct tl_error *err)
{
	json_t *answer = NULL;
	int r = tl_election_unseal(e->store, "e1", text, strlen(text),
	    UNSEAL_AT, NULL, &answer, err);

	json_decref(answer);
	return r;
}

static void
unseal(struct sf_election *e, int t)
{
	struct tl_error err;
	char *text = statement(e, tk[t], ids[t], 60);

	ck_assert_msg(unseal_text(e, text, &err) == TL_OK, "%s", err.message);
	tl_wipe_free(text);
}

static void
tally(struct sf_election *e)
{
	struct tl_error err;
	json_t *result = NULL;

	ck_assert_msg(tl_election_tally(e->store, "e1", TALLY_AT, &result,
	    &err) == TL_OK, "%s", err.message);
	json_decref(result);
}

/* A sealed election of 12 + 5 voters, closed; unsealed by the trustees
 * named in `who` (bits), then counted if `count`; its record as lines. */
static void
build(struct sf_election *e, struct rf_lines *lines, unsigned who, int count)
{
	size_t len = 0;
	char *text;

	name_trustees();
	sf_build(e, 12, 5, 2, RF_CLOSED, 13);
	for (int t = 0; t < 3; t++)
		if (who & (1u << t))
			unseal(e, t);
	if (count)
		tally(e);
	text = rf_export_store(e->store, "e1", &len);
	rf_split(text, len, lines);
	free(text);
}

static void
done(struct sf_election *e, struct rf_lines *lines)
{
	rf_lines_free(lines);
	sf_free(e);
	forget_trustees();
}

static uint64_t
log_size(struct sf_election *e)
{
	struct tl_error err;
	uint64_t n = 0;

	ck_assert_int_eq(tl_log_size(e->store, "e1", &n, &err), TL_OK);
	return n;
}

START_TEST(the_count_waits_for_two_trustees)
{
	struct sf_election e;
	struct rf_lines lines;
	struct tl_error err;
	json_t *result = NULL, *report;

	build(&e, &lines, 0, 0);
	ck_assert_int_eq(tl_election_tally(e.store, "e1", TALLY_AT, &result,
	    &err), TL_ESTATE);
	ck_assert_msg(strstr(err.message, "0 of the 2 trustees needed have "
	    "unsealed; waiting for: t1, t2, t3") != NULL, "%s", err.message);
	unseal(&e, 1);
	ck_assert_int_eq(tl_election_tally(e.store, "e1", TALLY_AT, &result,
	    &err), TL_ESTATE);
	ck_assert_msg(strstr(err.message, "1 of the 2 trustees needed has "
	    "unsealed (t2); waiting for: t1, t3") != NULL, "%s", err.message);
	/* A closed record with one statement: valid, and not opened. */
	report = rf_verify_lines(&lines);
	ck_assert(rf_is_valid(report));
	ck_assert(json_is_false(json_object_get(json_object_get(report,
	    "unseal"), "opened")));
	json_decref(report);
	unseal(&e, 0);
	tally(&e);
	done(&e, &lines);
}
END_TEST

START_TEST(refused_statements_store_nothing)
{
	struct sf_election e;
	struct rf_lines lines;
	struct tl_trustee_key *stranger = NULL, *mixed = NULL;
	struct tl_error err;
	uint64_t before;
	char *text;

	/* Before the close: no close to name, and refused. */
	name_trustees();
	sf_build(&e, 4, 2, 0, RF_OPEN, 5);
	ck_assert_int_eq(tl_trustee_unseal_statement(tk[0], "e1", e.hash, "t1",
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    TH_NOW, &text, NULL, &err), TL_OK);
	before = log_size(&e);
	ck_assert_int_eq(unseal_text(&e, text, &err), TL_ESTATE);
	ck_assert_uint_eq(log_size(&e), before);
	tl_wipe_free(text);
	rf_finish(e.store, RF_CLOSED);
	before = log_size(&e);

	/* A key that is no trustee's. */
	ck_assert_int_eq(tl_trustee_key_generate(&stranger, &err), TL_OK);
	text = statement(&e, stranger, "t1", 60);
	ck_assert_int_eq(unseal_text(&e, text, &err), TL_ESIGNATURE);
	tl_wipe_free(text);
	/* t1's identity, another sealing key. */
	ck_assert_int_eq(tl_trustee_key_generate(&mixed, &err), TL_OK);
	tl_key_free(mixed->identity);
	mixed->identity = tk[0]->identity;
	text = statement(&e, mixed, "t1", 60);
	mixed->identity = NULL;
	ck_assert_int_eq(unseal_text(&e, text, &err), TL_EVERIFY);
	tl_wipe_free(text);
	/* Signed by t1, claiming to be t2. */
	text = statement(&e, tk[0], "t2", 60);
	ck_assert_int_eq(unseal_text(&e, text, &err), TL_ESIGNATURE);
	tl_wipe_free(text);
	/* No trustee of that id. */
	text = statement(&e, tk[0], "t9", 60);
	ck_assert_int_eq(unseal_text(&e, text, &err), TL_EPERM);
	tl_wipe_free(text);
	/* Dated before the close. */
	text = statement(&e, tk[0], "t1", -1);
	ck_assert_int_eq(unseal_text(&e, text, &err), TL_ESTATE);
	ck_assert_msg(strstr(err.message, "before the close") != NULL, "%s",
	    err.message);
	tl_wipe_free(text);
	ck_assert_uint_eq(log_size(&e), before);
	/* t1's own, once; not twice. */
	unseal(&e, 0);
	text = statement(&e, tk[0], "t1", 120);
	ck_assert_int_eq(unseal_text(&e, text, &err), TL_ECONFLICT);
	tl_wipe_free(text);
	ck_assert_uint_eq(log_size(&e), before + 1);
	tl_trustee_key_free(stranger);
	tl_trustee_key_free(mixed);
	lines.n = 0;
	lines.line = NULL;
	done(&e, &lines);
}
END_TEST

START_TEST(a_sealed_record_verifies)
{
	struct sf_election e;
	struct rf_lines lines;
	json_t *report, *u;
	char *payload;
	size_t result, sealed = 0;

	build(&e, &lines, 1u | 2u, 1);
	report = rf_verify_lines(&lines);
	ck_assert_msg(rf_is_valid(report), "%s", json_dumps(json_object_get(
	    report, "problems"), 0));
	ck_assert(json_is_true(json_object_get(report, "result_matches")));
	u = json_object_get(report, "unseal");
	ck_assert(json_is_true(json_object_get(u, "opened")));
	ck_assert_int_eq(json_integer_value(json_object_get(u, "spoiled")), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(u, "opening")), 2);
	ck_assert_ptr_null(json_object_get(u, "shares_disagree"));
	json_decref(report);
	/* Every ballot line is sealed: no selections in the clear. */
	for (size_t i = 0; i < lines.n; i++) {
		char *type = NULL;

		payload = rf_payload(lines.line[i], &type);
		if (strcmp(type, TL_TYPE_BALLOT) == 0) {
			ck_assert_ptr_null(strstr(payload, "\"selections\":["));
			ck_assert_ptr_nonnull(strstr(payload, "\"sealed\":{"));
			sealed++;
		}
		free(type);
		free(payload);
	}
	ck_assert_uint_eq(sealed, e.nballots);
	result = rf_find_line(&lines, TL_TYPE_RESULT, 0, NULL);
	payload = rf_payload(lines.line[result], NULL);
	ck_assert_ptr_nonnull(strstr(payload, "\"spoiled\":[]"));
	free(payload);
	done(&e, &lines);
}
END_TEST

/* In a sealed election a ballot with its selections in the clear is
 * refused and stores nothing, even signed by a valid ballot key. */
START_TEST(a_ballot_in_the_clear_is_refused)
{
	static const char *const plu_x[] = {"plu=x"};
	struct sf_election e;
	struct rf_lines lines;
	struct tl_credential_holder *h;
	struct tl_error err;
	json_t *doc;
	char *ballot, *payload, *text = NULL, *receipt = NULL;
	uint64_t before;

	name_trustees();
	sf_open(&e, 2, 1, 0);
	h = sf_credential(&e, "a1");
	ballot = sf_ballot(&e, h, 1, plu_x, 1);
	payload = rf_payload(ballot, NULL);
	doc = json_loads(payload, 0, NULL);
	json_object_del(doc, "sealed");
	json_object_set_new(doc, "selections", json_loads(
	    "[{\"contest\":\"plu\",\"marks\":[\"x\"]}]", 0, NULL));
	free(payload);
	text = signed_by_ballot_key(doc, h);
	before = log_size(&e);
	ck_assert_int_eq(tl_ballot_cast(e.store, text, strlen(text), TH_NOW,
	    &receipt, &err), TL_EBALLOT);
	ck_assert_msg(strstr(err.message, "never in the clear") != NULL, "%s",
	    err.message);
	ck_assert_uint_eq(log_size(&e), before);
	/* The sealed one is taken. */
	free(sf_cast(&e, ballot));
	ck_assert_uint_eq(log_size(&e), before + 1);
	json_decref(doc);
	free(text);
	free(ballot);
	tl_credential_holder_free(h);
	lines.n = 0;
	lines.line = NULL;
	done(&e, &lines);
}
END_TEST

/* A secret election that names no trustees: the authority is its only
 * trustee, named in the manifest signed at the open, and unseals at the
 * close by itself; the record verifies, its ballots opened offline. */
START_TEST(the_authority_as_only_trustee)
{
	struct sf_election e;
	struct rf_lines lines;
	json_t *report, *u, *doc;
	char *payload, *type = NULL, pub[TL_PUBLIC_B64_LEN + 1];
	size_t close, len = 0;

	sf_set_trustees(NULL);
	sf_build(&e, 8, 3, 1, RF_COUNTED, 7);
	ck_assert(tl_manifest_sealed(e.manifest));
	ck_assert_uint_eq(e.manifest->ntrustees, 1);
	ck_assert_uint_eq(e.manifest->threshold, 1);
	ck_assert_str_eq(e.manifest->trustees[0].id, "authority");
	tl_key_public_base64(e.authority, pub);
	ck_assert_str_eq(e.manifest->trustees[0].identity_key, pub);
	payload = rf_export_store(e.store, "e1", &len);
	rf_split(payload, len, &lines);
	free(payload);
	/* The unseal statement right after the close. */
	close = rf_find_line(&lines, TL_TYPE_CLOSE, 0, NULL);
	payload = rf_payload(lines.line[close + 1], &type);
	ck_assert_str_eq(type, TL_TYPE_UNSEAL);
	doc = json_loads(payload, 0, NULL);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "trustee")),
	    "authority");
	json_decref(doc);
	free(payload);
	free(type);
	report = rf_verify_lines(&lines);
	ck_assert_msg(rf_is_valid(report), "%s", json_dumps(json_object_get(
	    report, "problems"), 0));
	ck_assert(json_is_true(json_object_get(report, "result_matches")));
	u = json_object_get(report, "unseal");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(u,
	    "opening"), 0)), "authority");
	ck_assert(json_is_true(json_object_get(u, "opened")));
	/* With its one key published, every share is checked. */
	ck_assert_uint_eq(json_array_size(json_object_get(u,
	    "shares_disagree")), 0);
	json_decref(report);
	rf_lines_free(&lines);
	sf_free(&e);
}
END_TEST

/* The line of trustee id's unseal statement. */
static size_t
unseal_line(const struct rf_lines *lines, const char *id)
{
	char needle[32];

	snprintf(needle, sizeof(needle), "\"trustee\":\"%s\"", id);
	return rf_find_line(lines, TL_TYPE_UNSEAL, 0, needle);
}

START_TEST(statement_whose_key_does_not_match)
{
	struct sf_election e;
	struct rf_lines lines;
	struct tl_trustee_key *other = NULL;
	struct tl_error err;
	json_t *report;
	char *text;
	size_t at;

	build(&e, &lines, 1u | 2u, 1);
	at = unseal_line(&lines, "t2");
	ck_assert_int_eq(tl_trustee_key_generate(&other, &err), TL_OK);
	tl_key_free(other->identity);
	other->identity = tk[1]->identity;   /* signed by t2 itself */
	text = statement(&e, other, "t2", 60);
	other->identity = NULL;
	rf_set_line(&lines, at, text);
	tl_wipe_free(text);
	rf_seal(&lines, e.authority);
	report = rf_verify_lines(&lines);
	rf_expect_problem(report, at + 1, "unseal", "verification_failed");
	/* And with only t1's accepted, the result came too early. */
	rf_expect_problem(report, rf_find_line(&lines, TL_TYPE_RESULT, 0,
	    NULL) + 1, "unseal", NULL);
	json_decref(report);
	tl_trustee_key_free(other);
	done(&e, &lines);
}
END_TEST

START_TEST(statement_before_the_close)
{
	struct sf_election e;
	struct rf_lines lines;
	json_t *report;
	char *text;
	size_t at, close;

	build(&e, &lines, 1u | 2u, 1);
	/* Dated a second before the close statement's time. */
	at = unseal_line(&lines, "t2");
	text = statement(&e, tk[1], "t2", -1);
	rf_set_line(&lines, at, text);
	tl_wipe_free(text);
	rf_seal(&lines, e.authority);
	report = rf_verify_lines(&lines);
	rf_expect_problem(report, at + 1, "unseal", "wrong_state");
	json_decref(report);
	/* The original statement, placed before the close. */
	rf_lines_free(&lines);
	text = rf_export_store(e.store, "e1", &at);
	rf_split(text, at, &lines);
	free(text);
	at = unseal_line(&lines, "t1");
	close = rf_find_line(&lines, TL_TYPE_CLOSE, 0, NULL);
	text = strdup(lines.line[at]);
	rf_remove_line(&lines, at);
	rf_insert_line(&lines, close, text);
	free(text);
	rf_seal(&lines, e.authority);
	report = rf_verify_lines(&lines);
	rf_expect_problem(report, close + 1, "order", NULL);
	json_decref(report);
	done(&e, &lines);
}
END_TEST

START_TEST(result_before_two_trustees)
{
	struct sf_election e;
	struct rf_lines lines;
	json_t *report;
	size_t result;

	build(&e, &lines, 1u | 2u, 1);
	rf_remove_line(&lines, unseal_line(&lines, "t2"));
	rf_seal(&lines, e.authority);
	result = rf_find_line(&lines, TL_TYPE_RESULT, 0, NULL);
	report = rf_verify_lines(&lines);
	rf_expect_problem(report, result + 1, "unseal", "verification_failed");
	json_decref(report);
	done(&e, &lines);
}
END_TEST

/*
 * A ballot of holder h for "plu=x", sealed as a faulty client would: the
 * selections and the first `from_first` shares from one sealing, the
 * other shares from another of the same text (another K).
 */
static char *
faulty_ballot(const struct sf_election *e,
    const struct tl_credential_holder *h, unsigned from_first)
{
	static const char *const plu_x[] = {"plu=x"};
	static const char text[] = "[{\"contest\":\"plu\",\"marks\":[\"x\"]}]";
	uint8_t keys[3][TL_HPKE_NPK];
	struct tl_seal_binding b;
	struct tl_sealed one, two;
	struct tl_error err;
	json_t *doc;
	char *payload = NULL, *out = NULL;
	size_t len = 0;

	for (int i = 0; i < 3; i++)
		tl_trustee_sealing_public(tk[i], keys[i]);
	b.election = "e1";
	ck_assert_int_eq(tl_hex_decode(e->hash, b.manifest_hash, 32), TL_OK);
	memcpy(b.ballot_key, h->credential.ballot_key, 32);
	memset(&one, 0, sizeof(one));
	memset(&two, 0, sizeof(two));
	ck_assert_int_eq(tl_sealed_make(text, strlen(text), 0,
	    (const uint8_t (*)[TL_HPKE_NPK])keys, 3, 2, &b, &one, &err), TL_OK);
	ck_assert_int_eq(tl_sealed_make(text, strlen(text), 0,
	    (const uint8_t (*)[TL_HPKE_NPK])keys, 3, 2, &b, &two, &err), TL_OK);
	for (unsigned i = from_first; i < 3; i++)
		memcpy(one.shares[i], two.shares[i], TL_SEAL_SHARE_LEN);
	ck_assert_int_eq(tl_ballot_build_secret(e->manifest, e->hash,
	    &h->credential, 1, plu_x, 1, &payload, &len, &err), TL_OK);
	doc = json_loads(payload, 0, NULL);
	json_object_set_new(doc, "sealed", tl_sealed_to_json(&one));
	free(payload);
	out = signed_by_ballot_key(doc, h);
	json_decref(doc);
	tl_sealed_free(&one);
	tl_sealed_free(&two);
	return out;
}

/* Voters a1..a6 with credentials: a1, a2 and a4 vote as voters do, a3's
 * client seals shares that disagree with its selections (spoiled), a5's
 * seals a third share off the others' polynomials (it opens). */
static void
build_faulty(struct sf_election *e, struct rf_lines *lines, unsigned who)
{
	static const char *const votes[][1] = {{"plu=x"}, {"plu=y"}, {""},
	    {"plu=y"}};
	struct tl_credential_holder *h[6];
	char id[8], *ballot, *text;
	size_t len = 0;

	name_trustees();
	sf_open(e, 6, 2, 0);
	for (int i = 0; i < 6; i++) {
		snprintf(id, sizeof(id), "a%d", i + 1);
		h[i] = sf_credential(e, id);
	}
	for (int i = 0; i < 5; i++) {
		ballot = i == 2 ? faulty_ballot(e, h[i], 1) : i == 4 ?
		    faulty_ballot(e, h[i], 2) : sf_ballot(e, h[i], 1, votes[i],
		    1);
		free(sf_cast(e, ballot));
		free(ballot);
	}
	for (int i = 0; i < 6; i++)
		tl_credential_holder_free(h[i]);
	rf_finish(e->store, RF_CLOSED);
	for (int t = 0; t < 3; t++)
		if (who & (1u << t))
			unseal(e, t);
	tally(e);
	text = rf_export_store(e->store, "e1", &len);
	rf_split(text, len, lines);
	free(text);
}

START_TEST(inconsistent_shares_spoil_the_ballot)
{
	struct sf_election e;
	struct rf_lines lines;
	json_t *report, *result, *u, *spoiled;
	char *payload;
	size_t at;

	build_faulty(&e, &lines, 1u | 2u);
	at = rf_find_line(&lines, TL_TYPE_RESULT, 0, NULL);
	payload = rf_payload(lines.line[at], NULL);
	result = json_loads(payload, 0, NULL);
	free(payload);
	spoiled = json_object_get(result, "spoiled");
	ck_assert_uint_eq(json_array_size(spoiled), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    spoiled, 0), "reason")), "selections do not open");
	/* Counted in no contest: x 1 (a1), y 2 (a2, a4), and a5's x. */
	report = rf_verify_lines(&lines);
	ck_assert_msg(rf_is_valid(report), "%s", json_dumps(json_object_get(
	    report, "problems"), 0));
	u = json_object_get(report, "unseal");
	ck_assert_int_eq(json_integer_value(json_object_get(u, "spoiled")), 1);
	json_decref(report);

	/* A result that counts the spoiled ballot instead: re-signed. */
	json_array_clear(spoiled);
	{
		char *text = json_dumps(result, JSON_COMPACT | JSON_SORT_KEYS);
		char *line = rf_sign(e.authority, TL_TYPE_RESULT, text);

		rf_set_line(&lines, at, line);
		free(line);
		free(text);
	}
	rf_seal(&lines, e.authority);
	report = rf_verify_lines(&lines);
	rf_expect_problem(report, at + 1, "recount", NULL);
	json_decref(report);
	json_decref(result);
	done(&e, &lines);
}
END_TEST

START_TEST(all_keys_report_shares_that_disagree)
{
	struct sf_election e;
	struct rf_lines lines;
	json_t *report, *list;

	build_faulty(&e, &lines, 1u | 2u | 4u);
	report = rf_verify_lines(&lines);
	ck_assert_msg(rf_is_valid(report), "%s", json_dumps(json_object_get(
	    report, "problems"), 0));
	list = json_object_get(json_object_get(report, "unseal"),
	    "shares_disagree");
	/* a3's (t1 off the others) and a5's (t3 off the others). */
	ck_assert_uint_eq(json_array_size(list), 2);
	for (size_t i = 0; i < 2; i++) {
		json_t *who = json_object_get(json_array_get(list, i),
		    "trustees");

		ck_assert_uint_eq(json_array_size(who), 1);
		ck_assert_str_eq(json_string_value(json_array_get(who, 0)),
		    "t3");
	}
	json_decref(report);
	done(&e, &lines);
}
END_TEST

/* Voter h's ballot for x, with trustee t's share altered in its last
 * byte and the ballot signed again by its ballot key, as a voter could. */
static char *
altered_share_ballot(const struct sf_election *e,
    const struct tl_credential_holder *h, size_t t)
{
	static const char *const plu_x[] = {"plu=x"};
	char *ballot, *payload, *b64 = NULL, *out = NULL;
	const char *share;
	uint8_t *raw = NULL;
	size_t rawlen = 0;
	json_t *doc, *shares;

	ballot = sf_ballot(e, h, 1, plu_x, 1);
	payload = rf_payload(ballot, NULL);
	free(ballot);
	doc = json_loads(payload, 0, NULL);
	free(payload);
	shares = json_object_get(json_object_get(doc, "sealed"), "shares");
	share = json_string_value(json_array_get(shares, t));
	ck_assert_ptr_nonnull(share);
	ck_assert_int_eq(tl_base64_decode(share, strlen(share), &raw,
	    &rawlen), TL_OK);
	raw[rawlen - 1] ^= 1;
	ck_assert_int_eq(tl_base64_encode(raw, rawlen, &b64), TL_OK);
	free(raw);
	json_array_set_new(shares, t, json_string(b64));
	free(b64);
	out = signed_by_ballot_key(doc, h);
	json_decref(doc);
	return out;
}

/* n = k = 3, all three unseal: the opening uses every share, so a ballot
 * whose share of t2 does not open is spoiled and named with all three
 * trustees (as tl_sealed_shares_agree names them when fewer than k
 * shares open), and the ballots whose shares all open are not named. */
START_TEST(all_keys_of_n_equal_k_report_an_unopened_share)
{
	static const char *const plu_y[] = {"plu=y"};
	struct sf_election e;
	struct rf_lines lines;
	struct tl_credential_holder *h[3];
	json_t *report, *list, *who;
	char id[8], *ballot, *text, key[TL_PUBLIC_B64_LEN + 1];
	size_t len = 0;

	name_trustees_k(3);
	sf_open(&e, 3, 1, 0);
	for (int i = 0; i < 3; i++) {
		snprintf(id, sizeof(id), "a%d", i + 1);
		h[i] = sf_credential(&e, id);
		ballot = i == 1 ? altered_share_ballot(&e, h[i], 1) :
		    sf_ballot(&e, h[i], 1, plu_y, 1);
		free(sf_cast(&e, ballot));
		free(ballot);
	}
	rf_finish(e.store, RF_CLOSED);
	for (int t = 0; t < 3; t++)
		unseal(&e, t);
	tally(&e);
	text = rf_export_store(e.store, "e1", &len);
	rf_split(text, len, &lines);
	free(text);
	report = rf_verify_lines(&lines);
	ck_assert_msg(rf_is_valid(report), "%s", json_dumps(json_object_get(
	    report, "problems"), 0));
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    report, "unseal"), "spoiled")), 1);
	list = json_object_get(json_object_get(report, "unseal"),
	    "shares_disagree");
	ck_assert_uint_eq(json_array_size(list), 1);
	tl_base64_encode_to(h[1]->credential.ballot_key, TL_ED25519_PUBLIC_LEN,
	    key);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    list, 0), "ballot_key")), key);
	who = json_object_get(json_array_get(list, 0), "trustees");
	ck_assert_uint_eq(json_array_size(who), 3);
	for (size_t i = 0; i < 3; i++)
		ck_assert_str_eq(json_string_value(json_array_get(who, i)),
		    ids[i]);
	json_decref(report);
	for (int i = 0; i < 3; i++)
		tl_credential_holder_free(h[i]);
	done(&e, &lines);
}
END_TEST

/* The selections table's rows of election e1, as text: each contest,
 * rank and choice with how many rows have it (caller frees). */
static char *
selection_rows(struct tl_store *store)
{
	sqlite3_stmt *stmt = NULL;
	const char *text;
	char *copy;

	ck_assert_int_eq(sqlite3_prepare_v2(store->db, "SELECT "
	    "ifnull(group_concat(row, ' '), '') FROM (SELECT contest_id || ':' "
	    "|| rank || ':' || choice || '=' || count(*) AS row FROM selections "
	    "WHERE election_id = 'e1' GROUP BY contest_id, rank, choice ORDER "
	    "BY contest_id, rank, choice)", -1, &stmt, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	text = (const char *)sqlite3_column_text(stmt, 0);
	copy = strdup(text != NULL ? text : "");
	sqlite3_finalize(stmt);
	ck_assert_ptr_nonnull(copy);
	return copy;
}

START_TEST(opened_selections_are_stored)
{
	struct sf_election e, clear;
	struct rf_lines lines;
	char *sealed_rows, *again, *clear_rows;

	build(&e, &lines, 1u | 4u, 0);
	/* Sealed until the count: no selection in the database. */
	ck_assert_int_eq(th_count(e.store, "selections"), 0);
	tally(&e);
	sealed_rows = selection_rows(e.store);
	ck_assert_int_gt(th_count(e.store, "selections"), 0);
	/* Counted again: the stored result, and the same rows. */
	tally(&e);
	again = selection_rows(e.store);
	ck_assert_str_eq(again, sealed_rows);
	/* The same voters' same ballots in a secret election that names no
	 * trustees (the authority its only trustee, unsealed at the close):
	 * counted, the same rows. */
	sf_set_trustees(NULL);
	sf_build(&clear, 12, 5, 2, RF_CLOSED, 13);
	ck_assert_int_eq(th_count(clear.store, "selections"), 0);
	tally(&clear);
	clear_rows = selection_rows(clear.store);
	ck_assert_int_eq(th_count(clear.store, "selections"),
	    th_count(e.store, "selections"));
	ck_assert_str_eq(sealed_rows, clear_rows);
	free(sealed_rows);
	free(again);
	free(clear_rows);
	sf_free(&clear);
	done(&e, &lines);
}
END_TEST

START_TEST(sealed_ballots_take_the_fast_path)
{
	struct sf_election e;
	struct rf_lines lines;
	struct tl_error err;
	size_t ballots = 0;

	build(&e, &lines, 0, 0);
	for (size_t i = 0; i < lines.n; i++) {
		struct tl_ballot *fast = NULL, *slow = NULL;
		char *type = NULL, *payload = rf_payload(lines.line[i], &type);
		char *spaced;
		size_t len = strlen(payload);

		if (strcmp(type, TL_TYPE_BALLOT) != 0) {
			free(payload);
			free(type);
			continue;
		}
		ballots++;
		ck_assert_int_eq(tl_ballot_parse_canonical(payload, len,
		    e.manifest, e.hash, &fast), TL_OK);
		/* A blank at the end sends it down the general path. */
		ck_assert_ptr_nonnull(spaced = malloc(len + 2));
		memcpy(spaced, payload, len);
		memcpy(spaced + len, " ", 2);
		ck_assert_msg(tl_ballot_parse(spaced, len + 1, e.manifest, e.hash,
		    &slow, &err) == TL_OK, "%s", err.message);
		ck_assert_ptr_nonnull(fast->sealed);
		ck_assert_ptr_nonnull(slow->sealed);
		ck_assert_uint_eq(fast->sealed->selections_len,
		    slow->sealed->selections_len);
		ck_assert_mem_eq(fast->sealed->selections,
		    slow->sealed->selections, fast->sealed->selections_len);
		ck_assert_uint_eq(fast->sealed->nshares, 3);
		ck_assert_uint_eq(slow->sealed->nshares, 3);
		ck_assert_mem_eq(fast->sealed->shares, slow->sealed->shares,
		    3 * TL_SEAL_SHARE_LEN);
		ck_assert_mem_eq(fast->credential->ballot_key,
		    slow->credential->ballot_key, TL_ED25519_PUBLIC_LEN);
		ck_assert_int_eq(fast->seq, slow->seq);
		ck_assert_uint_eq(fast->nselections, 0);
		tl_ballot_free(fast);
		tl_ballot_free(slow);
		free(spaced);
		free(payload);
		free(type);
	}
	ck_assert_uint_gt(ballots, 0);
	done(&e, &lines);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("unseal");
	TCase *tc = tcase_create("unseal");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, the_count_waits_for_two_trustees);
	tcase_add_test(tc, refused_statements_store_nothing);
	tcase_add_test(tc, a_sealed_record_verifies);
	tcase_add_test(tc, a_ballot_in_the_clear_is_refused);
	tcase_add_test(tc, the_authority_as_only_trustee);
	tcase_add_test(tc, statement_whose_key_does_not_match);
	tcase_add_test(tc, statement_before_the_close);
	tcase_add_test(tc, result_before_two_trustees);
	tcase_add_test(tc, inconsistent_shares_spoil_the_ballot);
	tcase_add_test(tc, all_keys_report_shares_that_disagree);
	tcase_add_test(tc, all_keys_of_n_equal_k_report_an_unopened_share);
	tcase_add_test(tc, opened_selections_are_stored);
	tcase_add_test(tc, sealed_ballots_take_the_fast_path);
	suite_add_tcase(s, tc);
	return th_run(s);
}
