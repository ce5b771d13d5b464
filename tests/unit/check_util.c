/*
 * check_util.c: the capped buffer, file reading limits, integer parsing,
 * timestamps, ids, and error codes.
 */
#include <config.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "teller/error.h"
#include "teller/utf8.h"
#include "teller/util.h"

START_TEST(buf_grows_and_caps)
{
	struct tl_buf buf;

	tl_buf_init(&buf, 10);
	ck_assert_int_eq(tl_buf_adds(&buf, "hello"), TL_OK);
	ck_assert_int_eq(tl_buf_addf(&buf, "%d", 1234), TL_OK);
	ck_assert_str_eq(buf.data, "hello1234");
	ck_assert_uint_eq(buf.len, 9);
	ck_assert_int_eq(tl_buf_addc(&buf, 'x'), TL_OK);
	/* The cap is 10 bytes: one more is refused and nothing changes. */
	ck_assert_int_eq(tl_buf_addc(&buf, 'y'), TL_ETOOBIG);
	ck_assert_int_eq(tl_buf_addf(&buf, "%s", "zz"), TL_ETOOBIG);
	ck_assert_str_eq(buf.data, "hello1234x");
	tl_buf_reset(&buf);
	ck_assert_str_eq(buf.data, "");
	tl_buf_free(&buf);
}
END_TEST

START_TEST(buf_take_empty)
{
	struct tl_buf buf;
	size_t len = 99;
	char *s;

	tl_buf_init(&buf, 100);
	s = tl_buf_take(&buf, &len);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "");
	ck_assert_uint_eq(len, 0);
	free(s);
}
END_TEST

START_TEST(read_file_limit)
{
	char *dir = th_tmpdir(), *data = NULL;
	struct tl_error err;
	size_t len = 0;

	th_write(th_path(dir, "f"), "0123456789");
	ck_assert_int_eq(tl_read_file(th_path(dir, "f"), 10, &data, &len, &err),
	    TL_OK);
	ck_assert_str_eq(data, "0123456789");
	ck_assert_uint_eq(len, 10);
	free(data);
	ck_assert_int_eq(tl_read_file(th_path(dir, "f"), 9, &data, &len, &err),
	    TL_ETOOBIG);
	ck_assert_ptr_nonnull(strstr(err.message, "limit of 9 bytes"));
	/* A missing file, or a directory, is the user's to fix (exit 2);
	 * only a failure of the system is TL_EIO. */
	ck_assert_int_eq(tl_read_file(th_path(dir, "missing"), 9, &data, &len,
	    &err), TL_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.message, "missing"));
	ck_assert_int_eq(tl_error_exit_status(err.code), 2);
	ck_assert_int_eq(tl_read_file(dir, 9, &data, &len, &err), TL_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.message, "Is a directory"));
	ck_assert_int_eq(tl_file_error_code(EACCES), TL_EINPUT);
	ck_assert_int_eq(tl_file_error_code(EIO), TL_EIO);
	ck_assert_int_eq(tl_file_error_code(EMFILE), TL_EIO);
	th_rm_rf(dir);
	free(dir);
}
END_TEST

/* tl_read_fd reads from where the descriptor stands to the end, whatever
 * fstat said, within the limit. */
START_TEST(read_fd)
{
	char *dir = th_tmpdir(), *data = NULL, *big;
	struct tl_error err;
	size_t len = 0, n = 200000;
	FILE *f;
	int fd;

	th_write(th_path(dir, "f"), "0123456789");
	fd = open(th_path(dir, "f"), O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(lseek(fd, 4, SEEK_SET), 4);
	ck_assert_int_eq(tl_read_fd(fd, "f", 6, &data, &len, &err), TL_OK);
	ck_assert_str_eq(data, "456789");
	ck_assert_uint_eq(len, 6);
	free(data);
	close(fd);
	th_write(th_path(dir, "empty"), "");
	fd = open(th_path(dir, "empty"), O_RDONLY);
	ck_assert_int_eq(tl_read_fd(fd, "empty", 10, &data, &len, &err), TL_OK);
	ck_assert_str_eq(data, "");
	ck_assert_uint_eq(len, 0);
	free(data);
	close(fd);
	/* Larger than a read's chunk: exactly the limit, and one byte over. */
	big = malloc(n + 1);
	ck_assert_ptr_nonnull(big);
	memset(big, 'x', n);
	big[n] = '\0';
	ck_assert_ptr_nonnull(f = fopen(th_path(dir, "big"), "w"));
	ck_assert_uint_eq(fwrite(big, 1, n, f), n);
	fclose(f);
	fd = open(th_path(dir, "big"), O_RDONLY);
	ck_assert_int_eq(tl_read_fd(fd, "big", n, &data, &len, &err), TL_OK);
	ck_assert_uint_eq(len, n);
	ck_assert(memcmp(data, big, n) == 0 && data[n] == '\0');
	free(data);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(tl_read_fd(fd, "big", n - 1, &data, &len, &err),
	    TL_ETOOBIG);
	ck_assert_ptr_nonnull(strstr(err.message, "big: larger than the limit"));
	close(fd);
	free(big);
	th_rm_rf(dir);
	free(dir);
}
END_TEST

/* An output abandoned half-way leaves the file it was to replace as it
 * was, and no temporary file; one closed replaces it. */
START_TEST(output_discard_and_close)
{
	char *dir = th_tmpdir(), *data = NULL;
	struct tl_output *o = NULL;
	struct tl_error err;
	DIR *d;
	struct dirent *de;
	int entries = 0;

	th_write(th_path(dir, "out"), "old");
	ck_assert_int_eq(tl_output_open(th_path(dir, "out"), 0644, &o, &err),
	    TL_OK);
	fputs("half a new fi", tl_output_stream(o));
	tl_output_discard(o);
	ck_assert_int_eq(tl_read_file(th_path(dir, "out"), 100, &data, NULL,
	    &err), TL_OK);
	ck_assert_str_eq(data, "old");
	free(data);
	ck_assert_ptr_nonnull(d = opendir(dir));
	while ((de = readdir(d)) != NULL)
		entries += de->d_name[0] != '.';
	closedir(d);
	ck_assert_int_eq(entries, 1);
	ck_assert_int_eq(tl_output_open(th_path(dir, "out"), 0644, &o, &err),
	    TL_OK);
	fputs("new", tl_output_stream(o));
	ck_assert_int_eq(tl_output_close(o, &err), TL_OK);
	ck_assert_int_eq(tl_read_file(th_path(dir, "out"), 100, &data, NULL,
	    &err), TL_OK);
	ck_assert_str_eq(data, "new");
	free(data);
	/* A directory is refused. */
	ck_assert_int_eq(tl_write_file(dir, "x", 1, 0644, &err), TL_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.message, "is a directory"));
	th_rm_rf(dir);
	free(dir);
}
END_TEST

START_TEST(parse_int64)
{
	int64_t v = 0;

	ck_assert_int_eq(tl_parse_int64("42", 0, 100, &v), TL_OK);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(tl_parse_int64("-7", -10, 10, &v), TL_OK);
	ck_assert_int_eq(v, -7);
	ck_assert_int_eq(tl_parse_int64("101", 0, 100, &v), TL_EINPUT);
	ck_assert_int_eq(tl_parse_int64("", 0, 100, &v), TL_EINPUT);
	ck_assert_int_eq(tl_parse_int64(" 5", 0, 100, &v), TL_EINPUT);
	ck_assert_int_eq(tl_parse_int64("5x", 0, 100, &v), TL_EINPUT);
	ck_assert_int_eq(tl_parse_int64("99999999999999999999", 0, INT64_MAX,
	    &v), TL_EINPUT);
	ck_assert_int_eq(v, -7); /* unchanged on failure */
}
END_TEST

START_TEST(time_roundtrip)
{
	char out[TL_TIME_LEN];
	int64_t t = 0;

	ck_assert_int_eq(tl_time_parse("2026-11-22T10:00:00Z", &t), TL_OK);
	ck_assert_int_eq(t, TH_NOW);
	tl_time_format(t, out);
	ck_assert_str_eq(out, "2026-11-22T10:00:00Z");
	ck_assert_int_eq(tl_time_parse("1970-01-01T00:00:00Z", &t), TL_OK);
	ck_assert_int_eq(t, 0);
	ck_assert_int_eq(tl_time_parse("2024-02-29T23:59:59.123Z", &t), TL_OK);
	ck_assert_int_eq(t, 1709251199);
	ck_assert_int_eq(tl_time_parse("2024-02-29T23:59:59+00:00", &t), TL_OK);
	ck_assert_int_eq(t, 1709251199);
}
END_TEST

START_TEST(time_rejects)
{
	static const char *const bad[] = {
		"2026-11-22 10:00:00Z", "2026-11-22T10:00:00", "2026-11-22T10:00Z",
		"2026-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2026-11-22T24:00:00Z",
		"2026-11-22T10:00:00+01:00", "2026-11-22T10:00:00Zjunk", "",
		"1969-12-31T23:59:59Z", "2026-11-22T10:00:00.Z",
	};
	int64_t t;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(tl_time_parse(bad[i], &t) == TL_EINPUT,
		    "accepted \"%s\"", bad[i]);
}
END_TEST

START_TEST(valid_ids)
{
	char long_id[70];

	ck_assert(tl_valid_id("isoc-2026"));
	ck_assert(tl_valid_id("a"));
	ck_assert(tl_valid_id("A.b_c-9"));
	ck_assert(!tl_valid_id(""));
	ck_assert(!tl_valid_id("-a"));
	ck_assert(!tl_valid_id("a b"));
	ck_assert(!tl_valid_id("a/b"));
	ck_assert(!tl_valid_id("caf\xc3\xa9"));
	memset(long_id, 'a', 64);
	long_id[64] = '\0';
	ck_assert(tl_valid_id(long_id));
	long_id[64] = 'a';
	long_id[65] = '\0';
	ck_assert(!tl_valid_id(long_id));
}
END_TEST

START_TEST(error_messages)
{
	struct tl_error err;

	ck_assert_int_eq(tl_error_set(&err, TL_ENOTONROLL, "voter %s", "v1"),
	    TL_ENOTONROLL);
	ck_assert_str_eq(err.message, "voter v1");
	ck_assert_int_eq(tl_error_prefix(&err, "file.csv:%d", 3), TL_ENOTONROLL);
	ck_assert_str_eq(err.message, "file.csv:3: voter v1");
	ck_assert_str_eq(tl_error_name(TL_ESIGNATURE), "bad_signature");
	ck_assert_str_eq(tl_error_name(TL_ENOTONROLL), "not_on_roll");
	ck_assert_int_eq(tl_error_exit_status(TL_OK), 0);
	ck_assert_int_eq(tl_error_exit_status(TL_EVERIFY), 1);
	ck_assert_int_eq(tl_error_exit_status(TL_EBALLOT), 2);
	ck_assert_int_eq(tl_error_exit_status(TL_EDB), 3);
	/* Every code from TL_ERROR_MIN to -1 has a name and a text. */
	for (int code = TL_ERROR_MIN; code < 0; code++) {
		ck_assert_str_ne(tl_error_name(code), "unknown");
		ck_assert_str_ne(tl_strerror(code), "unknown error");
	}
	ck_assert_str_eq(tl_error_name(-1000), "unknown");
	ck_assert_int_eq(tl_error_set(NULL, TL_EIO, "ignored"), TL_EIO);
}
END_TEST

/* Whether s is valid UTF-8, asked of Jansson (not of teller's code). */
static int
jansson_takes(const char *s)
{
	json_t *probe = json_string(s);

	json_decref(probe);
	return probe != NULL;
}

START_TEST(utf8_sequences)
{
	/* One of each length, and what RFC 3629 section 3 excludes. */
	ck_assert_uint_eq(tl_utf8_sequence("a", 1), 1);
	ck_assert_uint_eq(tl_utf8_sequence("\xc3\xa9", 2), 2);        /* é */
	ck_assert_uint_eq(tl_utf8_sequence("\xe2\x82\xac", 3), 3);    /* € */
	ck_assert_uint_eq(tl_utf8_sequence("\xf0\x9f\x97\xb3", 4), 4);
	ck_assert_uint_eq(tl_utf8_sequence("\xe2\x82\xac", 2), 0);    /* cut */
	ck_assert_uint_eq(tl_utf8_sequence("\xff", 1), 0);
	ck_assert_uint_eq(tl_utf8_sequence("\x80", 1), 0);  /* continuation */
	ck_assert_uint_eq(tl_utf8_sequence("\xc0\x80", 2), 0);     /* overlong */
	ck_assert_uint_eq(tl_utf8_sequence("\xe0\x80\xaf", 3), 0); /* overlong */
	ck_assert_uint_eq(tl_utf8_sequence("\xed\xa0\x80", 3), 0); /* surrogate */
	ck_assert_uint_eq(tl_utf8_sequence("\xf4\x90\x80\x80", 4), 0); /* big */
	ck_assert_uint_eq(tl_utf8_sequence("\xc3(", 2), 0);
}
END_TEST

START_TEST(utf8_clean)
{
	char out[16];

	/* Bad bytes and control characters are escaped; tab, newline and
	 * whole characters are kept. */
	ck_assert_uint_eq(tl_utf8_clean(out, sizeof(out), "a\xff\x1b\t\n\xc3\xa9",
	    7), 13);
	ck_assert_str_eq(out, "a\\xff\\x1b\t\n\xc3\xa9");
	/* A character cut at its end is escaped byte by byte. */
	tl_utf8_clean(out, sizeof(out), "\xe2\x82|", 3);
	ck_assert_str_eq(out, "\\xe2\\x82|");
	/* The copy stops before what does not fit whole. */
	tl_utf8_clean(out, 5, "ab\xe2\x82\xac", 5);
	ck_assert_str_eq(out, "ab");
	tl_utf8_clean(out, 6, "ab\xff", 3);
	ck_assert_str_eq(out, "ab");
	tl_utf8_clean(out, 7, "ab\xff", 3);
	ck_assert_str_eq(out, "ab\\xff");
	tl_utf8_clean(out, 1, "abc", 3);
	ck_assert_str_eq(out, "");
}
END_TEST

/* What teller serve puts in a JSON answer: every message is valid UTF-8,
 * whatever bytes its arguments hold and wherever it is cut. */
START_TEST(error_messages_utf8)
{
	struct tl_error err;
	char name[2000], prefix[700];
	size_t i;

	/* A route's %ff, decoded. */
	tl_error_set(&err, TL_ENOTFOUND, "no election \"%.64s\"", "\xff");
	ck_assert_str_eq(err.message, "no election \"\\xff\"");
	ck_assert(jansson_takes(err.message));
	/* A name cut by a precision in the middle of a character. */
	tl_error_set(&err, TL_EINPUT, "value \"%.3s\"", "\xe2\x82\xac\xe2\x82\xac");
	ck_assert_str_eq(err.message, "value \"\xe2\x82\xac\"");
	tl_error_set(&err, TL_EINPUT, "value \"%.4s\"", "\xe2\x82\xac\xe2\x82\xac");
	ck_assert_str_eq(err.message, "value \"\xe2\x82\xac\\xe2\"");
	ck_assert(jansson_takes(err.message));
	/* A message longer than the buffer, cut at each of the bytes of a
	 * three-byte character: it ends on a whole one. */
	for (size_t shift = 0; shift < 3; shift++) {
		memset(name, 'a', shift);
		for (i = shift; i + 3 < sizeof(name); i += 3)
			memcpy(name + i, "\xe2\x82\xac", 3);
		name[i] = '\0';
		tl_error_set(&err, TL_EINPUT, "%s", name);
		ck_assert(jansson_takes(err.message));
		ck_assert_uint_ge(strlen(err.message), sizeof(err.message) - 3);
		/* The same with a prefix cut at its own limit, and the
		 * joined message cut again. */
		memset(prefix, 'p', shift + 1);
		for (i = shift + 1; i + 2 < sizeof(prefix); i += 2)
			memcpy(prefix + i, "\xc3\xa9", 2);
		prefix[i] = '\0';
		tl_error_prefix(&err, "%s", prefix);
		ck_assert(jansson_takes(err.message));
		ck_assert_uint_ge(strlen(err.message), sizeof(err.message) - 3);
	}
	/* An invalid byte in a prefix. */
	tl_error_set(&err, TL_EIO, "cannot read");
	tl_error_prefix(&err, "caf\xe9.csv");
	ck_assert_str_eq(err.message, "caf\\xe9.csv: cannot read");
}
END_TEST

static Suite *
util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("util");

	tcase_add_test(tc, buf_grows_and_caps);
	tcase_add_test(tc, buf_take_empty);
	tcase_add_test(tc, read_file_limit);
	tcase_add_test(tc, read_fd);
	tcase_add_test(tc, output_discard_and_close);
	tcase_add_test(tc, parse_int64);
	tcase_add_test(tc, time_roundtrip);
	tcase_add_test(tc, time_rejects);
	tcase_add_test(tc, valid_ids);
	tcase_add_test(tc, error_messages);
	tcase_add_test(tc, utf8_sequences);
	tcase_add_test(tc, utf8_clean);
	tcase_add_test(tc, error_messages_utf8);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return th_run(util_suite());
}
