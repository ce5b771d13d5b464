/*
 * check_count.c: plurality, approval and referendum counts with weights,
 * worked by hand, and the report's common fields.
 */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "helpers.h"
#include "tally/internal.h"
#include "teller/count.h"

static const char *const ids[] = {"x", "y", "z", "w"};
static const char *const names[] = {"Xavier", "Yolanda", "Zed", "Wanda"};

/* A ballot given as a string of candidate letters among x, y, z, w ("" is
 * blank); all its marks are one group. */
static void
add_marks(struct tl_ballot_set *set, int64_t weight, const char *marks)
{
	uint32_t prefs[4];
	size_t n = 0;

	for (const char *p = marks; *p; p++) {
		uint32_t c = (uint32_t)(strchr("xyzw", *p) - "xyzw");

		prefs[n] = c | (n > 0 ? TL_PREF_EQUAL : 0);
		n++;
	}
	ck_assert_int_eq(tl_ballot_set_add(set, weight, prefs, n), TL_OK);
}

static json_t *
count(enum tl_method method, unsigned seats, size_t ncand,
    const struct tl_ballot_set *set, json_t *options, int64_t eligible)
{
	struct tl_count_input in;
	struct tl_error err;
	json_t *report = NULL;
	uint8_t seed[32] = {1};

	memset(&in, 0, sizeof(in));
	in.method = method;
	in.seats = seats;
	in.ncandidates = ncand;
	in.candidate_ids = ids;
	in.candidate_names = names;
	in.options = options;
	in.eligible_weight = eligible;
	in.seed = seed;
	in.seed_len = sizeof(seed);
	tl_count_input_set_ballots(&in, set);
	ck_assert_msg(tl_count_run(&in, &report, &err) == TL_OK, "%s",
	    err.message);
	return report;
}

static json_int_t
votes_of(json_t *report, const char *id)
{
	json_t *rounds = json_object_get(report, "rounds");
	json_t *last = json_array_get(rounds, json_array_size(rounds) - 1);

	return json_integer_value(json_object_get(json_object_get(last, "votes"),
	    id));
}

static const char *
winner(json_t *report, size_t i)
{
	return json_string_value(json_array_get(json_object_get(report,
	    "winners"), i));
}

START_TEST(plurality_weighted)
{
	struct tl_ballot_set set;
	json_t *r;

	tl_ballot_set_init(&set);
	/* Worked by hand:
	 *   weight 3: x y    weight 1: x z    weight 5: y z
	 *   weight 2: x      weight 4: blank
	 * x = 3+1+2 = 6, y = 3+5 = 8, z = 1+5 = 6, w = 0.  Two seats: y, then
	 * x and z tie at 6 for the second seat, broken by lot.  The lot order
	 * of the seed 01 00..00 (32 bytes) for 4 candidates, computed by an
	 * independent Python script from doc/methods.md, is z, x, w, y: z
	 * takes the seat. */
	add_marks(&set, 3, "xy");
	add_marks(&set, 1, "xz");
	add_marks(&set, 5, "yz");
	add_marks(&set, 2, "x");
	add_marks(&set, 4, "");
	r = count(TL_METHOD_PLURALITY, 2, 4, &set, NULL, 0);
	ck_assert_str_eq(json_string_value(json_object_get(r, "method")),
	    "plurality");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "ballots")), 5);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "weight")), 15);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "blank")), 1);
	ck_assert_int_eq(votes_of(r, "x"), 6);
	ck_assert_int_eq(votes_of(r, "y"), 8);
	ck_assert_int_eq(votes_of(r, "z"), 6);
	ck_assert_int_eq(votes_of(r, "w"), 0);
	ck_assert_str_eq(winner(r, 0), "Yolanda");
	{
		json_t *ties = json_object_get(r, "ties");
		json_t *tie = json_array_get(ties, 0);

		ck_assert_uint_eq(json_array_size(ties), 1);
		ck_assert_int_eq(json_integer_value(json_object_get(tie,
		    "seats")), 1);
		ck_assert_uint_eq(json_array_size(json_object_get(tie,
		    "candidates")), 2);
		ck_assert_str_eq(json_string_value(json_array_get(
		    json_object_get(tie, "candidates"), 0)), "x");
		ck_assert_str_eq(json_string_value(json_array_get(
		    json_object_get(tie, "candidates"), 1)), "z");
		ck_assert(json_is_true(json_object_get(tie, "resolved")));
		ck_assert_str_eq(json_string_value(json_object_get(tie,
		    "broken_by")), "lot");
		ck_assert_str_eq(json_string_value(json_array_get(
		    json_object_get(tie, "lot_order"), 0)), "z");
		ck_assert_str_eq(json_string_value(json_array_get(
		    json_object_get(tie, "chosen"), 0)), "z");
		ck_assert_uint_eq(json_array_size(json_object_get(r,
		    "winners")), 2);
		ck_assert_str_eq(winner(r, 1), "Zed");
	}
	json_decref(r);
	/* One more ballot for z breaks the tie. */
	add_marks(&set, 1, "z");
	r = count(TL_METHOD_PLURALITY, 2, 4, &set, NULL, 0);
	ck_assert_uint_eq(json_array_size(json_object_get(r, "winners")), 2);
	ck_assert_str_eq(winner(r, 0), "Yolanda");
	ck_assert_str_eq(winner(r, 1), "Zed");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r,
	    "elected"), 1)), "z");
	ck_assert_uint_eq(json_array_size(json_object_get(r, "ties")), 0);
	json_decref(r);
	tl_ballot_set_free(&set);
}
END_TEST

START_TEST(approval_counts_every_mark)
{
	struct tl_ballot_set set;
	json_t *r;

	tl_ballot_set_init(&set);
	/* Worked by hand:
	 *   weight 2: x y z w   weight 2: x   weight 1: y   weight 1: y w
	 *   weight 1: x
	 * x = 2+2+1 = 5, y = 2+1+1 = 4, z = 2, w = 2+1 = 3. */
	add_marks(&set, 2, "xyzw");
	add_marks(&set, 2, "x");
	add_marks(&set, 1, "y");
	add_marks(&set, 1, "yw");
	add_marks(&set, 1, "x");
	r = count(TL_METHOD_APPROVAL, 1, 4, &set, NULL, 0);
	ck_assert_int_eq(votes_of(r, "x"), 5);
	ck_assert_int_eq(votes_of(r, "y"), 4);
	ck_assert_int_eq(votes_of(r, "z"), 2);
	ck_assert_int_eq(votes_of(r, "w"), 3);
	ck_assert_str_eq(winner(r, 0), "Xavier");
	ck_assert_uint_eq(json_array_size(json_object_get(r, "winners")), 1);
	json_decref(r);
	tl_ballot_set_free(&set);
}
END_TEST

/*
 * A withdrawn candidate (a BLT file's, for `teller count`) is removed from
 * every ballot before a plurality or approval count, as before a ranked
 * one: it gets no votes, is not listed in the round's votes and is never
 * elected, even where it would have had the most marks.
 */
START_TEST(approval_ignores_withdrawn)
{
	static const uint8_t withdrawn[4] = {1, 0, 0, 0};
	struct tl_count_input in;
	struct tl_ballot_set set;
	struct tl_error err;
	json_t *r = NULL, *votes;

	tl_ballot_set_init(&set);
	/* Worked by hand, x withdrawn:
	 *   weight 3: x y    weight 2: x z    weight 2: x    weight 1: w
	 * y = 3, z = 2, w = 1; x's 7 marks count for nobody, and the ballot
	 * that marks x alone is left with no candidate (not valid).  Two
	 * seats: y and z. */
	add_marks(&set, 3, "xy");
	add_marks(&set, 2, "xz");
	add_marks(&set, 2, "x");
	add_marks(&set, 1, "w");
	memset(&in, 0, sizeof(in));
	in.method = TL_METHOD_APPROVAL;
	in.seats = 2;
	in.ncandidates = 4;
	in.candidate_ids = ids;
	in.candidate_names = names;
	in.withdrawn = withdrawn;
	tl_count_input_set_ballots(&in, &set);
	ck_assert_msg(tl_count_run(&in, &r, &err) == TL_OK, "%s", err.message);
	votes = json_object_get(json_array_get(json_object_get(r, "rounds"), 0),
	    "votes");
	ck_assert_ptr_null(json_object_get(votes, "x"));
	ck_assert_uint_eq(json_object_size(votes), 3);
	ck_assert_int_eq(votes_of(r, "y"), 3);
	ck_assert_int_eq(votes_of(r, "z"), 2);
	ck_assert_int_eq(votes_of(r, "w"), 1);
	ck_assert_uint_eq(json_array_size(json_object_get(r, "winners")), 2);
	ck_assert_str_eq(winner(r, 0), "Yolanda");
	ck_assert_str_eq(winner(r, 1), "Zed");
	ck_assert_uint_eq(json_array_size(json_object_get(r, "ties")), 0);
	json_decref(r);
	/* Three seats for the three candidates left: all of them, no tie. */
	in.seats = 3;
	ck_assert_msg(tl_count_run(&in, &r, &err) == TL_OK, "%s", err.message);
	ck_assert_uint_eq(json_array_size(json_object_get(r, "winners")), 3);
	ck_assert_str_eq(winner(r, 2), "Wanda");
	json_decref(r);
	tl_ballot_set_free(&set);
}
END_TEST

static void
add_answer(struct tl_ballot_set *set, int64_t weight, uint32_t answer)
{
	ck_assert_int_eq(tl_ballot_set_add(set, weight, &answer, 1), TL_OK);
}

static const char *
outcome(json_t *r)
{
	return json_string_value(json_object_get(r, "outcome"));
}

START_TEST(referendum_thresholds)
{
	struct tl_ballot_set set;
	json_t *r, *options;

	tl_ballot_set_init(&set);
	/* yes 6, no 3, abstain 5: majority approves (6 > 3); two thirds:
	 * 3 * 6 = 18 >= 2 * 9 = 18 approves; exactly two thirds is enough. */
	add_answer(&set, 6, TL_ANSWER_YES);
	add_answer(&set, 3, TL_ANSWER_NO);
	add_answer(&set, 5, TL_ANSWER_ABSTAIN);
	r = count(TL_METHOD_REFERENDUM, 1, 3, &set, NULL, 20);
	ck_assert_str_eq(outcome(r), "approved");
	ck_assert_int_eq(votes_of(r, "yes"), 6);
	ck_assert_int_eq(votes_of(r, "no"), 3);
	ck_assert_int_eq(votes_of(r, "abstain"), 5);
	ck_assert_str_eq(winner(r, 0), "yes");
	json_decref(r);
	options = json_pack("{s:s}", "threshold", "two-thirds");
	r = count(TL_METHOD_REFERENDUM, 1, 3, &set, options, 20);
	ck_assert_str_eq(outcome(r), "approved");
	json_decref(r);
	/* One more no: 3 * 6 = 18 < 2 * 10 = 20, rejected. */
	add_answer(&set, 1, TL_ANSWER_NO);
	r = count(TL_METHOD_REFERENDUM, 1, 3, &set, options, 20);
	ck_assert_str_eq(outcome(r), "rejected");
	ck_assert_str_eq(winner(r, 0), "no");
	json_decref(r);
	json_decref(options);
	/* A tie is not a majority. */
	add_answer(&set, 2, TL_ANSWER_NO);
	r = count(TL_METHOD_REFERENDUM, 1, 3, &set, NULL, 20);
	ck_assert_int_eq(votes_of(r, "no"), 6);
	ck_assert_str_eq(outcome(r), "rejected");
	json_decref(r);
	tl_ballot_set_free(&set);
}
END_TEST

START_TEST(referendum_quorum)
{
	struct tl_ballot_set set;
	json_t *r, *options = json_pack("{s:I}", "quorum", (json_int_t)50);

	tl_ballot_set_init(&set);
	/* Eligible weight 21; 50% quorum needs 100 * w >= 50 * 21 = 1050,
	 * so w >= 10.5: 10 participating is not enough, 11 is. */
	add_answer(&set, 8, TL_ANSWER_YES);
	add_answer(&set, 2, TL_ANSWER_ABSTAIN);
	r = count(TL_METHOD_REFERENDUM, 1, 3, &set, options, 21);
	ck_assert_str_eq(outcome(r), "no-quorum");
	ck_assert_uint_eq(json_array_size(json_object_get(r, "winners")), 0);
	ck_assert(json_is_false(json_object_get(json_object_get(r, "quorum"),
	    "met")));
	json_decref(r);
	add_answer(&set, 1, TL_ANSWER_NO);
	r = count(TL_METHOD_REFERENDUM, 1, 3, &set, options, 21);
	ck_assert_str_eq(outcome(r), "approved");
	ck_assert(json_is_true(json_object_get(json_object_get(r, "quorum"),
	    "met")));
	json_decref(r);
	json_decref(options);
	tl_ballot_set_free(&set);
}
END_TEST

START_TEST(no_valid_votes_elects_no_one)
{
	static const enum tl_method methods[] = {TL_METHOD_PLURALITY,
	    TL_METHOD_APPROVAL, TL_METHOD_IRV, TL_METHOD_STV_SCOTTISH,
	    TL_METHOD_STV_MEEK, TL_METHOD_SCHULZE};
	struct tl_ballot_set set;
	json_t *r;

	/* No ballots, then only blank ones: every method elects no one and
	 * says why, with no count run (no rounds, no lots drawn). */
	for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
		tl_ballot_set_init(&set);
		for (int blanks = 0; blanks <= 2; blanks += 2) {
			if (blanks != 0) {
				add_marks(&set, 2, "");
				add_marks(&set, 3, "");
			}
			r = count(methods[m], 1, 3, &set, NULL, 20);
			ck_assert_str_eq(outcome(r), "no-valid-votes");
			ck_assert_uint_eq(json_array_size(json_object_get(r,
			    "winners")), 0);
			ck_assert_uint_eq(json_array_size(json_object_get(r,
			    "elected")), 0);
			ck_assert_uint_eq(json_array_size(json_object_get(r,
			    "rounds")), 0);
			ck_assert_uint_eq(json_array_size(json_object_get(r,
			    "ties")), 0);
			ck_assert_int_eq(json_integer_value(json_object_get(r,
			    "ballots")), blanks);
			ck_assert_int_eq(json_integer_value(json_object_get(r,
			    "blank")), blanks);
			ck_assert_int_eq(json_integer_value(json_object_get(r,
			    "weight")), blanks != 0 ? 5 : 0);
			ck_assert_ptr_null(json_object_get(r, "quorum"));
			json_decref(r);
		}
		tl_ballot_set_free(&set);
	}
	/* A referendum nobody answered decides nothing. */
	tl_ballot_set_init(&set);
	add_marks(&set, 4, "");
	r = count(TL_METHOD_REFERENDUM, 1, 3, &set, NULL, 20);
	ck_assert_str_eq(outcome(r), "no-valid-votes");
	ck_assert_uint_eq(json_array_size(json_object_get(r, "winners")), 0);
	ck_assert_int_eq(votes_of(r, "yes"), 0);
	json_decref(r);
	/* Abstentions are valid votes: 0 yes, 0 no is not approved. */
	add_answer(&set, 1, TL_ANSWER_ABSTAIN);
	r = count(TL_METHOD_REFERENDUM, 1, 3, &set, NULL, 20);
	ck_assert_str_eq(outcome(r), "rejected");
	json_decref(r);
	tl_ballot_set_free(&set);
}
END_TEST

START_TEST(candidate_quorum)
{
	struct tl_ballot_set set;
	json_t *r, *q, *percent = json_pack("{s:I}", "quorum", (json_int_t)50);
	json_t *ballots = json_pack("{s:I}", "quorum_ballots", (json_int_t)3);

	tl_ballot_set_init(&set);
	/* Eligible weight 21; a 50% quorum needs 100 * w >= 50 * 21 = 1050,
	 * w >= 10.5.  Valid ballots x (8) and y (2), and a blank (5) that
	 * does not count towards it: w = 10, not met, no one elected. */
	add_marks(&set, 8, "x");
	add_marks(&set, 2, "y");
	add_marks(&set, 5, "");
	r = count(TL_METHOD_PLURALITY, 1, 3, &set, percent, 21);
	ck_assert_str_eq(outcome(r), "no-quorum");
	ck_assert_uint_eq(json_array_size(json_object_get(r, "winners")), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(r, "rounds")), 0);
	q = json_object_get(r, "quorum");
	ck_assert_int_eq(json_integer_value(json_object_get(q, "percent")), 50);
	ck_assert_int_eq(json_integer_value(json_object_get(q,
	    "eligible_weight")), 21);
	ck_assert_int_eq(json_integer_value(json_object_get(q,
	    "participating_weight")), 10);
	ck_assert(json_is_false(json_object_get(q, "met")));
	ck_assert_ptr_null(json_object_get(q, "min_ballots"));
	json_decref(r);
	/* At least 3 valid ballots: 2 is not enough either. */
	r = count(TL_METHOD_IRV, 1, 3, &set, ballots, 21);
	ck_assert_str_eq(outcome(r), "no-quorum");
	q = json_object_get(r, "quorum");
	ck_assert_int_eq(json_integer_value(json_object_get(q, "percent")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(q,
	    "min_ballots")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(q,
	    "participating_ballots")), 2);
	json_decref(r);
	/* One more valid ballot (z, 1): w = 11 and 3 ballots, both met; the
	 * count runs and x (8) is elected; no outcome, the quorum shown. */
	add_marks(&set, 1, "z");
	r = count(TL_METHOD_PLURALITY, 1, 3, &set, percent, 21);
	ck_assert_ptr_null(json_object_get(r, "outcome"));
	ck_assert_str_eq(winner(r, 0), "Xavier");
	ck_assert(json_is_true(json_object_get(json_object_get(r, "quorum"),
	    "met")));
	json_decref(r);
	r = count(TL_METHOD_IRV, 1, 3, &set, ballots, 21);
	ck_assert_ptr_null(json_object_get(r, "outcome"));
	ck_assert_str_eq(winner(r, 0), "Xavier");
	json_decref(r);
	/* Without a quorum option the report has neither field. */
	r = count(TL_METHOD_PLURALITY, 1, 3, &set, NULL, 21);
	ck_assert_ptr_null(json_object_get(r, "quorum"));
	ck_assert_ptr_null(json_object_get(r, "outcome"));
	json_decref(r);
	json_decref(percent);
	json_decref(ballots);
	tl_ballot_set_free(&set);
}
END_TEST

START_TEST(decimal_amounts)
{
	json_t *v;

	v = tl_count_amount(1234567, 5);
	ck_assert_str_eq(json_string_value(v), "12.34567");
	json_decref(v);
	v = tl_count_amount(-5, 2);
	ck_assert_str_eq(json_string_value(v), "-0.05");
	json_decref(v);
	v = tl_count_amount(7, 0);
	ck_assert_int_eq(json_integer_value(v), 7);
	json_decref(v);
}
END_TEST

START_TEST(options_checked)
{
	struct tl_error err;
	json_t *bad = json_pack("{s:s}", "threshold", "half");
	json_t *empty = json_object();

	ck_assert_int_eq(tl_manifest_check_options(TL_METHOD_REFERENDUM, 1, 0, bad,
	    "contests[0]", &err), TL_EMANIFEST);
	ck_assert_ptr_nonnull(strstr(err.message, "contests[0].options.threshold"));
	ck_assert_int_eq(tl_manifest_check_options(TL_METHOD_PLURALITY, 2, 3, empty,
	    "c", &err), TL_OK);
	ck_assert_int_eq(tl_manifest_check_options(TL_METHOD_PLURALITY, 4, 3, empty,
	    "c", &err), TL_EMANIFEST);
	json_decref(bad);
	json_decref(empty);
	/* Every method takes a quorum; only a referendum a threshold. */
	bad = json_pack("{s:I, s:I}", "quorum", (json_int_t)30,
	    "quorum_ballots", (json_int_t)12);
	ck_assert_int_eq(tl_manifest_check_options(TL_METHOD_SCHULZE, 1, 3, bad,
	    "c", &err), TL_OK);
	json_decref(bad);
	bad = json_pack("{s:I}", "quorum", (json_int_t)101);
	ck_assert_int_eq(tl_manifest_check_options(TL_METHOD_IRV, 1, 3, bad, "c",
	    &err), TL_EMANIFEST);
	ck_assert_ptr_nonnull(strstr(err.message, "c.options.quorum"));
	json_decref(bad);
	bad = json_pack("{s:I}", "quorum_ballots", (json_int_t)-1);
	ck_assert_int_eq(tl_manifest_check_options(TL_METHOD_APPROVAL, 1, 3, bad,
	    "c", &err), TL_EMANIFEST);
	ck_assert_ptr_nonnull(strstr(err.message, "c.options.quorum_ballots"));
	json_decref(bad);
	bad = json_pack("{s:s}", "threshold", "majority");
	ck_assert_int_eq(tl_manifest_check_options(TL_METHOD_PLURALITY, 1, 3, bad,
	    "c", &err), TL_EMANIFEST);
	json_decref(bad);
}
END_TEST

START_TEST(same_input_same_bytes)
{
	struct tl_ballot_set set;
	json_t *a, *b;
	char *ta, *tb;

	tl_ballot_set_init(&set);
	add_marks(&set, 2, "xy");
	add_marks(&set, 1, "z");
	a = count(TL_METHOD_PLURALITY, 1, 3, &set, NULL, 0);
	b = count(TL_METHOD_PLURALITY, 1, 3, &set, NULL, 0);
	ta = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
	tb = json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_str_eq(ta, tb);
	free(ta);
	free(tb);
	json_decref(a);
	json_decref(b);
	tl_ballot_set_free(&set);
}
END_TEST

/* The weights of a count add up to at most 2^63 - 1 units: up to there
 * every method counts (the report's "weight" is their sum, and a
 * referendum's totals may be that large), one unit more cannot be counted
 * (doc/methods.md, "When a method cannot count its input"). */
START_TEST(weights_up_to_the_limit)
{
	static const enum tl_method methods[] = {TL_METHOD_PLURALITY,
	    TL_METHOD_APPROVAL, TL_METHOD_IRV, TL_METHOD_SCHULZE};
	struct tl_ballot_set set;
	struct tl_count_input in;
	struct tl_error err;
	json_t *r = NULL, *options;

	for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
		tl_ballot_set_init(&set);
		add_marks(&set, INT64_MAX - 1, "x");
		add_marks(&set, 1, "y");
		r = count(methods[m], 1, 2, &set, NULL, 0);
		ck_assert_int_eq(json_integer_value(json_object_get(r,
		    "weight")), INT64_MAX);
		ck_assert_str_eq(winner(r, 0), "Xavier");
		json_decref(r);
		r = NULL;
		add_marks(&set, 1, "");
		memset(&in, 0, sizeof(in));
		in.method = methods[m];
		in.seats = 1;
		in.ncandidates = 2;
		in.candidate_ids = ids;
		in.candidate_names = names;
		tl_count_input_set_ballots(&in, &set);
		ck_assert_int_eq(tl_count_run(&in, &r, &err), TL_EMETHOD);
		ck_assert_ptr_null(r);
		ck_assert_ptr_nonnull(strstr(err.message, "weights add up"));
		tl_ballot_set_free(&set);
	}
	/* A referendum: yes 2^62, no 2^62 - 2 (3 yes >= 2 (yes + no) holds
	 * only in 128 bits). */
	tl_ballot_set_init(&set);
	add_answer(&set, INT64_C(1) << 62, TL_ANSWER_YES);
	add_answer(&set, (INT64_C(1) << 62) - 2, TL_ANSWER_NO);
	options = json_pack("{s:s}", "threshold", "two-thirds");
	r = count(TL_METHOD_REFERENDUM, 1, 3, &set, options, 0);
	ck_assert_str_eq(outcome(r), "rejected");
	ck_assert_int_eq(votes_of(r, "yes"), INT64_C(1) << 62);
	json_decref(r);
	json_decref(options);
	r = count(TL_METHOD_REFERENDUM, 1, 3, &set, NULL, 0);
	ck_assert_str_eq(outcome(r), "approved");
	json_decref(r);
	tl_ballot_set_free(&set);
}
END_TEST

static Suite *
count_suite(void)
{
	Suite *s = suite_create("count");
	TCase *tc = tcase_create("count");

	tcase_add_test(tc, plurality_weighted);
	tcase_add_test(tc, approval_counts_every_mark);
	tcase_add_test(tc, approval_ignores_withdrawn);
	tcase_add_test(tc, referendum_thresholds);
	tcase_add_test(tc, referendum_quorum);
	tcase_add_test(tc, no_valid_votes_elects_no_one);
	tcase_add_test(tc, candidate_quorum);
	tcase_add_test(tc, decimal_amounts);
	tcase_add_test(tc, options_checked);
	tcase_add_test(tc, same_input_same_bytes);
	tcase_add_test(tc, weights_up_to_the_limit);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return th_run(count_suite());
}
