/*
 * check_blt.c: the BLT reader on the forms real files take, its errors
 * (file, line and reason), and the writer read back.
 */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "teller/blt.h"

static struct tl_blt *
parse_ok(const char *text)
{
	struct tl_blt *blt = NULL;
	struct tl_error err;

	tl_error_clear(&err);
	ck_assert_msg(tl_blt_parse(text, strlen(text), "t.blt", &blt, &err) ==
	    TL_OK, "%s", err.message);
	return blt;
}

static void
parse_fails(const char *text, const char *message)
{
	struct tl_blt *blt = NULL;
	struct tl_error err;

	tl_error_clear(&err);
	ck_assert_int_eq(tl_blt_parse(text, strlen(text), "t.blt", &blt, &err),
	    TL_EINPUT);
	ck_assert_ptr_null(blt);
	ck_assert_msg(strstr(err.message, message) != NULL,
	    "message \"%s\" lacks \"%s\"", err.message, message);
}

START_TEST(plain_file)
{
	struct tl_blt *blt = parse_ok("3 2\n4 1 2 0\n2 3 0\n1 0\n0\n"
	    "\"Castor\"\n\"Pollux\"\n\"Helen\"\n\"A title\"\n");

	ck_assert_uint_eq(blt->ncandidates, 3);
	ck_assert_uint_eq(blt->seats, 2);
	ck_assert_uint_eq(blt->ballots.nballots, 3);
	ck_assert_int_eq(blt->ballots.weights[0], 4);
	ck_assert_uint_eq(blt->ballots.starts[1], 2);
	ck_assert_uint_eq(blt->ballots.prefs[0], 0);
	ck_assert_uint_eq(blt->ballots.prefs[1], 1);
	ck_assert_uint_eq(blt->ballots.prefs[2], 2);
	/* "1 0" is a blank ballot. */
	ck_assert_uint_eq(blt->ballots.starts[3] - blt->ballots.starts[2], 0);
	ck_assert_str_eq(blt->names[1], "Pollux");
	ck_assert_str_eq(blt->ids[2], "3");
	ck_assert_str_eq(blt->title, "A title");
	ck_assert_uint_eq(blt->ballot_lines[1], 3);
	tl_blt_free(blt);
}
END_TEST

START_TEST(real_file_forms)
{
	/* A byte order mark, CRLF, trailing blanks, bare names, a name with
	 * two spaces, UTF-8, withdrawn candidates both ways, equal ranks,
	 * decimal weights, blank lines, notes after the title. */
	struct tl_blt *blt = parse_ok("\xef\xbb\xbf" "4 2   \r\n-2\r\n"
	    "[withdrawn 3]\r\n\r\n1.5 1 4=2 0   \r\n2 4 0\r\n0\r\n"
	    "Ann  Smith\r\n\"H\xc3\xa9l\xc3\xa8ne\"\r\nCat\r\nDan\r\n"
	    "\"Title\"\r\nNotes after the title\r\nQuota 84.88\r\n");

	ck_assert_uint_eq(blt->ncandidates, 4);
	ck_assert(!blt->withdrawn[0] && blt->withdrawn[1] &&
	    blt->withdrawn[2] && !blt->withdrawn[3]);
	ck_assert_uint_eq(blt->weight_decimals, 1);
	ck_assert_int_eq(blt->ballots.weights[0], 15);
	ck_assert_int_eq(blt->ballots.weights[1], 20);
	ck_assert_uint_eq(blt->ballots.prefs[1], 3);
	ck_assert_uint_eq(blt->ballots.prefs[2], 1 | TL_PREF_EQUAL);
	ck_assert_str_eq(blt->names[0], "Ann  Smith");
	ck_assert_str_eq(blt->names[1], "H\xc3\xa9l\xc3\xa8ne");
	ck_assert_str_eq(blt->title, "Title");
	tl_blt_free(blt);
	/* No title at all. */
	blt = parse_ok("2 1\n1 1 0\n0\nA\nB");
	ck_assert_str_eq(blt->title, "");
	tl_blt_free(blt);
}
END_TEST

START_TEST(errors_name_the_line)
{
	parse_fails("", "t.blt: empty file");
	parse_fails("3\n", "t.blt:1: the first line");
	parse_fails("3 4\n0\nA\nB\nC\n", "t.blt:1: the first line");
	parse_fails("3 1\n1 1 4 0\n0\nA\nB\nC\n", "t.blt:2: not a candidate "
	    "number (1 to the number of candidates): 4");
	parse_fails("3 1\n1 1 2 1 0\n0\nA\nB\nC\n", "t.blt:2: a candidate "
	    "ranked twice: 1");
	parse_fails("3 1\n1 1 2\n0\nA\nB\nC\n", "t.blt:2: a ballot must end "
	    "with 0");
	parse_fails("3 1\n1 1 0 2\n0\nA\nB\nC\n", "t.blt:2: text after the 0");
	parse_fails("3 1\n\n1 1 0\nx 2 0\n0\nA\nB\nC\n", "t.blt:4: a ballot "
	    "must start with its weight");
	parse_fails("3 1\n1.1234567891 1 0\n0\nA\nB\nC\n", "t.blt:2: a ballot "
	    "must start with its weight");
	parse_fails("3 1\n0 1 0\n0\nA\nB\nC\n", "t.blt:2: a ballot of "
	    "weight 0");
	parse_fails("3 1\n1 1=0\n0\nA\nB\nC\n", "t.blt:2: not a candidate");
	parse_fails("3 1\n1 1 0\n-4\n0\nA\nB\nC\n", "t.blt:3: withdrawn "
	    "candidates must come before");
	parse_fails("3 1\n[tie 1 2 3]\n1 1 0\n0\nA\nB\nC\n", "t.blt:2: "
	    "unsupported option");
	parse_fails("3 1\n1 1 0\n", "the file ends before the line 0");
	parse_fails("3 1\n1 1 0\n0\nA\nB\n", "the file ends after 2 of the 3 "
	    "candidate names");
	parse_fails("3 1\n1 1 0\n0\n\"A\nB\nC\n", "t.blt:4: candidate name: "
	    "a quoted text without its closing quote");
	parse_fails("3 1\n1 1 0\n0\nA\n\xff\xfe\nC\n", "t.blt:5: candidate "
	    "name: not valid UTF-8");
}
END_TEST

/* A weight is kept in units of its decimals in an int64_t: the largest
 * that fits is read, one more is refused, not wrapped to a negative
 * weight (found by fuzz_blt). */
START_TEST(weights_fit)
{
	struct tl_blt *blt = parse_ok("3 1\n9223372036.854775807 1 0\n0\n"
	    "A\nB\nC\n");

	ck_assert_int_eq(blt->ballots.weights[0], INT64_MAX);
	ck_assert_uint_eq(blt->weight_decimals, 9);
	tl_blt_free(blt);
	parse_fails("3 1\n9223372036.854775808 1 0\n0\nA\nB\nC\n",
	    "t.blt:2: weight too large: 9223372036.854775808");
	parse_fails("3 1\n100000020101.40104004 1 0\n0\nA\nB\nC\n",
	    "t.blt:2: weight too large");
	parse_fails("3 1\n999999999999.999999999 1 0\n0\nA\nB\nC\n",
	    "t.blt:2: weight too large");
}
END_TEST

START_TEST(write_then_read)
{
	static const char *const ids[] = {"a", "b", "c"};
	static const char *const names[] = {"Ann", "Bob", "Cat"};
	static const uint8_t withdrawn[] = {0, 1, 0};
	static const uint32_t b1[] = {2, 0 | TL_PREF_EQUAL, 1};
	struct tl_ballot_set set;
	struct tl_count_input in;
	struct tl_error err;
	struct tl_blt *blt;
	struct tl_buf buf;

	tl_ballot_set_init(&set);
	ck_assert_int_eq(tl_ballot_set_add(&set, 250, b1, 3), TL_OK);
	ck_assert_int_eq(tl_ballot_set_add(&set, 100, NULL, 0), TL_OK);
	memset(&in, 0, sizeof(in));
	in.seats = 2;
	in.ncandidates = 3;
	in.candidate_ids = ids;
	in.candidate_names = names;
	in.withdrawn = withdrawn;
	in.weight_decimals = 2;
	tl_count_input_set_ballots(&in, &set);
	tl_buf_init(&buf, 4096);
	ck_assert_int_eq(tl_blt_write(&in, "T", &buf, &err), TL_OK);
	ck_assert_str_eq(buf.data, "3 2\n-2\n2.50 3=1 2 0\n1.00 0\n0\n"
	    "\"Ann\"\n\"Bob\"\n\"Cat\"\n\"T\"\n");
	blt = parse_ok(buf.data);
	ck_assert_uint_eq(blt->weight_decimals, 2);
	ck_assert_int_eq(blt->ballots.weights[0], 250);
	ck_assert_uint_eq(blt->ballots.prefs[1], 0 | TL_PREF_EQUAL);
	ck_assert(blt->withdrawn[1]);
	tl_blt_free(blt);
	tl_buf_reset(&buf);
	ck_assert_int_eq(tl_blt_write(&in, "a \"quoted\" title", &buf, &err),
	    TL_EINPUT);
	tl_buf_free(&buf);
	tl_ballot_set_free(&set);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("blt");
	TCase *tc = tcase_create("blt");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, plain_file);
	tcase_add_test(tc, real_file_forms);
	tcase_add_test(tc, errors_name_the_line);
	tcase_add_test(tc, weights_fit);
	tcase_add_test(tc, write_then_read);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
