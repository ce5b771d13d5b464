/*
 * check_record.c: the public record of real elections: export, reading,
 * proofs against the database's, offline verification of valid records at
 * each stage, and each kind of invalid record with the problem and line
 * the verifier must name; receipts against a record and against a
 * rewritten one.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "helpers.h"
#include "record_fixture.h"
#include "teller/cast.h"
#include "teller/election.h"
#include "teller/envelope.h"
#include "teller/log.h"
#include "teller/receipt.h"
#include "teller/record.h"
#include "teller/result.h"
#include "record_internal.h"

#define NA 12
#define NB 6

static json_int_t
number_at(const json_t *report, const char *object, const char *key)
{
	return json_integer_value(json_object_get(json_object_get(report,
	    object), key));
}

/* --- valid records ------------------------------------------------------- */

/* Builds election e (NA + NB voters) at a stage, exports its record into
 * *text and checks that it verifies in that state; returns the report. */
static json_t *
valid_record(struct rf_election *e, size_t revotes, enum rf_stage stage,
    uint64_t seed, char **text, size_t *len)
{
	static const char *const states[] = {"open", "closed", "counted"};
	json_t *report;

	rf_build(e, NA, NB, revotes, 0, stage, seed);
	*text = rf_export(e, len);
	report = rf_verify_text(*text, *len, 0);
	ck_assert_msg(rf_is_valid(report), "a fresh %s record is valid",
	    states[stage]);
	ck_assert_str_eq(json_string_value(json_object_get(report, "state")),
	    states[stage]);
	ck_assert_int_eq(number_at(report, "ballots", "in_record"),
	    (json_int_t)e->nballots);
	return report;
}

START_TEST(test_export_states)
{
	struct rf_election e;
	struct tl_error err;
	char *id = NULL;
	const char *json = th_manifest_json(0);
	size_t len = 0;

	/* A draft has no record; an unknown election neither. */
	e.dir = th_tmpdir();
	e.store = th_store(e.dir);
	ck_assert_int_eq(tl_election_create(e.store, json, strlen(json), TH_NOW,
	    &id, &err), TL_OK);
	free(id);
	ck_assert_int_eq(tl_record_export(e.store, "e1", NULL, NULL, &err),
	    TL_ESTATE);
	ck_assert_ptr_nonnull(strstr(err.message, "draft"));
	ck_assert_int_eq(tl_record_export(e.store, "nope", NULL, NULL, &err),
	    TL_ENOTFOUND);
	tl_store_close(e.store);
	th_rm_rf(e.dir);
	free(e.dir);

	{
		char *text = NULL;
		struct rf_lines lines;
		json_t *report = valid_record(&e, 0, RF_OPEN, 7, &text, &len);

		rf_split(text, len, &lines);
		/* manifest, roll, the ballots, the tree head; nothing else */
		ck_assert_uint_eq(lines.n, 2 + e.nballots + 1);
		ck_assert_int_eq(text[len - 1], '\n');
		for (size_t i = 0; i < e.nballots; i++)
			ck_assert_str_eq(lines.line[2 + i], e.ballots[i]);
		ck_assert(json_is_null(json_object_get(report, "result")));
		ck_assert_int_eq(json_integer_value(json_object_get(report,
		    "entries")), (json_int_t)(2 + e.nballots));
		json_decref(report);
		rf_lines_free(&lines);
		free(text);
	}
	rf_free(&e);
}
END_TEST

START_TEST(test_verify_counted)
{
	struct rf_election e;
	struct tl_error err;
	json_t *report, *again, *stored = NULL;
	char *text, *a, *b, *stored_bytes = NULL, *recount_bytes = NULL;
	size_t len = 0;

	report = valid_record(&e, 3, RF_COUNTED, 11, &text, &len);
	ck_assert(json_is_true(json_object_get(report, "result_matches")));
	ck_assert_int_eq(number_at(report, "ballots", "counted"),
	    (json_int_t)e.nvoted);
	ck_assert_int_eq(number_at(report, "ballots", "superseded"), 3);
	/* Every ballot's signature and the 5 authority envelopes. */
	ck_assert_int_eq(number_at(report, "signatures", "checked"),
	    (json_int_t)e.nballots + 5);
	ck_assert_int_eq(number_at(report, "signatures", "valid"),
	    (json_int_t)e.nballots + 5);
	/* The recount is the result the database stored. */
	ck_assert_int_eq(tl_election_tally(e.store, "e1", TH_NOW, &stored,
	    &err), TL_OK);
	ck_assert_int_eq(tl_result_serialize(stored, &stored_bytes, NULL),
	    TL_OK);
	ck_assert_int_eq(tl_result_serialize(json_object_get(report, "result"),
	    &recount_bytes, NULL), TL_OK);
	ck_assert_str_eq(stored_bytes, recount_bytes);
	/* One thread, or four: the same report. */
	for (unsigned threads = 1; threads <= 4; threads += 3) {
		again = rf_verify_text(text, len, threads);
		a = json_dumps(report, JSON_SORT_KEYS);
		b = json_dumps(again, JSON_SORT_KEYS);
		ck_assert_str_eq(a, b);
		free(a);
		free(b);
		json_decref(again);
	}
	json_decref(stored);
	json_decref(report);
	free(stored_bytes);
	free(recount_bytes);
	free(text);
	rf_free(&e);
}
END_TEST

START_TEST(test_verify_closed)
{
	struct rf_election e;
	json_t *report;
	char *text;
	size_t len = 0;

	report = valid_record(&e, 2, RF_CLOSED, 5, &text, &len);
	/* No signed result yet: the recount is shown, nothing compared. */
	ck_assert(json_is_object(json_object_get(report, "result")));
	ck_assert(json_is_null(json_object_get(report, "result_matches")));
	json_decref(report);
	free(text);
	rf_free(&e);
}
END_TEST

/* Without its last line feed a record says the same. */
START_TEST(test_verify_no_final_newline)
{
	struct rf_election e;
	json_t *report;
	char *text;
	size_t len = 0;

	rf_build(&e, 4, 2, 0, 0, RF_COUNTED, 3);
	text = rf_export(&e, &len);
	report = rf_verify_text(text, len - 1, 0);
	ck_assert_msg(rf_is_valid(report), "valid without the final line feed");
	json_decref(report);
	free(text);
	rf_free(&e);
}
END_TEST

static void
progress(void *ctx, uint64_t done, uint64_t total)
{
	uint64_t *seen = ctx;

	ck_assert_uint_le(done, total);
	ck_assert_uint_gt(done, seen[0]); /* only forward */
	seen[0] = done;
	seen[1] = total;
	seen[2]++;
}

START_TEST(test_verify_progress)
{
	struct tl_record_verify_options opt;
	struct rf_election e;
	struct tl_error err;
	uint64_t seen[3] = {0, 0, 0};
	json_t *report = NULL;
	char *text;
	size_t len = 0;

	rf_build(&e, 150, 60, 0, 0, RF_OPEN, 9);
	text = rf_export(&e, &len);
	memset(&opt, 0, sizeof(opt));
	opt.threads = 3;
	opt.progress = progress;
	opt.progress_ctx = seen;
	ck_assert_int_eq(tl_record_verify(text, len, &opt, &report, &err),
	    TL_OK);
	ck_assert(rf_is_valid(report));
	/* Every ballot line was reported, in steps. */
	ck_assert_uint_eq(seen[1], e.nballots);
	ck_assert_uint_eq(seen[0], e.nballots);
	ck_assert_uint_gt(seen[2], 1);
	json_decref(report);
	free(text);
	rf_free(&e);
}
END_TEST

/* --- invalid records: each problem on its line ---------------------------- */

static struct rf_election shared;
static struct rf_lines base;
static size_t close_index, result_index, head_index;

static void
setup_counted(void)
{
	char *text;
	size_t len = 0;

	rf_build(&shared, NA, NB, 2, 0, RF_COUNTED, 21);
	text = rf_export(&shared, &len);
	rf_split(text, len, &base);
	free(text);
	close_index = rf_find_line(&base, TL_TYPE_CLOSE, 2, NULL);
	result_index = rf_find_line(&base, TL_TYPE_RESULT, 2, NULL);
	head_index = base.n - 1;
	ck_assert_uint_eq(result_index, close_index + 1);
	ck_assert_uint_eq(head_index, result_index + 1);
}

static void
teardown_counted(void)
{
	rf_lines_free(&base);
	rf_free(&shared);
}

/* A copy of the record's lines to spoil. */
static void
copy_base(struct rf_lines *out)
{
	size_t len = 0;
	char *text = rf_join(&base, &len);

	rf_split(text, len, out);
	free(text);
}

/* Voter a1's ballot line (0-based index). */
static size_t
ballot_of(const struct rf_lines *lines, const char *voter)
{
	char needle[32];

	snprintf(needle, sizeof(needle), "\"voter\":\"%s\"", voter);
	return rf_find_line(lines, TL_TYPE_BALLOT, 2, needle);
}

/* The shared record with line i (0-based) replaced by line must show
 * that problem. */
static void
expect_with_line(size_t i, const char *line, size_t problem_line,
    const char *check, const char *error)
{
	struct rf_lines lines;
	json_t *report;

	copy_base(&lines);
	rf_set_line(&lines, i, line);
	report = rf_verify_lines(&lines);
	rf_expect_problem(report, problem_line, check, error);
	json_decref(report);
	rf_lines_free(&lines);
}

/* As above, with line i's payload (changed by the caller) signed by key. */
static void
expect_resigned(size_t i, struct tl_key *key, const char *type,
    const char *payload, const char *check, const char *error)
{
	char *line = rf_sign(key, type, payload);

	expect_with_line(i, line, i + 1, check, error);
	free(line);
}

START_TEST(test_bad_voter_signature)
{
	struct rf_lines lines;
	struct tl_envelope *env = NULL;
	json_t *report;
	size_t i;
	char *text = NULL;

	copy_base(&lines);
	i = ballot_of(&lines, "a2");
	/* The same canonical line with one bit of the signature changed. */
	ck_assert_int_eq(tl_envelope_parse(lines.line[i], strlen(lines.line[i]),
	    TL_ENVELOPE_MAX_BALLOT, &env, NULL), TL_OK);
	env->signatures[0].sig[10] ^= 0x04;
	ck_assert_int_eq(tl_envelope_serialize(env, &text, NULL, NULL), TL_OK);
	rf_set_line(&lines, i, text);
	report = rf_verify_lines(&lines);
	rf_expect_problem(report, i + 1, "signatures", "bad_signature");
	rf_expect_problem(report, head_index + 1, "tree", "verification_failed");
	json_decref(report);
	tl_envelope_free(env);
	free(text);
	rf_lines_free(&lines);
}
END_TEST

START_TEST(test_voter_not_on_roll)
{
	struct tl_key *outsider = NULL;
	const char *votes[] = {"plu=x"};
	char *ballot;
	size_t i;

	ck_assert_int_eq(tl_key_generate(&outsider, NULL), TL_OK);
	/* A voter id not on the roll, signed by its own key. */
	i = ballot_of(&base, "a3");
	ballot = rf_ballot(&shared, outsider, "a999", 1, votes, 1);
	expect_with_line(i, ballot, i + 1, "ballots", "not_on_roll");
	free(ballot);
	/* A voter on the roll, signed by a key that is not theirs. */
	ballot = rf_ballot(&shared, outsider, "a3", 1, votes, 1);
	expect_with_line(i, ballot, i + 1, "signatures", "bad_signature");
	free(ballot);
	tl_key_free(outsider);
}
END_TEST

START_TEST(test_wrong_election_and_constituency)
{
	const char *votes[] = {"plu=y"};
	char *payload, *at, *ballot;
	size_t i;

	/* A ballot for another election, signed by the voter. */
	i = ballot_of(&base, "a4");
	payload = rf_payload(base.line[i], NULL);
	ck_assert_ptr_nonnull(at = strstr(payload, "\"election\":\"e1\""));
	at[12] = '2';
	expect_resigned(i, shared.keys[3], TL_TYPE_BALLOT, payload, "ballots",
	    "wrong_election");
	free(payload);
	/* Voter b1 (constituency b) votes in contest plu of constituency a. */
	i = ballot_of(&base, "b1");
	ballot = rf_ballot(&shared, shared.keys[NA], "b1", 1, votes, 1);
	expect_with_line(i, ballot, i + 1, "ballots", "not_on_roll");
	free(ballot);
}
END_TEST

START_TEST(test_revote_and_order)
{
	struct rf_lines lines;
	json_t *report;
	size_t i;

	/* A ballot twice: its seq is not above the first copy's. */
	copy_base(&lines);
	i = ballot_of(&lines, "a5");
	rf_insert_line(&lines, i + 1, lines.line[i]);
	report = rf_verify_lines(&lines);
	rf_expect_problem(report, i + 2, "revote", "stale_sequence");
	/* and the close statement no longer counts the ballots */
	rf_expect_problem(report, close_index + 2, "close", NULL);
	json_decref(report);
	rf_lines_free(&lines);
	/* A ballot moved after the close statement. */
	copy_base(&lines);
	i = ballot_of(&lines, "a6");
	rf_insert_line(&lines, close_index + 1, lines.line[i]);
	rf_remove_line(&lines, i);
	report = rf_verify_lines(&lines);
	rf_expect_problem(report, close_index + 1, "order", NULL);
	rf_expect_problem(report, close_index, "close", NULL);
	json_decref(report);
	rf_lines_free(&lines);
	/* The result before the close statement. */
	copy_base(&lines);
	rf_insert_line(&lines, close_index, lines.line[result_index]);
	rf_remove_line(&lines, result_index + 1);
	report = rf_verify_lines(&lines);
	rf_expect_problem(report, close_index + 1, "order", NULL);
	json_decref(report);
	rf_lines_free(&lines);
}
END_TEST

START_TEST(test_revote_first)
{
	struct rf_election e;
	struct rf_lines lines;
	const char *votes[] = {"plu=z"};
	json_t *report;
	char *text, *ballot;
	size_t len = 0, close;

	rf_build(&e, 5, 2, 0, 1, RF_CLOSED, 13);
	text = rf_export(&e, &len);
	rf_split(text, len, &lines);
	free(text);
	close = rf_find_line(&lines, TL_TYPE_CLOSE, 2, NULL);
	/* A second ballot of a voter under "first", signed by them. */
	ck_assert_uint_gt(ballot_of(&lines, "a1"), 1); /* a1 voted */
	ballot = rf_ballot(&e, e.keys[0], "a1", 2, votes, 1);
	rf_insert_line(&lines, close, ballot);
	report = rf_verify_lines(&lines);
	rf_expect_problem(report, close + 1, "revote", "duplicate_ballot");
	json_decref(report);
	free(ballot);
	rf_lines_free(&lines);
	rf_free(&e);
}
END_TEST

START_TEST(test_form_of_lines)
{
	struct rf_lines lines;
	json_t *report;
	char *spaced, *receipt_line;
	size_t i, n;

	/* White space between JSON tokens: another spelling, not the entry. */
	copy_base(&lines);
	i = ballot_of(&lines, "a7");
	n = strlen(lines.line[i]);
	spaced = malloc(n + 2);
	ck_assert_ptr_nonnull(spaced);
	spaced[0] = '{';
	spaced[1] = ' ';
	memcpy(spaced + 2, lines.line[i] + 1, n);
	rf_set_line(&lines, i, spaced);
	free(spaced);
	report = rf_verify_lines(&lines);
	rf_expect_problem(report, i + 1, "format", "invalid_input");
	json_decref(report);
	rf_lines_free(&lines);
	/* An empty line, a line that is not JSON, a receipt in the log. */
	copy_base(&lines);
	rf_insert_line(&lines, 5, "");
	rf_set_line(&lines, 8, "not json");
	receipt_line = shared.receipts[0];
	rf_insert_line(&lines, 10, receipt_line);
	report = rf_verify_lines(&lines);
	rf_expect_problem(report, 6, "format", "invalid_input");
	rf_expect_problem(report, 9, "format", "invalid_input");
	rf_expect_problem(report, 11, "format", NULL);
	json_decref(report);
	rf_lines_free(&lines);
}
END_TEST

START_TEST(test_first_lines)
{
	struct rf_lines lines;
	json_t *report, *checks;
	size_t n;

	/* Without its manifest nothing else is checked. */
	copy_base(&lines);
	rf_remove_line(&lines, 0);
	report = rf_verify_lines(&lines);
	rf_expect_problem(report, 1, "manifest", NULL);
	checks = json_object_get(report, "checks");
	ck_assert(json_is_null(json_object_get(json_array_get(checks, 9),
	    "ok")));
	json_decref(report);
	rf_lines_free(&lines);
	/* Without its roll no ballot can be checked. */
	copy_base(&lines);
	rf_remove_line(&lines, 1);
	report = rf_verify_lines(&lines);
	rf_expect_problem(report, 2, "roll", NULL);
	ck_assert_int_eq(number_at(report, "ballots", "valid"), 0);
	json_decref(report);
	rf_lines_free(&lines);
	/* Without the tree head the last line is checked as one. */
	copy_base(&lines);
	n = lines.n;
	rf_remove_line(&lines, n - 1);
	report = rf_verify_lines(&lines);
	rf_expect_problem(report, n - 1, "tree", NULL);
	json_decref(report);
	rf_lines_free(&lines);
	/* Nothing at all. */
	report = rf_verify_text("", 0, 0);
	ck_assert(!rf_is_valid(report));
	json_decref(report);
}
END_TEST

/* What a dishonest authority could sign: each caught by another check. */
START_TEST(test_authority_resigned)
{
	struct tl_tree_head head;
	char *payload, *at;

	/* A result with other numbers, signed again: the recount differs. */
	payload = rf_payload(base.line[result_index], NULL);
	ck_assert_ptr_nonnull(at = strstr(payload, "\"winners\":[\""));
	/* Swap the first winner's first letter for another candidate's. */
	at[12] = at[12] == 'X' ? 'Y' : 'X';
	expect_resigned(result_index, shared.authority, TL_TYPE_RESULT, payload,
	    "recount", "verification_failed");
	free(payload);
	/* A close statement with the wrong number of ballots. */
	payload = rf_payload(base.line[close_index], NULL);
	ck_assert_ptr_nonnull(at = strstr(payload, "\"ballots\":"));
	at[10] = at[10] == '9' ? '8' : (char)(at[10] + 1);
	expect_resigned(close_index, shared.authority, TL_TYPE_CLOSE, payload,
	    "close", NULL);
	free(payload);
	/* An authority envelope signed by another key. */
	payload = rf_payload(base.line[close_index], NULL);
	expect_resigned(close_index, shared.keys[0], TL_TYPE_CLOSE, payload,
	    "signatures", "bad_signature");
	free(payload);
	/* A tree head of another root, and of another size. */
	for (int k = 0; k < 2; k++) {
		char *text;

		payload = rf_payload(base.line[head_index], NULL);
		ck_assert_int_eq(tl_tree_head_parse(payload, strlen(payload),
		    &head, NULL), TL_OK);
		free(payload);
		if (k == 0)
			head.root[0] ^= 1;
		else
			head.size--;
		ck_assert_int_eq(tl_tree_head_serialize(&head, &text, NULL),
		    TL_OK);
		expect_resigned(head_index, shared.authority, TL_TYPE_TREE_HEAD,
		    text, "tree", "verification_failed");
		free(text);
	}
}
END_TEST

/* --- reading a record, proofs, receipts ----------------------------------- */

START_TEST(test_parse_and_proofs)
{
	struct tl_record *rec = NULL;
	struct tl_merkle_proof a, b;
	struct tl_error err;
	uint8_t root[TL_SHA256_LEN], db_root[TL_SHA256_LEN];
	uint64_t size = 0, n;
	const char *entry;
	size_t len = 0, elen = 0;
	char *text = rf_export(&shared, &len), *db_entry = NULL;

	ck_assert_msg(tl_record_parse(text, len, &rec, &err) == TL_OK, "%s",
	    err.message);
	n = tl_record_size(rec);
	ck_assert_uint_eq(n, base.n - 1);
	ck_assert_str_eq(tl_record_election(rec), "e1");
	ck_assert_str_eq(tl_record_manifest_hash(rec), shared.hash);
	tl_record_tree_head(rec, root, &size);
	ck_assert_uint_eq(size, n);
	ck_assert_int_eq(tl_log_root(shared.store, "e1", n, db_root, &err),
	    TL_OK);
	ck_assert(memcmp(root, db_root, TL_SHA256_LEN) == 0);
	for (uint64_t i = 0; i < n; i++) {
		ck_assert_int_eq(tl_record_entry(rec, i, &entry, &elen, &err),
		    TL_OK);
		ck_assert_int_eq(tl_log_entry(shared.store, "e1", i, &db_entry,
		    NULL, NULL, &err), TL_OK);
		ck_assert_uint_eq(elen, strlen(db_entry));
		ck_assert(memcmp(entry, db_entry, elen) == 0);
		free(db_entry);
		/* The record's proofs are the database's. */
		ck_assert_int_eq(tl_record_inclusion_proof(rec, i, n, &a, &err),
		    TL_OK);
		ck_assert_int_eq(tl_log_inclusion_proof(shared.store, "e1", i, n,
		    &b, &err), TL_OK);
		ck_assert_uint_eq(a.n, b.n);
		ck_assert(memcmp(a.hashes, b.hashes, a.n * TL_SHA256_LEN) == 0);
		ck_assert_int_eq(tl_record_consistency_proof(rec, i + 1, n, &a,
		    &err), TL_OK);
		ck_assert_int_eq(tl_log_consistency_proof(shared.store, "e1",
		    i + 1, n, &b, &err), TL_OK);
		ck_assert_uint_eq(a.n, b.n);
		ck_assert(memcmp(a.hashes, b.hashes, a.n * TL_SHA256_LEN) == 0);
	}
	ck_assert_int_eq(tl_record_entry(rec, n, &entry, &elen, &err),
	    TL_ENOTFOUND);
	ck_assert_int_eq(tl_record_consistency_proof(rec, 0, n, &a, &err),
	    TL_EINPUT);
	tl_record_free(rec);
	/* Swapped entries no longer hash to the signed root. */
	{
		struct rf_lines lines;
		char *bad;
		size_t blen = 0;

		copy_base(&lines);
		bad = lines.line[3];
		lines.line[3] = lines.line[4];
		lines.line[4] = bad;
		bad = rf_join(&lines, &blen);
		ck_assert_int_eq(tl_record_parse(bad, blen, &rec, &err),
		    TL_EVERIFY);
		ck_assert_ptr_nonnull(strstr(err.message, "root"));
		free(bad);
		rf_lines_free(&lines);
	}
	free(text);
}
END_TEST

/* Whether the record's signed tree extends the receipt's. */
static int
extension_holds(const struct tl_receipt *rc, const struct tl_record *rec,
    struct tl_error *err)
{
	struct tl_merkle_proof proof;
	uint8_t root[TL_SHA256_LEN];
	uint64_t size = 0;
	const char *head = tl_record_tree_head_text(rec);

	tl_record_tree_head(rec, root, &size);
	proof.n = 0;
	if (rc->tree_head.size <= size && tl_record_consistency_proof(rec,
	    rc->tree_head.size, size, &proof, err) != TL_OK)
		return TL_EINTERNAL;
	return tl_receipt_check_extension(rc, tl_record_authority(rec), head,
	    strlen(head), &proof, NULL, err);
}

/* Checks a receipt against a record as teller receipt verify does. */
static int
check_receipt(const char *receipt, const struct tl_record *rec,
    struct tl_error *err)
{
	struct tl_receipt *rc = NULL;
	const char *entry;
	size_t len = 0;
	int r;

	ck_assert_int_eq(tl_receipt_parse(receipt, strlen(receipt), &rc, err),
	    TL_OK);
	if ((r = tl_receipt_check(rc, tl_record_authority(rec), err)) ==
	    TL_OK &&
	    (r = tl_record_entry(rec, rc->leaf_index, &entry, &len, err)) ==
	    TL_OK &&
	    (r = tl_receipt_matches_ballot(rc, entry, len, err)) == TL_OK)
		r = extension_holds(rc, rec, err);
	tl_receipt_free(rc);
	return r;
}

/* The record with ballot k dropped and a tree head the authority signs
 * again over the rest: a consistent record of another history. */
static char *
rewrite_without(const struct rf_election *e, const char *text, size_t len,
    size_t k, size_t *out_len)
{
	struct rf_lines lines;
	struct tl_merkle_mem tree;
	struct tl_tree_head head;
	uint8_t leaf[TL_SHA256_LEN];
	char *payload, *line, *out;

	rf_split(text, len, &lines);
	rf_remove_line(&lines, 2 + k);
	payload = rf_payload(lines.line[lines.n - 1], NULL);
	ck_assert_int_eq(tl_tree_head_parse(payload, strlen(payload), &head,
	    NULL), TL_OK);
	free(payload);
	tl_merkle_mem_init(&tree);
	for (size_t i = 0; i + 1 < lines.n; i++) {
		tl_merkle_leaf_hash(lines.line[i], strlen(lines.line[i]), leaf);
		ck_assert_int_eq(tl_merkle_mem_append(&tree, leaf), TL_OK);
	}
	head.size = lines.n - 1;
	ck_assert_int_eq(tl_merkle_root(&tree.store, head.size, head.root),
	    TL_OK);
	tl_merkle_mem_free(&tree);
	ck_assert_int_eq(tl_tree_head_serialize(&head, &payload, NULL), TL_OK);
	line = rf_sign(e->authority, TL_TYPE_TREE_HEAD, payload);
	rf_set_line(&lines, lines.n - 1, line);
	free(line);
	free(payload);
	out = rf_join(&lines, out_len);
	rf_lines_free(&lines);
	return out;
}

START_TEST(test_receipts_and_rewritten_record)
{
	struct rf_election e;
	struct tl_record *rec = NULL, *rewritten = NULL;
	struct tl_receipt *rc = NULL;
	struct tl_error err;
	json_t *report;
	char *text, *other;
	size_t len = 0, other_len = 0, k = 3;

	rf_build(&e, 8, 3, 0, 0, RF_OPEN, 17);
	ck_assert_uint_gt(e.nballots, k + 2);
	/* Every receipt holds against the record. */
	text = rf_export(&e, &len);
	ck_assert_int_eq(tl_record_parse(text, len, &rec, &err), TL_OK);
	for (size_t i = 0; i < e.nballots; i++)
		ck_assert_msg(check_receipt(e.receipts[i], rec, &err) == TL_OK,
		    "receipt %zu: %s", i, err.message);
	/* A receipt does not vouch for another ballot. */
	ck_assert_int_eq(tl_receipt_parse(e.receipts[0], strlen(e.receipts[0]),
	    &rc, &err), TL_OK);
	ck_assert_int_eq(tl_receipt_matches_ballot(rc, e.ballots[1],
	    strlen(e.ballots[1]), &err), TL_EVERIFY);
	tl_receipt_free(rc);

	/* The rewritten record verifies on its own ... */
	other = rewrite_without(&e, text, len, k, &other_len);
	report = rf_verify_text(other, other_len, 0);
	ck_assert_msg(rf_is_valid(report), "a consistently rewritten record "
	    "verifies; only receipts show the rewrite");
	json_decref(report);
	ck_assert_int_eq(tl_record_parse(other, other_len, &rewritten, &err),
	    TL_OK);
	/* ... but every receipt from ballot k on fails against it, and the
	 * receipts of earlier ballots still hold, as they should. */
	for (size_t i = 0; i < e.nballots; i++) {
		int r = check_receipt(e.receipts[i], rewritten, &err);

		if (i < k) {
			ck_assert_msg(r == TL_OK, "receipt %zu: %s", i,
			    err.message);
			continue;
		}
		ck_assert_msg(r != TL_OK, "receipt %zu holds against a "
		    "rewritten record", i);
		/* The tree itself no longer extends the receipt's. */
		ck_assert_int_eq(tl_receipt_parse(e.receipts[i],
		    strlen(e.receipts[i]), &rc, &err), TL_OK);
		ck_assert_int_eq(extension_holds(rc, rewritten, &err),
		    TL_EVERIFY);
		tl_receipt_free(rc);
	}
	tl_record_free(rewritten);
	tl_record_free(rec);
	free(other);
	free(text);
	rf_free(&e);
}
END_TEST

/* A ballot with a second signature besides its voter's is refused. */
START_TEST(test_cast_two_signatures)
{
	struct rf_election e;
	struct tl_envelope *env = NULL, *extra = NULL;
	struct tl_error err;
	const char *votes[] = {"plu=x"};
	char *ballot, *text = NULL, *receipt = NULL;
	uint64_t before = 0, after = 0;

	rf_build(&e, 3, 1, 0, 0, RF_OPEN, 23);
	ballot = rf_ballot(&e, e.keys[0], "a1", 9, votes, 1);
	ck_assert_int_eq(tl_envelope_parse(ballot, strlen(ballot),
	    TL_ENVELOPE_MAX_BALLOT, &env, NULL), TL_OK);
	ck_assert_int_eq(tl_envelope_sign(TL_TYPE_BALLOT, env->payload,
	    env->payload_len, e.keys[1], &extra, NULL), TL_OK);
	env->signatures = realloc(env->signatures, 2 *
	    sizeof(*env->signatures));
	ck_assert_ptr_nonnull(env->signatures);
	env->signatures[1] = extra->signatures[0];
	env->nsignatures = 2;
	ck_assert_int_eq(tl_envelope_serialize(env, &text, NULL, NULL), TL_OK);
	ck_assert_int_eq(tl_log_size(e.store, "e1", &before, &err), TL_OK);
	ck_assert_int_eq(tl_ballot_cast(e.store, text, strlen(text), TH_NOW,
	    &receipt, &err), TL_ESIGNATURE);
	ck_assert_ptr_nonnull(strstr(err.message, "exactly one signature"));
	ck_assert_ptr_null(receipt);
	ck_assert_int_eq(tl_log_size(e.store, "e1", &after, &err), TL_OK);
	ck_assert_uint_eq(before, after);
	/* The same ballot with its one signature is accepted. */
	receipt = rf_cast(&e, ballot);
	free(receipt);
	tl_envelope_free(env);
	tl_envelope_free(extra);
	free(text);
	free(ballot);
	rf_free(&e);
}
END_TEST

/* The worked example of doc/record-format.md, section 12, computed there
 * with Python's hashlib and the openssl command: teller agrees. */
START_TEST(test_spec_example)
{
	static const char line[] =
	    "{\"payloadType\":\"application/vnd.teller.tree-head+json\","
	    "\"payload\":\"eyJlbGVjdGlvbiI6ImRlbW8iLCJzaXplIjoxLCJyb290Ijoi"
	    "OGEyYTVjOWI3Njg4MjdkZTVhOTU1MmMzOGEwNDRjNjY5NTljNjhmNmQyZjIxYjUy"
	    "NjBhZjU0ZDJmODdkYjgyNyIsInRpbWUiOiIyMDI2LTExLTIyVDEwOjAwOjAwWiJ9"
	    "\",\"signatures\":[{\"keyid\":\"21fe31dfa154a261626bf854046fd22"
	    "71b7bed4b6abe45aa58877ef47f9721b9\",\"sig\":\"bThmToqVQBk3eamhPv+"
	    "XA7B0Y0eIwMlgz4TraWswG3cdMb/zhqMJRblZOxzzac9x8o4ObDr+Oj8002KbNRVi"
	    "AQ==\"}]}";
	static const char pae_text[] = "DSSEv1 37 "
	    "application/vnd.teller.tree-head+json 132 {\"election\":\"demo\","
	    "\"size\":1,\"root\":\"8a2a5c9b768827de5a9552c38a044c66959c68f6d2"
	    "f21b5260af54d2f87db827\",\"time\":\"2026-11-22T10:00:00Z\"}";
	struct tl_envelope *env = NULL;
	struct tl_tree_head head;
	struct tl_key *key = NULL;
	char keyid[TL_KEYID_LEN + 1], hex[TL_HASH_HEX_LEN + 1];
	uint8_t leaf[TL_SHA256_LEN], *pae = NULL;
	size_t pae_len = 0;

	ck_assert_int_eq(tl_key_from_public_base64(
	    "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", &key, NULL), TL_OK);
	tl_key_id(key, keyid);
	ck_assert_str_eq(keyid, "21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa"
	    "58877ef47f9721b9");
	ck_assert_int_eq(tl_record_read_envelope(line, strlen(line),
	    TL_ENVELOPE_MAX_DEFAULT, &env, NULL), TL_OK);
	ck_assert_str_eq(env->payload_type, TL_TYPE_TREE_HEAD);
	ck_assert_int_eq(tl_envelope_pae(env->payload_type, env->payload,
	    env->payload_len, &pae, &pae_len), TL_OK);
	ck_assert_uint_eq(pae_len, strlen(pae_text));
	ck_assert(memcmp(pae, pae_text, pae_len) == 0);
	ck_assert_int_eq(tl_record_check_signature(env, key, NULL), TL_OK);
	ck_assert_int_eq(tl_tree_head_parse((const char *)env->payload,
	    env->payload_len, &head, NULL), TL_OK);
	ck_assert_uint_eq(head.size, 1);
	tl_merkle_leaf_hash("hello", 5, leaf);
	ck_assert(memcmp(head.root, leaf, TL_SHA256_LEN) == 0);
	tl_sha256_hex(line, strlen(line), hex);
	ck_assert_str_eq(hex, "1fd4604204b8d2987f8a45ce4aa6e89799dbda80a67c4da2"
	    "23027fafb07e2437");
	tl_merkle_leaf_hash(line, strlen(line), leaf);
	tl_hex_encode(leaf, TL_SHA256_LEN, hex);
	ck_assert_str_eq(hex, "c065af5c0ee869bc64a0aa3d70b3b3af28c295796d7e1505"
	    "2aebde2a47326e35");
	tl_envelope_free(env);
	/* The same envelope with a space after its first brace is not in
	 * canonical form; with another signature byte it does not verify. */
	{
		char other[sizeof(line) + 1];

		other[0] = '{';
		other[1] = ' ';
		memcpy(other + 2, line + 1, sizeof(line) - 1);
		ck_assert_int_eq(tl_record_read_envelope(other, strlen(other),
		    TL_ENVELOPE_MAX_DEFAULT, &env, NULL), TL_EINPUT);
		memcpy(other, line, sizeof(line));
		other[strlen(other) - 8] = other[strlen(other) - 8] == 'A' ?
		    'B' : 'A';
		ck_assert_int_eq(tl_record_read_envelope(other, strlen(other),
		    TL_ENVELOPE_MAX_DEFAULT, &env, NULL), TL_OK);
		ck_assert_int_eq(tl_record_check_signature(env, key, NULL),
		    TL_ESIGNATURE);
		tl_envelope_free(env);
	}
	free(pae);
	tl_key_free(key);
}
END_TEST

/* The shared record with its close statement's time and reason changed,
 * signed again with the tree head sealed over it: what verify says. */
static json_t *
verify_close_as(const char *time, const char *reason)
{
	struct rf_lines lines;
	json_t *doc, *report;
	char *payload, *text, *line;

	payload = rf_payload(base.line[close_index], NULL);
	ck_assert_ptr_nonnull(doc = json_loads(payload, 0, NULL));
	free(payload);
	json_object_set_new(doc, "time", json_string(time));
	if (reason != NULL)
		json_object_set_new(doc, "reason", json_string(reason));
	ck_assert_ptr_nonnull(text = json_dumps(doc, JSON_COMPACT |
	    JSON_PRESERVE_ORDER));
	json_decref(doc);
	line = rf_sign(shared.authority, TL_TYPE_CLOSE, text);
	free(text);
	copy_base(&lines);
	rf_set_line(&lines, close_index, line);
	free(line);
	rf_seal(&lines, shared.authority);
	report = rf_verify_lines(&lines);
	rf_lines_free(&lines);
	return report;
}

/* Check 13: a close before the end of the voting window (2026-11-23
 * 00:00) is early and must give a reason; one at or after it must not. */
START_TEST(test_early_close)
{
	json_t *report;
	char *dump;

	/* The fixture closes after the window, with no reason: valid. */
	report = verify_close_as("2026-11-23T01:00:00Z", NULL);
	ck_assert(rf_is_valid(report));
	json_decref(report);
	/* Early, and saying why: valid, and the report shows the reason. */
	report = verify_close_as("2026-11-22T12:00:00Z", "All have voted.");
	dump = json_dumps(report, 0);
	ck_assert_msg(rf_is_valid(report), "%s", dump);
	ck_assert_ptr_nonnull(strstr(dump, "closed early, because: All have "
	    "voted."));
	free(dump);
	json_decref(report);
	/* Early without a reason. */
	report = verify_close_as("2026-11-22T23:59:59Z", NULL);
	rf_expect_problem(report, close_index + 1, "timetable", "wrong_phase");
	json_decref(report);
	/* A reason on a close at the end of the window, or after it. */
	report = verify_close_as("2026-11-23T00:00:00Z", "Why not.");
	rf_expect_problem(report, close_index + 1, "timetable", "wrong_phase");
	json_decref(report);
	/* A reason that is not a statement text makes it malformed. */
	report = verify_close_as("2026-11-22T12:00:00Z", "a bell\a");
	rf_expect_problem(report, close_index + 1, "close", "invalid_input");
	json_decref(report);
	report = verify_close_as("2026-11-22T12:00:00Z", "");
	rf_expect_problem(report, close_index + 1, "close", "invalid_input");
	json_decref(report);
}
END_TEST

/*
 * A manifest that bounds a constituency's weights (5.1: "weights") and a
 * roll signed by the authority with a weight outside them: check 4 finds
 * the roll invalid.  teller never signs such a roll (the import refuses
 * it), so the roll is signed again here.
 */
START_TEST(test_roll_weight_bounds)
{
	struct rf_election e;
	struct rf_lines lines;
	struct tl_error err;
	const char *group_b = "{\"id\": \"b\", \"name\": \"Group B\"";
	const char *plain = th_manifest_json(0);
	char *manifest = NULL, *csv, *id = NULL, *text, *payload, *line, *at;
	size_t len = 0;
	json_t *report;

	memset(&e, 0, sizeof(e));
	e.dir = th_tmpdir();
	e.store = th_store(e.dir);
	e.keys = th_keys(3);
	tl_error_clear(&err);
	ck_assert_int_eq(tl_store_authority(e.store, &e.authority, &err),
	    TL_OK);
	ck_assert_ptr_nonnull(at = strstr(plain, group_b));
	ck_assert_int_ge(asprintf(&manifest, "%.*s%s, \"weights\": {\"min\": "
	    "1, \"max\": 1}%s", (int)(at - plain), plain, group_b,
	    at + strlen(group_b)), 0);
	ck_assert_int_eq(tl_election_create(e.store, manifest,
	    strlen(manifest), TH_NOW, &id, &err), TL_OK);
	csv = th_roll_csv(e.keys, 2, 1);
	ck_assert_msg(tl_election_import_roll(e.store, "e1", csv, strlen(csv),
	    "roll.csv", NULL, &err) == TL_OK, "%s", err.message);
	ck_assert_int_eq(tl_election_open(e.store, "e1", TH_NOW, &err), TL_OK);
	text = rf_export(&e, &len);
	rf_split(text, len, &lines);
	report = rf_verify_lines(&lines);
	ck_assert(rf_is_valid(report));
	json_decref(report);
	/* b1's weight 1 becomes 2, and the authority signs the roll. */
	payload = rf_payload(lines.line[1], NULL);
	ck_assert_ptr_nonnull(at = strstr(payload, "\"constituency\":\"b\","
	    "\"weight\":1,"));
	at[strlen("\"constituency\":\"b\",\"weight\":")] = '2';
	line = rf_sign(e.authority, TL_TYPE_ROLL, payload);
	rf_set_line(&lines, 1, line);
	rf_seal(&lines, e.authority);
	report = rf_verify_lines(&lines);
	rf_expect_problem(report, 2, "roll", NULL);
	{
		char *dump = json_dumps(report, 0);

		ck_assert_msg(strstr(dump, "voter b1 has weight 2, outside the "
		    "weights of constituency b, 1 to 1") != NULL, "%s", dump);
		free(dump);
	}
	json_decref(report);
	rf_lines_free(&lines);
	free(line);
	free(payload);
	free(text);
	free(csv);
	free(id);
	free(manifest);
	tl_store_close(e.store);
	tl_key_free(e.authority);
	th_keys_free(e.keys, 3);
	th_rm_rf(e.dir);
	free(e.dir);
}
END_TEST

static Suite *
record_suite(void)
{
	Suite *s = suite_create("record");
	TCase *tc = tcase_create("valid");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_spec_example);
	tcase_add_test(tc, test_export_states);
	tcase_add_test(tc, test_verify_counted);
	tcase_add_test(tc, test_verify_closed);
	tcase_add_test(tc, test_verify_no_final_newline);
	tcase_add_test(tc, test_verify_progress);
	tcase_add_test(tc, test_revote_first);
	tcase_add_test(tc, test_receipts_and_rewritten_record);
	tcase_add_test(tc, test_cast_two_signatures);
	tcase_add_test(tc, test_roll_weight_bounds);
	suite_add_tcase(s, tc);
	tc = tcase_create("invalid");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup_counted, teardown_counted);
	tcase_add_test(tc, test_bad_voter_signature);
	tcase_add_test(tc, test_voter_not_on_roll);
	tcase_add_test(tc, test_wrong_election_and_constituency);
	tcase_add_test(tc, test_revote_and_order);
	tcase_add_test(tc, test_form_of_lines);
	tcase_add_test(tc, test_first_lines);
	tcase_add_test(tc, test_authority_resigned);
	tcase_add_test(tc, test_early_close);
	tcase_add_test(tc, test_parse_and_proofs);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return th_run(record_suite());
}
