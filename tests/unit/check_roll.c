/*
 * check_roll.c: the voter roll CSV reader (what real files contain, and
 * every rejection with its line), and the frozen JSON form.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "teller/manifest.h"
#include "teller/roll.h"
#include "teller/util.h"

static struct tl_manifest *manifest;
static struct tl_key **keys;
static char pub[3][TL_PUBLIC_B64_LEN + 1];

static void
setup(void)
{
	const char *json = th_manifest_json(0);

	ck_assert_int_eq(tl_manifest_parse(json, strlen(json), &manifest, NULL),
	    TL_OK);
	keys = th_keys(3);
	for (int i = 0; i < 3; i++)
		tl_key_public_base64(keys[i], pub[i]);
}

static void
teardown(void)
{
	tl_manifest_free(manifest);
	th_keys_free(keys, 3);
}

START_TEST(real_world_csv)
{
	struct tl_roll *roll = NULL;
	struct tl_error err;
	char *csv = NULL;

	/* A byte order mark, CRLF, a quoted name with a comma and a doubled
	 * quote, blank lines, blanks around fields. */
	ck_assert_int_ge(asprintf(&csv,
	    "\xef\xbb\xbfvoter_id,name,constituency,weight,public_key\r\n"
	    "a1,\"Chapter of Foo, \"\"North\"\"\",a,3,%s\r\n"
	    "\r\n"
	    "  a2 , Caf\xc3\xa9 Org , a , 1000 , %s\r\n"
	    "b1,B One,b,1,%s", pub[0], pub[1], pub[2]), 0);
	ck_assert_int_eq(tl_roll_parse_csv(csv, strlen(csv), "roll.csv",
	    manifest, &roll, &err), TL_OK);
	ck_assert_uint_eq(roll->nvoters, 3);
	ck_assert_str_eq(roll->voters[0].id, "a1");
	ck_assert_str_eq(roll->voters[0].name, "Chapter of Foo, \"North\"");
	ck_assert_int_eq(roll->voters[0].weight, 3);
	ck_assert_uint_eq(roll->voters[0].line, 2);
	ck_assert_str_eq(roll->voters[1].id, "a2");
	ck_assert_str_eq(roll->voters[1].name, "Caf\xc3\xa9 Org");
	ck_assert_int_eq(roll->voters[1].weight, 1000);
	ck_assert_uint_eq(roll->voters[1].line, 4);
	ck_assert_str_eq(roll->voters[2].constituency, "b");
	ck_assert_uint_eq(roll->voters[2].constituency_index, 1);
	ck_assert_str_eq(roll->voters[2].public_key, pub[2]);
	{
		char id[TL_KEYID_LEN + 1];

		tl_key_id(keys[2], id);
		ck_assert_str_eq(roll->voters[2].key_id, id);
	}
	ck_assert_ptr_eq(tl_roll_find(roll, "a2"), &roll->voters[1]);
	ck_assert_ptr_null(tl_roll_find(roll, "zz"));
	tl_roll_sort(roll);
	ck_assert_str_eq(tl_roll_find(roll, "b1")->name, "B One");
	ck_assert_ptr_null(tl_roll_find(roll, "a3"));
	tl_roll_free(roll);
	free(csv);
}
END_TEST

/* Each bad roll, the line it names and a part of the reason. */
static void
expect_bad(const char *csv, const char *part)
{
	struct tl_roll *roll = NULL;
	struct tl_error err;

	ck_assert_msg(tl_roll_parse_csv(csv, strlen(csv), "r.csv", manifest,
	    &roll, &err) == TL_EROLL, "accepted:\n%s", csv);
	ck_assert_ptr_null(roll);
	ck_assert_msg(strstr(err.message, part) != NULL,
	    "message \"%s\" lacks \"%s\"", err.message, part);
}

#define HEADER "voter_id,name,constituency,weight,public_key\n"
#define HEADER_EMAIL "voter_id,name,constituency,weight,public_key,email\n"

START_TEST(rejections)
{
	char buf[4096];

	expect_bad("", "r.csv: empty file");
	expect_bad("id,name,constituency,weight,public_key\n",
	    "r.csv:1: the header's field 1 is \"id\"");
	expect_bad("voter_id,name\n", "r.csv:1: 2 fields, expected at least 5");
	snprintf(buf, sizeof(buf), HEADER "a1,A,a,1,%s\na1,B,a,1,%s\n", pub[0],
	    pub[1]);
	expect_bad(buf, "r.csv:3: voter_id: \"a1\" is already on line 2");
	snprintf(buf, sizeof(buf), HEADER "a1,A,a,1,%s\na2,B,a,1,%s\n", pub[0],
	    pub[0]);
	expect_bad(buf, "r.csv:3: public_key: the same key as voter \"a1\" on "
	    "line 2");
	snprintf(buf, sizeof(buf), HEADER "a1,A,zz,1,%s\n", pub[0]);
	expect_bad(buf, "r.csv:2: constituency: \"zz\" is not a constituency");
	snprintf(buf, sizeof(buf), HEADER "a1,A,a,0,%s\n", pub[0]);
	expect_bad(buf, "r.csv:2: weight: \"0\" is not a whole number from 1 to "
	    "1000");
	snprintf(buf, sizeof(buf), HEADER "a1,A,a,1001,%s\n", pub[0]);
	expect_bad(buf, "r.csv:2: weight: \"1001\"");
	snprintf(buf, sizeof(buf), HEADER "a1,A,a,2.5,%s\n", pub[0]);
	expect_bad(buf, "r.csv:2: weight: \"2.5\"");
	expect_bad(HEADER "a1,A,a,1,notakey\n", "r.csv:2: public_key");
	expect_bad(HEADER "a1,A,a,1,"
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==\n",
	    "r.csv:2: public_key");
	snprintf(buf, sizeof(buf), HEADER "a 1,A,a,1,%s\n", pub[0]);
	expect_bad(buf, "r.csv:2: voter_id: \"a 1\" is not a valid id");
	snprintf(buf, sizeof(buf), HEADER "a1,,a,1,%s\n", pub[0]);
	expect_bad(buf, "r.csv:2: name");
	snprintf(buf, sizeof(buf), HEADER "a1,\"A,a,1,%s\n", pub[0]);
	expect_bad(buf, "r.csv:2: a quoted field is not closed");
	snprintf(buf, sizeof(buf), HEADER "a1,A\"x,a,1,%s\n", pub[0]);
	expect_bad(buf, "r.csv:2: a quote inside an unquoted field");
	snprintf(buf, sizeof(buf), HEADER "a1,\"A\"x,a,1,%s\n", pub[0]);
	expect_bad(buf, "r.csv:2: text after a closing quote");
	snprintf(buf, sizeof(buf), HEADER "a1,A,a,1,%s,extra,\"more\"\n",
	    pub[0]);
	expect_bad(buf, "r.csv:2: 7 fields, expected 5");
	snprintf(buf, sizeof(buf), HEADER "a1,A,a,1\n");
	expect_bad(buf, "r.csv:2: 4 fields, expected 5");
	snprintf(buf, sizeof(buf), HEADER "a1,\xff\xfe,a,1,%s\n", pub[0]);
	expect_bad(buf, "r.csv:2: name: must be 1 to 200 bytes of UTF-8");
	/* The first bad line is reported, even after good ones. */
	snprintf(buf, sizeof(buf), HEADER "a1,A,a,1,%s\na2,B,a,x,%s\n", pub[0],
	    pub[1]);
	expect_bad(buf, "r.csv:3: weight");
}
END_TEST

/* The email column: any column order, voters without a key, and what is
 * refused about them. */
START_TEST(email_column)
{
	struct tl_roll *roll = NULL;
	struct tl_error err;
	char buf[4096], *json = NULL;
	size_t len = 0;

	snprintf(buf, sizeof(buf), "email,weight,public_key,constituency,name,"
	    "voter_id\r\n"
	    "ann@example.org,2,,a,Ann,a1\r\n"
	    ",1,%s,a,Ben,a2\r\n"
	    "\"cy@example.org\",3,%s,b,Cy,b1\r\n"
	    "dee@example.org,1,,b,Dee,b2\r\n", pub[0], pub[1]);
	ck_assert_int_eq(tl_roll_parse_csv(buf, strlen(buf), "r.csv", manifest,
	    &roll, &err), TL_OK);
	ck_assert_uint_eq(roll->nvoters, 4);
	ck_assert_str_eq(roll->voters[0].id, "a1");
	ck_assert_str_eq(roll->voters[0].name, "Ann");
	ck_assert_int_eq(roll->voters[0].weight, 2);
	ck_assert_str_eq(roll->voters[0].email, "ann@example.org");
	ck_assert(!tl_voter_has_key(&roll->voters[0]));
	ck_assert_ptr_null(roll->voters[1].email);
	ck_assert(tl_voter_has_key(&roll->voters[1]));
	ck_assert_str_eq(roll->voters[1].public_key, pub[0]);
	ck_assert_str_eq(roll->voters[2].email, "cy@example.org");
	ck_assert_str_eq(roll->voters[2].constituency, "b");
	/* A roll with a voter still to enrol cannot be frozen. */
	ck_assert_int_eq(tl_roll_serialize(roll, "e1", "00", &json, &len),
	    TL_EINPUT);
	ck_assert_ptr_null(json);
	tl_roll_free(roll);

	/* The five columns alone, in another order, still read. */
	snprintf(buf, sizeof(buf), "name,voter_id,public_key,weight,"
	    "constituency\nAnn,a1,%s,1,a\n", pub[0]);
	roll = NULL;
	ck_assert_int_eq(tl_roll_parse_csv(buf, strlen(buf), "r.csv", manifest,
	    &roll, &err), TL_OK);
	ck_assert_str_eq(roll->voters[0].id, "a1");
	ck_assert_str_eq(roll->voters[0].public_key, pub[0]);
	tl_roll_free(roll);

#define EHEADER "voter_id,name,constituency,weight,public_key,email\n"
	expect_bad(EHEADER "a1,A,a,1,,\n", "r.csv:2: public_key: empty, and "
	    "the voter has no email");
	expect_bad(HEADER "a1,A,a,1,\n", "r.csv:2: public_key: empty, and "
	    "the voter has no email");
	expect_bad(EHEADER "a1,A,a,1,,ann\n", "r.csv:2: email: \"ann\" is "
	    "not an e-mail address");
	expect_bad(EHEADER "a1,A,a,1,,ann@x.org>\n", "r.csv:2: email");
	expect_bad(EHEADER "a1,A,a,1,,a b@x.org\n", "r.csv:2: email");
	expect_bad(EHEADER "a1,A,a,1,,a@b@x.org\n", "r.csv:2: email");
	expect_bad(EHEADER "a1,A,a,1,,\"ann@x.org\r\nRCPT TO:<x@y>\"\n",
	    "r.csv:2: a quoted field is not closed");
	expect_bad(EHEADER "a1,A,a,1,,@x.org\n", "r.csv:2: email");
	expect_bad(EHEADER "a1,A,a,1,,\xc3\xa9@x.org\n", "r.csv:2: email");
	expect_bad("voter_id,name,constituency,weight,email,email\n",
	    "r.csv:1: the header names column email twice");
	expect_bad("voter_id,name,constituency,weight,email\n",
	    "r.csv:1: the header has no column public_key");
	expect_bad("voter_id,name,constituency,weight,public_key,mail\n",
	    "r.csv:1: the header's field 6 is \"mail\", which is not a column");
	snprintf(buf, sizeof(buf), EHEADER "a1,A,a,1,%s,a@x.org\n"
	    "a2,B,a,1,b@x.org\n", pub[0]);
	expect_bad(buf, "r.csv:3: 5 fields, expected 6");
	/* Two voters without a key do not share a key. */
	expect_bad(EHEADER "a1,A,a,1,,a@x.org\na2,B,a,1,,b@x.org\n"
	    "a1,C,a,1,,c@x.org\n", "r.csv:4: voter_id: \"a1\" is already on "
	    "line 2");
	ck_assert(tl_valid_email("ann.lee+vote@chapter.example.org"));
	ck_assert(!tl_valid_email("a@"));
	ck_assert(!tl_valid_email("ann@x.org;bob@y.org"));
}
END_TEST

START_TEST(nul_byte)
{
	struct tl_roll *roll = NULL;
	struct tl_error err;
	static const char csv[] = HEADER "a1,A\0B,a,1,x\n";

	ck_assert_int_eq(tl_roll_parse_csv(csv, sizeof(csv) - 1, "r.csv",
	    manifest, &roll, &err), TL_EROLL);
	ck_assert_ptr_nonnull(strstr(err.message, "r.csv:2: contains a NUL"));
}
END_TEST

START_TEST(json_roundtrip)
{
	struct tl_roll *roll = NULL, *back = NULL;
	struct tl_error err;
	char *csv = NULL, *json = NULL, *election = NULL;
	char hash[TL_HASH_HEX_LEN + 1];
	size_t len = 0;

	ck_assert_int_ge(asprintf(&csv, HEADER "a1,\"A, one\",a,3,%s\n"
	    "b1,B,b,1,%s\n", pub[0], pub[1]), 0);
	ck_assert_int_eq(tl_roll_parse_csv(csv, strlen(csv), "r.csv", manifest,
	    &roll, &err), TL_OK);
	ck_assert_int_eq(tl_roll_serialize(roll, "e1", "ab12", &json, &len),
	    TL_OK);
	/* The manifest hash must be a SHA-256. */
	ck_assert_int_eq(tl_roll_parse_json(json, len, manifest, &election,
	    hash, &back, &err), TL_EROLL);
	free(json);
	ck_assert_int_eq(tl_roll_serialize(roll, "e1",
	    "0000000000000000000000000000000000000000000000000000000000000001",
	    &json, &len), TL_OK);
	ck_assert_int_eq(tl_roll_parse_json(json, len, manifest, &election,
	    hash, &back, &err), TL_OK);
	ck_assert_str_eq(election, "e1");
	ck_assert_str_eq(hash,
	    "0000000000000000000000000000000000000000000000000000000000000001");
	ck_assert_uint_eq(back->nvoters, 2);
	ck_assert_str_eq(back->voters[0].name, "A, one");
	ck_assert_int_eq(back->voters[0].weight, 3);
	ck_assert_str_eq(back->voters[1].key_id, roll->voters[1].key_id);
	tl_roll_free(roll);
	tl_roll_free(back);
	free(csv);
	free(json);
	free(election);
}
END_TEST

/*
 * tl_roll_parse_json reads a roll in teller's own compact form by a fast
 * path, and anything else with Jansson.  The same text with a blank after
 * it (which JSON allows) takes the general path; the two must agree on every
 * roll, valid or not: the same voters, or the same error.
 */
static void
same_either_way(const char *json, int want)
{
	struct tl_roll *fast = NULL, *slow = NULL;
	struct tl_error e1, e2;
	char *spaced = NULL, *el1 = NULL, *el2 = NULL;
	char h1[TL_HASH_HEX_LEN + 1], h2[TL_HASH_HEX_LEN + 1];
	int r1, r2;

	ck_assert_int_ge(asprintf(&spaced, "%s ", json), 0);
	memset(&e1, 0, sizeof(e1));
	memset(&e2, 0, sizeof(e2));
	r1 = tl_roll_parse_json(json, strlen(json), manifest, &el1, h1, &fast,
	    &e1);
	r2 = tl_roll_parse_json(spaced, strlen(spaced), manifest, &el2, h2,
	    &slow, &e2);
	ck_assert_msg(r1 == want && r2 == want, "%s: %s (%s) / %s (%s)", json,
	    tl_error_name(r1), e1.message, tl_error_name(r2), e2.message);
	/* The compact text takes the fast path, when the roll is valid
	 * and has no escapes; the text with a blank never does. */
	{
		struct tl_roll *r = NULL;
		char *el = NULL, h[TL_HASH_HEX_LEN + 1];
		int want_fast = want == TL_OK && strchr(json, '\\') == NULL &&
		    strncmp(json, "{\"election\"", 11) == 0 &&
		    json[strlen(json) - 1] == '}';

		ck_assert_int_eq(tl_roll_parse_canonical(json, strlen(json),
		    manifest, &el, h, &r), want_fast ? TL_OK : TL_EINPUT);
		tl_roll_free(r);
		free(el);
		r = NULL;
		el = NULL;
		ck_assert_int_eq(tl_roll_parse_canonical(spaced, strlen(spaced),
		    manifest, &el, h, &r), TL_EINPUT);
		ck_assert_ptr_null(r);
	}
	if (want != TL_OK) {
		ck_assert_str_eq(e1.message, e2.message);
		ck_assert_ptr_null(fast);
	} else {
		ck_assert_str_eq(el1, el2);
		ck_assert_str_eq(h1, h2);
		ck_assert_uint_eq(fast->nvoters, slow->nvoters);
		for (size_t i = 0; i < fast->nvoters; i++) {
			const struct tl_voter *a = &fast->voters[i];
			const struct tl_voter *b = &slow->voters[i];

			ck_assert_str_eq(a->id, b->id);
			ck_assert_str_eq(a->name, b->name);
			ck_assert_str_eq(a->constituency, b->constituency);
			ck_assert_uint_eq(a->constituency_index,
			    b->constituency_index);
			ck_assert_int_eq(a->weight, b->weight);
			ck_assert_str_eq(a->public_key, b->public_key);
			ck_assert_str_eq(a->key_id, b->key_id);
			ck_assert_uint_eq(a->line, b->line);
		}
	}
	tl_roll_free(fast);
	tl_roll_free(slow);
	free(el1);
	free(el2);
	free(spaced);
}

#define H "0000000000000000000000000000000000000000000000000000000000000001"

static void
roll_case(const char *name, const char *constituency, const char *weight,
    int key, const char *tail, int want)
{
	char *json = NULL;

	ck_assert_int_ge(asprintf(&json, "{\"election\":\"e1\",\"manifest\":\""
	    H "\",\"voters\":[{\"id\":\"a1\",\"name\":\"Ann\",\"constituency\":"
	    "\"a\",\"weight\":2,\"public_key\":\"%s\"},{\"id\":\"b1\",\"name\":"
	    "\"%s\",\"constituency\":\"%s\",\"weight\":%s,\"public_key\":"
	    "\"%s\"}]}%s", pub[0], name, constituency, weight, pub[key], tail),
	    0);
	same_either_way(json, want);
	free(json);
}

START_TEST(json_fast_path)
{
	/* Valid: ASCII, 2-, 3- and 4-byte UTF-8, escapes (general path). */
	roll_case("Bea", "b", "1", 1, "", TL_OK);
	roll_case("Zo\xc3\xab \xe4\xb8\xad \xf0\x9f\x97\xb3", "b", "1000", 1, "",
	    TL_OK);
	roll_case("say \\\"hi\\\" \\u00e9", "b", "7", 1, "", TL_OK);
	roll_case("", "b", "7", 1, "", TL_OK);
	/* Invalid UTF-8: overlong, surrogate, past U+10FFFF, cut short. */
	roll_case("\xc0\xaf", "b", "1", 1, "", TL_EROLL);
	roll_case("\xed\xa0\x80", "b", "1", 1, "", TL_EROLL);
	roll_case("\xf4\x90\x80\x80", "b", "1", 1, "", TL_EROLL);
	roll_case("\xe4\xb8", "b", "1", 1, "", TL_EROLL);
	/* A control character. */
	roll_case("tab\there", "b", "1", 1, "", TL_EROLL);
	/* Weights out of range or not JSON integers. */
	roll_case("Bea", "b", "0", 1, "", TL_EROLL);
	roll_case("Bea", "b", "1001", 1, "", TL_EROLL);
	roll_case("Bea", "b", "01", 1, "", TL_EROLL);
	roll_case("Bea", "b", "1.0", 1, "", TL_EROLL);
	roll_case("Bea", "b", "-1", 1, "", TL_EROLL);
	/* Unknown constituency, a key twice, trailing text. */
	roll_case("Bea", "zz", "1", 1, "", TL_EROLL);
	roll_case("Bea", "b", "1", 0, "", TL_EROLL);
	roll_case("Bea", "b", "1", 1, "\n", TL_OK);
	roll_case("Bea", "b", "1", 1, "x", TL_EROLL);
	/* Members in another order, or one more. */
	same_either_way("{\"election\":\"e1\",\"manifest\":\"" H "\",\"voters\""
	    ":[],\"x\":1}", TL_EROLL);
	same_either_way("{\"manifest\":\"" H "\",\"election\":\"e1\","
	    "\"voters\":[]}", TL_OK);
	same_either_way("{\"election\":\"e1\",\"manifest\":\"" H "\","
	    "\"voters\":[]}", TL_OK);
}
END_TEST

/* The manifest may bound a constituency's weights ("weights"): a roll,
 * as CSV or frozen, with a weight outside them is refused, naming the
 * line (or entry), the voter and the bounds. */
START_TEST(weight_bounds)
{
	struct tl_manifest *bounded = NULL, *plain = manifest;
	struct tl_roll *roll = NULL;
	struct tl_error err;
	char *text = NULL, *at, buf[4096], *json = NULL;
	const char *group_b = "{\"id\": \"b\", \"name\": \"Group B\"";
	size_t len = 0;

	/* The test manifest, with b's weights 1 to 6. */
	ck_assert_ptr_nonnull(at = strstr(th_manifest_json(0), group_b));
	ck_assert_int_ge(asprintf(&text, "%.*s%s, \"weights\": {\"min\": 2, "
	    "\"max\": 6}%s", (int)(at - th_manifest_json(0)),
	    th_manifest_json(0), group_b, at + strlen(group_b)), 0);
	ck_assert_msg(tl_manifest_parse(text, strlen(text), &bounded, &err) ==
	    TL_OK, "%s", err.message);
	free(text);
	manifest = bounded;
	/* At the bounds; a's weights are not bounded by b's. */
	snprintf(buf, sizeof(buf), HEADER "a1,A,a,900,%s\nb1,B,b,2,%s\n"
	    "b2,C,b,6,%s\n", pub[0], pub[1], pub[2]);
	ck_assert_msg(tl_roll_parse_csv(buf, strlen(buf), "r.csv", bounded,
	    &roll, &err) == TL_OK, "%s", err.message);
	tl_roll_free(roll);
	roll = NULL;
	snprintf(buf, sizeof(buf), HEADER "a1,A,a,1,%s\nb1,B,b,6,%s\n"
	    "b2,C,b,7,%s\n", pub[0], pub[1], pub[2]);
	expect_bad(buf, "r.csv:4: weight: voter b2 has weight 7, outside the "
	    "weights of constituency b, 2 to 6 (the manifest's "
	    "constituencies[1].weights)");
	snprintf(buf, sizeof(buf), HEADER "b1,B,b,1,%s\n", pub[1]);
	expect_bad(buf, "r.csv:2: weight: voter b1 has weight 1, outside");
	/* A frozen roll made without the bounds, read with them: refused by
	 * the fast path and by Jansson alike. */
	snprintf(buf, sizeof(buf), HEADER "a1,A,a,1,%s\nb1,B,b,9,%s\n",
	    pub[0], pub[1]);
	ck_assert_int_eq(tl_roll_parse_csv(buf, strlen(buf), "r.csv", plain,
	    &roll, &err), TL_OK);
	ck_assert_int_eq(tl_roll_serialize(roll, "e1",
	    "0000000000000000000000000000000000000000000000000000000000000001",
	    &json, &len), TL_OK);
	tl_roll_free(roll);
	roll = NULL;
	same_either_way(json, TL_EROLL);
	{
		char *el = NULL, h[TL_HASH_HEX_LEN + 1];

		ck_assert_int_eq(tl_roll_parse_json(json, len, bounded, &el, h,
		    &roll, &err), TL_EROLL);
		ck_assert_msg(strstr(err.message, "roll.voters[1].weight: voter "
		    "b1 has weight 9, outside the weights of constituency b, 2 "
		    "to 6") != NULL, "%s", err.message);
	}
	free(json);
	manifest = plain;
	tl_manifest_free(bounded);
}
END_TEST

/* tl_roll_write_csv writes what tl_roll_parse_csv reads back as the
 * same roll: quotes and commas in names, voters with and without a key
 * or an e-mail address. */
START_TEST(csv_roundtrip)
{
	struct tl_roll *roll = NULL, *back = NULL;
	struct tl_error err;
	struct tl_buf buf;
	char *csv = NULL;

	ck_assert_int_ge(asprintf(&csv, HEADER_EMAIL
	    "a1,\"Chapter of Foo, \"\"North\"\"\",a,3,%s,\n"
	    "a2,\"Two, too\",a,7,,two@example.org\n"
	    "b1,B,b,1,%s,b1@example.org\n", pub[0], pub[1]), 0);
	ck_assert_msg(tl_roll_parse_csv(csv, strlen(csv), "r.csv", manifest,
	    &roll, &err) == TL_OK, "%s", err.message);
	tl_buf_init(&buf, 1 << 20);
	ck_assert_int_eq(tl_roll_write_csv(roll, &buf), TL_OK);
	ck_assert_msg(tl_roll_parse_csv(buf.data, buf.len, "out.csv", manifest,
	    &back, &err) == TL_OK, "%s\n%s", err.message, buf.data);
	ck_assert_uint_eq(back->nvoters, 3);
	for (size_t i = 0; i < 3; i++) {
		const struct tl_voter *a = &roll->voters[i], *b = &back->voters[i];

		ck_assert_str_eq(a->id, b->id);
		ck_assert_str_eq(a->name, b->name);
		ck_assert_str_eq(a->constituency, b->constituency);
		ck_assert_int_eq(a->weight, b->weight);
		ck_assert_str_eq(a->public_key, b->public_key);
		ck_assert_str_eq(a->email != NULL ? a->email : "",
		    b->email != NULL ? b->email : "");
	}
	ck_assert_str_eq(back->voters[0].name, "Chapter of Foo, \"North\"");
	ck_assert_str_eq(back->voters[1].name, "Two, too");
	ck_assert_ptr_nonnull(strstr(buf.data, "a2,\"Two, too\",a,7,,"
	    "two@example.org\n"));
	tl_buf_free(&buf);
	tl_roll_free(roll);
	tl_roll_free(back);
	free(csv);
}
END_TEST

static Suite *
roll_suite(void)
{
	Suite *s = suite_create("roll");
	TCase *tc = tcase_create("roll");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, real_world_csv);
	tcase_add_test(tc, rejections);
	tcase_add_test(tc, email_column);
	tcase_add_test(tc, nul_byte);
	tcase_add_test(tc, weight_bounds);
	tcase_add_test(tc, csv_roundtrip);
	tcase_add_test(tc, json_roundtrip);
	tcase_add_test(tc, json_fast_path);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return th_run(roll_suite());
}
