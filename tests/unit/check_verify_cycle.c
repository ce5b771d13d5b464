/*
 * check_verify_cycle.c: the offline verification of the election cycle's
 * entries (record_cycle.c).  Real elections with a nomination stage are
 * run through libteller (a real database, real Ed25519 keys, the phases
 * walked with explicit times) and exported at each stage; each record
 * must verify.  Then each rule is broken in a copy of a record, re-signed
 * with the authority's (or a voter's) key so that only that rule is
 * broken, and the verifier must name the line and the check.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "helpers.h"
#include "record_fixture.h"
#include "teller/ballot.h"
#include "teller/cast.h"
#include "teller/cycle.h"
#include "teller/election.h"
#include "teller/envelope.h"
#include "teller/manifest.h"
#include "teller/record.h"
#include "teller/statement.h"
#include "teller/turnout.h"
#include "teller/util.h"

#define DAY INT64_C(86400)
/* 2027-01-15T08:00:00Z: the nominations phase opens. */
#define BASE INT64_C(1800000000)

/* What happens to the challenge (a3's) after the first certification. */
enum flow {
	FLOW_DISMISSED,  /* dismissed */
	FLOW_RECOUNT,    /* upheld: recount, certified again, challenged
	                    again with the same bytes, dismissed */
	FLOW_NEW_VOTE,   /* upheld: a new vote; the result is annulled */
};

/* The records exported on the way, in order. */
enum snapshot {
	SNAP_PUBLISHED, /* nominations, petitions, endorsements, amendment */
	SNAP_OPEN,      /* and the voting definition */
	SNAP_CERTIFIED, /* ballots, close, result, certification */
	SNAP_FINAL,     /* challenge, decision(s), final statement */
	SNAPSHOTS
};

struct cycle {
	char *dir;
	struct tl_store *store;
	struct tl_key *authority;
	struct tl_key **keys;   /* a1 a2 a3 (constituency a), b1 b2 (b) */
	char *record[SNAPSHOTS];
	size_t len[SNAPSHOTS];
};

static const char *
when(int64_t t)
{
	static char buf[16][TL_TIME_LEN];
	static int next;

	next = (next + 1) % 16;
	tl_time_format(t, buf[next]);
	return buf[next];
}

/*
 * Contest "seat" (constituency a, plurality, one seat, an incumbent, two
 * endorsements make a petition) and "ref" (constituency b, referendum).
 * Nominations BASE..+10d, petitions ..+20d, voting +30d..+40d, challenge
 * +40d..+50d (amended to +52d).
 */
static char *
manifest_json(void)
{
	char *json = NULL;

	ck_assert_int_ne(asprintf(&json, "{\"id\": \"e1\", \"title\": \"Cycle "
	    "test\", \"opens\": \"%s\", \"closes\": \"%s\", \"timetable\": "
	    "{\"nominations\": {\"opens\": \"%s\", \"closes\": \"%s\"}, "
	    "\"petitions\": {\"opens\": \"%s\", \"closes\": \"%s\"}, "
	    "\"challenge\": {\"opens\": \"%s\", \"closes\": \"%s\"}}, "
	    "\"constituencies\": [{\"id\": \"a\", \"name\": \"Chapters\"}, "
	    "{\"id\": \"b\", \"name\": \"Organizations\"}], \"contests\": "
	    "[{\"id\": \"seat\", \"title\": \"Chapter seat\", \"constituency\": "
	    "\"a\", \"method\": \"plurality\", \"candidates\": [{\"id\": "
	    "\"ina\", \"name\": \"Ina Incumbent\"}], \"petition_threshold\": "
	    "2}, {\"id\": \"ref\", \"title\": \"Bylaws\", \"constituency\": "
	    "\"b\", \"method\": \"referendum\"}]}", when(BASE + 30 * DAY),
	    when(BASE + 40 * DAY), when(BASE), when(BASE + 10 * DAY),
	    when(BASE + 10 * DAY), when(BASE + 20 * DAY),
	    when(BASE + 40 * DAY), when(BASE + 50 * DAY)), -1);
	return json;
}

static int
write_buf(void *ctx, const char *data, size_t len)
{
	return tl_buf_add(ctx, data, len) == TL_OK ? 0 : -1;
}

static void
snapshot(struct cycle *c, enum snapshot s)
{
	struct tl_error err;
	struct tl_buf buf;

	tl_buf_init(&buf, SIZE_MAX / 2);
	tl_error_clear(&err);
	ck_assert_msg(tl_record_export(c->store, "e1", write_buf, &buf, &err) ==
	    TL_OK, "%s", err.message);
	c->record[s] = tl_buf_take(&buf, &c->len[s]);
}

#define OK(call) do { \
	tl_error_clear(&err); \
	ck_assert_msg((call) == TL_OK, "%s", err.message); \
} while (0)

static void
endorse(struct cycle *c, int64_t petition, size_t voter, const char *id,
    int64_t now)
{
	struct tl_error err;
	char *env = NULL;

	OK(tl_petition_endorsement(c->store, "e1", petition, id,
	    c->keys[voter], &env, &err));
	OK(tl_petition_endorse(c->store, env, strlen(env), now, NULL, &err));
	free(env);
}

static void
vote(struct cycle *c, size_t voter, const char *id, const char *selection,
    int64_t now)
{
	struct tl_manifest *m = NULL;
	struct tl_error err;
	char hash[TL_HASH_HEX_LEN + 1], *payload = NULL, *ballot, *receipt = NULL;
	size_t len = 0;

	OK(tl_election_load(c->store, "e1", &m, hash, NULL, &err));
	OK(tl_ballot_build(m, hash, id, 1, &selection, 1, &payload, &len,
	    &err));
	ballot = rf_sign(c->keys[voter], TL_TYPE_BALLOT, payload);
	OK(tl_ballot_cast(c->store, ballot, strlen(ballot), now, &receipt,
	    &err));
	free(receipt);
	free(ballot);
	free(payload);
	tl_manifest_free(m);
}

static void
challenge(struct cycle *c, size_t voter, const char *id, int64_t now)
{
	struct tl_error err;
	char *env = NULL;

	OK(tl_challenge_make(c->store, "e1", id, c->keys[voter], "The count "
	    "left out a ballot.", &env, &err));
	OK(tl_challenge_file(c->store, env, strlen(env), now, NULL, &err));
	free(env);
}

static void
tally(struct cycle *c, int64_t now)
{
	struct tl_error err;
	json_t *result = NULL;

	OK(tl_election_tally(c->store, "e1", now, &result, &err));
	json_decref(result);
}

/* The whole cycle of election e1, exported at each stage. */
static void
build(struct cycle *c, enum flow flow)
{
	struct tl_error err;
	char *json = manifest_json(), *id = NULL, *csv;

	memset(c, 0, sizeof(*c));
	c->dir = th_tmpdir();
	c->store = th_store(c->dir);
	c->keys = th_keys(5);
	OK(tl_store_authority(c->store, &c->authority, &err));
	OK(tl_election_create(c->store, json, strlen(json), BASE - 2 * DAY, &id,
	    &err));
	free(id);
	free(json);
	csv = th_roll_csv(c->keys, 3, 2);
	OK(tl_election_import_roll(c->store, "e1", csv, strlen(csv), "roll.csv",
	    NULL, &err));
	free(csv);
	OK(tl_election_publish(c->store, "e1", BASE - DAY, &err));
	OK(tl_candidate_add(c->store, "e1", "seat", "ann", "Ann Slate",
	    BASE + DAY, &err));
	OK(tl_candidate_add(c->store, "e1", "seat", "bob", "Bob Slate",
	    BASE + 2 * DAY, &err));
	OK(tl_petition_open(c->store, "e1", "seat", "pat", "Pat Reach",
	    BASE + 11 * DAY, NULL, &err));
	OK(tl_petition_open(c->store, "e1", "seat", "sam", "Sam Short",
	    BASE + 11 * DAY + 3600, NULL, &err));
	endorse(c, 1, 0, "a1", BASE + 12 * DAY);
	endorse(c, 1, 1, "a2", BASE + 12 * DAY + 60);
	endorse(c, 2, 2, "a3", BASE + 12 * DAY + 120);
	OK(tl_election_amend(c->store, "e1", TL_PHASE_CHALLENGE, 0, 0, 1,
	    BASE + 52 * DAY, BASE + 13 * DAY, &err));
	snapshot(c, SNAP_PUBLISHED);
	OK(tl_election_open(c->store, "e1", BASE + 30 * DAY, &err));
	snapshot(c, SNAP_OPEN);
	vote(c, 0, "a1", "seat=pat", BASE + 31 * DAY);
	vote(c, 1, "a2", "seat=ann", BASE + 31 * DAY + 60);
	vote(c, 3, "b1", "ref=yes", BASE + 31 * DAY + 120);
	OK(tl_election_close(c->store, "e1", NULL, 0, BASE + 40 * DAY + 3600,
	    &err));
	tally(c, BASE + 40 * DAY + 7200);
	OK(tl_election_certify(c->store, "e1", BASE + 41 * DAY, &err));
	snapshot(c, SNAP_CERTIFIED);
	challenge(c, 2, "a3", BASE + 42 * DAY);
	switch (flow) {
	case FLOW_DISMISSED:
		OK(tl_challenge_resolve(c->store, "e1", 1, 0, TL_REMEDY_NONE,
		    "The ballot was counted.", BASE + 43 * DAY, &err));
		break;
	case FLOW_RECOUNT:
		OK(tl_challenge_resolve(c->store, "e1", 1, 1, TL_REMEDY_RECOUNT,
		    "Count again.", BASE + 43 * DAY, &err));
		tally(c, BASE + 40 * DAY + 7200);
		/* Certified again with the same bytes, and challenged again
		 * with the same bytes: two identical challenges. */
		OK(tl_election_certify(c->store, "e1", BASE + 41 * DAY, &err));
		challenge(c, 2, "a3", BASE + 42 * DAY);
		OK(tl_challenge_resolve(c->store, "e1", 2, 0, TL_REMEDY_NONE,
		    "The recount agrees.", BASE + 44 * DAY, &err));
		break;
	case FLOW_NEW_VOTE:
		OK(tl_challenge_resolve(c->store, "e1", 1, 1, TL_REMEDY_NEW_VOTE,
		    "Vote again.", BASE + 43 * DAY, &err));
		break;
	}
	OK(tl_election_finalize(c->store, "e1", BASE + 53 * DAY, &err));
	snapshot(c, SNAP_FINAL);
}

static void
cycle_free(struct cycle *c)
{
	for (int s = 0; s < SNAPSHOTS; s++)
		free(c->record[s]);
	tl_key_free(c->authority);
	th_keys_free(c->keys, 5);
	tl_store_close(c->store);
	th_rm_rf(c->dir);
	free(c->dir);
	memset(c, 0, sizeof(*c));
}

/* The dismissed flow, built once for the tests that take it apart. */
static struct cycle shared;

static void
setup_shared(void)
{
	build(&shared, FLOW_DISMISSED);
}

static void
teardown_shared(void)
{
	cycle_free(&shared);
}

static void
copy_snapshot(enum snapshot s, struct rf_lines *out)
{
	rf_split(shared.record[s], shared.len[s], out);
}

static const char *
text_at(const json_t *report, const char *key)
{
	const char *s = json_string_value(json_object_get(report, key));

	return s != NULL ? s : "(null)";
}

static json_int_t
int_at(const json_t *report, const char *key)
{
	return json_integer_value(json_object_get(report, key));
}

/* The only problem is on line (1-based) with that check and error, and
 * its message says `says`. */
static void
expect_only(json_t *report, size_t line, const char *check,
    const char *error, const char *says)
{
	json_t *p = json_array_get(json_object_get(report, "problems"), 0);
	char *dump = json_dumps(json_object_get(report, "problems"), 0);

	rf_expect_problem(report, line, check, error);
	ck_assert_msg(int_at(report, "problems_total") == 1, "one problem "
	    "expected: %s", dump);
	ck_assert_msg(says == NULL || strstr(text_at(p, "message"), says) !=
	    NULL, "the problem should say \"%s\": %s", says, dump);
	free(dump);
	json_decref(report);
}

/* An authority-signed line of `type` over payload. */
static char *
authority_line(const char *type, const char *payload)
{
	return rf_sign(shared.authority, type, payload);
}

/* The entry hash of line i (0-based). */
static void
entry_hash(const struct rf_lines *lines, size_t i, char out[TL_HASH_SIZE])
{
	tl_sha256_hex(lines->line[i], strlen(lines->line[i]), out);
}

/* A copy of s with the first `from` replaced by `to` (caller frees). */
static char *
replace(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	char *out = NULL;

	ck_assert_msg(at != NULL, "\"%s\" is not in %s", from, s);
	ck_assert_int_ne(asprintf(&out, "%.*s%s%s", (int)(at - s), s, to,
	    at + strlen(from)), -1);
	return out;
}

/* Line i re-signed by c's authority over its payload with `from`
 * replaced by `to`; the tree head sealed again. */
static void
resign_replacing(const struct cycle *c, struct rf_lines *lines, size_t i,
    const char *from, const char *to)
{
	char *type = NULL, *payload = rf_payload(lines->line[i], &type);
	char *changed = replace(payload, from, to), *line;

	line = rf_sign(c->authority, type, changed);
	rf_set_line(lines, i, line);
	rf_seal(lines, c->authority);
	free(line);
	free(changed);
	free(payload);
	free(type);
}

/* Inserts line text before line i (0-based) and seals the record. */
static void
insert_sealed(struct rf_lines *lines, size_t i, char *text)
{
	rf_insert_line(lines, i, text);
	rf_seal(lines, shared.authority);
	free(text);
}

/* Appends line before the tree head, seals the record, and expects only
 * that problem on it; frees the lines. */
static void
expect_appended(struct rf_lines *lines, char *line, const char *check,
    const char *error, const char *says)
{
	size_t end = lines->n - 1;

	insert_sealed(lines, end, line);
	expect_only(rf_verify_lines(lines), end + 1, check, error, says);
	rf_lines_free(lines);
}

/* The shared record of a stage with its first line of `type` re-signed
 * by the authority with `from` replaced by `to` has one problem, on that
 * line. */
static void
expect_resigned(enum snapshot snap, const char *type, const char *from,
    const char *to, const char *check, const char *error, const char *says)
{
	struct rf_lines lines;
	size_t at;

	copy_snapshot(snap, &lines);
	at = rf_find_line(&lines, type, 0, NULL);
	resign_replacing(&shared, &lines, at, from, to);
	expect_only(rf_verify_lines(&lines), at + 1, check, error, says);
	rf_lines_free(&lines);
}

/* --- valid records ------------------------------------------------------- */

static json_t *
valid_report(const char *text, size_t len, const char *state)
{
	json_t *report = rf_verify_text(text, len, 0), *again;
	char *dump = json_dumps(json_object_get(report, "problems"), 0);
	size_t i;
	json_t *check;

	ck_assert_msg(rf_is_valid(report), "a %s record is valid: %s", state,
	    dump);
	free(dump);
	ck_assert_str_eq(text_at(report, "state"), state);
	json_array_foreach(json_object_get(report, "checks"), i, check)
		ck_assert_msg(json_is_true(json_object_get(check, "ok")),
		    "check %s", text_at(check, "check"));
	/* One thread or several: the same report. */
	again = rf_verify_text(text, len, 1);
	ck_assert(json_equal(report, again));
	json_decref(again);
	return report;
}

START_TEST(test_valid_stages)
{
	static const char *const states[SNAPSHOTS] = {"published", "open",
	    "certified", "final"};
	json_t *report, *petitions, *challenges;

	for (int s = 0; s < SNAPSHOTS; s++)
		json_decref(valid_report(shared.record[s], shared.len[s],
		    states[s]));
	report = valid_report(shared.record[SNAP_FINAL], shared.len[SNAP_FINAL],
	    "final");
	ck_assert_str_eq(text_at(report, "outcome"), "confirmed");
	ck_assert_int_eq(int_at(report, "candidates_added"), 2);
	ck_assert_int_eq(int_at(report, "amendments"), 1);
	ck_assert_int_eq(int_at(report, "certifications"), 1);
	ck_assert_int_ne(int_at(report, "voting_definition_line"), 0);
	ck_assert_str_ne(text_at(report, "manifest_hash"),
	    text_at(report, "initial_manifest_hash"));
	petitions = json_object_get(report, "petitions");
	ck_assert_uint_eq(json_array_size(petitions), 2);
	ck_assert_str_eq(text_at(json_array_get(petitions, 0), "candidate"),
	    "pat");
	ck_assert_int_eq(int_at(json_array_get(petitions, 0), "endorsements"),
	    2);
	ck_assert(json_is_true(json_object_get(json_array_get(petitions, 0),
	    "reached")));
	ck_assert_int_eq(int_at(json_array_get(petitions, 1), "endorsements"),
	    1);
	ck_assert(json_is_false(json_object_get(json_array_get(petitions, 1),
	    "reached")));
	challenges = json_object_get(report, "challenges");
	ck_assert_uint_eq(json_array_size(challenges), 1);
	ck_assert_str_eq(text_at(json_array_get(challenges, 0), "decision"),
	    "dismissed");
	json_decref(report);
	/* A published record has no voting definition yet. */
	report = valid_report(shared.record[SNAP_PUBLISHED],
	    shared.len[SNAP_PUBLISHED], "published");
	ck_assert(json_is_null(json_object_get(report,
	    "voting_definition_line")));
	ck_assert_str_eq(text_at(report, "manifest_hash"),
	    text_at(report, "initial_manifest_hash"));
	json_decref(report);
}
END_TEST

START_TEST(test_valid_recount)
{
	struct cycle c;
	json_t *report, *challenges;

	build(&c, FLOW_RECOUNT);
	report = valid_report(c.record[SNAP_FINAL], c.len[SNAP_FINAL], "final");
	ck_assert_str_eq(text_at(report, "outcome"), "confirmed");
	ck_assert_int_eq(int_at(report, "certifications"), 2);
	challenges = json_object_get(report, "challenges");
	ck_assert_uint_eq(json_array_size(challenges), 2);
	/* The two challenges have the same bytes, and each was decided. */
	ck_assert_str_eq(text_at(json_array_get(challenges, 0), "entry_hash"),
	    text_at(json_array_get(challenges, 1), "entry_hash"));
	ck_assert_str_eq(text_at(json_array_get(challenges, 0), "remedy"),
	    "recount");
	ck_assert_str_eq(text_at(json_array_get(challenges, 1), "decision"),
	    "dismissed");
	json_decref(report);
	cycle_free(&c);
}
END_TEST

START_TEST(test_valid_new_vote)
{
	struct cycle c;
	struct rf_lines lines;
	json_t *report;
	size_t final;

	build(&c, FLOW_NEW_VOTE);
	report = valid_report(c.record[SNAP_FINAL], c.len[SNAP_FINAL], "final");
	ck_assert_str_eq(text_at(report, "outcome"), "annulled");
	json_decref(report);
	/* A final statement that says "confirmed" after the annulment. */
	rf_split(c.record[SNAP_FINAL], c.len[SNAP_FINAL], &lines);
	final = rf_find_line(&lines, TL_TYPE_FINAL, 0, NULL);
	resign_replacing(&c, &lines, final, "\"annulled\"", "\"confirmed\"");
	expect_only(rf_verify_lines(&lines), final + 1, "certification",
	    "verification_failed", "annulled it");
	rf_lines_free(&lines);
	cycle_free(&c);
}
END_TEST

/* --- the thresholds: the voting definition's candidates ------------------ */

/* Replaces the voting definition of lines with the one built from the
 * initial manifest and these candidates of contest "seat" (of ann, bob,
 * pat, sam), signed by the authority; returns its index. */
static size_t
replace_definition(struct rf_lines *lines, const char *const *ids, size_t n)
{
	static const char *const known[][2] = {{"ann", "Ann Slate"},
	    {"bob", "Bob Slate"}, {"pat", "Pat Reach"}, {"sam", "Sam Short"}};
	struct tl_added_candidate added[4];
	struct tl_manifest *first = NULL;
	struct tl_error err;
	char *payload = rf_payload(lines->line[0], NULL), *text = NULL, *line;
	char hash[TL_HASH_SIZE];
	size_t len = 0, at = rf_find_line(lines, TL_TYPE_MANIFEST, 2, NULL);

	ck_assert_uint_le(n, 4);
	tl_sha256_hex(payload, strlen(payload), hash);
	OK(tl_manifest_parse(payload, strlen(payload), &first, &err));
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;

		while (strcmp(known[k][0], ids[i]) != 0)
			k++;
		added[i] = (struct tl_added_candidate){0, known[k][0],
		    known[k][1]};
	}
	OK(tl_manifest_voting_definition(first, hash, added, n, &text, &len,
	    &err));
	line = authority_line(TL_TYPE_MANIFEST, text);
	rf_set_line(lines, at, line);
	rf_seal(lines, shared.authority);
	free(line);
	free(text);
	free(payload);
	tl_manifest_free(first);
	return at;
}

/* The open record with the voting definition of these candidates has
 * one problem, on the definition's line. */
static void
expect_definition(const char *const *ids, size_t n, const char *check,
    const char *says)
{
	struct rf_lines lines;
	size_t def;

	copy_snapshot(SNAP_OPEN, &lines);
	def = replace_definition(&lines, ids, n);
	expect_only(rf_verify_lines(&lines), def + 1, check,
	    "verification_failed", says);
	rf_lines_free(&lines);
}

START_TEST(test_threshold)
{
	static const char *const with_short[] = {"ann", "bob", "pat", "sam"};
	static const char *const without_reached[] = {"ann", "bob"};
	static const char *const without_slate[] = {"ann", "pat"};
	static const char *const reordered[] = {"bob", "ann", "pat"};
	static const char *const right[] = {"ann", "bob", "pat"};
	struct rf_lines lines;
	size_t def, dup;
	char *original;

	/* Rebuilt from the initial manifest, the slate and the petition that
	 * reached its threshold, the definition is the database's, byte for
	 * byte (Ed25519 signatures are deterministic). */
	copy_snapshot(SNAP_OPEN, &lines);
	def = rf_find_line(&lines, TL_TYPE_MANIFEST, 2, NULL);
	original = strdup(lines.line[def]);
	ck_assert_uint_eq(replace_definition(&lines, right, 3), def);
	ck_assert_str_eq(lines.line[def], original);
	free(original);
	rf_lines_free(&lines);
	/* A petition short of its threshold whose candidate is listed. */
	expect_definition(with_short, 4, "nominations",
	    "candidate sam is in the voting definition");
	/* A petition that reached it whose candidate is missing. */
	expect_definition(without_reached, 2, "nominations",
	    "reached its threshold");
	/* A candidate of the slate missing. */
	expect_definition(without_slate, 2, "nominations",
	    "bob, added to the slate");
	/* The right candidates in another order. */
	expect_definition(reordered, 3, "manifest", "bytes differ");
	/* A voter's second endorsement does not count: sam has one voter. */
	copy_snapshot(SNAP_OPEN, &lines);
	dup = rf_find_line(&lines, TL_TYPE_ENDORSEMENT, 0, "\"a3\"");
	rf_insert_line(&lines, dup + 1, lines.line[dup]);
	def = replace_definition(&lines, with_short, 4);
	{
		json_t *report = rf_verify_lines(&lines);

		rf_expect_problem(report, dup + 2, "nominations",
		    "duplicate_ballot");
		rf_expect_problem(report, def + 1, "nominations",
		    "verification_failed");
		ck_assert_int_eq(int_at(report, "problems_total"), 2);
		json_decref(report);
	}
	rf_lines_free(&lines);
}
END_TEST

/* --- petitions and endorsements ------------------------------------------ */

/* An endorsement of the petition on line index `petition` by voter_id,
 * signed with key. */
static char *
endorsement_line(const struct rf_lines *lines, size_t petition,
    const char *voter_id, const struct tl_key *key)
{
	struct tl_endorsement e;
	struct tl_error err;
	char *payload = NULL, *line;

	memset(&e, 0, sizeof(e));
	snprintf(e.election, sizeof(e.election), "e1");
	entry_hash(lines, petition, e.petition);
	snprintf(e.voter, sizeof(e.voter), "%s", voter_id);
	OK(tl_endorsement_serialize(&e, &payload, NULL, &err));
	line = rf_sign(key, TL_TYPE_ENDORSEMENT, payload);
	free(payload);
	return line;
}

START_TEST(test_endorsements)
{
	struct rf_lines lines;
	size_t pat, sam, a1;

	/* A voter of another constituency (b1, who votes in "ref"). */
	copy_snapshot(SNAP_PUBLISHED, &lines);
	pat = rf_find_line(&lines, TL_TYPE_PETITION, 0, "\"pat\"");
	expect_appended(&lines, endorsement_line(&lines, pat, "b1",
	    shared.keys[3]),
	    "nominations", "not_on_roll", "voter b1 is of constituency b");
	/* The same voter twice for one petition. */
	copy_snapshot(SNAP_PUBLISHED, &lines);
	a1 = rf_find_line(&lines, TL_TYPE_ENDORSEMENT, 0, "\"a1\"");
	expect_appended(&lines, strdup(lines.line[a1]),
	    "nominations", "duplicate_ballot", "already endorsed");
	/* A voter who is not on the roll. */
	copy_snapshot(SNAP_PUBLISHED, &lines);
	pat = rf_find_line(&lines, TL_TYPE_PETITION, 0, "\"pat\"");
	expect_appended(&lines, endorsement_line(&lines, pat, "zz",
	    shared.keys[2]),
	    "nominations", "not_on_roll", "not on the roll");
	/* Signed with another voter's key. */
	copy_snapshot(SNAP_PUBLISHED, &lines);
	sam = rf_find_line(&lines, TL_TYPE_PETITION, 0, "\"sam\"");
	expect_appended(&lines, endorsement_line(&lines, sam, "a2",
	    shared.keys[0]),
	    "signatures", "bad_signature", "voter a2");
	/* Of something that is not a petition (the roll). */
	copy_snapshot(SNAP_PUBLISHED, &lines);
	expect_appended(&lines, endorsement_line(&lines, 1, "a3",
	    shared.keys[2]),
	    "nominations", "not_found", "not a valid petition");
	/* After the petitions phase: after the voting definition. */
	copy_snapshot(SNAP_OPEN, &lines);
	pat = rf_find_line(&lines, TL_TYPE_PETITION, 0, "\"pat\"");
	expect_appended(&lines, endorsement_line(&lines, pat, "a3",
	    shared.keys[2]),
	    "timetable", "wrong_phase", "after the voting definition");
}
END_TEST

/* --- candidate statements and petitions ---------------------------------- */

static char *
nomination_line(const struct rf_lines *lines, const char *type,
    const char *contest, const char *id, const char *name, int64_t time)
{
	struct tl_nomination n;
	struct tl_error err;
	char *payload = NULL, *manifest = rf_payload(lines->line[0], NULL);
	char *line;

	memset(&n, 0, sizeof(n));
	snprintf(n.election, sizeof(n.election), "e1");
	tl_sha256_hex(manifest, strlen(manifest), n.manifest);
	snprintf(n.contest, sizeof(n.contest), "%s", contest);
	snprintf(n.candidate, sizeof(n.candidate), "%s", id);
	n.name = (char *)(uintptr_t)name;
	n.time = time;
	OK(tl_nomination_serialize(&n, &payload, NULL, &err));
	line = authority_line(type, payload);
	free(payload);
	free(manifest);
	return line;
}

START_TEST(test_nominations)
{
	static const struct {
		const char *why;
		enum snapshot snapshot;
		const char *type, *contest, *id, *name;
		int64_t time;
		const char *check, *error, *says;
	} cases[] = {
		{"added to the slate in the petitions phase", SNAP_PUBLISHED,
		    TL_TYPE_CANDIDATE, "seat", "cat", "Cat Late",
		    BASE + 11 * DAY, "timetable", "wrong_phase",
		    "the nominations phase of election e1 runs"},
		{"a petition opened in the nominations phase", SNAP_PUBLISHED,
		    TL_TYPE_PETITION, "seat", "cat", "Cat Early", BASE + 3 * DAY,
		    "timetable", "wrong_phase", "petitions phase"},
		{"a name the contest has (a petition's), under a new id",
		    SNAP_PUBLISHED, TL_TYPE_PETITION, "seat", "pat2",
		    "Pat Reach", BASE + 12 * DAY, "nominations",
		    "already_exists", "unique in a contest"},
		{"an id of the initial manifest", SNAP_PUBLISHED,
		    TL_TYPE_CANDIDATE, "seat", "ina", "Ina Again",
		    BASE + 3 * DAY, "nominations", "already_exists",
		    "in the initial manifest"},
		{"a candidate of a referendum", SNAP_PUBLISHED,
		    TL_TYPE_CANDIDATE, "ref", "cat", "Cat Late", BASE + 3 * DAY,
		    "nominations", "invalid_input", "referendum"},
		{"after the voting definition, even dated in the phase",
		    SNAP_OPEN, TL_TYPE_CANDIDATE, "seat", "cat", "Cat Late",
		    BASE + 3 * DAY, "order", "wrong_state",
		    "candidates were fixed"},
	};
	struct rf_lines lines;
	size_t bob;
	char *payload, *line;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		copy_snapshot(cases[i].snapshot, &lines);
		expect_appended(&lines, nomination_line(&lines, cases[i].type,
		    cases[i].contest, cases[i].id, cases[i].name, cases[i].time),
		    cases[i].check, cases[i].error, cases[i].says);
	}
	/* Not signed by the authority. */
	copy_snapshot(SNAP_PUBLISHED, &lines);
	bob = rf_find_line(&lines, TL_TYPE_CANDIDATE, 0, "\"bob\"");
	payload = rf_payload(lines.line[bob], NULL);
	line = rf_sign(shared.keys[0], TL_TYPE_CANDIDATE, payload);
	rf_set_line(&lines, bob, line);
	rf_seal(&lines, shared.authority);
	free(line);
	free(payload);
	expect_only(rf_verify_lines(&lines), bob + 1, "signatures",
	    "bad_signature", "candidate statement");
	rf_lines_free(&lines);
}
END_TEST

/* --- the timetable ------------------------------------------------------- */

static char *
amendment_line(const struct rf_lines *lines, enum tl_phase phase,
    int has_opens, int64_t opens, int has_closes, int64_t closes,
    int64_t time, const struct tl_key *key)
{
	struct tl_amendment a;
	struct tl_error err;
	char *payload = NULL, *manifest = rf_payload(lines->line[0], NULL);
	char *line;

	memset(&a, 0, sizeof(a));
	snprintf(a.election, sizeof(a.election), "e1");
	tl_sha256_hex(manifest, strlen(manifest), a.manifest);
	a.phase = phase;
	a.has_opens = has_opens;
	a.opens = opens;
	a.has_closes = has_closes;
	a.closes = closes;
	a.time = time;
	OK(tl_amendment_serialize(&a, &payload, NULL, &err));
	line = rf_sign(key, TL_TYPE_AMENDMENT, payload);
	free(payload);
	free(manifest);
	return line;
}

START_TEST(test_amendments)
{
	struct rf_lines lines;
	size_t at, final;

	/* Moving a time backward (the challenge phase closes at +52d). */
	copy_snapshot(SNAP_PUBLISHED, &lines);
	expect_appended(&lines, amendment_line(&lines, TL_PHASE_CHALLENGE, 0,
	    0, 1, BASE + 51 * DAY, BASE + 14 * DAY, shared.authority),
	    "timetable", "wrong_phase", "may only move it later");
	/* Moving a time that has come (the nominations closed at +10d). */
	copy_snapshot(SNAP_PUBLISHED, &lines);
	expect_appended(&lines, amendment_line(&lines,
	    TL_PHASE_NOMINATIONS, 0, 0, 1, BASE + 11 * DAY, BASE + 14 * DAY,
	    shared.authority),
	    "timetable", "wrong_phase", "has already come");
	/* Signed by a voter. */
	copy_snapshot(SNAP_PUBLISHED, &lines);
	expect_appended(&lines, amendment_line(&lines, TL_PHASE_CHALLENGE, 0,
	    0, 1, BASE + 55 * DAY, BASE + 14 * DAY, shared.keys[0]),
	    "signatures", "bad_signature", "amendment");
	/* A valid amendment counts: with the challenge phase moved to +60d,
	 * the final statement at +53d comes too early. */
	copy_snapshot(SNAP_FINAL, &lines);
	at = rf_find_line(&lines, TL_TYPE_AMENDMENT, 0, NULL) + 1;
	insert_sealed(&lines, at, amendment_line(&lines, TL_PHASE_CHALLENGE, 0,
	    0, 1, BASE + 60 * DAY, BASE + 14 * DAY, shared.authority));
	final = rf_find_line(&lines, TL_TYPE_FINAL, 0, NULL);
	expect_only(rf_verify_lines(&lines), final + 1, "timetable",
	    "wrong_phase", "the challenge phase runs until");
	rf_lines_free(&lines);
}
END_TEST

START_TEST(test_voting_phase)
{
	struct rf_lines lines;
	size_t def, ballot;
	json_t *report;
	char *line;

	/* A ballot before the voting definition. */
	copy_snapshot(SNAP_FINAL, &lines);
	def = rf_find_line(&lines, TL_TYPE_MANIFEST, 2, NULL);
	ballot = rf_find_line(&lines, TL_TYPE_BALLOT, 0, NULL);
	line = strdup(lines.line[ballot]);
	rf_remove_line(&lines, ballot);
	insert_sealed(&lines, def, line);
	report = rf_verify_lines(&lines);
	rf_expect_problem(report, def + 1, "order", "verification_failed");
	json_decref(report);
	rf_lines_free(&lines);
	/* Closed before the voting phase's end. */
	expect_resigned(SNAP_CERTIFIED, TL_TYPE_CLOSE,
	    when(BASE + 40 * DAY + 3600), when(BASE + 39 * DAY), "timetable",
	    "wrong_phase", "voting phase runs until");
}
END_TEST

/* --- certification, challenges, decisions, the final statement ----------- */

/* A challenge by voter_id of the certification on line index `cert`,
 * signed with key. */
static char *
challenge_line(const struct rf_lines *lines, size_t cert,
    const char *voter_id, const struct tl_key *key, const char *text)
{
	struct tl_challenge c;
	struct tl_error err;
	char *payload = NULL, *line;

	memset(&c, 0, sizeof(c));
	snprintf(c.election, sizeof(c.election), "e1");
	entry_hash(lines, cert, c.certification);
	snprintf(c.voter, sizeof(c.voter), "%s", voter_id);
	c.text = (char *)(uintptr_t)text;
	OK(tl_challenge_serialize(&c, &payload, NULL, &err));
	line = rf_sign(key, TL_TYPE_CHALLENGE, payload);
	free(payload);
	return line;
}

START_TEST(test_certification)
{
	struct rf_lines lines;
	size_t cert, close;
	char other[TL_HASH_SIZE], *payload;

	/* Naming a result that is not the latest (the close statement). */
	copy_snapshot(SNAP_CERTIFIED, &lines);
	cert = rf_find_line(&lines, TL_TYPE_CERTIFICATION, 0, NULL);
	close = rf_find_line(&lines, TL_TYPE_CLOSE, 0, NULL);
	entry_hash(&lines, close, other);
	payload = rf_payload(lines.line[cert], NULL);
	{
		const char *at = strstr(payload, "\"result\":\"") + 10;
		char hash[TL_HASH_SIZE];

		memcpy(hash, at, TL_HASH_HEX_LEN);
		hash[TL_HASH_HEX_LEN] = '\0';
		resign_replacing(&shared, &lines, cert, hash, other);
	}
	free(payload);
	expect_only(rf_verify_lines(&lines), cert + 1, "certification",
	    "verification_failed", "but the latest result is on line");
	rf_lines_free(&lines);
	/* Dated after the challenge phase it starts. */
	expect_resigned(SNAP_CERTIFIED, TL_TYPE_CERTIFICATION,
	    when(BASE + 41 * DAY), when(BASE + 52 * DAY), "timetable",
	    "wrong_phase", "challenge phase it starts closed");
	/* Certified twice without a recount. */
	copy_snapshot(SNAP_CERTIFIED, &lines);
	cert = rf_find_line(&lines, TL_TYPE_CERTIFICATION, 0, NULL);
	expect_appended(&lines, strdup(lines.line[cert]),
	    "certification", "wrong_state", "only a counted result can be "
	    "certified");
	/* A challenge before any certification. */
	copy_snapshot(SNAP_CERTIFIED, &lines);
	cert = rf_find_line(&lines, TL_TYPE_CERTIFICATION, 0, NULL);
	{
		char *line = challenge_line(&lines, cert, "a3", shared.keys[2],
		    "Too early.");

		insert_sealed(&lines, cert, line);
	}
	expect_only(rf_verify_lines(&lines), cert + 1, "certification",
	    "wrong_state", "before any certification");
	rf_lines_free(&lines);
}
END_TEST

START_TEST(test_challenges)
{
	static const struct {
		int of_certification;  /* or of line 1 */
		const char *voter;
		size_t key;
		const char *check, *error, *says;
	} faulty[] = {
		{1, "zz", 0, "certification", "not_on_roll", "not on the roll"},
		{0, "a1", 0, "certification", "conflict",
		    "but the result in force was certified"},
		{1, "a1", 1, "signatures", "bad_signature",
		    "challenge of voter a1"},
	};
	struct rf_lines lines;
	size_t cert, decision, final;

	/* After the challenge phase: after the final statement. */
	copy_snapshot(SNAP_FINAL, &lines);
	cert = rf_find_line(&lines, TL_TYPE_CERTIFICATION, 0, NULL);
	expect_appended(&lines, challenge_line(&lines, cert, "a1",
	    shared.keys[0], "Too late."),
	    "timetable", "wrong_phase", "once the challenge phase is over");
	/* Challenges filed before the decision, each with one fault. */
	for (size_t i = 0; i < sizeof(faulty) / sizeof(faulty[0]); i++) {
		copy_snapshot(SNAP_FINAL, &lines);
		cert = faulty[i].of_certification ? rf_find_line(&lines,
		    TL_TYPE_CERTIFICATION, 0, NULL) : 0;
		decision = rf_find_line(&lines, TL_TYPE_DECISION, 0, NULL);
		insert_sealed(&lines, decision, challenge_line(&lines, cert,
		    faulty[i].voter, shared.keys[faulty[i].key], "Faulty."));
		expect_only(rf_verify_lines(&lines), decision + 1,
		    faulty[i].check, faulty[i].error, faulty[i].says);
		rf_lines_free(&lines);
	}
	/* A final statement while a challenge is undecided. */
	copy_snapshot(SNAP_FINAL, &lines);
	decision = rf_find_line(&lines, TL_TYPE_DECISION, 0, NULL);
	rf_remove_line(&lines, decision);
	rf_seal(&lines, shared.authority);
	final = rf_find_line(&lines, TL_TYPE_FINAL, 0, NULL);
	expect_only(rf_verify_lines(&lines), final + 1, "certification",
	    "wrong_state", "is not decided");
	rf_lines_free(&lines);
	/* A challenge decided twice. */
	copy_snapshot(SNAP_FINAL, &lines);
	decision = rf_find_line(&lines, TL_TYPE_DECISION, 0, NULL);
	final = rf_find_line(&lines, TL_TYPE_FINAL, 0, NULL);
	insert_sealed(&lines, final, strdup(lines.line[decision]));
	expect_only(rf_verify_lines(&lines), final + 1, "certification",
	    "already_exists", "already decided");
	rf_lines_free(&lines);
	/* A decision on no challenge (it names the certification). */
	copy_snapshot(SNAP_FINAL, &lines);
	decision = rf_find_line(&lines, TL_TYPE_DECISION, 0, NULL);
	cert = rf_find_line(&lines, TL_TYPE_CERTIFICATION, 0, NULL);
	{
		char hash[TL_HASH_SIZE], cert_hash[TL_HASH_SIZE];

		entry_hash(&lines, decision - 1, hash);
		entry_hash(&lines, cert, cert_hash);
		resign_replacing(&shared, &lines, decision, hash, cert_hash);
	}
	{
		json_t *report = rf_verify_lines(&lines);

		/* and so the challenge stays undecided */
		rf_expect_problem(report, decision + 1, "certification",
		    "not_found");
		rf_expect_problem(report, decision + 2, "certification",
		    "wrong_state");
		json_decref(report);
	}
	rf_lines_free(&lines);
	/* The final statement before the challenge phase is over. */
	expect_resigned(SNAP_FINAL, TL_TYPE_FINAL, when(BASE + 53 * DAY),
	    when(BASE + 51 * DAY), "timetable", "wrong_phase",
	    "challenge phase runs until");
	/* Anything of the authority's after the final statement. */
	copy_snapshot(SNAP_FINAL, &lines);
	decision = rf_find_line(&lines, TL_TYPE_DECISION, 0, NULL);
	expect_appended(&lines, strdup(lines.line[decision]),
	    "order", "verification_failed", "ends the log");
}
END_TEST

/* --- turnout ------------------------------------------------------------- */

/* The turnout of `teller verify --turnout` is the database's. */
static void
expect_same_turnout(struct tl_store *store, const char *text, size_t len)
{
	struct tl_record_verify_options opt;
	struct tl_error err;
	json_t *report = NULL, *turnout = NULL;
	char *a, *b;

	memset(&opt, 0, sizeof(opt));
	opt.turnout = 1;
	OK(tl_record_verify(text, len, &opt, &report, &err));
	OK(tl_election_turnout(store, "e1", &turnout, &err));
	a = json_dumps(json_object_get(report, "turnout"), JSON_SORT_KEYS);
	b = json_dumps(turnout, JSON_SORT_KEYS);
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	json_decref(report);
	json_decref(turnout);
}

START_TEST(test_turnout)
{
	struct rf_election plain;
	json_t *report, *c;
	char *text;
	size_t len;

	expect_same_turnout(shared.store, shared.record[SNAP_FINAL],
	    shared.len[SNAP_FINAL]);
	/* a1 and a2 of three voted, b1 of two. */
	report = rf_verify_text(shared.record[SNAP_FINAL],
	    shared.len[SNAP_FINAL], 0);
	ck_assert_ptr_null(json_object_get(report, "turnout"));
	json_decref(report);
	{
		struct tl_record_verify_options opt;
		struct tl_error err;

		memset(&opt, 0, sizeof(opt));
		opt.turnout = 1;
		OK(tl_record_verify(shared.record[SNAP_FINAL],
		    shared.len[SNAP_FINAL], &opt, &report, &err));
	}
	c = json_array_get(json_object_get(json_object_get(report, "turnout"),
	    "constituencies"), 0);
	ck_assert_int_eq(int_at(c, "eligible"), 3);
	ck_assert_int_eq(int_at(c, "voted"), 2);
	ck_assert_str_eq(text_at(c, "percent"), "66.67%");
	json_decref(report);
	/* And for an election without a cycle. */
	rf_build(&plain, 5, 3, 1, 0, RF_COUNTED, 7);
	text = rf_export(&plain, &len);
	expect_same_turnout(plain.store, text, len);
	free(text);
	rf_free(&plain);
}
END_TEST

static Suite *
verify_cycle_suite(void)
{
	Suite *s = suite_create("verify_cycle");
	TCase *valid = tcase_create("valid");
	TCase *rules = tcase_create("rules");

	tcase_add_unchecked_fixture(valid, setup_shared, teardown_shared);
	tcase_add_test(valid, test_valid_stages);
	tcase_add_test(valid, test_valid_recount);
	tcase_add_test(valid, test_valid_new_vote);
	tcase_add_test(valid, test_turnout);
	suite_add_tcase(s, valid);
	tcase_add_unchecked_fixture(rules, setup_shared, teardown_shared);
	tcase_add_test(rules, test_threshold);
	tcase_add_test(rules, test_endorsements);
	tcase_add_test(rules, test_nominations);
	tcase_add_test(rules, test_amendments);
	tcase_add_test(rules, test_voting_phase);
	tcase_add_test(rules, test_certification);
	tcase_add_test(rules, test_challenges);
	suite_add_tcase(s, rules);
	return s;
}

int
main(void)
{
	return th_run(verify_cycle_suite());
}
